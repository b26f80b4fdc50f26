"""Every tolerance check a notebook prints holds with at least 10x headroom (tools/margins.py).

A check such as ``abs diff < 1e-6: True`` with a measured difference of 9.5e-7 passes today and
flips on a CPU that rounds one step differently; nbval would then fail for no reason a learner
could understand. The probe itself is tested first, on code written here.
"""

import ast
import importlib.util
import math
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).parent.parent
spec = importlib.util.spec_from_file_location("margins", ROOT / "tools" / "margins.py")
margins = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = margins
spec.loader.exec_module(margins)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MINIMUM = 10.0


def probe(source: str, namespace: dict) -> dict[str, float]:
    """Run ``source`` rewritten by the probe; return the recorded margins."""
    margins.RECORDS.clear()
    tree = ast.fix_missing_locations(margins.ToleranceProbe("cell 1").visit(ast.parse(source)))
    namespace.update(_w2v_margin_compare=margins.margin_compare)
    namespace.update(_w2v_margin_close=margins.margin_close, math=math, torch=torch)
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_printed_tolerance_check_has_ten_times_headroom(path):
    found = margins.measure(path)
    assert found, f"{path.name}: no tolerance check was seen; is the probe installed?"
    tight = {label: m for label, m in found.items() if m < MINIMUM}
    assert not tight, f"{path.name}: checks within {MINIMUM:g}x of flipping: {tight}"
