"""Household alarms: kinds, lifecycle, de-duplication, escalation and persistence.

Pure Python: no Home Assistant import. Times are POSIX timestamps (float seconds) passed in by
the caller, so the state machine is deterministic and testable without a clock.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
import secrets
from typing import Any, Final, Self

STORAGE_VERSION: Final = 1
MAX_HISTORY_EVENTS: Final = 50
MAX_RESOLVED_KEPT: Final = 100


class AlarmKind(StrEnum):
    """What an alarm is about."""

    SMOKE = "smoke"
    GAS = "gas"
    CO = "co"
    LEAK = "leak"
    SOS = "sos"
    FALL = "fall"
    INACTIVITY = "inactivity"
    CUSTOM = "custom"


class AlarmStatus(StrEnum):
    """Where an alarm stands in its lifecycle."""

    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class AlarmAction(StrEnum):
    """An entry in an alarm's history."""

    RAISED = "raised"
    RETRIGGERED = "retriggered"
    ESCALATED = "escalated"
    ACKNOWLEDGED = "acknowledged"
    ARRIVED = "arrived"
    RESOLVED = "resolved"
    NOTE = "note"
    SOURCE_CLEARED = "source_cleared"
    RESPONSE = "response"
    RESPONSE_FAILED = "response_failed"


class AlarmError(Exception):
    """A request the alarm book refuses; `key` is a stable translation key."""

    def __init__(self, key: str, alarm_id: str) -> None:
        super().__init__(f"{key}: {alarm_id}")
        self.key = key
        self.alarm_id = alarm_id


class AlarmNotFoundError(AlarmError):
    """No alarm with that id."""

    def __init__(self, alarm_id: str) -> None:
        super().__init__("alarm_not_found", alarm_id)


class AlarmAlreadyResolvedError(AlarmError):
    """The alarm is resolved and cannot change any more."""

    def __init__(self, alarm_id: str) -> None:
        super().__init__("alarm_already_resolved", alarm_id)


class CorruptStateError(ValueError):
    """Persisted alarm data could not be read."""


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One thing that happened to an alarm."""

    at: float
    action: AlarmAction
    by: str | None = None
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "at": self.at,
            "action": self.action.value,
            "by": self.by,
            "detail": self.detail,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a persisted dict."""
        return cls(
            at=_as_float(data["at"]),
            action=AlarmAction(data["action"]),
            by=_opt_str(data.get("by")),
            detail=_opt_str(data.get("detail")),
        )


