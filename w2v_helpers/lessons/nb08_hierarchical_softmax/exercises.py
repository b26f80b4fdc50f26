"""Exercise checks of ``08_hierarchical_softmax.ipynb``: a code worked out by hand, a path
probability, and the hierarchical-softmax gradient along a path, each against an independent
oracle (word2vec's tree, the full distribution, autograd) and naming the usual mistakes.

Shape glossary: V vocabulary, E embedding dim, D the longest path (code length), n one word's
path length.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ...hierarchical_softmax import HuffmanTree, build_huffman_tree, hs_log_probabilities, hs_loss
from ..feedback import (
    NOTHING_RETURNED,
    Feedback,
    _call,
    _correct,
    _not_a_function,
    _not_yet,
    _unanswered,
)

__all__ = ["EXERCISE_COUNTS", "check_code", "check_path_probability", "check_hs_gradient"]

EXERCISE_COUNTS = (20, 8, 5, 3, 1)  # words a to e of exercise 1


def check_code(answer: object) -> Feedback:
    """Exercise: the code of word ``d`` (count 3) in the tree of counts 20, 8, 5, 3, 1.

    The oracle is :func:`~w2v_helpers.hierarchical_softmax.build_huffman_tree`. Introduced in
    ``08_hierarchical_softmax.ipynb``.

    Args:
        answer: a string of 0s and 1s, root first.
    """
    if (missing := _unanswered(answer)) is not None:
        return missing
    if not isinstance(answer, str) or set(answer) - {"0", "1"} or not answer:
        return _not_yet(f"answer with a string of 0s and 1s, e.g. '010', got {answer!r}.")
    right = build_huffman_tree(torch.tensor(EXERCISE_COUNTS)).code(3)
    if answer == right:
        return _correct(f"word d's code is {right}: {len(right)} steps from the root.")
    if len(answer) != len(right):
        return _not_yet(
            f"that is {len(answer)} steps; word d sits {len(right)} merges below the root: "
            "merge the two smallest counts each time and count the merges above d."
        )
    flipped = "".join("1" if c == "0" else "0" for c in right)
    hints = [
        hint
        for wrong, hint in (
            (right[::-1], "read leaf first (a code is read from the root down)"),
            (flipped, "every bit flipped (in a merge, the second node taken gets 1)"),
        )
        if answer == wrong
    ]
    if hints:
        return _not_yet("those are word d's bits " + ", or ".join(hints) + ".")
    return _not_yet("right length, wrong bits: redo the merges; the second node taken gets bit 1.")


def _exercise_path() -> tuple[HuffmanTree, torch.Tensor, torch.Tensor, int]:
    """The exercises' six-word tree, seeded float64 vectors and its rarest word (longest path)."""
    g = torch.Generator().manual_seed(3)
    tree = build_huffman_tree(torch.tensor([9, 7, 5, 4, 2, 1]))
    hidden = torch.randn(4, generator=g, dtype=torch.float64)  # (E,)
    inner = torch.randn(5, 4, generator=g, dtype=torch.float64)  # (V - 1, E)
    return tree, hidden, inner, 5


