"""Name the window an object fell from, with a confidence and the runner-up windows."""

from __future__ import annotations

from dataclasses import dataclass
import math

from .facade import Facade, WindowCell
from .physics import FallFit

_RELEASE_SPREAD = 0.12
"""Spread of the release point inside a window, in cells (hand height, sill, ledge)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A window with the probability that the object came from it."""

    window: WindowCell
    probability: float

    def as_dict(self) -> dict[str, object]:
        """Return the JSON form."""
        return {**self.window.as_dict(), "probability": round(self.probability, 4)}


@dataclass(frozen=True, slots=True)
class Localization:
    """Where an object was released, in pixels and as ranked windows."""

    release_time: float
    release_xy: tuple[float, float]
    candidates: tuple[Candidate, ...]

    @property
    def best(self) -> Candidate:
        """Return the most probable window."""
        return self.candidates[0]


def _interval(center: float, sigma: float, low: float, high: float) -> float:
    scale = sigma * math.sqrt(2.0)
    return 0.5 * (math.erf((high - center) / scale) - math.erf((low - center) / scale))


def localize(fit: FallFit, facade: Facade, top: int = 3) -> Localization | None:
    """Extrapolate the fit back to the release point and rank the windows around it."""
    t_release = fit.release_time
    x, y = fit.position(t_release)
    row, col = facade.to_grid(x, y)
    if not (math.isfinite(row) and math.isfinite(col)):
        return None
    per_floor, per_column = facade.pixels_per_cell(x, y)
    # Uncertainty grows with the fit residual and with how far back we extrapolate.
    lookback = max(fit.t0 - t_release, 0.0)
    stretch = 1.0 + 2.0 * lookback / max(fit.duration, 0.1)
    sigma_row = math.hypot(fit.rms_y * stretch / per_floor, _RELEASE_SPREAD)
    sigma_col = math.hypot(fit.rms_x * stretch / per_column, _RELEASE_SPREAD)
    row = min(max(row, 0.0), facade.floors - 1e-6)
    col = min(max(col, 0.0), facade.columns - 1e-6)
    r0, c0 = int(row), int(col)
    scored: list[Candidate] = []
    for r in range(max(0, r0 - 2), min(facade.floors, r0 + 3)):
        p_row = _interval(row, sigma_row, r, r + 1)
        for c in range(max(0, c0 - 2), min(facade.columns, c0 + 3)):
            p = p_row * _interval(col, sigma_col, c, c + 1)
            cell = facade.cell(facade.floor_of_row(r), facade.column_of_index(c))
            scored.append(Candidate(cell, p))
    total = sum(c.probability for c in scored)
    if total <= 0:
        return None
    scored.sort(key=lambda c: c.probability, reverse=True)
    ranked = tuple(Candidate(c.window, c.probability / total) for c in scored[:top])
    return Localization(t_release, (x, y), ranked)
