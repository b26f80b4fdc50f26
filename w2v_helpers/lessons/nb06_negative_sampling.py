"""Lesson code of ``06_negative_sampling_real_corpus.ipynb`` (Negative sampling on a real corpus):
its reports, panel, figures and exercise checks. The concepts it uses live in the core modules
(corpus, negative_sampling, trainer, evaluation, memory).

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ..corpus import wiki_vocabulary
from ..memory import FLOAT32, check_memory, format_bytes
from ..validation import MAX_BATCH, check_number, check_positive_int
from .feedback import Feedback, _call, _correct, _not_yet
from .formatting import format_timing
from .panel import Panel, _choice, _slow_log_slider, make_panel

__all__ = [
    "ReferenceComparison",
    "reference_comparison",
    "FullScoringCost",
    "full_scoring_cost",
    "SamplingReport",
    "sampling_report",
    "check_keep_probability",
    "check_noise_distribution",
    "plot_full_scoring_cost",
    "sampling_panel",
]


@dataclass(frozen=True, kw_only=True)
class FullScoringCost:
    """Time and memory of one full-vocabulary SkipGram training step for each V.

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.
    """

    vocab_sizes: tuple[int, ...]
    seconds: tuple[float, ...]
    nbytes: tuple[int, ...]
    batch_size: int
    embedding_dim: int

    def __str__(self) -> str:
        lines = [
            f"one SGD step, SkipGram with a full softmax, N={self.batch_size}, "
            f"E={self.embedding_dim}"
        ]
        for V, s, b in zip(self.vocab_sizes, self.seconds, self.nbytes, strict=True):
            lines.append(f"  V={V:>9,}: {format_bytes(b):>10}  {format_timing(s)}")
        return "\n".join(lines)


def full_scoring_cost(
    vocab_sizes: Sequence[int] = (1_000, 10_000, 50_000, 100_000),
    *,
    batch_size: int = 256,
    embedding_dim: int = 100,
    repeats: int = 3,
) -> FullScoringCost:
    """Time one training step (forward, cross-entropy, backward, SGD) of notebook 04's SkipGram.

    Memory is the estimate of the tensors a step holds: two (V, E) tables, their gradients, and
    the (N, V) scores with their gradient and softmax. Refuses (``MemoryBudgetError``) before
    allocating a step over the budget. Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        vocab_sizes: the V to time, at least one, each a whole number >= 1.
            Default: ``(1_000, 10_000, 50_000, 100_000)``.
        batch_size: N, 1 to ``MAX_BATCH`` (1,000,000). Default: 256.
        embedding_dim: E, a whole number >= 1. Default: 100.
        repeats: steps timed per V, the fastest kept; a whole number >= 1. Default: 3.
    """
    from ..models import SkipGram  # local: explore.py keeps its imports light

    N = check_positive_int("batch_size", batch_size, maximum=MAX_BATCH)
    E = check_positive_int("embedding_dim", embedding_dim)
    repeats = check_positive_int("repeats", repeats)
    sizes = tuple(check_positive_int("vocab_size", V) for V in vocab_sizes)
    if not sizes:
        raise ValueError("vocab_sizes must name at least one vocabulary size")
    need = [FLOAT32 * (4 * V * E + 2 * V + 3 * N * V) for V in sizes]
    check_memory(
        max(need),
        f"a full-softmax SkipGram step at V={max(sizes):,}",
        hint="Use smaller vocab_sizes or batch_size.",
    )
    seconds = []
    for V in sizes:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            model = SkipGram(V, E)
            x = torch.randint(V, (N, 1))  # (N, 1)
            y = torch.randint(V, (N,))  # (N,)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        best = math.inf
        for _ in range(repeats):
            start = time.perf_counter()
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()  # (N, V) scores
            opt.step()
            best = min(best, time.perf_counter() - start)
        seconds.append(best)
        del model, opt
    return FullScoringCost(
        vocab_sizes=sizes,
        seconds=tuple(seconds),
        nbytes=tuple(need),
        batch_size=N,
        embedding_dim=E,
    )


@dataclass(frozen=True)
class SamplingReport:
    """The most frequent words: share of the corpus, noise probability, keep probability.

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.
    """

    power: float
    sample: float
    draws: int
    rows: tuple[tuple[str, float, float, float, float], ...]  # word, f, noise p, sampled, keep

    def __str__(self) -> str:
        head = (
            f"noise = count^{self.power:g} (normalised), subsampling t = {self.sample:g}, "
            f"{self.draws:,} noise draws"
        )
        lines = [head, f"{'word':>8} {'corpus %':>9} {'noise %':>8} {'drawn %':>8} {'keep':>6}"]
        for word, f, p, drawn, keep in self.rows:
            lines.append(f"{word:>8} {100 * f:9.2f} {100 * p:8.2f} {100 * drawn:8.2f} {keep:6.3f}")
        return "\n".join(lines)


def sampling_report(
    power: float = 0.75, sample: float = 1e-3, draws: int = 100_000, *, top: int = 8, seed: int = 0
) -> SamplingReport:
    """Noise and keep probabilities of the ``top`` most frequent words of the Wikipedia sample.

    ``drawn %`` is measured: ``draws`` ids from :func:`w2v_helpers.corpus.sample_noise`.
    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        power: the noise exponent (noise ~ count**power), in [0, 1]. Default: 0.75.
        sample: the subsampling threshold t, in (1e-9, 0.999]. Default: 1e-3.
        draws: noise ids drawn, 1 to 50,000,000. Default: 100,000.
        top: how many of the most frequent words to list, 1 to 100. Default: 8.
        seed: seeds the noise draws. Default: 0.
    """
    from ..corpus import (
        keep_probabilities,
        noise_distribution,
        sample_noise,
    )

    power = check_number("power", power, low=0, high=1)
    sample = check_number("sample", sample, low=1e-9, high=0.999, low_open=True)
    draws = check_positive_int("draws", draws, maximum=50_000_000)
    top = check_positive_int("top", top, maximum=100)
    check_memory(
        16 * draws + 8 * 1_000_000, f"{draws:,} noise draws", hint="Draw fewer noise words."
    )
    vocab = wiki_vocabulary()
    f = vocab.counts.double() / vocab.counts.sum()  # (V,)
    probs = noise_distribution(vocab.counts, power)  # (V,)
    keep = keep_probabilities(vocab.counts, sample)  # (V,)
    ids = sample_noise(probs, (draws,), generator=torch.Generator().manual_seed(seed))
    drawn = torch.bincount(ids, minlength=len(vocab)).double() / draws  # (V,)
    rows = tuple(
        (vocab.words[i], float(f[i]), float(probs[i]), float(drawn[i]), float(keep[i]))
        for i in range(min(top, len(vocab)))
    )
    return SamplingReport(power, sample, draws, rows)


def check_keep_probability(fn: Callable[[torch.Tensor, float], torch.Tensor]) -> Feedback:
    """Exercise: ``fn(counts, t)`` returns word2vec's keep probability per word,
    ``min(1, (sqrt(f / t) + 1) * t / f)`` with ``f = counts / counts.sum()``. The oracle is the
    formula in float64 with ``math``. Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        fn: the learner's function ``fn(counts, t)``.

    Shape:
        - fn gets: counts :math:`(V)` int64 word counts, t a float.
        - fn returns: :math:`(V)` keep probabilities.
    """
    counts = torch.tensor([5000, 2000, 500, 50, 5])
    t = 1e-2
    f = [c / 7555 for c in counts.tolist()]
    expected = torch.tensor([min(1.0, (math.sqrt(x / t) + 1) * t / x) for x in f])
    got = _call(fn, counts.clone(), t)
    if isinstance(got, Feedback):
        return got
    if got.shape != expected.shape:
        return _not_yet(f"expected one probability per word, shape (5,), got {tuple(got.shape)}.")
    got = got.detach().double()
    if torch.allclose(got, expected.double()):
        return _correct("keep = min(1, (sqrt(f/t) + 1) * t/f), word2vec's formula.")
    if bool((got > 1 + 1e-9).any()):
        return _not_yet("some probabilities are above 1: cap them with .clamp(max=1).")
    paper = torch.tensor([math.sqrt(t / x) for x in f]).clamp(max=1).double()
    if torch.allclose(got, paper) or torch.allclose(got, (1 - paper).clamp(min=0)):
        return _not_yet(
            "that is the paper's sqrt(t/f) form; use the C code's formula (sqrt(f/t) + 1) * t/f."
        )
    return _not_yet("wrong values. f is a frequency (count / total), not a count.")


def check_noise_distribution(fn: Callable[[torch.Tensor], torch.Tensor]) -> Feedback:
    """Exercise: ``fn(counts)`` returns the noise distribution ``counts**0.75 / sum``.

    The oracle is the formula with ``math``. Introduced in
    ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        fn: the learner's function ``fn(counts)``.

    Shape:
        - fn gets: counts :math:`(V)` int64 word counts.
        - fn returns: :math:`(V)` probabilities summing to 1.
    """
    counts = torch.tensor([81, 16, 1])
    raw = [c**0.75 for c in counts.tolist()]
    expected = torch.tensor([r / sum(raw) for r in raw], dtype=torch.float64)
    got = _call(fn, counts.clone())
    if isinstance(got, Feedback):
        return got
    if got.shape != expected.shape:
        return _not_yet(f"expected shape (3,), got {tuple(got.shape)}.")
    got = got.detach().double()
    if torch.allclose(got, expected):
        return _correct("count^0.75, normalised: rare words are drawn more than their share.")
    if torch.allclose(got, torch.tensor(raw, dtype=torch.float64)):
        return _not_yet("right shape, but it does not sum to 1: divide by the sum.")
    unigram = counts.double() / counts.sum()
    if torch.allclose(got, unigram):
        return _not_yet("that is the plain unigram distribution: raise counts to 0.75 first.")
    return _not_yet("wrong values: raise the counts to the power 0.75, then normalise.")


def plot_full_scoring_cost(cost, negatives: int = 5) -> Figure:
    """Work and memory of one full-softmax step against V, beside negative sampling's (log-log).

    Both panels are counted, not timed, so the figure is the same on every machine and every run;
    the measured times are in ``cost``'s printout. Work is multiply-adds per (centre, context)
    pair, as the original objective scores each pair: the forward matmul and its two backward
    matmuls, over V output rows (full softmax) or over 1 + ``negatives`` rows (negative sampling).
    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        cost: a :class:`FullScoringCost`, from :func:`full_scoring_cost`.
        negatives: K, noise words per pair, a whole number >= 1. Default: 5.
    """
    K = check_positive_int("negatives", negatives)
    E = cost.embedding_dim
    full = [3 * E * V for V in cost.vocab_sizes]  # multiply-adds per pair, all V rows
    sampled = [3 * E * (1 + K)] * len(cost.vocab_sizes)  # 1 context + K noise rows
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
    ax1.loglog(cost.vocab_sizes, full, "o-", label="full softmax")
    ax1.loglog(cost.vocab_sizes, sampled, "s--", label=f"negative sampling, K={K}")
    ax1.set(xlabel="vocabulary size V", ylabel="multiply-adds", title="work per training pair")
    ax1.legend(fontsize=8)
    ax2.loglog(cost.vocab_sizes, [b / 2**20 for b in cost.nbytes], "o-", color="C2")
    ax2.set(xlabel="vocabulary size V", ylabel="MiB", title="memory per full-softmax step")
    fig.tight_layout()
    plt.close(fig)
    return fig


def sampling_panel() -> Panel:
    """Vary the noise exponent, the subsampling threshold and the number of draws; see each
    frequent word's corpus share, noise probability, measured draw rate and keep probability.

    Behind it: :func:`w2v_helpers.lessons.nb06_negative_sampling.sampling_report`. Introduced in
    ``06_negative_sampling_real_corpus.ipynb``.
    """

    controls = {
        "power": widgets.FloatSlider(
            description="noise power",
            min=0.0,
            max=1.0,
            step=0.05,
            value=0.75,
            continuous_update=False,
        ),
        "sample": _slow_log_slider("subsample t", -5, -1, 0.5, 1e-3),
        "draws": _choice("noise draws", (1_000, 10_000, 100_000, 1_000_000), 100_000),
    }
    return make_panel("Noise and subsampling on the Wikipedia sample", controls, sampling_report)


@dataclass(frozen=True)
class ReferenceComparison:
    """The fast trainer's settings against notebook 05's reference trainer, on one small slice.

    Agreement is the share of the 10 nearest neighbours (cosine) the vectors share with the
    reference's (seed 0), over 200 words of middling frequency (ranks 20 to 219); the
    reference with another seed gives the noise floor, and two more runs of it isolate the cost
    of larger (staler) batches and of visiting the pairs in stream order. Introduced in
    ``06_negative_sampling_real_corpus.ipynb``.
    """

    tokens: int
    kept_per_epoch: float  # expected tokens left after subsampling (float64 sum)
    rows: tuple[tuple[str, float, float], ...]  # (setting, agreement, seconds)

    def __str__(self) -> str:
        lines = [
            f"{self.tokens:,} tokens, E=50, window 5, K=5, 5 epochs, alpha 0.05; the reference "
            f"steps every {REFERENCE_BATCH:,} pairs",
            "agreement = shared top-10 neighbours with the reference (seed 0), ranks 20-219",
            f"an epoch keeps about {self.kept_per_epoch:,.0f} tokens after subsampling: "
            f"{self.kept_per_epoch / 4096:.1f} chunks of 4,096 centres",
            f"  {'setting':<44} agreement",
        ]
        lines += [f"  {n:<44} {a:9.2f}   {format_timing(s)}" for n, a, s in self.rows]
        return "\n".join(lines)


REFERENCE_BATCH = 2_048  # pairs per step: about a 256-centre chunk's worth, and fast
REFERENCE_VARIANTS = (  # name, train_sgns changes; each run with seed 1
    ("reference, another seed (1)", {}),
    ("reference, seed 1, batches of 256 pairs", {"batch_size": 256}),
    ("reference, seed 1, pairs in stream order", {"shuffle": False}),
)
REFERENCE_SETTINGS = (  # name, TrainConfig changes from the fast trainer's defaults
    ("fast trainer, defaults (chunk 4096)", {}),
    ("fast trainer, chunk 256", {"chunk": 256}),
    ("fast trainer, chunk 256, no row cap", {"chunk": 256, "row_cap": math.inf}),
    ("fast trainer, chunk 256, own 5 noise words", {"chunk": 256, "block": 1, "noise_rows": 5}),
)


def reference_comparison(max_tokens: int = 50_000) -> ReferenceComparison:
    """Train the reference (two seeds) and the fast trainer (each setting) on the first tokens.

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        max_tokens: the slice, a whole number in [10,000, 100,000]. Default: 50,000.
    """
    import dataclasses

    from ..corpus import (
        build_vocabulary,
        encode,
        keep_probabilities,
        load_wiki_sample,
        noise_distribution,
    )
    from ..evaluation import neighbour_overlap
    from ..reference import train_sgns
    from ..trainer import TrainConfig, train_word2vec

    tokens = check_positive_int("max_tokens", max_tokens, maximum=100_000)
    if tokens < 10_000:
        raise ValueError(f"max_tokens must be at least 10,000, got {tokens:,}")
    sentences = load_wiki_sample(max_tokens=tokens)
    vocab = build_vocabulary(sentences, min_count=5)
    ids = [encode([s], vocab) for s in sentences]
    words = torch.arange(20, min(220, len(vocab)))  # (W,) ids of middling frequency
    probs = noise_distribution(vocab.counts)  # (V,)
    keep = keep_probabilities(vocab.counts, 1e-3)  # (V,)
    settings = {"epochs": 5, "lr": 0.05, "keep": keep, "batch_size": REFERENCE_BATCH}
    reference = train_sgns(ids, len(vocab), probs, seed=0, **settings).snapshots[-1]  # (V, E)
    rows = []
    for name, changes in REFERENCE_VARIANTS:  # the first, another seed: the noise floor
        other = train_sgns(ids, len(vocab), probs, seed=1, **{**settings, **changes})
        rows.append((name, neighbour_overlap(other.snapshots[-1], reference, words), other.seconds))
    base = TrainConfig(vector_size=50, epochs=5, alpha=0.05)
    for name, changes in REFERENCE_SETTINGS:
        fast = train_word2vec(sentences, dataclasses.replace(base, **changes), progress=False)
        rows.append((name, neighbour_overlap(fast.vectors, reference, words), fast.seconds))
    kept = float((keep * vocab.counts.double()).sum())
    return ReferenceComparison(sum(map(len, sentences)), kept, tuple(rows))
