"""GloVe against independent code: its loss against a float64 NumPy loop, its hand gradient
against autograd, one AdaGrad step against NumPy, and a training whose loss falls."""

import inspect
import math

import numpy as np
import pytest
import scipy.sparse
import torch
from oracles import topic_corpus

from w2v_helpers.corpus import build_vocabulary
from w2v_helpers.counts import cooccurrence
from w2v_helpers.glove import glove_gradients, glove_loss, train_glove
from w2v_helpers.memory import MemoryBudgetError
from w2v_helpers.training_config import TrainingDivergedError


def random_problem(V=7, C=6, E=4, P=30, seed=0):
    """Tables, biases and P cells (with repeated rows and columns), counts on both sides of
    x_max = 100."""
    g = torch.Generator().manual_seed(seed)
    W = torch.randn(V, E, generator=g, dtype=torch.float64)
    W_tilde = torch.randn(C, E, generator=g, dtype=torch.float64)
    b = torch.randn(V, generator=g, dtype=torch.float64)
    b_tilde = torch.randn(C, generator=g, dtype=torch.float64)
    rows = torch.randint(V, (P,), generator=g)
    cols = torch.randint(C, (P,), generator=g)
    x = torch.rand(P, generator=g, dtype=torch.float64) * 300 + 0.2  # 0.2 .. 300.2
    return W, W_tilde, b, b_tilde, rows, cols, x


def numpy_glove_loss(W, W_tilde, b, b_tilde, rows, cols, x, x_max, alpha):
    """The paper's equation (8), one cell at a time, in float64 (no ½)."""
    total = 0.0
    for i, j, count in zip(rows, cols, x, strict=True):
        weight = 1.0 if count >= x_max else (count / x_max) ** alpha
        total += weight * (W[i] @ W_tilde[j] + b[i] + b_tilde[j] - math.log(count)) ** 2
    return total


def as_numpy(tensors):
    return [t.numpy() for t in tensors]


@pytest.mark.parametrize(("x_max", "alpha"), [(100.0, 0.75), (10.0, 1.0), (50.0, 0.0)])
def test_glove_loss_matches_a_float64_numpy_loop(x_max, alpha):
    problem = random_problem()
    ours = glove_loss(*problem, x_max=x_max, alpha=alpha)
    expected = numpy_glove_loss(*as_numpy(problem), x_max, alpha)
    assert ours.dim() == 0
    assert float(ours) == pytest.approx(expected, rel=1e-12)


def test_glove_loss_defaults_are_the_c_codes():
    defaults = {name: p.default for name, p in inspect.signature(glove_loss).parameters.items()} | {
        name: p.default for name, p in inspect.signature(train_glove).parameters.items()
    }
    assert defaults["x_max"] == 100.0 and defaults["alpha"] == 0.75
    assert defaults["learning_rate"] == 0.05


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_glove_gradients_match_autograd(seed):
    problem = random_problem(seed=seed)
    leaves = [t.clone().requires_grad_(True) for t in problem[:4]]
    glove_loss(*leaves, *problem[4:]).backward()
    ours = glove_gradients(*problem)
    for name, leaf, grad in zip(("W", "W_tilde", "b", "b_tilde"), leaves, ours, strict=True):
        assert grad.shape == leaf.shape, name
        torch.testing.assert_close(grad, leaf.grad, rtol=1e-12, atol=1e-12, msg=name)


def test_glove_gradients_are_zero_on_rows_no_cell_touches():
    problem = list(random_problem(V=9, P=5))
    problem[4] = torch.tensor([0, 1, 1, 2, 0])  # rows 3..8 untouched
    dW, _, db, _ = glove_gradients(*problem)
    assert torch.all(dW[3:] == 0) and torch.all(db[3:] == 0)


