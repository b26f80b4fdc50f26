"""Lesson code of ``11_subword_vectors.ipynb`` (Words the corpus never saw): its reports, the
subword explorer panel and the n-gram exercise's check. The concepts live in the core modules
``subwords`` and ``subword_trainer``.

Shape glossary: V vocabulary, H buckets, E embedding dim, n words asked about.
"""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Callable, Sequence

import ipywidgets as widgets
import torch
import torch.nn.functional as F

from ..corpus import Vocabulary, load_wiki_sample, load_word_pairs
from ..evaluation import WORD_PAIR_FILES, WordPairsResult, spearman_difference, word_pairs
from ..memory import check_memory, format_bytes
from ..subword_trainer import SubwordResult, train_subwords
from ..subwords import FASTTEXT_BUCKETS, char_ngrams, collision_share, subword_table_bytes
from ..trainer import TrainConfig
from ..validation import check_positive_int
from .feedback import Feedback, _correct, _not_a_function, _not_yet
from .panel import Panel, make_panel

__all__ = [
    "NOTEBOOK_EPOCHS",
    "notebook_config",
    "table_report",
    "collision_report",
    "time_subwords",
    "time_gensim_fasttext",
    "all_pairs",
    "score_report",
    "corpus_counts",
    "neighbours_report",
    "rank_report",
    "subword_view",
    "subword_panel",
    "check_char_ngrams",
]

NOTEBOOK_EPOCHS = 5  # both trainers, in the notebook
BOOTSTRAP = 1_000  # resamples behind each interval
DATASETS = tuple(WORD_PAIR_FILES)  # ("wordsim353", "simlex999")


def notebook_config(seed: int = 0) -> TrainConfig:
    """The notebook's settings: SkipGram, window 5, K = 5, E = 100, ``NOTEBOOK_EPOCHS`` epochs.

    Introduced in ``11_subword_vectors.ipynb``.

    Args:
        seed: the run's seed. Default: 0.
    """
    return TrainConfig(epochs=NOTEBOOK_EPOCHS, seed=seed)


def table_report(vocab_size: int, buckets: int, vector_size: int = 100) -> str:
    """The input table's size at ``buckets`` and at fastText's 2,000,000, and the output's.

    Introduced in ``11_subword_vectors.ipynb``.

    Args:
        vocab_size: V, at least 1.
        buckets: H, our bucket count.
        vector_size: E. Default: 100.
    """
    V, E = check_positive_int("vocab_size", vocab_size), vector_size
    lines = []
    for label, H in (("ours", buckets), ("fastText's default", FASTTEXT_BUCKETS)):
        size = format_bytes(subword_table_bytes(V, H, E))
        lines.append(f"input table, {label}: ({V:,} + {H:,}, {E}) float32 = {size}")
    lines.append(f"output table: ({V:,}, {E}) float32 = {format_bytes(4 * V * E)}")
    return "\n".join(lines)


def collision_report(words: Sequence[str], buckets: Sequence[int]) -> str:
    """How many distinct n-grams ``words`` have, and the share of them that share a bucket
    with another, at each bucket count. Introduced in ``11_subword_vectors.ipynb``.

    Args:
        words: the vocabulary's words.
        buckets: the bucket counts to compare.
    """
    grams = {g for w in words for g in char_ngrams(w)}
    lines = [f"{len(words):,} words have {len(grams):,} distinct n-grams (3 to 6 characters)"]
    for H in buckets:
        share = collision_share(words, H)
        lines.append(f"buckets={H:>9,}: {share:.1%} of them share their bucket with another")
    return "\n".join(lines)


def time_subwords(
    sentences: Sequence[Sequence[str]], config: TrainConfig, buckets: int
) -> tuple[float, SubwordResult]:
    """Our subword trainer's run and its wall time in seconds, vocabulary and bags included.

    Introduced in ``11_subword_vectors.ipynb``.

    Args:
        sentences: the corpus, lists of tokens.
        config: the run's settings.
        buckets: H, the n-gram rows.
    """
    start = time.perf_counter()
    result = train_subwords(sentences, config, buckets=buckets)
    return time.perf_counter() - start, result


