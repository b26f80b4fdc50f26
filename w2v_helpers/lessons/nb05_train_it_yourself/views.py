"""Notebook 05's reports, figures and panel: the pair demo, neighbour lists, loss curves and
the epoch-by-epoch view of a reference run.

Shape glossary: N batch of pairs, K negatives, V vocabulary, E embedding dim, L tokens.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from ...corpus import (
    Vocabulary,
    build_vocabulary,
    encode,
    keep_probabilities,
    load_wiki_sample,
    noise_distribution,
    window_reach,
)
from ...evaluation import most_similar
from ...memory import check_memory
from ...reference import ReferenceResult, train_sgns
from ...validation import check_int, check_positive_int, check_token_ids
from ..panel import Panel, lay_out, make_panel

__all__ = [
    "NOTEBOOK_EPOCHS",
    "PROJECTED_WORDS",
    "SLICE_TOKENS",
    "WATCH_WORDS",
    "neighbours_table",
    "plot_losses",
    "snapshot_panel",
    "snapshot_view",
    "window_demo",
]

SLICE_TOKENS = 50_000  # the first 50,000 tokens of the Wikipedia sample: seconds per epoch
WATCH_WORDS = ("war", "president", "city", "he", "three")
NOTEBOOK_EPOCHS = 5  # the notebook's SGNS run: 5 epochs at lr 0.05, window 5, K 5, E 50


def _check_vocab(vocab: object) -> Vocabulary:
    if not isinstance(vocab, Vocabulary):
        raise TypeError(
            f"vocab must be a Vocabulary (build_vocabulary), got {type(vocab).__name__}"
        )
    return vocab


def _check_words(words: object, vocab: Vocabulary, least: int = 1) -> list[str]:
    if isinstance(words, str) or not isinstance(words, Sequence) or len(words) < least:
        raise TypeError(f"words must be a list of at least {least} words, got {words!r}")
    unknown = [w for w in words if w not in vocab.index]
    if unknown:
        raise ValueError(
            f"words must be in the vocabulary (min_count={vocab.min_count}): {unknown}"
        )
    return list(words)


def window_demo(
    ids: torch.Tensor, vocab: Vocabulary, window: int, *, count: int = 8, seed: int = 0
) -> str:
    """word2vec's dynamic window at the first ``count`` positions of one sentence.

    Each position draws its reach b in 1..``window`` (:func:`~w2v_helpers.corpus.window_reach`,
    seeded) and pairs with the b words on each side.
    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        ids: one sentence's ids, 1-D, in [0, V).
        vocab: the vocabulary, to print words.
        window: the largest reach w, a whole number >= 1.
        count: positions to show, a whole number in [1, 50]. Default: 8.
        seed: seeds the reach draw. Default: 0.

    Shape:
        - ids: :math:`(L)`.
    """
    vocab = _check_vocab(vocab)
    count = check_positive_int("count", count, maximum=50)
    ids = check_token_ids("ids", ids, vocab_size=len(vocab), ranks=(1,))
    if ids.numel() == 0:
        raise ValueError("ids must hold at least one token (one sentence)")
    reach = window_reach(ids.numel(), window, generator=torch.Generator().manual_seed(seed))  # (L,)
    words = [vocab.words[i] for i in ids.tolist()]
    lines = [f"window {window}: each centre draws b in 1..{window}"]
    for i in range(min(count, ids.numel())):
        b = int(reach[i])
        context = words[max(0, i - b) : i] + words[i + 1 : i + 1 + b]
        lines.append(f"  {words[i]:>12}  b={b}  -> {', '.join(context)}")
    return "\n".join(lines)


def neighbours_table(
    vectors: torch.Tensor, vocab: Vocabulary, words: Sequence[str], topn: int = 5
) -> str:
    """Each word's ``topn`` nearest words by cosine similarity, one line per word.

    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        vectors: the word vectors, one row per word of ``vocab``.
        vocab: the vocabulary.
        words: the words to look up, all in ``vocab``.
        topn: neighbours per word, a whole number in [1, V - 1]. Default: 5.

    Shape:
        - vectors: :math:`(V, E)`.
    """
    words = _check_words(words, _check_vocab(vocab))
    return "\n".join(
        f"  {w:>10}: " + ", ".join(n for n, _ in most_similar(vectors, vocab, w, topn))
        for w in words
    )


def plot_losses(
    batch_losses: Sequence[float], epoch_ends: Sequence[int] = (), *, title: str = ""
) -> Figure:
    """Loss per pair of every batch (faint), its running mean over 50 batches, epoch ends marked.

    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        batch_losses: one finite loss per batch, non-empty.
        epoch_ends: batches done at each epoch's end, drawn as dotted lines. Default: none.
        title: the figure's title; ``""`` gives "training loss". Default: ``""``.
    """
    if isinstance(batch_losses, (str, bytes)) or not isinstance(batch_losses, Sequence):
        raise TypeError("batch_losses must be a list of numbers (ReferenceResult.batch_losses)")
    values = torch.tensor([float(v) for v in batch_losses], dtype=torch.float64)  # (B,)
    if values.numel() == 0 or not bool(values.isfinite().all()):
        raise ValueError("batch_losses must be a non-empty list of finite numbers")
    span = min(50, values.numel())  # a shorter run is averaged over all its batches
    kernel = torch.ones(1, 1, span, dtype=torch.float64) / span  # (1, 1, span)
    smooth = F.conv1d(values.view(1, 1, -1), kernel).flatten()  # (B - span + 1,) running mean
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.plot(values.numpy(), lw=0.5, alpha=0.4, color="tab:blue", label="batch")
    offset = len(values) - len(smooth)
    ax.plot(range(offset, len(values)), smooth.numpy(), color="tab:blue", label=f"mean of {span}")
    for end in epoch_ends:
        ax.axvline(check_int("epoch_ends", end, low=0), color="gray", ls=":", lw=1)
    ax.set(xlabel="batch", ylabel="loss per pair", title=title or "training loss")
    ax.legend(fontsize=8)
    fig.tight_layout()
    plt.close(fig)
    return fig


PROJECTED_WORDS = ("war", "battle", "army", "president", "lincoln", "city", "county", "he", "she")


def snapshot_view(
    result: ReferenceResult, vocab: Vocabulary, epoch: int, *, words: Sequence[str] = WATCH_WORDS
) -> tuple[str, Figure]:
    """Training as it stood after ``epoch`` epochs: loss so far, neighbours, a 2-D projection.

    The projection uses the axes of the final vectors (the first two principal components of
    :data:`PROJECTED_WORDS`' unit vectors) and one scale for every epoch, so the points move
    between epochs instead of the axes. Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        result: a :func:`~w2v_helpers.reference.train_sgns` result.
        vocab: its vocabulary.
        epoch: 0 (before training) to the number of epochs trained.
        words: the words whose neighbours are listed. Default: :data:`WATCH_WORDS`.
    """
    if not isinstance(result, ReferenceResult):
        raise TypeError(
            f"result must be a ReferenceResult (train_sgns), got {type(result).__name__}"
        )
    epochs = len(result.epoch_losses)
    epoch = check_int("epoch", epoch, low=0, high=epochs)
    if missing := [w for w in PROJECTED_WORDS if w not in _check_vocab(vocab).index]:
        raise ValueError(
            f"vocab must hold the projected words (PROJECTED_WORDS); missing {missing}"
        )
    V, E = result.snapshots[0].shape
    S = len(result.snapshots)  # the start and every epoch's end
    n = len(PROJECTED_WORDS)
    check_memory(
        8 * (2 * V * E + 3 * S * n * E), "a training snapshot's view", hint="Raise min_count."
    )
    vectors = result.snapshots[epoch]  # (V, E)
    head = (
        "before training"
        if epoch == 0
        else (
            f"after epoch {epoch} of {epochs}: loss per pair {result.epoch_losses[epoch - 1]:.3f}"
        )
    )
    text = head + "\n" + neighbours_table(vectors, vocab, words, topn=4)
    ids = torch.tensor([vocab.index[w] for w in PROJECTED_WORDS])
    final = F.normalize(result.snapshots[-1][ids], dim=1)  # (n, E)
    axes = torch.linalg.svd(final - final.mean(0), full_matrices=False)[2][:2]  # (2, E)
    every = F.normalize(torch.stack([s[ids] for s in result.snapshots]), dim=2)  # (S, n, E)
    flat = (every - every.mean(1, keepdim=True)) @ axes.T  # (S, n, E) @ (E, 2) -> (S, n, 2)
    xy = flat[epoch].numpy()  # (n, 2)
    reach = 1.2 * float(flat.abs().max())  # one scale for all epochs
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.4))
    done = result.epoch_ends[epoch - 1] if epoch else 0
    left.plot(result.batch_losses[:done], lw=0.5, color="tab:blue")
    left.set(xlim=(0, len(result.batch_losses)), ylim=(0, max(result.batch_losses) * 1.05))
    left.set(xlabel="batch", ylabel="loss per pair", title="loss so far")
    right.scatter(xy[:, 0], xy[:, 1], s=12)
    for (px, py), w in zip(xy.tolist(), PROJECTED_WORDS, strict=True):
        right.annotate(w, (px, py), fontsize=9, xytext=(3, 3), textcoords="offset points")
    right.set(xlim=(-reach, reach), ylim=(-reach, reach), xticks=[], yticks=[])
    right.set_title("projection on the final vectors' axes")
    lay_out(fig)  # tight; a panel reuses its first draw's margins
    plt.close(fig)
    return text, fig


@functools.lru_cache(maxsize=1)
def _notebook_run() -> tuple[ReferenceResult, Vocabulary]:
    """The notebook's SGNS run, for tools and tests that open the panel without the notebook."""
    sentences = load_wiki_sample(max_tokens=SLICE_TOKENS)
    vocab = build_vocabulary(sentences, min_count=5)
    ids = [encode([s], vocab) for s in sentences]
    probs = noise_distribution(vocab.counts)  # (V,)
    keep = keep_probabilities(vocab.counts, 1e-3)  # (V,)
    result = train_sgns(ids, len(vocab), probs, epochs=NOTEBOOK_EPOCHS, lr=0.05, keep=keep)
    return result, vocab


def snapshot_panel(result: ReferenceResult | None = None, vocab: Vocabulary | None = None) -> Panel:
    """Scrub through training epoch by epoch: loss so far, neighbours, the projection moving.

    Behind it: :func:`w2v_helpers.lessons.nb05_train_it_yourself.snapshot_view`. Without
    arguments it trains the notebook's run itself.
    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        result: a :func:`~w2v_helpers.reference.train_sgns` result. Default: the notebook's run,
            trained (through the memory guard) when the panel first draws.
        vocab: its vocabulary (needed with ``result``).
    """
    if result is not None:
        if not isinstance(result, ReferenceResult):
            raise TypeError(f"result must be a ReferenceResult, got {type(result).__name__}")
        _check_words(PROJECTED_WORDS, _check_vocab(vocab), 3)

    def view(epoch: int) -> tuple[str, Figure]:
        run, words = (result, vocab) if result is not None else _notebook_run()
        return snapshot_view(run, words, epoch)

    epochs = NOTEBOOK_EPOCHS if result is None else len(result.epoch_losses)
    controls = {"epoch": widgets.IntSlider(description="epoch", min=0, max=epochs, value=epochs)}
    return make_panel("Training, epoch by epoch", controls, view)
