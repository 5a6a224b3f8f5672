from __future__ import annotations

from fastapi import APIRouter

from worktally.api.deps import TransactionalRoute

router = APIRouter(tags=["Projects"], route_class=TransactionalRoute)
