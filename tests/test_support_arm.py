"""The loopback ARM server and test credential work with the REAL Azure SDK clients.

These tests are the reference for how product code builds its Azure clients; every
construction below was run against azure-core 1.41, azure-mgmt-core 1.6 and
azure-mgmt-compute 39.0 (see also tests/support/ARM.md).

ComputeManagementClient (usages, resource SKUs)::

    ComputeManagementClient(
        credential,                      # TokenCredential / SupportsTokenInfo
        subscription_id,
        base_url=endpoint,               # default: the cloud's ARM endpoint
        credential_scopes=[f"{endpoint_of_the_cloud}/.default"],
        connection_verify=ca_file,       # tests only: trust the loopback CA
        retry_total=3,                   # RetryPolicy kwargs pass straight through
        connection_timeout=10, read_timeout=30,   # RequestsTransport kwargs likewise
    )
    # use it as a context manager (or call .close()) so the requests session is closed

ARMPipelineClient (plain GET/POST to ARM), the lightest correct construction::

    ARMPipelineClient(
        base_url=endpoint,
        policies=[
            policies.RequestIdPolicy(),
            policies.HeadersPolicy(),
            policies.UserAgentPolicy(sdk_moniker="pxready"),
            policies.RetryPolicy(retry_total=3),
            ARMChallengeAuthenticationPolicy(credential, scope),  # after the retry policy
        ],
        connection_verify=ca_file, connection_timeout=10, read_timeout=30,
    )
    request = HttpRequest("GET", client.format_url(path), params={"api-version": "..."})
    response = client.send_request(request)   # send_request does NOT join base_url itself
    response.raise_for_status()               # HttpResponseError for >= 400
    body = response.json()

Errors, as the real libraries raise them:

- 403/400/429 (retries used up): ``HttpResponseError``; ``exc.status_code`` and
  ``exc.error.code`` (an ``ODataV4Format`` parsed from ARM's ``{"error": {...}}``).
- 404: ``ResourceNotFoundError`` from the compute operations (their error_map), plain
  ``HttpResponseError`` from ``response.raise_for_status()``.
- 401: ``ClientAuthenticationError`` from the compute operations, ``HttpResponseError`` from
  ``raise_for_status()``.
- Read timeout: ``ServiceResponseTimeoutError`` (a ``ServiceResponseError``).
- TLS not trusted / nothing listening: ``ServiceRequestError``.
- Credential failure: the credential's own ``ClientAuthenticationError``, unchanged, before any
  request is sent.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from azure.core import PipelineClient
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
)
from azure.core.pipeline import policies
from azure.core.rest import HttpRequest, HttpResponse
from azure.mgmt.core import ARMPipelineClient
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

from tests.support.arm_server import ArmServer, error, load_sample, samples_dir
from tests.support.azure_credential import ARM_SCOPE, FailingCredential, StaticTokenCredential

SUB = "00000000-0000-0000-0000-000000000000"
USAGES_WESTUS = f"/subscriptions/{SUB}/providers/Microsoft.Compute/locations/westus/usages"
SKUS = f"/subscriptions/{SUB}/providers/Microsoft.Compute/skus"
AUTOMATION = f"/subscriptions/{SUB}/providers/Microsoft.Automation"
LOCATIONS = f"/subscriptions/{SUB}/locations"
BOT_NAME = "/providers/Microsoft.BotService/checkNameAvailability"


def arm_client(
    server: ArmServer,
    credential: Any,
    *,
    retry_total: int = 3,
    read_timeout: float = 30.0,
    connection_verify: str | bool | None = None,
) -> ARMPipelineClient[Any, Any]:
    """The lightest ARMPipelineClient doing bearer-token GET/POST with retries."""
    return ARMPipelineClient(
        base_url=server.endpoint,
        policies=[
            policies.RequestIdPolicy(),
            policies.HeadersPolicy(),
            policies.UserAgentPolicy(sdk_moniker="pxready-tests"),
            policies.RetryPolicy(retry_total=retry_total, retry_backoff_factor=0.1),
            ARMChallengeAuthenticationPolicy(credential, ARM_SCOPE),
        ],
        connection_verify=server.ca_file if connection_verify is None else connection_verify,
        connection_timeout=5.0,
        read_timeout=read_timeout,
    )


def send(client: PipelineClient[Any, Any], method: str, path: str, **kwargs: Any) -> HttpResponse:
    """Send ``method path`` relative to the client's base_url."""
    response: HttpResponse = client.send_request(
        HttpRequest(method, client.format_url(path), **kwargs)
    )
    return response


