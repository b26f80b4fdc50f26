"""Do the stored outputs print the same on other CPUs? An emulated CPU matrix on one machine.

    python tools/portability.py [--repeat 1] [--only NAME ...] [notebooks ...]

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
output (timings masked, as nbval's sanitize rules always do); under ``UNIT_VARIANTS`` the unit
tests (all but the browser test) must pass too. A failed variant's full report goes to
``artifacts/portability/<variant>-run<k>.txt``. Variants that need AVX-512 are skipped, and said
so, on a CPU without it.

Then notebook 07's two trainings (ours and gensim's, ten epochs of float32 SGD) run under every
variant that changes a kernel, and the largest difference of their vectors from this CPU's is
printed: how much room its printed results have.

Passing on these CPUs is not enough for CPUs that cannot be emulated here (ARM, other MKL
versions): every printed check and printed float must also hold with room to spare. So the
margins probe (``tools/margins.py``) then runs every notebook under ``MARGIN_VARIANTS`` and
judges the worst margin of each check over them. Ends with
``portability: K/K variants print the stored outputs`` and exits 1 unless every variant passes
and the margins hold.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
# Where the unit tests (all but the browser test) run too: `make test` must pass on any CPU.
UNIT_VARIANTS = ("aten-default-1t", "avx2-machine-2t", "oldest-machine-4t")
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
    env.update({k: v for k, v in settings.items() if k != "threads"})
    return env


def describe(settings: dict[str, str]) -> str:
    threads = settings.get("threads", "1")
    rest = [f"{k}={v}" for k, v in settings.items() if k != "threads"]
    return " ".join([*rest, f"threads={threads}"]) if rest else f"this CPU, threads={threads}"


@contextlib.contextmanager
def environment(env: dict[str, str]):
    """Replace os.environ for the kernels started inside the block."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def worst_margins(notebooks: list[str], names: list[str]) -> bool:
    """Measure every notebook's margins under each variant; judge the worst of each check."""
    sys.path.insert(0, str(ROOT / "tools"))
    import margins

    runs = []
    for name in names:
        start = time.perf_counter()
        with environment(variant_env(VARIANTS[name][0])):
            runs.append({Path(nb).name: margins.measure(Path(nb).resolve()) for nb in notebooks})
        print(f"margins measured under {name} ({time.perf_counter() - start:.0f} s)", flush=True)
    print(f"margins: the worst over {len(names)} variants ({', '.join(names)})")
    return margins.judge(margins.merge(runs))


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


def trained_vectors(settings: dict[str, str], path: Path) -> dict[str, np.ndarray]:
    """Notebook 07's trained vectors (ours and gensim's) under a variant's environment."""
    subprocess.run(
        [sys.executable, "-c", TRAINED, str(path)],
        env=variant_env(settings),
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    with np.load(path) as saved:
        return {name: saved[name].astype(np.float64) for name in saved.files}


def trained_spread(names: list[str]) -> None:
    """How far notebook 07's trained vectors move between variants, relative to their size."""
    with tempfile.TemporaryDirectory() as folder:
        reference = trained_vectors(VARIANTS["native-1t"][0], Path(folder) / "native.npz")
        worst = dict.fromkeys(reference, 0.0)
        for name in names:
            found = trained_vectors(VARIANTS[name][0], Path(folder) / f"{name}.npz")
            spread = {
                k: float(np.abs(found[k] - v).max() / np.abs(v).max()) for k, v in reference.items()
            }
            worst = {k: max(worst[k], spread[k]) for k in worst}
            print(f"  {name:24} " + ", ".join(f"{k} {v:.1e}" for k, v in spread.items()))
    print(
        "trained vectors (notebook 07), largest difference from this CPU's, relative to the "
        "largest entry: " + ", ".join(f"{k} {v:.1e}" for k, v in worst.items())
    )


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


def run_variant(name: str, settings: dict[str, str], notebooks: list[str], run: int):
    """One nbval pass (plus the unit tests for ``UNIT_VARIANTS``); return (passed, first failing
    cell or test or '', summary line, seconds)."""
    unit = ["tests", "--ignore=tests/test_browser.py"] if name in UNIT_VARIANTS else []
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *unit, *notebooks]
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=ROOT, env=variant_env(settings), capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    failed = re.findall(r"^FAILED (\S+(?: \d+)?)", done.stdout, flags=re.M)
    if done.returncode != 0:  # keep the whole report: which cell, and the diff
        LOGS.mkdir(parents=True, exist_ok=True)
        (LOGS / f"{name}-run{run}.txt").write_text(done.stdout + done.stderr, encoding="utf-8")
    lines = done.stdout.strip().splitlines()
    summary = lines[-1] if lines else done.stderr.strip()[-200:]
    return done.returncode == 0, (failed[0] if failed else ""), summary, seconds


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="sweep the matrix this many times")
    parser.add_argument("--only", nargs="*", default=None, help="run only these variants")
    parser.add_argument("--no-margins", action="store_true", help="skip the margins probe")
    parser.add_argument(
        "--no-trained", action="store_true", help="skip comparing notebook 07's trained vectors"
    )
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(str(p) for p in (ROOT / "notebooks").glob("*.ipynb"))
    unknown = sorted(set(args.only or ()) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown variant(s) {unknown}; choose from {sorted(VARIANTS)}")
    avx512 = has_avx512()
    chosen = [n for n in VARIANTS if args.only is None or n in args.only]
    runnable = []
    for name in chosen:
        settings, needs_avx512 = VARIANTS[name]
        if needs_avx512 and not avx512:
            print(f"{name:24} skipped: this CPU has no AVX-512")
        else:
            runnable.append(name)
    print("which float32 kernels each variant changes (bitwise, against native-1t, the settings")
    print("`make regenerate` writes the outputs with):")
    native = fingerprint(VARIANTS["native-1t"][0])
    effective = []
    for name in runnable:
        changed = [k for k, v in fingerprint(VARIANTS[name][0]).items() if native[k] != v]
        effective += [name] if changed else []
        if name != "native-1t":
            print(f"  {name:24} {', '.join(changed) or 'none: no kernel changes on this CPU'}")
    passed = total = 0
    for run in range(1, args.repeat + 1):
        for name in runnable:
            settings = VARIANTS[name][0]
            ok, first, summary, seconds = run_variant(name, settings, notebooks, run)
            passed += ok
            total += 1
            where = "" if ok else f"; first failing cell: {first or '(none named)'}"
            print(
                f"{name:24} {'pass' if ok else 'FAIL'} ({describe(settings)}): "
                f"{summary} ({seconds:.0f} s){where}",
                flush=True,
            )
    if not args.no_trained and effective:
        print("notebook 07's trained vectors under each variant that changes a kernel:")
        trained_spread(effective)
    margins_ok = True
    if not args.no_margins:
        margins_ok = worst_margins(notebooks, [n for n in MARGIN_VARIANTS if n in runnable])
    print(f"portability: {passed}/{total} variants print the stored outputs")
    return 0 if passed == total and margins_ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
