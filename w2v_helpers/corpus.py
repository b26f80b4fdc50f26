"""A real corpus without a download: the Wikipedia sample and WordSim353 inside gensim's wheel.

Vocabulary with ``min_count``, subsampling of frequent words, the unigram^0.75 noise sampler and
the dynamic window, each as a small function a notebook can show on the data. Introduced in
``05_negative_sampling_real_corpus.ipynb``.

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives.
"""

from __future__ import annotations

import functools
import math
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .validation import check_positive_int

__all__ = [
    "NOISE_POWER",
    "Vocabulary",
    "build_vocabulary",
    "dynamic_window_pairs",
    "encode",
    "keep_probabilities",
    "load_wiki_sample",
    "load_wordsim353",
    "noise_distribution",
    "sample_noise",
    "sentence_chunks",
    "subsample",
    "test_data_path",
]

WIKI_FILE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
WORDSIM_FILE = "wordsim353.tsv"
NOISE_POWER = 0.75  # word2vec's exponent: unigram counts ** 0.75
SENTENCE_LENGTH = 1_000  # gensim truncates sentences over 10,000 tokens; we cut at 1,000


def test_data_path(name: str) -> str:
    """Path of a file in gensim's bundled ``test/test_data`` folder (no network needed).

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    import gensim  # local: gensim is heavy and only this loader needs it

    path = os.path.join(os.path.dirname(gensim.__file__), "test", "test_data", name)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{name} is not in gensim's test data ({path}); reinstall gensim")
    return path


@functools.lru_cache(maxsize=1)
def _wiki_documents() -> tuple[tuple[str, ...], ...]:
    from gensim.corpora.wikicorpus import WikiCorpus

    wiki = WikiCorpus(test_data_path(WIKI_FILE), dictionary={}, processes=1)
    return tuple(tuple(doc) for doc in wiki.get_texts())


def load_wiki_sample(max_tokens: int | None = None) -> list[list[str]]:
    """The Wikipedia sample in gensim's wheel as sentences of lowercase tokens (about 453k).

    Parsed with gensim's ``WikiCorpus`` (markup stripped, lowercased, tokens of 2 to 15
    letters), then cut into sentences of at most 1,000 tokens so gensim's 10,000-token limit
    never truncates anything. ``max_tokens`` keeps only the first tokens. Introduced in
    ``05_negative_sampling_real_corpus.ipynb``.
    """
    if max_tokens is not None:
        max_tokens = check_positive_int("max_tokens", max_tokens)
    return sentence_chunks(_wiki_documents(), SENTENCE_LENGTH, max_tokens=max_tokens)


def sentence_chunks(
    documents: Sequence[Sequence[str]], length: int, *, max_tokens: int | None = None
) -> list[list[str]]:
    """Cut documents into sentences of at most ``length`` tokens, stopping at ``max_tokens``.

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    length = check_positive_int("length", length)
    budget = math.inf if max_tokens is None else check_positive_int("max_tokens", max_tokens)
    out: list[list[str]] = []
    for doc in documents:
        for start in range(0, len(doc), length):
            piece = list(doc[start : start + length])[: int(min(length, budget))]
            if piece:
                out.append(piece)
                budget -= len(piece)
            if budget <= 0:
                return out
    return out


def load_wordsim353() -> list[tuple[str, str, float]]:
    """WordSim353 from gensim's test data: (word, word, human score 0..10) triples.

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    pairs = []
    with open(test_data_path(WORDSIM_FILE), encoding="utf8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            a, b, score = line.rstrip("\n").split("\t")
            pairs.append((a.lower(), b.lower(), float(score)))
    return pairs


@dataclass(frozen=True)
class Vocabulary:
    """Words kept at ``min_count``, most frequent first, with their counts.

    ``words[i]`` has id ``i`` and ``counts[i]`` occurrences; ``index`` maps a word to its id.

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """

    words: tuple[str, ...]
    counts: torch.Tensor  # (V,) int64
    min_count: int

    @functools.cached_property
    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    @property
    def total(self) -> int:
        """Tokens of the corpus that are in the vocabulary."""
        return int(self.counts.sum())


def build_vocabulary(sentences: Sequence[Sequence[str]], min_count: int = 5) -> Vocabulary:
    """Count words and keep those seen at least ``min_count`` times (ties broken by word).

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    min_count = check_positive_int("min_count", min_count)
    if isinstance(sentences, str) or not isinstance(sentences, Sequence):
        raise TypeError(f"sentences must be a list of token lists, got {type(sentences).__name__}")
    counter: Counter[str] = Counter()
    for sentence in sentences:
        if isinstance(sentence, str):
            raise TypeError("sentences must be a list of token lists, got a list of strings")
        counter.update(sentence)
    kept = sorted(
        ((c, w) for w, c in counter.items() if c >= min_count), key=lambda t: (-t[0], t[1])
    )
    if not kept:
        raise ValueError(f"no word occurs min_count={min_count} times; lower min_count")
    return Vocabulary(
        words=tuple(w for _, w in kept),
        counts=torch.tensor([c for c, _ in kept], dtype=torch.long),
        min_count=min_count,
    )


