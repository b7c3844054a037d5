"""Evidence for each event: an annotated JPEG and a short clip from an in-memory ring buffer."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
import re

import cv2
import numpy as np
from numpy.typing import NDArray

from .facade import Facade
from .pipeline import FallEvent

type Image = NDArray[np.uint8]


class FrameRing:
    """The last few seconds of video as JPEG bytes, bounded in time and in memory."""

    def __init__(
        self, seconds: float, max_bytes: int = 96 * 1024 * 1024, quality: int = 75
    ) -> None:
        self.seconds = seconds
        self.max_bytes = max_bytes
        self.quality = quality
        self._frames: deque[tuple[float, bytes]] = deque()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._frames)

    @property
    def size_bytes(self) -> int:
        """Return the memory held by encoded frames."""
        return self._bytes

    def add(self, t: float, frame: Image) -> bytes:
        """Encode and keep a frame; drop what is too old or over the memory bound."""
        ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
        if not ok:
            msg = "JPEG encoding failed"
            raise ValueError(msg)
        encoded = data.tobytes()
        self._frames.append((t, encoded))
        self._bytes += len(encoded)
        while self._frames and (
            self._frames[0][0] < t - self.seconds or self._bytes > self.max_bytes
        ):
            _, old = self._frames.popleft()
            self._bytes -= len(old)
        return encoded

    def between(self, start: float, end: float) -> list[tuple[float, bytes]]:
        """Return the kept frames with start <= t <= end."""
        return [(t, data) for t, data in self._frames if start <= t <= end]

    def nearest(self, t: float) -> tuple[float, bytes] | None:
        """Return the kept frame closest to time t."""
        if not self._frames:
            return None
        return min(self._frames, key=lambda item: abs(item[0] - t))


def _decode(data: bytes) -> Image:
    return np.asarray(
        cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR),
        dtype=np.uint8,
    )


def annotate(frame: Image, event: FallEvent, facade: Facade) -> Image:
    """Draw the trajectory, the fitted release point and the candidate windows."""
    out = frame.copy()
    outline = np.round(facade.outline()).astype(np.int32)
    cv2.polylines(out, [outline], True, (200, 200, 200), 1, cv2.LINE_AA)
    for rank, candidate in enumerate(reversed(event.candidates)):
        polygon = np.round(
            facade.cell_polygon(candidate.window.floor, candidate.window.column)
        ).astype(np.int32)
        best = rank == len(event.candidates) - 1
        cv2.polylines(
            out,
            [polygon],
            True,
            (0, 0, 255) if best else (0, 220, 255),
            3 if best else 1,
            cv2.LINE_AA,
        )
    points = np.round(np.array([(x, y) for _, x, y in event.trajectory])).astype(
        np.int32
    )
    if len(points) > 1:
        cv2.polylines(out, [points], False, (0, 255, 0), 2, cv2.LINE_AA)
    for x, y in points:
        cv2.circle(out, (int(x), int(y)), 2, (0, 255, 0), -1)
    rx, ry = (round(v) for v in event.release_xy)
    cv2.drawMarker(out, (rx, ry), (0, 0, 255), cv2.MARKER_CROSS, 14, 2)
    text = f"{event.window.label}  {event.confidence:.0%}"
    scale = max(out.shape[1] / 1600, 0.5)
    anchor = (max(rx - 40, 5), max(ry - 20, 25))
    cv2.putText(
        out, text, anchor, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), 4, cv2.LINE_AA
    )
    cv2.putText(
        out,
        text,
        anchor,
        cv2.FONT_HERSHEY_SIMPLEX,
        scale,
        (255, 255, 255),
        1,
        cv2.LINE_AA,
    )
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


@dataclass(slots=True)
class _Clip:
    event_id: str
    path: Path
    until: float
    writer: cv2.VideoWriter
    last_t: float = -1e18


@dataclass(slots=True)
class EvidenceResult:
    """Where the evidence of an event was written."""

    snapshot: Path
    clip: Path


@dataclass
class EvidenceRecorder:
    """Keep a ring buffer and write evidence for events; nothing else is stored."""

    directory: Path
    facade: Facade
    fps: float
    pre_seconds: float = 3.0
    post_seconds: float = 3.0
    max_bytes: int = 96 * 1024 * 1024
    camera: str = "camera"
    ring: FrameRing = field(init=False)
    _clips: list[_Clip] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        # The ring must reach back from the moment an event is reported to before it began.
        self.ring = FrameRing(self.pre_seconds + 10.0, self.max_bytes)
        self.directory.mkdir(parents=True, exist_ok=True)

    def add(self, t: float, frame: Image) -> None:
        """Record a frame in the ring and in any clip still collecting its post-roll."""
        self.ring.add(t, frame)
        still: list[_Clip] = []
        for clip in self._clips:
            if t > clip.until:
                clip.writer.release()
                continue
            if t > clip.last_t:
                clip.writer.write(frame)
                clip.last_t = t
            still.append(clip)
        self._clips = still

    def record(self, event: FallEvent, event_id: str) -> EvidenceResult:
        """Write the annotated snapshot and start the clip of an event."""
        stem = _slug(
            f"{self.camera}-{event.start_time:.2f}-{event.window.label}-{event_id}"
        )
        snapshot = self.directory / f"{stem}.jpg"
        middle = (event.start_time + event.end_time) / 2
        nearest = self.ring.nearest(middle)
        if nearest is None:
            width, height = self.facade.image_size
            base = np.zeros((height, width, 3), dtype=np.uint8)
        else:
            base = _decode(nearest[1])
        cv2.imwrite(
            str(snapshot),
            annotate(base, event, self.facade),
            [cv2.IMWRITE_JPEG_QUALITY, 90],
        )
        clip_path = self.directory / f"{stem}.avi"
        height, width = base.shape[:2]
        writer = cv2.VideoWriter(
            str(clip_path), cv2.VideoWriter.fourcc(*"MJPG"), self.fps, (width, height)
        )
        clip = _Clip(event_id, clip_path, event.end_time + self.post_seconds, writer)
        for t, data in self.ring.between(
            event.start_time - self.pre_seconds, clip.until
        ):
            writer.write(_decode(data))
            clip.last_t = t
        self._clips.append(clip)
        return EvidenceResult(snapshot, clip_path)

    def close(self) -> None:
        """Finish every clip still open."""
        for clip in self._clips:
            clip.writer.release()
        self._clips = []
