"""The pure alarm core: lifecycle, de-duplication, escalation, persistence."""

import json
import string

from hypothesis import given, settings, strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
import pytest

from custom_components.smart_community.core.alarm import (
    MAX_HISTORY_EVENTS,
    MAX_RESOLVED_KEPT,
    Alarm,
    AlarmAction,
    AlarmAlreadyResolvedError,
    AlarmBook,
    AlarmKind,
    AlarmNotFoundError,
    AlarmStatus,
    CorruptStateError,
    EscalationPolicy,
    EscalationStep,
)

POLICY = EscalationPolicy.build(
    ["mum", "dad"],
    ["neighbour"],
    contact_delay=120,
    extra=[EscalationStep(300, ("property",), "property")],
)


def test_lifecycle_records_who_and_when() -> None:
    """Raised, acknowledged, resolved: each with who and when."""
    book = AlarmBook(POLICY)
    alarm = book.raise_alarm(
        AlarmKind.SMOKE, "binary_sensor.smoke", 10.0, by="sensor"
    ).alarm
    assert book.acknowledge(alarm.alarm_id, 20.0, "Mum")
    assert not book.acknowledge(alarm.alarm_id, 25.0, "Dad")
    book.resolve(alarm.alarm_id, 30.0, "Dad")
    assert (alarm.acknowledged_by, alarm.acknowledged_at) == ("Mum", 20.0)
    assert (alarm.resolved_by, alarm.resolved_at) == ("Dad", 30.0)
    assert [e.action for e in alarm.history] == [
        AlarmAction.RAISED,
        AlarmAction.ACKNOWLEDGED,
        AlarmAction.RESOLVED,
    ]
    with pytest.raises(AlarmAlreadyResolvedError):
        book.acknowledge(alarm.alarm_id, 40.0)
    with pytest.raises(AlarmAlreadyResolvedError) as err:
        book.resolve(alarm.alarm_id, 40.0)
    assert err.value.key == "alarm_already_resolved"
    with pytest.raises(AlarmNotFoundError) as missing:
        book.get("nope")
    assert missing.value.key == "alarm_not_found"


def test_resolve_without_acknowledge_acknowledges() -> None:
    """Resolving an unacknowledged alarm records the acknowledgement too."""
    book = AlarmBook()
    alarm = book.raise_alarm(AlarmKind.LEAK, "x", 1.0).alarm
    book.resolve(alarm.alarm_id, 5.0, "Dad")
    assert alarm.acknowledged_at == 5.0
    assert alarm.status is AlarmStatus.RESOLVED


def test_dedup_by_kind_and_source_only_while_active() -> None:
    """Same kind and source while active: one alarm; after resolution: a new one."""
    book = AlarmBook()
    first = book.raise_alarm(AlarmKind.GAS, "s1", 1.0)
    again = book.raise_alarm(AlarmKind.GAS, "s1", 2.0)
    other_source = book.raise_alarm(AlarmKind.GAS, "s2", 3.0)
    other_kind = book.raise_alarm(AlarmKind.CO, "s1", 4.0)
    assert first.created and not again.created
    assert again.alarm is first.alarm
    assert first.alarm.trigger_count == 2
    assert first.alarm.last_triggered_at == 2.0
    assert other_source.created and other_kind.created
    book.resolve(first.alarm.alarm_id, 5.0)
    assert book.raise_alarm(AlarmKind.GAS, "s1", 6.0).created


def test_given_alarm_id_is_kept_unless_taken() -> None:
    """A caller may choose the id (e.g. from the link); a clash gets a fresh one."""
    book = AlarmBook()
    assert (
        book.raise_alarm(AlarmKind.SOS, "a", 1.0, alarm_id="fixed").alarm.alarm_id
        == "fixed"
    )
    second = book.raise_alarm(AlarmKind.SOS, "b", 1.0, alarm_id="fixed").alarm
    assert second.alarm_id != "fixed"


