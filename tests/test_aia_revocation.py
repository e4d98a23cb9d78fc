"""aia.redirect and revocation.urls: end to end through `pxready check`, against real HTTP
servers and OCSP responders on loopback, with certificates minted per test whose AIA, CRL and
OCSP URLs point at them."""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.cli import GOOD_VARS, Deployment, Run
from tests.support.http_server import (
    HttpServer,
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
    chain_pem,
    make_crl,
    make_intermediate,
    make_leaf,
    make_root,
    pkcs7_certs_only,
)

AIA = "aia.redirect"
REVOCATION = "revocation.urls"
TIMEOUT = 1
NAME = "px1.example.com"
OTHER_NAME = "px2.example.com"
ROOT_CN = "pxready AIA Test Root"
INTER_CN = "pxready AIA Test Issuing CA"
INTER_SUBJECT = f"CN={INTER_CN},O=pxready tests"
LEAF_SUBJECT = f"CN={NAME},O=pxready tests"
DER = {"Content-Type": "application/pkix-cert"}
CRL_TYPE = {"Content-Type": "application/pkix-crl"}
HTML = b"<html><body><h1>Welcome to our CDN</h1></body></html>\n"
PFX_PASSWORD = "pw"
# A run that waits on a misbehaving server must still end within a few --timeout.
FEW_TIMEOUTS = 6 * TIMEOUT


# -- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture(scope="module")
def root() -> Issued:
    return make_root(ROOT_CN)


@pytest.fixture(scope="module")
def inter(root: Issued) -> Issued:
    return make_intermediate(root, INTER_CN)


@pytest.fixture
def refused_url() -> Iterator[str]:
    """An http:// URL whose port refuses connections: bound (so nothing else takes the port
    while the test runs) but not listening, so the kernel answers a connect with RST."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/ca.crt"
    finally:
        sock.close()


@pytest.fixture
def silent_listener() -> Iterator[socket.socket]:
    """A listening socket nobody accepts on: a connection attempt to it completes in the
    kernel's backlog, so `contacted(listener)` tells whether anything connected."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    try:
        yield sock
    finally:
        sock.close()


def contacted(listener: socket.socket) -> bool:
    try:
        conn, _ = listener.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


def run_nodes(
    deployment: Deployment,
    *files: bytes,
    roots: Issued | None = None,
    only: str = AIA,
    extra: tuple[str, ...] = (),
) -> Run:
    """Node certificate files only (no connector): node.pem, or node1.pem, node2.pem, ...;
    `roots` written to roots.pem as the trust anchors."""
    names = ["node.pem"] if len(files) == 1 else [f"node{i}.pem" for i in range(1, len(files) + 1)]
    for name, pem in zip(names, files, strict=True):
        (deployment.root / name).write_bytes(pem)
    listed = ", ".join(f'"{n}"' for n in names)
    config = f"[nodes]\ncertificates = [{listed}]\n"
    if roots is not None:
        (deployment.root / "roots.pem").write_bytes(roots.pem())
        config += '\n[trust]\nca_bundle = "roots.pem"\n'
    deployment.config(config)
    return deployment.checks("--format", "json", "--only", only, "--timeout", str(TIMEOUT), *extra)


def aia_leaf(issuer: Issued, *urls: str, name: str = NAME) -> Issued:
    return make_leaf(issuer, [name], aia_issuers=urls)


def by_target(run: Run, check_id: str) -> dict[str, dict[str, Any]]:
    results = run.results(check_id)
    found = {r["target"]: r for r in results}
    assert len(found) == len(results), f"two results for one target: {run.stdout[:3000]}"
    return found


def paths(http: HttpServer) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in http.requests]


def timed(call: Any) -> tuple[Run, float]:
    start = time.monotonic()
    run = call()
    return run, time.monotonic() - start


# -- aia.redirect: 200 answers --------------------------------------------------------------


def test_aia_der_issuer_passes_saying_it_is_the_issuer(
    deployment: Deployment, http_server: HttpServer, inter: Issued
) -> None:
    url = http_server.url("/inter.crt")
    http_server.route("/inter.crt", respond(body=inter.der(), headers=DER))
    run = run_nodes(deployment, aia_leaf(inter, url).pem())
    result = run.result(AIA)
    assert result["status"] == "pass", result
    assert result["target"] == url
    assert result["message"] == (
        f"{url} (named by the certificate {NAME} in node.pem) answers 200 with a DER "
        "certificate: its issuer"
    )
    assert result["details"]["http_status"] == 200
    assert result["details"]["served"] == [INTER_SUBJECT]
    assert result["details"]["named_by"] == [f"the certificate {NAME} in node.pem"]
    assert result["location"] == {"path": "node.pem"}
    assert paths(http_server) == [("GET", "/inter.crt")]
    assert run.code == 0


@pytest.mark.parametrize(
    ("form", "body", "words"),
    [
        ("pkcs7-one", lambda root, inter: pkcs7_certs_only(inter), "a PKCS#7 certificate"),
        (
            "pkcs7-bundle",
            lambda root, inter: pkcs7_certs_only(inter, root),
            "a PKCS#7 bundle of 2 certificates",
        ),
        ("pem", lambda root, inter: inter.pem(), "a PEM certificate"),
    ],
    ids=["pkcs7-one", "pkcs7-bundle", "pem"],
)
def test_aia_pkcs7_and_pem_pass(
    deployment: Deployment,
    http_server: HttpServer,
    root: Issued,
    inter: Issued,
    form: str,
    body: Any,
    words: str,
) -> None:
    url = http_server.url("/inter.p7c")
    http_server.route(
        "/inter.p7c", respond(body=body(root, inter), headers={"Content-Type": "x/" + form})
    )
    run = run_nodes(deployment, aia_leaf(inter, url).pem())
    result = run.result(AIA)
    assert result["status"] == "pass", result
    assert result["message"].endswith(f"answers 200 with {words}: its issuer")
    assert INTER_SUBJECT in result["details"]["served"]


