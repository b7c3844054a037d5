"""LinkEndpoint: one role's end of the link (protocol + store-and-forward + transport).

Create one per config entry::

    endpoint = LinkEndpoint.for_household(
        "a12", key, broadcast_key, transport, storage, handler
    )
    endpoint = LinkEndpoint.for_community(
        key_lookup, broadcast_key, transport, storage, handler
    )
    await endpoint.start()
    message_id = await endpoint.send(MessageType.ALARM_RAISED, body)  # household
    message_id = await endpoint.send(MessageType.ANNOUNCEMENT, body, "*")  # community
    await endpoint.stop()

Semantics:

- ``send`` validates the body, persists the message in the outbox and returns its
  id; transmission happens in the background. The message is re-sent (fresh
  timestamp and signature, same id) on every reconnect and on a backoff timer
  until the peer's ``delivery_ack`` arrives, across restarts. Broadcasts are sent
  once (QoS 1 to persistent sessions) and are not tracked.
- Incoming messages are decoded and verified; rejections are counted in
  :attr:`LinkEndpoint.stats` by reason and logged, never raised. An accepted
  message is handed to ``handler`` once: its id is remembered (and persisted)
  in the inbox, and a copy re-sent later is acknowledged again but not
  delivered. The ack goes out after the handler returned; if the handler
  raises, the message is neither remembered nor acknowledged, so the sender
  retries it. A crash between the handler and the persisting of the inbox can
  repeat a delivery, so handlers should be idempotent on business ids
  (``alarm_id`` ...) as well.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Mapping
import logging
import time
from typing import Any, Final

from .outbox import LinkState, LinkStorage, PendingMessage, RetryPolicy
from .protocol import (
    BROADCAST,
    DEFAULT_MAX_AGE,
    DEFAULT_MAX_SKEW,
    Envelope,
    KeyLookup,
    LinkError,
    LinkStats,
    MessageType,
    ReplayGuard,
    Role,
    create,
    decode,
    encode,
    is_valid_name,
)
from .transport import Transport

LOGGER = logging.getLogger(__name__)

CONFIRM_SAVE_DELAY: Final = 1.0

type MessageHandler = Callable[[Envelope], Awaitable[None]]
type DeliveryListener = Callable[[str], None]
type StateListener = Callable[[bool], None]


class LinkEndpoint:
    """One role's end of the link."""

    def __init__(
        self,
        *,
        role: Role,
        household: str | None,
        signing_key: KeyLookup,
        verify_key: KeyLookup,
        transport: Transport,
        storage: LinkStorage | None,
        handler: MessageHandler,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        max_age: float = DEFAULT_MAX_AGE,
        max_skew: float = DEFAULT_MAX_SKEW,
        confirm_save_delay: float = CONFIRM_SAVE_DELAY,
    ) -> None:
        if transport.role is not role or transport.household != household:
            raise ValueError("transport belongs to another endpoint")
        self.role = role
        self.household = household
        self.transport = transport
        self.stats = LinkStats()
        self._signing_key = signing_key
        self._verify_key = verify_key
        self._handler = handler
        self._clock = clock
        self._max_age = max_age
        self._max_skew = max_skew
        self._confirm_save_delay = confirm_save_delay
        self._state = LinkState(storage, retry)
        self._guard = ReplayGuard(max_age + max_skew)
        self._tasks: set[asyncio.Task[None]] = set()
        self._in_progress: set[str] = set()
        self._wake = asyncio.Event()
        self._retry_task: asyncio.Task[None] | None = None
        self._sleep_until: float | None = None
        self._save_scheduled = False
        self._delivery_listeners: list[DeliveryListener] = []
        self._state_listeners: list[StateListener] = []
        self._running = False

    @classmethod
    def for_household(
        cls,
        household: str,
        key: bytes,
        broadcast_key: bytes | None,
        transport: Transport,
        storage: LinkStorage | None,
        handler: MessageHandler,
        **options: Any,
    ) -> LinkEndpoint:
        """Create a household endpoint: signs with its key, accepts its inbox and broadcasts."""
        if not is_valid_name(household):
            raise ValueError("invalid household id")

        def verify_key(name: str) -> bytes | None:
            if name == household:
                return key
            return broadcast_key if name == BROADCAST else None

        return cls(
            role=Role.HOUSEHOLD,
            household=household,
            signing_key=lambda name: key if name == household else None,
            verify_key=verify_key,
            transport=transport,
            storage=storage,
            handler=handler,
            **options,
        )

    @classmethod
    def for_community(
        cls,
        household_keys: KeyLookup | Mapping[str, bytes],
        broadcast_key: bytes,
        transport: Transport,
        storage: LinkStorage | None,
        handler: MessageHandler,
        **options: Any,
    ) -> LinkEndpoint:
        """Create the community endpoint: household keys looked up per message (registry may change)."""
        lookup: KeyLookup = (
            household_keys.get
            if isinstance(household_keys, Mapping)
            else household_keys
        )

        def signing_key(name: str) -> bytes | None:
            return broadcast_key if name == BROADCAST else lookup(name)

        def verify_key(name: str) -> bytes | None:
            return None if name == BROADCAST else lookup(name)

        return cls(
            role=Role.COMMUNITY,
            household=None,
            signing_key=signing_key,
            verify_key=verify_key,
            transport=transport,
            storage=storage,
            handler=handler,
            **options,
        )

    @property
    def connected(self) -> bool:
        """Return whether the transport is connected."""
        return self.transport.connected

    @property
    def pending(self) -> list[PendingMessage]:
        """Return the unconfirmed outgoing messages."""
        return self._state.outbox.messages()

    def add_delivery_listener(self, listener: DeliveryListener) -> Callable[[], None]:
        """Call listener(message_id) when the peer confirms a message; return a remover."""
        self._delivery_listeners.append(listener)
        return lambda: self._delivery_listeners.remove(listener)

    def add_state_listener(self, listener: StateListener) -> Callable[[], None]:
        """Call listener(connected) on connection changes; return a remover."""
        self._state_listeners.append(listener)
        return lambda: self._state_listeners.remove(listener)

    def diagnostics(self) -> dict[str, Any]:
        """Return counters and queue sizes (no keys, no bodies)."""
        return {
            "role": str(self.role),
            "connected": self.connected,
            "pending": len(self._state.outbox),
            "inbox_remembered": len(self._state.inbox),
            "stats": self.stats.as_dict(),
        }

    async def start(self) -> None:
        """Load the persisted state, start the transport and the retry timer."""
        if self._running:
            return
        self._running = True
        await self._state.load()
        self._state.inbox.prune(self._clock())
        self.transport.set_callbacks(self._on_receive, self._on_state)
        self._retry_task = asyncio.get_running_loop().create_task(
            self._retry_loop(), name="smart_community link retry"
        )
        await self.transport.start()

    async def stop(self) -> None:
        """Stop the timer, the transport and in-flight work; persist the state."""
        if not self._running:
            return
        self._running = False
        tasks = [task for task in (self._retry_task, *self._tasks) if task is not None]
        self._retry_task = None
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._save_scheduled = False
        await self.transport.stop()
        await self._state.save()

    async def send(
        self,
        message_type: MessageType,
        body: Mapping[str, Any],
        household: str | None = None,
    ) -> str:
        """Queue a message and return its id; raise LinkError if it is invalid.

        A household endpoint always sends to the community (``household`` may be
        omitted); the community names the household, or ``"*"`` to broadcast.
        """
        if not self._running:
            raise RuntimeError("endpoint is not started")
        target = self.household if self.role is Role.HOUSEHOLD else household
        if target is None or (
            self.role is Role.HOUSEHOLD and household not in (None, self.household)
        ):
            raise ValueError("invalid destination")
        if message_type is MessageType.DELIVERY_ACK:
            raise ValueError("acks are sent by the endpoint")
        now = self._clock()
        envelope = create(
            message_type, body, household=target, sender=self.role, now=now
        )
        raw = encode(envelope, self._key(target))
        if target == BROADCAST:
            self._spawn(self._send_raw(raw, target))
            return envelope.id
        retry_at = now + self._state.outbox.policy.delay(1)
        pending = PendingMessage(
            envelope.id,
            envelope.type,
            target,
            envelope.body,
            created=now,
            next_attempt=retry_at,
        )
        self._state.outbox.add(pending)
        await self._state.save()
        self._dispatch(pending)
        return envelope.id

    def _key(self, household: str) -> bytes:
        """Return the signing key for a destination."""
        key = self._signing_key(household)
        if key is None:
            raise ValueError("no key for destination")
        return key

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run coro as a tracked task."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_raw(self, raw: bytes, household: str) -> None:
        """Hand one encoded message to the transport."""
        if await self.transport.send(raw, household):
            self.stats.sent += 1

    def _dispatch(self, pending: PendingMessage) -> None:
        """Transmit one pending message with a fresh timestamp and signature."""
        if pending.id not in self._state.outbox or not self.transport.connected:
            return
        key = self._signing_key(pending.household)
        if key is None:
            LOGGER.warning(
                "Dropping a pending %s: its household is no longer known", pending.type
            )
            self._state.outbox.confirm(pending.id)
            self._spawn(self._state.save())
            return
        now = self._clock()
        raw = encode(
            Envelope(
                pending.id,
                pending.type,
                pending.household,
                self.role,
                now,
                pending.body,
            ),
            key,
        )
        self._state.outbox.mark_attempt(pending, now)
        if pending.attempts > 1:
            self.stats.resent += 1
        self._spawn(self._send_raw(raw, pending.household))
        if self._sleep_until is None or pending.next_attempt < self._sleep_until:
            self._wake.set()

    async def _retry_loop(self) -> None:
        """Re-send due messages while connected; sleep until the next is due."""
        while True:
            self._wake.clear()
            self._sleep_until = None
            if self.transport.connected:
                for pending in self._state.outbox.due(self._clock()):
                    self._dispatch(pending)
                self._sleep_until = self._state.outbox.next_due()
            timeout = (
                None
                if self._sleep_until is None
                else max(0.0, self._sleep_until - self._clock())
            )
            try:
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            except TimeoutError:
                pass

    def _on_state(self, connected: bool) -> None:
        """React to a connection change: re-send everything on connect.

        The community also tells every household it is back (``link_online``): a
        household that reconnected first may have sent into a broker that had lost the
        community's subscription (a broker restart), and re-sends at once instead of
        waiting for its retry timer.
        """
        if connected:
            self._state.outbox.reschedule_all(self._clock())
            if (
                self.role is Role.COMMUNITY
                and self.transport.announces_online
                and self._running
            ):
                self._spawn(self._announce_online())
        self._wake.set()
        for listener in list(self._state_listeners):
            listener(connected)

    async def _announce_online(self) -> None:
        """Broadcast ``link_online`` (sent once, like every broadcast)."""
        await self.send(MessageType.LINK_ONLINE, {}, BROADCAST)

    def _on_receive(self, payload: bytes) -> None:
        """Process one received payload in its own task."""
        if self._running:
            self._spawn(self._process(payload))

    async def _process(self, payload: bytes) -> None:
        """Verify, dedup, deliver and acknowledge one payload."""
        self.stats.received += 1
        try:
            envelope = decode(
                payload,
                self._verify_key,
                self._clock(),
                expect_sender=self.role.peer,
                guard=self._guard,
                max_age=self._max_age,
                max_skew=self._max_skew,
            )
        except LinkError as err:
            self.stats.reject(err.reason)
            LOGGER.warning("Rejected a link message (%s): %s", err.reason, err)
            return
        self.stats.accepted += 1
        if envelope.type is MessageType.DELIVERY_ACK:
            await self._confirm(envelope.body["ack"])
            return
        if envelope.type is MessageType.LINK_ONLINE:
            self._state.outbox.reschedule_all(self._clock())
            self._wake.set()
            return
        inbox = self._state.inbox
        if envelope.id in self._in_progress:
            self.stats.duplicates += 1
            return
        if envelope.id in inbox:
            self.stats.duplicates += 1
            await self._ack(envelope)
            return
        self._in_progress.add(envelope.id)
        try:
            await self._handler(envelope)
        except Exception:
            self.stats.handler_errors += 1
            LOGGER.exception("Link message handler failed for a %s", envelope.type)
            return
        finally:
            self._in_progress.discard(envelope.id)
        inbox.add(envelope.id, self._clock())
        self.stats.delivered += 1
        await self._state.save()
        await self._ack(envelope)

    async def _delayed_save(self) -> None:
        """Persist confirmations a little later (losing one only causes a deduplicated re-send)."""
        await asyncio.sleep(self._confirm_save_delay)
        self._save_scheduled = False
        await self._state.save()

    async def _ack(self, envelope: Envelope) -> None:
        """Confirm a received message to its sender (broadcasts are not confirmed)."""
        if envelope.is_broadcast:
            return
        ack = create(
            MessageType.DELIVERY_ACK,
            {"ack": envelope.id},
            household=envelope.household,
            sender=self.role,
            now=self._clock(),
        )
        if await self.transport.send(
            encode(ack, self._key(envelope.household)), envelope.household
        ):
            self.stats.acks_sent += 1

    async def _confirm(self, message_id: str) -> None:
        """Remove a confirmed message from the outbox and notify listeners."""
        if self._state.outbox.confirm(message_id) is None:
            return
        self.stats.confirmed += 1
        if not self._save_scheduled:
            self._save_scheduled = True
            self._spawn(self._delayed_save())
        for listener in list(self._delivery_listeners):
            listener(message_id)