def test_escalation_ladder() -> None:
    """Family at once; contacts after 120 s; property after 300 s; stops on acknowledge."""
    book = AlarmBook(POLICY)
    alarm = book.raise_alarm(AlarmKind.SOS, "button", 1000.0).alarm
    assert book.next_deadline() == 1120.0
    assert book.escalate_due(1119.0) == []
    (step,) = book.escalate_due(1120.0)
    assert (step.level, step.step.targets) == (1, ("neighbour",))
    assert book.next_deadline() == 1300.0
    assert book.escalate_due(1200.0) == []
    (step,) = book.escalate_due(1301.0)
    assert step.step.name == "property"
    assert book.next_deadline() is None
    assert book.escalate_due(5000.0) == []

    late = book.raise_alarm(AlarmKind.SMOKE, "s", 2000.0).alarm
    # Far past both deadlines at once: both steps fire, in order.
    assert [e.level for e in book.escalate_due(2400.0)] == [1, 2]
    assert late.escalation_level == 2
    other = book.raise_alarm(AlarmKind.LEAK, "l", 3000.0).alarm
    book.acknowledge(other.alarm_id, 3001.0)
    assert POLICY.next_deadline(other) is None
    assert POLICY.due_levels(other, 9999.0) == []
    assert alarm.escalation_level == 2


def test_policy_without_contacts_has_only_family() -> None:
    """No contacts: nothing to escalate to."""
    book = AlarmBook(EscalationPolicy.build(["mum"]))
    book.raise_alarm(AlarmKind.SOS, "x", 0.0)
    assert book.next_deadline() is None


def test_history_is_bounded_and_keeps_the_raise() -> None:
    """A chattering sensor cannot grow the history without bound."""
    book = AlarmBook()
    alarm = book.raise_alarm(AlarmKind.SMOKE, "s", 0.0).alarm
    for i in range(500):
        book.raise_alarm(AlarmKind.SMOKE, "s", float(i))
    assert len(alarm.history) == MAX_HISTORY_EVENTS
    assert alarm.history[0].action is AlarmAction.RAISED
    assert alarm.trigger_count == 501


def test_resolved_alarms_are_pruned_active_never() -> None:
    """Only the newest resolved alarms are kept; active ones always are."""
    book = AlarmBook()
    active = book.raise_alarm(AlarmKind.SOS, "keep", 0.0).alarm
    for i in range(MAX_RESOLVED_KEPT + 20):
        alarm = book.raise_alarm(AlarmKind.LEAK, f"s{i}", float(i + 1)).alarm
        book.resolve(alarm.alarm_id, float(i + 1))
    assert len(book.alarms) == MAX_RESOLVED_KEPT + 1
    assert book.get(active.alarm_id) is active


def test_load_rejects_corrupt_data() -> None:
    """Corrupt persisted data raises one clear error and leaves the book empty."""
    book = AlarmBook()
    for bad in (
        {"alarms": [{"alarm_id": "x"}]},
        {
            "alarms": [
                {
                    "alarm_id": "x",
                    "kind": "volcano",
                    "source": "s",
                    "raised_at": 1,
                    "status": "raised",
                }
            ]
        },
        {
            "alarms": [
                {
                    "alarm_id": "x",
                    "kind": "sos",
                    "source": "s",
                    "raised_at": "soon",
                    "status": "raised",
                }
            ]
        },
        {
            "alarms": [
                {
                    "alarm_id": "x",
                    "kind": "sos",
                    "source": "s",
                    "raised_at": True,
                    "status": "raised",
                }
            ]
        },
        {"alarms": None},
        {"nothing": 1},
    ):
        with pytest.raises(CorruptStateError):
            book.load(bad)
        assert book.alarms == []
    book.load(None)
    assert book.alarms == []


text = st.text(alphabet=string.ascii_letters + "中文-_.", max_size=12)


