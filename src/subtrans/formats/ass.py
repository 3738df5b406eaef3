"""Advanced SubStation Alpha (.ass) and SubStation Alpha (.ssa), read with pysubs2.

pysubs2 (MIT) reads the grammar: sections, styles, the ``Format:`` line, each event's fields and times.
Every ``Dialogue`` event is a cue (its style name in ``Cue.settings``; its text with ``\\N`` as a line break
and ``\\h`` as a no-break space,
override blocks such as ``{\\i1}`` or ``{\\an8}`` kept in the text, where every rule reads them as
tags); ``Comment`` events, ``[Script Info]``, styles, ``[Fonts]``/``[Graphics]`` and each event's
Layer, Style, Name, margins and Effect are kept as the file's own lines.

Writing back changes only what changed: the file's lines are kept (``Track.source_lines``), and a cue
whose times or text changed rewrites its own event line's Start, End and Text fields, nothing else,
so a reviewer's diff shows only what was translated or fixed. An unchanged file is written back byte
for byte. A track that did not come from an ASS file (a conversion from SRT) is written by pysubs2 with
its default style.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import ParseError
from ..model import Cue, ReadNote, Track
from .base import SubtitleFormat, register_format

__all__ = ["AssFormat", "DEFAULT_IGNORED_STYLES", "ignored_cues", "other_language_cues", "paired_events"]

_SECTION = re.compile(r"^\s*\[(?:Script Info|V4\+? Styles|Events)\]\s*$", re.IGNORECASE | re.MULTILINE)
_EVENT = ("Dialogue:", "Comment:")
_STANDARD = {"ass": ["Layer", "Start", "End", "Style", "Name", "MarginL", "MarginR", "MarginV", "Effect", "Text"],
             "ssa": ["Marked", "Start", "End", "Style", "Name", "MarginL", "MarginR", "MarginV", "Effect", "Text"]}


def _to_model(text: str) -> str:
    return text.replace("\\N", "\n").replace("\\h", "\u00a0")


def _to_ass(text: str) -> str:
    return text.replace("\r", "").replace("\n", "\\N").replace("\u00a0", "\\h")


@register_format
class AssFormat(SubtitleFormat):
    name = "ass"
    extensions = (".ass", ".ssa")

    @classmethod
    def sniff(cls, text: str) -> bool:
        head = text[:8192]
        return bool(_SECTION.search(head)) and ("[Events]" in text or "Dialogue:" in text)

    def parse(self, text: str, *, lenient: bool = False) -> Track:
        import pysubs2

        dialect = "ssa" if re.search(r"^\s*\[V4 Styles\]", text, re.MULTILINE | re.IGNORECASE) else "ass"
        import warnings

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                subs = pysubs2.SSAFile.from_string(text, format_=dialect)
            except Exception as exc:  # pysubs2 raises its own errors and plain ValueErrors
                raise ParseError(f"unreadable {dialect.upper()} file: {exc}", line=1,
                                 text=text.split("\n", 1)[0]) from None
        lines = text.split("\n")
        track = Track(format="ass", source_lines=lines)
        for w in dict.fromkeys(str(w.message) for w in caught):   # "Failed to parse alignment, using default"
            track.notes.append(ReadNote("ass-events", f"pysubs2: {w}", 1))
        track.final_newline = bool(lines) and lines[-1] == ""
        at = [i for i, ln in enumerate(lines) if ln.startswith(_EVENT)]
        fields = _format_fields(lines, dialect)
        if at and _events_format(lines) is None:
            track.notes.append(ReadNote("ass-events", "no 'Format:' line in [Events]: the fields were read in the "
                                        f"standard {dialect.upper()} order", at[0] + 1, lines[at[0]][:200]))
        if len(at) != len(subs.events):
            track.notes.append(ReadNote(
                "ass-events", f"{len(at)} event lines but {len(subs.events)} events read: written back by pysubs2",
                at[0] + 1 if at else 1))
            at = []
            track.source_lines = []
        for k, event in enumerate(subs.events):
            if event.type != "Dialogue":
                continue   # a Comment: kept in the file, never checked or translated
            cue_text = _to_model(event.text)
            cue = Cue(start=int(event.start), end=int(event.end), text=cue_text, settings=event.style,
                      line=at[k] + 1 if at else 0)
            if at:
                cue.raw = ("ass", at[k], (cue.start, cue.end, cue_text), fields)
            if subs.styles and event.style not in subs.styles and event.style.lstrip("*") not in subs.styles:
                track.notes.append(ReadNote("ass-events", f"style {event.style!r} is not defined in the styles "
                                            "section: players show the event in the default style",
                                            cue.line or 1, event.style, len(track.cues)))
            track.cues.append(cue)
        if not track.cues and not subs.events:
            raise ParseError("no events found", line=1, text=lines[0] if lines else "")
        return track

    def compose(self, track: Track) -> str:
        if track.source_lines and all(c.raw and c.raw[0] == "ass" for c in track.cues):
            lines = list(track.source_lines)
            for cue in track.cues:
                assert cue.raw is not None  # all cues have one (tested above)
                _, index, values, fields = cue.raw
                if (cue.start, cue.end, cue.text) != values:
                    lines[index] = _rewrite(lines[index], cue, fields)
            text = "\n".join(lines)
            return text if text.endswith("\n") else text + "\n"
        import pysubs2

        subs = pysubs2.SSAFile()
        for cue in track.cues:
            subs.append(pysubs2.SSAEvent(start=cue.start, end=cue.end, text=_to_ass(cue.text)))
        return subs.to_string("ass").replace("\r\n", "\n")


def _events_format(lines: list[str]) -> str | None:
    """The [Events] section's ``Format:`` line, or None."""
    in_events = False
    for ln in lines:
        stripped = ln.strip()
        if stripped.startswith("["):
            in_events = stripped.lower() == "[events]"
        elif in_events and stripped.lower().startswith("format:"):
            return stripped
    return None