def check_path_probability(fn: Callable[..., object]) -> Feedback:
    """Exercise: ``fn(hidden, inner, codes, points)`` returns one word's probability.

    ``codes`` and ``points`` are that word's path (root first). The oracle is
    :func:`~w2v_helpers.hierarchical_softmax.hs_log_probabilities` in float64. Introduced in
    ``08_hierarchical_softmax.ipynb``.

    Args:
        fn: the learner's function.

    Shape:
        - fn gets: hidden :math:`(E)`, inner :math:`(V - 1, E)` float64, codes and points
          :math:`(D)` int64 (one word's real steps only); returns a 0-d tensor.
    """
    tree, hidden, inner, w = _exercise_path()
    full = hs_log_probabilities(hidden[None], inner, tree)[0].exp()  # (V,)
    n = int(tree.lengths[w])
    got = _call(
        fn, hidden.clone(), inner.clone(), tree.codes[w, :n].clone(), tree.points[w, :n].clone()
    )
    if isinstance(got, Feedback):
        return got
    if got.numel() != 1:
        return _not_yet(f"return one number (a 0-d tensor), got shape {tuple(got.shape)}.")
    value = float(got)
    right = float(full[w])
    if math.isclose(value, right, rel_tol=1e-9):
        return _correct(f"p = {right:.6f}, the product of {n} sigmoids along the path.")
    x = inner[tree.points[w, :n]] @ hidden  # (n,)
    sign = (1 - 2 * tree.codes[w, :n]).double()  # (n,)
    if math.isclose(value, float(torch.sigmoid(-sign * x).prod()), rel_tol=1e-9):
        return _not_yet(
            "every step's side is swapped: bit 0 takes sigmoid(+h.node), bit 1 sigmoid(-h.node)."
        )
    if math.isclose(value, float(torch.sigmoid(sign * x).sum()), rel_tol=1e-9):
        return _not_yet(
            "you added the steps' probabilities: multiply them (each step is a choice)."
        )
    if math.isclose(value, float(torch.nn.functional.logsigmoid(sign * x).sum()), rel_tol=1e-9):
        return _not_yet("that is the log-probability: take its exp, or multiply the sigmoids.")
    return _not_yet(f"got {value:.6f}, expected {right:.6f}: one sigmoid per step, multiplied.")


SIGN_FLIPPED = (
    "the sign is flipped: label - sigmoid(x) is what word2vec's C code adds (its g, a step "
    "downhill); the loss's gradient is sigmoid(x) - label."
)
LABEL_IS_CODE = (
    "the label is 1 - code, not the code (bit 0 is the sigmoid(+x) side): each step's error is "
    "sigmoid(x) - (1 - code)."
)
NO_CHAIN_FACTOR = (
    "the chain rule's factor s = 1 - 2 code is missing: the steps with bit 1 have the wrong sign."
)


