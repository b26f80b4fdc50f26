"""Reference SGNS training (``w2v_helpers.reference``, notebook 05_train_it_yourself).

Oracles: a brute-force loop over positions for the pairs, NumPy float64 formulas for the loss,
autograd of the loss written out again and float64 finite differences for the hand gradient,
word2vec's per-pair update written in NumPy for the first SGD steps, the schedule's formula for
the learning rate, binomial bounds for the noise sampler, and a corpus whose word groups are
known by construction.
"""

import math
from collections import Counter
from itertools import pairwise

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from oracles import finite_difference
from torch.utils.data import DataLoader

from w2v_helpers import reference
from w2v_helpers.corpus import window_reach
from w2v_helpers.reference import (
    SGNSModel,
    SkipGramPairs,
    multinomial_noise,
    sgns_draws,
    sgns_gradients,
    train_sgns,
)
from w2v_helpers.trainer import TrainingDivergedError

# Sentences with disjoint id ranges (sentence i uses ids 10*i ..): a pair that crosses a
# sentence end would pair ids of two different tens.
SENTENCES = [
    torch.tensor([0, 1, 2, 3, 4, 5, 6]),
    torch.tensor([10, 11]),
    torch.tensor([20]),
    torch.tensor([], dtype=torch.long),
    torch.tensor([30, 31, 30, 30, 32, 33, 34, 35, 36, 37, 38], dtype=torch.int32),
    torch.tensor([40, 41, 42, 43]),
]


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _random_tables(model: SGNSModel, scale: float = 1.0, seed: int = 0) -> None:
    """Replace the zero output table (which hides half the gradient) by random values."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for table in (model.inputs.weight, model.outputs.weight):
            table.copy_(scale * torch.randn(table.shape, generator=g, dtype=torch.float64))


# ---- SkipGramPairs ----


@pytest.mark.parametrize(("window", "seed"), [(1, 0), (3, 7), (12, 1)])
def test_pairs_are_the_multiset_a_brute_force_loop_finds_within_each_sentence(window, seed):
    pairs = SkipGramPairs(SENTENCES, window, seed=seed)
    generator = torch.Generator().manual_seed(seed)
    expected = Counter()
    for sentence in SENTENCES:  # the same reaches: one draw per sentence, in order
        ids = sentence.tolist()
        reach = window_reach(len(ids), window, generator=generator).tolist()
        for i, b in enumerate(reach):
            for j in range(max(0, i - b), min(len(ids), i + b + 1)):
                if j != i:
                    expected[(ids[i], ids[j])] += 1
    got = Counter(zip(pairs.centres.tolist(), pairs.contexts.tolist(), strict=True))
    assert got == expected
    assert torch.equal(pairs.centres // 10, pairs.contexts // 10)  # no pair crosses a sentence


def test_pairs_len_getitem_and_dataloader_batches_agree():
    pairs = SkipGramPairs(SENTENCES, 2, seed=3)
    assert pairs.centres.dtype == pairs.contexts.dtype == torch.int64  # int32 sentence converted
    assert len(pairs) == pairs.centres.numel() == pairs.contexts.numel() > 0
    for i in range(len(pairs)):
        centre, context = pairs[i]
        assert centre.dim() == context.dim() == 0 and centre.dtype == torch.int64
        assert (int(centre), int(context)) == (int(pairs.centres[i]), int(pairs.contexts[i]))
    centre, context = pairs[[2, 0, 2]]  # a list of indices: a whole batch at once
    assert centre.tolist() == pairs.centres[[2, 0, 2]].tolist() and context.shape == (3,)
    batches = list(DataLoader(pairs, batch_size=4))  # default collate: (N,) tensors
    assert batches[0][0].shape == (4,)
    assert torch.equal(torch.cat([c for c, _ in batches]), pairs.centres)


# ---- SGNSModel ----


def test_model_initialises_like_word2vec_and_has_sparse_float64_gradients():
    V, E = 200, 8
    state = torch.get_rng_state()
    model = SGNSModel(V, E, seed=3)
    assert torch.equal(torch.get_rng_state(), state)  # its own generator, not the global one
    w_in, w_out = model.inputs.weight.detach(), model.outputs.weight.detach()
    assert w_in.dtype == w_out.dtype == torch.float64 and w_in.shape == w_out.shape == (V, E)
    assert float(w_in.min()) >= -0.5 / E and float(w_in.max()) < 0.5 / E
    assert float(w_in.min()) < -0.45 / E and float(w_in.max()) > 0.45 / E  # the whole range
    assert not bool(w_out.any())
    assert torch.equal(SGNSModel(V, E, seed=3).inputs.weight, w_in)
    assert not torch.equal(SGNSModel(V, E, seed=4).inputs.weight, w_in)
    model(
        torch.tensor([1, 2]), torch.tensor([3, 4]), torch.tensor([[5, 6], [7, 5]])
    ).sum().backward()
    assert model.inputs.weight.grad.is_sparse and model.outputs.weight.grad.is_sparse
    dense = SGNSModel(V, E, sparse=False)
    dense(torch.tensor([1]), torch.tensor([3]), torch.tensor([[5]])).sum().backward()
    assert not dense.inputs.weight.grad.is_sparse


@pytest.mark.parametrize("scale", [0.3, 20.0])  # 20: scores in the hundreds, where exp overflows
def test_forward_matches_the_numpy_float64_formula(scale):
    model = SGNSModel(12, 5)
    _random_tables(model, scale)
    g = torch.Generator().manual_seed(1)
    centre, context = torch.randint(12, (6,), generator=g), torch.randint(12, (6,), generator=g)
    noise = torch.randint(12, (6, 4), generator=g)  # (N, K)
    got = model(centre, context, noise)
    w_in, w_out = model.inputs.weight.detach().numpy(), model.outputs.weight.detach().numpy()
    c, o, n = w_in[centre.numpy()], w_out[context.numpy()], w_out[noise.numpy()]
    positive = np.einsum("ne,ne->n", c, o)
    negative = np.einsum("nke,ne->nk", n, c)
    # -log sigmoid(s) = log(1 + e^-s); -log sigmoid(-s) = log(1 + e^s)
    expected = np.logaddexp(0.0, -positive) + np.logaddexp(0.0, negative).sum(1)
    assert got.dtype == torch.float64 and got.shape == (6,)
    np.testing.assert_allclose(got.detach().numpy(), expected, rtol=1e-12, atol=0)


# ---- sgns_gradients ----


def test_hand_gradients_equal_autograd_of_the_summed_loss():
    g = torch.Generator().manual_seed(2)
    N, K, E = 5, 3, 4
    c, o = torch.randn(N, E, generator=g, dtype=torch.float64), torch.randn(N, E, generator=g)
    o = o.double()
    n = torch.randn(N, K, E, generator=g, dtype=torch.float64)
    leaves = [t.clone().requires_grad_(True) for t in (c, o, n)]
    lc, lo, ln = leaves
    s_pos, s_neg = (lc * lo).sum(-1), torch.einsum("nke,ne->nk", ln, lc)
    (F.softplus(-s_pos) + F.softplus(s_neg).sum(-1)).sum().backward()
    for got, leaf in zip(sgns_gradients(c, o, n), leaves, strict=True):
        torch.testing.assert_close(got, leaf.grad, rtol=1e-12, atol=1e-12)


def test_hand_gradients_equal_float64_finite_differences():
    rng = np.random.default_rng(3)
    N, K, E = 2, 2, 3
    c, o, n = rng.normal(size=(N, E)), rng.normal(size=(N, E)), rng.normal(size=(N, K, E))

    def loss(c, o, n):
        positive = np.logaddexp(0.0, -np.einsum("ne,ne->n", c, o))
        return float((positive + np.logaddexp(0.0, np.einsum("nke,ne->nk", n, c)).sum(1)).sum())

    expected = (
        finite_difference(lambda x: loss(x, o, n), c),
        finite_difference(lambda x: loss(c, x, n), o),
        finite_difference(lambda x: loss(c, o, x), n),
    )
    got = sgns_gradients(*(torch.from_numpy(a) for a in (c, o, n)))
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g.numpy(), e, rtol=1e-7, atol=1e-8)


def test_table_gradient_is_the_index_add_of_the_per_slot_gradients():
    """Noise id 3 equals row 0's context and id 5 fills both slots of row 1: every slot's
    gradient lands in the table, repeated rows adding up."""
    V, E = 6, 4
    model = SGNSModel(V, E)
    _random_tables(model, seed=4)
    centre, context = torch.tensor([0, 1, 2]), torch.tensor([3, 4, 4])
    noise = torch.tensor([[3, 2], [5, 5], [1, 4]])  # (N, K)
    model(centre, context, noise).sum().backward()
    w_in, w_out = model.inputs.weight.detach(), model.outputs.weight.detach()
    d_c, d_o, d_n = sgns_gradients(w_in[centre], w_out[context], w_out[noise])
    zeros = torch.zeros(V, E, dtype=torch.float64)
    expected_in = zeros.index_add(0, centre, d_c)
    expected_out = zeros.index_add(0, context, d_o).index_add(0, noise.flatten(), d_n.view(-1, E))
    torch.testing.assert_close(model.inputs.weight.grad.to_dense(), expected_in, rtol=0, atol=1e-12)
    torch.testing.assert_close(
        model.outputs.weight.grad.to_dense(), expected_out, rtol=0, atol=1e-12
    )


# ---- multinomial_noise ----


def test_noise_draws_follow_probs_within_binomial_bounds():
    probs = torch.tensor([0.5, 0.25, 0.15, 0.1, 0.0], dtype=torch.float64)
    state = torch.get_rng_state()
    draws = multinomial_noise(probs, 10_000, 4, generator=torch.Generator().manual_seed(5))
    assert torch.equal(torch.get_rng_state(), state)
    assert draws.shape == (10_000, 4) and draws.dtype == torch.int64
    counts = np.bincount(draws.flatten().numpy(), minlength=5)
    p, total = probs.numpy(), draws.numel()
    assert counts[4] == 0  # a word of probability 0 is never drawn
    assert np.all(np.abs(counts - total * p) <= 5 * np.sqrt(total * p * (1 - p)))
    assert multinomial_noise(probs, 0, 3).shape == (0, 3)


# ---- train_sgns ----


def _word2vec_pair_step(w_in, w_out, centre, context, noise, rate):
    """word2vec's update for one pair, every row from its value before the pair (NumPy)."""
    w_in, w_out = w_in.copy(), w_out.copy()
    c, o, n = w_in[centre].copy(), w_out[context].copy(), w_out[noise].copy()  # n: (K, E)
    g = rate * (1 - _sigmoid(c @ o))  # label 1
    w_out[context] += g * c
    neu1e = g * o
    for k, word in enumerate(noise):
        g_k = -rate * _sigmoid(c @ n[k])  # label 0
        w_out[word] += g_k * c
        neu1e += g_k * n[k]
    w_in[centre] += neu1e
    return w_in, w_out


