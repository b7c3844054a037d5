"""Event entities of the community's Frigate gates: one per gate, one for all access."""

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from ..frigate.gates import Decision
from .entity import CommunityEntity
from .frigate_config import GateConfig
from .frigate_hub import FrigateHub, GateUpdate
from .runtime import Community

DECISION_TYPES = [
    decision.value for decision in Decision if decision is not Decision.IGNORE
]


def frigate_entities(community: Community, hub: FrigateHub) -> list[EventEntity]:
    """Return a decision event entity per gate and the community's access entity."""
    if not hub.setup.gates:
        return []
    entities: list[EventEntity] = [
        GateDecisionEvent(community, hub, config) for config in hub.setup.gates.values()
    ]
    entities.append(
        GateAccessEvent(
            community,
            hub,
            EventEntityDescription(
                key="gate_access",
                translation_key="gate_access",
                event_types=DECISION_TYPES,
            ),
        )
    )
    return entities


class _FrigateEvent(CommunityEntity, EventEntity):
    """Follows the Frigate hub's decisions instead of the alarm board."""

    def __init__(
        self,
        community: Community,
        hub: FrigateHub,
        description: EventEntityDescription,
    ) -> None:
        super().__init__(community, description)
        self.hub = hub

    async def async_added_to_hass(self) -> None:
        """Follow the hub (the board's updates change nothing here)."""
        await super().async_added_to_hass()
        self.async_on_remove(self.hub.async_add_listener(self._handle_gate))

    def _servers(self) -> set[str]:
        return set(self.hub.setup.servers)

    @property
    def available(self) -> bool:
        """Return False while one of the entity's Frigate servers is offline."""
        return all(self.hub.available.get(server, True) for server in self._servers())

    def _accepts(self, update: GateUpdate) -> bool:
        return True

    @callback
    def _handle_gate(self, update: GateUpdate | None) -> None:
        if update is not None and self._accepts(update):
            record = update.record.as_dict()
            record["snapshot"] = update.snapshot
            self._trigger_event(update.decision.decision.value, record)
        self.async_write_ha_state()


class GateDecisionEvent(_FrigateEvent):
    """Fires with every decision at one gate (open, deny, visitor, alert)."""

    def __init__(
        self, community: Community, hub: FrigateHub, config: GateConfig
    ) -> None:
        gate_id = config.gate.gate_id
        super().__init__(
            community,
            hub,
            EventEntityDescription(
                key=f"gate_{gate_id}_decision",
                translation_key="gate_decision",
                event_types=DECISION_TYPES,
            ),
        )
        self.gate_id = gate_id
        self.server = config.gate.server
        self._attr_translation_placeholders = {"gate": config.name}

    def _servers(self) -> set[str]:
        return {self.server}

    def _accepts(self, update: GateUpdate) -> bool:
        return update.decision.gate_id == self.gate_id


class GateAccessEvent(_FrigateEvent):
    """Fires with every gate decision; keeps the counters and residents' last gate."""

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return today's counters and where each resident was last seen."""
        log = self.hub.access_log
        counters = log.counters(dt_util.now())
        return {
            "vehicles_inside": counters.vehicles_inside,
            "entries_today": counters.entries_today,
            "visitors_today": counters.visitors_today,
            "last_seen": {
                resident: {
                    "gate": seen.gate_id,
                    "at": seen.at.isoformat(),
                    "direction": seen.direction.value,
                }
                for resident, seen in log.last_seen.items()
            },
        }


GATE_COUNTERS: tuple[tuple[str, str], ...] = (
    ("vehicles_inside", "vehicles_inside"),
    ("entries_today", "entries_today"),
    ("visitors_today", "visitors_today"),
)


class GateCounterSensor(CommunityEntity, SensorEntity):
    """Vehicles inside now, entries today or visitors today, across the community's gates."""

    _attr_state_class = SensorStateClass.MEASUREMENT

    def __init__(self, community: Community, hub: FrigateHub, key: str) -> None:
        super().__init__(
            community, SensorEntityDescription(key=key, translation_key=key)
        )
        self.hub = hub
        self._counter = key

    async def async_added_to_hass(self) -> None:
        """Follow the hub's decisions."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.hub.async_add_listener(lambda _update: self.async_write_ha_state())
        )

    @property
    def available(self) -> bool:
        """Return False while a Frigate server is offline."""
        return all(self.hub.available.values())

    @property
    def native_value(self) -> int:
        """Return the counter for today (local midnight)."""
        counters = self.hub.access_log.counters(dt_util.now())
        value: int = getattr(counters, self._counter)
        return value


def gate_counter_sensors(community: Community, hub: FrigateHub) -> list[SensorEntity]:
    """Return the community's gate counters (when it has gates)."""
    if not hub.setup.gates:
        return []
    return [GateCounterSensor(community, hub, key) for key, _ in GATE_COUNTERS]
