"""TLS handshakes with Conferencing Nodes, to see what they accept and what they present.

A probe connects to one address and port, sends the node's name as SNI, offers one set of
protocol versions and ciphers (`Offer`), and reports what was agreed and the certificates the
server sent, as sent; it verifies nothing itself (the checks judge the chain and name with the
same code as the certificate files). Connect and handshake are bounded together by --timeout;
an address that does not answer is not probed again in the same run, so a dead node costs one
timeout however many probes ask about it.
"""

from __future__ import annotations

import asyncio
import ssl
import warnings
from enum import StrEnum
from typing import Any, NamedTuple

from readiness.adapters.limits import Limits, seconds
from readiness.text import one_line

# TLS 1.2 with what the Teams Connector may use: nothing of RC2, RC4, DES or 3DES.
STRONG_CIPHERS = "DEFAULT:!3DES:!DES:!RC4:!RC2:!aNULL:!eNULL:!MD5"
# What a node should no longer accept; only offered by the probes that look for it.
WEAK_CIPHERS = "3DES:DES:RC4:RC2:!aNULL:!eNULL:@SECLEVEL=0"
OLD_PROTOCOL_CIPHERS = "DEFAULT:@SECLEVEL=0"


class Offer(StrEnum):
    TLS12 = "TLS 1.2"  # TLS 1.2 only, strong ciphers: what the connector needs
    BEST = "best"  # whatever the server prefers, TLS 1.2 or 1.3
    TLS10 = "TLS 1.0"
    TLS11 = "TLS 1.1"
    WEAK_CIPHER = "a weak cipher"  # TLS up to 1.2 with RC2/RC4/DES/3DES only


class Handshake(NamedTuple):
    offer: Offer
    address: str
    port: int
    protocol: str | None = None  # "TLSv1.2"
    cipher: str | None = None  # OpenSSL's name, "ECDHE-RSA-AES256-GCM-SHA384"
    chain: tuple[bytes, ...] = ()  # DER, as the server sent them (leaf first)
    problem: str | None = None  # why there was no handshake, in one line
    unreachable: bool = False  # no TCP connection, or no TLS answer in time
    cannot_offer: bool = False  # this machine's OpenSSL cannot make the offer

    @property
    def ok(self) -> bool:
        return self.problem is None


class TlsProber:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    async def probe(self, name: str, address: str, port: int, offer: Offer) -> Handshake:
        key = ("TLS", name.lower(), address, port, offer)
        return await self.limits.once(key, lambda: self._probe(name, address, port, offer))

    async def _probe(self, name: str, address: str, port: int, offer: Offer) -> Handshake:
        try:
            context = client_context(offer)
        except (ssl.SSLError, ValueError) as exc:
            return Handshake(offer, address, port, problem=_cannot(exc), cannot_offer=True)
        endpoint = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
        async with self.limits.connection(endpoint, f"TLS {name} ({endpoint}, {offer})"):
            dead = self.limits.unreachable.get(endpoint)
            if dead is not None:
                return Handshake(offer, address, port, problem=dead, unreachable=True)
            timeout = self.limits.timeout
            try:
                async with asyncio.timeout(timeout):
                    return await self._handshake(name, address, port, offer, context, endpoint)
            except TimeoutError:
                why = f"gave no TLS answer within {seconds(timeout)}"
                self.limits.unreachable[endpoint] = why
                return Handshake(offer, address, port, problem=why, unreachable=True)

    async def _handshake(
        self,
        name: str,
        address: str,
        port: int,
        offer: Offer,
        context: ssl.SSLContext,
        endpoint: str,
    ) -> Handshake:
        try:
            _, writer = await asyncio.open_connection(address, port)
        except OSError as exc:
            why = _connect_problem(exc)
            self.limits.unreachable[endpoint] = why
            return Handshake(offer, address, port, problem=why, unreachable=True)
        try:
            try:
                await writer.start_tls(context, server_hostname=name)
            except ssl.SSLError as exc:
                if _local_limit(exc):
                    return Handshake(offer, address, port, problem=_cannot(exc), cannot_offer=True)
                return Handshake(offer, address, port, problem=_declined(exc))
            except (ConnectionError, EOFError) as exc:
                why = f"closed the connection during the handshake ({one_line(exc)})"
                return Handshake(offer, address, port, problem=why)
            tls = writer.get_extra_info("ssl_object")
            cipher = tls.cipher() if tls is not None else None
            return Handshake(
                offer,
                address,
                port,
                protocol=tls.version() if tls is not None else None,
                cipher=cipher[0] if cipher else None,
                chain=_presented_chain(tls),
            )
        finally:
            writer.transport.abort()


def client_context(offer: Offer) -> ssl.SSLContext:
    """A client that verifies nothing (the checks judge what is presented) and offers `offer`."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.0/1.1 on purpose
        if offer is Offer.TLS12:
            context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_2
            context.set_ciphers(STRONG_CIPHERS)
        elif offer is Offer.BEST:
            context.minimum_version = ssl.TLSVersion.TLSv1_2
        elif offer in (Offer.TLS10, Offer.TLS11):
            version = ssl.TLSVersion.TLSv1 if offer is Offer.TLS10 else ssl.TLSVersion.TLSv1_1
            context.set_ciphers(OLD_PROTOCOL_CIPHERS)
            context.minimum_version = context.maximum_version = version
        else:
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1_2
            context.set_ciphers(WEAK_CIPHERS)
    return context


def _presented_chain(tls: Any) -> tuple[bytes, ...]:
    """The certificates the server sent, DER, leaf first."""
    if tls is None:
        return ()
    public = getattr(tls, "get_unverified_chain", None)  # Python 3.13+
    if public is not None:
        return tuple(bytes(c) for c in public() or ())
    private = getattr(getattr(tls, "_sslobj", None), "get_unverified_chain", None)
    if private is not None:
        import _ssl

        return tuple(c.public_bytes(_ssl.ENCODING_DER) for c in private() or ())
    leaf = tls.getpeercert(binary_form=True)
    return (leaf,) if leaf else ()


def _local_limit(exc: ssl.SSLError) -> bool:
    """Whether the handshake failed on this side: OpenSSL here will not offer what was asked."""
    reason = (exc.reason or "").upper()
    return reason in {"NO_PROTOCOLS_AVAILABLE", "NO_CIPHERS_AVAILABLE", "NO_CIPHER_MATCH"}


def _declined(exc: ssl.SSLError) -> str:
    reason = (exc.reason or "").upper()
    if "PROTOCOL_VERSION" in reason or "UNSUPPORTED_PROTOCOL" in reason:
        return "declined the protocol version"
    if "HANDSHAKE_FAILURE" in reason or "NO_SHARED_CIPHER" in reason:
        return "declined the handshake (no protocol and cipher in common)"
    if "CERTIFICATE_REQUIRED" in reason:
        return "requires a client certificate, which pxready does not present"
    if "WRONG_VERSION_NUMBER" in reason or "RECORD_LAYER" in reason:
        return "did not answer with TLS (is this port a TLS service?)"
    return f"failed the handshake ({exc.reason or one_line(exc)})"


def _cannot(exc: BaseException) -> str:
    return f"this machine's OpenSSL cannot offer it ({ssl.OPENSSL_VERSION}: {one_line(exc)})"


def _connect_problem(exc: OSError) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "refused the connection"
    return f"could not be connected to ({one_line(exc)})"
