"""A household end to end: sensors raise alarms, responders act, phones acknowledge."""

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.smart_community.const import (
    CONF_LANGUAGE,
    CONF_SOS_DEVICES,
    DOMAIN,
    NOTIFY_ACTION_ACK_PREFIX,
)
from custom_components.smart_community.core.alarm import (
    AlarmAction,
    AlarmKind,
    AlarmStatus,
)
from custom_components.smart_community.household.runtime import Household
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.util import dt as dt_util
from tests.conftest import Responders

STATUS = "sensor.wang_family_safety_status"
ACTIVE = "sensor.wang_family_active_alarms"
EVENT = "event.wang_family_alarm"


async def _turn(hass: HomeAssistant, entity_id: str, state: str) -> None:
    current = hass.states.get(entity_id)
    attributes = dict(current.attributes) if current else {}
    hass.states.async_set(entity_id, state, attributes)
    await hass.async_block_till_done()


async def test_entities_on_the_household_device(
    hass: HomeAssistant, household: Household, household_entry: MockConfigEntry
) -> None:
    """Every entity exists, is idle, and belongs to the household's device."""
    assert hass.states.get(STATUS).state == "safe"
    assert hass.states.get(ACTIVE).state == "0"
    for kind in AlarmKind:
        state = hass.states.get(f"binary_sensor.wang_family_{_kind_slug(kind)}_alarm")
        assert state is not None, kind
        assert state.state == "off"
    assert hass.states.get(EVENT).state == "unknown"
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, household_entry.entry_id), household_entry.entry_id
    )
    assert device is not None
    assert device.name == "Wang family"
    entities = er.async_entries_for_config_entry(
        er.async_get(hass), household_entry.entry_id
    )
    assert len(entities) == 14
    assert {entity.device_id for entity in entities} == {device.id}


async def test_smoke_sounds_sirens_speaks_and_notifies(
    hass: HomeAssistant, household: Household, responders: Responders
) -> None:
    """Smoke: sirens on with the fire tone, spoken warning, actionable phone alerts."""
    events: list[Any] = []
    hass.bus.async_listen("state_changed", events.append)
    await _turn(hass, "binary_sensor.kitchen_smoke", "on")

    assert hass.states.get(STATUS).state == "alarm"
    assert hass.states.get(ACTIVE).state == "1"
    smoke = hass.states.get("binary_sensor.wang_family_smoke_alarm")
    assert smoke.state == "on"
    assert smoke.attributes["sources"] == ["binary_sensor.kitchen_smoke"]

    assert [call.data for call in responders.siren_on] == [
        {"entity_id": "siren.hall", "tone": "fire"}
    ]
    assert responders.valve_close == []
    assert responders.switch_off == []
    assert responders.announce[0].data["entity_id"] == "assist_satellite.living_room"
    assert "Smoke detected" in responders.announce[0].data["message"]
    speak = responders.tts_speak[0].data
    assert speak["entity_id"] == "tts.speech"
    assert speak["media_player_entity_id"] == "media_player.kitchen"
    assert speak["language"] == "en"
    for target in ("mobile_app_mum", "mobile_app_dad"):
        (call,) = responders.notified(target)
        assert call.data["title"] == "Smoke alarm at Wang family"
        alarm = household.book.active[0]
        assert call.data["data"]["actions"][0]["action"] == (
            f"{NOTIFY_ACTION_ACK_PREFIX}{alarm.alarm_id}"
        )
    assert responders.notified("mobile_app_neighbour") == []

    event = hass.states.get(EVENT)
    assert event.attributes["event_type"] == "raised"
    assert event.attributes["kind"] == "smoke"
    history = [entry.action for entry in household.book.active[0].history]
    assert history.count(AlarmAction.RESPONSE) == 5


