"""Run the Alembic migrations from Python, from any working directory.

from infoshare.database.migrate import upgrade
upgrade()                      # the configured database, to the latest revision
upgrade("postgresql+psycopg://postgres@127.0.0.1:5432/infoshare")
"""

from __future__ import annotations

from pathlib import Path

import structlog
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from infoshare.database.session import make_engine
from infoshare.settings import get_settings

PACKAGE_DIR = Path(__file__).resolve().parent
INI_PATH = PACKAGE_DIR / "alembic.ini"
SCRIPT_DIR = PACKAGE_DIR / "migrations"

log = structlog.get_logger()


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration for `url` (default: the configured database)."""
    config = Config(str(INI_PATH)) if INI_PATH.exists() else Config()
    config.set_main_option("script_location", str(SCRIPT_DIR))
    config.attributes["url"] = url or get_settings().resolved_database_url
    # Leave the application's logging alone.
    config.attributes["configure_logger"] = False
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Migrate the database up to `revision` (default: the latest)."""
    config = alembic_config(url)
    command.upgrade(config, revision)
    log.info("database.upgraded", revision=revision)


def downgrade(url: str | None, revision: str) -> None:
    """Migrate the database down to `revision` (``"base"``: drop every table)."""
    config = alembic_config(url)
    command.downgrade(config, revision)
    log.info("database.downgraded", revision=revision)


def head_revision() -> str | None:
    """The latest revision in the migration scripts."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(url: str | None = None) -> str | None:
    """The revision the database is at (None: not migrated)."""
    engine = make_engine(url or get_settings().resolved_database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
