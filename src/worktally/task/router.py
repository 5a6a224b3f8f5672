from __future__ import annotations

from fastapi import APIRouter

from worktally.api.deps import TransactionalRoute

router = APIRouter(tags=["Tasks"], route_class=TransactionalRoute)
