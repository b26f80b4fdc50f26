"""Word-pair evaluation and neighbour agreement against independent oracles: gensim's own
``evaluate_word_pairs``, scipy's ``spearmanr`` on each resample, and plain Python sets."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from gensim.models import KeyedVectors
from scipy.stats import spearmanr

from w2v_helpers import corpus
from w2v_helpers.corpus import Vocabulary, load_word_pairs
from w2v_helpers.evaluation import neighbour_overlap, spearman_difference, word_pairs

FILES = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}


def _vocab_and_vectors(dataset: str, seed: int = 0, keep_every: int = 2):
    """A vocabulary holding every other word of the dataset (so coverage is partial), random
    vectors in float32 (gensim's precision), and the same vectors as gensim KeyedVectors."""
    words = sorted({w for a, b, _ in load_word_pairs(FILES[dataset]) for w in (a, b)})
    words = words[::keep_every]
    vocab = Vocabulary(tuple(words), torch.ones(len(words), dtype=torch.long), 1)
    vectors = torch.randn(len(words), 20, generator=torch.Generator().manual_seed(seed))
    kv = KeyedVectors(vector_size=20)
    kv.add_vectors(list(words), vectors.numpy())
    return vocab, vectors, kv


@pytest.mark.parametrize("dataset", ["wordsim353", "simlex999"])
def test_spearman_and_coverage_agree_with_gensims_evaluate_word_pairs(dataset):
    vocab, vectors, kv = _vocab_and_vectors(dataset)
    result = word_pairs(vectors, vocab, dataset, bootstrap=100)
    pearson, (rho, _), oov_percent = kv.evaluate_word_pairs(
        corpus.test_data_path(FILES[dataset]), restrict_vocab=len(vocab), case_insensitive=True
    )
    assert result.spearman == pytest.approx(rho, abs=1e-6)
    assert result.pairs_total == len(load_word_pairs(FILES[dataset]))
    assert 1 - result.pairs_used / result.pairs_total == pytest.approx(oov_percent / 100, abs=1e-9)
    assert str(result).startswith(f"{dataset}: Spearman {result.spearman:.3f}")


def test_bootstrap_interval_is_the_percentiles_of_scipy_spearman_on_each_resample():
    vocab, vectors, _ = _vocab_and_vectors("wordsim353", seed=1)
    result = word_pairs(vectors, vocab, bootstrap=200, seed=7)
    pairs = [(a, b, s) for a, b, s in load_word_pairs("wordsim353.tsv")]
    used = [(a, b, s) for a, b, s in pairs if a in vocab.index and b in vocab.index]
    unit = vectors.double() / vectors.double().norm(dim=1, keepdim=True)
    human = np.array([s for _, _, s in used])
    model = np.array([float(unit[vocab.index[a]] @ unit[vocab.index[b]]) for a, b, _ in used])
    draw = np.random.default_rng(7).integers(0, len(used), size=(200, len(used)))
    rhos = [spearmanr(human[d], model[d]).statistic for d in draw]
    low, high = np.percentile(rhos, [2.5, 97.5])
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), abs=1e-12)
    assert result.ci_low < result.spearman < result.ci_high


def test_difference_of_a_set_with_itself_is_exactly_zero_and_paired():
    vocab, vectors, _ = _vocab_and_vectors("wordsim353", seed=2)
    assert spearman_difference(vectors, vectors, vocab, bootstrap=100) == (0.0, 0.0, 0.0)
    other = vectors + 0.5 * torch.randn(vectors.shape, generator=torch.Generator().manual_seed(3))
    diff, low, high = spearman_difference(other, vectors, vocab, bootstrap=300, seed=4)
    a = word_pairs(other, vocab, bootstrap=100).spearman
    b = word_pairs(vectors, vocab, bootstrap=100).spearman
    assert diff == pytest.approx(a - b, abs=1e-12)
    assert low <= diff <= high


def test_neighbour_overlap_counts_shared_neighbours_like_python_sets():
    g = torch.Generator().manual_seed(5)
    a, b = torch.randn(40, 6, generator=g), torch.randn(40, 6, generator=g)
    words = torch.tensor([0, 3, 7, 11])

    def top(v, w, n):
        sims = [(float(v[w] @ v[j] / (v[w].norm() * v[j].norm())), j) for j in range(40) if j != w]
        return {j for _, j in sorted(sims, reverse=True)[:n]}

    expected = sum(len(top(a, w, 5) & top(b, w, 5)) for w in words.tolist()) / (5 * 4)
    assert neighbour_overlap(a, b, words, topn=5) == pytest.approx(expected)
    assert neighbour_overlap(a, a, words, topn=5) == 1.0
    assert neighbour_overlap(a, 3 * a, words, topn=5) == 1.0  # cosine: scale does not matter
    assert not math.isclose(neighbour_overlap(a, b, words, topn=5), 1.0)
