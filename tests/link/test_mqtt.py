"""Link tests against a real Mosquitto with generated password and ACL files."""

import asyncio
from collections.abc import AsyncGenerator, Callable
import contextlib
import dataclasses
import logging
from pathlib import Path
import shutil
import socket
import subprocess
import time

import aiomqtt
from aiomqtt.exceptions import MqttConnectError
import pytest

from custom_components.smart_community.link.broker import household_username
from custom_components.smart_community.link.endpoint import LinkEndpoint
from custom_components.smart_community.link.mqtt import (
    MqttSettings,
    MqttTransport,
    _Client,
    _error_key,
    _open,
    check_connection,
)
from custom_components.smart_community.link.outbox import MemoryStorage
from custom_components.smart_community.link.protocol import (
    MessageType,
    Role,
    create,
    encode,
)
from custom_components.smart_community.link.topics import (
    household_inbox_topic,
    household_out_topic,
)

from .conftest import COMMUNITY, Broker, wait_until
from .test_inprocess import ALARM, BROADCAST_KEY, KEYS, Recorder

pytestmark = pytest.mark.mosquitto


def household_endpoint(
    broker: Broker, name: str = "a1", storage: MemoryStorage | None = None
) -> tuple[LinkEndpoint, Recorder]:
    recorder = Recorder()
    transport = MqttTransport(broker.settings(name), Role.HOUSEHOLD, name)
    endpoint = LinkEndpoint.for_household(
        name, KEYS[name], BROADCAST_KEY, transport, storage or MemoryStorage(), recorder
    )
    return endpoint, recorder


def community_endpoint(
    broker: Broker, storage: MemoryStorage | None = None
) -> tuple[LinkEndpoint, Recorder]:
    recorder = Recorder()
    transport = MqttTransport(broker.settings(), Role.COMMUNITY)
    endpoint = LinkEndpoint.for_community(
        KEYS, BROADCAST_KEY, transport, storage or MemoryStorage(), recorder
    )
    return endpoint, recorder


@contextlib.asynccontextmanager
async def raw_client(broker: Broker, household: str) -> AsyncGenerator[aiomqtt.Client]:
    async with aiomqtt.Client(
        "127.0.0.1",
        broker.port,
        username=household_username(COMMUNITY, household),
        password=broker.passwords[household],
        identifier=f"raw-{household}",
    ) as client:
        yield client


async def test_alarm_crosses_the_broker_and_back(broker: Broker) -> None:
    duty, duty_inbox = community_endpoint(broker)
    home, home_inbox = household_endpoint(broker)
    await duty.start()
    await home.start()
    await wait_until(lambda: duty.connected and home.connected)
    message_id = await home.send(MessageType.ALARM_RAISED, ALARM)
    await wait_until(lambda: not home.pending)
    assert duty_inbox.ids() == [message_id]
    ack_id = await duty.send(
        MessageType.ALARM_ACKNOWLEDGED, {"alarm_id": "al-1", "by": "duty room"}, "a1"
    )
    notice = {
        "announcement_id": "n1",
        "title": "Drill",
        "message": "Fire drill at 10:00",
    }
    broadcast_id = await duty.send(MessageType.ANNOUNCEMENT, notice, "*")
    await wait_until(lambda: len(home_inbox.messages) == 2 and not duty.pending)
    assert sorted(home_inbox.ids()) == sorted([ack_id, broadcast_id])
    assert duty.stats.rejected == {}
    assert home.stats.rejected == {}
    await home.stop()
    await duty.stop()
    assert not home.connected


async def test_broker_killed_before_sending_delivers_once(broker: Broker) -> None:
    duty, duty_inbox = community_endpoint(broker)
    home, _ = household_endpoint(broker)
    await duty.start()
    await home.start()
    await wait_until(lambda: duty.connected and home.connected)
    broker.kill()
    await wait_until(lambda: not home.connected and not duty.connected)
    message_id = await home.send(MessageType.ALARM_RAISED, ALARM)
    broker.start()
    await wait_until(lambda: not home.pending)
    assert duty_inbox.ids() == [message_id]
    await home.stop()
    await duty.stop()


