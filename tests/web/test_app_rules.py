"""The web app's pure pieces: the timer's choice values and the week grid's layout of the task report."""

from __future__ import annotations

from datetime import date

import pytest

from worktally.core.errors import ValidationError
from worktally.report.schemas import TaskDay, TaskReport, TaskReportUser, UserTask
from worktally.web.day.work import choice_value, parse_choice
from worktally.web.layout import clock, num
from worktally.web.week.pages import grid


class TestChoices:
    @pytest.mark.parametrize(("contract_id", "task_id", "value"), [(None, None, ""), (7, None, "7:"), (7, 9, "7:9")])
    def test_round_trip(self, contract_id: int | None, task_id: int | None, value: str) -> None:
        assert choice_value(contract_id, task_id) == value
        assert parse_choice(value) == (contract_id, task_id)

    @pytest.mark.parametrize("value", ["x", "1:y", ":3", "0:", "-1:2", "99999999999999999999:"])
    def test_anything_else_is_a_422_on_the_field(self, value: str) -> None:
        with pytest.raises(ValidationError) as raised:
            parse_choice(value, "timer_target")

        assert raised.value.errors == {"timer_target": ["The selected project or task is invalid."]}


class TestGrid:
    def test_rows_of_seven_days_sorted_by_project_and_task(self) -> None:
        monday = date(2026, 3, 2)
        report = TaskReport(
            start_date=monday,
            end_date=date(2026, 3, 8),
            tasks_breakdown=[],
            users=[
                TaskReportUser(
                    user_id=1,
                    user_name="A",
                    total_minutes=150,
                    tasks=[
                        UserTask(
                            task_id=2,
                            task_title="Zeta",
                            project_id=1,
                            project_name="Beta",
                            total_minutes=90,
                            daily_breakdown=[TaskDay(date=date(2026, 3, 4), total_minutes=90)],
                        ),
                        UserTask(
                            task_id=None,
                            task_title=None,
                            project_id=None,
                            project_name=None,
                            total_minutes=60,
                            daily_breakdown=[TaskDay(date=monday, total_minutes=60)],
                        ),
                    ],
                )
            ],
        )

        rows = grid(report, monday)

        assert [(r.project_name, r.task_title, r.minutes, r.total) for r in rows] == [
            ("Beta", "Zeta", [0, 0, 90, 0, 0, 0, 0], 90),
            ("No project", None, [60, 0, 0, 0, 0, 0, 0], 60),
        ]


class TestFormatting:
    def test_clock_and_numbers(self) -> None:
        assert (clock(0), clock(90), clock(605)) == ("0:00", "1:30", "10:05")
        assert (num("20.00"), num(0.5), num("19.50")) == ("20", "0.5", "19.5")
