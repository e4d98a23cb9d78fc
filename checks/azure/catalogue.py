"""The Azure checks in the order reports show them: where the connector runs, then who may
install it, then the names it needs free, then the feature it may need."""

from __future__ import annotations

from checks.azure.access import can_install, disk_encryption_feature
from checks.azure.capacity import automation_offered, quota_enough, region_exists, size_offered
from checks.azure.leftovers import bot_names_free, groups_clear

CHECKS = [
    region_exists,
    automation_offered,
    size_offered,
    quota_enough,
    can_install,
    bot_names_free,
    groups_clear,
    disk_encryption_feature,
]
