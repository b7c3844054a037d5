"""Actions: raise, acknowledge and resolve household alarms."""

from datetime import timedelta
from pathlib import Path
import secrets
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
from homeassistant.helpers.service import (
    async_get_config_entry,
    async_register_admin_service,
)
from homeassistant.util import dt as dt_util

from .community.announcements import AnnouncementError, Target, Urgency
from .community.runtime import Community
from .community.workorders import WorkOrderCategory, WorkOrderError, WorkOrderStatus
from .const import (
    ATTR_ALARM_ID,
    ATTR_ASSIGNEE,
    ATTR_BROKER_HOST,
    ATTR_BROKER_PORT,
    ATTR_BUILDINGS,
    ATTR_CATEGORY,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DIRECTORY,
    ATTR_HOUSEHOLD,
    ATTR_HOUSEHOLDS,
    ATTR_KIND,
    ATTR_MESSAGE,
    ATTR_MESSAGE_EN,
    ATTR_MESSAGE_ZH,
    ATTR_NAME,
    ATTR_NOTE,
    ATTR_PHOTO,
    ATTR_PLATE,
    ATTR_SOURCE,
    ATTR_STATUS,
    ATTR_TEXT,
    ATTR_URGENCY,
    ATTR_VALID_FROM,
    ATTR_VALID_UNTIL,
    ATTR_WORK_ORDER_ID,
    CONF_BROADCAST_KEY,
    CONF_HOUSEHOLD_ID,
    CONF_LINK_KEY,
    CONF_MQTT_HOST,
    CONF_MQTT_PASSWORD,
    CONF_MQTT_PORT,
    CONF_MQTT_TLS,
    CONF_ROLE,
    CONF_TRANSPORT,
    DOMAIN,
    ROLE_HOUSEHOLD,
    SERVICE_ACKNOWLEDGE_ALARM,
    SERVICE_BROADCAST,
    SERVICE_EXPORT_BROKER_CONFIG,
    SERVICE_FILE_WORK_ORDER,
    SERVICE_GET_LINK_CODE,
    SERVICE_MARK_ARRIVED,
    SERVICE_RAISE_ALARM,
    SERVICE_REGISTER_VISITOR_PASS,
    SERVICE_RESOLVE_ALARM,
    SERVICE_UPDATE_WORK_ORDER,
    SUBENTRY_HOUSEHOLD,
    TRANSPORT_MQTT,
)
from .core.alarm import Alarm, AlarmBook, AlarmError, AlarmKind
from .household.runtime import Household
from .intercom_services import async_setup_intercom_services
from .link.broker import build_broker_config, household_username
from .link.code import LinkCode
from .link.protocol import MessageType
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
LINK_CODE_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Required(ATTR_HOUSEHOLD): cv.string,
        probatio.Optional(ATTR_BROKER_HOST): cv.string,
        probatio.Optional(ATTR_BROKER_PORT): cv.port,
    }
)
VISITOR_PASS_SCHEMA = probatio.Schema(
    {
        probatio.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Optional(ATTR_PLATE): probatio.All(cv.string, probatio.Length(max=20)),
        probatio.Optional(ATTR_NAME): probatio.All(cv.string, probatio.Length(max=100)),
        probatio.Optional(ATTR_VALID_FROM): cv.datetime,
        probatio.Required(ATTR_VALID_UNTIL): cv.datetime,
    }
)
MAX_PASS_LENGTH = timedelta(days=7)
BROADCAST_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Optional(ATTR_MESSAGE_ZH): probatio.All(
            cv.string, probatio.Length(max=1000)
        ),
        probatio.Optional(ATTR_MESSAGE_EN): probatio.All(
            cv.string, probatio.Length(max=1000)
        ),
        probatio.Optional(ATTR_URGENCY, default=Urgency.NORMAL.value): probatio.In(
            [urgency.value for urgency in Urgency]
        ),
        probatio.Optional(ATTR_BUILDINGS): probatio.All(cv.ensure_list, [cv.string]),
        probatio.Optional(ATTR_HOUSEHOLDS): probatio.All(cv.ensure_list, [cv.string]),
    }
)
FILE_WORK_ORDER_SCHEMA = probatio.Schema(
    {
        probatio.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Optional(
            ATTR_CATEGORY, default=WorkOrderCategory.REPAIR.value
        ): probatio.In([category.value for category in WorkOrderCategory]),
        probatio.Required(ATTR_TEXT): probatio.All(
            cv.string, probatio.Length(min=1, max=2000)
        ),
        probatio.Optional(ATTR_PHOTO): probatio.All(
            cv.string, probatio.Length(max=500)
        ),
    }
)
UPDATE_WORK_ORDER_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Required(ATTR_WORK_ORDER_ID): cv.string,
        probatio.Required(ATTR_STATUS): probatio.In(
            [
                status.value
                for status in WorkOrderStatus
                if status is not WorkOrderStatus.OPEN
            ]
        ),
        probatio.Optional(ATTR_ASSIGNEE): probatio.All(
            cv.string, probatio.Length(max=100)
        ),
        probatio.Optional(ATTR_NOTE): probatio.All(
            cv.string, probatio.Length(max=1000)
        ),
    }
)
BROKER_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Optional(ATTR_DIRECTORY): cv.string,
    }
)