@pytest.mark.parametrize(
    "sensor", ["binary_sensor.kitchen_gas", "binary_sensor.hall_co"]
)
async def test_gas_and_co_close_the_gas_valve(
    hass: HomeAssistant, household: Household, responders: Responders, sensor: str
) -> None:
    """Gas or CO: the gas valve closes, sirens sound, the warning is spoken."""
    await _turn(hass, sensor, "on")
    assert [call.data for call in responders.valve_close] == [
        {"entity_id": "valve.gas"}
    ]
    assert [call.data for call in responders.siren_on] == [
        {"entity_id": "siren.hall", "tone": "emergency"}
    ]
    assert responders.switch_off == []
    assert len(responders.announce) == 1
    kind = household.book.active[0].kind
    assert kind is (AlarmKind.GAS if "gas" in sensor else AlarmKind.CO)


async def test_leak_closes_the_water_valve(
    hass: HomeAssistant, household: Household, responders: Responders
) -> None:
    """Leak: the water valve (a relay switch) turns off; no siren."""
    await _turn(hass, "binary_sensor.bathroom_leak", "on")
    assert [call.data for call in responders.switch_off] == [
        {"entity_id": "switch.water_valve"}
    ]
    assert responders.siren_on == []
    assert responders.valve_close == []
    assert hass.states.get("binary_sensor.wang_family_water_leak_alarm").state == "on"


async def test_chattering_sensor_raises_one_alarm(
    hass: HomeAssistant, household: Household, responders: Responders
) -> None:
    """Twenty on/off flaps are one alarm, one response, with the count recorded."""
    for _ in range(20):
        await _turn(hass, "binary_sensor.kitchen_smoke", "on")
        await _turn(hass, "binary_sensor.kitchen_smoke", "off")
    (alarm,) = household.book.alarms
    assert alarm.trigger_count == 20
    assert len(responders.siren_on) == 1
    assert len(responders.notified("mobile_app_mum")) == 1
    actions = [entry.action for entry in alarm.history]
    assert actions.count(AlarmAction.SOURCE_CLEARED) >= 1
    assert hass.states.get(ACTIVE).state == "1"


async def test_sos_binary_sensor_and_event_entity(
    hass: HomeAssistant, household: Household, responders: Responders
) -> None:
    """An SOS binary sensor and an SOS event entity each raise an SOS alarm."""
    await _turn(hass, "binary_sensor.bedside_sos", "on")
    # The bedside sensor has device class "safety" but is bound as an SOS source.
    assert [alarm.kind for alarm in household.book.active] == [AlarmKind.SOS]
    assert [call.data for call in responders.siren_on] == [
        {"entity_id": "siren.hall", "tone": "emergency"}
    ]

    await _turn(hass, "event.sos_button", "2026-11-22T08:00:00.000+00:00")
    sources = sorted(alarm.source for alarm in household.book.active)
    assert sources == ["binary_sensor.bedside_sos", "event.sos_button"]
    assert hass.states.get("binary_sensor.wang_family_sos_alarm").state == "on"


async def test_event_entity_restore_is_not_a_press(
    hass: HomeAssistant, household: Household
) -> None:
    """An event entity coming back from unavailable with its old timestamp is ignored."""
    await _turn(hass, "event.sos_button", "unavailable")
    await _turn(hass, "event.sos_button", "2026-11-20T08:00:00.000+00:00")
    await _turn(hass, "event.sos_button", "unknown")
    assert household.book.alarms == []


