"""Open-door decisions: every refusal is refused and audited, every opening counted."""

from collections.abc import Callable
from dataclasses import dataclass
import json
import math
from typing import Any

from hypothesis import given, strategies as st
import pytest

from custom_components.smart_community.core.alarm import CorruptStateError
from custom_components.smart_community.intercom.access import (
    ALLOWED_REASONS,
    AccessReason,
    AccessSource,
    AuditEntry,
    AuditLog,
    DoorAccessPolicy,
    DoorKind,
    DoorStation,
    OpenDoorRequest,
    PinCheck,
    PinError,
    PinVault,
    ReplayCache,
    SlidingWindowLimiter,
    parse_source,
)
from custom_components.smart_community.intercom.calls import Answer, CallBook, CallState

PIN = "246810"
GATE = DoorStation("gate-east", DoorKind.GATE, "East gate")
DOOR_32 = DoorStation("door-3-2", DoorKind.UNIT_DOOR, "Building 3 unit 2", "3", "2")
DOOR_51 = DoorStation("door-5-1", DoorKind.UNIT_DOOR, "Building 5 unit 1", "5", "1")
LOCATIONS = {"3-2-1502": ("3", "2"), "3-2-801": ("3", "2"), "5-1-101": ("5", "1")}


@dataclass
class World:
    """A community with three households, a gate and two unit doors."""

    calls: CallBook
    policy: DoorAccessPolicy
    counter: int = 0

    def request(
        self,
        household: str = "3-2-1502",
        door: str = "gate-east",
        *,
        call_id: str | None = None,
        pin: str | None = None,
        source: AccessSource = AccessSource.VOICE,
        request_id: str | None = None,
        at: float | None = 0.0,
    ) -> OpenDoorRequest:
        self.counter += 1
        return OpenDoorRequest(
            request_id=f"req-{self.counter}" if request_id is None else request_id,
            household_id=household,
            door_id=door,
            requested_at=at,
            call_id=call_id,
            pin=pin,
            source=source,
        )

    def call(
        self, station: str = "gate-east", household: str = "3-2-1502", at: float = 0.0
    ) -> str:
        return self.calls.start(station, household, at).call.call_id


def make_world(**kwargs: Any) -> World:
    calls = CallBook()
    pins = PinVault(iterations=1000, max_failures=3, lockout=600.0)
    pins.set_pin("3-2-1502", PIN)
    kwargs.setdefault("max_request_age", 10_000.0)
    policy = DoorAccessPolicy(
        calls, LOCATIONS.get, [GATE, DOOR_32, DOOR_51], pins=pins, **kwargs
    )
    return World(calls, policy)


@pytest.fixture
def world() -> World:
    return make_world()


Prepare = Callable[[World], tuple[OpenDoorRequest, float]]


def _for_call(w: World) -> tuple[OpenDoorRequest, float]:
    return w.request(call_id=w.call(), source=AccessSource.PHONE), 10.0


def _implicit_call(w: World) -> tuple[OpenDoorRequest, float]:
    w.call()
    return w.request(), 10.0


def _unit_door_call(w: World) -> tuple[OpenDoorRequest, float]:
    return w.request("5-1-101", "door-3-2", call_id=w.call("door-3-2", "5-1-101")), 5.0


def _own_unit_door(w: World) -> tuple[OpenDoorRequest, float]:
    return w.request("3-2-801", "door-3-2"), 0.0


def _with_pin(w: World) -> tuple[OpenDoorRequest, float]:
    return w.request(pin=PIN, source=AccessSource.REMOTE), 0.0


def _replayed(w: World) -> tuple[OpenDoorRequest, float]:
    first = w.request(call_id=w.call())
    assert w.policy.decide(first, 1.0).allowed
    return first, 2.0


def _replayed_after_refusal(w: World) -> tuple[OpenDoorRequest, float]:
    first = w.request()
    assert w.policy.decide(first, 1.0).reason is AccessReason.NO_PENDING_CALL
    w.call(at=1.5)
    return first, 2.0


