"""Table-driven gate decisions."""

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.smart_community.frigate.gates import (
    Decision,
    Direction,
    Gate,
    GateDecider,
    GateDirection,
    GateKind,
    Inward,
    Observation,
    Reason,
    Registry,
    Resident,
    Schedule,
    TimeWindow,
    Vehicle,
    VisitorPass,
    decide_at_gate,
    observed_direction,
)
from custom_components.smart_community.frigate.models import PathPoint
from custom_components.smart_community.frigate.parsers import parse_event_message

from .conftest import fixture_bytes

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 4, 9, 30, tzinfo=TZ)  # a Wednesday

NORTH = Gate(
    "north",
    GateKind.VEHICLE,
    "nvr1",
    "north_gate_lpr",
    "cover.north_barrier",
    zone="barrier",
    outside_zone="approach",
    inside_zone="inside_lane",
)
EAST_EXIT = Gate(
    "east_exit",
    GateKind.VEHICLE,
    "nvr1",
    "east_gate_lpr",
    "cover.east_barrier",
    direction=GateDirection.OUT,
)
PEDESTRIAN = Gate(
    "east_people",
    GateKind.PEDESTRIAN,
    "nvr1",
    "east_gate",
    "lock.east_door",
    zone="gate_lane",
    schedule=Schedule((TimeWindow(time(6), time(23)),)),
    inward=Inward.UP,
)
REGISTRY = Registry(
    residents=(Resident("r-li", "3-1201", frozenset({"Li Wei"})),),
    vehicles=(Vehicle("京AD12340", "3-1201", "r-li"), Vehicle("沪B99999", "5-0302")),
    blacklisted_plates=("粤Z66666",),
    blacklisted_names=frozenset({"Banned Person"}),
    passes=(
        VisitorPass(
            "p1",
            "3-1201",
            NOW - timedelta(hours=1),
            NOW + timedelta(hours=2),
            plate="苏E12345",
        ),
        VisitorPass(
            "p2",
            "5-0302",
            NOW - timedelta(hours=1),
            NOW + timedelta(hours=2),
            name="Aunt Zhou",
        ),
        VisitorPass(
            "p3",
            "5-0302",
            NOW + timedelta(days=1),
            NOW + timedelta(days=2),
            plate="浙A77777",
        ),
        VisitorPass(
            "p4",
            "5-0302",
            NOW - timedelta(hours=1),
            NOW + timedelta(hours=1),
            plate="浙B11111",
            gates=frozenset({"west"}),
        ),
    ),
)


def car(
    plate: str | None,
    score: float = 0.95,
    zones: tuple[str, ...] = ("approach", "barrier", "inside_lane"),
    **kw: object,
) -> Observation:
    values: dict[str, object] = {
        "server": "nvr1",
        "event_id": "e1",
        "camera": "north_gate_lpr",
        "label": "car",
    }
    values.update({"zones": zones, "plate": plate, "plate_score": score}, **kw)
    return Observation(**values)  # type: ignore[arg-type]


def person(face: str | None, score: float = 0.95, **kw: object) -> Observation:
    values: dict[str, object] = {
        "server": "nvr1",
        "event_id": "e2",
        "camera": "east_gate",
        "label": "person",
        "zones": ("gate_lane",),
        "face": face,
        "face_score": score,
        "path": (PathPoint(0.5, 0.9, 1.0), PathPoint(0.5, 0.6, 2.0)),
    }
    values.update(kw)
    return Observation(**values)  # type: ignore[arg-type]


