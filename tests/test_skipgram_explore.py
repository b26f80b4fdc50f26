"""The memory estimates, the report and table behind notebook 04's widget, the plot, the panel."""

from __future__ import annotations

import re

import pytest
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

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


def test_target_byte_estimates_equal_the_real_tensors_each_method_builds():
    N, T, V = 3, 4, 50
    y = torch.randint(V, (N, T))
    scores = torch.randn(N, V)
    tiled = scores.unsqueeze(1).tile(1, T, 1)  # (N, T, V)
    onehot = F.one_hot(y, V)  # (N, T, V) int64
    tile_bytes = tiled.nbytes + onehot.nbytes + onehot.float().nbytes
    assert estimate_skipgram_target_bytes(V, T, N, "tile") == tile_bytes
    assert estimate_skipgram_target_bytes(V, T, N, "collapse") == torch.zeros(N, V).nbytes
    gathered = scores.gather(1, y)
    assert estimate_skipgram_target_bytes(V, T, N, "lean") == gathered.nbytes + y.bool().nbytes


def test_target_byte_estimate_rejects_unknown_method_and_bad_sizes():
    with pytest.raises(ValueError, match="method must be one of"):
        estimate_skipgram_target_bytes(10, 2, 2, "onehot")
    with pytest.raises(TypeError, match="window_size must be a positive whole number"):
        estimate_skipgram_target_bytes(10, 2.5, 2, "tile")
    with pytest.raises(ValueError, match="dtype_bytes must be 2, 4 or 8"):
        estimate_skipgram_target_bytes(10, 2, 2, "tile", dtype_bytes=3)


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
    with pytest.raises(MemoryBudgetError, match="over the memory budget of 1.0 MiB"):
        skipgram_loss_report(50_000, 4, 16)


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"vocab_size": 0}, ValueError, "vocab_size must be at least 1"),
        ({"window_size": 1001}, ValueError, "window_size must be at least 1 and at most 1,000"),
        ({"batch_size": "16"}, TypeError, "batch_size must be a positive whole number"),
        ({"target_score": "high"}, TypeError, "target_score must be a number"),
        ({"target_score": 99.0}, ValueError, r"target_score must be in \[-50, 50\]"),
    ],
)
def test_report_rejects_bad_settings_naming_them(kwargs, error, pattern):
    settings = {"vocab_size": 100, "window_size": 4, "batch_size": 2} | kwargs
    with pytest.raises(error, match=pattern):
        skipgram_loss_report(**settings)


def test_memory_table_ratio_tile_over_collapse_is_four_t_in_float32():
    table = target_memory_table((1_000, 50_000), (4, 10), 16)
    for _V, T, tile, collapsed, lean in table.rows:
        assert tile == 4 * T * collapsed
        assert lean == 16 * T * 5
    assert "over budget" not in str(table)
    assert "over budget" in str(target_memory_table((1_000_000,), (10,), 16))


def test_memory_table_rejects_empty_or_bad_grids():
    with pytest.raises(TypeError, match="vocab_sizes must be a non-empty tuple"):
        target_memory_table((), (4,), 16)
    with pytest.raises(ValueError, match=r"window_sizes\[i\] must be at least 1"):
        target_memory_table((100,), (0,), 16)


def test_plot_target_memory_returns_a_figure_with_both_axes():
    fig = plot_target_memory(50_000, 4, 16)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    with pytest.raises(ValueError, match="vocab_size must be at least 1"):
        plot_target_memory(0, 4, 16)


def test_panel_every_control_to_min_and_max_renders_without_python_errors():
    panel = skipgram_loss_panel()
    first = panel.text()
    assert "collapse and tile agree to 4 decimals: True" in first
    assert len(panel.controls) == 4
    seen = {first}
    for control in panel.controls.values():
        if hasattr(control, "options"):
            values = [control.options[0][1], control.options[-1][1]]
        else:
            values = [control.min, control.max]
        default = control.value
        if values[0] == default:  # setting a control to its current value fires nothing
            values.reverse()
        for value in values:
            control.value = value
            text = panel.text()
            assert text.strip(), f"{control.description}={value} rendered nothing"
            assert "Traceback" not in text and "Invalid setting" not in text
            assert re.match(r"(SkipGram losses at|Refused: )", text)
            seen.add(text)
        control.value = default
    assert len(seen) >= 5  # the text really changes with the controls


def test_panel_refuses_the_far_end_of_every_size_slider():
    panel = skipgram_loss_panel()
    controls = {c.description: c for c in panel.controls.values()}
    controls["vocab size V"].value = SKIPGRAM_VOCAB_CHOICES[-1]
    controls["window size T"].value = controls["window size T"].max
    controls["batch size N"].value = controls["batch size N"].options[-1][1]
    assert panel.text().strip().splitlines()[-1].startswith("Refused: ")
