"""Reading speed."""

from __future__ import annotations

from collections.abc import Iterator

from ...model import Track
from ...text import reading_speed
from ..base import Context, Finding, Rule, Severity, register_rule


@register_rule
class ReadingSpeed(Rule):
    """Too many characters per second to read (spaces and punctuation count; tags and line breaks do not).

    Bad:  "Документы у агента, поезд уходит в полночь!" (44 characters) for 2.0 s: 22 CPS, limit 17
    Good: the same text for 2.6 s, or a shorter text: "Документы у агента. Поезд в полночь!"
    """

    name, code, severity, category = "reading-speed", "S001", Severity.WARNING, "speed"
    per_language = True   # a bilingual cue is read in its main language

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        limit = ctx.profile.get("max_cps")
        if limit is None:
            return
        hw = ctx.half_width
        for i, cue in enumerate(track.cues):
            cps = reading_speed(cue.text, cue.duration, hw)
            if cps is not None and cps > limit:
                yield self.finding(ctx, f"{cps:.1f} characters per second, more than {limit}", i, cue,
                                   value=round(cps, 2), limit=limit)
