"""To-do lists of work orders: the community's desk and each household's own orders."""

from datetime import datetime

from homeassistant.components.todo import (
    TodoItem,
    TodoItemStatus,
    TodoListEntity,
    TodoListEntityFeature,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .community.entity import CommunityEntity
from .community.workorders import (
    WorkOrder,
    WorkOrderCategory,
    WorkOrderError,
    WorkOrderStatus,
    todo_fields,
)
from .const import DOMAIN
from .entity import HouseholdEntity
from .household.runtime import AlarmUpdate
from .models import SmartCommunityConfigEntry

PARALLEL_UPDATES = 1

WORK_ORDERS = EntityDescription(key="work_orders", translation_key="work_orders")


def _item(order: WorkOrder) -> TodoItem:
    fields = todo_fields(order)
    return TodoItem(
        uid=fields.uid,
        summary=fields.summary,
        description=f"[{fields.status.value}] {fields.description}",
        status=TodoItemStatus.COMPLETED
        if fields.completed
        else TodoItemStatus.NEEDS_ACTION,
        completed=_when(order.updated_at) if fields.completed else None,
    )


def _when(timestamp: float) -> datetime:
    return dt_util.utc_from_timestamp(timestamp)


def _error(err: WorkOrderError) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=err.key,
        translation_placeholders={"work_order_id": err.order_id},
    )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartCommunityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the work-order list of the household or of the community."""
    if entry.runtime_data.household is not None:
        async_add_entities([HouseholdWorkOrders(entry, WORK_ORDERS)])
        return
    community = entry.runtime_data.community
    assert community is not None
    async_add_entities([CommunityWorkOrders(community, WORK_ORDERS)])


class CommunityWorkOrders(CommunityEntity, TodoListEntity):
    """Every household's work orders; staff complete or cancel them here."""

    _attr_supported_features = (
        TodoListEntityFeature.UPDATE_TODO_ITEM | TodoListEntityFeature.DELETE_TODO_ITEM
    )

    @property
    def todo_items(self) -> list[TodoItem]:
        """Return the unfinished orders, then the finished ones."""
        orders = self.community.desk.work_orders.orders()
        return [
            _item(order)
            for order in sorted(orders, key=lambda o: (o.finished, o.created_at))
        ]

    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Complete or reopen an order from the list."""
        assert item.uid is not None
        status = (
            WorkOrderStatus.DONE
            if item.status == TodoItemStatus.COMPLETED
            else WorkOrderStatus.REOPENED
        )
        by = await self.community.async_user_name(self._context)
        try:
            order = self.community.desk.work_orders.get(item.uid)
            if (
                status is WorkOrderStatus.DONE
                and order.status is not WorkOrderStatus.IN_PROGRESS
            ):
                # Ticking an order off from the list means it was worked on and is done.
                if order.status in (WorkOrderStatus.OPEN, WorkOrderStatus.REOPENED):
                    await self.community.async_update_work_order(
                        item.uid, WorkOrderStatus.TAKEN, by=by
                    )
                await self.community.async_update_work_order(
                    item.uid, WorkOrderStatus.IN_PROGRESS, by=by
                )
            await self.community.async_update_work_order(item.uid, status, by=by)
        except WorkOrderError as err:
            raise _error(err) from err

    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Cancel orders."""
        by = await self.community.async_user_name(self._context)
        for uid in uids:
            try:
                await self.community.async_update_work_order(
                    uid, WorkOrderStatus.CANCELLED, by=by
                )
            except WorkOrderError as err:
                raise _error(err) from err


class HouseholdWorkOrders(HouseholdEntity, TodoListEntity):
    """The household's own work orders; adding an item files a new order."""

    _attr_supported_features = (
        TodoListEntityFeature.CREATE_TODO_ITEM | TodoListEntityFeature.DELETE_TODO_ITEM
    )

    def __init__(
        self, entry: SmartCommunityConfigEntry, description: EntityDescription
    ) -> None:
        household = entry.runtime_data.household
        assert household is not None
        super().__init__(household, description)
        self._entry = entry

    @callback
    def _handle_update(self, update: AlarmUpdate) -> None:
        """Alarms do not change the work-order list."""

    @property
    def todo_items(self) -> list[TodoItem]:
        """Return the household's orders."""
        orders = self.household.desk.work_orders.orders()
        return [
            _item(order)
            for order in sorted(orders, key=lambda o: (o.finished, o.created_at))
        ]

    async def async_create_todo_item(self, item: TodoItem) -> None:
        """File a new work order with the property."""
        text = "\n".join(part for part in (item.summary, item.description) if part)
        await self.hass.services.async_call(
            DOMAIN,
            "file_work_order",
            {
                "config_entry_id": self._entry.entry_id,
                "category": WorkOrderCategory.OTHER.value,
                "text": text,
            },
            blocking=True,
            context=self._context,
        )

    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Withdraw orders: the property is told."""
        link = self._entry.runtime_data.link
        for uid in uids:
            try:
                self.household.desk.work_orders.cancel(
                    uid, dt_util.utcnow().timestamp(), by="family"
                )
            except WorkOrderError as err:
                raise _error(err) from err
            if link is not None:
                await link.async_cancel_work_order(uid)
        await self.household.desk.async_save()
        self.household.async_desk_changed()
