"""tls.node against real loopback servers: a DNS server that the check resolves node names
through, and TLS (or silent, or absent) endpoints standing in for Conferencing Nodes."""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.cli import GOOD_VARS, Deployment, Run
from tests.support.dns_server import DnsServer
from tests.support.pki import NetPki, chain_pem, make_intermediate, make_leaf, make_root
from tests.support.tls_server import (
    SilentTcpServer,
    TlsServer,
    legacy_3des_server,
    legacy_3des_supported,
    legacy_tls10_server,
    legacy_tls10_supported,
)

NAME = "px1.example.com"  # in the test_pki leaf
POOL_DEFAULT = '"px-edge-pool.vc.example.com"'
NODE_LINE = next(i for i, line in enumerate(GOOD_VARS.splitlines(), 1) if "$PxNodeFqdns" in line)


def setup(
    deployment: Deployment,
    dns_server: DnsServer,
    port: int,
    roots: bytes,
    names: str = NAME,
) -> None:
    """Variables naming `names`, a pxready.toml pointing at the DNS server, port and roots."""
    assert POOL_DEFAULT in GOOD_VARS
    deployment.vars(GOOD_VARS.replace(POOL_DEFAULT, f'"{names}"'))
    deployment.write("roots.pem", roots.decode("ascii"))
    deployment.config(
        f"""
        [[connector]]
        vars = "variables.ps1"
        [nodes]
        tls_port = {port}
        [trust]
        ca_bundle = "roots.pem"
        [dns]
        nameservers = ["{dns_server.nameserver}"]
        """
    )


def run(deployment: Deployment, *extra: str, timeout: float = 2) -> Run:
    return deployment.checks(
        "--format", "json", "--only", "tls.node", "--timeout", f"{timeout:g}", *extra
    )


def only(run: Run, status: str | None = None) -> dict[str, Any]:
    """The one tls.node result (of `status`, when given)."""
    found = [r for r in run.results("tls.node") if status is None or r["status"] == status]
    assert len(found) == 1, run.stdout[:3000]
    return found[0]


def statuses(run: Run) -> list[str]:
    return sorted(r["status"] for r in run.results("tls.node"))


@pytest.fixture
def node_dns(dns_server: DnsServer) -> DnsServer:
    """The DNS server, with NAME → 127.0.0.1."""
    dns_server.add(NAME, "A", "127.0.0.1")
    return dns_server


@pytest.fixture
def good_node(test_pki: NetPki) -> Iterator[TlsServer]:
    """A node sending leaf + intermediate for NAME (serverAuth, clientAuth), TLS 1.2 and 1.3."""
    with TlsServer(test_pki.leaf_chain_pem(), test_pki.leaf.key_pem()) as server:
        yield server


def local_openssl_offers_weak_cipher() -> bool:
    """Whether a client here could offer any of RC2, RC4, DES or 3DES at all."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.set_ciphers("3DES:DES:RC4:RC2:@SECLEVEL=0")
    except ssl.SSLError:
        return False
    return True


# -- pass -------------------------------------------------------------------------------------


def test_tls12_node_passes_with_protocol_and_cipher(
    deployment: Deployment, node_dns: DnsServer, test_pki: NetPki
) -> None:
    sni: list[str | None] = []
    server = TlsServer(test_pki.leaf_chain_pem(), test_pki.leaf.key_pem())
    server.context.sni_callback = lambda _sock, name, _ctx: sni.append(name)
    with server:
        setup(deployment, node_dns, server.port, test_pki.root.pem())
        result = run(deployment)
        assert server.wait_for(handshakes=1)
        seen = server.handshakes
    assert result.code == 0, result.stdout
    found = only(result)
    assert found["status"] == "pass"
    assert found["target"] == NAME
    assert found["location"] == {"path": "variables.ps1", "line": NODE_LINE}
    # The handshake the check reports is the TLS 1.2 one the server completed.
    tls12 = [h for h in seen if h.version == "TLSv1.2"]
    assert tls12, seen
    message = found["message"]
    assert f"{NAME} (127.0.0.1:{server.port})" in message
    assert f"negotiates TLSv1.2 with {tls12[0].cipher}" in message
    assert "serverAuth and clientAuth" in message
    assert "pxready Net Test Root" in message
    details = found["details"]["127.0.0.1"]
    assert details["protocol"] == "TLSv1.2"
    assert details["cipher"] == tls12[0].cipher
    # Every probe sent the node's name as SNI.
    assert sni and set(sni) == {NAME}


def test_pass_says_what_this_machine_could_not_probe(
    deployment: Deployment, node_dns: DnsServer, good_node: TlsServer, test_pki: NetPki
) -> None:
    setup(deployment, node_dns, good_node.port, test_pki.root.pem())
    found = only(run(deployment))
    assert found["status"] == "pass"
    if local_openssl_offers_weak_cipher():
        assert "not probed" not in found["message"]
    else:
        assert "not probed for a weak cipher" in found["message"]
        assert "OpenSSL cannot offer it" in found["message"]


def test_wildcard_certificate_covers_the_name(
    deployment: Deployment, node_dns: DnsServer, test_pki: NetPki
) -> None:
    leaf = make_leaf(test_pki.intermediate, ["*.example.com"])
    with TlsServer(chain_pem(leaf, test_pki.intermediate), leaf.key_pem()) as server:
        setup(deployment, node_dns, server.port, test_pki.root.pem())
        found = only(run(deployment))
    assert found["status"] == "pass", found["message"]
    assert "*.example.com" in found["message"]


def test_node_requesting_a_client_certificate_still_passes(
    deployment: Deployment, node_dns: DnsServer, test_pki: NetPki
) -> None:
    with TlsServer(
        test_pki.leaf_chain_pem(),
        test_pki.leaf.key_pem(),
        request_client_cert=True,
        client_ca_pem=test_pki.root.pem(),
    ) as server:
        setup(deployment, node_dns, server.port, test_pki.root.pem())
        found = only(run(deployment))
    assert found["status"] == "pass", found["message"]


# -- fail -------------------------------------------------------------------------------------


def test_tls13_only_node_fails(
    deployment: Deployment, node_dns: DnsServer, test_pki: NetPki
) -> None:
    tls13 = ssl.TLSVersion.TLSv1_3
    with TlsServer(
        test_pki.leaf_chain_pem(), test_pki.leaf.key_pem(), min_version=tls13, max_version=tls13
    ) as server:
        setup(deployment, node_dns, server.port, test_pki.root.pem())
        result = run(deployment)
    assert result.code == 1
    found = only(result)
    assert found["status"] == "fail"
    assert found["target"] == NAME
    assert "negotiates only TLSv1.3" in found["message"]
    assert "TLS 1.2" in found["message"]


def test_certificate_for_another_name_fails_naming_its_names(
    deployment: Deployment, node_dns: DnsServer, test_pki: NetPki
) -> None:
    leaf = make_leaf(test_pki.intermediate, ["other.example.net", "*.example.org"])
    with TlsServer(chain_pem(leaf, test_pki.intermediate), leaf.key_pem()) as server:
        setup(deployment, node_dns, server.port, test_pki.root.pem())
        result = run(deployment)
    found = only(result)
    assert found["status"] == "fail"
    message = found["message"]
    assert f"not for {NAME}" in message
    assert "other.example.net" in message and "*.example.org" in message


def test_wildcard_does_not_cover_two_labels(
    deployment: Deployment, dns_server: DnsServer, test_pki: NetPki
) -> None:
    name = "px1.eu.example.com"
    dns_server.add(name, "A", "127.0.0.1")
    leaf = make_leaf(test_pki.intermediate, ["*.example.com"])
    with TlsServer(chain_pem(leaf, test_pki.intermediate), leaf.key_pem()) as server:
        setup(deployment, dns_server, server.port, test_pki.root.pem(), names=name)
        found = only(run(deployment))
    assert found["status"] == "fail"
    assert f"not for {name}" in found["message"]


def test_certificate_without_client_auth_fails(
    deployment: Deployment, node_dns: DnsServer, test_pki: NetPki
) -> None:
    leaf = make_leaf(test_pki.intermediate, [NAME], eku=("serverAuth",))
    with TlsServer(chain_pem(leaf, test_pki.intermediate), leaf.key_pem()) as server:
        setup(deployment, node_dns, server.port, test_pki.root.pem())
        found = only(run(deployment))
    assert found["status"] == "fail"
    assert "clientAuth" in found["message"]
    assert "missing" in found["message"]


def test_node_sending_the_leaf_without_its_intermediate_fails(
    deployment: Deployment, node_dns: DnsServer, test_pki: NetPki
) -> None:
    with TlsServer(chain_pem(test_pki.leaf), test_pki.leaf.key_pem()) as server:
        setup(deployment, node_dns, server.port, test_pki.root.pem())
        found = only(run(deployment))
    assert found["status"] == "fail"
    assert "chain" in found["message"]
    assert "pxready Net Test Issuing CA" in found["message"]
    assert "missing" in found["message"]
    assert found["details"]["127.0.0.1"]["presented"] == [f"CN={NAME},O=pxready tests"]


@pytest.mark.parametrize("sends_root", [False, True], ids=["root-not-sent", "root-sent"])
def test_chain_to_a_root_outside_the_ca_bundle_fails(
    deployment: Deployment, node_dns: DnsServer, test_pki: NetPki, sends_root: bool
) -> None:
    other_root = make_root("Other Root")
    other_ca = make_intermediate(other_root, "Other Issuing CA")
    leaf = make_leaf(other_ca, [NAME])
    sent = (leaf, other_ca, other_root) if sends_root else (leaf, other_ca)
    with TlsServer(chain_pem(*sent), leaf.key_pem()) as server:
        setup(deployment, node_dns, server.port, test_pki.root.pem())
        found = only(run(deployment))
    assert found["status"] == "fail"
    assert "chain" in found["message"]
    assert "Other Root" in found["message"]


def test_3des_only_node_fails(deployment: Deployment, node_dns: DnsServer) -> None:
    if not legacy_3des_supported():
        pytest.skip("the local OpenSSL cannot negotiate DES-CBC3-SHA")
    root = make_root(key_type="rsa")
    ca = make_intermediate(root, key_type="rsa")
    leaf = make_leaf(ca, [NAME], key_type="rsa")
    with legacy_3des_server(chain_pem(leaf, ca), leaf.key_pem()) as server:
        setup(deployment, node_dns, server.port, root.pem())
        result = run(deployment)
    assert result.code == 1
    main = only(result, "fail")
    assert main["target"] == NAME
    assert "TLS 1.2" in main["message"]
    warned = only(result, "warn")
    assert "DES-CBC3-SHA" in warned["message"]


# -- warn -------------------------------------------------------------------------------------


def test_node_also_accepting_tls10_gets_a_warning_of_its_own(
    deployment: Deployment, node_dns: DnsServer, test_pki: NetPki
) -> None:
    if not legacy_tls10_supported():
        pytest.skip("the local OpenSSL cannot complete a TLS 1.0 handshake")
    with legacy_tls10_server(test_pki.leaf_chain_pem(), test_pki.leaf.key_pem()) as server:
        setup(deployment, node_dns, server.port, test_pki.root.pem())
        result = run(deployment)
    assert statuses(result) == ["pass", "warn"]
    assert "negotiates TLSv1.2" in only(result, "pass")["message"]
    warned = only(result, "warn")
    assert warned["target"] == NAME
    assert warned["location"] == {"path": "variables.ps1", "line": NODE_LINE}
    assert f"127.0.0.1:{server.port} accepts TLS 1.0" in warned["message"]
    assert "TLS 1.0" in warned["details"]["weak"]["127.0.0.1"]


# -- error and skip ---------------------------------------------------------------------------


def test_silent_node_is_one_timeout_and_one_connection(
    deployment: Deployment, node_dns: DnsServer, test_pki: NetPki
) -> None:
    timeout = 1.0
    with SilentTcpServer() as server:
        setup(deployment, node_dns, server.port, test_pki.root.pem())
        started = time.monotonic()
        result = run(deployment, timeout=timeout)
        elapsed = time.monotonic() - started
        connections = server.connections
    found = only(result)
    assert found["status"] == "error"
    assert f"127.0.0.1:{server.port}" in found["message"]
    assert "no TLS answer within 1 s" in found["message"]
    assert elapsed < 3 * timeout
    assert connections == 1


def _three_names_on_one_silent_address(
    deployment: Deployment, dns_server: DnsServer, test_pki: NetPki, server: SilentTcpServer
) -> tuple[Run, float]:
    names = ["px1.example.com", "px2.example.com", "px3.example.com"]
    for name in names:
        dns_server.add(name, "A", "127.0.0.1")
    setup(deployment, dns_server, server.port, test_pki.root.pem(), names=",".join(names))
    started = time.monotonic()
    result = run(deployment, timeout=1)
    return result, time.monotonic() - started


def test_silent_address_of_several_names_costs_one_timeout(
    deployment: Deployment, dns_server: DnsServer, test_pki: NetPki
) -> None:
    with SilentTcpServer() as server:
        result, elapsed = _three_names_on_one_silent_address(
            deployment, dns_server, test_pki, server
        )
    found = result.results("tls.node")
    assert sorted(r["target"] for r in found) == [f"px{i}.example.com" for i in (1, 2, 3)]
    assert {r["status"] for r in found} == {"error"}
    assert elapsed < 3 * 1


def test_silent_address_of_several_names_is_connected_to_once(
    deployment: Deployment, dns_server: DnsServer, test_pki: NetPki
) -> None:
    with SilentTcpServer() as server:
        _three_names_on_one_silent_address(deployment, dns_server, test_pki, server)
        connections = server.connections
    assert connections == 1


@pytest.fixture
def refusing_port() -> Iterator[int]:
    """A port of 127.0.0.1 held by a socket that does not listen: connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_refused_port_is_error(
    deployment: Deployment, node_dns: DnsServer, test_pki: NetPki, refusing_port: int
) -> None:
    setup(deployment, node_dns, refusing_port, test_pki.root.pem())
    found = only(run(deployment))
    assert found["status"] == "error"
    assert found["target"] == NAME
    assert f"127.0.0.1:{refusing_port}" in found["message"]
    assert "refused" in found["message"]


