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
Introduced in ``06_negative_sampling_real_corpus.ipynb``.

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives;
L tokens of one epoch's subsampled stream, B blocks in a chunk, S centres per block (``block``),
w window radius (``window``), C = S + 2w rows of a block's context tile, M noise rows a block
shares (``noise_rows``), R = C + M rows a SkipGram block scores.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

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
from .memory import check_memory, estimate_training_bytes
from .negative_sampling import block_loss_and_grads
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
DIVERGED_ABOVE = 1e4  # a table entry this large means the updates are blowing up


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
    negative: int = 5  # K noise words per positive pair (in expectation)
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

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f"model must be one of {MODELS}, got {self.model!r}")
        for name, most in (
            ("vector_size", MAX_VECTOR_SIZE),
            ("window", MAX_WINDOW),
            ("negative", MAX_NEGATIVE),
            ("min_count", None),
            ("epochs", MAX_EPOCHS),
            ("block", MAX_BLOCK),
            ("noise_rows", MAX_NOISE_ROWS),
            ("chunk", MAX_CHUNK),
        ):
            check_positive_int(name, getattr(self, name), maximum=most)
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

    ``vectors`` is the input table (V, E); ``output`` the output (context) table (V, E).
    ``losses`` holds the mean loss per positive pair of each chunk; ``seconds`` the wall time
    of training (subsampling and pair building included); ``raw_tokens`` the corpus tokens
    times epochs, so ``raw_tokens / seconds`` is words per second as gensim counts them.
    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Shape:
        - vectors, output: :math:`(V, E)`, on the CPU.
    """

    vocab: Vocabulary
    vectors: torch.Tensor  # (V, E)
    output: torch.Tensor  # (V, E)
    config: TrainConfig
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


@dataclass
class _Run:
    """What one training run updates and draws from."""

    w_in: torch.Tensor  # (V, E) input (centre) table: the word vectors
    w_out: torch.Tensor  # (V, E) output (context) table
    noise: torch.Tensor  # (V,) float64 noise distribution
    generator: torch.Generator
    config: TrainConfig


@dataclass(frozen=True)
class _Chunk:
    """One chunk of the stream, as blocks of S centres and the tiles around them."""

    centre_ids: torch.Tensor  # (B, S)
    tile_ids: torch.Tensor  # (B, C) the rows from S + w before a block's first centre onward
    mask: torch.Tensor  # (B, S, C) bool: tile row c is in centre s's window (and both exist)
    centre_ok: torch.Tensor  # (B, S) bool: a real centre (the last block may be short)


def train_word2vec(
    sentences: Sequence[Sequence[str]],
    config: TrainConfig | None = None,
    *,
    device: str | torch.device | None = "cpu",
    progress: bool = True,
    vocab: Vocabulary | None = None,
) -> Word2VecResult:
    """Train SkipGram or CBOW with negative sampling on tokenised ``sentences``.

    Same hyperparameters and initialisation as gensim's ``Word2Vec`` (input table uniform in
    +-0.5/E, output table zeros). Seeded by ``config.seed``. ``device`` is ``"cpu"`` (default),
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

    Shape:
        - Output: ``vectors`` and ``output`` of the result, :math:`(V, E)`.
    """
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    dev = resolve_device(device)
    vocab = build_vocabulary(sentences, config.min_count) if vocab is None else vocab
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a Vocabulary (build_vocabulary), got {vocab!r}")
    start = time.perf_counter()
    ids = encode(sentences, vocab)  # (L,)
    if ids.numel() < 2:
        raise ValueError(
            f"sentences hold {ids.numel()} in-vocabulary token(s); training needs at least 2 "
            "(give more text or lower min_count)"
        )
    V, E = len(vocab), config.vector_size
    need = estimate_training_bytes(
        V,
        ids.numel(),
        vector_size=E,
        window=config.window,
        block=config.block,
        noise_rows=config.noise_rows,
        chunk=config.chunk,
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
    run = _Run(
        w_in=w_in,
        w_out=torch.zeros(V, E, device=dev),  # (V, E)
        noise=noise_distribution(vocab.counts).to(dev),  # (V,)
        generator=gen,
        config=config,
    )
    keep = keep_probabilities(vocab.counts, config.sample).to(dev)  # (V,)
    update = _skipgram_update if config.model == "skipgram" else _cbow_update
    epochs = range(config.epochs)
    if progress:
        from tqdm.auto import tqdm

        epochs = tqdm(epochs, desc=f"{config.model} epochs", unit="epoch")
    losses: list[float] = []
    with torch.no_grad():
        for epoch in epochs:
            stream = subsample(ids, keep, generator=gen)  # (L,) -> (L',)
            reach = window_reach(stream.numel(), config.window, generator=gen, device=dev)
            sums = []  # per chunk: (loss summed over pairs, positive pairs), kept on the device
            for first in range(0, stream.numel(), config.chunk):
                lr = learning_rate(config, (epoch + first / stream.numel()) / config.epochs)
                chunk = _tile(stream, reach, first, config)
                shape = (chunk.centre_ids.shape[0], config.noise_rows)
                neg_ids = sample_noise(run.noise, shape, generator=gen)  # (B, M)
                sums.append(torch.stack(update(run, chunk, neg_ids, lr)))
            if sums:
                totals = torch.stack(sums).double()  # (chunks, 2); .tolist(): one sync an epoch
                per_pair = (totals[:, 0] / totals[:, 1].clamp(min=1)).tolist()
                _stop_if_diverged(run, per_pair, len(losses), epoch)
                losses += per_pair
    if not losses:
        raise ValueError(
            "subsampling kept fewer than 2 tokens in every epoch; raise sample (now "
            f"{config.sample:g}) or give more text"
        )
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    seconds = time.perf_counter() - start
    return Word2VecResult(
        vocab=vocab,
        vectors=run.w_in.cpu(),
        output=run.w_out.cpu(),
        config=config,
        losses=losses,
        seconds=seconds,
        raw_tokens=raw * config.epochs,
    )


def _stop_if_diverged(run: _Run, per_pair: list[float], before: int, epoch: int) -> None:
    """Raise TrainingDivergedError if a chunk's loss or a table entry is not finite or huge."""
    largest = max(float(run.w_in.abs().max()), float(run.w_out.abs().max()))
    bad = next((i for i, v in enumerate(per_pair) if not math.isfinite(v)), None)
    if bad is None and math.isfinite(largest) and largest <= DIVERGED_ABOVE:
        return
    where = len(per_pair) - 1 if bad is None else bad
    raise TrainingDivergedError(
        f"training diverged in epoch {epoch + 1}: by chunk {before + where} the loss per pair is "
        f"{per_pair[where]:.3g} and the largest vector entry {largest:.3g}. Lower alpha (now "
        f"{run.config.alpha:g}; word2vec's default is 0.025), and keep row_cap at most its "
        "default, 256."
    )


