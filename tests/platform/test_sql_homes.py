"""SQL has homes (#13): repositories, the report queries and the database layer build statements; services,
routers and pages call them and never build one themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import worktally

SOURCE = Path(worktally.__file__).parent
BUILDERS = {"select", "insert", "update", "delete", "text", "union", "exists"}
# Modules that are neither a repository nor a layer that must stay free of SQL, and build statements for a
# reason of their own. A new module that builds SQL is a repository (``*repository.py``) or joins this list,
# with its reason, in review.
OTHER_HOMES = {
    "api/deps.py": "authentication's hot reads (token and membership, one prepared statement)",
    "api/pagination.py": "the one pagination: it wraps any list statement with its total",
    "auth/admin.py": "the operator's account commands, across tables",
    "auth/sessions.py": "browser sessions and passwords (users.session_version)",
    "auth/visibility.py": "the visibility subqueries every list embeds (D6)",
    "change/reach.py": "the changes feed's reach, one subquery per kind",
    "change/visibility.py": "the changes feed's visibility, as auth/visibility",
    "demo/time.py": "the demo data's bulk inserts",
    "web/session.py": "the session version check of every page",
    "worker/queue.py": "the webhook delivery queue (SKIP LOCKED)",
    "workspace/bootstrap.py": "the first workspace, before any principal exists",
}


def _builders_imported(path: Path) -> set[str]:
    """The SQL statement builders a module imports from SQLAlchemy (``from sqlalchemy import select`` ...)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found |= {alias.name for alias in node.names} & BUILDERS
        elif isinstance(node, ast.Attribute) and node.attr in BUILDERS:
            value = node.value
            if isinstance(value, ast.Name) and value.id in {"sa", "sqlalchemy"}:
                found.add(node.attr)
    return found


def _is_layer(relative: str) -> bool:
    name = relative.rsplit("/", 1)[-1]
    return name in {"service.py", "router.py", "pages.py"} or (relative.startswith("web/") and name != "repository.py")


def _is_home(relative: str) -> bool:
    name = relative.rsplit("/", 1)[-1]
    return name.endswith("repository.py") or name.endswith("queries.py") or relative.startswith(("db/", "ops/"))


def _modules() -> dict[str, set[str]]:
    return {str(path.relative_to(SOURCE)): _builders_imported(path) for path in sorted(SOURCE.rglob("*.py"))}


def test_services_routers_and_pages_build_no_sql() -> None:
    offenders = {
        module: sorted(names)
        for module, names in _modules().items()
        if names and _is_layer(module) and module not in OTHER_HOMES
    }
    assert offenders == {}, "move these statements into the repository of the table they read"


def test_statements_are_built_only_in_their_homes() -> None:
    builders = {module for module, names in _modules().items() if names}
    strays = sorted(module for module in builders if not _is_home(module) and module not in OTHER_HOMES)
    assert strays == [], "a module building SQL is a repository, or named in OTHER_HOMES with its reason"
    gone = sorted(set(OTHER_HOMES) - builders)
    assert gone == [], "these modules build no SQL any more: take them off OTHER_HOMES"


def test_the_scan_sees_a_statement_builder(tmp_path: Path) -> None:
    module = tmp_path / "service.py"
    module.write_text("import sqlalchemy as sa\nfrom sqlalchemy import select, func\nq = sa.update(None)\n")
    assert _builders_imported(module) == {"select", "update"}
