"""Exercise checks of ``04_skipgram_multilabel.ipynb``: the score tile's loss aims for, the 0/1
multi-hot target, and the lean loss on windows that repeat an id (re-exported by the package).

Shape glossary: N batch, T = 2w context words, V vocabulary.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

from ..feedback import (
    NOTHING_RETURNED,
    Feedback,
    _call,
    _correct,
    _is_number,
    _not_a_function,
    _not_yet,
    _unanswered,
)

__all__ = ["check_best_tile_score", "check_multi_hot", "check_lean_loss"]


def _near(answer: float, value: float) -> bool:
    """``answer`` within 1e-3 of ``value``: absolute up to |value| = 1, relative above."""
    return abs(answer - value) <= 1e-3 * max(1.0, abs(value))


BEST_TILE_WINDOWS = (3, 4, 10)  # the T values check_best_tile_score tries


def _best_score_of(fn: Callable[[int], object], T: int) -> float | Feedback:
    """``fn(T)`` as a float, or Feedback on a failure, nothing, or something that is no number."""
    try:
        got = fn(T)
    except Exception as err:  # the learner's code: report any failure as feedback
        return _not_yet(f"your function raised {type(err).__name__}: {err}")
    if _unanswered(got) is not None:
        return NOTHING_RETURNED
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        got = float(got)
    if not _is_number(got):
        return _not_yet(f"return one number (a score), got {type(got).__name__}.")
    return float(got)


def check_best_tile_score(fn: Callable[[int], object]) -> Feedback:
    """Exercise: ``fn(T)`` must return the score s at which tile's loss at a context column,
    ``softplus(s) - s/T``, is smallest: σ(s) = 1/T, so s = log(1/(T-1)) = -log(T-1).

    Tried at T = 3, 4 and 10; names the usual slips (the probability 1/T, log(1/T), the sign,
    collapse's answer). Introduced in ``04_skipgram_multilabel.ipynb``.

    Args:
        fn: the learner's function ``fn(T)``, T a whole number >= 2, returning a number.
    """
    if (problem := _not_a_function(fn)) is not None:
        return problem
    answers = {}
    for T in BEST_TILE_WINDOWS:
        got = _best_score_of(fn, T)
        if isinstance(got, Feedback):
            return got
        answers[T] = got
    slips = (
        (lambda T: -math.log(T - 1), None),
        (
            lambda T: 1 / T,
            "that is the probability σ(s) = 1/T; the score is its logit, s = log(p / (1 - p)).",
        ),
        (
            lambda T: -math.log(T),
            "log(1/T) is log p, not the logit: σ(s) = p means "
            "s = log(p / (1 - p)), here log((1/T) / (1 - 1/T)).",
        ),
        (
            lambda T: math.log(T - 1),
            "right size, wrong sign: σ(s) = 1/T is below 1/2, so the score is negative.",
        ),
    )
    for formula, why in slips:
        if all(_near(answers[T], formula(T)) for T in BEST_TILE_WINDOWS):
            if why is None:
                return _correct(
                    "s = -log(T-1): the slope of softplus(s) - s/T is σ(s) - 1/T, zero at "
                    "σ(s) = 1/T. Tile stops pushing a context word's score at -1.0986 for T = 4; "
                    "collapse (slope σ(s) - 1) never stops."
                )
            return _not_yet(why)
    if all(abs(answers[T]) > 20 or math.isinf(answers[T]) for T in BEST_TILE_WINDOWS):
        return _not_yet(
            "that is collapse's answer (target 1: the loss falls forever as s grows). Tile's "
            "target at a context column is 1/T."
        )
    if len(set(answers.values())) == 1:
        return _not_yet(f"your answer is {answers[3]:g} for every T; it must depend on T.")
    return _not_yet(
        "not it. Differentiate softplus(s) - s/T (softplus' = σ), set the slope to 0, and solve "
        "σ(s) = 1/T for s."
    )


def _multi_hot_case() -> tuple[torch.Tensor, int, torch.Tensor, int, int]:
    V = 7
    y = torch.tensor([[1, 3, 3, 5], [0, 6, 2, 4], [2, 2, 2, 2]])  # (N, T), repeats on purpose
    expected = F.one_hot(y, V).sum(dim=1).clamp(max=1).double()  # (N, T, V) -> (N, V)
    return y, V, expected, *y.shape


def check_multi_hot(fn: Callable[[torch.Tensor, int], torch.Tensor]) -> Feedback:
    """Exercise: ``fn(y, vocab_size)`` must return the 0/1 multi-hot (N, V) float target.

    The oracle is the explicit ``F.one_hot(y, V).sum(dim=1).clamp(max=1)``; the test ids repeat.
    Introduced in ``04_skipgram_multilabel.ipynb``.

    Args:
        fn: the learner's function ``fn(y, vocab_size)``.

    Shape:
        - fn gets: y :math:`(N, T)` int64 context ids in :math:`[0, V)`, some repeated; the int V.
        - fn returns: :math:`(N, V)` floating 0/1 targets.
    """
    y, V, expected, N, T = _multi_hot_case()
    got = _call(fn, y.clone(), V)
    if isinstance(got, Feedback):
        return got
    if got.shape == (N, T, V):
        return _not_yet(
            f"shape {tuple(got.shape)} still has the context axis (of length T): "
            "combine the T rows."
        )
    if got.shape != (N, V):
        return _not_yet(f"expected shape ({N}, {V}) for N={N}, V={V}, got {tuple(got.shape)}.")
    if not got.dtype.is_floating_point:
        return _not_yet(
            f"right idea, but dtype {got.dtype}: BCEWithLogitsLoss needs floating targets "
            "(F.one_hot returns int64); add .float()."
        )
    if torch.equal(got.double(), expected):
        return _correct("a 0/1 multi-hot row per window, repeats counted once.")
    if torch.equal(got.double(), F.one_hot(y, V).sum(dim=1).double()):
        return _not_yet(
            "that is the plain sum: the window [1, 3, 3, 5] gets a 2 at column 3 and [2, 2, 2, 2] "
            "a 4 at column 2. BCE takes those without complaint and gives a wrong loss. Clip to 1."
        )
    return _not_yet("right shape, wrong values: put a 1 at every id of each row, 0 elsewhere.")


def check_lean_loss(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Feedback:
    """Exercise: ``fn(scores, y)`` must equal BCEWithLogitsLoss against the 0/1 multi-hot target,
    without building it. The oracle runs the built-in on the explicit target in float64.
    Introduced in ``04_skipgram_multilabel.ipynb``.

    Args:
        fn: the learner's function ``fn(scores, y)``.

    Shape:
        - fn gets: scores :math:`(N, V)` float64, y :math:`(N, T)` int64 ids, some repeated.
        - fn returns: a one-element tensor, the mean loss.
    """
    y, V, multi_hot, N, T = _multi_hot_case()
    generator = torch.Generator().manual_seed(4321)
    scores = 2 * torch.randn(N, V, generator=generator, dtype=torch.float64)  # (N, V)
    bce = torch.nn.BCEWithLogitsLoss()
    expected = bce(scores, multi_hot)
    got = _call(fn, scores.clone(), y.clone())
    if isinstance(got, Feedback):
        return got
    if got.numel() != 1:
        return _not_yet(f"return a single-number tensor (the mean loss), got {tuple(got.shape)}.")
    value = float(got)

    def near(reference: torch.Tensor) -> bool:
        return abs(value - float(reference)) < 1e-6

    if near(expected):
        return _correct(
            "equal to BCEWithLogitsLoss on the multi-hot target, built from "
            "softplus and a gather alone."
        )
    if near(bce(scores, F.one_hot(y, V).sum(dim=1).double())):  # against the summed targets
        return _not_yet(
            "this matches the *summed* targets: a repeated id's score is subtracted twice. Keep "
            "each id once per row: sort the row, then keep an entry only where it differs from "
            "the one before it."
        )
    total = expected * N * V
    if near(total):
        return _not_yet(
            "this is the sum over all N·V elements; BCEWithLogitsLoss takes "
            "the mean: divide by N·V."
        )
    if near(total / (N * T)) or near(total / N):
        return _not_yet(
            "wrong divisor: the collapsed loss averages over all N·V "
            "elements, not over the N·T targets or the N rows."
        )
    if near(-expected):
        return _not_yet(
            "sign flipped: the loss is softplus(s) summed, *minus* the scores at the targets."
        )
    if near(bce(scores.unsqueeze(1).expand(N, T, V), F.one_hot(y, V).double())):  # tile's loss
        return _not_yet(
            "this is the tile loss (targets 1/T); the collapsed loss gives "
            "each context word a target of 1."
        )
    return _not_yet(
        "not equal to the collapsed BCE. Per element BCE is softplus(s) - t·s: sum softplus over "
        "all N·V scores, subtract the scores at the distinct target ids, divide by N·V."
    )
