"""Binary and multi-class cross-entropy, written out by hand: naive forms and stable forms.

The naive forms are the textbook formulas (sigmoid or softmax, then log), kept naive on purpose
so the lessons can show where they break. The stable forms never take the log of a probability;
they work on the logits and equal ``nn.BCEWithLogitsLoss`` / ``nn.CrossEntropyLoss``. All use
mean reduction like the built-ins.

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .validation import (
    check_batch_sizes,
    check_number,
    check_probability_targets,
    check_scores,
    check_token_ids,
)

__all__ = ["softmax_entropy", "bce_naive", "bce_stable", "ce_naive", "ce_stable"]


def _check_bce(scores: torch.Tensor, targets: torch.Tensor) -> None:
    check_scores("scores", scores, rank=None)
    check_probability_targets("targets", targets, like=scores)


def _check_ce(scores: torch.Tensor, y: torch.Tensor) -> None:
    check_scores("scores", scores, rank=2)
    check_token_ids("y", y, vocab_size=scores.shape[1], ranks=(1,))
    check_batch_sizes(scores=scores, y=y)


def bce_naive(scores: torch.Tensor, targets: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Mean binary cross-entropy from probabilities: -[t log(σ(s)+eps) + (1-t) log(1-σ(s)+eps)].

    ``eps`` keeps the log finite when σ(s) rounds to 0 or 1, and so caps each element's loss at
    -log(eps) ≈ 18.42: the source of the disagreement with the built-in once logits grow.
    Introduced in ``02_bce_vs_ce.ipynb``.

    Args:
        scores: the logits; finite.
        targets: the targets, floating, each in [0, 1].
        eps: added inside each log, in [0, 1). Default: 1e-8.

    Shape:
        - scores: :math:`(*)`, any shape, e.g. :math:`(N, V)`.
        - targets: :math:`(*)`, the same shape as scores.
        - Output: scalar.
    """
    _check_bce(scores, targets)
    eps = check_number("eps", eps, low=0, high=1, high_open=True)
    prob = torch.sigmoid(scores)  # (*), each in (0, 1), but 1.0 exactly once s > ~17 in float32
    per_element = targets * torch.log(prob + eps) + (1 - targets) * torch.log(1 - prob + eps)
    return -per_element.mean()


def bce_stable(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean binary cross-entropy from logits: max(s, 0) - s·t + log(1 + exp(-|s|)).

    Algebraically the same as :func:`bce_naive` with ``eps=0``; exp only ever sees -|s| ≤ 0, so
    nothing overflows and no probability is rounded to 0 or 1. Equals ``nn.BCEWithLogitsLoss``
    for every finite logit. Introduced in ``02_bce_vs_ce.ipynb``.

    Args:
        scores: the logits; finite.
        targets: the targets, floating, each in [0, 1].

    Shape:
        - scores: :math:`(*)`, any shape, e.g. :math:`(N, V)`.
        - targets: :math:`(*)`, the same shape as scores.
        - Output: scalar.
    """
    _check_bce(scores, targets)
    per_element = scores.clamp(min=0) - scores * targets + torch.log1p(torch.exp(-scores.abs()))
    return per_element.mean()


def ce_naive(scores: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy as one-hot · log softmax: -mean_n Σ_v onehot[n, v] log p[n, v].

    No eps, as in the original lesson: once a probability underflows to 0, log gives -inf and
    0 · (-inf) gives NaN, even in a column the one-hot does not select.
    Introduced in ``02_bce_vs_ce.ipynb``.

    Args:
        scores: the logits; finite.
        y: the target ids, one per example, in :math:`[0, V)`.

    Shape:
        - scores: :math:`(N, V)` float.
        - y: :math:`(N)` int64 in :math:`[0, V)`.
        - Output: scalar.
    """
    _check_ce(scores, y)
    prob = torch.softmax(scores, dim=1)  # (N, V)
    onehot = F.one_hot(y, scores.shape[1]).to(scores.dtype)  # (N,) -> (N, V)
    return -(onehot * torch.log(prob)).sum(dim=1).mean()


def ce_stable(scores: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy from logits: logsumexp(s[n]) - s[n, y[n]], averaged over the batch.

    Never forms a probability, so it stays finite for every finite logit; equals
    ``nn.CrossEntropyLoss``. Introduced in ``02_bce_vs_ce.ipynb``.

    Args:
        scores: the logits; finite.
        y: the target ids, one per example, in :math:`[0, V)`.

    Shape:
        - scores: :math:`(N, V)` float.
        - y: :math:`(N)` int64 in :math:`[0, V)`.
        - Output: scalar.
    """
    _check_ce(scores, y)
    true_scores = scores.gather(1, y.unsqueeze(1)).squeeze(1)  # (N, V), (N, 1) -> (N,)
    return (torch.logsumexp(scores, dim=1) - true_scores).mean()  # (N,) -> scalar


def softmax_entropy(scores: torch.Tensor) -> torch.Tensor:
    """Entropy in nats of softmax(scores) along the last axis, computed in float64.

    Uniform over V words gives log V, the maximum.
    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        scores: the logits, floating and finite; the last axis runs over the V words.

    Shape:
        - Input: scores :math:`(*, V)`.
        - Output: :math:`(*)` float64.
    """
    check_scores("scores", scores, rank=None)
    log_prob = torch.log_softmax(scores.detach().double(), dim=-1)  # (*, V)
    return -(log_prob.exp() * log_prob).sum(dim=-1)  # (*, V) -> (*)
