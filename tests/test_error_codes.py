"""Every 4xx assertion names its error code (issue #13): no new status-only assertion may appear.

The counting is ``scripts/count-status-only-asserts``. What is left are the HTML pages of D21, which carry
no envelope and no stable code yet; their counts may only go down.
"""

from __future__ import annotations

from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent

# HTML pages answer without an envelope (D1 excepts D7's browser pages): no `error` code to name yet.
HTML_PAGES = {
    "tests/auth/test_oauth2_authorize.py": 1,  # the consent form's CSRF refusal
    "tests/web/test_api_docs.py": 1,  # a static file's plain-text 404
    "tests/web/test_app_pages.py": 12,
    "tests/web/test_invitation.py": 6,
    "tests/web/test_invitation_existing_account.py": 6,
    "tests/web/test_manager_approvals.py": 4,
    "tests/web/test_manager_projects.py": 1,
    "tests/web/test_manager_reports.py": 1,
    "tests/web/test_manager_settings.py": 3,
    "tests/web/test_manager_team.py": 2,
    "tests/web/test_sessions_end.py": 5,
    "tests/web/test_settings.py": 6,
    "tests/web/test_sign_in.py": 8,
}


def _counter() -> ModuleType:
    loader = SourceFileLoader("count_status_only_asserts", str(ROOT / "scripts" / "count-status-only-asserts"))
    module = ModuleType(loader.name)
    module.__file__ = loader.path
    loader.exec_module(module)
    return module


def test_no_api_test_asserts_a_4xx_status_without_its_error_code() -> None:
    counter = _counter()
    found = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if (lines := counter.status_only(path))
    }

    grown = {
        name: [f"{name}:{line}" for line in lines]
        for name, lines in found.items()
        if len(lines) > HTML_PAGES.get(name, 0)
    }

    assert not grown, (
        "assert the envelope's error code too: tests.errors.assert_error_code(response, status, code)",
        grown,
    )


def test_the_counter_sees_a_status_only_assertion_and_its_fix(tmp_path: Path) -> None:
    counter = _counter()
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "async def test_a(r):\n"
        "    assert r.status_code == 403\n"
        "async def test_b(r):\n"
        "    assert r.status_code in (400, 422)\n"
        "async def test_c(r):\n"
        "    assert r.status_code == 403\n"
        "    assert r.json()['error'] == 'role_forbidden'\n"
        "async def test_d(r):\n"
        "    assert_error_code(r, 404, 'not_found')\n"
        "async def test_e(r):\n"
        "    assert r.status_code == 200\n"
    )

    assert counter.status_only(sample) == [2, 4]
