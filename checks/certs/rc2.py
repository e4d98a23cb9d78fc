"""RC2 (RFC 2268) in CBC mode, decryption only, for 40-bit RC2 in PKCS#12 files.

`openssl pkcs12 -export -legacy` and older Windows exports protect the certificates with
pbeWithSHAAnd40BitRC2-CBC. cryptography's RC2 takes 128-bit keys only, so the 40-bit variant
(a 5-byte key with 40 effective bits) is done here. The data is a few kilobytes of
certificates, so plain Python is fast enough; RFC 2268 section 5's vectors test it.
"""

from __future__ import annotations

# RFC 2268 section 2: PITABLE, a permutation of 0..255 based on the digits of pi.
PITABLE = bytes.fromhex(
    "d978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2"
    "179a59f587b34f1361456d8d09817d32bd8f40eb86b77b0bf09521225c6b4e82"
    "54d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb626"
    "6fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed7"
    "08e8eade8052eef784aa72ac354d6a2a961ad2715a1549744b9fd05e0418a4ec"
    "c2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b25559731"
    "2d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a9"
    "0d38341bab33ffb0bb480c5fb9b1cd2ec5f3db47e5a59c770aa62068fe7fc1ad"
)
BLOCK = 8
_MASK = 0xFFFF


def expand_key(key: bytes, effective_bits: int) -> list[int]:
    """The 64 16-bit round keys (RFC 2268 section 2)."""
    if not 1 <= len(key) <= 128 or not 1 <= effective_bits <= 1024:
        raise ValueError("RC2 keys are 1 to 128 bytes with 1 to 1024 effective bits")
    buffer = bytearray(128)
    buffer[: len(key)] = key
    for i in range(len(key), 128):
        buffer[i] = PITABLE[(buffer[i - 1] + buffer[i - len(key)]) & 0xFF]
    t8 = (effective_bits + 7) // 8
    tm = 0xFF >> (8 * t8 - effective_bits)
    buffer[128 - t8] = PITABLE[buffer[128 - t8] & tm]
    for i in range(127 - t8, -1, -1):
        buffer[i] = PITABLE[buffer[i + 1] ^ buffer[i + t8]]
    return [buffer[2 * i] | buffer[2 * i + 1] << 8 for i in range(64)]


def _rotr(word: int, shift: int) -> int:
    return ((word >> shift) | (word << (16 - shift))) & _MASK


def _rotl(word: int, shift: int) -> int:
    return ((word << shift) | (word >> (16 - shift))) & _MASK


_SHIFTS = (1, 2, 3, 5)


def encrypt_block(keys: list[int], block: bytes) -> bytes:
    """One 8-byte block (used by the tests, against RFC 2268's vectors)."""
    r = [block[2 * i] | block[2 * i + 1] << 8 for i in range(4)]
    j = 0
    for round_number in range(16):
        for i in range(4):
            r[i] = (r[i] + keys[j] + (r[i - 1] & r[i - 2]) + (~r[i - 1] & r[i - 3])) & _MASK
            r[i] = _rotl(r[i], _SHIFTS[i])
            j += 1
        if round_number in (4, 10):
            for i in range(4):
                r[i] = (r[i] + keys[r[i - 1] & 63]) & _MASK
    return b"".join(w.to_bytes(2, "little") for w in r)


def decrypt_block(keys: list[int], block: bytes) -> bytes:
    r = [block[2 * i] | block[2 * i + 1] << 8 for i in range(4)]
    j = 63
    for round_number in range(15, -1, -1):
        for i in range(3, -1, -1):
            r[i] = _rotr(r[i], _SHIFTS[i])
            r[i] = (r[i] - keys[j] - (r[i - 1] & r[i - 2]) - (~r[i - 1] & r[i - 3])) & _MASK
            j -= 1
        if round_number in (5, 11):
            for i in range(3, -1, -1):
                r[i] = (r[i] - keys[r[i - 1] & 63]) & _MASK
    return b"".join(w.to_bytes(2, "little") for w in r)


def cbc_decrypt(key: bytes, effective_bits: int, iv: bytes, data: bytes) -> bytes:
    """Decrypt CBC data (padding left in place). Raises ValueError on a ragged length."""
    if len(iv) != BLOCK or len(data) % BLOCK:
        raise ValueError("RC2-CBC data must be whole 8-byte blocks with an 8-byte IV")
    keys = expand_key(key, effective_bits)
    out = bytearray()
    previous = iv
    for start in range(0, len(data), BLOCK):
        block = data[start : start + BLOCK]
        plain = decrypt_block(keys, block)
        out += bytes(a ^ b for a, b in zip(plain, previous, strict=True))
        previous = block
    return bytes(out)
