"""DNS host-name syntax (RFC 1123), shared by the checks that take names from the user."""

from __future__ import annotations

import ipaddress
import re

from readiness.text import quoted

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$", re.IGNORECASE)
MAX_NAME = 253
MAX_LABEL = 63


def dns_name_problem(name: str) -> str | None:
    """Why `name` is not a fully qualified host name, or None when it is one.

    One trailing dot is accepted (the absolute form of the same name).
    """
    text = name.strip()
    if text != name:
        return "has spaces around it"
    if text.endswith("."):
        text = text[:-1]
    if not text:
        return "is empty"
    try:
        ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        return "is an IP address, not a DNS name"
    if "://" in text or "/" in text:
        return "is a URL or path, not a DNS name (give the host name only)"
    if len(text) > MAX_NAME:
        return f"is {len(text)} characters long; a DNS name has at most {MAX_NAME}"
    labels = text.split(".")
    if len(labels) < 2:
        return "is a single label; give the fully qualified name (at least two labels)"
    for label in labels:
        if not label:
            return "has an empty label (two dots in a row)"
        if "*" in label:
            return "contains a wildcard; give the exact name"
        if "_" in label:
            return (
                f"has an underscore in {quoted(label)}; host names allow letters, digits and "
                "hyphens"
            )
        if len(label) > MAX_LABEL:
            return f"has a label of {len(label)} characters; at most {MAX_LABEL} are allowed"
        if not _LABEL.match(label):
            bad = sorted({c for c in label if not (c.isascii() and (c.isalnum() or c == "-"))})
            if bad:
                shown = ", ".join("a space" if c == " " else repr(c) for c in bad)
                return f"contains {shown}; host names allow letters, digits and hyphens"
            return f"has the label {quoted(label)}, which starts or ends with a hyphen"
    if labels[-1].isdigit():
        return "ends in an all-numeric label, which no top-level domain is"
    return None
