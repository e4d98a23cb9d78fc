"""The loopback test servers in tests/support behave as network tests will rely on.

Every test talks to a real server with a real client: dnspython for DNS, httpx and raw sockets
for HTTP, cryptography's OCSP builders over HTTP, Python's ssl module for TLS.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import socket
import ssl
import time
import urllib.parse
import warnings
from collections.abc import Iterator
from pathlib import Path

import dns.asyncquery
import dns.asyncresolver
import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509 import ocsp
from cryptography.x509.verification import PolicyBuilder, Store

from tests.support.dns_server import MAX_CHAIN, DnsServer
from tests.support.http_server import (
    HttpServer,
    delay,
    endless,
    handler,
    huge,
    redirect,
    reset_mid_body,
    respond,
    stall,
    trickle,
)
from tests.support.ocsp_responder import OcspResponder
from tests.support.pki import (
    Issued,
    NetPki,
    chain_pem,
    make_crl,
    make_intermediate,
    make_leaf,
    make_root,
    pkcs7_certs_only,
)
from tests.support.tls_server import (
    SilentTcpServer,
    TlsServer,
    legacy_3des_server,
    legacy_3des_supported,
    legacy_tls10_server,
    legacy_tls10_supported,
)

TEST_CLOCK = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)
OK_TIMEOUT = 5.0  # where an answer is expected: generous, the machine may be busy
FAIL_TIMEOUT = 0.3  # where a timeout is expected


def udp(
    server: DnsServer, name: str, rdtype: str, timeout: float = OK_TIMEOUT
) -> dns.message.Message:
    return dns.query.udp(dns.message.make_query(name, rdtype), server.host, timeout, server.port)


def tcp(server: DnsServer, name: str, rdtype: str) -> dns.message.Message:
    return dns.query.tcp(dns.message.make_query(name, rdtype), server.host, OK_TIMEOUT, server.port)


def resolver_for(server: DnsServer) -> dns.asyncresolver.Resolver:
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [server.host]
    resolver.port = server.port
    resolver.lifetime = OK_TIMEOUT
    return resolver


# -- DNS -------------------------------------------------------------------------------------


def test_dns_answers_a_and_aaaa_over_udp_and_tcp_case_insensitively(dns_server: DnsServer) -> None:
    dns_server.add("px1.example.com", "A", "203.0.113.5", "203.0.113.6")
    dns_server.add("PX1.example.com.", "AAAA", "2001:db8::5")
    assert dns_server.nameserver == f"127.0.0.1:{dns_server.port}"
    a = udp(dns_server, "Px1.Example.COM", "A")
    assert sorted(r.address for r in a.answer[0]) == ["203.0.113.5", "203.0.113.6"]
    aaaa = tcp(dns_server, "px1.example.com.", "AAAA")
    assert [r.address for r in aaaa.answer[0]] == ["2001:db8::5"]
    assert dns_server.queries == [
        ("px1.example.com", "A", "udp"),
        ("px1.example.com", "AAAA", "tcp"),
    ]


def test_dns_cname_answer_carries_the_known_chain(dns_server: DnsServer) -> None:
    dns_server.add("px-pool.example.com", "CNAME", "px1.example.com.")
    dns_server.add("px1.example.com", "A", "203.0.113.5")
    dns_server.add("teams.example.com", "CNAME", "y.westeurope.cloudapp.azure.com.")

    answer = asyncio.run(resolver_for(dns_server).resolve("px-pool.example.com", "A"))
    assert answer.canonical_name.to_text() == "px1.example.com."
    assert [r.address for r in answer] == ["203.0.113.5"]

    chain = udp(dns_server, "px-pool.example.com", "A").answer
    assert [rrset.rdtype for rrset in chain] == [dns.rdatatype.CNAME, dns.rdatatype.A]
    only_cname = udp(dns_server, "px-pool.example.com", "CNAME").answer
    assert [rrset.rdtype for rrset in only_cname] == [dns.rdatatype.CNAME]
    out_of_zone = udp(dns_server, "teams.example.com", "A")
    assert out_of_zone.rcode() == dns.rcode.NOERROR
    assert out_of_zone.answer[0][0].target.to_text() == "y.westeurope.cloudapp.azure.com."


def test_dns_nxdomain_and_nodata(dns_server: DnsServer) -> None:
    dns_server.add("px1.example.com", "A", "203.0.113.5")
    dns_server.add("gone.example.com", "A", "203.0.113.9")
    dns_server.nxdomain("gone.example.com")

    unknown = udp(dns_server, "nothing.example.com", "A")
    assert unknown.rcode() == dns.rcode.NXDOMAIN
    assert unknown.authority[0].rdtype == dns.rdatatype.SOA
    assert udp(dns_server, "gone.example.com", "A").rcode() == dns.rcode.NXDOMAIN
    nodata = udp(dns_server, "px1.example.com", "AAAA")
    assert (nodata.rcode(), nodata.answer) == (dns.rcode.NOERROR, [])
    assert nodata.authority[0].rdtype == dns.rdatatype.SOA
    with pytest.raises(dns.resolver.NXDOMAIN):
        asyncio.run(resolver_for(dns_server).resolve("nothing.example.com", "A"))


def test_dns_servfail_and_refused(dns_server: DnsServer) -> None:
    dns_server.add("broken.example.com", "A", "203.0.113.5")
    dns_server.servfail("broken.example.com")
    dns_server.refuse("private.example.com")
    assert udp(dns_server, "broken.example.com", "A").rcode() == dns.rcode.SERVFAIL
    assert tcp(dns_server, "private.example.com", "A").rcode() == dns.rcode.REFUSED
    with pytest.raises(dns.resolver.NoNameservers):
        asyncio.run(resolver_for(dns_server).resolve("broken.example.com", "A"))


def test_dns_truncation_sets_tc_over_udp_and_answers_fully_over_tcp(dns_server: DnsServer) -> None:
    dns_server.add("big.example.com", "A", "203.0.113.5")
    dns_server.truncate("big.example.com")
    over_udp = udp(dns_server, "big.example.com", "A", timeout=OK_TIMEOUT)
    assert over_udp.flags & dns.flags.TC
    assert over_udp.answer == []
    assert [r.address for r in tcp(dns_server, "big.example.com", "A").answer[0]] == ["203.0.113.5"]

    answer = asyncio.run(resolver_for(dns_server).resolve("big.example.com", "A"))
    assert [r.address for r in answer] == ["203.0.113.5"]
    assert dns_server.queries[-2:] == [
        ("big.example.com", "A", "udp"),
        ("big.example.com", "A", "tcp"),
    ]


def test_dns_delay_holds_only_that_answer(dns_server: DnsServer) -> None:
    dns_server.add("slow.example.com", "A", "203.0.113.7")
    dns_server.add("fast.example.com", "A", "203.0.113.8")
    dns_server.delay("slow.example.com", 0.4)

    async def timed(name: str) -> float:
        start = time.monotonic()
        query = dns.message.make_query(name, "A")
        await dns.asyncquery.udp(query, dns_server.host, OK_TIMEOUT, dns_server.port)
        return time.monotonic() - start

    async def both() -> list[float]:
        return list(await asyncio.gather(timed("slow.example.com"), timed("fast.example.com")))

    slow, fast = asyncio.run(both())
    assert slow >= 0.4
    assert fast < slow


def test_dns_delay_all(dns_server: DnsServer) -> None:
    dns_server.add("px1.example.com", "A", "203.0.113.5")
    dns_server.delay_all(0.2)
    start = time.monotonic()
    udp(dns_server, "px1.example.com", "A")
    assert time.monotonic() - start >= 0.2


def test_dns_drop_makes_the_client_time_out(dns_server: DnsServer) -> None:
    dns_server.add("blackhole.example.com", "A", "203.0.113.5")
    dns_server.drop("blackhole.example.com")
    with pytest.raises(dns.exception.Timeout):
        udp(dns_server, "blackhole.example.com", "A", timeout=FAIL_TIMEOUT)
    assert dns_server.queries == [("blackhole.example.com", "A", "udp")]


def test_dns_cname_loop_and_long_chain_are_bounded(dns_server: DnsServer) -> None:
    dns_server.add("a.loop.test", "CNAME", "b.loop.test.")
    dns_server.add("b.loop.test", "CNAME", "a.loop.test.")
    for i in range(MAX_CHAIN + 5):
        dns_server.add(f"c{i}.chain.test", "CNAME", f"c{i + 1}.chain.test.")

    loop = udp(dns_server, "a.loop.test", "A")
    assert [rrset.name.to_text() for rrset in loop.answer] == ["a.loop.test.", "b.loop.test."]
    assert len(udp(dns_server, "c0.chain.test", "A").answer) == MAX_CHAIN
    with pytest.raises(dns.exception.DNSException):
        asyncio.run(resolver_for(dns_server).resolve("a.loop.test", "A"))


def test_dns_query_log_shows_each_question_once(dns_server: DnsServer) -> None:
    dns_server.add("px1.example.com", "A", "203.0.113.5")
    asyncio.run(resolver_for(dns_server).resolve("px1.example.com", "A"))
    assert dns_server.queries.count(("px1.example.com", "A", "udp")) == 1


# -- HTTP ------------------------------------------------------------------------------------


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=False, timeout=OK_TIMEOUT) as c:
        yield c


def raw_get(server: HttpServer, path: str, seconds: float) -> tuple[bytes, BaseException | None]:
    """GET `path` on a raw socket; collect what arrives within `seconds` of the first byte.

    Returns the bytes and the error that ended the read, if any (a clean close or the end of
    the window is no error).
    """
    received, error = b"", None
    with socket.create_connection((server.host, server.port), timeout=OK_TIMEOUT) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        deadline = None
        while deadline is None or (left := deadline - time.monotonic()) > 0:
            sock.settimeout(OK_TIMEOUT if deadline is None else left)
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            except OSError as exc:
                error = exc
                break
            if not chunk:
                break
            received += chunk
            deadline = deadline or time.monotonic() + seconds
    return received, error


def test_http_respond_logs_requests_and_404s_unknown_paths(
    http_server: HttpServer, client: httpx.Client
) -> None:
    http_server.route(
        "/ca.crt", respond(body=b"DER", headers={"Content-Type": "application/pkix-cert"})
    )
    got = client.get(http_server.url("/ca.crt"))
    assert (got.status_code, got.content, got.headers["content-type"]) == (
        200,
        b"DER",
        "application/pkix-cert",
    )
    assert got.headers["content-length"] == "3"
    assert client.get(http_server.url("/nope")).status_code == 404
    client.post(http_server.url("/ca.crt"), content=b"payload")
    method, path, headers, body = http_server.requests[-1]
    assert (method, path, body, headers["content-length"]) == ("POST", "/ca.crt", b"payload", "7")
    assert [r.path for r in http_server.requests] == ["/ca.crt", "/nope", "/ca.crt"]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_http_redirect(http_server: HttpServer, client: httpx.Client, status: int) -> None:
    http_server.route("/old", redirect(status, http_server.url("/new")))
    got = client.get(http_server.url("/old"))
    assert (got.status_code, got.headers["location"]) == (status, http_server.url("/new"))


def test_http_redirect_loop(http_server: HttpServer) -> None:
    http_server.route("/a", redirect(302, "/b"))
    http_server.route("/b", redirect(302, "/a"))
    with (
        httpx.Client(follow_redirects=True, max_redirects=5, timeout=OK_TIMEOUT) as c,
        pytest.raises(httpx.TooManyRedirects),
    ):
        c.get(http_server.url("/a"))


def test_http_endless_body_never_completes(http_server: HttpServer, client: httpx.Client) -> None:
    http_server.route("/crl", endless())
    received, deadline = 0, time.monotonic() + FAIL_TIMEOUT
    with client.stream("GET", http_server.url("/crl")) as response:
        assert "content-length" not in response.headers
        for chunk in response.iter_bytes():
            received += len(chunk)
            if time.monotonic() > deadline:
                break
        else:
            pytest.fail("the endless body ended")
    assert received > 0


def test_http_huge_body_is_streamed_in_full(http_server: HttpServer, client: httpx.Client) -> None:
    http_server.route("/big.crl", huge(5_000_000))
    with client.stream("GET", http_server.url("/big.crl")) as response:
        assert response.headers["content-length"] == "5000000"
        assert sum(len(c) for c in response.iter_bytes()) == 5_000_000


def test_http_trickle_never_completes_in_time(
    http_server: HttpServer, client: httpx.Client
) -> None:
    http_server.route("/slow.crt", trickle(b"0123456789", bytes_per_second=1))
    with pytest.raises(httpx.ReadTimeout):
        client.get(http_server.url("/slow.crt"), timeout=FAIL_TIMEOUT)
    http_server.route("/faster.crt", trickle(b"0123456789" * 10, bytes_per_second=20))
    received, error = raw_get(http_server, "/faster.crt", 0.5)
    head, _, body = received.partition(b"\r\n\r\n")
    assert error is None
    assert b"Content-Length: 100" in head
    assert len(body) < 100


def test_http_reset_mid_body_is_a_read_error(http_server: HttpServer, client: httpx.Client) -> None:
    http_server.route("/cut.crl", reset_mid_body(b"z" * 1000, after=100))
    with pytest.raises(httpx.ReadError):
        client.get(http_server.url("/cut.crl"))
    received, error = raw_get(http_server, "/cut.crl", OK_TIMEOUT)
    assert received.endswith(b"\r\n\r\n" + b"z" * 100)
    assert isinstance(error, ConnectionResetError)


def test_http_stall_times_out_without_blocking_others(
    http_server: HttpServer, client: httpx.Client
) -> None:
    http_server.route("/stall", stall())
    http_server.route("/ok", respond(body=b"ok"))
    with pytest.raises(httpx.ReadTimeout):
        client.get(http_server.url("/stall"), timeout=FAIL_TIMEOUT)
    with socket.create_connection((http_server.host, http_server.port)) as stalled:
        stalled.sendall(b"GET /stall HTTP/1.1\r\nHost: t\r\n\r\n")
        assert client.get(http_server.url("/ok")).content == b"ok"
        stalled.settimeout(FAIL_TIMEOUT)
        with pytest.raises(TimeoutError):
            stalled.recv(1)


def test_http_delay_and_handler(http_server: HttpServer, client: httpx.Client) -> None:
    http_server.route("/late", delay(0.3, respond(body=b"late")))

    def echo(
        method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        return 201, {"X-Path": path}, method.encode() + b" " + body

    http_server.route("/echo", handler(echo))
    http_server.route("/ocsp/", handler(echo), prefix=True)
    start = time.monotonic()
    assert client.get(http_server.url("/late")).content == b"late"
    assert time.monotonic() - start >= 0.3
    got = client.post(http_server.url("/echo"), content=b"hi")
    assert (got.status_code, got.content) == (201, b"POST hi")
    assert client.get(http_server.url("/ocsp/MEow%2FQ==")).headers["x-path"] == "/ocsp/MEow%2FQ=="


# -- PKI and OCSP ----------------------------------------------------------------------------


def test_pki_chain_verifies_at_the_test_clock(test_pki: NetPki) -> None:
    verifier = (
        PolicyBuilder()
        .store(Store([test_pki.root.cert]))
        .time(TEST_CLOCK)
        .build_server_verifier(x509.DNSName("px-pool.example.com"))
    )
    chain = verifier.verify(test_pki.leaf.cert, [test_pki.intermediate.cert])
    assert chain[-1] == test_pki.root.cert
    assert test_pki.leaf_chain_pem() == chain_pem(test_pki.leaf, test_pki.intermediate)
    assert x509.load_pem_x509_certificate(test_pki.leaf.pem()) == test_pki.leaf.cert
    assert x509.load_der_x509_certificate(test_pki.root.der()) == test_pki.root.cert
    assert b"PRIVATE KEY" in test_pki.leaf.key_pem()


def test_pki_urls_bundles_and_crls() -> None:
    root = make_root("R", key_type="rsa")
    inter = make_intermediate(
        root, "I", aia_issuers=["http://127.0.0.1:1/r.p7c"], crl_urls=["http://127.0.0.1:1/r.crl"]
    )
    leaf = make_leaf(
        inter,
        ["px1.example.com"],
        eku=("serverAuth",),
        ocsp_urls=["http://127.0.0.1:1/ocsp"],
        ip_addresses=["127.0.0.1"],
    )
    aia = inter.cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert aia[0].access_location.value == "http://127.0.0.1:1/r.p7c"
    cdp = inter.cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert cdp[0].full_name[0].value == "http://127.0.0.1:1/r.crl"
    san = leaf.cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["px1.example.com"]
    assert pkcs7.load_der_pkcs7_certificates(pkcs7_certs_only(inter, root)) == [
        inter.cert,
        root.cert,
    ]

    crl = x509.load_der_x509_crl(make_crl(inter, [leaf.serial]))
    assert crl.is_signature_valid(inter.key.public_key())
    assert crl.get_revoked_certificate_by_serial_number(leaf.serial) is not None
    assert leaf.cert.not_valid_before_utc < TEST_CLOCK < leaf.cert.not_valid_after_utc


def ocsp_request(leaf: Issued, issuer: Issued) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(leaf.cert, issuer.cert, hashes.SHA1())
    builder = builder.add_extension(x509.OCSPNonce(b"0123456789abcdef"), critical=False)
    return builder.build().public_bytes(serialization.Encoding.DER)


def serve_ocsp(http_server: HttpServer, responder: OcspResponder) -> None:
    http_server.route("/ocsp", handler(responder.handle))
    http_server.route("/ocsp/", handler(responder.handle), prefix=True)


@pytest.mark.parametrize("mode", ["good", "revoked", "unknown"])
def test_ocsp_post_round_trip(
    http_server: HttpServer,
    client: httpx.Client,
    test_pki: NetPki,
    mode: str,
) -> None:
    responder = OcspResponder(test_pki.intermediate, mode=mode)  # type: ignore[arg-type]
    serve_ocsp(http_server, responder)
    got = client.post(
        http_server.url("/ocsp"),
        content=ocsp_request(test_pki.leaf, test_pki.intermediate),
        headers={"Content-Type": "application/ocsp-request"},
    )
    assert got.headers["content-type"] == "application/ocsp-response"
    response = ocsp.load_der_ocsp_response(got.content)
    assert response.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert response.serial_number == test_pki.leaf.serial
    assert response.certificate_status.name == mode.upper()
    nonce = response.extensions.get_extension_for_class(x509.OCSPNonce).value
    assert nonce.nonce == b"0123456789abcdef"
    issuer_key = test_pki.intermediate.key.public_key()
    assert isinstance(issuer_key, ec.EllipticCurvePublicKey)
    issuer_key.verify(response.signature, response.tbs_response_bytes, ec.ECDSA(hashes.SHA256()))
    if mode == "revoked":
        assert response.revocation_time_utc == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        assert response.revocation_reason == x509.ReasonFlags.key_compromise
    assert responder.requested_serials == [test_pki.leaf.serial]


def test_ocsp_get_with_base64_in_the_path(
    http_server: HttpServer,
    client: httpx.Client,
    test_pki: NetPki,
) -> None:
    responder = OcspResponder(test_pki.intermediate, mode="revoked")
    serve_ocsp(http_server, responder)
    encoded = base64.b64encode(ocsp_request(test_pki.leaf, test_pki.intermediate)).decode()
    for path in (f"/ocsp/{encoded}", f"/ocsp/{urllib.parse.quote(encoded, safe='')}"):
        response = ocsp.load_der_ocsp_response(client.get(http_server.url(path)).content)
        assert response.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert responder.requested_serials == [test_pki.leaf.serial] * 2


def test_ocsp_unauthorized_and_garbage(
    http_server: HttpServer,
    client: httpx.Client,
    test_pki: NetPki,
) -> None:
    responder = OcspResponder(test_pki.intermediate, mode="unauthorized")
    serve_ocsp(http_server, responder)
    request = ocsp_request(test_pki.leaf, test_pki.intermediate)
    response = ocsp.load_der_ocsp_response(
        client.post(http_server.url("/ocsp"), content=request).content
    )
    assert response.response_status == ocsp.OCSPResponseStatus.UNAUTHORIZED
    responder.mode = "garbage"
    got = client.post(http_server.url("/ocsp"), content=request)
    assert (got.status_code, got.content) == (200, b"not an ocsp response")
    with pytest.raises(ValueError):
        ocsp.load_der_ocsp_response(got.content)
    malformed = client.post(http_server.url("/ocsp"), content=b"junk").content
    assert (
        ocsp.load_der_ocsp_response(malformed).response_status
        == ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    )


# -- TLS -------------------------------------------------------------------------------------


@pytest.fixture
def node(test_pki: NetPki) -> Iterator[TlsServer]:
    """A Conferencing Node stand-in: the test PKI's leaf, TLS 1.2 and 1.3."""
    with TlsServer(test_pki.leaf_chain_pem(), test_pki.leaf.key_pem()) as server:
        yield server


