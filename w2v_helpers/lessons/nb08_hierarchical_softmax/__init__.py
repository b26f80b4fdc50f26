"""Lesson code of ``08_hierarchical_softmax.ipynb`` (Hierarchical softmax): its reports, panel,
figures and exercise checks. The concepts it uses live in the core modules
(hierarchical_softmax, corpus). A subpackage: the exercise checks live in ``exercises`` and are
re-exported here, so the notebook imports every name from this package.

Shape glossary: V vocabulary, E embedding dim, D the longest path (code length).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ...corpus import Vocabulary, wiki_vocabulary
from ...evaluation import spearman_difference, word_pairs
from ...hierarchical_softmax import (
    HuffmanTree,
    build_huffman_tree,
    hs_log_probabilities,
)
from ...memory import check_memory
from ...trainer import Word2VecResult
from ...validation import check_counts, check_number
from ..formatting import format_rate
from ..panel import Panel, make_panel
from .exercises import EXERCISE_COUNTS, check_code, check_hs_gradient, check_path_probability

__all__ = [
    "TREE_WORDS",
    "EXERCISE_COUNTS",
    "PathLengths",
    "path_lengths",
    "plot_tree",
    "plot_code_lengths",
    "plot_cost_per_example",
    "PathReport",
    "path_report",
    "path_panel",
    "check_code",
    "check_path_probability",
    "check_hs_gradient",
    "HS_CHUNK",
    "TrainingTable",
    "training_table",
]

TREE_WORDS = 10  # the small tree: the sample's 10 most frequent words
PANEL_DIM = 8  # E of the panel's random node vectors
HS_CHUNK = 1_024  # centres per chunk when our trainer runs hierarchical softmax
BOOTSTRAP = 1_000  # resamples behind each WordSim353 interval


@dataclass(frozen=True, kw_only=True)
class PathLengths:
    """How long the Huffman paths are: per word, per token, against log2 V and the entropy.

    A Huffman code's average length per token L satisfies H <= L < H + 1, with H the entropy of
    the word distribution in bits. Introduced in ``08_hierarchical_softmax.ipynb``.
    """

    vocab_size: int
    longest: int
    per_word: float  # mean code length over the V words
    per_token: float  # mean over the tokens: sum(count * length) / sum(count)
    entropy_bits: float  # of the unigram distribution

    def __str__(self) -> str:
        return "\n".join(
            [
                f"V = {self.vocab_size:,} words; log2 V = {math.log2(self.vocab_size):.2f}",
                f"code length: {self.per_word:.2f} per word on average, longest {self.longest}",
                f"per token (weighted by counts): {self.per_token:.3f} steps",
                f"entropy of the word distribution: {self.entropy_bits:.3f} bits "
                f"(a Huffman code needs between that and 1 more)",
            ]
        )


def path_lengths(counts: torch.Tensor) -> PathLengths:
    """Build the tree of ``counts`` and measure its paths. Introduced in
    ``08_hierarchical_softmax.ipynb``.

    Args:
        counts: each word's count, positive integers, 2 to 2,000,000 words.

    Shape:
        - counts: :math:`(V)`.
    """
    counts = check_counts("counts", counts)
    tree = build_huffman_tree(counts)
    c = counts.double()  # (V,)
    n = tree.lengths.double()  # (V,)
    p = c / c.sum()  # (V,)
    return PathLengths(
        vocab_size=counts.numel(),
        longest=int(tree.lengths.max()),
        per_word=float(n.mean()),
        per_token=float((p * n).sum()),
        entropy_bits=float(-(p * p.log2()).sum()),
    )


def plot_tree(words, counts: torch.Tensor, tree: HuffmanTree) -> Figure:
    """Draw a small Huffman tree: leaves with their word and count, edges with their bit.

    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        words: the V words (2 to 32), in the order of ``counts``.
        counts: their counts.
        tree: their tree (:func:`~w2v_helpers.hierarchical_softmax.build_huffman_tree`).

    Shape:
        - counts: :math:`(V)`.
    """
    V = tree.vocab_size
    if not 2 <= V <= 32 or len(words) != V or counts.numel() != V:
        raise ValueError(f"plot_tree draws 2 to 32 words with one count each, got V={V}")
    codes = [tree.code(w) for w in range(V)]
    x_leaf = {w: rank for rank, w in enumerate(sorted(range(V), key=lambda w: codes[w]))}
    below: dict[int, list[int]] = {}  # inner node -> the leaves under it
    for w in range(V):
        for node in tree.points[w, : tree.lengths[w]].tolist():
            below.setdefault(node, []).append(w)
    place = {("n", k): (sum(x_leaf[w] for w in ws) / len(ws), 0.0) for k, ws in below.items()}
    fig, ax = plt.subplots(figsize=(min(2 + 0.9 * V, 14), 1.2 + 0.7 * int(tree.lengths.max())))
    for w in range(V):
        path = tree.points[w, : tree.lengths[w]].tolist()
        for depth, node in enumerate(path):
            place[("n", node)] = (place[("n", node)][0], -depth)
            child = ("n", path[depth + 1]) if depth + 1 < len(path) else ("w", w)
            cx = x_leaf[w] if child[0] == "w" else place[child][0]
            px = place[("n", node)][0]
            ax.plot([px, cx], [-depth, -depth - 1], color="0.6", lw=1, zorder=1)
            ax.annotate(
                codes[w][depth],
                ((px + cx) / 2, -depth - 0.5),
                ha="center",
                fontsize=8,
                color="tab:red",
                backgroundcolor="white",
            )
        ax.annotate(
            f"{words[w]}\n{int(counts[w]):,}",
            (x_leaf[w], -len(path) - 0.15),
            ha="center",
            va="top",
            fontsize=8,
        )
    xs, ys = zip(*(place[key] for key in place), strict=True)
    ax.scatter(xs, ys, s=120, color="tab:blue", zorder=2)
    for (_, node), (x, y) in place.items():
        ax.annotate(str(node), (x, y), ha="center", va="center", fontsize=7, color="white")
    ax.set_title("Huffman tree: inner nodes numbered as word2vec makes them; 0/1 on each edge")
    ax.set_axis_off()
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_code_lengths(counts: torch.Tensor, tree: HuffmanTree) -> Figure:
    """Each word's code length against -log2 of its frequency (the ideal length).

    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        counts: the V word counts.
        tree: their tree.

    Shape:
        - counts: :math:`(V)`.
    """
    counts = check_counts("counts", counts)
    if counts.numel() != tree.vocab_size:
        raise ValueError(f"counts must match the tree's V={tree.vocab_size:,}")
    ideal = -(counts.double() / counts.sum()).log2()  # (V,)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(ideal, tree.lengths, s=6, alpha=0.3)
    top = float(max(ideal.max(), tree.lengths.max())) + 1
    ax.plot([0, top], [0, top], color="red", lw=1, label="length = -log2(frequency)")
    ax.set(
        xlabel="-log2(frequency)",
        ylabel="code length (steps)",
        title="Frequent words get short paths",
    )
    ax.legend()
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_cost_per_example(counts: torch.Tensor, negative: int = 5) -> Figure:
    """Dot products per example against V: full softmax (V), negative sampling (K + 1) and
    hierarchical softmax (the count-weighted path length of the tree of the V most frequent
    words), for vocabularies cut from ``counts`` at sizes 10, 30, 100, ... up to all of them.

    Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        counts: word counts, most frequent first, at least 10 words.
        negative: K, noise words per pair, a whole number in [1, 64]. Default: 5.

    Shape:
        - counts: :math:`(V)`.
    """
    counts = check_counts("counts", counts)
    K = int(check_number("negative", negative, low=1, high=64))
    if counts.numel() < 10:
        raise ValueError(f"counts must hold at least 10 words, got {counts.numel()}")
    sizes = [v for v in (10, 30, 100, 300, 1_000, 3_000, 10_000, 30_000) if v < counts.numel()]
    sizes.append(counts.numel())
    hs = [path_lengths(counts[:v]).per_token for v in sizes]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.loglog(sizes, sizes, marker="o", label="full softmax: V")
    ax.loglog(sizes, [K + 1] * len(sizes), marker="o", label=f"negative sampling: K + 1 = {K + 1}")
    ax.loglog(sizes, hs, marker="o", label="hierarchical softmax: path length per token")
    ax.set(
        xlabel="vocabulary size V",
        ylabel="dot products per example",
        title="Cost of one example's output layer",
    )
    ax.legend()
    fig.tight_layout()
    plt.close(fig)
    return fig


@dataclass(frozen=True)
class PathReport:
    """One word's path for one hidden vector: each step's node, bit, score and probability.

    Introduced in ``08_hierarchical_softmax.ipynb``.
    """

    word: str
    code: str
    shift: float
    steps: tuple[tuple[int, int, float, float], ...]  # (node, bit, h . node, p(step))
    total: float  # sum over the whole vocabulary of p(word | h)

    def __str__(self) -> str:
        prob = math.prod(p for *_, p in self.steps)
        lines = [
            f"{self.word!r}: code {self.code}, {len(self.code)} steps; h = {self.shift:+.2f} x the "
            "vector that scores +1 on its bit's side at every node of its path"
        ]
        for i, (node, bit, x, p) in enumerate(self.steps, 1):
            side = "sigmoid(+x)" if bit == 0 else "sigmoid(-x)"
            lines.append(
                f"  step {i}: node {node:>2}, bit {bit}, x = h.node = {x:+.3f}, {side} = {p:.3f}"
            )
        lines.append(f"p({self.word!r} | h) = {prob:.4f}, the product of the steps")
        near = abs(self.total - 1) < 1e-12
        lines.append(f"all {TREE_WORDS} words' probabilities sum to 1 (|sum - 1| < 1e-12): {near}")
        return "\n".join(lines)


@functools.lru_cache(maxsize=1)
def _small_tree() -> tuple[tuple[str, ...], torch.Tensor, HuffmanTree, torch.Tensor]:
    """The sample's most frequent words, their tree and seeded node vectors (float64)."""
    vocab = wiki_vocabulary(5)
    counts = vocab.counts[:TREE_WORDS]  # (W,)
    g = torch.Generator().manual_seed(0)
    inner = torch.randn(TREE_WORDS - 1, PANEL_DIM, generator=g, dtype=torch.float64)  # (W-1, E)
    return vocab.words[:TREE_WORDS], counts, build_huffman_tree(counts), inner


