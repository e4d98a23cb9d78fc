"""tls.node: each Conferencing Node accepts TLS 1.2 with a strong cipher and presents a
certificate for its name, as the Teams Connector will see it.

Each $PxNodeFqdns name is resolved through the configured nameservers (the same answers
dns.node-public uses) and every address it has (IPv4, else IPv6) is probed on [nodes]
tls_port. The certificate the node presents is judged by the same code as the node certificate
files: RFC 6125 name matching, EKU, chain to the trust store.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from readiness import (
    CheckSkipped,
    Context,
    Finding,
    Needs,
    Scope,
    Status,
    errored,
    skipped,
    warned,
)
from readiness import check as _check
from readiness.model import EMPTY
from readiness.text import count

if TYPE_CHECKING:
    from cryptography import x509

    from readiness.adapters.tls import Handshake, TlsProber

check = partial(_check, order=60, scope=Scope.DEPLOYMENT, needs=Needs.NETWORK)

GUIDE = "Pexip Teams Connector planning guide"
# A pool name may have many addresses, each a node; beyond this many, the rest are not probed.
MAX_ADDRESSES_PER_NAME = 16


class Endpoint(NamedTuple):
    """What one address of a node said, judged."""

    address: str
    status: Status
    text: str  # what it does, or what is wrong
    weak: tuple[str, ...] = ()  # weak protocols or ciphers it still accepts
    not_probed: tuple[str, ...] = ()  # weak offers this machine could not make
    details: Mapping[str, Any] = EMPTY


@check(
    "tls.node",
    "Nodes accept TLS 1.2 with a strong cipher and present a certificate for their name",
    reference=f"{GUIDE}: Ensuring Conferencing Nodes have suitable certificates; Firewall ports "
    "for the Teams Connector and NSG rules (Teams Connector instance to Conferencing Nodes, "
    "TCP 443, signaling)",
    remediation="""
    On each Conferencing Node, enable TLS 1.2 with modern ciphers (Pexip: Platform > Global
    settings > Security: TLS and cipher settings) and install the node's certificate with its
    intermediates, for a name in $PxNodeFqdns, with serverAuth and clientAuth. Check by hand with
    `openssl s_client -connect NAME:443 -servername NAME -tls1_2 -showcerts`.
    """,
)
async def nodes_tls(ctx: Context) -> list[Finding]:
    """The Teams Connector (Windows Server) and the Conferencing Nodes authenticate each other
    with TLS certificates. For each $PxNodeFqdns name, every address it resolves to (through
    the configured nameservers) is connected to on [nodes] tls_port with the name as SNI:
    TLS 1.2 must be negotiable with a cipher outside RC2, RC4, DES and 3DES (protocol and
    cipher are reported); the certificate the node presents must match the name (RFC 6125),
    carry serverAuth and clientAuth, and chain to a trusted root with the intermediates the
    node sends. A node that also accepts TLS 1.0, TLS 1.1 or a weak cipher gets a warning of
    its own. A node that does not answer is an error; a name that does not resolve is left to
    dns.node-public. Equivalent by hand:
    `openssl s_client -connect NAME:443 -servername NAME -tls1_2 -showcerts`.
    """
    import asyncio

    from checks.node_cert import node_names

    names, unreadable = await asyncio.to_thread(node_names, ctx)
    if not names:
        reason = "; ".join(unreadable) or "no $PxNodeFqdns names are set (see vars.required)"
        raise CheckSkipped(reason, because="no node names")
    roots = await asyncio.to_thread(_roots, ctx)
    port = ctx.deployment.tls_port
    results = await asyncio.gather(*(_node(ctx, name, port, roots) for name in names))
    findings: list[Finding] = []
    for name, found in zip(names, results, strict=True):
        findings.extend(f._replace(target=name, location=names[name]) for f in found)
    return findings


def _roots(ctx: Context) -> tuple[list[x509.Certificate], str] | str:
    """The trust store, or why it is unusable (the chain is then not judged)."""
    from checks.certs.chain import trust_roots
    from readiness import CheckError

    try:
        return trust_roots(ctx)
    except CheckError as problem:
        return problem.reason


async def _node(
    ctx: Context, name: str, port: int, roots: tuple[list[x509.Certificate], str] | str
) -> list[Finding]:
    import asyncio

    found = await ctx.resolver().addresses(name)
    v4, v6 = found.a.records, found.aaaa.records
    addresses = (v4 or v6)[:MAX_ADDRESSES_PER_NAME]
    if not addresses:
        if found.problem:
            return [errored(f"{name} could not be resolved, so it was not probed: "
                            f"{found.problem}")]  # fmt: skip
        return [skipped(f"{name} does not resolve, so it was not probed (see dns.node-public)",
                        because="node name does not resolve")]  # fmt: skip
    prober = ctx.tls()
    endpoints = await asyncio.gather(
        *(_endpoint(ctx, prober, name, address, port, roots) for address in addresses)
    )
    return _summarise(name, port, list(endpoints), skipped_addresses=len(v4 or v6) - len(addresses))


async def _endpoint(
    ctx: Context,
    prober: TlsProber,
    name: str,
    address: str,
    port: int,
    roots: tuple[list[x509.Certificate], str] | str,
) -> Endpoint:
    from readiness.adapters.tls import Offer

    main = await prober.probe(name, address, port, Offer.TLS12)
    if main.unreachable:
        return Endpoint(address, Status.ERROR, main.problem or "did not answer")
    problems: list[str] = []
    weak_answers = await _weak(prober, name, address, port)
    accepted = [h for h in weak_answers if h.ok]
    weak = tuple(_weak_name(h) for h in accepted)
    not_probed = tuple(str(h.offer) for h in weak_answers if h.cannot_offer)
    presented = main
    if not main.ok:
        best = await prober.probe(name, address, port, Offer.BEST)
        refusal = f"does not accept TLS 1.2 with a strong cipher (the node {main.problem})"
        if best.ok:
            problems.append(
                f"{refusal}; it negotiates only {best.protocol} with {best.cipher}, which the "
                "Teams Connector cannot use"
            )
            presented = best
        elif accepted:
            problems.append(f"{refusal}; it accepts only {', '.join(weak)}")
            presented = accepted[0]
        else:
            problems.append(refusal)
    details: dict[str, Any] = {"protocol": main.protocol, "cipher": main.cipher}
    judged = _certificate(ctx, name, presented, roots, details) if presented.chain else None
    if judged is not None:
        problems.extend(judged[0])
    if problems:
        return Endpoint(address, Status.FAIL, "; ".join(problems), weak, not_probed, details)
    summary = judged[1] if judged is not None else "presents no certificate"
    what = f"negotiates {main.protocol} with {main.cipher}"
    return Endpoint(address, Status.PASS, f"{what}; {summary}", weak, not_probed, details)


async def _weak(prober: TlsProber, name: str, address: str, port: int) -> list[Handshake]:
    """The node's answers to the offers it should decline: TLS 1.0, TLS 1.1, weak ciphers."""
    import asyncio

    from readiness.adapters.tls import Offer

    offers = (Offer.TLS10, Offer.TLS11, Offer.WEAK_CIPHER)
    return list(await asyncio.gather(*(prober.probe(name, address, port, o) for o in offers)))