def _expired(w: World) -> tuple[OpenDoorRequest, float]:
    return w.request(call_id=w.call(at=0.0)), 60.0


def _expired_by_book(w: World) -> tuple[OpenDoorRequest, float]:
    call_id = w.call(at=0.0)
    w.calls.expire(70.0)
    return w.request(call_id=call_id), 70.0


def _other_household(w: World) -> tuple[OpenDoorRequest, float]:
    return w.request("5-1-101", call_id=w.call()), 5.0


def _other_household_implicit(w: World) -> tuple[OpenDoorRequest, float]:
    w.call()
    return w.request("5-1-101"), 5.0


def _wrong_door(w: World) -> tuple[OpenDoorRequest, float]:
    return w.request(door="door-3-2", call_id=w.call()), 5.0


def _answered(w: World) -> tuple[OpenDoorRequest, float]:
    call_id = w.call()
    w.calls.answer(call_id, "3-2-1502", Answer.DENY, 2.0)
    return w.request(call_id=call_id), 3.0


def _unknown_call(w: World) -> tuple[OpenDoorRequest, float]:
    return w.request(call_id="no-such-call"), 3.0


def _no_call_voice(w: World) -> tuple[OpenDoorRequest, float]:
    return w.request(), 3.0


def _no_call_remote(w: World) -> tuple[OpenDoorRequest, float]:
    return w.request(source=AccessSource.REMOTE), 3.0


def _household_rate(w: World) -> tuple[OpenDoorRequest, float]:
    for at in (0.0, 10.0, 20.0):
        assert w.policy.decide(w.request("3-2-801", "door-3-2"), at).allowed
    return w.request("3-2-801", "door-3-2"), 299.0


def _door_rate(w: World) -> tuple[OpenDoorRequest, float]:
    w.policy.door_limiter = SlidingWindowLimiter(2, 300.0)
    for at, household in ((0.0, "3-2-1502"), (1.0, "3-2-801")):
        call_id = w.call(household=household, at=at)
        assert w.policy.decide(w.request(household, call_id=call_id), at).allowed
    assert w.policy.decide(w.request("5-1-101", "door-5-1"), 2.0).allowed
    return w.request("5-1-101", call_id=w.call(household="5-1-101", at=3.0)), 4.0


def _call_rate(w: World) -> tuple[OpenDoorRequest, float]:
    for at in (0.0, 1.0, 2.0):
        assert w.policy.decide(w.request("3-2-1502", "door-3-2"), at).allowed
    call_id = w.call(at=3.0)
    return w.request(call_id=call_id), 4.0


def _pin_rate(w: World) -> tuple[OpenDoorRequest, float]:
    for at in (0.0, 1.0, 2.0):
        assert w.policy.decide(
            w.request(pin=PIN, source=AccessSource.REMOTE), at
        ).allowed
    return w.request(pin=PIN, source=AccessSource.REMOTE), 3.0


def _wrong_pin(w: World) -> tuple[OpenDoorRequest, float]:
    return w.request(pin="135790", source=AccessSource.REMOTE), 0.0


def _locked(w: World) -> tuple[OpenDoorRequest, float]:
    for at in (0.0, 1.0, 2.0):
        wrong = w.request(pin="000000", source=AccessSource.REMOTE)
        assert w.policy.decide(wrong, at).reason is AccessReason.WRONG_PIN
    return w.request(pin=PIN, source=AccessSource.REMOTE), 3.0


def _pin_not_set(w: World) -> tuple[OpenDoorRequest, float]:
    return w.request("3-2-801", pin=PIN, source=AccessSource.REMOTE), 0.0


def _not_own_door(w: World) -> tuple[OpenDoorRequest, float]:
    return w.request("5-1-101", "door-3-2", pin=PIN), 0.0


def _unknown_door(w: World) -> tuple[OpenDoorRequest, float]:
    return w.request(door="back-gate", call_id=w.call()), 0.0


