"""fastText's SkipGram with negative sampling: a centre's input vector is the mean of its bag.

The course's fast trainer (``trainer``) with one change on the input side. Each epoch subsamples
the id stream, draws each position's window reach and cuts the stream into chunks of blocks
(``subsample``, ``window_reach``, ``tile_chunk``, ``sample_noise``: the same code, the same
draws); the output side is SGNS's table, scored with the same kernel (``block_loss_and_grads``).
A centre's hidden vector is no longer one row but the mean of its word row and its n-gram rows
(``subwords.bag_vectors``, ``F.embedding_bag(mode="mean")`` over flat ids and offsets).

The update follows fastText (``model.cc``) and gensim: the hidden vector's gradient step is
added *whole* to every row of the bag (not divided by the bag's size, as the gradient of the
mean would be). Where this departs from fastText and gensim: as in ``trainer``, a chunk's updates
are computed from the same tables and summed, a block's centres share their noise rows, each
row's summed step is capped at ``row_cap`` pairs, and the n-gram bag is read once per centre, not
once per (centre, context) pair as gensim does. The input table starts uniform in +-1/E (gensim's
FastText, fastText), the output table at zeros. Introduced in ``11_subword_vectors.ipynb``.

Shape glossary: V vocabulary, H buckets, E embedding dim, L tokens of the id stream; B blocks in
a chunk, S centres per block, C = S + 2w tile rows, M noise rows a block shares, R = C + M rows a
block scores; n = B * S centres of a chunk, Z rows of their bags.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from .chunk_updates import Chunk, tile_chunk
from .corpus import (
    Vocabulary,
    build_vocabulary,
    encode,
    keep_probabilities,
    noise_distribution,
    sample_noise,
    subsample,
    window_reach,
)
from .logistic_scores import block_loss_and_grads
from .memory import check_memory, estimate_training_bytes, retained_heap
from .row_updates import add_rows, capped_steps, gather_rows
from .subwords import DEFAULT_BUCKETS, SubwordBags, bag_vectors, subword_table_bytes
from .training_config import (
    DIVERGED_ABOVE,
    DIVERGED_LOSS,
    TrainConfig,
    learning_rate,
    stop_if_diverged,
)
from .validation import check_sentences

__all__ = ["SubwordResult", "subword_update", "train_subwords"]


@dataclass(kw_only=True)
class SubwordResult:
    """A trained fastText model: the bags, the input table (word rows, then n-gram rows) and
    the output table, with what training measured (as ``trainer.Word2VecResult``).

    Introduced in ``11_subword_vectors.ipynb``.

    Shape:
        - table: :math:`(V + H, E)`; output: :math:`(V, E)`.
    """

    bags: SubwordBags
    table: torch.Tensor  # (V + H, E)
    output: torch.Tensor  # (V, E)
    config: TrainConfig
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0
    raw_tokens: int = 0

    @property
    def vocab(self) -> Vocabulary:
        return self.bags.vocab

    @property
    def words_per_second(self) -> float:
        return self.raw_tokens / self.seconds if self.seconds > 0 else math.inf

    def vectors_of(self, words: Sequence[str]) -> torch.Tensor:
        """The vector of each string, known or not: the mean of its bag (gensim's ``wv[w]``).

        Shape:
            - output: :math:`(n, E)` for n words.
        """
        flat, offsets, _ = self.bags.of_words(words)
        return bag_vectors(self.table, flat, offsets)  # (n, E)

    def word_vector(self, word: str) -> torch.Tensor:
        """One string's vector, as :meth:`vectors_of`. Shape: :math:`(E)`."""
        return self.vectors_of([word])[0]  # (E,)

    def vocab_vectors(self) -> torch.Tensor:
        """Every vocabulary word's vector, in vocabulary order. Shape: :math:`(V, E)`."""
        flat, offsets, _ = self.bags.of_ids(torch.arange(len(self.vocab)))
        return bag_vectors(self.table, flat, offsets)  # (V, E)

    def most_similar(self, word: str, topn: int = 5) -> list[tuple[str, float]]:
        """The ``topn`` vocabulary words nearest to any string's vector, by cosine in float64
        (the word itself left out when it is in the vocabulary)."""
        unit = F.normalize(self.vocab_vectors().double(), dim=1)  # (V, E)
        query = F.normalize(self.word_vector(word).double(), dim=0)  # (E,)
        cosines = unit @ query  # (V, E) x (E,) -> (V,)
        if word in self.vocab.index:
            cosines[self.vocab.index[word]] = -torch.inf
        best = torch.topk(cosines, min(topn, len(cosines)))
        return [(self.vocab.words[i], float(s)) for s, i in zip(*best, strict=True)]


def subword_update(
    table: torch.Tensor,
    output: torch.Tensor,
    bags: SubwordBags,
    chunk: Chunk,
    neg_ids: torch.Tensor,
    lr: float,
    config: TrainConfig,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One chunk of fastText's SkipGram with negative sampling; updates both tables in place.

    Each centre's hidden vector is its bag's mean; it scores its window and its block's noise
    rows as in SGNS; its gradient step goes whole to every row of its bag, each row's summed
    step capped at ``row_cap`` pairs. Returns the loss summed over pairs and the number of
    positive pairs (0-d tensors). Introduced in ``11_subword_vectors.ipynb``.

    Args:
        table: the input table, word rows then n-gram rows.
        output: the output table.
        bags: the vocabulary's bags.
        chunk: the chunk from ``tile_chunk``.
        neg_ids: each block's M noise ids.
        lr: the chunk's learning rate.
        config: the run's settings (``negative``, ``row_cap``).

    Shape:
        - table: :math:`(V + H, E)`; output: :math:`(V, E)`; neg_ids: :math:`(B, M)`.
    """
    B, S = chunk.centre_ids.shape
    M, E = neg_ids.shape[1], table.shape[1]
    flat, offsets, sizes = bags.of_ids(chunk.centre_ids.reshape(-1))  # (Z,), (n,), (n,)
    # the bags' means as bag_vectors takes them, without its checks: this runs once a chunk
    hidden = F.embedding_bag(flat, table, offsets, mode="mean").view(B, S, E)  # (B, S, E)
    row_ids = torch.cat([chunk.tile_ids, neg_ids], 1)  # (B, R)
    rows = gather_rows(output, row_ids)  # (B, R, E)
    pos = chunk.mask.to(hidden.dtype)  # (B, S, C)
    n_pos = pos.sum(2, keepdim=True)  # (B, S, 1)
    neg_w = (config.negative / M) * n_pos.expand(B, S, M)  # (B, S, M)
    weights = torch.cat([pos, neg_w], 2)  # (B, S, R)
    labels = F.pad(pos, (0, M))  # (B, S, R)
    row_steps = capped_steps(output, row_ids, weights.sum(1), lr, config.row_cap)  # (B, R)
    loss, g_hidden, g_rows = block_loss_and_grads(
        hidden, rows, labels, weights, row_steps=row_steps
    )  # g_hidden: d loss / d hidden, (B, S, E)
    load = weights.sum(2).reshape(-1).repeat_interleave(sizes)  # (Z,) each bag row's pairs
    steps = capped_steps(table, flat, load, lr, config.row_cap)  # (Z,)
    spread = g_hidden.reshape(B * S, E).repeat_interleave(sizes, 0)  # (Z, E)
    table.index_add_(0, flat, spread.mul_(steps.unsqueeze(1)))  # every bag row, the whole step
    add_rows(output, row_ids, g_rows)
    return loss, n_pos.sum()


def _guard(config: TrainConfig, V: int, L: int, bags: SubwordBags) -> None:
    """The word-level trainer's peak, plus the n-gram rows and the chunk's bags."""
    need = estimate_training_bytes(
        V,
        L,
        vector_size=config.vector_size,
        window=config.window,
        block=config.block,
        noise_rows=config.noise_rows,
        chunk=config.chunk,
    )
    P = bags.rows.shape[1]
    need += subword_table_bytes(V, bags.buckets, config.vector_size) - 4 * V * config.vector_size
    # the bags (V, P); a chunk's padded ids and mask (n, P), its flat rows and their gradient
    # (Z, E) with Z <= n * P
    need += 8 * V * P + config.chunk * P * (2 * 8 + 4 * config.vector_size)
    check_memory(
        need,
        f"subword training with V={V:,}, buckets={bags.buckets:,}, "
        f"vector_size={config.vector_size}",
        hint="Lower buckets, vector_size or chunk.",
    )


@dataclass(kw_only=True)
class _Run:
    """What one training run carries from epoch to epoch."""

    config: TrainConfig
    bags: SubwordBags
    table: torch.Tensor  # (V + H, E) updated in place
    output: torch.Tensor  # (V, E) updated in place
    ids: torch.Tensor  # (L,) the corpus's in-vocabulary ids
    keep: torch.Tensor  # (V,) keep probabilities when subsampling
    noise: torch.Tensor  # (V,) the noise distribution
    generator: torch.Generator  # every draw after the initialisation


def _one_epoch(run: _Run, epoch: int, before: int) -> list[float]:
    """Subsample, draw the reaches, update chunk by chunk (the trainer's draws, in its order);
    the loss per positive pair of each chunk. Stops if the loss or the table blows up."""
    config, generator = run.config, run.generator
    stream = subsample(run.ids, run.keep, generator=generator)  # (L,) -> (L',)
    reach = window_reach(stream.numel(), config.window, generator=generator)  # (L',)
    losses = []
    for first in range(0, stream.numel(), config.chunk):
        lr = learning_rate(config, (epoch + first / stream.numel()) / config.epochs)
        chunk = tile_chunk(stream, reach, first, config)
        shape = (chunk.centre_ids.shape[0], config.noise_rows)
        neg_ids = sample_noise(run.noise, shape, generator=generator)  # (B, M)
        loss, pairs = subword_update(run.table, run.output, run.bags, chunk, neg_ids, lr, config)
        losses.append(float(loss / pairs.clamp(min=1)))
    if not losses:  # subsampling kept no token this epoch
        return losses
    low, high = run.table.aminmax()  # the largest |entry| without an |table| copy
    largest = float(torch.stack([-low, high]).max())  # NaN stays NaN
    for value, limit, what in (
        (losses[-1], DIVERGED_LOSS, "loss per pair"),
        (largest, DIVERGED_ABOVE, "largest vector entry"),
    ):
        step = before + len(losses) - 1
        stop_if_diverged(
            value,
            limit,
            what,
            config.alpha,
            epoch,
            step,
            rate_name="alpha",
            step_name="chunk",
            by_step=True,
        )
    return losses


def _check_config(config: TrainConfig | None) -> TrainConfig:
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    if config.model != "skipgram" or config.hs or config.negative == 0:
        raise ValueError(
            "the subword trainer is SkipGram with negative sampling: set "
            "model='skipgram', hs=False and negative >= 1"
        )
    if config.workers != 1:
        raise ValueError(f"workers must be 1 for the subword trainer, got {config.workers}")
    return config


def train_subwords(
    sentences: Sequence[Sequence[str]],
    config: TrainConfig | None = None,
    *,
    min_n: int = 3,
    max_n: int = 6,
    buckets: int = DEFAULT_BUCKETS,
    vocab: Vocabulary | None = None,
    progress: bool = False,
) -> SubwordResult:
    """Train fastText's SkipGram with negative sampling on ``sentences``; seeded by
    ``config.seed``. Asks the memory guard before it allocates the tables.
    Introduced in ``11_subword_vectors.ipynb``.

    Args:
        sentences: lists of tokens.
        config: SkipGram, negative sampling, one worker (gensim's names); ``TrainConfig()``
            if None.
        min_n: the shortest n-gram, 1 to 64. Default: 3.
        max_n: the longest n-gram, ``min_n`` to 64. Default: 6.
        buckets: the n-gram rows, 1 to 50,000,000, within the memory budget. Default: 200,000.
        vocab: a vocabulary to use instead of building one. Default: ``None``.
        progress: a tqdm bar over epochs. Default: ``False``.

    Shape:
        - Output: ``table`` :math:`(V + H, E)`, ``output`` :math:`(V, E)`.
    """
    sentences = check_sentences("sentences", sentences)
    config = _check_config(config)
    start = time.perf_counter()
    vocab = build_vocabulary(sentences, config.min_count) if vocab is None else vocab
    bags = SubwordBags.build(vocab, min_n, max_n, buckets)
    ids = encode(sentences, vocab)  # (L,)
    if ids.numel() < 2:
        raise ValueError("sentences hold fewer than 2 in-vocabulary tokens; training needs 2")
    V, E = len(vocab), config.vector_size
    _guard(config, V, ids.numel(), bags)
    generator = torch.Generator().manual_seed(config.seed)
    # in place: one (V + H) x E table at a time, the values of (rand * 2 - 1) / E
    table = torch.rand(bags.table_rows, E, generator=generator).mul_(2).sub_(1).div_(E)
    output = torch.zeros(V, E)  # (V, E)
    keep = keep_probabilities(vocab.counts, config.sample)  # (V,)
    noise = noise_distribution(vocab.counts, config.ns_exponent)  # (V,)
    epochs = range(config.epochs)
    if progress:
        from tqdm.auto import tqdm

        epochs = tqdm(epochs, desc="subword epochs", unit="epoch")
    run = _Run(
        config=config,
        bags=bags,
        table=table,
        output=output,
        ids=ids,
        keep=keep,
        noise=noise,
        generator=generator,
    )
    losses: list[float] = []
    with torch.no_grad(), retained_heap():
        for epoch in epochs:
            losses += _one_epoch(run, epoch, len(losses))
    if not losses:
        raise ValueError(
            "subsampling kept no token in any epoch; raise config.sample (now "
            f"{config.sample:g}) or give more text"
        )
    return SubwordResult(
        bags=bags,
        table=table,
        output=output,
        config=config,
        losses=losses,
        seconds=time.perf_counter() - start,
        raw_tokens=sum(len(s) for s in sentences) * config.epochs,
    )
