"""The household's side of the intercom: ringing calls, answers as link messages, who called.

A ``visitor_call`` from the community starts ringing; it rings until answered or until the
TTL (60 s, the community's own limit) passes, then counts as missed. An answer becomes exactly
one link message:

- ``open`` -> ``open_door_request`` ``{request_id, requested_at, door, call_id, source}`` (a
  fresh request id every time, so the community can refuse replays, and the time it was made,
  so a request delayed in the outbox cannot open a door later);
- ``deny`` / ``leave`` -> ``visitor_answer`` ``{call_id, answer}``.

The community's ``open_door_result`` then marks the call opened or refused. The history keeps
the last calls (bounded) for "who called?" and survives restarts through ``as_dict``/``load``.
"""

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, Self
import uuid

from ..core.alarm import CorruptStateError
from ..link.protocol import MessageType
from .access import AccessReason, AccessSource
from .calls import DEFAULT_CALL_TTL, Answer

STORAGE_VERSION: Final = 1
DEFAULT_HISTORY_SIZE: Final = 20
_MAX_PENDING_REQUESTS: Final = 50


class Outcome(StrEnum):
    """What became of a call at the household."""

    RINGING = "ringing"
    OPEN_REQUESTED = "open_requested"
    OPENED = "opened"
    REFUSED = "refused"
    DENIED = "denied"
    LEAVE_AT_DOOR = "leave_at_door"
    MISSED = "missed"


_ANSWER_OUTCOMES: Final[Mapping[Answer, Outcome]] = {
    Answer.OPEN: Outcome.OPEN_REQUESTED,
    Answer.DENY: Outcome.DENIED,
    Answer.LEAVE: Outcome.LEAVE_AT_DOOR,
}


class IntercomError(Exception):
    """An answer the household side refuses; ``key`` is a stable translation key."""

    def __init__(self, key: str, subject: str = "") -> None:
        super().__init__(f"{key}: {subject}")
        self.key = key
        self.subject = subject


@dataclass(slots=True)
class IncomingCall:
    """A visitor call as the household saw it."""

    call_id: str
    station_id: str
    station_label: str
    received_at: float
    visitor_label: str | None = None
    snapshot_ref: str | None = None
    outcome: Outcome = Outcome.RINGING
    outcome_at: float | None = None
    refusal: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "call_id": self.call_id,
            "station_id": self.station_id,
            "station_label": self.station_label,
            "received_at": self.received_at,
            "visitor_label": self.visitor_label,
            "snapshot_ref": self.snapshot_ref,
            "outcome": self.outcome.value,
            "outcome_at": self.outcome_at,
            "refusal": self.refusal,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a persisted dict."""
        return cls(
            call_id=_as_str(data["call_id"]),
            station_id=_as_str(data["station_id"]),
            station_label=_as_str(data["station_label"]),
            received_at=_as_float(data["received_at"]),
            visitor_label=_opt_str(data.get("visitor_label")),
            snapshot_ref=_opt_str(data.get("snapshot_ref")),
            outcome=Outcome(data["outcome"]),
            outcome_at=None
            if data.get("outcome_at") is None
            else _as_float(data["outcome_at"]),
            refusal=_opt_str(data.get("refusal")),
        )


@dataclass(frozen=True, slots=True)
class RingResult:
    """The call a ``visitor_call`` message rings, and whether it is new (not a redelivery)."""

    call: IncomingCall
    created: bool


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A link message to send to the community."""

    type: MessageType
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class OpenResult:
    """The community's answer to an open-door request, and the call it was for."""

    request_id: str
    allowed: bool
    reason: str | None
    call: IncomingCall | None


def satellite_household(
    device_id: str | None, satellites: Mapping[str, str]
) -> str | None:
    """Return the household a voice satellite belongs to (None for no or unknown device)."""
    if device_id is None:
        return None
    return satellites.get(device_id)