def _unknown_household(w: World) -> tuple[OpenDoorRequest, float]:
    return w.request("9-9-909", "door-3-2"), 0.0


def _bad_request(w: World) -> tuple[OpenDoorRequest, float]:
    return w.request(request_id=""), 0.0


def _no_request_time(w: World) -> tuple[OpenDoorRequest, float]:
    return w.request(call_id=w.call(), at=None), 1.0


def _stale(w: World) -> tuple[OpenDoorRequest, float]:
    w.policy.max_request_age = 120.0
    return w.request(pin=PIN, source=AccessSource.REMOTE, at=0.0), 120.5


def _from_the_future(w: World) -> tuple[OpenDoorRequest, float]:
    w.policy.max_request_age = 120.0
    return w.request("3-2-801", "door-3-2", at=300.0), 10.0


SCENARIOS: list[tuple[str, Prepare, AccessReason]] = [
    ("call", _for_call, AccessReason.OPENED_FOR_CALL),
    ("implicit call", _implicit_call, AccessReason.OPENED_FOR_CALL),
    ("unit door call", _unit_door_call, AccessReason.OPENED_FOR_CALL),
    ("own unit door", _own_unit_door, AccessReason.OPENED_OWN_UNIT_DOOR),
    ("pin", _with_pin, AccessReason.OPENED_WITH_PIN),
    ("replayed request", _replayed, AccessReason.REPLAYED),
    ("replayed refused request", _replayed_after_refusal, AccessReason.REPLAYED),
    ("expired call", _expired, AccessReason.CALL_EXPIRED),
    ("call expired by book", _expired_by_book, AccessReason.CALL_EXPIRED),
    ("another household's satellite", _other_household, AccessReason.WRONG_HOUSEHOLD),
    (
        "another household, no call id",
        _other_household_implicit,
        AccessReason.NO_PENDING_CALL,
    ),
    ("call from another door", _wrong_door, AccessReason.WRONG_DOOR),
    ("call already answered", _answered, AccessReason.CALL_CLOSED),
    ("unknown call", _unknown_call, AccessReason.NO_PENDING_CALL),
    ("voice without call", _no_call_voice, AccessReason.NO_PENDING_CALL),
    ("remote without pin", _no_call_remote, AccessReason.PIN_REQUIRED),
    ("household rate limit", _household_rate, AccessReason.RATE_LIMITED),
    ("door rate limit", _door_rate, AccessReason.RATE_LIMITED),
    ("rate limit covers calls", _call_rate, AccessReason.RATE_LIMITED),
    ("rate limit covers pins", _pin_rate, AccessReason.RATE_LIMITED),
    ("wrong pin", _wrong_pin, AccessReason.WRONG_PIN),
    ("pin lockout", _locked, AccessReason.PIN_LOCKED),
    ("no pin set", _pin_not_set, AccessReason.PIN_NOT_SET),
    ("not own unit door", _not_own_door, AccessReason.NOT_OWN_DOOR),
    ("unknown door", _unknown_door, AccessReason.UNKNOWN_DOOR),
    ("unknown household", _unknown_household, AccessReason.UNKNOWN_HOUSEHOLD),
    ("empty request id", _bad_request, AccessReason.BAD_REQUEST),
    ("no request time", _no_request_time, AccessReason.BAD_REQUEST),
    ("request delayed in an outbox", _stale, AccessReason.STALE_REQUEST),
    ("request from a clock far ahead", _from_the_future, AccessReason.STALE_REQUEST),
]


