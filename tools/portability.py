"""Do the stored outputs print the same on other CPUs? An emulated CPU matrix on one machine.

    python tools/portability.py [--quick] [--jobs N] [--repeat 1] [--only NAME ...] [notebooks]

Each variant is a fresh ``pytest --nbval`` process (fresh kernels) over the notebooks, with
environment variables that make the float32 kernels behave as another x86-64 CPU's would:

- ``ATEN_CPU_CAPABILITY`` (default, avx2, avx512): which vectorised ATen kernels torch dispatches
  to (exp, sigmoid, sums, ...);
- ``MKL_ENABLE_INSTRUCTIONS`` (SSE4_2, AVX2, AVX512) and ``MKL_CBWR=COMPATIBLE``: MKL's matmul
  code path, as on an older CPU or a vendor MKL treats differently (MKL honours the first on
  Intel processors only; on AMD only ``MKL_CBWR`` moves it);
- ``NPY_DISABLE_CPU_FEATURES`` and ``OPENBLAS_CORETYPE``: NumPy's SIMD loops and the OpenBLAS
  kernels that NumPy, SciPy and gensim call, as on an AVX2-only machine;
- ``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS`` 1, 2 and 4, which change how reductions are split.

Before the runs it prints which kernels each variant really changes, bit for bit (matmul, sum,
exp, sigmoid, randn, NumPy's and gensim's BLAS): a variant that changes none emulates nothing on
this CPU, and the listing says so. A variant passes when every cell prints exactly its stored
output (timings masked, as nbval's sanitize rules always do). A failed variant's full report
goes to ``artifacts/portability/<variant>-run<k>.txt``. Variants that need AVX-512 are skipped,
and said so, on a CPU without it.

The unit tests (every test that drives no browser and executes no notebook) must pass on any
CPU too. They run under the fewest of ``UNIT_CANDIDATES`` whose changed kernels, together, are
every kernel any candidate changes on this CPU (on an AMD EPYC, ``oldest-machine-4t`` alone: it
changes each kernel the other two do), and the listing says which and why.

Notebook 07's two trainings (ours and gensim's, ten epochs of float32 SGD) run under each of
``MARGIN_VARIANTS`` that changes a kernel, and the largest difference of their vectors from this
CPU's is printed: how much room its printed results have.

Passing on these CPUs is not enough for CPUs that cannot be emulated here (ARM, other MKL
versions): every printed check and printed float must also hold with room to spare. So the
margins probe (``tools/margins.py``) runs every notebook under ``MARGIN_VARIANTS`` and the
worst margin of each check over them is judged.

Every run is a process of its own; ``--jobs`` of them (default: one per CPU core) run at once,
the longest first, each with ``OMP_WAIT_POLICY=PASSIVE`` so that threads of two runs sharing a
core wait instead of spinning (it changes no result). ``--quick`` runs nbval under the three
``QUICK_VARIANTS`` only: the check to run after every ``make regenerate``. Ends with
``portability: K/K variants print the stored outputs`` and exits 1 unless every run passes and
the margins hold.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "artifacts" / "portability"
# NumPy's dispatch targets above AVX2 (numpy 2.4 names); disabling them leaves NumPy's AVX2 loops.
NUMPY_NO_AVX512 = "X86_V4 AVX512_ICL AVX512_SPR"
NUMPY_NO_AVX2 = "X86_V3 " + NUMPY_NO_AVX512

# name -> (environment, needs AVX-512). Every setting appears at least once; the stored outputs
# were written by the first variant's settings (`make regenerate`: this CPU's best path, 1 thread).
VARIANTS: dict[str, tuple[dict[str, str], bool]] = {
    "native-1t": ({}, False),
    "native-2t": ({"threads": "2"}, False),
    "native-4t": ({"threads": "4"}, False),
    "aten-default-1t": ({"ATEN_CPU_CAPABILITY": "default"}, False),
    "aten-avx2-2t": ({"ATEN_CPU_CAPABILITY": "avx2", "threads": "2"}, False),
    "aten-avx512-4t": ({"ATEN_CPU_CAPABILITY": "avx512", "threads": "4"}, True),
    "mkl-sse42-1t": ({"MKL_ENABLE_INSTRUCTIONS": "SSE4_2"}, False),
    "mkl-avx2-4t": ({"MKL_ENABLE_INSTRUCTIONS": "AVX2", "threads": "4"}, False),
    "mkl-avx512-2t": ({"MKL_ENABLE_INSTRUCTIONS": "AVX512", "threads": "2"}, True),
    "mkl-cbwr-compatible-2t": ({"MKL_CBWR": "COMPATIBLE", "threads": "2"}, False),
    "avx2-machine-2t": (
        {
            "ATEN_CPU_CAPABILITY": "avx2",
            "MKL_ENABLE_INSTRUCTIONS": "AVX2",
            "NPY_DISABLE_CPU_FEATURES": NUMPY_NO_AVX512,
            "OPENBLAS_CORETYPE": "Haswell",
            "threads": "2",
        },
        False,
    ),
    "oldest-machine-4t": (
        {
            "ATEN_CPU_CAPABILITY": "default",
            "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
            "MKL_CBWR": "COMPATIBLE",
            "NPY_DISABLE_CPU_FEATURES": NUMPY_NO_AVX2,
            "OPENBLAS_CORETYPE": "Nehalem",
            "threads": "4",
        },
        False,
    ),
}
# Where the margins probe measures: this CPU, ATen's scalar kernels, an AVX2 machine and the
# oldest path, between them every ATen, MKL and NumPy path and 1, 2 and 4 threads.
MARGIN_VARIANTS = ("native-1t", "aten-default-1t", "avx2-machine-2t", "oldest-machine-4t")
# Where the unit tests may run: the fewest of these covering every kernel they change here.
UNIT_CANDIDATES = ("oldest-machine-4t", "avx2-machine-2t", "aten-default-1t")
# `--quick`: an AVX2-only laptop, the oldest path with 4 threads, ATen's scalar kernels.
QUICK_VARIANTS = ("avx2-machine-2t", "oldest-machine-4t", "aten-default-1t")
EMULATION_KEYS = (
    "ATEN_CPU_CAPABILITY",
    "MKL_ENABLE_INSTRUCTIONS",
    "MKL_CBWR",
    "NPY_DISABLE_CPU_FEATURES",
    "OPENBLAS_CORETYPE",
)


def has_avx512() -> bool:
    try:
        return " avx512f " in f" {Path('/proc/cpuinfo').read_text()} ".replace("\n", " ")
    except OSError:
        return False


def variant_env(settings: dict[str, str]) -> dict[str, str]:
    """The process environment for one variant: nothing inherited that would emulate another."""
    env = {k: v for k, v in os.environ.items() if k not in EMULATION_KEYS}
    threads = settings.get("threads", "1")
    env.update(OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads)
    env.update(OMP_WAIT_POLICY="PASSIVE")  # runs side by side: idle threads sleep, not spin
    env.update({k: v for k, v in settings.items() if k != "threads"})
    return env


def describe(settings: dict[str, str]) -> str:
    threads = settings.get("threads", "1")
    rest = [f"{k}={v}" for k, v in settings.items() if k != "threads"]
    return " ".join([*rest, f"threads={threads}"]) if rest else f"this CPU, threads={threads}"


# Float32 kernels a notebook leans on, each hashed bit for bit, from inputs that do not depend on
# the kernels (NumPy's generator). A variant whose hashes all equal this CPU's emulates nothing.
FINGERPRINT = r"""
import hashlib, json
import numpy as np, torch
from scipy.linalg import blas
torch.set_num_threads(max(1, int(__import__("os").environ.get("OMP_NUM_THREADS", "1"))))
r = np.random.default_rng(0)
a, b = r.standard_normal((257, 300), np.float32), r.standard_normal((300, 129), np.float32)
x = r.standard_normal(100_000, np.float32)
ta, tb, tx = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(x)
torch.manual_seed(0)
kernels = {
    "torch.randn": torch.randn(1000), "torch matmul (MKL)": ta @ tb, "torch.sum": tx.sum(),
    "torch.exp": tx.exp(), "torch.sigmoid": tx.sigmoid(), "torch.logsumexp": ta.logsumexp(1),
    "numpy matmul (OpenBLAS)": a @ b, "numpy.exp": np.exp(x), "numpy.sum": x.sum(),
    "scipy sdot (gensim's BLAS)": np.float32(blas.sdot(x, x[::-1].copy())),
}
digest = lambda v: hashlib.md5(np.asarray(v).tobytes()).hexdigest()[:12]
print(json.dumps({k: digest(v.numpy() if hasattr(v, "numpy") else v) for k, v in kernels.items()}))
"""


# Notebook 07's two trainings (same settings as its cells), saved for comparison across variants.
TRAINED = r"""
import sys
import numpy as np
from gensim.models import Word2Vec
from w2v_helpers.corpus import build_vocabulary, load_wiki_sample
from w2v_helpers.notebook import setup
from w2v_helpers.trainer import TrainConfig, train_word2vec
setup(seed=0)
sentences = load_wiki_sample()
vocab = build_vocabulary(sentences, min_count=5)
ours = train_word2vec(sentences, TrainConfig(model="skipgram", epochs=10, seed=0), progress=False)
theirs = Word2Vec(sentences, vector_size=100, window=5, negative=5, sg=1, min_count=5,
                  sample=1e-3, epochs=10, workers=1, seed=0)
