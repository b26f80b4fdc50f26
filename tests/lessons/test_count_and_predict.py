"""Notebook 10's lesson code: the two exercise checks against right and wrong answers, the
reports against brute-force loops and NumPy formulas, and the Levy-Goldberg fit against its
formula computed cell by cell."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse
import torch
from oracles import topic_corpus

from w2v_helpers.analogies import analogy_picks, load_analogies
from w2v_helpers.corpus import (
    build_vocabulary,
    keep_probabilities,
    load_word_pairs,
    noise_distribution,
)
from w2v_helpers.counts import cooccurrence
from w2v_helpers.evaluation import WORD_PAIR_FILES
from w2v_helpers.glove import train_glove
from w2v_helpers.lessons.nb10_count_and_predict import (
    MethodRun,
    analogy_difference,
    analogy_interval,
    check_glove_loss,
    check_ppmi,
    compare_methods,
    count_report,
    plot_glove_losses,
    plot_pmi_fit,
    sgns_pmi_fit,
    top_contexts,
    weighting_report,
)
from w2v_helpers.trainer import TrainConfig, train_word2vec, training_bytes

# --- Exercise 1: PPMI ------------------------------------------------------------------------


def _ppmi(counts, cds, shift, *, word_power=1.0, total=None, log=torch.log, clip_first=False):
    contexts = counts.sum(0) ** cds  # (C,)
    words = counts.sum(1, keepdim=True) ** word_power  # (V, 1)
    total = contexts.sum() if total is None else total(counts)
    pmi = log(counts * total / (words * contexts))
    if clip_first:
        return torch.clamp(pmi, min=0) - math.log(shift)
    return torch.clamp(pmi - math.log(shift), min=0)


def test_the_ppmi_check_accepts_the_formula():
    assert check_ppmi(_ppmi)
    assert "✘ Not yet: your function returns nothing" in repr(check_ppmi(lambda c, a, k: None))


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda c, a, k: _ppmi(c, 1.0, k), "raised to cds"),
        (lambda c, a, k: _ppmi(c, a, k, word_power=a), "#(w) stays unpowered"),
        (lambda c, a, k: _ppmi(c, a, k, total=lambda m: m.sum()), "not the number of pairs"),
        (lambda c, a, k: _ppmi(c, a, math.exp(k)), "the shift is log k, not k"),
        (lambda c, a, k: _ppmi(c, a, 1.0), "you left out the shift"),
        (lambda c, a, k: _ppmi(c, a, k, clip_first=True), "clip after the shift"),
        (lambda c, a, k: _ppmi(c, a, k, log=torch.log2), "natural log"),
        (lambda c, a, k: _ppmi(c, a, k, log=lambda r: r), "take the natural log"),
        (
            lambda c, a, k: (
                torch.log(c * (c.sum(0) ** a).sum() / (c.sum(1, keepdim=True) * c.sum(0) ** a))
                - math.log(k)
            ),
            "log 0 = -inf",
        ),
        (lambda c, a, k: _ppmi(c, a, k)[:, :4], "one value per cell"),
        (lambda c, a, k: _ppmi(c, a, k, log=torch.log10), "not log10"),
        (lambda c, a, k: _ppmi(c, a, k, log=lambda r: torch.log1p(r)), "log1p(x) is log(1 + x)"),
        (lambda c, a, k: torch.clamp(_ppmi(c, a, 1.0) / k, min=0), "not divided by shift"),
        (lambda c, a, k: _ppmi(c, a, k).float(), "right to float32 precision only"),
        (lambda c, a, k: torch.zeros_like(c), "every cell is 0"),
        (lambda c, a, k: _ppmi(c, a, k * k), "subtracted log(shift) twice"),
    ],
)
def test_the_ppmi_check_names_each_usual_mistake(wrong, message):
    verdict = check_ppmi(wrong)
    assert not verdict and message in verdict.message, verdict


def test_a_nan_from_zero_counts_is_named():
    def nan_ppmi(counts, cds, shift):
        return _ppmi(counts, cds, shift) * (counts / counts)  # 0 / 0 where a count is 0

    verdict = check_ppmi(nan_ppmi)
    assert not verdict and "NaN" in verdict.message


# --- Exercise 2: GloVe's loss ---------------------------------------------------------------


def _glove(W, Wt, b, bt, rows, cols, x, x_max, alpha, *, cap=True, target=torch.log, scale=1.0):
    f = (x / x_max) ** alpha
    f = torch.clamp(f, max=1.0) if cap else f
    fit = (W[rows] * Wt[cols]).sum(1) + b[rows] + bt[cols]
    return scale * (f * (fit - target(x)) ** 2).sum()


def test_the_glove_check_accepts_the_formula():
    assert check_glove_loss(_glove)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda *a: _glove(*a, cap=False), "the weight is capped at 1"),
        (lambda *a: _glove(*a, target=lambda x: x), "the target is log x, not x"),
        (lambda *a: _glove(*a, scale=0.5), "has no 1/2"),
        (
            lambda W, Wt, b, bt, r, c, x, m, a: _glove(W, Wt, 0 * b, bt, r, c, x, m, a),
            "add the word's bias",
        ),
        (
            lambda W, Wt, b, bt, r, c, x, m, a: _glove(W, Wt, 0 * b, 0 * bt, r, c, x, m, a),
            "you left them out",
        ),
        (
            lambda W, Wt, b, bt, r, c, x, m, a: (
                ((W[r] * Wt[c]).sum(1) + b[r] + bt[c] - x.log()).pow(2).sum()
            ),
            "you left the weight out",
        ),
        (lambda W, Wt, b, bt, r, c, x, m, a: _glove(W, W, b, bt, r, c, x, m, a), "not W[rows]"),
        (lambda *a: _glove(*a) / 6, "do not average"),
        (lambda *a: torch.stack([_glove(*a), _glove(*a)]), "return one number"),
        (
            lambda W, Wt, b, bt, r, c, x, m, a: _glove(W, Wt, b, bt, r, c, x, m, 1.0),
            "left alpha out",
        ),
        (
            lambda W, Wt, b, bt, r, c, x, m, a: _glove(W, Wt, b, bt, c, r, x, m, a),
            "you swapped them",
        ),
        (lambda *a: _glove(*a).float(), "right to float32 precision only"),
    ],
)
def test_the_glove_check_names_each_usual_mistake(wrong, message):
    verdict = check_glove_loss(wrong)
    assert not verdict and message in verdict.message, verdict


# --- Reports against brute force ------------------------------------------------------------


@pytest.fixture(scope="module")
def topic():
    corpus = topic_corpus()
    vocab = build_vocabulary(corpus, min_count=1)
    return corpus, vocab, cooccurrence(corpus, vocab, 3, "word2vec")


def test_count_report_counts_the_cells_and_bytes(topic):
    _, vocab, counts = topic
    V = len(vocab)
    dense = counts.toarray()
    report = count_report(counts, vocab)
    assert f"of which {int((dense != 0).sum()):,} are non-zero" in report
    assert f"V² = {V * V:,} cells" in report
    i, j = np.unravel_index(dense.argmax(), dense.shape)
    assert f"({vocab.words[i]}, {vocab.words[j]}) {dense[i, j]:,.1f}" in report


def test_top_contexts_ranks_by_count_and_by_a_dense_ppmi(topic):
    _, vocab, counts = topic
    dense = counts.toarray()
    word = vocab.words[3]
    row = dense[vocab.index[word]]
    contexts = dense.sum(0) ** 0.75
    with np.errstate(divide="ignore"):
        pmi = np.log(row * contexts.sum() / (row.sum() * contexts)) - math.log(2.0)
    best = np.argsort(-np.where(row > 0, pmi, -np.inf), kind="stable")[0]
    text = top_contexts(counts, vocab, word, cds=0.75, shift=2.0, topn=3)
    first = text.splitlines()[2]
    assert f"PPMI {pmi[best]:.2f}" in first and vocab.words[best] in first
    assert f"{int((pmi > 0).sum()):,} with PPMI > 0" in text
    assert vocab.words[int(np.argmax(row))] in first


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"word": "zzz"}, ValueError, "not in the vocabulary"),
        ({"shift": 0.5}, ValueError, "shift"),
        ({"topn": 0}, ValueError, "topn"),
        ({"cds": 0}, ValueError, "cds"),
    ],
)
def test_top_contexts_refuses_bad_settings(topic, kwargs, error, pattern):
    _, vocab, counts = topic
    settings = {"word": vocab.words[0], **kwargs}
    with pytest.raises(error, match=pattern):
        top_contexts(counts, vocab, **settings)


def test_weighting_report_against_numpy():
    counts = scipy.sparse.csr_array(
        np.array([[0.0, 1.0, 20.0], [1.0, 150.0, 0.0], [20.0, 0.0, 2.0]])
    )
    text = weighting_report(counts, x_maxes=(100.0,))
    x = np.array([1.0, 20.0, 1.0, 150.0, 20.0, 2.0])
    f = np.minimum(1.0, (x / 100.0) ** 0.75)
    assert f"{np.mean(f >= 1):6.2%} of cells weigh 1; mean weight {f.mean():.3f}" in text


def test_a_glove_loss_curve_has_one_point_per_epoch(topic):
    _, _, counts = topic
    result = train_glove(counts, 4, 3, batch_size=64, x_max=10.0)
    line = plot_glove_losses(result).axes[0].lines[0]
    np.testing.assert_allclose(line.get_ydata(), result.losses)


# --- Intervals and the comparison -----------------------------------------------------------


@pytest.fixture(scope="module")
def trained(topic):
    corpus, vocab, counts = topic
    config = TrainConfig(epochs=3, min_count=1, window=3, vector_size=16, seed=0)
    return train_word2vec(corpus, config, progress=False, vocab=vocab), counts


@pytest.fixture(scope="module")
def analogy_words():
    """A vocabulary of the first 60 capital-country questions' words and of 30 pairs of each
    word-pair dataset, with random vectors."""
    _, questions = load_analogies()[0]
    words = {w for q in questions[:60] for w in q}
    for name in WORD_PAIR_FILES.values():
        words |= {w for a, b, _ in load_word_pairs(name)[:30] for w in (a, b)}
    words = sorted(words)
    vocab = build_vocabulary([words], min_count=1)
    vectors = torch.randn(len(vocab), 8, generator=torch.Generator().manual_seed(0))
    return vocab, vectors


def test_analogy_intervals_resample_the_questions_like_a_numpy_loop(analogy_words):
    vocab, vectors = analogy_words
    questions, picks = analogy_picks(vectors, vocab)
    assert len(questions) >= 60
    right = (picks == questions[:, 3]).numpy().astype(float)
    draws = np.random.default_rng(0).integers(0, len(right), size=(200, len(right)))
    expected = np.percentile(right[draws].mean(1), [2.5, 97.5])
    np.testing.assert_allclose(analogy_interval(vectors, vocab, bootstrap=200), expected)
    shuffled = vectors[torch.randperm(len(vocab), generator=torch.Generator().manual_seed(1))]
    other = (analogy_picks(shuffled, vocab)[1] == questions[:, 3]).numpy().astype(float)
    gap = (right - other)[draws].mean(1)
    d, low, high = analogy_difference(vectors, shuffled, vocab, bootstrap=200)
    assert d == pytest.approx((right - other).mean())
    np.testing.assert_allclose((low, high), np.percentile(gap, [2.5, 97.5]))


def test_analogy_intervals_refuse_few_resamples_and_no_questions(analogy_words, trained):
    vocab, vectors = analogy_words
    with pytest.raises(ValueError, match="bootstrap"):
        analogy_interval(vectors, vocab, bootstrap=10)
    result, _ = trained
    with pytest.raises(ValueError, match="covers none of the 19,544 questions"):
        analogy_interval(result.vectors, result.vocab)


def test_compare_methods_prints_every_run_and_masks_nothing_but_time(analogy_words):
    vocab, vectors = analogy_words
    other = torch.randn(vectors.shape, generator=torch.Generator().manual_seed(1))
    runs = [
        MethodRun(name="random", vectors=other, seconds=0.5, peak_bytes=3 << 20),
        MethodRun(name="SGNS", vectors=vectors, seconds=1.25, peak_bytes=1 << 20),
    ]
    text = compare_methods(runs, vocab)
    assert "memory 3.0 MiB" in text and "memory 1.0 MiB" in text
    assert "against SGNS, paired" in text and text.count("random") == 3
    assert "1250.00 ms (wall clock)" in text
    with pytest.raises(ValueError, match="baseline must name one of the runs"):
        compare_methods(runs, vocab, baseline="GloVe")
    with pytest.raises(TypeError, match="MethodRun"):
        compare_methods([vectors], vocab)


# --- Levy and Goldberg ----------------------------------------------------------------------


def test_the_pmi_fit_matches_its_formula_cell_by_cell(trained):
    result, counts = trained
    vocab, config = result.vocab, result.config
    fit = sgns_pmi_fit(result, counts, least=5.0, top=10)
    keep = keep_probabilities(vocab.counts, config.sample).numpy()
    noise = noise_distribution(vocab.counts, config.ns_exponent).numpy()
    dense = counts.toarray()
    kept = dense * keep[:, None] * keep[None, :]  # (V, V) the pairs subsampling keeps
    scores, targets = [], []
    for w in range(len(vocab)):
        for c in range(len(vocab)):
            if dense[w, c] >= 5.0:
                target = math.log(kept[w, c] / (kept[w].sum() * noise[c])) - math.log(5)
                scores.append(float(result.vectors[w].double() @ result.output[c].double()))
                targets.append(target)
    np.testing.assert_allclose(fit.scores, scores, rtol=1e-9)
    np.testing.assert_allclose(fit.target, targets, rtol=1e-9, atol=1e-12)
    assert fit.targets[-1][1] == pytest.approx(np.corrcoef(scores, targets)[0, 1])
    assert "K = 5" in str(fit)
    assert len(plot_pmi_fit(fit).axes[0].collections[0].get_offsets()) == len(scores)


def test_the_pmi_fit_refuses_a_run_without_negative_sampling(trained):
    _, counts = trained
    with pytest.raises(TypeError, match="negative sampling"):
        sgns_pmi_fit("not a run", counts)


def test_training_bytes_is_what_the_trainer_asks_the_guard_for(monkeypatch, topic):
    corpus, vocab, _ = topic
    config = TrainConfig(epochs=1, min_count=1, window=3, vector_size=16)
    asked = []

    def guard(nbytes, what, **kwargs):
        asked.append(nbytes)

    monkeypatch.setattr("w2v_helpers.trainer.check_memory", guard)
    train_word2vec(corpus, config, progress=False, vocab=vocab)
    assert asked == [training_bytes(config, vocab, int(vocab.counts.sum()))]


def test_the_contexts_panel_refuses_counts_of_another_vocabulary(topic):
    from w2v_helpers.lessons.nb10_count_and_predict import contexts_panel

    _, vocab, counts = topic
    with pytest.raises(ValueError, match=r"must be \(V, V\)"):
        contexts_panel(counts[:3, :3], vocab)


def test_the_pmi_fit_asks_the_memory_guard_first(monkeypatch, trained):
    from w2v_helpers.memory import MemoryBudgetError

    result, counts = trained
    monkeypatch.setenv("W2V_MEMORY_BUDGET", "1MiB")  # less than the test process holds
    with pytest.raises(MemoryBudgetError, match="Count with a smaller window"):
        sgns_pmi_fit(result, counts, top=10)


def test_the_pmi_fit_stays_inside_what_it_asks_the_guard_for(monkeypatch, trained):
    import tracemalloc

    import w2v_helpers.lessons.nb10_count_and_predict.compare as compare

    result, counts = trained
    asked = []
    monkeypatch.setattr(compare, "check_memory", lambda nbytes, what, **kw: asked.append(nbytes))
    tracemalloc.start()
    try:
        sgns_pmi_fit(result, counts, least=1.0, top=10)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(asked) == 1 and peak <= asked[0]
