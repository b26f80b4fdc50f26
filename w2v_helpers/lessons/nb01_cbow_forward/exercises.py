"""Exercise checks of ``01_cbow_forward.ipynb``: each names the usual mistake behind a wrong
answer. Re-exported by the package, so the notebook imports every name from
``w2v_helpers.lessons.nb01_cbow_forward``.

Shape glossary: N batch, w window radius, T = 2w context words per example, V vocabulary,
E embedding dim.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import torch
import torch.nn.functional as F

from ...validation import check_positive_int
from ..feedback import (
    NOTHING_RETURNED,
    Feedback,
    _call,
    _correct,
    _not_a_function,
    _not_yet,
    _unanswered,
)

__all__ = [
    "check_scores_shape",
    "check_parameter_count",
    "check_largest_vocab",
    "check_context_mean",
    "check_cbow_module",
]


def check_scores_shape(
    answer: object, *, batch_size: int, window_size: int, vocab_size: int
) -> Feedback:
    """Exercise: the shape of CBOW's scores for N examples of T context ids over V words.

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        answer: the learner's shape, a tuple, list or ``torch.Size``.
        batch_size: N, a whole number >= 1.
        window_size: T, a whole number >= 1.
        vocab_size: V, a whole number >= 1.
    """
    N = check_positive_int("batch_size", batch_size)
    T = check_positive_int("window_size", window_size)
    V = check_positive_int("vocab_size", vocab_size)
    if (missing := _unanswered(answer)) is not None:
        return missing
    try:
        got = tuple(int(d) for d in answer)  # accepts a tuple, list or torch.Size
    except (TypeError, ValueError):
        return _not_yet(f"give the shape as a tuple like (2, 3), got {answer!r}.")
    if got == (N, V):
        return _correct(
            f"({N}, {V}): one score per vocabulary word for each of the N={N} "
            "examples; the context axis T was averaged away."
        )
    if got == (N, T, V):
        return _not_yet(
            f"{got} still has the context axis T={T}. CBOW averages the T "
            "context vectors *before* the output layer, so T is gone."
        )
    if got in ((N, T), (N, T, 1)):
        return _not_yet(
            f"{got} is the shape of the ids going in, not the scores coming "
            f"out: the output layer gives V={V} scores per example."
        )
    if got == (V, N):
        return _not_yet(f"{got} is transposed: the batch axis comes first.")
    if got == (N,):
        return _not_yet(
            f"{got} would be one number per example; CBOW scores every one of the V={V} words."
        )
    return _not_yet(
        f"{got} is not it. Follow the shapes: ids (N, T) -> embeddings "
        "(N, T, E) -> mean (N, E) -> scores (N, ?)."
    )


def check_parameter_count(
    answer: object, *, vocab_size: int, embedding_dim: int, tied: bool = False
) -> Feedback:
    """Exercise: how many numbers a CBOW model learns, untied (with output bias) or tied.

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        answer: the learner's count, an int.
        vocab_size: V, a whole number >= 1.
        embedding_dim: E, a whole number >= 1.
        tied: count the tied model (one shared table, no bias). Default: ``False``.
    """
    V = check_positive_int("vocab_size", vocab_size)
    E = check_positive_int("embedding_dim", embedding_dim)
    if (missing := _unanswered(answer)) is not None:
        return missing
    if isinstance(answer, bool) or not isinstance(answer, int):
        return _not_yet(f"give a whole number, got {answer!r}.")
    expected = V * E if tied else 2 * V * E + V
    if answer == expected:
        how = "one shared V x E table" if tied else "V x E embeddings + V x E output weights + V"
        return _correct(f"{expected:,} = {how}.")
    if not tied and answer == 2 * V * E:
        return _not_yet(
            f"{answer:,} counts both V x E tables but forgets the output "
            f"layer's bias: one more number per word, V={V:,}."
        )
    if not tied and answer == V * E + V:
        return _not_yet(
            f"{answer:,} counts one V x E table plus the bias; the untied "
            "model has two tables, embedding and output."
        )
    if not tied and answer == V * E:
        return _not_yet(
            f"{answer:,} is the embedding table alone; the output layer has "
            "its own V x E weight and a bias of V."
        )
    if tied and answer in (2 * V * E, 2 * V * E + V):
        return _not_yet(
            f"{answer:,} counts the shared table twice (or adds a bias the "
            "tied model does not have): model.parameters() yields it once."
        )
    return _not_yet(
        f"{answer:,} is not it. Count the numbers in each Parameter: the "
        "embedding table is V x E; what does the output layer hold?"
    )


FLOAT32_BYTES = 4  # one float32 number


def _vocab_slips(budget: int, E: int) -> tuple[tuple[float, str], ...]:
    """The V each usual slip gives for ``budget`` bytes at E, with what the slip is."""
    return (
        (
            budget / (FLOAT32_BYTES * 2 * E),
            "you left out the output bias: each word costs 2*E + 1 numbers, "
            "its embedding row, its output row and its bias.",
        ),
        (
            budget / (2 * E + 1),
            "you counted numbers, not bytes: each float32 number takes 4 bytes.",
        ),
        (
            budget / (8 * (2 * E + 1)),
            "8 bytes a number is float64; the model's Parameters are float32, 4 bytes each.",
        ),
        (
            budget / (FLOAT32_BYTES * (E + 1)),
            "you counted one (V, E) table; the untied model has two, embedding and output.",
        ),
        (
            budget / (FLOAT32_BYTES * E),
            "you counted the embedding table alone; the output layer adds a (V, E) weight "
            "and a bias of V.",
        ),
    )


def _as_vocab(got: object) -> int | float | Feedback:
    """The learner's V as a number, or what stops it being one."""
    if _unanswered(got) is not None:
        return NOTHING_RETURNED
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        got = got.item()
    if isinstance(got, numbers.Integral) and not isinstance(got, bool):
        got = int(got)  # a NumPy or torch integer
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        return _not_yet(f"return the number of words V, got {type(got).__name__}.")
    return got


