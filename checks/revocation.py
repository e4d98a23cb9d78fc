"""revocation.urls: the CRL and OCSP URLs of both chains are plain http:// and answer.

The Teams Connector checks the revocation of its own and the nodes' certificates over plain
HTTP on port 80 (the planning guide's firewall table). Online, every CRL is downloaded and read
(signed by the issuer, current, not listing the certificate) and every OCSP responder is asked
a real OCSP request for each certificate naming it. Under --offline the URLs themselves are
still judged (present, plain http://), and the result says the servers were not contacted.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from checks.fetched import MAX_URL_SHOWN
from readiness import (
    CheckError,
    Context,
    Finding,
    Needs,
    Scope,
    failed,
    passed,
    skipped,
    warned,
)
from readiness import check as _check
from readiness.text import count, display, shorten

if TYPE_CHECKING:
    from cryptography import x509

    from checks.chains import Held, Inventory
    from readiness.adapters.http import Fetched, Fetcher

GUIDE = "Pexip Teams Connector planning guide"
CRL = "CRL"
OCSP = "OCSP"
# A responder's clock may run a little ahead of ours.
OCSP_CLOCK_SKEW = dt.timedelta(minutes=5)


class Url(NamedTuple):
    url: str
    kind: str  # CRL or OCSP
    holders: tuple[Held, ...]

    @property
    def shown(self) -> str:
        return display(shorten(self.url, MAX_URL_SHOWN))

    @property
    def head(self) -> str:
        first = self.holders[0]
        more = (
            f" and {count(len(self.holders) - 1, 'other certificate')}"
            if len(self.holders) > 1
            else ""
        )
        return f"{self.shown} ({self.kind} of {first.label()}{more})"

    def details(self, **more: Any) -> dict[str, Any]:
        return {"url": self.shown, "kind": self.kind,
                "certificates": [h.label() for h in self.holders], **more}  # fmt: skip


def urls_offline(ctx: Context) -> list[Finding]:
    """Under --offline: the URLs as the certificates name them, no server contacted."""
    from checks.chains import inventory

    found = inventory(ctx)
    urls, findings = _urls(found)
    for url in urls:
        problem = _scheme_problem(url)
        if problem is not None:
            findings.append(problem)
        else:
            findings.append(
                passed(
                    f"{url.head} is plain http:// (not contacted: --offline)",
                    target=url.shown,
                    details=url.details(contacted=False),
                    location=url.holders[0].location,
                )
            )
    return findings


check = partial(_check, order=45, scope=Scope.DEPLOYMENT, needs=Needs.NETWORK, offline=urls_offline)


@check(
    "revocation.urls",
    "CRL and OCSP URLs are plain HTTP and answer",
    reference=f"{GUIDE}: Firewall ports for the Teams Connector and NSG rules (Teams Connector "
    "instance to OCSP responder, TCP 80, certificate revocation checking); RFC 5280, RFC 6960",
    remediation="""
    Use certificates whose CRL distribution points and OCSP URLs are plain http:// addresses
    that answer (ask the CA), and allow outbound TCP 80 from the Teams Connector to them. The
    connector checks the revocation of its own and the nodes' certificates over plain HTTP; a
    URL it cannot use leaves the revocation status unknown, and the TLS connection fails.
    Check a CRL by hand with `curl -sS -o ca.crl URL` and then
    `openssl crl -inform DER -in ca.crl -noout -text`; an OCSP responder with
    `openssl ocsp -issuer issuer.pem -cert cert.pem -url URL -resp_text`.
    """,
)
async def revocation_answers(ctx: Context) -> list[Finding]:
    """Every CRL distribution point and OCSP URL of every certificate of both chains (the
    connector PFX of each connector, every node certificate file) must be plain http:// and
    answer: a CRL that parses, is signed by the certificate's issuer, is current and does not
    list the certificate; an OCSP responder that answers a real request for the certificate
    with a successful response saying "good". A certificate without any revocation URL warns:
    nothing can tell the connector that it was revoked. Under --offline only the URLs are
    judged. Equivalent by hand: downloading each CRL with curl and reading it with openssl
    crl, and asking each responder with openssl ocsp (the commands are under "How to fix").
    """
    import asyncio

    from checks.chains import inventory

    found = await asyncio.to_thread(inventory, ctx)
    urls, findings = _urls(found)
    fetcher = ctx.http()
    judged = await asyncio.gather(*(_judge(ctx, fetcher, url) for url in urls))
    return [*judged, *findings]


def _urls(found: Inventory) -> tuple[list[Url], list[Finding]]:
    """Each distinct URL with the certificates naming it; and the findings about certificates
    themselves (no revocation URL, unreadable extensions, files that were not opened)."""
    from checks.certs.urls import certificate_urls
    from checks.chains import LEAF, ROOT

    held = found.require()
    by_url: dict[tuple[str, str], list[Held]] = {}
    findings: list[Finding] = []
    for item in held:
        if item.role == ROOT:
            continue  # a root is trusted as installed; nothing checks its revocation
        urls = certificate_urls(item.cert)
        for problem in urls.problems:
            findings.append(
                failed(f"{item.label()}: {problem}", target=item.where, location=item.location)
            )
        for url in urls.crl:
            by_url.setdefault((url, CRL), []).append(item)
        for url in urls.ocsp:
            by_url.setdefault((url, OCSP), []).append(item)
        if item.role == LEAF and not urls.revocation and not urls.problems:
            findings.append(
                warned(
                    f"{item.label()} names no CRL distribution point and no OCSP URL: nothing "
                    "can tell the Teams Connector that it has been revoked",
                    target=item.where,
                    location=item.location,
                )
            )
    findings.extend(
        skipped(f"{u.where}: {u.why}", target=u.where, because=u.because) for u in found.unavailable
    )
    listed = [Url(url, kind, tuple(holders)) for (url, kind), holders in by_url.items()]
    return listed, findings


def _scheme_problem(url: Url) -> Finding | None:
    """The failure of a URL that is not plain, well-formed http://, or None."""
    from checks.certs.urls import scheme
    from readiness.adapters.urls import url_problem

    kind = scheme(url.url)
    if kind == "http":
        malformed = url_problem(url.url)
        if malformed is None:
            return None
        return failed(f"{url.head} cannot be fetched: {malformed}", target=url.shown,
                      details=url.details(), location=url.holders[0].location)  # fmt: skip
    what = f"{kind}://" if kind else "not an http:// URL"
    return failed(
        f"{url.head} is {what}: the Teams Connector checks revocation over plain HTTP (port 80)",
        target=url.shown,
        details=url.details(),
        location=url.holders[0].location,
    )


