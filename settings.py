"""Configuration, entirely from environment variables (prefix ``INFOSHARE_``).

Each field's docstring is its description in the README's configuration table
(`python -m cli.config --update-readme README.md` regenerates it).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOME = Path(".infoshare")
ENV_PREFIX = "INFOSHARE_"

_HOST_PORT = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>\d{1,5})$")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="ignore", use_attribute_docstrings=True
    )

    home: Path = DEFAULT_HOME
    """Where the embedded stack keeps its durable files (Temporal store, SQLite, documents);
    in a deployment, the documents folder shared by the workers and the web form."""
    temporal_address: str = "127.0.0.1:7233"
    """The Temporal frontend (`host:port`) the CLI, worker and web form connect to
    (`up` serves on its port unless `--port`)."""
    temporal_namespace: str = "default"
    """Temporal namespace."""
    task_queue: str = "information-sharing"
    """The worker's task queue."""
    database_url: str = ""
    """SQLAlchemy URL of the application database, e.g.
    `postgresql+psycopg://user:pw@host:5432/infoshare`; empty: `sqlite:///HOME/infoshare.db`."""
    small_volume_threshold: int = Field(default=100, ge=0)
    """8.1: at most this many records, shared other than regularly, go by encrypted email."""
    ui_port: int = Field(default=8233, ge=1, le=65535)
    """The Temporal UI port of `infoshare up`."""
    web_port: int = Field(default=8000, ge=1, le=65535)
    """The caseworkers' web form (`infoshare web`) listens on this port."""
    web_base_url: str = ""
    """Links in emails start with this URL; empty: `http://127.0.0.1:<web_port>`."""
    remind_after_days: float = Field(default=5, gt=0)
    """Overdue approvals and reviews: remind after this many days, then every as many again."""
    escalate_after_days: float = Field(default=10, gt=0)
    """Escalate an overdue approval or review after this many days (PROTOCOL.md 2.9)."""
    smtp_host: str = ""
    """SMTP server for notifications; empty: they stay queued in the database (the outbox)."""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    """SMTP port."""
    smtp_starttls: bool = False
    """Use STARTTLS on the SMTP connection."""
    smtp_username: str = ""
    """SMTP user name (empty: no login)."""
    smtp_password: str = ""
    """SMTP password (a secret)."""
    mail_from: str = "infoshare@phso.example"
    """The sender address of notifications."""
    helphub_email: str = ""
    """The ICT helphub (8.1): told when a transfer method needs ICT's advice."""
    log_format: str = Field(default="console", pattern="^(console|json)$")
    """`console` or `json` (one JSON object a line, for log collectors)."""
    health_port: int = Field(default=8081, ge=0, le=65535)
    """`infoshare worker` serves `/healthz` (alive) and `/readyz` (Temporal and the database
    reachable) on this port; 0: off."""
    metrics_port: int = Field(default=0, ge=0, le=65535)
    """`infoshare worker` serves the Temporal SDK's Prometheus metrics on
    `:PORT/metrics`; 0: off."""
    monitoring_host: str = "0.0.0.0"
    """The address the health and metrics endpoints listen on (`127.0.0.1`: this machine
    only)."""
    otel_enabled: bool = False
    """OpenTelemetry tracing of workflows and activities (needs the `otel` extra); the
    exporter is configured by the standard `OTEL_*` variables, e.g.
    `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_SERVICE_NAME`."""

    @field_validator("temporal_address")
    @classmethod
    def _host_and_port(cls, value: str) -> str:
        match = _HOST_PORT.match(value)
        if match is None or not 1 <= int(match["port"]) <= 65535:
            raise ValueError("must be host:port, e.g. temporal.internal:7233")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value:
            return value
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError:
            raise ValueError(
                "is not a database URL; e.g. postgresql+psycopg://user:pw@host:5432/infoshare"
            ) from None
        if backend not in ("postgresql", "sqlite"):
            raise ValueError(f"must be a PostgreSQL or SQLite URL, not {backend}")
        return value

    @field_validator("monitoring_host")
    @classmethod
    def _listen_host(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_.:-]+", value):
            raise ValueError("must be an IP address or host name, e.g. 0.0.0.0 or 127.0.0.1")
        return value

    @field_validator("metrics_port")
    @classmethod
    def _not_the_health_port(cls, value: int, info: ValidationInfo) -> int:
        if value and value == info.data.get("health_port"):
            raise ValueError(f"must differ from {ENV_PREFIX}HEALTH_PORT (both are {value})")
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'infoshare.db').resolve()}"

    @property
    def resolved_web_base_url(self) -> str:
        return (self.web_base_url or f"http://127.0.0.1:{self.web_port}").rstrip("/")

    @property
    def documents_dir(self) -> Path:
        return self.home / "documents"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
