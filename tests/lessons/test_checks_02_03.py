"""Exercise checks of notebook 03: each accepts the right answer and explains the usual wrong
ones (notebook 02's are in test_nb02_checks.py). The right answers here are written independently
of the checks' oracles."""

import pytest
import torch

from w2v_helpers.lessons.nb03_tied_weight_backward import (
    check_input_side_rows,
    check_tied_layers,
)


def test_input_side_rows_check_accepts_the_distinct_context_ids_in_any_collection():
    for answer in ({2, 7, 4}, [2, 7, 7, 4], (4, 2, 7)):
        assert check_input_side_rows(answer, context_ids=[2, 7, 7, 4], target_id=9, vocab_size=20)


@pytest.mark.parametrize(
    ("answer", "explains"),
    [
        ({2, 7, 4, 9}, "not read by the lookup"),
        (set(range(20)), "output side"),
        ({2, 4}, "you miss [7]"),
        ({1, 2}, "is not it"),
        ("2, 7", "set or list of ints"),
        (..., "replace the ..."),
    ],
)
def test_input_side_rows_check_explains_typical_wrong_answers(answer, explains):
    feedback = check_input_side_rows(answer, context_ids=[2, 7, 7, 4], target_id=9, vocab_size=20)
    assert not feedback
    assert explains in feedback.message


def tie_layers(vocab_size, embedding_dim):
    embedding = torch.nn.Embedding(vocab_size, embedding_dim)
    output = torch.nn.Linear(embedding_dim, vocab_size, bias=False)
    output.weight = embedding.weight
    return embedding, output


def test_tied_layers_check_accepts_one_shared_parameter():
    embedding, output = tie_layers(7, 3)
    assert output.weight is embedding.weight  # the oracle: one object, one Parameter listed
    assert len(list(torch.nn.ModuleList([embedding, output]).parameters())) == 1
    feedback = check_tied_layers(tie_layers)
    assert feedback
    assert "21 numbers" in feedback.message


def the_notebooks_stub(vocab_size, embedding_dim):
    """Exercise 2's code as the learner finds it: transposed, with a bias, and a copy."""
    embedding = torch.nn.Embedding(vocab_size, embedding_dim)
    output = torch.nn.Linear(vocab_size, embedding_dim)
    output.weight = torch.nn.Parameter(embedding.weight.detach().clone())
    return embedding, output


def transposed_weight(vocab_size, embedding_dim):
    embedding, output = tie_layers(vocab_size, embedding_dim)
    output.weight = torch.nn.Parameter(embedding.weight.T)  # (E, V), a view made a Parameter
    return embedding, output


def bias_left_on(vocab_size, embedding_dim):
    embedding = torch.nn.Embedding(vocab_size, embedding_dim)
    output = torch.nn.Linear(embedding_dim, vocab_size)
    output.weight = embedding.weight
    return embedding, output


def a_copy(vocab_size, embedding_dim):
    embedding, output = tie_layers(vocab_size, embedding_dim)
    output.weight = torch.nn.Parameter(embedding.weight.detach().clone())
    return embedding, output


def same_storage(vocab_size, embedding_dim):
    embedding = torch.nn.Embedding(vocab_size, embedding_dim)
    output = torch.nn.Linear(embedding_dim, vocab_size, bias=False)
    output.weight.data = embedding.weight.data  # two Parameters over one storage
    return embedding, output


def untied(vocab_size, embedding_dim):
    embedding = torch.nn.Embedding(vocab_size, embedding_dim)
    return embedding, torch.nn.Linear(embedding_dim, vocab_size, bias=False)


@pytest.mark.parametrize(
    ("fn", "explains"),
    [
        (the_notebooks_stub, "the transpose: the output layer reads E numbers and scores V words"),
        (transposed_weight, "the transpose"),
        (bias_left_on, "a bias left on"),
        (a_copy, "a copy: the numbers are equal today"),
        (same_storage, "two Parameters over the same memory"),
        (untied, "not tied: the two weights hold different numbers"),
        (lambda V, E: (torch.nn.Embedding(V + 1, E), None), "return (nn.Embedding, nn.Linear)"),
        (lambda V, E: torch.nn.Embedding(V, E), "return the pair (embedding, output)"),
        (lambda V, E: (torch.nn.Embedding(V + 1, E), torch.nn.Linear(E, V)), "nn.Embedding(7, 3)"),
        (lambda V, E: None, "returns nothing"),
        (lambda V, E: 1 / 0, "raised ZeroDivisionError"),
        (..., "replace the ..."),
    ],
)
def test_tied_layers_check_names_the_usual_mistakes(fn, explains):
    feedback = check_tied_layers(fn)
    assert not feedback
    assert explains in feedback.message


def test_tied_layers_check_leaves_the_global_random_state_alone():
    torch.manual_seed(3)
    expected = torch.rand(3)
    torch.manual_seed(3)
    check_tied_layers(tie_layers)
    assert torch.equal(torch.rand(3), expected)
