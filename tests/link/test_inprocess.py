"""Endpoint tests over the in-process hub: delivery, acks, dedup, store-and-forward."""

import asyncio
import logging
import time
from typing import Any

import pytest

from custom_components.smart_community.link.endpoint import LinkEndpoint
from custom_components.smart_community.link.outbox import MemoryStorage, RetryPolicy
from custom_components.smart_community.link.protocol import (
    BROADCAST,
    Envelope,
    InvalidBody,
    MessageType,
    Role,
    create,
    encode,
)
from custom_components.smart_community.link.transport import (
    InProcessHub,
    InProcessTransport,
)

from .conftest import wait_until

KEYS = {"a1": b"a" * 32, "b2": b"b" * 32}
BROADCAST_KEY = b"c" * 32
ALARM = {"alarm_id": "al-1", "kind": "smoke", "raised_at": 1.0}
FAST = RetryPolicy(initial=0.05, maximum=0.2)


class Recorder:
    """A message handler that records what it gets."""

    def __init__(self) -> None:
        self.messages: list[Envelope] = []
        self.fail = 0
        self.gate: asyncio.Event | None = None

    async def __call__(self, envelope: Envelope) -> None:
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            self.fail -= 1
            raise RuntimeError("handler broke")
        self.messages.append(envelope)

    def ids(self) -> list[str]:
        return [message.id for message in self.messages]


def household(
    hub: InProcessHub,
    name: str = "a1",
    storage: MemoryStorage | None = None,
    **options: Any,
) -> tuple[LinkEndpoint, Recorder]:
    recorder = Recorder()
    endpoint = LinkEndpoint.for_household(
        name,
        KEYS[name],
        BROADCAST_KEY,
        hub.household_transport(name),
        storage,
        recorder,
        **options,
    )
    return endpoint, recorder


def community(
    hub: InProcessHub, storage: MemoryStorage | None = None, **options: Any
) -> tuple[LinkEndpoint, Recorder]:
    recorder = Recorder()
    endpoint = LinkEndpoint.for_community(
        KEYS, BROADCAST_KEY, hub.community_transport(), storage, recorder, **options
    )
    return endpoint, recorder


async def test_alarm_crosses_and_is_confirmed() -> None:
    hub = InProcessHub()
    home, _ = household(hub)
    duty, duty_inbox = community(hub)
    confirmed: list[str] = []
    remove = home.add_delivery_listener(confirmed.append)
    await duty.start()
    await home.start()
    message_id = await home.send(MessageType.ALARM_RAISED, ALARM)
    assert [m.id for m in home.pending] == [message_id]
    await wait_until(lambda: confirmed == [message_id])
    assert duty_inbox.ids() == [message_id]
    (received,) = duty_inbox.messages
    assert received.household == "a1"
    assert received.sender is Role.HOUSEHOLD
    assert received.body == ALARM
    assert home.pending == []
    assert home.stats.confirmed == 1
    assert duty.stats.delivered == 1
    assert duty.stats.acks_sent == 1
    remove()
    await home.stop()
    await duty.stop()


async def test_community_to_household_and_broadcast() -> None:
    hub = InProcessHub()
    home_a, inbox_a = household(hub, "a1")
    home_b, inbox_b = household(hub, "b2")
    duty, _ = community(hub)
    for endpoint in (duty, home_a, home_b):
        await endpoint.start()
    direct = await duty.send(
        MessageType.VISITOR_CALL, {"call_id": "c1", "gate": "north"}, "b2"
    )
    notice = {"announcement_id": "n1", "title": "停水", "message": "9:00-11:00"}
    broadcast = await duty.send(MessageType.ANNOUNCEMENT, notice, BROADCAST)
    await wait_until(lambda: len(inbox_a.messages) == 1 and len(inbox_b.messages) == 2)
    await wait_until(lambda: not duty.pending)
    assert inbox_a.ids() == [broadcast]
    assert sorted(inbox_b.ids()) == sorted([direct, broadcast])
    assert home_b.stats.acks_sent == 1  # the broadcast is not acknowledged
    assert duty.diagnostics()["pending"] == 0
    for endpoint in (duty, home_a, home_b):
        await endpoint.stop()


