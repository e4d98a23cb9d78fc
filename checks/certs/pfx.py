"""Opening the Teams Connector PFX, and saying plainly what a file is when it is not one.

Users hand over whatever their CA sent: a PEM bundle, a .cer, a .p7b, a half-copied file. Each
gets its own one-line reason, because the fix differs (convert, export again, copy again). The
file is read once, its MAC verified and each part decrypted once (`pkcs12_info`); the key and
certificates are then loaded from the decrypted encodings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from checks.certs import InputProblem
from checks.certs.advice import EXPORT_AGAIN, REMEDIATIONS
from checks.certs.loading import CertificateProblem, certificate_from_der, private_key_from_der
from checks.certs.pkcs12_crypto import TooManyIterations
from checks.certs.pkcs12_info import NotPkcs12, Pkcs12Structure, read_structure
from readiness import CheckSkipped, Context, Finding, Location, errored, failed
from readiness.check import PasswordNeed
from readiness.connector import display_path
from readiness.files import InputFileError, read_input
from readiness.model import EMPTY

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

PEM_LABEL = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----")
PFX_VERSION = b"\x02\x01\x03"


class PfxProblem(InputProblem):
    """Why the PFX cannot be used."""


class OpenedPfx(NamedTuple):
    key: PrivateKeyTypes
    leaf: x509.Certificate  # the certificate whose public key is the private key's
    others: tuple[x509.Certificate, ...]  # every other certificate, in file order
    structure: Pkcs12Structure

    @property
    def ca_certificates(self) -> list[x509.Certificate]:
        """The intermediates (and any root) that came with the leaf."""
        from cryptography import x509

        found = []
        for cert in self.others:
            try:
                constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
            except x509.ExtensionNotFound:
                continue
            if constraints.value.ca:
                found.append(cert)
        return found


# -- identifying what a file is ----------------------------------------------------------------


def read_pfx_structure(data: bytes) -> Pkcs12Structure:
    """The PFX's structure without the password; `PfxProblem` when it is not a PFX."""
    identify_text(data)
    try:
        return read_structure(data)
    except NotPkcs12 as exc:
        raise PfxProblem(*_identify_binary(data, exc)) from None


def identify_text(data: bytes) -> None:
    """Raise for an empty file or a PEM file, the two cases recognisable without ASN.1."""
    if not data:
        raise PfxProblem("empty", "the file is empty (0 bytes)")
    head = data[:4096].lstrip(b"\xef\xbb\xbf\r\n\t ")
    labels = sorted({m.decode() for m in PEM_LABEL.findall(data)})
    if labels or head.startswith(b"-----BEGIN"):
        what = ", ".join(labels) if labels else "text"
        raise PfxProblem("pem", f"the file is PEM text ({what}), not a binary PFX (PKCS#12)")
    if not data.strip(b"\r\n\t "):
        raise PfxProblem("empty", f"the file holds only whitespace ({len(data)} bytes)")


