"""The property's desk: history in a database, response figures, announcements, work orders."""

import asyncio
from collections.abc import Callable
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER, STORAGE_VERSION
from ..core.alarm import Alarm, CorruptStateError
from .announcements import AnnouncementBook
from .history import AlarmRecord, HistoryError, HistoryStore
from .stats import ResponseReport, response_report
from .workorders import WorkOrder, WorkOrderBook

DAY = 86400.0
DESK_KEEP_DAYS = 30.0


class CommunityDesk:
    """Everything the duty room keeps besides the live alarm board."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        history_url: str,
        on_change: Callable[[], None],
    ) -> None:
        self.hass = hass
        self.history = HistoryStore(history_url)
        self._on_change = on_change
        self._pending: dict[str, tuple[Alarm, str | None]] = {}
        self._writer: asyncio.Task[None] | None = None
        self.announcements = AnnouncementBook()
        self.work_orders = WorkOrderBook()
        self.report: ResponseReport | None = None
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.desk"
        )

    async def async_open(self, now: float) -> None:
        """Open the database (raises HistoryError) and load announcements and orders."""
        await self.history.open()
        data = await self._store.async_load() or {}
        try:
            self.announcements.load(data.get("announcements"))
            self.work_orders.load(data.get("work_orders"))
        except CorruptStateError:
            LOGGER.exception("Stored announcements or work orders could not be read")
        await self.async_refresh_report(now)

    async def async_close(self) -> None:
        """Write what is still queued, then close the database."""
        if self._writer is not None:
            await self._writer
        await self.history.close()

    def queue_alarm(self, alarm: Alarm, address: str | None) -> None:
        """Queue an alarm's state for the history; one writer drains the queue in batches."""
        self._pending[alarm.alarm_id] = (alarm, address)
        if self._writer is None or self._writer.done():
            self._writer = self.hass.async_create_background_task(
                self._async_write(), f"{DOMAIN} history writer"
            )

    async def _async_write(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, {}
            await self._async_record_alarms(
                [
                    AlarmRecord.from_alarm(alarm, alarm.source, address)
                    for alarm, address in batch.values()
                ]
            )
            await self.async_refresh_report(dt_util.utcnow().timestamp())
            self._on_change()

    async def async_save(self) -> None:
        """Persist announcements and work orders."""
        await self._store.async_save(
            {
                "announcements": self.announcements.as_dict(),
                "work_orders": self.work_orders.as_dict(),
            }
        )

    async def _async_record_alarms(self, records: list[AlarmRecord]) -> None:
        """Write alarms in one transaction; a database outage is logged."""
        try:
            await self.history.record_alarms(records)
        except HistoryError as err:
            LOGGER.error(
                "Could not record alarm(s) %s in the history: %s",
                ", ".join(record.alarm_id for record in records[:5]),
                err,
            )

    async def async_record_work_order(self, order: WorkOrder) -> None:
        """Write a work order to the history; a database outage is logged."""
        try:
            await self.history.record_work_order(order)
        except HistoryError as err:
            LOGGER.error("Could not record work order %s: %s", order.order_id, err)

    async def async_refresh_report(self, now: float) -> None:
        """Recompute the rolling 30-day response figures from the history."""
        try:
            alarms = await self.history.alarms_since(now - 30 * DAY)
        except HistoryError as err:
            LOGGER.error("Could not read the alarm history: %s", err)
            return
        self.report = response_report(alarms, now)

    async def async_purge(self, now: float, retention_days: float) -> None:
        """Delete finished records older than the retention period.

        The working copies (announcements, finished work orders) keep at most
        DESK_KEEP_DAYS; the database keeps everything for the retention period.
        """
        cutoff = now - min(DESK_KEEP_DAYS, retention_days) * DAY
        announcements = self.announcements.purge_older(cutoff)
        orders = self.work_orders.purge_finished(cutoff)
        if announcements or orders:
            LOGGER.debug(
                "Desk: forgot %d announcements and %d finished work orders",
                len(announcements),
                len(orders),
            )
            await self.async_save()
        try:
            result = await self.history.purge(now - retention_days * DAY)
        except HistoryError as err:
            LOGGER.error("Could not purge the history: %s", err)
            return
        LOGGER.debug("History purge: %s", result)
