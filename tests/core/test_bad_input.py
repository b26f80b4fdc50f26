"""A catalogue of bad inputs: each must raise the right exception, naming the parameter."""

import math

import numpy as np
import pytest
import scipy.sparse
import torch

from w2v_helpers.analogies import analogies, analogy_picks, answer_analogy
from w2v_helpers.corpus import (
    Vocabulary,
    build_vocabulary,
    dynamic_window_pairs,
    encode,
    keep_probabilities,
    load_word_pairs,
    noise_distribution,
    sample_noise,
    subsample,
    window_reach,
)
from w2v_helpers.counts import cooccurrence, distance_weight, ppmi, svd_embeddings
from w2v_helpers.data import random_cbow_batch
from w2v_helpers.evaluation import (
    most_similar,
    neighbour_overlap,
    relative_movement,
    spearman,
    spearman_difference,
    word_pairs,
    wordsim_spearman,
)
from w2v_helpers.glove import glove_gradients, glove_loss, train_glove
from w2v_helpers.gradients import (
    compare,
    input_side_grad,
    output_side_grad,
    score_grad,
    split_tied_gradient,
)
from w2v_helpers.hierarchical_softmax import (
    build_huffman_tree,
    hs_gradients,
    hs_log_probabilities,
    hs_loss,
)
from w2v_helpers.lessons.nb01_cbow_forward import (
    cbow_forward_report,
    check_parameter_count,
    check_scores_shape,
)
from w2v_helpers.lessons.nb02_bce_vs_ce import (
    check_initial_losses,
    loss_scale_report,
    plot_bce_element_loss,
    plot_loss_vs_vocab,
    plot_stability_scan,
    stability_scan,
)
from w2v_helpers.lessons.nb03_tied_weight_backward import (
    check_input_side_rows,
    plot_gradient_row_norms,
    tied_step_report,
)
from w2v_helpers.lessons.nb04_skipgram_multilabel import (
    plot_target_memory,
    skipgram_loss_report,
    target_memory_table,
)
from w2v_helpers.lessons.nb05_train_it_yourself import (
    neighbours_table,
    plot_losses,
    snapshot_view,
    window_demo,
)
from w2v_helpers.lessons.nb06_negative_sampling import full_scoring_cost, plot_full_scoring_cost
from w2v_helpers.lessons.nb07_fast_trainer_vs_gensim import (
    neighbours_report,
    plot_loss_curve,
    plot_projection,
)
from w2v_helpers.losses import bce_naive, bce_stable, ce_naive, ce_stable, softmax_entropy
from w2v_helpers.memory import (
    MemoryBudgetError,
    estimate_loss_scan_bytes,
    estimate_skipgram_target_bytes,
    estimate_tied_step_bytes,
    estimate_training_bytes,
)
from w2v_helpers.models import CBOW, SkipGram
from w2v_helpers.negative_sampling import sgns_loss
from w2v_helpers.notebook import setup, show_source
from w2v_helpers.reference import (
    ReferenceResult,
    SGNSModel,
    SkipGramPairs,
    multinomial_noise,
    sgns_gradients,
    train_sgns,
)
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
from w2v_helpers.targets import (
    collapse,
    collapse_tile_gap,
    first_occurrences,
    skipgram_bce_collapse,
    skipgram_bce_lean,
    skipgram_bce_tile,
    skipgram_ce,
)
from w2v_helpers.trainer import TrainConfig, resolve_device, train_word2vec, training_bytes

MODEL = CBOW(vocab_size=10, embedding_dim=4)
SKIP = SkipGram(vocab_size=10, embedding_dim=4)
S = torch.zeros(2, 10)  # (N, V) scores
T01 = torch.zeros(2, 10)  # (N, V) targets
Y = torch.tensor([[1, 2], [3, 4]])  # (N, T) context ids
W = torch.zeros(10, 4)  # (V, E) tied table

# (case id, callable, exception type, word the message must contain)
CASES = [
    ("vocab_size zero", lambda: CBOW(0), ValueError, "vocab_size"),
    ("vocab_size negative", lambda: CBOW(-5), ValueError, "vocab_size"),
    ("vocab_size float", lambda: CBOW(50.0), TypeError, "vocab_size"),
    ("vocab_size bool", lambda: CBOW(True), TypeError, "vocab_size"),
    ("vocab_size huge", lambda: CBOW(5_000_000_000), ValueError, "vocab_size"),
    ("embedding_dim zero", lambda: CBOW(10, 0), ValueError, "embedding_dim"),
    ("embedding_dim string", lambda: SkipGram(10, "128"), TypeError, "embedding_dim"),
    ("tied not bool", lambda: CBOW(10, 4, tied="yes"), TypeError, "tied"),
    ("ids float", lambda: MODEL(torch.zeros(2, 4)), TypeError, "x"),
    ("ids list", lambda: MODEL([[1, 2]]), TypeError, "x"),
    ("ids id == V", lambda: MODEL(torch.tensor([[1, 10]])), ValueError, "x"),
    ("ids negative", lambda: MODEL(torch.tensor([[-1, 2]])), ValueError, "x"),
    ("ids rank 1 for CBOW", lambda: MODEL(torch.tensor([1, 2])), ValueError, "x"),
    ("ids empty batch", lambda: MODEL(torch.zeros(0, 4, dtype=torch.long)), ValueError, "x"),
    ("skipgram window > 1", lambda: SKIP(torch.tensor([[1, 2]])), ValueError, "x"),
    ("bce targets > 1", lambda: bce_stable(S, T01 + 2), ValueError, "targets"),
    ("bce targets int", lambda: bce_naive(S, T01.long()), TypeError, "targets"),
    ("bce shape mismatch", lambda: bce_stable(S, torch.zeros(2, 9)), ValueError, "targets"),
    ("bce NaN scores", lambda: bce_stable(S * float("nan"), T01), ValueError, "scores"),
    ("bce inf scores", lambda: bce_naive(S + float("inf"), T01), ValueError, "scores"),
    ("bce eps negative", lambda: bce_naive(S, T01, eps=-1.0), ValueError, "eps"),
    ("ce y out of range", lambda: ce_stable(S, torch.tensor([0, 10])), ValueError, "y"),
    ("ce y float", lambda: ce_naive(S, torch.tensor([0.0, 1.0])), TypeError, "y"),
    ("ce batch mismatch", lambda: ce_stable(S, torch.tensor([0, 1, 2])), ValueError, "batch"),
    (
        "ce scores rank 1",
        lambda: ce_stable(torch.zeros(10), torch.tensor([0])),
        ValueError,
        "scores",
    ),
    (
        "ce scores int",
        lambda: ce_stable(torch.zeros(2, 10, dtype=torch.long), torch.tensor([0, 1])),
        TypeError,
        "scores",
    ),
    ("report window zero", lambda: cbow_forward_report(10, 0, 2, 4), ValueError, "window_size"),
    ("report batch string", lambda: cbow_forward_report(10, 2, "2", 4), TypeError, "batch_size"),
    ("batch vocab zero", lambda: random_cbow_batch(0, 2, 2), ValueError, "vocab_size"),
    (
        "entropy of ints",
        lambda: softmax_entropy(torch.ones(3, dtype=torch.long)),
        TypeError,
        "scores",
    ),
    ("estimate from setup seed", lambda: setup(seed=-1), ValueError, "seed"),
    (
        "check shape bad size",
        lambda: check_scores_shape((1, 2), batch_size=0, window_size=1, vocab_size=2),
        ValueError,
        "batch_size",
    ),
    (
        "check count bad dim",
        lambda: check_parameter_count(1, vocab_size=2, embedding_dim=-1),
        ValueError,
        "embedding_dim",
    ),
    (
        "collapse unknown policy",
        lambda: collapse(Y, 10, duplicates="merge"),
        ValueError,
        "duplicates",
    ),
    (
        "collapse repeat refused",
        lambda: collapse(torch.tensor([[1, 1]]), 10, duplicates="error"),
        ValueError,
        "duplicates",
    ),
    ("collapse id >= V", lambda: collapse(Y, 4), ValueError, "y"),
    ("collapse float ids", lambda: collapse(Y.float(), 10), TypeError, "y"),
    ("skipgram loss batch mismatch", lambda: skipgram_bce_lean(S, Y[:1]), ValueError, "batch"),
    (
        "skipgram loss NaN scores",
        lambda: skipgram_bce_collapse(S * float("nan"), Y),
        ValueError,
        "scores",
    ),
    (
        "score_grad unknown loss",
        lambda: score_grad(S, torch.tensor([0, 1]), loss="mse"),
        ValueError,
        "loss",
    ),
    (
        "tied split ids out of range",
        lambda: split_tied_gradient(W, torch.tensor([[1, 12]]), torch.tensor([0])),
        ValueError,
        "x",
    ),
    (
        "tied step target >= V",
        lambda: tied_step_report([3, 5, 8, 1], target_id=500),
        ValueError,
        "target_id",
    ),
    ("tied step negative lr", lambda: tied_step_report([3, 5, 8, 1], 3, lr=-0.1), ValueError, "lr"),
    ("loss scale zero", lambda: loss_scale_report(1000, 0.0), ValueError, "logit_scale"),
    ("stability scan empty", lambda: stability_scan([]), ValueError, "scales"),
    ("trainer unknown device", lambda: resolve_device("tpu"), ValueError, "device"),
    ("trainer device not a string", lambda: resolve_device(3), TypeError, "device"),
    (
        "noise power negative",
        lambda: noise_distribution(torch.ones(5), power=-1.0),
        ValueError,
        "power",
    ),
    (
        "keep probability t zero",
        lambda: keep_probabilities(torch.ones(5), 0.0),
        ValueError,
        "sample",
    ),
    (
        "skipgram report window zero",
        lambda: skipgram_loss_report(100, 0, 4),
        ValueError,
        "window_size",
    ),
]


