"""The seed's two pictures, shared by the CBOW and SkipGram lessons: many teachers and one
student (CBOW), one teacher and many students (SkipGram).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

__all__ = ["plot_teachers_and_students"]


def plot_teachers_and_students(
    teachers: Sequence[str], students: Sequence[str], title: str
) -> Figure:
    """Arrows from every teacher word to every student word.

    CBOW: many teachers (the context words) teach one student (the centre word). SkipGram: one
    teacher (the centre word) teaches many students (the context words).
    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        teachers: the words in the left column, at least one.
        students: the words in the right column, at least one.
        title: the figure's title.
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
