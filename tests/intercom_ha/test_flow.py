"""The door intercom end to end: a visitor rings, the household answers, the gate opens."""

import asyncio
from typing import Any

import pytest

from custom_components.smart_community.community.intercom_hub import hub_of
from custom_components.smart_community.const import DOMAIN
from custom_components.smart_community.intercom.access import (
    AccessReason,
    SlidingWindowLimiter,
)
from custom_components.smart_community.intercom.household_side import Outcome
from custom_components.smart_community.link.protocol import MessageType
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from tests.mosquitto import wait_until

from .conftest import Intercom


async def _ring(
    hass: HomeAssistant, intercom: Intercom, room: str = "3栋2单元1502"
) -> str:
    """Call the household from the north gate and return the call id."""
    response = await hass.services.async_call(
        DOMAIN,
        "call_household",
        {
            "config_entry_id": intercom.linked.community_entry.entry_id,
            "station": "north_gate",
            "room": room,
            "visitor": "Courier",
        },
        blocking=True,
        return_response=True,
    )
    assert response is not None
    call_id = response["call_id"]
    assert isinstance(call_id, str)
    return call_id


async def _settle(hass: HomeAssistant, predicate: Any) -> None:
    await wait_until(predicate, timeout=10)
    await hass.async_block_till_done()


def _doorbell(hass: HomeAssistant, intercom: Intercom) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "event", DOMAIN, f"{intercom.linked.household_entry.entry_id}_doorbell"
    )
    assert entity_id is not None
    return entity_id


def _outcome(intercom: Intercom, call_id: str) -> Outcome | None:
    call = intercom.home.core.find(call_id)
    return None if call is None else call.outcome


def _last_reason(intercom: Intercom) -> AccessReason:
    return intercom.hub.policy.audit.entries[-1].reason


async def test_ring_answer_open(hass: HomeAssistant, intercom: Intercom) -> None:
    """The visitor rings; the satellite asks, the resident says open; the gate opens."""
    doorbell = _doorbell(hass, intercom)
    before = hass.states.get(doorbell)
    assert before is not None
    assert before.state == "unknown"
    call_id = await _ring(hass, intercom)
    await _settle(hass, lambda: bool(intercom.gate_open))
    state = hass.states.get(doorbell)
    assert state is not None
    assert state.attributes["event_type"] == "ring"
    assert state.attributes["call_id"] == call_id
    assert state.attributes["station_label"] == "North gate"
    assert state.attributes["visitor"] == "Courier"
    (question,) = intercom.satellite.calls
    assert question.data["entity_id"] == "assist_satellite.living_room"
    assert (
        question.data["question"] == "Courier is at North gate for you. Open the door?"
    )
    assert [a["id"] for a in question.data["answers"]] == ["open", "deny", "leave"]
    (opened,) = intercom.gate_open
    assert opened.data["entity_id"] == "switch.north_gate"
    (entry,) = intercom.hub.policy.audit.entries
    assert entry.allowed
    assert entry.reason is AccessReason.OPENED_FOR_CALL
    assert entry.household_id == "3-2-1502"
    assert entry.call_id == call_id
    await _settle(hass, lambda: _outcome(intercom, call_id) is Outcome.OPENED)
    # The media player speaker hears the question too; the phones get Open/Deny/Leave.
    push = intercom.responders.notified("mobile_app_mum")[-1]
    actions = [a["action"] for a in push.data["data"]["actions"]]
    assert actions == [
        f"SMART_COMMUNITY_DOOR_{answer}_{call_id}"
        for answer in ("open", "deny", "leave")
    ]
    await _settle(
        hass,
        lambda: any(
            c.data["message"] == "The door is open."
            for c in intercom.responders.announce
        ),
    )
    told = [
        c
        for c in intercom.responders.announce
        if c.data["message"] == "The door is open."
    ]
    assert told[0].data["entity_id"] == "assist_satellite.gate_panel"


