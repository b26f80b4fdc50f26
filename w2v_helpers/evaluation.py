"""What trained vectors know: nearest neighbours and word-similarity correlation.

Cosine similarity of the input vectors, as word2vec and gensim use it. WordSim353 ships inside
gensim's wheel (no download). Introduced in ``06_negative_sampling_real_corpus.ipynb``.

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .corpus import Vocabulary, load_word_pairs, load_wordsim353
from .validation import check_int, check_positive_int, check_seed, check_token_ids, check_vectors

__all__ = [
    "WordPairsResult",
    "export_projector",
    "most_similar",
    "neighbour_overlap",
    "relative_movement",
    "spearman",
    "spearman_difference",
    "word_pairs",
    "wordsim_spearman",
]


def most_similar(
    vectors: torch.Tensor, vocab: Vocabulary, word: str, topn: int = 5
) -> list[tuple[str, float]]:
    """Nearest neighbours of ``word`` by cosine similarity (the word itself left out).

    Introduced in ``07_fast_trainer_vs_gensim.ipynb``.

    Args:
        vectors: finite floating word vectors, one row per word of ``vocab``.
        vocab: the vocabulary the rows belong to.
        word: the word to look up; must be in ``vocab``.
        topn: how many neighbours to return, a whole number in [1, V - 1]. Default: 5.

    Returns:
        ``topn`` pairs ``(word, cosine similarity rounded to 3 decimals)``, most similar first.

    Shape:
        - vectors: :math:`(V, E)`.
    """
    check_vectors("vectors", vectors, len(vocab))
    topn = check_positive_int("topn", topn, maximum=len(vocab) - 1)
    if word not in vocab.index:
        raise ValueError(f"word {word!r} is not in the vocabulary (min_count={vocab.min_count})")
    if not bool(vectors[vocab.index[word]].any()):
        raise ValueError(
            f"vectors holds a zero row for {word!r}: a zero vector has no direction, so no "
            "cosine similarity; train the vectors first"
        )
    unit = F.normalize(vectors.float().cpu(), dim=1)  # (V, E)
    sims = unit @ unit[vocab.index[word]]  # (V, E) @ (E,) -> (V,)
    sims[vocab.index[word]] = -math.inf
    top = sims.topk(topn)
    return [
        (vocab.words[i], round(float(s), 3)) for s, i in zip(top.values, top.indices, strict=True)
    ]


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman rank correlation (scipy's, average ranks for ties).

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        a: the first sequence of numbers.
        b: the second sequence of numbers, paired with ``a`` item by item (same length).
    """
    from scipy.stats import spearmanr  # local: scipy is only needed here

    for name, values in (("a", a), ("b", b)):
        if len(values) < 2 or np.ptp(np.asarray(values, dtype=np.float64)) == 0:
            raise ValueError(
                f"{name} must hold at least two different values: a rank correlation of a "
                "constant is undefined"
            )
    return float(spearmanr(a, b).statistic)


def wordsim_spearman(vectors: torch.Tensor, vocab: Vocabulary) -> float:
    """WordSim353 Spearman of cosine similarities, over pairs with both words in ``vocab``.

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        vectors: finite floating word vectors, one row per word of ``vocab``.
        vocab: the vocabulary the rows belong to.

    Shape:
        - vectors: :math:`(V, E)`.
    """
    check_vectors("vectors", vectors, len(vocab))
    unit = F.normalize(vectors.float().cpu(), dim=1)  # (V, E)
    human = []
    model = []
    used = set()
    for a, b, score in load_wordsim353():
        if a in vocab.index and b in vocab.index:
            human.append(score)
            model.append(float(unit[vocab.index[a]] @ unit[vocab.index[b]]))
            used |= {vocab.index[a], vocab.index[b]}
    if len(human) < MIN_PAIRS:
        raise ValueError(
            f"only {len(human)} wordsim353 pairs have both words in vocab; need {MIN_PAIRS}"
        )
    _refuse_zero_rows(vectors, vocab, sorted(used), "wordsim353")
    return spearman(human, model)


