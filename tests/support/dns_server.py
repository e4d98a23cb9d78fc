"""A real DNS server on 127.0.0.1 for testing pxready's DNS checks against the wire, not mocks.

It answers over UDP and TCP on one ephemeral port, from a zone the test fills with `add()`, and
acts like the recursive resolver a check talks to: a CNAME answer carries the chain it knows
(ending in the target's records when it has them), an unknown name is NXDOMAIN, a known name
without the asked type is NODATA with an SOA in authority. Per-name behaviours let tests provoke
the failures real resolvers show: NXDOMAIN, SERVFAIL, REFUSED, slow answers, no answer at all,
and truncation over UDP. Each query is answered in its own thread, so a delayed answer never
holds up the others, and every query is logged in `queries`.

    with DnsServer() as dns_server:
        dns_server.add("px1.example.com", "A", "203.0.113.5")
        resolver.nameservers = [dns_server.host]; resolver.port = dns_server.port
"""

from __future__ import annotations

import contextlib
import errno
import selectors
import socket
import threading

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from tests.support._base import HOST, Running, Workers, listen_tcp

MAX_CHAIN = 10
"""At most this many CNAME records go into one answer (a loop ends earlier: each name once)."""

_RCODES = {
    "nxdomain": dns.rcode.NXDOMAIN,
    "servfail": dns.rcode.SERVFAIL,
    "refuse": dns.rcode.REFUSED,
}


def _name(name: str | dns.name.Name) -> dns.name.Name:
    return name if isinstance(name, dns.name.Name) else dns.name.from_text(name)


