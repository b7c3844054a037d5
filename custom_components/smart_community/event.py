"""Event entity: fires when an alarm is raised, escalated, acknowledged or resolved."""

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import HouseholdEntity
from .household.runtime import AlarmEventType, AlarmUpdate
from .models import SmartCommunityConfigEntry

PARALLEL_UPDATES = 0

ALARM_EVENT = EventEntityDescription(
    key="alarm",
    translation_key="alarm",
    event_types=[event_type.value for event_type in AlarmEventType],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartCommunityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the household's alarm event entity."""
    household = entry.runtime_data.household
    assert household is not None
    async_add_entities([AlarmEvent(household, ALARM_EVENT)])


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