def test_aia_unrelated_certificate_warns(
    deployment: Deployment, http_server: HttpServer, inter: Issued
) -> None:
    stranger = make_root("pxready Unrelated CA")
    url = http_server.url("/inter.crt")
    http_server.route("/inter.crt", respond(body=stranger.der(), headers=DER))
    run = run_nodes(deployment, aia_leaf(inter, url).pem())
    result = run.result(AIA)
    assert result["status"] == "warn", result
    message = result["message"]
    assert "answers 200 with a DER certificate (pxready Unrelated CA" in message
    assert f"which is not the issuer of {NAME}" in message
    assert "Windows cannot complete the chain" in message
    assert result["details"]["served"] == ["CN=pxready Unrelated CA,O=pxready tests"]


# -- aia.redirect: redirects ----------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_aia_redirect_to_https_fails_naming_the_target(
    deployment: Deployment, http_server: HttpServer, inter: Issued, status: int
) -> None:
    url = http_server.url("/inter.crt")
    https = f"https://127.0.0.1:{http_server.port}/secure/inter.crt"
    http_server.route("/inter.crt", redirect(status, https))
    http_server.route("/secure/inter.crt", respond(body=inter.der(), headers=DER))
    run = run_nodes(deployment, aia_leaf(inter, url).pem())
    result = run.result(AIA)
    assert result["status"] == "fail", result
    assert result["target"] == url
    assert f"redirects ({status}) to {https}" in result["message"]
    assert "Windows does not follow a caIssuers redirect from HTTP to HTTPS" in result["message"]
    assert result["details"]["redirect_to"] == https
    assert result["details"]["http_status"] == status
    assert paths(http_server) == [("GET", "/inter.crt")]  # not followed
    assert run.code == 1


def test_aia_redirect_to_plain_http_fails_too(
    deployment: Deployment, http_server: HttpServer, inter: Issued
) -> None:
    url = http_server.url("/old/inter.crt")
    moved = http_server.url("/new/inter.crt")
    http_server.route("/old/inter.crt", redirect(302, moved))
    http_server.route("/new/inter.crt", respond(body=inter.der(), headers=DER))
    run = run_nodes(deployment, aia_leaf(inter, url).pem())
    result = run.result(AIA)
    assert result["status"] == "fail", result
    assert f"redirects (302) to {moved}" in result["message"]
    assert "must get the certificate directly" in result["message"]
    assert "HTTPS" not in result["message"]
    assert paths(http_server) == [("GET", "/old/inter.crt")]


def test_aia_redirect_loop_is_one_failure_and_one_request_per_url(
    deployment: Deployment, http_server: HttpServer, inter: Issued
) -> None:
    ping, pong = http_server.url("/ping.crt"), http_server.url("/pong.crt")
    http_server.route("/ping.crt", redirect(302, pong))
    http_server.route("/pong.crt", redirect(302, ping))
    run = run_nodes(
        deployment,
        aia_leaf(inter, ping).pem(),
        aia_leaf(inter, pong, name=OTHER_NAME).pem(),
    )
    results = by_target(run, AIA)
    assert set(results) == {ping, pong}
    assert results[ping]["status"] == results[pong]["status"] == "fail"
    assert f"redirects (302) to {pong}" in results[ping]["message"]
    assert f"redirects (302) to {ping}" in results[pong]["message"]
    assert sorted(paths(http_server)) == [("GET", "/ping.crt"), ("GET", "/pong.crt")]


def test_aia_redirect_without_location_says_nowhere(
    deployment: Deployment, http_server: HttpServer, inter: Issued
) -> None:
    url = http_server.url("/inter.crt")
    http_server.route("/inter.crt", respond(302, b""))
    result = run_nodes(deployment, aia_leaf(inter, url).pem()).result(AIA)
    assert result["status"] == "fail", result
    assert "redirects (302) to nowhere" in result["message"]


# -- aia.redirect: other answers that are no certificate ------------------------------------


@pytest.mark.parametrize(
    ("route", "words"),
    [(None, "answers 404 Not Found"), (500, "answers 500 Internal Server Error")],
    ids=["404", "500"],
)
def test_aia_http_error_status_fails(
    deployment: Deployment,
    http_server: HttpServer,
    inter: Issued,
    route: int | None,
    words: str,
) -> None:
    url = http_server.url("/inter.crt")
    if route is not None:
        http_server.route("/inter.crt", respond(route, b"oops\n", {"Content-Type": "text/plain"}))
    result = run_nodes(deployment, aia_leaf(inter, url).pem()).result(AIA)
    assert result["status"] == "fail", result
    assert result["message"].endswith(words)
    assert result["details"]["http_status"] == (route or 404)


