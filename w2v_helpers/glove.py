"""GloVe from scratch: the weighted least-squares loss, its gradient, and AdaGrad training.

Pennington, Socher and Manning (2014) fit word and context vectors to the logarithm of the
co-occurrence counts: for every non-zero cell (i, j) with count x,

    f(x) (w_i · w̃_j + b_i + b̃_j − log x)²,   f(x) = min(1, (x / x_max)^α),

summed over the cells. :func:`glove_loss` is that sum (the paper's, without the C code's ½);
:func:`glove_gradients` its gradient by hand, checked against autograd in the tests;
:func:`train_glove` trains it with AdaGrad as ``stanfordnlp/GloVe``'s ``src/glove.c`` does
(x_max 100, α 0.75, learning rate 0.05, every table entry's squared-gradient sum starting at 1,
cells in shuffled order) and returns W + W̃, the paper's choice. It goes through the memory
guard and the trainers' divergence check (``training_config.stop_if_diverged``).

Where :func:`train_glove` departs from ``glove.c``: the C code updates after every cell, from
8 threads at once without locks; here a batch of cells is scored from the same tables and each
table row's gradients in the batch are summed into one AdaGrad step (the stale updates of
``batch_size`` cells, like the fast word2vec trainer's chunks). The row's sum of squares grows
by each cell's squared gradient, as the C code's does cell by cell, but before the step rather
than after it: a frequent word's row, with tens of cells in a batch, then moves at most about
sqrt(cells) per entry instead of all its cells' summed steps at the starting rate. While the
gradients are small (eta · gradient well below 1, as from ``glove.c``'s starting point) the
step is the C code's. The C code shuffles the cells once (``shuffle.c``), here every epoch.
Tables are float64, as the C code's are (double).
Introduced in ``10_count_and_predict.ipynb``.

Shape glossary: V vocabulary (rows of the counts), C contexts (columns; C = V for training),
E embedding dim, P non-zero cells given, B cells in a batch (``batch_size``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse
import torch

from .counts import check_count_matrix
from .memory import check_memory, estimate_glove_bytes
from .training_config import DIVERGED_ABOVE, DIVERGED_LOSS, stop_if_diverged
from .validation import (
    check_float_tensors,
    check_number,
    check_positive_int,
    check_scores,
    check_seed,
    check_token_ids,
)

__all__ = [
    "ALPHA",
    "LEARNING_RATE",
    "X_MAX",
    "GloveResult",
    "glove_gradients",
    "glove_loss",
    "train_glove",
]

X_MAX = 100.0  # glove.c's x_max: counts above it all weigh 1
ALPHA = 0.75  # glove.c's alpha: the power of the weighting below x_max
LEARNING_RATE = 0.05  # glove.c's eta
MAX_DIM = 2_048
MAX_EPOCHS = 1_000
MAX_BATCH = 1 << 20
MAX_LEARNING_RATE = 10.0


@dataclass(frozen=True, kw_only=True)
class GloveResult:
    """What :func:`train_glove` returns: W + W̃, the loss of each epoch, and the time taken.

    ``losses[e]`` is epoch e's mean loss per cell (:func:`glove_loss` over the epoch's batches,
    each scored before its update, divided by P; ``glove.c`` prints half of this). ``seconds``
    is the wall time of the training loop.
    Introduced in ``10_count_and_predict.ipynb``.

    Shape:
        - vectors: :math:`(V, E)` float64.
    """

    vectors: torch.Tensor  # (V, E) W + W̃
    losses: tuple[float, ...]  # one per epoch, mean loss per cell
    seconds: float
    cells: int  # P, the non-zero cells trained on


def _weights(x: torch.Tensor, x_max: float, alpha: float) -> torch.Tensor:
    """f(x) = min(1, (x / x_max)^α), as ``glove.c`` computes it."""
    return (x / x_max).pow(alpha).clamp(max=1.0)  # (P,)


def _check_cells(
    W: torch.Tensor,
    W_tilde: torch.Tensor,
    b: torch.Tensor,
    b_tilde: torch.Tensor,
    rows: torch.Tensor,
    cols: torch.Tensor,
    x: torch.Tensor,
) -> None:
    """The loss's arguments: tables, biases, cell ids and counts that fit together."""
    check_scores("W", W, rank=2)
    check_scores("W_tilde", W_tilde, rank=2)
    if W.shape[1] != W_tilde.shape[1]:
        raise ValueError(
            f"W and W_tilde must share the embedding dim E, got {W.shape[1]} and {W_tilde.shape[1]}"
        )
    for name, bias, table in (("b", b, W), ("b_tilde", b_tilde, W_tilde)):
        check_scores(name, bias, rank=1)
        if bias.shape[0] != table.shape[0]:
            raise ValueError(f"{name} must have one entry per row of its table ({table.shape[0]})")
    check_token_ids("rows", rows, W.shape[0], ranks=(1,))
    check_token_ids("cols", cols, W_tilde.shape[0], ranks=(1,))
    check_scores("x", x, rank=1)
    if not rows.shape == cols.shape == x.shape:
        raise ValueError(
            f"rows, cols and x must have one entry per cell, got {rows.numel()}, "
            f"{cols.numel()} and {x.numel()}"
        )
    if not bool((x > 0).all()):
        raise ValueError("x must hold the non-zero counts (> 0): log x is taken")
    check_float_tensors(W=W, W_tilde=W_tilde, b=b, b_tilde=b_tilde, x=x)


