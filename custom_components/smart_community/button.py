"""Buttons: the duty room's acknowledge, arrived and resolve on each household."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .community.button import household_buttons
from .models import SmartCommunityConfigEntry

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartCommunityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the duty-room buttons of every registered household."""
    community = entry.runtime_data.community
    assert community is not None
    for record in community.settings.households.values():
        async_add_entities(
            household_buttons(community, record), config_subentry_id=record.subentry_id
        )