# Notebook 06: corpus, noise sampling, trainer, evaluation and plots.
COUNTS = torch.tensor([5, 3, 2])  # (V,)
VOCAB = Vocabulary(words=("a", "b", "c"), counts=COUNTS, min_count=1)
VECS = torch.randn(3, 4)  # (V, E)
PROBS = torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64)  # (V,)
TEXT = [["a", "b", "a", "c", "b", "a"]]


def config(**kwargs):
    return lambda: TrainConfig(**kwargs)


ESTIMATE = dict(vector_size=4, window=2, block=4, noise_rows=4, chunk=8)


CASES += [
    ("config alpha 10", config(alpha=10.0), ValueError, "alpha"),
    ("config alpha inf", config(alpha=float("inf")), ValueError, "alpha"),
    ("config alpha nan", config(alpha=float("nan")), ValueError, "alpha"),
    ("config alpha 0", config(alpha=0.0), ValueError, "alpha"),
    ("config alpha text", config(alpha="0.1"), TypeError, "alpha"),
    ("config alpha bool", config(alpha=True), TypeError, "alpha"),
    ("config min_alpha over alpha", config(min_alpha=0.5), ValueError, "min_alpha"),
    ("config sample 1.5", config(sample=1.5), ValueError, "sample"),
    ("config sample 0", config(sample=0.0), ValueError, "sample"),
    ("config window 0", config(window=0), ValueError, "window"),
    ("config window 10000", config(window=10_000), ValueError, "window"),
    ("config epochs 10**7", config(epochs=10**7), ValueError, "epochs"),
    ("config epochs float", config(epochs=2.5), TypeError, "epochs"),
    ("config vector_size 10**7", config(vector_size=10**7), ValueError, "vector_size"),
    ("config negative 0", config(negative=0), ValueError, "negative"),
    ("config negative 0 says hs", config(negative=0), ValueError, "hs=True"),
    ("config negative -1 with hs", config(negative=-1, hs=True), ValueError, "negative"),
    ("config hs 2", config(hs=2), TypeError, "hs"),
    ("config hs text", config(hs="yes"), TypeError, "hs"),
    *(
        (
            f"training estimate {kw}",
            lambda kw=kw: estimate_training_bytes(9, 9, **ESTIMATE, **kw),
            error,
            name,
        )  # fmt: skip
        for name, kw, error in (
            ("path_length", {"path_length": -1}, ValueError),
            ("path_length", {"path_length": 2.5}, TypeError),
            ("model", {"model": "glove"}, ValueError),
            ("negative", {"negative": -1}, ValueError),
        )
    ),
    ("config negative 1000", config(negative=1000), ValueError, "negative"),
    ("config noise_rows 10**7", config(noise_rows=10**7), ValueError, "noise_rows"),
    ("config block 0", config(block=0), ValueError, "block"),
    ("config chunk not a multiple", config(chunk=100), ValueError, "chunk"),
    ("config chunk 10**9", config(chunk=10**9), ValueError, "chunk"),
    ("config workers 0", config(workers=0), ValueError, "workers"),
    ("config workers 1000", config(workers=1000), ValueError, "workers"),
    ("config workers 1.5", config(workers=1.5), TypeError, "workers"),
    ("config row_cap 0", config(row_cap=0), ValueError, "row_cap"),
    ("config row_cap text", config(row_cap="none"), TypeError, "row_cap"),
    ("config seed negative", config(seed=-1), ValueError, "seed"),
    ("config model glove", config(model="glove"), ValueError, "model"),
    ("config min_count 0", config(min_count=0), ValueError, "min_count"),
    ("train config not a config", lambda: train_word2vec(TEXT, "fast"), TypeError, "config"),
    ("train empty corpus", lambda: train_word2vec([], progress=False), ValueError, "sentences"),
    (
        "train text not tokens",
        lambda: train_word2vec("a b c", progress=False),
        TypeError,
        "sentences",
    ),
    (
        "train one token",
        lambda: train_word2vec([["solo"]], TrainConfig(min_count=1), progress=False),
        ValueError,
        "at least 2",
    ),
    ("train vocab wrong type", lambda: train_word2vec(TEXT, vocab={"a": 0}), TypeError, "vocab"),
    ("train device", lambda: train_word2vec(TEXT, device="tpu"), ValueError, "device"),
    ("vocabulary min_count 0", lambda: build_vocabulary(TEXT, 0), ValueError, "min_count"),
    ("vocabulary strings", lambda: build_vocabulary(["a b c"]), TypeError, "sentences"),
    ("config vector_size float", config(vector_size=2.5), TypeError, "vector_size"),
    (
        "sgns centre a list",
        lambda: sgns_loss([1.0], W[:1, :2], W[:1, None, :2]),
        TypeError,
        "centre",
    ),
    (
        "sgns noise float64 beside float32",
        lambda: sgns_loss(torch.zeros(1, 2), torch.zeros(1, 2), torch.zeros(1, 1, 2).double()),
        TypeError,
        r"share one dtype, got centre torch.float32, context torch.float32, noise torch.float64",
    ),
    (
        "sgns embedding dims differ",
        lambda: sgns_loss(torch.zeros(1, 2), torch.zeros(1, 3), torch.zeros(1, 1, 2)),
        ValueError,
        "embedding dim",
    ),
    ("vocabulary min_count too high", lambda: build_vocabulary(TEXT, 50), ValueError, "min_count"),
    (
        "keep counts nan",
        lambda: keep_probabilities(torch.tensor([1.0, float("nan")])),
        ValueError,
        "counts",
    ),
    (
        "keep counts negative",
        lambda: keep_probabilities(torch.tensor([3, -1])),
        ValueError,
        "counts",
    ),
    ("keep counts zero", lambda: keep_probabilities(torch.tensor([3, 0])), ValueError, "counts"),
    (
        "keep counts fractional",
        lambda: keep_probabilities(torch.tensor([1.5, 2.0])),
        ValueError,
        "counts",
    ),
    (
        "keep counts overflow",
        lambda: keep_probabilities(torch.full((4,), 2**62)),
        ValueError,
        "counts",
    ),
    ("keep counts 2-D", lambda: keep_probabilities(torch.ones(2, 2)), TypeError, "counts"),
    ("keep counts list", lambda: keep_probabilities([1, 2]), TypeError, "counts"),
    ("noise counts all zero", lambda: noise_distribution(torch.zeros(3)), ValueError, "counts"),
    ("noise power nan", lambda: noise_distribution(COUNTS, float("nan")), ValueError, "power"),
    ("subsample negative id", lambda: subsample(torch.tensor([0, -1]), PROBS), ValueError, "ids"),
    ("subsample id too large", lambda: subsample(torch.tensor([0, 7]), PROBS), ValueError, "ids"),
    ("subsample float ids", lambda: subsample(torch.tensor([0.0, 1.0]), PROBS), TypeError, "ids"),
    ("subsample keep over 1", lambda: subsample(torch.tensor([0]), PROBS * 3), ValueError, "keep"),
    ("subsample keep 2-D", lambda: subsample(torch.tensor([0]), PROBS[None]), TypeError, "keep"),
    ("noise raw counts", lambda: sample_noise(COUNTS.double(), (2,)), ValueError, "probs"),
    ("noise probs nan", lambda: sample_noise(PROBS * float("nan"), (2,)), ValueError, "probs"),
    ("noise probs negative", lambda: sample_noise(PROBS - 0.4, (2,)), ValueError, "probs"),
    ("noise probs int", lambda: sample_noise(COUNTS, (2,)), TypeError, "probs"),
    ("noise shape negative", lambda: sample_noise(PROBS, (-1,)), ValueError, "shape"),
    ("noise shape text", lambda: sample_noise(PROBS, "3"), ValueError, "shape"),
    (
        "noise table_size 0",
        lambda: sample_noise(PROBS, (2,), table_size=0),
        ValueError,
        "table_size",
    ),
    (
        "noise table_size huge",
        lambda: sample_noise(PROBS, (2,), table_size=10**12),
        ValueError,
        "table_size",
    ),
    ("reach length negative", lambda: window_reach(-1, 5), ValueError, "length"),
    ("reach window 0", lambda: window_reach(10, 0), ValueError, "window"),
    (
        "window pairs window 0",
        lambda: dynamic_window_pairs(torch.arange(5), 0),
        ValueError,
        "window",
    ),
    ("similar 1-D vectors", lambda: most_similar(VECS[0], VOCAB, "a"), ValueError, "vectors"),
    ("similar wrong rows", lambda: most_similar(VECS[:2], VOCAB, "a"), ValueError, "vectors"),
    (
        "similar nan vectors",
        lambda: most_similar(VECS * float("nan"), VOCAB, "a"),
        ValueError,
        "vectors",
    ),
    (
        "similar unknown word",
        lambda: most_similar(VECS, VOCAB, "zebra", topn=1),
        ValueError,
        "zebra",
    ),
    ("similar topn 0", lambda: most_similar(VECS, VOCAB, "a", topn=0), ValueError, "topn"),
    ("wordsim 1-D vectors", lambda: wordsim_spearman(VECS[0], VOCAB), ValueError, "vectors"),
    ("wordsim wrong rows", lambda: wordsim_spearman(VECS[:2], VOCAB), ValueError, "vectors"),
    (
        "projection unknown word",
        lambda: plot_projection(VECS, VOCAB, ["a", "b", "zebra"]),
        ValueError,
        "zebra",
    ),
    ("projection two words", lambda: plot_projection(VECS, VOCAB, ["a", "b"]), TypeError, "words"),
    ("loss curve nan", lambda: plot_loss_curve([1.0, float("nan")]), ValueError, "losses"),
    ("loss curve empty", lambda: plot_loss_curve([]), TypeError, "losses"),
    (
        "neighbours unknown word",
        lambda: neighbours_report("zebra", VOCAB, {"x": VECS}),
        ValueError,
        r"word must be in the vocabulary \(3 words\)",
    ),
    (
        "neighbours topn 0",
        lambda: neighbours_report("a", VOCAB, {"x": VECS}, 0),
        ValueError,
        "topn must be at least 1",
    ),
    (
        "neighbours topn 21",
        lambda: neighbours_report("a", VOCAB, {"x": VECS}, 21),
        ValueError,
        "topn.*at most 20",
    ),
    (
        "neighbours a tensor",
        lambda: neighbours_report("a", VOCAB, VECS),
        TypeError,
        "vectors must be a dict",
    ),
    (
        "neighbours three tables",
        lambda: neighbours_report("a", VOCAB, dict.fromkeys("xyz", VECS)),
        TypeError,
        "one or two tables",
    ),
    (
        "neighbours wrong rows",
        lambda: neighbours_report("a", VOCAB, {"x": VECS[:2]}),
        ValueError,
        "vectors",
    ),
]


