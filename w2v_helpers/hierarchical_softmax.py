"""Hierarchical softmax: word2vec's other way around scoring all V words.

The vocabulary sits at the leaves of a binary Huffman tree built from the word counts, so
frequent words get short paths. Each of the V - 1 inner nodes has a vector; a word's probability
given a hidden vector h is the product, along its path from the root, of sigmoid(+h . node) where
its code says 0 and sigmoid(-h . node) where it says 1. The two children of a node split its
probability exactly, so the V probabilities sum to 1, and one word costs its path length in dot
products (about log2 V) instead of V.

The tree is built as word2vec's C code builds it (``CreateBinaryTree``): words sorted by count,
most frequent first (ties keep their given order); the two smallest of the remaining leaves and
inner nodes are merged, a leaf winning a tie against an inner node only if strictly smaller;
the second node merged is its parent's 1-child. Inner node ``V - 2`` is the root, and inner nodes
are numbered in the order they were made. gensim's ``hs=1`` merges with a heap instead: where
counts tie it may pair other nodes, so its codes can differ, but every Huffman tree has the same
count-weighted code length (the tests compare both on one corpus).

Shape glossary: N batch, V vocabulary, E embedding dim, D the longest path (code length).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .memory import check_memory
from .validation import check_counts, check_token_ids

__all__ = [
    "MAX_TREE_WORDS",
    "HuffmanTree",
    "build_huffman_tree",
    "hs_log_probabilities",
    "hs_loss",
    "hs_gradients",
]

MAX_TREE_WORDS = 2_000_000  # the tree is built in a Python loop: seconds at this size
INT64 = 8


@dataclass(frozen=True, eq=False)
class HuffmanTree:
    """Each word's path from the root: its codes (0/1 per step) and the inner nodes it passes.

    Row ``w`` describes word id ``w``; entries past ``lengths[w]`` are 0 and masked out.
    Introduced in ``08_hierarchical_softmax.ipynb``.

    Shape:
        - codes, points: :math:`(V, D)` int64; points are inner-node ids in :math:`[0, V - 1)`,
          the root (``V - 2``) first.
        - lengths: :math:`(V)` int64, each in :math:`[1, D]`.
    """

    codes: torch.Tensor  # (V, D)
    points: torch.Tensor  # (V, D)
    lengths: torch.Tensor  # (V,)

    @property
    def vocab_size(self) -> int:
        return self.lengths.numel()

    @property
    def mask(self) -> torch.Tensor:
        """True at each word's real steps: :math:`(V, D)` bool."""
        steps = torch.arange(self.codes.shape[1])  # (D,)
        return steps < self.lengths.unsqueeze(1)  # (1, D) < (V, 1) -> (V, D)

    def code(self, word: int) -> str:
        """Word ``word``'s code as a string of 0s and 1s, root first."""
        n = int(self.lengths[word])
        return "".join(str(int(c)) for c in self.codes[word, :n])


def build_huffman_tree(counts: torch.Tensor) -> HuffmanTree:
    """The Huffman tree of a vocabulary, built as word2vec's C code does (see the module).

    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        counts: each word's count, positive integers, in word-id order; 2 to 2,000,000 words.

    Shape:
        - counts: :math:`(V)`; the tree's tensors are :math:`(V, D)` and :math:`(V)`.
    """
    counts = check_counts("counts", counts)
    V = counts.numel()
    if not 2 <= V <= MAX_TREE_WORDS:
        raise ValueError(
            f"counts must hold 2 to {MAX_TREE_WORDS:,} words (a tree needs two leaves), got {V:,}"
        )
    order = torch.argsort(counts, descending=True, stable=True).tolist()  # most frequent first
    count = [int(counts[w]) for w in order] + [math.inf] * V  # leaves, then inner nodes
    parent = [0] * (2 * V)
    bit = [0] * (2 * V)
    leaf = V - 1  # the smallest leaf left
    inner = V  # the oldest inner node not yet merged
    for made in range(V - 1):
        pair = []
        for _ in range(2):
            if leaf >= 0 and count[leaf] < count[inner]:  # strict: a tie takes the inner node
                pair.append(leaf)
                leaf -= 1
            else:
                pair.append(inner)
                inner += 1
        count[V + made] = count[pair[0]] + count[pair[1]]
        parent[pair[0]] = parent[pair[1]] = V + made
        bit[pair[1]] = 1
    root = 2 * V - 2
    paths = []
    for rank in range(V):  # walk from each leaf up to the root, then read it root first
        node = rank
        codes = []
        points = []
        while node != root:
            codes.append(bit[node])
            node = parent[node]
            points.append(node - V)
        paths.append((codes[::-1], points[::-1]))
    D = max(len(c) for c, _ in paths)
    check_memory(2 * INT64 * V * D, f"a Huffman tree over V={V:,} words", hint="Use fewer words.")
    codes_t = np.zeros((V, D), np.int64)  # (V, D): NumPy rows, not lists: the sample 0.43 -> 0.12 s
    points_t = np.zeros((V, D), np.int64)  # (V, D)
    lengths = np.zeros(V, np.int64)  # (V,)
    for rank, (codes, points) in enumerate(paths):
        word = order[rank]
        codes_t[word, : len(codes)] = codes
        points_t[word, : len(points)] = points
        lengths[word] = len(codes)
    return HuffmanTree(*(torch.from_numpy(a) for a in (codes_t, points_t, lengths)))


