"""The duty room's history (alarms, announcements, work orders) in SQLite or PostgreSQL.

Pure Python: no Home Assistant import. SQLAlchemy Core on a synchronous engine; every
database call runs on one dedicated worker thread, so the event loop never blocks and SQLite
sees a single writer. Writes are idempotent by business id (a message delivered twice leaves
one row) and never move an alarm or work order backwards:

- an alarm's acknowledged/arrived/resolved time and who did it are kept from the first report;
  the escalation level only climbs;
- a work order row only takes a snapshot at least as new as the one it holds; its status
  changes are unique by (order, time, status).

URLs: ``sqlite:///path/to/smart_community.db`` (WAL mode; the folder is created) or
``postgresql://user:password@host/db`` (psycopg 3). Failures raise :class:`HistoryError`
with a stable ``key``; connection and statement timeouts keep a dead server from hanging us.
"""

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
import math
from pathlib import Path
import time
from typing import Any, Final, Self

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)

from ..core.alarm import Alarm
from .announcements import Announcement, AnnouncementError, Target, TargetKind, Urgency
from .workorders import (
    FINISHED,
    StatusChange,
    WorkOrder,
    WorkOrderCategory,
    WorkOrderStatus,
)

SCHEMA_VERSION: Final = 1
DEFAULT_SQLITE_NAME: Final = "smart_community.db"
_ID: Final = 128

metadata: Final = sa.MetaData()

schema_version_table: Final = sa.Table(
    "sc_schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", sa.Double, nullable=False),
)

alarms_table: Final = sa.Table(
    "sc_alarms",
    metadata,
    sa.Column("alarm_id", sa.String(_ID), primary_key=True),
    sa.Column("household_id", sa.String(_ID), nullable=False, index=True),
    sa.Column("kind", sa.String(_ID), nullable=False),
    sa.Column("raised_at", sa.Double, nullable=False, index=True),
    sa.Column("acknowledged_at", sa.Double),
    sa.Column("acknowledged_by", sa.Text),
    sa.Column("arrived_at", sa.Double),
    sa.Column("arrived_by", sa.Text),
    sa.Column("resolved_at", sa.Double),
    sa.Column("resolved_by", sa.Text),
    sa.Column("escalation_level", sa.Integer, nullable=False, default=0),
    sa.Column("address", sa.Text),
)

announcements_table: Final = sa.Table(
    "sc_announcements",
    metadata,
    sa.Column("announcement_id", sa.String(_ID), primary_key=True),
    sa.Column("created_at", sa.Double, nullable=False, index=True),
    sa.Column("created_by", sa.Text),
    sa.Column("text_zh", sa.Text),
    sa.Column("text_en", sa.Text),
    sa.Column("urgency", sa.String(32), nullable=False),
    sa.Column("target_kind", sa.String(32), nullable=False),
    sa.Column("target_ids", sa.JSON, nullable=False),
    sa.Column("expires_at", sa.Double),
)

receipts_table: Final = sa.Table(
    "sc_announcement_receipts",
    metadata,
    sa.Column("announcement_id", sa.String(_ID), primary_key=True),
    sa.Column("household_id", sa.String(_ID), primary_key=True),
    sa.Column("at", sa.Double, nullable=False),
)

work_orders_table: Final = sa.Table(
    "sc_work_orders",
    metadata,
    sa.Column("order_id", sa.String(_ID), primary_key=True),
    sa.Column("household_id", sa.String(_ID), nullable=False, index=True),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("photo", sa.Text),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("created_by", sa.Text),
    sa.Column("assignee", sa.Text),
    sa.Column("status", sa.String(32), nullable=False, index=True),
    sa.Column("updated_at", sa.Double, nullable=False),
)

