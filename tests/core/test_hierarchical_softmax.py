"""Hierarchical softmax (``w2v_helpers.hierarchical_softmax``).

Oracles: Kraft's equality and a textbook heapq Huffman code for the tree; a tree worked out by
hand with word2vec's merge rule; a brute-force product of sigmoids over each word's path, and
the probabilities summing to 1 in float64; autograd for the loss's gradient; float64 finite
differences for the hand gradient.
"""

import heapq
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from oracles import finite_difference

from w2v_helpers.hierarchical_softmax import (
    build_huffman_tree,
    hs_gradients,
    hs_log_probabilities,
    hs_loss,
)


def _random_counts(V, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(1, 1000, (V,), generator=g)


def _textbook_weighted_length(counts):
    """Sum of count * code length of an optimal prefix code, by the heap algorithm."""
    heap = [(int(c), i) for i, c in enumerate(counts)]
    heapq.heapify(heap)
    total, fresh = 0, len(heap)
    while len(heap) > 1:
        a, _ = heapq.heappop(heap)
        b, _ = heapq.heappop(heap)
        total += a + b  # every merge adds one bit to each word below it
        heapq.heappush(heap, (a + b, fresh))
        fresh += 1
    return total


@pytest.mark.parametrize(("V", "seed"), [(2, 0), (3, 1), (17, 2), (500, 3)])
def test_codes_satisfy_kraft_and_have_the_optimal_weighted_length(V, seed):
    counts = _random_counts(V, seed)
    tree = build_huffman_tree(counts)
    lengths = tree.lengths.tolist()
    assert math.fsum(2.0**-n for n in lengths) == 1.0  # a full binary tree: Kraft's equality
    assert sum(int(c) * n for c, n in zip(counts, lengths, strict=True)) == (
        _textbook_weighted_length(counts)
    )
    codes = [tree.code(w) for w in range(V)]
    assert len(set(codes)) == V
    assert not any(a != b and b.startswith(a) for a in codes for b in codes)  # prefix-free


def test_paths_start_at_the_root_and_use_every_inner_node():
    tree = build_huffman_tree(_random_counts(40, 4))
    V = 40
    assert (tree.points[:, 0] == V - 2).all()  # the root is made last
    used = {int(p) for w in range(V) for p in tree.points[w, : tree.lengths[w]]}
    assert used == set(range(V - 1))
    assert (tree.codes[~tree.mask] == 0).all() and (tree.points[~tree.mask] == 0).all()


def test_a_small_tree_matches_word2vecs_merge_rule_worked_by_hand():
    """Counts 5, 3, 2, 1 (ids 0-3). Sorted they are already in order. Merges: leaves 1 (id 3)
    and 2 (id 2) make inner 0 (count 3; id 2 is its 1-child); then leaf 3 (id 1) against inner 0
    (3): not strictly smaller, so inner 0 first, then leaf id 1: inner 1 (count 6; id 1 is the
    1-child); then leaf 5 (id 0) and inner 1 make the root, inner 2, with inner 1 as 1-child."""
    tree = build_huffman_tree(torch.tensor([5, 3, 2, 1]))
    assert [tree.code(w) for w in range(4)] == ["0", "11", "101", "100"]
    assert tree.points[3, :3].tolist() == [2, 1, 0]
    assert tree.points[1, :2].tolist() == [2, 1]


def test_ties_keep_the_given_order_and_are_deterministic():
    a = build_huffman_tree(torch.tensor([4, 4, 4, 4, 4]))
    b = build_huffman_tree(torch.tensor([4, 4, 4, 4, 4]))
    assert torch.equal(a.codes, b.codes) and torch.equal(a.points, b.points)
    assert sorted(a.lengths.tolist()) == [2, 2, 2, 3, 3]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_probabilities_sum_to_one_and_equal_the_product_along_each_path(seed):
    g = torch.Generator().manual_seed(seed)
    V, E, N = 23, 6, 4
    tree = build_huffman_tree(_random_counts(V, seed))
    hidden = torch.randn(N, E, generator=g, dtype=torch.float64)
    inner = torch.randn(V - 1, E, generator=g, dtype=torch.float64)
    logp = hs_log_probabilities(hidden, inner, tree)  # (N, V)
    assert torch.allclose(logp.exp().sum(1), torch.ones(N, dtype=torch.float64), atol=1e-12)
    h, w_inner = hidden.numpy(), inner.numpy()
    for n in range(N):
        for w in range(V):
            p = 1.0
            for code, node in zip(tree.code(w), tree.points[w].tolist(), strict=False):
                x = h[n] @ w_inner[node]
                p *= 1 / (1 + np.exp(-x)) if code == "0" else 1 / (1 + np.exp(x))
            assert math.isclose(float(logp[n, w].exp()), p, rel_tol=1e-12)


def _case(seed=5, V=31, E=5, N=7):
    g = torch.Generator().manual_seed(seed)
    tree = build_huffman_tree(_random_counts(V, seed))
    hidden = torch.randn(N, E, generator=g, dtype=torch.float64)
    inner = torch.randn(V - 1, E, generator=g, dtype=torch.float64)
    y = torch.randint(V, (N,), generator=g)
    return tree, hidden, inner, y


def test_loss_is_minus_the_mean_log_probability_of_the_targets():
    tree, hidden, inner, y = _case()
    full = hs_log_probabilities(hidden, inner, tree)  # (N, V), every word scored
    expected = -full.gather(1, y.unsqueeze(1)).mean()
    assert torch.allclose(hs_loss(hidden, inner, tree, y), expected, rtol=1e-14, atol=0)


def test_hand_gradients_equal_autograd_of_the_summed_loss():
    tree, hidden, inner, y = _case()
    h, w = hidden.clone().requires_grad_(), inner.clone().requires_grad_()
    (hs_loss(h, w, tree, y) * len(y)).backward()  # the summed loss
    d_hidden, d_nodes = hs_gradients(hidden, inner, tree, y)
    torch.testing.assert_close(d_hidden, h.grad, rtol=1e-12, atol=1e-14)
    table = torch.zeros_like(inner).index_add_(
        0, tree.points[y].flatten(), d_nodes.flatten(0, 1)
    )  # (V - 1, E): rows past a path's end add 0 to node 0
    torch.testing.assert_close(table, w.grad, rtol=1e-12, atol=1e-14)


def test_hand_gradient_for_hidden_equals_float64_finite_differences():
    tree, hidden, inner, y = _case(seed=6, N=3)
    d_hidden, _ = hs_gradients(hidden, inner, tree, y)
    summed = lambda h: float(hs_loss(torch.from_numpy(h), inner, tree, y)) * len(y)  # noqa: E731
    numeric = finite_difference(summed, hidden.numpy())
    np.testing.assert_allclose(d_hidden.numpy(), numeric, rtol=1e-6, atol=1e-8)


def test_huge_scores_give_a_finite_loss_that_grows_like_the_scores():
    tree, hidden, inner, y = _case()
    small, huge = hs_loss(hidden, inner, tree, y), hs_loss(hidden * 1e3, inner, tree, y)
    assert torch.isfinite(huge) and huge > small
    # -log sigmoid(-x) = softplus(x) is about x for large x: the loss is linear, not inf
    assert math.isclose(float(F.softplus(torch.tensor(1e4, dtype=torch.float64))), 1e4)


def test_same_weighted_code_length_as_gensims_hs_tree():
    from gensim.models import Word2Vec

    g = torch.Generator().manual_seed(9)
    ids = torch.multinomial(
        torch.arange(1, 41, dtype=torch.float64) ** -1.2, 3000, True, generator=g
    )
    sentences = [[f"w{int(i)}" for i in ids[k : k + 100]] for k in range(0, 3000, 100)]
    model = Word2Vec(vector_size=4, min_count=1, hs=1, negative=0, sample=0, workers=1)
    model.build_vocab(sentences)
    words = model.wv.index_to_key
    counts = torch.tensor([model.wv.get_vecattr(w, "count") for w in words])
    tree = build_huffman_tree(counts)
    theirs = [len(model.wv.get_vecattr(w, "code")) for w in words]
    assert int((counts * tree.lengths).sum()) == sum(
        int(c) * n for c, n in zip(counts, theirs, strict=True)
    )
    assert sorted(tree.lengths.tolist()) == sorted(theirs)
