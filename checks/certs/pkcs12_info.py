"""The PKCS#12 structure as Windows sees it: what protects each part, and the bag attributes.

cryptography opens a PFX but shows neither how it is protected nor the bag attributes that
decide where Windows puts the key (the key-provider name, OID 1.3.6.1.4.1.311.17.1). This
module reads the ASN.1 with pyasn1 (RFC 7292: PFX, AuthenticatedSafe, SafeContents, SafeBag;
the types are declared in `pkcs12_asn1`, not taken from pyasn1-modules, for start-up time).
The attributes of a shrouded key bag sit outside its encryption, but exporters differ in where
they put the bag: OpenSSL and Windows in a plain `data` container, others inside `encryptedData`.
Given the password, the MAC is verified and encrypted containers are opened with cryptography's
primitives so that bags inside them are seen too. BER is accepted (older Windows and Java write
indefinite lengths), so the BER decoder is used throughout.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pyasn1.codec.ber import decoder  # type: ignore[import-untyped]  # noqa: TID253
from pyasn1.codec.der import encoder  # type: ignore[import-untyped]  # noqa: TID253
from pyasn1.error import PyAsn1Error, SubstrateUnderrunError  # type: ignore[import-untyped]  # noqa: TID253
from pyasn1.type import char, univ  # type: ignore[import-untyped]  # noqa: TID253

from checks.certs import pkcs12_asn1 as asn1

# pyasn1 reports most malformed input as PyAsn1Error, but some damaged encodings surface as
# plain IndexError or OverflowError from inside the decoder: all of them mean "not readable".
_MALFORMED: tuple[type[Exception], ...] = (
    PyAsn1Error,
    ValueError,
    TypeError,
    IndexError,
    OverflowError,
    KeyError,
)

# A PFX names its own iteration counts; a hostile or broken file must not make a check spin.
MAX_ITERATIONS = 10_000_000
MAX_NESTING = 8

OID_DATA = "1.2.840.113549.1.7.1"
OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_ENVELOPED_DATA = "1.2.840.113549.1.7.3"
OID_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"

OID_KEY_BAG = "1.2.840.113549.1.12.10.1.1"
OID_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
OID_CERT_BAG = "1.2.840.113549.1.12.10.1.3"
OID_CRL_BAG = "1.2.840.113549.1.12.10.1.4"
OID_SECRET_BAG = "1.2.840.113549.1.12.10.1.5"
OID_SAFE_CONTENTS_BAG = "1.2.840.113549.1.12.10.1.6"
OID_X509_CERTIFICATE = "1.2.840.113549.1.9.22.1"

OID_PBES2 = "1.2.840.113549.1.5.13"
OID_PBKDF2 = "1.2.840.113549.1.5.12"
OID_PBMAC1 = "1.2.840.113549.1.5.14"

OID_KEY_PROVIDER = "1.3.6.1.4.1.311.17.1"

# PKCS#12 password-based encryption (RFC 7292 appendix C): name, cipher, key bytes.
PKCS12_PBE: dict[str, tuple[str, str, int]] = {
    "1.2.840.113549.1.12.1.1": ("pbeWithSHAAnd128BitRC4", "RC4-128", 16),
    "1.2.840.113549.1.12.1.2": ("pbeWithSHAAnd40BitRC4", "RC4-40", 5),
    "1.2.840.113549.1.12.1.3": ("pbeWithSHAAnd3-KeyTripleDES-CBC", "3DES-CBC", 24),
    "1.2.840.113549.1.12.1.4": ("pbeWithSHAAnd2-KeyTripleDES-CBC", "2-key 3DES-CBC", 16),
    "1.2.840.113549.1.12.1.5": ("pbeWithSHAAnd128BitRC2-CBC", "RC2-128-CBC", 16),
    "1.2.840.113549.1.12.1.6": ("pbeWithSHAAnd40BitRC2-CBC", "RC2-40-CBC", 5),
}
# PKCS#5 v1.5 schemes (PBES1): MD5/SHA-1 with DES or RC2; listed so they are named, not decrypted.
PBES1: dict[str, str] = {
    "1.2.840.113549.1.5.1": "pbeWithMD2AndDES-CBC",
    "1.2.840.113549.1.5.3": "pbeWithMD5AndDES-CBC",
    "1.2.840.113549.1.5.4": "pbeWithMD2AndRC2-CBC",
    "1.2.840.113549.1.5.6": "pbeWithMD5AndRC2-CBC",
    "1.2.840.113549.1.5.10": "pbeWithSHA1AndDES-CBC",
    "1.2.840.113549.1.5.11": "pbeWithSHA1AndRC2-CBC",
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
DIGESTS: dict[str, str] = {
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.4": "sha224",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
    "1.2.840.113549.2.5": "md5",
    "1.2.840.113549.2.2": "md2",
}
ATTRIBUTE_NAMES: dict[str, str] = {
    "1.2.840.113549.1.9.20": "friendlyName",
    "1.2.840.113549.1.9.21": "localKeyId",
    OID_KEY_PROVIDER: "key provider name (Microsoft)",
    "1.3.6.1.4.1.311.17.2": "local machine keyset (Microsoft)",
    "2.5.29.37": "trusted key usage (Oracle)",
}


class NotPkcs12(Exception):
    """The bytes are not a PKCS#12 structure; `truncated` when they stop part-way through one."""

    def __init__(self, reason: str, *, truncated: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.truncated = truncated


_MALFORMED_OR_NOT_PKCS12: tuple[type[Exception], ...] = (*_MALFORMED, NotPkcs12)
_MALFORMED_TEXT: tuple[type[Exception], ...] = (*_MALFORMED, UnicodeError)


@dataclass(frozen=True)
class Protection:
    """How one part of the file is encrypted."""

    oid: str
    scheme: str  # "pbeWithSHAAnd3-KeyTripleDES-CBC", "PBES2", "none", or the OID
    cipher: str  # "3DES-CBC", "AES-256-CBC", "none", "unknown"
    kdf: str  # "PKCS#12 KDF (SHA-1)", "PBKDF2 (HMAC-SHA256)", "none", "unknown"
    iterations: int | None = None

    def describe(self) -> str:
        if self.scheme == "none":
            return "not encrypted"
        text = f"{self.cipher} with {self.kdf}"
        if self.iterations is not None:
            text += f", {self.iterations} iterations"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "scheme": self.scheme,
            "oid": self.oid,
            "cipher": self.cipher,
            "kdf": self.kdf,
            "iterations": self.iterations,
        }