def test_pool_name_with_a_dead_address_is_error_naming_both(
    deployment: Deployment, node_dns: DnsServer, good_node: TlsServer, test_pki: NetPki
) -> None:
    # The servers bind 127.0.0.1 only; 127.0.0.2 (also loopback) has nothing on the port.
    node_dns.add(NAME, "A", "127.0.0.2")
    setup(deployment, node_dns, good_node.port, test_pki.root.pem())
    found = only(run(deployment))
    assert found["status"] == "error"
    message = found["message"]
    assert "2 addresses" in message
    assert f"127.0.0.1:{good_node.port} negotiates TLSv1.2" in message
    assert f"127.0.0.2:{good_node.port} refused" in message
    assert set(found["details"]) == {"127.0.0.1", "127.0.0.2"}


def test_ipv6_address_is_bracketed_in_the_message(
    deployment: Deployment, dns_server: DnsServer, test_pki: NetPki, refusing_port: int
) -> None:
    name = "px6.example.com"
    dns_server.add(name, "AAAA", "::1")
    setup(deployment, dns_server, refusing_port, test_pki.root.pem(), names=name)
    found = only(run(deployment))
    assert found["status"] == "error"
    assert f"[::1]:{refusing_port}" in found["message"]


def test_name_that_does_not_resolve_is_skipped(
    deployment: Deployment, dns_server: DnsServer, good_node: TlsServer, test_pki: NetPki
) -> None:
    dns_server.nxdomain(NAME)
    setup(deployment, dns_server, good_node.port, test_pki.root.pem())
    found = only(run(deployment))
    assert found["status"] == "skip"
    assert found["target"] == NAME
    assert "dns.node-public" in found["message"]
    assert good_node.handshakes == [] and good_node.failures == []


def test_name_resolved_for_dns_node_public_is_not_resolved_again(
    deployment: Deployment, node_dns: DnsServer, good_node: TlsServer, test_pki: NetPki
) -> None:
    setup(deployment, node_dns, good_node.port, test_pki.root.pem())
    result = run(deployment, "--only", "dns.node-public")
    assert result.results("dns.node-public"), result.stdout
    assert only(result)["status"] == "pass"
    asked = [(name, rdtype) for name, rdtype, _ in node_dns.queries if name == NAME]
    assert asked.count((NAME, "A")) == 1
    assert asked.count((NAME, "AAAA")) == 1


def test_offline_skips_without_touching_the_network(
    deployment: Deployment, node_dns: DnsServer, good_node: TlsServer, test_pki: NetPki
) -> None:
    setup(deployment, node_dns, good_node.port, test_pki.root.pem())
    result = run(deployment, "--offline")
    found = only(result)
    assert found["status"] == "skip"
    assert "--offline" in found["message"]
    assert node_dns.queries == []
    assert good_node.handshakes == [] and good_node.failures == []
