"""Certificates and keys from bytes: the one place where cryptography parses the user's files.

cryptography parses some parts of a certificate only when they are first used (the subject,
the issuer, the extensions, the public key), so a damaged certificate can load and then raise
inside a check. Here every part the checks use is parsed at once, and whatever cryptography
raises becomes a `CertificateProblem` with one line for the user: a file that does not parse
is a finding about that file, never a bug in a check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from checks.certs import InputProblem

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes


class CertificateProblem(InputProblem):
    """A certificate or key that cryptography cannot read."""


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else type(exc).__name__


def parse_errors() -> tuple[type[Exception], ...]:
    # Everything cryptography raises about the bytes it is given: ValueError for most damage,
    # and types of their own for unsupported algorithms, versions and duplicate extensions
    # (found by fuzzing). This function only wraps cryptography's parsers, so what it catches
    # can only be about the input.
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.x509 import DuplicateExtension, InvalidVersion, UnsupportedGeneralNameType

    return (
        ValueError,
        TypeError,
        UnsupportedAlgorithm,
        InvalidVersion,
        DuplicateExtension,
        UnsupportedGeneralNameType,  # an x400Address or EDIPartyName in a name (found by fuzzing)
    )


def _complete(cert: x509.Certificate) -> x509.Certificate:
    """Parse now what cryptography would parse later, inside a check."""
    cert.subject.rfc4514_string()
    cert.issuer.rfc4514_string()
    _ = cert.extensions, cert.not_valid_before_utc, cert.not_valid_after_utc, cert.serial_number
    cert.public_key()
    return cert


def certificate_from_der(der: bytes, what: str = "the certificate") -> x509.Certificate:
    from cryptography import x509

    try:
        return _complete(x509.load_der_x509_certificate(der))
    except parse_errors() as exc:
        raise CertificateProblem(
            "bad-certificate", f"{what} does not parse ({_reason(exc)})"
        ) from None


def certificate_from_pem(pem: bytes, what: str = "the certificate") -> x509.Certificate:
    from cryptography import x509

    try:
        return _complete(x509.load_pem_x509_certificate(pem))
    except parse_errors() as exc:
        raise CertificateProblem(
            "bad-certificate", f"{what} does not parse ({_reason(exc)})"
        ) from None


def private_key_from_der(der: bytes) -> PrivateKeyTypes:
    """A PKCS#8 key. RSA's slow self-consistency test is skipped: the caller checks instead that
    the key's public half is the certificate's, which is what the installer relies on."""
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    try:
        return load_der_private_key(der, None, unsafe_skip_rsa_key_validation=True)
    except parse_errors() as exc:
        raise CertificateProblem(
            "bad-key", f"the private key does not parse ({_reason(exc)})"
        ) from None
