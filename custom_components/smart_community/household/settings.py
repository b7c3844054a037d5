"""A household's settings, read from its config entry."""

from collections.abc import Mapping
from dataclasses import dataclass
import re
from typing import Any, Self

from ..const import (
    CONF_BUILDING,
    CONF_EMERGENCY_CONTACTS,
    CONF_ESCALATION_DELAY,
    CONF_GAS_VALVES,
    CONF_HOUSEHOLD_NAME,
    CONF_LANGUAGE,
    CONF_NOTIFY_TARGETS,
    CONF_ROOM,
    CONF_SAFETY_SENSORS,
    CONF_SIRENS,
    CONF_SOS_DEVICES,
    CONF_SOS_ENTITIES,
    CONF_SPEAKERS,
    CONF_TTS_ENGINE,
    CONF_UNIT,
    CONF_WATER_VALVES,
    DEFAULT_ESCALATION_DELAY,
)
from ..core.phrases import Language, language_for

_ID_CLEAN = re.compile(r"[^0-9a-z]+")


def household_id(building: str, unit: str, room: str) -> str:
    """Return the stable id of a household from its address, e.g. "3-2-1502"."""
    parts = (_ID_CLEAN.sub("", part.strip().lower()) for part in (building, unit, room))
    return "-".join(parts)


def notify_service(target: str) -> str:
    """Return the notify action name of a target given as "notify.x" or "x"."""
    return target.removeprefix("notify.")


@dataclass(frozen=True, kw_only=True, slots=True)
class HouseholdSettings:
    """Everything a household runtime needs from its entry."""

    household_id: str
    name: str
    building: str
    unit: str
    room: str
    language: Language
    notify_targets: tuple[str, ...]
    emergency_contacts: tuple[str, ...]
    escalation_delay: float
    safety_sensors: tuple[str, ...]
    sos_entities: tuple[str, ...]
    sos_devices: tuple[str, ...]
    sirens: tuple[str, ...]
    gas_valves: tuple[str, ...]
    water_valves: tuple[str, ...]
    speakers: tuple[str, ...]
    tts_engine: str | None

    @property
    def address(self) -> str:
        """Return the address as building-unit-room."""
        return f"{self.building}-{self.unit}-{self.room}"

    @property
    def bound_entities(self) -> tuple[str, ...]:
        """Return every entity the household listens to or drives."""
        return (
            self.safety_sensors
            + self.sos_entities
            + self.sirens
            + self.gas_valves
            + self.water_valves
            + self.speakers
        )

    @classmethod
    def from_entry(
        cls, data: Mapping[str, Any], options: Mapping[str, Any], hass_language: str
    ) -> Self:
        """Build the settings from an entry's data and options."""

        def many(key: str) -> tuple[str, ...]:
            return tuple(options.get(key, ()))

        return cls(
            household_id=household_id(
                data[CONF_BUILDING], data[CONF_UNIT], data[CONF_ROOM]
            ),
            name=data[CONF_HOUSEHOLD_NAME],
            building=data[CONF_BUILDING],
            unit=data[CONF_UNIT],
            room=data[CONF_ROOM],
            language=Language(data[CONF_LANGUAGE])
            if data.get(CONF_LANGUAGE)
            else language_for(hass_language),
            notify_targets=tuple(
                notify_service(target) for target in data.get(CONF_NOTIFY_TARGETS, ())
            ),
            emergency_contacts=tuple(
                notify_service(target)
                for target in options.get(CONF_EMERGENCY_CONTACTS, ())
            ),
            escalation_delay=float(
                options.get(CONF_ESCALATION_DELAY, DEFAULT_ESCALATION_DELAY)
            ),
            safety_sensors=many(CONF_SAFETY_SENSORS),
            sos_entities=many(CONF_SOS_ENTITIES),
            sos_devices=many(CONF_SOS_DEVICES),
            sirens=many(CONF_SIRENS),
            gas_valves=many(CONF_GAS_VALVES),
            water_valves=many(CONF_WATER_VALVES),
            speakers=many(CONF_SPEAKERS),
            tts_engine=options.get(CONF_TTS_ENGINE) or None,
        )
