"""Appendix A1: the z-score exercise, the sampling report's standard errors, the audit's numbers.

Oracles: the binomial standard error and z written with ``math`` row by row; for the draws, the
noise probabilities recomputed from the counts with NumPy; the reference's batch as the
arithmetic of the prose (256 centres x 2 sides x a mean reach of 3).
"""

import math

import numpy as np
import pytest

from w2v_helpers.lessons import a1_how_the_fast_trainer_departs as a1
from w2v_helpers.lessons.a1_how_the_fast_trainer_departs import (
    SamplingReport,
    check_z_score,
    sampling_report,
)


def test_the_right_z_score_is_correct():
    feedback = check_z_score(lambda p, drawn, n: (drawn - p) / (p * (1 - p) / n).sqrt())
    assert feedback, feedback.message


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (lambda p, d, n: None, "returns nothing yet"),
        (lambda p, d, n: (p - d) / (p * (1 - p) / n).sqrt(), "that is p - drawn"),
        (lambda p, d, n: (d - p) / (p * (1 - p) / n), "divides by the variance"),
        (lambda p, d, n: (d - p) / (d * (1 - d) / n).sqrt(), "uses the drawn rate"),
        (lambda p, d, n: (d - p) / (p * (1 - p)).sqrt(), "shrinks with the draws"),
        (lambda p, d, n: (d - p) / (p / n).sqrt(), "not p / n"),
        (lambda p, d, n: ((d - p) / (p * (1 - p) / n).sqrt())[:2], "shape (4,), got (2,)"),
    ],
    ids=["stub", "sign", "variance", "drawn se", "no n", "poisson", "shape"],
)
def test_each_usual_z_score_mistake_is_named(fn, message):
    feedback = check_z_score(fn)
    assert not feedback
    assert message in feedback.message, feedback.message


def test_z_is_the_gap_in_binomial_standard_errors():
    report = SamplingReport(power=0.75, draws=10_000, rows=(("a", 0.5, 0.51), ("b", 0.1, 0.094)))
    assert report.z(0.5, 0.51) == pytest.approx(0.01 / math.sqrt(0.25 / 10_000))  # 2.0
    assert report.z(0.1, 0.094) == pytest.approx(-0.006 / math.sqrt(0.09 / 10_000))  # -2.0
    lines = str(report).splitlines()
    assert lines[1].split() == ["word", "noise", "%", "drawn", "%", "std", "err", "%", "z"]
    assert lines[2].split() == ["a", "50.000", "51.000", "0.500", "2.0"]
    assert lines[3].split() == ["b", "10.000", "9.400", "0.300", "-2.0"]


@pytest.mark.slow  # loads the Wikipedia sample
def test_the_report_draws_at_the_noise_probabilities_within_their_standard_errors():
    from w2v_helpers.corpus import wiki_vocabulary

    report = sampling_report(power=0.5, draws=200_000, top=5, seed=3)
    counts = wiki_vocabulary().counts.numpy().astype(np.float64)
    probs = counts**0.5 / (counts**0.5).sum()
    for i, (word, p, drawn) in enumerate(report.rows):
        assert word == wiki_vocabulary().words[i]
        assert p == pytest.approx(probs[i], rel=1e-12)
        assert abs(drawn - p) < 5 * math.sqrt(p * (1 - p) / 200_000)  # |z| < 5


def test_the_reference_batch_is_256_centres_of_6_pairs():
    assert a1.REFERENCE_BATCH == 256 * 2 * 3 == 1_536


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: sampling_report(power=1.5), "power"),
        (lambda: sampling_report(draws=0), "draws"),
        (lambda: sampling_report(top=101), "top"),
        (lambda: a1.reference_comparison(max_tokens=5_000), "max_tokens"),
        (lambda: a1.reference_comparison(max_tokens=200_000), "max_tokens"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@pytest.mark.slow  # loads the Wikipedia sample
def test_the_audit_compares_every_run_and_counts_pairs_per_centre(monkeypatch):
    """The trainers are replaced by seeded random vectors: this checks the plumbing (which run is
    compared with which), not the training, which the notebook's stored outputs pin."""
    from types import SimpleNamespace

    import torch

    from w2v_helpers import reference, trainer
    from w2v_helpers.corpus import build_vocabulary

    def vectors(V, seed):
        return torch.randn(V, 8, generator=torch.Generator().manual_seed(seed))  # (V, E)

    def fake_sgns(ids, V, probs, *, seed, **settings):
        return SimpleNamespace(snapshots=[vectors(V, seed)], seconds=0.1)

    def fake_fast(sentences, config, progress=True):
        V = len(build_vocabulary(sentences, 5))
        return SimpleNamespace(vectors=vectors(V, 100 + config.seed), seconds=0.1)

    monkeypatch.setattr(reference, "train_sgns", fake_sgns)
    monkeypatch.setattr(trainer, "train_word2vec", fake_fast)
    audit = a1.reference_comparison(max_tokens=10_000)
    assert len(audit.rows) == len(a1.REFERENCE_VARIANTS) + len(a1.REFERENCE_SETTINGS)
    assert [name for name, _ in audit.order_rows] == [name for name, *_ in a1.ORDER_PAIRS]
    assert all(0 <= share < 1 for _, share, _ in audit.rows)  # none is the reference itself
    # the three reference variants all run seed 1: the same fake vectors, the same share
    assert audit.rows[0][1] == audit.rows[1][1] == audit.rows[2][1]
    # the fast trainer's settings all run seed 0 (fake 100): the same share too
    assert len({share for _, share, _ in audit.rows[3:]}) == 1
    assert all(share < 1 for _, share in audit.order_rows)  # each pair: two different runs
    assert 5 < audit.pairs_per_centre < 6.1  # a mean reach of 3 a side, less at sentence ends
    text = str(audit)
    assert "256 x 6 = 1,536 pairs" in text
    assert all(line.endswith("(wall clock)") for line in text.splitlines() if " ms " in line)
    assert 0 < audit.kept_per_epoch < 10_000
