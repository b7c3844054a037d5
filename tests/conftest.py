"""Shared fixtures for the Smart Community tests."""

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

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

pytest_plugins = ["pytest_homeassistant_custom_component"]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Enable loading this custom integration in every test."""


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


@pytest.fixture
def community_entry() -> MockConfigEntry:
    """Return a community config entry."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Sunny Gardens",
        unique_id="community_sunny_gardens",
        data={CONF_ROLE: ROLE_COMMUNITY, CONF_COMMUNITY_NAME: "Sunny Gardens"},
    )
