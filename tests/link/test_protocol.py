"""Tests of the link protocol: encoding, verification and rejection reasons."""

import json
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.smart_community.link.protocol import (
    BROADCAST,
    MAX_MESSAGE_BYTES,
    PROTOCOL_VERSION,
    BadSignature,
    Envelope,
    ForbiddenMessage,
    InvalidBody,
    LinkError,
    LinkStats,
    MalformedMessage,
    MessageTooLarge,
    MessageType,
    ReplayedMessage,
    ReplayGuard,
    Role,
    StaleMessage,
    UnknownHousehold,
    UnsignedMessage,
    UnsupportedVersion,
    canonical,
    create,
    decode,
    encode,
    is_valid_name,
    signature,
)

KEY = b"k" * 32
OTHER_KEY = b"o" * 32
BROADCAST_KEY = b"b" * 32
NOW = 1_700_000_000.0
ALARM = {"alarm_id": "al-1", "kind": "smoke", "raised_at": NOW - 1, "location": "厨房"}


def lookup(household: str) -> bytes | None:
    return {"a1": KEY, BROADCAST: BROADCAST_KEY}.get(household)


def alarm(**changes: Any) -> Envelope:
    return create(
        MessageType.ALARM_RAISED,
        {**ALARM, **changes},
        household="a1",
        sender=Role.HOUSEHOLD,
        now=NOW,
    )


def resign(obj: dict[str, Any], key: bytes = KEY) -> bytes:
    obj = {name: value for name, value in obj.items() if name != "sig"}
    obj["sig"] = signature(obj, key)
    return json.dumps(obj).encode()


def wire(**changes: Any) -> dict[str, Any]:
    obj: dict[str, Any] = json.loads(encode(alarm(), KEY))
    obj.update(changes)
    return obj


def test_round_trip_is_canonical_and_verified() -> None:
    envelope = alarm()
    raw = encode(envelope, KEY)
    assert raw == canonical(json.loads(raw))
    assert "厨房".encode() in raw
    decoded = decode(raw, lookup, NOW)
    assert decoded.unsigned_dict() == envelope.unsigned_dict()
    assert decoded.sig == json.loads(raw)["sig"]
    assert decoded.v == PROTOCOL_VERSION
    assert not decoded.is_broadcast
    assert len(envelope.id) == 32


def test_integer_timestamp_and_body_values_verify() -> None:
    raw = resign(wire(ts=int(NOW)))
    assert decode(raw, lookup, NOW).ts == NOW


def test_broadcast_round_trip_with_broadcast_key() -> None:
    envelope = create(
        MessageType.ANNOUNCEMENT,
        {"announcement_id": "n1", "title": "Water", "message": "Off 9-11"},
        household=BROADCAST,
        sender=Role.COMMUNITY,
        now=NOW,
    )
    decoded = decode(
        encode(envelope, BROADCAST_KEY), lookup, NOW, expect_sender=Role.COMMUNITY
    )
    assert decoded.is_broadcast
    with pytest.raises(BadSignature):
        decode(encode(envelope, KEY), lookup, NOW)


def test_roles() -> None:
    assert Role.HOUSEHOLD.peer is Role.COMMUNITY
    assert Role.COMMUNITY.peer is Role.HOUSEHOLD


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"\xff\xfe", MalformedMessage),
        (b"not json", MalformedMessage),
        (b"[1, 2]", MalformedMessage),
        (b'{"v": 1, "v": 1}', MalformedMessage),
        (b'{"v": NaN}', MalformedMessage),
        (b"[" * 50_000 + b"]" * 50_000, MessageTooLarge),
        (b"[" * 30_000 + b"]" * 30_000, MalformedMessage),
        (b"{}", MalformedMessage),
        (b'{"v": true}', MalformedMessage),
        (b'{"v": 2}', UnsupportedVersion),
    ],
)
def test_malformed_bytes(raw: bytes, error: type[LinkError]) -> None:
    with pytest.raises(error) as info:
        decode(raw, lookup, NOW)
    assert type(info.value) is error


def test_payload_must_be_bytes() -> None:
    with pytest.raises(MalformedMessage):
        decode("text", lookup, NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "changes",
    [
        {"extra": 1},
        {"id": "XYZ"},
        {"id": 5},
        {"type": "nope"},
        {"type": ["alarm_raised"]},
        {"household": "a/b"},
        {"household": "+"},
        {"sender": "admin"},
        {"sender": None},
        {"ts": True},
        {"ts": "now"},
        {"body": []},
    ],
)
def test_bad_envelope_fields_are_malformed(changes: dict[str, Any]) -> None:
    with pytest.raises(MalformedMessage):
        decode(resign(wire(**changes)), lookup, NOW)


def test_missing_field_is_malformed() -> None:
    obj = wire()
    del obj["body"]
    with pytest.raises(MalformedMessage):
        decode(resign(obj), lookup, NOW)


