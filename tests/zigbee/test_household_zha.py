"""A household on the real ZHA stack (only the radio faked), linked to its community."""

from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry
from zha.application.gateway import Gateway

from homeassistant.core import HomeAssistant
from tests.duty_room.conftest import setup_linked
from tests.mosquitto import wait_until

from .zha_harness import (
    HEIMAN_GAS_ENDPOINTS,
    IAS_ZONE_ENDPOINTS,
    async_join_device,
    async_zone_status,
    fake_app,
    ha_device_id,
    zha_entity_id,
)

ZONE_TYPE = (1, 0x0500, 0x0001)
CO_SENSOR = 0x002B
EMERGENCY = 0x002C
WARNING_DEVICE = 0x0225
ALARM_1 = 0x0001
TAMPER = 0x0004
BATTERY_LOW = 0x0008
IAS_WD = 0x0502
SIREN_ENDPOINTS: dict[int, dict[str, Any]] = {
    1: {"device_type": 0x0403, "in": [0x0000, 0x0003, 0x0500, IAS_WD], "out": [0x0019]},
}


async def test_gas_alarm_sounds_the_zha_siren_and_reaches_the_duty_room(
    hass: HomeAssistant,
    zha_gateway: Gateway,
    community_entry: MockConfigEntry,
    household_entry: MockConfigEntry,
) -> None:
    """Heiman gas zone Alarm_1 -> household gas alarm -> IAS WD warning -> community board."""
    gas = await async_join_device(
        hass,
        ieee="00:0d:6f:00:11:22:33:41",
        manufacturer="HEIMAN",
        model="GASSensor-EM",
        endpoints=HEIMAN_GAS_ENDPOINTS,
        attributes={ZONE_TYPE: CO_SENSOR},
    )
    siren = await async_join_device(
        hass,
        ieee="00:0d:6f:00:11:22:33:42",
        manufacturer="HEIMAN",
        model="WarningDevice",
        endpoints=SIREN_ENDPOINTS,
        attributes={ZONE_TYPE: WARNING_DEVICE},
        mains_powered=True,
    )
    gas_entity = zha_entity_id(hass, gas, "binary_sensor", device_class="gas")
    siren_entity = zha_entity_id(hass, siren, "siren")
    assert hass.states.get(siren_entity).attributes["available_tones"]
    household_entry = MockConfigEntry(
        domain=household_entry.domain,
        title=household_entry.title,
        unique_id=household_entry.unique_id,
        data=household_entry.data,
        options={
            **household_entry.options,
            "safety_sensors": [gas_entity],
            "sos_entities": [],
            "sirens": [siren_entity],
            "speakers": [],
        },
    )
    linked = await setup_linked(hass, community_entry, household_entry)

    sent_before = len(fake_app(hass).sent)
    await async_zone_status(hass, gas, ALARM_1)
    await hass.async_block_till_done()
    (alarm,) = linked.household.book.active
    assert alarm.kind.value == "gas"
    await wait_until(
        lambda: any(
            packet.cluster_id == IAS_WD and packet.dst.address == siren.nwk
            for packet in fake_app(hass).sent[sent_before:]
        )
    )
    await wait_until(lambda: alarm.alarm_id in linked.community.board)

    # Tamper and a low battery are maintenance, not alarms; the battery files a work order.
    await async_zone_status(hass, gas, ALARM_1 | TAMPER | BATTERY_LOW)
    await hass.async_block_till_done()
    issues = {issue.kind.value for issue in linked.household.maintenance.book.issues}
    assert issues == {"tamper", "battery_low"}
    assert len(linked.household.book.active) == 1
    community = linked.community
    await wait_until(lambda: len(community.desk.work_orders.orders()) == 1)
    (order,) = community.desk.work_orders.orders()
    assert "battery low" in order.text
    assert (
        hass.states.get("sensor.wang_family_devices_needing_maintenance").state == "2"
    )


async def test_heiman_sos_press_raises_the_household_sos(
    hass: HomeAssistant,
    zha_gateway: Gateway,
    community_entry: MockConfigEntry,
    household_entry: MockConfigEntry,
) -> None:
    """A Heiman SOS button bound as an SOS device: each press is the household's SOS alarm."""
    sos = await async_join_device(
        hass,
        ieee="00:0d:6f:00:11:22:33:43",
        manufacturer="HEIMAN",
        model="SOS-EM",
        endpoints=IAS_ZONE_ENDPOINTS,
        attributes={ZONE_TYPE: EMERGENCY},
    )
    household_entry = MockConfigEntry(
        domain=household_entry.domain,
        title=household_entry.title,
        unique_id=household_entry.unique_id,
        data=household_entry.data,
        options={
            **household_entry.options,
            "safety_sensors": [],
            "sos_entities": [],
            "sos_devices": [ha_device_id(hass, sos)],
            "sirens": [],
            "speakers": [],
        },
    )
    linked = await setup_linked(hass, community_entry, household_entry)
    await async_zone_status(hass, sos, ALARM_1)
    await hass.async_block_till_done()
    (alarm,) = linked.household.book.active
    assert alarm.kind.value == "sos"
    assert alarm.source == f"device:{ha_device_id(hass, sos)}"
    await wait_until(lambda: alarm.alarm_id in linked.community.board)
    # The button never clears its zone: a second press is the same open SOS, counted.
    await async_zone_status(hass, sos, ALARM_1)
    await hass.async_block_till_done()
    assert linked.household.book.active == [alarm]
    assert alarm.trigger_count == 2
