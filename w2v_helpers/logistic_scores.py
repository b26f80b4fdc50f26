"""The weighted logistic loss of a block of scores, with its gradient: the fast trainer's kernel.

A block of centre (or hidden) vectors is scored against every row it shares with one batched
matmul. Each score carries a 0/1 label and a weight, and costs ``w * (softplus(s) - label * s)``:
for negative sampling the rows are a block's context tile and its noise rows (label 1 for a
context word, 0 for noise); for hierarchical softmax they are the inner nodes on a word's path
(label ``1 - code``). The gradient is written out by hand, ``w * (sigmoid(s) - label)``, so the
trainer needs no autograd graph. Introduced in ``06_negative_sampling_real_corpus.ipynb``.

Shape glossary: E embedding dim; B blocks, N centres (or hidden vectors) per block, C rows each
block scores.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["block_loss_and_grads"]


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