NOT_ENCRYPTED = Protection("", "none", "none", "none")


@dataclass(frozen=True)
class MacInfo:
    oid: str
    algorithm: str  # "SHA-256", "PBMAC1 (HMAC-SHA256)", or the OID
    hash_name: str | None  # hashlib name, None when pxready cannot compute it
    iterations: int
    salt: bytes = field(repr=False)
    digest: bytes = field(repr=False)

    def as_dict(self) -> dict[str, object]:
        return {"algorithm": self.algorithm, "oid": self.oid, "iterations": self.iterations}


@dataclass(frozen=True)
class Attribute:
    oid: str
    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Bag:
    kind: str  # "key", "shrouded-key", "certificate", "crl", "secret", "other"
    oid: str
    container: int  # index into Pkcs12Structure.containers
    # A shrouded key bag's own encryption; for other bags, their container's.
    protection: Protection
    attributes: tuple[Attribute, ...] = ()
    certificate_der: bytes | None = field(default=None, repr=False)

    def attribute(self, oid: str) -> tuple[str, ...]:
        return next((a.values for a in self.attributes if a.oid == oid), ())

    @property
    def key_provider(self) -> str | None:
        values = self.attribute(OID_KEY_PROVIDER)
        return values[0] if values else None

    @property
    def is_key(self) -> bool:
        return self.kind in ("key", "shrouded-key")


@dataclass(frozen=True)
class Container:
    index: int
    content_type: str  # "data", "encryptedData", "envelopedData" or the OID
    protection: Protection | None
    opened: bool
    problem: str | None = None  # why its bags are not visible


