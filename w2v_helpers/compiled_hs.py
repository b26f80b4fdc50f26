"""SkipGram hierarchical softmax's chunk update as compiled loops (numba): an optional speed-up.

``TrainConfig(kernel="numba")`` makes the fast trainer use :func:`skipgram_hs_update` below in
place of ``chunk_updates.skipgram_hs_update`` for SkipGram with hierarchical softmax on the CPU.
It is the same update: the same pairs, scored from the same (stale) tables of the chunk, the
same loss, each row's summed step capped at ``row_cap`` in the same way. What differs is only
the order in which float32 products are summed (the loops add a dot product in whatever order
the compiler vectorises it; ``tests/core/test_trainer_hs.py`` checks both against one float64
SGD step by autograd). Without numba installed the trainer falls back to the tensor version,
with a warning.

Why loops: the tensor version spends much of its time packing the pairs into groups, gathering
rows into copies, and adding the gradients back with ``index_add_``; loops read and write the
table rows where they lie and need no packing. Per chunk:

1. the centres and their context words as flat lists (``compiled_spans.span_contexts`` from the
   stream, or ``compiled_spans.context_lists`` from a chunk's tiles);
2. ``_scores_loop``: every (context word, path node) score, times the node's sign (-1 where
   word2vec's label is 1), so that each costs ``softplus(s)``;
3. ``torch.sigmoid`` and ``torch.nn.functional.softplus`` over all the scores at once
   (vectorised: a scalar ``exp`` per score inside the loops made them slower, 6.8 against
   3.8 ms a chunk);
4. ``_loads_loop``: each table row's load; ``_gradients_loop``: each row's summed gradient, into
   a gradient table per worker thread; ``compiled_spans.steps_loop``: each row's capped step,
   added to the tables only after every score has been used, as the tensor version does.

What it shares with ``compiled_ns`` (spans, context lists, gradient tables, the capped step,
the compiler) is in ``compiled_spans``. Introduced in ``08_hierarchical_softmax.ipynb``.

Shape glossary: V vocabulary, E embedding dim, D the longest path; n centres of a chunk, P_c
their context words, P scores.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .chunk_updates import Chunk, Tables
from .compiled_spans import StreamSpan, chunk_contexts, compile_loops, scratch, steps_loop

__all__ = ["skipgram_hs_update"]


def _scores_loop(w_in, inner, centres, ctx_ptr, ctx_ids, points, signs, lengths, out):
    """Pass 1: each centre's context rows against its path's nodes, the scores signed."""
    p = 0
    for i in range(centres.shape[0]):
        word = centres[i]
        for j in range(ctx_ptr[i], ctx_ptr[i + 1]):
            x = w_in[ctx_ids[j]]
            for k in range(lengths[word]):
                v = inner[points[word, k]]
                dot = x[0] * v[0]
                for e in range(1, x.shape[0]):
                    dot += x[e] * v[e]
                out[p] = dot * signs[word, k]
                p += 1


def _loads_loop(centres, ctx_ptr, ctx_ids, points, lengths, in_load, node_load, g_in, g_node):
    """Each table row's load (the scores behind its summed update); the gradient row of each
    row with a load is zeroed the first time it is met."""
    for i in range(centres.shape[0]):
        word, c = centres[i], ctx_ptr[i + 1] - ctx_ptr[i]
        for j in range(ctx_ptr[i], ctx_ptr[i + 1]):
            row = ctx_ids[j]
            if in_load[row] == 0:
                g_in[row, :] = 0
            in_load[row] += lengths[word]
        for k in range(lengths[word] if c else 0):
            node = points[word, k]
            if node_load[node] == 0:
                g_node[node, :] = 0
            node_load[node] += c


def _gradients_loop(w_in, inner, centres, ctx_ptr, ctx_ids, points, signs, lengths, grads,
                    g_in, g_node):  # fmt: skip
    """Pass 3: each table row's summed gradient, from the tables as they were; ``grads`` holds
    the sigmoid of each signed score."""
    p = 0
    for i in range(centres.shape[0]):
        word = centres[i]
        for j in range(ctx_ptr[i], ctx_ptr[i + 1]):
            x, gx = w_in[ctx_ids[j]], g_in[ctx_ids[j]]
            for k in range(lengths[word]):
                v, gv = inner[points[word, k]], g_node[points[word, k]]
                g = grads[p] * signs[word, k]
                p += 1
                for e in range(x.shape[0]):
                    gx[e] += g * v[e]
                    gv[e] += g * x[e]


def skipgram_hs_update(
    tables: Tables, chunk: Chunk | StreamSpan, lr: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """One chunk of SkipGram with hierarchical softmax, as ``chunk_updates.skipgram_hs_update``
    computes it, in compiled loops. CPU tables only. Returns the loss summed over pairs and the
    number of pairs. Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        tables: the run's tables (``w_in`` and ``inner`` are updated in place).
        chunk: the chunk from ``chunk_updates.tile_chunk``, or a ``compiled_spans.StreamSpan`` (the
            trainer's, when nothing else needs the tiles).
        lr: the learning rate of this chunk.

    Shape:
        - output: two scalars.
    """
    scores_loop, loads_loop, gradients_loop, apply_steps = compile_loops(
        _scores_loop, _loads_loop, _gradients_loop, steps_loop
    )
    paths = tables.paths
    centres, ctx_ptr, ctx_ids = chunk_contexts(chunk)  # (n,), (n + 1,), (P_c,)
    lengths = paths.lengths  # (V,)
    n_ctx = ctx_ptr[1:] - ctx_ptr[:-1]  # (n,)
    w_in, inner = tables.w_in.numpy(), tables.inner.numpy()
    rows = (centres.numpy(), ctx_ptr.numpy(), ctx_ids.numpy(), paths.points.numpy())
    signs, steps = paths.signs.numpy(), lengths.numpy()  # (V, D), (V,)
    scores = tables.w_in.new_empty(int((n_ctx * lengths[centres]).sum()))  # (P,)
    scores_loop(w_in, inner, *rows, signs, steps, scores.numpy())
    loss = F.softplus(scores).sum()
    torch.sigmoid(scores, out=scores)  # (P,): d loss / d (signed score)
    g_in, g_node = (
        scratch(w_in, "input"),
        scratch(inner, "inner"),
    )  # (V, E), (V - 1, E): rows zeroed when used
    in_load, node_load = np.zeros(len(w_in)), np.zeros(len(inner))  # (V,), (V - 1,)
    loads_loop(*rows, steps, in_load, node_load, g_in, g_node)
    gradients_loop(w_in, inner, *rows, signs, steps, scores.numpy(), g_in, g_node)
    cap = float(tables.config.row_cap)  # math.inf: no cap, min(1, inf / load) = 1
    apply_steps(w_in, g_in, in_load, lr, cap)
    apply_steps(inner, g_node, node_load, lr, cap)
    return loss, n_ctx.sum()
