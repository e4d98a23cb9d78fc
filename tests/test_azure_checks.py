"""The eight Azure checks, fed from export files under --offline (never live Azure).

Each test writes a small deployment (a variables script and a pxready.toml), gives the checks
export files (the samples in tests/data/azure-samples, or small ones written here in the Azure
CLI, PowerShell or REST shape), and asserts what a user reads: the status, the words and
numbers of the message, the target and the details.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import GOOD_VARS, Deployment, Run

SAMPLES = Path(__file__).parent / "data" / "azure-samples"
SYNTHETIC = SAMPLES / "synthetic"
SUB = "00000000-0000-0000-0000-000000000000"
SUB2 = "11111111-2222-3333-4444-555555555555"
FQDN = "pexip-teamsconn-eu.teams.example.com"

LOCATIONS = SYNTHETIC / "cli_account-list-locations.json"
REST_LOCATIONS = SYNTHETIC / "rest_subscription-locations.json"
PROVIDER = SYNTHETIC / "cli_provider-show_Microsoft.Automation.json"
REST_PROVIDER = SYNTHETIC / "rest_provider_Microsoft.Automation.json"
SKUS_ALL = SYNTHETIC / "cli_vm-list-skus_westeurope_size-Standard_F_all.json"
SKUS_DEFAULT = SYNTHETIC / "cli_vm-list-skus_westeurope_size-Standard_F_default.json"
REST_SKUS = SYNTHETIC / "rest_skus_westeurope_F-series.json"
TIGHT_USAGE = SYNTHETIC / "cli_vm-list-usage_westeurope_tight-quota.json"
REST_TIGHT_USAGE = SYNTHETIC / "rest_usages_westeurope_tight-quota.json"
CONTRIBUTOR = SYNTHETIC / "rest_permissions_subscription_contributor.json"
OWNER = SYNTHETIC / "rest_permissions_subscription_owner.json"

AZURE_CHECKS = (
    "azure.region",
    "azure.automation",
    "azure.vm-size",
    "azure.quota",
    "azure.permissions",
    "azure.bot-name",
    "azure.resource-groups",
    "azure.features",
)
TRUSTED_BOT = "contoso-Trusted-TeamsBot"
GUEST_BOT = "contoso-Guest-TeamsBot"
MAIN_RG = "contoso-TeamsConn-eu-RG"
STATIC_RG = "contoso-TeamsConn-eu-static-RG"
ROLE_WRITE = "Microsoft.Authorization/roleAssignments/write"
ONE_CONNECTOR = '[[connector]]\nvars = "variables.ps1"\n'
ENCRYPTED_VARS = GOOD_VARS + "$PxTeamsConnDiskEncryption = $true\n"


# -- helpers ---------------------------------------------------------------------------------


def write_json(deployment: Deployment, name: str, content: Any) -> str:
    """`content` as a JSON file in the deployment folder; its path, for a flag."""
    path = deployment.root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2), encoding="utf-8")
    return str(path)


def azure(
    deployment: Deployment,
    *args: str,
    script: str = GOOD_VARS,
    config: str | None = None,
) -> Run:
    """`pxready check --offline --only 'azure.*'` on one connector (unless `config` says
    otherwise); every fact comes from the files in `args`."""
    if config is None:
        deployment.vars(script)
        deployment.config(ONE_CONNECTOR)
    else:
        deployment.config(config)
    run = deployment.checks("--format", "json", "--offline", "--only", "azure.*", *args)
    assert run.code in (0, 1, 3), (run.code, run.stderr, run.stdout[:2000])
    return run


def one(run: Run, check_id: str) -> dict[str, Any]:
    return run.result(check_id)


def by_target(run: Run, check_id: str) -> dict[str, dict[str, Any]]:
    return {r["target"]: r for r in run.results(check_id)}


def usage_cli(
    family_used: int,
    family_limit: int,
    cores_used: int,
    cores_limit: int,
    family: str = "standardFSFamily",
) -> list[dict[str, Any]]:
    """`az vm list-usage -o json`: a bare list, camelCase, numbers as strings."""

    def entry(name: str, local: str, used: int, limit: int) -> dict[str, Any]:
        return {
            "currentValue": str(used),
            "limit": str(limit),
            "localName": local,
            "name": {"localizedValue": local, "value": name},
            "unit": "Count",
        }

    return [
        entry("cores", "Total Regional vCPUs", cores_used, cores_limit),
        entry("virtualMachines", "Virtual Machines", 3, 25000),
        entry(family, f"{family} vCPUs", family_used, family_limit),
    ]


def usage_powershell(
    family_used: int, family_limit: int, cores_used: int, cores_limit: int
) -> list[dict[str, Any]]:
    """`Get-AzVMUsage | ConvertTo-Json -Depth 10`: PascalCase, numbers as numbers."""

    def entry(name: str, local: str, used: int, limit: int) -> dict[str, Any]:
        return {
            "Name": {"Value": name, "LocalizedValue": local},
            "CurrentValue": used,
            "Limit": limit,
            "Unit": "Count",
        }

    return [
        entry("cores", "Total Regional vCPUs", cores_used, cores_limit),
        entry("standardFSFamily", "Standard FS Family vCPUs", family_used, family_limit),
    ]


def usage_rest(
    family_used: int, family_limit: int, cores_used: int, cores_limit: int
) -> dict[str, Any]:
    """The usages API's body: `{"value": [...]}` with numbers."""
    return {
        "value": [
            {
                "limit": cores_limit,
                "unit": "Count",
                "currentValue": cores_used,
                "name": {"value": "cores", "localizedValue": "Total Regional vCPUs"},
            },
            {
                "limit": family_limit,
                "unit": "Count",
                "currentValue": family_used,
                "name": {"value": "standardFSFamily", "localizedValue": "Standard FS Family"},
            },
        ]
    }


