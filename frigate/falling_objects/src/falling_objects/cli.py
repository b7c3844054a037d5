"""Command line: analyze a video, serve a live stream, preview a calibration, make test clips."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import json
import logging
import os
from pathlib import Path
import signal
import sys

import cv2
import numpy as np

from .evidence import EvidenceRecorder
from .facade import Facade, FacadeError, load_facade
from .pipeline import FallEvent, FallingObjectPipeline


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m falling_objects",
        description="Detect objects thrown or dropped from a building facade and name the window.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    analyze = sub.add_parser("analyze", help="analyze a video file")
    analyze.add_argument("video", help="video file (or stream URL) to read to the end")
    analyze.add_argument("--facade", required=True, help="facade calibration YAML")
    analyze.add_argument(
        "--json", action="store_true", help="print one JSON object per event"
    )
    analyze.add_argument(
        "--evidence-dir", type=Path, help="write an annotated JPEG and a clip per event"
    )
    analyze.add_argument(
        "--fps", type=float, help="override the frame rate read from the file"
    )

    serve = sub.add_parser("serve", help="run as a service on a live stream")
    serve.add_argument(
        "--source",
        required=True,
        help="RTSP/HTTP URL, e.g. rtsp://127.0.0.1:8554/facade",
    )
    serve.add_argument("--facade", required=True, help="facade calibration YAML")
    serve.add_argument(
        "--camera", help="Frigate camera name (default: the facade's camera)"
    )
    serve.add_argument(
        "--evidence-dir", type=Path, required=True, help="where snapshots and clips go"
    )
    serve.add_argument(
        "--frigate-url", help="Frigate base URL, e.g. http://127.0.0.1:5000"
    )
    serve.add_argument("--mqtt-host", help="MQTT broker host")
    serve.add_argument("--mqtt-port", type=int, default=1883)
    serve.add_argument("--pre-seconds", type=float, default=3.0)
    serve.add_argument("--post-seconds", type=float, default=3.0)
    serve.add_argument(
        "--buffer-mb", type=int, default=96, help="memory bound of the frame ring"
    )
    serve.add_argument("--fps", type=float, help="override the stream's frame rate")
    serve.add_argument(
        "--once", action="store_true", help="stop at the end of the stream"
    )
    serve.add_argument("--verbose", action="store_true")

    preview = sub.add_parser(
        "calibrate-preview", help="draw the facade grid over an image"
    )
    preview.add_argument("--facade", required=True, help="facade calibration YAML")
    preview.add_argument(
        "--image",
        type=Path,
        help="a frame from the camera (default: a synthetic facade)",
    )
    preview.add_argument(
        "--seed", type=int, default=3, help="seed of the synthetic facade"
    )
    preview.add_argument(
        "--output", type=Path, required=True, help="PNG or JPEG to write"
    )
    preview.add_argument("--width", type=int, help="resize the output to this width")

    synth = sub.add_parser(
        "synth", help="write a synthetic test clip with ground truth"
    )
    synth.add_argument("--seed", type=int, default=1)
    synth.add_argument("--out", type=Path, required=True)
    synth.add_argument("--objects", type=int, default=1)
    synth.add_argument("--width", type=int, default=1280)
    synth.add_argument("--height", type=int, default=720)
    synth.add_argument("--duration", type=float)
    synth.add_argument("--distractors", help="comma-separated subset, 'all' or 'none'")
    return parser


def _error(message: str) -> int:
    sys.stderr.write(f"error: {message}\n")
    return 2


def _load(path: str) -> Facade:
    try:
        return load_facade(path)
    except FacadeError as err:
        raise SystemExit(_error(f"invalid facade file {path}: {err}")) from err


def analyze_video(
    path: str,
    facade: Facade,
    evidence_dir: Path | None = None,
    fps: float | None = None,
) -> list[FallEvent]:
    """Run the detector over a whole video and return its events."""
    capture = cv2.VideoCapture(path)
    if not capture.isOpened():
        capture.release()
        msg = f"cannot open video {path}"
        raise OSError(msg)
    rate = fps or float(capture.get(cv2.CAP_PROP_FPS))
    if not 1.0 <= rate <= 240.0:
        rate = 25.0
    events: list[FallEvent] = []
    pipeline: FallingObjectPipeline | None = None
    recorder: EvidenceRecorder | None = None
    index = 0
    try:
        while True:
            ok, frame = capture.read()
            if not ok or frame is None:
                break
            image = np.asarray(frame, dtype=np.uint8)
            t = index / rate
            index += 1
            if pipeline is None:
                pipeline = FallingObjectPipeline(
                    facade, rate, image.shape[1], image.shape[0]
                )
                if evidence_dir is not None:
                    recorder = EvidenceRecorder(
                        evidence_dir,
                        pipeline.facade,
                        rate,
                        camera=facade.camera or "camera",
                    )
            new = pipeline.process(image, t)
            if recorder is not None:
                recorder.add(t, image)
                for number, event in enumerate(new, start=len(events)):
                    recorder.record(event, str(number))
            events.extend(new)
        if pipeline is not None:
            new = pipeline.flush()
            if recorder is not None:
                for number, event in enumerate(new, start=len(events)):
                    recorder.record(event, str(number))
            events.extend(new)
    finally:
        capture.release()
        if recorder is not None:
            recorder.close()
    if index == 0:
        msg = f"no frames could be read from {path}"
        raise OSError(msg)
    return events


def _analyze(args: argparse.Namespace) -> int:
    facade = _load(args.facade)
    try:
        events = analyze_video(args.video, facade, args.evidence_dir, args.fps)
    except OSError as err:
        return _error(str(err))
    for event in events:
        if args.json:
            sys.stdout.write(json.dumps(event.as_json(), separators=(",", ":")) + "\n")
        else:
            others = ", ".join(
                f"{c.window.label} {c.probability:.0%}" for c in event.candidates[1:]
            )
            sys.stdout.write(
                f"{event.start_time:7.2f}-{event.end_time:7.2f} s  window {event.window.label} "
                f"(floor {event.window.floor}, column {event.window.column}) "
                f"confidence {event.confidence:.0%}"
                + (f"; also {others}" if others else "")
                + "\n"
            )
    return 0


def _serve(args: argparse.Namespace) -> int:
    from .service import FallingObjectService, ServiceConfig

    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    facade = _load(args.facade)
    camera = args.camera or facade.camera
    if not camera:
        return _error("give --camera or set 'camera' in the facade file")
    config = ServiceConfig(
        source=args.source,
        facade=facade,
        camera=camera,
        evidence_dir=args.evidence_dir,
        frigate_url=args.frigate_url,
        frigate_token=os.environ.get("FALLING_OBJECTS_FRIGATE_TOKEN") or None,
        mqtt_host=args.mqtt_host,
        mqtt_port=args.mqtt_port,
        mqtt_username=os.environ.get("FALLING_OBJECTS_MQTT_USERNAME") or None,
        mqtt_password=os.environ.get("FALLING_OBJECTS_MQTT_PASSWORD") or None,
        pre_seconds=args.pre_seconds,
        post_seconds=args.post_seconds,
        max_buffer_bytes=args.buffer_mb * 1024 * 1024,
        fps=args.fps,
        once=args.once,
    )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await FallingObjectService(config).run(stop)

    asyncio.run(main())
    return 0


def draw_grid(image: np.ndarray, facade: Facade) -> np.ndarray:
    """Draw the calibrated grid, corner markers and a few window labels over an image."""
    out = np.array(image, dtype=np.uint8, copy=True)
    for row in range(facade.floors + 1):
        a = facade.grid_to_pixel(row, 0)
        b = facade.grid_to_pixel(row, facade.columns)
        cv2.line(
            out,
            (round(a[0]), round(a[1])),
            (round(b[0]), round(b[1])),
            (0, 255, 255),
            1,
            cv2.LINE_AA,
        )
    for col in range(facade.columns + 1):
        a = facade.grid_to_pixel(0, col)
        b = facade.grid_to_pixel(facade.floors, col)
        cv2.line(
            out,
            (round(a[0]), round(a[1])),
            (round(b[0]), round(b[1])),
            (0, 255, 255),
            1,
            cv2.LINE_AA,
        )
    names = ("top-left", "top-right", "bottom-right", "bottom-left")
    scale = max(out.shape[1] / 2400, 0.35)
    for name, (x, y) in zip(names, facade.corners, strict=True):
        cv2.drawMarker(
            out, (round(x), round(y)), (0, 0, 255), cv2.MARKER_TILTED_CROSS, 18, 2
        )
        cv2.putText(
            out,
            name,
            (round(x) + 6, round(y) + 16),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            (0, 0, 255),
            1,
            cv2.LINE_AA,
        )
    for row in range(0, facade.floors, max(1, facade.floors // 6)):
        for col in (0, facade.columns - 1):
            floor, column = facade.floor_of_row(row), facade.column_of_index(col)
            x, y = facade.grid_to_pixel(row + 0.55, col + 0.08)
            cv2.putText(
                out,
                facade.label(floor, column),
                (round(x), round(y)),
                cv2.FONT_HERSHEY_SIMPLEX,
                scale,
                (255, 255, 255),
                1,
                cv2.LINE_AA,
            )
    return out


def _preview(args: argparse.Namespace) -> int:
    facade = _load(args.facade)
    if args.image is not None:
        image = cv2.imread(str(args.image), cv2.IMREAD_COLOR)
        if image is None:
            return _error(f"cannot read image {args.image}")
        facade = facade.scaled(image.shape[1], image.shape[0])
    else:
        from .synth import Scene

        scene = Scene(
            args.seed,
            width=facade.image_size[0],
            height=facade.image_size[1],
            objects=0,
            distractors=(),
            night=False,
            facade=facade,
        )
        image = scene.static
    out = draw_grid(image, facade)
    if args.width:
        height = round(out.shape[0] * args.width / out.shape[1])
        out = cv2.resize(out, (args.width, height), interpolation=cv2.INTER_AREA)
    if not cv2.imwrite(str(args.output), out):
        return _error(f"cannot write {args.output}")
    return 0


def _synth(args: argparse.Namespace) -> int:
    from .synth import DISTRACTORS, Scene

    distractors: tuple[str, ...] | None
    if args.distractors is None:
        distractors = None
    elif args.distractors == "all":
        distractors = DISTRACTORS
    elif args.distractors == "none":
        distractors = ()
    else:
        distractors = tuple(d.strip() for d in args.distractors.split(",") if d.strip())
        unknown = set(distractors) - set(DISTRACTORS)
        if unknown:
            return _error(
                f"unknown distractors {sorted(unknown)}; choose from {', '.join(DISTRACTORS)}"
            )
    scene = Scene(
        args.seed,
        width=args.width,
        height=args.height,
        objects=args.objects,
        distractors=distractors,
        duration=args.duration,
    )
    video, facade, truth = scene.write(args.out)
    paths = {"video": str(video), "facade": str(facade), "ground_truth": str(truth)}
    sys.stdout.write(json.dumps(paths) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    cv2.setNumThreads(1)
    args = _parser().parse_args(argv)
    try:
        if args.command == "analyze":
            return _analyze(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "calibrate-preview":
            return _preview(args)
        return _synth(args)
    except SystemExit as exit_:
        return int(exit_.code) if isinstance(exit_.code, int) else 2
