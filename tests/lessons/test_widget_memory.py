"""Every widget asks the memory guard first: at its largest settings under a small budget it
refuses with a message and allocates nothing."""

import json
import subprocess
import sys

import pytest

from w2v_helpers.lessons import panel_factories

PANELS = list(panel_factories())
# Panels whose controls do not change what they allocate: nothing to refuse at the maximum.
# snapshot_panel only picks which saved epoch to show, neighbours_panel which word and how many
# neighbours, path_panel which word of a fixed ten-word tree; their work goes through the guard.
FIXED_COST = {
    "snapshot_panel",
    "neighbours_panel",
    "path_panel",
    "explorer_panel",
    "subword_panel",
}
SCALING = [name for name in PANELS if name not in FIXED_COST]
assert FIXED_COST <= set(PANELS), "a FIXED_COST panel was renamed or removed"

# Runs in a fresh interpreter so that its peak RSS says what the panels allocated.
PUSH_TO_MAX = r"""
import json, os, resource, sys
import psutil
from w2v_helpers.lessons import panel_factories

os.environ["W2V_MEMORY_BUDGET"] = str(psutil.Process().memory_info().rss + 64 * 2**20)
results = {}
for name in sys.argv[1:]:
    panel = panel_factories()[name]()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    for control in panel.controls.values():
        if hasattr(control, "options"):
            control.value = [o[1] if isinstance(o, tuple) else o for o in control.options][-1]
        elif hasattr(control, "max"):
            control.value = control.max
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    results[name] = {"text": panel.text(), "grew": peak - base}
print(json.dumps(results))
"""


@pytest.mark.slow
def test_every_panel_at_its_maximum_settings_refuses_without_allocating():
    out = subprocess.run(
        [sys.executable, "-c", PUSH_TO_MAX, *SCALING], capture_output=True, text=True, check=True
    )
    results = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(results) == set(SCALING)
    for name, result in results.items():
        assert result["text"].startswith("Refused:"), f"{name}: {result['text'][:200]}"
        assert "memory budget of" in result["text"]
        assert result["grew"] < 128 * 2**20, f"{name} grew the process by {result['grew']:,} B"


@pytest.mark.parametrize("name", PANELS)
def test_every_panel_consults_the_guard_even_at_its_defaults(monkeypatch, name):
    monkeypatch.setenv("W2V_MEMORY_BUDGET", "1")  # one byte: nothing fits
    panel = panel_factories()[name]()
    assert panel.text().startswith("Refused:"), f"{name} rendered without asking the guard"
