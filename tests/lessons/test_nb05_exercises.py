"""Notebook 05's new exercises: the pair generator, the SGNS gradient and the SGNS training loop.

Oracles: each check is fed the right answer written out as a learner would (a loop over
positions, a vectorised form) and each usual mistake written out the same way, and the test
asserts the specific message that names it. The pair check's answer is ``SkipGramPairs``, the
gradient check's autograd, the loop check's ``train_sgns``; the right answers here never call them.
"""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from w2v_helpers.lessons.nb05_train_it_yourself import (
    check_sgns_gradients,
    check_skipgram_pairs,
    check_training_loop,
)

# ---- check_skipgram_pairs ----


def _pairs(sentences, window, generator, *, low=1, high=None, fixed=False, itself=False, edge=0):
    """The pair generator, with one mistake switched on by a keyword."""
    high = window + 1 if high is None else high
    pairs = []
    for ids in sentences:
        if fixed:
            reach = torch.full((len(ids),), window)
        else:
            reach = torch.randint(low, high, (len(ids),), generator=generator)
        for i, b in enumerate(reach.tolist()):
            for j in range(max(0, i - b), min(len(ids), i + b + 1 + edge)):
                if j != i or itself:
                    pairs.append((int(ids[i]), int(ids[j])))
    return pairs


def _pairs_by_distance(sentences, window, generator):
    """Right, written differently: per sentence, both directions for each distance d."""
    centres, contexts = [], []
    for ids in sentences:
        reach = torch.randint(1, window + 1, (len(ids),), generator=generator)
        for d in range(1, window + 1):
            for i in range(len(ids) - d):
                if reach[i] >= d:
                    centres.append(ids[i])
                    contexts.append(ids[i + d])
                if reach[i + d] >= d:
                    centres.append(ids[i + d])
                    contexts.append(ids[i])
    return torch.stack(centres), torch.stack(contexts)


def _pairs_joined(sentences, window, generator):
    """One id stream for all sentences: windows reach across sentence ends."""
    return _pairs([torch.cat(list(sentences))], window, generator)


@pytest.mark.parametrize("fn", [_pairs, _pairs_by_distance], ids=["loop", "by distance"])
def test_pairs_check_accepts_the_reference_pairs_for_the_same_draws(fn):
    feedback = check_skipgram_pairs(fn)
    assert feedback.ok, feedback.message
    assert "the reference's for the same draws" in feedback.message


PAIR_MISTAKES = [
    (lambda s, w, g: _pairs(s, w, g, fixed=True), "whole window w"),
    (lambda s, w, g: _pairs(s, w, g, low=0), "reaches run 0..w"),
    (lambda s, w, g: _pairs(s, w, g, high=w), "reaches run 1..w-1"),
    (lambda s, w, g: _pairs(s, w, g, itself=True), "paired with itself"),
    (lambda s, w, g: _pairs(s, w, g, edge=-1), "leave out the words at distance exactly b"),
    (lambda s, w, g: _pairs(s, w, g, edge=1), "also pair words at distance b + 1"),
    (_pairs_joined, "across a sentence end"),
    (lambda s, w, g: _pairs(s[:1], w, g), "pairs missing"),
    (lambda s, w, g: ..., "returns nothing yet"),
    (lambda s, w, g: 3, "list of (centre, context) pairs"),
]


@pytest.mark.parametrize(("fn", "explains"), PAIR_MISTAKES, ids=[m for _, m in PAIR_MISTAKES])
def test_pairs_check_names_each_usual_mistake(fn, explains):
    feedback = check_skipgram_pairs(fn)
    assert not feedback.ok
    assert explains in feedback.message


# ---- check_sgns_gradients ----


