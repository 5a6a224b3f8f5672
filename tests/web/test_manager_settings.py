"""Workspace settings (issue #17): ``GET/PUT /api/v2/workspaces/settings`` (an extension) and the pages
``/settings/workspace`` and ``/settings/webhooks`` over HTTP without JavaScript, each result read back
through the API."""

from __future__ import annotations

import re

import httpx

from tests.errors import assert_error_code, assert_page_error
from tests.factories import Tenants
from tests.web.app_kit import CSP, forms_without_csrf, signed_in, tracked_member, unlabelled_fields
from tests.web.manager_kit import last_monday

READ_ONLY = frozenset({"read"})


class TestSettingsApi:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.get("/api/v2/workspaces/settings", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_reads_the_defaults(self, tenants: Tenants) -> None:
        ws = await tenants.workspace(timezone="Europe/Berlin")
        member = await ws.member(role="Regular User")

        response = await member.api.get("/workspaces/settings")

        assert response.status_code == 200, response.text
        assert response.json()["data"] == {
            "workspace_id": ws.id,
            "timezone": "Europe/Berlin",
            "auto_approve_time_requests": False,
            "weekend_days": [5, 6],
            "workday_start_time": "09:00",
            "expected_daily_minutes": 480,
            "late_grace_minutes": 0,
        }

    async def test_owner_changes_them_and_omitted_fields_stay(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.put(
            "/workspaces/settings",
            json={"timezone": "Asia/Tokyo", "auto_approve_time_requests": True, "weekend_days": [6, 4, 6]},
        )
        read = await ws.owner.api.get("/workspaces/settings")

        assert response.status_code == 200, response.text
        assert read.json()["data"] | {"workspace_id": 0} == {
            "workspace_id": 0,
            "timezone": "Asia/Tokyo",
            "auto_approve_time_requests": True,
            "weekend_days": [4, 6],
            "workday_start_time": "09:00",
            "expected_daily_minutes": 480,
            "late_grace_minutes": 0,
        }

    async def test_auto_approval_approves_a_new_time_request(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        await ws.owner.api.put("/workspaces/settings", json={"auto_approve_time_requests": True})

        response = await tracked.member.api.post(
            "/time-requests",
            json={
                "contract_id": tracked.contract_id,
                "start": f"{last_monday().isoformat()}T10:00:00",
                "end": f"{last_monday().isoformat()}T11:00:00",
            },
        )

        assert response.status_code == 201, response.text
        assert response.json()["data"]["status"] == "approved"

    async def test_executive_manager_may_change_them(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        executive = await ws.member(role="Executive manager")

        response = await executive.api.put("/workspaces/settings", json={"late_grace_minutes": 10})

        assert response.status_code == 200, response.text
        assert response.json()["data"]["late_grace_minutes"] == 10

    async def test_managers_of_a_part_and_members_may_not(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        refused = [
            await (await ws.member(role=role)).api.put("/workspaces/settings", json={"late_grace_minutes": 10})
            for role in ("Project manager", "Team manager", "Regular User")
        ]
        read = await ws.owner.api.get("/workspaces/settings")

        for response in refused:
            assert_error_code(response, 403, "role_forbidden")
        assert read.json()["data"]["late_grace_minutes"] == 0

    async def test_a_read_only_token_may_not(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        api = await ws.token_for(ws.owner, READ_ONLY)

        response = await api.put("/workspaces/settings", json={"late_grace_minutes": 10})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspace_is_not_reached(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()

        response = await ws.owner.api.put(
            "/workspaces/settings", params={"workspace_id": other.id}, json={"late_grace_minutes": 10}
        )
        read = await other.owner.api.get("/workspaces/settings")

        assert_error_code(response, 403, "not_a_member")
        assert read.json()["data"]["late_grace_minutes"] == 0

    async def test_bad_input_is_422_per_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.put(
            "/workspaces/settings",
            json={
                "timezone": "Mars/Olympus",
                "weekend_days": [7],
                "workday_start_time": "25:00",
                "expected_daily_minutes": 2000,
                "late_grace_minutes": -1,
            },
        )

        body = assert_error_code(response, 422, "validation_failed")
        assert set(body["errors"]) >= {
            "timezone",
            "weekend_days.0",
            "workday_start_time",
            "expected_daily_minutes",
            "late_grace_minutes",
        }
        assert body["errors"]["workday_start_time"] == [
            "The workday start time must be a time of day as HH:MM, such as 09:00."
        ]


class TestSettingsPage:
    async def test_shows_and_saves_the_settings(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        csrf = await signed_in(browser, ws.owner)
        shown = await browser.get("/settings/workspace")

        response = await browser.post(
            "/settings/workspace",
            data={
                "csrf_token": csrf,
                "timezone": "America/New_York",
                "auto_approve_time_requests": "on",
                "weekend_days": ["5", "6"],
                "workday_start_time": "08:30",
                "expected_daily_minutes": "450",
                "late_grace_minutes": "5",
            },
        )
        read = await ws.owner.api.get("/workspaces/settings")

        assert shown.status_code == 200 and shown.headers["content-security-policy"] == CSP
        assert unlabelled_fields(shown.text) == [] and forms_without_csrf(shown.text) == []
        assert 'href="/settings/tokens"' in shown.text  # the OAuth apps
        assert re.search(r'<a href="/settings/workspace"[^>]*>Settings', shown.text)  # in the navigation
        assert response.status_code == 303
        assert read.json()["data"] | {"workspace_id": 0} == {
            "workspace_id": 0,
            "timezone": "America/New_York",
            "auto_approve_time_requests": True,
            "weekend_days": [5, 6],
            "workday_start_time": "08:30",
            "expected_daily_minutes": 450,
            "late_grace_minutes": 5,
        }

    async def test_refused_input_shows_the_apis_message(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        csrf = await signed_in(browser, ws.owner)

        response = await browser.post(
            "/settings/workspace",
            data={
                "csrf_token": csrf,
                "timezone": "UTC",
                "workday_start_time": "9 am",
                "expected_daily_minutes": "480",
                "late_grace_minutes": "0",
            },
        )
        read = await ws.owner.api.get("/workspaces/settings")

        assert_page_error(response, 422, "validation_failed")
        assert 'id="workday_start_time-error"' in response.text and 'value="9 am"' in response.text
        assert read.json()["data"]["workday_start_time"] == "09:00"

    async def test_without_csrf_nothing_changes(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        await signed_in(browser, ws.owner)

        response = await browser.post("/settings/workspace", data={"timezone": "Asia/Tokyo"})
        read = await ws.owner.api.get("/workspaces/settings")

        assert_page_error(response, 403, "csrf_failed")
        assert read.json()["data"]["timezone"] == "UTC"

    async def test_other_roles_get_the_403_page(self, tenants: Tenants, app: object) -> None:
        ws = await tenants.workspace()
        pages = []
        for role in ("Project manager", "Team manager", "Regular User"):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
            async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
                await signed_in(client, await ws.member(role=role))
                pages.append((await client.get("/settings/workspace"), await client.get("/settings/webhooks")))

        for settings_page, webhooks_page in pages:
            assert "Not allowed" in assert_page_error(settings_page, 403, "role_forbidden")
            assert_page_error(webhooks_page, 403, "role_forbidden")
            assert 'href="/settings/workspace"' not in settings_page.text


class TestWebhookPages:
    async def test_create_edit_test_pause_resume_delete(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        csrf = await signed_in(browser, ws.owner)

        created = await browser.post(
            "/settings/webhooks",
            data={"csrf_token": csrf, "url": "https://example.com/hook", "events": ["project.created"]},
        )
        hook_url = created.headers["location"]
        hook_id = hook_url.rsplit("/", 1)[1]
        edited = await browser.post(
            hook_url,
            data={
                "csrf_token": csrf,
                "url": "https://example.com/other",
                "events": ["project.created", "timesheet.approved"],
            },
        )
        via_api = (await ws.owner.api.get(f"/webhooks/{hook_id}")).json()["data"]
        await browser.post(f"{hook_url}/test", data={"csrf_token": csrf})
        log = await browser.get(hook_url)
        deliveries = (await ws.owner.api.get(f"/webhooks/{hook_id}/deliveries")).json()["data"]
        await browser.post(f"{hook_url}/pause", data={"csrf_token": csrf})
        paused = (await ws.owner.api.get(f"/webhooks/{hook_id}")).json()["data"]["is_active"]
        await browser.post(f"{hook_url}/resume", data={"csrf_token": csrf})
        resumed = (await ws.owner.api.get(f"/webhooks/{hook_id}")).json()["data"]["is_active"]
        deleted = await browser.post(f"{hook_url}/delete", data={"csrf_token": csrf})
        gone = await ws.owner.api.get(f"/webhooks/{hook_id}")

        assert created.status_code == 303 and edited.status_code == 303
        assert via_api["url"] == "https://example.com/other"
        assert via_api["events"] == ["project.created", "timesheet.approved"]
        assert log.status_code == 200
        assert unlabelled_fields(log.text) == [] and forms_without_csrf(log.text) == []
        assert [d["event_type"] for d in deliveries] == ["webhook.test"]
        assert f'id="delivery-{deliveries[0]["id"]}"' in log.text and "webhook.test" in log.text
        assert via_api["token"] in log.text  # the signing secret
        assert (paused, resumed) == (False, True)
        assert deleted.status_code == 303 and deleted.headers["location"] == "/settings/webhooks"
        assert_error_code(gone, 404, "webhook_not_found")

    async def test_refused_input_shows_the_apis_message(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        csrf = await signed_in(browser, ws.owner)

        no_events = await browser.post("/settings/webhooks", data={"csrf_token": csrf, "url": "https://example.com/h"})
        bad_url = await browser.post(
            "/settings/webhooks", data={"csrf_token": csrf, "url": "ftp://example.com", "events": ["project.created"]}
        )
        listed = await ws.owner.api.get("/webhooks")

        assert no_events.status_code == 422 and 'id="events-error"' in no_events.text
        assert bad_url.status_code == 422 and 'id="url-error"' in bad_url.text
        assert 'value="project.created" checked' in bad_url.text  # the ticked events kept
        assert listed.json()["data"] == []

    async def test_retry_a_delivery(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        csrf = await signed_in(browser, ws.owner)
        hook = (
            await ws.owner.api.post(
                "/webhooks", json={"url": "https://example.com/hook", "events": ["project.created"]}
            )
        ).json()["data"]
        delivery = (await ws.owner.api.post(f"/webhooks/{hook['id']}/test")).json()["data"]

        response = await browser.post(
            f"/settings/webhooks/{hook['id']}/deliveries/{delivery['id']}/retry", data={"csrf_token": csrf}
        )
        page = await browser.get(f"/settings/webhooks/{hook['id']}")

        assert response.status_code == 303
        assert "Delivery scheduled for retry." in page.text

    async def test_another_workspaces_webhook_is_404(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        hook = (
            await other.owner.api.post(
                "/webhooks", json={"url": "https://example.com/hook", "events": ["project.created"]}
            )
        ).json()["data"]
        csrf = await signed_in(browser, ws.owner)

        shown = await browser.get(f"/settings/webhooks/{hook['id']}")
        deleted = await browser.post(f"/settings/webhooks/{hook['id']}/delete", data={"csrf_token": csrf})
        still = await other.owner.api.get(f"/webhooks/{hook['id']}")

        assert shown.status_code == 404 and deleted.status_code == 404
        assert still.status_code == 200
