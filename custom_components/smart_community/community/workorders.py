"""Work orders: residents report a problem, the property takes the order and fixes it.

Pure Python: no Home Assistant import. Times are POSIX timestamps passed in by the caller.
The lifecycle is ``open -> taken -> (assigned) -> in_progress -> done``; any unfinished order
can be cancelled, and a done or cancelled order can be reopened. Refusals raise a
:class:`WorkOrderError` whose ``key`` is a stable translation key.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
import secrets
from typing import Any, Final, Self

from ..core.alarm import CorruptStateError

STORAGE_VERSION: Final = 1
MAX_TEXT_LENGTH: Final = 4000
MAX_PHOTO_REF_LENGTH: Final = 2048
MAX_SUMMARY_LENGTH: Final = 80


class WorkOrderCategory(StrEnum):
    """What a work order is about."""

    REPAIR = "repair"
    COMPLAINT = "complaint"
    CLEANING = "cleaning"
    SECURITY = "security"
    OTHER = "other"


class WorkOrderStatus(StrEnum):
    """Where a work order stands."""

    OPEN = "open"
    TAKEN = "taken"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"
    REOPENED = "reopened"


FINISHED: Final = frozenset({WorkOrderStatus.DONE, WorkOrderStatus.CANCELLED})
_UNFINISHED_TARGETS: Final = frozenset(
    {WorkOrderStatus.TAKEN, WorkOrderStatus.ASSIGNED, WorkOrderStatus.CANCELLED}
)
TRANSITIONS: Final[Mapping[WorkOrderStatus, frozenset[WorkOrderStatus]]] = {
    WorkOrderStatus.OPEN: _UNFINISHED_TARGETS,
    WorkOrderStatus.REOPENED: _UNFINISHED_TARGETS,
    WorkOrderStatus.TAKEN: frozenset(
        {
            WorkOrderStatus.ASSIGNED,
            WorkOrderStatus.IN_PROGRESS,
            WorkOrderStatus.CANCELLED,
        }
    ),
    WorkOrderStatus.ASSIGNED: frozenset(
        {
            WorkOrderStatus.ASSIGNED,
            WorkOrderStatus.IN_PROGRESS,
            WorkOrderStatus.CANCELLED,
        }
    ),
    WorkOrderStatus.IN_PROGRESS: frozenset(
        {WorkOrderStatus.ASSIGNED, WorkOrderStatus.DONE, WorkOrderStatus.CANCELLED}
    ),
    WorkOrderStatus.DONE: frozenset({WorkOrderStatus.REOPENED}),
    WorkOrderStatus.CANCELLED: frozenset({WorkOrderStatus.REOPENED}),
}
"""Allowed moves; ASSIGNED -> ASSIGNED is a hand-over to someone else."""


class WorkOrderError(Exception):
    """A request the work order book refuses; `key` is a stable translation key."""

    def __init__(self, key: str, order_id: str) -> None:
        super().__init__(f"{key}: {order_id}")
        self.key = key
        self.order_id = order_id


class WorkOrderNotFoundError(WorkOrderError):
    """No work order with that id."""

    def __init__(self, order_id: str) -> None:
        super().__init__("work_order_not_found", order_id)


class InvalidTransitionError(WorkOrderError):
    """The order cannot move from its status to the one asked for."""

    def __init__(
        self, order_id: str, current: WorkOrderStatus, target: WorkOrderStatus
    ) -> None:
        super().__init__("work_order_invalid_transition", order_id)
        self.current = current
        self.target = target


class InvalidWorkOrderError(WorkOrderError):
    """The order's content is not acceptable (empty text, photo that is not a reference...)."""


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One move of a work order: to which status, when, by whom, and the assignee after it."""

    at: float
    status: WorkOrderStatus
    by: str | None = None
    assignee: str | None = None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "at": self.at,
            "status": self.status.value,
            "by": self.by,
            "assignee": self.assignee,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a persisted dict."""
        return cls(
            at=_as_float(data["at"]),
            status=WorkOrderStatus(data["status"]),
            by=_opt_str(data.get("by")),
            assignee=_opt_str(data.get("assignee")),
            note=_opt_str(data.get("note")),
        )


