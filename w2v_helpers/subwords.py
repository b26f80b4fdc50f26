"""fastText's subwords: a word's character n-grams, their hashed buckets, and bags of rows.

fastText (Bojanowski et al., 2017) gives a word the vector of its *bag*: its own row and one row
per character n-gram of ``<word>`` (the marks ``<`` and ``>`` tell a prefix or suffix from the
middle of a word). The n-grams are not kept in a dictionary: each is hashed (FNV-1a over its UTF-8
bytes) into one of ``buckets`` shared rows, so unrelated n-grams may share a row (a collision).
A word the corpus never saw still has n-grams, hence a vector: the mean of their rows.

- :func:`char_ngrams`: the n-grams as strings, ordered as gensim's ``compute_ngrams`` (by length,
  then start).
- :func:`ngram_hashes`: their buckets as fastText computes them, ordered as fastText's
  ``computeSubwords`` (by start, then length), bytes read as signed chars.
- :class:`SubwordBags`: every vocabulary word's bag as one padded table, and bags of any
  strings as ``EmbeddingBag`` input (flat ids and offsets).
- :func:`bag_vectors`: the mean of each bag's rows, by ``F.embedding_bag(mode="mean")``.

Introduced in ``11_subword_vectors.ipynb``.

Shape glossary: V vocabulary, E embedding dim, H buckets (n-gram rows), P the longest bag
(1 + the most n-grams of a word), n bags, Z rows of all n bags together.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .corpus import Vocabulary
from .memory import FLOAT32, check_memory
from .validation import check_positive_int

__all__ = [
    "DEFAULT_BUCKETS",
    "FASTTEXT_BUCKETS",
    "SubwordBags",
    "bag_vectors",
    "char_ngrams",
    "check_buckets_fit",
    "collision_share",
    "fnv1a",
    "ngram_hashes",
    "subword_table_bytes",
]

FASTTEXT_BUCKETS = 2_000_000  # fastText's and gensim's default bucket count
DEFAULT_BUCKETS = 200_000  # ours: 80 MB a table at E = 100, where fastText's is 800 MB
MAX_N = 64  # the longest n-gram asked for
MAX_BUCKETS = 50_000_000  # 20 GB at E = 100: past any memory budget
FNV_OFFSET = 2166136261
FNV_PRIME = 16777619


def _check_range(min_n: object, max_n: object) -> tuple[int, int]:
    """``min_n`` in [1, MAX_N], ``max_n`` in [min_n, MAX_N]."""
    low = check_positive_int("min_n", min_n, maximum=MAX_N)
    if isinstance(max_n, int) and not isinstance(max_n, bool) and max_n < low:
        raise ValueError(f"max_n must be at least min_n ({low}), got {max_n}")
    return low, check_positive_int("max_n", max_n, maximum=MAX_N)


def _check_word(word: object, name: str = "word") -> str:
    if not isinstance(word, str):
        raise TypeError(f"{name} must be a string, got {word!r} ({type(word).__name__})")
    if not word:
        raise ValueError(f"{name} must be a non-empty string, got ''")
    return word


def char_ngrams(word: str, min_n: int = 3, max_n: int = 6) -> list[str]:
    """The character n-grams of ``<word>``, ``min_n`` to ``max_n`` characters long, shortest
    first, each length left to right: gensim's ``compute_ngrams``, same list, same order.

    ``<word>`` itself is one of them when it is at most ``max_n`` characters long.
    Introduced in ``11_subword_vectors.ipynb``.

    Args:
        word: a non-empty string (any Unicode).
        min_n: the shortest n-gram, 1 to 64. Default: 3.
        max_n: the longest n-gram, ``min_n`` to 64. Default: 6.
    """
    word = _check_word(word)
    low, high = _check_range(min_n, max_n)
    marked = f"<{word}>"
    return [
        marked[i : i + n]
        for n in range(low, min(len(marked), high) + 1)
        for i in range(len(marked) - n + 1)
    ]


def fnv1a(data: bytes) -> int:
    """fastText's hash of ``data``: 32-bit FNV-1a, each byte read as a *signed* char, so a byte
    from 128 up is sign-extended (``0xC3`` xors in ``0xFFFFFFC3``) as fastText's C++ does.
    Introduced in ``11_subword_vectors.ipynb``.

    Args:
        data: the bytes to hash (an n-gram's UTF-8).
    """
    if not isinstance(data, bytes | bytearray):
        raise TypeError(
            f"data must be bytes (e.g. an n-gram's .encode('utf-8')), got {type(data).__name__}"
        )
    h = FNV_OFFSET
    for byte in data:
        h ^= byte if byte < 128 else byte | 0xFFFFFF00  # int8_t -> uint32_t
        h = (h * FNV_PRIME) & 0xFFFFFFFF
    return h


@functools.lru_cache(maxsize=1 << 17)
def _hashes(word: str, low: int, high: int, buckets: int) -> tuple[int, ...]:
    marked = f"<{word}>"
    L = len(marked)
    found = []
    for i in range(L):  # fastText walks start positions, then lengths
        for n in range(low, min(high, L - i) + 1):
            if n == 1 and (i == 0 or i + n == L):
                continue  # a lone boundary mark is no n-gram
            found.append(fnv1a(marked[i : i + n].encode("utf-8")) % buckets)
    return tuple(found)


def ngram_hashes(
    word: str, min_n: int = 3, max_n: int = 6, buckets: int = DEFAULT_BUCKETS
) -> list[int]:
    """The bucket of each n-gram of ``<word>``, in fastText's order: by start position, then by
    length (``computeSubwords``); gensim's ``ft_ngram_hashes`` gives the same list.

    Not :func:`char_ngrams`' order, and with ``min_n = 1`` the lone marks ``<`` and ``>`` are
    left out here but kept there. Introduced in ``11_subword_vectors.ipynb``.

    Args:
        word: a non-empty string (any Unicode).
        min_n: the shortest n-gram, 1 to 64. Default: 3.
        max_n: the longest n-gram, ``min_n`` to 64. Default: 6.
        buckets: how many rows the n-grams share, 1 to 50,000,000. Default: 200,000.
    """
    word = _check_word(word)
    low, high = _check_range(min_n, max_n)
    buckets = check_positive_int("buckets", buckets, maximum=MAX_BUCKETS)
    return list(_hashes(word, low, high, buckets))


def collision_share(words: Sequence[str], buckets: int, min_n: int = 3, max_n: int = 6) -> float:
    """The share of the distinct n-grams of ``words`` whose bucket holds another of them too.

    Introduced in ``11_subword_vectors.ipynb``.

    Args:
        words: the words whose n-grams to hash.
        buckets: the bucket count, 1 to 50,000,000.
        min_n: the shortest n-gram. Default: 3.
        max_n: the longest n-gram. Default: 6.
    """
    buckets = check_positive_int("buckets", buckets, maximum=MAX_BUCKETS)
    if not isinstance(words, list | tuple):
        raise TypeError(f"words must be a list of words (str), got {type(words).__name__}")
    words = [_check_word(word, f"words[{i}]") for i, word in enumerate(words)]
    grams = {g for word in words for g in char_ngrams(word, min_n, max_n)}
    if not grams:
        raise ValueError("words must hold at least one word with an n-gram")
    ids = torch.tensor([fnv1a(g.encode("utf-8")) % buckets for g in sorted(grams)])  # (G,)
    _, inverse, per_bucket = torch.unique(ids, return_inverse=True, return_counts=True)
    return float((per_bucket[inverse] > 1).double().mean())


def subword_table_bytes(vocab_size: int, buckets: int, vector_size: int) -> int:
    """Bytes of a fastText input table: (V + H, E) float32. Introduced in
    ``11_subword_vectors.ipynb``.

    Args:
        vocab_size: V, at least 1.
        buckets: H, 1 to 50,000,000.
        vector_size: E, at least 1.
    """
    V = check_positive_int("vocab_size", vocab_size)
    H = check_positive_int("buckets", buckets, maximum=MAX_BUCKETS)
    return FLOAT32 * (V + H) * check_positive_int("vector_size", vector_size)


@dataclass(frozen=True, kw_only=True)
class SubwordBags:
    """Each vocabulary word's bag of input rows: its own row ``v``, then ``V + h`` for each of
    its n-gram buckets ``h`` (fastText's layout: V word rows, then H n-gram rows).

    Build with :meth:`build`. Introduced in ``11_subword_vectors.ipynb``.

    Shape:
        - rows: :math:`(V, P)` int64, padded with 0 past each bag's end; sizes: :math:`(V)`.
    """

    vocab: Vocabulary
    rows: torch.Tensor  # (V, P)
    sizes: torch.Tensor  # (V,) rows in each bag, 1 + its n-grams
    min_n: int
    max_n: int
    buckets: int

    @classmethod
    def build(
        cls, vocab: Vocabulary, min_n: int = 3, max_n: int = 6, buckets: int = DEFAULT_BUCKETS
    ) -> SubwordBags:
        """The bags of every word of ``vocab``; the arguments as in :func:`ngram_hashes`."""
        if not isinstance(vocab, Vocabulary):
            raise TypeError(f"vocab must be a Vocabulary, got {type(vocab).__name__}")
        V = len(vocab)
        bags = []
        for v, word in enumerate(vocab.words):
            bags.append([v] + [V + h for h in ngram_hashes(word, min_n, max_n, buckets)])
        sizes = torch.tensor([len(b) for b in bags])  # (V,)
        rows = torch.zeros(V, int(sizes.max()), dtype=torch.long)  # (V, P)
        for v, bag in enumerate(bags):
            rows[v, : len(bag)] = torch.tensor(bag)
        return cls(vocab=vocab, rows=rows, sizes=sizes, min_n=min_n, max_n=max_n, buckets=buckets)

    @property
    def table_rows(self) -> int:
        """V + H: the rows of the input table."""
        return len(self.vocab) + self.buckets

    def of_ids(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The bags of vocabulary ids as ``EmbeddingBag`` input: (flat rows, offsets, sizes).

        Shape:
            - ids: :math:`(n)`; output: :math:`(Z)`, :math:`(n)`, :math:`(n)`.
        """
        sizes = self.sizes[ids]  # (n,)
        padded = self.rows[ids]  # (n, P)
        inside = torch.arange(padded.shape[1]) < sizes.unsqueeze(1)  # (n, P)
        offsets = torch.cumsum(sizes, 0) - sizes  # (n,) where each bag starts
        return padded[inside], offsets, sizes  # (Z,), (n,), (n,)

    def of_words(self, words: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Bags of any strings: a known word's as in :meth:`of_ids`; an unknown word's is its
        n-grams' rows alone (gensim's rule), empty when it has none (its vector is then 0).

        Shape:
            - output: :math:`(Z)`, :math:`(n)`, :math:`(n)` for n words.
        """
        V, index = len(self.vocab), self.vocab.index
        bags = []
        for i, word in enumerate(words):
            word = _check_word(word, f"words[{i}]")
            hashes = ngram_hashes(word, self.min_n, self.max_n, self.buckets)
            own = [index[word]] if word in index else []
            bags.append(own + [V + h for h in hashes])
        sizes = torch.tensor([len(b) for b in bags], dtype=torch.long)  # (n,)
        flat = torch.tensor([r for b in bags for r in b], dtype=torch.long)  # (Z,)
        return flat, torch.cumsum(sizes, 0) - sizes, sizes


def _kind(x: object) -> str:
    return f"{x.dtype} {tuple(x.shape)}" if isinstance(x, torch.Tensor) else type(x).__name__


def bag_vectors(table: torch.Tensor, flat: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """The mean of each bag's rows of ``table`` (an empty bag gives 0): fastText's word vector,
    by ``F.embedding_bag(mode="mean")``, which is also CBOW's window mean.
    Introduced in ``11_subword_vectors.ipynb``.

    Args:
        table: the input table, word rows then n-gram rows, floating and finite (checked on the
            rows the bags use).
        flat: every bag's rows, one bag after another: 1-D integer ids of ``table``'s rows.
        offsets: where each bag starts in ``flat``: 1-D integers, the first 0, never
            decreasing.

    Shape:
        - table: :math:`(V + H, E)`; flat: :math:`(Z)`; offsets: :math:`(n)`;
          output: :math:`(n, E)`.
    """
    if not isinstance(table, torch.Tensor) or table.dim() != 2 or not table.is_floating_point():
        raise TypeError(f"table must be a 2-D floating tensor (V + H, E), got {_kind(table)}")
    for name, ids in (("flat", flat), ("offsets", offsets)):
        if (
            not isinstance(ids, torch.Tensor)
            or ids.dim() != 1
            or ids.is_floating_point()
            or ids.is_complex()
            or ids.dtype == torch.bool
        ):
            raise TypeError(f"{name} must be a 1-D tensor of int64 ids, got {_kind(ids)}")
    rows, Z = table.shape[0], flat.numel()
    if Z and (int(flat.min()) < 0 or int(flat.max()) >= rows):
        bad = int(flat.min()) if int(flat.min()) < 0 else int(flat.max())
        raise ValueError(f"flat must hold rows of table in [0, {rows - 1:,}], got {bad:,}")
    if offsets.numel() and (
        int(offsets[0]) != 0 or bool((offsets.diff() < 0).any()) or int(offsets[-1]) > Z
    ):
        raise ValueError(
            f"offsets must start at 0 and never decrease, each at most len(flat) = {Z:,}, got "
            f"{offsets.tolist()[:8]}"
        )
    means = F.embedding_bag(flat, table, offsets, mode="mean")  # (n, E)
    bad_rows = means.shape[0] - int(torch.isfinite(means).all(1).sum())
    if bad_rows:  # the table is checked through the bags' means: no copy of a big table
        raise ValueError(f"table must be finite: the rows of {bad_rows} bag(s) hold NaN or inf")
    return means


def check_buckets_fit(vocab_size: int, buckets: int, vector_size: int) -> int:
    """Ask the memory guard for one (V + H, E) table; its bytes. Introduced in
    ``11_subword_vectors.ipynb``.

    Args:
        vocab_size: V, at least 1.
        buckets: H, 1 to 50,000,000.
        vector_size: E, at least 1.
    """
    need = subword_table_bytes(vocab_size, buckets, vector_size)
    return check_memory(
        need,
        f"a subword table of {vocab_size:,} words and buckets={buckets:,} at E={vector_size}",
        hint="Lower buckets.",
    )
