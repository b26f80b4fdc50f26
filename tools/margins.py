"""How far every printed tolerance check in the notebooks is from flipping.

    python tools/margins.py [--min 10] [notebooks ...]

A cell that prints ``abs diff < 1e-6: True`` is only as stable as the gap between the measured
difference and 1e-6: a difference of 9.5e-7 passes today and fails on a CPU whose float32
rounding differs by one step. This tool executes each notebook in a kernel whose code cells are
rewritten (an IPython AST transformer) so that every comparison against a small constant
(``x < 1e-6``, ``t > 1e-3``), every ``math.isclose`` and every ``torch.allclose`` / ``np.allclose``
also records its *margin*: how many times over the result would have to move to flip, on a log
scale (tolerance / difference for a check that holds, difference / tolerance for one that does
not; the smallest over a tensor's elements). The check itself returns exactly what it returned
before. Each notebook's checks are listed; the run fails if any margin is below ``--min``.
"""

from __future__ import annotations

import argparse
import ast
import importlib.abc
import importlib.machinery
import importlib.util
import json
import math
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SMALL = 1e-2  # constants below this in a comparison are tolerances, not thresholds of a lesson
CLOSE_FUNCTIONS = {
    "math.isclose": ("rel_tol", 1e-9, "abs_tol", 0.0),
    "isclose": ("rel_tol", 1e-9, "abs_tol", 0.0),
    "torch.allclose": ("rtol", 1e-5, "atol", 1e-8),
    "np.allclose": ("rtol", 1e-5, "atol", 1e-8),
    "numpy.allclose": ("rtol", 1e-5, "atol", 1e-8),
}
RECORDS: dict[str, float] = {}


def _signed(value) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().double().cpu().numpy()
    return np.asarray(value, dtype=np.float64)


def _as_array(value) -> np.ndarray:
    return np.abs(_signed(value))


def _ratio(difference: np.ndarray, tolerance: np.ndarray | float) -> float:
    """Smallest factor by which any element would have to move to land on the other side."""
    difference, tolerance = np.broadcast_arrays(difference, tolerance)
    if difference.size == 0:
        return math.inf
    with np.errstate(divide="ignore"):
        ratio = np.where(difference > tolerance, difference / tolerance, tolerance / difference)
    return float(ratio.min())


def _record(label: str, ratio: float) -> None:
    RECORDS[label] = min(ratio, RECORDS.get(label, math.inf))


def margin_compare(left, right, op: str, label: str):
    """``left <op> right`` exactly as written; records the margin of ``|left|`` to ``right``."""
    result = {"<": lambda: left < right, "<=": lambda: left <= right}.get(op)
    result = result() if result else (left > right if op == ">" else left >= right)
    _record(label, _ratio(_as_array(left), float(right)))
    return result


def margin_close(label: str, name: str, function, *args, **kwargs):
    """``function(*args, **kwargs)`` exactly as written; records how far it is from flipping."""
    result = function(*args, **kwargs)
    rel_name, rel_default, abs_name, abs_default = CLOSE_FUNCTIONS[name]
    a, b = _signed(args[0]), _signed(args[1])
    rel = kwargs.get(rel_name, args[2] if len(args) > 2 else rel_default)
    tol = kwargs.get(abs_name, args[3] if len(args) > 3 else abs_default)
    if name.endswith("isclose"):  # |a - b| <= max(rel_tol * max(|a|, |b|), abs_tol)
        tolerance = np.maximum(rel * np.maximum(np.abs(a), np.abs(b)), tol)
    else:  # allclose: |a - b| <= atol + rtol * |b|
        tolerance = tol + rel * np.abs(b)
    _record(label, _ratio(np.abs(a - b), tolerance))
    return result


