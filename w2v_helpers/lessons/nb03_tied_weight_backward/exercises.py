"""Exercise checks of ``03_tied_weight_backward.ipynb``: which rows get an input-side gradient,
and tying an embedding and an output layer (re-exported by the package).

Shape glossary: T = 2w context words, V vocabulary, E embedding dim.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import nn

from ...validation import check_positive_int
from ..feedback import (
    NOTHING_RETURNED,
    Feedback,
    _correct,
    _not_a_function,
    _not_yet,
    _unanswered,
)

__all__ = ["check_input_side_rows", "check_tied_layers"]


def check_input_side_rows(
    answer: object, *, context_ids: Iterable[int], target_id: int, vocab_size: int
) -> Feedback:
    """Exercise: which rows of a tied W get an input-side gradient from one CBOW example?

    The right answer is the set of context ids (repeats count once). Introduced in
    ``03_tied_weight_backward.ipynb``.

    Args:
        answer: the learner's row ids, a set or list of ints.
        context_ids: the example's context ids, ints in [0, V), at least one.
        target_id: the example's target id, in [0, V).
        vocab_size: V, a whole number >= 1.
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
        return _not_yet(f"give the row ids as a set or list of ints, got {answer!r}.")
    expected = set(context)
    if got == expected:
        return _correct(
            f"rows {sorted(expected)}: the embedding lookup reads only the context rows, so only "
            "they get an input-side gradient (a repeated id is one row that gets its share twice)."
        )
    if got == expected | {target_id}:
        return _not_yet(
            f"row {target_id} (the target) is not read by the lookup; its "
            "gradient arrives through the output side only."
        )
    if len(got) >= V:
        return _not_yet(
            "every row is the output side's footprint: every word was scored. "
            "The input side only reaches the rows the lookup read."
        )
    if got < expected:
        return _not_yet(
            f"you miss {sorted(expected - got)}: every context id, first or "
            "repeated, is a row the lookup read."
        )
    return _not_yet(f"{sorted(got)} is not it. Which rows does weight[x] read?")


def _tie_mistake(embedding: nn.Module, output: nn.Module, V: int, E: int) -> str | None:
    """The first usual mistake in a learner's tied pair, or ``None`` if they are tied right."""
    if not isinstance(embedding, nn.Embedding) or not isinstance(output, nn.Linear):
        return (
            f"return (nn.Embedding, nn.Linear), got ({type(embedding).__name__}, "
            f"{type(output).__name__})."
        )
    if (embedding.num_embeddings, embedding.embedding_dim) != (V, E):
        return f"the embedding must be nn.Embedding({V}, {E}) for V={V}, E={E}."
    if (output.in_features, output.out_features) == (V, E) or output.weight.shape == (E, V):
        return (
            "the transpose: the output layer reads E numbers and scores V words, so it is "
            "nn.Linear(embedding_dim, vocab_size), and its weight is stored (out, in) = (V, E), "
            "the embedding's shape. That is why one matrix can serve both; no .T is needed."
        )
    if (output.in_features, output.out_features) != (E, V):
        return (
            f"the output layer must be nn.Linear({E}, {V}), got "
            f"nn.Linear({output.in_features}, {output.out_features})."
        )
    if output.bias is not None:
        return (
            f"a bias left on: nn.Linear adds its own {V} numbers that the embedding does not "
            "share, so the model has two Parameters. Pass bias=False."
        )
    if output.weight is embedding.weight:
        return None
    if output.weight.data_ptr() == embedding.weight.data_ptr():
        return (
            "two Parameters over the same memory: parameters() lists both and autograd gives "
            "each its own .grad, so SGD applies each side's half on its own. Assign the "
            "Parameter itself: output.weight = embedding.weight."
        )
    if torch.equal(output.weight.detach(), embedding.weight.detach()):
        return (
            "a copy: the numbers are equal today, but they are two tensors. The first SGD step "
            "moves each by its own side's gradient and they drift apart. Assign the Parameter "
            "itself: output.weight = embedding.weight."
        )
    return "not tied: the two weights hold different numbers. Make both layers use one Parameter."


def check_tied_layers(fn: Callable[[int, int], tuple[nn.Module, nn.Module]]) -> Feedback:
    """Exercise: ``fn(vocab_size, embedding_dim)`` must return ``(embedding, output)``, an
    ``nn.Embedding(V, E)`` and a bias-free ``nn.Linear(E, V)`` sharing one ``(V, E)`` Parameter.

    Names the usual mistakes: the transpose (``nn.Linear(V, E)`` or a ``.T``), a bias left on, a
    copy of the weight, or two Parameters over one storage. Introduced in
    ``03_tied_weight_backward.ipynb``.

    Args:
        fn: the learner's function ``fn(vocab_size, embedding_dim)``.
    """
    if (problem := _not_a_function(fn)) is not None:
        return problem
    V, E = 7, 3
    try:
        with torch.random.fork_rng(devices=[]):
            got = fn(V, E)
    except Exception as err:  # the learner's code: report any failure as feedback
        return _not_yet(f"your function raised {type(err).__name__}: {err}")
    if _unanswered(got) is not None:
        return NOTHING_RETURNED
    if not isinstance(got, tuple) or len(got) != 2:
        return _not_yet(f"return the pair (embedding, output), got {type(got).__name__}.")
    if (mistake := _tie_mistake(*got, V, E)) is not None:
        return _not_yet(mistake)
    count = sum(p.numel() for p in nn.ModuleList(got).parameters())
    return _correct(
        f"one ({V}, {E}) Parameter in both layers, no bias: parameters() lists it once, "
        f"{count} numbers = V·E, and every SGD step moves both layers together."
    )