def _household(hass: HomeAssistant, call: ServiceCall) -> Household:
    """Return the household an action targets, refusing anything else."""
    entry = _entry(hass, call)
    if entry.data.get(CONF_ROLE) != ROLE_HOUSEHOLD:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_household",
            translation_placeholders={"entry": entry.title},
        )
    household = entry.runtime_data.household
    assert household is not None
    return household


def _community(hass: HomeAssistant, call: ServiceCall) -> Community:
    """Return the community an action targets, refusing anything else."""
    entry = async_get_config_entry(hass, DOMAIN, call.data[ATTR_CONFIG_ENTRY_ID])
    community: Community | None = entry.runtime_data.community
    if community is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_community",
            translation_placeholders={"entry": entry.title},
        )
    return community


def _entry(hass: HomeAssistant, call: ServiceCall) -> SmartCommunityConfigEntry:
    """Return the loaded entry an action targets (the only household when none is named)."""
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
        return async_get_config_entry(hass, DOMAIN, entry_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"entry": entry.title},
        )
    return entry


def _targets(book: AlarmBook, call: ServiceCall) -> list[Alarm]:
    """Return the alarm named in the call, or every active alarm."""
    alarm_id: str | None = call.data.get(ATTR_ALARM_ID)
    if alarm_id is not None:
        try:
            return [book.get(alarm_id)]
        except AlarmError as err:
            raise _validation_error(err) from err
    active = book.active
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


async def _async_apply(call: ServiceCall, verb: str) -> ServiceResponse:
    """Acknowledge, mark arrived or resolve: on a household, or on the duty room's board."""
    entry = _entry(call.hass, call)
    runtime = entry.runtime_data.household or entry.runtime_data.community
    assert runtime is not None
    if verb == "arrived" and entry.runtime_data.community is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_community",
            translation_placeholders={"entry": entry.title},
        )
    book = runtime.book if isinstance(runtime, Household) else runtime.board
    alarms = _targets(book, call)
    by = await runtime.async_user_name(call.context)
    for alarm in alarms:
        try:
            match verb:
                case "acknowledge":
                    await runtime.async_acknowledge(alarm.alarm_id, by)
                case "resolve":
                    await runtime.async_resolve(alarm.alarm_id, by)
                case _:
                    assert isinstance(runtime, Community)
                    await runtime.async_mark_arrived(alarm.alarm_id, by)
        except AlarmError as err:
            raise _validation_error(err) from err
    return _alarm_response(alarms)


async def _async_acknowledge(call: ServiceCall) -> ServiceResponse:
    return await _async_apply(call, "acknowledge")


async def _async_resolve(call: ServiceCall) -> ServiceResponse:
    return await _async_apply(call, "resolve")