def test_unsigned_forged_tampered_unknown() -> None:
    obj = wire()
    del obj["sig"]
    with pytest.raises(UnsignedMessage) as info:
        decode(json.dumps(obj).encode(), lookup, NOW)
    assert info.value.reason == "unsigned"
    with pytest.raises(UnsignedMessage):
        decode(json.dumps(wire(sig="")).encode(), lookup, NOW)
    with pytest.raises(BadSignature) as forged:
        decode(resign(wire(), OTHER_KEY), lookup, NOW)
    assert forged.value.reason == "bad_signature"
    tampered = wire()
    tampered["body"]["kind"] = "gas"
    with pytest.raises(BadSignature):
        decode(json.dumps(tampered).encode(), lookup, NOW)
    with pytest.raises(BadSignature):
        decode(json.dumps(wire(sig="zz")).encode(), lookup, NOW)
    with pytest.raises(UnknownHousehold) as unknown:
        decode(resign(wire(household="b2")), lookup, NOW)
    assert unknown.value.reason == "unknown_household"


def test_unencodable_string_is_malformed() -> None:
    raw = json.dumps(wire(body={**ALARM, "location": "\ud800"})).encode()
    with pytest.raises(MalformedMessage):
        decode(raw, lookup, NOW)


@pytest.mark.parametrize("ts", [NOW - 601, NOW + 121])
def test_stale_or_future_rejected(ts: float) -> None:
    with pytest.raises(StaleMessage) as info:
        decode(resign(wire(ts=ts)), lookup, NOW)
    assert info.value.reason == "stale"


def test_window_edges_accepted() -> None:
    decode(resign(wire(ts=NOW - 600)), lookup, NOW)
    decode(resign(wire(ts=NOW + 120)), lookup, NOW)


def test_forbidden_sender_type_and_broadcast() -> None:
    with pytest.raises(ForbiddenMessage):
        decode(encode(alarm(), KEY), lookup, NOW, expect_sender=Role.COMMUNITY)
    with pytest.raises(ForbiddenMessage):
        decode(resign(wire(sender="community")), lookup, NOW)
    with pytest.raises(ForbiddenMessage):
        create(
            MessageType.ANNOUNCEMENT,
            {"announcement_id": "n", "title": "", "message": ""},
            household="a1",
            sender=Role.HOUSEHOLD,
            now=NOW,
        )
    with pytest.raises(ForbiddenMessage):
        create(
            MessageType.ALARM_RESOLVED,
            {"alarm_id": "x"},
            household=BROADCAST,
            sender=Role.COMMUNITY,
            now=NOW,
        )
    forged_broadcast = wire(household=BROADCAST)
    with pytest.raises(ForbiddenMessage):
        decode(resign(forged_broadcast, BROADCAST_KEY), lookup, NOW)


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "smoke", "raised_at": NOW},
        {"alarm_id": "", "kind": "smoke", "raised_at": NOW},
        {"alarm_id": "a", "kind": "smoke", "raised_at": True},
        {"alarm_id": "a", "kind": "smoke", "raised_at": "now"},
        {"alarm_id": "a", "kind": "smoke", "raised_at": NOW, "details": []},
        {"alarm_id": "a" * 129, "kind": "smoke", "raised_at": NOW},
    ],
)
def test_invalid_bodies(body: dict[str, Any]) -> None:
    with pytest.raises(InvalidBody) as info:
        create(
            MessageType.ALARM_RAISED,
            body,
            household="a1",
            sender=Role.HOUSEHOLD,
            now=NOW,
        )
    assert info.value.reason == "invalid_body"
    with pytest.raises(InvalidBody):
        decode(resign(wire(body=body)), lookup, NOW)


def test_every_type_has_a_valid_example() -> None:
    examples = {
        MessageType.ALARM_ACKNOWLEDGED: (
            Role.COMMUNITY,
            {"alarm_id": "a", "by": "duty"},
        ),
        MessageType.ALARM_DISPATCHED: (
            Role.COMMUNITY,
            {"alarm_id": "a", "responder": "guard 2"},
        ),
        MessageType.ALARM_RESOLVED: (
            Role.HOUSEHOLD,
            {"alarm_id": "a", "note": "false alarm"},
        ),
        MessageType.ANNOUNCEMENT_RECEIPT: (Role.HOUSEHOLD, {"announcement_id": "n"}),
        MessageType.WORK_ORDER_CREATED: (
            Role.HOUSEHOLD,
            {"work_order_id": "w", "title": "Leak"},
        ),
        MessageType.WORK_ORDER_UPDATED: (
            Role.COMMUNITY,
            {"work_order_id": "w", "status": "done"},
        ),
        MessageType.VISITOR_CALL: (Role.COMMUNITY, {"call_id": "c", "gate": "north"}),
        MessageType.VISITOR_ANSWER: (
            Role.HOUSEHOLD,
            {"call_id": "c", "answer": "open"},
        ),
        MessageType.OPEN_DOOR_REQUEST: (
            Role.HOUSEHOLD,
            {"request_id": "r", "door": "north"},
        ),
        MessageType.OPEN_DOOR_RESULT: (
            Role.COMMUNITY,
            {"request_id": "r", "allowed": False},
        ),
        MessageType.PRESENCE: (
            Role.COMMUNITY,
            {"subject": "p1", "direction": "in", "at": NOW},
        ),
        MessageType.DELIVERY_ACK: (Role.COMMUNITY, {"ack": "0" * 32}),
    }
    for message_type, (role, body) in examples.items():
        envelope = create(message_type, body, household="a1", sender=role, now=NOW)
        assert decode(encode(envelope, KEY), lookup, NOW).body == body


