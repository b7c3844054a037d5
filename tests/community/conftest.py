"""Fixtures for the community tests: history databases on SQLite and on a local PostgreSQL."""

from collections.abc import Iterator
import os
from pathlib import Path
import secrets
from urllib.parse import quote

import pytest

# Where the PostgreSQL tests connect; override with SMART_COMMUNITY_TEST_PG (a libpq URL).
PG_ADMIN_URL = os.environ.get(
    "SMART_COMMUNITY_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """Yield a URL whose search_path is a fresh schema; drop the schema afterwards."""
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed")
    try:
        admin = psycopg.connect(PG_ADMIN_URL, connect_timeout=3, autocommit=True)
    except psycopg.OperationalError as err:
        reason = str(err).splitlines()[0]
        pytest.skip(f"no PostgreSQL server answers at {PG_ADMIN_URL}: {reason}")
    schema = f"sc_test_{secrets.token_hex(6)}"
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield (
                f"{PG_ADMIN_URL}?options={quote(f'-csearch_path={schema}')}"
                f"&application_name={schema}"
            )
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def history_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return a fresh history database URL for each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'smart_community.db'}"
    return str(request.getfixturevalue("postgres_url"))
