"""Notebook 02's helpers against independent oracles: NumPy formulas, autograd, closed forms.

The oracles never call the code under test: losses are recomputed in float64 NumPy
(``logaddexp``), gradients by central finite differences of those NumPy losses.
"""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from oracles import finite_difference, numpy_bce, numpy_ce

from w2v_helpers.gradients import compare, score_grad
from w2v_helpers.lessons.nb02_bce_vs_ce import (
    loss_scale_report,
    plot_bce_element_loss,
    plot_loss_vs_vocab,
    plot_stability_scan,
    stability_scan,
)
from w2v_helpers.memory import (
    MemoryBudgetError,
    estimate_loss_scan_bytes,
)


@pytest.fixture
def small_problem():
    generator = torch.Generator().manual_seed(11)
    scores = 2 * torch.randn(3, 7, generator=generator, dtype=torch.float64)  # (N, V)
    y = torch.randint(7, (3,), generator=generator)  # (N,)
    return scores, y


def test_bce_score_gradient_equals_sigmoid_minus_y_over_nv_by_finite_differences(small_problem):
    scores, y = small_problem
    onehot = F.one_hot(y, 7).double().numpy()
    expected = finite_difference(lambda s: numpy_bce(s, onehot), scores.numpy())
    got = score_grad(scores, y, loss="bce").numpy()
    np.testing.assert_allclose(got, expected, atol=1e-8)


def test_ce_score_gradient_equals_softmax_minus_y_over_n_by_finite_differences(small_problem):
    scores, y = small_problem
    expected = finite_difference(lambda s: numpy_ce(s, y.numpy()), scores.numpy())
    got = score_grad(scores, y, loss="ce").numpy()
    np.testing.assert_allclose(got, expected, atol=1e-8)


def test_score_gradients_match_autograd_of_the_builtin_losses_in_float32():
    generator = torch.Generator().manual_seed(3)
    scores = torch.randn(4, 50, generator=generator).requires_grad_(True)  # (N, V)
    y = torch.randint(50, (4,), generator=generator)  # (N,)
    F.binary_cross_entropy_with_logits(scores, F.one_hot(y, 50).float()).backward()
    assert torch.allclose(score_grad(scores.detach(), y, loss="bce"), scores.grad, atol=1e-8)
    scores.grad = None
    F.cross_entropy(scores, y).backward()
    assert torch.allclose(score_grad(scores.detach(), y, loss="ce"), scores.grad, atol=1e-7)


def test_bce_pull_on_the_right_word_is_about_2v_times_weaker_than_ce_pull_at_zero_logits():
    V, N = 1000, 2
    scores, y = torch.zeros(N, V), torch.tensor([3, 7])  # sigmoid 0.5, softmax 1/V
    bce, ce = score_grad(scores, y, loss="bce"), score_grad(scores, y, loss="ce")
    assert math.isclose(float(bce[0, 3]), -0.5 / (N * V), rel_tol=1e-5)
    assert math.isclose(float(ce[0, 3]), -(1 - 1 / V) / N, rel_tol=1e-5)
    assert math.isclose(float(ce[0, 3] / bce[0, 3]), 2 * (V - 1), rel_tol=1e-4)


def test_initial_bce_is_log_2_and_ce_is_log_v_for_tiny_logits_at_every_vocab_size():
    report = loss_scale_report(vocab_size=50_000, logit_scale=0.001)
    assert [row[0] for row in report.rows] == [10, 100, 1_000, 10_000, 50_000]
    for V, bce, ce in report.rows:
        assert abs(bce - math.log(2)) < 1e-3
        assert abs(ce - math.log(V)) < 1e-3


def test_loss_scale_report_bce_matches_the_gaussian_expectation_of_softplus_at_large_v():
    # E[softplus(c z)] for z ~ N(0, 1), by numerical integration: the mean over many wrong words.
    c = 2.0
    z = np.linspace(-12, 12, 200_001)
    density = np.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)
    expectation = float(np.sum(np.logaddexp(0.0, c * z) * density) * (z[1] - z[0]))
    report = loss_scale_report(vocab_size=100_000, logit_scale=c)
    assert abs(report.rows[-1][1] - expectation) < 5e-3


def test_loss_scale_report_prints_one_row_per_vocab_size():
    text = str(loss_scale_report(vocab_size=1_000, logit_scale=0.5))
    assert "log 2" in text and "     1,000" in text and text.count("\n") == 5


def test_stability_scan_stable_forms_match_float64_numpy_at_every_scale():
    scales = [0.1, 1.0, 10.0, 100.0, 300.0]
    scan = stability_scan(scales, vocab_size=2_000, batch_size=4)
    generator = torch.Generator().manual_seed(0)  # the scan's documented draw: z, then y
    z = torch.randn(4, 2_000, generator=generator).numpy()
    y = torch.randint(2_000, (4,), generator=generator).numpy()
    onehot = np.eye(2_000)[y]
    for row in scan.rows:
        scores = np.float32(row[0]) * z  # the same float32 scores
        assert math.isclose(row[3], numpy_bce(scores.astype(np.float64), onehot), rel_tol=1e-5)
        assert math.isclose(row[6], numpy_ce(scores.astype(np.float64), y), rel_tol=1e-5)
        assert math.isclose(row[1], row[3], rel_tol=1e-5)  # built-in BCE too
        assert math.isclose(row[4], row[6], rel_tol=1e-5)  # built-in CE too