async def _judge(ctx: Context, fetcher: Fetcher, url: Url) -> Finding:
    problem = _scheme_problem(url)
    if problem is not None:
        return problem
    if url.kind == CRL:
        finding = await _judge_crl(ctx, fetcher, url)
    else:
        finding = await _judge_ocsp(ctx, fetcher, url)
    return finding._replace(location=url.holders[0].location)


def _no_answer(url: Url, answer: Fetched) -> Finding | None:
    """The finding when the server gave no usable HTTP answer, else None."""
    from checks.fetched import unusable

    return unusable(answer, url.head, url.shown, url.details(), lambda _: " instead of answering")


# -- CRL ----------------------------------------------------------------------------------------


async def _judge_crl(ctx: Context, fetcher: Fetcher, url: Url) -> Finding:
    import asyncio

    from checks.certs.downloads import crl_from_body
    from checks.certs.loading import CertificateProblem

    answer = await fetcher.get(url.url)
    problem = _no_answer(url, answer)
    if problem is not None:
        return problem
    details = url.details(http_status=answer.status)
    if answer.too_large:
        return warned(
            f"{url.head} answers 200 with more than 1 MiB; pxready reads at most 1 MiB, so the "
            "CRL itself was not checked",
            target=url.shown,
            details=details,
        )
    try:
        crl = crl_from_body(answer.body)
    except CertificateProblem as bad:
        return failed(f"{url.head} answers 200, but {bad.message}", target=url.shown,
                      details=details)  # fmt: skip
    issuers = await asyncio.to_thread(_issuers, ctx, url.holders)
    return _crl_verdict(ctx, url, crl, issuers, details)