@pytest.fixture
def ca_file(test_pki: NetPki, tmp_path: Path) -> str:
    path = tmp_path / "root.pem"
    path.write_bytes(test_pki.root.pem())
    return str(path)


def handshake(
    port: int, ctx: ssl.SSLContext, name: str = "px1.example.com", timeout: float = OK_TIMEOUT
) -> tuple[str | None, str | None]:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw,
        ctx.wrap_socket(raw, server_hostname=name) as tls,
    ):
        cipher = tls.cipher()
        return tls.version(), cipher[0] if cipher else None


def client_ctx(
    ca_file: str,
    low: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2,
    high: ssl.TLSVersion = ssl.TLSVersion.TLSv1_3,
) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=ca_file)
    ctx.minimum_version, ctx.maximum_version = low, high
    return ctx


def test_tls_handshakes_with_tls12_and_tls13(node: TlsServer, ca_file: str) -> None:
    tls12 = ssl.TLSVersion.TLSv1_2
    assert handshake(node.port, client_ctx(ca_file))[0] == "TLSv1.3"
    assert handshake(node.port, client_ctx(ca_file, tls12, tls12))[0] == "TLSv1.2"
    assert node.wait_for(handshakes=2)
    assert sorted(h.version or "" for h in node.handshakes) == ["TLSv1.2", "TLSv1.3"]


