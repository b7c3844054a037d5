"""The community (property) side at run time: the link, the duty room's alarm board."""

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, Context, Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady, HomeAssistantError
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_time_interval,
)
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_BROADCAST_KEY,
    CONF_BUILDING,
    CONF_COMMUNITY_ID,
    CONF_COMMUNITY_NAME,
    CONF_CONTACTS,
    CONF_CONTACTS_DELAY,
    CONF_DUTY_DELAY,
    CONF_EMERGENCY_CONTACTS,
    CONF_HISTORY_URL,
    CONF_HOUSEHOLD_ID,
    CONF_HOUSEHOLD_NAME,
    CONF_LANGUAGE,
    CONF_LINK_KEY,
    CONF_MQTT_CA,
    CONF_MQTT_HOST,
    CONF_MQTT_PASSWORD,
    CONF_MQTT_PORT,
    CONF_MQTT_TLS,
    CONF_MQTT_USERNAME,
    CONF_NOTIFY_TARGET,
    CONF_RETENTION_DAYS,
    CONF_ROOM,
    CONF_STAFF_NAME,
    CONF_STAFF_ROLE,
    CONF_TRANSPORT,
    CONF_UNIT,
    CONF_USER_ID,
    DEFAULT_CONTACTS_DELAY,
    DEFAULT_DUTY_DELAY,
    DEFAULT_RETENTION_DAYS,
    DOMAIN,
    EVENT_MOBILE_APP_NOTIFICATION_ACTION,
    LOGGER,
    NOTIFY_ACTION_COMMUNITY_ACK_PREFIX,
    STAFF_DUTY,
    STORAGE_VERSION,
    SUBENTRY_HOUSEHOLD,
    SUBENTRY_STAFF,
    TRANSPORT_MQTT,
)
from ..core.alarm import (
    Alarm,
    AlarmAction,
    AlarmBook,
    AlarmKind,
    CorruptStateError,
    EscalationPolicy,
    EscalationStep,
)
from ..core.phrases import Language, kind_name, language_for, text
from ..household.settings import household_id as address_id, notify_service
from ..link.broker import community_username, key_from_text
from ..link.endpoint import LinkEndpoint
from ..link.mqtt import ERROR_AUTH, MqttSettings, MqttTransport
from ..link.protocol import Envelope, MessageType
from ..linking import StoreLinkStorage, community_transport
from .announcements import (
    Announcement,
    AnnouncementError,
    PublishResult,
    ReceiptOutcome,
    Target,
    Urgency,
    new_announcement_id,
)
from .desk import CommunityDesk
from .extensions import CommunityExtension
from .history import HistoryError, sqlite_url
from .workorders import (
    InvalidWorkOrderError,
    WorkOrder,
    WorkOrderCategory,
    WorkOrderError,
    WorkOrderStatus,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class HouseholdRecord:
    """A household registered with the community (one household subentry)."""

    subentry_id: str
    household_id: str
    name: str
    building: str
    unit: str
    room: str
    contacts: tuple[str, ...]
    key: bytes

    @property
    def address(self) -> str:
        """Return building-unit-room."""
        return f"{self.building}-{self.unit}-{self.room}"


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffRecord:
    """A member of the property's staff (one staff subentry)."""

    user_id: str | None
    name: str
    role: str
    notify_target: str | None


class BoardEventType(StrEnum):
    """What changed on the alarm board or the desk."""

    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    ARRIVED = "arrived"
    RESOLVED = "resolved"
    ESCALATED = "escalated"
    LINK = "link"
    DESK = "desk"


@dataclass(frozen=True, slots=True)
class BoardUpdate:
    """A change on the community's board, sent to its entities."""

    event_type: BoardEventType
    alarm: Alarm | None = None
    household: str | None = None


type BoardListener = Callable[[BoardUpdate], None]


@dataclass(kw_only=True)
class CommunitySettings:
    """The community's settings, read from its entry and subentries."""

    community_id: str
    name: str
    language: Language
    broadcast_key: bytes
    mqtt: MqttSettings | None
    households: dict[str, HouseholdRecord] = field(default_factory=dict)
    staff: list[StaffRecord] = field(default_factory=list)
    emergency_contacts: tuple[str, ...] = ()
    duty_delay: float = DEFAULT_DUTY_DELAY
    contacts_delay: float = DEFAULT_CONTACTS_DELAY
    history_url: str = ""
    retention_days: float = DEFAULT_RETENTION_DAYS

    @classmethod
    def from_entry(
        cls, entry: ConfigEntry, hass_language: str, config_dir: str = "."
    ) -> CommunitySettings:
        """Build the settings from the community entry and its subentries."""
        data, options = entry.data, entry.options
        mqtt = None
        if data.get(CONF_TRANSPORT) == TRANSPORT_MQTT:
            mqtt = MqttSettings(
                host=data[CONF_MQTT_HOST],
                port=int(data[CONF_MQTT_PORT]),
                community=data[CONF_COMMUNITY_ID],
                username=data.get(CONF_MQTT_USERNAME)
                or community_username(data[CONF_COMMUNITY_ID]),
                password=data.get(CONF_MQTT_PASSWORD),
                tls=bool(data.get(CONF_MQTT_TLS)),
                ca_certs=data.get(CONF_MQTT_CA) or None,
            )
        settings = cls(
            community_id=data[CONF_COMMUNITY_ID],
            name=data[CONF_COMMUNITY_NAME],
            language=Language(data[CONF_LANGUAGE])
            if data.get(CONF_LANGUAGE)
            else language_for(hass_language),
            broadcast_key=key_from_text(data[CONF_BROADCAST_KEY]),
            mqtt=mqtt,
            emergency_contacts=tuple(
                notify_service(t) for t in options.get(CONF_EMERGENCY_CONTACTS, ())
            ),
            duty_delay=float(options.get(CONF_DUTY_DELAY, DEFAULT_DUTY_DELAY)),
            contacts_delay=float(
                options.get(CONF_CONTACTS_DELAY, DEFAULT_CONTACTS_DELAY)
            ),
            history_url=options.get(CONF_HISTORY_URL)
            or sqlite_url(config_dir, f"smart_community_{data[CONF_COMMUNITY_ID]}.db"),
            retention_days=float(
                options.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS)
            ),
        )
        for subentry in entry.subentries.values():
            sub = subentry.data
            if subentry.subentry_type == SUBENTRY_HOUSEHOLD:
                settings.households[sub[CONF_HOUSEHOLD_ID]] = HouseholdRecord(
                    subentry_id=subentry.subentry_id,
                    household_id=sub[CONF_HOUSEHOLD_ID],
                    name=sub[CONF_HOUSEHOLD_NAME],
                    building=sub[CONF_BUILDING],
                    unit=sub[CONF_UNIT],
                    room=sub[CONF_ROOM],
                    contacts=tuple(sub.get(CONF_CONTACTS, ())),
                    key=key_from_text(sub[CONF_LINK_KEY]),
                )
            elif subentry.subentry_type == SUBENTRY_STAFF:
                settings.staff.append(
                    StaffRecord(
                        user_id=sub.get(CONF_USER_ID),
                        name=sub[CONF_STAFF_NAME],
                        role=sub[CONF_STAFF_ROLE],
                        notify_target=notify_service(sub[CONF_NOTIFY_TARGET])
                        if sub.get(CONF_NOTIFY_TARGET)
                        else None,
                    )
                )
        return settings

    def escalation_policy(self) -> EscalationPolicy:
        """Return the duty room's ladder: duty staff, then all staff, then the contact list."""
        duty = tuple(
            s.notify_target
            for s in self.staff
            if s.role == STAFF_DUTY and s.notify_target
        )
        everyone = tuple(s.notify_target for s in self.staff if s.notify_target)
        steps = [EscalationStep(self.duty_delay, everyone, "all_staff")]
        if self.emergency_contacts:
            steps.append(
                EscalationStep(
                    self.contacts_delay, self.emergency_contacts, "emergency_contacts"
                )
            )
        return EscalationPolicy((EscalationStep(0.0, duty or everyone, "duty"), *steps))