async def test_broker_killed_mid_alarm_delivers_exactly_once(broker: Broker) -> None:
    duty, duty_inbox = community_endpoint(broker)
    home, _ = household_endpoint(broker)
    duty_inbox.gate = asyncio.Event()
    await duty.start()
    await home.start()
    await wait_until(lambda: duty.connected and home.connected)
    message_id = await home.send(MessageType.ALARM_RAISED, ALARM)
    # The community is handling it (the household may already have re-sent it once,
    # on the community's link_online).
    await wait_until(lambda: duty.stats.accepted >= 1)
    broker.kill()
    await wait_until(lambda: not duty.connected)
    duty_inbox.gate.set()  # handled, but the ack cannot leave
    await wait_until(lambda: duty.stats.delivered == 1)
    assert home.pending
    broker.start()
    await wait_until(lambda: not home.pending)
    assert duty_inbox.ids() == [message_id]
    assert duty.stats.duplicates >= 1
    assert home.stats.resent >= 1
    await home.stop()
    await duty.stop()


async def test_household_cannot_publish_into_other_topics(broker: Broker) -> None:
    duty, duty_inbox = community_endpoint(broker)
    await duty.start()
    await wait_until(lambda: duty.connected)
    now = time.time()
    stolen = encode(
        create(
            MessageType.ALARM_RAISED,
            ALARM,
            household="b2",
            sender=Role.HOUSEHOLD,
            now=now,
        ),
        KEYS["b2"],
    )
    own = encode(
        create(
            MessageType.ALARM_RAISED,
            ALARM,
            household="a1",
            sender=Role.HOUSEHOLD,
            now=now,
        ),
        KEYS["a1"],
    )
    fake_call = encode(
        create(
            MessageType.VISITOR_CALL,
            {"call_id": "fake", "gate": "g"},
            household="b2",
            sender=Role.COMMUNITY,
            now=now,
        ),
        KEYS["b2"],
    )
    async with raw_client(broker, "a1") as intruder, raw_client(broker, "b2") as victim:
        await victim.subscribe(household_inbox_topic(COMMUNITY, "b2"), qos=1)
        await victim.subscribe(f"sc/{COMMUNITY}/broadcast", qos=1)
        await intruder.publish(household_out_topic(COMMUNITY, "b2"), stolen, qos=1)
        await intruder.publish(household_inbox_topic(COMMUNITY, "b2"), fake_call, qos=1)
        await intruder.publish(f"sc/{COMMUNITY}/broadcast", b"junk", qos=1)
        await intruder.publish(household_out_topic(COMMUNITY, "a1"), own, qos=1)
        await wait_until(lambda: duty.stats.received == 1)
        # Mosquitto delivers one connection's publishes in order: the forbidden ones never came.
        assert duty.stats.delivered == 1
        assert duty_inbox.messages[0].household == "a1"
        # The intruder's publishes were acknowledged before this one is sent, so it comes after them.
        await duty.send(
            MessageType.VISITOR_CALL, {"call_id": "legit", "gate": "g"}, "b2"
        )
        async with asyncio.timeout(15):
            first = await anext(aiter(victim.messages))
        assert isinstance(first.payload, bytes)
        assert b'"legit"' in first.payload
    await duty.stop()


async def test_household_cannot_read_other_inbox(broker: Broker) -> None:
    duty, _ = community_endpoint(broker)
    await duty.start()
    await wait_until(lambda: duty.connected)
    async with raw_client(broker, "a1") as snooper:
        await snooper.subscribe(household_inbox_topic(COMMUNITY, "b2"), qos=1)
        await snooper.subscribe(f"sc/{COMMUNITY}/hh/+/inbox", qos=1)
        await snooper.subscribe(household_inbox_topic(COMMUNITY, "a1"), qos=1)
        await duty.send(
            MessageType.VISITOR_CALL, {"call_id": "secret", "gate": "g"}, "b2"
        )
        await duty.send(
            MessageType.VISITOR_CALL, {"call_id": "mine", "gate": "g"}, "a1"
        )
        async with asyncio.timeout(15):
            async for message in snooper.messages:
                topic = str(message.topic)
                assert topic == household_inbox_topic(COMMUNITY, "a1")
                assert isinstance(message.payload, bytes)
                assert b"secret" not in message.payload
                break
    await duty.stop()


