"""The result model: statuses, findings, results and the report, with the exit code derived here.

Everything a reporter shows and everything the exit code depends on is computed from these
frozen values, in one place, so that `ready` in a report and the process exit code can never
disagree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from enum import StrEnum
from types import MappingProxyType
from typing import Any, NamedTuple

from readiness.exitcodes import ExitCode

# The default of every mapping field: shared, so it must never change.
EMPTY: Mapping[str, Any] = MappingProxyType({})


class Status(StrEnum):
    """The verdict of one result. The order is the order of severity for display."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"
    SKIP = "skip"


STATUS_ORDER: tuple[Status, ...] = (
    Status.FAIL,
    Status.ERROR,
    Status.WARN,
    Status.SKIP,
    Status.PASS,
)


class FailOn(StrEnum):
    FAIL = "fail"
    WARN = "warn"


class Location(NamedTuple):
    """Where in the user's files a result points (a variables-script line, a certificate file)."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class Finding(NamedTuple):
    """What a check says about one target. The runner turns it into a `Result`."""

    status: Status
    message: str
    target: str | None = None
    details: Mapping[str, Any] = EMPTY
    location: Location | None = None
    # Replaces the check's general remediation when the fix depends on what was found.
    remediation: str | None = None
    # For a skip: why, in a few words, to group what was not checked ("offline").
    because: str | None = None


def passed(message: str, **kw: Any) -> Finding:
    return Finding(Status.PASS, message, **kw)


def warned(message: str, **kw: Any) -> Finding:
    return Finding(Status.WARN, message, **kw)


def failed(message: str, **kw: Any) -> Finding:
    return Finding(Status.FAIL, message, **kw)


def errored(message: str, **kw: Any) -> Finding:
    return Finding(Status.ERROR, message, **kw)


def skipped(message: str, **kw: Any) -> Finding:
    return Finding(Status.SKIP, message, **kw)


class Waived(NamedTuple):
    reason: str
    expires: dt.date


class Result(NamedTuple):
    id: str
    title: str
    status: Status
    target: str
    message: str
    remediation: str
    reference: str
    area: str
    details: Mapping[str, Any] = EMPTY
    duration_ms: int = 0
    location: Location | None = None
    waived: Waived | None = None
    because: str | None = None  # a skip's reason in a few words (see Finding)
    # Which connector (its position in inputs.connectors) a connector-scoped result is about.
    connector: int | None = None


class Verdict(NamedTuple):
    """How the results are judged: the options that turn statuses into an exit code."""

    fail_on: FailOn = FailOn.FAIL
    strict: bool = False


def exit_code_for(results: Sequence[Result], verdict: Verdict) -> ExitCode:
    """The contract's exit-code table. Waived results do not count."""
    counted = Counter(r.status for r in results if r.waived is None)
    if counted[Status.FAIL] or (verdict.fail_on is FailOn.WARN and counted[Status.WARN]):
        return ExitCode.NOT_READY
    if verdict.strict and (counted[Status.ERROR] or counted[Status.SKIP]):
        return ExitCode.NOT_READY
    if counted[Status.ERROR]:
        return ExitCode.INCONCLUSIVE
    return ExitCode.READY


def nothing_checked(results: Sequence[Result]) -> bool:
    """Whether no check reached a verdict: every result a skip, or no result at all."""
    return all(r.status is Status.SKIP for r in results)


class NotChecked(NamedTuple):
    """A selected check whose every result is a skip: it said nothing about the deployment."""

    id: str
    reason: str  # the skip's message
    because: str  # the same in a few words, to group ("offline", "not applicable")


def not_checked(results: Sequence[Result]) -> list[NotChecked]:
    by_id: dict[str, list[Result]] = {}
    for result in results:
        by_id.setdefault(result.id, []).append(result)
    found = []
    for check_id, own in by_id.items():
        if all(r.status is Status.SKIP for r in own):
            because = own[0].because or "not applicable"
            found.append(NotChecked(check_id, own[0].message, because))
    return found


def not_checked_summary(entries: Sequence[NotChecked], results: Sequence[Result]) -> str:
    """`9 (offline: aia.redirect, dns.*, tls.node; no Azure evidence: azure.*)`: ids grouped by
    why, an area's ids written `area.*` when none of its checks was checked (`area.* except x`
    when all but a few were not checked for the same reason)."""
    groups: dict[str, list[str]] = {}
    for entry in entries:
        groups.setdefault(entry.because, []).append(entry.id)
    areas: dict[str, set[str]] = {}
    for result in results:
        areas.setdefault(result.area, set()).add(result.id)
    unchecked = {entry.id for entry in entries}
    parts = []
    for because, ids in groups.items():
        shown: list[str] = []
        for check_id in ids:
            area = check_id.split(".", 1)[0]
            members = areas.get(area, set())
            in_group = members & set(ids)
            if len(members) > 1 and members <= set(ids):
                collapsed = f"{area}.*"
            elif len(in_group) >= 3 and members <= unchecked:
                collapsed = f"{area}.* except {', '.join(sorted(members - in_group))}"
            else:
                shown.append(check_id)
                continue
            if collapsed not in shown:
                shown.append(collapsed)
        parts.append(f"{because}: {', '.join(shown)}")
    return f"{len(entries)} ({'; '.join(parts)})"


