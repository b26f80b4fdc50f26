"""Automatic checks for the notebooks' exercises.

Each ``check_...`` function takes the learner's answer and returns :class:`Feedback`: true when
the answer is right, and for the usual wrong answers a sentence saying what went wrong, not just
"wrong". The expected values come from independent computations (the built-in PyTorch layers,
closed-form counts), never from the learner's code.

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
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
    "check_stable_bce",
    "check_initial_losses",
    "check_input_side_rows",
    "check_output_side_grad",
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


def _not_a_function(fn: object) -> Feedback | None:
    """Feedback if the learner passed no function (yet) or something that is not callable."""
    if (missing := _unanswered(fn)) is not None:
        return missing
    if not callable(fn):
        return Feedback(False, f"pass your function itself, got {type(fn).__name__}.")
    return None


def _call(fn: Callable[..., object], *args: torch.Tensor) -> torch.Tensor | Feedback:
    """Call the learner's function; turn any failure or a non-tensor result into Feedback."""
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
    if (problem := _not_a_function(fn)) is not None:
        return problem
    generator = torch.Generator().manual_seed(1234)
    V, E, N, T = 11, 5, 3, 4
    weight = torch.randn(V, E, generator=generator, dtype=torch.float64)  # (V, E)
    ids = torch.randint(V, (N, T), generator=generator)  # (N, T)
    expected = F.embedding_bag(ids, weight, mode="mean")  # (N, T) -> (N, E)
    got = _call(fn, weight, ids)
    if isinstance(got, Feedback):
        return got
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
    if (problem := _not_a_function(fn)) is not None:
        return problem
    y, V, expected = _multi_hot_case()
    N, T = y.shape
    got = _call(fn, y.clone(), V)
    if isinstance(got, Feedback):
        return got
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
    if (problem := _not_a_function(fn)) is not None:
        return problem
    y, V, multi_hot = _multi_hot_case()
    N, T = y.shape
    generator = torch.Generator().manual_seed(4321)
    scores = 2 * torch.randn(N, V, generator=generator, dtype=torch.float64)  # (N, V)
    bce = torch.nn.BCEWithLogitsLoss()
    expected = bce(scores, multi_hot.double())
    got = _call(fn, scores.clone(), y.clone())
    if isinstance(got, Feedback):
        return got
    if got.numel() != 1:
        shown = tuple(got.shape)
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


