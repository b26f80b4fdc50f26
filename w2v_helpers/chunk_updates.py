"""One chunk's update of the word2vec tables: negative sampling or hierarchical softmax.

The trainer (``trainer.train_word2vec``) cuts each epoch's stream into chunks and each chunk
into blocks of S consecutive centres. :func:`tile_chunk` gives every block its context *tile*
(the C = S + 2w stream rows around it) and a mask of which tile rows fall in each centre's
window. :class:`Tables` holds what a run updates (and its ``TrainConfig``), :class:`Chunk` one
chunk's blocks. The four update functions score a whole chunk at once from the same tables with
the weighted logistic loss of ``logistic_scores`` (its gradient written by hand: no autograd
graph) and add it into each table with one ``index_add_`` (``row_updates``), each row's summed
update capped at ``row_cap`` weighted scores. :func:`slot_use` measures how much of what the
SkipGram hierarchical-softmax update scores is real work.

- Negative sampling: a block's centres share M noise rows, each weighted so that every positive
  pair still sees ``negative`` noise words in expectation.
- Hierarchical softmax: a word's output is its path through the Huffman tree, D inner nodes.
  SkipGram scores each context word's input vector against the *centre's* path, as word2vec's C
  code and gensim do (the two directions hold the same pairs); CBOW scores the window's mean
  vector against the centre's path. SkipGram's pairs are packed first (:func:`group_paths`):
  centres with the same number of context words and (rounded) path length form one batched
  matmul, so almost nothing but real pairs is scored.

Introduced in ``06_negative_sampling_real_corpus.ipynb`` (negative sampling) and
``08_hierarchical_softmax.ipynb`` (hierarchical softmax).

Shape glossary: V vocabulary, E embedding dim, w window radius (``window``); B blocks in a
chunk, S centres per block (``block``), C = S + 2w rows of a block's context tile, M noise rows
a block shares (``noise_rows``), R = C + M rows a SkipGram block scores, D the longest path;
n = B * S centres of a chunk, W = 2w + 1 tile rows of one centre's window; P_c context rows,
P_n path-node rows and P scores of a chunk's packed SkipGram pairs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .corpus import keep_probabilities
from .hierarchical_softmax import HuffmanTree, build_huffman_tree
from .logistic_scores import block_loss_and_grads
from .row_updates import add_rows, capped_steps, gather_rows
from .training_config import TrainConfig
from .validation import check_counts, check_positive_int

__all__ = [
    "Chunk",
    "PATH_ROUND",
    "PathGroups",
    "PathTables",
    "SlotUse",
    "Tables",
    "cbow_hs_update",
    "cbow_ns_update",
    "group_paths",
    "skipgram_hs_update",
    "skipgram_ns_update",
    "slot_use",
    "tile_chunk",
    "window_band",
]


@dataclass(frozen=True)
class PathTables:
    """A Huffman tree laid out for training: per word, its path's nodes, labels and real steps.

    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        points: the inner nodes on each word's path, root first (0 past the path's end).
        labels: ``1 - code`` at each step, as float (word2vec's label).
        steps: 1.0 at each word's real steps, 0.0 past its path's end.
        lengths: each word's path length.
        signs: ``2 * code - 1`` at each real step (-1 where the label is 1), 0 past the path's
            end: a score times its sign costs ``softplus`` whatever the label.

    Shape:
        - points: :math:`(V, D)` int64; labels, steps, signs: :math:`(V, D)` float;
          lengths: :math:`(V)` int64.
    """

    points: torch.Tensor  # (V, D)
    labels: torch.Tensor  # (V, D)
    steps: torch.Tensor  # (V, D)
    lengths: torch.Tensor  # (V,)
    signs: torch.Tensor  # (V, D)

    @classmethod
    def from_tree(
        cls, tree: HuffmanTree, device: torch.device, dtype: torch.dtype = torch.float32
    ) -> PathTables:
        """The tree's paths on ``device``, labels and steps in ``dtype`` (the tables')."""
        steps = tree.mask.to(device, dtype)  # (V, D)
        return cls(
            points=tree.points.to(device),  # (V, D)
            labels=(1 - tree.codes).to(device, dtype),  # (V, D): word2vec's label, 1 - code
            steps=steps,
            lengths=tree.lengths.to(device),  # (V,)
            signs=(2 * tree.codes - 1).to(device, dtype) * steps,  # (V, D)
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


def window_band(chunk: Chunk) -> tuple[torch.Tensor, torch.Tensor]:
    """Each centre's window, cut out of its block's tile: the W = 2w + 1 tile rows centred on
    it (their ids) and which of them are its context words (the mask there; the centre's own
    row, rows past its reach and rows outside the stream are False).

    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        chunk: the chunk from :func:`tile_chunk`.

    Shape:
        - output: :math:`(n, W)` ids and :math:`(n, W)` bool, n = B * S centres in block order.
    """
    B, S = chunk.centre_ids.shape
    W = chunk.tile_ids.shape[1] - S + 1  # centre s's window is tile rows s .. s + 2w
    dev = chunk.tile_ids.device
    slot = torch.arange(S, device=dev)[:, None] + torch.arange(W, device=dev)  # (S, W)
    band = chunk.mask.gather(2, slot.expand(B, S, W)).reshape(B * S, W)  # (n, W)
    return chunk.tile_ids.unfold(1, W, 1).reshape(B * S, W), band  # (n, W), (n, W)


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


PATH_ROUND = 2  # SkipGram HS groups centres by path length rounded up to a multiple of this


@dataclass(frozen=True)
class PathGroups:
    """One chunk's SkipGram hierarchical-softmax work, packed: no window slot or path step that
    is not real is scored, bar path lengths rounded up to a multiple of ``PATH_ROUND``.

    The chunk's centres are sorted into groups of equal (context words c, rounded path length
    d); a group of n centres is one batched matmul of (n, c, E) context rows against (n, E, d)
    path nodes. Rows are listed centre after centre, in group order. A rounded-up step points at
    node 0 with sign 0, which zeroes its row: its scores are 0 and its gradient row is 0.
    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        context_ids: each centre's context words (the input rows scored).
        node_ids: each centre's path nodes, root first, then its rounded-up steps.
        signs: ``2 * code - 1`` at a real step (-1 where word2vec's label is 1), 0 past the path.
        context_load: the real path steps each context row is scored on.
        node_load: the context words each node row is scored against (0 past the path).
        groups: (centres, context words each, steps each) of each group, in order.
        real_scores: the (context word, real path step) scores among them.
        pairs: the chunk's (centre, context word) pairs, a 0-d tensor.

    Shape:
        - context_ids, context_load: :math:`(P_c)`; node_ids, signs, node_load: :math:`(P_n)`.
    """

    context_ids: torch.Tensor  # (Pc,)
    node_ids: torch.Tensor  # (Pn,)
    signs: torch.Tensor  # (Pn,)
    context_load: torch.Tensor  # (Pc,)
    node_load: torch.Tensor  # (Pn,)
    groups: list[tuple[int, int, int]]
    real_scores: int
    pairs: torch.Tensor  # ()

    @property
    def scores(self) -> int:
        """How many (context row, path step) scores the groups' matmuls compute."""
        return sum(n * c * d for n, c, d in self.groups)


def group_paths(paths: PathTables, chunk: Chunk, round_to: int = PATH_ROUND) -> PathGroups:
    """Pack a chunk's SkipGram pairs by (context words, path length rounded up to ``round_to``).

    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        paths: the tree's :class:`PathTables`.
        chunk: the chunk from :func:`tile_chunk`.
        round_to: path lengths are rounded up to a multiple of this (1: exact), at least 1.
            Default: ``PATH_ROUND``.
    """
    round_to = check_positive_int("round_to", round_to, maximum=64)
    D = paths.points.shape[1]
    dev = chunk.tile_ids.device
    ids = chunk.centre_ids.reshape(-1)  # (n,)
    candidates, band = window_band(chunk)  # (n, W), (n, W)
    W = band.shape[1]
    n_ctx = band.sum(1)  # (n,)
    d = paths.lengths.index_select(0, ids)  # (n,)
    d_round = ((d + round_to - 1) // round_to * round_to).clamp(max=D)  # (n,)
    d_round = torch.where(n_ctx > 0, d_round, 0)  # (n,): a centre with no context scores none
    key = n_ctx * (D + 1) + d_round  # (n,): 0 for those
    order = torch.argsort(key, stable=True)  # (n,)
    sizes = torch.bincount(key.index_select(0, order), minlength=(W + 1) * (D + 1)).tolist()
    ids, n_ctx = ids.index_select(0, order), n_ctx.index_select(0, order)  # (n,), (n,)
    d, d_round = d.index_select(0, order), d_round.index_select(0, order)  # (n,), (n,)
    context_ids = candidates.index_select(0, order)[band.index_select(0, order)]  # (Pc,)
    scored = torch.arange(D, device=dev) < d_round.unsqueeze(1)  # (n, D)
    node_ids = paths.points.index_select(0, ids)[scored]  # (Pn,)
    signs = paths.signs.index_select(0, ids)[scored]  # (Pn,)
    dtype = paths.steps.dtype
    groups = [  # (centres, context words, steps) of each non-empty key; key 0 is left out
        (size, *divmod(k, D + 1)) for k, size in enumerate(sizes) if size and k
    ]
    return PathGroups(
        context_ids=context_ids,
        node_ids=node_ids,
        signs=signs,
        context_load=torch.repeat_interleave(d.to(dtype), n_ctx),  # (Pc,)
        node_load=torch.repeat_interleave(n_ctx.to(dtype), d_round) * signs.abs(),  # (Pn,)
        groups=groups,
        real_scores=int((n_ctx * d).sum()),
        pairs=n_ctx.sum(),
    )


def skipgram_hs_update(
    tables: Tables, chunk: Chunk, lr: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """One chunk of SkipGram with hierarchical softmax: each context word of a centre's window
    scores the nodes of the centre's path, packed by :func:`group_paths` so that (bar rounded-up
    path lengths) only real pairs are scored. Returns the loss summed over pairs and the number
    of pairs. Introduced in ``08_hierarchical_softmax.ipynb``.

    Each node row is multiplied by its sign (-1 where word2vec's label is 1) before scoring, so
    every score costs ``softplus(s)`` and its gradient is ``sigmoid(s)`` times the sign: no
    label is looked up per score. A rounded-up step (sign 0) scores 0 and costs
    ``softplus(0) = ln 2``, taken off the loss again.

    Args:
        tables: the run's tables (``w_in`` and ``inner`` are updated in place).
        chunk: the chunk from :func:`tile_chunk`.
        lr: the learning rate of this chunk.

    Shape:
        - output: two scalars.
    """
    packed = group_paths(tables.paths, chunk)
    cap = tables.config.row_cap
    ctx_steps = capped_steps(tables.w_in, packed.context_ids, packed.context_load, lr, cap)
    node_steps = capped_steps(tables.inner, packed.node_ids, packed.node_load, lr, cap)
    ctx = gather_rows(tables.w_in, packed.context_ids)  # (Pc, E)
    nodes = gather_rows(tables.inner, packed.node_ids).mul_(packed.signs.unsqueeze(1))  # (Pn, E)
    scores = ctx.new_empty(packed.scores)  # (P,) each group's (n, c, d) scores, one by one
    g_ctx, g_nodes = torch.empty_like(ctx), torch.empty_like(nodes)  # (Pc, E), (Pn, E)
    groups = list(_group_views(packed.groups, ctx, nodes, scores, g_ctx, g_nodes))
    for x, v, s, _, _ in groups:
        torch.bmm(x, v.transpose(1, 2), out=s)  # (n, c, E) x (n, E, d) -> (n, c, d)
    loss = F.softplus(scores).sum() - math.log(2) * (packed.scores - packed.real_scores)
    torch.sigmoid(scores, out=scores)  # (P,): d loss / d (signed score), in place
    for x, v, g, gx, gv in groups:
        torch.bmm(g, v, out=gx)  # (n, c, d) x (n, d, E) -> (n, c, E)
        torch.bmm(g.transpose(1, 2), x, out=gv)  # (n, d, c) x (n, c, E) -> (n, d, E)
    g_ctx.mul_(ctx_steps.unsqueeze(1))
    g_nodes.mul_((node_steps * packed.signs).unsqueeze(1))  # the sign back on each node row
    add_rows(tables.w_in, packed.context_ids, g_ctx)
    add_rows(tables.inner, packed.node_ids, g_nodes)
    return loss, packed.pairs


def _group_views(groups, ctx, nodes, scores, g_ctx, g_nodes):
    """Each group's slices of the packed rows, as (contexts, nodes, scores, context gradient,
    node gradient) views of shapes (n, c, E), (n, d, E), (n, c, d), (n, c, E), (n, d, E)."""
    E = ctx.shape[1]
    c0 = n0 = s0 = 0
    for n, c, d in groups:
        rows, steps, pairs = slice(c0, c0 + n * c), slice(n0, n0 + n * d), slice(s0, s0 + n * c * d)
        yield (
            ctx[rows].view(n, c, E),
            nodes[steps].view(n, d, E),
            scores[pairs].view(n, c, d),
            g_ctx[rows].view(n, c, E),
            g_nodes[steps].view(n, d, E),
        )
        c0, n0, s0 = rows.stop, steps.stop, pairs.stop


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
    """How much of what our SkipGram hierarchical-softmax update scores is real work, against a
    fixed (window slot x path step) grid. Introduced in ``08_hierarchical_softmax.ipynb``.
    """

    slots: int  # a fixed grid's (2w + 1) window slots x D path steps, per centre
    pairs: float  # context words per centre on average: 2 x the mean reach, w + 1
    steps: float  # path steps per kept centre, weighted by how often subsampling keeps it
    rounded_steps: float  # the same, each path rounded up to a multiple of PATH_ROUND

    def __str__(self) -> str:
        real = self.pairs * self.steps
        scored = self.pairs * self.rounded_steps
        return (
            f"a fixed grid scores {self.slots} (window slot, path step) pairs per centre; "
            f"{self.pairs:.0f} context words x {self.steps:.2f} steps = {real:.1f} of them are "
            f"real: {real / self.slots:.0%}\n"
            f"grouped by context words and path length (rounded up to a multiple of "
            f"{PATH_ROUND}), our update scores {self.pairs:.0f} x {self.rounded_steps:.2f} = "
            f"{scored:.1f}: {real / scored:.0%} real"
        )


def slot_use(counts: torch.Tensor, window: int = 5, sample: float = 1e-3) -> SlotUse:
    """What our SkipGram hierarchical-softmax update scores per centre, against what it needs.

    A centre needs its window (reach r drawn from 1..w, so 2r words, w + 1 on average) times its
    own path. A fixed grid would score all 2w + 1 window slots (its own in the middle) against
    the D steps of the longest path; :func:`group_paths` scores each centre's context words
    against its path rounded up to a multiple of ``PATH_ROUND``. Edge effects at the stream's
    ends are left out. Introduced in ``08_hierarchical_softmax.ipynb``.

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
    lengths = tree.lengths.double()  # (V,)
    rounded = torch.ceil(lengths / PATH_ROUND) * PATH_ROUND  # (V,)
    return SlotUse(
        slots=(2 * w + 1) * tree.codes.shape[1],
        pairs=float(w + 1),
        steps=float((kept * lengths).sum() / kept.sum()),
        rounded_steps=float((kept * rounded.clamp(max=tree.codes.shape[1])).sum() / kept.sum()),
    )
