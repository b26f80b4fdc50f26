"""Notebook 08 (hierarchical softmax): its lesson module.

Oracles: a loop over words with word2vec's keep formula for the slot count; word_pairs and
spearman_difference called directly for the training table; autograd on a path's loss written
out here for the gradient exercise; NumPy's entropy and weighted means for the path-length report;
sigmoid(shift) ** steps and a brute-force sum over the ten words for the path report; each
exercise check fed the right answer and each typical mistake written out as a learner would.
"""

import math

import numpy as np
import pytest
import torch

from w2v_helpers.chunk_updates import PATH_ROUND, PathTables, group_paths, slot_use, tile_chunk
from w2v_helpers.corpus import (
    build_vocabulary,
    encode,
    keep_probabilities,
    load_wiki_sample,
    subsample,
    wiki_vocabulary,
    window_reach,
)
from w2v_helpers.evaluation import spearman_difference, word_pairs
from w2v_helpers.hierarchical_softmax import build_huffman_tree
from w2v_helpers.lessons.nb08_hierarchical_softmax import (
    EXERCISE_COUNTS,
    check_code,
    check_hs_gradient,
    check_path_probability,
    path_lengths,
    path_panel,
    path_report,
    plot_cost_per_example,
    plot_tree,
    training_table,
)
from w2v_helpers.trainer import TrainConfig


def test_path_lengths_against_numpy():
    counts = torch.tensor([50, 20, 20, 5, 3, 1, 1])
    report = path_lengths(counts)
    lengths = build_huffman_tree(counts).lengths.numpy()
    p = counts.numpy() / counts.numpy().sum()
    assert report.per_word == pytest.approx(lengths.mean(), rel=1e-15)
    assert report.per_token == pytest.approx((p * lengths).sum(), rel=1e-15)
    assert report.entropy_bits == pytest.approx(-(p * np.log2(p)).sum(), rel=1e-12)
    assert report.entropy_bits <= report.per_token < report.entropy_bits + 1  # Huffman's bound
    assert report.longest == lengths.max() and str(report).startswith("V = 7 words")


@pytest.mark.parametrize(("word", "shift"), [("the", 0.0), ("of", 2.0), ("that", -1.5)])
def test_path_report_steps_are_sigmoid_of_the_shift_and_all_words_sum_to_one(word, shift):
    report = path_report(word, shift)
    n = len(report.code)
    assert len(report.steps) == n
    for _, bit, x, p in report.steps:
        assert x == pytest.approx(shift * (1 - 2 * bit), abs=1e-12)
        assert p == pytest.approx(1 / (1 + math.exp(-shift)), rel=1e-12)
    assert f"= {(1 / (1 + math.exp(-shift))) ** n:.4f}, the product" in str(report)
    assert report.total == pytest.approx(1.0, abs=1e-12)


def test_path_report_refuses_a_word_outside_the_tree_and_a_far_shift():
    with pytest.raises(ValueError, match="word must be one of the tree's words"):
        path_report("zebra")
    with pytest.raises(ValueError, match="shift"):
        path_report("the", 4.0)


def test_path_panel_shows_its_pure_function_and_follows_its_controls():
    panel = path_panel()
    assert panel.text().startswith(str(path_report("the", 0.0)))
    panel.controls["word"].value = "in"
    panel.controls["shift"].value = 1.5
    assert panel.text().startswith(str(path_report("in", 1.5)))


def test_plot_tree_labels_every_word_and_refuses_a_big_vocabulary():
    counts = torch.tensor([9, 4, 2, 1])
    fig = plot_tree(["a", "b", "c", "d"], counts, build_huffman_tree(counts))
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"a\n9", "b\n4", "c\n2", "d\n1"} <= texts
    assert {"0", "1", "2"} <= texts  # the three inner nodes
    big = torch.ones(40, dtype=torch.long)
    with pytest.raises(ValueError, match="2 to 32 words"):
        plot_tree([str(i) for i in range(40)], big, build_huffman_tree(big))


