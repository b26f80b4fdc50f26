"""Lesson code of ``04_skipgram_multilabel.ipynb`` (One teacher, many students): its reports,
panel, figures and exercise checks. The concepts it uses live in the core modules (models,
targets, memory, validation). A subpackage: the exercise checks live in ``exercises`` and are
re-exported here, so the notebook imports every name from this package.

Shape glossary: N batch, T = 2w context words, V vocabulary, E embedding dim.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ... import targets
from ...memory import (
    SKIPGRAM_TARGET_METHODS,
    check_memory,
    estimate_skipgram_loss_report_bytes,
    estimate_skipgram_target_bytes,
    format_bytes,
    memory_budget,
)
from ...validation import MAX_BATCH, MAX_WINDOW, check_number, check_positive_int
from ..formatting import format_timing
from ..panel import BATCH_CHOICES, Panel, _choice, busy_above, make_panel
from .exercises import check_best_tile_score, check_lean_loss, check_multi_hot

__all__ = [
    "SCORE_STD",
    "SkipGramLossReport",
    "skipgram_loss_report",
    "TargetMemoryTable",
    "target_memory_table",
    "check_best_tile_score",
    "check_multi_hot",
    "check_lean_loss",
    "plot_target_memory",
    "SKIPGRAM_VOCAB_CHOICES",
    "skipgram_loss_panel",
]


SCORE_STD = 0.6  # spread of an untrained SkipGram's scores at E=128 (PyTorch's default init)
SKIPGRAM_VOCAB_CHOICES = (10, 100, 1_000, 10_000, 50_000, 100_000, 300_000, 1_000_000, 5_000_000)


@dataclass(frozen=True, kw_only=True)
class SkipGramLossReport:
    """The four SkipGram losses on one batch of scores, and what each costs.

    ``str()`` gives the printout. Introduced in ``04_skipgram_multilabel.ipynb``.
    """

    vocab_size: int
    window_size: int
    batch_size: int
    target_score: float  # added to the scores at the context columns, as training would
    losses: tuple[tuple[str, float], ...]  # (method, loss) in print order
    gap: float  # collapse - tile, measured
    gap_closed_form: float  # collapse - tile, from w2v_helpers.targets.collapse_tile_gap
    duplicate_rows: int  # windows holding some id twice
    count_loss: float  # collapse with duplicates="count", the pitfall
    target_bytes: tuple[tuple[str, int], ...]  # (method, bytes of its target tensors, float32)
    estimated_bytes: int
    budget_bytes: int
    seconds: tuple[tuple[str, float], ...] | None  # (method, wall time); None when not measured

    @property
    def agree_to_4_decimals(self) -> bool:
        values = dict(self.losses)
        return f"{values['collapse']:.4f}" == f"{values['tile']:.4f}"

    def __str__(self) -> str:
        V, T, N = self.vocab_size, self.window_size, self.batch_size
        losses = dict(self.losses)
        nbytes = dict(self.target_bytes)
        times = dict(self.seconds or ())
        lines = [
            f"SkipGram losses at V={V:,} T={T} N={N}, scores ~ N(0, {SCORE_STD}^2) "
            f"+ {self.target_score:g} at context words (float64)",
            "method       loss        target tensors (float32)",
        ]
        for name, value in self.losses:
            size = format_bytes(nbytes[name]) if name in nbytes else "-"
            time_text = f"  {format_timing(times[name])}" if name in times else ""
            lines.append(f"  {name:<10}{value:>8.4f}    {size:>12}{time_text}")
        lines += [
            f"collapse - tile = {self.gap:+.2e}, closed form {self.gap_closed_form:+.2e}, "
            f"match: {abs(self.gap - self.gap_closed_form) < 1e-10}",
            f"collapse and tile agree to 4 decimals: {self.agree_to_4_decimals}",
            f"windows with a repeated id: {self.duplicate_rows} of {N}"
            + (
                f" (duplicates='count' gives {self.count_loss:.4f} instead of "
                f"{losses['collapse']:.4f})"
                if self.duplicate_rows
                else ""
            ),
            f"estimated peak memory {format_bytes(self.estimated_bytes)} "
            f"(budget {format_bytes(self.budget_bytes)})",
        ]
        return "\n".join(lines)


def skipgram_loss_report(
    vocab_size: int,
    window_size: int,
    batch_size: int,
    target_score: float = 0.0,
    *,
    seed: int = 0,
    time_it: bool = True,
) -> SkipGramLossReport:
    """Random SkipGram scores and context ids; the tile, collapse, lean and softmax losses.

    Scores are drawn like an untrained model's, N(0, 0.6²), plus ``target_score`` at the context
    columns (training pushes those up). Everything runs in float64, so the collapse - tile gap
    printed is the maths, not float32 rounding. Refuses (``MemoryBudgetError``) any size whose
    estimate exceeds the budget, before allocating. Introduced in ``04_skipgram_multilabel.ipynb``.

    Args:
        vocab_size: V, a whole number >= 1.
        window_size: T, context ids per centre word, 1 to ``MAX_WINDOW`` (1,000).
        batch_size: N, 1 to ``MAX_BATCH`` (1,000,000).
        target_score: added to the scores at the context ids, in [-50, 50]. Default: 0.
        seed: seeds the scores and the context ids. Default: 0.
        time_it: keep each loss's wall time (``seconds``); ``None`` if ``False``. Default: ``True``.
    """
    V = check_positive_int("vocab_size", vocab_size)
    T = check_positive_int("window_size", window_size, maximum=MAX_WINDOW)
    N = check_positive_int("batch_size", batch_size, maximum=MAX_BATCH)
    target_score = check_number("target_score", target_score, low=-50, high=50)
    need = estimate_skipgram_loss_report_bytes(V, T, N)
    check_memory(
        need,
        f"SkipGram losses with vocab_size={V:,}, window_size={T}, batch_size={N}",
        hint="The tile loss holds three (N, T, V) tensors: lower vocab_size, then batch_size.",
    )
    generator = torch.Generator().manual_seed(seed)
    scores = SCORE_STD * torch.randn(N, V, generator=generator, dtype=torch.float64)  # (N, V)
    y = torch.randint(V, (N, T), generator=generator)  # (N, T)
    raise_by = torch.full((N, T), float(target_score), dtype=torch.float64)  # (N, T)
    scores.scatter_add_(1, y, raise_by)  # (N, V) += target_score at the (N, T) context ids
    methods = (
        ("tile", targets.skipgram_bce_tile),
        ("collapse", targets.skipgram_bce_collapse),
        ("lean", targets.skipgram_bce_lean),
        ("softmax CE", targets.skipgram_ce),
    )
    losses = []
    seconds = []
    for name, loss_fn in methods:
        start = time.perf_counter()
        value = float(loss_fn(scores, y))
        seconds.append((name, time.perf_counter() - start))
        losses.append((name, value))
    values = dict(losses)
    return SkipGramLossReport(
        vocab_size=V,
        window_size=T,
        batch_size=N,
        target_score=float(target_score),
        losses=tuple(losses),
        gap=values["collapse"] - values["tile"],
        gap_closed_form=float(targets.collapse_tile_gap(scores, y)),
        duplicate_rows=int(targets.has_duplicates(y).sum()),
        count_loss=float(targets.skipgram_bce_collapse(scores, y, duplicates="count")),
        target_bytes=tuple(
            (m, estimate_skipgram_target_bytes(V, T, N, m)) for m in ("tile", "collapse", "lean")
        ),
        estimated_bytes=need,
        budget_bytes=memory_budget(),
        seconds=tuple(seconds) if time_it else None,
    )


@dataclass(frozen=True, kw_only=True)
class TargetMemoryTable:
    """Bytes of each method's target tensors (float32) over a grid of sizes. Allocates nothing.

    Introduced in ``04_skipgram_multilabel.ipynb``.
    """

    batch_size: int
    rows: tuple[tuple[int, int, int, int, int], ...]  # (V, T, tile, collapse, lean) bytes
    budget_bytes: int

    def __str__(self) -> str:
        lines = [
            f"target tensors at N={self.batch_size} (float32; budget "
            f"{format_bytes(self.budget_bytes)})",
            "        V    T          tile      collapse          lean   tile/collapse",
        ]
        for V, T, tile, collapsed, lean in self.rows:
            flag = "  over budget" if tile > self.budget_bytes else ""
            lines.append(
                f"{V:>9,} {T:>4} {format_bytes(tile):>13} {format_bytes(collapsed):>13} "
                f"{format_bytes(lean):>13} {tile / collapsed:>13.0f}x{flag}"
            )
        return "\n".join(lines)


MAX_TABLE_SIZES = 100  # vocabulary or window sizes in one memory table


def target_memory_table(
    vocab_sizes: tuple[int, ...], window_sizes: tuple[int, ...], batch_size: int
) -> TargetMemoryTable:
    """Tile vs collapse vs lean target bytes for every (V, T) pair; arithmetic only.

    Introduced in ``04_skipgram_multilabel.ipynb``.

    Args:
        vocab_sizes: the V of the rows, a tuple of 1 to 100 whole numbers >= 1.
        window_sizes: the T for each V, a tuple of 1 to 100 whole numbers in [1, 1,000].
        batch_size: N, 1 to ``MAX_BATCH`` (1,000,000).
    """
    for name, values in (("vocab_sizes", vocab_sizes), ("window_sizes", window_sizes)):
        if not isinstance(values, (tuple, list)) or not values:
            raise TypeError(f"{name} must be a non-empty tuple of whole numbers, got {values!r}")
        if len(values) > MAX_TABLE_SIZES:
            raise ValueError(
                f"{name} must hold at most {MAX_TABLE_SIZES} sizes, got {len(values):,}"
            )
    N = check_positive_int("batch_size", batch_size, maximum=MAX_BATCH)
    rows = []
    for V in vocab_sizes:
        check_positive_int("vocab_sizes[i]", V)
        for T in window_sizes:
            check_positive_int("window_sizes[i]", T, maximum=MAX_WINDOW)
            sizes = [estimate_skipgram_target_bytes(V, T, N, m) for m in SKIPGRAM_TARGET_METHODS]
            rows.append((V, T, *sizes))
    return TargetMemoryTable(batch_size=N, rows=tuple(rows), budget_bytes=memory_budget())


def plot_target_memory(
    vocab_size: int = 50_000, window_size: int = 4, batch_size: int = 16
) -> Figure:
    """Bytes of the tile, collapse and lean targets against V (left) and against T (right).

    Log scale on the bytes axis; the dashed line is the memory budget of the widgets. The numbers
    come from :func:`w2v_helpers.memory.estimate_skipgram_target_bytes` (float32), which the
    notebook checks against real tensors. Introduced in ``04_skipgram_multilabel.ipynb``.

    Args:
        vocab_size: V for the right panel, marked on the left; >= 1. Default: 50,000.
        window_size: T for the left panel, marked on the right; >= 1. Default: 4.
        batch_size: N, a whole number >= 1. Default: 16.
    """
    V = check_positive_int("vocab_size", vocab_size)
    T = check_positive_int("window_size", window_size)
    N = check_positive_int("batch_size", batch_size)
    vocab_grid = [10**k for k in range(2, 8)]  # V: 100 ... 1e7
    window_grid = list(range(1, 21))  # T: 1 ... 20
    budget = memory_budget()
    colors = {"tile": "tab:red", "collapse": "tab:blue", "lean": "tab:green"}
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for method in SKIPGRAM_TARGET_METHODS:
        by_v = [estimate_skipgram_target_bytes(v, T, N, method) for v in vocab_grid]
        by_t = [estimate_skipgram_target_bytes(V, t, N, method) for t in window_grid]
        left.loglog(vocab_grid, by_v, "o-", color=colors[method], label=method)
        right.semilogy(window_grid, by_t, "o-", color=colors[method], label=method, ms=3)
    for ax in (left, right):
        ax.axhline(budget, color="black", ls="--", lw=1, label=f"budget {format_bytes(budget)}")
    left.set_yticks([1 << 10, 1 << 20, 1 << 30, 1 << 40], ["1 KiB", "1 MiB", "1 GiB", "1 TiB"])
    left.yaxis.set_minor_locator(plt.NullLocator())
    left.axvline(V, color="gray", ls=":", lw=1)
    right.axvline(T, color="gray", ls=":", lw=1)
    left.set(xlabel="vocabulary size V", ylabel="bytes of target tensors")
    left.set_title(f"against V (T={T}, N={N})")
    right.set(xticks=[1, 5, 10, 15, 20], xlabel="window size T")
    right.set_title(f"against T (V={V:,}, N={N})")
    left.legend(loc="upper left", fontsize=8)
    fig.suptitle("tile grows with N·T·V, collapse with N·V, lean with N·T only")
    fig.tight_layout()
    return fig


def skipgram_loss_panel() -> Panel:
    """Vary V, T, N and the context scores; compare tile, collapse, lean and softmax CE and the
    memory their targets need (sizes over budget refused). Starts at N=4, where a move answers at
    once; a tile over 4 million entries says it is working. Behind it:
    :func:`w2v_helpers.lessons.nb04_skipgram_multilabel.skipgram_loss_report`. Introduced in
    ``04_skipgram_multilabel.ipynb``.
    """
    controls = {
        "vocab_size": _choice("vocab size V", SKIPGRAM_VOCAB_CHOICES, 50_000),
        "window_size": widgets.IntSlider(description="window size T", min=1, max=50, value=4),
        "batch_size": _choice("batch size N", BATCH_CHOICES, 4),
        "target_score": widgets.FloatSlider(
            description="context score +", min=0.0, max=10.0, step=0.5, value=0.0
        ),
    }
    tile = busy_above(4e6, "the tile loss, N x T x V", "vocab_size", "window_size", "batch_size")
    return make_panel("SkipGram: one teacher, many students", controls, skipgram_loss_report, tile)
