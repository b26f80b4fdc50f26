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

__all__ = ["plot_softmax_distribution", "plot_teachers_and_students"]


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
