"""Printed checks and printed digits hold with room to spare (tools/margins.py).

A check such as ``abs diff < 1e-6: True`` with a measured difference of 9.5e-7 passes today and
flips on a CPU that rounds one step differently; so does ``0.73405`` printed as ``.4f`` when it
sits a float32 step from 0.73405. nbval would then fail for no reason a learner could
understand. These tests check the probe itself, on code written here (its rounding arithmetic
against Python's own formatting). Measuring the notebooks is not part of ``make test``: a margin
depends on the CPU that measures it, so ``make portability`` measures them under several
emulated CPUs and judges the worst.
"""

import ast
import math

import numpy as np
import pytest
import torch
from tools_loader import load_tool

margins = load_tool("margins")


def probe(source: str, namespace: dict) -> dict[str, float]:
    """Run ``source`` rewritten by the probe; return the recorded margins."""
    margins.RECORDS.clear()
    margins.ROUNDING.clear()
    tree = ast.fix_missing_locations(margins.ToleranceProbe("cell 1").visit(ast.parse(source)))
    namespace.update(_w2v_margin_compare=margins.margin_compare)
    namespace.update(_w2v_margin_close=margins.margin_close, math=math, torch=torch)
    namespace.update(_w2v_margin_round=margins.margin_round)
    namespace.update(_w2v_margin_round_call=margins.margin_round_call)
    exec(compile(tree, "<probe>", "exec"), namespace)
    return dict(margins.RECORDS)


def test_a_comparison_keeps_its_result_and_records_tolerance_over_difference():
    ns = {"d": 2.5e-7}
    recorded = probe("ok = abs(d) < 1e-6\nfar = d > 1e-9", ns)
    assert ns["ok"] is True and ns["far"] is True
    assert recorded["cell 1: abs(d) < 1e-06"] == pytest.approx(1e-6 / 2.5e-7)  # 4x
    assert recorded["cell 1: d > 1e-09"] == pytest.approx(2.5e-7 / 1e-9)  # 250x


def test_a_tensor_comparison_records_its_closest_element():
    ns = {"t": torch.tensor([1e-9, 5e-7, 0.3])}
    recorded = probe("mask = t.abs() > 1e-6", ns)
    assert ns["mask"].tolist() == [False, False, True]
    assert recorded["cell 1: t.abs() > 1e-06"] == pytest.approx(2.0, rel=1e-6)  # 5e-7 vs 1e-6


def test_isclose_and_allclose_record_against_their_own_tolerance_formula():
    ns = {"a": 10.0, "b": 10.0 + 2e-6, "x": torch.tensor([1.0, 2.0]), "y": torch.tensor([1.0, 2.1])}
    recorded = probe(
        "c = math.isclose(a, b, rel_tol=1e-6)\nd = torch.allclose(x, y, rtol=0, atol=0.01)", ns
    )
    assert ns["c"] is True and ns["d"] is False
    assert recorded["cell 1: math.isclose(a, b, rel_tol=1e-06)"] == pytest.approx(
        1e-6 * (10 + 2e-6) / 2e-6, rel=1e-6
    )  # tolerance 1e-5, difference 2e-6: 5x
    assert recorded["cell 1: torch.allclose(x, y, rtol=0, atol=0.01)"] == pytest.approx(
        0.1 / 0.01, rel=1e-5
    )  # element 0 is exact (inf); element 1 is off by 0.1, ten times the tolerance


def test_comparisons_with_a_lesson_threshold_are_not_tolerances():
    assert probe("big = 3.0 > 0.5\nzero = 1 > 0", {}) == {}


@pytest.mark.parametrize(
    ("value", "spec"),
    [
        (0.73402649, ".4f"),
        (2.8234412, ".3f"),
        (3.97544973e-31, ".4e"),
        (1253.1, ".4g"),
        (0.92491, ".0%"),
        (-40.00001, ".2f"),
        (314649.37, ",.0f"),
    ],
)
def test_rounding_steps_agree_with_pythons_own_formatting(value, spec):
    """Oracle: format() itself. Moving the value by 0.9x the reported steps never changes the
    text; moving it by 1.1x towards the nearer boundary does."""
    steps = margins.rounding_steps(value, spec)
    spacing = float(np.spacing(np.float32(abs(value))))
    text = format(value, spec)
    assert all(format(value + d * 0.9 * steps * spacing, spec) == text for d in (-1, 1))
    assert any(format(value + d * 1.1 * steps * spacing, spec) != text for d in (-1, 1))


def test_f_strings_and_round_calls_are_probed_and_print_the_same():
    ns = {"v": 0.73405001, "a": np.array([1.23449, 2.0])}
    recorded = probe('text = f"{v:.4f}"\nr = a.round(4)', ns)
    assert ns["text"] == "0.7341" and ns["r"].tolist() == [1.2345, 2.0]
    assert margins.ROUNDING["cell 1: v  as {:.4f}"] < 1  # 1e-8 from the boundary: < 1 step
    assert margins.ROUNDING["cell 1: a.round(4)  as {:.4f}"] == pytest.approx(
        min(margins.rounding_steps(1.23449, ".4f"), margins.rounding_steps(2.0, ".4f"))
    )  # the closest element
    assert recorded == {}  # no tolerance checks in that code


def test_merge_keeps_the_worst_margin_of_each_label_over_runs():
    one = {"a.ipynb": margins.Margins({"x < 1e-06": 40.0}, {"v  as {:.2f}": 30.0})}
    two = {"a.ipynb": margins.Margins({"x < 1e-06": 12.0, "y": 99.0}, {"v  as {:.2f}": 50.0})}
    merged = margins.merge([one, two])["a.ipynb"]
    assert merged.checks == {"x < 1e-06": 12.0, "y": 99.0}
    assert merged.rounding == {"v  as {:.2f}": 30.0}


@pytest.mark.parametrize(
    ("checks", "rounding", "ok"),
    [
        ({"c": 11.0}, {"v  as {:.2f}": 17.0}, True),
        ({"c": 9.0}, {"v  as {:.2f}": 17.0}, False),  # a check within 10x of flipping
        ({"c": 11.0}, {"v  as {:.2f}": 15.0}, False),  # a float within 16 steps
        ({"c": 11.0}, {": tiniest  as {:.1e}": 0.1, "v  as {:.2f}": 17.0}, True),  # exempt
        ({}, {"v  as {:.2f}": 17.0}, True),  # printed floats but no check (notebooks 07, 09)
        ({}, {}, False),  # nothing probed: the probe is not installed
    ],
)
def test_judge_applies_both_gates_and_the_exemptions(checks, rounding, ok, capsys):
    found = {"a.ipynb": margins.Margins(checks, rounding)}
    assert margins.judge(found) is ok
    assert "margins: smallest" in capsys.readouterr().out
