"""Smart Community: household safety and the property's duty room for Home Assistant."""

from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant
from homeassistant.helpers import config_validation as cv, issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType

from .community.extensions import EXTRA_PLATFORMS, FACTORIES
from .community.runtime import Community, CommunitySettings
from .const import CONF_ROLE, DOMAIN, ROLE_HOUSEHOLD, STORAGE_VERSION
from .household.intercom import async_start_intercom
from .household.link import HouseholdLink, LinkNotReadyError, resolve_link_settings
from .household.runtime import Household
from .household.settings import HouseholdSettings
from .models import SmartCommunityConfigEntry, SmartCommunityData
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

HOUSEHOLD_PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.SENSOR,
    Platform.TODO,
]
COMMUNITY_PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.SENSOR,
    Platform.TODO,
]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions."""
    async_setup_services(hass)
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: SmartCommunityConfigEntry
) -> bool:
    """Set up a household or a community from a config entry."""
    if entry.data[CONF_ROLE] == ROLE_HOUSEHOLD:
        await _async_setup_household(hass, entry)
        await hass.config_entries.async_forward_entry_setups(entry, HOUSEHOLD_PLATFORMS)
    else:
        community = Community(
            hass,
            entry,
            CommunitySettings.from_entry(
                entry, hass.config.language, hass.config.config_dir
            ),
        )
        await community.async_start()
        entry.async_on_unload(community.async_stop)
        entry.async_on_unload(_stop_on_shutdown(hass, community.async_stop))
        entry.runtime_data = SmartCommunityData(community=community)
        subentries = {key: dict(sub.data) for key, sub in entry.subentries.items()}
        options = dict(entry.options)

        async def _async_subentries_changed(
            hass: HomeAssistant, entry: SmartCommunityConfigEntry
        ) -> None:
            # Registry (subentry) or duty-room (options) changes take effect on reload;
            # a reconfigure reloads by itself and changes neither.
            current = {key: dict(sub.data) for key, sub in entry.subentries.items()}
            if current != subentries or dict(entry.options) != options:
                hass.config_entries.async_schedule_reload(entry.entry_id)

        entry.async_on_unload(entry.add_update_listener(_async_subentries_changed))
        for factory in FACTORIES:
            extension = factory(hass, entry, community)
            await extension.async_start()
            community.extensions.append(extension)
            entry.async_on_unload(extension.async_stop)
        await hass.config_entries.async_forward_entry_setups(
            entry, [*COMMUNITY_PLATFORMS, *EXTRA_PLATFORMS]
        )
    return True


async def _async_setup_household(
    hass: HomeAssistant, entry: SmartCommunityConfigEntry
) -> None:
    settings = HouseholdSettings.from_entry(
        entry.data, entry.options, hass.config.language
    )
    household = Household(hass, entry.entry_id, settings)
    await household.async_start()
    entry.async_on_unload(household.async_stop)
    link: HouseholdLink | None = None
    issue_id = f"link_not_ready_{entry.entry_id}"
    try:
        link_settings = resolve_link_settings(hass, entry.data, settings.household_id)
    except LinkNotReadyError as err:
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=err.key,
            translation_placeholders={"household": settings.name},
        )
    else:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        if link_settings is not None:
            link = HouseholdLink(hass, entry.entry_id, household, link_settings)
            household.maintenance.link = link
            await link.async_start()
            entry.async_on_unload(
                await async_start_intercom(hass, entry.entry_id, household, link)
            )
            entry.async_on_unload(link.async_stop)
            entry.async_on_unload(_stop_on_shutdown(hass, link.async_stop))
    entry.runtime_data = SmartCommunityData(household=household, link=link)
    _async_report_missing_entities(hass, entry, household)


def _stop_on_shutdown(
    hass: HomeAssistant, stop: Callable[[], Awaitable[None]]
) -> CALLBACK_TYPE:
    """Stop a link cleanly (and save its outbox) when Home Assistant stops."""

    async def _async_stop(_event: Event) -> None:
        await stop()

    return hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _async_stop)


async def async_remove_entry(
    hass: HomeAssistant, entry: SmartCommunityConfigEntry
) -> None:
    """Delete what the entry stored: alarms, the board, the link's outbox; and its repairs."""
    for suffix in ("alarms", "board", "link", "desk", "access", "intercom"):
        await Store[Any](
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.{suffix}"
        ).async_remove()
    for issue in ("missing_entities", "link_not_ready"):
        ir.async_delete_issue(hass, DOMAIN, f"{issue}_{entry.entry_id}")


async def async_unload_entry(
    hass: HomeAssistant, entry: SmartCommunityConfigEntry
) -> bool:
    """Unload a config entry."""
    platforms = (
        HOUSEHOLD_PLATFORMS
        if entry.data[CONF_ROLE] == ROLE_HOUSEHOLD
        else [*COMMUNITY_PLATFORMS, *EXTRA_PLATFORMS]
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
