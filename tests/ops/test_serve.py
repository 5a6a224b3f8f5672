"""``worktally serve`` as operators run it: the connection budget (issue #19), JSON logs and metrics shared by
``--workers N`` (D20)."""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import create_postgres_database, drop_postgres_database, need_service
from tests.ops.test_metrics import value
from tests.platform.processes import cli_env, free_port, run_cli, serving
from worktally.auth.oauth2.engine import sync_engine
from worktally.db.migrate import upgrade
from worktally.ops import budget


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    server = need_service("WORKTALLY_TEST_POSTGRES_URL", "PostgreSQL")
    url, name = create_postgres_database(server, prefix="wt_ops_serve")
    upgrade(url)
    yield url
    drop_postgres_database(server, name)


def _until_both_workers_sampled(http: httpx.Client, pool_size: float) -> None:
    """Until every worker has started and sampled its pools (the shared gauge sums them), at most 30 s: the
    server answers as soon as its first worker is up, and the second may still be starting."""
    deadline = time.monotonic() + 30
    while (
        value(http.get("/metrics", headers={"Connection": "close"}).text, "worktally_db_pool_size", pool="session")
        != pool_size
    ):
        assert time.monotonic() < deadline, "the second worker never sampled its pools"
        time.sleep(0.1)


class TestConnectionBudget:
    def test_the_formula_counts_every_pool_of_a_process(self) -> None:
        assert budget.per_process(10) == 10 + 10 + 10 + 2 * 5
        assert inspect.signature(sync_engine).parameters["pool_size"].default == budget.OAUTH_POOL_SIZE

    def test_a_small_pool_fits(self, postgres_url: str) -> None:
        checked = budget.compute(postgres_url, workers=2, pool_size=2)

        assert checked is not None
        assert checked.total == 2 * (3 * 2 + 10)
        assert checked.max_connections >= 20
        assert checked.fits

    def test_sqlite_has_no_budget(self, tmp_path: Path) -> None:
        assert budget.compute(f"sqlite:///{tmp_path}/x.sqlite3", workers=64, pool_size=10) is None

    @pytest.mark.slow
    def test_serve_refuses_workers_postgresql_cannot_hold_with_the_numbers(
        self, postgres_url: str, tmp_path: Path
    ) -> None:
        env = cli_env(postgres_url, WORKTALLY_DB_POOL_SIZE="10")

        done = run_cli("serve", "--port", str(free_port()), "--workers", "40", env=env, cwd=tmp_path)

        assert done.returncode == 2
        assert done.stdout == ""
        assert (
            "not starting: 40 worker(s) x (10 session pool + 10 overflow + 10 read pool + 10 OAuth2 engine)"
            in done.stderr
        )
        assert "= 1600 connections, but PostgreSQL accepts" in done.stderr
        assert "max_connections" in done.stderr

    @pytest.mark.slow
    def test_serve_starts_workers_that_fit_and_shares_their_metrics(self, postgres_url: str, tmp_path: Path) -> None:
        env = cli_env(postgres_url, WORKTALLY_DB_POOL_SIZE="2", WORKTALLY_LOG_LEVEL="INFO", WORKTALLY_LOG_FORMAT="json")

        with serving(env, tmp_path, workers=2) as server, httpx.Client(base_url=server.base_url) as http:
            _until_both_workers_sampled(http, 2 * 4)
            for _ in range(20):
                http.get("/livez", headers={"Connection": "close"}).raise_for_status()
            scraped = [http.get("/metrics", headers={"Connection": "close"}).text for _ in range(4)]
            tagged = http.get("/readyz", headers={"X-Request-ID": "soak-probe-1", "Connection": "close"})
            log = server.output

        # Whichever worker answers the scrape, it counts both workers' requests (multiprocess mode).
        assert {
            value(text, "worktally_http_requests_total", method="GET", route="/livez", status="200") for text in scraped
        } == {20.0}
        assert all(value(text, "worktally_db_pool_size", pool="session") == 2 * 4 for text in scraped)
        assert tagged.status_code == 200
        assert tagged.headers["x-request-id"] == "soak-probe-1"
        lines = [json.loads(line) for line in log().splitlines() if line.strip()]
        access = [line for line in lines if line.get("request_id") == "soak-probe-1"]
        assert access and access[-1]["route"] == "/readyz" and access[-1]["status"] == 200, access