def test_check_code_accepts_the_code_and_names_each_mistake():
    right = build_huffman_tree(torch.tensor(EXERCISE_COUNTS)).code(3)
    assert right == "0101"  # worked out by hand in the notebook's solution
    assert check_code(right).ok
    for answer, explains in [
        (right[::-1], "read leaf first"),
        ("1010", "every bit flipped"),
        ("01", "that is 2 steps"),
        ("0110", "right length, wrong bits"),
        (101, "a string of 0s and 1s"),
        (..., "replace the ..."),
    ]:
        feedback = check_code(answer)
        assert not feedback.ok and explains in feedback.message, (answer, feedback.message)


def _right(hidden, inner, codes, points):
    return torch.sigmoid((1 - 2 * codes.double()) * (inner[points] @ hidden)).prod()


def _right_by_logs(hidden, inner, codes, points):
    x = inner[points] @ hidden
    return torch.where(codes == 0, torch.sigmoid(x), 1 - torch.sigmoid(x)).log().sum().exp()


@pytest.mark.parametrize("fn", [_right, _right_by_logs])
def test_check_path_probability_accepts_right_answers(fn):
    assert check_path_probability(fn).ok


@pytest.mark.parametrize(
    ("fn", "explains"),
    [
        (lambda h, w, c, p: torch.sigmoid((2 * c.double() - 1) * (w[p] @ h)).prod(), "swapped"),
        (lambda h, w, c, p: torch.sigmoid((1 - 2 * c.double()) * (w[p] @ h)).sum(), "added"),
        (
            lambda h, w, c, p: torch.nn.functional.logsigmoid(
                (1 - 2 * c.double()) * (w[p] @ h)
            ).sum(),
            "log-probability",
        ),
        (lambda h, w, c, p: torch.sigmoid(w[p] @ h), "one number"),
        (lambda h, w, c, p: torch.sigmoid(w[p] @ h).prod(), "expected"),
    ],
    ids=["sides swapped", "sum", "log", "per step", "ignores codes"],
)
def test_check_path_probability_names_each_mistake(fn, explains):
    feedback = check_path_probability(fn)
    assert not feedback.ok and explains in feedback.message, feedback.message


def test_cost_plot_draws_v_k_plus_1_and_the_weighted_path_length():
    counts = torch.arange(400, 0, -1)  # 400 words, most frequent first
    fig = plot_cost_per_example(counts, negative=5)
    full, ns, hs = fig.axes[0].get_lines()
    assert list(full.get_xdata()) == [10, 30, 100, 300, 400] == list(full.get_ydata())
    assert list(ns.get_ydata()) == [6] * 5
    expected = [path_lengths(counts[:v]).per_token for v in (10, 30, 100, 300, 400)]
    assert list(hs.get_ydata()) == pytest.approx(expected, rel=1e-15)
    with pytest.raises(ValueError, match="at least 10 words"):
        plot_cost_per_example(torch.tensor([3, 2, 1]))


