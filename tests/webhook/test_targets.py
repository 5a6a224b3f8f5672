"""Which URLs a webhook may target (D11): well-formed http(s), and no private addresses unless allowed."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import make_settings
from tests.errors import assert_error_code
from tests.factories import Tenants
from worktally.main import create_app
from worktally.webhook.targets import TargetRefused, check_when_saving, is_public, parse_url
from worktally.worker.schedule import DEFAULT_RETRY_SCHEDULE, next_delay, parse_schedule


class TestParseUrl:
    @pytest.mark.parametrize(
        "url", ["https://example.com/hook", "http://example.com:8080/a?b=c", "https://[2001:db8::1]/h"]
    )
    def test_accepts_http_and_https_urls(self, url: str) -> None:
        assert parse_url(url).host

    @pytest.mark.parametrize(
        "url",
        ["ftp://example.com/", "https://", "https://u:p@example.com/", "https://u@example.com/", "example.com/h",
         "https://example.com:70000/", "https://example.com:0/", "https://exa mple.com/", "http://[::1", "http://xn--/"],
    )  # fmt: skip
    def test_refuses_malformed_urls(self, url: str) -> None:
        with pytest.raises(TargetRefused):
            parse_url(url)


class TestIsPublic:
    @pytest.mark.parametrize(
        "address",
        ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "100.64.0.1",
         "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "224.0.0.1", "255.255.255.255"],
    )  # fmt: skip
    def test_private_loopback_and_link_local_are_not_public(self, address: str) -> None:
        assert not is_public(ipaddress.ip_address(address))

    @pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111"])
    def test_global_addresses_are_public(self, address: str) -> None:
        assert is_public(ipaddress.ip_address(address))


class TestCheckWhenSaving:
    async def test_localhost_by_name_is_refused(self) -> None:
        with pytest.raises(TargetRefused):
            await check_when_saving("http://localhost:8000/h", allow_private=False)

    async def test_private_targets_pass_when_allowed(self) -> None:
        assert await check_when_saving("http://127.0.0.1/h", allow_private=True) == "http://127.0.0.1/h"

    async def test_an_unresolvable_host_is_accepted_for_now(self) -> None:
        url = "https://no-such-host.invalid/h"

        assert await check_when_saving(url, allow_private=False) == url


class TestRetrySchedule:
    def test_default_schedule_spans_about_two_days(self) -> None:
        assert len(DEFAULT_RETRY_SCHEDULE) == 10
        assert 46 * 3600 < sum(DEFAULT_RETRY_SCHEDULE) < 49 * 3600

    def test_delays_have_jitter_within_twenty_percent(self) -> None:
        delays = [next_delay(DEFAULT_RETRY_SCHEDULE, 1) for _ in range(50)]

        assert all(d is not None and 4.0 <= d <= 6.0 for d in delays)
        assert len(set(delays)) > 1

    def test_none_once_the_schedule_is_used_up(self) -> None:
        assert next_delay(DEFAULT_RETRY_SCHEDULE, len(DEFAULT_RETRY_SCHEDULE) + 1) is None

    def test_parses_comma_separated_seconds(self) -> None:
        assert parse_schedule("0.5, 2,10") == (0.5, 2.0, 10.0)

    @pytest.mark.parametrize("text", ["1,-2", "1,nan", "inf", "x"])
    def test_refuses_bad_schedules(self, text: str) -> None:
        with pytest.raises(ValueError):
            parse_schedule(text)


@pytest.fixture(scope="module")
async def strict_tenants(database_url: str) -> AsyncIterator[Tenants]:
    """An app on the shared database that refuses private targets, as production does by default."""
    app = create_app(make_settings(database_url, webhooks_allow_private_targets=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Tenants(app.state.sessionmaker, client)


class TestPrivateTargetsOverTheApi:
    @pytest.mark.parametrize(
        "url",
        ["http://127.0.0.1/h", "http://10.0.0.5/h", "http://169.254.169.254/latest", "http://[::1]:8080/h",
         "http://localhost/h", "http://0.0.0.0/h", "http://[::ffff:192.168.0.1]/h"],
    )  # fmt: skip
    async def test_create_refuses_private_targets(self, strict_tenants: Tenants, url: str) -> None:
        ws = await strict_tenants.workspace()

        response = await ws.owner.api.post("/webhooks", json={"url": url, "events": ["task.created"]})

        assert_error_code(response, 422, "validation_failed")
        assert "private" in response.json()["errors"]["url"][0]

    async def test_update_refuses_private_targets_and_keeps_the_url(self, strict_tenants: Tenants) -> None:
        ws = await strict_tenants.workspace()
        created = await ws.owner.api.post(
            "/webhooks", json={"url": "https://93.184.216.34/h", "events": ["task.created"]}
        )
        webhook_id = created.json()["data"]["id"]

        response = await ws.owner.api.put(f"/webhooks/{webhook_id}", json={"url": "http://192.168.0.10/h"})

        assert_error_code(response, 422, "validation_failed")
        assert (await ws.owner.api.get(f"/webhooks/{webhook_id}")).json()["data"]["url"] == "https://93.184.216.34/h"

    async def test_create_accepts_a_public_address(self, strict_tenants: Tenants) -> None:
        ws = await strict_tenants.workspace()

        response = await ws.owner.api.post(
            "/webhooks", json={"url": "https://93.184.216.34/h", "events": ["task.created"]}
        )

        assert response.status_code == 201
        assert response.json()["data"]["url"] == "https://93.184.216.34/h"


class TestDeliveryTimeCheck:
    """The worker resolves the host itself and connects only to an address it checked (DNS rebinding)."""

    async def test_connects_to_the_checked_address_keeping_the_name(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from worktally.worker import sender

        async def fake_resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
            assert (host, port) == ("hooks.example.com", 8443)
            return [ipaddress.ip_address("93.184.216.34")]

        monkeypatch.setattr(sender, "resolve", fake_resolve)

        url, headers, extensions = await sender._pinned_request(
            parse_url("https://hooks.example.com:8443/in?x=1"), allow_private=False
        )

        assert str(url) == "https://93.184.216.34:8443/in?x=1"
        assert headers == {"Host": "hooks.example.com:8443"}
        assert extensions == {"sni_hostname": "hooks.example.com"}

    async def test_a_name_that_now_resolves_privately_is_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from worktally.worker import sender

        async def rebound(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
            return [ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("127.0.0.1")]

        monkeypatch.setattr(sender, "resolve", rebound)

        with pytest.raises(TargetRefused):
            await sender._pinned_request(parse_url("https://hooks.example.com/in"), allow_private=False)
