"""A fast certificate factory for network tests, whose certificates point at live test servers.

The committed fixture PKI cannot carry AIA, CRL or OCSP URLs for servers whose ports are only
known once a test runs, so network tests mint their certificates here: ECDSA P-256 keys by
default (fast), RSA 2048 on request (`key_type="rsa"`, e.g. for 3DES). Validity defaults are
fixed so nothing expires under the test clock (2027-06-01) nor on the real one: CAs
2020-01-01..2099-12-31, leaves 2026-01-01..2036-01-01 (UTC).

    root = make_root("Test Root")
    inter = make_intermediate(root, "Test Issuing CA", crl_urls=[http.url("/inter.crl")])
    leaf = make_leaf(inter, ["px1.example.com"], aia_issuers=[http.url("/inter.crt")])
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

KeyType = Literal["ec", "rsa"]
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

CA_NOT_BEFORE = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
CA_NOT_AFTER = dt.datetime(2099, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
LEAF_NOT_BEFORE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
LEAF_NOT_AFTER = dt.datetime(2036, 1, 1, tzinfo=dt.UTC)

EKUS = {
    "serverAuth": ExtendedKeyUsageOID.SERVER_AUTH,
    "clientAuth": ExtendedKeyUsageOID.CLIENT_AUTH,
    "codeSigning": ExtendedKeyUsageOID.CODE_SIGNING,
    "emailProtection": ExtendedKeyUsageOID.EMAIL_PROTECTION,
    "OCSPSigning": ExtendedKeyUsageOID.OCSP_SIGNING,
}


@dataclass(frozen=True)
class Issued:
    """A certificate and its private key."""

    cert: x509.Certificate
    key: PrivateKey

    @property
    def serial(self) -> int:
        return self.cert.serial_number

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    def key_pem(self) -> bytes:
        """The key as unencrypted PKCS#8 PEM."""
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


@dataclass(frozen=True)
class NetPki:
    """Root → intermediate → leaf, as the `test_pki` fixture makes them."""

    root: Issued
    intermediate: Issued
    leaf: Issued

    def leaf_chain_pem(self) -> bytes:
        """Leaf then intermediate: what a server sends."""
        return chain_pem(self.leaf, self.intermediate)


def new_key(key_type: KeyType = "ec") -> PrivateKey:
    """A fresh P-256 or RSA 2048 key."""
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "pxready tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _build(
    subject: x509.Name,
    key: PrivateKey,
    issuer: Issued | None,
    not_before: dt.datetime,
    not_after: dt.datetime,
    extensions: Iterable[tuple[x509.ExtensionType, bool]],
) -> Issued:
    signer_key = key if issuer is None else issuer.key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject if issuer is None else issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()),
            critical=False,
        )
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return Issued(builder.sign(signer_key, hashes.SHA256()), key)


def _distribution(
    aia_issuers: Sequence[str], ocsp_urls: Sequence[str], crl_urls: Sequence[str]
) -> list[tuple[x509.ExtensionType, bool]]:
    """AIA (caIssuers, OCSP) and CRL distribution point extensions for the given URLs."""
    extensions: list[tuple[x509.ExtensionType, bool]] = []
    access = [
        *(
            x509.AccessDescription(
                AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(u)
            )
            for u in ocsp_urls
        ),
        *(
            x509.AccessDescription(
                AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(u)
            )
            for u in aia_issuers
        ),
    ]
    if access:
        extensions.append((x509.AuthorityInformationAccess(access), False))
    if crl_urls:
        points = [
            x509.DistributionPoint([x509.UniformResourceIdentifier(u)], None, None, None)
            for u in crl_urls
        ]
        extensions.append((x509.CRLDistributionPoints(points), False))
    return extensions


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip


def make_root(cn: str = "pxready Test Root", *, key_type: KeyType = "ec") -> Issued:
    """A self-signed root CA."""
    key = new_key(key_type)
    basic = x509.BasicConstraints(ca=True, path_length=None)
    return _build(
        _name(cn), key, None, CA_NOT_BEFORE, CA_NOT_AFTER, [(basic, True), (_ca_usage(), True)]
    )


def make_intermediate(
    issuer: Issued,
    cn: str = "pxready Test Issuing CA",
    *,
    aia_issuers: Sequence[str] = (),
    crl_urls: Sequence[str] = (),
    ocsp_urls: Sequence[str] = (),
    key_type: KeyType = "ec",
) -> Issued:
    """An intermediate CA under `issuer`, optionally pointing at AIA/CRL/OCSP URLs."""
    extensions = [
        (x509.BasicConstraints(ca=True, path_length=0), True),
        (_ca_usage(), True),
        *_distribution(aia_issuers, ocsp_urls, crl_urls),
    ]
    return _build(_name(cn), new_key(key_type), issuer, CA_NOT_BEFORE, CA_NOT_AFTER, extensions)


def make_leaf(
    issuer: Issued,
    names: Sequence[str],
    *,
    eku: Sequence[str] = ("serverAuth", "clientAuth"),
    aia_issuers: Sequence[str] = (),
    crl_urls: Sequence[str] = (),
    ocsp_urls: Sequence[str] = (),
    ip_addresses: Sequence[str] = (),
    not_before: dt.datetime = LEAF_NOT_BEFORE,
    not_after: dt.datetime = LEAF_NOT_AFTER,
    key_type: KeyType = "ec",
) -> Issued:
    """An end-entity certificate: CN is the first name, SANs are `names` (DNS) and IPs."""
    sans: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    sans += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses]
    key = new_key(key_type)
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=key_type == "rsa",
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (usage, True),
        *_distribution(aia_issuers, ocsp_urls, crl_urls),
    ]
    if sans:
        extensions.append((x509.SubjectAlternativeName(sans), False))
    if eku:
        extensions.append((x509.ExtendedKeyUsage([EKUS[e] for e in eku]), False))
    subject = _name(names[0] if names else "pxready test leaf")
    return _build(subject, key, issuer, not_before, not_after, extensions)


def chain_pem(*certs: Issued | x509.Certificate) -> bytes:
    """The certificates as concatenated PEM, in the order given."""
    return b"".join(_cert(c).public_bytes(serialization.Encoding.PEM) for c in certs)


def pkcs7_certs_only(*certs: Issued | x509.Certificate) -> bytes:
    """A DER certs-only PKCS#7 bundle (what many caIssuers URLs serve as .p7c)."""
    return pkcs7.serialize_certificates([_cert(c) for c in certs], serialization.Encoding.DER)


def make_crl(
    issuer: Issued,
    revoked_serials: Iterable[int] = (),
    *,
    this_update: dt.datetime = LEAF_NOT_BEFORE,
    next_update: dt.datetime = LEAF_NOT_AFTER,
    revoked_at: dt.datetime = LEAF_NOT_BEFORE,
) -> bytes:
    """A DER CRL signed by `issuer` listing `revoked_serials` (reason: key compromise)."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    )
    for serial in revoked_serials:
        revoked = (
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(revoked_at)
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
        builder = builder.add_revoked_certificate(revoked)
    crl = builder.sign(issuer.key, hashes.SHA256())
    return crl.public_bytes(serialization.Encoding.DER)


def _cert(c: Issued | x509.Certificate) -> x509.Certificate:
    return c.cert if isinstance(c, Issued) else c
