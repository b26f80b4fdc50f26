"""A word2vec trainer: SkipGram and CBOW with negative sampling, on CPU or GPU.

The subsampled token stream is cut into chunks, each chunk into blocks of ``block`` consecutive
centres. A block reads its context *tile* (the ``block + 2 * window`` rows around it) and one
shared set of noise rows with two gathers, scores everything with one batched matmul, masks the
scores to each centre's dynamic window, and writes the hand-written gradient back with one
``index_add_`` per table per chunk. Every positive pair still sees ``negative`` noise words in
expectation: a block's shared noise rows are weighted ``negative * n_i / noise_rows`` for a
centre with ``n_i`` context words. The learning rate decays linearly, as in word2vec and gensim.
Windows run across sentence ends (as word2vec's C code does on one long stream).
Introduced in ``05_negative_sampling_real_corpus.ipynb``.

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives.
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
    load_wordsim353,
    noise_distribution,
    sample_noise,
)
from .negative_sampling import block_loss_and_grads
from .validation import check_positive_int

__all__ = [
    "TrainConfig",
    "Word2VecResult",
    "most_similar",
    "resolve_device",
    "spearman",
    "train_word2vec",
    "wordsim_spearman",
]

MODELS = ("skipgram", "cbow")


def resolve_device(device: str | torch.device | None) -> torch.device:
    """``"cpu"`` (default), ``"cuda"``/``"cuda:0"``, or ``"auto"`` (CUDA when available).

    Raises ValueError for a string torch does not know or a CUDA device this machine lacks.

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
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
    """Hyperparameters, named and defaulted as in gensim's ``Word2Vec``.

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
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
        for name in ("vector_size", "window", "negative", "min_count", "epochs", "block"):
            check_positive_int(name, getattr(self, name))
        check_positive_int("noise_rows", self.noise_rows)
        check_positive_int("chunk", self.chunk)
        if isinstance(self.row_cap, bool) or not isinstance(self.row_cap, (int, float)):
            raise TypeError(f"row_cap must be a number, got {self.row_cap!r}")
        if not self.row_cap > 0:
            raise ValueError(f"row_cap must be positive, got {self.row_cap!r}")
        if self.chunk % self.block:
            raise ValueError(f"chunk ({self.chunk}) must be a multiple of block ({self.block})")
        for name in ("sample", "alpha", "min_alpha"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        if self.min_alpha > self.alpha:
            raise ValueError(f"min_alpha ({self.min_alpha}) must not exceed alpha ({self.alpha})")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {self.seed!r}")


@dataclass
class Word2VecResult:
    """Trained vectors and what training measured.

    ``vectors`` is the input table (V, E); ``output`` the output (context) table (V, E).
    ``losses`` holds the mean loss per positive pair of each chunk; ``seconds`` the wall time
    of training (subsampling and pair building included); ``raw_tokens`` the corpus tokens
    times epochs, so ``raw_tokens / seconds`` is words per second as gensim counts them.

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
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


