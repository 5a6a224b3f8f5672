"""Which redirect URIs an OAuth2 client may register (D7; RFC 6749 §3.1.2, RFC 8252 §7.3).

Every client: an absolute ``http``/``https`` URL with a host, no fragment, no user information, printable.
Public (native) clients typically register a loopback IP literal (``http://127.0.0.1:PORT/cb``,
``http://[::1]:PORT/cb``, RFC 8252 §7.3): accepted, as ``http`` is.
"""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_REDIRECT_URI_LENGTH = 2000


def redirect_uri_problem(uri: str) -> str | None:
    """Why ``uri`` cannot be registered, or None when it can."""
    if not uri or len(uri) > MAX_REDIRECT_URI_LENGTH or any(ord(ch) <= 32 or ord(ch) == 127 for ch in uri):
        return f"a redirect URI must be 1 to {MAX_REDIRECT_URI_LENGTH} printable characters without spaces"
    try:
        parts = urlsplit(uri)
        host = parts.hostname
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        return f"the redirect URI {uri!r} is not a valid URL"
    if parts.scheme not in ("http", "https") or not host:
        return f"the redirect URI {uri!r} must be an absolute http(s) URL (https://app.example/callback)"
    if parts.fragment or "#" in uri:
        return f"the redirect URI {uri!r} must not contain a fragment (RFC 6749 §3.1.2)"
    if parts.username is not None or parts.password is not None:
        return f"the redirect URI {uri!r} must not contain user information"
    return None


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1"})


def is_loopback_redirect(uri: str) -> bool:
    """An RFC 8252 §7.3 loopback redirect: ``http://127.0.0.1:{any port}/...`` or ``http://[::1]:{any port}/...``.

    A native app opens a listener on a port of its choosing at the moment of the request, so the port is not
    part of the match; the scheme is plain ``http`` and the host an IP literal (never ``localhost``, §8.3).
    """
    if redirect_uri_problem(uri) is not None:
        return False
    parts = urlsplit(uri)
    try:
        port = parts.port
    except ValueError:
        return False
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and port is not None and not parts.query
