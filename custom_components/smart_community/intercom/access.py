"""Whether a household's open-door request opens a door, with an audit entry for every answer.

The household id comes from the verified link signature, never from the body. Every request
gets exactly one :class:`AccessDecision`, refusals included, and exactly one :class:`AuditEntry`
(no PIN in it). Checks run in this order, and the first that fails is the reason:

1. the request is complete and its id is new for this household (replay cache);
2. it was made (``requested_at``, the household's clock) within ``max_request_age`` of now, so
   a request held in a store-and-forward outbox through an outage cannot open a door later;
3. the door and the household are known;
4. with a call (given, or the household's live call at that door): it belongs to this
   household and this door, is pending and younger than the TTL;
5. without a call: a unit door opens for the households of its own building and unit; a gate
   needs the household's PIN (not locked out) when PIN opening is enabled;
6. the per-household and per-door rate limits allow one more opening.

Decisions never depend on the self-declared source (voice/phone/remote); it is only recorded,
and chooses between the two refusals ``pin_required`` (remote) and ``no_pending_call``.
"""

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
import hashlib
import hmac
import math
import re
import secrets
from typing import Any, Final, Self

from ..core.alarm import CorruptStateError
from .calls import CallBook, CallState, VisitorCall

STORAGE_VERSION: Final = 1
PIN_ITERATIONS: Final = 200_000
PIN_RE: Final = re.compile(r"[0-9]{4,12}")
MAX_PIN_INPUT: Final = 64
DEFAULT_HOUSEHOLD_LIMIT: Final = (3, 300.0)
DEFAULT_DOOR_LIMIT: Final = (12, 300.0)
DEFAULT_MAX_PIN_FAILURES: Final = 5
DEFAULT_PIN_LOCKOUT: Final = 900.0
DEFAULT_REPLAY_WINDOW: Final = 86_400.0
DEFAULT_MAX_REQUEST_AGE: Final = 120.0
MAX_REPLAY_ENTRIES: Final = 20_000
MAX_AUDIT_ENTRIES: Final = 1000

type Location = tuple[str, str]
type HouseholdLocator = Callable[[str], Location | None]


class DoorKind(StrEnum):
    """A community gate or a building's unit door."""

    GATE = "gate"
    UNIT_DOOR = "unit_door"


class AccessSource(StrEnum):
    """How the resident asked (recorded, never trusted for the decision)."""

    VOICE = "voice"
    PHONE = "phone"
    REMOTE = "remote"


class AccessReason(StrEnum):
    """Why a door opened or stayed shut; stable keys for phrases and the audit log."""

    OPENED_FOR_CALL = "opened_for_call"
    OPENED_OWN_UNIT_DOOR = "opened_own_unit_door"
    OPENED_WITH_PIN = "opened_with_pin"
    BAD_REQUEST = "bad_request"
    REPLAYED = "replayed"
    STALE_REQUEST = "stale_request"
    UNKNOWN_DOOR = "unknown_door"
    UNKNOWN_HOUSEHOLD = "unknown_household"
    NO_PENDING_CALL = "no_pending_call"
    CALL_EXPIRED = "call_expired"
    CALL_CLOSED = "call_closed"
    WRONG_HOUSEHOLD = "wrong_household"
    WRONG_DOOR = "wrong_door"
    NOT_OWN_DOOR = "not_own_door"
    PIN_REQUIRED = "pin_required"
    PIN_DISABLED = "pin_disabled"
    PIN_NOT_SET = "pin_not_set"
    WRONG_PIN = "wrong_pin"
    PIN_LOCKED = "pin_locked"
    RATE_LIMITED = "rate_limited"
    OPENER_FAILED = "opener_failed"
    """Allowed, but the door's opener did not work (a second audit entry)."""


ALLOWED_REASONS: Final = frozenset(
    {
        AccessReason.OPENED_FOR_CALL,
        AccessReason.OPENED_OWN_UNIT_DOOR,
        AccessReason.OPENED_WITH_PIN,
    }
)


