"""Settings: the only place that reads the environment (``WORKTALLY_*``, D7)."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_URL = "sqlite:///./worktally.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WORKTALLY_", extra="ignore")

    database_url: str = DEFAULT_SQLITE_URL
    redis_url: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    rate_limit_per_minute: int = Field(default=60, ge=1)
    smtp_url: str | None = None
    smtp_from: str = "Worktally <no-reply@worktally.local>"
    webhooks_allow_private_targets: bool = False
    # In-process webhook delivery; turn off when `worktally worker` processes deliver instead.
    webhooks_inprocess_worker: bool = True
    webhooks_timeout_seconds: float = 10.0
    secret_key: str = ""
    secret_key_file: str = "./worktally.secret"
    log_level: str = "INFO"
    db_pool_size: int = 10
    db_echo: bool = False
    # FastAPI's OpenTelemetry hooks (traces, metrics, logs) for a configured OpenTelemetry SDK; off by default,
    # as checking for a provider on every request costs a few percent even when none is configured.
    opentelemetry: bool = False
    # Garbage collection tuned for a long-running server, once the app has started (main.py): the process's
    # long-lived objects (modules, models, the app) leave the collector's generations (gc.freeze), so its full
    # passes walk only what requests allocate, and the young generation is collected every 10,000 allocations
    # instead of 700 (a request allocates hundreds). Measured in bench/: ~40 % of a month's tracked-hours report's
    # Python time went to full passes, and the hot reads gain 3-5 points of the bare endpoint's throughput.
    gc_tuned: bool = True
    # D18: how long the answer to a write sent with an Idempotency-Key is kept (and replayed).
    idempotency_ttl_hours: int = Field(default=24, ge=1)
    # D19: how long the changes feed keeps a change; an older cursor answers 410.
    changes_retention_days: int = Field(default=30, ge=1)

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def resolved_secret_key(self) -> str:
        """The key for signed cookies: from the environment, else a file created once beside the data."""
        if self.secret_key:
            return self.secret_key
        path = Path(self.secret_key_file)
        if path.exists():
            return path.read_text().strip()
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
