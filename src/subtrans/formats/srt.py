"""SubRip (.srt).

Reading is done here, line by line, because a reviewer needs the line number
of every problem and pysrt gives none (its default mode also drops unreadable
blocks silently). Writing goes through pysrt's ``SubRipItem``, the reference
layout of the format.

What real files get wrong and still load, each noted as a finding:
missing, non-numeric (after the first cue) or out-of-sequence cue numbers
(``cue-numbering``); a blank line
inside a cue's text (``blank-line-in-text``); a cue starting without a blank
line before it (``missing-blank-line``); a dot instead of a comma, one-digit
fields, zero-padded 3-digit fields or stray spaces in the timing line
(``timestamp-format``); no final
newline (``missing-final-newline``); NUL characters, replaced by U+FFFD as
the WebVTT algorithm does (``nul-character``). A block with no readable
timing line (negative times, three-digit hours and WebVTT short timestamps
included) refuses the whole file (``ParseError`` with its line), or with
``lenient`` is skipped and noted (``skipped-block``).

Reading takes linear time and memory: the common block (a number, a
canonical timing line, text) is read by one regular expression, the rest
line by line.
"""

from __future__ import annotations

import re
from typing import Iterator

from ..errors import ParseError
from ..model import Cue, ReadNote, Track, format_timestamp
from .base import SubtitleFormat, register_format

# ASCII digits only: int() would also take other scripts' digits ("٠١").
_TIMESTAMP = re.compile(r"(-?)([0-9]+):([0-9]+):([0-9]+)(?:([,.:;])([0-9]*))?")
_NO_HOURS = re.compile(r"(-?)([0-9]+):([0-9]{2})([,.])([0-9]{1,3})")   # MM:SS,mmm (androidx reads it)
# The arrow as files write it: "-->", and what srt, pysubs2 and Subtitle Edit read too ("->", "- >",
# "-- >", an em or en dash, spaces around it).
_ARROW = r"(?:-{1,2}\s*>|[\u2014\u2013]-?\s*>|\u2192)"
_STAMP = r"-?[0-9]+:[0-9]+(?::[0-9]+(?:[,.:;][0-9]*)?|[,.][0-9]{1,3})"
_TIMING = re.compile(rf"^\s*({_STAMP})\s*({_ARROW})\s*({_STAMP})(?=\s|$)(.*)$")
_LOOKS_TIMING = re.compile(rf"^\s*{_STAMP}\s*{_ARROW}")
_VTT_SHORT = re.compile(r"[0-9]{2,}:[0-9]{2}\.[0-9]{3}")
# The canonical timing line, read without the general path (most lines of most files).
_CANONICAL = re.compile(
    r"([0-9]{2}):([0-5][0-9]):([0-5][0-9]),([0-9]{3}) --> ([0-9]{2}):([0-5][0-9]):([0-5][0-9]),([0-9]{3})"
    r"(?: (\S(?:.*\S)?))?"
)
_INDEX = re.compile(r"^\s*\d+\s*$")



class _Reject(Exception):
    def __init__(self, message: str, line: int, text: str) -> None:
        self.message, self.line, self.text = message, line, text


def parse_timestamp(value: str, line: int) -> tuple[int, list[str], list[str]]:
    """Milliseconds of an SRT timestamp, what was irregular about it, and what players misread in it.

    Read as srt, pysubs2 and Subtitle Edit read it: hours of any number of digits, a fraction of 1 to
    3 digits (or more) after ``,`` ``.`` ``:`` or ``;`` read as a fraction of a second (``,5`` and
    ``,50`` are 500 ms), no fraction at all (0 ms), minutes and seconds above 59 carried over, a
    negative time read as 0 (the file's own text is what a fix rewrites)."""
    m = _TIMESTAMP.fullmatch(value)
    quirks, misread = [], []
    if not m:
        short = _NO_HOURS.fullmatch(value)
        if short is None:
            raise _Reject(f"unreadable timestamp {value!r} (expected HH:MM:SS,mmm)", line, value)
        misread.append("no hours (MM:SS,mmm)")
        neg, mi, s, sep, frac = short.groups()
        h = "00"
    else:
        neg, h, mi, s, sep, frac = m.groups()
    if not frac:
        misread.append("no milliseconds")
        fraction = 0
    elif len(frac) == 3:
        fraction = int(frac)
    else:
        misread.append(f"{len(frac)} digit{'s' if len(frac) > 1 else ''} after the seconds (read as a fraction "
                       "of a second)")
        fraction = round(int(frac) * 10 ** (3 - len(frac)))
    if sep is not None and sep != ",":
        quirks.append(f"{sep!r} instead of ',' before the milliseconds")
    if len(h) > 2 and int(h) > 99:
        misread.append("hours of more than two digits")
    elif len(h) < 2 or len(mi) < 2 or len(s) < 2:
        quirks.append("one-digit field")
    elif len(h) > 2 or len(mi) > 2 or len(s) > 2:  # '00:00:013,567': the value is in range
        quirks.append("extra leading zero")
    if int(mi) > 59 or int(s) > 59:
        misread.append("minutes or seconds above 59")
    ms = ((int(h) * 60 + int(mi)) * 60 + int(s)) * 1000 + fraction
    if neg:
        misread.append("a negative time (read as 0)")
        ms = 0
    return ms, quirks, misread


