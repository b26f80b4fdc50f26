"""The trainer's pieces against independent oracles: a brute-force loop for the window mask, a
float64 autograd SGD step of the plain SGNS (and CBOW) loss for one update (the row cap's hand
count, for both SkipGram updates, is in ``test_trainer_ns.py``), and the linear schedule for
the learning rate over all epochs."""

import dataclasses
import itertools
import math
import threading
import time
import types

import pytest
import torch
import torch.nn.functional as F
from oracles import topic_corpus

from w2v_helpers import chunk_updates, trainer, training_config
from w2v_helpers.corpus import load_wiki_sample
from w2v_helpers.memory import MemoryBudgetError
from w2v_helpers.reference import SGNSModel
from w2v_helpers.trainer import (
    TrainConfig,
    TrainingDivergedError,
    learning_rate,
    train_word2vec,
)

STREAM = torch.tensor([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2])  # (L,)
V = 10


def brute_force_mask(stream, reach, start, config):
    """mask[b, s, c] by a loop over positions: centre p and tile position q, both in the stream,
    p inside the chunk, q within p's reach and not p itself."""
    S, w = config.block, config.window
    L = len(stream)
    end = min(start + config.chunk, L)
    B = math.ceil((end - start) / S)
    mask = torch.zeros(B, S, S + 2 * w, dtype=torch.bool)
    for b in range(B):
        for s in range(S):
            p = start + b * S + s
            for c in range(S + 2 * w):
                q = start + b * S - w + c
                mask[b, s, c] = p < end and 0 <= q < L and 1 <= abs(q - p) <= reach[p]
    return mask


@pytest.mark.parametrize(("block", "window", "chunk"), [(4, 3, 8), (1, 2, 1), (5, 1, 10)])
def test_tile_mask_matches_a_brute_force_loop(block, window, chunk):
    config = TrainConfig(block=block, window=window, chunk=chunk, noise_rows=2)
    reach = torch.randint(1, window + 1, STREAM.shape, generator=torch.Generator().manual_seed(1))
    for start in range(0, len(STREAM), chunk):
        got = chunk_updates.tile_chunk(STREAM, reach, start, config)
        expected = brute_force_mask(STREAM.tolist(), reach.tolist(), start, config)
        assert torch.equal(got.mask, expected)
        ok = got.centre_ok  # (B, S)
        positions = start + torch.arange(ok.numel()).view_as(ok)
        assert torch.equal(got.centre_ids[ok], STREAM[positions[ok]])


def make_run(config, seed=0):
    """A run on float64 tables with nonzero output rows (zeros would hide half the gradient)."""
    g = torch.Generator().manual_seed(seed)
    return chunk_updates.Tables(
        w_in=torch.randn(V, 6, generator=g, dtype=torch.float64),
        w_out=torch.randn(V, 6, generator=g, dtype=torch.float64),
        inner=None,
        paths=None,
        config=config,
    )