def most_similar(
    vectors: torch.Tensor, vocab: Vocabulary, word: str, topn: int = 5
) -> list[tuple[str, float]]:
    """Nearest neighbours of ``word`` by cosine similarity (the word itself left out).

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
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

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    from scipy.stats import spearmanr  # local: scipy is only needed here

    return float(spearmanr(a, b).statistic)


def wordsim_spearman(vectors: torch.Tensor, vocab: Vocabulary) -> float:
    """WordSim353 Spearman of cosine similarities, over pairs with both words in ``vocab``.

    Introduced in ``05_negative_sampling_real_corpus.ipynb``.
    """
    unit = F.normalize(vectors.float().cpu(), dim=1)  # (V, E)
    human, model = [], []
    for a, b, score in load_wordsim353():
        if a in vocab.index and b in vocab.index:
            human.append(score)
            model.append(float(unit[vocab.index[a]] @ unit[vocab.index[b]]))
    return spearman(human, model)


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
    ``"cuda"`` or ``"auto"``. A tqdm bar counts epochs when ``progress``.
    Introduced in ``05_negative_sampling_real_corpus.ipynb``.

    Shape:
        Output vectors: (V, E)
    """
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    dev = resolve_device(device)
    vocab = build_vocabulary(sentences, config.min_count) if vocab is None else vocab
    start = time.perf_counter()
    ids = encode(sentences, vocab).to(dev)  # (L,)
    raw = sum(len(s) for s in sentences)
    gen = torch.Generator(device=dev).manual_seed(config.seed)
    V, E = len(vocab), config.vector_size
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        w_in = ((torch.rand(V, E) - 0.5) / E).to(dev)  # (V, E)
    w_out = torch.zeros(V, E, device=dev)  # (V, E)
    keep = keep_probabilities(vocab.counts, config.sample).to(dev)  # (V,)
    noise = noise_distribution(vocab.counts).to(dev)  # (V,)
    losses: list[float] = []
    epochs = range(config.epochs)
    if progress:
        from tqdm.auto import tqdm

        epochs = tqdm(epochs, desc=f"{config.model} epochs", unit="epoch")
    step = _skipgram_chunk if config.model == "skipgram" else _cbow_chunk
    total_chunks = None
    done = 0
    with torch.no_grad():
        for _ in epochs:
            stream = ids[torch.rand(ids.shape, generator=gen, device=dev) < keep[ids]]  # (L',)
            reach = torch.randint(1, config.window + 1, stream.shape, generator=gen, device=dev)
            n_chunks = max(1, math.ceil(stream.numel() / config.chunk))
            if total_chunks is None:
                total_chunks = n_chunks * config.epochs
            for start_pos in range(0, stream.numel(), config.chunk):
                frac = min(done / total_chunks, 1.0)
                lr = config.alpha - (config.alpha - config.min_alpha) * frac
                losses.append(step(w_in, w_out, stream, reach, start_pos, lr, noise, gen, config))
                done += 1
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    seconds = time.perf_counter() - start
    return Word2VecResult(
        vocab=vocab,
        vectors=w_in.cpu(),
        output=w_out.cpu(),
        config=config,
        losses=losses,
        seconds=seconds,
        raw_tokens=raw * config.epochs,
    )


