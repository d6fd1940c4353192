"""Configuration, entirely from environment variables (prefix ``INFOSHARE_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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
    log_format: str = Field(default="console", pattern="^(console|json)$")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'infoshare.db').resolve()}"

    @property
    def documents_dir(self) -> Path:
        return self.home / "documents"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
