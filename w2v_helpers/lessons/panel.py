"""Widget panels shared by every lesson: a panel that renders a pure function's result (or the
memory guard's refusal) on every control change, and the slider helpers.
"""

from __future__ import annotations

import base64
import html
import io
import re
import threading
from collections.abc import Callable, Mapping

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..memory import MemoryBudgetError

__all__ = [
    "BATCH_CHOICES",
    "DIM_CHOICES",
    "Panel",
    "render_or_refuse",
    "render_html",
    "make_panel",
]


BATCH_CHOICES = (1, 4, 16, 64, 256, 1024, 4096)


DIM_CHOICES = (8, 16, 32, 64, 128, 256, 512, 1024, 2048)


_RENDER_LOCK = threading.Lock()


class Panel(widgets.VBox):
    """A VBox of controls and a result view, with a one-line text form for stored notebooks.

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        title: the bold header above the controls.
        controls: the widgets, by the name of the parameter each sets.
        view: the HTML widget that shows the result.
    """

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
    """``render(**values)``, or a refusal string if the settings are over budget or invalid.

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        render: the pure function to call.
        **values: the keyword arguments for ``render``.
    """
    try:
        return render(**values)
    except MemoryBudgetError as err:
        return f"Refused: {err}"
    except (ValueError, TypeError) as err:
        return f"Invalid setting: {err}"


def render_html(result: object) -> str:
    """HTML for a result: a Figure becomes a PNG (and is closed), a tuple or list is shown item by
    item, anything else is shown as its ``str`` in a ``<pre>`` block.

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        result: a Figure, a tuple or list of results, or anything with a ``str``.
    """
    if isinstance(result, (tuple, list)):
        return "".join(render_html(item) for item in result)
    if isinstance(result, Figure):
        buffer = io.BytesIO()
        result.savefig(buffer, format="png", bbox_inches="tight")
        plt.close(result)
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        return f'<img style="max-width:100%" src="data:image/png;base64,{data}"/>'
    return f'<pre style="line-height:1.25">{html.escape(str(result))}</pre>'


def make_panel(
    title: str, controls: Mapping[str, widgets.ValueWidget], render: Callable[..., object]
) -> Panel:
    """A panel that re-renders ``render(**{name: control.value})`` whenever a control moves.

    ``render`` may return text (anything with a ``str``), a matplotlib Figure, or a tuple of them.

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        title: the bold header above the controls.
        controls: the widgets, by the name of the ``render`` parameter each sets.
        render: the pure function, called with every control's value as a keyword argument.
    """
    view = widgets.HTML()

    def refresh(_change: object = None) -> None:
        # The kernel may deliver two widget messages on different threads (a text box sends its
        # value on Enter and again on blur); matplotlib's text parser is not thread-safe.
        with _RENDER_LOCK:
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


def _slow_choice(description: str, options: tuple[int, ...], value: int) -> widgets.SelectionSlider:
    slider = _choice(description, options, value)
    slider.continuous_update = False  # render once on release, not at every option passed
    return slider


def _slow_log_slider(
    description: str, low: float, high: float, step: float, value: float
) -> widgets.FloatLogSlider:
    """A base-10 log slider from 10**low to 10**high that renders once on release."""
    return widgets.FloatLogSlider(
        description=description,
        base=10,
        min=low,
        max=high,
        step=step,
        value=value,
        continuous_update=False,
    )
