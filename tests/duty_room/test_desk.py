"""Announcements, work orders and response figures, both roles in one Home Assistant."""

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_community.community.desk import DAY
from custom_components.smart_community.community.workorders import (
    WorkOrderCategory,
    WorkOrderStatus,
)
from custom_components.smart_community.const import DOMAIN, STORAGE_VERSION
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from tests.conftest import Responders
from tests.mosquitto import wait_until

from .conftest import Linked


async def _call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )


async def test_broadcast_reaches_home_and_counts_receipts(
    hass: HomeAssistant, linked: Linked, responders: Responders
) -> None:
    """A notice is spoken, shown and pushed at home; the community counts 1 of 1."""
    result = await _call(
        hass,
        "broadcast",
        {
            "config_entry_id": linked.community_entry.entry_id,
            "message_zh": "明早 9 点停水。",
            "message_en": "Water is off at 9 tomorrow.",
            "urgency": "urgent",
        },
    )
    assert result["targeted"] == ["3-2-1502"]
    delivery = linked.community.desk.announcements.get(result["announcement_id"])
    await wait_until(lambda: delivery.progress.delivered == 1)
    await hass.async_block_till_done()
    await wait_until(
        lambda: (
            hass.states.get("sensor.sunny_gardens_last_announcement_delivered").state
            == "1"
        )
    )
    state = hass.states.get("sensor.sunny_gardens_last_announcement_delivered")
    assert state.attributes["targeted"] == 1
    assert hass.states.get("sensor.wang_family_last_announcement").state == (
        "Water is off at 9 tomorrow."
    )
    spoken = responders.announce[-1].data["message"]
    assert spoken == "Notice from Sunny Gardens: Water is off at 9 tomorrow."
    pushed = responders.notified("mobile_app_mum")[-1]
    assert pushed.data["title"] == "Notice from Sunny Gardens"
    assert pushed.data["data"]["priority"] == "high"
    notifications = hass.states.async_entity_ids("persistent_notification")
    assert notifications is not None


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (
            {"message_en": "x", "buildings": ["3"], "households": ["3-2-1502"]},
            "one_kind_of_target",
        ),
        ({"message_en": "x", "buildings": ["9"]}, "announcement_no_targets"),
        ({"message_en": "  "}, "announcement_text_required"),
    ],
)
async def test_broadcast_errors(
    hass: HomeAssistant, linked: Linked, data: dict[str, Any], key: str
) -> None:
    """Conflicting targets, no matching household and empty text are refused."""
    with pytest.raises(ServiceValidationError) as err:
        await _call(
            hass,
            "broadcast",
            {"config_entry_id": linked.community_entry.entry_id, **data},
        )
    assert err.value.translation_key == key


async def test_work_order_round_trip(
    hass: HomeAssistant, linked: Linked, responders: Responders
) -> None:
    """Filed at home, taken and completed by staff; every step reaches the family."""
    filed = await _call(
        hass,
        "file_work_order",
        {
            "category": "repair",
            "text": "Kitchen tap leaking\nsince this morning",
            "photo": "/local/tap.jpg",
        },
    )
    order_id = filed["work_order_id"]
    community = linked.community
    await wait_until(
        lambda: order_id in {o.order_id for o in community.desk.work_orders.orders()}
    )
    order = community.desk.work_orders.get(order_id)
    assert order.text == "Kitchen tap leaking\nsince this morning"
    assert order.photo == "/local/tap.jpg"
    await wait_until(
        lambda: hass.states.get("todo.sunny_gardens_work_orders").state == "1"
    )
    assert hass.states.get("todo.wang_family_work_orders").state == "1"

    taken = await _call(
        hass,
        "update_work_order",
        {
            "config_entry_id": linked.community_entry.entry_id,
            "work_order_id": order_id,
            "status": "assigned",
            "assignee": "Plumber Zhou",
        },
    )
    assert taken == {
        "work_order_id": order_id,
        "status": "assigned",
        "assignee": "Plumber Zhou",
    }
    mirror = linked.household.desk.work_orders
    await wait_until(lambda: mirror.get(order_id).status.value == "assigned")
    told = responders.notified("mobile_app_mum")[-1]
    assert told.data["title"] == "Work order assigned: Kitchen tap leaking"
    assert "Plumber Zhou" in told.data["message"]

    # Staff tick it off on the community's to-do list: it is done, at home too.
    await hass.services.async_call(
        "todo",
        "update_item",
        {
            "entity_id": "todo.sunny_gardens_work_orders",
            "item": order_id,
            "status": "completed",
        },
        blocking=True,
    )
    await wait_until(lambda: mirror.get(order_id).status.value == "done")
    await wait_until(
        lambda: hass.states.get("todo.wang_family_work_orders").state == "0"
    )

    with pytest.raises(ServiceValidationError) as err:
        await _call(
            hass,
            "update_work_order",
            {
                "config_entry_id": linked.community_entry.entry_id,
                "work_order_id": order_id,
                "status": "assigned",
                "assignee": "Plumber Zhou",
            },
        )
    assert err.value.translation_key == "work_order_invalid_transition"


