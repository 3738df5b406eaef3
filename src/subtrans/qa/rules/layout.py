"""Layout rules: line length, number of lines, empty cues."""

from __future__ import annotations

from ...model import Track
from ...text import line_length, visible_lines
from ..base import Context, Rule, Severity, register_rule


@register_rule
class LineLength(Rule):
    """A line is longer than the profile allows (tags do not count; in Chinese, half-width counts half).

    Bad:  "Сибирский экспресс отправляется ровно в полночь" (47 characters; Netflix Russian allows 42)
    Good: "Сибирский экспресс отправляется\\nровно в полночь"
    """

    name, code, severity, category = "line-length", "L001", Severity.WARNING, "layout"

    def check(self, track: Track, ctx: Context):
        limit = ctx.profile.get("max_chars_per_line")
        if limit is None:
            return
        hw = ctx.half_width
        for i, cue in enumerate(track.cues):
            # A line is never longer shown than written (tags only take away, and no
            # character weighs more than 1): cues whose written lines fit are done.
            if hw <= 1.0 and max(map(len, cue.text.split("\n"))) <= limit:
                continue
            for n, line in enumerate(visible_lines(cue.text), 1):
                length = line_length(line, hw)
                if length > limit:
                    shown = int(length) if length == int(length) else length
                    yield self.finding(ctx, f"line {n} has {shown} characters, more than {limit}", i, cue,
                                       value=shown, limit=limit)


@register_rule
class MaxLines(Rule):
    """A cue has more lines than the profile allows.

    Bad:  three lines in one cue
    Good: two lines, or the text split over two cues
    """

    name, code, severity, category = "max-lines", "L002", Severity.WARNING, "layout"

    def check(self, track: Track, ctx: Context):
        limit = ctx.profile.get("max_lines")
        if limit is None:
            return
        for i, cue in enumerate(track.cues):
            if cue.text.count("\n") < limit:  # no more written lines than the limit
                continue
            count = len([ln for ln in visible_lines(cue.text) if ln.strip()])
            if count > limit:
                yield self.finding(ctx, f"{count} lines, more than {limit}", i, cue, value=count, limit=limit)


@register_rule
class EmptyCue(Rule):
    """A cue shows nothing: no text, or only tags and spaces.

    Bad:  "<i></i>"
    Good: remove the cue, or give it its text
    """

    name, code, severity, category = "empty-cue", "L003", Severity.WARNING, "layout"

    def check(self, track: Track, ctx: Context):
        for i, cue in enumerate(track.cues):
            if not "".join(visible_lines(cue.text)).strip():
                yield self.finding(ctx, "cue has no visible text", i, cue)
