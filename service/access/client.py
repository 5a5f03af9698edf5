"""Who the client is, for anonymous rate limits: the TCP peer, or what a trusted proxy says.

`X-Forwarded-For` is a header anyone can send. It is believed only when the connection comes
from one of `SHORTFLOW_TRUSTED_PROXIES`, and then read from the right: the first address that is
not itself a trusted proxy is the client (the left part was written by the client and proves
nothing). Addresses that do not parse are ignored, so a forged list cannot name a bucket.

IPv4 callers are limited per address; IPv6 callers per /64, the smallest block a single site is
routed, since one host can take any of its 2^64 addresses at will.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_FORWARDED_HOPS = 20
MAX_CACHED_PEERS = 65_536


class ClientResolver:
    """Finds the client address of a request (see module docstring); one per process."""

    def __init__(self, trusted: Iterable[str]) -> None:
        self.trusted: tuple[Network, ...] = tuple(
            ipaddress.ip_network(entry, strict=False) for entry in trusted
        )
        # Peer address -> bucket, for peers that are not proxies (their bucket is a function
        # of the address alone): parsing an address costs more than a cached answer's lookup.
        self._direct: dict[str, str] = {}

    def bucket(self, scope: Scope) -> str:
        """The rate-limit identity of the request's client: `1.2.3.4` or `2001:db8:1:2::/64`."""
        client = scope.get("client")
        peer = client[0] if client else ""
        found = self._direct.get(peer)
        if found is not None:
            return found
        parsed = _parse(peer)
        if parsed is not None and self._is_trusted(parsed):
            return _bucket_of(self._forwarded_client(scope, parsed))
        bucket = _bucket_of(parsed)
        if len(self._direct) >= MAX_CACHED_PEERS:
            self._direct.clear()
        self._direct[peer] = bucket
        return bucket

    def _forwarded_client(self, scope: Scope, proxy: Address) -> Address:
        """The first address from the right of X-Forwarded-For that is not a trusted proxy."""
        for hop in reversed(_forwarded_for(scope)):
            if not self._is_trusted(hop):
                return hop
        return proxy

    def _is_trusted(self, address: Address) -> bool:
        return any(address in network for network in self.trusted)


def _bucket_of(address: Address | None) -> str:
    if address is None:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _forwarded_for(scope: Scope) -> list[Address]:
    hops: list[Address] = []
    for name, value in scope["headers"]:
        if name != b"x-forwarded-for":
            continue
        for part in value.decode("latin-1").split(",")[-MAX_FORWARDED_HOPS:]:
            parsed = _parse(part.strip())
            if parsed is not None:
                hops.append(parsed)
    return hops[-MAX_FORWARDED_HOPS:]


def _parse(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
