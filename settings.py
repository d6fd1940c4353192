"""Configuration, entirely from environment variables (prefix ``INFOSHARE_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from pydantic import Field, SecretStr
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
    # The Temporal UI that emails and the web form link to (empty:
    # http://<Temporal host>:<ui_port>).
    temporal_ui_url: str = ""
    # The caseworkers' web form (`infoshare web`); links in emails start with the base URL
    # (empty: http://127.0.0.1:<web_port>).
    web_port: int = Field(default=8000, ge=1, le=65535)
    web_base_url: str = ""
    # The interface the web form listens on; 0.0.0.0 behind a proxy on another host.
    web_host: str = "127.0.0.1"
    # The trusted header naming the signed-in person's email, set by the organisation's
    # single sign-on proxy (e.g. X-Forwarded-Email). Empty: the embedded sign-in page,
    # picking a person from the directory (for one machine or a demonstration only).
    web_user_header: str = ""
    # Signs the session cookie and its CSRF token. Empty: generated once and kept in
    # HOME/web-secret-key, so sessions survive a restart.
    web_secret_key: SecretStr = SecretStr("")
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
    # Payload encryption (AES-256-GCM): `id:base64key,...`; the active key encrypts, the
    # others still decrypt. Empty: a key file under `home`, created on first use.
    codec_keys: SecretStr = SecretStr("")
    codec_active_key: str = ""
    # Keyed pseudonyms in search attributes (IspCaseworker), base64; empty: the key file.
    codec_pseudonym_key: SecretStr = SecretStr("")
    # The codec server the Temporal UI decodes payloads through. With a token set
    # (production), /encode and /decode need `Authorization: Bearer <token>`.
    codec_port: int = Field(default=8081, ge=1, le=65535)
    codec_auth_token: SecretStr = SecretStr("")
    # Browser origins allowed to call the codec server (comma-separated); empty: the
    # embedded Temporal UI's own origin.
    codec_cors_origins: str = ""
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