async def _async_mark_arrived(call: ServiceCall) -> ServiceResponse:
    return await _async_apply(call, "arrived")


def _household_credentials(community: Community, household_id: str) -> Any:
    for subentry in community.entry.subentries.values():
        if (
            subentry.subentry_type == SUBENTRY_HOUSEHOLD
            and subentry.data[CONF_HOUSEHOLD_ID] == household_id
        ):
            return subentry.data
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="household_not_registered",
        translation_placeholders={"household": household_id},
    )


async def _async_get_link_code(call: ServiceCall) -> ServiceResponse:
    community = _community(call.hass, call)
    credentials = _household_credentials(community, call.data[ATTR_HOUSEHOLD])
    data = community.entry.data
    code = LinkCode(
        community=community.community_id,
        household=credentials[CONF_HOUSEHOLD_ID],
        key=credentials[CONF_LINK_KEY],
        broadcast_key=data[CONF_BROADCAST_KEY],
        host=call.data.get(ATTR_BROKER_HOST) or data.get(CONF_MQTT_HOST)
        if data.get(CONF_TRANSPORT) == TRANSPORT_MQTT
        else None,
        port=int(call.data.get(ATTR_BROKER_PORT) or data.get(CONF_MQTT_PORT) or 1883)
        if data.get(CONF_TRANSPORT) == TRANSPORT_MQTT
        else None,
        tls=bool(data.get(CONF_MQTT_TLS)),
        username=household_username(
            community.community_id, credentials[CONF_HOUSEHOLD_ID]
        )
        if data.get(CONF_TRANSPORT) == TRANSPORT_MQTT
        else None,
        password=credentials[CONF_MQTT_PASSWORD]
        if data.get(CONF_TRANSPORT) == TRANSPORT_MQTT
        else None,
    )
    return {"household": credentials[CONF_HOUSEHOLD_ID], "link_code": code.encode()}


async def _async_export_broker_config(call: ServiceCall) -> ServiceResponse:
    community = _community(call.hass, call)
    data = community.entry.data
    if not data.get(CONF_MQTT_PASSWORD):
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_broker_configured"
        )
    passwords = {
        subentry.data[CONF_HOUSEHOLD_ID]: subentry.data[CONF_MQTT_PASSWORD]
        for subentry in community.entry.subentries.values()
        if subentry.subentry_type == SUBENTRY_HOUSEHOLD
    }
    config = build_broker_config(
        community.community_id,
        data[CONF_MQTT_PASSWORD],
        passwords,
        port=int(data.get(CONF_MQTT_PORT, 1883)),
        tls=bool(data.get(CONF_MQTT_TLS)),
    )
    files = config.files()
    directory: str | None = call.data.get(ATTR_DIRECTORY)
    if directory is not None:
        target = Path(call.hass.config.path(directory))
        allowed = await call.hass.async_add_executor_job(
            call.hass.config.is_allowed_path, str(target)
        )
        if not allowed:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="path_not_allowed",
                translation_placeholders={"path": str(target)},
            )
        await call.hass.async_add_executor_job(_write_files, target, files)
    return {"files": dict(files), "households": sorted(passwords)}


async def _async_broadcast(call: ServiceCall) -> ServiceResponse:
    community = _community(call.hass, call)
    buildings = call.data.get(ATTR_BUILDINGS) or []
    households = call.data.get(ATTR_HOUSEHOLDS) or []
    if buildings and households:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="one_kind_of_target"
        )
    target = (
        Target.buildings(buildings)
        if buildings
        else Target.households(households)
        if households
        else Target.everyone()
    )
    try:
        result = await community.async_broadcast(
            text_zh=call.data.get(ATTR_MESSAGE_ZH),
            text_en=call.data.get(ATTR_MESSAGE_EN),
            urgency=Urgency(call.data[ATTR_URGENCY]),
            target=target,
            by=await community.async_user_name(call.context),
        )
    except AnnouncementError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key=err.key
        ) from err
    if not result.delivery.targeted:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="announcement_no_targets",
        )
    targeted: list[Any] = sorted(result.delivery.targeted)
    unknown: list[Any] = sorted(result.unknown_targets)
    return {
        "announcement_id": result.delivery.announcement.announcement_id,
        "targeted": targeted,
        "unknown_targets": unknown,
    }


