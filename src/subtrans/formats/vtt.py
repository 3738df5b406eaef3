"""WebVTT (.vtt), read by the WebVTT parsing algorithm of the W3C spec.

The algorithm (https://www.w3.org/TR/webvtt1/#file-parsing) skips what it
cannot read, by design; browsers and the web-platform-tests agree on what is
kept. subtrans follows it exactly, but never silently: each block the
algorithm drops refuses the file in strict mode (``ParseError`` with its
line), or with ``lenient`` is noted as ``skipped-block``. NUL characters
become U+FFFD as the spec says, and are noted. Two layout quirks load with a
note: a cue right after the WEBVTT line (``vtt-header``) and lines of only
spaces between blocks, which the algorithm drops with nothing lost
(``whitespace-line``).

webvtt-py is not used for reading: it raises on, or drops without a word,
what the algorithm keeps, and it gives no line numbers. The tests use it as a
second opinion on the corpus.

NOTE, STYLE and REGION blocks, the header text and cue settings are kept
verbatim and written back in place.
"""

from __future__ import annotations

import re
from typing import Literal, cast

from ..errors import ParseError
from ..model import Block, Cue, ReadNote, Track, format_timestamp
from .base import SubtitleFormat, register_format

_SIGNATURE = re.compile(r"WEBVTT(?:[ \t\n]|$)")
_WS = " \t\n\f\r"
# The common timing line "HH:MM:SS.mmm --> HH:MM:SS.mmm[ settings]", read
# without the general path; anything else goes through the spec's steps.
_FAST = re.compile(
    r"([0-9]{2}):([0-5][0-9]):([0-5][0-9])\.([0-9]{3}) --> ([0-9]{2}):([0-5][0-9]):([0-5][0-9])\.([0-9]{3})"
    r"(?![0-9])"
)


class _Invalid(Exception):
    pass


def parse_timestamp(s: str, pos: int) -> tuple[int, int]:
    """The spec's "collect a WebVTT timestamp": (milliseconds, new position)."""
    def digits(p: int) -> tuple[str, int]:
        q = p
        while q < len(s) and "0" <= s[q] <= "9":
            q += 1
        return s[p:q], q

    if pos >= len(s) or not ("0" <= s[pos] <= "9"):
        if s[pos:pos + 1] == "-" and s[pos + 1:pos + 2].isdigit():
            raise _Invalid("negative timestamp: WebVTT times start at 00:00.000")
        raise _Invalid("a timestamp must start with a digit")
    hours_first = False
    d1, pos = digits(pos)
    v1 = int(d1)
    if len(d1) != 2 or v1 > 59:
        hours_first = True
    if pos >= len(s) or s[pos] != ":":
        raise _Invalid("expected ':' in timestamp")
    d2, pos = digits(pos + 1)
    if len(d2) != 2:
        raise _Invalid("minutes and seconds have two digits")
    v2 = int(d2)
    if hours_first or (pos < len(s) and s[pos] == ":"):
        if pos >= len(s) or s[pos] != ":":
            raise _Invalid("expected ':' before the seconds")
        d3, pos = digits(pos + 1)
        if len(d3) != 2:
            raise _Invalid("minutes and seconds have two digits")
        v3 = int(d3)
    else:
        v1, v2, v3 = 0, v1, v2
    if pos >= len(s) or s[pos] != ".":
        raise _Invalid("expected '.' before the milliseconds")
    d4, pos = digits(pos + 1)
    if len(d4) != 3:
        raise _Invalid("milliseconds have three digits")
    if v2 > 59 or v3 > 59:
        raise _Invalid("minutes and seconds run from 00 to 59")
    return ((v1 * 60 + v2) * 60 + v3) * 1000 + int(d4), pos


