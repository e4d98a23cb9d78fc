"""Network Security Group source prefixes: how Azure will read each entry of the variables
script's address lists. Shared by the checks that look at those lists."""

from __future__ import annotations

import ipaddress

# What Azure NSG rules read as "any source".
OPEN_TO_ALL = {"*", "internet", "any", "0.0.0.0/0", "0.0.0.0", "::/0"}


def classify_prefix(item: str) -> tuple[str, str]:
    """("open" | "bad" | "warn" | "private" | "ok", why) for one NSG source prefix."""
    text = item.strip()
    if text.lower() in OPEN_TO_ALL:
        return "open", ""
    if "," in text or " " in text:
        return "bad", (
            'holds several values in one string; write each as its own array element: @("a", "b")'
        )
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return "bad", "is not an IPv4 address or CIDR prefix"
    if network.version != 4:
        return "bad", "is IPv6; the connector's NSG rules take IPv4 addresses"
    if network.prefixlen == 0:
        return "open", ""
    if "/" in text and not _strict_network(text):
        return "warn", f"has host bits set; Azure reads it as {network.with_prefixlen}"
    if isinstance(network, ipaddress.IPv4Network) and any(
        network.subnet_of(block) for block in _NOT_SEEN_FROM_AZURE
    ):
        return "private", ""
    return "ok", ""


# Addresses the connector never sees as a source: its peers reach it over the internet.
_NOT_SEEN_FROM_AZURE = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "100.64.0.0/10",
    )
)


def _strict_network(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=True)
    except ValueError:
        return False
    return True
