"""Diagnostics redact personal data."""

from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.smart_community.const import DOMAIN
from custom_components.smart_community.household.runtime import Household
from homeassistant.core import HomeAssistant


async def test_household_diagnostics(
    hass: HomeAssistant,
    household: Household,
    household_entry: MockConfigEntry,
    hass_client: Any,
) -> None:
    """Names, address, phones and messages are redacted; the alarm book is shown."""
    await hass.services.async_call(
        DOMAIN,
        "raise_alarm",
        {"kind": "sos", "message": "help, it's Grandma Wang"},
        blocking=True,
    )
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, household_entry
    )
    text = str(diagnostics)
    for secret in ("Wang", "1502", "mobile_app_mum", "mobile_app_neighbour", "Grandma"):
        assert secret not in text
    assert diagnostics["entry"]["data"]["role"] == "household"
    (alarm,) = diagnostics["household"]["alarms"]
    assert alarm["kind"] == "sos"
    assert alarm["message"] == "**REDACTED**"
    assert diagnostics["household"]["next_escalation"] is not None


async def test_community_diagnostics(
    hass: HomeAssistant, community_entry: MockConfigEntry, hass_client: Any
) -> None:
    """A community's diagnostics carry its redacted entry only."""
    community_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(community_entry.entry_id)
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, community_entry
    )
    assert "Sunny" not in str(diagnostics)
    assert "household" not in diagnostics