def _refuse_zero_rows(
    vectors: torch.Tensor, vocab: Vocabulary, rows: list[int], dataset: str
) -> None:
    """A zero row has no direction: its cosine with anything is undefined, not 0."""
    zero = [vocab.words[i] for i in rows if not bool(vectors[i].any())]
    if zero:
        raise ValueError(
            f"vectors holds zero rows for {len(zero)} word(s) of the {dataset} pairs, e.g. "
            f"{zero[0]!r}: a zero vector has no direction, so no cosine; train the vectors first"
        )


def relative_movement(before: torch.Tensor, after: torch.Tensor) -> float:
    """Median over rows of |after - before| / |before|: how far training moved the vectors.

    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        before: the table before training, finite floating, no zero row.
        after: the same table after training, same shape.

    Shape:
        - before, after: :math:`(V, E)`.
    """
    before = check_vectors(
        "before", before, before.shape[0] if isinstance(before, torch.Tensor) else 0
    )
    after = check_vectors("after", after, before.shape[0])
    if after.shape != before.shape:
        raise ValueError(
            f"after must have before's shape {tuple(before.shape)}, got {tuple(after.shape)}"
        )
    size = before.double().norm(dim=1)  # (V,)
    if not bool((size > 0).all()):
        raise ValueError("before must have no zero row (movement is relative to each row's size)")
    return float(((after.double() - before.double()).norm(dim=1) / size).quantile(0.5))  # (V,) -> 1


WORD_PAIR_FILES = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}
MAX_BOOTSTRAP = 100_000
MIN_PAIRS = 10  # fewer pairs say nothing about a rank correlation


@dataclass(frozen=True, kw_only=True)
class WordPairsResult:
    """Spearman correlation of cosine similarity with human scores, with coverage and a 95% CI.

    Introduced in ``07_fast_trainer_vs_gensim.ipynb``.
    """

    dataset: str
    spearman: float
    pairs_used: int  # pairs with both words in the vocabulary
    pairs_total: int
    ci_low: float  # 2.5th percentile of the bootstrap (pairs resampled with replacement)
    ci_high: float  # 97.5th percentile

    def __str__(self) -> str:
        return (
            f"{self.dataset}: Spearman {self.spearman:.3f} (95% CI {self.ci_low:.3f} to "
            f"{self.ci_high:.3f}), {self.pairs_used} of {self.pairs_total} pairs"
        )


def _pair_scores(
    vectors: torch.Tensor, vocab: Vocabulary, dataset: str
) -> tuple[np.ndarray, np.ndarray, int]:
    """(human scores, cosine similarities) of the pairs both in ``vocab``; the dataset's size."""
    if not isinstance(dataset, str) or dataset not in WORD_PAIR_FILES:
        raise ValueError(f"dataset must be one of {tuple(WORD_PAIR_FILES)}, got {dataset!r}")
    check_vectors("vectors", vectors, len(vocab))
    unit = F.normalize(vectors.double().cpu(), dim=1)  # (V, E) float64: no rank flips by rounding
    pairs = load_word_pairs(WORD_PAIR_FILES[dataset])
    used = [(a, b, s) for a, b, s in pairs if a in vocab.index and b in vocab.index]
    if len(used) < MIN_PAIRS:
        raise ValueError(
            f"only {len(used)} {dataset} pairs have both words in vocab; need {MIN_PAIRS}"
        )
    rows = torch.tensor([[vocab.index[a], vocab.index[b]] for a, b, _ in used])  # (P, 2)
    _refuse_zero_rows(vectors, vocab, rows.unique().tolist(), dataset)
    cosine = (unit[rows[:, 0]] * unit[rows[:, 1]]).sum(1).numpy()  # (P,)
    return np.array([s for _, _, s in used]), cosine, len(pairs)


