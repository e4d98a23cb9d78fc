"""Bytes of a variables script → text, the way Windows editors and PowerShell save it."""

from __future__ import annotations

import codecs

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE with BOM"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE with BOM"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE with BOM"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE with BOM"),
)


class ScriptDecodeError(Exception):
    """The file is not text in any encoding PowerShell would read."""


def decode_script(data: bytes) -> tuple[str, str]:
    """Return (text, a human name of the encoding). Raises `ScriptDecodeError`."""
    for bom, codec, label in _BOMS:
        # UTF-32 LE's BOM starts with UTF-16 LE's: the longer one is tried first.
        if data.startswith(bom):
            text = _decode(data[len(bom) :], codec, label, bom)
            if "\x00" in text:
                # A UTF-8 BOM on a UTF-16 body, say: PowerShell reads NULs and fails.
                raise ScriptDecodeError(
                    f"the file starts with a {label.split(' with')[0]} byte-order mark, but the "
                    "text after it holds NUL characters (a file saved in another encoding "
                    "behind that mark); save it again as UTF-8 or UTF-16 with one byte-order mark"
                )
            return text, label
    if not data:
        return "", "empty"
    guess = _bomless_utf16(data)
    if guess is not None:
        codec, label = guess
        return _decode(data, codec, label), label
    if b"\x00" in data:
        raise ScriptDecodeError("not a text file (it contains NUL bytes)")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    # Windows PowerShell 5.1 reads a BOM-less file in the ANSI code page.
    text = data.decode("cp1252", errors="replace")
    return text, "Windows-1252 (no BOM, not UTF-8)"


def _decode(data: bytes, codec: str, label: str, bom: bytes = b"") -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        where = exc.start + len(bom)
        if bom:
            raise ScriptDecodeError(
                f"the file starts with a {label.split(' with')[0]} byte-order mark but byte "
                f"{where} is not valid {label.split(' with')[0]}"
            ) from None
        raise ScriptDecodeError(
            f"it looks like {label} but byte {where} is not valid {label.split(' without')[0]}"
        ) from None


def _bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM shows as NUL in every other byte of ASCII text."""
    sample = data[:400]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > half * 0.6 and even_nuls == 0:
        return "utf-16-le", "UTF-16 LE without BOM"
    if even_nuls > half * 0.6 and odd_nuls == 0:
        return "utf-16-be", "UTF-16 BE without BOM"
    return None
