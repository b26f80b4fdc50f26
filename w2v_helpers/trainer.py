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
and each centre scored along its path (``chunk_updates``, ``hierarchical_softmax``).

This module holds the training loop, step by step: :func:`train_word2vec` checks its arguments,
sets the run up (``_set_up``: the ids, the memory guard, the tables), trains epoch by epoch
(``_train_epochs``; ``_one_epoch``: subsampling, reach, the chunks, the worker pool; the
divergence check after each) and returns a :class:`Word2VecResult`. The settings, the learning
rate's schedule and the divergence check live in ``training_config`` (re-exported here), one
chunk's update in ``chunk_updates``, its scoring kernel in ``logistic_scores``. Introduced in
``06_negative_sampling_real_corpus.ipynb``; hierarchical softmax in
``08_hierarchical_softmax.ipynb``.

Shape glossary: V vocabulary, E embedding dim, L tokens of the corpus's id stream, L' of one
epoch's subsampled stream, B blocks in a chunk, M noise rows a block shares (``noise_rows``);
see ``chunk_updates`` for the blocks and tiles.
"""

from __future__ import annotations

import collections
import contextlib
import importlib.util
import math
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

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
from .training_config import (
    DIVERGED_ABOVE,
    DIVERGED_LOSS,
    TrainConfig,
    TrainingDivergedError,
    learning_rate,
    stop_if_diverged,
    worker_share,
)
from .validation import check_device, check_positive_int, check_sentences

__all__ = [
    "TrainConfig",
    "TrainingDivergedError",
    "Word2VecResult",
    "resolve_device",
    "learning_rate",
    "train_word2vec",
    "training_bytes",
]


def resolve_device(device: str | torch.device | None) -> torch.device:
    """``"cpu"`` (default), ``"cuda"``/``"cuda:0"``, or ``"auto"`` (CUDA when available).

    Raises ValueError for a string torch does not know or a CUDA device this machine lacks.
    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        device: one of those strings, a CPU or CUDA ``torch.device``, or ``None`` (CPU).
    """
    if device is None:
        return torch.device("cpu")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} asks for CUDA, but no CUDA GPU is available here")
    dev = check_device("device", device)  # one that exists here, or a message naming those that do
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be a CPU or CUDA device, got {device!r}")
    return dev


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
    sentences = check_sentences("sentences", sentences)  # before a generator is used up
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
    run = _set_up(sentences, vocab, config, dev)
    raw = sum(len(s) for s in sentences)
    losses, paused = _train_epochs(run, progress, on_epoch)
    if not losses:
        raise ValueError(
            "subsampling kept fewer than 2 tokens in every epoch; raise sample (now "
            f"{config.sample:g}) or give more text"
        )
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    seconds = time.perf_counter() - start - paused
    tables = run.tables
    return Word2VecResult(
        vocab=vocab,
        vectors=tables.w_in.cpu(),
        output=None if tables.w_out is None else tables.w_out.cpu(),
        inner=None if tables.inner is None else tables.inner.cpu(),
        tree=run.tree,
        config=config,
        losses=losses,
        seconds=seconds,
        raw_tokens=raw * config.epochs,
    )


@dataclass
class _Run:
    """What one training run carries from epoch to epoch."""

    config: TrainConfig
    tables: Tables  # updated in place; tables.config is one worker's share of config
    tree: HuffmanTree | None  # with hs only
    ids: torch.Tensor  # (L,) the corpus's in-vocabulary ids, on the training device
    keep: torch.Tensor  # (V,) each word's keep probability when subsampling
    noise: torch.Tensor  # (V,) the noise distribution
    generator: torch.Generator  # every draw after the initialisation, on the training device
    compiled: bool = False  # SkipGram's chunk updates as compiled loops (kernel="numba")

    @property
    def share(self) -> TrainConfig:
        """What one worker updates at a time (:func:`worker_share`): its ``chunk``, ``row_cap``."""
        return self.tables.config


def _set_up(
    sentences: Sequence[Sequence[str]], vocab: Vocabulary, config: TrainConfig, dev: torch.device
) -> _Run:
    """The run's ids, tree and tables, the tables allocated only once the memory guard allows
    them; the input table uniform in +-0.5/E, seeded by ``config.seed``, the others zeros."""
    ids = encode(sentences, vocab)  # (L,)
    if ids.numel() < 2:
        raise ValueError(
            f"sentences hold {ids.numel()} in-vocabulary token(s); training needs at least 2 "
            "(give more text or lower min_count)"
        )
    V, E = len(vocab), config.vector_size
    share = worker_share(config)
    tree = build_huffman_tree(vocab.counts) if config.hs else None
    compiled = _compiled(config.kernel, config.model, dev)
    if compiled:  # numba's compiler holds memory too: loaded before the guard reads it
        from .compiled_spans import load_all_loops

        load_all_loops()
    _guard_memory(config, share, V, ids.numel(), tree)
    ids = ids.to(dev)
    generator = torch.Generator(device=dev).manual_seed(config.seed)
    with torch.random.fork_rng(devices=[]):  # the global generator is left as it was
        torch.manual_seed(config.seed)
        w_in = ((torch.rand(V, E) - 0.5) / E).to(dev)  # (V, E)
    tables = Tables(
        w_in=w_in,
        w_out=torch.zeros(V, E, device=dev) if config.negative else None,  # (V, E)
        inner=None if tree is None else torch.zeros(V - 1, E, device=dev),  # (V - 1, E)
        paths=None if tree is None else PathTables.from_tree(tree, dev),
        config=share,
    )
    return _Run(
        config=config,
        tables=tables,
        tree=tree,
        ids=ids,
        keep=keep_probabilities(vocab.counts, config.sample).to(dev),  # (V,)
        noise=noise_distribution(vocab.counts, config.ns_exponent).to(dev),  # (V,)
        generator=generator,
        compiled=compiled,
    )


def training_bytes(config: TrainConfig, vocab: Vocabulary, tokens: int) -> int:
    """The memory guard's estimate of a run's peak bytes: what :func:`train_word2vec` asks for.

    Introduced in ``10_count_and_predict.ipynb``.

    Args:
        config: the run's settings.
        vocab: its vocabulary (its counts size the Huffman tree when ``config.hs``).
        tokens: L, the corpus's in-vocabulary tokens, at least 1.
    """
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a Vocabulary (build_vocabulary), got {vocab!r}")
    L = check_positive_int("tokens", tokens)
    tree = build_huffman_tree(vocab.counts) if config.hs else None
    return _needed_bytes(config, worker_share(config), len(vocab), L, tree)


def _needed_bytes(
    config: TrainConfig, share: TrainConfig, V: int, L: int, tree: HuffmanTree | None
) -> int:
    """The memory guard's estimate; with ``kernel="numba"`` each worker's gradient tables
    (``compiled_spans.scratch``: one like the input table, one like each output table in use)
    on top."""
    scratch = 0
    if config.kernel == "numba" and config.model == "skipgram":
        rows = V + (V if config.negative else 0) + (V - 1 if config.hs else 0)
        scratch = config.workers * rows * config.vector_size * FLOAT32
    return scratch + estimate_training_bytes(
        V,
        L,
        vector_size=config.vector_size,
        window=config.window,
        block=config.block,
        noise_rows=config.noise_rows,
        chunk=share.chunk,
        path_length=0 if tree is None else tree.codes.shape[1],
        model=config.model,
        negative=config.negative,
        workers=config.workers,
    )


FLOAT32 = 4


def _guard_memory(
    config: TrainConfig, share: TrainConfig, V: int, L: int, tree: HuffmanTree | None
) -> None:
    """Ask the memory guard for the run's peak before anything sized by the settings exists."""
    need = _needed_bytes(config, share, V, L, tree)
    check_memory(
        need,
        f"training with V={V:,}, vector_size={config.vector_size}, window={config.window}, "
        f"chunk={config.chunk}",
        hint="Lower vector_size, window, chunk or noise_rows.",
    )


