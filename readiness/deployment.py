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


class AzureInput(NamedTuple):
    vm_size: str = DEFAULT_VM_SIZE
    recommended_vcpus: int = DEFAULT_RECOMMENDED_VCPUS
    usage_file: Path | None = None
    skus_file: Path | None = None
    provider_file: Path | None = None
    locations_file: Path | None = None
    consent_from: str | None = None
    # Sovereign clouds use other ARM endpoints; the public cloud is the default.
    arm_endpoint: str = "https://management.azure.com"


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