def test_tls13_only_server_refuses_a_tls12_client(test_pki: NetPki, ca_file: str) -> None:
    tls12, tls13 = ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3
    pem, key = test_pki.leaf_chain_pem(), test_pki.leaf.key_pem()
    with TlsServer(pem, key, min_version=tls13, max_version=tls13) as server:
        assert handshake(server.port, client_ctx(ca_file))[0] == "TLSv1.3"
        with pytest.raises(ssl.SSLError):
            handshake(server.port, client_ctx(ca_file, tls12, tls12))
        assert server.wait_for(failures=1)
        assert "UNSUPPORTED_PROTOCOL" in server.failures[0]


def test_tls_wrong_name_fails_hostname_check(node: TlsServer, ca_file: str) -> None:
    with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
        handshake(node.port, client_ctx(ca_file), name="other.example.com")


def test_tls_server_survives_aborted_handshakes(node: TlsServer, ca_file: str) -> None:
    with socket.create_connection(("127.0.0.1", node.port)) as raw:
        raw.sendall(b"\x16\x03\x01\x00")  # the start of a ClientHello, then gone
    with socket.create_connection(("127.0.0.1", node.port)) as raw:
        raw.sendall(b"GET / HTTP/1.0\r\n\r\n")
    assert handshake(node.port, client_ctx(ca_file))[0] == "TLSv1.3"
    assert node.wait_for(handshakes=1, failures=2)
    assert len(node.failures) == 2


