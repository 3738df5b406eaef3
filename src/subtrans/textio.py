"""Bytes <-> text: encoding detection, BOMs, line endings, atomic writes."""

from __future__ import annotations

import codecs
import re
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import EncodingError, ParseError, WriteError

__all__ = ["Decoded", "decode", "encode", "atomic_write", "normalize_encoding"]

# Longest first: the UTF-32-LE BOM begins with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BOM_FOR = {name: bom for bom, name in _BOMS}

# Encodings subtitle files actually arrive in, tried by charset-normalizer when
# the bytes are not UTF-8. Restricting the candidates keeps short Cyrillic and
# Chinese files from being taken for an exotic code page.
_LEGACY = [
    "cp1251", "koi8_r", "cp866", "mac_cyrillic", "iso8859_5",
    "gb18030", "big5", "cp1252", "cp1250", "iso8859_2",
    "cp1253", "cp1254", "cp1255", "cp1256", "iso8859_8", "shift_jis", "euc_kr",
]


_PREFERRED = ["cp1251", "koi8_r", "gb18030", "big5", "cp950", "cp866"]
_CYRILLIC_OR_HAN = re.compile(r"[\u0400-\u04ff\u4e00-\u9fff]")


def normalize_encoding(name: str) -> str:
    """Canonical codec name (``UTF8`` -> ``utf-8``, ``gbk`` -> ``gbk``); raises on unknown."""
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        raise EncodingError(
            f"unknown encoding {name!r}", text=name, hint="use a Python codec name such as cp1251, gb18030, big5"
        ) from None
    return {"utf-8-sig": "utf-8", "utf-16": "utf-16-le", "utf-32": "utf-32-le"}.get(canonical, canonical)


@dataclass(frozen=True)
class Decoded:
    text: str  # line endings normalised to "\n", BOM removed
    encoding: str
    bom: bool
    newline: str
    final_newline: bool
    mixed_newlines: bool


def _newline_style(text: str) -> tuple[str, bool]:
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    counts = {"\r\n": crlf, "\n": lf, "\r": cr}
    used = [k for k, v in counts.items() if v]
    if not used:
        return "\n", False
    return max(used, key=lambda k: counts[k]), len(used) > 1


def decode(data: bytes, *, encoding: str | None = None, path: str | Path | None = None) -> Decoded:
    """Decode a subtitle file's bytes.

    Order: an explicit ``encoding``; a BOM; strict UTF-8; charset-normalizer
    over the encodings subtitles use. Binary content (NUL bytes outside a
    UTF-16/32 file) is refused, so is anything nothing can decode.
    """
    bom = False
    if encoding is not None:
        enc = normalize_encoding(encoding)
        bom_bytes = _BOM_FOR.get(enc)
        if bom_bytes and data.startswith(bom_bytes):
            data, bom = data[len(bom_bytes):], True
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            raise EncodingError(
                f"cannot decode as {enc}: {exc.reason}",
                path=path, line=data[: exc.start].count(b"\n") + 1,
                text=data[max(0, exc.start - 10): exc.end + 10].decode(enc, "replace"),
            ) from None
    else:
        for bom_bytes, name in _BOMS:
            if data.startswith(bom_bytes):
                enc, bom, data = name, True, data[len(bom_bytes):]
                try:
                    text = data.decode(enc)
                except UnicodeDecodeError as exc:
                    raise EncodingError(
                        f"file starts with a {name} byte-order mark but is not valid {name}: {exc.reason}",
                        path=path, line=data[: exc.start].decode(enc, "replace").count("\n") + 1,
                        hint="pass --encoding if the BOM is wrong",
                    ) from None
                break
        else:
            enc, text = _detect(data, path)
    _refuse_binary(text, path)
    newline, mixed = _newline_style(text)
    final_newline = text.endswith(("\n", "\r"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Decoded(text, enc, bom, newline, final_newline, mixed)


def _detect(data: bytes, path) -> tuple[str, str]:
    try:
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        first_bad = utf8_error
    from charset_normalizer import from_bytes  # cheap, but only needed here

    # The languages subtrans is for come first: a short file of Russian or
    # Chinese is otherwise easily taken for Shift-JIS or a Central European
    # code page. Another code page wins only when its text is recognisably
    # another language (clearly higher coherence), as with French or Hebrew.
    preferred = from_bytes(data, cp_isolation=_PREFERRED).best()
    wide = from_bytes(data, cp_isolation=_LEGACY).best()
    best = wide
    if preferred is not None and _CYRILLIC_OR_HAN.search(str(preferred)):
        if wide is None or wide.coherence <= preferred.coherence + 0.2:
            best = preferred
    if best is None or best.encoding in ("utf_8", "ascii"):
        line = data[: first_bad.start].count(b"\n") + 1
        raise EncodingError(
            "not UTF-8 and no known subtitle encoding fits",
            path=path, line=line,
            text=data[max(0, first_bad.start - 10): first_bad.end + 10].decode("utf-8", "replace"),
            hint="name it with --encoding (for example cp1251, koi8-r, gb18030, big5)",
        )
    enc = normalize_encoding(best.encoding)
    # GB2312 and GBK are subsets of GB18030: decode with the superset so that
    # rarer characters survive, and write back as GB18030 (identical bytes for
    # all GB2312/GBK text).
    if enc in ("gb2312", "gbk"):
        enc = "gb18030"
    return enc, data.decode(enc)


_CONTROL = {chr(c) for c in range(32) if chr(c) not in "\t\n\r\f"} | {"\x7f"}


def _refuse_binary(text: str, path) -> None:
    """Refuse content that is mostly control characters (binary, or UTF-16 read as UTF-8).

    A few stray NULs in a text file are left to the format, which replaces
    them with U+FFFD as the WebVTT algorithm does, and reports them.
    """
    head = text[:4096]
    controls = sum(1 for ch in head if ch in _CONTROL)
    if head and controls > max(2, len(head) // 10):
        at = next(i for i, ch in enumerate(head) if ch in _CONTROL)
        raise ParseError(
            "binary content (control characters), not subtitle text",
            path=path, line=head[:at].count("\n") + 1,
            hint="if this is UTF-16/32 text without a byte-order mark, name it with --encoding",
        )


def encode(text: str, *, encoding: str, bom: bool, newline: str, path: str | Path | None = None) -> bytes:
    """Encode ``text`` (``\\n`` line ends) with the track's encoding, BOM and line ends."""
    enc = normalize_encoding(encoding)
    if newline != "\n":
        text = text.replace("\n", newline)
    try:
        body = text.encode(enc)
    except UnicodeEncodeError as exc:
        line = text[: exc.start].count(newline) + 1
        raise EncodingError(
            f"{text[exc.start:exc.end]!r} cannot be written in {enc}",
            path=path, line=line, text=text[exc.start:exc.end],
            hint="choose another output encoding with --encoding utf-8",
        ) from None
    if bom:
        if enc not in _BOM_FOR:
            raise EncodingError(f"{enc} has no byte-order mark", path=path)
        body = _BOM_FOR[enc] + body
    return body


def atomic_write(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise WriteError(f"cannot write in {folder}: {exc.strerror}", path=path) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise WriteError(f"cannot write: {exc.strerror}", path=path) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
