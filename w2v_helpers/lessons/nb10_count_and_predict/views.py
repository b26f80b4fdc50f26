"""Notebook 10's reports, figures and panel for the counts: the count matrix, a word's contexts
by count and by PPMI, the PPMI + SVD settings study, GloVe's weighting and loss curve.

Shape glossary: V vocabulary, C contexts (C = V), E embedding dim, Z non-zero cells, Q analogy
questions.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse
import torch
from matplotlib.figure import Figure

from ...analogies import AnalogiesResult, analogies
from ...corpus import Vocabulary, build_vocabulary, load_wiki_sample
from ...counts import check_count_matrix, cooccurrence, ppmi, svd_embeddings
from ...evaluation import WordPairsResult, spearman_difference, word_pairs
from ...glove import GloveResult
from ...memory import (
    estimate_cooccurrence_bytes,
    estimate_glove_bytes,
    estimate_ppmi_bytes,
    estimate_svd_bytes,
    format_bytes,
)
from ...validation import check_number, check_positive_int, check_vectors
from ..panel import Panel, make_panel
from .paired import analogy_difference, analogy_interval

__all__ = [
    "BOOTSTRAP",
    "DIM",
    "GLOVE",
    "SVD_VARIANTS",
    "WINDOW",
    "GloveSettings",
    "Scores",
    "SvdStudy",
    "contexts_panel",
    "count_report",
    "glove_bytes",
    "plot_glove_losses",
    "ppmi_svd_bytes",
    "score_vectors",
    "svd_study",
    "top_contexts",
    "weighting_report",
]

WINDOW = 5  # the trainers' window, so counts and SGNS see the same contexts
DIM = 100  # E of the SVD vectors and of SGNS, as in 07 and 09
BOOTSTRAP = 1_000  # resamples behind each interval
SVD_VARIANTS = ((0.75, 0.5), (1.0, 0.5), (0.75, 0.0), (0.75, 1.0))  # (cds, eig_power); first: ours
MAX_TOPN = 30


@dataclass(frozen=True, kw_only=True)
class GloveSettings:
    """The notebook's GloVe run: the counts it is fitted to, and its training settings.

    Introduced in ``10_count_and_predict.ipynb``.
    """

    window: int = 10  # glove.c's demo counts 15 words each side; 10 here
    weighting: str = "glove"  # 1/d, as glove.c counts
    dim: int = 50
    epochs: int = 10
    learning_rate: float = 0.5
    x_max: float = 10.0
    batch_size: int = 4_096


GLOVE = GloveSettings()


def _check_vocab(vocab: object) -> Vocabulary:
    if not isinstance(vocab, Vocabulary):
        raise TypeError(
            f"vocab must be a Vocabulary (build_vocabulary), got {type(vocab).__name__}"
        )
    return vocab


def _check_square(name: str, counts: object, vocab: Vocabulary) -> scipy.sparse.csr_array:
    matrix = check_count_matrix(name, counts)  # (V, C)
    if matrix.shape != (len(vocab), len(vocab)):
        raise ValueError(
            f"{name} must be (V, V) = {(len(vocab), len(vocab))} for this vocab, got {matrix.shape}"
        )
    return matrix


def count_report(counts: scipy.sparse.sparray, vocab: Vocabulary) -> str:
    """How many of the V² cells the counts fill, and their bytes stored sparse against dense.

    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        counts: the (V, V) counts of :func:`~w2v_helpers.counts.cooccurrence`, CSR.
        vocab: their vocabulary.
    """
    vocab = _check_vocab(vocab)
    matrix = _check_square("counts", counts, vocab)  # (V, V)
    V, Z = len(vocab), matrix.nnz
    stored = matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes
    return "\n".join(
        [
            f"V = {V:,} words: V² = {V * V:,} cells, of which {Z:,} are non-zero "
            f"({Z / (V * V):.2%})",
            f"stored sparse (CSR: float64 values, {matrix.indices.dtype} column ids, row "
            f"pointers): {format_bytes(stored)}; dense float64 it would be "
            f"{format_bytes(8 * V * V)}",
            "the largest cell: " + _largest_cell(matrix, vocab),
        ]
    )


def _largest_cell(matrix: scipy.sparse.csr_array, vocab: Vocabulary) -> str:
    coo = matrix.tocoo()
    k = int(np.argmax(coo.data))
    return f"({vocab.words[coo.row[k]]}, {vocab.words[coo.col[k]]}) {coo.data[k]:,.1f}"


def top_contexts(
    counts: scipy.sparse.sparray,
    vocab: Vocabulary,
    word: str,
    cds: float = 0.75,
    shift: float = 1.0,
    topn: int = 8,
) -> str:
    """A word's contexts ranked by count and by PPMI: what PMI takes away from frequent words.

    The pure function behind :func:`contexts_panel`. Introduced in
    ``10_count_and_predict.ipynb``.

    Args:
        counts: the (V, V) co-occurrence counts.
        vocab: their vocabulary.
        word: a word of ``vocab``.
        cds: the context-distribution smoothing of :func:`~w2v_helpers.counts.ppmi`, in (0, 1].
        shift: k of the shift log k, a number in [1, 1000].
        topn: contexts listed, a whole number in [1, 30].
    """
    vocab = _check_vocab(vocab)
    matrix = _check_square("counts", counts, vocab)  # (V, V)
    if word not in vocab.index:
        raise ValueError(
            f"word {word!r} is not in the vocabulary (words seen at least {vocab.min_count} times)"
        )
    shift = check_number("shift", shift, low=1, high=1_000)
    topn = check_positive_int("topn", topn, maximum=MAX_TOPN)
    row = vocab.index[word]
    weights = ppmi(matrix, cds=cds, shift=shift)[[row], :].toarray().ravel()  # (C,)
    seen = matrix[[row], :].toarray().ravel()  # (C,)
    by_count = np.argsort(-seen, kind="stable")[:topn]
    by_ppmi = [c for c in np.argsort(-weights, kind="stable")[:topn] if weights[c] > 0]
    lines = [
        f"{word!r}: {int((seen > 0).sum()):,} contexts seen, {int((weights > 0).sum()):,} with "
        f"PPMI > 0 (cds {cds:g}, shift {shift:g})",
        f"  {'by count':<30}{'by PPMI':<30}",
    ]
    for rank in range(topn):
        left = _context(vocab, by_count, rank, seen, "count", "{:,.1f}")
        right = _context(vocab, by_ppmi, rank, weights, "PPMI", "{:.2f}")
        lines.append(f"  {left:<30}{right}")
    return "\n".join(lines)


def _context(
    vocab: Vocabulary, order: Sequence[int], rank: int, values: np.ndarray, what: str, fmt: str
) -> str:
    if rank >= len(order) or values[order[rank]] <= 0:
        return "-"
    c = order[rank]
    return f"{vocab.words[c]:<14} {what} {fmt.format(values[c])}"


@functools.lru_cache(maxsize=1)
def _notebook_counts() -> tuple[scipy.sparse.csr_array, Vocabulary]:
    """The notebook's counts (a second: cached per kernel)."""
    sentences = load_wiki_sample()
    vocab = build_vocabulary(sentences, min_count=5)
    return cooccurrence(sentences, vocab, WINDOW, "word2vec"), vocab


