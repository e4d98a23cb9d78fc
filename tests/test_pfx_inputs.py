"""Whatever bytes arrive as a PFX or a node PEM, reading them gives a verdict, never a crash.

The readers are the code the checks run; their only allowed exceptions are the problem types
the checks turn into `fail` results.
"""

# Tests are not on pxready's start-up path: the import-cost rule does not apply.

from __future__ import annotations

import random
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    PrivateFormat,
    pkcs12,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.certs.pem import CertFileProblem, parse_cert_file
from checks.certs.pfx import PfxProblem, open_pfx, read_pfx_structure
from checks.certs.pkcs12_info import read_structure
from tests.support.cli import FIXTURES, GOOD_VARS, Deployment

CONNECTOR = FIXTURES / "pki" / "connector"
PASSWORD = "Fixture-PFX-4711"
GOOD = (CONNECTOR / "good-3des.pfx").read_bytes()
AES = (CONNECTOR / "openssl-aes.pfx").read_bytes()
NODE_PEM = (FIXTURES / "pki" / "nodes" / "edge-pool.pem").read_bytes()


def read_and_open(data: bytes) -> str:
    """What the connector-cert.pfx check does with the bytes, as the kind of outcome."""
    try:
        read_pfx_structure(data)
        open_pfx(data, PASSWORD)
    except PfxProblem as problem:
        assert problem.message and "\n" not in problem.message
        return problem.kind
    return "opened"


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    assert read_and_open(data) != "opened"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([GOOD, AES]), st.data())
def test_damaged_pfx_never_raises(original: bytes, data: st.DataObject) -> None:
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(damaged) - 1))
        damaged[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(damaged)))
    read_and_open(bytes(damaged[:cut]))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_truncated_pfx_is_recognised(data: st.DataObject) -> None:
    cut = data.draw(st.integers(20, len(GOOD) - 1))
    assert read_and_open(GOOD[:cut]) in ("truncated", "corrupt")


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=2048),
        st.text(max_size=2048).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.integers(0, len(NODE_PEM)).map(lambda n: NODE_PEM[:n]),
    )
)
def test_node_file_reader_never_raises(data: bytes) -> None:
    try:
        parse_cert_file(Path("node.pem"), data)
    except CertFileProblem as problem:
        assert problem.message and "\n" not in problem.message


def test_good_pfx_opens() -> None:
    assert read_and_open(GOOD) == "opened"


@pytest.mark.parametrize("builder", ["best-available", "3des", "aes"])
def test_files_written_by_cryptography_are_read(builder: str) -> None:
    # cryptography's two encryption builders and BestAvailableEncryption.
    opened = open_pfx(GOOD, PASSWORD)
    cas = [c for c in opened.others if isinstance(c, x509.Certificate)]
    if builder == "best-available":
        encryption = BestAvailableEncryption(b"pw-123456")
    else:
        algorithm = (
            pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC
            if builder == "3des"
            else pkcs12.PBES.PBESv2SHA256AndAES256CBC
        )
        encryption = (
            PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(1000)
            .key_cert_algorithm(algorithm)
            .hmac_hash(hashes.SHA256())
            .build(b"pw-123456")
        )
    data = pkcs12.serialize_key_and_certificates(b"x", opened.key, opened.leaf, cas, encryption)
    structure = read_structure(data, "pw-123456")
    assert structure.mac_verified is True
    assert not structure.hidden  # every container opened with the password
    assert len(structure.key_bags) == 1
    assert len(structure.certificate_bags) == 2
    expected = "3DES-CBC" if builder == "3des" else "AES-256-CBC"
    assert {c.protection.cipher for c in structure.containers if c.protection} == {expected}
    assert open_pfx(data, "pw-123456").leaf == opened.leaf


