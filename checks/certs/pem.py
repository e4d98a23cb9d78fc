"""Reading a Conferencing Node certificate file: PEM, leaf first, then its intermediates.

Pexip's Management Node takes PEM. Files in other formats are recognised and named, so that the
message says which conversion is needed rather than only "does not parse".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from checks.certs import InputProblem
from checks.certs.loading import CertificateProblem, certificate_from_der, certificate_from_pem
from readiness.files import InputFileError, read_input

if TYPE_CHECKING:
    from cryptography import x509

PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.DOTALL)
KEY_LABELS = ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY")


class CertFileProblem(InputProblem):
    """Why a node certificate file cannot be used."""


class CertFile(NamedTuple):
    path: Path
    leaf: x509.Certificate
    intermediates: tuple[x509.Certificate, ...]
    has_private_key: bool
    leaf_position: int = 1  # where the leaf stands in the file, counting from 1


def read_cert_file(path: Path) -> CertFile:
    """The certificates of a PEM file, or a `CertFileProblem` saying what the file is."""
    try:
        data = read_input(path, what="certificate file")
    except InputFileError as problem:
        raise CertFileProblem(problem.kind, f"the file {problem.message}") from None
    return parse_cert_file(path, data)


def parse_cert_file(path: Path, data: bytes) -> CertFile:
    if not data.strip():
        raise CertFileProblem(
            "empty", "the file is empty" if not data else "the file holds only whitespace"
        )
    blocks = PEM_BLOCK.findall(data)
    if not blocks:
        if b"-----BEGIN" in data:
            raise CertFileProblem(
                "bad-pem",
                "the file has a PEM header but no complete -----BEGIN/-----END block (truncated?)",
            )
        raise CertFileProblem(*_identify_binary(path, data))
    labels = [label.decode() for label, _ in blocks]
    certificates: list[x509.Certificate] = []
    for number, (label, body) in enumerate(blocks, start=1):
        if label != b"CERTIFICATE":
            continue
        pem = b"-----BEGIN CERTIFICATE-----\n" + body + b"-----END CERTIFICATE-----\n"
        try:
            certificates.append(certificate_from_pem(pem, f"PEM block {number} (CERTIFICATE)"))
        except CertificateProblem as problem:
            raise CertFileProblem(problem.kind, problem.message) from None
    has_key = any(label in KEY_LABELS for label in labels)
    if not certificates:
        if has_key:
            raise CertFileProblem("key-only", "the file holds a private key but no certificate")
        raise CertFileProblem(
            "no-certificate",
            f"the PEM file holds no certificate (blocks: {', '.join(sorted(set(labels)))})",
        )
    index = _leaf_index(certificates)
    others = tuple(c for i, c in enumerate(certificates) if i != index)
    return CertFile(path, certificates[index], others, has_key, index + 1)


def _shell_word(name: str) -> str:
    """A file name as it can be pasted into a shell: quoted when it holds anything unusual."""
    return name if re.fullmatch(r"[A-Za-z0-9._+-]+", name) else '"' + name.replace('"', "") + '"'


def _leaf_index(certificates: list[x509.Certificate]) -> int:
    """The leaf is meant to come first, but bundles assembled by hand often start with the
    intermediates: when the first certificate is a CA that another one in the file names as
    its issuer, and exactly one certificate is no CA and issues none of the others, that one
    is the leaf."""
    if len(certificates) < 2:
        return 0

    def is_ca(cert: x509.Certificate) -> bool:
        from cryptography import x509

        try:
            return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
        except x509.ExtensionNotFound:
            return False

    def issues_another(index: int) -> bool:
        subject = certificates[index].subject
        return any(c.issuer == subject for i, c in enumerate(certificates) if i != index)

    if not (is_ca(certificates[0]) and issues_another(0)):
        return 0
    leaves = [i for i, c in enumerate(certificates) if not is_ca(c) and not issues_another(i)]
    return leaves[0] if len(leaves) == 1 else 0


def _identify_binary(path: Path, data: bytes) -> tuple[str, str]:
    """What a binary file is, with the command that converts it (named for the file itself)."""
    name = _shell_word(path.name)
    pem_name = _shell_word(path.with_suffix(".pem").name if path.suffix != ".pem" else
                           path.stem + "-converted.pem")  # fmt: skip
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.serialization import load_der_private_key, pkcs7

    from checks.certs.pkcs12_info import NotPkcs12, read_structure

    try:
        cert = certificate_from_der(data)
    except CertificateProblem:
        pass
    else:
        return (
            "der",
            "the file is a DER (binary) certificate for "
            f"{cert.subject.rfc4514_string()}, not PEM: convert it with "
            f"`openssl x509 -inform der -in {name} -out {pem_name}`",
        )
    try:
        read_structure(data)
    except NotPkcs12:
        pass
    else:
        return (
            "pfx",
            "the file is a PFX (PKCS#12), not PEM: node certificates are PEM "
            f"(`openssl pkcs12 -legacy -in {name} -nokeys -out {pem_name}`)",
        )
    try:
        pkcs7.load_der_pkcs7_certificates(data)
    except (ValueError, UnsupportedAlgorithm):  # other PKCS#7 types raise the latter
        pass
    else:
        return (
            "pkcs7",
            "the file is a PKCS#7 bundle (.p7b), not PEM: convert it with "
            f"`openssl pkcs7 -inform der -print_certs -in {name} -out {pem_name}` (a bundle "
            "lists its certificates in any order: put the node's own first)",
        )
    try:
        load_der_private_key(data, None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        pass
    else:
        return ("key-only", "the file is a private key (DER), not a certificate")
    return (
        "not-certificate",
        "the file is not a certificate: no PEM block, and not DER, PKCS#7 or PFX",
    )
