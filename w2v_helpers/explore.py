"""Pure functions behind the widgets: a configuration in, a printable report out.

Each widget in ``w2v_helpers.widgets`` only moves sliders and prints what one of these returns,
so every report can also be produced (and checked by nbval) in a plain notebook cell.
Every function asks the memory guard before it allocates anything.

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from .memory import check_memory, estimate_cbow_forward_bytes, format_bytes, memory_budget
from .models import CBOW, parameter_table
from .validation import check_positive_int, check_scores

__all__ = [
    "ForwardReport",
    "cbow_forward_report",
    "format_timing",
    "softmax_entropy",
    "SkipGramLossReport",
    "TargetMemoryTable",
    "skipgram_loss_report",
    "target_memory_table",
]

MAX_WINDOW = 1_000
MAX_BATCH = 1_000_000


def format_timing(seconds: float) -> str:
    """A timing with the "(wall clock)" mark that the nbval sanitize rule looks for."""
    return f"{seconds * 1e3:.2f} ms (wall clock)"


def softmax_entropy(scores: torch.Tensor) -> torch.Tensor:
    """Entropy in nats of softmax(scores) along the last axis, computed in float64.

    Uniform over V words gives log V, the maximum. Shape: (*, V) -> (*).
    Introduced in ``01_cbow_forward.ipynb``.
    """
    check_scores("scores", scores, rank=None)
    log_prob = torch.log_softmax(scores.detach().double(), dim=-1)  # (*, V)
    return -(log_prob.exp() * log_prob).sum(dim=-1)  # (*, V) -> (*)


@dataclass(frozen=True)
class ForwardReport:
    """What one CBOW forward pass looks like at a given size. ``str()`` gives the printout."""

    vocab_size: int
    window_size: int
    batch_size: int
    embedding_dim: int
    steps: tuple[tuple[str, tuple[int, ...]], ...]  # (step name, output shape) in order
    parameters: tuple[tuple[str, tuple[int, ...], int, int], ...]  # parameter_table rows
    estimated_bytes: int
    budget_bytes: int
    seconds: float | None  # forward wall time; None when not measured

    @property
    def parameter_count(self) -> int:
        return sum(row[2] for row in self.parameters)

    @property
    def parameter_bytes(self) -> int:
        return sum(row[3] for row in self.parameters)

    def __str__(self) -> str:
        lines = [
            f"CBOW forward at V={self.vocab_size:,} T={self.window_size} "
            f"N={self.batch_size} E={self.embedding_dim}",
            "step                        output shape",
        ]
        lines += [f"  {name:<26}{shape}" for name, shape in self.steps]
        lines.append("parameter          shape                 count        memory")
        for name, shape, count, nbytes in self.parameters:
            lines.append(f"  {name:<17}{str(shape):<18}{count:>13,}  {format_bytes(nbytes):>12}")
        lines.append(
            f"  {'total':<35}{self.parameter_count:>13,}  {format_bytes(self.parameter_bytes):>12}"
        )
        lines.append(
            f"estimated peak memory {format_bytes(self.estimated_bytes)} "
            f"(budget {format_bytes(self.budget_bytes)})"
        )
        if self.seconds is not None:
            lines.append(f"forward time {format_timing(self.seconds)}")
        return "\n".join(lines)


def cbow_forward_report(
    vocab_size: int,
    window_size: int,
    batch_size: int,
    embedding_dim: int,
    *,
    seed: int = 0,
    time_it: bool = True,
) -> ForwardReport:
    """Build an untied CBOW, run one forward pass on random ids, and report shapes and costs.

    Refuses (``MemoryBudgetError``) any configuration whose estimate exceeds the memory budget,
    before allocating. Introduced in ``01_cbow_forward.ipynb``.
    """
    V = check_positive_int("vocab_size", vocab_size)
    T = check_positive_int("window_size", window_size, maximum=MAX_WINDOW)
    N = check_positive_int("batch_size", batch_size, maximum=MAX_BATCH)
    E = check_positive_int("embedding_dim", embedding_dim)
    need = estimate_cbow_forward_bytes(V, T, N, E)
    check_memory(
        need,
        f"CBOW with vocab_size={V:,}, embedding_dim={E}, batch_size={N}, window_size={T}",
        hint="Lower vocab_size or embedding_dim first: the two V x E tables dominate.",
    )
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = CBOW(V, E)
    x = torch.randint(V, (N, T), generator=generator)  # (N, T)
    with torch.no_grad():
        vectors = model.embedding(x)  # (N, T) -> (N, T, E)
        hidden = vectors.mean(dim=1)  # (N, T, E) -> (N, E)
        start = time.perf_counter()
        scores = model(x)  # (N, T) -> (N, V)
        seconds = time.perf_counter() - start if time_it else None
    steps = (
        ("ids x", tuple(x.shape)),
        ("embedding lookup", tuple(vectors.shape)),
        ("mean over T", tuple(hidden.shape)),
        ("scores (linear)", tuple(scores.shape)),
    )
    return ForwardReport(
        vocab_size=V,
        window_size=T,
        batch_size=N,
        embedding_dim=E,
        steps=steps,
        parameters=tuple(parameter_table(model)),
        estimated_bytes=need,
        budget_bytes=memory_budget(),
        seconds=seconds,
    )


# ---- SkipGram targets (04_skipgram_multilabel.ipynb) ----

SCORE_STD = 0.6  # spread of an untrained SkipGram's scores at E=128 (PyTorch's default init)


@dataclass(frozen=True)
class SkipGramLossReport:
    """The four SkipGram losses on one batch of scores, and what each costs.

    ``str()`` gives the printout.
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
    """
    from .memory import estimate_skipgram_loss_report_bytes, estimate_skipgram_target_bytes
    from .targets import (
        collapse_tile_gap,
        has_duplicates,
        skipgram_bce_collapse,
        skipgram_bce_lean,
        skipgram_bce_tile,
        skipgram_ce,
    )

    V = check_positive_int("vocab_size", vocab_size)
    T = check_positive_int("window_size", window_size, maximum=MAX_WINDOW)
    N = check_positive_int("batch_size", batch_size, maximum=MAX_BATCH)
    if isinstance(target_score, bool) or not isinstance(target_score, (int, float)):
        raise TypeError(f"target_score must be a number, got {target_score!r}")
    if not -50 <= target_score <= 50:
        raise ValueError(f"target_score must lie in [-50, 50], got {target_score!r}")
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
        ("tile", skipgram_bce_tile),
        ("collapse", skipgram_bce_collapse),
        ("lean", skipgram_bce_lean),
        ("softmax CE", skipgram_ce),
    )
    losses, seconds = [], []
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
        gap_closed_form=float(collapse_tile_gap(scores, y)),
        duplicate_rows=int(has_duplicates(y).sum()),
        count_loss=float(skipgram_bce_collapse(scores, y, duplicates="count")),
        target_bytes=tuple(
            (m, estimate_skipgram_target_bytes(V, T, N, m)) for m in ("tile", "collapse", "lean")
        ),
        estimated_bytes=need,
        budget_bytes=memory_budget(),
        seconds=tuple(seconds) if time_it else None,
    )


@dataclass(frozen=True)
class TargetMemoryTable:
    """Bytes of each method's target tensors (float32) over a grid of sizes. Allocates nothing."""

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


def target_memory_table(
    vocab_sizes: tuple[int, ...], window_sizes: tuple[int, ...], batch_size: int
) -> TargetMemoryTable:
    """Tile vs collapse vs lean target bytes for every (V, T) pair; arithmetic only.

    Introduced in ``04_skipgram_multilabel.ipynb``.
    """
    from .memory import estimate_skipgram_target_bytes

    for name, values in (("vocab_sizes", vocab_sizes), ("window_sizes", window_sizes)):
        if not isinstance(values, (tuple, list)) or not values:
            raise TypeError(f"{name} must be a non-empty tuple of whole numbers, got {values!r}")
    N = check_positive_int("batch_size", batch_size, maximum=MAX_BATCH)
    rows = []
    for V in vocab_sizes:
        check_positive_int("vocab_sizes[i]", V)
        for T in window_sizes:
            check_positive_int("window_sizes[i]", T, maximum=MAX_WINDOW)
            sizes = [
                estimate_skipgram_target_bytes(V, T, N, m) for m in ("tile", "collapse", "lean")
            ]
            rows.append((V, T, *sizes))
    return TargetMemoryTable(batch_size=N, rows=tuple(rows), budget_bytes=memory_budget())