def contexts_panel(
    counts: scipy.sparse.sparray | None = None, vocab: Vocabulary | None = None
) -> Panel:
    """Type a word, move cds and the shift: its contexts by count and by PPMI side by side.

    Behind it: :func:`w2v_helpers.lessons.nb10_count_and_predict.top_contexts`. Without
    arguments it counts the notebook's sample itself.
    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        counts: the (V, V) co-occurrence counts. Default: the notebook's.
        vocab: their vocabulary (needed with ``counts``).
    """
    if counts is not None:
        _check_square("counts", counts, _check_vocab(vocab))

    def render(word: str, cds: float, shift: float) -> str:
        matrix, words = (counts, vocab) if counts is not None else _notebook_counts()
        word = word.strip().lower()
        if word not in words.index:
            return (
                f"{word!r} is not in the vocabulary ({len(words):,} words seen at least "
                f"{words.min_count} times); try another, e.g. 'king' or 'river'."
            )
        return top_contexts(matrix, words, word, cds, shift)

    controls = {
        "word": widgets.Text(description="word", value="king", continuous_update=False),
        "cds": widgets.FloatSlider(description="cds", value=0.75, min=0.05, max=1.0, step=0.05),
        "shift": widgets.FloatLogSlider(description="shift k", value=1.0, base=10, min=0, max=2),
    }
    return make_panel("A word's contexts: count against PPMI", controls, render)


