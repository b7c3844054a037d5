"""Record of gate decisions, today's counters and where each resident was last seen."""

from collections import deque
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any

from .errors import FrigatePayloadError
from .gates import Decision, Direction, GateDecision, Reason

DEFAULT_MAX_RECORDS = 1000
_PASSAGE = frozenset({Decision.OPEN, Decision.VISITOR})


@dataclass(frozen=True, slots=True)
class AccessRecord:
    """One recorded decision; `entered_at` is set on a visitor's exit when the entry is known."""

    at: datetime
    gate_id: str | None
    server: str
    camera: str
    event_id: str
    decision: Decision
    reason: Reason
    direction: Direction
    vehicle: bool
    resident_id: str | None = None
    household: str | None = None
    face: str | None = None
    plate: str | None = None
    score: float | None = None
    pass_id: str | None = None
    charge_on_exit: bool = False
    entered_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        data = asdict(self)
        data["at"] = self.at.isoformat()
        data["entered_at"] = (
            None if self.entered_at is None else self.entered_at.isoformat()
        )
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AccessRecord:
        """Rebuild a record from `as_dict`; raises `FrigatePayloadError` when malformed."""
        try:
            values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
            values["at"] = datetime.fromisoformat(data["at"])
            entered = data.get("entered_at")
            values["entered_at"] = (
                None if entered is None else datetime.fromisoformat(entered)
            )
            values["decision"] = Decision(data["decision"])
            values["reason"] = Reason(data["reason"])
            values["direction"] = Direction(data["direction"])
            return cls(**values)
        except (KeyError, TypeError, ValueError) as err:
            raise FrigatePayloadError(f"bad access record: {err}") from err


@dataclass(frozen=True, slots=True)
class LastSeen:
    """Where and when a resident last passed a gate."""

    gate_id: str
    at: datetime
    direction: Direction


@dataclass(frozen=True, slots=True)
class Counters:
    """Vehicles inside now, and entries and visitors of the current day."""

    day: date
    vehicles_inside: int
    entries_today: int
    visitors_today: int


class AccessLog:
    """Bounded in-memory log; counters roll over at local midnight of the decision times."""

    def __init__(self, max_records: int = DEFAULT_MAX_RECORDS) -> None:
        self._records: deque[AccessRecord] = deque(maxlen=max_records)
        self._day: date | None = None
        self._entries = 0
        self._visitors = 0
        self.vehicles_inside = 0
        self.last_seen: dict[str, LastSeen] = {}
        self._visitors_inside: dict[str, datetime] = {}

    @property
    def records(self) -> tuple[AccessRecord, ...]:
        """Return the kept records, oldest first."""
        return tuple(self._records)

    def _roll(self, now: datetime) -> None:
        """Reset the daily counters when `now` is on another day."""
        if self._day != now.date():
            self._day = now.date()
            self._entries = 0
            self._visitors = 0

    def counters(self, now: datetime) -> Counters:
        """Return the counters as of `now` (local, timezone-aware)."""
        self._roll(now)
        return Counters(now.date(), self.vehicles_inside, self._entries, self._visitors)

    def set_vehicles_inside(self, count: int) -> None:
        """Correct the vehicle count after a manual check by staff."""
        self.vehicles_inside = max(0, count)

    def record(self, decision: GateDecision) -> AccessRecord | None:
        """Record a decision and update the counters; IGNORE decisions are not recorded."""
        if decision.decision is Decision.IGNORE:
            return None
        self._roll(decision.at)
        entered_at = None
        passage = decision.decision in _PASSAGE
        if passage and decision.direction is Direction.IN:
            self._entries += 1
            self.vehicles_inside += decision.vehicle
            if (
                decision.decision is Decision.VISITOR
                or decision.reason is Reason.VISITOR_PASS
            ):
                self._visitors += 1
            if decision.charge_on_exit and decision.plate:
                self._visitors_inside[decision.plate] = decision.at
        elif passage and decision.direction is Direction.OUT and decision.vehicle:
            self.vehicles_inside = max(0, self.vehicles_inside - 1)
            if decision.plate:
                entered_at = self._visitors_inside.pop(decision.plate, None)
        if (
            decision.resident_id is not None
            and decision.gate_id is not None
            and passage
        ):
            self.last_seen[decision.resident_id] = LastSeen(
                decision.gate_id, decision.at, decision.direction
            )
        record = AccessRecord(
            at=decision.at,
            gate_id=decision.gate_id,
            server=decision.server,
            camera=decision.camera,
            event_id=decision.event_id,
            decision=decision.decision,
            reason=decision.reason,
            direction=decision.direction,
            vehicle=decision.vehicle,
            resident_id=decision.resident_id,
            household=decision.household,
            face=decision.face,
            plate=decision.plate,
            score=decision.score,
            pass_id=decision.pass_id,
            charge_on_exit=decision.charge_on_exit,
            entered_at=entered_at,
        )
        self._records.append(record)
        return record

    def as_dict(self) -> dict[str, Any]:
        """Return the whole state as JSON-serialisable data for persistence."""
        return {
            "day": None if self._day is None else self._day.isoformat(),
            "entries": self._entries,
            "visitors": self._visitors,
            "vehicles_inside": self.vehicles_inside,
            "records": [record.as_dict() for record in self._records],
            "last_seen": {
                rid: {
                    "gate_id": s.gate_id,
                    "at": s.at.isoformat(),
                    "direction": s.direction.value,
                }
                for rid, s in self.last_seen.items()
            },
            "visitors_inside": {
                plate: at.isoformat() for plate, at in self._visitors_inside.items()
            },
        }

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], max_records: int = DEFAULT_MAX_RECORDS
    ) -> AccessLog:
        """Restore a log saved with `as_dict`; raises `FrigatePayloadError` when malformed."""
        log = cls(max_records)
        try:
            log._day = None if data["day"] is None else date.fromisoformat(data["day"])
            log._entries = int(data["entries"])
            log._visitors = int(data["visitors"])
            log.vehicles_inside = int(data["vehicles_inside"])
            log.last_seen = {
                rid: LastSeen(
                    s["gate_id"],
                    datetime.fromisoformat(s["at"]),
                    Direction(s["direction"]),
                )
                for rid, s in data["last_seen"].items()
            }
            log._visitors_inside = {
                p: datetime.fromisoformat(at)
                for p, at in data["visitors_inside"].items()
            }
            log._records.extend(
                AccessRecord.from_dict(record) for record in data["records"]
            )
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise FrigatePayloadError(f"bad access log: {err}") from err
        return log
