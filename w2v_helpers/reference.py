"""Reference training: word2vec's skip-gram with negative sampling (SGNS), exactly as taught.

Plain PyTorch, one idea per piece: a ``Dataset`` of (centre, context) pairs with word2vec's
dynamic window, two ``nn.Embedding`` tables with sparse gradients, the SGNS loss of each pair, its
gradient derived by hand, a ``torch.multinomial`` noise sampler and a short ``torch.optim.SGD``
loop: the slow, obviously-correct baseline the fast blocked trainer (:mod:`w2v_helpers.trainer`)
is compared against. It runs in float64 on the CPU so that printed numbers are the same on every
CPU: CPUs may sum a dot product in different orders, and float64 keeps that near 1e-16.

Where it departs from word2vec's C code (and gensim): pairs are visited shuffled, where C reads
the text in order (``shuffle=False`` does too); a batch's pairs are scored with the same tables
and updated together (``batch_size=1`` goes pair by pair); within a pair every output row is
updated from its value before the pair (C updates a row at once, so a noise word drawn twice sees
its first update); and a noise word equal to the word being predicted (here the context word) is
kept, where C skips it. Introduced in ``05_train_it_yourself.ipynb``.

Shape glossary: N pairs in a batch, K negatives (noise words per pair), V vocabulary,
E embedding dim, L tokens of a sentence, P (centre, context) pairs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler

from .corpus import dynamic_window_pairs, subsample
from .memory import check_memory, load_autograd, retained_heap
from .training_config import DIVERGED_ABOVE, MAX_WINDOW
from .training_config import stop_if_diverged as _stop_if_diverged  # as train_sgns calls it
from .validation import (
    check_batch_sizes,
    check_generator,
    check_int,
    check_number,
    check_pair_vectors,
    check_positive_int,
    check_probabilities,
    check_token_ids,
)

__all__ = [
    "ReferenceResult",
    "SGNSDraws",
    "SGNSModel",
    "SkipGramPairs",
    "multinomial_noise",
    "sgns_draws",
    "sgns_gradients",
    "train_sgns",
]

MAX_VOCAB = 10_000_000
MAX_EMBEDDING_DIM = 2_048
MAX_NEGATIVE = 64
MAX_EPOCHS = 100
MAX_BATCH = 65_536
MAX_LR = 10.0
MAX_NOISE_DRAWS = 10_000_000  # num_pairs * negative in one call of multinomial_noise
MAX_SEED = 2**31 - 1
MIN_LR_FRACTION = 1e-4  # the rate decays linearly to lr * 1e-4, as in word2vec
FLOAT64 = INT64 = 8


class SkipGramPairs(Dataset):
    """Every (centre, context) pair of some sentences, with word2vec's dynamic window.

    Each position of each sentence draws its reach b in 1..``window`` once (in sentence order,
    with :func:`~w2v_helpers.corpus.dynamic_window_pairs` and one generator seeded by ``seed``)
    and pairs with the b tokens on each side. Windows stop at a sentence's ends, as in
    word2vec's C code, which starts afresh at each line. Stores ``centres`` and ``contexts``.
    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        sentences: a non-empty list of 1-D integer id tensors (ids in [0, 10,000,000)), one
            per sentence; an empty or one-token sentence gives no pairs.
        window: the largest reach w, a whole number in [1, 50].
        seed: seeds the window draws, a whole number >= 0. Default: 0.

    Shape:
        - sentences: a list of :math:`(L)` integer tensors.
        - centres, contexts: :math:`(P)` int64; an item is a pair of 0-d int64 tensors; a list
          of N indices, like a ``DataLoader`` batch, gives a pair of :math:`(N)` tensors.

    Example::

        >>> pairs = SkipGramPairs([torch.tensor([3, 1, 4])], window=1)
        >>> len(pairs), pairs[0]
        (4, (tensor(3), tensor(1)))
    """

    def __init__(self, sentences: Sequence[torch.Tensor], window: int, *, seed: int = 0) -> None:
        sentences = _check_sentences(sentences)
        window = check_positive_int("window", window, maximum=MAX_WINDOW)
        seed = check_int("seed", seed, low=0, high=MAX_SEED)
        tokens = sum(s.numel() for s in sentences)
        check_memory(  # at most 2w pairs per token, two int64 ids each: each sentence's
            # pairs, then all of them concatenated (measured 207 bytes a token at w = 5)
            2 * 2 * INT64 * 2 * window * tokens,
            f"the pairs of {tokens:,} tokens with window={window}",
            hint="Lower window or give fewer sentences.",
        )
        generator = torch.Generator().manual_seed(seed)
        pairs = [dynamic_window_pairs(s, window, generator=generator) for s in sentences]
        self.centres = torch.cat([centre for centre, _ in pairs])  # (P,)
        self.contexts = torch.cat([context for _, context in pairs])  # (P,)

    def __len__(self) -> int:
        return self.centres.numel()

    def __getitem__(self, i: int | list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        return self.centres[i], self.contexts[i]  # two 0-d int64 tensors, or two (N,) for a list


def _check_sentences(sentences: object, vocab_size: int | None = None) -> list[torch.Tensor]:
    """The sentences as a list of 1-D int64 CPU tensors, or a clear error."""
    if isinstance(sentences, torch.Tensor | str) or not isinstance(sentences, Sequence):
        raise TypeError(
            "sentences must be a list of 1-D id tensors, one per sentence (wrap a single stream "
            f"as [ids]), got {type(sentences).__name__}"
        )
    if len(sentences) == 0:
        raise ValueError("sentences must hold at least one sentence, got an empty list")
    checked = []
    for i, s in enumerate(sentences):
        if not isinstance(s, torch.Tensor) or s.dim() != 1:
            raise TypeError(f"sentences[{i}] must be a 1-D tensor of token ids, got {s!r:.60}")
        if s.numel():
            check_token_ids(f"sentences[{i}]", s, vocab_size or MAX_VOCAB, ranks=(1,))
        checked.append(s.long().cpu())
    return checked


class SGNSModel(nn.Module):
    """Two float64 embedding tables and the SGNS loss of each (centre, context, noise) pair.

    ``inputs`` holds the centre (word) vectors, initialised uniform in [-0.5/E, 0.5/E) as in
    word2vec; ``outputs`` the context vectors, initialised to zeros as in word2vec. The loss of
    a pair is ``softplus(-c . o) + sum_k softplus(n_k . c)``, which equals
    ``-log sigmoid(c . o) - sum_k log sigmoid(-n_k . c)`` and stays finite for any score.
    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        vocab_size: V, a whole number in [1, 10,000,000].
        embedding_dim: E, a whole number in [1, 2,048].
        sparse: give the tables sparse gradients (only the rows a batch used). Default: ``True``.
        seed: seeds the input table's initialisation, a whole number >= 0. Default: 0.

    Shape:
        - centre: :math:`(N)`, context: :math:`(N)`, noise: :math:`(N, K)`, int64 ids in [0, V).
        - Output: :math:`(N)` float64, the loss of each pair.
        - inputs.weight, outputs.weight: :math:`(V, E)` float64.

    Example::

        >>> model = SGNSModel(vocab_size=10, embedding_dim=4)
        >>> model(torch.tensor([1, 2]), torch.tensor([3, 4]), torch.tensor([[5], [6]]))
        tensor([1.3863, 1.3863], dtype=torch.float64, grad_fn=<AddBackward0>)
    """

    def __init__(
        self, vocab_size: int, embedding_dim: int, *, sparse: bool = True, seed: int = 0
    ) -> None:
        super().__init__()
        V = self.vocab_size = check_positive_int("vocab_size", vocab_size, maximum=MAX_VOCAB)
        E = self.embedding_dim = check_positive_int(
            "embedding_dim", embedding_dim, maximum=MAX_EMBEDDING_DIM
        )
        if not isinstance(sparse, bool):
            raise TypeError(f"sparse must be True or False, got {sparse!r}")
        seed = check_int("seed", seed, low=0, high=MAX_SEED)
        check_memory(
            2 * V * E * FLOAT64,
            f"two float64 tables of V={V:,} by E={E}",
            hint="Lower vocab_size or embedding_dim.",
        )
        generator = torch.Generator().manual_seed(seed)
        w_in = torch.rand(V, E, generator=generator, dtype=torch.float64).sub_(0.5).div_(E)
        w_out = torch.zeros(V, E, dtype=torch.float64)  # (V, E)
        self.inputs = nn.Embedding.from_pretrained(w_in, freeze=False, sparse=sparse)
        self.outputs = nn.Embedding.from_pretrained(w_out, freeze=False, sparse=sparse)

    def forward(
        self, centre: torch.Tensor, context: torch.Tensor, noise: torch.Tensor
    ) -> torch.Tensor:
        V = self.vocab_size
        check_token_ids("centre", centre, V, ranks=(1,))
        check_token_ids("context", context, V, ranks=(1,))
        check_token_ids("noise", noise, V, ranks=(2,))
        check_batch_sizes(centre=centre, context=context, noise=noise)
        c = self.inputs(centre)  # (N,) -> (N, E)
        o = self.outputs(context)  # (N,) -> (N, E)
        n = self.outputs(noise)  # (N, K) -> (N, K, E)
        positive = (c * o).sum(-1)  # (N, E) * (N, E) -> (N,)
        negative = torch.bmm(n, c.unsqueeze(-1)).squeeze(-1)  # (N, K, E) x (N, E, 1) -> (N, K)
        return F.softplus(-positive) + F.softplus(negative).sum(-1)  # (N,)


def sgns_gradients(
    centre: torch.Tensor, context: torch.Tensor, noise: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The gradient of the summed SGNS loss with respect to each pair's vectors, by hand.

    With ``s = c . o`` and ``s_k = n_k . c``, a pair's loss is
    ``-log sigmoid(s) - sum_k log sigmoid(-s_k)``. Since ``d/dx -log sigmoid(x) = sigmoid(x) - 1``
    and ``d/dx -log sigmoid(-x) = sigmoid(x)``, the chain rule through the dot products gives
    ``d/do = (sigmoid(s) - 1) c``, ``d/dn_k = sigmoid(s_k) c`` and
    ``d/dc = (sigmoid(s) - 1) o + sum_k sigmoid(s_k) n_k``. Each pair's loss involves only its
    own vectors, so the gradient of the sum is these, pair by pair. Returns
    ``(d/dc, d/do, d/dn)``, one gradient per slot: a word in two slots gets both, added up when
    they are written into a table. Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        centre: the centre words' vectors, finite floating.
        context: the true context words' vectors, finite floating, one per centre.
        noise: the K noise words' vectors for each centre, finite floating.

    Shape:
        - centre: :math:`(N, E)`, context: :math:`(N, E)`, noise: :math:`(N, K, E)`.
        - Output: :math:`(N, E)`, :math:`(N, E)`, :math:`(N, K, E)`.
    """
    check_pair_vectors(centre, context, noise)
    positive = (centre * context).sum(-1)  # (N,)
    negative = torch.bmm(noise, centre.unsqueeze(-1)).squeeze(-1)  # (N, K, E) x (N, E, 1) -> (N, K)
    g_pos = (torch.sigmoid(positive) - 1).unsqueeze(-1)  # (N, 1)
    g_neg = torch.sigmoid(negative)  # (N, K)
    d_context = g_pos * centre  # (N, 1) * (N, E) -> (N, E)
    d_noise = g_neg.unsqueeze(-1) * centre.unsqueeze(1)  # (N, K, 1) * (N, 1, E) -> (N, K, E)
    from_noise = torch.bmm(g_neg.unsqueeze(1), noise).squeeze(1)  # (N, 1, K) x (N, K, E) -> (N, E)
    return g_pos * context + from_noise, d_context, d_noise


