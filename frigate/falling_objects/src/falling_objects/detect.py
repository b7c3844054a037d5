"""Small moving-blob extraction robust to sky, flicker, noise and swaying vegetation."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

type Image = NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Blob:
    """A moving blob in full-resolution pixel coordinates."""

    x: float
    y: float
    area: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class DetectorConfig:
    """Tuning of the motion stage."""

    scale: int | None = None
    """Downscale factor for the motion stage; None picks 2 above 1000 px width."""
    gap: int = 2
    """Frames between the compared frames of the three-frame difference."""
    min_threshold: float = 9.0
    noise_factor: float = 5.0
    activity_rate: float = 0.01
    activity_limit: float = 0.25
    activity_block: int = 16
    """Side of the blocks (full-resolution pixels) over which activity is counted."""
    max_blob_area: float = 4000.0
    max_foreground: float = 0.05
    noise_interval: int = 15


class MotionDetector:
    """Three-frame differencing on a downscaled, gain-normalised facade region.

    A pixel is foreground when the middle frame differs from both the frame ``gap``
    before and the frame ``gap`` after it, so moving objects appear once (no ghost)
    and slow changes (clouds, shadows, dusk) cancel. Global flicker is removed by
    matching mean brightness, the threshold follows the measured noise, and pixels
    that are foreground too often (leaves, flags, water) are masked.
    """

    def __init__(
        self,
        width: int,
        height: int,
        roi: NDArray[np.float64] | None = None,
        config: DetectorConfig | None = None,
    ) -> None:
        self.config = config or DetectorConfig()
        self.scale = self.config.scale or (2 if width > 1000 else 1)
        self.width = width
        self.height = height
        sw, sh = width // self.scale, height // self.scale
        self._small_size = (sw, sh)
        mask = np.zeros((sh, sw), dtype=np.uint8)
        if roi is None:
            mask[:] = 255
        else:
            polygon = np.round(np.asarray(roi, dtype=np.float64) / self.scale).astype(
                np.int32
            )
            cv2.fillPoly(mask, [polygon], 255)
        ys, xs = np.nonzero(mask)
        if len(xs) == 0:
            msg = "the facade region does not overlap the frame"
            raise ValueError(msg)
        self._x0, self._x1 = int(xs.min()), int(xs.max()) + 1
        self._y0, self._y1 = int(ys.min()), int(ys.max()) + 1
        self._mask = np.ascontiguousarray(
            mask[self._y0 : self._y1, self._x0 : self._x1]
        )
        self._roi_pixels = float(np.count_nonzero(self._mask))
        self._frames: deque[Image] = deque(maxlen=2 * self.config.gap + 1)
        self._means: deque[float] = deque(maxlen=2 * self.config.gap + 1)
        block = self._block = max(4, self.config.activity_block // self.scale)
        mh, mw = self._mask.shape
        self._coarse_size = (max(1, -(-mw // block)), max(1, -(-mh // block)))
        self._padded = (self._coarse_size[1] * block, self._coarse_size[0] * block)
        self._activity = np.zeros(
            (self._coarse_size[1], self._coarse_size[0]), dtype=np.float32
        )
        self._quiet = np.full(self._mask.shape, 255, dtype=np.uint8)
        self._busy = np.zeros(self._padded, dtype=np.uint8)
        self._threshold = self.config.min_threshold
        self._count = 0
        self._kernel = np.ones((3, 3), dtype=np.uint8)

    @property
    def delay(self) -> int:
        """Return how many frames the blobs lag behind the last pushed frame."""
        return self.config.gap

    @property
    def threshold(self) -> float:
        """Return the current foreground threshold (grey levels)."""
        return self._threshold

    def _prepare(self, frame: Image) -> Image:
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
        if self.scale > 1:
            gray = cv2.resize(gray, self._small_size, interpolation=cv2.INTER_AREA)
        return np.ascontiguousarray(gray[self._y0 : self._y1, self._x0 : self._x1])

    def _matched(self, frame: Image, mean: float, target: float) -> Image:
        ratio = target / max(mean, 1.0)
        if abs(ratio - 1.0) < 0.01:
            return frame
        return np.asarray(cv2.convertScaleAbs(frame, alpha=ratio), dtype=np.uint8)

    def push(self, frame: Image) -> list[Blob] | None:
        """Add a frame; return the blobs of the frame ``delay`` frames ago (None at start)."""
        small = self._prepare(frame)
        self._frames.append(small)
        self._means.append(float(cv2.mean(small[::4, ::4])[0]))
        self._count += 1
        if len(self._frames) < self._frames.maxlen:  # type: ignore[operator]
            return None
        gap = self.config.gap
        middle = self._frames[gap]
        target = self._means[gap]
        before = self._matched(self._frames[0], self._means[0], target)
        after = self._matched(self._frames[-1], self._means[-1], target)
        diff_before = cv2.absdiff(middle, before)
        diff = cv2.min(diff_before, cv2.absdiff(middle, after))
        if self._count % self.config.noise_interval == 0 or self._count == len(
            self._frames
        ):
            sample = diff_before[::3, ::3][self._mask[::3, ::3] > 0]
            if sample.size:
                sigma = 1.4826 * float(np.median(sample))
                self._threshold = max(
                    self.config.min_threshold, self.config.noise_factor * sigma
                )
        _, thresholded = cv2.threshold(diff, self._threshold, 255, cv2.THRESH_BINARY)
        binary = np.asarray(cv2.bitwise_and(thresholded, self._mask), dtype=np.uint8)
        self._update_activity(binary)
        binary = np.asarray(cv2.bitwise_and(binary, self._quiet), dtype=np.uint8)
        if cv2.countNonZero(binary) > self.config.max_foreground * self._roi_pixels:
            return []
        # Join fragments of one object split by a single dark pixel.
        return self._blobs(np.asarray(cv2.dilate(binary, self._kernel), dtype=np.uint8))

    def _update_activity(self, binary: Image) -> None:
        """Count, per block, how often it holds foreground; mask blocks that are always busy.

        A falling object crosses a block in a few frames; leaves, flags and water keep
        one busy most of the time. The mask used for this frame is the previous one.
        """
        mh, mw = binary.shape
        self._busy[:mh, :mw] = binary
        block = self._block
        coarse = self._busy.reshape(
            self._coarse_size[1], block, self._coarse_size[0], block
        ).max(axis=(1, 3))
        seen = self._count - len(self._frames) + 1
        # Behave like a history of 20 quiet frames at start, then like a running average.
        rate = max(self.config.activity_rate, 1.0 / (seen + 20))
        cv2.accumulateWeighted(coarse, self._activity, rate)
        quiet = np.where(
            self._activity < 255.0 * self.config.activity_limit, 255, 0
        ).astype(np.uint8)
        full = np.repeat(np.repeat(quiet, block, axis=0), block, axis=1)
        self._quiet = np.ascontiguousarray(full[:mh, :mw])

    def _blobs(self, binary: Image) -> list[Blob]:
        count, _, stats, centroids = cv2.connectedComponentsWithStats(
            binary, connectivity=8
        )
        if count <= 1:
            return []
        s = float(self.scale)
        offset_x = self._x0 * s + (s - 1) / 2
        offset_y = self._y0 * s + (s - 1) / 2
        area = stats[1:, cv2.CC_STAT_AREA].astype(np.float64) * s * s
        keep = area <= self.config.max_blob_area
        xs = centroids[1:, 0] * s + offset_x
        ys = centroids[1:, 1] * s + offset_y
        widths = stats[1:, cv2.CC_STAT_WIDTH] * s
        heights = stats[1:, cv2.CC_STAT_HEIGHT] * s
        return [
            Blob(
                float(xs[i]),
                float(ys[i]),
                float(area[i]),
                float(widths[i]),
                float(heights[i]),
            )
            for i in np.nonzero(keep)[0]
        ]