@dataclass(frozen=True)
class Pkcs12Structure:
    mac: MacInfo | None
    containers: tuple[Container, ...]
    bags: tuple[Bag, ...]
    # True/False once checked with a password; None without one, or when pxready cannot.
    mac_verified: bool | None

    @property
    def key_bags(self) -> list[Bag]:
        return [b for b in self.bags if b.is_key]

    @property
    def certificate_bags(self) -> list[Bag]:
        return [b for b in self.bags if b.kind == "certificate"]

    @property
    def hidden(self) -> list[Container]:
        """Containers whose bags pxready could not see (no password, unsupported cipher)."""
        return [c for c in self.containers if not c.opened]


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Raw:
    """The undecrypted parts, kept so that a password can open them later."""

    mac: MacInfo | None
    auth_safe: bytes
    # content type, protection, its AlgorithmIdentifier (DER), payload
    containers: tuple[tuple[str, Protection | None, bytes, bytes], ...]


def read_structure(data: bytes, password: str | None = None) -> Pkcs12Structure:
    """Read a PFX; with the password, verify its MAC and open its encrypted containers.

    Raises `NotPkcs12` when `data` is not a PKCS#12 file at all.
    """
    raw = _read_raw(data)
    mac_verified: bool | None = None
    if password is not None and raw.mac is not None:
        mac_verified = verify_mac(raw.mac, raw.auth_safe, password)
    may_decrypt = password is not None and mac_verified is not False
    containers: list[Container] = []
    bags: list[Bag] = []
    for index, (kind, protection, algorithm, payload) in enumerate(raw.containers):
        if kind == "data":
            try:
                bags.extend(_safe_contents(payload, index, NOT_ENCRYPTED, 0))
            except _MALFORMED_OR_NOT_PKCS12 as exc:
                containers.append(
                    Container(
                        index, kind, None, False, f"its contents do not parse ({_first_line(exc)})"
                    )
                )
                continue
            containers.append(Container(index, kind, None, True))
        elif kind == "encryptedData" and protection is not None:
            if not may_decrypt:
                reason = (
                    "needs the password"
                    if password is None
                    else "the password does not match the file's MAC"
                )
                containers.append(Container(index, kind, protection, False, reason))
                continue
            assert password is not None
            try:
                plain = decrypt(algorithm, payload, password, _is_safe_contents)
                found = list(_safe_contents(plain, index, protection, 0))
            except _Undecryptable as exc:
                containers.append(Container(index, kind, protection, False, exc.reason))
                continue
            except _MALFORMED_OR_NOT_PKCS12:
                containers.append(
                    Container(index, kind, protection, False, "its decrypted contents do not parse")
                )
                continue
            bags.extend(found)
            containers.append(Container(index, kind, protection, True))
        else:
            containers.append(
                Container(
                    index,
                    kind,
                    protection,
                    False,
                    "public-key encrypted (envelopedData)"
                    if kind == "envelopedData"
                    else "unknown content type",
                )
            )
    return Pkcs12Structure(raw.mac, tuple(containers), tuple(bags), mac_verified)


