"""Logging for every process (API, ``worktally worker``, the CLI), set up once: D20.

Secrets never reach a log line, at any level, by construction rather than by care at each call site:

- engines are made with ``hide_parameters=True`` (``db/session.py``, the OAuth2 engine), so SQLAlchemy
  never renders a statement's parameters (webhook secrets, password hashes) into its messages;
- the loggers that print secret values at DEBUG (Authlib's "Issue token {...}", SQLAlchemy's result rows)
  have their arguments replaced by their type names below INFO (``QUIET_LOGGERS``), at any level;
- a log-record factory scrubs every record as it is made, on every logger and whatever handler (pytest's,
  uvicorn's, an operator's) later receives it: known token prefixes, webhook secrets, argon2 hashes,
  ``key=value`` / ``"key": "value"`` pairs of secret-named keys, ``Bearer``/``Basic`` credentials and any
  long random-looking string (authorization codes) become ``[REDACTED]``; an invitation link is kept whole, since
  without SMTP the log is how it reaches the invitee (D12).

``WORKTALLY_LOG_FORMAT=json`` gives one JSON object per line: time, level, logger, message, the request's
``request_id`` (a context variable set by the HTTP middleware, ``ops/http.py``) and the record's extra
fields (method, route, status, duration_ms, user_id, workspace_id, event_id, ...).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

REQUEST_ID: ContextVar[str | None] = ContextVar("worktally_request_id", default=None)

REDACTED = "[REDACTED]"

# Where api/deps.py leaves the caller's ids for the request's log line (the ASGI scope's state).
LOG_USER_ID = "log_user_id"
LOG_WORKSPACE_ID = "log_workspace_id"

# Loggers that write secret values at DEBUG: Authlib logs each issued token dict ("Issue token %r to %r"),
# SQLAlchemy's engine its result rows (a webhook's secret, a password hash). Below INFO their arguments are
# shown by type only ("Issue token <dict> to <Client>"), whatever the configured level.
# aiosqlite logs each statement it executes with its parameters at DEBUG.
QUIET_LOGGERS = (
    "authlib",
    "sqlalchemy.engine",
    "sqlalchemy.orm",
    "aiosqlite",
    "asyncpg",
    "psycopg",
    "httpcore",
    "hpack",
)

_SECRET_KEYS = (
    "access_token|refresh_token|id_token|token|client_secret|secret|secret_key|password|password_hash|"
    "new_password|current_password|code|code_verifier|authorization|cookie|set-cookie|csrf_token|api_key"
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Our own token kinds (auth/tokens.py, oauth2/clients.py) and Standard Webhooks secrets.
    (re.compile(r"\b(wtp|wta|wtr|wts|whsec)_[A-Za-z0-9_\-+/=]+"), r"\1_" + REDACTED),
    (re.compile(r"\$argon2(?:id|i|d)\$(?:v=\d+\$)?(?:[a-z]=\d+,?)*\$?[A-Za-z0-9+/=$]*"), "$argon2" + REDACTED),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]+"), r"\1 " + REDACTED),
    (
        re.compile(
            r"(?i)(?<![A-Za-z0-9_])([\"']?(?:" + _SECRET_KEYS + r")[\"']?\s*[:=]\s*)([\"']?)(?![\"']|\[REDACTED\])"
            r"[^\s\"'&,;)}\]]+"
        ),
        r"\1\2" + REDACTED,
    ),
)
# A whole run only; an invitation link stays whole: without SMTP the log is how it reaches the invitee (D12).
_RUN = re.compile(r"(?<![A-Za-z0-9_\-])(?<!/accept-invitation/)[A-Za-z0-9_\-]{40,}")


def _random_looking(match: re.Match[str]) -> str:
    """A long run of letters and digits in both cases (a code, a URL-safe token) is taken for a secret.

    Hex (request ids, event ids, token hashes) has no upper case and is kept, as are identifiers without digits.
    """
    run = match.group(0)
    if any(c.isupper() for c in run) and any(c.islower() for c in run) and any(c.isdigit() for c in run):
        return REDACTED
    return run


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return _RUN.sub(_random_looking, text)


class _Scrubbed:
    """An argument whose rendering (``%s`` or ``%r``) needed redaction, standing in for it."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


_PLAIN = (int, float, bool, type(None))


def _scrub_arg(value: Any) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, str):
        return redact(value)
    rendered = repr(value)
    cleaned = redact(rendered)
    if cleaned == rendered and redact(str(value)) == str(value):
        return value
    return _Scrubbed(cleaned)


def scrub(record: logging.LogRecord) -> None:
    """Redact ``record`` in place: its message, arguments, exception text and stack."""
    if record.levelno < logging.INFO and record.args and record.name.startswith(QUIET_LOGGERS):
        quiet_args = record.args
        if isinstance(quiet_args, tuple):
            record.args = tuple(a if isinstance(a, _PLAIN) else _Scrubbed(f"<{type(a).__name__}>") for a in quiet_args)
        else:
            record.args = ()
            record.msg = str(record.msg)
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: logging reports it when formatting
        return
    cleaned = redact(message)
    if cleaned != message:
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(_scrub_arg(a) for a in args)
        elif isinstance(args, dict):
            record.args = {k: _scrub_arg(v) for k, v in args.items()}
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        try:
            still = record.getMessage()
        except Exception:
            still = ""
        if redact(still) != still or not still:  # keep the arguments' shape when that suffices, else flatten
            record.msg, record.args = cleaned, ()
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    for key, value in record.__dict__.items():
        if key not in _STANDARD and isinstance(value, str):
            record.__dict__[key] = redact(value)


_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "rid",
}


class _RecordFactory:
    """Wraps the current log-record factory: every record is scrubbed and carries the request id."""

    def __init__(self, previous: Any) -> None:
        self.previous = previous

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.previous(*args, **kwargs)
        record.request_id = REQUEST_ID.get()
        scrub(record)
        return record


class RedactingFilter(logging.Filter):
    """For handlers: scrubs again what extra fields or a late ``exc_info`` may have brought in."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        scrub(record)
        return True


def install_redaction() -> None:
    """Idempotent: installs the scrubbing record factory. ``create_app`` and ``configure_logging`` call it."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _RecordFactory):
        logging.setLogRecordFactory(_RecordFactory(factory))


class JsonFormatter(logging.Formatter):
    """One JSON object per line; extra fields of the record are kept, and all of it is already scrubbed."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                payload[key] = value if isinstance(value, (*_PLAIN, str)) else redact(str(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self.formatException(record.exc_info))
        if record.exc_text:
            payload["exception"] = record.exc_text
        if record.stack_info:
            payload["stack"] = record.stack_info
        return json.dumps(payload, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(rid)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.rid = f" [{request_id}]" if request_id else ""
        return super().format(record)


def configure_logging(level: str = "INFO", fmt: str = "text", stream: Any = None) -> None:
    """The process's logging: one handler on stderr (text or JSON), redaction installed; uvicorn's loggers
    propagate to it instead of keeping handlers of their own. Safe to call more than once."""
    install_redaction()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt.lower() == "json" else TextFormatter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    uvicorn_access = logging.getLogger("uvicorn.access")  # worktally.access is the access log (ops/http.py)
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate = False
    logging.getLogger("alembic").setLevel(logging.WARNING)
    install_redaction()
