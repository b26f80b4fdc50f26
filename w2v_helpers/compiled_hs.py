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

1. the centres and their context words as flat lists (:func:`span_contexts` from the stream, or
   :func:`context_lists` from a chunk's tiles);
2. ``_scores_loop``: every (context word, path node) score, times the node's sign (-1 where
   word2vec's label is 1), so that each costs ``softplus(s)``;
3. ``torch.sigmoid`` and ``torch.nn.functional.softplus`` over all the scores at once
   (vectorised: a scalar ``exp`` per score inside the loops made them slower, 6.8 against
   3.8 ms a chunk);
4. ``_loads_loop``: each table row's load; ``_gradients_loop``: each row's summed gradient, into
   a gradient table per worker thread; ``_steps_loop``: each row's capped step, added to the
   tables only after every score has been used, as the tensor version does.

No compiler is needed: numba brings its own (LLVM, from the ``llvmlite`` wheel). The first call
in a process compiles the loops (about a second), cached on disk after that.
Introduced in ``08_hierarchical_softmax.ipynb``.

Shape glossary: V vocabulary, E embedding dim, D the longest path; n centres of a chunk, P_c
their context words, P scores.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .chunk_updates import Chunk, Tables

__all__ = ["AVAILABLE", "StreamSpan", "context_lists", "skipgram_hs_update", "span_contexts"]

AVAILABLE = importlib.util.find_spec("numba") is not None
_KERNELS: dict[str, object] = {}  # compiled on first use: numba is imported only then


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


def _steps_loop(table, grads, load, lr, cap):
    """``table[row] += step * grads[row]`` for each row with a load, the step ``-lr`` capped."""
    for row in range(table.shape[0]):
        if load[row] > 0:
            step = -lr * min(1.0, cap / load[row])
            for e in range(table.shape[1]):
                table[row, e] += step * grads[row, e]


def _count_loop(reach, start, stop, length, ctx_ptr):
    """How many context words each centre start..stop - 1 has: its reach on each side, cut at
    the stream's ends (``ctx_ptr``: the running total, n + 1 entries)."""
    for p in range(start, stop):
        r = reach[p]
        ctx_ptr[p - start + 1] = ctx_ptr[p - start] + min(p + r, length - 1) - max(p - r, 0)


def _contexts_loop(stream, reach, start, stop, ctx_ptr, ctx_ids):
    """The context words of each centre, in stream order, as ``tile_chunk``'s mask lists them."""
    for p in range(start, stop):
        r, out = reach[p], ctx_ptr[p - start]
        for q in range(max(p - r, 0), min(p + r, stream.shape[0] - 1) + 1):
            if q != p:
                ctx_ids[out] = stream[q]
                out += 1


def _compile() -> dict[str, object]:
    """The loops, compiled (``nogil``: worker threads run them at once; cached on disk)."""
    if not _KERNELS:
        import numba

        jit = numba.njit(nogil=True, fastmath=True, cache=True)
        for name, loop in (
            ("scores", _scores_loop),
            ("loads", _loads_loop),
            ("gradients", _gradients_loop),
            ("count", _count_loop),
            ("contexts", _contexts_loop),
            ("steps", _steps_loop),
        ):
            _KERNELS[name] = jit(loop)
    return _KERNELS


@dataclass(frozen=True, kw_only=True)
class StreamSpan:
    """Centres ``start`` to ``stop - 1`` of an epoch's stream: all the compiled update needs, in
    place of a :class:`~w2v_helpers.chunk_updates.Chunk` and its tiles.

    Introduced in ``08_hierarchical_softmax.ipynb``.

    Shape:
        - stream, reach: :math:`(L')`, on the CPU.
    """

    stream: torch.Tensor  # (L',) one epoch's subsampled ids
    reach: torch.Tensor  # (L',) each position's window radius
    start: int
    stop: int


def span_contexts(span: StreamSpan) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A span's centres and context words, as :func:`context_lists` gives a chunk's (the same
    lists for the same centres), without tiles.

    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        span: the centres and the stream around them.

    Shape:
        - output: :math:`(n)`, :math:`(n + 1)`, :math:`(P_c)`.
    """
    kernels = _compile()
    stream, reach = span.stream.numpy(), span.reach.numpy()
    ctx_ptr = np.zeros(span.stop - span.start + 1, np.int64)  # (n + 1,)
    kernels["count"](reach, span.start, span.stop, len(stream), ctx_ptr)
    ctx_ids = np.empty(ctx_ptr[-1], np.int64)  # (P_c,)
    kernels["contexts"](stream, reach, span.start, span.stop, ctx_ptr, ctx_ids)
    centres = span.stream[span.start : span.stop]  # (n,)
    return centres, torch.from_numpy(ctx_ptr), torch.from_numpy(ctx_ids)


_THREAD = threading.local()  # each worker thread's gradient tables, kept between chunks


def _scratch(table: np.ndarray, role: str) -> np.ndarray:
    """This thread's gradient table for ``role`` ("input" or "inner"), shaped like ``table``:
    allocated once and kept between chunks and runs (one per role and thread), its rows zeroed
    only where a chunk uses them (zeroing all V rows per chunk costs as much as the update)."""
    kept = getattr(_THREAD, "tables", None)
    if kept is None:
        kept = _THREAD.tables = {}
    if role not in kept or kept[role].shape != table.shape or kept[role].dtype != table.dtype:
        kept[role] = np.empty_like(table)
    return kept[role]


def context_lists(chunk: Chunk) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A chunk's centres and their context words as flat lists: centre ids, ``ctx_ptr`` (centre
    i's context words are ``ctx_ids[ctx_ptr[i]:ctx_ptr[i + 1]]``) and ``ctx_ids``.

    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        chunk: the chunk from ``chunk_updates.tile_chunk``.

    Shape:
        - output: :math:`(n)`, :math:`(n + 1)`, :math:`(P_c)`.
    """
    B, S = chunk.centre_ids.shape
    W = chunk.tile_ids.shape[1] - S + 1  # centre s's window is tile rows s .. s + 2w
    n = B * S
    dev = chunk.tile_ids.device
    slot = torch.arange(S, device=dev)[:, None] + torch.arange(W, device=dev)  # (S, W)
    band = chunk.mask.gather(2, slot.expand(B, S, W)).reshape(n, W)  # (n, W)
    ctx_ptr = torch.zeros(n + 1, dtype=torch.int64, device=dev)  # (n + 1,)
    torch.cumsum(band.sum(1), 0, out=ctx_ptr[1:])
    ctx_ids = chunk.tile_ids.unfold(1, W, 1).reshape(n, W)[band]  # (P_c,)
    return chunk.centre_ids.reshape(n), ctx_ptr, ctx_ids


def skipgram_hs_update(
    tables: Tables, chunk: Chunk | StreamSpan, lr: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """One chunk of SkipGram with hierarchical softmax, as ``chunk_updates.skipgram_hs_update``
    computes it, in compiled loops. CPU tables only. Returns the loss summed over pairs and the
    number of pairs. Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        tables: the run's tables (``w_in`` and ``inner`` are updated in place).
        chunk: the chunk from ``chunk_updates.tile_chunk``, or a :class:`StreamSpan` (the
            trainer's, when nothing else needs the tiles).
        lr: the learning rate of this chunk.

    Shape:
        - output: two scalars.
    """
    kernels = _compile()
    paths = tables.paths
    lists = span_contexts if isinstance(chunk, StreamSpan) else context_lists
    centres, ctx_ptr, ctx_ids = lists(chunk)  # (n,), (n + 1,), (P_c,)
    lengths = paths.lengths  # (V,)
    n_ctx = ctx_ptr[1:] - ctx_ptr[:-1]  # (n,)
    w_in, inner = tables.w_in.numpy(), tables.inner.numpy()
    rows = (centres.numpy(), ctx_ptr.numpy(), ctx_ids.numpy(), paths.points.numpy())
    signs, steps = paths.signs.numpy(), lengths.numpy()  # (V, D), (V,)
    scores = tables.w_in.new_empty(int((n_ctx * lengths[centres]).sum()))  # (P,)
    kernels["scores"](w_in, inner, *rows, signs, steps, scores.numpy())
    loss = F.softplus(scores).sum()
    torch.sigmoid(scores, out=scores)  # (P,): d loss / d (signed score)
    g_in, g_node = (
        _scratch(w_in, "input"),
        _scratch(inner, "inner"),
    )  # (V, E), (V - 1, E): rows zeroed when used
    in_load, node_load = np.zeros(len(w_in)), np.zeros(len(inner))  # (V,), (V - 1,)
    kernels["loads"](*rows, steps, in_load, node_load, g_in, g_node)
    kernels["gradients"](w_in, inner, *rows, signs, steps, scores.numpy(), g_in, g_node)
    cap = float(tables.config.row_cap)  # math.inf: no cap, min(1, inf / load) = 1
    kernels["steps"](w_in, g_in, in_load, lr, cap)
    kernels["steps"](inner, g_node, node_load, lr, cap)
    return loss, n_ctx.sum()
