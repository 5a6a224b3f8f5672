"""The browser pages (D7, D21): sign-in, OAuth consent, invitation acceptance, token settings, and the
member's app — one package per area (day, week, requests, leave, expenses, me), each on the domain services."""

from __future__ import annotations

from fastapi import APIRouter

from worktally.web import assets, consent, invitation, settings, sign_in
from worktally.web.approvals import pages as approvals
from worktally.web.day import pages as day
from worktally.web.expenses import pages as expenses
from worktally.web.leave import pages as leave
from worktally.web.me import pages as me
from worktally.web.projects import pages as projects
from worktally.web.reports import day_pages as day_reports
from worktally.web.reports import pages as reports
from worktally.web.reports import range_pages as range_reports
from worktally.web.requests import pages as requests
from worktally.web.team import pages as team
from worktally.web.week import pages as week
from worktally.web.workspace_settings import pages as workspace_settings

router = APIRouter(include_in_schema=False)
router.include_router(assets.router)
router.include_router(sign_in.router)
router.include_router(consent.router)
router.include_router(invitation.router)
router.include_router(settings.router)
for area in (day, week, requests, leave, expenses, me):
    router.include_router(area.router)

# The manager's areas (issue #17).
for area in (approvals, reports, day_reports, range_reports, team, projects, workspace_settings):
    router.include_router(area.router)
