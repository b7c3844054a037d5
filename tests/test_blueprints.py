"""The shipped automation blueprints load, validate and work with a real household."""

from pathlib import Path
import re
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.smart_community.core.alarm import AlarmKind, AlarmStatus
from custom_components.smart_community.household.runtime import Household
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import Blueprint
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import yaml as yaml_util

BLUEPRINTS = (
    Path(__file__).parent.parent / "blueprints" / "automation" / "smart_community"
)
BLUEPRINT_FILES = sorted(BLUEPRINTS.glob("*.yaml"))
CHINESE = re.compile(r"[\u4e00-\u9fff]")
EVENT = "event.wang_family_alarm"
LIGHTS = ["light.hall", "light.bedroom"]


def _load(path: Path) -> Blueprint:
    return Blueprint(
        yaml_util.load_yaml_dict(path),
        path=path.name,
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )


def test_blueprints_exist() -> None:
    """The three documented blueprints are shipped."""
    assert {path.name for path in BLUEPRINT_FILES} >= {
        "sos_button.yaml",
        "alarm_lights.yaml",
        "alarm_to_media_player.yaml",
    }


@pytest.mark.parametrize("path", BLUEPRINT_FILES, ids=lambda path: path.stem)
def test_blueprint_is_valid(path: Path) -> None:
    """Each blueprint passes Home Assistant's schema and documents itself in two languages."""
    blueprint = _load(path)
    assert blueprint.validate() is None
    metadata = blueprint.metadata
    assert metadata["name"].startswith("Smart Community: ")
    assert metadata["homeassistant"]["min_version"] == "2026.10.0"
    assert "source_url" not in metadata
    assert CHINESE.search(metadata["description"])
    assert blueprint.inputs
    for key, spec in blueprint.inputs.items():
        assert spec.get("name"), key
        assert spec.get("description"), key
        assert CHINESE.search(spec["description"]), key
        assert "selector" in spec, key


@pytest.fixture
async def household(
    hass: HomeAssistant, household_entry: MockConfigEntry, tmp_path: Path
) -> Household:
    """Set up the test household and make the blueprints visible to Home Assistant."""
    folder = tmp_path / "blueprints" / "automation"
    folder.mkdir(parents=True)
    (folder / "smart_community").symlink_to(BLUEPRINTS, target_is_directory=True)
    hass.config.config_dir = str(tmp_path)
    hass.states.async_set("binary_sensor.pull_cord", "off")
    household_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(household_entry.entry_id)
    await hass.async_block_till_done()
    runtime = household_entry.runtime_data.household
    assert runtime is not None
    return runtime


async def _automation(
    hass: HomeAssistant, blueprint: str, inputs: dict[str, Any]
) -> None:
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": "from_blueprint",
                "alias": "From blueprint",
                "use_blueprint": {
                    "path": f"smart_community/{blueprint}",
                    "input": inputs,
                },
            }
        },
    )
    await hass.async_block_till_done()
    state = hass.states.get("automation.from_blueprint")
    assert state is not None
    assert state.state == "on"


async def test_sos_button_binary_sensor_raises_sos(
    hass: HomeAssistant, household: Household, household_entry: MockConfigEntry
) -> None:
    """A binary sensor chosen in the SOS blueprint raises an SOS alarm when it turns on."""
    phone = async_mock_service(hass, "notify", "mobile_app_mum")
    await _automation(
        hass,
        "sos_button.yaml",
        {
            "household": household_entry.entry_id,
            "binary_sensors": ["binary_sensor.pull_cord"],
            "message": "Grandma pulled the cord",
        },
    )
    assert household.book.alarms == []

    hass.states.async_set("binary_sensor.pull_cord", "on")
    await hass.async_block_till_done()

    (alarm,) = household.book.active
    assert alarm.kind is AlarmKind.SOS
    assert alarm.source == "binary_sensor.pull_cord"
    assert alarm.message == "Grandma pulled the cord"
    assert alarm.status is AlarmStatus.RAISED
    assert hass.states.get("binary_sensor.wang_family_sos_alarm").state == "on"
    event = hass.states.get(EVENT)
    assert event.attributes["event_type"] == "raised"
    assert event.attributes["kind"] == "sos"
    assert len(phone) == 1


