"""Lesson code of ``01_cbow_forward.ipynb`` (CBOW: many teachers, one student): its reports, panel,
figures and exercise checks. The concepts it uses live in the core modules (models, memory,
validation). A subpackage: the exercise checks live in ``exercises`` and are re-exported here,
so the notebook imports every name from this package.

Shape glossary: N batch, w window radius, T = 2w context words per example, V vocabulary,
E embedding dim.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ...losses import softmax_entropy
from ...memory import check_memory, estimate_cbow_forward_bytes, format_bytes, memory_budget
from ...models import CBOW, parameter_table
from ...validation import MAX_BATCH, MAX_WINDOW, check_positive_int
from ..formatting import format_timing
from ..panel import BATCH_CHOICES, DIM_CHOICES, Panel, _choice, make_panel
from .exercises import (
    check_cbow_module,
    check_context_mean,
    check_largest_vocab,
    check_parameter_count,
    check_scores_shape,
)

__all__ = [
    "ForwardReport",
    "cbow_forward_report",
    "check_scores_shape",
    "check_parameter_count",
    "check_largest_vocab",
    "check_context_mean",
    "check_cbow_module",
    "plot_softmax_distribution",
    "VOCAB_CHOICES",
    "cbow_forward_panel",
]


@dataclass(frozen=True, kw_only=True)
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

    Args:
        vocab_size: V, a whole number >= 1.
        window_size: T, context ids per example, 1 to ``MAX_WINDOW`` (1,000).
        batch_size: N, 1 to ``MAX_BATCH`` (1,000,000).
        embedding_dim: E, a whole number >= 1.
        seed: seeds the model's initial weights and the random ids. Default: 0.
        time_it: time the forward pass (``seconds``); ``None`` if ``False``. Default: ``True``.
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


def plot_softmax_distribution(scores: torch.Tensor, title: str = "") -> Figure:
    """One example's softmax probabilities, sorted, against the uniform 1/V line.

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        scores: the float logits of a single example.
        title: the figure's title; ``""`` gives the entropy against log V. Default: ``""``.

    Shape:
        - Input: scores :math:`(V)`.
    """
    if not isinstance(scores, torch.Tensor) or scores.dim() != 1:
        got = tuple(scores.shape) if isinstance(scores, torch.Tensor) else type(scores).__name__
        raise ValueError(f"scores must be a 1-D tensor of one example's logits, got {got}")
    V = scores.shape[0]
    prob = torch.softmax(scores.detach().double(), dim=0)  # (V,)
    ordered = prob.sort(descending=True).values.numpy()  # (V,)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
    left.plot(ordered, lw=1)
    left.axhline(1 / V, color="red", ls="--", label=f"uniform 1/V = {1 / V:.2e}")
    left.set_xlabel("words, most to least probable")
    left.set_ylabel("softmax probability")
    left.set_ylim(bottom=0)
    left.legend()
    right.hist(prob.numpy() * V, bins=60, color="tab:green")
    right.axvline(1, color="red", ls="--", label="uniform")
    right.set_xlabel("probability x V (1 = uniform)")
    right.set_ylabel("number of words")
    right.legend()
    entropy = float(softmax_entropy(scores))
    fig.suptitle(title or f"entropy {entropy:.2f} nats vs log V = {math.log(V):.2f}")
    fig.tight_layout()
    return fig


VOCAB_CHOICES = (10, 100, 1_000, 10_000, 50_000, 100_000, 500_000, 1_000_000, 5_000_000)


def cbow_forward_panel() -> Panel:
    """Vary V, T, N and E; see the shapes, parameters, memory and time of one CBOW forward pass.

    Behind it: :func:`w2v_helpers.lessons.nb01_cbow_forward.cbow_forward_report`. Introduced in
    ``01_cbow_forward.ipynb``.
    """
    controls = {
        "vocab_size": _choice("vocab size V", VOCAB_CHOICES, 50_000),
        "window_size": widgets.IntSlider(description="context words T", min=1, max=20, value=4),
        "batch_size": _choice("batch size N", BATCH_CHOICES, 16),
        "embedding_dim": _choice("embedding dim E", DIM_CHOICES, 128),
    }
    return make_panel("CBOW forward pass explorer", controls, cbow_forward_report)
