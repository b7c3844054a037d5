"""Frozen data models of Frigate messages and API objects."""

from dataclasses import dataclass
from enum import StrEnum


class EventType(StrEnum):
    """Lifecycle step of a tracked object or review item."""

    NEW = "new"
    UPDATE = "update"
    END = "end"
    GENAI = "genai"


class Severity(StrEnum):
    """Severity of a review item."""

    ALERT = "alert"
    DETECTION = "detection"


class Availability(StrEnum):
    """State published on `frigate/available`."""

    ONLINE = "online"
    OFFLINE = "offline"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class PathPoint:
    """One point of an object's path: normalised position and timestamp."""

    x: float
    y: float
    timestamp: float


@dataclass(frozen=True, slots=True)
class FrigateVersion:
    """A parsed Frigate version string such as `0.16.1-b3c8e44`."""

    major: int
    minor: int
    patch: int
    raw: str

    @property
    def supports_recognition(self) -> bool:
        """Return True when face and plate recognition exist (0.16 and later)."""
        return (self.major, self.minor) >= (0, 16)


@dataclass(frozen=True, slots=True)
class TrackedObject:
    """A tracked object as published in `before`/`after` on `frigate/events`."""

    id: str
    camera: str
    label: str
    frame_time: float | None = None
    start_time: float | None = None
    end_time: float | None = None
    sub_label: str | None = None
    sub_label_score: float | None = None
    score: float | None = None
    top_score: float | None = None
    false_positive: bool = False
    active: bool = True
    stationary: bool = False
    motionless_count: int = 0
    current_zones: tuple[str, ...] = ()
    entered_zones: tuple[str, ...] = ()
    pending_loitering: bool = False
    has_snapshot: bool = False
    has_clip: bool = False
    snapshot_time: float | None = None
    path: tuple[PathPoint, ...] = ()
    recognized_license_plate: str | None = None
    recognized_license_plate_score: float | None = None


@dataclass(frozen=True, slots=True)
class EventMessage:
    """A message on `frigate/events`."""

    type: EventType
    after: TrackedObject
    before: TrackedObject | None = None


@dataclass(frozen=True, slots=True)
class FaceResult:
    """A face recognition attempt on `frigate/tracked_object_update`."""

    event_id: str
    camera: str
    name: str | None
    score: float
    timestamp: float | None


@dataclass(frozen=True, slots=True)
class PlateResult:
    """A licence plate reading on `frigate/tracked_object_update`."""

    event_id: str
    camera: str
    plate: str
    name: str | None
    score: float
    timestamp: float | None


@dataclass(frozen=True, slots=True)
class ObjectUpdate:
    """Any other `frigate/tracked_object_update` (description, classification)."""

    type: str
    event_id: str
    camera: str | None


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A review item (`after`/`before` on `frigate/reviews`)."""

    id: str
    camera: str
    severity: Severity
    start_time: float | None
    end_time: float | None
    detections: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    sub_labels: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    audio: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReviewMessage:
    """A message on `frigate/reviews`."""

    type: EventType
    after: ReviewItem
    before: ReviewItem | None = None


@dataclass(frozen=True, slots=True)
class AudioMessage:
    """An audio label turning on or off on `frigate/<camera>/audio/<label>`."""

    camera: str
    label: str
    active: bool


@dataclass(frozen=True, slots=True)
class AvailabilityMessage:
    """A message on `frigate/available`."""

    state: Availability


@dataclass(frozen=True, slots=True)
class Event:
    """An event (tracked object) as returned by `GET /api/events`."""

    id: str
    camera: str
    label: str
    start_time: float
    end_time: float | None
    sub_label: str | None
    zones: tuple[str, ...]
    has_clip: bool
    has_snapshot: bool
    false_positive: bool
    score: float | None
    top_score: float | None
    type: str
    recognized_license_plate: str | None
    recognized_license_plate_score: float | None


@dataclass(frozen=True, slots=True)
class CreatedEvent:
    """The answer of `POST /api/events/{camera}/{label}/create`."""

    event_id: str
    message: str


type TrackedObjectUpdate = FaceResult | PlateResult | ObjectUpdate
type FrigateMessage = (
    EventMessage
    | TrackedObjectUpdate
    | ReviewMessage
    | AudioMessage
    | AvailabilityMessage
)
