"""A word2vec trainer: SkipGram and CBOW with negative sampling, on CPU or GPU.

Each epoch subsamples the id stream and draws every position's window reach with the corpus
helpers (``subsample``, ``window_reach``), then cuts the stream into chunks, each chunk into blocks
of S consecutive centres. A block reads its context *tile* (the C = S + 2w rows around it) and
M shared noise rows with two gathers, scores everything with one batched matmul
(``block_loss_and_grads``), masks the scores to each centre's dynamic window, and writes the
gradient back with one ``index_add_`` per table per chunk. Every positive pair still sees
``negative`` noise words in expectation: a block's shared noise rows are weighted
``negative * n_i / M`` for a centre with ``n_i`` context words. The learning rate decays linearly
with progress through all epochs, as in word2vec and gensim.

Where this departs from word2vec's C code and gensim (both update the tables after every pair,
each pair with its own K noise words, and keep each window inside its sentence): updates of one
chunk are computed from the same tables and summed (stale by up to a chunk); a block's centres
share their noise rows; a row's summed update in a chunk is capped at ``row_cap`` pairs, without
which frequent rows diverge; and windows run across sentence ends (the stream is one sequence).
With ``hs=True`` the output side is word2vec's hierarchical softmax instead (or as well, with
``negative > 0``, as in gensim): a Huffman tree over the vocabulary, one vector per inner node,
and each centre scored along its path (``chunk_updates``, ``hierarchical_softmax``). The chunk
updates live in ``chunk_updates``. Introduced in ``06_negative_sampling_real_corpus.ipynb``;
hierarchical softmax in ``08_hierarchical_softmax.ipynb``.

Shape glossary: V vocabulary, E embedding dim, L tokens of one epoch's subsampled stream,
B blocks in a chunk, M noise rows a block shares (``noise_rows``); see ``chunk_updates`` for
the blocks and tiles.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import torch

from .chunk_updates import (
    Chunk,
    PathTables,
    Tables,
    cbow_hs_update,
    cbow_ns_update,
    skipgram_hs_update,
    skipgram_ns_update,
    tile_chunk,
)
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
from .evaluation import most_similar, wordsim_spearman
from .hierarchical_softmax import HuffmanTree, build_huffman_tree
from .memory import check_memory, estimate_training_bytes, retained_heap
from .validation import check_int, check_number, check_positive_int

__all__ = [
    "TrainConfig",
    "TrainingDivergedError",
    "Word2VecResult",
    "resolve_device",
    "learning_rate",
    "train_word2vec",
]

MODELS = ("skipgram", "cbow")
MAX_VECTOR_SIZE = 2_048
MAX_WINDOW = 50
MAX_NEGATIVE = 64
MAX_EPOCHS = 1_000
MAX_BLOCK = 1_024
MAX_NOISE_ROWS = 4_096
MAX_CHUNK = 1 << 20
MAX_WORKERS = 64
DIVERGED_ABOVE = 1e4  # a table entry this large means the updates are blowing up
# A chunk's loss per pair starts at (1 + K) ln 2 (or a path's length x ln 2); this far above it,
# scores are in the hundreds with the wrong sign.
DIVERGED_LOSS = 1e3


class TrainingDivergedError(FloatingPointError):
    """Training produced a non-finite loss or exploding vectors; the message says what to lower.

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.
    """


def resolve_device(device: str | torch.device | None) -> torch.device:
    """``"cpu"`` (default), ``"cuda"``/``"cuda:0"``, or ``"auto"`` (CUDA when available).

    Raises ValueError for a string torch does not know or a CUDA device this machine lacks.
    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        device: one of those strings, a CPU or CUDA ``torch.device``, or ``None`` (CPU).
    """
    if device is None:
        return torch.device("cpu")
    if isinstance(device, torch.device):
        dev = device
    elif isinstance(device, str):
        if device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        try:
            dev = torch.device(device)
        except RuntimeError:
            raise ValueError(
                f"device must be 'cpu', 'cuda', 'cuda:<n>' or 'auto', got {device!r}"
            ) from None
    else:
        raise TypeError(f"device must be a string like 'cpu' or 'cuda', got {device!r}")
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be a CPU or CUDA device, got {device!r}")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} asks for CUDA, but no CUDA GPU is available here")
    return dev


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters, named as in gensim's ``Word2Vec`` and defaulted as there, except
    ``model``: gensim's default is CBOW (``sg=0``), ours skip-gram. ``block``, ``noise_rows``,
    ``chunk`` and ``row_cap`` are this trainer's own (gensim has no blocks).

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.
    """

    model: str = "skipgram"  # "skipgram" or "cbow"
    vector_size: int = 100  # E
    window: int = 5  # largest window on each side; each centre draws 1..window
    negative: int = 5  # K noise words per positive pair (in expectation); 0: none
    hs: bool = False  # hierarchical softmax (gensim's hs=1; with negative=0 it is the only loss)
    sample: float = 1e-3  # subsampling threshold t
    min_count: int = 5
    epochs: int = 5
    alpha: float = 0.025  # learning rate at the start, decayed linearly to min_alpha
    min_alpha: float = 0.0001
    block: int = 16  # centres per block (one matmul per block)
    noise_rows: int = 16  # noise rows shared by a block
    chunk: int = 4096  # centres per chunk (one index_add_ per table per chunk)
    row_cap: float = 256.0  # a row's summed update in a chunk counts at most this many pairs
    seed: int = 0
    workers: int = 1  # threads updating the tables at once; above 1 runs are not reproducible

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f"model must be one of {MODELS}, got {self.model!r}")
        for name, most in (
            ("vector_size", MAX_VECTOR_SIZE),
            ("window", MAX_WINDOW),
            ("min_count", None),
            ("epochs", MAX_EPOCHS),
            ("block", MAX_BLOCK),
            ("noise_rows", MAX_NOISE_ROWS),
            ("chunk", MAX_CHUNK),
            ("workers", MAX_WORKERS),
        ):
            check_positive_int(name, getattr(self, name), maximum=most)
        if not isinstance(self.hs, bool) and self.hs not in (0, 1):
            raise TypeError(f"hs must be True or False (gensim's 1 or 0), got {self.hs!r}")
        check_int("negative", self.negative, low=0, high=MAX_NEGATIVE)
        if self.negative == 0 and not self.hs:
            raise ValueError(
                "negative=0 leaves nothing to train against: set negative to 1..64, or hs=True "
                "for hierarchical softmax"
            )
        if self.chunk % self.block:
            raise ValueError(f"chunk ({self.chunk}) must be a multiple of block ({self.block})")
        check_number("row_cap", self.row_cap, low=0, low_open=True)  # math.inf: no cap
        check_number("sample", self.sample, low=0, high=1, low_open=True, high_open=True)
        check_number("alpha", self.alpha, low=0, high=1, low_open=True)
        check_number("min_alpha", self.min_alpha, low=0, high=self.alpha, low_open=True)
        check_int("seed", self.seed, low=0)