def _identify_binary(data: bytes, error: NotPkcs12) -> tuple[str, str]:
    """What a binary file that is not a PKCS#12 structure is, as (kind, message)."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.serialization import load_der_private_key, pkcs7

    try:
        cert = certificate_from_der(data)
    except CertificateProblem:
        pass
    else:
        return (
            "der-certificate",
            "the file is a DER certificate (.cer/.crt) for "
            f"{cert.subject.rfc4514_string() or 'an empty subject'}, not a PFX: "
            "it holds no private key",
        )
    try:
        bundle = pkcs7.load_der_pkcs7_certificates(data)
    except (ValueError, UnsupportedAlgorithm):  # other PKCS#7 types raise the latter
        pass
    else:
        return (
            "pkcs7",
            f"the file is a PKCS#7 bundle (.p7b) of {_count(len(bundle), 'certificate')}, "
            "not a PFX: it holds no private key",
        )
    try:
        load_der_private_key(data, None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        pass
    else:
        return (
            "der-key",
            "the file is a bare private key (DER), not a PFX: it holds no certificate",
        )
    # SEQUENCE then INTEGER 3: how every PFX starts, and random bytes hardly ever do.
    looks_like_pfx = data[:1] == b"\x30" and PFX_VERSION in data[1:8]
    if error.truncated and looks_like_pfx:
        return (
            "truncated",
            f"the file is a truncated PFX: its structure stops part-way "
            f"({len(data)} bytes); copy it again",
        )
    if looks_like_pfx:
        return "corrupt", f"the file starts as a PFX but its structure is damaged ({error.reason})"
    return (
        "not-pfx",
        "the file is not a PFX (PKCS#12): its content is not a certificate "
        "format pxready recognises",
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


# -- opening -----------------------------------------------------------------------------------


def open_pfx(data: bytes, password: str) -> OpenedPfx:
    """Open the PFX with the password; one key and its certificate, or a `PfxProblem`."""
    identify_text(data)
    try:
        structure = read_structure(data, password)
    except NotPkcs12 as exc:  # what read_pfx_structure says; the password changes nothing here
        raise PfxProblem(*_identify_binary(data, exc)) from None
    except TooManyIterations as exc:
        raise PfxProblem("iterations", exc.reason) from None
    if structure.mac_verified is False:
        raise PfxProblem(
            "wrong-password", "wrong password: the PFX's integrity check (MAC) does not match it"
        )
    certs = []
    for number, bag in enumerate(structure.certificate_bags, start=1):
        if bag.certificate_der is not None:
            try:
                certs.append(certificate_from_der(bag.certificate_der, f"certificate {number}"))
            except CertificateProblem as problem:
                raise PfxProblem(problem.kind, f"the PFX's {problem.message}") from None
    key_bags = structure.key_bags
    if len(key_bags) > 1:
        raise PfxProblem(
            "several-keys",
            f"the PFX holds {len(key_bags)} private keys; the installer expects exactly one",
        )
    hidden = structure.hidden
    if not key_bags or key_bags[0].key_der is None:
        _why_no_key(structure, certs, key_bags[0].key_problem if key_bags else None)
    try:
        key = private_key_from_der(key_bags[0].key_der or b"")
    except CertificateProblem as problem:
        raise PfxProblem(problem.kind, problem.message) from None
    leaf = matching_certificate(key, certs)
    if leaf is None:
        if hidden and structure.mac_verified:
            _undecryptable(structure, None)
        names = "; ".join(c.subject.rfc4514_string() for c in certs) or "none"
        raise PfxProblem(
            "no-matching-certificate",
            f"the PFX holds no certificate for its private key (certificates: {names})",
        )
    others = tuple(c for c in certs if c is not leaf)
    return OpenedPfx(key, leaf, others, structure)


def _why_no_key(
    structure: Pkcs12Structure, certs: list[x509.Certificate], key_problem: str | None
) -> None:
    if key_problem is None and not structure.hidden:
        raise PfxProblem(
            "no-key", f"the PFX holds no private key, only {_count(len(certs), 'certificate')}"
        )
    if structure.mac_verified:
        _undecryptable(structure, key_problem)
    raise PfxProblem(
        "wrong-password",
        "the PFX does not open with this password: the password is wrong or the file is "
        "damaged (it has no integrity MAC to tell which)",
    )


def _undecryptable(structure: Pkcs12Structure, key_problem: str | None) -> None:
    reasons = sorted({c.problem for c in structure.hidden if c.problem})
    if key_problem:
        reasons.insert(0, f"the key: {key_problem}")
    protections = sorted(
        {c.protection.describe() for c in structure.containers if c.protection is not None}
    )
    raise PfxProblem(
        "undecryptable",
        "the password is right but the PFX does not decrypt ("
        f"{'; '.join(reasons) or 'unsupported protection'}; "
        f"{', '.join(protections) or 'no encrypted containers'})",
    )


def matching_certificate(
    key: PrivateKeyTypes, certs: list[x509.Certificate]
) -> x509.Certificate | None:
    """The certificate whose public key is the private key's."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    wanted = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    for cert in certs:
        found = cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        if found == wanted:
            return cert
    return None


# -- the connector's PFX, once per run -----------------------------------------------------------


class PfxState(NamedTuple):
    """The connector's PFX as far as it could be read, shared by the connector-cert checks."""

    path: Path | None
    shown: str
    location: Location | None
    verdict: Finding | None  # connector-cert.pfx's result when the PFX cannot be used
    unavailable: str  # why the checks that need the opened PFX are `skip`
    structure: Pkcs12Structure | None = None
    opened: OpenedPfx | None = None
    details: Mapping[str, Any] = EMPTY
    because: str = "PFX not opened"  # for the summary of what was not checked

    def require(self) -> OpenedPfx:
        if self.opened is None:
            raise CheckSkipped(self.unavailable, because=self.because)
        return self.opened


