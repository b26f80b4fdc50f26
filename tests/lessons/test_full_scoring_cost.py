"""Notebook 06's first lesson: one full-softmax step's memory, time and counted work against V.

Oracles: the bytes of the real model's parameters (read from ``SkipGram.parameters()``) plus the
three (N, V) tensors of a step; the log-log slope of the counted work.
"""

import dataclasses

import numpy as np
import pytest

from w2v_helpers.lessons.nb06_negative_sampling import full_scoring_cost, plot_full_scoring_cost
from w2v_helpers.memory import MemoryBudgetError
from w2v_helpers.models import SkipGram


def test_memory_estimate_is_the_models_parameters_and_grads_plus_three_score_tensors():
    N, E, sizes = 8, 6, (10, 40)
    cost = full_scoring_cost(sizes, batch_size=N, embedding_dim=E, repeats=1)
    for V, nbytes in zip(sizes, cost.nbytes, strict=True):
        params = sum(p.numel() for p in SkipGram(V, E).parameters())  # tables and bias
        assert nbytes == 4 * (2 * params + 3 * N * V)  # + grads, + scores, softmax, their grad
    assert len(cost.seconds) == len(sizes) and all(s > 0 for s in cost.seconds)


def test_printout_masks_nothing_but_the_timings():
    text = str(full_scoring_cost((10, 20), batch_size=4, embedding_dim=3, repeats=1))
    assert text.splitlines()[0] == "one SGD step, SkipGram with a full softmax, N=4, E=3"
    assert all(line.endswith("ms (wall clock)") for line in text.splitlines()[1:])


def test_refuses_over_the_budget_before_allocating(monkeypatch):
    monkeypatch.setenv("W2V_MEMORY_BUDGET", "1")
    with pytest.raises(MemoryBudgetError, match="vocab_sizes"):
        full_scoring_cost((1_000_000,), batch_size=256, embedding_dim=100)


def test_figure_counts_work_so_it_is_the_same_on_every_run():
    cost = full_scoring_cost((10, 100, 1_000), batch_size=2, embedding_dim=4, repeats=1)
    fig = plot_full_scoring_cost(cost, negatives=5)
    full, sampled = (np.asarray(line.get_ydata()) for line in fig.axes[0].get_lines())
    slope = np.diff(np.log(full)) / np.diff(np.log(cost.vocab_sizes))
    assert np.allclose(slope, 1.0)  # linear in V
    assert np.all(sampled == sampled[0])  # independent of V
    assert full[0] / sampled[0] == pytest.approx(10 / (1 + 5))  # V rows against 1 + K rows
    # nothing measured is drawn: other timings give the same picture
    slower = dataclasses.replace(cost, seconds=tuple(10 * t for t in cost.seconds))
    drawn = [line.get_ydata().tolist() for ax in fig.axes for line in ax.get_lines()]
    again = plot_full_scoring_cost(slower, negatives=5)
    assert drawn == [line.get_ydata().tolist() for ax in again.axes for line in ax.get_lines()]
