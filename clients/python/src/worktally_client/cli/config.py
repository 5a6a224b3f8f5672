"""Where ``wt`` keeps its sign-in: ``$XDG_CONFIG_HOME/worktally/config.json`` (else ``~/.config``), mode 0600;
``WORKTALLY_URL``, ``WORKTALLY_TOKEN`` and ``WORKTALLY_WORKSPACE`` override it."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "worktally" / "config.json"


@dataclass
class Config:
    url: str | None = None
    token: str | None = None
    workspace_id: int | None = None
    user_id: int | None = None

    @classmethod
    def load(cls) -> Config:
        path = config_path()
        stored = json.loads(path.read_text()) if path.exists() else {}
        config = cls(**{k: v for k, v in stored.items() if k in cls.__dataclass_fields__})
        config.url = os.environ.get("WORKTALLY_URL") or config.url
        config.token = os.environ.get("WORKTALLY_TOKEN") or config.token
        if os.environ.get("WORKTALLY_WORKSPACE"):
            config.workspace_id = int(os.environ["WORKTALLY_WORKSPACE"])
        return config

    def save(self) -> Path:
        path = config_path()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others
        with os.fdopen(fd, "w") as handle:
            json.dump(asdict(self), handle, indent=2)
        os.chmod(path, 0o600)
        return path