class _ChunkUpdate:
    """One chunk's update with every loss in use, callable from a worker thread: takes the
    chunk, its noise ids (``None`` without negative sampling) and its learning rate, updates
    the tables in place, and returns the chunk's (summed loss, positive pairs), shape (2,)."""

    def __init__(self, tables: Tables, model: str, compiled: bool = False) -> None:
        skipgram = model == "skipgram"
        self.tables = tables
        self.ns_update = skipgram_ns_update if skipgram else cbow_ns_update
        self.hs_update = skipgram_hs_update if skipgram else cbow_hs_update
        self.spans = None  # compiled_spans.StreamSpan: the chunks need no tiles
        if compiled:  # SkipGram on the CPU, numba installed (see _compiled)
            from . import compiled_hs, compiled_ns, compiled_spans

            self.ns_update = compiled_ns.skipgram_ns_update
            self.hs_update = compiled_hs.skipgram_hs_update
            self.spans = compiled_spans.StreamSpan  # both updates take spans

    @torch.no_grad()  # no_grad is per thread: the workers need their own
    def __call__(self, chunk: Chunk, neg_ids: torch.Tensor | None, lr: float) -> torch.Tensor:
        loss = count = None
        if neg_ids is not None:
            loss, count = self.ns_update(self.tables, chunk, neg_ids, lr)
        if self.tables.paths is not None:
            hs_loss, count = self.hs_update(self.tables, chunk, lr)
            loss = hs_loss if loss is None else loss + hs_loss
        return torch.stack((loss, count))  # (2,)


