"""``/static/...``: the one stylesheet, our small script and the icon, from the package (nothing from another host)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from worktally.core.errors import ERROR_CODE_HEADER, NotFoundError

router = APIRouter()
NOT_FOUND_HEADERS = {ERROR_CODE_HEADER: NotFoundError.code}

_STATIC = Path(__file__).parent / "static"
_TYPES = {
    "app.css": "text/css; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "icon.svg": "image/svg+xml",
}


@router.get("/static/{name}")
async def static_file(name: str) -> Response:
    """A file of the pages' own assets (a fixed list: no path from the request reaches the file system)."""
    media_type = _TYPES.get(name)
    if media_type is None:
        return Response("Not found", status_code=404, media_type="text/plain", headers=NOT_FOUND_HEADERS)
    return FileResponse(
        _STATIC / name,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )
