"""What machine a benchmark ran on, how fast its cores multiply matrices, and how much arithmetic
a word2vec trainer needs per word: the ``bench-train`` lines that read words/s as a fraction of
what the cores can do.

- :func:`describe` gives the first lines: the CPU model, its SIMD level (AVX-512 or AVX2 only,
  from ``/proc/cpuinfo``'s flags) and the kernels ATen picked (``ATEN_CPU_CAPABILITY`` can lower
  them), the cores, and every thread pool a run uses: torch's intra- and inter-op threads,
  OpenMP's, MKL's (torch's BLAS, with ``MKL_CBWR`` / ``MKL_ENABLE_INSTRUCTIONS`` when set) and
  OpenBLAS's (NumPy's and SciPy's, which gensim's compiled loops call).
- :func:`gemm_rate` times a float32 ``torch.mm`` on the same number of cores as the trainers.
- :func:`multiply_adds_per_word` counts the multiply-adds one raw corpus word costs, from the
  settings and the corpus counts (see its docstring for the formulas). The same count is used
  for ours and gensim's: it is the method's arithmetic, not what either implementation does
  (our fixed blocks score some pairs whose weight is 0; gensim's loops add nothing extra), so
  achieved GFLOP/s = 2 x multiply-adds per word x words/s says how close each comes to the
  machine's limit on the same work.

Shape glossary: V vocabulary.
"""

from __future__ import annotations

import ctypes
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from bench_results import cpu_model, thread_layout

from w2v_helpers.corpus import Vocabulary, keep_probabilities
from w2v_helpers.hierarchical_softmax import build_huffman_tree
from w2v_helpers.subwords import char_ngrams


def _cpuinfo() -> str:
    path = Path("/proc/cpuinfo")
    return path.read_text() if path.exists() else ""


def simd_level(cpuinfo: str | None = None) -> str:
    """``"AVX-512"`` when the CPU has AVX-512F, ``"AVX2 only"`` when it has AVX2 but not
    AVX-512, else ``"no AVX2"``; ``"unknown"`` without ``/proc/cpuinfo``."""
    cpuinfo = _cpuinfo() if cpuinfo is None else cpuinfo
    found = re.search(r"^flags\s*:\s*(.+)$", cpuinfo, re.M)
    if not found:
        return "unknown"
    flags = set(found.group(1).split())
    if "avx512f" in flags:
        return "AVX-512"
    return "AVX2 only" if "avx2" in flags else "no AVX2"


def _openblas() -> list[str]:
    """Each OpenBLAS this process has loaded (NumPy's, SciPy's): its version, kernel, threads."""
    import numpy  # noqa: F401  (loads NumPy's OpenBLAS)
    import scipy.linalg  # noqa: F401  (loads SciPy's, gensim's BLAS)

    maps = Path("/proc/self/maps")
    paths = sorted(
        {
            line.split()[-1]
            for line in (maps.read_text().splitlines() if maps.exists() else [])
            if "openblas" in line.lower() and line.split()[-1].startswith("/")
        }
    )
    found = []
    for path in paths:
        lib = ctypes.CDLL(path)
        for suffix in ("64_", ""):
            try:
                config = getattr(lib, f"scipy_openblas_get_config{suffix}")
                threads = getattr(lib, f"scipy_openblas_get_num_threads{suffix}")
            except AttributeError:
                continue
            config.restype = ctypes.c_char_p
            words = config().decode().split()
            owner = "NumPy" if "numpy" in path else "SciPy" if "scipy" in path else Path(path).name
            found.append(f"{owner}'s OpenBLAS {words[1]} ({words[-2]} kernels) {threads()} threads")
            break
    return found


def describe(workers: int, threads: int) -> list[str]:
    """The bench's first lines: the machine, its SIMD level, and the thread layout."""
    info = _cpuinfo()
    mkl = re.search(r"mkl_get_max_threads\(\) : (\d+)", torch.__config__.parallel_info())
    mkl_env = ", ".join(
        f"{name}={os.environ[name]}"
        for name in ("MKL_CBWR", "MKL_ENABLE_INSTRUCTIONS", "ATEN_CPU_CAPABILITY")
        if name in os.environ
    )
    return [
        f"machine: {cpu_model(info)}; SIMD {simd_level(info)}; ATen kernels "
        f"{torch.backends.cpu.get_cpu_capability()}; {thread_layout(info)}",
        f"threads: each of our {workers} workers runs {threads} torch thread(s) (intra-op now "
        f"{torch.get_num_threads()}, inter-op {torch.get_num_interop_threads()}); MKL max "
        f"{mkl.group(1) if mkl else '?'} threads"
        + (f" ({mkl_env})" if mkl_env else "")
        + "; "
        + "; ".join(_openblas() or ["no OpenBLAS loaded"])
        + f"; gensim {workers} worker threads",
    ]


