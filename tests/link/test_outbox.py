"""Tests of the store-and-forward state: outbox, inbox, persistence."""

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from custom_components.smart_community.link.outbox import (
    Inbox,
    JsonFileStorage,
    LinkState,
    MemoryStorage,
    Outbox,
    PendingMessage,
    RetryPolicy,
)
from custom_components.smart_community.link.protocol import MessageType


def pending(message_id: str, next_attempt: float = 0.0) -> PendingMessage:
    return PendingMessage(
        message_id,
        MessageType.ALARM_RAISED,
        "a1",
        {"alarm_id": message_id, "kind": "gas", "raised_at": 1.0},
        created=1.0,
        next_attempt=next_attempt,
    )


def test_retry_policy_grows_and_caps() -> None:
    policy = RetryPolicy(initial=1, factor=2, maximum=10, jitter=0)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5, 50)] == [1, 2, 4, 8, 10, 10]
    jittery = RetryPolicy(initial=10, jitter=0.1)
    assert all(9 <= jittery.delay(1) <= 11 for _ in range(50))


def test_outbox_due_attempts_confirm() -> None:
    outbox = Outbox(RetryPolicy(initial=5, jitter=0))
    outbox.add(pending("m1", 0))
    outbox.add(pending("m2", 100))
    assert len(outbox) == 2
    assert "m1" in outbox
    assert [m.id for m in outbox.due(10)] == ["m1"]
    first = outbox.due(10)[0]
    outbox.mark_attempt(first, 10)
    assert first.attempts == 1
    assert first.next_attempt == 15
    assert outbox.next_due() == 15
    outbox.reschedule_all(20)
    assert [m.id for m in outbox.due(20)] == ["m1", "m2"]
    assert outbox.confirm("m1") is first
    assert outbox.confirm("m1") is None
    assert [m.id for m in outbox.messages()] == ["m2"]
    outbox.confirm("m2")
    assert outbox.next_due() is None


def test_outbox_dump_restore() -> None:
    outbox = Outbox()
    message = pending("m1")
    outbox.add(message)
    outbox.mark_attempt(message, 5)
    restored = Outbox()
    restored.restore(outbox.dump())
    (copy,) = restored.messages()
    assert copy.as_dict() == message.as_dict()
    assert copy.attempts == 1
    assert copy.next_attempt == 0.0


def test_inbox_retention_and_bound() -> None:
    inbox = Inbox(retention=100, max_entries=3)
    for index in range(4):
        inbox.add(f"m{index}", float(index))
    assert len(inbox) == 3
    assert "m0" not in inbox
    inbox.add("m1", 50.0)
    inbox.prune(102.5)
    assert "m2" not in inbox
    assert "m3" in inbox
    assert "m1" in inbox
    inbox.discard("m3")
    inbox.discard("unknown")
    assert inbox.dump() == {"m1": 50.0}
    other = Inbox()
    other.restore({"x": 2.0, "y": 1.0})
    assert list(other.dump()) == ["y", "x"]


async def test_state_persists_and_coalesces_saves() -> None:
    storage = MemoryStorage()
    state = LinkState(storage)
    await state.load()
    state.outbox.add(pending("m1"))
    state.inbox.add("in1", 3.0)
    await asyncio.gather(*(state.save() for _ in range(20)))
    assert 1 <= storage.saves < 20
    again = LinkState(storage)
    await again.load()
    assert [m.id for m in again.outbox.messages()] == ["m1"]
    assert "in1" in again.inbox


async def test_state_without_storage() -> None:
    state = LinkState(None)
    await state.load()
    await state.save()
    assert state.snapshot() == {"version": 1, "outbox": [], "inbox": {}}


@pytest.mark.parametrize(
    "data",
    [
        {"version": 99, "outbox": [], "inbox": {}},
        {"version": 1, "outbox": [{"id": "x"}], "inbox": {}},
        {"version": 1},
        ["not", "a", "dict"],
    ],
)
async def test_unreadable_state_is_ignored(
    data: Any, caplog: pytest.LogCaptureFixture
) -> None:
    storage = MemoryStorage()
    await storage.async_save(data)
    state = LinkState(storage)
    with caplog.at_level(logging.ERROR):
        await state.load()
    assert "Ignoring unreadable link state" in caplog.text
    assert len(state.outbox) == 0


async def test_json_file_storage(tmp_path: Path) -> None:
    storage = JsonFileStorage(tmp_path / "link.json")
    assert await storage.async_load() is None
    await storage.async_save({"text": "火警"})
    assert await storage.async_load() == {"text": "火警"}
    assert "火警" in (tmp_path / "link.json").read_text(encoding="utf-8")
    assert not (tmp_path / "link.json.tmp").exists()
