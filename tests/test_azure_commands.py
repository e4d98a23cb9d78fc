"""`pxready azure-commands`: the script that collects the Azure evidence, run for real.

The bash script runs under `bash` in an empty folder with a fake `az` first on PATH: a small
Python program that logs its arguments and answers with sample exports. The test then holds
every call to what `az` accepts, and every file to the name the reader of `--azure-evidence`
expects (`checks.azure.evidence.file_name`). The PowerShell script is checked as text (no
`pwsh` here; its cmdlets would need Azure anyway).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner, Result

from checks.azure.evidence import BOT_TYPE, file_name
from checks.commands import azure_commands
from checks.commands.azure_commands import azure_commands_command, bash_word, fill
from tests.support.cli import GOOD_VARS, REPO, Deployment

SAMPLES = REPO / "tests" / "data" / "azure-samples" / "synthetic"
SUB = "00000000-0000-0000-0000-000000000000"
SUB2 = "11111111-2222-3333-4444-555555555555"
BASH = shutil.which("bash")
needs_bash = pytest.mark.skipif(BASH is None or os.name == "nt", reason="needs bash (POSIX)")

FAKE_AZ = '''#!{python}
"""A fake Azure CLI: logs its arguments, answers like az would."""
import json, os, sys
from pathlib import Path

args = sys.argv[1:]
with open(os.environ["FAKE_AZ_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(args) + "\\n")
words = []
for arg in args:
    if arg.startswith("-"):
        break
    words.append(arg)
command = " ".join(words)
samples = Path(os.environ["FAKE_AZ_SAMPLES"])


def option(name):
    return args[args.index(name) + 1] if name in args else None


def sample(name):
    sys.stdout.write((samples / name).read_text(encoding="utf-8"))


if command == os.environ.get("FAKE_AZ_FAIL"):
    sys.stdout.write('{{"half": ')  # a command that dies half-way through its output
    sys.stderr.write("WARNING: something\\nERROR: (AuthorizationFailed) The client 'x' does not "
                     "have authorization\\nCode: AuthorizationFailed\\n")
    sys.exit(1)
if command == "account show":
    if option("-o") == "none":
        if os.environ.get("FAKE_AZ_SIGNED_OUT"):
            sys.stderr.write("ERROR: Please run 'az login' to setup account.\\n")
            sys.exit(1)
        sys.exit(0)
    sub = option("--subscription")
    print(json.dumps({{"id": sub, "name": "Pexip", "state": "Enabled", "user": {{"name": "x"}}}}))
elif command == "account list-locations":
    sample("cli_account-list-locations.json")
elif command == "provider show":
    sample("cli_provider-show_Microsoft.Automation.json")
elif command == "vm list-usage":
    sample("cli_vm-list-usage_westeurope_tight-quota.json")
elif command == "vm list-skus":
    sample("cli_vm-list-skus_westeurope_size-Standard_F_all.json")
elif command == "rest" and option("--method") == "get":
    sample("rest_permissions_subscription_contributor.json")
elif command == "rest" and option("--method") == "post":
    print(json.dumps({{"valid": True, "message": ""}}))
elif command == "group exists":
    existing = os.environ.get("FAKE_AZ_GROUPS", "").split(",")
    print("true" if option("--name") in existing else "false")
elif command == "group list":
    existing = [g for g in os.environ.get("FAKE_AZ_GROUPS", "").split(",") if g]
    print(json.dumps([{{"name": g, "location": "westeurope"}} for g in existing]))
elif command == "resource list":
    print("[]")
elif command == "feature show":
    print(json.dumps({{"name": "Microsoft.Compute/UnifiedDiskEncryption",
                      "properties": {{"state": "NotRegistered"}}}}))
else:
    sys.stderr.write("ERROR: '" + command + "' is misspelled or not recognized by the system.\\n")
    sys.exit(2)
'''

# What `az` accepts for each subcommand the script may call: flag → takes a value.
AZ_COMMANDS: dict[str, dict[str, bool]] = {
    "account show": {"--subscription": True, "-o": True},
    "account list-locations": {"--subscription": True, "-o": True},
    "provider show": {"--namespace": True, "--subscription": True, "-o": True},
    "vm list-usage": {"--location": True, "--subscription": True, "-o": True},
    "vm list-skus": {
        "--location": True,
        "--resource-type": True,
        "--all": False,
        "--subscription": True,
        "-o": True,
    },
    "rest": {"--method": True, "--url": True, "--body": True},
    "resource list": {
        "--resource-type": True,
        "--resource-group": True,
        "--subscription": True,
        "-o": True,
    },
    "group list": {"--subscription": True, "-o": True},
    "group exists": {"--name": True, "--subscription": True},
    "feature show": {"--namespace": True, "--name": True, "--subscription": True, "-o": True},
}


def parse_call(argv: list[str]) -> tuple[str, dict[str, str]]:
    """(subcommand, {flag: value}) of one az call; fails the test if az would not take it."""
    words: list[str] = []
    rest = list(argv)
    while rest and not rest[0].startswith("-"):
        words.append(rest.pop(0))
    command = " ".join(words)
    assert command in AZ_COMMANDS, f"az has no command {command!r}: {argv}"
    flags: dict[str, str] = {}
    while rest:
        flag = rest.pop(0)
        assert flag in AZ_COMMANDS[command], f"az {command} has no flag {flag}: {argv}"
        assert flag not in flags, f"{flag} given twice: {argv}"
        if AZ_COMMANDS[command][flag]:
            assert rest, f"{flag} without a value: {argv}"
            value = rest.pop(0)
            assert value and not value.startswith("--"), f"{flag} {value!r}: {argv}"
            flags[flag] = value
        else:
            flags[flag] = ""
    if "-o" in flags:
        assert flags["-o"] in ("json", "none"), argv
    if command == "rest":
        assert flags.get("--method") in ("get", "post"), argv
        url = flags["--url"]
        if flags["--method"] == "get":
            assert re.fullmatch(
                r"/subscriptions/[0-9a-f-]{36}/providers/Microsoft\.Authorization/permissions"
                r"\?api-version=\d{4}-\d{2}-\d{2}",
                url,
            ), argv
            assert "--body" not in flags, argv
        else:
            assert url.startswith(
                "/providers/Microsoft.BotService/checkNameAvailability?api-version="
            ), argv
            body = json.loads(flags["--body"])
            assert set(body) == {"name", "type"} and body["type"] == BOT_TYPE, argv
    return command, flags


# -- running the command and the script ------------------------------------------------------
@pytest.fixture
def generate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    def run(root: Path, *args: str) -> Result:
        monkeypatch.chdir(root)
        if not (root / "pxready.toml").exists():
            args = ("--vars", "variables.ps1", *args)
        return CliRunner().invoke(azure_commands_command, list(args), catch_exceptions=False)

    yield run


class FakeAzure:
    """A folder to run the script in, and a fake `az` first on PATH."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.evidence = root / "evidence"
        self.evidence.mkdir(parents=True)
        self.bin = root / "bin"
        self.bin.mkdir()
        self.log = root / "az.log"
        az = self.bin / "az"
        az.write_text(FAKE_AZ.format(python=sys.executable), encoding="utf-8")
        az.chmod(0o755)
        self.env = {
            **os.environ,
            "PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            "FAKE_AZ_LOG": str(self.log),
            "FAKE_AZ_SAMPLES": str(SAMPLES),
        }

    def run(self, script: str, **env: str) -> subprocess.CompletedProcess[str]:
        path = self.root / "collect.sh"
        path.write_text(script, encoding="utf-8", newline="\n")
        return subprocess.run(
            [str(BASH), str(path)],
            cwd=self.evidence,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]

    def files(self) -> set[str]:
        return {
            p.relative_to(self.evidence).as_posix() for p in self.evidence.rglob("*") if p.is_file()
        }


