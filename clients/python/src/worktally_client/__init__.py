"""Python client for Worktally and any WebWork Time Tracker REST API V2 server (#18, D22).

from worktally_client import Worktally
client = Worktally("http://127.0.0.1:8000", token)
for project in client.projects.list():      # walks every page
    print(project.id, project.name)
"""

from worktally_client import models
from worktally_client._base import NOT_GIVEN, NotGiven, __version__
from worktally_client.client import AsyncWorktally, Worktally
from worktally_client.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    WorktallyError,
)
from worktally_client.pagination import AsyncPage, SyncPage

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncPage",
    "AsyncWorktally",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "NotGiven",
    "PermissionDeniedError",
    "RateLimitError",
    "SyncPage",
    "UnprocessableEntityError",
    "Worktally",
    "WorktallyError",
    "__version__",
    "models",
]