# Notebook 02's helpers (moved from test_bce_ce.py).
CASES += [
    ("loss_scale vocab 1", lambda: loss_scale_report(1, 1.0), ValueError, "vocab_size"),
    ("loss_scale vocab float", lambda: loss_scale_report(10.0, 1.0), TypeError, "vocab_size"),
    ("loss_scale scale 0", lambda: loss_scale_report(10, 0.0), ValueError, "logit_scale"),
    ("loss_scale scale nan", lambda: loss_scale_report(10, math.nan), ValueError, "logit_scale"),
    ("loss_scale scale str", lambda: loss_scale_report(10, "1"), TypeError, "logit_scale"),
    (
        "loss_scale batch 0",
        lambda: loss_scale_report(10, 1.0, batch_size=0),
        ValueError,
        "batch_size",
    ),
    ("scan scales str", lambda: stability_scan("1, 2"), TypeError, "scales"),
    ("scan scales empty", lambda: stability_scan([]), ValueError, "scales"),
    ("scan scale negative", lambda: stability_scan([-1.0]), ValueError, "scales"),
    ("scan eps 0", lambda: stability_scan([1.0], eps=0.0), ValueError, "eps"),
    ("scan vocab 0", lambda: stability_scan([1.0], vocab_size=0), ValueError, "vocab_size"),
    (
        "score_grad loss name",
        lambda: score_grad(torch.zeros(2, 3), torch.tensor([0, 1]), loss="mse"),
        ValueError,
        "loss",
    ),
    (
        "score_grad y range",
        lambda: score_grad(torch.zeros(2, 3), torch.tensor([0, 3])),
        ValueError,
        "y",
    ),
    (
        "score_grad scores int",
        lambda: score_grad(torch.zeros(2, 3, dtype=torch.long), torch.tensor([0, 1])),
        TypeError,
        "scores",
    ),
    (
        "score_grad batch",
        lambda: score_grad(torch.zeros(2, 3), torch.tensor([0])),
        ValueError,
        "batch",
    ),
    ("compare manual list", lambda: compare("x", [1.0], torch.ones(1)), TypeError, "manual"),
    (
        "compare atol 0",
        lambda: compare("x", torch.ones(1), torch.ones(1), atol=0),
        ValueError,
        "atol",
    ),
    ("estimate batch 0", lambda: estimate_loss_scan_bytes(0, 10), ValueError, "batch_size"),
    ("element plot eps", lambda: plot_bce_element_loss(eps=0.0), ValueError, "eps"),
    ("element plot s_max", lambda: plot_bce_element_loss(s_max=1e6), ValueError, "s_max"),
    ("vocab plot report", lambda: plot_loss_vs_vocab("report"), TypeError, "report"),
    ("scan plot scan", lambda: plot_stability_scan(None), TypeError, "scan"),
]


# Notebook 03's helpers (moved from test_tied_backward.py).
W3 = torch.zeros(5, 3)  # (V, E)
X3 = torch.tensor([[0, 1]])  # (N, T)
Y3 = torch.tensor([2])  # (N,)
CASES += [
    ("split loss name", lambda: split_tied_gradient(W3, X3, Y3, loss="nll"), ValueError, "loss"),
    ("split x out of range", lambda: split_tied_gradient(W3, X3 + 5, Y3), ValueError, "x"),
    ("split y float", lambda: split_tied_gradient(W3, X3, Y3.float()), TypeError, "y"),
    ("split weight 1-D", lambda: split_tied_gradient(W3[0], X3, Y3), ValueError, "weight"),
    ("split batch", lambda: split_tied_gradient(W3, X3, torch.tensor([1, 2])), ValueError, "batch"),
    ("output hidden E", lambda: output_side_grad(torch.zeros(1, 4), W3, Y3), ValueError, "hidden"),
    (
        "output weight list",
        lambda: output_side_grad(torch.zeros(1, 3), [[0.0]], Y3),
        TypeError,
        "weight",
    ),
    ("input x rank 1", lambda: input_side_grad(X3[0], W3, Y3), ValueError, "x"),
    (
        "output hidden float64, weight float32",
        lambda: output_side_grad(torch.zeros(1, 3, dtype=torch.float64), W3, Y3),
        TypeError,
        r"share one dtype, got hidden torch.float64, weight torch.float32",
    ),
    ("report ids text", lambda: tied_step_report("3, five", 3), ValueError, "context_ids"),
    ("report ids float", lambda: tied_step_report([3.0, 5.0], 3), TypeError, "context_ids"),
    ("report ids empty", lambda: tied_step_report([], 3), ValueError, "context_ids"),
    ("report ids range", lambda: tied_step_report([3, 500], 3), ValueError, "context_ids"),
    ("report target range", lambda: tied_step_report([3], 500), ValueError, "target_id"),
    ("report target str", lambda: tied_step_report([3], "3"), TypeError, "target_id"),
    ("report lr 0", lambda: tied_step_report([3], 3, lr=0.0), ValueError, "lr"),
    ("report loss", lambda: tied_step_report([3], 3, loss="BCE"), ValueError, "loss"),
    ("report vocab", lambda: tied_step_report([3], 3, vocab_size=0), ValueError, "vocab_size"),
    ("estimate E", lambda: estimate_tied_step_bytes(5, 0, 1, 1), ValueError, "embedding_dim"),
    ("plot report", lambda: plot_gradient_row_norms("r"), TypeError, "report"),
]


