"""Run the course's test stages and print the wall time of each.

    python tools/test_stages.py             # every stage: what `make test` runs
    python tools/test_stages.py fast slow   # some of them, one after another
    python tools/test_stages.py --serial    # every stage, one after another

The stages, each a command of its own:

- ``lint``: ruff check and ruff format --check, modules and notebooks alike;
- ``fast``: the tests in no tier (pytest ``-m "not notebook and not browser and not slow"``);
- ``slow``: the tests marked ``slow`` (subprocesses, gensim, whole trainings, repo2docker);
- ``nbval``: the ``notebook`` tier: nbval executes every notebook once, compares each cell
  with its stored output, and checks that each notebook ran offline, in its own kernel, and
  wrote no file (``conftest.py``); with any test in ``tests/`` that executes a notebook;
- ``browser``: the ``browser`` tier: every notebook in JupyterLab in headless Chromium, its
  student edition run top to bottom, every widget moved.

``lint`` and ``fast`` run first, their output shown as it comes. Then, on a machine with two
cores or more, the three long stages run in two lanes side by side, ``nbval`` then ``slow`` in
one and ``browser`` in the other: each keeps about one core busy (a notebook's kernel computes
on one thread), so together they take the time of the longer lane. A lane's output is shown
whole when its stage ends, and kept in ``artifacts/test-stages/<stage>.log``.

Every stage runs even when an earlier one failed, so one run shows everything that is wrong.
Ends with a table of the stages' wall times and exits 1 if any stage failed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PYTEST = [str(BIN / "pytest")]
LOGS = ROOT / "artifacts" / "test-stages"

STAGES: dict[str, list[list[str]]] = {
    "lint": [[str(BIN / "ruff"), "check", "."], [str(BIN / "ruff"), "format", "--check", "."]],
    "fast": [
        [*PYTEST, "tests", "-m", "not notebook and not browser and not slow", "--durations=10"]
    ],
    "slow": [[*PYTEST, "tests", "-m", "slow and not notebook and not browser", "--durations=10"]],
    "nbval": [[*PYTEST, "tests", "notebooks", "-m", "notebook and not browser"]],
    "browser": [[*PYTEST, "tests", "-m", "browser"]],
}
FIRST = ["lint", "fast"]
LANES = [["nbval", "slow"], ["browser"]]  # side by side, each about one core
PRINTING = threading.Lock()


def shown(command: list[str]) -> str:
    return " ".join(Path(c).name if i == 0 else c for i, c in enumerate(command))


def run_stage(name: str, log: Path | None = None) -> tuple[float, bool]:
    """Run a stage's commands in order, output streamed (or written to ``log`` and printed
    whole at the end); its wall time and whether all of its commands passed."""
    began = time.perf_counter()
    ok = True
    if log is None:
        print(f"\n===== stage {name} =====", flush=True)
        for command in STAGES[name]:
            print("$", shown(command), flush=True)
            ok &= subprocess.run(command, cwd=ROOT).returncode == 0
    else:
        with PRINTING:
            print(f"\n===== stage {name} started (output when it ends) =====", flush=True)
        with log.open("w", encoding="utf-8") as out:
            for command in STAGES[name]:
                out.write(f"$ {shown(command)}\n")
                out.flush()
                done = subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
                ok &= done.returncode == 0
    seconds = time.perf_counter() - began
    with PRINTING:
        if log is not None:
            print(f"\n===== stage {name} =====")
            print(log.read_text(encoding="utf-8"), end="")
        print(f"===== stage {name}: {'passed' if ok else 'FAILED'} in {minutes(seconds)}")
        sys.stdout.flush()
    return seconds, ok


def run_lanes(lanes: list[list[str]]) -> dict[str, tuple[float, bool]]:
    """Each lane's stages one after another, the lanes side by side."""
    LOGS.mkdir(parents=True, exist_ok=True)
    results: dict[str, tuple[float, bool]] = {}

    def lane(names: list[str]) -> None:
        for name in names:
            results[name] = run_stage(name, LOGS / f"{name}.log")

    threads = [threading.Thread(target=lane, args=(names,)) for names in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def minutes(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole} s" if whole < 60 else f"{whole // 60} min {whole % 60:02d} s"


def main(argv: list[str]) -> int:
    serial = "--serial" in argv
    names = [arg for arg in argv if arg != "--serial"]
    unknown = [name for name in names if name not in STAGES]
    if unknown:
        print(f"unknown stage(s) {unknown}; choose from {list(STAGES)}", file=sys.stderr)
        return 2
    side_by_side = not names and not serial and (os.cpu_count() or 1) >= 2
    chosen = names or list(STAGES)
    start = time.perf_counter()
    results: dict[str, tuple[float, bool]] = {}
    for name in FIRST if side_by_side else chosen:
        results[name] = run_stage(name)
    if side_by_side:
        results.update(run_lanes(LANES))
    total = time.perf_counter() - start
    print("\nstage      wall time     result")
    for name in (n for n in STAGES if n in results):
        seconds, ok = results[name]
        print(f"{name:10} {minutes(seconds):>12}  {'passed' if ok else 'FAILED'}")
    failed = [name for name in STAGES if name in results and not results[name][1]]
    verdict = f"FAILED: {', '.join(failed)}" if failed else "all passed"
    lanes = " (nbval then slow, beside browser)" if side_by_side else ""
    print(f"{'total':10} {minutes(total):>12}  {verdict}{lanes}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
