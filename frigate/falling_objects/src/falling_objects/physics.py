"""Decide from its trajectory whether a tracked blob is an object falling under gravity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
import math

import numpy as np
from numpy.typing import NDArray

from .facade import GRAVITY, Facade

STRAY_PX = 2.5
"""Residual (px) beyond which an observation is a stray in the acceleration fits."""


@dataclass(frozen=True, slots=True)
class PhysicsConfig:
    """Acceptance limits of the fall test."""

    min_points: int = 10
    loose_tail_frames: float = 2.5
    """A track's last observations that each follow a longer gap than this (in frames)
    are left out.

    After two missed frames the tracker's gate has widened enough to take a raindrop or
    a noise blob below the object for the object itself; a track that only goes on in
    such hops has lost what it followed (distractor clip 106001: a drifting leaf whose
    track ended on two rain streaks 0.4 s apart and so seemed to fall)."""
    min_density: float = 0.6
    """Observed frames / frames spanned."""
    min_duration: float = 0.4
    fit_window: float = 1.3
    min_accel_ratio: float = 0.45
    max_accel_ratio: float = 1.45
    max_drift_speed: float = 4.0
    """Horizontal speed limit in m/s, in the facade plane.

    Something dropped or tossed out of a window moves sideways along the wall at a few
    metres per second at most; a hard throw goes outwards, away from the wall, and shows
    little sideways motion in the image. The insects and leaves whose dives passed the
    other tests in the distractor clips crossed the facade at 3-6 m/s. (The synthetic
    throws of the benchmark go up to 2.5 m/s sideways.)"""
    side_accel_tolerance: float = 0.05
    """Sideways acceleration (fraction of g, in facade metres) allowed beyond what drag
    explains.

    Gravity pulls straight down; sideways only air drag acts on a falling object, and it
    only slows the sideways motion, by at most g x sideways speed / terminal velocity
    (``min_terminal_velocity``: 0.27 g at 4 m/s). An insect's flight speeds up and slows
    down sideways as much as downwards: of five insect dives that passed every other
    test in an hour of distractor video, three sped up sideways or braked harder than
    drag can (0.43 to 0.89 g); the 112 real falls of object clips 20000-20099 showed
    0.11 g at most, always against their sideways motion. The fit's error is allowed for
    (``side_accel_z`` standard errors): a piece of a spinning bar's fall seen at night
    (object clip 50012) fits 0.32 ± 0.16 g, its centroid wandering along the bar; the
    shortest of the three insects (10 observations, 0.89 ± 0.37 g) passes at that margin. Observations whose blob is under 1 / ``steady_growth``
    of the track's median area are left out: while only its leading edge is seen, an
    object's centroid lies off its centre (object clip 20048)."""
    side_accel_z: float = 2.5
    min_terminal_velocity: float = 15.0
    """Least terminal velocity (m/s) of an object dense enough to be a hazard."""
    max_drift_ratio: float = 0.7
    """Horizontal displacement / vertical displacement limit."""
    min_drop_m: float = 2.5
    max_lookback: float = 1.2
    """How long before the first observation the release may lie (s)."""
    residual_px: float = 1.6
    residual_share: float = 0.03
    blob_scatter: float = 0.3
    """Largest fit rms (px, on either axis) per pixel of blob size (the square root of
    the median blob area over the fit's observations).

    A blob's centroid can only wander within the blob: as an object tumbles, or while
    only part of it stands out, the centroid moves by a fraction of its size, so a large
    object may scatter by a few pixels about its fall, a small one by a pixel or less.
    A chain of noise specks (single pixels of sensor noise or compression artefacts at
    night, which the tracker can string along a fall's prediction) scatters by the
    width of the tracker's gate instead. The 235 real falls of object clips 30000-30099
    and 50000-50099 showed 0.26 at most (a 5 px square seen partly against a wall of its
    own brightness); the chains of specks that passed every other test in 1.5 hours of
    distractor video (clips 113019-113088, 119026, 160022) showed 0.34 to 0.89."""
    start_margin: float = 0.5
    """How far (in floors / columns) off the facade the release point may be."""
    min_kept_share: float = 0.5
    """Share of a track's observations that must follow the fall (the rest are strays).

    A falling object keeps falling until it leaves the view or lands; an insect that
    dives for a second and then flies on, or a leaf that settles, leaves most of its
    track off the extrapolated fall."""
    late_accel_ratio: float = 0.3
    """Least downward acceleration (fraction of g) in the second half of the fit window.

    Drag only matters near the terminal velocity (15 m/s and more for anything dense
    enough to be a hazard), so within the first 1.3 s an object still accelerates at
    0.3 g or more. Insects and leaves that swoop down and then level off do not.

    Measured on the observations of the fall fit only: points the fit dropped as
    strays and later points that merely stay near the extrapolated fall (a track that
    ends on a static blob after the object was lost) do not count."""
    min_metric_accel: float = 0.55
    """Least downward acceleration (fraction of g) measured in metres on the facade.

    The pixel fit above uses one scale, taken at the middle of the track; here every
    observation is first mapped through the facade's calibration to metres, so
    perspective (more pixels per metre lower down, or near an edge) does not inflate
    the figure. Gravity less drag: for the lightest hazardous objects (terminal velocity
    15 m/s) a 1.3 s fit that starts within 0.6 s of the release still gives 0.56 g or
    more (0.8 g from the release), denser objects more. Leaves and insects that drift
    down give less (0.4 g and below in the distractor clips)."""
    late_accel_z: float = 3.0
    """How many standard errors the late acceleration must lie below that limit (and
    below zero) before the track is rejected; short noisy tracks get the benefit of
    the doubt."""
    min_accel_evidence: float = 0.2
    """Least downward acceleration (fraction of g) the fit must show beyond doubt: its
    value less ``accel_evidence_z`` standard errors (from the scatter of the fit).

    A short or noisy track can fit a parabola near g by chance; one that cannot tell
    0.7 g from braking is no evidence of a fall (distractor clip 110010: an insect seen
    for 0.56 s, 0.66 g ± 0.4 g). Real falls in the object clips show 0.35 g or more."""
    accel_evidence_z: float = 2.0
    max_size_change: float = 12.0
    """Largest change of the blob's area over the kept observations (90th against 10th
    percentile).

    One object changes size in the image as it tumbles (up to 3-fold) and while only its
    leading edge is seen (up to 9-fold in the object clips); the edge of a swaying tree
    or a cloud that the tracker follows grows far more (distractor clip 109024: from 48
    to 1,300 px²)."""
    steady_span: float = 0.6
    """Length (s) of the stretches over which the fall must never slow down.

    Gravity pulls a falling object down for as long as it falls and drag can at most
    cancel that pull, so its downward speed never drops. Every stretch of this length
    of the whole track (not only the fit window) is fitted on its own; a stretch whose
    downward acceleration lies ``steady_z`` standard errors below zero is a flyer that
    braked: an insect that dives, slows and dives again, or one that swoops back up."""
    steady_step: float = 0.08
    steady_z: float = 3.0
    steady_growth: float = 2.5
    """Stretches over which the moving blob grows or shrinks by more than this factor
    (median area of the second half against the first) are not tested.

    While a large object is still slow, the motion stage sees only its leading edge
    (the part that moved), so the centroid runs ahead of the object; once the whole
    object stands out the centroid falls back to its centre, which looks like braking."""
    landing: float = 0.3
    """The last seconds of a track that the steady test leaves out: an object that lands,
    or reaches the ground clutter at the foot of the facade, stops there."""


