"""Shared fixtures for the Smart Community tests."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

# Import the repository's package before the plugin mounts its own testing_config,
# so Home Assistant finds this integration (see docs/development.md).
import custom_components.smart_community  # noqa: F401
from custom_components.smart_community.const import (
    CONF_BUILDING,
    CONF_COMMUNITY_NAME,
    CONF_EMERGENCY_CONTACTS,
    CONF_ESCALATION_DELAY,
    CONF_GAS_VALVES,
    CONF_HOUSEHOLD_NAME,
    CONF_LANGUAGE,
    CONF_NOTIFY_TARGETS,
    CONF_ROLE,
    CONF_ROOM,
    CONF_SAFETY_SENSORS,
    CONF_SIRENS,
    CONF_SOS_DEVICES,
    CONF_SOS_ENTITIES,
    CONF_SPEAKERS,
    CONF_UNIT,
    CONF_WATER_VALVES,
    DOMAIN,
    ROLE_COMMUNITY,
    ROLE_HOUSEHOLD,
)
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant, ServiceCall

pytest_plugins = ["pytest_homeassistant_custom_component"]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Enable loading this custom integration in every test."""


@pytest.fixture(autouse=True)
def history_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep each test's community history database in its own temporary folder."""
    monkeypatch.setattr(
        "custom_components.smart_community.community.runtime.sqlite_url",
        lambda _directory, name: f"sqlite:///{tmp_path / name}",
    )


HOUSEHOLD_DATA: dict[str, Any] = {
    CONF_ROLE: ROLE_HOUSEHOLD,
    CONF_HOUSEHOLD_NAME: "Wang family",
    CONF_BUILDING: "3",
    CONF_UNIT: "2",
    CONF_ROOM: "1502",
    CONF_LANGUAGE: "en",
    CONF_NOTIFY_TARGETS: ["mobile_app_mum", "mobile_app_dad"],
}

HOUSEHOLD_OPTIONS: dict[str, Any] = {
    CONF_SAFETY_SENSORS: [
        "binary_sensor.kitchen_smoke",
        "binary_sensor.kitchen_gas",
        "binary_sensor.hall_co",
        "binary_sensor.bathroom_leak",
    ],
    CONF_SOS_ENTITIES: ["binary_sensor.bedside_sos", "event.sos_button"],
    CONF_SOS_DEVICES: [],
    CONF_SIRENS: ["siren.hall"],
    CONF_GAS_VALVES: ["valve.gas"],
    CONF_WATER_VALVES: ["switch.water_valve"],
    CONF_SPEAKERS: ["assist_satellite.living_room", "media_player.kitchen"],
    CONF_EMERGENCY_CONTACTS: ["mobile_app_neighbour"],
    CONF_ESCALATION_DELAY: 120,
}


@pytest.fixture
def household_entry() -> MockConfigEntry:
    """Return a household config entry with bindings."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Wang family",
        unique_id="household_3-2-1502",
        data=dict(HOUSEHOLD_DATA),
        options=dict(HOUSEHOLD_OPTIONS),
    )


BROADCAST_KEY = "YnJvYWRjYXN0LWtleS1mb3ItdGVzdHMtb25seS0wMDAwMDA="
HOUSEHOLD_KEY = "aG91c2Vob2xkLWtleS1mb3ItdGVzdHMtb25seS0wMDAwMDA="


@pytest.fixture
def community_entry() -> MockConfigEntry:
    """Return a community config entry (in-process link) with the Wang household registered."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Sunny Gardens",
        unique_id="community_sunny-gardens",
        data={
            CONF_ROLE: ROLE_COMMUNITY,
            CONF_COMMUNITY_NAME: "Sunny Gardens",
            "community_id": "sunny-gardens",
            "language": "en",
            "broadcast_key": BROADCAST_KEY,
            "transport": "in_process",
        },
        subentries_data=[
            ConfigSubentryData(
                subentry_type="household",
                title="3-2-1502 Wang family",
                unique_id="household_3-2-1502",
                data={
                    "household_id": "3-2-1502",
                    "household_name": "Wang family",
                    "building": "3",
                    "unit": "2",
                    "room": "1502",
                    "contacts": ["+86 138 0000 0000"],
                    "link_key": HOUSEHOLD_KEY,
                    "mqtt_password": "household-password",
                },
            ),
            ConfigSubentryData(
                subentry_type="staff",
                title="Li",
                unique_id=None,
                data={
                    "staff_name": "Li",
                    "user_id": None,
                    "staff_role": "duty",
                    "notify_target": "mobile_app_duty_li",
                },
            ),
            ConfigSubentryData(
                subentry_type="staff",
                title="Zhao",
                unique_id=None,
                data={
                    "staff_name": "Zhao",
                    "user_id": None,
                    "staff_role": "manager",
                    "notify_target": "mobile_app_manager_zhao",
                },
            ),
        ],
    )


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
            for name in (
                "mobile_app_mum",
                "mobile_app_dad",
                "mobile_app_neighbour",
                "mobile_app_duty_li",
                "mobile_app_manager_zhao",
                "mobile_app_security",
            )
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
