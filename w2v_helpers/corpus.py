"""A real corpus without a download: the Wikipedia sample and WordSim353 inside gensim's wheel.

Vocabulary with ``min_count``, subsampling of frequent words, the unigram^0.75 noise sampler and
the dynamic window, each as a small function a notebook can show on the data. Introduced in
``05_train_it_yourself.ipynb``.

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives;
L tokens of an id stream, P (centre, context) pairs, w window radius (``window``).
"""

from __future__ import annotations

import functools
import math
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from .memory import INT64, check_large_request
from .validation import (
    check_counts,
    check_data_name,
    check_generator,
    check_int,
    check_number,
    check_positive_int,
    check_probabilities,
    check_sentences,
    check_token_ids,
)

__all__ = [
    "NOISE_POWER",
    "Vocabulary",
    "build_vocabulary",
    "dynamic_window_pairs",
    "encode",
    "keep_probabilities",
    "load_wiki_sample",
    "load_word_pairs",
    "load_wordsim353",
    "noise_distribution",
    "sample_noise",
    "sentence_chunks",
    "subsample",
    "test_data_path",
    "wiki_vocabulary",
    "window_reach",
]

WIKI_FILE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
WORDSIM_FILE = "wordsim353.tsv"
NOISE_POWER = 0.75  # word2vec's exponent: unigram counts ** 0.75
# dynamic_window_pairs: per token and distance, up to two pairs of int64 ids, held twice (the
# slices, then their concatenation), and the masks.
PAIR_BYTES_PER_REACH = 80
MAX_REACH = 1_000_000  # a window radius beyond any sentence
SENTENCE_LENGTH = 1_000  # gensim truncates sentences over 10,000 tokens; we cut at 1,000


def test_data_path(name: str) -> str:
    """Path of a file in gensim's bundled ``test/test_data`` folder (no network needed).

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        name: the file's name inside ``test/test_data``, e.g. ``"wordsim353.tsv"``; raises
            ``FileNotFoundError`` if gensim's wheel does not have it.
    """
    import gensim  # local: gensim is heavy and only this loader needs it

    folder = Path(gensim.__file__).parent / "test" / "test_data"
    path = str(check_data_name("name", name, folder))
    if not os.path.exists(path):
        raise FileNotFoundError(f"{name} is not in gensim's test data ({path}); reinstall gensim")
    return path


@functools.lru_cache(maxsize=1)  # parsing takes seconds; the tuples are immutable, safe to share
def _wiki_documents() -> tuple[tuple[str, ...], ...]:
    from gensim.corpora.wikicorpus import WikiCorpus

    wiki = WikiCorpus(test_data_path(WIKI_FILE), dictionary={}, processes=1)
    return tuple(tuple(doc) for doc in wiki.get_texts())


def load_wiki_sample(max_tokens: int | None = None) -> list[list[str]]:
    """The Wikipedia sample in gensim's wheel as sentences of lowercase tokens (about 453k).

    Parsed with gensim's ``WikiCorpus`` (markup stripped, lowercased, tokens of 2 to 15
    letters), then cut into sentences of at most 1,000 tokens so gensim's 10,000-token limit
    never truncates anything. ``max_tokens`` keeps only the first tokens. Introduced in
    ``05_train_it_yourself.ipynb``.

    Args:
        max_tokens: keep only this many tokens from the start, a whole number >= 1.
            Default: ``None`` (the whole sample).
    """
    if max_tokens is not None:
        max_tokens = check_positive_int("max_tokens", max_tokens)
    return sentence_chunks(_wiki_documents(), SENTENCE_LENGTH, max_tokens=max_tokens)


