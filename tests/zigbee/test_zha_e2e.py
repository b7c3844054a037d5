"""End to end: simulated devices join Home Assistant's real ZHA; alarms reach HA entities."""

from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_mock_service,
)
from zha.application.gateway import Gateway
from zhaquirks.tuya import TuyaDPType

from homeassistant.components.device_automation import (
    DeviceAutomationType,
    async_get_device_automations,
)
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component

from .zha_harness import (
    HEIMAN_GAS_ENDPOINTS,
    IAS_ZONE_ENDPOINTS,
    TUYA_SOS_ENDPOINTS,
    TUYA_TS0601_ENDPOINTS,
    async_ias_ace,
    async_join_device,
    async_make_offline,
    async_make_online,
    async_tuya_dp,
    async_zone_status,
    ha_device_id,
    zha_entity_id,
    zha_entity_ids,
)

ZONE_TYPE = (1, 0x0500, 0x0001)
FIRE_SENSOR = 0x0028
CO_SENSOR = 0x002B
ALARM_1 = 0x0001
TAMPER = 0x0004
BATTERY_LOW = 0x0008


def state(hass: HomeAssistant, entity_id: str) -> str:
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


async def test_heiman_smoke_alarm_and_offline(
    hass: HomeAssistant, zha_gateway: Gateway
) -> None:
    device = await async_join_device(
        hass,
        ieee="00:0d:6f:00:11:22:33:01",
        manufacturer="HEIMAN",
        model="SmokeSensor-EM",
        endpoints=IAS_ZONE_ENDPOINTS,
        attributes={ZONE_TYPE: FIRE_SENSOR},
    )
    smoke = zha_entity_id(hass, device, "binary_sensor", device_class="smoke")
    assert state(hass, smoke) == STATE_OFF

    await async_zone_status(hass, device, ALARM_1)
    assert state(hass, smoke) == STATE_ON
    await async_zone_status(hass, device, 0)
    assert state(hass, smoke) == STATE_OFF

    await async_make_offline(hass, device)
    assert {state(hass, entity_id) for entity_id in zha_entity_ids(hass, device)} == {
        STATE_UNAVAILABLE
    }
    await async_make_online(hass, device)
    assert state(hass, smoke) == STATE_OFF


async def test_heiman_combustible_gas_is_gas_not_co(
    hass: HomeAssistant, zha_gateway: Gateway
) -> None:
    device = await async_join_device(
        hass,
        ieee="00:0d:6f:00:11:22:33:02",
        manufacturer="HEIMAN",
        model="GASSensor-EM",
        endpoints=HEIMAN_GAS_ENDPOINTS,
        mains_powered=True,
        attributes={ZONE_TYPE: CO_SENSOR},
    )
    gas = zha_entity_id(hass, device, "binary_sensor", device_class="gas")
    tamper = zha_entity_id(hass, device, "binary_sensor", device_class="tamper")
    assert not [
        entity_id
        for entity_id in zha_entity_ids(hass, device)
        if hass.states.get(entity_id)
        and hass.states.get(entity_id).attributes.get("device_class")
        == "carbon_monoxide"
    ]

    await async_zone_status(hass, device, ALARM_1)
    assert state(hass, gas) == STATE_ON
    assert state(hass, tamper) == STATE_OFF
    await async_zone_status(hass, device, TAMPER)
    assert state(hass, gas) == STATE_OFF
    assert state(hass, tamper) == STATE_ON


async def test_tuya_gas_and_co_sensor(
    hass: HomeAssistant, zha_gateway: Gateway
) -> None:
    device = await async_join_device(
        hass,
        ieee="a4:c1:38:00:00:00:00:03",
        manufacturer="_TZE200_iuk8kupi",
        model="TS0601",
        endpoints=TUYA_TS0601_ENDPOINTS,
        mains_powered=True,
    )
    gas = zha_entity_id(hass, device, "binary_sensor", device_class="gas")
    co = zha_entity_id(hass, device, "binary_sensor", device_class="carbon_monoxide")
    co_ppm = zha_entity_id(hass, device, "sensor", device_class="carbon_monoxide")
    assert state(hass, gas) == STATE_OFF

    await async_tuya_dp(hass, device, 1, 0)
    assert state(hass, gas) == STATE_ON
    assert state(hass, co) == STATE_OFF

    await async_tuya_dp(hass, device, 18, 0)
    await async_tuya_dp(hass, device, 19, 4250, TuyaDPType.VALUE)
    assert state(hass, co) == STATE_ON
    assert float(state(hass, co_ppm)) == 42.5

    await async_tuya_dp(hass, device, 1, 1)
    assert state(hass, gas) == STATE_OFF


async def test_heiman_sos_press_fires_event_and_device_trigger(
    hass: HomeAssistant, zha_gateway: Gateway
) -> None:
    device = await async_join_device(
        hass,
        ieee="00:0d:6f:00:11:22:33:04",
        manufacturer="HEIMAN",
        model="SOS-EM",
        endpoints=IAS_ZONE_ENDPOINTS,
        attributes={ZONE_TYPE: 0x002C},
    )
    device_id = ha_device_id(hass, device)
    assert await async_setup_component(hass, "device_automation", {})
    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, [device_id]
    )
    assert {
        (t["type"], t.get("subtype"))
        for t in triggers[device_id]
        if t["platform"] == "device"
    } >= {("emergency", "button")}
    calls = async_mock_service(hass, "test", "sos")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "trigger": {
                    "platform": "device",
                    "domain": "zha",
                    "device_id": device_id,
                    "type": "emergency",
                    "subtype": "button",
                },
                "action": {"service": "test.sos"},
            }
        },
    )
    events: list[Event] = async_capture_events(hass, "zha_event")
    battery_low = zha_entity_id(hass, device, "binary_sensor", device_class="battery")

    await async_zone_status(hass, device, ALARM_1)
    await async_zone_status(hass, device, ALARM_1 | BATTERY_LOW)
    await hass.async_block_till_done()

    assert [event.data["command"] for event in events] == ["emergency", "emergency"]
    assert events[0].data["device_id"] == device_id
    assert len(calls) == 2
    assert state(hass, battery_low) == STATE_ON
    # The button never clears its zone: no entity may latch on the alarm bit.
    assert not [
        entity_id
        for entity_id in zha_entity_ids(hass, device)
        if entity_id.startswith("binary_sensor.")
        and hass.states.get(entity_id).attributes.get("device_class") != "battery"
        and state(hass, entity_id) == STATE_ON
    ]


async def test_tuya_sos_emergency_fires_event(
    hass: HomeAssistant, zha_gateway: Gateway
) -> None:
    device = await async_join_device(
        hass,
        ieee="a4:c1:38:00:00:00:00:05",
        manufacturer="_TZ3000_fsiepnrh",
        model="TS0215A",
        endpoints=TUYA_SOS_ENDPOINTS,
        attributes={ZONE_TYPE: 0x0115},
    )
    events: list[Event] = async_capture_events(hass, "zha_event")
    await async_ias_ace(hass, device, "emergency")
    assert [(event.data["command"], event.data["device_id"]) for event in events] == [
        ("emergency", ha_device_id(hass, device))
    ]
    panel = zha_entity_id(hass, device, "alarm_control_panel")
    assert state(hass, panel) == "triggered"