def test_tls_request_client_cert(test_pki: NetPki, ca_file: str, tmp_path: Path) -> None:
    pem, key = test_pki.leaf_chain_pem(), test_pki.leaf.key_pem()
    (tmp_path / "client.pem").write_bytes(pem)
    (tmp_path / "client.key").write_bytes(key)
    ctx = client_ctx(ca_file)
    ctx.load_cert_chain(tmp_path / "client.pem", tmp_path / "client.key")
    with TlsServer(pem, key, request_client_cert=True, client_ca_pem=test_pki.root.pem()) as server:
        handshake(server.port, ctx)
        assert server.wait_for(handshakes=1)
        assert server.handshakes[0].client_cert == test_pki.leaf.der()


def test_silent_server_makes_the_handshake_time_out(ca_file: str) -> None:
    with SilentTcpServer() as server, pytest.raises(TimeoutError):
        handshake(server.port, client_ctx(ca_file), timeout=FAIL_TIMEOUT)


def test_legacy_3des(ca_file: str) -> None:
    if not legacy_3des_supported():
        root = make_root(key_type="rsa")
        leaf = make_leaf(root, ["px1.example.com"], key_type="rsa")
        with pytest.raises(ssl.SSLError):
            legacy_3des_server(leaf.pem(), leaf.key_pem())
        pytest.skip("the local OpenSSL cannot negotiate DES-CBC3-SHA")
    root = make_root(key_type="rsa")
    leaf = make_leaf(root, ["px1.example.com"], key_type="rsa")
    ctx = ssl.create_default_context(cadata=root.pem().decode())
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("DES-CBC3-SHA:@SECLEVEL=0")
    with legacy_3des_server(leaf.pem(), leaf.key_pem()) as server:
        assert handshake(server.port, ctx)[1] == "DES-CBC3-SHA"
        with pytest.raises(ssl.SSLError):
            handshake(server.port, ssl.create_default_context(cadata=root.pem().decode()))


def test_legacy_tls10(test_pki: NetPki, ca_file: str) -> None:
    if not legacy_tls10_supported():
        pytest.skip("the local OpenSSL cannot negotiate TLS 1.0")
    tls10 = ssl.TLSVersion.TLSv1
    old_client = ssl.create_default_context(cafile=ca_file)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old_client.minimum_version = old_client.maximum_version = tls10
    old_client.set_ciphers("DEFAULT:@SECLEVEL=0")
    pem, key = test_pki.leaf_chain_pem(), test_pki.leaf.key_pem()
    with legacy_tls10_server(pem, key) as server:
        assert handshake(server.port, old_client)[0] == "TLSv1"
        assert handshake(server.port, client_ctx(ca_file))[0] == "TLSv1.3"
    with TlsServer(pem, key) as modern, pytest.raises(ssl.SSLError):
        handshake(modern.port, old_client)
