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
    # sync performance (#7): pushes in progress per process before the hub answers 503 +
    # Retry-After (0 = twice db_workers; negative = no limit)
    push_max_inflight: int = 0
    # None = argon2-cffi's RFC 9106 low-memory profile (3 passes, 64 MiB).
    argon2_time_cost: int | None = None
    argon2_memory_kib: int | None = None
    # automation (#8): e-mail, links, reminders, the job queue
    smtp_host: str = ""  # empty: nothing is sent, jobs wait in the queue
    smtp_port: int = 25
    smtp_sender: str = "RoundTwo <roundtwo@localhost>"
    smtp_timeout_seconds: float = 30.0
    public_base_url: str = "http://127.0.0.1:8000"
    default_language: str = "zh"
    default_timezone: str = "Asia/Shanghai"
    reminder_delay_hours: float = 24.0
    escalation_delay_hours: float = 24.0  # after the reminder
    automation_poll_seconds: float = 1.0
    queue_lease_seconds: float = 120.0
    queue_max_attempts: int = 8
    queue_backoff_seconds: float = 30.0
    invitation_window_days: int = 14
    compliance_profile: str = "strict"  # its consent notice goes into invitations
    what_to_bring_zh: str = "身份证件、学历证书原件、近期作品或项目资料（如有）"
    what_to_bring_en: str = "Photo ID, original degree certificates, recent work samples if any"

    def resolved_data_dir(self) -> Path:
        return self.data_dir if self.data_dir is not None else default_hub_dir()

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir() / 'hub.db'}"

    def media_dir(self) -> Path:
        return self.resolved_data_dir() / "media"