@dataclass(slots=True)
class Alarm:
    """One alarm and its history.

    Change an alarm only through :class:`AlarmBook`: every change ends with
    :meth:`record`, which also drops the cached stored form (a board of a thousand
    alarms is saved often; only the alarms that changed are serialised again).
    """

    alarm_id: str
    kind: AlarmKind
    source: str
    raised_at: float
    raised_by: str | None = None
    message: str | None = None
    status: AlarmStatus = AlarmStatus.RAISED
    acknowledged_at: float | None = None
    acknowledged_by: str | None = None
    resolved_at: float | None = None
    resolved_by: str | None = None
    arrived_at: float | None = None
    arrived_by: str | None = None
    escalation_level: int = 0
    trigger_count: int = 1
    last_triggered_at: float = 0.0
    history: list[HistoryEntry] = field(default_factory=list)
    _stored: dict[str, Any] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def active(self) -> bool:
        """Return True until the alarm is resolved."""
        return self.status is not AlarmStatus.RESOLVED

    def record(
        self,
        at: float,
        action: AlarmAction,
        by: str | None = None,
        detail: str | None = None,
    ) -> None:
        """Append to the history, keeping its first entry and the newest ones."""
        self.history.append(HistoryEntry(at, action, by, detail))
        if len(self.history) > MAX_HISTORY_EVENTS:
            del self.history[1 : len(self.history) - MAX_HISTORY_EVENTS + 1]
        self._stored = None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (built again only after a change)."""
        if self._stored is None:
            self._stored = self._build_dict()
        return dict(self._stored)

    def _build_dict(self) -> dict[str, Any]:
        return {
            "alarm_id": self.alarm_id,
            "kind": self.kind.value,
            "source": self.source,
            "raised_at": self.raised_at,
            "raised_by": self.raised_by,
            "message": self.message,
            "status": self.status.value,
            "acknowledged_at": self.acknowledged_at,
            "acknowledged_by": self.acknowledged_by,
            "resolved_at": self.resolved_at,
            "resolved_by": self.resolved_by,
            "arrived_at": self.arrived_at,
            "arrived_by": self.arrived_by,
            "escalation_level": self.escalation_level,
            "trigger_count": self.trigger_count,
            "last_triggered_at": self.last_triggered_at,
            "history": [entry.as_dict() for entry in self.history],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a persisted dict."""
        return cls(
            alarm_id=str(data["alarm_id"]),
            kind=AlarmKind(data["kind"]),
            source=str(data["source"]),
            raised_at=_as_float(data["raised_at"]),
            raised_by=_opt_str(data.get("raised_by")),
            message=_opt_str(data.get("message")),
            status=AlarmStatus(data["status"]),
            acknowledged_at=_opt_float(data.get("acknowledged_at")),
            acknowledged_by=_opt_str(data.get("acknowledged_by")),
            resolved_at=_opt_float(data.get("resolved_at")),
            resolved_by=_opt_str(data.get("resolved_by")),
            arrived_at=_opt_float(data.get("arrived_at")),
            arrived_by=_opt_str(data.get("arrived_by")),
            escalation_level=int(data.get("escalation_level", 0)),
            trigger_count=int(data.get("trigger_count", 1)),
            last_triggered_at=_as_float(
                data.get("last_triggered_at", data["raised_at"])
            ),
            history=[HistoryEntry.from_dict(item) for item in data.get("history", [])],
        )


@dataclass(frozen=True, slots=True)
class EscalationStep:
    """Who to call once an alarm has gone unacknowledged for `after` seconds."""

    after: float
    targets: tuple[str, ...]
    name: str


@dataclass(frozen=True, slots=True)
class EscalationPolicy:
    """The escalation ladder; step 0 is whoever is told when the alarm is raised."""

    steps: tuple[EscalationStep, ...]

    @classmethod
    def build(
        cls,
        family: Iterable[str],
        contacts: Iterable[str] = (),
        contact_delay: float = 120.0,
        extra: Iterable[EscalationStep] = (),
    ) -> Self:
        """Build the usual ladder: family at once, contacts after a delay, then any extras."""
        steps = [EscalationStep(0.0, tuple(family), "family")]
        contact_targets = tuple(contacts)
        if contact_targets:
            steps.append(EscalationStep(contact_delay, contact_targets, "contacts"))
        steps.extend(extra)
        steps.sort(key=lambda step: step.after)
        return cls(tuple(steps))

    def due_levels(self, alarm: Alarm, now: float) -> list[int]:
        """Return the steps past the alarm's current level whose time has come."""
        if alarm.status is not AlarmStatus.RAISED:
            return []
        elapsed = now - alarm.raised_at
        return [
            level
            for level, step in enumerate(self.steps)
            if level > alarm.escalation_level and step.after <= elapsed
        ]

    def next_deadline(self, alarm: Alarm) -> float | None:
        """Return when the next step falls due, or None if nothing is left to do."""
        if alarm.status is not AlarmStatus.RAISED:
            return None
        for level, step in enumerate(self.steps):
            if level > alarm.escalation_level:
                return alarm.raised_at + step.after
        return None


@dataclass(frozen=True, slots=True)
class RaiseResult:
    """What `AlarmBook.raise_alarm` did."""

    alarm: Alarm
    created: bool


