"""Lesson code of ``02_bce_vs_ce.ipynb`` (Two ways to score the right word): its reports, panel,
figures and exercise checks. The concepts it uses live in the core modules (losses, gradients,
memory, validation). A subpackage: the exercise checks live in ``exercises`` and are re-exported
here, so the notebook imports every name from this package.

Shape glossary: N batch, w window radius, T = 2w context words per example, V vocabulary,
E embedding dim.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...losses import bce_naive, bce_stable, ce_naive, ce_stable
from ...memory import FLOAT32, check_memory, estimate_loss_scan_bytes, format_bytes
from ...validation import MAX_BATCH, check_number, check_positive_int
from ..panel import Panel, ReusedFigure, _slow_choice, _slow_log_slider, lay_out, make_panel
from .exercises import check_initial_losses, check_stable_bce

__all__ = [
    "VOCAB_LADDER",
    "MAX_LOGIT_SCALE",
    "MAX_SCAN_POINTS",
    "LossScaleReport",
    "loss_scale_report",
    "StabilityScan",
    "stability_scan",
    "check_stable_bce",
    "check_initial_losses",
    "plot_loss_vs_vocab",
    "plot_bce_element_loss",
    "plot_stability_scan",
    "LOSS_VOCAB_CHOICES",
    "loss_scale_panel",
]


VOCAB_LADDER = (10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000)
MAX_LOGIT_SCALE = 1_000.0
MAX_SCAN_POINTS = 200
LOSS_VOCAB_CHOICES = (10, 100, 1_000, 10_000, 50_000, 100_000, 1_000_000, 5_000_000, 10_000_000)


@dataclass(frozen=True, kw_only=True)
class LossScaleReport:
    """BCE and CE of random logits with one right word per row, at a ladder of vocabulary sizes.

    ``str()`` gives the table; ``plot_loss_vs_vocab`` draws it.
    Introduced in ``02_bce_vs_ce.ipynb``.
    """

    vocab_size: int  # the V asked for: the last row of the ladder
    logit_scale: float  # the logits are logit_scale * N(0, 1)
    batch_size: int
    rows: tuple[tuple[int, float, float], ...]  # (V, BCE, CE), V increasing
    estimated_bytes: int

    def __str__(self) -> str:
        lines = [
            f"random logits with std {self.logit_scale:g}, N={self.batch_size}, "
            "one right word per row",
            "        V        BCE   log 2        CE   log V",
        ]
        for V, bce, ce in self.rows:
            lines.append(f"  {V:>9,}  {bce:8.4f}  {math.log(2):.4f}  {ce:8.4f}  {math.log(V):6.4f}")
        lines.append(f"estimated peak memory {format_bytes(self.estimated_bytes)}")
        return "\n".join(lines)


def loss_scale_report(
    vocab_size: int, logit_scale: float, *, batch_size: int = 16, seed: int = 0
) -> LossScaleReport:
    """Built-in BCE (one-hot targets) and CE for random logits, at V = 10, 100, ... up to V.

    Shows why the two losses start far apart: BCE averages N*V binary decisions and sits near
    log 2 for small logits, CE scores one choice among V per row and sits near log V.
    Refuses (``MemoryBudgetError``) before allocating if the largest V is over budget.
    Introduced in ``02_bce_vs_ce.ipynb``.

    Args:
        vocab_size: the largest V, a whole number >= 2; the smaller ``VOCAB_LADDER`` sizes too.
        logit_scale: the logits' standard deviation, in (0, ``MAX_LOGIT_SCALE``] (1,000).
        batch_size: N, 1 to ``MAX_BATCH`` (1,000,000). Default: 16.
        seed: seeds each V's logits and right words. Default: 0.
    """
    V = check_positive_int("vocab_size", vocab_size)
    if V < 2:
        raise ValueError(f"vocab_size must be at least 2 (one right, one wrong word), got {V}")
    scale = check_number("logit_scale", logit_scale, low=0.0, high=MAX_LOGIT_SCALE, low_open=True)
    N = check_positive_int("batch_size", batch_size, maximum=MAX_BATCH)
    need = estimate_loss_scan_bytes(N, V)
    check_memory(
        need,
        f"losses over a ({N}, {V:,}) score matrix",
        hint="Lower vocab_size: every row scores every word.",
    )
    rows = []
    for v in [v for v in VOCAB_LADDER if v < V] + [V]:
        generator = torch.Generator().manual_seed(seed)
        scores = scale * torch.randn(N, v, generator=generator)  # (N, V)
        y = torch.randint(v, (N,), generator=generator)  # (N,)
        onehot = torch.nn.functional.one_hot(y, v).float()  # (N,) -> (N, V)
        bce = torch.nn.functional.binary_cross_entropy_with_logits(scores, onehot)
        ce = torch.nn.functional.cross_entropy(scores, y)
        rows.append((v, float(bce), float(ce)))
        del scores, onehot
    return LossScaleReport(
        vocab_size=V, logit_scale=scale, batch_size=N, rows=tuple(rows), estimated_bytes=need
    )


@dataclass(frozen=True, kw_only=True)
class StabilityScan:
    """Naive, stable and built-in losses of the same logits, scaled up step by step.

    Each row: (scale, BCE built-in, BCE naive, BCE stable, CE built-in, CE naive, CE stable).
    ``widest`` holds, per scale, the largest gap between a row's highest and lowest score: the
    naive CE turns NaN once it passes about 104 = -ln(2**-150), where softmax rounds to 0 (about
    87 on a machine that flushes subnormal numbers to zero).
    Introduced in ``02_bce_vs_ce.ipynb``.
    """

    vocab_size: int
    batch_size: int
    eps: float
    rows: tuple[tuple[float, float, float, float, float, float, float], ...]
    widest: tuple[float, ...]  # (scales,) largest max - min of a row of scores

    def __str__(self) -> str:
        lines = [
            f"N={self.batch_size} V={self.vocab_size:,}; naive BCE with eps={self.eps:g}, "
            "naive CE without eps",
            "   scale  BCE built-in     naive    stable   CE built-in     naive    stable"
            "  widest row",
        ]
        for (scale, bb, bn, bs, cb, cn, cs), widest in zip(self.rows, self.widest, strict=True):
            # 4 significant digits: float32 sums over N*V elements are good to about 6, and a
            # printed digit must not hinge on the last one or two (tools/margins.py checks)
            lines.append(
                f"  {scale:6g}  {bb:12.4g} {bn:9.4g} {bs:9.4g}  {cb:12.4g} {cn:9.4g} {cs:9.4g}"
                f"  {widest:10.1f}"
            )
        return "\n".join(lines)


def stability_scan(
    scales: Sequence[float],
    *,
    vocab_size: int = 50_000,
    batch_size: int = 16,
    eps: float = 1e-8,
    seed: int = 0,
) -> StabilityScan:
    """Evaluate every BCE and CE variant on ``scale * z`` for one fixed standard-normal z.

    The naive forms come from ``w2v_helpers.losses`` (BCE through sigmoid then log, with ``eps``;
    CE through softmax then log, without); the stable forms work on the logits; the built-ins are
    ``F.binary_cross_entropy_with_logits`` and ``F.cross_entropy``. Float32, like a model. The
    draw: a ``torch.Generator`` seeded with ``seed`` gives z = randn(N, V), then the right words
    y = randint(V, (N,)). Introduced in ``02_bce_vs_ce.ipynb``.

    Args:
        scales: 1 to ``MAX_SCAN_POINTS`` (200) logit scales, each in (0, 1,000].
        vocab_size: V, a whole number >= 1. Default: 50,000.
        batch_size: N, 1 to ``MAX_BATCH`` (1,000,000). Default: 16.
        eps: the naive BCE's eps, in (0, 0.5]. Default: 1e-8.
        seed: seeds the draw of z and y. Default: 0.
    """
    if isinstance(scales, (str, bytes)) or not isinstance(scales, Sequence):
        raise TypeError(f"scales must be a sequence of numbers, got {type(scales).__name__}")
    if not 1 <= len(scales) <= MAX_SCAN_POINTS:
        raise ValueError(f"scales must hold 1 to {MAX_SCAN_POINTS} numbers, got {len(scales)}")
    checked = [
        check_number("scales", s, low=0.0, high=MAX_LOGIT_SCALE, low_open=True) for s in scales
    ]
    V = check_positive_int("vocab_size", vocab_size)
    N = check_positive_int("batch_size", batch_size, maximum=MAX_BATCH)
    eps = check_number("eps", eps, low=0.0, high=0.5, low_open=True)
    check_memory(  # plus z, the one-hot targets (int64, then float), the scaled scores and the
        # naive losses' temporaries: measured 9.2 (N, V) float32 tensors at once
        estimate_loss_scan_bytes(N, V) + FLOAT32 * 6 * N * V,
        f"a loss scan over a ({N}, {V:,}) score matrix",
        hint="Lower vocab_size or batch_size.",
    )
    generator = torch.Generator().manual_seed(seed)
    z = torch.randn(N, V, generator=generator)  # (N, V)
    y = torch.randint(V, (N,), generator=generator)  # (N,)
    onehot = torch.nn.functional.one_hot(y, V).float()  # (N,) -> (N, V)
    spread = float((z.amax(dim=1) - z.amin(dim=1)).max())  # (N, V) -> (N,) -> widest row of z
    rows = []
    for scale in checked:
        scores = scale * z  # (N, V)
        losses = (
            torch.nn.functional.binary_cross_entropy_with_logits(scores, onehot),
            bce_naive(scores, onehot, eps=eps),
            bce_stable(scores, onehot),
            torch.nn.functional.cross_entropy(scores, y),
            ce_naive(scores, y),
            ce_stable(scores, y),
        )
        rows.append((scale, *map(float, losses)))
    return StabilityScan(
        vocab_size=V,
        batch_size=N,
        eps=eps,
        rows=tuple(rows),
        widest=tuple(scale * spread for scale in checked),
    )


def plot_loss_vs_vocab(report: LossScaleReport, *, ax: Axes | None = None) -> Figure:
    """BCE and CE of random logits against the vocabulary size, with log 2 and log V marked.

    Draws the rows of :func:`loss_scale_report`. Introduced in ``02_bce_vs_ce.ipynb``.

    Args:
        report: a :class:`LossScaleReport`.
        ax: empty axes to draw into (a panel's :class:`ReusedFigure`). Default: a new figure.
    """
    if not isinstance(report, LossScaleReport):
        raise TypeError(f"report must be a LossScaleReport, got {type(report).__name__}")
    vs = [row[0] for row in report.rows]
    fig, ax = plt.subplots(figsize=(7, 3.6)) if ax is None else (ax.figure, ax)
    ax.plot(vs, [row[2] for row in report.rows], "o-", color="tab:red", label="CE (built-in)")
    ax.plot(vs, [math.log(v) for v in vs], "--", color="tab:red", alpha=0.6, label="log V")
    ax.plot(vs, [row[1] for row in report.rows], "o-", color="tab:blue", label="BCE (built-in)")
    ax.axhline(math.log(2), ls="--", color="tab:blue", alpha=0.6, label="log 2")
    ax.axvline(report.vocab_size, color="gray", lw=0.8)
    title = f"initial losses, logits ~ {report.logit_scale:g} x N(0, 1), N={report.batch_size}"
    ax.set(xscale="log", xlabel="vocabulary size V", ylabel="loss (nats)", title=title)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize=9)
    lay_out(fig)  # tight; a panel reuses its first draw's margins
    return fig


def plot_bce_element_loss(eps: float = 1e-8, s_max: float = 40.0) -> Figure:
    """One wrong word's BCE term, -log(1 - sigmoid(s)), exact and as the naive float32 formula.

    The exact curve is softplus(s) in float64; the naive one is ``-log(1 - sigmoid(s) + eps)`` in
    float32, which flattens at -log(eps) once sigmoid(s) rounds to 1. The right panel shows each
    one's slope (autograd): the naive slope drops to 0 exactly where the word most needs a push.
    Introduced in ``02_bce_vs_ce.ipynb``.

    Args:
        eps: the naive formula's eps, in (0, 0.5). Default: 1e-8.
        s_max: the right end of the score axis, in [1, 200]. Default: 40.
    """
    eps = check_number("eps", eps, low=0, high=0.5, low_open=True, high_open=True)
    s_max = check_number("s_max", s_max, low=1, high=200)
    s64 = torch.linspace(-5, s_max, 2_000, dtype=torch.float64, requires_grad=True)  # (2000,)
    exact = torch.nn.functional.softplus(s64)  # (2000,)
    (exact_slope,) = torch.autograd.grad(exact.sum(), s64)
    s32 = s64.detach().float().requires_grad_(True)  # (2000,)
    naive = -torch.log(1 - torch.sigmoid(s32) + eps)  # (2000,)
    (naive_slope,) = torch.autograd.grad(naive.sum(), s32)
    s, exact, naive = (t.detach().numpy() for t in (s64, exact, naive))
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    left.plot(s, exact, color="black", label="exact: softplus(s)")
    left.plot(s, naive, color="tab:orange", ls="--", lw=2, label=f"naive float32, eps={eps:g}")
    cap = -math.log(eps)  # where the naive loss flattens
    left.axhline(cap, color="gray", lw=0.8, ls=":", label=f"-log(eps) = {cap:.2f}")
    left.set(xlabel="score s of a wrong word (target 0)", ylabel="loss term (nats)")
    left.legend(fontsize=9)
    right.plot(s, exact_slope.numpy(), color="black", label="exact: sigmoid(s)")
    right.plot(s, naive_slope.numpy(), color="tab:orange", ls="--", lw=2, label="naive float32")
    right.set(xlabel="score s of a wrong word (target 0)", ylabel="d loss / d s")
    right.legend(fontsize=9)
    fig.suptitle("the naive BCE term caps the loss and kills the gradient of confident mistakes")
    fig.tight_layout()
    return fig


NAN_LABEL = "naive is NaN (drawn at 1e2)"
FLOOR_LABEL = "below 1e-9, exact 0 too (drawn at 1e-9)"


def plot_stability_scan(scan: StabilityScan) -> Figure:
    """How far the naive and stable losses are from the built-ins as the logits grow.

    Left BCE, right CE; the y axis is ``|got - built-in| / max(1, |built-in|)`` (a relative
    error once the loss passes 1) on a log scale, with differences below 1e-9, exact zeros
    included, drawn at 1e-9 and a dotted line at 1e-6, the size of float32 round-off in a mean
    over many elements. Non-finite naive CE values are marked with a red x at 1e2, and the
    figure says so. Draws the rows of :func:`stability_scan`.
    Introduced in ``02_bce_vs_ce.ipynb``.

    Args:
        scan: a :class:`StabilityScan`.
    """
    if not isinstance(scan, StabilityScan):
        raise TypeError(
            f"scan must be a StabilityScan (from stability_scan), got {type(scan).__name__}"
        )
    floor = 1e-9  # smaller errors are drawn at this floor
    top = 1e2  # where a non-finite loss is drawn
    scales = [row[0] for row in scan.rows]

    def error(got: float, ref: float) -> float:
        return max(abs(got - ref) / max(1.0, abs(ref)), floor) if math.isfinite(got) else top

    pairs = list(zip(scales, scan.rows, strict=True))
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    for ax, name, (b, n, st) in zip(axes, ("BCE", "CE"), ((1, 2, 3), (4, 5, 6)), strict=True):
        naive = [(s, error(row[n], row[b])) for s, row in pairs if math.isfinite(row[n])]
        bad = [s for s, row in pairs if not math.isfinite(row[n])]
        stable = [error(row[st], row[b]) for row in scan.rows]
        ax.plot(*zip(*naive, strict=True), "o-", color="tab:orange", label=f"naive {name}")
        if bad:
            ax.plot(bad, [top] * len(bad), "x", color="red", ms=9, mew=2, label=NAN_LABEL)
        ax.plot(scales, stable, "s-", color="tab:green", ms=4, label=f"stable {name}")
        ax.axhline(1e-6, color="gray", ls=":", lw=1, label="float32 round-off")
        ax.axhline(floor, color="black", lw=0.6, label=FLOOR_LABEL)
        ax.set(xscale="log", yscale="log", xlabel="logit scale (std of the scores)")
        ax.set(ylim=(floor / 2, top * 5), title=f"{name}: distance from the built-in")
        ax.legend(fontsize=7, loc="center left")
    axes[0].set_ylabel("|got - built-in| / max(1, |built-in|)")
    fig.tight_layout()
    return fig


def _loss_scale_view(figure: ReusedFigure, vocab_size: int, logit_scale: float) -> tuple:
    report = loss_scale_report(vocab_size, logit_scale)
    return report, plot_loss_vs_vocab(report, ax=figure.clear()[0])


def loss_scale_panel() -> Panel:
    """Vary V and the logit scale; see BCE and CE of random logits against V, with log 2, log V.

    Behind it: :func:`w2v_helpers.lessons.nb02_bce_vs_ce.loss_scale_report` (drawn by
    ``plot_loss_vs_vocab``). Introduced in ``02_bce_vs_ce.ipynb``.
    """
    controls = {
        "vocab_size": _slow_choice("vocab size V", LOSS_VOCAB_CHOICES, 50_000),
        "logit_scale": _slow_log_slider("logit scale", -2, 2, 0.25, 0.1),
    }
    view = functools.partial(_loss_scale_view, ReusedFigure(figsize=(7, 3.6)))
    return make_panel("Initial loss against vocabulary size", controls, view)
