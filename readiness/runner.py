"""Runs the selected checks concurrently and turns everything they do into results.

Checks are independent jobs: one per connector for connector-scoped checks, one for the whole
deployment otherwise. Every job runs in a worker thread; a coroutine check gets its own event
loop there, so asyncio is imported only when such a check runs (the offline pre-commit path
never pays for it). Whatever a check raises becomes a result; nothing escapes. Results come out
in registry order (then connector order), however the jobs finished.
"""

from __future__ import annotations

import datetime as dt
import inspect
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass, replace
from typing import Any

from readiness.check import CheckError, CheckSkipped, CheckSpec, Needs, Scope
from readiness.context import Context, RunState
from readiness.deployment import Deployment
from readiness.model import Finding, Result, Status, Waived, errored, skipped
from readiness.registry import LoadProblem

MAX_PARALLEL_JOBS = 16
# A check may make several network operations in a row, each bounded by --timeout; the guard
# only catches a check that hangs outright.
GUARD_OPERATIONS = 6
GUARD_MINIMUM_SECONDS = 60.0

OnDone = Callable[["Job", list[Result]], None]


@dataclass(frozen=True)
class Job:
    spec: CheckSpec
    context: Context


def plan(
    specs: Sequence[CheckSpec], deployment: Deployment, state: RunState, now: dt.datetime
) -> list[Job]:
    jobs: list[Job] = []
    for spec in specs:
        if spec.scope is Scope.CONNECTOR:
            for connector in deployment.connectors:
                jobs.append(Job(spec, Context(deployment, state, now, connector)))
        else:
            jobs.append(Job(spec, Context(deployment, state, now)))
    return jobs


def guard_seconds(deployment: Deployment) -> float:
    return max(GUARD_MINIMUM_SECONDS, deployment.timeout * GUARD_OPERATIONS)


def run(
    specs: Sequence[CheckSpec],
    deployment: Deployment,
    *,
    now: dt.datetime,
    state: RunState | None = None,
    load_problems: Sequence[LoadProblem] = (),
    on_done: OnDone | None = None,
) -> list[Result]:
    """Run the checks; return their results in a stable order."""
    state = state or RunState()
    jobs = plan(specs, deployment, state, now)
    batches = _run_all(jobs, guard_seconds(deployment), on_done)
    results = [_scrub(r, state) for batch in batches for r in batch]
    results.extend(_load_problem_result(p) for p in load_problems)
    return apply_waivers(results, deployment, now.date())


def _waits(job: Job) -> bool:
    """Whether a job spends its time waiting (network, Azure, a coroutine) rather than
    computing: only those gain from threads; CPU-bound offline work just contends for the GIL."""
    return job.spec.needs is not Needs.OFFLINE or job.spec.is_async


