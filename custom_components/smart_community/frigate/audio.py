"""Map Frigate audio detections on chosen cameras to community alarms."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from .models import AudioMessage


class AudioAlarmType(StrEnum):
    """Kind of community alarm an audio label raises."""

    DISTRESS = "distress"
    BREAKING_GLASS = "breaking_glass"
    FIRE = "fire"
    EXPLOSION = "explosion"
    GUNSHOT = "gunshot"


ALARM_LABELS: Mapping[str, AudioAlarmType] = MappingProxyType(
    {
        "yell": AudioAlarmType.DISTRESS,
        "glass": AudioAlarmType.BREAKING_GLASS,
        "shatter": AudioAlarmType.BREAKING_GLASS,
        "smoke_detector": AudioAlarmType.FIRE,
        "fire_alarm": AudioAlarmType.FIRE,
        "explosion": AudioAlarmType.EXPLOSION,
        "gunshot": AudioAlarmType.GUNSHOT,
    }
)
# Labels that Frigate lists but never emits, and what to listen for instead.
LABEL_REPLACEMENTS: Mapping[str, str] = MappingProxyType({"scream": "yell"})
DEFAULT_COOLDOWN = timedelta(seconds=60)


def unsupported_labels(labels: Iterable[str]) -> frozenset[str]:
    """Return the labels that can never raise an alarm (e.g. `scream`; use `yell`)."""
    return frozenset(label for label in labels if label not in ALARM_LABELS)


@dataclass(frozen=True, slots=True)
class AudioCamera:
    """A camera whose audio raises alarms, the place it covers and the labels used."""

    server: str
    camera: str
    place: str
    labels: frozenset[str] = frozenset(ALARM_LABELS)


@dataclass(frozen=True, slots=True)
class AudioAlarm:
    """An alarm raised (`active`) or ended at a place."""

    server: str
    camera: str
    place: str
    label: str
    alarm: AudioAlarmType
    active: bool
    at: datetime


class AudioAlarmMapper:
    """Turns `ON`/`OFF` audio messages into alarms, one per camera and label per cooldown."""

    def __init__(
        self, cameras: Iterable[AudioCamera], cooldown: timedelta = DEFAULT_COOLDOWN
    ) -> None:
        self.cooldown = cooldown
        self._cameras = {(c.server, c.camera): c for c in cameras}
        self._active: dict[tuple[str, str, str], bool] = {}
        self._last_raised: dict[tuple[str, str, str], datetime] = {}

    def on_audio(
        self, server: str, message: AudioMessage, now: datetime
    ) -> AudioAlarm | None:
        """Return the alarm to raise or end, or None when the message changes nothing."""
        camera = self._cameras.get((server, message.camera))
        alarm = ALARM_LABELS.get(message.label)
        if camera is None or alarm is None or message.label not in camera.labels:
            return None
        key = (server, message.camera, message.label)
        if not message.active:
            if not self._active.pop(key, False):
                return None
            return AudioAlarm(
                server, message.camera, camera.place, message.label, alarm, False, now
            )
        if key in self._active:
            return None
        last = self._last_raised.get(key)
        raised = last is None or now - last >= self.cooldown
        self._active[key] = raised
        if not raised:
            return None
        self._last_raised[key] = now
        return AudioAlarm(
            server, message.camera, camera.place, message.label, alarm, True, now
        )
