"""Hostile input, generated: one argument of a public function at a time is replaced by anything
Hypothesis draws (None, strings, generators, nested lists, huge and negative ints, NaN and
infinities, tensors of the wrong dtype or rank, empty inputs). Every call must either return or
raise ``TypeError``, ``ValueError`` or ``MemoryBudgetError`` with a message naming that argument,
and must do so quickly: no crash, no hang, no opaque error from deep inside.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import scipy.sparse
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from w2v_helpers.analogies import analogies, analogy_picks, answer_analogy, load_analogies
from w2v_helpers.corpus import (
    Vocabulary,
    build_vocabulary,
    encode,
    keep_probabilities,
    load_word_pairs,
    noise_distribution,
    sample_noise,
    window_reach,
)
from w2v_helpers.counts import (
    check_count_matrix,
    cooccurrence,
    distance_weight,
    ppmi,
    svd_embeddings,
)
from w2v_helpers.evaluation import WORD_PAIR_FILES, most_similar, word_pairs
from w2v_helpers.glove import train_glove
from w2v_helpers.hierarchical_softmax import (
    build_huffman_tree,
    hs_gradients,
    hs_log_probabilities,
    hs_loss,
)
from w2v_helpers.lessons.formatting import format_rate, format_timing
from w2v_helpers.memory import MemoryBudgetError
from w2v_helpers.subword_trainer import train_subwords
from w2v_helpers.subwords import (
    SubwordBags,
    bag_vectors,
    char_ngrams,
    check_buckets_fit,
    collision_share,
    fnv1a,
    ngram_hashes,
)
from w2v_helpers.trainer import TrainConfig

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True)
SECONDS = 3.0  # the slowest refusal or small result allowed

_TEXT = [["a", "b", "c", "a", "b"], ["c", "a"]]
_VOCAB = build_vocabulary(_TEXT, min_count=1)
_COUNTS = torch.tensor([5, 3, 2])  # (V,)
_PROBS = torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64)  # (V,)
_MATRIX = cooccurrence(_TEXT, _VOCAB, 2)  # (V, V)
_PAIR_WORDS = sorted(
    {
        w
        for name in WORD_PAIR_FILES.values()
        for a, b, _ in load_word_pairs(name)[:30]
        for w in (a, b)
    }
)
_PAIR_VOCAB = build_vocabulary([_PAIR_WORDS], min_count=1)
_PAIR_VECTORS = torch.randn(len(_PAIR_VOCAB), 4, generator=torch.Generator().manual_seed(0))

_TREE = build_huffman_tree(_COUNTS)
_HIDDEN = torch.randn(2, 4, generator=torch.Generator().manual_seed(1))  # (N, E)
_INNER = torch.randn(2, 4, generator=torch.Generator().manual_seed(2))  # (V - 1, E)
_TARGETS = torch.tensor([0, 2])  # (N,)
_AN_WORDS = sorted({w for _, qs in load_analogies() for q in qs[:3] for w in q})
_AN_VOCAB = Vocabulary(
    words=tuple(_AN_WORDS), counts=torch.arange(len(_AN_WORDS), 0, -1) + 4, min_count=1
)
_AN_VECTORS = torch.randn(len(_AN_WORDS), 4, generator=torch.Generator().manual_seed(3))
_A, _B, _C = load_analogies()[0][1][0][:3]
_BAGS = SubwordBags.build(_VOCAB, buckets=50)
_TABLE = torch.randn(_BAGS.table_rows, 3, generator=torch.Generator().manual_seed(4))
_FLAT = torch.tensor([0, 3, 4, 1])  # (Z,)
_OFFSETS = torch.tensor([0, 2])  # (n,)
_SW_CONFIG = TrainConfig(vector_size=4, epochs=1, min_count=1, chunk=64, sample=0.5)


def _hostile() -> st.SearchStrategy:
    """Values a learner might pass by mistake, and some no one would."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=6),
        st.lists(st.one_of(st.integers(-3, 3), st.text(max_size=2)), max_size=3),
        st.lists(st.lists(st.integers(0, 3), max_size=2), max_size=2),
        st.builds(lambda: (w for w in ["a", "b"])),  # a generator
        st.sampled_from(
            [
                torch.tensor([1.0, float("nan")]),
                torch.tensor([[1, 2], [3, 4]]),
                torch.zeros(0),
                torch.tensor([True, False]),
                np.array([0.5, 0.5]),
                scipy.sparse.csr_array(np.array([[0.0, -1.0], [1.0, 0.0]])),
                (),
                {},
                object(),
                Ellipsis,
            ]
        ),
    )


