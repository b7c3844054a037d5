"""Facade calibration: map image pixels to floors, columns, window labels and metres."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
import math
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
import yaml

GRAVITY = 9.81
DEFAULT_LABEL_FORMAT = "{building}-{floor}-{column:02d}"
_MAX_GRID = 500

type FloatArray = NDArray[np.float64]


class FacadeError(ValueError):
    """Raised when a facade calibration is missing, malformed or inconsistent."""


@dataclass(frozen=True, slots=True)
class WindowCell:
    """One window position on the facade grid."""

    floor: int
    column: int
    label: str

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON form used by the CLI, Frigate and MQTT."""
        return {"floor": self.floor, "column": self.column, "label": self.label}


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FacadeError(f"{where} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise FacadeError(f"{where} must be finite, got {value!r}")
    return number


def _positive(value: Any, where: str) -> float:
    number = _number(value, where)
    if number <= 0:
        raise FacadeError(f"{where} must be greater than zero, got {value!r}")
    return number


def _integer(value: Any, where: str, minimum: int, maximum: int = 100_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FacadeError(f"{where} must be an integer, got {value!r}")
    if not minimum <= value <= maximum:
        raise FacadeError(
            f"{where} must be between {minimum} and {maximum}, got {value}"
        )
    return value


def _point(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise FacadeError(f"{where} must be a pair [x, y], got {value!r}")
    return (_number(value[0], f"{where}[0]"), _number(value[1], f"{where}[1]"))


def _line(value: Any, where: str) -> tuple[tuple[float, float], tuple[float, float]]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise FacadeError(
            f"{where} must be two points [[x1, y1], [x2, y2]], got {value!r}"
        )
    first = _point(value[0], f"{where}[0]")
    second = _point(value[1], f"{where}[1]")
    if math.dist(first, second) < 1.0:
        raise FacadeError(f"{where}: the two points must be at least 1 px apart")
    return first, second


def _homography(src: FloatArray, dst: FloatArray) -> FloatArray:
    """Return the 3x3 projective map taking four src points onto four dst points."""
    rows: list[list[float]] = []
    rhs: list[float] = []
    for (x, y), (u, v) in zip(src, dst, strict=True):
        rows.append([x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y])
        rows.append([0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y])
        rhs.extend([u, v])
    matrix = np.array(rows, dtype=np.float64)
    if abs(float(np.linalg.det(matrix))) < 1e-9:
        raise FacadeError(
            "the facade corners are degenerate (three of them on a line?)"
        )
    solution = np.linalg.solve(matrix, np.array(rhs, dtype=np.float64))
    return np.append(solution, 1.0).reshape(3, 3)


def _apply(matrix: FloatArray, x: float, y: float) -> tuple[float, float]:
    u, v, w = matrix @ np.array([x, y, 1.0])
    if abs(w) < 1e-12:
        return (math.inf, math.inf)
    return (float(u / w), float(v / w))


def _intersect(
    a: tuple[tuple[float, float], tuple[float, float]],
    b: tuple[tuple[float, float], tuple[float, float]],
) -> tuple[float, float]:
    (x1, y1), (x2, y2) = a
    (x3, y3), (x4, y4) = b
    denominator = (x1 - x2) * (y3 - y4) - (y1 - y2) * (x3 - x4)
    if abs(denominator) < 1e-9:
        raise FacadeError("a floor line is parallel to a column line")
    det_a = x1 * y2 - y1 * x2
    det_b = x3 * y4 - y3 * x4
    return (
        (det_a * (x3 - x4) - (x1 - x2) * det_b) / denominator,
        (det_a * (y3 - y4) - (y1 - y2) * det_b) / denominator,
    )


def _polygon_area(points: FloatArray) -> float:
    x = points[:, 0]
    y = points[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


class _LineFamily:
    """An ordered family of image lines giving a fractional index for any pixel."""

    def __init__(
        self,
        lines: list[tuple[tuple[float, float], tuple[float, float]]],
        axis: Literal[0, 1],
        where: str,
    ) -> None:
        self.lines = lines
        origins: list[tuple[float, float]] = []
        normals: list[tuple[float, float]] = []
        for (x1, y1), (x2, y2) in lines:
            length = math.hypot(x2 - x1, y2 - y1)
            nx, ny = -(y2 - y1) / length, (x2 - x1) / length
            # Normals point down for floor lines (axis 1) and right for column lines (axis 0).
            if (ny if axis == 1 else nx) < 0:
                nx, ny = -nx, -ny
            if abs(ny if axis == 1 else nx) < 0.5:
                kind = "floor" if axis == 1 else "column"
                raise FacadeError(
                    f"{where}: a {kind} line is tilted more than 60 degrees"
                )
            origins.append((x1, y1))
            normals.append((nx, ny))
        self._origins = np.array(origins, dtype=np.float64)
        self._normals = np.array(normals, dtype=np.float64)
        mid = self._origins.mean(axis=0)
        distances = self.signed(float(mid[0]), float(mid[1]))
        if np.any(np.diff(-distances) <= 0.5):
            raise FacadeError(
                f"{where} must be ordered (top to bottom / left to right) and not cross"
            )

    def signed(self, x: float, y: float) -> FloatArray:
        offsets = np.array([x, y]) - self._origins
        return np.asarray(
            np.einsum("ij,ij->i", offsets, self._normals), dtype=np.float64
        )

    def fraction(self, x: float, y: float) -> float:
        s = self.signed(x, y)
        last = len(s) - 1
        if s[0] < 0:
            index = 0
        elif s[last] >= 0:
            index = last - 1
        else:
            index = int(np.nonzero(s >= 0)[0].max())
        gap = float(s[index] - s[index + 1])
        return index + float(s[index]) / gap


@dataclass(frozen=True)
class Facade:
    """A calibrated facade: the grid of floors and columns seen by one camera."""

    building: str
    camera: str | None
    image_size: tuple[int, int]
    floor_height_m: float
    column_width_m: float
    floors: int
    columns: int
    bottom_floor: int
    first_column: int
    label_format: str
    labels: tuple[tuple[int, int, str], ...]
    corners: tuple[tuple[float, float], ...]
    floor_lines: tuple[tuple[tuple[float, float], tuple[float, float]], ...] = ()
    column_lines: tuple[tuple[tuple[float, float], tuple[float, float]], ...] = ()

    @property
    def mode(self) -> Literal["corners", "lines"]:
        """Return how the grid was given."""
        return "lines" if self.floor_lines else "corners"

    def scaled(self, width: int, height: int) -> Facade:
        """Return this calibration rescaled to another video resolution."""
        if (width, height) == self.image_size:
            return self
        sx = width / self.image_size[0]
        sy = height / self.image_size[1]

        def point(p: tuple[float, float]) -> tuple[float, float]:
            return (p[0] * sx, p[1] * sy)

        return replace(
            self,
            image_size=(width, height),
            corners=tuple(point(p) for p in self.corners),
            floor_lines=tuple((point(a), point(b)) for a, b in self.floor_lines),
            column_lines=tuple((point(a), point(b)) for a, b in self.column_lines),
        )

    # Grid geometry ------------------------------------------------------------------

    @cached_property
    def _grid_to_pixel_matrix(self) -> FloatArray:
        src = np.array(
            [[0, 0], [self.columns, 0], [self.columns, self.floors], [0, self.floors]],
            dtype=np.float64,
        )
        return _homography(src, np.array(self.corners, dtype=np.float64))

    @cached_property
    def _pixel_to_grid_matrix(self) -> FloatArray:
        return np.asarray(np.linalg.inv(self._grid_to_pixel_matrix), dtype=np.float64)

    @cached_property
    def _families(self) -> tuple[_LineFamily, _LineFamily]:
        return (
            _LineFamily(list(self.floor_lines), 1, "floor_lines"),
            _LineFamily(list(self.column_lines), 0, "column_lines"),
        )

    def to_grid(self, x: float, y: float) -> tuple[float, float]:
        """Return fractional (row from the top, column from the left) of a pixel."""
        if self.floor_lines:
            rows, cols = self._families
            return (rows.fraction(x, y), cols.fraction(x, y))
        col, row = _apply(self._pixel_to_grid_matrix, x, y)
        return (row, col)

    def grid_to_pixel(self, row: float, col: float) -> tuple[float, float]:
        """Return the pixel of a fractional grid position."""
        if self.floor_lines:
            rows = list(self.floor_lines)
            cols = list(self.column_lines)
            r = min(max(math.floor(row), 0), len(rows) - 2)
            c = min(max(math.floor(col), 0), len(cols) - 2)
            quad = np.array(
                [
                    _intersect(rows[r], cols[c]),
                    _intersect(rows[r], cols[c + 1]),
                    _intersect(rows[r + 1], cols[c + 1]),
                    _intersect(rows[r + 1], cols[c]),
                ]
            )
            src = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=np.float64)
            return _apply(_homography(src, quad), col - c, row - r)
        return _apply(self._grid_to_pixel_matrix, col, row)

    def cell_polygon(self, floor: int, column: int) -> FloatArray:
        """Return the four pixel corners of a window cell (clockwise from top-left)."""
        row = self.bottom_floor + self.floors - 1 - floor
        col = column - self.first_column
        return np.array(
            [
                self.grid_to_pixel(row, col),
                self.grid_to_pixel(row, col + 1),
                self.grid_to_pixel(row + 1, col + 1),
                self.grid_to_pixel(row + 1, col),
            ],
            dtype=np.float64,
        )

    def outline(self) -> FloatArray:
        """Return the facade's outer quadrilateral in pixels."""
        return np.array(self.corners, dtype=np.float64)

    def floor_of_row(self, row_index: int) -> int:
        """Return the floor number of a row counted from the top."""
        return self.bottom_floor + self.floors - 1 - row_index

    def column_of_index(self, col_index: int) -> int:
        """Return the column number of a column counted from the left."""
        return self.first_column + col_index

    def label(self, floor: int, column: int) -> str:
        """Return the window label of a cell."""
        for f, c, text in self.labels:
            if f == floor and c == column:
                return text
        return self.label_format.format(
            building=self.building, floor=floor, column=column
        )

    def cell(self, floor: int, column: int) -> WindowCell:
        """Return the window cell with its label."""
        return WindowCell(floor, column, self.label(floor, column))

    def cell_at_pixel(self, x: float, y: float) -> WindowCell | None:
        """Return the window containing a pixel, or None outside the grid."""
        row, col = self.to_grid(x, y)
        if not (0 <= row < self.floors and 0 <= col < self.columns):
            return None
        return self.cell(self.floor_of_row(int(row)), self.column_of_index(int(col)))

    def contains(self, x: float, y: float, margin: float = 0.0) -> bool:
        """Return whether a pixel lies on the facade, with a margin in grid cells."""
        row, col = self.to_grid(x, y)
        return (
            -margin <= row <= self.floors + margin
            and -margin <= col <= self.columns + margin
        )

    def pixels_per_cell(self, x: float, y: float) -> tuple[float, float]:
        """Return the local (vertical px per floor, horizontal px per column)."""
        step = 1.0
        r0, c0 = self.to_grid(x, y)
        r1, _ = self.to_grid(x, y + step)
        _, c2 = self.to_grid(x + step, y)
        drow = abs(r1 - r0)
        dcol = abs(c2 - c0)
        return (step / max(drow, 1e-9), step / max(dcol, 1e-9))

    def pixels_per_metre(self, x: float, y: float) -> tuple[float, float]:
        """Return the local (vertical, horizontal) scale in pixels per metre."""
        per_floor, per_column = self.pixels_per_cell(x, y)
        return (per_floor / self.floor_height_m, per_column / self.column_width_m)

    def gravity_px(self, x: float, y: float) -> float:
        """Return gravity in pixels per second squared at a pixel."""
        return GRAVITY * self.pixels_per_metre(x, y)[0]


def _parse_grid(
    grid: Any,
) -> tuple[
    int,
    int,
    tuple[tuple[float, float], ...],
    tuple[tuple[tuple[float, float], tuple[float, float]], ...],
    tuple[tuple[tuple[float, float], tuple[float, float]], ...],
]:
    if not isinstance(grid, dict):
        raise FacadeError(
            "'grid' must be a mapping with either 'corners' or 'floor_lines'/'column_lines'"
        )
    has_corners = "corners" in grid
    has_lines = "floor_lines" in grid or "column_lines" in grid
    if has_corners == has_lines:
        raise FacadeError(
            "'grid' needs exactly one of 'corners' or 'floor_lines' + 'column_lines'"
        )
    if has_corners:
        raw = grid["corners"]
        if not isinstance(raw, list) or len(raw) != 4:
            raise FacadeError(
                "grid.corners must list four points: top-left, top-right, bottom-right, bottom-left"
            )
        corners = tuple(_point(p, f"grid.corners[{i}]") for i, p in enumerate(raw))
        floors = _integer(grid.get("floors"), "grid.floors", 1, _MAX_GRID)
        columns = _integer(grid.get("columns"), "grid.columns", 1, _MAX_GRID)
        quad = np.array(corners, dtype=np.float64)
        area = _polygon_area(quad)
        if area <= 0:
            raise FacadeError(
                "grid.corners must go top-left, top-right, bottom-right, bottom-left (clockwise on screen)"
            )
        for i in range(4):
            a, b, c = quad[i], quad[(i + 1) % 4], quad[(i + 2) % 4]
            cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])
            if cross <= 0:
                raise FacadeError("grid.corners must form a convex quadrilateral")
        if area < 100:
            raise FacadeError("grid.corners enclose less than 100 square pixels")
        return floors, columns, corners, (), ()
    lines: dict[str, list[tuple[tuple[float, float], tuple[float, float]]]] = {}
    for key in ("floor_lines", "column_lines"):
        raw = grid.get(key)
        if not isinstance(raw, list) or len(raw) < 2 or len(raw) > _MAX_GRID + 1:
            raise FacadeError(
                f"grid.{key} must list at least two lines [[x1, y1], [x2, y2]]"
            )
        lines[key] = [_line(item, f"grid.{key}[{i}]") for i, item in enumerate(raw)]
    _LineFamily(lines["floor_lines"], 1, "grid.floor_lines")
    _LineFamily(lines["column_lines"], 0, "grid.column_lines")
    fl = lines["floor_lines"]
    cl = lines["column_lines"]
    corners = (
        _intersect(fl[0], cl[0]),
        _intersect(fl[0], cl[-1]),
        _intersect(fl[-1], cl[-1]),
        _intersect(fl[-1], cl[0]),
    )
    return len(fl) - 1, len(cl) - 1, corners, tuple(fl), tuple(cl)


def parse_facade(data: Any) -> Facade:
    """Build a facade from the mapping read from a facade YAML file."""
    if not isinstance(data, dict):
        raise FacadeError("the facade file must contain a mapping at the top level")
    building_raw = data.get("building")
    if (
        isinstance(building_raw, bool)
        or not isinstance(building_raw, str | int)
        or str(building_raw).strip() == ""
    ):
        raise FacadeError("'building' is required (a non-empty string or number)")
    building = str(building_raw).strip()
    camera_raw = data.get("camera")
    if camera_raw is not None and (
        not isinstance(camera_raw, str) or not camera_raw.strip()
    ):
        raise FacadeError("'camera' must be a non-empty string when given")
    size = data.get("image_size")
    if not isinstance(size, list | tuple) or len(size) != 2:
        raise FacadeError("'image_size' must be [width, height] in pixels")
    image_size = (
        _integer(size[0], "image_size[0]", 16, 20_000),
        _integer(size[1], "image_size[1]", 16, 20_000),
    )
    floor_height = _positive(data.get("floor_height_m"), "floor_height_m")
    column_width = _positive(data.get("column_width_m", floor_height), "column_width_m")
    floors, columns, corners, floor_lines, column_lines = _parse_grid(data.get("grid"))
    grid = data["grid"]
    bottom_floor = _integer(grid.get("bottom_floor", 1), "grid.bottom_floor", -20, 1000)
    first_column = _integer(grid.get("first_column", 1), "grid.first_column", 0, 1000)
    label_format = data.get("label_format", DEFAULT_LABEL_FORMAT)
    if not isinstance(label_format, str) or not label_format:
        raise FacadeError("'label_format' must be a non-empty string")
    try:
        label_format.format(building=building, floor=bottom_floor, column=first_column)
    except (KeyError, IndexError, ValueError, AttributeError) as err:
        raise FacadeError(
            f"'label_format' may use only {{building}}, {{floor}} and {{column}}: {err}"
        ) from err
    labels_raw = data.get("labels", [])
    if not isinstance(labels_raw, list):
        raise FacadeError("'labels' must be a list of {floor, column, label}")
    labels: list[tuple[int, int, str]] = []
    for i, item in enumerate(labels_raw):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("label"), str)
            or not item["label"]
        ):
            raise FacadeError(
                f"labels[{i}] must be a mapping with floor, column and a non-empty label"
            )
        floor = _integer(
            item.get("floor"),
            f"labels[{i}].floor",
            bottom_floor,
            bottom_floor + floors - 1,
        )
        column = _integer(
            item.get("column"),
            f"labels[{i}].column",
            first_column,
            first_column + columns - 1,
        )
        labels.append((floor, column, item["label"]))
    return Facade(
        building=building,
        camera=camera_raw.strip() if isinstance(camera_raw, str) else None,
        image_size=image_size,
        floor_height_m=floor_height,
        column_width_m=column_width,
        floors=floors,
        columns=columns,
        bottom_floor=bottom_floor,
        first_column=first_column,
        label_format=label_format,
        labels=tuple(labels),
        corners=corners,
        floor_lines=floor_lines,
        column_lines=column_lines,
    )


