"""Naive baseline: two-frame differencing, nearest-neighbour tracks, first point names the window."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from falling_objects.facade import Facade


@dataclass
class _Track:
    points: list[tuple[float, float, float]] = field(default_factory=list)
    misses: int = 0


class NaiveDetector:
    """What a first attempt looks like: no noise model, no physics, no extrapolation."""

    def __init__(
        self, facade: Facade, fps: float, threshold: int = 25, gate: float = 40.0
    ) -> None:
        self.facade = facade
        self.fps = fps
        self.threshold = threshold
        self.gate = gate
        self._previous: np.ndarray | None = None
        self._tracks: list[_Track] = []

    def process(self, frame: np.ndarray, t: float) -> list[Any]:
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        previous, self._previous = self._previous, gray
        if previous is None:
            return []
        if self.facade.image_size != (gray.shape[1], gray.shape[0]):
            self.facade = self.facade.scaled(gray.shape[1], gray.shape[0])
        _, binary = cv2.threshold(
            cv2.absdiff(gray, previous), self.threshold, 255, cv2.THRESH_BINARY
        )
        count, _, stats, centroids = cv2.connectedComponentsWithStats(
            binary, connectivity=8
        )
        blobs = [
            (float(centroids[i, 0]), float(centroids[i, 1]))
            for i in range(1, count)
            if stats[i, cv2.CC_STAT_AREA] <= 2000
        ][:200]
        return self._track(t, blobs)

    def _track(self, t: float, blobs: list[tuple[float, float]]) -> list[Any]:
        taken = np.zeros(len(blobs), dtype=bool)
        if blobs and self._tracks:
            last = np.array([tr.points[-1][1:] for tr in self._tracks])
            pos = np.array(blobs)
            distance = np.hypot(
                last[:, 0:1] - pos[None, :, 0], last[:, 1:2] - pos[None, :, 1]
            )
            for index, track in enumerate(self._tracks):
                row = np.where(taken, np.inf, distance[index])
                best = int(np.argmin(row))
                if row[best] <= self.gate:
                    track.points.append((t, *blobs[best]))
                    track.misses = 0
                    taken[best] = True
                else:
                    track.misses += 1
        else:
            for track in self._tracks:
                track.misses += 1
        self._tracks.extend(
            _Track([(t, x, y)])
            for (x, y), used in zip(blobs, taken, strict=True)
            if not used
        )
        done = [tr for tr in self._tracks if tr.misses > 2]
        self._tracks = [tr for tr in self._tracks if tr.misses <= 2][:300]
        return self._judge(done)

    def _judge(self, tracks: list[_Track]) -> list[Any]:
        from bench import Prediction

        events = []
        for track in tracks:
            if len(track.points) < 5:
                continue
            (t0, x0, y0), (t1, _, y1) = track.points[0], track.points[-1]
            if y1 - y0 < 30:
                continue
            cell = self.facade.cell_at_pixel(x0, y0)
            if cell is None:
                continue
            events.append(Prediction(t0, t1, cell.floor, cell.column, track.points))
        return events

    def flush(self) -> list[Any]:
        done, self._tracks = self._tracks, []
        return self._judge(done)
