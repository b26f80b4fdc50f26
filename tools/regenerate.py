"""Execute notebooks in place and strip what changes from run to run.

    python tools/regenerate.py notebooks/*.ipynb

Keeps execution counts and outputs (they are nbval's reference). Removes widget state, timing
metadata, the interpreter's patch version and the widget-view part of outputs (its model id is
random), and masks volatile text (timings) with the same rules nbval applies
(``tests/nbval_sanitize.cfg``), so running it twice gives no diff. Run through
``make regenerate``, which sets the thread count and hash seed the stored outputs assume.
"""

from __future__ import annotations

import configparser
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled")
SANITIZE_FILE = Path(__file__).parent.parent / "tests" / "nbval_sanitize.cfg"


def sanitize_rules(path: Path = SANITIZE_FILE) -> list[tuple[re.Pattern[str], str]]:
    """The (regex, replacement) pairs of nbval's sanitize file, in file order."""
    parser = configparser.ConfigParser()
    parser.read(path, encoding="utf-8")
    return [(re.compile(parser[s]["regex"]), parser[s]["replace"]) for s in parser.sections()]


def sanitize(text: str, rules: list[tuple[re.Pattern[str], str]]) -> str:
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text


def coalesce_streams(outputs: list) -> list:
    """Merge consecutive stdout (or stderr) chunks: how the kernel splits them depends on timing."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.get("output_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove run-to-run noise from an executed notebook, in place; return it."""
    rules = sanitize_rules()
    nb.metadata.pop("widgets", None)
    language = nb.metadata.get("language_info", {})
    language.pop("version", None)
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if "outputs" in cell:
            cell.outputs = coalesce_streams(cell.outputs)
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
            output.get("metadata", {}).pop(WIDGET_VIEW, None)
            if "text" in output:
                output["text"] = sanitize(output["text"], rules)
            if "text/plain" in output.get("data", {}):
                output["data"]["text/plain"] = sanitize(output["data"]["text/plain"], rules)
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