def _crl_verdict(
    ctx: Context,
    url: Url,
    crl: x509.CertificateRevocationList,
    issuers: list[x509.Certificate | None],
    details: dict[str, Any],
) -> Finding:
    from checks.certs.chain import short_name

    next_update = crl.next_update_utc
    details["next_update"] = next_update.isoformat() if next_update else None
    notes: list[str] = []
    for holder, issuer in zip(url.holders, issuers, strict=True):
        if crl.issuer != holder.cert.issuer:
            return failed(
                f"{url.head} serves a CRL of {crl.issuer.rfc4514_string()}, not of the "
                f"certificate's issuer {holder.cert.issuer.rfc4514_string()}",
                target=url.shown,
                details=details,
            )
        if issuer is None:
            notes.append(f"signature not checked: the issuer of {short_name(holder.cert)} is "
                         "not at hand")  # fmt: skip
        elif not _crl_signed_by(crl, issuer):
            return failed(
                f"{url.head} serves a CRL whose signature does not verify with the issuer "
                f"{short_name(issuer)}",
                target=url.shown,
                details=details,
            )
        revoked = crl.get_revoked_certificate_by_serial_number(holder.cert.serial_number)
        if revoked is not None:
            since = revoked.revocation_date_utc.date().isoformat()
            return failed(
                f"{url.head}: the CRL lists {short_name(holder.cert)} as revoked since {since}",
                target=url.shown,
                details=details,
            )
    if next_update is not None and next_update < ctx.now.astimezone(dt.UTC):
        return failed(
            f"{url.head} serves a CRL that expired on {next_update.date().isoformat()}: "
            "the revocation status is unknown to anyone who relies on it",
            target=url.shown,
            details=details,
        )
    until = f", next update {next_update.date().isoformat()}" if next_update else ""
    note = f" ({'; '.join(dict.fromkeys(notes))})" if notes else ""
    signed = "" if notes else ", signed by the issuer"
    listed = (
        "the certificate is not listed"
        if len(url.holders) == 1
        else "none of the certificates naming it is listed"
    )
    return passed(
        f"{url.head} answers with a CRL of {count(len(crl), 'entry', 'entries')}{signed}{until}; "
        f"{listed}{note}",
        target=url.shown,
        details=details,
    )


def _crl_signed_by(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    try:
        return crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


# -- OCSP ---------------------------------------------------------------------------------------


async def _judge_ocsp(ctx: Context, fetcher: Fetcher, url: Url) -> Finding:
    import asyncio

    issuers = await asyncio.to_thread(_issuers, ctx, url.holders)
    asked = [(h, i) for h, i in zip(url.holders, issuers, strict=True) if i is not None]
    if not asked:
        first = url.holders[0]
        return skipped(
            f"{url.head}: an OCSP request needs the issuer's certificate, and the issuer of "
            f"{first.label()} is neither in its file nor among the trusted roots",
            target=url.shown,
            details=url.details(),
            because="issuer certificate not at hand",
        )
    verdicts = await asyncio.gather(*(_ask(fetcher, url, h, i, ctx.now) for h, i in asked))
    for verdict in verdicts:
        if verdict.status.value != "pass":
            return verdict
    return (
        verdicts[0]
        if len(verdicts) == 1
        else passed(
            f'{url.head} answers "good" for each of the {len(verdicts)} certificates naming it',
            target=url.shown,
            details=url.details(),
        )
    )


async def _ask(
    fetcher: Fetcher, url: Url, holder: Held, issuer: x509.Certificate, now: dt.datetime
) -> Finding:
    from cryptography.hazmat.primitives import serialization

    from checks.certs.downloads import ocsp_response_from_body
    from checks.certs.loading import CertificateProblem

    request = _ocsp_request(holder.cert, issuer)
    body = request.public_bytes(serialization.Encoding.DER)
    answer = await fetcher.post(url.url, body, "application/ocsp-request")
    problem = _no_answer(url, answer)
    if problem is not None:
        return problem
    details = url.details(http_status=answer.status)
    try:
        response = ocsp_response_from_body(answer.body)
    except CertificateProblem as bad:
        return failed(f"{url.head} answers 200, but {bad.message}", target=url.shown,
                      details=details)  # fmt: skip
    return _ocsp_verdict(url, holder, issuer, response, details, now)


def _ocsp_request(cert: x509.Certificate, issuer: x509.Certificate) -> Any:
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509 import ocsp

    # CertID with SHA-1, as RFC 5019 responders expect and Windows sends.
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1())  # noqa: S303
    return builder.build()


