"""IPv6 forms that carry an IPv4 address (D11): a private IPv4 inside them is a private target.

NAT64 (``64:ff9b::/96``), 6to4 (``2002::/16``), IPv4-compatible (``::a.b.c.d``) and IPv4-mapped
(``::ffff:a.b.c.d``) addresses reach the IPv4 address they embed, so it is that address that is checked,
when a webhook is saved and again before every delivery (where DNS may answer with such an address).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import make_settings
from tests.factories import Tenants
from tests.webhook.conftest import Isolated, Receiver, wait_until
from tests.webhook.helpers import create_webhook, emit
from tests.webhook.test_delivery import delivery_rows, running_worker
from worktally.main import create_app
from worktally.webhook.targets import embedded_ipv4, is_public

SETTING = "WORKTALLY_WEBHOOKS_ALLOW_PRIVATE_TARGETS"

# Each embeds 10.0.0.1 or 127.0.0.1; every one passed the check before.
EMBEDDING_PRIVATE = [
    "64:ff9b::a00:1",  # NAT64 well-known prefix → 10.0.0.1
    "64:ff9b::7f00:1",  # NAT64 → 127.0.0.1
    "2002:a00:1::",  # 6to4 → 10.0.0.1
    "2002:7f00:1::1",  # 6to4 → 127.0.0.1
    "::127.0.0.1",  # IPv4-compatible → 127.0.0.1
    "::10.0.0.1",  # IPv4-compatible → 10.0.0.1
    "::ffff:10.0.0.1",  # IPv4-mapped → 10.0.0.1
    "::ffff:0:10.0.0.1",  # IPv4-translated (SIIT) → 10.0.0.1
]
RESERVED_OR_NOT_GLOBAL = [
    "64:ff9b:1::808:808",  # NAT64 local-use prefix (RFC 8215)
    "100::1",  # discard-only
    "2001:db8::1",  # documentation
    "3fff::1",  # documentation (RFC 9637)
    "2001::1",  # Teredo
    "4000::1",  # reserved by the IETF
    "::",
    "192.0.0.8",  # IETF protocol assignments
    "240.0.0.1",  # reserved
    "198.18.0.1",  # benchmarking
]


class TestEmbeddedIPv4:
    @pytest.mark.parametrize(
        ("address", "inner"),
        [("64:ff9b::a00:1", "10.0.0.1"), ("2002:a00:1::", "10.0.0.1"), ("::127.0.0.1", "127.0.0.1"),
         ("::ffff:10.0.0.1", "10.0.0.1"), ("::ffff:0:10.0.0.1", "10.0.0.1")],
    )  # fmt: skip
    def test_unwraps_the_ipv4_address(self, address: str, inner: str) -> None:
        assert embedded_ipv4(ipaddress.IPv6Address(address)) == ipaddress.IPv4Address(inner)

    @pytest.mark.parametrize("address", ["::1", "::", "2606:4700::1111", "fe80::1"])
    def test_other_addresses_embed_none(self, address: str) -> None:
        assert embedded_ipv4(ipaddress.IPv6Address(address)) is None

    @pytest.mark.parametrize("address", [*EMBEDDING_PRIVATE, *RESERVED_OR_NOT_GLOBAL])
    def test_embedded_private_and_reserved_addresses_are_not_public(self, address: str) -> None:
        assert not is_public(ipaddress.ip_address(address))

    @pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8", "2606:4700::1111"])
    def test_embedded_public_addresses_are_public(self, address: str) -> None:
        assert is_public(ipaddress.ip_address(address))


@pytest.fixture(scope="module")
async def strict_tenants(database_url: str) -> AsyncIterator[Tenants]:
    """An app that refuses private targets, as production does by default."""
    app = create_app(make_settings(database_url, webhooks_allow_private_targets=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Tenants(app.state.sessionmaker, client)


class TestRegistration:
    @pytest.mark.parametrize("address", [*EMBEDDING_PRIVATE, "64:ff9b:1::808:808", "100::1", "2001:db8::1"])
    async def test_create_refuses_an_ipv6_literal_embedding_a_private_address(
        self, strict_tenants: Tenants, address: str
    ) -> None:
        ws = await strict_tenants.workspace()

        response = await ws.owner.api.post(
            "/webhooks", json={"url": f"http://[{address}]:8080/h", "events": ["task.created"]}
        )

        assert response.status_code == 422
        body = response.json()
        assert body["error"] == "validation_failed"
        [message] = body["errors"]["url"]
        assert "private" in message and SETTING in message

    async def test_update_refuses_an_embedded_private_address(self, strict_tenants: Tenants) -> None:
        ws = await strict_tenants.workspace()
        created = await ws.owner.api.post(
            "/webhooks", json={"url": "https://93.184.216.34/h", "events": ["task.created"]}
        )
        webhook_id = created.json()["data"]["id"]

        response = await ws.owner.api.put(f"/webhooks/{webhook_id}", json={"url": "http://[2002:a00:1::]/h"})

        assert response.status_code == 422
        assert response.json()["error"] == "validation_failed"
        assert SETTING in response.json()["errors"]["url"][0]
        assert (await ws.owner.api.get(f"/webhooks/{webhook_id}")).json()["data"]["url"] == "https://93.184.216.34/h"

    async def test_create_accepts_nat64_of_a_public_address(self, strict_tenants: Tenants) -> None:
        ws = await strict_tenants.workspace()

        response = await ws.owner.api.post(
            "/webhooks", json={"url": "https://[64:ff9b::5db8:d822]/h", "events": ["task.created"]}
        )

        assert response.status_code == 201
        assert response.json()["data"]["url"] == "https://[64:ff9b::5db8:d822]/h"

    async def test_a_name_resolving_to_an_embedded_private_address_is_refused(
        self, strict_tenants: Tenants, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        answer_dns(monkeypatch, "hooks.rebound.test", "64:ff9b::a00:1")
        ws = await strict_tenants.workspace()

        response = await ws.owner.api.post(
            "/webhooks", json={"url": "https://hooks.rebound.test/h", "events": ["task.created"]}
        )

        assert response.status_code == 422
        assert response.json()["error"] == "validation_failed"
        assert "64:ff9b::a00:1" in response.json()["errors"]["url"][0]


def answer_dns(monkeypatch: pytest.MonkeyPatch, name: str, address: str) -> None:
    """The system resolver answers ``address`` for ``name`` (as a rebinding DNS server would)."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == name:
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, int(port or 0), 0, 0))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