@pytest.mark.parametrize(
    ("prepare", "reason"),
    [pytest.param(prepare, reason, id=name) for name, prepare, reason in SCENARIOS],
)
def test_decision_and_audit(
    world: World, prepare: Prepare, reason: AccessReason
) -> None:
    """Each scenario gets its reason and exactly one matching audit entry, never a PIN."""
    request, now = prepare(world)
    before = len(world.policy.audit)
    calls_before = {c.call_id: c.state for c in world.calls.calls}
    decision = world.policy.decide(request, now)
    assert decision.reason is reason
    assert decision.allowed is (reason in ALLOWED_REASONS)
    assert len(world.policy.audit) == before + 1
    entry = world.policy.audit.entries[-1]
    assert entry is decision.audit
    assert (entry.at, entry.household_id, entry.door_id, entry.request_id) == (
        now,
        request.household_id,
        request.door_id,
        request.request_id,
    )
    assert (entry.source, entry.allowed, entry.reason) == (
        request.source,
        decision.allowed,
        reason,
    )
    if decision.call is not None:
        assert entry.call_id == decision.call.call_id
    else:
        assert entry.call_id == request.call_id
    assert decision.result_body() == {
        "request_id": request.request_id,
        "allowed": decision.allowed,
        "reason": reason.value,
    }
    stored = json.dumps(world.policy.as_dict())
    assert PIN not in stored
    assert PIN not in repr(request) and PIN not in repr(decision)
    if reason is AccessReason.OPENED_FOR_CALL:
        assert decision.call is not None
        assert decision.call.state is CallState.ANSWERED_OPEN
        assert decision.call.answered_by == request.household_id
    elif not decision.allowed:
        # A refusal never closes a call: the rightful household can still answer it.
        assert {c.call_id: c.state for c in world.calls.calls} == calls_before


def test_refused_call_still_opens_for_its_household(world: World) -> None:
    """After another household's attempt, the called household can still open."""
    call_id = world.call()
    assert world.policy.decide(
        world.request("5-1-101", call_id=call_id), 1.0
    ).reason is (AccessReason.WRONG_HOUSEHOLD)
    decision = world.policy.decide(world.request(call_id=call_id), 2.0)
    assert decision.reason is AccessReason.OPENED_FOR_CALL
    assert decision.station == GATE


def test_lockout_ends(world: World) -> None:
    """After the lockout the right PIN opens again; a success resets the failure count."""
    for at in (0.0, 1.0, 2.0):
        world.policy.decide(world.request(pin="1111", source=AccessSource.REMOTE), at)
    locked = world.policy.decide(world.request(pin=PIN), 601.9)
    assert locked.reason is AccessReason.PIN_LOCKED
    opened = world.policy.decide(world.request(pin=PIN), 602.0)
    assert opened.reason is AccessReason.OPENED_WITH_PIN
    world.policy.decide(world.request(pin="1111"), 603.0)
    assert world.policy.pins.verify("3-2-1502", PIN, 604.0) is PinCheck.OK


def test_pin_disabled() -> None:
    """With PIN opening switched off a PIN opens nothing."""
    w = make_world(pin_opening=False)
    decision = w.policy.decide(w.request(pin=PIN, source=AccessSource.REMOTE), 0.0)
    assert decision.reason is AccessReason.PIN_DISABLED
    assert w.policy.audit.entries[-1].reason is AccessReason.PIN_DISABLED


def test_rate_limit_window_slides(world: World) -> None:
    """Three opens per five minutes per household; the fourth waits for the window."""
    for at in (0.0, 100.0, 200.0):
        assert world.policy.decide(world.request("3-2-801", "door-3-2"), at).allowed
    assert not world.policy.decide(world.request("3-2-801", "door-3-2"), 299.9).allowed
    assert world.policy.decide(world.request("3-2-801", "door-3-2"), 300.0).allowed


def test_stations_and_defaults() -> None:
    """Stations can be replaced; default collaborators are created."""
    policy = DoorAccessPolicy(CallBook(), LOCATIONS.get)
    assert policy.stations == []
    policy.set_stations([DOOR_51, GATE])
    assert [s.station_id for s in policy.stations] == ["door-5-1", "gate-east"]
    assert policy.station("gate-east") is GATE
    assert policy.station("nope") is None
    assert GATE.location is None and DOOR_32.location == ("3", "2")
    with pytest.raises(ValueError, match="unit door"):
        DoorStation("d", DoorKind.UNIT_DOOR, building="3")