# name -> (the argument fuzzed, a call taking its value)
CALLS = {
    "build_vocabulary sentences": ("sentences", lambda v: build_vocabulary(v, 1)),
    "build_vocabulary min_count": ("min_count", lambda v: build_vocabulary(_TEXT, v)),
    "encode sentences": ("sentences", lambda v: encode(v, _VOCAB)),
    "encode vocab": ("vocab", lambda v: encode(_TEXT, v)),
    "cooccurrence sentences": ("sentences", lambda v: cooccurrence(v, _VOCAB, 2)),
    "cooccurrence window": ("window", lambda v: cooccurrence(_TEXT, _VOCAB, v)),
    "cooccurrence weighting": ("weighting", lambda v: cooccurrence(_TEXT, _VOCAB, 2, v)),
    "ppmi counts": ("counts", lambda v: ppmi(v)),
    "ppmi cds": ("cds", lambda v: ppmi(_MATRIX, cds=v)),
    "ppmi shift": ("shift", lambda v: ppmi(_MATRIX, shift=v)),
    "svd dim": ("dim", lambda v: svd_embeddings(_MATRIX, v)),
    "svd eig_power": ("eig_power", lambda v: svd_embeddings(_MATRIX, 1, v)),
    "keep counts": ("counts", lambda v: keep_probabilities(v)),
    "keep sample": ("sample", lambda v: keep_probabilities(_COUNTS, v)),
    "noise power": ("power", lambda v: noise_distribution(_COUNTS, v)),
    "sample_noise shape": ("shape", lambda v: sample_noise(_PROBS, v)),
    "sample_noise generator": ("generator", lambda v: sample_noise(_PROBS, (2,), generator=v)),
    "window_reach length": ("length", lambda v: window_reach(v, 2)),
    "window_reach window": ("window", lambda v: window_reach(3, v)),
    "word_pairs dataset": ("dataset", lambda v: word_pairs(_PAIR_VECTORS, _PAIR_VOCAB, v)),
    "word_pairs bootstrap": (
        "bootstrap",
        lambda v: word_pairs(_PAIR_VECTORS, _PAIR_VOCAB, bootstrap=v),
    ),
    "word_pairs seed": ("seed", lambda v: word_pairs(_PAIR_VECTORS, _PAIR_VOCAB, seed=v)),
    "word_pairs vectors": ("vectors", lambda v: word_pairs(v, _PAIR_VOCAB)),
    "most_similar topn": (
        "topn",
        lambda v: most_similar(_PAIR_VECTORS, _PAIR_VOCAB, _PAIR_WORDS[0], v),
    ),
    "config window": ("window", lambda v: TrainConfig(window=v)),
    "config epochs": ("epochs", lambda v: TrainConfig(epochs=v)),
    "config seed": ("seed", lambda v: TrainConfig(seed=v)),
    "config alpha": ("alpha", lambda v: TrainConfig(alpha=v)),
    "glove dim": ("dim", lambda v: train_glove(_MATRIX, v, 1)),
    "glove learning_rate": ("learning_rate", lambda v: train_glove(_MATRIX, 2, 1, learning_rate=v)),
    "format_timing seconds": ("seconds", lambda v: format_timing(v)),
    "format_rate count": ("count", lambda v: format_rate(v, 1.0)),
}
# The newer modules: hierarchical softmax, analogies, counts, subwords, the subword trainer's
# configuration. name -> (the argument fuzzed, a call taking its value, a good value)
CALLS_WITH_GOOD = {
    "huffman counts": ("counts", lambda v: build_huffman_tree(v), _COUNTS),
    "hs_loss hidden": ("hidden", lambda v: hs_loss(v, _INNER, _TREE, _TARGETS), _HIDDEN),
    "hs_loss inner": ("inner", lambda v: hs_loss(_HIDDEN, v, _TREE, _TARGETS), _INNER),
    "hs_loss tree": ("tree", lambda v: hs_loss(_HIDDEN, _INNER, v, _TARGETS), _TREE),
    "hs_loss targets": ("targets", lambda v: hs_loss(_HIDDEN, _INNER, _TREE, v), _TARGETS),
    "hs_gradients targets": (
        "targets",
        lambda v: hs_gradients(_HIDDEN, _INNER, _TREE, v),
        _TARGETS,
    ),
    "hs_log_probabilities hidden": (
        "hidden",
        lambda v: hs_log_probabilities(v, _INNER, _TREE),
        _HIDDEN,
    ),
    "analogies vectors": ("vectors", lambda v: analogies(v, _AN_VOCAB), _AN_VECTORS),
    "analogies vocab": ("vocab", lambda v: analogies(_AN_VECTORS, v), _AN_VOCAB),
    "analogies method": ("method", lambda v: analogies(_AN_VECTORS, _AN_VOCAB, v), "3cosmul"),
    "analogy_picks method": (
        "method",
        lambda v: analogy_picks(_AN_VECTORS, _AN_VOCAB, v),
        "3cosadd",
    ),
    "answer_analogy a": ("a", lambda v: answer_analogy(_AN_VECTORS, _AN_VOCAB, v, _B, _C), _A),
    "answer_analogy topn": (
        "topn",
        lambda v: answer_analogy(_AN_VECTORS, _AN_VOCAB, _A, _B, _C, topn=v),
        2,
    ),
    "distance_weight distance": ("distance", lambda v: distance_weight(v, 5, "glove"), 2),
    "distance_weight window": ("window", lambda v: distance_weight(1, v, "word2vec"), 5),
    "distance_weight weighting": ("weighting", lambda v: distance_weight(1, 5, v), "uniform"),
    "check_count_matrix matrix": ("matrix", lambda v: check_count_matrix("matrix", v), _MATRIX),
    "char_ngrams word": ("word", lambda v: char_ngrams(v), "where"),
    "char_ngrams min_n": ("min_n", lambda v: char_ngrams("where", v, 6), 3),
    "char_ngrams max_n": ("max_n", lambda v: char_ngrams("where", 3, v), 5),
    "ngram_hashes buckets": ("buckets", lambda v: ngram_hashes("where", 3, 6, v), 100),
    "fnv1a data": ("data", lambda v: fnv1a(v), b"<wh"),
    "collision_share words": ("words", lambda v: collision_share(v, 100), ["where", "here"]),
    "collision_share buckets": ("buckets", lambda v: collision_share(["where"], v), 100),
    "bag_vectors table": ("table", lambda v: bag_vectors(v, _FLAT, _OFFSETS), _TABLE),
    "bag_vectors flat": ("flat", lambda v: bag_vectors(_TABLE, v, _OFFSETS), _FLAT),
    "bag_vectors offsets": ("offsets", lambda v: bag_vectors(_TABLE, _FLAT, v), _OFFSETS),
    "check_buckets_fit buckets": ("buckets", lambda v: check_buckets_fit(3, v, 4), 100),
    "SubwordBags buckets": ("buckets", lambda v: SubwordBags.build(_VOCAB, buckets=v), 50),
    "train_subwords config": (
        "config",
        lambda v: train_subwords(_TEXT, v, buckets=50, vocab=_VOCAB),
        _SW_CONFIG,
    ),
    "train_subwords buckets": (
        "buckets",
        lambda v: train_subwords(_TEXT, _SW_CONFIG, buckets=v, vocab=_VOCAB),
        50,
    ),
}
CALLS.update({name: (argument, call) for name, (argument, call, _) in CALLS_WITH_GOOD.items()})