async def test_sos_button_event_entity_and_trigger(
    hass: HomeAssistant, household: Household, household_entry: MockConfigEntry
) -> None:
    """Event entities count real events only; an extra trigger raises under its source name."""
    await _automation(
        hass,
        "sos_button.yaml",
        {
            "household": household_entry.entry_id,
            "event_entities": ["event.remote"],
            "button_triggers": [{"trigger": "event", "event_type": "test_press"}],
            "source_name": "Hall remote",
        },
    )
    # The entity appearing with its restored last event is not a press.
    hass.states.async_set("event.remote", "2026-11-20T08:00:00.000+00:00")
    await hass.async_block_till_done()
    assert household.book.alarms == []

    hass.states.async_set("event.remote", "2026-11-22T08:00:00.000+00:00")
    await hass.async_block_till_done()
    hass.bus.async_fire("test_press")
    await hass.async_block_till_done()
    assert sorted(alarm.source for alarm in household.book.active) == [
        "Hall remote",
        "event.remote",
    ]
    assert {alarm.kind for alarm in household.book.active} == {AlarmKind.SOS}


async def test_alarm_lights_flash_and_come_back(
    hass: HomeAssistant, household: Household
) -> None:
    """Lights go red on a matching alarm and are restored when it is acknowledged."""
    assert await async_setup_component(hass, "scene", {})
    for entity_id in LIGHTS:
        hass.states.async_set(entity_id, "off")
    turn_on = async_mock_service(hass, "light", "turn_on")
    turn_off = async_mock_service(hass, "light", "turn_off")
    await _automation(
        hass,
        "alarm_lights.yaml",
        {"alarm_event": EVENT, "lights": LIGHTS, "kinds": ["smoke"]},
    )

    await household.async_raise(AlarmKind.LEAK, "binary_sensor.bathroom_leak")
    await hass.async_block_till_done()
    assert turn_on == []

    alarm = await household.async_raise(AlarmKind.SMOKE, "binary_sensor.kitchen_smoke")
    await hass.async_block_till_done()
    (call,) = turn_on
    assert call.data["entity_id"] == LIGHTS
    assert call.data["rgb_color"] == [255, 0, 0]
    assert call.data["flash"] == "long"
    scenes = hass.states.async_entity_ids("scene")
    assert scenes == ["scene.smart_community_lights_from_blueprint"]
    # The (mocked) lights are now red.
    for entity_id in LIGHTS:
        hass.states.async_set(entity_id, "on", {"rgb_color": [255, 0, 0]})

    await household.async_acknowledge(alarm.alarm_id, "Mum")
    await hass.async_block_till_done()
    assert sorted(_entity_ids(turn_off)) == sorted(LIGHTS)
    assert hass.states.async_entity_ids("scene") == []


async def test_alarm_to_media_player_speaks(
    hass: HomeAssistant, household: Household
) -> None:
    """The alarm's kind and message are spoken on the chosen media player."""
    speak = async_mock_service(hass, "tts", "speak")
    await _automation(
        hass,
        "alarm_to_media_player.yaml",
        {
            "alarm_event": EVENT,
            "media_players": ["media_player.tv"],
            "tts_engine": "tts.cloud",
            "language": "en",
        },
    )
    alarm = await household.async_raise(
        AlarmKind.GAS, "manual", message="Kitchen hob left on"
    )
    await hass.async_block_till_done()
    await household.async_acknowledge(alarm.alarm_id)
    await hass.async_block_till_done()

    (call,) = [
        c for c in speak if c.data.get("media_player_entity_id") == ["media_player.tv"]
    ]
    assert call.data["entity_id"] == ["tts.cloud"]
    assert call.data["message"] == "Gas leak alarm! Kitchen hob left on"
    assert call.data["language"] == "en"


def _entity_ids(calls: list[ServiceCall]) -> list[str]:
    found: list[str] = []
    for call in calls:
        entity_ids = call.data["entity_id"]
        found.extend([entity_ids] if isinstance(entity_ids, str) else entity_ids)
    return found