def _check_tree(tree: object) -> HuffmanTree:
    if not isinstance(tree, HuffmanTree):
        raise TypeError(
            f"tree must be a HuffmanTree (build_huffman_tree), got {type(tree).__name__}"
        )
    return tree


def _check_vectors(hidden: object, inner: object, tree: HuffmanTree) -> tuple[int, int]:
    """Check hidden (N, E) and inner (V - 1, E): floating, finite, same dtype; return N, E."""
    for name, x in (("hidden", hidden), ("inner", inner)):
        if not isinstance(x, torch.Tensor) or not x.is_floating_point() or x.dim() != 2:
            got = f"{x.dtype} {tuple(x.shape)}" if isinstance(x, torch.Tensor) else type(x).__name__
            raise TypeError(f"{name} must be a 2-D floating tensor, got {got}")
        if not bool(torch.isfinite(x).all()):
            raise ValueError(f"{name} must be finite (no NaN or inf)")
    if inner.shape[0] != tree.vocab_size - 1:
        raise ValueError(
            f"inner must hold one row per inner node (V - 1 = {tree.vocab_size - 1:,}), "
            f"got {inner.shape[0]:,}"
        )
    if hidden.shape[1] != inner.shape[1] or hidden.dtype != inner.dtype:
        raise ValueError(
            f"hidden and inner must share the embedding size and dtype, got "
            f"{tuple(hidden.shape)} {hidden.dtype} and {tuple(inner.shape)} {inner.dtype}"
        )
    return hidden.shape[0], hidden.shape[1]


def hs_log_probabilities(
    hidden: torch.Tensor, inner: torch.Tensor, tree: HuffmanTree
) -> torch.Tensor:
    """Log-probability of every word given each hidden vector: the full distribution.

    ``log p(w | h) = sum over w's path of log sigmoid((1 - 2 code) * (h . inner[point]))``.
    It scores all V words (N * V * D terms), so it is for checks and small V; training uses
    :func:`hs_loss`. Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        hidden: hidden vectors, floating, finite.
        inner: the inner nodes' vectors, same dtype as ``hidden``.
        tree: the vocabulary's :class:`HuffmanTree`.

    Shape:
        - hidden: :math:`(N, E)`, inner: :math:`(V - 1, E)`.
        - Output: :math:`(N, V)`; each row's exponentials sum to 1.
    """
    tree = _check_tree(tree)
    N, _ = _check_vectors(hidden, inner, tree)
    V, D = tree.codes.shape
    # four (N, V, D) tensors at once: the paths' scores, their signed copy, and logsigmoid's
    # output with its buffer (measured 4.1); and the (N, V - 1) scores
    check_memory(
        hidden.element_size() * (4 * N * V * D + N * V),
        f"hierarchical-softmax log-probabilities of N={N:,} rows over V={V:,} words",
        hint="Use fewer rows or a smaller vocabulary; hs_loss scores only the targets.",
    )
    scores = hidden @ inner.T  # (N, E) @ (E, V - 1) -> (N, V - 1)
    along = scores[:, tree.points]  # (N, V, D): each word's path, node by node
    sign = (1 - 2 * tree.codes).to(hidden.dtype)  # (V, D): +1 for code 0, -1 for code 1
    steps = F.logsigmoid(sign * along) * tree.mask  # (N, V, D), 0 past each path's end
    return steps.sum(-1)  # (N, V)


