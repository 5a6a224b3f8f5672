"""Helpers for the member app's tests: a signed-in browser client, the pages, the form checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import httpx

from tests.auth.kit import csrf_of, sign_in
from tests.factories import Member, WorkspaceFixture
from tests.factories.structure import make_contract, make_project, make_task

# Every page of the member app and the area key its navigation link carries.
PAGES = {
    "/": "Today",
    "/week": "My week",
    "/time-requests": "Time requests",
    "/leave": "Leave",
    "/expenses": "Expenses",
    "/me": "Me",
}
CSP = "default-src 'self'; frame-ancestors 'none'"


async def signed_in(browser: httpx.AsyncClient, member: Member) -> str:
    """Sign ``member`` in; the CSRF token of their session."""
    response = await sign_in(browser, member.email)
    assert response.status_code == 303, response.text
    return csrf_of((await browser.get("/me")).text)


@dataclass
class Tracked:
    """A member with a contract on a project with a task: what the timer offers them."""

    member: Member
    project_id: int
    contract_id: int
    task_id: int

    @property
    def target(self) -> str:
        return f"{self.contract_id}:{self.task_id}"


async def tracked_member(ws: WorkspaceFixture, role: str = "Regular User", *, project: str = "Apollo") -> Tracked:
    member = await ws.member(role=role, timezone="UTC", firstname="Mona", lastname="Member")
    project_id = await make_project(ws, name=project)
    contract_id = await make_contract(ws, member, project_id)
    task_id = await make_task(ws, project_id, title="Landing page", assignees=[member])
    return Tracked(member, project_id, contract_id, task_id)


async def owner_tracked(ws: WorkspaceFixture) -> Tracked:
    """The workspace's owner with a contract of their own (an Owner may edit entries, D6)."""
    project_id = await make_project(ws, name="Owner's project")
    contract_id = await make_contract(ws, ws.owner, project_id)
    task_id = await make_task(ws, project_id, title="Planning", assignees=[ws.owner])
    return Tracked(ws.owner, project_id, contract_id, task_id)


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self._label_depth = 0
        self.wrapped: int = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "label":
            self._label_depth += 1
            if values.get("for"):
                self.label_for.add(values["for"] or "")
        if tag in ("input", "select", "textarea"):
            if values.get("type") == "hidden" or "hidden" in values:
                return
            self.fields.append({**values, "_wrapped": "1" if self._label_depth else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_depth -= 1


def unlabelled_fields(html: str) -> list[str]:
    """Inputs, selects and text areas that no label names (by ``for`` or by wrapping them)."""
    parser = _Inputs()
    parser.feed(html)
    return [
        str(f.get("name") or f.get("id"))
        for f in parser.fields
        if not f.get("_wrapped") and (not f.get("id") or f["id"] not in parser.label_for)
    ]


def forms_without_csrf(html: str) -> list[str]:
    """The actions of POST forms that carry no ``csrf_token``."""
    missing = []
    for match in re.finditer(r"<form\b([^>]*)>(.*?)</form>", html, re.S):
        attrs, body = match.groups()
        if 'method="post"' in attrs and 'name="csrf_token"' not in body:
            missing.append(re.search(r'action="([^"]*)"', attrs).group(1) if 'action="' in attrs else "?")  # type: ignore[union-attr]
    return missing


def field_error(html: str, name: str) -> str | None:
    """The error shown next to the field ``name``, if any."""
    match = re.search(rf'<p class="field-error" id="{re.escape(name)}-error">([^<]*)</p>', html)
    return match.group(1) if match else None


def value_of(html: str, field_id: str) -> str | None:
    match = re.search(rf'id="{re.escape(field_id)}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*id="{re.escape(field_id)}"', html
    )
    return match.group(1) if match else None
