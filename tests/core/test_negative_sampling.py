"""The SGNS loss, its hand-written block gradient, the corpus tools and the trainer (notebook 06).

Oracles: the loss written pair by pair in float64 with math.log, central finite differences in
float64, the closed-form keep probability and noise distribution, and a synthetic corpus whose
right neighbours are known by construction.
"""

import dataclasses
import math

import pytest
import torch
import torch.nn.functional as F

from w2v_helpers.corpus import (
    dynamic_window_pairs,
    keep_probabilities,
    noise_distribution,
    sample_noise,
    subsample,
)
from w2v_helpers.logistic_scores import block_loss_and_grads
from w2v_helpers.negative_sampling import sgns_loss
from w2v_helpers.trainer import TrainConfig, train_word2vec


def _logsig(x: float) -> float:
    return -math.log1p(math.exp(-x)) if x > 0 else x - math.log1p(math.exp(x))


def test_sgns_loss_matches_pairwise_float64_formula():
    g = torch.Generator().manual_seed(0)
    N, K, E = 4, 3, 5
    c, o = torch.randn(N, E, generator=g), torch.randn(N, E, generator=g)
    n = torch.randn(N, K, E, generator=g)
    expected = 0.0
    for i in range(N):
        expected -= _logsig(float(c[i].double() @ o[i].double()))
        for k in range(K):
            expected -= _logsig(-float(c[i].double() @ n[i, k].double()))
    assert sgns_loss(c, o, n).item() == pytest.approx(expected / N, rel=1e-5)


def test_sgns_loss_gradient_matches_finite_differences():
    g = torch.Generator().manual_seed(1)
    args = [
        torch.randn(*s, generator=g, dtype=torch.float64, requires_grad=True)
        for s in ((3, 4), (3, 4), (3, 2, 4))
    ]
    assert torch.autograd.gradcheck(sgns_loss, args)


def test_block_gradients_match_float64_finite_differences():
    g = torch.Generator().manual_seed(2)
    centre = torch.randn(2, 3, 4, generator=g, dtype=torch.float64)  # (B, N, E)
    rows = torch.randn(2, 5, 4, generator=g, dtype=torch.float64)  # (B, C, E)
    labels = (torch.rand(2, 3, 5, generator=g) < 0.4).double()  # (B, N, C)
    weights = torch.rand(2, 3, 5, generator=g, dtype=torch.float64) * 2  # (B, N, C)
    _, g_centre, g_rows = block_loss_and_grads(centre, rows, labels, weights)
    h = 1e-6
    for tensor, grad in ((centre, g_centre), (rows, g_rows)):
        numeric = torch.zeros_like(tensor)
        for idx in torch.cartesian_prod(*(torch.arange(s) for s in tensor.shape)):
            idx = tuple(idx.tolist())
            old = tensor[idx].item()
            tensor[idx] = old + h
            up = block_loss_and_grads(centre, rows, labels, weights)[0].item()
            tensor[idx] = old - h
            down = block_loss_and_grads(centre, rows, labels, weights)[0].item()
            tensor[idx] = old
            numeric[idx] = (up - down) / (2 * h)
        torch.testing.assert_close(grad, numeric, rtol=1e-5, atol=1e-7)


def test_steps_scale_each_gradient_row_as_autograd_times_the_step():
    """Steps folded into the score gradient = autograd's gradient rows, each times its step."""
    g = torch.Generator().manual_seed(4)
    centre = torch.randn(2, 3, 4, generator=g, dtype=torch.float64, requires_grad=True)
    rows = torch.randn(2, 5, 4, generator=g, dtype=torch.float64, requires_grad=True)
    labels = (torch.rand(2, 3, 5, generator=g) < 0.4).double()  # (B, N, C)
    weights = torch.rand(2, 3, 5, generator=g, dtype=torch.float64)  # (B, N, C)
    centre_steps = -torch.rand(2, 3, generator=g, dtype=torch.float64)  # (B, N)
    row_steps = -torch.rand(2, 5, generator=g, dtype=torch.float64)  # (B, C)
    scores = centre @ rows.transpose(1, 2)  # (B, N, C)
    loss = (weights * (-labels * F.logsigmoid(scores) - (1 - labels) * F.logsigmoid(-scores))).sum()
    loss.backward()
    _, g_centre, g_rows = block_loss_and_grads(
        centre.detach(),
        rows.detach(),
        labels,
        weights,
        centre_steps=centre_steps,
        row_steps=row_steps,
    )
    torch.testing.assert_close(g_centre, centre.grad * centre_steps.unsqueeze(2))
    torch.testing.assert_close(g_rows, rows.grad * row_steps.unsqueeze(2))


