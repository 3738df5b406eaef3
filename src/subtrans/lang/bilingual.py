"""The language of each line, and bilingual tracks: a Chinese (or Russian) line with an English one under it.

Much Chinese subtitling in circulation is bilingual (中英双语): each cue holds a Chinese line and an
English line. Such a track must be read line by line: only the lines of the source language are
translated, and each line is measured against its own language's limits.

- :func:`line_language`: ``zh``, ``ru``, ``en`` (any Latin-script line) or None (numbers and
  punctuation only), from the script of the visible text; tags, a Latin name inside Chinese text
  (我去了New York), numbers and punctuation do not change it;
- :func:`bilingual`: whether a track is bilingual, its main language and the other one;
- :func:`view`: the track with only the lines of one language in each cue (same cues, same
  timings), as the QA rules measure it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Track
from ..text import strip_tags

__all__ = ["line_language", "Bilingual", "bilingual", "view", "MIN_CUES", "MIN_SHARE", "LANGUAGE_NAMES"]

#: How reports name the languages of lines.
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese", "ru": "Russian"}

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")

#: A track is bilingual when at least this many cues, and this share of the cues with text, hold a
#: line in the main language and a line in another.
MIN_CUES = 3
MIN_SHARE = 0.3


def line_language(line: str) -> str | None:
    """``zh``, ``ru``, ``en`` or None for one line of subtitle text (tags and entities ignored)."""
    text = strip_tags(line, entities=True)
    if _HAN.search(text):
        return "zh"
    if _CYRILLIC.search(text):
        return "ru"
    if _LATIN.search(text):
        return "en"
    return None


@dataclass(frozen=True)
class Bilingual:
    """A bilingual track: ``main`` (``zh`` or ``ru``), ``other`` (``en``), and how many cues hold both."""

    main: str
    other: str
    cues: int

    def describe(self) -> str:
        return f"bilingual {self.main}+{self.other} ({self.cues} cues with both)"


def bilingual(track: Track) -> Bilingual | None:
    """Whether ``track`` is bilingual (a line of each of two languages in enough of its cues)."""
    text = strip_tags("\n".join(c.text for c in track.cues), entities=True)
    if not _LATIN.search(text) or not (_HAN.search(text) or _CYRILLIC.search(text)):
        return None   # one script only (most files): no need to look line by line
    both: dict[tuple[str, str], int] = {}
    with_text = 0
    for cue in track.cues:
        langs = {line_language(ln) for ln in cue.text.split("\n")} - {None}
        if langs:
            with_text += 1
        main = "zh" if "zh" in langs else "ru" if "ru" in langs else None
        if main and "en" in langs:
            both[(main, "en")] = both.get((main, "en"), 0) + 1
    if not both:
        return None
    (main, other), count = max(both.items(), key=lambda kv: kv[1])
    if count < MIN_CUES or count < MIN_SHARE * with_text:
        return None
    return Bilingual(main, other, count)


def view(track: Track, language: str) -> Track:
    """``track`` with only the lines of ``language`` in each cue (lines without a language, such as
    numbers or music notes, stay with every language). Same cues, ids and timings."""
    out = track.copy()
    for cue in out.cues:
        lines = cue.text.split("\n")
        if len(lines) > 1:
            kept = [ln for ln in lines if line_language(ln) in (language, None)]
            cue.text = "\n".join(kept)
    return out
