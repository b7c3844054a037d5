"""The fall classifier and the window localisation on synthetic trajectories."""

import math

from hypothesis import given, settings, strategies as st
import numpy as np
import pytest

from falling_objects.facade import GRAVITY, Facade
from falling_objects.localize import localize
from falling_objects.physics import classify, late_acceleration, slowest_stretch

FPS = 25.0


def _fall(
    x0: float,
    y0: float,
    vx: float = 0.0,
    vy: float = 0.0,
    g: float = GRAVITY * 20,
    first: float = 0.25,
    last: float = 1.6,
    noise: float = 0.4,
    seed: int = 0,
) -> list[tuple[float, float, float]]:
    rng = np.random.default_rng(seed)
    times = np.arange(first, last, 1 / FPS)
    return [
        (
            float(t),
            x0 + vx * t + rng.normal(0, noise),
            y0 + vy * t + 0.5 * g * t * t + rng.normal(0, noise),
        )
        for t in times
    ]


def test_drop_is_falling_and_names_the_window(facade: Facade) -> None:
    # Released at x=350 (column 3), y=190 (row 1 from the top: floor 9), observed from 0.25 s on.
    points = _fall(350, 190)
    verdict = classify(points, facade, fps=FPS)
    assert verdict.falling, verdict.reason
    assert verdict.fit is not None
    assert verdict.fit.accel_ratio == pytest.approx(1.0, abs=0.05)
    where = localize(verdict.fit, facade)
    assert where is not None
    assert (where.best.window.floor, where.best.window.column) == (9, 3)
    assert where.best.window.label == "3-9-03"
    assert where.release_time == pytest.approx(0.0, abs=0.05)
    assert len(where.candidates) == 3
    assert sum(c.probability for c in where.candidates) <= 1.0 + 1e-9
    assert where.best.probability > 0.8


def test_sideways_throw_with_upward_start_is_falling(facade: Facade) -> None:
    # 1.5 m/s sideways and 2 m/s up: the apex is 0.2 m above the hand.
    points = _fall(620, 320, vx=30, vy=-40, first=0.05, last=1.5)
    verdict = classify(points, facade, fps=FPS)
    assert verdict.falling, verdict.reason
    assert verdict.fit is not None
    where = localize(verdict.fit, facade)
    assert where is not None
    assert (where.best.window.floor, where.best.window.column) == (7, 6)


def test_drag_still_counts_as_falling(facade: Facade) -> None:
    # Integrate quadratic drag with a 15 m/s terminal velocity at 20 px/m.
    k, y, v, t = GRAVITY / 15.0**2, 0.0, 0.0, 0.0
    points = []
    while t < 1.8:
        if t >= 0.3:
            points.append((t, 450.0, 250 + 20 * y))
        for _ in range(10):
            v += (GRAVITY - k * v * v) * 0.004
            y += v * 0.004
        t += 0.04
    verdict = classify(points, facade, fps=FPS)
    assert verdict.falling, verdict.reason


def test_stray_points_from_a_crossing_bird_are_dropped(facade: Facade) -> None:
    points = _fall(350, 190)
    points[3] = (points[3][0], points[3][1] + 40, points[3][2] - 25)
    verdict = classify(points, facade, fps=FPS)
    assert verdict.falling, verdict.reason
    assert len(verdict.points) == len(points) - 1


@pytest.mark.parametrize(
    ("name", "points"),
    [
        (
            "level bird",
            [
                (t, 150 + 120 * t, 300 + 3 * math.sin(30 * t))
                for t in np.arange(0, 2, 1 / FPS)
            ],
        ),
        (
            "climbing bird",
            [
                (t, 800 - 100 * t, 500 - 60 * t - 0.5 * 50 * t * t)
                for t in np.arange(0, 2, 1 / FPS)
            ],
        ),
        (
            "gliding bird",
            [(t, 200 + 150 * t, 200 + 60 * t) for t in np.arange(0, 2, 1 / FPS)],
        ),
        (
            "leaf",
            [
                (t, 400 + 25 * math.sin(6 * t), 200 + 25 * t)
                for t in np.arange(0, 3, 1 / FPS)
            ],
        ),
        (
            "rain streak",
            [(t, 500 + 5 * t, 120 + 450 * t) for t in np.arange(0, 1.2, 1 / FPS)],
        ),
        ("object from above the view", _fall(400, -900, first=3.0, last=3.8)),
        ("drift too wide", _fall(150, 190, vx=500)),
        ("three times gravity", _fall(350, 190, g=3 * GRAVITY * 20)),
        ("too few points", _fall(350, 190, last=0.45)),
    ],
)
def test_distractors_are_rejected(
    facade: Facade, name: str, points: list[tuple[float, float, float]]
) -> None:
    verdict = classify(
        [(float(t), float(x), float(y)) for t, x, y in points], facade, fps=FPS
    )
    assert not verdict.falling, f"{name} accepted"


