"""Lesson code of ``A1_how_the_fast_trainer_departs.ipynb`` (appendix: how the fast trainer
departs from word2vec): the audit of the fast trainer against notebook 05's reference trainer on
a small slice (stale chunks, shared noise, the row cap, visiting order), and a check of the
noise table both trainers draw from, judged by its sampling error.

Shape glossary: V vocabulary, E embedding dim, W words compared.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from ..memory import check_memory
from ..validation import check_number, check_positive_int
from .feedback import Feedback, _call, _correct, _not_yet
from .formatting import format_timing

__all__ = [
    "ReferenceComparison",
    "reference_comparison",
    "SamplingReport",
    "sampling_report",
    "REFERENCE_CENTRES",
    "PAIRS_PER_CENTRE",
    "check_z_score",
]

WORDS = 200  # words compared: ranks 20 to 219
REFERENCE_CENTRES = 256  # the chunk the reference's batch is matched to
PAIRS_PER_CENTRE = 2 * 3  # a reach drawn in 1..5 averages 3 words, on each of two sides
REFERENCE_BATCH = REFERENCE_CENTRES * PAIRS_PER_CENTRE  # pairs per step of the reference
REFERENCE_VARIANTS = (  # name, train_sgns changes, seed
    ("reference, another seed (1)", {}, 1),
    ("reference, seed 1, batches of 256 pairs", {"batch_size": 256}, 1),
    ("reference, seed 1, pairs in stream order", {"shuffle": False}, 1),
)
REFERENCE_SETTINGS = (  # name, TrainConfig changes from the fast trainer's defaults
    ("fast trainer, defaults (chunk 4096)", {}),
    ("fast trainer, chunk 256", {"chunk": 256}),
    ("fast trainer, chunk 256, no row cap", {"chunk": 256, "row_cap": math.inf}),
    ("fast trainer, chunk 256, own 5 noise words", {"chunk": 256, "block": 1, "noise_rows": 5}),
)
ORDER_PAIRS = (  # two runs compared with each other, not with the shuffled reference
    ("reference in stream order, seeds 1 and 2", "stream 1", "stream 2"),
    ("fast trainer chunk 256, seeds 0 and 1", "fast 0", "fast 1"),
    ("reference in stream order (1), fast trainer chunk 256 (0)", "stream 1", "fast 0"),
    ("reference in stream order (2), fast trainer chunk 256 (1)", "stream 2", "fast 1"),
)


@dataclass(frozen=True, kw_only=True)
class ReferenceComparison:
    """The fast trainer's settings against notebook 05's reference trainer, on one small slice.

    Agreement is the share of the 10 nearest neighbours (cosine) two sets of vectors share,
    over 200 words of middling frequency (ranks 20 to 219). ``rows`` compare each run with the
    reference (seed 0, shuffled); the reference with another seed gives the floor, and two more
    runs of it isolate the cost of smaller batches and of visiting the pairs in stream order.
    ``order_rows`` compare the runs that visit pairs in stream order with each other. Introduced
    in ``A1_how_the_fast_trainer_departs.ipynb``.
    """

    tokens: int
    kept_per_epoch: float  # expected tokens left after subsampling (float64 sum)
    pairs_per_centre: float  # measured on the slice, one draw of the windows
    rows: tuple[tuple[str, float, float], ...]  # (setting, agreement, seconds)
    order_rows: tuple[tuple[str, float], ...]  # (the two runs, agreement)

    def __str__(self) -> str:
        lines = [
            f"{self.tokens:,} tokens, E=50, window 5, K=5, 5 epochs, alpha 0.05",
            f"the reference steps every {REFERENCE_CENTRES} x {PAIRS_PER_CENTRE} = "
            f"{REFERENCE_BATCH:,} pairs (measured on the slice: {self.pairs_per_centre:.2f} "
            "pairs per centre)",
            f"an epoch keeps about {self.kept_per_epoch:,.0f} tokens after subsampling: "
            f"{self.kept_per_epoch / 4096:.1f} chunks of 4,096 centres",
            f"shared = top-10 neighbours two runs share, of the {10 * WORDS:,} of ranks 20-219",
            f"  {'against the reference (seed 0, shuffled)':<44}    shared",
        ]
        lines += [
            f"  {n:<44} {round(a * 10 * WORDS):9,}   {format_timing(s)}" for n, a, s in self.rows
        ]
        lines.append(f"  {'stream order, with each other':<58}    shared")
        lines += [f"  {n:<58} {round(a * 10 * WORDS):9,}" for n, a in self.order_rows]
        return "\n".join(lines)


def reference_comparison(max_tokens: int = 50_000) -> ReferenceComparison:
    """Train the reference (seeds 0, 1, 2 and variants) and the fast trainer (each setting) on
    the first tokens of the sample, and compare their neighbours.

    Introduced in ``A1_how_the_fast_trainer_departs.ipynb``.

    Args:
        max_tokens: the slice, a whole number in [10,000, 100,000]. Default: 50,000.
    """
    from ..corpus import (
        build_vocabulary,
        dynamic_window_pairs,
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
    words = torch.arange(20, 20 + WORDS)  # (W,) ids of middling frequency
    probs = noise_distribution(vocab.counts)  # (V,)
    keep = keep_probabilities(vocab.counts, 1e-3)  # (V,)
    settings = {"epochs": 5, "lr": 0.05, "keep": keep, "batch_size": REFERENCE_BATCH}
    reference = train_sgns(ids, len(vocab), probs, seed=0, **settings).snapshots[-1]  # (V, E)
    runs, rows = {}, []
    for name, changes, seed in REFERENCE_VARIANTS:  # the first, another seed: the floor
        other = train_sgns(ids, len(vocab), probs, seed=seed, **{**settings, **changes})
        rows.append((name, neighbour_overlap(other.snapshots[-1], reference, words), other.seconds))
        runs[name] = other.snapshots[-1]  # (V, E)
    stream = {**settings, "shuffle": False}
    runs["stream 2"] = train_sgns(ids, len(vocab), probs, seed=2, **stream).snapshots[-1]
    runs["stream 1"] = runs[REFERENCE_VARIANTS[2][0]]
    base = TrainConfig(vector_size=50, epochs=5, alpha=0.05)
    for name, changes in REFERENCE_SETTINGS:
        fast = train_word2vec(sentences, dataclasses.replace(base, **changes), progress=False)
        rows.append((name, neighbour_overlap(fast.vectors, reference, words), fast.seconds))
        runs[name] = fast.vectors  # (V, E)
    runs["fast 0"] = runs[REFERENCE_SETTINGS[1][0]]
    again = dataclasses.replace(base, chunk=256, seed=1)
    runs["fast 1"] = train_word2vec(sentences, again, progress=False).vectors  # (V, E)
    order = tuple((n, neighbour_overlap(runs[a], runs[b], words)) for n, a, b in ORDER_PAIRS)
    stream_ids = torch.cat(ids)  # (L,)
    centre, _ = dynamic_window_pairs(stream_ids, 5, generator=torch.Generator().manual_seed(0))
    return ReferenceComparison(
        tokens=sum(map(len, sentences)),
        kept_per_epoch=float((keep * vocab.counts.double()).sum()),
        pairs_per_centre=centre.numel() / stream_ids.numel(),
        rows=tuple(rows),
        order_rows=order,
    )


@dataclass(frozen=True, kw_only=True)
class SamplingReport:
    """The most frequent words: noise probability, drawn rate, and the gap in standard errors.

    Introduced in ``A1_how_the_fast_trainer_departs.ipynb``.
    """

    power: float
    draws: int
    rows: tuple[tuple[str, float, float], ...]  # word, noise p, drawn rate

    def z(self, p: float, drawn: float) -> float:
        """The gap in binomial standard errors: (drawn - p) / sqrt(p (1 - p) / draws)."""
        return (drawn - p) / math.sqrt(p * (1 - p) / self.draws)

    def __str__(self) -> str:
        lines = [
            f"noise = count^{self.power:g} (normalised), {self.draws:,} draws from the noise table",
            f"{'word':>8} {'noise %':>8} {'drawn %':>8} {'std err %':>10} {'z':>6}",
        ]
        for word, p, drawn in self.rows:
            se = math.sqrt(p * (1 - p) / self.draws)
            lines.append(
                f"{word:>8} {100 * p:8.3f} {100 * drawn:8.3f} {100 * se:10.3f} "
                f"{self.z(p, drawn):6.1f}"
            )
        return "\n".join(lines)


def sampling_report(
    power: float = 0.75, draws: int = 100_000, *, top: int = 8, seed: int = 0
) -> SamplingReport:
    """Noise probabilities of the ``top`` most frequent words of the Wikipedia sample, and the
    rates at which ``draws`` ids from :func:`w2v_helpers.corpus.sample_noise` drew them.

    Introduced in ``A1_how_the_fast_trainer_departs.ipynb``.

    Args:
        power: the noise exponent (noise ~ count**power), in [0, 1]. Default: 0.75.
        draws: noise ids drawn, 1 to 50,000,000. Default: 100,000.
        top: how many of the most frequent words to list, 1 to 100. Default: 8.
        seed: seeds the noise draws. Default: 0.
    """
    from ..corpus import noise_distribution, sample_noise, wiki_vocabulary

    power = check_number("power", power, low=0, high=1)
    draws = check_positive_int("draws", draws, maximum=50_000_000)
    top = check_positive_int("top", top, maximum=100)
    vocab = wiki_vocabulary()  # first: the guard then sees it (built once per kernel)
    check_memory(  # the slots and the ids (int64 each), the noise table and its temporary
        16 * draws + 16 * 1_000_000, f"{draws:,} noise draws", hint="Draw fewer noise words."
    )
    probs = noise_distribution(vocab.counts, power)  # (V,)
    ids = sample_noise(probs, (draws,), generator=torch.Generator().manual_seed(seed))
    drawn = torch.bincount(ids, minlength=len(vocab)).double() / draws  # (V,)
    rows = tuple(
        (vocab.words[i], float(probs[i]), float(drawn[i])) for i in range(min(top, len(vocab)))
    )
    return SamplingReport(power=power, draws=draws, rows=rows)


def check_z_score(fn: Callable[[torch.Tensor, torch.Tensor, int], torch.Tensor]) -> Feedback:
    """Exercise: ``fn(p, drawn, n)`` returns each row's gap in binomial standard errors,
    ``(drawn - p) / sqrt(p * (1 - p) / n)``. The oracle is the formula with ``math``, row by
    row. Introduced in ``A1_how_the_fast_trainer_departs.ipynb``.

    Args:
        fn: the learner's function.

    Shape:
        - fn gets: p, drawn :math:`(V)` float64 probabilities and rates; n, the number of draws.
        - fn returns: :math:`(V)`, one z per row.
    """
    p = torch.tensor([0.3, 0.05, 0.01, 0.002], dtype=torch.float64)  # (V,)
    drawn = torch.tensor([0.31, 0.047, 0.0112, 0.0017], dtype=torch.float64)  # (V,)
    n = 10_000
    got = _call(fn, p.clone(), drawn.clone(), n)
    if isinstance(got, Feedback):
        return got
    if got.shape != p.shape:
        return _not_yet(f"expected one z per row, shape (4,), got {tuple(got.shape)}.")
    got = got.detach().double()
    rows = list(zip(p.tolist(), drawn.tolist(), strict=True))

    def formula(se: Callable[[float, float], float], sign: float = 1.0) -> torch.Tensor:
        return torch.tensor([sign * (d - q) / se(q, d) for q, d in rows], dtype=torch.float64)

    expected = formula(lambda q, d: math.sqrt(q * (1 - q) / n))
    if torch.allclose(got, expected):
        return _correct("z = (drawn - p) / sqrt(p (1 - p) / n): the gap in standard errors.")
    mistakes = (
        (
            formula(lambda q, d: math.sqrt(q * (1 - q) / n), -1.0),
            "that is p - drawn: take drawn - p, so a rate drawn too rarely gets a negative z.",
        ),
        (
            formula(lambda q, d: q * (1 - q) / n),
            "that divides by the variance p (1 - p) / n; the standard error is its square root.",
        ),
        (
            formula(lambda q, d: math.sqrt(d * (1 - d) / n)),
            "that standard error uses the drawn "
            "rate; judge against the probability p: sqrt(p (1 - p) / n).",
        ),
        (
            formula(lambda q, d: math.sqrt(q * (1 - q))),
            "the standard error shrinks with the "
            "draws: divide p (1 - p) by n before the square root.",
        ),
        (
            formula(lambda q, d: math.sqrt(q / n)),
            "a draw is a yes/no outcome: its variance is p (1 - p) / n, not p / n.",
        ),
    )
    for wrong, message in mistakes:
        if torch.allclose(got, wrong):
            return _not_yet(message)
    return _not_yet("wrong values: z = (drawn - p) / sqrt(p * (1 - p) / n), one per row.")
