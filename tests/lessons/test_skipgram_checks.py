"""The exercise checks of notebook 04 accept the right answer and diagnose the usual wrong ones."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from w2v_helpers.lessons.nb04_skipgram_multilabel import (
    check_best_tile_score,
    check_lean_loss,
    check_multi_hot,
)
from w2v_helpers.targets import collapse, first_occurrences


def test_best_tile_score_check_accepts_minus_log_of_t_minus_1():
    # the oracle: the minimum of softplus(s) - s/T found by a float64 grid search, not the formula
    s = torch.linspace(-6, 6, 1_200_001, dtype=torch.float64)
    for T in (3, 4, 10):
        best = s[(F.softplus(s) - s / T).argmin()].item()
        assert abs(best - (-math.log(T - 1))) < 1e-4
    assert check_best_tile_score(lambda T: -math.log(T - 1))
    assert check_best_tile_score(lambda T: torch.log(torch.tensor(1 / (T - 1))))


@pytest.mark.parametrize(
    ("fn", "explains"),
    [
        (lambda T: 1 / T, "that is the probability σ(s) = 1/T; the score is its logit"),
        (lambda T: math.log(1 / T), "log(1/T) is log p, not the logit"),
        (lambda T: math.log(T - 1), "right size, wrong sign"),
        (lambda T: math.inf, "that is collapse's answer"),
        (lambda T: 1e6, "that is collapse's answer"),
        (lambda T: -1.0986, "for every T; it must depend on T"),
        (lambda T: -math.log(T + 1), "not it. Differentiate softplus(s) - s/T"),
        (lambda T: "s", "return one number (a score), got str"),
        (lambda T: None, "returns nothing yet"),
        (lambda T: 1 / 0, "raised ZeroDivisionError"),
        (..., "replace the ..."),
        (3, "pass your function itself"),
    ],
)
def test_best_tile_score_check_names_the_usual_slips(fn, explains):
    feedback = check_best_tile_score(fn)
    assert not feedback
    assert explains in feedback.message


def test_multi_hot_check_accepts_scatter_and_one_hot_clip():
    assert check_multi_hot(lambda y, V: collapse(y, V))
    assert check_multi_hot(lambda y, V: F.one_hot(y, V).sum(dim=1).clamp(max=1).float())


def test_multi_hot_check_diagnoses_sum_window_axis_and_int_dtype():
    assert "plain sum" in check_multi_hot(lambda y, V: F.one_hot(y, V).sum(dim=1).float()).message
    assert (
        "context axis (of length T)"
        in check_multi_hot(lambda y, V: F.one_hot(y, V).float()).message
    )
    assert "dtype" in check_multi_hot(lambda y, V: F.one_hot(y, V).sum(1).clamp(max=1)).message
    assert "raised ZeroDivisionError" in check_multi_hot(lambda y, V: 1 / 0).message
    assert "returns nothing yet" in check_multi_hot(lambda y, V: None).message
    assert "replace the ..." in check_multi_hot(...).message


def _lean(scores, y, dedup=True, divisor=None, sign=1.0):
    N, V = scores.shape
    target = scores.gather(1, y)  # (N, T)
    if dedup:
        target = target * first_occurrences(y)
    total = F.softplus(scores).sum() - target.sum()
    return sign * total / (N * V if divisor is None else divisor)


def test_lean_check_accepts_a_correct_lean_loss():
    feedback = check_lean_loss(_lean)
    assert feedback, feedback


def test_lean_check_diagnoses_counted_repeats_sum_divisor_sign_and_tile():
    assert "summed* targets" in check_lean_loss(lambda s, y: _lean(s, y, dedup=False)).message
    assert "sum over all" in check_lean_loss(lambda s, y: _lean(s, y, divisor=1)).message
    assert "wrong divisor" in check_lean_loss(lambda s, y: _lean(s, y, divisor=y.numel())).message
    assert "sign flipped" in check_lean_loss(lambda s, y: _lean(s, y, sign=-1.0)).message

    def tile(scores, y):
        N, T = y.shape
        V = scores.shape[1]
        onehot = F.one_hot(y, V).to(scores.dtype)
        return F.binary_cross_entropy_with_logits(scores.unsqueeze(1).expand(N, T, V), onehot)

    assert "tile loss" in check_lean_loss(tile).message
    assert "single-number tensor" in check_lean_loss(lambda s, y: s).message


def the_notebooks_stub(scores, y):
    """Exercise 3's lean loss as the learner finds it: no repeated id dropped."""
    N, V = scores.shape
    return (F.softplus(scores).sum() - scores.gather(1, y).sum()) / (N * V)


def sorted_lean(scores, y):
    """The notebook's solution: sort each row, keep an id where it differs from its neighbour."""
    N, V = scores.shape
    ids, _ = y.sort(dim=1)
    first = torch.ones_like(ids, dtype=torch.bool)
    first[:, 1:] = ids[:, 1:] != ids[:, :-1]
    return (F.softplus(scores).sum() - (scores.gather(1, ids) * first).sum()) / (N * V)


def test_lean_check_accepts_the_sort_solution_and_explains_the_stub():
    assert check_lean_loss(sorted_lean)
    message = check_lean_loss(the_notebooks_stub).message
    assert "subtracted twice" in message and "sort the row" in message
    assert "first_occurrences" not in message  # a helper the notebook never shows


def test_the_sort_solution_is_bce_on_the_multi_hot_target():
    generator = torch.Generator().manual_seed(5)
    scores = torch.randn(6, 9, generator=generator, dtype=torch.float64)
    y = torch.randint(9, (6, 5), generator=generator)  # repeats are likely at T=5, V=9
    multi_hot = F.one_hot(y, 9).sum(dim=1).clamp(max=1).double()  # the explicit oracle
    expected = F.binary_cross_entropy_with_logits(scores, multi_hot)
    assert abs(sorted_lean(scores, y).item() - expected.item()) < 1e-12
