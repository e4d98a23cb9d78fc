"""Azure Resource Manager, live: the signed-in identity's view of a subscription.

The credential is azure-identity's default chain (environment, workload identity, managed
identity, Azure CLI, Azure PowerShell, …) for the cloud's sign-in authority; usages and VM sizes
come through azure-mgmt-compute, everything else through azure-mgmt-core's ARM pipeline (the
same retry, Retry-After and authentication policies, without more SDK packages). The SDK is
blocking: calls run in the run's thread pool, each bounded by --timeout per attempt and its
retries by --timeout in all. Answers are values (`Answer`), never exceptions: a check turns a
`problem` into a result. Each call is made once per run; when signing in fails, it fails once
and every later call says so at once.

Imported only when a live Azure check runs (`ctx.azure()`); importing the SDK takes a second.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from readiness.adapters.limits import Limits
from readiness.text import one_line

# Pages of a list that pxready follows at most (ARM pages hold 100 to 1000 entries).
MAX_PAGES = 50
RETRIES = 3


class Answer(NamedTuple):
    body: Any = None  # the JSON body (lists: every page's `value`, as {"value": [...]})
    status: int | None = None
    code: str | None = None  # ARM's error code ("AuthorizationFailed")
    problem: str | None = None  # why there is no body, in one line

    @property
    def ok(self) -> bool:
        return self.problem is None


class Arm:
    def __init__(
        self,
        limits: Limits,
        endpoint: str,
        authority: str,
        credential: Any | None = None,
    ) -> None:
        self.limits = limits
        self.endpoint = endpoint.rstrip("/")
        self.authority = authority
        self.scope = f"{self.endpoint}/.default"
        self._credential = credential
        self._owns_credential = credential is None
        self._lock = threading.Lock()
        self._pipeline: Any = None
        self._compute: dict[str, Any] = {}
        self.sign_in_problem: str | None = None

    # -- what the checks ask -----------------------------------------------------------------
    async def get(
        self, path: str, api_version: str, params: dict[str, str] | None = None
    ) -> Answer:
        key = ("ARM GET", path.lower(), api_version, tuple(sorted((params or {}).items())))

        def work() -> Answer:
            return self._get(path, api_version, params)

        return await self.limits.once(key, lambda: self._call(f"Azure GET {path}", work))

    async def post(self, path: str, api_version: str, body: dict[str, Any]) -> Answer:
        key = ("ARM POST", path.lower(), api_version, repr(sorted(body.items())))

        def work() -> Answer:
            return self._post(path, api_version, body)

        return await self.limits.once(key, lambda: self._call(f"Azure POST {path}", work))

    async def usages(self, subscription: str, location: str) -> Answer:
        key = ("compute usages", subscription, location)
        return await self.limits.once(
            key,
            lambda: self._call(
                f"Azure usages {location}",
                lambda: self._compute_list(subscription, "usage", location),
            ),
        )

    async def skus(self, subscription: str, location: str) -> Answer:
        key = ("compute skus", subscription, location)
        return await self.limits.once(
            key,
            lambda: self._call(
                f"Azure VM sizes {location}",
                lambda: self._compute_list(subscription, "skus", location),
            ),
        )

    @property
    def signed_in_with(self) -> str | None:
        """The credential of the chain that gave the token ("AzureCliCredential")."""
        chosen = getattr(self._credential, "_successful_credential", None)
        return type(chosen).__name__ if chosen is not None else None

    def close(self) -> None:
        with self._lock:
            for client in (self._pipeline, *self._compute.values()):
                if client is not None:
                    client.close()
            self._pipeline, self._compute = None, {}
            if self._owns_credential and self._credential is not None:
                self._credential.close()

    # -- plumbing ------------------------------------------------------------------------------
    async def _call(self, label: str, work: Callable[[], Answer]) -> Answer:
        if self.sign_in_problem is not None:
            return Answer(problem=self.sign_in_problem)
        host = urlsplit(self.endpoint).netloc
        async with self.limits.connection(host, label):
            return await asyncio.to_thread(self._guarded, work)

    def _guarded(self, work: Callable[[], Answer]) -> Answer:
        from azure.core.exceptions import (
            ClientAuthenticationError,
            HttpResponseError,
            ServiceRequestError,
            ServiceResponseError,
        )

        if self.sign_in_problem is not None:
            return Answer(problem=self.sign_in_problem)
        try:
            return work()
        except ClientAuthenticationError as exc:
            if exc.status_code is None:  # the credential itself failed: nobody signed in
                self.sign_in_problem = _sign_in_problem(exc)
                return Answer(problem=self.sign_in_problem)
            return _http_answer(exc)
        except HttpResponseError as exc:
            return _http_answer(exc)
        except ServiceResponseError as exc:
            return Answer(
                problem=f"Azure Resource Manager gave no answer in time ({one_line(exc)})"
            )
        except ServiceRequestError as exc:
            return Answer(problem=f"Azure Resource Manager cannot be reached ({one_line(exc)})")

    def _retry(self) -> Any:
        from azure.core.pipeline.policies import RetryPolicy

        timeout = self.limits.timeout
        return RetryPolicy(
            retry_total=RETRIES, timeout=timeout, retry_backoff_max=max(1, int(timeout / 2))
        )

    def _arm(self) -> Any:
        with self._lock:
            if self._pipeline is None:
                from azure.core.pipeline import policies
                from azure.mgmt.core import ARMPipelineClient
                from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

                credential = self._credential_unlocked()
                self._pipeline = ARMPipelineClient(
                    base_url=self.endpoint,
                    policies=[
                        policies.RequestIdPolicy(),
                        policies.HeadersPolicy(),
                        policies.UserAgentPolicy(sdk_moniker="pxready"),
                        self._retry(),
                        ARMChallengeAuthenticationPolicy(credential, self.scope),
                    ],
                    connection_timeout=self.limits.timeout,
                    read_timeout=self.limits.timeout,
                )
            return self._pipeline

    def _credential_unlocked(self) -> Any:
        if self._credential is None:
            from azure.identity import DefaultAzureCredential

            self._credential = DefaultAzureCredential(authority=self.authority)
        return self._credential

    def _get(self, path: str, api_version: str, params: dict[str, str] | None) -> Answer:
        from azure.core.rest import HttpRequest

        client = self._arm()
        request = HttpRequest(
            "GET", client.format_url(path), params={"api-version": api_version, **(params or {})}
        )
        response = client.send_request(request)
        response.raise_for_status()
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("value"), list):
            items = list(body["value"])
            link, pages = body.get("nextLink"), 1
            while isinstance(link, str) and link and pages < MAX_PAGES:
                if not _same_origin(link, self.endpoint):
                    break  # never send the token anywhere but Resource Manager
                response = client.send_request(HttpRequest("GET", link))
                response.raise_for_status()
                page = response.json()
                items.extend(page.get("value") or [])
                link, pages = page.get("nextLink"), pages + 1
            body = {"value": items}
        return Answer(body, response.status_code)

    def _post(self, path: str, api_version: str, body: dict[str, Any]) -> Answer:
        from azure.core.rest import HttpRequest

        client = self._arm()
        request = HttpRequest(
            "POST", client.format_url(path), params={"api-version": api_version}, json=body
        )
        response = client.send_request(request)
        response.raise_for_status()
        return Answer(response.json(), response.status_code)

    def _compute_client(self, subscription: str) -> Any:
        with self._lock:
            client = self._compute.get(subscription)
            if client is None:
                from azure.mgmt.compute import ComputeManagementClient

                client = ComputeManagementClient(
                    self._credential_unlocked(),
                    subscription,
                    base_url=self.endpoint,
                    credential_scopes=[self.scope],
                    retry_policy=self._retry(),
                    connection_timeout=self.limits.timeout,
                    read_timeout=self.limits.timeout,
                )
                self._compute[subscription] = client
            return client

    def _compute_list(self, subscription: str, what: str, location: str) -> Answer:
        client = self._compute_client(subscription)
        if what == "usage":
            pager = client.usage.list(location)
        else:
            pager = client.resource_skus.list(filter=f"location eq '{location}'")
        # Into ARM's wire shape, which the export parsers read: the models of
        # azure-mgmt-compute 39 give it from as_dict(), older msrest models from serialize().
        items = [
            item.serialize(keep_readonly=True) if hasattr(item, "serialize") else item.as_dict()
            for item in pager
        ]
        return Answer({"value": items}, 200)


def _same_origin(link: str, endpoint: str) -> bool:
    a, b = urlsplit(link), urlsplit(endpoint)
    return (a.scheme, a.netloc.lower()) == (b.scheme, b.netloc.lower())


def _http_answer(exc: Any) -> Answer:
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None)
    message = getattr(error, "message", None) or one_line(exc)
    status = getattr(exc, "status_code", None)
    what = f"{status} {code}" if code else f"{status}"
    return Answer(
        status=status, code=code, problem=f"Azure answered {what}: {one_line(message, 240)}"
    )


def _sign_in_problem(exc: Exception) -> str:
    return (
        "not signed in to Azure (sign in with `az login`, or Connect-AzAccount, or set "
        f"AZURE_CLIENT_ID and its secret): {one_line(exc, 240)}"
    )
