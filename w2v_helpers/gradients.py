"""Gradient anatomy of a tied CBOW: the backward pass written out by hand, and split in two.

In a tied CBOW one ``(V, E)`` matrix W is both the embedding table (input side) and the output
weight (output side), so its gradient is the sum of two parts:

- the **output side**, ``dS^T H``: every row of W scored a word, so every row gets a gradient;
- the **input side**: only the rows the context ids picked get one, ``dH / T`` per occurrence.

Here ``S = H W^T`` are the scores (N, V), ``H`` the context means (N, E) and ``dS`` the gradient of
the loss with respect to the scores: ``(sigmoid(S) - Y) / (N * V)`` for BCE with mean reduction
over all N*V elements, ``(softmax(S) - Y) / N`` for cross-entropy. The approach follows
karpathy/nn-zero-to-hero (derive each gradient by hand, then compare with autograd).

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .validation import (
    check_batch_sizes,
    check_float_tensors,
    check_number,
    check_scores,
    check_token_ids,
)

__all__ = [
    "LOSSES",
    "TiedGradients",
    "compare",
    "input_side_grad",
    "output_side_grad",
    "row_norms",
    "rows_with_gradient",
    "score_grad",
    "split_tied_gradient",
]

LOSSES = ("bce", "ce")  # BCE on one-hot targets (mean over N*V) or cross-entropy (mean over N)


def _check_loss(loss: object) -> str:
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    return loss


def _check_weight(weight: object) -> torch.Tensor:
    return check_scores("weight", weight, rank=2)


def _check_hidden(hidden: object, weight: torch.Tensor) -> torch.Tensor:
    check_scores("hidden", hidden, rank=2)
    if hidden.shape[1] != weight.shape[1]:
        raise ValueError(
            f"hidden must be (N, E) with E={weight.shape[1]} like weight (V, E), "
            f"got shape {tuple(hidden.shape)}"
        )
    return hidden


def score_grad(scores: torch.Tensor, y: torch.Tensor, *, loss: str = "bce") -> torch.Tensor:
    """The gradient of the mean loss with respect to the scores, by hand.

    - ``"bce"``: ``(sigmoid(S) - Y) / (N * V)``, Y the one-hot targets: the built-in BCE averages
      over all N*V binary decisions, so every element's push is divided by N*V.
    - ``"ce"``: ``(softmax(S) - Y) / N``: cross-entropy averages over the N examples only.

    Introduced in ``02_bce_vs_ce.ipynb``.

    Args:
        scores: the logits S.
        y: the target ids, one per example, in :math:`[0, V)`.
        loss: ``"bce"`` (mean BCE on one-hot targets, over N*V elements) or ``"ce"``
            (cross-entropy, mean over N); one of ``LOSSES``. Default: ``"bce"``.

    Shape:
        - scores: :math:`(N, V)` float.
        - y: :math:`(N)` int64 in :math:`[0, V)`.
        - Output: :math:`(N, V)`.
    """
    check_scores("scores", scores, rank=2)
    check_token_ids("y", y, vocab_size=scores.shape[1], ranks=(1,))
    check_batch_sizes(scores=scores, y=y)
    loss = _check_loss(loss)
    N, V = scores.shape
    onehot = F.one_hot(y, V).to(scores.dtype)  # (N,) -> (N, V)
    if loss == "bce":
        return (torch.sigmoid(scores) - onehot) / (N * V)  # (N, V)
    return (torch.softmax(scores, dim=1) - onehot) / N  # (N, V)


def output_side_grad(
    hidden: torch.Tensor, weight: torch.Tensor, y: torch.Tensor, *, loss: str = "bce"
) -> torch.Tensor:
    """The gradient reaching W through the output layer alone: ``dS^T H``.

    For BCE with mean reduction this is ``(sigmoid(S) - Y)^T H / (N * V)``. Every row is touched:
    every word was scored. Introduced in ``03_tied_weight_backward.ipynb``.

    Args:
        hidden: H, the context means; its E and its dtype must match ``weight``'s.
        weight: W, the tied matrix, here used as the output weight.
        y: the target ids, one per example, in :math:`[0, V)`.
        loss: ``"bce"`` (mean BCE on one-hot targets, over N*V elements) or ``"ce"``
            (cross-entropy, mean over N); one of ``LOSSES``. Default: ``"bce"``.

    Shape:
        - hidden: :math:`(N, E)` float.
        - weight: :math:`(V, E)` float.
        - y: :math:`(N)` int64 in :math:`[0, V)`.
        - Output: :math:`(V, E)`.
    """
    weight = _check_weight(weight)
    hidden = _check_hidden(hidden, weight)
    check_float_tensors(hidden=hidden, weight=weight)
    scores = hidden @ weight.T  # (N, E) @ (E, V) -> (N, V)
    d_scores = score_grad(scores, y, loss=loss)  # (N, V)
    return d_scores.T @ hidden  # (V, N) @ (N, E) -> (V, E)


def input_side_grad(
    x: torch.Tensor, weight: torch.Tensor, y: torch.Tensor, *, loss: str = "bce"
) -> torch.Tensor:
    """The gradient reaching W through the embedding lookup alone, by hand.

    ``dH = dS W`` is the gradient at the context means; the mean over T hands ``dH / T`` to each
    of the T looked-up rows, and a row looked up twice receives it twice (scatter-add).
    Introduced in ``03_tied_weight_backward.ipynb``.

    Args:
        x: the context ids, T per example, in :math:`[0, V)`.
        weight: W, the tied matrix, here used as the embedding table.
        y: the target ids, one per example, in :math:`[0, V)`.
        loss: ``"bce"`` (mean BCE on one-hot targets, over N*V elements) or ``"ce"``
            (cross-entropy, mean over N); one of ``LOSSES``. Default: ``"bce"``.

    Shape:
        - x: :math:`(N, T)` int64 in :math:`[0, V)`.
        - weight: :math:`(V, E)` float.
        - y: :math:`(N)` int64 in :math:`[0, V)`.
        - Output: :math:`(V, E)`, zero outside the rows in x.
    """
    weight = _check_weight(weight)
    V, E = weight.shape
    check_token_ids("x", x, vocab_size=V, ranks=(2,))
    check_batch_sizes(x=x, y=y)
    N, T = x.shape
    hidden = weight[x].mean(dim=1)  # (N, T) -> (N, T, E) -> (N, E)
    scores = hidden @ weight.T  # (N, E) @ (E, V) -> (N, V)
    d_hidden = score_grad(scores, y, loss=loss) @ weight  # (N, V) @ (V, E) -> (N, E)
    per_slot = (d_hidden / T).unsqueeze(1).expand(N, T, E)  # (N, E) -> (N, T, E)
    grad = torch.zeros_like(weight)  # (V, E)
    return grad.index_add_(0, x.reshape(-1), per_slot.reshape(N * T, E))  # (N*T, E) -> (V, E)


@dataclass(frozen=True)
class TiedGradients:
    """A tied gradient and its two parts, each from autograd. All tensors are (V, E).

    Introduced in ``03_tied_weight_backward.ipynb``.

    Shape:
        - input_side: :math:`(V, E)`, nonzero on the context rows only.
        - output_side: :math:`(V, E)`, nonzero on (almost) every row.
        - tied: :math:`(V, E)`, equal to ``input_side + output_side`` up to rounding.
    """

    input_side: torch.Tensor  # through the embedding lookup: nonzero on the context rows only
    output_side: torch.Tensor  # through the output layer: nonzero on (almost) every row
    tied: torch.Tensor  # through both at once, as a tied model's backward computes it
    loss_value: float  # the loss at ``weight``


def split_tied_gradient(
    weight: torch.Tensor, x: torch.Tensor, y: torch.Tensor, *, loss: str = "bce"
) -> TiedGradients:
    """Run a tied CBOW forward/backward three times with autograd: tied, and on two untied copies.

    The untied run uses two copies of ``weight`` with the same values, one as the embedding table,
    one as the output weight; their gradients are the input-side and output-side parts, and they
    sum to the tied gradient (the multivariable chain rule). ``weight`` itself is not modified.
    Introduced in ``03_tied_weight_backward.ipynb``.

    Args:
        weight: W, the tied matrix; not modified.
        x: the context ids, T per example, in :math:`[0, V)`.
        y: the target ids, one per example, in :math:`[0, V)`.
        loss: ``"bce"`` (mean BCE on one-hot targets, over N*V elements) or ``"ce"``
            (cross-entropy, mean over N); one of ``LOSSES``. Default: ``"bce"``.

    Shape:
        - weight: :math:`(V, E)` float.
        - x: :math:`(N, T)` int64 in :math:`[0, V)`.
        - y: :math:`(N)` int64 in :math:`[0, V)`.
        - Output: a :class:`TiedGradients` of three :math:`(V, E)` tensors.
    """
    weight = _check_weight(weight)
    V = weight.shape[0]
    check_token_ids("x", x, vocab_size=V, ranks=(2,))
    check_token_ids("y", y, vocab_size=V, ranks=(1,))
    check_batch_sizes(x=x, y=y)
    loss = _check_loss(loss)

    def mean_loss(table_in: torch.Tensor, table_out: torch.Tensor) -> torch.Tensor:
        hidden = F.embedding(x, table_in).mean(dim=1)  # (N, T) -> (N, T, E) -> (N, E)
        scores = hidden @ table_out.T  # (N, E) @ (E, V) -> (N, V)
        if loss == "bce":
            onehot = F.one_hot(y, V).to(scores.dtype)  # (N,) -> (N, V)
            return F.binary_cross_entropy_with_logits(scores, onehot)
        return F.cross_entropy(scores, y)

    tied = weight.detach().clone().requires_grad_(True)  # (V, E)
    value = mean_loss(tied, tied)
    value.backward()
    w_in = weight.detach().clone().requires_grad_(True)  # (V, E)
    w_out = weight.detach().clone().requires_grad_(True)  # (V, E)
    mean_loss(w_in, w_out).backward()
    return TiedGradients(
        input_side=w_in.grad,
        output_side=w_out.grad,
        tied=tied.grad,
        loss_value=float(value.detach()),
    )


def rows_with_gradient(grad: torch.Tensor) -> torch.Tensor:
    """Which rows of a ``(V, E)`` gradient have any nonzero entry: an exact test, no arithmetic.

    Counting rows by ``grad.norm(dim=1) > 0`` is wrong in float32: the square of anything below
    2**-75 (about 2.6e-23) rounds to 0, so a row of such entries has a norm of exactly 0 although
    it is not 0. Introduced in ``03_tied_weight_backward.ipynb``.

    Args:
        grad: a gradient of W, floating and finite.

    Shape:
        - Input: grad :math:`(V, E)`.
        - Output: :math:`(V)` bool.
    """
    check_scores("grad", grad, rank=2)
    return (grad != 0).any(dim=1)  # (V, E) -> (V,)


def row_norms(grad: torch.Tensor) -> torch.Tensor:
    """Per-row Euclidean norms of a ``(V, E)`` gradient, in float64 so tiny rows do not round to 0.

    Introduced in ``03_tied_weight_backward.ipynb``.

    Args:
        grad: a gradient of W, floating and finite.

    Shape:
        - Input: grad :math:`(V, E)`.
        - Output: :math:`(V)` float64.
    """
    check_scores("grad", grad, rank=2)
    return grad.detach().double().norm(dim=1)  # (V, E) -> (V,)


def compare(name: str, manual: torch.Tensor, reference: torch.Tensor, *, atol: float = 1e-6) -> str:
    """One line comparing a hand-made tensor with a reference: shapes, allclose, max diff < atol.

    Prints booleans only, never the raw difference, so the line is the same on every machine.
    Introduced in ``03_tied_weight_backward.ipynb``.

    Args:
        name: the label that starts the line.
        manual: the tensor computed by hand.
        reference: the tensor to compare it with, e.g. from autograd.
        atol: the absolute tolerance, greater than 0. Default: 1e-6.

    Shape:
        - manual: :math:`(*)`, any shape.
        - reference: :math:`(*)`, the same shape; if it differs, the line says so.
        - Output: a str, not a tensor.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    for label, value in (("manual", manual), ("reference", reference)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"{label} must be a torch.Tensor, got {type(value).__name__}")
    atol = check_number("atol", atol, low=0, low_open=True)
    same_shape = manual.shape == reference.shape
    if not same_shape:
        return f"{name}: shapes differ, {tuple(manual.shape)} vs {tuple(reference.shape)}"
    diff = (manual.detach().double() - reference.detach().double()).abs().max().item()
    close = torch.allclose(manual.detach().double(), reference.detach().double(), atol=atol)
    shape = tuple(manual.shape)
    return f"{name}: shape {shape} | allclose {close} | max diff < {atol:g}: {diff < atol}"