def _bootstrap_spearman(human: np.ndarray, model: np.ndarray, rounds: int, seed: int) -> np.ndarray:
    """Spearman of ``rounds`` resamples of the pairs (with replacement), ties ranked on average."""
    from scipy.stats import rankdata  # local: scipy is only needed here

    draw = np.random.default_rng(seed).integers(0, len(human), size=(rounds, len(human)))
    a = rankdata(human[draw], axis=1)  # (rounds, P)
    b = rankdata(model[draw], axis=1)  # (rounds, P)
    a = a - a.mean(1, keepdims=True)  # (rounds, P) centred
    b = b - b.mean(1, keepdims=True)  # (rounds, P) centred
    spread = np.sqrt((a * a).sum(1) * (b * b).sum(1))  # 0 when a resample repeats one pair
    return (a * b).sum(1) / np.where(spread > 0, spread, np.nan)  # (rounds,) NaN: undefined


def word_pairs(
    vectors: torch.Tensor,
    vocab: Vocabulary,
    dataset: str = "wordsim353",
    *,
    bootstrap: int = 1_000,
    seed: int = 0,
) -> WordPairsResult:
    """Spearman of cosine similarity against human scores, its coverage and a bootstrap 95% CI.

    Pairs with a word outside ``vocab`` are left out and counted (``pairs_used`` of
    ``pairs_total``). The interval resamples the used pairs with replacement ``bootstrap`` times
    (seeded) and takes the 2.5th and 97.5th percentiles. Introduced in
    ``07_fast_trainer_vs_gensim.ipynb``.

    Args:
        vectors: finite floating word vectors, one row per word of ``vocab``.
        vocab: the vocabulary the rows belong to.
        dataset: ``"wordsim353"`` (relatedness) or ``"simlex999"`` (similarity), both from
            gensim's test data. Default: ``"wordsim353"``.
        bootstrap: resamples for the interval, a whole number in [100, 100,000]. Default: 1,000.
        seed: seeds the resampling. Default: 0.

    Shape:
        - vectors: :math:`(V, E)`.
    """
    rounds = check_int("bootstrap", bootstrap, low=100, high=MAX_BOOTSTRAP)
    seed = check_seed("seed", seed)
    human, model, total = _pair_scores(vectors, vocab, dataset)
    low, high = np.nanpercentile(_bootstrap_spearman(human, model, rounds, seed), [2.5, 97.5])
    return WordPairsResult(
        dataset=dataset,
        spearman=spearman(human, model),
        pairs_used=len(human),
        pairs_total=total,
        ci_low=low,
        ci_high=high,
    )


