"""Parsers of Frigate MQTT payloads and API bodies (Frigate 0.14 to 0.17 shapes)."""

import re

from ._fields import (
    JsonObject,
    as_object,
    load_json,
    number,
    opt_bool,
    opt_float,
    opt_int,
    opt_str,
    req_str,
    str_tuple,
)
from .errors import FrigatePayloadError
from .models import (
    AudioMessage,
    Availability,
    AvailabilityMessage,
    Event,
    EventMessage,
    EventType,
    FaceResult,
    FrigateMessage,
    FrigateVersion,
    ObjectUpdate,
    PathPoint,
    PlateResult,
    ReviewItem,
    ReviewMessage,
    Severity,
    TrackedObject,
    TrackedObjectUpdate,
)

DEFAULT_PREFIX = "frigate"
# Sub-topics of `<prefix>/<camera>/audio/` that are not detected labels.
AUDIO_NON_LABELS = frozenset({"dBFS", "rms", "set", "state", "transcription"})
_VERSION = re.compile(r"\s*\"?v?(\d+)\.(\d+)(?:\.(\d+))?")
_UNKNOWN_FACE = "unknown"


def _event_type(value: object, allowed: frozenset[EventType]) -> EventType:
    """Return a lifecycle type that belongs to `allowed`."""
    for member in allowed:
        if value == member.value:
            return member
    raise FrigatePayloadError(f"unexpected type {value!r}")


def _sub_label(value: object) -> tuple[str | None, float | None]:
    """Read `sub_label`: `[name, score]` (0.14+), a bare string, or null."""
    if value is None or value == "":
        return None, None
    if isinstance(value, str):
        return value, None
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
        score = None if value[1] is None else number(value[1], "sub_label score")
        return value[0] or None, score
    raise FrigatePayloadError("sub_label has an unknown shape")


