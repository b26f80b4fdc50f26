"""Drive every widget panel as a learner would: move each control to its ends."""

import ipywidgets as widgets
import pytest

from w2v_helpers.lessons import panel_factories
from w2v_helpers.lessons.nb01_cbow_forward import cbow_forward_panel, cbow_forward_report
from w2v_helpers.lessons.panel import Panel, render_or_refuse

PANEL_FACTORIES = list(panel_factories().values())


def shown_text(panel: Panel) -> str:
    return panel.text() + ("<img>" if "<img" in panel.view.value else "")


def controls(panel: Panel):
    return list(panel.controls.values())


def option_values(control):
    return [o[1] if isinstance(o, tuple) else o for o in control.options]


def ends(control):
    if isinstance(control, widgets.SelectionSlider):
        values = option_values(control)
        return [values[0], values[-1]]
    if hasattr(control, "min"):
        return [control.min, control.max]
    if isinstance(control, widgets.Checkbox):
        return [not control.value, control.value]
    if hasattr(control, "options"):
        return option_values(control)
    raise AssertionError(f"no rule to move a {type(control).__name__}: teach this test one")


@pytest.mark.parametrize("factory", PANEL_FACTORIES, ids=lambda f: f.__name__)
def test_every_control_of_every_panel_updates_the_output_without_errors(factory):
    panel = factory()
    first = shown_text(panel)
    assert first.strip(), "the panel shows nothing before any control moves"
    seen = {first}
    for control in controls(panel):
        start = control.value
        for value in ends(control):
            control.value = value
            text = shown_text(panel)
            assert "Traceback" not in text and "Invalid setting" not in text, text
            seen.add(text)
        control.value = start
    assert len(seen) > 1, "moving the controls never changed the output"


@pytest.mark.parametrize("factory", PANEL_FACTORIES, ids=lambda f: f.__name__)
def test_panel_repr_is_one_short_line_for_the_stored_notebook(factory):
    text = repr(factory())
    assert "\n" not in text and len(text) < 120


def test_cbow_panel_at_its_maximum_settings_refuses_instead_of_allocating():
    panel = cbow_forward_panel()
    for control in controls(panel):
        control.value = option_values(control)[-1] if hasattr(control, "options") else control.max
    assert shown_text(panel).startswith("Refused:")


def test_cbow_panel_shows_the_report_of_its_pure_function_at_defaults():
    panel = cbow_forward_panel()
    plain = str(cbow_forward_report(50_000, 4, 16, 128, time_it=False))
    assert shown_text(panel).startswith(plain)


def test_render_or_refuse_reports_bad_settings_as_text():
    assert render_or_refuse(
        cbow_forward_report, vocab_size=0, window_size=1, batch_size=1, embedding_dim=1
    ).startswith("Invalid setting: vocab_size")