def check_stable_bce(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Feedback:
    """Exercise: ``fn(scores, targets)`` must be the mean BCE from logits, finite for every logit.

    Tried on float32 logits of ordinary size and on logits of size up to 200; the oracle is
    ``F.binary_cross_entropy_with_logits``. Introduced in ``02_bce_vs_ce.ipynb``.
    """
    if (problem := _not_a_function(fn)) is not None:
        return problem
    generator = torch.Generator().manual_seed(2024)
    N, V = 4, 50
    y = torch.randint(V, (N,), generator=generator)  # (N,)
    targets = F.one_hot(y, V).float()  # (N,) -> (N, V)
    small = 2 * torch.randn(N, V, generator=generator)  # (N, V)
    large = small.clone()  # (N, V)
    large[:, :6] = torch.tensor([30.0, -30.0, 90.0, -90.0, 200.0, -200.0])
    large[torch.arange(N), y] = torch.tensor([-150.0, 150.0, -40.0, 40.0])  # the right words
    for name, scores in (("ordinary", small), ("large", large)):
        expected = F.binary_cross_entropy_with_logits(scores, targets)
        got = _call(fn, scores.clone(), targets.clone())
        if isinstance(got, Feedback):
            return got
        if got.shape == (N, V):
            return Feedback(
                False,
                f"you return the {N} x {V} per-element losses; the built-in "
                "averages them into one number: add .mean().",
            )
        if got.shape == (N,):
            return Feedback(
                False,
                f"you return one loss per row, shape ({N},); average over "
                "all N*V elements instead.",
            )
        if got.numel() != 1:
            return Feedback(
                False, f"return one number (a 0-d tensor), got shape {tuple(got.shape)}."
            )
        value = float(got)
        if not math.isfinite(value):
            return Feedback(
                False,
                f"on {name} logits your loss is {value}: something overflows. "
                "exp(s) is inf for s > 88 in float32; only ever take exp of "
                "-|s|, which is at most 1.",
            )
        if math.isclose(value, float(expected), rel_tol=1e-5, abs_tol=1e-6):
            continue
        if math.isclose(value, float(expected) * N * V, rel_tol=1e-5):
            return Feedback(
                False,
                f"your value is N*V = {N * V} times too large: that is the "
                "sum of the per-element losses, not their mean.",
            )
        if math.isclose(value, float(expected) * V, rel_tol=1e-5):
            return Feedback(
                False,
                f"your value is V = {V} times too large: you sum over the V "
                "words and average over the N rows; the built-in averages "
                "over all N*V elements.",
            )
        if math.isclose(value, -float(expected), rel_tol=1e-5):
            return Feedback(False, "right size, wrong sign: the loss is minus the log-likelihood.")
        if name == "large":
            return Feedback(
                False,
                f"right on ordinary logits, wrong on large ones ({value:.4f} "
                f"instead of {float(expected):.4f}): a formula through "
                "sigmoid then log rounds sigmoid(s) to 0 or 1. Work on the "
                "logits: max(s, 0) - s*t + log1p(exp(-|s|)).",
            )
        return Feedback(
            False,
            f"got {value:.4f}, expected {float(expected):.4f} on ordinary "
            "logits. Per element the loss is softplus(s) - s*t, with "
            "softplus(s) = max(s, 0) + log1p(exp(-|s|)).",
        )
    return Feedback(True, "your BCE matches nn.BCEWithLogitsLoss on ordinary and on huge logits.")


def check_initial_losses(answer: object, *, vocab_size: int) -> Feedback:
    """Exercise: predict (BCE, CE) of an untrained model with tiny logits over V words.

    Accepts each within 0.01 of log 2 and log V. Introduced in ``02_bce_vs_ce.ipynb``.
    """
    V = check_positive_int("vocab_size", vocab_size)
    if V < 2:
        raise ValueError(f"vocab_size must be at least 2, got {V}")
    if (missing := _unanswered(answer)) is not None:
        return missing
    try:
        bce, ce = (float(a) for a in answer)  # a tuple or list of two numbers
    except (TypeError, ValueError):
        return Feedback(False, f"give two numbers as a tuple (bce, ce), got {answer!r}.")
    log2, logv = math.log(2), math.log(V)

    def near(a: float, b: float) -> bool:
        return abs(a - b) < 0.01

    if near(bce, log2) and near(ce, logv):
        return Feedback(
            True,
            f"BCE ≈ log 2 = {log2:.4f} (every one of the N*V decisions is a "
            f"coin flip) and CE ≈ log V = {logv:.4f} (one right word among "
            f"V = {V:,} equally likely ones).",
        )
    if near(bce, logv) and near(ce, log2):
        return Feedback(False, "the two are swapped: BCE is the one that averages coin flips.")
    if near(ce, math.log2(V)) or near(ce, math.log10(V)):
        return Feedback(
            False,
            f"your CE {ce:.4f} uses the wrong logarithm: PyTorch's losses "
            f"use the natural log, ln V = {logv:.4f}.",
        )
    if near(bce, 0.5) or near(ce, 1 / V):
        return Feedback(
            False,
            "those are probabilities (sigmoid(0) = 0.5, softmax = 1/V); the "
            "loss is minus their log.",
        )
    if not near(bce, log2):
        return Feedback(
            False,
            f"BCE {bce:.4f} is off. With s ≈ 0, sigmoid(s) ≈ 0.5 for every "
            "word, right or wrong: what is -log(0.5)?",
        )
    return Feedback(
        False,
        f"BCE is right; CE {ce:.4f} is off. With s ≈ 0, softmax gives every "
        "word probability 1/V; the loss is -log of the right word's.",
    )


def check_input_side_rows(
    answer: object, *, context_ids: Iterable[int], target_id: int, vocab_size: int
) -> Feedback:
    """Exercise: which rows of a tied W get an input-side gradient from one CBOW example?

    The right answer is the set of context ids (repeats count once). Introduced in
    ``03_tied_weight_backward.ipynb``.
    """
    V = check_positive_int("vocab_size", vocab_size)
    context = list(context_ids)
    if not context or any(isinstance(i, bool) or not isinstance(i, int) for i in context):
        raise TypeError(f"context_ids must be a non-empty sequence of ints, got {context!r}")
    if any(not 0 <= i < V for i in [*context, target_id]):
        raise ValueError(
            f"context_ids and target_id must lie in [0, {V - 1}], got {context!r} and {target_id!r}"
        )
    if (missing := _unanswered(answer)) is not None:
        return missing
    try:
        got = {int(i) for i in answer}
    except (TypeError, ValueError):
        return Feedback(False, f"give the row ids as a set or list of ints, got {answer!r}.")
    expected = set(context)
    if got == expected:
        return Feedback(
            True,
            f"rows {sorted(expected)}: the embedding lookup reads only the "
            "context rows, so only they get an input-side gradient (a repeated "
            "id is one row that gets its share twice).",
        )
    if got == expected | {target_id}:
        return Feedback(
            False,
            f"row {target_id} (the target) is not read by the lookup; its "
            "gradient arrives through the output side only.",
        )
    if len(got) >= V:
        return Feedback(
            False,
            "every row is the output side's footprint: every word was scored. "
            "The input side only reaches the rows the lookup read.",
        )
    if got < expected:
        return Feedback(
            False,
            f"you miss {sorted(expected - got)}: every context id, first or "
            "repeated, is a row the lookup read.",
        )
    return Feedback(False, f"{sorted(got)} is not it. Which rows does weight[x] read?")


def check_output_side_grad(
    fn: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor],
) -> Feedback:
    """Exercise: ``fn(hidden, weight, targets)`` must return the output-side gradient of the mean
    BCE, ``(sigmoid(H W^T) - Y)^T H / (N * V)``, shape (V, E). The oracle is autograd in float64.

    Introduced in ``03_tied_weight_backward.ipynb``.
    """
    if (problem := _not_a_function(fn)) is not None:
        return problem
    generator = torch.Generator().manual_seed(7)
    N, V, E = 3, 11, 5
    hidden = torch.randn(N, E, generator=generator, dtype=torch.float64)  # (N, E)
    weight = torch.randn(V, E, generator=generator, dtype=torch.float64)  # (V, E)
    targets = F.one_hot(torch.randint(V, (N,), generator=generator), V).double()  # (N, V)
    w = weight.clone().requires_grad_(True)  # (V, E)
    scores = hidden @ w.T  # (N, E) @ (E, V) -> (N, V)
    F.binary_cross_entropy_with_logits(scores, targets).backward()
    expected = w.grad  # (V, E)
    got = _call(fn, hidden.clone(), weight.clone(), targets.clone())
    if isinstance(got, Feedback):
        return got
    if got.shape == (E, V):
        return Feedback(
            False,
            f"shape {tuple(got.shape)} is transposed: W is (V, E), so its "
            "gradient is too; write d_scores.T @ hidden.",
        )
    if got.shape != (V, E):
        return Feedback(False, f"expected shape (V, E) = ({V}, {E}), got {tuple(got.shape)}.")
    got = got.detach().double()
    if torch.allclose(got, expected):
        return Feedback(True, "(sigmoid(S) - Y)^T H / (N*V) matches autograd.")
    for factor, why in (
        (
            V,
            f"V = {V} times too large: the built-in BCE averages over all N*V elements, "
            "so divide by N*V, not N.",
        ),
        (
            N * V,
            f"N*V = {N * V} times too large: the mean over N*V elements divides every "
            "element's gradient by N*V.",
        ),
        (N, f"N = {N} times too large: divide by N*V, not V."),
        (-1, "right size, wrong sign: the gradient is sigmoid(S) - Y, prediction minus target."),
    ):
        if torch.allclose(got, expected * factor):
            return Feedback(False, f"your gradient is {why}")
    no_target = torch.sigmoid(hidden @ weight.T).T @ hidden / (N * V)  # (V, E)
    if torch.allclose(got, no_target):
        return Feedback(False, "you left out the targets: the score gradient is sigmoid(S) - Y.")
    softmax = (torch.softmax(hidden @ weight.T, dim=1) - targets).T @ hidden  # (V, E)
    if any(torch.allclose(got, softmax / d) for d in (N, N * V)):
        return Feedback(
            False,
            "that is the cross-entropy gradient (softmax); BCE scores each "
            "word on its own, with a sigmoid.",
        )
    return Feedback(
        False,
        "right shape, wrong values. Scores S = H W^T; d loss / d S = "
        "(sigmoid(S) - Y) / (N*V); then d loss / d W = (d S)^T H.",
    )


