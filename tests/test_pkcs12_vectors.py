"""pxready's own PKCS#12 reader opens what OpenSSL opens: a differential test over every PKCS#12
file of cryptography's test vectors (the `cryptography_vectors` package, `.[fuzz]`)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, pkcs12

from checks.certs.pfx import PfxProblem, open_pfx

vectors = pytest.importorskip("cryptography_vectors")
ALL = sorted(Path(vectors.__file__).parent.rglob("*.p12"))
# Every file made to test PKCS#12 itself, and a tenth of the PKITS certificate files (the same
# exporter, many times over): the whole set takes half a minute, mostly OpenSSL's RSA checks.
FILES = [f for f in ALL if "PKITS" not in str(f)] + [f for f in ALL if "PKITS" in str(f)][::10]
PASSWORDS = ("cryptography", "password", "")


def _spki(key: object) -> bytes:
    return key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)  # type: ignore[attr-defined]


def _reference(data: bytes) -> tuple[str, pkcs12.PKCS12KeyAndCertificates] | None:
    for password in PASSWORDS:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return password, pkcs12.load_pkcs12(data, password.encode() or None)
        except ValueError:
            continue
    return None


def test_there_are_vectors() -> None:
    assert len(ALL) > 400 and len(FILES) > 50


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_opens_what_openssl_opens(path: Path) -> None:
    data = path.read_bytes()
    reference = _reference(data)
    if reference is None or reference[1].key is None:
        pytest.skip("OpenSSL finds no key to compare with")
    password, expected = reference
    try:
        opened = open_pfx(data, password)
    except PfxProblem as problem:
        # A key without its certificate is no use to the installer: pxready says so.
        assert expected.cert is None and not expected.additional_certs, problem.message
        assert problem.kind == "no-matching-certificate"
        return
    assert _spki(opened.key) == _spki(expected.key)
    certificates = [c.certificate for c in expected.additional_certs]
    if expected.cert is not None:
        certificates.append(expected.cert.certificate)
    assert {c.public_bytes(Encoding.DER) for c in (opened.leaf, *opened.others)} == {
        c.public_bytes(Encoding.DER) for c in certificates
    }
