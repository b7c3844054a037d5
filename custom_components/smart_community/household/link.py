"""The household's end of the link: alarms go up, the property's answers come back."""

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from ..community.workorders import WorkOrder, WorkOrderStatus
from ..const import (
    CONF_BROADCAST_KEY,
    CONF_COMMUNITY_ID,
    CONF_HOUSEHOLD_ID,
    CONF_LINK_CODE,
    CONF_LINK_COMMUNITY,
    CONF_LINK_KEY,
    CONF_LINK_MODE,
    CONF_ROLE,
    DOMAIN,
    LINK_NONE,
    LOGGER,
    ROLE_COMMUNITY,
    SUBENTRY_HOUSEHOLD,
    TRANSPORT_IN_PROCESS,
    TRANSPORT_MQTT,
)
from ..core.alarm import AlarmError
from ..link.broker import key_from_text
from ..link.code import LinkCode, LinkCodeError
from ..link.endpoint import LinkEndpoint
from ..link.mqtt import MqttSettings
from ..link.protocol import Envelope, MessageType
from ..linking import StoreLinkStorage, household_transport
from .runtime import AlarmEventType, AlarmUpdate, Household

ORIGIN_LINK = "link"


class LinkNotReadyError(Exception):
    """The household cannot join the link yet; `key` is a translation key."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkSettings:
    """Where and how a household joins its community's link."""

    community_id: str
    household_id: str
    key: bytes
    broadcast_key: bytes
    mqtt: MqttSettings | None


def resolve_link_settings(
    hass: HomeAssistant, data: Any, household_id: str
) -> LinkSettings | None:
    """Return the household's link settings, None when unlinked; raise LinkNotReadyError."""
    mode = data.get(CONF_LINK_MODE, LINK_NONE)
    if mode == TRANSPORT_MQTT:
        try:
            code = LinkCode.decode(data[CONF_LINK_CODE])
        except (LinkCodeError, KeyError) as err:
            raise LinkNotReadyError("invalid_link_code") from err
        mqtt = None
        if code.uses_mqtt:
            assert code.host is not None
            assert code.port is not None
            mqtt = MqttSettings(
                host=code.host,
                port=code.port,
                community=code.community,
                username=code.username,
                password=code.password,
                tls=code.tls,
            )
        return LinkSettings(
            community_id=code.community,
            household_id=code.household,
            key=key_from_text(code.key),
            broadcast_key=key_from_text(code.broadcast_key),
            mqtt=mqtt,
        )
    if mode == TRANSPORT_IN_PROCESS:
        entry = hass.config_entries.async_get_entry(data.get(CONF_LINK_COMMUNITY, ""))
        if (
            entry is None
            or entry.domain != DOMAIN
            or entry.data.get(CONF_ROLE) != ROLE_COMMUNITY
        ):
            raise LinkNotReadyError("community_missing")
        subentry = _household_subentry(entry, household_id)
        if subentry is None:
            raise LinkNotReadyError("not_registered")
        return LinkSettings(
            community_id=entry.data[CONF_COMMUNITY_ID],
            household_id=household_id,
            key=key_from_text(subentry[CONF_LINK_KEY]),
            broadcast_key=key_from_text(entry.data[CONF_BROADCAST_KEY]),
            mqtt=None,
        )
    return None


def _household_subentry(entry: ConfigEntry, household_id: str) -> Any:
    for subentry in entry.subentries.values():
        if (
            subentry.subentry_type == SUBENTRY_HOUSEHOLD
            and subentry.data.get(CONF_HOUSEHOLD_ID) == household_id
        ):
            return subentry.data
    return None


