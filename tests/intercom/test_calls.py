"""The community's visitor call book."""

import pytest

from custom_components.smart_community.intercom.calls import (
    Answer,
    CallBook,
    CallError,
    CallState,
    parse_answer,
)


def test_start_and_lookups() -> None:
    """A call is pending for its household and its station until the TTL."""
    book = CallBook()
    result = book.start(
        "gate-east", "3-2-1502", 100.0, visitor_label="Courier", snapshot_ref="/snap/1"
    )
    call = result.call
    assert result.superseded is None
    assert call.state is CallState.PENDING and call.pending
    assert len(call.call_id) == 32
    assert book.get(call.call_id) is call
    assert book.pending_for_household("3-2-1502", 159.9) == [call]
    assert book.pending_at_station("gate-east", 159.9) is call
    assert book.pending_for_household("3-2-1502", 160.0) == []
    assert book.pending_at_station("gate-east", 160.0) is None
    assert book.pending_for_household("1-1-101", 120.0) == []
    assert book.next_deadline() == 160.0
    assert call.call_body() == {
        "call_id": call.call_id,
        "gate": "gate-east",
        "visitor": "Courier",
        "snapshot": "/snap/1",
    }
    assert call.as_dict()["state"] == "pending"


def test_call_body_without_extras() -> None:
    """Without a visitor label or snapshot the body has only the required keys."""
    call = CallBook().start("g", "h", 0.0, call_id="c1").call
    assert call.call_body() == {"call_id": "c1", "gate": "g"}


def test_new_call_at_station_supersedes() -> None:
    """A new call at the same station cancels the previous pending one."""
    book = CallBook()
    first = book.start("gate", "3-2-1502", 0.0).call
    other_station = book.start("door-3-2", "3-2-1502", 1.0).call
    second = book.start("gate", "1-1-101", 5.0)
    assert second.superseded is first
    assert first.state is CallState.CANCELLED and first.answered_at == 5.0
    assert book.pending_at_station("gate", 6.0) is second.call
    assert book.pending_for_household("3-2-1502", 6.0) == [other_station]


def test_several_calls_for_one_household_newest_first() -> None:
    """Gate and unit door may ring the same household; the newest comes first."""
    book = CallBook()
    a = book.start("gate", "h", 0.0).call
    b = book.start("door", "h", 10.0).call
    assert book.pending_for_household("h", 20.0) == [b, a]


def test_answer_deny_and_leave() -> None:
    """Deny and leave-at-door close the call with who answered and when."""
    book = CallBook()
    deny = book.start("g1", "h", 0.0).call
    leave = book.start("g2", "h", 0.0).call
    assert (
        book.answer(deny.call_id, "h", Answer.DENY, 3.0).state
        is CallState.ANSWERED_DENY
    )
    assert deny.answered_by == "h" and deny.answered_at == 3.0
    assert (
        book.answer(leave.call_id, "h", Answer.LEAVE, 4.0).state
        is CallState.LEAVE_AT_DOOR
    )


@pytest.mark.parametrize(
    ("call_id", "household", "answer", "now", "key"),
    [
        ("missing", "h", Answer.DENY, 1.0, "call_not_found"),
        ("c", "other", Answer.DENY, 1.0, "wrong_household"),
        ("c", "h", Answer.DENY, 60.0, "call_expired"),
        ("c", "h", Answer.OPEN, 1.0, "open_needs_request"),
    ],
)
def test_answer_refusals(
    call_id: str, household: str, answer: Answer, now: float, key: str
) -> None:
    """Answers from others, for unknown or late calls, and bare opens are refused."""
    book = CallBook()
    book.start("g", "h", 0.0, call_id="c")
    with pytest.raises(CallError) as caught:
        book.answer(call_id, household, answer, now)
    assert caught.value.key == key
    assert caught.value.call_id == call_id


def test_expired_stays_expired_and_closed_stays_closed() -> None:
    """A late answer marks the call expired; a second answer finds it closed."""
    book = CallBook()
    call = book.start("g", "h", 0.0, call_id="c").call
    with pytest.raises(CallError):
        book.answer("c", "h", Answer.DENY, 61.0)
    assert call.state is CallState.EXPIRED
    with pytest.raises(CallError) as caught:
        book.answer("c", "h", Answer.DENY, 62.0)
    assert caught.value.key == "call_expired"
    fresh = book.start("g", "h", 100.0).call
    book.record_opened(fresh.call_id, "h", 101.0)
    assert fresh.state is CallState.ANSWERED_OPEN
    with pytest.raises(CallError) as closed:
        book.answer(fresh.call_id, "h", Answer.LEAVE, 102.0)
    assert closed.value.key == "call_closed"


def test_expire_and_cancel() -> None:
    """Expiry closes only calls past the TTL; cancel closes only pending calls."""
    book = CallBook(ttl=30.0)
    old = book.start("g1", "h", 0.0).call
    young = book.start("g2", "h", 20.0).call
    assert book.expire(29.9) == []
    assert book.expire(30.0) == [old]
    assert old.state is CallState.EXPIRED
    assert book.next_deadline() == 50.0
    assert book.cancel(young.call_id, 31.0) is young
    assert young.state is CallState.CANCELLED
    assert book.cancel(young.call_id, 32.0) is None
    assert book.cancel("nope", 32.0) is None
    assert book.next_deadline() is None


def test_call_id_reuse_and_pruning() -> None:
    """A clashing call id gets a fresh one; closed calls beyond the bound are forgotten."""
    book = CallBook(max_closed=2)
    first = book.start("g", "h", 0.0, call_id="same").call
    clash = book.start("g2", "h", 1.0, call_id="same").call
    assert clash.call_id != "same"
    for i in range(5):
        book.start("g", "h", 10.0 + i)
    kept = book.calls
    assert first not in kept
    assert sum(1 for call in kept if not call.pending) == 2
    assert book.find("same") is None


def test_bad_settings_and_answers() -> None:
    """Non-positive TTLs and unknown answers are refused."""
    with pytest.raises(ValueError, match="ttl"):
        CallBook(ttl=0)
    with pytest.raises(ValueError, match="ttl"):
        CallBook(max_closed=-1)
    assert parse_answer("leave") is Answer.LEAVE
    with pytest.raises(CallError) as caught:
        parse_answer("maybe")
    assert caught.value.key == "bad_answer"
