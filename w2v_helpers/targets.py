"""SkipGram's several targets per example: collapse, tile, a lean loss, and the softmax view.

SkipGram scores every vocabulary word for one centre word, ``scores`` of shape (N, V), and has T
context words to predict, ``y`` of shape (N, T). The original lesson turned those into a binary
cross-entropy two ways:

- **collapse**: sum the T one-hot rows into one (N, V) multi-hot target, then BCE over (N, V);
- **tile**: repeat the scores T times, (N, V) -> (N, 1, V) -> (N, T, V), BCE against each one-hot
  row, and average over T.

BCE is linear in its target, so tile is exactly BCE against the *averaged* one-hot, a soft target
of c/T at a word that occurs c times in the window. The two losses therefore differ only at the
context columns, by :func:`collapse_tile_gap`. :func:`skipgram_bce_lean` computes the collapsed
loss without building any (N, V) or (N, T, V) target, and :func:`skipgram_ce` is the original
skip-gram objective: one softmax cross-entropy per (centre, context) pair.

Duplicates: a window may hold the same id twice. ``duplicates`` says what a multi-hot target does
with it: ``"clip"`` (a 0/1 target: the word is in the context), ``"count"`` (the seed's plain sum,
which gives targets of 2 or more that BCE accepts silently: kept to show the pitfall) or
``"error"`` (refuse such a window).

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .validation import check_batch_sizes, check_positive_int, check_scores, check_token_ids

__all__ = [
    "DUPLICATE_POLICIES",
    "collapse",
    "collapse_tile_gap",
    "first_occurrences",
    "has_duplicates",
    "skipgram_bce_collapse",
    "skipgram_bce_lean",
    "skipgram_bce_tile",
    "skipgram_ce",
]

DUPLICATE_POLICIES = ("clip", "count", "error")
_ANY_VOCAB = 2**63 - 1  # for checks that need ids to be >= 0 but know no vocabulary size


def _check_policy(duplicates: object) -> str:
    if not isinstance(duplicates, str):
        raise TypeError(
            f"duplicates must be one of {DUPLICATE_POLICIES} (a str), got {duplicates!r} "
            f"({type(duplicates).__name__})"
        )
    if duplicates not in DUPLICATE_POLICIES:
        raise ValueError(f"duplicates must be one of {DUPLICATE_POLICIES}, got {duplicates!r}")
    return duplicates


def _check_targets(y: object, vocab_size: int) -> torch.Tensor:
    """Validated ids as int64 (scatter, gather and one_hot need int64)."""
    return check_token_ids("y", y, vocab_size, ranks=(2,)).long()


def _check_scores_and_targets(scores: object, y: object) -> tuple[torch.Tensor, torch.Tensor]:
    check_scores("scores", scores, rank=2)
    y = _check_targets(y, vocab_size=scores.shape[1])
    check_batch_sizes(scores=scores, y=y)
    return scores, y


def first_occurrences(y: torch.Tensor) -> torch.Tensor:
    """True where ``y[n, t]`` is the first occurrence of its id in row n, False for repeats.

    Sorts each row (T log T work per row), so it never builds anything of size V.
    Introduced in ``04_skipgram_multilabel.ipynb``.

    Args:
        y: the context ids, T per window; any integer dtype, each id at least 0.

    Shape:
        - Input: y :math:`(N, T)` int64 ids.
        - Output: :math:`(N, T)` bool.
    """
    y = _check_targets(y, vocab_size=_ANY_VOCAB)
    ordered, order = y.sort(dim=1, stable=True)  # (N, T), (N, T)
    first_sorted = torch.ones_like(ordered, dtype=torch.bool)  # (N, T)
    first_sorted[:, 1:] = ordered[:, 1:] != ordered[:, :-1]  # (N, T-1)
    return torch.empty_like(first_sorted).scatter_(1, order, first_sorted)  # (N, T)


def has_duplicates(y: torch.Tensor) -> torch.Tensor:
    """True for each window (row of ``y``) that holds some id more than once.

    Introduced in ``04_skipgram_multilabel.ipynb``.

    Args:
        y: the context ids, T per window; any integer dtype, each id at least 0.

    Shape:
        - Input: y :math:`(N, T)` int64 ids.
        - Output: :math:`(N)` bool.
    """
    return ~first_occurrences(y).all(dim=1)  # (N, T) -> (N,)


def collapse(
    y: torch.Tensor,
    vocab_size: int,
    duplicates: str = "clip",
    *,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """Turn T context ids per example into one (N, V) multi-hot target row.

    Gives the same result as ``F.one_hot(y, V).sum(dim=1)`` (the original lesson's collapse)
    followed by the duplicate policy, but scatters straight into (N, V): the (N, T, V) int64
    one-hot tensor is never built. Introduced in ``04_skipgram_multilabel.ipynb``.

    Args:
        y: context ids, in :math:`[0, V)`.
        vocab_size: V, at least 1.
        duplicates: ``"clip"`` gives 1 wherever the id occurs (a true 0/1 multi-hot),
            ``"count"`` gives the number of occurrences (2 or more for a repeated id: the
            pitfall), ``"error"`` raises ``ValueError`` naming the first window with a repeat.
            Default: ``"clip"``.
        dtype: floating dtype of the result. Default: ``torch.float32``.

    Shape:
        - Input: y :math:`(N, T)` int64 ids in :math:`[0, V)`.
        - Output: :math:`(N, V)` floating targets.

    Example::

        >>> collapse(torch.tensor([[1, 3, 3]]), vocab_size=5)
        tensor([[0., 1., 0., 1., 0.]])
    """
    V = check_positive_int("vocab_size", vocab_size)
    y = _check_targets(y, V)
    policy = _check_policy(duplicates)
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating torch.dtype, got {dtype!r}")
    N = y.shape[0]
    if policy == "error":
        _refuse_duplicates(y)
    target = torch.zeros(N, V, dtype=dtype)  # (N, V)
    if policy == "count":
        ones = torch.ones(y.shape, dtype=dtype)  # (N, T)
        return target.scatter_add_(1, y, ones)  # (N, V) += counts at (N, T) ids
    return target.scatter_(1, y, 1.0)  # (N, V), 1 at every id in the row


def _refuse_duplicates(y: torch.Tensor) -> None:
    repeated = has_duplicates(y)  # (N,)
    if bool(repeated.any()):
        row = int(repeated.nonzero()[0, 0])
        ids = y[row].tolist()
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(
            f"y must not repeat an id within a window when duplicates='error', got row {row} "
            f"= {ids} (repeats {twice}); use duplicates='clip' for a 0/1 multi-hot target"
        )


def skipgram_bce_collapse(
    scores: torch.Tensor, y: torch.Tensor, duplicates: str = "clip"
) -> torch.Tensor:
    """Mean BCE of the scores against the collapsed (N, V) target, as in the original lesson.

    With ``duplicates="count"`` a repeated id gets a target of 2 or more: the built-in accepts it
    silently and the loss of that element, softplus(s) - c·s, falls below zero and keeps falling
    as s grows. Introduced in ``04_skipgram_multilabel.ipynb``.

    Args:
        scores: the logits, one row per centre word; finite.
        y: the context ids, T per example, in :math:`[0, V)`.
        duplicates: what a repeated id in a window gives, one of ``DUPLICATE_POLICIES``:
            ``"clip"``, ``"count"`` or ``"error"`` (see :func:`collapse`). Default: ``"clip"``.

    Shape:
        - Input: scores :math:`(N, V)` float logits; y :math:`(N, T)` int64 ids.
        - Output: scalar, the mean over all N·V elements.
    """
    scores, y = _check_scores_and_targets(scores, y)
    target = collapse(y, scores.shape[1], duplicates, dtype=scores.dtype)  # (N, V)
    return F.binary_cross_entropy_with_logits(scores, target)  # (N, V) -> scalar


def skipgram_bce_tile(scores: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean BCE with the scores tiled T times, each copy against one context word's one-hot row.

    The original lesson's "unsqueeze & tile", on logits instead of probabilities (stable, see
    notebook 02). Builds two (N, T, V) tensors: costs T times the memory of :func:`collapse`.
    Equal to BCE against the soft target ``one_hot(y).mean(dim=1)``.
    Introduced in ``04_skipgram_multilabel.ipynb``.

    Args:
        scores: the logits, one row per centre word; finite.
        y: the context ids, T per example, in :math:`[0, V)`.

    Shape:
        - Input: scores :math:`(N, V)` float logits; y :math:`(N, T)` int64 ids.
        - Output: scalar, the mean over all N·T·V elements (mean over T, then over N·V).
    """
    scores, y = _check_scores_and_targets(scores, y)
    T, V = y.shape[1], scores.shape[1]  # window, vocabulary
    tiled = scores.unsqueeze(1).tile(1, T, 1)  # (N, V) -> (N, 1, V) -> (N, T, V)
    onehot = F.one_hot(y, V).to(scores.dtype)  # (N, T) -> (N, T, V)
    return F.binary_cross_entropy_with_logits(tiled, onehot)  # (N, T, V) -> scalar


def skipgram_bce_lean(
    scores: torch.Tensor, y: torch.Tensor, duplicates: str = "clip"
) -> torch.Tensor:
    """The collapsed BCE without any one-hot or multi-hot tensor.

    Per element, BCE with logits is ``softplus(s) - t·s``. Summed over a row, the first term
    needs every score and the second only the scores at the targets, so

        loss = [ Σ_{n,v} softplus(s[n, v]) - Σ_n Σ_{v in y[n]} s[n, v] ] / (N·V)

    where the inner sum runs over distinct ids (``"clip"``) or over all T ids (``"count"``).
    Only (N, V) temporaries of the scores' own size and an (N, T) gather are allocated.
    Equals :func:`skipgram_bce_collapse` for the same policy.
    Introduced in ``04_skipgram_multilabel.ipynb``.

    Args:
        scores: the logits, one row per centre word; finite.
        y: the context ids, T per example, in :math:`[0, V)`.
        duplicates: what a repeated id in a window gives, one of ``DUPLICATE_POLICIES``:
            ``"clip"``, ``"count"`` or ``"error"`` (see :func:`collapse`). Default: ``"clip"``.

    Shape:
        - Input: scores :math:`(N, V)` float logits; y :math:`(N, T)` int64 ids.
        - Output: scalar.
    """
    scores, y = _check_scores_and_targets(scores, y)
    policy = _check_policy(duplicates)
    if policy == "error":
        _refuse_duplicates(y)
    N, V = scores.shape  # batch, vocabulary
    # softplus(s) = log(1 + e^s). Past the threshold PyTorch returns s itself; the term dropped,
    # log(1 + e^-s), is then below half a unit in the last place of s (e^-20 vs float32's 2^-24
    # relative, e^-40 vs float64's 2^-53), so the result is exact to rounding. One fused kernel
    # each way: the backward is sigmoid(s) without extra (N, V) temporaries.
    threshold = 40.0 if scores.dtype == torch.float64 else 20.0
    all_terms = F.softplus(scores, threshold=threshold).sum()  # (N, V) -> scalar
    target_scores = scores.gather(1, y)  # (N, V), (N, T) -> (N, T)
    if policy == "clip":
        target_scores = target_scores * first_occurrences(y)  # (N, T), repeats zeroed
    return (all_terms - target_scores.sum()) / (N * V)  # (N, T) -> scalar


def skipgram_ce(scores: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The original skip-gram objective: softmax cross-entropy for every (centre, context) pair.

    Mean over the N·T pairs of ``logsumexp(s[n]) - s[n, y[n, t]]``, i.e. -log p(context | centre)
    with p the softmax over all V words. A repeated id simply counts twice, as it should.
    Equals ``nn.CrossEntropyLoss`` on the scores repeated T times, without repeating them.
    Introduced in ``04_skipgram_multilabel.ipynb``.

    Args:
        scores: the logits, one row per centre word; finite.
        y: the context ids, T per example, in :math:`[0, V)`.

    Shape:
        - Input: scores :math:`(N, V)` float logits; y :math:`(N, T)` int64 ids.
        - Output: scalar.
    """
    scores, y = _check_scores_and_targets(scores, y)
    log_norm = torch.logsumexp(scores, dim=1, keepdim=True)  # (N, V) -> (N, 1)
    target_scores = scores.gather(1, y)  # (N, V), (N, T) -> (N, T)
    return (log_norm - target_scores).mean()  # (N, T) -> scalar


def collapse_tile_gap(scores: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Closed form of ``skipgram_bce_collapse(scores, y) - skipgram_bce_tile(scores, y)``.

    Tile is BCE against the soft target c/T (c = occurrences of the id in the window); collapse
    with ``"clip"`` uses 1. BCE is ``softplus(s) - t·s``, so only the context columns differ, each
    by ``-(1 - c/T)·s``:

        gap = -[ Σ_n Σ_{distinct v in y[n]} s[n, v] - (1/T) Σ_{n,t} s[n, y[n, t]] ] / (N·V)

    which for windows without repeats is ``-(T-1)/T · Σ_{n,t} s[n, y[n, t]] / (N·V)``.
    Introduced in ``04_skipgram_multilabel.ipynb``.

    Args:
        scores: the logits, one row per centre word; finite.
        y: the context ids, T per example, in :math:`[0, V)`.

    Shape:
        - Input: scores :math:`(N, V)` float logits; y :math:`(N, T)` int64 ids.
        - Output: scalar.
    """
    scores, y = _check_scores_and_targets(scores, y)
    (N, V), T = scores.shape, y.shape[1]  # batch, vocabulary, window
    target_scores = scores.gather(1, y)  # (N, V), (N, T) -> (N, T)
    distinct = (target_scores * first_occurrences(y)).sum()  # (N, T) -> scalar
    return -(distinct - target_scores.sum() / T) / (N * V)  # (N, T) -> scalar
