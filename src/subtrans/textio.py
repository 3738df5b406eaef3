"""Bytes <-> text: encoding detection, BOMs, line endings, atomic writes."""

from __future__ import annotations

import codecs
import os
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, cast

from .errors import EncodingError, ParseError, WriteError
from .text import LazyRegex

if TYPE_CHECKING:  # pragma: no cover
    from charset_normalizer.models import CharsetMatch

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
_CYRILLIC_PAGES = {"cp1251", "koi8_r", "cp866", "mac_cyrillic", "iso8859_5"}
# The patterns of the legacy code page path are compiled when a file needs it (not UTF-8).
_CYRILLIC_OR_HAN = LazyRegex(r"[\u0400-\u04ff\u4e00-\u9fff]")


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
    # With ``lenient``: bytes that could not be decoded and became U+FFFD, as
    # (line, the bytes shown as Python writes them), at most one per line.
    replaced: tuple[tuple[int, str], ...] = ()
    final_ending: str = ""   # the last line's own ending when it is not ``newline`` (a CR file ending in CRLF)


def _newline_style(text: str) -> tuple[str, bool]:
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    counts = {"\r\n": crlf, "\n": lf, "\r": cr}
    used = [k for k, v in counts.items() if v]
    if not used:
        return "\n", False
    return max(used, key=lambda k: counts[k]), len(used) > 1


def decode(
    data: bytes, *, encoding: str | None = None, path: str | Path | None = None, lenient: bool = False
) -> Decoded:
    """Decode a subtitle file's bytes.

    Order: an explicit ``encoding``; a BOM; strict UTF-8; charset-normalizer
    over the encodings subtitles use. Binary content (a known binary file
    type, or control bytes outside a UTF-16/32 file) is refused, so is
    anything nothing can decode. A UTF-8 file with a few invalid bytes is
    not taken for a legacy code page (that would garble all of it): it is
    refused with the line of the first bad bytes, or with ``lenient`` read
    with U+FFFD in their place and each line listed in ``replaced``. The
    same goes for bytes an explicit ``encoding`` cannot decode. A legacy
    guess that reads as garbled Cyrillic is not taken either.
    """
    bom = False
    bad: list[bytes] = []
    if encoding is not None:
        enc = normalize_encoding(encoding)
        bom_bytes = _BOM_FOR.get(enc)
        if bom_bytes and data.startswith(bom_bytes):
            data, bom = data[len(bom_bytes):], True
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            if not lenient:
                raise EncodingError(
                    f"cannot decode as {enc}: {exc.reason}",
                    path=path, line=_line_of(data, exc.start, enc),
                    text=data[max(0, exc.start - 10): exc.end + 10].decode(enc, "replace"),
                    hint="name the right encoding with --encoding, or pass --lenient to read "
                         "undecodable bytes as U+FFFD (each reported)",
                ) from None
            text, bad = _decode_marking(data, enc)
    else:
        for bom_bytes, name in _BOMS:
            if data.startswith(bom_bytes):
                enc, bom, data = name, True, data[len(bom_bytes):]
                try:
                    text = data.decode(enc)
                except UnicodeDecodeError as exc:
                    raise EncodingError(
                        f"file starts with a {name} byte-order mark but is not valid {name}: {exc.reason}",
                        path=path, line=_line_of(data, exc.start, enc),
                        hint="pass --encoding if the BOM is wrong",
                    ) from None
                break
        else:
            _refuse_binary_bytes(data, path)
            enc, text, bad = _detect(data, path, lenient)
    _refuse_binary(text, path)
    # CR CR LF, where no lone CR ends a line elsewhere (a file of CR line ends may hold one by chance)
    double_cr = text.count("\r\r\n") >= 2 and text.count("\r") == text.count("\r\n") + text.count("\r\r\n")
    if double_cr:   # a CRLF file converted to CRLF once more: one line break each, as Subtitle Edit reads it
        text = text.replace("\r\r\n", "\r\n")
    newline, mixed = _newline_style(text)
    final_newline = text.endswith(("\n", "\r"))
    last = "\r\n" if text.endswith("\r\n") else "\n" if text.endswith("\n") else "\r" if text.endswith("\r") else ""
    final_ending = last if last and last != newline else ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    replaced: tuple[tuple[int, str], ...] = ()
    if bad:
        text, replaced = _replace_marks(text, bad)
    return Decoded(text, enc, bom, newline, final_newline, mixed or double_cr, replaced, final_ending)


