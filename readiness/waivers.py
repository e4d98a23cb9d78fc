"""Waivers: a known finding accepted, with a reason, until a date (`[[waiver]]` in pxready.toml).

A waived result keeps its status, carries the waiver, and does not count towards the exit
code. A waiver applies through its `expires` day (UTC); after that the result counts again and
says that its waiver expired. A waiver that matches no result is noted, so stale ones show.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from readiness.model import Result, Status, Waived

KEYS = frozenset({"id", "target", "reason", "expires"})


class Waiver(NamedTuple):
    id: str  # a check id or glob
    reason: str
    expires: dt.date
    target: str | None = None
    line: int | None = None

    def matches(self, check_id: str, target: str) -> bool:
        if not fnmatch.fnmatchcase(check_id, self.id):
            return False
        return self.target is None or self.target.rstrip(".").lower() == target.rstrip(".").lower()

    def active_on(self, day: dt.date) -> bool:
        return day <= self.expires


def parse(table: Mapping[str, Any], line: int | None) -> tuple[Waiver | None, list[str]]:
    """One `[[waiver]]` table → a waiver, or the problems that make it unusable."""
    missing = [k for k in ("id", "reason", "expires") if k not in table]
    if missing:
        return None, [
            f"[[waiver]] needs {', '.join(missing)} (id, reason and expires are required)"
        ]
    problems = []
    wid, reason, target = table["id"], table["reason"], table.get("target")
    expires = _date(table["expires"])
    if expires is None:
        problems.append("waiver 'expires' must be a date such as 2027-03-01")
    if not isinstance(wid, str) or not wid.strip():
        problems.append("waiver 'id' must be a check id or glob")
    if not isinstance(reason, str) or not reason.strip():
        problems.append("waiver 'reason' must say why the finding is accepted")
    if target is not None and (not isinstance(target, str) or not target.strip()):
        problems.append("waiver 'target' must be a non-empty string")
    if problems or expires is None:
        return None, problems
    return Waiver(
        wid.strip(), reason.strip(), expires, target.strip() if target else None, line
    ), []


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def apply(results: Sequence[Result], waivers: Sequence[Waiver], today: dt.date) -> list[Result]:
    """Mark results that an active waiver accepts; say so where a waiver has expired."""
    out = []
    for result in results:
        matching = [w for w in waivers if w.matches(result.id, result.target)]
        if result.status is Status.PASS or not matching:
            out.append(result)
            continue
        active = next((w for w in matching if w.active_on(today)), None)
        if active is not None:
            out.append(result._replace(waived=Waived(active.reason, active.expires)))
            continue
        waiver = max(matching, key=lambda w: w.expires)
        details = dict(result.details)
        details["expired_waiver"] = {"reason": waiver.reason, "expires": waiver.expires.isoformat()}
        out.append(
            result._replace(
                message=f"{result.message} (the waiver for this expired on "
                f"{waiver.expires.isoformat()} and no longer applies)",
                details=details,
            )
        )
    return out


def unused(results: Sequence[Result], waivers: Sequence[Waiver]) -> list[str]:
    notes = []
    for waiver in waivers:
        if not any(waiver.matches(r.id, r.target) for r in results):
            where = f" (pxready.toml line {waiver.line})" if waiver.line else ""
            target = f" on {waiver.target}" if waiver.target else ""
            notes.append(f"the waiver for {waiver.id}{target}{where} matched no result")
    return notes
