"""Widget panels shared by every lesson: a panel that renders a pure function's result (or the
memory guard's refusal) on every control change, and the slider helpers.

A panel answers a move in well under 150 ms at its default settings (``make bench-widgets``).
What made a figure slow was layout, not drawing: a tight layout measures every text box of the
figure (more than half a redraw), so a panel lays out its first figure tight and gives every
later figure the same margins (:func:`lay_out`); and a figure becomes a PNG straight from Agg's
pixel buffer, without a tight bounding box.
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
import threading
from collections.abc import Callable, Mapping
from contextvars import ContextVar

import ipywidgets as widgets
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ..memory import MemoryBudgetError

__all__ = [
    "BATCH_CHOICES",
    "DIM_CHOICES",
    "Panel",
    "render_or_refuse",
    "render_html",
    "lay_out",
    "busy_above",
    "ReusedFigure",
    "make_panel",
]


BATCH_CHOICES = (1, 4, 16, 64, 256, 1024, 4096)


DIM_CHOICES = (8, 16, 32, 64, 128, 256, 512, 1024, 2048)


_RENDER_LOCK = threading.Lock()

# The margins of a panel's figures, one dict per figure in the order its render draws them; set
# while that panel renders (see make_panel), None elsewhere.
_PANEL_LAYOUTS: ContextVar[list[dict[str, float]] | None] = ContextVar("layouts", default=None)
_LAID_OUT: ContextVar[list[Figure]] = ContextVar("laid_out")  # this render's figures so far
_LAYOUT_KEYS = ("left", "right", "bottom", "top", "wspace", "hspace")


def lay_out(fig: Figure) -> Figure:
    """Lay out a lesson figure: tight around its labels, except inside a panel after its first
    draw, where each figure gets the margins the panel's first figure in that place got.

    A tight layout measures every text box (tens to hundreds of ms); fixed margins cost nothing,
    and a panel's figures keep their place on the page from one move to the next. Returns
    ``fig``. Introduced in ``02_bce_vs_ce.ipynb``.

    Args:
        fig: the figure, with all its axes, labels and titles in place.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    layouts = _PANEL_LAYOUTS.get()
    if layouts is None:
        fig.tight_layout()
        return fig
    drawn = _LAID_OUT.get()
    index = len(drawn)
    drawn.append(fig)
    if index < len(layouts):
        fig.subplots_adjust(**layouts[index])
    else:
        fig.tight_layout()
        layouts.append({k: getattr(fig.subplotpars, k) for k in _LAYOUT_KEYS})
    return fig


class ReusedFigure:
    """A figure a panel builds once and draws every move into: its axes keep their ticks, titles
    and scales, and each move removes the data artists (lines, bars, markers, texts, legends) and
    lets the plot function draw the new ones. Making ticks and axes anew is most of the cost of a
    new figure, after the tight layout that :func:`lay_out` already avoids.

    Not registered with pyplot, so nothing displays it by itself. Titles sit at a fixed height
    (``axes.titley = 1``) instead of being moved clear of tick labels at every draw.
    Introduced in ``02_bce_vs_ce.ipynb``.

    Args:
        nrows: rows of axes. Default: 1.
        ncols: columns of axes. Default: 1.
        figsize: (width, height) in inches, as the plot function's own figure. Default: (7, 3.6).
        **subplots: passed to ``Figure.subplots`` (e.g. ``gridspec_kw``).
    """

    def __init__(
        self,
        nrows: int = 1,
        ncols: int = 1,
        figsize: tuple[float, float] = (7, 3.6),
        **subplots: object,
    ) -> None:
        with mpl.rc_context({"axes.titley": 1.0}):
            self.figure = Figure(figsize=figsize)
            self.axes: tuple[Axes, ...] = tuple(
                np.atleast_1d(self.figure.subplots(nrows, ncols, **subplots)).flat
            )

    def clear(self) -> tuple[Axes, ...]:
        """Remove every data artist and forget the data limits; return the axes to draw into."""
        for ax in self.axes:
            for container in list(ax.containers):
                container.remove()
            for artist in [*ax.lines, *ax.patches, *ax.collections, *ax.texts, *ax.images]:
                artist.remove()
            if ax.get_legend() is not None:
                ax.get_legend().remove()
            ax.relim()  # the old data's extent no longer counts
            ax.set_autoscale_on(True)
        return self.axes


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
        canvas = result.canvas
        if not isinstance(canvas, FigureCanvasAgg):  # the pixels savefig would draw, same dpi
            canvas = FigureCanvasAgg(result)
        canvas.draw()
        buffer = io.BytesIO()
        Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buffer, "png", compress_level=1)
        plt.close(result)
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        return f'<img style="max-width:100%" src="data:image/png;base64,{data}"/>'
    return f'<pre style="line-height:1.25">{html.escape(str(result))}</pre>'


def busy_above(limit: float, what: str, *names: str) -> Callable[..., str | None]:
    """A ``busy`` function for :func:`make_panel`: a "Working" message when the product of the
    named controls' values (the entries of the largest tensor) is above ``limit``.
    Introduced in ``04_skipgram_multilabel.ipynb``.

    Args:
        limit: the product above which a render takes long enough to say so.
        what: what is being computed, for the message.
        *names: the controls whose values multiply to the tensor's size.
    """

    def busy(**values: object) -> str | None:
        n = math.prod(int(values[name]) for name in names)
        return f"Working: {what} over {n:,} entries..." if n > limit else None

    return busy


def make_panel(
    title: str,
    controls: Mapping[str, widgets.ValueWidget],
    render: Callable[..., object],
    busy: Callable[..., str | None] | None = None,
) -> Panel:
    """A panel that re-renders ``render(**{name: control.value})`` whenever a control moves.

    ``render`` may return text (anything with a ``str``), a matplotlib Figure, or a tuple of them.
    Where ``busy`` returns a message for the new settings (large sizes that take a while), the
    view shows it, and nothing of the old settings, until the result replaces it.

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        title: the bold header above the controls.
        controls: the widgets, by the name of the ``render`` parameter each sets.
        render: the pure function, called with every control's value as a keyword argument.
        busy: called the same way; a message to show while ``render`` works, or ``None``.
            Default: ``None`` (never).
    """
    view = widgets.HTML()
    layouts: list[dict[str, float]] = []  # this panel's figure margins, found on first draw

    def refresh(_change: object = None) -> None:
        # The kernel may deliver two widget messages on different threads (a text box sends its
        # value on Enter and again on blur); matplotlib's text parser is not thread-safe.
        with _RENDER_LOCK:
            values = {name: control.value for name, control in controls.items()}
            message = None if busy is None else render_or_refuse(busy, **values)
            if isinstance(message, str) and not message.startswith(("Refused", "Invalid")):
                view.value = render_html(message)
            tokens = _PANEL_LAYOUTS.set(layouts), _LAID_OUT.set([])
            try:
                result = render_or_refuse(render, **values)
            finally:
                _PANEL_LAYOUTS.reset(tokens[0])
                _LAID_OUT.reset(tokens[1])
            view.value = render_html(result)

    for control in controls.values():
        control.style = {"description_width": "9em"}
        control.layout = widgets.Layout(width="32em")
        control.observe(refresh, names="value")
    refresh()
    panel = Panel(title, controls, view)
    panel.layouts = layouts  # the margins its figures keep after the first draw (tests read them)
    return panel


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