CASES = [
    (
        "resident plate",
        car("京AD12340"),
        NOW,
        Decision.OPEN,
        Reason.RESIDENT_VEHICLE,
        Direction.IN,
    ),
    (
        "resident plate OCR O/0",
        car("京AD1234O"),
        NOW,
        Decision.OPEN,
        Reason.RESIDENT_VEHICLE,
        Direction.IN,
    ),
    (
        "resident plate one edit",
        car("京AD12346"),
        NOW,
        Decision.OPEN,
        Reason.RESIDENT_VEHICLE,
        Direction.IN,
    ),
    (
        "plate leaving",
        car("沪B99999", zones=("inside_lane", "barrier", "approach")),
        NOW,
        Decision.OPEN,
        Reason.RESIDENT_VEHICLE,
        Direction.OUT,
    ),
    (
        "unknown plate in",
        car("川A55555"),
        NOW,
        Decision.VISITOR,
        Reason.UNKNOWN_PLATE,
        Direction.IN,
    ),
    (
        "unknown plate out",
        car("川A55555", zones=("inside_lane", "barrier", "approach")),
        NOW,
        Decision.VISITOR,
        Reason.VISITOR_EXIT,
        Direction.OUT,
    ),
    (
        "visitor pass plate",
        car("苏E12345"),
        NOW,
        Decision.OPEN,
        Reason.VISITOR_PASS,
        Direction.IN,
    ),
    (
        "pass not yet valid",
        car("浙A77777"),
        NOW,
        Decision.VISITOR,
        Reason.UNKNOWN_PLATE,
        Direction.IN,
    ),
    (
        "pass for another gate",
        car("浙B11111"),
        NOW,
        Decision.VISITOR,
        Reason.UNKNOWN_PLATE,
        Direction.IN,
    ),
    (
        "blacklisted plate",
        car("粤Z66666"),
        NOW,
        Decision.ALERT,
        Reason.BLACKLISTED,
        Direction.IN,
    ),
    (
        "blacklisted plate one edit",
        car("粤Z66668"),
        NOW,
        Decision.ALERT,
        Reason.BLACKLISTED,
        Direction.IN,
    ),
    (
        "low plate score",
        car("京AD12340", score=0.4),
        NOW,
        Decision.IGNORE,
        Reason.LOW_CONFIDENCE,
        Direction.IN,
    ),
    ("no plate yet", car(None), NOW, Decision.IGNORE, Reason.NO_IDENTITY, Direction.IN),
    (
        "direction unknown",
        car("京AD12340", zones=("barrier",)),
        NOW,
        Decision.OPEN,
        Reason.RESIDENT_VEHICLE,
        Direction.UNKNOWN,
    ),
    (
        "person at vehicle gate",
        car("京AD12340", label="person"),
        NOW,
        Decision.IGNORE,
        Reason.WRONG_OBJECT,
        Direction.IN,
    ),
    (
        "not in gate zone",
        car("京AD12340", zones=("approach",)),
        NOW,
        Decision.IGNORE,
        Reason.NOT_AT_GATE,
        Direction.UNKNOWN,
    ),
    (
        "other server",
        car("京AD12340", server="nvr2"),
        NOW,
        Decision.IGNORE,
        Reason.NOT_AT_GATE,
        Direction.UNKNOWN,
    ),
    (
        "exit-only gate, leaving",
        car("京AD12340", camera="east_gate_lpr", zones=()),
        NOW,
        Decision.OPEN,
        Reason.RESIDENT_VEHICLE,
        Direction.OUT,
    ),
    (
        "resident face",
        person("Li Wei"),
        NOW,
        Decision.OPEN,
        Reason.RESIDENT_FACE,
        Direction.IN,
    ),
    (
        "resident face other case",
        person("li wei"),
        NOW,
        Decision.OPEN,
        Reason.RESIDENT_FACE,
        Direction.IN,
    ),
    (
        "face below threshold",
        person("Li Wei", score=0.85),
        NOW,
        Decision.IGNORE,
        Reason.LOW_CONFIDENCE,
        Direction.IN,
    ),
    (
        "face pass",
        person("Aunt Zhou"),
        NOW,
        Decision.OPEN,
        Reason.VISITOR_PASS,
        Direction.IN,
    ),
    (
        "known face, not resident",
        person("Courier Wu"),
        NOW,
        Decision.DENY,
        Reason.UNKNOWN_FACE,
        Direction.IN,
    ),
    (
        "blacklisted face",
        person("Banned Person", score=0.5),
        NOW,
        Decision.ALERT,
        Reason.BLACKLISTED,
        Direction.IN,
    ),
    (
        "unrecognised face",
        person(None),
        NOW,
        Decision.IGNORE,
        Reason.NO_IDENTITY,
        Direction.IN,
    ),
    (
        "outside schedule",
        person("Li Wei"),
        NOW.replace(hour=23, minute=30),
        Decision.DENY,
        Reason.OUTSIDE_SCHEDULE,
        Direction.IN,
    ),
    (
        "walking out",
        person("Li Wei", path=(PathPoint(0.5, 0.6, 1.0), PathPoint(0.5, 0.9, 2.0))),
        NOW,
        Decision.OPEN,
        Reason.RESIDENT_FACE,
        Direction.OUT,
    ),
    (
        "hardly moved",
        person("Li Wei", path=(PathPoint(0.5, 0.6, 1.0), PathPoint(0.5, 0.62, 2.0))),
        NOW,
        Decision.OPEN,
        Reason.RESIDENT_FACE,
        Direction.UNKNOWN,
    ),
    (
        "car at pedestrian gate",
        person("Li Wei", label="car"),
        NOW,
        Decision.IGNORE,
        Reason.WRONG_OBJECT,
        Direction.IN,
    ),
]


