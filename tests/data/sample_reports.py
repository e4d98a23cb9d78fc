"""Hand-built reports for the format tests: every status, waivers, locations and hostile text.

Real runs (tests/conftest.py's `deployment`) cannot produce an `error` or a waived warning on
demand offline; these reports can, and they carry the characters that break naive writers.
"""

from __future__ import annotations

import datetime as dt

from readiness.model import (
    ConnectorInputs,
    FailOn,
    Location,
    Report,
    ReportInputs,
    Result,
    Status,
    Verdict,
    Waived,
)

FQDN = "pexip-teamsconn-eu.teams.example.com"
HOSTILE_TARGET = "edge|pool <b>01</b> & *x*"
NOW = dt.datetime(2026, 11, 26, 18, 0, tzinfo=dt.UTC)
CERTIFICATE = {
    "role": "Teams Connector",
    "file": "eu/pexip-teams.pfx",
    "subject": "CN=pexip-teamsconn-eu.teams.example.com,O=Contoso|Ltd",
    "issuer": "CN=pxready Test TLS CA 1",
    "not_after": "2036-01-01T00:00:00+00:00",
    "sha1_thumbprint": "0123456789ABCDEF0123456789ABCDEF01234567",
}


def result(check_id: str, status: Status, message: str, **kw: object) -> Result:
    fields: dict[str, object] = {
        "title": f"Title of {check_id}",
        "target": FQDN,
        "remediation": f"Fix {check_id}.",
        "reference": "Pexip Teams Connector planning guide",
        "area": check_id.split(".")[0],
        "duration_ms": 12,
    }
    fields.update(kw)
    return Result(id=check_id, status=status, message=message, **fields)  # type: ignore[arg-type]


def every_status(verdict: Verdict | None = None) -> Report:
    results = (
        result(
            "vars.parse",
            Status.PASS,
            "read 9 $Px variables (UTF-8)",
            location=Location("eu/variables.ps1"),
        ),
        result(
            "vars.naming",
            Status.FAIL,
            "base name 'contosoltd' has 10 characters | max 9",
            location=Location("eu/variables.ps1", 1),
            remediation="Shorten $PxBaseConnName:\n- at most 9 characters\n- a-z0-9 only\n\n"
            "The scale set name <details> is derived | from it.",
        ),
        result(
            "connector-cert.eku",
            Status.FAIL,
            "EKU has serverAuth only; clientAuth missing",
            location=Location("eu/pexip-teams.pfx"),
            waived=Waived("clientAuth not needed | case 01234 & <ok>", dt.date(2027, 3, 1)),
        ),
        result("dns.connector-cname", Status.WARN, "no CNAME record yet\nsecond line"),
        result(
            "azure.quota", Status.ERROR, "Azure answered 503 \x07 after 10 s", target="westeurope"
        ),
        result(
            "tls.node",
            Status.SKIP,
            "needs network (--offline)",
            target=HOSTILE_TARGET,
            because="offline",
        ),
        result(
            "node-cert.validity",
            Status.WARN,
            "expires in 20 days",
            target="px-edge-pool.vc.example.com",
            location=Location("certs/edge.pem"),
            waived=Waived("renewal booked", dt.date(2026, 12, 31)),
        ),
        result("azure.region", Status.PASS, "westeurope is an Azure region", target="westeurope"),
    )
    return Report(
        tool_version="0.1.0",
        generated_at=NOW,
        inputs=ReportInputs(
            connectors=(
                ConnectorInputs(
                    vars="eu/variables.ps1",
                    connector_fqdn=FQDN,
                    azure_location="westeurope",
                    instance_count=3,
                ),
            ),
            offline=True,
            config="pxready.toml",
            at="2026-11-26T18:00:00Z",
            node_certificates=("certs/edge.pem",),
            contributed={"certificates": (CERTIFICATE,)},
        ),
        results=results,
        verdict=verdict or Verdict(),
        notes=("waiver for 'azure.bot-name' matched no result | check its id",),
    )


def all_pass() -> Report:
    report = every_status()
    return Report(
        tool_version=report.tool_version,
        generated_at=NOW,
        inputs=report.inputs,
        results=tuple(r for r in report.results if r.status is Status.PASS),
    )


VERDICTS = {
    "default": Verdict(),
    "fail-on-warn": Verdict(fail_on=FailOn.WARN),
    "strict": Verdict(strict=True),
}