def _cell_residuals(
    W: torch.Tensor,
    W_tilde: torch.Tensor,
    b: torch.Tensor,
    b_tilde: torch.Tensor,
    rows: torch.Tensor,
    cols: torch.Tensor,
    log_x: torch.Tensor,
) -> torch.Tensor:
    """Each cell's w_i · w̃_j + b_i + b̃_j − log x."""
    dots = (W[rows] * W_tilde[cols]).sum(dim=1)  # (P, E) -> (P,)
    return dots + b[rows] + b_tilde[cols] - log_x  # (P,)


def glove_loss(
    W: torch.Tensor,
    W_tilde: torch.Tensor,
    b: torch.Tensor,
    b_tilde: torch.Tensor,
    rows: torch.Tensor,
    cols: torch.Tensor,
    x: torch.Tensor,
    x_max: float = X_MAX,
    alpha: float = ALPHA,
) -> torch.Tensor:
    """GloVe's weighted least squares, summed over the given non-zero cells.

    Σ f(x) (W[rows] · W̃[cols] + b[rows] + b̃[cols] − log x)², f(x) = min(1, (x / x_max)^α): the
    paper's equation (8), without ``glove.c``'s ½. Differentiable (autograd).
    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        W: the word vectors, finite floating.
        W_tilde: the context vectors, finite floating, with W's E.
        b: the word biases, one per row of ``W``.
        b_tilde: the context biases, one per row of ``W_tilde``.
        rows: each cell's word id, in [0, V).
        cols: each cell's context id, in [0, C).
        x: each cell's count, finite and > 0, of W's dtype (as are W_tilde, b and b_tilde).
        x_max: the count from which a cell weighs 1, a number > 0. Default: 100.0.
        alpha: the power of the weighting below ``x_max``, a number in [0, 1]. Default: 0.75.

    Shape:
        - W: :math:`(V, E)`, W_tilde: :math:`(C, E)`, b: :math:`(V)`, b_tilde: :math:`(C)`.
        - rows, cols, x: :math:`(P)`.
        - Output: a scalar tensor.
    """
    x_max = check_number("x_max", x_max, low=0, high=math.inf, low_open=True, high_open=True)
    alpha = check_number("alpha", alpha, low=0, high=1)
    _check_cells(W, W_tilde, b, b_tilde, rows, cols, x)
    diff = _cell_residuals(W, W_tilde, b, b_tilde, rows, cols, x.log())  # (P,)
    return (_weights(x, x_max, alpha) * diff.square()).sum()


