"""The skip-gram negative-sampling (SGNS) loss of N pairs, the plain way.

For a centre vector c, its true context vector o and K noise vectors n_1..n_K:
``loss = -log sigmoid(c . o) - sum_k log sigmoid(-c . n_k)``. The fast trainer scores whole
blocks of centres at once instead, with the weighted logistic loss in ``logistic_scores`` (which
hierarchical softmax uses too). Introduced in ``06_negative_sampling_real_corpus.ipynb``.

Shape glossary: N batch, V vocabulary, E embedding dim, K negatives.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .validation import check_float_tensors, check_pair_vectors

__all__ = ["sgns_loss"]


def sgns_loss(centre: torch.Tensor, context: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    """Mean SGNS loss of N (centre, context) pairs with K noise words each.

    Uses ``softplus(-s) = -log sigmoid(s)``, stable for any score.
    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        centre: the centre words' vectors, finite floating.
        context: the true context words' vectors, finite floating, one per centre.
        noise: the K noise words' vectors for each centre, finite floating.

    All three share one floating dtype.

    Shape:
        - centre: (N, E), context: (N, E), noise: (N, K, E)
        - Output: scalar
    """
    check_pair_vectors(centre, context, noise)
    check_float_tensors(centre=centre, context=context, noise=noise)
    positive = (centre * context).sum(-1)  # (N, E) * (N, E) -> (N,)
    negative = torch.bmm(noise, centre.unsqueeze(-1)).squeeze(-1)  # (N, K, E) x (N, E, 1) -> (N, K)
    return (F.softplus(-positive) + F.softplus(negative).sum(-1)).mean()
