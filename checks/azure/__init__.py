"""The Azure checks and what they share: one model of the subscription (`model`), filled from
Azure Resource Manager live or from export files (`exports`, `sources`), the names the installer
will create (`names`), and the evidence a colleague with Azure access can collect (`evidence`)."""

# The subscription feature that `$PxTeamsConnDiskEncryption = $true` needs (namespace, name).
DISK_ENCRYPTION_FEATURE = ("Microsoft.Compute", "UnifiedDiskEncryption")


def location_key(location: str) -> str:
    """The programmatic form Azure's tools accept for a region: 'West Europe' → 'westeurope'."""
    return "".join(location.split()).lower()