# The connector checks read one file up to three times (to identify it, without and with the
# password); its undecrypted parts are the same each time.
@functools.lru_cache(maxsize=4)
def _read_raw(data: bytes) -> _Raw:
    if not data:
        raise NotPkcs12("empty")
    try:
        pfx, _rest = decoder.decode(data, asn1Spec=asn1.PFX())
    except SubstrateUnderrunError as exc:
        raise NotPkcs12(f"truncated ({_first_line(exc)})", truncated=True) from None
    except _MALFORMED as exc:
        raise NotPkcs12(f"not a PKCS#12 structure ({_first_line(exc)})") from None
    try:
        version = int(pfx["version"])
        outer_type = str(pfx["authSafe"]["contentType"])
        if version != 3:
            raise NotPkcs12(f"PFX version {version}, not 3")
        if outer_type == OID_SIGNED_DATA:
            raise NotPkcs12("public-key integrity mode (signedData), which Windows does not import")
        if outer_type != OID_DATA:
            raise NotPkcs12(f"the outer content type is {outer_type}, not data")
        auth_safe = _octets(pfx["authSafe"]["content"])
        mac = _mac_info(pfx["macData"]) if pfx["macData"].isValue else None
        authenticated, _ = decoder.decode(auth_safe, asn1Spec=asn1.AuthenticatedSafe())
        containers: list[tuple[str, Protection | None, bytes, bytes]] = []
        for info in authenticated:
            content_type = str(info["contentType"])
            if content_type == OID_DATA:
                containers.append(("data", None, b"", _octets(info["content"])))
            elif content_type == OID_ENCRYPTED_DATA:
                encrypted, _ = decoder.decode(bytes(info["content"]), asn1Spec=asn1.EncryptedData())
                eci = encrypted["encryptedContentInfo"]
                protection = describe_algorithm(eci["contentEncryptionAlgorithm"])
                payload = bytes(eci["encryptedContent"]) if eci["encryptedContent"].isValue else b""
                algorithm = encoder.encode(eci["contentEncryptionAlgorithm"])
                containers.append(("encryptedData", protection, algorithm, payload))
            elif content_type == OID_ENVELOPED_DATA:
                containers.append(("envelopedData", None, b"", b""))
            else:
                containers.append((content_type, None, b"", b""))
    except SubstrateUnderrunError as exc:
        raise NotPkcs12(f"truncated ({_first_line(exc)})", truncated=True) from None
    except _MALFORMED as exc:
        raise NotPkcs12(f"not a PKCS#12 structure ({_first_line(exc)})") from None
    return _Raw(mac, auth_safe, tuple(containers))


def _octets(any_value: object) -> bytes:
    octets, _ = decoder.decode(bytes(any_value), asn1Spec=univ.OctetString())  # type: ignore[call-overload]
    return bytes(octets)


def _mac_info(mac_data: object) -> MacInfo:
    algorithm = mac_data["mac"]["digestAlgorithm"]  # type: ignore[index]
    oid = str(algorithm["algorithm"])
    iterations = int(mac_data["iterations"])  # type: ignore[index]
    salt = bytes(mac_data["macSalt"])  # type: ignore[index]
    digest = bytes(mac_data["mac"]["digest"])  # type: ignore[index]
    if oid == OID_PBMAC1:
        prf = "unknown"
        try:
            params, _ = decoder.decode(
                bytes(algorithm["parameters"]), asn1Spec=asn1.PBMAC1_params()
            )
            prf = HMAC_PRFS.get(str(params["messageAuthScheme"]["algorithm"]), prf)
        except _MALFORMED:
            pass
        return MacInfo(oid, f"PBMAC1 (HMAC-{prf.upper()})", None, iterations, salt, digest)
    hash_name = DIGESTS.get(oid)
    name = _hash_label(hash_name) if hash_name else oid
    return MacInfo(oid, name, hash_name, iterations, salt, digest)


def _hash_label(hash_name: str) -> str:
    return {
        "sha1": "SHA-1",
        "sha224": "SHA-224",
        "sha256": "SHA-256",
        "sha384": "SHA-384",
        "sha512": "SHA-512",
        "md5": "MD5",
        "md2": "MD2",
    }.get(hash_name, hash_name)


