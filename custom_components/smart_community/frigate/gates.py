"""Gate decisions from recognised faces and plates (pure, no I/O).

Direction is read from Frigate zones: each gate may name an `outside_zone` and an
`inside_zone` on its camera. An object whose `entered_zones` list has the outside zone
before the inside zone is coming IN; the reverse order is going OUT. Without both zones
(or before the object reached the second one) the direction falls back to the object's
path along `inward` (the image direction that points into the community), and is
UNKNOWN when neither tells. A one-way gate treats an UNKNOWN direction as its own.
"""

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from enum import StrEnum

from .models import PathPoint, TrackedObject
from .plates import DEFAULT_MAX_DISTANCE, Plate, PlateIndex, normalize_plate

VEHICLE_LABELS = frozenset({"car", "motorcycle", "truck", "bus", "bicycle"})
PERSON_LABELS = frozenset({"person"})
_MIN_PATH_TRAVEL = 0.05
_DECIDED_MEMORY = 1024


class GateKind(StrEnum):
    """What passes through a gate."""

    PEDESTRIAN = "pedestrian"
    VEHICLE = "vehicle"


class GateDirection(StrEnum):
    """Directions a gate serves."""

    IN = "in"
    OUT = "out"
    BOTH = "both"


class Direction(StrEnum):
    """Observed direction of travel."""

    IN = "in"
    OUT = "out"
    UNKNOWN = "unknown"


class Inward(StrEnum):
    """Image direction that points into the community."""

    UP = "up"
    DOWN = "down"
    LEFT = "left"
    RIGHT = "right"


class Decision(StrEnum):
    """What the HA layer does with an observation."""

    OPEN = "open"
    DENY = "deny"
    VISITOR = "visitor"
    ALERT = "alert"
    IGNORE = "ignore"