def _path(value: object) -> tuple[PathPoint, ...]:
    """Read `path_data`: a list of `[[x, y], timestamp]`."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise FrigatePayloadError("path_data is not a list")
    points: list[PathPoint] = []
    for item in value:
        if not (isinstance(item, list) and len(item) == 2):
            raise FrigatePayloadError("path_data point has an unknown shape")
        position, timestamp = item
        if not (isinstance(position, list) and len(position) == 2):
            raise FrigatePayloadError("path_data position has an unknown shape")
        points.append(
            PathPoint(
                number(position[0], "path x"),
                number(position[1], "path y"),
                number(timestamp, "path timestamp"),
            )
        )
    return tuple(points)


def _snapshot_time(data: JsonObject) -> float | None:
    """Read the snapshot time from `snapshot{}` (0.15+) or `snapshot_time` (0.14)."""
    snapshot = data.get("snapshot")
    if snapshot is not None:
        return opt_float(as_object(snapshot, "snapshot"), "frame_time")
    return opt_float(data, "snapshot_time")


def parse_tracked_object(value: object) -> TrackedObject:
    """Parse one tracked object of a `frigate/events` message."""
    data = as_object(value, "tracked object")
    sub_label, sub_label_score = _sub_label(data.get("sub_label"))
    return TrackedObject(
        id=req_str(data, "id"),
        camera=req_str(data, "camera"),
        label=req_str(data, "label"),
        frame_time=opt_float(data, "frame_time"),
        start_time=opt_float(data, "start_time"),
        end_time=opt_float(data, "end_time"),
        sub_label=sub_label,
        sub_label_score=sub_label_score,
        score=opt_float(data, "score"),
        top_score=opt_float(data, "top_score"),
        false_positive=opt_bool(data, "false_positive"),
        active=opt_bool(data, "active", default=True),
        stationary=opt_bool(data, "stationary"),
        motionless_count=opt_int(data, "motionless_count"),
        current_zones=str_tuple(data, "current_zones"),
        entered_zones=str_tuple(data, "entered_zones"),
        pending_loitering=opt_bool(data, "pending_loitering"),
        has_snapshot=opt_bool(data, "has_snapshot"),
        has_clip=opt_bool(data, "has_clip"),
        snapshot_time=_snapshot_time(data),
        path=_path(data.get("path_data")),
        recognized_license_plate=opt_str(data, "recognized_license_plate"),
        recognized_license_plate_score=opt_float(
            data, "recognized_license_plate_score"
        ),
    )


_EVENT_TYPES = frozenset({EventType.NEW, EventType.UPDATE, EventType.END})


def parse_event_message(payload: bytes | str) -> EventMessage:
    """Parse a `frigate/events` payload."""
    data = as_object(load_json(payload), "payload")
    before = data.get("before")
    return EventMessage(
        type=_event_type(data.get("type"), _EVENT_TYPES),
        after=parse_tracked_object(data.get("after")),
        before=None if before is None else parse_tracked_object(before),
    )


def parse_tracked_object_update(payload: bytes | str) -> TrackedObjectUpdate:
    """Parse a `frigate/tracked_object_update` payload (0.16+)."""
    data = as_object(load_json(payload), "payload")
    kind = req_str(data, "type")
    event_id = req_str(data, "id")
    if kind == "face":
        name = opt_str(data, "name")
        return FaceResult(
            event_id=event_id,
            camera=req_str(data, "camera"),
            name=None if name == _UNKNOWN_FACE else name,
            score=number(data.get("score"), "score"),
            timestamp=opt_float(data, "timestamp"),
        )
    if kind == "lpr":
        return PlateResult(
            event_id=event_id,
            camera=req_str(data, "camera"),
            plate=req_str(data, "plate"),
            name=opt_str(data, "name"),
            score=number(data.get("score"), "score"),
            timestamp=opt_float(data, "timestamp"),
        )
    return ObjectUpdate(type=kind, event_id=event_id, camera=opt_str(data, "camera"))


def _review_item(value: object) -> ReviewItem:
    """Parse one review item."""
    data = as_object(value, "review item")
    severity = data.get("severity")
    if severity not in (Severity.ALERT.value, Severity.DETECTION.value):
        raise FrigatePayloadError(f"unexpected severity {severity!r}")
    details = as_object(data.get("data", {}), "data")
    return ReviewItem(
        id=req_str(data, "id"),
        camera=req_str(data, "camera"),
        severity=Severity(severity),
        start_time=opt_float(data, "start_time"),
        end_time=opt_float(data, "end_time"),
        detections=str_tuple(details, "detections"),
        objects=str_tuple(details, "objects"),
        sub_labels=_sub_labels(details.get("sub_labels")),
        zones=str_tuple(details, "zones"),
        audio=str_tuple(details, "audio"),
    )


def _sub_labels(value: object) -> tuple[str, ...]:
    """Read review `sub_labels`: strings, or `[name, score]` pairs in some releases."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise FrigatePayloadError("sub_labels is not a list")
    names = (_sub_label(item)[0] for item in value)
    return tuple(name for name in names if name is not None)


_REVIEW_TYPES = frozenset(EventType)


def parse_review_message(payload: bytes | str) -> ReviewMessage:
    """Parse a `frigate/reviews` payload."""
    data = as_object(load_json(payload), "payload")
    before = data.get("before")
    return ReviewMessage(
        type=_event_type(data.get("type"), _REVIEW_TYPES),
        after=_review_item(data.get("after")),
        before=None if before is None else _review_item(before),
    )


def _text(payload: bytes | str) -> str:
    """Decode a plain-text payload."""
    if isinstance(payload, bytes):
        try:
            payload = payload.decode()
        except UnicodeDecodeError as err:
            raise FrigatePayloadError("payload is not UTF-8") from err
    return payload.strip()


