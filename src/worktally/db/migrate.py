"""Apply Alembic migrations from code (``worktally serve`` and the tests do this)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

_ROOT = Path(__file__).resolve().parents[3]
_PACKAGED = Path(__file__).resolve().parents[1] / "migrations"  # in an installed wheel (pyproject.toml)


def alembic_config(database_url: str) -> Config:
    ini = _ROOT / "alembic.ini"
    config = Config(str(ini)) if ini.exists() else Config()
    scripts = _ROOT / "migrations" if (_ROOT / "migrations" / "env.py").exists() else _PACKAGED
    config.set_main_option("script_location", str(scripts))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")