@dataclass(slots=True)
class WorkOrder:
    """One reported problem and everything done about it."""

    order_id: str
    household_id: str
    category: WorkOrderCategory
    text: str
    created_at: float
    created_by: str | None = None
    photo: str | None = None
    assignee: str | None = None
    status: WorkOrderStatus = WorkOrderStatus.OPEN
    history: list[StatusChange] = field(default_factory=list)

    @property
    def updated_at(self) -> float:
        """Return when the order last changed."""
        return self.history[-1].at if self.history else self.created_at

    @property
    def finished(self) -> bool:
        """Return True when the order is done or cancelled."""
        return self.status in FINISHED

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "order_id": self.order_id,
            "household_id": self.household_id,
            "category": self.category.value,
            "text": self.text,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "photo": self.photo,
            "assignee": self.assignee,
            "status": self.status.value,
            "history": [change.as_dict() for change in self.history],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a persisted dict, checking it is a valid order."""
        order = cls(
            order_id=_as_str(data["order_id"]),
            household_id=_as_str(data["household_id"]),
            category=WorkOrderCategory(data["category"]),
            text=_as_str(data["text"]),
            created_at=_as_float(data["created_at"]),
            created_by=_opt_str(data.get("created_by")),
            photo=_opt_str(data.get("photo")),
            assignee=_opt_str(data.get("assignee")),
            status=WorkOrderStatus(data["status"]),
            history=[StatusChange.from_dict(item) for item in data.get("history", [])],
        )
        validate_content(order.order_id, order.household_id, order.text, order.photo)
        if order.history and order.history[-1].status is not order.status:
            raise ValueError("status does not match the last history entry")
        return order


@dataclass(frozen=True, slots=True)
class CreateResult:
    """What `WorkOrderBook.create` did: the order, and whether it is new."""

    order: WorkOrder
    created: bool


@dataclass(frozen=True, slots=True)
class TodoFields:
    """Plain fields for a to-do list item; the HA layer builds the TodoItem."""

    uid: str
    summary: str
    description: str
    completed: bool
    category: WorkOrderCategory
    status: WorkOrderStatus


def new_order_id() -> str:
    """Return a random work order id (32 hex digits, like link message ids)."""
    return secrets.token_hex(16)


def validate_content(
    order_id: str, household_id: str, text: str, photo: str | None
) -> None:
    """Raise InvalidWorkOrderError when an order's content is not acceptable."""
    if not order_id or len(order_id) > 128:
        raise InvalidWorkOrderError("work_order_bad_id", order_id)
    if not household_id:
        raise InvalidWorkOrderError("work_order_no_household", order_id)
    if not text.strip() or len(text) > MAX_TEXT_LENGTH:
        raise InvalidWorkOrderError("work_order_bad_text", order_id)
    if photo is not None and (
        not isinstance(photo, str)
        or not photo.strip()
        or len(photo) > MAX_PHOTO_REF_LENGTH
        or photo.lstrip().lower().startswith("data:")
    ):
        raise InvalidWorkOrderError("work_order_photo_not_reference", order_id)


