"""Parsers against real Frigate payload shapes, and fuzzed."""

import contextlib
import json
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.smart_community.frigate.errors import FrigatePayloadError
from custom_components.smart_community.frigate.models import (
    AudioMessage,
    Availability,
    AvailabilityMessage,
    EventMessage,
    EventType,
    FaceResult,
    ObjectUpdate,
    PathPoint,
    PlateResult,
    ReviewMessage,
    Severity,
)
from custom_components.smart_community.frigate.parsers import (
    parse_audio_message,
    parse_availability,
    parse_event,
    parse_event_message,
    parse_events,
    parse_faces,
    parse_message,
    parse_review_message,
    parse_tracked_object_update,
    parse_version,
)

from .conftest import fixture_bytes


def test_event_0_14_shape() -> None:
    message = parse_event_message(fixture_bytes("event_0_14_person.json"))
    assert message.type is EventType.UPDATE
    assert message.before is not None
    assert message.before.sub_label is None
    after = message.after
    assert (after.sub_label, after.sub_label_score) == ("Li Wei", 0.93)
    assert after.snapshot_time == 1718093827.212019
    assert after.entered_zones == ("street", "gate_lane", "compound")
    assert after.recognized_license_plate is None
    assert after.active is True


def test_event_0_16_shape() -> None:
    message = parse_event_message(fixture_bytes("event_0_16_car.json").decode())
    assert message.before is None
    after = message.after
    assert after.snapshot_time == 1751871615.480132
    assert after.recognized_license_plate == "京A·D1234O"
    assert after.recognized_license_plate_score == 0.933451
    assert after.path[0] == PathPoint(0.5313, 0.9814, 1751871612.204812)
    assert len(after.path) == 3


def test_event_0_17_end() -> None:
    message = parse_event_message(fixture_bytes("event_0_17_fire_lane_end.json"))
    assert message.type is EventType.END
    assert message.before is not None
    assert message.before.stationary is True
    assert message.before.motionless_count == 4200
    assert message.after.end_time == 1760002960.0


def test_sub_label_as_plain_string() -> None:
    data = json.loads(fixture_bytes("event_0_14_person.json"))
    data["after"]["sub_label"] = "Li Wei"
    assert parse_event_message(json.dumps(data)).after.sub_label == "Li Wei"
    data["after"]["sub_label"] = ["Li Wei", None]
    assert parse_event_message(json.dumps(data)).after.sub_label_score is None


def test_tracked_object_updates() -> None:
    face = parse_tracked_object_update(fixture_bytes("tracked_object_update_face.json"))
    assert face == FaceResult(
        "1718093823.391621-3ff2vq", "east_gate", "Li Wei", 0.9412, 1718093828.748393
    )
    unknown = parse_tracked_object_update(
        fixture_bytes("tracked_object_update_face_unknown.json")
    )
    assert isinstance(unknown, FaceResult)
    assert unknown.name is None
    plate = parse_tracked_object_update(fixture_bytes("tracked_object_update_lpr.json"))
    assert isinstance(plate, PlateResult)
    assert (plate.plate, plate.name, plate.camera) == (
        "京AD1234O",
        None,
        "north_gate_lpr",
    )
    description = parse_tracked_object_update(
        fixture_bytes("tracked_object_update_description.json")
    )
    assert description == ObjectUpdate(
        "description", "1751871612.204812-k2xw9d", "north_gate_lpr"
    )
    classification = parse_tracked_object_update(
        fixture_bytes("tracked_object_update_classification.json")
    )
    assert isinstance(classification, ObjectUpdate)
    assert classification.type == "classification"


def test_review() -> None:
    message = parse_review_message(fixture_bytes("review_audio.json"))
    assert message.type is EventType.NEW
    assert message.after.severity is Severity.ALERT
    assert message.after.audio == ("glass", "yell")
    assert message.after.sub_labels == ("Li Wei",)
    assert message.before is not None
    assert message.before.detections == ("1760100000.0-a1b2c3",)


def test_review_sub_label_pairs_and_genai() -> None:
    data = json.loads(fixture_bytes("review_audio.json"))
    data["type"] = "genai"
    data["before"] = None
    data["after"]["data"]["sub_labels"] = [["Li Wei", 0.91]]
    message = parse_review_message(json.dumps(data))
    assert message.type is EventType.GENAI
    assert message.after.sub_labels == ("Li Wei",)
    data["after"]["data"] = {}
    assert parse_review_message(json.dumps(data)).after.sub_labels == ()


