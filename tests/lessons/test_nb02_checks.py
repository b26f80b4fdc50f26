"""Exercise checks of notebook 02: each accepts the right answer and names the usual wrong ones.
The right answers here are written independently of the checks' oracles; the scale exercise's
formulas are checked against a float64 simulation."""

import math

import pytest
import torch
import torch.nn.functional as F

from w2v_helpers.lessons.nb02_bce_vs_ce import check_initial_losses, check_stable_bce


def stable_bce(scores, targets):
    return (scores.clamp(min=0) - scores * targets + torch.log1p(torch.exp(-scores.abs()))).mean()


def naive_bce(scores, targets):
    p = torch.sigmoid(scores)
    return -(targets * torch.log(p + 1e-8) + (1 - targets) * torch.log(1 - p + 1e-8)).mean()


def sigmoid_then_log(scores, targets):
    """The notebook's broken cell: the sigmoid written out, no eps."""
    prob = 1 / (1 + torch.exp(-scores))
    return -(targets * torch.log(prob) + (1 - targets) * torch.log(1 - prob)).mean()


def stable_sigmoid_then_log(scores, targets):
    """exp only of -|s|, as the hint says, yet still through log(probability)."""
    small = torch.exp(-scores.abs())
    prob = torch.where(scores >= 0, 1 / (1 + small), small / (1 + small))
    return -(targets * torch.log(prob) + (1 - targets) * torch.log(1 - prob)).mean()


def test_a_nan_on_saturating_logits_is_blamed_on_log_of_a_rounded_probability_not_overflow():
    """Both functions give NaN at |s| <= 60, where no exp overflows: the cause the check names is
    sigmoid rounding to exactly 1, log(0) = -inf, and 0 * (-inf)."""
    s, t = torch.tensor([[40.0]]), torch.tensor([[1.0]])
    assert torch.isfinite(torch.exp(s)).all() and torch.sigmoid(s).item() == 1.0
    for fn in (sigmoid_then_log, stable_sigmoid_then_log):
        assert torch.isnan(fn(s, t))
        feedback = check_stable_bce(fn)
        assert not feedback
        assert "rounds to exactly 1.0" in feedback.message
        assert "0 * (-inf) = nan" in feedback.message
        assert "something overflows" not in feedback.message  # the old, wrong diagnosis


def test_stable_bce_check_accepts_a_softplus_formula_and_the_builtin():
    assert check_stable_bce(stable_bce)
    assert check_stable_bce(lambda s, t: F.binary_cross_entropy_with_logits(s, t))


@pytest.mark.parametrize(
    ("fn", "explains"),
    [
        (naive_bce, "caps the term at -log(eps)"),
        (sigmoid_then_log, "log(1 - sigmoid(s)) is log(0) = -inf"),
        (stable_sigmoid_then_log, "A sigmoid written with exp(-|s|) rounds the same way"),
        (lambda s, t: (torch.log1p(torch.exp(s)) - s * t).mean(), "log(1 + exp(s)) overflows"),
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


SIGMA = 0.5
BCE_AT_SIGMA = math.log(2) + SIGMA**2 / 8  # softplus's series, averaged over normal scores
CE_AT_SIGMA = math.log(10_000) + SIGMA**2 / 2  # log mean exp(s) of normal scores


def test_the_predicted_losses_match_a_float64_simulation_of_normal_scores():
    """The oracle for the scale exercise: draw many rows of N(0, 0.5^2) scores over V = 10,000
    in float64 and compare the mean losses (right word's score averaged out: noise 0.5/sqrt(N))."""
    generator = torch.Generator().manual_seed(5)
    V, N = 10_000, 400
    s = SIGMA * torch.randn(N, V, generator=generator, dtype=torch.float64)  # (N, V)
    y = torch.randint(V, (N,), generator=generator)  # (N,)
    bce = F.binary_cross_entropy_with_logits(s, F.one_hot(y, V).double())
    lse = torch.logsumexp(s, dim=1).mean()  # CE without the right word's score, whose mean is 0
    assert abs(float(bce) - BCE_AT_SIGMA) < 0.002
    assert abs(float(lse) - CE_AT_SIGMA) < 0.002


def test_initial_losses_check_accepts_the_series_at_a_logit_scale():
    assert check_initial_losses((BCE_AT_SIGMA, CE_AT_SIGMA), vocab_size=10_000, logit_scale=SIGMA)
    assert check_initial_losses((0.72, 9.34), vocab_size=10_000, logit_scale=SIGMA)


@pytest.mark.parametrize(
    ("answer", "explains"),
    [
        ((math.log(2), CE_AT_SIGMA), "BCE 0.6931 is its value at s = 0"),
        ((math.log(2) + SIGMA / 8, CE_AT_SIGMA), "your BCE adds sigma/8"),
        ((math.log(2) + SIGMA**2 / 2, CE_AT_SIGMA), "your BCE adds sigma^2/2, CE's term"),
        ((BCE_AT_SIGMA, math.log(10_000)), "CE 9.2103 is its value at s = 0"),
        ((BCE_AT_SIGMA, math.log(10_000) + SIGMA**2 / 8), "your CE adds sigma^2/8, BCE's term"),
        ((BCE_AT_SIGMA, math.log(10_000) + SIGMA / 2), "your CE adds sigma/2"),
        ((CE_AT_SIGMA, BCE_AT_SIGMA), "swapped"),
        ((BCE_AT_SIGMA, 12.0), "BCE is right"),
    ],
    ids=[
        "bce at 0",
        "bce sigma",
        "bce ce term",
        "ce at 0",
        "ce bce term",
        "ce sigma",
        "swap",
        "ce",
    ],
)
def test_initial_losses_check_names_each_slip_at_a_logit_scale(answer, explains):
    feedback = check_initial_losses(answer, vocab_size=10_000, logit_scale=SIGMA)
    assert not feedback
    assert explains in feedback.message, feedback.message


def test_initial_losses_check_refuses_a_scale_where_the_series_needs_more_terms():
    with pytest.raises(ValueError, match="logit_scale"):
        check_initial_losses((0.7, 9.3), vocab_size=10_000, logit_scale=1.0)
