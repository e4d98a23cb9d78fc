"""RFC 6125 / RFC 9525 name matching: a table of cases and properties that must always hold."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from checks.certs.names import is_public_suffix, match_hostname, matches, pattern_problem

TABLE = [
    # exact names, case and one trailing dot
    ("pexip-teamsconn-eu.teams.example.com", "pexip-teamsconn-eu.teams.example.com", True),
    ("PEXIP-TeamsConn-EU.Teams.Example.COM", "pexip-teamsconn-eu.teams.example.com", True),
    ("pexip-teamsconn-eu.teams.example.com.", "pexip-teamsconn-eu.teams.example.com", True),
    ("pexip-teamsconn-eu.teams.example.com", "pexip-teamsconn-eu.teams.example.com.", True),
    ("pexip-teamsconn-eu.teams.example.com", "pexip-teamsconn-us.teams.example.com", False),
    ("teams.example.com", "pexip-teamsconn-eu.teams.example.com", False),
    # a wildcard covers exactly one whole left-most label
    ("*.teams.example.com", "pexip-teamsconn-eu.teams.example.com", True),
    ("*.TEAMS.example.com", "Foo.teams.EXAMPLE.com", True),
    ("*.example.com", "foo.example.com", True),
    ("*.example.com", "bar.foo.example.com", False),
    ("*.example.com", "example.com", False),
    ("*.example.com", ".example.com", False),
    # partial wildcards, wildcards elsewhere, several wildcards
    ("f*.example.com", "foo.example.com", False),
    ("*o.example.com", "foo.example.com", False),
    ("f*o.example.com", "foo.example.com", False),
    ("foo.*.example.com", "foo.bar.example.com", False),
    ("*.*.example.com", "foo.bar.example.com", False),
    ("**.example.com", "foo.example.com", False),
    # never an internationalised label
    ("*.example.com", "xn--bcher-kva.example.com", False),
    ("xn--bcher-kva.example.com", "xn--bcher-kva.example.com", True),
    ("xn--*.example.com", "xn--bcher-kva.example.com", False),
    # never over a public suffix
    ("*.com", "example.com", False),
    ("*.co.uk", "example.co.uk", False),
    ("*.com.au", "example.com.au", False),
    ("*.cloudapp.net", "contoso.cloudapp.net", False),  # on the Public Suffix List
    ("*.example.co.uk", "www.example.co.uk", True),
    # IP addresses and empty names are not DNS names
    ("192.0.2.1", "192.0.2.1", False),
    ("*.example.com", "", False),
]


@pytest.mark.parametrize(
    ("pattern", "hostname", "expected"), TABLE, ids=[f"{p}~{h}" for p, h, _ in TABLE]
)
def test_rfc6125_table(pattern: str, hostname: str, expected: bool) -> None:
    assert matches(pattern, hostname) is expected


def test_no_san_matches_nothing() -> None:
    result = match_hostname([], "pexip-teamsconn-eu.teams.example.com")
    assert not result.matched


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("f*.example.com", "partial wildcard"),
        ("foo.*.example.com", "outside the left-most label"),
        ("*.*.example.com", "more than one wildcard"),
        ("*.co.uk", "public suffix 'co.uk'"),
        ("*.com", "public suffix 'com'"),
    ],
)
def test_unusable_patterns_say_why(pattern: str, reason: str) -> None:
    assert reason in (pattern_problem(pattern) or "")


@pytest.mark.parametrize(
    ("hostname", "note"),
    [
        ("example.com", "does not cover the bare domain"),
        ("a.b.example.com", "covers exactly one label, and 'a.b' is 2 labels"),
        ("xn--bcher-kva.example.com", "never covers an internationalised (xn--) label"),
    ],
)
def test_wildcard_near_misses_are_explained(hostname: str, note: str) -> None:
    result = match_hostname(["*.example.com"], hostname)
    assert not result.matched
    assert any(note in n for n in result.notes), result.notes


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


# -- properties -------------------------------------------------------------------------------

LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True).filter(
    lambda label: not label.startswith("xn--")
)
# Top-level domains are alphabetic, which also keeps names from looking like IP addresses.
TLD = st.from_regex(r"[a-z]{2,6}", fullmatch=True)
# A registrable parent: at least two labels and not a known public suffix.
PARENT = (
    st.tuples(st.lists(LABEL, min_size=1, max_size=3), TLD)
    .map(lambda parts: ".".join([*parts[0], parts[1]]))
    .filter(lambda d: not is_public_suffix(d))
)


@given(parent=PARENT, extra=st.lists(LABEL, min_size=2, max_size=4))
def test_wildcard_never_matches_across_label_boundaries(parent: str, extra: list[str]) -> None:
    # Two or more labels in place of the wildcard: never a match.
    assert not matches(f"*.{parent}", ".".join(extra) + "." + parent)


@given(parent=PARENT, label=LABEL)
def test_wildcard_matches_exactly_one_label(parent: str, label: str) -> None:
    assert matches(f"*.{parent}", f"{label}.{parent}")
    assert matches(f"*.{parent}".upper(), f"{label}.{parent}.")
    assert not matches(f"*.{parent}", parent)


@given(parent=PARENT, label=LABEL, other=PARENT)
def test_wildcard_never_matches_another_parent(parent: str, label: str, other: str) -> None:
    if other != parent:
        assert not matches(f"*.{parent}", f"{label}.{other}")


@given(
    pattern=st.lists(LABEL, min_size=2, max_size=5).map(".".join),
    hostname=st.lists(LABEL, min_size=1, max_size=5).map(".".join),
)
def test_plain_names_match_only_themselves(pattern: str, hostname: str) -> None:
    assume(not _is_ip(hostname))  # an IP address is not a DNS-ID at all
    assert matches(pattern, hostname) is (pattern == hostname)


@given(prefix=LABEL, suffix=LABEL, parent=PARENT, label=LABEL)
def test_partial_wildcards_never_match(prefix: str, suffix: str, parent: str, label: str) -> None:
    for pattern in (f"{prefix}*.{parent}", f"*{suffix}.{parent}", f"{prefix}*{suffix}.{parent}"):
        assert not matches(pattern, f"{label}.{parent}")
        assert not matches(pattern, f"{prefix}{label}{suffix}.{parent}")


@given(tld=LABEL, label=LABEL)
def test_wildcard_over_a_single_label_suffix_never_matches(tld: str, label: str) -> None:
    assert not matches(f"*.{tld}", f"{label}.{tld}")


@given(text=st.text(max_size=60), hostname=st.text(max_size=60))
def test_matcher_never_raises(text: str, hostname: str) -> None:
    result = match_hostname([text], hostname)
    assert isinstance(result.matched, bool)