@pytest.mark.parametrize(
    ("name", "obs", "now", "decision", "reason", "direction"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_decisions(
    name: str,
    obs: Observation,
    now: datetime,
    decision: Decision,
    reason: Reason,
    direction: Direction,
) -> None:
    result = GateDecider((NORTH, EAST_EXIT, PEDESTRIAN), REGISTRY).decide(obs, now)
    assert (result.decision, result.reason, result.direction) == (
        decision,
        reason,
        direction,
    )
    assert result.at == now


def test_open_decision_details() -> None:
    result = GateDecider((NORTH,), REGISTRY).decide(car("京AD1234O"), NOW)
    assert result.opener_entity_id == "cover.north_barrier"
    assert (result.plate, result.household, result.resident_id, result.vehicle) == (
        "京AD12340",
        "3-1201",
        "r-li",
        True,
    )
    visitor = GateDecider((NORTH,), REGISTRY).decide(car("川A55555"), NOW)
    assert visitor.charge_on_exit is True
    assert visitor.plate == "川A55555"
    passed = GateDecider((NORTH,), REGISTRY).decide(car("苏E12345"), NOW)
    assert (passed.pass_id, passed.household) == ("p1", "3-1201")


def test_vehicle_gate_schedule() -> None:
    gate = replace(NORTH, schedule=Schedule((TimeWindow(time(7), time(8)),)))
    result = decide_at_gate(gate, REGISTRY, car("京AD12340"), NOW)
    assert (result.decision, result.reason) == (Decision.DENY, Reason.OUTSIDE_SCHEDULE)
    blacklisted = decide_at_gate(gate, REGISTRY, car("粤Z66666"), NOW)
    assert blacklisted.decision is Decision.ALERT


def test_exit_only_gate_refuses_entries() -> None:
    gate = replace(EAST_EXIT, outside_zone="street", inside_zone="yard")
    result = decide_at_gate(
        gate,
        REGISTRY,
        car("京AD12340", camera="east_gate_lpr", zones=("street", "yard")),
        NOW,
    )
    assert (result.decision, result.reason) == (Decision.IGNORE, Reason.WRONG_DIRECTION)


def test_one_action_per_event() -> None:
    decider = GateDecider((NORTH,), REGISTRY)
    first = decider.decide(car("川A5555"), NOW)
    assert first.decision is Decision.VISITOR
    assert decider.decide(car("川A5555"), NOW).reason is Reason.ALREADY_DECIDED
    better = decider.decide(
        car("京AD12340"), NOW
    )  # a better reading upgrades a visitor
    assert better.decision is Decision.OPEN
    assert decider.decide(car("京AD12340"), NOW).reason is Reason.ALREADY_DECIDED
    assert decider.decide(car("粤Z66666"), NOW).reason is Reason.ALREADY_DECIDED
    decider.forget("e1")
    assert decider.decide(car("京AD12340"), NOW).decision is Decision.OPEN
    assert decider.decide(car(None), NOW).reason is Reason.NO_IDENTITY


def test_decision_memory_is_bounded() -> None:
    decider = GateDecider((NORTH,), REGISTRY)
    for i in range(1100):
        decider.decide(car("京AD12340", event_id=f"e{i}"), NOW)
    assert (
        decider.decide(car("京AD12340", event_id="e0"), NOW).decision is Decision.OPEN
    )
    assert (
        decider.decide(car("京AD12340", event_id="e1099"), NOW).reason
        is Reason.ALREADY_DECIDED
    )


@pytest.mark.parametrize(
    ("window", "moment", "expected"),
    [
        (TimeWindow(time(6), time(23)), datetime(2026, 3, 4, 6, 0, tzinfo=TZ), True),
        (TimeWindow(time(6), time(23)), datetime(2026, 3, 4, 23, 0, tzinfo=TZ), False),
        (
            TimeWindow(time(8), time(18), frozenset({0, 1, 2, 3, 4})),
            datetime(2026, 3, 7, 9, 0, tzinfo=TZ),
            False,
        ),
        (
            TimeWindow(time(22), time(6), frozenset({4})),
            datetime(2026, 3, 6, 23, 0, tzinfo=TZ),
            True,
        ),
        (
            TimeWindow(time(22), time(6), frozenset({4})),
            datetime(2026, 3, 7, 5, 0, tzinfo=TZ),
            True,
        ),
        (
            TimeWindow(time(22), time(6), frozenset({4})),
            datetime(2026, 3, 6, 5, 0, tzinfo=TZ),
            False,
        ),
        (
            TimeWindow(time(22), time(6), frozenset({4})),
            datetime(2026, 3, 7, 23, 0, tzinfo=TZ),
            False,
        ),
        (
            TimeWindow(time(22), time(6), frozenset({4})),
            datetime(2026, 3, 7, 7, 0, tzinfo=TZ),
            False,
        ),
    ],
)
def test_time_windows(window: TimeWindow, moment: datetime, expected: bool) -> None:
    assert Schedule((window,)).active(moment) is expected


def test_schedule_needs_aware_time() -> None:
    assert Schedule().active(datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="timezone"):
        Schedule().active(datetime(2026, 1, 1))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("inward", "start", "end", "expected"),
    [
        (Inward.UP, (0.5, 0.9), (0.5, 0.5), Direction.IN),
        (Inward.DOWN, (0.5, 0.9), (0.5, 0.5), Direction.OUT),
        (Inward.LEFT, (0.9, 0.5), (0.2, 0.5), Direction.IN),
        (Inward.RIGHT, (0.9, 0.5), (0.2, 0.5), Direction.OUT),
        (None, (0.9, 0.5), (0.2, 0.5), Direction.UNKNOWN),
    ],
)
def test_path_direction(
    inward: Inward | None,
    start: tuple[float, float],
    end: tuple[float, float],
    expected: Direction,
) -> None:
    gate = replace(PEDESTRIAN, inward=inward)
    obs = person("x", path=(PathPoint(*start, 1.0), PathPoint(*end, 2.0)))
    assert observed_direction(gate, obs) is expected
    assert observed_direction(gate, person("x", path=())) is Direction.UNKNOWN


def test_observation_from_event_fixtures() -> None:
    car_event = parse_event_message(fixture_bytes("event_0_16_car.json")).after
    obs = Observation.from_tracked_object("nvr1", car_event)
    assert obs.face is None
    assert obs.zones == ("approach", "barrier", "inside_lane")
    result = GateDecider((NORTH,), REGISTRY).decide(obs, NOW)
    assert (result.decision, result.reason, result.direction) == (
        Decision.OPEN,
        Reason.RESIDENT_VEHICLE,
        Direction.IN,
    )
    person_event = parse_event_message(fixture_bytes("event_0_14_person.json")).after
    face_obs = Observation.from_tracked_object("nvr1", person_event)
    assert (face_obs.face, face_obs.face_score) == ("Li Wei", 0.93)
    assert (
        GateDecider((PEDESTRIAN,), REGISTRY).decide(face_obs, NOW).decision
        is Decision.OPEN
    )