def test_aia_html_body_fails(
    deployment: Deployment, http_server: HttpServer, inter: Issued
) -> None:
    url = http_server.url("/inter.crt")
    http_server.route("/inter.crt", respond(body=HTML, headers={"Content-Type": "text/html"}))
    result = run_nodes(deployment, aia_leaf(inter, url).pem()).result(AIA)
    assert result["status"] == "fail", result
    assert result["message"].endswith(
        f"answers 200 with text/html ({len(HTML)} bytes), which is no certificate"
    )


@pytest.mark.parametrize(
    "behaviour", [endless(), huge(8 * 1024 * 1024)], ids=["endless", "huge-8MiB"]
)
def test_aia_body_over_one_mib_fails_and_the_fetch_stops(
    deployment: Deployment, http_server: HttpServer, inter: Issued, behaviour: Any
) -> None:
    url = http_server.url("/inter.crt")
    http_server.route("/inter.crt", behaviour)
    run, took = timed(lambda: run_nodes(deployment, aia_leaf(inter, url).pem()))
    result = run.result(AIA)
    assert result["status"] == "fail", result
    assert "answers 200 with more than 1 MiB, which is no certificate" in result["message"]
    assert took < FEW_TIMEOUTS


# -- aia.redirect: no complete answer -------------------------------------------------------


def test_aia_trickle_slower_than_timeout_is_error(
    deployment: Deployment, http_server: HttpServer, inter: Issued
) -> None:
    url = http_server.url("/inter.crt")
    http_server.route("/inter.crt", trickle(inter.der(), bytes_per_second=4))
    run, took = timed(lambda: run_nodes(deployment, aia_leaf(inter, url).pem()))
    result = run.result(AIA)
    assert result["status"] == "error", result
    assert f"no complete answer within {TIMEOUT} s" in result["message"]
    assert took < FEW_TIMEOUTS
    assert run.code != 0


