"""Regression tests: false alarms recorded from distractor clips, real falls near the limits."""

from typing import Any

import numpy as np
import pytest

from falling_objects.facade import parse_facade
from falling_objects.physics import PhysicsConfig, classify
from falling_objects.pipeline import FallingObjectPipeline, PipelineConfig
from falling_objects.synth import DISTRACTORS, Scene
from falling_objects.track import Track

from .scenes import OLD_TRACKER, run_scene

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
    # The previous limits (2 m descent, no late-acceleration test, loose tails kept)
    # accepted them.
    old = PhysicsConfig(
        side_accel_tolerance=1e9,
        min_drop_m=2.0,
        late_accel_z=1e9,
        loose_tail_frames=1e9,
    )
    assert classify(points, facade, old, fps=FPS).falling


# Track recorded from distractor clip 100779 (insects and rain): a drift that turns into
# a slow dive. In pixels (one scale for the whole track) it fits 0.52 g, within the pixel
# limits; measured in metres on the facade it falls at under 0.55 g.
SLOW_DIVES = [
    (
        _facade(
            "10",
            4.645,
            [[268.12, 31.08], [1118.78, 31.08], [1131.95, 651.51], [231.28, 651.51]],
            16,
            15,
        ),
        [
            (11.96, 260.5, 632.5),
            (12.04, 259.5, 640.5),
            (12.08, 260.7, 641.1),
            (12.12, 262.7, 642.4),
            (12.16, 263.2, 641.8),
            (12.20, 264.2, 643.3),
            (12.24, 264.5, 644.3),
            (12.28, 264.2, 646.4),
            (12.32, 264.5, 646.7),
            (12.36, 262.7, 646.7),
            (12.40, 263.7, 647.7),
            (12.44, 266.4, 649.8),
            (12.48, 266.0, 649.9),
            (12.52, 269.1, 651.9),
            (12.56, 269.8, 651.7),
            (12.60, 270.3, 652.0),
            (12.64, 272.7, 654.3),
            (12.68, 274.4, 657.2),
            (12.72, 276.5, 656.3),
            (12.76, 278.7, 658.3),
            (12.80, 280.7, 660.3),
            (12.84, 282.1, 660.8),
            (12.88, 284.3, 662.7),
            (12.92, 284.6, 664.9),
            (12.96, 286.7, 668.3),
            (13.00, 288.3, 672.3),
            (13.04, 288.4, 674.5),
            (13.08, 288.8, 676.8),
            (13.12, 288.8, 680.8),
            (13.16, 288.7, 684.7),
            (13.20, 290.2, 688.6),
            (13.24, 290.6, 692.9),
            (13.28, 292.2, 696.9),
            (13.32, 292.6, 700.9),
            (13.36, 294.3, 706.3),
            (13.40, 296.2, 710.6),
            (13.44, 296.5, 714.7),
            (13.48, 296.8, 716.6),
            (13.56, 294.5, 716.5),
            (13.64, 294.5, 717.5),
            (13.68, 296.5, 716.5),
            (13.72, 296.5, 716.5),
        ],
    ),
]


@pytest.mark.parametrize(("facade", "points"), SLOW_DIVES)
def test_slow_dives_are_not_falls(
    facade: Any, points: list[tuple[float, float, float]]
) -> None:
    verdict = classify(points, facade, fps=FPS)
    assert not verdict.falling
    assert "on the facade" in verdict.reason
    assert classify(
        points,
        facade,
        PhysicsConfig(side_accel_tolerance=1e9, min_metric_accel=0.0),
        fps=FPS,
    ).falling


