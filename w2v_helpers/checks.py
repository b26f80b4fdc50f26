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
    "check_context_column_gap",
    "check_lean_loss",
    "check_multi_hot",
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


NOTHING_RETURNED = Feedback(False, "your function returns nothing yet; fill in its body.")


def _unanswered(answer: object) -> Feedback | None:
    if answer is None or answer is Ellipsis:
        return Feedback(False, "replace the ... with your answer, then run the cell again.")
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
    except (TypeError, ValueError):
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
        return NOTHING_RETURNED
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


# ---- SkipGram targets (04_skipgram_multilabel.ipynb) ----


def _is_number(answer: object) -> bool:
    return isinstance(answer, (int, float)) and not isinstance(answer, bool)


def check_context_column_gap(answer: object, *, window_size: int, score: float) -> Feedback:
    """Exercise: collapse's minus tile's per-element loss at a context column with score ``s``.

    The window holds T distinct ids. Collapse uses target 1 there, tile the average target 1/T,
    and BCE is softplus(s) - t·s, so the answer is -(1 - 1/T)·s = -(T-1)/T·s.
    Introduced in ``04_skipgram_multilabel.ipynb``.
    """
    T = check_positive_int("window_size", window_size)
    if not _is_number(score):
        raise TypeError(f"score must be a number, got {score!r}")
    if (missing := _unanswered(answer)) is not None:
        return missing
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = float(answer)
    if not _is_number(answer):
        return Feedback(False, f"give one number, got {answer!r}.")
    s = float(score)
    expected = -(T - 1) / T * s

    def near(value: float) -> bool:
        return abs(float(answer) - value) <= 1e-3 * max(1.0, abs(value))

    if near(expected):
        return Feedback(
            True,
            f"{expected:.4f} = -(T-1)/T · s: collapse wants σ(s) = 1 there, tile only 1/T, and "
            "BCE is linear in the target, so the gap is (1 - 1/T) times -s.",
        )
    if near(-expected) and expected != 0:
        return Feedback(
            False,
            f"right size, wrong sign. With t=1 the loss is softplus(s) - s; with t=1/T it is "
            f"softplus(s) - s/T. Collapse minus tile is -(1 - 1/T)·s = {expected:.4f}.",
        )
    if near(-s):
        return Feedback(
            False,
            "-s is the gap if tile gave that column target 0. It gives 1/T: exactly one of the "
            "T one-hot rows has a 1 there, and tile averages the T rows.",
        )
    if near(-s / T):
        return Feedback(
            False,
            "-s/T is tile's share of the target term; collapse contributes -s. Subtract: "
            "-s - (-s/T).",
        )
    if near((T - 1) / T) or near(-(T - 1) / T):
        return Feedback(False, "you have the weight (T-1)/T; multiply it by the score -s.")
    return Feedback(
        False,
        f"not it. Write BCE with logits as softplus(s) - t·s, then take t=1 (collapse) and "
        f"t=1/T (tile, the mean of T one-hot rows) with T={T}, s={s:g}.",
    )


def _multi_hot_case() -> tuple[torch.Tensor, int, torch.Tensor]:
    V = 7
    y = torch.tensor([[1, 3, 3, 5], [0, 6, 2, 4], [2, 2, 2, 2]])  # (N, T), repeats on purpose
    expected = F.one_hot(y, V).sum(dim=1).clamp(max=1).float()  # (N, T, V) -> (N, V)
    return y, V, expected


