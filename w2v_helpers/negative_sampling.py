"""The skip-gram negative-sampling (SGNS) loss, per pair and per block, with its gradient.

For a centre vector c, its true context vector o and K noise vectors n_1..n_K:
``loss = -log sigmoid(c . o) - sum_k log sigmoid(-c . n_k)``. The block form scores a block of
centres against every row it shares (its context tile and one set of noise rows) with a weight
and a 0/1 label per score; its gradient is written out by hand, ``w * (sigmoid(s) - label)``,
so the trainer needs no autograd graph. Introduced in ``06_negative_sampling_real_corpus.ipynb``.

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives;
B blocks, C rows each block scores.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .validation import check_pair_vectors

__all__ = ["block_loss_and_grads", "sgns_loss"]


def sgns_loss(centre: torch.Tensor, context: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    """Mean SGNS loss of N (centre, context) pairs with K noise words each.

    Uses ``softplus(-s) = -log sigmoid(s)``, stable for any score.
    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        centre: the centre words' vectors, finite floating.
        context: the true context words' vectors, finite floating, one per centre.
        noise: the K noise words' vectors for each centre, finite floating.

    Shape:
        - centre: (N, E), context: (N, E), noise: (N, K, E)
        - Output: scalar
    """
    check_pair_vectors(centre, context, noise)
    positive = (centre * context).sum(-1)  # (N, E) * (N, E) -> (N,)
    negative = torch.bmm(noise, centre.unsqueeze(-1)).squeeze(-1)  # (N, K, E) x (N, E, 1) -> (N, K)
    return (F.softplus(-positive) + F.softplus(negative).sum(-1)).mean()


def block_loss_and_grads(
    centre: torch.Tensor,
    rows: torch.Tensor,
    labels: torch.Tensor,
    weights: torch.Tensor,
    *,
    centre_steps: torch.Tensor | None = None,
    row_steps: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Weighted logistic loss of every (centre, row) score in a block, and its two gradients.

    ``loss = sum w * (softplus(s) - label * s)`` with ``s = centre @ rows^T``: a positive pair
    (label 1) costs ``softplus(-s)``, a noise pair (label 0) ``softplus(s)``, each times its
    weight (0 switches a score off). Returns ``(loss, d loss / d centre, d loss / d rows)``.

    A trainer wants each gradient row times a step (``-lr``, capped per row): ``centre_steps``
    and ``row_steps`` multiply the score gradient's rows and columns before the two matmuls,
    E times less work than scaling their outputs (and no copy for ``index_add_``'s ``alpha``).

    Args:
        centre: the centre (or hidden) vectors of each block.
        rows: the output-table rows each block scores its centres against.
        labels: 1 for a positive (centre, row) score, 0 for a noise one.
        weights: each score's weight in the loss; 0 leaves a score out.
        centre_steps: a factor for each row of ``d loss / d centre``. Default: ``None`` (1).
        row_steps: a factor for each row of ``d loss / d rows``. Default: ``None`` (1).

    Shape:
        - centre: (B, N, E) blocks of N centres; rows: (B, C, E) rows each block scores
        - labels, weights: (B, N, C); centre_steps: (B, N); row_steps: (B, C)
        - Output: scalar, (B, N, E), (B, C, E)

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.
    """
    scores = torch.bmm(centre, rows.transpose(1, 2))  # (B, N, E) x (B, E, C) -> (B, N, C)
    loss = (weights * (F.softplus(scores) - labels * scores)).sum()
    grad_scores = weights * (torch.sigmoid(scores) - labels)  # (B, N, C)
    by_centre = grad_scores if centre_steps is None else grad_scores * centre_steps.unsqueeze(2)
    by_row = grad_scores if row_steps is None else grad_scores * row_steps.unsqueeze(1)
    grad_centre = torch.bmm(by_centre, rows)  # (B, N, C) x (B, C, E) -> (B, N, E)
    grad_rows = torch.bmm(by_row.transpose(1, 2), centre)  # (B, C, N) x (B, N, E) -> (B, C, E)
    return loss, grad_centre, grad_rows
