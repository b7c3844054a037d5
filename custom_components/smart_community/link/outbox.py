"""Store-and-forward state of one link endpoint: the outbox and the inbox dedup.

- :class:`Outbox` holds every reliable outgoing message until the peer confirms
  it with a ``delivery_ack``; each entry has an attempt count and a next-retry
  time computed by a :class:`RetryPolicy` (exponential backoff with jitter).
- :class:`Inbox` remembers the ids of messages already delivered, so a message
  re-sent after a lost acknowledgement or a restart is acknowledged again but
  never handed to the application twice.
- :class:`LinkState` persists both through a :class:`LinkStorage`: any object with
  ``async_load() -> dict | None`` and ``async_save(dict)`` - Home Assistant's
  ``helpers.storage.Store`` fits as is; :class:`MemoryStorage` and
  :class:`JsonFileStorage` serve tests and tools. Concurrent saves are coalesced
  (group commit), so a burst of messages costs a few writes, not one each.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
import json
import logging
from pathlib import Path
import random
from typing import Any, Final, Protocol

from .protocol import MessageType

LOGGER = logging.getLogger(__name__)

STATE_VERSION: Final = 1


class LinkStorage(Protocol):
    """Persistence of one endpoint's state (Home Assistant's ``Store`` fits)."""

    async def async_load(self) -> Any:
        """Return the saved data, or None when nothing was saved."""

    async def async_save(self, data: Any) -> None:
        """Replace the saved data."""


class MemoryStorage:
    """A LinkStorage that keeps a JSON copy in memory (survives endpoint objects)."""

    def __init__(self) -> None:
        self._text: str | None = None
        self.saves = 0

    async def async_load(self) -> Any:
        """Return the saved data, or None."""
        return None if self._text is None else json.loads(self._text)

    async def async_save(self, data: Any) -> None:
        """Save a JSON copy of data (yielding once, like real storage)."""
        self._text = json.dumps(data)
        await asyncio.sleep(0)
        self.saves += 1


class JsonFileStorage:
    """A LinkStorage writing one JSON file atomically (in the default executor)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def _read(self) -> Any:
        """Read the file; None if it does not exist."""
        try:
            return json.loads(self._path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def _write(self, text: str) -> None:
        """Write the file atomically."""
        tmp = self._path.with_suffix(self._path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(self._path)

    async def async_load(self) -> Any:
        """Return the saved data, or None."""
        return await asyncio.get_running_loop().run_in_executor(None, self._read)

    async def async_save(self, data: Any) -> None:
        """Save data."""
        text = json.dumps(data, ensure_ascii=False)
        await asyncio.get_running_loop().run_in_executor(None, self._write, text)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter for re-sending unconfirmed messages.

    Every message is also re-sent at once on each reconnect. While connected, a
    QoS 1 broker keeps what it accepted for the peer's persistent session, so a
    timed re-send only covers a peer that lost a message after taking it (a crash
    mid-handling); sooner re-sends would only double the load of a community
    already busy with a burst.
    """

    initial: float = 15.0
    factor: float = 2.0
    maximum: float = 300.0
    jitter: float = 0.1

    def delay(self, attempts: int) -> float:
        """Return the wait after the given number of attempts (>= 1)."""
        base = min(self.maximum, self.initial * self.factor ** max(0, attempts - 1))
        return base * (1.0 + random.uniform(-self.jitter, self.jitter))  # noqa: S311


@dataclass(slots=True)
class PendingMessage:
    """An outgoing message waiting for its delivery_ack."""

    id: str
    type: MessageType
    household: str
    body: dict[str, Any]
    created: float
    attempts: int = 0
    next_attempt: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return the persisted form."""
        return {
            "id": self.id,
            "type": str(self.type),
            "household": self.household,
            "body": self.body,
            "created": self.created,
            "attempts": self.attempts,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PendingMessage:
        """Rebuild from the persisted form (due immediately)."""
        return cls(
            id=str(data["id"]),
            type=MessageType(data["type"]),
            household=str(data["household"]),
            body=dict(data["body"]),
            created=float(data["created"]),
            attempts=int(data["attempts"]),
        )


class Outbox:
    """Unconfirmed outgoing messages in send order."""

    def __init__(self, policy: RetryPolicy | None = None) -> None:
        self.policy = policy or RetryPolicy()
        self._pending: dict[str, PendingMessage] = {}

    def __len__(self) -> int:
        return len(self._pending)

    def __contains__(self, message_id: object) -> bool:
        return message_id in self._pending

    def add(self, message: PendingMessage) -> None:
        """Queue a message."""
        self._pending[message.id] = message

    def confirm(self, message_id: str) -> PendingMessage | None:
        """Remove and return a confirmed message (None if unknown)."""
        return self._pending.pop(message_id, None)

    def messages(self) -> list[PendingMessage]:
        """Return the pending messages in send order."""
        return list(self._pending.values())

    def due(self, now: float) -> list[PendingMessage]:
        """Return the messages whose retry time has come."""
        return [
            message for message in self._pending.values() if message.next_attempt <= now
        ]

    def mark_attempt(self, message: PendingMessage, now: float) -> None:
        """Record one transmission and schedule the next retry."""
        message.attempts += 1
        message.next_attempt = now + self.policy.delay(message.attempts)

    def reschedule_all(self, now: float) -> None:
        """Make every message due now (after a reconnect)."""
        for message in self._pending.values():
            message.next_attempt = now

    def next_due(self) -> float | None:
        """Return the earliest retry time, or None when empty."""
        return min(
            (message.next_attempt for message in self._pending.values()), default=None
        )

    def dump(self) -> list[dict[str, Any]]:
        """Return the persisted form."""
        return [message.as_dict() for message in self._pending.values()]

    def restore(self, data: list[dict[str, Any]]) -> None:
        """Load the persisted form (every message due immediately)."""
        for item in data:
            message = PendingMessage.from_dict(item)
            self._pending[message.id] = message


class Inbox:
    """Ids of delivered messages, kept for ``retention`` seconds, at most ``max_entries``."""

    def __init__(
        self, retention: float = 7 * 86400.0, max_entries: int = 100_000
    ) -> None:
        self._retention = retention
        self._max_entries = max_entries
        self._seen: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def __contains__(self, message_id: object) -> bool:
        return message_id in self._seen

    def add(self, message_id: str, now: float) -> None:
        """Remember a delivered message id."""
        self._seen[message_id] = now
        self._seen.move_to_end(message_id)
        while len(self._seen) > self._max_entries:
            self._seen.popitem(last=False)

    def discard(self, message_id: str) -> None:
        """Forget a message id (its delivery failed)."""
        self._seen.pop(message_id, None)

    def prune(self, now: float) -> None:
        """Forget ids older than the retention."""
        limit = now - self._retention
        while self._seen and next(iter(self._seen.values())) < limit:
            self._seen.popitem(last=False)

    def dump(self) -> dict[str, float]:
        """Return the persisted form."""
        return dict(self._seen)

    def restore(self, data: dict[str, float]) -> None:
        """Load the persisted form."""
        for message_id, seen_at in sorted(data.items(), key=lambda item: item[1]):
            self._seen[message_id] = float(seen_at)


class LinkState:
    """The outbox and inbox of one endpoint, persisted through a LinkStorage."""

    def __init__(
        self,
        storage: LinkStorage | None,
        policy: RetryPolicy | None = None,
        inbox_retention: float = 7 * 86400.0,
    ) -> None:
        self.storage = storage
        self.outbox = Outbox(policy)
        self.inbox = Inbox(inbox_retention)
        self._dirty = False
        self._lock = asyncio.Lock()

    async def load(self) -> None:
        """Load the saved state; unreadable state is logged and ignored."""
        if self.storage is None:
            return
        data = await self.storage.async_load()
        if data is None:
            return
        try:
            if data.get("version") != STATE_VERSION:
                raise ValueError(data.get("version"))
            self.outbox.restore(data["outbox"])
            self.inbox.restore(data["inbox"])
        except AttributeError, KeyError, TypeError, ValueError:
            LOGGER.exception("Ignoring unreadable link state")

    def snapshot(self) -> dict[str, Any]:
        """Return the persisted form."""
        return {
            "version": STATE_VERSION,
            "outbox": self.outbox.dump(),
            "inbox": self.inbox.dump(),
        }

    async def save(self) -> None:
        """Persist the current state; concurrent callers share one write."""
        if self.storage is None:
            return
        self._dirty = True
        async with self._lock:
            if not self._dirty:
                return
            self._dirty = False
            await self.storage.async_save(self.snapshot())