class PinCheck(StrEnum):
    """The outcome of a PIN check."""

    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    NOT_SET = "not_set"


class PinError(ValueError):
    """A PIN the vault refuses to store; ``key`` is a stable translation key."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def parse_source(value: Any) -> AccessSource:
    """Return the declared source; anything unknown counts as remote (the strictest)."""
    try:
        return AccessSource(value)
    except ValueError:
        return AccessSource.REMOTE


@dataclass(frozen=True, slots=True)
class DoorStation:
    """A door the community can open: a gate, or a unit door of one building and unit."""

    station_id: str
    kind: DoorKind
    label: str = ""
    building: str | None = None
    unit: str | None = None

    def __post_init__(self) -> None:
        """Refuse a unit door without its building and unit."""
        if self.kind is DoorKind.UNIT_DOOR and (not self.building or not self.unit):
            raise ValueError("a unit door needs its building and unit")

    @property
    def location(self) -> Location | None:
        """Return the (building, unit) a unit door belongs to."""
        if self.building and self.unit:
            return (self.building, self.unit)
        return None


@dataclass(frozen=True, slots=True)
class OpenDoorRequest:
    """An open-door request as the community received it; the PIN never leaves this object."""

    request_id: str
    household_id: str
    door_id: str
    requested_at: float | None
    call_id: str | None = None
    pin: str | None = field(default=None, repr=False)
    source: AccessSource = AccessSource.REMOTE

    @classmethod
    def from_body(cls, household_id: str, body: Mapping[str, Any]) -> Self:
        """Build from a verified ``open_door_request`` body (extras: requested_at, pin, source)."""
        pin = body.get("pin")
        call_id = body.get("call_id")
        requested_at = body.get("requested_at")
        return cls(
            request_id=str(body.get("request_id", "")),
            household_id=household_id,
            door_id=str(body.get("door", "")),
            requested_at=float(requested_at)
            if isinstance(requested_at, int | float)
            and not isinstance(requested_at, bool)
            and math.isfinite(requested_at)
            else None,
            call_id=call_id if isinstance(call_id, str) and call_id else None,
            pin=pin if isinstance(pin, str) else None,
            source=parse_source(body.get("source")),
        )


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One open-door decision as the audit log keeps it."""

    at: float
    household_id: str
    door_id: str
    call_id: str | None
    request_id: str
    source: AccessSource
    allowed: bool
    reason: AccessReason

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "at": self.at,
            "household_id": self.household_id,
            "door_id": self.door_id,
            "call_id": self.call_id,
            "request_id": self.request_id,
            "source": self.source.value,
            "allowed": self.allowed,
            "reason": self.reason.value,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a persisted dict."""
        call_id = data["call_id"]
        allowed = data["allowed"]
        if not isinstance(allowed, bool):
            raise TypeError("allowed must be a bool")
        return cls(
            at=_as_float(data["at"]),
            household_id=_as_str(data["household_id"]),
            door_id=_as_str(data["door_id"]),
            call_id=None if call_id is None else _as_str(call_id),
            request_id=_as_str(data["request_id"]),
            source=AccessSource(data["source"]),
            allowed=allowed,
            reason=AccessReason(data["reason"]),
        )


class AuditLog:
    """The newest open-door decisions, bounded, oldest first."""

    def __init__(self, max_entries: int = MAX_AUDIT_ENTRIES) -> None:
        self._entries: deque[AuditEntry] = deque(maxlen=max_entries)

    @property
    def entries(self) -> list[AuditEntry]:
        """Return the kept entries, oldest first."""
        return list(self._entries)

    def __len__(self) -> int:
        """Return how many entries are kept."""
        return len(self._entries)

    def append(self, entry: AuditEntry) -> None:
        """Add an entry, dropping the oldest beyond the bound."""
        self._entries.append(entry)

    def for_household(self, household_id: str) -> list[AuditEntry]:
        """Return the entries of one household, oldest first."""
        return [e for e in self._entries if e.household_id == household_id]

    def as_dict(self) -> dict[str, Any]:
        """Return the log as JSON-ready data."""
        return {
            "version": STORAGE_VERSION,
            "entries": [entry.as_dict() for entry in self._entries],
        }

    def load(self, data: Mapping[str, Any] | None) -> None:
        """Replace the log with persisted entries."""
        self._entries.clear()
        if not data:
            return
        try:
            entries = [AuditEntry.from_dict(item) for item in data["entries"]]
        except (KeyError, TypeError, ValueError) as err:
            raise CorruptStateError(str(err)) from err
        self._entries.extend(entries)


class SlidingWindowLimiter:
    """At most ``limit`` hits per key in any window of ``window`` seconds (a sliding log)."""

    def __init__(self, limit: int, window: float) -> None:
        if limit < 1 or not window > 0:
            raise ValueError("limit must be at least 1 and window positive")
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._latest = -math.inf

    def _clock(self, now: float) -> float:
        """Return now, never earlier than a time already seen (clocks may step back)."""
        self._latest = max(self._latest, now)
        return self._latest

    def _recent(self, key: str, now: float) -> deque[float]:
        """Return the key's hits inside the window ending at now, pruning older ones."""
        hits = self._hits.get(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if not hits:
            self._hits.pop(key, None)
        return hits

    def allows(self, key: str, now: float) -> bool:
        """Return whether one more hit would stay within the limit."""
        return len(self._recent(key, self._clock(now))) < self.limit

    def hit(self, key: str, now: float) -> None:
        """Count one hit (callers check :meth:`allows` first)."""
        now = self._clock(now)
        self._hits.setdefault(key, self._recent(key, now)).append(now)

    def acquire(self, key: str, now: float) -> bool:
        """Count a hit if the limit allows it and say whether it did."""
        if not self.allows(key, now):
            return False
        self.hit(key, now)
        return True


class ReplayCache:
    """Request ids seen recently, per household, bounded in time and size."""

    def __init__(
        self,
        window: float = DEFAULT_REPLAY_WINDOW,
        max_entries: int = MAX_REPLAY_ENTRIES,
    ) -> None:
        self.window = window
        self.max_entries = max_entries
        self._seen: dict[str, float] = {}

    def __len__(self) -> int:
        """Return how many ids are remembered."""
        return len(self._seen)

    def check_and_add(self, household_id: str, request_id: str, now: float) -> bool:
        """Remember the id; return False if it was already seen."""
        key = f"{household_id}\x00{request_id}"
        if key in self._seen:
            return False
        self._seen[key] = now
        self._prune(now)
        return True

    def _prune(self, now: float) -> None:
        """Forget the oldest ids once older than the window or beyond the size bound."""
        cutoff = now - self.window
        while self._seen and next(iter(self._seen.values())) <= cutoff:
            del self._seen[next(iter(self._seen))]
        while len(self._seen) > self.max_entries:
            del self._seen[next(iter(self._seen))]

    def as_dict(self) -> dict[str, Any]:
        """Return the remembered ids as JSON-ready data."""
        return {"version": STORAGE_VERSION, "seen": dict(self._seen)}

    def load(self, data: Mapping[str, Any] | None) -> None:
        """Replace the cache with persisted ids."""
        self._seen = {}
        if not data:
            return
        try:
            seen = {_as_str(k): _as_float(v) for k, v in data["seen"].items()}
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise CorruptStateError(str(err)) from err
        self._seen = dict(sorted(seen.items(), key=lambda item: item[1]))


@dataclass(slots=True)
class PinRecord:
    """A household's PIN as a salted PBKDF2-HMAC-SHA256 hash and its failure count."""

    salt: bytes
    digest: bytes
    iterations: int
    failures: int = 0
    locked_until: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "salt": self.salt.hex(),
            "digest": self.digest.hex(),
            "iterations": self.iterations,
            "failures": self.failures,
            "locked_until": self.locked_until,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a persisted dict."""
        iterations = data["iterations"]
        failures = data["failures"]
        if not isinstance(iterations, int) or isinstance(iterations, bool):
            raise TypeError("iterations must be an int")
        if not isinstance(failures, int) or isinstance(failures, bool):
            raise TypeError("failures must be an int")
        if iterations < 1:
            raise ValueError("iterations must be positive")
        return cls(
            salt=bytes.fromhex(_as_str(data["salt"])),
            digest=bytes.fromhex(_as_str(data["digest"])),
            iterations=iterations,
            failures=failures,
            locked_until=_as_float(data["locked_until"]),
        )


def _derive(pin: str, salt: bytes, iterations: int) -> bytes:
    """Return the PBKDF2-HMAC-SHA256 digest of a PIN."""
    return hashlib.pbkdf2_hmac(
        "sha256", pin[:MAX_PIN_INPUT].encode("utf-8"), salt, iterations
    )


class PinVault:
    """Per-household PINs for remote gate opening, with a lockout after repeated failures."""

    def __init__(
        self,
        *,
        iterations: int = PIN_ITERATIONS,
        max_failures: int = DEFAULT_MAX_PIN_FAILURES,
        lockout: float = DEFAULT_PIN_LOCKOUT,
    ) -> None:
        if iterations < 1 or max_failures < 1 or lockout < 0:
            raise ValueError("bad PIN vault settings")
        self.iterations = iterations
        self.max_failures = max_failures
        self.lockout = lockout
        self._records: dict[str, PinRecord] = {}

    def has_pin(self, household_id: str) -> bool:
        """Return whether the household has set a PIN."""
        return household_id in self._records

    def set_pin(self, household_id: str, pin: str) -> None:
        """Store a new PIN (4-12 digits) for the household, clearing any lockout."""
        if not isinstance(pin, str) or PIN_RE.fullmatch(pin) is None:
            raise PinError("bad_pin")
        salt = secrets.token_bytes(16)
        self._records[household_id] = PinRecord(
            salt, _derive(pin, salt, self.iterations), self.iterations
        )

    def clear_pin(self, household_id: str) -> None:
        """Forget the household's PIN."""
        self._records.pop(household_id, None)

    def is_locked(self, household_id: str, now: float) -> bool:
        """Return whether the household is locked out after wrong PINs."""
        record = self._records.get(household_id)
        return record is not None and record.locked_until > now

    def verify(self, household_id: str, pin: str, now: float) -> PinCheck:
        """Check a PIN in constant time, counting failures towards a lockout."""
        record = self._records.get(household_id)
        if record is None:
            return PinCheck.NOT_SET
        if record.locked_until > now:
            return PinCheck.LOCKED
        candidate = _derive(pin, record.salt, record.iterations)
        if hmac.compare_digest(candidate, record.digest):
            record.failures = 0
            return PinCheck.OK
        record.failures += 1
        if record.failures >= self.max_failures:
            record.failures = 0
            record.locked_until = now + self.lockout
        return PinCheck.WRONG

    def as_dict(self) -> dict[str, Any]:
        """Return the hashes and lockouts as JSON-ready data (never a PIN)."""
        return {
            "version": STORAGE_VERSION,
            "records": {hid: rec.as_dict() for hid, rec in self._records.items()},
        }

    def load(self, data: Mapping[str, Any] | None) -> None:
        """Replace the vault with persisted records."""
        self._records = {}
        if not data:
            return
        try:
            records = {
                _as_str(hid): PinRecord.from_dict(rec)
                for hid, rec in data["records"].items()
            }
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise CorruptStateError(str(err)) from err
        self._records = records


@dataclass(frozen=True, slots=True)
class AccessDecision:
    """Whether the door opens, why, the audit entry written and the call it answered."""

    allowed: bool
    reason: AccessReason
    audit: AuditEntry
    call: VisitorCall | None = None
    station: DoorStation | None = None

    def result_body(self) -> dict[str, Any]:
        """Return the ``open_door_result`` message body."""
        return {
            "request_id": self.audit.request_id,
            "allowed": self.allowed,
            "reason": self.reason.value,
        }


class DoorAccessPolicy:
    """Decides open-door requests against calls, doors, PINs, rate limits and replays."""

    def __init__(
        self,
        calls: CallBook,
        locate: HouseholdLocator,
        stations: Iterable[DoorStation] = (),
        *,
        pins: PinVault | None = None,
        household_limit: tuple[int, float] = DEFAULT_HOUSEHOLD_LIMIT,
        door_limit: tuple[int, float] = DEFAULT_DOOR_LIMIT,
        replay: ReplayCache | None = None,
        audit: AuditLog | None = None,
        pin_opening: bool = True,
        max_request_age: float = DEFAULT_MAX_REQUEST_AGE,
    ) -> None:
        self.calls = calls
        self.locate = locate
        self.pins = pins if pins is not None else PinVault()
        self.household_limiter = SlidingWindowLimiter(*household_limit)
        self.door_limiter = SlidingWindowLimiter(*door_limit)
        self.replay = replay if replay is not None else ReplayCache()
        self.audit = audit if audit is not None else AuditLog()
        self.pin_opening = pin_opening
        self.max_request_age = max_request_age
        self._stations: dict[str, DoorStation] = {}
        self.set_stations(stations)

    @property
    def stations(self) -> list[DoorStation]:
        """Return the doors this policy knows, sorted by id."""
        return [self._stations[key] for key in sorted(self._stations)]

    def set_stations(self, stations: Iterable[DoorStation]) -> None:
        """Replace the known doors (after a subentry changed)."""
        self._stations = {station.station_id: station for station in stations}

    def station(self, station_id: str) -> DoorStation | None:
        """Return the door with that id, or None."""
        return self._stations.get(station_id)

    def decide(self, request: OpenDoorRequest, now: float) -> AccessDecision:
        """Decide one request, append its audit entry and return the decision."""
        reason, call = self._evaluate(request, now)
        allowed = reason in ALLOWED_REASONS
        entry = AuditEntry(
            at=now,
            household_id=request.household_id,
            door_id=request.door_id,
            call_id=call.call_id if call is not None else request.call_id,
            request_id=request.request_id,
            source=request.source,
            allowed=allowed,
            reason=reason,
        )
        self.audit.append(entry)
        return AccessDecision(
            allowed, reason, entry, call, self._stations.get(request.door_id)
        )

    def opener_failed(self, decision: AccessDecision, now: float) -> AccessDecision:
        """Audit that an allowed door did not open; return the decision as refused.

        The allowing entry stays (the audit is append-only); a second entry with the
        same request id records that the door stayed shut.
        """
        entry = replace(
            decision.audit,
            at=now,
            allowed=False,
            reason=AccessReason.OPENER_FAILED,
        )
        self.audit.append(entry)
        return replace(
            decision, allowed=False, reason=AccessReason.OPENER_FAILED, audit=entry
        )

    def _evaluate(
        self, request: OpenDoorRequest, now: float
    ) -> tuple[AccessReason, VisitorCall | None]:
        """Return the reason for the decision and the call it concerns."""
        household = request.household_id
        if (
            not request.request_id
            or not request.door_id
            or not household
            or request.requested_at is None
        ):
            return AccessReason.BAD_REQUEST, None
        if not self.replay.check_and_add(household, request.request_id, now):
            return AccessReason.REPLAYED, None
        if abs(now - request.requested_at) > self.max_request_age:
            return AccessReason.STALE_REQUEST, None
        station = self._stations.get(request.door_id)
        if station is None:
            return AccessReason.UNKNOWN_DOOR, None
        location = self.locate(household)
        if location is None:
            return AccessReason.UNKNOWN_HOUSEHOLD, None
        call = self._call_for(request, now)
        if call is not None:
            return self._for_call(request, station, call, now), call
        if request.call_id is not None:
            return AccessReason.NO_PENDING_CALL, None
        if station.kind is DoorKind.UNIT_DOOR:
            if station.location != location:
                return AccessReason.NOT_OWN_DOOR, None
            return self._open(
                household, station, AccessReason.OPENED_OWN_UNIT_DOOR, now
            ), None
        return self._with_pin(request, station, now), None

    def _call_for(self, request: OpenDoorRequest, now: float) -> VisitorCall | None:
        """Return the call named by the request, or the household's live call at that door."""
        if request.call_id is not None:
            return self.calls.find(request.call_id)
        call = self.calls.pending_at_station(request.door_id, now)
        if call is not None and call.household_id == request.household_id:
            return call
        return None

    def _for_call(
        self,
        request: OpenDoorRequest,
        station: DoorStation,
        call: VisitorCall,
        now: float,
    ) -> AccessReason:
        """Open for a visitor call if it is this household's, at this door, and live."""
        if call.household_id != request.household_id:
            return AccessReason.WRONG_HOUSEHOLD
        if call.station_id != station.station_id:
            return AccessReason.WRONG_DOOR
        if call.state is CallState.EXPIRED or (
            call.pending and not self.calls.is_live(call, now)
        ):
            return AccessReason.CALL_EXPIRED
        if not call.pending:
            return AccessReason.CALL_CLOSED
        reason = self._open(
            request.household_id, station, AccessReason.OPENED_FOR_CALL, now
        )
        if reason is AccessReason.OPENED_FOR_CALL:
            self.calls.record_opened(call.call_id, request.household_id, now)
        return reason

    def _with_pin(
        self, request: OpenDoorRequest, station: DoorStation, now: float
    ) -> AccessReason:
        """Open a gate without a call, only with the household's right PIN."""
        household = request.household_id
        if request.pin is None:
            if request.source is AccessSource.REMOTE:
                return AccessReason.PIN_REQUIRED
            return AccessReason.NO_PENDING_CALL
        if not self.pin_opening:
            return AccessReason.PIN_DISABLED
        if not self.pins.has_pin(household):
            return AccessReason.PIN_NOT_SET
        if self.pins.is_locked(household, now):
            return AccessReason.PIN_LOCKED
        if not self._allows(household, station, now):
            return AccessReason.RATE_LIMITED
        if self.pins.verify(household, request.pin, now) is not PinCheck.OK:
            return AccessReason.WRONG_PIN
        return self._open(household, station, AccessReason.OPENED_WITH_PIN, now)

    def _allows(self, household_id: str, station: DoorStation, now: float) -> bool:
        """Return whether both rate limits allow one more opening."""
        return self.household_limiter.allows(
            household_id, now
        ) and self.door_limiter.allows(station.station_id, now)

    def _open(
        self,
        household_id: str,
        station: DoorStation,
        reason: AccessReason,
        now: float,
    ) -> AccessReason:
        """Count an opening against the rate limits, or refuse when they are spent."""
        if not self._allows(household_id, station, now):
            return AccessReason.RATE_LIMITED
        self.household_limiter.hit(household_id, now)
        self.door_limiter.hit(station.station_id, now)
        return reason

    def as_dict(self) -> dict[str, Any]:
        """Return the state worth keeping across restarts: PIN hashes, replay ids, audit."""
        return {
            "version": STORAGE_VERSION,
            "pins": self.pins.as_dict(),
            "replay": self.replay.as_dict(),
            "audit": self.audit.as_dict(),
        }

    def load(self, data: Mapping[str, Any] | None) -> None:
        """Restore persisted state."""
        if not data:
            return
        if not isinstance(data, Mapping):
            raise CorruptStateError("policy state is not an object")
        self.pins.load(data.get("pins"))
        self.replay.load(data.get("replay"))
        self.audit.load(data.get("audit"))


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
