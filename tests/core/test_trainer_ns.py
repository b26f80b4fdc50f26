"""SkipGram negative sampling's chunk update, the tensor one and the compiled one, against an
independent oracle: one chunk's update is one float64 SGD step of the chunk's summed loss,
written as a plain loop over positions (each centre with its context words, label 1, and its
block's shared noise rows, label 0, weighted ``negative / M`` per context word), its gradient by
autograd. Then the compiled update in training: it trains what the tensor update trains, repeats
exactly, falls back with a warning, caps rows as the tensor one does, and asks the guard for
its gradient tables."""

import math

import pytest
import torch
import torch.nn.functional as F
from oracles import topic_corpus

from w2v_helpers import chunk_updates, compiled_spans
from w2v_helpers.corpus import load_wiki_sample
from w2v_helpers.trainer import TrainConfig, train_word2vec

STREAM = torch.tensor([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2])  # (L,)
V, E = 10, 6
needs_numba = pytest.mark.skipif(not compiled_spans.AVAILABLE, reason="numba not installed")


def compiled_update(tables, chunk, neg_ids, lr):
    from w2v_helpers import compiled_ns  # imports numba's compiler

    return compiled_ns.skipgram_ns_update(tables, chunk, neg_ids, lr)


UPDATES = [
    pytest.param(chunk_updates.skipgram_ns_update, id="tensor"),
    pytest.param(compiled_update, id="numba", marks=needs_numba),
]


