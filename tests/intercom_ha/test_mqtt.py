"""The intercom across a real Mosquitto: ring, answer by voice, the gate opens once."""

from collections.abc import Generator
from pathlib import Path
import shutil

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.smart_community.const import DOMAIN
from custom_components.smart_community.intercom.access import AccessReason
from custom_components.smart_community.link.broker import household_username
from custom_components.smart_community.link.code import LinkCode
from homeassistant.core import HomeAssistant, SupportsResponse
from tests.conftest import HOUSEHOLD_KEY, Responders
from tests.mosquitto import MOSQUITTO, Broker, free_port, wait_until

from .conftest import Satellite

COMMUNITY = "sunny-gardens"
HOUSEHOLD = "3-2-1502"


@pytest.fixture
def broker(socket_enabled: None, tmp_path: Path) -> Generator[Broker]:
    """Start a Mosquitto for the community, the Wang and the Chen households."""
    if shutil.which(MOSQUITTO) is None:
        pytest.skip("mosquitto is not installed (apt-get install mosquitto)")
    broker = Broker(
        tmp_path, free_port(), community=COMMUNITY, households=(HOUSEHOLD, "3-2-1601")
    )
    broker.write_config()
    broker.start()
    yield broker
    broker.stop()


async def test_ring_and_open_over_mqtt(
    hass: HomeAssistant,
    broker: Broker,
    intercom_community: MockConfigEntry,
    household_entry: MockConfigEntry,
    sensors: None,
    responders: Responders,
) -> None:
    """Call -> VISITOR_CALL over the broker -> satellite says open -> signed request -> gate."""
    satellite = Satellite()
    hass.services.async_register(
        "assist_satellite",
        "ask_question",
        satellite.handle,
        supports_response=SupportsResponse.ONLY,
    )
    gate_open = async_mock_service(hass, "switch", "turn_on")
    hass.states.async_set("switch.north_gate", "off")
    intercom_community.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        intercom_community,
        data={
            **intercom_community.data,
            "transport": "mqtt",
            "mqtt_host": "127.0.0.1",
            "mqtt_port": broker.port,
            "mqtt_password": broker.community_password,
            "mqtt_tls": False,
        },
    )
    code = LinkCode(
        community=COMMUNITY,
        household=HOUSEHOLD,
        key=HOUSEHOLD_KEY,
        broadcast_key=intercom_community.data["broadcast_key"],
        host="127.0.0.1",
        port=broker.port,
        username=household_username(COMMUNITY, HOUSEHOLD),
        password=broker.passwords[HOUSEHOLD],
    )
    household_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        household_entry,
        data={**household_entry.data, "link_mode": "mqtt", "link_code": code.encode()},
    )
    assert await hass.config_entries.async_setup(intercom_community.entry_id)
    await hass.async_block_till_done()
    community = intercom_community.runtime_data.community
    link = household_entry.runtime_data.link
    await wait_until(lambda: community.endpoint.connected and link.endpoint.connected)

    response = await hass.services.async_call(
        DOMAIN,
        "call_household",
        {
            "config_entry_id": intercom_community.entry_id,
            "station": "north_gate",
            "room": "3-2-1502",
            "visitor": "Courier",
        },
        blocking=True,
        return_response=True,
    )
    assert response["household_id"] == HOUSEHOLD
    await wait_until(lambda: bool(gate_open))
    await hass.async_block_till_done()
    (opened,) = gate_open
    assert opened.data["entity_id"] == "switch.north_gate"
    (question,) = satellite.calls
    assert question.data["entity_id"] == "assist_satellite.living_room"
    hub = community.extensions
    audit = next(ext for ext in hub if hasattr(ext, "policy")).policy.audit.entries
    assert [entry.reason for entry in audit] == [AccessReason.OPENED_FOR_CALL]
