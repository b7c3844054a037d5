"""Binary sensors: one per alarm kind, on while an alarm of that kind is active."""

from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .community.entity import CommunityEntity
from .core.alarm import AlarmKind
from .entity import HouseholdEntity
from .models import SmartCommunityConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class AlarmBinarySensorDescription(BinarySensorEntityDescription):
    """Describes the binary sensor of one alarm kind."""

    kind: AlarmKind


_DEVICE_CLASSES: dict[AlarmKind, BinarySensorDeviceClass] = {
    AlarmKind.SMOKE: BinarySensorDeviceClass.SMOKE,
    AlarmKind.GAS: BinarySensorDeviceClass.GAS,
    AlarmKind.CO: BinarySensorDeviceClass.CO,
    AlarmKind.LEAK: BinarySensorDeviceClass.MOISTURE,
    AlarmKind.SOS: BinarySensorDeviceClass.SAFETY,
    AlarmKind.FALL: BinarySensorDeviceClass.SAFETY,
    AlarmKind.INACTIVITY: BinarySensorDeviceClass.PROBLEM,
    AlarmKind.CUSTOM: BinarySensorDeviceClass.PROBLEM,
}

BINARY_SENSORS: tuple[AlarmBinarySensorDescription, ...] = tuple(
    AlarmBinarySensorDescription(
        key=f"{kind.value}_alarm",
        translation_key=f"{kind.value}_alarm",
        device_class=_DEVICE_CLASSES[kind],
        kind=kind,
    )
    for kind in AlarmKind
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartCommunityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add one binary sensor per alarm kind, or the community's link status."""
    household = entry.runtime_data.household
    if household is not None:
        async_add_entities(
            AlarmBinarySensor(household, description) for description in BINARY_SENSORS
        )
        return
    community = entry.runtime_data.community
    assert community is not None
    async_add_entities([LinkConnectedSensor(community, LINK_CONNECTED)])


LINK_CONNECTED = BinarySensorEntityDescription(
    key="link",
    translation_key="link",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)


class LinkConnectedSensor(CommunityEntity, BinarySensorEntity):
    """On while the community's link transport is connected."""

    @property
    def is_on(self) -> bool:
        """Return True while connected."""
        return self.community.endpoint.connected

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the link's counters: pending, accepted, rejected by reason."""
        diagnostics = self.community.endpoint.diagnostics()
        return {"pending": diagnostics["pending"], **diagnostics["stats"]}


class AlarmBinarySensor(HouseholdEntity, BinarySensorEntity):
    """On while an alarm of its kind is active."""

    entity_description: AlarmBinarySensorDescription

    @property
    def is_on(self) -> bool:
        """Return True while an alarm of this kind is active."""
        return self.household.book.is_active(self.entity_description.kind)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the ids and sources of the active alarms of this kind."""
        alarms = [
            alarm
            for alarm in self.household.book.active
            if alarm.kind is self.entity_description.kind
        ]
        return {
            "alarm_ids": [alarm.alarm_id for alarm in alarms],
            "sources": [alarm.source for alarm in alarms],
        }