np.savez(sys.argv[1], ours=ours.vectors.double().numpy(), gensim=theirs.wv[list(vocab.words)])
"""


def fingerprint(settings: dict[str, str]) -> dict[str, str]:
    """Bitwise hashes of the float32 kernels under a variant's environment."""
    done = subprocess.run(
        [sys.executable, "-c", FINGERPRINT],
        env=variant_env(settings),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def covering(candidates: list[str], changed: dict[str, set[str]]) -> list[str]:
    """The fewest candidates (greedy, in order) whose changed kernels together are every kernel
    any candidate changes; the first candidate if none changes a kernel."""
    needed = set().union(*(changed[name] for name in candidates)) if candidates else set()
    chosen: list[str] = []
    covered: set[str] = set()
    while covered != needed:
        best = max(candidates, key=lambda name: len(changed[name] - covered))
        chosen.append(best)
        covered |= changed[best]
    return chosen or candidates[:1]


class Job(NamedTuple):
    kind: str  # "nbval", "unit", "margins" or "trained"
    variant: str
    run: int
    command: list[str]
    output: Path | None  # the file a margins or trained job writes


# Expected minutes on two cores, to start the longest first.
COST = {"margins": 5.0, "nbval": 3.5, "unit": 2.5, "trained": 0.8}


def make_jobs(args, notebooks: list[str], runnable: list[str], folder: str):
    """Every run, the longest first, and the variants the unit tests run under."""
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    unit = [] if args.quick else covering([n for n in UNIT_CANDIDATES if n in runnable], CHANGED)
    jobs = []
    for run in range(1, args.repeat + 1):
        for name in runnable:
            jobs.append(Job("nbval", name, run, [*pytest, *notebooks], None))
            if name in unit:
                selection = ["tests", "-m", "not notebook and not browser"]
                jobs.append(Job("unit", name, run, [*pytest, *selection], None))
    probed = [] if args.quick else [n for n in MARGIN_VARIANTS if n in runnable]
    if not args.no_margins:
        for name in probed:
            out = Path(folder) / f"margins-{name}.json"
            command = [sys.executable, str(ROOT / "tools" / "margins.py"), "--json", str(out)]
            jobs.append(Job("margins", name, 1, [*command, *notebooks], out))
    moved = [name for name in probed if CHANGED[name]]  # this CPU's own run is the reference
    if moved and not args.no_trained:
        for name in ["native-1t", *moved]:
            out = Path(folder) / f"trained-{name}.npz"
            jobs.append(Job("trained", name, 1, [sys.executable, "-c", TRAINED, str(out)], out))
    return sorted(jobs, key=lambda job: -COST[job.kind]), unit


CHANGED: dict[str, set[str]] = {}  # variant -> the kernels it changes on this CPU


def run_job(job: Job) -> tuple[Job, bool, str, float]:
    """Run one job in its variant's environment; (job, passed, summary line, seconds)."""
    start = time.perf_counter()
    env = variant_env(VARIANTS[job.variant][0])
    done = subprocess.run(job.command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:  # keep the whole report: which cell or test, and the diff
        LOGS.mkdir(parents=True, exist_ok=True)
        log = LOGS / f"{job.variant}-{job.kind}-run{job.run}.txt"
        log.write_text(done.stdout + done.stderr, encoding="utf-8")
    failed = re.findall(r"^FAILED (\S+(?: \d+)?)", done.stdout, flags=re.M)
    lines = done.stdout.strip().splitlines()
    summary = lines[-1] if lines else done.stderr.strip()[-200:]
    if failed:
        summary += f"; first failing: {failed[0]}"
    return job, done.returncode == 0, summary, seconds


def trained_spread(jobs: list[Job]) -> None:
    """How far notebook 07's trained vectors move between variants, relative to their size."""
    found = {}
    for job in jobs:
        with np.load(job.output) as saved:
            found[job.variant] = {k: saved[k].astype(np.float64) for k in saved.files}
    reference = found.pop("native-1t")
    worst = dict.fromkeys(reference, 0.0)
    for name, vectors in found.items():
        spread = {
            k: float(np.abs(vectors[k] - v).max() / np.abs(v).max()) for k, v in reference.items()
        }
        worst = {k: max(worst[k], spread[k]) for k in worst}
        print(f"  {name:24} " + ", ".join(f"{k} {v:.1e}" for k, v in spread.items()))
    print(
        "trained vectors (notebook 07), largest difference from this CPU's, relative to the "
        "largest entry: " + ", ".join(f"{k} {v:.1e}" for k, v in worst.items())
    )


def worst_margins(jobs: list[Job]) -> bool:
    """Judge the worst margin of every check over the variants' margins runs."""
    sys.path.insert(0, str(ROOT / "tools"))
    import margins

    runs = []
    for job in jobs:
        found = json.loads(job.output.read_text())
        runs.append({name: margins.Margins(**m) for name, m in found.items()})
    names = ", ".join(job.variant for job in jobs)
    print(f"margins: the worst over {len(jobs)} variants ({names})")
    return margins.judge(margins.merge(runs))


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"nbval under {QUICK_VARIANTS}")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="runs at once")
    parser.add_argument("--repeat", type=int, default=1, help="sweep the matrix this many times")
    parser.add_argument("--only", nargs="*", default=None, help="run only these variants")
    parser.add_argument("--no-margins", action="store_true", help="skip the margins probe")
    parser.add_argument(
        "--no-trained", action="store_true", help="skip comparing notebook 07's trained vectors"
    )
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.only or ()) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown variant(s) {unknown}; choose from {sorted(VARIANTS)}")
    return args


