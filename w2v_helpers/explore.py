"""Pure functions behind the widgets: a configuration in, a printable report out.

Each widget in ``w2v_helpers.widgets`` only moves sliders and prints what one of these returns,
so every report can also be produced (and checked by nbval) in a plain notebook cell.
Every function asks the memory guard before it allocates anything.

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .gradients import _check_loss, row_norms, rows_with_gradient, split_tied_gradient
from .losses import bce_naive, bce_stable, ce_naive, ce_stable
from .memory import (
    FLOAT32,
    check_memory,
    estimate_cbow_forward_bytes,
    estimate_loss_scan_bytes,
    estimate_tied_step_bytes,
    format_bytes,
    memory_budget,
)
from .models import CBOW, parameter_table
from .validation import check_positive_int, check_scores

__all__ = [
    "ForwardReport",
    "cbow_forward_report",
    "format_rate",
    "format_time_ratio",
    "format_timing",
    "softmax_entropy",
    "SkipGramLossReport",
    "TargetMemoryTable",
    "skipgram_loss_report",
    "target_memory_table",
    "LossScaleReport",
    "StabilityScan",
    "TiedStepReport",
    "loss_scale_report",
    "stability_scan",
    "tied_step_report",
]

MAX_WINDOW = 1_000
MAX_BATCH = 1_000_000


def format_timing(seconds: float) -> str:
    """A timing with the "(wall clock)" mark that the nbval sanitize rule looks for.

    Introduced in ``01_cbow_forward.ipynb``.
    """
    return f"{seconds * 1e3:.2f} ms (wall clock)"


def format_rate(count: float, seconds: float, unit: str = "words") -> str:
    """A throughput with the "(wall clock)" mark that the nbval sanitize rule looks for.

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    if not seconds > 0:
        raise ValueError(f"seconds must be positive, got {seconds!r}")
    return f"{count / seconds:,.0f} {unit}/s (wall clock)"


def format_time_ratio(slow_seconds: float, fast_seconds: float) -> str:
    """How many times as long one timing is as another, with the "(wall clock)" mark.

    A ratio of two timings is as volatile as the timings: on a loaded machine, or with more
    threads than free cores, a short step can stall while a long one does not. So it is printed,
    masked by the nbval sanitize rules, and never turned into a checked True/False.
    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    for name, value in (("slow_seconds", slow_seconds), ("fast_seconds", fast_seconds)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    return f"{slow_seconds / fast_seconds:,.0f}x as long (wall clock)"


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
    """What one CBOW forward pass looks like at a given size. ``str()`` gives the printout.

    Introduced in ``01_cbow_forward.ipynb``.
    """

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

    Introduced in ``04_skipgram_multilabel.ipynb``.
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


# --- Introduced in 02_bce_vs_ce.ipynb and 03_tied_weight_backward.ipynb -----------------------

VOCAB_LADDER = (10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000)
MAX_LOGIT_SCALE = 1_000.0
MAX_SCAN_POINTS = 200


def _check_number(name: str, value: object, *, low: float, high: float) -> float:
    """Return ``value`` as a float if it is a real number in (low, high]; raise otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not low < value <= high:  # also rejects NaN
        raise ValueError(f"{name} must be in ({low:g}, {high:g}], got {value!r}")
    return value


@dataclass(frozen=True)
class LossScaleReport:
    """BCE and CE of random logits with one right word per row, at a ladder of vocabulary sizes.

    ``str()`` gives the table; ``w2v_helpers.plots.plot_loss_vs_vocab`` draws it.
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
    """
    V = check_positive_int("vocab_size", vocab_size)
    if V < 2:
        raise ValueError(f"vocab_size must be at least 2 (one right, one wrong word), got {V}")
    scale = _check_number("logit_scale", logit_scale, low=0.0, high=MAX_LOGIT_SCALE)
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