def test_insect_random_walk_is_rejected(facade: Facade) -> None:
    rng = np.random.default_rng(5)
    x, y, vx, vy = 500.0, 300.0, 0.0, 0.0
    points = []
    for i in range(60):
        vx += rng.normal(0, 60)
        vy += rng.normal(0, 60)
        x, y = x + vx / FPS, y + vy / FPS
        points.append((i / FPS, x, y))
    assert not classify(points, facade, fps=FPS).falling


_coords = st.floats(-1e4, 1e4, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 10), _coords, _coords), max_size=60))
def test_classifier_never_crashes(
    facade: Facade, raw: list[tuple[float, float, float]]
) -> None:
    points = sorted(raw)
    verdict = classify(points, facade, fps=FPS)
    assert isinstance(verdict.reason, str)
    if verdict.falling:
        assert verdict.fit is not None
        assert localize(verdict.fit, facade) is not None


@settings(max_examples=100, deadline=None)
@given(
    x0=st.floats(150, 850),
    y0=st.floats(120, 500),
    vx=st.floats(-200, 200),
    climb=st.floats(0, 300),
    seed=st.integers(0, 1000),
)
def test_nothing_moving_up_or_level_is_falling(
    facade: Facade, x0: float, y0: float, vx: float, climb: float, seed: int
) -> None:
    """Birds: level or climbing flight with flapping noise is never a fall."""
    rng = np.random.default_rng(seed)
    points = [
        (
            t,
            x0 + vx * t,
            y0 - climb * t + 2 * math.sin(25 * t + seed) + rng.normal(0, 0.5),
        )
        for t in np.arange(0, 1.5, 1 / FPS)
    ]
    assert not classify(points, facade, fps=FPS).falling


@settings(max_examples=100, deadline=None)
@given(
    column=st.integers(0, 7),
    row=st.integers(0, 7),
    ratio=st.floats(0.75, 1.2),
    vx=st.floats(-20, 20),
    seed=st.integers(0, 1000),
)
def test_gravity_like_drops_are_found_at_their_window(
    facade: Facade, column: int, row: int, ratio: float, vx: float, seed: int
) -> None:
    x0 = 100 + 100 * column + 50
    y0 = 100 + 60 * row + 30
    points = _fall(x0, y0, vx=vx, g=ratio * GRAVITY * 20, seed=seed, last=1.3)
    verdict = classify(points, facade, fps=FPS)
    assert verdict.falling, verdict.reason
    assert verdict.fit is not None
    where = localize(verdict.fit, facade)
    assert where is not None
    assert where.best.window.floor == facade.floor_of_row(row)
    assert where.best.window.column == column + 1


def test_late_acceleration_noise_comes_from_the_final_fit() -> None:
    """Two stray points are dropped; acceleration and error are those of the fit without them."""
    g = GRAVITY * 20
    times = np.arange(0, 1.3, 1 / FPS)
    clean = [(float(t), 500.0, 100 + 0.5 * g * t * t) for t in times]
    stray = list(clean)
    for index, offset in ((-4, 12.0), (-9, -9.0)):
        t, x, y = stray[index]
        stray[index] = (t, x, y + offset)
    reference = late_acceleration(clean, 1.3)
    result = late_acceleration(stray, 1.3)
    assert reference is not None
    assert result is not None
    assert result[0] == pytest.approx(g, rel=1e-6)
    # Only the 0.5 px noise floor remains: the stray's residual must not inflate it.
    assert result[1] == pytest.approx(reference[1], rel=0.1)


@pytest.mark.parametrize(("speed", "falling"), [(2.5, True), (3.5, True), (5.0, False)])
def test_sideways_speed_limit(facade: Facade, speed: float, falling: bool) -> None:
    # Already falling at 5 m/s when first seen; 20 px/m horizontally on this facade.
    points = _fall(400, 250, vx=20 * speed, vy=100, first=0.0, last=1.3)
    assert classify(points, facade, fps=FPS).falling is falling


def _dragged_fall(
    terminal: float, px_per_m: float, first: float, last: float, seed: int
) -> list[tuple[float, float, float]]:
    """A drop with quadratic drag (terminal velocity in m/s), observed with 0.5 px noise."""
    rng = np.random.default_rng(seed)
    k = GRAVITY / terminal**2
    y, v, t, dt = 0.0, 0.0, 0.0, 1e-3
    points: list[tuple[float, float, float]] = []
    for frame in range(round(last * FPS)):
        while t < frame / FPS:
            v += (GRAVITY - k * v * v) * dt
            y += v * dt
            t += dt
        if t >= first:
            points.append(
                (
                    frame / FPS,
                    500 + rng.normal(0, 0.5),
                    150 + px_per_m * y + rng.normal(0, 0.5),
                )
            )
    return points


