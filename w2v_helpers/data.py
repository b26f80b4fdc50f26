"""Batches of token ids for the lessons.

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives.
"""

from __future__ import annotations

import torch

from .memory import INT64, check_large_request
from .validation import check_generator, check_positive_int

__all__ = ["random_cbow_batch"]


def random_cbow_batch(
    vocab_size: int, batch_size: int, window_size: int, *, generator: torch.Generator | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Uniformly random (context ids, centre ids), like the original lesson's stand-in data.

    Returns x of shape (N, T) and y of shape (N,), int64 ids in [0, V).
    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        vocab_size: V, the number of words, a whole number >= 1.
        batch_size: N, the number of examples, a whole number >= 1.
        window_size: T, the context words per example, a whole number >= 1.
        generator: the random generator. Default: ``None`` (torch's global one).

    Shape:
        - Output: ``x`` :math:`(N, T)` and ``y`` :math:`(N)`, int64 ids in :math:`[0, V)`.
    """
    V = check_positive_int("vocab_size", vocab_size)
    N = check_positive_int("batch_size", batch_size)
    T = check_positive_int("window_size", window_size)
    generator = check_generator("generator", generator)
    check_large_request(
        INT64 * N * (T + 1), f"a batch of {N:,} x {T:,} ids", hint="Lower batch_size."
    )
    x = torch.randint(V, (N, T), generator=generator)  # (N, T)
    y = torch.randint(V, (N,), generator=generator)  # (N,)
    return x, y