async def test_phone_acknowledges(
    hass: HomeAssistant,
    household: Household,
    responders: Responders,
    hass_admin_user: Any,
) -> None:
    """Tapping Acknowledge on a phone acknowledges the alarm and tells the family."""
    await _turn(hass, "binary_sensor.bedside_sos", "on")
    (alarm,) = household.book.active
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": f"{NOTIFY_ACTION_ACK_PREFIX}{alarm.alarm_id}"},
        context=Context(user_id=hass_admin_user.id),
    )
    await hass.async_block_till_done()
    assert alarm.status is AlarmStatus.ACKNOWLEDGED
    assert alarm.acknowledged_by == hass_admin_user.name
    assert hass.states.get(STATUS).state == "acknowledged"
    assert hass.states.get(EVENT).attributes["event_type"] == "acknowledged"
    last = responders.notified("mobile_app_mum")[-1]
    assert last.data["title"] == "SOS alarm acknowledged"
    assert "actions" not in last.data["data"]

    # Other actions and unknown alarms are ignored.
    hass.bus.async_fire("mobile_app_notification_action", {"action": "OTHER"})
    hass.bus.async_fire(
        "mobile_app_notification_action", {"action": f"{NOTIFY_ACTION_ACK_PREFIX}nope"}
    )
    await hass.async_block_till_done()
    assert len(responders.notified("mobile_app_mum")) == 2


async def test_phone_ack_without_user(
    hass: HomeAssistant, household: Household
) -> None:
    """An acknowledgement from a phone without a user is recorded as from the phone."""
    await _turn(hass, "binary_sensor.bedside_sos", "on")
    (alarm,) = household.book.active
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": f"{NOTIFY_ACTION_ACK_PREFIX}{alarm.alarm_id}"},
    )
    await hass.async_block_till_done()
    assert alarm.acknowledged_by == "phone"


