"""Response-time figures of the duty room, compared with the reference dispatch centre.

Pure Python: no Home Assistant import. The source articles describe a 24/7 dispatch centre
that calls back within 5 minutes and has a responder on site within about 18 minutes; the
duty room's acknowledgement plays the call-back, the responder's arrival the arrival.

Percentiles use linear interpolation between closest ranks (the "inclusive" method, type 7
of Hyndman and Fan, numpy's default and ``statistics.quantiles(method="inclusive")``): for
``n`` sorted values and ``q`` in [0, 100], the rank is ``r = (n - 1) * q / 100`` and the result
is ``v[floor(r)] + (v[ceil(r)] - v[floor(r)]) * (r - floor(r))``. It is deterministic, always
within [min, max], and monotonic in ``q``.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
import math
from typing import Final, Protocol

DAY: Final = 86400.0
DEFAULT_WINDOW: Final = 30 * DAY
CALLBACK_TARGET: Final = 5 * 60.0
ARRIVAL_TARGET: Final = 18 * 60.0


class AlarmTimes(Protocol):
    """The timestamps of an alarm's lifecycle (history records and similar objects fit)."""

    @property
    def raised_at(self) -> float:
        """When the alarm was raised."""

    @property
    def acknowledged_at(self) -> float | None:
        """When the duty room acknowledged (called back)."""

    @property
    def arrived_at(self) -> float | None:
        """When a responder arrived on site."""

    @property
    def resolved_at(self) -> float | None:
        """When the alarm was resolved."""


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    """Seconds from raising to each step; None when the step has not happened."""

    to_acknowledge: float | None
    to_arrive: float | None
    to_resolve: float | None


@dataclass(frozen=True, slots=True)
class Benchmark:
    """Targets to compare with, in seconds; the default is the reference centre's."""

    callback: float = CALLBACK_TARGET
    arrival: float = ARRIVAL_TARGET


REFERENCE_CENTRE: Final = Benchmark()


@dataclass(frozen=True, slots=True)
class MetricSummary:
    """Count, median, 90th percentile, minimum and maximum of one response time."""

    count: int
    median: float | None
    p90: float | None
    minimum: float | None
    maximum: float | None


@dataclass(frozen=True, slots=True)
class TargetComparison:
    """How many alarms met one target, of those that can be judged."""

    target: float
    within: int
    judged: int

    @property
    def percent(self) -> float | None:
        """Return the share within target in percent, or None when nothing was judged."""
        return None if self.judged == 0 else 100.0 * self.within / self.judged


@dataclass(frozen=True, slots=True)
class ResponseReport:
    """Response figures over a window ending at `now`."""

    window_start: float
    now: float
    alarms: int
    acknowledge: MetricSummary
    arrive: MetricSummary
    resolve: MetricSummary
    callback: TargetComparison
    arrival: TargetComparison

    @property
    def median_callback_met(self) -> bool | None:
        """Return whether the median call-back is within target (None without data)."""
        median = self.acknowledge.median
        return None if median is None else median <= self.callback.target

    @property
    def median_arrival_met(self) -> bool | None:
        """Return whether the median arrival is within target (None without data)."""
        median = self.arrive.median
        return None if median is None else median <= self.arrival.target


def _elapsed(start: float, end: float | None) -> float | None:
    """Return end - start, floored at 0 (clock skew between homes), or None."""
    return None if end is None else max(0.0, end - start)


def response_times(alarm: AlarmTimes) -> ResponseTimes:
    """Return an alarm's time to acknowledge, to arrive and to resolve."""
    return ResponseTimes(
        to_acknowledge=_elapsed(alarm.raised_at, alarm.acknowledged_at),
        to_arrive=_elapsed(alarm.raised_at, alarm.arrived_at),
        to_resolve=_elapsed(alarm.raised_at, alarm.resolved_at),
    )


def percentile(values: Iterable[float], q: float) -> float | None:
    """Return the q-th percentile (0-100) by linear interpolation, or None for no values."""
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"percentile out of range: {q}")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = math.ceil(rank)
    fraction = rank - low
    value = ordered[low] + (ordered[high] - ordered[low]) * fraction
    # Guard against rounding outside the bracketing values.
    return min(max(value, ordered[low]), ordered[high])


def summarize(values: Sequence[float]) -> MetricSummary:
    """Return count, median, p90, min and max of some durations."""
    if not values:
        return MetricSummary(0, None, None, None, None)
    return MetricSummary(
        count=len(values),
        median=percentile(values, 50.0),
        p90=percentile(values, 90.0),
        minimum=min(values),
        maximum=max(values),
    )


def meets(
    elapsed: float | None, raised_at: float, now: float, target: float
) -> bool | None:
    """Return whether a step met its target; None while it still can (not due yet)."""
    if elapsed is not None:
        return elapsed <= target
    if now - raised_at > target:
        return False
    return None


def _compare(
    alarms: Sequence[AlarmTimes],
    steps: Sequence[float | None],
    now: float,
    target: float,
) -> TargetComparison:
    """Count alarms within a target; overdue alarms without the step count as missed."""
    verdicts = [
        meets(elapsed, alarm.raised_at, now, target)
        for alarm, elapsed in zip(alarms, steps, strict=True)
    ]
    judged = [verdict for verdict in verdicts if verdict is not None]
    return TargetComparison(target, sum(judged), len(judged))


def response_report(
    alarms: Iterable[AlarmTimes],
    now: float,
    window: float = DEFAULT_WINDOW,
    benchmark: Benchmark = REFERENCE_CENTRE,
) -> ResponseReport:
    """Return rolling response figures for the alarms raised in (now - window, now]."""
    start = now - window
    chosen = [alarm for alarm in alarms if start < alarm.raised_at <= now]
    times = [response_times(alarm) for alarm in chosen]
    acknowledge = [t.to_acknowledge for t in times]
    arrive = [t.to_arrive for t in times]
    return ResponseReport(
        window_start=start,
        now=now,
        alarms=len(chosen),
        acknowledge=summarize([v for v in acknowledge if v is not None]),
        arrive=summarize([v for v in arrive if v is not None]),
        resolve=summarize([t.to_resolve for t in times if t.to_resolve is not None]),
        callback=_compare(chosen, acknowledge, now, benchmark.callback),
        arrival=_compare(chosen, arrive, now, benchmark.arrival),
    )
