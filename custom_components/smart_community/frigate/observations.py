"""Merge `frigate/events` and `frigate/tracked_object_update` into one observation per object."""

from collections import OrderedDict
from dataclasses import replace

from .gates import Observation
from .models import EventMessage, EventType, FaceResult, PlateResult

_DEFAULT_MAX_OBJECTS = 512


class ObservationTracker:
    """Latest observation per (server, event id); bounded, forgotten when the event ends."""

    def __init__(self, max_objects: int = _DEFAULT_MAX_OBJECTS) -> None:
        self.max_objects = max_objects
        self._objects: OrderedDict[tuple[str, str], Observation] = OrderedDict()

    def __len__(self) -> int:
        return len(self._objects)

    def _store(self, key: tuple[str, str], obs: Observation) -> Observation:
        """Remember `obs`, dropping the oldest objects beyond the bound."""
        self._objects[key] = obs
        self._objects.move_to_end(key)
        while len(self._objects) > self.max_objects:
            self._objects.popitem(last=False)
        return obs

    def on_event(self, server: str, message: EventMessage) -> Observation:
        """Merge a `frigate/events` message; recognition results seen earlier are kept."""
        key = (server, message.after.id)
        obs = Observation.from_tracked_object(server, message.after)
        known = self._objects.get(key)
        if known is not None:
            obs = replace(
                obs,
                face=obs.face or known.face,
                face_score=obs.face_score if obs.face else known.face_score,
                plate=obs.plate or known.plate,
                plate_score=obs.plate_score if obs.plate else known.plate_score,
            )
        if message.type is EventType.END:
            self._objects.pop(key, None)
            return obs
        return self._store(key, obs)

    def on_update(self, server: str, update: FaceResult | PlateResult) -> Observation:
        """Merge a face or plate result; an unseen object gets a minimal observation."""
        key = (server, update.event_id)
        known = self._objects.get(key)
        if known is None:
            label = "person" if isinstance(update, FaceResult) else "car"
            known = Observation(
                server=server,
                camera=update.camera,
                event_id=update.event_id,
                label=label,
            )
        if isinstance(update, FaceResult):
            obs = (
                known
                if update.name is None
                else replace(known, face=update.name, face_score=update.score)
            )
        else:
            obs = replace(known, plate=update.plate, plate_score=update.score)
        return self._store(key, obs)

    def clear_server(self, server: str) -> None:
        """Forget every object of a server (it went offline)."""
        for key in [key for key in self._objects if key[0] == server]:
            del self._objects[key]
