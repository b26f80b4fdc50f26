"""The benchmarks' results file, ``benchmarks/results.md``, and the two places that show it.

``make bench-train`` and ``make bench-widgets`` end with :func:`record`: their result lines go to
their own section of ``benchmarks/results.md`` (a rerun replaces that bench's section and keeps
the other), with what measured them:

- the CPU model (``/proc/cpuinfo``, else :func:`platform.processor`) and ``BENCH_NOTE`` when set,
  e.g. ``BENCH_NOTE="shared 2-core machine"`` for a machine other work runs on;
- the thread layout: logical CPUs, sockets x cores x threads per core, ``OMP_NUM_THREADS`` and
  torch's intra-op threads;
- the date (UTC) and the commit (``git rev-parse``) when the bench started, marked ``+dirty``
  when ``git status`` showed a change other than the files this module writes, and how long it
  took;
- the command that produced them (``BENCH_*`` settings included).

Then it copies every section, unchanged, between the ``<!-- bench:start -->`` and
``<!-- bench:end -->`` markers of ``README.md``, and the ``bench-train`` section into notebook
07's markdown cell tagged ``bench-results``, under a heading: numbers measured once and shown
as measured, never recomputed when the notebook runs. ``tests/tools/test_bench_results.py``
checks that the three agree.

    .venv/bin/python benchmarks/bench_results.py  # show results.md again in README and 07
"""

from __future__ import annotations

import datetime
import os
import platform
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results.md"
README = ROOT / "README.md"
NOTEBOOK = ROOT / "notebooks" / "07_fast_trainer_vs_gensim.ipynb"
CELL_TAG = "bench-results"
BENCHES = ("bench-train", "bench-widgets")  # the sections, in this order
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"
# Written by record(): a change to them alone does not make the measured tree dirty.
WRITTEN = ("benchmarks/results.md", "README.md", "notebooks/07_fast_trainer_vs_gensim.ipynb")
PREAMBLE = (
    "# Benchmark results\n\n"
    "Written by `make bench-train` and `make bench-widgets` (`benchmarks/bench_results.py`); each\n"
    "rerun replaces its own section. `README.md` (*About the numbers*) shows these sections\n"
    "as they are here, and notebook 07 the first. Every speed is wall clock on the machine named.\n"
)
NOTEBOOK_HEADING = "**Measured by the benchmarks** (`benchmarks/results.md`)"
NOTEBOOK_BENCH = "bench-train"  # the section notebook 07 shows
# Lines of that section left to the README and the results file: which SIMD kernels and thread
# pools ran is the machine's story, not the lesson's (the lesson's table names the processor).
RIG_LINES = ("machine: ", "threads: ")


def cpu_model(cpuinfo: str | None = None) -> str:
    """The CPU's model name, from ``/proc/cpuinfo`` where there is one."""
    if cpuinfo is None:
        path = Path("/proc/cpuinfo")
        cpuinfo = path.read_text() if path.exists() else ""
    found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    return found.group(1).strip() if found else platform.processor() or platform.machine()


def thread_layout(cpuinfo: str | None = None) -> str:
    """Logical CPUs, sockets x cores x threads per core, and the thread settings in force."""
    import torch

    if cpuinfo is None:
        path = Path("/proc/cpuinfo")
        cpuinfo = path.read_text() if path.exists() else ""
    logical = os.cpu_count() or 1
    sockets = len(set(re.findall(r"^physical id\s*:\s*(\d+)", cpuinfo, re.M))) or 1
    cores = re.search(r"^cpu cores\s*:\s*(\d+)", cpuinfo, re.M)
    siblings = re.search(r"^siblings\s*:\s*(\d+)", cpuinfo, re.M)
    layout = f"{logical} logical processors"
    if cores and siblings:
        per_core = int(siblings.group(1)) // int(cores.group(1))
        layout += f" ({sockets} socket x {cores.group(1)} cores x {per_core} thread per core)"
    omp = os.environ.get("OMP_NUM_THREADS", "unset")
    return f"{layout}; OMP_NUM_THREADS={omp}, torch threads {torch.get_num_threads()}"


