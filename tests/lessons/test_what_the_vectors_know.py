"""Notebook 09 (what the vectors know): its lesson module.

Oracles: word_pairs called directly for the similarity table; the trainer's own result for the
study's last epoch; answer_analogy and most_similar for the explorer; each exercise check fed
the right answer and each typical mistake written out as a learner would.
"""

import math

import pytest
import torch
import torch.nn.functional as F

from w2v_helpers.analogies import answer_analogy
from w2v_helpers.corpus import Vocabulary, wiki_vocabulary
from w2v_helpers.evaluation import most_similar, word_pairs
from w2v_helpers.lessons.nb09_what_the_vectors_know import (
    check_3cosadd,
    check_coverage,
    corpus_study,
    explorer_panel,
    explorer_view,
    parse_analogy,
    plot_study,
    similarity_table,
)

WORDS = ("man", "woman", "king", "queen", "prince", "apple", "paris", "france", "rome", "italy")


def small_vocab():
    return Vocabulary(words=WORDS, counts=torch.arange(len(WORDS), 0, -1), min_count=1)


def test_similarity_table_scores_both_datasets_with_word_pairs():
    vocab = wiki_vocabulary(5)
    g = torch.Generator().manual_seed(0)
    runs = {name: torch.randn(len(vocab), 8, generator=g) for name in ("ours", "gensim")}
    table = similarity_table(runs, vocab)
    for run, dataset, rho, low, high in table.rows:
        expected = word_pairs(runs[run], vocab, dataset)
        assert rho == expected.spearman
        if run == "ours":
            assert (low, high) == (expected.ci_low, expected.ci_high)
        else:
            assert math.isnan(low) and math.isnan(high)
    assert [c[0] for c in table.coverage] == ["wordsim353", "simlex999"]
    assert str(table).count("Spearman") == 4 and str(table).count("95% CI") == 2
    assert str(table).startswith("(95% intervals: 1,000 bootstrap resamples")


@pytest.mark.slow
def test_corpus_study_runs_each_share_and_seed_and_scores_every_epoch():
    runs = corpus_study(fractions=(0.1, 0.2), seeds=(0, 1), epochs=5)
    assert [(r.fraction, r.seed) for r in runs] == [(0.1, 0), (0.2, 0), (0.1, 1)]
    assert all(len(r.spearman) == 5 for r in runs)
    assert runs[0].tokens < runs[1].tokens and runs[0].vocab_size < runs[1].vocab_size
    assert runs[0].spearman != runs[2].spearman  # another seed, other vectors
    assert "after epoch 1, 5, 5" in str(runs[0])
    assert runs[0].analogies.questions_used < runs[1].analogies.questions_used  # fewer words
    assert f"{runs[1].analogies.correct} right of the" in str(runs[1])
    fig = plot_study(runs)
    assert len(fig.axes[0].lines) == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("man : king :: woman : ?", ("man", "king", "woman")),
        ("Man:King::Woman:", ("man", "king", "woman")),
    ],
)
def test_parse_analogy_reads_both_spellings(text, expected):
    assert parse_analogy(text) == expected


@pytest.mark.parametrize("text", ["man king woman", "a : b : c : ?", "", 3])
def test_parse_analogy_refuses_other_shapes_with_the_expected_form(text):
    with pytest.raises(ValueError, match="a : b :: c : \\?"):
        parse_analogy(text)


def test_explorer_shows_neighbours_and_both_methods_and_names_unknown_fields():
    vocab = small_vocab()
    vectors = torch.randn(len(WORDS), 6, generator=torch.Generator().manual_seed(1))
    text = explorer_view(vectors, vocab, "King", "man : king :: woman : ?")
    first = [w for w, _ in most_similar(vectors, vocab, "king", 8)]
    assert text.splitlines()[0].startswith("king: " + first[0])
    answers = answer_analogy(vectors, vocab, "man", "king", "woman", topn=3)
    for method in ("3cosadd", "3cosmul"):
        assert f"{method:<8}{answers[method][0][0]}" in text
    unknown = explorer_view(vectors, vocab, "zebra", "man : zebra :: woman : ?")
    assert "word: 'zebra' is not in the vocabulary" in unknown
    assert "analogy: b='zebra' is not in the vocabulary" in unknown
    panel = explorer_panel(vectors, vocab)
    panel.controls["word"].value = "paris"
    assert panel.text().startswith("paris: ")


def by_dot_product(v, a, b, c):
    scores = v @ (v[b] - v[a] + v[c])
    scores[[a, b, c]] = -math.inf
    return int(scores.argmax())


def keeping_question_words(v, a, b, c):
    unit = F.normalize(v, dim=1)
    return int((unit @ (unit[b] - unit[a] + unit[c])).argmax())


def threecosadd(vectors, a, b, c):
    unit = F.normalize(vectors, dim=1)
    scores = unit @ (unit[b] - unit[a] + unit[c])
    scores[[a, b, c]] = -math.inf
    return int(scores.argmax())


@pytest.mark.parametrize(
    ("fn", "ok", "says"),
    [
        (threecosadd, True, "row 3"),
        (lambda v, a, b, c: None, False, "nothing"),
        (by_dot_product, False, "long"),
        (lambda v, a, b, c: threecosadd(v, b, a, c), False, "other way"),
        (keeping_question_words, False, "leave a, b and c out"),
        (lambda v, a, b, c: 2.5, False, "row id"),
    ],
)
def test_check_3cosadd_explains_each_mistake(fn, ok, says):
    feedback = check_3cosadd(fn)
    assert bool(feedback) is ok and says in str(feedback)


@pytest.mark.parametrize(
    ("fn", "ok", "says"),
    [
        (lambda p, w: sum(a.lower() in w and b.lower() in w for a, b, _ in p), True, "2 of 4"),
        (lambda p, w: sum(a in w and b in w for a, b, _ in p), False, "lowercased"),
        (lambda p, w: sum(a.lower() in w or b.lower() in w for a, b, _ in p), False, "both"),
        (lambda pairs, words: None, False, "nothing"),
        (lambda pairs, words: 0.5, False, "whole number"),
    ],
)
def test_check_coverage_explains_each_mistake(fn, ok, says):
    feedback = check_coverage(fn)
    assert bool(feedback) is ok and says in str(feedback)


def test_shared_pairs_lists_the_pairs_both_datasets_score_by_their_disagreement():
    from w2v_helpers.corpus import load_word_pairs
    from w2v_helpers.lessons.nb09_what_the_vectors_know import shared_pairs

    vocab = wiki_vocabulary(5)
    vectors = torch.randn(len(vocab), 8, generator=torch.Generator().manual_seed(2))
    ws = {frozenset(p[:2]): p[2] for p in load_word_pairs("wordsim353.tsv")}
    sl = {frozenset(p[:2]): p[2] for p in load_word_pairs("simlex999.txt")}
    both = [k for k in ws.keys() & sl.keys() if len(k) == 2 and all(w in vocab.index for w in k)]
    gap = max(ws[k] - sl[k] for k in both)
    text = shared_pairs(vectors, vocab, count=3)
    lines = text.splitlines()
    assert lines[0].startswith(f"{len(both)} pairs are in both datasets")
    assert len(lines) == 4
    first = lines[1].split()
    assert float(first[4]) - float(first[6]) == pytest.approx(gap, abs=0.1)  # scores as printed
    with pytest.raises(ValueError, match="count"):
        shared_pairs(vectors, vocab, count=21)
    with pytest.raises(TypeError, match="count"):
        shared_pairs(vectors, vocab, count=2.0)
