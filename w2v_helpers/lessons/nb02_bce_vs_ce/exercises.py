"""Exercise checks of ``02_bce_vs_ce.ipynb``: each names the usual mistake behind a wrong
answer. Re-exported by the package, so the notebook imports every name from
``w2v_helpers.lessons.nb02_bce_vs_ce``.

Shape glossary: N batch, V vocabulary.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

from ...validation import check_number, check_positive_int
from ..feedback import Feedback, _call, _correct, _not_yet, _unanswered

__all__ = [
    "check_stable_bce",
    "check_initial_losses",
]


NON_FINITE_BCE = {
    "ordinary": "on ordinary logits your loss is {value}: check each log and each division.",
    "saturating": (
        "on logits of 20 to 60 your loss is {value}, and no exp overflows there (exp(60) is "
        "1e26, float32 holds 3e38). In float32 sigmoid(s) rounds to exactly 1.0 once s passes "
        "about 17, so log(1 - sigmoid(s)) is log(0) = -inf, and 0 * (-inf) = nan where the "
        "target is 1. A sigmoid written with exp(-|s|) rounds the same way: do not take the log "
        "of a probability; work on the logits, max(s, 0) - s*t + log1p(exp(-|s|))."
    ),
    "large": (
        "right up to 60, but {value} on logits of 200: exp(s) is inf for s > 88 in float32, "
        "so log(1 + exp(s)) overflows. Only ever take exp of -|s|, which is at most 1."
    ),
}
"""What a non-finite loss on each case of :func:`check_stable_bce` means."""


def _stable_bce_problem(
    fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    name: str,
    scores: torch.Tensor,
    targets: torch.Tensor,
) -> Feedback | None:
    """What is wrong with ``fn`` on one case of :func:`check_stable_bce`, or ``None`` if right.

    Shape:
        - scores, targets: :math:`(N, V)` float32.
    """
    N, V = scores.shape
    expected = F.binary_cross_entropy_with_logits(scores, targets)
    got = _call(fn, scores.clone(), targets.clone())
    if isinstance(got, Feedback):
        return got
    if got.shape == (N, V):
        return _not_yet(
            f"you return the {N} x {V} per-element losses; the built-in "
            "averages them into one number: add .mean()."
        )
    if got.shape == (N,):
        return _not_yet(
            f"you return one loss per row, shape ({N},); average over all N*V elements instead."
        )
    if got.numel() != 1:
        return _not_yet(f"return one number (a 0-d tensor), got shape {tuple(got.shape)}.")
    value = float(got)
    if not math.isfinite(value):
        return _not_yet(NON_FINITE_BCE[name].format(value=value))
    if math.isclose(value, float(expected), rel_tol=1e-5, abs_tol=1e-6):
        return None
    return _wrong_bce_value(value, float(expected), name, N, V)


def _wrong_bce_value(value: float, expected: float, name: str, N: int, V: int) -> Feedback:
    """Which slip gives a finite mean BCE of ``value`` where the built-in gives ``expected``."""
    if math.isclose(value, expected * N * V, rel_tol=1e-5):
        return _not_yet(
            f"your value is N*V = {N * V} times too large: that is the "
            "sum of the per-element losses, not their mean."
        )
    if math.isclose(value, expected * V, rel_tol=1e-5):
        return _not_yet(
            f"your value is V = {V} times too large: you sum over the V words and average over "
            "the N rows; the built-in averages over all N*V elements."
        )
    if math.isclose(value, -expected, rel_tol=1e-5):
        return _not_yet("right size, wrong sign: the loss is minus the log-likelihood.")
    if name != "ordinary":
        return _not_yet(
            f"right on ordinary logits, wrong on large ones ({value:.4f} instead of "
            f"{expected:.4f}): through sigmoid then log, sigmoid(s) rounds to 0 or 1 and an "
            "eps or a clamp caps the term at -log(eps). Work on the logits: "
            "max(s, 0) - s*t + log1p(exp(-|s|))."
        )
    return _not_yet(
        f"got {value:.4f}, expected {expected:.4f} on ordinary logits. Per element the "
        "loss is softplus(s) - s*t, with softplus(s) = max(s, 0) + log1p(exp(-|s|))."
    )


def check_stable_bce(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Feedback:
    """Exercise: ``fn(scores, targets)`` must be the mean BCE from logits, finite for every logit.

    Tried on float32 logits of ordinary size, on logits of 20 to 60 (sigmoid rounds to 0 or 1,
    yet no exp overflows) and on logits up to 200; the oracle is
    ``F.binary_cross_entropy_with_logits``. Introduced in ``02_bce_vs_ce.ipynb``.

    Args:
        fn: the learner's function ``fn(scores, targets)``.

    Shape:
        - fn gets: scores :math:`(N, V)` float32 logits, targets :math:`(N, V)` float32 one-hot.
        - fn returns: a 0-d tensor, the mean over all N*V elements.
    """
    generator = torch.Generator().manual_seed(2024)
    N, V = 4, 50
    y = torch.randint(V, (N,), generator=generator)  # (N,)
    targets = F.one_hot(y, V).float()  # (N,) -> (N, V)
    small = 2 * torch.randn(N, V, generator=generator)  # (N, V)
    saturating = small.clone()  # (N, V): sigmoid rounds to 0 or 1, no exp overflows
    saturating[:, :4] = torch.tensor([20.0, -20.0, 60.0, -60.0])
    saturating[torch.arange(N), y] = torch.tensor([40.0, -40.0, 25.0, -25.0])  # the right words
    large = small.clone()  # (N, V)
    large[:, :6] = torch.tensor([30.0, -30.0, 90.0, -90.0, 200.0, -200.0])
    large[torch.arange(N), y] = torch.tensor([-150.0, 150.0, -40.0, 40.0])  # the right words
    for name, scores in (("ordinary", small), ("saturating", saturating), ("large", large)):
        if (problem := _stable_bce_problem(fn, name, scores, targets)) is not None:
            return problem
    return _correct(
        "your BCE matches nn.BCEWithLogitsLoss on ordinary logits, on logits of 20 to 60 and on "
        "logits up to 200."
    )


def _near(a: float, b: float) -> bool:
    return abs(a - b) < 0.01


def _scale_slips(bce: float, ce: float, V: int, scale: float) -> str | None:
    """Which usual slip gives (bce, ce) for normal logits of std ``scale``, or ``None``."""
    log2, logv, var = math.log(2), math.log(V), scale**2
    slips = (
        (
            _near(bce, log2),
            f"your BCE {bce:.4f} is its value at s = 0. Averaged over the elements, the "
            f"series' s^2/8 adds mean(s^2)/8 = sigma^2/8 = {var / 8:.5f}.",
        ),
        (
            _near(bce, log2 + scale / 8),
            f"your BCE adds sigma/8; the series' term is s^2/8, and mean(s^2) = sigma^2 = {var:g}.",
        ),
        (
            _near(bce, log2 + var / 2),
            "your BCE adds sigma^2/2, CE's term. softplus's second derivative at 0 is "
            "sigmoid'(0) = 1/4, so its series' s^2 term is s^2/8.",
        ),
        (
            _near(ce, logv),
            f"your CE {ce:.4f} is its value at s = 0. The correction log mean exp(s) is "
            f"log exp(sigma^2/2) = sigma^2/2 = {var / 2:.4f} for normal scores.",
        ),
        (
            _near(ce, logv + var / 8),
            "your CE adds sigma^2/8, BCE's term; CE's correction is log mean exp(s) = sigma^2/2.",
        ),
        (
            _near(ce, logv + scale / 2),
            f"your CE adds sigma/2; log mean exp(s) = sigma^2/2, with sigma^2 = {var:g}.",
        ),
    )
    return next((why for hit, why in slips if hit), None) if scale > 0 else None


def check_initial_losses(answer: object, *, vocab_size: int, logit_scale: float = 0.0) -> Feedback:
    """Exercise: predict (BCE, CE) of an untrained model over V words whose logits are normal
    with mean 0 and standard deviation ``logit_scale``.

    The expected values: BCE ≈ log 2 + sigma^2/8 (softplus's series, its s^4 term left out) and
    CE ≈ log V + sigma^2/2 (log mean exp(s) for normal s); each is accepted within 0.01.
    Introduced in ``02_bce_vs_ce.ipynb``.

    Args:
        answer: the learner's prediction, a pair ``(bce, ce)`` of numbers.
        vocab_size: V, a whole number >= 2.
        logit_scale: sigma, in [0, 0.6] (where the series' s^4 term, -3 sigma^4/192, stays
            under 0.003); 0 means tiny logits. Default: 0.
    """
    V = check_positive_int("vocab_size", vocab_size)
    if V < 2:
        raise ValueError(f"vocab_size must be at least 2, got {V}")
    scale = check_number("logit_scale", logit_scale, low=0.0, high=0.6)
    if (missing := _unanswered(answer)) is not None:
        return missing
    try:
        bce, ce = (float(a) for a in answer)  # a tuple or list of two numbers
    except (TypeError, ValueError):
        return _not_yet(f"give two numbers as a tuple (bce, ce), got {answer!r}.")
    want_bce, want_ce = math.log(2) + scale**2 / 8, math.log(V) + scale**2 / 2
    if _near(bce, want_bce) and _near(ce, want_ce):
        return _correct(
            f"BCE ≈ log 2 + sigma^2/8 = {want_bce:.3f} (every one of the N*V decisions is "
            f"nearly a coin flip) and CE ≈ log V + sigma^2/2 = {want_ce:.3f} (one right word "
            f"among V = {V:,} nearly equally likely ones), at sigma = {scale:g}."
        )
    if _near(bce, want_ce) and _near(ce, want_bce):
        return _not_yet("the two are swapped: BCE is the one that averages coin flips.")
    if _near(ce, math.log2(V)) or _near(ce, math.log10(V)):
        return _not_yet(
            f"your CE {ce:.4f} uses the wrong logarithm: PyTorch's losses "
            f"use the natural log, ln V = {math.log(V):.4f}."
        )
    if _near(bce, 0.5) or _near(ce, 1 / V):
        return _not_yet(
            "those are probabilities (sigmoid(0) = 0.5, softmax = 1/V); "
            "the loss is minus their log."
        )
    if (slip := _scale_slips(bce, ce, V, scale)) is not None:
        return _not_yet(slip)
    if not _near(bce, want_bce):
        return _not_yet(
            f"BCE {bce:.4f} is off. With s ≈ 0, sigmoid(s) ≈ 0.5 for every "
            "word, right or wrong: what is -log(0.5)? Then add the series' s^2 term."
        )
    return _not_yet(
        f"BCE is right; CE {ce:.4f} is off. With s ≈ 0, softmax gives every "
        "word probability 1/V; the loss is -log of the right word's."
    )