@dataclass(frozen=True, slots=True)
class FallFit:
    """A ballistic fit of a trajectory: y quadratic and x linear in time."""

    t0: float
    ay: float
    by: float
    cy: float
    bx: float
    cx: float
    rms_x: float
    rms_y: float
    gravity_px: float
    duration: float

    @property
    def accel_ratio(self) -> float:
        """Return the fitted downward acceleration as a fraction of gravity."""
        return 2.0 * self.ay / self.gravity_px

    @property
    def release_time(self) -> float:
        """Return when vertical speed was zero (the release or the apex of a throw)."""
        if self.ay <= 0:
            return self.t0
        tau = -self.by / (2.0 * self.ay)
        return self.t0 + min(tau, 0.0)

    def position(self, t: float) -> tuple[float, float]:
        """Return the fitted pixel position at time t."""
        tau = t - self.t0
        return (self.cx + self.bx * tau, self.cy + self.by * tau + self.ay * tau * tau)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The classifier's decision with its reason."""

    falling: bool
    reason: str
    fit: FallFit | None = None
    points: list[tuple[float, float, float]] = field(default_factory=list)
    """The observations kept after dropping strays (accepted trajectories only)."""


def _fit(data: NDArray[np.float64], facade: Facade) -> FallFit:
    t_first = float(data[0, 0])
    tau = data[:, 0] - t_first
    design = np.column_stack([tau * tau, tau, np.ones_like(tau)])
    ay, by, cy = np.linalg.lstsq(design, data[:, 2], rcond=None)[0]
    bx, cx = np.linalg.lstsq(design[:, 1:], data[:, 1], rcond=None)[0]
    res_y = data[:, 2] - (ay * tau * tau + by * tau + cy)
    res_x = data[:, 1] - (bx * tau + cx)
    mid = len(data) // 2
    gravity = facade.gravity_px(float(data[mid, 1]), float(data[mid, 2]))
    return FallFit(
        t0=t_first,
        ay=float(ay),
        by=float(by),
        cy=float(cy),
        bx=float(bx),
        cx=float(cx),
        rms_x=float(np.sqrt(np.mean(res_x * res_x))),
        rms_y=float(np.sqrt(np.mean(res_y * res_y))),
        gravity_px=gravity,
        duration=float(tau[-1]),
    )