def sgns_step_by_autograd(w_in, w_out, centre, contexts, noise, lr, model):
    """Plain word2vec: SkipGram pairs (centre, o) each with the K noise words, or CBOW's window
    mean predicting the centre against them; one SGD step of the summed loss in float64."""
    a = w_in.clone().requires_grad_(True)
    b = w_out.clone().requires_grad_(True)
    if model == "skipgram":
        c = a[centre]  # (E,)
        loss = sum(F.softplus(-(c @ b[o])) + F.softplus(b[noise] @ c).sum() for o in contexts)
    else:
        h = a[contexts].mean(0)  # (E,)
        loss = F.softplus(-(h @ b[centre])) + F.softplus(b[noise] @ h).sum()
    loss.backward()
    return a.detach() - lr * a.grad, b.detach() - lr * b.grad, float(loss.detach())


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
@pytest.mark.parametrize("position", [0, 3, 9, 21])
def test_one_centre_update_is_a_plain_sgns_sgd_step(model, position):
    K, lr = 3, 0.05
    config = TrainConfig(
        model=model, block=1, chunk=1, window=2, negative=K, noise_rows=K, row_cap=math.inf
    )
    run = make_run(config)
    reach = torch.tensor([2, 1] * 11)  # (L,)
    chunk = chunk_updates.tile_chunk(STREAM, reach, position, config)
    noise = torch.tensor([[1, 7, 1]])  # (B, M), a repeated noise word on purpose
    before_in, before_out = run.w_in.clone(), run.w_out.clone()
    update = getattr(chunk_updates, f"{model}_ns_update")
    loss, count = update(run, chunk, noise, lr)
    r = int(reach[position])
    contexts = [
        int(STREAM[q])
        for q in range(position - r, position + r + 1)
        if q != position and 0 <= q < len(STREAM)
    ]
    new_in, new_out, oracle_loss = sgns_step_by_autograd(
        before_in, before_out, int(STREAM[position]), contexts, noise[0].tolist(), lr, model
    )
    torch.testing.assert_close(run.w_in, new_in, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(run.w_out, new_out, rtol=1e-12, atol=1e-12)
    assert float(loss) == pytest.approx(oracle_loss, rel=1e-12)
    assert int(count) == (len(contexts) if model == "skipgram" else 1)


def test_learning_rate_is_linear_from_alpha_to_min_alpha():
    config = TrainConfig(alpha=0.1, min_alpha=0.001)
    assert learning_rate(config, 0.0) == 0.1
    assert learning_rate(config, 1.0) == pytest.approx(0.001, abs=1e-15)
    assert learning_rate(config, 0.5) == pytest.approx(0.0505, rel=1e-12)
    with pytest.raises(ValueError, match="progress"):
        learning_rate(config, 1.5)


@pytest.mark.slow
@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_schedule_decays_over_all_epochs_not_the_first(monkeypatch, model):
    seen = []
    real = getattr(trainer, f"{model}_ns_update")

    def recording(tables, chunk, neg_ids, lr):
        seen.append(lr)
        return real(tables, chunk, neg_ids, lr)

    monkeypatch.setattr(trainer, f"{model}_ns_update", recording)
    sentences = load_wiki_sample(max_tokens=20_000)
    config = TrainConfig(model=model, epochs=3, chunk=1024, min_count=3, alpha=0.03)
    train_word2vec(sentences, config, progress=False)
    assert seen[0] == 0.03
    assert all(a > b for a, b in zip(seen, seen[1:], strict=False))  # strictly decreasing
    assert seen[-1] < learning_rate(config, 2 / 3)  # the last epoch reaches its own third
    assert seen[-1] > config.min_alpha


@pytest.mark.slow
@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_training_lowers_the_loss_and_stops_on_divergence(model):
    sentences = load_wiki_sample(max_tokens=30_000)
    ok = train_word2vec(sentences, TrainConfig(model=model, epochs=3, min_count=2), progress=False)
    assert ok.losses[-1] < ok.losses[0] and all(math.isfinite(v) for v in ok.losses)
    with pytest.raises(TrainingDivergedError, match=r"chunk \d+.*alpha \(now 1;"):
        train_word2vec(sentences, TrainConfig(model=model, alpha=1.0, epochs=2), progress=False)


def test_memory_guard_refuses_before_allocating_the_tables(monkeypatch):
    monkeypatch.setenv("W2V_MEMORY_BUDGET", "1GiB")
    allocated = []
    monkeypatch.setattr(trainer.torch, "zeros", lambda *a, **k: allocated.append(a))
    sentences = load_wiki_sample(max_tokens=5_000)
    config = TrainConfig(vector_size=2_048, window=50, chunk=1 << 20, min_count=1)
    with pytest.raises(MemoryBudgetError, match="vector_size"):
        train_word2vec(sentences, config, progress=False)
    assert not allocated


@pytest.mark.parametrize("position", [0, 3, 9, 21])
def test_one_centre_update_equals_the_reference_trainers_sgd_step(position):
    """The fast trainer with one centre per block, its own K noise rows and no cap takes the
    same step as notebook 05's reference (SGNSModel, summed loss, torch.optim.SGD)."""
    K, lr = 3, 0.05
    config = TrainConfig(block=1, chunk=1, window=2, negative=K, noise_rows=K, row_cap=math.inf)
    run = make_run(config)
    reach = torch.tensor([2, 1] * 11)  # (L,)
    noise = torch.tensor([[1, 7, 1]])  # (B, M)
    r = int(reach[position])
    contexts = [
        int(STREAM[q])
        for q in range(position - r, position + r + 1)
        if q != position and 0 <= q < len(STREAM)
    ]
    reference = SGNSModel(run.w_in.shape[0], run.w_in.shape[1])
    with torch.no_grad():
        reference.inputs.weight.copy_(run.w_in)
        reference.outputs.weight.copy_(run.w_out)
    optimizer = torch.optim.SGD(reference.parameters(), lr=lr)
    centre = torch.full((len(contexts),), int(STREAM[position]))  # (T,) one pair per context
    losses = reference(centre, torch.tensor(contexts), noise.expand(len(contexts), K))  # (T,)
    losses.sum().backward()
    optimizer.step()
    chunk = chunk_updates.tile_chunk(STREAM, reach, position, config)
    chunk_updates.skipgram_ns_update(run, chunk, noise, lr)
    torch.testing.assert_close(run.w_in, reference.inputs.weight.detach(), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(run.w_out, reference.outputs.weight.detach(), rtol=1e-12, atol=1e-12)


def test_on_epoch_sees_each_epochs_vectors_and_its_time_is_left_out(monkeypatch):
    """The trainer's clock is replaced by one that jumps an hour inside each on_epoch call:
    ``seconds`` must not see the jumps, whatever the machine's speed."""
    hour = 3_600.0
    jumped = [0.0]
    monkeypatch.setattr(
        trainer, "time", types.SimpleNamespace(perf_counter=lambda: time.perf_counter() + jumped[0])
    )
    sentences = load_wiki_sample(max_tokens=20_000)
    seen = []

    def record(epoch, vectors):
        seen.append((epoch, vectors.clone()))
        jumped[0] += hour  # an hour spent here, on the trainer's clock

    start = time.perf_counter()
    result = train_word2vec(sentences, TrainConfig(epochs=3, min_count=3), on_epoch=record)
    wall = time.perf_counter() - start
    assert [e for e, _ in seen] == [1, 2, 3]
    assert torch.equal(seen[-1][1], result.vectors) and not torch.equal(seen[0][1], seen[1][1])
    assert 0 < result.seconds <= wall  # the three hours in on_epoch are left out
    with pytest.raises(TypeError, match="on_epoch"):
        train_word2vec(sentences, TrainConfig(epochs=1, min_count=3), on_epoch=3)


def test_cbow_caps_each_window_rows_summed_update_to_cap_pairs():
    """CBOW sends each centre's step to its window rows, 1/n of it to each of n rows; a row's
    load is 1 + K scores per centre that reads it, over n. Oracle: that count by hand."""
    K, M, cap = 2, 2, 2.0
    base = dict(model="cbow", block=4, chunk=8, window=1, negative=K, noise_rows=M)
    stream = torch.tensor([0, 1, 2, 3, 4, 5, 6, 7])  # no repeats
    reach = torch.ones(8, dtype=torch.long)
    noise = torch.tensor([[9, 9], [9, 8]])  # (B, M)
    changes = {}
    for row_cap in (math.inf, cap):
        config = TrainConfig(**base, row_cap=row_cap)
        run = make_run(config)
        before = run.w_in.clone()
        chunk = chunk_updates.tile_chunk(stream, reach, 0, config)
        chunk_updates.cbow_ns_update(run, chunk, noise, 0.1)
        changes[row_cap] = run.w_in - before
    load = [0.0] * V
    for s in range(8):
        window = [c for c in (s - 1, s + 1) if 0 <= c < 8]
        for c in window:
            load[int(stream[c])] += (1 + K) / len(window)
    assert max(load) > cap > min(x for x in load if x)  # some rows capped, some not
    for word in range(8):
        scale = min(1.0, cap / load[word])
        torch.testing.assert_close(
            changes[cap][word], changes[math.inf][word] * scale, rtol=1e-12, atol=1e-15
        )


def test_workers_update_chunks_on_threads_at_once(monkeypatch):
    """workers=2: the chunk updates run on two pool threads (not the caller's), at once. The
    first two updates each wait at a barrier for the other: it opens only if both are running
    together, and a trainer that ran them one after the other would break it (timeout)."""
    seen = []  # the thread of each update
    plain = trainer.skipgram_ns_update
    meeting = threading.Barrier(2, timeout=60)
    calls = itertools.count()

    def together(*args):
        if next(calls) < 2:
            meeting.wait()  # raises BrokenBarrierError unless the other update is running too
        seen.append(threading.get_ident())
        return plain(*args)

    monkeypatch.setattr(trainer, "skipgram_ns_update", together)
    sentences = load_wiki_sample(max_tokens=30_000)
    config = TrainConfig(epochs=1, min_count=2, chunk=1024, workers=2)
    result = train_word2vec(sentences, config, progress=False)
    assert len(set(seen)) == 2 and threading.get_ident() not in seen
    assert len(result.losses) == len(seen) > 2  # every chunk's loss, none lost


@pytest.mark.slow
@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_workers_learn_the_topics_and_stop_on_divergence(model):
    config = TrainConfig(
        model=model,
        vector_size=16,
        window=3,
        min_count=1,
        sample=0.5,  # keep every word: none is frequent enough to subsample
        epochs=5,
        chunk=64,  # 24 words: at 256 centres a chunk SkipGram's summed updates diverge
        seed=1,
        workers=2,
    )
    result = train_word2vec(topic_corpus(), config, progress=False)
    for word in result.vocab.words:
        neighbours = [w for w, _ in result.most_similar(word, topn=7)]
        assert sum(w[0] == word[0] for w in neighbours) == 7, f"{word}: {neighbours}"
    with pytest.raises(TrainingDivergedError, match=r"alpha \(now 1;"):
        sentences = load_wiki_sample(max_tokens=30_000)
        diverging = TrainConfig(model=model, alpha=1.0, epochs=2, workers=2)
        train_word2vec(sentences, diverging, progress=False)


def test_each_worker_takes_a_share_of_the_chunk_and_of_the_cap():
    ns = training_config.worker_share(TrainConfig(chunk=4096, workers=3))
    assert (ns.chunk, ns.row_cap) == (1360, 256 / 3)  # whole blocks of 16, under 4096 / 3
    hs = training_config.worker_share(TrainConfig(chunk=1024, workers=2, hs=True, negative=0))
    assert (hs.chunk, hs.row_cap) == (512, 256)  # hierarchical softmax alone: the whole cap
    assert training_config.worker_share(TrainConfig(chunk=16, workers=4)).chunk == 16  # one block
    one = TrainConfig()
    assert training_config.worker_share(one) is one


@pytest.mark.slow
def test_a_toy_vocabulary_that_diverges_is_told_to_lower_chunk():
    config = TrainConfig(
        vector_size=16, window=3, min_count=1, sample=0.5, epochs=10, chunk=256, seed=1
    )
    with pytest.raises(TrainingDivergedError, match=r"only 24 words, also lower chunk \(now 256\)"):
        train_word2vec(topic_corpus(), config, progress=False)
    small = dataclasses.replace(config, chunk=64)  # the advice works
    assert math.isfinite(train_word2vec(topic_corpus(), small, progress=False).losses[-1])
