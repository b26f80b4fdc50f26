"""Analogies and the Projector export against independent oracles: gensim's
``evaluate_word_analogies`` on the same vectors, a NumPy loop over candidates, vectors with a
planted analogy, a plain count of the file's questions, and NumPy reading the export back.
``analogy_picks`` is checked question by question against the loop over candidates."""

import math

import numpy as np
import pytest
import torch
from gensim.models import KeyedVectors, Word2Vec

from w2v_helpers import corpus
from w2v_helpers.analogies import analogies, analogy_picks, answer_analogy, load_analogies
from w2v_helpers.corpus import Vocabulary, build_vocabulary, load_wiki_sample
from w2v_helpers.evaluation import export_projector

WORDS = ("man", "woman", "king", "queen", "prince", "apple", "paris", "france", "rome", "italy")


@pytest.fixture(scope="module")
def trained():
    """gensim's vectors after 3 epochs on the sample, one worker: some analogies come out right."""
    sentences = load_wiki_sample()
    model = Word2Vec(
        sentences, vector_size=50, window=5, sg=1, hs=1, negative=0, epochs=3, workers=1, seed=0
    )
    vocab = build_vocabulary(sentences, 5)
    return model.wv, vocab, torch.tensor(model.wv[list(vocab.words)])  # (V, E)


def gensim_analogies(wv_vectors, vocab, function):
    """gensim's evaluate_word_analogies (3CosAdd), or the same loop over questions with
    ``most_similar_cosmul``, which evaluate_word_analogies cannot use in gensim 4.4 (see below)."""
    kv = KeyedVectors(wv_vectors.shape[1])
    kv.add_vectors(list(vocab.words), wv_vectors.numpy())
    path = corpus.test_data_path("questions-words.txt")
    if function == "most_similar":
        _, sections = kv.evaluate_word_analogies(path, restrict_vocab=len(vocab))
        return {s["section"]: (len(s["correct"]), len(s["correct"]) + len(s["incorrect"]))
                for s in sections if s["section"] != "Total accuracy"}  # fmt: skip
    counts = {}
    for name, questions in load_analogies():
        known = [q for q in questions if all(w in vocab.index for w in q)]
        right = 0
        for a, b, c, d in known:
            sims = kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=5)
            right += next(w for w, _ in sims if w not in (a, b, c)) == d
        if known:
            counts[name] = (right, len(known))
    return counts


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "function"), [("3cosadd", "most_similar"), ("3cosmul", "most_similar_cosmul")]
)
def test_analogies_agree_with_gensim_section_by_section(trained, method, function):
    _, vocab, vectors = trained
    theirs = gensim_analogies(vectors, vocab, function)
    ours = analogies(vectors, vocab, method)
    assert ours.correct > 20  # enough right answers for the comparison to mean something
    flips = 0
    for section in ours.sections:
        right, used = theirs.get(section.name, (0, 0))
        assert section.used == used
        flips += abs(section.correct - right)
    # gensim ranks in float32, we in float64: a near-tie may go the other way, rarely
    assert flips <= 2, flips


@pytest.mark.slow
def test_gensim_4_4_evaluate_word_analogies_ignores_its_similarity_function(trained):
    """Why the 3CosMul oracle above loops itself: gensim 4.4.0's evaluate_word_analogies accepts
    ``similarity_function`` but always calls most_similar (3CosAdd). If a gensim release fixes
    this, the analogies module's docstring and notebook 09 should say so."""
    wv, vocab, _ = trained
    path = corpus.test_data_path("questions-words.txt")
    add, _ = wv.evaluate_word_analogies(path, similarity_function="most_similar")
    mul, _ = wv.evaluate_word_analogies(path, similarity_function="most_similar_cosmul")
    assert add == mul


def test_question_counts_match_a_plain_reading_of_the_file():
    vocab = corpus.wiki_vocabulary(5)  # which questions count depends on the words, not vectors
    vectors = torch.randn(len(vocab), 8, generator=torch.Generator().manual_seed(0))  # (V, 8)
    total = used = 0
    with open(corpus.test_data_path("questions-words.txt"), encoding="utf8") as handle:
        for line in handle:
            if line.startswith(":") or not line.strip():
                continue
            total += 1
            used += all(w.lower() in vocab.index for w in line.split())
    result = analogies(vectors, vocab)
    assert (result.questions_total, result.questions_used) == (total, used)
    assert total == 19_544 and len(load_analogies()) == 14


