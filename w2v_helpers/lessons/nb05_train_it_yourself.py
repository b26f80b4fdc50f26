"""Lesson code of ``05_train_it_yourself.ipynb`` (Train it yourself): its reports, panel, figures
and exercise checks. The concepts it uses live in the core modules (corpus, models, reference,
evaluation, memory).

Shape glossary: N batch of pairs, K negatives, V vocabulary, E embedding dim, L tokens.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from ..corpus import (
    Vocabulary,
    build_vocabulary,
    encode,
    keep_probabilities,
    load_wiki_sample,
    noise_distribution,
    window_reach,
)
from ..evaluation import most_similar
from ..memory import check_memory
from ..models import SkipGram
from ..reference import ReferenceResult, train_sgns
from ..validation import check_int, check_positive_int, check_token_ids
from .feedback import Feedback, _call, _correct, _not_yet
from .panel import Panel, lay_out, make_panel

__all__ = [
    "SLICE_TOKENS",
    "WATCH_WORDS",
    "window_demo",
    "neighbours_table",
    "plot_losses",
    "snapshot_view",
    "snapshot_panel",
    "check_training_step",
    "check_sgns_loss",
    "check_noise_sampler",
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


def _step_case() -> tuple[SkipGram, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(5)
    model = SkipGram(6, 3).double()  # V=6, E=3
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=generator, dtype=torch.float64))
    return model, torch.tensor([0, 2, 2, 5]), torch.tensor([1, 1, 3, 0])  # centres, contexts


def _oracle_steps(lr: float, scale: float = 1.0, accumulate: bool = False) -> list[torch.Tensor]:
    """Parameters after each of two SGD steps on mean cross-entropy, by autograd in float64."""
    model, centre, context = _step_case()
    params = list(model.parameters())
    grads = None
    out = []
    for _ in range(2):
        loss = F.cross_entropy(model(centre), context) * scale
        step = torch.autograd.grad(loss, params)
        grads = (
            step
            if grads is None or not accumulate
            else [a + b for a, b in zip(grads, step, strict=True)]
        )
        with torch.no_grad():
            for p, g in zip(params, grads, strict=True):
                p -= lr * g
        out.append(torch.cat([p.detach().flatten() for p in params]))
    return out


def check_training_step(fn: Callable[..., object]) -> Feedback:
    """Exercise: ``fn(model, optimizer, centre, context)`` does one SGD step on mean CE.

    Called twice on a tiny float64 SkipGram (V=6, E=3) with ``torch.optim.SGD(lr=0.5)``; the
    oracle is the same two steps by ``torch.autograd.grad``. Introduced in
    ``05_train_it_yourself.ipynb``.

    Args:
        fn: the learner's step: zero the gradients, score, loss, backward, step; returns the loss.

    Shape:
        - fn receives: a ``SkipGram``, its optimizer, centre ids :math:`(N)`, context ids
          :math:`(N)`; returns the batch's loss (a 0-d tensor).
    """
    model, centre, context = _step_case()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    start = torch.cat([p.detach().flatten() for p in model.parameters()])
    with torch.no_grad():
        first_loss = float(F.cross_entropy(model(centre), context))  # before any step
    got = []
    wrong_loss = ""
    for _ in range(2):
        loss = _call(fn, model, optimizer, centre, context)
        if isinstance(loss, Feedback):
            return loss
        got.append(torch.cat([p.detach().flatten() for p in model.parameters()]))
        returned = float(loss.detach().sum())
        if len(got) == 1 and not math.isclose(returned, first_loss, rel_tol=1e-9):
            wrong_loss = f"return the batch's loss ({first_loss:.4f} here), got {returned:.4f}."
    right = _oracle_steps(0.5)
    if torch.allclose(got[0], right[0], atol=1e-10) and torch.allclose(
        got[1], right[1], atol=1e-10
    ):
        if wrong_loss:
            return _not_yet(f"the step is right; {wrong_loss}")
        return _correct("two steps match SGD on the mean cross-entropy, to 1e-10.")
    if torch.equal(got[0], start):
        return _not_yet("the parameters did not move: call optimizer.step() after loss.backward().")
    if torch.allclose(got[1], _oracle_steps(0.5, accumulate=True)[1], atol=1e-10):
        return _not_yet(
            "step 1 is right, step 2 is not: call optimizer.zero_grad() each step, or "
            "the gradients of earlier steps add up."
        )
    if torch.allclose(got[0], _oracle_steps(0.5, scale=-1.0)[0], atol=1e-10):
        return _not_yet("you climb the loss: backpropagate the loss itself, not its negative.")
    if torch.allclose(got[0], _oracle_steps(0.5, scale=len(centre))[0], atol=1e-10):
        return _not_yet(
            f"your step is N = {len(centre)} times too large: use the mean "
            "cross-entropy (F.cross_entropy's default), not the sum."
        )
    return _not_yet(
        "after one step the parameters differ from SGD on F.cross_entropy(model("
        "centre), context); score with model(centre), then backward, then step."
    )


def check_sgns_loss(fn: Callable[..., object]) -> Feedback:
    """Exercise: ``fn(centre, context, noise)`` returns each pair's SGNS loss.

    Tried on ordinary vectors and on vectors whose scores reach the hundreds; the oracle is
    ``-log sigmoid(c.o) - sum_k log sigmoid(-c.n_k)`` in float64 via ``logaddexp``.
    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        fn: the learner's per-pair SGNS loss.

    Shape:
        - fn receives: centre :math:`(N, E)`, context :math:`(N, E)`, noise :math:`(N, K, E)`
          float64; returns :math:`(N)`.
    """
    generator = torch.Generator().manual_seed(11)
    N, K, E = 4, 3, 5
    for scale in (0.5, 30.0):
        c, o, n = (
            scale * torch.randn(*s, generator=generator, dtype=torch.float64)
            for s in ((N, E), (N, E), (N, K, E))
        )
        positive = (c * o).sum(-1)  # (N,)
        negative = (n @ c.unsqueeze(-1)).squeeze(-1)  # (N, K, E) @ (N, E, 1) -> (N, K, 1) -> (N, K)
        zero = torch.zeros(())
        right = torch.logaddexp(zero, -positive) + torch.logaddexp(zero, negative).sum(-1)  # (N,)
        got = _call(fn, c.clone(), o.clone(), n.clone())
        if isinstance(got, Feedback):
            return got
        if got.numel() == 1 and N > 1:
            return _not_yet(f"return one loss per pair, shape ({N},), not their mean or sum.")
        if got.shape != (N,):
            return _not_yet(f"expected shape ({N},), got {tuple(got.shape)}.")
        got = got.double()
        if not bool(got.isfinite().all()):
            return _not_yet(
                "with large scores your loss is not finite: log(sigmoid(s)) rounds "
                "to log(0); use F.logsigmoid(s) or -F.softplus(-s)."
            )
        if torch.allclose(got, right, rtol=1e-9):
            continue
        no_noise = torch.logaddexp(zero, -positive)
        if torch.allclose(got, no_noise, rtol=1e-9):
            return _not_yet("you left out the noise words: add sum_k softplus(n_k . c).")
        if torch.allclose(got, no_noise + torch.logaddexp(zero, -negative).sum(-1), rtol=1e-9):
            return _not_yet(
                "noise words must score low: their term is softplus(+n.c) = "
                "-log sigmoid(-n.c), not softplus(-n.c)."
            )
        if torch.allclose(got, no_noise + torch.logaddexp(zero, negative).mean(-1), rtol=1e-9):
            return _not_yet(f"sum over the K = {K} noise words; you averaged them.")
        return _not_yet(f"got {got.tolist()}, expected {right.tolist()} (scale {scale}).")
    return _correct("your per-pair loss matches the float64 formula, also for huge scores.")


def check_noise_sampler(fn: Callable[..., object]) -> Feedback:
    """Exercise: ``fn(counts, num_pairs, negative, generator)`` draws noise ids from count^0.75.

    Draws 20,000 x 5 ids for counts (1000, 300, 100, 30, 10, 1) and compares the frequencies with
    count^0.75 / sum (6 standard errors). Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        fn: the learner's sampler.

    Shape:
        - fn receives: counts :math:`(V)` int64, two ints and a ``torch.Generator``; returns
          :math:`(num\\_pairs, negative)` int64 ids in [0, V).
    """
    counts = torch.tensor([1000, 300, 100, 30, 10, 1])
    draws = [_call(fn, counts.clone(), 20_000, 5, torch.Generator().manual_seed(3)) for _ in "ab"]
    if isinstance(draws[0], Feedback):
        if "without replacement" in draws[0].message:  # 6 words cannot give 100,000 distinct draws
            return _not_yet("noise words are drawn with replacement: pass replacement=True.")
        return draws[0]
    got = draws[0]
    if got.shape != (20_000, 5) or got.dtype.is_floating_point:
        return _not_yet(
            f"return (num_pairs, negative) = (20000, 5) int ids, got "
            f"{tuple(got.shape)} {got.dtype}."
        )
    if int(got.min()) < 0 or int(got.max()) >= len(counts):
        return _not_yet(f"ids must be in [0, {len(counts) - 1}].")
    if not torch.equal(got, draws[1]):
        return _not_yet(
            "the same generator gave different draws: pass generator= to torch.multinomial."
        )
    share = torch.bincount(got.flatten(), minlength=len(counts)).double() / got.numel()  # (V,)
    error = 6 * (0.25 / got.numel()) ** 0.5  # 6 standard errors of a share at worst (p = 1/2)

    def near(p: torch.Tensor) -> bool:
        return bool(((share - p / p.sum()).abs() < error).all())

    if near(counts.double() ** 0.75):
        return _correct(
            "your draws follow count^0.75: frequent words less often than their "
            "count says, rare words more often."
        )
    if near(counts.double()):
        return _not_yet("your draws follow the plain counts: raise them to the power 0.75 first.")
    if near(torch.ones(len(counts))):
        return _not_yet("every word is equally likely: weight the draw by count^0.75.")
    return _not_yet(
        f"your draw shares {[round(x, 3) for x in share.tolist()]} do not follow count^0.75."
    )
