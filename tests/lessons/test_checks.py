"""Exercise checks: each accepts the right answer and explains the usual wrong ones."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from w2v_helpers.lessons.feedback import Feedback
from w2v_helpers.lessons.nb01_cbow_forward import (
    check_cbow_module,
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
        ((8, 6, 1000), "context axis"),
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
        (lambda w, ids: w[ids], "still has the context axis"),
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


# ---- check_cbow_module: classes written as a learner would ----


class _Cbow(nn.Module):
    def __init__(self, vocab_size, embedding_dim, reduce="mean", bias=True, tied=False, head=True):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.output = None if tied else nn.Linear(embedding_dim, vocab_size, bias=bias)
        self.tied_bias = nn.Parameter(torch.zeros(vocab_size)) if tied else None
        self.reduce, self.head = reduce, head

    def forward(self, ids):
        vectors = self.embedding(ids)  # (N, T, E)
        hidden = {"mean": vectors.mean(1), "sum": vectors.sum(1), "none": vectors}[self.reduce]
        if not self.head:
            return hidden
        if self.output is None:
            return hidden @ self.embedding.weight.T + self.tied_bias
        return self.output(hidden)


class _CbowByHand(nn.Module):
    """Right, written with raw Parameters and the output table read first."""

    def __init__(self, vocab_size, embedding_dim):
        super().__init__()
        self.w_out = nn.Parameter(torch.randn(vocab_size, embedding_dim) * 0.1)
        self.w_in = nn.Parameter(torch.randn(vocab_size, embedding_dim))
        self.b = nn.Parameter(torch.zeros(vocab_size))

    def forward(self, ids):
        return F.linear(self.w_in[ids].mean(dim=1), self.w_out, self.b)


def _variant(**kwargs):
    return type(
        "CBOWModule",
        (_Cbow,),
        {"__init__": lambda self, V, E: _Cbow.__init__(self, V, E, **kwargs)},
    )


@pytest.mark.parametrize("cls", [_variant(), _CbowByHand], ids=["modules", "parameters"])
def test_cbow_module_check_accepts_a_right_module(cls):
    feedback = check_cbow_module(cls)
    assert feedback.ok, feedback.message
    assert "2*V*E + V = 81 parameters" in feedback.message  # the verdict says where 81 comes from


class _Stub(nn.Module):
    """The notebook's scaffold, run as given."""

    def __init__(self, vocab_size, embedding_dim):
        super().__init__()
        ...

    def forward(self, ids): ...


class _Unused(_Cbow):
    def __init__(self, V, E):
        super().__init__(V, E)
        self.extra = nn.Linear(1, 1, bias=False)


@pytest.mark.parametrize(
    ("cls", "explains"),
    [
        (_variant(reduce="sum"), "you summed the 5 context vectors"),
        (_variant(reduce="none"), "average over the context axis"),
        (_variant(head=False), "add the output layer"),
        (_variant(bias=False), "needs its bias"),
        (_variant(tied=True), "tied"),
        (_Unused, "expected an embedding"),
        (_variant()(9, 4), "pass the class itself"),
        (_Stub, "no parameters yet"),
        (type("Broken", (nn.Module,), {"__init__": lambda self, V, E: 1 / 0}), "ZeroDivisionError"),
        (type("Plain", (), {"__init__": lambda self, V, E: None}), "subclass nn.Module"),
    ],
    ids=[
        "sum",
        "no mean",
        "no output layer",
        "no bias",
        "tied",
        "extra",
        "instance",
        "stub",
        "raises",
        "not a module",
    ],
)
def test_cbow_module_check_explains_each_typical_mistake(cls, explains):
    feedback = check_cbow_module(cls)
    assert not feedback.ok
    assert explains in feedback.message, feedback.message
