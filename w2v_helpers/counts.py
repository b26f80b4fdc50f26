"""Count-based word vectors: co-occurrence counts, PPMI, and a truncated SVD of it.

The three steps of Levy, Goldberg and Dagan's ``hyperwords`` (2015), on the same corpus and
vocabulary as the predictive trainers, so counts and prediction can be compared side by side:

- :func:`cooccurrence`: the symmetric (V, V) word-context counts inside a window, each context
  weighted by its distance (uniform, word2vec's dynamic window, or GloVe's 1/d);
- :func:`ppmi`: positive pointwise mutual information with context-distribution smoothing
  (``cds``) and a shift by log k (SPPMI, Levy and Goldberg 2014);
- :func:`svd_embeddings`: U_d Σ_d^p from the top ``dim`` singular triplets (eigenvalue
  weighting p).

Everything stays sparse (``scipy.sparse`` CSR, float64): a dense V² never exists, and each step
asks the memory guard first. Where this departs from the originals is said in each docstring.
Introduced in ``10_count_and_predict.ipynb``.

Shape glossary: V vocabulary (rows), C contexts (columns; C = V for :func:`cooccurrence`),
L in-vocabulary tokens of the corpus, E embedding dim (``dim``), w window radius (``window``),
Z non-zero cells of a sparse matrix.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import scipy.sparse
import torch
from scipy.sparse.linalg import svds

from .corpus import Vocabulary
from .memory import (
    check_memory,
    estimate_cooccurrence_bytes,
    estimate_ppmi_bytes,
    estimate_svd_bytes,
)
from .validation import check_number, check_positive_int

__all__ = [
    "MAX_WINDOW",
    "WEIGHTINGS",
    "check_count_matrix",
    "cooccurrence",
    "ppmi",
    "svd_embeddings",
]

WEIGHTINGS = ("uniform", "word2vec", "glove")
MAX_WINDOW = 50  # the trainers' largest window (TrainConfig)
SVD_SEED = 0  # ARPACK's start vector is drawn from this seed, so a run repeats exactly


def distance_weight(distance: int, window: int, weighting: str) -> float:
    """The weight a context at ``distance`` d (1 <= d <= w) adds: 1, (w - d + 1) / w or 1 / d.

    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        distance: d, a whole number in [1, window].
        window: w, a whole number in [1, 50].
        weighting: ``"uniform"``, ``"word2vec"`` or ``"glove"``.
    """
    window = check_positive_int("window", window, maximum=MAX_WINDOW)
    distance = check_positive_int("distance", distance, maximum=window)
    if not isinstance(weighting, str) or weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}, got {weighting!r}")
    if weighting == "uniform":
        return 1.0
    if weighting == "word2vec":
        return (window - distance + 1) / window  # the chance word2vec's window reaches d
    return 1.0 / distance  # GloVe's cooccur.c


def _encode_sentences(
    sentences: Sequence[Sequence[str]], vocab: Vocabulary
) -> tuple[np.ndarray, np.ndarray]:
    """Each in-vocabulary token's id and the index of its sentence, out-of-vocabulary dropped."""
    if isinstance(sentences, str) or not isinstance(sentences, Sequence):
        raise TypeError(f"sentences must be a list of token lists, got {type(sentences).__name__}")
    index = vocab.index
    pieces: list[np.ndarray] = []
    for sentence in sentences:
        if isinstance(sentence, str):
            raise TypeError("sentences must be a list of token lists, got a list of strings")
        pieces.append(np.fromiter((index[w] for w in sentence if w in index), dtype=np.int64))
    lengths = np.array([len(p) for p in pieces], dtype=np.int64)  # (S,) kept tokens a sentence
    ids = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)  # (L,)
    if len(ids) == 0:
        raise ValueError(
            "sentences hold no word of vocab: give a non-empty corpus built from the same words"
        )
    owner = np.repeat(np.arange(len(lengths)), lengths)  # (L,) each token's sentence
    return ids, owner