def test_request_from_body() -> None:
    """Bodies map to requests; unknown sources count as remote; bad extras are dropped."""
    request = OpenDoorRequest.from_body(
        "3-2-1502",
        {
            "request_id": "r1",
            "door": "gate-east",
            "requested_at": 17,
            "call_id": "c1",
            "pin": PIN,
            "source": "phone",
        },
    )
    assert request == OpenDoorRequest(
        "r1", "3-2-1502", "gate-east", 17.0, "c1", PIN, AccessSource.PHONE
    )
    for requested_at in (None, True, "17", float("nan")):
        bare = OpenDoorRequest.from_body(
            "h",
            {
                "request_id": "r2",
                "door": "d",
                "pin": 1234,
                "call_id": "",
                "requested_at": requested_at,
            },
        )
        assert (bare.pin, bare.call_id, bare.source, bare.requested_at) == (
            None,
            None,
            AccessSource.REMOTE,
            None,
        )
    assert parse_source("satellite") is AccessSource.REMOTE
    assert parse_source("voice") is AccessSource.VOICE


@given(
    st.integers(1, 5),
    st.floats(1.0, 100.0),
    st.lists(
        st.tuples(st.floats(-20.0, 60.0), st.sampled_from(["a", "b"])), max_size=60
    ),
)
def test_limiter_never_exceeds_limit(
    limit: int, window: float, steps: list[tuple[float, str]]
) -> None:
    """In any window no key gets more than the limit, and a hit is refused only when full."""
    limiter = SlidingWindowLimiter(limit, window)
    accepted: dict[str, list[float]] = {"a": [], "b": []}
    clock = -math.inf
    proposed = 0.0
    for delta, key in steps:
        proposed += delta  # a random walk: the caller's clock may step back
        clock = max(clock, proposed)
        recent = [t for t in accepted[key] if t > clock - window]
        if limiter.acquire(key, proposed):
            assert len(recent) < limit
            accepted[key].append(clock)
        else:
            assert len(recent) == limit
    for times in accepted.values():
        for t in times:
            assert sum(1 for u in times if t - window < u <= t) <= limit


def test_limiter_settings() -> None:
    """A limit below one or a non-positive window is refused."""
    for limit, window in ((0, 10.0), (1, 0.0), (1, float("nan"))):
        with pytest.raises(ValueError, match="limit"):
            SlidingWindowLimiter(limit, window)


def test_replay_cache_bounds() -> None:
    """Ids are remembered per household, for the window, and up to the size bound."""
    cache = ReplayCache(window=100.0, max_entries=3)
    assert cache.check_and_add("h1", "r", 0.0)
    assert cache.check_and_add("h2", "r", 0.0)
    assert not cache.check_and_add("h1", "r", 50.0)
    assert cache.check_and_add("h1", "x", 150.0)  # forgets both ids from t=0
    assert len(cache) == 1
    assert cache.check_and_add("h1", "r", 150.0)
    for i in range(5):
        cache.check_and_add("h3", str(i), 151.0)
    assert len(cache) == 3


def test_pin_vault() -> None:
    """PINs are 4-12 digits, stored as hashes, cleared on request."""
    vault = PinVault(iterations=1000)
    for bad in ("123", "1234567890123", "12a4", "", None):
        with pytest.raises(PinError) as caught:
            vault.set_pin("h", bad)  # type: ignore[arg-type]
        assert caught.value.key == "bad_pin"
    assert vault.verify("h", "1234", 0.0) is PinCheck.NOT_SET
    vault.set_pin("h", "1234")
    assert vault.has_pin("h")
    assert "1234" not in json.dumps(vault.as_dict())
    assert vault.verify("h", "1234", 0.0) is PinCheck.OK
    assert vault.verify("h", "x" * 1000, 0.0) is PinCheck.WRONG
    vault.clear_pin("h")
    assert not vault.has_pin("h") and not vault.is_locked("h", 0.0)
    for kwargs in ({"iterations": 0}, {"max_failures": 0}, {"lockout": -1.0}):
        with pytest.raises(ValueError, match="PIN"):
            PinVault(**kwargs)  # type: ignore[arg-type]


