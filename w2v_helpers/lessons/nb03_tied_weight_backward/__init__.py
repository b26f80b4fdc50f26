"""Lesson code of ``03_tied_weight_backward.ipynb`` (One matrix, two jobs): its reports, panel,
figures and exercise checks. The concepts it uses live in the core modules (models, gradients,
memory, validation). A subpackage: the exercise checks live in ``exercises`` and are re-exported
here, so the notebook imports every name from this package.

Shape glossary: N batch, T = 2w context words, V vocabulary, E embedding dim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...gradients import _check_loss, row_norms, rows_with_gradient, split_tied_gradient
from ...memory import check_memory, estimate_tied_step_bytes, format_bytes, load_autograd
from ...models import CBOW
from ...validation import check_int, check_number, check_positive_int, parse_token_ids
from ..panel import DIM_CHOICES, Panel, ReusedFigure, _choice, _slow_log_slider, lay_out, make_panel
from .exercises import check_input_side_rows, check_tied_layers

__all__ = [
    "TiedStepReport",
    "tied_step_report",
    "check_input_side_rows",
    "check_tied_layers",
    "plot_gradient_row_norms",
    "STEP_VOCAB_CHOICES",
    "tied_step_panel",
]


@dataclass(frozen=True, kw_only=True)
class TiedStepReport:
    """One SGD step of a tied CBOW on one example, with its gradient split in two parts.

    ``str()`` gives the printout; ``plot_gradient_row_norms`` draws the norms.
    Introduced in ``03_tied_weight_backward.ipynb``.

    Shape:
        - input_norms, output_norms, tied_norms: :math:`(V)` float64.
    """

    vocab_size: int
    embedding_dim: int
    context_ids: tuple[int, ...]
    target_id: int
    lr: float
    loss: str
    loss_before: float
    loss_after: float
    input_norms: torch.Tensor  # (V,) float64 per-row norm of the input-side gradient
    output_norms: torch.Tensor  # (V,) float64 per-row norm of the output-side gradient
    tied_norms: torch.Tensor  # (V,) float64 per-row norm of the tied gradient
    input_rows: tuple[int, ...]  # rows with a nonzero input-side entry (an exact test)
    output_rows: int  # how many rows have a nonzero output-side entry (an exact test)
    parts_sum_to_tied: bool  # input side + output side == tied gradient (atol 1e-6)
    update_matches: bool  # w_new == w_old - lr * grad on every entry
    estimated_bytes: int

    def __str__(self) -> str:
        top = torch.argsort(self.tied_norms, descending=True, stable=True)[:5].tolist()
        lines = [
            f"tied CBOW V={self.vocab_size:,} E={self.embedding_dim}, context "
            f"{list(self.context_ids)} -> target {self.target_id}, loss {self.loss}, "
            f"lr {self.lr:g}",
            f"loss before the step {self.loss_before:.3f}, after {self.loss_after:.3f} "
            f"(change {self.loss_after - self.loss_before:+.3f})",
            f"rows with an input-side gradient:  {list(self.input_rows)}",
            f"rows with an output-side gradient: {self.output_rows:,} of {self.vocab_size:,}",
            f"input side + output side == tied gradient: {self.parts_sum_to_tied}",
            f"w_new == w_old - lr * grad: {self.update_matches}",
            "largest tied-gradient rows: "
            + ", ".join(f"{i} ({float(self.tied_norms[i]):.2e})" for i in top),
            f"estimated peak memory {format_bytes(self.estimated_bytes)}",
        ]
        return "\n".join(lines)


def _check_ids_below(V: int, **ids: Sequence[int]) -> None:
    """Raise ``ValueError`` naming the first group of ``ids`` with an id outside [0, V)."""
    for name, values in ids.items():
        bad = [i for i in values if not 0 <= i < V]
        if bad:
            raise ValueError(
                f"{name} must hold ids in [0, {V - 1}] (vocab_size={V:,}), got {bad[0]:,}"
            )


def tied_step_report(
    context_ids: Sequence[int] | str,
    target_id: int,
    lr: float = 0.1,
    loss: str = "bce",
    *,
    vocab_size: int = 500,
    embedding_dim: int = 128,
    seed: int = 0,
) -> TiedStepReport:
    """Build a tied CBOW (seeded), take one ``SGD(lr)`` step on one example, and report it.

    The loss is the built-in BCE on one-hot targets (``"bce"``) or cross-entropy (``"ce"``).
    The gradient is split into its input-side and output-side parts with
    :func:`w2v_helpers.gradients.split_tied_gradient`. Refuses (``MemoryBudgetError``) before
    allocating if the sizes are over budget. Introduced in ``03_tied_weight_backward.ipynb``.

    Args:
        context_ids: the context ids, a sequence of ints or a string like ``"3, 5, 8, 1"``;
            1 to ``MAX_WINDOW`` (1,000) ids, each in [0, V).
        target_id: the word to predict, in [0, V).
        lr: the SGD learning rate, in (0, 1000]. Default: 0.1.
        loss: ``"bce"`` or ``"ce"``. Default: ``"bce"``.
        vocab_size: V, a whole number >= 1. Default: 500.
        embedding_dim: E, a whole number >= 1. Default: 128.
        seed: seeds the model's initial weights. Default: 0.
    """
    context = parse_token_ids("context_ids", context_ids)
    V = check_positive_int("vocab_size", vocab_size)
    E = check_positive_int("embedding_dim", embedding_dim)
    target_id = check_int("target_id", target_id)  # its upper end, V - 1, is checked below
    _check_ids_below(V, context_ids=context, target_id=(target_id,))
    lr = check_number("lr", lr, low=0.0, high=1_000.0, low_open=True)
    loss = _check_loss(loss)
    load_autograd()  # first: the guard then sees the modules a first backward pass loads
    need = estimate_tied_step_bytes(V, E, 1, len(context))
    check_memory(
        need,
        f"a tied CBOW step with vocab_size={V:,}, embedding_dim={E}",
        hint="Lower vocab_size or embedding_dim: the V x E table and its copies dominate.",
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = CBOW(V, E, tied=True)
    x = torch.tensor([context])  # (1, T)
    y = torch.tensor([target_id])  # (1,)

    def loss_of(scores: torch.Tensor) -> torch.Tensor:
        if loss == "bce":
            onehot = torch.nn.functional.one_hot(y, V).float()  # (1,) -> (1, V)
            return torch.nn.functional.binary_cross_entropy_with_logits(scores, onehot)
        return torch.nn.functional.cross_entropy(scores, y)

    parts = split_tied_gradient(model.embedding.weight, x, y, loss=loss)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    w_old = model.embedding.weight.detach().clone()  # (V, E)
    opt.zero_grad()
    before = loss_of(model(x))  # (1, T) -> (1, V) -> scalar
    before.backward()
    grad = model.embedding.weight.grad.clone()  # (V, E)
    opt.step()
    with torch.no_grad():
        after = loss_of(model(x))
        # SGD rounds once (a fused add), w_old - lr * grad twice; float32 steps near |w| = 4 are
        # 5e-7 apart, so 1e-5 tolerates the rounding and still catches any real deviation
        update_ok = torch.allclose(model.embedding.weight, w_old - lr * grad, rtol=0, atol=1e-5)
    return TiedStepReport(
        vocab_size=V,
        embedding_dim=E,
        context_ids=context,
        target_id=target_id,
        lr=lr,
        loss=loss,
        loss_before=before.item(),
        loss_after=after.item(),
        input_norms=row_norms(parts.input_side),  # (V, E) -> (V,)
        output_norms=row_norms(parts.output_side),  # (V, E) -> (V,)
        tied_norms=row_norms(grad),  # (V, E) -> (V,)
        input_rows=tuple(torch.nonzero(rows_with_gradient(parts.input_side)).flatten().tolist()),
        output_rows=int(rows_with_gradient(parts.output_side).sum()),
        parts_sum_to_tied=torch.allclose(parts.input_side + parts.output_side, grad, atol=1e-6),
        update_matches=update_ok,
        estimated_bytes=need,
    )


FIGSIZE = (11, 3.8)  # the row-norm figure's size
RATIOS = [1, 1.3]  # the widths of its two axes


def _draw_parts_by_row(ax: Axes, report: TiedStepReport) -> None:
    """Bars of the input-side and output-side norms of the context and target rows, and of the
    median row outside them."""
    marked = sorted(set(report.context_ids) | {report.target_id})
    others = torch.ones(report.vocab_size, dtype=torch.bool)  # (V,)
    others[marked] = False
    labels = [f"{i}" + (" (target)" if i == report.target_id else "") for i in marked]
    inputs = [float(report.input_norms[i]) for i in marked]
    outputs = [float(report.output_norms[i]) for i in marked]
    if bool(others.any()):
        labels.append("median\nother row")
        inputs.append(float(report.input_norms[others].median()))
        outputs.append(float(report.output_norms[others].median()))
    positions = torch.arange(len(labels)).numpy()
    ax.bar(positions - 0.2, inputs, width=0.4, color="tab:green", label="input side")
    ax.bar(positions + 0.2, outputs, width=0.4, color="tab:blue", label="output side")
    ax.set_xticks(positions, labels, fontsize=8)
    ax.set_xlabel("row of W (word id)")
    ax.set_ylabel("gradient row norm")
    ax.set_title("the two parts, row by row", fontsize=10)
    ax.legend(fontsize=8)


def _draw_sorted_tied_norms(ax: Axes, report: TiedStepReport) -> None:
    """Every row's tied-gradient norm, largest first (log-log), the context and target rows
    marked at their ranks."""
    context = sorted(set(report.context_ids))
    target = report.target_id
    order = torch.argsort(report.tied_norms, descending=True, stable=True)  # (V,)
    rank = torch.empty_like(order)  # (V,)
    rank[order] = torch.arange(report.vocab_size)
    floor = 1e-12  # exact zeros drawn at the floor of the log axis
    sorted_norms = report.tied_norms[order].clamp(min=floor).numpy()  # (V,)
    ax.plot(
        torch.arange(1, report.vocab_size + 1).numpy(),
        sorted_norms,
        color="gray",
        lw=1,
        label="every row, largest first (0 drawn at 1e-12)",
    )
    ax.plot(
        [int(rank[i]) + 1 for i in context],
        [max(float(report.tied_norms[i]), floor) for i in context],
        "^",
        color="tab:green",
        ms=9,
        label="context rows",
    )
    ax.plot(
        [int(rank[target]) + 1],
        [max(float(report.tied_norms[target]), floor)],
        "*",
        color="red",
        ms=14,
        label=f"target row {target}",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rank of the row by tied-gradient norm")
    ax.set_ylabel("tied gradient row norm")
    ax.set_title("all rows, sorted", fontsize=10)
    ax.legend(fontsize=8)


def plot_gradient_row_norms(
    report: TiedStepReport, *, title: str = "", axes: Sequence[Axes] | None = None
) -> Figure:
    """Per-row norms of the input-side, output-side and tied gradients of one tied CBOW step.

    Left: the context rows and the target row, with their input-side and output-side norms side
    by side, next to the median row outside them. Right: the tied norm of every row, sorted from
    largest to smallest (log scale), with the context rows (green triangles) and the target row
    (red star) marked at their ranks. Draws a :func:`tied_step_report`.
    Introduced in ``03_tied_weight_backward.ipynb``.

    Args:
        report: a :class:`TiedStepReport`.
        title: the figure's title; ``""`` describes the step. Default: ``""``.
        axes: two empty axes to draw into (a panel's :class:`ReusedFigure`). Default: a new
            figure.
    """
    if not isinstance(report, TiedStepReport):
        raise TypeError(
            f"report must be a TiedStepReport (from tied_step_report), got {type(report).__name__}"
        )
    if not isinstance(title, str):
        raise TypeError(f"title must be a str, got {type(title).__name__}")
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=FIGSIZE, gridspec_kw={"width_ratios": RATIOS})
    left, right = axes
    fig = left.figure
    _draw_parts_by_row(left, report)
    _draw_sorted_tied_norms(right, report)
    fig.suptitle(
        title
        or f"{report.loss.upper()} gradient of the shared W, context "
        f"{list(report.context_ids)} -> target {report.target_id}, V={report.vocab_size:,}"
    )
    lay_out(fig)  # tight; a panel reuses its first draw's margins
    return fig


STEP_VOCAB_CHOICES = (500, 1_000, 10_000, 100_000, 1_000_000, 5_000_000)


def _tied_step_view(
    figure: ReusedFigure,
    context_1: int,
    context_2: int,
    context_3: int,
    context_4: int,
    target_id: int,
    lr: float,
    loss: str,
    vocab_size: int,
    embedding_dim: int,
) -> tuple[object, Figure]:
    report = tied_step_report(
        [context_1, context_2, context_3, context_4],
        target_id,
        lr,
        loss,
        vocab_size=vocab_size,
        embedding_dim=embedding_dim,
    )
    return report, plot_gradient_row_norms(report, axes=figure.clear())


def tied_step_panel() -> Panel:
    """Choose four context ids, a target id, the learning rate, the loss and the sizes; see one
    SGD step of a tied CBOW: loss before and after, and the gradient row norms by side.

    Behind it: :func:`w2v_helpers.lessons.nb03_tied_weight_backward.tied_step_report` (drawn by
    ``plot_gradient_row_norms``). Introduced in
    ``03_tied_weight_backward.ipynb``.
    """
    seed_context = (3, 5, 8, 1)
    controls: dict[str, widgets.ValueWidget] = {
        f"context_{i + 1}": widgets.BoundedIntText(
            description=f"context id {i + 1}", min=0, max=STEP_VOCAB_CHOICES[0] - 1, value=v
        )
        for i, v in enumerate(seed_context)
    }
    controls["target_id"] = widgets.BoundedIntText(
        description="target id", min=0, max=STEP_VOCAB_CHOICES[0] - 1, value=3
    )
    controls["lr"] = _slow_log_slider("learning rate", -3, 1, 0.25, 0.1)
    controls["loss"] = widgets.Dropdown(
        description="loss", options=[("BCE, one-hot", "bce"), ("cross-entropy", "ce")], value="bce"
    )
    controls["vocab_size"] = _choice("vocab size V", STEP_VOCAB_CHOICES, 500)
    controls["embedding_dim"] = _choice("embedding dim E", DIM_CHOICES, 128)
    for control in controls.values():
        control.continuous_update = False  # a step plus a figure per value would queue up
    figure = ReusedFigure(1, 2, figsize=FIGSIZE, gridspec_kw={"width_ratios": RATIOS})
    return make_panel("One SGD step of a tied CBOW", controls, partial(_tied_step_view, figure))