@pytest.fixture
def azure(tmp_path: Path) -> FakeAzure:
    return FakeAzure(tmp_path / "azure")


def script_for(generate: Any, deployment: Deployment, *args: str, shell: str = "bash") -> str:
    result = generate(deployment.root, "--shell", shell, *args)
    assert result.exit_code == 0, result.output
    text: str = result.stdout
    return text


US_VARS = (
    GOOD_VARS.replace('"eu"', '"us"')
    .replace('"westeurope"', '"East US"')
    .replace("teamsconn-eu", "teamsconn-us")
)
TWO_CONNECTORS = """\
[[connector]]
vars = "eu/variables.ps1"

[[connector]]
vars = "us/variables.ps1"
"""


def per_subscription(folder: str = "") -> set[str]:
    prefix = f"{folder}/" if folder else ""
    names = ["account", "locations", "provider", "permissions", "bots", "groups", "features"]
    return {prefix + file_name(kind) for kind in names}


def per_location(location: str, folder: str = "") -> set[str]:
    prefix = f"{folder}/" if folder else ""
    return {prefix + file_name(kind, location=location) for kind in ("usage", "skus")}


def bot_files(base: str, folder: str = "") -> set[str]:
    prefix = f"{folder}/" if folder else ""
    return {
        prefix + file_name("bot-names", name=f"{base}-{kind}-TeamsBot")
        for kind in ("Trusted", "Guest")
    }