# Real falls from the object benchmark (seed 1000) near the new limits: clip 1050 is the
# lowest acceleration on the facade (about 0.6 g, an object first seen late), clip 1099
# a track that ends on a static blob after the tracker lost the object.
REAL_FALLS = [
    (
        _facade(
            "1",
            6.049,
            [[153.52, 47.84], [1028.07, 47.84], [1121.60, 675.32], [109.37, 675.32]],
            10,
            8,
        ),
        [
            (0.76, 578.9, 102.7),
            (0.96, 539.4, 122.6),
            (1.00, 537.7, 123.2),
            (1.04, 536.4, 124.0),
            (1.12, 534.4, 127.3),
            (1.20, 530.6, 130.7),
            (1.24, 529.5, 133.2),
            (1.28, 527.8, 135.8),
            (1.32, 527.3, 138.5),
            (1.36, 526.4, 141.1),
            (1.40, 524.3, 142.5),
            (1.52, 521.5, 159.5),
            (1.56, 519.8, 162.3),
            (1.60, 519.1, 168.2),
            (1.64, 517.0, 173.4),
            (1.68, 515.8, 178.8),
            (1.72, 514.5, 184.1),
            (1.76, 513.4, 190.4),
            (1.80, 511.8, 196.6),
            (1.84, 510.1, 196.0),
            (1.92, 508.5, 194.5),
        ],
    ),
    (
        _facade(
            "5",
            3.292,
            [[256.05, 62.57], [1082.70, 62.57], [1156.64, 681.64], [230.17, 681.64]],
            11,
            15,
        ),
        [
            (1.96, 1071.5, 202.5),
            (2.00, 1068.5, 204.5),
            (2.04, 1069.9, 206.7),
            (2.08, 1069.2, 210.1),
            (2.12, 1069.5, 213.5),
            (2.16, 1070.3, 216.4),
            (2.20, 1070.7, 220.4),
            (2.24, 1071.6, 223.7),
            (2.28, 1072.1, 228.3),
            (2.32, 1070.7, 231.4),
            (2.40, 1077.6, 241.3),
            (2.44, 1078.7, 249.6),
            (2.48, 1075.5, 256.1),
            (2.52, 1076.4, 258.6),
            (2.56, 1077.2, 264.4),
            (2.60, 1075.1, 272.7),
            (2.64, 1076.8, 273.3),
            (2.72, 1069.8, 274.6),
            (2.76, 1064.5, 272.5),
            (2.84, 1066.5, 274.5),
        ],
    ),
]


@pytest.mark.parametrize(("facade", "points"), REAL_FALLS)
def test_recorded_real_falls_are_falls(
    facade: Any, points: list[tuple[float, float, float]]
) -> None:
    assert classify(points, facade, fps=FPS).falling


def _split(
    track: list[tuple[float, float, float, float]],
) -> tuple[list[tuple[float, float, float]], list[float]]:
    """Split recorded (t, x, y, area) observations into points and areas."""
    return [(t, x, y) for t, x, y, _ in track], [area for *_, area in track]


def _pipeline_events(
    seed: int, config: PipelineConfig | None, duration: float = 2.0
) -> list[float]:
    pick = np.random.default_rng(seed)
    chosen = tuple(d for d in DISTRACTORS if pick.random() < 0.7) or ("birds", "rain")
    scene = Scene(
        seed, width=1280, height=720, objects=0, distractors=chosen, duration=duration
    )
    return [event.start_time for event in run_scene(scene, config)]


@pytest.mark.parametrize("seed", [100070, 100096])
def test_motion_already_under_way_at_the_first_frame_is_no_event(seed: int) -> None:
    # Insects and leaves moving at the first frames: the old limits reported an event
    # whose release lay before the clip started.
    old = PipelineConfig(
        warmup=-1e9,
        physics=PhysicsConfig(
            side_accel_tolerance=1e9,
            min_drop_m=2.0,
            late_accel_z=1e9,
            min_kept_share=0.0,
        ),
        tracker=OLD_TRACKER,
        head_limit=0.0,
    )
    assert any(t < 0 for t in _pipeline_events(seed, old))
    assert _pipeline_events(seed, None) == []


def test_an_insect_that_flew_in_and_dived_is_no_event() -> None:
    # Distractor clip 100094: an insect flies about for three seconds, the tracker loses
    # it for a frame, and the new track dives like a fall released a second earlier.
    old = PipelineConfig(prior_flight_m=1e9, tracker=OLD_TRACKER, head_limit=0.0)
    assert any(4.0 < t < 4.3 for t in _pipeline_events(100094, old, duration=7.0))
    assert _pipeline_events(100094, None, duration=7.0) == []


def test_a_release_too_early_to_vouch_for_is_no_event() -> None:
    # Distractor clip 127043: an insect followed from the motion stage's first frames
    # (0.2 s) dives; its fall fits a release at 0.51 s, just after the old warm-up of
    # 0.5 s, but only 0.43 s after the first frame reported on (0.08 s), too early for
    # the earlier-flight rule to have seen five observations before 0.25 s ahead of it.
    old = PipelineConfig(warmup=0.42)
    assert _pipeline_events(127043, old, duration=30.0) == [pytest.approx(0.507, 0.01)]
    assert _pipeline_events(127043, None, duration=30.0) == []


