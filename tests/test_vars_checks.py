"""The vars.* checks end to end, through the real command, on deployments written by the tests."""

from __future__ import annotations

import codecs
from typing import Any

import pytest

from tests.support.cli import GOOD_VARS, Deployment, Run

VARS_CHECKS = (
    "vars.parse",
    "vars.required",
    "vars.naming",
    "vars.fqdn",
    "vars.prefixes",
    "vars.secrets",
    "vars.admin-account",
    "vars.consent-access",
)
FQDN = "pexip-teamsconn-eu.teams.example.com"


def with_vars(text: str, **changes: str | None) -> str:
    """GOOD_VARS with some right-hand sides replaced (None deletes the line)."""
    lines = []
    for line in text.splitlines():
        name = line.split("=", 1)[0].strip().lstrip("$")
        if name in changes:
            if changes[name] is not None:
                lines.append(f"${name} = {changes[name]}")
        else:
            lines.append(line)
    missing = {k: v for k, v in changes.items() if v is not None and f"${k} " not in text}
    lines.extend(f"${k} = {v}" for k, v in missing.items())
    return "\n".join(lines) + "\n"


def check(deployment: Deployment, text: str, *args: str, encoding: str = "utf-8") -> Run:
    deployment.vars(text, encoding=encoding)
    run = deployment.checks(
        "--vars", "variables.ps1", "--format", "json", "--offline", "--only", "vars.*", *args
    )
    assert run.code in (0, 1), run.stderr
    return run


def line_of(text: str, name: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(f"${name} "):
            return number
    raise AssertionError(name)


def test_good_script_passes_every_vars_check(deployment: Deployment) -> None:
    text = with_vars(GOOD_VARS, PxWinAdminUser='"pexadmin"')
    run = check(deployment, text, "--consent-from", "203.0.113.10")
    statuses = {r["id"]: r["status"] for r in run.json()["results"]}
    assert statuses == dict.fromkeys(VARS_CHECKS, "pass")
    assert run.code == 0
    assert run.json()["ready"] is True
    assert {r["target"] for r in run.json()["results"]} == {FQDN}


def test_a_fail_is_exit_1(deployment: Deployment) -> None:
    run = check(deployment, with_vars(GOOD_VARS, PxBaseConnName='"contoso-x"'))
    assert run.result("vars.naming")["status"] == "fail"
    assert run.code == 1
    assert run.json()["ready"] is False


def test_missing_vars_file_is_exit_2(deployment: Deployment) -> None:
    run = deployment.checks("--vars", "nope.ps1", "--offline", "--format", "json")
    assert run.code == 2
    assert run.stdout == ""
    assert "nope.ps1" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert "Traceback" not in run.stderr


# -- vars.parse ------------------------------------------------------------------------------


def test_parse_lists_ignored_statements_and_passes(deployment: Deployment) -> None:
    text = "Connect-AzAccount\n" + GOOD_VARS + "Set-AzContext -Subscription $PxSubscriptionId\n"
    result = check(deployment, text).result("vars.parse")
    assert result["status"] == "pass"
    ignored = result["details"]["ignored_statements"]
    assert ignored == [
        {"line": 1, "statement": "Connect-AzAccount"},
        {"line": GOOD_VARS.count("\n") + 2, "statement": "Set-AzContext"},
    ]


@pytest.mark.parametrize(
    ("broken", "construct"),
    [('"contoso', '"'), ("'contoso", "'"), ('@("a",', "@("), ("1 <# note", "<#")],
    ids=["double quote", "single quote", "array", "block comment"],
)
def test_parse_fail_names_the_line_and_other_checks_skip(
    deployment: Deployment, broken: str, construct: str
) -> None:
    # On the last line: PowerShell pairs a '"' with the next one even lines further on.
    text = with_vars(GOOD_VARS, PxNodesSourceAddressPrefixes=broken)
    run = check(deployment, text)
    parse = run.result("vars.parse")
    line = line_of(text, "PxNodesSourceAddressPrefixes")
    assert parse["status"] == "fail"
    assert f"line {line}" in parse["message"]
    assert construct in parse["message"]
    assert parse["location"] == {"path": "variables.ps1", "line": line}
    # The FQDN is unknown while the script does not read: results name the script.
    assert parse["target"] == "variables.ps1"
    for check_id in VARS_CHECKS[1:]:
        result = run.result(check_id)
        if check_id == "vars.secrets":
            continue  # looks at the text even when it does not parse
        assert result["status"] == "skip", check_id
        assert f"line {line}" in result["message"]
    assert run.code == 1


def test_binary_file_fails_parse(deployment: Deployment) -> None:
    (deployment.root / "variables.ps1").write_bytes(bytes(range(256)))
    run = deployment.checks("--vars", "variables.ps1", "--format", "json", "--offline")
    parse = run.result("vars.parse")
    assert parse["status"] == "fail"
    assert "not readable text" in parse["message"]
    assert run.result("vars.required")["status"] == "skip"
    assert run.code == 1


def results_by_id(run: Run) -> dict[str, tuple[str, str, Any]]:
    return {
        r["id"]: (r["status"], r["message"].split(" (")[0], (r.get("location") or {}).get("line"))
        for r in run.json()["results"]
        if r["id"] != "vars.parse"
    }


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-8", codecs.BOM_UTF8)],
    ids=["UTF-16 LE BOM", "UTF-8 BOM"],
)
def test_windows_encodings_read_the_same(deployment: Deployment, encoding: str, bom: bytes) -> None:
    text = with_vars(GOOD_VARS, PxBaseConnName='"Contoso"', PxWinAdminUser='"admin"')
    plain = check(deployment, text)
    (deployment.root / "variables.ps1").write_bytes(
        bom + text.replace("\n", "\r\n").encode(encoding)
    )
    windows = deployment.checks(
        "--vars", "variables.ps1", "--format", "json", "--offline", "--only", "vars.*"
    )
    assert results_by_id(windows) == results_by_id(plain)
    assert windows.result("vars.naming")["location"]["line"] == 1
    assert "with BOM" in windows.result("vars.parse")["message"]


