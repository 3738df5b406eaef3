"""Converting a track between SRT, WebVTT, ASS/SSA and TTML/IMSC: timings exact, styling carried where the target can
hold it, and every loss said.

What each target holds of a cue's text:

- **SRT**: ``<i> <b> <u>`` and ``<font color>``; ``{\\an1}``-``{\\an9}`` at the start (read by most
  players). WebVTT voice, class and language spans, ruby and timestamps, ASS override blocks other than
  italics/bold/underline and the alignment, cue settings and ASS styles are lost.
- **WebVTT**: ``<i> <b> <u>``, voice/class/language spans, ruby, timestamps; cue settings. An SRT or ASS
  alignment ``{\\an8}`` becomes ``line:0`` (top); other ASS override blocks, ``<font>`` colours, SRT
  coordinates and ASS styles are lost.
- **TTML / IMSC**: ``<i> <b> <u>`` (as ``tts:fontStyle``, ``tts:fontWeight``, ``tts:textDecoration``) and
  a top or bottom placement (``{\\an7}``-``{\\an9}``: the top region, else the bottom one); ``<font>``
  colours, other ASS override blocks, WebVTT spans and settings, SRT coordinates and ASS styles are lost.
- **ASS**: italics, bold, underline (as ``{\\i1}…{\\i0}``), the alignment ``{\\anN}``; the other override
  blocks of an ASS source; HTML ``<font color>``, WebVTT spans and settings are lost (the events take the
  default style).

Each loss is one line of :class:`Converted` ``.losses``: the rule of thumb is that a reviewer must be able to
see, before delivering, everything the target file no longer says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from ..model import Track

__all__ = ["convert", "Converted"]

_SIMPLE = {"i", "b", "u"}
_HTML = re.compile(r"<(/?)([a-zA-Z]+)((?:[.\s][^<>]*)?)>")
_TIMESTAMP = re.compile(r"<\d{1,2}(?::\d{2}){1,2}\.\d{3}>")
_ASS = re.compile(r"\{\\([^{}]*)\}")
_AN = re.compile(r"^\\?an([1-9])$")


@dataclass
class Converted:
    track: Track
    losses: list[str] = field(default_factory=list)


def convert(track: Track, target: str) -> Converted:
    """``track`` as ``target`` (``srt``, ``vtt``, ``ass``, ``ttml``, ``imsc``) would hold it, and what could not be carried."""
    source = track.format
    out = track.copy()
    out.format = target
    out.source_lines = []
    out.blocks = [] if target != "vtt" else out.blocks
    out.notes = []
    losses: dict[str, list[int]] = {}

    def lose(what: str, cue: int) -> None:
        losses.setdefault(what, []).append(cue + 1)

    for i, cue in enumerate(out.cues):
        cue.raw = None
        text = cue.text
        if source == "ass":
            text = _from_ass(text, target, lambda what: lose(what, i))
            if cue.settings and cue.settings.lower() != "default" and target != "ass":
                lose(f"the ASS style ({cue.settings})", i)
            cue.settings = ""
        elif cue.settings:
            if source == "srt" or target != "vtt":
                lose("the cue settings or coordinates" if source == "vtt" else "SRT coordinates", i)
                cue.settings = ""
        if target != "vtt":
            text = _drop_vtt(text, lambda what: lose(what, i))
        if target == "ass":
            text = _to_ass(text, lambda what: lose(what, i))
        elif target == "vtt":
            text, top = _to_vtt(text, lambda what: lose(what, i))
            if top and not cue.settings:
                cue.settings = "line:0"
        elif target in ("ttml", "imsc"):
            text = _to_ttml(text, lambda what: lose(what, i))
        cue.text = text
    said = [f"{what}: lost in cue{'s' if len(cues) > 1 else ''} {_list(cues)}" for what, cues in losses.items()]
    return Converted(out, said)


def _list(cues: list[int]) -> str:
    shown = ", ".join(str(c) for c in cues[:8])
    return shown + (f" and {len(cues) - 8} more" if len(cues) > 8 else "")


def _from_ass(text: str, target: str, lose: Callable[[str], None]) -> str:
    """ASS override blocks: italics, bold and underline become HTML-like tags outside ASS, an alignment
    stays as {\\anN}; what else a block holds is lost outside ASS."""
    if target == "ass":
        return text

    def block(m: re.Match[str]) -> str:
        out = []
        for tag in filter(None, m.group(1).split("\\")):
            if _AN.match(tag):
                out.append("{\\" + tag + "}")
            elif re.fullmatch(r"[ibu][01]", tag):
                out.append(f"<{'/' if tag[1] == '0' else ''}{tag[0]}>")
            else:
                lose(f"the ASS override {{\\{_override_name(tag)}…}}")
        return "".join(out)

    return _ASS.sub(block, text)


def _drop_vtt(text: str, lose: Callable[[str], None]) -> str:
    """WebVTT spans a non-WebVTT target cannot hold: the words stay, the tags go."""
    def tag(m: re.Match[str]) -> str:
        name = m.group(2).lower()
        if name in _SIMPLE or name == "font":
            return m.group(0)
        if name in ("v", "c", "lang", "ruby", "rt"):
            if not m.group(1):
                lose(f"the WebVTT <{name}> span")
            return "" if name != "rt" else ("(" if not m.group(1) else ")")
        return m.group(0)

    text = _HTML.sub(tag, text)
    if _TIMESTAMP.search(text):
        lose("WebVTT karaoke timestamps")
        text = _TIMESTAMP.sub("", text)
    return text


def _to_ass(text: str, lose: Callable[[str], None]) -> str:
    def tag(m: re.Match[str]) -> str:
        name = m.group(2).lower()
        if name in _SIMPLE:
            return "{\\" + name + ("0}" if m.group(1) else "1}")
        if name == "font":
            if not m.group(1):
                lose("the <font> colour")
            return ""
        return m.group(0)

    return _HTML.sub(tag, text)


def _to_ttml(text: str, lose: Callable[[str], None]) -> str:
    """SRT/ASS text for TTML: ``<i> <b> <u>`` and a top or bottom alignment are kept (the writer makes them
    styles and regions); ``<font>`` colours and other override blocks are lost."""
    an = _ASS.match(text)
    keep = ""
    if an and _AN.match(an.group(1)) and an.group(1)[-1] in "789":
        keep, text = "{\\an8}", text[an.end():]

    def block(m: re.Match[str]) -> str:
        for tag in filter(None, m.group(1).split("\\")):
            a = _AN.match(tag)
            if a is None:
                lose(f"the override {{\\{_override_name(tag)}…}}")
            elif a.group(1) not in "123":
                lose("an alignment other than top or bottom ({\\an" + a.group(1) + "})")
        return ""

    if re.search(r"[ \t]{2,}", text):
        lose("runs of spaces (TTML collapses them to one, as its players do)")
    return keep + _drop_font(_ASS.sub(block, text), lose)


def _to_vtt(text: str, lose: Callable[[str], None]) -> tuple[str, bool]:
    """SRT/ASS text for WebVTT: {\\an7}-{\\an9} (top) become the setting line:0, other blocks are lost."""
    top = False

    def block(m: re.Match[str]) -> str:
        nonlocal top
        for tag in filter(None, m.group(1).split("\\")):
            an = _AN.match(tag)
            if an:
                top = top or an.group(1) in "789"
                if an.group(1) not in "2789":
                    lose("an alignment other than top or bottom ({\\an" + an.group(1) + "})")
            else:
                lose(f"the override {{\\{_override_name(tag)}…}}")
        return ""

    return _drop_font(_ASS.sub(block, text), lose), top


def _override_name(tag: str) -> str:
    """An ASS override as a loss names it: ``\\pos(…)`` -> ``pos``, ``\\c&H00FF00&`` -> ``c``."""
    return tag.split("(")[0].rstrip("0123456789&H")


def _drop_font(text: str, lose: Callable[[str], None]) -> str:
    """``<font>`` tags gone (their words kept), the loss said; the other HTML-like tags stay."""
    def font(m: re.Match[str]) -> str:
        if m.group(2).lower() == "font":
            if not m.group(1):
                lose("the <font> colour")
            return ""
        return m.group(0)

    return _HTML.sub(font, text)
