"""Base entities of the community: the community device and one device per household."""

import asyncio

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription

from ..const import DOMAIN
from .runtime import BoardUpdate, Community, HouseholdRecord

BOARD_WRITE_DELAY = 0.2


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

    _flush_handle: asyncio.TimerHandle | None = None

    async def async_added_to_hass(self) -> None:
        """Follow the board: one household's updates, or all of them."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.community.async_add_listener(
                self._handle_update,
                None if self.record is None else self.record.household_id,
            )
        )

    @callback
    def _handle_update(self, update: BoardUpdate) -> None:
        if self.record is not None:
            self.async_write_ha_state()
            return
        # Board-wide entities write at most once per loop iteration, however many
        # alarms change in it (a burst of a thousand alarms is one write, not a thousand).
        if self._flush_handle is None:
            self._flush_handle = self.hass.loop.call_later(
                BOARD_WRITE_DELAY, self._async_flush
            )

    @callback
    def _async_flush(self) -> None:
        self._flush_handle = None
        self.async_write_ha_state()

    async def async_will_remove_from_hass(self) -> None:
        """Drop a pending write."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