def _canonical_times(m: re.Match[str]) -> tuple[int, int]:
    h1, m1, s1, f1, h2, m2, s2, f2 = map(int, m.group(1, 2, 3, 4, 5, 6, 7, 8))
    return ((h1 * 60 + m1) * 60 + s1) * 1000 + f1, ((h2 * 60 + m2) * 60 + s2) * 1000 + f2


def parse_timing_line(line: str, lineno: int) -> tuple[int, int, str, list[str], list[str]]:
    """(start, end, the text after the timing, quirks, what players misread) of a timing line."""
    c = _CANONICAL.fullmatch(line)
    if c is not None:
        start, end = _canonical_times(c)
        return start, end, c.group(9) or "", [], []
    m = _TIMING.match(line)
    if not m:
        parts = re.split(_ARROW, line, maxsplit=1)
        if len(parts) == 2:   # an arrow: say which timestamp nothing reads
            for part in (parts[0].strip(), (parts[1].split() or [""])[0]):
                if not re.fullmatch(_STAMP, part):
                    raise _Reject(f"unreadable timestamp {part!r} (expected HH:MM:SS,mmm)", lineno, line)
        raise _Reject("unreadable timing line (expected 'HH:MM:SS,mmm --> HH:MM:SS,mmm')", lineno, line)
    start, q1, m1 = parse_timestamp(m.group(1), lineno)
    end, q2, m2 = parse_timestamp(m.group(3), lineno)
    settings = m.group(4).strip()
    quirks = q1 + [q for q in q2 if q not in q1]
    misread = m1 + [q for q in m2 if q not in m1]
    if m.group(2) != "-->":
        misread.append(f"the arrow written {m.group(2)!r}")
    canonical = f"{m.group(1)} {m.group(2)} {m.group(3)}" + (f" {settings}" if settings else "")
    if line != canonical:
        quirks.append("stray spaces")
    return start, end, settings, quirks, misread


