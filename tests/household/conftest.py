"""Fixtures for household tests."""

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_community.household.runtime import Household
from homeassistant.core import HomeAssistant
from tests.conftest import Responders


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
