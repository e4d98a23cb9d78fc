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
# DNS questions are one datagram each to the configured servers; a deployment with hundreds of
# node names needs many in flight to finish in about one round trip. Each holds a socket, and
# Linux allows a process 1024 files by default.
MAX_DNS_QUERIES = 512


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
        self._first_contact: dict[str, asyncio.Future[None]] = {}
        # host:port → why it could not be reached, so that it costs one timeout per run.
        self.unreachable: dict[str, str] = {}

    @asynccontextmanager
    async def connection(self, host: str, label: str) -> AsyncIterator[None]:
        """A slot for one connection to `host` (its "host:port"), counted in the run's and the
        host's bounds. The first exchange with a host goes alone: the others wait for it, so
        that when the host turns out dead (see `unreachable`) they learn it without waiting a
        timeout each."""
        key = host.lower()
        first = self._first_contact.get(key)
        mine = first is None
        if first is None:
            first = asyncio.get_running_loop().create_future()
            self._first_contact[key] = first
        else:
            await asyncio.shield(first)
        per_host = self._hosts.setdefault(key, asyncio.Semaphore(self._per_host_limit))
        try:
            async with self._connections, per_host:
                with self.activity.waiting(label):
                    yield
        finally:
            if mine and not first.done():
                first.set_result(None)

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
