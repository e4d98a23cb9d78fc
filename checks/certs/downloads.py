"""What a CA's server answers with, parsed: certificates from a caIssuers URL (DER, a certs-only
PKCS#7, or PEM), a CRL, an OCSP response. The bodies come from the network: hostile input,
every parse failure a `CertificateProblem` with one line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from checks.certs.loading import CertificateProblem, _complete, _reason, parse_errors

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.x509 import ocsp


class Served(NamedTuple):
    form: str  # "DER", "PKCS#7", "PEM"
    certificates: tuple[x509.Certificate, ...]


def served_certificates(body: bytes) -> Served:
    """The certificates a caIssuers URL served, or a `CertificateProblem` saying why none."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import pkcs7

    if not body:
        raise CertificateProblem("empty", "the body is empty")
    loaders: tuple[tuple[str, Callable[[], Sequence[x509.Certificate]]], ...] = (
        ("DER", lambda: (x509.load_der_x509_certificate(body),)),
        ("PKCS#7", lambda: pkcs7.load_der_pkcs7_certificates(body)),
        ("PEM", lambda: x509.load_pem_x509_certificates(body)),
    )
    for form, load in loaders:
        if form == "PEM" and b"-----BEGIN" not in body:
            continue
        try:
            certificates = tuple(_complete(c) for c in load())
        except parse_errors():
            continue
        if certificates:
            return Served(form, certificates)
    raise CertificateProblem("not-a-certificate", "the body is no certificate")


def crl_from_body(body: bytes) -> x509.CertificateRevocationList:
    from cryptography import x509

    try:
        if body.lstrip().startswith(b"-----BEGIN"):
            crl = x509.load_pem_x509_crl(body)
        else:
            crl = x509.load_der_x509_crl(body)
        _ = crl.issuer, crl.next_update_utc, crl.last_update_utc, len(crl)
    except parse_errors() as exc:
        raise CertificateProblem("not-a-crl", f"the body is no CRL ({_reason(exc)})") from None
    return crl


def ocsp_response_from_body(body: bytes) -> ocsp.OCSPResponse:
    from cryptography.x509 import ocsp

    try:
        response = ocsp.load_der_ocsp_response(body)
        _ = response.response_status
    except parse_errors() as exc:
        raise CertificateProblem(
            "not-an-ocsp-response", f"the body is no OCSP response ({_reason(exc)})"
        ) from None
    return response
