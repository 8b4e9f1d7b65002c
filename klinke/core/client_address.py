"""The one place that decides which address a request comes from.

Behind a reverse proxy every request arrives from the proxy, and the client's own address is in
X-Forwarded-For. Anyone can send that header, so it is believed only when the request reached
klinke from one of settings.TRUSTED_PROXIES; then the list is read from the right, skipping
addresses of trusted proxies, and the first other address is the client. Login throttling and
any other per-address limit use this function.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in configured)


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _address(raw: str) -> Address | None:
    text = raw.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, networks: Iterable[Network]) -> bool:
    return any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent `request`, as a normalised string."""
    peer = _address(str(request.META.get("REMOTE_ADDR", "")))
    if peer is None:
        # Django's test client and odd WSGI servers; never an address from the request itself.
        return "0.0.0.0"  # noqa: S104 - a placeholder address, nothing listens on it
    networks = trusted_proxies()
    if not _is_trusted(peer, networks):
        return str(peer)
    # Each proxy appends the address it saw on the right; entries further left came from the
    # client and prove nothing.
    forwarded = request.headers.get("X-Forwarded-For", "")
    client = peer
    for entry in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _address(entry)
        if address is None:
            break  # a garbled hop: trust nothing beyond it
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)