def test_block_loss_equals_sgns_loss_when_each_centre_has_its_own_rows():
    g = torch.Generator().manual_seed(3)
    c, o, n = torch.randn(1, 4, generator=g), torch.randn(1, 4, generator=g), torch.randn(1, 2, 4)
    rows = torch.cat([o.unsqueeze(1), n], 1)  # (1, 3, E)
    loss, _, _ = block_loss_and_grads(
        c.unsqueeze(1), rows, torch.tensor([[[1.0, 0, 0]]]), torch.ones(1, 1, 3)
    )
    assert loss.item() == pytest.approx(sgns_loss(c, o, n).item(), rel=1e-6)


def test_keep_probability_is_word2vec_c_formula():
    counts = torch.tensor([6000, 3000, 1000])
    t = 1e-3
    for count, got in zip(counts.tolist(), keep_probabilities(counts, t).tolist(), strict=True):
        f = count / 10_000
        assert got == pytest.approx(min(1.0, (math.sqrt(f / t) + 1) * t / f))
    assert keep_probabilities(torch.tensor([1, 1]), 0.9).tolist() == [1.0, 1.0]


def test_subsample_keeps_each_word_at_its_rate():
    keep = torch.tensor([0.2, 1.0], dtype=torch.float64)
    ids = torch.tensor([0, 1]).repeat(50_000)
    kept = subsample(ids, keep, generator=torch.Generator().manual_seed(0))
    assert (kept == 1).sum().item() == 50_000
    assert (kept == 0).sum().item() / 50_000 == pytest.approx(0.2, abs=0.01)


def test_noise_sampler_frequencies_pass_chi_square_against_unigram_075():
    from scipy.stats import chisquare

    counts = torch.tensor([500, 200, 100, 50, 20, 5])
    probs = noise_distribution(counts)
    expected = counts.double() ** 0.75 / (counts.double() ** 0.75).sum()
    torch.testing.assert_close(probs, expected)
    draws = sample_noise(probs, (200_000,), generator=torch.Generator().manual_seed(0))
    observed = torch.bincount(draws, minlength=6).double()
    assert chisquare(observed.numpy(), (expected * 200_000).numpy()).pvalue > 0.001


def test_dynamic_window_uses_distance_d_with_probability_w_minus_d_plus_1_over_w():
    L, w = 20_000, 4
    ids = torch.arange(L)
    centre, context = dynamic_window_pairs(ids, w, generator=torch.Generator().manual_seed(0))
    dist = (context - centre).abs()
    for d in range(1, w + 1):
        rate = (dist == d).sum().item() / (2 * (L - d))
        assert rate == pytest.approx((w - d + 1) / w, abs=0.02)
    assert dist.min() >= 1 and dist.max() <= w


def _grouped_corpus(groups: int = 12, size: int = 4, sentences: int = 600):
    g = torch.Generator().manual_seed(0)
    words = [[f"g{k}w{i}" for i in range(size)] for k in range(groups)]
    out = []
    for _ in range(sentences):
        k = int(torch.randint(groups, (1,), generator=g))
        out.append([words[k][i] for i in torch.randint(size, (12,), generator=g).tolist()])
    return out, words


@pytest.mark.slow
@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_trainer_learns_known_neighbours_on_synthetic_groups(model):
    sentences, words = _grouped_corpus()
    config = TrainConfig(
        model=model,
        vector_size=16,
        window=3,
        epochs=10,
        sample=0.5,
        min_count=1,
        chunk=256,
        block=16,
    )
    result = train_word2vec(sentences, config, progress=False)
    hits = 0
    for group in words:
        for w in group:
            neighbours = {n for n, _ in result.most_similar(w, topn=3)}
            hits += neighbours <= set(group) - {w}
    assert hits >= 0.9 * sum(map(len, words))
    assert result.losses[-1] < result.losses[0]


def test_trainer_is_deterministic_for_a_seed():
    sentences, _ = _grouped_corpus(sentences=100)
    config = TrainConfig(vector_size=8, epochs=2, min_count=1, chunk=256, sample=0.5)
    a = train_word2vec(sentences, config, progress=False)
    b = train_word2vec(sentences, config, progress=False)
    assert torch.equal(a.vectors, b.vectors)
    other = train_word2vec(sentences, dataclasses.replace(config, seed=1), progress=False)
    assert not torch.equal(a.vectors, other.vectors)  # the seed is used, not fixed inside
