"""Lesson code of ``09_what_the_vectors_know.ipynb`` (What the vectors know): its reports,
study, explorer panel and exercise checks. The concepts it uses live in the core modules
(evaluation, analogies, trainer, corpus).

Shape glossary: V vocabulary, E embedding dim.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ..analogies import AnalogiesResult, analogies, analogy_picks, answer_analogy
from ..corpus import Vocabulary, build_vocabulary, load_wiki_sample, load_word_pairs
from ..evaluation import WORD_PAIR_FILES, most_similar, word_pairs
from ..memory import check_memory
from ..trainer import TrainConfig, train_word2vec
from ..validation import check_positive_int, check_vectors
from .feedback import Feedback, _correct, _not_a_function, _not_yet
from .panel import Panel, make_panel

__all__ = [
    "NOTEBOOK_EPOCHS",
    "FRACTIONS",
    "SimilarityTable",
    "similarity_table",
    "SharedPair",
    "shared_pairs",
    "StudyRun",
    "corpus_study",
    "plot_study",
    "epoch_report",
    "method_comparison",
    "parse_analogy",
    "explorer_view",
    "explorer_panel",
    "check_3cosadd",
    "check_coverage",
]

NOTEBOOK_EPOCHS = 10  # every run of the notebook, ours and gensim's
FRACTIONS = (0.25, 0.5, 1.0)  # shares of the sample's tokens the study trains on
STUDY_SEEDS = (0, 1)  # the seeds of the quarter-sample runs (two: a minute is the budget)
DATASETS = tuple(WORD_PAIR_FILES)  # ("wordsim353", "simlex999")
BOOTSTRAP = 1_000  # resamples behind each interval
RARE = 20  # a word seen fewer times than this in a run's corpus counts as rare


@dataclass(frozen=True)
class SimilarityTable:
    """Spearman of each run on each word-pair dataset, with coverage and (ours) intervals.

    Introduced in ``09_what_the_vectors_know.ipynb``.
    """

    rows: tuple[tuple[str, str, float, float, float], ...]  # run, dataset, rho, low, high
    coverage: tuple[tuple[str, int, int], ...]  # dataset, pairs used, pairs total

    def __str__(self) -> str:
        lines = [f"(95% intervals: {BOOTSTRAP:,} bootstrap resamples of the pairs)"]
        for dataset, used, total in self.coverage:
            lines.append(f"{dataset}: {used} of {total} pairs have both words in the vocabulary")
            for run, name, rho, low, high in self.rows:
                if name == dataset:
                    ci = f", 95% CI {low:.2f} to {high:.2f}" if math.isfinite(low) else ""
                    lines.append(f"  {run:<7} Spearman {rho:.3f}{ci}")
        return "\n".join(lines)


def similarity_table(
    runs: Mapping[str, torch.Tensor], vocab: Vocabulary, *, intervals: tuple[str, ...] = ("ours",)
) -> SimilarityTable:
    """Score each run on WordSim353 (relatedness) and SimLex999 (similarity).

    gensim's vectors move by up to 1e-3 between CPUs (its BLAS), which can move a bootstrap
    percentile, so only the runs named in ``intervals`` print theirs. Introduced in
    ``09_what_the_vectors_know.ipynb``.

    Args:
        runs: word vectors by name, e.g. ``{"ours": ..., "gensim": ...}``, rows in ``vocab``'s
            order.
        vocab: the vocabulary of every run.
        intervals: the runs whose bootstrap 95% interval is printed. Default: ``("ours",)``.

    Shape:
        - runs: each :math:`(V, E)`.
    """
    if not isinstance(runs, Mapping) or not runs:
        raise TypeError("runs must be a dict of vectors by name, e.g. {'ours': vectors}")
    rows = []
    coverage = []
    for dataset in DATASETS:
        for name, vectors in runs.items():
            check_vectors(f"runs[{name!r}]", vectors, len(vocab))
            result = word_pairs(vectors, vocab, dataset, bootstrap=BOOTSTRAP)
            low, high = (result.ci_low, result.ci_high) if name in intervals else (math.nan,) * 2
            rows.append((str(name), dataset, result.spearman, low, high))
        coverage.append((dataset, result.pairs_used, result.pairs_total))
    return SimilarityTable(tuple(rows), tuple(coverage))


@dataclass(frozen=True)
class SharedPair:
    """A pair scored by both WordSim353 and SimLex999, with our cosine.

    Introduced in ``09_what_the_vectors_know.ipynb``.
    """

    a: str
    b: str
    wordsim: float  # relatedness, 0 to 10
    simlex: float  # similarity, 0 to 10
    cosine: float

    def __str__(self) -> str:
        return (
            f"  {self.a + ' - ' + self.b:<24} WordSim {self.wordsim:4.1f}  "
            f"SimLex {self.simlex:4.1f}  cosine {self.cosine:+.2f}"
        )


def shared_pairs(vectors: torch.Tensor, vocab: Vocabulary, count: int = 6) -> str:
    """The ``count`` pairs in both datasets (both words known) on which they disagree most.

    Introduced in ``09_what_the_vectors_know.ipynb``.

    Args:
        vectors: word vectors, rows in ``vocab``'s order.
        vocab: their vocabulary.
        count: how many pairs, 1 to 20. Default: 6.

    Shape:
        - vectors: :math:`(V, E)`.
    """
    check_vectors("vectors", vectors, len(vocab))
    count = check_positive_int("count", count, maximum=20)
    ws = {frozenset((a, b)): s for a, b, s in load_word_pairs(WORD_PAIR_FILES["wordsim353"])}
    sl = {frozenset((a, b)): s for a, b, s in load_word_pairs(WORD_PAIR_FILES["simlex999"])}
    unit = torch.nn.functional.normalize(vectors.double().cpu(), dim=1)  # (V, E)
    found = []
    for key in sorted(ws.keys() & sl.keys(), key=sorted):
        a, b = sorted(key)
        if a in vocab.index and b in vocab.index and a != b:
            cosine = float(unit[vocab.index[a]] @ unit[vocab.index[b]])
            found.append(SharedPair(a, b, ws[key], sl[key], cosine))
    found.sort(key=lambda p: (-(p.wordsim - p.simlex), p.a, p.b))
    head = (
        f"{len(found)} pairs are in both datasets with both words known; the {count} that "
        "WordSim353 rates most above SimLex999:"
    )
    return "\n".join([head, *map(str, found[:count])])


@dataclass(frozen=True, kw_only=True)
class StudyRun:
    """One run of the study: its corpus share, seed, vocabulary and WordSim353 after each epoch.

    Introduced in ``09_what_the_vectors_know.ipynb``.

    Shape:
        - vectors: :math:`(V, E)`, the run's own vocabulary.
    """

    fraction: float
    seed: int
    tokens: int
    vocab_size: int
    pairs_used: int  # WordSim353 pairs with both words in this run's vocabulary
    spearman: tuple[float, ...]  # after epoch 1, 2, ...
    intervals: tuple[tuple[float, float], ...]  # bootstrap 95% interval after each epoch
    rare_pairs: int  # WordSim353 pairs with a word seen fewer than RARE times in this corpus
    rarer_median: int  # median count of each pair's rarer word in this corpus
    analogies: AnalogiesResult = field(repr=False)  # 3CosAdd, after the last epoch
    vectors: torch.Tensor = field(repr=False)  # (V, E) after the last epoch
    vocab: Vocabulary = field(repr=False)

    def __str__(self) -> str:
        return (
            f"{self.fraction:>4.0%} of the sample ({self.tokens:>7,} tokens, V = "
            f"{self.vocab_size:>5,}), seed {self.seed}: WordSim353 over {self.pairs_used:>3} pairs "
            f"after epoch 1, 5, {len(self.spearman)}: "
            + ", ".join(f"{self.spearman[e - 1]:.3f}" for e in (1, 5, len(self.spearman)))
            + f"\n      then analogies (3CosAdd): {self.analogies.correct} right of the "
            f"{self.analogies.questions_used:,} questions its vocabulary covers"
        )


def corpus_study(
    fractions: tuple[float, ...] = FRACTIONS,
    seeds: tuple[int, ...] = STUDY_SEEDS,
    epochs: int = NOTEBOOK_EPOCHS,
) -> tuple[StudyRun, ...]:
    """Train ours on the first share of the sample for each fraction (seed 0), and on the
    smallest share for each seed; score WordSim353 after every epoch. Each run builds its own
    vocabulary (min_count 5), so a smaller corpus also knows fewer words; each run keeps its
    final vectors and vocabulary. Introduced in ``09_what_the_vectors_know.ipynb``.

    Args:
        fractions: shares of the sample's tokens, each in (0, 1]. Default: 0.25, 0.5, 1.
        seeds: the seeds of the smallest share's runs. Default: 0, 1.
        epochs: epochs of every run, 5 to 20. Default: 10 (``NOTEBOOK_EPOCHS``).
    """
    if not fractions or not all(isinstance(f, float) and 0 < f <= 1 for f in fractions):
        raise ValueError(f"fractions must be numbers in (0, 1], got {fractions!r}")
    if not seeds or not all(isinstance(s, int) and s >= 0 for s in seeds):
        raise ValueError(f"seeds must be whole numbers >= 0, got {seeds!r}")
    if not isinstance(epochs, int) or not 5 <= epochs <= 20:
        raise ValueError(f"epochs must be a whole number from 5 to 20, got {epochs!r}")
    total = sum(map(len, load_wiki_sample()))
    plan = [(f, 0) for f in sorted(fractions)] + [(min(fractions), s) for s in seeds if s != 0]
    runs = []
    for fraction, seed in plan:
        sentences = load_wiki_sample(max_tokens=round(fraction * total))
        vocab = build_vocabulary(sentences, 5)
        scores: list[tuple[float, float, float]] = []

        def score(_epoch: int, vectors: torch.Tensor, v=vocab, out=scores) -> None:
            result = word_pairs(vectors, v, bootstrap=BOOTSTRAP)
            out.append((result.spearman, result.ci_low, result.ci_high))

        config = TrainConfig(epochs=epochs, seed=seed)
        result = train_word2vec(sentences, config, progress=False, vocab=vocab, on_epoch=score)
        pairs = load_word_pairs(WORD_PAIR_FILES["wordsim353"])
        known = [(a, b) for a, b, _ in pairs if a in vocab.index and b in vocab.index]
        rarer = torch.tensor(
            [int(vocab.counts[[vocab.index[a], vocab.index[b]]].min()) for a, b in known]
        )
        tokens = sum(map(len, sentences))
        runs.append(
            StudyRun(
                fraction=fraction,
                seed=seed,
                tokens=tokens,
                vocab_size=len(vocab),
                pairs_used=len(known),
                spearman=tuple(rho for rho, _, _ in scores),
                intervals=tuple((low, high) for _, low, high in scores),
                rare_pairs=int((rarer < RARE).sum()),
                rarer_median=int(rarer.median()),
                analogies=analogies(result.vectors, vocab, "3cosadd"),
                vectors=result.vectors,
                vocab=vocab,
            )
        )
    return tuple(runs)


def plot_study(runs: tuple[StudyRun, ...]) -> Figure:
    """WordSim353 Spearman after each epoch, one line per run of :func:`corpus_study`.

    Introduced in ``09_what_the_vectors_know.ipynb``.

    Args:
        runs: the study's runs.
    """
    if not runs or not all(isinstance(r, StudyRun) for r in runs):
        raise TypeError("runs must be the tuple corpus_study returns")
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for run in runs:
        epochs = range(1, len(run.spearman) + 1)
        style = "-" if run.seed == 0 else ":"
        label = f"{run.fraction:.0%} of the sample" + (f", seed {run.seed}" if run.seed else "")
        ax.plot(epochs, run.spearman, style, marker="o", ms=3, label=label)
    ax.set(xlabel="epoch", ylabel="WordSim353 Spearman", title="More text, more epochs")
    ax.legend(fontsize=8)
    fig.tight_layout()
    plt.close(fig)
    return fig


def epoch_report(run: StudyRun, epoch: int) -> str:
    """One run's WordSim353 after one epoch with its interval, the spread a Spearman has over
    that many pairs with no relation at all, and how many of the pairs hold a rare word.

    Introduced in ``09_what_the_vectors_know.ipynb``.

    Args:
        run: one run of :func:`corpus_study`.
        epoch: a whole number from 1 to the run's epochs.
    """
    if not isinstance(run, StudyRun):
        raise TypeError(f"run must be one run of corpus_study, got {type(run).__name__}")
    epoch = check_positive_int("epoch", epoch, maximum=len(run.spearman))
    rho = run.spearman[epoch - 1]
    low, high = run.intervals[epoch - 1]
    P = run.pairs_used
    return "\n".join(
        [
            f"{run.fraction:.0%} of the sample, seed {run.seed}, after epoch {epoch}: WordSim353 "
            f"{rho:+.3f}, 95% CI {low:+.2f} to {high:+.2f}, holds 0: {low <= 0 <= high}",
            f"  with no relation at all, a Spearman over {P} pairs spreads about "
            f"1/sqrt({P} - 1) = {1 / math.sqrt(P - 1):.3f} around 0",
            f"  {run.rare_pairs} of the {P} pairs hold a word seen fewer than {RARE} times in this "
            f"corpus (median count of each pair's rarer word: {run.rarer_median})",
        ]
    )


def method_comparison(vectors: torch.Tensor, vocab: Vocabulary) -> str:
    """3CosAdd against 3CosMul question by question: who gets which right, a sign test on the
    questions only one gets right, and, where only 3CosAdd is right, how close 3CosMul's pick
    and the right answer are to a, b and c (mean cosines).

    Introduced in ``09_what_the_vectors_know.ipynb``.

    Args:
        vectors: word vectors, rows in ``vocab``'s order.
        vocab: their vocabulary.

    Shape:
        - vectors: :math:`(V, E)`.
    """
    from scipy.stats import binomtest  # local: scipy is only needed here

    questions, by_add = analogy_picks(vectors, vocab, "3cosadd")  # (Q, 4), (Q,)
    _, by_mul = analogy_picks(vectors, vocab, "3cosmul")  # (Q,)
    add_right = by_add == questions[:, 3]  # (Q,)
    mul_right = by_mul == questions[:, 3]  # (Q,)
    only_add = int((add_right & ~mul_right).sum())
    only_mul = int((mul_right & ~add_right).sum())
    p = binomtest(only_add, only_add + only_mul).pvalue if only_add + only_mul else math.nan
    unit = torch.nn.functional.normalize(vectors.double().cpu(), dim=1)  # (V, E)
    lost = questions[add_right & ~mul_right]  # (L, 4)
    lines = [
        f"{len(questions):,} questions: both right {int((add_right & mul_right).sum())}, only "
        f"3CosAdd {only_add}, only 3CosMul {only_mul}; sign test on the {only_add + only_mul} "
        f"they split: p = {p:.1e}",
        f"where only 3CosAdd is right, mean cosine with     {'a':>6}{'b':>7}{'c':>7}",
    ]
    for name, rows in (
        ("3CosMul's pick", by_mul[add_right & ~mul_right]),
        ("the answer", lost[:, 3]),
    ):
        near = [float((unit[rows] * unit[lost[:, k]]).sum(1).mean()) for k in range(3)]
        lines.append(f"  {name:<44}" + "".join(f"{c:>7.3f}" for c in near))
    return "\n".join(lines)


_ANALOGY = re.compile(r"^\s*(\S+)\s*:\s*(\S+)\s*::\s*(\S+)\s*:\s*\??\s*$")


def parse_analogy(text: str) -> tuple[str, str, str]:
    """``"man : king :: woman : ?"`` -> ``("man", "king", "woman")``, lowercased.

    Introduced in ``09_what_the_vectors_know.ipynb``.

    Args:
        text: ``a : b :: c : ?`` (the ``?`` may be left out).
    """
    match = _ANALOGY.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(
            f"write the analogy as 'a : b :: c : ?', e.g. 'man : king :: woman : ?'; got {text!r}"
        )
    a, b, c = (w.lower() for w in match.groups())
    return a, b, c


def explorer_view(
    vectors: torch.Tensor,
    vocab: Vocabulary,
    word: str = "king",
    analogy: str = "man : king :: woman : ?",
) -> str:
    """A word's 8 nearest neighbours, and the top 3 answers to an analogy by each method.

    Unknown words get a message naming the field, not an error. Introduced in
    ``09_what_the_vectors_know.ipynb``.

    Args:
        vectors: word vectors, rows in ``vocab``'s order.
        vocab: their vocabulary.
        word: the word whose neighbours to show. Default: ``"king"``.
        analogy: ``a : b :: c : ?``. Default: ``"man : king :: woman : ?"``.

    Shape:
        - vectors: :math:`(V, E)`.
    """
    check_vectors("vectors", vectors, len(vocab))
    V, E = vectors.shape
    check_memory(  # a float32 unit copy (V, E), a float64 copy with its unit rows, (V,) rows
        4 * V * E + 16 * V * E + 8 * V * 8, f"the explorer's similarities over V={V:,}, E={E}"
    )
    lines = []
    key = word.strip().lower() if isinstance(word, str) else word
    if key in vocab.index:
        near = most_similar(vectors, vocab, key, 8)  # cosines rounded to 3 decimals
        lines.append(f"{key}: " + ", ".join(f"{w} {s:.3f}" for w, s in near))  # not rounded twice
    else:
        lines.append(f"word: {word!r} is not in the vocabulary ({len(vocab):,} words)")
    try:
        a, b, c = parse_analogy(analogy)
        answers = answer_analogy(vectors, vocab, a, b, c, topn=3)
    except ValueError as err:
        lines.append(f"analogy: {err}")
    else:
        lines.append(f"{a} : {b} :: {c} : ?")
        for method, found in answers.items():
            lines.append(f"  {method:<8}" + ", ".join(f"{w} {s:.3f}" for w, s in found))
    return "\n".join(lines)


@functools.lru_cache(maxsize=1)
def _notebook_vectors() -> tuple[torch.Tensor, Vocabulary]:
    """Our vectors as the notebook trains them (seconds: cached per kernel)."""
    sentences = load_wiki_sample()
    vocab = build_vocabulary(sentences, min_count=5)
    config = TrainConfig(epochs=NOTEBOOK_EPOCHS)  # seed 0: the study's full-sample run
    return train_word2vec(sentences, config, progress=False, vocab=vocab).vectors, vocab


def explorer_panel(vectors: torch.Tensor | None = None, vocab: Vocabulary | None = None) -> Panel:
    """Type a word, see its neighbours; type a : b :: c : ?, see both methods' answers.

    Behind it: :func:`w2v_helpers.lessons.nb09_what_the_vectors_know.explorer_view`. Without
    arguments it trains the notebook's vectors itself (seconds, once). Introduced in
    ``09_what_the_vectors_know.ipynb``.

    Args:
        vectors: word vectors, rows in ``vocab``'s order. Default: the notebook's run.
        vocab: their vocabulary (needed with ``vectors``).

    Shape:
        - vectors: :math:`(V, E)`.
    """
    if vectors is not None:
        if not isinstance(vocab, Vocabulary):
            raise TypeError(f"vocab must be a Vocabulary (build_vocabulary), got {vocab!r}")
        check_vectors("vectors", vectors, len(vocab))

    def render(word: str, analogy: str) -> str:
        # The notebook's run is trained on the first draw, under the memory guard.
        table, words = (vectors, vocab) if vectors is not None else _notebook_vectors()
        return explorer_view(table, words, word, analogy)

    controls = {
        "word": widgets.Text(description="word", value="king", continuous_update=False),
        "analogy": widgets.Text(
            description="a : b :: c : ?", value="man : king :: woman : ?", continuous_update=False
        ),
    }
    return make_panel("Explore the vectors", controls, render)


def check_3cosadd(fn: Callable[..., object]) -> Feedback:
    """Exercise: ``fn(vectors, a, b, c)`` returns the row id that best completes a : b :: c : ?
    by 3CosAdd (cosine, the three question rows left out).

    The oracle is a loop over six hand-made rows where a long row, a question word and a
    flipped sign each give a different answer. Introduced in ``09_what_the_vectors_know.ipynb``.

    Args:
        fn: the learner's function.

    Shape:
        - fn gets: vectors :math:`(6, 3)` float64 and three ints; returns an int (or a 0-d
          integer tensor).
    """
    if (problem := _not_a_function(fn)) is not None:
        return problem
    vectors = torch.tensor(
        [
            [2.66, 0.89, -1.35],  # 0 a
            [-0.01, -0.82, -0.51],  # 1 b: the best of all six, if the question words count
            [0.58, -0.84, -0.21],  # 2 c
            [0.08, -1.57, 0.59],  # 3 the answer by 3CosAdd
            [-7.52, 2.6, 9.06],  # 4 long: wins a plain dot product with b - a + c
            [0.62, 3.14, -0.0],  # 5 wins if the offset is a - b + c
        ],
        dtype=torch.float64,
    )  # (6, 3)
    try:
        got = fn(vectors.clone(), 0, 1, 2)
    except Exception as err:  # the learner's code: report any failure as feedback
        return _not_yet(f"your function raised {type(err).__name__}: {err}")
    if got is None:
        return _not_yet("your function returns nothing yet; fill in its body.")
    if isinstance(got, torch.Tensor) and got.numel() == 1 and not got.is_floating_point():
        got = int(got)
    if not isinstance(got, int) or isinstance(got, bool):
        return _not_yet(f"return one row id (an int, e.g. int(scores.argmax())), got {got!r}.")
    answer = got
    messages = {
        3: None,
        4: "row 4 is long, so it wins the dot product: normalise the rows (cosine) first.",
        5: "you went the other way: the offset is b - a + c, not a - b + c.",
        1: "row 1 is b itself: leave a, b and c out of the answers.",
        2: "row 2 is c itself: leave a, b and c out of the answers.",
        0: "row 0 is a itself: leave a, b and c out of the answers.",
    }
    if answer == 3:
        return _correct("row 3: cos(x, b) - cos(x, a) + cos(x, c) is largest there.")
    return _not_yet(messages.get(answer) or f"row {answer} is not the answer; rank by 3CosAdd.")


def check_coverage(fn: Callable[..., object]) -> Feedback:
    """Exercise: ``fn(pairs, vocab_words)`` returns how many pairs have both words in the
    vocabulary. Words are compared lowercased, as the datasets and our vocabulary are.

    The oracle counts on a small list where one word is known in another case and two pairs
    have only one known word. Introduced in ``09_what_the_vectors_know.ipynb``.

    Args:
        fn: the learner's function.
    """
    if (problem := _not_a_function(fn)) is not None:
        return problem
    pairs = [
        ("King", "queen", 8.6),
        ("cat", "dog", 7.4),
        ("cat", "zyzzyva", 1.0),
        ("car", "road", 6.0),
    ]
    words = ("king", "queen", "cat", "dog", "car")
    try:
        got = fn(list(pairs), set(words))
    except Exception as err:  # the learner's code: report any failure as feedback
        return _not_yet(f"your function raised {type(err).__name__}: {err}")
    if got is None:
        return _not_yet("your function returns nothing yet; fill in its body.")
    if not isinstance(got, int) or isinstance(got, bool):
        return _not_yet(f"return a whole number of pairs, got {got!r}.")
    if got == 2:
        return _correct("2 of 4 pairs: (King, queen) once lowercased, and (cat, dog).")
    if got == 1:
        return _not_yet("compare lowercased words: 'King' is 'king' in the vocabulary.")
    if got == 4:
        return _not_yet("a pair counts only if *both* words are known, not either.")
    if got == 0:
        return _not_yet("no pair counted: test each of the two words with `in vocab_words`.")
    return _not_yet(f"got {got}; count the pairs whose two words are both in the vocabulary.")