# -- the bash script against a fake az -------------------------------------------------------
@needs_bash
def test_one_connector_script_writes_every_export_the_reader_expects(
    deployment: Deployment, generate: Any, azure: FakeAzure
) -> None:
    deployment.vars(GOOD_VARS)
    script = script_for(generate, deployment)
    existing = "contoso-TeamsConn-eu-RG"
    run = azure.run(script, FAKE_AZ_GROUPS=existing, FAKE_AZ_FAIL="feature show")

    # The failed export is reported, the others carry on, and the script says it failed.
    assert run.returncode == 1, run.stderr
    assert (
        "could not export features.json: ERROR: (AuthorizationFailed) The client 'x' does not "
        "have authorization" in run.stderr
    )
    expected = (
        per_subscription()
        | per_location("westeurope")
        | bot_files("contoso")
        | {file_name("resources", group=existing)}
    ) - {file_name("features")}
    # Exactly these files: none for the failed export, none for the groups that do not
    # exist, no temporary file left behind.
    assert azure.files() == expected
    assert not list(azure.evidence.glob(".*"))
    for name in expected:
        json.loads((azure.evidence / name).read_text(encoding="utf-8"))
    assert f"pxready: wrote {len(expected)} files in {azure.evidence}" in run.stdout
    assert f"Next step: pxready check --azure-evidence {azure.evidence}" in run.stdout

    calls = [parse_call(argv) for argv in azure.calls()]
    for command, flags in calls:
        if "--subscription" in flags:
            assert flags["--subscription"] == SUB, (command, flags)
    gets = [f["--url"] for c, f in calls if c == "rest" and f["--method"] == "get"]
    assert len(gets) == 1 and gets[0].startswith(f"/subscriptions/{SUB}/")
    argvs = azure.calls()
    assert ["account", "show", "-o", "none"] in argvs  # the sign-in check
    assert [
        "vm",
        "list-usage",
        "--location",
        "westeurope",
        "--subscription",
        SUB,
        "-o",
        "json",
    ] in (argvs)
    names = sorted(json.loads(f["--body"])["name"] for c, f in calls if "--body" in f)
    assert names == ["contoso-Guest-TeamsBot", "contoso-Trusted-TeamsBot"]
    asked = [f["--name"] for c, f in calls if c == "group exists"]
    assert asked == [
        "contoso-TeamsConn-eu-RG",
        "contoso-TeamsConn-eu-static-RG",
        "contoso-TeamsBotChan-RG",
    ]
    listed = [
        f["--resource-group"] for c, f in calls if c == "resource list" and "--resource-group" in f
    ]
    assert listed == [existing]


