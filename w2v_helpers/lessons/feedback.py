"""Exercise feedback shared by every lesson: a verdict with its explanation, and a safe call
of the learner's function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

__all__ = [
    "Feedback",
    "NOTHING_RETURNED",
]


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ``bool(feedback)`` is whether it is right.

    Introduced in ``01_cbow_forward.ipynb``.
    """

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"{'✔ Correct' if self.ok else '✘ Not yet'}: {self.message}"


NOTHING_RETURNED = Feedback(False, "your function returns nothing yet; fill in its body.")


def _correct(message: str) -> Feedback:
    """The verdict on a right answer: ``Feedback(True, message)``."""
    return Feedback(True, message)


def _not_yet(message: str) -> Feedback:
    """The verdict on a wrong answer: ``Feedback(False, message)``."""
    return Feedback(False, message)


def _not_a_function(fn: object) -> Feedback | None:
    """Feedback if the learner passed no function (yet) or something that is not callable."""
    if (missing := _unanswered(fn)) is not None:
        return missing
    if not callable(fn):
        return Feedback(False, f"pass your function itself, got {type(fn).__name__}.")
    return None


def _call(fn: Callable[..., object], *args: torch.Tensor) -> torch.Tensor | Feedback:
    """Call the learner's function; no function, a failure or a non-tensor result is Feedback."""
    if (problem := _not_a_function(fn)) is not None:
        return problem
    try:
        got = fn(*args)
    except Exception as err:  # the learner's code: report any failure as feedback
        return Feedback(False, f"your function raised {type(err).__name__}: {err}")
    if _unanswered(got) is not None:
        return NOTHING_RETURNED
    if not isinstance(got, torch.Tensor):
        return Feedback(False, f"return a tensor, got {type(got).__name__}.")
    return got


def _unanswered(answer: object) -> Feedback | None:
    if answer is None or answer is Ellipsis:
        return Feedback(False, "replace the ... with your answer, then run the cell again.")
    return None


def _is_number(answer: object) -> bool:
    return isinstance(answer, (int, float)) and not isinstance(answer, bool)
