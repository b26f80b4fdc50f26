"""The memory guard: estimate what a configuration allocates, refuse what a session can't hold.

A Binder session has about 2 GB. Every widget (and every helper that allocates something sized
by the learner) asks :func:`check_memory` first, so dragging a slider to its end gives a readable
refusal instead of a dead kernel. The budget is for the whole kernel process: what it already
holds (torch itself, earlier cells) plus the new allocation must fit. It defaults to 1 GiB and can
be changed with ``W2V_MEMORY_BUDGET`` (bytes, or a number with KiB/MiB/GiB, e.g. ``512MiB``).

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import os
import re
from collections.abc import Iterator

import psutil

from .validation import check_int, check_positive_int

__all__ = [
    "DEFAULT_BUDGET",
    "BUDGET_ENV_VAR",
    "CALL_OVERHEAD",
    "MemoryBudgetError",
    "check_large_request",
    "check_memory",
    "estimate_cbow_forward_bytes",
    "estimate_cooccurrence_bytes",
    "estimate_glove_bytes",
    "estimate_ppmi_bytes",
    "estimate_svd_bytes",
    "format_bytes",
    "hand_back_freed_buffers",
    "load_autograd",
    "memory_budget",
    "process_memory",
    "SKIPGRAM_TARGET_METHODS",
    "estimate_skipgram_loss_report_bytes",
    "estimate_skipgram_target_bytes",
    "estimate_loss_scan_bytes",
    "estimate_tied_step_bytes",
    "estimate_training_bytes",
    "retained_heap",
]

DEFAULT_BUDGET = 1 << 30  # 1 GiB: leaves room for the kernel and JupyterLab in 2 GB
BUDGET_ENV_VAR = "W2V_MEMORY_BUDGET"
FLOAT32 = 4
FLOAT64 = 8
INT32 = 4
INT64 = 8
ALLOCATOR_SLACK = 1.25  # peak over the live tensors: freed buffers are not always reused
# What any call touches besides the tensors an estimate counts: the code pages of a function
# run for the first time, the allocator's bookkeeping, small Python objects. Measured 1 to 5 MiB
# on top of exact tensor sizes (tests/core/test_guard_peaks.py); the guard keeps this much free.
CALL_OVERHEAD = 16 << 20

_UNITS = {"": 1, "b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30}


class MemoryBudgetError(ValueError):
    """Raised when a configuration would allocate more than the memory budget.

    Introduced in ``01_cbow_forward.ipynb``.
    """


def format_bytes(nbytes: float) -> str:
    """Human-readable size in binary units: ``format_bytes(3 * 2**20) == '3.0 MiB'``.

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        nbytes: a number of bytes; GiB is the largest unit used.
    """
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(nbytes) < 1024 or unit == "GiB":
            return f"{nbytes:.0f} B" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    raise AssertionError("unreachable")


def memory_budget() -> int:
    """The budget in bytes: ``W2V_MEMORY_BUDGET`` if set, else 1 GiB.

    Introduced in ``01_cbow_forward.ipynb``.
    """
    raw = os.environ.get(BUDGET_ENV_VAR)
    if raw is None or not raw.strip():
        return DEFAULT_BUDGET
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", raw)
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(
            f"{BUDGET_ENV_VAR} must be a number of bytes, optionally with KiB, MiB or GiB "
            f"(e.g. 512MiB), got {raw!r}"
        )
    budget = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if budget <= 0:
        raise ValueError(f"{BUDGET_ENV_VAR} must be positive, got {raw!r}")
    return budget


def process_memory() -> int:
    """Bytes this Python process (the notebook's kernel) holds in RAM right now.

    Introduced in ``01_cbow_forward.ipynb``.
    """
    return psutil.Process().memory_info().rss


_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters
_M_MMAP_THRESHOLD = -3
_GLIBC_DEFAULT_THRESHOLD = 128 << 10
_MMAP_MOST = 32 << 20  # the largest mmap threshold glibc accepts on 64-bit machines


def _glibc() -> ctypes.CDLL | None:
    """The C library if it is glibc (it has mallopt and malloc_trim), else None."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt, libc.malloc_trim  # noqa: B018 (raises AttributeError outside glibc)
    except (OSError, TypeError, AttributeError):
        return None
    return libc


@contextlib.contextmanager
def retained_heap() -> Iterator[None]:
    """While the block runs, keep freed memory in the process instead of handing it back.

    A trainer frees and re-allocates the same few megabyte-sized buffers every chunk. glibc's
    malloc serves such sizes with fresh ``mmap`` pages or trims them off the heap when freed, so
    each chunk paid a page fault per 4 KiB touched: half of a hierarchical-softmax chunk's time
    (measured 23 ms against 11 ms per 1,024 centres). Here buffers up to 32 MiB come from the
    heap and the heap is not trimmed; on leaving, glibc's default thresholds (128 KiB) are set
    and the freed memory is handed back (``malloc_trim``). Does nothing outside glibc.
    Introduced in ``08_hierarchical_softmax.ipynb``.
    """
    libc = _glibc()
    if libc is None:
        yield
        return
    libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_MOST)
    libc.mallopt(_M_TRIM_THRESHOLD, 1 << 30)
    try:
        yield
    finally:
        libc.mallopt(_M_TRIM_THRESHOLD, _GLIBC_DEFAULT_THRESHOLD)
        libc.mallopt(_M_MMAP_THRESHOLD, _GLIBC_DEFAULT_THRESHOLD)
        libc.malloc_trim(0)


