"""Appendix A2's helpers: the float32 step against NumPy's ``spacing``, and the norm-rounding
report against a float64 formula of the cross-entropy gradient (not the split it reports on)."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from w2v_helpers.lessons.a2_float32_at_the_edges import (
    TINY_SQUARE,
    check_nonzero_rows,
    float32_spacing,
    norm_rounding_report,
)
from w2v_helpers.models import CBOW


@pytest.mark.parametrize("value", [1.0, 4.0, 4.56, 10.9, 50.7, 1e-30, -3.0, 0.0, 3e38])
def test_float32_spacing_matches_numpy(value):
    assert float32_spacing(value) == float(np.spacing(np.float32(abs(value))))


@pytest.mark.parametrize(
    ("value", "error", "names"),
    [
        (math.inf, ValueError, "value must be finite"),
        (math.nan, ValueError, "value must be finite"),
        (1e39, ValueError, "at most"),
        ("1.0", TypeError, "value must be a number"),
        (True, TypeError, "value must be a number"),
    ],
)
def test_float32_spacing_refuses_bad_values(value, error, names):
    with pytest.raises(error, match=names):
        float32_spacing(value)


def test_norm_report_matches_a_float64_formula_of_the_ce_gradient():
    report = norm_rounding_report(context_ids=[3, 5, 8, 1], target_id=42)
    torch.manual_seed(0)
    weight = CBOW(500, 128, tied=True).embedding.weight.detach().double()  # (V, E)
    hidden = weight[[3, 5, 8, 1]].mean(dim=0, keepdim=True)  # (1, E)
    d_scores = torch.softmax(hidden @ weight.T, dim=1) - F.one_hot(torch.tensor([42]), 500)
    grad = d_scores.T @ hidden  # (V, E), float64: (softmax(S) - Y)^T H / N with N = 1
    largest = grad.abs().amax(dim=1)  # (V,)
    assert report.rows_nonzero == int((largest > 0).sum()) == 500
    assert math.isclose(report.smallest_entry, largest.min().item(), rel_tol=1e-3)
    row = int(largest.argmin())
    assert math.isclose(report.smallest_norm64, grad[row].norm().item(), rel_tol=1e-3)
    assert report.smallest_norm32 == 0.0
    clear = (largest < TINY_SQUARE * 0.99) | (largest > TINY_SQUARE * 1.01)  # away from the edge
    assert abs(report.tiny_rows - int((largest < TINY_SQUARE).sum())) <= int((~clear).sum())
    assert report.tiny_zero_norms == report.tiny_rows > 0
    assert report.norm_misses_rows and report.norms_off_by_10pct


def test_norm_report_with_bce_sized_scores_finds_no_tiny_rows():
    # a small table: scores near 0, so every softmax value, and every row, is far from 2^-75
    report = norm_rounding_report(context_ids=[1, 2], target_id=0, vocab_size=10, embedding_dim=2)
    assert report.rows_nonzero == 10
    assert report.tiny_rows == report.tiny_zero_norms == 0
    assert not report.norm_misses_rows


@pytest.mark.parametrize(
    ("kwargs", "error", "names"),
    [
        ({"vocab_size": 0}, ValueError, "vocab_size"),
        ({"embedding_dim": 0}, ValueError, "embedding_dim"),
        ({"target_id": 500}, ValueError, "target_id"),
        ({"context_ids": [3, 500]}, ValueError, r"context_ids\[i\]"),
        ({"context_ids": []}, ValueError, "context_ids must hold 1 to 1,000 ids"),
        ({"context_ids": [1.5]}, TypeError, r"context_ids\[i\]"),
    ],
)
def test_norm_report_refuses_bad_input_naming_the_parameter(kwargs, error, names):
    with pytest.raises(error, match=names):
        norm_rounding_report(**kwargs)


def exact_rows(grad):
    return torch.tensor([any(v != 0.0 for v in row) for row in grad.tolist()])  # plain Python


def test_nonzero_rows_check_accepts_an_exact_test():
    assert check_nonzero_rows(exact_rows)
    assert check_nonzero_rows(lambda g: (g != 0).any(dim=1))
    assert check_nonzero_rows(lambda g: g.abs().amax(dim=1) > 0)


@pytest.mark.parametrize(
    ("fn", "explains"),
    [
        (lambda g: g.norm(dim=1) > 0, "a float32 norm squares the entries"),
        (lambda g: (g * g).sum(dim=1) > 0, "a float32 norm squares the entries"),
        (lambda g: g.sum(dim=1) != 0, "row 3 is [1, -1, 0]: its sum is 0"),
        (lambda g: (g != 0).any(dim=0), "one answer per column"),
        (lambda g: (g != 0).sum(), "one number for the whole gradient"),
        (lambda g: (g != 0).sum(dim=1), "return bools"),
        (lambda g: torch.ones(g.shape[0], dtype=torch.bool), "rows 1 and 6 are all zeros"),
        (lambda g: torch.zeros(3, 3), "expected shape (V,) = (8,)"),
        (lambda g: None, "returns nothing"),
        (..., "replace the ..."),
    ],
)
def test_nonzero_rows_check_names_the_usual_mistakes(fn, explains):
    feedback = check_nonzero_rows(fn)
    assert not feedback
    assert explains in feedback.message
