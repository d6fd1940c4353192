"""Configuration, entirely from environment variables (prefix ``INFOSHARE_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOME = Path(".infoshare")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INFOSHARE_", extra="ignore")

    # Where the embedded stack keeps its durable files (Temporal store, SQLite, documents).
    home: Path = DEFAULT_HOME
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    task_queue: str = "information-sharing"
    # Empty: a SQLite file under `home`.
    database_url: str = ""
    # 8.1: at most this many records, shared other than regularly, go by encrypted email.
    small_volume_threshold: int = Field(default=100, ge=0)
    ui_port: int = Field(default=8233, ge=1, le=65535)
    # Links to a proposal in the Temporal UI, in emails (empty: http://<Temporal host>:<ui_port>).
    temporal_ui_url: str = ""
    # The caseworkers' web form (`infoshare web`); links in emails start with the base URL
    # (empty: http://127.0.0.1:<web_port>).
    web_port: int = Field(default=8000, ge=1, le=65535)
    web_base_url: str = ""
    # Overdue approvals and reviews: remind after this many days, then every as many
    # again; escalate after `escalate_after_days` (PROTOCOL.md 2.9).
    remind_after_days: float = Field(default=5, gt=0)
    escalate_after_days: float = Field(default=10, gt=0)
    # Email: empty host = notifications stay queued in the database (the outbox).
    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    mail_from: str = "infoshare@phso.example"
    # The ICT helphub (8.1): told when a transfer method needs ICT's advice.
    helphub_email: str = ""
    log_format: str = Field(default="console", pattern="^(console|json)$")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'infoshare.db').resolve()}"

    @property
    def resolved_web_base_url(self) -> str:
        return (self.web_base_url or f"http://127.0.0.1:{self.web_port}").rstrip("/")

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
