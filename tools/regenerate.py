"""Execute notebooks in place and strip what changes from run to run.

    python tools/regenerate.py notebooks/*.ipynb

Keeps execution counts and outputs (they are nbval's reference). Removes widget state, timing
metadata, the interpreter's patch version and the widget-view part of outputs (its model id is
random), so running it twice gives no diff. Run through ``make regenerate``, which sets the
thread count and hash seed the stored outputs assume.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled")


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove run-to-run noise from an executed notebook, in place; return it."""
    nb.metadata.pop("widgets", None)
    language = nb.metadata.get("language_info", {})
    language.pop("version", None)
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
            output.get("metadata", {}).pop(WIDGET_VIEW, None)
    return nb


def regenerate(path: Path, timeout: int = 900) -> float:
    """Execute ``path`` in its own folder, strip it and write it back; return seconds taken."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    seconds = time.perf_counter() - start
    strip(nb)
    nbformat.validate(nb)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return seconds


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    for name in argv:
        seconds = regenerate(Path(name))
        print(f"regenerated {name} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