@dataclass(frozen=True)
class StabilityScan:
    """Naive, stable and built-in losses of the same logits, scaled up step by step.

    Each row: (scale, BCE built-in, BCE naive, BCE stable, CE built-in, CE naive, CE stable).
    ``widest`` holds, per scale, the largest gap between a row's highest and lowest score: the
    naive CE turns NaN once it passes ln(2**-149) ~ -103.3 in magnitude, where softmax underflows
    to 0 (about 87.3 on a machine that flushes subnormal numbers to zero).
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
    """
    if isinstance(scales, (str, bytes)) or not isinstance(scales, Sequence):
        raise TypeError(f"scales must be a sequence of numbers, got {type(scales).__name__}")
    if not 1 <= len(scales) <= MAX_SCAN_POINTS:
        raise ValueError(f"scales must hold 1 to {MAX_SCAN_POINTS} numbers, got {len(scales)}")
    checked = [_check_number("scales", s, low=0.0, high=MAX_LOGIT_SCALE) for s in scales]
    V = check_positive_int("vocab_size", vocab_size)
    N = check_positive_int("batch_size", batch_size, maximum=MAX_BATCH)
    eps = _check_number("eps", eps, low=0.0, high=0.5)
    check_memory(
        estimate_loss_scan_bytes(N, V) + FLOAT32 * N * V,  # plus the fixed z
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
        rows.append(
            (
                scale,
                float(torch.nn.functional.binary_cross_entropy_with_logits(scores, onehot)),
                float(bce_naive(scores, onehot, eps=eps)),
                float(bce_stable(scores, onehot)),
                float(torch.nn.functional.cross_entropy(scores, y)),
                float(ce_naive(scores, y)),
                float(ce_stable(scores, y)),
            )
        )
    widest = tuple(scale * spread for scale in checked)
    return StabilityScan(vocab_size=V, batch_size=N, eps=eps, rows=tuple(rows), widest=widest)


@dataclass(frozen=True)
class TiedStepReport:
    """One SGD step of a tied CBOW on one example, with its gradient split in two parts.

    ``str()`` gives the printout; ``w2v_helpers.plots.plot_gradient_row_norms`` draws the norms.
    Introduced in ``03_tied_weight_backward.ipynb``.
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


def _parse_ids(name: str, ids: object) -> tuple[int, ...]:
    """Token ids from a sequence of ints or a comma-separated string like ``"3, 5, 8, 1"``."""
    if isinstance(ids, str):
        parts = [p.strip() for p in ids.split(",") if p.strip()]
        try:
            ids = [int(p) for p in parts]
        except ValueError:
            raise ValueError(
                f"{name} must be whole numbers separated by commas, like '3, 5, 8, 1', got {ids!r}"
            ) from None
    if not isinstance(ids, Sequence) or any(
        isinstance(i, bool) or not isinstance(i, int) for i in ids
    ):
        raise TypeError(
            f"{name} must be a sequence of ints or a string like '3, 5, 8, 1', got {ids!r}"
        )
    if not 1 <= len(ids) <= MAX_WINDOW:
        raise ValueError(f"{name} must hold 1 to {MAX_WINDOW} ids, got {len(ids)}")
    return tuple(ids)


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
    """
    context = _parse_ids("context_ids", context_ids)
    V = check_positive_int("vocab_size", vocab_size)
    E = check_positive_int("embedding_dim", embedding_dim)
    if isinstance(target_id, bool) or not isinstance(target_id, int):
        raise TypeError(f"target_id must be an int, got {target_id!r}")
    for name, ids in (("context_ids", context), ("target_id", (target_id,))):
        bad = [i for i in ids if not 0 <= i < V]
        if bad:
            raise ValueError(
                f"{name} must hold ids in [0, {V - 1}] (vocab_size={V:,}), got {bad[0]:,}"
            )
    lr = _check_number("lr", lr, low=0.0, high=1_000.0)
    loss = _check_loss(loss)
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


# ---- Negative sampling on a real corpus (05_negative_sampling_real_corpus.ipynb) ----

__all__ += ["FullScoringCost", "SamplingReport", "full_scoring_cost", "sampling_report"]


@dataclass(frozen=True)
class FullScoringCost:
    """Time and memory of one full-vocabulary SkipGram training step for each V.

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """

    vocab_sizes: tuple[int, ...]
    seconds: tuple[float, ...]
    nbytes: tuple[int, ...]
    batch_size: int
    embedding_dim: int

    def __str__(self) -> str:
        lines = [
            f"one SGD step, SkipGram with a full softmax, N={self.batch_size}, "
            f"E={self.embedding_dim}"
        ]
        for V, s, b in zip(self.vocab_sizes, self.seconds, self.nbytes, strict=True):
            lines.append(f"  V={V:>9,}: {format_bytes(b):>10}  {format_timing(s)}")
        return "\n".join(lines)


def full_scoring_cost(
    vocab_sizes: Sequence[int] = (1_000, 10_000, 50_000, 100_000),
    *,
    batch_size: int = 256,
    embedding_dim: int = 100,
    repeats: int = 3,
) -> FullScoringCost:
    """Time one training step (forward, cross-entropy, backward, SGD) of notebook 04's SkipGram.

    Memory is the estimate of the tensors a step holds: two (V, E) tables, their gradients, and
    the (N, V) scores with their gradient and softmax. Refuses (``MemoryBudgetError``) before
    allocating a step over the budget. Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    from .models import SkipGram  # local: explore.py keeps its imports light

    N = check_positive_int("batch_size", batch_size, maximum=MAX_BATCH)
    E = check_positive_int("embedding_dim", embedding_dim)
    repeats = check_positive_int("repeats", repeats)
    sizes = tuple(check_positive_int("vocab_size", V) for V in vocab_sizes)
    if not sizes:
        raise ValueError("vocab_sizes must name at least one vocabulary size")
    need = [FLOAT32 * (4 * V * E + 2 * V + 3 * N * V) for V in sizes]
    check_memory(
        max(need),
        f"a full-softmax SkipGram step at V={max(sizes):,}",
        hint="Use smaller vocab_sizes or batch_size.",
    )
    seconds = []
    for V in sizes:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            model = SkipGram(V, E)
            x = torch.randint(V, (N, 1))  # (N, 1)
            y = torch.randint(V, (N,))  # (N,)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        best = math.inf
        for _ in range(repeats):
            start = time.perf_counter()
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()  # (N, V) scores
            opt.step()
            best = min(best, time.perf_counter() - start)
        seconds.append(best)
        del model, opt
    return FullScoringCost(sizes, tuple(seconds), tuple(need), N, E)


@dataclass(frozen=True)
class SamplingReport:
    """The most frequent words: share of the corpus, noise probability, keep probability.

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """

    power: float
    sample: float
    draws: int
    rows: tuple[tuple[str, float, float, float, float], ...]  # word, f, noise p, sampled, keep

    def __str__(self) -> str:
        head = (
            f"noise = count^{self.power:g} (normalised), subsampling t = {self.sample:g}, "
            f"{self.draws:,} noise draws"
        )
        lines = [head, f"{'word':>8} {'corpus %':>9} {'noise %':>8} {'drawn %':>8} {'keep':>6}"]
        for word, f, p, drawn, keep in self.rows:
            lines.append(f"{word:>8} {100 * f:9.2f} {100 * p:8.2f} {100 * drawn:8.2f} {keep:6.3f}")
        return "\n".join(lines)


def sampling_report(
    power: float = 0.75, sample: float = 1e-3, draws: int = 100_000, *, top: int = 8, seed: int = 0
) -> SamplingReport:
    """Noise and keep probabilities of the ``top`` most frequent words of the Wikipedia sample.

    ``drawn %`` is measured: ``draws`` ids from :func:`w2v_helpers.corpus.sample_noise`.
    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    from .corpus import (
        build_vocabulary,
        keep_probabilities,
        load_wiki_sample,
        noise_distribution,
        sample_noise,
    )

    if isinstance(power, bool) or not isinstance(power, (int, float)) or not 0 <= power <= 1:
        raise ValueError(f"power must be a number in [0, 1], got {power!r}")
    sample = _check_number("sample", sample, low=1e-9, high=0.999)
    draws = check_positive_int("draws", draws, maximum=50_000_000)
    top = check_positive_int("top", top, maximum=100)
    check_memory(
        16 * draws + 8 * 1_000_000, f"{draws:,} noise draws", hint="Draw fewer noise words."
    )
    vocab = _wiki_vocabulary(build_vocabulary, load_wiki_sample)
    f = vocab.counts.double() / vocab.counts.sum()  # (V,)
    probs = noise_distribution(vocab.counts, power)  # (V,)
    keep = keep_probabilities(vocab.counts, sample)  # (V,)
    ids = sample_noise(probs, (draws,), generator=torch.Generator().manual_seed(seed))
    drawn = torch.bincount(ids, minlength=len(vocab)).double() / draws  # (V,)
    rows = tuple(
        (vocab.words[i], float(f[i]), float(probs[i]), float(drawn[i]), float(keep[i]))
        for i in range(min(top, len(vocab)))
    )
    return SamplingReport(power, sample, draws, rows)


_VOCAB_CACHE: list = []


def _wiki_vocabulary(build, load):  # the corpus and its vocabulary, once per kernel
    if not _VOCAB_CACHE:
        _VOCAB_CACHE.append(build(load(), 5))
    return _VOCAB_CACHE[0]