def _row_gradients(
    words: torch.Tensor,
    contexts: torch.Tensor,
    rows: torch.Tensor,
    cols: torch.Tensor,
    log_x: torch.Tensor,
    f_x: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Each cell's gradient of half the loss (``glove.c``'s) on its word row and context row.

    ``words`` and ``contexts`` are the (V, E + 1) and (C, E + 1) tables laid out as in
    ``glove.c``: a row's vector, then its bias. Returns the word-side and context-side gradients
    (B, E + 1), one row per cell, and the cells' summed loss (without the ½)."""
    E = words.shape[1] - 1
    w_rows, c_rows = words[rows], contexts[cols]  # (B, E + 1), (B, E + 1)
    dots = (w_rows[:, :E] * c_rows[:, :E]).sum(dim=1)  # (B,)
    diff = dots + w_rows[:, E] + c_rows[:, E] - log_x  # (B,)
    f_diff = f_x * diff  # (B,)
    loss = (f_diff * diff).sum()
    w_grad = c_rows.mul_(f_diff[:, None])  # (B, E + 1) in place: the gathered rows are copies
    w_grad[:, E] = f_diff  # the bias's gradient is f(x) diff itself
    c_grad = w_rows.mul_(f_diff[:, None])  # (B, E + 1)
    c_grad[:, E] = f_diff
    return w_grad, c_grad, loss


