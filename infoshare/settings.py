"""Configuration, entirely from environment variables (prefix ``INFOSHARE_``).

Each field's docstring is its description in the configuration table of
docs/operators/configuration.md
(`python -m infoshare.cli.config --update docs/operators/configuration.md` regenerates it).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from pydantic import Field, SecretStr, ValidationInfo, field_validator
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
    temporal_ui_url: str = ""
    """The Temporal UI that emails and the web form link to; empty:
    `http://<Temporal host>:<ui_port>`."""
    web_port: int = Field(default=8000, ge=1, le=65535)
    """The caseworkers' web form (`infoshare web`) listens on this port."""
    web_base_url: str = ""
    """Links in emails start with this URL; empty: `http://127.0.0.1:<web_port>`."""
    web_host: str = "127.0.0.1"
    """The interface the web form listens on; `0.0.0.0` behind a proxy on another host."""
    web_user_header: str = ""
    """The trusted header naming the signed-in person's email, set by the organisation's
    single sign-on proxy (e.g. `X-Forwarded-Email`); empty: the embedded sign-in page,
    picking a person from the directory (one machine or a demonstration only)."""
    web_secret_key: SecretStr = SecretStr("")
    """Signs the web form's session cookie and CSRF tokens (a secret); empty: generated once
    and kept in `HOME/web-secret-key`."""
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
    outbox_retry_seconds: float = Field(default=60, gt=0)
    """How often the worker sends the emails that stayed queued while the mail server was
    down."""
    helphub_email: str = ""
    """The ICT helphub (8.1): told when a transfer method needs ICT's advice."""
    codec_keys: SecretStr = SecretStr("")
    """Payload encryption keys (AES-256-GCM), `id:base64key,...` (a secret): the active key
    encrypts, the others still decrypt; empty: `HOME/codec-keys.json`, created on first
    use."""
    codec_active_key: str = ""
    """The id of the key that encrypts; empty: the last one listed."""
    codec_pseudonym_key: SecretStr = SecretStr("")
    """Base64 key of the `IspCaseworker` pseudonyms (a secret, never rotated); empty: kept
    in the key file."""
    codec_port: int = Field(default=8090, ge=1, le=65535)
    """The codec server (`infoshare codec-server`, and in `infoshare up`) the Temporal UI
    decodes payloads through."""
    codec_auth_token: SecretStr = SecretStr("")
    """When set (production), the codec server answers only requests carrying
    `Authorization: Bearer <token>` (a secret)."""
    codec_cors_origins: str = ""
    """Browser origins allowed to call the codec server, comma-separated; empty: the
    embedded Temporal UI's own origin."""
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
    def resolved_codec_cors_origins(self) -> list[str]:
        if self.codec_cors_origins.strip():
            return [o.strip().rstrip("/") for o in self.codec_cors_origins.split(",") if o.strip()]
        return [f"http://127.0.0.1:{self.ui_port}", f"http://localhost:{self.ui_port}"]

    @property
    def codec_url(self) -> str:
        return f"http://127.0.0.1:{self.codec_port}"

    @property
    def resolved_temporal_ui_url(self) -> str:
        if self.temporal_ui_url:
            return self.temporal_ui_url.rstrip("/")
        host = self.temporal_address.rpartition(":")[0] or "127.0.0.1"
        return f"http://{host}:{self.ui_port}"

    def workflow_ui_url(self, workflow_id: str) -> str:
        """The Temporal UI page of a proposal."""
        return (
            f"{self.resolved_temporal_ui_url}/namespaces/{quote(self.temporal_namespace)}"
            f"/workflows/{quote(workflow_id)}"
        )

    def proposal_url(self, proposal_id: str) -> str:
        """The web page of a proposal (where people act on it)."""
        return f"{self.resolved_web_base_url}/proposals/{quote(proposal_id)}"

    @property
    def documents_dir(self) -> Path:
        return self.home / "documents"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