# ---- Negative sampling on a real corpus (05_negative_sampling_real_corpus.ipynb) ----

__all__ += ["check_keep_probability", "check_noise_distribution"]


def check_keep_probability(fn: Callable[[torch.Tensor, float], torch.Tensor]) -> Feedback:
    """Exercise: ``fn(counts, t)`` returns word2vec's keep probability per word,
    ``min(1, (sqrt(f / t) + 1) * t / f)`` with ``f = counts / counts.sum()``. The oracle is the
    formula in float64 with ``math``. Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    if (problem := _not_a_function(fn)) is not None:
        return problem
    counts = torch.tensor([5000, 2000, 500, 50, 5])
    t = 1e-2
    f = [c / 7555 for c in counts.tolist()]
    expected = torch.tensor([min(1.0, (math.sqrt(x / t) + 1) * t / x) for x in f])
    got = _call(fn, counts.clone(), t)
    if isinstance(got, Feedback):
        return got
    if got.shape != expected.shape:
        return Feedback(
            False, f"expected one probability per word, shape (5,), got {tuple(got.shape)}."
        )
    got = got.detach().double()
    if torch.allclose(got, expected.double()):
        return Feedback(True, "keep = min(1, (sqrt(f/t) + 1) * t/f), word2vec's formula.")
    if bool((got > 1 + 1e-9).any()):
        return Feedback(False, "some probabilities are above 1: cap them with .clamp(max=1).")
    paper = torch.tensor([math.sqrt(t / x) for x in f]).clamp(max=1).double()
    if torch.allclose(got, paper) or torch.allclose(got, (1 - paper).clamp(min=0)):
        return Feedback(
            False,
            "that is the paper's sqrt(t/f) form; use the C code's formula (sqrt(f/t) + 1) * t/f.",
        )
    return Feedback(False, "wrong values. f is a frequency (count / total), not a count.")


def check_noise_distribution(fn: Callable[[torch.Tensor], torch.Tensor]) -> Feedback:
    """Exercise: ``fn(counts)`` returns the noise distribution ``counts**0.75 / sum``.

    The oracle is the formula with ``math``. Introduced in
    ``05_negative_sampling_real_corpus.ipynb``.
    """
    if (problem := _not_a_function(fn)) is not None:
        return problem
    counts = torch.tensor([81, 16, 1])
    raw = [c**0.75 for c in counts.tolist()]
    expected = torch.tensor([r / sum(raw) for r in raw], dtype=torch.float64)
    got = _call(fn, counts.clone())
    if isinstance(got, Feedback):
        return got
    if got.shape != expected.shape:
        return Feedback(False, f"expected shape (3,), got {tuple(got.shape)}.")
    got = got.detach().double()
    if torch.allclose(got, expected):
        return Feedback(True, "count^0.75, normalised: rare words are drawn more than their share.")
    if torch.allclose(got, torch.tensor(raw, dtype=torch.float64)):
        return Feedback(False, "right shape, but it does not sum to 1: divide by the sum.")
    unigram = counts.double() / counts.sum()
    if torch.allclose(got, unigram):
        return Feedback(
            False, "that is the plain unigram distribution: raise counts to 0.75 first."
        )
    return Feedback(False, "wrong values: raise the counts to the power 0.75, then normalise.")