def time_gensim_fasttext(
    sentences: Sequence[Sequence[str]], *, epochs: int, buckets: int, seed: int = 0
) -> tuple[float, object]:
    """gensim's ``FastText`` with our settings (SkipGram, window 5, K = 5, E = 100, min_count 5,
    sample 1e-3, min_n 3, max_n 6, one worker) and its wall time in seconds.
    Introduced in ``11_subword_vectors.ipynb``.

    Args:
        sentences: the corpus, lists of tokens.
        epochs: passes over the corpus.
        buckets: H, the n-gram rows.
        seed: gensim's seed. Default: 0.
    """
    from gensim.models import FastText

    check_memory(
        2 * subword_table_bytes(1, buckets, 100), f"gensim's FastText, buckets={buckets:,}"
    )
    start = time.perf_counter()
    model = FastText(
        sentences,
        sg=1,
        vector_size=100,
        window=5,
        negative=5,
        min_count=5,
        sample=1e-3,
        min_n=3,
        max_n=6,
        bucket=buckets,
        epochs=epochs,
        workers=1,
        seed=seed,
    )
    return time.perf_counter() - start, model


def all_pairs(vectors_of: Callable[[list[str]], torch.Tensor], dataset: str) -> WordPairsResult:
    """Spearman over *every* pair of ``dataset``, each word's vector from ``vectors_of`` (known
    or not), with its interval. Introduced in ``11_subword_vectors.ipynb``.

    Args:
        vectors_of: a list of words to their vectors.
        dataset: ``"wordsim353"`` or ``"simlex999"``.

    Shape:
        - vectors_of's output: :math:`(n, E)` for n words.
    """
    pairs = load_word_pairs(WORD_PAIR_FILES[dataset])
    words = sorted({w for a, b, _ in pairs for w in (a, b)})
    own = Vocabulary(
        words=tuple(words), counts=torch.ones(len(words), dtype=torch.long), min_count=1
    )
    return word_pairs(vectors_of(words).double(), own, dataset, bootstrap=BOOTSTRAP)


def _line(name: str, r: WordPairsResult, digits: int) -> str:
    return (
        f"  {name:<12} {r.spearman:.{digits}f} (95% CI {r.ci_low:.{digits}f} to "
        f"{r.ci_high:.{digits}f}), {r.pairs_used} of {r.pairs_total} pairs"
    )


def score_report(
    ours: SubwordResult, gensim_model: object, words: torch.Tensor, vocab: Vocabulary
) -> str:
    """Each dataset on the in-vocabulary pairs and on all pairs: our subwords (3 decimals),
    gensim's FastText (2: its last digits vary from machine to machine), and the word-level
    SGNS vectors ``words``, with the paired difference of ours and those on the same pairs.
    Introduced in ``11_subword_vectors.ipynb``.

    Args:
        ours: our subword run.
        gensim_model: gensim's ``FastText`` on the same text.
        words: word-level SGNS vectors in ``vocab``'s order.
        vocab: the shared vocabulary.

    Shape:
        - words: :math:`(V, E)`.
    """
    mine = ours.vocab_vectors().double()  # (V, E)
    theirs = torch.tensor(gensim_model.wv[list(vocab.words)]).double()  # (V, E)
    lines = []
    for data in DATASETS:
        known = {
            "subwords": word_pairs(mine, vocab, data),
            "gensim": word_pairs(theirs, vocab, data),
            "word SGNS": word_pairs(words, vocab, data),
        }
        used, total = known["subwords"].pairs_used, known["subwords"].pairs_total
        lines.append(f"{data}, pairs with both words in the vocabulary ({total - used} lack one):")
        lines += [_line(name, r, 2 if name == "gensim" else 3) for name, r in known.items()]
        diff, low, high = spearman_difference(mine, words, vocab, data)
        lines.append(
            f"  subwords - word SGNS, same pairs: {diff:+.3f} (95% CI {low:+.3f} to {high:+.3f})"
        )
        lines.append(f"{data}, all pairs (a vector for every word):")
        lines.append(_line("subwords", all_pairs(ours.vectors_of, data), 3))
        gensim_all = all_pairs(lambda w: torch.tensor(gensim_model.wv[w]), data)
        lines.append(_line("gensim", gensim_all, 2))
    return "\n".join(lines)


