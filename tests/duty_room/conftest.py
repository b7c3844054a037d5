"""Fixtures: a community and a linked household in one Home Assistant."""

from dataclasses import dataclass

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_community.community.runtime import Community
from custom_components.smart_community.household.runtime import Household
from homeassistant.core import HomeAssistant
from tests.conftest import Responders


@dataclass
class Linked:
    """Both ends of an in-process link."""

    community: Community
    household: Household
    community_entry: MockConfigEntry
    household_entry: MockConfigEntry


async def setup_linked(
    hass: HomeAssistant,
    community_entry: MockConfigEntry,
    household_entry: MockConfigEntry,
) -> Linked:
    """Set up the community, then the household linked to it in-process."""
    if hass.config_entries.async_get_entry(community_entry.entry_id) is None:
        community_entry.add_to_hass(hass)
    household_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        household_entry,
        data={
            **household_entry.data,
            "link_mode": "in_process",
            "link_community": community_entry.entry_id,
        },
    )
    # Setting up the integration sets up every entry of it: community and household.
    assert await hass.config_entries.async_setup(community_entry.entry_id)
    await hass.async_block_till_done()
    community = community_entry.runtime_data.community
    household = household_entry.runtime_data.household
    assert community is not None
    assert household is not None
    return Linked(community, household, community_entry, household_entry)


@pytest.fixture
async def linked(
    hass: HomeAssistant,
    community_entry: MockConfigEntry,
    household_entry: MockConfigEntry,
    sensors: None,
    responders: Responders,
) -> Linked:
    """Return a community and its Wang household, linked in-process."""
    return await setup_linked(hass, community_entry, household_entry)
