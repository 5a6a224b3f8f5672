"""Where a webhook may send (D11): http(s) URLs with a host and no credentials, and, unless the
operator allows private targets, only to public addresses.

The address check runs twice: when a webhook is saved (so a mistake is a 422 at once) and before every
attempt, on the addresses the request then connects to (so DNS rebinding cannot bypass it). A host
that does not resolve when saved is accepted; the check at delivery time still applies.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_LENGTH = 2048
RESOLVE_TIMEOUT_SECONDS = 5.0


class TargetRefused(Exception):
    """The URL is malformed or points where webhooks may not go; the message is for the caller."""


def parse_url(raw: str) -> httpx.URL:
    """A valid http(s) target URL, or ``TargetRefused`` saying what is wrong."""
    if not raw or len(raw) > MAX_URL_LENGTH:
        raise TargetRefused(f"The url must be 1 to {MAX_URL_LENGTH} characters.")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in raw):
        raise TargetRefused("The url must not contain spaces or control characters.")
    try:
        parts = urlsplit(raw)
        port = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise TargetRefused("The url is not a valid URL.") from exc
    if port == 0:
        raise TargetRefused("The url has an invalid port.")
    if parts.scheme.lower() not in ("http", "https"):
        raise TargetRefused("The url must start with http:// or https://.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise TargetRefused("The url must not contain credentials.")
    if not parts.hostname:
        raise TargetRefused("The url must have a host.")
    try:
        url = httpx.URL(raw)
        host = host_of(url)
        url.host  # noqa: B018 - raises on a malformed internationalised name
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
        raise TargetRefused("The url is not a valid URL.") from exc
    if not host:
        raise TargetRefused("The url must have a host.")
    return url


def host_of(url: httpx.URL) -> str:
    """The host as sent on the wire: ASCII (punycode), IPv6 without brackets."""
    return url.raw_host.decode("ascii")


def ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast: not private, loopback, link-local, shared, reserved or multicast."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal resolves to itself). Raises ``OSError``."""
    literal = ip_literal(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout=RESOLVE_TIMEOUT_SECONDS
        )
    except TimeoutError as exc:
        raise OSError(f"resolving {host} timed out") from exc
    except UnicodeError as exc:
        raise OSError(f"{host} is not a valid host name") from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = ip_literal(str(sockaddr[0]).split("%", 1)[0])
        if address is not None and address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OSError(f"{host} has no addresses")
    return addresses


def refuse_private(addresses: list[IPAddress]) -> None:
    blocked = [a for a in addresses if not is_public(a)]
    if blocked:
        raise TargetRefused(f"The url must not point to a private, loopback or link-local address ({blocked[0]}).")


async def check_when_saving(raw: str, *, allow_private: bool) -> str:
    """Validate a URL given to the API; returns it unchanged. Raises ``TargetRefused``."""
    url = parse_url(raw)
    if allow_private:
        return raw
    host = host_of(url)
    literal = ip_literal(host)
    if literal is not None:
        refuse_private([literal])
        return raw
    try:
        addresses = await resolve(host, url.port or (443 if url.scheme == "https" else 80))
    except OSError:
        return raw  # not resolvable now: checked again before every attempt
    refuse_private(addresses)
    return raw
