"""Name resolution for the checks: dnspython's stub resolver, asking the configured nameservers
(--nameserver, [dns] nameservers; else the system's) over UDP, and over TCP when an answer is
truncated. The nameserver is asked as a client asks its recursive resolver: it follows CNAMEs,
pxready reads the chain from its answer (at most 16 links; a loop is reported as one).

Each (name, type) is asked once per run; A and AAAA are asked together. Every outcome is a
`Lookup` value; nothing here raises for what DNS answers.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, NamedTuple

import dns.asyncresolver
import dns.exception
import dns.message
import dns.name
import dns.nameserver
import dns.rcode
import dns.rdatatype
import dns.resolver

from readiness.adapters.limits import Limits, seconds
from readiness.text import one_line

if TYPE_CHECKING:
    from readiness.deployment import Nameserver

# Outcomes of one lookup.
ANSWER = "answer"  # records of the asked type (after any CNAMEs)
NODATA = "nodata"  # the name exists, without records of that type
NXDOMAIN = "nxdomain"  # the name does not exist
SERVFAIL = "servfail"
REFUSED = "refused"
TIMEOUT = "timeout"
LOOP = "loop"  # the CNAME chain loops or is longer than 16 links
FAILED = "failed"  # anything else: no server configured, a malformed answer

# Outcomes that say something definite about the name (the others say nothing about it).
DEFINITE = frozenset({ANSWER, NODATA, NXDOMAIN})


class Lookup(NamedTuple):
    name: str
    rdtype: str
    outcome: str
    records: tuple[str, ...] = ()  # addresses, or targets of a CNAME lookup
    cnames: tuple[tuple[str, str], ...] = ()  # the chain followed: (owner, target)
    problem: str | None = None  # one line when the outcome is not definite

    @property
    def canonical(self) -> str:
        """The name at the end of the CNAME chain."""
        return self.cnames[-1][1] if self.cnames else self.name


class Addresses(NamedTuple):
    """A and AAAA of one name."""

    a: Lookup
    aaaa: Lookup

    @property
    def addresses(self) -> tuple[str, ...]:
        return self.a.records + self.aaaa.records

    @property
    def cnames(self) -> tuple[tuple[str, str], ...]:
        return self.a.cnames or self.aaaa.cnames

    @property
    def problem(self) -> str | None:
        """Why the answer is incomplete, when a lookup said nothing definite."""
        for lookup in (self.a, self.aaaa):
            if lookup.outcome not in DEFINITE:
                return f"{lookup.rdtype}: {lookup.problem}"
        return None


class Resolver:
    def __init__(self, limits: Limits, nameservers: tuple[Nameserver, ...]) -> None:
        self.limits = limits
        self._setup_problem: str | None = None
        self._resolver: dns.asyncresolver.Resolver | None = None
        try:
            resolver = dns.asyncresolver.Resolver(configure=not nameservers)
        except dns.resolver.NoResolverConfiguration:
            self._setup_problem = (
                "this machine has no DNS server configured; give one with --nameserver"
            )
            return
        except (OSError, dns.exception.DNSException) as exc:  # e.g. an unreadable resolv.conf
            self._setup_problem = f"the system's DNS settings cannot be read ({exc})"
            return
        if nameservers:
            resolver.nameservers = [
                dns.nameserver.Do53Nameserver(n.address, n.port) for n in nameservers
            ]
        resolver.cache = None  # answers are kept per run by `Limits.once`
        resolver.use_search_by_default = False
        self._resolver = resolver

    async def lookup(self, name: str, rdtype: str) -> Lookup:
        key = ("dns", name.lower().rstrip("."), rdtype)
        return await self.limits.once(key, lambda: self._lookup(name.rstrip("."), rdtype))

    async def addresses(self, name: str) -> Addresses:
        a, aaaa = await asyncio.gather(self.lookup(name, "A"), self.lookup(name, "AAAA"))
        return Addresses(a, aaaa)

    async def _lookup(self, name: str, rdtype: str) -> Lookup:
        if self._resolver is None:
            return Lookup(name, rdtype, FAILED, problem=self._setup_problem)
        try:
            qname = dns.name.from_text(name)
        except (dns.exception.DNSException, ValueError) as exc:
            return Lookup(name, rdtype, FAILED, problem=f"{name!r} is not a DNS name ({exc})")
        timeout = self.limits.timeout
        async with self.limits.dns_query(f"DNS {name} {rdtype}"):
            try:
                answer = await self._resolver.resolve(
                    qname, rdtype, raise_on_no_answer=False, lifetime=timeout, search=False
                )
            except dns.resolver.NXDOMAIN:
                return Lookup(name, rdtype, NXDOMAIN, problem="the name does not exist (NXDOMAIN)")
            except dns.resolver.LifetimeTimeout:
                return Lookup(name, rdtype, TIMEOUT, problem=f"no answer within {seconds(timeout)}")
            except dns.resolver.NoNameservers as exc:
                return _server_failure(name, rdtype, exc)
            except dns.exception.DNSException as exc:
                return Lookup(name, rdtype, FAILED, problem=one_line(exc))
        cnames = tuple(
            (_text(rrset.name), _text(rdata.target))
            for rrset in answer.chaining_result.cnames
            for rdata in rrset
        )
        if answer.rrset is None:
            return Lookup(name, rdtype, NODATA, cnames=cnames, problem=f"no {rdtype} record")
        records = tuple(_text(r.target) if rdtype == "CNAME" else r.to_text() for r in answer.rrset)
        return Lookup(name, rdtype, ANSWER, records, cnames)


def _server_failure(name: str, rdtype: str, exc: dns.resolver.NoNameservers) -> Lookup:
    """SERVFAIL, REFUSED or a CNAME loop, from the errors dnspython collected."""
    errors = exc.kwargs.get("errors") or []
    for error in errors:
        cause, response = error[3], error[4]
        if isinstance(cause, dns.message.ChainTooLong):
            return Lookup(
                name, rdtype, LOOP, problem="the CNAME chain loops (or has over 16 links)"
            )
        if response is not None:
            code = response.rcode()
            if code == dns.rcode.SERVFAIL:
                return Lookup(name, rdtype, SERVFAIL, problem="the DNS server answered SERVFAIL")
            if code == dns.rcode.REFUSED:
                return Lookup(name, rdtype, REFUSED, problem="the DNS server refused the query")
    detail = one_line(errors[0][3]) if errors and errors[0][3] else "no server answered"
    return Lookup(name, rdtype, FAILED, problem=f"no usable answer ({detail})")


def _text(name: dns.name.Name) -> str:
    return name.to_text(omit_final_dot=True).lower()