def test_first_steps_with_batch_size_1_are_word2vec_per_pair_updates(monkeypatch):
    """A two-word sentence gives two pairs; noise is fixed to word 2 twice per pair."""
    lr, K = 0.1, 2
    monkeypatch.setattr(
        reference, "multinomial_noise", lambda probs, n, k, **_: torch.full((n, k), 2)
    )
    seen = []  # (centre, context, input table, output table) as each step starts
    forward = SGNSModel.forward

    def recording(self, centre, context, noise):
        w_in, w_out = self.inputs.weight, self.outputs.weight
        seen.append((int(centre), int(context), w_in.detach().clone(), w_out.detach().clone()))
        return forward(self, centre, context, noise)

    monkeypatch.setattr(SGNSModel, "forward", recording)
    probs = torch.full((3,), 1 / 3, dtype=torch.float64)
    result = train_sgns(
        [torch.tensor([0, 1])], 3, probs, embedding_dim=4, window=1, negative=K, epochs=1,
        batch_size=1, lr=lr,
    )  # fmt: skip
    assert len(seen) == 2 and {seen[0][:2], seen[1][:2]} == {(0, 1), (1, 0)}
    w_in, w_out = result.snapshots[0].numpy(), np.zeros((3, 4))
    # Step 1 by hand: the output rows are 0, so every score is 0 and sigmoid(0) = 0.5; the
    # input row gets lr * (0.5 * 0 - 0.5 * 0 - 0.5 * 0) = 0, the context row lr * 0.5 * c,
    # and the noise row -lr * 0.5 * c from each of its two slots.
    centre, context = seen[0][:2]
    c = w_in[centre]
    np.testing.assert_array_equal(seen[1][2].numpy(), w_in)
    after = seen[1][3].numpy()
    np.testing.assert_allclose(after[context], lr * 0.5 * c, rtol=1e-15)
    np.testing.assert_allclose(after[2], -2 * lr * 0.5 * c, rtol=1e-15)
    assert not after[centre].any()  # the centre's output row was in no slot
    # Both steps against word2vec's per-pair update in NumPy, at the schedule's rates (0 and
    # 1/2 of training done); step 2 is the first with non-zero output rows.
    rates = [lr, lr * (1 - (1 - 1e-4) * 0.5)]
    w_in, w_out = _word2vec_pair_step(w_in, w_out, *seen[0][:2], [2] * K, rates[0])
    np.testing.assert_allclose(seen[1][3].numpy(), w_out, rtol=1e-14, atol=1e-16)
    w_in, w_out = _word2vec_pair_step(w_in, w_out, *seen[1][:2], [2] * K, rates[1])
    assert not np.allclose(w_in, result.snapshots[0].numpy())  # step 2 moved an input row
    np.testing.assert_allclose(result.snapshots[1].numpy(), w_in, rtol=1e-14, atol=1e-16)


