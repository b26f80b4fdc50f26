"""w2v_helpers.targets against independent oracles: NumPy formulas in float64, the built-in
BCEWithLogitsLoss / CrossEntropyLoss on explicit one-hot tensors, and the closed-form gap."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from oracles import numpy_bce

from w2v_helpers.targets import (
    collapse,
    collapse_tile_gap,
    first_occurrences,
    has_duplicates,
    skipgram_bce_collapse,
    skipgram_bce_lean,
    skipgram_bce_tile,
    skipgram_ce,
)


def make_batch(N=6, T=5, V=11, scale=3.0, seed=0, dtype=torch.float64):
    generator = torch.Generator().manual_seed(seed)
    scores = scale * torch.randn(N, V, generator=generator, dtype=dtype)  # (N, V)
    y = torch.randint(V, (N, T), generator=generator)  # (N, T), small V: repeats are likely
    return scores, y


def numpy_counts(y: np.ndarray, V: int) -> np.ndarray:
    counts = np.zeros((y.shape[0], V))
    for n, row in enumerate(y):
        for v in row:
            counts[n, v] += 1
    return counts


def test_batch_helper_really_has_repeats_and_clean_rows():
    _, y = make_batch()
    repeated = has_duplicates(y)
    assert repeated.any() and not repeated.all()


def test_collapse_matches_one_hot_sum_for_every_policy_but_error():
    _, y = make_batch()
    summed = F.one_hot(y, 11).sum(dim=1).float()  # the seed's (N, T, V) -> (N, V)
    assert torch.equal(collapse(y, 11, "count"), summed)
    assert torch.equal(collapse(y, 11, "clip"), summed.clamp(max=1))
    assert torch.equal(collapse(y, 11), summed.clamp(max=1))


def test_collapse_count_puts_two_at_a_repeated_id():
    target = collapse(torch.tensor([[4, 1, 4]]), 6, "count")
    assert target.tolist() == [[0.0, 1.0, 0.0, 0.0, 2.0, 0.0]]


def test_collapse_error_names_the_row_and_the_repeated_id():
    y = torch.tensor([[0, 1, 2], [3, 5, 3]])
    with pytest.raises(ValueError, match=r"row 1 = \[3, 5, 3\] \(repeats \[3\]\)"):
        collapse(y, 6, "error")
    assert torch.equal(collapse(y[:1], 6, "error"), collapse(y[:1], 6, "clip"))


def test_collapse_respects_dtype_and_accepts_int32_ids():
    target = collapse(torch.tensor([[1, 2]], dtype=torch.int32), 4, dtype=torch.float64)
    assert target.dtype == torch.float64 and target.tolist() == [[0, 1, 1, 0]]


def test_first_occurrences_matches_a_python_loop():
    _, y = make_batch(N=20, T=7, V=5)
    expected = [[v not in row[:t] for t, v in enumerate(row)] for row in y.tolist()]
    assert first_occurrences(y).tolist() == expected
    assert has_duplicates(y).tolist() == [len(set(row)) < len(row) for row in y.tolist()]


@pytest.mark.parametrize("policy", ["clip", "count"])
def test_collapse_loss_matches_numpy_bce_on_explicit_targets(policy):
    scores, y = make_batch()
    counts = numpy_counts(y.numpy(), 11)
    targets = np.minimum(counts, 1) if policy == "clip" else counts
    got = float(skipgram_bce_collapse(scores, y, policy))
    assert got == pytest.approx(numpy_bce(scores.numpy(), targets), abs=1e-12)


def test_tile_matches_builtin_bce_on_explicit_tiled_one_hot():
    scores, y = make_batch()
    N, T, V = 6, 5, 11
    tiled = scores.unsqueeze(1).expand(N, T, V)  # (N, T, V)
    onehot = F.one_hot(y, V).double()  # (N, T, V)
    expected = torch.nn.BCEWithLogitsLoss()(tiled, onehot)
    assert float(skipgram_bce_tile(scores, y)) == pytest.approx(float(expected), abs=1e-12)


def test_tile_equals_bce_against_soft_targets_c_over_T():
    scores, y = make_batch()
    soft = numpy_counts(y.numpy(), 11) / y.shape[1]  # c / T
    got = float(skipgram_bce_tile(scores, y))
    assert got == pytest.approx(numpy_bce(scores.numpy(), soft), abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_closed_form_gap_equals_collapse_minus_tile_with_and_without_repeats(seed):
    scores, y = make_batch(seed=seed)
    measured = float(skipgram_bce_collapse(scores, y) - skipgram_bce_tile(scores, y))
    assert float(collapse_tile_gap(scores, y)) == pytest.approx(measured, abs=1e-12)


def test_gap_without_repeats_is_minus_t_minus_1_over_t_times_mean_target_score():
    N, T, V = 4, 3, 50
    scores = torch.randn(N, V, dtype=torch.float64)
    y = torch.stack([torch.randperm(V)[:T] for _ in range(N)])  # distinct ids per row
    target_sum = scores.gather(1, y).sum()
    expected = -(T - 1) / T * float(target_sum) / (N * V)
    measured = float(skipgram_bce_collapse(scores, y) - skipgram_bce_tile(scores, y))
    assert measured == pytest.approx(expected, abs=1e-12)


def test_per_element_gap_at_a_context_column_is_minus_t_minus_1_over_t_times_score():
    T, s = 4, 1.7
    collapse_term = np.logaddexp(0, s) - 1.0 * s
    tile_term = np.logaddexp(0, s) - s / T
    assert collapse_term - tile_term == pytest.approx(-(T - 1) / T * s, abs=1e-14)


@pytest.mark.parametrize("policy", ["clip", "count", "error"])
@pytest.mark.parametrize("scale", [0.5, 3.0, 30.0, 300.0])
def test_lean_equals_collapse_in_float64_to_1e_10(policy, scale):
    scores, y = make_batch(N=8, T=4, V=1000, scale=scale)
    if policy == "error":
        y = torch.stack([torch.randperm(1000)[:4] for _ in range(8)])  # no repeats
    lean = float(skipgram_bce_lean(scores, y, policy))
    collapsed = float(skipgram_bce_collapse(scores, y, policy))
    assert abs(lean - collapsed) < 1e-10


def test_lean_equals_collapse_in_float32_to_float_rounding():
    scores, y = make_batch(N=16, T=4, V=5000, scale=5.0, dtype=torch.float32)
    assert torch.allclose(skipgram_bce_lean(scores, y), skipgram_bce_collapse(scores, y), atol=1e-6)


def test_lean_gradient_matches_collapse_gradient():
    scores, y = make_batch()
    a = scores.clone().requires_grad_()
    b = scores.clone().requires_grad_()
    skipgram_bce_lean(a, y).backward()
    skipgram_bce_collapse(b, y).backward()
    assert torch.allclose(a.grad, b.grad, atol=1e-14)


def test_lean_builds_no_tensor_of_vocab_times_window_size():
    """Record every tensor the lean loss allocates; none may have a T axis next to V."""
    from torch.utils._python_dispatch import TorchDispatchMode

    shapes = []

    class Record(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            for t in out if isinstance(out, (tuple, list)) else [out]:
                if isinstance(t, torch.Tensor):
                    shapes.append(tuple(t.shape))
            return out

    N, T, V = 3, 5, 97
    scores, y = make_batch(N=N, T=T, V=V)
    with Record():
        skipgram_bce_lean(scores, y)
    assert shapes, "the recorder saw no operation"
    assert (N, T, V) not in shapes
    assert all(shape.count(V) <= 1 and len(shape) <= 2 for shape in shapes)


def test_count_policy_gives_negative_loss_and_gradient_that_never_stops():
    scores = torch.tensor([[5.0, -5.0, -5.0]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([[0, 0, 0]])  # the same id three times
    loss = skipgram_bce_collapse(scores, y, "count")
    assert float(loss.detach()) < 0
    loss.backward()
    assert float(scores.grad[0, 0]) < 0  # gradient descent keeps raising s[0, 0], forever
    assert float(skipgram_bce_collapse(scores.detach(), y, "clip")) > 0


def test_softmax_ce_matches_builtin_cross_entropy_on_repeated_rows():
    scores, y = make_batch()
    N, T = y.shape
    expected = F.cross_entropy(scores.repeat_interleave(T, dim=0), y.reshape(-1))  # (N*T, V)
    assert float(skipgram_ce(scores, y)) == pytest.approx(float(expected), abs=1e-12)


def test_all_losses_give_a_gradient_to_the_scores():
    for loss_fn in (skipgram_bce_collapse, skipgram_bce_tile, skipgram_bce_lean, skipgram_ce):
        scores, y = make_batch()
        scores.requires_grad_()
        loss_fn(scores, y).backward()
        assert scores.grad.shape == scores.shape