def corpus_counts(
    words: Sequence[str], sentences: Sequence[Sequence[str]], vocab: Vocabulary
) -> str:
    """How often the sample has each of ``words``, and whether the vocabulary holds it.

    Introduced in ``11_subword_vectors.ipynb``.

    Args:
        words: the words to look up.
        sentences: the corpus.
        vocab: its vocabulary.
    """
    wanted = set(words)
    seen = Counter(w for sentence in sentences for w in sentence if w in wanted)
    lines = []
    for word in words:
        where = "in the vocabulary" if word in vocab.index else "not in the vocabulary"
        lines.append(f"{word:<12} {seen[word]:>3} times in the sample, {where}")
    return "\n".join(lines)


def neighbours_report(result: SubwordResult, words: Sequence[str], topn: int = 4) -> str:
    """Each word's ``topn`` nearest vocabulary words, known word or not, cosines to 2 decimals.

    Introduced in ``11_subword_vectors.ipynb``.

    Args:
        result: a subword run.
        words: any strings.
        topn: neighbours a word. Default: 4.
    """
    lines = []
    for word in words:
        near = result.most_similar(word, topn)
        lines.append(f"{word:<12} " + ", ".join(f"{w} {s:.2f}" for w, s in near))
    return "\n".join(lines)


def rank_report(result: SubwordResult, pairs: Sequence[tuple[str, str]]) -> str:
    """For each (word, known word): how many of the word's distinct n-grams the known word has
    too, their cosine, and the known word's rank among the vocabulary's words by cosine to
    ``word`` (1: the nearest). Introduced in
    ``11_subword_vectors.ipynb``.

    Args:
        result: a subword run.
        pairs: (any string, a vocabulary word) pairs.
    """
    unit = F.normalize(result.vocab_vectors().double(), dim=1)  # (V, E)
    lines = []
    for word, known in pairs:
        query = F.normalize(result.word_vector(word).double(), dim=0)  # (E,)
        cosines = unit @ query  # (V, E) x (E,) -> (V,)
        mine = cosines[result.vocab.index[known]]
        rank = int((cosines > mine).sum()) + 1 - int(word in result.vocab.index)
        grams = set(char_ngrams(word, result.bags.min_n, result.bags.max_n))
        shared = len(grams & set(char_ngrams(known, result.bags.min_n, result.bags.max_n)))
        lines.append(
            f"{word} ~ {known}: {shared} of {len(grams)} n-grams shared, cosine {mine:.3f}, "
            f"rank {rank:,} of {len(unit):,}"
        )
    return "\n".join(lines)


def subword_view(result: SubwordResult, word: str = "playing", topn: int = 6) -> str:
    """A string's n-grams, whether the vocabulary holds it, and its nearest vocabulary words.

    Introduced in ``11_subword_vectors.ipynb``.

    Args:
        result: a subword run.
        word: any non-empty string. Default: ``"playing"``.
        topn: neighbours to show, 1 to 20. Default: 6.
    """
    V, E = result.table.shape[0] - result.bags.buckets, result.table.shape[1]
    P = result.bags.rows.shape[1]
    # most_similar: every word's bag mean (V, E) float32 and its finite mask, their float64
    # copy and its unit rows; the bags laid out flat (int64 rows, a mask, offsets: (V, P))
    check_memory(21 * V * E + 24 * V * P, f"the neighbours over V={V:,}, E={E}")
    key = word.strip().lower() if isinstance(word, str) else word
    if not isinstance(key, str) or not key:
        return "word: type a word (any string of letters)"
    grams = char_ngrams(key, result.bags.min_n, result.bags.max_n)
    if key in result.vocab.index:
        seen = f"in the vocabulary: its own row and its {len(grams)} n-gram rows, averaged"
    else:
        seen = f"not in the vocabulary: the mean of its {len(grams)} n-gram rows"
    near = result.most_similar(key, check_positive_int("topn", topn, maximum=20))
    return "\n".join(
        [
            f"{key}: {seen}",
            "n-grams: " + " ".join(grams),
            "nearest: " + ", ".join(f"{w} {s:.2f}" for w, s in near),
        ]
    )


@functools.lru_cache(maxsize=1)
def _notebook_run() -> SubwordResult:
    """The notebook's subword run (about half a minute, once per kernel)."""
    from ..subwords import DEFAULT_BUCKETS

    return train_subwords(load_wiki_sample(), notebook_config(), buckets=DEFAULT_BUCKETS)


