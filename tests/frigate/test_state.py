"""Observation merging, the access log, fire lanes and audio alarms."""

from dataclasses import replace
from datetime import datetime, timedelta
import json
from zoneinfo import ZoneInfo

import pytest

from custom_components.smart_community.frigate.access_log import (
    AccessLog,
    AccessRecord,
    LastSeen,
)
from custom_components.smart_community.frigate.audio import (
    AudioAlarmMapper,
    AudioAlarmType,
    AudioCamera,
    unsupported_labels,
)
from custom_components.smart_community.frigate.errors import FrigatePayloadError
from custom_components.smart_community.frigate.firelane import (
    FireLane,
    FireLaneMonitor,
    FireLaneState,
)
from custom_components.smart_community.frigate.gates import (
    Decision,
    Direction,
    GateDecision,
    Reason,
)
from custom_components.smart_community.frigate.models import (
    AudioMessage,
    EventMessage,
    EventType,
    FaceResult,
    PlateResult,
)
from custom_components.smart_community.frigate.observations import ObservationTracker
from custom_components.smart_community.frigate.parsers import parse_event_message

from .conftest import fixture_bytes

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 4, 9, 0, tzinfo=TZ)


def test_tracker_merges_updates_with_events() -> None:
    tracker = ObservationTracker()
    plate = PlateResult(
        "1751871612.204812-k2xw9d", "north_gate_lpr", "京AD12340", None, 0.94, 1.0
    )
    early = tracker.on_update("nvr1", plate)
    assert (early.label, early.zones, early.plate) == ("car", (), "京AD12340")
    message = parse_event_message(fixture_bytes("event_0_16_car.json"))
    message = replace(
        message,
        after=replace(
            message.after,
            recognized_license_plate=None,
            recognized_license_plate_score=None,
        ),
    )
    merged = tracker.on_event("nvr1", message)
    assert (merged.plate, merged.plate_score, merged.zones[-1]) == (
        "京AD12340",
        0.94,
        "inside_lane",
    )
    ended = tracker.on_event("nvr1", replace(message, type=EventType.END))
    assert ended.plate == "京AD12340"
    assert len(tracker) == 0


def test_tracker_faces() -> None:
    tracker = ObservationTracker()
    face = tracker.on_update(
        "nvr1", FaceResult("p1", "east_gate", "Li Wei", 0.95, None)
    )
    assert (face.label, face.face) == ("person", "Li Wei")
    unknown = tracker.on_update("nvr1", FaceResult("p1", "east_gate", None, 0.4, None))
    assert (unknown.face, unknown.face_score) == ("Li Wei", 0.95)
    message = parse_event_message(fixture_bytes("event_0_14_person.json"))
    message = replace(
        message,
        after=replace(message.after, id="p1", sub_label=None, sub_label_score=None),
    )
    assert tracker.on_event("nvr1", message).face == "Li Wei"
    fresh = parse_event_message(fixture_bytes("event_0_16_car.json"))
    assert tracker.on_event("nvr2", fresh).plate == "京A·D1234O"
    tracker.clear_server("nvr2")
    assert len(tracker) == 1
    tracker.clear_server("nvr1")
    assert len(tracker) == 0


def test_tracker_is_bounded() -> None:
    tracker = ObservationTracker(max_objects=3)
    for i in range(5):
        tracker.on_update(
            "nvr1", FaceResult(f"p{i}", "east_gate", "Li Wei", 0.95, None)
        )
    assert len(tracker) == 3


def decision(
    decision: Decision, reason: Reason, direction: Direction, at: datetime, **kw: object
) -> GateDecision:
    values: dict[str, object] = {
        "gate_id": "north",
        "server": "nvr1",
        "camera": "cam",
        "event_id": "e",
    }
    values.update(kw)
    return GateDecision(decision, reason, at, direction=direction, **values)  # type: ignore[arg-type]


