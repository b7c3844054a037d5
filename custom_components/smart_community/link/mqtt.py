"""MQTT transport (aiomqtt) for the link: one client per endpoint, QoS 1, persistent session.

Topic scheme (``<c>`` community id, ``<h>`` household id, both ``[A-Za-z0-9_-]``):

========================  ===================  ==================================
topic                     publisher            subscriber
========================  ===================  ==================================
``sc/<c>/hh/<h>/out``     household ``<h>``    community (``sc/<c>/hh/+/out``)
``sc/<c>/hh/<h>/inbox``   community            household ``<h>``
``sc/<c>/broadcast``      community            every household
========================  ===================  ==================================

Each household logs in with its own username/password; the broker ACL (see
:mod:`.broker`) lets it write only its ``out`` topic and read only its inbox and
the broadcast topic. Clients use MQTT 3.1.1 with ``clean_session=False`` and a
stable client id, so the broker keeps subscriptions and queues QoS 1 messages
while a client is away. The connection loop reconnects with exponential backoff
and jitter; :meth:`MqttTransport.stop` cancels it and leaves no task behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass
import logging
import random
from typing import Any, Final

import aiomqtt
from aiomqtt.exceptions import MqttConnectError
from aiomqtt.types import PahoSocket
import paho.mqtt.client as paho

from .protocol import BROADCAST, Role, is_valid_name
from .topics import (
    broadcast_topic,
    client_id,
    household_inbox_topic,
    household_out_topic,
)
from .transport import Transport

LOGGER = logging.getLogger(__name__)

ERROR_AUTH: Final = "auth"
ERROR_REFUSED: Final = "refused"
ERROR_UNREACHABLE: Final = "unreachable"
_AUTH_CODES: Final = frozenset({4, 5, 134, 135})


@dataclass(frozen=True, slots=True)
class MqttSettings:
    """Connection settings of one MQTT transport."""

    host: str
    port: int
    community: str
    username: str | None = None
    password: str | None = None
    tls: bool = False
    ca_certs: str | None = None
    certfile: str | None = None
    keyfile: str | None = None
    tls_insecure: bool = False
    keepalive: int = 30
    timeout: float = 10.0
    reconnect_min: float = 1.0
    reconnect_max: float = 60.0
    max_inflight: int = 100

    def __repr__(self) -> str:
        """Return a representation without the password."""
        return f"MqttSettings(host={self.host!r}, port={self.port}, community={self.community!r}, username={self.username!r}, tls={self.tls})"


def _error_key(err: aiomqtt.MqttError | TimeoutError) -> str:
    """Return a stable key for a connection error (a timeout is unreachable)."""
    if isinstance(err, aiomqtt.MqttCodeError) and err.rc is not None:
        value = getattr(err.rc, "value", err.rc)
        if isinstance(err, MqttConnectError):
            return ERROR_AUTH if value in _AUTH_CODES else ERROR_REFUSED
    return ERROR_UNREACHABLE


async def _open(client: aiomqtt.Client, limit: float) -> None:
    """Connect the client without ever leaving a half-open connection behind.

    aiomqtt's connect must not be cancelled half-way: paho keeps the socket, and its
    later disconnect callback fails in the event loop (or the stray connection,
    with our persistent client id, takes over the session of the next one). So the
    connect runs as its own task; when this task is cancelled (the entry unloads) or the
    broker does not answer in time, the attempt may finish and is then closed.
    """
    connecting = asyncio.ensure_future(client.__aenter__())
    try:
        # asyncio.wait, unlike a plain await, does not pass our cancellation on.
        done, _ = await asyncio.wait([connecting], timeout=limit)
    except asyncio.CancelledError:
        await _close_attempt(client, connecting, limit)
        raise
    if not done:
        await _close_attempt(client, connecting, 0)
        raise TimeoutError
    try:
        connecting.result()
    except aiomqtt.MqttError:
        _hang_up(client)  # aiomqtt leaves the socket open when the CONNACK times out
        raise


async def _close_attempt(
    client: aiomqtt.Client, connecting: asyncio.Future[aiomqtt.Client], grace: float
) -> None:
    """Let an abandoned connect finish (for at most `grace` seconds), then close it."""
    done, _ = await asyncio.wait([connecting], timeout=grace)
    if not done:
        connecting.cancel()
        await asyncio.wait([connecting])
    if connecting.cancelled() or connecting.exception() is not None:
        _hang_up(client)
        return
    await _close(client)


def _hang_up(client: aiomqtt.Client) -> None:
    """Close the socket of a connect that failed or was given up.

    aiomqtt 2.5 (pinned) has no way to abort a connect: give its callbacks a fresh
    pending future, so they ignore what paho reports next, and let paho send
    DISCONNECT and close the socket (nothing happens if it is closed already).
    """
    if client._connected.done():
        client._connected = asyncio.get_running_loop().create_future()
    client._client.disconnect()


async def _close(client: aiomqtt.Client) -> None:
    """Disconnect an open client; a connection that already broke is just released."""
    with contextlib.suppress(aiomqtt.MqttError):
        await client.__aexit__(None, None, None)
    # aiomqtt keeps an unexpected-disconnect error that nobody may read once we stop
    # listening; read it so asyncio does not report it as never retrieved (aiomqtt
    # 2.5, pinned, offers no public accessor).
    disconnected = client._disconnected
    if disconnected.done() and not disconnected.cancelled():
        disconnected.exception()


class _Client(aiomqtt.Client):
    """aiomqtt's client whose write registration survives a socket closed meanwhile.

    aiomqtt 2.5 (pinned) schedules ``add_writer(sock.fileno())`` for later when paho
    queues a packet; when the connection drops before that runs (a publish just as the
    broker goes away), the descriptor is closed and the event loop reports EBADF. The
    packet is not lost: the link keeps every message until the other side confirms it.
    """

    def _on_socket_register_write(
        self,
        client: paho.Client,
        userdata: Any,
        sock: PahoSocket,
    ) -> None:
        fileno = sock.fileno()

        def write() -> None:
            try:
                client.loop_write()
            except Exception as exc:  # noqa: BLE001
                if not self._disconnected.done():
                    self._disconnected.set_exception(exc)

        def register() -> None:
            if fileno < 0 or sock.fileno() != fileno:
                return  # closed before the loop got here
            self._loop.add_writer(fileno, write)

        self._loop.call_soon_threadsafe(register)


class MqttTransport(Transport):
    """Transport over an MQTT broker for one role."""

    announces_online = True

    def __init__(
        self, settings: MqttSettings, role: Role, household: str | None = None
    ) -> None:
        super().__init__(role, household)
        if not is_valid_name(settings.community):
            raise ValueError("invalid community id")
        if household is not None and not is_valid_name(household):
            raise ValueError("invalid household id")
        self.settings = settings
        self.last_error: str | None = None
        # Called with the error key of every failed connection attempt (e.g. "auth").
        self.error_listener: Callable[[str], None] | None = None
        self._client: aiomqtt.Client | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def subscriptions(self) -> list[str]:
        """Return the topics this role subscribes to."""
        community = self.settings.community
        if self.household is None:
            return [household_out_topic(community, "+")]
        return [
            household_inbox_topic(community, self.household),
            broadcast_topic(community),
        ]

    def topic_for(self, household: str) -> str:
        """Return the topic a payload for household is published on."""
        community = self.settings.community
        if self.household is not None:
            return household_out_topic(community, self.household)
        if household == BROADCAST:
            return broadcast_topic(community)
        return household_inbox_topic(community, household)

    def _make_client(self) -> aiomqtt.Client:
        """Create the aiomqtt client for one connection attempt."""
        settings = self.settings
        options: dict[str, Any] = {}
        if settings.tls:
            options["tls_params"] = aiomqtt.TLSParameters(
                ca_certs=settings.ca_certs,
                certfile=settings.certfile,
                keyfile=settings.keyfile,
            )
            options["tls_insecure"] = settings.tls_insecure
        client = _Client(
            settings.host,
            settings.port,
            username=settings.username,
            password=settings.password,
            identifier=client_id(settings.community, self.household),
            protocol=aiomqtt.ProtocolVersion.V311,
            clean_session=False,
            keepalive=settings.keepalive,
            timeout=settings.timeout,
            max_inflight_messages=settings.max_inflight,
            logger=LOGGER,
            **options,
        )
        client.pending_calls_threshold = 1_000_000
        return client

    async def start(self) -> None:
        """Start the connection loop in the background."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(),
                name=f"smart_community link {self.household or 'community'}",
            )

    async def stop(self) -> None:
        """Stop the connection loop and disconnect."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.wait([task])
        self._set_connected(False)

    async def _run(self) -> None:
        """Connect, subscribe and receive; reconnect with backoff on failure."""
        delay = self.settings.reconnect_min
        while True:
            client = self._make_client()
            try:
                # aiomqtt times the CONNACK out itself; ours is the backstop.
                await _open(client, self.settings.timeout + 1)
                try:
                    for topic in self.subscriptions:
                        await client.subscribe(topic, qos=1)
                    self._client = client
                    self.last_error = None
                    delay = self.settings.reconnect_min
                    LOGGER.debug(
                        "Link connected to %s:%s",
                        self.settings.host,
                        self.settings.port,
                    )
                    self._set_connected(True)
                    async for message in client.messages:
                        payload = message.payload
                        self._deliver(
                            bytes(payload)
                            if isinstance(payload, bytes | bytearray)
                            else b""
                        )
                finally:
                    self._client = None
                    self._set_connected(False)
                    await _close(client)
            except (aiomqtt.MqttError, TimeoutError) as err:
                error = _error_key(err)
                level = logging.DEBUG if error == self.last_error else logging.WARNING
                self.last_error = error
                if self.error_listener is not None:
                    self.error_listener(error)
                LOGGER.log(
                    level,
                    "Link connection to %s:%s failed (%s): %s",
                    self.settings.host,
                    self.settings.port,
                    error,
                    err,
                )
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # noqa: S311
            delay = min(self.settings.reconnect_max, delay * 2)

    async def send(self, payload: bytes, household: str) -> bool:
        """Publish payload with QoS 1; return whether the broker accepted it."""
        client = self._client
        if client is None:
            return False
        try:
            await client.publish(self.topic_for(household), payload, qos=1)
        except aiomqtt.MqttError as err:
            LOGGER.debug("Link publish failed: %s", err)
            return False
        return True


async def check_connection(settings: MqttSettings) -> str | None:
    """Connect once with a throw-away session; return None or an error key."""
    options: dict[str, Any] = {}
    if settings.tls:
        options["tls_params"] = aiomqtt.TLSParameters(ca_certs=settings.ca_certs)
        options["tls_insecure"] = settings.tls_insecure
    client = aiomqtt.Client(
        settings.host,
        settings.port,
        username=settings.username,
        password=settings.password,
        protocol=aiomqtt.ProtocolVersion.V311,
        clean_session=True,
        timeout=settings.timeout,
        logger=LOGGER,
        **options,
    )
    try:
        await _open(client, settings.timeout + 1)
    except aiomqtt.MqttError as err:
        return _error_key(err)
    except TimeoutError, OSError:
        return ERROR_UNREACHABLE
    await _close(client)
    return None