async def _async_file_work_order(call: ServiceCall) -> ServiceResponse:
    household = _household(call.hass, call)
    entry = _entry(call.hass, call)
    link = entry.runtime_data.link
    if link is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_linked",
            translation_placeholders={"household": household.settings.name},
        )
    try:
        order = household.desk.file(
            household.settings.household_id,
            WorkOrderCategory(call.data[ATTR_CATEGORY]),
            call.data[ATTR_TEXT].strip(),
            await household.async_user_name(call.context),
            call.data.get(ATTR_PHOTO),
        )
    except WorkOrderError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key=err.key
        ) from err
    await household.desk.async_save()
    await link.async_file_work_order(order)
    household.async_desk_changed()
    return {"work_order_id": order.order_id, "status": order.status.value}


async def _async_update_work_order(call: ServiceCall) -> ServiceResponse:
    community = _community(call.hass, call)
    try:
        order = await community.async_update_work_order(
            call.data[ATTR_WORK_ORDER_ID],
            WorkOrderStatus(call.data[ATTR_STATUS]),
            by=await community.async_user_name(call.context),
            assignee=call.data.get(ATTR_ASSIGNEE),
            note=call.data.get(ATTR_NOTE),
        )
    except WorkOrderError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=err.key,
            translation_placeholders={"work_order_id": err.order_id},
        ) from err
    return {
        "work_order_id": order.order_id,
        "status": order.status.value,
        "assignee": order.assignee,
    }


async def _async_register_visitor_pass(call: ServiceCall) -> ServiceResponse:
    household = _household(call.hass, call)
    link = _entry(call.hass, call).runtime_data.link
    if link is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_linked",
            translation_placeholders={"household": household.settings.name},
        )
    plate = (call.data.get(ATTR_PLATE) or "").strip()
    name = (call.data.get(ATTR_NAME) or "").strip()
    start = dt_util.as_utc(call.data.get(ATTR_VALID_FROM) or dt_util.utcnow())
    until = dt_util.as_utc(call.data[ATTR_VALID_UNTIL])
    if not plate and not name:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="pass_needs_plate_or_name"
        )
    if not start < until <= start + MAX_PASS_LENGTH:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="pass_bad_window"
        )
    pass_id = secrets.token_hex(16)
    body: dict[str, Any] = {
        "pass_id": pass_id,
        "valid_from": start.timestamp(),
        "valid_until": until.timestamp(),
    }
    if plate:
        body["plate"] = plate
    if name:
        body["name"] = name
    await link.endpoint.send(MessageType.VISITOR_PASS, body)
    return {"pass_id": pass_id, "valid_until": until.isoformat()}


def _write_files(directory: Path, files: dict[str, str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = directory / name
        path.write_text(content, encoding="utf-8")
        path.chmod(0o600)


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
    hass.services.async_register(
        DOMAIN,
        SERVICE_MARK_ARRIVED,
        _async_mark_arrived,
        schema=ALARM_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_REGISTER_VISITOR_PASS,
        _async_register_visitor_pass,
        schema=VISITOR_PASS_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_BROADCAST,
        _async_broadcast,
        schema=BROADCAST_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_FILE_WORK_ORDER,
        _async_file_work_order,
        schema=FILE_WORK_ORDER_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_UPDATE_WORK_ORDER,
        _async_update_work_order,
        schema=UPDATE_WORK_ORDER_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_GET_LINK_CODE,
        _async_get_link_code,
        schema=LINK_CODE_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_EXPORT_BROKER_CONFIG,
        _async_export_broker_config,
        schema=BROKER_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    async_setup_intercom_services(hass)
