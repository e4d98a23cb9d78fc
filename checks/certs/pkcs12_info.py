"""The PKCS#12 structure as Windows sees it: what protects each part, the bag attributes, and
(given the password) the key and certificates inside.

cryptography opens a PFX but shows neither how it is protected nor the bag attributes that
decide where Windows puts the key (the key-provider name, OID 1.3.6.1.4.1.311.17.1). So pxready
reads the file itself (RFC 7292: PFX, AuthenticatedSafe, SafeContents, SafeBag) with its own
BER reader (`ber`), verifies the MAC and decrypts each part once (`pkcs12_crypto`), and hands
the key and certificate encodings to cryptography's loaders. The attributes of a shrouded key
bag sit outside its encryption, but exporters differ in where they put the bag: OpenSSL and
Windows in a plain `data` container, others inside `encryptedData`; both are seen.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import NamedTuple

from checks.certs import ber
from checks.certs.pkcs12_crypto import (
    HMAC_PRFS,
    PBES2_CIPHERS,
    PKCS12_PBE,
    Budget,
    MacParameters,
    Pbes2,
    Pkcs12Pbe,
    Scheme,
    TooManyIterations,
    Undecryptable,
    decrypt,
    verify_mac,
)

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
BAG_KINDS = {
    OID_KEY_BAG: "key",
    OID_SHROUDED_KEY_BAG: "shrouded-key",
    OID_CERT_BAG: "certificate",
    OID_CRL_BAG: "crl",
    OID_SECRET_BAG: "secret",
}

OID_PBES2 = "1.2.840.113549.1.5.13"
OID_PBKDF2 = "1.2.840.113549.1.5.12"
OID_PBMAC1 = "1.2.840.113549.1.5.14"
OID_HMAC_SHA1 = "1.2.840.113549.2.7"

OID_KEY_PROVIDER = "1.3.6.1.4.1.311.17.1"

# PKCS#5 v1.5 schemes (PBES1): MD5/SHA-1 with DES or RC2; listed so they are named, not decrypted.
PBES1: dict[str, str] = {
    "1.2.840.113549.1.5.1": "pbeWithMD2AndDES-CBC",
    "1.2.840.113549.1.5.3": "pbeWithMD5AndDES-CBC",
    "1.2.840.113549.1.5.4": "pbeWithMD2AndRC2-CBC",
    "1.2.840.113549.1.5.6": "pbeWithMD5AndRC2-CBC",
    "1.2.840.113549.1.5.10": "pbeWithSHA1AndDES-CBC",
    "1.2.840.113549.1.5.11": "pbeWithSHA1AndRC2-CBC",
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
HASH_LABELS = {
    "sha1": "SHA-1",
    "sha224": "SHA-224",
    "sha256": "SHA-256",
    "sha384": "SHA-384",
    "sha512": "SHA-512",
    "md5": "MD5",
    "md2": "MD2",
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


class Protection(NamedTuple):
    """How one part of the file is encrypted."""

    oid: str
    scheme: str  # "pbeWithSHAAnd3-KeyTripleDES-CBC", "PBES2", "none", or the OID
    cipher: str  # "3DES-CBC", "AES-256-CBC", "none", "unknown"
    kdf: str  # "PKCS#12 KDF (SHA-1)", "PBKDF2 (HMAC-SHA256)", "none", "unknown"
    iterations: int | None = None
    parameters: Scheme | None = None  # what decryption needs (salt, IV); not a property

    @property
    def kind(self) -> tuple[str, str, str, str, int | None]:
        """What the protection is, whatever its salt: equal for two parts protected alike."""
        return (self.oid, self.scheme, self.cipher, self.kdf, self.iterations)

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


class MacInfo(NamedTuple):
    oid: str
    algorithm: str  # "SHA-256", "PBMAC1 (HMAC-SHA256)", or the OID
    hash_name: str | None  # hashlib name, None when pxready cannot compute it
    iterations: int
    salt: bytes
    digest: bytes

    def as_dict(self) -> dict[str, object]:
        return {"algorithm": self.algorithm, "oid": self.oid, "iterations": self.iterations}


class Attribute(NamedTuple):
    oid: str
    name: str
    values: tuple[str, ...]


class Bag(NamedTuple):
    kind: str  # "key", "shrouded-key", "certificate", "crl", "secret", "other"
    oid: str
    container: int  # index into Pkcs12Structure.containers
    # A shrouded key bag's own encryption; for other bags, their container's.
    protection: Protection
    attributes: tuple[Attribute, ...] = ()
    certificate_der: bytes | None = None
    # A key bag's PrivateKeyInfo (PKCS#8): as stored, or once decrypted with the password.
    # Key material: never put into a result or a message.
    key_der: bytes | None = None
    key_problem: str | None = None  # why a shrouded key did not decrypt

    def attribute(self, oid: str) -> tuple[str, ...]:
        return next((a.values for a in self.attributes if a.oid == oid), ())

    @property
    def key_provider(self) -> str | None:
        values = self.attribute(OID_KEY_PROVIDER)
        return values[0] if values else None

    @property
    def is_key(self) -> bool:
        return self.kind in ("key", "shrouded-key")

    def __repr__(self) -> str:  # never the key material
        return f"Bag(kind={self.kind!r}, oid={self.oid!r}, container={self.container})"


class Container(NamedTuple):
    position: int  # in the AuthenticatedSafe
    content_type: str  # "data", "encryptedData", "envelopedData" or the OID
    protection: Protection | None
    opened: bool
    problem: str | None = None  # why its bags are not visible


class Pkcs12Structure(NamedTuple):
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


class _RawContainer(NamedTuple):
    kind: str
    protection: Protection | None
    payload: bytes


def read_structure(data: bytes, password: str | None = None) -> Pkcs12Structure:
    """Read a PFX; with the password, verify its MAC and open its encrypted parts.

    Raises `NotPkcs12` when `data` is not a PKCS#12 file at all, and `TooManyIterations` when
    the password work it asks for is absurd (before doing any of it).
    """
    mac, auth_safe, raw = _outer(data)
    if password is not None:
        _refuse_absurd_counts(mac, raw)
    budget = Budget()
    mac_verified: bool | None = None
    if password is not None and mac is not None and mac.hash_name not in (None, "md2"):
        assert mac.hash_name is not None
        params = MacParameters(mac.hash_name, mac.iterations, mac.salt, mac.digest)
        mac_verified = verify_mac(params, auth_safe, password, budget)
    may_decrypt = password is not None and mac_verified is not False
    containers: list[Container] = []
    bags: list[Bag] = []
    for index, part in enumerate(raw):
        key = password if may_decrypt else None
        if part.kind == "data":
            try:
                node = ber.parse(part.payload)
                bags.extend(_safe_contents(node, index, NOT_ENCRYPTED, 0, key, budget))
            except (ber.BerError, NotPkcs12) as exc:
                problem = f"its contents do not parse ({_reason(exc)})"
                containers.append(Container(index, part.kind, None, False, problem))
                continue
            containers.append(Container(index, part.kind, None, True))
        elif part.kind == "encryptedData" and part.protection is not None:
            if key is None:
                reason = (
                    "needs the password"
                    if password is None
                    else "the password does not match the file's MAC"
                )
                containers.append(Container(index, part.kind, part.protection, False, reason))
                continue
            try:
                plain = _decrypt(part.protection, part.payload, key, budget, _is_safe_contents)
                node = ber.parse(plain)
                found = list(_safe_contents(node, index, part.protection, 0, key, budget))
            except TooManyIterations:
                raise
            except Undecryptable as exc:
                containers.append(Container(index, part.kind, part.protection, False, exc.reason))
                continue
            except (ber.BerError, NotPkcs12):
                problem = "its decrypted contents do not parse"
                containers.append(Container(index, part.kind, part.protection, False, problem))
                continue
            bags.extend(found)
            containers.append(Container(index, part.kind, part.protection, True))
        else:
            problem = (
                "public-key encrypted (envelopedData)"
                if part.kind == "envelopedData"
                else "unknown content type"
            )
            containers.append(Container(index, part.kind, part.protection, False, problem))
    return Pkcs12Structure(mac, tuple(containers), tuple(bags), mac_verified)


def _reason(exc: Exception) -> str:
    return exc.reason if isinstance(exc, (ber.BerError, NotPkcs12)) else str(exc)


# A file is read without the password (to say what it is) and then with it: its outer layers
# are parsed once.
@functools.lru_cache(maxsize=4)
def _outer(data: bytes) -> tuple[MacInfo | None, bytes, tuple[_RawContainer, ...]]:
    """PFX → (MAC, the authenticated bytes, the containers), without the password."""
    if not data:
        raise NotPkcs12("empty")
    try:
        pfx = ber.parse(data).items(ber.SEQUENCE, 2)
        version = pfx[0].integer()
        auth_safe_info = pfx[1].items(ber.SEQUENCE, 1)
        outer_type = auth_safe_info[0].oid()
        if version != 3:
            raise NotPkcs12(f"PFX version {version}, not 3")
        if outer_type == OID_SIGNED_DATA:
            raise NotPkcs12("public-key integrity mode (signedData), which Windows does not import")
        if outer_type != OID_DATA:
            raise NotPkcs12(f"the outer content type is {outer_type}, not data")
        if len(auth_safe_info) < 2:
            raise NotPkcs12("the PFX has no content")
        auth_safe = auth_safe_info[1].explicit(0).octets()
        mac = _mac_info(pfx[2]) if len(pfx) > 2 else None
        containers = tuple(_container(info) for info in ber.parse(auth_safe).items())
    except ber.BerError as exc:
        if exc.truncated:
            raise NotPkcs12(f"truncated ({exc.reason})", truncated=True) from None
        raise NotPkcs12(f"not a PKCS#12 structure ({exc.reason})") from None
    return mac, auth_safe, containers


def _container(info: ber.Node) -> _RawContainer:
    parts = info.items(ber.SEQUENCE, 1)
    content_type = parts[0].oid()
    if content_type in (OID_DATA, OID_ENCRYPTED_DATA) and len(parts) < 2:
        raise ber.BerError("a container has no content")
    if content_type == OID_DATA:
        return _RawContainer("data", None, parts[1].explicit(0).octets())
    if content_type == OID_ENCRYPTED_DATA:
        encrypted = parts[1].explicit(0).items(ber.SEQUENCE, 2)
        eci = encrypted[1].items(ber.SEQUENCE, 2)
        protection = describe_algorithm(eci[1])
        payload = b""
        if len(eci) > 2 and eci[2].is_(0, ber.CONTEXT):
            payload = eci[2].octets()
        return _RawContainer("encryptedData", protection, payload)
    if content_type == OID_ENVELOPED_DATA:
        return _RawContainer("envelopedData", None, b"")
    return _RawContainer(content_type, None, b"")


def _mac_info(node: ber.Node) -> MacInfo:
    parts = node.items(ber.SEQUENCE, 2)
    digest_info = parts[0].items(ber.SEQUENCE, 2)
    algorithm = digest_info[0].items(ber.SEQUENCE, 1)
    oid = algorithm[0].oid()
    digest = digest_info[1].octets()
    salt = parts[1].octets()
    iterations = parts[2].integer() if len(parts) > 2 else 1
    if oid == OID_PBMAC1:
        prf = "unknown"
        try:
            params = algorithm[1].items(ber.SEQUENCE, 2)
            prf = HMAC_PRFS.get(params[1].items(ber.SEQUENCE, 1)[0].oid(), prf)
        except (ber.BerError, IndexError):
            pass
        return MacInfo(oid, f"PBMAC1 (HMAC-{prf.upper()})", None, iterations, salt, digest)
    hash_name = DIGESTS.get(oid)
    name = HASH_LABELS.get(hash_name, oid) if hash_name else oid
    return MacInfo(oid, name, hash_name, iterations, salt, digest)


def _refuse_absurd_counts(mac: MacInfo | None, raw: tuple[_RawContainer, ...]) -> None:
    from checks.certs.pkcs12_crypto import MAX_ITERATIONS

    if mac is not None and mac.iterations > MAX_ITERATIONS:
        raise TooManyIterations("the PFX's integrity MAC", mac.iterations)
    for part in raw:
        count = part.protection.iterations if part.protection is not None else None
        if count is not None and count > MAX_ITERATIONS:
            raise TooManyIterations("an encrypted part of the PFX", count)


def describe_algorithm(node: ber.Node) -> Protection:
    """Name a password-based encryption AlgorithmIdentifier: scheme, cipher, KDF, iterations."""
    parts = node.items(ber.SEQUENCE, 1)
    oid = parts[0].oid()
    parameters = parts[1] if len(parts) > 1 else None
    if oid in PKCS12_PBE:
        name, cipher, _ = PKCS12_PBE[oid]
        scheme: Scheme | None = None
        iterations = None
        try:
            assert parameters is not None
            params = parameters.items(ber.SEQUENCE, 2)
            iterations = params[1].integer()
            scheme = Pkcs12Pbe(oid, params[0].octets(), iterations)
        except (ber.BerError, AssertionError):
            pass
        return Protection(oid, name, cipher, "PKCS#12 KDF (SHA-1)", iterations, scheme)
    if oid in PBES1:
        return Protection(oid, PBES1[oid], "DES/RC2 (PKCS#5 v1.5)", "PBKDF1", None)
    if oid == OID_PBES2:
        return _describe_pbes2(oid, parameters)
    return Protection(oid, oid, "unknown", "unknown")


def _describe_pbes2(oid: str, parameters: ber.Node | None) -> Protection:
    try:
        assert parameters is not None
        kdf_id, encryption = parameters.items(ber.SEQUENCE, 2)[:2]
        encryption_parts = encryption.items(ber.SEQUENCE, 1)
        cipher_oid = encryption_parts[0].oid()
        kdf_parts = kdf_id.items(ber.SEQUENCE, 1)
        kdf_oid = kdf_parts[0].oid()
    except (ber.BerError, AssertionError):
        return Protection(oid, "PBES2", "unknown", "unknown")
    cipher = PBES2_CIPHERS.get(cipher_oid, (cipher_oid, 0))[0]
    if kdf_oid != OID_PBKDF2:
        return Protection(oid, "PBES2", cipher, kdf_oid)
    try:
        kdf = kdf_parts[1].items(ber.SEQUENCE, 2)
        salt = kdf[0].octets() if kdf[0].is_(ber.OCTET_STRING) else None
        count = kdf[1].integer()
        rest = kdf[2:]
        key_length = rest[0].integer() if rest and rest[0].is_(ber.INTEGER) else None
        prf_node = next((n for n in rest if n.is_(ber.SEQUENCE)), None)
        prf_oid = prf_node.items(ber.SEQUENCE, 1)[0].oid() if prf_node else OID_HMAC_SHA1
        iv = encryption_parts[1].octets() if len(encryption_parts) > 1 else b""
    except (ber.BerError, IndexError):
        return Protection(oid, "PBES2", cipher, "PBKDF2 (unreadable parameters)")
    prf = HMAC_PRFS.get(prf_oid)
    prf_label = f"HMAC-{HASH_LABELS[prf].replace('-', '')}" if prf else prf_oid
    scheme = (
        Pbes2(prf, salt, count, key_length, cipher_oid, iv)
        if prf is not None and salt is not None
        else None
    )
    return Protection(oid, "PBES2", cipher, f"PBKDF2 ({prf_label})", count, scheme)


def _decrypt(
    protection: Protection,
    payload: bytes,
    password: str,
    budget: Budget,
    valid: Callable[[bytes], bool],
) -> bytes:
    if protection.parameters is None:
        raise Undecryptable(f"pxready cannot decrypt {protection.scheme} ({protection.cipher})")
    return decrypt(protection.parameters, payload, password, valid, budget)


def _safe_contents(
    contents: ber.Node,
    container: int,
    protection: Protection,
    depth: int,
    password: str | None,
    budget: Budget,
) -> Iterator[Bag]:
    if depth > MAX_NESTING:
        raise NotPkcs12("safe contents nested too deeply")
    for bag in contents.items():
        parts = bag.items(ber.SEQUENCE, 2)
        oid = parts[0].oid()
        value = parts[1].explicit(0)
        attributes = tuple(_attributes(parts[2])) if len(parts) > 2 else ()
        kind = BAG_KINDS.get(oid, "other")
        if oid == OID_SAFE_CONTENTS_BAG:
            yield from _safe_contents(value, container, protection, depth + 1, password, budget)
        elif kind == "shrouded-key":
            yield _shrouded_key(value, container, attributes, password, budget)
        elif kind == "key":
            yield Bag(kind, oid, container, protection, attributes, key_der=value.raw)
        elif kind == "certificate":
            cert_bag = value.items(ber.SEQUENCE, 2)
            der = None
            if cert_bag[0].oid() == OID_X509_CERTIFICATE:
                der = cert_bag[1].explicit(0).octets()
            yield Bag(kind, oid, container, protection, attributes, der)
        else:
            yield Bag(kind, oid, container, protection, attributes)


def _shrouded_key(
    value: ber.Node,
    container: int,
    attributes: tuple[Attribute, ...],
    password: str | None,
    budget: Budget,
) -> Bag:
    encrypted = value.items(ber.SEQUENCE, 2)
    own = describe_algorithm(encrypted[0])
    key_der: bytes | None = None
    problem: str | None = None
    if password is not None:
        try:
            key_der = _decrypt(own, encrypted[1].octets(), password, budget, _is_private_key_info)
        except TooManyIterations:
            raise
        except Undecryptable as exc:
            problem = exc.reason
    return Bag("shrouded-key", OID_SHROUDED_KEY_BAG, container, own, attributes,
               key_der=key_der, key_problem=problem)  # fmt: skip


def _attributes(node: ber.Node) -> Iterator[Attribute]:
    for attribute in node.items(ber.SET):
        parts = attribute.items(ber.SEQUENCE, 2)
        oid = parts[0].oid()
        texts = tuple(_attribute_text(v) for v in parts[1].items(ber.SET))
        yield Attribute(oid, ATTRIBUTE_NAMES.get(oid, oid), texts)


def _attribute_text(node: ber.Node) -> str:
    """A string attribute as text (BMPString, UTF8String...); anything else as hex."""
    text = node.text()
    if text is not None:
        return text
    if node.is_(ber.OCTET_STRING):
        return node.octets().hex()
    return node.raw.hex()


def _is_safe_contents(data: bytes) -> bool:
    try:
        ber.parse(data).items()
    except ber.BerError:
        return False
    return True


def _is_private_key_info(data: bytes) -> bool:
    """PrivateKeyInfo ::= SEQUENCE { version INTEGER, algorithm AlgorithmIdentifier, key … }"""
    try:
        parts = ber.parse(data).items(ber.SEQUENCE, 3)
        parts[0].integer()
        parts[1].items(ber.SEQUENCE, 1)[0].oid()
    except ber.BerError:
        return False
    return True
