"""Exercise checks of notebooks 02 and 03: each accepts the right answer and explains the usual
wrong ones. The right answers here are written independently of the checks' oracles."""

import math

import pytest
import torch
import torch.nn.functional as F

from w2v_helpers.lessons.nb02_bce_vs_ce import check_initial_losses, check_stable_bce
from w2v_helpers.lessons.nb03_tied_weight_backward import (
    check_input_side_rows,
    check_output_side_grad,
)


def stable_bce(scores, targets):
    return (scores.clamp(min=0) - scores * targets + torch.log1p(torch.exp(-scores.abs()))).mean()


def naive_bce(scores, targets):
    p = torch.sigmoid(scores)
    return -(targets * torch.log(p + 1e-8) + (1 - targets) * torch.log(1 - p + 1e-8)).mean()


def test_stable_bce_check_accepts_a_softplus_formula_and_the_builtin():
    assert check_stable_bce(stable_bce)
    assert check_stable_bce(lambda s, t: F.binary_cross_entropy_with_logits(s, t))


@pytest.mark.parametrize(
    ("fn", "explains"),
    [
        (naive_bce, "wrong on large ones"),
        (lambda s, t: (torch.log1p(torch.exp(s)) - s * t).mean(), "overflows"),
        (lambda s, t: (F.softplus(s) - s * t).sum(), "sum of the per-element"),
        (lambda s, t: (F.softplus(s) - s * t).sum(dim=1).mean(), "averages over all N*V"),
        (lambda s, t: -(F.softplus(s) - s * t).mean(), "wrong sign"),
        (lambda s, t: F.softplus(s) - s * t, "per-element losses"),
        (lambda s, t: (F.softplus(s) - s * t).mean(dim=1), "one loss per row"),
        (lambda s, t: F.softplus(s).mean(), "softplus(s) - s*t"),
        (lambda s, t: 1 / 0, "ZeroDivisionError"),
        (lambda s, t: 0.5, "return a tensor"),
        ("not a function", "pass your function"),
        (..., "replace the ..."),
    ],
)
def test_stable_bce_check_explains_typical_wrong_answers(fn, explains):
    feedback = check_stable_bce(fn)
    assert not feedback
    assert explains in feedback.message


def test_initial_losses_check_accepts_log_2_and_log_v():
    assert check_initial_losses((math.log(2), math.log(10_000)), vocab_size=10_000)
    assert check_initial_losses([0.69, 9.21], vocab_size=10_000)


@pytest.mark.parametrize(
    ("answer", "explains"),
    [
        ((math.log(10_000), math.log(2)), "swapped"),
        ((math.log(2), math.log2(10_000)), "natural log"),
        ((math.log(2), 4.0), "natural log"),
        ((0.5, 1 / 10_000), "probabilities"),
        ((1.0, math.log(10_000)), "-log(0.5)"),
        ((math.log(2), 3.0), "BCE is right"),
        (0.69, "tuple (bce, ce)"),
        (..., "replace the ..."),
    ],
)
def test_initial_losses_check_explains_typical_wrong_answers(answer, explains):
    feedback = check_initial_losses(answer, vocab_size=10_000)
    assert not feedback
    assert explains in feedback.message


def test_input_side_rows_check_accepts_the_distinct_context_ids_in_any_collection():
    for answer in ({2, 7, 4}, [2, 7, 7, 4], (4, 2, 7)):
        assert check_input_side_rows(answer, context_ids=[2, 7, 7, 4], target_id=9, vocab_size=20)


@pytest.mark.parametrize(
    ("answer", "explains"),
    [
        ({2, 7, 4, 9}, "not read by the lookup"),
        (set(range(20)), "output side"),
        ({2, 4}, "you miss [7]"),
        ({1, 2}, "is not it"),
        ("2, 7", "set or list of ints"),
        (..., "replace the ..."),
    ],
)
def test_input_side_rows_check_explains_typical_wrong_answers(answer, explains):
    feedback = check_input_side_rows(answer, context_ids=[2, 7, 7, 4], target_id=9, vocab_size=20)
    assert not feedback
    assert explains in feedback.message


def bce_output_grad(hidden, weight, targets):
    N, V = targets.shape
    return (torch.sigmoid(hidden @ weight.T) - targets).T @ hidden / (N * V)


def test_output_side_grad_check_accepts_the_hand_formula():
    assert check_output_side_grad(bce_output_grad)


@pytest.mark.parametrize(
    ("fn", "explains"),
    [
        (lambda h, w, t: bce_output_grad(h, w, t).T, "transposed"),
        (lambda h, w, t: bce_output_grad(h, w, t) * t.shape[1], "divide by N*V, not N"),
        (lambda h, w, t: bce_output_grad(h, w, t) * t.numel(), "N*V = 33 times"),
        (lambda h, w, t: bce_output_grad(h, w, t) * t.shape[0], "not V"),
        (lambda h, w, t: -bce_output_grad(h, w, t), "wrong sign"),
        (lambda h, w, t: torch.sigmoid(h @ w.T).T @ h / t.numel(), "left out the targets"),
        (lambda h, w, t: (torch.softmax(h @ w.T, 1) - t).T @ h / t.shape[0], "cross-entropy"),
        (lambda h, w, t: torch.zeros(3), "expected shape"),
        (lambda h, w, t: torch.zeros_like(w), "right shape, wrong values"),
        (lambda h, w, t: None, "returns nothing"),
    ],
)
def test_output_side_grad_check_explains_typical_wrong_answers(fn, explains):
    feedback = check_output_side_grad(fn)
    assert not feedback
    assert explains in feedback.message
