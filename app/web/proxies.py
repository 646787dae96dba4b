"""The client's address behind reverse proxies we trust (issue 13.10).

`X-Forwarded-For` is whatever the sender wrote, unless a proxy we run wrote it. So it is read
only when the direct peer is one of LOKETFLOW_TRUSTED_PROXIES (addresses or networks), and
then from the right, where our proxies append: the first hop that is not a trusted proxy is the
client, and what it claims further left is ignored. Without trusted proxies (the default) the
header is ignored altogether, so that rotating it wins nobody a new anonymous budget.

The same rule as uvicorn's proxy headers: `loketflow serve` hands uvicorn the same list
(`uvicorn_options`), so the address in its access log is this one too.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: list[str] | tuple[str, ...]) -> tuple[Network, ...]:
    """The trusted proxies as networks; ValueError names an entry that is neither an address
    nor a network."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {entry!r}") from None
    return tuple(networks)


@lru_cache(maxsize=64)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def _host(hop: str) -> str:
    """An X-Forwarded-For entry without a port: `1.2.3.4:80` and `[::1]:80` as proxies may
    write them."""
    hop = hop.strip()
    if hop.startswith("["):
        end = hop.find("]")
        return hop[1:end] if end > 0 else hop
    if hop.count(":") == 1:
        return hop.split(":", 1)[0]
    return hop


def _trusted(host: str, networks: tuple[Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def client_address(request, trusted_proxies: list[str] | tuple[str, ...]) -> str:
    """Who sent `request` (an HTTP request or a WebSocket): the direct peer, or behind
    trusted proxies the first untrusted hop of X-Forwarded-For counted from the right."""
    peer = getattr(getattr(request, "client", None), "host", None) or "unknown"
    networks = _networks(tuple(trusted_proxies))
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [
        _host(hop)
        for value in request.headers.getlist("x-forwarded-for")
        for hop in value.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop[:100]  # a key, not a place for a client to store text
    # Every hop is one of ours: the request began inside (a health check, a job).
    return hops[0][:100] if hops else peer


def uvicorn_options(settings) -> dict:
    """uvicorn's proxy-header handling, the same as `client_address`: off without trusted
    proxies; else X-Forwarded-For and -Proto from those proxies only."""
    if not settings.trusted_proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": list(settings.trusted_proxies)}
