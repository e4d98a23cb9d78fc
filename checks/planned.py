"""Check ids of the pxready contract that this version does not build yet.

Announcing them keeps configurations written for the whole contract working (`skip =
["tls.node"]` is no typo), and lets `pxready explain` say what each will verify.
"""

from __future__ import annotations

from readiness import Needs
from readiness.check import PlannedCheck

CONTRACT = "pxready contract"

azure_region = PlannedCheck(
    "azure.region", "Azure region exists", "$PxAzureLocation is a real Azure region name",
    Needs.AZURE,
)  # fmt: skip
azure_automation = PlannedCheck(
    "azure.automation",
    "Region offers Azure Automation",
    "the region offers Azure Automation accounts",
    Needs.AZURE,
)
azure_vm_size = PlannedCheck(
    "azure.vm-size",
    "VM size is offered in the region",
    "the VM size is offered in the region with no restriction for the subscription",
    Needs.AZURE,
)
azure_quota = PlannedCheck(
    "azure.quota",
    "vCPU quota is enough",
    "free vCPU quota (family and total regional) is at least instances × vCPUs per instance; "
    "warn below the recommended headroom",
    Needs.AZURE,
)
azure_permissions = PlannedCheck(
    "azure.permissions",
    "Signed-in identity can install",
    "the signed-in identity can create the resources (Contributor) and the role assignment "
    "(the Owner step of the install)",
    Needs.AZURE,
)
azure_bot_name = PlannedCheck(
    "azure.bot-name",
    "Azure Bot names are free",
    "the two Azure Bot names derived from $PxBaseConnName are free (globally unique; "
    '"InvalidBotData … Id is already in use")',
    Needs.AZURE,
)
azure_resource_groups = PlannedCheck(
    "azure.resource-groups",
    "No empty leftover resource groups",
    'the resource groups the installer creates do not exist as empty leftovers ("Web space '
    'with name … already exists")',
    Needs.AZURE,
)
azure_features = PlannedCheck(
    "azure.features",
    "Disk-encryption feature is registered",
    "with $PxTeamsConnDiskEncryption = $true, the subscription has "
    "Microsoft.Compute/UnifiedDiskEncryption registered",
    Needs.AZURE,
)