class Reason(StrEnum):
    """Why; translation keys of the HA layer."""

    RESIDENT_FACE = "resident_face"
    RESIDENT_VEHICLE = "resident_vehicle"
    VISITOR_PASS = "visitor_pass"  # noqa: S105 - a reason key
    UNKNOWN_PLATE = "unknown_plate"
    VISITOR_EXIT = "visitor_exit"
    UNKNOWN_FACE = "unknown_face"
    BLACKLISTED = "blacklisted"
    OUTSIDE_SCHEDULE = "outside_schedule"
    NOT_AT_GATE = "not_at_gate"
    WRONG_OBJECT = "wrong_object"
    WRONG_DIRECTION = "wrong_direction"
    LOW_CONFIDENCE = "low_confidence"
    NO_IDENTITY = "no_identity"
    ALREADY_DECIDED = "already_decided"


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """Weekdays (0 = Monday) and a local time range; `end <= start` spans midnight."""

    start: time
    end: time
    weekdays: frozenset[int] = frozenset(range(7))

    def contains(self, now: datetime) -> bool:
        """Return True when the local time `now` falls in the window."""
        clock = now.time().replace(tzinfo=None)
        if self.start < self.end:
            return now.weekday() in self.weekdays and self.start <= clock < self.end
        if clock >= self.start:
            return now.weekday() in self.weekdays
        return clock < self.end and (now.weekday() - 1) % 7 in self.weekdays


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a gate opens automatically; no windows means always."""

    windows: tuple[TimeWindow, ...] = ()

    def active(self, now: datetime) -> bool:
        """Return True when `now` (timezone-aware, in the community's zone) is scheduled."""
        if now.tzinfo is None:
            raise ValueError("schedule needs a timezone-aware datetime")
        return not self.windows or any(window.contains(now) for window in self.windows)


@dataclass(frozen=True, slots=True)
class Gate:
    """One gate: where Frigate sees it, which way it serves and what opens it."""

    gate_id: str
    kind: GateKind
    server: str
    camera: str
    opener_entity_id: str
    zone: str | None = None
    direction: GateDirection = GateDirection.BOTH
    schedule: Schedule = Schedule()
    outside_zone: str | None = None
    inside_zone: str | None = None
    inward: Inward | None = None
    face_threshold: float = 0.9
    plate_min_score: float = 0.7
    plate_max_distance: int = DEFAULT_MAX_DISTANCE


@dataclass(frozen=True, slots=True)
class Resident:
    """A resident and the names their face is registered under in Frigate."""

    resident_id: str
    household: str
    face_names: frozenset[str]


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A registered vehicle."""

    plate: str
    household: str
    resident_id: str | None = None


@dataclass(frozen=True, slots=True)
class VisitorPass:
    """A pass a resident registered ahead: a plate or a (face) name, valid in a window."""

    pass_id: str
    household: str
    valid_from: datetime
    valid_until: datetime
    plate: str | None = None
    name: str | None = None
    gates: frozenset[str] = frozenset()

    def valid(self, gate_id: str, now: datetime) -> bool:
        """Return True when the pass is usable at `gate_id` at `now`."""
        return self.valid_from <= now < self.valid_until and (
            not self.gates or gate_id in self.gates
        )


@dataclass(frozen=True, slots=True)
class Registry:
    """Residents, vehicles, blacklist and visitor passes of one community."""

    residents: tuple[Resident, ...] = ()
    vehicles: tuple[Vehicle, ...] = ()
    blacklisted_plates: tuple[str, ...] = ()
    blacklisted_names: frozenset[str] = frozenset()
    passes: tuple[VisitorPass, ...] = ()
    max_distance: int = DEFAULT_MAX_DISTANCE
    _faces: dict[str, Resident] = field(init=False, repr=False, compare=False)
    _banned_names: frozenset[str] = field(init=False, repr=False, compare=False)
    _vehicles: PlateIndex[Vehicle] = field(init=False, repr=False, compare=False)
    _blacklist: PlateIndex[str] = field(init=False, repr=False, compare=False)
    _pass_plates: PlateIndex[VisitorPass] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        faces = {name.casefold(): r for r in self.residents for name in r.face_names}
        object.__setattr__(self, "_faces", faces)
        object.__setattr__(
            self,
            "_banned_names",
            frozenset(n.casefold() for n in self.blacklisted_names),
        )
        object.__setattr__(
            self,
            "_vehicles",
            PlateIndex(((v.plate, v) for v in self.vehicles), self.max_distance),
        )
        object.__setattr__(
            self,
            "_blacklist",
            PlateIndex(((p, p) for p in self.blacklisted_plates), self.max_distance),
        )
        pass_plates = PlateIndex(
            ((p.plate, p) for p in self.passes if p.plate), self.max_distance
        )
        object.__setattr__(self, "_pass_plates", pass_plates)

    def resident_for_face(self, name: str) -> Resident | None:
        """Return the resident registered under a Frigate face name."""
        return self._faces.get(name.casefold())

    def vehicle_for_plate(self, plate: Plate, max_distance: int) -> Vehicle | None:
        """Return the registered vehicle matching `plate` within `max_distance`."""
        match = self._vehicles.lookup(plate)
        return (
            match.value
            if match is not None and match.distance <= max_distance
            else None
        )

    def plate_blacklisted(self, plate: Plate) -> bool:
        """Return True when `plate` matches a blacklisted plate."""
        return self._blacklist.lookup(plate) is not None

    def name_blacklisted(self, name: str) -> bool:
        """Return True when a face name is blacklisted."""
        return name.casefold() in self._banned_names

    def pass_for(
        self, gate_id: str, now: datetime, plate: Plate | None, name: str | None
    ) -> VisitorPass | None:
        """Return a valid pass for this plate or name at this gate."""
        if plate is not None:
            for match in self._pass_plates.matches(plate):
                if match.value.valid(gate_id, now):
                    return match.value
        if name is not None:
            for visitor_pass in self.passes:
                if (
                    visitor_pass.name is not None
                    and visitor_pass.valid(gate_id, now)
                    and name.casefold() == visitor_pass.name.casefold()
                ):
                    return visitor_pass
        return None


@dataclass(frozen=True, slots=True)
class Observation:
    """What Frigate knows about one tracked object at a camera, merged across messages."""

    server: str
    camera: str
    event_id: str
    label: str
    zones: tuple[str, ...] = ()
    path: tuple[PathPoint, ...] = ()
    face: str | None = None
    face_score: float | None = None
    plate: str | None = None
    plate_score: float | None = None

    @classmethod
    def from_tracked_object(cls, server: str, obj: TrackedObject) -> Observation:
        """Build an observation from a `frigate/events` object (sub label as face name)."""
        is_person = obj.label in PERSON_LABELS
        return cls(
            server=server,
            camera=obj.camera,
            event_id=obj.id,
            label=obj.label,
            zones=tuple(dict.fromkeys((*obj.entered_zones, *obj.current_zones))),
            path=obj.path,
            face=obj.sub_label if is_person else None,
            face_score=obj.sub_label_score if is_person else None,
            plate=obj.recognized_license_plate,
            plate_score=obj.recognized_license_plate_score,
        )


@dataclass(frozen=True, slots=True)
class GateDecision:
    """The decision for one observation at one gate (None fields when not applicable)."""

    decision: Decision
    reason: Reason
    at: datetime
    gate_id: str | None
    server: str
    camera: str
    event_id: str
    direction: Direction = Direction.UNKNOWN
    resident_id: str | None = None
    household: str | None = None
    face: str | None = None
    plate: str | None = None
    score: float | None = None
    pass_id: str | None = None
    opener_entity_id: str | None = None
    charge_on_exit: bool = False
    vehicle: bool = False


def observed_direction(gate: Gate, obs: Observation) -> Direction:
    """Return the direction from zone order, then from the path along `inward`."""
    zones = obs.zones
    if gate.outside_zone in zones and gate.inside_zone in zones:
        return (
            Direction.IN
            if zones.index(gate.outside_zone) < zones.index(gate.inside_zone)
            else Direction.OUT
        )
    if gate.inward is None or len(obs.path) < 2:
        return Direction.UNKNOWN
    first, last = obs.path[0], obs.path[-1]
    travel = {
        Inward.UP: first.y - last.y,
        Inward.DOWN: last.y - first.y,
        Inward.LEFT: first.x - last.x,
        Inward.RIGHT: last.x - first.x,
    }[gate.inward]
    if abs(travel) < _MIN_PATH_TRAVEL:
        return Direction.UNKNOWN
    return Direction.IN if travel > 0 else Direction.OUT


class GateDecider:
    """Decides per gate; remembers final decisions per (gate, event) to act once."""

    def __init__(self, gates: Iterable[Gate], registry: Registry) -> None:
        self.gates = tuple(gates)
        self.registry = registry
        self._decided: OrderedDict[tuple[str, str], Decision] = OrderedDict()

    def gate_for(self, obs: Observation) -> Gate | None:
        """Return the first gate on the observation's server, camera and zone."""
        for gate in self.gates:
            if (
                gate.server == obs.server
                and gate.camera == obs.camera
                and (gate.zone is None or gate.zone in obs.zones)
            ):
                return gate
        return None

    def decide(self, obs: Observation, now: datetime) -> GateDecision:
        """Decide what to do; a repeated decision for the same event is ALREADY_DECIDED."""
        gate = self.gate_for(obs)
        if gate is None:
            return GateDecision(
                Decision.IGNORE,
                Reason.NOT_AT_GATE,
                now,
                None,
                obs.server,
                obs.camera,
                obs.event_id,
            )
        result = decide_at_gate(gate, self.registry, obs, now)
        if result.decision is Decision.IGNORE:
            return result
        key = (gate.gate_id, obs.event_id)
        previous = self._decided.get(key)
        if previous in {Decision.OPEN, Decision.ALERT} or previous is result.decision:
            return _replace(result, Decision.IGNORE, Reason.ALREADY_DECIDED)
        self._decided[key] = result.decision
        self._decided.move_to_end(key)
        while len(self._decided) > _DECIDED_MEMORY:
            self._decided.popitem(last=False)
        return result

    def forget(self, event_id: str) -> None:
        """Drop the memory of an ended event."""
        for key in [key for key in self._decided if key[1] == event_id]:
            del self._decided[key]


def _replace(result: GateDecision, decision: Decision, reason: Reason) -> GateDecision:
    """Return `result` with another decision and reason."""
    return replace(result, decision=decision, reason=reason)


def decide_at_gate(
    gate: Gate, registry: Registry, obs: Observation, now: datetime
) -> GateDecision:
    """Decide for one gate, without duplicate suppression."""
    is_vehicle = gate.kind is GateKind.VEHICLE
    direction = observed_direction(gate, obs)
    if direction is Direction.UNKNOWN and gate.direction is not GateDirection.BOTH:
        direction = Direction(gate.direction.value)
    plate = normalize_plate(obs.plate) if is_vehicle and obs.plate else None
    face = None if is_vehicle else obs.face
    base = GateDecision(
        Decision.IGNORE,
        Reason.NO_IDENTITY,
        now,
        gate.gate_id,
        obs.server,
        obs.camera,
        obs.event_id,
        direction=direction,
        face=face,
        plate=plate.text if plate else None,
        score=obs.plate_score if is_vehicle else obs.face_score,
        opener_entity_id=gate.opener_entity_id,
        vehicle=is_vehicle,
    )
    labels = VEHICLE_LABELS if is_vehicle else PERSON_LABELS
    if obs.label not in labels:
        return _replace(base, Decision.IGNORE, Reason.WRONG_OBJECT)
    if (
        gate.direction is not GateDirection.BOTH
        and direction.value != gate.direction.value
    ):
        return _replace(base, Decision.IGNORE, Reason.WRONG_DIRECTION)
    if plate is not None and plate.body:
        return _decide_plate(gate, registry, base, plate, now)
    if face is not None:
        return _decide_face(gate, registry, base, face, now)
    return base


def _decide_plate(
    gate: Gate, registry: Registry, base: GateDecision, plate: Plate, now: datetime
) -> GateDecision:
    """Decide for a plate reading."""
    if base.score is not None and base.score < gate.plate_min_score:
        return _replace(base, Decision.IGNORE, Reason.LOW_CONFIDENCE)
    if registry.plate_blacklisted(plate):
        return _replace(base, Decision.ALERT, Reason.BLACKLISTED)
    if not gate.schedule.active(now):
        return _replace(base, Decision.DENY, Reason.OUTSIDE_SCHEDULE)
    vehicle = registry.vehicle_for_plate(plate, gate.plate_max_distance)
    if vehicle is not None:
        return replace(
            base,
            decision=Decision.OPEN,
            reason=Reason.RESIDENT_VEHICLE,
            plate=normalize_plate(vehicle.plate).text,
            household=vehicle.household,
            resident_id=vehicle.resident_id,
        )
    visitor_pass = registry.pass_for(gate.gate_id, now, plate, None)
    if visitor_pass is not None:
        return replace(
            base,
            decision=Decision.OPEN,
            reason=Reason.VISITOR_PASS,
            household=visitor_pass.household,
            pass_id=visitor_pass.pass_id,
        )
    reason = (
        Reason.VISITOR_EXIT if base.direction is Direction.OUT else Reason.UNKNOWN_PLATE
    )
    return replace(base, decision=Decision.VISITOR, reason=reason, charge_on_exit=True)


def _decide_face(
    gate: Gate, registry: Registry, base: GateDecision, face: str, now: datetime
) -> GateDecision:
    """Decide for a recognised face."""
    if registry.name_blacklisted(face):
        return _replace(base, Decision.ALERT, Reason.BLACKLISTED)
    if base.score is not None and base.score < gate.face_threshold:
        return _replace(base, Decision.IGNORE, Reason.LOW_CONFIDENCE)
    if not gate.schedule.active(now):
        return _replace(base, Decision.DENY, Reason.OUTSIDE_SCHEDULE)
    resident = registry.resident_for_face(face)
    if resident is not None:
        return replace(
            base,
            decision=Decision.OPEN,
            reason=Reason.RESIDENT_FACE,
            resident_id=resident.resident_id,
            household=resident.household,
        )
    visitor_pass = registry.pass_for(gate.gate_id, now, None, face)
    if visitor_pass is not None:
        return replace(
            base,
            decision=Decision.OPEN,
            reason=Reason.VISITOR_PASS,
            household=visitor_pass.household,
            pass_id=visitor_pass.pass_id,
        )
    return _replace(base, Decision.DENY, Reason.UNKNOWN_FACE)