def test_a_flight_before_a_track_judged_from_a_later_start_vetoes_it() -> None:
    # Distractor clip 129059: an insect flew across the facade, the tracker lost it for
    # a frame, and the new track (from 19.96 s) dived. The whole track failed the fall
    # test; from a later start (20.96 s) it passed, and the earlier flight was looked
    # for only near that later start, a second after it had ended: an alarm at 19.93 s.
    # The earlier flight is now looked for where the whole track began.
    assert _pipeline_events(129059, None, duration=22.0) == []


# Tracks recorded from distractor clips 108049 and 108052 (insects), with the blob area
# of each observation: dives that fit a fall near g over the fit window, but the first
# brakes to half its speed after 0.1 s and the second slows down again two seconds in.
BRAKING_DIVES = [
    (
        _facade(
            "3",
            6.707,
            [[338.02, 67.73], [1056.51, 67.73], [1101.71, 644.35], [281.37, 644.35]],
            11,
            7,
        ),
        [
            (22.96, 830.0, 161.0, 212),
            (23.0, 828.3, 167.7, 148),
            (23.04, 826.3, 168.7, 88),
            (23.08, 824.5, 172.8, 92),
            (23.28, 820.7, 196.7, 88),
            (23.32, 823.0, 200.6, 108),
            (23.36, 822.3, 206.3, 96),
            (23.4, 822.5, 210.2, 92),
            (23.44, 822.5, 212.8, 92),
            (23.48, 822.3, 216.7, 96),
            (23.52, 822.3, 220.7, 96),
            (23.56, 821.5, 222.5, 48),
            (23.68, 816.5, 238.5, 36),
            (23.72, 817.5, 245.5, 64),
            (23.76, 815.6, 250.7, 100),
            (23.8, 814.8, 258.5, 92),
            (23.84, 814.5, 266.2, 92),
            (23.88, 811.5, 273.5, 64),
            (23.92, 809.7, 281.7, 60),
            (23.96, 808.9, 294.5, 180),
            (24.0, 807.3, 298.6, 108),
            (24.04, 803.7, 306.6, 108),
            (24.08, 801.3, 316.4, 108),
            (24.12, 798.5, 324.2, 92),
            (24.16, 796.3, 331.7, 76),
            (24.2, 792.7, 341.3, 76),
            (24.24, 790.5, 348.8, 92),
            (24.28, 788.8, 356.5, 92),
            (24.32, 785.7, 366.6, 108),
            (24.36, 784.5, 376.2, 92),
            (24.4, 779.5, 385.5, 64),
            (24.44, 777.5, 395.5, 64),
            (24.48, 777.2, 405.1, 140),
            (24.52, 772.2, 414.5, 92),
            (24.56, 777.8, 429.3, 380),
            (24.6, 780.5, 450.5, 36),
        ],
    ),
    (
        _facade(
            "28",
            7.609,
            [[222.16, 52.41], [1127.93, 52.41], [1172.01, 628.56], [140.46, 628.56]],
            17,
            12,
        ),
        [
            (4.08, 567.8, 182.9, 132),
            (4.12, 574.5, 182.5, 36),
            (4.16, 572.5, 184.5, 36),
            (4.2, 570.5, 186.5, 36),
            (4.24, 568.5, 188.5, 36),
            (4.28, 566.5, 190.5, 36),
            (4.32, 562.5, 192.5, 36),
            (4.36, 560.5, 194.5, 36),
            (4.4, 559.7, 197.7, 60),
            (4.44, 557.7, 201.3, 60),
            (4.48, 557.3, 205.3, 60),
            (4.52, 555.7, 209.3, 60),
            (4.56, 557.3, 213.3, 60),
            (4.68, 554.5, 224.5, 36),
            (4.72, 555.1, 227.1, 84),
            (4.76, 551.7, 231.7, 60),
            (4.8, 551.9, 233.0, 100),
            (4.84, 551.5, 239.5, 64),
            (4.88, 553.3, 243.3, 60),
            (4.92, 555.3, 251.9, 204),
            (4.96, 552.5, 252.5, 36),
            (5.0, 554.5, 256.5, 36),
            (5.04, 555.5, 262.5, 48),
            (5.08, 555.7, 267.3, 60),
            (5.12, 559.9, 277.9, 120),
            (5.16, 557.5, 279.5, 64),
            (5.2, 556.5, 288.5, 36),
            (5.24, 556.5, 297.2, 72),
            (5.28, 557.3, 303.7, 60),
            (5.32, 557.5, 312.5, 48),
            (5.4, 559.5, 331.5, 64),
            (5.44, 559.7, 341.3, 60),
            (5.48, 560.5, 350.5, 36),
            (5.52, 559.7, 361.3, 60),
            (5.56, 557.7, 369.7, 60),
            (5.6, 557.3, 379.3, 60),
            (5.64, 557.3, 385.7, 60),
            (5.68, 557.3, 393.7, 60),
            (5.72, 557.5, 401.5, 64),
            (5.76, 556.5, 409.8, 72),
            (5.88, 553.5, 435.5, 64),
            (5.92, 553.5, 445.5, 64),
            (5.96, 552.5, 454.5, 36),
            (6.0, 552.5, 464.5, 36),
            (6.04, 552.5, 473.8, 72),
            (6.08, 551.7, 483.7, 60),
            (6.12, 551.7, 493.7, 60),
            (6.16, 549.5, 504.5, 48),
            (6.2, 549.5, 513.5, 64),
            (6.24, 549.3, 523.3, 60),
            (6.28, 548.5, 532.5, 36),
            (6.32, 546.5, 540.5, 36),
            (6.36, 545.3, 547.7, 60),
            (6.4, 543.5, 557.5, 64),
            (6.44, 542.5, 564.5, 36),
            (6.48, 538.5, 574.5, 36),
            (6.52, 535.7, 585.3, 60),
            (6.56, 533.5, 595.5, 64),
            (6.68, 525.3, 623.7, 60),
            (6.72, 521.7, 633.3, 60),
            (6.76, 519.3, 639.7, 60),
            (6.8, 515.3, 647.3, 60),
            (6.84, 511.7, 653.7, 60),
            (6.88, 509.3, 661.7, 60),
            (6.92, 507.3, 667.7, 60),
            (6.96, 505.3, 673.7, 60),
            (7.0, 503.7, 681.3, 60),
            (7.04, 501.7, 687.7, 60),
            (7.08, 499.7, 695.3, 60),
            (7.12, 502.7, 696.1, 200),
            (7.16, 499.3, 707.3, 60),
            (7.2, 497.3, 713.3, 60),
        ],
    ),
]