def describe_algorithm(algorithm: object) -> Protection:
    """Name a password-based encryption AlgorithmIdentifier: scheme, cipher, KDF, iterations."""
    oid = str(algorithm["algorithm"])  # type: ignore[index]
    parameters = algorithm["parameters"]  # type: ignore[index]
    if oid in PKCS12_PBE:
        name, cipher, _ = PKCS12_PBE[oid]
        iterations = None
        try:
            params, _ = decoder.decode(bytes(parameters), asn1Spec=asn1.Pkcs_12PbeParams())
            iterations = int(params["iterations"])
        except _MALFORMED:
            pass
        return Protection(oid, name, cipher, "PKCS#12 KDF (SHA-1)", iterations)
    if oid in PBES1:
        return Protection(oid, PBES1[oid], "DES/RC2 (PKCS#5 v1.5)", "PBKDF1", None)
    if oid == OID_PBES2:
        try:
            params, _ = decoder.decode(bytes(parameters), asn1Spec=asn1.PBES2_params())
        except _MALFORMED:
            return Protection(oid, "PBES2", "unknown", "unknown")
        cipher_oid = str(params["encryptionScheme"]["algorithm"])
        cipher = PBES2_CIPHERS.get(cipher_oid, (cipher_oid, 0))[0]
        kdf_oid = str(params["keyDerivationFunc"]["algorithm"])
        if kdf_oid != OID_PBKDF2:
            return Protection(oid, "PBES2", cipher, kdf_oid)
        try:
            kdf, _ = decoder.decode(
                bytes(params["keyDerivationFunc"]["parameters"]), asn1Spec=asn1.PBKDF2_params()
            )
            prf_oid = str(kdf["prf"]["algorithm"])
            count = int(kdf["iterationCount"])
        except _MALFORMED:
            return Protection(oid, "PBES2", cipher, "PBKDF2 (unreadable parameters)")
        prf = HMAC_PRFS.get(prf_oid)
        prf_label = f"HMAC-{_hash_label(prf).replace('-', '')}" if prf else prf_oid
        return Protection(oid, "PBES2", cipher, f"PBKDF2 ({prf_label})", count)
    return Protection(oid, oid, "unknown", "unknown")


def _safe_contents(
    data: bytes, container: int, protection: Protection, depth: int
) -> Iterator[Bag]:
    if depth > MAX_NESTING:
        raise NotPkcs12("safe contents nested too deeply")
    contents, _ = decoder.decode(data, asn1Spec=asn1.SafeContents())
    for bag in contents:
        oid = str(bag["bagId"])
        value = bytes(bag["bagValue"])
        attributes = (
            tuple(_attributes(bag["bagAttributes"])) if bag["bagAttributes"].isValue else ()
        )
        if oid == OID_SAFE_CONTENTS_BAG:
            yield from _safe_contents(value, container, protection, depth + 1)
        elif oid == OID_SHROUDED_KEY_BAG:
            shrouded, _ = decoder.decode(value, asn1Spec=asn1.PKCS8ShroudedKeyBag())
            own = describe_algorithm(shrouded["encryptionAlgorithm"])
            yield Bag("shrouded-key", oid, container, own, attributes)
        elif oid == OID_KEY_BAG:
            yield Bag("key", oid, container, protection, attributes)
        elif oid == OID_CERT_BAG:
            cert_bag, _ = decoder.decode(value, asn1Spec=asn1.CertBag())
            der = None
            if str(cert_bag["certId"]) == OID_X509_CERTIFICATE:
                der = _octets(cert_bag["certValue"])
            yield Bag("certificate", oid, container, protection, attributes, der)
        elif oid == OID_CRL_BAG:
            yield Bag("crl", oid, container, protection, attributes)
        elif oid == OID_SECRET_BAG:
            yield Bag("secret", oid, container, protection, attributes)
        else:
            yield Bag("other", oid, container, protection, attributes)


def _attributes(values: object) -> Iterator[Attribute]:
    for attribute in values:  # type: ignore[attr-defined]
        oid = str(attribute["attrType"])
        texts = tuple(_attribute_text(bytes(v)) for v in attribute["attrValues"])
        yield Attribute(oid, ATTRIBUTE_NAMES.get(oid, oid), texts)


def _attribute_text(der: bytes) -> str:
    """A string attribute as text (BMPString, UTF8String...); anything else as hex."""
    try:
        value, _ = decoder.decode(der)
        if isinstance(value, char.AbstractCharacterString):
            return str(value)
    except _MALFORMED_TEXT:
        pass
    return der.hex() if not der.startswith(b"\x04") else _octet_hex(der)


