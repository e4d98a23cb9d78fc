"""Azure export files, in every shape users produce them, read into the model's records."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.azure import exports
from checks.azure.exports import (
    ExportProblem,
    load,
    parse_account,
    parse_features,
    parse_groups,
    parse_locations,
    parse_name_availability,
    parse_permissions,
    parse_provider,
    parse_resources,
    parse_skus,
    parse_usages,
)
from checks.azure.model import (
    Account,
    Feature,
    Group,
    NameAvailability,
    PermissionSet,
    Region,
    Resource,
    Restriction,
)
from readiness.connector import display_path

SAMPLES = Path(__file__).parent / "data" / "azure-samples"
SYNTHETIC = SAMPLES / "synthetic"
SUBSCRIPTION = "7f4a2c1e-93b5-4d0e-a1c2-5e6f7a8b9c0d"


def sample(name: str) -> Any:
    return load(SAMPLES / name, "export")


def write(tmp_path: Path, content: Any, name: str = "export.json") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_text(json.dumps(content), encoding="utf-8")
    return path


def problem(call: Any, *args: Any) -> str:
    with pytest.raises(ExportProblem) as caught:
        call(*args)
    message = caught.value.message
    assert str(caught.value) == message
    assert "\n" not in message
    return message


# --- recorded and specification payloads ------------------------------------------------------


def test_recorded_westus_usages() -> None:
    usages = parse_usages(sample("sdk-python-recording_compute-usages_westus_api-2020-06-01.json"))
    assert len(usages) == 97
    by_name = {u.name: u for u in usages}
    assert by_name["cores"].localized == "Total Regional vCPUs"
    assert (by_name["cores"].current, by_name["cores"].limit) == (0, 100)
    assert (by_name["standardHFamily"].limit, by_name["standardHFamily"].free) == (8, 8)
    assert by_name["StandardDiskCount"].current == 1
    assert by_name["standardFSFamily"].localized == "Standard FS Family vCPUs"


def test_spec_usage_example_with_next_link() -> None:
    doc = sample("rest-api-specs_ComputeRP-2024-07-01_Usage_List_MaximumSet_Gen.json")
    assert doc["nextLink"] == "aaaaaaaaaaaaaaaaaaaaaaaaaaa"  # the spec wrapper is gone
    [usage] = parse_usages(doc)
    assert (usage.name, usage.current, usage.limit, usage.free) == ("aaaaaaaaaaaaaaaaaa", 17, 19, 2)


def test_spec_sku_example() -> None:
    doc = sample("rest-api-specs_Skus-2021-07-01_ListAvailableResourceSkusForARegion.json")
    a0, a1 = parse_skus(doc, "westus")
    assert a0.name == "Standard_A0"
    assert a0.family == "standardA0_A7Family"
    assert a0.vcpus == 1
    assert a0.locations == ("westus",)
    assert a0.zones == ("1", "2")  # the example lists them as "2", "1"
    assert a0.restrictions == ()
    assert a0.resource_type == "virtualMachines"
    assert a1.zones == ("1", "2", "3")


def test_spec_sku_example_with_an_edge_zone_entry() -> None:
    doc = sample(
        "rest-api-specs_Skus-2021-07-01_ListAvailableResourceSkusWithExtendedLocations.json"
    )
    skus = {s.name: s for s in parse_skus(doc, "WestUS")}
    # the EdgeZone locationInfo entry of the same region adds no zones
    assert skus["Standard_A1"].zones == ("1", "2", "3")


def test_spec_sku_example_asked_for_another_region() -> None:
    doc = sample("rest-api-specs_Skus-2021-07-01_ListAvailableResourceSkusForARegion.json")
    message = problem(parse_skus, doc, "westeurope")
    assert message == (
        "holds no VM sizes offered in 'westeurope' (its sizes are for westus: "
        "an export of another region?)"
    )


def test_spec_provider_example() -> None:
    provider = parse_provider(sample("rest-api-specs_Resources-2025-04-01_GetProvider.json"))
    assert provider.namespace == "Microsoft.TestRP1"
    assert provider.registration == "Registering"
    assert provider.locations == {
        "testresourcetype": ("West US",),
        "testresourcetypesibling": ("West US",),
    }


def test_spec_locations_example_with_a_bare_array_body() -> None:
    regions = parse_locations(sample("rest-api-specs_Resources-2022-12-01_GetLocations.json"))
    assert regions == [
        Region("eastus", "East US", "(US) East US", True),
        Region("eastus2", "East US 2", "(US) East US 2", True),
    ]


def test_spec_bot_name_example() -> None:
    doc = sample("rest-api-specs_BotService-2022-09-15_CheckNameAvailability.json")
    assert parse_name_availability(doc, ["testbotname"]) == {
        "testbotname": NameAvailability("testbotname", True, "custom message from server", "")
    }


# --- synthetic CLI and REST shapes ------------------------------------------------------------


def test_cli_and_rest_locations_agree() -> None:
    cli = parse_locations(load(SYNTHETIC / "cli_account-list-locations.json", "export"))
    rest = parse_locations(load(SYNTHETIC / "rest_subscription-locations.json", "export"))
    assert cli == rest
    assert [r.name for r in cli] == ["westeurope", "northeurope", "uksouth", "eastus2"]
    assert cli[0] == Region("westeurope", "West Europe", "(Europe) West Europe", True)


def test_cli_and_rest_provider_agree() -> None:
    cli = parse_provider(load(SYNTHETIC / "cli_provider-show_Microsoft.Automation.json", "x"))
    rest = parse_provider(load(SYNTHETIC / "rest_provider_Microsoft.Automation.json", "x"))
    assert cli == rest
    assert cli.namespace == "Microsoft.Automation"
    assert cli.registration == "Registered"
    assert list(cli.locations) == ["automationaccounts"]
    assert cli.locations["automationaccounts"][:3] == ("Japan East", "East US 2", "West Europe")
    assert len(cli.locations["automationaccounts"]) == 7


def test_cli_usage_string_numbers_are_integers() -> None:
    cli = parse_usages(load(SYNTHETIC / "cli_vm-list-usage_westeurope_tight-quota.json", "x"))
    rest = parse_usages(load(SYNTHETIC / "rest_usages_westeurope_tight-quota.json", "x"))
    assert cli == rest
    by_name = {u.name: u for u in cli}
    fs = by_name["standardFSFamily"]
    assert (fs.current, fs.limit, fs.free) == (8, 10, 2)
    assert isinstance(fs.current, int)
    assert (by_name["cores"].current, by_name["cores"].limit) == (18, 20)
    assert by_name["standardDSv3Family"].free == 0


def test_cli_skus_all_and_default_differ_by_the_restricted_f8s() -> None:
    every = parse_skus(
        load(SYNTHETIC / "cli_vm-list-skus_westeurope_size-Standard_F_all.json", "x"), "westeurope"
    )
    default = parse_skus(
        load(SYNTHETIC / "cli_vm-list-skus_westeurope_size-Standard_F_default.json", "x"),
        "westeurope",
    )
    assert [s.name for s in every] == ["Standard_F4s", "Standard_F4s_v2", "Standard_F8s"]
    assert [s.name for s in default] == ["Standard_F4s", "Standard_F4s_v2"]
    f8s = every[2]
    assert f8s.vcpus == 8
    assert f8s.family == "standardFSFamily"
    assert f8s.restrictions == (
        Restriction("Location", "NotAvailableForSubscription", ("westeurope",), ()),
        Restriction("Zone", "NotAvailableForSubscription", ("westeurope",), ("1", "2", "3")),
    )


def test_rest_skus_match_the_cli_all_export() -> None:
    rest = parse_skus(load(SYNTHETIC / "rest_skus_westeurope_F-series.json", "x"), "westeurope")
    cli = parse_skus(
        load(SYNTHETIC / "cli_vm-list-skus_westeurope_size-Standard_F_all.json", "x"), "westeurope"
    )
    assert rest == cli
    f4s = rest[0]
    assert f4s.zones == ("1", "2", "3")
    assert f4s.restrictions == (
        Restriction("Zone", "NotAvailableForSubscription", ("westeurope",), ("3",)),
    )
    assert rest[1].name == "Standard_F4s_v2"
    assert (rest[1].family, rest[1].vcpus, rest[1].restrictions) == ("standardFSv2Family", 4, ())


def test_sdk_models_parse_like_rest_bodies() -> None:
    # azure-mgmt-compute 39's models are mappings with the REST keys
    from azure.mgmt.compute.models import ResourceSku, Usage

    body = json.loads((SYNTHETIC / "rest_skus_westeurope_F-series.json").read_text())
    models = [ResourceSku(item) for item in body["value"]]
    assert parse_skus(models, "westeurope") == parse_skus(body, "westeurope")
    usage = Usage(
        {"unit": "Count", "currentValue": 8, "limit": 10, "name": {"value": "standardFSFamily"}}
    )
    assert parse_usages([usage])[0].free == 2


def test_permissions() -> None:
    owner = parse_permissions(load(SYNTHETIC / "rest_permissions_subscription_owner.json", "x"))
    assert owner == [PermissionSet(("*",), ())]
    [contributor] = parse_permissions(
        load(SYNTHETIC / "rest_permissions_subscription_contributor.json", "x")
    )
    assert contributor.actions == ("*",)
    assert "Microsoft.Authorization/*/Write" in contributor.not_actions
    assert len(contributor.not_actions) == 8


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("rest_error_403_AuthorizationFailed.json", "AuthorizationFailed"),
        ("rest_error_400_NoRegisteredProviderFound.json", "NoRegisteredProviderFound"),
    ],
)
def test_an_arm_error_body_is_a_problem_naming_its_code(name: str, code: str) -> None:
    message = problem(load, SYNTHETIC / name, "usage export")
    shown = display_path(SYNTHETIC / name)
    assert message.startswith(f"{shown} holds an Azure error response, not an export: {code}: ")


# --- PowerShell shapes ------------------------------------------------------------------------


def test_powershell_usage_single_object(tmp_path: Path) -> None:
    doc = {
        "Name": {"Value": "standardFSFamily", "LocalizedValue": "Standard FS Family vCPUs"},
        "CurrentValue": 8,
        "Limit": 10,
        "Unit": "Count",
    }
    [usage] = parse_usages(load(write(tmp_path, doc), "usage export"))
    assert usage == ("standardFSFamily", "Standard FS Family vCPUs", 8, 10)


def test_powershell_usage_list_wrapped_by_windows_powershell(tmp_path: Path) -> None:
    # Windows PowerShell 5.1 writes arrays of -InputObject as {"value": [...], "Count": n}
    item = {"Name": {"Value": "cores", "LocalizedValue": "Total"}, "CurrentValue": 1, "Limit": 4}
    doc = {"value": [item, item], "Count": 2}
    assert [u.free for u in parse_usages(load(write(tmp_path, doc), "x"))] == [3, 3]


def test_powershell_skus_with_integer_enums(tmp_path: Path) -> None:
    doc = [
        {
            "ResourceType": "virtualMachines",
            "Name": "Standard_F4s",
            "Tier": "Standard",
            "Size": "F4s",
            "Family": "standardFSFamily",
            "Locations": ["westeurope"],
            "LocationInfo": [
                {"Location": "westeurope", "Zones": ["3", "1", "2"], "ZoneDetails": []}
            ],
            "Capabilities": [{"Name": "vCPUs", "Value": "4"}, {"Name": "MemoryGB", "Value": "8"}],
            "Restrictions": [
                {
                    "Type": 1,
                    "Values": ["westeurope"],
                    "RestrictionInfo": {"Locations": ["westeurope"], "Zones": ["3"]},
                    "ReasonCode": 1,
                },
                {
                    "Type": 0,
                    "Values": ["northeurope"],
                    "RestrictionInfo": {"Locations": ["northeurope"], "Zones": None},
                    "ReasonCode": 0,
                },
            ],
        }
    ]
    [sku] = parse_skus(load(write(tmp_path, doc), "SKU export"), "WestEurope")
    assert sku.name == "Standard_F4s"
    assert sku.vcpus == 4
    assert sku.zones == ("1", "2", "3")
    # the northeurope restriction does not concern westeurope
    assert sku.restrictions == (
        Restriction("Zone", "NotAvailableForSubscription", ("westeurope",), ("3",)),
    )
    assert "holds no VM sizes offered in 'northeurope'" in problem(parse_skus, doc, "northeurope")


def test_sku_offered_through_location_info_only(tmp_path: Path) -> None:
    doc = [
        {
            "name": "Standard_F2s",
            "resourceType": "virtualMachines",
            "locationInfo": [{"location": "WestEurope", "zones": []}],
            "capabilities": [{"name": "vcpus", "value": 2}],
        },
        {"name": "Standard_X", "resourceType": "virtualMachines", "locations": ["uksouth"]},
    ]
    [sku] = parse_skus(doc, "westeurope")
    assert (sku.name, sku.locations, sku.vcpus, sku.zones) == (
        "Standard_F2s",
        ("westeurope",),
        2,
        (),
    )


def test_sku_without_vcpus_capability() -> None:
    [sku] = parse_skus([{"name": "Standard_Y", "locations": ["westeurope"]}], "westeurope")
    assert (sku.vcpus, sku.family, sku.resource_type) == (None, None, "virtualMachines")


def test_powershell_provider_objects_are_merged(tmp_path: Path) -> None:
    doc = [
        {
            "ProviderNamespace": "Microsoft.Automation",
            "RegistrationState": "NotRegistered",
            "ResourceTypes": [
                {"ResourceTypeName": "automationAccounts", "Locations": ["West Europe"]}
            ],
        },
        {
            "ProviderNamespace": "microsoft.automation",
            "RegistrationState": "NotRegistered",
            "ResourceTypes": [
                {
                    "ResourceTypeName": "automationAccounts",
                    "Locations": ["UK South", "West Europe"],
                },
                {"ResourceTypeName": "automationAccounts/runbooks", "Locations": []},
            ],
        },
    ]
    provider = parse_provider(load(write(tmp_path, doc), "provider export"))
    assert provider.namespace == "Microsoft.Automation"
    assert provider.registration == "NotRegistered"
    assert provider.locations == {
        "automationaccounts": ("West Europe", "UK South"),
        "automationaccounts/runbooks": (),
    }


def test_several_providers_are_a_problem() -> None:
    doc = [
        {"namespace": "Microsoft.Automation", "resourceTypes": []},
        {"namespace": "Microsoft.Compute", "resourceTypes": []},
    ]
    assert "holds several resource providers" in problem(parse_provider, doc)


def test_powershell_locations() -> None:
    doc = [
        {
            "Location": "westeurope",
            "DisplayName": "West Europe",
            "Providers": ["Microsoft.Compute"],
        },
        {"Location": "europe", "DisplayName": "Europe", "RegionType": "Logical", "Providers": []},
    ]
    assert parse_locations(doc) == [
        Region("westeurope", "West Europe", "", True),
        Region("europe", "Europe", "", False),
    ]


def test_rest_logical_region() -> None:
    doc = {
        "value": [
            {"name": "global", "displayName": "Global", "metadata": {"regionType": "Logical"}}
        ]
    }
    assert parse_locations(doc) == [Region("global", "Global", "", False)]


def test_features_in_every_shape() -> None:
    wanted = [Feature("Microsoft.Compute/UnifiedDiskEncryption", "Registered")]
    powershell = {
        "FeatureName": "UnifiedDiskEncryption",
        "ProviderName": "Microsoft.Compute",
        "RegistrationState": "Registered",
    }
    cli_show = {
        "id": f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Features/providers/"
        "Microsoft.Compute/features/UnifiedDiskEncryption",
        "name": "Microsoft.Compute/UnifiedDiskEncryption",
        "properties": {"state": "Registered"},
        "type": "Microsoft.Features/providers/features",
    }
    assert parse_features(powershell) == wanted
    assert parse_features(cli_show) == wanted
    assert parse_features({"value": [cli_show]}) == wanted
    listed = parse_features(
        [
            {"name": "Microsoft.Compute/Other", "properties": {"state": "NotRegistered"}},
            cli_show,
        ]
    )
    assert listed == [Feature("Microsoft.Compute/Other", "NotRegistered"), *wanted]


def test_groups_in_every_shape() -> None:
    cli = [
        {
            "id": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/pxtc-RG",
            "location": "westeurope",
            "name": "pxtc-RG",
            "properties": {"provisioningState": "Succeeded"},
            "type": "Microsoft.Resources/resourceGroups",
        }
    ]
    powershell = {
        "ResourceGroupName": "pxtc-RG",
        "Location": "westeurope",
        "ProvisioningState": "Succeeded",
        "ResourceId": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/pxtc-RG",
    }
    assert parse_groups(cli) == parse_groups(powershell) == [Group("pxtc-RG", True, None)]
    assert parse_groups([]) == []


def test_group_with_the_resources_extension() -> None:
    doc = [
        {
            "name": "pxtc-RG",
            "resources": [
                {"name": "pxtc-kv", "type": "Microsoft.KeyVault/vaults"},
                {"Name": "pxtc-ip", "ResourceType": "Microsoft.Network/publicIPAddresses"},
            ],
        },
        {"name": "empty-RG", "resources": []},
    ]
    assert parse_groups(doc) == [
        Group(
            "pxtc-RG",
            True,
            (
                Resource("pxtc-kv", "Microsoft.KeyVault/vaults", "pxtc-RG"),
                Resource("pxtc-ip", "Microsoft.Network/publicIPAddresses", "pxtc-RG"),
            ),
        ),
        Group("empty-RG", True, ()),
    ]


def test_resources_in_every_shape() -> None:
    bot = "Microsoft.BotService/botServices"
    cli = [{"name": "pxtc-Trusted-TeamsBot", "type": bot, "resourceGroup": "pxtc-bots-RG"}]
    powershell = {
        "Name": "pxtc-Trusted-TeamsBot",
        "ResourceGroupName": "pxtc-bots-RG",
        "ResourceType": bot,
        "Type": bot,
    }
    rest = {
        "value": [
            {
                "id": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/pxtc-bots-RG/providers/"
                f"{bot}/pxtc-Trusted-TeamsBot",
                "name": "pxtc-Trusted-TeamsBot",
                "type": bot,
            }
        ]
    }
    wanted = [Resource("pxtc-Trusted-TeamsBot", bot, "pxtc-bots-RG")]
    assert parse_resources(cli) == parse_resources(powershell) == parse_resources(rest) == wanted


def test_account_in_every_shape() -> None:
    wanted = Account(SUBSCRIPTION, "Pexip Prod", "Enabled", "admin@example.com")
    cli = {
        "environmentName": "AzureCloud",
        "id": SUBSCRIPTION.upper(),
        "isDefault": True,
        "name": "Pexip Prod",
        "state": "Enabled",
        "tenantId": "11111111-2222-3333-4444-555555555555",
        "user": {"name": "admin@example.com", "type": "user"},
    }
    powershell = {
        "Name": "Pexip Prod (x) - admin@example.com",
        "Account": {"Id": "admin@example.com", "Type": "User"},
        "Subscription": {"Id": SUBSCRIPTION, "Name": "Pexip Prod", "State": "Enabled"},
        "Tenant": {"Id": "11111111-2222-3333-4444-555555555555"},
    }
    rest = {
        "id": f"/subscriptions/{SUBSCRIPTION}",
        "subscriptionId": SUBSCRIPTION,
        "displayName": "Pexip Prod",
        "state": "Enabled",
        "tenantId": "11111111-2222-3333-4444-555555555555",
        "subscriptionPolicies": {},
    }
    assert parse_account(cli) == wanted
    assert parse_account(powershell) == wanted
    assert parse_account(rest) == wanted._replace(user="")
    other = {**cli, "id": "00000000-0000-0000-0000-000000000000", "isDefault": False}
    assert parse_account([other, cli]) == wanted


def test_account_problems() -> None:
    assert problem(parse_account, []) == "holds no account (it is empty)"
    context = {"Account": {"Id": "a@b"}, "Subscription": None, "Tenant": {"Id": "t"}}
    assert problem(parse_account, context) == "holds no account (it names no subscription)"
    assert "'my-sub' is not a subscription id" in problem(
        parse_account, {"id": "my-sub", "tenantId": "t", "user": {}}
    )


# --- name availability ------------------------------------------------------------------------


def test_name_availability_mapping() -> None:
    doc = {
        "pxtc-Trusted-TeamsBot": {"valid": True, "message": ""},
        "pxtc-Guest-TeamsBot": {
            "valid": False,
            "message": "Bot with this id already exists",
            "absCode": "AlreadyExists",
        },
        "someone-else": {"valid": True},
    }
    result = parse_name_availability(doc, ["PXTC-Trusted-TeamsBot", "pxtc-Guest-TeamsBot", "x"])
    assert result == {
        "PXTC-Trusted-TeamsBot": NameAvailability("PXTC-Trusted-TeamsBot", True, "", ""),
        "pxtc-Guest-TeamsBot": NameAvailability(
            "pxtc-Guest-TeamsBot", False, "Bot with this id already exists", "AlreadyExists"
        ),
    }


def test_name_availability_list_with_the_generic_shape() -> None:
    doc = [
        {"name": "a-bot", "nameAvailable": False, "reason": "AlreadyExists", "message": "taken"},
        {"name": "b-bot", "nameAvailable": "true"},
    ]
    assert parse_name_availability(doc, ["A-BOT", "b-bot"]) == {
        "A-BOT": NameAvailability("A-BOT", False, "taken", "AlreadyExists"),
        "b-bot": NameAvailability("b-bot", True, "", ""),
    }


def test_one_nameless_answer_needs_exactly_one_name() -> None:
    answer = {"valid": False, "message": "in use", "absCode": "AlreadyExists"}
    assert parse_name_availability(answer, ["pxtc-Guest-TeamsBot"]) == {
        "pxtc-Guest-TeamsBot": NameAvailability(
            "pxtc-Guest-TeamsBot", False, "in use", "AlreadyExists"
        )
    }
    message = problem(parse_name_availability, answer, ["a", "b"])
    assert message.startswith("holds one answer without the name it is about, but 2 names")


def test_name_availability_problems() -> None:
    assert "is 'maybe', not true or false" in problem(
        parse_name_availability, {"valid": "maybe"}, ["a"]
    )
    assert problem(parse_name_availability, {"a": {"valid": True}, "b": 3}, ["a"]) == (
        "has 'b' mapped to a number without `valid` or `nameAvailable`, "
        "not a name-availability answer"
    )
    usage = load(SYNTHETIC / "rest_usages_westeurope_tight-quota.json", "x")
    assert problem(parse_name_availability, usage, ["a"]) == (
        "holds no name-availability answers (it looks like a vCPU usage export)"
    )


# --- load: wrappers, encodings, empty files, bad files ----------------------------------------


def test_invoke_azrestmethod_output_saved_whole(tmp_path: Path) -> None:
    body = (SYNTHETIC / "rest_permissions_subscription_owner.json").read_text()
    saved = {
        "Headers": {"x-ms-request-id": ["1"]},
        "Version": "1.1",
        "StatusCode": 200,
        "Method": "GET",
        "Content": body,
    }
    doc = load(write(tmp_path, saved), "permissions export")
    assert parse_permissions(doc) == [PermissionSet(("*",), ())]
    as_strings = {**saved, "StatusCode": "OK"}  # PowerShell 7's -EnumsAsStrings
    assert parse_permissions(load(write(tmp_path, as_strings), "x")) == [PermissionSet(("*",), ())]


def test_invoke_azrestmethod_failure_quotes_the_arm_error(tmp_path: Path) -> None:
    error = (SYNTHETIC / "rest_error_403_AuthorizationFailed.json").read_text()
    path = write(tmp_path, {"statusCode": 403, "content": error})
    message = problem(load, path, "permissions export")
    assert message.startswith(
        f"{path} records a failed Azure request (HTTP 403: AuthorizationFailed: The client "
    )
    path = write(tmp_path, {"StatusCode": 500, "Content": "oops"})
    assert problem(load, path, "x") == f"{path} records a failed Azure request (HTTP 500)"


def test_invoke_azrestmethod_content_that_is_not_json(tmp_path: Path) -> None:
    path = write(tmp_path, {"StatusCode": 200, "Content": "<html>"})
    assert problem(load, path, "x") == (
        f"{path} is Invoke-AzRestMethod output whose Content is not JSON "
        "(line 1, column 1: Expecting value; it begins '<html>')"
    )


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),  # Windows PowerShell's `>`
        ("utf-16-be", b"\xfe\xff"),
        ("utf-16-le", b""),
    ],
)
def test_encodings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    text = (SYNTHETIC / "cli_vm-list-usage_westeurope_tight-quota.json").read_text()
    text = text.replace("Total Regional vCPUs", "Processeurs virtuels régionaux")
    path = write(tmp_path, bom + text.replace("\n", "\r\n").encode(encoding))
    usages = parse_usages(load(path, "usage export"))
    assert usages[0].localized == "Processeurs virtuels régionaux"
    assert (usages[0].current, usages[0].limit) == (18, 20)


def test_windows_code_page_text(tmp_path: Path) -> None:
    doc = '[{"name": {"value": "cores", "localizedValue": "r\xe9gion"}, "currentValue": 1, '
    doc += '"limit": 2}]'
    [usage] = parse_usages(load(write(tmp_path, doc.encode("cp1252")), "x"))
    assert (usage.localized, usage.limit) == ("r\xe9gion", 2)


@pytest.mark.parametrize(
    "content", [b"", b"  \r\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\xff\xfe \x00"]
)
def test_empty_file_is_an_empty_list(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, content)
    assert load(path, "usage export") == []
    assert parse_usages(load(path, "usage export")) == []
    assert parse_skus(load(path, "x"), "westeurope") == []
    assert parse_groups(load(path, "x")) == []
    assert "holds no resource provider (it is empty)" in problem(parse_provider, load(path, "x"))


def test_not_json(tmp_path: Path) -> None:
    path = write(tmp_path, "ERROR: (AuthorizationFailed) The client does not have authorization\n")
    assert problem(load, path, "usage export") == (
        f"{path} is not JSON (line 1, column 1: Expecting value; it begins "
        "'ERROR: (AuthorizationFailed) The client does not have authorization')"
    )
    path = write(tmp_path, '[\n  {"name": "x",\n  }\n]')
    assert problem(load, path, "x").startswith(f"{path} is not JSON (line 3, column 3: ")


def test_invalid_utf16(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xff\xfe[\x00\x00\xd8]\x00")  # a lone surrogate
    assert problem(load, path, "x").startswith(f"{path} is not valid UTF-16 text (")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    assert problem(load, tmp_path / "gone.json", "x") == f"{tmp_path / 'gone.json'} does not exist"
    assert problem(load, tmp_path, "x") == f"{tmp_path} is a folder, not a file"


def test_path_relative_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "azure").mkdir()
    write(tmp_path / "azure", "{", "usage.json")
    monkeypatch.chdir(tmp_path)
    message = problem(load, Path("azure/usage.json"), "x")
    assert message.startswith(f"{os.path.join('azure', 'usage.json')} is not JSON (line 1, ")


def test_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "MAX_EXPORT_BYTES", 1024)
    path = write(tmp_path, b"[" + b" " * 2000 + b"]")
    assert problem(load, path, "usage export") == (
        f"{path} is larger than 1 KiB; a real usage export is a few kilobytes, so pxready does "
        "not read it"
    )


def test_deep_nesting_and_long_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "[" * 100_000 + "]" * 100_000)
    assert problem(load, path, "x") == f"{path} is JSON nested more deeply than pxready reads"
    path = write(tmp_path, "[" + "9" * 5000 + "]")
    assert problem(load, path, "x") == f"{path} holds a number too long for pxready to read"


def test_spec_example_without_a_success_body(tmp_path: Path) -> None:
    path = write(tmp_path, {"parameters": {}, "responses": {"404": {"body": {}}}})
    assert problem(load, path, "x") == (
        f"{path} is a REST API example without a successful response body"
    )


# --- truncated PowerShell exports, wrong kinds, bad values -------------------------------------


def test_usage_truncated_by_the_default_depth() -> None:
    doc = [
        {
            "Name": "Microsoft.Azure.Commands.Compute.Models.PSUsageName",
            "CurrentValue": 8,
            "Limit": 10,
        }
    ]
    message = problem(parse_usages, doc)
    assert message.startswith(
        "has entry 1 whose name is 'Microsoft.Azure.Commands.Compute.Models.PSUsageName' "
        "where an object is expected (PowerShell's ConvertTo-Json wrote a type name"
    )
    assert message.endswith("re-export with `ConvertTo-Json -Depth 10`)")


def test_skus_truncated_by_the_default_depth() -> None:
    listed = {
        "Name": "Standard_F4s",
        "ResourceType": "virtualMachines",
        "Locations": ["westeurope"],
        "LocationInfo": "System.Collections.Generic.List`1[Microsoft.Azure.Management.Compute."
        "Models.ResourceSkuLocationInfo]",
    }
    assert "ConvertTo-Json -Depth 10" in problem(parse_skus, [listed], "westeurope")
    items = {
        **listed,
        "LocationInfo": [],
        "Restrictions": ["Microsoft.Azure.Management.Compute.Models.ResourceSkuRestrictions"],
    }
    assert "ConvertTo-Json -Depth 10" in problem(parse_skus, [items], "westeurope")


def test_provider_locations_joined_by_the_default_depth() -> None:
    doc = {
        "ProviderNamespace": "Microsoft.Automation",
        "ResourceTypes": [
            {"ResourceTypeName": "automationAccounts", "Locations": "West Europe UK South"}
        ],
    }
    assert problem(parse_provider, doc) == (
        "has type 'automationAccounts' whose locations is 'West Europe UK South' where a list is "
        "expected (if this is a PowerShell export, ConvertTo-Json cut it at its default depth: "
        "re-export with `ConvertTo-Json -Depth 10`)"
    )


def test_wrong_kind_of_export() -> None:
    usage = load(SYNTHETIC / "rest_usages_westeurope_tight-quota.json", "x")
    skus = load(SYNTHETIC / "rest_skus_westeurope_F-series.json", "x")
    locations = load(SYNTHETIC / "cli_account-list-locations.json", "x")
    groups = [{"name": "rg", "type": "Microsoft.Resources/resourceGroups"}]
    assert problem(parse_skus, usage, "westeurope") == (
        "holds no VM sizes (it looks like a vCPU usage export)"
    )
    assert (
        problem(parse_usages, skus) == "holds no vCPU usages (it looks like a VM size (SKU) export)"
    )
    assert problem(parse_provider, locations) == (
        "holds no resource provider (it looks like a region list)"
    )
    assert problem(parse_account, usage) == "holds no account (it looks like a vCPU usage export)"
    assert problem(parse_resources, groups) == (
        "holds no resources (it looks like a resource group list)"
    )
    assert problem(parse_groups, skus) == (
        "holds no resource groups (it looks like a VM size (SKU) export)"
    )
    assert (
        problem(parse_permissions, locations)
        == "holds no permissions (it looks like a region list)"
    )
    assert (
        problem(parse_locations, 42) == "holds no regions (it is a number, not a list or an object)"
    )
    assert problem(parse_features, [{"foo": 1}]) == (
        "holds no feature registrations (entry 1 has no name and state; its keys: foo)"
    )


@pytest.mark.parametrize(
    ("limit", "shown"),
    [("ten", "'ten'"), (1.5, "'1.5'"), (None, "null"), (True, "true"), ([], "a list")],
)
def test_a_number_that_is_not_an_integer(limit: Any, shown: str) -> None:
    doc = [{"name": {"value": "cores"}, "currentValue": "1", "limit": limit}]
    assert problem(parse_usages, doc) == (
        f"has entry 1 ('cores') whose limit is {shown}, not a whole number"
    )


def test_integral_floats_and_signs_are_integers() -> None:
    doc = [{"name": {"value": "cores"}, "currentValue": 3.0, "limit": " +20 "}]
    assert parse_usages(doc)[0][2:] == (3, 20)


def test_sku_with_a_bad_vcpus_capability() -> None:
    doc = [{"name": "S", "locations": ["x"], "capabilities": [{"name": "vCPUs", "value": "4.5"}]}]
    assert problem(parse_skus, doc, "x") == (
        "has entry 1 ('S') whose vCPUs capability is '4.5', not a whole number"
    )


def test_unknown_restriction_enum_value() -> None:
    doc = [{"name": "S", "locations": ["x"], "restrictions": [{"type": 7, "values": ["x"]}]}]
    assert problem(parse_skus, doc, "x") == (
        "has entry 1 ('S') restriction whose type is 7, not one pxready knows"
    )


# --- anything at all: a result or ExportProblem ------------------------------------------------

_KEYS = [
    "name", "Name", "value", "Value", "currentValue", "limit", "localizedValue", "locations",
    "locationInfo", "location", "zones", "restrictions", "type", "Type", "values",
    "restrictionInfo", "reasonCode", "capabilities", "resourceType", "resourceTypes",
    "namespace", "registrationState", "actions", "notActions", "valid", "nameAvailable",
    "absCode", "properties", "state", "featureName", "providerName", "resourceGroup",
    "resourceGroupName", "id", "subscription", "Subscription", "account", "tenantId", "user",
    "isDefault", "displayName", "metadata", "regionType", "resources", "error", "code",
    "message", "StatusCode", "Content", "responses", "parameters", "200", "body", "westeurope",
]  # fmt: skip
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["", "1", "westeurope", "Zone", "Location", "vCPUs", "System.Object[]"])
    | st.text(max_size=12)
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=30,
)
_PARSERS = [
    parse_locations,
    parse_provider,
    parse_usages,
    lambda d: parse_skus(d, "westeurope"),
    parse_permissions,
    lambda d: parse_name_availability(d, ["westeurope"]),
    lambda d: parse_name_availability(d, ["a", "name"]),
    parse_resources,
    parse_groups,
    parse_features,
    parse_account,
]


@settings(max_examples=400, deadline=None)
@given(_JSON)
def test_any_json_gives_a_result_or_an_export_problem(doc: Any) -> None:
    for parse in _PARSERS:
        try:
            parse(doc)
        except ExportProblem as exc:
            assert exc.message and "\n" not in exc.message


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200) | _JSON.map(lambda d: json.dumps(d).encode("utf-16")))
def test_any_file_loads_or_gives_an_export_problem(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.json"
        path.write_bytes(data)
        try:
            load(path, "export")
        except ExportProblem as exc:
            assert exc.message.startswith(str(path)) and "\n" not in exc.message
