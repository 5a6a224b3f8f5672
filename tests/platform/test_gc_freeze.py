"""``WORKTALLY_GC_FREEZE``: a started app's long-lived objects are out of the collector's generations, and only
while it runs."""

from __future__ import annotations

import gc

import pytest

from tests.conftest import make_settings
from worktally.main import create_app


@pytest.mark.parametrize("freeze", [True, False])
async def test_the_app_freezes_what_it_holds_while_it_runs(database_url: str, freeze: bool) -> None:
    app = create_app(make_settings(database_url, gc_freeze=freeze))
    assert gc.get_freeze_count() == 0

    async with app.router.lifespan_context(app):
        frozen = gc.get_freeze_count()
        if freeze:
            assert frozen > 1000
        else:
            assert frozen == 0

    assert gc.get_freeze_count() == 0
