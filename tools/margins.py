"""How far every printed check and every printed digit in the notebooks is from changing.

    python tools/margins.py [--min 10] [--min-steps 16] [notebooks ...]

A cell that prints ``abs diff < 1e-6: True`` is only as stable as the gap between the measured
difference and 1e-6: a difference of 9.5e-7 passes today and fails on a CPU whose float32
rounding differs by one step. The same holds for a printed digit: 0.734049 shown as ``.4f`` is
one float32 step away from showing 0.7341. This tool executes each notebook in a kernel whose
code (cells, and the w2v_helpers modules they import) is rewritten by an AST transformer so that

- every comparison against a small constant (``x < 1e-6``, ``t > 1e-3``), every ``math.isclose``
  and every ``torch.allclose`` / ``np.allclose`` also records its *margin*: how many times over
  the result would have to move to flip (tolerance / difference for a check that holds,
  difference / tolerance for one that does not; the smallest over a tensor's elements);
- every float formatted in an f-string with a precision (``{x:.4f}``, ``{x:.3g}``), every
  ``.round(k)`` and every printed tensor records how many float32 steps the value sits from the
  nearest rounding boundary.

What the code returns and prints is unchanged. The run fails if a check is within ``--min`` times
of flipping, or a printed float (other than those in ``ROUNDING_EXEMPT``, each with its reason)
is within ``--min-steps`` float32 steps of printing otherwise.
"""

from __future__ import annotations

import argparse
import ast
import importlib.abc
import importlib.machinery
import importlib.util
import json
import math
import operator
import os
import re
import sys
from pathlib import Path
from typing import NamedTuple

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
ROUNDING: dict[str, float] = {}  # printed float -> float32 steps to the nearest rounding boundary
MIN_FACTOR = 10.0  # a tolerance check must be 10x inside (or outside) its tolerance
MIN_STEPS = 16.0  # a printed float must be 16 float32 steps from a rounding boundary
# Printed floats whose digits cannot move on another CPU, and why: the float32-step test above
# assumes a float32 reduction, which these are not. Matched as substrings of the label
# ("<where>: <expression>  as {<spec>}"), by expression and spec rather than by line or cell
# number, so that editing a file does not silently drop or shift an exemption.
ROUNDING_EXEMPT = {
    ": tiniest  as {:.1e}": "a constant, the smallest positive float32",
    ": math.log(V)  as": "float64 log of an integer",
    ": logv  as {:.4f}": "float64 log of an integer",
    "memory.py:": "a byte count over a power of 1024: exact",
    ": 100 * drawn  as": "integer counts divided in float64",
    ": expected  as {:,.0f}": "a float64 sum",
    ": seconds * 1000.0  as": "a timing: masked by the sanitize rules",
    ": count / seconds  as": "a rate: masked by the sanitize rules",
    ": self.simlex  as {:4.1f}": "a SimLex-999 rating read from its file: the same bits anywhere",
    ": x  as {:.9g}": "export_projector writes it to a file; the notebook prints only row counts",
}
COMPARISONS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
ROUNDED_SPEC = re.compile(r"\.(\d+)([fFeEgG%])$")


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
    result = COMPARISONS[op](left, right)
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


def rounding_steps(value: float, spec: str) -> float:
    """How many float32 steps ``value`` may move before ``format(value, spec)`` prints otherwise.

    The boundaries of ".4f" are the odd multiples of 0.00005; of ".2e" and ".3g" they depend on
    the decade. A value computed in float32 can come out one or two steps apart on another CPU or
    thread count, so a printed digit is only stable when the value sits many steps from a
    boundary.
    """
    match = ROUNDED_SPEC.search(spec)
    if not match or not math.isfinite(value) or value == 0:
        return math.inf
    digits, kind = int(match.group(1)), match.group(2).lower()
    shown = abs(value) * (100 if kind == "%" else 1)
    if kind in "f%":
        scale = 10.0**digits
    else:  # e: digits after the point of the mantissa; g: significant digits
        exponent = math.floor(math.log10(shown))
        scale = 10.0 ** ((digits if kind == "e" else max(digits, 1) - 1) - exponent)
    fraction = (shown * scale) % 1.0
    distance = abs(fraction - 0.5) / scale / (100 if kind == "%" else 1)
    return distance / float(np.spacing(np.float32(abs(value))))


CURRENT = {"where": "cell 0"}  # the cell being run, for checks that have no source line


def _record_rounding(label: str, values, spec: str) -> None:
    for number in np.asarray(values, dtype=np.float64).ravel().tolist():
        steps = rounding_steps(number, spec)
        ROUNDING[label] = min(steps, ROUNDING.get(label, math.inf))


