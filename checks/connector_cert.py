"""Checks of the Teams Connector certificate: the PFX the installer uploads (issue #3).

The PFX is opened once per run (`Context.memo`) and shared by every connector-cert check. When
it cannot be opened, connector-cert.pfx says why and the others are `skip` with that reason.
Certificate libraries are imported inside the functions: listing checks must stay fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checks.certs import as_finding
from readiness import (
    CheckError,
    CheckSkipped,
    Context,
    Finding,
    Location,
    check,
    errored,
    failed,
    passed,
    warned,
)
from readiness.connector import display_path

if TYPE_CHECKING:
    from cryptography import x509

    from checks.certs.pfx import OpenedPfx
    from checks.certs.pkcs12_info import Pkcs12Structure, Protection

GUIDE = "Pexip Teams Connector planning guide"
TLS_SECTION = f"{GUIDE}: Obtaining and preparing the TLS certificate for the Teams Connector"
PRINCIPLES = f"{GUIDE}: Network and certificate requirements (certificate usage principles)"

EXPORT_AGAIN = """\
Export the certificate again as a PFX from the machine that holds its private key (Windows:
certlm.msc > the certificate > All Tasks > Export > "Yes, export the private key", "Include all
certificates in the certification path", encryption TripleDES-SHA1), or build one with OpenSSL:
`openssl pkcs12 -export -legacy -in cert.pem -inkey key.pem -certfile intermediates.pem
-out pexip-teams.pfx`. The Pexip Management Node can also download a certificate as PFX with
its private key and intermediates."""

REMEDIATIONS = {
    "missing": "Put the PFX where $PxPfxCertFileName points (relative paths are read from the "
    "variables script's folder), or give its path as `pfx` under [[connector]] in "
    "pxready.toml or with --pfx.",
    "unreadable": "Make the PFX file readable by the account that runs pxready and the installer.",
    "empty": "The file is empty: copy the PFX again from where it was exported.",
    "pem": "This is PEM text. The installer needs a binary PFX with the private key and the "
    "intermediates. " + EXPORT_AGAIN,
    "der-certificate": "This is the certificate alone, without its private key. " + EXPORT_AGAIN,
    "pkcs7": "This is a certificate bundle without the private key. " + EXPORT_AGAIN,
    "der-key": "This is the private key alone, without the certificate. " + EXPORT_AGAIN,
    "truncated": "The file is incomplete: copy it again in binary mode (a text-mode transfer or "
    "an interrupted download damages it), or export it again.",
    "corrupt": "The file is damaged: copy it again in binary mode, or export it again.",
    "not-pfx": "Give the PKCS#12 file (.pfx or .p12) that was exported with the private key. "
    + EXPORT_AGAIN,
    "undecryptable": "Export the PFX again with TripleDES-SHA1 (or AES256-SHA256) encryption.",
    "no-key": "The PFX must hold the private key. " + EXPORT_AGAIN,
    "several-keys": "The PFX must hold exactly one private key: the one of the Teams Connector "
    "certificate. " + EXPORT_AGAIN,
    "no-matching-certificate": "The PFX must hold the certificate that belongs to its private "
    "key. " + EXPORT_AGAIN,
}

CNG_REMEDIATION = """\
Re-export the PFX so that Windows stores the key with a legacy CryptoAPI provider: on Windows,
import it with `certutil -csp "Microsoft Enhanced RSA and AES Cryptographic Provider" -importpfx
pexip-teams.pfx` and export it again; or rebuild it with OpenSSL, which writes no provider
attribute: `openssl pkcs12 -in old.pfx -nodes -out all.pem`, then
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

TRIPLE_DES_PBE = "1.2.840.113549.1.12.1.3"
RC2_40_PBE = "1.2.840.113549.1.12.1.6"


@dataclass(frozen=True)
class PfxState:
    """The connector's PFX as far as it could be read, shared by the connector-cert checks."""

    path: Path | None
    shown: str
    location: Location | None
    verdict: Finding | None  # connector-cert.pfx's result when the PFX cannot be used
    unavailable: str  # why the checks that need the opened PFX are `skip`
    structure: Pkcs12Structure | None = None
    opened: OpenedPfx | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def require(self) -> OpenedPfx:
        if self.opened is None:
            raise CheckSkipped(self.unavailable)
        return self.opened


def pfx_state(ctx: Context) -> PfxState:
    """Locate, read and open the connector's PFX: once per run for each file and password."""
    connector = ctx.connector
    if connector is None:
        raise CheckSkipped("this check runs per connector, and none is configured")
    env = connector.pfx_password_env
    secret = ctx.password(env)  # registers the password for scrubbing in every check
    location: Location | None = None
    if connector.pfx_path is not None:
        path: Path | None = connector.pfx_path
    else:
        variables = ctx.variables()
        path = variables.pfx_path()
        if variables.assignment("PxPfxCertFileName") is not None:
            location = variables.location("PxPfxCertFileName")
    password = secret.reveal() if secret is not None else None
    key = ("connector-cert.pfx", path, env, connector.index if path is None else None)
    return ctx.memo(key, lambda: _load(path, location, env, password))


def _load(path: Path | None, location: Location | None, env: str, password: str | None) -> PfxState:
    from checks.certs.pfx import PfxProblem, open_pfx, read_file, read_pfx_structure

    if path is None:
        return PfxState(
            None,
            "(none)",
            location,
            failed(
                "no PFX is configured: $PxPfxCertFileName is not set, and neither `pfx` in "
                "pxready.toml nor --pfx names one",
                remediation=REMEDIATIONS["missing"],
            ),
            "no PFX is configured (see connector-cert.pfx)",
        )
    shown = display_path(path)
    file_location = Location(shown)
    try:
        data = read_file(path)
    except PfxProblem as problem:
        where = location if problem.kind == "missing" and location else file_location
        message = f"{shown} does not exist" if problem.kind == "missing" else problem.message
        if problem.kind == "missing" and location is not None:
            message += " ($PxPfxCertFileName points there)"
        return PfxState(
            path,
            shown,
            where,
            failed(
                message,
                location=where,
                details={"path": shown},
                remediation=REMEDIATIONS.get(problem.kind),
            ),
            f"the PFX {shown} cannot be read (see connector-cert.pfx)",
        )
    try:
        structure = read_pfx_structure(data)
    except PfxProblem as problem:
        return PfxState(
            path,
            shown,
            file_location,
            failed(
                f"{shown}: {problem.message}",
                location=file_location,
                details={"path": shown, "problem": problem.kind, "size": len(data)},
                remediation=REMEDIATIONS.get(problem.kind),
            ),
            f"{shown} is not a usable PFX (see connector-cert.pfx)",
        )
    if password is None:
        return PfxState(
            path,
            shown,
            file_location,
            errored(
                f"no password for {shown}: the environment variable {env} is not set and "
                "standard input is not a terminal to ask for it",
                location=file_location,
                details={"path": shown, "password_env": env},
                remediation=f"Set {env} to the PFX password in the environment that runs "
                "pxready, run pxready on a terminal to be asked, or name another "
                "variable with --pfx-password-env.",
            ),
            f"the PFX password is not available ({env} is not set)",
            structure,
        )
    try:
        opened = open_pfx(data, password)
    except PfxProblem as problem:
        if problem.kind == "wrong-password":
            message = (
                f"wrong password for {shown} (from {env}): " + problem.message.split(": ", 1)[-1]
            )
            remediation = (
                f"Set {env} to the password the PFX was exported with. pxready "
                "checked the password against the file's own integrity MAC, so "
                "this is not the AES-on-old-Windows problem."
            )
        else:
            message = f"{shown}: {problem.message}"
            remediation = REMEDIATIONS.get(problem.kind, EXPORT_AGAIN)
        return PfxState(
            path,
            shown,
            file_location,
            failed(
                message,
                location=file_location,
                details={"path": shown, "problem": problem.kind},
                remediation=remediation,
            ),
            f"the PFX {shown} does not open (see connector-cert.pfx)",
            structure,
        )
    return PfxState(path, shown, file_location, None, "", opened.structure, opened)


def _ca_certificates(opened: OpenedPfx) -> list[x509.Certificate]:
    """The PFX's CA certificates: the intermediates (and any root) that came with the leaf."""
    from cryptography import x509

    found = []
    for cert in opened.others:
        try:
            constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        except (x509.ExtensionNotFound, ValueError):
            continue
        if constraints.ca:
            found.append(cert)
    return found


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
    uses_pfx_password=True,
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
    state = pfx_state(ctx)
    if state.verdict is not None:
        return state.verdict
    opened = state.require()
    subject = opened.leaf.subject.rfc4514_string() or "(empty subject)"
    return passed(
        f"{state.shown} opens: {_key_description(opened.key)} with its certificate {subject}, "
        f"and {len(opened.others)} other certificate(s)",
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
    uses_pfx_password=True,
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
    OpenSSL 3 `openssl pkcs12 -export -legacy -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES
    -macalg sha1 ...`. AES256-SHA256 also works on Windows 10 1709 / Server 2019 and later.
    """,
    uses_pfx_password=True,
)
def pfx_encryption(ctx: Context) -> Finding:
    """Windows imports PFX files protected with TripleDES-SHA1 (pbeWithSHAAnd3-KeyTripleDES-CBC
    with a SHA-1 MAC) or AES256-SHA256 (PBES2: PBKDF2 with HMAC-SHA256 and AES-256-CBC, with a
    SHA-256 MAC); both pass. Windows Server 2016 and older cannot read AES-protected files and
    report a wrong password instead, which the message of an AES pass says (OpenSSL 3 writes AES
    by default; `-legacy` writes 3DES). pxready's policy for the rest: an unencrypted private
    key, a key protected by RC2, RC4, DES or an unknown scheme, PBES2 with other ciphers or
    PRFs, and MD5, MD2 or PBMAC1 MACs `fail`; RC2-40 on the certificates only (what `openssl
    -legacy` and older Windows write: Windows imports it, FIPS-mode systems do not), a
    SHA-384/512 MAC, or no MAC are `warn`. The protection is read from the PKCS#12 structure,
    without the password when the key bag is visible.
    """
    state = pfx_state(ctx)
    structure = state.structure
    if structure is None:
        raise CheckSkipped(state.unavailable)
    return _judge_encryption(structure, state)


def _judge_encryption(structure: Pkcs12Structure, state: PfxState) -> Finding:
    from checks.certs.pkcs12_info import NOT_ENCRYPTED

    verdicts: list[tuple[str, str]] = []  # (status, reason)
    key_protections: list[Protection] = []
    for bag in structure.key_bags:
        if bag.kind == "key" and bag.protection.scheme == "none":
            verdicts.append(("fail", "the private key is stored unencrypted (a plain key bag)"))
            key_protections.append(NOT_ENCRYPTED)
        elif bag.kind == "key":
            key_protections.append(bag.protection)
        else:
            key_protections.append(bag.protection)
            container = structure.containers[bag.container]
            if container.protection is not None:
                key_protections.append(container.protection)
    cert_protections = _unique(
        [c.protection for c in structure.containers if c.protection is not None]
    )
    key_protections = _unique(key_protections)
    for protection in _unique(key_protections + cert_protections):
        if protection.scheme != "none":
            holds_key = protection in key_protections or not structure.key_bags
            verdicts.append(_judge_protection(protection, holds_key=holds_key))
    mac = structure.mac
    if mac is None:
        verdicts.append(("warn", "the PFX has no integrity MAC"))
    elif mac.hash_name in ("sha1", "sha256"):
        verdicts.append(("pass", f"MAC {mac.algorithm}"))
    elif mac.hash_name in ("sha384", "sha512"):
        verdicts.append(
            (
                "warn",
                f"MAC {mac.algorithm} is not one Windows writes; older "
                "Windows versions may not verify it",
            )
        )
    else:
        verdicts.append(("fail", f"MAC {mac.algorithm} is not one Windows can verify"))
    profile = _profile(key_protections, cert_protections, mac.hash_name if mac else None)
    key_text = ", ".join(p.describe() for p in _unique(key_protections)) or "not visible"
    cert_text = ", ".join(p.describe() for p in cert_protections) or "not encrypted"
    summary = f"key {key_text}; certificates {cert_text}; MAC {mac.algorithm if mac else 'none'}"
    details = {
        "profile": profile,
        "key": [p.as_dict() for p in _unique(key_protections)],
        "certificates": [p.as_dict() for p in cert_protections],
        "mac": mac.as_dict() if mac else None,
        "hidden_containers": [c.problem for c in structure.hidden],
    }
    for status in ("fail", "warn"):
        reasons = [r for s, r in verdicts if s == status]
        if reasons:
            make = failed if status == "fail" else warned
            return make(
                f"{'; '.join(_unique(reasons))} ({summary})",
                details=details,
                location=state.location,
            )
    message = f"{profile or 'protection Windows imports'}: {summary}"
    if any(p.scheme == "PBES2" for p in key_protections + cert_protections):
        message += (
            "; note: AES-protected PFX files import on Windows 10 1709 / Server 2019 and later, "
            "while Windows Server 2016 and older report a wrong password: export with "
            "TripleDES-SHA1 if the installer runs there"
        )
    return passed(message, details=details, location=state.location)


def _unique(items: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _judge_protection(protection: Protection, *, holds_key: bool) -> tuple[str, str]:
    what = "the private key is" if holds_key else "the certificates are"
    if protection.oid == TRIPLE_DES_PBE:
        return "pass", "TripleDES-SHA1"
    if protection.scheme == "PBES2":
        usable_kdf = protection.kdf in ("PBKDF2 (HMAC-SHA256)", "PBKDF2 (HMAC-SHA1)")
        if protection.cipher == "AES-256-CBC" and protection.kdf == "PBKDF2 (HMAC-SHA256)":
            # One of the two profiles Windows imports (the contract passes it); the caveat for
            # old Windows Server goes into the message.
            return "pass", "AES256-SHA256"
        if usable_kdf and (protection.cipher.startswith("AES") or protection.cipher == "3DES-CBC"):
            return "warn", (
                f"{what} protected with PBES2 using {protection.cipher} and "
                f"{protection.kdf}, "
                "not one of the two profiles Windows writes; Windows Server 2016 "
                "and older cannot read PBES2"
            )
        return "fail", (
            f"{what} protected with PBES2 using {protection.cipher} and "
            f"{protection.kdf}, which Windows does not import"
        )
    if protection.oid == RC2_40_PBE and not holds_key:
        return "warn", (
            "the certificates use 40-bit RC2 (pbeWithSHAAnd40BitRC2-CBC, what "
            "`openssl -legacy` writes): Windows imports it, FIPS-mode systems do not"
        )
    return "fail", (
        f"{what} protected with {protection.scheme} ({protection.cipher}), which "
        "is broken or which Windows does not import"
    )


def _profile(keys: list[Protection], certs: list[Protection], mac: str | None) -> str | None:
    everything = _unique(keys + certs)
    if everything and all(p.oid == TRIPLE_DES_PBE for p in everything) and mac == "sha1":
        return "TripleDES-SHA1"
    if (
        everything
        and all(
            p.scheme == "PBES2" and p.cipher == "AES-256-CBC" and p.kdf == "PBKDF2 (HMAC-SHA256)"
            for p in everything
        )
        and mac == "sha256"
    ):
        return "AES256-SHA256"
    return None


@check(
    "connector-cert.eku",
    "Teams Connector certificate allows server and client authentication",
    reference=f"{PRINCIPLES}: \"every certificate's Enhanced Key Usage properties must be set "
    'for both server and client authentication"',
    remediation="Request a certificate whose Extended Key Usage lists both TLS Web Server "
    "Authentication (serverAuth) and TLS Web Client Authentication (clientAuth).",
    uses_pfx_password=True,
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
    verdict = eku.judge(opened.leaf, _ca_certificates(opened))
    return as_finding(
        verdict.status,
        verdict.message,
        details=verdict.details,
        remediation=verdict.remediation,
        location=state.location,
    )


def trust_roots(ctx: Context) -> tuple[list[x509.Certificate], str]:
    """The trust anchors for chain checks, loaded once per run; `error` when unreadable."""
    from checks.certs.chain import TrustStoreProblem, load_roots

    bundle = ctx.deployment.ca_bundle
    try:
        return ctx.memo(("trust-roots", bundle), lambda: load_roots(bundle))
    except TrustStoreProblem as problem:
        raise CheckError(problem.message) from None


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
    uses_pfx_password=True,
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
    roots, label = trust_roots(ctx)
    verdict = chain.judge(opened.leaf, list(opened.others), roots, label, ctx.at, "the PFX")
    return as_finding(
        verdict.status, verdict.message, details=verdict.details, location=state.location
    )


@check(
    "connector-cert.validity",
    "Teams Connector certificate is valid on the install date",
    reference=f"{TLS_SECTION}; replacing the certificate later means redeploying the connector",
    remediation="Renew the certificate (or the expired intermediate) before the install date; "
    "replacing it after install requires redeploying the Teams Connector.",
    uses_pfx_password=True,
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
        opened.leaf, _ca_certificates(opened), ctx.at, ctx.deployment.expiry_warning_days
    )
    return as_finding(
        verdict.status, verdict.message, details=verdict.details, location=state.location
    )


@check(
    "connector-cert.name",
    "Teams Connector certificate matches $PxTeamsConnFqdn",
    reference=f"{TLS_SECTION} (RFC 6125 matching; wildcard only as the whole left-most label)",
    remediation="""
    Get a certificate whose subjectAltName has $PxTeamsConnFqdn as a DNS name, or a wildcard
    *.<parent domain> covering exactly that one label. Each region's connector needs a name (and
    a certificate that matches it) of its own.
    """,
    uses_pfx_password=True,
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
        raise CheckSkipped("$PxTeamsConnFqdn is not set (vars.required reports it)")
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