def test_encode_rejects_non_json_and_oversized() -> None:
    with pytest.raises(InvalidBody):
        encode(alarm(details={"x": object()}), KEY)
    with pytest.raises(InvalidBody):
        encode(alarm(details={"x": float("nan")}), KEY)
    with pytest.raises(MessageTooLarge):
        encode(alarm(location="x" * MAX_MESSAGE_BYTES), KEY)


def test_names() -> None:
    assert is_valid_name("a1")
    assert is_valid_name("Tower_3-1201")
    assert not is_valid_name("")
    assert not is_valid_name("-a")
    assert not is_valid_name("a/b")
    assert not is_valid_name("a" * 65)
    assert not is_valid_name(5)


def test_replay_guard_rejects_exact_replay_and_counts() -> None:
    guard = ReplayGuard()
    original = alarm()
    raw = encode(original, KEY)
    decode(raw, lookup, NOW, guard=guard)
    with pytest.raises(ReplayedMessage) as info:
        decode(raw, lookup, NOW + 1, guard=guard)
    assert info.value.reason == "replayed"
    retransmission = encode(_with_ts(original, NOW + 2), KEY)
    assert decode(retransmission, lookup, NOW + 2, guard=guard).id == original.id


def _with_ts(envelope: Envelope, ts: float) -> Envelope:
    return Envelope(
        envelope.id,
        envelope.type,
        envelope.household,
        envelope.sender,
        ts,
        envelope.body,
    )


def test_replay_guard_window_and_bound() -> None:
    guard = ReplayGuard(window=10, max_entries=2)
    guard.check("a", 100, 100)
    guard.check("b", 101, 101)
    guard.check("c", 102, 102)
    assert len(guard) == 2
    with pytest.raises(ReplayedMessage):
        guard.check("z", 100, 102)  # at or below the eviction floor
    guard.check("d", 120, 120)  # a, b, c expired
    assert len(guard) == 1
    guard.check("c", 103, 120)


def test_stats() -> None:
    stats = LinkStats()
    stats.reject("stale")
    stats.reject("stale")
    stats.reject("bad_signature")
    assert stats.rejected_total == 3
    data = stats.as_dict()
    assert data["rejected"] == {"stale": 2, "bad_signature": 1}
    assert data["received"] == 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_fuzz_arbitrary_bytes_only_raise_link_errors(raw: bytes) -> None:
    with pytest.raises(LinkError):
        decode(raw, lookup, NOW)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_fuzz_arbitrary_json_only_raise_link_errors(value: Any) -> None:
    with pytest.raises(LinkError):
        decode(json.dumps(value).encode(), lookup, NOW)


envelope_fields = st.fixed_dictionaries(
    {},
    optional={
        "v": st.sampled_from([1, 2, "1", None]),
        "id": st.sampled_from(["0" * 32, "abc"]) | st.text(max_size=4),
        "type": st.sampled_from([str(member) for member in MessageType])
        | st.text(max_size=4),
        "household": st.sampled_from(["a1", "b2", BROADCAST]) | st.text(max_size=4),
        "sender": st.sampled_from(["household", "community"]) | json_values,
        "ts": st.sampled_from([NOW, NOW - 1000]) | json_values,
        "body": st.dictionaries(
            st.sampled_from(["alarm_id", "kind", "raised_at", "ack", "details"]),
            json_values,
            max_size=4,
        )
        | json_values,
        "extra": json_values,
    },
)


@settings(max_examples=500, deadline=None)
@given(envelope_fields, st.sampled_from([KEY, OTHER_KEY, BROADCAST_KEY, None]))
def test_fuzz_envelopes_only_raise_link_errors(
    obj: dict[str, Any], key: bytes | None
) -> None:
    if key is not None:
        try:
            obj["sig"] = signature(obj, key)
        except ValueError:
            return
    try:
        envelope = decode(json.dumps(obj).encode(), lookup, NOW)
    except LinkError:
        return
    assert envelope.id == obj["id"]
    assert key in {KEY, BROADCAST_KEY}


@settings(max_examples=100, deadline=None)
@given(
    st.text(max_size=50), st.dictionaries(st.text(max_size=8), json_values, max_size=4)
)
def test_fuzz_valid_bodies_round_trip(location: str, details: dict[str, Any]) -> None:
    try:
        envelope = alarm(location=location, details=details)
        raw = encode(envelope, KEY)
    except LinkError:
        return
    assert decode(raw, lookup, NOW).body == envelope.body
