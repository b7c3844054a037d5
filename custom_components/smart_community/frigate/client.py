"""Typed async client of the Frigate HTTP API (ports 5000 and 8971)."""

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
import json
from typing import Any
from urllib.parse import quote

import aiohttp
from yarl import URL

from .errors import (
    FrigateAuthenticationError,
    FrigateConnectionError,
    FrigateError,
    FrigatePayloadError,
    FrigateResponseError,
    FrigateTimeoutError,
)
from .models import CreatedEvent, Event, FrigateVersion
from .parsers import parse_event, parse_events, parse_faces, parse_version

__all__ = [
    "FrigateAuthenticationError",
    "FrigateClient",
    "FrigateConnectionError",
    "FrigateError",
    "FrigateResponseError",
    "FrigateTimeoutError",
]

DEFAULT_TIMEOUT = 10.0
TOKEN_COOKIE = "frigate_token"  # noqa: S105 - a cookie name
_MAX_SUB_LABEL = 100

type Params = Mapping[str, str | int | float]
type FormFactory = Callable[[], aiohttp.FormData]


def _error_message(body: bytes) -> str:
    """Return the `message` of a Frigate error body, or its first characters."""
    try:
        data = json.loads(body)
    except ValueError:
        return body[:120].decode(errors="replace")
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])[:200]
    return body[:120].decode(errors="replace")


@asynccontextmanager
async def _mapped_errors(seconds: float) -> AsyncIterator[None]:
    """Apply the timeout and map transport errors onto the Frigate error types."""
    try:
        async with asyncio.timeout(seconds):
            yield
    except TimeoutError as err:
        raise FrigateTimeoutError(f"no answer within {seconds} s") from err
    except aiohttp.ClientPayloadError as err:
        raise FrigateResponseError(f"truncated body: {err}") from err
    except aiohttp.ClientError as err:
        raise FrigateConnectionError(f"cannot reach Frigate: {err}") from err