def _run_all(jobs: Sequence[Job], guard: float, on_done: OnDone | None) -> list[list[Result]]:
    batches: list[list[Result] | None] = [None] * len(jobs)
    waiting = {index for index, job in enumerate(jobs) if _waits(job)}
    deadline = guard * (1 + len(waiting) // MAX_PARALLEL_JOBS)
    pool = None
    futures: dict[Future[list[Result]], int] = {}
    if waiting:
        pool = ThreadPoolExecutor(
            max_workers=min(MAX_PARALLEL_JOBS, len(waiting)), thread_name_prefix="pxready-check"
        )
        futures = {pool.submit(run_job, jobs[i], guard): i for i in sorted(waiting)}

    def finish(index: int, results: list[Result]) -> None:
        batches[index] = results
        if on_done is not None:
            on_done(jobs[index], results)

    try:
        # The local checks run here, in order, while the network ones wait in the pool.
        for index, job in enumerate(jobs):
            if index not in waiting:
                finish(index, run_job(job, guard))
        for future in as_completed(futures, timeout=deadline):
            finish(futures[future], future.result())
    except FuturesTimeout:
        pass  # the jobs still running are reported below
    finally:
        if pool is not None:
            # Never wait for a hung check: the CLI ends the process once the report is out.
            pool.shutdown(wait=False, cancel_futures=True)
    for index, batch in enumerate(batches):
        if batch is None:
            message = f"the check did not finish within {deadline:g} s"
            batches[index] = [
                _result(jobs[index].spec, errored(message), _target(jobs[index].context), 0)
            ]
    return [batch or [] for batch in batches]


def run_job(job: Job, guard: float = GUARD_MINIMUM_SECONDS) -> list[Result]:
    spec, ctx = job.spec, job.context
    started = time.perf_counter()
    if spec.needs is Needs.NETWORK and ctx.offline:
        findings = [skipped("needs network access; skipped under --offline")]
    else:
        findings = _findings(spec, ctx, guard)
    elapsed = int((time.perf_counter() - started) * 1000)
    if not findings:
        findings = [skipped("nothing to check")]
    default = None
    results = []
    for finding in findings:
        target = finding.target
        if target is None:
            default = default if default is not None else _target(ctx)
            target = default
        results.append(_result(spec, finding, target, elapsed))
    return results


def _target(ctx: Context) -> str:
    try:
        return ctx.default_target
    except Exception:  # a broken script must not hide the result it explains
        return "deployment"


def _findings(spec: CheckSpec, ctx: Context, guard: float) -> list[Finding]:
    try:
        if spec.is_async:
            import asyncio

            return asyncio.run(asyncio.wait_for(_collect_async(spec, ctx), guard))
        return _collect_sync(spec, ctx)
    except CheckSkipped as skip:
        return [skipped(skip.reason, target=skip.target)]
    except CheckError as error:
        return [errored(error.reason, target=error.target)]
    except TimeoutError:
        return [errored(f"the check did not finish within {guard:g} s")]
    except Exception as exc:
        return [
            errored(
                f"{type(exc).__name__} in check {spec.id}: this is a bug in the check, not a "
                f"finding about the deployment; please report it ({_one_line(exc)})"
            )
        ]


def _collect_sync(spec: CheckSpec, ctx: Context) -> list[Finding]:
    return _as_list(spec.function(ctx))


async def _collect_async(spec: CheckSpec, ctx: Context) -> list[Finding]:
    outcome = spec.function(ctx)
    if inspect.isasyncgen(outcome):
        return _as_list([finding async for finding in outcome])
    return _as_list(await outcome)


def _as_list(outcome: Any) -> list[Finding]:
    if outcome is None:
        return []
    if isinstance(outcome, Finding):
        return [outcome]
    if isinstance(outcome, Iterable):
        items = list(outcome)
        bad = [type(i).__name__ for i in items if not isinstance(i, Finding)]
        if bad:
            raise TypeError(f"a check must return Findings, not {bad[0]}")
        return items
    raise TypeError(f"a check must return Findings, not {type(outcome).__name__}")


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else "no message"


def _result(spec: CheckSpec, finding: Finding, target: str, elapsed: int) -> Result:
    return Result(
        id=spec.id,
        title=spec.title,
        status=finding.status,
        target=target,
        message=finding.message,
        remediation=finding.remediation if finding.remediation is not None else spec.remediation,
        reference=spec.reference,
        area=spec.area,
        details=dict(finding.details),
        duration_ms=elapsed,
        location=finding.location,
    )


def _load_problem_result(problem: LoadProblem) -> Result:
    return Result(
        id="pxready.plugin",
        title="Check plugins load",
        status=Status.ERROR,
        target=problem.plugin,
        message=f"the check plugin '{problem.plugin}' {problem.message}",
        remediation="Reinstall or fix the plugin package, or uninstall it.",
        reference="pxready README: writing a check plugin",
        area="pxready",
    )


def _scrub(result: Result, state: RunState) -> Result:
    secrets = state.secrets
    return replace(
        result,
        message=secrets.scrub_text(result.message),
        remediation=secrets.scrub_text(result.remediation),
        target=secrets.scrub_text(result.target),
        details=secrets.scrub(result.details),
    )


def apply_waivers(
    results: Sequence[Result], deployment: Deployment, today: dt.date
) -> list[Result]:
    """Mark results that an active waiver accepts; say so where a waiver has expired."""
    out = []
    for result in results:
        if result.status is Status.PASS:
            out.append(result)
            continue
        matching = [w for w in deployment.waivers if w.matches(result.id, result.target)]
        active = next((w for w in matching if w.active_on(today)), None)
        if not matching:
            out.append(result)
        elif active is not None:
            out.append(replace(result, waived=Waived(active.reason, active.expires)))
        else:
            waiver = max(matching, key=lambda w: w.expires)
            details = dict(result.details)
            details["expired_waiver"] = {
                "reason": waiver.reason,
                "expires": waiver.expires.isoformat(),
            }
            out.append(
                replace(
                    result,
                    message=f"{result.message} (the waiver for this expired on "
                    f"{waiver.expires.isoformat()} and no longer applies)",
                    details=details,
                )
            )
    return out


def unused_waivers(results: Sequence[Result], deployment: Deployment) -> list[str]:
    notes = []
    for waiver in deployment.waivers:
        if not any(waiver.matches(r.id, r.target) for r in results):
            where = f" (pxready.toml line {waiver.line})" if waiver.line else ""
            target = f" on {waiver.target}" if waiver.target else ""
            notes.append(f"the waiver for {waiver.id}{target}{where} matched no result")
    return notes
