"""Checks of the Teams Connector certificate: the PFX the installer uploads (issue #3).

The PFX is opened once per run (`Context.memo`) and shared by every connector-cert check. When
it cannot be opened, connector-cert.pfx says why and the others are `skip` with that reason.
Certificate libraries are imported inside the functions: listing checks must stay fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from checks.certs.advice import EXPORT_AGAIN
from readiness import (
    CheckSkipped,
    Context,
    Finding,
    failed,
    passed,
    warned,
)
from readiness import check as _check
from readiness.check import PasswordNeed
from readiness.text import count

if TYPE_CHECKING:
    from checks.certs.pfx import PfxState


def pfx_state(ctx: Context) -> PfxState:
    from checks.certs import pfx

    return pfx.pfx_state(ctx)


def password_needed(ctx: Context) -> list[PasswordNeed]:
    from checks.certs import pfx

    return pfx.password_needed(ctx)


# Connector certificate results come after the variables script's, before the nodes'.
check = partial(_check, order=20, passwords=password_needed)

GUIDE = "Pexip Teams Connector planning guide"
TLS_SECTION = f"{GUIDE}: Obtaining and preparing the TLS certificate for the Teams Connector"
PRINCIPLES = f"{GUIDE}: Network and certificate requirements (certificate usage principles)"

CNG_REMEDIATION = """\
Re-export the PFX so that Windows stores the key with a legacy CryptoAPI provider: on Windows,
import it with `certutil -csp "Microsoft Enhanced RSA and AES Cryptographic Provider" -importpfx
pexip-teams.pfx` and export it again; or rebuild it with OpenSSL, which writes no provider
attribute: `openssl pkcs12 -legacy -in old.pfx -nodes -out all.pem`, then
`openssl pkcs12 -export -legacy -in all.pem -out pexip-teams.pfx`, and delete all.pem (it holds
the unencrypted key)."""

# Windows key storage: a name of a CNG key storage provider (KSP) means the installer refuses
# the key. CryptoAPI (CSP) names are fine.
CNG_PROVIDERS = frozenset(
    {
        "microsoft software key storage provider",
        "microsoft platform crypto provider",
        "microsoft smart card key storage provider",
        "microsoft passport key storage provider",
    }
)


def _key_description(key: object) -> str:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    if isinstance(key, rsa.RSAPrivateKey):
        return f"RSA {key.key_size}-bit key"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return f"ECDSA {key.curve.name} key"
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "Ed25519 key"
    if isinstance(key, ed448.Ed448PrivateKey):
        return "Ed448 key"
    if isinstance(key, dsa.DSAPrivateKey):
        return f"DSA {key.key_size}-bit key"
    return f"{type(key).__name__} key"


# -- checks -----------------------------------------------------------------------------------


@check(
    "connector-cert.pfx",
    "Teams Connector PFX opens and holds one key with its certificate",
    reference=f"{TLS_SECTION} (PFX with the private key and every intermediate)",
    remediation=EXPORT_AGAIN,
)
def pfx_opens(ctx: Context) -> Finding:
    """The installer uploads the PFX named by $PxPfxCertFileName (or `pfx` in pxready.toml,
    or --pfx) and asks for its password. pxready opens it the same way, with the password from
    the environment variable PXREADY_PFX_PASSWORD (or the one `pfx_password_env` names), or
    asks on a terminal. The file must be a binary PKCS#12 file holding exactly one private key
    and the certificate that belongs to it. A PEM file, a .cer, a .p7b, an empty, truncated or
    otherwise damaged file each get their own message. A wrong password is told apart from a
    damaged file by the file's integrity MAC. Without a password (variable unset, no terminal)
    the result is `error`: pxready cannot reach a verdict. The password, the key and the key
    material never appear in any output.
    """
    from checks.certs.facts import certificate_facts

    state = pfx_state(ctx)
    if state.verdict is not None:
        return state.verdict
    opened = state.require()
    ctx.contribute("certificates", certificate_facts(opened.leaf, "Teams Connector", state.shown))
    subject = opened.leaf.subject.rfc4514_string() or "(empty subject)"
    return passed(
        f"{state.shown} opens: {_key_description(opened.key)} with its certificate {subject}, "
        f"and {count(len(opened.others), 'other certificate')}",
        location=state.location,
        details={
            "path": state.shown,
            "subject": subject,
            "key": _key_description(opened.key),
            "other_certificates": [c.subject.rfc4514_string() for c in opened.others],
        },
    )


@check(
    "connector-cert.key",
    "Teams Connector key is RSA of 2048 bits or more, not bound to a CNG provider",
    reference=f'{TLS_SECTION} ("It must use RSA keys"); the installer\'s ECDSA and CNG checks',
    remediation="Request the certificate with an RSA key of at least 2048 bits (a new CSR), "
    "then export it as a PFX.",
)
def key_usable(ctx: Context) -> Finding:
    """The installer accepts RSA keys only: it stops with "The certificate … is an ECDSA
    certificate, which is currently not supported" otherwise, and keys below 2048 bits are
    refused by current Windows and CA policy. It also refuses a key that Windows would store in
    a CNG key storage provider ("The private key of certificate … is stored in a CNG Key
    Storage Provider, which is currently not supported"). Windows chooses the provider from the
    PKCS#12 bag attribute 1.3.6.1.4.1.311.17.1 on the key bag: a key storage provider name
    such as "Microsoft Software Key Storage Provider" or "Microsoft Platform Crypto Provider"
    fails; a CryptoAPI provider such as "Microsoft Enhanced RSA and AES Cryptographic Provider",
    or no attribute, is fine. PFX files exported from a CNG-stored key carry the KSP name.
    """
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    state = pfx_state(ctx)
    opened = state.require()
    key = opened.key
    subject = opened.leaf.subject.rfc4514_string()
    providers = [b.key_provider for b in opened.structure.key_bags if b.key_provider]
    details: dict[str, Any] = {"key": _key_description(key), "key_providers": providers}
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return failed(
            f'{_key_description(key)}: the installer stops with "The certificate '
            f'{subject} is an ECDSA certificate, which is currently not supported"',
            details=details,
            location=state.location,
        )
    if not isinstance(key, rsa.RSAPrivateKey):
        return failed(
            f"{_key_description(key)}: the installer needs an RSA key",
            details=details,
            location=state.location,
        )
    if key.key_size < 2048:
        return failed(
            f"RSA {key.key_size}-bit key: at least 2048 bits are needed",
            details=details,
            location=state.location,
        )
    cng = [p for p in providers if _is_cng(p)]
    if cng:
        return failed(
            f'the key is bound to the CNG provider "{cng[0]}" (PKCS#12 attribute '
            '1.3.6.1.4.1.311.17.1); the installer stops with "The private key of certificate '
            f"{subject} is stored in a CNG Key Storage Provider, which is currently not "
            'supported"',
            details=details,
            location=state.location,
            remediation=CNG_REMEDIATION,
        )
    unknown = [p for p in providers if not _is_csp(p)]
    if unknown:
        return warned(
            f'RSA {key.key_size}-bit key; the key provider "{unknown[0]}" is not a '
            "known CryptoAPI provider: if it is a CNG key storage provider, the "
            "installer refuses the key",
            details=details,
            location=state.location,
            remediation=CNG_REMEDIATION,
        )
    where = f' (provider "{providers[0]}")' if providers else " (no key-provider attribute)"
    if not opened.structure.key_bags:
        where = (
            " (the key bag's attributes are not visible: it sits in a container pxready "
            "could not open)"
        )
    return passed(f"RSA {key.key_size}-bit key{where}", details=details, location=state.location)


def _is_cng(provider: str) -> bool:
    lowered = provider.strip().lower()
    return lowered in CNG_PROVIDERS or "key storage provider" in lowered


def _is_csp(provider: str) -> bool:
    lowered = provider.strip().lower()
    return not _is_cng(provider) and (
        "cryptographic provider" in lowered or "crypto provider" in lowered
    )


@check(
    "connector-cert.pfx-encryption",
    "Teams Connector PFX uses an encryption Windows can import",
    reference="Windows PFX import (TripleDES-SHA1 or AES256-SHA256); OpenSSL 3 writes AES by "
    "default, -legacy writes 3DES",
    remediation="""
    Export the PFX again with TripleDES-SHA1: Windows certificate export wizard, encryption
    "TripleDES-SHA1"; PowerShell `Export-PfxCertificate -CryptoAlgorithmOption TripleDES_SHA1`;
    OpenSSL 3 `openssl pkcs12 -legacy -in old.pfx -nodes -out all.pem`, then
    `openssl pkcs12 -export -legacy -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1
    -in all.pem -out pexip-teams.pfx`, and delete all.pem (it holds the unencrypted key).
    AES256-SHA256 also works on Windows 10 1709 / Server 2019 and later.
    """,
)
def pfx_encryption(ctx: Context) -> Finding:
    """Windows imports PFX files protected with TripleDES-SHA1 (pbeWithSHAAnd3-KeyTripleDES-CBC
    with a SHA-1 MAC) or AES256-SHA256 (PBES2: PBKDF2 with HMAC-SHA256 and AES-256-CBC, with a
    SHA-256 MAC); both pass. Windows Server 2016 and older cannot read AES-protected files and
    report a wrong password instead, which the message of an AES pass says (OpenSSL 3 writes AES
    by default; `-legacy` writes 3DES). pxready's policy for the rest: an unencrypted private
    key, a key protected by RC2, RC4, DES or an unknown scheme, PBES2 with other ciphers or
    PRFs, and MD5, MD2 or PBMAC1 MACs `fail`; RC2-40 on the certificates with a 3DES key (what
    OpenSSL's -legacy option and older Windows exports write) passes with a note: Windows
    imports it, though FIPS-mode systems refuse RC2; a SHA-384/512 MAC, or no MAC, are `warn`.
    The protection is read from the PKCS#12 structure, without the password when the key bag
    is visible.
    """
    from checks.certs import encryption

    state = pfx_state(ctx)
    if state.structure is None:
        raise CheckSkipped(state.unavailable, because=state.because)
    return encryption.judge(state.structure).finding(location=state.location)


@check(
    "connector-cert.eku",
    "Teams Connector certificate allows server and client authentication",
    reference=f"{PRINCIPLES}: \"every certificate's Enhanced Key Usage properties must be set "
    'for both server and client authentication"',
    remediation="Ask the CA for a certificate with both serverAuth and clientAuth in its "
    "Extended Key Usage (TLS Web Server and TLS Web Client Authentication).",
)
def connector_eku(ctx: Context) -> Finding:
    """The Teams Connector and the Conferencing Nodes authenticate each other with TLS client
    certificates, so the connector's certificate is used both as a server and as a client
    certificate: its Extended Key Usage must list serverAuth and clientAuth. An intermediate
    that restricts EKU without clientAuth makes clientAuth invalid through the chain on Windows.
    A certificate without the EKU extension (or with anyExtendedKeyUsage only) fails too: RFC
    5280 reads it as any purpose, but the planning guide requires both usages to be set.
    Public CAs are withdrawing clientAuth
    from TLS server certificates (browser root-program rules, dates from 2025 to March 2027),
    so a renewal may silently lose it.
    """
    from checks.certs import eku

    state = pfx_state(ctx)
    opened = state.require()
    return eku.judge(opened.leaf, opened.ca_certificates).finding(location=state.location)


@check(
    "connector-cert.chain",
    "Teams Connector PFX carries its intermediates and chains to a trusted root",
    reference=f'{TLS_SECTION}: "Any intermediate certificates must also be in the PFX file"; '
    "signed by an external trusted CA",
    remediation="""
    Put every intermediate certificate of the issuing CA into the PFX (Windows export: "Include
    all certificates in the certification path"; OpenSSL: -certfile intermediates.pem). Use a
    certificate from a publicly trusted CA: a self-signed or private-CA certificate is not
    trusted by the Conferencing Nodes and Microsoft's side.
    """,
)
def connector_chain(ctx: Context) -> Finding:
    """The PFX must contain the intermediate certificates, in any order, so that the chain
    from the leaf reaches a trusted root without fetching anything. Trust anchors are the
    Mozilla CA bundle (certifi) unless `[trust] ca_bundle` or --ca-bundle names another.
    cryptography's X.509 verifier builds the path; dates, EKU and names are left to the other
    checks. When the chain breaks, the message names the missing issuer's subject, or says that
    the certificate is self-signed or ends at an untrusted (private) root.
    """
    from checks.certs import chain

    state = pfx_state(ctx)
    opened = state.require()
    roots, label = chain.trust_roots(ctx)
    verdict = chain.judge(opened.leaf, list(opened.others), roots, label, ctx.at, "the PFX")
    return verdict.finding(location=state.location)


@check(
    "connector-cert.validity",
    "Teams Connector certificate is valid on the install date",
    reference=f"{TLS_SECTION}; replacing the certificate later means redeploying the connector",
    remediation="Renew the certificate (or the expired intermediate) before the install date; "
    "replacing it after install requires redeploying the Teams Connector.",
)
def connector_validity(ctx: Context) -> Finding:
    """The leaf and every intermediate in the PFX must be valid at --at (the planned install
    day; default now). Within `[checks] expiry_warning_days` (default 30) of expiry the result
    is `warn`: replacing the connector's certificate later means redeploying the connector.
    The message names the certificate concerned.
    """
    from checks.certs import validity

    state = pfx_state(ctx)
    opened = state.require()
    verdict = validity.judge(
        opened.leaf, opened.ca_certificates, ctx.at, ctx.deployment.expiry_warning_days
    )
    return verdict.finding(location=state.location)


@check(
    "connector-cert.name",
    "Teams Connector certificate matches $PxTeamsConnFqdn",
    reference=f"{TLS_SECTION} (RFC 6125 matching; wildcard only as the whole left-most label)",
    remediation="""
    Get a certificate whose subjectAltName has $PxTeamsConnFqdn as a DNS name, or a wildcard
    *.<parent domain> covering exactly that one label. Each region's connector needs a name (and
    a certificate that matches it) of its own.
    """,
)
def connector_name(ctx: Context) -> Iterator[Finding]:
    """Pexip follows RFC 6125 (RFC 9525 since 2023): only subjectAltName dNSName entries count
    (the subject CN is ignored, and a certificate without SANs matches nothing); comparison is
    case-insensitive; a wildcard is only the whole left-most label and covers exactly one label,
    never the bare domain, never part of a label (f*.example.com), never an xn-- label, and
    never a public suffix (*.com, *.co.uk; pxready knows the common multi-label suffixes, not
    the full Public Suffix List). With several connectors, each is checked against its own
    $PxTeamsConnFqdn, so a certificate shared by two regions fails for the one it misses.
    """
    from checks.certs import names

    state = pfx_state(ctx)
    opened = state.require()
    variables = ctx.variables()
    fqdn = variables.fqdn
    if not fqdn:
        raise CheckSkipped(
            "$PxTeamsConnFqdn is not set (vars.required reports it)", because="variable not set"
        )
    sans = names.san_dns_names(opened.leaf)
    result = names.match_hostname(sans, fqdn)
    details = {"fqdn": fqdn, "san_dns_names": sans, "common_names": names.common_names(opened.leaf)}
    where = variables.location("PxTeamsConnFqdn")
    if result.matched:
        how = "exactly" if names.normalise(result.by or "") == fqdn else f"by {result.by}"
        yield passed(f"{state.shown} matches {fqdn} {how}", details=details, location=where)
        return
    carries = names.describe_names(sans, names.common_names(opened.leaf))
    why = f" ({'; '.join(result.notes)})" if result.notes else ""
    yield failed(
        f"the certificate does not match {fqdn}: {carries}{why}", details=details, location=where
    )
