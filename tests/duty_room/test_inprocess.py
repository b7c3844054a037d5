"""The duty room end to end over the in-process link (both roles in one Home Assistant)."""

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_community.const import (
    DOMAIN,
    NOTIFY_ACTION_COMMUNITY_ACK_PREFIX,
)
from custom_components.smart_community.core.alarm import AlarmStatus
from custom_components.smart_community.link.protocol import MessageType
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from tests.conftest import Responders
from tests.mosquitto import wait_until

from .conftest import Linked, setup_linked

STATUS = "sensor.3_2_1502_wang_family_status"
BOARD = "sensor.sunny_gardens_active_alarms"


async def _smoke(hass: HomeAssistant) -> None:
    hass.states.async_set(
        "binary_sensor.kitchen_smoke", "on", {"device_class": "smoke"}
    )
    await hass.async_block_till_done()


async def _settle(hass: HomeAssistant, predicate: Any) -> None:
    await wait_until(predicate, timeout=10)
    await hass.async_block_till_done()


async def test_alarm_reaches_the_duty_room(
    hass: HomeAssistant, linked: Linked, responders: Responders
) -> None:
    """A smoke alarm at home appears on the board with address and contacts; duty is told."""
    assert hass.states.get(STATUS).state == "safe"
    assert hass.states.get("binary_sensor.sunny_gardens_link").state == "on"
    await _smoke(hass)
    (alarm,) = linked.household.book.active
    await _settle(hass, lambda: alarm.alarm_id in linked.community.board)
    assert hass.states.get(STATUS).state == "alarm"
    assert hass.states.get(STATUS).attributes["contacts"] == ["+86 138 0000 0000"]
    await _settle(hass, lambda: hass.states.get(BOARD).state == "1")
    board = hass.states.get(BOARD)
    (entry,) = board.attributes["alarms"]
    assert entry["address"] == "3-2-1502"
    assert entry["kind"] == "smoke"
    await _settle(hass, lambda: responders.notified("mobile_app_duty_li"))
    (call,) = responders.notified("mobile_app_duty_li")
    assert call.data["title"] == "Smoke alarm: Wang family (3-2-1502)"
    assert "+86 138 0000 0000" in call.data["message"]
    assert responders.notified("mobile_app_manager_zhao") == []


async def test_staff_acknowledge_arrive_resolve(
    hass: HomeAssistant, linked: Linked, responders: Responders, hass_admin_user: Any
) -> None:
    """Button, then actions: each step reaches the family's phones and the household's book."""
    await _smoke(hass)
    (alarm,) = linked.household.book.active
    await _settle(hass, lambda: alarm.alarm_id in linked.community.board)

    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": "button.3_2_1502_wang_family_acknowledge_alarm"},
        blocking=True,
        context=Context(user_id=hass_admin_user.id),
    )
    await _settle(hass, lambda: alarm.status is AlarmStatus.ACKNOWLEDGED)
    assert alarm.acknowledged_by == hass_admin_user.name
    assert hass.states.get(STATUS).state == "acknowledged"
    told = responders.notified("mobile_app_mum")[-1]
    assert told.data["title"] == "The property has your Smoke alarm"

    await hass.services.async_call(
        DOMAIN,
        "mark_arrived",
        {"config_entry_id": linked.community_entry.entry_id},
        blocking=True,
    )
    await _settle(hass, lambda: alarm.arrived_at is not None)
    assert hass.states.get(STATUS).state == "arrived"
    assert responders.notified("mobile_app_mum")[-1].data["title"] == "Help has arrived"
    assert (
        hass.states.get("event.wang_family_alarm").attributes["event_type"] == "arrived"
    )

    await hass.services.async_call(
        DOMAIN,
        "resolve_alarm",
        {
            "config_entry_id": linked.community_entry.entry_id,
            "alarm_id": alarm.alarm_id,
        },
        blocking=True,
    )
    await _settle(hass, lambda: alarm.status is AlarmStatus.RESOLVED)
    assert hass.states.get(STATUS).state == "safe"
    assert hass.states.get("sensor.wang_family_safety_status").state == "safe"
    board_alarm = linked.community.board.get(alarm.alarm_id)
    assert board_alarm.acknowledged_at is not None
    assert board_alarm.arrived_at is not None
    assert board_alarm.resolved_at is not None


async def test_family_resolves_first(
    hass: HomeAssistant, linked: Linked, responders: Responders
) -> None:
    """A false alarm resolved at home disappears from the board."""
    await _smoke(hass)
    (alarm,) = linked.household.book.active
    await _settle(hass, lambda: alarm.alarm_id in linked.community.board)
    await linked.household.async_acknowledge(alarm.alarm_id, "Mum")
    await linked.household.async_resolve(alarm.alarm_id, "Mum")
    board = linked.community.board
    await _settle(hass, lambda: not board.get(alarm.alarm_id).active)
    assert board.get(alarm.alarm_id).resolved_by == "family: Mum"
    await _settle(hass, lambda: hass.states.get(BOARD).state == "0")


async def test_duty_escalation(
    hass: HomeAssistant,
    community_entry: MockConfigEntry,
    household_entry: MockConfigEntry,
    sensors: None,
    responders: Responders,
) -> None:
    """Unacknowledged past the duty delay: all staff and managers are told."""
    # A real (short) delay: the history store's worker thread cannot run on a frozen clock.
    community_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        community_entry, options={"duty_delay": 0.3, "contacts_delay": 600}
    )
    linked = await setup_linked(hass, community_entry, household_entry)
    await _smoke(hass)
    (alarm,) = linked.household.book.active
    await _settle(hass, lambda: alarm.alarm_id in linked.community.board)
    await _settle(hass, lambda: responders.notified("mobile_app_manager_zhao"))
    call = responders.notified("mobile_app_manager_zhao")[0]
    assert call.data["title"] == "Still unacknowledged: Smoke alarm at 3-2-1502"
    assert linked.community.board.get(alarm.alarm_id).escalation_level == 1