async def test_phone_deny(hass: HomeAssistant, intercom: Intercom) -> None:
    """Deny from a phone notification closes the call; the visitor is told, nothing opens."""
    intercom.satellite.answer = None
    call_id = await _ring(hass, intercom, "3-2-1502")
    await _settle(hass, lambda: intercom.home.core.find(call_id) is not None)
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": f"SMART_COMMUNITY_DOOR_deny_{call_id}"},
    )
    await _settle(hass, lambda: not intercom.hub.calls.get(call_id).pending)
    assert intercom.hub.calls.get(call_id).state.value == "answered_deny"
    assert intercom.gate_open == []
    assert _outcome(intercom, call_id) is Outcome.DENIED


async def test_unknown_room_and_station(
    hass: HomeAssistant, intercom: Intercom
) -> None:
    """A room that is not registered, or unreadable, or an unknown station is refused."""
    with pytest.raises(ServiceValidationError):
        await _ring(hass, intercom, "9-9-909")
    with pytest.raises(ServiceValidationError):
        await _ring(hass, intercom, "hello")
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "call_household",
            {
                "config_entry_id": intercom.linked.community_entry.entry_id,
                "station": "nowhere",
                "room": "3-2-1502",
            },
            blocking=True,
            return_response=True,
        )


async def _request(
    hass: HomeAssistant, intercom: Intercom, body: dict[str, Any], count: int
) -> None:
    """Send an open-door request from the household and wait for its audit entry."""
    link = intercom.linked.household_entry.runtime_data.link
    assert link is not None
    await link.endpoint.send(MessageType.OPEN_DOOR_REQUEST, body)
    await _settle(hass, lambda: len(intercom.hub.policy.audit) >= count)


def _body(request_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "requested_at": dt_util.utcnow().timestamp(),
        "door": "north_gate",
        "source": "voice",
        **extra,
    }


async def test_replayed_request_refused(
    hass: HomeAssistant, intercom: Intercom
) -> None:
    """The same request id twice: the first opens, the replay is refused and audited."""
    intercom.satellite.answer = None
    call_id = await _ring(hass, intercom)
    body = _body("r1", call_id=call_id)
    await _request(hass, intercom, body, 1)
    assert _last_reason(intercom) is AccessReason.OPENED_FOR_CALL
    await _request(hass, intercom, body, 2)
    assert _last_reason(intercom) is AccessReason.REPLAYED
    assert len(intercom.gate_open) == 1


async def test_expired_call_refused(hass: HomeAssistant, intercom: Intercom) -> None:
    """Opening after the call's TTL is refused and audited."""
    intercom.satellite.answer = None
    intercom.hub.calls.ttl = 0.2
    call_id = await _ring(hass, intercom)
    await asyncio.sleep(0.3)
    await _request(hass, intercom, _body("r2", call_id=call_id), 1)
    assert _last_reason(intercom) is AccessReason.CALL_EXPIRED
    assert not intercom.hub.policy.audit.entries[-1].allowed
    assert intercom.gate_open == []


async def test_other_households_call_refused(
    hass: HomeAssistant, intercom: Intercom
) -> None:
    """The Wang family cannot open for a visitor calling the Chen family."""
    intercom.satellite.answer = None
    call_id = await _ring(hass, intercom, "3-2-1601")
    await _request(hass, intercom, _body("r3", call_id=call_id), 1)
    assert _last_reason(intercom) is AccessReason.WRONG_HOUSEHOLD
    assert intercom.gate_open == []


async def test_rate_limit(hass: HomeAssistant, intercom: Intercom) -> None:
    """Beyond the household's limit a live call no longer opens the gate."""
    intercom.satellite.answer = None
    intercom.hub.policy.household_limiter = SlidingWindowLimiter(1, 300.0)
    first = await _ring(hass, intercom)
    await _request(hass, intercom, _body("r4", call_id=first), 1)
    second = await _ring(hass, intercom)
    await _request(hass, intercom, _body("r5", call_id=second), 2)
    assert [e.reason for e in intercom.hub.policy.audit.entries] == [
        AccessReason.OPENED_FOR_CALL,
        AccessReason.RATE_LIMITED,
    ]
    assert len(intercom.gate_open) == 1


