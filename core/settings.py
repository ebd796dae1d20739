"""One settings object for the API, the worker, the tools and the tests."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "wuyeflow-development-secret-change-me"
DEV_ACTOR_SEAL_KEY = "wuyeflow-development-actor-seal-change-me"


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
    # The API seals the actor it authenticated into every update and start; the worker refuses
    # an actor without a valid seal, so nobody who reaches Temporal's port can forge one.
    actor_seal_key: str = DEV_ACTOR_SEAL_KEY
    actor_seal_ttl_seconds: int = 600
    # Off only where the workflows' clock is not the API's (the time-skipping test server runs
    # months ahead of the wall clock the API seals with).
    actor_seal_check_expiry: bool = True
    api_base_url: str = "http://127.0.0.1:8000"
    temporal_ui_url: str = "http://127.0.0.1:8233"
    log_json: bool | None = None
    # `make run` only: compressed calendar periods (public notice in minutes) for the demo.
    demo_periods: bool = False

    @model_validator(mode="after")
    def _refuse_unsafe_secret(self) -> "Settings":
        # A token signed with a secret that is printed in the README would let anyone decide.
        if self.env == "production" and (self.jwt_secret == DEV_JWT_SECRET or len(self.jwt_secret) < 32):
            raise ValueError("WUYEFLOW_JWT_SECRET must be set to a secret of at least 32 characters outside development")
        if self.env == "production" and (self.actor_seal_key == DEV_ACTOR_SEAL_KEY or len(self.actor_seal_key) < 32):
            raise ValueError("WUYEFLOW_ACTOR_SEAL_KEY must be set to a key of at least 32 characters in production")
        if self.demo_periods and self.env != "development":
            raise ValueError("WUYEFLOW_DEMO_PERIODS is for the local demo only")
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
