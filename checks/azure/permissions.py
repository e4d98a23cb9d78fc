"""What an identity may do in a subscription, from the permissions API's answer.

Each element of the answer is one role assignment's `actions` and `notActions` (globs, compared
case-insensitively). An operation is granted when some element's actions match it and that
same element's notActions do not: notActions subtract within their own element only and deny
nothing (a role that excludes an operation plus another that grants it means it is allowed).
dataActions grant no control-plane operation and are ignored.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checks.azure.model import PermissionSet

# What the installer creates with Contributor rights (the planning guide's "most steps").
CREATE = (
    "Microsoft.Resources/subscriptions/resourceGroups/write",
    "Microsoft.Resources/deployments/write",
    "Microsoft.Compute/virtualMachineScaleSets/write",
    "Microsoft.Network/virtualNetworks/write",
    "Microsoft.Network/networkSecurityGroups/write",
    "Microsoft.Network/publicIPAddresses/write",
    "Microsoft.Network/loadBalancers/write",
    "Microsoft.KeyVault/vaults/write",
    "Microsoft.Storage/storageAccounts/write",
    "Microsoft.Automation/automationAccounts/write",
    "Microsoft.BotService/botServices/write",
)
# The step the planning guide gives to the subscription Owner.
ASSIGN_ROLE = "Microsoft.Authorization/roleAssignments/write"


@functools.lru_cache(maxsize=1024)
def _pattern(glob: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in glob.split("*")), re.IGNORECASE)


def matches(globs: Sequence[str], action: str) -> bool:
    return any(_pattern(g).fullmatch(action) for g in globs)


def granted(sets: Sequence[PermissionSet], action: str) -> bool:
    return any(matches(s.actions, action) and not matches(s.not_actions, action) for s in sets)


def missing(sets: Sequence[PermissionSet], actions: Sequence[str]) -> list[str]:
    return [a for a in actions if not granted(sets, a)]


def role_guess(sets: Sequence[PermissionSet]) -> str:
    """The built-in role the permissions look like, for the message."""
    create = not missing(sets, CREATE)
    assign = granted(sets, ASSIGN_ROLE)
    if create and assign:
        everything = any("*" in s.actions and not s.not_actions for s in sets)
        return "Owner" if everything else "Contributor with User Access Administrator, or Owner"
    if create:
        return "Contributor"
    if assign:
        return "User Access Administrator"
    if granted(sets, "Microsoft.Compute/virtualMachineScaleSets/read"):
        return "Reader"
    return "no role that covers the install"