async def test_pin(hass: HomeAssistant, intercom: Intercom) -> None:
    """A gate opens without a call only with the right PIN; a wrong PIN is audited."""
    await hass.services.async_call(
        DOMAIN,
        "set_door_pin",
        {
            "config_entry_id": intercom.linked.community_entry.entry_id,
            "household": "3-2-1502",
            "pin": "2468",
        },
        blocking=True,
    )
    await _request(hass, intercom, _body("r6", pin="0000", source="remote"), 1)
    assert _last_reason(intercom) is AccessReason.WRONG_PIN
    await _request(hass, intercom, _body("r7", source="remote"), 2)
    assert _last_reason(intercom) is AccessReason.PIN_REQUIRED
    await _request(hass, intercom, _body("r8", pin="2468", source="remote"), 3)
    assert _last_reason(intercom) is AccessReason.OPENED_WITH_PIN
    assert len(intercom.gate_open) == 1
    assert "2468" not in str(intercom.hub.policy.as_dict())


async def test_own_unit_door(hass: HomeAssistant, intercom: Intercom) -> None:
    """The household opens its own unit door without a call."""
    from custom_components.smart_community.intercom.access import AccessSource

    await intercom.home.async_open_unit_door(AccessSource.VOICE)
    await _settle(hass, lambda: len(intercom.hub.policy.audit) >= 1)
    assert _last_reason(intercom) is AccessReason.OPENED_OWN_UNIT_DOOR
    await _settle(hass, lambda: bool(intercom.unit_unlock))
    assert intercom.unit_unlock[0].data["entity_id"] == "lock.b3u2"


async def test_policy_state_survives_reload(
    hass: HomeAssistant, intercom: Intercom
) -> None:
    """PIN hashes, replay ids and the audit log are kept across a reload."""
    await hass.services.async_call(
        DOMAIN,
        "set_door_pin",
        {
            "config_entry_id": intercom.linked.community_entry.entry_id,
            "household": "3-2-1502",
            "pin": "2468",
        },
        blocking=True,
    )
    await _request(hass, intercom, _body("r9", pin="1111", source="remote"), 1)
    await hass.config_entries.async_reload(intercom.linked.community_entry.entry_id)
    await hass.async_block_till_done()
    community = intercom.linked.community_entry.runtime_data.community
    assert community is not None
    hub = hub_of(community)
    assert hub is not None
    assert hub.policy.pins.has_pin("3-2-1502")
    assert [e.reason for e in hub.policy.audit.entries] == [AccessReason.WRONG_PIN]
    assert not hub.policy.replay.check_and_add("3-2-1502", "r9", 0.0)


async def test_opener_failure_is_audited(
    hass: HomeAssistant, intercom: Intercom
) -> None:
    """An allowed opening whose opener fails is audited as such and the household is told."""
    intercom.satellite.answer = None

    async def broken(call: Any) -> None:
        raise HomeAssistantError("relay offline")

    hass.services.async_register("switch", "turn_on", broken)
    call_id = await _ring(hass, intercom)
    await _settle(hass, lambda: intercom.home.core.find(call_id) is not None)
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": f"SMART_COMMUNITY_DOOR_open_{call_id}"},
    )
    await _settle(hass, lambda: len(intercom.hub.policy.audit) >= 2)
    first, second = intercom.hub.policy.audit.entries
    assert (first.allowed, first.reason) == (True, AccessReason.OPENED_FOR_CALL)
    assert (second.allowed, second.reason) == (False, AccessReason.OPENER_FAILED)
    assert second.request_id == first.request_id
    await _settle(
        hass,
        lambda: any(
            "its opener did not respond" in c.data["message"]
            for c in intercom.responders.announce
        ),
    )
