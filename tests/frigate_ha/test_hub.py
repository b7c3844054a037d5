"""The Frigate hub inside Home Assistant: MQTT in, gates, fire lanes, audio, availability."""

from datetime import timedelta
import json
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
    async_fire_time_changed,
    async_mock_service,
)
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.smart_community.community.frigate_hub import FrigateHub, hub_of
from custom_components.smart_community.const import DOMAIN
from custom_components.smart_community.core.alarm import AlarmKind, AlarmStatus
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import entity_registry as er, issue_registry as ir

from ..frigate.conftest import fixture_bytes
from .conftest import with_frigate

NORTH = "community_sunny-gardens_gate_north_gate_decision"
EAST = "community_sunny-gardens_gate_east_gate_decision"
ACCESS = "community_sunny-gardens_gate_access"


def _json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(fixture_bytes(name))
    return data


def car(event_id: str, plate: str | None, score: float = 0.93) -> str:
    """Return the real 0.16 car event with another id and plate."""
    data = _json("event_0_16_car.json")
    data["after"]["id"] = event_id
    data["after"]["recognized_license_plate"] = plate
    data["after"]["recognized_license_plate_score"] = score if plate else None
    return json.dumps(data)


def person(event_id: str, name: str | None, score: float = 0.93) -> str:
    """Return the real 0.14 person event with another id and sub label."""
    data = _json("event_0_14_person.json")
    data["after"]["id"] = event_id
    data["after"]["sub_label"] = None if name is None else [name, score]
    return json.dumps(data)


@pytest.fixture
async def setup(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    community_entry: MockConfigEntry,
) -> tuple[MockConfigEntry, FrigateHub, dict[str, list[ServiceCall]]]:
    """Set up the community with Frigate subentries and recording services."""
    calls = {
        "switch": async_mock_service(hass, "switch", "turn_on"),
        "lock": async_mock_service(hass, "lock", "unlock"),
        "duty": async_mock_service(hass, "notify", "mobile_app_duty_li"),
        "manager": async_mock_service(hass, "notify", "mobile_app_manager_zhao"),
    }
    entry = with_frigate(community_entry)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    community = entry.runtime_data.community
    assert community is not None
    hub = hub_of(community)
    assert hub is not None
    return entry, hub, calls


