"""Does a certificate carry a DNS name, under RFC 6125 / RFC 9525?

pyca's service-identity does the matching: SAN dNSName only (the subject CN is ignored, and a
certificate without SANs matches nothing), case-insensitive, a wildcard only in the left-most
label and covering exactly one label, never an `xn--` label, and partial wildcards
(`f*.example.com`) never matching. On top of it this module adds what service-identity leaves
to the caller: the wildcard must be the whole left-most label, one trailing dot is normalised,
and a wildcard never covers a public suffix (`*.com`, `*.co.uk`), judged with the Public
Suffix List (the `publicsuffixlist` package, loaded only when a wildcard needs it).

`NameIndex` answers many names against many certificates in time linear in both: exact names
in a map, wildcards by the domain they stand over, so service-identity is asked only about the
candidates that can match.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from cryptography import x509
    from publicsuffixlist import PublicSuffixList


# A name service-identity takes as a DNS-ID exactly as written: LDH labels, at least one
# letter. It refuses only characters outside [a-z0-9-_.] and what int() or ipaddress would
# read as an IP address; without a colon, no such string has a letter.
PLAIN_NAME = re.compile(r"(?=.*[a-z])[a-z0-9-]+(?:\.[a-z0-9-]+)*")


class NameMatch(NamedTuple):
    hostname: str
    matched: bool
    by: str | None  # the SAN that matched
    notes: tuple[str, ...]  # why near-miss SANs do not match, for the message


def normalise(name: str) -> str:
    """Lower case, surrounding space and one trailing dot removed."""
    name = name.strip().lower()
    return name[:-1] if name.endswith(".") else name


@functools.cache
def _suffix_list() -> PublicSuffixList:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def is_public_suffix(domain: str) -> bool:
    """Whether `domain` is a public suffix (`com`, `co.uk`, `github.io`): no wildcard may
    stand directly over it. Single labels are decided without loading the list."""
    domain = normalise(domain)
    return "." not in domain or bool(_suffix_list().is_public(domain))


def san_dns_names(cert: x509.Certificate) -> list[str]:
    """The certificate's subjectAltName dNSName entries, as written."""
    from cryptography import x509

    try:
        extension = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    except ValueError:  # a malformed extension counts as none
        return []
    return list(extension.value.get_values_for_type(x509.DNSName))


