"""Nearest-neighbour tracking of small blobs with a gravity-aware prediction."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
import math

import numpy as np

from .detect import Blob


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

    def _predict(self, track: Track, t: float) -> tuple[float, float, float]:
        dt = t - track.times[-1]
        vx, vy = track.velocity()
        x = track.xs[-1] + vx * dt
        y = track.ys[-1] + vy * dt
        if len(track.times) >= 2 and vy > 0:
            y += (
                0.5
                * self.config.gravity_share
                * self._gravity_px(track.xs[-1], track.ys[-1])
                * dt
                * dt
            )
        if len(track.times) == 1:
            gate = self.config.first_gate * (1 + track.misses)
        else:
            gate = (
                self.config.base_gate * (1 + 0.5 * track.misses)
                + 0.35 * math.hypot(vx, vy) * dt
            )
        return x, y, gate

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
            order = np.argsort(
                distance[candidates[:, 0], candidates[:, 1]], kind="stable"
            )
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
