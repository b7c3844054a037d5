"""The history store on SQLite and PostgreSQL: schema, idempotent writes, queries, retention, failures."""

from collections.abc import AsyncIterator
from contextlib import closing
import socket
import sqlite3
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import NoSuchModuleError

from custom_components.smart_community.community import history
from custom_components.smart_community.community.announcements import (
    Announcement,
    Target,
    Urgency,
)
from custom_components.smart_community.community.history import (
    SCHEMA_VERSION,
    AlarmRecord,
    HistoryError,
    HistoryStore,
    ReceiptRecord,
    redact_url,
    sqlite_url,
)
from custom_components.smart_community.community.workorders import (
    StatusChange,
    WorkOrder,
    WorkOrderBook,
    WorkOrderCategory,
    WorkOrderStatus,
)
from custom_components.smart_community.core.alarm import AlarmBook, AlarmKind


@pytest.fixture
async def store(history_url: str) -> AsyncIterator[HistoryStore]:
    """Yield an open store on a fresh database."""
    store = HistoryStore(history_url)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def test_schema_is_created_once_and_versioned(history_url: str) -> None:
    async with HistoryStore(history_url) as store:
        assert store.is_open
        assert store.backend in {"sqlite", "postgresql"}
        assert await store.schema_version() == SCHEMA_VERSION
        await store.open()  # a second open is a no-op
        await store.record_alarm(AlarmRecord("a1", "3-2-1502", "smoke", 10.0))
    assert not store.is_open
    await store.close()  # closing twice is harmless
    async with HistoryStore(history_url) as again:
        assert await again.schema_version() == SCHEMA_VERSION
        assert await again.alarm("a1") is not None


async def test_a_batch_is_one_transaction_merged_in_order(
    store: HistoryStore,
) -> None:
    """record_alarms writes many rows at once, with the same merge rules as one by one."""
    await store.record_alarms([])  # nothing to do
    batch = [
        AlarmRecord(f"b{index}", f"1-1-{101 + index}", "smoke", 10.0 + index)
        for index in range(50)
    ]
    batch.append(
        AlarmRecord(
            "b0", "1-1-101", "smoke", 10.0, acknowledged_at=20.0, acknowledged_by="duty"
        )
    )
    batch.append(AlarmRecord("b0", "1-1-101", "smoke", 10.0))  # a late duplicate
    await store.record_alarms(batch)
    rows = await store.alarms_since(0.0)
    assert len(rows) == 50
    first = await store.alarm("b0")
    assert first is not None
    assert (first.acknowledged_at, first.acknowledged_by) == (20.0, "duty")


async def test_alarm_upsert_is_idempotent_and_never_goes_back(
    store: HistoryStore,
) -> None:
    raised = AlarmRecord("a1", "3-2-1502", "smoke", 100.0, address="3-2-1502, Sunny")
    await store.record_alarm(raised)
    await store.record_alarm(raised)
    acked = AlarmRecord(
        "a1", "3-2-1502", "smoke", 100.0, acknowledged_at=160.0, acknowledged_by="guard"
    )
    await store.record_alarm(acked)
    # A late duplicate of the first message and a second acknowledgement change nothing.
    await store.record_alarm(raised)
    await store.record_alarm(
        AlarmRecord(
            "a1",
            "3-2-1502",
            "smoke",
            100.0,
            acknowledged_at=200.0,
            acknowledged_by="manager",
            escalation_level=2,
        )
    )
    await store.record_alarm(
        AlarmRecord("a1", "3-2-1502", "smoke", 100.0, escalation_level=1)
    )
    assert await store.alarms_since(0.0) == [
        AlarmRecord(
            "a1",
            "3-2-1502",
            "smoke",
            100.0,
            acknowledged_at=160.0,
            acknowledged_by="guard",
            escalation_level=2,
            address="3-2-1502, Sunny",
        )
    ]