async def test_wrong_password_is_refused(broker: Broker) -> None:
    transport = MqttTransport(
        broker.settings("a1", password="wrong"), Role.HOUSEHOLD, "a1"
    )
    await transport.start()
    await wait_until(lambda: transport.last_error is not None)
    assert transport.last_error == "auth"
    assert not transport.connected
    assert not await transport.send(b"x", "a1")
    await transport.stop()


async def test_unreachable_broker(broker: Broker) -> None:
    settings = broker.settings("a1")
    broker.kill()
    transport = MqttTransport(settings, Role.HOUSEHOLD, "a1")
    await transport.start()
    await transport.start()  # idempotent
    await wait_until(lambda: transport.last_error is not None)
    assert transport.last_error == "unreachable"
    await transport.stop()
    await transport.stop()


async def test_malformed_payloads_on_the_wire_do_not_crash(broker: Broker) -> None:
    duty, duty_inbox = community_endpoint(broker)
    home, _ = household_endpoint(broker, "b2")
    await duty.start()
    await home.start()
    await wait_until(lambda: duty.connected and home.connected)
    async with raw_client(broker, "a1") as sender:
        topic = household_out_topic(COMMUNITY, "a1")
        for payload in (b"", b"\x00\xff", b"{", b"[]", b'{"v": 1}', b"x" * 70_000):
            await sender.publish(topic, payload, qos=1)
        await wait_until(lambda: duty.stats.received == 6)
    assert duty.stats.rejected == {"malformed": 5, "too_large": 1}
    message_id = await home.send(MessageType.ALARM_RAISED, ALARM)
    await wait_until(lambda: not home.pending)
    assert duty_inbox.ids() == [message_id]
    await home.stop()
    await duty.stop()


async def test_restart_with_persisted_outbox_over_mqtt(broker: Broker) -> None:
    storage = MemoryStorage()
    home, _ = household_endpoint(broker, storage=storage)
    await home.start()
    await wait_until(lambda: home.connected)
    message_id = await home.send(MessageType.ALARM_RAISED, ALARM)
    await home.stop()
    duty, duty_inbox = community_endpoint(broker)
    await duty.start()
    restarted, _ = household_endpoint(broker, storage=storage)
    await restarted.start()
    await wait_until(lambda: not restarted.pending)
    assert duty_inbox.ids() == [message_id]
    await restarted.stop()
    await duty.stop()


def test_settings_and_topics(broker: Broker) -> None:
    settings = broker.settings("a1")
    assert broker.passwords["a1"] not in repr(settings)
    community = MqttTransport(settings, Role.COMMUNITY)
    assert community.subscriptions == [f"sc/{COMMUNITY}/hh/+/out"]
    assert community.topic_for("b2") == f"sc/{COMMUNITY}/hh/b2/inbox"
    assert community.topic_for("*") == f"sc/{COMMUNITY}/broadcast"
    home = MqttTransport(settings, Role.HOUSEHOLD, "a1")
    assert home.subscriptions == [
        f"sc/{COMMUNITY}/hh/a1/inbox",
        f"sc/{COMMUNITY}/broadcast",
    ]
    assert home.topic_for("*") == f"sc/{COMMUNITY}/hh/a1/out"
    with pytest.raises(ValueError, match="community"):
        MqttTransport(MqttSettings(host="h", port=1, community="a/b"), Role.COMMUNITY)
    with pytest.raises(ValueError, match="household"):
        MqttTransport(settings, Role.HOUSEHOLD, "a+")


