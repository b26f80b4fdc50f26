"""Hand-written losses against the PyTorch built-ins and NumPy formulas."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from w2v_helpers.losses import bce_naive, bce_stable, ce_naive, ce_stable


def random_bce_case(scale: float, dtype=torch.float32, shape=(8, 300)):
    g = torch.Generator().manual_seed(int(scale * 7) % 1000)
    scores = (torch.randn(shape, generator=g, dtype=torch.float64) * scale).to(dtype)
    targets = F.one_hot(torch.randint(shape[1], (shape[0],), generator=g), shape[1]).to(dtype)
    return scores, targets


@pytest.mark.parametrize("scale", [0.01, 1.0, 10.0, 50.0, 500.0, 1e4])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_stable_bce_matches_builtin_for_every_scale_of_logits(scale, dtype):
    scores, targets = random_bce_case(scale, dtype)
    expected = nn.BCEWithLogitsLoss()(scores, targets)
    tol = 1e-6 if dtype == torch.float32 else 1e-12
    assert torch.allclose(bce_stable(scores, targets), expected, rtol=tol, atol=tol)


def test_stable_bce_accepts_soft_targets_like_the_builtin():
    scores = torch.randn(4, 9, dtype=torch.float64)
    targets = torch.rand(4, 9, dtype=torch.float64)
    assert torch.allclose(
        bce_stable(scores, targets), F.binary_cross_entropy_with_logits(scores, targets), rtol=1e-12
    )


def test_naive_bce_matches_the_numpy_formula_with_eps():
    scores, targets = random_bce_case(3.0, torch.float64)
    s, t = scores.numpy(), targets.numpy()
    p = 1 / (1 + np.exp(-s))
    eps = 1e-8
    expected = -np.mean(t * np.log(p + eps) + (1 - t) * np.log(1 - p + eps))
    assert bce_naive(scores, targets).item() == pytest.approx(expected, rel=1e-12)


def test_naive_bce_agrees_with_builtin_for_moderate_logits():
    scores, targets = random_bce_case(1.0)
    assert torch.allclose(
        bce_naive(scores, targets), nn.BCEWithLogitsLoss()(scores, targets), rtol=1e-5
    )


def test_naive_bce_saturates_at_minus_log_eps_for_huge_wrong_logits():
    scores = torch.tensor([[100.0]])  # confidently "yes"
    targets = torch.tensor([[0.0]])  # the answer is "no": true loss is 100
    assert nn.BCEWithLogitsLoss()(scores, targets).item() == pytest.approx(100.0)
    assert bce_naive(scores, targets).item() == pytest.approx(-math.log(1e-8), rel=1e-6)


@pytest.mark.parametrize("scale", [0.01, 1.0, 10.0, 100.0, 1e4])
def test_stable_ce_matches_builtin_for_every_scale_of_logits(scale):
    g = torch.Generator().manual_seed(3)
    scores = torch.randn(6, 500, generator=g) * scale
    y = torch.randint(500, (6,), generator=g)
    expected = nn.CrossEntropyLoss()(scores, y)
    assert torch.allclose(ce_stable(scores, y), expected, rtol=1e-6, atol=1e-6)


def test_naive_ce_matches_numpy_log_softmax_for_moderate_logits():
    g = torch.Generator().manual_seed(4)
    scores = torch.randn(5, 40, generator=g, dtype=torch.float64)
    y = torch.randint(40, (5,), generator=g)
    s = scores.numpy()
    log_p = (
        s
        - s.max(1, keepdims=True)
        - np.log(np.exp(s - s.max(1, keepdims=True)).sum(1, keepdims=True))
    )
    expected = -log_p[np.arange(5), y.numpy()].mean()
    assert ce_naive(scores, y).item() == pytest.approx(expected, rel=1e-12)


def test_naive_ce_turns_nan_once_softmax_underflows_while_stable_ce_stays_finite():
    scores = torch.tensor([[0.0, 200.0, -200.0]])  # softmax of the last column underflows to 0
    y = torch.tensor([1])
    assert torch.isnan(ce_naive(scores, y))
    assert torch.isfinite(ce_stable(scores, y))
    assert ce_stable(scores, y).item() == pytest.approx(
        nn.CrossEntropyLoss()(scores, y).item(), abs=1e-6
    )


def test_losses_backpropagate_like_the_builtins():
    scores = torch.randn(3, 11, dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0, 5, 10])
    (g_ours,) = torch.autograd.grad(ce_stable(scores, y), scores)
    (g_ref,) = torch.autograd.grad(F.cross_entropy(scores, y), scores)
    assert torch.allclose(g_ours, g_ref, atol=1e-12)
    targets = F.one_hot(y, 11).double()
    (g_ours,) = torch.autograd.grad(bce_stable(scores, targets), scores)
    (g_ref,) = torch.autograd.grad(F.binary_cross_entropy_with_logits(scores, targets), scores)
    assert torch.allclose(g_ours, g_ref, atol=1e-12)
