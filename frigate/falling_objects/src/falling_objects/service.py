"""Live service: read a stream, detect, record evidence, tell Frigate and the hub over MQTT."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import json
import logging
from pathlib import Path
import threading
import time
from typing import Any
import uuid

import cv2
import numpy as np
from numpy.typing import NDArray

from .evidence import EvidenceRecorder, EvidenceResult
from .facade import Facade
from .pipeline import FallEvent, FallingObjectPipeline

LOGGER = logging.getLogger(__package__)
TOPIC_PREFIX = "smart_community/falling_object"
FRIGATE_LABEL = "falling_object"


def event_topic(building: str) -> str:
    """Return the MQTT topic of a building's events."""
    return f"{TOPIC_PREFIX}/{building}/event"


def availability_topic(building: str) -> str:
    """Return the MQTT topic of a building's detector availability."""
    return f"{TOPIC_PREFIX}/{building}/availability"


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """Settings of one detector service (one camera, one facade)."""

    source: str
    facade: Facade
    camera: str
    evidence_dir: Path
    frigate_url: str | None = None
    frigate_token: str | None = None
    mqtt_host: str | None = None
    mqtt_port: int = 1883
    mqtt_username: str | None = None
    mqtt_password: str | None = None
    pre_seconds: float = 3.0
    post_seconds: float = 3.0
    max_buffer_bytes: int = 96 * 1024 * 1024
    reconnect_min: float = 1.0
    reconnect_max: float = 60.0
    fps: float | None = None
    once: bool = False
    """Stop when the stream ends instead of reconnecting (files, tests)."""


def event_payload(
    event: FallEvent,
    event_id: str,
    building: str,
    camera: str,
    evidence: EvidenceResult | None,
    frigate_event_id: str | None,
) -> dict[str, Any]:
    """Return the MQTT message the community hub turns into an alarm."""
    payload: dict[str, Any] = {
        "id": event_id,
        "building": building,
        "camera": camera,
        "window": event.window.as_dict(),
        "confidence": round(event.confidence, 4),
        "start_time": round(event.start_time, 3),
        "end_time": round(event.end_time, 3),
        "candidates": [c.as_dict() for c in event.candidates],
        "snapshot_path": str(evidence.snapshot) if evidence else None,
        "clip_path": str(evidence.clip) if evidence else None,
        "frigate_event_id": frigate_event_id,
    }
    return payload


def frigate_body(
    event: FallEvent, width: int, height: int, pre: float, post: float
) -> dict[str, Any]:
    """Return the body of Frigate's create-event call for an event."""
    xs = [x for _, x, _ in event.trajectory]
    ys = [y for _, _, y in event.trajectory]
    left, top = max(min(xs) - 10, 0.0), max(min(ys) - 10, 0.0)
    box = [
        round(left / width, 4),
        round(top / height, 4),
        round(min(max(xs) + 10 - left, width) / width, 4),
        round(min(max(ys) + 10 - top, height) / height, 4),
    ]
    return {
        "sub_label": event.window.label[:100],
        "score": round(min(max(event.confidence, 0.01), 1.0), 4),
        "duration": max(1, round(event.end_time - event.start_time + pre + post)),
        "include_recording": True,
        "draw": {
            "boxes": [
                {
                    "box": box,
                    "color": [255, 0, 0],
                    "score": round(event.confidence * 100),
                }
            ]
        },
    }


async def post_to_frigate(
    session: Any,
    base_url: str,
    camera: str,
    body: dict[str, Any],
    token: str | None = None,
) -> str | None:
    """Create the event in Frigate; return its id, or None when Frigate refused."""
    import aiohttp

    url = f"{base_url.rstrip('/')}/api/events/{camera}/{FRIGATE_LABEL}/create"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        async with asyncio.timeout(10):
            async with session.post(url, json=body, headers=headers) as response:
                if response.status >= 400:
                    LOGGER.warning(
                        "Frigate refused the event: HTTP %s", response.status
                    )
                    return None
                data = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, json.JSONDecodeError) as err:
        LOGGER.warning("Cannot reach Frigate at %s: %s", base_url, err)
        return None
    event_id = data.get("event_id") if isinstance(data, dict) else None
    return str(event_id) if event_id else None