def test_stability_scan_naive_bce_is_capped_and_naive_ce_turns_nan_for_large_logits():
    scan = stability_scan([0.1, 100.0], vocab_size=2_000, batch_size=4)
    small, large = scan.rows
    assert math.isclose(small[2], small[1], rel_tol=1e-5)  # naive fine for small logits
    assert math.isclose(small[5], small[4], rel_tol=1e-5)
    assert large[2] < 0.5 * large[1]  # the eps cap: naive BCE far below the truth
    assert large[2] <= -math.log(1e-8) + 1e-3  # no term above -log(eps)
    assert math.isnan(large[5])


def test_stability_scan_prints_nan_for_the_naive_ce():
    assert "nan" in str(stability_scan([300.0], vocab_size=1_000, batch_size=2))


def test_loss_scale_report_is_refused_before_any_allocation(monkeypatch):
    def no_allocation(*args, **kwargs):
        raise AssertionError("allocated before asking the memory guard")

    monkeypatch.setattr(torch, "randn", no_allocation)
    with pytest.raises(MemoryBudgetError, match="vocab_size"):
        loss_scale_report(vocab_size=10_000_000, logit_scale=1.0)


def test_stability_scan_is_refused_under_a_small_budget(monkeypatch):
    monkeypatch.setenv("W2V_MEMORY_BUDGET", "1MiB")
    with pytest.raises(MemoryBudgetError):
        stability_scan([1.0], vocab_size=50_000, batch_size=16)


def test_loss_scan_estimate_counts_five_float32_score_matrices():
    assert estimate_loss_scan_bytes(16, 50_000) == 4 * 5 * 16 * 50_000 + 8 * 16


def test_compare_prints_booleans_only_and_flags_a_mismatch():
    a = torch.ones(2, 3)
    assert compare("same", a, a.clone()).endswith("max diff < 1e-06: True")
    assert "allclose False" in compare("off", a, a + 1e-3)
    assert "shapes differ" in compare("shape", a, a.T)


def test_vocab_figure_draws_the_reports_numbers_and_the_log_2_and_log_v_lines():
    report = loss_scale_report(1_000, 1.0)
    (ax,) = plot_loss_vs_vocab(report).axes
    lines = {line.get_label(): line for line in ax.get_lines()}
    vs = [row[0] for row in report.rows]
    assert list(lines["CE (built-in)"].get_xdata()) == vs
    assert list(lines["CE (built-in)"].get_ydata()) == [row[2] for row in report.rows]
    assert list(lines["BCE (built-in)"].get_ydata()) == [row[1] for row in report.rows]
    np.testing.assert_allclose(lines["log V"].get_ydata(), np.log(vs), rtol=1e-15)
    assert list(lines["log 2"].get_ydata()) == [math.log(2)] * 2


def test_element_loss_figure_is_softplus_and_the_naive_curve_flattens_at_minus_log_eps():
    eps = 1e-8
    left, right = plot_bce_element_loss(eps=eps, s_max=40.0).axes
    exact, naive = left.get_lines()[:2]
    s = np.asarray(exact.get_xdata())
    # rtol 1e-9: past s = 20 torch's softplus returns s itself, off by log1p(e^-s) < 2.1e-9
    np.testing.assert_allclose(exact.get_ydata(), np.logaddexp(0.0, s), rtol=1e-9)
    far = s > 25  # sigmoid(s) rounds to 1 in float32 here
    np.testing.assert_allclose(np.asarray(naive.get_ydata())[far], -math.log(eps), rtol=1e-6)
    exact_slope, naive_slope = right.get_lines()[:2]
    np.testing.assert_allclose(exact_slope.get_ydata(), 1 / (1 + np.exp(-s)), rtol=1e-8)
    assert np.all(np.asarray(naive_slope.get_ydata())[far] == 0)  # the lost gradient


def test_stability_figure_marks_exactly_the_scales_where_naive_ce_is_nan():
    scan = stability_scan([1.0, 3.0, 300.0], vocab_size=100)
    bad = [row[0] for row in scan.rows if not math.isfinite(row[5])]
    assert bad == [300.0]  # the figure below must mark this one and no other
    _, ce_ax = plot_stability_scan(scan).axes
    lines = {line.get_label(): line for line in ce_ax.get_lines()}
    assert list(lines["naive is NaN (drawn at 1e2)"].get_xdata()) == bad
    assert list(lines["naive CE"].get_xdata()) == [1.0, 3.0]
    stable = np.asarray(lines["stable CE"].get_ydata())
    assert np.all(stable < 1e-6)  # the stable form stays at float32 round-off
    # the figure says what its axis holds and where exact zeros and NaNs are drawn
    assert ce_ax.figure.axes[0].get_ylabel() == "|got - built-in| / max(1, |built-in|)"
    assert list(lines["below 1e-9, exact 0 too (drawn at 1e-9)"].get_ydata()) == [1e-9, 1e-9]
