"""Settings: the only place that reads the environment (``WORKTALLY_*``, D7)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from worktally.core.secrets import load_or_create_key_file

DEFAULT_SQLITE_URL = "sqlite:///./worktally.sqlite3"
SECRET_KEY_FILE_NAME = "worktally.secret"


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
    # Where the generated session key lives when WORKTALLY_SECRET_KEY is unset; empty: `worktally.secret` beside
    # the SQLite database, or in the working directory for PostgreSQL (D7).
    secret_key_file: str = ""
    # Request bodies larger than this are refused with 413 before they are read (api/body_limit.py).
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1)
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"  # D20: "json" gives one JSON object per line, with request ids
    db_pool_size: int = 10
    db_echo: bool = False
    # FastAPI's OpenTelemetry hooks (traces, metrics, logs) for a configured OpenTelemetry SDK; off by default,
    # as checking for a provider on every request costs a few percent even when none is configured.
    opentelemetry: bool = False
    # Python's garbage collector tuned for a long-running server once the app has started (ops/collector.py).
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
        """The key for signed cookies: from the environment, else a file created once beside the data (D7).

        Raises ``SecretKeyFileError`` (one line) when the file is open to group or others, or unreadable.
        """
        if self.secret_key:
            return self.secret_key
        return load_or_create_key_file(self.secret_key_path())

    def secret_key_path(self) -> Path:
        if self.secret_key_file:
            return Path(self.secret_key_file)
        if self.is_sqlite:
            database = make_url(self.database_url).database
            if database and database != ":memory:" and not database.startswith("file:"):
                return Path(database).parent / SECRET_KEY_FILE_NAME
        return Path(SECRET_KEY_FILE_NAME)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