def _tile(stream: torch.Tensor, reach: torch.Tensor, start: int, config: TrainConfig) -> _Chunk:
    """The chunk of ``stream`` from ``start``: centres, tiles and window mask of each block."""
    S, w = config.block, config.window
    L = stream.numel()
    end = min(start + config.chunk, L)
    B = math.ceil((end - start) / S)
    dev = stream.device
    pos = torch.arange(start - w, start + B * S + w, device=dev)  # (B*S + 2w,)
    valid = (pos >= 0) & (pos < L) & (pos < end + w)  # (B*S + 2w,)
    padded = stream[pos.clamp(0, L - 1)]  # (B*S + 2w,)
    C = S + 2 * w
    firsts = (torch.arange(B, device=dev) * S).unsqueeze(1)  # (B, 1) each block's first slot
    tile_idx = firsts + torch.arange(C, device=dev)  # (B, C)
    tile_ids = padded[tile_idx]  # (B, C)
    tile_ok = valid[tile_idx]  # (B, C)
    centre_pos = torch.arange(start, start + B * S, device=dev)  # (B*S,)
    centre_ok = (centre_pos < end).view(B, S)  # (B, S)
    centre_ids = stream[centre_pos.clamp(max=L - 1)].view(B, S)  # (B, S)
    r = reach[centre_pos.clamp(max=L - 1)].view(B, S, 1)  # (B, S, 1)
    # tile row c sits at distance |c - w - s| from centre s of its block
    offset = (torch.arange(C, device=dev) - w).unsqueeze(0) - torch.arange(S, device=dev)[:, None]
    dist = offset.abs()  # (S, C)
    mask = (dist >= 1) & (dist <= r) & tile_ok.unsqueeze(1) & centre_ok.unsqueeze(2)  # (B, S, C)
    return _Chunk(centre_ids=centre_ids, tile_ids=tile_ids, mask=mask, centre_ok=centre_ok)


