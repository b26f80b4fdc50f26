"""The trainers' shared core (``training_config``): the one divergence check in both wordings,
and that the module stands below both trainers (it imports neither).

Oracles: the messages written out by hand, word for word as each trainer words them today; the
limits tried at, just over, and at NaN and infinity; a fresh interpreter's ``sys.modules``.
"""

import math
import subprocess
import sys

import pytest

from w2v_helpers import reference, trainer, training_config
from w2v_helpers.training_config import (
    DIVERGED_ABOVE,
    DIVERGED_LOSS,
    TrainingDivergedError,
    stop_if_diverged,
)

FAST = dict(
    rate_name="alpha",
    step_name="chunk",
    by_step=True,
    advice=", and keep row_cap at most its default, 256",
)


def fast_readings(loss: float, largest: float) -> dict[str, float]:
    return {"loss per pair": loss, "largest vector entry": largest}


@pytest.mark.parametrize(
    ("value", "shown"), [(math.nan, "nan"), (math.inf, "inf"), (-math.inf, "-inf")]
)
def test_reference_wording_names_lr_and_the_batch_for_a_value_that_is_not_finite(value, shown):
    with pytest.raises(TrainingDivergedError) as error:
        stop_if_diverged(value, math.inf, "mean loss per pair", 0.1, 1, 7)
    assert str(error.value) == (
        f"training diverged in epoch 2, batch 7: the mean loss per pair is {shown}. "
        "Lower lr (now 0.1; word2vec's default is 0.025)."
    )


def test_reference_wording_for_a_value_over_the_limit_and_at_it():
    with pytest.raises(TrainingDivergedError) as error:
        stop_if_diverged(2.5e4, DIVERGED_ABOVE, "largest vector entry", 10.0, 0, 3)
    assert str(error.value) == (
        "training diverged in epoch 1, batch 3: the largest vector entry is 2.5e+04. "
        "Lower lr (now 10; word2vec's default is 0.025)."
    )
    stop_if_diverged(DIVERGED_ABOVE, DIVERGED_ABOVE, "largest vector entry", 10.0, 0, 3)
    stop_if_diverged(1e300, math.inf, "mean loss per pair", 0.1, 0, 0)  # finite: passes


def test_the_reference_trainer_calls_the_shared_check():
    assert reference._stop_if_diverged is stop_if_diverged


@pytest.mark.parametrize(
    ("loss", "largest", "shown"),
    [
        (math.nan, 0.5, "the loss per pair is nan and the largest vector entry 0.5"),
        (math.inf, 0.5, "the loss per pair is inf and the largest vector entry 0.5"),
        (1e3 + 1, 0.5, "the loss per pair is 1e+03 and the largest vector entry 0.5"),
    ],
)
def test_fast_wording_names_alpha_and_the_chunk_with_both_readings(loss, largest, shown):
    with pytest.raises(TrainingDivergedError) as error:
        stop_if_diverged(
            loss,
            DIVERGED_LOSS,
            "loss per pair",
            1.0,
            0,
            12,
            readings=fast_readings(loss, largest),
            **FAST,
        )
    assert str(error.value) == (
        f"training diverged in epoch 1: by chunk 12 {shown}. Lower alpha (now 1; word2vec's "
        "default is 0.025), and keep row_cap at most its default, 256."
    )


def test_fast_wording_for_an_entry_over_the_limit_reports_the_loss_first():
    with pytest.raises(TrainingDivergedError) as error:
        stop_if_diverged(
            2e4,
            DIVERGED_ABOVE,
            "largest vector entry",
            0.5,
            2,
            40,
            readings=fast_readings(3.25, 2e4),
            **FAST,
        )
    assert str(error.value) == (
        "training diverged in epoch 3: by chunk 40 the loss per pair is 3.25 and the largest "
        "vector entry 2e+04. Lower alpha (now 0.5; word2vec's default is 0.025), and keep "
        "row_cap at most its default, 256."
    )


def test_fast_wording_passes_values_at_the_limits():
    at_limits = fast_readings(DIVERGED_LOSS, DIVERGED_ABOVE)
    for value, limit in ((DIVERGED_LOSS, DIVERGED_LOSS), (DIVERGED_ABOVE, DIVERGED_ABOVE)):
        stop_if_diverged(value, limit, "reading", 1.0, 0, 1, readings=at_limits, **FAST)


def test_the_fast_trainers_epoch_check_tells_a_toy_vocabulary_to_lower_chunk():
    """Through the trainer's own epoch check: the first bad chunk is named, and with 24 words
    at 256 centres a chunk the message adds the chunk advice."""
    import torch

    from w2v_helpers.chunk_updates import Tables

    tables = Tables(
        w_in=torch.zeros(24, 4),  # (V, E)
        w_out=torch.zeros(24, 4),  # (V, E)
        inner=None,
        paths=None,
        config=training_config.TrainConfig(chunk=256),
    )
    with pytest.raises(TrainingDivergedError) as error:
        trainer._check_epoch(tables, [1.0, math.nan, 5e3], 10, 0, 256)
    assert str(error.value) == (
        "training diverged in epoch 1: by chunk 11 the loss per pair is nan and the largest "
        "vector entry 0. Lower alpha (now 0.025; word2vec's default is 0.025), and keep row_cap "
        "at most its default, 256. With only 24 words, also lower chunk (now 256) to a few per "
        "word."
    )
    trainer._check_epoch(tables, [DIVERGED_LOSS], 0, 0, 256)  # at the limit: passes


def test_the_trainer_re_exports_the_shared_names():
    for name in ("TrainConfig", "TrainingDivergedError", "learning_rate"):
        assert getattr(trainer, name) is getattr(training_config, name)


@pytest.mark.slow
def test_training_config_imports_neither_trainer_nor_the_chunk_updates():
    code = (
        "import sys, w2v_helpers.training_config\n"
        "found = [m for m in ('trainer', 'chunk_updates', 'reference')"
        " if f'w2v_helpers.{m}' in sys.modules]\n"
        "assert not found, found\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


@pytest.mark.parametrize("power", [-0.1, 1.5, float("nan")])
def test_ns_exponent_outside_zero_to_one_is_refused_by_name(power):
    with pytest.raises(ValueError, match=r"ns_exponent must be in \[0, 1\]"):
        training_config.TrainConfig(ns_exponent=power)


def test_the_trainer_draws_its_noise_by_count_to_the_ns_exponent(monkeypatch):
    import torch

    from w2v_helpers import trainer

    seen = []
    real = trainer.noise_distribution
    monkeypatch.setattr(trainer, "noise_distribution", lambda c, p: seen.append(p) or real(c, p))
    sentences = [["a", "b", "c", "a", "b", "a"] * 5] * 4
    trainer.train_word2vec(
        sentences, training_config.TrainConfig(min_count=1, epochs=1, ns_exponent=0.0)
    )
    assert seen == [0.0]
    uniform = real(torch.tensor([30, 20, 10]), 0.0)  # (V,): count ** 0, normalised
    assert torch.equal(uniform, torch.full((3,), 1 / 3, dtype=uniform.dtype))