def common_names(cert: x509.Certificate) -> list[str]:
    from cryptography.x509.oid import NameOID

    try:
        return [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    except ValueError:
        return []


def pattern_problem(pattern: str) -> str | None:
    """Why a SAN can never match anything under RFC 6125, or None when it is usable."""
    pattern = normalise(pattern)
    if "*" not in pattern:
        return None
    labels = pattern.split(".")
    if pattern.count("*") > 1:
        return f"'{pattern}' has more than one wildcard"
    if "*" not in labels[0]:
        return f"'{pattern}' has a wildcard outside the left-most label"
    if labels[0] != "*":
        return f"'{pattern}' is a partial wildcard, which RFC 9525 does not match"
    tail = ".".join(labels[1:])
    if not tail or any(not label for label in labels[1:]):
        return f"'{pattern}' has an empty label"
    if is_public_suffix(tail):
        return f"'{pattern}' is a wildcard over the public suffix '{tail}'"
    return None


def matches(pattern: str, hostname: str) -> bool:
    """Whether one SAN dNSName covers `hostname`."""
    return _match(pattern, hostname)[0]


def _match(pattern: str, hostname: str) -> tuple[bool, str | None]:
    from service_identity import CertificateError, VerificationError
    from service_identity.hazmat import DNS_ID, DNSPattern, verify_service_identity

    pattern, hostname = normalise(pattern), normalise(hostname)
    if not hostname or not hostname.isascii() or "" in hostname.split("."):
        return False, f"'{hostname}' is not a DNS name"
    if not pattern.isascii():
        return False, f"'{pattern}' is not an ASCII (A-label) DNS name"
    problem = pattern_problem(pattern)
    if problem is not None:
        return False, problem
    try:
        cert_pattern = DNSPattern.from_bytes(pattern.encode("ascii"))
        service_id = DNS_ID(hostname)
    except (CertificateError, ValueError) as exc:
        return False, str(exc)
    try:
        verify_service_identity([cert_pattern], obligatory_ids=[service_id], optional_ids=[])
    except VerificationError:
        return False, _why_not(pattern, hostname)
    return True, None


def _why_not(pattern: str, hostname: str) -> str | None:
    """Explain a wildcard near-miss; None for plainly different names."""
    if not pattern.startswith("*."):
        return None
    tail = pattern[2:]
    if hostname == tail:
        return f"'{pattern}' does not cover the bare domain '{hostname}'"
    if hostname.endswith("." + tail):
        head = hostname[: -len(tail) - 1]
        if "." in head:
            return (
                f"'{pattern}' covers exactly one label, and '{head}' is "
                f"{head.count('.') + 1} labels"
            )
        if head.startswith("xn--"):
            return f"'{pattern}' never covers an internationalised (xn--) label"
    return None


def match_hostname(patterns: Iterable[str], hostname: str) -> NameMatch:
    """Match `hostname` against one certificate's SAN dNSNames."""
    return NameIndex([("", list(patterns))]).match(hostname)[1]


class NameIndex:
    """The SAN dNSNames of several certificates (each under a label, such as its file), for
    matching many host names in time linear in names and certificates together."""

    def __init__(self, carriers: Iterable[tuple[str, Sequence[str]]]) -> None:
        self._exact: dict[str, tuple[str, str]] = {}  # name → (label, SAN as written)
        self._wildcards: dict[str, list[tuple[str, str]]] = {}  # domain under "*."
        self._other: list[tuple[str, str]] = []  # anything unusual: always asked
        for label, sans in carriers:
            for san in sans:
                name = normalise(san)
                if name.startswith("*.") and "*" not in name[2:]:
                    self._wildcards.setdefault(name[2:], []).append((label, san))
                elif PLAIN_NAME.fullmatch(name):
                    self._exact.setdefault(name, (label, san))
                else:
                    self._other.append((label, san))

    def match(self, hostname: str) -> tuple[str | None, NameMatch]:
        """(label of the certificate that covers `hostname`, the match with its notes)."""
        wanted = normalise(hostname)
        if not PLAIN_NAME.fullmatch(wanted):
            return self._match_all(wanted)
        if wanted in self._exact:
            label, san = self._exact[wanted]
            return label, NameMatch(wanted, True, san, ())
        parent = wanted.partition(".")[2]
        notes: list[str] = []
        for label, pattern in (*self._wildcards.get(parent, ()), *self._other):
            ok, note = _match(pattern, wanted)
            if ok:
                return label, NameMatch(wanted, True, pattern, ())
            if note and note not in notes:
                notes.append(note)
        # Near misses worth explaining: a wildcard over the name itself, or over an ancestor
        # more than one label up.
        domain = wanted
        while domain:
            if domain != parent:
                for _label, pattern in self._wildcards.get(domain, ()):
                    note = pattern_problem(pattern) or _why_not(normalise(pattern), wanted)
                    if note and note not in notes:
                        notes.append(note)
            domain = domain.partition(".")[2]
        return None, NameMatch(wanted, False, None, tuple(notes))

    def _match_all(self, wanted: str) -> tuple[str | None, NameMatch]:
        """The slow path for a name that is no plain host name: every SAN is asked."""
        notes: list[str] = []
        everything = [
            *self._exact.values(),
            *(entry for entries in self._wildcards.values() for entry in entries),
            *self._other,
        ]
        for label, pattern in everything:
            ok, note = _match(pattern, wanted)
            if ok:
                return label, NameMatch(wanted, True, pattern, ())
            if note and note not in notes:
                notes.append(note)
        return None, NameMatch(wanted, False, None, tuple(notes))


def describe_names(sans: Sequence[str], cns: Sequence[str]) -> str:
    """What the certificate carries, for a message."""
    if sans:
        return "it carries " + ", ".join(sans)
    if cns:
        return (
            f"it has no subjectAltName DNS names (only the subject CN {', '.join(cns)}, "
            "which RFC 6125 clients ignore)"
        )
    return "it has no subjectAltName DNS names and no CN"