def test_audio_and_availability() -> None:
    assert parse_audio_message("frigate/lobby/audio/glass", b"ON") == AudioMessage(
        "lobby", "glass", True
    )
    assert (
        parse_audio_message("nvr/lobby/audio/yell", "off\n", prefix="nvr").active
        is False
    )
    assert parse_availability(b"online") == AvailabilityMessage(Availability.ONLINE)
    assert parse_availability("stopped").state is Availability.STOPPED


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("frigate/lobby/audio/glass", b"MAYBE"),
        ("frigate/lobby/audio/dBFS", b"ON"),
        ("frigate/lobby/audio", b"ON"),
        ("other/lobby/audio/glass", b"ON"),
        ("frigate//audio/glass", b"ON"),
        ("frigate/lobby/audio/glass", b"\xff\xfe"),
    ],
)
def test_bad_audio(topic: str, payload: bytes) -> None:
    with pytest.raises(FrigatePayloadError):
        parse_audio_message(topic, payload)


def test_parse_message_dispatch() -> None:
    assert isinstance(
        parse_message("frigate/events", fixture_bytes("event_0_14_person.json")),
        EventMessage,
    )
    assert isinstance(
        parse_message(
            "frigate/tracked_object_update",
            fixture_bytes("tracked_object_update_lpr.json"),
        ),
        PlateResult,
    )
    assert isinstance(
        parse_message("frigate/reviews", fixture_bytes("review_audio.json")),
        ReviewMessage,
    )
    assert isinstance(
        parse_message("frigate/available", b"offline"), AvailabilityMessage
    )
    assert isinstance(parse_message("frigate/lobby/audio/yell", b"ON"), AudioMessage)
    assert parse_message("frigate/lobby/audio/rms", b"12.5") is None
    assert parse_message("frigate/stats", b"{}") is None
    assert parse_message("frigate/lobby/person", b"1") is None


def test_versions() -> None:
    assert parse_version("0.16.2-4d58206").supports_recognition
    version = parse_version('"0.17.0-beta2"\n')
    assert (version.major, version.minor, version.patch, version.raw) == (
        0,
        17,
        0,
        "0.17.0-beta2",
    )
    old = parse_version("0.14")
    assert (old.patch, old.supports_recognition) == (0, False)
    with pytest.raises(FrigatePayloadError):
        parse_version("nginx")


def test_api_events_and_faces() -> None:
    events = parse_events(json.loads(fixture_bytes("api_events.json")))
    car, audio, person = events
    assert car.sub_label == "Wang family car"
    assert car.recognized_license_plate == "京AD12340"
    assert car.top_score == 0.91015625
    assert audio.type == "audio"
    assert audio.has_snapshot is False
    assert person.top_score == 0.84375
    assert person.end_time is None
    faces = parse_faces(json.loads(fixture_bytes("api_faces.json")))
    assert faces == {
        "Li Wei": ("Li Wei-1751871000.123.webp", "Li Wei-1751870000.456.webp"),
        "Zhang Min": ("Zhang Min-1751872000.789.webp",),
    }


