"""The community's book of visitor calls: who rang which household from which door station.

Times are POSIX timestamps passed in by the caller. A call is *live* while it is pending and
younger than the book's TTL (60 s by default); after that it can no longer open a door even if
:meth:`CallBook.expire` has not run yet.

Rules:
- One pending call per door station: a new call at the same station cancels the previous one
  (the visitor gave up and chose another room, or a new visitor arrived); the superseded call is
  returned so the caller can tell the household to stop ringing.
- A household may have several pending calls at once (gate and unit door).
- Answers come only from the called household. ``deny`` and ``leave`` arrive as
  ``visitor_answer`` messages; ``open`` is never an answer on its own: it arrives as a signed
  ``open_door_request`` and is recorded by :class:`~.access.DoorAccessPolicy` after every check.
- Calls are short-lived and not persisted; closed calls are kept (bounded) for diagnostics.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final
import uuid

DEFAULT_CALL_TTL: Final = 60.0
MAX_CLOSED_KEPT: Final = 200


class CallState(StrEnum):
    """Where a visitor call stands."""

    PENDING = "pending"
    ANSWERED_OPEN = "answered_open"
    ANSWERED_DENY = "answered_deny"
    LEAVE_AT_DOOR = "leave_at_door"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Answer(StrEnum):
    """What a resident answers to a visitor call."""

    OPEN = "open"
    DENY = "deny"
    LEAVE = "leave"


ANSWER_STATES: Final[Mapping[Answer, CallState]] = {
    Answer.OPEN: CallState.ANSWERED_OPEN,
    Answer.DENY: CallState.ANSWERED_DENY,
    Answer.LEAVE: CallState.LEAVE_AT_DOOR,
}


class CallError(Exception):
    """A call operation the book refuses; ``key`` is a stable translation key."""

    def __init__(self, key: str, call_id: str) -> None:
        super().__init__(f"{key}: {call_id}")
        self.key = key
        self.call_id = call_id


def parse_answer(value: Any) -> Answer:
    """Return the answer named by a message body or an ask_question id, or raise bad_answer."""
    try:
        return Answer(value)
    except ValueError:
        raise CallError("bad_answer", str(value)[:64]) from None


@dataclass(slots=True)
class VisitorCall:
    """One visitor ringing one household from one door station."""

    call_id: str
    station_id: str
    household_id: str
    created_at: float
    visitor_label: str | None = None
    snapshot_ref: str | None = None
    state: CallState = CallState.PENDING
    answered_by: str | None = None
    answered_at: float | None = None

    @property
    def pending(self) -> bool:
        """Return whether nobody has answered, cancelled or expired the call yet."""
        return self.state is CallState.PENDING

    def age(self, now: float) -> float:
        """Return the call's age in seconds."""
        return now - self.created_at

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (for diagnostics)."""
        return {
            "call_id": self.call_id,
            "station_id": self.station_id,
            "household_id": self.household_id,
            "created_at": self.created_at,
            "visitor_label": self.visitor_label,
            "snapshot_ref": self.snapshot_ref,
            "state": self.state.value,
            "answered_by": self.answered_by,
            "answered_at": self.answered_at,
        }

    def call_body(self) -> dict[str, Any]:
        """Return the ``visitor_call`` message body (snapshot link as an extra key)."""
        body: dict[str, Any] = {"call_id": self.call_id, "gate": self.station_id}
        if self.visitor_label is not None:
            body["visitor"] = self.visitor_label
        if self.snapshot_ref is not None:
            body["snapshot"] = self.snapshot_ref
        return body


@dataclass(frozen=True, slots=True)
class StartResult:
    """A new call and the call it superseded at the same station, if any."""

    call: VisitorCall
    superseded: VisitorCall | None


class CallBook:
    """Pending and recent visitor calls, keyed by call id."""

    def __init__(
        self, *, ttl: float = DEFAULT_CALL_TTL, max_closed: int = MAX_CLOSED_KEPT
    ) -> None:
        if ttl <= 0 or max_closed < 0:
            raise ValueError("ttl must be positive and max_closed not negative")
        self.ttl = ttl
        self.max_closed = max_closed
        self._calls: dict[str, VisitorCall] = {}

    @property
    def calls(self) -> list[VisitorCall]:
        """Return every call kept, oldest first."""
        return sorted(self._calls.values(), key=lambda call: call.created_at)

    def find(self, call_id: str) -> VisitorCall | None:
        """Return the call with that id, or None."""
        return self._calls.get(call_id)

    def get(self, call_id: str) -> VisitorCall:
        """Return the call with that id or raise call_not_found."""
        if (call := self._calls.get(call_id)) is None:
            raise CallError("call_not_found", call_id)
        return call

    def is_live(self, call: VisitorCall, now: float) -> bool:
        """Return whether the call is pending and younger than the TTL."""
        return call.pending and call.age(now) < self.ttl

    def start(
        self,
        station_id: str,
        household_id: str,
        now: float,
        *,
        visitor_label: str | None = None,
        snapshot_ref: str | None = None,
        call_id: str | None = None,
    ) -> StartResult:
        """Start a call, cancelling the station's previous pending call."""
        superseded = self._pending_at(station_id)
        if superseded is not None:
            self._close(superseded, CallState.CANCELLED, None, now)
        if call_id is None or call_id in self._calls:
            call_id = uuid.uuid4().hex
        call = VisitorCall(
            call_id=call_id,
            station_id=station_id,
            household_id=household_id,
            created_at=now,
            visitor_label=visitor_label,
            snapshot_ref=snapshot_ref,
        )
        self._calls[call_id] = call
        self._prune()
        return StartResult(call, superseded)

    def answer(
        self, call_id: str, household_id: str, answer: Answer, now: float
    ) -> VisitorCall:
        """Record a deny or leave-at-door answer from the called household."""
        call = self._check(call_id, household_id, now)
        if answer is Answer.OPEN:
            raise CallError("open_needs_request", call_id)
        self._close(call, ANSWER_STATES[answer], household_id, now)
        return call

    def record_opened(self, call_id: str, household_id: str, now: float) -> VisitorCall:
        """Record that the door was opened for the call (the access policy's last step)."""
        call = self._check(call_id, household_id, now)
        self._close(call, CallState.ANSWERED_OPEN, household_id, now)
        return call

    def cancel(self, call_id: str, now: float) -> VisitorCall | None:
        """Cancel a pending call (the visitor hung up); return it, or None if not pending."""
        call = self._calls.get(call_id)
        if call is None or not call.pending:
            return None
        self._close(call, CallState.CANCELLED, None, now)
        return call

    def expire(self, now: float) -> list[VisitorCall]:
        """Expire every pending call that reached the TTL and return them."""
        expired = [
            call for call in self.calls if call.pending and not self.is_live(call, now)
        ]
        for call in expired:
            self._close(call, CallState.EXPIRED, None, now)
        return expired

    def next_deadline(self) -> float | None:
        """Return when the next pending call expires."""
        return min(
            (
                call.created_at + self.ttl
                for call in self._calls.values()
                if call.pending
            ),
            default=None,
        )

    def pending_for_household(self, household_id: str, now: float) -> list[VisitorCall]:
        """Return the household's live calls, newest first."""
        return [
            call
            for call in reversed(self.calls)
            if call.household_id == household_id and self.is_live(call, now)
        ]

    def pending_at_station(self, station_id: str, now: float) -> VisitorCall | None:
        """Return the station's live call, if any."""
        call = self._pending_at(station_id)
        return call if call is not None and self.is_live(call, now) else None

    def _pending_at(self, station_id: str) -> VisitorCall | None:
        """Return the station's pending call, live or not."""
        for call in self._calls.values():
            if call.pending and call.station_id == station_id:
                return call
        return None

    def _check(self, call_id: str, household_id: str, now: float) -> VisitorCall:
        """Return a live call of that household, or raise why it cannot be answered."""
        call = self.get(call_id)
        if call.household_id != household_id:
            raise CallError("wrong_household", call_id)
        if call.pending and not self.is_live(call, now):
            self._close(call, CallState.EXPIRED, None, now)
        if call.state is CallState.EXPIRED:
            raise CallError("call_expired", call_id)
        if not call.pending:
            raise CallError("call_closed", call_id)
        return call

    def _close(
        self, call: VisitorCall, state: CallState, by: str | None, now: float
    ) -> None:
        """Move a pending call to a final state."""
        call.state = state
        call.answered_by = by
        call.answered_at = now
        self._prune()

    def _prune(self) -> None:
        """Forget the oldest closed calls beyond the retention count."""
        closed = [call for call in self.calls if not call.pending]
        for call in closed[: max(0, len(closed) - self.max_closed)]:
            del self._calls[call.call_id]