@pytest.mark.parametrize(("facade", "track"), BRAKING_DIVES)
def test_dives_that_brake_are_not_falls(
    facade: Any, track: list[tuple[float, float, float, float]]
) -> None:
    points, areas = _split(track)
    assert not classify(points, facade, fps=FPS, areas=areas).falling
    # The steady test rejects both on its own (one also accelerates sideways)...
    verdict = classify(
        points,
        facade,
        PhysicsConfig(side_accel_tolerance=1e9, blob_scatter=1e9),
        fps=FPS,
        areas=areas,
    )
    assert verdict.reason.startswith("slows down while falling")
    # ... and without it both passed every other test.
    assert classify(
        points,
        facade,
        PhysicsConfig(side_accel_tolerance=1e9, steady_z=1e9, blob_scatter=1e9),
        fps=FPS,
        areas=areas,
    ).falling


# A 12 px object dropped from floor 4 in object clip 20048: while it is slow the motion
# stage sees only its leading edge (36 px² blobs ahead of its centre); once the whole
# object stands out (130-330 px²) the centroid falls back, which looks like braking.
LEADING_EDGE_FALL = (
    _facade(
        "3",
        5.786,
        [[357.85, 61.47], [999.99, 61.47], [1052.58, 620.26], [298.15, 620.26]],
        20,
        14,
    ),
    [
        (1.28, 646.5, 504.5, 36),
        (1.4, 646.5, 506.5, 36),
        (1.48, 642.5, 514.5, 36),
        (1.56, 642.5, 513.5, 48),
        (1.6, 642.5, 522.5, 36),
        (1.64, 642.5, 528.5, 36),
        (1.68, 639.3, 530.1, 128),
        (1.72, 638.6, 531.0, 176),
        (1.76, 638.7, 532.2, 208),
        (1.8, 637.9, 534.2, 272),
        (1.84, 638.4, 536.7, 320),
        (1.88, 638.0, 539.3, 292),
        (1.92, 637.3, 541.0, 264),
        (1.96, 637.5, 543.9, 252),
        (2.0, 637.3, 547.3, 304),
        (2.04, 637.5, 553.0, 244),
        (2.08, 637.1, 557.2, 224),
        (2.12, 635.9, 560.3, 276),
        (2.16, 637.1, 566.5, 260),
        (2.2, 637.2, 568.6, 332),
        (2.24, 635.9, 574.1, 296),
        (2.28, 635.8, 577.9, 276),
        (2.32, 635.7, 582.7, 288),
        (2.36, 635.0, 589.4, 300),
        (2.4, 634.4, 593.6, 316),
        (2.44, 635.1, 598.9, 320),
        (2.48, 635.6, 603.5, 312),
        (2.52, 636.1, 609.5, 340),
        (2.56, 634.4, 614.6, 304),
    ],
)


