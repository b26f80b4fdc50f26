"""fastText's subwords against gensim, the bag mean against a loop, a step against autograd."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from gensim.models.fasttext import compute_ngrams, ft_hash_bytes, ft_ngram_hashes
from gensim.test.utils import datapath

from w2v_helpers.chunk_updates import tile_chunk
from w2v_helpers.corpus import Vocabulary
from w2v_helpers.subword_trainer import SubwordResult, subword_update, train_subwords
from w2v_helpers.subwords import (
    SubwordBags,
    bag_vectors,
    char_ngrams,
    collision_share,
    fnv1a,
    ngram_hashes,
)
from w2v_helpers.training_config import TrainConfig

ODD_WORDS = [
    "café", "naïve", "Straße", "über", "façade", "résumé", "Ελλάδα", "москва", "東京",
    "東京大学", "日本語", "中文", "한국어", "😀", "a😀b", "ﬁ", "x", "ab", "e\u0301", "العربية",
]  # fmt: skip
RANGES = [(3, 6), (1, 1), (1, 3), (2, 5), (4, 4), (5, 8)]


@pytest.fixture(scope="module")
def words() -> list[str]:
    """About 3,400 words of gensim's Lee corpus (punctuation and digits included), and ours."""
    with open(datapath("lee_background.cor"), encoding="utf-8") as f:
        seen = sorted({w for line in f for w in line.lower().split()})
    return seen[::3] + ODD_WORDS


@pytest.mark.parametrize(("min_n", "max_n"), RANGES)
def test_char_ngrams_equal_gensims_compute_ngrams_in_order(words, min_n, max_n):
    bad = [w for w in words if char_ngrams(w, min_n, max_n) != compute_ngrams(w, min_n, max_n)]
    assert bad == []


@pytest.mark.parametrize(("min_n", "max_n"), RANGES)
@pytest.mark.parametrize("buckets", [1, 1_000, 200_000, 2_000_000])
def test_ngram_hashes_equal_gensims_ft_ngram_hashes(words, min_n, max_n, buckets):
    got = [ngram_hashes(w, min_n, max_n, buckets) for w in words]
    want = [ft_ngram_hashes(w, min_n, max_n, buckets) for w in words]
    assert got == want


def test_fnv1a_reads_bytes_as_signed_chars_like_fasttext():
    for text in ["", "<th", "é", "東京>", "<😀>", "\x7f\x80\xff"]:
        data = text.encode("utf-8")
        assert fnv1a(data) == ft_hash_bytes(data)
    assert fnv1a(b"") == 2166136261
    plain = 2166136261 ^ 0xC3  # an unsigned read of the byte 0xC3 would give this
    assert fnv1a(b"\xc3") != (plain * 16777619) & 0xFFFFFFFF


def test_hash_order_is_by_start_and_ngram_order_by_length():
    grams = char_ngrams("where", 3, 4)
    assert grams[:3] == ["<wh", "whe", "her"]  # all 3-grams first
    by_start = ["<wh", "<whe", "whe", "wher", "her", "here", "ere", "ere>", "re>"]
    assert ngram_hashes("where", 3, 4, 1000) == [fnv1a(g.encode()) % 1000 for g in by_start]


def test_lone_boundary_marks_are_ngrams_only_for_char_ngrams():
    assert char_ngrams("ab", 1, 1) == ["<", "a", "b", ">"]
    assert len(ngram_hashes("ab", 1, 1, 100)) == 2


def test_collision_share_matches_a_dictionary_count():
    some = ["where", "here", "there", "cat", "cats", "東京", "café"] + [
        f"w{i}x" for i in range(300)
    ]
    grams = sorted({g for w in some for g in char_ngrams(w)})
    owners: dict[int, int] = {}
    for g in grams:
        owners[fnv1a(g.encode()) % 5_000] = owners.get(fnv1a(g.encode()) % 5_000, 0) + 1
    shared = sum(1 for g in grams if owners[fnv1a(g.encode()) % 5_000] > 1)
    assert collision_share(some, 5_000) == pytest.approx(shared / len(grams), abs=1e-12)


def _toy_vocab() -> Vocabulary:
    words = ("the", "cat", "sat", "on", "mat", "hat")
    return Vocabulary(words=words, counts=torch.tensor([9, 5, 4, 3, 2, 2]), min_count=1)


def test_embedding_bag_mean_equals_a_per_word_loop():
    vocab = _toy_vocab()
    bags = SubwordBags.build(vocab, 2, 4, buckets=11)
    table = torch.randn(bags.table_rows, 5, dtype=torch.float64)  # (V + H, E)
    words = ["cat", "cats", "the", "dog", "é", "hat"]
    flat, offsets, _ = bags.of_words(words)
    got = bag_vectors(table, flat, offsets)  # (n, E)
    for i, word in enumerate(words):
        rows = [vocab.index[word]] if word in vocab.index else []
        rows += [len(vocab) + h for h in ngram_hashes(word, 2, 4, 11)]
        want = sum(table[r] for r in rows) / len(rows)
        assert torch.allclose(got[i], want, atol=1e-12), word
    flat, offsets, _ = bags.of_ids(torch.tensor([1, 0, 5]))
    assert torch.allclose(bag_vectors(table, flat, offsets), got[[0, 2, 5]], atol=1e-12)


