"""Matplotlib figures for the lessons. Each function draws and returns the Figure; it computes
nothing a lesson needs to check (those numbers are printed by the notebook from helper calls).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from .explore import softmax_entropy

__all__ = ["plot_softmax_distribution", "plot_teachers_and_students", "plot_target_memory"]


def plot_teachers_and_students(
    teachers: Sequence[str], students: Sequence[str], title: str
) -> Figure:
    """Arrows from every teacher word to every student word.

    CBOW: many teachers (the context words) teach one student (the centre word). SkipGram: one
    teacher (the centre word) teaches many students (the context words).
    Introduced in ``01_cbow_forward.ipynb``.
    """
    if not teachers or not students:
        raise ValueError("teachers and students must each name at least one word")
    fig, ax = plt.subplots(figsize=(6, 2.8))
    ax.set_axis_off()

    def column(words: Sequence[str], x: float) -> list[tuple[float, float]]:
        ys = [0.5] if len(words) == 1 else [1 - i / (len(words) - 1) for i in range(len(words))]
        for word, y in zip(words, ys, strict=True):
            ax.text(
                x,
                y,
                word,
                ha="center",
                va="center",
                fontsize=12,
                bbox={"boxstyle": "round", "fc": "#e8f0fe" if x < 0.5 else "#fde8e8"},
            )
        return [(x, y) for y in ys]

    left = column(teachers, 0.1)
    right = column(students, 0.9)
    for x0, y0 in left:
        for x1, y1 in right:
            ax.annotate(
                "",
                xy=(x1 - 0.1, y1),
                xytext=(x0 + 0.1, y0),
                arrowprops={"arrowstyle": "->", "color": "gray"},
            )
    ax.text(0.1, 1.25, "teachers", ha="center", fontsize=10, style="italic")
    ax.text(0.9, 1.25, "students", ha="center", fontsize=10, style="italic")
    ax.set_xlim(-0.1, 1.1)
    ax.set_ylim(-0.2, 1.35)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_softmax_distribution(scores: torch.Tensor, title: str = "") -> Figure:
    """One example's softmax probabilities, sorted, against the uniform 1/V line.

    Shape: scores (V,) float logits of a single example.
    Introduced in ``01_cbow_forward.ipynb``.
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
    fig.suptitle(title or f"entropy {entropy:.3f} nats vs log V = {math.log(V):.3f}")
    fig.tight_layout()
    return fig


def plot_target_memory(
    vocab_size: int = 50_000, window_size: int = 4, batch_size: int = 16
) -> Figure:
    """Bytes of the tile, collapse and lean targets against V (left) and against T (right).

    Log scale on the bytes axis; the dashed line is the memory budget of the widgets. The numbers
    come from :func:`w2v_helpers.memory.estimate_skipgram_target_bytes` (float32), which the
    notebook checks against real tensors. Introduced in ``04_skipgram_multilabel.ipynb``.
    """
    from .memory import (
        SKIPGRAM_TARGET_METHODS,
        estimate_skipgram_target_bytes,
        format_bytes,
        memory_budget,
    )
    from .validation import check_positive_int

    V = check_positive_int("vocab_size", vocab_size)
    T = check_positive_int("window_size", window_size)
    N = check_positive_int("batch_size", batch_size)
    vocab_grid = [10**k for k in range(2, 8)]  # 100 ... 10,000,000
    window_grid = list(range(1, 21))
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
    units = [(1 << 10, "1 KiB"), (1 << 20, "1 MiB"), (1 << 30, "1 GiB"), (1 << 40, "1 TiB")]
    left.set_yticks([b for b, _ in units], [name for _, name in units])
    left.yaxis.set_minor_locator(plt.NullLocator())
    left.axvline(V, color="gray", ls=":", lw=1)
    right.axvline(T, color="gray", ls=":", lw=1)
    right.set_xticks([1, 5, 10, 15, 20])
    left.set_xlabel("vocabulary size V")
    right.set_xlabel("window size T")
    left.set_ylabel("bytes of target tensors")
    left.set_title(f"against V (T={T}, N={N})")
    right.set_title(f"against T (V={V:,}, N={N})")
    left.legend(loc="upper left", fontsize=8)
    fig.suptitle("tile grows with N·T·V, collapse with N·V, lean with N·T only")
    fig.tight_layout()
    return fig
