"""Independent oracles shared by the tests: float64 NumPy losses and finite differences.

None of these call ``w2v_helpers``; they are the formulas written out again in NumPy.
"""

import numpy as np


def numpy_bce(scores: np.ndarray, targets: np.ndarray) -> float:
    """Mean BCE from logits in float64: softplus(s) - s*t, softplus via logaddexp(0, s)."""
    return float(np.mean(np.logaddexp(0.0, scores) - scores * targets))


def numpy_ce(scores: np.ndarray, y: np.ndarray) -> float:
    """Mean CE in float64: logsumexp over each row minus the right word's score."""
    m = scores.max(axis=1, keepdims=True)
    lse = (m + np.log(np.exp(scores - m).sum(axis=1, keepdims=True)))[:, 0]
    return float(np.mean(lse - scores[np.arange(len(y)), y]))


def finite_difference(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of a scalar function of an array, entry by entry (float64)."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (f(up) - f(down)) / (2 * h)
    return grad