class ToleranceProbe(ast.NodeTransformer):
    """Wrap tolerance checks of one cell in ``margin_compare`` / ``margin_close`` calls."""

    def __init__(self, where: str = "cell 0") -> None:
        self.where = where

    def _label(self, node: ast.AST) -> str:
        where = f"{self.where}:{node.lineno}" if self.where.endswith(".py") else self.where
        return f"{where}: {ast.unparse(node)[:90]}"

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        ops = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
        if len(node.ops) != 1 or type(node.ops[0]) not in ops:
            return node
        right = node.comparators[0]
        if not (isinstance(right, ast.Constant) and isinstance(right.value, float)):
            return node
        if not 0 < right.value < SMALL:
            return node
        call = ast.Call(
            func=ast.Name("_w2v_margin_compare", ast.Load()),
            args=[
                node.left,
                right,
                ast.Constant(ops[type(node.ops[0])]),
                ast.Constant(self._label(node)),
            ],
            keywords=[],
        )
        return ast.copy_location(call, node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        label = self._label(node)
        self.generic_visit(node)
        name = ast.unparse(node.func)
        if name not in CLOSE_FUNCTIONS:
            return node
        call = ast.Call(
            func=ast.Name("_w2v_margin_close", ast.Load()),
            args=[ast.Constant(label), ast.Constant(name), node.func, *node.args],
            keywords=node.keywords,
        )
        return ast.copy_location(call, node)


class _CountingProbe(ToleranceProbe):
    """Labels each check with its cell's stored execution count (the injected cell is 1)."""

    def visit(self, node):  # IPython calls visit(module) once per cell
        if isinstance(node, ast.Module):
            from IPython import get_ipython

            self.where = f"cell {get_ipython().execution_count - 1}"
        return super().visit(node)


class _ProbedLoader(importlib.machinery.SourceFileLoader):
    """Compiles a w2v_helpers module from source with the probe (bypassing cached bytecode), so
    the checks that helpers print (e.g. "max diff < 1e-06: True") are measured too."""

    def get_code(self, fullname):
        tree = ast.parse(self.get_source(fullname), self.path)
        tree = ast.fix_missing_locations(ToleranceProbe(Path(self.path).name).visit(tree))
        code = compile(tree, self.path, "exec")
        return code

    def exec_module(self, module):
        module.__dict__["_w2v_margin_compare"] = margin_compare
        module.__dict__["_w2v_margin_close"] = margin_close
        super().exec_module(module)


class _ProbedFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname.split(".")[0] != "w2v_helpers":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not str(spec.origin).endswith(".py"):
            return spec
        loader = _ProbedLoader(fullname, spec.origin)
        return importlib.util.spec_from_file_location(
            fullname,
            spec.origin,
            loader=loader,
            submodule_search_locations=spec.submodule_search_locations,
        )


def install() -> None:
    """Register the probe in the running IPython kernel (called from an injected first cell)."""
    from IPython import get_ipython

    ip = get_ipython()
    ip.user_ns["_w2v_margin_compare"] = margin_compare
    ip.user_ns["_w2v_margin_close"] = margin_close
    ip.ast_transformers.append(_CountingProbe())
    if any(name.split(".")[0] == "w2v_helpers" for name in sys.modules):
        raise RuntimeError("install() must run before w2v_helpers is imported")
    sys.meta_path.insert(0, _ProbedFinder())


def measure(path: Path, timeout: int = 900) -> dict[str, float]:
    """Execute the notebook at ``path`` with the probe; return {check: margin}."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "code"]
    # widget cells only display a panel; their pure functions are probed in the plain cells
    for cell in nb.cells:
        if "nbval-ignore-output" in cell.metadata.get("tags", []):
            cell.source = "pass"
    nb.cells.insert(
        0,
        nbformat.v4.new_code_cell(
            f"import sys\nsys.path.insert(0, {str(ROOT / 'tools')!r})\n"
            "import margins as _w2v_margins\n_w2v_margins.install()"
        ),
    )
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "import json as _json\nprint('MARGINS' + _json.dumps(_w2v_margins.RECORDS))"
        )
    )
    resources = {"metadata": {"path": str(path.parent)}}
    NotebookClient(nb, timeout=timeout, resources=resources).execute()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    return {k: float(v) for k, v in json.loads(text.split("MARGINS", 1)[1]).items()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=float, default=10.0)
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    paths = [Path(p) for p in args.notebooks] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    print(f"threads: OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    worst = math.inf
    for path in paths:
        margins = measure(path.resolve())
        print(f"{path.name}: {len(margins)} tolerance checks")
        for label, margin in sorted(margins.items(), key=lambda kv: kv[1]):
            flag = "" if margin >= args.min else f"   <-- below {args.min:g}x"
            print(f"  {margin:10.3g}x  {label}{flag}")
            worst = min(worst, margin)
    print(f"margins: smallest {worst:.3g}x (at least {args.min:g}x required)")
    return 0 if worst >= args.min else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