def _pair_loss(hidden, output, chunk, neg_ids, negative):
    """The SGNS loss of a chunk, pair by pair (the oracle): each centre's window rows and its
    block's noise rows, each noise row weighted negative / M per positive pair."""
    total = 0.0
    B, S = chunk.centre_ids.shape
    M = neg_ids.shape[1]
    for b in range(B):
        for s in range(S):
            h = hidden[b * S + s]
            window = [c for c in range(chunk.tile_ids.shape[1]) if chunk.mask[b, s, c]]
            for c in window:
                total = total + F.softplus(-(h @ output[chunk.tile_ids[b, c]]))
            for m in range(M):
                w = negative / M * len(window)
                total = total + w * F.softplus(h @ output[neg_ids[b, m]])
    return total


def test_one_step_matches_autograd_on_a_float64_toy():
    vocab = _toy_vocab()
    bags = SubwordBags.build(vocab, 2, 3, buckets=7)
    config = TrainConfig(window=2, block=4, chunk=8, noise_rows=3, negative=2, row_cap=math.inf)
    g = torch.Generator().manual_seed(3)
    table = torch.randn(bags.table_rows, 4, generator=g, dtype=torch.float64) * 0.3  # (V+H, E)
    output = torch.randn(6, 4, generator=g, dtype=torch.float64) * 0.3  # (V, E)
    stream = torch.tensor([0, 1, 2, 3, 0, 4, 1, 5, 2])  # (L,)
    reach = torch.tensor([2, 1, 2, 2, 1, 2, 2, 1, 2])  # (L,)
    chunk = tile_chunk(stream, reach, 0, config)
    neg_ids = torch.tensor([[5, 3, 0], [2, 4, 4]])  # (B, M)
    centres = chunk.centre_ids.reshape(-1)  # (n,)
    leaf_h = torch.stack(
        [table[bags.rows[v, : bags.sizes[v]]].mean(0) for v in centres.tolist()]
    ).requires_grad_()  # (n, E)
    leaf_out = output.clone().requires_grad_()  # (V, E)
    _pair_loss(leaf_h, leaf_out, chunk, neg_ids, 2).backward()
    lr = 0.05
    want_table = table.clone()
    for i, v in enumerate(centres.tolist()):
        if chunk.centre_ok.reshape(-1)[i]:
            for r in bags.rows[v, : bags.sizes[v]].tolist():
                want_table[r] -= lr * leaf_h.grad[i]  # the whole step to every bag row
    want_out = output - lr * leaf_out.grad
    subword_update(table, output, bags, chunk, neg_ids, lr, config)
    assert torch.allclose(table, want_table, atol=1e-12)
    assert torch.allclose(output, want_out, atol=1e-12)


@pytest.mark.slow
def test_unknown_word_vector_follows_gensims_rule_on_its_own_model():
    from gensim.models import FastText

    text = [["the", "cat", "sat", "on", "the", "mat", "with", "a", "hat"]] * 40
    model = FastText(text, vector_size=8, min_count=1, bucket=97, epochs=2, seed=0, workers=1)
    wv = model.wv
    counts = torch.tensor([wv.get_vecattr(w, "count") for w in wv.index_to_key])
    vocab = Vocabulary(words=tuple(wv.index_to_key), counts=counts, min_count=1)
    bags = SubwordBags.build(vocab, wv.min_n, wv.max_n, wv.bucket)
    result = SubwordResult(
        bags=bags,
        table=torch.tensor(np.vstack([wv.vectors_vocab, wv.vectors_ngrams])),  # (V + H, E)
        output=torch.tensor(model.syn1neg),  # (V, E)
        config=TrainConfig(),
    )
    words = ["cats", "hatter", "sat", "é", "東京", "xy"]
    want = torch.tensor(np.stack([wv[w] for w in words]))  # (n, E)
    assert torch.allclose(result.vectors_of(words), want, atol=1e-6)


@pytest.mark.slow
def test_training_on_a_toy_corpus_lowers_the_loss_and_is_seeded():
    text = [["the", "cat", "sat", "on", "the", "mat"], ["a", "dog", "sat", "on", "a", "log"]] * 60
    config = TrainConfig(epochs=3, min_count=1, chunk=64, block=16, vector_size=16, sample=0.5)
    a = train_subwords(text, config, buckets=500)
    b = train_subwords(text, config, buckets=500)
    assert torch.equal(a.table, b.table)
    assert a.losses[-1] < a.losses[0]
    assert a.vectors_of(["cats"]).shape == (1, 16)