def sentence_chunks(
    documents: Sequence[Sequence[str]], length: int, *, max_tokens: int | None = None
) -> list[list[str]]:
    """Cut documents into sentences of at most ``length`` tokens, stopping at ``max_tokens``.

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        documents: token sequences, one per document; a sentence never spans two documents.
        length: the most tokens in one sentence, a whole number >= 1.
        max_tokens: stop after this many tokens in all, a whole number >= 1. Default: ``None``
            (no limit).
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


def load_word_pairs(name: str) -> list[tuple[str, str, float]]:
    """A word-pair file from gensim's test data: (word, word, human score) triples, lowercased.

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        name: the file, e.g. ``"wordsim353.tsv"`` or ``"simlex999.txt"`` (tab-separated, ``#``
            comment lines).
    """
    pairs = []
    with open(test_data_path(name), encoding="utf8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            a, b, score = line.rstrip("\n").split("\t")
            pairs.append((a.lower(), b.lower(), float(score)))
    return pairs


def load_wordsim353() -> list[tuple[str, str, float]]:
    """WordSim353 from gensim's test data: (word, word, human score 0..10) triples.

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.
    """
    return load_word_pairs(WORDSIM_FILE)


@dataclass(frozen=True)
class Vocabulary:
    """Words kept at ``min_count``, most frequent first, with their counts.

    ``words[i]`` has id ``i`` and ``counts[i]`` occurrences; ``index`` maps a word to its id.

    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        words: the V kept words, most frequent first.
        counts: how often each word occurs, in the order of ``words``.
        min_count: the threshold the words were kept at.

    Shape:
        - counts: :math:`(V)` int64.
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

    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        sentences: a list of token lists (not a list of strings); must hold at least one token.
        min_count: the fewest occurrences a word needs to be kept, a whole number >= 1; raises
            ``ValueError`` if no word reaches it. Default: 5.
    """
    min_count = check_positive_int("min_count", min_count)
    counter: Counter[str] = Counter()
    for sentence in check_sentences("sentences", sentences):
        counter.update(sentence)
    if not counter:
        raise ValueError("sentences hold no tokens: give at least one sentence with words")
    kept = sorted(
        ((c, w) for w, c in counter.items() if c >= min_count), key=lambda t: (-t[0], t[1])
    )
    if not kept:
        most = max(counter.values())
        raise ValueError(
            f"no word occurs min_count={min_count} times (the most frequent occurs {most}); "
            f"lower min_count to at most {most}"
        )
    return Vocabulary(
        words=tuple(w for _, w in kept),
        counts=torch.tensor([c for c, _ in kept], dtype=torch.long),
        min_count=min_count,
    )


@functools.lru_cache(maxsize=1)
def wiki_vocabulary(min_count: int = 5) -> Vocabulary:
    """The vocabulary of the Wikipedia sample at ``min_count``, built once per kernel.

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        min_count: the fewest occurrences a word needs to be kept, a whole number >= 1.
            Default: 5.
    """
    return build_vocabulary(load_wiki_sample(), min_count)


def encode(sentences: Sequence[Sequence[str]], vocab: Vocabulary) -> torch.Tensor:
    """One int64 id stream of every in-vocabulary token (out-of-vocabulary ones dropped).

    Args:
        sentences: a list of token lists, read in order.
        vocab: the vocabulary whose ids to use (see :func:`build_vocabulary`).

    Shape:
        - Output: :math:`(L)` int64 ids in :math:`[0, V)`, with L = ``vocab.total`` for the
          sentences the vocabulary was built from.

    Introduced in ``05_train_it_yourself.ipynb``.
    """
    if not isinstance(vocab, Vocabulary):
        raise TypeError(
            f"vocab must be a Vocabulary (build_vocabulary), got {type(vocab).__name__}"
        )
    index = vocab.index
    ids = [
        index[w]
        for sentence in check_sentences("sentences", sentences)
        for w in sentence
        if w in index
    ]
    return torch.tensor(ids, dtype=torch.long)  # (L,)


def keep_probabilities(counts: torch.Tensor, sample: float = 1e-3) -> torch.Tensor:
    """Probability of keeping each occurrence of each word, word2vec's C formula (and gensim's).

    With ``f = count / total`` and threshold ``t = sample``:
    ``p_keep = (sqrt(f / t) + 1) * t / f``, capped at 1. (Mikolov et al. 2013's paper writes
    ``1 - sqrt(t / f)`` as the *discard* probability; the released code uses this one.)

    Args:
        counts: how often each word occurs: positive whole numbers summing to at most 2**53.
        sample: the threshold t, a number in the open interval (0, 1). Default: ``1e-3``.

    Shape:
        - Input: ``counts`` :math:`(V)`.
        - Output: :math:`(V)` float64 in (0, 1].

    Introduced in ``05_train_it_yourself.ipynb``.
    """
    sample = check_number("sample", sample, low=0, high=1, low_open=True, high_open=True)
    check_counts("counts", counts)
    f = counts.double() / counts.double().sum()  # (V,)
    return ((f / sample).sqrt() + 1).mul(sample / f).clamp(max=1.0)  # (V,)


def subsample(
    ids: torch.Tensor, keep: torch.Tensor, *, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Keep each token of the (L,) id stream with probability ``keep[id]``; returns (L',).

    One float64 uniform draw per token, on the stream's device (the trainer calls this too).
    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        ids: the id stream, a non-empty 1-D tensor of integer ids in [0, V), V = ``keep.numel()``.
        keep: each word's keep probability, a non-empty 1-D floating tensor in [0, 1] (see
            :func:`keep_probabilities`).
        generator: the random generator, on ``ids``' device. Default: ``None`` (torch's global
            one).

    Shape:
        - ids: :math:`(L)`; keep: :math:`(V)`.
        - Output: :math:`(L')` with L' <= L, the kept ids in stream order.
    """
    if (
        not isinstance(keep, torch.Tensor)
        or keep.dim() != 1
        or not keep.dtype.is_floating_point
        or keep.numel() == 0
    ):
        raise TypeError("keep must be a non-empty 1-D floating tensor (see keep_probabilities)")
    if not bool(((keep >= 0) & (keep <= 1)).all()):
        raise ValueError("keep must hold probabilities in [0, 1] (see keep_probabilities)")
    check_token_ids("ids", ids, vocab_size=keep.numel(), ranks=(1,))
    generator = check_generator("generator", generator)
    draw = torch.rand(ids.shape, generator=generator, dtype=torch.float64, device=ids.device)
    return ids[draw < keep[ids]]  # (L,) -> (L',)


