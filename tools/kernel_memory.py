"""Peak memory of each notebook's kernel: after a full run, then with the widgets pushed to the end.

    python tools/kernel_memory.py notebooks/*.ipynb

For each notebook: execute it top to bottom in a fresh kernel (nothing is written back), read the
kernel's peak resident memory, then build every panel the notebook shows and sweep each control,
one at a time, through its values (the largest included), and read the peak again. Prints a
Markdown table and the slowest widget update per control.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

PEAK = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)"

# Runs inside the kernel. Sweeps each control of each panel through its values (up to 12, ends
# included), one control at a time, and times the slowest update of each control.
PUSH = """
import json as _json, resource as _resource, time as _time
from w2v_helpers.lessons import panel_factories as _panel_factories
_timings = {}
for _name in NAMES:
    _panel = _panel_factories()[_name]()
    for _key, _control in _panel.controls.items():
        _start = _control.value
        if hasattr(_control, "options"):
            _values = [o[1] if isinstance(o, tuple) else o for o in _control.options]
        elif isinstance(_start, bool):
            _values = [not _start]
        elif hasattr(_control, "max"):
            _step = max((_control.max - _control.min) / 11, getattr(_control, "step", 1) or 1)
            _values = [_control.min + i * _step for i in range(11)] + [_control.max]
            if isinstance(_start, int):
                _values = sorted({int(round(v)) for v in _values})
        else:
            _values = []
        _slowest = 0.0
        for _value in _values:
            _t0 = _time.perf_counter()
            _control.value = _value
            _slowest = max(_slowest, _time.perf_counter() - _t0)
        _timings[f"{_name}.{_key}"] = _slowest
        _control.value = _start
print(_json.dumps({"peak": _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss * 1024,
                   "timings": _timings}))
"""


def run_code(client: NotebookClient, nb: nbformat.NotebookNode, source: str) -> str:
    cell = nbformat.v4.new_code_cell(source)
    nb.cells.append(cell)
    client.execute_cell(cell, len(nb.cells) - 1)
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def measure(path: Path) -> dict:
    nb = nbformat.read(path, as_version=4)
    panels = sorted(
        set(
            re.findall(
                r"(\w+_panel)\(", "\n".join(c.source for c in nb.cells if c.cell_type == "code")
            )
        )
        - {"make_panel"}
    )
    client = NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(list(nb.cells)):
            client.execute_cell(cell, index)
        seconds = time.perf_counter() - start
        after_run = int(run_code(client, nb, PEAK))
        pushed = json.loads(run_code(client, nb, f"NAMES = {panels!r}\n{PUSH}"))
    return {
        "notebook": path.name,
        "run_s": seconds,
        "after_run": after_run,
        "after_widgets": pushed["peak"],
        "timings": pushed["timings"],
    }


def main(argv: list[str]) -> int:
    print("| notebook | run (s) | peak after run (MiB) | peak with widgets at max (MiB) |")
    print("|---|---|---|---|")
    slowest: dict[str, float] = {}
    for name in argv:
        row = measure(Path(name))
        slowest.update(row["timings"])
        print(
            f"| {row['notebook']} | {row['run_s']:.1f} | {row['after_run'] / 2**20:.0f} | "
            f"{row['after_widgets'] / 2**20:.0f} |"
        )
    print("\nslowest widget update while sweeping each control:")
    for key, seconds in sorted(slowest.items()):
        print(f"  {key}: {seconds * 1e3:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
