"""Does a certificate carry a DNS name, under RFC 6125 / RFC 9525?

pyca's service-identity does the matching: SAN dNSName only (the subject CN is ignored, and a
certificate without SANs matches nothing), case-insensitive, a wildcard only in the left-most
label and covering exactly one label, never an `xn--` label, and partial wildcards
(`f*.example.com`) never matching. On top of it this module adds what service-identity leaves
to the caller: the wildcard must be the whole left-most label, one trailing dot is normalised,
and a wildcard never covers a public suffix (`*.com`, `*.co.uk`). The public-suffix test uses a
small built-in list of common multi-label suffixes, not the full Public Suffix List: every
single-label suffix is refused, plus the entries below. A wildcard directly over a registrable
domain that is missing from the list is therefore accepted, as browsers without the list do.
A SAN identical to the name checked is recognised without importing service-identity (see
`_identical`); every other decision is still service-identity's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography import x509

# Multi-label public suffixes that are common in practice (ICANN second-level registries and
# the cloud-provider domains a Teams deployment is likely to meet). Not the full PSL.
MULTI_LABEL_PUBLIC_SUFFIXES = frozenset(
    {
        # United Kingdom, Ireland
        "co.uk",
        "org.uk",
        "me.uk",
        "ltd.uk",
        "plc.uk",
        "net.uk",
        "ac.uk",
        "gov.uk",
        "nhs.uk",
        "sch.uk",
        "police.uk",
        "gov.ie",
        # Australia, New Zealand
        "com.au",
        "net.au",
        "org.au",
        "edu.au",
        "gov.au",
        "asn.au",
        "id.au",
        "co.nz",
        "net.nz",
        "org.nz",
        "govt.nz",
        "ac.nz",
        "school.nz",
        # Asia
        "co.jp",
        "ne.jp",
        "or.jp",
        "ac.jp",
        "go.jp",
        "ad.jp",
        "ed.jp",
        "gr.jp",
        "lg.jp",
        "co.kr",
        "or.kr",
        "ne.kr",
        "go.kr",
        "ac.kr",
        "com.cn",
        "net.cn",
        "org.cn",
        "gov.cn",
        "edu.cn",
        "ac.cn",
        "com.hk",
        "net.hk",
        "org.hk",
        "gov.hk",
        "edu.hk",
        "com.tw",
        "net.tw",
        "org.tw",
        "gov.tw",
        "edu.tw",
        "com.sg",
        "net.sg",
        "org.sg",
        "gov.sg",
        "edu.sg",
        "co.in",
        "net.in",
        "org.in",
        "firm.in",
        "gen.in",
        "ind.in",
        "gov.in",
        "ac.in",
        "co.id",
        "or.id",
        "ac.id",
        "go.id",
        "web.id",
        "com.my",
        "net.my",
        "org.my",
        "gov.my",
        "edu.my",
        "com.ph",
        "net.ph",
        "org.ph",
        "gov.ph",
        "co.th",
        "in.th",
        "ac.th",
        "go.th",
        "or.th",
        "com.vn",
        "net.vn",
        "org.vn",
        "gov.vn",
        "com.pk",
        "net.pk",
        "org.pk",
        "gov.pk",
        "co.il",
        "org.il",
        "net.il",
        "ac.il",
        "gov.il",
        "com.sa",
        "net.sa",
        "org.sa",
        "gov.sa",
        "ae.org",
        "co.ae",
        "gov.ae",
        "com.tr",
        "net.tr",
        "org.tr",
        "gov.tr",
        "edu.tr",
        # Americas
        "com.br",
        "net.br",
        "org.br",
        "gov.br",
        "edu.br",
        "com.mx",
        "net.mx",
        "org.mx",
        "gob.mx",
        "edu.mx",
        "com.ar",
        "net.ar",
        "org.ar",
        "gob.ar",
        "com.co",
        "net.co",
        "org.co",
        "gov.co",
        "com.pe",
        "gob.pe",
        "com.uy",
        "com.ve",
        "co.cr",
        "qc.ca",
        "on.ca",
        "bc.ca",
        "ab.ca",
        # Africa
        "co.za",
        "org.za",
        "net.za",
        "gov.za",
        "ac.za",
        "web.za",
        "co.ke",
        "or.ke",
        "co.ug",
        "co.tz",
        "com.ng",
        "com.eg",
        # Europe
        "co.at",
        "or.at",
        "gv.at",
        "ac.at",
        "com.pl",
        "net.pl",
        "org.pl",
        "gov.pl",
        "com.es",
        "org.es",
        "gob.es",
        "nom.es",
        "com.pt",
        "gov.pt",
        "com.gr",
        "gov.gr",
        "com.cy",
        "com.mt",
        "co.hu",
        "com.ua",
        "gov.ua",
        "com.ru",
        "co.rs",
        "co.no",
        "priv.no",
        # Cloud and hosting domains where each customer gets a subdomain
        "cloudapp.net",
        "cloudapp.azure.com",
        "azurewebsites.net",
        "azurestaticapps.net",
        "trafficmanager.net",
        "blob.core.windows.net",
        "azureedge.net",
        "azurefd.net",
        "amazonaws.com",
        "cloudfront.net",
        "appspot.com",
        "herokuapp.com",
        "github.io",
        "netlify.app",
        "vercel.app",
        "pages.dev",
        "workers.dev",
    }
)


# A name service-identity takes as a DNS-ID exactly as written: LDH labels, at least one
# letter. It refuses only characters outside [a-z0-9-_.] and what int() or ipaddress would
# read as an IP address; without a colon, no such string has a letter.
PLAIN_NAME = re.compile(r"(?=.*[a-z])[a-z0-9-]+(?:\.[a-z0-9-]+)*")


@dataclass(frozen=True)
class NameMatch:
    hostname: str
    matched: bool
    by: str | None  # the SAN that matched
    notes: tuple[str, ...]  # why near-miss SANs do not match, for the message


def normalise(name: str) -> str:
    """Lower case, surrounding space and one trailing dot removed."""
    name = name.strip().lower()
    return name[:-1] if name.endswith(".") else name


def is_public_suffix(domain: str) -> bool:
    domain = normalise(domain)
    return "." not in domain or domain in MULTI_LABEL_PUBLIC_SUFFIXES


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
    """Match `hostname` against the certificate's SAN dNSNames."""
    patterns = list(patterns)
    same = _identical(patterns, hostname)
    if same is not None:
        return NameMatch(normalise(hostname), True, same, ())
    notes: list[str] = []
    for pattern in patterns:
        ok, note = _match(pattern, hostname)
        if ok:
            return NameMatch(normalise(hostname), True, pattern, ())
        if note and note not in notes:
            notes.append(note)
    return NameMatch(normalise(hostname), False, None, tuple(notes))


def _identical(patterns: Sequence[str], hostname: str) -> str | None:
    """The SAN that service-identity would match because it is `hostname` itself, or None.

    Importing service-identity (and attrs) costs about 25 ms, and a certificate usually carries
    the very names it is checked for. For a SAN without a wildcard service-identity compares
    the whole name, so an identical plain name is a match and a different one is not; any
    wildcard ahead of it, any unusual name, and every miss still go to service-identity, so it
    remains the authority on what matches and on the notes that explain a miss.
    """
    wanted = normalise(hostname)
    if not PLAIN_NAME.fullmatch(wanted):
        return None
    for pattern in patterns:
        candidate = normalise(pattern)
        if "*" in candidate:
            return None
        if candidate == wanted:
            return pattern
    return None


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