def _probed_tensor_repr(original):
    """Tensor.__repr__ that also records how close each shown element prints to a boundary."""

    def __repr__(self, *args, **kwargs):
        import torch
        from torch._tensor_str import PRINT_OPTS, _Formatter, get_summarized_data

        text = original(self, *args, **kwargs)
        if self.is_floating_point() and self.numel() and not self.is_complex():
            with torch.no_grad():
                data = self.detach().cpu()
                if data.numel() > PRINT_OPTS.threshold:
                    data = get_summarized_data(data)
                formatter = _Formatter(data)
                if not formatter.int_mode:  # int mode prints whole numbers: nothing to round
                    kind = "e" if bool(formatter.sci_mode) else "f"
                    spec = f".{PRINT_OPTS.precision}{kind}"
                    finite = data[torch.isfinite(data)].double().numpy()
                    _record_rounding(
                        f"{CURRENT['where']}: printed tensor  as {{:{spec}}}", finite, spec
                    )
        return text

    return __repr__


def margin_round_call(label: str, method, decimals: int):
    """``method(decimals)`` (``array.round`` or ``tensor.round``) unchanged; records margins."""
    result = method(decimals)
    owner = getattr(method, "__self__", None)
    if owner is not None:
        values = owner.detach().double().cpu().numpy() if hasattr(owner, "detach") else owner
        if np.issubdtype(np.asarray(values).dtype, np.floating):
            finite = np.asarray(values, dtype=np.float64)
            _record_rounding(label, finite[np.isfinite(finite)], f".{decimals}f")
    return result


def exemption(label: str) -> str | None:
    """Why the printed float at ``label`` may sit close to a rounding boundary, or None."""
    return next((why for key, why in ROUNDING_EXEMPT.items() if key in label), None)


def margin_round(value, spec: str, label: str):
    """``value`` unchanged; records how close it prints to a rounding boundary."""
    number = value.item() if hasattr(value, "numel") and value.numel() == 1 else value
    if isinstance(number, float | np.floating):  # ints and strings print exactly
        _record_rounding(label, [number], spec)
    return value


class ToleranceProbe(ast.NodeTransformer):
    """Rewrite one cell or module so that its tolerance checks (``margin_compare``,
    ``margin_close``) and its rounded prints (``margin_round``, ``margin_round_call``) record
    their margins; every rewritten expression still evaluates to what the original did."""

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

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        self.generic_visit(node)
        spec = node.format_spec
        if not (
            isinstance(spec, ast.JoinedStr)
            and all(isinstance(v, ast.Constant) for v in spec.values)
            and ROUNDED_SPEC.search("".join(v.value for v in spec.values))
        ):
            return node
        text = "".join(v.value for v in spec.values)
        label = f"{self._label(node.value)}  as {{:{text}}}"
        node.value = ast.copy_location(
            ast.Call(
                func=ast.Name("_w2v_margin_round", ast.Load()),
                args=[node.value, ast.Constant(text), ast.Constant(label)],
                keywords=[],
            ),
            node.value,
        )
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        label = self._label(node)
        self.generic_visit(node)
        name = ast.unparse(node.func)
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "round"
            and len(node.args) == 1
            and not node.keywords
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, int)
        ):
            call = ast.Call(
                func=ast.Name("_w2v_margin_round_call", ast.Load()),
                args=[
                    ast.Constant(f"{label}  as {{:.{node.args[0].value}f}}"),
                    node.func,
                    node.args[0],
                ],
                keywords=[],
            )
            return ast.copy_location(call, node)
        if name not in CLOSE_FUNCTIONS:
            return node
        call = ast.Call(
            func=ast.Name("_w2v_margin_close", ast.Load()),
            args=[ast.Constant(label), ast.Constant(name), node.func, *node.args],
            keywords=node.keywords,
        )
        return ast.copy_location(call, node)


class _CountingProbe(ToleranceProbe):
    """Labels each check with its cell's stored execution count, which ``measure`` puts in a
    first statement ``_w2v_cell = N`` of every cell it runs."""

    def visit(self, node):  # IPython calls visit(module) once per cell
        if isinstance(node, ast.Module) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Assign)
                and isinstance(first.targets[0], ast.Name)
                and first.targets[0].id == "_w2v_cell"
            ):
                self.where = f"cell {first.value.value}"
                CURRENT["where"] = self.where
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
        module.__dict__["_w2v_margin_round"] = margin_round
        module.__dict__["_w2v_margin_round_call"] = margin_round_call
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
    ip.user_ns["_w2v_margin_round"] = margin_round
    ip.user_ns["_w2v_margin_round_call"] = margin_round_call
    import torch

    torch.Tensor.__repr__ = _probed_tensor_repr(torch.Tensor.__repr__)
    ip.ast_transformers.append(_CountingProbe())
    if any(name.split(".")[0] == "w2v_helpers" for name in sys.modules):
        raise RuntimeError("install() must run before w2v_helpers is imported")
    sys.meta_path.insert(0, _ProbedFinder())


