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
import threading
from collections.abc import Callable, Mapping

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .explore import cbow_forward_report, loss_scale_report, tied_step_report
from .memory import MemoryBudgetError
from .plots import plot_gradient_row_norms, plot_loss_vs_vocab

__all__ = [
    "Panel",
    "cbow_forward_panel",
    "make_panel",
    "render_html",
    "render_or_refuse",
    "skipgram_loss_panel",
    "loss_scale_panel",
    "tied_step_panel",
]

VOCAB_CHOICES = (10, 100, 1_000, 10_000, 50_000, 100_000, 500_000, 1_000_000, 5_000_000)
BATCH_CHOICES = (1, 4, 16, 64, 256, 1024, 4096)
DIM_CHOICES = (8, 16, 32, 64, 128, 256, 512, 1024, 2048)


_RENDER_LOCK = threading.Lock()


class Panel(widgets.VBox):
    """A VBox of controls and a result view, with a one-line text form for stored notebooks.

    Introduced in ``01_cbow_forward.ipynb``.
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
    """
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

    Introduced in ``01_cbow_forward.ipynb``.
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


# --- Introduced in 02_bce_vs_ce.ipynb and 03_tied_weight_backward.ipynb -----------------------

LOSS_VOCAB_CHOICES = (10, 100, 1_000, 10_000, 50_000, 100_000, 1_000_000, 5_000_000, 10_000_000)
STEP_VOCAB_CHOICES = (500, 1_000, 10_000, 100_000, 1_000_000, 5_000_000)


def _slow_choice(description: str, options: tuple[int, ...], value: int) -> widgets.SelectionSlider:
    slider = _choice(description, options, value)
    slider.continuous_update = False  # render once on release, not at every option passed
    return slider


def _loss_scale_view(vocab_size: int, logit_scale: float) -> tuple[object, Figure]:
    report = loss_scale_report(vocab_size, logit_scale)
    return report, plot_loss_vs_vocab(report)


def loss_scale_panel() -> Panel:
    """Vary V and the logit scale; see BCE and CE of random logits against V, with log 2, log V.

    Behind it: :func:`w2v_helpers.explore.loss_scale_report` (drawn by
    ``w2v_helpers.plots.plot_loss_vs_vocab``). Introduced in ``02_bce_vs_ce.ipynb``.
    """
    controls = {
        "vocab_size": _slow_choice("vocab size V", LOSS_VOCAB_CHOICES, 50_000),
        "logit_scale": widgets.FloatLogSlider(
            description="logit scale",
            base=10,
            min=-2,
            max=2,
            step=0.25,
            value=0.1,
            continuous_update=False,
        ),
    }
    return make_panel("Initial loss against vocabulary size", controls, _loss_scale_view)


def _tied_step_view(
    context_1: int,
    context_2: int,
    context_3: int,
    context_4: int,
    target_id: int,
    lr: float,
    loss: str,
    vocab_size: int,
    embedding_dim: int,
) -> tuple[object, Figure]:
    report = tied_step_report(
        [context_1, context_2, context_3, context_4],
        target_id,
        lr,
        loss,
        vocab_size=vocab_size,
        embedding_dim=embedding_dim,
    )
    return report, plot_gradient_row_norms(report)


def tied_step_panel() -> Panel:
    """Choose four context ids, a target id, the learning rate, the loss and the sizes; see one
    SGD step of a tied CBOW: loss before and after, and the gradient row norms by side.

    Behind it: :func:`w2v_helpers.explore.tied_step_report` (drawn by
    ``w2v_helpers.plots.plot_gradient_row_norms``). Introduced in
    ``03_tied_weight_backward.ipynb``.
    """
    seed_context = (3, 5, 8, 1)
    controls: dict[str, widgets.ValueWidget] = {
        f"context_{i + 1}": widgets.BoundedIntText(
            description=f"context id {i + 1}", min=0, max=STEP_VOCAB_CHOICES[0] - 1, value=v
        )
        for i, v in enumerate(seed_context)
    }
    controls["target_id"] = widgets.BoundedIntText(
        description="target id", min=0, max=STEP_VOCAB_CHOICES[0] - 1, value=3
    )
    controls["lr"] = widgets.FloatLogSlider(
        description="learning rate",
        base=10,
        min=-3,
        max=1,
        step=0.25,
        value=0.1,
        continuous_update=False,
    )
    controls["loss"] = widgets.Dropdown(
        description="loss", options=[("BCE, one-hot", "bce"), ("cross-entropy", "ce")], value="bce"
    )
    controls["vocab_size"] = _choice("vocab size V", STEP_VOCAB_CHOICES, 500)
    controls["embedding_dim"] = _choice("embedding dim E", DIM_CHOICES, 128)
    for control in controls.values():
        control.continuous_update = False  # a step plus a figure per value would queue up
    return make_panel("One SGD step of a tied CBOW", controls, _tied_step_view)


# ---- Negative sampling on a real corpus (05_negative_sampling_real_corpus.ipynb) ----

__all__ += ["sampling_panel"]


def sampling_panel() -> Panel:
    """Vary the noise exponent, the subsampling threshold and the number of draws; see each
    frequent word's corpus share, noise probability, measured draw rate and keep probability.

    Behind it: :func:`w2v_helpers.explore.sampling_report`. Introduced in
    ``05_negative_sampling_real_corpus.ipynb``.
    """
    from .explore import sampling_report

    controls = {
        "power": widgets.FloatSlider(
            description="noise power",
            min=0.0,
            max=1.0,
            step=0.05,
            value=0.75,
            continuous_update=False,
        ),
        "sample": widgets.FloatLogSlider(
            description="subsample t",
            base=10,
            min=-5,
            max=-1,
            step=0.5,
            value=1e-3,
            continuous_update=False,
        ),
        "draws": _choice("noise draws", (1_000, 10_000, 100_000, 1_000_000), 100_000),
    }
    return make_panel("Noise and subsampling on the Wikipedia sample", controls, sampling_report)
