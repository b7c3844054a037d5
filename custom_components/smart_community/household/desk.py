"""A household's desk: the announcements it received and its work orders with the property."""

from collections import deque
from dataclasses import dataclass
from typing import Any

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..community.workorders import (
    StatusChange,
    WorkOrder,
    WorkOrderBook,
    WorkOrderCategory,
    WorkOrderStatus,
)
from ..const import DOMAIN, LOGGER, STORAGE_VERSION
from ..core.alarm import CorruptStateError
from ..core.phrases import Language
from .responder import Responder

MAX_ANNOUNCEMENTS = 20


@dataclass(frozen=True, slots=True)
class ReceivedAnnouncement:
    """An announcement as the household received it."""

    announcement_id: str
    title: str
    message: str
    urgency: str
    received_at: float


class HouseholdDesk:
    """Announcements received and work orders filed, persisted per household entry."""

    def __init__(
        self, hass: HomeAssistant, entry_id: str, responder: Responder
    ) -> None:
        self.hass = hass
        self.responder = responder
        self.work_orders = WorkOrderBook()
        self.announcements: deque[ReceivedAnnouncement] = deque(
            maxlen=MAX_ANNOUNCEMENTS
        )
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.desk"
        )

    async def async_load(self) -> None:
        """Load the household's work orders and announcements."""
        data = await self._store.async_load() or {}
        try:
            self.work_orders.load(data.get("work_orders"))
        except CorruptStateError:
            LOGGER.exception("Stored work orders could not be read")
        for item in data.get("announcements", []):
            try:
                self.announcements.append(ReceivedAnnouncement(**item))
            except TypeError:
                LOGGER.warning("Skipping an unreadable stored announcement")

    async def async_save(self) -> None:
        """Persist the desk."""
        await self._store.async_save(
            {
                "work_orders": self.work_orders.as_dict(),
                "announcements": [
                    {
                        "announcement_id": a.announcement_id,
                        "title": a.title,
                        "message": a.message,
                        "urgency": a.urgency,
                        "received_at": a.received_at,
                    }
                    for a in self.announcements
                ],
            }
        )

    def file(
        self,
        household_id: str,
        category: WorkOrderCategory,
        text: str,
        by: str | None,
        photo: str | None,
    ) -> WorkOrder:
        """Create the household's copy of a new work order (raises WorkOrderError)."""
        return self.work_orders.create(
            household_id,
            category,
            text,
            dt_util.utcnow().timestamp(),
            by=by,
            photo=photo,
        ).order

    async def async_announce(
        self, body: dict[str, Any], language: Language
    ) -> ReceivedAnnouncement | None:
        """Show, speak and push an announcement once; return None for a repeat."""
        announcement_id = body["announcement_id"]
        if any(a.announcement_id == announcement_id for a in self.announcements):
            return None
        preferred = (
            body.get("message_zh")
            if language is Language.ZH_HANS
            else body.get("message_en")
        )
        message = (
            preferred
            or body.get("message_zh")
            or body.get("message_en")
            or body["message"]
        )
        received = ReceivedAnnouncement(
            announcement_id=announcement_id,
            title=body["title"],
            message=message,
            urgency=str(body.get("priority", "normal")),
            received_at=dt_util.utcnow().timestamp(),
        )
        self.announcements.append(received)
        await self.async_save()
        persistent_notification.async_create(
            self.hass,
            message,
            title=received.title,
            notification_id=f"{DOMAIN}_{announcement_id}",
        )
        await self.responder.async_announcement(
            received.title, message, urgent=received.urgency != "normal"
        )
        return received

    async def async_apply_update(self, body: dict[str, Any]) -> WorkOrder | None:
        """Mirror the property's status change of one of the household's orders."""
        order_id = body["work_order_id"]
        if order_id not in {order.order_id for order in self.work_orders.orders()}:
            LOGGER.warning("The property updated unknown work order %s", order_id)
            return None
        try:
            status = WorkOrderStatus(body["status"])
        except ValueError:
            LOGGER.warning("Unknown work order status %s", body["status"])
            return None
        order = self.work_orders.get(order_id)
        # The property is authoritative: mirror its state even if a step was missed.
        order.status = status
        order.assignee = body.get("assignee") or order.assignee
        order.history.append(
            StatusChange(
                dt_util.utcnow().timestamp(),
                status,
                body.get("by") or None,
                order.assignee,
                body.get("note"),
            )
        )
        await self.async_save()
        return order
