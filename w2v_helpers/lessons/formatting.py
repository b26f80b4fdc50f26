"""Volatile numbers, printed with the "(wall clock)" mark that the nbval sanitize rules mask:
timings, rates and ratios of timings.
"""

from __future__ import annotations

from ..validation import check_number

__all__ = [
    "format_timing",
    "format_rate",
    "format_time_ratio",
]


def format_timing(seconds: float) -> str:
    """A timing with the "(wall clock)" mark that the nbval sanitize rule looks for.

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        seconds: the timing in seconds, finite and not negative; printed in milliseconds.
    """
    seconds = check_number("seconds", seconds, low=0, high_open=True)  # never "nan ms" or "-3 ms"
    return f"{seconds * 1e3:.2f} ms (wall clock)"


def format_rate(count: float, seconds: float, unit: str = "words") -> str:
    """A throughput with the "(wall clock)" mark that the nbval sanitize rule looks for.

    Introduced in ``07_fast_trainer_vs_gensim.ipynb``.

    Args:
        count: how many ``unit`` were processed, finite and not negative.
        seconds: the time they took, positive and finite.
        unit: what was counted. Default: ``"words"``.
    """
    count = check_number("count", count, low=0, high_open=True)
    seconds = check_number("seconds", seconds, low=0, low_open=True, high_open=True)
    if not isinstance(unit, str) or not unit:
        raise TypeError(f"unit must be a non-empty string such as 'words', got {unit!r}")
    return f"{count / seconds:,.0f} {unit}/s (wall clock)"


def format_time_ratio(slow_seconds: float, fast_seconds: float) -> str:
    """How many times as long one timing is as another, with the "(wall clock)" mark.

    A ratio of two timings is as volatile as the timings: on a loaded machine, or with more
    threads than free cores, a short step can stall while a long one does not. So it is printed,
    masked by the nbval sanitize rules, and never turned into a checked True/False.
    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        slow_seconds: the longer timing, positive and finite.
        fast_seconds: the shorter timing, positive and finite.
    """
    for name, value in (("slow_seconds", slow_seconds), ("fast_seconds", fast_seconds)):
        check_number(name, value, low=0, low_open=True, high_open=True)  # seconds
    ratio = slow_seconds / fast_seconds
    return f"{ratio:,.{1 if ratio < 10 else 0}f}x as long (wall clock)"  # 1.4x, 12x
