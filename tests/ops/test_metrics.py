"""D20: ``GET /metrics`` in Prometheus' text format, without workspace data or user ids."""

from __future__ import annotations

import re

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import make_settings
from tests.factories import Tenants
from tests.platform.processes import free_port
from tests.webhook.conftest import Isolated
from tests.webhook.helpers import create_webhook, emit
from worktally.main import create_app


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


class TestMetrics:
    async def test_counts_requests_by_method_route_template_and_status(
        self, client: httpx.AsyncClient, tenants: Tenants
    ) -> None:
        ws = await tenants.workspace()
        route = "/api/v2/projects/{project_id}"
        before = await client.get("/metrics")

        for missing in (10**9, 10**9 + 1):
            response = await ws.owner.api.get(f"/projects/{missing}")
            assert response.status_code == 404
            assert response.json()["error"] == "project_not_found"
        after = await client.get("/metrics")

        assert after.status_code == 200
        assert after.headers["content-type"].startswith("text/plain; version=0.0.4")
        labels = {"method": "GET", "route": route, "status": "404"}
        assert (
            value(after.text, "worktally_http_requests_total", **labels)
            - value(before.text, "worktally_http_requests_total", **labels)
            == 2
        )
        count = "worktally_http_request_duration_seconds_count"
        assert (
            value(after.text, count, method="GET", route=route) - value(before.text, count, method="GET", route=route)
            == 2
        )
        assert (
            value(after.text, "worktally_http_request_duration_seconds_bucket", method="GET", route=route, le="+Inf")
            >= 2
        )
        # Templates, never paths: no id of a project, workspace or user in any label.
        assert str(10**9) not in after.text
        assert str(ws.id) not in {
            v for (_, labels_) in samples(after.text) for k, v in labels_ if k not in ("status", "le")
        }
        # No label carries a user (route templates such as .../assign/{user_id} may name the parameter).
        label_names = {name for (_, labels_) in samples(after.text) for name, _ in labels_}
        assert not {name for name in label_names if "user" in name}
        routes = {v for (_, labels_) in samples(after.text) for k, v in labels_ if k == "route"}
        assert not [r for r in routes if re.search(r"/\d+(/|$)", r)]  # templates, never an id in a path

    async def test_counts_429s(self, database_url: str, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        app = create_app(make_settings(database_url, rate_limit_per_minute=1))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                before = (await http.get("/metrics")).text
                headers = {"Authorization": f"Bearer {ws.owner.token}"}
                statuses = [(await http.get("/api/v2/workspaces", headers=headers)) for _ in range(3)]
                after = (await http.get("/metrics")).text

        assert [r.status_code for r in statuses] == [200, 429, 429]
        assert statuses[1].json()["error"] == "rate_limited"
        name = "worktally_http_rate_limited_total"
        assert value(after, name, route="/api/v2/workspaces") - value(before, name, route="/api/v2/workspaces") == 2

    async def test_reports_the_connection_pools(self, client: httpx.AsyncClient, is_postgres: bool) -> None:
        await client.get("/metrics")
        text = (await client.get("/metrics")).text

        assert value(text, "worktally_db_pool_size", pool="session") > 0
        assert value(text, "worktally_http_requests_total", method="GET", route="/metrics", status="200") >= 1
        assert ("worktally_db_pool_open", (("pool", "read"),)) in samples(text) or not is_postgres

    async def test_an_unreachable_database_leaves_the_queue_unread_not_a_500(self) -> None:
        app = create_app(make_settings(f"postgresql://nobody@127.0.0.1:{free_port()}/none"))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                response = await http.get("/metrics")

        assert response.status_code == 200
        assert value(response.text, "worktally_webhook_queue_readable") == 0


class TestWebhookQueueMetrics:
    async def test_queue_depth_oldest_pending_and_failed(self, isolated: Isolated) -> None:
        ws = await isolated.tenants.workspace()
        await create_webhook(ws, url=f"http://127.0.0.1:{free_port()}/nowhere", events=["project.created"])
        await emit(ws)
        await emit(ws)
        client = isolated.tenants.http

        text = (await client.get("/metrics")).text

        assert value(text, "worktally_webhook_queue_readable") == 1
        assert value(text, "worktally_webhook_queue_depth") == 2
        assert value(text, "worktally_webhook_oldest_pending_age_seconds") >= 0
        assert value(text, "worktally_webhook_deliveries_failed") == 0
