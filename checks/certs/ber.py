"""A small BER reader for PKCS#12 files: linear in the input, bounded in depth and size.

PFX files are BER, not always DER: Windows and Java write indefinite lengths and chunked
OCTET STRINGs. This reader decodes the whole tree at once, refusing more than `MAX_NODES`
elements or `MAX_DEPTH` levels, so a hostile file of a million tiny chunks costs a bounded
moment, not minutes. It knows tags, lengths and the few primitive types PKCS#12 uses; what
each element means is `pkcs12_info`'s business.
"""

from __future__ import annotations

UNIVERSAL, APPLICATION, CONTEXT, PRIVATE = 0, 1, 2, 3
BOOLEAN, INTEGER, BIT_STRING, OCTET_STRING, NULL, OID = 1, 2, 3, 4, 5, 6
UTF8_STRING, SEQUENCE, SET = 12, 16, 17
PRINTABLE_STRING, T61_STRING, IA5_STRING, BMP_STRING = 19, 20, 22, 30
MAX_NODES = 20_000  # a PFX with a long chain has a few thousand
MAX_DEPTH = 40
_NAMES = {INTEGER: "INTEGER", OCTET_STRING: "OCTET STRING", OID: "OBJECT IDENTIFIER",
          SEQUENCE: "SEQUENCE", SET: "SET", NULL: "NULL", BMP_STRING: "BMPString"}  # fmt: skip


class BerError(ValueError):
    """Not a BER encoding; `truncated` when the data stops part-way through one."""

    def __init__(self, reason: str, *, truncated: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.truncated = truncated


class Node:
    """One element: its tag, and its content (bytes) or its children (constructed)."""

    __slots__ = ("children", "cls", "constructed", "content", "number", "raw")

    def __init__(self, cls: int, constructed: bool, number: int, content: bytes,
                 children: list[Node], raw: bytes) -> None:  # fmt: skip
        self.cls = cls
        self.constructed = constructed
        self.number = number
        self.content = content  # primitive: the value; constructed: empty
        self.children = children
        self.raw = raw  # the whole encoding, header included

    def describe(self) -> str:
        if self.cls == UNIVERSAL:
            return _NAMES.get(self.number, f"universal tag {self.number}")
        return f"[{self.number}]"

    def is_(self, number: int, cls: int = UNIVERSAL) -> bool:
        return self.cls == cls and self.number == number

    def expect(self, number: int, cls: int = UNIVERSAL) -> Node:
        if not self.is_(number, cls):
            wanted = _NAMES.get(number, f"[{number}]") if cls == UNIVERSAL else f"[{number}]"
            raise BerError(f"expected {wanted}, found {self.describe()}")
        return self

    def items(self, number: int = SEQUENCE, minimum: int = 0) -> list[Node]:
        """The children of a SEQUENCE (or SET, or a tagged wrapper)."""
        self.expect(number, UNIVERSAL if number in (SEQUENCE, SET) else CONTEXT)
        if not self.constructed:
            raise BerError(f"{self.describe()} is not constructed")
        if len(self.children) < minimum:
            raise BerError(f"{self.describe()} has {len(self.children)} elements, "
                           f"needs {minimum}")  # fmt: skip
        return self.children

    def explicit(self, number: int) -> Node:
        """The one element inside an EXPLICIT [number] tag."""
        inner = self.items(number, 1)
        return inner[0]

    def integer(self) -> int:
        self.expect(INTEGER)
        if not self.content or len(self.content) > 16:
            raise BerError("an INTEGER is empty or too long for a count")
        return int.from_bytes(self.content, "big", signed=True)

    def oid(self) -> str:
        self.expect(OID)
        return decode_oid(self.content)

    def octets(self) -> bytes:
        """An OCTET STRING's bytes (also the chunked, constructed BER form), or the same of
        an IMPLICIT-tagged one."""
        if self.cls == UNIVERSAL:
            self.expect(OCTET_STRING)
        if not self.constructed:
            return self.content
        return b"".join(child.octets() for child in self.children)

    def text(self) -> str | None:
        """A character string as text; None when this is no string type."""
        if self.cls != UNIVERSAL or self.constructed:
            return None
        if self.number == BMP_STRING:
            return self.content.decode("utf-16-be", errors="replace")
        if self.number in (UTF8_STRING, PRINTABLE_STRING, IA5_STRING, T61_STRING):
            return self.content.decode("utf-8", errors="replace")
        return None


def decode_oid(content: bytes) -> str:
    if not content or content[-1] & 0x80:
        raise BerError("an OBJECT IDENTIFIER is malformed")
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
        if value.bit_length() > 128:
            raise BerError("an OBJECT IDENTIFIER arc is too long")
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in (first, arcs[0] - 40 * first, *arcs[1:]))


def parse(data: bytes) -> Node:
    """The first element of `data` (bytes after it are ignored, as Windows does)."""
    reader = _Reader(data)
    node, _ = reader.element(0, 0)
    return node


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.nodes = 0

    def element(self, pos: int, depth: int) -> tuple[Node, int]:
        data = self.data
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise BerError(f"more than {MAX_NODES:,} elements, far more than any PFX has")
        if depth > MAX_DEPTH:
            raise BerError(f"nested more than {MAX_DEPTH} levels deep")
        start = pos
        if pos >= len(data):
            raise BerError("the data ends where an element should start", truncated=True)
        first = data[pos]
        pos += 1
        cls, constructed, number = first >> 6, bool(first & 0x20), first & 0x1F
        if number == 0x1F:  # high tag number form
            number = 0
            while True:
                if pos >= len(data):
                    raise BerError("the data ends inside a tag", truncated=True)
                byte = data[pos]
                pos += 1
                number = (number << 7) | (byte & 0x7F)
                if not byte & 0x80:
                    break
                if number > 1 << 28:
                    raise BerError("a tag number is too large")
        if pos >= len(data):
            raise BerError("the data ends before a length", truncated=True)
        length_byte = data[pos]
        pos += 1
        if length_byte == 0x80:  # indefinite: children up to an end-of-contents marker
            if not constructed:
                raise BerError("a primitive element has an indefinite length")
            children = []
            while True:
                if pos + 2 > len(data):
                    raise BerError("an indefinite-length element never ends", truncated=True)
                if data[pos] == 0 and data[pos + 1] == 0:
                    pos += 2
                    break
                child, pos = self.element(pos, depth + 1)
                children.append(child)
            return Node(cls, True, number, b"", children, data[start:pos]), pos
        if length_byte & 0x80:
            count = length_byte & 0x7F
            if count > 4 or count == 0x7F:
                raise BerError("a length is larger than any file pxready reads")
            if pos + count > len(data):
                raise BerError("the data ends inside a length", truncated=True)
            length = int.from_bytes(data[pos : pos + count], "big")
            pos += count
        else:
            length = length_byte
        end = pos + length
        if end > len(data):
            raise BerError(
                f"an element claims {length:,} bytes but only {len(data) - pos:,} follow",
                truncated=True,
            )
        if not constructed:
            return Node(cls, False, number, data[pos:end], [], data[start:end]), end
        children = []
        while pos < end:
            child, pos = self.element(pos, depth + 1)
            children.append(child)
        if pos != end:
            raise BerError("an element's contents overrun its length")
        return Node(cls, True, number, b"", children, data[start:end]), end