def test_sgns_draws_replayed_with_word2vecs_per_pair_update_give_train_sgns_vectors():
    """sgns_draws hands out train_sgns's start, batches and noise generator: word2vec's per-pair
    update in NumPy, replayed over those draws at the schedule's rates, lands on train_sgns's
    final vectors (batch_size=1, so a batch is one pair)."""
    probs = torch.tensor([0.1, 0.2, 0.3, 0.15, 0.25], dtype=torch.float64)
    keep = torch.tensor([1.0, 0.5, 1.0, 0.8, 1.0], dtype=torch.float64)
    sentences = [torch.tensor([0, 1, 2, 3, 4, 1, 2]), torch.tensor([4, 3]), torch.tensor([2])]
    args = dict(embedding_dim=3, window=2, negative=2, epochs=2, batch_size=1, lr=0.3, seed=1)
    result = train_sgns(sentences, 5, probs, keep=keep, **args)
    draws = sgns_draws(sentences, 5, probs, keep=keep, **args)
    np.testing.assert_array_equal(draws.start.numpy(), result.snapshots[0].numpy())
    w_in, w_out = draws.start.numpy().copy(), np.zeros((5, 3))
    for e, batches in enumerate(draws.epochs):
        for b, (centre, context) in enumerate(batches):
            rate = 0.3 * (1 - (1 - 1e-4) * (e + b / len(batches)) / 2)
            noise = torch.multinomial(probs, 2, replacement=True, generator=draws.noise_generator)
            w_in, w_out = _word2vec_pair_step(
                w_in, w_out, int(centre[0]), int(context[0]), noise.tolist(), rate
            )
        np.testing.assert_allclose(result.snapshots[e + 1].numpy(), w_in, rtol=1e-12, atol=1e-15)
    assert sum(len(batches) for batches in draws.epochs) == result.pairs_seen


