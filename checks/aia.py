"""aia.redirect: the caIssuers URLs that Windows follows to build a chain answer over plain HTTP,
without redirecting, with a certificate.

The URLs come from the certificates (hostile input). Each distinct URL is fetched once, all at
once, through the run's HTTP fetcher: no redirect followed, 1 MiB at most, --timeout for the
whole exchange.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from checks.fetched import MAX_URL_SHOWN
from readiness import (
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
    from checks.certs.downloads import Served
    from checks.chains import Held
    from readiness.adapters.http import Fetched, Fetcher

check = partial(_check, order=40, scope=Scope.DEPLOYMENT, needs=Needs.NETWORK)

GUIDE = "Pexip Teams Connector planning guide"


@check(
    "aia.redirect",
    "AIA caIssuers URLs answer over plain HTTP without redirecting",
    reference=f"{GUIDE}: Ensuring Conferencing Nodes have suitable certificates (intermediate "
    "certificates must not include HTTP-to-HTTPS redirects in their AIA section); RFC 5280 "
    "section 4.2.2.1 (caIssuers: DER or certs-only PKCS#7 over HTTP)",
    remediation="""
    Have the CA serve the issuing CA certificate at that http:// URL with a plain 200 answer
    (DER or certs-only PKCS#7), not a redirect; or use a certificate whose AIA names such a URL.
    Windows, which the Teams Connector runs on, fetches caIssuers over plain HTTP and does not
    follow a redirect to HTTPS, so it cannot complete a chain through such a URL. Check a URL
    by hand with `curl -sI URL` (`curl.exe -sI URL` in PowerShell): the answer must be
    `200 OK`, without a `Location:` header.
    """,
)
async def caissuers_answer(ctx: Context) -> list[Finding]:
    """A certificate's Authority Information Access extension may name caIssuers URLs where
    the certificate of its issuer can be downloaded. The Teams Connector runs on Windows, whose
    chain engine downloads from them over plain HTTP when an intermediate is missing, and does
    not follow HTTPS locations; a caIssuers URL that redirects from HTTP to HTTPS (a common CDN
    default) breaks chain building there. Every caIssuers URL of every certificate of both
    chains (the connector PFX of each connector, every node certificate file) is fetched once,
    without following redirects: 200 with a DER certificate or a certs-only PKCS#7 passes (and
    the result says whether it is the issuer); any redirect, 4xx/5xx, a body that is no
    certificate, an https:// or ldap:// URL fails; a timeout, refused connection or name that
    does not resolve is an error. Equivalent by hand: `curl -sI URL` for each URL.
    """
    import asyncio

    from checks.certs.urls import certificate_urls
    from checks.chains import inventory

    found = await asyncio.to_thread(inventory, ctx)
    held = found.require()
    by_url: dict[str, list[Held]] = {}
    for item in held:
        for url in certificate_urls(item.cert).ca_issuers:
            by_url.setdefault(url, []).append(item)
    findings = [
        skipped(f"{u.where}: {u.why}", target=u.where, because=u.because) for u in found.unavailable
    ]
    if not by_url:
        which = (
            "the certificate names no"
            if len(held) == 1
            else f"none of the {len(held)} certificates names"
        )
        findings.append(
            passed(
                f"{which} a caIssuers URL, so Windows has nothing to fetch (the intermediates "
                "must then come with the certificates, which the chain checks confirm)"
            )
        )
        return findings
    fetcher = ctx.http()
    judged = await asyncio.gather(*(_judge(fetcher, url, by_url[url]) for url in by_url))
    return [*judged, *findings]


async def _judge(fetcher: Fetcher, url: str, holders: list[Held]) -> Finding:
    from checks.certs.urls import scheme
    from readiness.adapters.urls import url_problem

    shown = display(shorten(url, MAX_URL_SHOWN))
    named = _named_by(holders)
    details = {"url": shown, "named_by": [h.label() for h in holders]}
    location = holders[0].location
    kind = scheme(url)
    if kind == "https":
        return failed(
            f"{shown} ({named}) is https://: Windows fetches caIssuers over plain HTTP only",
            target=shown,
            details=details,
            location=location,
        )
    if kind != "http":
        what = f"{kind}://" if kind else "not an http:// URL"
        return failed(
            f"{shown} ({named}) is {what}: the Teams Connector fetches caIssuers over plain "
            "HTTP only",
            target=shown,
            details=details,
            location=location,
        )
    malformed = url_problem(url)
    if malformed is not None:
        return failed(f"{shown} ({named}) cannot be fetched: {malformed}", target=shown,
                      details=details, location=location)  # fmt: skip
    answer = await fetcher.get(url)
    return _verdict(answer, f"{shown} ({named})", shown, holders, details)._replace(
        location=location
    )


def _verdict(
    answer: Fetched, head: str, shown: str, holders: list[Held], details: dict[str, Any]
) -> Finding:
    from checks.certs.downloads import served_certificates
    from checks.certs.loading import CertificateProblem
    from checks.fetched import unusable

    problem = unusable(answer, head, shown, details, _redirect_why)
    if problem is not None:
        return problem
    details = {**details, "http_status": answer.status}
    if answer.too_large:
        return failed(f"{head} answers 200 with more than 1 MiB, which is no certificate",
                      target=shown, details=details)  # fmt: skip
    try:
        served = served_certificates(answer.body)
    except CertificateProblem:
        what = display(shorten(answer.content_type or "no content type", 60))
        return failed(
            f"{head} answers 200 with {what} ({count(len(answer.body), 'byte')}), which is no "
            "certificate",
            target=shown,
            details=details,
        )
    return _served(served, head, shown, holders, details)


def _redirect_why(where: str) -> str:
    if where.lower().startswith("https:"):
        return (
            ": Windows does not follow a caIssuers redirect from HTTP to HTTPS, so it cannot "
            "build the chain through it"
        )
    return ": the Teams Connector's Windows chain engine must get the certificate directly"


def _served(
    served: Served, head: str, shown: str, holders: list[Held], details: dict[str, Any]
) -> Finding:
    from checks.certs.chain import short_name, signed_by, subject

    what = (
        f"a {served.form} certificate"
        if len(served.certificates) == 1
        else f"a {served.form} bundle of {count(len(served.certificates), 'certificate')}"
    )
    names = [short_name(c) for c in served.certificates]
    details = {**details, "served": [subject(c) for c in served.certificates]}
    orphans = [h for h in holders if not any(signed_by(h.cert, c) for c in served.certificates)]
    if not orphans:
        issued = "its issuer" if len(holders) == 1 else "the issuer of each certificate naming it"
        return passed(f"{head} answers 200 with {what}: {issued}", target=shown, details=details)
    return warned(
        f"{head} answers 200 with {what} ({'; '.join(names)}), which is not the issuer of "
        f"{short_name(orphans[0].cert)}: Windows cannot complete the chain with it",
        target=shown,
        details=details,
    )


def _named_by(holders: list[Held]) -> str:
    first = holders[0]
    more = f" and {count(len(holders) - 1, 'other certificate')}" if len(holders) > 1 else ""
    return f"named by {first.label()}{more}"