# Notebook 04's target builders and losses (moved from test_targets.py): every loss validates
# its scores and ids the same way.
SG_SCORES = torch.zeros(2, 5)  # (N, V)
SG_Y = torch.tensor([[0, 1], [2, 3]])  # (N, T)
SG_BAD = [
    ("scores list", [[0.0, 1.0]], SG_Y, TypeError, "scores must be a torch.Tensor"),
    ("scores int", torch.zeros(2, 5, dtype=torch.long), SG_Y, TypeError, "scores must be a floa"),
    ("scores 3-D", torch.zeros(2, 3, 5), SG_Y, ValueError, "scores must be 2-D"),
    ("scores NaN", torch.full((2, 5), float("nan")), SG_Y, ValueError, "scores must be finite"),
    ("y list", SG_SCORES, [[1, 2]], TypeError, "y must be a torch.Tensor"),
    ("y float", SG_SCORES, torch.ones(2, 2), TypeError, "y must hold integer token ids"),
    ("y 1-D", SG_SCORES, torch.tensor([1, 2]), ValueError, "y must be 2-D"),
    ("y id == V", SG_SCORES, torch.tensor([[1, 5], [0, 0]]), ValueError, r"ids in \[0, 4\]"),
    ("y negative", SG_SCORES, torch.tensor([[1, -1], [0, 0]]), ValueError, "y must hold ids"),
    ("y batch", SG_SCORES, torch.tensor([[1, 2]]), ValueError, "scores has 2, y has 1"),
]
for loss_fn in (
    skipgram_bce_collapse,
    skipgram_bce_tile,
    skipgram_bce_lean,
    skipgram_ce,
    collapse_tile_gap,
):
    CASES += [
        (f"{loss_fn.__name__} {name}", lambda f=loss_fn, s=s, y=y: f(s, y), error, pattern)
        for name, s, y, error, pattern in SG_BAD
    ]
for fn, args in (
    (collapse, (torch.tensor([[0, 1]]), 5)),
    (skipgram_bce_collapse, (SG_SCORES[:1], torch.tensor([[0, 1]]))),
    (skipgram_bce_lean, (SG_SCORES[:1], torch.tensor([[0, 1]]))),
):
    CASES += [
        (
            f"{fn.__name__} duplicates 'sum'",
            lambda f=fn, a=args: f(*a, "sum"),
            ValueError,
            r"duplicates must be one of \('clip', 'count', 'error'\)",
        ),
        (
            f"{fn.__name__} duplicates True",
            lambda f=fn, a=args: f(*a, True),
            TypeError,
            "duplicates must be one of .* got True",
        ),
    ]
CASES += [
    ("collapse vocab 0", lambda: collapse(torch.tensor([[0]]), 0), ValueError, "vocab_size must"),
    ("collapse vocab float", lambda: collapse(torch.tensor([[0]]), 5.0), TypeError, "vocab_size"),
    (
        "collapse int dtype",
        lambda: collapse(torch.tensor([[0]]), 3, dtype=torch.long),
        TypeError,
        "dtype must be a floating",
    ),
    ("collapse id == V", lambda: collapse(torch.tensor([[3]]), 3), ValueError, r"ids in \[0, 2\]"),
    ("first_occurrences list", lambda: first_occurrences([[1, 2]]), TypeError, "y must be a torch"),
    ("first_occurrences 1-D", lambda: first_occurrences(torch.tensor([1, 2])), ValueError, "2-D"),
]

# Notebook 04's report, memory table and figure (moved from test_skipgram_explore.py).
CASES += [
    (
        "target bytes method",
        lambda: estimate_skipgram_target_bytes(10, 2, 2, "onehot"),
        ValueError,
        "method must be one of",
    ),
    (
        "target bytes window float",
        lambda: estimate_skipgram_target_bytes(10, 2.5, 2, "tile"),
        TypeError,
        "window_size must be a positive whole number",
    ),
    (
        "target bytes dtype_bytes",
        lambda: estimate_skipgram_target_bytes(10, 2, 2, "tile", dtype_bytes=3),
        ValueError,
        "dtype_bytes must be 2, 4 or 8",
    ),
    (
        "sg report vocab 0",
        lambda: skipgram_loss_report(0, 4, 2),
        ValueError,
        "vocab_size must be at least 1",
    ),
    (
        "sg report window 1001",
        lambda: skipgram_loss_report(100, 1001, 2),
        ValueError,
        "window_size must be at least 1 and at most 1,000",
    ),
    (
        "sg report batch str",
        lambda: skipgram_loss_report(100, 4, "16"),
        TypeError,
        "batch_size must be a positive whole number",
    ),
    (
        "sg report score str",
        lambda: skipgram_loss_report(100, 4, 2, target_score="high"),
        TypeError,
        "target_score must be a number",
    ),
    (
        "sg report score 99",
        lambda: skipgram_loss_report(100, 4, 2, target_score=99.0),
        ValueError,
        r"target_score must be in \[-50, 50\]",
    ),
    (
        "memory table empty",
        lambda: target_memory_table((), (4,), 16),
        TypeError,
        "vocab_sizes must be a non-empty tuple",
    ),
    (
        "memory table window 0",
        lambda: target_memory_table((100,), (0,), 16),
        ValueError,
        r"window_sizes\[i\] must be at least 1",
    ),
    (
        "memory plot vocab 0",
        lambda: plot_target_memory(0, 4, 16),
        ValueError,
        "vocab_size must be at least 1",
    ),
]

# Exercise checks' own settings (moved from test_checks_02_03.py).
CASES += [
    (
        "initial losses vocab 1",
        lambda: check_initial_losses((0.7, 9.2), vocab_size=1),
        ValueError,
        "vocab_size",
    ),
    (
        "initial losses vocab str",
        lambda: check_initial_losses((0.7, 9.2), vocab_size="10"),
        TypeError,
        "vocab_size",
    ),
    (
        "input rows context empty",
        lambda: check_input_side_rows({1}, context_ids=[], target_id=0, vocab_size=5),
        TypeError,
        "context_ids",
    ),
    (
        "input rows context range",
        lambda: check_input_side_rows({1}, context_ids=[1, 9], target_id=0, vocab_size=5),
        ValueError,
        "context_ids",
    ),
]

# Notebook 06's cost measurement and figure (moved from test_full_scoring_cost.py), and the
# trainer's device (moved from test_negative_sampling.py).
COST = None


def _cost():
    global COST
    if COST is None:
        COST = full_scoring_cost((10,), batch_size=2, embedding_dim=4, repeats=1)
    return COST


CASES += [
    ("cost vocab empty", lambda: full_scoring_cost(()), ValueError, "vocab_sizes"),
    ("cost vocab 0", lambda: full_scoring_cost((0,)), ValueError, "vocab_size"),
    ("cost batch -1", lambda: full_scoring_cost((10,), batch_size=-1), ValueError, "batch_size"),
    ("cost E float", lambda: full_scoring_cost((10,), embedding_dim=2.5), TypeError, "embedding"),
    ("cost repeats 0", lambda: full_scoring_cost((10,), repeats=0), ValueError, "repeats"),
    ("cost plot K 0", lambda: plot_full_scoring_cost(_cost(), negatives=0), ValueError, "negat"),
    ("cost plot K -1", lambda: plot_full_scoring_cost(_cost(), negatives=-1), ValueError, "negat"),
    ("cost plot K 2.5", lambda: plot_full_scoring_cost(_cost(), negatives=2.5), TypeError, "negat"),
    ("device tpu", lambda: resolve_device("tpu0"), ValueError, "device must be"),
    ("device int", lambda: resolve_device(3), TypeError, "device"),
]

