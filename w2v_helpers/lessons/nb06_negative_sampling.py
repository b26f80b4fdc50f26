"""Lesson code of ``06_negative_sampling_real_corpus.ipynb`` (Negative sampling on a real corpus):
its reports, figures and exercise check. The concepts it uses live in the core modules (corpus,
negative_sampling, trainer, evaluation, memory); the fast trainer's audit against the reference
is in :mod:`w2v_helpers.lessons.a1_how_the_fast_trainer_departs`.

Shape glossary: N batch, V vocabulary, E embedding dim, K negatives; P word pairs of a
similarity dataset, R bootstrap resamples.
"""

from __future__ import annotations

import dataclasses
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from ..memory import FLOAT32, check_memory, format_bytes, load_autograd
from ..training_config import TrainConfig, TrainingDivergedError
from ..validation import MAX_BATCH, check_number, check_positive_int
from .feedback import Feedback, _call, _correct, _not_yet
from .formatting import format_timing

__all__ = [
    "FullScoringCost",
    "full_scoring_cost",
    "plot_full_scoring_cost",
    "SettingRun",
    "SettingStudy",
    "setting_study",
    "BASE_CONFIG",
    "SETTINGS",
    "DEPARTURES",
    "check_paired_interval",
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


MAX_REPEATS = 100  # steps timed per V
MAX_SIZES = 20  # vocabulary sizes timed in one call


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
        vocab_sizes: the V to time, 1 to 20 of them, each a whole number >= 1.
            Default: ``(1_000, 10_000, 50_000, 100_000)``.
        batch_size: N, 1 to ``MAX_BATCH`` (1,000,000). Default: 256.
        embedding_dim: E, a whole number >= 1. Default: 100.
        repeats: steps timed per V, the fastest kept; a whole number in [1, 100]. Default: 3.
    """
    from ..models import SkipGram  # local: explore.py keeps its imports light

    N = check_positive_int("batch_size", batch_size, maximum=MAX_BATCH)
    E = check_positive_int("embedding_dim", embedding_dim)
    repeats = check_positive_int("repeats", repeats, maximum=MAX_REPEATS)
    if isinstance(vocab_sizes, str) or not isinstance(vocab_sizes, Sequence):
        raise TypeError(f"vocab_sizes must be a sequence of whole numbers, got {vocab_sizes!r:.60}")
    if not 1 <= len(vocab_sizes) <= MAX_SIZES:
        raise ValueError(
            f"vocab_sizes must name 1 to {MAX_SIZES} vocabulary sizes, got {len(vocab_sizes)}"
        )
    sizes = tuple(check_positive_int("vocab_size", V) for V in vocab_sizes)
    load_autograd()  # first: the guard then sees the modules a first backward pass loads
    need = [FLOAT32 * (4 * V * E + 2 * V + 3 * N * V) for V in sizes]
    # the guard asks for two (V, E) tables more than the step's tensors: the backward pass holds
    # a temporary beside the dense embedding gradient (measured 1.6 tables over ``need``)
    check_memory(
        max(need) + FLOAT32 * 2 * max(sizes) * E,
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


BASE_CONFIG = TrainConfig(vector_size=50, epochs=5)  # E=50 and 5 epochs: a run takes seconds
BASE_POWER = 0.75  # word2vec's noise exponent
# name, TrainConfig changes from BASE_CONFIG, noise power: one setting changed at a time
SETTINGS = (
    ("another seed (1)", {"seed": 1}, BASE_POWER),
    ("K = 2", {"negative": 2}, BASE_POWER),
    ("K = 15", {"negative": 15}, BASE_POWER),
    ("noise power 1 (unigram)", {}, 1.0),
    ("noise power 0 (uniform)", {}, 0.0),
)
DEPARTURES = (
    ("another seed (1)", {"seed": 1}, BASE_POWER),
    ("chunks of 256 centres", {"chunk": 256}, BASE_POWER),
    ("own 5 noise words per centre", {"block": 1, "noise_rows": 5}, BASE_POWER),
    ("no row cap", {"row_cap": math.inf}, BASE_POWER),
)
_RUNS: dict[tuple, tuple] = {}  # (changes, power) -> (vectors, vocab, seconds) or the error


@dataclass(frozen=True, kw_only=True)
class SettingRun:
    """One run of the study: its WordSim353 score and its paired difference from the base run.

    ``diverged`` holds the trainer's message instead when the run diverged. Introduced in
    ``06_negative_sampling_real_corpus.ipynb``.
    """

    name: str
    spearman: float
    ci_low: float
    ci_high: float
    difference: float  # this run's Spearman minus the base run's, on the same pairs
    diff_low: float  # paired bootstrap 95% interval of the difference
    diff_high: float
    seconds: float
    diverged: str = ""

    @property
    def told_apart(self) -> bool:
        """Whether the paired interval leaves out 0."""
        return not self.diverged and (self.diff_low > 0 or self.diff_high < 0)

    def row(self) -> str:
        if self.diverged:
            return f"  {self.name:<30} {self.diverged}"
        verdict = "told apart" if self.told_apart else "holds 0"
        return (
            f"  {self.name:<30} {self.spearman:6.3f}  {self.ci_low:.2f} to {self.ci_high:.2f}"
            f"  {self.difference:+7.3f}  {self.diff_low:+.3f} to {self.diff_high:+.3f}  "
            f"{verdict:<10}  {format_timing(self.seconds)}"
        )


@dataclass(frozen=True, kw_only=True)
class SettingStudy:
    """The base run and one run per changed setting, scored on WordSim353 with intervals.

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.
    """

    tokens: int
    pairs_used: int
    pairs_total: int
    base: SettingRun
    runs: tuple[SettingRun, ...]

    def __str__(self) -> str:
        c = BASE_CONFIG
        lines = [
            f"SkipGram on {self.tokens:,} tokens, E={c.vector_size}, window {c.window}, "
            f"K={c.negative}, noise power {BASE_POWER}, {c.epochs} epochs, alpha {c.alpha}",
            f"the fast trainer's own: chunks of {c.chunk:,} centres, blocks of {c.block} sharing "
            f"{c.noise_rows} noise rows, row cap {c.row_cap:g} pairs",
            f"WordSim353 over {self.pairs_used} of {self.pairs_total} pairs; 95% intervals from "
            f"{BOOTSTRAP:,} bootstrap resamples of the pairs",
            f"  {'setting':<30} {'Spearman':>8}  {'95% CI':<12}  {'- base':>7}  "
            f"{'paired 95% CI':<16}  verdict",
            f"  {'base (seed 0)':<30} {self.base.spearman:6.3f}  {self.base.ci_low:.2f} to "
            f"{self.base.ci_high:.2f}  {format_timing(self.base.seconds)}",
        ]
        return "\n".join(lines + [run.row() for run in self.runs])


BOOTSTRAP = 1_000


def _train(changes: dict, power: float) -> tuple:
    """Train the base configuration with ``changes`` and the noise ``power`` (cached)."""
    from .. import trainer
    from ..corpus import load_wiki_sample

    key = (tuple(sorted(changes.items())), power)
    if key not in _RUNS:
        config = dataclasses.replace(BASE_CONFIG, **changes, ns_exponent=power)
        try:
            run = trainer.train_word2vec(load_wiki_sample(), config, progress=False)
            _RUNS[key] = (run.vectors, run.vocab, run.seconds, run.raw_tokens // config.epochs)
        except TrainingDivergedError as err:
            where = re.search(r"epoch (\d+): by chunk (\d+)", str(err))
            _RUNS[key] = f"diverged by chunk {where[2]} of epoch {where[1]}" if where else str(err)
    return _RUNS[key]


def setting_study(settings: Sequence[tuple[str, dict, float]] = SETTINGS) -> SettingStudy:
    """Train :data:`BASE_CONFIG` on the whole Wikipedia sample, then once per setting with one
    thing changed, and score every run on WordSim353: Spearman with a bootstrap 95% interval,
    and its difference from the base run with a paired interval
    (:func:`w2v_helpers.evaluation.spearman_difference`). Runs are cached for the session.
    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        settings: (name, ``TrainConfig`` changes, noise power in [0, 1]) for each run.
            Default: :data:`SETTINGS` (a seed, K, the noise power); :data:`DEPARTURES` changes
            the fast trainer's own settings.
    """
    from ..evaluation import spearman_difference, word_pairs

    for name, changes, power in settings:
        check_number(f"the noise power of {name!r}", power, low=0, high=1)
        dataclasses.replace(BASE_CONFIG, **changes)  # refuses a bad setting before training
    vectors, vocab, seconds, tokens = _train({}, BASE_POWER)
    base = word_pairs(vectors, vocab, bootstrap=BOOTSTRAP)
    rows = []
    for name, changes, power in settings:
        trained = _train(changes, power)
        if isinstance(trained, str):
            nan = math.nan
            rows.append(
                SettingRun(
                    name=name,
                    spearman=nan,
                    ci_low=nan,
                    ci_high=nan,
                    difference=nan,
                    diff_low=nan,
                    diff_high=nan,
                    seconds=nan,
                    diverged=trained,
                )
            )
            continue
        other = word_pairs(trained[0], vocab, bootstrap=BOOTSTRAP)
        diff, low, high = spearman_difference(trained[0], vectors, vocab, bootstrap=BOOTSTRAP)
        rows.append(
            SettingRun(
                name=name,
                spearman=other.spearman,
                ci_low=other.ci_low,
                ci_high=other.ci_high,
                difference=diff,
                diff_low=low,
                diff_high=high,
                seconds=trained[2],
            )
        )
    base_run = SettingRun(
        name="base (seed 0)",
        spearman=base.spearman,
        ci_low=base.ci_low,
        ci_high=base.ci_high,
        difference=0.0,
        diff_low=0.0,
        diff_high=0.0,
        seconds=seconds,
    )
    return SettingStudy(
        tokens=tokens,
        pairs_used=base.pairs_used,
        pairs_total=base.pairs_total,
        base=base_run,
        runs=tuple(rows),
    )


def _exercise_data() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """40 pairs: human scores, two models' cosines (b close to a), 300 resamples of the pairs."""
    g = torch.Generator().manual_seed(6)
    human = torch.rand(40, generator=g, dtype=torch.float64) * 10  # (P,)
    model_a = human / 10 + 0.4 * torch.randn(40, generator=g, dtype=torch.float64)  # (P,)
    model_b = model_a + 0.15 * torch.randn(40, generator=g, dtype=torch.float64)  # (P,)
    draws = torch.randint(40, (300, 40), generator=g)  # (R, P) pair indices, with replacement
    return human, model_a, model_b, draws


def _bootstrap(human: np.ndarray, model: np.ndarray, draws: np.ndarray, pearson: bool = False):
    """Spearman (or, with ``pearson``, Pearson) of each resample: the oracle of the check, with
    scipy's average ranks and NumPy's correlation, all resamples at once."""
    from scipy.stats import rankdata

    a, b = human[draws], model[draws]  # (R, P), (R, P)
    if not pearson:
        a, b = rankdata(a, axis=1), rankdata(b, axis=1)  # (R, P) ranks, ties averaged
    a = a - a.mean(1, keepdims=True)  # (R, P) centred
    b = b - b.mean(1, keepdims=True)  # (R, P) centred
    return (a * b).sum(1) / np.sqrt((a * a).sum(1) * (b * b).sum(1))  # (R,)


def check_paired_interval(
    fn: Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor],
) -> Feedback:
    """Exercise: ``fn(human, model_a, model_b, draws)`` returns the paired bootstrap 95%
    interval of Spearman(a) - Spearman(b): for each resample (a row of ``draws``), both
    Spearmans on the same pairs, their difference; then the 2.5th and 97.5th percentiles. The
    oracle ranks with scipy's ``rankdata`` and takes NumPy's percentiles. Introduced in
    ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        fn: the learner's function.

    Shape:
        - fn gets: human, model_a, model_b :math:`(P)` float64; draws :math:`(R, P)` int64.
        - fn returns: :math:`(2)`, the interval's low and high ends.
    """
    human, model_a, model_b, draws = _exercise_data()
    got = _call(fn, human.clone(), model_a.clone(), model_b.clone(), draws.clone())
    if isinstance(got, Feedback):
        return got
    if got.shape != (2,):
        return _not_yet(
            f"return the two ends (low, high) as a (2,) tensor, got {tuple(got.shape)}."
        )
    low, high = got.detach().double().tolist()
    h, a, b, d = human.numpy(), model_a.numpy(), model_b.numpy(), draws.numpy()
    boot_a, boot_b = _bootstrap(h, a, d), _bootstrap(h, b, d)  # (R,), (R,)
    paired = np.percentile(boot_a - boot_b, [2.5, 97.5])
    if np.allclose([low, high], paired, atol=1e-9):
        return _correct(
            f"the paired 95% interval is {paired[0]:+.3f} to {paired[1]:+.3f}: both models are "
            "scored on the same resampled pairs, so what the pairs share cancels."
        )
    return _not_yet(_paired_mistake(low, high, boot_a, boot_b, (h, a, b, d)))