def _skipgram_update(
    run: _Run, chunk: _Chunk, neg_ids: torch.Tensor, lr: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """One chunk of SkipGram: each centre scores its window and the block's noise rows.

    Returns the loss summed over pairs and the number of positive pairs (0-d device tensors).
    """
    B, S = chunk.centre_ids.shape
    M = neg_ids.shape[1]
    row_ids = torch.cat([chunk.tile_ids, neg_ids], 1)  # (B, R)
    centre = run.w_in[chunk.centre_ids]  # (B, S, E)
    rows = run.w_out[row_ids]  # (B, R, E)
    pos = chunk.mask.to(centre.dtype)  # (B, S, C)
    n_pos = pos.sum(2, keepdim=True)  # (B, S, 1)
    neg_w = (run.config.negative / M) * n_pos.expand(B, S, M)  # (B, S, M)
    weights = torch.cat([pos, neg_w], 2)  # (B, S, R)
    labels = F.pad(pos, (0, M))  # (B, S, R)
    loss, g_centre, g_rows = block_loss_and_grads(centre, rows, labels, weights)
    _apply(run.w_in, chunk.centre_ids, g_centre, weights.sum(2), lr, run.config.row_cap)
    _apply(run.w_out, row_ids, g_rows, weights.sum(1), lr, run.config.row_cap)
    return loss, n_pos.sum()


def _cbow_update(
    run: _Run, chunk: _Chunk, neg_ids: torch.Tensor, lr: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """One chunk of CBOW: each window's mean vector predicts its centre against the noise rows.

    Returns the loss summed over centres and the number of centres with a context word.
    """
    B, S = chunk.centre_ids.shape
    M = neg_ids.shape[1]
    pos = chunk.mask.to(run.w_in.dtype)  # (B, S, C)
    n_ctx = pos.sum(2, keepdim=True)  # (B, S, 1)
    avg = pos / n_ctx.clamp(min=1)  # (B, S, C): the mean over each centre's window
    hidden = torch.bmm(avg, run.w_in[chunk.tile_ids])  # (B, S, C) x (B, C, E) -> (B, S, E)
    has_ctx = (n_ctx > 0).to(pos.dtype)  # (B, S, 1)
    row_ids = torch.cat([chunk.centre_ids, neg_ids], 1)  # (B, S + M): the targets, then noise
    eye = torch.eye(S, dtype=pos.dtype, device=pos.device).expand(B, S, S)  # (B, S, S)
    labels = F.pad(eye, (0, M))  # (B, S, S + M): hidden s is labelled with its own centre
    noise_w = torch.full((B, S, M), run.config.negative / M, dtype=pos.dtype, device=pos.device)
    weights = has_ctx * torch.cat([eye, noise_w], 2)  # (B, S, S + M)
    loss, g_hidden, g_rows = block_loss_and_grads(hidden, run.w_out[row_ids], labels, weights)
    g_ctx = torch.bmm(avg.transpose(1, 2), g_hidden)  # (B, C, S) x (B, S, E) -> (B, C, E)
    ctx_load = torch.bmm(avg.transpose(1, 2), weights.sum(2, keepdim=True)).squeeze(2)  # (B, C)
    _apply(run.w_in, chunk.tile_ids, g_ctx, ctx_load, lr, run.config.row_cap)
    _apply(run.w_out, row_ids, g_rows, weights.sum(1), lr, run.config.row_cap)
    return loss, has_ctx.sum()


def _apply(
    table: torch.Tensor,
    ids: torch.Tensor,
    grads: torch.Tensor,
    load: torch.Tensor,
    lr: float,
    cap: float,
) -> None:
    """``table[ids] -= lr * grads``, summed over repeated ids, each row's sum capped.

    ``load`` counts the (weighted) pairs behind each gradient row. Summing thousands of stale
    gradients into one frequent row (the noise word "the") makes a step word2vec's sequential
    updates never take; a row whose chunk load passes ``cap`` is scaled down to ``cap`` pairs.

    Shape: table (V, E); ids (B, X); grads (B, X, E); load (B, X).
    """
    flat_ids = ids.reshape(-1)  # (B*X,)
    flat = grads.reshape(flat_ids.numel(), -1)  # (B*X, E)
    if math.isfinite(cap):
        total = torch.zeros(table.shape[0], device=table.device, dtype=load.dtype)  # (V,)
        total.index_add_(0, flat_ids, load.reshape(-1))  # pairs summed into each row
        flat = flat * (cap / total[flat_ids]).clamp(max=1.0).unsqueeze(1)  # (B*X, E)
    table.index_add_(0, flat_ids, flat, alpha=-lr)
