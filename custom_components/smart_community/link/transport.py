"""Transports carry signed link messages; they know destinations, not contents.

A :class:`Transport` belongs to one role. ``send(payload, household)`` means:

- for a household transport: deliver to the community (``household`` is its own id);
- for the community transport: deliver to that household's inbox, or to every
  household when ``household`` is ``"*"`` (broadcast).

Received payloads are handed, unparsed, to the receive callback; connection
changes go to the state callback. Delivery is at-least-once at best: reliability
(acks, re-sends, dedup) lives in :class:`~.endpoint.LinkEndpoint`.

:class:`InProcessHub` connects several transports inside one process (both roles
in one Home Assistant). Like an MQTT broker with persistent sessions it queues
messages for a known household that is detached and hands them over when it
attaches again; delivery is always asynchronous (``loop.call_soon``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from collections import deque
from collections.abc import Callable
import logging
from typing import ClassVar, Final

from .protocol import BROADCAST, Role

LOGGER = logging.getLogger(__name__)

type ReceiveCallback = Callable[[bytes], None]
type StateCallback = Callable[[bool], None]

MAX_QUEUED_PER_PEER: Final = 10_000


class Transport(ABC):
    """One role's connection to the link."""

    announces_online: ClassVar[bool] = False
    """Whether the community tells households when it (re)connects: needed where a
    broker may drop messages for a subscriber it forgot (a broker restart)."""

    def __init__(self, role: Role, household: str | None = None) -> None:
        if (role is Role.HOUSEHOLD) != (household is not None):
            raise ValueError(
                "a household transport needs its household id, the community's none"
            )
        self.role = role
        self.household = household
        self._on_receive: ReceiveCallback | None = None
        self._on_state: StateCallback | None = None
        self._connected = False

    def set_callbacks(
        self, on_receive: ReceiveCallback, on_state: StateCallback
    ) -> None:
        """Register the receive and connection-state callbacks (before start)."""
        self._on_receive = on_receive
        self._on_state = on_state

    @property
    def connected(self) -> bool:
        """Return whether messages can be sent now."""
        return self._connected

    def _set_connected(self, connected: bool) -> None:
        """Update the connection state and notify."""
        if connected == self._connected:
            return
        self._connected = connected
        if self._on_state is not None:
            self._on_state(connected)

    def _deliver(self, payload: bytes) -> None:
        """Hand a received payload to the receive callback."""
        if self._on_receive is not None:
            self._on_receive(payload)

    @abstractmethod
    async def start(self) -> None:
        """Start connecting; return without waiting for the connection."""

    @abstractmethod
    async def stop(self) -> None:
        """Disconnect and release every task and socket."""

    @abstractmethod
    async def send(self, payload: bytes, household: str) -> bool:
        """Send payload towards household; return whether it was handed over."""


class InProcessHub:
    """Routes payloads between the transports of one process."""

    def __init__(self) -> None:
        self._community: InProcessTransport | None = None
        self._households: dict[str, InProcessTransport | None] = {}
        self._queues: dict[str, deque[bytes]] = {}

    def community_transport(self) -> InProcessTransport:
        """Return a new transport for the community role."""
        return InProcessTransport(self, Role.COMMUNITY)

    def household_transport(self, household: str) -> InProcessTransport:
        """Return a new transport for one household."""
        return InProcessTransport(self, Role.HOUSEHOLD, household)

    @staticmethod
    def _key(transport: InProcessTransport) -> str:
        """Return the queue key of a transport."""
        return transport.household or ""

    def attach(self, transport: InProcessTransport) -> None:
        """Attach a started transport and flush what was queued for it."""
        key = self._key(transport)
        if transport.household is None:
            self._community = transport
        else:
            self._households[transport.household] = transport
        queue = self._queues.pop(key, None)
        if queue:
            loop = asyncio.get_running_loop()
            for payload in queue:
                loop.call_soon(transport.hub_deliver, payload)

    def detach(self, transport: InProcessTransport) -> None:
        """Detach a stopping transport (its household stays known)."""
        if transport.household is None:
            if self._community is transport:
                self._community = None
        elif self._households.get(transport.household) is transport:
            self._households[transport.household] = None

    def _route(
        self, key: str, target: InProcessTransport | None, payload: bytes
    ) -> None:
        """Deliver payload to target soon, or queue it while detached."""
        if target is not None:
            asyncio.get_running_loop().call_soon(target.hub_deliver, payload)
            return
        queue = self._queues.setdefault(key, deque(maxlen=MAX_QUEUED_PER_PEER))
        queue.append(payload)

    def route(self, sender: InProcessTransport, payload: bytes, household: str) -> bool:
        """Route one payload from sender; return whether it was accepted."""
        if sender.role is Role.HOUSEHOLD:
            self._route("", self._community, payload)
            return True
        if household == BROADCAST:
            for name, target in self._households.items():
                self._route(name, target, payload)
            return True
        self._route(household, self._households.get(household), payload)
        return True


class InProcessTransport(Transport):
    """A transport attached to an InProcessHub."""

    def __init__(
        self, hub: InProcessHub, role: Role, household: str | None = None
    ) -> None:
        super().__init__(role, household)
        self._hub = hub

    async def start(self) -> None:
        """Attach to the hub."""
        self._hub.attach(self)
        self._set_connected(True)

    async def stop(self) -> None:
        """Detach from the hub."""
        self._hub.detach(self)
        self._set_connected(False)

    def hub_deliver(self, payload: bytes) -> None:
        """Receive a payload from the hub (dropped, like on a broker, when stopped)."""
        if self._connected:
            self._deliver(payload)

    async def send(self, payload: bytes, household: str) -> bool:
        """Route payload through the hub."""
        if not self._connected:
            return False
        return self._hub.route(self, payload, household)