# ---- Notebook 05 (train it yourself): its lesson helpers, relative_movement, show_source ----
VOCAB5 = Vocabulary(words=("a", "b", "c", "d"), counts=torch.tensor([4, 3, 2, 1]), min_count=1)
VECS5 = torch.eye(4, 3, dtype=torch.float64) + 0.5  # (V, E)
RESULT5 = ReferenceResult(  # one epoch of two batches, built by hand
    batch_losses=(0.7, 0.6),
    epoch_losses=(0.65,),
    snapshots=(VECS5, VECS5),
    learning_rates=(0.025, 0.02),
    epoch_ends=(2,),
    pairs_seen=8,
    seconds=0.0,
)
IDS5 = torch.tensor([0, 1, 2, 3])  # (L,)
CASES += [
    ("nb05 demo ids list", lambda: window_demo([0, 1], VOCAB5, 2), TypeError, "ids"),
    (
        "nb05 demo ids 2-D",
        lambda: window_demo(IDS5[None], VOCAB5, 2),
        ValueError,
        "ids must be 1-D",
    ),
    (
        "nb05 demo ids empty",
        lambda: window_demo(IDS5[:0], VOCAB5, 2),
        ValueError,
        "ids must not be empty",
    ),
    (
        "nb05 demo ids out of range",
        lambda: window_demo(IDS5 + 10, VOCAB5, 2),
        ValueError,
        r"ids must hold ids in \[0,",
    ),
    ("nb05 demo ids negative", lambda: window_demo(IDS5 - 10, VOCAB5, 2), ValueError, "ids"),
    ("nb05 demo count 0", lambda: window_demo(IDS5, VOCAB5, 2, count=0), ValueError, "count"),
    ("nb05 demo count 51", lambda: window_demo(IDS5, VOCAB5, 2, count=51), ValueError, "count"),
    ("nb05 demo count float", lambda: window_demo(IDS5, VOCAB5, 2, count=2.0), TypeError, "count"),
    ("nb05 demo window 0", lambda: window_demo(IDS5, VOCAB5, 0), ValueError, "window"),
    ("nb05 demo vocab dict", lambda: window_demo(IDS5, {"a": 0}, 2), TypeError, "vocab"),
    (
        "nb05 neighbours unknown word",
        lambda: neighbours_table(VECS5, VOCAB5, ["a", "zebra"]),
        ValueError,
        "zebra",
    ),
    ("nb05 neighbours words str", lambda: neighbours_table(VECS5, VOCAB5, "a"), TypeError, "words"),
    (
        "nb05 neighbours words empty",
        lambda: neighbours_table(VECS5, VOCAB5, []),
        TypeError,
        "words",
    ),
    (
        "nb05 neighbours vocab list",
        lambda: neighbours_table(VECS5, ["a"], ["a"]),
        TypeError,
        "vocab",
    ),
    (
        "nb05 neighbours topn 4",
        lambda: neighbours_table(VECS5, VOCAB5, ["a"], topn=4),
        ValueError,
        "topn",
    ),
    ("nb05 snapshot epoch -1", lambda: snapshot_view(RESULT5, VOCAB5, -1), ValueError, "epoch"),
    ("nb05 snapshot epoch 2 of 1", lambda: snapshot_view(RESULT5, VOCAB5, 2), ValueError, "epoch"),
    ("nb05 snapshot epoch float", lambda: snapshot_view(RESULT5, VOCAB5, 1.0), TypeError, "epoch"),
    ("nb05 snapshot result dict", lambda: snapshot_view({}, VOCAB5, 0), TypeError, "result"),
    ("nb05 plot_losses empty", lambda: plot_losses([]), ValueError, "batch_losses"),
    ("nb05 plot_losses nan", lambda: plot_losses([1.0, math.nan]), ValueError, "batch_losses"),
    ("nb05 plot_losses end -1", lambda: plot_losses([1.0], [-1]), ValueError, "epoch_ends"),
    (
        "nb05 movement zero row",
        lambda: relative_movement(VECS5 * torch.tensor([[1.0], [1.0], [0.0], [1.0]]), VECS5),
        ValueError,
        "zero row",
    ),
    (
        "nb05 movement shape mismatch",
        lambda: relative_movement(VECS5, VECS5[:, :2]),
        ValueError,
        "after",
    ),
    ("nb05 movement rows differ", lambda: relative_movement(VECS5, VECS5[:3]), ValueError, "after"),
    ("nb05 movement before list", lambda: relative_movement([[1.0]], VECS5), TypeError, "before"),
    ("nb05 show_source builtin", lambda: show_source(len), TypeError, "fn"),
    ("nb05 show_source class", lambda: show_source(Vocabulary), TypeError, "fn"),
]
# ---- end of notebook 05 ----

# Notebook 06's evaluation: word pairs with coverage and intervals, neighbour agreement.
EV_VOCAB = Vocabulary(("tiger", "cat", "king", "queen"), torch.tensor([4, 3, 2, 1]), 1)
EV_VEC = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))  # (V, E)
CASES += [
    ("pairs dataset", lambda: word_pairs(EV_VEC, EV_VOCAB, "men"), ValueError, "dataset must be"),
    ("pairs too few", lambda: word_pairs(EV_VEC, EV_VOCAB), ValueError, "need 10"),
    ("pairs bootstrap 10", lambda: word_pairs(EV_VEC, EV_VOCAB, bootstrap=10), ValueError, "boot"),
    (
        "pairs bootstrap float",
        lambda: word_pairs(EV_VEC, EV_VOCAB, bootstrap=1e3),
        TypeError,
        "boot",
    ),
    ("pairs vectors rows", lambda: word_pairs(EV_VEC[:3], EV_VOCAB), ValueError, "vectors"),
    ("pairs seed -1", lambda: word_pairs(EV_VEC, EV_VOCAB, seed=-1), ValueError, "seed"),
    (
        "difference rows",
        lambda: spearman_difference(EV_VEC, EV_VEC[:2], EV_VOCAB),
        ValueError,
        "vectors_b",
    ),
    (
        "overlap topn",
        lambda: neighbour_overlap(EV_VEC, EV_VEC, torch.tensor([0]), topn=4),
        ValueError,
        "topn",
    ),
    (
        "overlap ids",
        lambda: neighbour_overlap(EV_VEC, EV_VEC, torch.tensor([9]), topn=1),
        ValueError,
        "words",
    ),
    (
        "overlap shapes",
        lambda: neighbour_overlap(EV_VEC, EV_VEC[:3], torch.tensor([0])),
        ValueError,
        "vectors_b",
    ),
    (
        "overlap NaN",
        lambda: neighbour_overlap(EV_VEC * math.nan, EV_VEC, torch.tensor([0])),
        ValueError,
        "vectors_a",
    ),
]

# Notebook 05's reference trainer.
REF_IDS = [torch.tensor([0, 1, 2, 3])]
SGNS = SGNSModel(10, 4)
P10 = torch.full((10,), 0.1, dtype=torch.float64)
ONE = torch.tensor([1])
TWO = torch.tensor([1, 2])
Z = torch.zeros(2, 3, dtype=torch.float64)


def _train(**changes):
    args = dict(sentences=REF_IDS, vocab_size=10, noise_probs=P10, embedding_dim=4, epochs=1)
    return train_sgns(**{**args, **changes})


