"""The config flow: roles, household bindings, errors, reconfigure and options."""

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.smart_community.const import DOMAIN
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er

COMMUNITY_EXTRA = {"language": "en", "transport": "in_process"}
HOUSEHOLD_INPUT = {
    "household_name": "  Wang family ",
    "building": "3",
    "unit": "2",
    "room": "1502",
    "language": "zh-Hans",
    "notify_targets": ["notify.mobile_app_mum"],
}


@pytest.fixture(autouse=True)
def phones(hass: HomeAssistant) -> None:
    """Give Home Assistant two phones to notify."""
    async_mock_service(hass, "notify", "mobile_app_mum")
    async_mock_service(hass, "notify", "mobile_app_dad")
    async_mock_service(hass, "notify", "persistent_notification")


@pytest.fixture
def safety_sensors(hass: HomeAssistant) -> None:
    """Create sensors of each safety device class plus one that is not."""
    hass.states.async_set("binary_sensor.smoke", "off", {"device_class": "smoke"})
    hass.states.async_set("binary_sensor.door", "off", {"device_class": "door"})
    er.async_get(hass).async_get_or_create(
        "binary_sensor",
        "zha",
        "gas-1",
        suggested_object_id="gas_registry_only",
        original_device_class="gas",
    )


async def _to_bindings(hass: HomeAssistant, flow_id: str) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_configure(flow_id, HOUSEHOLD_INPUT)
    assert result["step_id"] == "link"
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"link_mode": "none"}
    )
    assert result["step_id"] == "discover"
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    assert result["step_id"] == "bindings"
    return result


async def _start_household(hass: HomeAssistant) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["household", "community"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "household"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "household"
    return result


async def test_household_flow(hass: HomeAssistant, safety_sensors: None) -> None:
    """A household is named, placed and bound; bindings land in the options."""
    result = await _start_household(hass)
    result = await _to_bindings(hass, result["flow_id"])
    bindings = {
        "safety_sensors": ["binary_sensor.smoke", "binary_sensor.gas_registry_only"],
        "sirens": [],
        "escalation_delay": 60,
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], bindings)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Wang family"
    assert result["data"] == {
        "role": "household",
        "household_name": "Wang family",
        "building": "3",
        "unit": "2",
        "room": "1502",
        "language": "zh-Hans",
        "notify_targets": ["mobile_app_mum"],
        "link_mode": "none",
    }
    assert result["options"]["safety_sensors"] == bindings["safety_sensors"]
    assert result["result"].unique_id == "household_3-2-1502"


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"household_name": "   "}, {"household_name": "name_required"}),
        ({"building": "--"}, {"building": "invalid_address"}),
        ({"room": " "}, {"room": "invalid_address"}),
        (
            {"notify_targets": ["mobile_app_ghost"]},
            {"notify_targets": "unknown_notify_target"},
        ),
    ],
)
async def test_household_errors_recover(
    hass: HomeAssistant, changes: dict[str, Any], errors: dict[str, str]
) -> None:
    """Each invalid field is reported on the field, and fixing it goes on."""
    result = await _start_household(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**HOUSEHOLD_INPUT, **changes}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    result = await _to_bindings(hass, result["flow_id"])
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("bindings", "errors"),
    [
        (
            {"safety_sensors": ["binary_sensor.door"]},
            {"safety_sensors": "unsupported_device_class"},
        ),
        (
            {"safety_sensors": ["binary_sensor.ghost"]},
            {"safety_sensors": "unsupported_device_class"},
        ),
        (
            {"gas_valves": ["switch.valve"], "water_valves": ["switch.valve"]},
            {"water_valves": "valve_in_both"},
        ),
        ({"speakers": ["media_player.kitchen"]}, {"speakers": "no_tts_engine"}),
        (
            {"emergency_contacts": ["mobile_app_ghost"]},
            {"emergency_contacts": "unknown_notify_target"},
        ),
    ],
)
async def test_binding_errors_recover(
    hass: HomeAssistant,
    safety_sensors: None,
    bindings: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Bad bindings are reported per field and can be corrected."""
    result = await _start_household(hass)
    result = await _to_bindings(hass, result["flow_id"])
    result = await hass.config_entries.flow.async_configure(result["flow_id"], bindings)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    hass.states.async_set("tts.speech", "unknown")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "safety_sensors": [],
            "gas_valves": [],
            "water_valves": [],
            "speakers": ["media_player.kitchen"],
            "emergency_contacts": [],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"]["speakers"] == ["media_player.kitchen"]


async def test_media_player_with_chosen_engine(hass: HomeAssistant) -> None:
    """A chosen TTS engine satisfies media player speakers even if none has state yet."""
    result = await _start_household(hass)
    result = await _to_bindings(hass, result["flow_id"])
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"speakers": ["media_player.kitchen"], "tts_engine": "tts.cloud"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_household_already_configured(
    hass: HomeAssistant, household_entry: MockConfigEntry
) -> None:
    """The same address twice is refused."""
    household_entry.add_to_hass(hass)
    result = await _start_household(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**HOUSEHOLD_INPUT, "notify_targets": []}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_community_flow(hass: HomeAssistant) -> None:
    """A community is named; an empty name is refused; a second one aborts."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "community"}
    )
    assert result["step_id"] == "community"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"community_name": " !! ", **COMMUNITY_EXTRA}
    )
    assert result["errors"] == {"community_name": "name_required"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"community_name": " Sunny Gardens ", **COMMUNITY_EXTRA}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Sunny Gardens"
    data = dict(result["data"])
    assert len(data.pop("broadcast_key")) >= 32
    assert data == {
        "role": "community",
        "community_name": "Sunny Gardens",
        "community_id": "sunny-gardens",
        "language": "en",
        "transport": "in_process",
    }
    assert result["result"].unique_id == "community_sunny-gardens"
    assert result["result"].supports_options

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "community"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"community_name": "sunny gardens", **COMMUNITY_EXTRA}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reconfigure_household(
    hass: HomeAssistant, household_entry: MockConfigEntry
) -> None:
    """Reconfigure changes name, phones and even the address, after fixing errors."""
    household_entry.add_to_hass(hass)
    result = await household_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**HOUSEHOLD_INPUT, "household_name": ""}
    )
    assert result["errors"] == {"household_name": "name_required"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {**HOUSEHOLD_INPUT, "household_name": "Wang", "room": "1503"},
    )
    assert result["step_id"] == "reconfigure_link"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"link_mode": "none"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert household_entry.title == "Wang"
    assert household_entry.unique_id == "household_3-2-1503"
    assert household_entry.data["room"] == "1503"
    assert household_entry.data["role"] == "household"
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(household_entry.entry_id)


