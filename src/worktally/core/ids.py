"""D4: opaque string identifiers for records that the API exposes as strings."""

from __future__ import annotations

import uuid


def new_public_id() -> str:
    return str(uuid.uuid4())