def test_access_log_counters_and_last_seen() -> None:
    log = AccessLog(max_records=5)
    assert (
        log.record(decision(Decision.IGNORE, Reason.NO_IDENTITY, Direction.IN, T0))
        is None
    )
    log.record(
        decision(
            Decision.OPEN,
            Reason.RESIDENT_VEHICLE,
            Direction.IN,
            T0,
            vehicle=True,
            resident_id="r-li",
        )
    )
    log.record(
        decision(
            Decision.VISITOR,
            Reason.UNKNOWN_PLATE,
            Direction.IN,
            T0,
            vehicle=True,
            plate="川A55555",
            charge_on_exit=True,
        )
    )
    log.record(
        decision(Decision.OPEN, Reason.VISITOR_PASS, Direction.IN, T0, face="Aunt Zhou")
    )
    log.record(
        decision(Decision.ALERT, Reason.BLACKLISTED, Direction.IN, T0, vehicle=True)
    )
    counters = log.counters(T0)
    assert (
        counters.vehicles_inside,
        counters.entries_today,
        counters.visitors_today,
    ) == (2, 3, 2)
    out = log.record(
        decision(
            Decision.VISITOR,
            Reason.VISITOR_EXIT,
            Direction.OUT,
            T0 + timedelta(hours=2),
            vehicle=True,
            plate="川A55555",
            charge_on_exit=True,
        )
    )
    assert out is not None
    assert out.entered_at == T0
    assert log.counters(T0).vehicles_inside == 1
    log.record(
        decision(
            Decision.OPEN,
            Reason.RESIDENT_FACE,
            Direction.OUT,
            T0 + timedelta(hours=3),
            resident_id="r-li",
            gate_id="east",
        )
    )
    assert log.last_seen["r-li"] == LastSeen(
        "east", T0 + timedelta(hours=3), Direction.OUT
    )
    assert len(log.records) == 5
    tomorrow = log.counters(T0 + timedelta(days=1))
    assert (
        tomorrow.vehicles_inside,
        tomorrow.entries_today,
        tomorrow.visitors_today,
    ) == (1, 0, 0)
    for _ in range(3):
        log.record(
            decision(
                Decision.OPEN, Reason.RESIDENT_VEHICLE, Direction.OUT, T0, vehicle=True
            )
        )
    assert log.vehicles_inside == 0
    log.set_vehicles_inside(-4)
    assert log.vehicles_inside == 0
    log.set_vehicles_inside(42)
    assert log.vehicles_inside == 42


def test_access_log_round_trip() -> None:
    log = AccessLog()
    assert AccessLog.from_dict(log.as_dict()).as_dict() == log.as_dict()
    log.record(
        decision(
            Decision.VISITOR,
            Reason.UNKNOWN_PLATE,
            Direction.IN,
            T0,
            vehicle=True,
            plate="川A55555",
            charge_on_exit=True,
        )
    )
    log.record(
        decision(
            Decision.OPEN,
            Reason.RESIDENT_FACE,
            Direction.IN,
            T0,
            resident_id="r-li",
            score=0.93,
        )
    )
    saved = json.loads(json.dumps(log.as_dict()))
    restored = AccessLog.from_dict(saved)
    assert restored.as_dict() == log.as_dict()
    assert restored.records == log.records
    assert restored.counters(T0) == log.counters(T0)
    out = restored.record(
        decision(
            Decision.VISITOR,
            Reason.VISITOR_EXIT,
            Direction.OUT,
            T0,
            vehicle=True,
            plate="川A55555",
        )
    )
    assert out is not None
    assert out.entered_at == T0


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("entries"),
        lambda d: d.update(day="yesterday"),
        lambda d: d.update(last_seen=[1]),
        lambda d: d.update(records=[{"at": "x"}]),
        lambda d: d.update(records=5),
        lambda d: d["records"][0].update(decision="maybe"),
    ],
)
def test_access_log_rejects_bad_data(mutate: object) -> None:
    log = AccessLog()
    log.record(
        decision(
            Decision.OPEN, Reason.RESIDENT_FACE, Direction.IN, T0, resident_id="r-li"
        )
    )
    data = log.as_dict()
    mutate(data)  # type: ignore[operator]
    with pytest.raises(FrigatePayloadError):
        AccessLog.from_dict(data)


def test_access_record_from_dict() -> None:
    record = AccessRecord(
        T0,
        "north",
        "nvr1",
        "cam",
        "e",
        Decision.OPEN,
        Reason.RESIDENT_FACE,
        Direction.IN,
        False,
    )
    assert AccessRecord.from_dict(record.as_dict()) == record
    with pytest.raises(FrigatePayloadError):
        AccessRecord.from_dict({})


LANE = FireLane("b3", "nvr1", "block3_fire_lane", "fire_lane_b3", timedelta(minutes=5))


def lane_event(kind: EventType = EventType.UPDATE, **changes: object) -> EventMessage:
    message = parse_event_message(fixture_bytes("event_0_17_fire_lane_end.json"))
    assert message.before is not None
    after = replace(message.before, **changes)  # type: ignore[arg-type]
    return EventMessage(kind, after)


