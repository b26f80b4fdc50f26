"""Notebook 01's Exercise 2: the largest vocabulary whose untied CBOW fits a memory budget.

The oracle is a real ``CBOW``: its parameters' bytes, summed from ``parameters()``, must fit the
budget at the answer and overflow it one word later. Each usual slip gets its own message.
"""

import math

import numpy as np
import pytest
import torch

from w2v_helpers.lessons.nb01_cbow_forward import check_largest_vocab
from w2v_helpers.models import CBOW


def _model_bytes(V: int, E: int) -> int:
    return sum(p.numel() * p.element_size() for p in CBOW(V, E).parameters())


def largest_vocab(budget_bytes, embedding_dim):
    return budget_bytes // (4 * (2 * embedding_dim + 1))


@pytest.mark.parametrize(("budget", "E"), [(10_000, 8), (100_000, 16), (1_000_000, 50)])
def test_the_accepted_answer_is_the_largest_v_whose_real_model_fits(budget, E):
    V = largest_vocab(budget, E)
    assert _model_bytes(V, E) <= budget < _model_bytes(V + 1, E)


def test_largest_vocab_check_accepts_the_floor_in_any_integer_type():
    assert check_largest_vocab(largest_vocab)
    assert check_largest_vocab(lambda b, E: np.int64(largest_vocab(b, E)))
    assert check_largest_vocab(lambda b, E: torch.tensor(largest_vocab(b, E)))
    assert "446,648 words" in check_largest_vocab(largest_vocab).message  # 2**30 // 2404


@pytest.mark.parametrize(
    ("fn", "explains"),
    [
        (lambda b, E: b // (4 * 2 * E), "you left out the output bias"),
        (lambda b, E: b // (2 * E + 1), "you counted numbers, not bytes"),
        (lambda b, E: b // (8 * (2 * E + 1)), "8 bytes a number is float64"),
        (lambda b, E: b // (4 * (E + 1)), "you counted one (V, E) table"),
        (lambda b, E: b // (4 * E), "the embedding table alone"),
        (lambda b, E: b / (4 * (2 * E + 1)), "V counts whole words"),
        (lambda b, E: math.ceil(b / (4 * (2 * E + 1))), "would not fit; round down"),
        (lambda b, E: round(b / (4 * (2 * E + 1))), "would not fit; round down"),
        (lambda b, E: float(b // (4 * (2 * E + 1))), "return it as an int"),
        (lambda b, E: 12_345, "Count the bytes of one word"),
        (lambda b, E: None, "returns nothing yet"),
        (lambda b, E: "many", "return the number of words V"),
        (lambda b, E: 1 / 0, "ZeroDivisionError"),
        (..., "replace the ..."),
    ],
    ids=[
        "no bias",
        "numbers not bytes",
        "float64",
        "one table with bias",
        "one table",
        "not rounded",
        "rounded up",
        "rounded to nearest",
        "float",
        "unrelated",
        "stub",
        "not a number",
        "raises",
        "unanswered",
    ],
)
def test_largest_vocab_check_names_each_usual_slip(fn, explains):
    feedback = check_largest_vocab(fn)
    assert not feedback
    assert explains in feedback.message, feedback.message