def runnable_variants(args: argparse.Namespace) -> list[str]:
    """The variants asked for that this CPU can run; prints what each changes here."""
    avx512 = has_avx512()
    wanted = QUICK_VARIANTS if args.quick else tuple(VARIANTS)
    runnable = []
    for name in VARIANTS:
        if name not in wanted or (args.only is not None and name not in args.only):
            continue
        if VARIANTS[name][1] and not avx512:
            print(f"{name:24} skipped: this CPU has no AVX-512")
        else:
            runnable.append(name)
    print("which float32 kernels each variant changes (bitwise, against native-1t, the settings")
    print("`make regenerate` writes the outputs with):")
    native = fingerprint(VARIANTS["native-1t"][0])
    for name in runnable:
        CHANGED[name] = {k for k, v in fingerprint(VARIANTS[name][0]).items() if native[k] != v}
        if name != "native-1t":
            listed = ", ".join(sorted(CHANGED[name])) or "none: no kernel changes on this CPU"
            print(f"  {name:24} {listed}")
    return runnable


def run_all(jobs: list[Job], workers: int) -> list[tuple[Job, bool]]:
    """Run the jobs, ``workers`` at a time; print each as it ends."""
    print(f"{len(jobs)} runs, {workers} at a time", flush=True)
    results = []
    with ThreadPoolExecutor(max(1, workers)) as pool:
        for job, ok, summary, seconds in pool.map(run_job, jobs):
            results.append((job, ok))
            settings = describe(VARIANTS[job.variant][0])
            print(
                f"{job.variant:24} {job.kind:8} {'pass' if ok else 'FAIL'} ({settings}): "
                f"{summary} ({seconds:.0f} s)",
                flush=True,
            )
    return results