async def test_reconfigure_keeps_address(
    hass: HomeAssistant, household_entry: MockConfigEntry
) -> None:
    """Reconfigure without an address change keeps the unique id."""
    household_entry.add_to_hass(hass)
    result = await household_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**HOUSEHOLD_INPUT, "language": "en"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"link_mode": "none"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert household_entry.unique_id == "household_3-2-1502"
    assert household_entry.data["language"] == "en"
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(household_entry.entry_id)


async def test_reconfigure_onto_another_household(
    hass: HomeAssistant, household_entry: MockConfigEntry
) -> None:
    """Moving a household onto another household's address is refused."""
    household_entry.add_to_hass(hass)
    MockConfigEntry(domain=DOMAIN, unique_id="household_3-2-1503").add_to_hass(hass)
    result = await household_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**HOUSEHOLD_INPUT, "room": "1503"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reconfigure_community(
    hass: HomeAssistant, community_entry: MockConfigEntry
) -> None:
    """A community can be renamed; an empty name is refused."""
    community_entry.add_to_hass(hass)
    result = await community_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure_community"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"community_name": ""}
    )
    assert result["errors"] == {"community_name": "name_required"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"community_name": "Sunny Gardens Phase II"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert community_entry.title == "Sunny Gardens Phase II"
    assert community_entry.unique_id == "community_sunny-gardens"
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(community_entry.entry_id)


async def test_options_flow(
    hass: HomeAssistant, household_entry: MockConfigEntry, safety_sensors: None
) -> None:
    """Options re-bind the household and reload it; errors are shown and recovered."""
    household_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(household_entry.entry_id)
    await hass.async_block_till_done()
    assert household_entry.supports_options
    result = await hass.config_entries.options.async_init(household_entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "bindings"}
    )
    assert result["step_id"] == "bindings"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {**household_entry.options, "safety_sensors": ["binary_sensor.door"]},
    )
    assert result["errors"] == {
        "safety_sensors": "unsupported_device_class",
        "speakers": "no_tts_engine",
        "emergency_contacts": "unknown_notify_target",
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "safety_sensors": ["binary_sensor.smoke"],
            "speakers": ["media_player.kitchen"],
            "tts_engine": "tts.speech",
            "emergency_contacts": ["mobile_app_dad"],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert household_entry.options["safety_sensors"] == ["binary_sensor.smoke"]
    household = household_entry.runtime_data.household
    assert household is not None
    assert household.settings.safety_sensors == ("binary_sensor.smoke",)
    assert household.settings.tts_engine == "tts.speech"

    # The stored TTS engine is offered as the default next time.
    result = await hass.config_entries.options.async_init(household_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "bindings"}
    )
    schema_keys = {str(key): key for key in result["data_schema"].schema}
    assert schema_keys["tts_engine"].default() == "tts.speech"
