"""Panels that answer fast must still show the current settings' figure (issue 18).

A panel's figure is drawn into a reused figure with the margins of its first draw. The oracle for
"not stale" is the pure plot function drawing a brand-new figure for the same settings, given the
same margins: the two PNGs must be the same image, pixel for pixel.
"""

import importlib.util
import re
import sys
from pathlib import Path

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from w2v_helpers.lessons.nb02_bce_vs_ce import (
    loss_scale_panel,
    loss_scale_report,
    plot_loss_vs_vocab,
)
from w2v_helpers.lessons.nb03_tied_weight_backward import (
    plot_gradient_row_norms,
    tied_step_panel,
    tied_step_report,
)
from w2v_helpers.lessons.nb04_skipgram_multilabel import skipgram_loss_panel
from w2v_helpers.lessons.panel import ReusedFigure, busy_above, lay_out, render_html

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_widgets.py"


@pytest.fixture(autouse=True)
def _fresh_kernel(fresh_kernel_memory):
    """Panels decide as in a fresh kernel (see conftest.fresh_kernel_memory)."""


def pixels(html: str) -> np.ndarray:
    """The one PNG image in ``html``, decoded to an (H, W, 4) array."""
    import base64
    import io

    (data,) = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data))))


def fresh_figure_html(fig, layout: dict) -> str:
    """A new figure from the pure plot function, given the panel's margins, as the panel shows."""
    fig.subplots_adjust(**layout)
    return render_html(fig)


@pytest.mark.slow
def test_tied_step_panel_shows_the_fresh_figure_of_each_new_setting():
    panel = tied_step_panel()
    (layout,) = panel.layouts
    moves = [("context_1", 4), ("lr", 10**-0.75), ("loss", "ce"), ("target_id", 7)]
    moves += [("vocab_size", 1_000), ("context_3", 12)]
    for name, value in moves:
        panel.controls[name].value = value
        values = {k: c.value for k, c in panel.controls.items()}
        report = tied_step_report(
            [values[f"context_{i}"] for i in range(1, 5)],
            values["target_id"],
            values["lr"],
            values["loss"],
            vocab_size=values["vocab_size"],
            embedding_dim=values["embedding_dim"],
        )
        assert panel.text() == str(report)
        expected = pixels(fresh_figure_html(plot_gradient_row_norms(report), layout))
        got = pixels(panel.view.value)
        assert got.shape == expected.shape, name
        assert np.array_equal(got, expected), f"after {name}={value!r} the figure is stale"


@pytest.mark.slow
def test_loss_scale_panel_shows_the_fresh_figure_of_each_new_setting():
    panel = loss_scale_panel()
    (layout,) = panel.layouts
    before = pixels(panel.view.value)
    for name, value in [("vocab_size", 100_000), ("logit_scale", 1.0), ("vocab_size", 1_000)]:
        panel.controls[name].value = value
        report = loss_scale_report(
            panel.controls["vocab_size"].value, panel.controls["logit_scale"].value
        )
        expected = pixels(fresh_figure_html(plot_loss_vs_vocab(report), layout))
        got = pixels(panel.view.value)
        assert np.array_equal(got, expected), f"after {name}={value!r} the figure is stale"
        assert not np.array_equal(got, before), f"{name}={value!r} did not change the figure"
        before = got


@pytest.mark.slow
def test_a_panel_keeps_its_first_draws_margins_and_a_plain_call_lays_out_tight():
    panel = tied_step_panel()
    panel.controls["vocab_size"].value = 10_000
    assert len(panel.layouts) == 1  # found once, on the first draw, then reused
    report = tied_step_report([3, 5, 8, 1], 3)
    plain = plot_gradient_row_norms(report)  # outside a panel: lay_out is tight_layout
    twin, axes = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [1, 1.3]})
    plot_gradient_row_norms(report, axes=axes)
    twin.tight_layout()
    for key in ("left", "right", "bottom", "top", "wspace"):
        assert getattr(plain.subplotpars, key) == pytest.approx(getattr(twin.subplotpars, key))
        assert panel.layouts[0][key] == pytest.approx(getattr(twin.subplotpars, key))
    plt.close("all")


def test_lay_out_refuses_what_is_not_a_figure():
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        lay_out("figure")


