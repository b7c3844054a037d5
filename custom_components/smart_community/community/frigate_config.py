"""Frigate subentries of a community: servers, gates, fire lanes and audio cameras.

Reads the subentries into the pure core's types (`frigate.gates`, `frigate.firelane`,
`frigate.audio`) and builds the gate registry from the community's resident subentries.
"""

from dataclasses import dataclass
from datetime import time, timedelta
import re
from typing import Final

from homeassistant.config_entries import ConfigEntry

from ..const import (
    CONF_FACE_NAME,
    CONF_HOUSEHOLD_ID,
    CONF_PLATES,
    CONF_RESIDENT_NAME,
    LOGGER,
    SUBENTRY_RESIDENT,
)
from ..frigate.audio import AudioCamera
from ..frigate.firelane import FireLane
from ..frigate.gates import (
    Gate,
    GateDirection,
    GateKind,
    Inward,
    Registry,
    Resident,
    Schedule,
    TimeWindow,
    Vehicle,
)
from ..frigate.parsers import DEFAULT_PREFIX
from ..frigate.plates import PlateKind, normalize_plate

SUBENTRY_FRIGATE_SERVER: Final = "frigate_server"
SUBENTRY_GATE: Final = "gate"
SUBENTRY_FIRE_LANE: Final = "fire_lane"
SUBENTRY_AUDIO_CAMERA: Final = "audio_camera"

CONF_SERVER_ID: Final = "server_id"
CONF_SERVER_NAME: Final = "server_name"
CONF_URL: Final = "url"
CONF_USERNAME: Final = "username"
CONF_PASSWORD: Final = "password"  # noqa: S105 - a config key
CONF_TOPIC_PREFIX: Final = "topic_prefix"
CONF_SERVER: Final = "server"
CONF_CAMERA: Final = "camera"
CONF_ZONE: Final = "zone"
CONF_GATE_ID: Final = "gate_id"
CONF_GATE_NAME: Final = "gate_name"
CONF_GATE_KIND: Final = "gate_kind"
CONF_DIRECTION: Final = "direction"
CONF_SCHEDULE_START: Final = "schedule_start"
CONF_SCHEDULE_END: Final = "schedule_end"
CONF_OPENER: Final = "opener"
CONF_BLACKLIST: Final = "blacklist"
CONF_OUTSIDE_ZONE: Final = "outside_zone"
CONF_INSIDE_ZONE: Final = "inside_zone"
CONF_INWARD: Final = "inward"
INWARD_NONE: Final = "none"
CONF_LANE_ID: Final = "lane_id"
CONF_LANE_NAME: Final = "lane_name"
CONF_MINUTES: Final = "minutes"
CONF_PLACE: Final = "place"
CONF_LABELS: Final = "labels"
OPENER_DOMAINS: Final = ("switch", "button", "lock", "cover", "script")
OPEN_ACTIONS: Final = {
    "switch": "turn_on",
    "button": "press",
    "lock": "unlock",
    "cover": "open_cover",
    "script": "turn_on",
}
DEFAULT_FIRE_LANE_MINUTES: Final = 10

_SLUG = re.compile(r"[^0-9a-z]+")


def slug(text: str) -> str:
    """Return a lower-case id made of letters, digits and underscores."""
    return _SLUG.sub("_", text.casefold()).strip("_")


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """A Frigate server subentry."""

    server_id: str
    name: str
    url: str
    username: str | None
    password: str | None
    prefix: str


@dataclass(frozen=True, slots=True)
class GateConfig:
    """A gate subentry: the core's gate and its display name."""

    gate: Gate
    name: str


@dataclass(frozen=True, slots=True)
class FrigateSetup:
    """Everything Frigate-related configured on a community entry."""

    servers: dict[str, ServerConfig]
    gates: dict[str, GateConfig]
    lanes: dict[str, tuple[FireLane, str]]
    audio: tuple[AudioCamera, ...]
    registry: Registry


def parse_time(value: str | None) -> time | None:
    """Parse `HH:MM[:SS]`; None when empty."""
    return time.fromisoformat(value) if value else None


def _inward(value: str | None) -> Inward | None:
    """Return the image direction into the community, None when not set."""
    return None if not value or value == INWARD_NONE else Inward(value)


def schedule_of(start: str | None, end: str | None) -> Schedule:
    """Return always, or a daily window from `start` to `end`."""
    begin, finish = parse_time(start), parse_time(end)
    if begin is None or finish is None or begin == finish:
        return Schedule()
    return Schedule((TimeWindow(begin, finish),))