def parse_timing_line(line: str) -> tuple[int, int, str]:
    """(start, end, settings) from a cue timings line, as the spec collects them."""
    m = _FAST.match(line)
    if m is not None:
        h1, m1, s1, f1, h2, m2, s2, f2 = m.groups()
        return ((int(h1) * 60 + int(m1)) * 60 + int(s1)) * 1000 + int(f1), \
            ((int(h2) * 60 + int(m2)) * 60 + int(s2)) * 1000 + int(f2), line[m.end():].strip(_WS)
    pos = 0
    while pos < len(line) and line[pos] in _WS:
        pos += 1
    start, pos = parse_timestamp(line, pos)
    while pos < len(line) and line[pos] in _WS:
        pos += 1
    if line[pos:pos + 3] != "-->":
        raise _Invalid("expected '-->' after the start time")
    pos += 3
    # The spec skips whitespace here but does not require any:
    # "00:00.000-->00:01.000" is a valid timing line for the parser.
    while pos < len(line) and line[pos] in _WS:
        pos += 1
    end, pos = parse_timestamp(line, pos)
    return start, end, line[pos:].strip(_WS)


@register_format
class VttFormat(SubtitleFormat):
    name = "vtt"
    extensions = (".vtt", ".webvtt")

    @classmethod
    def sniff(cls, text: str) -> bool:
        return bool(_SIGNATURE.match(text))

    def parse(self, text: str, *, lenient: bool = False) -> Track:
        track = Track(format=self.name)
        notes = track.notes

        def problem(rule: str, message: str, line: int, block_text: str) -> None:
            if not lenient:
                raise ParseError(message, line=line, text=block_text.split("\n", 1)[0])
            notes.append(ReadNote(rule, message, line, block_text[:200]))

        text = text.replace("\r\n", "\n").replace("\r", "\n")  # as decode() does for files
        if "\x00" in text:
            for no, ln in enumerate(text.split("\n"), 1):
                if "\x00" in ln:
                    notes.append(ReadNote("nul-character", "NUL character replaced by U+FFFD", no, ln))
            text = text.replace("\x00", "\ufffd")
        lines = text.split("\n")
        if not _SIGNATURE.match(lines[0]):
            raise ParseError("not a WebVTT file: the first line must be 'WEBVTT'", line=1, text=lines[0][:200],
                             hint="add a first line 'WEBVTT' and a blank line after it")

        n = len(lines)
        i = 1
        header = [lines[0]]
        # Header: lines up to the first blank line; a timing line ends it early
        # (the spec reads it as the first cue). Header lines holding text are
        # then ambiguous (a cue identifier swallowed by the header?), so they
        # are a problem; blank-looking ones are only a layout quirk.
        while i < n and lines[i] != "":
            if "-->" in lines[i]:
                if any(ln.strip(_WS) for ln in header[1:]):
                    problem("skipped-block", "no blank line after the header: "
                            f"line {i} is read as header text", i, lines[i - 1])
                else:
                    notes.append(ReadNote("vtt-header", "no blank line after the WEBVTT line", i + 1, lines[i]))
                    header = header[:1]
                break
            header.append(lines[i])
            i += 1
        track.header = "\n".join(header)

        seen_cue = False
        while i < n:
            while i < n and lines[i] == "":
                i += 1
            if i >= n:
                break
            first = i
            buffer: list[str] = []
            cue: Cue | None = None
            kind: str | None = None  # STYLE / REGION
            bad_timing: str | None = None
            line_count = 0
            seen_arrow = False
            while i < n:
                line = lines[i]
                line_count += 1
                if "-->" in line:
                    if line_count == 1 or (line_count == 2 and not seen_arrow):
                        seen_arrow = True
                        i += 1
                        try:
                            start, end, settings = parse_timing_line(line)
                        except _Invalid as exc:
                            cue, bad_timing = None, f"{exc}"
                            buffer = []
                        else:
                            cue = Cue(start, end, "", id="\n".join(buffer) if buffer else None,
                                      settings=settings, line=first + 1)
                            buffer = []
                        continue
                    break  # a timing line starts the next block
                if line == "":
                    break
                if line_count == 2 and cue is None and not seen_arrow and not seen_cue and kind is None:
                    word = buffer[0].rstrip(_WS) if buffer else ""
                    if word in ("STYLE", "REGION"):
                        kind = word
                buffer.append(line)
                i += 1
            block_text = "\n".join(lines[first:i])
            if cue is not None:
                cue.text = "\n".join(buffer)
                track.cues.append(cue)
                seen_cue = True
                ignored = ignored_settings(cue.settings)
                if ignored:
                    notes.append(ReadNote("vtt-cue-settings", "cue settings the WebVTT algorithm ignores: "
                                          + ", ".join(repr(x) for x in ignored), first + 1,
                                          cue.settings, len(track.cues) - 1))
            elif bad_timing is not None:
                problem("skipped-block", f"cue skipped: {bad_timing}" if lenient
                        else f"unreadable cue timing: {bad_timing}", first + 1, block_text)
            elif kind is not None:
                track.blocks.append(Block(cast('Literal["STYLE", "REGION"]', kind), block_text, len(track.cues),
                                          line=first + 1))  # (kind is set to one of the two only)
            elif not block_text.strip(_WS):
                # Lines of only spaces/tabs between blocks: the algorithm reads
                # them as a block without a timing line and drops it; nothing
                # is lost, so this is a layout finding, not a skipped block.
                notes.append(ReadNote("whitespace-line", "line of only whitespace between blocks (dropped)",
                                      first + 1, block_text[:200]))
            elif re.match(r"NOTE(?:[ \t\n]|$)", block_text):
                track.blocks.append(Block("NOTE", block_text, len(track.cues), line=first + 1))
            elif block_text.startswith(("STYLE", "REGION")) and seen_cue:
                problem("skipped-block", f"{block_text.split()[0]} block after the first cue is ignored",
                        first + 1, block_text)
            else:
                problem("skipped-block", "block without a timing line", first + 1, block_text)
        return track

    def compose(self, track: Track) -> str:
        parts = [track.header if _SIGNATURE.match(track.header or "") else "WEBVTT"]
        blocks = sorted(track.blocks, key=lambda b: b.before)
        b = 0
        for idx, cue in enumerate(track.cues):
            while b < len(blocks) and blocks[b].before <= idx:
                parts.append(blocks[b].text)
                b += 1
            parts.append(_compose_cue(cue, idx))
        parts.extend(blk.text for blk in blocks[b:])
        return "\n\n".join(parts) + "\n"