async def test_restart_resends_persisted_alarm_exactly_once() -> None:
    storage = MemoryStorage()
    first_hub = InProcessHub()
    home, _ = household(first_hub, storage=storage)
    await home.start()
    message_id = await home.send(MessageType.ALARM_RAISED, ALARM)
    await home.stop()  # "crash": no community was there to confirm it

    hub = InProcessHub()
    duty, duty_inbox = community(hub, storage=MemoryStorage())
    await duty.start()
    restarted, _ = household(hub, storage=storage)
    assert restarted.pending == []
    await restarted.start()
    assert [m.id for m in restarted.pending] == [message_id]
    await wait_until(lambda: not restarted.pending)
    assert duty_inbox.ids() == [message_id]
    await restarted.stop()
    await duty.stop()


class DropAcks(InProcessTransport):
    """An in-process transport that loses the first N acks it sends."""

    def __init__(self, hub: InProcessHub, drop: int) -> None:
        super().__init__(hub, Role.COMMUNITY)
        self.drop = drop

    async def send(self, payload: bytes, household: str) -> bool:
        if b'"delivery_ack"' in payload and self.drop:
            self.drop -= 1
            return True
        return await super().send(payload, household)


async def test_lost_ack_causes_resend_but_single_delivery() -> None:
    hub = InProcessHub()
    home, _ = household(hub, retry=FAST)
    inbox = Recorder()
    duty = LinkEndpoint.for_community(
        KEYS, BROADCAST_KEY, DropAcks(hub, 2), MemoryStorage(), inbox
    )
    await duty.start()
    await home.start()
    message_id = await home.send(MessageType.ALARM_RAISED, ALARM)
    await wait_until(lambda: not home.pending)
    assert inbox.ids() == [message_id]
    assert duty.stats.duplicates == 2
    assert home.stats.resent == 2
    await home.stop()
    await duty.stop()


async def test_inbox_survives_restart() -> None:
    hub = InProcessHub()
    duty_storage = MemoryStorage()
    home, _ = household(hub, retry=FAST)
    inbox = Recorder()
    duty = LinkEndpoint.for_community(
        KEYS, BROADCAST_KEY, DropAcks(hub, 1), duty_storage, inbox
    )
    await duty.start()
    await home.start()
    message_id = await home.send(MessageType.ALARM_RAISED, ALARM)
    await wait_until(lambda: inbox.ids() == [message_id])
    await duty.stop()
    restarted, restarted_inbox = community(hub, storage=duty_storage)
    await restarted.start()
    await wait_until(lambda: not home.pending)
    assert restarted_inbox.messages == []
    assert restarted.stats.duplicates >= 1
    await home.stop()
    await restarted.stop()