def _entity(hass: HomeAssistant, unique_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("event", DOMAIN, unique_id)
    assert entity_id is not None
    return entity_id


GATE_CASES = [
    # (name, topic, payload, expected decision, north/east entity, service, reason)
    (
        "resident_plate",
        "events",
        car("c1", "京A·D1234O"),
        "open",
        NORTH,
        "switch",
        "resident_vehicle",
    ),
    (
        "ocr_slip_plate",
        "events",
        car("c2", "京AD1234O"),
        "open",
        NORTH,
        "switch",
        "resident_vehicle",
    ),
    (
        "unknown_plate",
        "events",
        car("c3", "沪C77777"),
        "visitor",
        NORTH,
        "duty",
        "unknown_plate",
    ),
    (
        "blacklisted_plate",
        "events",
        car("c4", "粤B66666"),
        "alert",
        NORTH,
        None,
        "blacklisted",
    ),
    (
        "resident_face",
        "events",
        person("p1", "Li Wei"),
        "open",
        EAST,
        "lock",
        "resident_face",
    ),
    (
        "unknown_face",
        "events",
        person("p2", "Stranger"),
        "deny",
        EAST,
        None,
        "unknown_face",
    ),
    (
        "blacklisted_face",
        "events",
        person("p3", "Mallory"),
        "alert",
        EAST,
        None,
        "blacklisted",
    ),
]


@pytest.mark.parametrize(
    ("topic", "payload", "decision", "unique_id", "service", "reason"),
    [case[1:] for case in GATE_CASES],
    ids=[case[0] for case in GATE_CASES],
)
async def test_gate_decisions(
    hass: HomeAssistant,
    setup: tuple[MockConfigEntry, FrigateHub, dict[str, list[ServiceCall]]],
    topic: str,
    payload: str,
    decision: str,
    unique_id: str,
    service: str | None,
    reason: str,
) -> None:
    """A real Frigate message ends in the gate's action, event and log record."""
    entry, hub, calls = setup
    async_fire_mqtt_message(hass, f"frigate/{topic}", payload)
    await hass.async_block_till_done()
    state = hass.states.get(_entity(hass, unique_id))
    assert state is not None
    assert state.attributes["event_type"] == decision
    assert state.attributes["reason"] == reason
    event_id = state.attributes["event_id"]
    assert state.attributes["snapshot"] == (
        f"/api/smart_community/frigate/{entry.entry_id}/main/{event_id}/snapshot.jpg"
    )
    assert hub.access_log.records[-1].decision.value == decision
    for name, recorded in calls.items():
        if name == "manager":
            continue
        if name == service:
            assert len(recorded) == 1
        elif not (name == "duty" and decision == "alert"):
            assert recorded == [], name
    if service == "switch":
        assert calls["switch"][0].data["entity_id"] == "switch.north_barrier"
    if service == "lock":
        assert calls["lock"][0].data["entity_id"] == "lock.east_gate"
    community = entry.runtime_data.community
    assert community is not None
    alarms = [a for a in community.board.alarms if a.source.startswith("gate:")]
    if decision == "alert":
        assert len(alarms) == 1
        assert alarms[0].kind is AlarmKind.CUSTOM
        assert calls["duty"], "duty staff hear about the alarm"
    else:
        assert alarms == []
    # The same event does not act twice.
    async_fire_mqtt_message(hass, f"frigate/{topic}", payload)
    await hass.async_block_till_done()
    assert len(hub.access_log.records) == 1


async def test_plate_from_tracked_object_update(
    hass: HomeAssistant,
    setup: tuple[MockConfigEntry, FrigateHub, dict[str, list[ServiceCall]]],
) -> None:
    """A plate read later (tracked_object_update) completes the car at the barrier."""
    _, hub, calls = setup
    async_fire_mqtt_message(
        hass, "frigate/events", car("1751871612.204812-k2xw9d", None)
    )
    await hass.async_block_till_done()
    assert calls["switch"] == []
    async_fire_mqtt_message(
        hass,
        "frigate/tracked_object_update",
        fixture_bytes("tracked_object_update_lpr.json").decode(),
    )
    await hass.async_block_till_done()
    assert len(calls["switch"]) == 1
    access = hass.states.get(_entity(hass, ACCESS))
    assert access is not None
    assert access.attributes["vehicles_inside"] == 1
    assert access.attributes["entries_today"] == 1
    north = hass.states.get(_entity(hass, NORTH))
    assert north is not None
    assert north.attributes["direction"] == "in"
    resident = next(
        s.subentry_id
        for s in setup[0].subentries.values()
        if s.subentry_type == "resident"
    )
    assert access.attributes["last_seen"][resident]["gate"] == "north_gate"
    # The event ends: memory of it is dropped.
    data = json.loads(car("1751871612.204812-k2xw9d", None))
    data["type"] = "end"
    async_fire_mqtt_message(hass, "frigate/events", json.dumps(data))
    await hass.async_block_till_done()
    assert len(hub.tracker) == 0


async def test_access_log_persists(
    hass: HomeAssistant,
    setup: tuple[MockConfigEntry, FrigateHub, dict[str, list[ServiceCall]]],
) -> None:
    """The access log is saved on unload and restored on the next start."""
    entry, _, _ = setup
    async_fire_mqtt_message(hass, "frigate/events", car("c9", "沪C77777"))
    await hass.async_block_till_done()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    community = entry.runtime_data.community
    assert community is not None
    hub = hub_of(community)
    assert hub is not None
    assert [r.event_id for r in hub.access_log.records] == ["c9"]


async def test_fire_lane_raise_and_clear(
    hass: HomeAssistant,
    setup: tuple[MockConfigEntry, FrigateHub, dict[str, list[ServiceCall]]],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A car parked in the fire lane too long raises an alarm; leaving resolves it."""
    entry, _, calls = setup
    data = _json("event_0_17_fire_lane_end.json")
    parked = {"type": "update", "before": None, "after": data["before"]}
    async_fire_mqtt_message(hass, "frigate/events", json.dumps(parked))
    await hass.async_block_till_done()
    community = entry.runtime_data.community
    assert community is not None
    assert community.board.active_for(AlarmKind.CUSTOM, "fire_lane:block_3") is None
    freezer.tick(timedelta(minutes=11))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    alarm = community.board.active_for(AlarmKind.CUSTOM, "fire_lane:block_3")
    assert alarm is not None
    assert "Block 3 fire lane" in (alarm.message or "")
    assert calls["duty"]
    async_fire_mqtt_message(
        hass, "frigate/events", fixture_bytes("event_0_17_fire_lane_end.json").decode()
    )
    await hass.async_block_till_done()
    assert community.board.get(alarm.alarm_id).status is AlarmStatus.RESOLVED


async def test_audio_alarm(
    hass: HomeAssistant,
    setup: tuple[MockConfigEntry, FrigateHub, dict[str, list[ServiceCall]]],
) -> None:
    """Breaking glass heard in the lobby raises one community alarm."""
    entry, _, _ = setup
    async_fire_mqtt_message(hass, "frigate/lobby_cam/audio/glass", "ON")
    async_fire_mqtt_message(hass, "frigate/lobby_cam/audio/dBFS", "-40")
    async_fire_mqtt_message(hass, "frigate/lobby_cam/audio/glass", "OFF")
    async_fire_mqtt_message(hass, "frigate/other_cam/audio/glass", "ON")
    async_fire_mqtt_message(hass, "frigate/reviews", fixture_bytes("review_audio.json"))
    await hass.async_block_till_done()
    community = entry.runtime_data.community
    assert community is not None
    alarms = [a for a in community.board.alarms if a.source.startswith("audio:")]
    assert len(alarms) == 1
    assert alarms[0].source == "audio:main:lobby_cam:breaking_glass"
    assert "Lobby" in (alarms[0].message or "")

    # Staff handle it like any alarm; there is no household to tell.
    for service in ("acknowledge_alarm", "mark_arrived", "resolve_alarm"):
        await hass.services.async_call(
            "smart_community",
            service,
            {"config_entry_id": entry.entry_id, "alarm_id": alarms[0].alarm_id},
            blocking=True,
        )
    assert community.board.get(alarms[0].alarm_id).status is AlarmStatus.RESOLVED
    assert community.endpoint.pending == []


async def test_offline_and_back(
    hass: HomeAssistant,
    setup: tuple[MockConfigEntry, FrigateHub, dict[str, list[ServiceCall]]],
) -> None:
    """Offline: entities unavailable and a repair issue; online: both recovered."""
    entry, hub, _ = setup
    issue_id = f"frigate_offline_{entry.entry_id}_main"
    north = _entity(hass, NORTH)
    async_fire_mqtt_message(hass, "frigate/available", "online")
    await hass.async_block_till_done()
    async_fire_mqtt_message(hass, "frigate/available", "offline")
    await hass.async_block_till_done()
    state = hass.states.get(north)
    assert state is not None
    assert state.state == STATE_UNAVAILABLE
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "frigate_offline"
    assert issue.translation_placeholders == {"server": "Main NVR"}
    async_fire_mqtt_message(hass, "frigate/available", "online")
    await hass.async_block_till_done()
    state = hass.states.get(north)
    assert state is not None
    assert state.state != STATE_UNAVAILABLE
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    # An event after a lost "online" also brings it back.
    async_fire_mqtt_message(hass, "frigate/available", "offline")
    async_fire_mqtt_message(hass, "frigate/events", car("c5", "沪C77777"))
    await hass.async_block_till_done()
    assert hub.available["main"] is True
    # Unloading drops the issue (the retained `offline` raises it again on start).
    async_fire_mqtt_message(hass, "frigate/available", "offline")
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_bad_payloads_dropped_and_logged_once(
    hass: HomeAssistant,
    setup: tuple[MockConfigEntry, FrigateHub, dict[str, list[ServiceCall]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Malformed payloads are dropped; the warning is rate limited."""
    _, hub, _ = setup
    caplog.set_level(logging.WARNING)
    for payload in ("not json", '{"type": "new"}', "[]"):
        async_fire_mqtt_message(hass, "frigate/events", payload)
    async_fire_mqtt_message(hass, "frigate/available", "maybe")
    async_fire_mqtt_message(hass, "frigate/stats", "{}")
    await hass.async_block_till_done()
    assert hub.dropped == 4
    assert caplog.text.count("Dropped a bad Frigate payload") == 1
    assert hub.access_log.records == ()


async def test_opener_failure_is_logged(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    community_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without the opener's action (or phones) the decision is still recorded."""
    entry = with_frigate(community_entry)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    async_fire_mqtt_message(hass, "frigate/events", car("c1", "京AD12340"))
    async_fire_mqtt_message(hass, "frigate/events", car("c2", "沪C77777"))
    await hass.async_block_till_done()
    assert "Could not open gate north_gate" in caplog.text
    assert "Could not notify mobile_app_duty_li of a visitor" in caplog.text


async def test_without_mqtt(
    hass: HomeAssistant,
    community_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without the MQTT integration the community still starts; the hub says why."""
    entry = with_frigate(community_entry)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert "Frigate needs the MQTT integration" in caplog.text


async def test_community_without_frigate(
    hass: HomeAssistant, community_entry: MockConfigEntry
) -> None:
    """A community without Frigate subentries gets no gate entities."""
    community_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(community_entry.entry_id)
    await hass.async_block_till_done()
    assert not [
        e
        for e in er.async_entries_for_config_entry(
            er.async_get(hass), community_entry.entry_id
        )
        if e.domain == "event"
    ]
