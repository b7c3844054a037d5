"""Sensors: the household's safety status and its count of active alarms."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .community.frigate_entities import gate_counter_sensors
from .community.frigate_hub import hub_of
from .community.sensor import community_sensors, household_sensors
from .core.alarm import AlarmStatus
from .entity import HouseholdEntity
from .household.runtime import Household
from .models import SmartCommunityConfigEntry

PARALLEL_UPDATES = 0

STATUS_SAFE = "safe"
STATUS_ALARM = "alarm"
STATUS_ACKNOWLEDGED = "acknowledged"


def _safety_status(household: Household) -> str:
    active = household.book.active
    if not active:
        return STATUS_SAFE
    if any(alarm.status is AlarmStatus.RAISED for alarm in active):
        return STATUS_ALARM
    return STATUS_ACKNOWLEDGED


@dataclass(frozen=True, kw_only=True)
class HouseholdSensorDescription(SensorEntityDescription):
    """Describes a household sensor."""

    value_fn: Callable[[Household], str | int | None]
    attributes_fn: Callable[[Household], dict[str, Any]] | None = None


def _last_announcement(household: Household) -> str | None:
    announcements = household.desk.announcements
    return announcements[-1].message[:255] if announcements else None


SENSORS: tuple[HouseholdSensorDescription, ...] = (
    HouseholdSensorDescription(
        key="safety_status",
        translation_key="safety_status",
        device_class=SensorDeviceClass.ENUM,
        options=[STATUS_SAFE, STATUS_ALARM, STATUS_ACKNOWLEDGED],
        value_fn=_safety_status,
    ),
    HouseholdSensorDescription(
        key="active_alarms",
        translation_key="active_alarms",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda household: len(household.book.active),
    ),
    HouseholdSensorDescription(
        key="maintenance",
        translation_key="maintenance",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda household: len(household.maintenance.book.issues),
        attributes_fn=lambda household: {
            "issues": [
                {"device": i.device_name, "problem": i.kind.value, "since": i.since}
                for i in household.maintenance.book.issues
            ]
        },
    ),
    HouseholdSensorDescription(
        key="last_announcement",
        translation_key="last_announcement",
        value_fn=_last_announcement,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartCommunityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the household's sensors, or the community's and its households'."""
    household = entry.runtime_data.household
    if household is not None:
        async_add_entities(
            HouseholdSensor(household, description) for description in SENSORS
        )
        return
    community = entry.runtime_data.community
    assert community is not None
    async_add_entities(community_sensors(community))
    if (hub := hub_of(community)) is not None:
        async_add_entities(gate_counter_sensors(community, hub))
    for record in community.settings.households.values():
        async_add_entities(
            household_sensors(community, record), config_subentry_id=record.subentry_id
        )


class HouseholdSensor(HouseholdEntity, SensorEntity):
    """A household sensor."""

    entity_description: HouseholdSensorDescription

    @property
    def native_value(self) -> str | int | None:
        """Return the sensor's value."""
        return self.entity_description.value_fn(self.household)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return details where the sensor has them."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.household)

    async def async_added_to_hass(self) -> None:
        """Also follow maintenance issues."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.household.maintenance.async_add_listener(self.async_write_ha_state)
        )
