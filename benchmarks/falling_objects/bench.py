"""Benchmark the falling-object detector against a naive baseline on synthetic clips.

Usage: .venv/bin/python benchmarks/falling_objects/bench.py [--clips 100] [--distractor-minutes 20]

The baseline's thousands of false alarms make it slower than the detector on distractor
clips; ``--no-baseline-distractors`` runs it on the object clips only (for extra hours of
false-alarm testing).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
import json
import math
from pathlib import Path
import sys
import time
from typing import Any

import cv2
import numpy as np

from falling_objects.pipeline import FallingObjectPipeline
from falling_objects.synth import DISTRACTORS, Scene

sys.path.insert(0, str(Path(__file__).parent))
from baseline import NaiveDetector


@dataclass
class Prediction:
    start_time: float
    end_time: float
    floor: int
    column: int
    trajectory: list[tuple[float, float, float]]


@dataclass
class Tally:
    name: str
    truths: int = 0
    truths_4px: int = 0
    found: int = 0
    found_4px: int = 0
    predictions: int = 0
    true_predictions: int = 0
    exact: int = 0
    floor_within_one: int = 0
    false_alarms_distractor: int = 0
    distractor_seconds: float = 0.0
    misses: list[dict[str, Any]] = field(default_factory=list)
    wrong_windows: list[dict[str, Any]] = field(default_factory=list)
    false_alarms: list[dict[str, Any]] = field(default_factory=list)


def _matches(pred: Prediction, truth: dict[str, Any]) -> bool:
    if (
        pred.start_time > truth["end_time"] + 0.5
        or pred.end_time < truth["start_time"] - 0.5
    ):
        return False
    gt = {round(t, 2): (x, y) for t, x, y in truth["trajectory"]}
    close = 0
    for t, x, y in pred.trajectory:
        pos = gt.get(round(t, 2))
        if pos is not None and math.hypot(pos[0] - x, pos[1] - y) <= 15:
            close += 1
    return close >= max(2, len(pred.trajectory) // 2)


def score(
    tally: Tally, truths: list[dict[str, Any]], preds: list[Prediction], seed: int
) -> None:
    tally.predictions += len(preds)
    used: set[int] = set()
    for truth in truths:
        big = truth["size_px"] >= 4
        tally.truths += 1
        tally.truths_4px += big
        hit = next(
            (i for i, p in enumerate(preds) if i not in used and _matches(p, truth)),
            None,
        )
        if hit is None:
            tally.misses.append(
                {"seed": seed, "label": truth["label"], "size": truth["size_px"]}
            )
            continue
        used.add(hit)
        pred = preds[hit]
        tally.found += 1
        tally.found_4px += big
        tally.true_predictions += 1
        if pred.floor == truth["floor"] and pred.column == truth["column"]:
            tally.exact += 1
        else:
            tally.wrong_windows.append(
                {
                    "seed": seed,
                    "truth": [truth["floor"], truth["column"]],
                    "got": [pred.floor, pred.column],
                }
            )
        if abs(pred.floor - truth["floor"]) <= 1:
            tally.floor_within_one += 1


def _run_clip(
    scene: Scene, baseline: bool = True
) -> tuple[list[Prediction], list[Prediction]]:
    detector = FallingObjectPipeline(scene.facade, scene.fps, scene.width, scene.height)
    naive = NaiveDetector(scene.facade, scene.fps) if baseline else None
    ours: list[Prediction] = []
    theirs: list[Prediction] = []

    def add(events: list[Any]) -> None:
        ours.extend(
            Prediction(
                e.start_time, e.end_time, e.window.floor, e.window.column, e.trajectory
            )
            for e in events
        )

    for index, frame in enumerate(scene.frames()):
        t = index / scene.fps
        add(detector.process(frame, t))
        if naive is not None:
            theirs.extend(naive.process(frame, t))
    add(detector.flush())
    if naive is not None:
        theirs.extend(naive.flush())
    return ours, theirs


def _pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:6.1f} %" if b else "   n/a "


def measure_speed(width: int, height: int, frames: int) -> tuple[float, float]:
    """Return (detector fps, baseline fps) on one core for a busy scene at this size."""
    scene = Scene(
        424242,
        width=width,
        height=height,
        objects=1,
        distractors=("birds", "rain", "clouds", "trees", "flicker", "noise"),
        duration=frames / 25.0,
    )
    clip = list(scene.frames())
    results = []
    for make in (
        lambda: FallingObjectPipeline(scene.facade, scene.fps, width, height),
        lambda: NaiveDetector(scene.facade, scene.fps),
    ):
        runner = make()
        begin = time.perf_counter()
        for index, frame in enumerate(clip):
            runner.process(frame, index / scene.fps)
        runner.flush()
        results.append(len(clip) / (time.perf_counter() - begin))
    return results[0], results[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--clips", type=int, default=100, help="clips with thrown objects"
    )
    parser.add_argument(
        "--distractor-minutes", type=float, default=20.0, help="distractor-only video"
    )
    parser.add_argument("--distractor-clip-seconds", type=float, default=30.0)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--speed-frames", type=int, default=150)
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument(
        "--no-baseline-distractors",
        action="store_true",
        help="run the naive baseline on the object clips only",
    )
    parser.add_argument(
        "--report", type=Path, help="write details (misses, false alarms) as JSON"
    )
    args = parser.parse_args()
    cv2.setNumThreads(1)
    rng = np.random.default_rng(args.seed)
    ours, naive = Tally("detector"), Tally("naive baseline")
    begin = time.perf_counter()
    frames_done = 0
    for i in range(args.clips):
        seed = args.seed + i
        objects = 2 if rng.random() < 0.15 else 1
        scene = Scene(seed, width=args.width, height=args.height, objects=objects)
        truths = scene.ground_truth()["events"]
        mine, theirs = _run_clip(scene)
        score(ours, truths, mine, seed)
        score(naive, truths, theirs, seed)
        frames_done += scene.frame_count
        print(
            f"\rclip {i + 1}/{args.clips}  detector {ours.found}/{ours.truths}  "
            f"baseline {naive.found}/{naive.truths}",
            end="",
            file=sys.stderr,
            flush=True,
        )
    print(file=sys.stderr)
    distractor_clips = max(
        1, round(args.distractor_minutes * 60 / args.distractor_clip_seconds)
    )
    for i in range(distractor_clips):
        seed = args.seed + 100_000 + i
        pick = np.random.default_rng(seed)
        chosen = tuple(d for d in DISTRACTORS if pick.random() < 0.7) or (
            "birds",
            "rain",
        )
        scene = Scene(
            seed,
            width=args.width,
            height=args.height,
            objects=0,
            distractors=chosen,
            duration=args.distractor_clip_seconds,
        )
        baseline = not args.no_baseline_distractors
        mine, theirs = _run_clip(scene, baseline)
        for tally, preds in ((ours, mine), (naive, theirs))[: 2 if baseline else 1]:
            tally.predictions += len(preds)
            tally.false_alarms_distractor += len(preds)
            tally.distractor_seconds += scene.frame_count / scene.fps
            tally.false_alarms.extend(
                {
                    "seed": seed,
                    "distractors": list(chosen),
                    "t": round(p.start_time, 2),
                    "window": [p.floor, p.column],
                    "trajectory": [
                        [round(t, 3), round(x, 1), round(y, 1)]
                        for t, x, y in p.trajectory
                    ],
                }
                for p in preds
            )
        frames_done += scene.frame_count
        print(
            f"\rdistractor clip {i + 1}/{distractor_clips}",
            end="",
            file=sys.stderr,
            flush=True,
        )
    print(file=sys.stderr)
    accuracy_seconds = time.perf_counter() - begin
    speeds: dict[str, tuple[float, float]] = {}
    if not args.no_speed:
        for w, h in ((1920, 1080), (2560, 1440)):
            speeds[f"{w}x{h}"] = measure_speed(w, h, args.speed_frames)

    rows = [
        ("event recall (all sizes)", lambda t: _pct(t.found, t.truths)),
        ("event recall (>= 4 px)", lambda t: _pct(t.found_4px, t.truths_4px)),
        ("precision", lambda t: _pct(t.true_predictions, t.predictions)),
        ("exact window (of found)", lambda t: _pct(t.exact, t.found)),
        ("floor within one (of found)", lambda t: _pct(t.floor_within_one, t.found)),
        (
            "false alarms / hour (distractors)",
            lambda t: (
                f"{t.false_alarms_distractor / (t.distractor_seconds / 3600):8.2f}"
                if t.distractor_seconds
                else "n/a"
            ),
        ),
    ]
    print()
    print(
        f"Falling-object benchmark: {args.clips} object clips ({ours.truths} objects, "
        f"{ours.truths_4px} of >= 4 px) at {args.width}x{args.height}, "
        f"{ours.distractor_seconds / 60:.1f} min of distractor-only video, seed {args.seed}"
    )
    print(f"{'metric':36} {'detector':>12} {'naive baseline':>16}   target")
    targets = ["", ">= 95 %", "", ">= 90 %", ">= 98 %", "<= 1"]
    for (name, fn), target in zip(rows, targets, strict=True):
        print(f"{name:36} {fn(ours):>12} {fn(naive):>16}   {target}")
    for size, (fps_ours, fps_naive) in speeds.items():
        target = ">= 50" if size == "1920x1080" else ""
        print(
            f"{'fps, one core, ' + size:36} {fps_ours:12.1f} {fps_naive:16.1f}   {target}"
        )
    print(
        f"(distractor false alarms: detector {ours.false_alarms_distractor}, baseline "
        f"{'not run' if args.no_baseline_distractors else naive.false_alarms_distractor}; accuracy run took {accuracy_seconds:.0f} s for {frames_done} frames)"
    )
    if args.report:
        args.report.write_text(
            json.dumps(
                {
                    t.name: {
                        "misses": t.misses,
                        "wrong_windows": t.wrong_windows,
                        "false_alarms": t.false_alarms,
                    }
                    for t in (ours, naive)
                },
                indent=1,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
