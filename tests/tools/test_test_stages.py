"""The test stages (tools/test_stages.py) and the layout of tests/.

Every test belongs to exactly one stage: the stages' marker expressions, evaluated for every
combination of the three tiers, must pick each combination once. The tiers the stages name are
the ones pyproject.toml registers. Tests live in a folder named after what they test, and none
imports another test module.
"""

import ast
import itertools
import tomllib
from pathlib import Path

import pytest
from _pytest.mark.expression import Expression
from tools_loader import load_tool

stages = load_tool("test_stages")

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
FOLDERS = {"core", "lessons", "notebooks", "tools"}


def registered_tiers() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    return {line.split(":")[0] for line in config["markers"]}


def selection(command: list[str]) -> str | None:
    """The ``-m`` expression of a pytest command, or None for a command that is not pytest."""
    if Path(command[0]).name != "pytest":
        return None
    return command[command.index("-m") + 1]


def test_every_combination_of_tiers_runs_in_exactly_one_stage():
    tiers = sorted(registered_tiers())
    assert tiers == ["browser", "notebook", "slow"]
    expressions = {
        name: Expression.compile(expr)
        for name, commands in stages.STAGES.items()
        for expr in map(selection, commands)
        if expr is not None
    }
    for k in range(len(tiers) + 1):
        for marks in itertools.combinations(tiers, k):
            picked = [
                name
                for name, expr in expressions.items()
                if expr.evaluate(lambda mark, marks=marks: mark in marks)
            ]
            assert len(picked) == 1, f"a test marked {marks or 'nothing'} runs in {picked}"


def test_the_fast_stage_is_what_carries_no_tier():
    (command,) = stages.STAGES["fast"]
    expr = Expression.compile(selection(command))
    assert expr.evaluate(lambda mark: False)
    assert "--durations=10" in command


def test_an_unknown_stage_is_refused_with_the_list(capsys):
    assert stages.main(["fastest"]) == 2
    assert "lint" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(42.4, "42 s"), (59.6, "1 min 00 s"), (61, "1 min 01 s"), (479.6, "8 min 00 s")],
)
def test_wall_times_print_in_minutes_and_seconds(seconds, shown):
    assert stages.minutes(seconds) == shown


def test_test_modules_live_in_a_folder_named_after_what_they_test():
    stray = sorted(p.name for p in TESTS.glob("test_*.py"))
    assert not stray, f"move these into one of {sorted(FOLDERS)}: {stray}"
    found = {p.parent.name for p in TESTS.rglob("test_*.py")}
    assert found == FOLDERS


def test_no_test_module_imports_another():
    names = {p.stem for p in TESTS.rglob("test_*.py")}
    offenders = []
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module in names:
                offenders.append(f"{path.relative_to(ROOT)} imports {node.module}")
            elif isinstance(node, ast.Import):
                offenders += [
                    f"{path.relative_to(ROOT)} imports {a.name}"
                    for a in node.names
                    if a.name in names
                ]
    assert not offenders, "shared cases go in conftest.py or tests/oracles.py: " + str(offenders)


def test_make_test_runs_every_stage_once_first_or_in_a_lane():
    order = stages.FIRST + [name for lane in stages.LANES for name in lane]
    assert sorted(order) == sorted(stages.STAGES)