def load_facade(path: str | Path) -> Facade:
    """Read and validate a facade YAML file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise FacadeError(
            f"cannot read facade file {path}: {err.strerror or err}"
        ) from err
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise FacadeError(f"facade file {path} is not valid YAML: {err}") from err
    return parse_facade(data)


def facade_to_dict(facade: Facade) -> dict[str, Any]:
    """Return the YAML mapping of a facade (the inverse of parse_facade)."""
    grid: dict[str, Any] = {
        "bottom_floor": facade.bottom_floor,
        "first_column": facade.first_column,
    }
    if facade.floor_lines:
        grid["floor_lines"] = [[list(a), list(b)] for a, b in facade.floor_lines]
        grid["column_lines"] = [[list(a), list(b)] for a, b in facade.column_lines]
    else:
        grid["corners"] = [[round(x, 2), round(y, 2)] for x, y in facade.corners]
        grid["floors"] = facade.floors
        grid["columns"] = facade.columns
    data: dict[str, Any] = {
        "building": facade.building,
        "image_size": list(facade.image_size),
        "floor_height_m": facade.floor_height_m,
        "column_width_m": facade.column_width_m,
        "label_format": facade.label_format,
        "grid": grid,
    }
    if facade.camera:
        data["camera"] = facade.camera
    if facade.labels:
        data["labels"] = [
            {"floor": f, "column": c, "label": t} for f, c, t in facade.labels
        ]
    return data
