"""A household at run time: binds its sensors to the alarm book and answers alarms."""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from homeassistant.const import STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    CALLBACK_TYPE,
    Context,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
)
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import (
    DOMAIN,
    EVENT_MOBILE_APP_NOTIFICATION_ACTION,
    LOGGER,
    NOTIFY_ACTION_ACK_PREFIX,
    STORAGE_VERSION,
)
from ..core.alarm import (
    Alarm,
    AlarmAction,
    AlarmBook,
    AlarmKind,
    CorruptStateError,
    EscalationPolicy,
)
from .desk import HouseholdDesk
from .maintenance import MaintenanceWatcher
from .responder import Responder, ResponseOutcome
from .settings import HouseholdSettings

DEVICE_CLASS_KINDS: dict[str, AlarmKind] = {
    "smoke": AlarmKind.SMOKE,
    "gas": AlarmKind.GAS,
    "carbon_monoxide": AlarmKind.CO,
    "moisture": AlarmKind.LEAK,
    "safety": AlarmKind.CUSTOM,
}
ZHA_EVENT = "zha_event"
IGNORED_ZHA_COMMANDS = frozenset({"attribute_updated", "checkin", "attribute_report"})


class AlarmEventType(StrEnum):
    """What the household's event entity reports."""

    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    ESCALATED = "escalated"
    ARRIVED = "arrived"


@dataclass(frozen=True, slots=True)
class AlarmUpdate:
    """An alarm changed; sent to the household's entities."""

    event_type: AlarmEventType
    alarm: Alarm
    by: str | None = None
    retrigger: bool = False
    origin: str | None = None


type UpdateListener = Callable[[AlarmUpdate], None]


