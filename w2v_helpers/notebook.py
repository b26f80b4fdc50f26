"""One call at the top of every notebook: fixed seeds, print options, threads and versions.

Every number a notebook prints must be the same on every run and every machine, because the
stored outputs are the reference that nbval checks. Introduced in ``01_cbow_forward.ipynb``.
"""

from __future__ import annotations

import ast
import inspect
import os
import platform
import random
import textwrap
from collections.abc import Callable
from importlib.metadata import version

import numpy as np
import torch

from .validation import check_seed

__all__ = ["setup", "show_source", "versions"]

_PACKAGES = ("torch", "numpy", "matplotlib", "ipywidgets")


def versions() -> str:
    """One line naming Python (major.minor) and the versions of the course's main packages.

    Introduced in ``01_cbow_forward.ipynb``.
    """
    py = ".".join(platform.python_version_tuple()[:2])
    # "2.13.0+cpu" and "2.13.0" are the same release; drop the local build tag.
    pkgs = " | ".join(f"{name} {version(name).split('+')[0]}" for name in _PACKAGES)
    return f"python {py} | {pkgs}"


def setup(seed: int = 0, *, threads: int | None = None) -> None:
    """Seed every generator, fix print options, set the thread count and print the versions.

    ``threads`` defaults to ``OMP_NUM_THREADS`` (1 when unset, and the Makefile sets 1). The
    printed numbers must not depend on it: ``make portability`` re-runs every notebook with 1, 2
    and 4 threads (and emulated CPUs) and compares the outputs.

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        seed: the seed of Python's, NumPy's and torch's generators, a whole number >= 0.
            Default: 0.
        threads: torch's CPU thread count, a whole number >= 1. Default: ``None``
            (``OMP_NUM_THREADS``, or 1 when it is unset).
    """
    seed = check_seed("seed", seed)
    if threads is None:
        raw = os.environ.get("OMP_NUM_THREADS", "1")
        threads = int(raw) if raw.isdigit() else 0
        name = "OMP_NUM_THREADS"
    else:
        name = "threads"
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"{name} must be a positive whole number, got {threads!r}")
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 -- learners may use the legacy global generator
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.set_printoptions(profile="default")  # reset anything a previous cell changed
    torch.set_printoptions(precision=4, linewidth=100)
    np.set_printoptions(precision=4, suppress=True, linewidth=100)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"figure.figsize": (8, 3.5), "figure.dpi": 100, "axes.grid": True})
    print(versions())
    print(f"seed {seed}")


def show_source(fn: Callable[..., object]) -> str:
    """A function's source without its docstring: the code a notebook shows.

    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        fn: a Python function.
    """
    if not inspect.isfunction(fn):
        raise TypeError(f"fn must be a Python function, got {type(fn).__name__}")
    source = textwrap.dedent(inspect.getsource(fn))
    lines = source.splitlines()
    body = ast.parse(source).body[0].body  # the def's statements; a docstring is the first
    first = body[0]
    if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant):
        if isinstance(first.value.value, str):  # lines are 1-based in the AST
            lines = lines[: first.lineno - 1] + lines[first.end_lineno :]
    return "\n".join(lines)