@pytest.mark.parametrize("shuffle", [True, False])
def test_pairs_are_visited_shuffled_or_in_stream_order_each_epoch(monkeypatch, shuffle):
    """The oracle is SkipGramPairs built with train_sgns's window seed for each epoch: each
    epoch visits exactly its pairs once, in their stream order when shuffle=False."""
    visited = []  # (centre, context) in the order the steps see them
    forward = SGNSModel.forward

    def recording(self, centre, context, noise):
        visited.extend(zip(centre.tolist(), context.tolist(), strict=True))
        return forward(self, centre, context, noise)

    monkeypatch.setattr(SGNSModel, "forward", recording)
    probs = torch.full((44,), 1 / 44, dtype=torch.float64)
    epochs, seed = 3, 2
    train_sgns(
        SENTENCES, 44, probs, embedding_dim=3, window=2, epochs=epochs, batch_size=7, seed=seed,
        shuffle=shuffle,
    )  # fmt: skip
    start = 0
    for epoch in range(epochs):
        pairs = SkipGramPairs(SENTENCES, 2, seed=reference._seed(seed, reference.WINDOWS, epoch))
        stream = list(zip(pairs.centres.tolist(), pairs.contexts.tolist(), strict=True))
        seen, start = visited[start : start + len(stream)], start + len(stream)
        assert sorted(seen) == sorted(stream)
        assert (seen == stream) is (not shuffle), epoch
    assert start == len(visited)


def _two_groups(sentences_per_group=40, length=10, seed=0):
    """Words 0-9 occur only with each other, as do words 10-19."""
    g = torch.Generator().manual_seed(seed)
    return [
        torch.randint(low, low + 10, (length,), generator=g)
        for _ in range(sentences_per_group)
        for low in (0, 10)
    ]


UNIFORM_20 = torch.full((20,), 0.05, dtype=torch.float64)
GROUPS = dict(embedding_dim=10, window=2, negative=5, epochs=5, batch_size=128, lr=0.025)


