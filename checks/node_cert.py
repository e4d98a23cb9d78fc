"""Checks of the Conferencing Node certificates the Teams Connector will talk to (issue #3).

The node certificate files come from `[nodes] certificates` in pxready.toml or --node-cert:
PEM, leaf first, then its intermediates. These checks run once for the deployment, with one
result per file (and, for node-cert.names, one per node name).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from readiness import (
    CheckSkipped,
    Context,
    Finding,
    Location,
    Scope,
    failed,
    passed,
    skipped,
    warned,
)
from readiness import check as _check
from readiness.connector import display_path
from readiness.text import count

if TYPE_CHECKING:
    from checks.certs import Verdict
    from checks.certs.pem import CertFile

# Node certificates are judged once for the whole deployment, after the connector's.
check = partial(_check, order=30, scope=Scope.DEPLOYMENT)

GUIDE = "Pexip Teams Connector planning guide"
NODE_SECTION = f"{GUIDE}: Ensuring Conferencing Nodes have suitable certificates"
# A miss names what the certificates carry; with hundreds of files, the first few suffice.
MAX_FILES_NAMED = 5
NO_FILES = "no node certificates given ([nodes] certificates in pxready.toml, or --node-cert)"


class NodeFile(NamedTuple):
    path: Path
    shown: str
    cert_file: CertFile | None
    problem: str | None
    kind: str | None


def node_files(ctx: Context) -> list[NodeFile]:
    """Every node certificate file, parsed once per run."""
    paths = ctx.deployment.node_certificates
    if not paths:
        raise CheckSkipped(NO_FILES, because="no node certificates")
    return ctx.memo(("node-cert.files", paths), lambda: [_read(p) for p in paths])


def _read(path: Path) -> NodeFile:
    from checks.certs.pem import CertFileProblem, read_cert_file

    shown = display_path(path)
    try:
        return NodeFile(path, shown, read_cert_file(path), None, None)
    except CertFileProblem as problem:
        return NodeFile(path, shown, None, problem.message, problem.kind)


def _usable(ctx: Context) -> Iterator[tuple[NodeFile, CertFile] | Finding]:
    for node in node_files(ctx):
        if node.cert_file is None:
            yield skipped(
                f"{node.shown} does not parse (see node-cert.parse)",
                target=node.shown,
                location=Location(node.shown),
                because="node certificate unreadable",
            )
        else:
            yield node, node.cert_file


def _judge_each(ctx: Context, judge: Callable[[CertFile], Verdict]) -> Iterator[Finding]:
    """One finding per node file that parses, from a certificate helper's verdict; a file that
    does not parse gives its skip."""
    for item in _usable(ctx):
        if isinstance(item, Finding):
            yield item
            continue
        node, cert = item
        yield judge(cert).finding(target=node.shown, location=Location(node.shown))


@check(
    "node-cert.parse",
    "Conferencing Node certificate files are PEM and parse",
    reference=f'{GUIDE}: "Public-facing Conferencing Nodes must have a valid publicly-signed '
    'PEM-formatted certificate"',
    remediation="""
    Give each node certificate as a PEM file (.pem/.crt) with the node's certificate first and
    its intermediates after it, each between -----BEGIN CERTIFICATE----- and -----END
    CERTIFICATE----- lines. Convert a DER file with
    `openssl x509 -inform der -in edge.cer -out edge.pem`, a PKCS#7 bundle with
    `openssl pkcs7 -inform der -print_certs -in edge.p7b -out edge.pem`, and a PFX with
    `openssl pkcs12 -legacy -in edge.pfx -nokeys -out edge.pem`.
    """,
)
def node_parse(ctx: Context) -> Iterator[Finding]:
    """Conferencing Nodes use PEM certificates, and pxready reads each file named by
    `[nodes] certificates` or --node-cert the same way: the first certificate is the node's
    (the leaf), the ones after it are its intermediates. A DER certificate, a PFX, a PKCS#7
    bundle, a file holding only a private key, and anything else each get their own message.
    """
    from checks.certs.facts import certificate_facts

    for node in node_files(ctx):
        where = Location(node.shown)
        if node.cert_file is None:
            yield failed(
                f"{node.shown}: {node.problem}",
                target=node.shown,
                location=where,
                details={"problem": node.kind},
            )
            continue
        cert = node.cert_file
        ctx.contribute(
            "certificates", certificate_facts(cert.leaf, "Conferencing Node", node.shown)
        )
        count = len(cert.intermediates)
        message = (
            f"PEM: {cert.leaf.subject.rfc4514_string() or '(empty subject)'} and {count} "
            f"intermediate{'s' if count != 1 else ''}"
        )
        if cert.has_private_key:
            message += "; the file also holds a private key, which pxready does not read"
        verdict = passed
        if cert.leaf_position != 1:
            # Pexip's Management Node takes the first certificate of an upload as the node's.
            verdict = warned
            message += (
                f"; the node certificate is number {cert.leaf_position} in the file, after its "
                "intermediates: put it first"
            )
        yield verdict(
            message,
            target=node.shown,
            location=where,
            details={
                "leaf": cert.leaf.subject.rfc4514_string(),
                "intermediates": [c.subject.rfc4514_string() for c in cert.intermediates],
            },
        )


@check(
    "node-cert.eku",
    "Conferencing Node certificates allow server and client authentication",
    reference=f"{GUIDE}: Network and certificate requirements (certificate usage principles)",
    remediation="Request node certificates whose Extended Key Usage lists both serverAuth and "
    "clientAuth.",
)
def node_eku(ctx: Context) -> Iterator[Finding]:
    """The Conferencing Nodes present their certificate to the Teams Connector as TLS clients
    and as TLS servers, so it needs Extended Key Usage serverAuth and clientAuth, like the
    connector's. An intermediate limiting EKU without clientAuth fails too, and so does a
    certificate with no EKU extension at all. Public CAs are withdrawing clientAuth from TLS
    certificates (browser root-program rules, dates from 2025 to March 2027): renewals may
    silently lose it.
    """
    from checks.certs import eku

    yield from _judge_each(ctx, lambda cert: eku.judge(cert.leaf, cert.intermediates))


@check(
    "node-cert.chain",
    "Conferencing Node certificates chain to a trusted root",
    reference=f"{NODE_SECTION}: signed by an external trusted CA",
    remediation="""
    Append the issuing CA's intermediate certificates after the node certificate in the PEM
    file (and upload them to the Management Node as trusted CA certificates). Use a publicly
    trusted CA: the Teams Connector does not trust self-signed or private-CA node certificates.
    """,
)
def node_chain(ctx: Context) -> Iterator[Finding]:
    """Each node certificate must chain, through the intermediates after it in the PEM file
    (in any order), to a root in the trust bundle: the Mozilla bundle (certifi) unless
    `[trust] ca_bundle` or --ca-bundle names another. The message names the missing issuer, or
    says that the certificate is self-signed or ends at an untrusted (private) root.
    """
    from checks.certs import chain

    def judge(cert: CertFile) -> Verdict:
        roots, label = chain.trust_roots(ctx)  # memoised: loaded once, and only when needed
        return chain.judge(
            cert.leaf, list(cert.intermediates), roots, label, ctx.at, "the PEM file"
        )

    yield from _judge_each(ctx, judge)


@check(
    "node-cert.validity",
    "Conferencing Node certificates are valid on the install date",
    reference=NODE_SECTION,
    remediation="Renew the node certificate (or the expired intermediate) and install it on "
    "the Conferencing Nodes before the Teams Connector goes live.",
)
def node_validity(ctx: Context) -> Iterator[Finding]:
    """The node certificate and each intermediate in its file must be valid at --at (default
    now); within `[checks] expiry_warning_days` of expiry the result is `warn`. The message
    names the certificate concerned.
    """
    from checks.certs import validity

    days = ctx.deployment.expiry_warning_days
    yield from _judge_each(
        ctx, lambda cert: validity.judge(cert.leaf, cert.intermediates, ctx.at, days)
    )


def node_names(ctx: Context) -> tuple[dict[str, Location], list[str]]:
    """Every $PxNodeFqdns name of every connector (deduplicated, with the script line that
    first lists it), and why scripts could not be read."""
    from checks.certs.names import normalise

    found: dict[str, Location] = {}
    unreadable: list[str] = []
    for connector in ctx.deployment.connectors:
        try:
            variables = ctx.for_connector(connector).variables()
        except CheckSkipped as skip:
            unreadable.append(skip.reason)
            continue
        where = variables.location("PxNodeFqdns")
        for name in variables.node_fqdns:
            found.setdefault(normalise(name), where)
    return found, unreadable


@check(
    "node-cert.names",
    "Every $PxNodeFqdns name is in a node certificate",
    reference=f"{NODE_SECTION} (pool name as subject, every node FQDN as a SAN; RFC 6125)",
    remediation="""
    Add the missing name to the node certificate's subjectAltName (Pexip recommends one pool
    name as the subject with every node FQDN as a SAN), or correct $PxNodeFqdns to the names
    the node certificates carry. A new node name later means redeploying the Teams Connector.
    """,
)
def node_names_covered(ctx: Context) -> Iterator[Finding]:
    """The Teams Connector accepts only the Conferencing Nodes named in $PxNodeFqdns, and
    checks the name in the certificate each node presents. Every name in $PxNodeFqdns (of
    every connector) must therefore be covered by one of the node certificates, under RFC 6125
    as for the connector: subjectAltName DNS names only, a wildcard only as the whole left-most
    label covering one label. One result per name; an uncovered name fails and the message
    lists the names the certificates do carry.
    """
    from checks.certs import names

    files = node_files(ctx)
    hostnames, unreadable = node_names(ctx)
    if not hostnames:
        reason = "no $PxNodeFqdns names to check"
        if unreadable:
            reason += f" ({unreadable[0]})"
        raise CheckSkipped(reason, because="no node names")
    leaves = [(node.shown, node.cert_file.leaf) for node in files if node.cert_file is not None]
    if not leaves:
        raise CheckSkipped(
            "no node certificate file parses (see node-cert.parse)",
            because="node certificate unreadable",
        )
    carried = {shown: names.san_dns_names(leaf) for shown, leaf in leaves}
    index = names.NameIndex(carried.items())
    carries: str | None = None
    for hostname, where in hostnames.items():
        shown, result = index.match(hostname)
        if shown is not None:
            yield passed(
                f"covered by {shown} ({result.by})",
                target=hostname,
                details={"file": shown, "san": result.by},
            )
            continue
        if carries is None:  # the same for every miss: said once, built once
            carries = "; ".join(
                f"{shown}: " + names.describe_names(carried[shown], names.common_names(leaf))
                for shown, leaf in leaves[:MAX_FILES_NAMED]
            )
            if len(leaves) > MAX_FILES_NAMED:
                carries += f"; and {count(len(leaves) - MAX_FILES_NAMED, 'more file')}"
        why = f" ({'; '.join(result.notes)})" if result.notes else ""
        yield failed(
            f"{hostname} is in no node certificate: {carries}{why}",
            target=hostname,
            location=where,
            details={"files": len(leaves)},
        )