# -- vars.required ---------------------------------------------------------------------------


def test_required_names_missing_and_empty(deployment: Deployment) -> None:
    text = with_vars(GOOD_VARS, PxSubscriptionId=None, PxAzureLocation='""', PxNodeFqdns="@()")
    result = check(deployment, text).result("vars.required")
    assert result["status"] == "fail"
    assert "$PxSubscriptionId" in result["message"]
    assert "$PxAzureLocation" in result["message"]
    assert "$PxNodeFqdns" in result["message"]
    assert result["location"]["line"] == line_of(text, "PxNodeFqdns")


def test_required_pfx_variable_may_come_from_the_config(deployment: Deployment) -> None:
    text = with_vars(GOOD_VARS, PxPfxCertFileName=None)
    without = check(deployment, text).result("vars.required")
    assert without["status"] == "fail" and "$PxPfxCertFileName" in without["message"]
    deployment.write("pexip.pfx", "not really a pfx")
    given = check(deployment, text, "--pfx", "pexip.pfx").result("vars.required")
    assert given["status"] == "pass"


def test_required_unevaluable_value_warns_with_its_line(deployment: Deployment) -> None:
    text = with_vars(GOOD_VARS, PxSubscriptionId="Read-Host 'Subscription'")
    result = check(deployment, text).result("vars.required")
    assert result["status"] == "warn"
    assert "Read-Host" in result["message"]
    assert result["location"]["line"] == line_of(text, "PxSubscriptionId")


def test_required_suggests_the_line_to_add_and_the_misspelt_name(deployment: Deployment) -> None:
    text = with_vars(GOOD_VARS, PxAzureLocation=None).replace("$PxTeamsConnFqdn", "$PxTeamConnFqdn")
    result = check(deployment, text).result("vars.required")
    assert result["status"] == "fail"
    line = line_of(text, "PxTeamConnFqdn")
    assert (
        f"$PxTeamsConnFqdn is not set; line {line} sets $PxTeamConnFqdn: did you mean "
        "$PxTeamsConnFqdn?" in result["message"]
    )
    assert '$PxAzureLocation is not set: add `$PxAzureLocation = "westeurope"`' in result["message"]
    assert result["location"]["line"] == line


