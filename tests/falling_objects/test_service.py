"""The service against a real local Frigate-like HTTP server and a real mosquitto broker."""

import asyncio
from collections.abc import Generator
import json
from pathlib import Path
import shutil
import socket
import subprocess
import threading
import time
from typing import Any

from aiohttp import web
import aiomqtt
import pytest

from falling_objects.facade import load_facade
from falling_objects.service import FallingObjectService, ServiceConfig
from falling_objects.synth import Scene

MOSQUITTO = shutil.which("mosquitto") or (
    "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def broker(tmp_path: Path, socket_enabled: None) -> Generator[int]:
    """Start mosquitto on a free loopback port."""
    if MOSQUITTO is None:
        pytest.skip("mosquitto is not installed (apt-get install mosquitto)")
    port = _free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [MOSQUITTO, "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("mosquitto did not start")
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(10)


async def _scenario(
    video: Path, facade_path: Path, evidence: Path, broker_port: int
) -> dict[str, Any]:
    received: list[dict[str, Any]] = []

    async def create(request: web.Request) -> web.Response:
        received.append(
            {
                "camera": request.match_info["camera"],
                "label": request.match_info["label"],
                "body": await request.json(),
            }
        )
        return web.json_response(
            {"success": True, "message": "created", "event_id": "1700000000.5-abc"}
        )

    app = web.Application()
    app.router.add_post("/api/events/{camera}/{label}/create", create)
    runner = web.AppRunner(app)
    await runner.setup()
    http_port = _free_port()
    site = web.TCPSite(runner, "127.0.0.1", http_port)
    await site.start()
    facade = load_facade(facade_path)
    messages: list[tuple[str, str]] = []
    try:
        async with aiomqtt.Client(
            "127.0.0.1", broker_port, identifier="test-listener"
        ) as listener:
            await listener.subscribe("smart_community/falling_object/#", qos=1)
            config = ServiceConfig(
                source=str(video),
                facade=facade,
                camera="facade_east",
                evidence_dir=evidence,
                frigate_url=f"http://127.0.0.1:{http_port}",
                mqtt_host="127.0.0.1",
                mqtt_port=broker_port,
                once=True,
                reconnect_min=0.2,
            )
            service = FallingObjectService(config)
            await service.run()
            async with asyncio.timeout(10):
                async for message in listener.messages:
                    messages.append(
                        (str(message.topic), bytes(message.payload).decode())
                    )
                    if messages[-1] == (
                        f"smart_community/falling_object/{facade.building}/availability",
                        "offline",
                    ):
                        break
    finally:
        await runner.cleanup()
    return {"frigate": received, "mqtt": messages, "building": facade.building}


def test_service_posts_to_frigate_and_publishes_mqtt(
    tmp_path: Path, broker: int
) -> None:
    scene = Scene(10, width=960, height=540, objects=1, size_range=(5, 10))
    video, facade_path, _ = scene.write(tmp_path / "clip")
    truth = scene.ground_truth()["events"][0]
    result: dict[str, Any] = {}

    def run() -> None:
        result.update(
            asyncio.run(_scenario(video, facade_path, tmp_path / "evidence", broker))
        )

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(120)
    assert not worker.is_alive()
    assert result, "the scenario failed"

    assert len(result["frigate"]) == 1
    call = result["frigate"][0]
    assert (call["camera"], call["label"]) == ("facade_east", "falling_object")
    assert call["body"]["sub_label"] == truth["label"]
    assert 0 < call["body"]["score"] <= 1
    assert call["body"]["include_recording"] is True

    building = result["building"]
    topics = [topic for topic, _ in result["mqtt"]]
    assert topics[0] == f"smart_community/falling_object/{building}/availability"
    assert result["mqtt"][0][1] == "online"
    events = [
        json.loads(payload)
        for topic, payload in result["mqtt"]
        if topic.endswith("/event")
    ]
    assert len(events) == 1
    event = events[0]
    assert event["window"]["label"] == truth["label"]
    assert event["building"] == building
    assert event["camera"] == "facade_east"
    assert event["frigate_event_id"] == "1700000000.5-abc"
    assert Path(event["snapshot_path"]).is_file()
    assert Path(event["clip_path"]).is_file()
    assert len(event["candidates"]) == 3
    assert result["mqtt"][-1][1] == "offline"
