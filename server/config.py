"""Hub settings from the environment (ROUNDTWO_HUB_*) via pydantic-settings."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core.paths import default_home


def default_hub_dir() -> Path:
    return default_home() / "hub"


class HubSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ROUNDTWO_HUB_", extra="ignore")

    database_url: str = ""
    data_dir: Path | None = None
    access_token_minutes: float = 30.0
    refresh_token_days: float = 180.0
    db_workers: int = 8
    db_pool_size: int = 10
    # None = argon2-cffi's RFC 9106 low-memory profile (3 passes, 64 MiB).
    argon2_time_cost: int | None = None
    argon2_memory_kib: int | None = None

    def resolved_data_dir(self) -> Path:
        return self.data_dir if self.data_dir is not None else default_hub_dir()

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir() / 'hub.db'}"

    def media_dir(self) -> Path:
        return self.resolved_data_dir() / "media"