def check_multi_hot(fn: Callable[[torch.Tensor, int], torch.Tensor]) -> Feedback:
    """Exercise: ``fn(y, vocab_size)`` must return the 0/1 multi-hot (N, V) float target.

    The oracle is the explicit ``F.one_hot(y, V).sum(dim=1).clamp(max=1)``; the test ids repeat.
    Introduced in ``04_skipgram_multilabel.ipynb``.
    """
    if (missing := _unanswered(fn)) is not None:
        return missing
    if not callable(fn):
        return Feedback(False, f"pass your function itself, got {type(fn).__name__}.")
    y, V, expected = _multi_hot_case()
    N, T = y.shape
    try:
        got = fn(y.clone(), V)
    except Exception as err:  # the learner's code: report any failure as feedback
        return Feedback(False, f"your function raised {type(err).__name__}: {err}")
    if (missing := _unanswered(got)) is not None:
        return NOTHING_RETURNED
    if not isinstance(got, torch.Tensor):
        return Feedback(False, f"return a tensor, got {type(got).__name__}.")
    if got.shape == (N, T, V):
        return Feedback(
            False, f"shape {tuple(got.shape)} still has the window axis: combine the T rows."
        )
    if got.shape != (N, V):
        return Feedback(
            False, f"expected shape ({N}, {V}) for N={N}, V={V}, got {tuple(got.shape)}."
        )
    if not got.dtype.is_floating_point:
        return Feedback(
            False,
            f"right idea, but dtype {got.dtype}: BCEWithLogitsLoss needs floating targets "
            "(F.one_hot returns int64); add .float().",
        )
    got = got.double()
    if torch.equal(got, expected.double()):
        return Feedback(True, "a 0/1 multi-hot row per window, repeats counted once.")
    if torch.equal(got, F.one_hot(y, V).sum(dim=1).double()):
        return Feedback(
            False,
            "that is the plain sum: the window [1, 3, 3, 5] gets a 2 at column 3 and [2, 2, 2, 2] "
            "a 4 at column 2. BCE takes those without complaint and gives a wrong loss. Clip to 1.",
        )
    return Feedback(
        False, "right shape, wrong values: put a 1 at every id of each row, 0 elsewhere."
    )


def check_lean_loss(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Feedback:
    """Exercise: ``fn(scores, y)`` must equal BCEWithLogitsLoss against the 0/1 multi-hot target,
    without building it. The oracle runs the built-in on the explicit target in float64.

    Introduced in ``04_skipgram_multilabel.ipynb``.
    """
    if (missing := _unanswered(fn)) is not None:
        return missing
    if not callable(fn):
        return Feedback(False, f"pass your function itself, got {type(fn).__name__}.")
    y, V, multi_hot = _multi_hot_case()
    N, T = y.shape
    generator = torch.Generator().manual_seed(4321)
    scores = 2 * torch.randn(N, V, generator=generator, dtype=torch.float64)  # (N, V)
    bce = torch.nn.BCEWithLogitsLoss()
    expected = bce(scores, multi_hot.double())
    try:
        got = fn(scores.clone(), y.clone())
    except Exception as err:  # the learner's code: report any failure as feedback
        return Feedback(False, f"your function raised {type(err).__name__}: {err}")
    if (missing := _unanswered(got)) is not None:
        return NOTHING_RETURNED
    if not isinstance(got, torch.Tensor) or got.numel() != 1:
        shown = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
        return Feedback(False, f"return a single-number tensor (the mean loss), got {shown}.")
    value = float(got)

    def near(reference: torch.Tensor) -> bool:
        return abs(value - float(reference)) < 1e-6

    if near(expected):
        return Feedback(
            True,
            "equal to BCEWithLogitsLoss on the multi-hot target, built from "
            "softplus and a gather alone.",
        )
    counted = bce(scores, F.one_hot(y, V).sum(dim=1).double())
    if near(counted):
        return Feedback(
            False,
            "this matches the *summed* targets: a repeated id's score is subtracted twice. Keep "
            "only the first occurrence of each id in a row (e.g. with first_occurrences).",
        )
    total = expected * N * V
    if near(total):
        return Feedback(
            False,
            "this is the sum over all N·V elements; BCEWithLogitsLoss takes "
            "the mean: divide by N·V.",
        )
    if near(total / (N * T)) or near(total / N):
        return Feedback(
            False,
            "wrong divisor: the collapsed loss averages over all N·V "
            "elements, not over the N·T targets or the N rows.",
        )
    if near(-expected):
        return Feedback(
            False,
            "sign flipped: the loss is softplus(s) summed, *minus* the scores at the targets.",
        )
    tiled = bce(scores.unsqueeze(1).expand(N, T, V), F.one_hot(y, V).double())
    if near(tiled):
        return Feedback(
            False,
            "this is the tile loss (targets 1/T); the collapsed loss gives "
            "each context word a target of 1.",
        )
    return Feedback(
        False,
        "not equal to the collapsed BCE. Per element BCE is softplus(s) - t·s: sum softplus over "
        "all N·V scores, subtract the scores at the distinct target ids, divide by N·V.",
    )
