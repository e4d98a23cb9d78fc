"""Whether a URL taken from a certificate is one pxready will fetch at all. Plain string work,
shared by the HTTP fetcher and the checks that judge URLs without the network (--offline)."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_URL = 2048


def url_problem(url: str) -> str | None:
    """Why a URL from a certificate is not fetched at all, or None."""
    if len(url) > MAX_URL:
        return f"the URL is longer than {MAX_URL} characters"
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        return "the URL contains spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return "the URL is malformed"
    if parts.scheme.lower() not in ("http", "https"):
        return f"{parts.scheme or 'a relative'}: URLs are not fetched"
    if not parts.hostname:
        return "the URL names no host"
    return None