def cooccurrence(
    sentences: Sequence[Sequence[str]],
    vocab: Vocabulary,
    window: int,
    weighting: str = "word2vec",
) -> scipy.sparse.csr_array:
    """The symmetric (V, V) co-occurrence counts of ``sentences`` within ``window``, sparse.

    Tokens outside ``vocab`` are dropped first (so a window spans the in-vocabulary words, as in
    word2vec and GloVe's ``cooccur.c``); there is no subsampling; a window never crosses a
    sentence end. A context word at distance d (1 <= d <= w) on either side adds a weight:
    ``"uniform"`` 1, ``"word2vec"`` (w - d + 1) / w, ``"glove"`` 1 / d. Each pair of positions
    is counted from both ends, so ``counts[a, b] == counts[b, a]`` and a word next to itself adds
    twice to its diagonal cell, as ``cooccur.c`` does with ``symmetric=1``.

    Departures: hyperwords' ``--dyn`` draws a window per token; ``"word2vec"`` uses that draw's
    expected weight instead, so the counts are not random. ``cooccur.c`` defaults to a window of
    15; here the window is the caller's (the trainers use 5).
    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        sentences: a list of token lists (not a list of strings), e.g. from
            :func:`~w2v_helpers.corpus.load_wiki_sample`; at least one token must be in
            ``vocab``.
        vocab: the vocabulary whose ids index the rows and columns.
        window: w, the largest distance counted, a whole number in [1, 50].
        weighting: ``"uniform"``, ``"word2vec"`` or ``"glove"``. Default: ``"word2vec"``.

    Returns:
        A ``scipy.sparse.csr_array`` of shape (V, V), float64, no explicit zeros.
    """
    if not isinstance(vocab, Vocabulary):
        raise TypeError(
            f"vocab must be a Vocabulary (build_vocabulary), got {type(vocab).__name__}"
        )
    window = check_positive_int("window", window, maximum=MAX_WINDOW)
    if not isinstance(weighting, str) or weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}, got {weighting!r}")
    ids, owner = _encode_sentences(sentences, vocab)  # (L,), (L,)
    V, L = len(vocab), len(ids)
    check_memory(
        estimate_cooccurrence_bytes(V, L, window),
        f"co-occurrence counts of {L:,} tokens, V={V:,}, window={window}",
        hint="Lower window or give fewer sentences.",
    )
    one_side = scipy.sparse.csr_array((V, V), dtype=np.float64)  # (V, V) word -> later context
    for d in range(1, window + 1):
        same = owner[:-d] == owner[d:]  # (L - d,) both ends in one sentence
        rows, cols = ids[:-d][same], ids[d:][same]  # (P,), (P,)
        weight = np.full(len(rows), distance_weight(d, window, weighting))  # (P,)
        one_side = one_side + scipy.sparse.coo_array((weight, (rows, cols)), shape=(V, V)).tocsr()
    counts = (one_side + one_side.T).tocsr()  # (V, V): each pair from both ends
    counts.sum_duplicates()
    return counts


def check_count_matrix(name: str, matrix: object) -> scipy.sparse.csr_array:
    """Check a sparse count or PMI matrix; return it as a float64 CSR array without zeros.

    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        name: the parameter's name, used in the error message.
        matrix: a 2-D ``scipy.sparse`` matrix or array of finite, non-negative values with at
            least one non-zero cell.
    """
    if not scipy.sparse.issparse(matrix) or matrix.ndim != 2:
        raise TypeError(
            f"{name} must be a 2-D scipy.sparse matrix (see cooccurrence), got "
            f"{type(matrix).__name__}"
        )
    out = scipy.sparse.csr_array(matrix, dtype=np.float64, copy=True)  # (V, C)
    if not np.isfinite(out.data).all():
        raise ValueError(f"{name} must be finite: it holds NaN or infinite values")
    if (out.data < 0).any():
        raise ValueError(f"{name} must hold counts >= 0, got a negative value {out.data.min():g}")
    out.eliminate_zeros()
    if out.nnz == 0:
        raise ValueError(f"{name} holds no non-zero cell: count a non-empty corpus first")
    return out