@needs_bash
def test_all_exports_succeed_exit_zero(
    deployment: Deployment, generate: Any, azure: FakeAzure
) -> None:
    deployment.vars(GOOD_VARS)
    run = azure.run(script_for(generate, deployment))
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    count = len(per_subscription() | per_location("westeurope") | bot_files("contoso"))
    assert f"pxready: wrote {count} files" in run.stdout


@needs_bash
def test_two_connectors_one_subscription_two_regions(
    deployment: Deployment, generate: Any, azure: FakeAzure
) -> None:
    deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    deployment.vars(US_VARS, name="us/variables.ps1")
    deployment.config(TWO_CONNECTORS)
    script = script_for(generate, deployment)
    run = azure.run(script, FAKE_AZ_GROUPS="contoso-TeamsBotChan-RG,contoso-TeamsConn-us-RG")
    assert run.returncode == 0, run.stderr

    expected = (
        per_subscription()
        | per_location("westeurope")
        | per_location("eastus")  # "East US" in the script
        | bot_files("contoso")  # one base name: the same two bots, asked about once
        | {file_name("resources", group="contoso-TeamsBotChan-RG")}
        | {file_name("resources", group="contoso-TeamsConn-us-RG")}
    )
    assert azure.files() == expected
    calls = [parse_call(argv) for argv in azure.calls()]
    # One subscription: its exports once, not once per connector.
    assert sum(1 for c, f in calls if c == "account show" and "--subscription" in f) == 1
    assert sum(1 for c, f in calls if "--body" in f) == 2
    usage = sorted(f["--location"] for c, f in calls if c == "vm list-usage")
    assert usage == ["eastus", "westeurope"]
    asked = {f["--name"] for c, f in calls if c == "group exists"}
    assert asked == {
        "contoso-TeamsConn-eu-RG",
        "contoso-TeamsConn-eu-static-RG",
        "contoso-TeamsConn-us-RG",
        "contoso-TeamsConn-us-static-RG",
        "contoso-TeamsBotChan-RG",
    }
    assert f"pxready: wrote {len(expected)} files" in run.stdout


@needs_bash
def test_two_subscriptions_each_get_a_folder(
    deployment: Deployment, generate: Any, azure: FakeAzure
) -> None:
    deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    us = US_VARS.replace(SUB, SUB2.upper()).replace('"contoso"', '"fabrikam"')
    deployment.vars(us, name="us/variables.ps1")
    deployment.config(TWO_CONNECTORS)
    script = script_for(generate, deployment)
    run = azure.run(script)
    assert run.returncode == 0, run.stderr

    expected = (
        per_subscription(SUB)
        | per_location("westeurope", SUB)
        | bot_files("contoso", SUB)
        | per_subscription(SUB2)  # the id in lower case, as Azure writes it
        | per_location("eastus", SUB2)
        | bot_files("fabrikam", SUB2)
    )
    assert azure.files() == expected
    for command, flags in (parse_call(argv) for argv in azure.calls()):
        if command == "vm list-usage":
            assert (flags["--location"], flags["--subscription"]) in (
                ("westeurope", SUB),
                ("eastus", SUB2),
            )
        if command == "group exists":
            base = "contoso" if flags["--subscription"] == SUB else "fabrikam"
            assert flags["--name"].startswith(base + "-")
    assert f"pxready: wrote {len(expected)} files" in run.stdout


