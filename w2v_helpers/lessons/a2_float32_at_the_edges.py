"""Lesson code of ``A2_float32_at_the_edges.ipynb`` (appendix: float32 at the edges of notebooks
03 and 04): the gap between neighbouring float32 numbers, and the tied CBOW's cross-entropy
gradient whose smallest rows have a float32 norm of exactly 0 although they are not 0.

Shape glossary: N batch, T = 2w context words, V vocabulary, E embedding dim.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from ..gradients import rows_with_gradient, split_tied_gradient
from ..memory import check_memory, estimate_tied_step_bytes, load_autograd
from ..models import CBOW
from ..validation import check_int, check_positive_int
from .feedback import Feedback, _call, _correct, _not_yet

__all__ = [
    "float32_spacing",
    "TINY_SQUARE",
    "NormRoundingReport",
    "norm_rounding_report",
    "check_nonzero_rows",
]

TINY_SQUARE = 2.0**-75  # a float32 square of anything smaller rounds to 0: 2^-150 is below 2^-149


def float32_spacing(value: float) -> float:
    """The gap between ``|value|`` and the next float32 number above it (float32's step there).

    Introduced in ``A2_float32_at_the_edges.ipynb``.

    Args:
        value: a finite number, |value| at most float32's largest (about 3.4e38).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"value must be a number, got {value!r}")
    big = torch.finfo(torch.float32).max
    if not math.isfinite(value) or abs(value) > big:
        raise ValueError(f"value must be finite and at most {big:.3e} in size, got {value!r}")
    x = torch.tensor(abs(value), dtype=torch.float32)
    above = torch.nextafter(x, torch.tensor(math.inf, dtype=torch.float32))
    return float(above.double() - x.double())


@dataclass(frozen=True, kw_only=True)
class NormRoundingReport:
    """How many rows of a float32 gradient a norm misses, against an exact count.

    Introduced in ``A2_float32_at_the_edges.ipynb``.
    """

    vocab_size: int
    rows_nonzero: int  # rows with a nonzero entry (an exact test)
    smallest_entry: float  # the smallest row's largest |entry|
    smallest_norm32: float  # that row's norm in float32
    smallest_norm64: float  # that row's norm in float64
    tiny_rows: int  # rows whose every entry is below 2^-75
    tiny_zero_norms: int  # of them, with a float32 norm of exactly 0
    norm_misses_rows: bool  # counting rows by float32 norm > 0 misses some
    norms_off_by_10pct: bool  # some nonzero float32 norms are off by over 10%

    def __str__(self) -> str:
        V = self.vocab_size
        return "\n".join(
            [
                f"rows with a nonzero entry (exact):     {self.rows_nonzero} of {V}",
                f"the smallest row's largest entry:      {self.smallest_entry:.1e}",
                f"its norm in float32:                   {self.smallest_norm32}",
                f"its norm in float64:                   {self.smallest_norm64:.1e}",
                f"rows whose every entry is below 2^-75: {self.tiny_rows}",
                f"  of them, with a float32 norm of 0:   {self.tiny_zero_norms}",
                f"a float32 norm > 0 misses rows: {self.norm_misses_rows}",
                f"some nonzero float32 norms are off by over 10%: {self.norms_off_by_10pct}",
            ]
        )


def norm_rounding_report(
    context_ids: Sequence[int] = (3, 5, 8, 1),
    target_id: int = 42,
    *,
    vocab_size: int = 500,
    embedding_dim: int = 128,
    seed: int = 0,
) -> NormRoundingReport:
    """The output-side cross-entropy gradient of notebook 03's tied CBOW (seeded), its rows
    counted exactly and by their float32 norms.

    Introduced in ``A2_float32_at_the_edges.ipynb``.

    Args:
        context_ids: the context ids, 1 to 1,000 ids in [0, V). Default: (3, 5, 8, 1).
        target_id: the word to predict, in [0, V). Default: 42.
        vocab_size: V, a whole number >= 1. Default: 500.
        embedding_dim: E, a whole number >= 1. Default: 128.
        seed: seeds the model's initial weights. Default: 0.
    """
    V = check_positive_int("vocab_size", vocab_size)
    E = check_positive_int("embedding_dim", embedding_dim)
    context = [check_int("context_ids[i]", i, low=0, high=V - 1) for i in context_ids]
    if not 1 <= len(context) <= 1_000:
        raise ValueError(f"context_ids must hold 1 to 1,000 ids, got {len(context)}")
    target_id = check_int("target_id", target_id, low=0, high=V - 1)
    load_autograd()  # first: the guard then sees the modules a first backward pass loads
    check_memory(
        estimate_tied_step_bytes(V, E, 1, len(context)),
        f"a tied CBOW gradient with vocab_size={V:,}, embedding_dim={E}",
        hint="Lower vocab_size or embedding_dim.",
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        weight = CBOW(V, E, tied=True).embedding.weight.detach()  # (V, E)
    parts = split_tied_gradient(
        weight, torch.tensor([context]), torch.tensor([target_id]), loss="ce"
    )
    g = parts.output_side  # (V, E) float32
    largest = g.abs().amax(dim=1)  # (V, E) -> (V,), each row's largest entry
    smallest = int(largest.argmin())
    tiny = largest < TINY_SQUARE  # (V,)
    norm32, norm64 = g.norm(dim=1).double(), g.double().norm(dim=1)  # (V,) each
    error = ((norm32 - norm64).abs() / norm64)[norm32 > 0]  # (k,) relative error where not 0
    return NormRoundingReport(
        vocab_size=V,
        rows_nonzero=int(rows_with_gradient(g).sum()),
        smallest_entry=float(largest[smallest]),
        smallest_norm32=float(g[smallest].norm()),
        smallest_norm64=float(g[smallest].double().norm()),
        tiny_rows=int(tiny.sum()),
        tiny_zero_norms=int((g[tiny].norm(dim=1) == 0).sum()),
        norm_misses_rows=bool((norm32 > 0).sum() < int(rows_with_gradient(g).sum())),
        norms_off_by_10pct=bool((error > 0.1).any()),
    )


def _rows_case() -> torch.Tensor:
    """A float32 ``(V, E)`` gradient: ordinary rows, rows of entries near 1e-30, a row whose
    entries cancel in a sum, and rows of exact zeros."""
    generator = torch.Generator().manual_seed(11)
    grad = torch.randn(8, 3, generator=generator)  # (V, E)
    grad[2] *= 1e-30  # a norm of 0 in float32, although nonzero
    grad[5] *= 3e-25  # squares subnormal: a norm that is off, but not 0
    grad[3] = torch.tensor([1.0, -1.0, 0.0])  # sums to exactly 0
    grad[[1, 6]] = 0.0  # truly without a gradient
    return grad


def check_nonzero_rows(fn: Callable[[torch.Tensor], torch.Tensor]) -> Feedback:
    """Exercise: ``fn(grad)`` must say, for each row of a float32 ``(V, E)`` gradient, whether any
    entry is nonzero: a ``(V,)`` bool tensor. The case holds rows of tiny entries (their float32
    norm is 0) and a row whose entries cancel. Introduced in ``A2_float32_at_the_edges.ipynb``.

    Args:
        fn: the learner's function ``fn(grad)``.

    Shape:
        - fn gets: grad :math:`(V, E)` float32.
        - fn returns: :math:`(V)` bool.
    """
    grad = _rows_case()  # (V, E)
    expected = (grad != 0).any(dim=1)  # (V,)
    got = _call(fn, grad.clone())
    if isinstance(got, Feedback):
        return got
    V, E = grad.shape
    if got.shape == (E,):
        return _not_yet(
            f"shape ({E},) is one answer per column: ask along dim=1, the row's entries."
        )
    if got.numel() == 1:
        return _not_yet("one number for the whole gradient: return one True/False per row, (V,).")
    if got.shape != (V,):
        return _not_yet(f"expected shape (V,) = ({V},), got {tuple(got.shape)}.")
    if got.dtype != torch.bool:
        return _not_yet(f"return bools (a test per row), got dtype {got.dtype}.")
    if torch.equal(got, expected):
        return _correct(
            "an exact test per row: a row of entries near 1e-30 counts, a row of zeros does "
            "not, and nothing is squared or cancels on the way."
        )
    if not bool(got[2]) and bool(got[0]):
        return _not_yet(
            "row 2 (entries near 1e-30) is not zero, but your test says it is: a float32 norm "
            "squares the entries, and those squares round to 0. Test the entries themselves."
        )
    if not bool(got[3]):
        return _not_yet(
            "row 3 is [1, -1, 0]: its sum is 0, its entries are not. Ask whether any entry is "
            "nonzero, not whether they add up to something."
        )
    if bool(got[1]) or bool(got[6]):
        return _not_yet("rows 1 and 6 are all zeros; your test counts them.")
    return _not_yet("not it: a row counts when any of its entries is != 0.")
