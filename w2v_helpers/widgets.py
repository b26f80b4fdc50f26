"""ipywidgets panels: sliders on top, the report of a pure function from ``explore`` below.

A panel never computes anything itself. Whatever the sliders say goes through the same validated,
memory-guarded function that a plain notebook cell calls, and a refusal is printed as a message
in the panel, never raised into a dead kernel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import ipywidgets as widgets

from .explore import cbow_forward_report
from .memory import MemoryBudgetError

__all__ = [
    "Panel",
    "cbow_forward_panel",
    "make_panel",
    "render_or_refuse",
    "skipgram_loss_panel",
]

VOCAB_CHOICES = (10, 100, 1_000, 10_000, 50_000, 100_000, 500_000, 1_000_000, 5_000_000)
BATCH_CHOICES = (1, 4, 16, 64, 256, 1024, 4096)
DIM_CHOICES = (8, 16, 32, 64, 128, 256, 512, 1024, 2048)


class Panel(widgets.VBox):
    """A VBox whose text form is one short line: that is what a notebook shows before it runs."""

    def __init__(self, title: str, children: list[widgets.Widget]) -> None:
        super().__init__(children=children)
        self.title = title

    def __repr__(self) -> str:
        return f"[{self.title}: run this cell in Jupyter to use the sliders]"


def render_or_refuse(render: Callable[..., object], **values: object) -> str:
    """Return ``str(render(**values))``, or the refusal if the settings are over budget or bad."""
    try:
        return str(render(**values))
    except MemoryBudgetError as err:
        return f"Refused: {err}"
    except (ValueError, TypeError) as err:
        return f"Invalid setting: {err}"


def make_panel(
    title: str, controls: Mapping[str, widgets.ValueWidget], render: Callable[..., object]
) -> Panel:
    """A panel that re-renders ``render(**{name: control.value})`` whenever a control moves."""
    out = widgets.Output(layout=widgets.Layout(min_height="12em"))

    def refresh(_change: object = None) -> None:
        text = render_or_refuse(render, **{name: c.value for name, c in controls.items()})
        with out:
            out.clear_output(wait=True)
            print(text)

    for control in controls.values():
        control.style = {"description_width": "9em"}
        control.observe(refresh, names="value")
    refresh()
    header = widgets.HTML(f"<b>{title}</b>")
    return Panel(title, [header, *controls.values(), out])


def _choice(description: str, options: tuple[int, ...], value: int) -> widgets.SelectionSlider:
    return widgets.SelectionSlider(
        description=description, options=[(f"{o:,}", o) for o in options], value=value
    )


def cbow_forward_panel() -> Panel:
    """Vary V, T, N and E; see the shapes, parameters, memory and time of one CBOW forward pass.

    Behind it: :func:`w2v_helpers.explore.cbow_forward_report`. Introduced in
    ``01_cbow_forward.ipynb``.
    """
    controls = {
        "vocab_size": _choice("vocab size V", VOCAB_CHOICES, 50_000),
        "window_size": widgets.IntSlider(description="window size T", min=1, max=20, value=4),
        "batch_size": _choice("batch size N", BATCH_CHOICES, 16),
        "embedding_dim": _choice("embedding dim E", DIM_CHOICES, 128),
    }
    return make_panel("CBOW forward pass explorer", controls, cbow_forward_report)


# ---- SkipGram targets (04_skipgram_multilabel.ipynb) ----

SKIPGRAM_VOCAB_CHOICES = (10, 100, 1_000, 10_000, 50_000, 100_000, 300_000, 1_000_000, 5_000_000)


def skipgram_loss_panel() -> Panel:
    """Vary V, T, N and the context words' scores; compare tile, collapse, lean and softmax CE.

    Shows when collapse and tile stop agreeing, the closed-form gap, repeated ids, and the memory
    each method's targets need; sizes over the memory budget are refused. Behind it:
    :func:`w2v_helpers.explore.skipgram_loss_report`. Introduced in
    ``04_skipgram_multilabel.ipynb``.
    """
    from .explore import skipgram_loss_report

    controls = {
        "vocab_size": _choice("vocab size V", SKIPGRAM_VOCAB_CHOICES, 50_000),
        "window_size": widgets.IntSlider(description="window size T", min=1, max=50, value=4),
        "batch_size": _choice("batch size N", BATCH_CHOICES, 16),
        "target_score": widgets.FloatSlider(
            description="context score +", min=0.0, max=10.0, step=0.5, value=0.0
        ),
    }
    return make_panel("SkipGram: one teacher, many students", controls, skipgram_loss_report)