@needs_bash
def test_script_stops_when_az_is_missing_or_nobody_is_signed_in(
    deployment: Deployment, generate: Any, azure: FakeAzure, tmp_path: Path
) -> None:
    deployment.vars(GOOD_VARS)
    script = script_for(generate, deployment)

    run = azure.run(script, FAKE_AZ_SIGNED_OUT="1")
    assert run.returncode == 1
    assert "nobody is signed in to Azure" in run.stderr and "az login" in run.stderr
    assert azure.calls() == [["account", "show", "-o", "none"]]
    assert azure.files() == set()

    # No az at all: a PATH with only what the script needs besides az.
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in ("mktemp", "rm", "mv", "grep", "sed"):
        found = shutil.which(tool)
        assert found is not None
        (tools / tool).symlink_to(found)
    run = azure.run(script, PATH=str(tools))
    assert run.returncode == 1
    assert "the Azure CLI (az) is not installed or not on PATH" in run.stderr
    assert azure.files() == set()


@needs_bash
def test_script_refuses_a_folder_with_earlier_exports(
    deployment: Deployment, generate: Any, azure: FakeAzure
) -> None:
    deployment.vars(GOOD_VARS)
    (azure.evidence / "resources-old-RG.json").write_text("[]", encoding="utf-8")
    run = azure.run(script_for(generate, deployment))
    assert run.returncode == 1
    assert "already holds export files" in run.stderr
    assert azure.files() == {"resources-old-RG.json"}
    assert [c for c in azure.calls() if c != ["account", "show", "-o", "none"]] == []


@needs_bash
def test_connector_without_subscription_still_exports_its_bot_names(
    deployment: Deployment, generate: Any, azure: FakeAzure
) -> None:
    deployment.vars(GOOD_VARS.replace(f'$PxSubscriptionId = "{SUB}"', ""))
    result = generate(deployment.root, "--shell", "bash")
    assert result.exit_code == 0, result.output
    assert "$PxSubscriptionId has no value pxready can read" in result.stderr
    script = result.stdout
    assert "# Left out: pexip-teamsconn-eu.teams.example.com: left out the subscription's" in (
        script
    )
    run = azure.run(script)
    assert run.returncode == 0, run.stderr
    assert azure.files() == bot_files("contoso")


def test_nothing_to_export_is_exit_2(deployment: Deployment, generate: Any) -> None:
    text = GOOD_VARS.replace(f'$PxSubscriptionId = "{SUB}"', "").replace(
        '$PxBaseConnName = "contoso"', ""
    )
    deployment.vars(text)
    result = generate(deployment.root)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("pxready: nothing to export")


def test_missing_location_leaves_out_usage_and_skus(deployment: Deployment, generate: Any) -> None:
    deployment.vars(GOOD_VARS.replace('$PxAzureLocation = "westeurope"', ""))
    result = generate(deployment.root, "--shell", "bash")
    assert result.exit_code == 0, result.output
    assert "list-usage" not in result.stdout and "list-skus" not in result.stdout
    assert "# Left out: pexip-teamsconn-eu.teams.example.com: left out the region's quota" in (
        result.stdout
    )
    assert "usage, skus" in result.stderr


AZURE_CHECKS = {
    "azure.region",
    "azure.automation",
    "azure.vm-size",
    "azure.quota",
    "azure.permissions",
    "azure.bot-name",
    "azure.resource-groups",
    "azure.features",
}


@needs_bash
def test_check_reads_every_file_the_script_wrote(
    deployment: Deployment, generate: Any, azure: FakeAzure
) -> None:
    """The other half of the loop: `pxready check --azure-evidence` finds each file."""
    from readiness.registry import load_registry

    if not AZURE_CHECKS.issubset(load_registry().ids()):
        pytest.skip("the Azure checks are not registered in the installed metadata yet")
    from tests.support.inprocess import check_in_process

    deployment.vars(GOOD_VARS + "$PxTeamsConnDiskEncryption = $true\n")
    run = azure.run(script_for(generate, deployment), FAKE_AZ_GROUPS="contoso-TeamsConn-eu-RG")
    assert run.returncode == 0, run.stderr
    report = check_in_process(
        deployment.root,
        "--vars",
        "variables.ps1",
        "--azure-evidence",
        str(azure.evidence),
        "--offline",
        "--only",
        "azure.*",
    ).json()
    results = report["results"]
    assert {r["id"] for r in results} == AZURE_CHECKS
    for result in results:
        assert result["status"] not in ("skip", "error"), result


