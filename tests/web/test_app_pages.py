"""The member app over HTTP without JavaScript (plain form posts, as a browser without a script sends them):
each page's access rules, its forms, and what the API shows afterwards (D21)."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from tests.errors import assert_error_code, assert_page_error
from tests.factories import Tenants
from tests.web.app_kit import (
    CSP,
    PAGES,
    field_error,
    forms_without_csrf,
    owner_tracked,
    signed_in,
    tracked_member,
    unlabelled_fields,
    value_of,
)
from worktally.core.clock import utc_now


class TestSignedOut:
    @pytest.mark.parametrize("path", [*PAGES, "/entries/x/edit", "/expenses/x/edit"])
    async def test_every_page_sends_to_sign_in_and_back(self, browser: httpx.AsyncClient, path: str) -> None:
        response = await browser.get(path)

        assert response.status_code == 303
        assert response.headers["location"].startswith("/sign-in?next=")

    async def test_root_is_a_page_not_a_json_404(self, browser: httpx.AsyncClient) -> None:
        response = await browser.get("/", follow_redirects=True)

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "<h1>Sign in</h1>" in response.text

    async def test_a_post_without_a_session_goes_to_sign_in(self, browser: httpx.AsyncClient) -> None:
        response = await browser.post("/timer/start", data={"timer_target": ""})

        assert response.status_code == 303
        assert response.headers["location"] == "/sign-in"


class TestEveryPage:
    @pytest.mark.parametrize("path", list(PAGES))
    async def test_renders_in_the_layout_with_labels_csrf_and_the_csp(
        self, tenants: Tenants, browser: httpx.AsyncClient, path: str
    ) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        await signed_in(browser, tracked.member)

        response = await browser.get(path)

        assert response.status_code == 200
        assert response.headers["content-security-policy"] == CSP
        assert 'aria-label="Main"' in response.text
        assert 'id="timerbar"' in response.text  # the timer is on every page
        assert unlabelled_fields(response.text) == []
        assert forms_without_csrf(response.text) == []
        assert "http://" not in response.text.replace("http://testserver", "")
        assert "<script>" not in response.text and "style=" not in response.text

    async def test_the_tokens_page_sits_in_the_layout(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        await signed_in(browser, ws.owner)

        response = await browser.get("/settings/tokens")

        assert response.status_code == 200
        assert 'aria-label="Main"' in response.text and "API access" in response.text


class TestRoles:
    async def test_a_project_viewer_gets_no_links_and_403_pages(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        await signed_in(browser, viewer)

        me = await browser.get("/me")
        answers = {path: (await browser.get(path)).status_code for path in PAGES if path != "/me"}

        assert me.status_code == 200
        nav = me.text.split('aria-label="Main"')[1].split("</nav>")[0]
        for path, label in PAGES.items():
            if path != "/me":
                assert f'href="{path}"' not in nav, label
        assert answers == {path: 403 for path in answers}
        forbidden = await browser.get("/")
        assert "Your role here is Project viewer." in forbidden.text
        assert '<a href="/me">Go to Me</a>' in forbidden.text

    async def test_a_viewer_may_not_post_to_the_timer(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        csrf = await signed_in(browser, viewer)

        response = await browser.post("/timer/start", data={"csrf_token": csrf, "timer_target": ""})
        current = await ws.owner.api.get("/time-tracking/current-data", params={"user_id": viewer.user_id})

        assert_page_error(response, 403, "role_forbidden")
        assert "Not allowed" in response.text
        assert current.json()["data"]["is_tracking"] is False

    async def test_a_regular_user_has_no_edit_links_and_a_403_on_edit(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        added = await ws.owner.api.post(
            "/time-entries",
            json={
                "user_id": tracked.member.user_id,
                "contract_id": tracked.contract_id,
                "date": utc_now().date().isoformat(),
                "start_time": "00:00",
                "end_time": "00:30",
            },
        )
        entry_id = added.json()["data"]["id"]
        await signed_in(browser, tracked.member)

        today = await browser.get("/")
        edit = await browser.get(f"/entries/{entry_id}/edit")

        assert entry_id in today.text and "▶ Continue" in today.text
        assert f"/entries/{entry_id}/edit" not in today.text
        assert_page_error(edit, 403, "forbidden")


class TestOtherWorkspaces:
    async def test_another_workspaces_entry_is_not_found(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        mine, theirs = await tenants.workspace(), await tenants.workspace()
        other = await owner_tracked(theirs)
        added = await theirs.owner.api.post(
            "/time-entries",
            json={
                "user_id": other.member.user_id,
                "contract_id": other.contract_id,
                "date": utc_now().date().isoformat(),
                "start_time": "00:00",
                "end_time": "00:30",
            },
        )
        entry_id = added.json()["data"]["id"]
        csrf = await signed_in(browser, mine.owner)

        edit = await browser.get(f"/entries/{entry_id}/edit")
        delete = await browser.post(f"/entries/{entry_id}/delete", data={"csrf_token": csrf})
        still = await theirs.owner.api.get(
            "/time-entries", params={"user_id": other.member.user_id, "date": utc_now().date().isoformat()}
        )

        assert edit.status_code == 404 and delete.status_code == 404
        assert [e["id"] for e in still.json()["data"]] == [entry_id]

    async def test_another_workspaces_expense_and_timesheet_are_not_found(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        mine, theirs = await tenants.workspace(), await tenants.workspace()
        expense = await theirs.owner.api.post(
            "/expenses", json={"expense_name": "Taxi", "date": "2026-01-05", "amount": 12.5}
        )
        sheets = await theirs.owner.api.get("/timesheets", params={"user_id": theirs.owner.user_id})
        csrf = await signed_in(browser, mine.owner)

        edit = await browser.get(f"/expenses/{expense.json()['data']['id']}/edit")
        submit = await browser.post(
            "/week/submit", data={"csrf_token": csrf, "timesheet_id": sheets.json()["data"][0]["id"]}
        )
        switch = await browser.post("/workspace", data={"csrf_token": csrf, "workspace_id": str(theirs.id)})

        assert edit.status_code == 404 and submit.status_code == 404 and switch.status_code == 404
        after = await theirs.owner.api.get("/timesheets", params={"user_id": theirs.owner.user_id})
        assert after.json()["data"][0]["status"] == "pending"


class TestForms:
    async def test_without_the_csrf_token_nothing_happens(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        await signed_in(browser, tracked.member)

        response = await browser.post("/timer/start", data={"timer_target": tracked.target})
        current = await tracked.member.api.get("/time-tracking/current-data")

        assert_page_error(response, 403, "csrf_failed")
        assert current.json()["data"]["is_tracking"] is False

    async def test_bad_input_shows_the_apis_message_by_the_field_and_keeps_what_was_typed(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        tracked = await owner_tracked(ws)
        csrf = await signed_in(browser, tracked.member)
        day = utc_now().date().isoformat()

        response = await browser.post(
            "/entries",
            data={
                "csrf_token": csrf,
                "target": tracked.target,
                "date": day,
                "start_time": "10:00",
                "end_time": "09:00",
                "notes": "Typed with care",
            },
        )

        assert_page_error(response, 422, "validation_failed")
        assert field_error(response.text, "end_time") == "The end time must be after the start time."
        assert (
            value_of(response.text, "add-start") == "10:00"
            and value_of(response.text, "add-notes") == "Typed with care"
        )
        assert f'<option value="{tracked.target}" selected>' in response.text

    async def test_a_malformed_time_is_the_schemas_message(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        csrf = await signed_in(browser, tracked.member)

        response = await browser.post(
            "/entries",
            data={"csrf_token": csrf, "target": "", "date": "2026-01-05", "start_time": "25:99", "end_time": "26:00"},
        )

        assert_page_error(response, 422, "validation_failed")
        assert field_error(response.text, "start_time") == "The time must be in the format HH:mm."

    async def test_a_target_that_is_not_a_choice_is_422(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        csrf = await signed_in(browser, tracked.member)

        response = await browser.post("/timer/start", data={"csrf_token": csrf, "timer_target": "x:y"})

        assert_page_error(response, 422, "validation_failed")
        assert field_error(response.text, "timer_target") == "The selected project or task is invalid."


class TestTimer:
    async def test_start_and_stop_without_javascript(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        csrf = await signed_in(browser, tracked.member)

        started = await browser.post(
            "/timer/start", data={"csrf_token": csrf, "timer_target": tracked.target, "timer_text": "Header"}
        )
        running = await tracked.member.api.get("/time-tracking/current-data")
        page = await browser.get("/week")
        stopped = await browser.post("/timer/stop", data={"csrf_token": csrf, "next": "/week"})

        assert started.status_code == 303
        data = running.json()["data"]
        assert data["is_tracking"] and data["task_id"] == tracked.task_id and data["activity_description"] == "Header"
        assert 'id="timer-elapsed"' in page.text and "Apollo" in page.text  # the running timer on another page
        assert stopped.headers["location"] == "/week"
        after = await tracked.member.api.get("/time-tracking/current-data")
        assert after.json()["data"]["is_tracking"] is False

    async def test_starting_twice_says_so_on_the_form(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        csrf = await signed_in(browser, tracked.member)
        await tracked.member.api.post("/time-tracking/start", json={"contract_id": tracked.contract_id})

        response = await browser.post("/timer/start", data={"csrf_token": csrf, "timer_target": ""})

        assert_page_error(response, 409, "tracker_already_running")
        assert 'id="form-error"' in response.text


class TestTimeByHand:
    async def test_a_regular_user_sends_a_pending_time_request(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        csrf = await signed_in(browser, tracked.member)
        day = (utc_now() - timedelta(days=1)).date()

        response = await browser.post(
            "/entries",
            data={
                "csrf_token": csrf,
                "target": tracked.target,
                "date": day.isoformat(),
                "start_time": "09:00",
                "end_time": "10:30",
                "notes": "Forgot the timer",
            },
        )
        listed = await tracked.member.api.get(
            "/time-requests", params={"date_from": day.isoformat(), "date_to": day.isoformat()}
        )
        requests_page = await browser.get("/time-requests")

        assert response.status_code == 303
        [request] = listed.json()["data"]
        assert request["status"] == "pending" and request["task_id"] == tracked.task_id
        assert request["start"] == f"{day.isoformat()}T09:00:00.000000Z"
        assert request["id"] in requests_page.text and "Forgot the timer" in requests_page.text

    async def test_the_time_requests_page_creates_one(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        csrf = await signed_in(browser, tracked.member)

        response = await browser.post(
            "/time-requests",
            data={"csrf_token": csrf, "target": "", "date": "2026-01-06", "start_time": "22:00", "end_time": "00:00"},
        )
        listed = await tracked.member.api.get(
            "/time-requests", params={"date_from": "2026-01-06", "date_to": "2026-01-06"}
        )

        assert response.status_code == 303
        [request] = listed.json()["data"]
        assert request["end"] == "2026-01-07T00:00:00.000000Z"  # 00:00 is the end of the day


class TestWeek:
    async def test_submit_and_unsubmit(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        csrf = await signed_in(browser, tracked.member)
        page = await browser.get("/week")
        sheet_id = re.search(r'name="timesheet_id" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]

        submitted = await browser.post("/week/submit", data={"csrf_token": csrf, "timesheet_id": sheet_id})
        after_submit = await tracked.member.api.get("/timesheets", params={"id": sheet_id})
        await browser.post("/week/unsubmit", data={"csrf_token": csrf, "timesheet_id": sheet_id})
        after_unsubmit = await tracked.member.api.get("/timesheets", params={"id": sheet_id})

        assert submitted.status_code == 303
        assert after_submit.json()["data"][0]["status"] == "submitted"
        assert after_unsubmit.json()["data"][0]["status"] == "pending"

    async def test_a_date_that_is_not_one_is_not_found(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        await signed_in(browser, ws.owner)

        response = await browser.get("/week", params={"date": "2026-02-30"})

        assert_page_error(response, 404, "not_found")


class TestLeave:
    async def test_a_half_day_is_requested_and_the_balance_follows_approval(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        policy = await ws.owner.api.post("/leaves/policies", json={"name": "Vacation", "unit": "days", "allowance": 20})
        policy_id = policy.json()["data"]["id"]
        csrf = await signed_in(browser, tracked.member)
        year = utc_now().year
        day = f"{year}-06-03"  # a Wednesday when the year is 2026

        response = await browser.post(
            "/leave",
            data={"csrf_token": csrf, "policy_id": str(policy_id), "start": day, "end": day, "leave_period": "1"},
        )
        assert response.status_code == 303, re.findall(r"field-error[^<]*<|form-error[^<]*<", response.text)
        pending_page = await browser.get("/leave")
        [leave] = (await tracked.member.api.get("/leaves", params={"user_id": tracked.member.user_id})).json()["data"]
        await ws.owner.api.put(f"/leaves/{leave['id']}/approve", json={})
        approved_page = await browser.get("/leave")

        assert response.status_code == 303
        assert leave["leave_period"] == 1 and leave["status"] == "pending"
        assert 'class="pending-amount">0.5<' in pending_page.text
        assert "19.5 days" in approved_page.text

    async def test_a_reason_the_policy_requires_is_asked_for(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        policy = await ws.owner.api.post(
            "/leaves/policies", json={"name": "Dentist", "unit": "hours", "allowance": 16, "reason_required": True}
        )
        csrf = await signed_in(browser, tracked.member)

        response = await browser.post(
            "/leave",
            data={
                "csrf_token": csrf,
                "policy_id": str(policy.json()["data"]["id"]),
                "start": "2026-06-03",
                "end": "2026-06-03",
                "start_time": "09:00",
                "end_time": "11:00",
            },
        )

        assert_page_error(response, 422, "validation_failed")
        assert field_error(response.text, "reason") == "The reason is required by this leave policy."
        assert value_of(response.text, "f-start_time") == "09:00"


class TestExpenses:
    async def test_add_edit_and_delete(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        category = await ws.owner.api.post("/expenses/categories", json={"name": "Travel"})
        category_id = category.json()["data"]["id"]
        csrf = await signed_in(browser, tracked.member)

        added = await browser.post(
            "/expenses",
            data={
                "csrf_token": csrf,
                "expense_name": "Train",
                "date": "2026-02-02",
                "amount": "42.50",
                "category_id": category_id,
                "project_id": str(tracked.project_id),
                "is_billable": "1",
            },
        )
        [expense] = (await tracked.member.api.get("/expenses")).json()["data"]
        edited = await browser.post(
            f"/expenses/{expense['id']}",
            data={"csrf_token": csrf, "expense_name": "Train back", "date": "2026-02-03", "amount": "40"},
        )
        [changed] = (await tracked.member.api.get("/expenses")).json()["data"]
        deleted = await browser.post(f"/expenses/{expense['id']}/delete", data={"csrf_token": csrf})
        after = (await tracked.member.api.get("/expenses")).json()["data"]

        assert added.status_code == edited.status_code == deleted.status_code == 303
        assert expense["amount"] == 42.5 and expense["category"] == "Travel" and expense["type"] == "billable"
        assert (
            changed["expense_name"] == "Train back"
            and changed["category_id"] is None
            and changed["type"] == "non-billable"
        )
        assert after == []

    async def test_a_bad_amount_is_the_apis_message(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        csrf = await signed_in(browser, tracked.member)

        response = await browser.post(
            "/expenses", data={"csrf_token": csrf, "expense_name": "Lunch", "date": "2026-02-02", "amount": "-3"}
        )

        assert_page_error(response, 422, "validation_failed")
        assert field_error(response.text, "amount") == "Input should be greater than 0."
        assert value_of(response.text, "f-expense_name") == "Lunch"


class TestMe:
    async def test_name_and_timezone(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        csrf = await signed_in(browser, tracked.member)

        response = await browser.post(
            "/me/profile",
            data={"csrf_token": csrf, "firstname": "Ada", "lastname": "Lovelace", "timezone": "Asia/Tokyo"},
        )
        member = await ws.owner.api.get(f"/members/{tracked.member.user_id}")
        page = await browser.get("/me")

        assert response.status_code == 303
        assert member.json()["data"]["timezone"] == "Asia/Tokyo" and member.json()["data"]["firstname"] == "Ada"
        assert "Times in Asia/Tokyo" in page.text

    async def test_an_unknown_timezone_is_422(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        csrf = await signed_in(browser, tracked.member)

        response = await browser.post(
            "/me/profile", data={"csrf_token": csrf, "firstname": "Ada", "lastname": "L", "timezone": "Mars/Base"}
        )

        assert_page_error(response, 422, "validation_failed")
        assert field_error(response.text, "timezone")

    async def test_password_change(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        csrf = await signed_in(browser, tracked.member)

        wrong = await browser.post(
            "/me/password",
            data={
                "csrf_token": csrf,
                "current_password": "nope",
                "new_password": "new-pass-1",
                "repeat_password": "new-pass-1",
            },
        )
        right = await browser.post(
            "/me/password",
            data={
                "csrf_token": csrf,
                "current_password": "pw",
                "new_password": "new-pass-1",
                "repeat_password": "new-pass-1",
            },
        )
        me = await browser.get("/me")  # this browser stays signed in, under a new CSRF token
        fresh = re.search(r'name="csrf_token" value="([^"]+)"', me.text).group(1)  # type: ignore[union-attr]
        await browser.post("/sign-out", data={"csrf_token": fresh})
        page = await browser.get("/sign-in")
        again = await browser.post(
            "/sign-in",
            data={
                "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1),  # type: ignore[union-attr]
                "email": tracked.member.email,
                "password": "new-pass-1",
                "next": "/",
            },
        )

        assert wrong.status_code == 422 and field_error(wrong.text, "current_password")
        assert right.status_code == 303
        assert again.status_code == 303 and again.headers["location"] == "/"

    async def test_workspace_switcher(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        first = await tenants.workspace(name="First Co")
        second = await tenants.workspace(name="Second Co")
        tracked = await tracked_member(first)
        async with second.tenants.sessionmaker() as session, session.begin():
            from worktally.db.models import Membership

            session.add(
                Membership(workspace_id=second.id, user_id=tracked.member.user_id, role="Regular User", status="active")
            )
        csrf = await signed_in(browser, tracked.member)

        before = await browser.get("/me")
        switched = await browser.post(
            "/workspace", data={"csrf_token": csrf, "workspace_id": str(second.id), "next": "/me"}
        )
        after = await browser.get("/me")

        assert 'id="workspace-switch"' in before.text
        assert switched.status_code == 303
        assert "<dt>Workspace</dt><dd>Second Co</dd>" in after.text

    async def test_theme_toggle(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        csrf = await signed_in(browser, ws.owner)

        await browser.post("/theme", data={"csrf_token": csrf, "theme": "dark", "next": "/me"})
        page = await browser.get("/me")

        assert '<html lang="en" data-theme="dark">' in page.text


class TestStatic:
    async def test_the_stylesheet_and_script_are_ours(self, browser: httpx.AsyncClient) -> None:
        css = await browser.get("/static/app.css")
        js = await browser.get("/static/app.js")
        other = await browser.get("/static/..%2Fpages.py")
        unlisted = await browser.get("/static/pages.py")

        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert js.status_code == 200 and "Worktally's own small script" in js.text
        assert_error_code(other, 404, "http_404")  # no route: the server's own 404
        assert assert_page_error(unlisted, 404, "not_found") == "Not found"  # not a file of the list