def brute_force(vectors, vocab, a, b, c, method):
    """Rank every other word with a plain loop in float64 NumPy."""
    unit = vectors.double().numpy()
    unit = unit / np.linalg.norm(unit, axis=1, keepdims=True)
    ia, ib, ic = (vocab.index[w] for w in (a, b, c))
    best, best_score = None, -math.inf
    for x in range(len(vocab)):
        if x in (ia, ib, ic):
            continue
        cos = {k: float(unit[x] @ unit[i]) for k, i in (("a", ia), ("b", ib), ("c", ic))}
        if method == "3cosadd":
            score = cos["b"] - cos["a"] + cos["c"]
        else:
            s = {k: (1 + v) / 2 for k, v in cos.items()}
            score = s["b"] * s["c"] / (s["a"] + 1e-6)
        if score > best_score:
            best, best_score = vocab.words[x], score
    return best, best_score


def small_vocab():
    return Vocabulary(words=WORDS, counts=torch.arange(len(WORDS), 0, -1), min_count=1)


@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_answer_matches_a_loop_over_candidates(method, seed):
    vocab = small_vocab()
    vectors = torch.randn(len(WORDS), 6, generator=torch.Generator().manual_seed(seed))
    word, score = answer_analogy(vectors, vocab, "man", "king", "woman", topn=1)[method][0]
    expected_word, expected_score = brute_force(vectors, vocab, "man", "king", "woman", method)
    assert word == expected_word and score == pytest.approx(expected_score, rel=1e-12)


def test_a_planted_analogy_is_found_by_both_methods_and_case_does_not_matter():
    vocab = small_vocab()
    vectors = torch.randn(len(WORDS), 8, generator=torch.Generator().manual_seed(3))
    i = vocab.index
    vectors[i["queen"]] = vectors[i["king"]] - vectors[i["man"]] + vectors[i["woman"]]  # (E,)
    answers = answer_analogy(vectors, vocab, "Man", "KING", "woman")
    assert answers["3cosadd"][0][0] == "queen" and answers["3cosmul"][0][0] == "queen"
    assert all(w not in ("man", "king", "woman") for m in answers.values() for w, _ in m)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"a": "zebra"}, ValueError, "a='zebra' is not in the vocabulary"),
        ({"c": ""}, ValueError, "c=''"),
        ({"b": 3}, ValueError, "b=3"),
        ({"topn": 0}, ValueError, "topn"),
        ({"topn": True}, TypeError, "topn"),
    ],
)
def test_answer_refuses_unknown_words_and_bad_topn(kwargs, error, match):
    args = {"a": "man", "b": "king", "c": "woman", **kwargs}
    vectors = torch.randn(len(WORDS), 4)
    with pytest.raises(error, match=match):
        answer_analogy(vectors, small_vocab(), **args)


def test_analogies_refuse_an_unknown_method_and_mismatched_vectors():
    with pytest.raises(ValueError, match="method must be one of"):
        analogies(torch.randn(len(WORDS), 4), small_vocab(), "3cosavg")
    with pytest.raises(ValueError, match="vectors"):
        analogies(torch.randn(3, 4), small_vocab())


def test_export_round_trips_through_numpy(tmp_path):
    vocab = small_vocab()
    vectors = torch.randn(len(WORDS), 5, generator=torch.Generator().manual_seed(4))
    vectors_path, metadata_path = export_projector(vectors, vocab, tmp_path)
    back = np.loadtxt(vectors_path, delimiter="\t", dtype=np.float32)
    assert np.array_equal(back, vectors.numpy())  # 9 significant digits: float32 exactly
    with open(metadata_path, encoding="utf8") as handle:
        assert tuple(handle.read().splitlines()) == WORDS


def test_export_refuses_a_missing_folder_and_words_the_tsv_cannot_hold(tmp_path):
    vectors = torch.randn(len(WORDS), 5)
    with pytest.raises(ValueError, match="directory"):
        export_projector(vectors, small_vocab(), tmp_path / "missing")
    tabbed = Vocabulary(words=("a\tb", "c"), counts=torch.tensor([2, 1]), min_count=1)
    with pytest.raises(ValueError, match="tab or line break"):
        export_projector(torch.randn(2, 5), tabbed, tmp_path)


@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
def test_analogy_picks_match_a_loop_over_candidates_question_by_question(method):
    vocab = small_vocab()
    vectors = torch.randn(len(WORDS), 6, generator=torch.Generator().manual_seed(4))
    with open(corpus.test_data_path("questions-words.txt"), encoding="utf8") as handle:
        plain = [line.lower().split() for line in handle if line.strip() and line[0] != ":"]
    known = [q for q in plain if all(w in vocab.index for w in q)]
    assert len(known) >= 4  # the ten words ask some questions
    questions, picks = analogy_picks(vectors, vocab, method)
    assert questions.tolist() == [[vocab.index[w] for w in q] for q in known]
    expected = [brute_force(vectors, vocab, a, b, c, method)[0] for a, b, c, _ in known]
    assert [vocab.words[i] for i in picks.tolist()] == expected
    with pytest.raises(ValueError, match="method must be one of"):
        analogy_picks(vectors, vocab, "3cosdiv")
