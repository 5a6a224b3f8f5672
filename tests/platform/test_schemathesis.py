"""Property-based run over every operation of the served OpenAPI document (schemathesis 4).

The document is loaded from the ASGI app itself (``/api/v2/openapi.json``), so every route that exists
when the suite runs is covered. Requests carry an owner's token and the owner's workspace (a demo
workspace, so lists have rows), and half of the cases for an operation with path parameters use ids that
exist there. Checks: no 5xx (D2) and every response matches its documented schema.
Operations are ordered reads, creates, updates, deletes, so that deletes do not empty the workspace first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.conftest import make_settings
from worktally.auth.tokens import create_personal_token
from worktally.demo import DemoContext, seeders
from worktally.main import create_app
from worktally.workspace.bootstrap import bootstrap

pytestmark = pytest.mark.slow

OPENAPI = "/api/v2/openapi.json"
# Per operation: about 90 operations x (10 + 5) cases keeps the run within a few minutes on 2 busy cores.
MAX_EXAMPLES = {schemathesis.GenerationMode.POSITIVE: 10, schemathesis.GenerationMode.NEGATIVE: 5}
METHOD_ORDER = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 2, "DELETE": 3}
CHECKS = [not_a_server_error, response_schema_conformance]

# Path parameter → the list operation whose rows give real values for it.
ID_SOURCES: dict[str, str] = {
    "memberId": "/members",
    "user_id": "/members",
    "teamId": "/teams",
    "project_id": "/projects",
    "contract_id": "/contracts",
    "task_id": "/tasks",
    "viewerId": "/project-viewers",
    "time_entry_id": "/time-entries",
    "time_request_id": "/time-requests",
    "timesheet_id": "/timesheets",
    "policyId": "/leaves/policies",
    "leaveRequestId": "/leaves",
    "categoryId": "/expenses/categories",
    "expenseId": "/expenses",
    "webhookId": "/webhooks",
}


def _labels() -> list[str]:
    # Only the document is needed here (no database): the operations as the app declares them right now.
    document = create_app(make_settings("sqlite:///:memory:")).openapi()
    labels = [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method.upper() in METHOD_ORDER
    ]
    return sorted(labels, key=lambda label: METHOD_ORDER[label.split()[0]])


@dataclass(frozen=True)
class Caller:
    token: str
    workspace_id: int
    ids: dict[str, list[Any]]


@pytest.fixture(scope="module")
async def caller(app: Any, client: httpx.AsyncClient) -> Caller:
    """An owner of a demo workspace (members, projects, time ...) with a read+write token."""
    async with app.state.sessionmaker() as session, session.begin():
        done = await bootstrap(
            session,
            email="schemathesis-owner@example.test",
            password="pw",
            firstname="Scheme",
            lastname="Thesis",
            workspace_name="Schemathesis",
        )
        for seeder in seeders():
            await seeder(session, DemoContext(workspace_id=done.workspace_id, owner_id=done.user_id))
        issued = await create_personal_token(session, user_id=done.user_id, name="schemathesis")
    ids: dict[str, list[Any]] = {}
    headers = {"Authorization": f"Bearer {issued.token}"}
    for name, path in ID_SOURCES.items():
        response = await client.get(
            f"/api/v2{path}", params={"workspace_id": done.workspace_id, "per_page": 20}, headers=headers
        )
        if response.status_code == 200 and isinstance(response.json().get("data"), list):
            rows = response.json()["data"]
            key = "user_id" if path == "/members" and rows and "user_id" in rows[0] else "id"
            ids[name] = [row[key] for row in rows if isinstance(row, dict) and row.get(key) is not None]
    return Caller(token=issued.token, workspace_id=done.workspace_id, ids=ids)


@pytest.fixture(scope="module")
def schema(database_url: str) -> Iterator[Any]:
    application = create_app(make_settings(database_url))
    loaded = schemathesis.openapi.from_asgi(OPENAPI, application)
    yield loaded
    shutdown_lifespans()  # the app's lifespan runs on schemathesis's own event loop thread


def _strategy(operation: Any, caller: Caller, mode: schemathesis.GenerationMode) -> Any:
    query = {"workspace_id": caller.workspace_id}
    generated = operation.as_strategy(generation_mode=mode, query=query)
    names = [p.name for p in operation.path_parameters]
    known = {name: caller.ids.get(name) for name in names}
    if not names or not all(known.values()):
        return generated
    real = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in known.items() if values})
    with_real_ids = real.flatmap(
        lambda path: operation.as_strategy(generation_mode=mode, query=query, path_parameters=path)
    )
    return st.one_of(generated, with_real_ids)


def _same_workspace_in_body(case: Any, workspace_id: int) -> None:
    # D3: a body workspace_id that differs from the query's is a (documented) 400; keep most cases useful.
    if isinstance(case.body, dict) and "workspace_id" in case.body:
        case.body["workspace_id"] = workspace_id


@pytest.mark.parametrize("label", _labels())
@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE])
def test_operation_never_fails_and_conforms(
    label: str, mode: schemathesis.GenerationMode, schema: Any, caller: Caller
) -> None:
    operation = schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is no longer in the document"
    headers = {"Authorization": f"Bearer {caller.token}"}

    @settings(
        max_examples=MAX_EXAMPLES[mode],
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation, caller, mode))
    def run(case: Any) -> None:
        if mode is schemathesis.GenerationMode.POSITIVE:
            _same_workspace_in_body(case, caller.workspace_id)
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        # Negative mode on an operation whose every input accepts anything (no body, string path ids):
        # there is no invalid request to send, which is itself the fact this case establishes.
        if mode is not schemathesis.GenerationMode.NEGATIVE:
            raise
