"""What the Azure checks know about a subscription, whichever source it came from (Azure
Resource Manager live, or an export file): small value records, parsed once at the boundary.

Every parser of this package returns these; the checks never look at raw JSON.
"""

from __future__ import annotations

from typing import NamedTuple


class Region(NamedTuple):
    name: str  # programmatic: "westeurope"
    display_name: str  # "West Europe"
    regional_display_name: str = ""  # "(Europe) West Europe"
    physical: bool = True  # False for the logical ones ("europe", "global")


class Usage(NamedTuple):
    """One quota counter of a region: `name` as ARM names it ("standardFSFamily", "cores")."""

    name: str
    localized: str
    current: int
    limit: int

    @property
    def free(self) -> int:
        return max(self.limit - self.current, 0)


class Restriction(NamedTuple):
    kind: str  # "Location" or "Zone"
    reason: str  # "NotAvailableForSubscription", "QuotaId", ...
    locations: tuple[str, ...]  # programmatic names, lower case
    zones: tuple[str, ...]  # for a Zone restriction: the zones that are restricted


class Sku(NamedTuple):
    """A virtual machine size as the Resource SKUs API describes it in one region."""

    name: str  # "Standard_F4s"
    family: str | None  # "standardFSFamily"
    vcpus: int | None
    locations: tuple[str, ...]  # lower case
    zones: tuple[str, ...]  # zones the size exists in, in the region asked about
    restrictions: tuple[Restriction, ...]
    resource_type: str = "virtualMachines"


class ProviderTypes(NamedTuple):
    """A resource provider's registration and where each of its resource types is offered."""

    namespace: str
    registration: str | None  # "Registered", "NotRegistered", ...
    locations: dict[str, tuple[str, ...]]  # resource type (lower case) → display names


class PermissionSet(NamedTuple):
    """One element of the permissions API's `value`: what one role assignment grants."""

    actions: tuple[str, ...]
    not_actions: tuple[str, ...]


class NameAvailability(NamedTuple):
    name: str
    available: bool
    message: str = ""
    reason: str = ""  # Azure's code, e.g. "AlreadyExists" (absCode)


class Resource(NamedTuple):
    name: str
    type: str
    group: str


class Group(NamedTuple):
    name: str
    exists: bool
    resources: tuple[Resource, ...] | None = None  # None: existence known, contents not


class Feature(NamedTuple):
    name: str  # "Microsoft.Compute/UnifiedDiskEncryption"
    state: str  # "Registered", "NotRegistered", "Pending", ...


class Account(NamedTuple):
    """Who collected the evidence, for which subscription."""

    subscription_id: str
    subscription_name: str = ""
    state: str = ""  # "Enabled", "Disabled", "Warned", ...
    user: str = ""
