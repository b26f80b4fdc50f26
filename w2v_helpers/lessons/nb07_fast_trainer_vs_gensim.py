"""Lesson code of ``07_fast_trainer_vs_gensim.ipynb`` (The fast trainer next to gensim): its
figures, neighbour report and panel, and its exercise check. The concepts it uses live in the
core modules (corpus, trainer, evaluation).

Shape glossary: V vocabulary, E embedding dim, k neighbours.
"""

from __future__ import annotations

import functools
import math
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..corpus import Vocabulary, build_vocabulary, encode, keep_probabilities, noise_distribution
from ..evaluation import most_similar
from ..memory import FLOAT32, check_memory
from ..reference import ReferenceResult, train_sgns
from ..trainer import TrainConfig, Word2VecResult, train_word2vec
from ..validation import check_number, check_positive_int, check_vectors
from .feedback import Feedback, _call, _correct, _not_yet
from .formatting import format_rate, format_time_ratio
from .panel import Panel, make_panel

__all__ = [
    "NOTEBOOK_EPOCHS",
    "PANEL_WORDS",
    "plot_loss_curve",
    "plot_projection",
    "NeighbourReport",
    "neighbours_report",
    "neighbours_panel",
    "check_nearest",
    "SpeedComparison",
    "compare_speed",
    "time_gensim",
    "time_ours",
    "time_reference",
]

NOTEBOOK_EPOCHS = 10  # the notebook's runs, ours and gensim's; make bench-train runs 20
PANEL_WORDS = ("king", "france", "music", "war", "city", "river", "film", "church", "university")
MAX_TOPN = 20


