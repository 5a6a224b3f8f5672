"""The catalogue's Slack-ready texts (seed 000), and what is left out when a part is missing."""

from __future__ import annotations

from datetime import datetime

from worktally.time_request import messages

START = datetime(2025, 12, 5, 9, 0)
END = datetime(2025, 12, 5, 17, 0)


class TestCreatedMessage:
    def test_matches_the_catalogue_word_for_word(self) -> None:
        text = messages.created(
            "John Smith",
            START,
            END,
            project_name="Website Redesign",
            task_title="Implement auth",
            activity="Worked on feature implementation",
        )

        assert text == (
            "Time request created for John Smith on 2025-12-05 (09:00 - 17:00) | Project: Website Redesign"
            " | Task: Implement auth | Activity: Worked on feature implementation"
        )

    def test_missing_parts_are_left_out_with_their_separator(self) -> None:
        assert (
            messages.created("John Smith", START, END, project_name=None, task_title=None, activity=None)
            == "Time request created for John Smith on 2025-12-05 (09:00 - 17:00)"
        )
        assert (
            messages.created("John Smith", START, END, project_name="Website Redesign", task_title=None, activity="  ")
            == "Time request created for John Smith on 2025-12-05 (09:00 - 17:00) | Project: Website Redesign"
        )
        assert (
            messages.created("John Smith", START, END, project_name=None, task_title=None, activity="Docs")
            == "Time request created for John Smith on 2025-12-05 (09:00 - 17:00) | Activity: Docs"
        )


class TestDecisionMessages:
    def test_approved(self) -> None:
        assert (
            messages.approved("Jane Doe", datetime(2025, 12, 5, 11, 0))
            == "Time request approved by Jane Doe at 2025-12-05 11:00:00"
        )

    def test_rejected_with_reason(self) -> None:
        assert messages.rejected(
            "Jane Doe", datetime(2025, 12, 5, 11, 0), "Time entry overlaps with existing approved time"
        ) == (
            "Time request rejected by Jane Doe at 2025-12-05 11:00:00"
            " | Reason: Time entry overlaps with existing approved time"
        )
