"""Notebook 03's gradient anatomy against independent oracles.

Every gradient here is checked against central finite differences of a float64 NumPy loss
(``logaddexp`` for BCE, a shifted log-sum-exp for CE) that never calls the code under test.
"""

import math

import numpy as np
import pytest
import torch
from oracles import finite_difference, numpy_bce, numpy_ce

from w2v_helpers.gradients import (
    input_side_grad,
    output_side_grad,
    row_norms,
    rows_with_gradient,
    split_tied_gradient,
)
from w2v_helpers.lessons.nb03_tied_weight_backward import (
    plot_gradient_row_norms,
    tied_step_report,
)
from w2v_helpers.memory import MemoryBudgetError, estimate_tied_step_bytes
from w2v_helpers.models import CBOW

V, E = 7, 4


def numpy_loss(w_in: np.ndarray, w_out: np.ndarray, x: np.ndarray, y: np.ndarray, loss: str):
    """CBOW loss in float64 NumPy: mean of the context rows of w_in, scored against w_out."""
    hidden = w_in[x].mean(axis=1)  # (N, E)
    scores = hidden @ w_out.T  # (N, V)
    if loss == "bce":
        targets = np.eye(w_out.shape[0])[y]
        return numpy_bce(scores, targets)
    return numpy_ce(scores, y)


@pytest.fixture
def problem():
    generator = torch.Generator().manual_seed(5)
    weight = torch.randn(V, E, generator=generator, dtype=torch.float64)  # (V, E)
    x = torch.tensor([[3, 5, 1], [0, 2, 2]])  # (N, T), row 2 repeated in the second example
    y = torch.tensor([3, 6])  # (N,)
    return weight, x, y


@pytest.mark.parametrize("loss", ["bce", "ce"])
def test_output_side_gradient_matches_float64_finite_differences(problem, loss):
    weight, x, y = problem
    w, xn, yn = weight.numpy(), x.numpy(), y.numpy()
    expected = finite_difference(lambda w_out: numpy_loss(w, w_out, xn, yn, loss), w)
    hidden = weight[x].mean(dim=1)  # (N, E)
    got = output_side_grad(hidden, weight, y, loss=loss).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-8)


def test_bce_output_side_gradient_is_sigmoid_minus_y_transposed_h_over_nv(problem):
    weight, x, y = problem
    N = x.shape[0]
    w, xn, yn = weight.numpy(), x.numpy(), y.numpy()
    hidden = w[xn].mean(axis=1)  # (N, E)
    formula = ((1 / (1 + np.exp(-hidden @ w.T)) - np.eye(V)[yn]).T @ hidden) / (N * V)
    expected = finite_difference(lambda w_out: numpy_loss(w, w_out, xn, yn, "bce"), w)
    np.testing.assert_allclose(formula, expected, atol=1e-8)  # the formula itself is right
    got = output_side_grad(torch.from_numpy(hidden), weight, y, loss="bce").numpy()
    np.testing.assert_allclose(got, formula, atol=1e-12)


@pytest.mark.parametrize("loss", ["bce", "ce"])
def test_input_side_gradient_matches_float64_finite_differences(problem, loss):
    weight, x, y = problem
    w, xn, yn = weight.numpy(), x.numpy(), y.numpy()
    expected = finite_difference(lambda w_in: numpy_loss(w_in, w, xn, yn, loss), w)
    got = input_side_grad(x, weight, y, loss=loss).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-8)


@pytest.mark.parametrize("loss", ["bce", "ce"])
def test_split_parts_match_finite_differences_and_sum_to_the_tied_gradient(problem, loss):
    weight, x, y = problem
    w, xn, yn = weight.numpy(), x.numpy(), y.numpy()
    parts = split_tied_gradient(weight, x, y, loss=loss)
    tied = finite_difference(lambda t: numpy_loss(t, t, xn, yn, loss), w)
    inputs = finite_difference(lambda w_in: numpy_loss(w_in, w, xn, yn, loss), w)
    outputs = finite_difference(lambda w_out: numpy_loss(w, w_out, xn, yn, loss), w)
    np.testing.assert_allclose(parts.tied.numpy(), tied, atol=1e-8)
    np.testing.assert_allclose(parts.input_side.numpy(), inputs, atol=1e-8)
    np.testing.assert_allclose(parts.output_side.numpy(), outputs, atol=1e-8)
    np.testing.assert_allclose(inputs + outputs, tied, atol=1e-8)
    assert math.isclose(parts.loss_value, numpy_loss(w, w, xn, yn, loss), rel_tol=1e-12)


def test_input_side_gradient_is_zero_outside_the_context_rows(problem):
    weight, x, y = problem
    grad = input_side_grad(x, weight, y)
    touched = set(torch.nonzero(grad.abs().sum(dim=1)).flatten().tolist())
    assert touched == {0, 1, 2, 3, 5}


def test_a_repeated_context_id_gets_exactly_twice_the_share_of_a_single_one():
    generator = torch.Generator().manual_seed(9)
    weight = torch.randn(10, 6, generator=generator, dtype=torch.float64)  # (V, E)
    grad = input_side_grad(torch.tensor([[3, 3, 8, 1]]), weight, torch.tensor([3]))
    assert torch.allclose(grad[3], 2 * grad[8]) and torch.allclose(grad[8], grad[1])


def test_split_does_not_modify_the_weight(problem):
    weight, x, y = problem
    before = weight.clone()
    split_tied_gradient(weight, x, y)
    assert torch.equal(weight, before)


def test_tied_model_yields_its_shared_parameter_once():
    model = CBOW(500, 128, tied=True)
    params = list(model.parameters())
    assert len(params) == 1 and params[0] is model.output.weight is model.embedding.weight
    assert sum(p.numel() for p in params) == 500 * 128


