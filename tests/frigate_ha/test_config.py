"""Reading the Frigate subentries, stored state and the corner cases of the hub."""

from datetime import time, timedelta
import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.smart_community.community.frigate_config import (
    schedule_of,
    setup_from_entry,
)
from custom_components.smart_community.community.frigate_hub import hub_of
from custom_components.smart_community.core.alarm import AlarmKind, AlarmStatus
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant

from ..frigate.conftest import fixture_bytes
from .conftest import with_frigate


def test_schedule() -> None:
    """Always, or one daily window."""
    assert schedule_of("", "").windows == ()
    assert schedule_of("07:00:00", "07:00:00").windows == ()
    (window,) = schedule_of("22:00", "06:00:00").windows
    assert (window.start, window.end) == (time(22), time(6))


def test_invalid_subentry_and_faceless_resident(
    community_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """A broken gate is skipped with a warning; a resident without a face still has cars."""
    entry = with_frigate(community_entry)
    broken = MockConfigEntry(
        domain=entry.domain,
        data=dict(entry.data),
        subentries_data=[
            *(
                ConfigSubentryData(
                    subentry_type=s.subentry_type,
                    title=s.title,
                    unique_id=s.unique_id,
                    data=dict(s.data),
                )
                for s in entry.subentries.values()
            ),
            ConfigSubentryData(
                subentry_type="gate",
                title="Boat gate",
                unique_id="gate_boat",
                data={"gate_id": "boat", "gate_kind": "boat"},
            ),
            ConfigSubentryData(
                subentry_type="resident",
                title="Zhang",
                unique_id=None,
                data={"household_id": "3-2-1502", "plates": ["粤B12345"]},
            ),
        ],
    )
    setup = setup_from_entry(broken)
    assert "boat" not in setup.gates
    assert "Frigate subentry Boat gate is invalid" in caplog.text
    assert len(setup.registry.vehicles) == 2
    assert len(setup.registry.residents) == 1


async def _start(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    community = entry.runtime_data.community
    assert community is not None
    hub = hub_of(community)
    assert hub is not None
    return community, hub


async def test_corrupt_store(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    community_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A broken stored access log is reported and replaced by an empty one."""
    entry = with_frigate(community_entry)
    hass_storage[f"smart_community.{entry.entry_id}.frigate_access"] = {
        "version": 1,
        "key": f"smart_community.{entry.entry_id}.frigate_access",
        "data": {"day": "not a day"},
    }
    _, hub = await _start(hass, entry)
    assert "Stored gate access log could not be read" in caplog.text
    assert hub.access_log.records == ()
    # A false positive decides nothing.
    data = json.loads(fixture_bytes("event_0_16_car.json"))
    data["after"]["false_positive"] = True
    async_fire_mqtt_message(hass, "frigate/events", json.dumps(data))
    await hass.async_block_till_done()
    assert hub.access_log.records == ()


async def test_fire_lane_two_cars_and_offline(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    community_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The lane's alarm stays while a car remains; the server going offline clears it."""
    community, hub = await _start(hass, with_frigate(community_entry))
    base = json.loads(fixture_bytes("event_0_17_fire_lane_end.json"))["before"]
    for event_id in ("a", "b"):
        parked = {"type": "update", "after": base | {"id": event_id}}
        async_fire_mqtt_message(hass, "frigate/events", json.dumps(parked))
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=11))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    alarm = community.board.active_for(AlarmKind.CUSTOM, "fire_lane:block_3")
    assert alarm is not None
    gone = {"type": "end", "after": base | {"id": "a", "current_zones": []}}
    async_fire_mqtt_message(hass, "frigate/events", json.dumps(gone))
    await hass.async_block_till_done()
    assert community.board.get(alarm.alarm_id).active
    async_fire_mqtt_message(hass, "frigate/available", "offline")
    await hass.async_block_till_done()
    assert community.board.get(alarm.alarm_id).status is AlarmStatus.RESOLVED
    assert hub.available["main"] is False
    # A clear with no alarm left on the board changes nothing.
    for event_id in ("c", "d"):
        parked = {"type": "update", "after": base | {"id": event_id}}
        async_fire_mqtt_message(hass, "frigate/events", json.dumps(parked))
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=11))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    alarm = community.board.active_for(AlarmKind.CUSTOM, "fire_lane:block_3")
    assert alarm is not None
    # (Community.async_resolve would tell the "household" gate:...; see the report.)
    community.board.resolve(alarm.alarm_id, 0.0, "staff")
    async_fire_mqtt_message(hass, "frigate/available", "offline")
    await hass.async_block_till_done()
    assert community.board.active_for(AlarmKind.CUSTOM, "fire_lane:block_3") is None
