"""Notebook 07 (the fast trainer next to gensim): its lesson module.

Oracles: the nearest-neighbour check is fed the right answer in two written-out forms (topk on
normalised rows, and a NumPy argsort of cosines) and each typical mistake written out as a
learner would; ``neighbours_report`` is compared with a NumPy float64 cosine ranking and a
shared-word count done by hand; the panel with the report of its pure function.
"""

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.backends.backend_agg import FigureCanvasAgg

from w2v_helpers.corpus import Vocabulary
from w2v_helpers.lessons.nb07_fast_trainer_vs_gensim import (
    PANEL_WORDS,
    check_nearest,
    neighbours_panel,
    neighbours_report,
    plot_projection,
)

# ---- check_nearest ----


def _nearest_topk(vectors, word, k):
    unit = F.normalize(vectors, dim=1)
    cosine = unit @ unit[word]
    cosine[word] = -float("inf")
    return cosine.topk(k).indices


def _nearest_numpy(vectors, word, k):
    v = vectors.numpy()
    unit = v / np.linalg.norm(v, axis=1, keepdims=True)
    order = [i for i in np.argsort(-(unit @ unit[word]), kind="stable") if i != word]
    return torch.tensor(order[:k])


@pytest.mark.parametrize("answer", [_nearest_topk, _nearest_numpy])
def test_check_nearest_accepts_a_right_answer(answer):
    feedback = check_nearest(answer)
    assert feedback.ok, feedback.message


def _with_itself(vectors, word, k):
    return (F.normalize(vectors, dim=1) @ F.normalize(vectors, dim=1)[word]).topk(k).indices


def _by_dot(vectors, word, k):
    dots = vectors @ vectors[word]
    dots[word] = -float("inf")
    return dots.topk(k).indices


def _farthest(vectors, word, k):
    cosine = F.normalize(vectors, dim=1) @ F.normalize(vectors, dim=1)[word]
    return cosine.argsort()[:k]


def _values(vectors, word, k):
    cosine = F.normalize(vectors, dim=1) @ F.normalize(vectors, dim=1)[word]
    cosine[word] = -float("inf")
    return cosine.topk(k).values


@pytest.mark.parametrize(
    ("answer", "explained"),
    [
        (_with_itself, "its own nearest"),
        (_by_dot, "dot product"),
        (_farthest, "farthest"),
        (_values, r"integer ids \(use \.indices\)"),
        (lambda v, w, k: None, "returns nothing yet"),
        (lambda v, w, k: [1, 2, 5], "return a tensor"),
        (lambda v, w, k: 1 / 0, "ZeroDivisionError"),
    ],
    ids=["includes itself", "dot product", "farthest", "values", "None", "list", "raises"],
)
def test_check_nearest_names_the_typical_mistake(answer, explained):
    feedback = check_nearest(answer)
    assert not feedback.ok
    assert re.search(explained, feedback.message), feedback.message


def test_check_nearest_rejects_the_stub():
    def nearest(vectors, word, k): ...

    assert not check_nearest(nearest).ok


# ---- neighbours_report ----

WORDS = tuple(f"w{i}" for i in range(12))
VOCAB = Vocabulary(WORDS, torch.arange(12, 0, -1), 1)


def _numpy_neighbours(vectors, word, k):
    v = vectors.double().numpy()
    unit = v / np.linalg.norm(v, axis=1, keepdims=True)
    cos = unit @ unit[WORDS.index(word)]
    cos[WORDS.index(word)] = -np.inf
    return [WORDS[i] for i in np.argsort(-cos, kind="stable")[:k]]


def test_neighbours_report_ranks_by_cosine_and_counts_shared_words():
    g = torch.Generator().manual_seed(3)
    a, b = torch.randn(12, 5, generator=g), torch.randn(12, 5, generator=g)
    report = neighbours_report("w4", VOCAB, {"ours": a, "gensim": b}, topn=4)
    assert report.lists == (
        ("ours", tuple(_numpy_neighbours(a, "w4", 4))),
        ("gensim", tuple(_numpy_neighbours(b, "w4", 4))),
    )
    shared = len(set(_numpy_neighbours(a, "w4", 4)) & set(_numpy_neighbours(b, "w4", 4)))
    lines = str(report).splitlines()
    assert lines[0] == "w4: the 4 nearest words by cosine"
    assert lines[1] == "  ours    " + ", ".join(_numpy_neighbours(a, "w4", 4))
    assert lines[-1] == f"  shared: {shared} of 4"
    one = str(neighbours_report("w4", VOCAB, {"ours": a}, topn=4))
    assert "shared" not in one and one.splitlines()[1] == lines[1]