def _compose_cue(cue: Cue, idx: int) -> str:
    where = cue.line or None
    if cue.id is not None and ("-->" in cue.id or "\n" in cue.id or cue.id == ""):
        raise ParseError(f"cue {idx + 1}: identifier {cue.id!r} cannot be written in WebVTT", line=where)
    if "-->" in cue.text or "\n\n" in cue.text or cue.text.startswith("\n") or cue.text.endswith("\n"):
        raise ParseError(
            f"cue {idx + 1}: text with a blank line or '-->' cannot be written in WebVTT",
            line=where, text=cue.text,
        )
    timing = f"{format_timestamp(cue.start, '.')} --> {format_timestamp(cue.end, '.')}"
    if cue.settings:
        timing += " " + cue.settings
    head = f"{cue.id}\n{timing}" if cue.id is not None else timing
    return f"{head}\n{cue.text}" if cue.text else head


_PERCENT = r"(?:\d+(?:\.\d+)?|\.\d+)%"
_SETTING = {
    "vertical": re.compile(r"rl|lr"),
    "line": re.compile(rf"(?:{_PERCENT}|-?\d+)(?:,(?:start|center|end))?"),
    "position": re.compile(rf"{_PERCENT}(?:,(?:line-left|center|line-right))?"),
    "size": re.compile(_PERCENT),
    "align": re.compile(r"start|center|end|left|right"),
    "region": re.compile(r"[^\s]+"),
}


def ignored_settings(settings: str) -> list[str]:
    """The cue settings the spec's algorithm ignores (an unknown name, a value it cannot parse):
    https://www.w3.org/TR/webvtt1/#parse-the-webvtt-cue-settings. They are kept in the file as written."""
    out = []
    for token in settings.split():
        name, sep, value = token.partition(":")
        rule = _SETTING.get(name)
        if not sep or rule is None or not value or not rule.fullmatch(value):
            out.append(token)
    return out
