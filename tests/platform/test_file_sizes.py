"""No module over about 400 lines (issue #13): a file that grows past it is a module that wants to split, as
``report/queries.py``, ``leave/service.py``, ``ops/backup.py`` and ``web/reports/pages.py`` did."""

from __future__ import annotations

from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "worktally"
MOST_LINES = 420  # "about 400": room for a docstring's growth, not for another concern


def test_no_source_module_is_over_about_400_lines() -> None:
    sizes = {str(path.relative_to(SOURCE)): len(path.read_text().splitlines()) for path in SOURCE.rglob("*.py")}

    assert len(sizes) > 200  # the tree was found
    assert {name: lines for name, lines in sizes.items() if lines > MOST_LINES} == {}
