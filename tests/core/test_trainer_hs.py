"""The trainer's hierarchical-softmax option against independent oracles: one chunk's update is
one float64 SGD step of the summed path loss over the chunk's pairs, written as a plain loop
over positions, steps and ``log sigmoid`` (autograd gives the gradient); and training learns the
known neighbours of a synthetic corpus whose words come in topics."""

import math

import pytest
import torch
import torch.nn.functional as F
from oracles import topic_corpus

from w2v_helpers import chunk_updates, compiled_hs, compiled_spans
from w2v_helpers.corpus import load_wiki_sample
from w2v_helpers.hierarchical_softmax import build_huffman_tree
from w2v_helpers.memory import MemoryBudgetError, estimate_training_bytes, process_memory
from w2v_helpers.trainer import TrainConfig, TrainingDivergedError, train_word2vec

STREAM = torch.tensor([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2])  # (L,)
COUNTS = torch.tensor([6, 9, 3, 8, 2, 7, 4, 5, 1, 10])  # (V,): a tree with paths of 2 to 5 steps
V, E = 10, 6


def path_loss(h, inner, tree, word):
    """-log p(word | h) as a loop over the word's path: one log sigmoid per step."""
    total = 0.0
    for d in range(int(tree.lengths[word])):
        sign = 1 - 2 * int(tree.codes[word, d])  # code 0: sigmoid(+x), code 1: sigmoid(-x)
        total = total - F.logsigmoid(sign * (h @ inner[int(tree.points[word, d])]))
    return total


def chunk_step_by_autograd(w_in, inner, tree, reach, start, config, lr):
    """Every pair of the chunk's centres, from the same tables: SkipGram scores each context
    word's vector against the centre's path; CBOW the window's mean. One SGD step of the sum."""
    a = w_in.clone().requires_grad_(True)
    b = inner.clone().requires_grad_(True)
    loss, count = 0.0, 0
    for p in range(start, min(start + config.chunk, len(STREAM))):
        r = int(reach[p])
        window = [q for q in range(p - r, p + r + 1) if q != p and 0 <= q < len(STREAM)]
        contexts = [int(STREAM[q]) for q in window]
        centre = int(STREAM[p])
        if config.model == "skipgram":
            loss = loss + sum(path_loss(a[o], b, tree, centre) for o in contexts)
            count += len(contexts)
        else:
            loss = loss + path_loss(a[contexts].mean(0), b, tree, centre)
            count += 1
    loss.backward()
    return a.detach() - lr * a.grad, b.detach() - lr * b.grad, float(loss.detach()), count