@dataclass(frozen=True, kw_only=True)
class Scores:
    """One set of vectors on WordSim353, SimLex999 and the analogies (3CosAdd).

    Introduced in ``10_count_and_predict.ipynb``.
    """

    name: str
    wordsim: WordPairsResult
    simlex: WordPairsResult
    analogies: AnalogiesResult
    analogy_low: float  # 95% bootstrap interval of the accuracy, over the covered questions
    analogy_high: float

    def __str__(self) -> str:
        a = self.analogies
        return (
            f"{self.name:<22} WordSim353 {_rho(self.wordsim)}  SimLex999 {_rho(self.simlex)}  "
            f"analogies {a.correct:>4} of {a.questions_used:,} ({a.accuracy:.1%}, "
            f"{self.analogy_low:.1%} to {self.analogy_high:.1%})"
        )


def _rho(result: WordPairsResult) -> str:
    return f"{result.spearman:.3f} ({result.ci_low:+.2f} to {result.ci_high:+.2f})"


def score_vectors(name: str, vectors: torch.Tensor, vocab: Vocabulary) -> Scores:
    """Score vectors on both word-pair datasets and the analogies, each with a 95% interval.

    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        name: what to call them in reports.
        vectors: word vectors, rows in ``vocab``'s order.
        vocab: their vocabulary.

    Shape:
        - vectors: :math:`(V, E)`.
    """
    vocab = _check_vocab(vocab)
    check_vectors("vectors", vectors, len(vocab))
    found = analogies(vectors, vocab)
    low, high = analogy_interval(vectors, vocab, bootstrap=BOOTSTRAP)
    return Scores(
        name=str(name),
        wordsim=word_pairs(vectors, vocab, "wordsim353", bootstrap=BOOTSTRAP),
        simlex=word_pairs(vectors, vocab, "simlex999", bootstrap=BOOTSTRAP),
        analogies=found,
        analogy_low=low,
        analogy_high=high,
    )


@dataclass(frozen=True, kw_only=True)
class SvdStudy:
    """PPMI + SVD under each (cds, eig_power) of ``SVD_VARIANTS``, scored, and each compared
    with the first by paired bootstrap intervals.

    Introduced in ``10_count_and_predict.ipynb``.

    Shape:
        - vectors: :math:`(V, E)`, the first variant's.
    """

    scores: tuple[Scores, ...]
    differences: tuple[tuple[str, tuple[float, float, float], ...], ...]  # per variant after 1st
    vectors: torch.Tensor  # (V, E) the first variant's vectors

    def __str__(self) -> str:
        lines = [f"(95% intervals: {BOOTSTRAP:,} bootstrap resamples of the pairs or questions)"]
        lines += [str(s) for s in self.scores]
        lines.append(f"each against {self.scores[0].name}, paired (same resamples for both):")
        for name, *diffs in self.differences:
            parts = [
                f"{what} {d * scale:+.{digits}f} ({lo * scale:+.{digits}f} to "
                f"{hi * scale:+.{digits}f})"
                for (what, scale, digits), (d, lo, hi) in zip(_DIFF_COLUMNS, diffs, strict=True)
            ]
            lines.append(f"  {name:<20} " + ", ".join(parts))
        return "\n".join(lines)


_DIFF_COLUMNS = (("WordSim353", 1, 3), ("SimLex999", 1, 3), ("analogies, points", 100, 1))


def _variant_name(cds: float, eig_power: float) -> str:
    return f"cds {cds:g}, eig {eig_power:g}"


