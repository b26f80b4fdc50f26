"""One docstring format for the public API: PyTorch's ``Args:`` and ``Shape:`` sections.

Every public function (in a module's ``__all__``) that takes parameters documents each of them
under ``Args:``; every public function or class whose signature mentions a tensor has a
``Shape:`` section. And no module grows past 450 lines: a lesson module that does is doing two
notebooks' work.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import w2v_helpers

MAX_MODULE_LINES = 450


def _modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(w2v_helpers.__path__, "w2v_helpers."))


def _public(module_name: str) -> list[tuple[str, object]]:
    module = importlib.import_module(module_name)
    found = []
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module_name:
            found.append((f"{module_name}.{name}", obj))
    return found


PUBLIC = [item for module in _modules() for item in _public(module)]
FUNCTIONS = [(name, obj) for name, obj in PUBLIC if inspect.isfunction(obj)]


def _documented_args(doc: str) -> set[str]:
    """Parameter names listed in the ``Args:`` section (``name:`` at the section's indent)."""
    match = re.search(r"^( *)Args:\n((?:\1 {4}.*\n|\s*\n)+)", doc + "\n", flags=re.M)
    if match is None:
        return set()
    indent = len(match.group(1)) + 4
    names = set()
    for line in match.group(2).splitlines():
        if len(line) - len(line.lstrip()) == indent and ":" in line:
            names.add(line.strip().split(":", 1)[0].strip("*` "))
    return names


def _mentions_tensor(obj: object) -> bool:
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return False
    annotations = [str(p.annotation) for p in signature.parameters.values()]
    annotations.append(str(signature.return_annotation))
    return any("Tensor" in a for a in annotations)


def test_the_scan_finds_the_public_api() -> None:
    assert len(FUNCTIONS) > 80  # the walk must not silently find nothing
    assert any(name.endswith("train_word2vec") for name, _ in FUNCTIONS)


@pytest.mark.parametrize("name, fn", FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_every_parameter_is_under_args(name: str, fn: object) -> None:
    parameters = [
        p.name
        for p in inspect.signature(fn).parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if not parameters:
        return
    doc = inspect.getdoc(fn) or ""
    missing = [p for p in parameters if p not in _documented_args(doc)]
    assert not missing, f"{name}: Args: does not document {missing}"


TENSOR_API = [(name, obj) for name, obj in PUBLIC if _mentions_tensor(obj)]


@pytest.mark.parametrize("name, obj", TENSOR_API, ids=[n for n, _ in TENSOR_API])
def test_tensor_api_states_shapes(name: str, obj: object) -> None:
    assert "Shape:" in (inspect.getdoc(obj) or ""), f"{name} takes or returns tensors: add Shape:"


def test_args_parser_reads_the_format() -> None:
    doc = (
        "Summary.\n\nArgs:\n    x: first.\n    y_long: second,\n"
        "        continued: not a name.\n\nShape:\n    - x: (N)\n"
    )
    assert _documented_args(doc) == {"x", "y_long"}
    assert _documented_args("Summary without sections.") == set()


@pytest.mark.parametrize(
    "path", sorted(Path(w2v_helpers.__file__).parent.rglob("*.py")), ids=lambda p: p.name
)
def test_no_module_over_the_line_limit(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.name} has {lines} lines (limit {MAX_MODULE_LINES})"