def parse_audio_message(
    topic: str, payload: bytes | str, prefix: str = DEFAULT_PREFIX
) -> AudioMessage:
    """Parse `<prefix>/<camera>/audio/<label>` with an `ON`/`OFF` payload."""
    parts = topic.split("/")
    if (
        len(parts) != 4
        or parts[0] != prefix
        or parts[2] != "audio"
        or not parts[1]
        or not parts[3]
    ):
        raise FrigatePayloadError(f"not an audio topic: {topic!r}")
    if parts[3] in AUDIO_NON_LABELS:
        raise FrigatePayloadError(f"not an audio label topic: {topic!r}")
    state = _text(payload).upper()
    if state not in {"ON", "OFF"}:
        raise FrigatePayloadError(f"unexpected audio state {state!r}")
    return AudioMessage(camera=parts[1], label=parts[3], active=state == "ON")


def parse_availability(payload: bytes | str) -> AvailabilityMessage:
    """Parse a `frigate/available` payload."""
    state = _text(payload).lower()
    for member in Availability:
        if state == member.value:
            return AvailabilityMessage(member)
    raise FrigatePayloadError(f"unexpected availability {state!r}")


def parse_message(
    topic: str, payload: bytes | str, prefix: str = DEFAULT_PREFIX
) -> FrigateMessage | None:
    """Parse any subscribed Frigate topic; None for topics this core does not use."""
    if topic == f"{prefix}/events":
        return parse_event_message(payload)
    if topic == f"{prefix}/tracked_object_update":
        return parse_tracked_object_update(payload)
    if topic == f"{prefix}/reviews":
        return parse_review_message(payload)
    if topic == f"{prefix}/available":
        return parse_availability(payload)
    parts = topic.split("/")
    if (
        len(parts) == 4
        and parts[0] == prefix
        and parts[2] == "audio"
        and parts[3] not in AUDIO_NON_LABELS
    ):
        return parse_audio_message(topic, payload, prefix)
    return None


def parse_version(text: str) -> FrigateVersion:
    """Parse the body of `GET /api/version`, e.g. `0.16.2-4d58206`."""
    match = _VERSION.match(text)
    if match is None:
        raise FrigatePayloadError(f"unreadable version {text[:40]!r}")
    major, minor, patch = match.groups()
    return FrigateVersion(
        int(major), int(minor), int(patch or 0), text.strip().strip('"')
    )


def parse_event(value: object) -> Event:
    """Parse one event of `GET /api/events` or `GET /api/events/{id}`."""
    data = as_object(value, "event")
    details = as_object(data.get("data") or {}, "data")
    sub_label, _ = _sub_label(data.get("sub_label"))
    start_time = data.get("start_time")
    top_score = opt_float(details, "top_score")
    return Event(
        id=req_str(data, "id"),
        camera=req_str(data, "camera"),
        label=req_str(data, "label"),
        start_time=number(start_time, "start_time"),
        end_time=opt_float(data, "end_time"),
        sub_label=sub_label,
        zones=str_tuple(data, "zones"),
        has_clip=opt_bool(data, "has_clip"),
        has_snapshot=opt_bool(data, "has_snapshot"),
        false_positive=opt_bool(data, "false_positive"),
        score=opt_float(details, "score"),
        top_score=opt_float(data, "top_score") if top_score is None else top_score,
        type=opt_str(details, "type") or "object",
        recognized_license_plate=opt_str(details, "recognized_license_plate"),
        recognized_license_plate_score=opt_float(
            details, "recognized_license_plate_score"
        ),
    )


def parse_events(value: object) -> tuple[Event, ...]:
    """Parse the list answered by `GET /api/events`."""
    if not isinstance(value, list):
        raise FrigatePayloadError("events is not a list")
    return tuple(parse_event(item) for item in value)


def parse_faces(value: object) -> dict[str, tuple[str, ...]]:
    """Parse `GET /api/faces`: name -> image files (the `train` folder is skipped)."""
    data = as_object(value, "faces")
    faces: dict[str, tuple[str, ...]] = {}
    for name in data:
        if name != "train":
            faces[name] = str_tuple(data, name)
    return faces
