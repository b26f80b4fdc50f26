"""Drive every widget panel as a learner would: each control to its two ends, one at a time
(log sliders by value, not exponent), then all at their maximum and all at their minimum."""

import configparser
import hashlib
import re
from pathlib import Path

import ipywidgets as widgets
import pytest

from w2v_helpers.lessons import panel_factories
from w2v_helpers.lessons.nb01_cbow_forward import cbow_forward_panel, cbow_forward_report
from w2v_helpers.lessons.nb02_bce_vs_ce import loss_scale_panel, loss_scale_report
from w2v_helpers.lessons.nb03_tied_weight_backward import tied_step_panel, tied_step_report
from w2v_helpers.lessons.panel import Panel, render_or_refuse

PANEL_FACTORIES = list(panel_factories().values())
# Panels whose first draw trains the notebook's vectors on the sample (seconds to a minute), and
# the tied step's panel, whose every move draws a figure of the whole table.
SLOW_PANELS = {
    "snapshot_panel",
    "neighbours_panel",
    "explorer_panel",
    "tied_step_panel",
    "subword_panel",
}


def panels(factories=PANEL_FACTORIES) -> list:
    """One parameter per panel, named after it; the slow ones marked ``slow``."""
    return [
        pytest.param(
            f, id=f.__name__, marks=[pytest.mark.slow] if f.__name__ in SLOW_PANELS else []
        )
        for f in factories
    ]


@pytest.fixture(autouse=True)
def _fresh_kernel(fresh_kernel_memory):
    """Every panel here decides as in a fresh kernel (see conftest.fresh_kernel_memory)."""


_RULES = configparser.ConfigParser()
_RULES.read(Path(__file__).resolve().parents[1] / "nbval_sanitize.cfg")


def steady(text: str) -> str:
    """The text with timings masked by nbval's own sanitize rules (they vary run to run)."""
    for section in _RULES.sections():
        text = re.sub(_RULES[section]["regex"], _RULES[section]["replace"], text)
    return text


def option_values(control):
    return [o[1] if isinstance(o, tuple) else o for o in control.options]


def ends(control):
    """The smallest and largest value a learner can give this control."""
    if isinstance(control, widgets.FloatLogSlider):
        return [control.base**control.min, control.base**control.max]
    if hasattr(control, "options"):
        values = option_values(control)
        return [values[0], values[-1]]
    if hasattr(control, "min"):
        return [control.min, control.max]
    if isinstance(control, widgets.Text):  # nothing typed, and a word no corpus has
        return ["", "zyzzyva"]
    raise AssertionError(f"no rule to move a {type(control).__name__}: teach this test one")


def shown(panel: Panel) -> str:
    """Everything the view shows, figures included (as a hash of their PNG)."""
    figures = re.findall(r"<img[^>]*>", panel.view.value)
    return steady(panel.text()) + hashlib.sha256("".join(figures).encode()).hexdigest()


def assert_a_result_or_a_refusal(text: str, where: str) -> None:
    assert text.strip(), f"{where}: the panel shows nothing"
    assert "Traceback" not in text and "Invalid setting" not in text, f"{where}: {text}"
    if "Refused:" in text:  # the memory guard, and nothing else, may refuse a setting
        assert "memory budget" in text, f"{where}: {text}"


@pytest.mark.parametrize("factory", panels())
def test_each_control_at_its_ends_changes_what_the_panel_shows(factory):
    panel = factory()
    default, default_text = shown(panel), steady(panel.text())
    assert_a_result_or_a_refusal(default_text, "defaults")
    assert "Refused:" not in default_text
    for name, control in panel.controls.items():
        start = control.value
        seen = {default}
        for value in ends(control):
            control.value = value
            assert control.value == pytest.approx(value), name
            assert_a_result_or_a_refusal(panel.text(), f"{name}={value}")
            seen.add(shown(panel))
        assert len(seen) > 1, f"moving {name} to its ends never changed what the panel shows"
        control.value = start
        assert steady(panel.text()) == default_text, f"{name} back at {start} shows something else"


@pytest.mark.parametrize("factory", panels())
def test_every_control_at_its_min_together_renders_a_result(factory):
    panel = factory()
    for control in panel.controls.values():
        control.value = ends(control)[0]
    assert_a_result_or_a_refusal(panel.text(), "all at min")
    assert "Refused:" not in panel.text()


@pytest.mark.parametrize("factory", panels([cbow_forward_panel, loss_scale_panel, tied_step_panel]))
def test_every_size_at_its_max_together_is_refused_by_the_memory_guard(factory):
    panel = factory()
    for control in panel.controls.values():
        control.value = ends(control)[-1]
    assert panel.text().startswith("Refused:")
    assert "memory budget" in panel.text()


@pytest.mark.parametrize("factory", panels())
def test_panel_repr_is_one_short_line_for_the_stored_notebook(factory):
    text = repr(factory())
    assert "\n" not in text and len(text) < 120


@pytest.mark.parametrize(
    ("factory", "plain"),
    [
        (cbow_forward_panel, lambda: cbow_forward_report(50_000, 4, 16, 128, time_it=False)),
        (loss_scale_panel, lambda: loss_scale_report(50_000, 0.1)),
        (tied_step_panel, lambda: tied_step_report([3, 5, 8, 1], 3)),
    ],
    ids=["cbow", "loss_scale", "tied_step"],
)
def test_panel_shows_the_report_of_its_pure_function_at_defaults(factory, plain):
    assert factory().text().startswith(str(plain()))


def test_render_or_refuse_reports_bad_settings_as_text():
    assert render_or_refuse(
        cbow_forward_report, vocab_size=0, window_size=1, batch_size=1, embedding_dim=1
    ).startswith("Invalid setting: vocab_size")