@pytest.mark.slow
def test_training_learns_two_word_groups_deterministically():
    state = torch.get_rng_state()
    result = train_sgns(_two_groups(), 20, UNIFORM_20, **GROUPS)
    assert torch.equal(torch.get_rng_state(), state)  # the global generator is left alone
    assert len(result.snapshots) == GROUPS["epochs"] + 1
    assert len(result.epoch_losses) == GROUPS["epochs"]
    assert all(a > b for a, b in pairwise(result.epoch_losses))
    vectors = result.snapshots[-1].numpy()
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    cosine = unit @ unit.T
    np.fill_diagonal(cosine, -np.inf)
    nearest = cosine.argmax(1)
    assert np.array_equal(nearest // 10, np.arange(20) // 10), nearest
    again = train_sgns(_two_groups(), 20, UNIFORM_20, **GROUPS)
    assert again.batch_losses == result.batch_losses
    assert all(torch.equal(a, b) for a, b in zip(again.snapshots, result.snapshots, strict=True))
    other = train_sgns(_two_groups(), 20, UNIFORM_20, **{**GROUPS, "epochs": 1}, seed=1)
    assert not torch.equal(other.snapshots[1], result.snapshots[1])


def test_learning_rate_falls_linearly_over_all_batches_of_all_epochs(monkeypatch):
    """window=1: every reach is 1, so the sentences give 2 * (4 + 3 + 1) = 16 pairs an epoch,
    4 batches of 5; SGD's own param_groups are read at each step."""
    used = []
    step = torch.optim.SGD.step

    def recording(self, *args, **kwargs):
        used.append(self.param_groups[0]["lr"])
        return step(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.SGD, "step", recording)
    sentences = [torch.arange(5), torch.arange(4), torch.arange(2)]
    lr, epochs, batches = 0.05, 3, 4
    probs = torch.full((5,), 0.2, dtype=torch.float64)
    result = train_sgns(
        sentences, 5, probs, embedding_dim=3, window=1, epochs=epochs, batch_size=5, lr=lr
    )
    expected = [
        lr - (lr - lr * 1e-4) * (epoch + b / batches) / epochs
        for epoch in range(epochs)
        for b in range(batches)
    ]
    assert used == pytest.approx(expected, rel=1e-14, abs=0)
    assert list(result.learning_rates) == used
    assert result.pairs_seen == epochs * 16 and len(result.batch_losses) == epochs * batches


def test_keep_of_one_changes_nothing_and_keep_of_zero_freezes_a_words_input_row():
    sentences, args = _two_groups(10), {**GROUPS, "epochs": 2}
    plain = train_sgns(sentences, 20, UNIFORM_20, **args)
    kept = train_sgns(sentences, 20, UNIFORM_20, **args, keep=torch.ones(20, dtype=torch.float64))
    assert all(torch.equal(a, b) for a, b in zip(plain.snapshots, kept.snapshots, strict=True))
    keep = torch.ones(20, dtype=torch.float64)
    keep[3] = 0.0  # word 3 is always dropped: never a centre, so its input row never moves
    dropped = train_sgns(sentences, 20, UNIFORM_20, **args, keep=keep)
    assert torch.equal(dropped.snapshots[-1][3], dropped.snapshots[0][3])
    assert not torch.equal(dropped.snapshots[-1][4], dropped.snapshots[0][4])
    assert dropped.pairs_seen < plain.pairs_seen


def test_a_huge_learning_rate_stops_with_a_message_naming_lr():
    with pytest.raises(TrainingDivergedError, match=r"Lower lr \(now 10;"):
        train_sgns(_two_groups(10), 20, UNIFORM_20, **{**GROUPS, "lr": 10.0})
    with pytest.raises(TrainingDivergedError, match=r"epoch 2, batch 7: the mean loss .* nan"):
        reference._stop_if_diverged(math.nan, math.inf, "mean loss per pair", 0.1, 1, 7)


# ---- bad input ----


@pytest.mark.parametrize(
    ("changes", "match"),
    [({"window": 0}, "window"), ({"epochs": 101}, "epochs"), ({"batch_size": 0}, "batch_size")],
    ids=["window 0", "epochs 101", "batch_size 0"],
)
def test_sgns_draws_checks_its_arguments_as_train_sgns_does(changes, match):
    probs = torch.full((5,), 0.2, dtype=torch.float64)
    with pytest.raises(ValueError, match=match):
        sgns_draws([torch.tensor([0, 1, 2])], 5, probs, **changes)
