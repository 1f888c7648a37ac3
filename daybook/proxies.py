"""The address of the person at the other end, when Daybook sits behind proxies it trusts.

Behind a load balancer every request arrives from the balancer's address; the person's own
address is in ``X-Forwarded-For``, which anyone can also write. Only the proxies named in
``DAYBOOK_TRUSTED_PROXIES`` are believed: the header is read from its right-hand end (the
entry the nearest proxy added), skipping addresses of trusted proxies, and the first address
that is not one is the client. A request that does not come from a trusted proxy keeps its
connecting address whatever its header says. Pure functions, no Django: settings use them to
refuse a bad list at start-up.
"""

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ProxyListError(ValueError):
    pass


def parse_networks(values: Iterable[str]) -> tuple[str, ...]:
    """`values` as normalised network strings ("10.0.0.7" becomes "10.0.0.7/32"), or
    ProxyListError naming the first one that is not an address or a network."""
    parsed = []
    for value in values:
        try:
            parsed.append(str(ipaddress.ip_network(value.strip(), strict=False)))
        except ValueError:
            raise ProxyListError(
                f"{value!r} is not an IP address or a network (like 10.0.0.0/8)."
            ) from None
    return tuple(parsed)


@lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def parse_address(value: str | None) -> Address | None:
    """One address as a proxy or a socket writes it ("203.0.113.9", "203.0.113.9:4711",
    "[2001:db8::1]:443", "::ffff:203.0.113.9"), or None when it is not one."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_address(
    remote: str | None, forwarded_for: str | None, proxies: tuple[str, ...]
) -> str | None:
    """The client's address: `remote` (the connecting address) unless it is a trusted proxy,
    in which case the first untrusted address of `forwarded_for` read from the right.

    A value that is not an address stops the walk at the last address read, which is a
    trusted proxy: what lies to the left of it cannot be vouched for.
    """
    address = parse_address(remote)
    if address is None:
        return None
    networks = _networks(proxies)
    if not networks or not _trusted(address, networks) or not forwarded_for:
        return str(address)
    for value in reversed(forwarded_for.split(",")):
        hop = parse_address(value)
        if hop is None:
            break
        address = hop
        if not _trusted(address, networks):
            break
    return str(address)


def from_trusted_proxy(remote: str | None, proxies: tuple[str, ...]) -> bool:
    """Whether the connecting address is one of the trusted proxies, whose forwarded headers
    (the client's address, and whether the client used HTTPS) may be believed."""
    address = parse_address(remote)
    return address is not None and _trusted(address, _networks(proxies))
