"""One settings object for the API, the worker, the tools and the tests."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "wuyeflow-development-secret-change-me"


class Settings(BaseSettings):
    """Validated at start-up; every value can be set with a ``WUYEFLOW_`` variable."""

    model_config = SettingsConfigDict(env_prefix="WUYEFLOW_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = Field(
        default="sqlite+aiosqlite:///.data/wuyeflow.db",
        validation_alias=AliasChoices("DATABASE_URL", "WUYEFLOW_DATABASE_URL"),
    )
    database_echo: bool = False
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    task_queue: str = "wuyeflow"
    # Custom search attributes (CaseKind, CaseStatus, ...) must be registered on the server
    # first; the time-skipping test server has none, so tests run with this off.
    search_attributes: bool = False
    jwt_secret: str = DEV_JWT_SECRET
    jwt_issuer: str = "wuyeflow"
    jwt_ttl_hours: int = 24 * 30
    api_base_url: str = "http://127.0.0.1:8000"
    temporal_ui_url: str = "http://127.0.0.1:8233"
    log_json: bool | None = None
    # `make run` only: compressed calendar periods (public notice in minutes) for the demo.
    demo_periods: bool = False
    # How long Temporal keeps a closed workflow's history (the namespace's retention), set on
    # purpose instead of the server's default of 24 hours. 30 days covers operators' questions
    # about recent cases in the Temporal UI; the proof auditors need for years is our archive
    # (every closed history, compressed, its sha256 in the case's audit chain), not Temporal.
    temporal_retention_days: int = Field(default=30, ge=1, le=3650)
    # Where archived histories are stored: "database" (a table of the application's database),
    # "directory" (files under archive_directory) or "s3" (an S3-compatible bucket through boto3;
    # credentials from the usual AWS variables or instance role, never from these settings).
    archive_store: Literal["database", "directory", "s3"] = "database"
    archive_directory: str = ".data/archive"
    archive_s3_bucket: str | None = None
    archive_s3_prefix: str = "wuyeflow/histories/"
    archive_s3_endpoint_url: str | None = None
    archive_s3_region: str | None = None
    # Archive each history as its workflow closes; the periodic sweep archives whatever that
    # missed (a crash between close and archive), so turning this off only delays archiving.
    archive_on_close: bool = True
    # The sweep's period; it must stay well below temporal_retention_days.
    archive_sweep_minutes: int = Field(default=60, ge=1)

    @model_validator(mode="after")
    def _refuse_unsafe_secret(self) -> "Settings":
        # A token signed with a secret that is printed in the README would let anyone decide.
        if self.env == "production" and (self.jwt_secret == DEV_JWT_SECRET or len(self.jwt_secret) < 32):
            raise ValueError("WUYEFLOW_JWT_SECRET must be set to a secret of at least 32 characters outside development")
        if self.demo_periods and self.env != "development":
            raise ValueError("WUYEFLOW_DEMO_PERIODS is for the local demo only")
        if self.archive_store == "s3" and not self.archive_s3_bucket:
            raise ValueError("WUYEFLOW_ARCHIVE_S3_BUCKET must be set when WUYEFLOW_ARCHIVE_STORE is s3")
        # A history must be archived before Temporal deletes it: the sweep runs many times within retention.
        if self.archive_sweep_minutes * 4 > self.temporal_retention_days * 24 * 60:
            raise ValueError("WUYEFLOW_ARCHIVE_SWEEP_MINUTES must be well below the retention period")
        return self

    @property
    def render_json_logs(self) -> bool:
        """JSON logs everywhere but a developer's console."""
        return self.log_json if self.log_json is not None else self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
