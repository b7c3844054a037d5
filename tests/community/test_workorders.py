"""Work orders: lifecycle, idempotency, persistence and to-do fields."""

import json

from hypothesis import given, settings, strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule
import pytest

from custom_components.smart_community.community.workorders import (
    FINISHED,
    MAX_SUMMARY_LENGTH,
    TRANSITIONS,
    InvalidTransitionError,
    InvalidWorkOrderError,
    WorkOrder,
    WorkOrderBook,
    WorkOrderCategory,
    WorkOrderError,
    WorkOrderNotFoundError,
    WorkOrderStatus,
    todo_fields,
)
from custom_components.smart_community.core.alarm import CorruptStateError

S = WorkOrderStatus


def new_order(
    book: WorkOrderBook, order_id: str = "wo1", at: float = 10.0
) -> WorkOrder:
    return book.create(
        "3-2-1502",
        WorkOrderCategory.REPAIR,
        "Kitchen tap leaks\nsince this morning",
        at,
        by="resident",
        photo="https://example.invalid/tap.jpg",
        order_id=order_id,
    ).order


def test_full_lifecycle_records_who_and_when() -> None:
    book = WorkOrderBook()
    order = new_order(book)
    assert order.status is S.OPEN
    assert order.updated_at == 10.0
    assert book.take("wo1", 20.0, "guard")
    assert order.assignee == "guard"
    assert book.assign("wo1", "plumber", 30.0, "manager")
    assert book.assign("wo1", "electrician", 35.0, "manager")
    assert book.start("wo1", 40.0, "electrician")
    assert order.assignee == "electrician"
    assert book.complete("wo1", 50.0, "electrician", note="washer replaced")
    assert order.finished
    assert book.reopen("wo1", 60.0, "resident", note="still drips")
    assert order.assignee is None
    assert book.cancel("wo1", 70.0, "resident")
    assert [(c.status, c.at, c.by) for c in order.history] == [
        (S.OPEN, 10.0, "resident"),
        (S.TAKEN, 20.0, "guard"),
        (S.ASSIGNED, 30.0, "manager"),
        (S.ASSIGNED, 35.0, "manager"),
        (S.IN_PROGRESS, 40.0, "electrician"),
        (S.DONE, 50.0, "electrician"),
        (S.REOPENED, 60.0, "resident"),
        (S.CANCELLED, 70.0, "resident"),
    ]
    assert order.history[5].note == "washer replaced"
    assert order.updated_at == 70.0


def test_duplicates_are_no_ops() -> None:
    book = WorkOrderBook()
    order = new_order(book)
    again = book.create(
        "other", WorkOrderCategory.OTHER, "different", 99.0, order_id="wo1"
    )
    assert not again.created
    assert again.order is order
    assert order.text.startswith("Kitchen")
    assert book.take("wo1", 20.0, "guard")
    assert not book.take("wo1", 21.0, "guard")
    assert book.assign("wo1", "plumber", 30.0, "m")
    assert not book.assign("wo1", "plumber", 31.0, "m")
    assert len(order.history) == 3