class Margins(NamedTuple):
    checks: dict[str, float]  # tolerance check -> factor from flipping
    rounding: dict[str, float]  # printed float -> float32 steps from printing otherwise


def measure(path: Path, timeout: int = 900) -> Margins:
    """Execute the notebook at ``path`` with the probe; return its margins."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "code"]
    # widget cells only display a panel; their pure functions are probed in the plain cells
    for cell in nb.cells:
        if "nbval-ignore-output" in cell.metadata.get("tags", []):
            cell.source = "pass"
        cell.source = f"_w2v_cell = {cell.execution_count}\n{cell.source}"
    nb.cells.insert(
        0,
        nbformat.v4.new_code_cell(
            f"import sys\nsys.path.insert(0, {str(ROOT / 'tools')!r})\n"
            "import margins as _w2v_margins\n_w2v_margins.install()"
        ),
    )
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "import json as _json\n"
            "print('MARGINS' + _json.dumps([_w2v_margins.RECORDS, _w2v_margins.ROUNDING]))"
        )
    )
    resources = {"metadata": {"path": str(path.parent)}}
    NotebookClient(nb, timeout=timeout, resources=resources).execute()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    checks, rounding = json.loads(text.split("MARGINS", 1)[1])
    return Margins(checks, rounding)


def merge(runs: list[dict[str, Margins]]) -> dict[str, Margins]:
    """The worst margin of every label over several runs (e.g. one per emulated CPU)."""
    merged: dict[str, Margins] = {}
    for run in runs:
        for name, found in run.items():
            into = merged.setdefault(name, Margins({}, {}))
            for mine, theirs in ((into.checks, found.checks), (into.rounding, found.rounding)):
                for label, value in theirs.items():
                    mine[label] = min(value, mine.get(label, math.inf))
    return merged


def judge(found: dict[str, Margins], minimum: float = MIN_FACTOR, min_steps: float = MIN_STEPS):
    """Print every notebook's tight spots and the two summary lines; True when all gates hold.

    Gates: each tolerance check at least ``minimum`` times from flipping; each printed float,
    unless exempt, at least ``min_steps`` float32 steps from a rounding boundary; no notebook
    without a check or a printed float (the probe would not be installed); no stale exemption.
    """
    worst, closest, floats, ok = math.inf, math.inf, 0, True
    for name, margins in found.items():
        print(f"{name}: {len(margins.checks)} tolerance checks, {len(margins.rounding)} floats")
        if not margins.checks and not margins.rounding:  # either kind shows the probe ran
            print("  no check and no printed float was seen: is the probe installed?")
            ok = False
        for label, margin in sorted(margins.checks.items(), key=lambda kv: kv[1]):
            flag = "" if margin >= minimum else f"   <-- below {minimum:g}x"
            print(f"  {margin:10.3g}x  {label}{flag}")
            worst = min(worst, margin)
        for label, steps in sorted(margins.rounding.items(), key=lambda kv: kv[1]):
            reason = exemption(label)
            if steps < min_steps:
                why = f"   (exempt: {reason})" if reason else "   <--"
                print(f"  {steps:10.3g} float32 steps from printing otherwise: {label}{why}")
            if not reason:
                closest = min(closest, steps)
        floats += len(margins.rounding)
    labels = [label for margins in found.values() for label in margins.rounding]
    stale = [key for key in ROUNDING_EXEMPT if not any(key in label for label in labels)]
    if stale and len(found) == len(list((ROOT / "notebooks").glob("*.ipynb"))):
        print(f"stale exemptions (nothing prints them any more; remove them): {stale}")
        ok = False
    print(f"margins: smallest {worst:.3g}x (at least {minimum:g}x required)")
    print(
        f"rounding: {floats} printed floats, the closest {closest:.3g} float32 steps from a "
        f"rounding boundary (at least {min_steps:g} required)"
    )
    return ok and worst >= minimum and closest >= min_steps


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=float, default=MIN_FACTOR, help="for tolerance checks")
    parser.add_argument("--min-steps", type=float, default=MIN_STEPS, help="for printed floats")
    parser.add_argument(
        "--json", type=Path, default=None, help="write the margins to this file, judge nothing"
    )
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    paths = [Path(p) for p in args.notebooks] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    print(f"threads: OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    found = {path.name: measure(path.resolve()) for path in paths}
    if args.json is not None:  # tools/portability.py merges several CPUs' runs, then judges
        args.json.write_text(json.dumps({name: m._asdict() for name, m in found.items()}))
        return 0
    return 0 if judge(found, args.min, args.min_steps) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