@register_format
class SrtFormat(SubtitleFormat):
    name = "srt"
    extensions = (".srt",)

    @classmethod
    def sniff(cls, text: str) -> bool:
        head = [ln for ln in text[:4096].split("\n")[:20] if ln.strip()][:2]
        if not head:
            return False
        if _LOOKS_TIMING.match(head[0]):
            return True
        return len(head) == 2 and bool(_INDEX.match(head[0])) and bool(_LOOKS_TIMING.match(head[1]))

    def parse(self, text: str, *, lenient: bool = False) -> Track:
        track = Track(format=self.name)
        notes = track.notes
        if "\r\r\n" in text:   # a CRLF file converted once more: one line break, as Subtitle Edit reads it
            notes.append(ReadNote("mixed-line-endings", "CR CR LF line ends read as one line break",
                                  text[:text.index("\r\r\n")].count("\n") + 1))
            text = text.replace("\r\r\n", "\n")    # (files: decode() does this, and notes mixed endings)
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # as decode() does for files
        if "\ufeff" in text:   # a byte-order mark inside the file (files joined together)
            for no, ln in enumerate(text.split("\n"), 1):
                if "\ufeff" in ln:
                    notes.append(ReadNote("stray-bom", "byte-order mark inside the file removed", no, ln[:200]))
            text = text.replace("\ufeff", "")
        if "\x00" in text:  # as the WebVTT algorithm does, and noted
            for no, ln in enumerate(text.split("\n"), 1):
                if "\x00" in ln:
                    notes.append(ReadNote("nul-character", "NUL character replaced by U+FFFD", no, ln[:200]))
            text = text.replace("\x00", "\ufffd")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        elif lines:
            notes.append(ReadNote("missing-final-newline", "the file does not end with a line break", len(lines)))

        cues = track.cues
        tail: list[str] = []  # text after blank lines inside cues[-1], joined once (linear time)
        for bi, (first, block, blanks_before) in enumerate(_blocks(lines)):
            # The common block, read directly: a number, a canonical timing line, text.
            if len(block) > 1 and block[0].isdigit() and block[0].isascii():
                m = _CANONICAL.fullmatch(block[1])
                body = "\n".join(block[2:]) if m is not None else ""
                if m is not None and "-->" not in body:  # no second timing line in the text
                    if tail:
                        cues[-1].text += "".join(tail)
                        tail.clear()
                    if blanks_before != (1 if cues else 0):
                        track.gaps[len(cues)] = blanks_before
                    start, end = _canonical_times(m)
                    cues.append(Cue(start=start, end=end, text=body, id=block[0],
                                    settings=m.group(9) or "", line=first))
                    continue
            try:
                for cue_first, cue_lines, split in _split_block(first, block):
                    if split:
                        notes.append(ReadNote(
                            "missing-blank-line", "no blank line before this cue", cue_first,
                            cue_lines[0], cue=len(cues),
                        ))
                    cue = _read_cue(cue_first, cue_lines, notes, len(cues))
                    if cue is None:  # text only: a blank line inside the previous cue
                        if not cues or bi == 0:
                            raise _Reject("text without a cue number and timing line", cue_first, cue_lines[0])
                        # The blank lines come back; an empty text has no last line to end first.
                        breaks = blanks_before + 1 if cues[-1].text or tail else blanks_before
                        tail.append("\n" * breaks + "\n".join(cue_lines))
                        notes.append(ReadNote(
                            "blank-line-in-text", "blank line inside the cue's text", cue_first - 1,
                            cue_lines[0], cue=len(cues) - 1,
                        ))
                        continue
                    if tail:
                        cues[-1].text += "".join(tail)
                        tail.clear()
                    gap = 0 if split else blanks_before
                    if gap != (1 if cues else 0):
                        track.gaps[len(cues)] = gap
                    cues.append(cue)
            except _Reject as exc:
                if not lenient:
                    raise ParseError(exc.message, line=exc.line, text=exc.text) from None
                notes.append(ReadNote(
                    "skipped-block", f"block skipped: {exc.message}", exc.line, "\n".join(block)[:200]
                ))
        if tail:
            cues[-1].text += "".join(tail)
        trailing = len(lines) - len("\n".join(lines).rstrip("\n ").split("\n")) if lines else 0
        if trailing and cues and not any(ln.strip() for ln in lines[-trailing:]):
            track.gaps[len(cues)] = trailing   # blank lines after the last cue
        if not cues:
            skipped = [n for n in notes if n.rule == "skipped-block"]
            if skipped:
                raise ParseError(
                    f"no cues found: all {len(skipped)} block(s) were unreadable; the first, at line "
                    f"{skipped[0].line}: {skipped[0].message.removeprefix('block skipped: ')}",
                    line=1, text=lines[0] if lines else "",
                )
            raise ParseError("no cues found", line=1, text=lines[0] if lines else "")
        _note_numbering(cues, notes)
        return track

    def compose(self, track: Track) -> str:
        import pysrt  # only for writing: reading (and so `subtrans check`) does without it

        out = []
        for i, cue in enumerate(track.cues, 1):
            item = pysrt.SubRipItem(
                start=pysrt.SubRipTime.from_ordinal(cue.start),
                end=pysrt.SubRipTime.from_ordinal(cue.end),
                text=cue.text,
                position=cue.settings,
            )
            item.index = cue.id if cue.id is not None else str(i)
            if cue.start < 0 or cue.end < 0:  # pysrt clamps negatives; keep them visible
                raise ParseError(
                    f"cue {i}: negative time {format_timestamp(min(cue.start, cue.end))} cannot be written in SRT",
                    line=cue.line or None,
                )
            written = str(item)
            raw = cue.raw
            if raw is not None and raw[0] == "srt" and raw[3] == (cue.start, cue.end, cue.settings, cue.id):
                lines = written.split("\n")   # number, timing, text: the number and timing as read
                head = ([raw[1]] if raw[1] is not None else [lines[0]]) if cue.id is not None else []
                written = "\n".join(head + [raw[2]] + lines[2:])
            out.append(written)
        gaps = track.gaps
        if not gaps:
            return "\n".join(out)
        # the file's own blank lines between cues (none, or several), as read
        return "".join("\n" * gaps.get(k, 1 if k else 0) + w for k, w in enumerate(out)) + "\n" * gaps.get(len(out), 0)