def test_a_blob_that_grows_is_not_taken_for_braking() -> None:
    facade, track = LEADING_EDGE_FALL
    points, areas = _split(track)
    assert classify(points, facade, fps=FPS, areas=areas).falling
    # Without the areas the steady test cannot tell the jump from braking (nor the
    # sideways test the leading edge's centroid from the object's).
    no_sideways = PhysicsConfig(side_accel_tolerance=1e9)
    assert classify(points, facade, no_sideways, fps=FPS).reason.startswith(
        "slows down"
    )
    assert classify(points, facade, fps=FPS).reason.startswith("accelerates sideways")


def test_an_insect_lost_and_found_further_on_is_no_event() -> None:
    # Distractor clip 105111: an insect flies down for 0.8 s, the tracker loses it for
    # 0.28 s, and it reappears 1.6 m further on, where it was heading, diving like a
    # fall. Its earlier track only matches once carried on at its last velocity.
    disabled = PipelineConfig(prior_flight_m=1e9)
    assert any(2.5 < t < 2.8 for t in _pipeline_events(105111, disabled, 6.0))
    assert _pipeline_events(105111, None, 6.0) == []


# Track recorded from distractor clip 106001 (leaves and rain): a leaf drifting down at
# under 1 m/s, lost after 10.8 s; the tracker's widened gate then took two rain streaks
# further down (after four and six missed frames) for it, and the track seemed to fall.
LOOSE_TAIL = (
    _facade(
        "12",
        6.987,
        [[124.56, 66.83], [995.54, 66.83], [1074.71, 653.95], [80.18, 653.95]],
        11,
        8,
    ),
    [
        (9.84, 239.3, 401.3),
        (9.88, 238.3, 404.6),
        (9.92, 237.2, 405.8),
        (9.96, 235.3, 408.3),
        (10.0, 233.2, 408.7),
        (10.04, 231.5, 408.8),
        (10.08, 229.7, 410.4),
        (10.12, 229.8, 410.5),
        (10.2, 227.1, 410.8),
        (10.28, 227.1, 412.7),
        (10.32, 229.3, 411.3),
        (10.36, 229.1, 413.6),
        (10.4, 229.8, 413.6),
        (10.44, 231.1, 415.7),
        (10.48, 233.7, 417.9),
        (10.52, 233.2, 420.9),
        (10.56, 235.3, 423.3),
        (10.6, 237.3, 426.4),
        (10.64, 237.7, 427.7),
        (10.68, 239.1, 429.1),
        (10.72, 240.1, 431.9),
        (10.8, 238.6, 440.9),
        (10.96, 238.5, 462.5),
        (11.2, 236.5, 491.5),
    ],
)


def test_a_track_that_ends_in_hops_is_judged_without_them() -> None:
    facade, points = LOOSE_TAIL
    verdict = classify(points, facade, fps=FPS)
    assert not verdict.falling
    assert verdict.reason == "no net descent"
    assert classify(
        points,
        facade,
        PhysicsConfig(side_accel_tolerance=1e9, loose_tail_frames=1e9),
        fps=FPS,
    ).falling


# Tracks recorded from distractor clips 110010 (an insect seen for 0.56 s whose fit cannot
# tell 0.7 g from braking) and 109024 (the edge of a swaying tree, its blob growing from
# 48 to 1,300 px², whose track hopped down 27 px after three missed frames).
UNPROVEN_FALLS = [
    (
        _facade(
            "3",
            11.854,
            [[163.84, 36.15], [1077.27, 36.15], [1126.87, 658.38], [114.5, 658.38]],
            17,
            7,
        ),
        [
            (25.68, 1092.7, 68.1, 100),
            (25.76, 1089.2, 58.3, 424),
            (25.92, 1084.5, 57.5, 48),
            (26.0, 1082.5, 64.5, 36),
            (26.04, 1081.3, 65.7, 60),
            (26.08, 1082.5, 64.5, 60),
            (26.12, 1082.5, 69.5, 72),
            (26.16, 1082.5, 66.5, 68),
            (26.2, 1084.9, 70.3, 100),
            (26.24, 1084.5, 71.5, 88),
            (26.28, 1086.5, 78.5, 36),
            (26.4, 1086.5, 86.5, 36),
            (26.44, 1086.5, 86.5, 36),
            (26.48, 1083.5, 88.5, 48),
            (26.72, 1054.5, 93.5, 96),
        ],
        "acceleration not established",
    ),
    (
        _facade(
            "4",
            6.496,
            [[239.93, 81.86], [1070.08, 81.86], [1099.67, 650.93], [237.06, 650.93]],
            10,
            7,
        ),
        [
            (13.48, 236.5, 189.5, 48),
            (13.56, 233.5, 192.5, 72),
            (13.64, 234.1, 194.7, 120),
            (13.68, 231.8, 192.7, 464),
            (13.72, 231.2, 196.8, 448),
            (13.76, 231.6, 197.1, 608),
            (13.8, 230.8, 199.1, 644),
            (13.84, 229.3, 199.4, 804),
            (13.88, 229.0, 202.6, 872),
            (13.92, 228.2, 202.3, 1024),
            (13.96, 227.7, 205.4, 1120),
            (14.0, 226.5, 207.3, 1088),
            (14.04, 225.7, 211.1, 1116),
            (14.08, 224.6, 211.6, 1296),
            (14.24, 231.4, 238.6, 360),
            (14.28, 231.5, 242.6, 420),
            (14.32, 234.5, 243.5, 72),
            (14.36, 234.5, 240.5, 36),
        ],
        "blob size changes too much",
    ),
]


