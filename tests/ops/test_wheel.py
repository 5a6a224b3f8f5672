"""Issue #19: ``make dist`` builds an sdist and a wheel; the wheel, installed into a fresh virtualenv with no
source tree, runs ``worktally demo`` and ``worktally serve`` with every template, static file and migration."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.platform.processes import free_port

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
UV = REPO / ".tools" / "bin" / "uv"
PACKAGE_DATA = ("templates", "static")


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def data_files() -> set[str]:
    """Every template and static file of the source tree, as a path inside the package."""
    source = REPO / "src"
    return {
        str(path.relative_to(source))
        for path in source.rglob("*")
        if path.is_file() and any(part in PACKAGE_DATA for part in path.parts) and "__pycache__" not in path.parts
    }


def clean_env(tmp: Path, **extra: str) -> dict[str, str]:
    """No PYTHONPATH, no source tree in reach: only the virtualenv's own."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "LANG": "C.UTF-8"}
    env.update(extra)
    return env


def test_the_wheel_installs_and_serves_without_the_source_tree(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run("make", "dist", f"DIST={dist}", cwd=REPO)
    wheels, sdists = list(dist.glob("*.whl")), list(dist.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = set(wheel.namelist())
    assert data_files() <= names, f"missing from the wheel: {sorted(data_files() - names)}"
    assert "worktally/migrations/env.py" in names
    with tarfile.open(sdists[0]) as sdist:
        assert not [n for n in sdist.getnames() if n.endswith(("worktally.secret", ".sqlite3"))]

    venv = tmp_path / "venv"
    run(UV, "venv", "-q", venv, "--python", sys.executable, cwd=tmp_path)
    locked = tmp_path / "requirements.txt"
    run(UV, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-header", "-q", "-o", locked, cwd=REPO)
    run(UV, "pip", "install", "-q", "--python", venv / "bin" / "python", "-r", locked, wheels[0], cwd=tmp_path)
    site = run(
        venv / "bin" / "python",
        "-c",
        "import worktally, os; print(os.path.dirname(worktally.__file__))",
        cwd=tmp_path,
        env=clean_env(tmp_path),
    )
    installed = Path(site.strip())
    assert not installed.is_relative_to(REPO)
    for relative in data_files():
        assert (installed.parent / relative).is_file(), relative

    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home, WORKTALLY_DATABASE_URL=f"sqlite:///{home}/worktally.sqlite3", WORKTALLY_LOG_LEVEL="WARNING")
    demo = run(venv / "bin" / "worktally", "demo", cwd=home, env=env)
    assert '"token": "wtp_' in demo

    port = free_port()
    log = home / "serve.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [venv / "bin" / "worktally", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=home,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/livez", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        sign_in = httpx.get(f"{base}/sign-in", timeout=10)
        ready = httpx.get(f"{base}/readyz", timeout=10)
        assert sign_in.status_code == 200
        assert 'name="csrf_token"' in sign_in.text
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["migrations"] == "ok"
        for link in set(re.findall(r'(?:href|src)="(/[^"]*\.(?:css|js|svg|png|ico|woff2?))"', sign_in.text)):
            assert httpx.get(f"{base}{link}", timeout=10).status_code == 200, link  # the page's own assets
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)
