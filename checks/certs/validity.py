"""Validity windows of a leaf and its intermediates at the evaluation time (`--at`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from checks.certs import Verdict
from readiness.model import Status

if TYPE_CHECKING:
    from cryptography import x509


def _day(moment: dt.datetime) -> str:
    return (
        moment.strftime("%Y-%m-%d %H:%M UTC")
        if (moment.hour or moment.minute)
        else moment.strftime("%Y-%m-%d")
    )


def judge(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    at: dt.datetime,
    warning_days: int,
) -> Verdict:
    """Worst of: not yet valid or expired (fail), expiring within `warning_days` (warn)."""
    at = at.astimezone(dt.UTC)
    rows = [("the certificate", leaf)] + [
        (f"the intermediate {c.subject.rfc4514_string()}", c) for c in intermediates
    ]
    failures: list[str] = []
    warnings: list[tuple[dt.datetime, str]] = []
    details: list[dict[str, Any]] = []
    for role, cert in rows:
        start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
        left = end - at
        entry: dict[str, Any] = {
            "subject": cert.subject.rfc4514_string(),
            "not_before": start.isoformat(),
            "not_after": end.isoformat(),
        }
        if at < start:
            failures.append(f"{role} is not valid until {_day(start)}")
            entry["state"] = "not yet valid"
        elif at > end:
            failures.append(f"{role} expired on {_day(end)}")
            entry["state"] = "expired"
        elif left <= dt.timedelta(days=warning_days):
            days = left.days
            when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
            warnings.append((end, f"{role} expires {when} ({_day(end)})"))
            entry["state"] = "expiring"
        else:
            entry["state"] = "valid"
        details.append(entry)
    info = {"at": at.isoformat(), "warning_days": warning_days, "certificates": details}
    if failures:
        return Verdict(Status.FAIL, f"at {_day(at)}: " + "; ".join(failures), info)
    if warnings:
        warnings.sort()
        return Verdict(
            Status.WARN,
            "; ".join(w for _, w in warnings) + f" (within the {warning_days}-day warning window)",
            info,
        )
    end = leaf.not_valid_after_utc
    message = f"valid at {_day(at)}, until {_day(end)}"
    if intermediates:
        first = min(c.not_valid_after_utc for c in intermediates)
        message += f"; its intermediates until at least {_day(first)}"
    return Verdict(Status.PASS, message, info)
