"""Automatic checks for the notebooks' exercises.

Each ``check_...`` function takes the learner's answer and returns :class:`Feedback`: true when
the answer is right, and for the usual wrong answers a sentence saying what went wrong, not just
"wrong". The expected values come from independent computations (the built-in PyTorch layers,
closed-form counts), never from the learner's code.

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .validation import check_positive_int

__all__ = [
    "Feedback",
    "check_context_mean",
    "check_parameter_count",
    "check_scores_shape",
]


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ``bool(feedback)`` is whether it is right."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"{'✔ Correct' if self.ok else '✘ Not yet'}: {self.message}"


def _unanswered(answer: object) -> Feedback | None:
    if answer is None or answer is Ellipsis:
        return Feedback(False, "no answer yet: replace the ... with your answer and run the cell.")
    return None


def check_scores_shape(
    answer: object, *, batch_size: int, window_size: int, vocab_size: int
) -> Feedback:
    """Exercise: the shape of CBOW's scores for a batch of N windows of T ids over V words.

    Introduced in ``01_cbow_forward.ipynb``.
    """
    N = check_positive_int("batch_size", batch_size)
    T = check_positive_int("window_size", window_size)
    V = check_positive_int("vocab_size", vocab_size)
    if (missing := _unanswered(answer)) is not None:
        return missing
    try:
        got = tuple(int(d) for d in answer)  # accepts a tuple, list or torch.Size
    except TypeError:
        return Feedback(False, f"give the shape as a tuple like (2, 3), got {answer!r}.")
    if got == (N, V):
        return Feedback(
            True,
            f"({N}, {V}): one score per vocabulary word for each of the N={N} "
            "examples; the window axis was averaged away.",
        )
    if got == (N, T, V):
        return Feedback(
            False,
            f"{got} still has the window axis T={T}. CBOW averages the T "
            "context vectors *before* the output layer, so T is gone.",
        )
    if got in ((N, T), (N, T, 1)):
        return Feedback(
            False,
            f"{got} is the shape of the ids going in, not the scores coming "
            f"out: the output layer gives V={V} scores per example.",
        )
    if got == (V, N):
        return Feedback(False, f"{got} is transposed: the batch axis comes first.")
    if got == (N,):
        return Feedback(
            False,
            f"{got} would be one number per example; CBOW scores every one of the V={V} words.",
        )
    return Feedback(
        False,
        f"{got} is not it. Follow the shapes: ids (N, T) -> embeddings "
        "(N, T, E) -> mean (N, E) -> scores (N, ?).",
    )


def check_parameter_count(
    answer: object, *, vocab_size: int, embedding_dim: int, tied: bool = False
) -> Feedback:
    """Exercise: how many numbers a CBOW model learns, untied (with output bias) or tied.

    Introduced in ``01_cbow_forward.ipynb``.
    """
    V = check_positive_int("vocab_size", vocab_size)
    E = check_positive_int("embedding_dim", embedding_dim)
    if (missing := _unanswered(answer)) is not None:
        return missing
    if isinstance(answer, bool) or not isinstance(answer, int):
        return Feedback(False, f"give a whole number, got {answer!r}.")
    expected = V * E if tied else 2 * V * E + V
    if answer == expected:
        how = "one shared V x E table" if tied else "V x E embeddings + V x E output weights + V"
        return Feedback(True, f"{expected:,} = {how}.")
    if not tied and answer == 2 * V * E:
        return Feedback(
            False,
            f"{answer:,} counts both V x E tables but forgets the output "
            f"layer's bias: one more number per word, V={V:,}.",
        )
    if not tied and answer == V * E + V:
        return Feedback(
            False,
            f"{answer:,} counts one V x E table plus the bias; the untied "
            "model has two tables, embedding and output.",
        )
    if not tied and answer == V * E:
        return Feedback(
            False,
            f"{answer:,} is the embedding table alone; the output layer has "
            "its own V x E weight and a bias of V.",
        )
    if tied and answer in (2 * V * E, 2 * V * E + V):
        return Feedback(
            False,
            f"{answer:,} counts the shared table twice (or adds a bias the "
            "tied model does not have): model.parameters() yields it once.",
        )
    return Feedback(
        False,
        f"{answer:,} is not it. Count the numbers in each Parameter: the "
        "embedding table is V x E; what does the output layer hold?",
    )


def check_context_mean(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Feedback:
    """Exercise: ``fn(weight, ids)`` must average the rows of ``weight`` (V, E) picked by ``ids``
    (N, T) into (N, E), without ``nn.Embedding``. The oracle is ``F.embedding_bag(mode="mean")``.

    Introduced in ``01_cbow_forward.ipynb``.
    """
    if (missing := _unanswered(fn)) is not None:
        return missing
    if not callable(fn):
        return Feedback(False, f"pass your function itself, got {type(fn).__name__}.")
    generator = torch.Generator().manual_seed(1234)
    V, E, N, T = 11, 5, 3, 4
    weight = torch.randn(V, E, generator=generator, dtype=torch.float64)  # (V, E)
    ids = torch.randint(V, (N, T), generator=generator)  # (N, T)
    expected = F.embedding_bag(ids, weight, mode="mean")  # (N, T) -> (N, E)
    try:
        got = fn(weight, ids)
    except Exception as err:  # the learner's code: report any failure as feedback
        return Feedback(False, f"your function raised {type(err).__name__}: {err}")
    if (missing := _unanswered(got)) is not None:
        return Feedback(False, "no answer yet: your function returns nothing; fill in its body.")
    if not isinstance(got, torch.Tensor):
        return Feedback(False, f"return a tensor, got {type(got).__name__}.")
    if got.shape == (N, T, E):
        return Feedback(
            False, f"shape {tuple(got.shape)} still has the window axis: average over dim=1."
        )
    if got.shape != (N, E):
        return Feedback(
            False, f"expected shape ({N}, {E}) for N={N}, E={E}, got {tuple(got.shape)}."
        )
    got = got.double()
    if torch.allclose(got, expected):
        return Feedback(True, "your average matches nn.EmbeddingBag(mode='mean').")
    if torch.allclose(got, expected * T):
        return Feedback(
            False,
            f"your result is T={T} times too large: that is the sum of the "
            "context vectors, not their mean.",
        )
    return Feedback(
        False,
        "right shape, wrong values: pick rows with weight[ids] and average "
        "them over the window axis.",
    )
