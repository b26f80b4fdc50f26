"""The regenerate tool's stripping step, on a notebook built here."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from tools_loader import load_tool

from w2v_helpers.lessons.formatting import format_time_ratio

regenerate = load_tool("regenerate")

VIEW = "application/vnd.jupyter.widget-view+json"


def test_strip_removes_widget_state_timings_and_patch_version_but_keeps_outputs():
    cell = new_code_cell("panel()", execution_count=3)
    cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
    cell.outputs = [
        new_output("display_data", data={"text/plain": "[panel]", VIEW: {"model_id": "abc"}})
    ]
    nb = new_notebook(cells=[cell])
    nb.metadata["widgets"] = {"state": {}}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    regenerate.strip(nb)
    assert "widgets" not in nb.metadata
    assert nb.metadata["language_info"] == {"name": "python"}
    assert "execution" not in cell.metadata
    assert cell.execution_count == 3
    assert cell.outputs[0]["data"] == {"text/plain": "[panel]"}
    nbformat.validate(nb)


def test_strip_masks_timings_with_the_nbval_sanitize_rules():
    cell = new_code_cell("report()", execution_count=1)
    cell.outputs = [
        new_output(
            "stream", name="stdout", text="forward time 6.34 ms (wall clock)\nshape (2, 3)\n"
        )
    ]
    nb = new_notebook(cells=[cell])
    regenerate.strip(nb)
    assert cell.outputs[0]["text"] == "forward time <timing> ms (wall clock)\nshape (2, 3)\n"


def test_strip_merges_stream_chunks_the_kernel_happened_to_split():
    cell = new_code_cell("print(1); print(2)", execution_count=1)
    cell.outputs = [
        new_output("stream", name="stdout", text="1\n"),
        new_output("stream", name="stdout", text="2\n"),
        new_output("stream", name="stderr", text="warning\n"),
    ]
    nb = new_notebook(cells=[cell])
    regenerate.strip(nb)
    assert [(o["name"], o["text"]) for o in cell.outputs] == [
        ("stdout", "1\n2\n"),
        ("stderr", "warning\n"),
    ]


def test_strip_masks_rates_but_keeps_their_unit():
    cell = new_code_cell("table()", execution_count=1)
    cell.outputs = [new_output("stream", name="stdout", text="ours 627,021 words/s (wall clock)\n")]
    nb = new_notebook(cells=[cell])
    regenerate.strip(nb)
    assert cell.outputs[0]["text"] == "ours <rate> words/s (wall clock)\n"


@pytest.mark.parametrize(("slow", "fast"), [(0.5, 0.001), (2.0, 1.9), (5e3, 1e-3)])
def test_strip_masks_every_ratio_format_time_ratio_can_print(slow, fast):
    text = f"a step takes {format_time_ratio(slow, fast)}\n"
    cell = new_code_cell("report()", execution_count=1)
    cell.outputs = [new_output("stream", name="stdout", text=text)]
    regenerate.strip(new_notebook(cells=[cell]))
    assert cell.outputs[0]["text"] == "a step takes <ratio>x as long (wall clock)\n"


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (0, ValueError),
        (-1.0, ValueError),
        (float("nan"), ValueError),
        (True, TypeError),
        ("1", TypeError),
    ],
)
def test_format_time_ratio_refuses_what_is_not_a_positive_time(bad, error):
    with pytest.raises(error, match="fast_seconds must be"):
        format_time_ratio(1.0, bad)
