"""Nearest-neighbour tracking of small blobs with a gravity-aware prediction."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
import math

import numpy as np

from .detect import Blob


def _median(values: Sequence[float]) -> float:
    """Return the upper median of a non-empty sequence."""
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


@dataclass(slots=True)
class Track:
    """A sequence of observations of one moving blob."""

    id: int
    times: list[float] = field(default_factory=list)
    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)
    areas: list[float] = field(default_factory=list)
    misses: int = 0

    def add(self, t: float, blob: Blob) -> None:
        """Append an observation."""
        self.times.append(t)
        self.xs.append(blob.x)
        self.ys.append(blob.y)
        self.areas.append(blob.area)
        self.misses = 0

    def trim(self, limit: int) -> None:
        """Keep only the newest ``limit`` observations (bounded memory)."""
        if len(self.times) > limit:
            del self.times[:-limit]
            del self.xs[:-limit]
            del self.ys[:-limit]
            del self.areas[:-limit]

    def tail(self, start: int) -> Track:
        """Return a copy holding the observations from index ``start`` on."""
        return Track(
            self.id,
            self.times[start:],
            self.xs[start:],
            self.ys[start:],
            self.areas[start:],
            self.misses,
        )

    @property
    def points(self) -> list[tuple[float, float, float]]:
        """Return the observations as (t, x, y)."""
        return list(zip(self.times, self.xs, self.ys, strict=True))

    def velocity(self) -> tuple[float, float]:
        """Return the recent velocity in px/s (zero for a single observation)."""
        n = len(self.times)
        if n < 2:
            return (0.0, 0.0)
        k = max(0, n - 3)
        dt = self.times[-1] - self.times[k]
        if dt <= 0:
            return (0.0, 0.0)
        return ((self.xs[-1] - self.xs[k]) / dt, (self.ys[-1] - self.ys[k]) / dt)


@dataclass(frozen=True, slots=True)
class TrackerConfig:
    """Tuning of the tracker."""

    max_misses: int = 5
    max_tracks: int = 400
    max_points: int = 250
    base_gate: float = 7.0
    first_gate: float = 14.0
    gravity_share: float = 0.8
    fit_points: int = 6
    """Observations (within ``fit_span`` seconds) from which on the prediction is fitted.

    With fewer, the last three observations give the velocity. A moving blob's centroid
    jitters by a few pixels (an object in front of a wall of its own brightness shows only
    the parts over the windows; a slow one only its leading edge), and a velocity from
    three such centroids sends the prediction off by more than the gate, so the track
    takes a raindrop or ends and the fall is broken into pieces that each fail."""
    fit_span: float = 0.4
    size_gate: float = 0.5
    """Gate widening per pixel of the blob's size (square root of its median area): a
    partly seen object's centroid lies up to half its size from the object's centre."""
    size_cost: float = 3.0
    """Pixels of distance one e-fold of area mismatch costs when blobs compete for a track.

    A tumbling object changes its blob area up to 3-fold, a raindrop or a noise speck
    next to it is ten times smaller: of two blobs inside the gate the one of the track's
    size is the object, even when the other lies a few pixels closer to the prediction."""
    min_points: int = 5
    history: float = 10.0
    """How long (s) ended tracks of two observations or more are remembered.

    The fall test asks what moved where a track began just before it began, and a
    track is judged only when it ends (up to ``max_points`` frames later)."""
    max_history: int = 50000


class Tracker:
    """Greedy nearest-neighbour association with a ballistic prediction."""

    def __init__(
        self,
        gravity_px: Callable[[float, float], float],
        config: TrackerConfig | None = None,
    ) -> None:
        self.config = config or TrackerConfig()
        self._gravity_px = gravity_px
        self._active: list[Track] = []
        self._ended: deque[Track] = deque(maxlen=self.config.max_history)
        self._next_id = 1

    @property
    def active(self) -> Sequence[Track]:
        """Return the tracks still being followed."""
        return self._active

    def _predict(self, track: Track, t: float) -> tuple[float, float, float, float]:
        """Return the predicted (x, y) at t, the gate and the track's typical blob area."""
        cfg = self.config
        area = _median(track.areas[-cfg.fit_points :])
        if len(track.times) == 1:
            return track.xs[0], track.ys[0], cfg.first_gate * (1 + track.misses), area
        gravity = self._gravity_px(track.xs[-1], track.ys[-1])
        fitted = self._fitted(track, t, gravity)
        if fitted is None:
            dt = t - track.times[-1]
            vx, vy = track.velocity()
            x = track.xs[-1] + vx * dt
            y = track.ys[-1] + vy * dt
            if vy > 0:
                y += 0.5 * cfg.gravity_share * gravity * dt * dt
        else:
            x, y, vx, vy, dt = fitted
        gate = (
            cfg.base_gate * (1 + 0.5 * track.misses)
            + 0.35 * math.hypot(vx, vy) * dt
            + cfg.size_gate * math.sqrt(area)
        )
        return x, y, gate, area

    def _fitted(
        self, track: Track, t: float, gravity: float
    ) -> tuple[float, float, float, float, float] | None:
        """Return (x, y, vx, vy, dt) at t from a fit of the recent observations.

        x is linear and y quadratic in time, the acceleration held within 1.5 g either
        way; None with too few recent observations.
        """
        cfg = self.config
        times = track.times
        start = len(times) - 1
        while start > 0 and times[-1] - times[start - 1] <= cfg.fit_span:
            start -= 1
        if len(times) - start < cfg.fit_points:
            return None
        tau = np.asarray(times[start:]) - times[-1]
        # At a high frame rate the observations may crowd into too short a span.
        if float(tau[0]) > -2.5 / max(cfg.fit_points, 1) * cfg.fit_span:
            return None
        design = np.column_stack([np.ones_like(tau), tau, tau * tau])
        xs = np.asarray(track.xs[start:])
        ys = np.asarray(track.ys[start:])
        (cx, bx), *_ = np.linalg.lstsq(design[:, :2], xs, rcond=None)
        (cy, by, ay), *_ = np.linalg.lstsq(design, ys, rcond=None)
        limit = 0.75 * gravity
        if not -limit <= ay <= limit:
            ay = max(-limit, min(limit, float(ay)))
            (cy, by), *_ = np.linalg.lstsq(
                design[:, :2], ys - ay * tau * tau, rcond=None
            )
        dt = t - times[-1]
        return (
            float(cx + bx * dt),
            float(cy + by * dt + ay * dt * dt),
            float(bx),
            float(by + 2 * ay * dt),
            dt,
        )

    def update(self, t: float, blobs: Sequence[Blob]) -> list[Track]:
        """Associate the blobs of time ``t``; return the tracks that just ended."""
        assigned_tracks: set[int] = set()
        assigned_blobs: set[int] = set()
        if self._active and blobs:
            predictions = np.array([self._predict(track, t) for track in self._active])
            positions = np.array([(b.x, b.y) for b in blobs])
            distance = np.hypot(
                predictions[:, 0:1] - positions[None, :, 0],
                predictions[:, 1:2] - positions[None, :, 1],
            )
            candidates = np.argwhere(distance <= predictions[:, 2:3])
            sizes = np.log(np.maximum([b.area for b in blobs], 1.0))
            typical = np.log(np.maximum(predictions[:, 3], 1.0))
            rows, cols = candidates[:, 0], candidates[:, 1]
            cost = distance[rows, cols] + self.config.size_cost * np.abs(
                sizes[cols] - typical[rows]
            )
            order = np.argsort(cost, kind="stable")
            for ti, bi in candidates[order]:
                if ti in assigned_tracks or bi in assigned_blobs:
                    continue
                assigned_tracks.add(int(ti))
                assigned_blobs.add(int(bi))
                track = self._active[ti]
                track.add(t, blobs[bi])
                track.trim(self.config.max_points)
        while self._ended and self._ended[0].times[-1] < t - self.config.history:
            self._ended.popleft()
        finished: list[Track] = []
        survivors: list[Track] = []
        for index, track in enumerate(self._active):
            if index not in assigned_tracks:
                track.misses += 1
                if track.misses > self.config.max_misses:
                    if len(track.times) >= self.config.min_points:
                        finished.append(track)
                    if len(track.times) >= 2:
                        self._ended.append(track)
                    continue
            survivors.append(track)
        for index, blob in enumerate(blobs):
            if index in assigned_blobs:
                continue
            track = Track(self._next_id)
            self._next_id += 1
            track.add(t, blob)
            survivors.append(track)
        if len(survivors) > self.config.max_tracks:
            survivors.sort(
                key=lambda tr: (len(tr.times) >= 3, tr.times[-1]), reverse=True
            )
            self._ended.extend(
                track
                for track in survivors[self.config.max_tracks :]
                if len(track.times) >= 2
            )
            survivors = survivors[: self.config.max_tracks]
        self._active = survivors
        return finished

    def ended_near(
        self, t: float, x: float, y: float, within: float, radius: float
    ) -> list[Track]:
        """Return remembered tracks that ended in the ``within`` seconds before t near (x, y).

        Near means within ``radius`` of where the track ended or of where it was heading:
        its last position carried on at its last velocity until t. A flyer the tracker
        lost keeps moving while it is not seen.
        """
        found: list[Track] = []
        for track in self._ended:
            if not t - within <= track.times[-1] < t:
                continue
            vx, vy = track.velocity()
            dt = t - track.times[-1]
            if (
                math.hypot(track.xs[-1] - x, track.ys[-1] - y) <= radius
                or math.hypot(track.xs[-1] + vx * dt - x, track.ys[-1] + vy * dt - y)
                <= radius
            ):
                found.append(track)
        return found

    def flush(self) -> list[Track]:
        """End every track (end of input); return those long enough to judge."""
        finished = [
            tr for tr in self._active if len(tr.times) >= self.config.min_points
        ]
        self._active = []
        return finished