def _ocsp_verdict(
    url: Url,
    holder: Held,
    issuer: x509.Certificate,
    response: Any,
    details: dict[str, Any],
    now: dt.datetime,
) -> Finding:
    from cryptography.x509 import ocsp

    from checks.certs.chain import short_name

    status = response.response_status
    if status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        name = status.name.replace("_", " ").lower()
        return failed(f"{url.head} refuses the OCSP request ({name})", target=url.shown,
                      details=details)  # fmt: skip
    try:
        serial = response.serial_number
        cert_status = response.certificate_status
        revoked_at = response.revocation_time_utc
        this_update = response.this_update_utc
        next_update = response.next_update_utc
        signed = _ocsp_signed(response, issuer)
    except (ValueError, TypeError) as exc:
        return failed(f"{url.head} answers with an OCSP response that cannot be read ({exc})",
                      target=url.shown, details=details)  # fmt: skip
    who = short_name(holder.cert)
    if serial != holder.cert.serial_number:
        return failed(f"{url.head} answers about another certificate (serial {serial:x}), not "
                      f"{who}", target=url.shown, details=details)  # fmt: skip
    if not signed:
        return failed(
            f"{url.head} answers with an OCSP response whose signature does not verify with "
            f"the issuer {short_name(issuer)} or an OCSP responder certificate it issued",
            target=url.shown,
            details=details,
        )
    details["status"] = cert_status.name.lower()
    details["next_update"] = next_update.isoformat() if next_update else None
    current = now.astimezone(dt.UTC)
    if next_update is not None and next_update < current:
        return failed(
            f"{url.head} answers with a stale response (next update was "
            f"{next_update.date().isoformat()}): a client discards it, and the revocation "
            "status stays unknown",
            target=url.shown,
            details=details,
        )
    if this_update > current + OCSP_CLOCK_SKEW:
        return failed(
            f"{url.head} answers with a response dated in the future "
            f"({this_update.isoformat()}), which a client discards",
            target=url.shown,
            details=details,
        )
    if cert_status == ocsp.OCSPCertStatus.REVOKED:
        since = f" since {revoked_at.date().isoformat()}" if revoked_at else ""
        return failed(f"{url.head} says {who} is revoked{since}", target=url.shown,
                      details=details)  # fmt: skip
    if cert_status == ocsp.OCSPCertStatus.UNKNOWN:
        return failed(f"{url.head} does not know {who} (status unknown)", target=url.shown,
                      details=details)  # fmt: skip
    return passed(f'{url.head} answers "good" for {who}', target=url.shown, details=details)


def _ocsp_signed(response: Any, issuer: x509.Certificate) -> bool:
    """Whether the response is signed by the issuer, or by a responder certificate that the
    issuer signed for OCSP signing (RFC 6960 section 4.2.2.2)."""
    from checks.certs.chain import signed_by
    from checks.certs.loading import parse_errors

    try:
        delegated = [c for c in response.certificates if signed_by(c, issuer) and _ocsp_signing(c)]
    except parse_errors():  # a certificate in the response that cannot be read signs nothing
        delegated = []
    return any(_verifies(s.public_key(), response) for s in (issuer, *delegated))


def _ocsp_signing(cert: x509.Certificate) -> bool:
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    try:
        usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except (x509.ExtensionNotFound, ValueError):
        return False
    return ExtendedKeyUsageOID.OCSP_SIGNING in usages


def _verifies(key: Any, response: Any) -> bool:
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    algorithm = response.signature_hash_algorithm
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(response.signature, response.tbs_response_bytes, padding.PKCS1v15(),
                       algorithm)  # fmt: skip
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(response.signature, response.tbs_response_bytes, ec.ECDSA(algorithm))
        else:
            key.verify(response.signature, response.tbs_response_bytes)
    except (InvalidSignature, UnsupportedAlgorithm, TypeError, ValueError):
        return False
    return True


# -- issuers ------------------------------------------------------------------------------------


def _issuers(ctx: Context, holders: tuple[Held, ...]) -> list[x509.Certificate | None]:
    """The certificate that issued each holder: from its own file, else a trusted root."""
    from checks.certs.chain import signed_by, trust_roots

    found: list[x509.Certificate | None] = []
    roots: list[x509.Certificate] | None = None
    for holder in holders:
        issuer = holder.issuer_in_file()
        if issuer is None:
            if roots is None:
                try:
                    roots = trust_roots(ctx)[0]
                except CheckError:
                    roots = []
            issuer = next((r for r in roots if signed_by(holder.cert, r)), None)
        found.append(issuer)
    return found
