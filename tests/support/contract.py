"""The check ids of the pxready contract (../shared/CONTRACT.md, "Check IDs"), plus the ids
this project added (README's check table). Every one must be registered, or announced as
planned, by the built-in checks."""

from __future__ import annotations

CONTRACT_IDS = (
    "vars.parse", "vars.required", "vars.naming", "vars.fqdn", "vars.prefixes", "vars.secrets",
    "vars.admin-account", "vars.consent-access",
    "connector-cert.pfx", "connector-cert.key", "connector-cert.pfx-encryption",
    "connector-cert.eku", "connector-cert.chain", "connector-cert.validity",
    "connector-cert.name",
    "node-cert.parse", "node-cert.eku", "node-cert.chain", "node-cert.validity",
    "node-cert.names",
    "aia.redirect", "dns.connector-cname", "dns.node-public", "tls.node", "revocation.urls",
    "azure.region", "azure.automation", "azure.vm-size", "azure.quota", "azure.permissions",
    "azure.bot-name", "azure.resource-groups", "azure.features",
)  # fmt: skip
