"""Home Assistant glue for the link: storage, the in-process hub, transports."""

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, STORAGE_VERSION
from .link.mqtt import MqttSettings, MqttTransport
from .link.protocol import Role
from .link.transport import InProcessHub, Transport

HUBS: HassKey[dict[str, InProcessHub]] = HassKey(f"{DOMAIN}_link_hubs")


class StoreLinkStorage:
    """Persist a link endpoint's outbox and inbox in a Home Assistant Store."""

    def __init__(self, hass: HomeAssistant, key: str) -> None:
        self._store: Store[Any] = Store(hass, STORAGE_VERSION, key)

    async def async_load(self) -> Any:
        """Return the saved state, or None."""
        return await self._store.async_load()

    async def async_save(self, data: Any) -> None:
        """Save the state."""
        await self._store.async_save(data)


def in_process_hub(hass: HomeAssistant, community_id: str) -> InProcessHub:
    """Return the one in-process hub of a community, shared by both roles in this instance."""
    return hass.data.setdefault(HUBS, {}).setdefault(community_id, InProcessHub())


def community_transport(
    hass: HomeAssistant, community_id: str, mqtt: MqttSettings | None
) -> Transport:
    """Return the community's transport: MQTT when configured, else in-process."""
    if mqtt is not None:
        return MqttTransport(mqtt, Role.COMMUNITY)
    return in_process_hub(hass, community_id).community_transport()


def household_transport(
    hass: HomeAssistant, community_id: str, household_id: str, mqtt: MqttSettings | None
) -> Transport:
    """Return a household's transport: MQTT when configured, else in-process."""
    if mqtt is not None:
        return MqttTransport(mqtt, Role.HOUSEHOLD, household_id)
    return in_process_hub(hass, community_id).household_transport(household_id)