def judge_extras(jobs: list[Job], results: list[tuple[Job, bool]]) -> bool:
    """The trained vectors' spread and the margins, from the runs that wrote them."""
    done = {kind: [job for job, ok in results if job.kind == kind and ok] for kind in COST}
    broken = [job for job, ok in results if job.kind in ("margins", "trained") and not ok]
    if done["trained"] and len(done["trained"]) == sum(j.kind == "trained" for j in jobs):
        print("notebook 07's trained vectors under each margins variant that changes a kernel:")
        trained_spread(done["trained"])
    if done["margins"]:
        return worst_margins(done["margins"]) and not broken
    return not broken


def main(argv: list[str]) -> int:
    args = parse(argv)
    notebooks = args.notebooks or sorted(str(p) for p in (ROOT / "notebooks").glob("*.ipynb"))
    started = time.perf_counter()
    runnable = runnable_variants(args)
    with tempfile.TemporaryDirectory() as folder:
        jobs, unit = make_jobs(args, notebooks, runnable, folder)
        if unit:
            others = [n for n in UNIT_CANDIDATES if n in runnable and n not in unit]
            print(
                f"unit tests under {', '.join(unit)}: together they change every kernel that "
                f"{', '.join(others) or 'no other candidate'} change(s) here"
            )
        results = run_all(jobs, args.jobs)
        extras_ok = judge_extras(jobs, results)
    checked = [(job, ok) for job, ok in results if job.kind in ("nbval", "unit")]
    nbval = [ok for job, ok in checked if job.kind == "nbval"]
    passed = sum(ok for _, ok in checked)
    minutes = (time.perf_counter() - started) / 60
    print(f"portability: {passed}/{len(checked)} runs pass (nbval and unit), {minutes:.0f} min")
    print(f"portability: {sum(nbval)}/{len(nbval)} variants print the stored outputs")
    return 0 if passed == len(checked) and extras_ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