def _line_of(data: bytes, offset: int, enc: str) -> int:
    """The 1-based line of byte ``offset`` (any line end: LF, CRLF or CR)."""
    head = data[:offset].decode(enc, "replace")
    return head.count("\n") + head.count("\r") - head.count("\r\n") + 1


_MARK = "\udcff"  # a lone surrogate: no codec decodes valid bytes to one
_pending = threading.local()


def _record_bad_bytes(exc: UnicodeDecodeError) -> tuple[str, int]:
    _pending.found.append(exc.object[exc.start:exc.end])
    return _MARK, exc.end


# registered for decoding only, so the handler always gets a UnicodeDecodeError
codecs.register_error("subtrans-mark", cast(Callable[[UnicodeError], tuple[str, int]], _record_bad_bytes))


def _decode_marking(data: bytes, enc: str) -> tuple[str, list[bytes]]:
    """Decode with a marker where bytes are invalid; the bad bytes in order."""
    _pending.found = []
    try:
        return data.decode(enc, "subtrans-mark"), _pending.found
    finally:
        _pending.found = []


def _replace_marks(text: str, bad: list[bytes]) -> tuple[str, tuple[tuple[int, str], ...]]:
    """U+FFFD for each marker; (line, bytes) for the first bad bytes of each line.

    ``text`` has ``\\n`` line ends. Linear: lines are counted between markers.
    """
    found: list[tuple[int, str]] = []
    line, last = 1, 0
    for m, raw in zip(re.finditer(_MARK, text), bad):
        line += text.count("\n", last, m.start())
        last = m.start()
        if not found or found[-1][0] != line:
            found.append((line, repr(raw)))
    return text.replace(_MARK, "\ufffd"), tuple(found)