changes_table: Final = sa.Table(
    "sc_work_order_changes",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("order_id", sa.String(_ID), nullable=False),
    sa.Column("at", sa.Double, nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("by", sa.Text),
    sa.Column("assignee", sa.Text),
    sa.Column("note", sa.Text),
    sa.UniqueConstraint("order_id", "at", "status", name="sc_work_order_change_key"),
)


class HistoryError(Exception):
    """The history database failed; `key` is a stable translation key."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail


@dataclass(frozen=True, slots=True)
class AlarmRecord:
    """One alarm as the duty room saw it."""

    alarm_id: str
    household_id: str
    kind: str
    raised_at: float
    acknowledged_at: float | None = None
    acknowledged_by: str | None = None
    arrived_at: float | None = None
    arrived_by: str | None = None
    resolved_at: float | None = None
    resolved_by: str | None = None
    escalation_level: int = 0
    address: str | None = None

    @classmethod
    def from_alarm(
        cls, alarm: Alarm, household_id: str, address: str | None = None
    ) -> Self:
        """Build from a core alarm as the duty room's board holds it."""
        return cls(
            alarm_id=alarm.alarm_id,
            household_id=household_id,
            kind=str(alarm.kind),
            raised_at=alarm.raised_at,
            acknowledged_at=alarm.acknowledged_at,
            acknowledged_by=alarm.acknowledged_by,
            arrived_at=alarm.arrived_at,
            arrived_by=alarm.arrived_by,
            resolved_at=alarm.resolved_at,
            resolved_by=alarm.resolved_by,
            escalation_level=alarm.escalation_level,
            address=address,
        )


@dataclass(frozen=True, slots=True)
class ReceiptRecord:
    """A household confirmed an announcement at a time."""

    announcement_id: str
    household_id: str
    at: float


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """How many rows a retention purge deleted."""

    alarms: int
    announcements: int
    receipts: int
    work_orders: int
    work_order_changes: int


def sqlite_url(directory: str | Path, name: str = DEFAULT_SQLITE_NAME) -> str:
    """Return the default SQLite URL for a file in a folder (e.g. HA's config folder)."""
    return f"sqlite:///{Path(directory) / name}"


def redact_url(url: str) -> str:
    """Return the URL with its password hidden, for logs and diagnostics."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid url>"


type _Insert = sqlite.Insert | postgresql.Insert


class HistoryStore:
    """The history database; open() before use, close() when done."""

    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float = 10.0,
        statement_timeout: float = 30.0,
    ) -> None:
        self._url = url
        self._connect_timeout = connect_timeout
        self._statement_timeout = statement_timeout
        self._engine: Engine | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._dialect = ""

    @property
    def url(self) -> str:
        """Return the database URL with the password hidden."""
        return redact_url(self._url)

    @property
    def backend(self) -> str:
        """Return "sqlite" or "postgresql" once open, else an empty string."""
        return self._dialect

    @property
    def is_open(self) -> bool:
        """Return True between a successful open() and close()."""
        return self._engine is not None

    async def __aenter__(self) -> Self:
        """Open the store."""
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Close the store."""
        await self.close()

    async def open(self) -> None:
        """Connect and create or check the schema; raise HistoryError on failure."""
        if self._engine is not None:
            return
        executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="smart_community_history"
        )
        loop = asyncio.get_running_loop()
        try:
            engine = await loop.run_in_executor(executor, self._connect)
        except BaseException as err:
            executor.shutdown(wait=True)
            if isinstance(err, SQLAlchemyError):
                raise _history_error(err) from err
            raise
        self._engine = engine
        self._executor = executor
        self._dialect = engine.dialect.name

    async def close(self) -> None:
        """Release connections and the worker thread; safe to call twice."""
        engine, executor = self._engine, self._executor
        self._engine = None
        self._executor = None
        if engine is None or executor is None:
            return
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(executor, engine.dispose)
        finally:
            executor.shutdown(wait=True)

    async def schema_version(self) -> int:
        """Return the schema version recorded in the database."""

        def run(conn: Connection) -> int:
            return int(
                conn.execute(
                    sa.select(sa.func.max(schema_version_table.c.version))
                ).scalar_one()
            )

        return await self._run(run)

    # Alarms

    async def record_alarm(self, record: AlarmRecord) -> None:
        """Insert an alarm, or merge it into the row with the same id."""
        await self.record_alarms([record])

    async def record_alarms(self, records: Sequence[AlarmRecord]) -> None:
        """Insert or merge several alarms in one transaction (in order)."""
        if not records:
            return
        values = [_alarm_values(record) for record in records]

        def run(conn: Connection) -> None:
            stmt = self._insert(alarms_table)
            table = alarms_table.c
            new = stmt.excluded
            merged: dict[str, Any] = {
                "address": sa.func.coalesce(new.address, table.address),
                "escalation_level": sa.case(
                    (
                        new.escalation_level > table.escalation_level,
                        new.escalation_level,
                    ),
                    else_=table.escalation_level,
                ),
            }
            for step in ("acknowledged", "arrived", "resolved"):
                at, by = table[f"{step}_at"], table[f"{step}_by"]
                merged[f"{step}_at"] = sa.func.coalesce(at, new[f"{step}_at"])
                merged[f"{step}_by"] = sa.case(
                    (at.is_(None), new[f"{step}_by"]), else_=by
                )
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[alarms_table.c.alarm_id], set_=merged
                ),
                values,
            )

        await self._run(run, write=True)

    async def update_alarm(
        self,
        alarm_id: str,
        *,
        acknowledged_at: float | None = None,
        acknowledged_by: str | None = None,
        arrived_at: float | None = None,
        arrived_by: str | None = None,
        resolved_at: float | None = None,
        resolved_by: str | None = None,
        escalation_level: int | None = None,
        address: str | None = None,
    ) -> bool:
        """Fill in the steps given (first report wins); return False for an unknown alarm."""
        table = alarms_table.c
        changes: dict[str, Any] = {}
        for step, at, by in (
            ("acknowledged", acknowledged_at, acknowledged_by),
            ("arrived", arrived_at, arrived_by),
            ("resolved", resolved_at, resolved_by),
        ):
            if at is None:
                continue
            column = table[f"{step}_at"]
            changes[f"{step}_at"] = sa.func.coalesce(column, at)
            changes[f"{step}_by"] = sa.case(
                (column.is_(None), sa.literal(by, sa.Text)),
                else_=table[f"{step}_by"],
            )
        if escalation_level is not None:
            changes["escalation_level"] = sa.case(
                (table.escalation_level < escalation_level, escalation_level),
                else_=table.escalation_level,
            )
        if address is not None:
            changes["address"] = address

        def run(conn: Connection) -> bool:
            where = table.alarm_id == alarm_id
            if not changes:
                found = conn.execute(sa.select(table.alarm_id).where(where)).first()
                return found is not None
            result = conn.execute(sa.update(alarms_table).where(where).values(changes))
            return result.rowcount > 0

        return await self._run(run, write=True)

    async def alarm(self, alarm_id: str) -> AlarmRecord | None:
        """Return one alarm, or None."""

        def run(conn: Connection) -> AlarmRecord | None:
            row = conn.execute(
                sa.select(alarms_table).where(alarms_table.c.alarm_id == alarm_id)
            ).first()
            return None if row is None else _alarm_record(row._mapping)

        return await self._run(run)

    async def alarms_since(
        self, since: float, household: str | None = None
    ) -> list[AlarmRecord]:
        """Return the alarms raised at or after `since`, oldest first."""

        def run(conn: Connection) -> list[AlarmRecord]:
            query = sa.select(alarms_table).where(alarms_table.c.raised_at >= since)
            if household is not None:
                query = query.where(alarms_table.c.household_id == household)
            query = query.order_by(alarms_table.c.raised_at, alarms_table.c.alarm_id)
            return [_alarm_record(row._mapping) for row in conn.execute(query)]

        return await self._run(run)

    # Announcements

    async def record_announcement(self, announcement: Announcement) -> None:
        """Insert an announcement, or update its texts, urgency, targets and expiry."""
        values = {
            "announcement_id": announcement.announcement_id,
            "created_at": announcement.created_at,
            "created_by": announcement.created_by,
            "text_zh": announcement.text_zh,
            "text_en": announcement.text_en,
            "urgency": announcement.urgency.value,
            "target_kind": announcement.target.kind.value,
            "target_ids": sorted(announcement.target.ids),
            "expires_at": announcement.expires_at,
        }

        def run(conn: Connection) -> None:
            stmt = self._insert(announcements_table).values(values)
            new = stmt.excluded
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[announcements_table.c.announcement_id],
                    set_={
                        name: new[name]
                        for name in (
                            "text_zh",
                            "text_en",
                            "urgency",
                            "target_kind",
                            "target_ids",
                            "expires_at",
                        )
                    },
                )
            )

        await self._run(run, write=True)

    async def announcement(self, announcement_id: str) -> Announcement | None:
        """Return one announcement, or None."""

        def run(conn: Connection) -> Announcement | None:
            row = conn.execute(
                sa.select(announcements_table).where(
                    announcements_table.c.announcement_id == announcement_id
                )
            ).first()
            return None if row is None else _announcement(row._mapping)

        return await self._run(run)

    async def record_receipt(
        self, announcement_id: str, household_id: str, at: float
    ) -> bool:
        """Record a receipt; return False when that household's receipt was already there."""

        def run(conn: Connection) -> bool:
            stmt = self._insert(receipts_table).values(
                announcement_id=announcement_id, household_id=household_id, at=at
            )
            inserted = conn.execute(
                stmt.on_conflict_do_nothing().returning(receipts_table.c.at)
            ).first()
            return inserted is not None

        return await self._run(run, write=True)

    async def announcement_receipts(self, announcement_id: str) -> list[ReceiptRecord]:
        """Return the receipts of an announcement, earliest first."""

        def run(conn: Connection) -> list[ReceiptRecord]:
            rows = conn.execute(
                sa.select(receipts_table)
                .where(receipts_table.c.announcement_id == announcement_id)
                .order_by(receipts_table.c.at, receipts_table.c.household_id)
            )
            return [
                ReceiptRecord(row.announcement_id, row.household_id, row.at)
                for row in rows
            ]

        return await self._run(run)

    # Work orders

    async def record_work_order(self, order: WorkOrder) -> None:
        """Insert a work order with its status history, or bring the stored one up to date."""
        values = {
            "order_id": order.order_id,
            "household_id": order.household_id,
            "category": order.category.value,
            "text": order.text,
            "photo": order.photo,
            "created_at": order.created_at,
            "created_by": order.created_by,
            "assignee": order.assignee,
            "status": order.status.value,
            "updated_at": order.updated_at,
        }
        changes = [_change_values(order.order_id, change) for change in order.history]

        def run(conn: Connection) -> None:
            stmt = self._insert(work_orders_table).values(values)
            new = stmt.excluded
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[work_orders_table.c.order_id],
                    set_={
                        name: new[name]
                        for name in (
                            "category",
                            "text",
                            "photo",
                            "assignee",
                            "status",
                            "updated_at",
                        )
                    },
                    where=new.updated_at >= work_orders_table.c.updated_at,
                )
            )
            if changes:
                conn.execute(
                    self._insert(changes_table).on_conflict_do_nothing(
                        index_elements=["order_id", "at", "status"]
                    ),
                    changes,
                )

        await self._run(run, write=True)

    async def update_work_order(self, order_id: str, change: StatusChange) -> bool:
        """Add one status change to a stored order; return False if unknown or already there."""

        def run(conn: Connection) -> bool:
            table = work_orders_table.c
            exists = conn.execute(
                sa.select(table.order_id).where(table.order_id == order_id)
            ).first()
            if exists is None:
                return False
            inserted = conn.execute(
                self._insert(changes_table)
                .values(_change_values(order_id, change))
                .on_conflict_do_nothing(index_elements=["order_id", "at", "status"])
                .returning(changes_table.c.seq)
            ).first()
            if inserted is None:
                return False
            conn.execute(
                sa.update(work_orders_table)
                .where(table.order_id == order_id, table.updated_at <= change.at)
                .values(
                    status=change.status.value,
                    assignee=change.assignee,
                    updated_at=change.at,
                )
            )
            return True

        return await self._run(run, write=True)

    async def work_order(self, order_id: str) -> WorkOrder | None:
        """Return one work order with its status history, or None."""
        found = await self._work_orders(work_orders_table.c.order_id == order_id)
        return found[0] if found else None

    async def work_orders(
        self,
        status: WorkOrderStatus | None = None,
        household: str | None = None,
    ) -> list[WorkOrder]:
        """Return work orders, oldest first, optionally of one status and/or household."""
        conditions: list[sa.ColumnElement[bool]] = []
        if status is not None:
            conditions.append(
                work_orders_table.c.status == WorkOrderStatus(status).value
            )
        if household is not None:
            conditions.append(work_orders_table.c.household_id == household)
        return await self._work_orders(*conditions)

    async def _work_orders(
        self, *conditions: sa.ColumnElement[bool]
    ) -> list[WorkOrder]:
        """Return the work orders matching all conditions, with their histories."""

        def run(conn: Connection) -> list[WorkOrder]:
            table = work_orders_table.c
            rows = conn.execute(
                sa.select(work_orders_table)
                .where(*conditions)
                .order_by(table.created_at, table.order_id)
            ).all()
            history: dict[str, list[StatusChange]] = {}
            ids = [row.order_id for row in rows]
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                for change in conn.execute(
                    sa.select(changes_table)
                    .where(changes_table.c.order_id.in_(chunk))
                    .order_by(changes_table.c.at, changes_table.c.seq)
                ):
                    history.setdefault(change.order_id, []).append(
                        StatusChange(
                            at=change.at,
                            status=WorkOrderStatus(change.status),
                            by=change.by,
                            assignee=change.assignee,
                            note=change.note,
                        )
                    )
            return [
                WorkOrder(
                    order_id=row.order_id,
                    household_id=row.household_id,
                    category=WorkOrderCategory(row.category),
                    text=row.text,
                    created_at=row.created_at,
                    created_by=row.created_by,
                    photo=row.photo,
                    assignee=row.assignee,
                    status=WorkOrderStatus(row.status),
                    history=history.get(row.order_id, []),
                )
                for row in rows
            ]

        return await self._run(run)

    # Retention

    async def purge(self, older_than: float) -> PurgeResult:
        """Delete what ended before `older_than`: resolved alarms, expired announcements, finished orders."""

        def run(conn: Connection) -> PurgeResult:
            alarms = alarms_table.c
            deleted_alarms = conn.execute(
                sa.delete(alarms_table).where(
                    alarms.raised_at < older_than, alarms.resolved_at.is_not(None)
                )
            ).rowcount
            ann = announcements_table.c
            old_announcements = sa.select(ann.announcement_id).where(
                sa.func.coalesce(ann.expires_at, ann.created_at) < older_than
            )
            receipts = receipts_table.c
            deleted_receipts = conn.execute(
                sa.delete(receipts_table).where(
                    receipts.announcement_id.in_(old_announcements)
                )
            ).rowcount
            deleted_announcements = conn.execute(
                sa.delete(announcements_table).where(
                    sa.func.coalesce(ann.expires_at, ann.created_at) < older_than
                )
            ).rowcount
            deleted_receipts += conn.execute(
                sa.delete(receipts_table).where(
                    receipts.at < older_than,
                    receipts.announcement_id.not_in(sa.select(ann.announcement_id)),
                )
            ).rowcount
            orders = work_orders_table.c
            finished = [status.value for status in FINISHED]
            old_orders = sa.select(orders.order_id).where(
                orders.updated_at < older_than, orders.status.in_(finished)
            )
            deleted_changes = conn.execute(
                sa.delete(changes_table).where(changes_table.c.order_id.in_(old_orders))
            ).rowcount
            deleted_orders = conn.execute(
                sa.delete(work_orders_table).where(
                    orders.updated_at < older_than, orders.status.in_(finished)
                )
            ).rowcount
            return PurgeResult(
                alarms=deleted_alarms,
                announcements=deleted_announcements,
                receipts=deleted_receipts,
                work_orders=deleted_orders,
                work_order_changes=deleted_changes,
            )

        return await self._run(run, write=True)

    # Plumbing

    def _insert(self, table: sa.Table) -> _Insert:
        """Return the dialect's INSERT, which knows ON CONFLICT."""
        if self._dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    async def _run[T](
        self, work: Callable[[Connection], T], *, write: bool = False
    ) -> T:
        """Run `work` in a transaction (write) or a connection on the worker thread."""
        engine, executor = self._engine, self._executor
        if engine is None or executor is None:
            raise HistoryError("not_open")

        def call() -> T:
            with engine.begin() if write else engine.connect() as conn:
                return work(conn)

        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(executor, call)
        except SQLAlchemyError as err:
            raise _history_error(err) from err
        except (AnnouncementError, TypeError, ValueError) as err:
            raise HistoryError("corrupt_data", str(err)) from err

    def _connect(self) -> Engine:
        """Create the engine and the schema (worker thread)."""
        try:
            url = make_url(self._url)
        except ArgumentError as err:
            raise HistoryError("unsupported_url", redact_url(self._url)) from err
        backend, _, driver = url.drivername.partition("+")
        if backend == "sqlite" and driver in ("", "pysqlite"):
            engine = self._sqlite_engine(url)
        elif backend in ("postgresql", "postgres") and driver in ("", "psycopg"):
            engine = self._postgresql_engine(url)
        else:
            raise HistoryError("unsupported_url", url.drivername)
        try:
            with engine.begin() as conn:
                _create_schema(conn)
        except BaseException:
            engine.dispose()
            raise
        return engine

    def _sqlite_engine(self, url: sa.URL) -> Engine:
        """Return a SQLite engine in WAL mode, creating the database's folder."""
        database = url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            try:
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise HistoryError("unavailable", str(err)) from err
        engine = sa.create_engine(
            url.set(drivername="sqlite+pysqlite"),
            connect_args={"timeout": self._statement_timeout},
        )

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            finally:
                cursor.close()

        return engine

    def _postgresql_engine(self, url: sa.URL) -> Engine:
        """Return a PostgreSQL engine on psycopg 3 with connect and statement timeouts."""
        try:
            engine = sa.create_engine(
                url.set(drivername="postgresql+psycopg"),
                pool_pre_ping=True,
                pool_size=1,
                max_overflow=1,
                connect_args={
                    "connect_timeout": max(2, math.ceil(self._connect_timeout))
                },
            )
        except (ImportError, NoSuchModuleError) as err:
            raise HistoryError("driver_missing", "psycopg") from err
        timeout_ms = max(1, round(self._statement_timeout * 1000))

        @sa.event.listens_for(engine, "connect")
        def _timeouts(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute(f"SET statement_timeout = {timeout_ms}")
                cursor.execute(f"SET lock_timeout = {timeout_ms}")
            finally:
                cursor.close()
            dbapi_connection.commit()

        return engine


def _create_schema(conn: Connection) -> None:
    """Create missing tables and record or check the schema version."""
    metadata.create_all(conn)
    current = conn.execute(
        sa.select(sa.func.max(schema_version_table.c.version))
    ).scalar()
    if current is None:
        conn.execute(
            sa.insert(schema_version_table).values(
                version=SCHEMA_VERSION,
                applied_at=time.time(),
            )
        )
    elif current > SCHEMA_VERSION:
        raise HistoryError("schema_too_new", str(current))


def _history_error(err: SQLAlchemyError) -> HistoryError:
    """Map a SQLAlchemy error to a HistoryError with a stable key."""
    if isinstance(err, OperationalError | InterfaceError):
        return HistoryError("unavailable", str(err.orig or err).splitlines()[0])
    return HistoryError("database_error", type(err).__name__)


def _alarm_values(record: AlarmRecord) -> dict[str, Any]:
    """Return the alarm's column values."""
    return {
        "alarm_id": record.alarm_id,
        "household_id": record.household_id,
        "kind": record.kind,
        "raised_at": record.raised_at,
        "acknowledged_at": record.acknowledged_at,
        "acknowledged_by": record.acknowledged_by,
        "arrived_at": record.arrived_at,
        "arrived_by": record.arrived_by,
        "resolved_at": record.resolved_at,
        "resolved_by": record.resolved_by,
        "escalation_level": record.escalation_level,
        "address": record.address,
    }


def _alarm_record(row: sa.RowMapping) -> AlarmRecord:
    """Return an AlarmRecord from a row."""
    return AlarmRecord(
        **{column.name: row[column.name] for column in alarms_table.columns}
    )


def _announcement(row: sa.RowMapping) -> Announcement:
    """Return an Announcement from a row."""
    return Announcement(
        announcement_id=row["announcement_id"],
        created_at=row["created_at"],
        text_zh=row["text_zh"],
        text_en=row["text_en"],
        urgency=Urgency(row["urgency"]),
        target=Target(TargetKind(row["target_kind"]), frozenset(row["target_ids"])),
        created_by=row["created_by"],
        expires_at=row["expires_at"],
    )


def _change_values(order_id: str, change: StatusChange) -> dict[str, Any]:
    """Return a status change's column values."""
    return {
        "order_id": order_id,
        "at": change.at,
        "status": change.status.value,
        "by": change.by,
        "assignee": change.assignee,
        "note": change.note,
    }
