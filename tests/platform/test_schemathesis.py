"""Property-based run over every operation of the served OpenAPI document (schemathesis 4).

The document is loaded from the ASGI app itself (``/api/v2/openapi.json``), so every route that exists
when the suite runs is covered. Requests carry an owner's token and the owner's workspace (a demo
workspace, so lists have rows), and half of the cases for an operation with path parameters use ids that
exist there. Operations are ordered reads, creates, updates, deletes, so that deletes do not empty the
workspace first.

Two runs per operation:
- generated cases (hypothesis, positive and negative): no 5xx (D2), every response matches its schema;
- schemathesis's coverage phase (boundary values, missing and duplicate parameters, wrong content types
  and every HTTP method the path does not declare): no 5xx, and a 405 carries ``Allow`` with exactly the
  methods of its path (schemathesis's ``unsupported_method``, ``allow_header_conformance`` for OPTIONS,
  and ``allow_header_is_exact`` here, which compares the whole set for every 405).

``-s`` prints how many operations and cases each run sent, by status class.
"""

from __future__ import annotations

import re
from collections import Counter
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
from schemathesis.generation.meta import CoveragePhaseData
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    response_schema_conformance,
    unsupported_method,
)

from tests.conftest import make_settings
from tests.errors import assert_error_code
from worktally.auth.tokens import create_personal_token
from worktally.demo import DemoContext, seeders
from worktally.main import create_app
from worktally.workspace.bootstrap import bootstrap

pytestmark = pytest.mark.slow

OPENAPI = "/api/v2/openapi.json"
# Per operation: about 90 operations x (10 + 5) cases keeps the run within a few minutes on 2 busy cores.
MAX_EXAMPLES = {schemathesis.GenerationMode.POSITIVE: 10, schemathesis.GenerationMode.NEGATIVE: 5}
METHOD_ORDER = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 2, "DELETE": 3}


def _document_paths() -> dict[str, set[str]]:
    # Only the document is needed here (no database): the operations as the app declares them right now.
    document = create_app(make_settings("sqlite:///:memory:")).openapi()
    return {path: {method.upper() for method in item} for path, item in document["paths"].items()}


PATHS = _document_paths()
_PATTERNS = {path: re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$") for path in PATHS}


def _methods_serving(url_path: str) -> set[str]:
    """What the document says the concrete path accepts: its most specific template (literal segments win)."""
    fitting = [path for path, pattern in _PATTERNS.items() if pattern.match(url_path)]
    if not fitting:
        return set()
    best = min(fitting, key=lambda path: tuple(1 if "{" in segment else 0 for segment in path.split("/")))
    return PATHS[best]


def allow_header_is_exact(ctx: Any, response: Any, case: Any) -> bool | None:
    """D2: a 405 lists in ``Allow`` exactly the methods its path accepts, no more and no fewer."""
    if response.status_code != 405:
        return None
    url_path = httpx.URL(response.request.url).path
    allowed = {m.strip() for value in response.headers.get("allow", []) for m in value.split(",") if m.strip()}
    expected = _methods_serving(url_path)
    assert allowed == expected, (
        f"{response.request.method} {url_path}: Allow {sorted(allowed)}, expected {sorted(expected)}"
    )
    return None


CHECKS = [not_a_server_error, response_schema_conformance, allow_header_conformance, allow_header_is_exact]
COVERAGE_CHECKS = [not_a_server_error, unsupported_method, allow_header_conformance, allow_header_is_exact]
SENT: Counter[tuple[str, str]] = Counter()  # (run, status class) → cases sent
OPERATIONS: dict[str, set[str]] = {"generated": set(), "coverage": set()}
PROBED_PATHS: set[str] = set()  # paths sent a method they do not declare (once per path, by schemathesis)

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
    labels = [f"{method} {path}" for path, methods in PATHS.items() for method in methods if method in METHOD_ORDER]
    return sorted(labels, key=lambda label: (METHOD_ORDER[label.split()[0]], label))


def _count(run: str, label: str, response: Any) -> None:
    OPERATIONS[run].add(label)
    SENT[(run, f"{response.status_code // 100}xx")] += 1


@pytest.fixture(scope="module", autouse=True)
def summary() -> Iterator[None]:
    yield
    for run, labels in OPERATIONS.items():
        by_class = {cls: n for (r, cls), n in sorted(SENT.items()) if r == run}
        print(f"\nschemathesis {run}: {len(labels)} operations, {sum(by_class.values())} cases {by_class}")
    print(f"schemathesis: {len(PROBED_PATHS)} of {len(PATHS)} paths sent methods they do not declare")


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
        _count("generated", label, case.call_and_validate(headers=headers, checks=CHECKS))

    try:
        run()
    except Unsatisfiable:
        # Negative mode on an operation whose every input accepts anything (no body, string path ids):
        # there is no invalid request to send, which is itself the fact this case establishes.
        if mode is not schemathesis.GenerationMode.NEGATIVE:
            raise


def _coverage_cases(schema: Any, operation: Any) -> Iterator[Any]:
    modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    config = schema.config.generation_for(operation=operation, phase="coverage")
    yield from schema.iter_coverage_cases(operation, generation_modes=modes, generation_config=config)


@pytest.mark.parametrize("label", _labels())
def test_coverage_phase_never_fails_and_405_allows_the_paths_methods(label: str, schema: Any, caller: Caller) -> None:
    """schemathesis's coverage phase, including each HTTP method the path does not declare (D2: 405 + Allow)."""
    operation = schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is no longer in the document"
    headers = {"Authorization": f"Bearer {caller.token}"}

    for case in _coverage_cases(schema, operation):
        data = case.meta.phase.data if case.meta is not None else None
        positive = case.meta is not None and case.meta.generation.mode is schemathesis.GenerationMode.POSITIVE
        if positive and isinstance(case.query, dict) and "workspace_id" in case.query:
            case.query["workspace_id"] = caller.workspace_id  # the caller's, so that the operation itself runs
        if positive:
            _same_workspace_in_body(case, caller.workspace_id)
        response = case.call_and_validate(headers=headers, checks=COVERAGE_CHECKS)
        _count("coverage", label, response)
        if isinstance(data, CoveragePhaseData) and data.scenario.value == "unspecified_http_method":
            assert_error_code(response, 405, "http_405")
            PROBED_PATHS.add(operation.path)