def _paired_mistake(low: float, high: float, boot_a, boot_b, data) -> str:
    """Name the usual mistake behind a wrong interval (low, high)."""
    h, a, b, d = data
    diff = boot_a - boot_b  # (R,)
    paired = np.percentile(diff, [2.5, 97.5])
    ends = (2.5, 97.5)
    pearson = _bootstrap(h, a, d, True) - _bootstrap(h, b, d, True)  # (R,)
    known = (
        ("that is Spearman(b) - Spearman(a): subtract b from a.", -paired[::-1]),
        (
            "that is a 90% interval: take the 2.5th and 97.5th percentiles, not the 5th and 95th.",
            np.percentile(diff, [5, 95]),
        ),
        (
            "that is the difference of the two separate intervals' ends; take the percentiles "
            "of the differences, resample by resample.",
            np.percentile(boot_a, ends) - np.percentile(boot_b, ends),
        ),
        (
            "that is Pearson's correlation of the raw scores: rank them first (Spearman, e.g. "
            "w2v_helpers.evaluation.spearman).",
            np.percentile(pearson, ends),
        ),
    )
    for message, interval in known:
        if np.allclose([low, high], interval, atol=1e-9):
            return message
    if abs(high - low) < 1e-12:
        return (
            "that is one number twice, not an interval: resample the pairs with each row of draws."
        )
    if high - low > 1.5 * (paired[1] - paired[0]):
        return (
            f"your interval ({low:+.3f} to {high:+.3f}) is far wider than the paired one: score "
            "both models on the same resample (the same row of draws) before subtracting."
        )
    return (
        "wrong values: for each row of draws, Spearman(a) - Spearman(b) on those pairs; then "
        "the 2.5th and 97.5th percentiles."
    )
