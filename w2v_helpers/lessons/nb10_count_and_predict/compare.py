"""Notebook 10's comparisons: counts, GloVe and SGNS in one table, and Levy and Goldberg's
result checked on a trained SGNS model (its scores against the shifted PMI it should fit).

Shape glossary: V vocabulary, C contexts (C = V), E embedding dim, Z non-zero cells, F the
frequent cells compared, K negatives.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse
import torch
from matplotlib.figure import Figure

from ...corpus import Vocabulary, keep_probabilities, noise_distribution
from ...evaluation import spearman_difference
from ...lessons.formatting import format_timing
from ...memory import check_memory, format_bytes
from ...trainer import Word2VecResult
from ...validation import check_int, check_number, check_vectors
from .paired import analogy_difference
from .views import BOOTSTRAP, Scores, _check_square, _check_vocab, score_vectors

__all__ = ["MethodRun", "PmiFit", "compare_methods", "plot_pmi_fit", "sgns_pmi_fit"]


@dataclass(frozen=True, kw_only=True)
class MethodRun:
    """One method's vectors, the wall time it took from the sentences, and the memory guard's
    estimate of its peak.

    Introduced in ``10_count_and_predict.ipynb``.

    Shape:
        - vectors: :math:`(V, E)`.
    """

    name: str
    vectors: torch.Tensor  # (V, E)
    seconds: float
    peak_bytes: int


def compare_methods(runs: Sequence[MethodRun], vocab: Vocabulary, baseline: str = "SGNS") -> str:
    """One table for every run: memory, WordSim353, SimLex999 and analogies with intervals; each
    run against ``baseline`` with paired intervals; then the wall times.

    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        runs: the runs to compare, each a :class:`MethodRun` with vectors in ``vocab``'s order.
        vocab: the vocabulary of every run.
        baseline: the name of the run the others are compared with. Default: ``"SGNS"``.
    """
    vocab = _check_vocab(vocab)
    if not runs or not all(isinstance(r, MethodRun) for r in runs):
        raise TypeError("runs must be a list of MethodRun")
    by_name = {r.name: r for r in runs}
    if baseline not in by_name:
        raise ValueError(f"baseline must name one of the runs {tuple(by_name)}, got {baseline!r}")
    for run in runs:
        check_vectors(f"runs[{run.name!r}].vectors", run.vectors, len(vocab))
        check_number(f"runs[{run.name!r}].seconds", run.seconds, low=0, high_open=True)
    scores = [score_vectors(r.name, r.vectors, vocab) for r in runs]
    lines = [f"(95% intervals: {BOOTSTRAP:,} bootstrap resamples of the pairs or questions)"]
    for run, score in zip(runs, scores, strict=True):
        lines.append(f"{score}  memory {format_bytes(run.peak_bytes)}")
    lines += _coverage(scores[0])
    lines.append(f"against {baseline}, paired (the same resamples for both):")
    base = by_name[baseline].vectors
    for run in runs:
        if run.name != baseline:
            lines.append(f"  {run.name:<20} " + _paired(run.vectors, base, vocab))
    lines.append("time from the sentences to the vectors:")
    lines += [f"  {run.name:<20} {format_timing(run.seconds)}" for run in runs]
    return "\n".join(lines)


def _coverage(score: Scores) -> list[str]:
    a = score.analogies
    return [
        f"coverage: WordSim353 {score.wordsim.pairs_used} of {score.wordsim.pairs_total} pairs, "
        f"SimLex999 {score.simlex.pairs_used} of {score.simlex.pairs_total}, analogies "
        f"{a.questions_used:,} of {a.questions_total:,} questions (the same for every run)"
    ]


def _paired(vectors: torch.Tensor, base: torch.Tensor, vocab: Vocabulary) -> str:
    parts = []
    for dataset, name in (("wordsim353", "WordSim353"), ("simlex999", "SimLex999")):
        d, lo, hi = spearman_difference(vectors, base, vocab, dataset, bootstrap=BOOTSTRAP)
        parts.append(f"{name} {d:+.3f} ({lo:+.3f} to {hi:+.3f})")
    d, lo, hi = analogy_difference(vectors, base, vocab, bootstrap=BOOTSTRAP)
    parts.append(f"analogies {100 * d:+.1f} points ({100 * lo:+.1f} to {100 * hi:+.1f})")
    return ", ".join(parts)


MIN_BAND = 3
MAX_TOP = 2_000  # the most frequent words whose pairs are scored densely
# _unseen: the dense (top, top) counts, scores and three masks
TOP_BYTES_PER_PAIR = 8 + 8 + 3
FIT_CHUNK = 16_384  # cells scored at once
# The cells' float64 arrays held at once: count, kept count, score, three targets, the full
# target, row and column ids (int32 or int64), masks and temporaries.
FIT_BYTES_PER_CELL = 14 * 8
BANDS = ((0.0, 1.0), (1.0, 10.0), (10.0, 100.0), (100.0, 1_000.0), (1_000.0, math.inf))


@dataclass(frozen=True, kw_only=True)
class PmiFit:
    """A trained SGNS model's scores w·c against the shifted PMI Levy and Goldberg derive, on the
    cells seen at least ``least`` times; what each correction of the target adds; the fit by
    count band; the scores of pairs never seen.

    Introduced in ``10_count_and_predict.ipynb``.
    """

    least: float
    negative: int
    scores: np.ndarray  # (F,) w·c of the frequent cells
    target: np.ndarray  # (F,) log(#(w,c) / (#(w) P_n(c))) - log K, after subsampling
    targets: tuple[tuple[str, float, float], ...]  # name, Pearson r, mean (score - target)
    bands: tuple[tuple[float, float, int, float, float], ...]  # low, high, cells, r, mean gap
    unseen: tuple[int, float, float, float]  # top words, share never seen, mean score, seen's
    commonest: tuple[str, float, float, float]  # word, share of counts, of noise, kept

    def __str__(self) -> str:
        word, counted, drawn, kept = self.commonest
        lines = [
            f"the commonest context, {word!r}: {counted:.2%} of the counted pairs, {drawn:.2%} of "
            f"the noise draws, each occurrence kept with probability {kept:.3f}",
            f"{len(self.scores):,} (w, c) cells seen at least {self.least:g} times (weighted "
            f"count); K = {self.negative}",
            f"  {'target':<58}{'Pearson r':>10}{'mean of w·c - target':>22}",
        ]
        lines += [f"  {name:<58}{r:>10.3f}{gap:>+22.3f}" for name, r, gap in self.targets]
        lines.append("the full target, by the cell's weighted count:")
        for low, high, cells, r, gap in self.bands:
            span = f"{low:g} to {high:g}" if math.isfinite(high) else f"{low:g} or more"
            lines.append(f"  count {span:<13} {cells:>9,} cells  r {r:.3f}  mean gap {gap:+.3f}")
        top, share, unseen, seen = self.unseen
        lines.append(
            f"pairs of the {top} most frequent words never seen together: {share:.1%}; "
            f"their mean w·c {unseen:+.3f} (PMI there is -inf), the seen pairs' {seen:+.3f}"
        )
        return "\n".join(lines)


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def sgns_pmi_fit(
    result: Word2VecResult, counts: scipy.sparse.sparray, least: float = 20.0, top: int = 300
) -> PmiFit:
    """Check Levy and Goldberg (2014) on a trained SGNS run: at its optimum each score w·c equals
    log(#(w,c) / (#(w) · P_n(c))) − log K, with #(w,c) and #(w) the pairs training sees (after
    subsampling: each count times both words' keep probabilities) and P_n the noise
    distribution. Also scored: the target without subsampling, and plain PMI (the counts'
    own context distribution).

    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        result: an SGNS run of :func:`~w2v_helpers.trainer.train_word2vec` (``negative`` > 0).
        counts: the (V, V) counts of its corpus and vocabulary with its window, ``"word2vec"``
            weighting.
        least: the smallest weighted count of a cell compared, a number in [1, 1,000].
        top: the most frequent words whose never-seen pairs are scored, a whole number in
            [2, min(V, 2,000)].
    """
    if not isinstance(result, Word2VecResult) or result.output is None:
        raise TypeError("result must be a Word2VecResult trained with negative sampling")
    vocab = result.vocab
    matrix = _check_square("counts", counts, vocab).tocoo()  # (V, V)
    least = check_number("least", least, low=1, high=1_000)
    top = check_int("top", top, low=2, high=min(len(vocab), MAX_TOP))
    config = result.config
    w_in, w_out = result.vectors.double().numpy(), result.output.double().numpy()  # (V, E) each
    rows, cols, x = matrix.row, matrix.col, matrix.data  # (Z,) each
    keep = keep_probabilities(vocab.counts, config.sample).numpy()  # (V,)
    noise = noise_distribution(vocab.counts, config.ns_exponent).numpy()  # (V,)
    seen_x = x * keep[rows] * keep[cols]  # (Z,) expected pairs after subsampling
    frequent = x >= least
    check_memory(
        FIT_BYTES_PER_CELL * len(x)
        + 2 * w_in.nbytes
        + FIT_CHUNK * w_in.shape[1] * 16
        + TOP_BYTES_PER_PAIR * top * top,
        f"scoring {len(x):,} cells against their shifted PMI",
        hint="Count with a smaller window or vocabulary.",
    )
    scores = _cell_scores(w_in, w_out, rows, cols)  # (Z,)
    log_k = math.log(config.negative)
    targets = _targets(x, seen_x, rows, cols, noise)  # each (Z,), before - log K
    full = targets["and the pairs subsampling keeps (full target)"] - log_k  # (Z,)
    commonest = (vocab.words[0], float(_share(x, cols)[0]), float(noise[0]), float(keep[0]))
    table = tuple(
        (
            name,
            _pearson(scores[frequent], t[frequent] - log_k),
            float(np.mean(scores[frequent] - t[frequent] + log_k)),
        )
        for name, t in targets.items()
    )
    bands = []
    for low, high in BANDS:
        band = (x >= low) & (x < high)
        if band.sum() < MIN_BAND:
            continue  # too few cells for a correlation
        bands.append(
            (
                low,
                high,
                int(band.sum()),
                _pearson(scores[band], full[band]),
                float(np.mean(scores[band] - full[band])),
            )
        )
    return PmiFit(
        least=least,
        negative=config.negative,
        scores=scores[frequent],
        target=full[frequent],
        targets=table,
        bands=tuple(bands),
        unseen=_unseen(w_in, w_out, matrix, top),
        commonest=commonest,
    )


def _targets(
    x: np.ndarray, seen_x: np.ndarray, rows: np.ndarray, cols: np.ndarray, noise: np.ndarray
) -> dict[str, np.ndarray]:
    """The three targets, each log(#(w,c) / (#(w) · P(c))) per cell, before the - log K."""
    return {
        "plain PMI - log K (the counts' own context distribution)": _log_ratio(
            x, rows, cols, _share(x, cols)
        ),
        "contexts by the noise distribution P_n(c)": _log_ratio(x, rows, cols, noise),
        "and the pairs subsampling keeps (full target)": _log_ratio(seen_x, rows, cols, noise),
    }  # each (Z,)


def _cell_scores(
    w_in: np.ndarray, w_out: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """w·c for every cell, a chunk of cells at a time (all at once would gather Z × E floats)."""
    scores = np.empty(len(rows))  # (Z,)
    for first in range(0, len(rows), FIT_CHUNK):
        part = slice(first, first + FIT_CHUNK)
        scores[part] = np.einsum("ze,ze->z", w_in[rows[part]], w_out[cols[part]])  # (chunk,)
    return scores


def _share(x: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Each context's share of all counted pairs: the counts' own context distribution."""
    totals = np.bincount(cols, weights=x)  # (C,)
    return totals / totals.sum()


def _log_ratio(
    x: np.ndarray, rows: np.ndarray, cols: np.ndarray, contexts: np.ndarray
) -> np.ndarray:
    """log(#(w,c) / (#(w) · P(c))) per cell, #(w) the row sums of x."""
    words = np.bincount(rows, weights=x)  # (V,)
    return np.log(x) - np.log(words[rows]) - np.log(contexts[cols])  # (Z,)


def _unseen(
    w_in: np.ndarray, w_out: np.ndarray, matrix: scipy.sparse.coo_array, top: int
) -> tuple[int, float, float, float]:
    """Among the ``top`` most frequent words (ids 0..top-1): the share of (w, c) pairs, w != c,
    never counted, and the mean score of those and of the counted ones."""
    block = matrix.tocsr()[:top, :top].toarray()  # (top, top)
    scores = w_in[:top] @ w_out[:top].T  # (top, E) @ (E, top) -> (top, top)
    off_diagonal = ~np.eye(top, dtype=bool)
    never = (block == 0) & off_diagonal
    seen = (block > 0) & off_diagonal
    share = float(never.sum() / off_diagonal.sum())
    return top, share, float(scores[never].mean()), float(scores[seen].mean())


def plot_pmi_fit(fit: PmiFit) -> Figure:
    """Each frequent cell's score w·c against its target, with the line where they are equal.

    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        fit: what :func:`sgns_pmi_fit` returned.
    """
    if not isinstance(fit, PmiFit):
        raise TypeError(f"fit must be a PmiFit (sgns_pmi_fit), got {type(fit).__name__}")
    fig, ax = plt.subplots(figsize=(5.2, 4.4))
    ax.scatter(fit.target, fit.scores, s=2, alpha=0.25, linewidths=0)
    low = float(min(fit.target.min(), fit.scores.min()))
    high = float(max(fit.target.max(), fit.scores.max()))
    ax.plot([low, high], [low, high], color="black", lw=1, label="w·c = target")
    ax.set(
        xlabel=f"log(#(w,c) / (#(w) P_n(c))) − log {fit.negative}",
        ylabel="w·c of the trained model",
        title=f"SGNS against shifted PMI ({len(fit.scores):,} cells)",
    )
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    plt.close(fig)
    return fig