def test_verify_reports_lock() -> None:
    """A locked vault says so without checking the PIN."""
    vault = PinVault(iterations=1000, max_failures=1, lockout=10.0)
    vault.set_pin("h", "1234")
    assert vault.verify("h", "9999", 0.0) is PinCheck.WRONG
    assert vault.verify("h", "1234", 5.0) is PinCheck.LOCKED
    assert vault.verify("h", "1234", 10.0) is PinCheck.OK


def test_audit_log_is_bounded() -> None:
    """The log keeps the newest entries."""
    log = AuditLog(max_entries=2)
    for i in range(3):
        log.append(
            AuditEntry(
                float(i),
                "h",
                "d",
                None,
                f"r{i}",
                AccessSource.VOICE,
                False,
                AccessReason.REPLAYED,
            )
        )
    assert [e.request_id for e in log.entries] == ["r1", "r2"]
    assert log.for_household("h") == log.entries
    assert log.for_household("x") == []
    log.load({})
    assert len(log) == 0


def test_persistence_round_trip(world: World) -> None:
    """PIN hashes, lockouts, replay ids and the audit log survive a JSON round trip."""
    call_id = world.call()
    world.policy.decide(world.request(call_id=call_id, request_id="seen"), 1.0)
    world.policy.decide(world.request(pin="0000", source=AccessSource.REMOTE), 2.0)
    data = json.loads(json.dumps(world.policy.as_dict()))
    restored = make_world()
    restored.policy.pins.load(None)
    restored.policy.load(data)
    assert restored.policy.audit.entries == world.policy.audit.entries
    assert restored.policy.as_dict() == world.policy.as_dict()
    again = restored.policy.decide(
        restored.request(call_id=call_id, request_id="seen"), 3.0
    )
    assert again.reason is AccessReason.REPLAYED
    assert restored.policy.pins.verify("3-2-1502", PIN, 4.0) is PinCheck.OK
    restored.policy.load(None)
    assert len(restored.policy.audit) == 3


def _entry() -> dict[str, Any]:
    return AuditEntry(
        1.0, "h", "d", "c", "r", AccessSource.VOICE, True, AccessReason.OPENED_FOR_CALL
    ).as_dict()


def _pins() -> dict[str, Any]:
    vault = PinVault(iterations=1000)
    vault.set_pin("h", "1234")
    return vault.as_dict()


@pytest.mark.parametrize(
    "data",
    [
        "not a mapping",
        {"audit": {"entries": [{**_entry(), "reason": "because"}]}},
        {"audit": {"entries": [{**_entry(), "allowed": "yes"}]}},
        {"audit": {"entries": [{**_entry(), "at": True}]}},
        {"audit": {"entries": [{**_entry(), "call_id": 5}]}},
        {"audit": {"entries": [{k: v for k, v in _entry().items() if k != "door_id"}]}},
        {"audit": {"nope": []}},
        {"replay": {"seen": [1, 2]}},
        {"replay": {"seen": {"k": "late"}}},
        {"pins": {"records": {"h": {**_pins()["records"]["h"], "salt": "zz"}}}},
        {"pins": {"records": {"h": {**_pins()["records"]["h"], "iterations": 0}}}},
        {"pins": {"records": {"h": {**_pins()["records"]["h"], "iterations": "many"}}}},
        {"pins": {"records": {"h": {**_pins()["records"]["h"], "failures": None}}}},
        {"pins": {"records": []}},
    ],
)
def test_corrupt_state(data: Any) -> None:
    """Bad persisted data raises CorruptStateError."""
    with pytest.raises(CorruptStateError):
        make_world().policy.load(data)