def _compiled(kernel: str, model: str, dev: torch.device) -> bool:
    """Whether ``kernel="numba"`` applies: SkipGram on the CPU, with numba installed (else a
    warning says the tensor update runs instead)."""
    if kernel != "numba" or model != "skipgram":
        return False
    if dev.type != "cpu":
        warnings.warn(
            "kernel='numba' runs on the CPU only; this run uses the tensor update",
            RuntimeWarning,
            stacklevel=4,  # the caller of train_word2vec
        )
        return False
    if not _numba_available():
        warnings.warn(
            "kernel='numba' needs numba (pip install numba==0.68.1); this run uses the tensor "
            "update, the same update, slower",
            RuntimeWarning,
            stacklevel=4,
        )
        return False
    return True


def _numba_available() -> bool:
    return importlib.util.find_spec("numba") is not None


def _train_epochs(
    run: _Run, progress: bool, on_epoch: Callable[[int, torch.Tensor], object] | None
) -> tuple[list[float], float]:
    """Every epoch in turn, each checked for divergence: the loss per pair of every chunk, and
    the seconds spent in ``on_epoch``."""
    config = run.config
    epochs = range(config.epochs)
    if progress:
        from tqdm.auto import tqdm

        epochs = tqdm(epochs, desc=f"{config.model} epochs", unit="epoch")
    update = _ChunkUpdate(run.tables, config.model, run.compiled)
    losses: list[float] = []
    paused = 0.0  # seconds spent in on_epoch, not training
    # workers > 1: chunks drawn here, in order, are updated by a pool of threads at once, each
    # reading and adding into the shared tables without locks, as word2vec's and gensim's
    # threads do ("Hogwild"); which thread's add lands first varies from run to run.
    pool = ThreadPoolExecutor(config.workers) if config.workers > 1 else None
    with torch.no_grad(), retained_heap(), pool or contextlib.nullcontext():
        for epoch in epochs:
            per_pair = _one_epoch(run, update, pool, epoch)
            if per_pair:
                _check_epoch(run.tables, per_pair, len(losses), epoch, config.chunk)
                losses += per_pair
            if on_epoch is not None:
                paused -= time.perf_counter()
                on_epoch(epoch + 1, run.tables.w_in)
                paused += time.perf_counter()
    return losses, paused