def _format_fields(lines: list[str], dialect: str) -> list[str]:
    """The field names of the [Events] section's ``Format:`` line (the standard ones if it has none)."""
    line = _events_format(lines)
    return [f.strip() for f in line.split(":", 1)[1].split(",")] if line else list(_STANDARD[dialect])


def _rewrite(line: str, cue: Cue, fields: list[str]) -> str:
    """``line`` (an event line) with its Start, End and Text fields from ``cue``, every other byte kept."""
    from pysubs2.formats.substation import SubstationFormat

    kind, rest = line.split(":", 1)
    lead = rest[:len(rest) - len(rest.lstrip())]
    values = rest.lstrip().split(",", len(fields) - 1)
    names = [f.lower() for f in fields]
    for name, value in (("start", SubstationFormat.ms_to_timestamp(cue.start)),
                        ("end", SubstationFormat.ms_to_timestamp(cue.end)), ("text", _to_ass(cue.text))):
        if name in names and names.index(name) < len(values):
            values[names.index(name)] = value
    return f"{kind}:{lead}{','.join(values)}"


#: Styles whose events are signs and songs rather than dialogue (glob patterns, any case): skipped by the
#: timing and reading-speed rules and by translation. ``--ignore-style`` replaces them.
DEFAULT_IGNORED_STYLES = ("sign*", "*sign", "song*", "*song", "lyric*", "*lyrics", "karaoke*", "kara*", "op", "ed",
                          "op *", "ed *", "title*", "note*", "*note")


def ignored_cues(track: Track, patterns: Iterable[str] | None = None) -> set[int]:
    """The cues of an ASS track whose style matches ``patterns`` (``DEFAULT_IGNORED_STYLES`` when None),
    and drawings (``{\\p1}``)."""
    if track.format != "ass":
        return set()
    from fnmatch import fnmatchcase

    pats = [p.lower() for p in (DEFAULT_IGNORED_STYLES if patterns is None else patterns)]
    return {i for i, c in enumerate(track.cues)
            if any(fnmatchcase(c.settings.lower(), p) for p in pats) or _DRAWING.search(c.text)}


#: A drawing ({\p1} ... {\p0}): vector commands, not words: neither translated nor measured for speed.
_DRAWING = re.compile(r"\{[^{}]*\\p[1-9]")


def other_language_cues(track: Track, language: str | None) -> set[int]:
    """The events of a two-event bilingual ASS file (the Chinese line in one style, the English in another,
    at the same times) that are not in ``language``: the events of every style whose lines are in another
    language, when events of ``language`` exist too. Never translated, not measured against
    ``language``'s profile."""
    if track.format != "ass" or not track.cues:
        return set()
    from collections import Counter

    from ..lang.bilingual import line_language
    from ..text import base_language

    want = base_language(language)
    by_style: dict[str, Counter[str]] = {}
    for cue in track.cues:
        counts = by_style.setdefault(cue.settings, Counter())
        for line in cue.text.split("\n"):
            lang = line_language(line)
            if lang:
                counts[lang] += 1
    style_language = {style: counts.most_common(1)[0][0] for style, counts in by_style.items() if counts}
    if want not in style_language.values():
        return set()
    others = {style for style, lang in style_language.items() if lang != want}
    return {i for i, c in enumerate(track.cues) if c.settings in others}


def paired_events(track: Track, language: str | None) -> tuple[Track, list[int]] | None:
    """A two-event bilingual ASS track as a bilingual track of one cue per ``language`` event: its text, then
    the text of the other-language event it overlaps most (none: the line is missing); and, per cue, the
    index of its event in ``track``. None when ``track`` is no such file."""
    others = other_language_cues(track, language)
    if not others:
        return None
    keep = [i for i in range(len(track.cues)) if i not in others]
    out = track.copy()
    out.cues = []
    for i in keep:
        cue = track.cues[i].replace()
        best, overlap = None, 0
        for j in others:
            o = track.cues[j]
            shared = min(cue.end, o.end) - max(cue.start, o.start)
            if shared > overlap:
                best, overlap = j, shared
        if best is not None:
            cue.text = cue.text + "\n" + track.cues[best].text
        out.cues.append(cue)
    return out, keep