def encode(sentences: Sequence[Sequence[str]], vocab: Vocabulary) -> torch.Tensor:
    """One int64 id stream of every in-vocabulary token (out-of-vocabulary ones dropped).

    Shape:
        Output: (L,) with L = ``vocab.total`` for the sentences the vocabulary was built from.

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    index = vocab.index
    ids = [index[w] for sentence in sentences for w in sentence if w in index]
    return torch.tensor(ids, dtype=torch.long)  # (L,)


def _check_sample(sample: float) -> float:
    if isinstance(sample, bool) or not isinstance(sample, (int, float)):
        raise TypeError(f"sample must be a number, got {sample!r}")
    if not 0 < sample < 1:
        raise ValueError(f"sample must be in (0, 1), like 1e-3, got {sample!r}")
    return float(sample)


def keep_probabilities(counts: torch.Tensor, sample: float = 1e-3) -> torch.Tensor:
    """Probability of keeping each occurrence of each word, word2vec's C formula (and gensim's).

    With ``f = count / total`` and threshold ``t = sample``:
    ``p_keep = (sqrt(f / t) + 1) * t / f``, capped at 1. (Mikolov et al. 2013's paper writes
    ``1 - sqrt(t / f)`` as the *discard* probability; the released code uses this one.)

    Shape:
        Input: (V,) counts. Output: (V,) float64 in (0, 1].

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    sample = _check_sample(sample)
    if not isinstance(counts, torch.Tensor) or counts.dim() != 1 or counts.numel() == 0:
        raise TypeError("counts must be a non-empty 1-D tensor of word counts")
    if bool((counts <= 0).any()):
        raise ValueError("counts must all be positive")
    f = counts.double() / counts.sum()  # (V,)
    return ((f / sample).sqrt() + 1).mul(sample / f).clamp(max=1.0)  # (V,)


def subsample(
    ids: torch.Tensor, keep: torch.Tensor, *, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Keep each token of the (L,) id stream with probability ``keep[id]``; returns (L',).

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    draw = torch.rand(ids.shape, generator=generator, dtype=torch.float64)  # (L,)
    return ids[draw < keep[ids]]  # (L',)


def noise_distribution(counts: torch.Tensor, power: float = NOISE_POWER) -> torch.Tensor:
    """The negative-sampling noise distribution ``counts ** power / sum``, float64, shape (V,).

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    if not isinstance(counts, torch.Tensor) or counts.dim() != 1 or counts.numel() == 0:
        raise TypeError("counts must be a non-empty 1-D tensor of word counts")
    if isinstance(power, bool) or not isinstance(power, (int, float)) or not 0 <= power <= 1:
        raise ValueError(f"power must be a number in [0, 1], got {power!r}")
    weights = counts.double() ** power  # (V,)
    return weights / weights.sum()


def sample_noise(
    probs: torch.Tensor,
    shape: Sequence[int],
    *,
    generator: torch.Generator | None = None,
    table_size: int = 1_000_000,
) -> torch.Tensor:
    """Draw noise ids of ``shape`` from ``probs`` the way word2vec does: a table lookup.

    Word ``i`` fills about ``probs[i] * table_size`` slots of a table; a uniform random slot is
    a draw. One table is built per ``probs`` object and cached on it.
    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    table = _noise_table(probs, check_positive_int("table_size", table_size))
    slots = torch.randint(table.numel(), tuple(shape), generator=generator, device=table.device)
    return table[slots]


def _noise_table(probs: torch.Tensor, size: int) -> torch.Tensor:
    if not isinstance(probs, torch.Tensor) or probs.dim() != 1 or not probs.dtype.is_floating_point:
        raise TypeError("probs must be a 1-D floating tensor (see noise_distribution)")
    key = (id(probs), size, probs.device)
    cached = _TABLES.get(key)
    if cached is not None and cached[0] is probs:
        return cached[1]
    edges = (probs.double().cumsum(0) * size).round().long()  # (V,)
    table = torch.repeat_interleave(
        torch.arange(probs.numel(), device=probs.device), torch.diff(edges, prepend=edges[:1] * 0)
    )  # (size,)
    _TABLES.clear()
    _TABLES[key] = (probs, table)
    return table


_TABLES: dict[tuple, tuple[torch.Tensor, torch.Tensor]] = {}


def dynamic_window_pairs(
    ids: torch.Tensor, window: int, *, generator: torch.Generator | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """All (centre, context) pairs of an id stream with word2vec's dynamic window.

    Each position draws ``b`` uniform in 1..``window`` and pairs with the ``b`` tokens on each
    side, so a context word at distance d is used with probability (window - d + 1) / window.
    Built from shifted slices, never a Python loop over positions.

    Shape:
        Input: (L,). Output: two (P,) tensors, centre ids and context ids.

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    window = check_positive_int("window", window)
    L = ids.numel()
    reach = torch.randint(1, window + 1, (L,), generator=generator)  # (L,)
    centres, contexts = [], []
    for d in range(1, min(window, L - 1) + 1):
        right = reach[:-d] >= d  # (L-d,) centre i sees i+d
        left = reach[d:] >= d  # (L-d,) centre i+d sees i
        centres += [ids[:-d][right], ids[d:][left]]
        contexts += [ids[d:][right], ids[:-d][left]]
    if not centres:
        empty = ids.new_empty(0)
        return empty, empty
    return torch.cat(centres), torch.cat(contexts)  # (P,), (P,)
