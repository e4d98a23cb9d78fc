"""The deployment under check: every input resolved into one frozen value that checks read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

from readiness.waivers import Waiver

DEFAULT_PFX_PASSWORD_ENV = "PXREADY_PFX_PASSWORD"
DEFAULT_VM_SIZE = "Standard_F4s"
DEFAULT_RECOMMENDED_VCPUS = 40
DEFAULT_EXPIRY_WARNING_DAYS = 30
DEFAULT_TLS_PORT = 443
DEFAULT_TIMEOUT_SECONDS = 10.0


class ConnectorInput(NamedTuple):
    """One `[[connector]]`: one Teams Connector in one Azure region."""

    position: int  # in pxready.toml, from 0
    vars_path: Path | None
    pfx_path: Path | None = None  # given in pxready.toml or by --pfx; else $PxPfxCertFileName
    pfx_password_env: str = DEFAULT_PFX_PASSWORD_ENV
    expected_cname: str | None = None
    name: str | None = None  # an optional label, e.g. "eu"


class Nameserver(NamedTuple):
    address: str
    port: int = 53

    def __str__(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"


# Azure clouds as `az cloud list` names them: Resource Manager and sign-in endpoints.
CLOUDS = {
    "azurecloud": ("https://management.azure.com", "login.microsoftonline.com"),
    "azurechinacloud": ("https://management.chinacloudapi.cn", "login.chinacloudapi.cn"),
    "azureusgovernment": ("https://management.usgovcloudapi.net", "login.microsoftonline.us"),
}
DEFAULT_CLOUD = "AzureCloud"


class AzureInput(NamedTuple):
    vm_size: str = DEFAULT_VM_SIZE
    recommended_vcpus: int = DEFAULT_RECOMMENDED_VCPUS
    usage_file: Path | None = None
    skus_file: Path | None = None
    provider_file: Path | None = None
    locations_file: Path | None = None
    permissions_file: Path | None = None
    bot_names_file: Path | None = None
    groups_file: Path | None = None
    features_file: Path | None = None
    evidence: Path | None = None  # a folder written by `pxready azure-commands`
    consent_from: str | None = None
    cloud: str = DEFAULT_CLOUD
    # Sovereign clouds use other endpoints; `arm_endpoint` overrides the cloud's.
    arm_endpoint: str | None = None

    @property
    def endpoint(self) -> str:
        return (self.arm_endpoint or CLOUDS[self.cloud.lower()][0]).rstrip("/")

    @property
    def authority(self) -> str:
        return CLOUDS[self.cloud.lower()][1]


class Deployment(NamedTuple):
    connectors: tuple[ConnectorInput, ...] = ()
    config_path: Path | None = None
    node_certificates: tuple[Path, ...] = ()
    tls_port: int = DEFAULT_TLS_PORT
    ca_bundle: Path | None = None
    azure: AzureInput = AzureInput()
    nameservers: tuple[Nameserver, ...] = ()
    expiry_warning_days: int = DEFAULT_EXPIRY_WARNING_DAYS
    waivers: tuple[Waiver, ...] = ()
    at: dt.datetime | None = None  # evaluate certificate validity here; None: now
    offline: bool = False
    timeout: float = DEFAULT_TIMEOUT_SECONDS
