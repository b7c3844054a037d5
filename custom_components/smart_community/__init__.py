"""Smart Community: household safety and the property's duty room for Home Assistant."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, issue_registry as ir
from homeassistant.helpers.typing import ConfigType

from .community.runtime import Community
from .const import CONF_COMMUNITY_NAME, CONF_ROLE, DOMAIN, ROLE_HOUSEHOLD
from .household.runtime import Household
from .household.settings import HouseholdSettings
from .models import SmartCommunityConfigEntry, SmartCommunityData
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

HOUSEHOLD_PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.SENSOR,
]
COMMUNITY_PLATFORMS: list[Platform] = []


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions."""
    async_setup_services(hass)
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: SmartCommunityConfigEntry
) -> bool:
    """Set up a household or a community from a config entry."""
    if entry.data[CONF_ROLE] == ROLE_HOUSEHOLD:
        settings = HouseholdSettings.from_entry(
            entry.data, entry.options, hass.config.language
        )
        household = Household(hass, entry.entry_id, settings)
        await household.async_start()
        entry.async_on_unload(household.async_stop)
        entry.runtime_data = SmartCommunityData(household=household)
        _async_report_missing_entities(hass, entry, household)
        await hass.config_entries.async_forward_entry_setups(entry, HOUSEHOLD_PLATFORMS)
    else:
        entry.runtime_data = SmartCommunityData(
            community=Community(
                community_id=entry.unique_id or entry.entry_id,
                name=entry.data[CONF_COMMUNITY_NAME],
            )
        )
        await hass.config_entries.async_forward_entry_setups(entry, COMMUNITY_PLATFORMS)
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: SmartCommunityConfigEntry
) -> bool:
    """Unload a config entry."""
    platforms = (
        HOUSEHOLD_PLATFORMS
        if entry.data[CONF_ROLE] == ROLE_HOUSEHOLD
        else COMMUNITY_PLATFORMS
    )
    return await hass.config_entries.async_unload_platforms(entry, platforms)


def _async_report_missing_entities(
    hass: HomeAssistant, entry: SmartCommunityConfigEntry, household: Household
) -> None:
    """Raise a repair issue when a bound sensor no longer exists."""
    issue_id = f"missing_entities_{entry.entry_id}"
    if household.missing_entities:
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="missing_entities",
            translation_placeholders={
                "household": household.settings.name,
                "entities": ", ".join(household.missing_entities),
            },
        )
    else:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