async def test_household_list_files_and_withdraws(
    hass: HomeAssistant, linked: Linked
) -> None:
    """Adding to the household's list files an order; removing it cancels at the property."""
    await hass.services.async_call(
        "todo",
        "add_item",
        {"entity_id": "todo.wang_family_work_orders", "item": "Corridor light broken"},
        blocking=True,
    )
    (order,) = linked.household.desk.work_orders.orders()
    community = linked.community
    await wait_until(
        lambda: (
            order.order_id in {o.order_id for o in community.desk.work_orders.orders()}
        )
    )
    await hass.services.async_call(
        "todo",
        "remove_item",
        {"entity_id": "todo.wang_family_work_orders", "item": order.order_id},
        blocking=True,
    )
    await wait_until(
        lambda: (
            community.desk.work_orders.get(order.order_id).status.value == "cancelled"
        )
    )
    # Cancelling again from the staff's list changes nothing.
    await hass.services.async_call(
        "todo",
        "remove_item",
        {"entity_id": "todo.sunny_gardens_work_orders", "item": order.order_id},
        blocking=True,
    )
    assert community.desk.work_orders.get(order.order_id).status.value == "cancelled"


async def test_unlinked_household_cannot_file(
    hass: HomeAssistant,
    household_entry: MockConfigEntry,
    sensors: None,
    responders: Responders,
) -> None:
    """Without a link there is nobody to file with."""
    household_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(household_entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "file_work_order", {"text": "Door broken"})
    assert err.value.translation_key == "not_linked"


async def test_response_figures(
    hass: HomeAssistant, linked: Linked, responders: Responders
) -> None:
    """After an alarm is acknowledged, arrived at and resolved, the 30-day figures appear."""
    hass.states.async_set(
        "binary_sensor.kitchen_smoke", "on", {"device_class": "smoke"}
    )
    await hass.async_block_till_done()
    (alarm,) = linked.household.book.active
    community = linked.community
    await wait_until(lambda: alarm.alarm_id in community.board)
    entry_id = linked.community_entry.entry_id
    for service in ("acknowledge_alarm", "mark_arrived", "resolve_alarm"):
        await _call(
            hass, service, {"config_entry_id": entry_id, "alarm_id": alarm.alarm_id}
        )
    await wait_until(
        lambda: (
            community.desk.report is not None
            and community.desk.report.resolve.count == 1
        )
    )
    await wait_until(
        lambda: (
            hass.states.get("sensor.sunny_gardens_time_to_resolve_median_30_days").state
            not in ("unknown", "unavailable")
        )
    )
    assert (
        float(
            hass.states.get("sensor.sunny_gardens_acknowledged_within_5_minutes").state
        )
        == 100.0
    )
    stored = await community.desk.history.alarm(alarm.alarm_id)
    assert stored is not None
    assert stored.arrived_at is not None
    assert stored.resolved_at is not None


async def test_history_unreachable_retries(
    hass: HomeAssistant, community_entry: MockConfigEntry, socket_enabled: None
) -> None:
    """A PostgreSQL URL nobody answers: the entry is not ready and will retry."""
    community_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        community_entry,
        options={
            "history_url": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"
        },
    )
    assert not await hass.config_entries.async_setup(community_entry.entry_id)
    assert community_entry.state is ConfigEntryState.SETUP_RETRY


async def test_desk_forgets_what_is_old(hass: HomeAssistant, linked: Linked) -> None:
    """Housekeeping drops month-old announcements (not the newest) and finished orders."""
    entry_id = linked.community_entry.entry_id
    first = await _call(
        hass, "broadcast", {"config_entry_id": entry_id, "message_en": "Old notice."}
    )
    newest = await _call(
        hass, "broadcast", {"config_entry_id": entry_id, "message_en": "Newest."}
    )
    desk = linked.community.desk
    finished = desk.work_orders.create(
        "3-2-1502", WorkOrderCategory.CLEANING, "Stairs", 1000.0, order_id="w-old"
    ).order
    desk.work_orders.transition(finished.order_id, WorkOrderStatus.CANCELLED, 1100.0)
    open_order = desk.work_orders.create(
        "3-2-1502", WorkOrderCategory.REPAIR, "Lift", 1000.0, order_id="w-open"
    ).order
    later = dt_util.utcnow().timestamp() + 31 * DAY
    await desk.async_purge(later, 365)
    assert [d.announcement.announcement_id for d in desk.announcements.deliveries] == [
        newest["announcement_id"]
    ]
    assert first["announcement_id"] != newest["announcement_id"]
    assert [o.order_id for o in desk.work_orders.orders()] == [open_order.order_id]
    # What the desk forgot is saved that way.
    saved = await Store[dict[str, Any]](
        hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.desk"
    ).async_load()
    assert saved is not None
    assert [o["order_id"] for o in saved["work_orders"]["orders"]] == ["w-open"]
    assert len(saved["announcements"]["deliveries"]) == 1
    # Nothing old: nothing to forget, nothing written.
    await desk.async_purge(later, 365)
    assert len(desk.announcements.deliveries) == 1
