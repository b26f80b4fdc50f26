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

__all__ = ["ForwardReport", "cbow_forward_report", "format_timing", "softmax_entropy"]

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
