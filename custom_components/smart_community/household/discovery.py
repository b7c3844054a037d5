"""Find the safety devices a household can bind: sensors by device class, SOS buttons."""

from dataclasses import dataclass

from homeassistant.components.device_automation import (
    DeviceAutomationType,
    async_get_device_automations,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

from ..const import SAFETY_DEVICE_CLASSES

SOS_WORDS = ("emergency", "sos", "panic")


@dataclass(frozen=True, slots=True)
class Found:
    """What discovery found: (id, label) pairs."""

    sensors: list[tuple[str, str]]
    sos_devices: list[tuple[str, str]]


async def async_discover(hass: HomeAssistant) -> Found:
    """Return the safety binary sensors and SOS-capable devices of this Home Assistant."""
    entities = er.async_get(hass)
    devices = dr.async_get(hass)
    sensors: dict[str, str] = {}
    for state in hass.states.async_all("binary_sensor"):
        device_class = state.attributes.get("device_class")
        entry = entities.async_get(state.entity_id)
        if device_class is None and entry is not None:
            device_class = entry.device_class or entry.original_device_class
        if device_class in SAFETY_DEVICE_CLASSES:
            sensors[state.entity_id] = f"{state.name} ({device_class})"
    candidates = [
        device.id
        for device in devices.devices
        if any(
            entry.domain in ("event", "alarm_control_panel", "binary_sensor")
            for entry in er.async_entries_for_device(entities, device.id)
        )
    ]
    triggers = (
        await async_get_device_automations(
            hass, DeviceAutomationType.TRIGGER, candidates
        )
        if candidates
        else {}
    )
    sos: dict[str, str] = {}
    for device_id, device_triggers in triggers.items():
        words = " ".join(
            f"{trigger.get('type', '')} {trigger.get('subtype', '')}".lower()
            for trigger in device_triggers
        )
        if any(word in words for word in SOS_WORDS) and (
            device := devices.async_get(device_id)
        ):
            sos[device_id] = device.name_by_user or device.name or device_id
    return Found(sorted(sensors.items()), sorted(sos.items()))
