"""Run the course's test stages one after another and print the wall time of each.

    python tools/test_stages.py              # every stage: what `make test` runs
    python tools/test_stages.py fast slow    # some of them

The stages, cheapest first, each a command of its own:

- ``lint``: ruff check and ruff format --check, modules and notebooks alike;
- ``fast``: the tests in no tier (pytest ``-m "not notebook and not browser and not slow"``);
- ``slow``: the tests marked ``slow`` (subprocesses, gensim, whole trainings, repo2docker);
- ``nbval``: the ``notebook`` tier: nbval executes every notebook once, compares each cell
  with its stored output, and checks that each notebook ran offline, in its own kernel, and
  wrote no file (``conftest.py``); with any test in ``tests/`` that executes a notebook;
- ``browser``: the ``browser`` tier: every notebook in JupyterLab in headless Chromium, its
  student edition run top to bottom, every widget moved.

Every stage runs even when an earlier one failed, so one run shows everything that is wrong.
Ends with a table of the stages' wall times and exits 1 if any stage failed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PYTEST = [str(BIN / "pytest")]

STAGES: dict[str, list[list[str]]] = {
    "lint": [[str(BIN / "ruff"), "check", "."], [str(BIN / "ruff"), "format", "--check", "."]],
    "fast": [
        [*PYTEST, "tests", "-m", "not notebook and not browser and not slow", "--durations=10"]
    ],
    "slow": [[*PYTEST, "tests", "-m", "slow and not notebook and not browser", "--durations=10"]],
    "nbval": [[*PYTEST, "tests", "notebooks", "-m", "notebook and not browser"]],
    "browser": [[*PYTEST, "tests", "-m", "browser"]],
}


def run_stage(commands: list[list[str]]) -> bool:
    """Run a stage's commands in order, output streamed; whether all of them passed."""
    ok = True
    for command in commands:
        print("$", " ".join(Path(c).name if i == 0 else c for i, c in enumerate(command)))
        sys.stdout.flush()
        ok &= subprocess.run(command, cwd=ROOT).returncode == 0
    return ok


def minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 60 else f"{seconds // 60:.0f} min {seconds % 60:02.0f} s"


def main(argv: list[str]) -> int:
    unknown = [name for name in argv if name not in STAGES]
    if unknown:
        print(f"unknown stage(s) {unknown}; choose from {list(STAGES)}", file=sys.stderr)
        return 2
    chosen = argv or list(STAGES)
    results = []
    start = time.perf_counter()
    for name in chosen:
        print(f"\n===== stage {name} =====", flush=True)
        began = time.perf_counter()
        ok = run_stage(STAGES[name])
        results.append((name, time.perf_counter() - began, ok))
        print(f"===== stage {name}: {'passed' if ok else 'FAILED'} in {minutes(results[-1][1])}")
    total = time.perf_counter() - start
    print("\nstage      wall time     result")
    for name, seconds, ok in results:
        print(f"{name:10} {minutes(seconds):>12}  {'passed' if ok else 'FAILED'}")
    failed = [name for name, _, ok in results if not ok]
    verdict = f"FAILED: {', '.join(failed)}" if failed else "all passed"
    print(f"{'total':10} {minutes(total):>12}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