def multinomial_noise(
    probs: torch.Tensor,
    num_pairs: int,
    negative: int,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """``negative`` noise ids for each of ``num_pairs`` pairs, drawn i.i.d. from ``probs``.

    One call of ``torch.multinomial(probs, num_pairs * negative, replacement=True)``: the
    obvious sampler (word2vec looks up a table instead; see
    :func:`~w2v_helpers.corpus.sample_noise`). Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        probs: the noise distribution over the vocabulary: floating, non-negative, summing to 1
            (see :func:`~w2v_helpers.corpus.noise_distribution`).
        num_pairs: N, a whole number >= 0.
        negative: K, a whole number in [1, 64]; ``num_pairs * negative`` at most 10,000,000.
        generator: the random generator. Default: ``None`` (torch's global one).

    Shape:
        - probs: :math:`(V)`.
        - Output: :math:`(N, K)` int64 ids in [0, V).
    """
    check_probabilities("probs", probs)
    num_pairs = check_int("num_pairs", num_pairs, low=0)
    negative = check_positive_int("negative", negative, maximum=MAX_NEGATIVE)
    if num_pairs * negative > MAX_NOISE_DRAWS:
        raise ValueError(
            f"num_pairs * negative must be at most {MAX_NOISE_DRAWS:,}, got "
            f"{num_pairs:,} * {negative} = {num_pairs * negative:,}; draw in smaller batches"
        )
    generator = check_generator("generator", generator)
    if num_pairs == 0:  # torch.multinomial refuses to draw 0 samples
        return torch.empty(0, negative, dtype=torch.long, device=probs.device)
    draws = torch.multinomial(probs, num_pairs * negative, replacement=True, generator=generator)
    return draws.view(num_pairs, negative)  # (N * K,) -> (N, K)


@dataclass(frozen=True, eq=False)
class ReferenceResult:
    """What :func:`train_sgns` measured, batch by batch and epoch by epoch.

    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        batch_losses: the mean loss per pair of each batch, in training order.
        epoch_losses: the mean loss per pair of each epoch (over all its pairs).
        snapshots: copies of the input table (the word vectors): before training, then after
            each epoch, so ``len(snapshots) == epochs + 1`` and ``snapshots[-1]`` is the result.
        learning_rates: the learning rate of each batch's step.
        epoch_ends: how many batches had run at the end of each epoch.
        pairs_seen: the (centre, context) pairs trained on, all epochs together.
        seconds: the wall time of training.

    Shape:
        - snapshots: ``epochs + 1`` tensors :math:`(V, E)` float64.
    """

    batch_losses: tuple[float, ...]
    epoch_losses: tuple[float, ...]
    snapshots: tuple[torch.Tensor, ...]  # epochs + 1 tables (V, E)
    learning_rates: tuple[float, ...]  # one per batch
    epoch_ends: tuple[int, ...]  # batches done at the end of each epoch
    pairs_seen: int
    seconds: float


def train_sgns(
    sentences: Sequence[torch.Tensor],
    vocab_size: int,
    noise_probs: torch.Tensor,
    *,
    embedding_dim: int = 50,
    window: int = 5,
    negative: int = 5,
    epochs: int = 3,
    batch_size: int = 256,
    lr: float = 0.025,
    seed: int = 0,
    keep: torch.Tensor | None = None,
    shuffle: bool = True,
) -> ReferenceResult:
    """Train SGNS the plain way: a Dataset, a DataLoader, two Embeddings, autograd and SGD.

    Each epoch subsamples every sentence with ``keep`` (if given), draws new dynamic windows
    (:class:`SkipGramPairs`) and visits the pairs in a new random order (or, with ``shuffle=False``,
    in stream order as word2vec does), ``batch_size`` at a time, each with ``negative`` noise words.
    The step uses the batch's *summed* loss, so each pair's update is exactly word2vec's per-pair
    step at rate ``lr``; the pairs of one batch are applied together, not one after another. The
    rate falls linearly from ``lr`` to ``lr * 1e-4`` with the fraction of training done (epochs plus
    the share of this epoch's batches; epochs can differ in pairs). Generators seeded from ``seed``
    draw everything; torch's global one is left alone. Raises
    :class:`~w2v_helpers.trainer.TrainingDivergedError` on a non-finite batch loss or, after an
    epoch, a vector entry over 1e4.
    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        sentences: a non-empty list of 1-D integer id tensors in [0, V), one per sentence.
        vocab_size: V, a whole number in [1, 10,000,000].
        noise_probs: the noise distribution, V probabilities summing to 1 (see
            :func:`~w2v_helpers.corpus.noise_distribution`).
        embedding_dim: E, a whole number in [1, 2,048]. Default: 50.
        window: the largest window reach w, a whole number in [1, 50]. Default: 5.
        negative: K noise words per pair, a whole number in [1, 64]. Default: 5.
        epochs: passes over the corpus, a whole number in [1, 100]. Default: 3.
        batch_size: pairs per step, a whole number in [1, 65,536]. Default: 256.
        lr: the starting learning rate, a number in (0, 10]. Default: 0.025 (word2vec's).
        seed: seeds the initialisation and every random draw, a whole number >= 0. Default: 0.
        keep: each word's keep probability for subsampling (see
            :func:`~w2v_helpers.corpus.keep_probabilities`), or ``None`` to keep every token.
            Default: ``None``.
        shuffle: visit each epoch's pairs in a random order (``True``) or in stream order
            (``False``, word2vec's). Default: ``True``.

    Shape:
        - sentences: a list of :math:`(L)` tensors; noise_probs, keep: :math:`(V)`.
        - Output: ``snapshots`` of the result, ``epochs + 1`` tensors :math:`(V, E)` float64.
    """
    load_autograd()  # first: the guard then sees the modules a first backward pass loads
    sentences = _check_training(**locals())
    model = SGNSModel(vocab_size, embedding_dim, seed=seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)  # SGD accepts sparse gradients
    noise_generator = torch.Generator().manual_seed(_seed(seed, NOISE))
    batch_losses, epoch_losses, rates, epoch_ends, pairs_seen = [], [], [], [], 0
    snapshots = [model.inputs.weight.detach().clone()]  # (V, E) before training
    start = time.perf_counter()
    # autograd frees and re-allocates its buffers every batch: kept in the heap while the
    # loop runs, they are not mapped and faulted in again each time (2x the speed here)
    with retained_heap():
        for epoch in range(epochs):
            loader = _epoch_batches(sentences, window, batch_size, seed, epoch, keep, shuffle)
            epoch_pairs = sum(len(centre) for centre, _ in loader)
            epoch_total = 0.0
            for batch, (centre, context) in enumerate(loader):  # (N,), (N,)
                progress = (epoch + batch / len(loader)) / epochs  # 0 at the start, < 1 at the end
                rate = lr * (1 - (1 - MIN_LR_FRACTION) * progress)
                optimizer.param_groups[0]["lr"] = rate
                noise = multinomial_noise(
                    noise_probs, len(centre), negative, generator=noise_generator
                )
                loss = model(centre, context, noise).sum()  # (N,) -> scalar: each pair's own step
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                batch_losses.append(loss.item() / len(centre))
                rates.append(rate)
                epoch_total += loss.item()
                _stop_if_diverged(
                    batch_losses[-1], math.inf, "mean loss per pair", lr, epoch, batch
                )
            pairs_seen += epoch_pairs
            epoch_ends.append(len(batch_losses))
            epoch_losses.append(epoch_total / epoch_pairs)
            snapshots.append(model.inputs.weight.detach().clone())  # (V, E)
            for table in (model.inputs.weight, model.outputs.weight):
                low, high = table.detach().aminmax()  # the largest |entry| without an |table| copy
                largest = float(torch.stack([-low, high]).max())  # NaN stays NaN
                _stop_if_diverged(largest, DIVERGED_ABOVE, "largest vector entry", lr, epoch, batch)
    return ReferenceResult(
        batch_losses=tuple(batch_losses),
        epoch_losses=tuple(epoch_losses),
        snapshots=tuple(snapshots),
        learning_rates=tuple(rates),
        epoch_ends=tuple(epoch_ends),
        pairs_seen=pairs_seen,
        seconds=time.perf_counter() - start,
    )


@dataclass(frozen=True, kw_only=True, eq=False)
class SGNSDraws:
    """Every random draw :func:`train_sgns` makes with some arguments, made in advance.

    A loop that starts from ``start`` (and an output table of zeros), visits ``epochs`` in order
    and draws each batch's noise with ``noise_generator`` through ``torch.multinomial`` repeats
    :func:`train_sgns` step for step. Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        start: the input table before training (the output table starts at zero).
        epochs: for each epoch, its batches of (centre, context) ids, subsampled, windowed and
            ordered as :func:`train_sgns` does.
        noise_generator: a fresh generator seeded as :func:`train_sgns` seeds its noise.

    Shape:
        - start: :math:`(V, E)` float64; each batch: two :math:`(N)` int64 tensors.
    """

    start: torch.Tensor  # (V, E)
    epochs: tuple[tuple[tuple[torch.Tensor, torch.Tensor], ...], ...]
    noise_generator: torch.Generator


def sgns_draws(
    sentences: Sequence[torch.Tensor],
    vocab_size: int,
    noise_probs: torch.Tensor,
    *,
    embedding_dim: int = 50,
    window: int = 5,
    negative: int = 5,
    epochs: int = 3,
    batch_size: int = 256,
    lr: float = 0.025,
    seed: int = 0,
    keep: torch.Tensor | None = None,
    shuffle: bool = True,
) -> SGNSDraws:
    """The start, batches and noise generator :func:`train_sgns` would use with these arguments.

    Takes :func:`train_sgns`'s arguments, so one set of arguments serves both: a training loop
    written by hand can then be compared with :func:`train_sgns` draw for draw.
    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        sentences: a non-empty list of 1-D integer id tensors in [0, V), one per sentence.
        vocab_size: V, a whole number in [1, 10,000,000].
        noise_probs: the noise distribution, V probabilities summing to 1.
        embedding_dim: E, a whole number in [1, 2,048]. Default: 50.
        window: the largest window reach w, a whole number in [1, 50]. Default: 5.
        negative: K, a whole number in [1, 64] (checked only; no noise is drawn). Default: 5.
        epochs: passes over the corpus, a whole number in [1, 100]. Default: 3.
        batch_size: pairs per step, a whole number in [1, 65,536]. Default: 256.
        lr: the starting learning rate, a number in (0, 10] (checked only). Default: 0.025.
        seed: seeds the initialisation and every random draw, a whole number >= 0. Default: 0.
        keep: each word's keep probability for subsampling, or ``None``. Default: ``None``.
        shuffle: visit each epoch's pairs in a random order, or in stream order. Default: True.

    Shape:
        - sentences: a list of :math:`(L)` tensors; noise_probs, keep: :math:`(V)`.
        - Output: ``start`` :math:`(V, E)` float64.
    """
    sentences = _check_training(**locals())
    start = SGNSModel(vocab_size, embedding_dim, seed=seed).inputs.weight.detach()  # (V, E)
    batches = tuple(
        tuple(_epoch_batches(sentences, window, batch_size, seed, epoch, keep, shuffle))
        for epoch in range(epochs)
    )
    noise_generator = torch.Generator().manual_seed(_seed(seed, NOISE))
    return SGNSDraws(start=start.clone(), epochs=batches, noise_generator=noise_generator)


WINDOWS, ORDER, SUBSAMPLE, NOISE = 1, 2, 3, 4  # train_sgns's random streams


def _seed(seed: int, stream: int, epoch: int = 0) -> int:
    """A seed of its own for each stream and epoch (the model's init uses ``seed`` itself)."""
    return seed * 1_000 + stream * MAX_EPOCHS + epoch


def _epoch_batches(
    sentences: list[torch.Tensor],
    window: int,
    batch_size: int,
    seed: int,
    epoch: int,
    keep: torch.Tensor | None,
    shuffle: bool,
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """One epoch's batches of (centre, context) ids, drawn from ``seed``'s streams for ``epoch``."""
    corpus = sentences
    if keep is not None:
        drop = torch.Generator().manual_seed(_seed(seed, SUBSAMPLE, epoch))
        corpus = [subsample(s, keep, generator=drop) for s in sentences if s.numel()]
    dataset = SkipGramPairs(corpus, window, seed=_seed(seed, WINDOWS, epoch))
    if len(dataset) == 0:
        raise ValueError(f"epoch {epoch + 1} has no pairs: give sentences of 2 or more tokens")
    order = torch.Generator().manual_seed(_seed(seed, ORDER, epoch))
    visit = RandomSampler(dataset, generator=order) if shuffle else SequentialSampler(dataset)
    batches = BatchSampler(visit, batch_size, drop_last=False)  # a batch's ids fetched at once
    return list(DataLoader(dataset, batch_size=None, sampler=batches, generator=order))


def _check_training(**args: object) -> list[torch.Tensor]:
    """Check every argument of :func:`train_sgns`, then the memory it needs; the sentences."""
    V = check_positive_int("vocab_size", args["vocab_size"], maximum=MAX_VOCAB)
    E = check_positive_int("embedding_dim", args["embedding_dim"], maximum=MAX_EMBEDDING_DIM)
    w = check_positive_int("window", args["window"], maximum=MAX_WINDOW)
    K = check_positive_int("negative", args["negative"], maximum=MAX_NEGATIVE)
    epochs = check_positive_int("epochs", args["epochs"], maximum=MAX_EPOCHS)
    N = check_positive_int("batch_size", args["batch_size"], maximum=MAX_BATCH)
    check_number("lr", args["lr"], low=0, high=MAX_LR, low_open=True)
    check_int("seed", args["seed"], low=0, high=(MAX_SEED - 1_000) // 1_000)
    if not isinstance(args["shuffle"], bool):
        raise TypeError(f"shuffle must be True or False, got {args['shuffle']!r}")
    sentences = _check_sentences(args["sentences"], vocab_size=V)
    check_probabilities("noise_probs", args["noise_probs"])
    for name in ("noise_probs", "keep"):
        probs = args[name]
        if probs is not None and (not isinstance(probs, torch.Tensor) or probs.shape != (V,)):
            shape = tuple(probs.shape) if isinstance(probs, torch.Tensor) else type(probs).__name__
            raise ValueError(f"{name} must hold one value per word (V={V:,}), got {shape}")
    L = sum(s.numel() for s in sentences)
    tables = 2 * V * E
    batch = 4 * N * (K + 2) * E  # a batch: vectors, grads, sparse copies
    snapshots = (epochs + 1) * V * E
    pairs = 2 * 2 * w * L
    check_memory(
        FLOAT64 * (tables + batch + snapshots) + INT64 * pairs,
        f"reference training with V={V:,}, embedding_dim={E}, epochs={epochs}, window={w}",
        hint="Lower embedding_dim, epochs, window or batch_size.",
    )
    return sentences
