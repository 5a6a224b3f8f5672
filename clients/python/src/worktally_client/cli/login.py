"""``wt login`` in the browser: the OAuth2 authorization code flow with PKCE on a loopback redirect
(RFC 8252 §7.3, RFC 7636), with the server's built-in public client ``wt``."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import webbrowser
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from worktally_client import Worktally
from worktally_client.errors import WorktallyError

CLIENT_ID = "wt"


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def browser_login(
    url: str, *, scope: str = "read write", open_url: Callable[[str], object] = webbrowser.open, timeout: float = 300
) -> str:
    """Signs in through the browser and returns the access token."""
    verifier, challenge = _pkce()
    state = secrets.token_urlsafe(16)
    answer: dict[str, str] = {}
    done = threading.Event()

    class Callback(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            if urlparse(self.path).path != "/callback":
                self.send_error(404)
                return
            answer.update(query)
            ok = "code" in query and query.get("state") == state
            self.send_response(200 if ok else 400)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            text = "Signed in: you can close this tab and go back to the terminal." if ok else "Sign-in failed."
            self.wfile.write(f"<!doctype html><title>wt</title><p>{text}</p>".encode())
            done.set()

        def log_message(self, *args: object) -> None:  # keep the terminal (and the code) out of any log
            return

    server = HTTPServer(("127.0.0.1", 0), Callback)
    redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/callback"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        authorize = f"{url.rstrip('/')}/oauth/authorize?" + urlencode(
            {
                "response_type": "code",
                "client_id": CLIENT_ID,
                "redirect_uri": redirect_uri,
                "scope": scope,
                "state": state,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        open_url(authorize)
        if not done.wait(timeout):
            raise WorktallyError("no answer from the browser in time")
    finally:
        server.shutdown()
        server.server_close()
    if answer.get("state") != state or "code" not in answer:
        raise WorktallyError(f"sign-in refused: {answer.get('error_description') or answer.get('error') or 'no code'}")
    with Worktally(url, None) as client:
        issued = client.oauth2.issue_token(
            grant_type="authorization_code",
            code=answer["code"],
            redirect_uri=redirect_uri,
            code_verifier=verifier,
            client_id=CLIENT_ID,
        )
    return str(issued.access_token)
