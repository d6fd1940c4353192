"""The stack the fault campaigns run on: a Temporal dev server on a durable SQLite file,
a PostgreSQL database of the tests' own, a real SMTP server, and `infoshare worker`
subprocesses with the tests' environment (each one killable with kill -9)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import pytest_asyncio
from psycopg import sql
from sqlalchemy.engine import make_url
from temporalio.client import Client

from infoshare.bench.stack import Stack, embedded_stack
from tests.db_fixtures import POSTGRES_ADMIN_URL, _postgres_database
from tests.smtp import SmtpServer, smtp_server

pytestmark = [pytest.mark.devserver, pytest.mark.postgres]


@dataclass
class FaultStack:
    stack: Stack
    client: Client
    database_url: str
    smtp: SmtpServer

    @property
    def database(self) -> str:
        name = make_url(self.database_url).database
        assert name
        return name

    def block_database(self) -> None:
        """No new connections to the database, and every open one closed."""
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            name = sql.Identifier(self.database)
            conn.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(name))
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (self.database,),
            )

    def unblock_database(self) -> None:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(
                sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(
                    sql.Identifier(self.database)
                )
            )


@pytest.fixture(scope="module")
def fault_database() -> Iterator[str]:
    yield from _postgres_database()


@pytest_asyncio.fixture(scope="module")
async def faults(
    fault_database: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FaultStack]:
    from infoshare.database.session import reset_engine
    from infoshare.settings import get_settings

    home: Path = tmp_path_factory.mktemp("faults")
    # embedded_stack points this process at the stack: undone when the module ends
    names = [f"INFOSHARE_{n}" for n in ("HOME", "DATABASE_URL", "TEMPORAL_ADDRESS")]
    saved = {name: os.environ.get(name) for name in names}
    try:
        with smtp_server() as smtp:
            smtp.configure()
            async with embedded_stack(home, fault_database) as stack:
                stack.env.update(INFOSHARE_SMTP_HOST=smtp.host, INFOSHARE_SMTP_PORT=str(smtp.port))
                yield FaultStack(stack, await stack.client(), fault_database, smtp)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
        reset_engine()