@pytest.mark.parametrize(
    ("parser", "payload"),
    [
        (parse_event_message, b"not json"),
        (parse_event_message, b"[]"),
        (parse_event_message, b'{"type": "delete", "after": {}}'),
        (parse_event_message, b'{"type": "new", "after": {"id": "a", "camera": "c"}}'),
        (
            parse_event_message,
            b'{"type": "new", "after": {"id": "a", "camera": "c", "label": "car", "score": true}}',
        ),
        (
            parse_event_message,
            b'{"type": "new", "after": {"id": "a", "camera": "c", "label": "car", "score": NaN}}',
        ),
        (
            parse_event_message,
            b'{"type": "new", "after": {"id": "a", "camera": "c", "label": "car", "sub_label": 3}}',
        ),
        (
            parse_event_message,
            b'{"type": "new", "after": {"id": "a", "camera": "c", "label": "car", "stationary": 1}}',
        ),
        (
            parse_event_message,
            b'{"type": "new", "after": {"id": "a", "camera": "c", "label": "car", "motionless_count": 1.5}}',
        ),
        (
            parse_event_message,
            b'{"type": "new", "after": {"id": "a", "camera": "c", "label": "car", "path_data": 1}}',
        ),
        (
            parse_event_message,
            b'{"type": "new", "after": {"id": "a", "camera": "c", "label": "car", "path_data": [[1, 2]]}}',
        ),
        (
            parse_event_message,
            b'{"type": "new", "after": {"id": "a", "camera": "c", "label": "car", "path_data": [[[1], 2]]}}',
        ),
        (
            parse_event_message,
            b'{"type": "new", "after": {"id": "a", "camera": "c", "label": "car", "current_zones": [1]}}',
        ),
        (
            parse_event_message,
            b'{"type": "new", "after": {"id": "a", "camera": "c", "label": "car", "recognized_license_plate": 5}}',
        ),
        (parse_event_message, b"[" * 100_000),
        (
            parse_event_message,
            b'{"type": "new", "after": {"id": "a", "camera": "c", "label": "car", "path_data": [5]}}',
        ),
        (
            parse_tracked_object_update,
            b'{"type": "face", "id": "a", "camera": "c", "name": "x"}',
        ),
        (
            parse_review_message,
            b'{"type": "new", "after": {"id": "a", "camera": "c", "severity": "info"}}',
        ),
        (
            parse_review_message,
            b'{"type": "new", "after": {"id": "a", "camera": "c", "severity": "alert", "data": {"sub_labels": 1}}}',
        ),
        (parse_availability, b"maybe"),
    ],
)
def test_malformed_payloads(parser: Any, payload: bytes) -> None:
    with pytest.raises(FrigatePayloadError):
        parser(payload)


@pytest.mark.parametrize(
    ("parser", "value"),
    [
        (parse_events, {}),
        (parse_events, [1]),
        (parse_event, {"id": "a"}),
        (parse_event, []),
        (parse_faces, {"Li": "x"}),
        (parse_faces, []),
    ],
)
def test_malformed_api_bodies(parser: Any, value: object) -> None:
    with pytest.raises(FrigatePayloadError):
        parser(value)


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False)
    | st.integers()
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
FIXTURE_NAMES = [
    "event_0_14_person.json",
    "event_0_16_car.json",
    "event_0_17_fire_lane_end.json",
    "tracked_object_update_face.json",
    "tracked_object_update_lpr.json",
    "review_audio.json",
]
TOPICS = st.sampled_from(
    [
        "frigate/events",
        "frigate/tracked_object_update",
        "frigate/reviews",
        "frigate/available",
        "frigate/lobby/audio/glass",
        "frigate/lobby/audio/dBFS",
    ]
)


def _parse_or_payload_error(topic: str, payload: bytes | str) -> None:
    with contextlib.suppress(FrigatePayloadError):
        parse_message(topic, payload)


@settings(max_examples=300, deadline=None)
@given(topic=TOPICS, payload=st.binary(max_size=64) | st.text(max_size=64))
def test_fuzz_raw_payloads(topic: str, payload: bytes | str) -> None:
    _parse_or_payload_error(topic, payload)


@settings(max_examples=300, deadline=None)
@given(topic=TOPICS, value=JSON)
def test_fuzz_json_values(topic: str, value: object) -> None:
    _parse_or_payload_error(topic, json.dumps(value))


def _paths(
    value: object, prefix: tuple[str | int, ...] = ()
) -> list[tuple[str | int, ...]]:
    if isinstance(value, dict):
        return [prefix] + [
            p for key, item in value.items() for p in _paths(item, (*prefix, key))
        ]
    if isinstance(value, list):
        return [prefix] + [
            p
            for index, item in enumerate(value)
            for p in _paths(item, (*prefix, index))
        ]
    return [prefix]


@settings(max_examples=400, deadline=None)
@given(name=st.sampled_from(FIXTURE_NAMES), data=st.data(), replacement=JSON)
def test_fuzz_mutated_fixtures(
    name: str, data: st.DataObject, replacement: object
) -> None:
    document = json.loads(fixture_bytes(name))
    path = data.draw(st.sampled_from(_paths(document)[1:]))
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = replacement
    topic = (
        "frigate/tracked_object_update"
        if name.startswith("tracked")
        else "frigate/events"
    )
    if name.startswith("review"):
        topic = "frigate/reviews"
    _parse_or_payload_error(topic, json.dumps(document))
    for parser in (parse_events, parse_faces):
        with contextlib.suppress(FrigatePayloadError):
            parser(replacement)
