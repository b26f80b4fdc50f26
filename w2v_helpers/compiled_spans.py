"""What the compiled chunk updates share (``TrainConfig(kernel="numba")``): spans of the stream
in place of tiles, centres with flat lists of their context words, each worker thread's
gradient tables, the capped step, and numba's compiler, imported only when first asked for.

``compiled_ns`` (negative sampling) and ``compiled_hs`` (hierarchical softmax) compute SkipGram's
chunk updates of ``chunk_updates`` as loops over a chunk's pairs: the same pairs, scored from
the same (stale) tables of the chunk, each table row's summed step capped at ``row_cap`` and
added only after every score of the chunk is used. Loops read and write table rows where they
lie, so they need none of the tensor version's gathered copies, tiles or ``index_add_``.

No compiler is needed on a learner's machine: numba brings its own (LLVM, from the ``llvmlite``
wheel). The first call in a process compiles the loops (about a second), cached on disk after
that. Introduced in ``08_hierarchical_softmax.ipynb``.

Shape glossary: V vocabulary, E embedding dim, L' one epoch's subsampled stream; n centres of a
chunk, P_c their context words.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from .chunk_updates import Chunk, window_band

__all__ = [
    "AVAILABLE",
    "StreamSpan",
    "chunk_contexts",
    "compile_loops",
    "context_lists",
    "load_all_loops",
    "scratch",
    "span_contexts",
    "steps_loop",
]

AVAILABLE = importlib.util.find_spec("numba") is not None
_COMPILED: dict[Callable, Callable] = {}  # each loop once per process: numba imported only then


def compile_loops(*loops: Callable) -> tuple[Callable, ...]:
    """The loops, compiled (``nogil``: worker threads run them at once; cached on disk).

    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        *loops: plain Python functions of numbers and NumPy arrays.
    """
    missing = [loop for loop in loops if loop not in _COMPILED]
    if missing:
        import numba

        jit = numba.njit(nogil=True, fastmath=True, cache=True)
        for loop in missing:
            _COMPILED[loop] = jit(loop)
    return tuple(_COMPILED[loop] for loop in loops)


def steps_loop(table, grads, load, lr, cap):
    """``table[row] += step * grads[row]`` for each row with a load, the step ``-lr`` capped at
    ``cap`` scores: ``-lr * min(1, cap / load[row])``. A loop for :func:`compile_loops`.

    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        table: the table to update in place, (V, E).
        grads: each row's summed gradient, (V, E); read only where ``load`` is positive.
        load: the scores behind each row's gradient, (V,).
        lr: the learning rate.
        cap: the most load a row's step may carry (``math.inf``: no cap).
    """
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


@dataclass(frozen=True, kw_only=True)
class StreamSpan:
    """Centres ``start`` to ``stop - 1`` of an epoch's stream: all a compiled update needs, in
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
    count, contexts = compile_loops(_count_loop, _contexts_loop)
    stream, reach = span.stream.numpy(), span.reach.numpy()
    ctx_ptr = np.zeros(span.stop - span.start + 1, np.int64)  # (n + 1,)
    count(reach, span.start, span.stop, len(stream), ctx_ptr)
    ctx_ids = np.empty(ctx_ptr[-1], np.int64)  # (P_c,)
    contexts(stream, reach, span.start, span.stop, ctx_ptr, ctx_ids)
    centres = span.stream[span.start : span.stop]  # (n,)
    return centres, torch.from_numpy(ctx_ptr), torch.from_numpy(ctx_ids)


def context_lists(chunk: Chunk) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A chunk's centres and their context words as flat lists: centre ids, ``ctx_ptr`` (centre
    i's context words are ``ctx_ids[ctx_ptr[i]:ctx_ptr[i + 1]]``) and ``ctx_ids``. Centres that
    pad the last block have no context words.

    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        chunk: the chunk from ``chunk_updates.tile_chunk``.

    Shape:
        - output: :math:`(n)`, :math:`(n + 1)`, :math:`(P_c)`.
    """
    window_ids, band = window_band(chunk)  # (n, W), (n, W)
    ctx_ptr = torch.zeros(len(band) + 1, dtype=torch.int64, device=band.device)  # (n + 1,)
    torch.cumsum(band.sum(1), 0, out=ctx_ptr[1:])
    return chunk.centre_ids.reshape(-1), ctx_ptr, window_ids[band]  # (n,), (n + 1,), (P_c,)


def chunk_contexts(chunk: Chunk | StreamSpan) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """:func:`span_contexts` of a span, :func:`context_lists` of a chunk's tiles.

    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        chunk: a :class:`StreamSpan`, or a chunk from ``chunk_updates.tile_chunk``.

    Shape:
        - output: :math:`(n)`, :math:`(n + 1)`, :math:`(P_c)`.
    """
    return span_contexts(chunk) if isinstance(chunk, StreamSpan) else context_lists(chunk)


_THREAD = threading.local()  # each worker thread's gradient tables, kept between chunks


def scratch(table: np.ndarray, role: str) -> np.ndarray:
    """This thread's gradient table for ``role`` ("input", "output" or "inner"), shaped like
    ``table``: allocated once and kept between chunks and runs (one per role and thread), its
    rows zeroed only where a chunk uses them (zeroing all V rows per chunk costs as much as the
    update). The updates of one chunk run one after the other, so they share the "input" one.

    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        table: the table the gradients are for (its shape and dtype are read).
        role: which of the thread's tables: ``"input"``, ``"output"`` or ``"inner"``.
    """
    kept = getattr(_THREAD, "tables", None)
    if kept is None:
        kept = _THREAD.tables = {}
    if role not in kept or kept[role].shape != table.shape or kept[role].dtype != table.dtype:
        kept[role] = np.empty_like(table)
    return kept[role]


def load_all_loops() -> None:
    """Compile every compiled update's loops for float32 tables now (or load them from numba's
    disk cache), by running each update once on a 3-word table: numba compiles a loop at its
    first call, and the trainer calls this before its memory guard reads what the process holds
    (numba's LLVM then holds its share already). Introduced in ``08_hierarchical_softmax.ipynb``.
    """
    from . import compiled_hs, compiled_ns
    from .chunk_updates import PathTables, Tables
    from .hierarchical_softmax import HuffmanTree
    from .training_config import TrainConfig

    config = TrainConfig(block=2, chunk=4, window=1, negative=1, noise_rows=1, hs=True)
    tree = HuffmanTree(  # written out, not built: building asks the memory guard first
        codes=torch.tensor([[0, 0], [1, 0], [1, 1]]),  # (V, D)
        points=torch.tensor([[1, 0], [1, 0], [1, 0]]),  # (V, D): the root is node V - 2 = 1
        lengths=torch.tensor([1, 2, 2]),  # (V,)
    )
    tables = Tables(
        w_in=torch.zeros(3, 2),  # (V, E)
        w_out=torch.zeros(3, 2),  # (V, E)
        inner=torch.zeros(2, 2),  # (V - 1, E)
        paths=PathTables.from_tree(tree, torch.device("cpu")),
        config=config,
    )
    stream = torch.tensor([0, 1, 2, 0])  # (L',)
    span = StreamSpan(stream=stream, reach=torch.ones(4, dtype=torch.long), start=0, stop=4)
    compiled_ns.skipgram_ns_update(tables, span, torch.zeros(2, 1, dtype=torch.long), 0.0)
    compiled_hs.skipgram_hs_update(tables, span, 0.0)