def gemm_rate(cores: int, size: int = 2_048, repeats: int = 5) -> float:
    """Single-precision GEMM rate in GFLOP/s on ``cores`` torch threads: the best of ``repeats``
    timings of a (size, size) x (size, size) float32 ``torch.mm`` (2 size^3 flops each)."""
    before = torch.get_num_threads()
    torch.set_num_threads(cores)
    try:
        g = torch.Generator().manual_seed(0)
        a = torch.rand(size, size, generator=g)  # (n, n)
        b = torch.rand(size, size, generator=g)  # (n, n)
        torch.mm(a, b)  # warm up
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            torch.mm(a, b)
            times.append(time.perf_counter() - start)
    finally:
        torch.set_num_threads(before)
    return 2 * size**3 / min(times) / 1e9


@dataclass(frozen=True)
class Arithmetic:
    """The multiply-adds one raw corpus word costs, and what they are made of."""

    per_word: float  # multiply-adds per raw token
    kept: float  # tokens subsampling keeps, per raw token (out-of-vocabulary ones count as raw)
    pairs: float  # (centre, context) pairs per kept centre: w + 1
    per_pair: float  # multiply-adds per pair
    formula: str

    def gflops(self, words_per_second: float) -> float:
        return 2 * self.per_word * words_per_second / 1e9


def multiply_adds_per_word(
    vocab: Vocabulary,
    raw_tokens: int,
    *,
    kind: str,
    vector_size: int = 100,
    window: int = 5,
    negative: int = 5,
    sample: float = 1e-3,
    min_n: int = 3,
    max_n: int = 6,
) -> Arithmetic:
    """Multiply-adds per raw corpus token for SkipGram, counted from the settings.

    A kept centre has ``w + 1`` context words on average (reach drawn from 1..w, 2r words).
    Every score is a dot product of E multiply-adds, and its gradient two more of E each (one
    into each vector), so a score costs 3E:

    - ``kind="ns"``, negative sampling: a pair scores its context word and K noise words,
      ``3E (1 + K)`` per pair;
    - ``kind="hs"``, hierarchical softmax: a pair scores the centre's path, ``3E d`` per pair
      with d the mean path length of the words subsampling keeps;
    - ``kind="subword"``, notebook 11's SkipGram with n-grams: as ``ns``, plus the centre's bag
      of m rows (the word and its ``min_n``..``max_n`` n-grams) averaged once and its gradient
      spread back, ``2 E m`` per kept centre, m weighted as d is.

    Per raw token, times the share subsampling keeps, ``sum(count * keep) / raw_tokens``
    (tokens below ``min_count`` count as raw but are never centres).

    Args:
        vocab: the trained vocabulary (its counts).
        raw_tokens: the corpus's tokens, in or out of the vocabulary.
        kind: ``"ns"``, ``"hs"`` or ``"subword"``.
        vector_size, window, negative, sample, min_n, max_n: the trainer's settings.
    """
    counts = vocab.counts.double()  # (V,)
    kept_w = counts * keep_probabilities(vocab.counts, sample).double()  # (V,) kept tokens
    kept = float(kept_w.sum()) / raw_tokens
    E, pairs = vector_size, window + 1
    if kind == "ns":
        per_pair, extra = 3 * E * (1 + negative), 0.0
        formula = f"{kept:.3f} kept x {pairs} pairs x 3E(1 + K) = 3 x {E} x {1 + negative}"
    elif kind == "hs":
        lengths = build_huffman_tree(vocab.counts).lengths.double()  # (V,)
        steps = float((kept_w * lengths).sum() / kept_w.sum())
        per_pair, extra = 3 * E * steps, 0.0
        formula = f"{kept:.3f} kept x {pairs} pairs x 3E d = 3 x {E} x {steps:.2f} steps"
    elif kind == "subword":
        rows = torch.tensor(  # (V,) the word's own row and its n-grams'
            [1 + len(char_ngrams(w, min_n, max_n)) for w in vocab.words], dtype=torch.float64
        )
        m = float((kept_w * rows).sum() / kept_w.sum())
        per_pair, extra = 3 * E * (1 + negative), 2 * E * m
        formula = (
            f"{kept:.3f} kept x ({pairs} pairs x 3E(1 + K) + 2E m), E {E}, K {negative}, "
            f"m {m:.1f} rows"
        )
    else:
        raise ValueError(f"kind must be 'ns', 'hs' or 'subword', got {kind!r}")
    return Arithmetic(
        per_word=kept * (pairs * per_pair + extra),
        kept=kept,
        pairs=pairs,
        per_pair=per_pair,
        formula=formula,
    )


def rate_line(label: str, work: Arithmetic, ours: float, gensim: float, gemm: float) -> str:
    """``label: arithmetic N multiply-adds per raw word (formula); ours X GFLOP/s (P% of the
    GEMM rate), gensim Y GFLOP/s (Q%); GEMM G GFLOP/s`` from the median words/s of each."""
    o, g = work.gflops(ours), work.gflops(gensim)
    return (
        f"{label}: arithmetic {work.per_word:,.0f} multiply-adds per raw word ({work.formula}); "
        f"ours {o:.2f} GFLOP/s ({o / gemm:.1%} of GEMM), gensim {g:.2f} GFLOP/s "
        f"({g / gemm:.1%} of GEMM); float32 GEMM on the same cores {gemm:.1f} GFLOP/s"
    )