def test_reused_figure_clear_leaves_no_artist_of_the_previous_draw():
    figure = ReusedFigure(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [1, 1.3]})
    small = tied_step_report([3, 5, 8, 1], 3)
    big = tied_step_report([1, 2, 3, 4], 9, vocab_size=1_000)
    plot_gradient_row_norms(big, axes=figure.clear())
    plot_gradient_row_norms(small, axes=figure.clear())
    fresh = plot_gradient_row_norms(small)
    for reused_ax, fresh_ax in zip(figure.axes, fresh.axes, strict=True):
        for kind in ("lines", "patches", "containers", "texts", "collections"):
            assert len(getattr(reused_ax, kind)) == len(getattr(fresh_ax, kind)), kind
        assert reused_ax.get_xlim() == pytest.approx(fresh_ax.get_xlim())
        assert reused_ax.get_ylim() == pytest.approx(fresh_ax.get_ylim())
    # the right axes' sorted norms are V=500 points again, not the 1,000 of the draw before
    assert len(figure.axes[1].lines[0].get_xdata()) == 500
    plt.close("all")


# --- the benchmark's own arithmetic --------------------------------------------------------


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_widgets", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_widgets"] = module
    spec.loader.exec_module(module)
    return module


def test_bench_summary_line_is_the_worst_of_its_rows(bench):
    results = [
        {"panel": "a", "prepared_s": 0.0, "build_s": 0.4, "moves": [("x", 0.01), ("x", 0.03)]},
        {"panel": "b", "prepared_s": 9.0, "build_s": 0.9, "moves": [("y", 0.2), ("z", 0.05)]},
        {"panel": "c", "prepared_s": 0.0, "build_s": 0.1, "moves": [("w", 0.1), ("w", 0.1)]},
    ]
    rows = [bench.row(r) for r in results]
    # medians 20, 125, 100 ms; slowest moves 30, 200, 100 ms; builds 400, 900, 100 ms
    assert [round(r["median_ms"]) for r in rows] == [20, 125, 100]
    assert rows[1]["slowest_move"] == "y" and round(rows[1]["slowest_ms"]) == 200
    assert bench.summary_line(rows) == (
        "widgets: slowest median update 125 ms, slowest single update 200 ms, slowest build 900 ms"
    )
    assert "prepared 9.0 s" in bench.format_row(rows[1])
    assert "prepared" not in bench.format_row(rows[0])


@pytest.mark.parametrize(
    ("control", "expected"),
    [
        (widgets.SelectionSlider(options=[1, 4, 16], value=4), 16),
        (widgets.SelectionSlider(options=[1, 4, 16], value=16), 4),
        (widgets.IntSlider(min=1, max=20, value=4), 5),
        (widgets.IntSlider(min=1, max=4, value=4), 3),
        (widgets.FloatSlider(min=0, max=1, step=0.05, value=0.75), 0.8),
        (widgets.FloatLogSlider(base=10, min=-2, max=2, step=0.25, value=0.1), 10**-0.75),
        (widgets.FloatLogSlider(base=10, min=-2, max=2, step=0.25, value=100), 10**1.75),
        (widgets.Dropdown(options=[("a", "x"), ("b", "y")], value="y"), "x"),
        (widgets.BoundedIntText(min=0, max=499, value=3), 4),
        (widgets.Text(description="word", value="king"), "queen"),
    ],
    ids=lambda x: type(x).__name__ if isinstance(x, widgets.Widget) else repr(x),
)
def test_bench_moves_each_kind_of_control_one_step(bench, control, expected):
    assert bench.one_step(control) == pytest.approx(expected)


@pytest.mark.slow
def test_a_large_tile_says_it_is_working_before_the_result_replaces_it():
    panel = skipgram_loss_panel()
    shown = []
    panel.view.observe(lambda change: shown.append(change["new"]), names="value")
    panel.controls["batch_size"].value = 64  # 64 x 4 x 50,000 = 12.8 million tile entries
    assert len(shown) == 2
    assert "Working: the tile loss, N x T x V over 12,800,000 entries" in shown[0]
    assert "<img" not in shown[0] and "N=64" not in shown[0]  # nothing of the old settings
    assert "SkipGram losses at V=50,000 T=4 N=64" in shown[1]
    shown.clear()
    panel.controls["batch_size"].value = 1  # 200,000 entries: straight to the result
    assert len(shown) == 1 and "N=1," in shown[0]


def test_busy_above_multiplies_the_named_controls():
    busy = busy_above(100, "a test", "a", "b")
    assert busy(a=10, b=10, c=99) is None
    assert busy(a=10, b=11, c=1) == "Working: a test over 110 entries..."
