"""Exercise checks: each accepts the right answer and explains the usual wrong ones."""

import pytest
import torch

from w2v_helpers.lessons.feedback import Feedback
from w2v_helpers.lessons.nb01_cbow_forward import (
    check_context_mean,
    check_parameter_count,
    check_scores_shape,
)

SHAPE = {"batch_size": 8, "window_size": 6, "vocab_size": 1000}


def test_scores_shape_accepts_n_by_v_in_any_sequence_form():
    for answer in [(8, 1000), [8, 1000], torch.Size([8, 1000])]:
        assert check_scores_shape(answer, **SHAPE)


@pytest.mark.parametrize(
    ("answer", "explains"),
    [
        ((8, 6, 1000), "window axis"),
        ((8, 6), "ids going in"),
        ((1000, 8), "transposed"),
        ((8,), "one number per example"),
        ((3, 3), "Follow the shapes"),
        ("8x1000", "tuple"),
    ],
)
def test_scores_shape_explains_typical_wrong_answers(answer, explains):
    feedback = check_scores_shape(answer, **SHAPE)
    assert not feedback
    assert explains in feedback.message


def test_unanswered_exercise_says_so_instead_of_failing():
    feedback = check_scores_shape(..., **SHAPE)
    assert not feedback and "replace the ..." in repr(feedback)


def test_parameter_count_matches_the_count_of_a_real_model():
    from w2v_helpers.models import CBOW

    for tied in (False, True):
        real = sum(p.numel() for p in CBOW(200, 12, tied=tied).parameters())
        assert check_parameter_count(real, vocab_size=200, embedding_dim=12, tied=tied)


@pytest.mark.parametrize(
    ("answer", "tied", "explains"),
    [
        (2 * 200 * 12, False, "bias"),
        (200 * 12 + 200, False, "two tables"),
        (200 * 12, False, "embedding table alone"),
        (2 * 200 * 12, True, "twice"),
        (7, False, "not it"),
        ("4800", False, "whole number"),
    ],
)
def test_parameter_count_explains_typical_wrong_answers(answer, tied, explains):
    feedback = check_parameter_count(answer, vocab_size=200, embedding_dim=12, tied=tied)
    assert not feedback
    assert explains in feedback.message


def test_context_mean_accepts_index_then_mean():
    assert check_context_mean(lambda w, ids: w[ids].mean(dim=1))


@pytest.mark.parametrize(
    ("fn", "explains"),
    [
        (lambda w, ids: w[ids].sum(dim=1), "T=4 times too large"),
        (lambda w, ids: w[ids], "still has the window axis"),
        (lambda w, ids: w[ids].mean(dim=2), "expected shape"),
        (lambda w, ids: w[ids].max(dim=1).values, "wrong values"),
        (lambda w, ids: 1 / 0, "ZeroDivisionError"),
        (lambda w, ids: None, "returns nothing yet"),
        (lambda w, ids: [1, 2], "return a tensor"),
    ],
)
def test_context_mean_explains_typical_wrong_answers(fn, explains):
    feedback = check_context_mean(fn)
    assert not feedback
    assert explains in feedback.message


def test_feedback_prints_a_verdict_first():
    assert repr(Feedback(True, "fine")).startswith("✔ Correct")
    assert repr(Feedback(False, "no")).startswith("✘ Not yet")