def svd_study(counts: scipy.sparse.sparray, vocab: Vocabulary, dim: int = DIM) -> SvdStudy:
    """PPMI + SVD vectors for each (cds, eig_power) in ``SVD_VARIANTS``, scored and compared.

    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        counts: the (V, V) co-occurrence counts.
        vocab: their vocabulary.
        dim: E, the singular triplets kept, in [1, V - 1]. Default: 100.
    """
    vocab = _check_vocab(vocab)
    matrix = _check_square("counts", counts, vocab)  # (V, V)
    by_cds = {cds: ppmi(matrix, cds=cds) for cds in sorted({c for c, _ in SVD_VARIANTS})}
    runs = [
        (_variant_name(cds, p), svd_embeddings(by_cds[cds], dim, p)) for cds, p in SVD_VARIANTS
    ]  # each (V, E)
    first = runs[0][1]
    differences = tuple(
        (
            name,
            *(spearman_difference(v, first, vocab, d, bootstrap=BOOTSTRAP) for d in _DATASETS),
            analogy_difference(v, first, vocab, bootstrap=BOOTSTRAP),
        )
        for name, v in runs[1:]
    )
    return SvdStudy(
        scores=tuple(score_vectors(name, v, vocab) for name, v in runs),
        differences=differences,
        vectors=first,
    )


_DATASETS = ("wordsim353", "simlex999")


def ppmi_svd_bytes(
    vocab: Vocabulary, tokens: int, counts_nonzeros: int, ppmi_nonzeros: int, dim: int = DIM
) -> int:
    """The memory guard's largest estimate over PPMI + SVD's three steps (count, PPMI, SVD).

    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        vocab: the vocabulary.
        tokens: L, the in-vocabulary tokens counted, at least 1.
        counts_nonzeros: the counts' non-zero cells, at least 1.
        ppmi_nonzeros: the PPMI matrix's non-zero cells, at least 1.
        dim: E. Default: 100.
    """
    V = len(_check_vocab(vocab))
    return max(
        estimate_cooccurrence_bytes(V, tokens, WINDOW),
        estimate_ppmi_bytes(V, counts_nonzeros),
        estimate_svd_bytes(V, V, dim, ppmi_nonzeros),
    )


def glove_bytes(vocab: Vocabulary, tokens: int, cells: int, settings: GloveSettings = GLOVE) -> int:
    """The memory guard's larger estimate of GloVe's two steps (count, train).

    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        vocab: the vocabulary.
        tokens: L, the in-vocabulary tokens counted, at least 1.
        cells: P, the non-zero cells trained on, at least 1.
        settings: the run's settings. Default: the notebook's.
    """
    V = len(_check_vocab(vocab))
    return max(
        estimate_cooccurrence_bytes(V, tokens, settings.window),
        estimate_glove_bytes(V, cells, settings.dim, settings.batch_size),
    )


def weighting_report(
    counts: scipy.sparse.sparray, x_maxes: Sequence[float] = (100.0, 10.0), alpha: float = 0.75
) -> str:
    """How GloVe's weighting f(x) = min(1, (x / x_max)^α) spreads over these counts.

    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        counts: the (V, V) co-occurrence counts (the non-zero cells are GloVe's).
        x_maxes: the x_max values to compare, each > 0.
        alpha: α, in [0, 1]. Default: 0.75.
    """
    x = check_count_matrix("counts", counts).data  # (Z,)
    alpha = check_number("alpha", alpha, low=0, high=1)
    lines = [f"{len(x):,} non-zero cells; median count {np.median(x):.2f}"]
    for x_max in x_maxes:
        x_max = check_number("x_max", x_max, low=0, high=math.inf, low_open=True, high_open=True)
        f = np.minimum(1.0, (x / x_max) ** alpha)  # (Z,)
        lines.append(
            f"  x_max {x_max:>5g}: {np.mean(f >= 1):6.2%} of cells weigh 1; mean weight "
            f"{f.mean():.3f}; the cells under {x_max:g} carry {f[x < x_max].sum() / f.sum():.1%} "
            "of the total weight"
        )
    return "\n".join(lines)


def plot_glove_losses(result: GloveResult, *, title: str = "GloVe: loss per cell") -> Figure:
    """The mean weighted squared error per cell after each epoch of a GloVe run.

    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        result: what :func:`~w2v_helpers.glove.train_glove` returned.
        title: the figure's title.
    """
    if not isinstance(result, GloveResult):
        raise TypeError(f"result must be a GloveResult (train_glove), got {type(result).__name__}")
    fig, ax = plt.subplots(figsize=(6, 3.2))
    epochs = range(1, len(result.losses) + 1)
    ax.plot(epochs, result.losses, marker="o", ms=3)
    ax.set(xlabel="epoch", ylabel="mean f(x)·(error)² per cell", title=title, yscale="log")
    fig.tight_layout()
    plt.close(fig)
    return fig