def _weak_name(handshake: Handshake) -> str:
    from readiness.adapters.tls import Offer

    if handshake.offer is Offer.WEAK_CIPHER:
        return f"the cipher {handshake.cipher}"
    return str(handshake.offer)


def _certificate(
    ctx: Context,
    name: str,
    handshake: Handshake,
    roots: tuple[list[x509.Certificate], str] | str,
    details: dict[str, Any],
) -> tuple[list[str], str]:
    """Problems with the presented certificate, and a summary when there are none."""
    from checks.certs import chain, eku
    from checks.certs.loading import CertificateProblem, certificate_from_der
    from checks.certs.names import describe_names, match_hostname, san_dns_names

    try:
        certs = [certificate_from_der(der, "the presented certificate") for der in handshake.chain]
    except CertificateProblem as problem:
        return [problem.message], ""
    leaf, sent = certs[0], certs[1:]
    details["presented"] = [chain.subject(c) for c in certs]
    problems: list[str] = []
    sans = san_dns_names(leaf)
    match = match_hostname(sans, name)
    if not match.matched:
        notes = f" ({'; '.join(match.notes)})" if match.notes else ""
        problems.append(
            f"presents {chain.subject(leaf)}, which is not for {name}: "
            f"{describe_names(sans, [])}{notes}"
        )
    usage = eku.judge(leaf, sent)
    if usage.status is Status.FAIL:
        problems.append(f"presents a certificate without both serverAuth and clientAuth "
                        f"({usage.message})")  # fmt: skip
    if isinstance(roots, str):
        trust = f"could not be judged ({roots})"
    else:
        verdict = chain.judge(leaf, sent, roots[0], roots[1], ctx.now, "what the node sends")
        if verdict.status is not Status.PASS:
            problems.append(f"sends a certificate chain that does not verify: {verdict.message}")
        trust = verdict.message
    by = f" (by {match.by})" if match.by and match.by != name else ""
    return problems, (
        f"presents a certificate for the name{by} with serverAuth and clientAuth, which {trust}"
    )


def _summarise(
    name: str, port: int, endpoints: list[Endpoint], *, skipped_addresses: int
) -> list[Finding]:
    several = len(endpoints) > 1
    status = (
        Status.FAIL
        if any(e.status is Status.FAIL for e in endpoints)
        else Status.ERROR
        if any(e.status is Status.ERROR for e in endpoints)
        else Status.PASS
    )
    parts = [
        f"{_where(e.address, port)} {e.text}"
        if several
        else f"{name} ({_where(e.address, port)}) {e.text}"
        for e in endpoints
    ]
    # Each address's text may hold "; " itself: addresses are set apart more strongly.
    text = " | ".join(parts)
    if several:
        text = f"{name} ({count(len(endpoints), 'address', 'addresses')}): {text}"
    if skipped_addresses:
        text += f" ({count(skipped_addresses, 'more address', 'more addresses')} not probed)"
    not_probed = sorted({o for e in endpoints for o in e.not_probed})
    if not_probed and status is Status.PASS:
        offers = " or ".join(not_probed)
        text += f" (not probed for {offers}: this machine's OpenSSL cannot offer it)"
    details = {e.address: e.details for e in endpoints}
    fix = None
    if status is Status.ERROR:
        fix = (
            f"Check that this machine reaches the node on port {port}: the node is up, no "
            "firewall between drops it, and [nodes] tls_port is the port it serves TLS on. "
            "The Teams Connector in Azure must reach it there over the internet too."
        )
    findings = [Finding(status, text, details=details, remediation=fix)]
    weak = [(e.address, e.weak) for e in endpoints if e.weak]
    if weak:
        listed = "; ".join(f"{_where(a, port)} accepts {', '.join(w)}" for a, w in weak)
        what = sorted({item for _, accepted in weak for item in accepted})
        findings.append(
            warned(
                f"{name} still accepts what the Teams Connector never needs: {listed}",
                details={"weak": {a: list(w) for a, w in weak}},
                remediation=(
                    f"Turn off {', '.join(what)} on the Conferencing Node (Pexip: Platform > "
                    "Global settings > Security: TLS and cipher settings), so that nothing can "
                    "talk it down to them."
                ),
            )
        )
    return findings


def _where(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
