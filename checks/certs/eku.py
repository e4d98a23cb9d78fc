"""Extended Key Usage: both serverAuth and clientAuth, on the leaf and through the chain.

The Teams Connector and the Conferencing Nodes authenticate each other with TLS client
certificates, so each side's certificate is used as a server and as a client certificate.

Policy for a leaf without the EKU extension: `fail`. RFC 5280 (4.2.1.12) reads a missing EKU
as "any purpose", but the planning guide says every certificate's Enhanced Key Usage "must be
set for both server and client authentication", and the contract asks that the EKU has both.
An `anyExtendedKeyUsage`-only EKU is treated the same way.

An intermediate CA certificate that carries an EKU constrains its leaves on Windows (the chain
engine intersects the usages), so an intermediate without clientAuth makes clientAuth invalid
for the leaf even when the leaf lists it; that is a `fail` naming the intermediate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from checks.certs import Verdict
from readiness.model import Status

if TYPE_CHECKING:
    from cryptography import x509

SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"
ANY_EKU = "2.5.29.37.0"
EKU_NAMES = {
    SERVER_AUTH: "serverAuth",
    CLIENT_AUTH: "clientAuth",
    "1.3.6.1.5.5.7.3.3": "codeSigning",
    "1.3.6.1.5.5.7.3.4": "emailProtection",
    "1.3.6.1.5.5.7.3.8": "timeStamping",
    "1.3.6.1.5.5.7.3.9": "OCSPSigning",
    ANY_EKU: "anyExtendedKeyUsage",
}

CLIENT_AUTH_WITHDRAWAL = """\
Ask the CA for a certificate profile that still includes both serverAuth and clientAuth (several
CAs keep a dedicated "client and server" or "mutual TLS" profile, often from a separate, still
publicly trusted hierarchy), and confirm the EKU of every renewal before installing it.

Why it is missing: public CAs are removing clientAuth from TLS server certificates. The browser
root programs (Chrome's first) require TLS server hierarchies to be serverAuth-only, and CAs
announced dates between 2025 and March 2027 after which their standard TLS certificates carry
serverAuth only, so a certificate issued or renewed recently may lack clientAuth even though
earlier ones from the same CA had it. Check with Pexip support which arrangements they support
for the connector and node certificates (for example a private CA for the Teams Connector and
Conferencing Node link) before the public option runs out."""


def usages(cert: x509.Certificate) -> list[str] | None:
    """The EKU OIDs, or None when the certificate has no EKU extension."""
    from cryptography import x509

    try:
        extension = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        return None
    return [oid.dotted_string for oid in extension.value]


def names(oids: Sequence[str]) -> list[str]:
    return [EKU_NAMES.get(oid, oid) for oid in oids]


def judge(leaf: x509.Certificate, intermediates: Sequence[x509.Certificate]) -> Verdict:
    """The EKU verdict for a leaf and the CA certificates that came with it."""
    from cryptography import x509

    try:
        found = usages(leaf)
    except (ValueError, x509.DuplicateExtension) as exc:
        return Verdict(Status.FAIL, f"the Extended Key Usage extension does not parse ({exc})")
    details: dict[str, Any] = {"eku": names(found) if found is not None else None}
    restricting = []
    for cert in intermediates:
        try:
            ca_eku = usages(cert)
        except (ValueError, x509.DuplicateExtension):
            continue
        if ca_eku is None or ANY_EKU in ca_eku:
            continue
        missing = [EKU_NAMES[o] for o in (SERVER_AUTH, CLIENT_AUTH) if o not in ca_eku]
        if missing:
            restricting.append((cert.subject.rfc4514_string(), names(ca_eku), missing))
    if restricting:
        details["restricting_intermediates"] = [
            {"subject": s, "eku": e, "missing": m} for s, e, m in restricting
        ]
    if found is None:
        # RFC 5280 reads a missing EKU as any purpose, but the planning guide requires both
        # usages to be set, and the installer and the nodes check for them.
        verdict = Verdict(
            Status.FAIL,
            "no Extended Key Usage extension: serverAuth and clientAuth must both be listed",
            details=details,
        )
    else:
        has_server, has_client = SERVER_AUTH in found, CLIENT_AUTH in found
        listed = ", ".join(names(found)) or "nothing"
        if has_server and has_client:
            verdict = Verdict(Status.PASS, "EKU has serverAuth and clientAuth", details=details)
        elif ANY_EKU in found and not (has_server or has_client):
            verdict = Verdict(
                Status.FAIL,
                "EKU is anyExtendedKeyUsage only: serverAuth and clientAuth must both be listed",
                details=details,
            )
        elif has_server:
            verdict = Verdict(
                Status.FAIL,
                "EKU has serverAuth only; clientAuth is missing",
                remediation=CLIENT_AUTH_WITHDRAWAL,
                details=details,
            )
        elif has_client:
            verdict = Verdict(
                Status.FAIL, "EKU has clientAuth only; serverAuth is missing", details=details
            )
        else:
            verdict = Verdict(
                Status.FAIL,
                f"EKU has neither serverAuth nor clientAuth ({listed})",
                details=details,
            )
    if restricting and verdict.status is not Status.FAIL:
        subject, ca_eku, missing = restricting[0]
        remediation = CLIENT_AUTH_WITHDRAWAL if "clientAuth" in missing else None
        return Verdict(
            Status.FAIL,
            f"the intermediate {subject} limits EKU to {', '.join(ca_eku)}, so "
            f"{' and '.join(missing)} is not valid for the certificate through this chain",
            remediation=remediation,
            details=details,
        )
    return verdict