class _Reader(threading.Thread):
    """Read frames, run the pipeline and the recorder; hand events to the event loop."""

    def __init__(
        self,
        config: ServiceConfig,
        loop: asyncio.AbstractEventLoop,
        events: asyncio.Queue[tuple[FallEvent, str, EvidenceResult] | None],
    ) -> None:
        super().__init__(name="falling-objects-reader", daemon=True)
        self.config = config
        self.loop = loop
        self.events = events
        self.stop = threading.Event()
        self.recorder: EvidenceRecorder | None = None
        self.pipeline: FallingObjectPipeline | None = None

    def _emit(self, item: tuple[FallEvent, str, EvidenceResult] | None) -> None:
        self.loop.call_soon_threadsafe(self.events.put_nowait, item)

    def _handle(self, events: list[FallEvent]) -> None:
        assert self.recorder is not None
        for event in events:
            event_id = f"{int(event.start_time * 1000):x}-{uuid.uuid4().hex[:8]}"
            evidence = self.recorder.record(event, event_id)
            LOGGER.info(
                "Falling object from %s (%.0f%%)",
                event.window.label,
                100 * event.confidence,
            )
            self._emit((event, event_id, evidence))

    def _open(self) -> cv2.VideoCapture | None:
        capture = cv2.VideoCapture(self.config.source)
        if capture.isOpened():
            return capture
        capture.release()
        return None

    def run(self) -> None:
        delay = self.config.reconnect_min
        try:
            while not self.stop.is_set():
                capture = self._open()
                if capture is None:
                    if self.config.once:
                        LOGGER.error("Cannot open stream %s", self.config.source)
                        break
                    LOGGER.warning("Cannot open stream, retrying in %.0f s", delay)
                    self.stop.wait(delay)
                    delay = min(delay * 2, self.config.reconnect_max)
                    continue
                delay = self.config.reconnect_min
                self._consume(capture)
                capture.release()
                if self.config.once:
                    break
                LOGGER.warning("Stream ended, reconnecting")
                self.stop.wait(self.config.reconnect_min)
        finally:
            if self.pipeline is not None and self.recorder is not None:
                self._handle(self.pipeline.flush())
                self.recorder.close()
            self._emit(None)

    def _consume(self, capture: cv2.VideoCapture) -> None:
        fps = self.config.fps or float(capture.get(cv2.CAP_PROP_FPS)) or 25.0
        if not 1.0 <= fps <= 240.0:
            fps = 25.0
        is_file = self.config.once
        index = 0
        start = time.time()
        while not self.stop.is_set():
            ok, frame = capture.read()
            if not ok or frame is None:
                return
            image: NDArray[np.uint8] = np.asarray(frame, dtype=np.uint8)
            t = start + index / fps if is_file else time.time()
            index += 1
            if self.pipeline is None or self.pipeline.facade.image_size != (
                image.shape[1],
                image.shape[0],
            ):
                self.pipeline = FallingObjectPipeline(
                    self.config.facade, fps, image.shape[1], image.shape[0]
                )
                self.recorder = EvidenceRecorder(
                    self.config.evidence_dir,
                    self.pipeline.facade,
                    fps,
                    self.config.pre_seconds,
                    self.config.post_seconds,
                    self.config.max_buffer_bytes,
                    self.config.camera,
                )
            assert self.recorder is not None
            self.recorder.add(t, image)
            self._handle(self.pipeline.process(image, t))


class FallingObjectService:
    """Run the detector on a live stream and publish what it finds."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.building = config.facade.building
        self.published: list[dict[str, Any]] = []
        self._closing = False

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Run until the stream ends (``once``) or ``stop`` is set."""
        import aiohttp

        stop = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[tuple[FallEvent, str, EvidenceResult] | None] = (
            asyncio.Queue()
        )
        outbox: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(maxsize=1000)
        reader = _Reader(self.config, loop, events)
        mqtt_ready = asyncio.Event()
        mqtt_task = (
            asyncio.create_task(self._mqtt_loop(outbox, mqtt_ready))
            if self.config.mqtt_host
            else None
        )
        if mqtt_task is not None:
            async with asyncio.timeout(15):
                await mqtt_ready.wait()
        reader.start()
        stopper = asyncio.create_task(stop.wait())
        try:
            async with aiohttp.ClientSession() as session:
                while True:
                    getter = asyncio.create_task(events.get())
                    done, _ = await asyncio.wait(
                        {getter, stopper}, return_when=asyncio.FIRST_COMPLETED
                    )
                    if getter not in done:
                        getter.cancel()
                        reader.stop.set()
                        continue
                    item = getter.result()
                    if item is None:
                        break
                    await self._publish(session, outbox, *item)
        finally:
            reader.stop.set()
            stopper.cancel()
            await asyncio.to_thread(reader.join, 30)
            if mqtt_task is not None:
                self._closing = True
                await outbox.put(None)
                await mqtt_task

    async def _publish(
        self,
        session: Any,
        outbox: asyncio.Queue[dict[str, Any] | None],
        event: FallEvent,
        event_id: str,
        evidence: EvidenceResult,
    ) -> None:
        frigate_id = None
        if self.config.frigate_url:
            width, height = self.config.facade.image_size
            body = frigate_body(
                event, width, height, self.config.pre_seconds, self.config.post_seconds
            )
            frigate_id = await post_to_frigate(
                session,
                self.config.frigate_url,
                self.config.camera,
                body,
                self.config.frigate_token,
            )
        payload = event_payload(
            event, event_id, self.building, self.config.camera, evidence, frigate_id
        )
        self.published.append(payload)
        if self.config.mqtt_host:
            try:
                outbox.put_nowait(payload)
            except asyncio.QueueFull:
                LOGGER.warning("MQTT outbox full, dropping event %s", event_id)

    async def _mqtt_loop(
        self, outbox: asyncio.Queue[dict[str, Any] | None], ready: asyncio.Event
    ) -> None:
        import aiomqtt

        availability = availability_topic(self.building)
        will = aiomqtt.Will(availability, "offline", qos=1, retain=True)
        delay = self.config.reconnect_min
        pending: dict[str, Any] | None = None
        while True:
            try:
                async with aiomqtt.Client(
                    hostname=self.config.mqtt_host or "127.0.0.1",
                    port=self.config.mqtt_port,
                    username=self.config.mqtt_username,
                    password=self.config.mqtt_password,
                    will=will,
                    identifier=f"falling-objects-{self.building}-{self.config.camera}",
                ) as client:
                    await client.publish(availability, "online", qos=1, retain=True)
                    ready.set()
                    delay = self.config.reconnect_min
                    while True:
                        if pending is None:
                            pending = await outbox.get()
                        if pending is None:
                            await client.publish(
                                availability, "offline", qos=1, retain=True
                            )
                            return
                        await client.publish(
                            event_topic(self.building), json.dumps(pending), qos=1
                        )
                        pending = None
            except aiomqtt.MqttError as err:
                LOGGER.warning(
                    "MQTT connection lost (%s), retrying in %.0f s", err, delay
                )
                ready.set()
                if self._closing:
                    return
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.config.reconnect_max)