def test_invalid_transitions_have_stable_keys() -> None:
    book = WorkOrderBook()
    new_order(book)
    with pytest.raises(InvalidTransitionError) as err:
        book.complete("wo1", 20.0)
    assert err.value.key == "work_order_invalid_transition"
    assert (err.value.current, err.value.target) == (S.OPEN, S.DONE)
    with pytest.raises(InvalidTransitionError):
        book.reopen("wo1", 20.0)
    book.take("wo1", 20.0, "guard")
    with pytest.raises(InvalidTransitionError):
        book.take("wo1", 21.0, "someone else")
    with pytest.raises(WorkOrderError) as taker:
        book.transition("wo1", S.TAKEN, 22.0)
    assert taker.value.key == "work_order_taker_required"
    with pytest.raises(WorkOrderError) as assignee:
        book.transition("wo1", S.ASSIGNED, 22.0, by="m")
    assert assignee.value.key == "work_order_assignee_required"
    with pytest.raises(WorkOrderNotFoundError) as missing:
        book.start("nope", 1.0)
    assert missing.value.key == "work_order_not_found"
    assert missing.value.order_id == "nope"


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"text": "  "}, "work_order_bad_text"),
        ({"text": "x" * 5000}, "work_order_bad_text"),
        ({"household_id": ""}, "work_order_no_household"),
        ({"order_id": ""}, "work_order_bad_id"),
        ({"photo": "data:image/png;base64,AAAA"}, "work_order_photo_not_reference"),
        ({"photo": b"\x89PNG"}, "work_order_photo_not_reference"),
        ({"photo": " "}, "work_order_photo_not_reference"),
        ({"photo": "https://x/" + "a" * 3000}, "work_order_photo_not_reference"),
    ],
)
def test_content_is_validated(kwargs: dict[str, object], key: str) -> None:
    args: dict[str, object] = {
        "household_id": "3-2-1502",
        "category": WorkOrderCategory.CLEANING,
        "text": "Bins overflow",
        "now": 1.0,
    }
    args.update(kwargs)
    with pytest.raises(InvalidWorkOrderError) as err:
        WorkOrderBook().create(**args)  # type: ignore[arg-type]
    assert err.value.key == key


def test_generated_ids_and_queries() -> None:
    book = WorkOrderBook()
    first = book.create("a", WorkOrderCategory.SECURITY, "door ajar", 5.0).order
    second = book.create("b", WorkOrderCategory.COMPLAINT, "noise", 3.0).order
    assert len(first.order_id) == 32
    assert first.order_id != second.order_id
    assert book.orders() == [second, first]
    assert book.orders(household="a") == [first]
    book.take(first.order_id, 6.0, "guard")
    assert book.orders(status=S.TAKEN) == [first]
    assert book.orders(status=S.OPEN, household="a") == []
    book.cancel(second.order_id, 7.0)
    assert book.unfinished == [first]
    assert book.get(first.order_id) is first


def test_todo_fields() -> None:
    book = WorkOrderBook()
    order = new_order(book)
    fields = todo_fields(order)
    assert fields.uid == "wo1"
    assert fields.summary == "3-2-1502: Kitchen tap leaks"
    assert fields.description == (
        "Kitchen tap leaks\nsince this morning\n\nhttps://example.invalid/tap.jpg"
    )
    assert not fields.completed
    assert fields.category is WorkOrderCategory.REPAIR
    assert fields.status is S.OPEN
    long = book.create("h", WorkOrderCategory.OTHER, "  " + "长" * 200, 1.0).order
    long_fields = todo_fields(long)
    assert long_fields.summary == "h: " + "长" * (MAX_SUMMARY_LENGTH - 1) + "…"
    assert long_fields.description == "长" * 200
    book.cancel(long.order_id, 2.0)
    assert todo_fields(long).completed


def test_round_trip_through_json() -> None:
    book = WorkOrderBook()
    order = new_order(book)
    book.take(order.order_id, 11.0, "guard")
    book.create("b", WorkOrderCategory.OTHER, "x", 12.0, order_id="wo2")
    data = json.loads(json.dumps(book.as_dict()))
    loaded = WorkOrderBook()
    loaded.load(data)
    assert loaded.as_dict() == book.as_dict()
    assert loaded.get("wo1").assignee == "guard"
    loaded.load(None)
    assert loaded.orders() == []


GOOD = {
    "order_id": "wo1",
    "household_id": "h",
    "category": "repair",
    "text": "t",
    "created_at": 1.0,
    "status": "open",
    "history": [{"at": 1.0, "status": "open"}],
}


