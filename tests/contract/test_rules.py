from __future__ import annotations

from worktally.contract.rules import SCREENSHOT_LABELS, contract_user_role, rate_visible, screenshots_label


class TestScreenshotsLabel:
    def test_every_mode_of_the_catalogue_has_a_label(self) -> None:
        assert set(SCREENSHOT_LABELS) == {
            "full",
            "blurred",
            "no_preview",
            "no_screenshot",
            "background_blurred",
            "video_full",
            "video_blurred",
            "video_full_silent",
            "video_blurred_silent",
        }

    def test_full_is_screenshot_on(self) -> None:
        assert screenshots_label("full") == "Screenshot on"

    def test_no_mode_has_no_label(self) -> None:
        assert screenshots_label(None) is None


class TestContractUserRole:
    def test_a_project_viewer_shows_as_client(self) -> None:
        assert contract_user_role("Project viewer") == "Client"

    def test_other_roles_show_as_they_are(self) -> None:
        assert contract_user_role("Team manager") == "Team manager"


class TestRateVisible:
    def test_needs_rate_visibility_and_a_billable_project(self) -> None:
        assert rate_visible(caller_sees_rates=True, project_is_billable=True)
        assert not rate_visible(caller_sees_rates=True, project_is_billable=False)
        assert not rate_visible(caller_sees_rates=False, project_is_billable=True)