def _largest_vocab_problem(got: float, budget: int, E: int) -> Feedback | None:
    """What is wrong with ``got`` as the largest V for ``budget`` bytes at E, or ``None``."""
    exact = budget / (FLOAT32_BYTES * (2 * E + 1))
    if got == math.floor(exact) and isinstance(got, int):
        return None
    where = f"for {budget:,} bytes at E={E} you give {got:,.6g}"
    if got == math.floor(exact):
        return _not_yet(f"{where}: right value; return it as an int (use //).")
    if math.isclose(got, exact):
        return _not_yet(f"{where}: V counts whole words; round down with //.")
    if got == math.ceil(exact):
        return _not_yet(f"{where}: {got:,} words would not fit; round down with //, not up.")
    for slip, why in _vocab_slips(budget, E):
        if got in (math.floor(slip), math.ceil(slip)) or math.isclose(got, slip):
            return _not_yet(f"{where}: {why}")
    return _not_yet(f"{where}. Count the bytes of one word in the parameter table above.")


def check_largest_vocab(fn: Callable[[int, int], int]) -> Feedback:
    """Exercise: ``fn(budget_bytes, embedding_dim)`` returns the largest V whose untied CBOW
    parameters (two (V, E) tables and a bias of V, float32) fit in ``budget_bytes``.

    The oracle is the formula ``budget // (4 * (2 * E + 1))``; a wrong answer is matched
    against the usual slips (no bias, numbers not bytes, float64, one table, rounding up).
    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        fn: the learner's function ``fn(budget_bytes, embedding_dim)``.
    """
    if (problem := _not_a_function(fn)) is not None:
        return problem
    for budget, E in ((1_000_000, 50), (100_000, 16), (2**30, 300)):
        try:
            got = _as_vocab(fn(budget, E))
        except Exception as err:  # the learner's code: report any failure as feedback
            return _not_yet(f"your function raised {type(err).__name__}: {err}")
        if isinstance(got, Feedback):
            return got
        if (problem := _largest_vocab_problem(got, budget, E)) is not None:
            return problem
    return _correct(
        "V = budget // (4 * (2*E + 1)): each word costs its embedding row, its output row and "
        f"its bias, 4 bytes each. At E=300, 1 GiB holds {2**30 // (4 * 601):,} words."
    )


