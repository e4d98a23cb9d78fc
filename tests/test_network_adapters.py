"""The network adapters against real servers on loopback: bounds, one answer per question,
dead hosts tried once, and nothing taken from the environment."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from readiness.activity import Activity
from readiness.adapters import dns
from readiness.adapters.dns import Resolver
from readiness.adapters.http import MAX_BODY, Fetcher
from readiness.adapters.limits import Limits
from readiness.adapters.tls import Offer, TlsProber
from readiness.adapters.urls import url_problem
from readiness.deployment import Nameserver
from tests.support.dns_server import DnsServer
from tests.support.http_server import (
    HttpServer,
    handler,
    huge,
    redirect,
    respond,
    stall,
)
from tests.support.tls_server import SilentTcpServer

T = TypeVar("T")


def run(make: Callable[[Limits], Awaitable[T]], timeout: float = 2.0) -> T:
    async def main() -> T:
        return await make(Limits(timeout))

    return asyncio.run(main())


# -- DNS ----------------------------------------------------------------------------------------


def resolver(limits: Limits, server: DnsServer) -> Resolver:
    return Resolver(limits, (Nameserver("127.0.0.1", server.port),))


def test_each_question_is_asked_once_however_many_ask(dns_server: DnsServer) -> None:
    dns_server.add("px1.example.com", "A", "8.8.4.4")
    dns_server.delay("px1.example.com", 0.2)

    async def ask(limits: Limits) -> list[dns.Addresses]:
        found = resolver(limits, dns_server)
        return list(await asyncio.gather(*(found.addresses("PX1.example.com.") for _ in range(5))))

    answers = run(ask)
    assert {a.addresses for a in answers} == {("8.8.4.4",)}
    assert sorted(t for n, t, _ in dns_server.queries) == ["A", "AAAA"]


def test_lookup_outcomes(dns_server: DnsServer) -> None:
    dns_server.add("a.example.com", "A", "8.8.4.4")
    dns_server.add("c.example.com", "CNAME", "a.example.com.")
    dns_server.servfail("sf.example.com")
    dns_server.drop("dead.example.com")

    async def ask(limits: Limits) -> dict[str, dns.Lookup]:
        found = resolver(limits, dns_server)
        names = ("a", "c", "nx", "sf", "dead")
        looked = await asyncio.gather(*(found.lookup(f"{n}.example.com", "A") for n in names))
        return dict(zip(names, looked, strict=True))

    started = time.monotonic()
    got = run(ask, timeout=1.0)
    assert time.monotonic() - started < 2.5  # the silent one costs one timeout, in parallel
    assert got["a"].outcome == dns.ANSWER and got["a"].records == ("8.8.4.4",)
    assert got["c"].cnames == (("c.example.com", "a.example.com"),)
    assert got["c"].canonical == "a.example.com"
    assert got["nx"].outcome == dns.NXDOMAIN
    assert got["sf"].outcome == dns.SERVFAIL
    assert got["dead"].outcome == dns.TIMEOUT and got["dead"].problem == "no answer within 1 s"


def test_a_name_that_is_not_a_dns_name_is_a_problem_not_a_crash(dns_server: DnsServer) -> None:
    async def ask(limits: Limits) -> dns.Lookup:
        return await resolver(limits, dns_server).lookup("a" * 70 + ".example.com", "A")

    found = run(ask)
    assert found.outcome == dns.FAILED and "is not a DNS name" in (found.problem or "")


# -- HTTP ---------------------------------------------------------------------------------------


def test_a_redirect_is_reported_not_followed(http_server: HttpServer) -> None:
    http_server.route("/ca.crt", redirect(301, http_server.url("/elsewhere.crt")))
    http_server.route("/elsewhere.crt", respond(body=b"certificate"))

    async def fetch(limits: Limits) -> tuple[int | None, str | None]:
        fetcher = Fetcher(limits)
        try:
            got = await fetcher.get(http_server.url("/ca.crt"))
        finally:
            await fetcher.aclose()
        return got.status, got.location

    assert run(fetch) == (301, http_server.url("/elsewhere.crt"))
    assert [r[1] for r in http_server.requests] == ["/ca.crt"]


def test_proxies_and_settings_from_the_environment_are_ignored(
    http_server: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    http_server.route("/ca.crt", respond(body=b"direct"))
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    async def fetch(limits: Limits) -> bytes:
        fetcher = Fetcher(limits)
        try:
            return (await fetcher.get(http_server.url("/ca.crt"))).body
        finally:
            await fetcher.aclose()

    assert run(fetch) == b"direct"


def test_the_body_is_read_up_to_one_mebibyte(http_server: HttpServer) -> None:
    http_server.route("/big", huge(50 * MAX_BODY))

    async def fetch(limits: Limits) -> tuple[int, bool]:
        fetcher = Fetcher(limits)
        try:
            got = await fetcher.get(http_server.url("/big"))
        finally:
            await fetcher.aclose()
        return len(got.body), got.too_large

    assert run(fetch) == (MAX_BODY, True)


def test_a_host_is_never_asked_more_than_four_things_at_once(http_server: HttpServer) -> None:
    lock = threading.Lock()
    now = [0]
    most = [0]

    def slow(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[
        int, dict[str, str], bytes]:  # fmt: skip
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
        time.sleep(0.15)
        with lock:
            now[0] -= 1
        return 200, {}, b"x"

    http_server.route("/", handler(slow), prefix=True)

    async def fetch(limits: Limits) -> list[int | None]:
        fetcher = Fetcher(limits)
        try:
            got = await asyncio.gather(*(fetcher.get(http_server.url(f"/{i}")) for i in range(12)))
        finally:
            await fetcher.aclose()
        return [g.status for g in got]

    assert run(fetch) == [200] * 12
    assert most[0] == 4


def test_a_host_that_does_not_answer_costs_one_timeout(http_server: HttpServer) -> None:
    http_server.route("/", stall(), prefix=True)

    async def fetch(limits: Limits) -> list[str | None]:
        fetcher = Fetcher(limits)
        try:
            got = await asyncio.gather(*(fetcher.get(http_server.url(f"/{i}")) for i in range(10)))
        finally:
            await fetcher.aclose()
        return [g.problem for g in got]

    started = time.monotonic()
    problems = run(fetch, timeout=1.0)
    # The first request goes alone; when it gets no answer, the nine others learn that the
    # host is dead instead of waiting a timeout each.
    assert time.monotonic() - started < 2.5
    assert set(problems) == {"127.0.0.1 gave no answer within 1 s"}
    assert len(http_server.requests) == 1  # the first went alone; the host was dead


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ldap://ldap.example.com/cn=CA", "ldap: URLs are not fetched"),
        ("http:///no-host", "the URL names no host"),
        ("http://ca.example.com/a b", "the URL contains spaces or control characters"),
        ("http://ca.example.com:99999/", "the URL is malformed"),
        ("http://ca.example.com/" + "a" * 3000, "the URL is longer than 2048 characters"),
        ("ca.crt", "a relative: URLs are not fetched"),
    ],
)
def test_urls_that_are_not_fetched(url: str, problem: str) -> None:
    assert url_problem(url) == problem


# -- TLS ----------------------------------------------------------------------------------------


def test_an_address_that_never_answers_is_connected_to_once() -> None:
    with SilentTcpServer() as silent:

        async def probe(limits: Limits) -> list[str | None]:
            prober = TlsProber(limits)
            found = []
            for offer in (Offer.TLS12, Offer.BEST, Offer.TLS10, Offer.TLS11):
                found.append((await prober.probe("px1.example.com", "127.0.0.1", silent.port,
                                                 offer)).problem)  # fmt: skip
            return found

        started = time.monotonic()
        problems = run(probe, timeout=1.0)
        assert time.monotonic() - started < 2.0
        assert set(problems) == {"gave no TLS answer within 1 s"}
        assert silent.connections == 1


def test_activity_names_what_is_awaited(dns_server: DnsServer) -> None:
    dns_server.add("slow.example.com", "A", "8.8.4.4")
    dns_server.delay("slow.example.com", 0.3)
    activity = Activity()
    seen: list[list[str]] = []

    async def main() -> None:
        limits = Limits(2.0, activity)
        task = asyncio.ensure_future(resolver(limits, dns_server).lookup("slow.example.com", "A"))
        await asyncio.sleep(0.1)
        seen.append(activity.snapshot())
        await task
        seen.append(activity.snapshot())

    asyncio.run(main())
    assert seen == [["DNS slow.example.com A"], []]
