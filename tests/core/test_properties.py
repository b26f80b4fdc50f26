"""Property-based tests: the loss identities hold for random shapes and logit scales.

Each identity is checked against an independent formula (the PyTorch built-ins, or the explicit
one-hot / tiled tensors the lean forms avoid), in float64 so that only the identity is tested.
"""

import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from w2v_helpers.losses import bce_stable, ce_stable
from w2v_helpers.targets import (
    collapse,
    collapse_tile_gap,
    skipgram_bce_collapse,
    skipgram_bce_lean,
    skipgram_bce_tile,
)

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


@st.composite
def scores_and_ids(draw, max_t: int = 6):
    """(scores (N, V) float64 at a random scale, ids (N, T) int64 in [0, V))."""
    n = draw(st.integers(1, 8))
    v = draw(st.integers(2, 60))
    t = draw(st.integers(1, max_t))
    scale = draw(st.sampled_from([1e-3, 0.1, 1.0, 10.0, 100.0, 1e3]))
    seed = draw(st.integers(0, 2**31 - 1))
    g = torch.Generator().manual_seed(seed)
    scores = torch.randn(n, v, generator=g, dtype=torch.float64) * scale  # (N, V)
    ids = torch.randint(v, (n, t), generator=g)  # (N, T)
    return scores, ids


@SETTINGS
@given(scores_and_ids(max_t=1))
def test_stable_bce_equals_builtin_for_any_shape_and_scale(case):
    scores, ids = case
    targets = F.one_hot(ids[:, 0], scores.shape[1]).double()  # (N, V)
    expected = F.binary_cross_entropy_with_logits(scores, targets)
    assert torch.allclose(bce_stable(scores, targets), expected, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(scores_and_ids(max_t=1))
def test_stable_ce_equals_builtin_for_any_shape_and_scale(case):
    scores, ids = case
    expected = F.cross_entropy(scores, ids[:, 0])
    assert torch.allclose(ce_stable(scores, ids[:, 0]), expected, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(scores_and_ids())
def test_lean_loss_equals_bce_on_the_explicit_multi_hot_target(case):
    scores, ids = case
    multi_hot = torch.zeros_like(scores).scatter_(1, ids, 1.0)  # (N, V), repeats clipped to 1
    expected = F.binary_cross_entropy_with_logits(scores, multi_hot)
    assert torch.allclose(skipgram_bce_lean(scores, ids), expected, rtol=1e-10, atol=1e-10)
    assert torch.allclose(skipgram_bce_collapse(scores, ids), expected, rtol=1e-10, atol=1e-10)
    assert torch.equal(collapse(ids, scores.shape[1], dtype=torch.float64), multi_hot)


@SETTINGS
@given(scores_and_ids())
def test_tile_is_the_mean_over_t_of_one_hot_bce_and_the_gap_has_a_closed_form(case):
    scores, ids = case
    n, t = ids.shape
    per_target = [
        F.binary_cross_entropy_with_logits(scores, F.one_hot(ids[:, j], scores.shape[1]).double())
        for j in range(t)
    ]
    tile = torch.stack(per_target).mean()
    assert torch.allclose(skipgram_bce_tile(scores, ids), tile, rtol=1e-10, atol=1e-10)
    if all(len(set(row.tolist())) == t for row in ids):  # the closed form assumes no repeats
        gap = skipgram_bce_collapse(scores, ids) - tile
        assert torch.allclose(collapse_tile_gap(scores, ids), gap, rtol=1e-8, atol=1e-10)