def sku_powershell(
    name: str, family: str, vcpus: int, restrictions: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """One entry of `Get-AzComputeResourceSku | ConvertTo-Json -Depth 10` (PascalCase)."""
    return {
        "ResourceType": "virtualMachines",
        "Name": name,
        "Tier": "Standard",
        "Size": name.removeprefix("Standard_"),
        "Family": family,
        "Locations": ["westeurope"],
        "LocationInfo": [{"Location": "westeurope", "Zones": ["1", "2", "3"]}],
        "Capabilities": [
            {"Name": "vCPUs", "Value": str(vcpus)},
            {"Name": "MemoryGB", "Value": "16"},
        ],
        "Restrictions": restrictions or [],
    }


def permissions(*elements: dict[str, Any]) -> dict[str, Any]:
    """The permissions API's body: one element per role assignment."""
    return {
        "value": [
            {"actions": [], "notActions": [], "dataActions": [], "notDataActions": [], **e}
            for e in elements
        ]
    }


CONTRIBUTOR_ELEMENT = json.loads(CONTRIBUTOR.read_text(encoding="utf-8"))["value"][0]
USER_ACCESS_ADMINISTRATOR = {
    "actions": ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
    "notActions": [],
}
READER = {"actions": ["*/read"], "notActions": []}


def account(subscription: str, name: str = "Contoso Production") -> dict[str, Any]:
    """`az account show -o json`."""
    return {
        "environmentName": "AzureCloud",
        "homeTenantId": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "id": subscription,
        "isDefault": True,
        "managedByTenants": [],
        "name": name,
        "state": "Enabled",
        "tenantId": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "user": {"name": "installer@contoso.example", "type": "user"},
    }


def group_cli(name: str, subscription: str = SUB) -> dict[str, Any]:
    """One entry of `az group list -o json`."""
    return {
        "id": f"/subscriptions/{subscription}/resourceGroups/{name}",
        "location": "westeurope",
        "managedBy": None,
        "name": name,
        "properties": {"provisioningState": "Succeeded"},
        "tags": None,
        "type": "Microsoft.Resources/resourceGroups",
    }


def resource_cli(group: str, type_: str, name: str, subscription: str = SUB) -> dict[str, Any]:
    """One entry of `az resource list -o json`."""
    return {
        "id": f"/subscriptions/{subscription}/resourceGroups/{group}/providers/{type_}/{name}",
        "location": "westeurope",
        "name": name,
        "resourceGroup": group,
        "type": type_,
    }


def feature_cli(state: str, name: str = "UnifiedDiskEncryption") -> dict[str, Any]:
    """`az feature show -o json`."""
    return {
        "id": f"/subscriptions/{SUB}/providers/Microsoft.Features/providers/Microsoft.Compute/"
        f"features/{name}",
        "name": f"Microsoft.Compute/{name}",
        "properties": {"state": state},
        "type": "Microsoft.Features/providers/features",
    }


def fill_evidence(folder: Path, *, subscription: str = SUB, base: str = "contoso") -> None:
    """Every file `pxready azure-commands` writes for one connector in westeurope: the names
    free, no groups, Owner, the feature registered."""
    folder.mkdir(parents=True, exist_ok=True)

    def put(name: str, content: Any) -> None:
        (folder / name).write_text(json.dumps(content), encoding="utf-8")

    put("account.json", account(subscription))
    shutil.copy(LOCATIONS, folder / "locations.json")
    shutil.copy(PROVIDER, folder / "automation.json")
    put("usage-westeurope.json", usage_cli(0, 100, 0, 100))
    shutil.copy(SKUS_ALL, folder / "skus-westeurope.json")
    shutil.copy(OWNER, folder / "permissions.json")
    for kind in ("Trusted", "Guest"):
        put(f"bot-name-{base}-{kind}-TeamsBot.json", {"valid": True, "message": ""})
    put("bots.json", [])
    put("groups.json", [group_cli("NetworkWatcherRG", subscription)])
    put("features.json", feature_cli("Registered"))


def assert_one_line(message: str) -> None:
    assert message and "\n" not in message and "Traceback" not in message, message


# -- azure.region ----------------------------------------------------------------------------


def test_region_exact_programmatic_name_passes(deployment: Deployment) -> None:
    run = azure(deployment, "--azure-locations", str(LOCATIONS))
    result = one(run, "azure.region")
    assert result["status"] == "pass", result
    assert "westeurope (West Europe) is a region of the subscription" in result["message"]
    assert "cli_account-list-locations.json" in result["message"]
    assert result["target"] == FQDN
    assert result["details"]["region"] == "westeurope"
    assert result["details"]["display_name"] == "West Europe"


def test_region_display_name_warns_suggesting_the_programmatic_name(
    deployment: Deployment,
) -> None:
    script = GOOD_VARS.replace('"westeurope"', '"West Europe"')
    run = azure(deployment, "--azure-locations", str(REST_LOCATIONS), script=script)
    result = one(run, "azure.region")
    assert result["status"] == "warn", result
    assert "'West Europe' is the region westeurope" in result["message"]
    assert '$PxAzureLocation = "westeurope"' in result["message"]
    assert result["remediation"] == 'Write $PxAzureLocation = "westeurope".'
    assert result["details"]["region"] == "westeurope"


def test_region_misspelt_fails_with_did_you_mean(deployment: Deployment) -> None:
    script = GOOD_VARS.replace('"westeurope"', '"westeurpe"')
    run = azure(deployment, "--azure-locations", str(LOCATIONS), script=script)
    result = one(run, "azure.region")
    assert result["status"] == "fail", result
    assert "'westeurpe' is not a region of the subscription" in result["message"]
    assert "did you mean westeurope" in result["message"]
    assert "eastus2" not in result["message"]


def test_region_logical_geography_fails(deployment: Deployment) -> None:
    regions = json.loads(LOCATIONS.read_text(encoding="utf-8"))
    regions.append(
        {
            "displayName": "Europe",
            "id": f"/subscriptions/{SUB}/locations/europe",
            "metadata": {
                "geographyGroup": "Europe",
                "regionCategory": "Other",
                "regionType": "Logical",
            },
            "name": "europe",
            "regionalDisplayName": "Europe",
            "type": "Region",
        }
    )
    locations = write_json(deployment, "locations.json", regions)
    script = GOOD_VARS.replace('"westeurope"', '"europe"')
    result = one(azure(deployment, "--azure-locations", locations, script=script), "azure.region")
    assert result["status"] == "fail", result
    assert "'europe' is a geography, not a region" in result["message"]
    assert result["details"]["region"] == "europe"


def test_region_without_locations_file_is_skip_naming_the_flags(deployment: Deployment) -> None:
    # Other Azure files are given: the region check still needs its own.
    run = azure(deployment, "--azure-usage", str(TIGHT_USAGE))
    result = one(run, "azure.region")
    assert result["status"] == "skip", result
    assert "--azure-locations FILE" in result["message"]
    assert "--azure-evidence DIR" in result["message"]
    assert "--offline" in result["message"]
    reasons = {n["id"]: n for n in run.json()["summary"]["not_checked"]}
    assert reasons["azure.region"]["because"] == "no Azure evidence"


def test_region_evidence_folder_without_locations_names_the_missing_file(
    deployment: Deployment,
) -> None:
    folder = deployment.root / "evidence"
    fill_evidence(folder)
    (folder / "locations.json").unlink()
    result = one(azure(deployment, "--azure-evidence", str(folder)), "azure.region")
    assert result["status"] == "skip", result
    assert "has no locations.json" in result["message"]
    assert "--azure-locations FILE" in result["message"]


# -- azure.automation ------------------------------------------------------------------------


def test_automation_offered_in_the_region_passes(deployment: Deployment) -> None:
    run = azure(deployment, "--azure-provider", str(PROVIDER))
    result = one(run, "azure.automation")
    assert result["status"] == "pass", result
    assert "Azure Automation is offered in westeurope" in result["message"]
    assert result["details"]["registration"] == "Registered"
    assert result["target"] == FQDN


def test_automation_not_offered_fails_naming_where_it_is(deployment: Deployment) -> None:
    script = GOOD_VARS.replace('"westeurope"', '"francecentral"')
    run = azure(
        deployment,
        "--azure-provider",
        str(REST_PROVIDER),
        "--azure-locations",
        str(LOCATIONS),
        script=script,
    )
    result = one(run, "azure.automation")
    assert result["status"] == "fail", result
    message = result["message"]
    assert "Azure Automation is not offered in francecentral" in message
    for region in ("West Europe", "North Europe", "UK South", "East US 2", "Japan East"):
        assert region in message
    assert "rest_provider_Microsoft.Automation.json" in message


@pytest.mark.parametrize("written", ["West Europe", "UK South", "north europe"])
def test_automation_display_names_map_to_the_region(deployment: Deployment, written: str) -> None:
    script = GOOD_VARS.replace('"westeurope"', f'"{written}"')
    # Once with the subscription's regions at hand, once by Azure's spelling rule alone.
    with_regions = azure(
        deployment,
        "--azure-provider",
        str(PROVIDER),
        "--azure-locations",
        str(LOCATIONS),
        script=script,
    )
    without = azure(deployment, "--azure-provider", str(PROVIDER), script=script)
    expected = "".join(written.split()).lower()
    for run in (with_regions, without):
        result = one(run, "azure.automation")
        assert result["status"] == "pass", result
        assert f"offered in {expected}" in result["message"]


def test_automation_provider_not_registered_passes_with_a_note(deployment: Deployment) -> None:
    provider = json.loads(PROVIDER.read_text(encoding="utf-8"))
    provider["registrationState"] = "NotRegistered"
    path = write_json(deployment, "automation.json", provider)
    result = one(azure(deployment, "--azure-provider", path), "azure.automation")
    assert result["status"] == "pass", result
    assert "Microsoft.Automation is NotRegistered" in result["message"]
    assert "the installer registers it" in result["message"]


# -- azure.vm-size ---------------------------------------------------------------------------


def test_vm_size_non_f_size_offered_without_restriction_passes(deployment: Deployment) -> None:
    skus = write_json(
        deployment,
        "skus.json",
        [
            sku_powershell("Standard_D4s_v5", "standardDSv5Family", 4),
            sku_powershell("Standard_F4s", "standardFSFamily", 4),
        ],
    )
    run = azure(deployment, "--azure-skus", skus, "--vm-size", "Standard_D4s_v5")
    result = one(run, "azure.vm-size")
    assert result["status"] == "pass", result
    assert (
        "Standard_D4s_v5 (4 vCPUs, standardDSv5Family) is offered in westeurope without "
        "restriction" in result["message"]
    )
    assert "retire" not in result["message"]
    assert result["details"]["size"] == "Standard_D4s_v5"
    assert result["details"]["vcpus"] == 4
    assert result["details"]["family"] == "standardDSv5Family"


@pytest.mark.parametrize("skus", [SKUS_ALL, REST_SKUS], ids=["cli", "rest"])
def test_vm_size_f4s_warns_for_zone_and_retirement(deployment: Deployment, skus: Path) -> None:
    result = one(azure(deployment, "--azure-skus", str(skus)), "azure.vm-size")
    assert result["status"] == "warn", result
    message = result["message"]
    assert "Standard_F4s is restricted for this subscription in zone 3 of westeurope" in message
    assert "usable in zone" in message and "1" in message and "2" in message
    assert "retirement of the F, Fs and Fsv2 series" in message
    assert "November 2028" in message
    assert "Deploy where the size is usable" in result["remediation"]
    assert "[[waiver]]" in result["remediation"]
    assert result["details"]["family"] == "standardFSFamily"
    assert result["details"]["vcpus"] == 4


def test_vm_size_names_the_usable_zones_in_plain_words(deployment: Deployment) -> None:
    result = one(azure(deployment, "--azure-skus", str(SKUS_ALL)), "azure.vm-size")
    assert "usable in zones 1 and 2" in result["message"], result["message"]


def test_vm_size_powershell_restriction_enums_as_integers(deployment: Deployment) -> None:
    # ConvertTo-Json writes Type Location as 0 and ReasonCode NotAvailableForSubscription as 1.
    restricted = {
        "Type": 0,
        "Values": ["westeurope"],
        "RestrictionInfo": {"Locations": ["westeurope"], "Zones": None},
        "ReasonCode": 1,
    }
    skus = write_json(
        deployment,
        "skus.json",
        [sku_powershell("Standard_D4s_v5", "standardDSv5Family", 4, [restricted])],
    )
    run = azure(deployment, "--azure-skus", skus, "--vm-size", "Standard_D4s_v5")
    result = one(run, "azure.vm-size")
    assert result["status"] == "fail", result
    assert (
        "restricted in westeurope for this subscription (NotAvailableForSubscription)"
        in (result["message"])
    )


def test_vm_size_f4s_v2_without_restriction_warns_only_for_retirement(
    deployment: Deployment,
) -> None:
    run = azure(deployment, "--azure-skus", str(SKUS_ALL), "--vm-size", "Standard_F4s_v2")
    result = one(run, "azure.vm-size")
    assert result["status"] == "warn", result
    assert "zone" not in result["message"]
    assert "November 2028" in result["message"]
    assert "Deploy where the size is usable" not in result["remediation"]


def test_vm_size_location_restriction_fails(deployment: Deployment) -> None:
    run = azure(deployment, "--azure-skus", str(SKUS_ALL), "--vm-size", "Standard_F8s")
    result = one(run, "azure.vm-size")
    assert result["status"] == "fail", result
    message = result["message"]
    assert "Standard_F8s is restricted in westeurope for this subscription" in message
    assert "NotAvailableForSubscription" in message
    assert "SkuNotAvailable" in message
    assert result["details"]["size"] == "Standard_F8s"


def test_vm_size_absent_from_default_export_fails_mentioning_all(deployment: Deployment) -> None:
    run = azure(deployment, "--azure-skus", str(SKUS_DEFAULT), "--vm-size", "Standard_F8s")
    result = one(run, "azure.vm-size")
    assert result["status"] == "fail", result
    message = result["message"]
    assert "Standard_F8s is not offered in westeurope to this subscription" in message
    assert "--all" in message


def test_vm_size_absent_from_all_export_does_not_blame_the_export(deployment: Deployment) -> None:
    run = azure(deployment, "--azure-skus", str(SKUS_ALL), "--vm-size", "Standard_F16s")
    result = one(run, "azure.vm-size")
    assert result["status"] == "fail", result
    assert "Standard_F16s is not offered in westeurope" in result["message"]
    # The export holds a Location restriction, so it was made with --all.
    assert "--all" not in result["message"]


def test_vm_size_flag_and_config_change_the_size_judged(deployment: Deployment) -> None:
    default = one(azure(deployment, "--azure-skus", str(SKUS_ALL)), "azure.vm-size")
    assert default["details"]["size"] == "Standard_F4s"

    deployment.vars(GOOD_VARS)
    config = ONE_CONNECTOR + '\n[azure]\nvm_size = "Standard_F8s"\n'
    configured = azure(deployment, "--azure-skus", str(SKUS_ALL), config=config)
    assert one(configured, "azure.vm-size")["details"]["size"] == "Standard_F8s"
    assert one(configured, "azure.vm-size")["status"] == "fail"

    flagged = azure(
        deployment, "--azure-skus", str(SKUS_ALL), "--vm-size", "Standard_F4s_v2", config=config
    )
    result = one(flagged, "azure.vm-size")
    assert result["details"]["size"] == "Standard_F4s_v2"
    assert result["details"]["family"] == "standardFSv2Family"


# -- azure.quota -----------------------------------------------------------------------------


def quota(run: Run) -> dict[str, Any]:
    return one(run, "azure.quota")


@pytest.mark.parametrize("shape", ["cli", "powershell", "rest"])
def test_quota_exactly_enough_passes(deployment: Deployment, shape: str) -> None:
    # 3 × 4 = 12 needed; 12 free in the family (40 − 28) and in the region (100 − 88).
    content: Any = {"cli": usage_cli, "powershell": usage_powershell, "rest": usage_rest}[shape](
        28, 40, 88, 100
    )
    path = write_json(deployment, "usage.json", content)
    result = quota(azure(deployment, "--azure-usage", path))
    assert result["status"] == "pass", result
    message = result["message"]
    assert "needs 12 standardFSFamily vCPUs (3 × 4)" in message
    assert "12 of 40 free" in message
    assert "Total Regional vCPUs 12 of 100 free" in message
    assert result["details"]["needed"] == 12
    assert result["details"]["family_free"] == 12
    assert result["details"]["regional_free"] == 12
    assert result["target"] == FQDN


def test_quota_one_short_fails_request_one_more(deployment: Deployment) -> None:
    path = write_json(deployment, "usage.json", usage_cli(29, 40, 0, 100))
    result = quota(azure(deployment, "--azure-usage", path))
    assert result["status"] == "fail", result
    message = result["message"]
    assert "needs 12 standardFSFamily vCPUs (3 × 4); 11 of 40 free: request 1 more" in message
    assert "Total Regional" not in message
    assert result["details"]["family_free"] == 11


def test_quota_family_fine_but_regional_short_fails_naming_regional(
    deployment: Deployment,
) -> None:
    path = write_json(deployment, "usage.json", usage_rest(0, 100, 90, 100))
    result = quota(azure(deployment, "--azure-usage", path))
    assert result["status"] == "fail", result
    message = result["message"]
    assert "needs 12 Total Regional vCPUs (3 × 4); 10 of 100 free: request 2 more" in message
    assert "standardFSFamily vCPUs" not in message
    assert result["details"]["regional_free"] == 10


def test_quota_two_connectors_in_one_region_add_up(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    second = (
        GOOD_VARS.replace('"eu"', '"eu2"')
        .replace("teamsconn-eu.", "teamsconn-eu2.")
        .replace('$PxTeamsConnInstanceCount = "3"', '$PxTeamsConnInstanceCount = "2"')
    )
    deployment.vars(second, name="eu2/variables.ps1")
    config = (
        '[[connector]]\nvars = "eu/variables.ps1"\n\n[[connector]]\nvars = "eu2/variables.ps1"\n'
    )
    # 20 needed; exactly 20 free in both.
    path = write_json(deployment, "usage.json", usage_cli(20, 40, 80, 100))
    run = azure(deployment, "--azure-usage", path, config=config)
    results = by_target(run, "azure.quota")
    assert set(results) == {FQDN, "pexip-teamsconn-eu2.teams.example.com"}
    for result in results.values():
        assert result["status"] == "pass", result
        assert (
            "needs 20 standardFSFamily vCPUs (3 × 4 + 2 × 4 over 2 connectors in westeurope)"
            in result["message"]
        )
        assert result["details"]["needed"] == 20
        assert len(result["details"]["connectors"]) == 2

    # One vCPU less free: both connectors are short together.
    path = write_json(deployment, "usage.json", usage_cli(21, 40, 80, 100))
    run = azure(deployment, "--azure-usage", path, config=config)
    for result in run.results("azure.quota"):
        assert result["status"] == "fail", result
        assert "over 2 connectors" in result["message"]
        assert "19 of 40 free: request 1 more" in result["message"]


def test_quota_connectors_in_other_regions_do_not_add_up(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    north = (
        GOOD_VARS.replace('"eu"', '"ne"')
        .replace("teamsconn-eu.", "teamsconn-ne.")
        .replace('"westeurope"', '"North Europe"')
    )
    deployment.vars(north, name="ne/variables.ps1")
    config = (
        '[[connector]]\nvars = "eu/variables.ps1"\n\n[[connector]]\nvars = "ne/variables.ps1"\n'
    )
    folder = deployment.root / "evidence"
    folder.mkdir()
    (folder / "usage-westeurope.json").write_text(json.dumps(usage_cli(28, 40, 0, 100)))
    (folder / "usage-northeurope.json").write_text(json.dumps(usage_cli(0, 40, 0, 100)))
    run = azure(deployment, "--azure-evidence", str(folder), config=config)
    results = by_target(run, "azure.quota")
    west, north_result = results[FQDN], results["pexip-teamsconn-ne.teams.example.com"]
    assert west["status"] == "pass", west
    assert "needs 12 standardFSFamily vCPUs (3 × 4): 12 of 40 free" in west["message"]
    assert "usage-westeurope.json" in west["message"]
    assert north_result["status"] == "pass", north_result
    assert "(3 × 4): 40 of 40 free" in north_result["message"]
    assert "usage-northeurope.json" in north_result["message"]


def test_quota_family_limit_below_recommended_warns(deployment: Deployment) -> None:
    path = write_json(deployment, "usage.json", usage_cli(0, 20, 0, 100))
    result = quota(azure(deployment, "--azure-usage", path))
    assert result["status"] == "warn", result
    message = result["message"]
    assert "needs 12 standardFSFamily vCPUs (3 × 4): 20 of 20 free" in message
    assert "the standardFSFamily limit of 20 is below the 40 vCPUs" in message
    assert "planning guide recommends" in message


def test_quota_recommended_vcpus_is_configurable(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS)
    path = write_json(deployment, "usage.json", usage_cli(0, 20, 0, 100))
    low = quota(
        azure(
            deployment,
            "--azure-usage",
            path,
            config=ONE_CONNECTOR + "\n[azure]\nrecommended_vcpus = 20\n",
        )
    )
    assert low["status"] == "pass", low
    high = quota(
        azure(
            deployment,
            "--azure-usage",
            path,
            config=ONE_CONNECTOR + "\n[azure]\nrecommended_vcpus = 64\n",
        )
    )
    assert high["status"] == "warn", high
    assert "below the 64 vCPUs" in high["message"]


@pytest.mark.parametrize("usage", [TIGHT_USAGE, REST_TIGHT_USAGE], ids=["cli", "rest"])
def test_quota_tight_sample_fails_with_the_arithmetic(deployment: Deployment, usage: Path) -> None:
    run = azure(deployment, "--azure-usage", str(usage), "--azure-skus", str(SKUS_ALL))
    result = quota(run)
    assert result["status"] == "fail", result
    message = result["message"]
    assert "needs 12 standardFSFamily vCPUs (3 × 4)" in message
    assert "2 of 10 free: request 10 more" in message
    assert "needs 12 Total Regional vCPUs (3 × 4); 2 of 20 free: request 10 more" in message
    assert usage.name in message
    assert result["details"]["size_source"].endswith(SKUS_ALL.name)
    assert result["details"]["vcpus_per_instance"] == 4


def test_quota_without_sku_file_uses_the_built_in_table(deployment: Deployment) -> None:
    result = quota(azure(deployment, "--azure-usage", str(TIGHT_USAGE)))
    assert result["status"] == "fail", result
    assert "needs 12 standardFSFamily vCPUs (3 × 4)" in result["message"]
    assert result["details"]["size_source"] == "pxready's table of Fs sizes"
    assert result["details"]["family"] == "standardFSFamily"

    v2 = quota(azure(deployment, "--azure-usage", str(TIGHT_USAGE), "--vm-size", "Standard_F8s_v2"))
    assert v2["details"]["family"] == "standardFSv2Family"
    assert "needs 24 standardFSv2Family vCPUs (3 × 8)" in v2["message"]
    assert "10 of 10 free: request 14 more" in v2["message"]


def test_quota_unknown_size_without_sku_data_is_skip(deployment: Deployment) -> None:
    run = azure(deployment, "--azure-usage", str(TIGHT_USAGE), "--vm-size", "Standard_D4s_v5")
    result = quota(run)
    assert result["status"] == "skip", result
    assert "Standard_D4s_v5" in result["message"]
    assert "--azure-skus" in result["message"]


def test_quota_without_instance_count_is_skip(deployment: Deployment) -> None:
    script = GOOD_VARS.replace('$PxTeamsConnInstanceCount = "3"\n', "")
    result = quota(azure(deployment, "--azure-usage", str(TIGHT_USAGE), script=script))
    assert result["status"] == "skip", result
    assert "$PxTeamsConnInstanceCount is not set" in result["message"]


def test_quota_family_missing_from_the_usage_data_fails(deployment: Deployment) -> None:
    skus = write_json(
        deployment, "skus.json", [sku_powershell("Standard_D4s_v5", "standardDSv5Family", 4)]
    )
    run = azure(
        deployment,
        "--azure-usage",
        str(TIGHT_USAGE),
        "--azure-skus",
        skus,
        "--vm-size",
        "Standard_D4s_v5",
    )
    result = quota(run)
    assert result["status"] == "fail", result
    assert "no standardDSv5Family entry for westeurope" in result["message"]


# -- azure.permissions -----------------------------------------------------------------------


def perms(deployment: Deployment, content: Any) -> dict[str, Any]:
    path = write_json(deployment, "permissions.json", content)
    return one(azure(deployment, "--azure-permissions", path), "azure.permissions")


def test_permissions_owner_passes(deployment: Deployment) -> None:
    result = one(azure(deployment, "--azure-permissions", str(OWNER)), "azure.permissions")
    assert result["status"] == "pass", result
    assert "can create the resources and the role assignment" in result["message"]
    assert "appears to hold Owner" in result["message"]
    assert result["details"]["role"] == "Owner"
    assert "missing" not in result["details"]


@pytest.mark.parametrize(
    "elements",
    [
        [{"actions": ["*"]}],
        [{"Actions": ["*"], "NotActions": []}],  # PascalCase, as PowerShell writes it
        [CONTRIBUTOR_ELEMENT, {"actions": ["*"]}],  # Owner and Contributor both assigned
        [READER, {"actions": ["*"]}],
        [{"actions": ["*"], "notActions": [], "dataActions": [], "notDataActions": ["*"]}],
    ],
    ids=["owner", "powershell", "owner+contributor", "owner+reader", "owner-notdata"],
)
def test_permissions_an_owner_is_never_warned(
    deployment: Deployment, elements: list[dict[str, Any]]
) -> None:
    result = perms(deployment, {"value": elements})
    assert result["status"] == "pass", result
    assert "Owner" in result["message"]


def test_permissions_contributor_warns_naming_the_owner_step(deployment: Deployment) -> None:
    run = azure(deployment, "--azure-permissions", str(CONTRIBUTOR))
    result = one(run, "azure.permissions")
    assert result["status"] == "warn", result
    message = result["message"]
    assert f"not the role assignment ({ROLE_WRITE})" in message
    assert "the subscription Owner must run that step" in message
    assert "appears to hold Contributor" in message
    assert result["details"]["missing"] == [ROLE_WRITE]
    assert "Privileged Identity Management" in result["remediation"]


def test_permissions_contributor_plus_user_access_administrator_passes(
    deployment: Deployment,
) -> None:
    result = perms(deployment, permissions(CONTRIBUTOR_ELEMENT, USER_ACCESS_ADMINISTRATOR))
    assert result["status"] == "pass", result
    assert "Contributor with User Access Administrator" in result["message"]


def test_permissions_reader_fails_listing_what_is_missing(deployment: Deployment) -> None:
    result = perms(deployment, permissions(READER))
    assert result["status"] == "fail", result
    message = result["message"]
    assert "cannot create the Teams Connector's resources: not granted" in message
    assert "Microsoft.Resources/subscriptions/resourceGroups/write" in message
    assert "and 7 more" in message  # 11 writes: four named, seven counted
    assert "appears to hold Reader" in message
    assert len(result["details"]["missing"]) == 11
    assert "Microsoft.BotService/botServices/write" in result["details"]["missing"]
    # A role only eligible through PIM is invisible to the permissions API: that comes first.
    assert result["remediation"].startswith("If your role is eligible through Privileged")


def test_permissions_custom_role_excluding_network_writes_fails(deployment: Deployment) -> None:
    custom = {"actions": ["*"], "notActions": ["Microsoft.Network/*/write"]}
    result = perms(deployment, permissions(custom))
    assert result["status"] == "fail", result
    missing = result["details"]["missing"]
    assert missing == [
        "Microsoft.Network/virtualNetworks/write",
        "Microsoft.Network/networkSecurityGroups/write",
        "Microsoft.Network/publicIPAddresses/write",
        "Microsoft.Network/loadBalancers/write",
    ]
    assert "Microsoft.Network/virtualNetworks/write" in result["message"]
    assert "and " not in result["message"].split("not granted")[1].split("(")[0]


def test_permissions_not_actions_subtract_only_within_their_element(
    deployment: Deployment,
) -> None:
    # One role excludes the network writes, another grants them: they are granted.
    excluding = {"actions": ["*"], "notActions": ["Microsoft.Network/*/write"]}
    network = {"actions": ["Microsoft.Network/*"], "notActions": []}
    result = perms(deployment, permissions(excluding, network))
    assert result["status"] == "pass", result

    # Contributor's exclusion of Microsoft.Authorization/*/Write does not cancel a role
    # assignment writer's grant (the order of the elements does not matter).
    writer = {"actions": [ROLE_WRITE], "notActions": []}
    result = perms(deployment, permissions(writer, CONTRIBUTOR_ELEMENT))
    assert result["status"] == "pass", result


def test_permissions_data_actions_grant_nothing(deployment: Deployment) -> None:
    data_only = {"actions": ["*/read"], "dataActions": ["*"]}
    result = perms(deployment, permissions(data_only))
    assert result["status"] == "fail", result
    assert len(result["details"]["missing"]) == 11


def test_permissions_message_says_the_role_it_appears_to_hold(deployment: Deployment) -> None:
    uaa = perms(deployment, permissions(USER_ACCESS_ADMINISTRATOR))
    assert uaa["status"] == "fail", uaa
    assert "appears to hold User Access Administrator" in uaa["message"]
    nothing = perms(deployment, permissions({"actions": ["Microsoft.Support/*"]}))
    assert nothing["status"] == "fail", nothing
    assert "appears to hold no role that covers the install" in nothing["message"]


# -- azure.bot-name --------------------------------------------------------------------------


def bots(run: Run) -> dict[str, dict[str, Any]]:
    results = by_target(run, "azure.bot-name")
    assert set(results) == {TRUSTED_BOT, GUEST_BOT}, results
    return results


def test_bot_names_both_free_pass(deployment: Deployment) -> None:
    names = write_json(
        deployment,
        "names.json",
        {TRUSTED_BOT: {"valid": True, "message": ""}, GUEST_BOT: {"valid": True, "message": ""}},
    )
    results = bots(azure(deployment, "--azure-bot-names", names))
    for name, result in results.items():
        assert result["status"] == "pass", result
        assert result["message"].startswith(f"{name} is free")


def test_bot_name_taken_fails_quoting_the_installer(deployment: Deployment) -> None:
    names = write_json(
        deployment,
        "names.json",
        {
            TRUSTED_BOT: {"valid": True, "message": ""},
            GUEST_BOT: {"valid": False, "message": "Bot name is already in use", "absCode": "X"},
        },
    )
    results = bots(azure(deployment, "--azure-bot-names", names))
    assert results[TRUSTED_BOT]["status"] == "pass"
    taken = results[GUEST_BOT]
    assert taken["status"] == "fail", taken
    message = taken["message"]
    assert f"{GUEST_BOT} is already in use (Bot name is already in use)" in message
    assert '"InvalidBotData - Bot is not valid - Id is already in use"' in message
    # Without the subscription's bots, it says what would tell an earlier install apart.
    assert "the export of the subscription's bots would say so" in message
    assert taken["details"]["message"] == "Bot name is already in use"


def test_bot_name_taken_by_this_subscriptions_bot_passes_with_a_note(
    deployment: Deployment,
) -> None:
    folder = deployment.root / "evidence"
    fill_evidence(folder)
    (folder / f"bot-name-{GUEST_BOT}.json").write_text(
        json.dumps({"valid": False, "message": "Bot name is already in use"})
    )
    (folder / "bots.json").write_text(
        json.dumps(
            [resource_cli("contoso-TeamsBotChan-RG", "Microsoft.BotService/botServices", GUEST_BOT)]
        )
    )
    results = bots(azure(deployment, "--azure-evidence", str(folder)))
    assert results[TRUSTED_BOT]["status"] == "pass"
    ours = results[GUEST_BOT]
    assert ours["status"] == "pass", ours
    assert (
        "taken by this subscription's own bot in resource group contoso-TeamsBotChan-RG"
        in (ours["message"])
    )
    assert ours["details"]["resource_group"] == "contoso-TeamsBotChan-RG"


def test_bot_name_taken_by_another_bot_of_the_subscription_still_fails(
    deployment: Deployment,
) -> None:
    folder = deployment.root / "evidence"
    fill_evidence(folder)
    (folder / f"bot-name-{GUEST_BOT}.json").write_text(json.dumps({"valid": False}))
    (folder / "bots.json").write_text(
        json.dumps([resource_cli("other-RG", "Microsoft.BotService/botServices", "other-bot")])
    )
    taken = bots(azure(deployment, "--azure-evidence", str(folder)))[GUEST_BOT]
    assert taken["status"] == "fail", taken
    assert "would say so" not in taken["message"]  # the bots were exported


def test_bot_name_file_without_one_of_the_names_fails_for_it(deployment: Deployment) -> None:
    names = write_json(deployment, "names.json", {TRUSTED_BOT: {"valid": True, "message": ""}})
    results = bots(azure(deployment, "--azure-bot-names", names))
    assert results[TRUSTED_BOT]["status"] == "pass"
    assert results[GUEST_BOT]["status"] == "fail"
    assert f"says nothing about {GUEST_BOT}" in results[GUEST_BOT]["message"]


# -- azure.resource-groups -------------------------------------------------------------------


def groups(run: Run) -> dict[str, dict[str, Any]]:
    results = by_target(run, "azure.resource-groups")
    assert set(results) == {MAIN_RG, STATIC_RG}, results
    return results


def test_groups_absent_pass(deployment: Deployment) -> None:
    path = write_json(deployment, "groups.json", [group_cli("NetworkWatcherRG")])
    for result in groups(azure(deployment, "--azure-groups", path)).values():
        assert result["status"] == "pass", result
        assert "does not exist yet" in result["message"]


def test_groups_empty_leftover_fails_quoting_the_installer(deployment: Deployment) -> None:
    folder = deployment.root / "evidence"
    fill_evidence(folder)
    (folder / "groups.json").write_text(json.dumps([group_cli(MAIN_RG)]))
    (folder / f"resources-{MAIN_RG}.json").write_text("[]")
    results = groups(azure(deployment, "--azure-evidence", str(folder)))
    leftover = results[MAIN_RG]
    assert leftover["status"] == "fail", leftover
    assert f"{MAIN_RG} exists and is empty" in leftover["message"]
    assert "Web space with name" in leftover["message"]
    assert f"az group delete --name {MAIN_RG}" in leftover["remediation"]
    assert results[STATIC_RG]["status"] == "pass"


def test_groups_with_resources_warn_listing_them(deployment: Deployment) -> None:
    folder = deployment.root / "evidence"
    fill_evidence(folder)
    (folder / "groups.json").write_text(json.dumps([group_cli(MAIN_RG), group_cli(STATIC_RG)]))
    held = [
        resource_cli(MAIN_RG, "Microsoft.Compute/virtualMachineScaleSets", "contoso-vmss"),
        resource_cli(MAIN_RG, "Microsoft.Network/loadBalancers", "contoso-lb"),
    ]
    (folder / f"resources-{MAIN_RG}.json").write_text(json.dumps(held))
    (folder / f"resources-{STATIC_RG}.json").write_text(json.dumps({"value": []}))
    results = groups(azure(deployment, "--azure-evidence", str(folder)))
    main = results[MAIN_RG]
    assert main["status"] == "warn", main
    assert f"{MAIN_RG} exists and holds 2 resources" in main["message"]
    assert "contoso-vmss (Microsoft.Compute/virtualMachineScaleSets)" in main["message"]
    assert "contoso-lb (Microsoft.Network/loadBalancers)" in main["message"]
    assert "upgrade or redeploy" in main["message"]
    assert [r["name"] for r in main["details"]["resources"]] == ["contoso-vmss", "contoso-lb"]
    assert results[STATIC_RG]["status"] == "fail"


def test_groups_existence_known_but_not_contents_warns(deployment: Deployment) -> None:
    # Group names are not case-sensitive in Azure; the target keeps the script's spelling, so
    # that a waiver matches whatever case Azure reports.
    path = write_json(deployment, "groups.json", {"value": [group_cli(MAIN_RG.lower())]})
    results = by_target(azure(deployment, "--azure-groups", path), "azure.resource-groups")
    assert set(results) == {MAIN_RG, STATIC_RG}, results
    main = results[MAIN_RG]
    assert main["status"] == "warn", main
    assert "already exists; whether it is empty is not in the export" in main["message"]
    assert "az resource list --resource-group" in main["message"]
    assert results[STATIC_RG]["status"] == "pass"


def test_groups_empty_leftover_spelt_in_another_case_fails(deployment: Deployment) -> None:
    folder = deployment.root / "evidence"
    fill_evidence(folder)
    existing = "Contoso-TeamsConn-EU-RG"  # as Azure keeps it from an earlier attempt
    (folder / "groups.json").write_text(json.dumps([group_cli(existing)]))
    # What the script of `pxready azure-commands` writes: the group as the variables name it.
    (folder / f"resources-{MAIN_RG}.json").write_text("[]")
    results = by_target(azure(deployment, "--azure-evidence", str(folder)), "azure.resource-groups")
    leftover = results[MAIN_RG]  # named as the script names it
    assert leftover["status"] == "fail", leftover
    assert "exists and is empty" in leftover["message"]


def test_groups_powershell_export_is_read(deployment: Deployment) -> None:
    path = write_json(
        deployment,
        "groups.json",
        [
            {
                "ResourceGroupName": MAIN_RG,
                "Location": "westeurope",
                "ProvisioningState": "Succeeded",
                "ResourceId": f"/subscriptions/{SUB}/resourceGroups/{MAIN_RG}",
            }
        ],
    )
    results = groups(azure(deployment, "--azure-groups", path))
    assert results[MAIN_RG]["status"] == "warn", results[MAIN_RG]
    assert results[STATIC_RG]["status"] == "pass"


# -- azure.features --------------------------------------------------------------------------


def feature_run(deployment: Deployment, content: Any, script: str = ENCRYPTED_VARS) -> Any:
    path = write_json(deployment, "features.json", content)
    return one(azure(deployment, "--azure-features", path, script=script), "azure.features")


def test_features_registered_passes(deployment: Deployment) -> None:
    result = feature_run(deployment, feature_cli("Registered"))
    assert result["status"] == "pass", result
    assert "Microsoft.Compute/UnifiedDiskEncryption is registered" in result["message"]


def test_features_powershell_export_registered_passes(deployment: Deployment) -> None:
    content = {
        "FeatureName": "UnifiedDiskEncryption",
        "ProviderName": "Microsoft.Compute",
        "RegistrationState": "Registered",
    }
    assert feature_run(deployment, content)["status"] == "pass"


def test_features_not_registered_fails(deployment: Deployment) -> None:
    result = feature_run(deployment, feature_cli("NotRegistered"))
    assert result["status"] == "fail", result
    assert "is NotRegistered, not Registered" in result["message"]
    assert "$PxTeamsConnDiskEncryption is $true" in result["message"]
    assert result["details"]["state"] == "NotRegistered"


def test_features_missing_from_the_file_fails(deployment: Deployment) -> None:
    result = feature_run(deployment, [feature_cli("Registered", name="SomethingElse")])
    assert result["status"] == "fail", result
    assert "Microsoft.Compute/UnifiedDiskEncryption is not registered" in result["message"]


def test_features_without_disk_encryption_is_skip(deployment: Deployment) -> None:
    result = feature_run(deployment, feature_cli("NotRegistered"), script=GOOD_VARS)
    assert result["status"] == "skip", result
    assert "$PxTeamsConnDiskEncryption is not $true" in result["message"]

    off = GOOD_VARS + "$PxTeamsConnDiskEncryption = $false\n"
    result = feature_run(deployment, feature_cli("NotRegistered"), script=off)
    assert result["status"] == "skip", result


# -- the evidence folder ---------------------------------------------------------------------


def test_evidence_folder_gives_every_azure_check_a_verdict(deployment: Deployment) -> None:
    folder = deployment.root / "evidence"
    fill_evidence(folder)
    run = azure(deployment, "--azure-evidence", str(folder), script=ENCRYPTED_VARS)
    statuses = {r["id"]: r["status"] for r in run.json()["results"]}
    assert set(statuses) == set(AZURE_CHECKS)
    for result in run.json()["results"]:
        assert result["status"] in ("pass", "warn", "fail"), result
        assert "evidence" in result["message"], result
    assert statuses["azure.vm-size"] == "warn"  # F4s: zone 3 and the retirement
    assert run.json()["summary"]["not_checked"] == []
    assert run.code == 0


def test_evidence_folder_named_in_pxready_toml(deployment: Deployment) -> None:
    fill_evidence(deployment.root / "azure")
    deployment.vars(ENCRYPTED_VARS)
    run = azure(deployment, config=ONE_CONNECTOR + '\n[azure]\nevidence = "azure/"\n')
    for check_id in AZURE_CHECKS:
        for result in run.results(check_id):
            assert result["status"] in ("pass", "warn"), result


def test_a_named_file_wins_over_the_evidence_folder(deployment: Deployment) -> None:
    folder = deployment.root / "evidence"
    fill_evidence(folder)
    run = azure(deployment, "--azure-evidence", str(folder), "--azure-usage", str(TIGHT_USAGE))
    result = quota(run)
    assert result["status"] == "fail", result
    assert TIGHT_USAGE.name in result["message"]


def test_evidence_for_another_subscription_is_error(deployment: Deployment) -> None:
    folder = deployment.root / "evidence"
    fill_evidence(folder, subscription=SUB2)
    run = azure(deployment, "--azure-evidence", str(folder), script=ENCRYPTED_VARS)
    for check_id in AZURE_CHECKS:
        for result in run.results(check_id):
            assert result["status"] == "error", result
            message = result["message"]
            assert_one_line(message)
            assert f"collected for subscription {SUB2} (Contoso Production)" in message
            assert f"not for $PxSubscriptionId {SUB}" in message
    assert run.code == 3


def test_two_subscriptions_read_their_own_subfolders(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    fabrikam = (
        GOOD_VARS.replace(SUB, SUB2)
        .replace('"contoso"', '"fabrikam"')
        .replace("teamsconn-eu.", "teamsconn-fb.")
    )
    deployment.vars(fabrikam, name="fb/variables.ps1")
    config = (
        '[[connector]]\nvars = "eu/variables.ps1"\n\n[[connector]]\nvars = "fb/variables.ps1"\n'
    )
    folder = deployment.root / "evidence"
    fill_evidence(folder / SUB)
    fill_evidence(folder / SUB2, subscription=SUB2, base="fabrikam")
    # Fabrikam's quota is tight, Contoso's is not: each connector reads its own subfolder.
    shutil.copy(TIGHT_USAGE, folder / SUB2 / "usage-westeurope.json")
    run = azure(deployment, "--azure-evidence", str(folder), config=config)
    quotas = by_target(run, "azure.quota")
    assert quotas[FQDN]["status"] == "pass", quotas[FQDN]
    assert f"{SUB}/usage-westeurope.json" in quotas[FQDN]["message"]
    fb = quotas["pexip-teamsconn-fb.teams.example.com"]
    assert fb["status"] == "fail", fb
    assert f"{SUB2}/usage-westeurope.json" in fb["message"]
    regions = run.results("azure.region")
    assert [r["status"] for r in regions] == ["pass", "pass"]
    groups_results = run.results("azure.resource-groups")
    assert {r["target"] for r in groups_results} == {
        MAIN_RG,
        STATIC_RG,
        "fabrikam-TeamsConn-eu-RG",
        "fabrikam-TeamsConn-eu-static-RG",
    }
    assert all(r["status"] == "pass" for r in groups_results), groups_results


def test_two_subscriptions_bot_names_of_both_are_judged(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    fabrikam = (
        GOOD_VARS.replace(SUB, SUB2)
        .replace('"contoso"', '"fabrikam"')
        .replace("teamsconn-eu.", "teamsconn-fb.")
    )
    deployment.vars(fabrikam, name="fb/variables.ps1")
    config = (
        '[[connector]]\nvars = "eu/variables.ps1"\n\n[[connector]]\nvars = "fb/variables.ps1"\n'
    )
    folder = deployment.root / "evidence"
    fill_evidence(folder / SUB)
    fill_evidence(folder / SUB2, subscription=SUB2, base="fabrikam")
    run = azure(deployment, "--azure-evidence", str(folder), config=config)
    results = by_target(run, "azure.bot-name")
    assert set(results) == {
        TRUSTED_BOT,
        GUEST_BOT,
        "fabrikam-Trusted-TeamsBot",
        "fabrikam-Guest-TeamsBot",
    }, run.results("azure.bot-name")
    assert all(r["status"] == "pass" for r in results.values())


# -- nothing at all --------------------------------------------------------------------------


def test_offline_without_any_azure_file_skips_every_check(deployment: Deployment) -> None:
    run = azure(deployment, script=ENCRYPTED_VARS)
    results = run.json()["results"]
    assert {r["id"] for r in results} == set(AZURE_CHECKS)
    for result in results:
        assert result["status"] == "skip", result
        assert "Azure is not asked under --offline" in result["message"]
        assert "--azure-evidence DIR" in result["message"]
    not_checked = run.json()["summary"]["not_checked"]
    assert {n["id"] for n in not_checked} == set(AZURE_CHECKS)
    assert all(n["because"] == "no Azure evidence" for n in not_checked), not_checked
    assert run.code == 3
    assert run.json()["ready"] is False


# -- bad files -------------------------------------------------------------------------------


def test_a_file_that_is_not_json_is_error_and_the_rest_still_run(deployment: Deployment) -> None:
    broken = deployment.write("permissions.json", "this is not json\n")
    run = azure(
        deployment,
        "--azure-permissions",
        str(broken),
        "--azure-locations",
        str(LOCATIONS),
        "--azure-usage",
        str(TIGHT_USAGE),
    )
    result = one(run, "azure.permissions")
    assert result["status"] == "error", result
    assert_one_line(result["message"])
    assert "permissions.json is not JSON" in result["message"]
    assert one(run, "azure.region")["status"] == "pass"
    assert quota(run)["status"] == "fail"


def test_a_usage_export_given_as_skus_is_error_naming_the_file(deployment: Deployment) -> None:
    run = azure(
        deployment,
        "--azure-skus",
        str(TIGHT_USAGE),
        "--azure-locations",
        str(LOCATIONS),
        "--azure-provider",
        str(PROVIDER),
        "--azure-permissions",
        str(OWNER),
    )
    result = one(run, "azure.vm-size")
    assert result["status"] == "error", result
    message = result["message"]
    assert_one_line(message)
    assert TIGHT_USAGE.name in message
    assert "holds no VM sizes (it looks like a vCPU usage export)" in message
    assert one(run, "azure.region")["status"] == "pass"
    assert one(run, "azure.automation")["status"] == "pass"
    assert one(run, "azure.permissions")["status"] == "pass"
    # azure.quota has no usage file here, so it cannot judge, but it does not crash.
    assert quota(run)["status"] in ("skip", "error")
    assert "bug" not in quota(run)["message"]


def test_an_azure_error_response_saved_as_an_export_is_error(deployment: Deployment) -> None:
    error = SYNTHETIC / "rest_error_403_AuthorizationFailed.json"
    run = azure(deployment, "--azure-usage", str(error))
    result = quota(run)
    assert result["status"] == "error", result
    assert_one_line(result["message"])
    assert (
        "holds an Azure error response, not an export: AuthorizationFailed" in (result["message"])
    )


def test_a_bot_name_azure_refuses_for_its_characters_is_not_called_taken(
    deployment: Deployment,
) -> None:
    refusal = {"valid": False, "message": "The bot name contains invalid characters."}
    names = write_json(deployment, "names.json", {TRUSTED_BOT: refusal, GUEST_BOT: {"valid": True}})
    result = bots(azure(deployment, "--azure-bot-names", names))[TRUSTED_BOT]
    assert result["status"] == "fail"
    assert (
        "is not a valid Azure Bot name (The bot name contains invalid characters.)"
        in (result["message"])
    )
    assert "already in use" not in result["message"]


def test_features_without_disk_encryption_is_not_applicable_even_without_files(
    deployment: Deployment,
) -> None:
    result = one(azure(deployment), "azure.features")
    assert result["status"] == "skip"
    assert result["message"] == "$PxTeamsConnDiskEncryption is not $true, so no feature is needed"