def make_certificates(directory: Path, san: str) -> dict[str, str]:
    """Create a CA and a server certificate for 127.0.0.1 with openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    ca_key, ca_crt = directory / "ca.key", directory / "ca.crt"
    key, csr, crt = (
        directory / "server.key",
        directory / "server.csr",
        directory / "server.crt",
    )
    ext = directory / "san.ext"
    ext.write_text(f"subjectAltName={san}\n")
    commands = [
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=test ca",
            "-keyout",
            ca_key,
            "-out",
            ca_crt,
        ],
        [
            openssl,
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=broker",
            "-keyout",
            key,
            "-out",
            csr,
        ],
        [
            openssl,
            "x509",
            "-req",
            "-in",
            csr,
            "-CA",
            ca_crt,
            "-CAkey",
            ca_key,
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            ext,
            "-out",
            crt,
        ],
    ]
    for command in commands:
        subprocess.run([str(part) for part in command], check=True, capture_output=True)
    return {"cafile": str(ca_crt), "certfile": str(crt), "keyfile": str(key)}


@pytest.mark.parametrize(
    ("san", "insecure"), [("IP:127.0.0.1", False), ("DNS:elsewhere.invalid", True)]
)
async def test_alarm_crosses_over_tls(
    make_broker: Callable[..., Broker], tmp_path: Path, san: str, insecure: bool
) -> None:
    tls_files = make_certificates(tmp_path, san)
    broker = make_broker(tls_files)
    options = {"tls": True, "ca_certs": tls_files["cafile"], "tls_insecure": insecure}
    duty_inbox = Recorder()
    duty = LinkEndpoint.for_community(
        KEYS,
        BROADCAST_KEY,
        MqttTransport(broker.settings(**options), Role.COMMUNITY),
        None,
        duty_inbox,
    )
    home = LinkEndpoint.for_household(
        "a1",
        KEYS["a1"],
        BROADCAST_KEY,
        MqttTransport(broker.settings("a1", **options), Role.HOUSEHOLD, "a1"),
        None,
        Recorder(),
    )
    await duty.start()
    await home.start()
    message_id = await home.send(MessageType.ALARM_RAISED, ALARM)
    await wait_until(lambda: not home.pending)
    assert duty_inbox.ids() == [message_id]
    await home.stop()
    await duty.stop()


async def test_tls_rejects_unknown_server_name(
    make_broker: Callable[..., Broker], tmp_path: Path
) -> None:
    tls_files = make_certificates(tmp_path, "DNS:elsewhere.invalid")
    broker = make_broker(tls_files)
    transport = MqttTransport(
        broker.settings("a1", tls=True, ca_certs=tls_files["cafile"]),
        Role.HOUSEHOLD,
        "a1",
    )
    await transport.start()
    await wait_until(lambda: transport.last_error is not None)
    assert transport.last_error == "unreachable"
    assert not transport.connected
    await transport.stop()


def test_error_keys() -> None:
    assert _error_key(MqttConnectError(5)) == "auth"
    assert _error_key(MqttConnectError(3)) == "refused"
    assert _error_key(aiomqtt.MqttCodeError(7, "lost")) == "unreachable"
    assert _error_key(aiomqtt.MqttError("timeout")) == "unreachable"


class FailingClient:
    async def publish(self, *args: object, **kwargs: object) -> None:
        raise aiomqtt.MqttError("Operation timed out")


async def test_publish_failure_reports_false(broker: Broker) -> None:
    transport = MqttTransport(broker.settings("a1"), Role.HOUSEHOLD, "a1")
    transport._client = FailingClient()  # type: ignore[assignment]
    assert not await transport.send(b"x", "a1")


async def test_repeated_connection_errors_warn_once(
    broker: Broker, caplog: pytest.LogCaptureFixture
) -> None:
    settings = broker.settings("a1")
    broker.kill()
    transport = MqttTransport(settings, Role.HOUSEHOLD, "a1")
    with caplog.at_level(
        logging.DEBUG, logger="custom_components.smart_community.link.mqtt"
    ):
        await transport.start()
        await wait_until(lambda: caplog.text.count("Link connection to") >= 3)
        await transport.stop()
    levels = [
        record.levelno
        for record in caplog.records
        if "Link connection to" in record.getMessage()
    ]
    assert levels[0] == logging.WARNING
    assert set(levels[1:]) == {logging.DEBUG}


@contextlib.asynccontextmanager
async def loop_errors() -> AsyncGenerator[list[dict[str, object]]]:
    """Collect what reaches the event loop's exception handler."""
    loop = asyncio.get_running_loop()
    errors: list[dict[str, object]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    try:
        yield errors
    finally:
        loop.set_exception_handler(previous)


@contextlib.asynccontextmanager
async def silent_broker() -> AsyncGenerator[tuple[int, list[asyncio.StreamReader]]]:
    """A TCP server that takes connections and never answers MQTT CONNECT."""
    readers: list[asyncio.StreamReader] = []

    async def accept(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        readers.append(reader)
        with contextlib.suppress(ConnectionError):
            await reader.read()  # until the client closes
        writer.close()

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], readers
    finally:
        server.close()
        server.close_clients()
        await server.wait_closed()


async def test_stop_while_connecting_leaves_no_stray_connection(
    broker: Broker,
) -> None:
    """Unloading mid-connect closes that connection: no loop errors, no session takeover."""
    async with loop_errors() as errors:
        for _ in range(5):
            transport = MqttTransport(broker.settings("a1"), Role.HOUSEHOLD, "a1")
            await transport.start()
            await asyncio.sleep(0)  # the connect is under way
            await transport.stop()
        # A stray connection with this client id would now be taken over (and fail).
        endpoint, _ = household_endpoint(broker)
        await endpoint.start()
        await wait_until(lambda: endpoint.connected)
        await asyncio.sleep(0.2)
        assert endpoint.connected
        await endpoint.stop()
        await asyncio.sleep(0.1)
    assert errors == []


async def test_broker_that_never_answers(broker: Broker) -> None:
    """A broker that takes the connection but never answers is unreachable, and is hung up on."""
    async with silent_broker() as (port, readers), loop_errors() as errors:
        settings = dataclasses.replace(broker.settings("a1"), port=port, timeout=0.2)
        assert await check_connection(settings) == "unreachable"
        transport = MqttTransport(settings, Role.HOUSEHOLD, "a1")
        await transport.start()
        await wait_until(lambda: transport.last_error == "unreachable")
        await transport.stop()
        # Stopping while the broker is still silent hangs up too.
        transport = MqttTransport(
            dataclasses.replace(settings, timeout=1.0), Role.HOUSEHOLD, "a1"
        )
        await transport.start()
        count = len(readers)
        await wait_until(lambda: len(readers) > count)
        await transport.stop()
        await wait_until(lambda: all(reader.at_eof() for reader in readers))
        # Our own limit, shorter than aiomqtt's, gives up and hangs up as well.
        client = transport._make_client()
        with pytest.raises(TimeoutError):
            await _open(client, 0.1)
        await wait_until(lambda: all(reader.at_eof() for reader in readers))
        await asyncio.sleep(0.05)
    assert errors == []


async def test_community_back_online_makes_households_resend(broker: Broker) -> None:
    """A broker that lost its state drops what a household sends before the community
    subscribes again; the community's link_online makes the household re-send at once
    (its retry timer would wait 15 s)."""
    duty, duty_inbox = community_endpoint(broker)
    home, _ = household_endpoint(broker)
    await duty.start()
    await home.start()
    await wait_until(lambda: duty.connected and home.connected)
    await duty.stop()
    broker.kill()
    await wait_until(lambda: not home.connected)
    shutil.rmtree(broker.directory / "data", ignore_errors=True)  # sessions lost
    (broker.directory / "data").mkdir()
    broker.start()
    await wait_until(lambda: home.connected)
    await asyncio.sleep(0.1)  # its reconnect re-sent nothing: nothing was pending
    message_id = await home.send(MessageType.ALARM_RAISED, ALARM)
    await asyncio.sleep(0.3)  # published to nobody
    assert home.pending
    assert home.stats.resent == 0
    duty, duty_inbox = community_endpoint(broker)
    started = time.monotonic()
    await duty.start()
    await wait_until(lambda: not home.pending, timeout=10)
    assert time.monotonic() - started < 10
    assert duty_inbox.ids() == [message_id]
    assert home.stats.resent >= 1
    await home.stop()
    await duty.stop()


async def test_a_write_registered_for_a_socket_closed_meanwhile_is_dropped() -> None:
    # A publish just as the connection drops: paho asks for a write callback, then
    # closes the socket before the loop registers it. aiomqtt registered the dead
    # descriptor and the loop reported EBADF; the link's client skips it.
    loop = asyncio.get_running_loop()
    errors: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    try:
        client = _Client("127.0.0.1", 1)
        left, right = socket.socketpair()
        client._on_socket_register_write(client._client, None, left)
        left.close()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert errors == []
        # An open socket still gets its writer.
        other, peer = socket.socketpair()
        client._on_socket_register_write(client._client, None, other)
        await asyncio.sleep(0)
        assert loop.remove_writer(other.fileno())
        for sock in (right, other, peer):
            sock.close()
    finally:
        loop.set_exception_handler(None)