def noise_distribution(counts: torch.Tensor, power: float = NOISE_POWER) -> torch.Tensor:
    """The negative-sampling noise distribution ``counts ** power / sum``, float64, shape (V,).

    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        counts: how often each word occurs: non-negative whole numbers, not all 0, summing to
            at most 2**53.
        power: the exponent, a number in [0, 1]; 0 gives the uniform distribution, 1 the
            unigram one. Default: ``NOISE_POWER`` (0.75, word2vec's).

    Shape:
        - Input: ``counts`` :math:`(V)`.
        - Output: :math:`(V)` float64, summing to 1.
    """
    check_counts("counts", counts, positive=False)
    power = check_number("power", power, low=0, high=1)
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
    a draw. The last table built is kept, and reused while ``probs`` holds the same values.
    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        probs: a distribution over the vocabulary: floating, non-negative, summing to 1 (see
            :func:`noise_distribution`).
        shape: the shape of the draw, a non-empty sequence of whole numbers >= 0, e.g.
            ``(N, K)``.
        generator: the random generator, on ``probs``' device. Default: ``None`` (torch's
            global one).
        table_size: the number of slots in the table, a whole number in [1, 100,000,000].
            Default: 1,000,000.

    Shape:
        - probs: :math:`(V)`.
        - Output: ``shape``, int64 ids in :math:`[0, V)` on ``probs``' device.
    """
    if isinstance(shape, str) or not isinstance(shape, Sequence) or not shape:
        raise ValueError(f"shape must be a non-empty sequence of sizes >= 0, got {shape!r}")
    shape = tuple(check_int(f"shape[{i}]", n, low=0) for i, n in enumerate(shape))
    table_size = check_positive_int("table_size", table_size, maximum=100_000_000)
    generator = check_generator("generator", generator)
    check_large_request(  # the slots and the ids; the table and repeat_interleave's temporary
        2 * INT64 * math.prod(shape) + 2 * INT64 * table_size,
        f"{math.prod(shape):,} noise draws",
        hint="Ask for fewer draws at a time.",
    )
    table = _noise_table(probs, table_size)
    slots = torch.randint(table.numel(), tuple(shape), generator=generator, device=table.device)
    return table[slots]


def _noise_table(probs: torch.Tensor, size: int) -> torch.Tensor:
    check_probabilities("probs", probs)
    cached = _TABLES.get((size, probs.device))
    # keyed by value, not by object: a tensor edited in place must not reuse its old table
    if cached is not None and cached[0].shape == probs.shape and torch.equal(cached[0], probs):
        return cached[1]
    edges = (probs.double().cumsum(0) * size).round().long()  # (V,)
    table = torch.repeat_interleave(
        torch.arange(probs.numel(), device=probs.device), torch.diff(edges, prepend=edges[:1] * 0)
    )  # (size,)
    _TABLES.clear()
    _TABLES[(size, probs.device)] = (probs.clone(), table)
    return table


_TABLES: dict[tuple, tuple[torch.Tensor, torch.Tensor]] = {}


def window_reach(
    length: int,
    window: int,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """word2vec's dynamic window: each of ``length`` positions draws its reach b in 1..``window``.

    A centre then pairs with the b tokens on each side. ``dynamic_window_pairs`` and the trainer
    both draw with this function. Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        length: the number of positions, a whole number >= 0.
        window: the largest reach w, a whole number in [1, 1,000,000].
        generator: the random generator, on ``device``. Default: ``None`` (torch's global one).
        device: where to put the result. Default: ``None`` (torch's default device).

    Shape:
        - Output: ``(length,)`` int64 reaches in [1, w].
    """
    length = check_int("length", length, low=0)
    window = check_positive_int("window", window, maximum=MAX_REACH)
    generator = check_generator("generator", generator)
    check_large_request(INT64 * length, f"{length:,} window reaches", hint="Lower length.")
    return torch.randint(1, window + 1, (length,), generator=generator, device=device)  # (L,)


def dynamic_window_pairs(
    ids: torch.Tensor, window: int, *, generator: torch.Generator | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """All (centre, context) pairs of an id stream with word2vec's dynamic window.

    Each position draws ``b`` uniform in 1..``window`` and pairs with the ``b`` tokens on each
    side, so a context word at distance d is used with probability (window - d + 1) / window.
    Built from shifted slices, never a Python loop over positions.

    Args:
        ids: the id stream, 1-D integer token ids (e.g. from :func:`encode` or :func:`subsample`).
        window: the largest reach w, a whole number in [1, 1,000,000].
        generator: the random generator, on ``ids``' device. Default: ``None`` (torch's global
            one).

    Shape:
        - Input: ``ids`` :math:`(L)`.
        - Output: two :math:`(P)` tensors, centre ids and context ids.

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.
    """
    window = check_positive_int("window", window, maximum=MAX_REACH)
    if not isinstance(ids, torch.Tensor) or ids.dim() != 1 or ids.is_floating_point():
        raise TypeError(f"ids must be a 1-D tensor of integer token ids, got {ids!r:.60}")
    L = ids.numel()
    check_large_request(
        PAIR_BYTES_PER_REACH * window * L,
        f"the pairs of {L:,} tokens with window={window}",
        hint="Lower window or pass fewer ids.",
    )
    reach = window_reach(L, window, generator=generator, device=ids.device)  # (L,)
    centres = []
    contexts = []
    for d in range(1, min(window, L - 1) + 1):
        right = reach[:-d] >= d  # (L-d,) centre i sees i+d
        left = reach[d:] >= d  # (L-d,) centre i+d sees i
        centres += [ids[:-d][right], ids[d:][left]]
        contexts += [ids[d:][right], ids[:-d][left]]
    if not centres:
        empty = ids.new_empty(0)
        return empty, empty
    return torch.cat(centres), torch.cat(contexts)  # (P,), (P,)
