"""Notebook 11's lesson code: the n-gram exercise's messages, the reports and the explorer."""

from __future__ import annotations

import re

import pytest
import torch

from w2v_helpers.corpus import Vocabulary
from w2v_helpers.lessons.nb11_subword_vectors import (
    check_char_ngrams,
    collision_report,
    corpus_counts,
    neighbours_report,
    rank_report,
    subword_view,
    table_report,
)
from w2v_helpers.subword_trainer import SubwordResult
from w2v_helpers.subwords import SubwordBags
from w2v_helpers.training_config import TrainConfig


def _cut(marked: str, low: int, high: int) -> list[str]:
    return [marked[i : i + n] for n in range(low, high + 1) for i in range(len(marked) - n + 1)]


def right(word, min_n, max_n):
    marked = "<" + word + ">"
    return _cut(marked, min_n, min(len(marked), max_n))


WRONG = {
    "no boundary marks": lambda w, lo, hi: _cut(w, lo, hi),
    "the start mark '<' is missing": lambda w, lo, hi: _cut(w + ">", lo, hi),
    "the end mark '>' is missing": lambda w, lo, hi: _cut("<" + w, lo, hi),
    "min_n to max_n \\*inclusive\\*": lambda w, lo, hi: _cut(f"<{w}>", lo, hi - 1),
    "n starts at min_n itself": lambda w, lo, hi: _cut(f"<{w}>", lo + 1, hi),
    "'<cat>' is missing": lambda w, lo, hi: [g for g in right(w, lo, hi) if g != f"<{w}>"],
    "'<cat>' is there twice": lambda w, lo, hi: right(w, lo, hi) + [f"<{w}>"],
    "'<where>' has 7 characters, more than max_n = 4": lambda w, lo, hi: (
        right(w, lo, hi) + ([] if len(w) + 2 <= hi else [f"<{w}>"])
    ),
}


def test_a_right_answer_in_any_order_is_correct():
    assert check_char_ngrams(right)
    assert check_char_ngrams(lambda w, lo, hi: sorted(right(w, lo, hi), reverse=True))
    assert "Correct" in repr(check_char_ngrams(right))


@pytest.mark.parametrize("message", list(WRONG))
def test_each_usual_mistake_gets_its_own_message(message):
    feedback = check_char_ngrams(WRONG[message])
    assert not feedback
    assert repr(feedback).startswith("✘ Not yet")
    assert re.search(message, feedback.message), feedback.message


def test_whole_word_always_added_names_the_long_word():
    def always(word, lo, hi):
        grams = right(word, lo, hi)
        return grams if f"<{word}>" in grams else grams + [f"<{word}>"]

    feedback = check_char_ngrams(always)
    assert "'<where>' has 7 characters" in feedback.message


def test_stub_crash_and_wrong_type_are_explained():
    assert "returns nothing" in check_char_ngrams(lambda w, lo, hi: None).message
    assert "raised ZeroDivisionError" in check_char_ngrams(lambda w, lo, hi: 1 / 0).message
    assert "list of strings" in check_char_ngrams(lambda w, lo, hi: "abc").message
    assert "missing" in check_char_ngrams(lambda w, lo, hi: ["<ca"]).message


def _toy() -> SubwordResult:
    words = ("cat", "cats", "dog", "hat", "mat")
    vocab = Vocabulary(words=words, counts=torch.tensor([9, 5, 4, 3, 2]), min_count=1)
    bags = SubwordBags.build(vocab, 3, 6, buckets=50)
    table = torch.randn(bags.table_rows, 4, generator=torch.Generator().manual_seed(0))
    return SubwordResult(bags=bags, table=table, output=torch.zeros(5, 4), config=TrainConfig())


def test_subword_view_says_known_or_not_and_lists_the_ngrams():
    toy = _toy()
    known = subword_view(toy, "cat", 2)
    assert "cat: in the vocabulary" in known and "<ca cat at>" in known
    assert "not in the vocabulary: the mean of its 6 n-gram rows" in subword_view(toy, "bat", 2)
    assert subword_view(toy, "  ", 2).startswith("word: type a word")


def test_rank_report_matches_a_sort_of_the_cosines():
    toy = _toy()
    vectors = torch.nn.functional.normalize(toy.vocab_vectors().double(), dim=1)  # (V, E)
    query = torch.nn.functional.normalize(toy.word_vector("cap").double(), dim=0)  # (E,)
    order = torch.argsort(vectors @ query, descending=True).tolist()
    rank = order.index(toy.vocab.index["hat"]) + 1
    assert f"rank {rank} of 5" in rank_report(toy, [("cap", "hat")])


def test_reports_print_counts_sizes_and_shares():
    toy = _toy()
    assert neighbours_report(toy, ["cat", "bat"], 2).count(", ") == 2  # two words, two each
    counts = corpus_counts(["cat", "cow"], [["cat", "cat", "dog"]], toy.vocab)
    assert "cat            2 times in the sample, in the vocabulary" in counts
    assert "cow            0 times in the sample, not in the vocabulary" in counts
    assert "766.4 MiB" in table_report(9_002, 200_000)
    report = collision_report(["where", "here"], (1, 1_000_000))
    assert "buckets=        1: 100.0%" in report