class HouseholdIntercom:
    """Ringing calls, answers and the who-called history of one household."""

    def __init__(
        self,
        household_id: str,
        *,
        ttl: float = DEFAULT_CALL_TTL,
        history_size: int = DEFAULT_HISTORY_SIZE,
    ) -> None:
        self.household_id = household_id
        self.ttl = ttl
        self._calls: deque[IncomingCall] = deque(maxlen=history_size)
        self._requests: dict[str, str | None] = {}

    def history(self) -> list[IncomingCall]:
        """Return the kept calls, newest first."""
        return list(reversed(self._calls))

    def find(self, call_id: str) -> IncomingCall | None:
        """Return the kept call with that id, or None."""
        return next((c for c in self._calls if c.call_id == call_id), None)

    def is_ringing(self, call: IncomingCall, now: float) -> bool:
        """Return whether the call still waits for an answer and is younger than the TTL."""
        return call.outcome is Outcome.RINGING and now - call.received_at < self.ttl

    def ringing(self, now: float) -> list[IncomingCall]:
        """Return the calls ringing now, newest first."""
        return [call for call in self.history() if self.is_ringing(call, now)]

    def ring(
        self, body: Mapping[str, Any], now: float, *, station_label: str | None = None
    ) -> RingResult:
        """Start ringing for a ``visitor_call`` body; a redelivered call rings only once."""
        call_id = _as_str(body["call_id"])
        if (existing := self.find(call_id)) is not None:
            return RingResult(existing, created=False)
        station = _as_str(body["gate"])
        visitor = body.get("visitor")
        snapshot = body.get("snapshot")
        call = IncomingCall(
            call_id=call_id,
            station_id=station,
            station_label=station_label or station,
            received_at=now,
            visitor_label=visitor if isinstance(visitor, str) else None,
            snapshot_ref=snapshot if isinstance(snapshot, str) else None,
        )
        self._calls.append(call)
        return RingResult(call, created=True)

    def answer(
        self,
        answer: Answer | str,
        now: float,
        *,
        call_id: str | None = None,
        source: AccessSource = AccessSource.VOICE,
    ) -> Outgoing:
        """Answer a ringing call (the newest one unless call_id names one) as a link message."""
        try:
            answer = Answer(answer)
        except ValueError:
            raise IntercomError("bad_answer", str(answer)[:64]) from None
        call = self._ringing_call(call_id, now)
        call.outcome = _ANSWER_OUTCOMES[answer]
        call.outcome_at = now
        if answer is Answer.OPEN:
            return self._request(
                {"door": call.station_id, "call_id": call.call_id, "source": source},
                call.call_id,
                now,
            )
        return Outgoing(
            MessageType.VISITOR_ANSWER,
            {"call_id": call.call_id, "answer": answer.value},
        )

    def open_door(
        self,
        door_id: str,
        now: float,
        *,
        source: AccessSource = AccessSource.VOICE,
        pin: str | None = None,
    ) -> Outgoing:
        """Ask to open a door without a call: the own unit door, or a gate with a PIN."""
        body: dict[str, Any] = {"door": door_id, "source": source}
        if pin is not None:
            body["pin"] = pin
        return self._request(body, None, now)

    def apply_result(self, body: Mapping[str, Any], now: float) -> OpenResult | None:
        """Record an ``open_door_result``; None if it answers no request of ours."""
        request_id = body.get("request_id")
        if not isinstance(request_id, str) or request_id not in self._requests:
            return None
        call_id = self._requests.pop(request_id)
        allowed = body.get("allowed") is True
        reason = body.get("reason")
        reason = reason if isinstance(reason, str) else None
        call = None if call_id is None else self.find(call_id)
        if call is not None:
            call.outcome = Outcome.OPENED if allowed else Outcome.REFUSED
            call.outcome_at = now
            call.refusal = None if allowed else reason
        return OpenResult(request_id, allowed, reason, call)

    def expire(self, now: float) -> list[IncomingCall]:
        """Mark calls nobody answered within the TTL as missed and return them."""
        missed = [
            call
            for call in self._calls
            if call.outcome is Outcome.RINGING and not self.is_ringing(call, now)
        ]
        for call in missed:
            call.outcome = Outcome.MISSED
            call.outcome_at = call.received_at + self.ttl
        return missed

    def _ringing_call(self, call_id: str | None, now: float) -> IncomingCall:
        """Return the call to answer, or raise why there is none."""
        if call_id is None:
            ringing = self.ringing(now)
            if not ringing:
                raise IntercomError("no_ringing_call")
            return ringing[0]
        call = self.find(call_id)
        if call is None:
            raise IntercomError("call_not_found", call_id)
        if call.outcome is not Outcome.RINGING:
            raise IntercomError("call_answered", call_id)
        if not self.is_ringing(call, now):
            raise IntercomError("call_expired", call_id)
        return call

    def _request(
        self, body: dict[str, Any], call_id: str | None, now: float
    ) -> Outgoing:
        """Return an open-door request with a fresh request id, remembering what it is for."""
        request_id = uuid.uuid4().hex
        self._requests[request_id] = call_id
        while len(self._requests) > _MAX_PENDING_REQUESTS:
            del self._requests[next(iter(self._requests))]
        body = {"request_id": request_id, "requested_at": now, **body}
        body["source"] = AccessSource(body["source"]).value
        return Outgoing(MessageType.OPEN_DOOR_REQUEST, body)

    def as_dict(self) -> dict[str, Any]:
        """Return the history as JSON-ready data."""
        return {
            "version": STORAGE_VERSION,
            "calls": [call.as_dict() for call in self._calls],
        }

    def load(self, data: Mapping[str, Any] | None) -> None:
        """Replace the history with persisted calls."""
        self._calls.clear()
        if not data:
            return
        try:
            calls = [IncomingCall.from_dict(item) for item in data["calls"]]
        except (KeyError, TypeError, ValueError) as err:
            raise CorruptStateError(str(err)) from err
        self._calls.extend(calls)


def refusal_reason(reason: str | None) -> AccessReason | None:
    """Return the access reason named in a result body, or None if unknown."""
    if reason is None or reason not in AccessReason.__members__.values():
        return None
    return AccessReason(reason)


def _as_float(value: Any) -> float:
    """Return a JSON number as a float, refusing bools and non-numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return float(value)


def _as_str(value: Any) -> str:
    """Return a JSON string, refusing anything else."""
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _opt_str(value: Any) -> str | None:
    """Return a JSON string or None."""
    return None if value is None else _as_str(value)
