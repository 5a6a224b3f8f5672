"""README and docs/: every link stays inside the repository and reaches a file that is there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# [text](target), <scheme://...> autolinks and [label]: target reference definitions
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)[^)]*\)|<([a-z][a-z0-9+.-]*:[^>\s]+)>|^\s*\[[^\]]+\]:\s*(\S+)", re.M)


def links(document: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", document.read_text(encoding="utf-8"), flags=re.S)  # code blocks are not links
    return [next(g for g in match.groups() if g) for match in LINK.finditer(text)]


@pytest.mark.parametrize("document", DOCUMENTS, ids=[str(d.relative_to(ROOT)) for d in DOCUMENTS])
def test_links_stay_inside_the_repository(document: Path) -> None:
    outside = []
    for target in links(document):
        path = target.split("#", 1)[0]
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("//"):
            outside.append(target)  # another host (or a local server): not part of the repository
        elif path and not (document.parent / path).resolve().is_relative_to(ROOT):
            outside.append(target)
        elif path and not (document.parent / path).exists():
            outside.append(f"{target} (missing)")

    assert outside == []


def test_the_readme_links_the_contract() -> None:
    assert "docs/contract.md" in links(ROOT / "README.md")
    assert (ROOT / "docs" / "contract.md").read_text(encoding="utf-8").startswith("# What Worktally decides")
