"""The PKCS#12 key derivation, MAC and ciphers, against known answers.

The KDF vectors are the classic PKCS#12 test values (BMPString passwords "smeg" and "queeg"),
each also reproduced with `openssl kdf ... PKCS12KDF`; the RC2 vectors are RFC 2268 section 5.
"""

from __future__ import annotations

import pytest

from checks.certs import rc2
from checks.certs.pkcs12_crypto import (
    MAX_ITERATIONS,
    Budget,
    MacParameters,
    TooManyIterations,
    Undecryptable,
    bmp_passwords,
    pkcs12_kdf,
    verify_mac,
)
from checks.certs.pkcs12_info import _outer
from tests.support.cli import FIXTURES

KDF_VECTORS = [
    # hash, password, salt, purpose (1 key, 2 IV, 3 MAC), iterations, length, expected
    ("sha1", "smeg", "0A58CF64530D823F", 1, 1, 24,
     "8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3"),
    ("sha1", "smeg", "0A58CF64530D823F", 2, 1, 8, "79993DFE048D3B76"),
    ("sha1", "queeg", "05DEC959ACFF72F7", 1, 1000, 24,
     "ED2034E36328830FF09DF1E1A07DD357185DAC0D4F9EB3D4"),
    ("sha1", "queeg", "05DEC959ACFF72F7", 2, 1000, 8, "11DEDAD7758D4860"),
    ("sha1", "queeg", "3D83C0E4546AC140", 3, 1000, 20, "17B9E78EA534FC2B6A35512D03799D9EA3C461C0"),
    ("sha256", "queeg", "3D83C0E4546AC140", 3, 2048, 32,
     "DE525239FA6C09B04E4E3B62CD89C8969AE6E8060FCBF3BDBE6B36CD3A08EF14"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("hash_name", "password", "salt", "purpose", "count", "length", "expected"), KDF_VECTORS
)
def test_kdf_known_answers(
    hash_name: str, password: str, salt: str, purpose: int, count: int, length: int, expected: str
) -> None:
    derived = pkcs12_kdf(
        hash_name, bmp_passwords(password)[0], bytes.fromhex(salt), purpose, count, length, Budget()
    )
    assert derived.hex().upper() == expected


def test_an_absurd_iteration_count_is_refused_before_any_work() -> None:
    budget = Budget()
    with pytest.raises(TooManyIterations, match="2,147,483,647 iterations"):
        pkcs12_kdf("sha1", b"", b"salt", 1, 2_147_483_647, 24, budget)
    assert budget.left == Budget().left  # nothing was charged, nothing derived


def test_the_budget_bounds_the_work_of_one_file() -> None:
    budget = Budget(total=3 * MAX_ITERATIONS)
    budget.charge("part", MAX_ITERATIONS, 2)
    with pytest.raises(Undecryptable, match="add up to more than"):
        budget.charge("part", MAX_ITERATIONS, 2)


def test_the_mac_of_a_real_pfx_verifies_with_its_password_only() -> None:
    data = (FIXTURES / "example" / "pexip-teams.pfx").read_bytes()
    mac, auth_safe, _ = _outer(data)
    assert mac is not None and mac.hash_name is not None
    params = MacParameters(mac.hash_name, mac.iterations, mac.salt, mac.digest)
    assert verify_mac(params, auth_safe, "pxready-example", Budget())
    assert not verify_mac(params, auth_safe, "pxready-exampl3", Budget())


RC2_VECTORS = [
    ("0000000000000000", 63, "0000000000000000", "ebb773f993278eff"),
    ("ffffffffffffffff", 64, "ffffffffffffffff", "278b27e42e2f0d49"),
    ("3000000000000000", 64, "1000000000000001", "30649edf9be7d2c2"),
    ("88", 64, "0000000000000000", "61a8a244adacccf0"),
    ("88bca90e90875a", 64, "0000000000000000", "6ccf4308974c267f"),
    ("88bca90e90875a7f0f79c384627bafb2", 64, "0000000000000000", "1a807d272bbe5db1"),
    ("88bca90e90875a7f0f79c384627bafb2", 128, "0000000000000000", "2269552ab0f85ca6"),
    ("88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e", 129,
     "0000000000000000", "5b78d3a43dfff1f1"),
]  # fmt: skip


@pytest.mark.parametrize(("key", "bits", "plain", "cipher"), RC2_VECTORS)
def test_rc2_rfc2268_vectors(key: str, bits: int, plain: str, cipher: str) -> None:
    keys = rc2.expand_key(bytes.fromhex(key), bits)
    assert rc2.encrypt_block(keys, bytes.fromhex(plain)).hex() == cipher
    assert rc2.decrypt_block(keys, bytes.fromhex(cipher)).hex() == plain


def test_rc2_cbc_chains_blocks_and_refuses_ragged_data() -> None:
    keys = rc2.expand_key(b"\x01\x02\x03\x04\x05", 40)
    iv, blocks = b"\x11" * 8, [b"ABCDEFGH", b"IJKLMNOP"]
    previous, cipher = iv, b""
    for block in blocks:
        out = rc2.encrypt_block(keys, bytes(a ^ b for a, b in zip(block, previous, strict=True)))
        cipher, previous = cipher + out, out
    assert rc2.cbc_decrypt(b"\x01\x02\x03\x04\x05", 40, iv, cipher) == b"".join(blocks)
    with pytest.raises(ValueError, match="whole 8-byte blocks"):
        rc2.cbc_decrypt(b"\x01\x02\x03\x04\x05", 40, iv, cipher[:-1])
