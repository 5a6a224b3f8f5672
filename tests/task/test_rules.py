from __future__ import annotations

from datetime import UTC, datetime

from worktally.task.rules import PRIORITY_NAMES, STATUS_NAMES, completed_at_after

EARLIER = datetime(2024, 1, 1, tzinfo=UTC)
NOW = datetime(2024, 2, 1, tzinfo=UTC)


class TestCompletedAtAfter:
    def test_is_set_when_a_task_becomes_done(self) -> None:
        assert completed_at_after(old_status=10, new_status=20, completed_at=None, now=NOW) == NOW

    def test_is_set_when_a_task_is_created_completed(self) -> None:
        assert completed_at_after(old_status=None, new_status=30, completed_at=None, now=NOW) == NOW

    def test_is_kept_while_the_task_stays_finished(self) -> None:
        assert completed_at_after(old_status=20, new_status=30, completed_at=EARLIER, now=NOW) == EARLIER

    def test_is_cleared_when_the_task_is_reopened(self) -> None:
        assert completed_at_after(old_status=30, new_status=10, completed_at=EARLIER, now=NOW) is None

    def test_stays_empty_for_an_open_task(self) -> None:
        assert completed_at_after(old_status=0, new_status=10, completed_at=None, now=NOW) is None


class TestNames:
    def test_statuses_are_named_as_in_the_catalogue(self) -> None:
        assert STATUS_NAMES == {0: "Incomplete", 10: "Doing", 20: "Done", 30: "Completed"}

    def test_priorities_are_named_as_in_the_catalogue(self) -> None:
        assert PRIORITY_NAMES == {10: "Urgent", 20: "High", 30: "Normal", 40: "Low"}