@pytest.mark.parametrize(
    ("model", "update"),
    [
        ("skipgram", chunk_updates.skipgram_hs_update),
        ("cbow", chunk_updates.cbow_hs_update),
        pytest.param(
            "skipgram",
            compiled_hs.skipgram_hs_update,
            marks=pytest.mark.skipif(not compiled_spans.AVAILABLE, reason="numba not installed"),
            id="skipgram-numba",
        ),
    ],
)
@pytest.mark.parametrize(
    ("block", "window", "chunk", "start"),
    [(1, 2, 1, 0), (1, 2, 1, 9), (4, 2, 8, 0), (4, 3, 8, 16), (5, 1, 10, 10), (3, 4, 24, 0)],
)
def test_one_chunk_is_one_sgd_step_of_the_summed_path_loss(
    model, update, block, window, chunk, start
):
    lr = 0.05
    config = TrainConfig(
        model=model, block=block, window=window, chunk=chunk, hs=True, negative=0, row_cap=math.inf
    )
    tree = build_huffman_tree(COUNTS)
    g = torch.Generator().manual_seed(block * 100 + start)
    tables = chunk_updates.Tables(
        w_in=torch.randn(V, E, generator=g, dtype=torch.float64),
        w_out=None,
        inner=torch.randn(V - 1, E, generator=g, dtype=torch.float64),  # nonzero: both gradients
        paths=chunk_updates.PathTables.from_tree(tree, torch.device("cpu"), torch.float64),
        config=config,
    )
    reach = torch.randint(1, window + 1, STREAM.shape, generator=g)  # (L,)
    expected = chunk_step_by_autograd(tables.w_in, tables.inner, tree, reach, start, config, lr)
    loss, count = update(tables, chunk_updates.tile_chunk(STREAM, reach, start, config), lr)
    torch.testing.assert_close(tables.w_in, expected[0], rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(tables.inner, expected[1], rtol=1e-12, atol=1e-12)
    assert float(loss) == pytest.approx(expected[2], rel=1e-12)
    assert int(count) == expected[3]


@pytest.mark.slow
@pytest.mark.parametrize(("model", "negative"), [("skipgram", 0), ("cbow", 0), ("skipgram", 3)])
def test_training_learns_that_words_of_one_topic_are_neighbours(model, negative):
    config = TrainConfig(
        model=model,
        hs=True,
        negative=negative,
        vector_size=16,
        window=3,
        min_count=1,
        sample=0.5,  # keep every word: none is frequent enough to subsample
        epochs=5,
        chunk=256,
        seed=1,
    )
    result = train_word2vec(topic_corpus(), config, progress=False)
    assert result.losses[-1] < 0.8 * result.losses[0]
    for word in result.vocab.words:
        neighbours = [w for w, _ in result.most_similar(word, topn=7)]
        own = sum(w[0] == word[0] for w in neighbours)
        assert own == 7, f"{word}: {neighbours}"


def test_result_holds_the_tree_and_inner_vectors_and_no_unused_output_table():
    sentences = topic_corpus(sentences=50)
    result = train_word2vec(
        sentences, TrainConfig(hs=True, negative=0, min_count=1, epochs=1), progress=False
    )
    V = len(result.vocab)
    assert result.output is None
    assert result.inner.shape == (V - 1, 100)
    assert torch.equal(result.tree.lengths, build_huffman_tree(result.vocab.counts).lengths)
    both = train_word2vec(
        sentences, TrainConfig(hs=True, negative=2, min_count=1, epochs=1), progress=False
    )
    assert both.output.shape == (V, 100) and both.inner.shape == (V - 1, 100)


@pytest.mark.slow
@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_hierarchical_softmax_stops_on_divergence_naming_alpha(model):
    sentences = load_wiki_sample(max_tokens=30_000)
    config = TrainConfig(model=model, hs=True, negative=0, alpha=1.0, epochs=2, row_cap=1e6)
    with pytest.raises(TrainingDivergedError, match=r"alpha \(now 1;"):
        train_word2vec(sentences, config, progress=False)


def test_memory_estimate_counts_the_tree_and_the_memory_guard_refuses_early(monkeypatch):
    base = dict(vector_size=100, window=5, block=16, noise_rows=16, chunk=4096)
    without = estimate_training_bytes(9_000, 300_000, **base)
    with_tree = estimate_training_bytes(9_000, 300_000, **base, path_length=16)
    n, W, D = 4096, 2 * 5 + 1, 16  # centres, window slots, path steps
    assert with_tree - without >= 4 * (8_999 * 100 + 7 * n * W * D)  # inner table, score tensors
    sentences = load_wiki_sample(max_tokens=5_000)
    monkeypatch.setenv("W2V_MEMORY_BUDGET", f"{(process_memory() >> 20) + 64}MiB")
    config = TrainConfig(hs=True, negative=0, vector_size=1_024, chunk=1 << 16, min_count=1)
    with pytest.raises(MemoryBudgetError, match="vector_size"):
        train_word2vec(sentences, config, progress=False)


@pytest.mark.skipif(not compiled_spans.AVAILABLE, reason="numba not installed")
def test_the_numba_kernel_trains_what_the_tensor_update_trains_and_repeats_exactly():
    sentences = load_wiki_sample(max_tokens=20_000)
    config = TrainConfig(hs=True, negative=0, epochs=2, chunk=1_024, seed=3)
    torch_run = train_word2vec(sentences, config, progress=False)
    numba = TrainConfig(hs=True, negative=0, epochs=2, chunk=1_024, seed=3, kernel="numba")
    first, again = (train_word2vec(sentences, numba, progress=False) for _ in range(2))
    assert torch.equal(first.vectors, again.vectors) and torch.equal(first.inner, again.inner)
    # the same updates, float32 sums in another order: apart by rounding only
    torch.testing.assert_close(first.vectors, torch_run.vectors, rtol=0, atol=1e-5)
    torch.testing.assert_close(first.inner, torch_run.inner, rtol=0, atol=1e-5)
    assert first.losses == pytest.approx(torch_run.losses, rel=1e-5)
    assert (first.vectors - torch_run.vectors).abs().max() > 0  # it did run the other kernel


def test_kernel_numba_without_numba_warns_and_runs_the_tensor_update(monkeypatch):
    from w2v_helpers import trainer

    sentences = topic_corpus(sentences=40)
    base = dict(hs=True, negative=0, min_count=1, epochs=1, chunk=64, seed=1)
    expected = train_word2vec(sentences, TrainConfig(**base), progress=False)
    monkeypatch.setattr(trainer, "_numba_available", lambda: False)
    with pytest.warns(RuntimeWarning, match=r"kernel='numba' needs numba \(pip install"):
        result = train_word2vec(sentences, TrainConfig(**base, kernel="numba"), progress=False)
    assert torch.equal(result.vectors, expected.vectors)


@pytest.mark.parametrize("kernel", ["cuda", "", None, 1])
def test_kernel_must_be_torch_or_numba(kernel):
    with pytest.raises(ValueError, match=r"kernel must be one of \('torch', 'numba'\)"):
        TrainConfig(hs=True, kernel=kernel)


@pytest.mark.skipif(not compiled_spans.AVAILABLE, reason="numba not installed")
@pytest.mark.parametrize(
    ("window", "chunk", "start"), [(2, 8, 0), (3, 8, 16), (4, 24, 0), (1, 4, 20)]
)
def test_a_stream_span_lists_the_contexts_a_chunks_tiles_do(window, chunk, start):
    """The trainer hands the compiled update a span of the stream instead of tiles when nothing
    else needs them: the centres and context lists must be the tiles' own, and so the update."""
    config = TrainConfig(block=4, window=window, chunk=chunk, hs=True, negative=0)
    g = torch.Generator().manual_seed(start)
    reach = torch.randint(1, window + 1, STREAM.shape, generator=g)  # (L,)
    tiles = chunk_updates.tile_chunk(STREAM, reach, start, config)
    span = compiled_spans.StreamSpan(
        stream=STREAM, reach=reach, start=start, stop=min(start + chunk, len(STREAM))
    )
    centres, ptr, ids = compiled_spans.span_contexts(span)
    t_centres, t_ptr, t_ids = compiled_spans.context_lists(tiles)
    real = len(centres)  # the tiles pad the last block with centres that have no context
    assert torch.equal(t_centres[:real], centres) and torch.equal(t_ids, ids)
    assert torch.equal(t_ptr[: real + 1], ptr) and bool((t_ptr[real:] == ptr[-1]).all())


def test_the_numba_kernel_asks_the_guard_for_its_gradient_tables():
    from w2v_helpers.corpus import build_vocabulary
    from w2v_helpers.trainer import training_bytes

    vocab = build_vocabulary(topic_corpus(sentences=40), min_count=1)
    V = len(vocab)
    base = dict(hs=True, negative=0, vector_size=32, workers=3, min_count=1)
    plain = training_bytes(TrainConfig(**base), vocab, 1_000)
    compiled = training_bytes(TrainConfig(**base, kernel="numba"), vocab, 1_000)
    assert compiled - plain == 3 * (V + V - 1) * 32 * 4  # per worker: (V, E) and (V - 1, E)