@pytest.mark.parametrize(("facade", "track", "reason"), UNPROVEN_FALLS)
def test_falls_without_evidence_are_not_falls(
    facade: Any, track: list[tuple[float, float, float, float]], reason: str
) -> None:
    points, areas = _split(track)
    verdict = classify(points, facade, fps=FPS, areas=areas)
    assert not verdict.falling
    assert verdict.reason.startswith(reason)
    lenient = PhysicsConfig(
        side_accel_tolerance=1e9, min_accel_evidence=-1e9, max_size_change=1e9
    )
    assert classify(points, facade, lenient, fps=FPS, areas=areas).falling


def test_a_chain_of_hops_before_a_release_does_not_veto_the_fall() -> None:
    # Object clip 30008: a bottle let go from 16-4-06 at 1.20 s. A chain of six blobs
    # 3-5 frames apart (0.32-1.04 s) ended 1.4 m from where it was let go; counted as a
    # flyer, it vetoed the fall.
    scene = Scene(30008, width=1280, height=720, objects=1)
    assert run_scene(scene, PipelineConfig(prior_density=0.0)) == []
    assert [event.window.label for event in run_scene(scene, None)] == ["16-4-06"]


def test_a_flyer_lost_twice_before_its_dive_is_no_event() -> None:
    # Distractor clip 115023: an insect followed for a second (4.32-5.36 s), then seen
    # twice as a track of its own (5.40-5.44 s), then diving from 5.48 s. Looking only
    # at tracks that ended near where the dive began, the insect's long track ended
    # 1.53 m from it, beyond the 1.5 m limit, and the dive was an event.
    old = PipelineConfig(
        prior_links=0,
        tracker=OLD_TRACKER,
        head_limit=0.0,
        physics=PhysicsConfig(side_accel_tolerance=1e9),
    )
    assert _pipeline_events(115023, old, 8.8) != []
    assert _pipeline_events(115023, None, 8.8) == []
    # With the old tracking and no sideways test, the chain of pieces alone rejects it.
    chained = PipelineConfig(
        tracker=OLD_TRACKER,
        head_limit=0.0,
        physics=PhysicsConfig(side_accel_tolerance=1e9),
    )
    assert _pipeline_events(115023, chained, 8.8) == []