REFERENCE_CASES = [
    ("pairs window 0", lambda: SkipGramPairs(REF_IDS, 0), ValueError, "window must be at least 1"),
    ("pairs window 51", lambda: SkipGramPairs(REF_IDS, 51), ValueError, "window.*at most 50"),
    ("pairs no sentences", lambda: SkipGramPairs([], 2), ValueError, "sentences"),
    ("pairs one tensor", lambda: SkipGramPairs(REF_IDS[0], 2), TypeError, r"sentences.*\[ids\]"),
    ("pairs float sentence", lambda: SkipGramPairs([Z[0]], 2), TypeError, r"sentences\[0\]"),
    ("pairs 2-D sentence", lambda: SkipGramPairs([Z.long()], 2), TypeError, r"sentences\[0\]"),
    ("pairs id negative", lambda: SkipGramPairs([TWO - 2], 2), ValueError, r"sentences\[0\]"),
    ("pairs seed -1", lambda: SkipGramPairs(REF_IDS, 2, seed=-1), ValueError, "seed"),
    ("model vocab 0", lambda: SGNSModel(0, 4), ValueError, "vocab_size"),
    ("model dim 2049", lambda: SGNSModel(10, 2049), ValueError, "embedding_dim.*2,048"),
    ("model sparse str", lambda: SGNSModel(10, 4, sparse="no"), TypeError, "sparse"),
    ("model memory", lambda: SGNSModel(10_000_000, 2048), MemoryBudgetError, "memory budget"),
    (
        "forward id == V",
        lambda: SGNS(ONE * 10, ONE, ONE[:, None]),
        ValueError,
        r"centre.*0, 9",
    ),
    ("forward float ids", lambda: SGNS(ONE, ONE * 1.0, ONE[:, None]), TypeError, "context"),
    ("forward noise 1-D", lambda: SGNS(ONE, ONE, ONE), ValueError, "noise must be 2-D"),
    (
        "forward batches",
        lambda: SGNS(TWO, ONE, TWO[:, None]),
        ValueError,
        "batch sizes differ",
    ),
    ("grads E differ", lambda: sgns_gradients(Z, Z[:, :2], Z[:, None]), ValueError, "embedding"),
    ("grads NaN", lambda: sgns_gradients(Z, Z, Z[:, None] / 0), ValueError, "noise must be finite"),
    ("noise K 65", lambda: multinomial_noise(P10, 2, 65), ValueError, "negative.*at most 64"),
    ("noise K 0", lambda: multinomial_noise(P10, 2, 0), ValueError, "negative"),
    ("noise N -1", lambda: multinomial_noise(P10, -1, 2), ValueError, "num_pairs"),
    ("noise cap", lambda: multinomial_noise(P10, 10**7, 2), ValueError, r"num_pairs \* negative"),
    ("noise probs sum 2", lambda: multinomial_noise(P10 * 2, 2, 2), ValueError, "probs"),
    ("train window 0", lambda: _train(window=0), ValueError, "window"),
    ("train negative 65", lambda: _train(negative=65), ValueError, "negative"),
    ("train lr 0", lambda: _train(lr=0), ValueError, r"lr must be in \(0, 10\]"),
    ("train lr nan", lambda: _train(lr=math.nan), ValueError, "lr"),
    ("train lr 11", lambda: _train(lr=11), ValueError, "lr"),
    ("train lr string", lambda: _train(lr="0.1"), TypeError, "lr"),
    ("train epochs 0", lambda: _train(epochs=0), ValueError, "epochs"),
    ("train epochs 101", lambda: _train(epochs=101), ValueError, "epochs"),
    ("train batch 0", lambda: _train(batch_size=0), ValueError, "batch_size"),
    ("train batch huge", lambda: _train(batch_size=65_537), ValueError, "batch_size"),
    ("train dim 0", lambda: _train(embedding_dim=0), ValueError, "embedding_dim"),
    ("train seed -1", lambda: _train(seed=-1), ValueError, "seed"),
    ("train shuffle str", lambda: _train(shuffle="no"), TypeError, "shuffle must be True or False"),
    ("train no sentences", lambda: _train(sentences=[]), ValueError, "sentences"),
    ("train float sentence", lambda: _train(sentences=[Z[0]]), TypeError, r"sentences\[0\]"),
    ("train id >= V", lambda: _train(sentences=[ONE, TWO * 5]), ValueError, r"sentences\[1\]"),
    ("train noise length", lambda: _train(noise_probs=P10[:5] * 2), ValueError, "noise_probs"),
    ("train noise not probs", lambda: _train(noise_probs=P10 * 3), ValueError, "noise_probs"),
    ("train keep length", lambda: _train(keep=P10[:3]), ValueError, "keep"),
    ("train keep ints", lambda: _train(keep=ONE.repeat(10)), TypeError, "keep"),
    ("train no pairs", lambda: _train(sentences=[ONE, ONE]), ValueError, "no pairs"),
    (
        "train memory",
        lambda: _train(
            vocab_size=100_000,
            noise_probs=torch.full((100_000,), 1e-5, dtype=torch.float64),
            embedding_dim=2048,
            epochs=100,
        ),
        MemoryBudgetError,
        "Lower embedding_dim, epochs",
    ),
]
CASES += [(f"reference {name}", *rest) for name, *rest in REFERENCE_CASES]

# Hierarchical softmax (notebook 08).
_TREE = build_huffman_tree(torch.tensor([5, 3, 2, 1]))
_H = torch.zeros(2, 3, dtype=torch.float64)
_W = torch.zeros(3, 3, dtype=torch.float64)
_Y = torch.tensor([0, 3])

HS_CASES = [
    ("tree one word", lambda: build_huffman_tree(torch.tensor([4])), ValueError, "2 to 2,000,000"),
    ("tree zero count", lambda: build_huffman_tree(torch.tensor([3, 0])), ValueError, "counts"),
    ("tree half counts", lambda: build_huffman_tree(torch.tensor([3.5, 1.0])), ValueError, "whole"),
    ("tree a list", lambda: hs_loss(_H, _W, [1, 2], _Y), TypeError, "tree must be a HuffmanTree"),
    ("hidden 1-D", lambda: hs_loss(_H[0], _W, _TREE, _Y), TypeError, "hidden must be a 2-D"),
    ("inner ints", lambda: hs_loss(_H, _W.long(), _TREE, _Y), TypeError, "inner must be a 2-D"),
    ("inner rows", lambda: hs_loss(_H, _W[:2], _TREE, _Y), ValueError, r"V - 1 = 3"),
    ("dtypes differ", lambda: hs_loss(_H, _W.float(), _TREE, _Y), ValueError, "share"),
    ("hidden NaN", lambda: hs_loss(_H / 0, _W, _TREE, _Y), ValueError, "hidden must be finite"),
    ("target 4", lambda: hs_loss(_H, _W, _TREE, torch.tensor([0, 4])), ValueError, "targets"),
    ("targets 2-D", lambda: hs_loss(_H, _W, _TREE, _Y[None]), ValueError, "targets"),
    ("targets count", lambda: hs_loss(_H, _W, _TREE, _Y[:1]), ValueError, "one id per hidden row"),
    ("grads target -1", lambda: hs_gradients(_H, _W, _TREE, -_Y - 1), ValueError, "targets"),
    ("logp inner rows", lambda: hs_log_probabilities(_H, _W[:1], _TREE), ValueError, "inner"),
]
CASES += [(f"hs {name}", *rest) for name, *rest in HS_CASES]

# Counts, PPMI, SVD and GloVe (notebook 10).
_TEXT = [["a", "b", "c", "a", "b"]]
_VOCAB = build_vocabulary(_TEXT, min_count=1)
_DENSE = np.array([[0.0, 2.0, 1.0], [2.0, 0.0, 3.0], [1.0, 3.0, 4.0]])  # (V, V)
_C = scipy.sparse.csr_array(_DENSE)
_NAN_C = scipy.sparse.csr_array(np.where(_DENSE == 4.0, np.nan, _DENSE))
_NEG_C = scipy.sparse.csr_array(-_DENSE)
_G_W = torch.zeros(3, 2, dtype=torch.float64)  # (V, E)
_G_B = torch.zeros(3, dtype=torch.float64)  # (V,)
_G_ID = torch.tensor([0, 1, 2])  # (P,)
_G_X = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)  # (P,)
_G_ARGS = (_G_W, _G_W, _G_B, _G_B, _G_ID, _G_ID, _G_X)


def _loss(**changes):
    names = ("W", "W_tilde", "b", "b_tilde", "rows", "cols", "x")
    return glove_loss(**{**dict(zip(names, _G_ARGS, strict=True)), **changes})