def residuals(fit: FallFit, data: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return how far (px) each (t, x, y) row lies from the fitted position at its time."""
    tau = data[:, 0] - fit.t0
    dy = data[:, 2] - (fit.ay * tau * tau + fit.by * tau + fit.cy)
    dx = data[:, 1] - (fit.bx * tau + fit.cx)
    return np.asarray(np.hypot(dx, dy), dtype=np.float64)


def fit_trajectory(
    points: Sequence[tuple[float, float, float]],
    facade: Facade,
    window: float,
    outlier_px: float = 4.0,
    max_outliers: float = 0.25,
) -> tuple[FallFit, list[tuple[float, float, float]]] | None:
    """Fit the early part of a trajectory, dropping a few stray observations.

    Returns the fit and the observations kept, or None with too few points. Strays
    come from a bird or an insect crossing the object's path for a frame or two.
    """
    if len(points) < 5:
        return None
    data = np.asarray(points, dtype=np.float64)
    t_first = float(data[0, 0])
    early = data[data[:, 0] - t_first <= window]
    if len(early) < 5:
        early = data[:5]
    if len(np.unique(early[:, 0])) < 3:
        return None
    budget = int(max_outliers * len(early))
    fit = _fit(early, facade)
    while budget > 0 and len(early) > 5:
        residual = residuals(fit, early)
        worst = int(np.argmax(residual))
        if residual[worst] <= outlier_px:
            break
        early = np.delete(early, worst, axis=0)
        budget -= 1
        fit = _fit(early, facade)
    t_last = float(early[-1, 0])
    kept = [tuple(map(float, row)) for row in early]
    later = data[data[:, 0] > t_last]
    if len(later):
        keep_later = (
            residuals(fit, later)
            <= outlier_px * 4 + 0.02 * fit.gravity_px * (later[:, 0] - fit.t0) ** 2
        )
        kept += [tuple(map(float, row)) for row in later[keep_later]]
    return fit, [(p[0], p[1], p[2]) for p in kept]


def _quadratic(
    data: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Fit y quadratic in time; return the design matrix, coefficients and residuals."""
    tau = data[:, 0] - data[0, 0]
    design = np.column_stack([tau * tau, tau, np.ones_like(tau)])
    coef = np.asarray(np.linalg.lstsq(design, data[:, 2], rcond=None)[0])
    residual = np.asarray(data[:, 2] - design @ coef, dtype=np.float64)
    return design, coef, residual


def late_acceleration(
    points: Sequence[tuple[float, float, float]],
    window: float,
    outlier_px: float = STRAY_PX,
) -> tuple[float, float] | None:
    """Return the downward acceleration (px/s²) in the second half of the fit window.

    Also returns its standard error, from the scatter of the final fit (after up to
    two strays are dropped); None when there are too few points.
    """
    data = np.asarray(points, dtype=np.float64)
    early = data[data[:, 0] - data[0, 0] <= window]
    late = early[len(early) // 2 :]
    if len(late) < 6:
        late = early[-6:]
    return _acceleration(late, outlier_px)


def slowest_stretch(
    points: Sequence[tuple[float, float, float]],
    span: float,
    step: float,
    z: float,
    areas: Sequence[float] | None = None,
    max_growth: float = math.inf,
    outlier_px: float = STRAY_PX,
) -> tuple[float, float, float] | None:
    """Return the stretch of ``span`` seconds whose acceleration is most surely negative.

    Returns (start time, acceleration in px/s², standard error) of the stretch with the
    lowest acceleration + ``z`` standard errors; None when no stretch qualifies. A
    stretch needs eight observations at four distinct times or more and, when the blob
    areas (one per point) are given, a blob whose median area changes by at most
    ``max_growth`` between its halves.
    """
    if not points:
        return None
    data = np.asarray(points, dtype=np.float64)
    sizes = np.asarray(areas if areas is not None else np.ones(len(data)), np.float64)
    times = data[:, 0]
    worst: tuple[float, float, float] | None = None
    start = float(times[0])
    while start + span <= float(times[-1]) + 1e-6:
        inside = (times >= start - 1e-6) & (times <= start + span + 1e-6)
        stretch = data[inside]
        size = sizes[inside]
        half = len(size) // 2
        growth = (
            float(np.median(size[half:])) / max(float(np.median(size[:half])), 1e-9)
            if half
            else 1.0
        )
        if len(stretch) >= 8 and 1.0 / max_growth <= growth <= max_growth:
            found = _acceleration(stretch, outlier_px)
            if found is not None and (
                worst is None or found[0] + z * found[1] < worst[1] + z * worst[2]
            ):
                worst = (start, *found)
        start += step
    return worst


def _acceleration(
    data: NDArray[np.float64], outlier_px: float
) -> tuple[float, float] | None:
    """Fit y quadratic in time; return 2·a (px/s²) and its standard error.

    Drops up to two strays (never below six points); the error comes from the scatter
    of the final fit.
    """
    if len(data) < 6 or len(np.unique(data[:, 0])) < 4:
        return None
    design, coef, residual = _quadratic(data)
    for _ in range(2):
        worst = int(np.argmax(np.abs(residual)))
        if abs(residual[worst]) <= outlier_px or len(data) <= 6:
            break
        data = np.delete(data, worst, axis=0)
        design, coef, residual = _quadratic(data)
    # The residuals, the design and the coefficients all belong to the final fit.
    sigma = max(float(np.sqrt(np.sum(residual * residual) / (len(data) - 3))), 0.5)
    try:
        covariance = sigma * sigma * np.linalg.inv(design.T @ design)
    except np.linalg.LinAlgError:
        return None
    return 2.0 * float(coef[0]), 2.0 * math.sqrt(max(float(covariance[0, 0]), 0.0))


def metric_acceleration(
    points: Sequence[tuple[float, float, float]], facade: Facade, window: float
) -> float | None:
    """Return the downward acceleration in the facade plane as a fraction of g.

    Fits height in metres (from the facade calibration) quadratically in time over the
    first ``window`` seconds; None when the fit is impossible.
    """
    data = np.asarray(points, dtype=np.float64)
    early = data[data[:, 0] - data[0, 0] <= window]
    if len(early) < 5 or len(np.unique(early[:, 0])) < 3:
        return None
    height = _along_facade(early, facade, 0)
    if height is None:
        return None
    _, coef, _ = _quadratic(height)
    return 2.0 * float(coef[0]) / GRAVITY


def _along_facade(
    data: NDArray[np.float64], facade: Facade, axis: int
) -> NDArray[np.float64] | None:
    """Return (t, x, metres) rows: the position down (axis 0) or along (axis 1) the facade.

    Every observation is mapped through the calibration; None when one falls off it.
    """
    cells = np.array([facade.to_grid(float(x), float(y))[axis] for _, x, y in data])
    if not np.all(np.isfinite(cells)):
        return None
    size = facade.floor_height_m if axis == 0 else facade.column_width_m
    return np.column_stack([data[:, 0], data[:, 1], cells * size])


def sideways_acceleration(
    points: Sequence[tuple[float, float, float]], facade: Facade
) -> tuple[float, float, float] | None:
    """Return the sideways acceleration in the facade plane, its error and the speed.

    Fits the position along the floors (metres, through the calibration) quadratically
    in time; returns the acceleration and its standard error as fractions of g and the
    sideways speed (m/s) at the middle of the observations, or None when the fit is
    impossible.
    """
    data = np.asarray(points, dtype=np.float64)
    if len(data) < 6 or len(np.unique(data[:, 0])) < 4:
        return None
    across = _along_facade(data, facade, 1)
    if across is None:
        return None
    design, coef, residual = _quadratic(across)
    sigma2 = float(np.sum(residual * residual)) / (len(data) - 3)
    try:
        variance = sigma2 * float(np.linalg.inv(design.T @ design)[0, 0])
    except np.linalg.LinAlgError:
        return None
    middle = float(np.mean(data[:, 0]) - data[0, 0])
    return (
        2.0 * float(coef[0]) / GRAVITY,
        2.0 * math.sqrt(max(variance, 0.0)) / GRAVITY,
        float(coef[1]) + 2.0 * float(coef[0]) * middle,
    )


def blob_size(areas: Sequence[float]) -> float:
    """Return a blob's size (px): the square root of its median area."""
    return math.sqrt(max(float(np.median(areas)), 0.0))


def _unproven_reason(
    fit_points: Sequence[tuple[float, float, float]], fit: FallFit, cfg: PhysicsConfig
) -> str | None:
    """Return why the fit does not establish a downward acceleration, or None."""
    evidence = _acceleration(np.asarray(fit_points, dtype=np.float64), STRAY_PX)
    if evidence is None:
        return None
    accel, error = evidence
    least = (accel - cfg.accel_evidence_z * error) / fit.gravity_px
    if least < cfg.min_accel_evidence:
        return (
            f"acceleration not established ({accel / fit.gravity_px:.2f} g "
            f"± {error / fit.gravity_px:.2f} g)"
        )
    return None


def _erratic_reason(
    fit: FallFit, extent: float, sizes: Sequence[float] | None, cfg: PhysicsConfig
) -> str | None:
    """Return why the observations scatter too much about the fit, or None.

    ``extent`` is the vertical extent (px) of the observations; ``sizes`` holds the blob
    areas of the fit's observations when known.
    """
    worst = max(fit.rms_x, fit.rms_y)
    tolerance = cfg.residual_px + cfg.residual_share * min(
        extent, fit.duration * 0.5 * fit.gravity_px
    )
    if worst > tolerance:
        return f"erratic path (rms {fit.rms_x:.1f}, {fit.rms_y:.1f} px)"
    if sizes:
        size = blob_size(sizes)
        if worst > cfg.blob_scatter * size:
            return (
                f"scatters more than its blob size allows (rms {fit.rms_x:.1f}, "
                f"{fit.rms_y:.1f} px for a blob of {size:.1f} px)"
            )
    return None


def _sideways_reason(
    points: Sequence[tuple[float, float, float]],
    sizes: Sequence[float] | None,
    facade: Facade,
    cfg: PhysicsConfig,
) -> str | None:
    """Return why the sideways motion is not a fall's, or None when it may be."""
    seen = list(points)
    if sizes is not None:
        # A partly seen object (only its leading edge, while it is slow) has its
        # centroid off its centre; only fully seen observations count.
        least = float(np.median(sizes)) / cfg.steady_growth
        seen = [p for p, size in zip(points, sizes, strict=True) if size >= least]
    side = sideways_acceleration(seen, facade)
    if side is None:
        return None
    accel, error, speed = side
    along = accel if speed >= 0 else -accel
    slack = cfg.side_accel_z * error + cfg.side_accel_tolerance
    if along > slack or along < -abs(speed) / cfg.min_terminal_velocity - slack:
        return f"accelerates sideways ({accel:+.2f} g at {speed:+.1f} m/s)"
    return None


def _without_loose_tail(
    points: Sequence[tuple[float, float, float]], gap: float
) -> Sequence[tuple[float, float, float]]:
    """Drop the observations at the end that each follow a gap longer than ``gap`` (s)."""
    end = len(points)
    while end > 2 and points[end - 1][0] - points[end - 2][0] > gap:
        end -= 1
    return points[:end]


def classify(
    points: Sequence[tuple[float, float, float]],
    facade: Facade,
    config: PhysicsConfig | None = None,
    fps: float = 25.0,
    areas: Sequence[float] | None = None,
) -> Verdict:
    """Return whether (t, x, y) observations describe a falling object.

    ``areas`` holds the blob area of each observation when known (the tracker's).

    Accepts a trajectory whose early part is a parabola with downward acceleration
    near gravity at the facade's scale (drag allowed), little horizontal drift, a
    net descent and a release point on the facade. Level or climbing flight (birds),
    flutter (leaves, insects) and constant-speed streaks (rain) fail these tests.
    """
    cfg = config or PhysicsConfig()
    if len(points) < cfg.min_points:
        return Verdict(False, "too few points")
    if any(not all(math.isfinite(v) for v in p) for p in points):
        return Verdict(False, "non-finite observation")
    area_at = (
        None if areas is None else dict(zip((p[0] for p in points), areas, strict=True))
    )
    points = _without_loose_tail(points, cfg.loose_tail_frames / fps)
    duration = points[-1][0] - points[0][0]
    if duration < cfg.min_duration:
        return Verdict(False, "too short")
    fitted = fit_trajectory(points, facade, cfg.fit_window)
    if fitted is None:
        return Verdict(False, "cannot fit")
    fit, kept = fitted
    if len(kept) < cfg.min_kept_share * len(points):
        return Verdict(
            False, "does not keep falling (most of the track is off the fall)", fit
        )
    points = kept
    if not math.isfinite(fit.gravity_px) or fit.gravity_px <= 0:
        return Verdict(False, "cannot fit")
    frames = (points[-1][0] - points[0][0]) * fps + 1
    if len(points) < cfg.min_points or len(points) < cfg.min_density * frames:
        return Verdict(False, "too sparse", fit)
    ratio = fit.accel_ratio
    if not cfg.min_accel_ratio <= ratio <= cfg.max_accel_ratio:
        return Verdict(False, f"acceleration {ratio:.2f} g", fit)
    # The same observations as the pixel fit (strays dropped, later points left out).
    metric = metric_acceleration(points, facade, fit.duration + 1e-6)
    if metric is None:
        return Verdict(False, "cannot fit in metres", fit)
    if not cfg.min_metric_accel <= metric <= cfg.max_accel_ratio:
        return Verdict(False, f"acceleration {metric:.2f} g on the facade", fit)
    ys = [p[2] for p in points]
    xs = [p[1] for p in points]
    drop = ys[-1] - ys[0]
    px_per_m_v, px_per_m_h = facade.pixels_per_metre(xs[0], ys[0])
    if drop < cfg.min_drop_m * px_per_m_v:
        return Verdict(False, "no net descent", fit)
    fit_points = [p for p in points if p[0] <= fit.t0 + fit.duration + 1e-6]
    sizes = None if area_at is None else [area_at.get(p[0], 0.0) for p in points]
    erratic = _erratic_reason(
        fit,
        max(ys) - min(ys),
        None if sizes is None else sizes[: len(fit_points)],
        cfg,
    )
    if erratic is not None:
        return Verdict(False, erratic, fit)
    if abs(fit.bx) > cfg.max_drift_speed * px_per_m_h:
        return Verdict(False, "horizontal speed too high", fit)
    if abs(xs[-1] - xs[0]) > cfg.max_drift_ratio * max(drop, 1.0):
        return Verdict(False, "horizontal drift too large", fit)
    unproven = _unproven_reason(fit_points, fit, cfg)
    if unproven is not None:
        return Verdict(False, unproven, fit)
    if sizes is not None:
        low, high = np.percentile(sizes, [10, 90])
        if high > cfg.max_size_change * max(float(low), 1e-9):
            return Verdict(False, "blob size changes too much for one object", fit)
    sideways = _sideways_reason(points, sizes, facade, cfg)
    if sideways is not None:
        return Verdict(False, sideways, fit)
    late = late_acceleration(fit_points, cfg.fit_window)
    if late is not None:
        accel, error = late
        limit = cfg.late_accel_ratio * fit.gravity_px
        if accel < 0 and accel < limit - cfg.late_accel_z * error:
            return Verdict(False, "levels off (stops accelerating)", fit)
    # The observations are in time order, so those in flight are a prefix.
    in_flight = [p for p in points if p[0] <= points[-1][0] - cfg.landing]
    slowest = slowest_stretch(
        in_flight,
        cfg.steady_span,
        cfg.steady_step,
        cfg.steady_z,
        None if sizes is None else sizes[: len(in_flight)],
        cfg.steady_growth,
    )
    if slowest is not None and slowest[1] + cfg.steady_z * slowest[2] < 0:
        return Verdict(
            False, f"slows down while falling (from {slowest[0]:.2f} s)", fit
        )
    t_end = points[-1][0]
    if 2.0 * fit.ay * (t_end - fit.t0) + fit.by <= 0:
        return Verdict(False, "not descending at the end", fit)
    tau_vertex = -fit.by / (2.0 * fit.ay)
    if tau_vertex < -cfg.max_lookback:
        return Verdict(
            False, "already fast when first seen (started off the facade?)", fit
        )
    rx, ry = fit.position(fit.release_time)
    if not facade.contains(rx, ry, cfg.start_margin):
        return Verdict(False, "release point not on the facade", fit)
    return Verdict(True, "falling", fit, list(points))
