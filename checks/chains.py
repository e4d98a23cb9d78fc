"""Every certificate of both chains: the connector PFX of each connector and each node
certificate file, with its role and where it came from. The AIA and revocation checks walk
this inventory; a certificate in several files (a shared intermediate) is listed once."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from readiness import CheckSkipped, Context, Location

if TYPE_CHECKING:
    from cryptography import x509

LEAF = "certificate"
INTERMEDIATE = "intermediate"
ROOT = "root"


class Held(NamedTuple):
    cert: x509.Certificate
    role: str  # LEAF, INTERMEDIATE or ROOT
    where: str  # the file, as shown
    siblings: tuple[x509.Certificate, ...]  # the other certificates of the same file

    @property
    def location(self) -> Location:
        return Location(self.where)

    def label(self) -> str:
        """`the intermediate pxready Test TLS CA 1 in pexip-teams.pfx`: the subject's CN when
        it has one (the whole subject otherwise)."""
        from checks.certs.chain import short_name

        return f"the {self.role} {short_name(self.cert)} in {self.where}"

    def issuer_in_file(self) -> x509.Certificate | None:
        from checks.certs.chain import signed_by

        return next((c for c in self.siblings if signed_by(self.cert, c)), None)


class Unavailable(NamedTuple):
    where: str
    why: str
    because: str


class Inventory(NamedTuple):
    held: tuple[Held, ...]
    unavailable: tuple[Unavailable, ...]

    def require(self) -> tuple[Held, ...]:
        """The certificates; `skip` when there is none to look at, saying why."""
        if self.held:
            return self.held
        if not self.unavailable:
            raise CheckSkipped(
                "no certificate to take URLs from: no connector PFX and no node certificate "
                "is configured",
                because="no certificates",
            )
        reasons = "; ".join(f"{u.where}: {u.why}" for u in self.unavailable)
        raise CheckSkipped(
            f"no certificate to take URLs from ({reasons})", because=self.unavailable[0].because
        )


def inventory(ctx: Context) -> Inventory:
    return ctx.memo(("chains",), lambda: _collect(ctx))


def _collect(ctx: Context) -> Inventory:
    from checks.certs.chain import is_self_signed
    from checks.certs.pfx import pfx_state
    from checks.node_cert import node_files
    from readiness.text import shorten

    held: list[Held] = []
    unavailable: list[Unavailable] = []
    seen: set[bytes] = set()

    def add(leaf: x509.Certificate, others: tuple[x509.Certificate, ...], where: str) -> None:
        everything = (leaf, *others)
        for cert in everything:
            print_ = _fingerprint(cert)
            if print_ in seen:
                continue
            seen.add(print_)
            role = LEAF if cert is leaf else ROOT if is_self_signed(cert) else INTERMEDIATE
            siblings = tuple(c for c in everything if c is not cert)
            held.append(Held(cert, role, where, siblings))

    for connector in ctx.deployment.connectors:
        try:
            state = pfx_state(ctx.for_connector(connector))
        except CheckSkipped as skip:  # the script names no PFX and cannot be read
            unavailable.append(Unavailable("connector PFX", skip.reason, skip.because or ""))
            continue
        if state.opened is None:
            unavailable.append(Unavailable(state.shown, shorten(state.unavailable), state.because))
            continue
        add(state.opened.leaf, tuple(state.opened.others), state.shown)
    try:
        files = node_files(ctx)
    except CheckSkipped:
        files = []  # no node certificates configured: only the connector's chain
    for node in files:
        if node.cert_file is None:
            unavailable.append(
                Unavailable(
                    node.shown,
                    "does not parse (see node-cert.parse)",
                    "node certificate unreadable",
                )
            )
            continue
        add(node.cert_file.leaf, tuple(node.cert_file.intermediates), node.shown)
    return Inventory(tuple(held), tuple(unavailable))


def _fingerprint(cert: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives import hashes

    return cert.fingerprint(hashes.SHA256())
