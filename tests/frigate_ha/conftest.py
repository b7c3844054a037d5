"""Fixtures: a fake Frigate HTTP server and a community entry with Frigate subentries."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.config_entries import ConfigSubentryData

JPEG = b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9"
SERVER = "main"


@dataclass
class FakeFrigate:
    """A Frigate HTTP API the tests steer."""

    version: str = "0.16.2-4d58206"
    status: int = 200
    auth: bool = False
    snapshots: list[str] = field(default_factory=list)
    url: str = ""

    async def get_version(self, request: web.Request) -> web.Response:
        if self.auth and request.headers.get("Authorization") != "Bearer token":
            return web.Response(status=401)
        if self.status != 200:
            return web.Response(status=self.status)
        return web.Response(text=self.version)

    async def login(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body != {"user": "admin", "password": "secret"}:
            return web.json_response({"message": "Login failed"}, status=401)
        response = web.Response(text="")
        response.set_cookie("frigate_token", "token")
        return response

    async def snapshot(self, request: web.Request) -> web.Response:
        event_id = request.match_info["event_id"]
        self.snapshots.append(event_id)
        if event_id == "missing":
            return web.json_response({"message": "Event not found"}, status=404)
        return web.Response(body=JPEG, content_type="image/jpeg")

    async def clip(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["event_id"] == "missing":
            return web.json_response({"message": "Event not found"}, status=404)
        response = web.StreamResponse(headers={"Content-Type": "video/mp4"})
        await response.prepare(request)
        for _ in range(3):
            await response.write(CLIP_CHUNK)
        await response.write_eof()
        return response


CLIP_CHUNK = b"\x00\x00\x00\x18ftypmp42" + bytes(100_000)


@pytest.fixture
def expected_lingering_timers() -> bool:
    """Allow the MQTT integration's own timers (as Home Assistant's component tests do)."""
    return True


@pytest.fixture
async def fake_frigate(socket_enabled: None) -> AsyncIterator[FakeFrigate]:
    """Run a fake Frigate on loopback."""
    fake = FakeFrigate()
    app = web.Application()
    app.router.add_get("/api/version", fake.get_version)
    app.router.add_post("/api/login", fake.login)
    app.router.add_get("/api/events/{event_id}/snapshot.jpg", fake.snapshot)
    app.router.add_get("/api/events/{event_id}/clip.mp4", fake.clip)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("/")).rstrip("/")
    yield fake
    await server.close()


def frigate_subentries(url: str = "http://127.0.0.1:5000") -> list[ConfigSubentryData]:
    """Return a server, two gates, a fire lane, an audio camera and two residents."""
    return [
        ConfigSubentryData(
            subentry_type="frigate_server",
            title="Main NVR",
            unique_id=f"frigate_server_{SERVER}",
            data={
                "server_id": SERVER,
                "server_name": "Main NVR",
                "url": url,
                "username": "",
                "password": "",
                "topic_prefix": "frigate",
            },
        ),
        ConfigSubentryData(
            subentry_type="gate",
            title="North gate",
            unique_id="gate_north_gate",
            data={
                "gate_id": "north_gate",
                "gate_name": "North gate",
                "server": SERVER,
                "camera": "north_gate_lpr",
                "zone": "barrier",
                "outside_zone": "approach",
                "inside_zone": "inside_lane",
                "gate_kind": "vehicle",
                "direction": "both",
                "schedule_start": "",
                "schedule_end": "",
                "opener": "switch.north_barrier",
                "blacklist": ["粤B66666", "Mallory"],
            },
        ),
        ConfigSubentryData(
            subentry_type="gate",
            title="East gate",
            unique_id="gate_east_gate",
            data={
                "gate_id": "east_gate",
                "gate_name": "East gate",
                "server": SERVER,
                "camera": "east_gate",
                "zone": "gate_lane",
                "gate_kind": "pedestrian",
                "direction": "both",
                "schedule_start": "",
                "schedule_end": "",
                "opener": "lock.east_gate",
            },
        ),
        ConfigSubentryData(
            subentry_type="fire_lane",
            title="Block 3 fire lane",
            unique_id="fire_lane_block_3",
            data={
                "lane_id": "block_3",
                "lane_name": "Block 3 fire lane",
                "server": SERVER,
                "camera": "block3_fire_lane",
                "zone": "fire_lane_b3",
                "minutes": 10,
            },
        ),
        ConfigSubentryData(
            subentry_type="audio_camera",
            title="Lobby (lobby_cam)",
            unique_id=f"audio_{SERVER}_lobby_cam",
            data={
                "server": SERVER,
                "camera": "lobby_cam",
                "place": "Lobby",
                "labels": ["glass", "yell"],
            },
        ),
        ConfigSubentryData(
            subentry_type="resident",
            title="Li Wei (3-2-1502)",
            unique_id=None,
            data={
                "resident_name": "Li Wei",
                "household_id": "3-2-1502",
                "resident_role": "owner",
                "phone": "",
                "face_name": "Li Wei",
                "plates": ["京AD12340"],
            },
        ),
    ]


def with_frigate(entry: MockConfigEntry, url: str = "http://127.0.0.1:5000") -> Any:
    """Return a copy of the community entry with the Frigate subentries added."""
    subentries = [
        ConfigSubentryData(
            subentry_type=s.subentry_type,
            title=s.title,
            unique_id=s.unique_id,
            data=dict(s.data),
        )
        for s in entry.subentries.values()
    ]
    return MockConfigEntry(
        domain=entry.domain,
        title=entry.title,
        unique_id=entry.unique_id,
        data=dict(entry.data),
        options=dict(entry.options),
        subentries_data=[*subentries, *frigate_subentries(url)],
    )