def test_aia_reset_mid_body_says_the_answer_broke_off(
    deployment: Deployment, http_server: HttpServer, inter: Issued
) -> None:
    url = http_server.url("/inter.crt")
    body = inter.der()
    http_server.route("/inter.crt", reset_mid_body(body, after=len(body) // 2))
    result = run_nodes(deployment, aia_leaf(inter, url).pem()).result(AIA)
    assert result["status"] == "error", result
    assert "answered 200 but the connection broke off after" in result["message"]


def test_aia_stalled_server_is_error_within_the_timeout(
    deployment: Deployment, http_server: HttpServer, inter: Issued
) -> None:
    url = http_server.url("/inter.crt")
    http_server.route("/inter.crt", stall())
    run, took = timed(lambda: run_nodes(deployment, aia_leaf(inter, url).pem()))
    result = run.result(AIA)
    assert result["status"] == "error", result
    assert "could not be fetched: " in result["message"]
    assert result["message"].endswith(f" within {TIMEOUT} s")
    assert took < FEW_TIMEOUTS


def test_aia_refused_connection_is_error(
    deployment: Deployment, inter: Issued, refused_url: str
) -> None:
    result = run_nodes(deployment, aia_leaf(inter, refused_url).pem()).result(AIA)
    assert result["status"] == "error", result
    assert result["target"] == refused_url
    assert result["message"].endswith("could not be fetched: 127.0.0.1 refused the connection")


def test_aia_name_that_does_not_resolve_is_error(deployment: Deployment, inter: Issued) -> None:
    url = "http://pxready-no-such-host.invalid/inter.crt"
    run, took = timed(lambda: run_nodes(deployment, aia_leaf(inter, url).pem()))
    result = run.result(AIA)
    assert result["status"] == "error", result
    assert "could not be fetched" in result["message"]
    assert took < FEW_TIMEOUTS


@pytest.mark.parametrize(
    ("scheme", "words"),
    [
        ("https", "is https://: Windows fetches caIssuers over plain HTTP only"),
        ("ldap", "is ldap://: the Teams Connector fetches caIssuers over plain HTTP only"),
    ],
)
def test_aia_https_and_ldap_urls_fail_without_fetching(
    deployment: Deployment,
    inter: Issued,
    silent_listener: socket.socket,
    scheme: str,
    words: str,
) -> None:
    url = f"{scheme}://127.0.0.1:{silent_listener.getsockname()[1]}/inter.crt"
    result = run_nodes(deployment, aia_leaf(inter, url).pem()).result(AIA)
    assert result["status"] == "fail", result
    assert result["target"] == url
    assert result["message"] == f"{url} (named by the certificate {NAME} in node.pem) {words}"
    assert "http_status" not in result["details"]
    assert not contacted(silent_listener)


# -- aia.redirect: which URLs, how often ----------------------------------------------------


def test_aia_url_shared_by_two_certificates_is_fetched_once(
    deployment: Deployment, http_server: HttpServer, inter: Issued
) -> None:
    url = http_server.url("/inter.crt")
    http_server.route("/inter.crt", respond(body=inter.der(), headers=DER))
    run = run_nodes(
        deployment, aia_leaf(inter, url).pem(), aia_leaf(inter, url, name=OTHER_NAME).pem()
    )
    result = run.result(AIA)
    assert result["status"] == "pass", result
    assert result["message"] == (
        f"{url} (named by the certificate {NAME} in node1.pem and 1 other certificate) "
        "answers 200 with a DER certificate: the issuer of each certificate naming it"
    )
    assert result["details"]["named_by"] == [
        f"the certificate {NAME} in node1.pem",
        f"the certificate {OTHER_NAME} in node2.pem",
    ]
    assert paths(http_server) == [("GET", "/inter.crt")]


def test_aia_every_certificate_of_the_file_is_read(
    deployment: Deployment, http_server: HttpServer, root: Issued
) -> None:
    """The intermediate's own caIssuers URL (to the root) is checked as well as the leaf's."""
    root_url, inter_url = http_server.url("/root.crt"), http_server.url("/inter.crt")
    inter = make_intermediate(root, INTER_CN, aia_issuers=[root_url])
    http_server.route("/root.crt", respond(body=root.der(), headers=DER))
    http_server.route("/inter.crt", redirect(301, "https://pki.example.com/inter.crt"))
    run = run_nodes(deployment, chain_pem(aia_leaf(inter, inter_url), inter))
    results = by_target(run, AIA)
    assert results[root_url]["status"] == "pass"
    assert f"named by the intermediate {INTER_CN} in node.pem" in results[root_url]["message"]
    assert results[inter_url]["status"] == "fail"
    assert run.code == 1


def test_aia_certificates_without_caissuers_pass_saying_so(
    deployment: Deployment, http_server: HttpServer, inter: Issued
) -> None:
    run = run_nodes(deployment, chain_pem(make_leaf(inter, [NAME]), inter))
    result = run.result(AIA)
    assert result["status"] == "pass", result
    assert "2 certificates names a caIssuers URL" in result["message"]
    assert "nothing to fetch" in result["message"]
    assert http_server.requests == []


def test_aia_skips_when_there_is_no_certificate(deployment: Deployment) -> None:
    """The connector's PFX does not exist and no node certificate is configured."""
    deployment.vars(GOOD_VARS)
    deployment.config('[[connector]]\nvars = "variables.ps1"\n')
    run = deployment.checks("--format", "json", "--only", AIA, "--timeout", str(TIMEOUT))
    result = run.result(AIA)
    assert result["status"] == "skip", result
    assert result["message"].startswith("no certificate to take URLs from")
    assert "pexip-teams.pfx" in result["message"]
    assert [n["id"] for n in run.json()["summary"]["not_checked"]] == [AIA]


def test_aia_skips_under_offline(
    deployment: Deployment, http_server: HttpServer, inter: Issued
) -> None:
    url = http_server.url("/inter.crt")
    http_server.route("/inter.crt", respond(body=inter.der(), headers=DER))
    run = run_nodes(deployment, aia_leaf(inter, url).pem(), extra=("--offline",))
    result = run.result(AIA)
    assert result["status"] == "skip", result
    assert "--offline" in result["message"]
    assert "network" in result["message"]
    assert http_server.requests == []


# -- revocation.urls: CRL -------------------------------------------------------------------


def crl_leaf(issuer: Issued, url: str, name: str = NAME) -> Issued:
    return make_leaf(issuer, [name], crl_urls=[url])


def test_crl_good_passes(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    url = http_server.url("/inter.crl")
    http_server.route("/inter.crl", respond(body=make_crl(inter), headers=CRL_TYPE))
    leaf = crl_leaf(inter, url)
    run = run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    result = run.result(REVOCATION)
    assert result["status"] == "pass", result
    assert result["target"] == url
    assert result["message"] == (
        f"{url} (CRL of the certificate {NAME} in node.pem) answers with a CRL of 0 entries, "
        "signed by the issuer, next update 2036-01-01; the certificate is not listed"
    )
    assert result["details"]["kind"] == "CRL"
    assert result["details"]["http_status"] == 200
    assert result["details"]["next_update"].startswith("2036-01-01")
    assert paths(http_server) == [("GET", "/inter.crl")]
    assert run.code == 0


def test_crl_signature_is_checked_with_the_issuer_from_the_trust_roots(
    deployment: Deployment, http_server: HttpServer, root: Issued
) -> None:
    """The leaf is alone in its file; its issuer (the root) is in [trust] ca_bundle."""
    url = http_server.url("/root.crl")
    http_server.route("/root.crl", respond(body=make_crl(root, [12345]), headers=CRL_TYPE))
    run = run_nodes(deployment, crl_leaf(root, url).pem(), roots=root, only=REVOCATION)
    result = run.result(REVOCATION)
    assert result["status"] == "pass", result
    assert "a CRL of 1 entry, signed by the issuer" in result["message"]


def test_crl_whose_issuer_is_not_at_hand_passes_saying_the_signature_was_not_checked(
    deployment: Deployment, http_server: HttpServer, inter: Issued
) -> None:
    url = http_server.url("/inter.crl")
    http_server.route("/inter.crl", respond(body=make_crl(inter), headers=CRL_TYPE))
    run = run_nodes(deployment, crl_leaf(inter, url).pem(), only=REVOCATION)
    result = run.result(REVOCATION)
    assert result["status"] == "pass", result
    assert "signed by the issuer" not in result["message"]
    assert "signature not checked" in result["message"]


def test_intermediate_crl_is_checked_against_the_root(
    deployment: Deployment, http_server: HttpServer, root: Issued
) -> None:
    root_crl, inter_crl = http_server.url("/root.crl"), http_server.url("/inter.crl")
    inter = make_intermediate(root, INTER_CN, crl_urls=[root_crl])
    leaf = crl_leaf(inter, inter_crl)
    http_server.route("/root.crl", respond(body=make_crl(root, [inter.serial]), headers=CRL_TYPE))
    http_server.route("/inter.crl", respond(body=make_crl(inter), headers=CRL_TYPE))
    run = run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    results = by_target(run, REVOCATION)
    assert results[inter_crl]["status"] == "pass"
    assert results[root_crl]["status"] == "fail"
    assert f"the intermediate {INTER_CN} in node.pem" in results[root_crl]["message"]
    assert f"the CRL lists {INTER_CN} as revoked" in results[root_crl]["message"]


def test_crl_listing_the_certificate_fails_as_revoked(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    url = http_server.url("/inter.crl")
    leaf = crl_leaf(inter, url)
    http_server.route(
        "/inter.crl", respond(body=make_crl(inter, [7, leaf.serial]), headers=CRL_TYPE)
    )
    run = run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    result = run.result(REVOCATION)
    assert result["status"] == "fail", result
    assert result["message"].endswith(f": the CRL lists {NAME} as revoked since 2026-01-01")
    assert run.code == 1


def test_crl_signed_by_another_key_fails(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    impostor = make_intermediate(root, INTER_CN)  # the same name, another key
    url = http_server.url("/inter.crl")
    http_server.route("/inter.crl", respond(body=make_crl(impostor), headers=CRL_TYPE))
    leaf = crl_leaf(inter, url)
    run = run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    result = run.result(REVOCATION)
    assert result["status"] == "fail", result
    assert "serves a CRL whose signature does not verify with the issuer" in result["message"]
    assert INTER_CN in result["message"]


def test_crl_of_another_ca_fails(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    url = http_server.url("/inter.crl")
    http_server.route("/inter.crl", respond(body=make_crl(root), headers=CRL_TYPE))
    leaf = crl_leaf(inter, url)
    run = run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    result = run.result(REVOCATION)
    assert result["status"] == "fail", result
    assert (
        f"serves a CRL of CN={ROOT_CN},O=pxready tests, not of the certificate's issuer"
        in (result["message"])
    )


def test_expired_crl_fails(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    url = http_server.url("/inter.crl")
    stale = make_crl(
        inter,
        this_update=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        next_update=dt.datetime(2020, 1, 8, tzinfo=dt.UTC),
    )
    http_server.route("/inter.crl", respond(body=stale, headers=CRL_TYPE))
    leaf = crl_leaf(inter, url)
    run = run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    result = run.result(REVOCATION)
    assert result["status"] == "fail", result
    assert "serves a CRL that expired on 2020-01-08" in result["message"]
    assert "revocation status is unknown" in result["message"]


def test_crl_url_answering_html_fails(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    url = http_server.url("/inter.crl")
    http_server.route("/inter.crl", respond(body=HTML, headers={"Content-Type": "text/html"}))
    leaf = crl_leaf(inter, url)
    run = run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    result = run.result(REVOCATION)
    assert result["status"] == "fail", result
    assert "answers 200, but the body is no CRL" in result["message"]


@pytest.mark.parametrize(
    ("behaviour", "words"),
    [
        (redirect(301, "https://pki.example.com/inter.crl"), "redirects (301) to https://"),
        (redirect(302, "http://pki.example.com/inter.crl"), "redirects (302) to http://"),
        (respond(404, b"gone\n"), "answers 404 Not Found"),
        (respond(500, b"boom\n"), "answers 500 Internal Server Error"),
    ],
    ids=["301-https", "302-http", "404", "500"],
)
def test_crl_url_not_answering_200_fails(
    deployment: Deployment,
    http_server: HttpServer,
    root: Issued,
    inter: Issued,
    behaviour: Any,
    words: str,
) -> None:
    url = http_server.url("/inter.crl")
    http_server.route("/inter.crl", behaviour)
    leaf = crl_leaf(inter, url)
    run = run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    result = run.result(REVOCATION)
    assert result["status"] == "fail", result
    assert words in result["message"]
    assert paths(http_server) == [("GET", "/inter.crl")]


def test_crl_server_that_stalls_is_error(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    url = http_server.url("/inter.crl")
    http_server.route("/inter.crl", stall())
    leaf = crl_leaf(inter, url)
    run, took = timed(
        lambda: run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    )
    result = run.result(REVOCATION)
    assert result["status"] == "error", result
    assert f" within {TIMEOUT} s" in result["message"]
    assert took < FEW_TIMEOUTS


def test_crl_over_one_mib_warns_that_it_was_not_read(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    url = http_server.url("/inter.crl")
    http_server.route("/inter.crl", huge(3 * 1024 * 1024))
    leaf = crl_leaf(inter, url)
    run, took = timed(
        lambda: run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    )
    result = run.result(REVOCATION)
    assert result["status"] == "warn", result
    assert "answers 200 with more than 1 MiB" in result["message"]
    assert "the CRL itself was not checked" in result["message"]
    assert took < FEW_TIMEOUTS


@pytest.mark.parametrize(
    ("at", "next_update", "status"),
    [
        ("2040-01-01", dt.datetime(2036, 1, 1, tzinfo=dt.UTC), "pass"),
        ("2019-06-01", dt.datetime(2020, 1, 8, tzinfo=dt.UTC), "fail"),
    ],
    ids=["current-crl-late-install-day", "expired-crl-early-install-day"],
)
def test_crl_freshness_is_judged_on_the_real_clock_not_at(
    deployment: Deployment,
    http_server: HttpServer,
    root: Issued,
    inter: Issued,
    at: str,
    next_update: dt.datetime,
    status: str,
) -> None:
    """--at (the planned install day) moves certificate validity, not whether the CRL served
    today is current."""
    url = http_server.url("/inter.crl")
    crl = make_crl(
        inter, this_update=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), next_update=next_update
    )
    http_server.route("/inter.crl", respond(body=crl, headers=CRL_TYPE))
    leaf = crl_leaf(inter, url)
    run = run_nodes(
        deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION, extra=("--at", at)
    )
    assert run.result(REVOCATION)["status"] == status, run.stdout


def test_crl_refused_connection_is_error(
    deployment: Deployment, root: Issued, inter: Issued, refused_url: str
) -> None:
    leaf = crl_leaf(inter, refused_url)
    run = run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    result = run.result(REVOCATION)
    assert result["status"] == "error", result
    assert result["message"].endswith("could not be fetched: 127.0.0.1 refused the connection")


def test_crl_shared_by_two_certificates_is_fetched_once(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    url = http_server.url("/inter.crl")
    http_server.route("/inter.crl", respond(body=make_crl(inter), headers=CRL_TYPE))
    run = run_nodes(
        deployment,
        chain_pem(crl_leaf(inter, url), inter),
        chain_pem(crl_leaf(inter, url, name=OTHER_NAME), inter),
        roots=root,
        only=REVOCATION,
    )
    result = run.result(REVOCATION)
    assert result["status"] == "pass", result
    assert (
        f"(CRL of the certificate {NAME} in node1.pem and 1 other certificate)"
        in (result["message"])
    )
    assert len(result["details"]["certificates"]) == 2
    assert paths(http_server) == [("GET", "/inter.crl")]


def test_crl_shared_by_two_certificates_says_none_is_listed(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    url = http_server.url("/inter.crl")
    http_server.route("/inter.crl", respond(body=make_crl(inter), headers=CRL_TYPE))
    run = run_nodes(
        deployment,
        chain_pem(crl_leaf(inter, url), inter),
        chain_pem(crl_leaf(inter, url, name=OTHER_NAME), inter),
        roots=root,
        only=REVOCATION,
    )
    message = run.result(REVOCATION)["message"]
    assert "is not listed" not in message, message
    assert message.endswith("none of the certificates naming it is listed"), message


# -- revocation.urls: OCSP ------------------------------------------------------------------


def ocsp_leaf(issuer: Issued, url: str, name: str = NAME) -> Issued:
    return make_leaf(issuer, [name], ocsp_urls=[url])


@pytest.mark.parametrize(
    ("mode", "status", "words"),
    [
        ("good", "pass", f'answers "good" for {NAME}'),
        ("revoked", "fail", f"says {NAME} is revoked since 2026-01-01"),
        ("unknown", "fail", f"does not know {NAME} (status unknown)"),
        ("unauthorized", "fail", "refuses the OCSP request (unauthorized)"),
        ("garbage", "fail", "answers 200, but the body is no OCSP response"),
    ],
)
def test_ocsp_responder_answers(
    deployment: Deployment,
    http_server: HttpServer,
    root: Issued,
    inter: Issued,
    mode: Any,
    status: str,
    words: str,
) -> None:
    url = http_server.url("/ocsp")
    responder = OcspResponder(inter, mode=mode)
    http_server.route("/ocsp", handler(responder.handle))
    leaf = ocsp_leaf(inter, url)
    run = run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    result = run.result(REVOCATION)
    assert result["status"] == status, result
    assert result["target"] == url
    assert result["message"].startswith(f"{url} (OCSP of the certificate {NAME} in node.pem)")
    assert words in result["message"]
    assert result["details"]["kind"] == "OCSP"
    # one real OCSP request, POSTed, about this certificate
    (request,) = http_server.requests
    assert (request.method, request.path) == ("POST", "/ocsp")
    assert request.headers["content-type"] == "application/ocsp-request"
    assert responder.requested_serials == [leaf.serial]
    if mode in ("good", "revoked", "unknown"):
        assert result["details"]["status"] == mode


def test_ocsp_response_signed_by_another_key_fails(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    impostor = make_intermediate(root, INTER_CN)
    url = http_server.url("/ocsp")
    http_server.route("/ocsp", handler(OcspResponder(impostor, mode="good").handle))
    leaf = ocsp_leaf(inter, url)
    run = run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    result = run.result(REVOCATION)
    assert result["status"] == "fail", result
    assert "OCSP response whose signature does not verify with the issuer" in result["message"]


def test_ocsp_issuer_from_trust_roots(
    deployment: Deployment, http_server: HttpServer, root: Issued
) -> None:
    url = http_server.url("/ocsp")
    responder = OcspResponder(root, mode="good")
    http_server.route("/ocsp", handler(responder.handle))
    leaf = ocsp_leaf(root, url)
    run = run_nodes(deployment, leaf.pem(), roots=root, only=REVOCATION)
    result = run.result(REVOCATION)
    assert result["status"] == "pass", result
    assert responder.requested_serials == [leaf.serial]


def test_ocsp_without_the_issuer_at_hand_skips(
    deployment: Deployment, http_server: HttpServer, inter: Issued
) -> None:
    url = http_server.url("/ocsp")
    http_server.route("/ocsp", handler(OcspResponder(inter).handle))
    run = run_nodes(deployment, ocsp_leaf(inter, url).pem(), only=REVOCATION)
    result = run.result(REVOCATION)
    assert result["status"] == "skip", result
    assert "needs the issuer's certificate" in result["message"]
    assert http_server.requests == []


def test_ocsp_url_shared_by_two_certificates_asks_about_each(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    url = http_server.url("/ocsp")
    responder = OcspResponder(inter, mode="good")
    http_server.route("/ocsp", handler(responder.handle))
    first, second = ocsp_leaf(inter, url), ocsp_leaf(inter, url, name=OTHER_NAME)
    run = run_nodes(
        deployment,
        chain_pem(first, inter),
        chain_pem(second, inter),
        roots=root,
        only=REVOCATION,
    )
    result = run.result(REVOCATION)
    assert result["status"] == "pass", result
    assert result["message"].endswith('answers "good" for each of the 2 certificates naming it')
    assert sorted(responder.requested_serials) == sorted([first.serial, second.serial])
    assert [(r.method, r.path) for r in http_server.requests] == [("POST", "/ocsp")] * 2


def test_ocsp_redirect_fails(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    url = http_server.url("/ocsp")
    http_server.route("/ocsp", redirect(307, "https://ocsp.example.com/"))
    leaf = ocsp_leaf(inter, url)
    run = run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    result = run.result(REVOCATION)
    assert result["status"] == "fail", result
    assert (
        "redirects (307) to https://ocsp.example.com/ instead of answering" in (result["message"])
    )
    assert paths(http_server) == [("POST", "/ocsp")]


def delegated_responder(
    signer: Issued, *, next_update: dt.datetime = dt.datetime(2036, 1, 1, tzinfo=dt.UTC)
) -> Any:
    """An `http_server.handler` function answering "good", signed by `signer` (a responder
    certificate the CA issued), which it includes in the response (RFC 6960 4.2.2.2)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509 import ocsp

    def answer(
        method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        request = ocsp.load_der_ocsp_request(body)
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response_by_hash(
                issuer_name_hash=request.issuer_name_hash,
                issuer_key_hash=request.issuer_key_hash,
                serial_number=request.serial_number,
                algorithm=request.hash_algorithm,
                cert_status=ocsp.OCSPCertStatus.GOOD,
                this_update=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                next_update=next_update,
                revocation_time=None,
                revocation_reason=None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, signer.cert)
            .certificates([signer.cert])
        )
        response = builder.sign(signer.key, hashes.SHA256())
        der = response.public_bytes(serialization.Encoding.DER)
        return 200, {"Content-Type": "application/ocsp-response"}, der

    return answer


def test_ocsp_delegated_responder_with_ocsp_signing_passes(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    delegate = make_leaf(inter, ["ocsp.example.com"], eku=["OCSPSigning"])
    url = http_server.url("/ocsp")
    http_server.route("/ocsp", handler(delegated_responder(delegate)))
    leaf = ocsp_leaf(inter, url)
    run = run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    result = run.result(REVOCATION)
    assert result["status"] == "pass", result
    assert f'answers "good" for {NAME}' in result["message"]


def test_ocsp_response_signed_by_a_non_responder_certificate_fails(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    web_server = make_leaf(inter, ["www.example.com"], eku=["serverAuth"])
    url = http_server.url("/ocsp")
    http_server.route("/ocsp", handler(delegated_responder(web_server)))
    leaf = ocsp_leaf(inter, url)
    run = run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    assert run.result(REVOCATION)["status"] == "fail", run.stdout


def test_stale_ocsp_response_fails(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    stale = OcspResponder(
        inter,
        mode="good",
        this_update=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        next_update=dt.datetime(2020, 1, 8, tzinfo=dt.UTC),
    )
    url = http_server.url("/ocsp")
    http_server.route("/ocsp", handler(stale.handle))
    leaf = ocsp_leaf(inter, url)
    run = run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    assert run.result(REVOCATION)["status"] == "fail", run.stdout


def test_unreachable_ocsp_responder_is_error(
    deployment: Deployment, root: Issued, inter: Issued, refused_url: str
) -> None:
    url = refused_url.replace("/ca.crt", "/ocsp")
    leaf = ocsp_leaf(inter, url)
    run = run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    result = run.result(REVOCATION)
    assert result["status"] == "error", result
    assert result["message"] == (
        f"{url} (OCSP of the certificate {NAME} in node.pem) could not be fetched: "
        "127.0.0.1 refused the connection"
    )


def test_stalled_ocsp_responder_is_error(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    url = http_server.url("/ocsp")
    http_server.route("/ocsp", stall())
    leaf = ocsp_leaf(inter, url)
    run, took = timed(
        lambda: run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    )
    result = run.result(REVOCATION)
    assert result["status"] == "error", result
    assert f" within {TIMEOUT} s" in result["message"]
    assert took < FEW_TIMEOUTS


# -- revocation.urls: which URLs ------------------------------------------------------------


def test_leaf_without_any_revocation_url_warns(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    run = run_nodes(
        deployment, chain_pem(make_leaf(inter, [NAME]), inter), roots=root, only=REVOCATION
    )
    result = run.result(REVOCATION)
    assert result["status"] == "warn", result
    assert result["target"] == "node.pem"
    assert result["message"] == (
        f"the certificate {NAME} in node.pem names no CRL distribution point and no OCSP URL: "
        "nothing can tell the Teams Connector that it has been revoked"
    )
    assert http_server.requests == []


@pytest.mark.parametrize(("scheme", "kind"), [("https", "crl"), ("ldap", "crl"), ("https", "ocsp")])
def test_https_and_ldap_revocation_urls_fail_without_fetching(
    deployment: Deployment,
    root: Issued,
    inter: Issued,
    silent_listener: socket.socket,
    scheme: str,
    kind: str,
) -> None:
    url = f"{scheme}://127.0.0.1:{silent_listener.getsockname()[1]}/inter.{kind}"
    leaf = crl_leaf(inter, url) if kind == "crl" else ocsp_leaf(inter, url)
    run = run_nodes(deployment, chain_pem(leaf, inter), roots=root, only=REVOCATION)
    result = run.result(REVOCATION)
    assert result["status"] == "fail", result
    assert result["target"] == url
    assert (
        f"is {scheme}://: the Teams Connector checks revocation over plain HTTP (port 80)"
        in (result["message"])
    )
    assert not contacted(silent_listener)


def test_offline_judges_the_urls_without_contacting_them(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    crl, ocsp = http_server.url("/inter.crl"), http_server.url("/ocsp")
    https = "https://pki.example.com/inter.crl"
    http_server.route("/inter.crl", respond(body=make_crl(inter), headers=CRL_TYPE))
    http_server.route("/ocsp", handler(OcspResponder(inter).handle))
    leaf = make_leaf(inter, [NAME], crl_urls=[crl, https], ocsp_urls=[ocsp])
    bare = make_leaf(inter, [OTHER_NAME])
    run = run_nodes(
        deployment,
        chain_pem(leaf, inter),
        chain_pem(bare, inter),
        roots=root,
        only=REVOCATION,
        extra=("--offline",),
    )
    results = by_target(run, REVOCATION)
    assert set(results) == {crl, ocsp, https, "node2.pem"}
    for url in (crl, ocsp):
        assert results[url]["status"] == "pass", results[url]
        assert results[url]["message"].endswith("is plain http:// (not contacted: --offline)")
        assert results[url]["details"]["contacted"] is False
    assert results[https]["status"] == "fail"
    assert "is https://" in results[https]["message"]
    assert results["node2.pem"]["status"] == "warn"
    assert "names no CRL distribution point and no OCSP URL" in results["node2.pem"]["message"]
    assert http_server.requests == []
    assert run.json()["inputs"]["offline"] is True


# -- both chains: the connector PFX and a node file -----------------------------------------


def test_connector_pfx_chain_and_node_chain_are_both_checked(
    deployment: Deployment, http_server: HttpServer, root: Issued, inter: Issued
) -> None:
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    issuer_url, crl_url = http_server.url("/inter.crt"), http_server.url("/inter.crl")
    pfx_only_crl = http_server.url("/pfx.crl")
    connector_leaf = make_leaf(
        inter,
        ["pexip-teamsconn-eu.teams.example.com"],
        aia_issuers=[issuer_url],
        crl_urls=[crl_url, pfx_only_crl],
        key_type="rsa",
    )
    node_leaf = make_leaf(inter, [NAME], aia_issuers=[issuer_url], crl_urls=[crl_url])
    http_server.route("/inter.crt", respond(body=inter.der(), headers=DER))
    http_server.route("/inter.crl", respond(body=make_crl(inter), headers=CRL_TYPE))
    http_server.route("/pfx.crl", respond(body=make_crl(inter, [connector_leaf.serial])))
    pfx = pkcs12.serialize_key_and_certificates(
        b"x",
        connector_leaf.key,  # type: ignore[arg-type]
        connector_leaf.cert,
        [inter.cert],
        BestAvailableEncryption(PFX_PASSWORD.encode()),
    )
    (deployment.root / "pexip-teams.pfx").write_bytes(pfx)
    (deployment.root / "node.pem").write_bytes(chain_pem(node_leaf, inter))
    (deployment.root / "roots.pem").write_bytes(root.pem())
    deployment.vars(GOOD_VARS)
    deployment.config(
        '[[connector]]\nvars = "variables.ps1"\n\n[nodes]\ncertificates = ["node.pem"]\n\n'
        '[trust]\nca_bundle = "roots.pem"\n'
    )
    run = deployment.checks(
        "--format", "json", "--only", AIA, "--only", REVOCATION, "--timeout", str(TIMEOUT),
        env={"PXREADY_PFX_PASSWORD": PFX_PASSWORD},
    )  # fmt: skip
    connector = "the certificate pexip-teamsconn-eu.teams.example.com in pexip-teams.pfx"

    aia = run.result(AIA)
    assert aia["status"] == "pass", aia
    assert aia["message"].startswith(f"{issuer_url} (named by {connector} and 1 other certificate)")
    assert aia["details"]["named_by"] == [connector, f"the certificate {NAME} in node.pem"]
    assert aia["location"] == {"path": "pexip-teams.pfx"}

    revocation = by_target(run, REVOCATION)
    assert set(revocation) == {crl_url, pfx_only_crl}
    assert revocation[crl_url]["status"] == "pass"
    assert revocation[crl_url]["details"]["certificates"] == [
        connector,
        f"the certificate {NAME} in node.pem",
    ]
    assert revocation[pfx_only_crl]["status"] == "fail"
    assert "as revoked since 2026-01-01" in revocation[pfx_only_crl]["message"]
    assert f"CRL of {connector})" in revocation[pfx_only_crl]["message"]
    # each URL once, whatever the number of certificates naming it
    assert sorted(paths(http_server)) == [
        ("GET", "/inter.crl"),
        ("GET", "/inter.crt"),
        ("GET", "/pfx.crl"),
    ]
    assert run.code == 1