@pytest.mark.parametrize("name", ["PxSubscriptionId", "PxAzureTenantId"])
@pytest.mark.parametrize(
    ("value", "status"),
    [
        ('"0000-not-a-guid"', "fail"),
        ('"{6f1c1b9e-3d2a-4a8e-9f7b-1c2d3e4f5a6b}"', "fail"),
        ('"6F1C1B9E-3D2A-4A8E-9F7B-1C2D3E4F5A6B"', "pass"),
    ],
)
def test_subscription_and_tenant_ids_must_be_guids(
    deployment: Deployment, name: str, value: str, status: str
) -> None:
    text = with_vars(GOOD_VARS, **{name: value})
    result = check(deployment, text).result("vars.required")
    assert result["status"] == status, result["message"]
    if status == "fail":
        assert f"${name} {value.strip(chr(34)).join(chr(39) * 2)}" in result["message"]
        assert "is not a GUID" in result["message"]
        assert result["location"]["line"] == line_of(text, name)


# -- vars.naming -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "region", "status", "words", "line_of_var"),
    [
        ('"contoso"', '"eu"', "pass", "contosoeu", None),
        ('"abcdefghij"', '"eu"', "fail", "10 characters", "PxBaseConnName"),
        ('"con-toso"', '"eu"', "fail", "'-'", "PxBaseConnName"),
        ('"con toso"', '"eu"', "fail", "a space", "PxBaseConnName"),
        ('"Contoso"', '"eu"', "fail", "lower case", "PxBaseConnName"),
        ('"contoso "', '"eu"', "fail", "a space", "PxBaseConnName"),
        ('"contoso"', '"eu1"', "fail", "'1'", "PxVmssRegion"),
        ('"contoso"', '"EU"', "fail", "lower case", "PxVmssRegion"),
        ('"a"', '"b"', "fail", "2 characters", "PxVmssRegion"),
        ('"contoso12"', '"westeu"', "fail", "15 characters", "PxVmssRegion"),
        ('"ab"', '"c"', "pass", "abc", None),
        ('"contoso12"', '"weste"', "pass", "contoso12weste", None),
    ],
)
def test_naming_rules(
    deployment: Deployment, base: str, region: str, status: str, words: str, line_of_var: str | None
) -> None:
    text = with_vars(GOOD_VARS, PxBaseConnName=base, PxVmssRegion=region)
    result = check(deployment, text).result("vars.naming")
    assert result["status"] == status, result["message"]
    assert words in result["message"]
    assert len(result["message"].splitlines()) == 1
    if line_of_var:
        assert result["location"]["line"] == line_of(text, line_of_var)


# -- vars.fqdn -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("connector", "nodes", "status", "words"),
    [
        (f'"{FQDN}"', '"a.example.com,b.example.com"', "pass", "3 names"),
        (f'"{FQDN}."', '"a.example.com"', "pass", "2 names"),
        ('"pexip_teams.example.com"', '"a.example.com"', "fail", "underscore"),
        ('"pexipteams"', '"a.example.com"', "fail", "single label"),
        (f'"{"a" * 64}.example.com"', '"a.example.com"', "fail", "64 characters"),
        ('"203.0.113.7"', '"a.example.com"', "fail", "IP address"),
        ('"*.teams.example.com"', '"a.example.com"', "fail", "wildcard"),
        (f'"{FQDN}"', '"a.example.com, node_2.example.com"', "fail", "'node_2.example.com'"),
        (f'"{FQDN}"', '"a.example.com,,b.example.com"', "warn", "empty entry"),
        (f'"{FQDN}"', '@("a.example.com", "b.example.com")', "warn", "array"),
    ],
)
def test_fqdn_rules(
    deployment: Deployment, connector: str, nodes: str, status: str, words: str
) -> None:
    text = with_vars(GOOD_VARS, PxTeamsConnFqdn=connector, PxNodeFqdns=nodes)
    result = check(deployment, text).result("vars.fqdn")
    assert result["status"] == status, result["message"]
    assert words in result["message"]
    if status == "fail":
        wrong = "PxNodeFqdns" if "node_2" in words else "PxTeamsConnFqdn"
        assert result["location"]["line"] == line_of(text, wrong)


def test_fqdn_trailing_dot_is_normalised_in_the_target(deployment: Deployment) -> None:
    text = with_vars(GOOD_VARS, PxTeamsConnFqdn=f'"{FQDN.upper()}."')
    run = check(deployment, text)
    assert run.result("vars.fqdn")["status"] == "pass"
    assert {r["target"] for r in run.json()["results"]} == {FQDN}


