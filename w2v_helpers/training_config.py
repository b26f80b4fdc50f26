"""What both word2vec trainers share: the fast trainer's settings and when training has diverged.

:class:`TrainConfig` holds the fast trainer's hyperparameters (gensim's names and defaults) with
their limits; :func:`learning_rate` is its linear schedule and :func:`worker_share` what one of
its worker threads updates at a time. :func:`stop_if_diverged` is the one divergence check: the
reference trainer (``reference.train_sgns``) calls it after every batch and epoch, the fast
trainer (``trainer.train_word2vec``) after every epoch, each in its own wording. This module
imports neither trainer, so both, and the chunk updates, can import it.
Introduced in ``06_negative_sampling_real_corpus.ipynb``; the divergence check in
``05_train_it_yourself.ipynb``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from .validation import check_int, check_number, check_positive_int, check_seed

__all__ = [
    "TrainConfig",
    "TrainingDivergedError",
    "learning_rate",
    "stop_if_diverged",
    "worker_share",
]

MODELS = ("skipgram", "cbow")
KERNELS = ("torch", "numba")
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


@dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """Hyperparameters, named as in gensim's ``Word2Vec`` and defaulted as there, except
    ``model``: gensim's default is CBOW (``sg=0``), ours skip-gram. ``block``, ``noise_rows``,
    ``chunk``, ``row_cap`` and ``kernel`` are this trainer's own (gensim has no blocks).

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.
    """

    model: str = "skipgram"  # "skipgram" or "cbow"
    vector_size: int = 100  # E
    window: int = 5  # largest window on each side; each centre draws 1..window
    negative: int = 5  # K noise words per positive pair (in expectation); 0: none
    ns_exponent: float = 0.75  # noise drawn by count ** ns_exponent (0: uniform, 1: unigram)
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
    # "numba": SkipGram's chunk updates (negative sampling, hierarchical softmax) as compiled
    # loops (compiled_ns, compiled_hs), the same updates; "torch" (default) and CBOW: tensor
    # operations (chunk_updates)
    kernel: str = "torch"

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f"model must be one of {MODELS}, got {self.model!r}")
        if not isinstance(self.kernel, str) or self.kernel not in KERNELS:
            raise ValueError(f"kernel must be one of {KERNELS}, got {self.kernel!r}")
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
        check_number("ns_exponent", self.ns_exponent, low=0, high=1)
        check_number("sample", self.sample, low=0, high=1, low_open=True, high_open=True)
        check_number("alpha", self.alpha, low=0, high=1, low_open=True)
        check_number("min_alpha", self.min_alpha, low=0, high=self.alpha, low_open=True)
        check_seed("seed", self.seed)


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


def worker_share(config: TrainConfig) -> TrainConfig:
    """What one of ``workers`` threads updates at a time: ``chunk / workers`` centres, so the
    chunks in flight together are as stale as one worker's chunk.

    With negative sampling each row's step is also capped at ``row_cap / workers``, keeping a
    row's summed step over the chunks in flight at ``row_cap``: with whole caps, two workers
    diverged within two of 20 epochs (the frequent noise rows). Hierarchical softmax alone keeps
    the whole cap: halved, its median Spearman over three seeds at 20 epochs fell by 0.02; whole,
    it stayed within 0.01 of one worker's. ``config`` itself when ``workers`` is 1.
    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        config: the run's hyperparameters.
    """
    if config.workers == 1:
        return config
    share = max(config.block, config.chunk // config.workers // config.block * config.block)
    cap = config.row_cap / config.workers if config.negative else config.row_cap
    return dataclasses.replace(config, chunk=share, row_cap=cap)


def stop_if_diverged(
    value: float,
    limit: float,
    what: str,
    rate: float,
    epoch: int,
    step: int,
    *,
    rate_name: str = "lr",
    step_name: str = "batch",
    by_step: bool = False,
    readings: dict[str, float] | None = None,
    advice: str = "",
) -> None:
    """Raise :class:`TrainingDivergedError` if ``value`` is NaN, infinite or over ``limit``.

    The message names the epoch and step, says what was read, and which setting to lower. The
    defaults word it as the reference trainer (``lr``, batches) needs: "training diverged in
    epoch 2, batch 7: the mean loss per pair is nan. Lower lr (now 0.1; word2vec's default is
    0.025)." The fast trainer reads an epoch's chunk losses together after the epoch, so it says
    "by chunk N", reports a chunk's loss with the largest vector entry whichever of the two
    failed, and names ``alpha``. Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        value: the reading to check: a loss, or the largest vector entry.
        limit: the largest ``value`` that passes; ``math.inf`` checks only that it is finite.
        what: what ``value`` is, as the message names it ("mean loss per pair").
        rate: the learning rate the run was started with.
        epoch: the epoch, counted from 0 (the message counts from 1).
        step: the batch or chunk the message names, counted from 0.
        rate_name: the setting that holds ``rate``. Default: ``"lr"``.
        step_name: what a step is called. Default: ``"batch"``.
        by_step: say "by chunk N" (found by a check after the epoch) instead of ", batch N:".
            Default: ``False``.
        readings: every reading the message reports, in order, in place of ``{what: value}``.
            Default: ``None``.
        advice: more advice, continuing the sentence that names ``rate_name`` (the message ends
            it with a full stop). Default: ``""``.
    """
    if math.isfinite(value) and value <= limit:  # NaN fails both
        return
    first, *more = (readings or {what: value}).items()
    report = " and ".join(
        [f"the {first[0]} is {first[1]:.3g}"] + [f"the {name} {v:.3g}" for name, v in more]
    )
    where = f": by {step_name} {step}" if by_step else f", {step_name} {step}:"
    raise TrainingDivergedError(
        f"training diverged in epoch {epoch + 1}{where} {report}. "
        f"Lower {rate_name} (now {rate:g}; word2vec's default is 0.025){advice}."
    )