async def test_handler_failure_is_retried_then_delivered(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub = InProcessHub()
    home, _ = household(hub, retry=FAST)
    duty, inbox = community(hub)
    inbox.fail = 1
    await duty.start()
    await home.start()
    message_id = await home.send(MessageType.ALARM_RAISED, ALARM)
    await wait_until(lambda: not home.pending)
    assert inbox.ids() == [message_id]
    assert duty.stats.handler_errors == 1
    assert "handler failed" in caplog.text
    await home.stop()
    await duty.stop()


async def test_copy_arriving_while_handler_runs_is_not_delivered() -> None:
    hub = InProcessHub()
    home, _ = household(hub, retry=RetryPolicy(initial=0.02, maximum=0.02))
    duty, inbox = community(hub)
    inbox.gate = asyncio.Event()
    await duty.start()
    await home.start()
    await home.send(MessageType.ALARM_RAISED, ALARM)
    await wait_until(lambda: duty.stats.duplicates >= 1)
    inbox.gate.set()
    await wait_until(lambda: not home.pending)
    assert len(inbox.messages) == 1
    await home.stop()
    await duty.stop()


async def test_rejections_are_counted_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub = InProcessHub()
    duty, inbox = community(hub)
    await duty.start()
    intruder = hub.household_transport("a1")
    await intruder.start()
    forged = create(
        MessageType.ALARM_RAISED, ALARM, household="a1", sender=Role.HOUSEHOLD, now=0
    )
    good = create(
        MessageType.ALARM_RAISED,
        ALARM,
        household="a1",
        sender=Role.HOUSEHOLD,
        now=time.time(),
    )
    payloads = [
        b"garbage",
        b"",
        encode(forged, b"x" * 32),
        encode(forged, KEYS["a1"]),
        encode(good, KEYS["a1"]).replace(b'"sig":', b'"sag":'),
        encode(good, KEYS["a1"]),
        encode(good, KEYS["a1"]),
    ]
    for payload in payloads:
        await intruder.send(payload, "a1")
    await wait_until(lambda: duty.stats.received == len(payloads))
    await wait_until(lambda: duty.stats.delivered == 1)
    assert duty.stats.rejected == {
        "malformed": 3,
        "bad_signature": 1,
        "stale": 1,
        "replayed": 1,
    }
    assert inbox.ids() == [good.id]
    assert "Rejected a link message (bad_signature)" in caplog.text
    assert "x" * 32 not in caplog.text
    await intruder.stop()
    await duty.stop()


async def test_household_rejects_other_households_and_forged_broadcasts() -> None:
    hub = InProcessHub()
    home, inbox = household(hub, "a1")
    await home.start()
    fake_community = hub.community_transport()
    await fake_community.start()
    now = time.time()
    for_b = create(
        MessageType.VISITOR_CALL,
        {"call_id": "c", "gate": "g"},
        household="b2",
        sender=Role.COMMUNITY,
        now=now,
    )
    notice = {"announcement_id": "n", "title": "t", "message": "m"}
    broadcast = create(
        MessageType.ANNOUNCEMENT,
        notice,
        household=BROADCAST,
        sender=Role.COMMUNITY,
        now=now,
    )
    await fake_community.send(encode(for_b, KEYS["b2"]), "a1")
    await fake_community.send(encode(broadcast, KEYS["a1"]), "a1")
    await wait_until(lambda: home.stats.received == 2)
    assert home.stats.rejected == {"unknown_household": 1, "bad_signature": 1}
    assert inbox.messages == []
    await fake_community.stop()
    await home.stop()


async def test_send_validation() -> None:
    hub = InProcessHub()
    home, _ = household(hub)
    duty, _ = community(hub)
    with pytest.raises(RuntimeError):
        await home.send(MessageType.ALARM_RAISED, ALARM)
    await home.start()
    await home.start()  # idempotent
    await duty.start()
    with pytest.raises(ValueError, match="destination"):
        await home.send(MessageType.ALARM_RAISED, ALARM, "b2")
    with pytest.raises(ValueError, match="acks"):
        await home.send(MessageType.DELIVERY_ACK, {"ack": "x"})
    with pytest.raises(InvalidBody):
        await home.send(MessageType.ALARM_RAISED, {"alarm_id": "x"})
    with pytest.raises(ValueError, match="destination"):
        await duty.send(MessageType.VISITOR_CALL, {"call_id": "c", "gate": "g"})
    with pytest.raises(ValueError, match="no key"):
        await duty.send(MessageType.VISITOR_CALL, {"call_id": "c", "gate": "g"}, "zz9")
    assert home.pending == []
    await home.stop()
    await home.stop()  # idempotent
    await duty.stop()


def test_constructor_validation() -> None:
    hub = InProcessHub()
    recorder = Recorder()
    with pytest.raises(ValueError, match="household id"):
        LinkEndpoint.for_household(
            "bad id", b"k" * 32, None, hub.household_transport("x"), None, recorder
        )
    with pytest.raises(ValueError, match="another endpoint"):
        LinkEndpoint.for_household(
            "a1", b"k" * 32, None, hub.household_transport("b2"), None, recorder
        )
    with pytest.raises(ValueError, match="household id"):
        InProcessTransport(hub, Role.HOUSEHOLD)


async def test_removed_household_drops_pending(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub = InProcessHub()
    keys = dict(KEYS)
    duty = LinkEndpoint.for_community(
        keys.get, BROADCAST_KEY, hub.community_transport(), MemoryStorage(), Recorder()
    )
    await duty.start()
    await duty.send(
        MessageType.WORK_ORDER_UPDATED, {"work_order_id": "w", "status": "done"}, "b2"
    )
    await duty.stop()  # b2 never attached: still pending
    assert len(duty.pending) == 1
    del keys["b2"]
    await duty.start()
    await wait_until(lambda: not duty.pending)
    assert "no longer known" in caplog.text
    await duty.stop()


async def test_hub_queues_for_detached_peers_and_state_listeners() -> None:
    hub = InProcessHub()
    home, inbox = household(hub)
    duty, _ = community(hub)
    states: list[bool] = []
    remove = duty.add_state_listener(states.append)
    await home.start()
    await home.stop()  # known to the hub, now detached
    await duty.start()
    message_id = await duty.send(
        MessageType.OPEN_DOOR_RESULT, {"request_id": "r", "allowed": True}, "a1"
    )
    notice = {"announcement_id": "n", "title": "t", "message": "m"}
    await duty.send(MessageType.ANNOUNCEMENT, notice, BROADCAST)
    await wait_until(lambda: duty.stats.sent == 2)
    assert not await hub.household_transport("a1").send(b"x", "a1")  # not started
    await home.start()
    await wait_until(lambda: len(inbox.messages) == 2 and not duty.pending)
    assert message_id in inbox.ids()
    assert states == [True]
    remove()
    await duty.stop()
    assert states == [True]
    await home.stop()


async def test_retry_timer_resends_until_confirmed() -> None:
    hub = InProcessHub()
    home, _ = household(hub, retry=FAST)
    await home.start()
    message_id = await home.send(MessageType.ALARM_RAISED, ALARM)
    await wait_until(lambda: home.stats.resent >= 2)
    duty, inbox = community(hub)
    await duty.start()
    await wait_until(lambda: not home.pending)
    assert inbox.ids() == [message_id]
    assert home.diagnostics()["stats"]["confirmed"] == 1
    await home.stop()
    await duty.stop()


async def test_burst_of_alarms_is_drained_without_loss() -> None:
    hub = InProcessHub()
    home_storage = MemoryStorage()
    home, _ = household(hub, storage=home_storage)
    duty, inbox = community(hub, storage=MemoryStorage())
    await duty.start()
    await home.start()
    ids = await asyncio.gather(
        *(
            home.send(MessageType.ALARM_RAISED, {**ALARM, "alarm_id": f"al-{n}"})
            for n in range(300)
        )
    )
    await wait_until(lambda: not home.pending)
    assert sorted(inbox.ids()) == sorted(ids)
    assert home_storage.saves < 300
    await home.stop()
    await duty.stop()


async def test_stop_cancels_in_flight_handler(caplog: pytest.LogCaptureFixture) -> None:
    hub = InProcessHub()
    home, _ = household(hub)
    duty, inbox = community(hub)
    inbox.gate = asyncio.Event()
    await duty.start()
    await home.start()
    await home.send(MessageType.ALARM_RAISED, ALARM)
    await wait_until(lambda: duty.stats.accepted == 1)
    await duty.stop()
    assert duty.stats.delivered == 0
    assert len(home.pending) == 1
    with caplog.at_level(logging.WARNING):
        await home.stop()


async def test_stopped_transports_drop_and_refuse() -> None:
    hub = InProcessHub()
    received: list[bytes] = []
    states: list[bool] = []
    home = hub.household_transport("a1")
    home.set_callbacks(received.append, states.append)
    duty = hub.community_transport()
    await home.start()
    await duty.start()
    hub.detach(hub.community_transport())  # not the attached one: no effect
    hub.detach(hub.household_transport("a1"))
    assert await duty.send(b"first", "a1")
    await (
        home.stop()
    )  # the hub already scheduled the delivery; a stopped transport drops it
    await asyncio.sleep(0)
    assert received == []
    assert await duty.send(b"second", "a1")  # queued for the detached household
    await home.start()
    await wait_until(lambda: received == [b"second"])
    assert states == [True, False, True]
    endpoint, _ = household(hub, "b2")
    endpoint._on_receive(b"late")  # not running: ignored
    assert endpoint.stats.received == 0
    await home.stop()
    await duty.stop()


class Refusing(InProcessTransport):
    calls = 0

    async def send(self, payload: bytes, household: str) -> bool:
        self.calls += 1
        return False


async def test_refused_sends_are_not_counted() -> None:
    hub = InProcessHub()
    transport = Refusing(hub, Role.HOUSEHOLD, "a1")
    storage = MemoryStorage()
    home = LinkEndpoint.for_household(
        "a1", KEYS["a1"], None, transport, storage, Recorder()
    )
    await home.start()
    await home.send(MessageType.ALARM_RAISED, ALARM)
    await wait_until(lambda: transport.calls == 1)
    assert home.stats.sent == 0
    assert len(home.pending) == 1
    await home.stop()


async def test_confirmations_are_persisted_later() -> None:
    hub = InProcessHub()
    storage = MemoryStorage()
    home, _ = household(hub, storage=storage, confirm_save_delay=0.01)
    duty, _ = community(hub)
    await duty.start()
    await home.start()
    await home.send(MessageType.ALARM_RAISED, ALARM)
    assert len((await storage.async_load())["outbox"]) == 1
    await wait_until(lambda: not home.pending)
    await wait_until(lambda: storage.saves == 2)
    assert (await storage.async_load())["outbox"] == []
    await home.stop()
    await duty.stop()