def _grads(c, o, n, *, pos="right", neg="right", noise="sum"):
    """The SGNS gradient by hand, with one wrong term switched on by a keyword."""
    s_pos = (c * o).sum(-1, keepdim=True)  # (N, 1)
    s_neg = torch.einsum("nke,ne->nk", n, c)  # (N, K)
    g_pos = {
        "right": torch.sigmoid(s_pos) - 1,
        "sign": 1 - torch.sigmoid(s_pos),
        "sigma": torch.sigmoid(s_pos),
        "no sigmoid": s_pos - 1,
    }[pos]
    g_neg = {
        "right": torch.sigmoid(s_neg),
        "sign": -torch.sigmoid(s_neg),
        "minus one": torch.sigmoid(s_neg) - 1,
        "no sigmoid": s_neg,
    }[neg][..., None]  # (N, K, 1)
    d_noise = g_neg * c[:, None, :]  # (N, K, E)
    noise_term = {
        "sum": (g_neg * n).sum(1),
        "mean": (g_neg * n).mean(1),
        "none": torch.zeros_like(c),
    }[noise]
    return g_pos * o + noise_term, g_pos * c, d_noise


def _grads_per_pair(c, o, n):
    """Right, written pair by pair with Python floats for the sigmoids."""
    d_c, d_o, d_n = torch.zeros_like(c), torch.zeros_like(o), torch.zeros_like(n)
    for i in range(len(c)):
        a = 1 / (1 + torch.exp(-(c[i] @ o[i]))) - 1
        d_o[i] = a * c[i]
        d_c[i] = a * o[i]
        for k in range(n.shape[1]):
            b = 1 / (1 + torch.exp(-(c[i] @ n[i, k])))
            d_n[i, k] = b * c[i]
            d_c[i] += b * n[i, k]
    return d_c, d_o, d_n


def _centre_noise_sign(c, o, n):
    d_c, d_o, d_n = _grads(c, o, n)
    return _grads(c, o, n, neg="sign")[0], d_o, d_n


def _centre_unsummed(c, o, n):
    d_c, d_o, d_n = _grads(c, o, n)
    s_pos = (c * o).sum(-1, keepdim=True)
    per_k = ((torch.sigmoid(s_pos) - 1) * o)[:, None] + torch.sigmoid(
        torch.einsum("nke,ne->nk", n, c)
    )[..., None] * n  # (N, K, E): the K terms never summed
    return per_k, d_o, d_n


@pytest.mark.parametrize("fn", [_grads, _grads_per_pair], ids=["batched", "per pair"])
def test_gradient_check_accepts_the_gradient_by_hand(fn):
    feedback = check_sgns_gradients(fn)
    assert feedback.ok, feedback.message


GRADIENT_MISTAKES = [
    (
        lambda c, o, n: _grads(c, o, n, pos="sign"),
        "∂loss/∂o (the context vector) has the wrong sign",
    ),
    (
        lambda c, o, n: _grads(c, o, n, pos="sigma"),
        "∂loss/∂o (the context vector): the true pair's factor is σ(s⁺) − 1, not σ(s⁺)",
    ),
    (
        lambda c, o, n: _grads(c, o, n, pos="no sigmoid"),
        "∂loss/∂o (the context vector) is missing the sigmoid",
    ),
    (
        lambda c, o, n: _grads(c, o, n, neg="sign"),
        "∂loss/∂n_k (each noise vector) has the wrong sign",
    ),
    (
        lambda c, o, n: _grads(c, o, n, neg="minus one"),
        "a noise word's factor is σ(s⁻_k), not σ(s⁻_k) − 1",
    ),
    (
        lambda c, o, n: _grads(c, o, n, neg="no sigmoid"),
        "∂loss/∂n_k (each noise vector) is missing the sigmoid",
    ),
    (
        lambda c, o, n: _grads(c, o, n, noise="mean"),
        "averages the noise terms: sum them over the K noise words",
    ),
    (
        lambda c, o, n: _grads(c, o, n, noise="none"),
        "∂loss/∂c (the centre vector) is missing the noise words' term",
    ),
    (_centre_noise_sign, "∂loss/∂c (the centre vector): the noise term has the wrong sign"),
    (_centre_unsummed, "Sum the noise terms over the K noise words"),
    (lambda c, o, n: _grads(c, o, n)[:2], "return three gradients"),
    (lambda c, o, n: None, "returns nothing yet"),
]


