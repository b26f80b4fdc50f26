"""The exercise checks of notebook 04 accept the right answer and diagnose the usual wrong ones."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from w2v_helpers.lessons.nb04_skipgram_multilabel import (
    check_context_column_gap,
    check_lean_loss,
    check_multi_hot,
)
from w2v_helpers.targets import collapse, first_occurrences


def test_gap_check_accepts_minus_t_minus_1_over_t_times_score():
    assert check_context_column_gap(-(4 - 1) / 4 * 2.0, window_size=4, score=2.0)
    assert check_context_column_gap(torch.tensor(-1.5), window_size=4, score=2.0)


def test_gap_check_diagnoses_sign_missing_weight_and_missing_score():
    cases = {
        1.5: "wrong sign",
        -2.0: "target 0",
        -0.5: "tile's share",
        0.75: "multiply it by the score",
        3.0: "not it",
    }
    for answer, phrase in cases.items():
        feedback = check_context_column_gap(answer, window_size=4, score=2.0)
        assert not feedback and phrase in feedback.message, (answer, feedback)


def test_gap_check_handles_unanswered_and_non_numbers():
    assert "replace the ..." in check_context_column_gap(..., window_size=4, score=2.0).message
    assert "give one number" in check_context_column_gap("1.5", window_size=4, score=2.0).message


def test_multi_hot_check_accepts_scatter_and_one_hot_clip():
    assert check_multi_hot(lambda y, V: collapse(y, V))
    assert check_multi_hot(lambda y, V: F.one_hot(y, V).sum(dim=1).clamp(max=1).float())


def test_multi_hot_check_diagnoses_sum_window_axis_and_int_dtype():
    assert "plain sum" in check_multi_hot(lambda y, V: F.one_hot(y, V).sum(dim=1).float()).message
    assert "window axis" in check_multi_hot(lambda y, V: F.one_hot(y, V).float()).message
    assert "dtype" in check_multi_hot(lambda y, V: F.one_hot(y, V).sum(1).clamp(max=1)).message
    assert "raised ZeroDivisionError" in check_multi_hot(lambda y, V: 1 / 0).message
    assert "returns nothing yet" in check_multi_hot(lambda y, V: None).message
    assert "replace the ..." in check_multi_hot(...).message


def _lean(scores, y, dedup=True, divisor=None, sign=1.0):
    N, V = scores.shape
    target = scores.gather(1, y)  # (N, T)
    if dedup:
        target = target * first_occurrences(y)
    total = F.softplus(scores).sum() - target.sum()
    return sign * total / (N * V if divisor is None else divisor)


def test_lean_check_accepts_a_correct_lean_loss():
    feedback = check_lean_loss(_lean)
    assert feedback, feedback


def test_lean_check_diagnoses_counted_repeats_sum_divisor_sign_and_tile():
    assert "summed* targets" in check_lean_loss(lambda s, y: _lean(s, y, dedup=False)).message
    assert "sum over all" in check_lean_loss(lambda s, y: _lean(s, y, divisor=1)).message
    assert "wrong divisor" in check_lean_loss(lambda s, y: _lean(s, y, divisor=y.numel())).message
    assert "sign flipped" in check_lean_loss(lambda s, y: _lean(s, y, sign=-1.0)).message

    def tile(scores, y):
        N, T = y.shape
        V = scores.shape[1]
        onehot = F.one_hot(y, V).to(scores.dtype)
        return F.binary_cross_entropy_with_logits(scores.unsqueeze(1).expand(N, T, V), onehot)

    assert "tile loss" in check_lean_loss(tile).message
    assert "single-number tensor" in check_lean_loss(lambda s, y: s).message
