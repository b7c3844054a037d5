"""Base entities of the community: the community device and one device per household."""

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription

from ..const import DOMAIN
from .runtime import BoardUpdate, Community, HouseholdRecord


def community_device_id(community: Community) -> tuple[str, str]:
    """Return the device identifier of the community itself."""
    return (DOMAIN, f"community_{community.community_id}")


class CommunityEntity(Entity):
    """An entity that follows the community's board."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self,
        community: Community,
        description: EntityDescription,
        household: HouseholdRecord | None = None,
    ) -> None:
        self.community = community
        self.entity_description = description
        self.record = household
        if household is None:
            self._attr_unique_id = (
                f"community_{community.community_id}_{description.key}"
            )
            self._attr_device_info = DeviceInfo(
                identifiers={community_device_id(community)},
                name=community.name,
                manufacturer="Smart Community",
                model="Community",
                entry_type=DeviceEntryType.SERVICE,
            )
        else:
            self._attr_unique_id = f"community_{community.community_id}_{household.household_id}_{description.key}"
            self._attr_device_info = DeviceInfo(
                identifiers={
                    (
                        DOMAIN,
                        f"community_{community.community_id}_{household.household_id}",
                    )
                },
                name=f"{household.address} {household.name}",
                manufacturer="Smart Community",
                model="Household",
                entry_type=DeviceEntryType.SERVICE,
            )

    async def async_added_to_hass(self) -> None:
        """Follow the board."""
        await super().async_added_to_hass()
        self.async_on_remove(self.community.async_add_listener(self._handle_update))

    @callback
    def _handle_update(self, update: BoardUpdate) -> None:
        if self.record is None or update.household in (None, self.record.household_id):
            self.async_write_ha_state()