def subword_panel(result: SubwordResult | None = None) -> Panel:
    """Type any string: its n-grams, whether it is in the vocabulary, its nearest words.

    Behind it: :func:`w2v_helpers.lessons.nb11_subword_vectors.subword_view`. Without an
    argument it trains the notebook's run itself (once per kernel). Introduced in
    ``11_subword_vectors.ipynb``.

    Args:
        result: a subword run. Default: the notebook's.
    """
    if result is not None and not isinstance(result, SubwordResult):
        raise TypeError(f"result must be a SubwordResult (train_subwords), got {result!r}")

    def render(word: str, topn: int) -> str:
        run = result
        if run is None:
            check_memory(subword_table_bytes(10_000, 200_000, 100), "the notebook's subword run")
            run = _notebook_run()
        return subword_view(run, word, topn)

    controls = {
        "word": widgets.Text(description="word", value="playing", continuous_update=False),
        "topn": widgets.BoundedIntText(description="neighbours", value=6, min=1, max=20),
    }
    return make_panel("Words by their n-grams", controls, render)


CASES = (("cat", 3, 6), ("where", 3, 4), ("naïve", 2, 3))  # <cat> is an n-gram, <where> is not


def _grams(marked: str, low: int, high: int) -> Counter[str]:
    """Every piece of ``marked`` from ``low`` to ``high`` characters, as a multiset."""
    return Counter(
        marked[i : i + n] for n in range(low, high + 1) for i in range(len(marked) - n + 1)
    )


def _diagnose(got: Counter[str], word: str, low: int, high: int) -> str:
    """Name the usual mistake that gives ``got`` for ``word``, or say what differs."""
    marked = f"<{word}>"
    right = Counter(char_ngrams(word, low, high))
    mistakes = {
        "no boundary marks: wrap the word as '<' + word + '>' before cutting it": _grams(
            word, low, high
        ),
        "the start mark '<' is missing: wrap the word in both marks": _grams(word + ">", low, high),
        "the end mark '>' is missing: wrap the word in both marks": _grams("<" + word, low, high),
        f"no {high}-character n-grams: the range of n is min_n to max_n *inclusive*": _grams(
            marked, low, high - 1
        ),
        f"no {low}-character n-grams: n starts at min_n itself": _grams(marked, low + 1, high),
    }
    if len(marked) <= high:
        mistakes[
            f"'{marked}' is missing: the whole marked word is an n-gram too when it has at most "
            "max_n characters"
        ] = right - Counter([marked])
        mistakes[
            f"'{marked}' is there twice: the whole marked word is one n-gram, counted once"
        ] = right + Counter([marked])
    else:
        mistakes[
            f"'{marked}' has {len(marked)} characters, more than max_n = {high}: leave it out"
        ] = right + Counter([marked])
    for message, wrong in mistakes.items():
        if got == wrong:
            return message
    extra, missing = sorted(got - right), sorted(right - got)
    return f"for {word!r} (min_n={low}, max_n={high}) missing {missing[:4]}, extra {extra[:4]}"


def check_char_ngrams(fn: Callable[..., object]) -> Feedback:
    """Exercise: ``fn(word, min_n, max_n)`` returns the n-grams of ``<word>`` with ``min_n`` to
    ``max_n`` characters, the whole ``<word>`` included when it is short enough. Any order.

    The oracle is :func:`w2v_helpers.subwords.char_ngrams` (gensim's ``compute_ngrams``) on
    three words; each usual mistake (no marks, one mark, a range off by one, the whole word
    missing or counted twice) gets its own message. Introduced in ``11_subword_vectors.ipynb``.

    Args:
        fn: the learner's function.
    """
    if (problem := _not_a_function(fn)) is not None:
        return problem
    for word, low, high in CASES:
        try:
            got = fn(word, low, high)
        except Exception as err:  # the learner's code: report any failure as feedback
            return _not_yet(f"your function raised {type(err).__name__}: {err}")
        if got is None:
            return _not_yet("your function returns nothing yet; fill in its body.")
        if isinstance(got, str) or not isinstance(got, Sequence):
            return _not_yet(f"return a list of strings, got {type(got).__name__}.")
        if Counter(got) != Counter(char_ngrams(word, low, high)):
            return _not_yet(_diagnose(Counter(map(str, got)), word, low, high))
    return _correct(
        "the n-grams of '<cat>', '<where>' and '<naïve>' match gensim's compute_ngrams, "
        "'<cat>' itself included and '<where>' (7 characters) left out."
    )