@pytest.fixture
def compute(arm_server: ArmServer, azure_credential: StaticTokenCredential) -> Iterator[Any]:
    """A real ComputeManagementClient pointed at the loopback server."""
    from azure.mgmt.compute import ComputeManagementClient

    with ComputeManagementClient(
        azure_credential,
        SUB,
        base_url=arm_server.endpoint,
        credential_scopes=[ARM_SCOPE],
        connection_verify=arm_server.ca_file,
        retry_total=0,
        connection_timeout=5,
        read_timeout=10,
    ) as client:
        yield client


# -- ComputeManagementClient ------------------------------------------------------------------


def test_usage_list_follows_next_links_across_pages(
    arm_server: ArmServer,
    azure_credential: StaticTokenCredential,
    compute: Any,
) -> None:
    items = load_sample("sdk-python-recording_compute-usages_westus_api-2020-06-01.json")["value"]
    assert len(items) == 97
    arm_server.paged(USAGES_WESTUS, items, page_size=40)

    usages = list(compute.usage.list("westus"))

    assert len(usages) == 97
    by_name = {u.name.value: u for u in usages}
    assert (by_name["cores"].limit, by_name["cores"].current_value) == (100, 0)
    assert by_name["cores"].name.localized_value == "Total Regional vCPUs"
    assert by_name["availabilitySets"].limit == 2500
    assert usages[-1].name.value == "GalleryImageVersion"
    calls = arm_server.calls("GET", USAGES_WESTUS)
    assert len(calls) == 3  # 40 + 40 + 17
    assert [c.query.get("$skiptoken") for c in calls] == [None, "2", "3"]
    # SDK 39 defaults to api-version 2026-04-01 and re-sends the nextLink as given
    assert {c.api_version for c in calls} == {"2026-04-01"}
    assert all(c.headers["Authorization"] == "Bearer test-token" for c in calls)
    assert azure_credential.calls == [("get_token_info", (ARM_SCOPE,))]  # token cached


def test_resource_skus_list_with_filter(arm_server: ArmServer, compute: Any) -> None:
    arm_server.route("GET", SKUS, load_sample("synthetic/rest_skus_westeurope_F-series.json"))

    skus = {s.name: s for s in compute.resource_skus.list(filter="location eq 'westeurope'")}

    assert set(skus) == {"Standard_F4s", "Standard_F4s_v2", "Standard_F8s"}
    zone = skus["Standard_F4s"].restrictions[0]
    assert (zone.type, zone.reason_code) == ("Zone", "NotAvailableForSubscription")
    assert zone.values_property == ["westeurope"]
    assert zone.restriction_info.zones == ["3"]
    assert [r.type for r in skus["Standard_F8s"].restrictions] == ["Location", "Zone"]
    assert not skus["Standard_F4s_v2"].restrictions
    capabilities = {c.name: c.value for c in skus["Standard_F4s"].capabilities}
    assert capabilities["vCPUs"] == "4"
    assert capabilities["MemoryGB"] == "8"
    (call,) = arm_server.requests
    assert call.query == {"api-version": "2021-07-01", "$filter": "location eq 'westeurope'"}


def test_compute_errors_are_typed(arm_server: ArmServer, compute: Any) -> None:
    arm_server.route(
        "GET",
        USAGES_WESTUS,
        load_sample("synthetic/rest_error_403_AuthorizationFailed.json"),
        status=403,
    )
    arm_server.route("GET", SKUS, **error(401, "InvalidAuthenticationToken", "expired"))
    throttled = f"/subscriptions/{SUB}/providers/Microsoft.Compute/locations/eastus/usages"
    arm_server.route("GET", throttled, **error(429, "TooManyRequests", "slow"))

    with pytest.raises(HttpResponseError) as forbidden:
        list(compute.usage.list("westus"))
    assert type(forbidden.value) is HttpResponseError
    assert forbidden.value.status_code == 403
    assert forbidden.value.error is not None
    assert forbidden.value.error.code == "AuthorizationFailed"

    with pytest.raises(ResourceNotFoundError) as missing:  # no route: the server's 404
        list(compute.usage.list("nowhere"))
    assert missing.value.error is not None
    assert missing.value.error.code == "NotFound"

    with pytest.raises(ClientAuthenticationError) as unauthorized:
        list(compute.resource_skus.list(filter="location eq 'westeurope'"))
    assert unauthorized.value.status_code == 401

    with pytest.raises(HttpResponseError) as too_many:  # retry_total=0: no retry
        list(compute.usage.list("eastus"))
    assert type(too_many.value) is HttpResponseError
    assert too_many.value.status_code == 429


# -- ARMPipelineClient ------------------------------------------------------------------------


