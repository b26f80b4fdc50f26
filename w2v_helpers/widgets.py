"""ipywidgets panels: controls on top, the result of a pure function from ``explore`` below.

A panel never computes anything itself. Whatever the controls say goes through the same
validated, memory-guarded function that a plain notebook cell calls, and a refusal is shown as a
message in the panel, never raised into a dead kernel. Results are shown in an HTML widget (text
in ``<pre>``, figures as PNG), so a panel works, and can be tested, without a running kernel.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Callable, Mapping

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .explore import cbow_forward_report
from .memory import MemoryBudgetError

__all__ = [
    "Panel",
    "cbow_forward_panel",
    "make_panel",
    "render_html",
    "render_or_refuse",
    "skipgram_loss_panel",
]

VOCAB_CHOICES = (10, 100, 1_000, 10_000, 50_000, 100_000, 500_000, 1_000_000, 5_000_000)
BATCH_CHOICES = (1, 4, 16, 64, 256, 1024, 4096)
DIM_CHOICES = (8, 16, 32, 64, 128, 256, 512, 1024, 2048)


class Panel(widgets.VBox):
    """A VBox of controls and a result view, with a one-line text form for stored notebooks."""

    def __init__(
        self,
        title: str,
        controls: Mapping[str, widgets.ValueWidget],
        view: widgets.HTML,
    ) -> None:
        header = widgets.HTML(f"<b>{html.escape(title)}</b>")
        super().__init__(children=[header, *controls.values(), view])
        # CSS classes let the browser test find panels and their result view in the page.
        self.add_class("w2v-panel")
        view.add_class("w2v-panel-view")
        header.add_class("w2v-panel-title")
        self.title = title
        self.controls = dict(controls)
        self.view = view

    def text(self) -> str:
        """The text currently shown below the controls (figures left out)."""
        blocks = re.findall(r"<pre[^>]*>(.*?)</pre>", self.view.value, flags=re.S)
        return "\n".join(html.unescape(b) for b in blocks)

    def __repr__(self) -> str:
        return f"[{self.title}: run this cell in Jupyter to use the controls]"


def render_or_refuse(render: Callable[..., object], **values: object) -> object:
    """``render(**values)``, or a refusal string if the settings are over budget or invalid."""
    try:
        return render(**values)
    except MemoryBudgetError as err:
        return f"Refused: {err}"
    except (ValueError, TypeError) as err:
        return f"Invalid setting: {err}"


def render_html(result: object) -> str:
    """HTML for a result: a Figure becomes a PNG (and is closed), a tuple or list is shown item by
    item, anything else is shown as its ``str`` in a ``<pre>`` block."""
    if isinstance(result, (tuple, list)):
        return "".join(render_html(item) for item in result)
    if isinstance(result, Figure):
        buffer = io.BytesIO()
        result.savefig(buffer, format="png", bbox_inches="tight")
        plt.close(result)
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        return f'<img src="data:image/png;base64,{data}"/>'
    return f'<pre style="line-height:1.25">{html.escape(str(result))}</pre>'


def make_panel(
    title: str, controls: Mapping[str, widgets.ValueWidget], render: Callable[..., object]
) -> Panel:
    """A panel that re-renders ``render(**{name: control.value})`` whenever a control moves.

    ``render`` may return text (anything with a ``str``), a matplotlib Figure, or a tuple of them.
    """
    view = widgets.HTML()

    def refresh(_change: object = None) -> None:
        values = {name: control.value for name, control in controls.items()}
        view.value = render_html(render_or_refuse(render, **values))

    for control in controls.values():
        control.style = {"description_width": "9em"}
        control.layout = widgets.Layout(width="32em")
        control.observe(refresh, names="value")
    refresh()
    return Panel(title, controls, view)


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