# -- vars.prefixes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mgmt", "nodes", "status", "words", "where"),
    [
        ('@("203.0.113.10", "198.51.100.0/24")', '@("192.0.2.20")', "pass", "3 address", None),
        (
            '@("203.0.113.0/33")',
            '@("192.0.2.20")',
            "fail",
            "'203.0.113.0/33'",
            "PxMgmtSrcAddrPrefixes",
        ),
        ('@("2001:db8::/32")', '@("192.0.2.20")', "fail", "IPv6", "PxMgmtSrcAddrPrefixes"),
        ('@("0.0.0.0/0")', '@("192.0.2.20")', "fail", "RDP", "PxMgmtSrcAddrPrefixes"),
        ('@("*")', '@("192.0.2.20")', "fail", "RDP", "PxMgmtSrcAddrPrefixes"),
        ('@("Internet")', '@("192.0.2.20")', "fail", "RDP", "PxMgmtSrcAddrPrefixes"),
        ('@("Any")', '@("192.0.2.20")', "fail", "RDP", "PxMgmtSrcAddrPrefixes"),
        (
            '@("203.0.113.10")',
            '@("0.0.0.0/0")',
            "warn",
            "every address",
            "PxNodesSourceAddressPrefixes",
        ),
        (
            '@("203.0.113.10")',
            '@("Internet")',
            "warn",
            "every address",
            "PxNodesSourceAddressPrefixes",
        ),
        ('@("203.0.113.10")', "@()", "warn", "is empty", "PxNodesSourceAddressPrefixes"),
        ('@("203.0.113.10")', None, "warn", "not set", None),
        ("@()", '@("192.0.2.20")', "pass", "1 address", None),
        (
            '@("192.0.2.20", "not-an-ip")',
            '@("192.0.2.20")',
            "fail",
            "'not-an-ip'",
            "PxMgmtSrcAddrPrefixes",
        ),
    ],
)
def test_prefix_rules(
    deployment: Deployment, mgmt: str, nodes: str | None, status: str, words: str, where: str | None
) -> None:
    text = with_vars(GOOD_VARS, PxMgmtSrcAddrPrefixes=mgmt, PxNodesSourceAddressPrefixes=nodes)
    result = check(deployment, text).result("vars.prefixes")
    assert result["status"] == status, result["message"]
    assert words in result["message"]
    if where:
        assert result["location"]["line"] == line_of(text, where)


def test_prefix_problems_are_reported_once_and_warnings_apart(deployment: Deployment) -> None:
    text = with_vars(
        GOOD_VARS,
        PxMgmtSrcAddrPrefixes='@( "203.0.113.10", "not-an-ip" )',
        PxNodesSourceAddressPrefixes='@( "10.1.2.3" ) + $PxMgmtSrcAddrPrefixes',
    )
    results = check(deployment, text).results("vars.prefixes")
    by_status = {r["status"]: r for r in results}
    assert sorted(by_status) == ["fail", "warn"]
    fail, warn = by_status["fail"], by_status["warn"]
    assert fail["message"].count("not-an-ip") == 1
    assert "$PxNodesSourceAddressPrefixes" not in fail["message"]
    assert fail["location"]["line"] == line_of(text, "PxMgmtSrcAddrPrefixes")
    assert "10.1.2.3" in warn["message"] and "not-an-ip" not in warn["message"]
    assert warn["location"]["line"] == line_of(text, "PxNodesSourceAddressPrefixes")


# -- vars.secrets and vars.admin-account -----------------------------------------------------

PASSWORD = "Tr0ub4dor-Horse-93"