def _key_bag_inside_encrypted_data(password: str) -> bytes:
    """A PFX whose shrouded key bag sits inside an AES-encrypted container, with no MAC.

    cryptography and OpenSSL put the key bag in a plain `data` container; other exporters do
    not. Built here from a cryptography-made file with pyasn1 and cryptography's primitives.
    """
    import os

    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
    from pyasn1.codec.der import decoder, encoder
    from pyasn1.type import univ
    from pyasn1_modules import rfc5280, rfc5652, rfc7292, rfc8018

    opened = open_pfx(GOOD, PASSWORD)
    source = pkcs12.serialize_key_and_certificates(
        b"x",
        opened.key,
        opened.leaf,
        None,
        PrivateFormat.PKCS12.encryption_builder()
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .build(password.encode()),
    )
    pfx, _ = decoder.decode(source, asn1Spec=rfc7292.PFX())
    auth_octets, _ = decoder.decode(bytes(pfx["authSafe"]["content"]), asn1Spec=univ.OctetString())
    auth, _ = decoder.decode(bytes(auth_octets), asn1Spec=rfc7292.AuthenticatedSafe())
    kept, key_contents = [], None
    for info in auth:
        if str(info["contentType"]) == str(rfc5652.id_data):
            octets, _ = decoder.decode(bytes(info["content"]), asn1Spec=univ.OctetString())
            key_contents = bytes(octets)
        else:
            kept.append(info)
    assert key_contents is not None

    salt, iv, iterations = os.urandom(16), os.urandom(16), 2048
    key = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations).derive(
        password.encode()
    )
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = (
        encryptor.update(padder.update(key_contents) + padder.finalize()) + encryptor.finalize()
    )

    prf = rfc5280.AlgorithmIdentifier()
    prf["algorithm"] = rfc8018.id_hmacWithSHA256
    prf["parameters"] = encoder.encode(univ.Null(""))
    kdf_params = rfc8018.PBKDF2_params()
    kdf_params["salt"]["specified"] = salt
    kdf_params["iterationCount"] = iterations
    kdf_params["prf"] = prf
    kdf = rfc5280.AlgorithmIdentifier()
    kdf["algorithm"] = rfc8018.id_PBKDF2
    kdf["parameters"] = encoder.encode(kdf_params)
    scheme = rfc5280.AlgorithmIdentifier()
    scheme["algorithm"] = rfc8018.aes256_CBC_PAD
    scheme["parameters"] = encoder.encode(univ.OctetString(iv))
    pbes2 = rfc8018.PBES2_params()
    pbes2["keyDerivationFunc"] = kdf
    pbes2["encryptionScheme"] = scheme

    encrypted = rfc5652.EncryptedData()
    encrypted["version"] = 0
    eci = encrypted["encryptedContentInfo"]
    eci["contentType"] = rfc5652.id_data
    eci["contentEncryptionAlgorithm"]["algorithm"] = rfc8018.id_PBES2
    eci["contentEncryptionAlgorithm"]["parameters"] = encoder.encode(pbes2)
    eci["encryptedContent"] = ciphertext
    info = rfc5652.ContentInfo()
    info["contentType"] = rfc5652.id_encryptedData
    info["content"] = encoder.encode(encrypted)

    new_auth = rfc7292.AuthenticatedSafe()
    for index, item in enumerate([*kept, info]):
        new_auth[index] = item
    outer = rfc7292.PFX()
    outer["version"] = 3
    outer["authSafe"]["contentType"] = rfc5652.id_data
    outer["authSafe"]["content"] = encoder.encode(univ.OctetString(encoder.encode(new_auth)))
    return bytes(encoder.encode(outer))


def test_key_bag_inside_an_encrypted_container_is_found() -> None:
    data = _key_bag_inside_encrypted_data("pw-123456")
    without = read_structure(data)
    assert without.key_bags == []  # hidden until the container is decrypted
    assert len(without.hidden) == 2
    structure = read_structure(data, "pw-123456")
    assert structure.mac is None
    assert not structure.hidden
    assert [b.kind for b in structure.bags].count("shrouded-key") == 1
    assert open_pfx(data, "pw-123456").leaf == open_pfx(GOOD, PASSWORD).leaf
    wrong = read_structure(data, "not-it")
    assert wrong.key_bags == [] and len(wrong.hidden) == 2


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_file_end_to_end(deployment: Deployment, seed: int) -> None:
    deployment.vars(GOOD_VARS)
    (deployment.root / "pexip-teams.pfx").write_bytes(random.Random(seed).randbytes(1 + seed * 700))
    deployment.config('[[connector]]\nvars = "variables.ps1"\n')
    run = deployment.checks(
        "--format",
        "json",
        "--offline",
        "--only",
        "connector-cert.*",
        env={"PXREADY_PFX_PASSWORD": PASSWORD},
    )
    result = run.result("connector-cert.pfx")
    assert result["status"] == "fail"
    assert "bug" not in result["message"]
    assert run.code == 1


@pytest.mark.parametrize("name", sorted(p.name for p in CONNECTOR.glob("*.pfx")))
def test_seeded_damage_to_every_fixture_pfx_never_raises(name: str) -> None:
    # Fixed seeds: damage patterns that once escaped the reader as IndexError/OverflowError
    # stay covered on every run, whatever hypothesis happens to draw.
    original = (CONNECTOR / name).read_bytes()
    rng = random.Random(name)
    for _ in range(40):
        damaged = bytearray(original)
        for _ in range(rng.randint(1, 6)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        read_and_open(bytes(damaged[: rng.randint(len(damaged) // 2, len(damaged))]))