@functools.cache
def load_autograd() -> None:
    """Build an optimizer and run a one-element backward and step, once per process, before the
    guard reads the memory.

    A kernel's first ``torch.optim`` optimizer imports about 800 modules (torch's compiler
    machinery, sympy, mpmath): about 70 MiB that no estimate of a step counts, paid once per
    kernel (its first ``backward()`` about 4 MiB more). A function that trains with autograd
    calls this before :func:`check_memory`, so the guard sees those modules among what the
    kernel holds instead of meeting them past its estimate. Introduced in
    ``03_tied_weight_backward.ipynb``.
    """
    import torch  # local: memory.py must stay import-light

    weight = torch.zeros(1, requires_grad=True)  # (1,)
    optimizer = torch.optim.SGD([weight], lr=0.0)
    weight.sum().backward()
    optimizer.step()


def hand_back_freed_buffers() -> None:
    """Have glibc's malloc serve every buffer from 128 KiB up with its own pages, handed back to
    the system when freed, for the rest of the process (what :func:`retained_heap` leaves behind
    too). Called when this module is imported.

    glibc's default raises that threshold each time such a buffer is freed, up to 32 MiB; from
    then on, buffers below it come from the heap, and the small tensors allocated between them
    pin it, so the process holds freed buffers it can no longer reuse. The guard reads the
    process's memory: with the default, a report's peak grew by up to half its estimate again
    from one run to the next, with the same arguments (``tests/core/test_guard_peaks.py``).
    Does nothing outside glibc. Introduced in ``01_cbow_forward.ipynb``.
    """
    libc = _glibc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, _GLIBC_DEFAULT_THRESHOLD)  # fixed: no dynamic threshold


hand_back_freed_buffers()

SMALL_REQUEST = 16 * 2**20  # below this, a hot loop need not read the process's memory


def check_large_request(nbytes: int, what: str, *, hint: str = "") -> int:
    """:func:`check_memory` for helpers called in loops: requests under 16 MiB pass unread.

    Reading the process's memory costs about 50 µs; a function the trainer calls once per block
    would spend more on the guard than on its work. A request under 16 MiB cannot take a kernel
    far past its budget, so only larger ones are checked. Introduced in
    ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        nbytes: the bytes about to be allocated, at least 0.
        what: the request, for the message.
        hint: which argument to lower, for the message.
    """
    nbytes = check_int("nbytes", nbytes, low=0)
    if nbytes < SMALL_REQUEST:
        return nbytes
    return check_memory(nbytes, what, hint=hint)