def chunk_step_by_autograd(w_in, w_out, reach, start, config, neg_ids, lr):
    """Every centre of the chunk from the same tables: its context words (label 1) and its
    block's M noise rows (label 0), each noise score weighted negative / M per context word; one
    SGD step of the sum, the pairs counted."""
    a = w_in.clone().requires_grad_(True)
    b = w_out.clone().requires_grad_(True)
    M = neg_ids.shape[1]
    loss, count = 0.0, 0
    for p in range(start, min(start + config.chunk, len(STREAM))):
        r = int(reach[p])
        window = [q for q in range(p - r, p + r + 1) if q != p and 0 <= q < len(STREAM)]
        contexts = [int(STREAM[q]) for q in window]
        centre = a[int(STREAM[p])]  # (E,)
        noise = b[neg_ids[(p - start) // config.block]]  # (M, E)
        for o in contexts:
            loss = loss + F.softplus(-(centre @ b[o]))
        weight = config.negative / M * len(contexts)
        loss = loss + weight * F.softplus(noise @ centre).sum()
        count += len(contexts)
    loss.backward()
    return a.detach() - lr * a.grad, b.detach() - lr * b.grad, float(loss.detach()), count


def float64_tables(config, seed):
    g = torch.Generator().manual_seed(seed)
    return chunk_updates.Tables(
        w_in=torch.randn(V, E, generator=g, dtype=torch.float64),
        w_out=torch.randn(V, E, generator=g, dtype=torch.float64),  # nonzero: both gradients
        inner=None,
        paths=None,
        config=config,
    )


@pytest.mark.parametrize("update", UPDATES)
@pytest.mark.parametrize(
    ("block", "window", "chunk", "start", "negative", "noise_rows"),
    [
        (1, 2, 1, 0, 3, 3),
        (1, 2, 1, 21, 3, 3),
        (4, 2, 8, 0, 5, 4),
        (4, 3, 8, 16, 2, 6),  # the stream's last, short block
        (5, 1, 10, 10, 5, 16),
        (3, 4, 24, 0, 1, 2),
    ],
)
def test_one_chunk_is_one_sgd_step_of_the_summed_loss(
    update, block, window, chunk, start, negative, noise_rows
):
    lr = 0.05
    config = TrainConfig(
        block=block,
        window=window,
        chunk=chunk,
        negative=negative,
        noise_rows=noise_rows,
        row_cap=math.inf,
    )
    tables = float64_tables(config, seed=block * 100 + start)
    g = torch.Generator().manual_seed(start)
    reach = torch.randint(1, window + 1, STREAM.shape, generator=g)  # (L,)
    tiles = chunk_updates.tile_chunk(STREAM, reach, start, config)
    neg_ids = torch.randint(0, V, (tiles.centre_ids.shape[0], noise_rows), generator=g)  # (B, M)
    neg_ids[0, -1] = neg_ids[0, 0]  # a noise word twice in one block, on purpose
    expected = chunk_step_by_autograd(tables.w_in, tables.w_out, reach, start, config, neg_ids, lr)
    loss, count = update(tables, tiles, neg_ids, lr)
    torch.testing.assert_close(tables.w_in, expected[0], rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(tables.w_out, expected[1], rtol=1e-12, atol=1e-12)
    assert float(loss) == pytest.approx(expected[2], rel=1e-12)
    assert int(count) == expected[3]


@needs_numba
@pytest.mark.parametrize(("window", "chunk", "start"), [(2, 8, 0), (3, 8, 16), (1, 4, 20)])
def test_a_stream_span_updates_as_the_chunks_tiles_do(window, chunk, start):
    """The trainer hands the compiled update a span of the stream: the same step as the tiles."""
    config = TrainConfig(block=4, window=window, chunk=chunk, noise_rows=3, row_cap=2.0)
    g = torch.Generator().manual_seed(start)
    reach = torch.randint(1, window + 1, STREAM.shape, generator=g)  # (L,)
    tiles = chunk_updates.tile_chunk(STREAM, reach, start, config)
    neg_ids = torch.randint(0, V, (tiles.centre_ids.shape[0], 3), generator=g)  # (B, M)
    span = compiled_spans.StreamSpan(
        stream=STREAM, reach=reach, start=start, stop=min(start + chunk, len(STREAM))
    )
    by_tiles, by_span = float64_tables(config, 1), float64_tables(config, 1)
    compiled_update(by_tiles, tiles, neg_ids, 0.05)
    compiled_update(by_span, span, neg_ids, 0.05)
    assert torch.equal(by_tiles.w_in, by_span.w_in) and torch.equal(by_tiles.w_out, by_span.w_out)


@pytest.mark.parametrize("update", UPDATES)
def test_row_cap_scales_a_rows_summed_update_to_cap_pairs(update):
    """Word 9's output row collects one weighted pair per (centre, noise slot) in the chunk.
    Oracle: count those pairs by hand and scale the uncapped step's change."""
    K, M, cap = 2, 2, 3.0
    base = dict(block=4, chunk=8, window=1, negative=K, noise_rows=M)
    stream = torch.tensor([0, 1, 2, 3, 4, 5, 6, 7])  # no repeats: only noise rows share ids
    reach = torch.ones(8, dtype=torch.long)
    noise = torch.tensor([[9, 9], [9, 8]])  # (B, M)
    change = {}
    for name, row_cap in (("free", math.inf), ("capped", cap)):
        config = TrainConfig(**base, row_cap=row_cap)
        tables = float64_tables(config, seed=0)
        before = tables.w_out.clone()
        update(tables, chunk_updates.tile_chunk(stream, reach, 0, config), noise, 0.1)
        change[name] = tables.w_out - before
    n_pos = [1, 2, 2, 2, 2, 2, 2, 1]  # context words of each centre: 1 at the stream's ends
    load_9 = sum(K / M * n for n in n_pos[:4]) * 2 + sum(K / M * n for n in n_pos[4:])  # 21
    load_8 = sum(K / M * n for n in n_pos[4:])  # 7
    free, capped = change["free"], change["capped"]
    torch.testing.assert_close(capped[9], free[9] * cap / load_9, rtol=1e-12, atol=1e-15)
    torch.testing.assert_close(capped[8], free[8] * cap / load_8, rtol=1e-12, atol=1e-15)
    torch.testing.assert_close(capped[0], free[0], rtol=1e-12, atol=1e-15)  # load 1: under cap


@needs_numba
def test_too_few_noise_blocks_are_refused():
    config = TrainConfig(block=4, window=2, chunk=8)
    tiles = chunk_updates.tile_chunk(STREAM, torch.full(STREAM.shape, 2), 0, config)
    with pytest.raises(ValueError, match="neg_ids has 1 blocks of 4 centres; the chunk has 8"):
        compiled_update(float64_tables(config, 0), tiles, torch.zeros(1, 3, dtype=torch.long), 0.1)


@needs_numba
@pytest.mark.parametrize("hs", [False, True])
def test_the_numba_kernel_trains_what_the_tensor_update_trains_and_repeats_exactly(hs):
    sentences = load_wiki_sample(max_tokens=20_000)
    base = dict(epochs=2, chunk=1_024, seed=3, hs=hs)
    torch_run = train_word2vec(sentences, TrainConfig(**base), progress=False)
    numba = TrainConfig(**base, kernel="numba")
    first, again = (train_word2vec(sentences, numba, progress=False) for _ in range(2))
    assert torch.equal(first.vectors, again.vectors)
    # the same updates, float32 sums in another order: apart by rounding only
    torch.testing.assert_close(first.vectors, torch_run.vectors, rtol=0, atol=1e-5)
    assert first.losses == pytest.approx(torch_run.losses, rel=1e-5)
    assert (first.vectors - torch_run.vectors).abs().max() > 0  # it did run the other kernel


def test_kernel_numba_without_numba_warns_and_runs_the_tensor_update(monkeypatch):
    from w2v_helpers import trainer

    sentences = topic_corpus(sentences=40)
    base = dict(min_count=1, epochs=1, chunk=64, seed=1)
    expected = train_word2vec(sentences, TrainConfig(**base), progress=False)
    monkeypatch.setattr(trainer, "_numba_available", lambda: False)
    with pytest.warns(RuntimeWarning, match=r"kernel='numba' needs numba \(pip install"):
        result = train_word2vec(sentences, TrainConfig(**base, kernel="numba"), progress=False)
    assert torch.equal(result.vectors, expected.vectors)


@pytest.mark.parametrize(("negative", "hs", "tables"), [(5, False, 2), (5, True, 3)])
def test_the_numba_kernel_asks_the_guard_for_its_gradient_tables(negative, hs, tables):
    from w2v_helpers.corpus import build_vocabulary
    from w2v_helpers.trainer import training_bytes

    vocab = build_vocabulary(topic_corpus(sentences=40), min_count=1)
    V = len(vocab)
    base = dict(negative=negative, hs=hs, vector_size=32, workers=3, min_count=1)
    plain = training_bytes(TrainConfig(**base), vocab, 1_000)
    compiled = training_bytes(TrainConfig(**base, kernel="numba"), vocab, 1_000)
    rows = {2: V + V, 3: V + V + V - 1}[tables]  # input, output, inner nodes
    assert compiled - plain == 3 * rows * 32 * 4
