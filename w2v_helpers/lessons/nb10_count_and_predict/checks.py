"""The exercise checks of ``10_count_and_predict.ipynb``: PPMI from counts, and GloVe's loss.

Each check runs the learner's function on a small hand-made case, compares it with a float64
NumPy oracle, and, when it differs, with the usual mistakes, to name the one it matches.

Shape glossary: V words (rows), C contexts (columns), E embedding dim, P cells.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from ..feedback import Feedback, _call, _correct, _not_yet

__all__ = ["check_glove_loss", "check_ppmi"]

# A (5, 6) count table: rectangular, so rows and columns cannot be confused silently; zeros,
# so a never-seen cell must stay 0; strong diagonal associations, so that with a small shift
# every mistake below leaves non-zero cells, each at other values than the right answer's.
_COUNTS = np.array(
    [
        [35.0, 4.0, 0.0, 1.0, 0.0, 5.0],
        [0.0, 46.0, 5.0, 2.0, 2.0, 5.0],
        [5.0, 4.0, 0.0, 1.0, 5.0, 1.0],
        [3.0, 4.0, 1.0, 60.0, 4.0, 0.0],
        [4.0, 5.0, 4.0, 3.0, 28.0, 5.0],
    ]
)  # (V, C)
_CDS, _SHIFT = 0.75, 1.2


def _pmi(
    counts: np.ndarray, word_power: float, context_power: float, *, smoothed_total: bool = True
) -> np.ndarray:
    """log(#(w,c) · total / (#(w)^a · #(c)^b)) on the non-zero cells, -inf elsewhere."""
    words = counts.sum(1, keepdims=True) ** word_power  # (V, 1)
    contexts = counts.sum(0, keepdims=True) ** context_power  # (1, C)
    total = contexts.sum() if smoothed_total else counts.sum()
    with np.errstate(divide="ignore"):
        return np.log(counts * total / (words * contexts))  # (V, C)


def _ppmi_mistakes() -> dict[str, np.ndarray]:
    """The right PPMI first, then the usual mistakes with what to say about each."""
    pmi = _pmi(_COUNTS, 1.0, _CDS)  # (V, C)
    shift = math.log(_SHIFT)
    ratio = np.exp(pmi)  # (V, C) what is inside the log
    clip = np.maximum
    return {
        "": clip(pmi - shift, 0.0),
        "the context counts must be raised to cds: #(c)^cds, and the total is their sum "
        "Σ #(c')^cds; you used plain PMI (cds = 1)": clip(_pmi(_COUNTS, 1.0, 1.0) - shift, 0.0),
        "only the context counts are smoothed: #(w) stays unpowered": clip(
            _pmi(_COUNTS, _CDS, _CDS) - shift, 0.0
        ),
        "cds smooths the context counts #(c) (column sums), not the word counts #(w)": clip(
            _pmi(_COUNTS, _CDS, 1.0) - shift, 0.0
        ),
        "the total must be the sum of the smoothed context counts, Σ #(c')^cds, not the number "
        "of pairs": clip(_pmi(_COUNTS, 1.0, _CDS, smoothed_total=False) - shift, 0.0),
        "the shift is log k, not k: subtract log(shift)": clip(pmi - _SHIFT, 0.0),
        "you left out the shift: subtract log(shift) before clipping": clip(pmi, 0.0),
        "you subtracted log(shift) twice": clip(pmi - 2 * shift, 0.0),
        "the shift is subtracted, not divided: PMI - log(shift)": clip(pmi / shift, 0.0),
        "the shift is subtracted as log(shift), not divided by shift": clip(pmi / _SHIFT, 0.0),
        "clip after the shift, not before: max(PMI - log k, 0), so the result is never "
        "negative": clip(pmi, 0.0) - shift,
        "take the natural log of the ratio, not the ratio itself": clip(ratio - shift, 0.0),
        "log1p(x) is log(1 + x): take log(ratio), not log(1 + ratio)": clip(
            np.log1p(ratio) - shift, 0.0
        ),
        "use the natural log (np.log / torch.log), not log2": clip(pmi / math.log(2) - shift, 0.0),
        "use the natural log (np.log / torch.log), not log10": clip(
            pmi / math.log(10) - shift, 0.0
        ),
    }


def check_ppmi(fn: Callable[..., object]) -> Feedback:
    """Exercise: ``fn(counts, cds, shift)`` returns max(PMI_cds(w, c) - log shift, 0) per cell.

    PMI_cds(w, c) = log(#(w,c) · Σ_c' #(c')^cds / (#(w) · #(c)^cds)), #(w) the row sums and
    #(c) the column sums; a cell never seen stays 0. Tried on a (5, 6) table with cds 0.75 and
    shift 1.2; the oracle is the formula in NumPy float64. Introduced in
    ``10_count_and_predict.ipynb``.

    Args:
        fn: the learner's function.

    Shape:
        - fn receives: counts :math:`(V, C)` float64, then two floats; returns :math:`(V, C)`.
    """
    counts = torch.from_numpy(_COUNTS.copy())  # (V, C)
    got = _call(fn, counts, _CDS, _SHIFT)
    if isinstance(got, Feedback):
        return got
    if got.shape != counts.shape:
        return _not_yet(
            f"return one value per cell, shape {tuple(counts.shape)}, got {tuple(got.shape)}."
        )
    got = got.double().numpy()  # (V, C)
    if np.isnan(got).any():
        return _not_yet(
            "your result holds NaN: a zero count gives log 0 = -inf, and -inf times or minus "
            "something can give NaN; clip with max(·, 0) right after the log, or leave zero "
            "cells at 0."
        )
    if np.isinf(got).any():
        return _not_yet("a zero count gives log 0 = -inf: clip at 0 so a never-seen cell is 0.")
    mistakes = _ppmi_mistakes()
    for mistake, values in mistakes.items():
        if np.allclose(got, values, rtol=1e-9, atol=1e-12):
            if not mistake:
                return _correct("PPMI with cds 0.75 and shift 1.2 matches the float64 formula.")
            return _not_yet(mistake + ".")
    return _not_yet(_ppmi_diagnosis(got, mistakes[""]))


def _ppmi_diagnosis(got: np.ndarray, right: np.ndarray) -> str:
    """What to say about an answer that matches none of the usual mistakes."""
    if np.allclose(got, right, rtol=1e-5, atol=1e-6):
        return "right to float32 precision only: compute in float64 (the counts' dtype)."
    if not got.any():
        return "every cell is 0: the shift is log(shift), small here; check the log."
    if (got < 0).any():
        return "PPMI is never negative: clip with max(PMI - log k, 0)."
    if (got[_COUNTS == 0] != 0).any():
        return "a cell never seen (count 0) must stay 0."
    worst = np.unravel_index(np.abs(got - right).argmax(), got.shape)
    return (
        f"cell {tuple(int(i) for i in worst)} is {got[worst]:.6g}, expected {right[worst]:.6g}; "
        "compare each step with the formula: #(w), #(c)^cds, their total, the log, the shift."
    )


# A GloVe case: V = 4 words, E = 3, six cells; counts below and above x_max = 10.
_GLOVE_X_MAX, _GLOVE_ALPHA = 10.0, 0.75
_ROWS = np.array([0, 1, 2, 3, 0, 2])  # (P,)
_COLS = np.array([1, 0, 3, 2, 2, 2])  # (P,)
_X = np.array([2.0, 2.0, 30.0, 30.0, 5.0, 12.0])  # (P,) count of each cell


def _glove_case() -> tuple[np.ndarray, ...]:
    generator = np.random.default_rng(7)
    W, W_tilde = generator.normal(size=(2, 4, 3))  # (V, E) each
    b, b_tilde = generator.normal(size=(2, 4))  # (V,) each
    return W, W_tilde, b, b_tilde


def _glove_mistakes() -> dict[str, float]:
    """The right loss first, then the usual mistakes with what to say about each."""
    W, W_tilde, b, b_tilde = _glove_case()
    f = np.minimum(1.0, (_X / _GLOVE_X_MAX) ** _GLOVE_ALPHA)  # (P,)
    dots = np.array([W[i] @ W_tilde[j] for i, j in zip(_ROWS, _COLS, strict=True)])  # (P,)
    biases = b[_ROWS] + b_tilde[_COLS]  # (P,)
    log_x = np.log(_X)  # (P,)

    def loss(weight: np.ndarray, fit: np.ndarray, target: np.ndarray = log_x) -> float:
        return float((weight * (fit - target) ** 2).sum())

    return {
        "": loss(f, dots + biases),
        "each cell's square must be weighted by f(x) = min(1, (x / x_max)^alpha): you left the "
        "weight out": loss(np.ones_like(f), dots + biases),
        "the weight is capped at 1: f(x) = min(1, (x / x_max)^alpha); cells with x > x_max "
        "weigh 1": loss((_X / _GLOVE_X_MAX) ** _GLOVE_ALPHA, dots + biases),
        "add both biases, b[rows] + b_tilde[cols]: you left them out": loss(f, dots),
        "add the word's bias b[rows] too": loss(f, dots + b_tilde[_COLS]),
        "add the context's bias b_tilde[cols] too": loss(f, dots + b[_ROWS]),
        "the target is log x, not x": loss(f, dots + biases, _X),
        "the paper's loss has no 1/2 (glove.c's has, for its gradient)": 0.5
        * loss(f, dots + biases),
        "sum over the cells, do not average": loss(f, dots + biases) / len(_X),
        "the weight multiplies the square once: f(x), not f(x)^2": loss(f**2, dots + biases),
        "score a word against a context: W[rows] · W_tilde[cols], not W[rows] · W[cols]": loss(
            f, np.einsum("pe,pe->p", W[_ROWS], W[_COLS]) + biases
        ),
        "the biases go with their tables: b[rows] (words), b_tilde[cols] (contexts)": loss(
            f, dots + b[_COLS] + b_tilde[_ROWS]
        ),
        "the weight has a power: f(x) = min(1, (x / x_max)^alpha), you left alpha out": loss(
            np.minimum(1.0, _X / _GLOVE_X_MAX), dots + biases
        ),
        "rows index the words (W, b) and cols the contexts (W_tilde, b_tilde): you swapped "
        "them": loss(
            f, np.einsum("pe,pe->p", W[_COLS], W_tilde[_ROWS]) + b[_COLS] + b_tilde[_ROWS]
        ),
    }


def check_glove_loss(fn: Callable[..., object]) -> Feedback:
    """Exercise: ``fn(W, W_tilde, b, b_tilde, rows, cols, x, x_max, alpha)`` returns GloVe's loss
    Σ f(x) (W[rows]·W_tilde[cols] + b[rows] + b_tilde[cols] − log x)², f(x) = min(1, (x/x_max)^α).

    Tried on four words, three dimensions and six cells, two of them above ``x_max``; the oracle
    is a float64 NumPy loop. Introduced in ``10_count_and_predict.ipynb``.

    Args:
        fn: the learner's function.

    Shape:
        - fn receives: W, W_tilde :math:`(V, E)`, b, b_tilde :math:`(V)` float64, rows, cols
          :math:`(P)` int64, x :math:`(P)` float64, then two floats; returns a 0-d tensor.
    """
    W, W_tilde, b, b_tilde = (torch.from_numpy(a.copy()) for a in _glove_case())
    rows, cols, x = torch.from_numpy(_ROWS), torch.from_numpy(_COLS), torch.from_numpy(_X)
    got = _call(fn, W, W_tilde, b, b_tilde, rows, cols, x.clone(), _GLOVE_X_MAX, _GLOVE_ALPHA)
    if isinstance(got, Feedback):
        return got
    if got.numel() != 1:
        return _not_yet(f"return one number, the sum over the cells; got shape {tuple(got.shape)}.")
    value = float(got)
    if not math.isfinite(value):
        return _not_yet(f"your loss is {value}: every count here is > 0, so log x is finite.")
    for mistake, expected in _glove_mistakes().items():
        if math.isclose(value, expected, rel_tol=1e-9):
            if not mistake:
                return _correct(
                    "the weighted squares, summed over the six cells, match the float64 loop."
                )
            return _not_yet(mistake + ".")
    right = _glove_mistakes()[""]
    if math.isclose(value, right, rel_tol=1e-5):
        return _not_yet("right to float32 precision only: compute in float64 (the tables' dtype).")
    return _not_yet(
        f"got {value:.6g}, expected {right:.6g}; compare each term with the formula: the weight "
        "f(x), the fit W[rows]·W_tilde[cols] + b[rows] + b_tilde[cols], log x, the square, the sum."
    )
