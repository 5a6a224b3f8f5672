"""Rules every report shares: roles, authentication, CSV, no 500 on odd input."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.report.conftest import Scenario
from worktally.api.envelope import Envelope
from worktally.report.schemas import (
    ActivityDescriptionsReport,
    ActivityLevelReport,
    DailyAttendanceReport,
    DailyTimelineReport,
    TaskReport,
    TrackedHoursReport,
)

REPORTS = {
    "/reports/tracked-hours": {"start_date": "2026-11-02", "end_date": "2026-11-08"},
    "/reports/daily-timeline": {"date": "2026-11-03"},
    "/reports/daily-attendance": {"date": "2026-11-03"},
    "/reports/activity-level": {"start_date": "2026-11-02", "end_date": "2026-11-08"},
    "/reports/task-report": {"start_date": "2026-11-02", "end_date": "2026-11-08"},
    "/reports/activity-descriptions": {"start_date": "2026-11-02", "end_date": "2026-11-08"},
}
ENVELOPES: dict[str, type[BaseModel]] = {
    "/reports/tracked-hours": Envelope[TrackedHoursReport],
    "/reports/daily-timeline": Envelope[DailyTimelineReport],
    "/reports/daily-attendance": Envelope[DailyAttendanceReport],
    "/reports/activity-level": Envelope[ActivityLevelReport],
    "/reports/task-report": Envelope[TaskReport],
    "/reports/activity-descriptions": Envelope[ActivityDescriptionsReport],
}
ODD_VALUES = ["", " ", "-1", "0", "1e309", "9" * 40, "null", "[]", "%00", "\u00e9\u4e2d", "2026-02-30", "1,,2", "true"]


@pytest.mark.usefixtures("frozen")
class TestEveryReport:
    @pytest.mark.parametrize(("path", "params"), REPORTS.items())
    async def test_answers_json_in_the_envelope(self, scenario: Scenario, path: str, params: dict) -> None:
        response = await scenario.ws.owner.api.get(path, params=params)

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["success"] is True
        assert body["data"]["report_type"] == path.rsplit("/", 1)[1].replace("-", "_")

    @pytest.mark.parametrize(("path", "params"), REPORTS.items())
    async def test_json_is_byte_for_byte_the_declared_response_model(
        self, scenario: Scenario, path: str, params: dict
    ) -> None:
        """The envelope is written by ``api/envelope.raw_ok`` around pre-serialised data: hold it to the model."""
        response = await scenario.ws.owner.api.get(path, params=params)

        declared = ENVELOPES[path].model_validate_json(response.content)
        assert declared.model_dump_json().encode() == response.content
        assert response.headers["content-type"] == "application/json; charset=utf-8"

    @pytest.mark.parametrize(("path", "params"), REPORTS.items())
    async def test_answers_csv(self, scenario: Scenario, path: str, params: dict) -> None:
        response = await scenario.ws.owner.api.get(path, params={**params, "format": "csv"})

        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.text.splitlines()[0]

    @pytest.mark.parametrize(("path", "params"), REPORTS.items())
    async def test_anonymous_is_401(self, scenario: Scenario, path: str, params: dict) -> None:
        response = await scenario.ws.tenants.http.get(
            f"/api/v2{path}", params={**params, "workspace_id": scenario.ws.id}
        )

        assert_error_code(response, 401, "unauthenticated")

    @pytest.mark.parametrize(("path", "params"), REPORTS.items())
    async def test_a_project_viewer_is_403(self, scenario: Scenario, path: str, params: dict) -> None:
        viewer = await scenario.ws.member(role="Project viewer")

        response = await viewer.api.get(path, params=params)

        assert_error_code(response, 403, "role_forbidden")

    @pytest.mark.parametrize(("path", "params"), REPORTS.items())
    async def test_another_workspace_is_403(
        self, scenario: Scenario, tenants: Tenants, path: str, params: dict
    ) -> None:
        other = await tenants.workspace()

        response = await other.owner.api.get(path, params={**params, "workspace_id": scenario.ws.id})

        assert_error_code(response, 403, "not_a_member")

    @pytest.mark.parametrize("path", REPORTS)
    async def test_odd_input_never_gives_a_500(self, scenario: Scenario, path: str) -> None:
        names = [
            "start_date",
            "end_date",
            "date",
            "users",
            "user_ids",
            "user_id",
            "page",
            "per_page",
            "status",
            "projects",
            "project_id",
            "task_id",
            "teams",
            "titles",
            "currencies",
            "contract_id",
            "format",
            "include_no_task",
        ]
        for name in names:
            for value in ODD_VALUES:
                response = await scenario.ws.owner.api.get(path, params={**REPORTS[path], name: value})

                assert response.status_code < 500, (name, value, response.text)