def test_a_tight_quota_subscription_fails_only_the_quota_with_the_arithmetic(
    deployment: Deployment, generate: Any, azure: FakeAzure
) -> None:
    """The whole loop as a partner runs it: the script, the evidence, the verdict."""
    from tests.support.inprocess import check_in_process

    deployment.vars(GOOD_VARS)
    assert azure.run(script_for(generate, deployment)).returncode == 0
    run = check_in_process(
        deployment.root, "--vars", "variables.ps1", "--azure-evidence", str(azure.evidence),
        "--offline", "--only", "azure.*",
    )  # fmt: skip
    statuses = {r["id"]: r["status"] for r in run.json()["results"]}
    quota = run.result("azure.quota")
    assert quota["status"] == "fail"
    assert quota["message"].startswith(
        "needs 12 standardFSFamily vCPUs (3 × 4); 2 of 10 free: request 10 more; needs 12 "
        "Total Regional vCPUs (3 × 4); 2 of 20 free: request 10 more"
    )
    assert [i for i, s in statuses.items() if s in ("fail", "error")] == ["azure.quota"]
    assert run.code == 1


# -- hostile values ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("variable", "line"),
    [
        ("$PxBaseConnName = \"x'; rm -rf ~; '\"", "$PxBaseConnName"),
        ("$PxBaseConnName = 'x$(touch pwned)'", "$PxBaseConnName"),
        (
            '$PxSubscriptionId = "00000000-0000-0000-0000-000000000000; rm -rf ~"',
            "$PxSubscriptionId",
        ),
        ('$PxAzureLocation = "westeurope\' --query x"', "$PxAzureLocation"),
        ('$PxVmssRegion = "eu`nrm"', "$PxVmssRegion"),
        (
            "$PxTeamsConnResourceGroupName = 'rg\"; Remove-Item -Recurse C:\\'",
            "$PxTeamsConnResourceGroupName",
        ),
        (
            '$PxTeamsConnStaticResourceGroupName = "rg\u2019; calc"',
            "$PxTeamsConnStaticResourceGroupName",
        ),
    ],
)
@pytest.mark.parametrize("shell", ["bash", "powershell"])
def test_unsafe_values_are_refused(
    deployment: Deployment, generate: Any, variable: str, line: str, shell: str
) -> None:
    deployment.vars(GOOD_VARS + variable + "\n")
    result = generate(deployment.root, "--shell", shell)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    # The variable, and where it is written: the last line of the script.
    number = GOOD_VARS.count("\n") + 1
    assert result.stderr.startswith(f"pxready: variables.ps1:{number}: {line} "), result.stderr
    assert "not put in a script" in result.stderr or "not a subscription id" in result.stderr


def test_a_name_that_is_a_password_is_not_printed(deployment: Deployment, generate: Any) -> None:
    deployment.vars(GOOD_VARS + '$PxWinAdminPassword = "contoso"\n')
    result = generate(deployment.root)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "$PxBaseConnName holds a password" in result.stderr


def test_a_password_in_a_label_is_masked(deployment: Deployment, generate: Any) -> None:
    # Only the comments name the FQDN: there it is masked, and the commands stay whole.
    deployment.vars(GOOD_VARS + '$PxWinAdminPassword = "Teams.Example"\n')
    for shell in ("bash", "powershell"):
        text = script_for(generate, deployment, shell=shell)
        assert "teams.example" not in text.lower()
        assert "pexip-teamsconn-eu.********.com" in text
        assert "contoso-Trusted-TeamsBot" in text