async def test_unacknowledged_alarm_escalates(
    hass: HomeAssistant,
    household: Household,
    responders: Responders,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Nobody acknowledges within the delay: the emergency contacts are told."""
    await _turn(hass, "binary_sensor.bedside_sos", "on")
    freezer.tick(timedelta(seconds=119))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert responders.notified("mobile_app_neighbour") == []

    freezer.tick(timedelta(seconds=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    (call,) = responders.notified("mobile_app_neighbour")
    assert call.data["title"] == "Unanswered SOS alarm at Wang family"
    assert household.book.active[0].escalation_level == 1
    assert hass.states.get(EVENT).attributes["event_type"] == "escalated"

    # Whoever was told about the alarm hears that it is handled.
    await household.async_acknowledge(household.book.active[0].alarm_id, "Dad")
    assert responders.notified("mobile_app_neighbour")[-1].data["title"] == (
        "SOS alarm acknowledged"
    )


async def test_acknowledged_alarm_does_not_escalate(
    hass: HomeAssistant,
    household: Household,
    responders: Responders,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An acknowledgement in time stops the ladder."""
    await _turn(hass, "binary_sensor.bedside_sos", "on")
    await household.async_acknowledge(household.book.active[0].alarm_id, "Mum")
    freezer.tick(timedelta(seconds=600))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert responders.notified("mobile_app_neighbour") == []


async def test_alarm_survives_a_restart(
    hass: HomeAssistant,
    household: Household,
    household_entry: MockConfigEntry,
    responders: Responders,
) -> None:
    """An active alarm and its history come back after the entry is set up again."""
    await _turn(hass, "binary_sensor.kitchen_smoke", "on")
    (before,) = household.book.active
    history = [entry.action for entry in before.history]
    assert await hass.config_entries.async_unload(household_entry.entry_id)
    await hass.async_block_till_done()
    assert household_entry.state is ConfigEntryState.NOT_LOADED

    assert await hass.config_entries.async_setup(household_entry.entry_id)
    await hass.async_block_till_done()
    restored = household_entry.runtime_data.household
    assert restored is not household
    (after,) = restored.book.active
    assert after.alarm_id == before.alarm_id
    # The sensor is still on at start-up: counted as a re-trigger, not a new alarm.
    assert [entry.action for entry in after.history][: len(history)] == history
    assert after.trigger_count == 2
    assert hass.states.get(STATUS).state == "alarm"
    assert len(responders.siren_on) == 1


async def test_alarm_restored_from_storage_on_start(
    hass: HomeAssistant,
    household_entry: MockConfigEntry,
    sensors: None,
    responders: Responders,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A gas alarm raised before a restart is active after it, and keeps escalating."""
    now = dt_util.utcnow().timestamp()
    hass_storage[f"{DOMAIN}.{household_entry.entry_id}.alarms"] = {
        "version": 1,
        "key": f"{DOMAIN}.{household_entry.entry_id}.alarms",
        "data": {
            "version": 1,
            "alarms": [
                {
                    "alarm_id": "abc123",
                    "kind": "gas",
                    "source": "binary_sensor.kitchen_gas",
                    "raised_at": now - 60,
                    "status": "raised",
                    "history": [{"at": now - 60, "action": "raised"}],
                }
            ],
        },
    }
    household_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(household_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(STATUS).state == "alarm"
    assert hass.states.get("binary_sensor.wang_family_gas_alarm").state == "on"
    # The restart does not replay the local response...
    assert responders.valve_close == []
    # ...but the escalation deadline still holds.
    freezer.tick(timedelta(seconds=61))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert len(responders.notified("mobile_app_neighbour")) == 1


async def test_corrupt_storage_starts_empty(
    hass: HomeAssistant,
    household_entry: MockConfigEntry,
    sensors: None,
    responders: Responders,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Unreadable stored alarms are reported and the household still starts."""
    hass_storage[f"{DOMAIN}.{household_entry.entry_id}.alarms"] = {
        "version": 1,
        "key": f"{DOMAIN}.{household_entry.entry_id}.alarms",
        "data": {"version": 1, "alarms": [{"alarm_id": "x"}]},
    }
    household_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(household_entry.entry_id)
    assert "could not be read" in caplog.text
    assert hass.states.get(STATUS).state == "safe"


async def test_sensor_on_at_start_raises(
    hass: HomeAssistant,
    household_entry: MockConfigEntry,
    sensors: None,
    responders: Responders,
) -> None:
    """A sensor already alarming when Home Assistant starts raises its alarm."""
    hass.states.async_set(
        "binary_sensor.bathroom_leak", "on", {"device_class": "moisture"}
    )
    household_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(household_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.wang_family_water_leak_alarm").state == "on"
    assert len(responders.switch_off) == 1


async def test_failed_response_is_recorded_and_alarm_stands(
    hass: HomeAssistant,
    household: Household,
    responders: Responders,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A siren that fails does not stop the alarm or the other responses."""

    async def broken(call: Any) -> None:
        raise HomeAssistantError("siren offline")

    hass.services.async_register("siren", "turn_on", broken)
    await _turn(hass, "binary_sensor.kitchen_smoke", "on")
    (alarm,) = household.book.active
    failures = [
        e.detail for e in alarm.history if e.action is AlarmAction.RESPONSE_FAILED
    ]
    assert failures == ["sirens_on:siren.hall: siren offline"]
    assert len(responders.notified("mobile_app_mum")) == 1
    assert "failed on siren.hall" in caplog.text


async def test_no_tts_engine_is_a_failed_response(
    hass: HomeAssistant, household: Household, responders: Responders
) -> None:
    """A media player speaker without any TTS engine records a failure."""
    hass.states.async_remove("tts.speech")
    await _turn(hass, "binary_sensor.bedside_sos", "on")
    (alarm,) = household.book.active
    failures = [
        e.detail for e in alarm.history if e.action is AlarmAction.RESPONSE_FAILED
    ]
    assert failures == [
        "announce:media_player.kitchen: no text-to-speech engine to speak with"
    ]


async def test_chinese_household_speaks_chinese(
    hass: HomeAssistant,
    household_entry: MockConfigEntry,
    sensors: None,
    responders: Responders,
) -> None:
    """A zh-Hans household hears and reads its warnings in Chinese."""
    household_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        household_entry, data={**household_entry.data, CONF_LANGUAGE: "zh-Hans"}
    )
    assert await hass.config_entries.async_setup(household_entry.entry_id)
    await hass.async_block_till_done()
    await _turn(hass, "binary_sensor.kitchen_gas", "on")
    assert responders.announce[0].data["message"].startswith("警告！检测到燃气泄漏")
    assert responders.tts_speak[0].data["language"] == "zh-cn"
    assert (
        responders.notified("mobile_app_mum")[0].data["title"]
        == "Wang family：燃气泄漏报警"
    )


async def test_missing_bound_entity_raises_a_repair(
    hass: HomeAssistant,
    household_entry: MockConfigEntry,
    responders: Responders,
) -> None:
    """Bound sensors that do not exist raise a repair issue, cleared once they do."""
    household_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(household_entry.entry_id)
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"missing_entities_{household_entry.entry_id}"
    )
    assert issue is not None
    assert "binary_sensor.kitchen_smoke" in issue.translation_placeholders["entities"]

    await hass.config_entries.async_unload(household_entry.entry_id)
    for entity_id in (
        household_entry.options["safety_sensors"]
        + household_entry.options["sos_entities"]
    ):
        hass.states.async_set(entity_id, "off")
    assert await hass.config_entries.async_setup(household_entry.entry_id)
    await hass.async_block_till_done()
    assert (
        ir.async_get(hass).async_get_issue(
            DOMAIN, f"missing_entities_{household_entry.entry_id}"
        )
        is None
    )


async def test_sos_device_presses(
    hass: HomeAssistant,
    household_entry: MockConfigEntry,
    sensors: None,
    responders: Responders,
) -> None:
    """A bound SOS device raises on its Zigbee events and its event entities."""
    config_entry = MockConfigEntry(domain="zha")
    config_entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=config_entry.entry_id, identifiers={("zha", "00:11")}
    )
    er.async_get(hass).async_get_or_create(
        "event",
        "zha",
        "sos-press",
        device_id=device.id,
        suggested_object_id="sos_press",
    )
    hass.states.async_set("event.sos_press", "unknown")
    household_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        household_entry,
        options={**household_entry.options, CONF_SOS_DEVICES: [device.id]},
    )
    assert await hass.config_entries.async_setup(household_entry.entry_id)
    await hass.async_block_till_done()
    runtime = household_entry.runtime_data.household
    assert runtime is not None

    hass.bus.async_fire(
        "zha_event", {"device_id": device.id, "command": "attribute_updated"}
    )
    hass.bus.async_fire("zha_event", {"device_id": "other", "command": "emergency"})
    await hass.async_block_till_done()
    assert runtime.book.alarms == []

    hass.bus.async_fire("zha_event", {"device_id": device.id, "command": "emergency"})
    await hass.async_block_till_done()
    (alarm,) = runtime.book.active
    assert alarm.kind is AlarmKind.SOS
    assert alarm.source == f"device:{device.id}"

    # The same press seen by the device's event entity is the same alarm, not a second one.
    await _turn(hass, "event.sos_press", "2026-11-22T08:00:00.000+00:00")
    assert runtime.book.active == [alarm]
    assert alarm.trigger_count == 2


def _kind_slug(kind: AlarmKind) -> str:
    return {
        AlarmKind.CO: "carbon_monoxide",
        AlarmKind.LEAK: "water_leak",
        AlarmKind.CUSTOM: "other",
    }.get(kind, kind.value)


def test_siren_tone_lookup() -> None:
    """Tones are found by name in lists and in ZHA's IAS WD mode dictionaries."""
    from custom_components.smart_community.household.responder import siren_tone

    assert siren_tone("fire", {1: "Burglar", 2: "Fire", 3: "Emergency"}) == 2
    assert siren_tone("emergency", ["fire", "Emergency"]) == "Emergency"
    assert siren_tone("fire", {1: "Burglar"}) is None
    assert siren_tone("fire", ["bell"]) is None
    assert siren_tone(None, ["fire"]) is None
    assert siren_tone("fire", None) is None