class DnsServer(Running):
    """A resolver-like DNS server for one test; a context manager, or `start()` / `stop()`."""

    def __init__(self) -> None:
        self.host = HOST
        self.port = 0
        self._lock = threading.Lock()
        self._queries: list[tuple[str, str, str]] = []
        self._records: dict[dns.name.Name, dict[dns.rdatatype.RdataType, dns.rrset.RRset]] = {}
        self._modes: dict[dns.name.Name, str] = {}
        self._delays: dict[dns.name.Name, float] = {}
        self._delay_all = 0.0
        self._workers = Workers("dns")
        self._udp: socket.socket | None = None
        self._tcp: socket.socket | None = None

    @property
    def nameserver(self) -> str:
        """The string "127.0.0.1:PORT", for tools that take server and port as one value."""
        return f"{self.host}:{self.port}"

    @property
    def queries(self) -> list[tuple[str, str, str]]:
        """A copy of the query log: (name without final dot, lowercased; "A"; "udp"/"tcp")."""
        with self._lock:
            return list(self._queries)

    # -- the zone ----------------------------------------------------------------------------

    def add(self, name: str, rdtype: str, *values: str, ttl: int = 60) -> None:
        """Add records, e.g. `add("x.example.com", "CNAME", "y.example.net.")` (names absolute)."""
        owner = _name(name)
        new = dns.rrset.from_text_list(
            owner, ttl, "IN", rdtype, values, origin=dns.name.root, relativize=False
        )
        with self._lock:
            by_type = self._records.setdefault(owner, {})
            old = by_type.get(new.rdtype)
            if old is not None:
                new = dns.rrset.from_rdata_list(owner, ttl, [*old, *new])
            by_type[new.rdtype] = new  # replaced, never mutated: answers in flight keep theirs

    def nxdomain(self, name: str) -> None:
        """Answer NXDOMAIN for `name`, whatever records it has."""
        self._set_mode(name, "nxdomain")

    def servfail(self, name: str) -> None:
        """Answer SERVFAIL for `name`."""
        self._set_mode(name, "servfail")

    def refuse(self, name: str) -> None:
        """Answer REFUSED for `name`."""
        self._set_mode(name, "refuse")

    def drop(self, name: str) -> None:
        """Never answer queries for `name`: the client has to time out."""
        self._set_mode(name, "drop")

    def truncate(self, name: str) -> None:
        """Over UDP answer `name` with TC set and no records; over TCP give the full answer."""
        self._set_mode(name, "truncate")

    def clear(self, name: str) -> None:
        """Forget the behaviour and delay set for `name` (its records stay)."""
        with self._lock:
            self._modes.pop(_name(name), None)
            self._delays.pop(_name(name), None)

    def delay(self, name: str, seconds: float) -> None:
        """Answer queries for `name` only after `seconds`."""
        with self._lock:
            self._delays[_name(name)] = seconds

    def delay_all(self, seconds: float) -> None:
        """Add `seconds` before every answer (on top of per-name delays)."""
        with self._lock:
            self._delay_all = seconds

    def _set_mode(self, name: str, mode: str) -> None:
        with self._lock:
            self._modes[_name(name)] = mode

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> DnsServer:
        """Bind UDP and TCP on one free port of 127.0.0.1 and start answering."""
        for _attempt in range(50):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind((HOST, 0))
            try:
                tcp = listen_tcp(udp.getsockname()[1])
            except OSError as exc:
                udp.close()
                if exc.errno != errno.EADDRINUSE:
                    raise
                continue
            self._udp, self._tcp, self.port = udp, tcp, udp.getsockname()[1]
            break
        else:
            raise OSError(errno.EADDRINUSE, "no port free for both UDP and TCP")
        self._workers.spawn(self._udp_loop, udp)
        self._workers.spawn(self._workers.accept_loop, tcp, self._serve_tcp)
        return self

    def stop(self) -> None:
        """Stop answering, close every socket and join every thread."""
        self._workers.stop()
        for sock in (self._udp, self._tcp):
            if sock is not None:
                sock.close()

    # -- transports --------------------------------------------------------------------------

    def _udp_loop(self, udp: socket.socket) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(udp, selectors.EVENT_READ)
            selector.register(self._workers.wake_selector_socket(), selectors.EVENT_READ)
            while not self._workers.stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is not udp:
                        return
                    with contextlib.suppress(OSError):
                        wire, addr = udp.recvfrom(65535)
                        self._workers.spawn(self._answer_udp, udp, wire, addr)

    def _answer_udp(self, udp: socket.socket, wire: bytes, addr: tuple[str, int]) -> None:
        reply = self._answer(wire, "udp")
        if reply is not None:
            with contextlib.suppress(OSError):
                udp.sendto(reply, addr)

    def _serve_tcp(self, conn: socket.socket) -> None:
        send_lock = threading.Lock()
        while (prefix := _recv_exact(conn, 2)) is not None:
            wire = _recv_exact(conn, int.from_bytes(prefix, "big"))
            if wire is None:
                return
            self._workers.spawn(self._answer_tcp, conn, send_lock, wire)

    def _answer_tcp(self, conn: socket.socket, send_lock: threading.Lock, wire: bytes) -> None:
        reply = self._answer(wire, "tcp")
        if reply is not None:
            with send_lock, contextlib.suppress(OSError):
                conn.sendall(len(reply).to_bytes(2, "big") + reply)

    # -- answers -----------------------------------------------------------------------------

    def _answer(self, wire: bytes, transport: str) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None
        if not query.question:
            return None
        qname, rdtype = query.question[0].name, query.question[0].rdtype
        with self._lock:
            self._queries.append(
                (
                    qname.to_text(omit_final_dot=True).lower(),
                    dns.rdatatype.to_text(rdtype),
                    transport,
                )
            )
            mode = self._modes.get(qname)
            wait = self._delays.get(qname, 0.0) + self._delay_all
        if (wait and self._workers.wait(wait)) or mode == "drop":
            self._workers.wait(None)  # dropped, or stopping: never answer
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA | dns.flags.RA
        if mode == "truncate" and transport == "udp":
            response.flags |= dns.flags.TC
        elif mode in _RCODES:
            response.set_rcode(_RCODES[mode])
        else:
            self._resolve(response, qname, rdtype)
        limit = 65535 if transport == "tcp" else max(512, query.payload if query.edns >= 0 else 0)
        try:
            return response.to_wire(max_size=limit)
        except dns.exception.TooBig:
            response.answer.clear()
            response.authority.clear()
            response.flags |= dns.flags.TC
            return response.to_wire()

    def _records_of(self, name: dns.name.Name) -> dict[int, dns.rrset.RRset] | None:
        """The records of one name, by type (a copy: a zone of thousands costs nothing)."""
        with self._lock:
            by_type = self._records.get(name)
            return dict(by_type) if by_type is not None else None

    def _resolve(
        self, response: dns.message.Message, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType
    ) -> None:
        """Fill the answer: the CNAME chain from `qname` (bounded), then the records asked for."""
        current, seen = qname, {qname}
        while (by_type := self._records_of(current)) is not None:
            if rdtype in by_type:
                response.answer.append(by_type[rdtype])
                return
            cname = by_type.get(dns.rdatatype.CNAME)
            if cname is None:
                break
            response.answer.append(cname)
            current = cname[0].target
            if current in seen or len(response.answer) >= MAX_CHAIN:
                return
            seen.add(current)
        if current == qname:
            if by_type is None:
                response.set_rcode(dns.rcode.NXDOMAIN)
            response.authority.append(_soa_for(qname))


def _soa_for(name: dns.name.Name) -> dns.rrset.RRset:
    """A plausible SOA for the negative answer about `name` (its parent zone, or itself)."""
    zone = name.parent() if len(name.labels) > 3 else name
    return dns.rrset.from_text(
        zone, 60, "IN", "SOA", f"ns1.{zone} hostmaster.{zone} 1 3600 600 86400 60"
    )


def _recv_exact(conn: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data