@settings(max_examples=60, deadline=None)
@given(
    terminal=st.floats(15, 60),
    first=st.floats(0.2, 0.6),
    seed=st.integers(0, 1000),
)
def test_a_fall_with_drag_never_slows_down(
    terminal: float, first: float, seed: int
) -> None:
    # Up to 2.5 s of fall: a light object is then close to its terminal velocity.
    points = _dragged_fall(terminal, 8.0, first, 2.5, seed)
    slowest = slowest_stretch(points, 0.6, 0.08, 3.0)
    assert slowest is not None
    _, accel, error = slowest
    assert accel + 3.0 * error >= 0


def test_slowest_stretch_needs_enough_points_and_a_steady_blob() -> None:
    assert slowest_stretch([], 0.6, 0.08, 3.0) is None
    sparse = [(t, 0.0, 100 - 50 * t * t) for t in (0.0, 0.2, 0.4, 0.6)]
    assert slowest_stretch(sparse, 0.6, 0.08, 3.0) is None
    # Rising at first, then braking at 100 px/s² (y grows downwards).
    braking = [(t, 0.0, 100 + 60 * t - 50 * t * t) for t in np.arange(0, 0.64, 0.04)]
    found = slowest_stretch(braking, 0.6, 0.08, 3.0)
    assert found is not None
    assert found[1] == pytest.approx(-100.0)
    growing = [36.0] * 8 + [300.0] * 8
    assert slowest_stretch(braking, 0.6, 0.08, 3.0, growing, 2.5) is None


def _thrown_with_drag(
    terminal: float, vx0: float, vy0: float, seed: int, side_accel: float = 0.0
) -> list[tuple[float, float, float]]:
    """A throw from (350, 190) with quadratic drag, seen from 0.25 s to 1.6 s (0.4 px noise).

    ``side_accel`` (m/s²) adds a sideways push no falling object has.
    """
    rng = np.random.default_rng(seed)
    k = GRAVITY / terminal**2
    x = y = t = 0.0
    vx, vy, dt = vx0, vy0, 1e-3
    points: list[tuple[float, float, float]] = []
    for frame in range(round(1.6 * FPS)):
        while t < frame / FPS:
            speed = math.hypot(vx, vy)
            vx += (side_accel - k * speed * vx) * dt
            vy += (GRAVITY - k * speed * vy) * dt
            x, y, t = x + vx * dt, y + vy * dt, t + dt
        if t >= 0.25:
            points.append(
                (
                    frame / FPS,
                    350 + 20 * x + rng.normal(0, 0.4),
                    190 + 20 * y + rng.normal(0, 0.4),
                )
            )
    return points


@settings(max_examples=80, deadline=None)
@given(
    terminal=st.floats(15, 60),
    vx0=st.floats(-4, 4),
    vy0=st.floats(-3, 0),
    seed=st.integers(0, 1000),
)
def test_drag_never_looks_like_a_sideways_push(
    facade: Facade, terminal: float, vx0: float, vy0: float, seed: int
) -> None:
    # Drag slows a sideways throw, by at most g x speed / 15 m/s: never rejected for it.
    verdict = classify(_thrown_with_drag(terminal, vx0, vy0, seed), facade, fps=FPS)
    assert not verdict.reason.startswith("accelerates sideways")


@pytest.mark.parametrize(
    ("vx0", "side_accel"),
    [
        (0.5, 0.25 * GRAVITY),  # speeds up sideways
        (-1.0, -0.4 * GRAVITY),
        (2.0, -0.5 * GRAVITY),  # brakes sideways harder than drag can
        (0.0, 0.3 * GRAVITY),  # pushed sideways from rest
    ],
)
def test_a_dive_that_accelerates_sideways_is_no_fall(
    facade: Facade, vx0: float, side_accel: float
) -> None:
    points = _thrown_with_drag(40.0, vx0, 0.0, 3, side_accel)
    verdict = classify(points, facade, fps=FPS)
    assert verdict.reason.startswith("accelerates sideways"), verdict.reason
    # Without the push the same dive is a fall.
    assert classify(_thrown_with_drag(40.0, vx0, 0.0, 3), facade, fps=FPS).falling


@pytest.mark.parametrize(
    ("area", "falling"), [(36.0, False), (100.0, True), (400.0, True)]
)
def test_the_scatter_allowed_grows_with_the_blob(
    facade: Facade, area: float, falling: bool
) -> None:
    # The same drop with centroids scattered by 2.3 px rms about the fit (once the fit
    # has dropped its strays): a tumbling 10-20 px object can wander that much about its
    # fall, a blob of one motion pixel (36 px² once dilated) cannot; a chain of such
    # specks is noise that the tracker strung together.
    points = _fall(350, 190, noise=3.5, seed=0)
    verdict = classify(points, facade, fps=FPS, areas=[area] * len(points))
    assert verdict.falling is falling, verdict.reason
    if not falling:
        assert verdict.reason.startswith("scatters more than its blob size allows")
