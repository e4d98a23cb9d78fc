"""The facts about a certificate that a change ticket records: who it is for, who issued it,
until when, and the thumbprints Windows and browsers show."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography import x509


def certificate_facts(cert: x509.Certificate, role: str, file: str) -> dict[str, Any]:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    from checks.certs.names import san_dns_names

    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key_text = f"RSA {key.key_size}"
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key_text = f"ECDSA {key.curve.name}"
    elif isinstance(key, dsa.DSAPublicKey):
        key_text = f"DSA {key.key_size}"
    elif isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
        key_text = type(key).__name__.removesuffix("PublicKey")
    else:
        key_text = type(key).__name__
    return {
        "role": role,
        "file": file,
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        # As the Windows certificate dialog and `certutil` show it.
        "sha1_thumbprint": cert.fingerprint(hashes.SHA1()).hex().upper(),  # noqa: S303
        "sha256_fingerprint": cert.fingerprint(hashes.SHA256()).hex(":").upper(),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "serial": format(cert.serial_number, "X"),
        "san_dns_names": san_dns_names(cert),
        "key": key_text,
    }
