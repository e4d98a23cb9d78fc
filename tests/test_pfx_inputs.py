"""Whatever bytes arrive as a PFX or a node PEM, reading them gives a verdict, never a crash.

The readers are the code the checks run; their only allowed exceptions are the problem types
the checks turn into `fail` results.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conftest import FIXTURES, GOOD_VARS, Deployment
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, PrivateFormat
from cryptography.hazmat.primitives.serialization import pkcs12
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.certs.pem import CertFileProblem, parse_cert_file
from checks.certs.pfx import PfxProblem, open_pfx, read_pfx_structure
from checks.certs.pkcs12_info import read_structure

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
@given(st.one_of(st.binary(max_size=2048),
                 st.text(max_size=2048).map(lambda t: t.encode("utf-8", "surrogatepass")),
                 st.integers(0, len(NODE_PEM)).map(lambda n: NODE_PEM[:n])))
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
        algorithm = (pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC if builder == "3des"
                     else pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        encryption = (PrivateFormat.PKCS12.encryption_builder().kdf_rounds(1000)
                      .key_cert_algorithm(algorithm).hmac_hash(hashes.SHA256())
                      .build(b"pw-123456"))
    data = pkcs12.serialize_key_and_certificates(b"x", opened.key, opened.leaf,  # type: ignore[arg-type]
                                                 cas, encryption)
    structure = read_structure(data, "pw-123456")
    assert structure.mac_verified is True
    assert not structure.hidden  # every container opened with the password
    assert len(structure.key_bags) == 1
    assert len(structure.certificate_bags) == 2
    expected = "3DES-CBC" if builder == "3des" else "AES-256-CBC"
    assert {c.protection.cipher for c in structure.containers if c.protection} == {expected}
    assert open_pfx(data, "pw-123456").leaf == opened.leaf


def test_key_bag_inside_an_encrypted_container_is_found() -> None:
    # Some exporters put the key bag inside encryptedData; its attributes are only visible
    # after decrypting the container, which the reader does with the password.
    opened = open_pfx(GOOD, PASSWORD)
    data = pkcs12.serialize_key_and_certificates(
        b"x", opened.key, opened.leaf, None,  # type: ignore[arg-type]
        PrivateFormat.PKCS12.encryption_builder()
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC).build(b"pw-123456"))
    structure = read_structure(data, "pw-123456")
    assert [b.kind for b in structure.bags].count("shrouded-key") == 1
    without = read_structure(data)
    assert without.mac_verified is None


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_file_end_to_end(deployment: Deployment, seed: int) -> None:
    deployment.vars(GOOD_VARS)
    (deployment.root / "pexip-teams.pfx").write_bytes(random.Random(seed).randbytes(1 + seed * 700))
    deployment.config('[[connector]]\nvars = "variables.ps1"\n')
    run = deployment.check("--format", "json", "--offline", "--only", "connector-cert.*",
                           env={"PXREADY_PFX_PASSWORD": PASSWORD})
    result = run.result("connector-cert.pfx")
    assert result["status"] == "fail"
    assert "bug" not in result["message"]
    assert run.code == 1
