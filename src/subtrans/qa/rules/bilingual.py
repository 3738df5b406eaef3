"""Rules for bilingual tracks: a Chinese (or Russian) line with an English line under it in each cue."""

from __future__ import annotations

from collections.abc import Iterator

import re

from ...lang.bilingual import LANGUAGE_NAMES, line_language
from ...model import Track
from ...text import strip_tags
from ..base import Context, Finding, Rule, Severity, register_rule
from .parity import _number_present

_NUMBER = re.compile(r"(?<![\d.,:])\d+(?:[.,:]\d+)*(?![\d])")


def _lines_by_language(text: str) -> dict[str, list[str]]:

    out: dict[str, list[str]] = {}
    for line in text.split("\n"):
        lang = line_language(line)
        if lang:
            out.setdefault(lang, []).append(strip_tags(line, entities=True))
    return out


@register_rule
class BilingualLine(Rule):
    """In a bilingual track, a cue with a line in one of the two languages and none in the other.

    Bad:  "嘿" alone in a track whose cues read "嘿\\nHey!"
    Good: "嘿\\nHey!"
    """

    name, code, severity, category = "bilingual-line", "B001", Severity.WARNING, "bilingual"

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        bi = ctx.bilingual
        if bi is None:
            return
        for i, cue in enumerate(track.cues):
            langs = _lines_by_language(cue.text)
            if not langs:
                continue
            for present, missing in ((bi.main, bi.other), (bi.other, bi.main)):
                if present in langs and missing not in langs:
                    yield self.finding(ctx, f"bilingual cue without its {LANGUAGE_NAMES.get(missing, missing)} line",
                                       i, cue)


@register_rule
class BilingualNumbers(Rule):
    """In a bilingual cue, the two languages' lines do not hold the same numbers.

    Bad:  "他1927年来到哈尔滨\\nHe came to Harbin in 1928."
    Good: "他1927年来到哈尔滨\\nHe came to Harbin in 1927."
    """

    name, code, severity, category = "bilingual-numbers", "B002", Severity.WARNING, "bilingual"

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        bi = ctx.bilingual
        if bi is None:
            return
        for i, cue in enumerate(track.cues):
            langs = _lines_by_language(cue.text)
            if bi.main not in langs or bi.other not in langs:
                continue
            main_text, other_text = " ".join(langs[bi.main]), " ".join(langs[bi.other])
            # each line's numbers in the other line: as digits, or (in Chinese and Russian) as words
            missing = [n for n in dict.fromkeys(_NUMBER.findall(other_text))
                       if not _number_present(n, main_text, bi.main)]
            missing += [n for n in dict.fromkeys(_NUMBER.findall(main_text))
                        if not _number_present(n, other_text, bi.other)]
            if missing:
                main = ", ".join(_NUMBER.findall(main_text)) or "none"
                other = ", ".join(_NUMBER.findall(other_text)) or "none"
                yield self.finding(ctx, f"numbers differ between the lines: {main} / {other}", i, cue)