def path_report(word: str = "the", shift: float = 0.0) -> PathReport:
    """Walk ``word``'s path in the small tree with h = shift times the path's own direction.

    The direction u solves ``inner[path] u = s`` (least norm), with s = +1 for bit 0 and -1 for
    bit 1: every step's score is then shift times its side, so each step's probability is
    sigmoid(shift) and the word's is sigmoid(shift) ** steps. Introduced in
    ``08_hierarchical_softmax.ipynb``.

    Args:
        word: one of the sample's 10 most frequent words. Default: ``"the"``.
        shift: how far h goes along the direction, a number in [-3, 3]. Default: 0.0.
    """
    words, _, tree, inner = _small_tree()
    if word not in words:
        raise ValueError(f"word must be one of the tree's words {list(words)}, got {word!r}")
    shift = check_number("shift", shift, low=-3, high=3)
    check_memory(8 * TREE_WORDS * TREE_WORDS * PANEL_DIM, "the small tree's probabilities")
    w = words.index(word)
    n = int(tree.lengths[w])
    points = tree.points[w, :n]  # (n,)
    bits = tree.codes[w, :n]  # (n,)
    sides = (1 - 2 * bits).double()  # (n,): +1 for bit 0, -1 for bit 1
    direction = torch.linalg.pinv(inner[points]) @ sides  # (E, n) @ (n,) -> (E,), n <= E
    hidden = shift * direction  # (E,)
    x = inner[points] @ hidden  # (n, E) @ (E,) -> (n,)
    p = torch.sigmoid(sides * x)  # (n,)
    total = float(hs_log_probabilities(hidden[None], inner, tree).exp().sum())
    steps = tuple(
        (int(a), int(b), float(c), float(d)) for a, b, c, d in zip(points, bits, x, p, strict=True)
    )
    return PathReport(word, tree.code(w), shift, steps, total)