@dataclass(frozen=True, slots=True)
class Escalation:
    """An alarm that just climbed to a step of the ladder."""

    alarm: Alarm
    level: int
    step: EscalationStep


def new_alarm_id() -> str:
    """Return a short random alarm id."""
    return secrets.token_hex(6)


class AlarmBook:
    """The alarms of one household: raise, de-duplicate, acknowledge, resolve, escalate."""

    def __init__(self, policy: EscalationPolicy | None = None) -> None:
        self.policy = policy or EscalationPolicy.build(())
        self._alarms: dict[str, Alarm] = {}
        # Indexes so a board with thousands of alarms answers in constant time.
        self._active: dict[str, None] = {}
        self._resolved: dict[str, None] = {}
        self._by_source: dict[str, dict[str, None]] = {}

    @property
    def alarms(self) -> list[Alarm]:
        """Return every alarm kept, oldest first."""
        return sorted(self._alarms.values(), key=lambda alarm: alarm.raised_at)

    @property
    def active(self) -> list[Alarm]:
        """Return the alarms not yet resolved, in the order they were raised."""
        return [self._alarms[alarm_id] for alarm_id in self._active]

    def active_of(self, source: str) -> list[Alarm]:
        """Return the active alarms from one source (a sensor, a household)."""
        return [self._alarms[alarm_id] for alarm_id in self._by_source.get(source, ())]

    def __contains__(self, alarm_id: object) -> bool:
        return alarm_id in self._alarms

    def get(self, alarm_id: str) -> Alarm:
        """Return the alarm with that id."""
        try:
            return self._alarms[alarm_id]
        except KeyError:
            raise AlarmNotFoundError(alarm_id) from None

    def active_for(self, kind: AlarmKind, source: str) -> Alarm | None:
        """Return the active alarm of that kind from that source, if any."""
        for alarm_id in self._by_source.get(source, ()):
            alarm = self._alarms[alarm_id]
            if alarm.kind is kind:
                return alarm
        return None

    def is_active(self, kind: AlarmKind) -> bool:
        """Return True when an alarm of that kind is active."""
        return any(self._alarms[alarm_id].kind is kind for alarm_id in self._active)

    def raise_alarm(
        self,
        kind: AlarmKind,
        source: str,
        now: float,
        *,
        by: str | None = None,
        message: str | None = None,
        alarm_id: str | None = None,
        merge: bool = True,
    ) -> RaiseResult:
        """Raise an alarm, or count a re-trigger of the same active one (when merging)."""
        existing = self.active_for(kind, source) if merge else None
        if existing is not None:
            existing.trigger_count += 1
            existing.last_triggered_at = now
            existing.record(now, AlarmAction.RETRIGGERED, by)
            return RaiseResult(existing, created=False)
        if alarm_id is None or alarm_id in self._alarms:
            alarm_id = new_alarm_id()
            while alarm_id in self._alarms:  # pragma: no cover - 48 random bits
                alarm_id = new_alarm_id()
        alarm = Alarm(
            alarm_id=alarm_id,
            kind=kind,
            source=source,
            raised_at=now,
            raised_by=by,
            message=message,
            last_triggered_at=now,
        )
        alarm.record(now, AlarmAction.RAISED, by, message)
        self._alarms[alarm_id] = alarm
        self._index(alarm)
        return RaiseResult(alarm, created=True)

    def acknowledge(self, alarm_id: str, now: float, by: str | None = None) -> bool:
        """Acknowledge an alarm; return False if it already was."""
        alarm = self.get(alarm_id)
        if alarm.status is AlarmStatus.RESOLVED:
            raise AlarmAlreadyResolvedError(alarm_id)
        if alarm.status is AlarmStatus.ACKNOWLEDGED:
            return False
        alarm.status = AlarmStatus.ACKNOWLEDGED
        alarm.acknowledged_at = now
        alarm.acknowledged_by = by
        alarm.record(now, AlarmAction.ACKNOWLEDGED, by)
        return True

    def mark_arrived(self, alarm_id: str, now: float, by: str | None = None) -> bool:
        """Record that a responder reached the household; return False if already recorded."""
        alarm = self.get(alarm_id)
        if alarm.status is AlarmStatus.RESOLVED:
            raise AlarmAlreadyResolvedError(alarm_id)
        if alarm.arrived_at is not None:
            return False
        if alarm.status is AlarmStatus.RAISED:
            self.acknowledge(alarm_id, now, by)
        alarm.arrived_at = now
        alarm.arrived_by = by
        alarm.record(now, AlarmAction.ARRIVED, by)
        return True

    def resolve(self, alarm_id: str, now: float, by: str | None = None) -> None:
        """Resolve an alarm (acknowledging it too when nobody had)."""
        alarm = self.get(alarm_id)
        if alarm.status is AlarmStatus.RESOLVED:
            raise AlarmAlreadyResolvedError(alarm_id)
        if alarm.acknowledged_at is None:
            alarm.acknowledged_at = now
            alarm.acknowledged_by = by
        alarm.status = AlarmStatus.RESOLVED
        alarm.resolved_at = now
        alarm.resolved_by = by
        alarm.record(now, AlarmAction.RESOLVED, by)
        self._index(alarm)

    def note(
        self,
        alarm_id: str,
        now: float,
        action: AlarmAction,
        detail: str | None = None,
        by: str | None = None,
    ) -> None:
        """Add a history entry without changing the alarm's status."""
        self.get(alarm_id).record(now, action, by, detail)

    def escalate_due(self, now: float) -> list[Escalation]:
        """Climb the ladder for every unacknowledged alarm whose next step is due."""
        escalations: list[Escalation] = []
        for alarm in self.active:
            for level in self.policy.due_levels(alarm, now):
                step = self.policy.steps[level]
                alarm.escalation_level = level
                alarm.record(now, AlarmAction.ESCALATED, detail=step.name)
                escalations.append(Escalation(alarm, level, step))
        return escalations

    def next_deadline(self) -> float | None:
        """Return the earliest time an escalation falls due."""
        deadlines = [
            deadline
            for alarm in self.active
            if (deadline := self.policy.next_deadline(alarm)) is not None
        ]
        return min(deadlines, default=None)

    def as_dict(self) -> dict[str, Any]:
        """Return the book as JSON-ready data for storage."""
        return {
            "version": STORAGE_VERSION,
            "alarms": [alarm.as_dict() for alarm in self.alarms],
        }

    def load(self, data: Mapping[str, Any] | None) -> None:
        """Replace the book's alarms with persisted ones."""
        self._alarms = {}
        self._active, self._resolved, self._by_source = {}, {}, {}
        if not data:
            return
        try:
            alarms = [Alarm.from_dict(item) for item in data["alarms"]]
        except (KeyError, TypeError, ValueError) as err:
            raise CorruptStateError(str(err)) from err
        for alarm in sorted(alarms, key=lambda alarm: alarm.raised_at):
            self._alarms[alarm.alarm_id] = alarm
            self._index(alarm)

    def _index(self, alarm: Alarm) -> None:
        """Put an alarm into the active or resolved index."""
        alarm_id = alarm.alarm_id
        if alarm.active:
            self._active[alarm_id] = None
            self._by_source.setdefault(alarm.source, {})[alarm_id] = None
            return
        self._active.pop(alarm_id, None)
        source = self._by_source.get(alarm.source)
        if source is not None:
            source.pop(alarm_id, None)
            if not source:
                del self._by_source[alarm.source]
        self._resolved[alarm_id] = None
        while len(self._resolved) > MAX_RESOLVED_KEPT:
            oldest = next(iter(self._resolved))
            del self._resolved[oldest]
            del self._alarms[oldest]


def _as_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return float(value)


def _opt_float(value: Any) -> float | None:
    return None if value is None else _as_float(value)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)