# Tracks recorded from distractor clips at night or under heavy compression: chains of
# noise specks (mostly single pixels of the motion stage, 36 px² once dilated) that the
# tracker strung along a fall's prediction. Each passed every other test; they scatter
# about their fit by the width of the tracker's gate, far more than so small a blob's
# centroid can wander.
SPECK_CHAINS = [
    # Distractor clip 160022
    (
        _facade(
            "26",
            9.844,
            [[330.1, 43.58], [982.05, 43.58], [1067.87, 643.15], [280.93, 643.15]],
            20,
            8,
        ),
        [
            (25.84, 268.5, 523.5, 48),
            (25.88, 267.3, 520.6, 164),
            (25.92, 267.3, 526.7, 160),
            (25.96, 266.5, 524.5, 36),
            (26.0, 268.5, 528.5, 36),
            (26.04, 270.5, 520.5, 36),
            (26.08, 269.9, 525.5, 120),
            (26.12, 270.5, 522.5, 84),
            (26.24, 272.5, 523.5, 72),
            (26.28, 272.5, 522.5, 84),
            (26.36, 274.8, 530.5, 188),
            (26.4, 274.5, 524.5, 36),
            (26.44, 275.2, 528.0, 172),
            (26.48, 271.7, 537.6, 76),
            (26.52, 272.5, 538.5, 36),
            (26.6, 272.5, 538.5, 36),
            (26.68, 276.5, 548.5, 36),
            (26.76, 276.5, 558.5, 36),
            (26.84, 278.5, 568.5, 36),
            (26.96, 260.5, 596.5, 36),
            (27.0, 264.5, 598.5, 36),
            (27.04, 260.5, 600.5, 36),
            (27.12, 256.5, 616.5, 60),
            (27.32, 250.5, 640.5, 36),
            (27.4, 248.5, 650.5, 36),
        ],
    ),
    # Distractor clip 119026
    (
        _facade(
            "23",
            4.076,
            [[201.17, 35.53], [1101.3, 35.53], [1179.06, 642.83], [106.52, 642.83]],
            10,
            13,
        ),
        [
            (16.84, 1139.5, 483.5, 72),
            (16.92, 1146.1, 487.8, 164),
            (16.96, 1141.5, 495.5, 128),
            (17.08, 1144.5, 520.5, 36),
            (17.12, 1140.5, 516.5, 36),
            (17.16, 1146.5, 530.5, 36),
            (17.24, 1142.5, 556.5, 36),
            (17.32, 1156.5, 568.5, 36),
            (17.36, 1152.5, 576.5, 36),
            (17.44, 1156.5, 600.5, 36),
            (17.52, 1152.5, 616.5, 36),
            (17.56, 1163.5, 633.5, 72),
            (17.64, 1142.5, 650.5, 36),
            (17.72, 1132.5, 681.5, 96),
            (17.76, 1126.5, 688.5, 36),
        ],
    ),
    # Distractor clip 113058
    (
        _facade(
            "8",
            6.675,
            [[274.27, 35.99], [969.8, 35.99], [1029.58, 640.87], [222.12, 640.87]],
            10,
            6,
        ),
        [
            (22.0, 503.9, 93.8, 176),
            (22.08, 504.5, 94.5, 36),
            (22.16, 502.5, 110.5, 36),
            (22.2, 501.5, 108.5, 144),
            (22.24, 500.5, 122.5, 36),
            (22.28, 493.5, 132.5, 72),
            (22.32, 492.5, 128.5, 36),
            (22.4, 495.5, 145.5, 72),
            (22.44, 488.5, 154.5, 60),
            (22.48, 490.5, 158.5, 36),
            (22.52, 476.5, 172.5, 36),
            (22.56, 484.5, 170.5, 36),
            (22.6, 488.5, 186.5, 36),
            (22.64, 486.5, 188.5, 36),
        ],
    ),
    # Distractor clip 113088
    (
        _facade(
            "2",
            10.182,
            [[164.01, 67.82], [1039.12, 67.82], [1130.02, 639.49], [71.7, 639.49]],
            11,
            6,
        ),
        [
            (26.88, 1079.5, 152.5, 48),
            (26.92, 1072.5, 155.5, 72),
            (26.96, 1072.3, 148.7, 272),
            (27.0, 1072.5, 158.5, 36),
            (27.04, 1072.2, 170.5, 144),
            (27.08, 1068.5, 161.5, 48),
            (27.12, 1062.5, 166.5, 36),
            (27.16, 1062.5, 168.5, 36),
            (27.2, 1062.5, 174.5, 36),
            (27.24, 1062.5, 178.5, 36),
            (27.28, 1060.5, 186.5, 36),
            (27.32, 1060.5, 184.5, 36),
            (27.36, 1058.5, 188.5, 36),
            (27.44, 1062.5, 208.5, 36),
        ],
    ),
]


@pytest.mark.parametrize(("facade", "track"), SPECK_CHAINS)
def test_chains_of_noise_specks_are_not_falls(
    facade: Any, track: list[tuple[float, float, float, float]]
) -> None:
    points, areas = _split(track)
    verdict = classify(points, facade, fps=FPS, areas=areas)
    assert verdict.reason.startswith("scatters more than its blob size allows")
    lenient = PhysicsConfig(blob_scatter=1e9)
    assert classify(points, facade, lenient, fps=FPS, areas=areas).falling
    # Without the blob areas the scatter cannot be judged, and the chain passes.
    assert classify(points, facade, fps=FPS).falling