class AlarmBookMachine(RuleBasedStateMachine):
    """Random sequences of raises, acknowledgements, resolutions and restarts."""

    @initialize()
    def start(self) -> None:
        self.book = AlarmBook(POLICY)
        self.now = 0.0
        self.created: set[str] = set()

    @rule(kind=st.sampled_from(AlarmKind), source=st.sampled_from(["a", "b", "c"]))
    def raise_alarm(self, kind: AlarmKind, source: str) -> None:
        self.now += 1
        before = self.book.active_for(kind, source)
        result = self.book.raise_alarm(kind, source, self.now)
        assert result.created is (before is None)
        if result.created:
            self.created.add(result.alarm.alarm_id)

    def _any_active(self, data: st.DataObject) -> Alarm:
        return data.draw(st.sampled_from(self.book.active))

    @precondition(lambda self: bool(self.book.active))
    @rule(data=st.data(), by=text)
    def acknowledge(self, data: st.DataObject, by: str) -> None:
        self.now += 1
        alarm = self._any_active(data)
        self.book.acknowledge(alarm.alarm_id, self.now, by)
        assert alarm.status is AlarmStatus.ACKNOWLEDGED

    @precondition(lambda self: bool(self.book.active))
    @rule(data=st.data())
    def resolve(self, data: st.DataObject) -> None:
        self.now += 1
        alarm = self._any_active(data)
        self.book.resolve(alarm.alarm_id, self.now)
        assert not alarm.active

    @rule(seconds=st.floats(min_value=0, max_value=400))
    def time_passes(self, seconds: float) -> None:
        self.now += seconds
        for escalation in self.book.escalate_due(self.now):
            assert escalation.alarm.status is AlarmStatus.RAISED

    @rule()
    def restart(self) -> None:
        saved = json.loads(json.dumps(self.book.as_dict()))
        before = {a.alarm_id: a.as_dict() for a in self.book.alarms}
        self.book = AlarmBook(POLICY)
        self.book.load(saved)
        assert {a.alarm_id: a.as_dict() for a in self.book.alarms} == before

    @invariant()
    def one_active_alarm_per_kind_and_source(self) -> None:
        keys = [(a.kind, a.source) for a in self.book.active]
        assert len(keys) == len(set(keys))

    @invariant()
    def no_active_alarm_is_lost(self) -> None:
        for alarm in self.book.active:
            assert alarm.alarm_id in self.created

    @precondition(lambda self: bool(self.book.active))
    @rule(data=st.data(), by=text)
    def arrive(self, data: st.DataObject, by: str) -> None:
        self.now += 1
        alarm = self._any_active(data)
        self.book.mark_arrived(alarm.alarm_id, self.now, by)
        assert alarm.arrived_at is not None

    @precondition(lambda self: bool(self.book.active))
    @rule(data=st.data(), detail=text)
    def note(self, data: st.DataObject, detail: str) -> None:
        alarm = self._any_active(data)
        self.book.note(alarm.alarm_id, self.now, AlarmAction.RESPONSE, detail)

    @invariant()
    def stored_form_follows_every_change(self) -> None:
        # The cached stored form never lags behind the alarm.
        for alarm in self.book.alarms:
            assert alarm.as_dict() == alarm._build_dict()

    @invariant()
    def lifecycle_is_consistent(self) -> None:
        for alarm in self.book.alarms:
            if alarm.status is not AlarmStatus.RAISED:
                assert alarm.acknowledged_at is not None
            if alarm.status is AlarmStatus.RESOLVED:
                assert alarm.resolved_at is not None
                assert alarm.resolved_at >= alarm.raised_at


TestAlarmBookMachine = AlarmBookMachine.TestCase
TestAlarmBookMachine.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None
)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
        max_leaves=20,
    )
)
@settings(max_examples=200, deadline=None)
def test_load_of_anything_never_crashes_otherwise(data: object) -> None:
    """Whatever is in storage, loading raises only CorruptStateError."""
    book = AlarmBook()
    try:
        book.load(data if isinstance(data, dict) else {"alarms": data})
    except CorruptStateError:
        assert book.alarms == []


def test_arrival() -> None:
    """Arrival acknowledges a raised alarm, is recorded once, and not after resolution."""
    book = AlarmBook()
    alarm = book.raise_alarm(AlarmKind.SOS, "3-2-1502", 0.0).alarm
    assert alarm.alarm_id in book
    assert book.mark_arrived(alarm.alarm_id, 600.0, "Li (security)")
    assert alarm.status is AlarmStatus.ACKNOWLEDGED
    assert (alarm.arrived_at, alarm.arrived_by) == (600.0, "Li (security)")
    assert not book.mark_arrived(alarm.alarm_id, 700.0, "Zhao")
    book.resolve(alarm.alarm_id, 800.0)
    with pytest.raises(AlarmAlreadyResolvedError):
        book.mark_arrived(alarm.alarm_id, 900.0)
    restored = AlarmBook()
    restored.load(book.as_dict())
    assert restored.get(alarm.alarm_id).arrived_by == "Li (security)"
