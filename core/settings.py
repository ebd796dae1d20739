"""One settings object for the API, the worker, the tools and the tests."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "wuyeflow-development-secret-change-me"
DEV_OWNER_KEY_SECRET = "wuyeflow-development-owner-key-change-me"
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
    # Mutual TLS to Temporal's frontend (production): our client certificate, its key, the CA that
    # signed the server's certificate, and the name that certificate carries (deploy/gen-certs.sh).
    temporal_tls_cert: str | None = None
    temporal_tls_key: str | None = None
    temporal_tls_ca: str | None = None
    temporal_tls_server_name: str | None = None
    task_queue: str = "wuyeflow"
    # Custom search attributes (CaseKind, CaseStatus, ...) must be registered on the server
    # first; the time-skipping test server has none, so tests run with this off.
    search_attributes: bool = False
    # Who signs the bearer tokens: "hs256" (our own secret: development and tests) or "oidc" (the
    # city's identity provider, RS256/ES256 against its JWKS). Unset: oidc in production, hs256 elsewhere.
    auth: Literal["hs256", "oidc"] | None = None
    jwt_secret: str = DEV_JWT_SECRET
    jwt_issuer: str = "wuyeflow"
    jwt_ttl_hours: int = 24 * 30
    # The API seals the actor it authenticated into every update and start; the worker refuses
    # an actor without a valid seal, so nobody who reaches Temporal's port can forge one.
    actor_seal_key: str = DEV_ACTOR_SEAL_KEY
    actor_seal_ttl_seconds: int = 600
    # The key an owner's ID number is turned into an owner key with (the number itself is never
    # stored, 个人信息保护法 Art. 6); changing it splits every owner from their imported units.
    owner_key_secret: str = DEV_OWNER_KEY_SECRET
    # Off only where the workflows' clock is not the API's (the time-skipping test server runs
    # months ahead of the wall clock the API seals with).
    actor_seal_check_expiry: bool = True
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    # Where the provider publishes its keys; unset: read from {issuer}/.well-known/openid-configuration.
    oidc_jwks_url: str | None = None
    oidc_algorithms: list[Literal["RS256", "ES256"]] = Field(default=["RS256", "ES256"], min_length=1)
    oidc_max_lifetime_seconds: int = Field(default=3600, ge=60, le=24 * 3600)
    oidc_leeway_seconds: int = Field(default=30, ge=0, le=300)
    oidc_jwks_cache_seconds: int = Field(default=600, ge=10)
    # Claims the actor is read from; a dotted path reaches into an object (Keycloak: realm_access.roles).
    oidc_roles_claim: str = "roles"
    # Only roles with this prefix count (e.g. "wuyeflow:"), the prefix removed; empty: every role code.
    oidc_role_prefix: str = ""
    # {"level": "street", "id": "yidu"}, or "street:yidu", or "city".
    oidc_jurisdiction_claim: str = "jurisdiction"
    oidc_name_claim: str = "name"
    oidc_org_claim: str = "org"
    # A claim with the owner's ID number that the provider has verified (a real-name platform's); when
    # set, an owner's sign-in binds their subject to that number's owner key (the number is not kept).
    # Unset: owners are bound at the counter (PUT /users/{subject}/owner).
    oidc_id_number_claim: str | None = None
    # Requests per period (per bearer token, per client address) for each limited kind of request:
    # decisions and other writes to a case, ticket intake, exports, replays (api/ratelimit.py).
    rate_limit_enabled: bool = True
    rate_limit_period_seconds: float = Field(default=60, gt=0)
    rate_limits: dict[Literal["decision", "intake", "export", "replay"], tuple[int, int]] = Field(default={
        "decision": (60, 600), "intake": (60, 600), "export": (10, 60), "replay": (10, 60),
    })
    # API processes `python -m api.serve` starts (uvicorn's workers); 0: one per CPU the process
    # may run on. Every process keeps its own database pools (db/session.py) and its own
    # in-flight limit; what must hold across them (rate limits, idempotency keys, deactivated
    # users) is kept in the database (README, "Several API processes").
    api_processes: int = Field(default=0, ge=0, le=64)
    # Requests in flight per API process; past it a request waits this long for a slot, then 503.
    max_concurrent_requests: int = Field(default=32, ge=1, le=10_000)
    queue_wait_seconds: float = Field(default=0.5, ge=0, le=30)
    # A deactivated user is refused within this many seconds in every API process.
    users_cache_seconds: float = Field(default=5, ge=0, le=300)
    api_base_url: str = "http://127.0.0.1:8000"
    temporal_ui_url: str = "http://127.0.0.1:8233"
    log_json: bool | None = None
    # A report run by hand answers within this time, or 503 (the run is then given up).
    report_timeout_seconds: int = Field(default=120, ge=1, le=3600)
    # A decision waits this long for the workflow (a worker to take it), then answers 503 + Retry-After;
    # a retry with the same Idempotency-Key finds the same update.
    update_wait_seconds: float = Field(default=30, gt=0, le=600)
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
    def _refuse_unsafe_identity(self) -> Settings:
        if self.env == "production" and self.auth_mode != "oidc":
            raise ValueError("production verifies the identity provider's tokens: WUYEFLOW_AUTH=oidc (or unset)")
        if self.auth_mode == "oidc" and not (self.oidc_issuer and self.oidc_audience):
            raise ValueError("OIDC needs WUYEFLOW_OIDC_ISSUER and WUYEFLOW_OIDC_AUDIENCE")
        # A token signed with a secret that is printed in the README would let anyone decide: the
        # development secret serves a development run only (and there only on loopback, api/auth.py).
        if self.auth_mode == "hs256" and self.env != "development" and (self.jwt_secret == DEV_JWT_SECRET or len(self.jwt_secret) < 32):
            raise ValueError("WUYEFLOW_JWT_SECRET must be set to a secret of at least 32 characters outside development")
        if self.env == "production" and (self.actor_seal_key == DEV_ACTOR_SEAL_KEY or len(self.actor_seal_key) < 32):
            raise ValueError("WUYEFLOW_ACTOR_SEAL_KEY must be set to a key of at least 32 characters in production")
        if self.env == "production" and (self.owner_key_secret == DEV_OWNER_KEY_SECRET or len(self.owner_key_secret) < 32):
            raise ValueError("WUYEFLOW_OWNER_KEY_SECRET must be set to a key of at least 32 characters in production")
        if self.demo_periods and self.env != "development":
            raise ValueError("WUYEFLOW_DEMO_PERIODS is for the local demo only")
        if self.archive_store == "s3" and not self.archive_s3_bucket:
            raise ValueError("WUYEFLOW_ARCHIVE_S3_BUCKET must be set when WUYEFLOW_ARCHIVE_STORE is s3")
        # A history must be archived before Temporal deletes it: the sweep runs many times within retention.
        if self.archive_sweep_minutes * 4 > self.temporal_retention_days * 24 * 60:
            raise ValueError("WUYEFLOW_ARCHIVE_SWEEP_MINUTES must be well below the retention period")
        return self

    @property
    def auth_mode(self) -> Literal["hs256", "oidc"]:
        """How bearer tokens are verified: as configured, else OIDC in production and HS256 elsewhere."""
        return self.auth or ("oidc" if self.env == "production" else "hs256")

    @property
    def dev_secret(self) -> bool:
        """Tokens are signed with the development secret printed in this file."""
        return self.auth_mode == "hs256" and self.jwt_secret == DEV_JWT_SECRET

    @property
    def render_json_logs(self) -> bool:
        """JSON logs everywhere but a developer's console."""
        return self.log_json if self.log_json is not None else self.env == "production"

    @property
    def api_process_count(self) -> int:
        """How many API processes to start: as set, else one per CPU this process may run on."""
        return self.api_processes or max(1, len(os.sched_getaffinity(0)))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