def test_fire_lane_raises_and_clears() -> None:
    monitor = FireLaneMonitor((LANE,))
    assert monitor.on_event("nvr1", lane_event(stationary=False), T0) == []
    assert monitor.on_event("nvr1", lane_event(), T0 + timedelta(minutes=1)) == []
    assert monitor.tick(T0 + timedelta(minutes=5)) == []
    (raised,) = monitor.tick(T0 + timedelta(minutes=6))
    assert (raised.state, raised.since, raised.event_id) == (
        FireLaneState.RAISED,
        T0 + timedelta(minutes=1),
        "1760002000.100000-fl01ab",
    )
    assert monitor.blocked("b3")
    assert monitor.tick(T0 + timedelta(minutes=7)) == []
    # It moves inside the lane: still blocked, no new alert.
    assert (
        monitor.on_event(
            "nvr1",
            lane_event(stationary=False, recognized_license_plate="京A12345"),
            T0 + timedelta(minutes=8),
        )
        == []
    )
    ended = parse_event_message(fixture_bytes("event_0_17_fire_lane_end.json"))
    (cleared,) = monitor.on_event("nvr1", ended, T0 + timedelta(minutes=9))
    assert (cleared.state, cleared.plate) == (FireLaneState.CLEARED, "京A12345")
    assert not monitor.blocked("b3")


def test_fire_lane_raises_on_update_and_ignores_others() -> None:
    monitor = FireLaneMonitor((LANE, replace(LANE, lane_id="other", server="nvr2")))
    monitor.on_event("nvr2", lane_event(stationary=False), T0)
    monitor.on_event("nvr1", lane_event(), T0)
    (raised,) = monitor.on_event("nvr1", lane_event(), T0 + timedelta(minutes=5))
    assert raised.state is FireLaneState.RAISED
    assert (
        monitor.on_event(
            "nvr1", lane_event(label="person", id="p"), T0 + timedelta(minutes=20)
        )
        == []
    )
    assert monitor.on_event("nvr3", lane_event(id="x"), T0) == []
    assert monitor.on_event("nvr1", lane_event(camera="other", id="y"), T0) == []
    assert monitor.on_event("nvr1", lane_event(false_positive=True, id="z"), T0) == []
    # A car that stops and drives off before the limit never raises.
    monitor.on_event("nvr1", lane_event(id="q"), T0)
    monitor.on_event(
        "nvr1", lane_event(id="q", stationary=False), T0 + timedelta(minutes=4)
    )
    assert monitor.tick(T0 + timedelta(minutes=10)) == []
    (cleared,) = monitor.clear_server("nvr1", T0 + timedelta(minutes=30))
    assert (cleared.state, cleared.event_id) == (
        FireLaneState.CLEARED,
        "1760002000.100000-fl01ab",
    )
    assert monitor.clear_server("nvr1", T0) == []
    assert monitor.clear_server("nvr2", T0) == []


CAMERAS = (
    AudioCamera("nvr1", "block3_lobby", "Block 3 lobby"),
    AudioCamera("nvr1", "garage", "Garage B1", frozenset({"gunshot"})),
)


def test_audio_alarms() -> None:
    mapper = AudioAlarmMapper(CAMERAS, cooldown=timedelta(minutes=1))
    alarm = mapper.on_audio("nvr1", AudioMessage("block3_lobby", "glass", True), T0)
    assert alarm is not None
    assert (alarm.alarm, alarm.place, alarm.active) == (
        AudioAlarmType.BREAKING_GLASS,
        "Block 3 lobby",
        True,
    )
    assert (
        mapper.on_audio("nvr1", AudioMessage("block3_lobby", "glass", True), T0) is None
    )
    ended = mapper.on_audio(
        "nvr1", AudioMessage("block3_lobby", "glass", False), T0 + timedelta(seconds=5)
    )
    assert ended is not None
    assert ended.active is False
    assert (
        mapper.on_audio("nvr1", AudioMessage("block3_lobby", "glass", False), T0)
        is None
    )
    # Within the cooldown a new episode neither raises nor ends.
    assert (
        mapper.on_audio(
            "nvr1",
            AudioMessage("block3_lobby", "glass", True),
            T0 + timedelta(seconds=30),
        )
        is None
    )
    assert (
        mapper.on_audio(
            "nvr1",
            AudioMessage("block3_lobby", "glass", False),
            T0 + timedelta(seconds=40),
        )
        is None
    )
    again = mapper.on_audio(
        "nvr1", AudioMessage("block3_lobby", "glass", True), T0 + timedelta(minutes=2)
    )
    assert again is not None
    assert again.active


@pytest.mark.parametrize(
    ("server", "camera", "label"),
    [
        ("nvr1", "block3_lobby", "scream"),
        ("nvr1", "block3_lobby", "speech"),
        ("nvr1", "garage", "glass"),
        ("nvr2", "block3_lobby", "glass"),
        ("nvr1", "nowhere", "glass"),
    ],
)
def test_audio_ignored(server: str, camera: str, label: str) -> None:
    assert (
        AudioAlarmMapper(CAMERAS).on_audio(
            server, AudioMessage(camera, label, True), T0
        )
        is None
    )


def test_unsupported_labels() -> None:
    assert unsupported_labels(["yell", "scream", "fire_alarm", "speech"]) == {
        "scream",
        "speech",
    }
