"""How much of the package the bad-input catalogue reaches.

    python tools/bad_input_coverage.py            # the counts
    python tools/bad_input_coverage.py --missing  # and the public names no case calls

Counts the cases in ``tests/core/test_bad_input.py`` (``CASES``) and the distinct public
functions and classes they call, against every public function and class of ``w2v_helpers``
(the names in each module's ``__all__``; a name re-exported by a package counts once).

A case "calls" a public name when its code names it (directly, or through a helper of the test
file, or a callable instance of a public class such as a model), read from the code without
running it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "w2v_helpers"


def public_names() -> dict[object, str]:
    """Every public function and class of the package (``__all__``), by object: its name."""
    import w2v_helpers

    found: dict[object, str] = {}
    modules = [w2v_helpers] + [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(w2v_helpers.__path__, "w2v_helpers.")
    ]
    for module in modules:
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                if inspect.isclass(obj) and issubclass(obj, BaseException):
                    continue  # errors are raised, not called
                if getattr(obj, "__module__", "").startswith("w2v_helpers"):
                    found.setdefault(obj, f"{obj.__module__}.{obj.__qualname__}")
    return found


def _names_called(call, seen: set[int] | None = None) -> list[object]:
    """The objects a case's code names: the globals and closure cells its code (and the code
    nested in it) refers to, and, through them, the code of the test's own helpers."""
    seen = set() if seen is None else seen
    if id(call) in seen or not inspect.isfunction(call):
        return []
    seen.add(id(call))
    found: dict[int, object] = {}
    codes = [call.__code__]
    while codes:
        code = codes.pop()
        codes += [c for c in code.co_consts if inspect.iscode(c)]
        for name in code.co_names:
            if name in call.__globals__:
                obj = call.__globals__[name]
                found[id(obj)] = obj
    for cell in call.__closure__ or ():
        try:
            found[id(cell.cell_contents)] = cell.cell_contents
        except ValueError:  # an empty cell
            pass
    for obj in list(found.values()):
        if inspect.isfunction(obj) and not obj.__module__.startswith("w2v_helpers"):
            found |= {id(o): o for o in _names_called(obj, seen)}  # a helper of the test file
    return list(found.values())


def coverage() -> tuple[int, set[str], dict[object, str]]:
    """The number of cases, the public names they call, and every public name."""
    sys.path.insert(0, str(ROOT))
    catalogue = importlib.import_module("tests.core.test_bad_input")
    public = public_names()
    called: set[str] = set()
    for case in catalogue.CASES:
        for obj in _names_called(case[1]):
            if inspect.isfunction(obj) or inspect.isclass(obj):
                hit = public.get(obj)
            elif callable(obj):  # a model or another callable instance: its class is called
                hit = public.get(type(obj))
            else:
                hit = None
            if hit is not None:
                called.add(hit)
    return len(catalogue.CASES), called, public


def main(argv: list[str]) -> int:
    cases, called, public = coverage()
    print(f"bad-input catalogue: {cases} cases")
    print(f"public functions and classes called: {len(called)} of {len(public)}")
    if "--missing" in argv:
        for name in sorted(set(public.values()) - called):
            print(f"  not called: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
