"""Notebook 09 (what the vectors know): its lesson module.

Oracles: word_pairs called directly for the similarity table and the study's last epoch; a loop
over the pairs for the rare-word count; a loop over candidates and scipy's sign test for the
method comparison; answer_analogy and most_similar for the explorer; each exercise check fed
the right answer and each typical mistake written out as a learner would.
"""

import math

import pytest
import torch
import torch.nn.functional as F

from w2v_helpers.analogies import answer_analogy
from w2v_helpers.corpus import Vocabulary, load_word_pairs, wiki_vocabulary
from w2v_helpers.evaluation import most_similar, word_pairs
from w2v_helpers.lessons.nb09_what_the_vectors_know import (
    StudyRun,
    check_3cosadd,
    check_coverage,
    corpus_study,
    epoch_report,
    explorer_panel,
    explorer_view,
    method_comparison,
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
    last = word_pairs(runs[0].vectors, runs[0].vocab)
    assert runs[0].spearman[-1] == last.spearman
    assert runs[0].intervals[-1] == (last.ci_low, last.ci_high)
    vocab = runs[0].vocab
    rarer = []
    for a, b, _ in load_word_pairs("wordsim353.tsv"):
        if a in vocab.index and b in vocab.index:
            rarer.append(min(int(vocab.counts[vocab.index[a]]), int(vocab.counts[vocab.index[b]])))
    assert runs[0].pairs_used == len(rarer)
    assert runs[0].rare_pairs == sum(c < 20 for c in rarer)
    assert runs[0].rarer_median == sorted(rarer)[(len(rarer) - 1) // 2]  # torch's lower median


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


def fake_run(spearman, intervals):
    return StudyRun(
        fraction=0.25,
        seed=1,
        tokens=1_000,
        vocab_size=50,
        pairs_used=101,
        spearman=spearman,
        intervals=intervals,
        rare_pairs=89,
        rarer_median=9,
        analogies=None,
        vectors=None,
        vocab=None,
    )


def test_epoch_report_gives_the_interval_the_null_spread_and_the_rare_pairs():
    run = fake_run((0.13, -0.083, 0.2), ((-0.07, 0.31), (-0.276, 0.114), (0.01, 0.35)))
    text = epoch_report(run, 2)
    assert "after epoch 2: WordSim353 -0.083, 95% CI -0.28 to +0.11, holds 0: True" in text
    assert f"1/sqrt(101 - 1) = {1 / math.sqrt(100):.3f}" in text
    assert "89 of the 101 pairs hold a word seen fewer than 20 times" in text
    assert "holds 0: False" in epoch_report(run, 3)
    with pytest.raises(ValueError, match="epoch"):
        epoch_report(run, 4)


def test_method_comparison_counts_agree_with_a_loop_over_candidates_and_scipy():
    from scipy.stats import binomtest

    vocab = small_vocab()
    vectors = torch.randn(len(WORDS), 3, generator=torch.Generator().manual_seed(24))
    unit = F.normalize(vectors.double(), dim=1).numpy()
    from w2v_helpers.corpus import test_data_path

    with open(test_data_path("questions-words.txt"), encoding="utf8") as handle:
        plain = [line.lower().split() for line in handle if line.strip() and line[0] != ":"]
    known = [[vocab.index[w] for w in q] for q in plain if all(w in vocab.index for w in q)]
    right = {"add": [], "mul": []}
    for a, b, c, d in known:
        cos = unit @ unit[[a, b, c]].T  # (V, 3)
        add = cos[:, 1] - cos[:, 0] + cos[:, 2]
        s = (1 + cos) / 2
        mul = s[:, 1] * s[:, 2] / (s[:, 0] + 1e-6)
        for name, score in (("add", add), ("mul", mul)):
            score[[a, b, c]] = -math.inf
            right[name].append(int(score.argmax()) == d)
    only_add = sum(x and not y for x, y in zip(right["add"], right["mul"], strict=True))
    only_mul = sum(y and not x for x, y in zip(right["add"], right["mul"], strict=True))
    assert (only_add, only_mul) == (2, 1)  # the seed makes the two methods disagree both ways
    text = method_comparison(vectors, vocab)
    p = binomtest(only_add, only_add + only_mul).pvalue
    assert f"only 3CosAdd {only_add}, only 3CosMul {only_mul};" in text
    assert f"p = {p:.1e}" in text
