"""The package's layout stays what its docstrings say, and its records are built by keyword.

The package docstring (``w2v_helpers/__init__.py``) lists every core module and every lesson
module, and names no module that does not exist; so does the lessons package's docstring. And a
dataclass with two or more ``int`` fields is keyword-only: ``Report(V, N, ...)`` would swap two
sizes silently, ``Report(vocab_size=V, batch_size=N, ...)`` cannot.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import inspect
import pkgutil
import re

import pytest

import w2v_helpers
import w2v_helpers.lessons


def listed_modules(doc: str) -> set[str]:
    """The module names a docstring lists as bullets: ``- ``name`` ...`` at a line's start."""
    return set(re.findall(r"^\s*- ``([\w.]+)``", doc, flags=re.M))


def int_fields(cls: type) -> list[str]:
    """The fields of a dataclass annotated ``int`` (a string under postponed annotations)."""
    return [f.name for f in dataclasses.fields(cls) if f.type in (int, "int")]


def needs_keywords(cls: type) -> bool:
    """A dataclass with two or more int fields that can still be built by position."""
    return len(int_fields(cls)) >= 2 and not all(f.kw_only for f in dataclasses.fields(cls))


def _dataclasses() -> list[type]:
    found = []
    for info in pkgutil.walk_packages(w2v_helpers.__path__, "w2v_helpers."):
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__ == module.__name__ and dataclasses.is_dataclass(obj):
                found.append(obj)
    return found


def test_listed_modules_reads_the_bullets() -> None:
    doc = "Intro ``not_a_bullet``.\n\n- ``models``   text ``nor_this``\n  - ``lessons.nb01``: x\n"
    assert listed_modules(doc) == {"models", "lessons.nb01"}


def test_needs_keywords_counts_int_fields() -> None:
    @dataclasses.dataclass(frozen=True)
    class Positional:
        vocab_size: int
        batch_size: int
        scale: float

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class ByKeyword:
        vocab_size: int
        batch_size: int

    @dataclasses.dataclass(frozen=True)
    class OneInt:
        vocab_size: int
        scale: float

    assert int_fields(Positional) == ["vocab_size", "batch_size"]
    assert needs_keywords(Positional)
    assert not needs_keywords(ByKeyword)
    assert not needs_keywords(OneInt)


def test_dataclasses_with_several_int_fields_are_keyword_only() -> None:
    found = _dataclasses()
    assert len(found) > 20  # the walk must not silently find nothing
    positional = [
        f"{cls.__module__}.{cls.__qualname__} {int_fields(cls)}"
        for cls in found
        if needs_keywords(cls)
    ]
    assert not positional, f"make these @dataclass(kw_only=True): {positional}"


def test_a_report_built_by_position_is_refused() -> None:
    from w2v_helpers.lessons.nb06_negative_sampling import FullScoringCost

    with pytest.raises(TypeError):
        FullScoringCost((1_000,), (0.01,), (4_096,), 256, 100)  # which int is N, which E?
    cost = FullScoringCost(
        vocab_sizes=(1_000,), seconds=(0.01,), nbytes=(4_096,), batch_size=256, embedding_dim=100
    )
    assert (cost.batch_size, cost.embedding_dim) == (256, 100)


def _modules_of(package: object) -> set[str]:
    return {info.name for info in pkgutil.iter_modules(package.__path__)}


def test_package_docstring_lists_every_module() -> None:
    core = _modules_of(w2v_helpers) - {"lessons"}
    lessons = {f"lessons.{name}" for name in _modules_of(w2v_helpers.lessons)}
    missing = sorted((core | lessons) - listed_modules(w2v_helpers.__doc__))
    assert not missing, f"w2v_helpers/__init__.py's docstring does not list {missing}"


def test_package_docstring_lists_only_modules_that_exist() -> None:
    listed = listed_modules(w2v_helpers.__doc__)
    assert len(listed) > 20
    unknown = sorted(n for n in listed if importlib.util.find_spec(f"w2v_helpers.{n}") is None)
    assert not unknown, f"w2v_helpers/__init__.py's docstring lists missing modules {unknown}"


def test_lessons_docstring_lists_exactly_the_lesson_modules() -> None:
    listed = listed_modules(w2v_helpers.lessons.__doc__)
    actual = _modules_of(w2v_helpers.lessons)
    assert listed == actual, (
        f"w2v_helpers/lessons/__init__.py's docstring: missing {sorted(actual - listed)}, "
        f"not a module {sorted(listed - actual)}"
    )