def _one_epoch(
    run: _Run, update: _ChunkUpdate, pool: ThreadPoolExecutor | None, epoch: int
) -> list[float]:
    """Subsample the ids, draw each position's reach, and update the tables chunk by chunk, in
    this thread or on the pool's; the loss per positive pair of each chunk, in order."""
    stream = subsample(run.ids, run.keep, generator=run.generator)  # (L,) -> (L',)
    reach = window_reach(  # (L',)
        stream.numel(), run.config.window, generator=run.generator, device=stream.device
    )
    sums = []  # per chunk: (loss summed over pairs, positive pairs), kept on the device
    running: collections.deque[Future] = collections.deque()  # the pool's chunks, oldest first
    for chunk, neg_ids, lr in _chunks(run, stream, reach, epoch, update.spans):
        if pool is None:
            sums.append(update(chunk, neg_ids, lr))
            continue
        running.append(pool.submit(update, chunk, neg_ids, lr))
        if len(running) > run.config.workers:  # one chunk ready while the pool is busy
            sums.append(running.popleft().result())
    sums += [future.result() for future in running]
    if not sums:
        return []
    totals = torch.stack(sums).double()  # (chunks, 2); .tolist(): one sync an epoch
    return (totals[:, 0] / totals[:, 1].clamp(min=1)).tolist()


def _chunks(
    run: _Run, stream: torch.Tensor, reach: torch.Tensor, epoch: int, spans: type | None = None
) -> Iterator[tuple[Chunk, torch.Tensor | None, float]]:
    """The epoch's chunks in order, each with its noise ids (``None`` without negative
    sampling) and its learning rate, drawn as they are asked for; with ``spans``
    (``compiled_spans.StreamSpan``) each chunk is only its span of the stream, no tiles, and the
    same noise ids."""
    config = run.config
    L = stream.numel()
    for first in range(0, L, run.share.chunk):
        lr = learning_rate(config, (epoch + first / L) / config.epochs)
        if spans is None:
            chunk = tile_chunk(stream, reach, first, run.share)
            blocks = chunk.centre_ids.shape[0]
        else:
            stop = min(first + run.share.chunk, L)
            chunk = spans(stream=stream, reach=reach, start=first, stop=stop)
            blocks = math.ceil((stop - first) / config.block)  # as tile_chunk cuts it
        neg_ids = None
        if config.negative:
            shape = (blocks, config.noise_rows)
            neg_ids = sample_noise(run.noise, shape, generator=run.generator)  # (B, M)
        yield chunk, neg_ids, lr


def _check_epoch(
    tables: Tables, per_pair: list[float], before: int, epoch: int, chunk: int
) -> None:
    """Stop at the epoch's first chunk whose loss per pair is over ``DIVERGED_LOSS`` (or NaN),
    else at its last chunk if a table entry is over ``DIVERGED_ABOVE``; ``before`` chunks ran in
    earlier epochs. The message reports both readings and names ``alpha``.

    A chunk of more than 10 centres per word (a toy corpus) sums many steps into every row:
    the message then names ``chunk`` too (24 words diverged at 256 centres and trained at 64)."""
    used = [t for t in (tables.w_in, tables.w_out, tables.inner) if t is not None]
    largest = max(float(t.abs().max()) for t in used)
    advice = ", and keep row_cap at most its default, 256"
    if (V := tables.w_in.shape[0]) * 10 < chunk:
        advice += f". With only {V:,} words, also lower chunk (now {chunk:,}) to a few per word"
    stop = partial(
        stop_if_diverged,
        rate=tables.config.alpha,
        epoch=epoch,
        rate_name="alpha",
        step_name="chunk",
        by_step=True,
        advice=advice,
    )
    for i, loss in enumerate(per_pair):
        readings = {"loss per pair": loss, "largest vector entry": largest}
        stop(loss, DIVERGED_LOSS, "loss per pair", step=before + i, readings=readings)
    readings = {"loss per pair": per_pair[-1], "largest vector entry": largest}
    last = before + len(per_pair) - 1
    stop(largest, DIVERGED_ABOVE, "largest vector entry", step=last, readings=readings)
