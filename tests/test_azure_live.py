"""The Azure checks live: the real azure-mgmt-compute client and the real ARM pipeline, signed
in with a test credential, against a loopback HTTPS endpoint that serves recorded responses."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.support.arm_server import ArmServer, error, load_sample
from tests.support.azure_credential import FailingCredential, StaticTokenCredential
from tests.support.cli import GOOD_VARS, Deployment, Run

SUB = "00000000-0000-0000-0000-000000000000"
BASE = f"/subscriptions/{SUB}"
USAGES = f"{BASE}/providers/Microsoft.Compute/locations/westeurope/usages"
SKUS = f"{BASE}/providers/Microsoft.Compute/skus"
PERMISSIONS = f"{BASE}/providers/Microsoft.Authorization/permissions"
BOT_NAMES = "/providers/Microsoft.BotService/checkNameAvailability"
GROUP = "contoso-TeamsConn-eu-RG"
STATIC = "contoso-TeamsConn-eu-static-RG"
AZURE_IDS = (
    "azure.region",
    "azure.automation",
    "azure.vm-size",
    "azure.quota",
    "azure.permissions",
    "azure.bot-name",
    "azure.resource-groups",
)


def subscription(arm: ArmServer, *, permissions: str | None = "owner", usages: bool = True) -> None:
    """A subscription as ARM shows it: the synthetic samples, usages over three pages. A test
    that answers permissions or usages itself passes None / False."""
    arm.route("GET", f"{BASE}/locations", load_sample("synthetic/rest_subscription-locations.json"))
    arm.route(
        "GET",
        f"{BASE}/providers/Microsoft.Automation",
        load_sample("synthetic/rest_provider_Microsoft.Automation.json"),
    )
    if usages:
        items = load_sample("synthetic/rest_usages_westeurope_tight-quota.json")["value"]
        arm.paged(USAGES, items, page_size=-(-len(items) // 3))
    arm.route("GET", SKUS, load_sample("synthetic/rest_skus_westeurope_F-series.json"))
    if permissions:
        arm.route(
            "GET",
            PERMISSIONS,
            load_sample(f"synthetic/rest_permissions_subscription_{permissions}.json"),
        )
    arm.route("POST", BOT_NAMES, {"valid": True, "message": ""})
    arm.route("GET", f"{BASE}/resources", {"value": []})
    for group in (GROUP, STATIC):
        arm.route(
            "GET",
            f"{BASE}/resourcegroups/{group}",
            **error(404, "ResourceGroupNotFound", f"Resource group '{group}' could not be found."),
        )


def live(
    deployment: Deployment,
    arm: ArmServer,
    credential: Any,
    *args: str,
    timeout: str = "5",
) -> Run:
    deployment.vars(GOOD_VARS)
    deployment.config(
        f'[[connector]]\nvars = "variables.ps1"\n[azure]\narm_endpoint = "{arm.endpoint}"\n'
    )
    return deployment.checks(
        "--format", "json", "--only", "azure.*", "--timeout", timeout, *args,
        env={"REQUESTS_CA_BUNDLE": arm.ca_file},
        resources={"azure-credential": credential},
    )  # fmt: skip


def status(run: Run, check_id: str) -> str:
    (result,) = run.results(check_id)
    return str(result["status"])


def test_every_azure_check_reaches_a_verdict_from_resource_manager(
    deployment: Deployment, arm_server: ArmServer, azure_credential: StaticTokenCredential
) -> None:
    subscription(arm_server)
    run = live(deployment, arm_server, azure_credential)
    assert run.code == 1
    assert status(run, "azure.region") == "pass"
    assert status(run, "azure.automation") == "pass"
    assert status(run, "azure.permissions") == "pass"  # an Owner is never warned
    quota = run.result("azure.quota")
    assert quota["status"] == "fail"
    assert "needs 12 standardFSFamily vCPUs (3 × 4)" in quota["message"]
    assert "from Azure Resource Manager" in quota["message"]
    assert {r["status"] for r in run.results("azure.bot-name")} == {"pass"}
    assert {r["status"] for r in run.results("azure.resource-groups")} == {"pass"}
    # The real clients did the talking: the token, the API versions, every usages page.
    calls = arm_server.requests
    assert {c.headers["Authorization"] for c in calls} == {"Bearer test-token"}
    assert {c.api_version for c in arm_server.calls("GET", PERMISSIONS)} == {"2022-04-01"}
    assert len(arm_server.calls("GET", USAGES)) == 3
    bodies = sorted(c.json()["name"] for c in arm_server.calls("POST", BOT_NAMES))
    assert bodies == ["contoso-Guest-TeamsBot", "contoso-Trusted-TeamsBot"]
    # Each fact is asked once, however many checks read it.
    assert len(arm_server.calls("GET", f"{BASE}/locations")) == 1
    assert len(arm_server.calls("GET", SKUS)) == 1


def test_a_contributor_is_warned_about_the_owner_step(
    deployment: Deployment, arm_server: ArmServer, azure_credential: StaticTokenCredential
) -> None:
    subscription(arm_server, permissions="contributor")
    result = live(deployment, arm_server, azure_credential).result("azure.permissions")
    assert result["status"] == "warn"
    assert "Microsoft.Authorization/roleAssignments/write" in result["message"]
    assert "appears to hold Contributor" in result["message"]


def test_not_signed_in_is_one_line_for_every_azure_check(
    deployment: Deployment, arm_server: ArmServer
) -> None:
    subscription(arm_server)
    run = live(deployment, arm_server, FailingCredential())
    for check_id in AZURE_IDS:
        for result in run.results(check_id):
            assert result["status"] == "error", result
            assert result["message"].startswith("not signed in to Azure (sign in with `az login`")
            assert "\n" not in result["message"]
    assert arm_server.requests == []  # no request goes out without a token
    assert run.code == 3


def test_authorization_failed_is_an_error_naming_the_code(
    deployment: Deployment, arm_server: ArmServer, azure_credential: StaticTokenCredential
) -> None:
    subscription(arm_server, permissions=None)
    arm_server.route(
        "GET",
        PERMISSIONS,
        **error(403, "AuthorizationFailed", "The client 'x' does not have authorization."),
    )
    result = live(deployment, arm_server, azure_credential).result("azure.permissions")
    assert result["status"] == "error"
    assert result["message"].startswith("Azure answered 403 AuthorizationFailed: The client")


def test_an_unknown_region_answer_is_an_error(
    deployment: Deployment, arm_server: ArmServer, azure_credential: StaticTokenCredential
) -> None:
    arm_server.route(
        "GET",
        USAGES,
        **error(400, "NoRegisteredProviderFound", "No registered resource provider found."),
    )
    subscription(arm_server, usages=False)
    result = live(deployment, arm_server, azure_credential).result("azure.quota")
    assert result["status"] == "error"
    assert "400 NoRegisteredProviderFound" in result["message"]


def test_throttling_is_retried_after_the_time_azure_asks(
    deployment: Deployment, arm_server: ArmServer, azure_credential: StaticTokenCredential
) -> None:
    arm_server.route(
        "GET", PERMISSIONS, **error(429, "TooManyRequests", "slow down"),
        headers={"Retry-After": "1"}, times=1,
    )  # fmt: skip
    subscription(arm_server)
    started = time.monotonic()
    run = live(deployment, arm_server, azure_credential)
    assert status(run, "azure.permissions") == "pass"
    assert len(arm_server.calls("GET", PERMISSIONS)) == 2
    assert time.monotonic() - started >= 1


def test_an_answer_that_never_comes_is_an_error_within_the_timeout(
    deployment: Deployment, arm_server: ArmServer, azure_credential: StaticTokenCredential
) -> None:
    arm_server.route("GET", PERMISSIONS, {"value": []}, delay=30)
    subscription(arm_server)
    started = time.monotonic()
    run = live(deployment, arm_server, azure_credential, timeout="1")
    elapsed = time.monotonic() - started
    result = run.result("azure.permissions")
    assert result["status"] == "error"
    assert "no answer in time" in result["message"]
    assert elapsed < 10, elapsed  # retries stay within --timeout, not the SDK's defaults


def test_bot_names_taken_here_and_elsewhere(
    deployment: Deployment, arm_server: ArmServer, azure_credential: StaticTokenCredential
) -> None:
    def availability(request: Any) -> dict[str, Any]:
        return {"valid": False, "message": "Bot Service name is already in use.",
                "absCode": "AlreadyExists"}  # fmt: skip

    arm_server.route("POST", BOT_NAMES, availability)
    arm_server.route(
        "GET",
        f"{BASE}/resources",
        {"value": [{"name": "contoso-Trusted-TeamsBot", "type": "Microsoft.BotService/botServices",
                    "id": f"{BASE}/resourceGroups/contoso-TeamsBotChan-RG/providers/"
                          "Microsoft.BotService/botServices/contoso-Trusted-TeamsBot"}]},
    )  # fmt: skip
    subscription(arm_server)
    run = live(deployment, arm_server, azure_credential)
    by_name = {r["target"]: r for r in run.results("azure.bot-name")}
    ours = by_name["contoso-Trusted-TeamsBot"]
    assert ours["status"] == "pass"
    assert (
        "this subscription's own bot in resource group contoso-TeamsBotChan-RG" in (ours["message"])
    )
    theirs = by_name["contoso-Guest-TeamsBot"]
    assert theirs["status"] == "fail"
    assert "InvalidBotData - Bot is not valid - Id is already in use" in theirs["message"]


@pytest.mark.parametrize(
    ("resources", "expected", "words"),
    [
        ([], "fail", "exists and is empty"),
        ([{"name": "contosoeu", "type": "Microsoft.Compute/virtualMachineScaleSets"}], "warn",
         "holds 1 resource: contosoeu (Microsoft.Compute/virtualMachineScaleSets)"),
    ],
)  # fmt: skip
def test_a_leftover_group_is_judged_by_what_it_holds(
    deployment: Deployment,
    arm_server: ArmServer,
    azure_credential: StaticTokenCredential,
    resources: list[dict[str, str]],
    expected: str,
    words: str,
) -> None:
    arm_server.route("GET", f"{BASE}/resourcegroups/{GROUP}", {"name": GROUP, "location": "x"})
    arm_server.route("GET", f"{BASE}/resourcegroups/{GROUP}/resources", {"value": resources})
    subscription(arm_server)
    results = {r["target"]: r for r in live(deployment, arm_server, azure_credential).results(
        "azure.resource-groups")}  # fmt: skip
    assert results[GROUP]["status"] == expected
    assert words in results[GROUP]["message"]
    assert results[STATIC]["status"] == "pass"


def test_the_disk_encryption_feature_is_asked_about(
    deployment: Deployment, arm_server: ArmServer, azure_credential: StaticTokenCredential
) -> None:
    feature = (
        f"{BASE}/providers/Microsoft.Features/providers/Microsoft.Compute/features/"
        "UnifiedDiskEncryption"
    )
    arm_server.route(
        "GET",
        feature,
        {"name": "Microsoft.Compute/UnifiedDiskEncryption", "properties": {"state": "Pending"}},
    )
    subscription(arm_server)
    deployment.vars(GOOD_VARS + "$PxTeamsConnDiskEncryption = $true\n")
    deployment.config(
        f'[[connector]]\nvars = "variables.ps1"\n[azure]\narm_endpoint = "{arm_server.endpoint}"\n'
    )
    run = deployment.checks(
        "--format", "json", "--only", "azure.features",
        env={"REQUESTS_CA_BUNDLE": arm_server.ca_file},
        resources={"azure-credential": azure_credential},
    )  # fmt: skip
    result = run.result("azure.features")
    assert result["status"] == "fail"
    assert "is Pending, not Registered" in result["message"]
