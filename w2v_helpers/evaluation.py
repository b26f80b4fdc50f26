"""What trained vectors know: nearest neighbours and word-similarity correlation.

Cosine similarity of the input vectors, as word2vec and gensim use it. WordSim353 ships inside
gensim's wheel (no download). Introduced in ``06_negative_sampling_real_corpus.ipynb``.

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F

from .corpus import Vocabulary, load_wordsim353
from .validation import check_positive_int, check_vectors

__all__ = ["most_similar", "relative_movement", "spearman", "wordsim_spearman"]


def most_similar(
    vectors: torch.Tensor, vocab: Vocabulary, word: str, topn: int = 5
) -> list[tuple[str, float]]:
    """Nearest neighbours of ``word`` by cosine similarity (the word itself left out).

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

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
    human, model = [], []
    for a, b, score in load_wordsim353():
        if a in vocab.index and b in vocab.index:
            human.append(score)
            model.append(float(unit[vocab.index[a]] @ unit[vocab.index[b]]))
    return spearman(human, model)


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
