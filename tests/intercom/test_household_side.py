"""The household's ringing calls, answers as link messages and who-called history."""

import json
from typing import Any

import pytest

from custom_components.smart_community.core.alarm import CorruptStateError
from custom_components.smart_community.intercom.access import (
    AccessDecision,
    AccessReason,
    AccessSource,
    DoorAccessPolicy,
    DoorKind,
    DoorStation,
    OpenDoorRequest,
)
from custom_components.smart_community.intercom.calls import Answer, CallBook, CallState
from custom_components.smart_community.intercom.household_side import (
    HouseholdIntercom,
    IntercomError,
    Outcome,
    refusal_reason,
    satellite_household,
)
from custom_components.smart_community.link.protocol import MessageType, Role, create

HOME = "3-2-1502"


def test_ring_and_redelivery() -> None:
    """A visitor call rings once, with its visitor and snapshot, even when redelivered."""
    home = HouseholdIntercom(HOME)
    body = {
        "call_id": "c1",
        "gate": "gate-east",
        "visitor": "Courier",
        "snapshot": "/s/1",
    }
    first = home.ring(body, 10.0, station_label="East gate")
    assert first.created
    call = first.call
    assert (call.station_label, call.visitor_label, call.snapshot_ref) == (
        "East gate",
        "Courier",
        "/s/1",
    )
    again = home.ring(body, 11.0)
    assert not again.created and again.call is call
    assert home.ringing(69.9) == [call]
    assert home.ringing(70.0) == []
    plain = home.ring({"call_id": "c2", "gate": "door-3-2", "visitor": 5}, 12.0).call
    assert plain.station_label == "door-3-2" and plain.visitor_label is None


def test_answers_become_link_messages() -> None:
    """Open is a fresh open-door request; deny and leave are visitor answers; all validate."""
    home = HouseholdIntercom(HOME)
    home.ring({"call_id": "c1", "gate": "gate-east"}, 0.0)
    home.ring({"call_id": "c2", "gate": "door-3-2"}, 1.0)
    home.ring({"call_id": "c3", "gate": "door-3-2"}, 2.0)
    opened = home.answer("open", 3.0, call_id="c1", source=AccessSource.PHONE)
    assert opened.type is MessageType.OPEN_DOOR_REQUEST
    assert opened.body["door"] == "gate-east" and opened.body["call_id"] == "c1"
    assert opened.body["source"] == "phone" and len(opened.body["request_id"]) == 32
    assert opened.body["requested_at"] == 3.0
    leave = home.answer(Answer.LEAVE, 4.0)  # the newest ringing call
    assert leave.type is MessageType.VISITOR_ANSWER
    assert leave.body == {"call_id": "c3", "answer": "leave"}
    deny = home.answer("deny", 5.0)
    assert deny.body == {"call_id": "c2", "answer": "deny"}
    for message in (opened, leave, deny):
        create(
            message.type, message.body, household=HOME, sender=Role.HOUSEHOLD, now=6.0
        )
    outcomes = {c.call_id: c.outcome for c in home.history()}
    assert outcomes == {
        "c1": Outcome.OPEN_REQUESTED,
        "c2": Outcome.DENIED,
        "c3": Outcome.LEAVE_AT_DOOR,
    }


@pytest.mark.parametrize(
    ("answer", "call_id", "now", "key"),
    [
        ("open", None, 100.0, "no_ringing_call"),
        ("open", "nope", 1.0, "call_not_found"),
        ("open", "c1", 60.0, "call_expired"),
        ("maybe", None, 1.0, "bad_answer"),
    ],
)
def test_answer_refusals(
    answer: str, call_id: str | None, now: float, key: str
) -> None:
    """Answers without a ringing call, for unknown or late calls, or unknown ids fail."""
    home = HouseholdIntercom(HOME)
    home.ring({"call_id": "c1", "gate": "g"}, 0.0)
    with pytest.raises(IntercomError) as caught:
        home.answer(answer, now, call_id=call_id)
    assert caught.value.key == key


def test_answered_call_cannot_be_answered_twice() -> None:
    """A second answer to the same call is refused."""
    home = HouseholdIntercom(HOME)
    home.ring({"call_id": "c1", "gate": "g"}, 0.0)
    home.answer("deny", 1.0)
    with pytest.raises(IntercomError) as caught:
        home.answer("open", 2.0, call_id="c1")
    assert caught.value.key == "call_answered"