_ESCAPED = LazyRegex("[\udc80-\udcff]+")  # bytes that surrogateescape kept
# Valid multi-byte UTF-8 sequences (RFC 3629), to tell a damaged UTF-8 file
# from a legacy code page.
_UTF8_MULTI = LazyRegex(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _mostly_utf8(data: bytes) -> bool:
    """Is this UTF-8 with a few bad bytes (rather than another encoding)?

    Legacy Cyrillic and Chinese code pages form valid UTF-8 sequences only
    by accident; a UTF-8 file with damage has many valid sequences per bad
    one. Counted over the whole file (linear, regex-driven).
    """
    good = len(_UTF8_MULTI.findall(data))
    if good < 4:
        return False
    bad = len(_ESCAPED.findall(data.decode("utf-8", "surrogateescape")))
    return bad * 10 <= good


_CYRILLIC_WORD = LazyRegex(r"[^\s\-/]*[\u0400-\u04ff][^\s\-/]*")
# What may sit in a Cyrillic word besides Cyrillic letters: Latin letters,
# digits, ASCII punctuation, quotes, dashes, ellipsis, No., degrees, accents.
_WORD_EXTRA = LazyRegex(r"[^\u0400-\u04ff\u0300-\u036fA-Za-z0-9!-/:-@\[-`{-~«»„“”‘’‚—–…№°±²³]")


def _plausible(text: str) -> bool:
    """Does ``text`` read as Cyrillic written by people, not a wrong code page?

    Looks at the words holding Cyrillic letters: one with a stray symbol inside
    ("Эб·лЁе", "ЁбЈл®е") in twenty words, or one in ten whose letters change
    case mid-word ("лЁе", "настоЯщий"), is a misread. Text without Cyrillic passes.
    """
    words = symbols = cases = 0
    for m in _CYRILLIC_WORD.finditer(text, 0, 200_000):  # a sample is enough, and keeps it fast
        word = m.group()
        words += 1
        if _WORD_EXTRA.search(word):
            symbols += 1
            continue
        letters = "".join(ch for ch in word if "\u0400" <= ch <= "\u04ff")
        if not (letters.islower() or letters.isupper() or (letters[:1].isupper() and letters[1:].islower())):
            cases += 1
    return symbols * 20 <= words and (symbols + cases < 2 or (symbols + cases) * 10 <= words)


def _reads_well(match: CharsetMatch) -> float:
    return match.coherence - match.chaos


def _clearly_better(rival: CharsetMatch, preferred: CharsetMatch) -> bool:
    """Does ``rival`` read clearly better than ``preferred``? Ties keep the preferred
    (cp1251 and KOI8-R are far more common than ISO 8859-5 or Mac Cyrillic)."""
    coherence = rival.coherence - preferred.coherence
    chaos = rival.chaos - preferred.chaos
    return (coherence >= 0.1 and chaos <= 0.02) or (coherence >= 0 and chaos <= -0.03)


def _detect(data: bytes, path: str | Path | None, lenient: bool = False) -> tuple[str, str, list[bytes]]:
    try:
        return "utf-8", data.decode("utf-8"), []
    except UnicodeDecodeError as utf8_error:
        first_bad = utf8_error
    if _mostly_utf8(data):
        if lenient:
            text, bad = _decode_marking(data, "utf-8")
            return "utf-8", text, bad
        bad_bytes = data[first_bad.start:first_bad.end]
        raise EncodingError(
            f"invalid UTF-8 {bad_bytes!r} in a file that is otherwise UTF-8",
            path=path, line=_line_of(data, first_bad.start, "utf-8"),
            text=data[max(0, first_bad.start - 12): first_bad.end + 12].decode("utf-8", "replace"),
            hint="repair the damaged bytes, or pass --lenient to read them as U+FFFD (each reported)",
        )
    from charset_normalizer import from_bytes  # cheap, but only needed here

    # The languages subtrans is for come first: a short file of Russian or
    # Chinese is otherwise easily taken for Shift-JIS or a Central European
    # code page. Another code page wins only when its text is recognisably
    # another language (clearly higher coherence), as with French or Hebrew.
    preferred_matches = from_bytes(data, cp_isolation=_PREFERRED)
    preferred = preferred_matches.best()
    wide_matches = from_bytes(data, cp_isolation=_LEGACY)
    wide = wide_matches.best()
    best = wide
    if preferred is not None and _CYRILLIC_OR_HAN.search(str(preferred)):
        if wide is None or wide.coherence <= preferred.coherence + 0.2:
            best = preferred
        # Between two Cyrillic code pages the better-reading one wins: ISO 8859-5
        # or Mac Cyrillic read as cp1251 is still Cyrillic, only garbled.
        if preferred.encoding in _CYRILLIC_PAGES:
            cyrillic = [m for m in wide_matches if m.encoding in _CYRILLIC_PAGES]
            rival = max(cyrillic, key=_reads_well, default=None)
            if rival is not None and _clearly_better(rival, preferred):
                best = rival
    # A guess that reads as garbled Cyrillic (symbols inside words, case changing
    # mid-word: IBM cp855 read as cp1251 gives "Эб·лЁе, Т·б!") gives way to the
    # next candidate that reads plausibly; if none does, the user names it.
    if best is not None and not _plausible(str(best)):
        seen = {best.encoding}
        best = None
        for m in [*preferred_matches, *wide_matches]:
            if m.encoding not in seen and m.encoding not in ("utf_8", "ascii"):
                seen.add(m.encoding)
                text = str(m)
                if _CYRILLIC_OR_HAN.search(text) and _plausible(text):
                    best = m
                    break
    if best is None or best.encoding in ("utf_8", "ascii"):
        raise EncodingError(
            "not UTF-8 and no known subtitle encoding fits",
            path=path, line=_line_of(data, first_bad.start, "utf-8"),
            text=data[max(0, first_bad.start - 10): first_bad.end + 10].decode("utf-8", "replace"),
            hint="name it with --encoding (for example cp1251, koi8-r, gb18030, big5)",
        )
    enc = normalize_encoding(best.encoding)
    # GB2312 and GBK are subsets of GB18030: decode with the superset so that
    # rarer characters survive, and write back as GB18030 (identical bytes for
    # all GB2312/GBK text).
    if enc in ("gb2312", "gbk"):
        enc = "gb18030"
    return enc, data.decode(enc), []


# What people hand a subtitle tool by mistake, by the first bytes of the file.
_MAGIC: tuple[tuple[int, bytes, str, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image", ""),
    (0, b"\xff\xd8\xff", "a JPEG image", ""),
    (0, b"GIF8", "a GIF image", ""),
    (0, b"%PDF-", "a PDF document", ""),
    (0, b"PK\x03\x04", "a ZIP archive (or a DOCX/XLSX document)", "unpack it and pass the subtitle file"),
    (0, b"\x1f\x8b", "a gzip archive", "unpack it and pass the subtitle file"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "unpack it and pass the subtitle file"),
    (0, b"Rar!\x1a\x07", "a RAR archive", "unpack it and pass the subtitle file"),
    (0, b"\x1aE\xdf\xa3", "a Matroska/WebM video",
     "extract the subtitle track first (for example: ffmpeg -i VIDEO -map 0:s:0 subs.srt)"),
    (4, b"ftyp", "an MP4/QuickTime video",
     "extract the subtitle track first (for example: ffmpeg -i VIDEO -map 0:s:0 subs.srt)"),
    (0, b"RIFF", "a RIFF (AVI/WAV) file", ""),
    (0, b"OggS", "an Ogg media file", ""),
    (0, b"ID3", "an MP3 audio file", ""),
    (0, b"\x00\x00\x01\xba", "an MPEG video", ""),
)


def _refuse_binary_bytes(data: bytes, path: str | Path | None) -> None:
    """Refuse known binary file types by their signature, before guessing an encoding."""
    for offset, magic, what, hint in _MAGIC:
        # A signature of printable letters ("RIFF", "ID3") counts only with control bytes near it.
        if data[offset:offset + len(magic)] == magic and (
            _CONTROL_BYTES_RE.search(magic) or magic[0] >= 0x80 or _CONTROL_BYTES_RE.search(data[:1024])
        ):
            raise ParseError(
                f"binary content: this is {what}, not subtitle text", path=path, line=1,
                hint=hint or "pass the subtitle file (.srt or .vtt)",
            )
    _refuse_binary_head(data[:4096], path)


def _refuse_binary(text: str, path: str | Path | None) -> None:
    """Refuse content that is mostly control characters (binary, or UTF-16 read as UTF-8).

    A few stray NULs in a text file are left to the format, which replaces
    them with U+FFFD as the WebVTT algorithm does, and reports them.
    """
    _refuse_binary_head(text[:4096], path)


_CONTROL_BYTES = bytes(c for c in range(32) if chr(c) not in "\t\n\r\f") + b"\x7f"
_CONTROL_RE = re.compile("[" + re.escape(_CONTROL_BYTES.decode("ascii")) + "]")
_CONTROL_BYTES_RE = re.compile(b"[" + re.escape(_CONTROL_BYTES) + b"]")


def _refuse_binary_head(head: str | bytes, path: str | Path | None) -> None:
    """The test on the first 4,096 characters (or bytes: control bytes are the
    same in every ASCII-compatible encoding, and no trail byte of GB18030, Big5
    or Shift-JIS is one)."""
    pattern: re.Pattern[Any] = _CONTROL_BYTES_RE if isinstance(head, bytes) else _CONTROL_RE
    found = pattern.findall(head)
    if head and len(found) > max(2, len(head) // 10):
        match = pattern.search(head)
        assert match is not None  # found is not empty
        at = match.start()
        before: Any = head[:at]
        newlines = before.count(b"\n" if isinstance(head, bytes) else "\n")
        raise ParseError(
            "binary content (control characters), not subtitle text",
            path=path, line=newlines + 1,
            hint="if this is UTF-16/32 text without a byte-order mark, name it with --encoding",
        )


#: The closest form a legacy encoding can hold of a character it cannot (typography a fix may bring:
#: "…" in koi8-r, a no-break space in cp866).
CLOSEST = {"\u2026": "...", "\u00ab": '"', "\u00bb": '"', "\u201e": '"', "\u201c": '"', "\u201d": '"',
           "\u2018": "'", "\u2019": "'", "\u2014": "-", "\u2013": "-", "\u00a0": " ", "\u2009": " ",
           "\u202f": " ", "\u2116": "No.", "\u00b7": ".", "\u22ef": "..."}


def encode(text: str, *, encoding: str, bom: bool, newline: str, path: str | Path | None = None,
           substituted: list[tuple[str, str, int, int]] | None = None) -> bytes:
    """Encode ``text`` (``\\n`` line ends) with the track's encoding, BOM and line ends.

    With ``substituted`` (a list), a character the encoding cannot hold is written in its closest form
    (:data:`CLOSEST`: ``…`` as ``...`` in koi8-r), each kind listed there as (character, written as,
    count, first line); the encoding never changes silently, and a character with no such form is an
    error, as it is without the list."""
    enc = normalize_encoding(encoding)
    if newline != "\n":
        text = text.replace("\n", newline)
    while True:
        try:
            body = text.encode(enc)
            break
        except UnicodeEncodeError as exc:
            char = text[exc.start:exc.end][:1]
            line = text[: exc.start].count(newline) + 1
            closest = CLOSEST.get(char) if substituted is not None else None
            if closest is not None:
                try:
                    closest.encode(enc)
                except UnicodeEncodeError:
                    closest = None
            if closest is None:
                raise EncodingError(
                    f"{text[exc.start:exc.end]!r} cannot be written in {enc}",
                    path=path, line=line, text=text[exc.start:exc.end],
                    hint="choose another output encoding with --encoding utf-8",
                ) from None
            assert substituted is not None  # closest is None without it
            substituted.append((char, closest, text.count(char), line))
            text = text.replace(char, closest)
    if bom:
        if enc not in _BOM_FOR:
            raise EncodingError(f"{enc} has no byte-order mark", path=path)
        body = _BOM_FOR[enc] + body
    return body


# Temporary files of atomic_write: ".NAME.subtrans-HOST-PID-RANDOM.tmp" next to
# NAME. A process killed between creating one and renaming it leaves it
# behind; the next write of NAME on the same host removes those whose process
# is gone.
_TMP_TAG = "subtrans"


def _host_tag() -> str:
    import socket
    import zlib

    return f"{zlib.crc32(socket.gethostname().encode('utf-8', 'replace')):08x}"


def _tmp_prefix(name: str) -> str:
    return f".{name[:150]}.{_TMP_TAG}-{_host_tag()}-"


def temp_files(path: str | Path) -> list[Path]:
    """The temporary files atomic_write has (or had) open for ``path``, in its folder."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    stem = f".{path.name[:150]}.{_TMP_TAG}-"
    try:
        return sorted(folder / e for e in os.listdir(folder) if e.startswith(stem) and e.endswith(".tmp"))
    except OSError:
        return []


def _clean_stale_temp_files(path: Path) -> None:
    """Remove temporary files of ``path`` left by dead processes of this host.

    Only on POSIX (``os.kill(pid, 0)`` tests a process there; on Windows it
    would end it), only names of this host, never those of a live process.
    """
    if sys.platform == "win32":
        return
    prefix = _tmp_prefix(path.name)
    for tmp in temp_files(path):
        if not tmp.name.startswith(prefix):
            continue  # another host's (a shared folder): its process may be alive
        pid_text = tmp.name[len(prefix):].split("-", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        except OSError:
            pass  # alive (another user's), or not ours to judge


def atomic_write(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename.

    A reader sees the old file or the new one, never part of one, even if the
    process is killed. The temporary file is ``.NAME.subtrans-HOST-PID-XXXX.tmp``;
    one left by a killed process is removed by the next write of ``NAME``.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    _clean_stale_temp_files(path)
    try:
        import tempfile

        fd, tmp = tempfile.mkstemp(prefix=f"{_tmp_prefix(path.name)}{os.getpid()}-", suffix=".tmp", dir=folder)
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
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); a failure here loses nothing already visible."""
    if sys.platform == "win32":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
