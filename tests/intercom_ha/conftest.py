"""Fixtures: a community with door stations and a linked household, in one Home Assistant."""

from dataclasses import dataclass, field
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.smart_community.community.intercom_hub import IntercomHub, hub_of
from custom_components.smart_community.const import DOMAIN
from custom_components.smart_community.household.intercom import (
    HouseholdIntercomLink,
    intercoms,
)
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant, ServiceCall, SupportsResponse
from homeassistant.exceptions import HomeAssistantError
from tests.conftest import Responders
from tests.duty_room.conftest import Linked, setup_linked

GATE = ConfigSubentryData(
    subentry_type="door_station",
    title="North gate",
    unique_id="door_station_north_gate",
    data={
        "station_id": "north_gate",
        "station_label": "North gate",
        "station_kind": "gate",
        "building": None,
        "unit": None,
        "opener": "switch.north_gate",
        "camera": "camera.north_gate",
        "station_speaker": "assist_satellite.gate_panel",
    },
)
UNIT_DOOR = ConfigSubentryData(
    subentry_type="door_station",
    title="Building 3 unit 2",
    unique_id="door_station_b3u2",
    data={
        "station_id": "b3u2",
        "station_label": "Building 3 unit 2",
        "station_kind": "unit_door",
        "building": "3",
        "unit": "2",
        "opener": "lock.b3u2",
        "camera": None,
        "station_speaker": None,
    },
)
NEIGHBOUR = ConfigSubentryData(
    subentry_type="household",
    title="3-2-1601 Chen family",
    unique_id="household_3-2-1601",
    data={
        "household_id": "3-2-1601",
        "household_name": "Chen family",
        "building": "3",
        "unit": "2",
        "room": "1601",
        "contacts": [],
        "link_key": "bmVpZ2hib3VyLWtleS1mb3ItdGVzdHMtb25seS0wMDAwMDA=",
        "mqtt_password": "neighbour-password",
    },
)


@dataclass
class Satellite:
    """A fake assist_satellite.ask_question: records questions, answers as told."""

    answer: dict[str, Any] | None = field(
        default_factory=lambda: {"id": "open", "sentence": "open", "slots": {}}
    )
    calls: list[ServiceCall] = field(default_factory=list)

    async def handle(self, call: ServiceCall) -> dict[str, Any]:
        """Record the question and return the configured answer."""
        self.calls.append(call)
        if self.answer is None:
            raise HomeAssistantError("No answer from satellite")
        return self.answer


@dataclass
class Intercom:
    """Both ends of the intercom and the doors' recorded actions."""

    linked: Linked
    hub: IntercomHub
    home: HouseholdIntercomLink
    satellite: Satellite
    gate_open: list[ServiceCall]
    unit_unlock: list[ServiceCall]
    responders: Responders


@pytest.fixture
def intercom_community(community_entry: MockConfigEntry) -> MockConfigEntry:
    """Return the Sunny Gardens entry with a gate, a unit door and a neighbour household."""
    subentries = [
        ConfigSubentryData(
            subentry_type=sub.subentry_type,
            title=sub.title,
            unique_id=sub.unique_id,
            data=dict(sub.data),
        )
        for sub in community_entry.subentries.values()
    ]
    return MockConfigEntry(
        domain=DOMAIN,
        title=community_entry.title,
        unique_id=community_entry.unique_id,
        data=dict(community_entry.data),
        subentries_data=[*subentries, GATE, UNIT_DOOR, NEIGHBOUR],
    )


@pytest.fixture
async def intercom(
    hass: HomeAssistant,
    intercom_community: MockConfigEntry,
    household_entry: MockConfigEntry,
    sensors: None,
    responders: Responders,
) -> Intercom:
    """Set up both roles with the intercom, a fake satellite and recorded door openers."""
    satellite = Satellite()
    hass.services.async_register(
        "assist_satellite",
        "ask_question",
        satellite.handle,
        supports_response=SupportsResponse.ONLY,
    )
    gate_open = async_mock_service(hass, "switch", "turn_on")
    unit_unlock = async_mock_service(hass, "lock", "unlock")
    hass.states.async_set("switch.north_gate", "off")
    hass.states.async_set("lock.b3u2", "locked")
    linked = await setup_linked(hass, intercom_community, household_entry)
    hub = hub_of(linked.community)
    assert hub is not None
    home = intercoms(hass)[household_entry.entry_id]
    return Intercom(linked, hub, home, satellite, gate_open, unit_unlock, responders)