def test_get_provider_and_locations(
    arm_server: ArmServer,
    azure_credential: StaticTokenCredential,
) -> None:
    arm_server.route(
        "GET", AUTOMATION, load_sample("synthetic/rest_provider_Microsoft.Automation.json")
    )
    arm_server.route("GET", LOCATIONS, load_sample("synthetic/rest_subscription-locations.json"))

    with arm_client(arm_server, azure_credential) as client:
        provider = send(client, "GET", AUTOMATION, params={"api-version": "2021-04-01"})
        locations = send(client, "GET", LOCATIONS, params={"api-version": "2022-12-01"})

    provider.raise_for_status()
    assert provider.json()["resourceTypes"][0]["resourceType"] == "automationAccounts"
    assert "West Europe" in provider.json()["resourceTypes"][0]["locations"]
    assert locations.status_code == 200
    assert [loc["name"] for loc in locations.json()["value"]][:2] == ["westeurope", "northeurope"]
    first, second = arm_server.requests
    assert (first.path, first.api_version) == (AUTOMATION, "2021-04-01")
    assert (second.path, second.api_version) == (LOCATIONS, "2022-12-01")
    assert first.headers["authorization"] == "Bearer test-token"
    assert "pxready-tests" in first.headers["User-Agent"]
    assert azure_credential.scopes_requested == [(ARM_SCOPE,)]


def test_post_check_name_availability(
    arm_server: ArmServer,
    azure_credential: StaticTokenCredential,
) -> None:
    arm_server.route(
        "POST",
        BOT_NAME,
        load_sample("rest-api-specs_BotService-2022-09-15_CheckNameAvailability.json"),
    )
    sent = {"name": "pxready-bot", "type": "Microsoft.BotService/botServices"}

    with arm_client(arm_server, azure_credential) as client:
        response = send(client, "POST", BOT_NAME, params={"api-version": "2022-09-15"}, json=sent)

    assert response.json() == {"valid": True, "message": "custom message from server"}
    (call,) = arm_server.calls("POST", BOT_NAME.lower())  # paths match case-insensitively
    assert call.json() == sent
    assert call.headers["Content-Type"] == "application/json"
    assert call.api_version == "2022-09-15"


@pytest.mark.parametrize(
    ("sample", "status", "code"),
    [
        ("synthetic/rest_error_403_AuthorizationFailed.json", 403, "AuthorizationFailed"),
        (
            "synthetic/rest_error_400_NoRegisteredProviderFound.json",
            400,
            "NoRegisteredProviderFound",
        ),
    ],
)
def test_arm_error_envelope_surfaces_as_http_response_error(
    arm_server: ArmServer,
    azure_credential: StaticTokenCredential,
    sample: str,
    status: int,
    code: str,
) -> None:
    arm_server.route("GET", AUTOMATION, load_sample(sample), status=status)

    with arm_client(arm_server, azure_credential) as client:
        response = send(client, "GET", AUTOMATION, params={"api-version": "2021-04-01"})
    with pytest.raises(HttpResponseError) as caught:
        response.raise_for_status()

    assert type(caught.value) is HttpResponseError
    assert caught.value.status_code == status
    assert caught.value.error is not None
    assert caught.value.error.code == code
    assert caught.value.error.message == load_sample(sample)["error"]["message"]
    assert len(arm_server.requests) == 1  # 400/403 are not retried


def test_429_with_retry_after_is_retried(
    arm_server: ArmServer,
    azure_credential: StaticTokenCredential,
) -> None:
    throttled = arm_server.route(
        "GET",
        LOCATIONS,
        **error(429, "TooManyRequests", "slow down"),
        headers={"Retry-After": "1"},
        times=1,
    )
    arm_server.route("GET", LOCATIONS, load_sample("synthetic/rest_subscription-locations.json"))

    started = time.monotonic()
    with arm_client(arm_server, azure_credential, retry_total=2) as client:
        response = send(client, "GET", LOCATIONS, params={"api-version": "2022-12-01"})
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert throttled.served == 1
    assert len(arm_server.calls("GET", LOCATIONS)) == 2
    assert elapsed >= 0.9  # the policy honoured Retry-After: 1


def test_429_retries_used_up(
    arm_server: ArmServer,
    azure_credential: StaticTokenCredential,
) -> None:
    arm_server.route("GET", LOCATIONS, **error(429, "TooManyRequests", "slow down"))

    with arm_client(arm_server, azure_credential, retry_total=1) as client:
        response = send(client, "GET", LOCATIONS, params={"api-version": "2022-12-01"})

    assert response.status_code == 429  # the last answer comes back; no exception yet
    with pytest.raises(HttpResponseError) as caught:
        response.raise_for_status()
    assert caught.value.error is not None
    assert caught.value.error.code == "TooManyRequests"
    assert len(arm_server.requests) == 2


def test_slow_answer_times_out(
    arm_server: ArmServer,
    azure_credential: StaticTokenCredential,
) -> None:
    arm_server.route("GET", LOCATIONS, {"value": []}, delay=3.0)

    started = time.monotonic()
    with (
        arm_client(arm_server, azure_credential, retry_total=0, read_timeout=0.3) as client,
        pytest.raises(ServiceResponseTimeoutError),
    ):
        send(client, "GET", LOCATIONS, params={"api-version": "2022-12-01"})

    assert time.monotonic() - started < 2.0
    assert issubclass(ServiceResponseTimeoutError, ServiceResponseError)
    assert len(arm_server.requests) == 1