def test_results_update_history() -> None:
    """Results mark calls opened or refused; unknown or repeated results are ignored."""
    home = HouseholdIntercom(HOME)
    home.ring({"call_id": "c1", "gate": "g"}, 0.0)
    home.ring({"call_id": "c2", "gate": "g2"}, 0.0)
    ok = home.answer("open", 1.0, call_id="c1")
    refused = home.answer("open", 1.0, call_id="c2")
    unit = home.open_door("door-3-2", 1.5)
    result = home.apply_result(
        {
            "request_id": ok.body["request_id"],
            "allowed": True,
            "reason": "opened_for_call",
        },
        2.0,
    )
    assert result is not None and result.allowed and result.call is not None
    assert result.call.outcome is Outcome.OPENED and result.call.refusal is None
    bad = home.apply_result(
        {
            "request_id": refused.body["request_id"],
            "allowed": False,
            "reason": "call_expired",
        },
        2.0,
    )
    assert bad is not None and bad.call is not None
    assert (bad.call.outcome, bad.call.refusal) == (Outcome.REFUSED, "call_expired")
    assert refusal_reason(bad.reason) is AccessReason.CALL_EXPIRED
    own = home.apply_result(
        {"request_id": unit.body["request_id"], "allowed": True, "reason": 7}, 3.0
    )
    assert own is not None and own.call is None and own.reason is None
    assert (
        home.apply_result({"request_id": ok.body["request_id"], "allowed": True}, 4.0)
        is None
    )
    assert home.apply_result({"request_id": None}, 4.0) is None
    assert refusal_reason("nonsense") is None and refusal_reason(None) is None


def test_open_door_without_call_and_pending_bound() -> None:
    """Own-door and PIN requests carry their source and PIN; old requests are forgotten."""
    home = HouseholdIntercom(HOME)
    remote = home.open_door("gate-east", 7.0, source=AccessSource.REMOTE, pin="2468")
    assert remote.body["requested_at"] == 7.0
    assert remote.body["pin"] == "2468" and remote.body["source"] == "remote"
    assert "call_id" not in remote.body
    requests = [home.open_door("door-3-2", 8.0) for _ in range(60)]
    assert (
        home.apply_result(
            {"request_id": remote.body["request_id"], "allowed": True}, 1.0
        )
        is None
    )
    assert (
        home.apply_result(
            {"request_id": requests[-1].body["request_id"], "allowed": True}, 1.0
        )
        is not None
    )


def test_expire_and_history_bound() -> None:
    """Unanswered calls become missed at the TTL; history keeps the newest calls."""
    home = HouseholdIntercom(HOME, ttl=30.0, history_size=3)
    for i in range(4):
        home.ring({"call_id": f"c{i}", "gate": "g"}, float(i))
    assert [c.call_id for c in home.history()] == ["c3", "c2", "c1"]
    assert home.find("c0") is None
    assert home.expire(31.5) == [home.find("c1")]
    missed = home.find("c1")
    assert (
        missed is not None
        and missed.outcome is Outcome.MISSED
        and missed.outcome_at == 31.0
    )
    assert [c.call_id for c in home.ringing(31.5)] == ["c3", "c2"]


def test_history_persistence() -> None:
    """The history survives a JSON round trip; bad data raises CorruptStateError."""
    home = HouseholdIntercom(HOME)
    home.ring(
        {"call_id": "c1", "gate": "g", "visitor": "Courier"}, 0.0, station_label="Gate"
    )
    home.answer("leave", 1.0)
    home.ring({"call_id": "c2", "gate": "g"}, 2.0)
    data = json.loads(json.dumps(home.as_dict()))
    restored = HouseholdIntercom(HOME)
    restored.load(data)
    assert restored.history() == home.history()
    restored.load(None)
    assert restored.history() == []
    good = data["calls"][0]
    bad: list[Any] = [
        {"calls": [{**good, "outcome": "exploded"}]},
        {"calls": [{**good, "received_at": "noon"}]},
        {"calls": [{**good, "call_id": None}]},
        {"calls": [{**good, "outcome_at": "later"}]},
        {"calls": [{**good, "visitor_label": 3}]},
        {"nothing": []},
    ]
    for item in bad:
        with pytest.raises(CorruptStateError):
            restored.load(item)


def test_satellite_household() -> None:
    """Only a known satellite maps to a household; typed text has no device."""
    satellites = {"sat-kitchen": HOME, "sat-neighbour": "3-2-801"}
    assert satellite_household("sat-kitchen", satellites) == HOME
    assert satellite_household("sat-unknown", satellites) is None
    assert satellite_household(None, satellites) is None


def test_end_to_end_voice_answer() -> None:
    """Community call -> household ring -> voice open -> community decision -> result."""
    calls = CallBook()
    policy = DoorAccessPolicy(
        calls,
        {HOME: ("3", "2")}.get,
        [DoorStation("gate-east", DoorKind.GATE, "East gate")],
    )
    call = calls.start("gate-east", HOME, 0.0, visitor_label="Courier").call
    home = HouseholdIntercom(HOME)
    home.ring(call.call_body(), 0.5, station_label="East gate")
    message = home.answer("open", 5.0)
    decision: AccessDecision = policy.decide(
        OpenDoorRequest.from_body(HOME, message.body), 5.5
    )
    assert decision.reason is AccessReason.OPENED_FOR_CALL
    assert decision.audit.source is AccessSource.VOICE
    assert call.state is CallState.ANSWERED_OPEN
    result = home.apply_result(decision.result_body(), 6.0)
    assert result is not None and result.call is not None
    assert result.call.outcome is Outcome.OPENED
    replay = policy.decide(OpenDoorRequest.from_body(HOME, message.body), 7.0)
    assert replay.reason is AccessReason.REPLAYED
