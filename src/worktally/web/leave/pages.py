"""stub"""

from __future__ import annotations

from fastapi import APIRouter

from worktally.web.layout import WebRoute

router = APIRouter(route_class=WebRoute)