@pytest.mark.parametrize(
    "written",
    [
        f'"{PASSWORD}"',
        f"'{PASSWORD}'",
        f'"{PASSWORD[:6]}$${PASSWORD[6:]}"',  # "…$$…" does not evaluate, still plain text
        f'ConvertTo-SecureString "{PASSWORD}" -AsPlainText -Force',
    ],
    ids=["double quoted", "single quoted", "with $ inside", "ConvertTo-SecureString"],
)
@pytest.mark.parametrize("fmt", ["json", "table"])
def test_plain_text_password_fails_and_is_never_shown(
    deployment: Deployment, written: str, fmt: str
) -> None:
    text = with_vars(GOOD_VARS, PxWinAdminUser='"pexadmin"', PxWinAdminPassword=written)
    deployment.vars(text)
    run = deployment.checks("--vars", "variables.ps1", "--format", fmt, "--offline", "-v")
    assert run.code == 1
    for fragment in (PASSWORD, PASSWORD[:6], PASSWORD[6:]):
        assert fragment not in run.stdout
        assert fragment not in run.stderr
    if fmt == "json":
        result = run.result("vars.secrets")
        assert result["status"] == "fail"
        assert "$PxWinAdminPassword" in result["message"]
        assert result["location"]["line"] == line_of(text, "PxWinAdminPassword")
    else:
        assert "vars.secrets" in run.stdout and "FAIL" in run.stdout


@pytest.mark.parametrize(
    "written",
    [
        'Read-Host -AsSecureString "Password"',
        '""',
        "$env:PX_ADMIN_PASSWORD",
        "ConvertTo-SecureString $env:PX_PW -AsPlainText -Force",
    ],
)
def test_a_password_asked_for_is_not_a_finding(deployment: Deployment, written: str) -> None:
    text = with_vars(GOOD_VARS, PxWinAdminPassword=written)
    assert check(deployment, text).result("vars.secrets")["status"] == "pass"


@pytest.mark.parametrize(
    ("user", "password", "status", "words"),
    [
        ('"pexadmin"', None, "pass", "meets"),
        ('"pexadmin"', f'"{PASSWORD}"', "pass", "password meet"),
        ('"Administrator"', None, "fail", "reserves"),
        ('"admin"', None, "fail", "reserves"),
        ('"root"', None, "fail", "reserves"),
        ('"a-very-long-admin-name"', None, "fail", "22 characters"),
        ('"pex:admin"', None, "fail", "':'"),
        ('"pexadmin"', '"short1A!"', "fail", "8 characters"),
        ('"pexadmin"', '"alllowercaseletters"', "fail", "character classes"),
    ],
)
def test_admin_account_rules(
    deployment: Deployment, user: str, password: str | None, status: str, words: str
) -> None:
    text = with_vars(GOOD_VARS, PxWinAdminUser=user, PxWinAdminPassword=password)
    run = check(deployment, text)
    result = run.result("vars.admin-account")
    assert result["status"] == status, result["message"]
    assert words in result["message"]
    if password:
        assert password.strip('"') not in run.stdout


def test_admin_account_skips_when_not_in_the_script(deployment: Deployment) -> None:
    assert check(deployment, GOOD_VARS).result("vars.admin-account")["status"] == "skip"


# -- vars.consent-access ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nodes", "consent", "status", "words"),
    [
        ('@("192.0.2.0/24")', "192.0.2.77", "pass", "192.0.2.0/24"),
        ('@("192.0.2.20")', "198.51.100.9", "fail", "198.51.100.9"),
        ('@("192.0.2.20")', None, "warn", "--consent-from"),
        ("@()", "198.51.100.9", "pass", "open to every address"),
        ('@("Internet")', "198.51.100.9", "pass", "every address"),
        ("Get-MyPrefixes", "198.51.100.9", "warn", "cannot be evaluated"),
    ],
)
def test_consent_access(
    deployment: Deployment, nodes: str, consent: str | None, status: str, words: str
) -> None:
    text = with_vars(GOOD_VARS, PxNodesSourceAddressPrefixes=nodes)
    args = ("--consent-from", consent) if consent else ()
    result = check(deployment, text, *args).result("vars.consent-access")
    assert result["status"] == status, result["message"]
    assert words in result["message"]
    if status in ("fail", "warn"):
        assert result["location"]["line"] == line_of(text, "PxNodesSourceAddressPrefixes")


def test_consent_from_the_config(deployment: Deployment) -> None:
    deployment.vars(with_vars(GOOD_VARS, PxNodesSourceAddressPrefixes='@("192.0.2.20")'))
    deployment.config(
        '[[connector]]\nvars = "variables.ps1"\n[azure]\nconsent_from = "198.51.100.9"\n'
    )
    run = deployment.checks("--format", "json", "--offline")
    assert run.result("vars.consent-access")["status"] == "fail"


# -- several connectors ----------------------------------------------------------------------


