"""Notebook 06's paired-interval exercise, its settings study and the noise-power swap behind it.

Oracle for the exercise: Spearman written as Pearson's correlation of average ranks (NumPy's
``corrcoef`` over ``scipy.stats.rankdata``), not the check's ``spearmanr``; the percentiles by
sorting and interpolating by hand. Every usual mistake must be named by its own message.
"""

import math

import numpy as np
import pytest
import torch
from scipy.stats import rankdata

from w2v_helpers.lessons import nb06_negative_sampling as nb06
from w2v_helpers.lessons.nb06_negative_sampling import SettingRun, check_paired_interval
from w2v_helpers.training_config import TrainingDivergedError


def rank_corr(x, y) -> float:
    return float(np.corrcoef(rankdata(np.asarray(x)), rankdata(np.asarray(y)))[0, 1])


def pearson(x, y) -> float:
    return float(np.corrcoef(np.asarray(x), np.asarray(y))[0, 1])


def percentile(values, q: float) -> float:
    """Linear interpolation between the sorted values, NumPy's default, written out."""
    v = sorted(values)
    pos = q / 100 * (len(v) - 1)
    lo = math.floor(pos)
    return v[lo] + (v[min(lo + 1, len(v) - 1)] - v[lo]) * (pos - lo)


def interval(diffs, low=2.5, high=97.5) -> torch.Tensor:
    return torch.tensor([percentile(diffs, low), percentile(diffs, high)], dtype=torch.float64)


def right(h, a, b, d):
    return interval([rank_corr(h[r], a[r]) - rank_corr(h[r], b[r]) for r in d])


def b_minus_a(h, a, b, d):
    return interval([rank_corr(h[r], b[r]) - rank_corr(h[r], a[r]) for r in d])


def ninety(h, a, b, d):
    return interval([rank_corr(h[r], a[r]) - rank_corr(h[r], b[r]) for r in d], 5, 95)


def separate_intervals(h, a, b, d):
    return interval([rank_corr(h[r], a[r]) for r in d]) - interval(
        [rank_corr(h[r], b[r]) for r in d]
    )


def pearson_raw(h, a, b, d):
    return interval([pearson(h[r], a[r]) - pearson(h[r], b[r]) for r in d])


def unpaired(h, a, b, d):
    other = d.flip(0)  # b scored on other resamples than a
    return interval(
        [rank_corr(h[r], a[r]) - rank_corr(h[s], b[s]) for r, s in zip(d, other, strict=True)]
    )


def point_twice(h, a, b, d):
    x = rank_corr(h, a) - rank_corr(h, b)
    return torch.tensor([x, x], dtype=torch.float64)


def one_end(h, a, b, d):
    return interval([rank_corr(h[r], a[r]) - rank_corr(h[r], b[r]) for r in d])[:1]


def test_the_right_interval_is_correct():
    feedback = check_paired_interval(right)
    assert feedback, feedback.message
    assert "same resampled pairs" in feedback.message


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (lambda h, a, b, d: None, "returns nothing yet"),
        (b_minus_a, "that is Spearman(b) - Spearman(a): subtract b from a."),
        (ninety, "that is a 90% interval: take the 2.5th and 97.5th percentiles"),
        (separate_intervals, "difference of the two separate intervals' ends"),
        (pearson_raw, "Pearson's correlation of the raw scores: rank them first"),
        (unpaired, "far wider than the paired one: score both models on the same resample"),
        (point_twice, "one number twice, not an interval"),
        (one_end, "return the two ends (low, high) as a (2,) tensor, got (1,)"),
    ],
    ids=["stub", "b-a", "90%", "separate", "pearson", "unpaired", "point", "one end"],
)
def test_each_usual_mistake_is_named(fn, message):
    feedback = check_paired_interval(fn)
    assert not feedback
    assert message in feedback.message, feedback.message


def test_a_run_is_told_apart_only_when_its_paired_interval_leaves_out_zero():
    def run(low, high, diverged=""):
        return SettingRun(
            name="x",
            spearman=0.2,
            ci_low=0.1,
            ci_high=0.3,
            difference=(low + high) / 2,
            diff_low=low,
            diff_high=high,
            seconds=1.0,
            diverged=diverged,
        )

    assert run(-0.17, -0.02).told_apart and run(0.01, 0.05).told_apart
    assert not run(-0.05, 0.03).told_apart
    assert not run(math.nan, math.nan, "diverged by chunk 3 of epoch 1").told_apart
    assert run(-0.05, 0.03).row().endswith("ms (wall clock)")  # the timing ends its line
    assert run(1, 2, "diverged by chunk 3 of epoch 1").row().endswith("of epoch 1")


def test_the_study_hands_the_noise_power_to_the_trainer_as_ns_exponent(monkeypatch):
    from w2v_helpers import corpus, trainer

    seen = {}

    def fake_train(sentences, config, progress=True):
        seen["config"] = config
        raise TrainingDivergedError("training diverged in epoch 2: by chunk 7 the loss is nan")

    monkeypatch.setattr(corpus, "load_wiki_sample", lambda: [["a", "b"]])
    monkeypatch.setattr(trainer, "train_word2vec", fake_train)
    monkeypatch.setattr(nb06, "_RUNS", {})
    result = nb06._train({"negative": 2}, 0.5)
    assert result == "diverged by chunk 7 of epoch 2"
    assert seen["config"].ns_exponent == 0.5
    assert seen["config"].negative == 2 and seen["config"].vector_size == 50


def test_a_bad_setting_is_refused_before_any_training(monkeypatch):
    monkeypatch.setattr(nb06, "_train", lambda *a: pytest.fail("trained before checking"))
    with pytest.raises(ValueError, match="noise power"):
        nb06.setting_study((("too strong", {}, 1.5),))
    with pytest.raises(ValueError, match="negative"):
        nb06.setting_study((("K", {"negative": -1}, 0.75),))