def test_credential_failure_raises_before_any_request(arm_server: ArmServer) -> None:
    credential = FailingCredential()

    with (
        arm_client(arm_server, credential) as client,
        pytest.raises(ClientAuthenticationError) as caught,
    ):
        send(client, "GET", LOCATIONS, params={"api-version": "2022-12-01"})

    assert caught.value is credential.exc
    assert "az login" in str(caught.value)
    assert credential.calls == [("get_token_info", (ARM_SCOPE,))]
    assert arm_server.requests == []


def test_untrusted_certificate_is_a_service_request_error(
    arm_server: ArmServer,
    azure_credential: StaticTokenCredential,
) -> None:
    # Without connection_verify the system CA bundle is used, which does not know the test CA.
    with (
        arm_client(arm_server, azure_credential, retry_total=0, connection_verify=True) as client,
        pytest.raises(ServiceRequestError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        send(client, "GET", LOCATIONS)
    assert arm_server.requests == []


# -- the server itself ------------------------------------------------------------------------


def test_unknown_path_and_used_up_routes_get_arm_404(arm_server: ArmServer) -> None:
    arm_server.route("GET", "/once", {"ok": True}, times=1)
    with httpx.Client(base_url=arm_server.endpoint, verify=arm_server.tls.client_context()) as http:
        first = http.get("/ONCE")
        second = http.get("/once")
        unknown = http.get("/nowhere", params={"api-version": "1"})

    assert (first.status_code, first.json()) == (200, {"ok": True})
    assert second.status_code == 404
    assert second.json()["error"]["code"] == "NotFound"
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "NotFound"
    assert "GET /nowhere" in unknown.json()["error"]["message"]
    assert [r.path for r in arm_server.requests] == ["/ONCE", "/once", "/nowhere"]


def test_query_narrows_routes_and_bodies_can_be_raw(arm_server: ArmServer) -> None:
    arm_server.route("GET", "/thing", {"version": "any"})
    arm_server.route("GET", "/thing", b"\x00raw", query={"api-version": "2"})
    arm_server.route("DELETE", "/thing", None, status=204)
    with httpx.Client(base_url=arm_server.endpoint, verify=arm_server.tls.client_context()) as http:
        anything = http.get("/thing", params={"api-version": "1"})
        raw = http.get("/thing", params={"api-version": "2"})
        deleted = http.delete("/thing")

    assert anything.json() == {"version": "any"}
    assert (raw.content, raw.headers["content-type"]) == (b"\x00raw", "application/octet-stream")
    assert (deleted.status_code, deleted.content) == (204, b"")


def test_request_log_is_thread_safe(arm_server: ArmServer) -> None:
    arm_server.route("GET", "/ping", {"pong": True})

    def hammer() -> None:
        with httpx.Client(
            base_url=arm_server.endpoint, verify=arm_server.tls.client_context()
        ) as http:
            for _ in range(5):
                assert http.get("/ping").status_code == 200

    workers = [threading.Thread(target=hammer) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(arm_server.calls("GET", "/ping")) == 20


def test_stop_closes_everything() -> None:
    before = set(threading.enumerate())
    server = ArmServer().start()
    server.route("GET", "/slow", {}, delay=30.0)
    port, ca_file = server.port, Path(server.ca_file)
    client = httpx.Client(verify=server.tls.client_context(), timeout=10.0)
    outcome: list[BaseException] = []

    def wait_for_slow_answer() -> None:
        try:
            client.get(f"{server.endpoint}/slow")
        except httpx.HTTPError as exc:
            outcome.append(exc)

    waiter = threading.Thread(target=wait_for_slow_answer)
    waiter.start()
    while not server.requests:
        time.sleep(0.01)

    started = time.monotonic()
    server.stop()
    waiter.join(5)
    client.close()

    assert time.monotonic() - started < 2.0  # the delayed answer was cut short
    assert len(outcome) == 1  # the client saw the connection drop, not a 30 s wait
    assert set(threading.enumerate()) <= before
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    assert not ca_file.exists()
    server.stop()  # idempotent


def test_load_sample_unwraps_spec_examples() -> None:
    assert (samples_dir() / "README.md").is_file()
    locations = load_sample("rest-api-specs_Resources-2022-12-01_GetLocations.json")
    assert isinstance(locations, list)  # the spec example's body is a bare array
    assert locations[0]["name"] == "eastus"
    provider = load_sample("synthetic/rest_provider_Microsoft.Automation.json")
    assert provider["namespace"] == "Microsoft.Automation"