@dataclass
class Word2VecResult:
    """Trained vectors and what training measured.

    ``vectors`` is the input table (V, E); ``output`` the negative-sampling output (context)
    table (V, E), ``None`` when ``negative=0``; ``inner`` the hierarchical softmax's inner-node
    vectors (V - 1, E) and ``tree`` its Huffman tree, both ``None`` unless ``hs``. ``losses``
    holds the mean loss per positive pair of each chunk; ``seconds`` the wall time of training
    (subsampling and pair building included); ``raw_tokens`` the corpus tokens times epochs,
    so ``raw_tokens / seconds`` is words per second as gensim counts them.
    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Shape:
        - vectors, output: :math:`(V, E)`, inner: :math:`(V - 1, E)`, on the CPU.
    """

    vocab: Vocabulary
    vectors: torch.Tensor  # (V, E)
    output: torch.Tensor | None  # (V, E)
    config: TrainConfig
    inner: torch.Tensor | None = None  # (V - 1, E)
    tree: HuffmanTree | None = None
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0
    raw_tokens: int = 0

    @property
    def words_per_second(self) -> float:
        return self.raw_tokens / self.seconds if self.seconds > 0 else math.inf

    def most_similar(self, word: str, topn: int = 5) -> list[tuple[str, float]]:
        """The ``topn`` nearest words by cosine similarity of the input vectors."""
        return most_similar(self.vectors, self.vocab, word, topn)

    def wordsim353(self) -> float:
        """Spearman correlation with WordSim353 over the pairs whose words are both known."""
        return wordsim_spearman(self.vectors, self.vocab)


def learning_rate(config: TrainConfig, progress: float) -> float:
    """The learning rate at ``progress`` (0 at the start of training, 1 at the end of the last
    epoch): linear from ``alpha`` down to ``min_alpha``, as in word2vec and gensim.
    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        config: the hyperparameters; only ``alpha`` and ``min_alpha`` are read.
        progress: the fraction of training done, a number in [0, 1].
    """
    progress = check_number("progress", progress, low=0, high=1)
    return config.alpha - (config.alpha - config.min_alpha) * progress