class TestDelivery:
    @pytest.mark.parametrize("address", ["64:ff9b::7f00:1", "2002:7f00:1::1", "::127.0.0.1", "::ffff:127.0.0.1"])
    async def test_a_literal_saved_while_allowed_is_refused_when_private_targets_are_not(
        self, isolated: Isolated, receiver: Receiver, address: str
    ) -> None:
        ws = await isolated.tenants.workspace()
        hook = await create_webhook(ws, url=f"http://[{address}]:{receiver.port}/h")
        await emit(ws)

        async with running_worker(isolated, allow_private=False, retry_schedule=(60,)):

            async def attempted() -> bool:
                return (await delivery_rows(isolated, hook["id"]))[0].attempts == 1

            await wait_until(attempted)

        [row] = await delivery_rows(isolated, hook["id"])
        assert row.last_error is not None and "private" in row.last_error and SETTING in row.last_error
        assert receiver.snapshot() == []

    @pytest.mark.parametrize("address", ["64:ff9b::7f00:1", "2002:7f00:1::1", "::127.0.0.1", "::ffff:127.0.0.1"])
    async def test_a_name_that_resolves_to_one_at_delivery_is_refused(
        self, isolated: Isolated, receiver: Receiver, monkeypatch: pytest.MonkeyPatch, address: str
    ) -> None:
        ws = await isolated.tenants.workspace()
        hook = await create_webhook(ws, url=f"http://hooks.rebound.test:{receiver.port}/h")
        await emit(ws)
        answer_dns(monkeypatch, "hooks.rebound.test", address)

        async with running_worker(isolated, allow_private=False, retry_schedule=(60,)):

            async def attempted() -> bool:
                return (await delivery_rows(isolated, hook["id"]))[0].attempts == 1

            await wait_until(attempted)

        [row] = await delivery_rows(isolated, hook["id"])
        assert row.last_error is not None and "private" in row.last_error and SETTING in row.last_error
        assert receiver.snapshot() == []
