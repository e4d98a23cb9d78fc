"""Opening the Teams Connector PFX, and saying plainly what a file is when it is not one.

Users hand over whatever their CA sent: a PEM bundle, a .cer, a .p7b, a half-copied file. Each
gets its own one-line reason, because the fix differs (convert, export again, copy again).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from checks.certs import InputProblem
from checks.certs.pkcs12_info import NotPkcs12, Pkcs12Structure, read_structure

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

PEM_LABEL = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----")
PFX_VERSION = b"\x02\x01\x03"


class PfxProblem(InputProblem):
    """Why the PFX cannot be used."""


@dataclass(frozen=True)
class OpenedPfx:
    key: PrivateKeyTypes
    leaf: x509.Certificate  # the certificate whose public key is the private key's
    others: tuple[x509.Certificate, ...]  # every other certificate, in file order
    structure: Pkcs12Structure


def read_file(path: Path) -> bytes:
    """The file's bytes, or a `PfxProblem` that names the path."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise PfxProblem("missing", f"{path} does not exist") from None
    except IsADirectoryError:
        raise PfxProblem("unreadable", f"{path} is a folder, not a PFX file") from None
    except OSError as exc:
        raise PfxProblem("unreadable", f"{path} cannot be read ({exc.strerror})") from None


def read_pfx_structure(data: bytes) -> Pkcs12Structure:
    """The PFX's ASN.1 structure without the password; `PfxProblem` when it is not a PFX."""
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
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import load_der_private_key, pkcs7

    try:
        cert = x509.load_der_x509_certificate(data)
    except ValueError:
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
    except ValueError:
        pass
    else:
        return (
            "pkcs7",
            f"the file is a PKCS#7 bundle (.p7b) of {len(bundle)} "
            "certificate(s), not a PFX: it holds no private key",
        )
    try:
        load_der_private_key(data, None)
    except (ValueError, TypeError):
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
        return (
            "corrupt",
            f"the file starts as a PFX but its structure is damaged ({error.reason})",
        )
    return (
        "not-pfx",
        "the file is not a PFX (PKCS#12): its content is not a certificate "
        "format pxready recognises",
    )


def open_pfx(data: bytes, password: str) -> OpenedPfx:
    """Open the PFX with the password; one key and its certificate, or a `PfxProblem`."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.serialization import pkcs12

    identify_text(data)
    try:
        structure = read_structure(data, password)
    except NotPkcs12 as exc:  # what read_pfx_structure says; the password changes nothing here
        raise PfxProblem(*_identify_binary(data, exc)) from None
    if structure.mac_verified is False:
        raise PfxProblem(
            "wrong-password", "wrong password: the PFX's integrity check (MAC) does not match it"
        )
    loaded = None
    last_error = ""
    for candidate in [password.encode("utf-8")] if password else [b"", None]:
        try:
            loaded = pkcs12.load_pkcs12(data, candidate)
            break
        except (ValueError, UnsupportedAlgorithm, TypeError) as exc:
            last_error = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if loaded is None:
        if structure.mac_verified:
            hidden = ", ".join(
                sorted(
                    {
                        c.protection.describe()
                        for c in structure.containers
                        if c.protection is not None
                    }
                )
            )
            raise PfxProblem(
                "undecryptable",
                "the password is right but the PFX does not "
                f"decrypt ({last_error or 'unsupported protection'}; "
                f"{hidden or 'no encrypted containers'})",
            )
        raise PfxProblem(
            "wrong-password",
            "the PFX does not open with this password: the "
            "password is wrong or the file is damaged (it has no integrity MAC "
            "to tell which)",
        )
    certs: list[x509.Certificate] = []
    if loaded.cert is not None:
        certs.append(loaded.cert.certificate)
    certs.extend(c.certificate for c in loaded.additional_certs)
    key_bags = len(structure.key_bags)
    if loaded.key is None and key_bags == 0:
        raise PfxProblem(
            "no-key", f"the PFX holds no private key, only {len(certs)} certificate(s)"
        )
    if key_bags > 1:
        raise PfxProblem(
            "several-keys",
            f"the PFX holds {key_bags} private keys; the installer expects exactly one",
        )
    if loaded.key is None:
        raise PfxProblem("no-key", "the PFX's private key could not be read")
    leaf = matching_certificate(loaded.key, certs)
    if leaf is None:
        names = "; ".join(c.subject.rfc4514_string() for c in certs) or "none"
        raise PfxProblem(
            "no-matching-certificate",
            f"the PFX holds no certificate for its private key (certificates: {names})",
        )
    others = tuple(c for c in certs if c is not leaf)
    return OpenedPfx(loaded.key, leaf, others, structure)


def matching_certificate(
    key: PrivateKeyTypes, certs: list[x509.Certificate]
) -> x509.Certificate | None:
    """The certificate whose public key is the private key's."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    wanted = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    for cert in certs:
        try:
            found = cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        except ValueError:  # an algorithm cryptography cannot load
            continue
        if found == wanted:
            return cert
    return None