def commit() -> str:
    """``git rev-parse --short HEAD``, with ``+dirty`` when the tree has other changes than
    the files :func:`record` writes; ``unknown`` outside a git checkout."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short=12", "HEAD")
    if not head:
        return "unknown"
    status = git("status", "--porcelain", "--", ".", *(f":!{path}" for path in WRITTEN))
    return head + "+dirty" * bool(status)


def command(default: str, argv: Sequence[str] = ()) -> str:
    """The command line that ran the bench: the ``BENCH_*`` settings in force, then
    ``BENCH_COMMAND`` (the Makefile sets it, e.g. ``make bench-train``) or ``default``, then
    the arguments (as ``BENCH_ARGS="..."`` after a make target)."""
    settings = [
        f"{name}={shlex.quote(value)}"
        for name, value in sorted(os.environ.items())
        if name.startswith("BENCH_") and name not in ("BENCH_COMMAND", "BENCH_ARGS")
    ]
    run = os.environ.get("BENCH_COMMAND", default)
    if argv:
        joined = shlex.join(argv)
        run += f' BENCH_ARGS="{joined}"' if run.startswith("make ") else f" {joined}"
    return " ".join([*settings, run])


def section(
    bench: str, lines: Sequence[str], *, run: str, when: datetime.datetime, at: str, took: float
) -> str:
    """One bench's section of the results file: heading, provenance, the result lines.

    ``when`` and ``at`` are the start's date and commit (the code the bench ran), ``took`` its
    wall time in seconds.
    """
    machine = cpu_model()
    note = os.environ.get("BENCH_NOTE", "")
    if note:
        machine += f" ({note})"
    stamp = when.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(lines)
    return (
        f"<!-- {bench}:start -->\n"
        f"#### make {bench}\n\n"
        f"measured on {machine} at {at}, {stamp}: not recomputed when the notebook runs\n\n"
        f"| | |\n|---|---|\n"
        f"| processor | {machine} |\n"
        f"| layout | {thread_layout()} |\n"
        f"| date | {stamp} (started; took {took / 60:.0f} min) |\n"
        f"| commit | `{at}` |\n"
        f"| command | `{run}` |\n\n"
        f"```text\n{body}\n```\n"
        f"<!-- {bench}:end -->"
    )


def sections(text: str) -> dict[str, str]:
    """Each bench's section in a results file's text, markers included."""
    found = {}
    for bench in BENCHES:
        match = re.search(rf"<!-- {bench}:start -->.*?<!-- {bench}:end -->", text, re.S)
        if match:
            found[bench] = match.group(0)
    return found


def published(text: str) -> str:
    """What README and notebook 07 show: every section of the results file, in order."""
    return "\n\n".join(sections(text).values())


def notebook_cell(text: str) -> str:
    """The source of notebook 07's ``bench-results`` cell for a results file's text: its own
    bench's section (the widget bench is the course's, not the lesson's), without the lines
    that name SIMD kernels and thread pools (``RIG_LINES``; README and the file keep them)."""
    found = sections(text)
    shown = found.get(NOTEBOOK_BENCH, f"(no `make {NOTEBOOK_BENCH}` measurement recorded yet)")
    return f"{NOTEBOOK_HEADING}\n\n{lesson_view(shown)}"


def lesson_view(section_text: str) -> str:
    """A section without its ``RIG_LINES``."""
    return "\n".join(line for line in section_text.split("\n") if not line.startswith(RIG_LINES))


def readme_region(readme: str) -> str:
    """The text between README's bench markers, without the newlines next to them."""
    start = readme.index(README_START) + len(README_START)
    return readme[start : readme.index(README_END)].strip("\n")


def publish(text: str) -> None:
    """Copy the results into README's bench region and notebook 07's tagged cell."""
    import nbformat

    readme = README.read_text(encoding="utf-8")
    start = readme.index(README_START) + len(README_START)
    end = readme.index(README_END)
    README.write_text(f"{readme[:start]}\n{published(text)}\n{readme[end:]}", encoding="utf-8")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = [c for c in nb.cells if CELL_TAG in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"{NOTEBOOK.name} must have one cell tagged {CELL_TAG}, has {len(cells)}")
    cells[0].source = notebook_cell(text)
    NOTEBOOK.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


def results_text(found: dict[str, str]) -> str:
    """The results file for the given sections, in the order of ``BENCHES``."""
    return PREAMBLE + "".join(f"\n{found[b]}\n" for b in BENCHES if b in found)


class Start:
    """When a bench started and at which commit: call :meth:`now` first thing in its main."""

    when: datetime.datetime | None = None
    commit: str = "unknown"
    clock: float = 0.0

    @classmethod
    def now(cls) -> None:
        cls.when = datetime.datetime.now(datetime.UTC)
        cls.commit = commit()
        cls.clock = time.perf_counter()


def record(bench: str, lines: Sequence[str], *, default_command: str, argv: Sequence[str] = ()):
    """Write ``bench``'s section of the results file (replacing an earlier one), then publish.
    Its date and commit are those of :meth:`Start.now` (called when the bench began).

    Skipped when ``BENCH_RECORD=0``.
    """
    if Start.when is None:
        raise RuntimeError("call Start.now() when the bench begins, before record()")
    if bench not in BENCHES:
        raise ValueError(f"bench must be one of {BENCHES}, got {bench!r}")
    if os.environ.get("BENCH_RECORD", "1") == "0":
        return
    new = section(
        bench,
        lines,
        run=command(default_command, argv),
        when=Start.when,
        at=Start.commit,
        took=time.perf_counter() - Start.clock,
    )
    found = sections(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    found[bench] = new
    text = results_text(found)
    RESULTS.write_text(text, encoding="utf-8")
    publish(text)
    print(f"recorded in {RESULTS.relative_to(ROOT)}, README.md and {NOTEBOOK.name}")


if __name__ == "__main__":  # rewrite the file's preamble and publish its sections again
    if not RESULTS.exists():
        sys.exit(f"{RESULTS} does not exist: run make bench-train or make bench-widgets first")
    refreshed = results_text(sections(RESULTS.read_text(encoding="utf-8")))
    RESULTS.write_text(refreshed, encoding="utf-8")
    publish(refreshed)