def _tile(
    stream: torch.Tensor, reach: torch.Tensor, start: int, config: TrainConfig
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Centre ids (nb, Bk), tile ids (nb, C) and the window mask (nb, Bk, C) of one chunk."""
    Bk, w = config.block, config.window
    L = stream.numel()
    end = min(start + config.chunk, L)
    n = end - start
    nb = math.ceil(n / Bk)
    dev = stream.device
    lo = start - w
    pos = torch.arange(lo, start + nb * Bk + w, device=dev)  # (nb*Bk + 2w,)
    valid = (pos >= 0) & (pos < L) & (pos < end + w)  # (nb*Bk + 2w,)
    padded = stream[pos.clamp(0, L - 1)]  # (nb*Bk + 2w,)
    C = Bk + 2 * w
    tile_idx = (torch.arange(nb, device=dev) * Bk).unsqueeze(1) + torch.arange(C, device=dev)
    tile_ids = padded[tile_idx]  # (nb, C)
    tile_ok = valid[tile_idx]  # (nb, C)
    centre_pos = torch.arange(start, start + nb * Bk, device=dev)  # (nb*Bk,)
    centre_ok = (centre_pos < end).view(nb, Bk)  # (nb, Bk)
    centre_ids = stream[centre_pos.clamp(max=L - 1)].view(nb, Bk)  # (nb, Bk)
    r = reach[centre_pos.clamp(max=L - 1)].view(nb, Bk, 1)  # (nb, Bk, 1)
    offset = (torch.arange(C, device=dev) - w).unsqueeze(0) - torch.arange(Bk, device=dev)[:, None]
    dist = offset.abs()  # (Bk, C)
    mask = (dist >= 1) & (dist <= r) & tile_ok.unsqueeze(1) & centre_ok.unsqueeze(2)  # (nb, Bk, C)
    return centre_ids, tile_ids, mask, centre_ok


def _skipgram_chunk(w_in, w_out, stream, reach, start, lr, noise, gen, config) -> float:
    centre_ids, tile_ids, mask, _ = _tile(stream, reach, start, config)
    nb, Bk = centre_ids.shape
    M = config.noise_rows
    neg_ids = sample_noise(noise, (nb, M), generator=gen)  # (nb, M)
    centre = w_in[centre_ids]  # (nb, Bk, E)
    rows = w_out[torch.cat([tile_ids, neg_ids], 1)]  # (nb, C + M, E)
    pos = mask.to(centre.dtype)  # (nb, Bk, C)
    n_pos = pos.sum(2, keepdim=True)  # (nb, Bk, 1)
    neg_w = (config.negative / M) * n_pos.expand(nb, Bk, M)  # (nb, Bk, M)
    weights = torch.cat([pos, neg_w], 2)  # (nb, Bk, C + M)
    labels = F.pad(pos, (0, M))  # (nb, Bk, C + M)
    loss, g_centre, g_rows = block_loss_and_grads(centre, rows, labels, weights)
    E = centre.shape[-1]
    in_ids = centre_ids.view(-1)  # (nb * Bk,)
    out_ids = torch.cat([tile_ids, neg_ids], 1).view(-1)  # (nb * (C + M),)
    in_load = weights.sum(2).view(-1)  # (nb * Bk,) pairs behind each centre's gradient
    out_load = weights.sum(1).view(-1)  # (nb * (C + M),) pairs behind each row's gradient
    g_in = g_centre.view(-1, E) * _row_scale(w_in.shape[0], in_ids, in_load, config.row_cap)
    g_out = g_rows.view(-1, E) * _row_scale(w_out.shape[0], out_ids, out_load, config.row_cap)
    w_in.index_add_(0, in_ids, g_in, alpha=-lr)
    w_out.index_add_(0, out_ids, g_out, alpha=-lr)
    return float(loss) / max(float(n_pos.sum()), 1.0)


def _row_scale(V: int, ids: torch.Tensor, load: torch.Tensor, cap: float) -> torch.Tensor:
    """(n, 1) factor min(1, cap / pairs summed into that row this chunk) for each gathered row.

    Summing thousands of stale gradients into one frequent row (the noise word "the") makes a
    step word2vec's sequential updates never take; capping the row's load keeps it stable.
    """
    total = torch.zeros(V, device=ids.device, dtype=load.dtype).index_add_(0, ids, load)  # (V,)
    return (cap / total[ids]).clamp(max=1.0).unsqueeze(1)  # (n, 1)


def _cbow_chunk(w_in, w_out, stream, reach, start, lr, noise, gen, config) -> float:
    centre_ids, tile_ids, mask, centre_ok = _tile(stream, reach, start, config)
    nb, Bk = centre_ids.shape
    M, E = config.noise_rows, w_in.shape[1]
    pos = mask.to(w_in.dtype)  # (nb, Bk, C)
    n_ctx = pos.sum(2, keepdim=True).clamp(min=1)  # (nb, Bk, 1)
    avg = pos / n_ctx  # (nb, Bk, C): the mean over each centre's window
    ctx = w_in[tile_ids]  # (nb, C, E)
    hidden = torch.bmm(avg, ctx)  # (nb, Bk, C) x (nb, C, E) -> (nb, Bk, E)
    neg_ids = sample_noise(noise, (nb, M), generator=gen)  # (nb, M)
    target = w_out[centre_ids]  # (nb, Bk, E)
    noise_rows = w_out[neg_ids]  # (nb, M, E)
    ok = (centre_ok & (n_ctx.squeeze(2) > 0) & (pos.sum(2) > 0)).to(w_in.dtype)  # (nb, Bk)
    s_pos = (hidden * target).sum(-1)  # (nb, Bk)
    s_neg = torch.bmm(hidden, noise_rows.transpose(1, 2))  # (nb, Bk, E) x (nb, E, M) -> (nb, Bk, M)
    k = config.negative / M
    loss = (ok * F.softplus(-s_pos)).sum() + k * (ok.unsqueeze(2) * F.softplus(s_neg)).sum()
    g_pos = ok * (torch.sigmoid(s_pos) - 1)  # (nb, Bk)
    g_neg = k * ok.unsqueeze(2) * torch.sigmoid(s_neg)  # (nb, Bk, M)
    g_hidden = g_pos.unsqueeze(2) * target + torch.bmm(g_neg, noise_rows)  # (nb, Bk, E)
    g_ctx = torch.bmm(avg.transpose(1, 2), g_hidden)  # (nb, C, Bk) x (nb, Bk, E) -> (nb, C, E)
    g_target = g_pos.unsqueeze(2) * hidden  # (nb, Bk, E)
    g_noise = torch.bmm(g_neg.transpose(1, 2), hidden)  # (nb, M, Bk) x (nb, Bk, E) -> (nb, M, E)
    w_in.index_add_(0, tile_ids.view(-1), g_ctx.view(-1, E), alpha=-lr)
    w_out.index_add_(0, centre_ids.view(-1), g_target.view(-1, E), alpha=-lr)
    w_out.index_add_(0, neg_ids.view(-1), g_noise.view(-1, E), alpha=-lr)
    return float(loss) / max(float(ok.sum()), 1.0)
