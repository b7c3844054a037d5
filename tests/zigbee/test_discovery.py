"""Find my safety devices: ZHA sensors by device class and SOS buttons by their triggers."""

from pytest_homeassistant_custom_component.common import MockConfigEntry
from zha.application.gateway import Gateway

from custom_components.smart_community.const import DOMAIN
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from .zha_harness import (
    HEIMAN_GAS_ENDPOINTS,
    IAS_ZONE_ENDPOINTS,
    async_join_device,
    ha_device_id,
    zha_entity_id,
)

ZONE_TYPE = (1, 0x0500, 0x0001)
CO_SENSOR = 0x002B
EMERGENCY = 0x002C


async def test_find_and_bind(
    hass: HomeAssistant, zha_gateway: Gateway, household_entry: MockConfigEntry
) -> None:
    """The flow finds the Heiman gas sensor and SOS button, binds them, and later finds more."""
    gas = await async_join_device(
        hass,
        ieee="00:0d:6f:00:11:22:33:51",
        manufacturer="HEIMAN",
        model="GASSensor-EM",
        endpoints=HEIMAN_GAS_ENDPOINTS,
        attributes={ZONE_TYPE: CO_SENSOR},
    )
    sos = await async_join_device(
        hass,
        ieee="00:0d:6f:00:11:22:33:52",
        manufacturer="HEIMAN",
        model="SOS-EM",
        endpoints=IAS_ZONE_ENDPOINTS,
        attributes={ZONE_TYPE: EMERGENCY},
    )
    gas_entity = zha_entity_id(hass, gas, "binary_sensor", device_class="gas")
    sos_device = ha_device_id(hass, sos)

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "household"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "household_name": "Li",
            "building": "1",
            "unit": "1",
            "room": "101",
            "language": "en",
        },
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"link_mode": "none"}
    )
    assert result["step_id"] == "discover"
    assert result["description_placeholders"] == {"sensors": "1", "devices": "1"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"safety_sensors": [gas_entity], "sos_devices": [sos_device]}
    )
    assert result["step_id"] == "bindings"
    defaults = {
        str(key): key.default()
        for key in result["data_schema"].schema
        if callable(getattr(key, "default", None))
    }
    assert defaults["safety_sensors"] == [gas_entity]
    assert defaults["sos_devices"] == [sos_device]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"safety_sensors": [gas_entity], "sos_devices": [sos_device]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    await hass.async_block_till_done()

    # Nothing new since: the options' discovery lists nothing; a new sensor shows up.
    hass.states.async_set(
        "binary_sensor.bathroom_leak", "off", {"device_class": "moisture"}
    )
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "discover"}
    )
    assert result["description_placeholders"]["devices"] == "0"
    found = {
        option["value"]
        for key, selector in result["data_schema"].schema.items()
        if str(key) == "safety_sensors"
        for option in selector.config["options"]
    }
    assert "binary_sensor.bathroom_leak" in found
    assert gas_entity not in found
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"safety_sensors": ["binary_sensor.bathroom_leak"]}
    )
    assert result["step_id"] == "bindings"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "safety_sensors": [gas_entity, "binary_sensor.bathroom_leak"],
            "sos_devices": [sos_device],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options["safety_sensors"] == [
        gas_entity,
        "binary_sensor.bathroom_leak",
    ]
    await hass.config_entries.async_unload(entry.entry_id)