def test_slot_use_counts_the_grid_against_a_loop_over_words():
    counts = torch.tensor([4000, 900, 300, 120, 50, 20, 9, 3])
    tree = build_huffman_tree(counts)
    total = float(counts.sum())
    kept = steps = rounded = 0.0
    for word, c in enumerate(counts.tolist()):
        f = c / total
        keep = min(1.0, (math.sqrt(f / 1e-3) + 1) * 1e-3 / f)  # word2vec's C formula
        length = int(tree.lengths[word])
        kept += c * keep
        steps += c * keep * length
        rounded += c * keep * min(-(-length // PATH_ROUND) * PATH_ROUND, tree.codes.shape[1])
    use = slot_use(counts, window=3, sample=1e-3)
    assert use.slots == 7 * int(tree.lengths.max())
    assert use.pairs == 4.0  # 2 x the mean of 1, 2, 3
    assert use.steps == pytest.approx(steps / kept, rel=1e-12)
    assert use.rounded_steps == pytest.approx(rounded / kept, rel=1e-12)
    assert use.steps <= use.rounded_steps < use.steps + PATH_ROUND
    assert f"{use.pairs * use.steps / use.slots:.0%}" in str(use)
    assert f"{use.steps / use.rounded_steps:.0%} real" in str(use)


def test_group_paths_scores_what_the_packed_layout_says_on_a_real_chunk():
    """On the sample's first chunk: every (context word, real step) pair is scored once, the
    rounded-up steps are the only extra, and slot_use's per-centre figures hold on average."""
    sentences = load_wiki_sample(max_tokens=40_000)
    vocab = build_vocabulary(sentences, 5)
    tree = build_huffman_tree(vocab.counts)
    config = TrainConfig(hs=True, negative=0, chunk=2_048)
    g = torch.Generator().manual_seed(0)
    stream = subsample(
        encode(sentences, vocab), keep_probabilities(vocab.counts, 1e-3), generator=g
    )
    reach = window_reach(stream.numel(), config.window, generator=g)  # (L',)
    chunk = tile_chunk(stream, reach, 0, config)
    paths = PathTables.from_tree(tree, torch.device("cpu"))
    exact, rounded = group_paths(paths, chunk, round_to=1), group_paths(paths, chunk)
    pairs = 0
    real = 0
    for p in range(min(config.chunk, stream.numel())):  # a loop over positions: the oracle
        r = int(reach[p])
        context = [q for q in range(p - r, p + r + 1) if q != p and 0 <= q < stream.numel()]
        pairs += len(context)
        real += len(context) * int(tree.lengths[stream[p]])
    assert int(exact.pairs) == int(rounded.pairs) == pairs
    assert exact.scores == exact.real_scores == rounded.real_scores == real
    assert real <= rounded.scores < real + (PATH_ROUND - 1) * pairs
    assert sorted(rounded.context_ids.tolist()) == sorted(
        int(stream[q])
        for p in range(min(config.chunk, stream.numel()))
        for q in range(p - int(reach[p]), p + int(reach[p]) + 1)
        if q != p and 0 <= q < stream.numel()
    )
    assert all(d % PATH_ROUND == 0 or d == tree.codes.shape[1] for _, _, d in rounded.groups)
    with pytest.raises(ValueError, match="round_to"):
        group_paths(paths, chunk, round_to=0)


def fake_result(vectors, vocab, seconds):
    from w2v_helpers.trainer import TrainConfig, Word2VecResult

    config = TrainConfig(epochs=3)
    return Word2VecResult(vocab, vectors, None, config, seconds=seconds, raw_tokens=3_000)


def test_training_table_scores_each_run_with_word_pairs_and_tests_the_difference():
    vocab = wiki_vocabulary(5)
    g = torch.Generator().manual_seed(0)
    vectors = [torch.randn(len(vocab), 8, generator=g) for _ in range(4)]  # (V, E) each
    names = ("negative sampling", "hierarchical softmax")
    ours = {n: fake_result(v, vocab, 2.0) for n, v in zip(names, vectors[:2], strict=True)}
    gensim = {n: (v, 1.0) for n, v in zip(names, vectors[2:], strict=True)}
    table = training_table(ours, gensim, vocab)
    expected = [word_pairs(v, vocab).spearman for v in vectors]
    assert [row[1] for row in table.rows] == pytest.approx(expected, abs=1e-15)
    assert [row[0] for row in table.rows][::3] == [
        "ours, negative sampling",
        "gensim, hierarchical softmax",
    ]
    assert math.isnan(table.rows[2][2]) and not math.isnan(table.rows[0][2])
    diff, low, high = table.hs_minus_gensim
    assert diff == pytest.approx(expected[1] - expected[3], abs=1e-12) and low < diff < high
    assert table.hs_minus_ns == spearman_difference(vectors[1], vectors[0], vocab)
    assert table.gensim_hs_minus_ns == spearman_difference(vectors[3], vectors[2], vocab)
    diff, low, high = table.hs_minus_ns
    assert f"negative sampling: {diff:+.2f}, paired 95% interval {low:.2f} to {high:.2f}" in str(
        table
    )
    text = str(table)
    assert "1,500 words/s (wall clock)" in text and "3,000 words/s (wall clock)" in text
    assert f"holds 0: {low <= 0 <= high}" in text
    with pytest.raises(ValueError, match="ours must be a dict"):
        training_table({"negative sampling": ours["negative sampling"]}, gensim, vocab)


def _path_gradient(error, to_hidden=None, to_node=None, off_path=False):
    """A learner's gradient along a path, built from a per-step ``error(x, label, code)``; the
    two optional rules replace how the steps reach h and the nodes (the usual slips)."""

    def gradient(hidden, inner, codes, points):
        x = inner[points] @ hidden
        label = 1 - codes.double()
        g = error(x, label, codes.double())
        d_hidden = (
            (g[:, None] * inner[points]).sum(0)
            if to_hidden is None
            else to_hidden(g, hidden, inner[points])
        )
        d_inner = torch.zeros_like(inner)
        if off_path:  # every node scored, as if all were on the path
            d_inner = (torch.sigmoid(inner @ hidden) - 0.5)[:, None] * hidden
        d_inner[points] = (
            g[:, None] * hidden if to_node is None else to_node(g, hidden, inner[points])
        )
        return d_hidden, d_inner

    return gradient


def _autograd_path_gradient(hidden, inner, codes, points):
    """The oracle for the oracle: autograd on -sum log sigmoid((1 - 2 code) x), written out."""
    h = hidden.clone().requires_grad_()
    table = inner.clone().requires_grad_()
    x = table[points] @ h
    (-torch.nn.functional.logsigmoid((1 - 2 * codes.double()) * x).sum()).backward()
    return h.grad, table.grad


RIGHT_ERROR = lambda x, label, code: torch.sigmoid(x) - label  # noqa: E731


@pytest.mark.parametrize("fn", [_path_gradient(RIGHT_ERROR), _autograd_path_gradient])
def test_check_hs_gradient_accepts_the_hand_gradient_and_autograd(fn):
    feedback = check_hs_gradient(fn)
    assert feedback.ok and "both match autograd" in feedback.message, feedback.message


@pytest.mark.parametrize(
    ("fn", "explains"),
    [
        (_path_gradient(lambda x, label, code: label - torch.sigmoid(x)), "the sign is flipped"),
        (_path_gradient(lambda x, label, code: x - label), "a sigmoid is missing"),
        (_path_gradient(lambda x, label, code: torch.sigmoid(x) - code), "the label is 1 - code"),
        (
            _path_gradient(lambda x, label, code: -torch.sigmoid(-(2 * label - 1) * x)),
            "factor s = 1 - 2 code is missing",
        ),
        (
            _path_gradient(RIGHT_ERROR, to_hidden=lambda g, h, nodes: g[-1] * nodes[-1]),
            "d_hidden keeps one step or the mean",
        ),
        (
            _path_gradient(RIGHT_ERROR, to_hidden=lambda g, h, nodes: (g[:, None] * nodes).mean(0)),
            "d_hidden keeps one step or the mean",
        ),
        (
            _path_gradient(RIGHT_ERROR, to_hidden=lambda g, h, nodes: g[:, None] * nodes),
            "d_hidden has one row per step",
        ),
        (_path_gradient(RIGHT_ERROR, off_path=True), "1 node(s) off the path got a gradient"),
        (
            _path_gradient(RIGHT_ERROR, to_node=lambda g, h, nodes: g[:, None] * nodes),
            "times h, not times the node itself",
        ),
        (
            _path_gradient(RIGHT_ERROR, to_hidden=lambda g, h, nodes: g.sum() * h),
            "times the node, summed, not times h",
        ),
        (lambda h, inner, c, p: (h, inner[p]), "d_inner must have inner's shape (5, 4)"),
        (lambda h, inner, c, p: h, "return two tensors"),
        (lambda h, inner, c, p: ..., "returns nothing yet"),
        (lambda h, inner, c, p: h / 0 if p is None else 1 / 0, "raised ZeroDivisionError"),
    ],
    ids=[
        "sign",
        "no sigmoid",
        "label is code",
        "no chain factor",
        "last step only",
        "mean over path",
        "no sum",
        "off path",
        "node times node",
        "h times h",
        "path rows only",
        "one tensor",
        "stub",
        "raises",
    ],
)
def test_check_hs_gradient_names_each_wrong_term(fn, explains):
    feedback = check_hs_gradient(fn)
    assert not feedback.ok and explains in feedback.message, feedback.message
