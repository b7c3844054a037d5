"""Fixtures for household tests: stand-in sensors and recorded responder actions."""

from dataclasses import dataclass

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.smart_community.household.runtime import Household
from homeassistant.core import HomeAssistant, ServiceCall


@dataclass
class Responders:
    """Service calls the household made, by action."""

    siren_on: list[ServiceCall]
    valve_close: list[ServiceCall]
    switch_off: list[ServiceCall]
    announce: list[ServiceCall]
    tts_speak: list[ServiceCall]
    notify: dict[str, list[ServiceCall]]

    def notified(self, target: str) -> list[ServiceCall]:
        """Return the notifications sent to a target."""
        return self.notify[target]


@pytest.fixture
def responders(hass: HomeAssistant) -> Responders:
    """Register recording stand-ins for the devices and phones a household drives."""
    return Responders(
        siren_on=async_mock_service(hass, "siren", "turn_on"),
        valve_close=async_mock_service(hass, "valve", "close_valve"),
        switch_off=async_mock_service(hass, "switch", "turn_off"),
        announce=async_mock_service(hass, "assist_satellite", "announce"),
        tts_speak=async_mock_service(hass, "tts", "speak"),
        notify={
            name: async_mock_service(hass, "notify", name)
            for name in ("mobile_app_mum", "mobile_app_dad", "mobile_app_neighbour")
        },
    )


@pytest.fixture
def sensors(hass: HomeAssistant) -> None:
    """Create the bound sensors and responders' states, all idle."""
    for entity_id, device_class in (
        ("binary_sensor.kitchen_smoke", "smoke"),
        ("binary_sensor.kitchen_gas", "gas"),
        ("binary_sensor.hall_co", "carbon_monoxide"),
        ("binary_sensor.bathroom_leak", "moisture"),
        ("binary_sensor.bedside_sos", "safety"),
    ):
        hass.states.async_set(entity_id, "off", {"device_class": device_class})
    hass.states.async_set("event.sos_button", "unknown", {"event_types": ["press"]})
    hass.states.async_set(
        "siren.hall", "off", {"available_tones": ["fire", "emergency"]}
    )
    hass.states.async_set("valve.gas", "open")
    hass.states.async_set("switch.water_valve", "on")
    hass.states.async_set("assist_satellite.living_room", "idle")
    hass.states.async_set("media_player.kitchen", "idle")
    hass.states.async_set("tts.speech", "unknown")


@pytest.fixture
async def household(
    hass: HomeAssistant,
    household_entry: MockConfigEntry,
    sensors: None,
    responders: Responders,
) -> Household:
    """Set up the household entry and return its runtime."""
    household_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(household_entry.entry_id)
    await hass.async_block_till_done()
    runtime = household_entry.runtime_data.household
    assert runtime is not None
    return runtime