def path_panel() -> Panel:
    """Pick a word; move the hidden vector along its path; watch each step's probability.

    Behind it: :func:`w2v_helpers.lessons.nb08_hierarchical_softmax.path_report`. Introduced in
    ``08_hierarchical_softmax.ipynb``.
    """
    words = wiki_vocabulary(5).words[:TREE_WORDS]  # the tree itself is built on first render
    controls = {
        "word": widgets.Dropdown(description="word", options=words, value=words[0]),
        "shift": widgets.FloatSlider(description="move h", min=-3, max=3, step=0.25, value=0),
    }
    return make_panel("A word's path, step by step", controls, path_report)


@dataclass(frozen=True, kw_only=True)
class TrainingTable:
    """WordSim353 of our runs and gensim's on the same corpus, with coverage, and their speed.

    Introduced in ``08_hierarchical_softmax.ipynb``.
    """

    epochs: int
    words: int  # raw corpus words seen: tokens x epochs (subsampled ones included)
    rows: tuple[tuple[str, float, float, float, float], ...]  # name, rho, low, high, seconds
    pairs_used: int
    pairs_total: int
    hs_minus_gensim: tuple[float, float, float]  # ours HS - gensim HS, its paired 95% interval
    hs_minus_ns: tuple[float, float, float]  # ours: HS - negative sampling, paired 95% interval
    gensim_hs_minus_ns: tuple[float, float, float]  # the same for gensim's two runs

    def __str__(self) -> str:
        lines = [
            f"{self.epochs} epochs on the whole sample; WordSim353 over {self.pairs_used} of "
            f"{self.pairs_total} pairs (both words in the vocabulary), 95% CI from "
            f"{BOOTSTRAP:,} resamples",
            f"  {'run':<36}{'Spearman':>9}  {'95% CI':<14}speed",
        ]
        for name, rho, low, high, seconds in self.rows:
            ci = f"{low:.2f} to {high:.2f}" if math.isfinite(low) else "not printed"
            lines.append(f"  {name:<36}{rho:>9.3f}  {ci:<14}{format_rate(self.words, seconds)}")
        diff, low, high = self.hs_minus_ns
        lines.append(
            f"ours, hierarchical softmax - negative sampling: {diff:+.2f}, paired 95% interval "
            f"{low:.2f} to {high:.2f}"
        )
        for name, (diff, low, high) in (
            ("gensim, hierarchical softmax - negative sampling", self.gensim_hs_minus_ns),
            ("ours - gensim, hierarchical softmax", self.hs_minus_gensim),
        ):
            lines.append(
                f"{name}: {diff:+.2f}; its paired 95% interval holds 0: {low <= 0 <= high}"
            )
        return "\n".join(lines)