async def test_update_alarm_fills_steps_first_report_wins(store: HistoryStore) -> None:
    await store.record_alarm(AlarmRecord("a1", "h1", "sos", 100.0))
    assert await store.update_alarm("a1", acknowledged_at=150.0, acknowledged_by="g")
    assert await store.update_alarm("a1", acknowledged_at=170.0, acknowledged_by="x")
    assert await store.update_alarm(
        "a1", arrived_at=900.0, arrived_by="responder", escalation_level=3
    )
    assert await store.update_alarm("a1", escalation_level=1, address="Building 3")
    assert await store.update_alarm("a1", resolved_at=1000.0, resolved_by="responder")
    assert await store.update_alarm("a1")
    assert not await store.update_alarm("ghost")
    assert not await store.update_alarm("ghost", resolved_at=1.0)
    assert await store.alarm("a1") == AlarmRecord(
        "a1",
        "h1",
        "sos",
        100.0,
        acknowledged_at=150.0,
        acknowledged_by="g",
        arrived_at=900.0,
        arrived_by="responder",
        resolved_at=1000.0,
        resolved_by="responder",
        escalation_level=3,
        address="Building 3",
    )
    assert await store.alarm("ghost") is None


async def test_alarm_queries_and_core_alarms(store: HistoryStore) -> None:
    book = AlarmBook()
    first = book.raise_alarm(AlarmKind.GAS, "binary_sensor.gas", 50.0, alarm_id="g1")
    book.resolve("g1", 80.0, "Mum")
    record = AlarmRecord.from_alarm(first.alarm, "3-2-1502", "Building 3")
    assert record.kind == "gas"
    assert (record.acknowledged_at, record.resolved_by) == (80.0, "Mum")
    await store.record_alarm(record)
    await store.record_alarm(AlarmRecord("b1", "5-1-0302", "leak", 60.0))
    await store.record_alarm(AlarmRecord("c1", "3-2-1502", "sos", 70.0))
    assert [a.alarm_id for a in await store.alarms_since(55.0)] == ["b1", "c1"]
    assert [a.alarm_id for a in await store.alarms_since(0.0, "3-2-1502")] == [
        "g1",
        "c1",
    ]
    assert await store.alarms_since(1000.0) == []


async def test_announcements_and_receipts(store: HistoryStore) -> None:
    notice = Announcement(
        "n1",
        10.0,
        text_zh="明天停水",
        text_en="No water tomorrow",
        urgency=Urgency.URGENT,
        target=Target.buildings(["3", "5"]),
        created_by="manager",
    )
    await store.record_announcement(notice)
    await store.record_announcement(notice)
    assert await store.announcement("n1") == notice
    extended = Announcement(
        "n1",
        10.0,
        text_zh="明天停水",
        urgency=Urgency.EMERGENCY,
        target=Target.everyone(),
        created_by="manager",
        expires_at=500.0,
    )
    await store.record_announcement(extended)
    assert await store.announcement("n1") == extended
    assert await store.announcement("ghost") is None
    assert await store.record_receipt("n1", "3-2-1502", 30.0)
    assert not await store.record_receipt("n1", "3-2-1502", 40.0)
    assert await store.record_receipt("n1", "3-1-0101", 20.0)
    assert await store.announcement_receipts("n1") == [
        ReceiptRecord("n1", "3-1-0101", 20.0),
        ReceiptRecord("n1", "3-2-1502", 30.0),
    ]
    assert await store.announcement_receipts("ghost") == []


async def test_work_orders_with_history(store: HistoryStore) -> None:
    book = WorkOrderBook()
    order = book.create(
        "3-2-1502",
        WorkOrderCategory.REPAIR,
        "Tap leaks",
        10.0,
        by="resident",
        photo="media-source://camera/tap.jpg",
        order_id="wo1",
    ).order
    await store.record_work_order(order)
    stale = order.as_dict()
    book.take("wo1", 20.0, "guard")
    await store.record_work_order(order)
    await store.record_work_order(order)
    # A late copy of the first snapshot must not move the order backwards.
    old = WorkOrderBook()
    old.load({"orders": [stale]})
    await store.record_work_order(old.get("wo1"))
    stored = await store.work_order("wo1")
    assert stored is not None
    assert stored.as_dict() == order.as_dict()
    change = StatusChange(30.0, WorkOrderStatus.IN_PROGRESS, "guard", "guard")
    assert await store.update_work_order("wo1", change)
    assert not await store.update_work_order("wo1", change)
    assert not await store.update_work_order("ghost", change)
    # An older change fills the history without moving the status back.
    earlier = StatusChange(15.0, WorkOrderStatus.ASSIGNED, "m", "plumber")
    assert await store.update_work_order("wo1", earlier)
    stored = await store.work_order("wo1")
    assert stored is not None
    assert stored.status is WorkOrderStatus.IN_PROGRESS
    assert [c.status for c in stored.history] == [
        WorkOrderStatus.OPEN,
        WorkOrderStatus.ASSIGNED,
        WorkOrderStatus.TAKEN,
        WorkOrderStatus.IN_PROGRESS,
    ]
    other = book.create("5-1-0302", WorkOrderCategory.CLEANING, "Bins", 5.0).order
    await store.record_work_order(other)
    assert [o.order_id for o in await store.work_orders()] == [other.order_id, "wo1"]
    assert [o.order_id for o in await store.work_orders(household="3-2-1502")] == [
        "wo1"
    ]
    assert [
        o.order_id for o in await store.work_orders(status=WorkOrderStatus.OPEN)
    ] == [other.order_id]
    assert (
        await store.work_orders(status=WorkOrderStatus.DONE, household="3-2-1502") == []
    )
    assert await store.work_order("ghost") is None
    bare = WorkOrder("bare", "h", WorkOrderCategory.OTHER, "no history", 1.0)
    await store.record_work_order(bare)
    assert await store.work_order("bare") == bare