def spearman_difference(
    vectors_a: torch.Tensor,
    vectors_b: torch.Tensor,
    vocab: Vocabulary,
    dataset: str = "wordsim353",
    *,
    bootstrap: int = 1_000,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Spearman of ``vectors_a`` minus that of ``vectors_b`` on the same pairs, with a paired
    bootstrap 95% interval: (difference, low, high). An interval that holds 0 says the two are
    not told apart by this dataset. Introduced in ``07_fast_trainer_vs_gensim.ipynb``.

    Args:
        vectors_a: one set of word vectors, one row per word of ``vocab``.
        vectors_b: another, same vocabulary.
        vocab: the vocabulary of both.
        dataset: ``"wordsim353"`` or ``"simlex999"``. Default: ``"wordsim353"``.
        bootstrap: resamples, a whole number in [100, 100,000]. Default: 1,000.
        seed: seeds the resampling (both sets see the same resamples). Default: 0.

    Shape:
        - vectors_a, vectors_b: :math:`(V, E)`.
    """
    rounds = check_int("bootstrap", bootstrap, low=100, high=MAX_BOOTSTRAP)
    seed = check_seed("seed", seed)
    check_vectors("vectors_a", vectors_a, len(vocab))
    check_vectors("vectors_b", vectors_b, len(vocab))
    human, model_a, _ = _pair_scores(vectors_a, vocab, dataset)
    _, model_b, _ = _pair_scores(vectors_b, vocab, dataset)
    paired = _bootstrap_spearman(human, model_a, rounds, seed) - _bootstrap_spearman(
        human, model_b, rounds, seed
    )  # (rounds,) the same resamples for both
    low, high = np.nanpercentile(paired, [2.5, 97.5])
    return spearman(human, model_a) - spearman(human, model_b), float(low), float(high)


def neighbour_overlap(
    vectors_a: torch.Tensor, vectors_b: torch.Tensor, words: torch.Tensor, topn: int = 10
) -> float:
    """Mean share of the ``topn`` nearest neighbours (cosine) two sets of vectors agree on.

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        vectors_a: one set of word vectors, finite floating.
        vectors_b: another for the same vocabulary, same shape.
        words: the ids of the words to compare, 1-D, in [0, V).
        topn: neighbours per word, a whole number in [1, V - 1]. Default: 10.

    Shape:
        - vectors_a, vectors_b: :math:`(V, E)`; words: :math:`(W)`.
    """
    V = vectors_a.shape[0] if isinstance(vectors_a, torch.Tensor) else 0
    check_vectors("vectors_a", vectors_a, V)
    check_vectors("vectors_b", vectors_b, V)
    topn = check_positive_int("topn", topn, maximum=V - 1)
    words = check_token_ids("words", words, vocab_size=V, ranks=(1,))
    tops = []
    for vectors in (vectors_a, vectors_b):
        unit = F.normalize(vectors.double().cpu(), dim=1)  # (V, E)
        sims = unit[words] @ unit.T  # (W, E) @ (E, V) -> (W, V)
        sims[torch.arange(len(words)), words] = -math.inf  # a word is not its own neighbour
        tops.append(sims.topk(topn, dim=1).indices)  # (W, topn)
    shared = [len(set(a) & set(b)) for a, b in zip(tops[0].tolist(), tops[1].tolist(), strict=True)]
    return sum(shared) / (topn * len(shared))


def export_projector(
    vectors: torch.Tensor, vocab: Vocabulary, directory: str | os.PathLike
) -> tuple[str, str]:
    """Write ``vectors.tsv`` and ``metadata.tsv`` for the Embedding Projector; return their paths.

    ``vectors.tsv`` holds one row per word, its E numbers tab-separated, each with 9 significant
    digits (enough to read float32 back exactly); ``metadata.tsv`` one word per line in the same
    order (a single column has no header). Load both in https://projector.tensorflow.org with
    "Load" (nothing is sent anywhere until you do). Introduced in
    ``09_what_the_vectors_know.ipynb``.

    Args:
        vectors: finite floating word vectors, one row per word of ``vocab``.
        vocab: the vocabulary the rows belong to; a word with a tab or a line break is refused.
        directory: an existing folder to write the two files into (they are overwritten).

    Shape:
        - vectors: :math:`(V, E)`.
    """
    check_vectors("vectors", vectors, len(vocab))
    if not os.path.isdir(directory):
        raise ValueError(f"directory must be an existing folder, got {str(directory)!r}")
    bad = next((w for w in vocab.words if "\t" in w or "\n" in w or "\r" in w), None)
    if bad is not None:
        raise ValueError(f"the Projector's TSV cannot hold the word {bad!r} (a tab or line break)")
    rows = vectors.detach().cpu().float().tolist()
    vectors_path = os.path.join(directory, "vectors.tsv")
    metadata_path = os.path.join(directory, "metadata.tsv")
    with open(vectors_path, "w", encoding="utf8") as handle:
        handle.writelines("\t".join(f"{x:.9g}" for x in row) + "\n" for row in rows)
    with open(metadata_path, "w", encoding="utf8") as handle:
        handle.writelines(word + "\n" for word in vocab.words)
    return vectors_path, metadata_path
