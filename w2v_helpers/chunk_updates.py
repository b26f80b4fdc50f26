"""One chunk's update of the word2vec tables: negative sampling or hierarchical softmax.

The trainer (``trainer.train_word2vec``) cuts each epoch's stream into chunks and each chunk
into blocks of S consecutive centres. :func:`tile_chunk` gives every block its context *tile*
(the C = S + 2w stream rows around it) and a mask of which tile rows fall in each centre's
window. :class:`Tables` holds what a run updates (and its ``TrainConfig``), :class:`Chunk` one
chunk's blocks. The four update functions score a whole chunk at once from the same tables with
the weighted logistic loss of ``logistic_scores`` (its gradient written by hand: no autograd
graph) and add it into each table with one ``index_add_`` (``row_updates``), each row's summed
update capped at ``row_cap`` weighted scores. :func:`slot_use` measures how much of the SkipGram
hierarchical-softmax grid is real work.

- Negative sampling: a block's centres share M noise rows, each weighted so that every positive
  pair still sees ``negative`` noise words in expectation.
- Hierarchical softmax: a word's output is its path through the Huffman tree, D inner nodes.
  SkipGram scores each context word's input vector against the *centre's* path, as word2vec's C
  code and gensim do (the two directions hold the same pairs); CBOW scores the window's mean
  vector against the centre's path.

Introduced in ``06_negative_sampling_real_corpus.ipynb`` (negative sampling) and
``08_hierarchical_softmax.ipynb`` (hierarchical softmax).

Shape glossary: V vocabulary, E embedding dim, w window radius (``window``); B blocks in a
chunk, S centres per block (``block``), C = S + 2w rows of a block's context tile, M noise rows
a block shares (``noise_rows``), R = C + M rows a SkipGram block scores, D the longest path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .corpus import keep_probabilities
from .hierarchical_softmax import HuffmanTree, build_huffman_tree
from .logistic_scores import block_loss_and_grads
from .row_updates import add_rows, apply_update, capped_steps, gather_rows
from .training_config import TrainConfig
from .validation import check_counts, check_positive_int

__all__ = [
    "Chunk",
    "PathTables",
    "SlotUse",
    "Tables",
    "cbow_hs_update",
    "cbow_ns_update",
    "skipgram_hs_update",
    "skipgram_ns_update",
    "slot_use",
    "tile_chunk",
]


@dataclass(frozen=True)
class PathTables:
    """A Huffman tree laid out for training: per word, its path's nodes, labels and real steps.

    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        points: the inner nodes on each word's path, root first (0 past the path's end).
        labels: ``1 - code`` at each step, as float (word2vec's label).
        steps: 1.0 at each word's real steps, 0.0 past its path's end.

    Shape:
        - points: :math:`(V, D)` int64; labels, steps: :math:`(V, D)` float.
    """

    points: torch.Tensor  # (V, D)
    labels: torch.Tensor  # (V, D)
    steps: torch.Tensor  # (V, D)

    @classmethod
    def from_tree(
        cls, tree: HuffmanTree, device: torch.device, dtype: torch.dtype = torch.float32
    ) -> PathTables:
        """The tree's paths on ``device``, labels and steps in ``dtype`` (the tables')."""
        return cls(
            points=tree.points.to(device),  # (V, D)
            labels=(1 - tree.codes).to(device, dtype),  # (V, D): word2vec's label, 1 - code
            steps=tree.mask.to(device, dtype),  # (V, D)
        )


@dataclass
class Tables:
    """What one training run updates: the input table and the output of each loss in use.

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        w_in: the input (centre) table: the word vectors.
        w_out: the negative-sampling output table, or ``None`` without negative sampling.
        inner: the inner nodes' vectors, or ``None`` without hierarchical softmax.
        paths: the tree's :class:`PathTables`, with ``inner``.
        config: the run's :class:`~w2v_helpers.training_config.TrainConfig`; ``negative`` and
            ``row_cap`` are read here.

    Shape:
        - w_in, w_out: :math:`(V, E)`; inner: :math:`(V - 1, E)`.
    """

    w_in: torch.Tensor  # (V, E)
    w_out: torch.Tensor | None  # (V, E)
    inner: torch.Tensor | None  # (V - 1, E)
    paths: PathTables | None
    config: TrainConfig  # a worker's share of it (training_config.worker_share)


@dataclass(frozen=True)
class Chunk:
    """One chunk of the stream, as blocks of S centres and the tiles around them.

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        centre_ids: each block's centre ids.
        tile_ids: the rows from S + w before a block's first centre onward.
        mask: True where tile row c is in centre s's window (and both exist).
        centre_ok: True at a real centre (the stream's last block may be short).

    Shape:
        - centre_ids, centre_ok: :math:`(B, S)`; tile_ids: :math:`(B, C)`;
          mask: :math:`(B, S, C)` bool.
    """

    centre_ids: torch.Tensor  # (B, S)
    tile_ids: torch.Tensor  # (B, C)
    mask: torch.Tensor  # (B, S, C)
    centre_ok: torch.Tensor  # (B, S)


def tile_chunk(stream: torch.Tensor, reach: torch.Tensor, start: int, config: TrainConfig) -> Chunk:
    """The chunk of ``stream`` from ``start``: centres, tiles and window mask of each block.

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        stream: one epoch's subsampled word ids.
        reach: each position's window radius, 1..w.
        start: the chunk's first position.
        config: the ``TrainConfig``; ``block``, ``window`` and ``chunk`` are read.

    Shape:
        - stream, reach: :math:`(L)`; output: see :class:`Chunk`.
    """
    S, w = config.block, config.window
    L = stream.numel()
    end = min(start + config.chunk, L)
    B = math.ceil((end - start) / S)
    dev = stream.device
    pos = torch.arange(start - w, start + B * S + w, device=dev)  # (B*S + 2w,)
    valid = (pos >= 0) & (pos < L) & (pos < end + w)  # (B*S + 2w,)
    padded = stream[pos.clamp(0, L - 1)]  # (B*S + 2w,)
    C = S + 2 * w
    firsts = (torch.arange(B, device=dev) * S).unsqueeze(1)  # (B, 1) each block's first slot
    tile_idx = firsts + torch.arange(C, device=dev)  # (B, C)
    tile_ids = padded[tile_idx]  # (B, C)
    tile_ok = valid[tile_idx]  # (B, C)
    centre_pos = torch.arange(start, start + B * S, device=dev)  # (B*S,)
    centre_ok = (centre_pos < end).view(B, S)  # (B, S)
    centre_ids = stream[centre_pos.clamp(max=L - 1)].view(B, S)  # (B, S)
    r = reach[centre_pos.clamp(max=L - 1)].view(B, S, 1)  # (B, S, 1)
    # tile row c sits at distance |c - w - s| from centre s of its block
    offset = (torch.arange(C, device=dev) - w).unsqueeze(0) - torch.arange(S, device=dev)[:, None]
    dist = offset.abs()  # (S, C)
    mask = (dist >= 1) & (dist <= r) & tile_ok.unsqueeze(1) & centre_ok.unsqueeze(2)  # (B, S, C)
    return Chunk(centre_ids=centre_ids, tile_ids=tile_ids, mask=mask, centre_ok=centre_ok)


def skipgram_ns_update(
    tables: Tables, chunk: Chunk, neg_ids: torch.Tensor, lr: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """One chunk of SkipGram with negative sampling: each centre scores its window and the
    block's noise rows. Returns the loss summed over pairs and the number of positive pairs
    (0-d device tensors). Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        tables: the run's tables (``w_in`` and ``w_out`` are updated in place).
        chunk: the chunk from :func:`tile_chunk`.
        neg_ids: each block's M noise ids.
        lr: the learning rate of this chunk.

    Shape:
        - neg_ids: :math:`(B, M)`; output: two scalars.
    """
    B, S = chunk.centre_ids.shape
    M = neg_ids.shape[1]
    row_ids = torch.cat([chunk.tile_ids, neg_ids], 1)  # (B, R)
    centre = gather_rows(tables.w_in, chunk.centre_ids)  # (B, S, E)
    rows = gather_rows(tables.w_out, row_ids)  # (B, R, E)
    pos = chunk.mask.to(centre.dtype)  # (B, S, C)
    n_pos = pos.sum(2, keepdim=True)  # (B, S, 1)
    neg_w = (tables.config.negative / M) * n_pos.expand(B, S, M)  # (B, S, M)
    weights = torch.cat([pos, neg_w], 2)  # (B, S, R)
    labels = F.pad(pos, (0, M))  # (B, S, R)
    cap = tables.config.row_cap
    loss, g_centre, g_rows = block_loss_and_grads(
        centre,
        rows,
        labels,
        weights,
        centre_steps=capped_steps(tables.w_in, chunk.centre_ids, weights.sum(2), lr, cap),
        row_steps=capped_steps(tables.w_out, row_ids, weights.sum(1), lr, cap),
    )
    add_rows(tables.w_in, chunk.centre_ids, g_centre)
    add_rows(tables.w_out, row_ids, g_rows)
    return loss, n_pos.sum()


def _window_means(tables: Tables, chunk: Chunk) -> tuple[torch.Tensor, ...]:
    """CBOW's hidden vectors: each centre's window mean, with the averaging weights."""
    pos = chunk.mask.to(tables.w_in.dtype)  # (B, S, C)
    n_ctx = pos.sum(2, keepdim=True)  # (B, S, 1)
    avg = pos / n_ctx.clamp(min=1)  # (B, S, C): the mean over each centre's window
    tile = gather_rows(tables.w_in, chunk.tile_ids)  # (B, C, E)
    hidden = torch.bmm(avg, tile)  # (B, S, C) x (B, C, E) -> (B, S, E)
    has_ctx = (n_ctx > 0).to(pos.dtype)  # (B, S, 1)
    return avg, hidden, has_ctx


def _spread_to_window(
    tables: Tables, chunk: Chunk, avg: torch.Tensor, g_hidden: torch.Tensor, load: torch.Tensor, lr
) -> None:
    """Send each hidden vector's gradient back to its window's rows, by the averaging weights,
    times each row's step (folded into the weights: E times less work than into the result)."""
    ctx_load = torch.bmm(avg.transpose(1, 2), load.unsqueeze(2)).squeeze(2)  # (B, C)
    steps = capped_steps(tables.w_in, chunk.tile_ids, ctx_load, lr, tables.config.row_cap)
    spread = (avg * steps.unsqueeze(1)).transpose(1, 2)  # (B, C, S)
    g_ctx = torch.bmm(spread, g_hidden)  # (B, C, S) x (B, S, E) -> (B, C, E)
    add_rows(tables.w_in, chunk.tile_ids, g_ctx)


def cbow_ns_update(
    tables: Tables, chunk: Chunk, neg_ids: torch.Tensor, lr: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """One chunk of CBOW with negative sampling: each window's mean vector predicts its centre
    against the noise rows. Returns the loss summed over centres and the number of centres with
    a context word. Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        tables: the run's tables (``w_in`` and ``w_out`` are updated in place).
        chunk: the chunk from :func:`tile_chunk`.
        neg_ids: each block's M noise ids.
        lr: the learning rate of this chunk.

    Shape:
        - neg_ids: :math:`(B, M)`; output: two scalars.
    """
    B, S = chunk.centre_ids.shape
    M = neg_ids.shape[1]
    avg, hidden, has_ctx = _window_means(tables, chunk)
    dtype = hidden.dtype
    dev = hidden.device
    row_ids = torch.cat([chunk.centre_ids, neg_ids], 1)  # (B, S + M): the targets, then noise
    eye = torch.eye(S, dtype=dtype, device=dev).expand(B, S, S)  # (B, S, S)
    labels = F.pad(eye, (0, M))  # (B, S, S + M): hidden s is labelled with its own centre
    noise_w = torch.full((B, S, M), tables.config.negative / M, dtype=dtype, device=dev)
    weights = has_ctx * torch.cat([eye, noise_w], 2)  # (B, S, S + M)
    rows = gather_rows(tables.w_out, row_ids)  # (B, S + M, E)
    row_steps = capped_steps(tables.w_out, row_ids, weights.sum(1), lr, tables.config.row_cap)
    loss, g_hidden, g_rows = block_loss_and_grads(
        hidden, rows, labels, weights, row_steps=row_steps
    )
    _spread_to_window(tables, chunk, avg, g_hidden, weights.sum(2), lr)
    add_rows(tables.w_out, row_ids, g_rows)
    return loss, has_ctx.sum()


def skipgram_hs_update(
    tables: Tables, chunk: Chunk, lr: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """One chunk of SkipGram with hierarchical softmax: each centre's W = 2w + 1 window slots
    score the D nodes of the centre's path; a slot outside the centre's window (or the centre
    itself), or a step past the path's end, weighs 0. Returns the loss summed over pairs and
    the number of pairs. Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        tables: the run's tables (``w_in`` and ``inner`` are updated in place).
        chunk: the chunk from :func:`tile_chunk`.
        lr: the learning rate of this chunk.

    Shape:
        - output: two scalars.
    """
    B, S = chunk.centre_ids.shape
    C = chunk.tile_ids.shape[1]
    W = C - S + 1  # centre s's window is tile rows s .. s + 2w
    E, D = tables.w_in.shape[1], tables.paths.points.shape[1]
    n = B * S
    ids = chunk.centre_ids.reshape(n)  # (n,)
    points = tables.paths.points[ids]  # (n, D)
    nodes = gather_rows(tables.inner, points)  # (n, D, E)
    tile = gather_rows(tables.w_in, chunk.tile_ids)  # (B, C, E)
    context = tile.unfold(1, W, 1).transpose(2, 3).reshape(n, W, E)  # (B, S, W, E) -> (n, W, E)
    slot = torch.arange(S, device=ids.device)[:, None] + torch.arange(W, device=ids.device)
    band = chunk.mask.gather(2, slot.expand(B, S, W)).reshape(n, W, 1)  # (n, W, 1)
    weights = band.to(tables.w_in.dtype) * tables.paths.steps[ids].unsqueeze(1)  # (n, W, D)
    labels = tables.paths.labels[ids].unsqueeze(1).expand(n, W, D)  # (n, W, D)
    cap = tables.config.row_cap
    node_steps = capped_steps(tables.inner, points, weights.sum(1), lr, cap)  # (n, D)
    loss, g_context, g_nodes = block_loss_and_grads(
        context, nodes, labels, weights, row_steps=node_steps
    )
    g_context = g_context.view(B, S, W, E)
    load = weights.sum(2).view(B, S, W)  # (B, S, W)
    g_tile = torch.zeros(B, C, E, dtype=g_context.dtype, device=g_context.device)  # (B, C, E)
    tile_load = torch.zeros(B, C, dtype=load.dtype, device=load.device)  # (B, C)
    for j in range(W):  # fold the window slots back onto the tile rows they came from
        g_tile[:, j : j + S] += g_context[:, :, j]
        tile_load[:, j : j + S] += load[:, :, j]
    apply_update(tables.w_in, chunk.tile_ids, g_tile, tile_load, lr, cap)
    add_rows(tables.inner, points, g_nodes)
    return loss, band.sum()


def cbow_hs_update(tables: Tables, chunk: Chunk, lr: float) -> tuple[torch.Tensor, torch.Tensor]:
    """One chunk of CBOW with hierarchical softmax: each window's mean vector scores the D nodes
    of its centre's path. Returns the loss summed over centres and the number of centres with a
    context word. Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        tables: the run's tables (``w_in`` and ``inner`` are updated in place).
        chunk: the chunk from :func:`tile_chunk`.
        lr: the learning rate of this chunk.

    Shape:
        - output: two scalars.
    """
    B, S = chunk.centre_ids.shape
    D = tables.paths.points.shape[1]
    avg, hidden, has_ctx = _window_means(tables, chunk)
    E = hidden.shape[2]
    points = tables.paths.points[chunk.centre_ids].view(B * S, D)  # (B*S, D)
    labels = tables.paths.labels[chunk.centre_ids].view(B * S, 1, D)  # (B*S, 1, D)
    weights = (tables.paths.steps[chunk.centre_ids] * has_ctx).view(B * S, 1, D)  # (B*S, 1, D)
    nodes = gather_rows(tables.inner, points)  # (B*S, D, E)
    node_steps = capped_steps(tables.inner, points, weights.squeeze(1), lr, tables.config.row_cap)
    loss, g_hidden, g_nodes = block_loss_and_grads(
        hidden.reshape(B * S, 1, E), nodes, labels, weights, row_steps=node_steps
    )  # one hidden vector per "block": its own path only
    _spread_to_window(tables, chunk, avg, g_hidden.view(B, S, E), weights.view(B, S, D).sum(2), lr)
    add_rows(tables.inner, points, g_nodes)
    return loss, has_ctx.sum()


@dataclass(frozen=True)
class SlotUse:
    """How much of the fixed (window slot x path step) grid of our SkipGram update is real work.

    Introduced in ``08_hierarchical_softmax.ipynb``.
    """

    slots: int  # (2w + 1) window slots x D path steps, per centre
    pairs: float  # context words per centre on average: 2 x the mean reach, w + 1
    steps: float  # path steps per kept centre, weighted by how often subsampling keeps it

    def __str__(self) -> str:
        real = self.pairs * self.steps
        return (
            f"our update scores {self.slots} (window slot, path step) pairs per centre; "
            f"{self.pairs:.0f} context words x {self.steps:.2f} steps = {real:.1f} of them are "
            f"real: {real / self.slots:.0%}"
        )


def slot_use(counts: torch.Tensor, window: int = 5, sample: float = 1e-3) -> SlotUse:
    """The grid our SkipGram hierarchical-softmax update scores against what a centre needs.

    Each centre scores 2w + 1 window slots (its own in the middle) against the D steps of the
    longest path; it needs only its window (reach r drawn from 1..w, so 2r words, w + 1 on
    average) times its own path. Edge effects at the stream's ends are left out.
    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        counts: each word's count, positive integers, 2 to 2,000,000 words.
        window: w, the largest window radius, 1 to 50. Default: 5.
        sample: the subsampling threshold, in (0, 1). Default: ``1e-3``.

    Shape:
        - counts: :math:`(V)`.
    """
    counts = check_counts("counts", counts)
    w = check_positive_int("window", window, maximum=50)
    tree = build_huffman_tree(counts)
    kept = counts.double() * keep_probabilities(counts, sample)  # (V,) expected kept tokens
    steps = float((kept * tree.lengths.double()).sum() / kept.sum())
    return SlotUse(slots=(2 * w + 1) * tree.codes.shape[1], pairs=float(w + 1), steps=steps)