async def test_purge_keeps_what_is_recent_or_unfinished(store: HistoryStore) -> None:
    await store.record_alarm(AlarmRecord("old", "h", "smoke", 10.0, resolved_at=20.0))
    await store.record_alarm(AlarmRecord("open", "h", "sos", 10.0))
    await store.record_alarm(AlarmRecord("new", "h", "gas", 1500.0, resolved_at=1600.0))
    await store.record_announcement(Announcement("n-old", 10.0, text_en="a"))
    await store.record_announcement(
        Announcement("n-long", 10.0, text_en="b", expires_at=5000.0)
    )
    await store.record_receipt("n-old", "h", 11.0)
    await store.record_receipt("n-long", "h", 12.0)
    await store.record_receipt("n-unknown", "h", 13.0)
    await store.record_receipt("n-unknown-new", "h", 2000.0)
    book = WorkOrderBook()
    done = book.create("h", WorkOrderCategory.REPAIR, "done", 10.0, order_id="w1").order
    book.take("w1", 11.0, "g")
    book.start("w1", 12.0, "g")
    book.complete("w1", 13.0, "g")
    running = book.create("h", WorkOrderCategory.REPAIR, "open", 10.0).order
    for order in (done, running):
        await store.record_work_order(order)
    result = await store.purge(1000.0)
    assert result == history.PurgeResult(
        alarms=1, announcements=1, receipts=2, work_orders=1, work_order_changes=4
    )
    assert [a.alarm_id for a in await store.alarms_since(0.0)] == ["open", "new"]
    assert await store.announcement("n-old") is None
    assert await store.announcement("n-long") is not None
    assert await store.announcement_receipts("n-long") != []
    assert await store.announcement_receipts("n-unknown-new") != []
    assert [o.order_id for o in await store.work_orders()] == [running.order_id]
    assert await store.purge(1000.0) == history.PurgeResult(0, 0, 0, 0, 0)


async def test_database_errors_are_typed(store: HistoryStore) -> None:
    with pytest.raises(HistoryError) as err:
        await store.record_alarm(AlarmRecord("x", None, "smoke", 1.0))  # type: ignore[arg-type]
    assert err.value.key == "database_error"
    # The store is still usable afterwards.
    await store.record_alarm(AlarmRecord("x", "h", "smoke", 1.0))
    assert await store.alarm("x") is not None


async def test_corrupt_rows_are_typed(history_url: str) -> None:
    async with HistoryStore(history_url) as store:
        await store.record_announcement(Announcement("n1", 1.0, text_en="x"))
        order = WorkOrderBook().create("h", WorkOrderCategory.OTHER, "x", 1.0).order
        await store.record_work_order(order)
    engine = sa.create_engine(
        history_url.replace("postgresql://", "postgresql+psycopg://")
    )
    with engine.begin() as conn:
        conn.execute(sa.update(history.work_orders_table).values(status="lost"))
        conn.execute(sa.update(history.announcements_table).values(text_en=None))
    engine.dispose()
    async with HistoryStore(history_url) as store:
        with pytest.raises(HistoryError) as err:
            await store.work_orders()
        assert err.value.key == "corrupt_data"
        with pytest.raises(HistoryError) as err:
            await store.announcement("n1")
        assert err.value.key == "corrupt_data"