def glove_gradients(
    W: torch.Tensor,
    W_tilde: torch.Tensor,
    b: torch.Tensor,
    b_tilde: torch.Tensor,
    rows: torch.Tensor,
    cols: torch.Tensor,
    x: torch.Tensor,
    x_max: float = X_MAX,
    alpha: float = ALPHA,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The gradient of :func:`glove_loss` by hand: (dW, dW̃, db, db̃), zero on untouched rows.

    With d = f(x) · diff for each cell: dW[i] = 2 Σ d w̃_j, dW̃[j] = 2 Σ d w_i, db[i] = 2 Σ d,
    db̃[j] = 2 Σ d, summed over the cells in row i (column j). :func:`train_glove` steps along
    half of it, as ``glove.c`` does. Introduced in ``10_count_and_predict.ipynb``.

    Args:
        W: the word vectors, finite floating.
        W_tilde: the context vectors, finite floating, with W's E.
        b: the word biases, one per row of ``W``.
        b_tilde: the context biases, one per row of ``W_tilde``.
        rows: each cell's word id, in [0, V).
        cols: each cell's context id, in [0, C).
        x: each cell's count, finite and > 0, of W's dtype (as are W_tilde, b and b_tilde).
        x_max: the count from which a cell weighs 1, a number > 0. Default: 100.0.
        alpha: the power of the weighting below ``x_max``, a number in [0, 1]. Default: 0.75.

    Shape:
        - W, dW: :math:`(V, E)`; W_tilde, dW̃: :math:`(C, E)`; b, db: :math:`(V)`;
          b_tilde, db̃: :math:`(C)`; rows, cols, x: :math:`(P)`.
    """
    x_max = check_number("x_max", x_max, low=0, high=math.inf, low_open=True, high_open=True)
    alpha = check_number("alpha", alpha, low=0, high=1)
    _check_cells(W, W_tilde, b, b_tilde, rows, cols, x)
    words = torch.cat([W, b[:, None]], dim=1)  # (V, E + 1)
    contexts = torch.cat([W_tilde, b_tilde[:, None]], dim=1)  # (C, E + 1)
    f_x = _weights(x, x_max, alpha)  # (P,)
    with torch.no_grad():
        word_side, context_side, _ = _row_gradients(words, contexts, rows, cols, x.log(), f_x)
    d_words = torch.zeros_like(words).index_add_(0, rows, 2 * word_side)  # (V, E + 1)
    d_contexts = torch.zeros_like(contexts).index_add_(0, cols, 2 * context_side)  # (C, E + 1)
    E = W.shape[1]
    return d_words[:, :E], d_contexts[:, :E], d_words[:, E], d_contexts[:, E]


def _adagrad_step(
    table: torch.Tensor, squares: torch.Tensor, ids: torch.Tensor, grads: torch.Tensor, eta: float
) -> None:
    """``glove.c``'s AdaGrad on the rows a batch touched: each row's sum of squared
    (eta · gradient) grows by its cells' (as if they had come one at a time), then the row moves
    by eta · (its cells' summed gradient) / sqrt(sum) (the sum grows first: see the module)."""
    squares.index_add_(0, ids, grads.square().mul_(eta * eta))  # (V, E + 1)
    table.index_add_(0, ids, grads.mul_(-eta).div_(squares[ids].sqrt_()))  # (V, E + 1)


@dataclass(frozen=True, kw_only=True)
class _Cells:
    rows: torch.Tensor  # (P,) int64
    cols: torch.Tensor  # (P,) int64
    log_x: torch.Tensor  # (P,) float64
    f_x: torch.Tensor  # (P,) float64


def _cells_of(counts: scipy.sparse.csr_array, x_max: float, alpha: float) -> _Cells:
    coo = counts.tocoo()
    x = torch.from_numpy(coo.data)  # (P,) float64
    return _Cells(
        rows=torch.from_numpy(coo.row.astype(np.int64)),
        cols=torch.from_numpy(coo.col.astype(np.int64)),
        log_x=x.log(),
        f_x=_weights(x, x_max, alpha),
    )


def _check_training(counts: object, dim: int, epochs: int, settings: dict) -> tuple:
    matrix = check_count_matrix("counts", counts)  # (V, V)
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"counts must be square (V, V), got shape {matrix.shape}")
    dim = check_positive_int("dim", dim, maximum=MAX_DIM)
    epochs = check_positive_int("epochs", epochs, maximum=MAX_EPOCHS)
    rate = check_number("learning_rate", settings["learning_rate"], low=0, high=10, low_open=True)
    batch = check_positive_int("batch_size", settings["batch_size"], maximum=MAX_BATCH)
    x_max = check_number(
        "x_max", settings["x_max"], low=0, high=math.inf, low_open=True, high_open=True
    )
    alpha = check_number("alpha", settings["alpha"], low=0, high=1)
    check_seed("seed", settings["seed"])
    return matrix, dim, epochs, rate, batch, x_max, alpha


def train_glove(
    counts: scipy.sparse.sparray,
    dim: int,
    epochs: int,
    *,
    learning_rate: float = LEARNING_RATE,
    x_max: float = X_MAX,
    alpha: float = ALPHA,
    batch_size: int = 16_384,
    seed: int = 0,
) -> GloveResult:
    """Train GloVe from scratch on the non-zero cells of ``counts``; return W + W̃ and the losses.

    Initialised as ``glove.c`` does: every entry of W, W̃ and the biases uniform in
    ±0.5 / (E + 1), every squared-gradient sum 1 (so the first step's rate is
    ``learning_rate``). Each epoch visits the cells in a fresh seeded random order, ``batch_size``
    at a time (see the module docstring for where this departs from ``glove.c``). Asks the
    memory guard first; after each epoch stops with ``TrainingDivergedError``, naming
    ``learning_rate``, if the loss per cell is NaN or over 1,000 or a table entry over 10,000.
    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        counts: the (V, V) co-occurrence counts, a ``scipy.sparse`` matrix of finite values >= 0
            with at least one non-zero (see ``counts.cooccurrence``).
        dim: E, a whole number in [1, 2,048].
        epochs: passes over the cells, a whole number in [1, 1,000].
        learning_rate: AdaGrad's eta, a number in (0, 10]. Default: 0.05 (``glove.c``'s).
        x_max: the count from which a cell weighs 1, a number > 0. Default: 100.0.
        alpha: the power of the weighting below ``x_max``, a number in [0, 1]. Default: 0.75.
        batch_size: B, the cells scored together before one update, a whole number in
            [1, 1,048,576]. Default: 16,384.
        seed: the seed of the initialisation and the shuffles, a whole number >= 0. Default: 0.

    Shape:
        - Output: ``vectors`` :math:`(V, E)` float64, W + W̃.
    """
    settings = dict(
        learning_rate=learning_rate, batch_size=batch_size, x_max=x_max, alpha=alpha, seed=seed
    )
    matrix, E, epochs, rate, B, x_max, alpha = _check_training(counts, dim, epochs, settings)
    V, P = matrix.shape[0], matrix.nnz
    check_memory(
        estimate_glove_bytes(V, P, E, B),
        f"GloVe with V={V:,}, {P:,} cells, dim={E}",
        hint="Lower dim or count with a smaller window or vocabulary.",
    )
    cells = _cells_of(matrix, x_max, alpha)
    del matrix
    generator = torch.Generator().manual_seed(seed)
    start_values = dict(generator=generator, dtype=torch.float64)
    words = (torch.rand(V, E + 1, **start_values) - 0.5) / (E + 1)  # (V, E + 1) [W | b]
    contexts = (torch.rand(V, E + 1, **start_values) - 0.5) / (E + 1)  # (V, E + 1) [W̃ | b̃]
    squares = (torch.ones_like(words), torch.ones_like(contexts))  # (V, E + 1) each
    start = time.perf_counter()
    losses = []
    for epoch in range(epochs):
        total = _one_epoch(words, contexts, squares, cells, rate, B, generator)
        losses.append(total / P)
        _check_epoch(losses[-1], words, contexts, rate, epoch, -(-P // B), B)
    return GloveResult(
        vectors=(words[:, :E] + contexts[:, :E]).contiguous(),  # (V, E)
        losses=tuple(losses),
        seconds=time.perf_counter() - start,
        cells=P,
    )


def _one_epoch(
    words: torch.Tensor,
    contexts: torch.Tensor,
    squares: tuple[torch.Tensor, torch.Tensor],
    cells: _Cells,
    rate: float,
    batch_size: int,
    generator: torch.Generator,
) -> float:
    """One pass over the cells in a random order; returns the summed loss (no ½)."""
    order = torch.randperm(cells.rows.numel(), generator=generator)  # (P,)
    total = 0.0
    for first in range(0, order.numel(), batch_size):
        pick = order[first : first + batch_size]  # (B,)
        rows, cols = cells.rows[pick], cells.cols[pick]  # (B,), (B,)
        word_side, context_side, loss = _row_gradients(
            words, contexts, rows, cols, cells.log_x[pick], cells.f_x[pick]
        )  # (B, E + 1), (B, E + 1), ()
        _adagrad_step(words, squares[0], rows, word_side, rate)
        _adagrad_step(contexts, squares[1], cols, context_side, rate)
        total += float(loss)
    return total


def _check_epoch(
    loss: float,
    words: torch.Tensor,
    contexts: torch.Tensor,
    rate: float,
    epoch: int,
    batches: int,
    batch_size: int,
) -> None:
    """The trainers' divergence check, worded for GloVe: names learning_rate and batch_size."""
    largest = max(float(words.abs().max()), float(contexts.abs().max()))
    readings = {"loss per cell": loss, "largest vector entry": largest}
    advice = f", or batch_size (now {batch_size:,}); GloVe's C code uses 0.05"
    for value, limit, what in (
        (loss, DIVERGED_LOSS, "loss per cell"),
        (largest, DIVERGED_ABOVE, "largest vector entry"),
    ):
        stop_if_diverged(
            value,
            limit,
            what,
            rate,
            epoch,
            batches - 1,
            rate_name="learning_rate",
            by_step=True,
            readings=readings,
            advice=advice,
        )