def test_each_connector_gets_its_own_results(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    us = with_vars(
        GOOD_VARS,
        PxVmssRegion='"us"',
        PxTeamsConnFqdn='"pexip-teamsconn-us.teams.example.com"',
        PxBaseConnName='"Contoso"',
    )
    deployment.vars(us, name="us/variables.ps1")
    deployment.config(
        '[[connector]]\nvars = "eu/variables.ps1"\n[[connector]]\nvars = "us/variables.ps1"\n'
    )
    run = deployment.checks("--format", "json", "--offline", "--only", "vars.*")
    for check_id in VARS_CHECKS:
        targets = sorted(r["target"] for r in run.results(check_id))
        assert targets == [FQDN, "pexip-teamsconn-us.teams.example.com"], check_id
    naming = {r["target"]: r for r in run.results("vars.naming")}
    assert naming[FQDN]["status"] == "pass"
    us_naming = naming["pexip-teamsconn-us.teams.example.com"]
    assert us_naming["status"] == "fail"
    assert us_naming["location"]["path"].replace("\\", "/").endswith("us/variables.ps1")
    assert run.code == 1


def test_duplicate_connector_fqdn_fails(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    deployment.vars(with_vars(GOOD_VARS, PxVmssRegion='"us"'), name="us/variables.ps1")
    deployment.config(
        '[[connector]]\nvars = "eu/variables.ps1"\n[[connector]]\nvars = "us/variables.ps1"\n'
    )
    run = deployment.checks("--format", "json", "--offline", "--only", "vars.fqdn")
    results = run.results("vars.fqdn")
    assert len(results) == 2
    assert all(r["status"] == "fail" for r in results)
    assert all("connector" in r["message"] for r in results)
    assert run.code == 1


def test_vars_flag_replaces_the_first_connector(deployment: Deployment) -> None:
    deployment.vars(with_vars(GOOD_VARS, PxBaseConnName='"BAD-NAME"'), name="eu/variables.ps1")
    deployment.vars(GOOD_VARS, name="fixed.ps1")
    deployment.config('[[connector]]\nvars = "eu/variables.ps1"\n')
    run = deployment.checks(
        "--vars", "fixed.ps1", "--format", "json", "--offline", "--only", "vars.naming"
    )
    assert run.result("vars.naming")["status"] == "pass"


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ('"3"', "pass"),
        ("3", "pass"),
        ('" 4 "', "pass"),
        ('"three"', "fail"),
        ("0", "fail"),
        ('"2.5"', "fail"),
        ("-1", "fail"),
        ("$true", "fail"),
    ],
)
def test_instance_count_is_a_whole_number(deployment: Deployment, value: str, status: str) -> None:
    deployment.vars(
        GOOD_VARS.replace('$PxTeamsConnInstanceCount = "3"', f"$PxTeamsConnInstanceCount = {value}")
    )
    run = deployment.checks(
        "--vars", "variables.ps1", "--format", "json", "--offline", "--only", "vars.required"
    )
    result = run.result("vars.required")
    assert result["status"] == status, result["message"]
    if status == "fail":
        assert "$PxTeamsConnInstanceCount" in result["message"]
        assert result["location"]["line"] == 7


def test_a_password_after_a_syntax_error_is_still_found(deployment: Deployment) -> None:
    deployment.vars('$PxBaseConnName = @("contoso"\n$PxWinAdminPassword = "P@ss<&>w0rd!x"\n')
    run = deployment.checks(
        "--vars",
        "variables.ps1",
        "--format",
        "json",
        "--offline",
        "--only",
        "vars.parse",
        "--only",
        "vars.secrets",
    )
    assert run.result("vars.parse")["status"] == "fail"
    secrets = run.result("vars.secrets")
    assert secrets["status"] == "fail"
    assert secrets["location"]["line"] == 2
    assert "P@ss" not in run.stdout


def test_a_broken_script_without_passwords_is_not_declared_clean(deployment: Deployment) -> None:
    deployment.vars('$PxBaseConnName = @("contoso"\n$PxVmssRegion = "eu"\n')
    run = deployment.checks(
        "--vars", "variables.ps1", "--format", "json", "--offline", "--only", "vars.secrets"
    )
    assert run.result("vars.secrets")["status"] == "skip"
