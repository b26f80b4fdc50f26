"""Matplotlib figures for the lessons. Each function draws and returns the Figure; it computes
nothing a lesson needs to check (those numbers are printed by the notebook from helper calls).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from .explore import LossScaleReport, StabilityScan, TiedStepReport, softmax_entropy
from .validation import check_number, check_positive_int, check_vectors

__all__ = [
    "plot_softmax_distribution",
    "plot_teachers_and_students",
    "plot_target_memory",
    "plot_bce_element_loss",
    "plot_gradient_row_norms",
    "plot_loss_vs_vocab",
    "plot_stability_scan",
]


def plot_teachers_and_students(
    teachers: Sequence[str], students: Sequence[str], title: str
) -> Figure:
    """Arrows from every teacher word to every student word.

    CBOW: many teachers (the context words) teach one student (the centre word). SkipGram: one
    teacher (the centre word) teaches many students (the context words).
    Introduced in ``01_cbow_forward.ipynb``.
    """
    if not teachers or not students:
        raise ValueError("teachers and students must each name at least one word")
    fig, ax = plt.subplots(figsize=(6, 2.8))
    ax.set_axis_off()

    def column(words: Sequence[str], x: float) -> list[tuple[float, float]]:
        ys = [0.5] if len(words) == 1 else [1 - i / (len(words) - 1) for i in range(len(words))]
        for word, y in zip(words, ys, strict=True):
            ax.text(
                x,
                y,
                word,
                ha="center",
                va="center",
                fontsize=12,
                bbox={"boxstyle": "round", "fc": "#e8f0fe" if x < 0.5 else "#fde8e8"},
            )
        return [(x, y) for y in ys]

    left = column(teachers, 0.1)
    right = column(students, 0.9)
    for x0, y0 in left:
        for x1, y1 in right:
            ax.annotate(
                "",
                xy=(x1 - 0.1, y1),
                xytext=(x0 + 0.1, y0),
                arrowprops={"arrowstyle": "->", "color": "gray"},
            )
    ax.text(0.1, 1.25, "teachers", ha="center", fontsize=10, style="italic")
    ax.text(0.9, 1.25, "students", ha="center", fontsize=10, style="italic")
    ax.set_xlim(-0.1, 1.1)
    ax.set_ylim(-0.2, 1.35)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_softmax_distribution(scores: torch.Tensor, title: str = "") -> Figure:
    """One example's softmax probabilities, sorted, against the uniform 1/V line.

    Shape: scores (V,) float logits of a single example.
    Introduced in ``01_cbow_forward.ipynb``.
    """
    if not isinstance(scores, torch.Tensor) or scores.dim() != 1:
        got = tuple(scores.shape) if isinstance(scores, torch.Tensor) else type(scores).__name__
        raise ValueError(f"scores must be a 1-D tensor of one example's logits, got {got}")
    V = scores.shape[0]
    prob = torch.softmax(scores.detach().double(), dim=0)  # (V,)
    ordered = prob.sort(descending=True).values.numpy()  # (V,)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
    left.plot(ordered, lw=1)
    left.axhline(1 / V, color="red", ls="--", label=f"uniform 1/V = {1 / V:.2e}")
    left.set_xlabel("words, most to least probable")
    left.set_ylabel("softmax probability")
    left.set_ylim(bottom=0)
    left.legend()
    right.hist(prob.numpy() * V, bins=60, color="tab:green")
    right.axvline(1, color="red", ls="--", label="uniform")
    right.set_xlabel("probability x V (1 = uniform)")
    right.set_ylabel("number of words")
    right.legend()
    entropy = float(softmax_entropy(scores))
    fig.suptitle(title or f"entropy {entropy:.2f} nats vs log V = {math.log(V):.2f}")
    fig.tight_layout()
    return fig


def plot_target_memory(
    vocab_size: int = 50_000, window_size: int = 4, batch_size: int = 16
) -> Figure:
    """Bytes of the tile, collapse and lean targets against V (left) and against T (right).

    Log scale on the bytes axis; the dashed line is the memory budget of the widgets. The numbers
    come from :func:`w2v_helpers.memory.estimate_skipgram_target_bytes` (float32), which the
    notebook checks against real tensors. Introduced in ``04_skipgram_multilabel.ipynb``.
    """
    from .memory import (
        SKIPGRAM_TARGET_METHODS,
        estimate_skipgram_target_bytes,
        format_bytes,
        memory_budget,
    )
    from .validation import check_positive_int

    V = check_positive_int("vocab_size", vocab_size)
    T = check_positive_int("window_size", window_size)
    N = check_positive_int("batch_size", batch_size)
    vocab_grid = [10**k for k in range(2, 8)]  # 100 ... 10,000,000
    window_grid = list(range(1, 21))
    budget = memory_budget()
    colors = {"tile": "tab:red", "collapse": "tab:blue", "lean": "tab:green"}
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for method in SKIPGRAM_TARGET_METHODS:
        by_v = [estimate_skipgram_target_bytes(v, T, N, method) for v in vocab_grid]
        by_t = [estimate_skipgram_target_bytes(V, t, N, method) for t in window_grid]
        left.loglog(vocab_grid, by_v, "o-", color=colors[method], label=method)
        right.semilogy(window_grid, by_t, "o-", color=colors[method], label=method, ms=3)
    for ax in (left, right):
        ax.axhline(budget, color="black", ls="--", lw=1, label=f"budget {format_bytes(budget)}")
    units = [(1 << 10, "1 KiB"), (1 << 20, "1 MiB"), (1 << 30, "1 GiB"), (1 << 40, "1 TiB")]
    left.set_yticks([b for b, _ in units], [name for _, name in units])
    left.yaxis.set_minor_locator(plt.NullLocator())
    left.axvline(V, color="gray", ls=":", lw=1)
    right.axvline(T, color="gray", ls=":", lw=1)
    right.set_xticks([1, 5, 10, 15, 20])
    left.set_xlabel("vocabulary size V")
    right.set_xlabel("window size T")
    left.set_ylabel("bytes of target tensors")
    left.set_title(f"against V (T={T}, N={N})")
    right.set_title(f"against T (V={V:,}, N={N})")
    left.legend(loc="upper left", fontsize=8)
    fig.suptitle("tile grows with N·T·V, collapse with N·V, lean with N·T only")
    fig.tight_layout()
    return fig


def plot_loss_vs_vocab(report: LossScaleReport) -> Figure:
    """BCE and CE of random logits against the vocabulary size, with log 2 and log V marked.

    Draws the rows of :func:`w2v_helpers.explore.loss_scale_report`.
    Introduced in ``02_bce_vs_ce.ipynb``.
    """
    if not isinstance(report, LossScaleReport):
        raise TypeError(
            "report must be a LossScaleReport (from loss_scale_report), "
            f"got {type(report).__name__}"
        )
    vs = [row[0] for row in report.rows]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.plot(vs, [row[2] for row in report.rows], "o-", color="tab:red", label="CE (built-in)")
    ax.plot(vs, [math.log(v) for v in vs], "--", color="tab:red", alpha=0.6, label="log V")
    ax.plot(vs, [row[1] for row in report.rows], "o-", color="tab:blue", label="BCE (built-in)")
    ax.axhline(math.log(2), ls="--", color="tab:blue", alpha=0.6, label="log 2")
    ax.axvline(report.vocab_size, color="gray", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("vocabulary size V")
    ax.set_ylabel("loss (nats)")
    ax.set_ylim(bottom=0)
    ax.set_title(
        f"initial losses, logits ~ {report.logit_scale:g} x N(0, 1), N={report.batch_size}"
    )
    ax.legend(loc="upper left", fontsize=9)
    fig.tight_layout()
    return fig


def plot_bce_element_loss(eps: float = 1e-8, s_max: float = 40.0) -> Figure:
    """One wrong word's BCE term, -log(1 - sigmoid(s)), exact and as the naive float32 formula.

    The exact curve is softplus(s) in float64; the naive one is ``-log(1 - sigmoid(s) + eps)`` in
    float32, which flattens at -log(eps) once sigmoid(s) rounds to 1. The right panel shows each
    one's slope (autograd): the naive slope drops to 0 exactly where the word most needs a push.
    Introduced in ``02_bce_vs_ce.ipynb``.
    """
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 < eps < 0.5:
        raise ValueError(f"eps must be a number in (0, 0.5), got {eps!r}")
    if isinstance(s_max, bool) or not isinstance(s_max, (int, float)) or not 1 <= s_max <= 200:
        raise ValueError(f"s_max must be a number in [1, 200], got {s_max!r}")
    s64 = torch.linspace(-5, s_max, 2_000, dtype=torch.float64, requires_grad=True)  # (2000,)
    exact = torch.nn.functional.softplus(s64)  # (2000,)
    (exact_slope,) = torch.autograd.grad(exact.sum(), s64)
    s32 = s64.detach().float().requires_grad_(True)  # (2000,)
    naive = -torch.log(1 - torch.sigmoid(s32) + eps)  # (2000,)
    (naive_slope,) = torch.autograd.grad(naive.sum(), s32)
    s = s64.detach().numpy()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    left.plot(s, exact.detach().numpy(), color="black", label="exact: softplus(s)")
    left.plot(
        s,
        naive.detach().numpy(),
        color="tab:orange",
        ls="--",
        lw=2,
        label=f"naive float32, eps={eps:g}",
    )
    left.axhline(
        -math.log(eps), color="gray", lw=0.8, ls=":", label=f"-log(eps) = {-math.log(eps):.2f}"
    )
    left.set_xlabel("score s of a wrong word (target 0)")
    left.set_ylabel("loss term (nats)")
    left.legend(fontsize=9)
    right.plot(s, exact_slope.numpy(), color="black", label="exact: sigmoid(s)")
    right.plot(s, naive_slope.numpy(), color="tab:orange", ls="--", lw=2, label="naive float32")
    right.set_xlabel("score s of a wrong word (target 0)")
    right.set_ylabel("d loss / d s")
    right.legend(fontsize=9)
    fig.suptitle("the naive BCE term caps the loss and kills the gradient of confident mistakes")
    fig.tight_layout()
    return fig


def plot_stability_scan(scan: StabilityScan) -> Figure:
    """How far the naive and stable losses are from the built-ins as the logits grow.

    Left BCE, right CE; the y axis is the relative error ``|got - built-in| / max(1, |built-in|)``
    on a log scale, with errors below 1e-9 drawn at 1e-9 and a dotted line at 1e-6, the size of
    float32 round-off in a mean over many elements. Non-finite naive CE values are marked with a
    red x at the top. Draws the rows of :func:`w2v_helpers.explore.stability_scan`.
    Introduced in ``02_bce_vs_ce.ipynb``.
    """
    if not isinstance(scan, StabilityScan):
        raise TypeError(
            f"scan must be a StabilityScan (from stability_scan), got {type(scan).__name__}"
        )
    floor, top = 1e-9, 1e2
    scales = [row[0] for row in scan.rows]

    def error(got: float, ref: float) -> float:
        if not math.isfinite(got):
            return top
        return max(abs(got - ref) / max(1.0, abs(ref)), floor)

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    for ax, name, (b, n, st) in zip(axes, ("BCE", "CE"), ((1, 2, 3), (4, 5, 6)), strict=True):
        finite = [math.isfinite(row[n]) for row in scan.rows]
        naive = [
            (s, error(row[n], row[b]))
            for s, row, f in zip(scales, scan.rows, finite, strict=True)
            if f
        ]
        bad = [s for s, f in zip(scales, finite, strict=True) if not f]
        stable = [error(row[st], row[b]) for row in scan.rows]
        ax.plot(*zip(*naive, strict=True), "o-", color="tab:orange", label=f"naive {name}")
        if bad:
            ax.plot(bad, [top] * len(bad), "x", color="red", ms=9, mew=2, label="naive is NaN")
        ax.plot(scales, stable, "s-", color="tab:green", ms=4, label=f"stable {name}")
        ax.axhline(1e-6, color="gray", ls=":", lw=1, label="float32 round-off")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(floor / 2, top * 5)
        ax.set_xlabel("logit scale (std of the scores)")
        ax.set_title(f"{name}: distance from the built-in")
        ax.legend(fontsize=8, loc="center left")
    axes[0].set_ylabel("relative error")
    fig.tight_layout()
    return fig


def plot_gradient_row_norms(report: TiedStepReport, *, title: str = "") -> Figure:
    """Per-row norms of the input-side, output-side and tied gradients of one tied CBOW step.

    Left: the context rows and the target row, with their input-side and output-side norms side
    by side, next to the median row outside them. Right: the tied norm of every row, sorted from
    largest to smallest (log scale), with the context rows (green triangles) and the target row
    (red star) marked at their ranks. Draws a :func:`w2v_helpers.explore.tied_step_report`.
    Introduced in ``03_tied_weight_backward.ipynb``.
    """
    if not isinstance(report, TiedStepReport):
        raise TypeError(
            f"report must be a TiedStepReport (from tied_step_report), got {type(report).__name__}"
        )
    if not isinstance(title, str):
        raise TypeError(f"title must be a str, got {type(title).__name__}")
    context = sorted(set(report.context_ids))
    target = report.target_id
    marked = sorted(set(context) | {target})
    others = torch.ones(report.vocab_size, dtype=torch.bool)  # (V,)
    others[marked] = False
    labels = [f"{i}" + (" (target)" if i == target else "") for i in marked]
    inputs = [float(report.input_norms[i]) for i in marked]
    outputs = [float(report.output_norms[i]) for i in marked]
    if bool(others.any()):
        labels.append("median\nother row")
        inputs.append(float(report.input_norms[others].median()))
        outputs.append(float(report.output_norms[others].median()))
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [1, 1.3]}
    )
    positions = torch.arange(len(labels)).numpy()
    left.bar(positions - 0.2, inputs, width=0.4, color="tab:green", label="input side")
    left.bar(positions + 0.2, outputs, width=0.4, color="tab:blue", label="output side")
    left.set_xticks(positions, labels, fontsize=8)
    left.set_xlabel("row of W (word id)")
    left.set_ylabel("gradient row norm")
    left.set_title("the two parts, row by row", fontsize=10)
    left.legend(fontsize=8)

    order = torch.argsort(report.tied_norms, descending=True, stable=True)  # (V,)
    rank = torch.empty_like(order)  # (V,)
    rank[order] = torch.arange(report.vocab_size)
    floor = 1e-12  # exact zeros drawn at the floor of the log axis
    sorted_norms = report.tied_norms[order].clamp(min=floor).numpy()  # (V,)
    right.plot(
        torch.arange(1, report.vocab_size + 1).numpy(),
        sorted_norms,
        color="gray",
        lw=1,
        label="every row, largest first (0 drawn at 1e-12)",
    )
    right.plot(
        [int(rank[i]) + 1 for i in context],
        [max(float(report.tied_norms[i]), floor) for i in context],
        "^",
        color="tab:green",
        ms=9,
        label="context rows",
    )
    right.plot(
        [int(rank[target]) + 1],
        [max(float(report.tied_norms[target]), floor)],
        "*",
        color="red",
        ms=14,
        label=f"target row {target}",
    )
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("rank of the row by tied-gradient norm")
    right.set_ylabel("tied gradient row norm")
    right.set_title("all rows, sorted", fontsize=10)
    right.legend(fontsize=8)
    fig.suptitle(
        title
        or f"{report.loss.upper()} gradient of the shared W, context "
        f"{list(report.context_ids)} -> target {target}, V={report.vocab_size:,}"
    )
    fig.tight_layout()
    return fig


# ---- Negative sampling on a real corpus (05_negative_sampling_real_corpus.ipynb) ----

__all__ += ["plot_full_scoring_cost", "plot_loss_curve", "plot_projection"]


def plot_full_scoring_cost(cost, negatives: int = 5) -> Figure:
    """Work and memory of one full-softmax step against V, beside negative sampling's (log-log).

    Both panels are counted, not timed, so the figure is the same on every machine and every run;
    the measured times are in ``cost``'s printout. Work is multiply-adds per centre word: the
    forward matmul and its two backward matmuls, over V output rows (full softmax) or over
    1 + ``negatives`` rows (negative sampling).
    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    K = check_positive_int("negatives", negatives)
    E = cost.embedding_dim
    full = [3 * E * V for V in cost.vocab_sizes]  # multiply-adds per centre, all V rows
    sampled = [3 * E * (1 + K)] * len(cost.vocab_sizes)  # 1 context + K noise rows
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
    ax1.loglog(cost.vocab_sizes, full, "o-", label="full softmax")
    ax1.loglog(cost.vocab_sizes, sampled, "s--", label=f"negative sampling, K={K}")
    ax1.set(xlabel="vocabulary size V", ylabel="multiply-adds", title="work per centre word")
    ax1.legend(fontsize=8)
    ax2.loglog(cost.vocab_sizes, [b / 2**20 for b in cost.nbytes], "o-", color="C2")
    ax2.set(xlabel="vocabulary size V", ylabel="MiB", title="memory per full-softmax step")
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_loss_curve(losses, *, title: str = "") -> Figure:
    """Loss per positive pair, chunk by chunk.

    Refuses NaN or infinite losses (a plot would silently leave them out): a run that diverged
    stops with an error before it gets here.
    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    if isinstance(losses, (str, bytes)) or not isinstance(losses, Sequence) or not losses:
        raise TypeError("losses must be a non-empty list of numbers (Word2VecResult.losses)")
    values = [check_number("losses", v) for v in losses]
    if not all(math.isfinite(v) for v in values):
        bad = next(i for i, v in enumerate(values) if not math.isfinite(v))
        raise ValueError(f"losses must be finite; chunk {bad} has {values[bad]!r}")
    if not isinstance(title, str):
        raise TypeError(f"title must be a str, got {type(title).__name__}")
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.plot(values, lw=1)
    ax.set(xlabel="chunk", ylabel="loss per positive pair", title=title or "training loss")
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_projection(vectors, vocab, words, *, title: str = "") -> Figure:
    """The given words' vectors projected on their first two principal components.

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    check_vectors("vectors", vectors, len(vocab))
    if isinstance(words, str) or not isinstance(words, Sequence) or len(words) < 3:
        raise TypeError("words must be a list of at least 3 words (two axes need three points)")
    unknown = [w for w in words if w not in vocab.index]
    if unknown:
        raise ValueError(f"words must be in the vocabulary; not there: {unknown}")
    ids = torch.tensor([vocab.index[w] for w in words])
    x = torch.nn.functional.normalize(vectors[ids].double(), dim=1)  # (n, E)
    x = x - x.mean(0)
    _, _, v = torch.linalg.svd(x, full_matrices=False)
    xy = x @ v[:2].T  # (n, E) @ (E, 2) -> (n, 2)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.scatter(xy[:, 0], xy[:, 1], s=12)
    for (px, py), w in zip(xy.tolist(), words, strict=True):
        ax.annotate(w, (px, py), fontsize=9, xytext=(3, 3), textcoords="offset points")
    ax.set(title=title or "2-D projection (PCA) of word vectors", xticks=[], yticks=[])
    fig.tight_layout()
    plt.close(fig)
    return fig
