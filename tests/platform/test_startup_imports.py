"""Issue #14: what a server loads before anyone asks for it. The MCP SDK is imported on the first request to
``/mcp`` (``worktally/mcp_server.py``), not when the app is made: a server no assistant talks to never holds it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_PROBE = """
import sys
from worktally.config import Settings
from worktally.main import create_app
create_app(Settings(database_url="sqlite:///unused.db", secret_key="probe"))
print(" ".join(sorted(m for m in ("mcp", "worktally_client.mcp_tools") if m in sys.modules)) or "none")
"""


def test_making_the_app_does_not_import_the_mcp_sdk(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=tmp_path, capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip().splitlines()[-1] == "none", out.stdout + out.stderr