def _path_scores(
    hidden: torch.Tensor, inner: torch.Tensor, tree: HuffmanTree, targets: object
) -> tuple[torch.Tensor, ...]:
    """The targets' paths: signs, mask, the nodes' vectors and their scores against hidden."""
    tree = _check_tree(tree)
    N, _ = _check_vectors(hidden, inner, tree)
    y = check_token_ids("targets", targets, tree.vocab_size, ranks=(1,))
    if y.numel() != N:
        raise ValueError(f"targets must hold one id per hidden row ({N}), got {y.numel()}")
    sign = (1 - 2 * tree.codes[y]).to(hidden.dtype)  # (N, D)
    mask = tree.mask[y].to(hidden.dtype)  # (N, D)
    nodes = inner[tree.points[y]]  # (N, D, E)
    scores = (nodes * hidden.unsqueeze(1)).sum(-1)  # (N, D, E) * (N, 1, E) -> (N, D)
    return sign, mask, nodes, scores


def hs_loss(
    hidden: torch.Tensor, inner: torch.Tensor, tree: HuffmanTree, targets: torch.Tensor
) -> torch.Tensor:
    """Mean negative log-likelihood of the targets, touching only the nodes on their paths.

    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        hidden: hidden vectors, floating, finite.
        inner: the inner nodes' vectors, same dtype as ``hidden``.
        tree: the vocabulary's :class:`HuffmanTree`.
        targets: one word id per row, in [0, V).

    Shape:
        - hidden: :math:`(N, E)`, inner: :math:`(V - 1, E)`, targets: :math:`(N)`.
        - Output: scalar.
    """
    sign, mask, _, scores = _path_scores(hidden, inner, tree, targets)
    return -(F.logsigmoid(sign * scores) * mask).sum(1).mean()  # (N, D) -> (N,) -> scalar


def hs_gradients(
    hidden: torch.Tensor, inner: torch.Tensor, tree: HuffmanTree, targets: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The gradient of the *summed* loss, by hand: for the hidden vectors and each path node.

    With ``x = h . node`` and ``s = 1 - 2 code``, a step's loss is ``-log sigmoid(s x)``, whose
    derivative in x is ``-s sigmoid(-s x) = sigmoid(x) - label`` with label ``1 - code``. So
    ``d/dh = sum_steps (sigmoid(x) - label) node`` and ``d/dnode = (sigmoid(x) - label) h``.
    word2vec's C code computes ``g = (1 - code - f) * alpha`` with ``f = sigmoid(x)``, that is
    ``(label - f) alpha``, minus this gradient times the learning rate, and adds it.
    Returns ``(d_hidden, d_nodes)``; a node on several paths gets several rows, added up when
    written into the table (``index_add_`` at ``tree.points[y]``).
    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        hidden: hidden vectors, floating, finite.
        inner: the inner nodes' vectors, same dtype as ``hidden``.
        tree: the vocabulary's :class:`HuffmanTree`.
        targets: one word id per row, in [0, V).

    Shape:
        - hidden: :math:`(N, E)`, inner: :math:`(V - 1, E)`, targets: :math:`(N)`.
        - Output: d_hidden :math:`(N, E)`, d_nodes :math:`(N, D, E)` (0 past each path's end).
    """
    sign, mask, nodes, scores = _path_scores(hidden, inner, tree, targets)
    label = (1 + sign) / 2  # (N, D): 1 - code
    g = (torch.sigmoid(scores) - label) * mask  # (N, D)
    d_hidden = (g.unsqueeze(-1) * nodes).sum(1)  # (N, D, 1) * (N, D, E) -> (N, E)
    d_nodes = g.unsqueeze(-1) * hidden.unsqueeze(1)  # (N, D, 1) * (N, 1, E) -> (N, D, E)
    return d_hidden, d_nodes
