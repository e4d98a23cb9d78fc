"""Runs the selected checks and turns everything they do into results.

Checks are independent jobs: one per connector for connector-scoped checks, one for the whole
deployment otherwise. Two kinds of job run side by side:

- local jobs (offline, plain functions: reading files, parsing certificates) run one after
  another in the calling thread; they are CPU-bound, and threads would only contend for the GIL;
- waiting jobs (network and Azure checks, and every coroutine check) run together on one
  event loop in one background thread, started before the local jobs so that waiting and
  computing overlap. Coroutine checks share that loop, and with it the network adapters of the
  run; plain functions that wait (a blocking SDK call) run in the loop's thread pool.

asyncio is imported only when a waiting job runs, so the offline pre-commit path never pays for
it. Whatever a check raises becomes a result; nothing escapes. Results come out in registry
order (then connector order), however the jobs finished.
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from readiness import waivers
from readiness.check import CheckError, CheckSkipped, CheckSpec, Needs, Scope
from readiness.context import Context, Run
from readiness.model import Finding, Result, Status, errored, skipped
from readiness.registry import LoadProblem

if TYPE_CHECKING:
    import asyncio
    from typing import Protocol

    class Observer(Protocol):
        """Told when the jobs are planned and as each finishes (from either thread)."""

        def start(self, jobs: Sequence[Job]) -> None: ...

        def done(self, job: Job, results: list[Result]) -> None: ...


# Plain functions that wait (a blocking SDK call) run in a pool of this many threads.
MAX_WAITING_THREADS = 16
# A check may make several network operations in a row, each bounded by --timeout; the guard
# only catches a check that hangs outright.
GUARD_OPERATIONS = 6
GUARD_MINIMUM_SECONDS = 60.0


class Job(NamedTuple):
    spec: CheckSpec
    context: Context

    @property
    def _offline_part(self) -> bool:
        """A network or Azure check under --offline that does what it can without the
        network, as a plain function (the offline path never starts an event loop for it)."""
        return (
            self.spec.needs is not Needs.OFFLINE
            and self.context.offline
            and self.spec.offline is not None
        )

    @property
    def skipped_offline(self) -> bool:
        return (
            self.spec.needs is Needs.NETWORK and self.context.offline and self.spec.offline is None
        )

    @property
    def function(self) -> Callable[[Context], Any]:
        if self._offline_part and self.spec.offline is not None:
            return self.spec.offline
        return self.spec.function

    @property
    def waits(self) -> bool:
        """Whether the job spends its time waiting rather than computing."""
        if self.skipped_offline or self._offline_part:
            return False
        if self.spec.is_async:
            return True
        return self.spec.needs is not Needs.OFFLINE and not self.context.offline


def plan(specs: Sequence[CheckSpec], run: Run) -> list[Job]:
    jobs: list[Job] = []
    for spec in specs:
        if spec.scope is Scope.CONNECTOR:
            jobs.extend(Job(spec, run.context(c)) for c in run.deployment.connectors)
        else:
            jobs.append(Job(spec, run.context()))
    return jobs


def guard_seconds(run: Run) -> float:
    return max(GUARD_MINIMUM_SECONDS, run.deployment.timeout * GUARD_OPERATIONS)


def run_checks(
    specs: Sequence[CheckSpec],
    run: Run,
    *,
    load_problems: Sequence[LoadProblem] = (),
    progress: Observer | None = None,
) -> list[Result]:
    """Run the checks; return their results in a stable order, scrubbed and waived."""
    jobs = plan(specs, run)
    batches: list[list[Result] | None] = [None] * len(jobs)
    guard = guard_seconds(run)
    if progress is not None:
        progress.start(jobs)

    def finish(index: int, findings: list[Finding], elapsed: int) -> None:
        batches[index] = _results(jobs[index], findings, elapsed)
        if progress is not None:
            progress.done(jobs[index], batches[index] or [])

    waiting = frozenset(i for i, job in enumerate(jobs) if job.waits)
    background = _Background(jobs, waiting, guard, finish) if waiting else None
    if background is not None:
        background.start()
    try:
        for index, job in enumerate(jobs):
            if index in waiting:
                continue
            started = time.perf_counter()
            findings = _offline_skip() if job.skipped_offline else _run_sync(job)
            finish(index, findings, _ms_since(started))
        if background is not None:
            background.wait()
    finally:
        if background is not None:
            background.stop()
    for index, batch in enumerate(batches):
        if batch is None:
            message = f"the check did not finish within {guard:g} s"
            batches[index] = _results(jobs[index], [errored(message)], int(guard * 1000))
    results = [_scrub(r, run) for batch in batches for r in batch or []]
    results.extend(_load_problem_result(p) for p in load_problems)
    return waivers.apply(results, run.deployment.waivers, run.now.date())


def _ms_since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _offline_skip() -> list[Finding]:
    return [skipped("needs network access; skipped under --offline", because="offline")]


class _Background:
    """The waiting jobs, on one event loop in one daemon thread."""

    def __init__(
        self,
        jobs: Sequence[Job],
        indices: frozenset[int],
        guard: float,
        finish: Callable[[int, list[Finding], int], None],
    ) -> None:
        self.jobs = jobs
        self.indices = indices
        self.guard = guard
        self.finish = finish
        self.thread = threading.Thread(target=self._main, name="pxready-waiting", daemon=True)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.main_task: asyncio.Task[None] | None = None
        self.ready = threading.Event()
        self.done = threading.Event()
        self.run = jobs[min(indices)].context.run

    def start(self) -> None:
        self.thread.start()

    def wait(self) -> None:
        # Each job has its own guard; this only bounds a loop that does not come back.
        self.done.wait(self.guard * (1 + len(self.indices) // MAX_WAITING_THREADS) + 5)

    def stop(self) -> None:
        """Cancel what is still running (Ctrl-C, or a loop past every guard)."""
        if self.done.is_set() or not self.ready.wait(1):
            return
        loop, task = self.loop, self.main_task
        if loop is not None and task is not None:
            loop.call_soon_threadsafe(task.cancel)
            self.done.wait(2)

    def _main(self) -> None:
        import asyncio

        try:
            asyncio.run(self._all())
        finally:
            self.done.set()

    async def _all(self) -> None:
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        loop = asyncio.get_running_loop()
        loop.set_default_executor(
            ThreadPoolExecutor(MAX_WAITING_THREADS, thread_name_prefix="pxready-wait")
        )
        self.loop = loop
        self.main_task = asyncio.current_task()
        self.ready.set()
        try:
            await asyncio.gather(*(self._one(i) for i in sorted(self.indices)))
        finally:
            await self.run.aclose()

    async def _one(self, index: int) -> None:
        import asyncio

        job = self.jobs[index]
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.guard):
                if inspect.iscoroutinefunction(job.function) or inspect.isasyncgenfunction(
                    job.function
                ):
                    findings = await _collect_async(job)
                else:
                    findings = await asyncio.to_thread(_run_sync, job)
        except TimeoutError:
            findings = [errored(f"the check did not finish within {self.guard:g} s")]
        except CheckSkipped as skip:
            findings = [skipped(skip.reason, target=skip.target, because=skip.because)]
        except CheckError as error:
            findings = [errored(error.reason, target=error.target)]
        except Exception as exc:
            findings = [_bug(job.spec, exc)]
        self.finish(index, findings, _ms_since(started))


def _run_sync(job: Job) -> list[Finding]:
    try:
        return _as_list(job.function(job.context))
    except CheckSkipped as skip:
        return [skipped(skip.reason, target=skip.target, because=skip.because)]
    except CheckError as error:
        return [errored(error.reason, target=error.target)]
    except Exception as exc:
        return [_bug(job.spec, exc)]


async def _collect_async(job: Job) -> list[Finding]:
    outcome = job.function(job.context)
    if inspect.isasyncgen(outcome):
        return _as_list([finding async for finding in outcome])
    return _as_list(await outcome)


def _bug(spec: CheckSpec, exc: BaseException) -> Finding:
    return errored(
        f"{type(exc).__name__} in check {spec.id}: this is a bug in the check, not a "
        f"finding about the deployment; please report it ({_one_line(exc)})"
    )


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


def _results(job: Job, findings: list[Finding], elapsed: int) -> list[Result]:
    if not findings:
        findings = [skipped("nothing to check")]
    default: str | None = None
    results = []
    for finding in findings:
        target = finding.target
        if target is None:
            default = default if default is not None else _target(job.context)
            target = default
        results.append(_result(job, finding, target, elapsed))
    return results


def _target(ctx: Context) -> str:
    try:
        return ctx.default_target
    except Exception:  # a broken script must not hide the result it explains
        return "deployment"


def _result(job: Job, finding: Finding, target: str, elapsed: int) -> Result:
    spec, connector = job.spec, job.context.connector
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
        because=finding.because,
        connector=connector.position if connector is not None else None,
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


def _scrub(result: Result, run: Run) -> Result:
    secrets = run.secrets
    return result._replace(
        message=secrets.scrub_text(result.message),
        remediation=secrets.scrub_text(result.remediation),
        target=secrets.scrub_text(result.target),
        details=secrets.scrub(result.details),
    )