def _blocks(lines: list[str]) -> Iterator[tuple[int, list[str], int]]:
    """(first line number, lines, blank lines before it) for each blank-separated block.

    A generator: a block is gone once read, so a large file never holds all
    of them at once (fewer live objects: less work for the garbage collector).
    """
    current: list[str] = []
    start = 0
    blanks = 0
    for no, line in enumerate(lines, 1):
        if line.strip():
            if not current:
                start = no
            current.append(line)
        else:
            if current:
                yield start, current, blanks
                current, blanks = [], 0
            blanks += 1
    if current:
        yield start, current, blanks


def _split_block(first: int, block: list[str]) -> Iterator[tuple[int, list[str], bool]]:
    """Split a block where a new cue starts without a blank line before it."""
    starts = [0]
    timing = None  # where the current cue's own timing line is
    for i in range(len(block)):
        if _LOOKS_TIMING.match(block[i]):
            if timing is None and i <= starts[-1] + 1:
                timing = i  # after an optional cue number: this cue's timing line
                continue
            # Another timing line: a new cue starts here, or at its number just above.
            cut = i - 1 if _INDEX.match(block[i - 1]) and i - 1 > starts[-1] + 1 else i
            if cut > starts[-1] + 1 or timing is not None:
                starts.append(cut)
                timing = i
    starts.append(len(block))
    for k in range(len(starts) - 1):
        a, b = starts[k], starts[k + 1]
        yield first + a, block[a:b], k > 0


def _read_cue(first: int, block: list[str], notes: list[ReadNote], index: int) -> Cue | None:
    if "-->" in block[0] or _LOOKS_TIMING.match(block[0]):
        cue_id, timing_at = None, 0
    elif len(block) > 1 and ("-->" in block[1] or _LOOKS_TIMING.match(block[1])):
        if not _INDEX.match(block[0]) and index == 0:
            raise _Reject("expected a cue number before the timing line", first, block[0])
        # After the first cue, a word in place of the number ('dix' for 10, as
        # a translation tool left it) is a numbering problem, noted by
        # _note_numbering; the cue itself reads fine.
        cue_id, timing_at = block[0].strip(), 1
        if block[0] != cue_id:
            notes.append(ReadNote("timestamp-format", "stray spaces around the cue number", first, block[0], index))
    else:
        if _INDEX.match(block[0]) or any(":" in ln and "-" in ln and ">" in ln for ln in block[:2]):
            raise _Reject("no valid timing line after the cue number", first + min(1, len(block) - 1),
                          block[min(1, len(block) - 1)])
        return None
    line_no = first + timing_at
    start, end, settings, quirks, misread = parse_timing_line(block[timing_at], line_no)
    if quirks:
        notes.append(ReadNote(
            "timestamp-format", "irregular timing line: " + ", ".join(quirks), line_no, block[timing_at], index
        ))
    if misread:
        notes.append(ReadNote(
            "timing-misread", "timing line that players read otherwise: " + "; ".join(misread), line_no,
            block[timing_at], index))
    cue = Cue(start=start, end=end, text="\n".join(block[timing_at + 1:]), id=cue_id, settings=settings,
              line=first)
    if quirks or misread or not timing_at or block[0] != cue_id:
        cue.raw = ("srt", block[0] if timing_at else None, block[timing_at], (start, end, settings, cue_id))
    return cue


def _note_numbering(cues: list[Cue], notes: list[ReadNote]) -> None:
    if all(c.id is None for c in cues):
        notes.append(ReadNote("cue-numbering", "the file has no cue numbers; they will be written 1, 2, 3 ...", 1))
        return
    expected = 1
    for i, cue in enumerate(cues):
        if cue.id is None:
            notes.append(ReadNote("cue-numbering", f"cue number missing (expected {expected})", cue.line, "", i))
        elif not cue.id.isdecimal():
            notes.append(ReadNote(
                "cue-numbering", f"cue number {cue.id!r} is not a number (expected {expected})", cue.line, cue.id, i
            ))
        else:
            number = int(cue.id)
            if number != expected:
                notes.append(ReadNote(
                    "cue-numbering", f"cue number {cue.id} out of sequence (expected {expected})", cue.line, cue.id, i
                ))
            expected = number + 1
            continue
        expected += 1
