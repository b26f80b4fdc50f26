"""Run nbval over every notebook five times with one thread and five times with two.

    python tools/determinism.py [--runs 5] [notebooks ...]

The stored outputs were produced with one thread. A failed run's full report goes to
``artifacts/determinism/``. Each run is a fresh pytest process (fresh
kernels) with OMP_NUM_THREADS / MKL_NUM_THREADS set, which ``w2v_helpers.notebook.setup`` also
applies to torch. A run passes when every cell prints exactly its stored output (timings masked).
Ends with ``determinism: 5/5 runs at 1 thread, 5/5 runs at 2 threads``; exits 1 unless all pass.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


LOGS = ROOT / "artifacts" / "determinism"


def run_once(notebooks: list[str], threads: int, run: int) -> tuple[bool, str]:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *notebooks]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    failed = sorted(set(re.findall(r"^FAILED (\S+(?: \d+)?)", done.stdout, flags=re.M)))
    if done.returncode != 0:  # keep the whole report: which cell, and the diff
        LOGS.mkdir(parents=True, exist_ok=True)
        (LOGS / f"threads{threads}-run{run}.txt").write_text(done.stdout + done.stderr)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-200:]
    detail = f"{summary} ({seconds:.0f} s)" + (f"; failed: {', '.join(failed)}" if failed else "")
    return done.returncode == 0, detail


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(str(p) for p in (ROOT / "notebooks").glob("*.ipynb"))
    tally = {}
    for threads in (1, 2):
        passed = 0
        for run in range(1, args.runs + 1):
            ok, detail = run_once(notebooks, threads, run)
            passed += ok
            print(
                f"{threads} thread(s), run {run}/{args.runs}: {'pass' if ok else 'FAIL'}: {detail}"
            )
            sys.stdout.flush()
        tally[threads] = passed
    print(
        f"determinism: {tally[1]}/{args.runs} runs at 1 thread, "
        f"{tally[2]}/{args.runs} runs at 2 threads"
    )
    return 0 if all(v == args.runs for v in tally.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
