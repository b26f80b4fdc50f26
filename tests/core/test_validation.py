"""The shared argument checks of w2v_helpers.validation: each mistake gets its own message."""

import re
from pathlib import Path

import pytest
import torch

from w2v_helpers import validation as v


@pytest.mark.parametrize(
    ("sentences", "error", "message"),
    [
        (None, TypeError, "got None"),
        ("the cat sat", TypeError, "single string; split it first"),
        ((s for s in [["a"]]), TypeError, "generator .*used up by the first pass"),
        (iter([["a"]]), TypeError, "list_iterator.*list\\(\\.\\.\\.\\)"),
        ({"a": 1}, TypeError, "got .*dict"),
        (["the cat"], TypeError, r"corpus\[0\] is a string, not a list of words"),
        ([["a"], 5], TypeError, r"corpus\[1\] must be a list of words"),
        ([["a", 3]], TypeError, r"corpus\[0\]\[1\] must be a word \(str\), got 3"),
        ([["a", None]], TypeError, r"corpus\[0\]\[1\] must be a word"),
    ],
)
def test_each_wrong_corpus_gets_its_own_message(sentences, error, message):
    with pytest.raises(error, match=message):
        v.check_sentences("corpus", sentences)


def test_a_corpus_of_tuples_comes_back_as_lists_of_the_same_words():
    assert v.check_sentences("corpus", (("a", "b"), ["c"], [])) == [["a", "b"], ["c"], []]


@pytest.mark.parametrize(
    ("seed", "error", "message"),
    [
        (2**70, ValueError, "at most 9,223,372,036,854,775,807"),
        (-1, ValueError, "at least 0"),
        (True, TypeError, "whole number"),
        ("7", TypeError, "whole number, got '7'"),
        (1.5, TypeError, "whole number"),
        (torch.Generator(), TypeError, "pass a torch.Generator as generator="),
    ],
)
def test_a_seed_must_be_an_int_below_two_to_the_63(seed, error, message):
    with pytest.raises(error, match=message):
        v.check_seed("seed", seed)


def test_the_largest_admitted_seed_is_one_manual_seed_takes():
    seed = v.check_seed("seed", v.MAX_SEED - 1)
    torch.Generator().manual_seed(seed)  # the oracle: torch's own range


def test_an_int_passed_as_generator_is_told_how_to_make_one():
    with pytest.raises(TypeError, match=re.escape("torch.Generator().manual_seed(3)")):
        v.check_generator("generator", 3)
    with pytest.raises(TypeError, match="torch.Generator or None"):
        v.check_generator("generator", "0")
    g = torch.Generator()
    assert v.check_generator("generator", g) is g and v.check_generator("generator", None) is None


@pytest.mark.parametrize("device", ["cpu:1", "gpu", "cuda:7", 0])
def test_a_device_that_does_not_exist_here_is_named_with_those_that_do(device):
    with pytest.raises((TypeError, ValueError), match="device"):
        v.check_device("device", device)
    if isinstance(device, str):
        with pytest.raises(
            ValueError, match=re.escape("device must be a device that exists here, one of ['cpu'")
        ):
            v.check_device("device", device)


def test_cpu_is_a_device_everywhere():
    assert v.check_device("device", "cpu") == torch.device("cpu")
    assert v.check_device("device", torch.device("cpu:0")) == torch.device("cpu:0")


@pytest.mark.parametrize("value", ["", "  ", "/etc/passwd", "../secrets.txt", "a/b.txt", ".", ".."])
def test_a_data_name_outside_the_data_folder_is_refused(value, tmp_path):
    with pytest.raises(ValueError, match=f"a file in {tmp_path.name}/"):
        v.check_data_name("name", value, tmp_path)


def test_a_plain_data_name_resolves_inside_the_folder(tmp_path):
    assert v.check_data_name("name", "wordsim353.tsv", tmp_path) == tmp_path / "wordsim353.tsv"
    with pytest.raises(TypeError, match="file name"):
        v.check_data_name("name", Path("x"), tmp_path)


def test_float_tensors_must_be_finite_floating_and_of_one_dtype():
    a, b = torch.zeros(2), torch.zeros(2, dtype=torch.float64)
    with pytest.raises(TypeError, match="share one dtype, got a torch.float32, b torch.float64"):
        v.check_float_tensors(a=a, b=b)
    with pytest.raises(ValueError, match="b must be finite, got 1 NaN"):
        v.check_float_tensors(a=a, b=torch.tensor([0.0, float("nan")]))
    with pytest.raises(TypeError, match="a must be a floating-point tensor"):
        v.check_float_tensors(a=torch.zeros(2, dtype=torch.int64))
    with pytest.raises(TypeError, match="a must be a torch.Tensor"):
        v.check_float_tensors(a=[0.0])
    assert v.check_float_tensors(a=a, b=a.clone()) == torch.float32


def test_the_trainer_refuses_a_generator_before_using_it_up():
    from w2v_helpers.trainer import train_word2vec

    with pytest.raises(TypeError, match="sentences must be a list of sentences, got a generator"):
        train_word2vec(s for s in [["a", "b"]] * 10)
    with pytest.raises(TypeError, match="single string"):
        train_word2vec("the cat sat on the mat")


def test_the_trainer_names_the_devices_that_exist_for_one_that_does_not():
    from w2v_helpers.trainer import resolve_device

    with pytest.raises(ValueError, match=re.escape("one of ['cpu'")):
        resolve_device("cpu:1")
