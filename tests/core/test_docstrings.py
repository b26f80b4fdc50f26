"""One docstring format for the public API: PyTorch's ``Args:`` and ``Shape:`` sections.

Every public function (in a module's ``__all__``) that takes parameters documents each of them
under ``Args:``; every public function or class whose signature mentions a tensor has a
``Shape:`` section. Those docstrings are about a third of the package's lines, so its size limits
count code, not docstrings: no module over 350 code lines, no function body over 60 lines.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import io
import pkgutil
import re
import tokenize
from pathlib import Path

import pytest

import w2v_helpers

PACKAGE = Path(w2v_helpers.__file__).parent
SOURCES = sorted(PACKAGE.rglob("*.py"))
MAX_CODE_LINES = 350
MAX_BODY_LINES = 60


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


_WITH_DOCSTRING = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _docstring(node: ast.AST) -> ast.Expr | None:
    """The docstring statement of a module, class or function, or ``None``."""
    first = node.body[0] if isinstance(node, _WITH_DOCSTRING) and node.body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return first
    return None


def docstring_lines(source: str) -> set[int]:
    """The line numbers (1-based) a module's, class's or function's docstring spans."""
    docs = [_docstring(node) for node in ast.walk(ast.parse(source))]
    return {
        line for doc in docs if doc is not None for line in range(doc.lineno, doc.end_lineno + 1)
    }


_NOT_CODE = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
    tokenize.ENCODING,
}


def code_lines(source: str) -> set[int]:
    """The lines holding a token that is code: not a docstring, a comment or a line break.

    A token over several lines (a multi-line string that is not a docstring) counts each of them.
    """
    docs = docstring_lines(source)
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in _NOT_CODE:
            continue
        spanned = range(token.start[0], token.end[0] + 1)
        if token.type == tokenize.STRING and all(line in docs for line in spanned):
            continue
        lines.update(spanned)
    return lines


def body_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Physical lines from a function's first statement after its docstring to its last line."""
    body = function.body[1:] if _docstring(function) is not None else function.body
    return body[-1].end_lineno - body[0].lineno + 1 if body else 0


TINY_MODULE = '''"""A module docstring,
over two lines."""

import math  # a comment after code is still a code line

# a comment line


def area(r: float) -> float:
    """A function docstring."""
    text = """a string that is
    not a docstring"""
    return math.pi * r**2 + len(text)
'''


def test_code_lines_skip_docstrings_comments_and_blank_lines() -> None:
    assert docstring_lines(TINY_MODULE) == {1, 2, 10}
    # import, def, the two lines of the plain string, return
    assert sorted(code_lines(TINY_MODULE)) == [4, 9, 11, 12, 13]


def test_body_lines_leave_out_the_docstring() -> None:
    function = ast.parse(TINY_MODULE).body[2]
    assert isinstance(function, ast.FunctionDef)
    assert body_lines(function) == 3
    assert body_lines(ast.parse('def f():\n    """Only a docstring."""\n').body[0]) == 0
    assert body_lines(ast.parse("def f():\n    x = 1\n\n    return x\n").body[0]) == 3


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_over_the_code_line_limit(path: Path) -> None:
    """At most 350 code lines a module (docstrings, comments and blank lines not counted).

    The largest lesson module, one notebook's reports, panel, figures and exercise checks,
    needs about 340 code lines written plainly (no formatter escapes, keyword construction of
    dataclasses, one assignment a line). Past 350 a module holds a second notebook's work, or a
    job that deserves its own module: split it (a lesson module can become a subpackage that
    re-exports the same names) rather than squeeze it.
    """
    count = len(code_lines(path.read_text()))
    assert count <= MAX_CODE_LINES, (
        f"{path.relative_to(PACKAGE)} has {count} code lines (limit {MAX_CODE_LINES})"
    )


def _functions() -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    found = []
    for path in SOURCES:
        name = f"{PACKAGE.name}/{path.relative_to(PACKAGE).as_posix()}"
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append((f"{name}::{node.name}", node))
    return found


def test_no_function_body_over_60_lines() -> None:
    """A function body (its docstring left out) of more than 60 lines does several jobs: give
    each its own function. Nested functions count in their parent's body too."""
    functions = _functions()
    assert len(functions) > 200  # the walk must not silently find nothing
    long = {name: body_lines(node) for name, node in functions if body_lines(node) > MAX_BODY_LINES}
    assert not long, f"function bodies over {MAX_BODY_LINES} lines: {long}"