@pytest.mark.parametrize(
    "data",
    [
        {"orders": [{**GOOD, "status": "taken"}]},
        {"orders": [{**GOOD, "category": "plumbing"}]},
        {"orders": [{**GOOD, "text": ""}]},
        {"orders": [{**GOOD, "created_at": "yesterday"}]},
        {"orders": [{**GOOD, "photo": 5}]},
        {"orders": [{**GOOD, "history": [{"at": True, "status": "open"}]}]},
        {"orders": "nope"},
        {"version": 1},
        ["orders"],
    ],
)
def test_load_rejects_corrupt_data(data: object) -> None:
    book = WorkOrderBook()
    with pytest.raises(CorruptStateError):
        book.load(data)  # type: ignore[arg-type]
    assert book.orders() == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=15,
)
ORDER = st.fixed_dictionaries(
    {},
    optional={key: st.one_of(st.just(value), JSON) for key, value in GOOD.items()},
)


@given(st.one_of(JSON, st.fixed_dictionaries({"orders": st.lists(ORDER, max_size=3)})))
def test_load_arbitrary_data_raises_only_corrupt_state(data: object) -> None:
    book = WorkOrderBook()
    try:
        book.load(data)  # type: ignore[arg-type]
    except CorruptStateError:
        return
    again = WorkOrderBook()
    again.load(book.as_dict())
    assert again.as_dict() == book.as_dict()


PEOPLE = st.sampled_from(["guard", "plumber", "manager", None])


class WorkOrderMachine(RuleBasedStateMachine):
    """Random moves keep the book consistent with the transition table."""

    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.book = WorkOrderBook()
        self.now = 0.0
        self.model: dict[str, WorkOrderStatus] = {}

    def tick(self) -> float:
        self.now += 1.0
        return self.now

    @rule(target=orders, category=st.sampled_from(WorkOrderCategory))
    def create(self, category: WorkOrderCategory) -> str:
        order = self.book.create("h", category, "text", self.tick()).order
        self.model[order.order_id] = S.OPEN
        return order.order_id

    @rule(order_id=orders)
    def duplicate_create(self, order_id: str) -> None:
        result = self.book.create(
            "h", WorkOrderCategory.OTHER, "x", 0.0, order_id=order_id
        )
        assert not result.created

    @rule(order_id=orders, status=st.sampled_from(WorkOrderStatus), who=PEOPLE)
    def move(self, order_id: str, status: WorkOrderStatus, who: str | None) -> None:
        order = self.book.get(order_id)
        before = order.status
        before_assignee = order.assignee
        history = len(order.history)
        try:
            changed = self.book.transition(
                order_id, status, self.tick(), by=who, assignee=who
            )
        except InvalidTransitionError:
            assert status not in TRANSITIONS[before]
            assert order.status is before
            assert len(order.history) == history
            return
        except WorkOrderError as err:
            refused = err.key
        else:
            refused = None
        if refused is not None:
            assert who is None
            assert refused in {
                "work_order_taker_required",
                "work_order_assignee_required",
            }
            return
        if changed:
            assert status in TRANSITIONS[before]
            assert len(order.history) == history + 1
            self.model[order_id] = status
        else:
            assert status is before
            assert order.assignee == before_assignee
            assert len(order.history) == history

    @rule(order_id=consumes(orders))
    def persist_and_reload(self, order_id: str) -> None:
        data = json.loads(json.dumps(self.book.as_dict()))
        book = WorkOrderBook()
        book.load(data)
        assert book.as_dict() == self.book.as_dict()

    @invariant()
    def consistent(self) -> None:
        for order in self.book.orders():
            assert order.status is self.model[order.order_id]
            assert order.history[-1].status is order.status
            assert order.history[0].status is S.OPEN
            assert all(
                b.status in TRANSITIONS[a.status]
                for a, b in zip(order.history, order.history[1:], strict=False)
            )
            if order.status in {S.TAKEN, S.ASSIGNED, S.IN_PROGRESS}:
                assert order.assignee
            if order.status in {S.OPEN, S.REOPENED}:
                assert order.assignee is None
            assert order.finished == (order.status in FINISHED)


WorkOrderMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30)
TestWorkOrderMachine = WorkOrderMachine.TestCase
