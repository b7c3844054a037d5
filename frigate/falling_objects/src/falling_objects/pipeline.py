"""Frame-by-frame falling-object pipeline: motion, tracking, physics, localisation."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .detect import DetectorConfig, MotionDetector
from .facade import Facade, WindowCell
from .localize import Candidate, localize
from .physics import FallFit, PhysicsConfig, Verdict, blob_size, classify, residuals
from .track import Track, Tracker, TrackerConfig


@dataclass(slots=True)
class FallEvent:
    """One detected falling object."""

    start_time: float
    end_time: float
    window: WindowCell
    confidence: float
    candidates: tuple[Candidate, ...]
    trajectory: list[tuple[float, float, float]]
    release_xy: tuple[float, float]
    accel_ratio: float

    def as_json(self) -> dict[str, Any]:
        """Return the CLI / MQTT representation."""
        return {
            "start_time": round(self.start_time, 3),
            "end_time": round(self.end_time, 3),
            "window": self.window.as_dict(),
            "confidence": round(self.confidence, 4),
            "trajectory": [
                [round(t, 3), round(x, 1), round(y, 1)] for t, x, y in self.trajectory
            ],
            "candidates": [c.as_dict() for c in self.candidates],
        }


@dataclass(frozen=True, slots=True)
class PipelineConfig:
    """All tuning in one place."""

    detector: DetectorConfig = field(default_factory=DetectorConfig)
    tracker: TrackerConfig = field(default_factory=TrackerConfig)
    physics: PhysicsConfig = field(default_factory=PhysicsConfig)
    roi_margin: float = 0.35
    """How far around the facade (fraction of its size) motion is watched."""
    merge_gap: float = 0.8
    hold: float = 0.6
    max_simultaneous: int = 4
    """More accepted tracks than this at once is a swarm or rain, not a throw."""
    warmup: float | None = None
    """Seconds after the motion stage's first output before which a release cannot be
    trusted; None derives it from the earlier-flight rule.

    Something already moving when the stream starts has no observed release; its
    fall extrapolated back to before the first frame is a guess, and in practice it is
    an insect or a leaf caught mid-flight while the motion history is still empty. A
    release is vouched for by the earlier-flight rule, which needs ``prior_points``
    frames of watching before ``prior_margin`` ahead of the release: so by default a
    release must lie that long (0.45 s at 25 fps) after the first frame the motion
    stage reports on (distractor clip 127043: an insect followed from the first frames,
    its fall fitted to a release 0.43 s after them, too early for its flight before to
    count)."""
    prior_gap: float = 0.35
    """How soon (s) before a track's first observation an earlier track must have ended
    to count as the same thing, lost by the tracker for a few frames."""
    prior_radius_m: float = 1.5
    """How close (m) to the track's first observation that earlier track must end."""
    prior_links: int = 3
    """How many short pieces the earlier flight may be lost in before the track.

    An earlier track that began after the fitted release (less ``prior_margin``) is a
    piece of the same fall, or of the same flyer, that the tracker lost again: the
    search for an earlier flight goes on from where that piece began, up to this many
    pieces back, but within ``prior_gap`` of the track's first observation in all, so
    the flyer must still have been lost for no more than a few frames (distractor clip
    115023: an insect followed for a second ended 0.12 s before the dive began, but
    1.53 m from it; the 0.08 s between were a track of two observations of its own,
    which ended 0.5 m from the dive). A piece that began earlier is judged as the
    flight."""
    prior_flight_m: float = 1.0
    """How far (m) that earlier track may have moved before the fitted release.

    A dropped or thrown object rests in a hand or on a sill until its release, so
    nothing moves where it will be seen falling until the fit says it was let go. An
    insect or a leaf that dives was already flying there: the tracker lost it for a
    few frames when it changed course and picked it up again as a new track.

    Only observations more than ``prior_margin`` before the fitted release count
    (the release time is an extrapolation, and a throw starts with the arm moving),
    and at least ``prior_points`` of them: two or three blobs strung together across
    a gap are rain, noise or leaves, not a flight."""
    head_step: float = 0.2
    """Step (s) between the later starts at which a rejected track is judged again.

    A track can begin before the fall: on noise or a raindrop next to the window that the
    tracker followed until the object, let go there, took its place. The fall test fits
    the first 1.3 s of a track, which then is mostly that parked head. So a rejected track
    is judged again from later starts, up to ``head_limit`` seconds in; of the starts at
    which it passes, the one whose fit follows its observations most closely counts. The head that is left out falls under the same rule as an
    earlier track: a dropped object rests until its release, so a head that flew
    ``prior_flight_m`` or more before the release (an insect that was flying about and
    dived) rejects the fall."""
    head_limit: float = 2.0
    head_off_fall: float = 2.0
    """How far (in blob sizes) the head may lie, on median, off the fall after the release.

    A later start's fit says when and where the object was let go; from then on the
    object falls, so the track's own observations between that release and the later
    start must lie on the fall extrapolated back (a parked head of noise next to the
    window lies within the tracker's gate of it, a large object's centroid within its
    blob). An insect that flew about and then dived was elsewhere: the fall fitted to
    its dive, carried back, runs through empty facade while the same track shows the
    insect flying metres away (distractor clips 124042 and 122075: 5 and 9 blob sizes,
    3.4 and 6.8 m, on median). The later starts that passed on the real falls of object
    clips 70000-70099 lay 0.8 blob sizes off at most, but for one start of clip 70021
    (3.3 blob sizes, 1.7 m), whose fall another start found. Only heads of
    ``prior_points`` observations or more after the release, tracked densely
    (``prior_density``), count: a chain of hops from noise elsewhere onto the object is
    no flight (object clip 70078). The distance must also reach ``prior_flight_m``."""
    prior_margin: float = 0.25
    prior_points: int = 5
    prior_density: float = 0.6
    """Observed frames / frames spanned that those earlier observations need.

    A flyer is tracked frame after frame; a chain of blobs a few frames apart (rain
    streaks, noise, a bird's wing beats the tracker hopped between) is not one, and
    such a chain ending near a real object's release must not veto it (object clip
    30008: six observations in 0.72 s ended 1.4 m from where a bottle was let go)."""