def test_a_table_scaled_per_row_gives_the_same_neighbours():
    """Cosine ignores each row's length: scaling rows must not change the lists."""
    g = torch.Generator().manual_seed(4)
    a = torch.randn(12, 5, generator=g)
    scaled = a * torch.linspace(0.1, 10, 12)[:, None]
    assert (
        neighbours_report("w0", VOCAB, {"x": a}, 5).lists[0][1]
        == neighbours_report("w0", VOCAB, {"x": scaled}, 5).lists[0][1]
    )


# ---- neighbours_panel (with given vectors: no training) ----

PANEL_VOCAB = Vocabulary(PANEL_WORDS + WORDS, torch.arange(len(PANEL_WORDS) + 12, 0, -1), 1)


def test_neighbours_panel_shows_its_pure_function_and_follows_its_controls():
    g = torch.Generator().manual_seed(5)
    V = len(PANEL_VOCAB)
    ours, theirs = torch.randn(V, 6, generator=g), torch.randn(V, 6, generator=g)
    panel = neighbours_panel(ours, theirs, PANEL_VOCAB)
    expected = neighbours_report("king", PANEL_VOCAB, {"ours": ours, "gensim": theirs}, 8)
    assert panel.text().startswith(str(expected))
    panel.controls["word"].value = "music"
    panel.controls["topn"].value = 3
    expected = neighbours_report("music", PANEL_VOCAB, {"ours": ours, "gensim": theirs}, 3)
    assert panel.text().startswith(str(expected))


def test_neighbours_panel_needs_all_three_arguments_and_the_panel_words():
    with pytest.raises(TypeError, match="vocab"):
        neighbours_panel(torch.zeros(3, 2))
    small = Vocabulary(WORDS, torch.arange(12, 0, -1), 1)
    with pytest.raises(ValueError, match="panel's words"):
        neighbours_panel(torch.ones(12, 2), torch.ones(12, 2), small)


# ---- plot_projection ----


def test_projection_labels_overlap_neither_each_other_nor_other_dots():
    # Two tight clusters of three long labels (as queen, prince and germany were in notebook 07)
    # and two lone words: each label's drawn box must be clear of the others and of the other
    # dots. The same labels all drawn up and to the right of their dots would overlap.
    rng = np.random.default_rng(0)
    base = rng.normal(size=(3, 8))
    rows = [base[0] + 0.1 * rng.normal(size=8) for _ in range(3)]
    rows += [base[1] + 0.1 * rng.normal(size=8) for _ in range(3)]
    rows += [base[2], -base[2]]
    words = [f"longword{i}" for i in range(len(rows))]
    vocab = Vocabulary(tuple(words), torch.arange(len(words), 0, -1), 1)
    fig = plot_projection(torch.tensor(np.array(rows)), vocab, words)
    (ax,) = fig.axes
    renderer = FigureCanvasAgg(fig).get_renderer()  # the figure is closed: draw it afresh
    labels = {t.get_text(): t.get_window_extent(renderer) for t in ax.texts}
    assert sorted(labels) == sorted(words)
    pairs = [(a, b) for i, a in enumerate(labels.values()) for b in list(labels.values())[i + 1 :]]
    assert not [(a, b) for a, b in pairs if a.overlaps(b)]
    dots = ax.transData.transform(ax.collections[0].get_offsets())  # (n, 2) pixels
    for word, box in labels.items():
        others = [d for j, d in enumerate(dots) if j != words.index(word)]
        assert not any(box.contains(*d) for d in others), word
    naive = [  # every label up and to the right, as before
        ax.annotate(w, xy, xytext=(3, 3), textcoords="offset points", fontsize=9)
        for w, xy in zip(words, ax.collections[0].get_offsets(), strict=True)
    ]
    boxes = [t.get_window_extent(renderer) for t in naive]
    assert any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
