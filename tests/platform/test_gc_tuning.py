"""``WORKTALLY_GC_TUNED``: while a started app runs, its long-lived objects are out of the collector's generations
and the young generation is collected less often; once it stops, the process is as it was."""

from __future__ import annotations

import gc

import pytest

from tests.conftest import make_settings
from worktally.main import create_app
from worktally.ops.collector import YOUNG_THRESHOLD as GC_YOUNG_THRESHOLD


@pytest.mark.parametrize("tuned", [True, False])
async def test_the_collector_is_tuned_while_the_app_runs(database_url: str, tuned: bool) -> None:
    app = create_app(make_settings(database_url, gc_tuned=tuned))
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    assert before[0] != GC_YOUNG_THRESHOLD

    async with app.router.lifespan_context(app):
        if tuned:
            assert gc.get_freeze_count() > 1000
            assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, *before[1:])
        else:
            assert gc.get_freeze_count() == 0
            assert gc.get_threshold() == before

    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