def train_word2vec(
    sentences: Sequence[Sequence[str]],
    config: TrainConfig | None = None,
    *,
    device: str | torch.device | None = "cpu",
    progress: bool = True,
    vocab: Vocabulary | None = None,
    on_epoch: Callable[[int, torch.Tensor], object] | None = None,
) -> Word2VecResult:
    """Train SkipGram or CBOW with negative sampling and/or hierarchical softmax (``hs``).

    Same hyperparameters and initialisation as gensim's ``Word2Vec`` (input table uniform in
    +-0.5/E, output tables zeros). Seeded by ``config.seed``. ``device`` is ``"cpu"`` (default),
    ``"cuda"`` or ``"auto"``. A tqdm bar counts epochs when ``progress``. Asks the memory guard
    before allocating anything sized by the settings, and stops with
    :class:`TrainingDivergedError` (naming ``alpha`` and the chunk) if the loss or the vectors
    stop being finite. Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        sentences: lists of tokens.
        config: hyperparameters (gensim's names and defaults); ``TrainConfig()`` if None.
        device: where to train (see :func:`resolve_device`). Default: ``"cpu"``.
        progress: show a tqdm bar over epochs. Default: ``True``.
        vocab: a vocabulary to use instead of building one from ``sentences``. Default: ``None``.
        on_epoch: called after each epoch with the epoch (1, 2, ...) and the input table, on
            the training device (copy it to keep it); its time is left out of ``seconds``.
            Default: ``None``.

    Shape:
        - Output: ``vectors`` and ``output`` of the result, :math:`(V, E)`; ``inner``,
          :math:`(V - 1, E)`.
    """
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    dev = resolve_device(device)
    vocab = build_vocabulary(sentences, config.min_count) if vocab is None else vocab
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a Vocabulary (build_vocabulary), got {vocab!r}")
    if on_epoch is not None and not callable(on_epoch):
        raise TypeError(f"on_epoch must be a function (epoch, vectors), got {on_epoch!r}")
    start = time.perf_counter()
    ids = encode(sentences, vocab)  # (L,)
    if ids.numel() < 2:
        raise ValueError(
            f"sentences hold {ids.numel()} in-vocabulary token(s); training needs at least 2 "
            "(give more text or lower min_count)"
        )
    V, E = len(vocab), config.vector_size
    job = _worker_share(config)
    tree = build_huffman_tree(vocab.counts) if config.hs else None
    need = estimate_training_bytes(
        V,
        ids.numel(),
        vector_size=E,
        window=config.window,
        block=config.block,
        noise_rows=config.noise_rows,
        chunk=job.chunk,
        path_length=0 if tree is None else tree.codes.shape[1],
        model=config.model,
        negative=config.negative,
        workers=config.workers,
    )
    check_memory(
        need,
        f"training with V={V:,}, vector_size={E}, window={config.window}, chunk={config.chunk}",
        hint="Lower vector_size, window, chunk or noise_rows.",
    )
    ids = ids.to(dev)
    raw = sum(len(s) for s in sentences)
    gen = torch.Generator(device=dev).manual_seed(config.seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        w_in = ((torch.rand(V, E) - 0.5) / E).to(dev)  # (V, E)
    tables = Tables(
        w_in=w_in,
        w_out=torch.zeros(V, E, device=dev) if config.negative else None,  # (V, E)
        inner=None if tree is None else torch.zeros(V - 1, E, device=dev),  # (V - 1, E)
        paths=None if tree is None else PathTables.from_tree(tree, dev),
        config=job,
    )
    noise = noise_distribution(vocab.counts).to(dev)  # (V,)
    keep = keep_probabilities(vocab.counts, config.sample).to(dev)  # (V,)
    skipgram = config.model == "skipgram"
    ns_update = skipgram_ns_update if skipgram else cbow_ns_update
    hs_update = skipgram_hs_update if skipgram else cbow_hs_update
    epochs = range(config.epochs)
    if progress:
        from tqdm.auto import tqdm

        epochs = tqdm(epochs, desc=f"{config.model} epochs", unit="epoch")
    losses: list[float] = []
    paused = 0.0  # seconds spent in on_epoch, not training

    @torch.no_grad()  # no_grad is per thread: the workers need their own
    def update(chunk: Chunk, neg_ids: torch.Tensor | None, lr: float) -> torch.Tensor:
        loss = count = None
        if neg_ids is not None:
            loss, count = ns_update(tables, chunk, neg_ids, lr)
        if tree is not None:
            hs_loss, count = hs_update(tables, chunk, lr)
            loss = hs_loss if loss is None else loss + hs_loss
        return torch.stack((loss, count))

    # workers > 1: chunks drawn here, in order, are updated by a pool of threads at once, each
    # reading and adding into the shared tables without locks, as word2vec's and gensim's
    # threads do ("Hogwild"); which thread's add lands first varies from run to run.
    pool = ThreadPoolExecutor(config.workers) if config.workers > 1 else None
    with torch.no_grad(), retained_heap(), pool or contextlib.nullcontext():
        for epoch in epochs:
            stream = subsample(ids, keep, generator=gen)  # (L,) -> (L',)
            reach = window_reach(stream.numel(), config.window, generator=gen, device=dev)
            sums = []  # per chunk: (loss summed over pairs, positive pairs), kept on the device
            running = collections.deque()  # the pool's chunks, oldest first
            for first in range(0, stream.numel(), job.chunk):
                lr = learning_rate(config, (epoch + first / stream.numel()) / config.epochs)
                chunk = tile_chunk(stream, reach, first, job)
                neg_ids = None
                if config.negative:
                    shape = (chunk.centre_ids.shape[0], config.noise_rows)
                    neg_ids = sample_noise(noise, shape, generator=gen)  # (B, M)
                if pool is None:
                    sums.append(update(chunk, neg_ids, lr))
                    continue
                running.append(pool.submit(update, chunk, neg_ids, lr))
                if len(running) > config.workers:  # one chunk ready while the pool is busy
                    sums.append(running.popleft().result())
            sums += [job.result() for job in running]
            if sums:
                totals = torch.stack(sums).double()  # (chunks, 2); .tolist(): one sync an epoch
                per_pair = (totals[:, 0] / totals[:, 1].clamp(min=1)).tolist()
                _stop_if_diverged(tables, per_pair, len(losses), epoch, config.chunk)
                losses += per_pair
            if on_epoch is not None:
                paused -= time.perf_counter()
                on_epoch(epoch + 1, tables.w_in)
                paused += time.perf_counter()
    if not losses:
        raise ValueError(
            "subsampling kept fewer than 2 tokens in every epoch; raise sample (now "
            f"{config.sample:g}) or give more text"
        )
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    seconds = time.perf_counter() - start - paused
    return Word2VecResult(
        vocab=vocab,
        vectors=tables.w_in.cpu(),
        output=None if tables.w_out is None else tables.w_out.cpu(),
        inner=None if tables.inner is None else tables.inner.cpu(),
        tree=tree,
        config=config,
        losses=losses,
        seconds=seconds,
        raw_tokens=raw * config.epochs,
    )


def _worker_share(config: TrainConfig) -> TrainConfig:
    """What one of ``workers`` threads updates at a time: ``chunk / workers`` centres, so the
    chunks in flight together are as stale as one worker's chunk. With negative sampling each
    row's step is also capped at ``row_cap / workers``, keeping a row's summed step over the
    chunks in flight at ``row_cap``: with whole caps, two workers diverged within two of 20
    epochs (the frequent noise rows). Hierarchical softmax alone keeps the whole cap: halved,
    its median Spearman over three seeds at 20 epochs fell by 0.02; whole, it stayed within 0.01
    of one worker's."""
    if config.workers == 1:
        return config
    share = max(config.block, config.chunk // config.workers // config.block * config.block)
    cap = config.row_cap / config.workers if config.negative else config.row_cap
    return dataclasses.replace(config, chunk=share, row_cap=cap)


def _stop_if_diverged(
    tables: Tables, per_pair: list[float], before: int, epoch: int, chunk: int
) -> None:
    """Raise TrainingDivergedError if a chunk's loss or a table entry is not finite or huge.

    A chunk of more than 10 centres per word (a toy corpus) sums many steps into every row:
    the message then names ``chunk`` too (24 words diverged at 256 centres and trained at 64)."""
    used = [t for t in (tables.w_in, tables.w_out, tables.inner) if t is not None]
    largest = max(float(t.abs().max()) for t in used)
    bad = next((i for i, v in enumerate(per_pair) if not v <= DIVERGED_LOSS), None)  # NaN too
    if bad is None and math.isfinite(largest) and largest <= DIVERGED_ABOVE:
        return
    where = len(per_pair) - 1 if bad is None else bad
    raise TrainingDivergedError(
        f"training diverged in epoch {epoch + 1}: by chunk {before + where} the loss per pair is "
        f"{per_pair[where]:.3g} and the largest vector entry {largest:.3g}. Lower alpha (now "
        f"{tables.config.alpha:g}; word2vec's default is 0.025), and keep row_cap at most its "
        "default, 256."
        + (
            f" With only {V:,} words, also lower chunk (now {chunk:,}) to a few per word."
            if (V := tables.w_in.shape[0]) * 10 < chunk
            else ""
        )
    )