def check_context_mean(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Feedback:
    """Exercise: ``fn(weight, ids)`` must average the rows of ``weight`` (V, E) picked by ``ids``
    (N, T) into (N, E), without ``nn.Embedding``. The oracle is ``F.embedding_bag(mode="mean")``.

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        fn: the learner's function ``fn(weight, ids)``.

    Shape:
        - fn gets: weight :math:`(V, E)` float64, ids :math:`(N, T)` int64 in :math:`[0, V)`.
        - fn returns: :math:`(N, E)`, each example's mean of its T rows.
    """
    generator = torch.Generator().manual_seed(1234)
    V, E, N, T = 11, 5, 3, 4
    weight = torch.randn(V, E, generator=generator, dtype=torch.float64)  # (V, E)
    ids = torch.randint(V, (N, T), generator=generator)  # (N, T)
    expected = F.embedding_bag(ids, weight, mode="mean")  # (N, T) -> (N, E)
    got = _call(fn, weight, ids)
    if isinstance(got, Feedback):
        return got
    if got.shape == (N, T, E):
        return _not_yet(
            f"shape {tuple(got.shape)} still has the context axis T: average over dim=1."
        )
    if got.shape != (N, E):
        return _not_yet(f"expected shape ({N}, {E}) for N={N}, E={E}, got {tuple(got.shape)}.")
    got = got.double()
    if torch.allclose(got, expected):
        return _correct("your average matches nn.EmbeddingBag(mode='mean').")
    if torch.allclose(got, expected * T):
        return _not_yet(
            f"your result is T={T} times too large: that is the sum of the "
            "context vectors, not their mean."
        )
    return _not_yet(
        "right shape, wrong values: pick rows with weight[ids] and average "
        "them over the context axis (dim=1)."
    )


def _cbow_oracles(model: torch.nn.Module, ids: torch.Tensor) -> dict[str, torch.Tensor]:
    """Scores a CBOW with the model's own tables would give, both ways round, and as a sum."""
    tables = [p.detach() for p in model.parameters() if p.dim() == 2]  # two (V, E)
    bias = next(p.detach() for p in model.parameters() if p.dim() == 1)  # (V,)
    out = {}
    for name, (inputs, outputs) in (("mean", tables), ("mean, swapped", tables[::-1])):
        out[name] = inputs[ids].mean(1) @ outputs.T + bias  # (N, T, E) -> (N, E) -> (N, V)
        out[name.replace("mean", "sum")] = inputs[ids].sum(1) @ outputs.T + bias  # (N, V)
    return out


def _learner_module(cls: object, V: int, E: int) -> torch.nn.Module | Feedback:
    """``cls(V, E)`` built under seed 7, or what stops it being an untied CBOW's three tensors."""
    if not isinstance(cls, type):
        return _not_yet("pass the class itself (CBOWModule), not an instance or a call.")
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(7)
            model = cls(V, E)
    except Exception as err:  # the learner's code: report any failure as feedback
        return _not_yet(f"building {cls.__name__}({V}, {E}) raised {type(err).__name__}: {err}")
    if not isinstance(model, torch.nn.Module):
        return _not_yet("subclass nn.Module and call super().__init__() first.")
    shapes = sorted(tuple(p.shape) for p in model.parameters())
    if not shapes:
        return _not_yet("your class has no parameters yet: build its two layers in __init__.")
    if shapes == [(V,), (V, E)]:
        return _not_yet(
            "one (V, E) table doing both jobs is a *tied* CBOW (notebook 03); here the output "
            "layer has its own weight: nn.Linear(E, V)."
        )
    if shapes == [(V, E), (V, E)]:
        return _not_yet("the output layer needs its bias too (nn.Linear's default).")
    if shapes != [(V,), (V, E), (V, E)]:
        return _not_yet(
            f"expected an embedding (V, E), a weight (V, E), a bias (V,); got {shapes}."
        )
    return model


def _scores_shape_problem(scores: object, N: int, T: int, V: int, E: int) -> Feedback | None:
    """What is wrong with the shape of a forward's result, or ``None`` if it is (N, V)."""
    if not isinstance(scores, torch.Tensor) or scores.dim() == 0:
        return _not_yet("forward must return the scores tensor.")
    if tuple(scores.shape) == (N, T, V):
        return _not_yet(
            f"shape {(N, T, V)}: average over the context axis T (dim=1) before scoring."
        )
    if tuple(scores.shape) == (N, E):
        return _not_yet(
            f"shape {(N, E)} is the hidden vector: add the output layer to score V words."
        )
    if tuple(scores.shape) != (N, V):
        return _not_yet(f"expected scores of shape ({N}, {V}), got {tuple(scores.shape)}.")
    return None


def check_cbow_module(cls: type) -> Feedback:
    """Exercise: ``cls(vocab_size, embedding_dim)`` builds an untied CBOW ``nn.Module`` whose
    forward maps ids (N, T) to scores (N, V): look up, average over the T context words, score.

    The oracle recomputes the scores from the module's own parameters (whichever table it reads
    first); a wrong answer is told which step is missing. Introduced in ``01_cbow_forward.ipynb``.

    Args:
        cls: the learner's class, built as ``cls(vocab_size, embedding_dim)``.

    Shape:
        - forward gets: ids :math:`(N, T)` int64; returns :math:`(N, V)` scores.
    """
    V, E, N, T = 9, 4, 3, 5
    model = _learner_module(cls, V, E)
    if isinstance(model, Feedback):
        return model
    ids = torch.randint(V, (N, T), generator=torch.Generator().manual_seed(8))  # (N, T)
    try:
        scores = model(ids)
    except Exception as err:  # the learner's code: report any failure as feedback
        return _not_yet(f"model(ids) raised {type(err).__name__}: {err}")
    if (problem := _scores_shape_problem(scores, N, T, V, E)) is not None:
        return problem
    oracles = _cbow_oracles(model, ids)
    got = scores.detach().double()
    if any(torch.allclose(got, oracles[k].double(), atol=1e-5) for k in ("sum", "sum, swapped")):
        return _not_yet(f"you summed the {T} context vectors: CBOW averages them (.mean(dim=1)).")
    if not any(
        torch.allclose(got, oracles[k].double(), atol=1e-5) for k in ("mean", "mean, swapped")
    ):
        return _not_yet("right shape, wrong values: look up, .mean(dim=1), then the output layer.")
    scores.sum().backward()
    if any(p.grad is None for p in model.parameters()):
        return _not_yet("a parameter gets no gradient: every one must be used in forward.")
    return _correct(
        f"{cls.__name__} scores like CBOW, (N, T) -> (N, V). At the check's V={V}, E={E} it "
        f"holds 2*V*E + V = {2 * V * E + V} parameters: two (V, E) tables and a bias of V."
    )
