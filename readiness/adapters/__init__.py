"""The network adapters: the only modules that import dnspython, httpx and ssl.

A check never opens a socket itself. It asks its `Context` for the run's resolver
(`ctx.resolver()`), HTTP fetcher (`ctx.http()`) or TLS prober (`ctx.tls()`); each is created on
first use, shared by every check of the run on the run's one event loop, and closed when the
run ends. Under --offline none is ever created.

What they share (`limits.Limits`): at most 64 connections at once across the run and 4 per host,
at most 512 DNS queries at once, each operation bounded as a whole by --timeout, each answer
computed once per run (a name resolved for one check is not resolved again for another), and a
host that could not be reached is not tried again in the same run. Every answer is a value
with a one-line `problem` when there is no usable answer: adapters never raise for what the
network does.
"""