def test_tied_step_report_loss_before_matches_numpy_on_the_seeded_model():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        w = CBOW(500, 128, tied=True).embedding.weight.detach().double().numpy()
    report = tied_step_report([3, 5, 8, 1], 3, 0.1, "bce")
    expected = numpy_loss(w, w, np.array([[3, 5, 8, 1]]), np.array([3]), "bce")
    assert math.isclose(report.loss_before, expected, rel_tol=1e-5)


def test_tied_step_report_after_the_step_matches_numpy_at_w_minus_lr_times_the_fd_gradient():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        w = CBOW(40, 6, tied=True).embedding.weight.detach().double().numpy()
    x, y, lr = np.array([[2, 5, 5, 9]]), np.array([11]), 0.5
    grad = finite_difference(lambda t: numpy_loss(t, t, x, y, "ce"), w)
    report = tied_step_report([2, 5, 5, 9], 11, lr, "ce", vocab_size=40, embedding_dim=6)
    after = numpy_loss(w - lr * grad, w - lr * grad, x, y, "ce")
    assert math.isclose(report.loss_after, after, rel_tol=1e-4)
    assert report.loss_after < report.loss_before
    assert report.parts_sum_to_tied and report.update_matches


def test_tied_step_report_marks_the_context_rows_and_the_saturated_target():
    report = tied_step_report([3, 5, 8, 1], 3)
    assert report.input_rows == (1, 3, 5, 8)
    assert report.output_rows == 499  # all but the saturated target
    # the target's score is far past 17, so sigmoid(s) == 1.0 == y: no output-side push
    assert float(report.output_norms[3]) == 0.0
    text = str(report)
    assert "[1, 3, 5, 8]" in text and "True" in text


def test_tied_step_report_accepts_the_ids_as_text():
    assert tied_step_report("3, 3, 8, 1", 3).context_ids == (3, 3, 8, 1)


def test_tied_step_report_is_refused_before_building_the_model(monkeypatch):
    def no_model(*args, **kwargs):
        raise AssertionError("built the model before asking the memory guard")

    monkeypatch.setattr("w2v_helpers.lessons.nb03_tied_weight_backward.CBOW", no_model)
    with pytest.raises(MemoryBudgetError, match="vocab_size"):
        tied_step_report([3, 5, 8, 1], 3, vocab_size=5_000_000, embedding_dim=2048)


def test_tied_step_estimate_counts_fifteen_tables_and_the_activations():
    expected = 4 * (15 * 500 * 128 + 1 * 4 * 128 + 128 + 4 * 500) + 8 * 4
    assert estimate_tied_step_bytes(500, 128, 1, 4) == expected


def test_row_norm_figure_draws_each_rows_two_parts_and_every_tied_norm_sorted():
    report = tied_step_report([3, 3, 8, 1], 42)
    left, right = plot_gradient_row_norms(report).axes
    inputs, outputs = left.containers[:2]
    marked = [1, 3, 8, 42]  # the distinct context rows and the target, in order
    others = [v for v in range(report.vocab_size) if v not in marked]
    expected_in = [float(report.input_norms[i]) for i in marked]
    expected_in.append(float(np.median(report.input_norms[others].numpy())))
    assert [bar.get_height() for bar in inputs] == pytest.approx(expected_in, rel=1e-12)
    expected_out = [float(report.output_norms[i]) for i in marked]
    assert [bar.get_height() for bar in outputs][:4] == pytest.approx(expected_out, rel=1e-12)
    assert expected_in[3] == 0.0 and expected_out[3] > 0  # the target row: output side only
    every = np.asarray(right.get_lines()[0].get_ydata())
    expected = np.sort(np.maximum(report.tied_norms.numpy(), 1e-12))[::-1]
    np.testing.assert_allclose(every, expected, rtol=1e-12)


def test_rows_with_gradient_finds_the_rows_a_float32_norm_rounds_to_zero():
    grad = torch.tensor([[1e-30, -2e-30], [0.0, 0.0], [0.5, 0.0], [0.0, -3e-24]])  # (V, E)
    assert float(grad[0].norm()) == 0.0  # the pitfall: the squares underflow in float32
    oracle = np.linalg.norm(grad.double().numpy(), axis=1) > 0  # float64: no underflow here
    assert rows_with_gradient(grad).tolist() == oracle.tolist() == [True, False, True, True]
    np.testing.assert_allclose(
        row_norms(grad).numpy(), np.linalg.norm(grad.double().numpy(), axis=1), rtol=1e-15
    )


@pytest.mark.parametrize(("target", "loss", "rows"), [(42, "ce", 500), (3, "ce", 500)])
def test_tied_step_report_counts_every_ce_row_against_a_float64_gradient(target, loss, rows):
    """Oracle: the output-side gradient (softmax(S) - Y)^T H / N in float64 NumPy, from the same
    initial weights; with cross-entropy no row of it is 0. A float32 norm counts about 300."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        w = CBOW(500, 128, tied=True).embedding.weight.detach().double().numpy()  # (V, E)
    hidden = w[[3, 5, 8, 1]].mean(axis=0, keepdims=True)  # (1, E)
    scores = hidden @ w.T  # (1, V)
    soft = np.exp(scores - scores.max())
    soft /= soft.sum()
    soft[0, target] -= 1.0
    oracle = soft.T @ hidden  # (V, E)
    report = tied_step_report([3, 5, 8, 1], target, loss=loss)
    assert report.output_rows == int(np.count_nonzero(np.abs(oracle).max(axis=1))) == rows
    assert f"rows with an output-side gradient: {rows} of 500" in str(report)
    float32_norm_count = int((torch.from_numpy(oracle).float().norm(dim=1) > 0).sum())
    assert report.output_rows != float32_norm_count  # the report does not count by a norm
