"""Intervals for analogy accuracy: one set of vectors, or two compared question by question.

A bootstrap over the questions both cover, seeded, so the interval repeats; two sets see the same
resamples (paired), as ``evaluation.spearman_difference`` does for word pairs.

Shape glossary: V vocabulary, E embedding dim, Q covered questions, R resamples.
"""

from __future__ import annotations

import numpy as np
import torch

from ...analogies import analogy_picks
from ...corpus import Vocabulary
from ...evaluation import MAX_BOOTSTRAP
from ...validation import check_int

__all__ = ["analogy_difference", "analogy_interval"]


def _right(vectors: torch.Tensor, vocab: Vocabulary) -> np.ndarray:
    questions, picks = analogy_picks(vectors, vocab, "3cosadd")  # (Q, 4), (Q,)
    return (picks == questions[:, 3]).numpy().astype(np.float64)  # (Q,) 1 where right


def _resampled_means(right: np.ndarray, rounds: int, seed: int) -> np.ndarray:
    if len(right) == 0:
        raise ValueError("the vocabulary covers no analogy question: no accuracy to resample")
    picks = np.random.default_rng(seed).integers(0, len(right), size=(rounds, len(right)))
    return right[picks].mean(axis=1)  # (R,)


def analogy_interval(
    vectors: torch.Tensor, vocab: Vocabulary, *, bootstrap: int = 1_000, seed: int = 0
) -> tuple[float, float]:
    """The 95% bootstrap interval of 3CosAdd's accuracy over the covered questions.

    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        vectors: word vectors, rows in ``vocab``'s order.
        vocab: their vocabulary.
        bootstrap: resamples of the questions, a whole number in [100, 100,000]. Default: 1,000.
        seed: seeds the resampling. Default: 0.

    Shape:
        - vectors: :math:`(V, E)`.
    """
    rounds = check_int("bootstrap", bootstrap, low=100, high=MAX_BOOTSTRAP)
    seed = check_int("seed", seed, low=0)
    low, high = np.percentile(_resampled_means(_right(vectors, vocab), rounds, seed), [2.5, 97.5])
    return float(low), float(high)


def analogy_difference(
    vectors_a: torch.Tensor,
    vectors_b: torch.Tensor,
    vocab: Vocabulary,
    *,
    bootstrap: int = 1_000,
    seed: int = 0,
) -> tuple[float, float, float]:
    """3CosAdd accuracy of ``vectors_a`` minus that of ``vectors_b`` on the same questions, with a
    paired bootstrap 95% interval: (difference, low, high), as shares (0.01 is a point).

    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        vectors_a: one set of word vectors, rows in ``vocab``'s order.
        vectors_b: another, same vocabulary.
        vocab: the vocabulary of both.
        bootstrap: resamples of the questions, a whole number in [100, 100,000]. Default: 1,000.
        seed: seeds the resampling (both sets see the same resamples). Default: 0.

    Shape:
        - vectors_a, vectors_b: :math:`(V, E)`.
    """
    rounds = check_int("bootstrap", bootstrap, low=100, high=MAX_BOOTSTRAP)
    seed = check_int("seed", seed, low=0)
    gap = _right(vectors_a, vocab) - _right(vectors_b, vocab)  # (Q,) +1, 0 or -1
    low, high = np.percentile(_resampled_means(gap, rounds, seed), [2.5, 97.5])
    return float(gap.mean()), float(low), float(high)