def numpy_first_step(x, rows, cols, E, seed, rate):
    """One batch of every cell from glove.c's initialisation: the gradient of half the loss,
    summed per row, then AdaGrad with the sum of squares (starting at 1) grown first by each
    cell's squared gradient. Returns
    W + W̃ after the step and the mean loss per cell before it."""
    g = torch.Generator().manual_seed(seed)
    V = 3
    words = ((torch.rand(V, E + 1, generator=g, dtype=torch.float64) - 0.5) / (E + 1)).numpy()
    contexts = ((torch.rand(V, E + 1, generator=g, dtype=torch.float64) - 0.5) / (E + 1)).numpy()
    grad_w, grad_c = np.zeros_like(words), np.zeros_like(contexts)
    square_w, square_c = np.ones_like(words), np.ones_like(contexts)  # glove.c starts at 1
    loss = 0.0
    for i, j, count in zip(rows, cols, x, strict=True):
        weight = min(1.0, (count / 100.0) ** 0.75)
        diff = words[i, :E] @ contexts[j, :E] + words[i, E] + contexts[j, E] - math.log(count)
        loss += weight * diff**2
        cell_w = weight * diff * np.append(contexts[j, :E], 1.0)
        cell_c = weight * diff * np.append(words[i, :E], 1.0)
        grad_w[i] += cell_w
        grad_c[j] += cell_c
        square_w[i] += (rate * cell_w) ** 2
        square_c[j] += (rate * cell_c) ** 2
    words -= rate * grad_w / np.sqrt(square_w)
    contexts -= rate * grad_c / np.sqrt(square_c)
    return words[:, :E] + contexts[:, :E], loss / len(x)


def test_one_epoch_of_one_batch_is_one_adagrad_step_and_returns_w_plus_w_tilde():
    dense = np.array([[2.0, 5.0, 0.0], [5.0, 0.0, 150.0], [0.0, 150.0, 1.0]])
    counts = scipy.sparse.csr_array(dense)
    coo = counts.tocoo()
    result = train_glove(counts, 4, 1, batch_size=64, seed=3)
    vectors, loss = numpy_first_step(coo.data, coo.row, coo.col, 4, 3, 0.05)
    assert result.vectors.shape == (3, 4) and result.cells == 6
    np.testing.assert_allclose(result.vectors.numpy(), vectors, rtol=1e-12, atol=1e-14)
    assert result.losses[0] == pytest.approx(loss, rel=1e-12)


def test_the_loss_falls_on_the_topic_corpus():
    corpus = topic_corpus()
    vocab = build_vocabulary(corpus, min_count=1)
    counts = cooccurrence(corpus, vocab, 3, "glove")
    result = train_glove(counts, 8, 30, batch_size=32, x_max=10.0)
    losses = np.array(result.losses)
    assert len(losses) == 30 and np.isfinite(losses).all()
    assert (np.diff(losses[:8]) < 0).all()  # falling, epoch after epoch, until it levels off
    assert losses[-1] < 0.01 * losses[0]


def test_glove_puts_each_topic_words_nearest_neighbours_in_its_topic():
    corpus = topic_corpus()
    vocab = build_vocabulary(corpus, min_count=1)
    counts = cooccurrence(corpus, vocab, 3, "glove")
    vectors = train_glove(counts, 8, 30, batch_size=32, x_max=10.0).vectors.double()
    unit = vectors / vectors.norm(dim=1, keepdim=True)
    cosines = unit @ unit.T
    cosines.fill_diagonal_(-2.0)
    nearest = cosines.argmax(dim=1)
    assert all(
        vocab.words[int(n)][0] == word[0] for word, n in zip(vocab.words, nearest, strict=True)
    )


def test_a_non_finite_loss_stops_training_naming_learning_rate_and_batch_size():
    # AdaGrad's steps stay below 1 per entry, so no learning rate in range blows the tables up
    # on a toy corpus; feed the epoch's check the readings a blown-up run would give instead.
    from w2v_helpers.glove import _check_epoch

    tables = torch.zeros(3, 5), torch.zeros(3, 5)
    with pytest.raises(TrainingDivergedError, match=r"epoch 2: by batch 9.*loss per cell is nan"):
        _check_epoch(math.nan, *tables, 0.5, 1, 10, 4_096)
    tables[0][1, 2] = 2e4
    with pytest.raises(
        TrainingDivergedError, match=r"largest vector entry 2e\+04. Lower learning_rate \(now 0.5"
    ) as caught:
        _check_epoch(1.0, *tables, 0.5, 0, 10, 4_096)
    assert "batch_size (now 4,096)" in str(caught.value)


def test_a_count_whose_log_no_vector_can_reach_stops_with_the_divergence_check():
    counts = scipy.sparse.csr_array(np.array([[0.0, 1e30], [1e30, 1.0]]))
    with pytest.raises(TrainingDivergedError, match="loss per cell"):
        train_glove(counts, 2, 1)


def test_training_refuses_a_budget_it_would_exceed(monkeypatch):
    counts = scipy.sparse.csr_array(np.ones((3, 3)))
    monkeypatch.setenv("W2V_MEMORY_BUDGET", "1MiB")  # less than the test process holds
    with pytest.raises(MemoryBudgetError, match="Lower dim"):
        train_glove(counts, 4, 1)
