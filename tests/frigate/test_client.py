"""The real client against a loopback aiohttp server that answers like Frigate."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
import json
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest
from yarl import URL

from custom_components.smart_community.frigate.client import (
    FrigateAuthenticationError,
    FrigateClient,
    FrigateConnectionError,
    FrigateResponseError,
    FrigateTimeoutError,
)

from .conftest import fixture_bytes

JPEG = b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9"
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(4096)


@dataclass
class FakeFrigate:
    """Server state the tests steer."""

    auth: bool = False
    version: str = "0.16.2-4d58206"
    tokens: set[str] = field(default_factory=set)
    logins: int = 0
    login_status: int = 200
    login_cookie: bool = True
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    bodies: list[Any] = field(default_factory=list)
    override: dict[str, web.Response] = field(default_factory=dict)
    delay: float = 0.0

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Any
    ) -> web.StreamResponse:
        self.requests.append((request.method, request.path, dict(request.query)))
        if self.delay:
            await asyncio.sleep(self.delay)
        if request.path in self.override:
            return self.override[request.path]
        if self.auth and request.path != "/api/login":
            header = request.headers.get("Authorization", "")
            if header.removeprefix("Bearer ") not in self.tokens:
                return web.Response(status=401)
        result: web.StreamResponse = await handler(request)
        return result

    async def login(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.logins += 1
        if body != {"user": "admin", "password": "secret"}:
            return web.json_response({"message": "Login failed"}, status=401)
        if self.login_status != 200:
            return web.json_response(
                {"message": "Too many requests"}, status=self.login_status
            )
        token = f"jwt-{self.logins}"
        self.tokens.add(token)
        response = web.Response(text="")
        if self.login_cookie:
            response.set_cookie("frigate_token", token, httponly=True, secure=True)
        return response

    async def get_version(self, request: web.Request) -> web.Response:
        return web.Response(text=self.version)

    async def config(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "cameras": {"north_gate_lpr": {"zones": {"barrier": {}}}},
                "lpr": {"enabled": True},
            }
        )

    async def events(self, request: web.Request) -> web.Response:
        return web.Response(
            body=fixture_bytes("api_events.json"), content_type="application/json"
        )

    async def event(self, request: web.Request) -> web.Response:
        events = json.loads(fixture_bytes("api_events.json"))
        for event in events:
            if event["id"] == request.match_info["event_id"]:
                return web.json_response(event)
        return web.json_response(
            {"success": False, "message": "Event not found"}, status=404
        )

    async def snapshot(self, request: web.Request) -> web.Response:
        return web.Response(body=JPEG, content_type="image/jpeg")

    async def clip(self, request: web.Request) -> web.Response:
        return web.Response(body=MP4, content_type="video/mp4")

    async def create(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.json())
        return web.Response(
            body=fixture_bytes("api_create_event.json"), content_type="application/json"
        )

    async def end(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"success": True, "message": "Event successfully ended."}
        )

    async def sub_label(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.json())
        return web.json_response({"success": True, "message": "Event sub label set"})

    async def faces(self, request: web.Request) -> web.Response:
        return web.Response(
            body=fixture_bytes("api_faces.json"), content_type="application/json"
        )

    async def register(self, request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["file"]
        assert isinstance(upload, web.FileField)
        data = upload.file.read()
        self.bodies.append((request.match_info["name"], data))
        if not data:
            return web.json_response(
                {"success": False, "message": "No face was detected."}, status=400
            )
        if data == b"soft-fail":
            return web.json_response(
                {"success": False, "message": "No face was detected."}
            )
        return web.json_response(
            {"success": True, "message": "Successfully registered face."}
        )


@pytest.fixture
async def frigate(
    socket_enabled: None,
) -> AsyncIterator[tuple[FakeFrigate, URL, aiohttp.ClientSession]]:
    fake = FakeFrigate()
    app = web.Application(middlewares=[fake.middleware])
    app.router.add_post("/api/login", fake.login)
    app.router.add_get("/api/version", fake.get_version)
    app.router.add_get("/api/config", fake.config)
    app.router.add_get("/api/events", fake.events)
    app.router.add_get("/api/events/{event_id}", fake.event)
    app.router.add_get("/api/events/{event_id}/snapshot.jpg", fake.snapshot)
    app.router.add_get("/api/events/{event_id}/thumbnail.jpg", fake.snapshot)
    app.router.add_get("/api/events/{event_id}/clip.mp4", fake.clip)
    app.router.add_post("/api/events/{camera}/{label}/create", fake.create)
    app.router.add_put("/api/events/{event_id}/end", fake.end)
    app.router.add_post("/api/events/{event_id}/sub_label", fake.sub_label)
    app.router.add_get("/api/faces", fake.faces)
    app.router.add_post("/api/faces/{name}/register", fake.register)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as session:
        yield fake, server.make_url("/"), session
    await server.close()


async def test_unauthenticated_port(
    frigate: tuple[FakeFrigate, URL, aiohttp.ClientSession],
) -> None:
    fake, url, session = frigate
    client = FrigateClient(url, session)
    assert client.supports_recognition is False
    version = await client.version()
    assert version.raw == "0.16.2-4d58206"
    assert bool(client.supports_recognition)
    assert (await client.config())["lpr"] == {"enabled": True}
    assert fake.logins == 0


async def test_old_version_has_no_recognition(
    frigate: tuple[FakeFrigate, URL, aiohttp.ClientSession],
) -> None:
    fake, url, session = frigate
    fake.version = "0.14.1-f4f3cfa"
    client = FrigateClient(url, session)
    assert (await client.version()).minor == 14
    assert client.supports_recognition is False
    fake.version = "<html>"
    with pytest.raises(FrigateResponseError):
        await client.version()


async def test_events_query(
    frigate: tuple[FakeFrigate, URL, aiohttp.ClientSession],
) -> None:
    fake, url, session = frigate
    client = FrigateClient(url, session)
    events = await client.events(
        cameras=("north_gate_lpr", "east_gate"),
        labels=("car",),
        after=1751871000,
        limit=50,
        has_snapshot=True,
        has_clip=False,
        recognized_license_plate="京AD12340",
    )
    assert [e.label for e in events] == ["car", "glass", "person"]
    assert fake.requests[-1][2] == {
        "cameras": "north_gate_lpr,east_gate",
        "labels": "car",
        "after": "1751871000",
        "limit": "50",
        "has_snapshot": "1",
        "has_clip": "0",
        "recognized_license_plate": "京AD12340",
    }
    event = await client.event("1718093823.391621-3ff2vq")
    assert event.sub_label == "Li Wei"
    with pytest.raises(FrigateResponseError, match="Event not found") as err:
        await client.event("missing")
    assert err.value.status == 404


async def test_media(frigate: tuple[FakeFrigate, URL, aiohttp.ClientSession]) -> None:
    fake, url, session = frigate
    client = FrigateClient(url, session)
    assert await client.snapshot("a.b-c", bbox=True, height=480, quality=70) == JPEG
    assert fake.requests[-1][1:] == (
        "/api/events/a.b-c/snapshot.jpg",
        {"bbox": "1", "crop": "0", "height": "480", "quality": "70"},
    )
    assert await client.snapshot("a.b-c") == JPEG
    assert fake.requests[-1][2] == {"bbox": "0", "crop": "0"}
    assert await client.thumbnail("a.b-c") == JPEG
    assert await client.clip("a.b-c") == MP4
    async with client.stream_clip("a.b-c") as response:
        chunks = [chunk async for chunk in response.content.iter_chunked(1024)]
    assert b"".join(chunks) == MP4


async def test_writes(frigate: tuple[FakeFrigate, URL, aiohttp.ClientSession]) -> None:
    fake, url, session = frigate
    client = FrigateClient(url, session)
    created = await client.create_event(
        "facade_east", "falling_object", sub_label="floor 12", score=0.8, duration=20
    )
    assert created.event_id == "1760200000.5-manual1"
    assert fake.requests[-1][1] == "/api/events/facade_east/falling_object/create"
    assert fake.bodies[-1] == {
        "duration": 20,
        "include_recording": True,
        "sub_label": "floor 12",
        "score": 0.8,
    }
    await client.create_event("facade_east", "falling_object")
    assert fake.bodies[-1] == {"duration": 30, "include_recording": True}
    await client.end_event(created.event_id)
    await client.set_sub_label("a.b-c", "Li Wei", 0.95)
    assert fake.bodies[-1] == {"subLabel": "Li Wei", "subLabelScore": 0.95}
    await client.set_sub_label("a.b-c", "Li Wei")
    assert fake.bodies[-1] == {"subLabel": "Li Wei"}
    for label, score in (("", None), ("x" * 101, None), ("ok", 0.0), ("ok", 1.5)):
        with pytest.raises(ValueError, match="must"):
            await client.set_sub_label("a.b-c", label, score)


async def test_faces(frigate: tuple[FakeFrigate, URL, aiohttp.ClientSession]) -> None:
    fake, url, session = frigate
    client = FrigateClient(url, session)
    assert set(await client.faces()) == {"Li Wei", "Zhang Min"}
    await client.register_face("Li Wei", JPEG)
    assert fake.bodies[-1] == ("Li Wei", JPEG)
    assert fake.requests[-1][1] == "/api/faces/Li Wei/register"
    with pytest.raises(FrigateResponseError, match="No face") as err:
        await client.register_face("Li Wei", b"")
    assert err.value.status == 400
    with pytest.raises(FrigateResponseError, match="not registered"):
        await client.register_face("Li Wei", b"soft-fail")


async def test_login_and_refresh(
    frigate: tuple[FakeFrigate, URL, aiohttp.ClientSession],
) -> None:
    fake, url, session = frigate
    fake.auth = True
    client = FrigateClient(url, session, username="admin", password="secret")
    await client.version()
    assert fake.logins == 1
    await client.faces()
    assert fake.logins == 1
    fake.tokens.clear()  # the JWT expired
    register_calls = len([r for r in fake.requests if r[1].endswith("/register")])
    await client.register_face("Zhang Min", JPEG)
    assert fake.logins == 2
    assert (
        len([r for r in fake.requests if r[1].endswith("/register")])
        == register_calls + 2
    )
    assert fake.bodies[-1] == ("Zhang Min", JPEG)


async def test_authentication_failures(
    frigate: tuple[FakeFrigate, URL, aiohttp.ClientSession],
) -> None:
    fake, url, session = frigate
    fake.auth = True
    with pytest.raises(FrigateAuthenticationError):
        await FrigateClient(url, session).version()
    with pytest.raises(FrigateAuthenticationError):
        await FrigateClient(url, session, username="admin", password="wrong").version()
    with pytest.raises(FrigateAuthenticationError):
        await FrigateClient(url, session, username="admin").login()
    fake.login_cookie = False
    with pytest.raises(FrigateAuthenticationError, match="without a token"):
        await FrigateClient(url, session, username="admin", password="secret").version()
    fake.login_cookie = True
    fake.login_status = 429
    with pytest.raises(FrigateResponseError) as err:
        await FrigateClient(url, session, username="admin", password="secret").version()
    assert err.value.status == 429
    fake.login_status = 200
    fake.override["/api/faces"] = web.Response(status=403)
    with pytest.raises(FrigateAuthenticationError):
        await FrigateClient(url, session, username="admin", password="secret").faces()


@pytest.mark.parametrize(
    ("path", "response", "error", "status"),
    [
        (
            "/api/config",
            web.Response(status=500, text="Internal Server Error"),
            FrigateResponseError,
            500,
        ),
        (
            "/api/config",
            web.Response(status=502, text='{"detail": "x"}'),
            FrigateResponseError,
            502,
        ),
        ("/api/config", web.Response(text="{not json"), FrigateResponseError, None),
        ("/api/config", web.Response(text="[]"), FrigateResponseError, None),
        ("/api/events", web.Response(text='[{"id": 1}]'), FrigateResponseError, None),
        ("/api/events/x", web.Response(text="[]"), FrigateResponseError, None),
        ("/api/faces", web.Response(text="[]"), FrigateResponseError, None),
        (
            "/api/events/c/l/create",
            web.Response(text='{"success": false, "message": "no"}'),
            FrigateResponseError,
            None,
        ),
    ],
)
async def test_bad_answers(
    frigate: tuple[FakeFrigate, URL, aiohttp.ClientSession],
    path: str,
    response: web.Response,
    error: type[Exception],
    status: int | None,
) -> None:
    fake, url, session = frigate
    fake.override[path] = response
    client = FrigateClient(url, session)
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "/api/config": client.config,
        "/api/events": client.events,
        "/api/events/x": lambda: client.event("x"),
        "/api/faces": client.faces,
        "/api/events/c/l/create": lambda: client.create_event("c", "l"),
    }
    with pytest.raises(error) as err:
        await calls[path]()
    assert getattr(err.value, "status", None) == status


async def test_timeout(frigate: tuple[FakeFrigate, URL, aiohttp.ClientSession]) -> None:
    fake, url, session = frigate
    fake.delay = 5
    client = FrigateClient(url, session, timeout=0.05)
    with pytest.raises(FrigateTimeoutError):
        await client.version()
    with pytest.raises(FrigateTimeoutError):
        async with client.stream_clip("a"):
            pass
    fake.delay = 0


async def test_connection_refused(socket_enabled: None) -> None:
    probe = TestServer(web.Application(), host="127.0.0.1")
    await probe.start_server()
    url = probe.make_url("/")
    await probe.close()
    async with aiohttp.ClientSession() as session:
        with pytest.raises(FrigateConnectionError):
            await FrigateClient(url, session).version()


async def test_truncated_body(socket_enabled: None) -> None:
    async def truncated(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": "1000"})
        await response.prepare(request)
        await response.write(b"partial")
        assert request.transport is not None
        request.transport.close()
        return response

    app = web.Application()
    app.router.add_get("/api/events/a/clip.mp4", truncated)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as session:
        with pytest.raises(FrigateResponseError, match="truncated"):
            await FrigateClient(server.make_url("/"), session).clip("a")
    await server.close()


def test_password_not_in_repr() -> None:
    session: Any = None
    client = FrigateClient(
        URL("http://frigate:8971"), session, username="admin", password="secret"
    )
    assert "secret" not in repr(client)
