"""Lesson code of ``01_cbow_forward.ipynb`` (CBOW: many teachers, one student): its reports, panel,
figures and exercise checks. The concepts it uses live in the core modules (models, memory,
validation).

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from ..losses import softmax_entropy
from ..memory import check_memory, estimate_cbow_forward_bytes, format_bytes, memory_budget
from ..models import CBOW, parameter_table
from ..validation import MAX_BATCH, MAX_WINDOW, check_positive_int
from .feedback import Feedback, _call, _correct, _not_yet, _unanswered
from .formatting import format_timing
from .panel import BATCH_CHOICES, DIM_CHOICES, Panel, _choice, make_panel

__all__ = [
    "ForwardReport",
    "cbow_forward_report",
    "check_scores_shape",
    "check_parameter_count",
    "check_context_mean",
    "check_cbow_module",
    "plot_softmax_distribution",
    "VOCAB_CHOICES",
    "cbow_forward_panel",
]


@dataclass(frozen=True, kw_only=True)
class ForwardReport:
    """What one CBOW forward pass looks like at a given size. ``str()`` gives the printout.

    Introduced in ``01_cbow_forward.ipynb``.
    """

    vocab_size: int
    window_size: int
    batch_size: int
    embedding_dim: int
    steps: tuple[tuple[str, tuple[int, ...]], ...]  # (step name, output shape) in order
    parameters: tuple[tuple[str, tuple[int, ...], int, int], ...]  # parameter_table rows
    estimated_bytes: int
    budget_bytes: int
    seconds: float | None  # forward wall time; None when not measured

    @property
    def parameter_count(self) -> int:
        return sum(row[2] for row in self.parameters)

    @property
    def parameter_bytes(self) -> int:
        return sum(row[3] for row in self.parameters)

    def __str__(self) -> str:
        lines = [
            f"CBOW forward at V={self.vocab_size:,} T={self.window_size} "
            f"N={self.batch_size} E={self.embedding_dim}",
            "step                        output shape",
        ]
        lines += [f"  {name:<26}{shape}" for name, shape in self.steps]
        lines.append("parameter          shape                 count        memory")
        for name, shape, count, nbytes in self.parameters:
            lines.append(f"  {name:<17}{str(shape):<18}{count:>13,}  {format_bytes(nbytes):>12}")
        lines.append(
            f"  {'total':<35}{self.parameter_count:>13,}  {format_bytes(self.parameter_bytes):>12}"
        )
        lines.append(
            f"estimated peak memory {format_bytes(self.estimated_bytes)} "
            f"(budget {format_bytes(self.budget_bytes)})"
        )
        if self.seconds is not None:
            lines.append(f"forward time {format_timing(self.seconds)}")
        return "\n".join(lines)


def cbow_forward_report(
    vocab_size: int,
    window_size: int,
    batch_size: int,
    embedding_dim: int,
    *,
    seed: int = 0,
    time_it: bool = True,
) -> ForwardReport:
    """Build an untied CBOW, run one forward pass on random ids, and report shapes and costs.

    Refuses (``MemoryBudgetError``) any configuration whose estimate exceeds the memory budget,
    before allocating. Introduced in ``01_cbow_forward.ipynb``.

    Args:
        vocab_size: V, a whole number >= 1.
        window_size: T, context ids per example, 1 to ``MAX_WINDOW`` (1,000).
        batch_size: N, 1 to ``MAX_BATCH`` (1,000,000).
        embedding_dim: E, a whole number >= 1.
        seed: seeds the model's initial weights and the random ids. Default: 0.
        time_it: time the forward pass (``seconds``); ``None`` if ``False``. Default: ``True``.
    """
    V = check_positive_int("vocab_size", vocab_size)
    T = check_positive_int("window_size", window_size, maximum=MAX_WINDOW)
    N = check_positive_int("batch_size", batch_size, maximum=MAX_BATCH)
    E = check_positive_int("embedding_dim", embedding_dim)
    need = estimate_cbow_forward_bytes(V, T, N, E)
    check_memory(
        need,
        f"CBOW with vocab_size={V:,}, embedding_dim={E}, batch_size={N}, window_size={T}",
        hint="Lower vocab_size or embedding_dim first: the two V x E tables dominate.",
    )
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = CBOW(V, E)
    x = torch.randint(V, (N, T), generator=generator)  # (N, T)
    with torch.no_grad():
        vectors = model.embedding(x)  # (N, T) -> (N, T, E)
        hidden = vectors.mean(dim=1)  # (N, T, E) -> (N, E)
        start = time.perf_counter()
        scores = model(x)  # (N, T) -> (N, V)
        seconds = time.perf_counter() - start if time_it else None
    steps = (
        ("ids x", tuple(x.shape)),
        ("embedding lookup", tuple(vectors.shape)),
        ("mean over T", tuple(hidden.shape)),
        ("scores (linear)", tuple(scores.shape)),
    )
    return ForwardReport(
        vocab_size=V,
        window_size=T,
        batch_size=N,
        embedding_dim=E,
        steps=steps,
        parameters=tuple(parameter_table(model)),
        estimated_bytes=need,
        budget_bytes=memory_budget(),
        seconds=seconds,
    )


def check_scores_shape(
    answer: object, *, batch_size: int, window_size: int, vocab_size: int
) -> Feedback:
    """Exercise: the shape of CBOW's scores for a batch of N windows of T ids over V words.

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
            "examples; the window axis was averaged away."
        )
    if got == (N, T, V):
        return _not_yet(
            f"{got} still has the window axis T={T}. CBOW averages the T "
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


def check_context_mean(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Feedback:
    """Exercise: ``fn(weight, ids)`` must average the rows of ``weight`` (V, E) picked by ``ids``
    (N, T) into (N, E), without ``nn.Embedding``. The oracle is ``F.embedding_bag(mode="mean")``.

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        fn: the learner's function ``fn(weight, ids)``.

    Shape:
        - fn gets: weight :math:`(V, E)` float64, ids :math:`(N, T)` int64 in :math:`[0, V)`.
        - fn returns: :math:`(N, E)`, each window's mean row.
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
        return _not_yet(f"shape {tuple(got.shape)} still has the window axis: average over dim=1.")
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
        "them over the window axis."
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
        return _not_yet(f"shape {(N, T, V)}: average over the window axis (dim=1) before scoring.")
    if tuple(scores.shape) == (N, E):
        return _not_yet(
            f"shape {(N, E)} is the hidden vector: add the output layer to score V words."
        )
    if tuple(scores.shape) != (N, V):
        return _not_yet(f"expected scores of shape ({N}, {V}), got {tuple(scores.shape)}.")
    return None


def check_cbow_module(cls: type) -> Feedback:
    """Exercise: ``cls(vocab_size, embedding_dim)`` builds an untied CBOW ``nn.Module`` whose
    forward maps ids (N, T) to scores (N, V): look up, average over the window, score.

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
        f"{cls.__name__} scores like CBOW: {2 * V * E + V} parameters, (N, T) -> (N, V)."
    )


def plot_softmax_distribution(scores: torch.Tensor, title: str = "") -> Figure:
    """One example's softmax probabilities, sorted, against the uniform 1/V line.

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        scores: the float logits of a single example.
        title: the figure's title; ``""`` gives the entropy against log V. Default: ``""``.

    Shape:
        - Input: scores :math:`(V)`.
    """
    if not isinstance(scores, torch.Tensor) or scores.dim() != 1:
        got = tuple(scores.shape) if isinstance(scores, torch.Tensor) else type(scores).__name__
        raise ValueError(f"scores must be a 1-D tensor of one example's logits, got {got}")
    V = scores.shape[0]
    prob = torch.softmax(scores.detach().double(), dim=0)  # (V,)
    ordered = prob.sort(descending=True).values.numpy()  # (V,)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
    left.plot(ordered, lw=1)
    left.axhline(1 / V, color="red", ls="--", label=f"uniform 1/V = {1 / V:.2e}")
    left.set_xlabel("words, most to least probable")
    left.set_ylabel("softmax probability")
    left.set_ylim(bottom=0)
    left.legend()
    right.hist(prob.numpy() * V, bins=60, color="tab:green")
    right.axvline(1, color="red", ls="--", label="uniform")
    right.set_xlabel("probability x V (1 = uniform)")
    right.set_ylabel("number of words")
    right.legend()
    entropy = float(softmax_entropy(scores))
    fig.suptitle(title or f"entropy {entropy:.2f} nats vs log V = {math.log(V):.2f}")
    fig.tight_layout()
    return fig


VOCAB_CHOICES = (10, 100, 1_000, 10_000, 50_000, 100_000, 500_000, 1_000_000, 5_000_000)


def cbow_forward_panel() -> Panel:
    """Vary V, T, N and E; see the shapes, parameters, memory and time of one CBOW forward pass.

    Behind it: :func:`w2v_helpers.lessons.nb01_cbow_forward.cbow_forward_report`. Introduced in
    ``01_cbow_forward.ipynb``.
    """
    controls = {
        "vocab_size": _choice("vocab size V", VOCAB_CHOICES, 50_000),
        "window_size": widgets.IntSlider(description="window size T", min=1, max=20, value=4),
        "batch_size": _choice("batch size N", BATCH_CHOICES, 16),
        "embedding_dim": _choice("embedding dim E", DIM_CHOICES, 128),
    }
    return make_panel("CBOW forward pass explorer", controls, cbow_forward_report)
