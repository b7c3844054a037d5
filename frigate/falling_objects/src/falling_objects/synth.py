"""Deterministic synthetic facade scenes with thrown objects, distractors and ground truth."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
import json
import math
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
import yaml

from .facade import GRAVITY, Facade, facade_to_dict

type Image = NDArray[np.uint8]

DISTRACTORS = (
    "birds",
    "leaves",
    "rain",
    "insects",
    "clouds",
    "trees",
    "flicker",
    "noise",
    "compression",
)
SHAPES = ("circle", "square", "bar", "blob")


@dataclass(slots=True)
class ThrownObject:
    """An object released from a window, simulated in facade metres."""

    floor: int
    column: int
    label: str
    release_time: float
    size_px: float
    shape: str
    grey: int
    terminal_velocity: float
    x0: float
    y0: float
    vx0: float
    vy0: float
    spin: float
    track: dict[int, tuple[float, float]] = field(default_factory=dict)
    end_time: float = 0.0


@dataclass(slots=True)
class _Mover:
    """A distractor sprite with its own motion law."""

    kind: str
    x: float
    y: float
    vx: float
    vy: float
    size: float
    grey: int
    phase: float
    freq: float
    amp: float


def _smooth_noise(
    rng: np.random.Generator, shape: tuple[int, int], cells: int
) -> NDArray[np.float32]:
    coarse = rng.random((max(2, shape[0] // cells), max(2, shape[1] // cells))).astype(
        np.float32
    )
    return np.asarray(
        cv2.resize(coarse, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC),
        dtype=np.float32,
    )


class Scene:
    """One generated clip: a facade, optional thrown objects and distractors."""

    def __init__(
        self,
        seed: int,
        width: int = 1280,
        height: int = 720,
        fps: float = 25.0,
        objects: int = 1,
        distractors: tuple[str, ...] | None = None,
        duration: float | None = None,
        night: bool | None = None,
        size_range: tuple[float, float] = (3.0, 14.0),
        facade: Facade | None = None,
    ) -> None:
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        rng = self.rng
        self.width, self.height, self.fps = width, height, fps
        self.night = bool(rng.random() < 0.2) if night is None else night
        if distractors is None:
            distractors = tuple(d for d in DISTRACTORS if rng.random() < 0.5)
        self.distractors = distractors
        if facade is None:
            self._build_facade()
        else:
            self.facade = facade.scaled(width, height)
            self.floors, self.columns = facade.floors, facade.columns
            self.building = facade.building
            self.floor_height_m = facade.floor_height_m
        self._render_static()
        self.objects: list[ThrownObject] = [
            self._make_object(i, size_range) for i in range(objects)
        ]
        for obj in self.objects:
            self._simulate(obj)
        last = max((o.end_time for o in self.objects), default=0.0)
        self.duration = duration if duration is not None else max(last + 0.8, 3.0)
        self.frame_count = round(self.duration * fps)
        self._setup_distractors()

    # Geometry -----------------------------------------------------------------------

    def _build_facade(self) -> None:
        rng, w, h = self.rng, self.width, self.height
        self.floors = int(rng.integers(10, 21))
        self.columns = int(rng.integers(6, 16))
        self.building = str(int(rng.integers(1, 30)))
        top = h * rng.uniform(0.04, 0.12)
        bottom = h * rng.uniform(0.86, 0.97)
        half_bottom = w * rng.uniform(0.28, 0.42)
        half_top = half_bottom * rng.uniform(0.82, 0.98)
        cx = w * rng.uniform(0.45, 0.55)
        shift = w * rng.uniform(-0.02, 0.02)
        corners = (
            (cx - half_top + shift, top),
            (cx + half_top + shift, top),
            (cx + half_bottom, bottom),
            (cx - half_bottom, bottom),
        )
        self.floor_height_m = 3.0
        px_per_floor_bottom = (bottom - top) / self.floors
        px_per_column_bottom = 2 * half_bottom / self.columns
        column_width = round(
            px_per_column_bottom / px_per_floor_bottom * self.floor_height_m, 3
        )
        self.facade = Facade(
            building=self.building,
            camera="synthetic",
            image_size=(w, h),
            floor_height_m=self.floor_height_m,
            column_width_m=column_width,
            floors=self.floors,
            columns=self.columns,
            bottom_floor=1,
            first_column=1,
            label_format="{building}-{floor}-{column:02d}",
            labels=(),
            corners=corners,
        )

    def _metres_to_pixel(self, x_m: float, y_m: float) -> tuple[float, float]:
        """Map facade metres (x from the left edge, y down from the top edge) to pixels."""
        return self.facade.grid_to_pixel(
            y_m / self.floor_height_m, x_m / self.facade.column_width_m
        )

    # Static rendering ---------------------------------------------------------------

    def _render_static(self) -> None:
        rng, w, h = self.rng, self.width, self.height
        night = self.night
        sky = np.zeros((h, w, 3), dtype=np.float32)
        ramp = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
        top_colour = np.array(
            [40, 25, 20] if night else [210, 160, 110], dtype=np.float32
        )
        low_colour = np.array(
            [70, 50, 40] if night else [240, 215, 190], dtype=np.float32
        )
        sky[:] = (
            top_colour * (1 - ramp[..., None]) + low_colour * ramp[..., None]
        ).reshape(h, 1, 3)
        self._sky_base = sky.astype(np.uint8)
        # Facade texture in grid space, then warped into the image.
        cell = 40
        tex_w, tex_h = self.columns * cell, self.floors * cell
        wall = np.array(
            [rng.uniform(30, 60)] * 3
            if night
            else [rng.uniform(120, 200), rng.uniform(130, 200), rng.uniform(140, 210)],
            dtype=np.float64,
        )
        texture = np.empty((tex_h, tex_w, 3), dtype=np.uint8)
        texture[:] = wall.astype(np.uint8)
        grain = (_smooth_noise(rng, (tex_h, tex_w), 6) - 0.5) * (8 if night else 20)
        texture = np.clip(texture.astype(np.float32) + grain[..., None], 0, 255).astype(
            np.uint8
        )
        for r in range(self.floors):
            cv2.line(
                texture, (0, r * cell), (tex_w, r * cell), (wall * 0.8).tolist(), 1
            )
            for c in range(self.columns):
                x0, y0 = c * cell + int(cell * 0.22), r * cell + int(cell * 0.25)
                x1, y1 = c * cell + int(cell * 0.78), r * cell + int(cell * 0.72)
                lit = night and rng.random() < 0.3
                glass = (
                    [
                        rng.uniform(120, 200),
                        rng.uniform(180, 230),
                        rng.uniform(200, 250),
                    ]
                    if lit
                    else [
                        rng.uniform(20, 90),
                        rng.uniform(30, 100),
                        rng.uniform(30, 110),
                    ]
                )
                cv2.rectangle(texture, (x0, y0), (x1, y1), glass, -1)
                cv2.rectangle(texture, (x0, y0), (x1, y1), (wall * 0.6).tolist(), 1)
        src = np.array(
            [[0, 0], [tex_w, 0], [tex_w, tex_h], [0, tex_h]], dtype=np.float32
        )
        dst = np.array(self.facade.corners, dtype=np.float32)
        matrix = cv2.getPerspectiveTransform(src, dst)
        warped = cv2.warpPerspective(texture, matrix, (w, h), flags=cv2.INTER_AREA)
        mask = np.zeros((h, w), dtype=np.uint8)
        cv2.fillPoly(mask, [np.round(dst).astype(np.int32)], 255)
        bottom = int(max(dst[2, 1], dst[3, 1]))
        ground_colour = (40, 45, 40) if night else (90, 110, 100)
        self._static_sky_mask = cv2.bitwise_not(mask)
        self._static_sky_mask[bottom:, :] = 0
        base = self._sky_base.copy()
        base[bottom:, :] = ground_colour
        cv2.copyTo(warped, mask, base)
        self.static = base
        self.facade_mask = mask

    # Objects ------------------------------------------------------------------------

    def _make_object(self, index: int, size_range: tuple[float, float]) -> ThrownObject:
        rng = self.rng
        lowest = min(3, self.floors)
        floor = int(rng.integers(lowest, self.floors + 1))
        column = int(rng.integers(1, self.columns + 1))
        row = self.floors - floor
        cw = self.facade.column_width_m
        x0 = (column - 1 + 0.5 + rng.uniform(-0.25, 0.25)) * cw
        y0 = (row + 1) * self.floor_height_m - rng.uniform(1.0, 2.0)
        throw = rng.random() < 0.5
        vx0 = rng.uniform(-2.5, 2.5) if throw else rng.uniform(-0.3, 0.3)
        vy0 = -rng.uniform(0.0, 3.0) if throw else 0.0
        release = rng.uniform(0.8, 1.6) + index * rng.uniform(1.0, 3.0)
        px, py = self._metres_to_pixel(x0, y0)
        local = int(
            self.static[
                min(max(int(py), 0), self.height - 1),
                min(max(int(px), 0), self.width - 1),
            ].mean()
        )
        contrast = int(rng.uniform(40, 120))
        grey = (
            local + contrast
            if (rng.random() < 0.5 and local + contrast <= 255) or local - contrast < 0
            else local - contrast
        )
        return ThrownObject(
            floor=floor,
            column=column,
            label=self.facade.label(floor, column),
            release_time=release,
            size_px=float(rng.uniform(*size_range)),
            shape=str(rng.choice(SHAPES)),
            grey=int(np.clip(grey, 0, 255)),
            terminal_velocity=float(rng.uniform(15.0, 60.0)),
            x0=x0,
            y0=y0,
            vx0=vx0,
            vy0=vy0,
            spin=float(rng.uniform(-8, 8)),
        )

    def _simulate(self, obj: ThrownObject) -> None:
        """Integrate ballistic motion with quadratic drag, sampled at each frame."""
        k = GRAVITY / obj.terminal_velocity**2
        x, y, vx, vy = obj.x0, obj.y0, obj.vx0, obj.vy0
        ground = self.floors * self.floor_height_m
        steps = 8
        dt = 1.0 / (self.fps * steps)
        frame = math.ceil(obj.release_time * self.fps)
        t = obj.release_time
        # Advance to the first frame after the release.
        while t < frame / self.fps:
            step = min(dt, frame / self.fps - t)
            speed = math.hypot(vx, vy)
            vx, vy = vx - k * speed * vx * step, vy + (GRAVITY - k * speed * vy) * step
            x, y, t = x + vx * step, y + vy * step, t + step
        while y < ground:
            px, py = self._metres_to_pixel(x, y)
            if not (0 <= px < self.width and 0 <= py < self.height):
                break
            obj.track[frame] = (px, py)
            for _ in range(steps):
                speed = math.hypot(vx, vy)
                vx, vy = vx - k * speed * vx * dt, vy + (GRAVITY - k * speed * vy) * dt
                x, y = x + vx * dt, y + vy * dt
            frame += 1
        obj.end_time = frame / self.fps

    # Distractors --------------------------------------------------------------------

    def _setup_distractors(self) -> None:
        rng, w, h = self.rng, self.width, self.height
        d = self.distractors
        self.movers: list[_Mover] = []
        if "birds" in d:
            for _ in range(int(rng.integers(1, 5))):
                direction = 1 if rng.random() < 0.5 else -1
                self.movers.append(
                    _Mover(
                        "bird",
                        x=-20.0 if direction > 0 else w + 20.0,
                        y=h * rng.uniform(0.05, 0.8),
                        vx=direction * w * rng.uniform(0.08, 0.35),
                        vy=-h * rng.uniform(0.0, 0.12),
                        size=rng.uniform(4, 16),
                        grey=int(rng.uniform(10, 60)),
                        phase=rng.uniform(0, 6.28),
                        freq=rng.uniform(3, 8),
                        amp=rng.uniform(1, 4),
                    )
                )
                self.movers[-1].x += self.movers[-1].vx * rng.uniform(-2.0, 0.0)
        if "leaves" in d:
            for _ in range(int(rng.integers(2, 8))):
                self.movers.append(
                    _Mover(
                        "leaf",
                        x=w * rng.uniform(0.1, 0.9),
                        y=h * rng.uniform(-0.1, 0.7),
                        vx=rng.uniform(-20, 20),
                        vy=h * rng.uniform(0.02, 0.06),
                        size=rng.uniform(4, 10),
                        grey=int(rng.uniform(40, 120)),
                        phase=rng.uniform(0, 6.28),
                        freq=rng.uniform(0.6, 1.8),
                        amp=rng.uniform(8, 30),
                    )
                )
        if "insects" in d:
            for _ in range(int(rng.integers(1, 4))):
                self.movers.append(
                    _Mover(
                        "insect",
                        x=w * rng.uniform(0.2, 0.8),
                        y=h * rng.uniform(0.2, 0.8),
                        vx=rng.uniform(-150, 150),
                        vy=rng.uniform(-150, 150),
                        size=rng.uniform(3, 9),
                        grey=int(rng.uniform(10, 80)),
                        phase=0.0,
                        freq=0.0,
                        amp=rng.uniform(200, 600),
                    )
                )
        self.rain: NDArray[np.float64] | None = None
        if "rain" in d:
            count = int(rng.integers(40, 160))
            self.rain = np.column_stack(
                [
                    rng.uniform(0, w, count),
                    rng.uniform(0, h, count),
                    rng.uniform(8, 24, count),
                ]
            )
            self.rain_velocity = (rng.uniform(-4, 4), h * rng.uniform(0.03, 0.06))
        self.trees: list[tuple[float, float, float, float, float]] = []
        if "trees" in d:
            for side in (0.0, 1.0):
                for _ in range(int(rng.integers(4, 9))):
                    self.trees.append(
                        (
                            abs(side * w - rng.uniform(0, w * 0.2)),
                            h * rng.uniform(0.72, 0.98),
                            rng.uniform(20, 60),
                            rng.uniform(0.3, 1.2),
                            rng.uniform(0, 6.28),
                        )
                    )
        self.cloud_speed = rng.uniform(0.3, 2.0) if "clouds" in d else 0.0
        if self.cloud_speed:
            layer = _smooth_noise(rng, (h, w * 2), 90)
            layer = np.clip((layer - 0.45) * 3.0, 0, 1)
            cloud_grey = 90.0 if self.night else 250.0
            base = self._sky_base.astype(np.float32)
            mixed = (
                base.repeat(2, axis=1) * (1 - layer[..., None])
                + cloud_grey * layer[..., None]
            )
            self._clouds = np.clip(mixed, 0, 255).astype(np.uint8)
        self.flicker = float(rng.uniform(0.02, 0.06)) if "flicker" in d else 0.0
        self.drift = float(rng.uniform(-0.12, 0.12)) if "flicker" in d else 0.0
        sigma = rng.uniform(4.0, 8.0) if self.night else rng.uniform(1.5, 4.0)
        self.noise_sigma = float(sigma) if "noise" in d or self.night else 0.0
        self._noise_bank: list[tuple[Image, Image]] = []
        if self.noise_sigma:
            for _ in range(5):
                n = rng.normal(0.0, self.noise_sigma, (h, w, 1)).astype(np.float32)
                n = np.repeat(n, 3, axis=2)
                self._noise_bank.append(
                    (
                        np.clip(n, 0, 255).astype(np.uint8),
                        np.clip(-n, 0, 255).astype(np.uint8),
                    )
                )
        self.jpeg_quality = int(rng.uniform(35, 70)) if "compression" in d else 0
        self._last_noise = -1

    # Frames -------------------------------------------------------------------------

    def _draw_object(
        self, frame: Image, obj: ThrownObject, px: float, py: float, t: float
    ) -> None:
        r = obj.size_px / 2
        colour = (obj.grey, obj.grey, obj.grey)
        angle = obj.spin * (t - obj.release_time)
        if obj.shape == "circle":
            cv2.circle(
                frame,
                (round(px * 16), round(py * 16)),
                max(1, round(r * 16)),
                colour,
                -1,
                cv2.LINE_AA,
                4,
            )
            return
        if obj.shape == "square":
            half = (r * 0.9, r * 0.9)
        elif obj.shape == "bar":
            half = (r * 1.3, r * 0.45)
        else:
            half = (r, r * 0.7)
        ca, sa = math.cos(angle), math.sin(angle)
        corners = [
            (-half[0], -half[1]),
            (half[0], -half[1]),
            (half[0], half[1]),
            (-half[0], half[1]),
        ]
        pts = np.array(
            [
                [round((px + ca * u - sa * v) * 16), round((py + sa * u + ca * v) * 16)]
                for u, v in corners
            ],
            dtype=np.int32,
        )
        cv2.fillPoly(frame, [pts], colour, cv2.LINE_AA, 4)

    def frames(self) -> Iterator[Image]:
        """Yield the clip's BGR frames."""
        rng = np.random.default_rng(self.seed + 7_777)
        w = self.width
        for index in range(self.frame_count):
            t = index / self.fps
            frame = self.static.copy()
            if self.cloud_speed:
                offset = int(t * self.cloud_speed * self.fps) % w
                cv2.copyTo(
                    self._clouds[:, offset : offset + w], self._static_sky_mask, frame
                )
            for x, y, radius, freq, phase in self.trees:
                sway = 6.0 * math.sin(2 * math.pi * freq * t + phase)
                cv2.ellipse(
                    frame,
                    (int(x + sway), int(y)),
                    (int(radius), int(radius * 0.8)),
                    sway * 2,
                    0,
                    360,
                    (30, 70, 40),
                    -1,
                )
            for obj in self.objects:
                pos = obj.track.get(index)
                if pos is not None:
                    self._draw_object(frame, obj, pos[0], pos[1], t)
            self._draw_movers(frame, t, rng)
            gain = 1.0 + self.drift * t / max(self.duration, 1.0)
            if self.flicker:
                gain += float(rng.uniform(-self.flicker, self.flicker))
            if abs(gain - 1.0) > 1e-3:
                frame = np.asarray(
                    cv2.convertScaleAbs(frame, alpha=gain), dtype=np.uint8
                )
            if self._noise_bank:
                pick = int(rng.integers(0, len(self._noise_bank) - 1))
                pick = pick if pick < self._last_noise else pick + 1
                self._last_noise = pick
                plus, neg = self._noise_bank[pick]
                cv2.add(frame, plus, frame)
                cv2.subtract(frame, neg, frame)
            if self.jpeg_quality:
                ok, data = cv2.imencode(
                    ".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality]
                )
                if ok:
                    frame = np.asarray(
                        cv2.imdecode(data, cv2.IMREAD_COLOR), dtype=np.uint8
                    )
            yield frame

    def _draw_movers(self, frame: Image, t: float, rng: np.random.Generator) -> None:
        dt = 1.0 / self.fps
        for m in self.movers:
            if m.kind == "bird":
                flap = m.size * (0.6 + 0.4 * abs(math.sin(m.phase + m.freq * t * 6.28)))
                x, y = (
                    m.x + m.vx * t,
                    m.y + m.vy * t + m.amp * math.sin(m.phase + m.freq * t * 6.28),
                )
                cv2.ellipse(
                    frame,
                    (int(x), int(y)),
                    (max(1, int(flap)), max(1, int(m.size * 0.3))),
                    0,
                    0,
                    360,
                    (m.grey,) * 3,
                    -1,
                    cv2.LINE_AA,
                )
            elif m.kind == "leaf":
                x = m.x + m.vx * t + m.amp * math.sin(m.phase + 6.28 * m.freq * t)
                y = (
                    m.y
                    + m.vy * t
                    + 0.3 * m.amp * math.sin(2 * (m.phase + 6.28 * m.freq * t))
                )
                axis = (
                    max(1, int(m.size / 2)),
                    max(
                        1, int(m.size / 4 + m.size / 4 * abs(math.cos(3 * t + m.phase)))
                    ),
                )
                cv2.ellipse(
                    frame,
                    (int(x), int(y)),
                    axis,
                    57.0 * t,
                    0,
                    360,
                    (m.grey // 2, m.grey, m.grey // 2),
                    -1,
                    cv2.LINE_AA,
                )
            else:
                m.vx += float(rng.normal(0, m.amp)) * dt
                m.vy += float(rng.normal(0, m.amp)) * dt
                m.vx, m.vy = (
                    float(np.clip(m.vx, -250, 250)),
                    float(np.clip(m.vy, -250, 250)),
                )
                m.x = float(np.clip(m.x + m.vx * dt, 0, self.width - 1))
                m.y = float(np.clip(m.y + m.vy * dt, 0, self.height - 1))
                cv2.circle(
                    frame,
                    (int(m.x), int(m.y)),
                    max(1, int(m.size / 2)),
                    (m.grey,) * 3,
                    -1,
                    cv2.LINE_AA,
                )
        if self.rain is not None:
            vx, vy = self.rain_velocity
            drops = self.rain
            drops[:, 0] = (drops[:, 0] + vx) % self.width
            drops[:, 1] = (drops[:, 1] + vy) % self.height
            for x, y, length in drops:
                cv2.line(
                    frame,
                    (int(x), int(y)),
                    (int(x + vx * length / vy), int(y + length)),
                    (200, 200, 200),
                    1,
                )

    # Output -------------------------------------------------------------------------

    def ground_truth(self) -> dict[str, Any]:
        """Return the clip's ground truth as JSON-ready data."""
        return {
            "seed": self.seed,
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "duration": self.frame_count / self.fps,
            "night": self.night,
            "distractors": list(self.distractors),
            "building": self.building,
            "events": [
                {
                    "floor": o.floor,
                    "column": o.column,
                    "label": o.label,
                    "start_time": round(o.release_time, 4),
                    "end_time": round(o.end_time, 4),
                    "size_px": round(o.size_px, 2),
                    "shape": o.shape,
                    "terminal_velocity": round(o.terminal_velocity, 2),
                    "initial_velocity_mps": [round(o.vx0, 3), round(o.vy0, 3)],
                    "trajectory": [
                        [round(f / self.fps, 4), round(x, 2), round(y, 2)]
                        for f, (x, y) in sorted(o.track.items())
                    ],
                }
                for o in self.objects
            ],
        }

    def write(
        self, directory: str | Path, name: str | None = None
    ) -> tuple[Path, Path, Path]:
        """Write the clip (MJPG AVI), its facade YAML and its ground-truth JSON."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        stem = name or f"clip-{self.seed}"
        video = out / f"{stem}.avi"
        writer = cv2.VideoWriter(
            str(video),
            cv2.VideoWriter.fourcc(*"MJPG"),
            self.fps,
            (self.width, self.height),
        )
        if not writer.isOpened():
            msg = f"cannot open a video writer for {video}"
            raise OSError(msg)
        try:
            for frame in self.frames():
                writer.write(frame)
        finally:
            writer.release()
        facade_path = out / f"{stem}.facade.yaml"
        facade_path.write_text(
            yaml.safe_dump(facade_to_dict(self.facade), sort_keys=False),
            encoding="utf-8",
        )
        truth = out / f"{stem}.json"
        truth.write_text(json.dumps(self.ground_truth(), indent=1), encoding="utf-8")
        return video, facade_path, truth
