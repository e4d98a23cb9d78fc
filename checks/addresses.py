"""Whether an address is reachable from the internet, and if not, what kind it is: the
special-purpose ranges of the IANA registries (RFC 6890 and successors)."""

from __future__ import annotations

import ipaddress

_RANGES: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "'this network' (RFC 791)"),
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("100.64.0.0/10", "shared address space for carrier-grade NAT (RFC 6598)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.0.0.0/24", "IETF protocol assignments (RFC 6890)"),
    ("192.0.2.0/24", "documentation (RFC 5737)"),
    ("192.88.99.0/24", "deprecated 6to4 relay anycast (RFC 7526)"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("198.18.0.0/15", "benchmarking (RFC 2544)"),
    ("198.51.100.0/24", "documentation (RFC 5737)"),
    ("203.0.113.0/24", "documentation (RFC 5737)"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved (RFC 1112)"),
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("::ffff:0:0/96", "IPv4-mapped"),
    ("64:ff9b:1::/48", "local-use NAT64 (RFC 8215)"),
    ("100::/64", "discard-only (RFC 6666)"),
    ("2001:db8::/32", "documentation (RFC 3849)"),
    ("2001::/23", "IETF protocol assignments (RFC 2928)"),
    ("3fff::/20", "documentation (RFC 9637)"),
    ("fc00::/7", "unique local (RFC 4193)"),
    ("fe80::/10", "link-local"),
    ("ff00::/8", "multicast"),
)
_NETWORKS = tuple((ipaddress.ip_network(n), label) for n, label in _RANGES)


def not_public(address: str) -> str | None:
    """Why `address` cannot be reached from the internet ("private (RFC 1918)"), or None when it
    is a public address. Something that is no address at all is said to be so."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "not an IP address"
    for network, label in _NETWORKS:
        if ip.version == network.version and ip in network:
            return label
    if not ip.is_global:
        return "not globally routable"
    return None