@pytest.mark.parametrize(
    ("fn", "explains"), GRADIENT_MISTAKES, ids=[str(i) for i in range(len(GRADIENT_MISTAKES))]
)
def test_gradient_check_names_the_wrong_term(fn, explains):
    feedback = check_sgns_gradients(fn)
    assert not feedback.ok
    assert explains in feedback.message


# ---- check_training_loop ----


def _sampler(counts, num_pairs, negative, generator):
    weights = counts.double() ** 0.75  # (V,)
    draws = torch.multinomial(weights, num_pairs * negative, replacement=True, generator=generator)
    return draws.view(num_pairs, negative)  # (N, K)


def _loop(start, epochs, counts, lr, negative, generator, mistake=""):
    """The SGNS loop a learner writes, with one usual mistake switched on by name."""
    inputs = nn.Embedding.from_pretrained(start.clone(), freeze=False, sparse=True)
    outputs = nn.Embedding.from_pretrained(torch.zeros_like(start), freeze=False, sparse=True)
    if mistake == "one table":
        outputs = inputs
    optimizer = torch.optim.SGD(list({inputs.weight, outputs.weight}), lr=lr)
    first_noise, epoch_losses = None, []
    for e, batches in enumerate(epochs):
        total, seen = 0.0, 0
        for b, (centre, context) in enumerate(batches):
            if mistake != "no decay":
                progress = (e + b / len(batches)) / len(epochs)
                optimizer.param_groups[0]["lr"] = lr * (1 - (1 - 1e-4) * progress)
            if first_noise is None or mistake != "noise once":
                first_noise = _sampler(counts, len(centre), negative, generator)
            noise = first_noise[: len(centre)]  # (N, K)
            c, o, n = inputs(centre), outputs(context), outputs(noise)
            s_neg = F.softplus(torch.einsum("nke,ne->nk", n, c))  # (N, K)
            per_k = s_neg.mean(-1) if mistake == "mean over K" else s_neg.sum(-1)
            pair = F.softplus(-(c * o).sum(-1)) + per_k  # (N,)
            loss = pair.mean() if mistake == "mean over the batch" else pair.sum()
            if mistake != "no zero_grad":
                optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total, seen = total + pair.sum().item(), seen + len(centre)
        epoch_losses.append(total / seen)
    return inputs.weight.detach(), epoch_losses


@pytest.mark.slow
def test_loop_check_accepts_the_loop_written_out():
    feedback = check_training_loop(_loop)
    assert feedback.ok, feedback.message
    assert "match train_sgns to 1e-9" in feedback.message


LOOP_MISTAKES = [
    ("no zero_grad", "call optimizer.zero_grad() every step"),
    ("noise once", "you drew the noise once for all batches"),
    ("no decay", "the learning rate never falls"),
    ("one table", "need a table of their own"),
    ("mean over K", "sum the noise words' terms over the K noise words; you averaged them"),
    ("mean over the batch", "step on the batch's summed loss"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("mistake", "explains"), LOOP_MISTAKES, ids=[m for m, _ in LOOP_MISTAKES])
def test_loop_check_names_each_usual_mistake(mistake, explains):
    feedback = check_training_loop(lambda *args: _loop(*args, mistake=mistake))
    assert not feedback.ok
    assert explains in feedback.message


@pytest.mark.slow
def test_loop_check_names_a_generator_never_used():
    def unseeded(start, epochs, counts, lr, negative, generator):
        return _loop(start, epochs, counts, lr, negative, torch.Generator().manual_seed(99))

    feedback = check_training_loop(unseeded)
    assert not feedback.ok
    assert "never used" in feedback.message


@pytest.mark.slow
def test_loop_check_says_a_stub_returns_nothing():
    feedback = check_training_loop(lambda *args: ...)
    assert not feedback.ok
    assert "returns nothing yet" in feedback.message
