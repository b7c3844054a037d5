"""Fire lanes: a vehicle stationary in a no-parking zone too long raises an alert until it leaves."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .models import EventMessage, EventType

FIRE_LANE_LABELS = frozenset({"car", "motorcycle", "truck", "bus"})


@dataclass(frozen=True, slots=True)
class FireLane:
    """A Frigate zone where vehicles may not stay longer than `max_stationary`."""

    lane_id: str
    server: str
    camera: str
    zone: str
    max_stationary: timedelta
    labels: frozenset[str] = FIRE_LANE_LABELS


class FireLaneState(StrEnum):
    """Alert transitions."""

    RAISED = "raised"
    CLEARED = "cleared"


@dataclass(frozen=True, slots=True)
class FireLaneAlert:
    """A fire lane became blocked (RAISED) or free again (CLEARED) by one object."""

    lane_id: str
    server: str
    camera: str
    event_id: str
    state: FireLaneState
    since: datetime
    at: datetime
    label: str
    plate: str | None


@dataclass(slots=True)
class _Track:
    """One object in one lane."""

    camera: str
    label: str
    plate: str | None
    stationary_since: datetime | None = None
    raised: bool = False


class FireLaneMonitor:
    """State machine fed by `frigate/events`; call `tick` periodically to raise in time."""

    def __init__(self, lanes: Iterable[FireLane]) -> None:
        self.lanes = tuple(lanes)
        self._tracks: dict[tuple[str, str], _Track] = {}
        self._lanes = {lane.lane_id: lane for lane in self.lanes}

    def blocked(self, lane_id: str) -> bool:
        """Return True while an alert is raised in the lane."""
        return any(t.raised for (lid, _), t in self._tracks.items() if lid == lane_id)

    def _alert(
        self, key: tuple[str, str], track: _Track, state: FireLaneState, now: datetime
    ) -> FireLaneAlert:
        """Build an alert for a track."""
        lane = self._lanes[key[0]]
        return FireLaneAlert(
            lane.lane_id,
            lane.server,
            track.camera,
            key[1],
            state,
            track.stationary_since or now,
            now,
            track.label,
            track.plate,
        )

    def on_event(
        self, server: str, message: EventMessage, now: datetime
    ) -> list[FireLaneAlert]:
        """Update the lanes on this object's camera; return raised and cleared alerts."""
        obj = message.after
        alerts: list[FireLaneAlert] = []
        for lane in self.lanes:
            if lane.server != server or lane.camera != obj.camera:
                continue
            key = (lane.lane_id, obj.id)
            inside = (
                message.type is not EventType.END
                and lane.zone in obj.current_zones
                and obj.label in lane.labels
                and not obj.false_positive
            )
            track = self._tracks.get(key)
            if not inside:
                if track is not None and track.raised:
                    alerts.append(self._alert(key, track, FireLaneState.CLEARED, now))
                self._tracks.pop(key, None)
                continue
            if track is None:
                track = self._tracks[key] = _Track(obj.camera, obj.label, None)
            track.plate = obj.recognized_license_plate or track.plate
            if obj.stationary:
                track.stationary_since = track.stationary_since or now
            elif not track.raised:
                track.stationary_since = None
            alerts.extend(self._check(key, track, now))
        return alerts

    def _check(
        self, key: tuple[str, str], track: _Track, now: datetime
    ) -> list[FireLaneAlert]:
        """Raise when the object has been stationary long enough."""
        lane = self._lanes[key[0]]
        if (
            track.raised
            or track.stationary_since is None
            or now - track.stationary_since < lane.max_stationary
        ):
            return []
        track.raised = True
        return [self._alert(key, track, FireLaneState.RAISED, now)]

    def tick(self, now: datetime) -> list[FireLaneAlert]:
        """Raise alerts whose time has come without a new message."""
        return [
            alert
            for key, track in list(self._tracks.items())
            for alert in self._check(key, track, now)
        ]

    def clear_server(self, server: str, now: datetime) -> list[FireLaneAlert]:
        """Forget a server's objects (it went offline); raised alerts are cleared."""
        alerts: list[FireLaneAlert] = []
        for key, track in list(self._tracks.items()):
            if self._lanes[key[0]].server == server:
                if track.raised:
                    alerts.append(self._alert(key, track, FireLaneState.CLEARED, now))
                del self._tracks[key]
        return alerts