def check_memory(
    nbytes: int,
    what: str,
    *,
    hint: str = "",
    budget: int | None = None,
    in_use: int | None = None,
) -> int:
    """Refuse (:class:`MemoryBudgetError`) if ``in_use + nbytes`` exceeds the budget.

    ``in_use`` defaults to what this process holds now plus :data:`CALL_OVERHEAD` (16 MiB: what
    a call touches besides its tensors, which no estimate counts). ``what`` names the
    configuration in the message and ``hint`` says which knob to turn down. Returns ``nbytes``.
    The message names no process-dependent number, so a refusal reads the same on every machine.

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        nbytes: the bytes the new allocation needs, e.g. from an ``estimate_*_bytes`` helper.
        what: the configuration, as the refusal names it.
        hint: a sentence saying which knob to turn down; appended to the message if not empty.
            Default: ``""``.
        budget: the budget in bytes. Default: ``None``, which uses :func:`memory_budget`.
        in_use: the bytes already held. Default: ``None``, which uses :func:`process_memory`
            plus :data:`CALL_OVERHEAD`.

    Raises:
        MemoryBudgetError: if ``in_use + nbytes`` exceeds the budget.
    """
    limit = memory_budget() if budget is None else budget
    held = process_memory() + CALL_OVERHEAD if in_use is None else in_use
    if held + nbytes > limit:
        advice = f" {hint}" if hint else ""
        raise MemoryBudgetError(
            f"{what} needs about {format_bytes(nbytes)}, which with what this kernel already "
            f"holds is over this session's memory budget of {format_bytes(limit)}.{advice}"
        )
    return nbytes


def estimate_cbow_forward_bytes(
    vocab_size: int, window_size: int, batch_size: int, embedding_dim: int, *, tied: bool = False
) -> int:
    """Bytes a CBOW model plus one no-grad forward pass holds at its peak (float32).

    Counts the parameters (embedding V*E, output V*E unless tied, bias V unless tied), the ids
    (N*T int64), the gathered embeddings (N*T*E), their mean (N*E) and the scores (N*V).
    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        vocab_size: V.
        window_size: T, the context words per example.
        batch_size: N.
        embedding_dim: E.
        tied: count one shared (V, E) table and no bias. Default: ``False``.
    """
    V, T, N, E = vocab_size, window_size, batch_size, embedding_dim
    params = V * E if tied else 2 * V * E + V
    activations = N * T * E + N * E + N * V
    return FLOAT32 * (params + activations) + INT64 * N * T


# ---- SkipGram targets (04_skipgram_multilabel.ipynb) ----

SKIPGRAM_TARGET_METHODS = ("tile", "collapse", "lean")


def _skipgram_sizes(vocab_size: int, window_size: int, batch_size: int) -> tuple[int, int, int]:
    from .validation import check_positive_int  # local: memory.py must stay import-light

    V = check_positive_int("vocab_size", vocab_size)
    T = check_positive_int("window_size", window_size)
    N = check_positive_int("batch_size", batch_size)
    return V, T, N


def estimate_skipgram_target_bytes(
    vocab_size: int, window_size: int, batch_size: int, method: str, *, dtype_bytes: int = FLOAT32
) -> int:
    """Bytes of the tensors one SkipGram BCE method builds besides the (N, V) scores.

    - ``"tile"``: the tiled scores (N, T, V), ``F.one_hot``'s int64 one-hot (N, T, V) and its
      floating copy (N, T, V);
    - ``"collapse"``: the multi-hot target (N, V), scattered without any (N, T, V) one-hot;
    - ``"lean"``: the gathered target scores (N, T) and the (N, T) bool mask of first occurrences.

    Introduced in ``04_skipgram_multilabel.ipynb``.

    Args:
        vocab_size: V, at least 1.
        window_size: T, the context words per example, at least 1.
        batch_size: N, at least 1.
        method: one of ``SKIPGRAM_TARGET_METHODS``: ``"tile"``, ``"collapse"`` or ``"lean"``.
        dtype_bytes: bytes per element of the floating tensors: 2, 4 or 8. Default: 4 (float32).
    """
    V, T, N = _skipgram_sizes(vocab_size, window_size, batch_size)
    if method not in SKIPGRAM_TARGET_METHODS:
        raise ValueError(f"method must be one of {SKIPGRAM_TARGET_METHODS}, got {method!r}")
    if isinstance(dtype_bytes, bool) or dtype_bytes not in (2, 4, 8):
        raise ValueError(f"dtype_bytes must be 2, 4 or 8, got {dtype_bytes!r}")
    if method == "tile":
        return N * T * V * (2 * dtype_bytes + INT64)
    if method == "collapse":
        return N * V * dtype_bytes
    return N * T * (dtype_bytes + 1)