class Community:
    """The community runtime stored in its config entry's runtime_data."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, settings: CommunitySettings
    ) -> None:
        self.hass = hass
        self.entry = entry
        entry_id = self.entry_id = entry.entry_id
        self.settings = settings
        self.community_id = settings.community_id
        self.name = settings.name
        self.board = AlarmBook(settings.escalation_policy())
        self.endpoint = LinkEndpoint.for_community(
            self._household_key,
            settings.broadcast_key,
            community_transport(hass, settings.community_id, settings.mqtt),
            StoreLinkStorage(hass, f"{DOMAIN}.{entry_id}.link"),
            self._async_handle,
        )
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.board"
        )
        self.desk = CommunityDesk(
            hass,
            entry_id,
            settings.history_url,
            lambda: self._notify(BoardUpdate(BoardEventType.DESK)),
        )
        self._listeners: list[BoardListener] = []
        self._household_listeners: dict[str, list[BoardListener]] = {}
        # Extensions (intercom, Frigate) handle their own message types here.
        self.message_handlers: dict[
            MessageType, Callable[[Envelope], Coroutine[Any, Any, None]]
        ] = {}
        self.extensions: list[CommunityExtension] = []
        self._save_lock = asyncio.Lock()
        self._escalation_pending = False
        self._running = False
        self._dirty = False
        self._unsubs: list[CALLBACK_TYPE] = []
        self._escalation_timer: CALLBACK_TYPE | None = None

    # -- lifecycle ----------------------------------------------------------------

    async def async_start(self) -> None:
        """Open the history, load the board, start the link and pick up escalations."""
        try:
            await self.desk.async_open(dt_util.utcnow().timestamp())
        except HistoryError as err:
            await self.desk.async_close()
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key="history_unavailable",
                translation_placeholders={"error": err.key},
            ) from err
        try:
            self.board.load(await self._store.async_load())
        except CorruptStateError:
            LOGGER.exception("Stored alarm board of %s could not be read", self.name)
        self._unsubs.append(
            async_track_time_interval(
                self.hass, self._async_housekeeping, timedelta(hours=1)
            )
        )
        self._unsubs.append(self.endpoint.add_state_listener(self._on_link_state))
        if isinstance(self.endpoint.transport, MqttTransport):
            self.endpoint.transport.error_listener = self._on_link_error
        self._unsubs.append(
            self.hass.bus.async_listen(
                EVENT_MOBILE_APP_NOTIFICATION_ACTION, self._on_notification_action
            )
        )
        self._running = True
        await self.endpoint.start()
        self._schedule_escalation()

    async def async_stop(self) -> None:
        """Stop the link and timers; close the history."""
        self._running = False
        while self._unsubs:
            self._unsubs.pop()()
        if self._escalation_timer is not None:
            self._escalation_timer()
            self._escalation_timer = None
        await self.endpoint.stop()
        await self.desk.async_close()

    async def _async_housekeeping(self, _now: Any) -> None:
        now = dt_util.utcnow().timestamp()
        await self.desk.async_purge(now, self.settings.retention_days)
        await self.desk.async_refresh_report(now)
        self._notify(BoardUpdate(BoardEventType.DESK))

    @callback
    def async_add_listener(
        self, listener: BoardListener, household: str | None = None
    ) -> CALLBACK_TYPE:
        """Call `listener` on every board update, or only on one household's."""
        listeners = (
            self._listeners
            if household is None
            else self._household_listeners.setdefault(household, [])
        )
        listeners.append(listener)
        return lambda: listeners.remove(listener)

    def household(self, household_id: str) -> HouseholdRecord | None:
        """Return a registered household."""
        return self.settings.households.get(household_id)

    def alarms_of(self, household_id: str, *, active: bool = True) -> list[Alarm]:
        """Return a household's alarms on the board."""
        if active:
            return self.board.active_of(household_id)
        return [alarm for alarm in self.board.alarms if alarm.source == household_id]

    # -- incoming -----------------------------------------------------------------

    def _household_key(self, household_id: str) -> bytes | None:
        record = self.settings.households.get(household_id)
        return record.key if record else None

    async def _async_handle(self, envelope: Envelope) -> None:
        """Handle one verified message from a household."""
        body = envelope.body
        match envelope.type:
            case MessageType.ALARM_RAISED:
                await self._async_alarm_raised(envelope.household, body)
            case MessageType.ALARM_ACKNOWLEDGED:
                await self._async_note(
                    body["alarm_id"],
                    AlarmAction.NOTE,
                    f"family acknowledged: {body.get('by') or ''}",
                )
            case MessageType.ALARM_RESOLVED:
                if (
                    body["alarm_id"] in self.board
                    and self.board.get(body["alarm_id"]).active
                ):
                    self.board.resolve(
                        body["alarm_id"],
                        dt_util.utcnow().timestamp(),
                        f"family: {body.get('by') or ''}",
                    )
                    await self._async_changed(BoardEventType.RESOLVED, body["alarm_id"])
            case MessageType.ANNOUNCEMENT_RECEIPT:
                await self._async_receipt(envelope.household, body["announcement_id"])
            case MessageType.WORK_ORDER_CREATED:
                await self._async_work_order_filed(envelope.household, body)
            case MessageType.WORK_ORDER_UPDATED:
                await self._async_work_order_cancelled(envelope.household, body)
            case _ if envelope.type in self.message_handlers:
                await self.message_handlers[envelope.type](envelope)
            case _:
                LOGGER.debug("Ignoring %s from %s", envelope.type, envelope.household)

    async def _async_alarm_raised(
        self, household_id: str, body: dict[str, Any]
    ) -> None:
        alarm_id = body["alarm_id"]
        if alarm_id in self.board:
            # A re-send (its ack was lost): make sure the board is on disk before the
            # link acknowledges again.
            await self._async_save()
            return
        try:
            kind = AlarmKind(body["kind"])
        except ValueError:
            kind = AlarmKind.CUSTOM
        result = self.board.raise_alarm(
            kind,
            household_id,
            float(body["raised_at"]),
            by=body.get("source"),
            message=body.get("location"),
            alarm_id=alarm_id,
            # The household already merged its re-triggers: each of its alarms is one here.
            merge=False,
        )
        alarm = result.alarm
        record = self.household(household_id)
        LOGGER.info(
            "Duty room: %s alarm %s at %s",
            kind.value,
            alarm.alarm_id,
            record.address if record else household_id,
        )
        # Show it first; the link acknowledges only after the save below, so a crash
        # before it makes the household send the alarm again.
        self._notify(BoardUpdate(BoardEventType.RAISED, alarm, household_id))
        await self._async_record(alarm)
        if result.created:
            self._schedule_escalation()
            self.hass.async_create_task(
                self._async_tell_staff(
                    alarm,
                    self.board.policy.steps[0].targets,
                    "duty_title",
                    "duty_message",
                ),
                f"{DOMAIN} duty room {alarm.alarm_id}",
            )
        await self._async_save()

    async def _async_note(
        self, alarm_id: str, action: AlarmAction, detail: str
    ) -> None:
        if alarm_id not in self.board:
            return
        self.board.note(alarm_id, dt_util.utcnow().timestamp(), action, detail)
        await self._async_save()

    # -- the duty room's verbs ------------------------------------------------------

    async def async_acknowledge(self, alarm_id: str, by: str | None) -> bool:
        """Staff acknowledge; the household hears that the property has it."""
        changed = self.board.acknowledge(alarm_id, dt_util.utcnow().timestamp(), by)
        if changed:
            await self._async_tell_household(
                alarm_id,
                MessageType.ALARM_ACKNOWLEDGED,
                {"alarm_id": alarm_id, "by": by or "", "role": "property"},
            )
            await self._async_changed(BoardEventType.ACKNOWLEDGED, alarm_id)
        return changed

    async def async_mark_arrived(self, alarm_id: str, by: str | None) -> bool:
        """A responder reached the household."""
        now = dt_util.utcnow().timestamp()
        changed = self.board.mark_arrived(alarm_id, now, by)
        if changed:
            await self._async_tell_household(
                alarm_id,
                MessageType.ALARM_DISPATCHED,
                {
                    "alarm_id": alarm_id,
                    "responder": by or "",
                    "stage": "arrived",
                    "at": now,
                },
            )
            await self._async_changed(BoardEventType.ARRIVED, alarm_id)
        return changed

    async def async_resolve(self, alarm_id: str, by: str | None) -> None:
        """Staff resolve the alarm; the household's alarm is resolved too."""
        self.board.resolve(alarm_id, dt_util.utcnow().timestamp(), by)
        await self._async_tell_household(
            alarm_id,
            MessageType.ALARM_RESOLVED,
            {"alarm_id": alarm_id, "by": by or "", "role": "property"},
        )
        await self._async_changed(BoardEventType.RESOLVED, alarm_id)

    async def _async_tell_household(
        self, alarm_id: str, message_type: MessageType, body: dict[str, Any]
    ) -> None:
        """Send the duty room's answer to the household that raised the alarm, if any.

        Alarms of the community's own (gates, fire lanes, audio) have no household.
        """
        source = self.board.get(alarm_id).source
        if source in self.settings.households:
            await self.endpoint.send(message_type, body, source)

    async def async_user_name(self, context: Context | None) -> str | None:
        """Return the name of the user behind a context."""
        if context is None or context.user_id is None:
            return None
        user = await self.hass.auth.async_get_user(context.user_id)
        return user.name if user else None

    # -- announcements and work orders ---------------------------------------------

    async def async_broadcast(
        self,
        *,
        text_zh: str | None,
        text_en: str | None,
        urgency: Urgency,
        target: Target,
        by: str | None,
    ) -> PublishResult:
        """Send an announcement to every targeted household, one signed message each."""
        now = dt_util.utcnow().timestamp()
        announcement = Announcement(
            announcement_id=new_announcement_id(),
            created_at=now,
            text_zh=text_zh,
            text_en=text_en,
            urgency=urgency,
            target=target,
            created_by=by,
        )
        households = {
            hid: address_id(record.building, "x", "x").split("-")[0]
            for hid, record in self.settings.households.items()
        }
        if not announcement.target.resolve(households):
            raise AnnouncementError(
                "announcement_no_targets", announcement.announcement_id
            )
        result = self.desk.announcements.publish(announcement, households)
        body = {
            "announcement_id": announcement.announcement_id,
            "title": self.name,
            "message": text_zh or text_en or "",
            "message_zh": text_zh or "",
            "message_en": text_en or "",
            "priority": urgency.value,
            "receipt": True,
        }
        for household_id in sorted(result.delivery.targeted):
            await self.endpoint.send(MessageType.ANNOUNCEMENT, body, household_id)
        await self.desk.async_save()
        try:
            await self.desk.history.record_announcement(announcement)
        except HistoryError as err:
            LOGGER.error("Could not record announcement: %s", err)
        self._notify(BoardUpdate(BoardEventType.DESK))
        return result

    async def _async_receipt(self, household_id: str, announcement_id: str) -> None:
        try:
            outcome = self.desk.announcements.record_receipt(
                announcement_id, household_id, dt_util.utcnow().timestamp()
            )
        except AnnouncementError:
            LOGGER.warning(
                "Receipt from %s for unknown announcement %s",
                household_id,
                announcement_id,
            )
            return
        if outcome is ReceiptOutcome.RECORDED:
            await self.desk.async_save()
            try:
                await self.desk.history.record_receipt(
                    announcement_id, household_id, dt_util.utcnow().timestamp()
                )
            except HistoryError as err:
                LOGGER.error("Could not record receipt: %s", err)
            self._notify(BoardUpdate(BoardEventType.DESK))

    async def _async_work_order_filed(
        self, household_id: str, body: dict[str, Any]
    ) -> None:
        try:
            category = WorkOrderCategory(body.get("category", "other"))
        except ValueError:
            category = WorkOrderCategory.OTHER
        try:
            result = self.desk.work_orders.create(
                household_id,
                category,
                body.get("description") or body["title"],
                dt_util.utcnow().timestamp(),
                by=body.get("by"),
                photo=body.get("photo"),
                order_id=body["work_order_id"],
            )
        except WorkOrderError as err:
            LOGGER.warning("Refused work order from %s: %s", household_id, err.key)
            return
        if result.created:
            await self.desk.async_save()
            await self.desk.async_record_work_order(result.order)
            self._notify(BoardUpdate(BoardEventType.DESK, household=household_id))

    async def _async_work_order_cancelled(
        self, household_id: str, body: dict[str, Any]
    ) -> None:
        order_id = body["work_order_id"]
        try:
            order = self.desk.work_orders.get(order_id)
            if (
                order.household_id != household_id
                or body["status"] != WorkOrderStatus.CANCELLED
            ):
                raise InvalidWorkOrderError("work_order_not_yours", order_id)
            self.desk.work_orders.cancel(
                order_id, dt_util.utcnow().timestamp(), by="family"
            )
        except WorkOrderError as err:
            LOGGER.warning(
                "Refused work order update from %s: %s", household_id, err.key
            )
            return
        await self.desk.async_save()
        await self.desk.async_record_work_order(order)
        self._notify(BoardUpdate(BoardEventType.DESK, household=household_id))

    async def async_update_work_order(
        self,
        order_id: str,
        status: WorkOrderStatus,
        *,
        by: str | None,
        assignee: str | None = None,
        note: str | None = None,
    ) -> WorkOrder:
        """Staff move a work order on; the household is told. Raises WorkOrderError."""
        now = dt_util.utcnow().timestamp()
        changed = self.desk.work_orders.transition(
            order_id, status, now, by=by, assignee=assignee, note=note
        )
        order = self.desk.work_orders.get(order_id)
        if changed:
            body = {
                "work_order_id": order_id,
                "status": order.status.value,
                "by": by or "",
            }
            if order.assignee:
                body["assignee"] = order.assignee
            if note:
                body["note"] = note
            await self.endpoint.send(
                MessageType.WORK_ORDER_UPDATED, body, order.household_id
            )
            await self.desk.async_save()
            await self.desk.async_record_work_order(order)
            self._notify(BoardUpdate(BoardEventType.DESK, household=order.household_id))
        return order

    # -- escalation ---------------------------------------------------------------

    @callback
    def _schedule_escalation(self) -> None:
        # Many changes in one loop iteration (a burst) recompute the deadline once.
        if not self._escalation_pending:
            self._escalation_pending = True
            self.hass.loop.call_soon(self._reschedule_escalation)

    @callback
    def _reschedule_escalation(self) -> None:
        self._escalation_pending = False
        if self._escalation_timer is not None:
            self._escalation_timer()
            self._escalation_timer = None
        if not self._running:
            return
        deadline = self.board.next_deadline()
        if deadline is not None:
            self._escalation_timer = async_track_point_in_utc_time(
                self.hass, self._on_escalation_due, dt_util.utc_from_timestamp(deadline)
            )

    async def _on_escalation_due(self, _now: Any) -> None:
        self._escalation_timer = None
        escalations = self.board.escalate_due(dt_util.utcnow().timestamp())
        if escalations:
            await self._async_save()
        for escalation in escalations:
            await self._async_record(escalation.alarm)
        for escalation in escalations:
            LOGGER.warning(
                "Duty room: alarm %s unacknowledged, escalating to %s",
                escalation.alarm.alarm_id,
                escalation.step.name,
            )
            self._notify(
                BoardUpdate(
                    BoardEventType.ESCALATED, escalation.alarm, escalation.alarm.source
                )
            )
            await self._async_tell_staff(
                escalation.alarm,
                escalation.step.targets,
                "duty_escalation_title",
                "duty_message",
            )
        self._schedule_escalation()

    async def _async_tell_staff(
        self, alarm: Alarm, targets: tuple[str, ...], title_key: str, message_key: str
    ) -> None:
        language = self.settings.language
        record = self.household(alarm.source)
        placeholders = {
            "kind": kind_name(language, alarm.kind),
            "household": record.name if record else (alarm.message or alarm.source),
            "address": record.address if record else alarm.source,
            "contacts": ", ".join(record.contacts) if record else "",
            "time": dt_util.as_local(
                dt_util.utc_from_timestamp(alarm.raised_at)
            ).strftime("%H:%M:%S"),
        }
        for target in targets:
            try:
                await self.hass.services.async_call(
                    "notify",
                    target,
                    {
                        "title": text(language, title_key, **placeholders),
                        "message": text(language, message_key, **placeholders),
                        "data": {
                            "tag": f"smart_community_duty_{alarm.alarm_id}",
                            "actions": [
                                {
                                    "action": f"{NOTIFY_ACTION_COMMUNITY_ACK_PREFIX}{alarm.alarm_id}",
                                    "title": text(language, "action_acknowledge"),
                                }
                            ],
                            "ttl": 0,
                            "priority": "high",
                            "channel": "alarm_stream",
                        },
                    },
                    blocking=True,
                )
            except (HomeAssistantError, KeyError, ValueError) as err:
                LOGGER.error(
                    "Could not notify %s of alarm %s: %s", target, alarm.alarm_id, err
                )
                self.board.note(
                    alarm.alarm_id,
                    dt_util.utcnow().timestamp(),
                    AlarmAction.RESPONSE_FAILED,
                    f"notify:{target}: {err}",
                )

    @callback
    def _on_notification_action(self, event: Event[dict[str, Any]]) -> None:
        action = str(event.data.get("action", ""))
        if not action.startswith(NOTIFY_ACTION_COMMUNITY_ACK_PREFIX):
            return
        alarm_id = action.removeprefix(NOTIFY_ACTION_COMMUNITY_ACK_PREFIX)
        if alarm_id in self.board and self.board.get(alarm_id).active:
            self.hass.async_create_task(
                self._async_ack_from_phone(alarm_id, event.context)
            )

    async def _async_ack_from_phone(self, alarm_id: str, context: Context) -> None:
        await self.async_acknowledge(
            alarm_id, await self.async_user_name(context) or "phone"
        )

    # -- helpers ------------------------------------------------------------------

    @callback
    def _on_link_state(self, connected: bool) -> None:
        LOGGER.info("Community link %s", "connected" if connected else "disconnected")
        self._notify(BoardUpdate(BoardEventType.LINK))

    @callback
    def _on_link_error(self, error: str) -> None:
        if error == ERROR_AUTH:
            # The broker refused the password: ask for a new one (retries go on meanwhile).
            self.entry.async_start_reauth(self.hass)

    async def _async_changed(self, event_type: BoardEventType, alarm_id: str) -> None:
        await self._async_save()
        alarm = self.board.get(alarm_id)
        self._schedule_escalation()
        self._notify(BoardUpdate(event_type, alarm, alarm.source))
        await self._async_record(alarm)

    async def _async_record(self, alarm: Alarm) -> None:
        """Queue the alarm's latest state for the history (written in batches)."""
        record = self.household(alarm.source)
        self.desk.queue_alarm(alarm, record.address if record else None)

    async def _async_save(self) -> None:
        """Persist the board; concurrent changes share one write that includes them all.

        A caller returns only once a save that started after its change has finished, so
        the link may acknowledge the message that caused the change.
        """
        self._dirty = True
        async with self._save_lock:
            if not self._dirty:
                return
            self._dirty = False
            await self._store.async_save(self.board.as_dict())

    @callback
    def _notify(self, update: BoardUpdate) -> None:
        for listener in list(self._listeners):
            listener(update)
        if update.household is not None:
            for listener in list(self._household_listeners.get(update.household, ())):
                listener(update)

    # -- alarms of the community's own sensors (Frigate gates, fire lanes, audio) ----
    # (appended for the Frigate extension; keep it the last method of the class)

    async def async_raise_community_alarm(
        self, kind: AlarmKind, source: str, message: str
    ) -> Alarm:
        """Raise an alarm of the community itself (`source` is not a household).

        The same active (kind, source) is re-triggered rather than raised twice; a new
        alarm reaches the duty staff like a household's.
        """
        result = self.board.raise_alarm(
            kind, source, dt_util.utcnow().timestamp(), message=message
        )
        alarm = result.alarm
        LOGGER.warning("Duty room: %s alarm %s: %s", kind.value, source, message)
        await self._async_save()
        self._notify(BoardUpdate(BoardEventType.RAISED, alarm, None))
        await self._async_record(alarm)
        if result.created:
            self._schedule_escalation()
            self.hass.async_create_task(
                self._async_tell_staff(
                    alarm,
                    self.board.policy.steps[0].targets,
                    "duty_title",
                    "duty_message",
                ),
                f"{DOMAIN} duty room {alarm.alarm_id}",
            )
        return alarm
