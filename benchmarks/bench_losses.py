"""Time and peak memory of SkipGram's tile, collapse and lean BCE losses, side by side.

    make bench-losses            # or: .venv/bin/python benchmarks/bench_losses.py

What is measured: one forward *and* backward pass of each loss from ``w2v_helpers.targets``
(``skipgram_bce_tile``, ``skipgram_bce_collapse``, ``skipgram_bce_lean``) on float32 scores of
shape (N, V) that require grad, with T context ids per row: what a training step pays for the
loss. Input validation is included, as a learner would call the helpers. One thread, so the
numbers compare methods, not cores.

Time: the median of several repeats after one warm-up call, in the same process.

Peak memory: each (method, size) runs in a fresh child process of this script. The child makes
the scores and ids, runs one warm-up call, then records its resident set size (VmRSS), resets
the kernel's high-water mark (writing "5" to /proc/self/clear_refs, Linux >= 4.0) and runs one
more call; the peak is VmHWM minus that VmRSS, i.e. the most memory the call held at once on top
of its inputs (the gradient of the scores, (N, V), is part of it for every method). The child
runs with MALLOC_MMAP_THRESHOLD_=65536 so that glibc gives every large buffer its own mapping and
returns it to the system when freed: resident memory then follows live tensors instead of
malloc's cache. A fresh process per method means no method inherits another's freed pages.

The targets in the issue: lean uses at least T times less peak memory than tile and is at least
5 times faster, at V=100000 N=64 T=10. The last line prints exactly those two ratios.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

METHODS = ("tile", "collapse", "lean")
HEADLINE = (100_000, 64, 10)  # V, N, T
SWEEP_V = (1_000, 10_000, 100_000, 300_000)
REPEATS = 5


def _status_bytes(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024  # reported in kB
    raise RuntimeError(f"{key} not found in /proc/self/status")


def child(method: str, V: int, N: int, T: int, repeats: int) -> dict[str, float]:
    """Run in a fresh process: measure one method at one size; return the numbers."""
    import torch

    from w2v_helpers import targets

    torch.set_num_threads(1)
    loss_fn = {
        "tile": targets.skipgram_bce_tile,
        "collapse": targets.skipgram_bce_collapse,
        "lean": targets.skipgram_bce_lean,
    }[method]
    generator = torch.Generator().manual_seed(0)
    scores = (0.6 * torch.randn(N, V, generator=generator)).requires_grad_()  # (N, V)
    y = torch.randint(V, (N, T), generator=generator)  # (N, T)

    def step() -> float:
        scores.grad = None
        loss = loss_fn(scores, y)  # (N, V), (N, T) -> scalar
        loss.backward()  # scores.grad: (N, V)
        return float(loss)

    step()  # warm-up: lazy initialisation, first-touch of code pages
    scores.grad = None
    before = _status_bytes("VmRSS")
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
        clear_refs.write("5")  # reset VmHWM to the current RSS
    loss = step()
    peak = _status_bytes("VmHWM") - before
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - start)
    return {"peak_bytes": peak, "seconds": statistics.median(seconds), "loss": loss}


def measure(method: str, V: int, N: int, T: int, repeats: int = REPEATS) -> dict[str, float]:
    """Run :func:`child` in a fresh interpreter and parse its one JSON line."""
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536", OMP_NUM_THREADS="1")
    args = [sys.executable, __file__, "--child", method, str(V), str(N), str(T), str(repeats)]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{method} at V={V} N={N} T={T} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def mib(nbytes: float) -> str:
    return f"{nbytes / 2**20:9.1f} MiB"


def main() -> int:
    import torch

    print(f"SkipGram BCE losses: forward + backward, float32, 1 thread, torch {torch.__version__}")
    print(f"time = median of {REPEATS} calls; peak = extra resident memory of one call, one")
    print("fresh process per method and size (see the docstring)\n")
    print("      V   N   T  method        time          peak   tile/method time  tile/method mem")
    results = {}
    sizes = [(V, HEADLINE[1], HEADLINE[2]) for V in SWEEP_V]
    for V, N, T in sizes:
        row = {method: measure(method, V, N, T) for method in METHODS}
        results[V, N, T] = row
        tile = row["tile"]
        for method in METHODS:
            r = row[method]
            print(
                f"{V:>7} {N:>3} {T:>3}  {method:<9}{r['seconds'] * 1e3:>9.2f} ms"
                f" {mib(r['peak_bytes'])}"
                f"   {tile['seconds'] / r['seconds']:>14.1f}x"
                f"   {tile['peak_bytes'] / max(r['peak_bytes'], 1):>14.1f}x"
            )
        agree = abs(row["lean"]["loss"] - row["collapse"]["loss"]) < 1e-5
        print(f"{'':>17}lean == collapse (float32, 1e-5): {agree}")
    row = results[HEADLINE]
    lean, tile = row["lean"], row["tile"]
    memory_ratio = tile["peak_bytes"] / lean["peak_bytes"]
    time_ratio = tile["seconds"] / lean["seconds"]
    V, N, T = HEADLINE
    print()
    print(f"targets met: memory >= T={T}x less: {memory_ratio >= T}; ", end="")
    print(f"time >= 5x faster: {time_ratio >= 5}")
    print(
        f"lean vs tile at V={V} N={N} T={T}: memory {memory_ratio:.1f}x less, "
        f"time {time_ratio:.1f}x faster"
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        method, V, N, T, repeats = sys.argv[2], *map(int, sys.argv[3:7])
        print(json.dumps(child(method, V, N, T, repeats)))
        sys.exit(0)
    sys.exit(main())
