"""The browser pages (D7): sign-in, OAuth consent, invitation acceptance, token settings."""

from __future__ import annotations

from fastapi import APIRouter

from worktally.web import consent, invitation, settings, sign_in

router = APIRouter(include_in_schema=False)
router.include_router(sign_in.router)
router.include_router(consent.router)
router.include_router(invitation.router)
router.include_router(settings.router)
