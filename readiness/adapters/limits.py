"""Bounds shared by the network adapters: how many operations at once (in all, per host, DNS),
how long each may take, each answer once per run, and which hosts are known to be dead."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from readiness.activity import Activity

T = TypeVar("T")

MAX_CONNECTIONS = 64
MAX_PER_HOST = 4
# DNS queries are one datagram each to the configured servers; a deployment with hundreds of
# node names needs many in flight to finish in about one round trip.
MAX_DNS_QUERIES = 256


class Limits:
    def __init__(
        self,
        timeout: float,
        activity: Activity | None = None,
        *,
        connections: int = MAX_CONNECTIONS,
        per_host: int = MAX_PER_HOST,
        dns_queries: int = MAX_DNS_QUERIES,
    ) -> None:
        self.timeout = timeout
        self.activity = activity or Activity()
        self._connections = asyncio.Semaphore(connections)
        self._per_host_limit = per_host
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._dns = asyncio.Semaphore(dns_queries)
        self._answers: dict[Hashable, asyncio.Future[Any]] = {}
        # host:port → why it could not be reached, so that it costs one timeout per run.
        self.unreachable: dict[str, str] = {}

    @asynccontextmanager
    async def connection(self, host: str, label: str) -> AsyncIterator[None]:
        """A slot for one connection to `host`, counted in the run's and the host's bounds."""
        per_host = self._hosts.setdefault(host.lower(), asyncio.Semaphore(self._per_host_limit))
        async with self._connections, per_host:
            with self.activity.waiting(label):
                yield

    @asynccontextmanager
    async def dns_query(self, label: str) -> AsyncIterator[None]:
        async with self._dns:
            with self.activity.waiting(label):
                yield

    async def once(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        """`compute()`'s answer for `key`, computed once per run even when asked concurrently."""
        future = self._answers.get(key)
        if future is None:
            future = asyncio.ensure_future(compute())
            self._answers[key] = future
        return await asyncio.shield(future)  # one caller's cancellation must not cancel others


def seconds(value: float) -> str:
    return f"{value:g} s"
