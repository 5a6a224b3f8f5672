"""Text that PostgreSQL cannot store is refused the same way on both databases (D2).

PostgreSQL's text refuses NUL; SQLite would store it. Every string an operation takes — in its JSON body,
its query string or its path — is tried with a NUL, operation by operation from the OpenAPI document, so a
field added later is covered without a line here: a body or query field answers 422 naming that field, a
path id answers 404 (no row has such an id).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.factories import Tenants
from worktally.api.routing import API_PREFIX

NUL_TEXT = "a\x00b"
_METHODS = ("get", "post", "put", "delete")


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _takes_text(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    """A free string (not an enum, a date or a time of day the schema already constrains)."""
    schema = _resolve(document, schema)
    if schema.get("type") == "string":
        return "enum" not in schema and "const" not in schema
    if schema.get("type") == "array":
        return _takes_text(document, schema.get("items", {}))
    return any(_takes_text(document, option) for option in schema.get("anyOf", []))


def _sample(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A plausible value for a required input, so that only the input under test is wrong."""
    schema = _resolve(document, schema)
    options = [o for o in schema.get("anyOf", []) if _resolve(document, o).get("type") != "null"]
    if options:
        return _sample(document, options[0])
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "string":
        return {"date": date.today().isoformat(), "date-time": datetime.now(UTC).isoformat()}.get(
            schema.get("format", ""), "x"
        )
    if kind == "array":
        return [_sample(document, schema.get("items", {}))]
    return {"integer": 1, "number": 1, "boolean": True}.get(kind or "", "x")


def _operation(document: dict[str, Any], method: str, template: str) -> dict[str, Any]:
    operation: dict[str, Any] = document["paths"][template][method]
    return operation


def _body_schema(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    return None if schema is None else _resolve(document, schema)


def _text_inputs(document: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(method, path template, where, name) of every string input of every API operation."""
    found: list[tuple[str, str, str, str]] = []
    for path, item in document["paths"].items():
        if not path.startswith(API_PREFIX + "/"):
            continue
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "header":
                    continue  # HTTP cannot carry a NUL in a header; Idempotency-Key is visible ASCII (D18)
                if parameter["name"] != "workspace_id" and _takes_text(document, parameter.get("schema", {})):
                    found.append((method, path, parameter["in"], parameter["name"]))
            body = _body_schema(document, operation)
            if body is not None:
                for name, schema in body.get("properties", {}).items():
                    if _takes_text(document, schema):
                        found.append((method, path, "body", name))
    return found


def _document() -> dict[str, Any]:
    from tests.conftest import make_settings
    from worktally.main import create_app

    document: dict[str, Any] = create_app(make_settings("sqlite:///:memory:")).openapi()
    return document


DOCUMENT = _document()
TEXT_INPUTS = _text_inputs(DOCUMENT)


def test_the_document_has_text_inputs_to_try() -> None:
    assert len(TEXT_INPUTS) >= 60
    assert ("post", f"{API_PREFIX}/time-entries", "body", "notes") in TEXT_INPUTS


@pytest.mark.parametrize(("method", "template", "where", "name"), TEXT_INPUTS, ids=lambda v: str(v))
async def test_a_nul_in_any_text_input_is_refused_naming_it(
    tenants: Tenants, method: str, template: str, where: str, name: str
) -> None:
    ws = await tenants.workspace()
    operation = _operation(DOCUMENT, method, template)
    params = {
        p["name"]: _sample(DOCUMENT, p.get("schema", {}))
        for p in operation.get("parameters", [])
        if p["in"] == "query" and p.get("required") and p["name"] != "workspace_id"
    }
    schema = _body_schema(DOCUMENT, operation)
    body: dict[str, Any] | None = None
    if schema is not None:
        required = [n for n in schema.get("required", []) if n != "workspace_id"]
        body = {n: _sample(DOCUMENT, schema["properties"][n]) for n in required}
    path = template
    if where == "path":
        path = path.replace("{" + name + "}", "a%00b")
    elif where == "query":
        params[name] = NUL_TEXT
    else:
        assert body is not None
        body[name] = [NUL_TEXT] if _resolve(DOCUMENT, schema["properties"][name]).get("type") == "array" else NUL_TEXT
    path = re.sub(r"\{[^}]+\}", "1", path)

    response = await ws.owner.api.request(method.upper(), path, params=params, json=body)

    if where == "path":  # no row has such an id, on either database
        assert response.status_code == 404, response.text
        assert response.json()["error"], response.text
        return
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "validation_failed"
    errors = response.json()["errors"]
    assert any(key == name or key.startswith(name + ".") for key in errors), f"{name} not among {sorted(errors)}"