class WorkOrderBook:
    """The community's work orders: create (idempotently), move through the lifecycle, persist."""

    def __init__(self) -> None:
        self._orders: dict[str, WorkOrder] = {}

    def get(self, order_id: str) -> WorkOrder:
        """Return the work order with that id."""
        try:
            return self._orders[order_id]
        except KeyError:
            raise WorkOrderNotFoundError(order_id) from None

    def orders(
        self,
        status: WorkOrderStatus | None = None,
        household: str | None = None,
    ) -> list[WorkOrder]:
        """Return the orders, oldest first, optionally of one status and/or household."""
        return sorted(
            (
                order
                for order in self._orders.values()
                if (status is None or order.status is status)
                and (household is None or order.household_id == household)
            ),
            key=lambda order: (order.created_at, order.order_id),
        )

    def purge_finished(self, cutoff: float) -> list[str]:
        """Forget done or cancelled orders last changed before `cutoff`; return their ids.

        The history database keeps them for the retention period.
        """
        gone = sorted(
            order_id
            for order_id, order in self._orders.items()
            if order.finished and order.updated_at < cutoff
        )
        for order_id in gone:
            del self._orders[order_id]
        return gone

    @property
    def unfinished(self) -> list[WorkOrder]:
        """Return the orders that are neither done nor cancelled, oldest first."""
        return [order for order in self.orders() if not order.finished]

    def create(
        self,
        household_id: str,
        category: WorkOrderCategory,
        text: str,
        now: float,
        *,
        by: str | None = None,
        photo: str | None = None,
        order_id: str | None = None,
    ) -> CreateResult:
        """Create an order; an order id already known returns the existing order unchanged."""
        if order_id is not None and order_id in self._orders:
            return CreateResult(self._orders[order_id], created=False)
        if order_id is None:
            order_id = new_order_id()
        validate_content(order_id, household_id, text, photo)
        order = WorkOrder(
            order_id=order_id,
            household_id=household_id,
            category=WorkOrderCategory(category),
            text=text,
            created_at=now,
            created_by=by,
            photo=photo,
        )
        order.history.append(StatusChange(now, WorkOrderStatus.OPEN, by))
        self._orders[order_id] = order
        return CreateResult(order, created=True)

    def transition(
        self,
        order_id: str,
        status: WorkOrderStatus,
        now: float,
        *,
        by: str | None = None,
        assignee: str | None = None,
        note: str | None = None,
    ) -> bool:
        """Move an order to a status; return False when it is already there (a duplicate)."""
        order = self.get(order_id)
        status = WorkOrderStatus(status)
        new_assignee = self._assignee_after(order, status, by, assignee)
        if status is order.status and new_assignee == order.assignee:
            return False
        if status not in TRANSITIONS[order.status]:
            raise InvalidTransitionError(order_id, order.status, status)
        order.status = status
        order.assignee = new_assignee
        order.history.append(StatusChange(now, status, by, new_assignee, note))
        return True

    def take(self, order_id: str, now: float, by: str) -> bool:
        """Staff take the order; they become its assignee."""
        return self.transition(order_id, WorkOrderStatus.TAKEN, now, by=by)

    def assign(self, order_id: str, assignee: str, now: float, by: str | None) -> bool:
        """Assign (or hand over) the order to someone."""
        return self.transition(
            order_id, WorkOrderStatus.ASSIGNED, now, by=by, assignee=assignee
        )

    def start(self, order_id: str, now: float, by: str | None = None) -> bool:
        """Work on the order begins."""
        return self.transition(order_id, WorkOrderStatus.IN_PROGRESS, now, by=by)

    def complete(
        self, order_id: str, now: float, by: str | None = None, note: str | None = None
    ) -> bool:
        """The order is done."""
        return self.transition(order_id, WorkOrderStatus.DONE, now, by=by, note=note)

    def cancel(
        self, order_id: str, now: float, by: str | None = None, note: str | None = None
    ) -> bool:
        """The order is cancelled."""
        return self.transition(
            order_id, WorkOrderStatus.CANCELLED, now, by=by, note=note
        )

    def reopen(
        self, order_id: str, now: float, by: str | None = None, note: str | None = None
    ) -> bool:
        """A done or cancelled order is opened again (its assignee is cleared)."""
        return self.transition(
            order_id, WorkOrderStatus.REOPENED, now, by=by, note=note
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the book as JSON-ready data for storage."""
        return {
            "version": STORAGE_VERSION,
            "orders": [order.as_dict() for order in self.orders()],
        }

    def load(self, data: Mapping[str, Any] | None) -> None:
        """Replace the book's orders with persisted ones."""
        self._orders = {}
        if not data:
            return
        try:
            orders = [WorkOrder.from_dict(item) for item in data["orders"]]
        except (
            AttributeError,
            KeyError,
            TypeError,
            ValueError,
            WorkOrderError,
        ) as err:
            raise CorruptStateError(str(err)) from err
        self._orders = {order.order_id: order for order in orders}

    @staticmethod
    def _assignee_after(
        order: WorkOrder,
        status: WorkOrderStatus,
        by: str | None,
        assignee: str | None,
    ) -> str | None:
        """Return who holds the order after moving to `status`."""
        if status is WorkOrderStatus.TAKEN:
            if not by:
                raise WorkOrderError("work_order_taker_required", order.order_id)
            return by
        if status is WorkOrderStatus.ASSIGNED:
            if not assignee:
                raise WorkOrderError("work_order_assignee_required", order.order_id)
            return assignee
        if status is WorkOrderStatus.REOPENED:
            return None
        return order.assignee


def todo_fields(order: WorkOrder) -> TodoFields:
    """Return an order as plain to-do fields: first line as summary, full text and photo below."""
    first_line = order.text.strip().splitlines()[0].strip()
    if len(first_line) > MAX_SUMMARY_LENGTH:
        first_line = first_line[: MAX_SUMMARY_LENGTH - 1] + "…"
    description = order.text.strip()
    if order.photo:
        description = f"{description}\n\n{order.photo}"
    return TodoFields(
        uid=order.order_id,
        summary=f"{order.household_id}: {first_line}",
        description=description,
        completed=order.finished,
        category=order.category,
        status=order.status,
    )


def _as_str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else _as_str(value)


def _as_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return float(value)
