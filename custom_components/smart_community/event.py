"""Event entities: alarm changes, and the doorbell ringing for a visitor at a door station."""

from homeassistant.components.event import (
    DoorbellEventType,
    EventDeviceClass,
    EventEntity,
    EventEntityDescription,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .community.frigate_entities import frigate_entities
from .community.frigate_hub import hub_of
from .entity import HouseholdEntity
from .household.intercom import HouseholdIntercomLink, intercoms
from .household.runtime import AlarmEventType, AlarmUpdate, Household
from .intercom.household_side import IncomingCall
from .models import SmartCommunityConfigEntry

PARALLEL_UPDATES = 0

ALARM_EVENT = EventEntityDescription(
    key="alarm",
    translation_key="alarm",
    event_types=[event_type.value for event_type in AlarmEventType],
)

DOORBELL_EVENT = EventEntityDescription(
    key="doorbell",
    translation_key="doorbell",
    device_class=EventDeviceClass.DOORBELL,
    event_types=[DoorbellEventType.RING],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartCommunityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the household's alarm event entity, or the community's gate events."""
    community = entry.runtime_data.community
    if community is not None:
        hub = hub_of(community)
        if hub is not None:
            async_add_entities(frigate_entities(community, hub))
        return
    household = entry.runtime_data.household
    assert household is not None
    entities: list[EventEntity] = [AlarmEvent(household, ALARM_EVENT)]
    if (intercom := intercoms(hass).get(entry.entry_id)) is not None:
        entities.append(DoorbellEvent(household, DOORBELL_EVENT, intercom))
    async_add_entities(entities)


class AlarmEvent(HouseholdEntity, EventEntity):
    """Fires with the alarm's data on every change of an alarm."""

    @callback
    def _handle_update(self, update: AlarmUpdate) -> None:
        alarm = update.alarm
        if update.retrigger:
            return
        self._trigger_event(
            update.event_type.value,
            {
                "alarm_id": alarm.alarm_id,
                "kind": alarm.kind.value,
                "source": alarm.source,
                "status": alarm.status.value,
                "message": alarm.message,
                "by": update.by,
                "raised_at": alarm.raised_at,
                "escalation_level": alarm.escalation_level,
            },
        )
        self.async_write_ha_state()


class DoorbellEvent(HouseholdEntity, EventEntity):
    """Rings when a visitor calls the household from a door station."""

    def __init__(
        self,
        household: Household,
        description: EventEntityDescription,
        intercom: HouseholdIntercomLink,
    ) -> None:
        super().__init__(household, description)
        self._intercom = intercom

    async def async_added_to_hass(self) -> None:
        """Follow the household's visitor calls."""
        await super().async_added_to_hass()
        self.async_on_remove(self._intercom.async_add_ring_listener(self._handle_ring))

    @callback
    def _handle_ring(self, call: IncomingCall) -> None:
        self._trigger_event(
            DoorbellEventType.RING,
            {
                "call_id": call.call_id,
                "station": call.station_id,
                "station_label": call.station_label,
                "visitor": call.visitor_label,
                "snapshot": call.snapshot_ref,
            },
        )
        self.async_write_ha_state()