async def test_not_open() -> None:
    store = HistoryStore("sqlite://")
    with pytest.raises(HistoryError) as err:
        await store.alarm("a")
    assert err.value.key == "not_open"
    assert store.backend == ""
    await store.open()
    await store.close()
    with pytest.raises(HistoryError, match=r"^not_open$"):
        await store.record_receipt("n", "h", 1.0)


async def test_in_memory_sqlite() -> None:
    async with HistoryStore("sqlite://") as store:
        await store.record_alarm(AlarmRecord("a", "h", "sos", 1.0))
        assert len(await store.alarms_since(0.0)) == 1


async def test_sqlite_file_uses_wal(tmp_path: pytest.TempPathFactory) -> None:
    url = sqlite_url(tmp_path / "nested" / "deeper")  # type: ignore[operator]
    assert url.endswith("/nested/deeper/smart_community.db")
    async with HistoryStore(url) as store:
        await store.record_alarm(AlarmRecord("a", "h", "sos", 1.0))
    path = url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("SELECT count(*) FROM sc_alarms").fetchone() == (1,)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("not a url", "unsupported_url"),
        ("mysql://root@127.0.0.1/test", "unsupported_url"),
        ("postgresql+asyncpg://root@127.0.0.1/test", "unsupported_url"),
        ("postgresql://postgres@127.0.0.1:1/test", "unavailable"),
    ],
)
async def test_open_failures(url: str, key: str) -> None:
    store = HistoryStore(url)
    with pytest.raises(HistoryError) as err:
        await store.open()
    assert err.value.key == key
    assert not store.is_open


async def test_sqlite_path_that_cannot_exist(tmp_path: pytest.TempPathFactory) -> None:
    blocker = tmp_path / "file"  # type: ignore[operator]
    blocker.write_text("not a folder")
    with pytest.raises(HistoryError) as err:
        await HistoryStore(f"sqlite:///{blocker}/db/history.db").open()
    assert err.value.key == "unavailable"
    with pytest.raises(HistoryError) as err:
        await HistoryStore(f"sqlite:///{tmp_path}").open()
    assert err.value.key == "unavailable"


async def test_silent_server_times_out(socket_enabled: None) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        store = HistoryStore(
            f"postgresql://postgres@127.0.0.1:{port}/test", connect_timeout=1
        )
        with pytest.raises(HistoryError) as err:
            await store.open()
    assert err.value.key == "unavailable"


async def test_missing_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_driver(*args: object, **kwargs: object) -> None:
        raise NoSuchModuleError(
            "Can't load plugin: sqlalchemy.dialects:postgresql.psycopg"
        )

    monkeypatch.setattr(history.sa, "create_engine", no_driver)
    with pytest.raises(HistoryError) as err:
        await HistoryStore("postgresql://postgres@127.0.0.1/test").open()
    assert err.value.key == "driver_missing"


async def test_newer_schema_is_refused(history_url: str) -> None:
    async with HistoryStore(history_url) as store:
        assert await store.schema_version() == SCHEMA_VERSION
    engine = sa.create_engine(
        history_url.replace("postgresql://", "postgresql+psycopg://")
    )
    with engine.begin() as conn:
        conn.execute(
            sa.insert(history.schema_version_table).values(version=99, applied_at=0.0)
        )
    engine.dispose()
    with pytest.raises(HistoryError) as err:
        await HistoryStore(history_url).open()
    assert err.value.key == "schema_too_new"


def test_redact_url() -> None:
    assert redact_url("postgresql://sc:secret@db/x") == "postgresql://sc:***@db/x"
    assert redact_url("::") == "<invalid url>"
    assert HistoryStore("postgresql://sc:secret@db/x").url == "postgresql://sc:***@db/x"


@pytest.mark.postgres
async def test_postgres_survives_a_dropped_connection(postgres_url: str) -> None:
    import psycopg

    application = parse_qs(urlsplit(postgres_url).query)["application_name"][0]
    async with HistoryStore(postgres_url) as store:
        await store.record_alarm(AlarmRecord("a", "h", "sos", 1.0))
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s AND pid <> pg_backend_pid()",
                (application,),
            ).fetchall()
        assert killed == [(True,)]
        # The pool notices the dead connection and opens a new one.
        assert await store.alarm("a") is not None
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("DROP TABLE sc_alarms")
        with pytest.raises(HistoryError) as err:
            await store.alarm("a")
        assert err.value.key == "database_error"
