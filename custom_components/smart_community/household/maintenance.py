"""Watch the household's safety devices for tamper, low battery, trouble and going offline."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.event import async_call_later, async_track_state_change_event
from homeassistant.util import dt as dt_util

from ..community.workorders import WorkOrderCategory, WorkOrderError
from ..const import DOMAIN, LOGGER
from ..core.maintenance import (
    OFFLINE_GRACE_SECONDS,
    WORK_ORDER_KINDS,
    MaintenanceBook,
    MaintenanceIssue,
    MaintenanceKind,
    kind_of,
)
from ..core.phrases import text

if TYPE_CHECKING:
    from .link import HouseholdLink
    from .runtime import Household


class MaintenanceWatcher:
    """Turns device health entities into maintenance issues, notices and work orders."""

    def __init__(self, hass: HomeAssistant, household: Household) -> None:
        self.hass = hass
        self.household = household
        self.book = MaintenanceBook()
        self.link: HouseholdLink | None = None
        self._health: dict[str, str] = {}  # health entity -> device id
        self._sources: dict[str, str] = {}  # bound sensor -> device id
        self._names: dict[str, str] = {}
        self._offline_timers: dict[str, CALLBACK_TYPE] = {}
        self._unsub: CALLBACK_TYPE | None = None
        self._listeners: list[Callable[[], None]] = []

    @callback
    def async_start(self) -> None:
        """Find the bound devices' health entities and follow them."""
        entities = er.async_get(self.hass)
        devices = dr.async_get(self.hass)
        settings = self.household.settings
        for entity_id in settings.safety_sensors + settings.sos_entities:
            entry = entities.async_get(entity_id)
            if entry is None or entry.device_id is None:
                continue
            device = devices.async_get(entry.device_id)
            self._names[entry.device_id] = (
                (device.name_by_user or device.name or entity_id)
                if device
                else entity_id
            )
            self._sources[entity_id] = entry.device_id
            for sibling in er.async_entries_for_device(entities, entry.device_id):
                if (
                    sibling.domain in ("binary_sensor", "sensor")
                    and sibling.entity_id != entity_id
                ):
                    self._health[sibling.entity_id] = entry.device_id
        watched = list(self._health) + list(self._sources)
        if watched:
            self._unsub = async_track_state_change_event(
                self.hass, watched, self._on_change
            )
        now = dt_util.utcnow().timestamp()
        for entity_id in watched:
            if (state := self.hass.states.get(entity_id)) is not None:
                self._apply(entity_id, state.state, state.attributes, now)

    @callback
    def async_stop(self) -> None:
        """Stop following."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
        for cancel in self._offline_timers.values():
            cancel()
        self._offline_timers.clear()

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `listener` when the open issues change."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def _on_change(self, event: Event[EventStateChangedData]) -> None:
        new_state = event.data["new_state"]
        if new_state is not None:
            self._apply(
                event.data["entity_id"],
                new_state.state,
                new_state.attributes,
                dt_util.utcnow().timestamp(),
            )

    @callback
    def _apply(self, entity_id: str, state: str, attributes: Any, now: float) -> None:
        if entity_id in self._sources:
            self._source_availability(entity_id, state)
            return
        device = self._health[entity_id]
        if state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            return
        found = kind_of(
            attributes.get("device_class"),
            state,
            numeric=entity_id.startswith("sensor."),
        )
        if found is not None:
            self._set(device, found[0], found[1], now)

    @callback
    def _source_availability(self, entity_id: str, state: str) -> None:
        device = self._sources[entity_id]
        if state == STATE_UNAVAILABLE:
            if device not in self._offline_timers:

                @callback
                def _expired(_now: Any) -> None:
                    self._went_offline(device)

                self._offline_timers[device] = async_call_later(
                    self.hass, OFFLINE_GRACE_SECONDS, _expired
                )
            return
        if (cancel := self._offline_timers.pop(device, None)) is not None:
            cancel()
        self._set(device, MaintenanceKind.OFFLINE, False, dt_util.utcnow().timestamp())

    @callback
    def _went_offline(self, device: str) -> None:
        self._offline_timers.pop(device, None)
        self._set(device, MaintenanceKind.OFFLINE, True, dt_util.utcnow().timestamp())

    @callback
    def _set(
        self, device: str, kind: MaintenanceKind, present: bool, now: float
    ) -> None:
        before = len(self.book.issues)
        issue = self.book.set(
            device, self._names.get(device, device), kind, present, now
        )
        if issue is not None:
            LOGGER.warning("Maintenance: %s of %s", kind.value, issue.device_name)
            self.hass.async_create_task(
                self._async_report(issue), f"{DOMAIN} maintenance"
            )
        if len(self.book.issues) != before or issue is not None:
            for listener in list(self._listeners):
                listener()

    async def _async_report(self, issue: MaintenanceIssue) -> None:
        household = self.household
        language = household.settings.language
        placeholders = {
            "device": issue.device_name,
            "problem": text(language, f"maintenance_{issue.kind.value}"),
        }
        await household.responder.async_message(
            text(language, "maintenance_title", **placeholders),
            text(language, "maintenance_message", **placeholders),
        )
        if issue.kind not in WORK_ORDER_KINDS or self.link is None:
            return
        try:
            order = household.desk.work_orders.create(
                household.settings.household_id,
                WorkOrderCategory.REPAIR,
                text(language, "maintenance_work_order", **placeholders),
                dt_util.utcnow().timestamp(),
                by=household.settings.name,
                order_id=issue.work_order_id(),
            )
        except WorkOrderError as err:  # pragma: no cover - fixed, valid content
            LOGGER.error("Could not file maintenance work order: %s", err.key)
            return
        if order.created:
            await household.desk.async_save()
            await self.link.async_file_work_order(order.order)
            household.async_desk_changed()