def blocks_readiness(result: Result, verdict: Verdict) -> bool:
    """Whether this result alone makes the deployment not ready (waivers, --fail-on and
    --strict included): the one rule every format uses to colour a result."""
    return exit_code_for((result,), verdict) is not ExitCode.READY


class ConnectorInputs(NamedTuple):
    """What the report says about one connector's inputs. Never a secret."""

    vars: str | None = None
    connector_fqdn: str | None = None
    azure_location: str | None = None
    instance_count: int | None = None
    name: str | None = None
    pfx: str | None = None

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "vars": self.vars,
            "connector_fqdn": self.connector_fqdn,
            "azure_location": self.azure_location,
            "instance_count": self.instance_count,
        }
        if self.name is not None:
            doc["name"] = self.name
        if self.vars is not None or self.pfx is not None:
            doc["pfx"] = self.pfx
        return doc


class ReportInputs(NamedTuple):
    """What was checked: the report's `inputs`. The first connector's fields stand at the top
    (most deployments have one); every connector is listed in `connectors`."""

    connectors: tuple[ConnectorInputs, ...] = ()
    offline: bool = False
    config: str | None = None
    at: str | None = None
    node_certificates: tuple[str, ...] = ()
    # Facts that checks add (certificate subjects and fingerprints, say), by section.
    contributed: Mapping[str, tuple[Mapping[str, Any], ...]] = EMPTY

    @property
    def first(self) -> ConnectorInputs:
        return self.connectors[0] if self.connectors else ConnectorInputs()

    @property
    def connector_fqdn(self) -> str | None:
        return self.first.connector_fqdn

    def labels(self) -> tuple[str, ...]:
        """A short name per connector that tells them apart: its `name`, else its script's
        folder (one folder per region), else its script's file name, else its position."""
        folders = [_folder(c.vars) for c in self.connectors]
        labels = []
        for position, connector in enumerate(self.connectors):
            folder = folders[position]
            if connector.name:
                labels.append(connector.name)
            elif folder and folders.count(folder) == 1:
                labels.append(folder)
            elif connector.vars:
                labels.append(connector.vars)
            else:
                labels.append(f"connector {position + 1}")
        return tuple(labels)

    def label(self, result: Result) -> str | None:
        """Which connector a result is about, when there is more than one to tell apart."""
        if result.connector is None or len(self.connectors) < 2:
            return None
        labels = self.labels()
        return labels[result.connector] if result.connector < len(labels) else None

    def about(self, result: Result, *, own_target: bool = False) -> str | None:
        """What a result is about, for a reader: its connector's label when there are several,
        and its target unless that is merely the connector's own name (`own_target` keeps it)."""
        label = self.label(result)
        own = self.connector_fqdn
        if result.connector is not None and result.connector < len(self.connectors):
            own = self.connectors[result.connector].connector_fqdn
        target = result.target if result.target and (own_target or result.target != own) else None
        if target and result.message.startswith(target):
            target = None  # the message names it first already
        if label and target:
            return f"{label} · {target}"
        return label or target

    @property
    def vars(self) -> str | None:
        return self.first.vars

    @property
    def azure_location(self) -> str | None:
        return self.first.azure_location

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            **self.first.document(),
            "offline": self.offline,
            "config": self.config,
            "at": self.at,
            "node_certificates": list(self.node_certificates),
            "connectors": [c.document() for c in self.connectors],
        }
        for section, items in self.contributed.items():
            doc.setdefault(section, [dict(item) for item in items])
        return doc


class Report(NamedTuple):
    tool_version: str
    generated_at: dt.datetime
    inputs: ReportInputs
    results: tuple[Result, ...]
    verdict: Verdict = Verdict()
    notes: tuple[str, ...] = ()

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(r.status for r in self.results)
        return {s.value: counts[s] for s in Status}

    @property
    def exit_code(self) -> ExitCode:
        code = exit_code_for(self.results, self.verdict)
        if code is ExitCode.READY and nothing_checked(self.results):
            # A run that checked nothing is never ready.
            return ExitCode.NOT_READY if self.verdict.strict else ExitCode.INCONCLUSIVE
        return code

    @property
    def nothing_checked(self) -> bool:
        return nothing_checked(self.results)

    @property
    def not_checked(self) -> list[NotChecked]:
        return not_checked(self.results)

    def not_checked_text(self) -> str | None:
        """`not checked: 9 (offline: …)` for verdict lines, or None when everything was."""
        entries = self.not_checked
        return f"not checked: {not_checked_summary(entries, self.results)}" if entries else None

    @property
    def ready(self) -> bool:
        return self.exit_code is ExitCode.READY

    def by_area(self) -> dict[str, list[Result]]:
        areas: dict[str, list[Result]] = {}
        for result in self.results:
            areas.setdefault(result.area, []).append(result)
        return areas


def _folder(path: str | None) -> str | None:
    """The folder part of a displayed path ('eu/variables.ps1' → 'eu'), either separator."""
    if not path:
        return None
    parts = path.replace("\\", "/").rsplit("/", 1)
    return parts[0] if len(parts) == 2 and parts[0] not in ("", ".") else None
