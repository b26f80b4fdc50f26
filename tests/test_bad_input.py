"""A catalogue of bad inputs: each must raise the right exception, naming the parameter."""

import pytest
import torch

from w2v_helpers.checks import check_parameter_count, check_scores_shape
from w2v_helpers.corpus import keep_probabilities, noise_distribution
from w2v_helpers.data import random_cbow_batch
from w2v_helpers.explore import (
    cbow_forward_report,
    loss_scale_report,
    skipgram_loss_report,
    softmax_entropy,
    stability_scan,
    tied_step_report,
)
from w2v_helpers.gradients import score_grad, split_tied_gradient
from w2v_helpers.losses import bce_naive, bce_stable, ce_naive, ce_stable
from w2v_helpers.memory import estimate_cbow_forward_bytes
from w2v_helpers.models import CBOW, SkipGram
from w2v_helpers.notebook import setup
from w2v_helpers.targets import collapse, skipgram_bce_collapse, skipgram_bce_lean
from w2v_helpers.trainer import resolve_device

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


@pytest.mark.parametrize(
    ("call", "error", "word"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_raises_a_clear_error_naming_the_parameter(call, error, word):
    with pytest.raises(error) as info:
        call()
    assert word in str(info.value)


def test_catalogue_is_large_enough():
    assert len(CASES) >= 25


def test_out_of_range_id_message_says_the_allowed_range():
    with pytest.raises(ValueError, match=r"\[0, 9\].*got 10"):
        MODEL(torch.tensor([[1, 10]]))


def test_estimate_is_pure_arithmetic_and_never_allocates():
    # A configuration of hundreds of GiB is estimated instantly, not built.
    assert estimate_cbow_forward_bytes(10**7, 10, 10, 10**4) > 500 * 2**30
