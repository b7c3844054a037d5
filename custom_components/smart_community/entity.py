"""Base entity for a household's entities."""

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription

from .const import DOMAIN
from .household.runtime import AlarmUpdate, Household


class HouseholdEntity(Entity):
    """An entity on the household device that follows the alarm book."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, household: Household, description: EntityDescription) -> None:
        self.household = household
        self.entity_description = description
        settings = household.settings
        # The entry id, not the address: a household that moves keeps its entities.
        self._attr_unique_id = f"{household.entry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, household.entry_id)},
            name=settings.name,
            manufacturer="Smart Community",
            model="Household",
            entry_type=DeviceEntryType.SERVICE,
            suggested_area=None,
        )

    async def async_added_to_hass(self) -> None:
        """Follow the household's alarm updates."""
        await super().async_added_to_hass()
        self.async_on_remove(self.household.async_add_listener(self._handle_update))
        self.async_on_remove(
            self.household.async_add_desk_listener(self.async_write_ha_state)
        )

    def _handle_update(self, update: AlarmUpdate) -> None:
        """Write the new state."""
        self.async_write_ha_state()