def roi_polygon(facade: Facade, margin: float) -> NDArray[np.float64]:
    """Return the watched region: the facade widened and extended to the image bottom."""
    width, height = facade.image_size
    quad = facade.outline()
    center = quad.mean(axis=0)
    grown = center + (quad - center) * (1.0 + margin)
    top = min(float(grown[0, 1]), float(grown[1, 1]))
    top = max(top, 0.0)
    left = max(min(float(grown[0, 0]), float(grown[3, 0])), 0.0)
    right = min(max(float(grown[1, 0]), float(grown[2, 0])), width - 1.0)
    return np.array(
        [[left, top], [right, top], [right, height - 1.0], [left, height - 1.0]],
        dtype=np.float64,
    )


class FallingObjectPipeline:
    """Turn a stream of frames into falling-object events."""

    def __init__(
        self,
        facade: Facade,
        fps: float,
        width: int,
        height: int,
        config: PipelineConfig | None = None,
    ) -> None:
        self.config = config or PipelineConfig()
        self.facade = facade.scaled(width, height)
        self.fps = fps
        self.detector = MotionDetector(
            width,
            height,
            roi_polygon(self.facade, self.config.roi_margin),
            self.config.detector,
        )
        self.tracker = Tracker(self.facade.gravity_px, self.config.tracker)
        self._times: deque[float] = deque(maxlen=self.detector.delay + 1)
        self._pending: list[FallEvent] = []
        self._emitted: deque[FallEvent] = deque(maxlen=32)
        self._now = 0.0
        self._first: float | None = None
        """Time of the first frame the motion stage reported on."""
        self.rejected: list[tuple[Track, str]] = []
        self.keep_rejected = False

    def process(self, frame: NDArray[np.uint8], t: float) -> list[FallEvent]:
        """Feed one frame taken at time t (s); return events that are complete."""
        self._now = t
        self._times.append(t)
        blobs = self.detector.push(frame)
        if blobs is not None:
            if self._first is None:
                self._first = self._times[0]
            finished = self.tracker.update(self._times[0], blobs)
            self._judge(finished)
        return self._release(final=False)

    def flush(self) -> list[FallEvent]:
        """End of input: judge the open tracks and return every remaining event."""
        self._judge(self.tracker.flush())
        return self._release(final=True)

    def _classify(self, track: Track) -> tuple[Track, Verdict]:
        """Judge a track, and when it fails, the same track from later starts.

        Returns the part judged (the whole track when no later start passes) and its
        verdict. Of the later starts that pass, the one whose fit follows its
        observations most closely counts (a start too early fits part of the parked head
        into the parabola and misplaces the release); it is a fall only when the head it
        leaves out was at rest.
        """
        cfg = self.config
        verdict = classify(
            track.points, self.facade, cfg.physics, self.fps, track.areas
        )
        if verdict.falling:
            return track, verdict
        first = track.times[0]
        start = 0
        best: tuple[float, Track, Verdict] | None = None
        for step in range(1, math.floor(cfg.head_limit / cfg.head_step) + 1):
            while (
                start < len(track.times)
                and track.times[start] < first + step * cfg.head_step - 1e-9
            ):
                start += 1
            if len(track.times) - start < cfg.physics.min_points:
                break
            tail = track.tail(start)
            found = classify(
                tail.points, self.facade, cfg.physics, self.fps, tail.areas
            )
            fit = found.fit
            if found.falling and fit is not None:
                head = track.points[:start]
                if self._flew(head, fit, tail.xs[0], tail.ys[0], own_head=True):
                    found = Verdict(False, "was flying before its release", fit)
                elif self._off_fall(head, fit, tail):
                    found = Verdict(False, "was elsewhere after its release", fit)
                rms = math.hypot(fit.rms_x, fit.rms_y)
                if best is None or rms < best[0]:
                    best = (rms, tail, found)
        if best is not None:
            return best[1], best[2]
        return track, verdict

    def _judge(self, tracks: list[Track]) -> None:
        accepted: list[FallEvent] = []
        for whole in tracks:
            track, verdict = self._classify(whole)
            if not verdict.falling or verdict.fit is None:
                if self.keep_rejected:
                    self.rejected.append((track, verdict.reason))
                continue
            if self._flew_in(whole, verdict.fit):
                if self.keep_rejected:
                    self.rejected.append((track, "was flying before its release"))
                continue
            where = localize(verdict.fit, self.facade)
            if where is None:
                continue
            if (
                self._first is not None
                and where.release_time < self._first + self._warmup()
            ):
                if self.keep_rejected:
                    self.rejected.append((track, "released before the stream started"))
                continue
            accepted.append(
                FallEvent(
                    start_time=where.release_time,
                    end_time=track.times[-1],
                    window=where.best.window,
                    confidence=where.best.probability,
                    candidates=where.candidates,
                    trajectory=verdict.points,
                    release_xy=where.release_xy,
                    accel_ratio=verdict.fit.accel_ratio,
                )
            )
        if len(accepted) > self.config.max_simultaneous:
            return
        for event in accepted:
            self._merge(event)

    def _warmup(self) -> float:
        """Return how long after the first reported frame a release can be trusted."""
        cfg = self.config
        if cfg.warmup is not None:
            return cfg.warmup
        return cfg.prior_margin + cfg.prior_points / self.fps

    def _flew_in(self, track: Track, fit: FallFit) -> bool:
        """Return whether the object was already moving about before its release.

        ``track`` is the whole track, also when a later start of it was judged: its head
        is the same object, followed into the fall, so an earlier flight is looked for
        where and when the whole track began (distractor clip 129059: an insect lost for
        a frame and picked up again as a new track, which passed the fall test only from
        a second in; looked for near that later start, the flight had ended too long
        before to count).
        """
        cfg = self.config
        x0, y0 = track.xs[0], track.ys[0]
        starts = [track]
        visited = {track.id}
        for _ in range(cfg.prior_links + 1):
            pieces: list[Track] = []
            for start in starts:
                t0, x, y = start.times[0], start.xs[0], start.ys[0]
                per_m_v = self.facade.pixels_per_metre(x, y)[0]
                # One time budget for the whole way back, however many pieces.
                within = cfg.prior_gap - (track.times[0] - t0)
                for prior in self.tracker.ended_near(
                    t0, x, y, within, cfg.prior_radius_m * per_m_v
                ):
                    if prior.id in visited:
                        continue
                    visited.add(prior.id)
                    if self._flew(prior.points, fit, x0, y0):
                        return True
                    if prior.times[0] >= fit.release_time - cfg.prior_margin:
                        pieces.append(prior)
            if not pieces:
                break
            starts = pieces
        return False

    def _off_fall(
        self, head: list[tuple[float, float, float]], fit: FallFit, tail: Track
    ) -> bool:
        """Return whether the head after the fitted release lies off the fall."""
        cfg = self.config
        after = [p for p in head if p[0] >= fit.release_time]
        if len(after) < cfg.prior_points or not self._dense(
            len(after), after[-1][0] - after[0][0]
        ):
            return False
        off = float(np.median(residuals(fit, np.asarray(after, dtype=np.float64))))
        per_m = self.facade.pixels_per_metre(tail.xs[0], tail.ys[0])[0]
        return off > max(
            cfg.head_off_fall * blob_size(tail.areas), cfg.prior_flight_m * per_m
        )

    def _dense(self, count: int, span: float) -> bool:
        """Return whether ``count`` observations in ``span`` s fill enough frames."""
        return count >= self.config.prior_density * (span * self.fps + 1)

    def _flew(
        self,
        prior: list[tuple[float, float, float]],
        fit: FallFit,
        x0: float,
        y0: float,
        own_head: bool = False,
    ) -> bool:
        """Return whether observations before a fall show flight before its release.

        Only observations more than ``prior_margin`` before the fitted release count;
        they must be ``prior_points`` or more, tracked densely (``prior_density``), and
        span ``prior_flight_m`` or more on the facade (scale taken at (x0, y0)).

        ``own_head`` says the observations are the start of the fall's own track, which
        the tracker followed into the fall: then only their longest recent stretch that
        is tracked densely counts (distractor clip 121034: an insect tracked now and then
        for 0.6 s, then frame after frame for 0.9 s, before it dived). An earlier track is
        linked to the fall only by where and when it ended, so it must be a flight
        throughout (object clip 70048: an insect that crossed the view towards the window,
        tracked densely over its last 0.5 s only, ended 0.28 s before a ball was let go
        there).
        """
        cfg = self.config
        before = [p for p in prior if p[0] < fit.release_time - cfg.prior_margin]
        # Where the densely tracked stretch may begin: anywhere for the fall's own head
        # (the tracker may have picked the flyer up now and then before it locked on to
        # it; the longest such stretch counts), only at the start for an earlier track.
        starts = range(len(before) if own_head else min(len(before), 1))
        first = next(
            (
                i
                for i in starts
                if self._dense(len(before) - i, before[-1][0] - before[i][0])
            ),
            None,
        )
        if first is None or len(before) - first < cfg.prior_points:
            return False
        before = before[first:]
        per_m_v, per_m_h = self.facade.pixels_per_metre(x0, y0)
        xs = [x for _, x, _ in before]
        ys = [y for _, _, y in before]
        flight = math.hypot(
            (max(xs) - min(xs)) / per_m_h, (max(ys) - min(ys)) / per_m_v
        )
        return flight >= cfg.prior_flight_m

    def _same(self, event: FallEvent, other: FallEvent) -> bool:
        per_floor, per_column = self.facade.pixels_per_cell(*event.release_xy)
        overlap = (
            event.start_time <= other.end_time + self.config.merge_gap
            and other.start_time <= event.end_time + self.config.merge_gap
        )
        near = (
            abs(event.release_xy[1] - other.release_xy[1]) <= 1.5 * per_floor
            and abs(event.release_xy[0] - other.release_xy[0]) <= 1.5 * per_column
        )
        first, last = (
            (other, event) if other.start_time <= event.start_time else (event, other)
        )
        gap = last.trajectory[0][0] - first.trajectory[-1][0]
        dx = last.trajectory[0][1] - first.trajectory[-1][1]
        dy = last.trajectory[0][2] - first.trajectory[-1][2]
        continued = (
            -0.2 <= gap <= self.config.merge_gap
            and abs(dx) <= per_column
            and -5.0 <= dy <= 3 * per_floor
        )
        return overlap and (near or continued)

    def _merge(self, event: FallEvent) -> None:
        if any(self._same(event, done) for done in self._emitted):
            return
        for other in self._pending:
            if self._same(event, other):
                keep, drop = (
                    (other, event)
                    if len(other.trajectory) >= len(event.trajectory)
                    else (event, other)
                )
                keep.trajectory = sorted({*keep.trajectory, *drop.trajectory})
                keep.start_time = min(keep.start_time, drop.start_time)
                keep.end_time = max(keep.end_time, drop.end_time)
                if keep is event:
                    self._pending.remove(other)
                    self._pending.append(event)
                return
        self._pending.append(event)

    def _release(self, final: bool) -> list[FallEvent]:
        if final:
            ready, self._pending = self._pending, []
        else:
            horizon = (
                self._now - self.config.hold - self.detector.delay / max(self.fps, 1.0)
            )
            ready = [e for e in self._pending if e.end_time < horizon]
            self._pending = [e for e in self._pending if e.end_time >= horizon]
        ready.sort(key=lambda e: e.start_time)
        self._emitted.extend(ready)
        return ready
