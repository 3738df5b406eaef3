"""Reading and writing subtitle files: format detection, encodings, atomic saves."""

from __future__ import annotations

import sys

from bisect import bisect_right
from pathlib import Path

from ..errors import FormatError, ParseError, WriteError
from ..model import ReadNote, Track
from ..textio import atomic_write, decode, encode, normalize_encoding
from . import ass, srt, ttml, vtt  # noqa: F401  (register the built-in formats)
from .base import EXTENSIONS, FORMATS, SubtitleFormat, get_format, register_format

__all__ = [
    "load", "loads", "save", "detect_format", "get_format", "register_format",
    "SubtitleFormat", "FORMATS", "EXTENSIONS",
]


def detect_format(text: str, path: str | Path | None = None) -> str:
    """Name the format of ``text``; the content decides, the extension only checks it.

    Content claimed by several formats is an error (ambiguous); so is content
    that looks like one format in a file whose extension names another (a
    ``.vtt`` holding SRT is usually a WebVTT file missing its header).
    """
    claims = [name for name, cls in FORMATS.items() if cls.sniff(text)]
    ext_format = EXTENSIONS.get(Path(path).suffix.lower()) if path else None
    if len(claims) > 1:
        raise FormatError(
            f"content fits several formats ({', '.join(claims)})", path=path,
            hint="name one with --input-format",
        )
    if len(claims) == 1:
        found = claims[0]
        if ext_format and ext_format != found:
            raise FormatError(
                f"extension says {ext_format} but the content is {found}"
                + (" (a WebVTT file must start with 'WEBVTT')" if ext_format == "vtt" else ""),
                path=path, line=1, text=text.split("\n", 1)[0],
                hint=f"fix the file, or read it as {found} with --input-format {found}",
            )
        return found
    if ext_format:
        return ext_format  # its parser will say precisely what is wrong
    if not text.strip():
        raise ParseError("file is empty", path=path, line=1)
    raise FormatError(
        "not a subtitle format subtrans knows", path=path, line=1, text=text.split("\n", 1)[0],
        hint=f"supported: {', '.join(sorted(FORMATS))}",
    )


def loads(
    text: str, *, format: str | None = None, lenient: bool = False, path: str | Path | None = None
) -> Track:
    """Parse subtitle text (already decoded) into a :class:`Track`."""
    name = format or detect_format(text, path)
    try:
        track = get_format(name).parse(text, lenient=lenient)
    except ParseError as exc:
        raise exc.with_path(path) if path is not None else exc
    if track.format not in getattr(get_format(name), "variants", ()):
        track.format = name          # a reader may name a variant of its format (TTML read as IMSC)
    return track


def load(
    path: str | Path,
    *,
    format: str | None = None,
    encoding: str | None = None,
    lenient: bool = False,
) -> Track:
    """Read a subtitle file: detect its encoding and format, parse it, strictly by default.

    With ``lenient=True`` blocks that cannot be read are skipped and each is
    noted in ``track.notes`` (rule ``skipped-block``) instead of raising, and
    bytes the encoding cannot decode are read as U+FFFD, each line noted
    (rule ``invalid-bytes``). ``-`` reads standard input.
    """
    path = Path(path)
    try:
        data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except IsADirectoryError:
        raise ParseError("is a folder, not a subtitle file", path=path) from None
    except OSError as exc:
        raise ParseError(f"cannot read: {exc.strerror or exc}", path=path) from None
    if not data:
        raise ParseError("file is empty", path=path, line=1)
    decoded = decode(data, encoding=encoding, path=path, lenient=lenient)
    del data  # a large file: keep one copy of it, not two
    if not decoded.text.strip():
        raise ParseError("file holds no text (only a byte-order mark or blank lines)", path=path, line=1)
    track = loads(decoded.text, format=format, lenient=lenient, path=path)
    track.path = path
    track.encoding = decoded.encoding
    track.bom = decoded.bom
    track.newline = decoded.newline
    track.final_newline = decoded.final_newline
    track.final_ending = decoded.final_ending
    if decoded.mixed_newlines:
        track.notes.insert(0, ReadNote(
            "mixed-line-endings",
            f"line endings are mixed; the file will be written with {decoded.newline!r}",
            line=1,
        ))
    if decoded.replaced:
        starts = [c.line for c in track.cues]
        for line, raw in decoded.replaced:
            track.notes.append(ReadNote(
                "invalid-bytes", f"bytes {raw} are not valid {decoded.encoding}; read as U+FFFD", line,
                cue=_cue_at(track, starts, line),
            ))
    return track


def _cue_at(track: Track, starts: list[int], line: int) -> int | None:
    """The index of the cue whose lines (identifier, timing, text) include ``line``."""
    i = bisect_right(starts, line) - 1
    if i < 0:
        return None
    cue = track.cues[i]
    span = (cue.id is not None) + 1 + cue.text.count("\n") + 1
    return i if line < cue.line + span else None


def save(
    track: Track,
    path: str | Path,
    *,
    format: str | None = None,
    encoding: str | None = None,
    overwrite: bool = True,
    substituted: list[tuple[str, str, int, int]] | None = None,
) -> Path:
    """Write ``track`` atomically in its own format, encoding and line ends.

    ``format`` and ``encoding`` override the track's (a new encoding writes no
    BOM unless it is a UTF encoding and the track had one).
    """
    path = Path(path)
    if not overwrite and path.exists():
        raise WriteError("output exists", path=path, hint="choose another -o or allow overwriting")
    fmt = get_format(format or track.format)
    out = track if format is None or format == track.format else track.copy()
    text = fmt.compose(out)
    enc = normalize_encoding(encoding) if encoding else track.encoding
    if getattr(fmt, "variants", None):
        enc = "utf-8"     # the XML declaration the TTML writer writes says so
    bom = track.bom and enc.startswith("utf")
    if not track.final_newline and format in (None, track.format):
        text = text.rstrip("\n")
    final = track.final_ending if track.final_newline and format in (None, track.format) else ""
    if final and text.endswith("\n"):   # a file whose last line ends otherwise than the rest: kept so
        body = encode(text[:-1], encoding=enc, bom=bom, newline=track.newline, path=path, substituted=substituted)
        body += final.encode(normalize_encoding(enc))
    else:
        body = encode(text, encoding=enc, bom=bom, newline=track.newline, path=path, substituted=substituted)
    atomic_write(path, body)
    return path
