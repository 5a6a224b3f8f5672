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
ALLOW_PRIVATE_SETTING = "WORKTALLY_WEBHOOKS_ALLOW_PRIVATE_TARGETS"  # D11, named in the refusal
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


# IPv6 prefixes that carry an IPv4 address in their low (NAT64, RFC 6052) or high (6to4, RFC 3056) bits: a
# packet to them reaches that IPv4 address, so it is that address that must be public.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: local-use translation, never global
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # RFC 4291 (deprecated): ::a.b.c.d
_IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")  # RFC 2765 (SIIT): ::ffff:0:a.b.c.d
# Not globally reachable (IANA special-purpose registries) though older Pythons' ``is_global`` says so.
_NOT_GLOBAL: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = (
    ipaddress.IPv4Network("192.0.0.0/24"),  # IETF protocol assignments
    _NAT64_LOCAL,
    ipaddress.IPv6Network("3fff::/20"),  # documentation (RFC 9637)
)


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a packet to ``address`` ends up at, for the forms that embed one."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64 or address in _IPV4_TRANSLATED:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _SIX_TO_FOUR:
        return address.sixtofour
    if address in _IPV4_COMPATIBLE and int(address) > 1:  # not :: and ::1, which are themselves
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast: not private, loopback, link-local, shared, reserved or multicast, and for
    IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4), neither is that address."""
    if isinstance(address, ipaddress.IPv6Address) and address not in _NAT64_LOCAL:
        address = embedded_ipv4(address) or address
    if any(address in network for network in _NOT_GLOBAL):
        return False
    return address.is_global and not address.is_multicast and not address.is_reserved


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
        raise TargetRefused(
            f"The url must not point to a private, loopback, link-local or reserved address ({blocked[0]}); "
            f"the server's operator may allow such targets with {ALLOW_PRIVATE_SETTING}=true."
        )


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
