"""Counts, PPMI and SVD against independent code: a brute-force loop, a dense NumPy formula, and
``numpy.linalg.svd`` on the dense matrix."""

import math

import numpy as np
import pytest
import scipy.sparse

from w2v_helpers.corpus import build_vocabulary
from w2v_helpers.counts import WEIGHTINGS, cooccurrence, ppmi, svd_embeddings
from w2v_helpers.memory import MemoryBudgetError

# Rare words ("q", "z") fall below min_count=2 and must be dropped before windows are taken.
TOY = [
    ["a", "b", "q", "c", "a", "d", "b"],
    ["c", "c", "a"],
    ["z"],
    ["d", "a", "b", "c", "d", "a", "b", "b", "a", "c", "q"],
    ["b"],
]
TOY_VOCAB = build_vocabulary(TOY + [["q", "z"]], min_count=2)


def brute_force_counts(sentences, index, window, weighting):
    """Every (position, position) pair within the window, one at a time, in a dense array."""
    V = len(index)
    out = np.zeros((V, V))
    for sentence in sentences:
        ids = [index[w] for w in sentence if w in index]
        for i, centre in enumerate(ids):
            for j, context in enumerate(ids):
                d = abs(i - j)
                if d == 0 or d > window:
                    continue
                weight = {"uniform": 1.0, "word2vec": (window - d + 1) / window, "glove": 1 / d}
                out[centre, context] += weight[weighting]
    return out


def dense_ppmi(counts, cds, shift):
    """max(log(#(w,c) Σ #(c')^α / (#(w) #(c)^α)) - log k, 0) on a dense array, 0 where #(w,c)=0."""
    words = counts.sum(axis=1)
    contexts = counts.sum(axis=0) ** cds
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(counts * contexts.sum() / np.outer(words, contexts)) - math.log(shift)
    return np.where(counts > 0, np.maximum(pmi, 0.0), 0.0)


def random_counts(rows, cols, density, seed):
    rng = np.random.default_rng(seed)
    m = scipy.sparse.random_array((rows, cols), density=density, rng=rng, format="csr")
    m.data = np.floor(m.data * 20) + 1  # whole counts 1..20
    return m


@pytest.mark.parametrize("weighting", WEIGHTINGS)
@pytest.mark.parametrize("window", [1, 2, 3, 5])
def test_counts_match_a_brute_force_loop_over_the_toy_corpus(weighting, window):
    counts = cooccurrence(TOY, TOY_VOCAB, window, weighting)
    expected = brute_force_counts(TOY, TOY_VOCAB.index, window, weighting)
    assert isinstance(counts, scipy.sparse.csr_array)
    assert counts.dtype == np.float64 and counts.shape == expected.shape
    np.testing.assert_allclose(counts.toarray(), expected, rtol=1e-12, atol=0)
    assert (counts.data != 0).all()  # no explicit zeros


def test_counts_are_symmetric_and_never_cross_a_sentence_end():
    vocab = build_vocabulary([["a", "b", "c"]], min_count=1)
    counts = cooccurrence([["a", "b"], ["c"]], vocab, 5, "uniform").toarray()
    np.testing.assert_array_equal(counts, counts.T)
    a, b, c = (vocab.index[w] for w in "abc")
    assert counts[a, b] == 1 and counts[b, c] == 0 and counts[a, c] == 0


def test_out_of_vocabulary_words_are_dropped_before_the_window():
    vocab = build_vocabulary([["a", "b"]], min_count=1)
    counts = cooccurrence([["a", "x", "x", "b"]], vocab, 1, "uniform").toarray()
    assert counts[vocab.index["a"], vocab.index["b"]] == 1  # adjacent once "x" is gone


def test_the_word2vec_weighting_is_the_chance_the_dynamic_window_reaches_a_distance():
    vocab = build_vocabulary([["a", "b", "c", "d"]], min_count=1)
    counts = cooccurrence([["a", "b", "c", "d"]], vocab, 4, "word2vec").toarray()
    a = vocab.index["a"]
    reach = [counts[a, vocab.index[w]] for w in "bcd"]  # distances 1, 2, 3 of w = 4
    np.testing.assert_allclose(reach, [4 / 4, 3 / 4, 2 / 4], rtol=1e-15)


def test_counts_refuse_a_budget_they_would_exceed(monkeypatch):
    monkeypatch.setenv("W2V_MEMORY_BUDGET", "1MiB")  # less than the test process holds
    with pytest.raises(MemoryBudgetError, match="Lower window"):
        cooccurrence(TOY, TOY_VOCAB, 2)


@pytest.mark.parametrize(("cds", "shift"), [(1.0, 1.0), (0.75, 1.0), (0.75, 5.0), (0.5, 2.0)])
def test_ppmi_matches_the_dense_numpy_formula(cds, shift):
    counts = random_counts(40, 30, 0.3, seed=1)
    out = ppmi(counts, cds=cds, shift=shift)
    assert isinstance(out, scipy.sparse.csr_array) and out.shape == counts.shape
    expected = dense_ppmi(counts.toarray(), cds, shift)
    np.testing.assert_allclose(out.toarray(), expected, rtol=1e-12, atol=1e-12)
    assert (out.data > 0).all()  # clipped cells are dropped, zeros stay zeros
    assert out.nnz == np.count_nonzero(expected)


def test_ppmi_of_the_toy_counts_matches_the_dense_formula():
    counts = cooccurrence(TOY, TOY_VOCAB, 2, "glove")
    expected = dense_ppmi(counts.toarray(), 0.75, 1.0)
    np.testing.assert_allclose(ppmi(counts).toarray(), expected, rtol=1e-12, atol=1e-12)


def test_ppmi_leaves_its_input_unchanged():
    counts = random_counts(20, 20, 0.3, seed=2)
    before = counts.toarray()
    ppmi(counts)
    np.testing.assert_array_equal(counts.toarray(), before)


@pytest.mark.parametrize("eig_power", [0.0, 0.5, 1.0])
def test_svd_matches_numpy_on_the_dense_matrix_up_to_signs(eig_power):
    matrix = ppmi(random_counts(60, 45, 0.3, seed=3))
    dim = 6
    u, s, _ = np.linalg.svd(matrix.toarray())  # (V, V), (min(V, C),)
    expected = (u[:, :dim] * s[:dim] ** (2 * eig_power)) @ u[:, :dim].T  # U Σ^{2p} Uᵀ
    vectors = svd_embeddings(matrix, dim, eig_power=eig_power).numpy()  # (V, E)
    assert vectors.shape == (60, dim) and vectors.dtype == np.float64
    scale = np.abs(expected).max()
    np.testing.assert_allclose(vectors @ vectors.T, expected, rtol=0, atol=1e-10 * scale)


def test_svd_columns_have_their_largest_entry_positive():
    vectors = svd_embeddings(ppmi(random_counts(50, 50, 0.3, seed=4)), 5).numpy()
    largest = vectors[np.abs(vectors).argmax(axis=0), np.arange(5)]
    assert (largest > 0).all()


@pytest.mark.slow
def test_svd_is_exact_to_1e_6_on_a_2000_word_matrix():
    matrix = ppmi(random_counts(2_000, 2_000, 0.01, seed=5))
    dim = 100
    u, s, _ = np.linalg.svd(matrix.toarray(), full_matrices=False)  # (V, V), (V,)
    expected = (u[:, :dim] * s[:dim]) @ u[:, :dim].T  # eig_power 0.5: U Σ Uᵀ
    vectors = svd_embeddings(matrix, dim).numpy()
    error = np.abs(vectors @ vectors.T - expected).max() / np.abs(expected).max()
    assert error < 1e-6