COUNT_CASES = [
    ("window 0", lambda: cooccurrence(_TEXT, _VOCAB, 0), ValueError, "window must be at least 1"),
    ("window 51", lambda: cooccurrence(_TEXT, _VOCAB, 51), ValueError, "window.*at most 50"),
    ("window float", lambda: cooccurrence(_TEXT, _VOCAB, 2.5), TypeError, "window"),
    (
        "unknown weighting",
        lambda: cooccurrence(_TEXT, _VOCAB, 2, "harmonic"),
        ValueError,
        r"weighting must be one of \('uniform', 'word2vec', 'glove'\)",
    ),
    ("empty corpus", lambda: cooccurrence([], _VOCAB, 2), ValueError, "sentences hold no word"),
    ("only unknown words", lambda: cooccurrence([["zz"]], _VOCAB, 2), ValueError, "sentences"),
    ("list of strings", lambda: cooccurrence(["a b"], _VOCAB, 2), TypeError, "token lists"),
    ("vocab a dict", lambda: cooccurrence(_TEXT, {"a": 0}, 2), TypeError, "vocab must be"),
    ("ppmi cds 0", lambda: ppmi(_C, cds=0), ValueError, r"cds must be in \(0, 1\], got 0"),
    ("ppmi cds negative", lambda: ppmi(_C, cds=-0.75), ValueError, r"cds must be in \(0, 1\]"),
    ("ppmi cds 1.5", lambda: ppmi(_C, cds=1.5), ValueError, r"cds must be in \(0, 1\]"),
    ("ppmi shift 0.5", lambda: ppmi(_C, shift=0.5), ValueError, r"shift must be in \[1, inf\)"),
    ("ppmi shift nan", lambda: ppmi(_C, shift=math.nan), ValueError, "shift"),
    ("ppmi NaN counts", lambda: ppmi(_NAN_C), ValueError, "counts must be finite"),
    ("ppmi negative counts", lambda: ppmi(_NEG_C), ValueError, "counts must hold counts >= 0"),
    ("ppmi dense counts", lambda: ppmi(_DENSE), TypeError, "counts must be a 2-D scipy.sparse"),
    (
        "ppmi all zeros",
        lambda: ppmi(scipy.sparse.csr_array((3, 3))),
        ValueError,
        "counts holds no non-zero",
    ),
    ("svd dim = V", lambda: svd_embeddings(_C, 3), ValueError, r"dim must be .* at most 2, got 3"),
    ("svd dim 0", lambda: svd_embeddings(_C, 0), ValueError, "dim must be at least 1"),
    ("svd eig_power 2", lambda: svd_embeddings(_C, 1, 2.0), ValueError, r"eig_power.*\[0, 1\]"),
    ("svd NaN matrix", lambda: svd_embeddings(_NAN_C, 1), ValueError, "matrix must be finite"),
    ("glove x zero", lambda: _loss(x=_G_X * 0), ValueError, r"x must hold the non-zero counts"),
    ("glove x NaN", lambda: _loss(x=_G_X / 0 * 0), ValueError, "x must be finite"),
    (
        "glove rows >= V",
        lambda: _loss(rows=_G_ID + 1),
        ValueError,
        r"rows must hold ids in \[0, 2\]",
    ),
    ("glove cols float", lambda: _loss(cols=_G_X), TypeError, "cols must hold integer"),
    ("glove cells differ", lambda: _loss(cols=_G_ID[:2]), ValueError, "one entry per cell"),
    ("glove E differ", lambda: _loss(W_tilde=_G_W[:, :1]), ValueError, "share the embedding"),
    ("glove bias rows", lambda: _loss(b=_G_B[:2]), ValueError, "b must have one entry per row"),
    ("glove x_max 0", lambda: glove_loss(*_G_ARGS, x_max=0), ValueError, r"x_max must be in \(0"),
    ("glove alpha 2", lambda: glove_gradients(*_G_ARGS, alpha=2), ValueError, r"alpha.*\[0, 1\]"),
    ("train dim 0", lambda: train_glove(_C, 0, 1), ValueError, "dim must be at least 1"),
    ("train dim 2049", lambda: train_glove(_C, 2049, 1), ValueError, "dim.*at most 2,048"),
    ("train epochs 0", lambda: train_glove(_C, 2, 0), ValueError, "epochs must be at least 1"),
    (
        "train learning_rate 0",
        lambda: train_glove(_C, 2, 1, learning_rate=0),
        ValueError,
        r"learning_rate must be in \(0, 10\]",
    ),
    ("train learning_rate 11", lambda: train_glove(_C, 2, 1, learning_rate=11), ValueError, "lear"),
    ("train batch 0", lambda: train_glove(_C, 2, 1, batch_size=0), ValueError, "batch_size"),
    ("train seed -1", lambda: train_glove(_C, 2, 1, seed=-1), ValueError, "seed"),
    ("train x_max inf", lambda: train_glove(_C, 2, 1, x_max=math.inf), ValueError, "x_max"),
    ("train NaN counts", lambda: train_glove(_NAN_C, 2, 1), ValueError, "counts must be finite"),
    ("train negative counts", lambda: train_glove(_NEG_C, 2, 1), ValueError, "counts must hold"),
    ("train not square", lambda: train_glove(_C[:2], 2, 1), ValueError, r"square \(V, V\)"),
]
CASES += [(f"counts {name}", *rest) for name, *rest in COUNT_CASES]

_SGNS = TrainConfig()
_IDS = torch.tensor([0, 1, 2, 0])  # (L,)
_HUGE_SEED = 2**70
_PAIR_VOCAB = build_vocabulary(
    [sorted({w for a, b, _ in load_word_pairs("wordsim353.tsv")[:40] for w in (a, b)})],
    min_count=1,
)
# Issue 30's categories at the entry points of corpus, data, reference, evaluation, notebook,
# glove: sentences that would be read wrongly, seeds and generators, data names, sizes that the
# memory guard must refuse before allocating.
CASES += [
    ("vocab from a string", lambda: build_vocabulary("a b c"), TypeError, "single string"),
    ("vocab from a generator", lambda: build_vocabulary(iter([["a"]])), TypeError, "generator"),
    ("vocab from None", lambda: build_vocabulary(None), TypeError, "got None"),
    ("vocab token int", lambda: build_vocabulary([["a", 1]]), TypeError, r"sentences\[0\]\[1\]"),
    ("encode string sentence", lambda: encode(["a b"], _VOCAB), TypeError, r"sentences\[0\]"),
    ("encode vocab not one", lambda: encode(_TEXT, {"a": 0}), TypeError, "vocab must be a Vocab"),
    (
        "subsample int generator",
        lambda: subsample(_IDS, PROBS, generator=5),
        TypeError,
        r"manual_seed\(5\)",
    ),
    (
        "noise text generator",
        lambda: sample_noise(PROBS, (2,), generator="g"),
        TypeError,
        "generator",
    ),
    (
        "noise draws huge",
        lambda: sample_noise(PROBS, (10**7, 10**4)),
        MemoryBudgetError,
        "noise draws",
    ),
    ("reach length huge", lambda: window_reach(10**12, 5), MemoryBudgetError, "window reaches"),
    ("reach int generator", lambda: window_reach(3, 2, generator=1), TypeError, "generator"),
    (
        "pairs float ids",
        lambda: dynamic_window_pairs(torch.ones(3), 2),
        TypeError,
        "integer token ids",
    ),
    ("pairs ids list", lambda: dynamic_window_pairs([0, 1], 2), TypeError, "ids must be a 1-D"),
    ("batch huge", lambda: random_cbow_batch(10, 10**9, 10**3), MemoryBudgetError, "batch_size"),
    (
        "batch int generator",
        lambda: random_cbow_batch(10, 2, 2, generator=3),
        TypeError,
        "generator",
    ),
    (
        "noise draws int generator",
        lambda: multinomial_noise(PROBS, 2, 2, generator=3),
        TypeError,
        "generator",
    ),
    (
        "word pairs huge seed",
        lambda: word_pairs(torch.zeros(3, 2), _VOCAB, seed=_HUGE_SEED),
        ValueError,
        "seed",
    ),
    ("config huge seed", lambda: TrainConfig(seed=_HUGE_SEED), ValueError, "seed.*at most"),
    ("config generator seed", lambda: TrainConfig(seed=torch.Generator()), TypeError, "generator="),
    ("setup huge seed", lambda: setup(seed=_HUGE_SEED), ValueError, "seed"),
    ("glove huge seed", lambda: train_glove(_C, 2, 1, seed=_HUGE_SEED), ValueError, "seed"),
    ("word pairs file up", lambda: load_word_pairs("../x.txt"), ValueError, "without folders"),
    ("word pairs file absolute", lambda: load_word_pairs("/etc/passwd"), ValueError, "name"),
    ("word pairs file empty", lambda: load_word_pairs(""), ValueError, "name"),
    ("word pairs file not text", lambda: load_word_pairs(3), TypeError, "file name"),
    ("spearman constant", lambda: spearman([1, 1, 1], [1, 2, 3]), ValueError, "a must hold"),
    ("spearman one value", lambda: spearman([1], [2]), ValueError, "at least two"),
    (
        "word pairs zero vectors",
        lambda: word_pairs(torch.zeros(len(_PAIR_VOCAB), 3), _PAIR_VOCAB),
        ValueError,
        "zero rows",
    ),
    (
        "wordsim zero vectors",
        lambda: wordsim_spearman(torch.zeros(len(_PAIR_VOCAB), 3), _PAIR_VOCAB),
        ValueError,
        "zero rows",
    ),
    (
        "most_similar zero row",
        lambda: most_similar(torch.zeros(len(_PAIR_VOCAB), 3), _PAIR_VOCAB, _PAIR_VOCAB.words[0]),
        ValueError,
        "zero row",
    ),
]
CASES += [
    (
        "training_bytes config",
        lambda: training_bytes({"window": 5}, _VOCAB, 10),
        TypeError,
        "config must be a TrainConfig",
    ),
    ("training_bytes vocab", lambda: training_bytes(_SGNS, ["a"], 10), TypeError, "vocab"),
    ("training_bytes tokens 0", lambda: training_bytes(_SGNS, _VOCAB, 0), ValueError, "tokens"),
]
_SW_VOCAB = Vocabulary(words=("a", "b", "c"), counts=torch.tensor([5, 3, 2]), min_count=1)
_SW_TEXT = [["a", "b", "a", "c", "b", "a"]]
CASES += [
    ("ngrams min_n 0", lambda: char_ngrams("cat", 0, 3), ValueError, "min_n must be at least 1"),
    ("ngrams min_n float", lambda: char_ngrams("cat", 2.0, 3), TypeError, "min_n"),
    ("ngrams max_n < min_n", lambda: char_ngrams("cat", 4, 3), ValueError, "max_n must be at le"),
    ("ngrams max_n huge", lambda: char_ngrams("cat", 3, 65), ValueError, "max_n.*at most 64"),
    ("ngrams empty word", lambda: char_ngrams(""), ValueError, "word must be a non-empty"),
    ("ngrams word not str", lambda: char_ngrams(b"cat"), TypeError, "word must be a string"),
    ("ngrams word None", lambda: char_ngrams(None), TypeError, "word must be a string"),
    ("hashes buckets 0", lambda: ngram_hashes("cat", buckets=0), ValueError, "buckets must be"),
    ("hashes buckets huge", lambda: ngram_hashes("cat", buckets=10**9), ValueError, "buckets.*at"),
    ("hashes max_n < min_n", lambda: ngram_hashes("cat", 5, 2), ValueError, "max_n"),
    ("hashes empty word", lambda: ngram_hashes(""), ValueError, "word must be a non-empty"),
    ("hashes word int", lambda: ngram_hashes(7), TypeError, "word must be a string"),
    ("bags vocab list", lambda: SubwordBags.build(["a"]), TypeError, "vocab must be a Vocab"),
    (
        "bags word empty",
        lambda: SubwordBags.build(_SW_VOCAB).of_words(["a", ""]),
        ValueError,
        r"words\[1\] must be a non-empty",
    ),
    ("collision buckets 0", lambda: collision_share(["cat"], 0), ValueError, "buckets"),
    (
        "subword buckets over budget",
        lambda: train_subwords(_SW_TEXT, TrainConfig(min_count=1), buckets=40_000_000),
        MemoryBudgetError,
        "buckets=40,000,000",
    ),
    (
        "subword buckets 0",
        lambda: train_subwords(_SW_TEXT, TrainConfig(min_count=1), buckets=0),
        ValueError,
        "buckets must be at least 1",
    ),
    (
        "subword min_n 0",
        lambda: train_subwords(_SW_TEXT, TrainConfig(min_count=1), min_n=0),
        ValueError,
        "min_n",
    ),
    (
        "subword cbow",
        lambda: train_subwords(_SW_TEXT, TrainConfig(model="cbow")),
        ValueError,
        "model='skipgram'",
    ),
    (
        "subword workers 2",
        lambda: train_subwords(_SW_TEXT, TrainConfig(workers=2)),
        ValueError,
        "workers must be 1",
    ),
    ("subword config dict", lambda: train_subwords(_SW_TEXT, {}), TypeError, "config must be"),
    (
        "subword fit buckets",
        lambda: check_buckets_fit(10, 40_000_000, 100),
        MemoryBudgetError,
        "Lower buckets",
    ),
]

