"""Visitor passes: a household registers a plate ahead; the community's gate honours it."""

from datetime import timedelta

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
    async_mock_service,
)
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.smart_community.community.frigate_hub import hub_of
from custom_components.smart_community.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
from tests.conftest import Responders
from tests.duty_room.conftest import setup_linked
from tests.mosquitto import wait_until

from .conftest import with_frigate
from .test_hub import car


async def test_pass_opens_the_gate(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    community_entry: MockConfigEntry,
    household_entry: MockConfigEntry,
    sensors: None,
    responders: Responders,
) -> None:
    """Unknown plate: a visitor; registered by the Wang family: the barrier opens."""
    barrier = async_mock_service(hass, "switch", "turn_on")
    linked = await setup_linked(hass, with_frigate(community_entry), household_entry)
    hub = hub_of(linked.community)
    assert hub is not None

    async_fire_mqtt_message(hass, "frigate/events", car("v1", "沪B77777"))
    await hass.async_block_till_done()
    assert hub.access_log.records[-1].decision.value == "visitor"
    assert barrier == []

    now = dt_util.utcnow()
    result = await hass.services.async_call(
        DOMAIN,
        "register_visitor_pass",
        {"plate": "沪B·77777", "valid_until": now + timedelta(hours=3)},
        blocking=True,
        return_response=True,
    )
    assert len(result["pass_id"]) == 32
    await wait_until(lambda: bool(hub.decider.registry.passes))
    async_fire_mqtt_message(hass, "frigate/events", car("v2", "沪B77777"))
    await hass.async_block_till_done()
    record = hub.access_log.records[-1]
    assert record.decision.value == "open"
    assert record.reason.value == "visitor_pass"
    assert len(barrier) == 1
    # The community's gate counters are sensors.
    # Both visits count: the unannounced one and the one with a pass.
    assert hass.states.get("sensor.sunny_gardens_visitors_today").state == "2"
    assert int(hass.states.get("sensor.sunny_gardens_entries_today").state) >= 1
    assert hass.states.get("sensor.sunny_gardens_vehicles_inside").state.isdigit()

    # The pass survives a restart of the community.
    await hass.config_entries.async_reload(linked.community_entry.entry_id)
    await hass.async_block_till_done()
    reloaded = hub_of(linked.community_entry.runtime_data.community)
    assert reloaded is not None
    assert [p.plate for p in reloaded.decider.registry.passes] == ["沪B77777"]


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"valid_until": "2099-01-01T00:00:00"}, "pass_needs_plate_or_name"),
        (
            {"plate": "沪B77777", "valid_until": "2000-01-01T00:00:00"},
            "pass_bad_window",
        ),
    ],
)
async def test_pass_errors(
    hass: HomeAssistant,
    community_entry: MockConfigEntry,
    household_entry: MockConfigEntry,
    sensors: None,
    responders: Responders,
    data: dict[str, str],
    key: str,
) -> None:
    """A pass needs a plate or name and a sensible window; an unlinked household has none."""
    await setup_linked(hass, community_entry, household_entry)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "register_visitor_pass", data, blocking=True
        )
    assert err.value.translation_key == key


async def test_pass_needs_a_link(
    hass: HomeAssistant,
    household_entry: MockConfigEntry,
    sensors: None,
    responders: Responders,
) -> None:
    """Without a community there is nobody to give the pass to."""
    household_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(household_entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "register_visitor_pass",
            {"plate": "沪B77777", "valid_until": "2099-01-01T00:00:00"},
            blocking=True,
        )
    assert err.value.translation_key == "not_linked"


def test_pass_from_refuses_unusable_passes() -> None:
    """Stored or received passes without a plate or name, or a sane window, are dropped."""
    from custom_components.smart_community.community.frigate_hub import _pass_from

    base = {
        "pass_id": "p",
        "household": "3-2-1502",
        "valid_from": 10.0,
        "valid_until": 20.0,
    }
    assert _pass_from({**base, "name": "Aunt Li"}) is not None
    assert _pass_from(base) is None
    assert _pass_from({**base, "plate": "沪B77777", "valid_until": 5.0}) is None
    assert _pass_from({**base, "plate": "沪B77777", "valid_from": "soon"}) is None
    assert _pass_from({"pass_id": "p", "plate": "沪B77777"}) is None
