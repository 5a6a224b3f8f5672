from __future__ import annotations

import httpx

from tests.auth.kit import csrf_of, invite_member, sign_in
from tests.errors import assert_page_error
from tests.factories import Tenants


class TestSignInPage:
    async def test_shows_a_labelled_form(self, browser: httpx.AsyncClient) -> None:
        response = await browser.get("/sign-in")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert '<label for="email">' in response.text and '<label for="password">' in response.text
        assert csrf_of(response.text)


class TestSignIn:
    async def test_goes_to_the_next_page_signed_in(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()

        response = await sign_in(browser, ws.owner.email, next_url="/settings/tokens")

        assert response.status_code == 303
        assert response.headers["location"] == "/settings/tokens"
        page = await browser.get("/settings/tokens")
        assert page.status_code == 200
        assert ws.owner.email in page.text

    async def test_the_email_is_case_insensitive(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()

        response = await sign_in(browser, ws.owner.email.upper())

        assert response.status_code == 303

    async def test_wrong_password_is_401_with_a_message(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()

        response = await sign_in(browser, ws.owner.email, password="wrong")

        assert_page_error(response, 401, "invalid_credentials")
        assert "The e-mail or password is incorrect." in response.text
        assert (await browser.get("/settings/tokens")).status_code == 303

    async def test_unknown_email_gets_the_same_answer(self, browser: httpx.AsyncClient) -> None:
        response = await sign_in(browser, "nobody@example.test")

        assert_page_error(response, 401, "invalid_credentials")
        assert "The e-mail or password is incorrect." in response.text

    async def test_a_member_without_a_password_cannot_sign_in(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        invited = await invite_member(tenants.sessionmaker, ws.id)

        response = await sign_in(browser, invited.email, password="")

        assert_page_error(response, 401, "invalid_credentials")

    async def test_without_the_csrf_token_is_403(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()

        response = await browser.post("/sign-in", data={"email": ws.owner.email, "password": "pw"})

        assert_page_error(response, 403, "csrf_failed")
        assert (await browser.get("/settings/tokens")).status_code == 303

    async def test_with_a_forged_csrf_token_is_403(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        await browser.get("/sign-in")

        response = await browser.post(
            "/sign-in", data={"email": ws.owner.email, "password": "pw", "csrf_token": "forged"}
        )

        assert_page_error(response, 403, "csrf_failed")

    async def test_next_pointing_elsewhere_is_ignored(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()

        response = await sign_in(browser, ws.owner.email, next_url="//evil.example/steal")

        assert response.status_code == 303
        assert response.headers["location"] == "/"

    async def test_a_malformed_body_is_400_not_500(self, browser: httpx.AsyncClient) -> None:
        response = await browser.post(
            "/sign-in", content=b"--x\r\nbroken", headers={"content-type": "multipart/form-data; boundary=x"}
        )

        assert_page_error(response, 403, "csrf_failed")  # the CSRF check refuses it first

    async def test_is_rate_limited_per_address(self, tenants: Tenants, limited: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        for _ in range(3):
            await sign_in(limited, ws.owner.email, password="wrong")

        response = await sign_in(limited, ws.owner.email)

        assert_page_error(response, 429, "rate_limited")
        assert "Too many" in response.text
        assert int(response.headers["retry-after"]) >= 1


class TestSignOut:
    async def test_ends_the_session(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        await sign_in(browser, ws.owner.email)
        page = await browser.get("/settings/tokens")

        response = await browser.post("/sign-out", data={"csrf_token": csrf_of(page.text)})

        assert response.status_code == 303
        assert (await browser.get("/settings/tokens")).status_code == 303

    async def test_without_the_csrf_token_is_403(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        await sign_in(browser, ws.owner.email)

        response = await browser.post("/sign-out")

        assert_page_error(response, 403, "csrf_failed")
        assert (await browser.get("/settings/tokens")).status_code == 200