def _path_gradients(
    hidden: torch.Tensor, inner: torch.Tensor, points: torch.Tensor, g: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Gradients for h and the table when step j's error is g[j]: (sum g node, g h at points)."""
    d_inner = torch.zeros_like(inner).index_add_(0, points, g[:, None] * hidden)  # (V - 1, E)
    return g @ inner[points], d_inner  # (n,) @ (n, E) -> (E,); (V - 1, E)


def _gradient_shape(got: object, n: int, inner: torch.Tensor) -> str | None:
    """What is wrong with the shape of the learner's (d_hidden, d_inner), or None."""
    if not (isinstance(got, tuple) and len(got) == 2):
        return f"return two tensors, (d_hidden, d_inner), got {type(got).__name__}."
    d_hidden, d_inner = got
    if not all(isinstance(t, torch.Tensor) for t in got):
        return "return two tensors, (d_hidden, d_inner)."
    E = inner.shape[1]
    if tuple(d_hidden.shape) == (n, E):
        return "d_hidden has one row per step: sum them over the path (h meets every node on it)."
    if tuple(d_hidden.shape) != (E,):
        return f"d_hidden must have h's shape ({E},), got {tuple(d_hidden.shape)}."
    if tuple(d_inner.shape) != tuple(inner.shape):
        return (
            f"d_inner must have inner's shape {tuple(inner.shape)} (autograd's inner.grad): "
            f"the path's rows at points, 0 elsewhere; got {tuple(d_inner.shape)}."
        )
    return None


def _gradient_mistake(got, hidden, inner, codes, points, right) -> str:
    """Name the wrong term of a gradient that has the right shapes but not autograd's values."""
    d_hidden, d_inner = (t.detach().double() for t in got)
    x = inner[points] @ hidden  # (n, E) @ (E,) -> (n,)
    label = 1 - codes.double()  # (n,)
    s = 2 * label - 1  # (n,): +1 for bit 0, -1 for bit 1
    wrong_errors = (
        (label - torch.sigmoid(x), SIGN_FLIPPED),
        (
            x - label,
            "a sigmoid is missing: each step's error is sigmoid(x) - label, not x - label.",
        ),
        (torch.sigmoid(x) - codes.double(), LABEL_IS_CODE),
        (-torch.sigmoid(-s * x), NO_CHAIN_FACTOR),
    )
    for g, message in wrong_errors:
        a, b = _path_gradients(hidden, inner, points, g)
        if torch.allclose(d_hidden, a, rtol=1e-9) or torch.allclose(d_inner, b, rtol=1e-9):
            return message
    g = torch.sigmoid(x) - label  # (n,): the right error at each step
    on = torch.zeros(inner.shape[0], dtype=torch.bool).index_fill_(0, points, True)  # (V - 1,)
    if not torch.allclose(d_hidden, right[0], rtol=1e-9, atol=1e-12):
        terms = g[:, None] * inner[points]  # (n, E): one step's term each
        if any(torch.allclose(d_hidden, t, rtol=1e-9) for t in (*terms, terms.mean(0))):
            return (
                "d_hidden keeps one step or the mean: sum (sigmoid(x) - label) node over the path."
            )
        if torch.allclose(d_hidden, g.sum() * hidden, rtol=1e-9):
            return "d_hidden is (sigmoid(x) - label) times the node, summed, not times h."
        return "d_hidden does not match autograd: sum (sigmoid(x) - label) node over the path."
    if torch.allclose(d_inner[on], right[1][on], rtol=1e-9, atol=1e-12):
        off = int((d_inner[~on] != 0).any(1).sum())
        return f"{off} node(s) off the path got a gradient: only the path's nodes are in the loss."
    if torch.allclose(d_inner[points], g[:, None] * inner[points], rtol=1e-9):
        return "a node's gradient is (sigmoid(x) - label) times h, not times the node itself."
    return "d_inner does not match autograd: (sigmoid(x) - label) h at each node of the path."


def check_hs_gradient(fn: Callable[..., object]) -> Feedback:
    """Exercise: ``fn(hidden, inner, codes, points)`` returns ``(d_hidden, d_inner)``, the
    gradient of -log p(word | h) for h and for the whole table of inner-node vectors.

    The oracle is autograd on :func:`~w2v_helpers.hierarchical_softmax.hs_loss` with the same
    inputs; a wrong answer is compared with the usual mistakes (a sign, a missing sigmoid, the
    code instead of 1 - code, no sum over the path, nodes off the path). Introduced in
    ``08_hierarchical_softmax.ipynb``.

    Args:
        fn: the learner's function.

    Shape:
        - fn gets: hidden :math:`(E)`, inner :math:`(V - 1, E)` float64, codes and points
          :math:`(D)` int64 (one word's real steps only); returns :math:`(E)` and
          :math:`(V - 1, E)`.
    """
    if (problem := _not_a_function(fn)) is not None:
        return problem
    tree, hidden, inner, w = _exercise_path()
    n = int(tree.lengths[w])
    codes, points = tree.codes[w, :n], tree.points[w, :n]  # (n,), (n,)
    h, table = hidden.clone().requires_grad_(), inner.clone().requires_grad_()
    hs_loss(h[None], table, tree, torch.tensor([w])).backward()  # one example: the path's sum
    try:
        got = fn(hidden.clone(), inner.clone(), codes.clone(), points.clone())
    except Exception as err:  # the learner's code: report any failure as feedback
        return _not_yet(f"your function raised {type(err).__name__}: {err}")
    if _unanswered(got) is not None:
        return NOTHING_RETURNED
    if (shape := _gradient_shape(got, n, inner)) is not None:
        return _not_yet(shape)
    right = (h.grad, table.grad)
    pairs = zip(got, right, strict=True)
    if all(torch.allclose(a.detach().double(), b, rtol=1e-9, atol=1e-12) for a, b in pairs):
        return _correct(
            f"both match autograd: the {n} nodes on the path get (sigmoid(x) - label) h, the "
            f"other {inner.shape[0] - n} row(s) 0, and h the sum of (sigmoid(x) - label) node."
        )
    return _not_yet(_gradient_mistake(got, hidden, inner, codes, points, right))