@pytest.mark.parametrize("name", sorted(CALLS))
def test_each_call_with_a_good_value_works(name):
    """The fuzzed calls are sound to start with: a reasonable value passes (so a refusal below is
    the hostile value's doing)."""
    good = {
        "sentences": _TEXT,
        "min_count": 1,
        "vocab": _VOCAB,
        "window": 2,
        "weighting": "uniform",
        "counts": _MATRIX if name.startswith("ppmi") else _COUNTS,
        "cds": 0.5,
        "shift": 2.0,
        "dim": 1,
        "eig_power": 0.5,
        "sample": 1e-3,
        "power": 0.75,
        "shape": (2, 3),
        "generator": torch.Generator().manual_seed(0),
        "length": 4,
        "dataset": "simlex999",
        "bootstrap": 100,
        "seed": 3,
        "vectors": _PAIR_VECTORS,
        "topn": 2,
        "epochs": 2,
        "alpha": 0.01,
        "learning_rate": 0.1,
        "seconds": 0.5,
        "count": 10,
    }
    argument, call = CALLS[name]
    call(CALLS_WITH_GOOD[name][2] if name in CALLS_WITH_GOOD else good[argument])


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_hostile_argument_is_refused_by_name_or_handled(name):
    argument, call = CALLS[name]

    @SETTINGS
    @given(_hostile())
    def attempt(value):
        start = time.perf_counter()
        try:
            call(value)
        except (TypeError, ValueError, MemoryBudgetError) as err:
            message = str(err)
            assert argument in message or "sentences" in message, (
                f"{name}: {value!r:.60} gave an error that does not name {argument!r}: {message}"
            )
        elapsed = time.perf_counter() - start
        assert elapsed < SECONDS, f"{name}: {value!r:.60} took {elapsed:.1f} s"

    attempt()
