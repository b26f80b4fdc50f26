"""SkipGram negative sampling's chunk update with compiled loops (numba): an optional speed-up.

``TrainConfig(kernel="numba")`` makes the fast trainer use :func:`skipgram_ns_update` below in
place of ``chunk_updates.skipgram_ns_update`` for SkipGram on the CPU. It is the same update: each
centre scores its context words (label 1) and its block's M shared noise rows (label 0, each
weighted ``negative / M`` times the centre's context words), all from the tables as they were at
the chunk's start; each table row's summed step is capped at ``row_cap`` weighted scores. What
differs is the order in which float32 products are summed, and which scores are computed: the
tensor version scores every centre of a block against the block's whole context tile (S + 2w
rows) and masks the rows outside its window; here the context pairs are loops over each
centre's own window (about 6 rows a centre with the course's settings, of the tile's 26), and
only the shared noise rows, which every centre of a block does score, stay batched matmuls.
``tests/core/test_trainer_ns.py`` checks both against one float64 SGD step by autograd. Without
numba the trainer falls back to the tensor version, with a warning.

Per chunk:

1. the centres and their context words as flat lists (``compiled_spans.span_contexts``);
2. ``_scores_loop``: each centre's score with each of its context rows (negated: a positive
   pair costs ``softplus(-s)``);
3. the noise rows: one batched matmul per block for the scores, two for the gradients, as the
   tensor version computes them; ``torch.sigmoid`` and ``softplus`` over all scores at once;
4. ``_context_gradients_loop`` and ``_noise_gradients_loop``: each row's load and summed
   gradient, into a gradient table per worker thread; ``compiled_spans.steps_loop``: each row's
   capped step, added to the tables only after every score has been used, as the tensor
   version does.

Introduced in ``07_fast_trainer_vs_gensim.ipynb``.

Shape glossary: V vocabulary, E embedding dim, S centres per block, M noise rows a block shares;
n centres of a chunk, B = ceil(n / S) blocks, P_c their context words.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .chunk_updates import Chunk, Tables
from .compiled_spans import StreamSpan, chunk_contexts, compile_loops, scratch, steps_loop
from .row_updates import gather_rows

__all__ = ["skipgram_ns_update"]


def _scores_loop(w_in, w_out, centres, ctx_ptr, ctx_ids, out):
    """Each centre's row against its context rows, the scores negated (a positive pair costs
    ``softplus(-s)``)."""
    for i in range(centres.shape[0]):
        x = w_in[centres[i]]
        for j in range(ctx_ptr[i], ctx_ptr[i + 1]):
            v = w_out[ctx_ids[j]]
            dot = x[0] * v[0]
            for e in range(1, x.shape[0]):
                dot += x[e] * v[e]
            out[j] = -dot


def _context_gradients_loop(w_in, w_out, centres, ctx_ptr, ctx_ids, load_per_context, pos_sig,
                            g_centre, g_in, g_out, in_load, out_load):  # fmt: skip
    """Each centre's and each context row's load and summed gradient, from the tables as they
    were: ``pos_sig`` holds the sigmoid of each negated context score, ``g_centre`` each
    centre's gradient from its noise rows (added to). A gradient row is zeroed (or set) the
    first time its row gets a load."""
    E = w_in.shape[1]
    for i in range(centres.shape[0]):
        n_ctx = ctx_ptr[i + 1] - ctx_ptr[i]
        if n_ctx == 0:  # no context word: every weight is 0
            continue
        x, gx = w_in[centres[i]], g_centre[i]
        for j in range(ctx_ptr[i], ctx_ptr[i + 1]):
            row = ctx_ids[j]
            if out_load[row] == 0:
                g_out[row, :] = 0
            out_load[row] += 1.0
            g, v, gv = -pos_sig[j], w_out[row], g_out[row]
            for e in range(E):  # two loops, not one: 17 against 22 ns a row (E = 100, AMD EPYC)
                gx[e] += g * v[e]
            for e in range(E):
                gv[e] += g * x[e]
        row = centres[i]
        first = in_load[row] == 0
        in_load[row] += n_ctx * load_per_context
        gi = g_in[row]
        for e in range(E):
            gi[e] = gx[e] if first else gi[e] + gx[e]


def _noise_gradients_loop(neg_ids, noise_weight, g_noise, g_out, out_load):
    """Each noise row's load (its block's weights: negative / M x each centre's context words)
    and its gradient from the block matmul, ``g_noise``: a row per (block, noise slot)."""
    B, M = neg_ids.shape
    S = noise_weight.shape[0] // B
    for b in range(B):
        load = 0.0
        for s in range(S):
            load += noise_weight[b * S + s]
        if load == 0:  # no centre of the block has a context word
            continue
        for m in range(M):
            row = neg_ids[b, m]
            first = out_load[row] == 0
            out_load[row] += load
            gv, g = g_out[row], g_noise[b * M + m]
            for e in range(gv.shape[0]):
                gv[e] = g[e] if first else gv[e] + g[e]


def skipgram_ns_update(
    tables: Tables, chunk: Chunk | StreamSpan, neg_ids: torch.Tensor, lr: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """One chunk of SkipGram with negative sampling, as ``chunk_updates.skipgram_ns_update``
    computes it, in compiled loops. CPU tables only. Returns the loss summed over pairs and the
    number of positive pairs. Introduced in ``07_fast_trainer_vs_gensim.ipynb``.

    Args:
        tables: the run's tables (``w_in`` and ``w_out`` are updated in place).
        chunk: the chunk from ``chunk_updates.tile_chunk``, or a ``compiled_spans.StreamSpan``
            (the trainer's: no tiles); its centres fall into blocks of ``tables.config.block``.
        neg_ids: each block's M noise ids.
        lr: the learning rate of this chunk.

    Shape:
        - neg_ids: :math:`(B, M)`; output: two scalars.
    """
    scores_loop, context_loop, noise_loop, apply_steps = compile_loops(
        _scores_loop, _context_gradients_loop, _noise_gradients_loop, steps_loop
    )
    config = tables.config
    centres, ctx_ptr, ctx_ids = chunk_contexts(chunk)  # (n,), (n + 1,), (P_c,)
    (B, M), S, n = neg_ids.shape, config.block, len(centres)
    if B * S < n:
        raise ValueError(f"neg_ids has {B} blocks of {S} centres; the chunk has {n} centres")
    w_in, w_out = tables.w_in.numpy(), tables.w_out.numpy()
    n_ctx = (ctx_ptr[1:] - ctx_ptr[:-1]).to(tables.w_in.dtype)  # (n,)
    # noise weights as the tensor update's; 0 for the centres that pad the last block
    noise_weight = F.pad((config.negative / M) * n_ctx, (0, B * S - n))  # (B*S,)
    pos = tables.w_in.new_empty(len(ctx_ids))  # (P_c,)
    scores_loop(w_in, w_out, centres.numpy(), ctx_ptr.numpy(), ctx_ids.numpy(), pos.numpy())
    # the shared noise rows: one batched matmul per block, as the tensor update scores them
    x = gather_rows(tables.w_in, F.pad(centres, (0, B * S - n)).view(B, S))  # (B, S, E)
    noise = gather_rows(tables.w_out, neg_ids)  # (B, M, E)
    neg = torch.bmm(x, noise.transpose(1, 2))  # (B, S, E) x (B, E, M) -> (B, S, M)
    weight = noise_weight.view(B, S, 1)  # (B, S, 1)
    loss = F.softplus(pos).sum() + (F.softplus(neg) * weight).sum()
    torch.sigmoid(pos, out=pos)  # (P_c,)
    g_neg = torch.sigmoid(neg).mul_(weight)  # (B, S, M): d loss / d score
    g_centre = torch.bmm(g_neg, noise)  # (B, S, M) x (B, M, E) -> (B, S, E)
    g_noise = torch.bmm(g_neg.transpose(1, 2), x)  # (B, M, S) x (B, S, E) -> (B, M, E)
    g_in, g_out = scratch(w_in, "input"), scratch(w_out, "output")  # (V, E): rows zeroed when used
    in_load, out_load = np.zeros(len(w_in)), np.zeros(len(w_out))  # (V,), (V,)
    load_per_context = 1.0 + config.negative  # a centre's weights: 1 per context word, K/M x M
    lists = (centres.numpy(), ctx_ptr.numpy(), ctx_ids.numpy())
    g_centre = g_centre.view(B * S, -1).numpy()  # (B*S, E): a centre's context rows added next
    context_loop(w_in, w_out, *lists, load_per_context, pos.numpy(), g_centre, g_in, g_out,
                 in_load, out_load)  # fmt: skip
    noise_loop(neg_ids.numpy(), noise_weight.numpy(), g_noise.view(B * M, -1).numpy(), g_out,
               out_load)  # fmt: skip
    cap = float(config.row_cap)  # math.inf: no cap, min(1, inf / load) = 1
    apply_steps(w_in, g_in, in_load, lr, cap)
    apply_steps(w_out, g_out, out_load, lr, cap)
    return loss, n_ctx.sum()
