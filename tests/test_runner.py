"""The runner: concurrency, ordering, exceptions into results, offline, secrets, waivers."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from readiness import (
    CheckError,
    CheckSkipped,
    Context,
    Finding,
    Needs,
    Scope,
    Status,
    check,
    failed,
    passed,
    warned,
)
from readiness.check import CheckSpec
from readiness.context import Run
from readiness.deployment import ConnectorInput, Deployment
from readiness.model import Result
from readiness.runner import run_checks
from readiness.waivers import Waiver

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)


def run(specs: list[CheckSpec], deployment: Deployment, now: dt.datetime = NOW) -> list[Result]:
    return run_checks(specs, Run(deployment, now))


def deployment(tmp_path: Path, connectors: int = 1, **kw: object) -> Deployment:
    items = []
    for index in range(connectors):
        script = tmp_path / f"v{index}.ps1"
        script.write_text(f'$PxTeamsConnFqdn = "c{index}.example.com"\n', encoding="utf-8")
        items.append(ConnectorInput(position=index, vars_path=script))
    return Deployment(connectors=tuple(items), **kw)  # type: ignore[arg-type]


@check("t.raises", "raises", reference="r", remediation="fix")
def raises(ctx: Context) -> Finding:
    raise KeyError("boom")


@check("t.skips", "skips", reference="r", remediation="fix")
def skips(ctx: Context) -> Finding:
    raise CheckSkipped("not applicable here")


@check("t.errors", "errors", reference="r", remediation="fix")
def errors(ctx: Context) -> Finding:
    raise CheckError("server did not answer", target="node1.example.com")


@check("t.many", "many", reference="r", remediation="fix")
def many(ctx: Context) -> Iterator[Finding]:
    yield passed("first", target="a")
    yield failed("second", target="b", remediation="do this instead")


@check("t.async", "async", reference="r", remediation="fix", needs=Needs.NETWORK)
async def asynchronous(ctx: Context) -> Finding:
    await asyncio.sleep(0)
    return warned("async works")


@check("t.agen", "async generator", reference="r", remediation="fix")
async def async_generator(ctx: Context) -> AsyncIterator[Finding]:
    yield passed("one")
    yield passed("two")


@check("t.nothing", "returns nothing", reference="r", remediation="fix")
def nothing(ctx: Context) -> None:
    return None


@check("t.wrong", "returns a string", reference="r", remediation="fix")
def wrong_type(ctx: Context) -> str:
    return "not a finding"


@check("t.deployment", "deployment scope", reference="r", remediation="fix", scope=Scope.DEPLOYMENT)
def whole(ctx: Context) -> Finding:
    return passed("once")


def test_each_kind_of_outcome_becomes_a_result(tmp_path: Path) -> None:
    results = run(
        [raises, skips, errors, many, asynchronous, async_generator, nothing, wrong_type],
        deployment(tmp_path),
    )
    bug = results[0]
    assert bug.id == "t.raises" and bug.status is Status.ERROR
    assert "KeyError in check t.raises" in bug.message and "bug in the check" in bug.message
    assert results[1].status is Status.SKIP and results[1].message == "not applicable here"
    assert results[2].status is Status.ERROR and results[2].target == "node1.example.com"
    assert [(r.target, r.status) for r in results[3:5]] == [("a", Status.PASS), ("b", Status.FAIL)]
    assert results[4].remediation == "do this instead"
    assert results[3].remediation == "fix"
    assert results[5].status is Status.WARN
    assert [r.message for r in results[6:8]] == ["one", "two"]
    assert results[8].status is Status.SKIP and results[8].message == "nothing to check"
    assert results[9].status is Status.ERROR and "TypeError" in results[9].message


def test_default_target_is_the_connector_fqdn_and_scopes_are_respected(tmp_path: Path) -> None:
    results = run([asynchronous, whole], deployment(tmp_path, connectors=2))
    assert [(r.id, r.target) for r in results] == [
        ("t.async", "c0.example.com"),
        ("t.async", "c1.example.com"),
        ("t.deployment", "deployment"),
    ]


def test_network_checks_skip_offline_without_running(tmp_path: Path) -> None:
    ran = []

    @check("t.net", "net", reference="r", remediation="f", needs=Needs.NETWORK)
    def net(ctx: Context) -> Finding:
        ran.append(1)
        return passed("ran")

    results = run([net], deployment(tmp_path, offline=True))
    assert results[0].status is Status.SKIP and "--offline" in results[0].message
    assert ran == []


def test_network_checks_run_concurrently_but_report_in_order(tmp_path: Path) -> None:
    started = threading.Barrier(3, timeout=10)

    def make(name: str, delay: float):
        @check(f"t.{name}", name, reference="r", remediation="f", needs=Needs.NETWORK)
        def slow(ctx: Context) -> Finding:
            started.wait()  # all three must be running at once, or this times out
            time.sleep(delay)
            return passed(name)

        return slow

    specs = [make("a", 0.2), make("b", 0.0), make("c", 0.1)]
    results = run(specs, deployment(tmp_path))
    assert [r.message for r in results] == ["a", "b", "c"]


def test_memo_computes_shared_work_once(tmp_path: Path) -> None:
    calls = []

    def load() -> str:
        calls.append(1)
        time.sleep(0.05)
        return "loaded"

    def make(name: str):
        @check(f"t.{name}", name, reference="r", remediation="f")
        def user(ctx: Context) -> Finding:
            return passed(ctx.memo("pfx", load))

        return user

    results = run([make("a"), make("b"), make("c")], deployment(tmp_path))
    assert [r.message for r in results] == ["loaded"] * 3
    assert calls == [1]


def test_known_secrets_are_scrubbed_from_every_field(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PXREADY_PFX_PASSWORD", "Sup3r-Secret!")

    @check("t.leaky", "leaky", reference="r", remediation="f")
    def leaky(ctx: Context) -> Finding:
        secret = ctx.password("PXREADY_PFX_PASSWORD")
        assert secret is not None
        assert "Sup3r" not in repr(secret) and "Sup3r" not in str(secret)
        return failed(
            f"opened with {secret.reveal()}",
            details={"pw": secret.reveal(), "list": [secret.reveal()]},
        )

    result = run([leaky], deployment(tmp_path))[0]
    assert "Sup3r-Secret!" not in repr(result)
    assert result.message == "opened with ********"


def test_waivers_apply_through_their_expiry_day(tmp_path: Path) -> None:
    @check("t.fails", "fails", reference="r", remediation="f")
    def fails(ctx: Context) -> Iterator[Finding]:
        yield failed("bad", target="x.example.com")
        yield failed("bad", target="y.example.com")

    waivers = (
        Waiver("t.*", "accepted, case 1", dt.date(2026, 11, 29), target="X.example.com."),
        Waiver("t.fails", "old case", dt.date(2026, 11, 28), target="y.example.com"),
    )
    results = run([fails], deployment(tmp_path, waivers=waivers))
    assert results[0].waived is not None and results[0].waived.reason == "accepted, case 1"
    assert results[1].waived is None
    assert "expired on 2026-11-28" in results[1].message
    assert results[1].details["expired_waiver"]["reason"] == "old case"


def test_context_state_is_per_run(tmp_path: Path) -> None:
    dep = deployment(tmp_path)
    assert Run(dep, NOW).memo.get("k", lambda: 1) == 1
    assert Run(dep, NOW).memo.get("k", lambda: 2) == 2


def test_coroutine_checks_share_one_event_loop(tmp_path: Path) -> None:
    loops: list[object] = []

    def make(name: str) -> CheckSpec:
        @check(f"t.{name}", name, reference="r", remediation="f", needs=Needs.NETWORK)
        async def probe(ctx: Context) -> Finding:
            loops.append(asyncio.get_running_loop())
            await asyncio.sleep(0.01)
            return passed(name)

        return probe

    run([make("a"), make("b"), make("c")], deployment(tmp_path, connectors=2))
    assert len(loops) == 6 and len(set(map(id, loops))) == 1
