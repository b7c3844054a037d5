"""Door intercom actions: ring a household from a door station, set a household's door PIN."""

from typing import Any, Final

import probatio

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import (
    async_get_config_entry,
    async_register_admin_service,
)

from .community.intercom_hub import IntercomHub, IntercomHubError, hub_of
from .const import ATTR_CONFIG_ENTRY_ID, ATTR_HOUSEHOLD, DOMAIN
from .household.intercom_voice import async_setup_intercom_voice
from .intercom.access import PinError
from .intercom.rooms import RoomError, parse_household_id

SERVICE_CALL_HOUSEHOLD: Final = "call_household"
SERVICE_SET_DOOR_PIN: Final = "set_door_pin"
ATTR_STATION: Final = "station"
ATTR_ROOM: Final = "room"
ATTR_VISITOR: Final = "visitor"
ATTR_PIN: Final = "pin"

CALL_HOUSEHOLD_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Required(ATTR_STATION): cv.string,
        probatio.Required(ATTR_ROOM): cv.string,
        probatio.Optional(ATTR_VISITOR): cv.string,
    }
)
SET_DOOR_PIN_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Required(ATTR_HOUSEHOLD): cv.string,
        probatio.Optional(ATTR_PIN): cv.string,
    }
)


def _hub(hass: HomeAssistant, call: ServiceCall) -> IntercomHub:
    """Return the intercom hub of the community an action targets."""
    entry = async_get_config_entry(hass, DOMAIN, call.data[ATTR_CONFIG_ENTRY_ID])
    community = entry.runtime_data.community
    hub = None if community is None else hub_of(community)
    if hub is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_community",
            translation_placeholders={"entry": entry.title},
        )
    return hub


def _validation(err: IntercomHubError) -> ServiceValidationError:
    """Return a hub refusal as a validation error."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=err.key,
        translation_placeholders=err.translation_placeholders,
    )


async def _async_call_household(call: ServiceCall) -> ServiceResponse:
    """Ring the household a visitor asked for at a door station."""
    hub = _hub(call.hass, call)
    station_id: str = call.data[ATTR_STATION]
    config = hub.stations.get(station_id)
    if config is None:
        raise _validation(IntercomHubError("unknown_station", station=station_id))
    try:
        household_id = parse_household_id(
            call.data[ATTR_ROOM],
            building=config.station.building,
            unit=config.station.unit,
        )
    except RoomError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="bad_room",
            translation_placeholders={
                "room": call.data[ATTR_ROOM][:40],
                "reason": err.key.value,
            },
        ) from err
    try:
        visitor_call = await hub.async_call_household(
            station_id, household_id, call.data.get(ATTR_VISITOR)
        )
    except IntercomHubError as err:
        raise _validation(err) from err
    response: dict[str, Any] = {
        "call_id": visitor_call.call_id,
        "household_id": household_id,
        "station": station_id,
    }
    return response


async def _async_set_door_pin(call: ServiceCall) -> None:
    """Set or clear (no pin) a household's PIN for opening a gate without a call."""
    hub = _hub(call.hass, call)
    try:
        await hub.async_set_pin(call.data[ATTR_HOUSEHOLD], call.data.get(ATTR_PIN))
    except IntercomHubError as err:
        raise _validation(err) from err
    except PinError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key=err.key
        ) from err


@callback
def async_setup_intercom_services(hass: HomeAssistant) -> None:
    """Register the door intercom's actions."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_CALL_HOUSEHOLD,
        _async_call_household,
        schema=CALL_HOUSEHOLD_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_SET_DOOR_PIN,
        _async_set_door_pin,
        schema=SET_DOOR_PIN_SCHEMA,
    )
    async_setup_intercom_voice(hass)
