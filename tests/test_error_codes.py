"""Every 4xx assertion names its error code (issue #13): no new status-only assertion may appear.

The counting is ``scripts/count-status-only-asserts``. The API's answers carry the code in the envelope
(``assert_error_code``); a browser page or a static file in ``X-Error-Code`` (``assert_page_error``).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _counter() -> ModuleType:
    loader = SourceFileLoader("count_status_only_asserts", str(ROOT / "scripts" / "count-status-only-asserts"))
    module = ModuleType(loader.name)
    module.__file__ = loader.path
    loader.exec_module(module)
    return module


def _found(lines_of: Callable[[Path], list[int]], pattern: str) -> dict[str, list[int]]:
    """Every test file matching ``pattern`` with the lines ``lines_of`` finds in it."""
    return {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "tests").rglob(pattern))
        if (lines := lines_of(path))
    }


def test_no_api_test_asserts_a_4xx_status_without_its_error_code() -> None:
    found = _found(_counter().status_only, "*.py")

    assert not found, (
        "assert the error code too: tests.errors.assert_error_code(response, status, code), or for a page "
        "tests.errors.assert_page_error(response, status, code)",
        found,
    )


def test_no_success_test_asserts_only_its_status() -> None:
    found = _found(_counter().success_only, "test_*.py")

    assert not found, ("assert the state the request changed or the data it answered, not only 2xx", found)


def test_the_counter_sees_a_status_only_success(tmp_path: Path) -> None:
    counter = _counter()
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "async def test_a(r):\n"
        "    assert r.status_code == 201\n"
        "async def test_b(r):\n"
        "    assert r.status_code == 201\n"
        "    assert r.json()['data']['name'] == 'x'\n"
    )

    assert counter.success_only(sample) == [1]


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
        "async def test_f(r):\n"
        "    assert_page_error(r, 403, 'csrf_failed')\n"
    )

    assert counter.status_only(sample) == [2, 4]