def pfx_path(ctx: Context) -> tuple[Path | None, Location | None]:
    """The connector's PFX (pxready.toml or --pfx, else $PxPfxCertFileName) and the script
    line that names it."""
    connector = ctx.connector
    if connector is None:
        raise CheckSkipped("this check runs per connector, and none is configured")
    if connector.pfx_path is not None:
        return connector.pfx_path, None
    variables = ctx.variables()
    location = None
    if variables.assignment("PxPfxCertFileName") is not None:
        location = variables.location("PxPfxCertFileName")
    return variables.pfx_path(), location


def password_needed(ctx: Context) -> list[PasswordNeed]:
    """What to ask for before the run: the connector's PFX password, if the PFX is there."""
    try:
        path, _ = pfx_path(ctx)
    except CheckSkipped:
        return []
    if path is None or ctx.connector is None or not path.is_file():
        return []
    return [PasswordNeed(ctx.connector.pfx_password_env, path)]


def pfx_state(ctx: Context) -> PfxState:
    """Locate, read and open the connector's PFX: once per run for each file and password."""
    connector = ctx.connector
    path, location = pfx_path(ctx)
    assert connector is not None
    env = connector.pfx_password_env
    secret = ctx.password(env)  # registers the password for scrubbing in every check
    password = secret.reveal() if secret is not None else None
    source = "the password you typed" if secret is not None and secret.typed else None
    key = ("connector-cert.pfx", path, env, connector.position if path is None else None)
    return ctx.memo(key, lambda: _load(path, location, env, password, source))


def _load(
    path: Path | None,
    location: Location | None,
    env: str,
    password: str | None,
    source: str | None,
) -> PfxState:
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
            because="no PFX",
        )
    shown = display_path(path)
    file_location = Location(shown)
    try:
        data = read_input(path, what="PFX")
    except InputFileError as problem:
        where = location if problem.kind == "missing" and location else file_location
        message = f"{shown} {problem.message}"
        if problem.kind == "missing" and location is not None:
            message += " ($PxPfxCertFileName points there)"
        return PfxState(
            path,
            shown,
            where,
            failed(
                message,
                location=where,
                details={"path": shown, "problem": problem.kind},
                remediation=REMEDIATIONS.get(problem.kind, REMEDIATIONS["unreadable"]),
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
            because="no PFX password",
        )
    if _not_text(password):
        return _unopened(
            path,
            shown,
            structure,
            f"the password in {env} is not valid text (it was set from a terminal that is not "
            "UTF-8), so it cannot open the PFX",
            "unusable-password",
            f"Set {env} again from a UTF-8 terminal (PowerShell, Windows Terminal, or a UTF-8 "
            "locale), or run pxready on a terminal and type the password when asked.",
        )
    try:
        opened = open_pfx(data, password)
    except PfxProblem as problem:
        if problem.kind == "wrong-password":
            detail = problem.message.split(": ", 1)[-1]
            if source is not None:
                message = f"{source} does not open {shown}: {detail}"
                remediation = f"Type the password {shown} was exported with."
            else:
                message = f"the password in {env} does not open {shown}: {detail}"
                remediation = f"Set {env} to the password {shown} was exported with."
            remediation += (
                " pxready checked the password against the file's own integrity MAC, so this "
                "is not the AES-on-old-Windows problem."
            )
        else:
            message = f"{shown}: {problem.message}"
            remediation = REMEDIATIONS.get(problem.kind, EXPORT_AGAIN)
        return _unopened(path, shown, structure, message, problem.kind, remediation)
    return PfxState(path, shown, file_location, None, "", opened.structure, opened)


def _unopened(
    path: Path, shown: str, structure: Pkcs12Structure, message: str, kind: str, remediation: str
) -> PfxState:
    where = Location(shown)
    return PfxState(
        path,
        shown,
        where,
        failed(
            message,
            location=where,
            details={"path": shown, "problem": kind},
            remediation=remediation,
        ),
        f"the PFX {shown} does not open (see connector-cert.pfx)",
        structure,
    )


def _not_text(password: str) -> bool:
    """A password from a non-UTF-8 environment arrives with lone surrogates in it."""
    return any("\ud800" <= c <= "\udfff" for c in password)
