"""The panels of notebooks 02 and 03, driven as a learner would: every control to its minimum
and its maximum (log sliders by value, not exponent), one at a time and all together."""

import ipywidgets as widgets
import pytest

from w2v_helpers.lessons.nb02_bce_vs_ce import loss_scale_panel, loss_scale_report
from w2v_helpers.lessons.nb03_tied_weight_backward import tied_step_panel, tied_step_report
from w2v_helpers.lessons.panel import Panel


def ends(control):
    """The smallest and largest value a learner can give this control."""
    if isinstance(control, widgets.FloatLogSlider):
        return [control.base**control.min, control.base**control.max]
    if isinstance(control, widgets.SelectionSlider | widgets.Dropdown):
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return [values[0], values[-1]]
    return [control.min, control.max]


def assert_no_error(text: str) -> None:
    assert text.strip()
    for sign in ("Traceback", "Error:", "Invalid setting"):
        assert sign not in text or text.startswith("Refused:"), text


@pytest.mark.parametrize("factory", [loss_scale_panel, tied_step_panel])
def test_each_control_at_its_min_and_max_changes_the_output_without_errors(factory):
    panel: Panel = factory()
    default = panel.text()
    assert_no_error(default)
    for name, control in panel.controls.items():
        start = control.value
        shown = set()
        for value in ends(control):
            control.value = value
            assert control.value == pytest.approx(value), name
            text = panel.text()
            assert_no_error(text)
            shown.add(text)
        shown.add(default)
        assert len(shown) > 1, f"moving {name} to its ends never changed the output"
        control.value = start
        assert panel.text() == default


@pytest.mark.parametrize("factory", [loss_scale_panel, tied_step_panel])
def test_every_control_at_its_max_together_is_refused_by_the_memory_guard(factory):
    panel = factory()
    for control in panel.controls.values():
        control.value = ends(control)[-1]
    assert panel.text().startswith("Refused:")


@pytest.mark.parametrize("factory", [loss_scale_panel, tied_step_panel])
def test_every_control_at_its_min_together_renders_a_report_and_a_figure(factory):
    panel = factory()
    for control in panel.controls.values():
        control.value = ends(control)[0]
    assert_no_error(panel.text())
    assert "<img" in panel.view.value


def test_loss_scale_panel_shows_its_pure_function_at_defaults():
    assert panel_text_starts_with(loss_scale_panel(), str(loss_scale_report(50_000, 0.1)))


def test_tied_step_panel_shows_its_pure_function_at_defaults():
    assert panel_text_starts_with(tied_step_panel(), str(tied_step_report([3, 5, 8, 1], 3)))


def panel_text_starts_with(panel: Panel, plain: str) -> bool:
    return panel.text().startswith(plain)