def estimate_skipgram_loss_report_bytes(vocab_size: int, window_size: int, batch_size: int) -> int:
    """Peak bytes of notebook 04's ``skipgram_loss_report`` (float64 throughout).

    The tile loss dominates: its three (N, T, V) tensors plus about two more inside the BCE
    (elementwise losses and a temporary), on top of about six (N, V) tensors (scores, targets,
    the softplus terms of lean and the softmax of CE). Introduced in
    ``04_skipgram_multilabel.ipynb``.

    Args:
        vocab_size: V, at least 1.
        window_size: T, the context words per example, at least 1.
        batch_size: N, at least 1.
    """
    V, T, N = _skipgram_sizes(vocab_size, window_size, batch_size)
    float64 = 8
    tile = estimate_skipgram_target_bytes(V, T, N, "tile", dtype_bytes=float64)
    return tile + float64 * (2 * N * T * V + 6 * N * V) + INT64 * N * T


def estimate_loss_scan_bytes(batch_size: int, vocab_size: int) -> int:
    """Bytes one loss evaluation over an (N, V) score matrix holds at its peak (float32).

    Counts the scores, the one-hot targets, and three more (N, V) temporaries that the naive,
    stable and built-in losses create (probabilities, logs, per-element losses).
    Introduced in ``02_bce_vs_ce.ipynb``.

    Args:
        batch_size: N, at least 1.
        vocab_size: V, at least 1.
    """
    N = check_positive_int("batch_size", batch_size)
    V = check_positive_int("vocab_size", vocab_size)
    return FLOAT32 * 5 * N * V + INT64 * N


def estimate_tied_step_bytes(
    vocab_size: int, embedding_dim: int, batch_size: int, window_size: int
) -> int:
    """Bytes one tied-CBOW training step plus its gradient anatomy holds at its peak (float32).

    Counts fifteen (V, E) tables: the shared weight, its gradient and a copy from before the
    step, and the gradient's clone; three more copies (tied, input side, output side) that split
    the gradient into its two parts, and their three gradients; what each backward pass holds
    besides (the embedding's dense gradient, the sum of the two paths); and the report's checks
    (the parts' sum, the expected update, ``allclose``'s temporaries). Measured: 13.2 tables at
    the peak of notebook 03's report (``tests/core/test_guard_peaks.py``); nine before
    that measurement, which counted the step's tensors alone. Activations: ids (N*T int64),
    gathered embeddings (N*T*E), mean (N*E) and four (N, V) score-sized tensors.
    Introduced in ``03_tied_weight_backward.ipynb``.

    Args:
        vocab_size: V, at least 1.
        embedding_dim: E, at least 1.
        batch_size: N, at least 1.
        window_size: T, the context words per example, at least 1.
    """
    V = check_positive_int("vocab_size", vocab_size)
    E = check_positive_int("embedding_dim", embedding_dim)
    N = check_positive_int("batch_size", batch_size)
    T = check_positive_int("window_size", window_size)
    tables = 15 * V * E
    activations = N * T * E + N * E + 4 * N * V
    return FLOAT32 * (tables + activations) + INT64 * N * T