def _octet_hex(der: bytes) -> str:
    try:
        value, _ = decoder.decode(der, asn1Spec=univ.OctetString())
    except _MALFORMED:
        return der.hex()
    return bytes(value).hex()


# -- password-based cryptography ---------------------------------------------------------------


class _Undecryptable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _bmp_passwords(password: str) -> list[bytes]:
    """RFC 7292 B.1: BMPString with a two-byte terminator. OpenSSL also tries an empty
    password as zero bytes, and files made by some tools need that form."""
    encoded = password.encode("utf-16-be") + b"\x00\x00"
    return [encoded, b""] if password == "" else [encoded]


def pkcs12_kdf(
    hash_name: str, password: bytes, salt: bytes, purpose: int, iterations: int, length: int
) -> bytes:
    """The PKCS#12 key derivation (RFC 7292 appendix B.2); purpose 1 key, 2 IV, 3 MAC key."""
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise _Undecryptable(f"unreasonable iteration count {iterations}")
    # Hashing a copy of one empty object skips hashlib.new's name lookup, which is most of
    # the cost of an iteration: the example PFX runs 8192 of them, under the GIL.
    empty = hashlib.new(hash_name)
    digest_size = empty.digest_size
    block = empty.block_size

    def digest(data: bytes) -> bytes:
        h = empty.copy()
        h.update(data)
        return h.digest()

    diversifier = bytes([purpose]) * block

    def stretch(data: bytes) -> bytes:
        if not data:
            return b""
        size = block * -(-len(data) // block)
        return (data * (size // len(data) + 1))[:size]

    material = bytearray(stretch(salt) + stretch(password))
    output = b""
    while len(output) < length:
        value = digest(diversifier + bytes(material))
        for _ in range(iterations - 1):
            value = digest(value)
        output += value
        if len(output) >= length:
            break
        increment = int.from_bytes((value * (block // digest_size + 1))[:block], "big") + 1
        for start in range(0, len(material), block):
            chunk = int.from_bytes(material[start : start + block], "big") + increment
            material[start : start + block] = (chunk % (1 << (8 * block))).to_bytes(block, "big")
    return output[:length]


def verify_mac(mac: MacInfo, auth_safe: bytes, password: str) -> bool | None:
    """True when the password reproduces the file's MAC; None when pxready cannot compute it."""
    if mac.hash_name is None or mac.hash_name in ("md2",):
        return None
    size = hashlib.new(mac.hash_name).digest_size
    try:
        for candidate in _bmp_passwords(password):
            key = pkcs12_kdf(mac.hash_name, candidate, mac.salt, 3, mac.iterations, size)
            computed = hmac.new(key, auth_safe, mac.hash_name).digest()
            if hmac.compare_digest(computed, mac.digest):
                return True
    except _Undecryptable:
        return None
    return False


def decrypt(
    algorithm_der: bytes, payload: bytes, password: str, valid: Callable[[bytes], bool]
) -> bytes:
    """Decrypt with a password-based scheme; `valid` tells a right decryption from padding luck.

    Raises `_Undecryptable` when the scheme is not one pxready decrypts, or nothing decrypts.
    """
    from cryptography.hazmat.decrepit.ciphers.algorithms import RC2, TripleDES
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers import algorithms
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    try:
        algorithm, _ = decoder.decode(algorithm_der, asn1Spec=asn1.AlgorithmIdentifier())
        oid = str(algorithm["algorithm"])
        parameters = bytes(algorithm["parameters"])
    except _MALFORMED:
        raise _Undecryptable("its encryption parameters do not parse") from None
    attempts: list[tuple[Any, bytes]] = []  # (cipher algorithm, IV)
    try:
        if oid in PKCS12_PBE:
            name, cipher, key_length = PKCS12_PBE[oid]
            params, _ = decoder.decode(parameters, asn1Spec=asn1.Pkcs_12PbeParams())
            salt, iterations = bytes(params["salt"]), int(params["iterations"])
            for candidate in _bmp_passwords(password):
                key = pkcs12_kdf("sha1", candidate, salt, 1, iterations, key_length)
                iv = pkcs12_kdf("sha1", candidate, salt, 2, iterations, 8)
                if "3DES" in cipher:
                    attempts.append((TripleDES(key), iv))
                elif cipher == "RC2-128-CBC":
                    attempts.append((RC2(key), iv))
                else:
                    raise _Undecryptable(f"pxready cannot decrypt {name} ({cipher})")
        elif oid == OID_PBES2:
            params, _ = decoder.decode(parameters, asn1Spec=asn1.PBES2_params())
            if str(params["keyDerivationFunc"]["algorithm"]) != OID_PBKDF2:
                raise _Undecryptable("PBES2 with a key derivation other than PBKDF2")
            kdf, _ = decoder.decode(
                bytes(params["keyDerivationFunc"]["parameters"]), asn1Spec=asn1.PBKDF2_params()
            )
            prf = HMAC_PRFS.get(str(kdf["prf"]["algorithm"]))
            cipher_oid = str(params["encryptionScheme"]["algorithm"])
            if (
                prf is None
                or cipher_oid not in PBES2_CIPHERS
                or not kdf["salt"]["specified"].isValue
            ):
                raise _Undecryptable("PBES2 with a cipher or PRF pxready does not decrypt")
            cipher_name, key_length = PBES2_CIPHERS[cipher_oid]
            if kdf["keyLength"].isValue:
                key_length = int(kdf["keyLength"])
            iterations = int(kdf["iterationCount"])
            if not 1 <= iterations <= MAX_ITERATIONS:
                raise _Undecryptable(f"unreasonable iteration count {iterations}")
            iv, _ = decoder.decode(
                bytes(params["encryptionScheme"]["parameters"]), asn1Spec=univ.OctetString()
            )
            hash_types: dict[str, type[hashes.HashAlgorithm]] = {
                "sha1": hashes.SHA1,
                "sha224": hashes.SHA224,
                "sha256": hashes.SHA256,
                "sha384": hashes.SHA384,
                "sha512": hashes.SHA512,
            }
            hash_type = hash_types[prf]
            # OpenSSL feeds PBKDF2 the UTF-8 bytes; some writers use the BMPString form.
            for candidate in [password.encode("utf-8"), *_bmp_passwords(password)]:
                key = PBKDF2HMAC(
                    algorithm=hash_type(),
                    length=key_length,
                    salt=bytes(kdf["salt"]["specified"]),
                    iterations=iterations,
                ).derive(candidate)
                if cipher_name.startswith("AES"):
                    attempts.append((algorithms.AES(key), bytes(iv)))
                elif cipher_name == "3DES-CBC":
                    attempts.append((TripleDES(key), bytes(iv)))
                else:
                    raise _Undecryptable(f"pxready cannot decrypt PBES2 with {cipher_name}")
        else:
            raise _Undecryptable(f"pxready cannot decrypt {describe_algorithm(algorithm).scheme}")
    except _MALFORMED as exc:
        raise _Undecryptable(
            f"its encryption parameters do not parse ({_first_line(exc)})"
        ) from None
    except ValueError as exc:  # a key or IV size the cipher refuses
        raise _Undecryptable(
            f"its encryption parameters are invalid ({_first_line(exc)})"
        ) from None
    for cipher, iv in attempts:
        plain = _cbc_decrypt(cipher, iv, payload)
        if plain is not None and valid(plain):
            return plain
    raise _Undecryptable("it does not decrypt with this password")


def _cbc_decrypt(cipher: Any, iv: bytes, payload: bytes) -> bytes | None:
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, modes

    try:
        decryptor = Cipher(cipher, modes.CBC(iv)).decryptor()
        padded = decryptor.update(payload) + decryptor.finalize()
        unpadder = padding.PKCS7(cipher.block_size).unpadder()
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        return None


def _is_safe_contents(data: bytes) -> bool:
    try:
        decoder.decode(data, asn1Spec=asn1.SafeContents())
    except _MALFORMED:
        return False
    return True


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:160] if lines else type(exc).__name__
