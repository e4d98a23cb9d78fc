"""Which PKCS#12 protections Windows imports: the rules of connector-cert.pfx-encryption.

Windows imports PFX files protected with TripleDES-SHA1 (pbeWithSHAAnd3-KeyTripleDES-CBC with
a SHA-1 MAC) or AES256-SHA256 (PBES2: PBKDF2 with HMAC-SHA256 and AES-256-CBC, with a SHA-256
MAC). `openssl pkcs12 -export -legacy` and older Windows exports protect the certificates with
40-bit RC2 and the key with 3DES; Windows imports that too. Everything else is judged below.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from checks.certs import Verdict
from checks.certs.pkcs12_info import NOT_ENCRYPTED, Pkcs12Structure, Protection
from readiness.model import Status

TRIPLE_DES_PBE = "1.2.840.113549.1.12.1.3"
RC2_40_PBE = "1.2.840.113549.1.12.1.6"
AES_NOTE = (
    "AES-protected PFX files import on Windows 10 1709 / Server 2019 and later, while Windows "
    "Server 2016 and older report a wrong password: export with TripleDES-SHA1 if the "
    "installer runs there"
)
RC2_NOTE = (
    "the certificates use 40-bit RC2 (pbeWithSHAAnd40BitRC2-CBC), as OpenSSL's -legacy "
    "option and older Windows exports write: Windows imports it; FIPS-mode systems refuse RC2"
)


def _unique(items: Sequence[Protection]) -> list[Protection]:
    """One of each kind of protection (two parts protected alike differ only in their salt)."""
    kinds: dict[object, Protection] = {}
    for item in items:
        kinds.setdefault(item.kind, item)
    return list(kinds.values())


def judge(structure: Pkcs12Structure) -> Verdict:
    """The verdict on how the key, the certificates and the MAC are protected."""
    verdicts: list[tuple[Status, str]] = []
    key_protections: list[Protection] = []
    for bag in structure.key_bags:
        if bag.kind == "key" and bag.protection.scheme == "none":
            verdicts.append(
                (Status.FAIL, "the private key is stored unencrypted (a plain key bag)")
            )
            key_protections.append(NOT_ENCRYPTED)
            continue
        key_protections.append(bag.protection)
        container = structure.containers[bag.container]
        if bag.kind != "key" and container.protection is not None:
            key_protections.append(container.protection)
    cert_protections = _unique([c.protection for c in structure.containers if c.protection])
    key_protections = _unique(key_protections)
    notes: list[str] = []
    for protection in _unique(key_protections + cert_protections):
        if protection.scheme == "none":
            continue
        holds_key = protection.kind in {p.kind for p in key_protections} or not structure.key_bags
        status, reason = _judge_protection(protection, holds_key=holds_key)
        if reason == RC2_NOTE:
            notes.append(reason)
        else:
            verdicts.append((status, reason))
    verdicts.append(_judge_mac(structure))
    profile = _profile(key_protections, cert_protections, structure)
    key_text = ", ".join(p.describe() for p in key_protections) or "not visible"
    cert_text = ", ".join(p.describe() for p in cert_protections) or "not encrypted"
    mac = structure.mac
    summary = f"key {key_text}; certificates {cert_text}; MAC {mac.algorithm if mac else 'none'}"
    details: dict[str, Any] = {
        "profile": profile,
        "key": [p.as_dict() for p in key_protections],
        "certificates": [p.as_dict() for p in cert_protections],
        "mac": mac.as_dict() if mac else None,
        "hidden_containers": [c.problem for c in structure.hidden],
    }
    for status in (Status.FAIL, Status.WARN):
        reasons = list(dict.fromkeys(r for s, r in verdicts if s is status))
        if reasons:
            return Verdict(status, f"{'; '.join(reasons)} ({summary})", details)
    message = f"{profile or 'protection Windows imports'}: {summary}"
    if any(p.scheme == "PBES2" for p in key_protections + cert_protections):
        message += f"; note: {AES_NOTE}"
    if notes:
        # The FIPS remark is for `--verbose` and `explain`; the message stays a pass.
        details["notes"] = notes
        message += "; the certificates use 40-bit RC2, which Windows imports"
    return Verdict(Status.PASS, message, details)


def _judge_mac(structure: Pkcs12Structure) -> tuple[Status, str]:
    mac = structure.mac
    if mac is None:
        return Status.WARN, "the PFX has no integrity MAC"
    if mac.hash_name in ("sha1", "sha256"):
        return Status.PASS, f"MAC {mac.algorithm}"
    if mac.hash_name in ("sha384", "sha512"):
        return (
            Status.WARN,
            f"MAC {mac.algorithm} is not one Windows writes; older Windows versions may not "
            "verify it",
        )
    return Status.FAIL, f"MAC {mac.algorithm} is not one Windows can verify"


def _judge_protection(protection: Protection, *, holds_key: bool) -> tuple[Status, str]:
    what = "the private key is" if holds_key else "the certificates are"
    if protection.oid == TRIPLE_DES_PBE:
        return Status.PASS, "TripleDES-SHA1"
    if protection.scheme == "PBES2":
        usable_kdf = protection.kdf in ("PBKDF2 (HMAC-SHA256)", "PBKDF2 (HMAC-SHA1)")
        if protection.cipher == "AES-256-CBC" and protection.kdf == "PBKDF2 (HMAC-SHA256)":
            return Status.PASS, "AES256-SHA256"
        if usable_kdf and (protection.cipher.startswith("AES") or protection.cipher == "3DES-CBC"):
            return Status.WARN, (
                f"{what} protected with PBES2 using {protection.cipher} and {protection.kdf}, "
                "not one of the two profiles Windows writes; Windows Server 2016 and older "
                "cannot read PBES2"
            )
        return Status.FAIL, (
            f"{what} protected with PBES2 using {protection.cipher} and {protection.kdf}, "
            "which Windows does not import"
        )
    if protection.oid == RC2_40_PBE and not holds_key:
        return Status.PASS, RC2_NOTE
    return Status.FAIL, (
        f"{what} protected with {protection.scheme} ({protection.cipher}), which is broken or "
        "which Windows does not import"
    )


def _profile(
    keys: list[Protection], certs: list[Protection], structure: Pkcs12Structure
) -> str | None:
    mac = structure.mac.hash_name if structure.mac else None
    everything = _unique(keys + certs)
    if everything and all(p.oid == TRIPLE_DES_PBE for p in everything) and mac == "sha1":
        return "TripleDES-SHA1"
    if (
        keys
        and all(p.oid == TRIPLE_DES_PBE for p in keys)
        and certs
        and all(p.oid == RC2_40_PBE for p in certs)
        and mac == "sha1"
    ):
        return "TripleDES-SHA1 key, RC2-40 certificates (openssl -legacy)"
    aes = all(
        p.scheme == "PBES2" and p.cipher == "AES-256-CBC" and p.kdf == "PBKDF2 (HMAC-SHA256)"
        for p in everything
    )
    if everything and aes and mac == "sha256":
        return "AES256-SHA256"
    return None