def plot_loss_curve(losses, *, title: str = "") -> Figure:
    """Loss per positive pair, chunk by chunk.

    Refuses NaN or infinite losses (a plot would silently leave them out): a run that diverged
    stops with an error before it gets here.
    Introduced in ``07_fast_trainer_vs_gensim.ipynb``.

    Args:
        losses: one loss per chunk, a non-empty list of finite numbers
            (``Word2VecResult.losses``).
        title: the figure's title; ``""`` gives "training loss". Default: ``""``.
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

    Introduced in ``07_fast_trainer_vs_gensim.ipynb``.

    Args:
        vectors: the word vectors, finite floating, one row per word of ``vocab``.
        vocab: the vocabulary; ``vocab.index`` maps a word to its row.
        words: at least 3 words of ``vocab`` to project.
        title: the figure's title; ``""`` gives a default. Default: ``""``.

    Shape:
        - Input: vectors :math:`(V, E)`.
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
    ax.margins(0.12)  # room for the labels inside the frame
    ax.set(title=title or "2-D projection (PCA) of word vectors", xticks=[], yticks=[])
    fig.tight_layout()
    _place_labels(ax, xy.tolist(), list(words))
    plt.close(fig)
    return fig


# Where a label may go, tried in this order: (x, y) offset in points from its dot, alignment.
LABEL_PLACES = (
    ((4, 3), "left"),  # up and right
    ((4, -11), "left"),  # down and right
    ((-4, 3), "right"),  # up and left
    ((-4, -11), "right"),  # down and left
    ((0, 7), "center"),  # above
    ((0, -15), "center"),  # below
)


def _place_labels(ax, xy: list[list[float]], words: list[str]) -> None:
    """Label each dot at the first place where its label overlaps no label placed before it and
    covers no other dot (at the first place when none is free)."""
    canvas = ax.figure.canvas
    renderer = (
        canvas if hasattr(canvas, "get_renderer") else FigureCanvasAgg(ax.figure)
    ).get_renderer()
    dots = ax.transData.transform(xy)  # (n, 2), in pixels

    def label(word: str, point: list[float], place) -> object:  # the label's box, in pixels
        (offset, align) = place
        text = ax.annotate(
            word, point, xytext=offset, textcoords="offset points", fontsize=9, ha=align
        )
        return text, text.get_window_extent(renderer).padded(2)

    placed = []  # the boxes of the labels so far
    for i, (point, word) in enumerate(zip(xy, words, strict=True)):
        others = [d for j, d in enumerate(dots) if j != i]
        for place in LABEL_PLACES:
            text, box = label(word, point, place)
            near = box.padded(5)  # a dot is about 4 pixels wide
            if not any(box.overlaps(b) for b in placed) and not any(
                near.contains(*d) for d in others
            ):
                break
            text.remove()
        else:  # no free place: the first
            text, box = label(word, point, LABEL_PLACES[0])
        placed.append(box)


@dataclass(frozen=True)
class NeighbourReport:
    """One word's nearest neighbours by cosine under each set of vectors.

    With two sets, the last line counts the neighbours they share. Introduced in
    ``07_fast_trainer_vs_gensim.ipynb``.
    """

    word: str
    topn: int
    lists: tuple[tuple[str, tuple[str, ...]], ...]  # (name, neighbours nearest first)

    def __str__(self) -> str:
        lines = [f"{self.word}: the {self.topn} nearest words by cosine"]
        lines += [f"  {name:<7} {', '.join(words)}" for name, words in self.lists]
        if len(self.lists) == 2:
            shared = set(self.lists[0][1]) & set(self.lists[1][1])
            lines.append(f"  shared: {len(shared)} of {self.topn}")
        return "\n".join(lines)


def neighbours_report(
    word: str, vocab: Vocabulary, vectors: Mapping[str, torch.Tensor], topn: int = 5
) -> NeighbourReport:
    """The ``topn`` nearest words to ``word`` (cosine, the word itself left out) in each table.

    Introduced in ``07_fast_trainer_vs_gensim.ipynb``.

    Args:
        word: a word of ``vocab``.
        vocab: the vocabulary the tables' rows follow.
        vectors: one or two tables by name, e.g. ``{"ours": ..., "gensim": ...}``.
        topn: how many neighbours, a whole number in [1, 20]. Default: 5.

    Shape:
        - vectors: each :math:`(V, E)`.
    """
    k = check_positive_int("topn", topn, maximum=MAX_TOPN)
    if not isinstance(vectors, Mapping) or not 1 <= len(vectors) <= 2:
        raise TypeError("vectors must be a dict of one or two tables, e.g. {'ours': vectors}")
    if not isinstance(word, str) or word not in vocab.index:
        raise ValueError(f"word must be in the vocabulary ({len(vocab):,} words), got {word!r}")
    for name, table in vectors.items():
        check_vectors(f"vectors[{name!r}]", table, len(vocab))
    V, E = next(iter(vectors.values())).shape
    check_memory(  # most_similar makes a float32 unit copy (V, E) and the similarities (V,);
        # with the finite checks' masks and the allocator's reuse, measured 1.75 tables at once
        FLOAT32 * V * (2 * E + 1),
        f"neighbours over V={V:,}, E={E}",
        hint="Use a smaller table.",
    )
    lists = tuple(
        (str(name), tuple(w for w, _ in most_similar(table, vocab, word, k)))
        for name, table in vectors.items()
    )
    return NeighbourReport(word, k, lists)


def time_ours(
    sentences: Sequence[Sequence[str]], config: TrainConfig, device: str = "cpu"
) -> tuple[float, Word2VecResult]:
    """Our trainer's run and its wall time in seconds, the vocabulary's counting included (as
    in gensim's). Introduced in ``07_fast_trainer_vs_gensim.ipynb``.

    Args:
        sentences: the corpus, lists of tokens.
        config: the run's settings.
        device: where to train. Default: ``"cpu"``.
    """
    start = time.perf_counter()
    result = train_word2vec(sentences, config, device=device, progress=False)
    return time.perf_counter() - start, result


def time_gensim(
    sentences: Sequence[Sequence[str]], *, epochs: int, workers: int, seed: int, hs: bool = False
) -> tuple[float, object]:
    """gensim's ``Word2Vec`` with the course's settings (SkipGram, window 5, E = 100,
    min_count 5, sample 1e-3; 5 negatives, or ``hs=1`` without them) and its wall time in
    seconds. Introduced in ``07_fast_trainer_vs_gensim.ipynb``.

    Args:
        sentences: the corpus, lists of tokens.
        epochs: passes over the corpus.
        workers: gensim's worker threads.
        seed: gensim's seed.
        hs: hierarchical softmax instead of negative sampling. Default: ``False``.
    """
    from gensim.models import Word2Vec

    start = time.perf_counter()
    model = Word2Vec(
        sentences,
        vector_size=100,
        window=5,
        negative=0 if hs else 5,
        hs=int(hs),
        sg=1,
        min_count=5,
        sample=1e-3,
        epochs=epochs,
        workers=workers,
        seed=seed,
    )
    return time.perf_counter() - start, model


def time_reference(
    sentences: Sequence[Sequence[str]], *, epochs: int = 1
) -> tuple[float, ReferenceResult, Vocabulary]:
    """Notebook 05's reference trainer (float64, a DataLoader, autograd) with the same settings:
    its wall time in seconds (vocabulary included), its result and the vocabulary.
    Introduced in ``07_fast_trainer_vs_gensim.ipynb``.

    Args:
        sentences: the corpus, lists of tokens.
        epochs: passes over the corpus. Default: 1.
    """
    start = time.perf_counter()
    vocab = build_vocabulary(sentences, 5)
    ids = [encode([s], vocab) for s in sentences]
    result = train_sgns(
        ids,
        len(vocab),
        noise_distribution(vocab.counts),
        embedding_dim=100,
        window=5,
        negative=5,
        epochs=epochs,
        keep=keep_probabilities(vocab.counts, 1e-3),
    )
    return time.perf_counter() - start, result, vocab


@dataclass(frozen=True, kw_only=True)
class SpeedComparison:
    """Words per second of each trainer, the median of alternating rounds, and their ratios.

    Introduced in ``07_fast_trainer_vs_gensim.ipynb``.
    """

    rounds: int
    epochs: int
    workers: int
    reference_tokens: int
    rates: dict[str, float]  # trainer -> median words/s

    def __str__(self) -> str:
        r = self.rates
        w = self.workers

        def slower(name: str, than: str) -> str:  # "takes N x as long as" from two rates
            return format_time_ratio(1 / r[name], 1 / r[than])

        lines = [
            f"median of {self.rounds} rounds, {self.epochs} epoch(s) each, the same words for "
            "every trainer"
        ]
        for name, rate in r.items():
            slice_ = f", first {self.reference_tokens:,} tokens" * name.startswith("reference")
            lines.append(f"  {name + slice_:<48} {format_rate(rate, 1.0)}")
        lines += [
            f"one thread each, gensim takes {slower('gensim, 1 worker', 'ours, 1 worker')}",
            f"{w} workers each, gensim takes "
            + slower(f"gensim, {w} workers", f"ours, {w} workers"),
            "per word, the reference takes " + slower("reference (notebook 05)", "ours, 1 worker"),
        ]
        return "\n".join(lines)


def compare_speed(
    sentences: Sequence[Sequence[str]],
    *,
    rounds: int = 3,
    epochs: int = 2,
    workers: int = 2,
    reference_tokens: int = 20_000,
) -> SpeedComparison:
    """Time ours, gensim's (each with 1 and ``workers`` threads) and notebook 05's reference
    trainer (on the first ``reference_tokens`` tokens, one epoch) in alternating rounds, so a
    busy moment of the machine hits them all; words/s counts raw corpus words.
    Introduced in ``07_fast_trainer_vs_gensim.ipynb``.

    Args:
        sentences: the corpus, lists of tokens.
        rounds: how many rounds, 1 to 9. Default: 3.
        epochs: epochs of each of ours and gensim's runs, 1 to 20. Default: 2.
        workers: the threads of the second pair of runs, 2 to 16. Default: 2.
        reference_tokens: the reference trainer's slice, 1,000 to 100,000. Default: 20,000.
    """
    rounds = check_positive_int("rounds", rounds, maximum=9)
    epochs = check_positive_int("epochs", epochs, maximum=20)
    workers = check_positive_int("workers", workers, maximum=16)
    if workers < 2:
        raise ValueError(f"workers must be at least 2 (1 is always timed), got {workers}")
    reference_tokens = check_positive_int("reference_tokens", reference_tokens, maximum=100_000)
    if reference_tokens < 1_000:
        raise ValueError(f"reference_tokens must be at least 1,000, got {reference_tokens:,}")
    words = sum(map(len, sentences)) * epochs
    sliced = []
    left = reference_tokens  # tokens still to take
    for sentence in sentences:
        if left > 0:
            sliced.append(list(sentence[:left]))
            left -= len(sliced[-1])
    timed: dict[str, list[float]] = {}
    for seed in range(rounds):
        for n in (1, workers):
            config = TrainConfig(epochs=epochs, seed=seed, workers=n)
            timed.setdefault(f"ours, {n} worker{'s' * (n > 1)}", []).append(
                words / time_ours(sentences, config)[0]
            )
            timed.setdefault(f"gensim, {n} worker{'s' * (n > 1)}", []).append(
                words / time_gensim(sentences, epochs=epochs, workers=n, seed=seed)[0]
            )
        timed.setdefault("reference (notebook 05)", []).append(
            sum(map(len, sliced)) / time_reference(sliced)[0]
        )
    rates = {name: statistics.median(values) for name, values in timed.items()}
    return SpeedComparison(
        rounds=rounds,
        epochs=epochs,
        workers=workers,
        reference_tokens=reference_tokens,
        rates=rates,
    )


@functools.lru_cache(maxsize=1)
def _notebook_vectors() -> tuple[torch.Tensor, torch.Tensor, Vocabulary]:
    """Ours and gensim's vectors as the notebook trains them (seconds: cached per kernel)."""
    from gensim.models import Word2Vec

    from ..corpus import load_wiki_sample

    sentences = load_wiki_sample()
    vocab = build_vocabulary(sentences, min_count=5)
    config = TrainConfig(model="skipgram", epochs=NOTEBOOK_EPOCHS, seed=0)
    ours = train_word2vec(sentences, config, device="cpu", progress=False)
    theirs = Word2Vec(
        sentences,
        vector_size=100,
        window=5,
        negative=5,
        sg=1,
        min_count=5,
        sample=1e-3,
        epochs=NOTEBOOK_EPOCHS,
        workers=1,
        seed=0,
    )
    return ours.vectors, torch.tensor(theirs.wv[list(vocab.words)]), vocab


def neighbours_panel(
    ours: torch.Tensor | None = None,
    gensim: torch.Tensor | None = None,
    vocab: Vocabulary | None = None,
) -> Panel:
    """Pick a word and a number of neighbours; see ours and gensim's lists side by side.

    Behind it: :func:`w2v_helpers.lessons.nb07_fast_trainer_vs_gensim.neighbours_report`.
    Without arguments it trains the notebook's two runs itself (about a minute, once).
    Introduced in ``07_fast_trainer_vs_gensim.ipynb``.

    Args:
        ours: our vectors. Default: the notebook's run, trained when the panel first draws.
        gensim: gensim's vectors, rows in ``vocab``'s order (needed with ``ours``).
        vocab: their vocabulary (needed with ``ours``).

    Shape:
        - ours, gensim: :math:`(V, E)`.
    """
    given = (ours, gensim, vocab)
    if any(x is not None for x in given):
        if vocab is None or not isinstance(vocab, Vocabulary):
            raise TypeError("vocab must be the Vocabulary the vectors' rows follow")
        check_vectors("ours", ours, len(vocab))
        check_vectors("gensim", gensim, len(vocab))
        missing = [w for w in PANEL_WORDS if w not in vocab.index]
        if missing:
            raise ValueError(f"vocab must hold the panel's words; not there: {missing}")

    def view(word: str, topn: int) -> NeighbourReport:
        a, b, words = given if vocab is not None else _notebook_vectors()
        return neighbours_report(word, words, {"ours": a, "gensim": b}, topn)

    controls = {
        "word": widgets.Dropdown(description="word", options=PANEL_WORDS, value="king"),
        "topn": widgets.IntSlider(description="neighbours", min=1, max=MAX_TOPN, value=8),
    }
    return make_panel("Neighbours, ours and gensim's", controls, view)


def _nearest_case() -> tuple[torch.Tensor, int, int]:
    """Six float64 vectors where dot products and cosines rank differently: row 5 is long."""
    vectors = torch.tensor(
        [
            [1.0, 0.0, 0.0],  # the query word
            [0.9, 0.1, 0.0],  # nearest by cosine
            [0.7, 0.7, 0.0],
            [0.0, 1.0, 0.0],
            [-1.0, 0.0, 0.0],  # farthest
            [4.0, 4.0, 4.0],  # long: first by dot product, third by cosine
        ],
        dtype=torch.float64,
    )
    return vectors, 0, 3


def check_nearest(fn: Callable[..., object]) -> Feedback:
    """Exercise: ``fn(vectors, word_id, k)`` returns the ids of the k nearest rows by cosine.

    Tried on six hand-made float64 vectors whose dot-product and cosine rankings differ; the
    oracle is the cosine ranking with the word itself left out. Introduced in
    ``07_fast_trainer_vs_gensim.ipynb``.

    Args:
        fn: the learner's nearest-neighbour function.

    Shape:
        - fn receives: vectors :math:`(V, E)` float64, an int id, an int k; returns :math:`(k)`
          int ids, nearest first.
    """
    vectors, word, k = _nearest_case()
    got = _call(fn, vectors.clone(), word, k)
    if isinstance(got, Feedback):
        return got
    if not isinstance(got, torch.Tensor) or got.dtype.is_floating_point or got.shape != (k,):
        what = f"{tuple(got.shape)} {got.dtype}" if isinstance(got, torch.Tensor) else type(got)
        return _not_yet(f"return a ({k},) tensor of integer ids (use .indices), got {what}.")
    ids = got.tolist()
    unit = torch.nn.functional.normalize(vectors, dim=1)  # (V, E)
    cosine = unit @ unit[word]  # (V,)
    order = [i for i in cosine.argsort(descending=True).tolist() if i != word]  # the oracle
    if ids == order[:k]:
        return _correct(f"the {k} nearest by cosine, nearest first: rows {ids}.")
    if ids and ids[0] == word:
        return _not_yet(
            "the word itself came first: it is always its own nearest (cosine 1); leave it out."
        )
    dots = vectors @ vectors[word]  # (V,)
    by_dot = [i for i in dots.argsort(descending=True).tolist() if i != word]
    if ids == by_dot[:k]:
        return _not_yet(
            "you ranked by dot product: row 5 is long, so it wins; divide by the norms "
            "(F.normalize the rows) to rank by cosine."
        )
    if ids == order[::-1][:k]:
        return _not_yet("you returned the farthest rows: sort in descending order.")
    return _not_yet(f"expected rows {order[:k]} (nearest first), got {ids}.")
