"""Response-time figures and the comparison with the reference dispatch centre."""

from dataclasses import dataclass
import statistics

from hypothesis import given, strategies as st
import pytest

from custom_components.smart_community.community.history import AlarmRecord
from custom_components.smart_community.community.stats import (
    ARRIVAL_TARGET,
    CALLBACK_TARGET,
    DAY,
    Benchmark,
    meets,
    percentile,
    response_report,
    response_times,
    summarize,
)


@dataclass(frozen=True)
class Times:
    raised_at: float
    acknowledged_at: float | None = None
    arrived_at: float | None = None
    resolved_at: float | None = None


def test_reference_targets_come_from_the_articles() -> None:
    assert CALLBACK_TARGET == 300.0
    assert ARRIVAL_TARGET == 1080.0


def test_response_times() -> None:
    times = response_times(Times(100.0, 160.0, 700.0, 1000.0))
    assert (times.to_acknowledge, times.to_arrive, times.to_resolve) == (
        60.0,
        600.0,
        900.0,
    )
    missing = response_times(Times(100.0))
    assert (missing.to_acknowledge, missing.to_arrive, missing.to_resolve) == (
        None,
        None,
        None,
    )
    # A household clock behind the duty room's never gives a negative time.
    assert response_times(Times(100.0, 90.0)).to_acknowledge == 0.0
    record = AlarmRecord("a", "h", "sos", 10.0, acknowledged_at=70.0, arrived_at=610.0)
    assert response_times(record).to_arrive == 600.0


def test_percentile_linear_interpolation() -> None:
    assert percentile([], 50) is None
    assert percentile([7.0], 90) == 7.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([10.0, 20.0, 30.0, 40.0, 50.0], 90) == pytest.approx(46.0)
    assert percentile([3.0, 1.0, 2.0], 0) == 1.0
    assert percentile([3.0, 1.0, 2.0], 100) == 3.0
    for bad in (-1.0, 100.5):
        with pytest.raises(ValueError, match="out of range"):
            percentile([1.0], bad)


def test_summarize() -> None:
    empty = summarize([])
    assert (empty.count, empty.median, empty.p90, empty.minimum, empty.maximum) == (
        0,
        None,
        None,
        None,
        None,
    )
    summary = summarize([60.0, 120.0, 240.0, 600.0])
    assert summary.count == 4
    assert summary.median == 180.0
    assert summary.p90 == pytest.approx(492.0)
    assert (summary.minimum, summary.maximum) == (60.0, 600.0)


def test_meets() -> None:
    assert meets(100.0, 0.0, 1000.0, 300.0) is True
    assert meets(300.0, 0.0, 1000.0, 300.0) is True
    assert meets(301.0, 0.0, 1000.0, 300.0) is False
    assert meets(None, 0.0, 1000.0, 300.0) is False
    assert meets(None, 0.0, 200.0, 300.0) is None


def test_report_over_window_and_benchmark() -> None:
    now = 100 * DAY
    alarms = [
        Times(now - 40 * DAY, now - 40 * DAY + 10),  # outside the window
        Times(now - 10 * DAY, now - 10 * DAY + 60, now - 10 * DAY + 900, now - 9 * DAY),
        Times(now - 5 * DAY, now - 5 * DAY + 400, now - 5 * DAY + 1200),
        Times(now - 2 * DAY),  # never acknowledged: missed both targets
        Times(now - 100.0),  # just raised: not judged yet
        Times(now + 10.0, now + 20.0),  # in the future: ignored
    ]
    report = response_report(alarms, now)
    assert report.window_start == now - 30 * DAY
    assert report.now == now
    assert report.alarms == 4
    assert report.acknowledge.count == 2
    assert report.acknowledge.median == 230.0
    assert report.arrive.count == 2
    assert report.resolve.count == 1
    assert report.resolve.median == DAY
    assert (report.callback.within, report.callback.judged) == (1, 3)
    assert report.callback.percent == pytest.approx(100 / 3)
    assert (report.arrival.within, report.arrival.judged) == (1, 3)
    assert report.median_callback_met is True
    assert report.median_arrival_met is True
    strict = response_report(alarms, now, benchmark=Benchmark(callback=30, arrival=600))
    assert strict.median_callback_met is False
    assert strict.median_arrival_met is False
    assert strict.callback.within == 0
    week = response_report(alarms, now, window=7 * DAY)
    assert week.alarms == 3


def test_empty_report() -> None:
    report = response_report([], 1000.0)
    assert report.alarms == 0
    assert report.callback.percent is None
    assert report.median_callback_met is None
    assert report.median_arrival_met is None


DURATIONS = st.lists(
    st.floats(min_value=0, max_value=1e7, allow_nan=False), min_size=1, max_size=60
)


@given(DURATIONS, st.floats(min_value=0, max_value=100))
def test_percentile_within_bounds(values: list[float], q: float) -> None:
    result = percentile(values, q)
    assert result is not None
    assert min(values) <= result <= max(values)


@given(DURATIONS)
def test_p50_not_above_p90_and_matches_statistics(values: list[float]) -> None:
    summary = summarize(values)
    assert summary.median is not None and summary.p90 is not None
    assert summary.minimum <= summary.median <= summary.p90 <= summary.maximum  # type: ignore[operator]
    if len(values) >= 2:
        expected = statistics.quantiles(values, n=10, method="inclusive")[8]
        assert summary.p90 == pytest.approx(expected, rel=1e-9, abs=1e-6)
        assert summary.median == pytest.approx(
            statistics.median(values), rel=1e-9, abs=1e-6
        )


@given(DURATIONS, st.floats(0, 100), st.floats(0, 100))
def test_percentile_is_monotonic(values: list[float], a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert percentile(values, low) <= percentile(values, high)  # type: ignore[operator]


@given(st.lists(st.floats(min_value=-1e308, max_value=1e308), min_size=1, max_size=8))
def test_percentile_survives_extreme_values(values: list[float]) -> None:
    result = percentile(values, 90)
    assert result is not None
    assert min(values) <= result <= max(values)
