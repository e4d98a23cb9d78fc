"""The password-based cryptography of PKCS#12 (RFC 7292) and PKCS#5 (RFC 8018).

The PKCS#12 key derivation (appendix B.2) is not in cryptography's public API, so it is done
here with hashlib; the ciphers are cryptography's, except 40-bit RC2 (`rc2`). Every derivation
is charged to a `Budget`: a file chooses its own iteration counts, and a hostile one must not
make pxready spin, so counts far above any real exporter's are refused before any work, and so
is a file whose derivations add up to more than a real one ever needs.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any, NamedTuple

# Real exporters use a few thousand iterations (OpenSSL 2,048, Windows 2,000, Java 10,000);
# a million is far above any of them and takes about a second per derivation here.
MAX_ITERATIONS = 1_000_000
# Iterations one file may spend in all (MAC, keys, IVs, each password form tried).
MAX_TOTAL_ITERATIONS = 8_000_000

# PKCS#12 password-based encryption (RFC 7292 appendix C): name, cipher, key bytes.
PKCS12_PBE: dict[str, tuple[str, str, int]] = {
    "1.2.840.113549.1.12.1.1": ("pbeWithSHAAnd128BitRC4", "RC4-128", 16),
    "1.2.840.113549.1.12.1.2": ("pbeWithSHAAnd40BitRC4", "RC4-40", 5),
    "1.2.840.113549.1.12.1.3": ("pbeWithSHAAnd3-KeyTripleDES-CBC", "3DES-CBC", 24),
    "1.2.840.113549.1.12.1.4": ("pbeWithSHAAnd2-KeyTripleDES-CBC", "2-key 3DES-CBC", 16),
    "1.2.840.113549.1.12.1.5": ("pbeWithSHAAnd128BitRC2-CBC", "RC2-128-CBC", 16),
    "1.2.840.113549.1.12.1.6": ("pbeWithSHAAnd40BitRC2-CBC", "RC2-40-CBC", 5),
}
# PBES2 encryption schemes: cipher name, key bytes.
PBES2_CIPHERS: dict[str, tuple[str, int]] = {
    "2.16.840.1.101.3.4.1.2": ("AES-128-CBC", 16),
    "2.16.840.1.101.3.4.1.22": ("AES-192-CBC", 24),
    "2.16.840.1.101.3.4.1.42": ("AES-256-CBC", 32),
    "1.2.840.113549.3.7": ("3DES-CBC", 24),
    "1.3.14.3.2.7": ("DES-CBC", 8),
    "1.2.840.113549.3.2": ("RC2-CBC", 16),
}
HMAC_PRFS: dict[str, str] = {
    "1.2.840.113549.2.7": "sha1",
    "1.2.840.113549.2.8": "sha224",
    "1.2.840.113549.2.9": "sha256",
    "1.2.840.113549.2.10": "sha384",
    "1.2.840.113549.2.11": "sha512",
}


class Undecryptable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooManyIterations(Undecryptable):
    """A count no real exporter uses: refused before any derivation."""

    def __init__(self, what: str, count: int) -> None:
        super().__init__(
            f"{what} asks for {count:,} iterations of its key derivation; real exporters use a "
            f"few thousand (OpenSSL 2,048, Windows 2,000), and pxready stops at {MAX_ITERATIONS:,}"
        )
        self.count = count


class Budget:
    """The key-derivation work one file may cost."""

    def __init__(self, total: int = MAX_TOTAL_ITERATIONS) -> None:
        self.left = total

    def charge(self, what: str, iterations: int, blocks: int = 1) -> None:
        if not 1 <= iterations <= MAX_ITERATIONS:
            raise TooManyIterations(what, iterations)
        self.left -= iterations * blocks
        if self.left < 0:
            raise Undecryptable(
                f"the file's key derivations add up to more than {MAX_TOTAL_ITERATIONS:,} "
                "iterations, far more than any real PFX needs"
            )


def bmp_passwords(password: str) -> list[bytes]:
    """RFC 7292 B.1: BMPString with a two-byte terminator. OpenSSL also tries an empty
    password as zero bytes, and files made by some tools need that form."""
    encoded = password.encode("utf-16-be", errors="surrogatepass") + b"\x00\x00"
    return [encoded, b""] if password == "" else [encoded]


def pkcs12_kdf(
    hash_name: str,
    password: bytes,
    salt: bytes,
    purpose: int,
    iterations: int,
    length: int,
    budget: Budget,
) -> bytes:
    """The PKCS#12 key derivation (RFC 7292 appendix B.2); purpose 1 key, 2 IV, 3 MAC key."""
    new = getattr(hashlib, hash_name, None) or (lambda data=b"": hashlib.new(hash_name, data))
    empty = new()
    digest_size, block = empty.digest_size, empty.block_size
    budget.charge("the PFX", iterations, -(-length // digest_size))
    diversifier = bytes([purpose]) * block

    def stretch(data: bytes) -> bytes:
        if not data:
            return b""
        size = block * -(-len(data) // block)
        return (data * (size // len(data) + 1))[:size]

    material = bytearray(stretch(salt) + stretch(password))
    output = b""
    while len(output) < length:
        value = new(diversifier + bytes(material)).digest()
        for _ in range(iterations - 1):
            value = new(value).digest()
        output += value
        if len(output) >= length:
            break
        increment = int.from_bytes((value * (block // digest_size + 1))[:block], "big") + 1
        for start in range(0, len(material), block):
            chunk = int.from_bytes(material[start : start + block], "big") + increment
            material[start : start + block] = (chunk % (1 << (8 * block))).to_bytes(block, "big")
    return output[:length]


class MacParameters(NamedTuple):
    hash_name: str
    iterations: int
    salt: bytes
    digest: bytes


def verify_mac(mac: MacParameters, auth_safe: bytes, password: str, budget: Budget) -> bool:
    """Whether the password reproduces the file's MAC (RFC 7292 appendix B with HMAC)."""
    size = hashlib.new(mac.hash_name).digest_size
    for candidate in bmp_passwords(password):
        key = pkcs12_kdf(mac.hash_name, candidate, mac.salt, 3, mac.iterations, size, budget)
        computed = hmac.new(key, auth_safe, mac.hash_name).digest()
        if hmac.compare_digest(computed, mac.digest):
            return True
    return False


class Pkcs12Pbe(NamedTuple):
    """pbeWithSHAAnd…: the PKCS#12 scheme's parameters."""

    oid: str
    salt: bytes
    iterations: int


class Pbes2(NamedTuple):
    """PBES2 with PBKDF2 (RFC 8018)."""

    prf: str  # hashlib name
    salt: bytes
    iterations: int
    key_length: int | None
    cipher_oid: str
    iv: bytes


Scheme = Pkcs12Pbe | Pbes2


def decrypt(scheme: Scheme, payload: bytes, password: str, valid: Callable[[bytes], bool],
            budget: Budget) -> bytes:  # fmt: skip
    """Decrypt with a password-based scheme; `valid` tells a right decryption from padding
    luck. Raises `Undecryptable` when pxready does not decrypt the scheme, or nothing does."""
    attempts: list[Callable[[], bytes | None]] = []
    if isinstance(scheme, Pkcs12Pbe):
        _name, cipher, key_length = PKCS12_PBE[scheme.oid]
        for candidate in bmp_passwords(password):
            key = pkcs12_kdf("sha1", candidate, scheme.salt, 1, scheme.iterations, key_length,
                             budget)  # fmt: skip
            if cipher.startswith("RC4"):
                attempts.append(_rc4(key, payload))
                continue
            iv = pkcs12_kdf("sha1", candidate, scheme.salt, 2, scheme.iterations, 8, budget)
            if "3DES" in cipher:
                attempts.append(_block_cipher("3des", key, iv, payload))
            else:  # RC2, 40 or 128 effective bits as long as its key
                attempts.append(_rc2(key, len(key) * 8, iv, payload))
    else:
        if scheme.cipher_oid not in PBES2_CIPHERS:
            raise Undecryptable("PBES2 with a cipher pxready does not decrypt")
        cipher_name, key_length = PBES2_CIPHERS[scheme.cipher_oid]
        key_length = scheme.key_length or key_length
        budget.charge("the PFX", scheme.iterations)
        # OpenSSL feeds PBKDF2 the UTF-8 bytes; some writers use the BMPString form.
        for candidate in [password.encode("utf-8", "surrogatepass"), *bmp_passwords(password)]:
            key = _pbkdf2(scheme.prf, candidate, scheme.salt, scheme.iterations, key_length)
            kind = {"AES": "aes", "3DE": "3des", "DES": "des", "RC2": "rc2"}[cipher_name[:3]]
            if kind == "rc2":
                attempts.append(_rc2(key, len(key) * 8, scheme.iv, payload))
            else:
                attempts.append(_block_cipher(kind, key, scheme.iv, payload))
    for attempt in attempts:
        plain = attempt()
        if plain is not None and valid(plain):
            return plain
    raise Undecryptable("it does not decrypt with this password")


def _pbkdf2(prf: str, password: bytes, salt: bytes, iterations: int, length: int) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    kinds: dict[str, type[Any]] = {
        "sha1": hashes.SHA1,
        "sha224": hashes.SHA224,
        "sha256": hashes.SHA256,
        "sha384": hashes.SHA384,
        "sha512": hashes.SHA512,
    }
    algorithm = kinds[prf]()
    return PBKDF2HMAC(algorithm=algorithm, length=length, salt=salt, iterations=iterations).derive(
        password
    )


def _unpad(data: bytes, block: int) -> bytes | None:
    """PKCS#7 padding off, or None when it is not valid padding (a wrong key)."""
    if not data or len(data) % block:
        return None
    pad = data[-1]
    if not 1 <= pad <= block or data[-pad:] != bytes([pad]) * pad:
        return None
    return data[:-pad]


def _block_cipher(kind: str, key: bytes, iv: bytes, payload: bytes) -> Callable[[], bytes | None]:
    def attempt() -> bytes | None:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        try:
            if kind == "aes":
                algorithm: Any = algorithms.AES(key)
            else:
                from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES

                # Single DES is 3DES with the key three times (K1 = K2 = K3).
                algorithm = TripleDES(key if kind == "3des" else key * 3)
            decryptor = Cipher(algorithm, modes.CBC(iv)).decryptor()
            padded = decryptor.update(payload) + decryptor.finalize()
        except ValueError:  # a key, IV or length the cipher refuses
            return None
        return _unpad(padded, algorithm.block_size // 8)

    return attempt


def _rc2(key: bytes, bits: int, iv: bytes, payload: bytes) -> Callable[[], bytes | None]:
    def attempt() -> bytes | None:
        from checks.certs import rc2

        try:
            return _unpad(rc2.cbc_decrypt(key, bits, iv, payload), rc2.BLOCK)
        except ValueError:
            return None

    return attempt


def _rc4(key: bytes, payload: bytes) -> Callable[[], bytes | None]:
    def attempt() -> bytes | None:
        from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4
        from cryptography.hazmat.primitives.ciphers import Cipher

        try:
            decryptor = Cipher(ARC4(key), mode=None).decryptor()
        except ValueError:
            return None
        return decryptor.update(payload) + decryptor.finalize()

    return attempt