def estimate_training_bytes(
    vocab_size: int,
    tokens: int,
    *,
    vector_size: int,
    window: int,
    block: int,
    noise_rows: int,
    chunk: int,
    table_size: int = 1_000_000,
    path_length: int = 0,
    model: str = "skipgram",
    negative: int = 5,
    workers: int = 1,
) -> int:
    """Bytes ``train_word2vec`` holds at its peak: the tables, the id stream and one chunk per
    worker.

    Tables: input and output (V, E) float32. Stream: the (L,) ids, one epoch's float64 draws,
    its kept ids and window reaches, and the (table_size,) noise table. One chunk of B blocks of
    S centres (S = ``block``, C = S + 2 * ``window`` tile rows, M = ``noise_rows``, R = C + M):
    gathered rows (B, S, E) and (B, R, E) and their gradients, counted four times each (a
    worker's freed buffers are not always reused in place), and seven (B, S, R) score-sized
    tensors (mask, labels, weights, scores, softplus, sigmoid, gradient). With hierarchical
    softmax (``path_length`` D > 0): the inner nodes' (V - 1, E) table and the tree's paths laid
    out for training (four (V, D) tensors); for SkipGram the chunk's packed pairs
    (``chunk_updates.group_paths``, n = B * S centres, T = 2w): at most n * T context rows and
    n * D path rows (E each) with their gradients, three n * T * D score-sized tensors and the
    int64 lists behind them; for CBOW the gathered path nodes (n, D, E) with their gradients and
    capped copies, seven (n, D) score-sized tensors, the window means and their gradients, and
    the tile rows (B, C, E) with their gradients and (B, S, C) averaging weights. A
    quarter more on top: the allocator does not always reuse a freed chunk's buffers in place
    (the peak measured up to 1.14 times the tensors above).
    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        vocab_size: V, at least 1.
        tokens: L, the length of the id stream, at least 1.
        vector_size: E, at least 1.
        window: w, the window radius, at least 1.
        block: S, the centres per block, at least 1.
        noise_rows: M, the noise rows per block, at least 1.
        chunk: the centres per chunk, at least 1; rounded up to whole blocks.
        table_size: the length of the noise table. Default: 1,000,000.
        path_length: D, the Huffman tree's longest path; 0 without hierarchical softmax.
            Default: 0.
        model: ``"skipgram"`` or ``"cbow"``; CBOW's hierarchical softmax scores one window
            mean per centre, not W window rows. Default: ``"skipgram"``.
        negative: K; 0 leaves out the negative-sampling chunk tensors (hierarchical softmax
            alone). Default: 5.
        workers: the threads updating chunks at once, each with its own chunk tensors.
            Default: 1.
    """
    V = check_positive_int("vocab_size", vocab_size)
    L = check_positive_int("tokens", tokens)
    E = check_positive_int("vector_size", vector_size)
    S = check_positive_int("block", block)
    w = check_positive_int("window", window)
    M = check_positive_int("noise_rows", noise_rows)
    B = -(-check_positive_int("chunk", chunk) // S)  # blocks per chunk, rounded up
    D = check_int("path_length", path_length)
    C = S + 2 * w
    R = C + M
    K = check_int("negative", negative)
    workers = check_positive_int("workers", workers)
    tables = V * E + V * E * (K > 0) + (V - 1) * E * (D > 0)  # input, NS output, inner nodes
    per_chunk = (4 * B * S * E + 4 * B * R * E + 7 * B * S * R) if K else 0
    if model not in ("skipgram", "cbow"):
        raise ValueError(f"model must be 'skipgram' or 'cbow', got {model!r}")
    n = B * S  # centres per chunk
    if D and model == "skipgram":  # packed pairs: context rows, path rows, scores, their lists
        T, W = 2 * w, 2 * w + 1  # context words at most, window slots
        per_chunk += (
            2 * n * T * E + 2 * n * D * E + 3 * n * T * D + 2 * (2 * n * W + 2 * n * D + n * T)
        )
    elif D:  # CBOW: one window mean per centre against its path, and the tile it averages
        per_chunk += 3 * n * D * E + 7 * n * D + 2 * n * E + 2 * B * C * E + 2 * B * S * C
    stream = 4 * L + table_size + 2 * V + 4 * V * D  # ...; noise table; keep, noise; paths
    return int(ALLOCATOR_SLACK * (FLOAT32 * (tables + workers * per_chunk) + INT64 * stream))


# ---- Counts, PPMI, SVD and GloVe (10_count_and_predict.ipynb) ----


def _csr_bytes(rows: int, nnz: int) -> int:
    """A float64 CSR matrix: values, int32 column indices and row pointers (int64 past 2**31)."""
    index = INT32 if nnz < 2**31 else INT64
    return nnz * (FLOAT64 + index) + (rows + 1) * index


def estimate_cooccurrence_bytes(vocab_size: int, tokens: int, window: int) -> int:
    """Peak bytes of ``counts.cooccurrence``: the id stream, one distance's pairs, the counts.

    The number of non-zero cells is not known before counting, so it is bounded: one side's
    counts hold at most min(w L, V²) cells, the symmetric counts at most min(2 w L, V²). Counts:
    the (L,) ids and sentence indices (int64); one distance's pairs (a mask, int64 rows and
    columns, float64 weights, and scipy's CSR copy of them: 45 bytes a token); three one-sided
    CSR tables (the sum so far, the distance's part, the new sum) and the symmetric result.
    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        vocab_size: V, at least 1.
        tokens: L, the in-vocabulary tokens, at least 1.
        window: w, the window radius, at least 1.
    """
    V = check_positive_int("vocab_size", vocab_size)
    L = check_positive_int("tokens", tokens)
    w = check_positive_int("window", window)
    one_side = min(w * L, V * V)
    both = min(2 * w * L, V * V)
    stream = 2 * INT64 * L
    per_distance = 64 * L
    return stream + per_distance + 3 * _csr_bytes(V, one_side) + _csr_bytes(V, both)


def estimate_ppmi_bytes(vocab_size: int, nonzeros: int) -> int:
    """Peak bytes of ``counts.ppmi`` over a matrix of Z non-zero cells and V rows.

    Its float64 CSR copy, each cell's row (int64), four float64 temporaries of the log
    formula, two masks, and the row and column sums. Introduced in
    ``10_count_and_predict.ipynb``.

    Args:
        vocab_size: V, the rows (and at most the columns), at least 1.
        nonzeros: Z, the non-zero cells, at least 1.
    """
    V = check_positive_int("vocab_size", vocab_size)
    Z = check_positive_int("nonzeros", nonzeros)
    return _csr_bytes(V, Z) + INT64 * Z + 4 * FLOAT64 * Z + 2 * Z + 4 * FLOAT64 * V


def estimate_svd_bytes(rows: int, cols: int, dim: int, nonzeros: int) -> int:
    """Peak bytes of ``counts.svd_embeddings``: ARPACK's Lanczos basis and the vectors.

    The matrix's float64 CSR copy; ARPACK's ncv = max(2 E + 1, 20) basis vectors over the
    shorter side n = min(V, C) and as many Ritz vectors, its work arrays (about 3 n + ncv² +
    8 ncv); then eight (V, E) arrays: ``svds`` maps the eigenvectors back to U and takes a small
    SVD of it (LAPACK's work included), and ours reorders, sign-fixes, weights and copies it;
    V^T (E, C). Measured with ``tracemalloc``: within twice the peak.
    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        rows: V, at least 2.
        cols: C, at least 2.
        dim: E, at least 1.
        nonzeros: Z, the matrix's non-zero cells, at least 1.
    """
    V = check_positive_int("rows", rows)
    C = check_positive_int("cols", cols)
    E = check_positive_int("dim", dim)
    Z = check_positive_int("nonzeros", nonzeros)
    n = min(V, C)
    ncv = min(n, max(2 * E + 1, 20))
    lanczos = FLOAT64 * (2 * ncv * n + 3 * n + ncv * ncv + 8 * ncv)
    vectors = FLOAT64 * (8 * V * E + E * C + V + C)
    return _csr_bytes(V, Z) + lanczos + vectors


def estimate_glove_bytes(vocab_size: int, cells: int, dim: int, batch_size: int) -> int:
    """Peak bytes of ``glove.train_glove``: the tables, the cells, and one batch.

    Tables (float64): W and W̃ (V, E) and the biases b, b̃ (V,), each with its AdaGrad sum of
    squares and its gradient, and the returned W + W̃. Cells (P non-zero counts): the counts'
    CSR copy and COO form from scipy, int64 rows and columns, float64 log x and weights f(x),
    an epoch's permutation (int64): 84 bytes a cell. One batch of B cells: its ids, two gathered
    (B, E + 1) rows that become the two gradients in place, each gradient's square and the
    gathered sums of squares, the product of the rows, and the allocator's copies (measured:
    eight (B, E + 1) float64 arrays). A quarter
    more on top, as for the trainer (freed buffers are not always reused in place).
    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        vocab_size: V, at least 1.
        cells: P, the non-zero cells trained on, at least 1.
        dim: E, at least 1.
        batch_size: B, the cells per update, at least 1.
    """
    V = check_positive_int("vocab_size", vocab_size)
    P = check_positive_int("cells", cells)
    E = check_positive_int("dim", dim)
    B = min(check_positive_int("batch_size", batch_size), P)
    tables = FLOAT64 * (3 * 2 * V * (E + 1) + V * E)
    per_cell = 84 * P
    batch = FLOAT64 * 8 * B * (E + 1) + 3 * INT64 * B
    return int(ALLOCATOR_SLACK * (tables + per_cell + batch))
