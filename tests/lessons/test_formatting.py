"""Timings, rates and ratios never print as "nan", "inf" or a negative number."""

import math

import pytest

from w2v_helpers.lessons.formatting import format_rate, format_time_ratio, format_timing


@pytest.mark.parametrize("seconds", [math.nan, -0.001, math.inf, "0.1", None])
def test_a_timing_that_is_not_a_finite_non_negative_number_is_refused(seconds):
    with pytest.raises((TypeError, ValueError), match="seconds must be"):
        format_timing(seconds)


@pytest.mark.parametrize(
    ("count", "seconds", "named"),
    [(math.nan, 1.0, "count"), (-5, 1.0, "count"), (10, 0.0, "seconds"), (10, math.nan, "seconds")],
)
def test_a_rate_from_a_bad_count_or_time_is_refused_naming_it(count, seconds, named):
    with pytest.raises(ValueError, match=f"{named} must be in"):
        format_rate(count, seconds)


def test_well_formed_values_print_with_the_wall_clock_mark():
    assert format_timing(0.0125) == "12.50 ms (wall clock)"
    assert format_rate(3_000, 1.5) == "2,000 words/s (wall clock)"
    assert format_time_ratio(3.0, 2.0) == "1.5x as long (wall clock)"
    with pytest.raises(ValueError, match="fast_seconds must be in"):
        format_time_ratio(1.0, 0.0)
