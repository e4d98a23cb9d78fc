"""Does the leaf chain to a trusted root, with the intermediates the file carries?

Path building and signature checks are cryptography's X.509 verifier. It also enforces
validity, EKU and names, which other checks report; so here the end-entity extension policy is
relaxed to "permit all", the CA policy keeps only what makes a CA a CA (basicConstraints cA,
keyCertSign when keyUsage is present), a client verifier is used (no hostname), and a chain
that fails only because of a date is verified again inside the leaf's validity window. When the
chain breaks, a walk over the same certificates names the cause: the missing issuer's subject,
a self-signed certificate, or a root that the bundle does not trust (a private CA).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checks.certs import Verdict
from checks.certs.urls import certificate_urls
from readiness.check import CheckError
from readiness.model import Status

if TYPE_CHECKING:
    from cryptography import x509

    from readiness import Context

PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----\r?\n.+?\r?\n-----END CERTIFICATE-----", re.DOTALL
)
MAX_WALK = 10
UNTRUSTED_ROOT = """\
Get the certificate from a publicly trusted CA: the Teams Connector, the Conferencing Nodes
and Microsoft's side trust public roots only, and no intermediate added to the file changes
that. In a lab whose private CA you control, tell pxready to trust it instead: name the root's
PEM file in `[trust] ca_bundle` (pxready.toml) or with --ca-bundle."""
MAX_BUNDLE_BYTES = 16 * 1024 * 1024  # Mozilla's is about 250 KB


class TrustStoreProblem(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def load_roots(bundle: Path | None) -> tuple[list[x509.Certificate], str]:
    """Trust anchors from a PEM bundle (default: certifi's Mozilla bundle), and its name."""
    from checks.certs.loading import CertificateProblem, certificate_from_pem
    from readiness.connector import display_path
    from readiness.files import InputFileError, read_input

    if bundle is None:
        import certifi

        path, label = Path(certifi.where()), "the Mozilla CA bundle (certifi)"
    else:
        path, label = bundle, f"the CA bundle {display_path(bundle)}"
    try:
        data = read_input(path, MAX_BUNDLE_BYTES, "CA bundle")
    except InputFileError as problem:
        raise TrustStoreProblem(f"{label} {problem.message}") from None
    roots = []
    for block in PEM_CERTIFICATE.findall(data):
        try:
            roots.append(certificate_from_pem(block))
        except CertificateProblem:
            continue  # one bad entry must not distrust the rest
    if not roots:
        raise TrustStoreProblem(f"{label} holds no readable certificate")
    return roots, label


def subject(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string() or "(empty subject)"


def short_name(cert: x509.Certificate) -> str:
    """The subject's common name when it has one ("pxready Test TLS CA 1"), else the subject."""
    from checks.certs.names import common_names

    names = common_names(cert)
    return names[0] if names else subject(cert)


def issuer(cert: x509.Certificate) -> str:
    return cert.issuer.rfc4514_string() or "(empty issuer)"


def signed_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

    if child.issuer != parent.subject:
        return False
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def is_self_signed(cert: x509.Certificate) -> bool:
    return signed_by(cert, cert)


def _verify(
    leaf: x509.Certificate,
    pool: Sequence[x509.Certificate],
    roots: Sequence[x509.Certificate],
    at: dt.datetime,
) -> list[x509.Certificate]:
    from cryptography import x509
    from cryptography.x509.verification import (
        Criticality,
        ExtensionPolicy,
        PolicyBuilder,
        Store,
    )

    def must_be_ca(_policy: Any, _cert: x509.Certificate, ext: x509.BasicConstraints) -> None:
        if not ext.ca:
            raise ValueError("basicConstraints does not assert cA")

    def may_sign_certs(_policy: Any, _cert: x509.Certificate, ext: x509.KeyUsage | None) -> None:
        if ext is not None and not ext.key_cert_sign:
            raise ValueError("keyUsage lacks keyCertSign")

    ca_policy = (
        ExtensionPolicy.permit_all()
        .require_present(x509.BasicConstraints, Criticality.AGNOSTIC, must_be_ca)
        .may_be_present(x509.KeyUsage, Criticality.AGNOSTIC, may_sign_certs)
    )
    verifier = (
        PolicyBuilder()
        .store(Store(list(roots)))
        .time(at)
        .extension_policies(ca_policy=ca_policy, ee_policy=ExtensionPolicy.permit_all())
        .build_client_verifier()
    )
    return list(verifier.verify(leaf, list(pool)).chain)


def _clean(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    text = re.sub(r"^validation failed: ", "", text)
    return re.sub(
        r" \(encountered processing <Certificate\(subject=(.*?), \.\.\.\)>\)", r" (at \1)", text
    )


def judge(
    leaf: x509.Certificate,
    pool: Sequence[x509.Certificate],
    roots: Sequence[x509.Certificate],
    roots_label: str,
    at: dt.datetime,
    where: str,
) -> Verdict:
    """Verify `leaf` with the certificates of `where` (the PFX, the PEM file) as intermediates."""
    from cryptography.x509.verification import VerificationError

    at = at.astimezone(dt.UTC)
    details: dict[str, Any] = {"trust_store": roots_label}
    note = ""
    try:
        chain = _verify(leaf, pool, roots, at)
    except VerificationError as error:
        first_error = _clean(error)
        inside = _inside_validity([leaf, *pool])
        chain = []
        if "not valid at validation time" in first_error and inside is not None:
            try:
                chain = _verify(leaf, pool, roots, inside)
                note = (
                    f" (checked at {inside.date().isoformat()}: at {at.date().isoformat()} "
                    "a certificate is outside its validity, which the validity check "
                    "reports)"
                )
            except VerificationError as again:
                first_error = _clean(again)
        if not chain:
            return _diagnose(leaf, pool, roots, roots_label, where, first_error, details)
    details["chain"] = [subject(c) for c in chain]
    used = {_fingerprint(c) for c in chain}
    unused = [subject(c) for c in pool if _fingerprint(c) not in used]
    if unused:
        details["unused_certificates"] = unused
    anchor = chain[-1]
    intermediates = len(chain) - 2 if len(chain) > 1 else 0
    if (
        len(chain) > 1
        and not is_self_signed(anchor)
        and not any(_fingerprint(anchor) == _fingerprint(c) for c in pool)
    ):
        # The planning guide requires the intermediates inside the PFX: the installer and the
        # far end build the chain from it and their trusted roots, not from our CA bundle.
        return Verdict(
            Status.FAIL,
            f"the intermediate {subject(anchor)} is missing from {where}: the chain verifies "
            f"here only because {roots_label} holds that intermediate itself",
            details,
        )
    via = (
        f"through {intermediates} intermediate{'s' if intermediates != 1 else ''} from {where}"
        if intermediates
        else "directly"
    )
    return Verdict(
        Status.PASS, f"chains to the trusted root {subject(anchor)} {via}{note}", details
    )


def _fingerprint(cert: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives import hashes

    return cert.fingerprint(hashes.SHA256())


def _inside_validity(certs: Sequence[x509.Certificate]) -> dt.datetime | None:
    """A moment when all the given certificates are valid, else the middle of the leaf's."""
    start = max(c.not_valid_before_utc for c in certs)
    end = min(c.not_valid_after_utc for c in certs)
    if end <= start:
        start, end = certs[0].not_valid_before_utc, certs[0].not_valid_after_utc
    if end <= start:
        return None
    return start + (end - start) / 2


def _diagnose(
    leaf: x509.Certificate,
    pool: Sequence[x509.Certificate],
    roots: Sequence[x509.Certificate],
    roots_label: str,
    where: str,
    error: str,
    details: dict[str, Any],
) -> Verdict:
    """Walk up from the leaf by name and signature to say why the chain does not verify."""
    details["verifier"] = error
    path = [leaf]
    current = leaf
    for _ in range(MAX_WALK):
        if any(signed_by(current, root) for root in roots):
            details["chain"] = [subject(c) for c in path]
            return Verdict(
                Status.FAIL,
                f"the chain from {where} reaches a trusted root but does not verify: {error}",
                details,
            )
        if is_self_signed(current):
            details["chain"] = [subject(c) for c in path]
            if current is leaf:
                return Verdict(
                    Status.FAIL,
                    "the certificate is self-signed: no CA issued it, and "
                    f"{roots_label} does not trust it",
                    details,
                    UNTRUSTED_ROOT,
                )
            return Verdict(
                Status.FAIL,
                f"the chain ends at {subject(current)}, a root that {roots_label} "
                "does not trust: not a publicly trusted CA",
                details,
                UNTRUSTED_ROOT,
            )
        parents = [c for c in pool if c not in path and signed_by(current, c)]
        if parents:
            current = parents[0]
            path.append(current)
            continue
        details["chain"] = [subject(c) for c in path]
        details["missing_issuer"] = issuer(current)
        urls = list(certificate_urls(current).ca_issuers)
        if urls:
            details["ca_issuers"] = urls
        same_name = [c for c in [*pool, *roots] if c.subject == current.issuer]
        if same_name:
            return Verdict(
                Status.FAIL,
                f"{issuer(current)} is present but did not sign {subject(current)} "
                "(a different key: a re-issued or cross-signed CA certificate is needed)",
                details,
            )
        role = "the certificate" if current is leaf else f"the intermediate {subject(current)}"
        return Verdict(
            Status.FAIL,
            f"the issuer of {role} is missing: {issuer(current)} is neither in "
            f"{where} nor in {roots_label}",
            details,
        )
    details["chain"] = [subject(c) for c in path]
    return Verdict(Status.FAIL, f"the chain does not verify: {error}", details)


def trust_roots(ctx: Context) -> tuple[list[x509.Certificate], str]:
    """The run's trust anchors, loaded once; `error` when the bundle is unreadable."""
    bundle = ctx.deployment.ca_bundle
    try:
        return ctx.memo(("trust-roots", bundle), lambda: load_roots(bundle))
    except TrustStoreProblem as problem:
        raise CheckError(problem.message) from None