# Track recorded from distractor clip 124042 (t, x, y, blob area): an insect that flew
# down and across the facade at 8 m/s sideways for 0.4 s, then turned into a straight
# dive. Judged from a later start, the dive fits a fall let go at 21.45 s, just before
# the track began, so no flight lies before that release; from it on, the same track
# shows the insect metres (several blob sizes) from where the fall, carried back, would be.
INSECT_ELSEWHERE = [
    (21.56, 241.5, 286.5, 48.0),
    (21.60, 243.5, 288.5, 48.0),
    (21.64, 247.7, 291.3, 60.0),
    (21.68, 250.5, 293.5, 48.0),
    (21.72, 254.5, 292.5, 36.0),
    (21.76, 257.7, 295.7, 60.0),
    (21.80, 261.3, 297.7, 60.0),
    (21.84, 265.3, 299.7, 60.0),
    (21.88, 267.7, 303.3, 60.0),
    (21.92, 271.7, 307.7, 60.0),
    (21.96, 275.7, 313.7, 60.0),
    (22.00, 279.3, 321.3, 60.0),
    (22.04, 282.5, 326.5, 36.0),
    (22.08, 288.5, 333.8, 72.0),
    (22.12, 293.3, 340.7, 76.0),
    (22.16, 295.7, 348.4, 108.0),
    (22.20, 298.5, 353.5, 80.0),
    (22.24, 301.7, 361.3, 60.0),
    (22.28, 303.3, 367.3, 60.0),
    (22.32, 305.5, 372.5, 48.0),
    (22.36, 307.3, 379.3, 60.0),
    (22.40, 309.3, 385.3, 60.0),
    (22.44, 311.5, 391.5, 56.0),
    (22.48, 313.3, 397.3, 60.0),
    (22.52, 316.5, 403.2, 72.0),
    (22.56, 316.7, 409.3, 76.0),
    (22.60, 319.2, 416.2, 104.0),
    (22.64, 319.8, 422.8, 104.0),
    (22.68, 321.3, 429.7, 60.0),
    (22.72, 320.5, 438.5, 36.0),
    (22.76, 322.5, 445.5, 48.0),
    (22.80, 323.3, 453.3, 60.0),
    (22.84, 324.5, 460.5, 36.0),
    (22.88, 326.5, 471.5, 48.0),
    (22.92, 326.5, 480.5, 36.0),
    (22.96, 328.5, 491.2, 72.0),
    (23.00, 331.7, 501.3, 60.0),
    (23.04, 333.7, 511.3, 60.0),
    (23.08, 335.3, 521.3, 60.0),
    (23.12, 336.5, 529.5, 48.0),
    (23.16, 336.5, 539.5, 48.0),
    (23.20, 336.5, 546.5, 36.0),
    (23.24, 337.7, 555.7, 60.0),
    (23.28, 339.5, 566.5, 48.0),
    (23.32, 341.3, 575.3, 60.0),
    (23.36, 341.7, 585.3, 60.0),
    (23.40, 342.5, 594.5, 36.0),
    (23.44, 342.5, 604.5, 36.0),
    (23.48, 341.7, 615.3, 60.0),
    (23.52, 341.3, 625.3, 60.0),
    (23.56, 340.5, 633.5, 48.0),
    (23.60, 339.7, 643.3, 60.0),
    (23.64, 337.7, 653.3, 60.0),
    (23.68, 335.7, 661.7, 60.0),
    (23.72, 335.3, 671.3, 60.0),
    (23.76, 331.5, 680.5, 48.0),
    (23.80, 329.3, 689.7, 60.0),
    (23.92, 326.5, 712.5, 36.0),
    (23.96, 312.5, 717.5, 24.0),
]


def test_an_insect_elsewhere_when_its_fall_began_is_no_event() -> None:
    facade = _facade(
        "28",
        7.278,
        [[206.76, 50.52], [1036.38, 50.52], [1035.2, 693.87], [168.1, 693.87]],
        18,
        10,
    )
    points, areas = _split(INSECT_ELSEWHERE)
    track = Track(
        1, [p[0] for p in points], [p[1] for p in points], [p[2] for p in points], areas
    )

    def judge(config: PipelineConfig | None) -> tuple[Track, Any]:
        return FallingObjectPipeline(facade, FPS, 1280, 720, config)._classify(track)

    judged, verdict = judge(None)
    assert not verdict.falling
    assert verdict.reason == "was elsewhere after its release"
    assert verdict.fit is not None
    assert verdict.fit.release_time < track.times[0] < judged.times[0]
    assert judge(PipelineConfig(head_off_fall=1e9))[1].falling