# Round 3: dtype mixes, finite numbers and loop lengths in the newer modules.
_AN_VOCAB = Vocabulary(("king", "queen", "man", "woman"), torch.tensor([4, 3, 2, 1]), 1)
_AN_ZERO = torch.eye(4)[[0, 1, 2, 2]] * torch.tensor([[1.0], [1.0], [1.0], [0.0]])  # (V, E)
_BAG_TABLE = torch.zeros(4, 2)  # (V + H, E)
_BAG_FLAT = torch.tensor([0, 1, 2])  # (Z,)
_BAG_OFFSETS = torch.tensor([0, 2])  # (n,)
CASES += [
    (
        "glove W float32 beside float64",
        lambda: _loss(W=_G_W.float()),
        TypeError,
        "share one dtype, got W torch.float32, W_tilde torch.float64",
    ),
    (
        "glove gradients x float32",
        lambda: glove_gradients(*_G_ARGS[:6], _G_X.float()),
        TypeError,
        "share one dtype.* x torch.float32",
    ),
    (
        "distance 0",
        lambda: distance_weight(0, 5, "glove"),
        ValueError,
        "distance must be at least 1 and at most 5",
    ),
    (
        "distance past the window",
        lambda: distance_weight(6, 5, "word2vec"),
        ValueError,
        "distance must be at least 1 and at most 5, got 6",
    ),
    ("distance weighting", lambda: distance_weight(1, 5, "hyper"), ValueError, "weighting"),
    ("fnv1a str", lambda: fnv1a("abc"), TypeError, "data must be bytes"),
    (
        "bag table NaN",
        lambda: bag_vectors(_BAG_TABLE + math.nan, _BAG_FLAT, _BAG_OFFSETS),
        ValueError,
        "table must be finite: the rows of 2 bag",
    ),
    (
        "bag table int",
        lambda: bag_vectors(_BAG_TABLE.long(), _BAG_FLAT, _BAG_OFFSETS),
        TypeError,
        "table must be a 2-D floating tensor",
    ),
    (
        "bag flat float",
        lambda: bag_vectors(_BAG_TABLE, _BAG_FLAT.float(), _BAG_OFFSETS),
        TypeError,
        "flat must be a 1-D tensor of int64 ids",
    ),
    (
        "bag flat 2-D",
        lambda: bag_vectors(_BAG_TABLE, _BAG_FLAT[None], _BAG_OFFSETS),
        TypeError,
        r"flat must be a 1-D tensor of int64 ids, got torch.int64 \(1, 3\)",
    ),
    (
        "bag flat past the table",
        lambda: bag_vectors(_BAG_TABLE, _BAG_FLAT + 2, _BAG_OFFSETS),
        ValueError,
        r"flat must hold rows of table in \[0, 3\], got 4",
    ),
    (
        "bag offsets not from 0",
        lambda: bag_vectors(_BAG_TABLE, _BAG_FLAT, _BAG_OFFSETS + 1),
        ValueError,
        "offsets must start at 0",
    ),
    (
        "analogies no question covered",
        lambda: analogies(torch.ones(3, 2), build_vocabulary([["x", "y", "z"]], 1)),
        ValueError,
        "vocab covers none of the 19,544 questions",
    ),
    (
        "analogy picks no question covered",
        lambda: analogy_picks(torch.ones(3, 2), build_vocabulary([["x", "y", "z"]], 1)),
        ValueError,
        "vocab covers none",
    ),
    (
        "answer analogy zero row",
        lambda: answer_analogy(_AN_ZERO, _AN_VOCAB, "man", "king", "woman"),
        ValueError,
        "vectors holds zero rows for 1 word.*'woman'",
    ),
    (
        "scoring cost repeats 101",
        lambda: full_scoring_cost((10,), repeats=101),
        ValueError,
        "repeats must be at least 1 and at most 100",
    ),
    (
        "scoring cost 21 sizes",
        lambda: full_scoring_cost(tuple(range(1, 22))),
        ValueError,
        "vocab_sizes must name 1 to 20 vocabulary sizes, got 21",
    ),
    (
        "scoring cost sizes a string",
        lambda: full_scoring_cost("1000"),
        TypeError,
        "vocab_sizes must be a sequence",
    ),
    (
        "memory table 101 sizes",
        lambda: target_memory_table(tuple(range(1, 102)), (4,), 16),
        ValueError,
        "vocab_sizes must hold at most 100 sizes",
    ),
]

if not torch.cuda.is_available():
    CASES.append(("device cuda absent", lambda: resolve_device("cuda"), ValueError, "no CUDA"))


@pytest.mark.parametrize(
    ("call", "error", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_raises_a_clear_error_naming_the_parameter(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_case_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_out_of_range_id_message_says_the_allowed_range():
    with pytest.raises(ValueError, match=r"\[0, 9\].*got 10"):
        MODEL(torch.tensor([[1, 10]]))
