"""The Azure evidence: which export each Azure check reads, the file it is kept in, the flag and
pxready.toml key that name it, and the command that makes it (Azure CLI and PowerShell).

`pxready azure-commands` prints these commands as a script; `--azure-evidence DIR` reads the
files they write. Keeping both here keeps them in step. Every command is a documented `az`
command or cmdlet; `az rest` / `Invoke-AzRestMethod` only where no dedicated one exists.
"""

from __future__ import annotations

from typing import NamedTuple

from checks.azure import DISK_ENCRYPTION_FEATURE

ARM_PERMISSIONS_API = "2022-04-01"
BOT_SERVICE_API = "2022-09-15"
BOT_TYPE = "Microsoft.BotService/botServices"


class Export(NamedTuple):
    kind: str  # a stable key: "usage", "skus", ...
    file: str  # the file name in the evidence folder; {location}, {group}, {name} filled in
    flag: str | None  # the check flag that names one such file
    key: str | None  # the [azure] key that does
    what: str  # what it holds, for messages
    az: str  # the Azure CLI command (bash); placeholders as in `file`, plus {subscription}
    powershell: str  # the same with Az PowerShell


EXPORTS = {
    e.kind: e
    for e in (
        Export(
            "account",
            "account.json",
            None,
            None,
            "the signed-in account and subscription",
            "az account show --subscription {subscription} -o json",
            "Get-AzContext | ConvertTo-Json -Depth 10",
        ),
        Export(
            "locations",
            "locations.json",
            "--azure-locations",
            "locations_file",
            "the subscription's regions",
            "az account list-locations --subscription {subscription} -o json",
            "ConvertTo-Json -Depth 10 -InputObject @(Get-AzLocation)",
        ),
        Export(
            "provider",
            "automation.json",
            "--azure-provider",
            "provider_file",
            "the regions of Microsoft.Automation",
            "az provider show --namespace Microsoft.Automation --subscription {subscription} "
            "-o json",
            "Get-AzResourceProvider -ProviderNamespace Microsoft.Automation | "
            "ConvertTo-Json -Depth 10",
        ),
        Export(
            "usage",
            "usage-{location}.json",
            "--azure-usage",
            "usage_file",
            "the region's vCPU quota",
            "az vm list-usage --location {location} --subscription {subscription} -o json",
            "ConvertTo-Json -Depth 10 -InputObject @(Get-AzVMUsage -Location {location})",
        ),
        Export(
            "skus",
            "skus-{location}.json",
            "--azure-skus",
            "skus_file",
            "the region's VM sizes and their restrictions",
            "az vm list-skus --location {location} --resource-type virtualMachines --all "
            "--subscription {subscription} -o json",
            "ConvertTo-Json -Depth 10 -InputObject @(Get-AzComputeResourceSku -Location "
            "{location} | Where-Object ResourceType -eq 'virtualMachines')",
        ),
        Export(
            "permissions",
            "permissions.json",
            "--azure-permissions",
            "permissions_file",
            "the signed-in identity's permissions on the subscription",
            'az rest --method get --url "/subscriptions/{subscription}/providers/'
            f'Microsoft.Authorization/permissions?api-version={ARM_PERMISSIONS_API}"',
            "(Invoke-AzRestMethod -Method GET -Path '/subscriptions/{subscription}/providers/"
            f"Microsoft.Authorization/permissions?api-version={ARM_PERMISSIONS_API}').Content",
        ),
        Export(
            "bot-names",
            "bot-name-{name}.json",
            "--azure-bot-names",
            "bot_names_file",
            "the availability of the Azure Bot names",
            'az rest --method post --url "/providers/Microsoft.BotService/checkNameAvailability'
            "?api-version=" + BOT_SERVICE_API + '" --body '
            '\'{{"name": "{name}", "type": "' + BOT_TYPE + "\"}}'",
            "(Invoke-AzRestMethod -Method POST -Path '/providers/Microsoft.BotService/"
            "checkNameAvailability?api-version=" + BOT_SERVICE_API + "' -Payload "
            '\'{{"name": "{name}", "type": "' + BOT_TYPE + "\"}}').Content",
        ),
        Export(
            "bots",
            "bots.json",
            None,
            None,
            "the subscription's Azure Bots",
            f"az resource list --resource-type {BOT_TYPE} --subscription {{subscription}} -o json",
            f"ConvertTo-Json -Depth 10 -InputObject @(Get-AzResource -ResourceType {BOT_TYPE})",
        ),
        Export(
            "groups",
            "groups.json",
            "--azure-groups",
            "groups_file",
            "the subscription's resource groups",
            "az group list --subscription {subscription} -o json",
            "ConvertTo-Json -Depth 10 -InputObject @(Get-AzResourceGroup)",
        ),
        Export(
            "resources",
            "resources-{group}.json",
            None,
            None,
            "what a resource group holds",
            "az resource list --resource-group {group} --subscription {subscription} -o json",
            "ConvertTo-Json -Depth 10 -InputObject @(Get-AzResource -ResourceGroupName {group})",
        ),
        Export(
            "features",
            "features.json",
            "--azure-features",
            "features_file",
            "the state of the disk-encryption feature",
            f"az feature show --namespace {DISK_ENCRYPTION_FEATURE[0]} "
            f"--name {DISK_ENCRYPTION_FEATURE[1]} --subscription {{subscription}} -o json",
            f"Get-AzProviderFeature -ProviderNamespace {DISK_ENCRYPTION_FEATURE[0]} "
            f"-FeatureName {DISK_ENCRYPTION_FEATURE[1]} | ConvertTo-Json -Depth 10",
        ),
    )
}


def file_name(kind: str, **fill: str) -> str:
    """The evidence file for one export, e.g. `usage-westeurope.json`."""
    return EXPORTS[kind].file.format(**fill)