def training_table(
    ours: dict[str, Word2VecResult],
    gensim: dict[str, tuple[torch.Tensor, float]],
    vocab: Vocabulary,
) -> TrainingTable:
    """Score each run on WordSim353 (Spearman, coverage, bootstrap 95% CI) and time it; and
    test, on the same pairs (paired bootstrap), hierarchical softmax against negative sampling
    in each trainer, and our hierarchical softmax against gensim's.

    gensim's vectors differ by up to 1e-3 between CPUs (its BLAS), which can move a bootstrap
    percentile: their intervals are not printed. Introduced in ``08_hierarchical_softmax.ipynb``.

    Args:
        ours: our results, keyed ``"negative sampling"`` and ``"hierarchical softmax"``, all
            with the same epochs.
        gensim: gensim's (vectors in ``vocab``'s order, seconds), keyed the same way.
        vocab: the vocabulary of every run.

    Shape:
        - each run's vectors: :math:`(V, E)`.
    """
    names = ("negative sampling", "hierarchical softmax")
    for label, runs in (("ours", ours), ("gensim", gensim)):
        if not isinstance(runs, dict) or set(runs) != set(names):
            raise ValueError(f"{label} must be a dict with the keys {names}, got {runs!r}")
    rows = []
    for name in names:
        mine = word_pairs(ours[name].vectors, vocab, bootstrap=BOOTSTRAP)
        rows.append((f"ours, {name}", mine.spearman, mine.ci_low, mine.ci_high, ours[name].seconds))
    for name in names:
        theirs = word_pairs(gensim[name][0], vocab, bootstrap=BOOTSTRAP)
        rows.append((f"gensim, {name}", theirs.spearman, math.nan, math.nan, gensim[name][1]))
    ns, hs = (ours[name].vectors for name in names)  # (V, E) each
    gensim_ns, gensim_hs = (gensim[name][0] for name in names)  # (V, E) each
    return TrainingTable(
        epochs=ours[names[0]].config.epochs,
        words=ours[names[0]].raw_tokens,
        rows=tuple(rows),
        pairs_used=mine.pairs_used,
        pairs_total=mine.pairs_total,
        hs_minus_gensim=spearman_difference(hs, gensim_hs, vocab, bootstrap=BOOTSTRAP),
        hs_minus_ns=spearman_difference(hs, ns, vocab, bootstrap=BOOTSTRAP),
        gensim_hs_minus_ns=spearman_difference(gensim_hs, gensim_ns, vocab, bootstrap=BOOTSTRAP),
    )