class HouseholdLink:
    """Sends the household's alarm changes to the community and applies its answers."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        household: Household,
        settings: LinkSettings,
    ) -> None:
        self.hass = hass
        self.household = household
        self.settings = settings
        self.endpoint = LinkEndpoint.for_household(
            settings.household_id,
            settings.key,
            settings.broadcast_key,
            household_transport(
                hass, settings.community_id, settings.household_id, settings.mqtt
            ),
            StoreLinkStorage(hass, f"{DOMAIN}.{entry_id}.link"),
            self._async_handle,
        )
        self._unsub: CALLBACK_TYPE | None = None
        # Extensions (the intercom) handle their own message types here.
        self.message_handlers: dict[
            MessageType, Callable[[Envelope], Coroutine[Any, Any, None]]
        ] = {}

    async def async_start(self) -> None:
        """Start the endpoint and follow the household's alarms."""
        self._unsub = self.household.async_add_listener(self._on_update)
        await self.endpoint.start()

    async def async_stop(self) -> None:
        """Stop following alarms and stop the endpoint (pending messages stay saved)."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
        await self.endpoint.stop()

    @callback
    def _on_update(self, update: AlarmUpdate) -> None:
        if update.retrigger or update.origin == ORIGIN_LINK:
            return
        alarm = update.alarm
        match update.event_type:
            case AlarmEventType.RAISED:
                body: dict[str, Any] = {
                    "alarm_id": alarm.alarm_id,
                    "kind": alarm.kind.value,
                    "raised_at": alarm.raised_at,
                    "source": alarm.source,
                    "location": self.household.settings.address,
                }
                if alarm.message:
                    body["details"] = {"message": alarm.message}
                message = (MessageType.ALARM_RAISED, body)
            case AlarmEventType.ACKNOWLEDGED:
                message = (
                    MessageType.ALARM_ACKNOWLEDGED,
                    {"alarm_id": alarm.alarm_id, "by": update.by or ""},
                )
            case AlarmEventType.RESOLVED:
                message = (
                    MessageType.ALARM_RESOLVED,
                    {"alarm_id": alarm.alarm_id, "by": update.by or ""},
                )
            case _:
                return
        self.hass.async_create_task(
            self._async_send(*message), f"{DOMAIN} link send {alarm.alarm_id}"
        )

    async def async_file_work_order(self, order: WorkOrder) -> None:
        """Send a new work order to the property (persisted before this returns)."""
        lines = order.text.splitlines() or [""]
        body: dict[str, Any] = {
            "work_order_id": order.order_id,
            "title": lines[0][:200],
            "category": order.category.value,
            "by": order.created_by or "",
        }
        if len(lines) > 1 or len(lines[0]) > 200:
            body["description"] = order.text
        if order.photo:
            body["photo"] = order.photo
        await self.endpoint.send(MessageType.WORK_ORDER_CREATED, body)

    async def async_cancel_work_order(self, order_id: str) -> None:
        """Tell the property the family withdrew an order."""
        await self.endpoint.send(
            MessageType.WORK_ORDER_UPDATED,
            {"work_order_id": order_id, "status": WorkOrderStatus.CANCELLED.value},
        )

    async def _async_send(
        self, message_type: MessageType, body: dict[str, Any]
    ) -> None:
        # The outbox persists before returning: the message survives a crash from here on.
        await self.endpoint.send(message_type, body)

    async def _async_handle(self, envelope: Envelope) -> None:
        body = envelope.body
        household = self.household
        match envelope.type:
            case MessageType.ALARM_ACKNOWLEDGED:
                await self._async_apply(
                    body["alarm_id"],
                    "acknowledge",
                    body.get("by") or None,
                )
            case MessageType.ALARM_DISPATCHED:
                await self._async_apply(
                    body["alarm_id"], "arrived", body.get("responder") or None
                )
            case MessageType.ALARM_RESOLVED:
                await self._async_apply(
                    body["alarm_id"], "resolve", body.get("by") or None
                )
            case MessageType.ANNOUNCEMENT:
                if await household.desk.async_announce(
                    body, household.settings.language
                ):
                    household.async_desk_changed()
                await self.endpoint.send(
                    MessageType.ANNOUNCEMENT_RECEIPT,
                    {"announcement_id": body["announcement_id"]},
                )
            case MessageType.WORK_ORDER_UPDATED:
                order = await household.desk.async_apply_update(body)
                if order is not None:
                    household.async_desk_changed()
                    await household.responder.async_work_order_update(order)
            case _ if envelope.type in self.message_handlers:
                await self.message_handlers[envelope.type](envelope)
            case _:
                LOGGER.debug(
                    "Household %s ignores %s", household.settings.name, envelope.type
                )

    async def _async_apply(self, alarm_id: str, verb: str, by: str | None) -> None:
        household = self.household
        if alarm_id not in household.book:
            LOGGER.warning("The property answered about unknown alarm %s", alarm_id)
            return
        alarm = household.book.get(alarm_id)
        if not alarm.active:
            return
        try:
            match verb:
                case "acknowledge":
                    await household.async_acknowledge(
                        alarm_id,
                        by,
                        origin=ORIGIN_LINK,
                        message="property_acknowledged",
                    )
                case "arrived":
                    await household.async_note_arrival(alarm_id, by)
                case _:
                    await household.async_resolve(alarm_id, by, origin=ORIGIN_LINK)
        except (
            AlarmError
        ) as err:  # pragma: no cover - guarded by the active check above
            LOGGER.debug(
                "Ignoring the property's %s of %s: %s", verb, alarm_id, err.key
            )