async def test_staff_phone_acknowledges(
    hass: HomeAssistant, linked: Linked, responders: Responders
) -> None:
    """Tapping Acknowledge on a staff phone acknowledges on the board and at home."""
    await _smoke(hass)
    (alarm,) = linked.household.book.active
    await _settle(hass, lambda: alarm.alarm_id in linked.community.board)
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": f"{NOTIFY_ACTION_COMMUNITY_ACK_PREFIX}{alarm.alarm_id}"},
    )
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": f"{NOTIFY_ACTION_COMMUNITY_ACK_PREFIX}unknown"},
    )
    await _settle(hass, lambda: alarm.status is AlarmStatus.ACKNOWLEDGED)
    assert linked.community.board.get(alarm.alarm_id).acknowledged_by == "phone"


async def test_restarts_lose_nothing_and_duplicate_nothing(
    hass: HomeAssistant, linked: Linked, responders: Responders
) -> None:
    """A household restart mid-alarm and a community restart keep one alarm on the board."""
    await hass.config_entries.async_unload(linked.community_entry.entry_id)
    await _smoke(hass)
    (alarm,) = linked.household.book.active
    # The community is down: the alarm waits in the household's outbox.
    assert linked.household_entry.runtime_data.link.endpoint.pending
    await hass.config_entries.async_reload(linked.household_entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_setup(linked.community_entry.entry_id)
    await hass.async_block_till_done()
    community = linked.community_entry.runtime_data.community
    await _settle(hass, lambda: alarm.alarm_id in community.board)
    await hass.config_entries.async_reload(linked.community_entry.entry_id)
    await hass.async_block_till_done()
    community = linked.community_entry.runtime_data.community
    assert [a.alarm_id for a in community.board.active] == [alarm.alarm_id]
    await _settle(hass, lambda: hass.states.get(BOARD).state == "1")


async def test_duplicate_delivery_is_idempotent(
    hass: HomeAssistant, linked: Linked
) -> None:
    """The same alarm delivered twice (a re-send after a lost ack) is one board entry."""
    body = {
        "alarm_id": "feedbeef0001",
        "kind": "gas",
        "raised_at": 1.0,
        "location": "3-2-1502",
    }
    endpoint = linked.household_entry.runtime_data.link.endpoint
    await endpoint.send(MessageType.ALARM_RAISED, body)
    await endpoint.send(MessageType.ALARM_RAISED, body)
    await _settle(hass, lambda: "feedbeef0001" in linked.community.board)
    await _settle(hass, lambda: not endpoint.pending)
    assert len(linked.community.board.alarms) == 1


async def test_household_not_registered(
    hass: HomeAssistant,
    community_entry: MockConfigEntry,
    household_entry: MockConfigEntry,
    sensors: None,
    responders: Responders,
) -> None:
    """A household linked to a community that does not know it gets a repair issue."""
    household_entry = MockConfigEntry(
        domain=DOMAIN,
        title="Chen family",
        unique_id="household_3-2-1601",
        data={**household_entry.data, "room": "1601"},
        options=household_entry.options,
    )
    await setup_linked(hass, community_entry, household_entry)
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"link_not_ready_{household_entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_key == "not_registered"
    # Alarms are still handled at home.
    await _smoke(hass)
    assert household_entry.runtime_data.household.book.active


@pytest.mark.parametrize(
    ("link", "key"),
    [
        ({"link_mode": "in_process", "link_community": "gone"}, "community_missing"),
        ({"link_mode": "mqtt", "link_code": "nonsense"}, "invalid_link_code"),
    ],
)
async def test_link_not_ready(
    hass: HomeAssistant,
    household_entry: MockConfigEntry,
    sensors: None,
    responders: Responders,
    link: dict[str, str],
    key: str,
) -> None:
    """A broken link setting is a repair issue, not a failed household."""
    household_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        household_entry, data={**household_entry.data, **link}
    )
    assert await hass.config_entries.async_setup(household_entry.entry_id)
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"link_not_ready_{household_entry.entry_id}"
    )
    assert issue.translation_key == key


async def test_community_actions_errors(hass: HomeAssistant, linked: Linked) -> None:
    """Community-only actions refuse households and unknown ids."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "mark_arrived",
            {"config_entry_id": linked.household_entry.entry_id},
            blocking=True,
        )
    assert err.value.translation_key == "not_a_community"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "get_link_code",
            {
                "config_entry_id": linked.household_entry.entry_id,
                "household": "3-2-1502",
            },
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "not_a_community"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "get_link_code",
            {
                "config_entry_id": linked.community_entry.entry_id,
                "household": "9-9-999",
            },
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "household_not_registered"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "export_broker_config",
            {"config_entry_id": linked.community_entry.entry_id},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "no_broker_configured"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "button",
            "press",
            {"entity_id": "button.3_2_1502_wang_family_resolve_alarm"},
            blocking=True,
        )
    assert err.value.translation_key == "no_active_alarm"


async def test_in_process_link_code(hass: HomeAssistant, linked: Linked) -> None:
    """An in-process community's link code carries no broker."""
    result = await hass.services.async_call(
        DOMAIN,
        "get_link_code",
        {"config_entry_id": linked.community_entry.entry_id, "household": "3-2-1502"},
        blocking=True,
        return_response=True,
    )
    assert result["household"] == "3-2-1502"
    assert result["link_code"].startswith("SC1-")