def ppmi(
    counts: scipy.sparse.sparray, cds: float = 0.75, shift: float = 1.0
) -> scipy.sparse.csr_array:
    """Positive PMI with context-distribution smoothing, shifted: max(PMI_α(w, c) - log k, 0).

    PMI_α(w, c) = log( #(w,c) · Σ_c' #(c')^α / (#(w) · #(c)^α) ), with #(w) and #(c) the row and
    column sums of ``counts`` and α = ``cds``. ``cds=1.0`` is plain PMI; ``shift=k`` is SPPMI,
    the matrix SGNS with k negatives factorises implicitly (Levy and Goldberg 2014). Only the
    non-zero cells are computed: zeros stay zeros, and cells clipped to 0 are dropped (as
    hyperwords' ``PositiveExplicit`` does). Computed in log space (hyperwords multiplies first,
    then takes the log: the same up to rounding).
    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        counts: the (V, C) co-occurrence counts, a ``scipy.sparse`` matrix of finite values >= 0
            with at least one non-zero (see :func:`cooccurrence`).
        cds: α, the power on the context counts, a number in (0, 1]. Default: 0.75.
        shift: k, subtracted as log k, a number >= 1 (1: no shift). Default: 1.0.

    Returns:
        A ``scipy.sparse.csr_array`` of shape (V, C), float64, every stored value > 0.
    """
    cds = check_number("cds", cds, low=0, high=1, low_open=True)
    shift = check_number("shift", shift, low=1, high=math.inf, high_open=True)
    matrix = check_count_matrix("counts", counts)  # (V, C) float64, a copy
    check_memory(
        estimate_ppmi_bytes(matrix.shape[0], matrix.nnz),
        f"PPMI of {matrix.nnz:,} non-zero counts",
        hint="Count with a smaller window or vocabulary.",
    )
    word_totals = matrix.sum(axis=1)  # (V,) #(w)
    context_smoothed = matrix.sum(axis=0) ** cds  # (C,) #(c)^α
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))  # (Z,)
    cols = matrix.indices  # (Z,)
    matrix.data = (
        np.log(matrix.data)
        + math.log(context_smoothed.sum())
        - np.log(word_totals[rows])
        - np.log(context_smoothed[cols])
        - math.log(shift)
    )  # (Z,) PMI_α - log k
    matrix.data[matrix.data < 0] = 0.0
    matrix.eliminate_zeros()
    return matrix


def svd_embeddings(matrix: scipy.sparse.sparray, dim: int, eig_power: float = 0.5) -> torch.Tensor:
    """Word vectors U_d Σ_d^p from the top ``dim`` singular triplets of a sparse matrix.

    ARPACK (``scipy.sparse.linalg.svds``'s default solver) from a seeded start vector, so a run
    repeats; its triplets are exact to the top ``dim`` (to machine precision). PROPACK
    (``solver="propack"``) found the same singular values to 1e-15 on the sample's PPMI in
    about half the time, but held 100 to 200 MiB of Lanczos vectors for ``dim=100`` where ARPACK
    holds about 15 MiB, too much beside a notebook in 2 GB. Each
    column's sign is fixed so that its largest entry in absolute value is positive (a singular
    vector's sign is arbitrary). ``eig_power`` p is hyperwords' ``eig``: 0 keeps U alone, 1 is
    the plain truncated SVD U Σ, 0.5 (its recommendation) sits between. Departures: hyperwords
    uses SVDLIBC (``sparsesvd``) for the same triplets, and can add the context vectors V Σ^p;
    here only the word side is returned.
    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        matrix: a (V, C) ``scipy.sparse`` matrix of finite values >= 0 with at least one
            non-zero, e.g. from :func:`ppmi`.
        dim: E, the singular triplets kept, a whole number in [1, min(V, C) - 1].
        eig_power: p, the power on the singular values, a number in [0, 1]. Default: 0.5.

    Shape:
        - Output: :math:`(V, E)` float64, rows in the order of ``matrix``'s rows.
    """
    values = check_count_matrix("matrix", matrix)  # (V, C)
    V, C = values.shape
    if min(V, C) < 2:
        raise ValueError(f"matrix must be at least 2 x 2 to take an SVD, got shape {(V, C)}")
    dim = check_positive_int("dim", dim, maximum=min(V, C) - 1)
    eig_power = check_number("eig_power", eig_power, low=0, high=1)
    check_memory(
        estimate_svd_bytes(V, C, dim, values.nnz),
        f"an SVD of a {V:,} x {C:,} matrix with dim={dim}",
        hint="Lower dim.",
    )
    start = np.random.default_rng(SVD_SEED).uniform(-1.0, 1.0, min(V, C))  # (min(V, C),)
    u, s, _ = svds(values, k=dim, v0=start)  # (V, E), (E,) ascending
    order = np.argsort(-s, kind="stable")  # largest first
    u, s = u[:, order], s[order]  # (V, E), (E,)
    largest = u[np.abs(u).argmax(axis=0), np.arange(dim)]  # (E,) each column's largest entry
    u = u * np.where(largest < 0, -1.0, 1.0)  # (V, E) signs fixed
    return torch.from_numpy(np.ascontiguousarray(u * s**eig_power))  # (V, E)