class Household:
    """The household runtime stored in its config entry's runtime_data."""

    def __init__(
        self, hass: HomeAssistant, entry_id: str, settings: HouseholdSettings
    ) -> None:
        self.hass = hass
        self.entry_id = entry_id
        self.settings = settings
        self.book = AlarmBook(
            EscalationPolicy.build(
                settings.notify_targets,
                settings.emergency_contacts,
                settings.escalation_delay,
            )
        )
        self.responder = Responder(hass, settings)
        self.missing_entities: list[str] = []
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.alarms"
        )
        self._listeners: list[UpdateListener] = []
        self._unsubs: list[CALLBACK_TYPE] = []
        self._escalation_timer: CALLBACK_TYPE | None = None
        self._device_sources: dict[str, str] = {}
        self.desk = HouseholdDesk(hass, entry_id, self.responder)
        self.maintenance = MaintenanceWatcher(hass, self)
        self._desk_listeners: list[Callable[[], None]] = []

    # -- lifecycle ----------------------------------------------------------------

    async def async_start(self) -> None:
        """Load persisted alarms, bind sources and pick up what happened while down."""
        try:
            self.book.load(await self._store.async_load())
        except CorruptStateError:
            LOGGER.exception(
                "Stored alarms of %s could not be read; starting empty",
                self.settings.name,
            )
        await self.desk.async_load()
        self._bind()
        self.maintenance.async_start()
        self._check_sources_already_on()
        self._schedule_escalation()

    @callback
    def async_stop(self) -> None:
        """Unbind everything."""
        self.maintenance.async_stop()
        while self._unsubs:
            self._unsubs.pop()()
        if self._escalation_timer is not None:
            self._escalation_timer()
            self._escalation_timer = None

    @callback
    def async_add_desk_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `listener` when the desk (announcements, work orders) changes."""
        self._desk_listeners.append(listener)
        return lambda: self._desk_listeners.remove(listener)

    @callback
    def async_desk_changed(self) -> None:
        """Tell the desk's entities to refresh."""
        for listener in list(self._desk_listeners):
            listener()

    @callback
    def async_add_listener(self, listener: UpdateListener) -> CALLBACK_TYPE:
        """Call `listener` on every alarm update; return the function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # -- the three verbs ----------------------------------------------------------

    async def async_raise(
        self,
        kind: AlarmKind,
        source: str,
        *,
        by: str | None = None,
        message: str | None = None,
    ) -> Alarm:
        """Raise an alarm (or count a re-trigger) and run the local response.

        The siren and the link start at once, while the book is being written; the
        alarm is on disk before this returns (the link's outbox persists its own copy
        before sending, so a crash in between loses nothing).
        """
        now = dt_util.utcnow().timestamp()
        result = self.book.raise_alarm(kind, source, now, by=by, message=message)
        if not result.created:
            LOGGER.debug("Alarm %s re-triggered by %s", result.alarm.alarm_id, source)
            self._notify_listeners(
                AlarmUpdate(AlarmEventType.RAISED, result.alarm, by, retrigger=True)
            )
            await self._async_save()
            return result.alarm
        alarm = result.alarm
        LOGGER.info(
            "%s alarm %s raised at %s by %s",
            kind.value,
            alarm.alarm_id,
            self.settings.name,
            source,
        )
        self._notify_listeners(AlarmUpdate(AlarmEventType.RAISED, alarm, by))
        self._schedule_escalation()
        self.hass.async_create_task(
            self._async_respond(alarm), f"{DOMAIN} respond {alarm.alarm_id}"
        )
        await self._async_save()
        return alarm

    async def _async_respond(self, alarm: Alarm) -> None:
        outcomes = await self.responder.async_respond(alarm)
        await self._record_outcomes(alarm, outcomes)

    async def async_acknowledge(
        self,
        alarm_id: str,
        by: str | None = None,
        *,
        origin: str | None = None,
        message: str = "acknowledged",
    ) -> bool:
        """Acknowledge an alarm; return False if it already was."""
        now = dt_util.utcnow().timestamp()
        changed = self.book.acknowledge(alarm_id, now, by)
        if changed:
            await self._async_save()
            alarm = self.book.get(alarm_id)
            self._notify_listeners(
                AlarmUpdate(AlarmEventType.ACKNOWLEDGED, alarm, by, origin=origin)
            )
            self._schedule_escalation()
            await self.responder.async_notify(
                self._told(alarm),
                alarm,
                f"{message}_title",
                f"{message}_message",
                actionable=False,
                by=by,
            )
        return changed

    async def async_note_arrival(self, alarm_id: str, by: str | None) -> None:
        """Record that the property's responder arrived, and tell the family."""
        if self.book.mark_arrived(alarm_id, dt_util.utcnow().timestamp(), by):
            await self._async_save()
            alarm = self.book.get(alarm_id)
            self._schedule_escalation()
            self._notify_listeners(
                AlarmUpdate(AlarmEventType.ARRIVED, alarm, by, origin="link")
            )
            await self.responder.async_notify(
                self.settings.notify_targets,
                alarm,
                "property_arrived_title",
                "property_arrived_message",
                actionable=False,
                by=by,
            )

    async def async_resolve(
        self, alarm_id: str, by: str | None = None, *, origin: str | None = None
    ) -> None:
        """Resolve an alarm."""
        now = dt_util.utcnow().timestamp()
        self.book.resolve(alarm_id, now, by)
        await self._async_save()
        alarm = self.book.get(alarm_id)
        self._notify_listeners(
            AlarmUpdate(AlarmEventType.RESOLVED, alarm, by, origin=origin)
        )
        self._schedule_escalation()
        await self.responder.async_notify(
            self._told(alarm),
            alarm,
            "resolved_title",
            "resolved_message",
            actionable=False,
            by=by,
        )

    def _told(self, alarm: Alarm) -> tuple[str, ...]:
        """Return everyone told about the alarm so far: the family and escalated steps."""
        steps = self.book.policy.steps[: alarm.escalation_level + 1]
        return tuple(dict.fromkeys(t for step in steps for t in step.targets))

    async def async_user_name(self, context: Context | None) -> str | None:
        """Return the name of the user behind a context, if any."""
        if context is None or context.user_id is None:
            return None
        user = await self.hass.auth.async_get_user(context.user_id)
        return user.name if user else None

    # -- sources ------------------------------------------------------------------

    def _bind(self) -> None:
        settings = self.settings
        registry = er.async_get(self.hass)
        self.missing_entities = [
            entity_id
            for entity_id in settings.safety_sensors + settings.sos_entities
            if self.hass.states.get(entity_id) is None
            and registry.async_get(entity_id) is None
        ]
        sources = (
            settings.safety_sensors
            + settings.sos_entities
            + self._sos_device_entities()
        )
        if sources:
            self._unsubs.append(
                async_track_state_change_event(
                    self.hass, sources, self._on_source_change
                )
            )
        self._unsubs.append(
            self.hass.bus.async_listen(
                EVENT_MOBILE_APP_NOTIFICATION_ACTION, self._on_notification_action
            )
        )
        if settings.sos_devices:
            self._unsubs.append(
                self.hass.bus.async_listen(
                    ZHA_EVENT,
                    self._on_zha_event,
                    event_filter=self._zha_event_filter,
                )
            )

    def _sos_device_entities(self) -> tuple[str, ...]:
        registry = er.async_get(self.hass)
        for device_id in self.settings.sos_devices:
            for entry in er.async_entries_for_device(registry, device_id):
                if entry.domain == "event":
                    # One press is one alarm, whether it arrives as a Zigbee event or here.
                    self._device_sources[entry.entity_id] = f"device:{device_id}"
        return tuple(self._device_sources)

    def _kind_for(self, entity_id: str, state: State) -> AlarmKind:
        if entity_id in self.settings.safety_sensors:
            device_class = state.attributes.get("device_class")
            if device_class is None:
                entry = er.async_get(self.hass).async_get(entity_id)
                if entry is not None:
                    device_class = entry.device_class or entry.original_device_class
            return DEVICE_CLASS_KINDS.get(str(device_class), AlarmKind.CUSTOM)
        return AlarmKind.SOS

    @callback
    def _on_source_change(self, event: Event[EventStateChangedData]) -> None:
        entity_id = event.data["entity_id"]
        new_state = event.data["new_state"]
        old_state = event.data["old_state"]
        if new_state is None:
            return
        if new_state.domain == "event":
            if _is_event_fired(old_state, new_state):
                self.hass.async_create_task(
                    self.async_raise(
                        AlarmKind.SOS, self._device_sources.get(entity_id, entity_id)
                    ),
                    eager_start=True,
                )
            return
        if new_state.state == STATE_ON and (
            old_state is None or old_state.state != STATE_ON
        ):
            self.hass.async_create_task(
                self.async_raise(self._kind_for(entity_id, new_state), entity_id),
                eager_start=True,
            )
        elif (
            new_state.state != STATE_ON
            and old_state is not None
            and old_state.state == STATE_ON
        ):
            self.hass.async_create_task(
                self._async_source_cleared(entity_id), eager_start=True
            )

    async def _async_source_cleared(self, entity_id: str) -> None:
        now = dt_util.utcnow().timestamp()
        touched = False
        for alarm in self.book.active:
            if alarm.source == entity_id:
                self.book.note(alarm.alarm_id, now, AlarmAction.SOURCE_CLEARED)
                touched = True
        if touched:
            await self._async_save()

    def _check_sources_already_on(self) -> None:
        for entity_id in self.settings.safety_sensors + self.settings.sos_entities:
            state = self.hass.states.get(entity_id)
            if state is not None and state.state == STATE_ON:
                self.hass.async_create_task(
                    self.async_raise(self._kind_for(entity_id, state), entity_id),
                    eager_start=True,
                )

    @callback
    def _zha_event_filter(self, event_data: dict[str, Any]) -> bool:
        return (
            event_data.get("device_id") in self.settings.sos_devices
            and event_data.get("command") not in IGNORED_ZHA_COMMANDS
        )

    @callback
    def _on_zha_event(self, event: Event[dict[str, Any]]) -> None:
        source = f"device:{event.data['device_id']}"
        self.hass.async_create_task(
            self.async_raise(AlarmKind.SOS, source, message=None), eager_start=True
        )

    @callback
    def _on_notification_action(self, event: Event[dict[str, Any]]) -> None:
        action = str(event.data.get("action", ""))
        if not action.startswith(NOTIFY_ACTION_ACK_PREFIX):
            return
        alarm_id = action.removeprefix(NOTIFY_ACTION_ACK_PREFIX)
        alarm = next((a for a in self.book.active if a.alarm_id == alarm_id), None)
        if alarm is None:
            return
        self.hass.async_create_task(
            self._async_ack_from_phone(alarm_id, event.context), eager_start=True
        )

    async def _async_ack_from_phone(self, alarm_id: str, context: Context) -> None:
        by = await self.async_user_name(context) or "phone"
        await self.async_acknowledge(alarm_id, by)

    # -- escalation ---------------------------------------------------------------

    @callback
    def _schedule_escalation(self) -> None:
        if self._escalation_timer is not None:
            self._escalation_timer()
            self._escalation_timer = None
        deadline = self.book.next_deadline()
        if deadline is None:
            return
        self._escalation_timer = async_track_point_in_utc_time(
            self.hass, self._on_escalation_due, dt_util.utc_from_timestamp(deadline)
        )

    async def _on_escalation_due(self, _now: Any) -> None:
        self._escalation_timer = None
        now = dt_util.utcnow().timestamp()
        escalations = self.book.escalate_due(now)
        if escalations:
            await self._async_save()
        for escalation in escalations:
            LOGGER.warning(
                "Alarm %s unacknowledged: escalating to %s",
                escalation.alarm.alarm_id,
                escalation.step.name,
            )
            self._notify_listeners(
                AlarmUpdate(AlarmEventType.ESCALATED, escalation.alarm)
            )
            outcomes = await self.responder.async_notify(
                escalation.step.targets,
                escalation.alarm,
                "escalation_title",
                "escalation_message",
                actionable=True,
            )
            await self._record_outcomes(escalation.alarm, outcomes)
        self._schedule_escalation()

    # -- helpers ------------------------------------------------------------------

    async def _record_outcomes(
        self, alarm: Alarm, outcomes: list[ResponseOutcome]
    ) -> None:
        now = dt_util.utcnow().timestamp()
        for outcome in outcomes:
            if outcome.ok:
                self.book.note(
                    alarm.alarm_id,
                    now,
                    AlarmAction.RESPONSE,
                    f"{outcome.response.value}:{outcome.target}",
                )
            else:
                LOGGER.error(
                    "Response %s to alarm %s failed on %s: %s",
                    outcome.response.value,
                    alarm.alarm_id,
                    outcome.target,
                    outcome.error,
                )
                self.book.note(
                    alarm.alarm_id,
                    now,
                    AlarmAction.RESPONSE_FAILED,
                    f"{outcome.response.value}:{outcome.target}: {outcome.error}",
                )
        if outcomes:
            await self._async_save()

    async def _async_save(self) -> None:
        await self._store.async_save(self.book.as_dict())

    @callback
    def _notify_listeners(self, update: AlarmUpdate) -> None:
        for listener in list(self._listeners):
            listener(update)


def _is_event_fired(old_state: State | None, new_state: State) -> bool:
    """Return True when an event entity's state change is a new event, not a restore."""
    if new_state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
        return False
    if old_state is None or old_state.state == STATE_UNAVAILABLE:
        return False
    return old_state.state != new_state.state
