"""Regression tests for false alarms found in the 60-minute distractor benchmark (seed 7)."""

from typing import Any

import numpy as np
import pytest

from falling_objects.facade import parse_facade
from falling_objects.physics import PhysicsConfig, classify
from falling_objects.pipeline import FallingObjectPipeline, PipelineConfig
from falling_objects.synth import DISTRACTORS, Scene

FPS = 25.0


def _facade(
    building: str,
    column_width: float,
    corners: list[list[float]],
    floors: int,
    columns: int,
) -> Any:
    return parse_facade(
        {
            "building": building,
            "image_size": [1280, 720],
            "floor_height_m": 3.0,
            "column_width_m": column_width,
            "grid": {"corners": corners, "floors": floors, "columns": columns},
        }
    )


# Tracks recorded from distractor clips 100044 and 100049 (leaves): a short swoop of
# about 2 m that fits a parabola near 1.2 g.
LEAF_SWOOPS = [
    (
        _facade(
            "16",
            10.468,
            [[217.42, 35.46], [1051.44, 35.46], [1136.85, 695.57], [149.68, 695.57]],
            14,
            6,
        ),
        [
            (25.16, 804.3, 20.0),
            (25.2, 802.6, 23.2),
            (25.24, 801.9, 24.4),
            (25.28, 800.2, 26.4),
            (25.32, 799.0, 26.3),
            (25.36, 796.7, 27.2),
            (25.4, 795.6, 26.7),
            (25.44, 793.2, 28.5),
            (25.48, 797.0, 28.4),
            (25.52, 792.4, 34.2),
            (25.56, 794.4, 36.1),
            (25.6, 792.8, 39.2),
            (25.64, 794.4, 42.4),
            (25.68, 795.3, 47.3),
            (25.72, 794.6, 47.1),
            (25.76, 797.1, 50.7),
            (25.8, 799.6, 46.5),
            (25.92, 800.5, 31.5),
        ],
    ),
    (
        _facade(
            "22",
            7.05,
            [[278.75, 57.37], [1138.4, 57.37], [1159.57, 646.41], [236.79, 646.41]],
            15,
            10,
        ),
        [
            (6.2, 808.5, 244.3),
            (6.24, 808.7, 244.4),
            (6.28, 807.9, 244.3),
            (6.32, 805.9, 245.2),
            (6.36, 805.3, 245.6),
            (6.4, 801.5, 248.5),
            (6.44, 799.7, 250.6),
            (6.48, 797.9, 252.5),
            (6.52, 795.2, 255.8),
            (6.56, 793.5, 257.5),
            (6.6, 791.3, 259.7),
            (6.64, 788.9, 261.8),
            (6.8, 796.5, 273.5),
        ],
    ),
]


@pytest.mark.parametrize(("facade", "points"), LEAF_SWOOPS)
def test_short_leaf_swoops_are_not_falls(
    facade: Any, points: list[tuple[float, float, float]]
) -> None:
    assert not classify(points, facade, fps=FPS).falling
    # The previous limits (2 m descent, no late-acceleration test) accepted them.
    assert classify(
        points, facade, PhysicsConfig(min_drop_m=2.0, late_accel_z=1e9), fps=FPS
    ).falling


def _pipeline_events(seed: int, config: PipelineConfig | None) -> list[float]:
    pick = np.random.default_rng(seed)
    chosen = tuple(d for d in DISTRACTORS if pick.random() < 0.7) or ("birds", "rain")
    scene = Scene(
        seed, width=1280, height=720, objects=0, distractors=chosen, duration=2.0
    )
    pipeline = FallingObjectPipeline(
        scene.facade, scene.fps, scene.width, scene.height, config
    )
    events = []
    for index, frame in enumerate(scene.frames()):
        events += pipeline.process(frame, index / scene.fps)
    events += pipeline.flush()
    return [event.start_time for event in events]


@pytest.mark.parametrize("seed", [100070, 100096])
def test_motion_already_under_way_at_the_first_frame_is_no_event(seed: int) -> None:
    # Insects and leaves moving at the first frames: the old limits reported an event
    # whose release lay before the clip started.
    old = PipelineConfig(
        warmup=-1e9,
        physics=PhysicsConfig(min_drop_m=2.0, late_accel_z=1e9, min_kept_share=0.0),
    )
    assert any(t < 0 for t in _pipeline_events(seed, old))
    assert _pipeline_events(seed, None) == []
