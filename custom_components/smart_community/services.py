"""Actions: raise, acknowledge and resolve household alarms."""

from typing import Any

import probatio

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_get_config_entry

from .const import (
    ATTR_ALARM_ID,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_KIND,
    ATTR_MESSAGE,
    ATTR_SOURCE,
    CONF_ROLE,
    DOMAIN,
    ROLE_HOUSEHOLD,
    SERVICE_ACKNOWLEDGE_ALARM,
    SERVICE_RAISE_ALARM,
    SERVICE_RESOLVE_ALARM,
)
from .core.alarm import Alarm, AlarmError, AlarmKind
from .household.runtime import Household
from .models import SmartCommunityConfigEntry

RAISE_SCHEMA = probatio.Schema(
    {
        probatio.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Optional(ATTR_KIND, default=AlarmKind.SOS.value): probatio.In(
            [kind.value for kind in AlarmKind]
        ),
        probatio.Optional(ATTR_MESSAGE): probatio.All(
            cv.string, probatio.Length(max=255)
        ),
        probatio.Optional(ATTR_SOURCE): probatio.All(
            cv.string, probatio.Length(max=255)
        ),
    }
)
ALARM_SCHEMA = probatio.Schema(
    {
        probatio.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Optional(ATTR_ALARM_ID): cv.string,
    }
)


def _household(hass: HomeAssistant, call: ServiceCall) -> Household:
    """Return the household an action targets, refusing anything else."""
    entry_id: str | None = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if entry_id is None:
        households: list[SmartCommunityConfigEntry] = [
            entry
            for entry in hass.config_entries.async_entries(DOMAIN)
            if entry.data.get(CONF_ROLE) == ROLE_HOUSEHOLD
        ]
        if len(households) != 1:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="household_required",
            )
        entry = households[0]
    else:
        entry = async_get_config_entry(hass, DOMAIN, entry_id)
    if entry.data.get(CONF_ROLE) != ROLE_HOUSEHOLD:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_household",
            translation_placeholders={"entry": entry.title},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"entry": entry.title},
        )
    household = entry.runtime_data.household
    assert household is not None
    return household


def _targets(household: Household, call: ServiceCall) -> list[Alarm]:
    """Return the alarm named in the call, or every active alarm."""
    alarm_id: str | None = call.data.get(ATTR_ALARM_ID)
    if alarm_id is not None:
        try:
            return [household.book.get(alarm_id)]
        except AlarmError as err:
            raise _validation_error(err) from err
    active = household.book.active
    if not active:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_active_alarm"
        )
    return active


def _validation_error(err: AlarmError) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=err.key,
        translation_placeholders={"alarm_id": err.alarm_id},
    )


def _alarm_response(alarms: list[Alarm]) -> dict[str, Any]:
    return {
        "alarms": [
            {
                "alarm_id": alarm.alarm_id,
                "kind": alarm.kind.value,
                "status": alarm.status.value,
            }
            for alarm in alarms
        ]
    }


async def _async_raise(call: ServiceCall) -> ServiceResponse:
    household = _household(call.hass, call)
    by = await household.async_user_name(call.context)
    alarm = await household.async_raise(
        AlarmKind(call.data[ATTR_KIND]),
        call.data.get(ATTR_SOURCE) or "manual",
        by=by,
        message=call.data.get(ATTR_MESSAGE),
    )
    return {
        "alarm_id": alarm.alarm_id,
        "kind": alarm.kind.value,
        "status": alarm.status.value,
    }


async def _async_acknowledge(call: ServiceCall) -> ServiceResponse:
    household = _household(call.hass, call)
    alarms = _targets(household, call)
    by = await household.async_user_name(call.context)
    for alarm in alarms:
        try:
            await household.async_acknowledge(alarm.alarm_id, by)
        except AlarmError as err:
            raise _validation_error(err) from err
    return _alarm_response(alarms)


async def _async_resolve(call: ServiceCall) -> ServiceResponse:
    household = _household(call.hass, call)
    alarms = _targets(household, call)
    by = await household.async_user_name(call.context)
    for alarm in alarms:
        try:
            await household.async_resolve(alarm.alarm_id, by)
        except AlarmError as err:
            raise _validation_error(err) from err
    return _alarm_response(alarms)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_RAISE_ALARM,
        _async_raise,
        schema=RAISE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_ACKNOWLEDGE_ALARM,
        _async_acknowledge,
        schema=ALARM_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_RESOLVE_ALARM,
        _async_resolve,
        schema=ALARM_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