def test_a_bad_config_is_exit_2(deployment: Deployment, generate: Any) -> None:
    deployment.config("[[connector]]\nvars = 'missing.ps1'\n")
    result = generate(deployment.root)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("pxready: ")


# -- quoting, as a second line of defence ----------------------------------------------------
NASTY = ["a'b", 'a"b', "a$(x)`b\\", "a b;c|d&e", "'", "x'\\''y"]


@needs_bash
@pytest.mark.parametrize("value", NASTY)
def test_bash_quoting_keeps_any_value_one_literal_word(value: str, tmp_path: Path) -> None:
    template = "printf '<%s>' {v} \"x{v}y\" 'p{v}q' --body '{{\"name\": \"{v}\"}}'"
    command = fill(template, {"v": value}, azure_commands._bash_state, azure_commands._bash_value)
    out = subprocess.run(
        [str(BASH), "-c", command], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert out.stdout == f'<{value}><x{value}y><p{value}q><--body><{{"name": "{value}"}}>'
    assert list(tmp_path.iterdir()) == []


def test_powershell_quoting_doubles_every_single_quote() -> None:
    template = "Get-X -Name {v} -Path '/a/{v}' -Other \"{v}\""
    value = "a'b\u2019c$d"
    filled = fill(
        template, {"v": value}, azure_commands._powershell_state, azure_commands._powershell_value
    )
    quoted = "a''b\u2019\u2019c$d"
    assert filled == f"Get-X -Name '{quoted}' -Path '/a/{quoted}' -Other \"a'b\u2019c`$d\""
    assert bash_word("it's") == "'it'\\''s'"


# -- PowerShell, as text ---------------------------------------------------------------------
def test_powershell_script_text(deployment: Deployment, generate: Any) -> None:
    deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    deployment.vars(US_VARS.replace(SUB, SUB2), name="us/variables.ps1")
    deployment.config(TWO_CONNECTORS)
    text = script_for(generate, deployment, shell="powershell")

    exports = (
        2 * len(per_subscription())
        + 2 * 2  # usage and skus of one region each
        + 2 * 2  # one base name: its two bot names, asked in each subscription's folder
        + 2 * 3  # three groups per connector
    )
    assert text.count("Out-File -Encoding utf8") == exports
    assert text.count("Complete-PxExport '") == exports
    assert text.count(f"Set-AzContext -Subscription '{SUB}' | Out-Null") == 1
    assert text.count(f"Set-AzContext -Subscription '{SUB2}' | Out-Null") == 1
    assert (
        text.index(f"Set-AzContext -Subscription '{SUB}'")
        < text.index("Get-AzVMUsage -Location 'westeurope'")
        < text.index(f"Set-AzContext -Subscription '{SUB2}'")
        < text.index("Get-AzVMUsage -Location 'eastus'")
    )
    assert f"New-Item -ItemType Directory -Force -Path '{SUB}' | Out-Null" in text
    assert f"Complete-PxExport '{SUB2}/usage-eastus.json'" in text
    assert "ConvertTo-Json -Depth 10" in text
    assert (
        "if (Get-AzResourceGroup -Name 'contoso-TeamsConn-us-RG' -ErrorAction SilentlyContinue) {"
        in text
    )
    assert "Get-AzContext" in text and "Connect-AzAccount" in text
    assert "Reader on the subscription is enough" in text
    assert '"name": "contoso-Trusted-TeamsBot"' in text


def balanced(text: str) -> dict[str, int]:
    """Braces and parentheses left open in a PowerShell script, outside comments and strings."""
    depth = {"{": 0, "(": 0}
    closing = {"}": "{", ")": "("}
    i = 0
    while i < len(text):
        c = text[i]
        if c == "#" and text[:i].rsplit("\n", 1)[-1].strip() == "":
            i = text.index("\n", i)
        elif c == "'":
            i += 1
            while not (text[i] == "'" and text[i + 1 : i + 2] != "'"):
                i += 2 if text[i] == "'" else 1
        elif c == '"':
            i += 1
            while text[i] != '"':
                i += 2 if text[i] == "`" else 1
        elif c in depth:
            depth[c] += 1
        elif c in closing:
            depth[closing[c]] -= 1
            assert depth[closing[c]] >= 0, text[max(0, i - 200) : i + 1]
        i += 1
    return depth


def test_powershell_script_is_balanced(deployment: Deployment, generate: Any) -> None:
    deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    deployment.vars(US_VARS.replace(SUB, SUB2), name="us/variables.ps1")
    deployment.config(TWO_CONNECTORS)
    text = script_for(generate, deployment, shell="powershell")
    assert balanced(text) == {"{": 0, "(": 0}


def test_default_shell_follows_the_platform(
    deployment: Deployment, generate: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment.vars(GOOD_VARS)
    monkeypatch.setattr(azure_commands, "os", SimpleNamespace(name="nt"))
    assert "Set-AzContext" in generate(deployment.root).stdout
    monkeypatch.setattr(azure_commands, "os", SimpleNamespace(name="posix"))
    assert generate(deployment.root).stdout.startswith("#!/usr/bin/env bash\n")


# -- --output ----------------------------------------------------------------------------------
def test_output_writes_bash_with_lf(deployment: Deployment, generate: Any) -> None:
    deployment.vars(GOOD_VARS)
    result = generate(deployment.root, "--shell", "bash", "--output", "collect.sh")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == "pxready: wrote collect.sh (bash)\n"
    data = (deployment.root / "collect.sh").read_bytes()
    assert data.startswith(b"#!/usr/bin/env bash\n")
    assert b"\r" not in data


def test_output_writes_powershell_with_bom_and_crlf(deployment: Deployment, generate: Any) -> None:
    deployment.vars(GOOD_VARS.replace('"contoso"', '"contosö"'))
    # No --shell: the extension says PowerShell.
    result = generate(deployment.root, "--output", "collect.ps1")
    assert result.exit_code == 0, result.output
    assert result.stderr == "pxready: wrote collect.ps1 (powershell)\n"
    data = (deployment.root / "collect.ps1").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf# ")
    assert data.count(b"\n") == data.count(b"\r\n") > 10
    assert "contosö-Trusted-TeamsBot".encode() in data


def test_output_to_an_unwritable_place_is_exit_2(deployment: Deployment, generate: Any) -> None:
    deployment.vars(GOOD_VARS)
    result = generate(deployment.root, "--output", "no/such/folder/collect.sh")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "cannot write the script" in result.stderr


@needs_bash
def test_scripts_parse(deployment: Deployment, generate: Any, tmp_path: Path) -> None:
    deployment.vars(GOOD_VARS)
    path = tmp_path / "collect.sh"
    path.write_text(script_for(generate, deployment), encoding="utf-8")
    subprocess.run([str(BASH), "-n", str(path)], check=True)
    pwsh = shutil.which("pwsh")
    if pwsh is None:
        return
    script = tmp_path / "collect.ps1"
    script.write_text(script_for(generate, deployment, shell="powershell"), encoding="utf-8")
    check = (
        "$e = $null; [void][System.Management.Automation.Language.Parser]::ParseFile("
        f"'{script}', [ref]$null, [ref]$e); if ($e) {{ $e; exit 1 }}"
    )
    subprocess.run([pwsh, "-NoProfile", "-Command", check], check=True)


def test_registered_as_a_pxready_command() -> None:
    from readiness.plugins import entry_points

    names = {ep.name: ep.value for ep in entry_points("pxready.commands")}
    if "azure-commands" not in names:
        pytest.skip("the pxready.commands entry point is not in pyproject.toml yet")
    assert names["azure-commands"] == "checks.commands.azure_commands:azure_commands_command"
