"""The memory estimates, the report and table behind notebook 04's widget, the plot, the panel."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from oracles import AllocationRecorder, numpy_bce

from w2v_helpers import targets
from w2v_helpers.lessons.nb04_skipgram_multilabel import (
    SKIPGRAM_VOCAB_CHOICES,
    plot_target_memory,
    skipgram_loss_panel,
    skipgram_loss_report,
    target_memory_table,
)
from w2v_helpers.memory import (
    BUDGET_ENV_VAR,
    MemoryBudgetError,
    estimate_skipgram_loss_report_bytes,
    estimate_skipgram_target_bytes,
)


@pytest.fixture(autouse=True)
def default_budget(monkeypatch):
    monkeypatch.delenv(BUDGET_ENV_VAR, raising=False)


def _allocations(loss, scores, y, monkeypatch):
    """New tensors (op, numel, dtype, bytes) of size > 1 that ``loss`` allocates, validation
    left out (it is the same for every method and not part of the estimate)."""
    monkeypatch.setattr(targets, "_check_scores_and_targets", lambda s, t: (s, t))
    with AllocationRecorder() as recorder:
        loss(scores, y)
    return [entry for entry in recorder.created if entry[1] > 1]


def test_target_byte_estimates_match_what_each_method_really_allocates(monkeypatch):
    N, T, V = 3, 4, 50  # N*T < N*V < N*T*V: each size class is told apart by its length
    scores, y = torch.randn(N, V), torch.randint(V, (N, T))  # (N, V), (N, T)

    tile = _allocations(targets.skipgram_bce_tile, scores, y, monkeypatch)
    assert sum(b for _, n, _, b in tile if n == N * T * V) == estimate_skipgram_target_bytes(
        V, T, N, "tile"
    )
    assert all(n in (N * T * V, N * T) for _, n, _, _ in tile)

    collapsed = _allocations(targets.skipgram_bce_collapse, scores, y, monkeypatch)
    assert [b for _, n, _, b in collapsed] == [estimate_skipgram_target_bytes(V, T, N, "collapse")]

    lean = _allocations(targets.skipgram_bce_lean, scores, y, monkeypatch)
    assert max(n for _, n, _, _ in lean) == N * V  # never (N, T, V); one (N, V): softplus terms
    assert [op for op, n, _, _ in lean if n == N * V] == ["aten.softplus.default"]
    assert all(n <= N * T for _, n, _, _ in lean if n != N * V)
    # what the estimate counts: the gathered target scores and the first-occurrence mask
    kept = [b for op, _, _, b in lean if op in ("aten.gather.default", "aten.empty_like.default")]
    assert sum(kept) == estimate_skipgram_target_bytes(V, T, N, "lean")


def test_report_at_the_lessons_sizes_agrees_to_four_decimals_and_matches_closed_form():
    report = skipgram_loss_report(50_000, 4, 16, time_it=False)
    losses = dict(report.losses)
    assert report.agree_to_4_decimals
    assert abs(report.gap - report.gap_closed_form) < 1e-10
    assert abs(losses["lean"] - losses["collapse"]) < 1e-10
    assert report.seconds is None and "⏱" not in str(report)


def test_report_stops_agreeing_at_small_vocab_and_high_context_scores():
    report = skipgram_loss_report(100, 10, 16, target_score=3.0, time_it=False)
    assert not report.agree_to_4_decimals
    assert abs(report.gap) > 1e-2
    assert abs(report.gap - report.gap_closed_form) < 1e-10


def test_report_counts_repeated_ids_and_shows_the_count_pitfall():
    report = skipgram_loss_report(10, 20, 8, target_score=2.0, time_it=False)
    assert report.duplicate_rows == 8
    assert report.count_loss < dict(report.losses)["collapse"]
    assert "duplicates='count' gives" in str(report)


def test_report_is_deterministic_for_a_seed():
    a = skipgram_loss_report(1000, 4, 8, seed=3, time_it=False)
    b = skipgram_loss_report(1000, 4, 8, seed=3, time_it=False)
    assert a == b


def test_report_refuses_over_budget_before_allocating():
    need = estimate_skipgram_loss_report_bytes(5_000_000, 50, 4096)
    assert need > 1 << 40
    with pytest.raises(MemoryBudgetError, match="SkipGram losses with vocab_size=5,000,000"):
        skipgram_loss_report(5_000_000, 50, 4096)


def test_report_refuses_when_the_budget_is_lowered(monkeypatch):
    monkeypatch.setenv(BUDGET_ENV_VAR, "1MiB")
    with pytest.raises(MemoryBudgetError, match="over this session's memory budget of 1.0 MiB"):
        skipgram_loss_report(50_000, 4, 16)


def test_memory_table_ratio_tile_over_collapse_is_four_t_in_float32():
    table = target_memory_table((1_000, 50_000), (4, 10), 16)
    for _V, T, tile, collapsed, lean in table.rows:
        assert tile == 4 * T * collapsed
        assert lean == 16 * T * 5
    assert "over budget" not in str(table)
    assert "over budget" in str(target_memory_table((1_000_000,), (10,), 16))


def test_memory_figure_draws_each_methods_bytes_by_the_float32_formulas():
    V, T, N = 50_000, 4, 16
    left, right = plot_target_memory(V, T, N).axes
    per_element = {"tile": lambda v, t: 16 * N * t * v, "collapse": lambda v, t: 4 * N * v}
    per_element["lean"] = lambda v, t: 5 * N * t  # float32 gather + bool mask
    for method, bytes_of in per_element.items():
        (by_v,) = [line for line in left.get_lines() if line.get_label() == method]
        (by_t,) = [line for line in right.get_lines() if line.get_label() == method]
        assert list(by_v.get_ydata()) == [bytes_of(v, T) for v in by_v.get_xdata()]
        assert list(by_t.get_ydata()) == [bytes_of(V, t) for t in by_t.get_xdata()]
        assert list(by_t.get_xdata()) == list(range(1, 21))


def test_panel_refuses_the_far_end_of_every_size_slider():
    panel = skipgram_loss_panel()
    controls = {c.description: c for c in panel.controls.values()}
    controls["vocab size V"].value = SKIPGRAM_VOCAB_CHOICES[-1]
    controls["window size T"].value = controls["window size T"].max
    controls["batch size N"].value = controls["batch size N"].options[-1][1]
    assert panel.text().strip().splitlines()[-1].startswith("Refused: ")


@pytest.mark.parametrize(("V", "T", "N", "score"), [(50, 4, 8, 0.0), (10, 20, 8, 2.0)])
def test_report_losses_equal_numpy_formulas_on_the_same_draw(V, T, N, score):
    report = skipgram_loss_report(V, T, N, target_score=score, seed=5, time_it=False)
    # the draw the report documents: N(0, 0.6^2) scores, then ids, then +score at each id
    generator = torch.Generator().manual_seed(5)
    s = (0.6 * torch.randn(N, V, generator=generator, dtype=torch.float64)).numpy()
    y = torch.randint(V, (N, T), generator=generator).numpy()
    for n in range(N):
        for v in y[n]:
            s[n, v] += score
    counts = np.zeros((N, V))
    for n in range(N):
        for v in y[n]:
            counts[n, v] += 1
    tile = np.mean([numpy_bce(s, np.eye(V)[y[:, t]]) for t in range(T)])
    lse = np.log(np.exp(s).sum(axis=1))
    ce = np.mean([lse[n] - s[n, v] for n in range(N) for v in y[n]])
    expected = {
        "tile": tile,
        "collapse": numpy_bce(s, np.minimum(counts, 1)),
        "lean": numpy_bce(s, np.minimum(counts, 1)),
        "softmax CE": ce,
    }
    for name, value in report.losses:
        assert value == pytest.approx(expected[name], rel=1e-12), name
    assert report.gap == pytest.approx(expected["collapse"] - tile, rel=1e-9, abs=1e-15)
    assert report.count_loss == pytest.approx(numpy_bce(s, counts), rel=1e-12)
    assert report.duplicate_rows == sum(len(set(row)) < T for row in y)
