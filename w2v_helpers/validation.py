"""Input checks shared by every public helper.

Each check raises ``TypeError`` (wrong kind of thing) or ``ValueError`` (right kind, wrong value)
with a message that names the parameter, what it got and what is allowed, so a learner never
meets an opaque ``IndexError`` from deep inside torch.

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives.
"""

from __future__ import annotations

import numbers

import torch

__all__ = [
    "check_batch_sizes",
    "check_positive_int",
    "check_probability_targets",
    "check_scores",
    "check_token_ids",
]


def _describe(value: object) -> str:
    if isinstance(value, torch.Tensor):
        return f"a {value.dtype} tensor of shape {tuple(value.shape)}"
    return f"{value!r} ({type(value).__name__})"


def check_positive_int(name: str, value: object, *, maximum: int | None = None) -> int:
    """Return ``value`` as an int if it is a whole number in [1, maximum]; raise otherwise.

    Introduced in ``01_cbow_forward.ipynb``.
    """
    # bool is an Integral, but vocab_size=True is always a mistake.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive whole number, got {_describe(value)}")
    value = int(value)
    upper = "" if maximum is None else f" and at most {maximum:,}"
    if value < 1 or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be at least 1{upper}, got {value:,}")
    return value


def check_token_ids(
    name: str, ids: object, vocab_size: int, *, ranks: tuple[int, ...] = (2,)
) -> torch.Tensor:
    """Check that ``ids`` is an integer tensor of an allowed rank with every id in [0, V).

    Introduced in ``01_cbow_forward.ipynb``.
    """
    if not isinstance(ids, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of token ids, got {_describe(ids)}")
    if ids.dtype.is_floating_point or ids.dtype.is_complex or ids.dtype == torch.bool:
        raise TypeError(
            f"{name} must hold integer token ids (torch.long), got dtype {ids.dtype}; "
            f"use {name}.long() if the values are whole numbers"
        )
    if ids.dim() not in ranks:
        allowed = " or ".join(f"{r}-D" for r in ranks)
        raise ValueError(f"{name} must be {allowed}, got shape {tuple(ids.shape)}")
    if ids.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(ids.shape)}")
    low, high = int(ids.min()), int(ids.max())
    if low < 0 or high >= vocab_size:
        bad = low if low < 0 else high
        raise ValueError(
            f"{name} must hold ids in [0, {vocab_size - 1}] (vocab_size={vocab_size:,}), "
            f"got {bad:,}"
        )
    return ids


def check_scores(
    name: str, scores: object, *, rank: int | None = 2, finite: bool = True
) -> torch.Tensor:
    """Check that ``scores`` is a floating tensor of the given rank (any if None), maybe finite.

    Introduced in ``01_cbow_forward.ipynb``.
    """
    if not isinstance(scores, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of scores, got {_describe(scores)}")
    if not scores.dtype.is_floating_point:
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {scores.dtype}")
    if rank is not None and scores.dim() != rank:
        raise ValueError(f"{name} must be {rank}-D, got shape {tuple(scores.shape)}")
    if scores.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(scores.shape)}")
    if finite and not bool(torch.isfinite(scores).all()):
        count = int((~torch.isfinite(scores)).sum())
        raise ValueError(f"{name} must be finite, got {count} NaN or infinite value(s)")
    return scores


def check_probability_targets(name: str, targets: object, like: torch.Tensor) -> torch.Tensor:
    """Check BCE targets: a floating tensor shaped like the scores with values in [0, 1].

    Introduced in ``01_cbow_forward.ipynb``.
    """
    if not isinstance(targets, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {_describe(targets)}")
    if not targets.dtype.is_floating_point:
        raise TypeError(
            f"{name} must be a floating-point tensor of 0/1 targets, got dtype {targets.dtype}; "
            f"use {name}.float()"
        )
    if targets.shape != like.shape:
        raise ValueError(
            f"{name} must have the same shape as scores {tuple(like.shape)}, "
            f"got {tuple(targets.shape)}"
        )
    if not bool(((targets >= 0) & (targets <= 1)).all()):
        low, high = float(targets.min()), float(targets.max())
        raise ValueError(f"{name} must lie in [0, 1], got values from {low:g} to {high:g}")
    return targets


def check_batch_sizes(**tensors: torch.Tensor) -> int:
    """Check that the tensors agree on their first dimension (the batch N); return N.

    Introduced in ``01_cbow_forward.ipynb``.
    """
    sizes = {name: t.shape[0] for name, t in tensors.items()}
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{name} has {n}" for name, n in sizes.items())
        raise ValueError(f"batch sizes differ: {listed}; they must be equal")
    return next(iter(sizes.values()))