def split_blacklist(entries: list[str]) -> tuple[list[str], list[str]]:
    """Split blacklist entries into Chinese plates and (face) names."""
    plates: list[str] = []
    names: list[str] = []
    for item in entries:
        plate = normalize_plate(item)
        if plate.kind is PlateKind.OTHER:
            names.append(item)
        else:
            plates.append(plate.text)
    return plates, names


def registry_from_entry(
    entry: ConfigEntry, blacklist: tuple[str, ...] = ()
) -> Registry:
    """Build the gate registry from the resident subentries and the gates' blacklists."""
    residents: list[Resident] = []
    vehicles: list[Vehicle] = []
    for subentry in entry.subentries.values():
        if subentry.subentry_type != SUBENTRY_RESIDENT:
            continue
        data = subentry.data
        household = data[CONF_HOUSEHOLD_ID]
        resident_id = subentry.subentry_id
        face = (data.get(CONF_FACE_NAME) or "").strip()
        if face:
            residents.append(Resident(resident_id, household, frozenset({face})))
        vehicles.extend(
            Vehicle(plate, household, resident_id)
            for plate in data.get(CONF_PLATES, ())
        )
        LOGGER.debug("Resident %s registered for gates", data.get(CONF_RESIDENT_NAME))
    plates, names = split_blacklist(list(blacklist))
    return Registry(
        residents=tuple(residents),
        vehicles=tuple(vehicles),
        blacklisted_plates=tuple(plates),
        blacklisted_names=frozenset(names),
    )


def setup_from_entry(entry: ConfigEntry) -> FrigateSetup:
    """Read the Frigate subentries of a community entry, skipping invalid ones."""
    servers: dict[str, ServerConfig] = {}
    gates: dict[str, GateConfig] = {}
    lanes: dict[str, tuple[FireLane, str]] = {}
    audio: list[AudioCamera] = []
    blacklist: list[str] = []
    for subentry in entry.subentries.values():
        data = subentry.data
        try:
            match subentry.subentry_type:
                case "frigate_server":
                    servers[data[CONF_SERVER_ID]] = ServerConfig(
                        data[CONF_SERVER_ID],
                        data[CONF_SERVER_NAME],
                        data[CONF_URL],
                        data.get(CONF_USERNAME) or None,
                        data.get(CONF_PASSWORD) or None,
                        data.get(CONF_TOPIC_PREFIX) or DEFAULT_PREFIX,
                    )
                case "gate":
                    gate = Gate(
                        gate_id=data[CONF_GATE_ID],
                        kind=GateKind(data[CONF_GATE_KIND]),
                        server=data[CONF_SERVER],
                        camera=data[CONF_CAMERA],
                        opener_entity_id=data[CONF_OPENER],
                        zone=data.get(CONF_ZONE) or None,
                        direction=GateDirection(data[CONF_DIRECTION]),
                        schedule=schedule_of(
                            data.get(CONF_SCHEDULE_START), data.get(CONF_SCHEDULE_END)
                        ),
                        outside_zone=data.get(CONF_OUTSIDE_ZONE) or None,
                        inside_zone=data.get(CONF_INSIDE_ZONE) or None,
                        inward=_inward(data.get(CONF_INWARD)),
                    )
                    gates[gate.gate_id] = GateConfig(gate, data[CONF_GATE_NAME])
                    blacklist.extend(data.get(CONF_BLACKLIST, ()))
                case "fire_lane":
                    lane = FireLane(
                        lane_id=data[CONF_LANE_ID],
                        server=data[CONF_SERVER],
                        camera=data[CONF_CAMERA],
                        zone=data[CONF_ZONE],
                        max_stationary=timedelta(minutes=float(data[CONF_MINUTES])),
                    )
                    lanes[lane.lane_id] = (lane, data[CONF_LANE_NAME])
                case "audio_camera":
                    audio.append(
                        AudioCamera(
                            data[CONF_SERVER],
                            data[CONF_CAMERA],
                            data[CONF_PLACE],
                            frozenset(data[CONF_LABELS]),
                        )
                    )
        except (KeyError, ValueError) as err:
            LOGGER.warning("Frigate subentry %s is invalid: %s", subentry.title, err)
    registry = registry_from_entry(entry, tuple(blacklist))
    return FrigateSetup(servers, gates, lanes, tuple(audio), registry)
