"""CBOW and SkipGram against a NumPy re-derivation of their forward passes."""

import numpy as np
import pytest
import torch

from w2v_helpers.models import CBOW, SkipGram, parameter_table


def numpy_cbow(model: CBOW, x: torch.Tensor) -> np.ndarray:
    """The forward pass written from the paper's formula, in float64 NumPy."""
    table = model.embedding.weight.detach().double().numpy()  # (V, E)
    out_w = model.output.weight.detach().double().numpy()  # (V, E)
    bias = 0.0 if model.output.bias is None else model.output.bias.detach().double().numpy()
    hidden = table[x.numpy()].mean(axis=1)  # (N, T, E) -> (N, E)
    return hidden @ out_w.T + bias  # (N, V)


@pytest.mark.parametrize("tied", [False, True])
def test_cbow_forward_matches_numpy_mean_then_linear(tied):
    model = CBOW(vocab_size=37, embedding_dim=6, tied=tied)
    x = torch.randint(37, (5, 3))  # (N, T)
    scores = model(x)  # (N, V)
    assert scores.shape == (5, 37)
    np.testing.assert_allclose(
        scores.detach().double().numpy(), numpy_cbow(model, x), rtol=1e-5, atol=1e-5
    )


def test_cbow_ignores_the_order_of_context_words():
    model = CBOW(vocab_size=20, embedding_dim=4)
    x = torch.tensor([[1, 2, 3, 4]])
    assert torch.allclose(model(x), model(x.flip(1)), atol=1e-6)


def test_skipgram_accepts_n_and_n_by_1_and_matches_a_row_lookup():
    model = SkipGram(vocab_size=30, embedding_dim=5)
    centre = torch.tensor([3, 7, 29])  # (N,)
    expected = model.embedding.weight[centre] @ model.output.weight.T + model.output.bias
    assert torch.allclose(model(centre), expected, atol=1e-6)
    assert torch.equal(model(centre), model(centre.unsqueeze(1)))


def test_tied_model_has_one_parameter_used_by_both_layers_and_no_bias():
    model = CBOW(vocab_size=50, embedding_dim=8, tied=True)
    params = list(model.parameters())
    assert len(params) == 1
    assert params[0].shape == (50, 8)
    assert model.embedding.weight is model.output.weight
    assert model.output.bias is None


def test_untied_parameter_count_is_two_tables_plus_bias():
    V, E = 1000, 16
    rows = parameter_table(CBOW(V, E))
    assert [name for name, *_ in rows] == ["embedding.weight", "output.weight", "output.bias"]
    assert sum(r[2] for r in rows) == 2 * V * E + V
    assert sum(r[3] for r in rows) == 4 * (2 * V * E + V)


def test_tied_parameter_table_lists_the_shared_table_once():
    rows = parameter_table(CBOW(1000, 16, tied=True))
    assert len(rows) == 1 and rows[0][2] == 1000 * 16


def test_cbow_equals_embedding_bag_mean_followed_by_the_output_layer():
    model = CBOW(vocab_size=40, embedding_dim=7)
    x = torch.randint(40, (6, 5))
    bag = torch.nn.EmbeddingBag.from_pretrained(model.embedding.weight, mode="mean")
    assert torch.allclose(model(x), model.output(bag(x)), atol=1e-6)