@dataclass(slots=True)
class FrigateClient:
    """Client of one Frigate server; credentials only for the authenticated port 8971."""

    url: URL
    session: aiohttp.ClientSession
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    _token: str | None = field(default=None, init=False, repr=False)
    _version: FrigateVersion | None = field(default=None, init=False, repr=False)

    @property
    def supports_recognition(self) -> bool:
        """Return True when the last read version has face and plate recognition."""
        return self._version is not None and self._version.supports_recognition

    def _url(self, *segments: str) -> URL:
        """Build an API URL from unescaped path segments."""
        path = "/".join(quote(segment, safe="") for segment in ("api", *segments))
        return self.url.joinpath(path, encoded=True)

    async def login(self) -> None:
        """Log in on the authenticated port and keep the JWT for the next requests."""
        if self.username is None or self.password is None:
            raise FrigateAuthenticationError("no credentials to log in with")
        async with _mapped_errors(self.timeout):
            response = await self.session.post(
                self._url("login"),
                json={"user": self.username, "password": self.password},
            )
            async with response:
                if response.status in {400, 401, 403}:
                    raise FrigateAuthenticationError("login refused")
                if response.status >= 400:
                    raise FrigateResponseError(
                        f"login failed with HTTP {response.status}", response.status
                    )
                cookie = response.cookies.get(TOKEN_COOKIE)
        if cookie is None or not cookie.value:
            raise FrigateAuthenticationError("login answered without a token")
        self._token = cookie.value

    def _headers(self) -> dict[str, str]:
        """Return the authorisation header when logged in."""
        return {} if self._token is None else {"Authorization": f"Bearer {self._token}"}

    async def _send_once(
        self,
        method: str,
        url: URL,
        params: Params | None,
        json_body: object,
        form: FormFactory | None,
    ) -> aiohttp.ClientResponse:
        """Send one request with the current token."""
        return await self.session.request(
            method,
            url,
            params=params,
            json=json_body,
            data=None if form is None else form(),
            headers=self._headers(),
        )

    async def _send(
        self,
        method: str,
        url: URL,
        params: Params | None = None,
        json_body: object = None,
        form: FormFactory | None = None,
    ) -> aiohttp.ClientResponse:
        """Send a request, log in again once on 401, and refuse error statuses."""
        if self.username is not None and self._token is None:
            await self.login()
        response = await self._send_once(method, url, params, json_body, form)
        if response.status == 401 and self.username is not None:
            response.release()
            self._token = None
            await self.login()
            response = await self._send_once(method, url, params, json_body, form)
        if response.status in {401, 403}:
            response.release()
            raise FrigateAuthenticationError(f"HTTP {response.status} for {url.path}")
        if response.status >= 400:
            async with response:
                body = await response.read()
            raise FrigateResponseError(
                f"HTTP {response.status}: {_error_message(body)}", response.status
            )
        return response

    async def _read(
        self,
        method: str,
        url: URL,
        params: Params | None = None,
        json_body: object = None,
        form: FormFactory | None = None,
    ) -> bytes:
        """Send a request and read the whole body within the timeout."""
        async with _mapped_errors(self.timeout):
            response = await self._send(method, url, params, json_body, form)
            async with response:
                return await response.read()

    async def _json(
        self,
        method: str,
        url: URL,
        params: Params | None = None,
        json_body: object = None,
        form: FormFactory | None = None,
    ) -> Any:
        """Send a request and decode its JSON body."""
        body = await self._read(method, url, params, json_body, form)
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as err:
            raise FrigateResponseError(f"malformed JSON from {url.path}") from err

    async def version(self) -> FrigateVersion:
        """Read and remember the server version (`GET /api/version`)."""
        body = await self._read("GET", self._url("version"))
        try:
            self._version = parse_version(body.decode(errors="replace"))
        except FrigatePayloadError as err:
            raise FrigateResponseError(str(err)) from err
        return self._version

    async def config(self) -> dict[str, Any]:
        """Return the running configuration (`GET /api/config`)."""
        data = await self._json("GET", self._url("config"))
        if not isinstance(data, dict):
            raise FrigateResponseError("config is not an object")
        return data

    async def events(
        self,
        *,
        cameras: tuple[str, ...] = (),
        labels: tuple[str, ...] = (),
        zones: tuple[str, ...] = (),
        sub_labels: tuple[str, ...] = (),
        after: float | None = None,
        before: float | None = None,
        limit: int | None = None,
        has_clip: bool | None = None,
        has_snapshot: bool | None = None,
        recognized_license_plate: str | None = None,
    ) -> tuple[Event, ...]:
        """Query stored events (`GET /api/events`), newest first."""
        params: dict[str, str | int | float] = {}
        for key, values in (
            ("cameras", cameras),
            ("labels", labels),
            ("zones", zones),
            ("sub_labels", sub_labels),
        ):
            if values:
                params[key] = ",".join(values)
        params.update(
            {
                key: value
                for key, value in (
                    ("after", after),
                    ("before", before),
                    ("limit", limit),
                )
                if value is not None
            }
        )
        for key, flag in (("has_clip", has_clip), ("has_snapshot", has_snapshot)):
            if flag is not None:
                params[key] = int(flag)
        if recognized_license_plate is not None:
            params["recognized_license_plate"] = recognized_license_plate
        data = await self._json("GET", self._url("events"), params)
        try:
            return parse_events(data)
        except FrigatePayloadError as err:
            raise FrigateResponseError(str(err)) from err

    async def event(self, event_id: str) -> Event:
        """Return one event (`GET /api/events/{id}`)."""
        data = await self._json("GET", self._url("events", event_id))
        try:
            return parse_event(data)
        except FrigatePayloadError as err:
            raise FrigateResponseError(str(err)) from err

    async def snapshot(
        self,
        event_id: str,
        *,
        bbox: bool = False,
        crop: bool = False,
        height: int | None = None,
        quality: int | None = None,
    ) -> bytes:
        """Return the event's JPEG snapshot."""
        params: dict[str, str | int | float] = {"bbox": int(bbox), "crop": int(crop)}
        if height is not None:
            params["height"] = height
        if quality is not None:
            params["quality"] = quality
        return await self._read(
            "GET", self._url("events", event_id, "snapshot.jpg"), params
        )

    async def thumbnail(self, event_id: str) -> bytes:
        """Return the event's small thumbnail."""
        return await self._read("GET", self._url("events", event_id, "thumbnail.jpg"))

    async def clip(self, event_id: str) -> bytes:
        """Return the event's whole MP4 clip (prefer `stream_clip` for large clips)."""
        return await self._read("GET", self._url("events", event_id, "clip.mp4"))

    @asynccontextmanager
    async def stream_clip(self, event_id: str) -> AsyncIterator[aiohttp.ClientResponse]:
        """Open the event's MP4 clip for streaming; the timeout covers the headers only."""
        async with _mapped_errors(self.timeout):
            response = await self._send(
                "GET", self._url("events", event_id, "clip.mp4")
            )
        async with response:
            yield response

    async def create_event(
        self,
        camera: str,
        label: str,
        *,
        sub_label: str | None = None,
        score: float | None = None,
        duration: int = 30,
        include_recording: bool = True,
    ) -> CreatedEvent:
        """Create a manual event so an external detector shows in Frigate's timeline."""
        body: dict[str, object] = {
            "duration": duration,
            "include_recording": include_recording,
        }
        if sub_label is not None:
            body["sub_label"] = sub_label
        if score is not None:
            body["score"] = score
        data = await self._json(
            "POST", self._url("events", camera, label, "create"), json_body=body
        )
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("event_id"), str)
            or not data.get("success", True)
        ):
            raise FrigateResponseError("event was not created")
        return CreatedEvent(
            event_id=data["event_id"], message=str(data.get("message", ""))
        )

    async def end_event(self, event_id: str) -> None:
        """End a manual event (`PUT /api/events/{id}/end`)."""
        await self._read("PUT", self._url("events", event_id, "end"), json_body={})

    async def set_sub_label(
        self, event_id: str, sub_label: str, score: float | None = None
    ) -> None:
        """Set an event's sub label (at most 100 characters, score in (0, 1])."""
        if not sub_label or len(sub_label) > _MAX_SUB_LABEL:
            raise ValueError("sub_label must have 1 to 100 characters")
        body: dict[str, object] = {"subLabel": sub_label}
        if score is not None:
            if not 0 < score <= 1:
                raise ValueError("score must be in (0, 1]")
            body["subLabelScore"] = score
        await self._read(
            "POST", self._url("events", event_id, "sub_label"), json_body=body
        )

    async def faces(self) -> dict[str, tuple[str, ...]]:
        """Return the face library: name -> image files (`GET /api/faces`)."""
        data = await self._json("GET", self._url("faces"))
        try:
            return parse_faces(data)
        except FrigatePayloadError as err:
            raise FrigateResponseError(str(err)) from err

    async def register_face(
        self, name: str, image: bytes, filename: str = "face.jpg"
    ) -> None:
        """Add a face image to `name` in the library (`POST /api/faces/{name}/register`)."""

        def form() -> aiohttp.FormData:
            data = aiohttp.FormData()
            data.add_field("file", image, filename=filename, content_type="image/jpeg")
            return data

        data = await self._json("POST", self._url("faces", name, "register"), form=form)
        if isinstance(data, dict) and data.get("success") is False:
            raise FrigateResponseError(
                f"face not registered: {data.get('message', '')}"
            )
