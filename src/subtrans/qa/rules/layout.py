"""Layout rules: line length, number of lines, empty cues, line breaks."""

from __future__ import annotations

from collections.abc import Iterator

import re

from ...model import Track
from ...text import line_length, visible_lines
from ..base import Context, Finding, Rule, Severity, register_rule


@register_rule
class LineLength(Rule):
    """A line is longer than the profile allows (tags do not count; in Chinese, half-width counts half).

    Bad:  "Сибирский экспресс отправляется ровно в полночь" (47 characters; Netflix Russian allows 42)
    Good: "Сибирский экспресс отправляется\\nровно в полночь"
    """

    name, code, severity, category = "line-length", "L001", Severity.WARNING, "layout"
    per_language = other_too = True

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
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
    per_language = other_too = True

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
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

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        for i, cue in enumerate(track.cues):
            if not "".join(visible_lines(cue.text)).strip():
                yield self.finding(ctx, "cue has no visible text", i, cue)


@register_rule
class LineBreak(Rule):
    """A line or cue break where a Russian or Chinese editor would not put one, or a second line that
    is not needed.

    Bad:  "Мы встретимся у главного входа в\\nБольшой театр." (a line ending on a preposition);
          "会议定在2024年3月\\n8日下午三点" (a date cut); "我真的受够了\\n”" (a closing mark opens a line)
    Good: "Мы встретимся у главного входа\\nв Большой театр."; "会议定在2024年3月8日\\n下午三点"

    The same rules decide where `subtrans translate` breaks lines and cues (subtrans.lang.binding:
    names, initials, numbers with their nouns, dates, titles, prepositions, particles, kinsoku). A
    break between two cues is judged where the sentence runs on from one into the next.
    """

    name, code, severity, category = "line-break", "L004", Severity.WARNING, "layout"
    per_language = True

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        language = (ctx.language or "").lower()
        lang = "ru" if language.startswith("ru") else "zh" if language.startswith("zh") else None
        if lang is None:
            return
        from ...lang.lines import break_fault

        limit, hw = ctx.profile.get("max_chars_per_line"), ctx.half_width
        pause = ctx.profile.get("sentence_pause_ms") or 2000
        previous = None
        for i, cue in enumerate(track.cues):
            lines = [ln for ln in visible_lines(cue.text) if ln.strip()]
            speech = [ln for ln in lines if not _DASH.match(ln)]
            if len(speech) == len(lines):  # one speaker: every break inside the cue is a line break
                for n in range(1, len(lines)):
                    fault = break_fault(lines[n - 1], lines[n], lang)
                    if fault:
                        yield self.finding(ctx, f"line break {fault}: {_around(lines[n - 1], lines[n])}", i, cue)
                # Russian only: Chinese subtitles write no full stop, so a line break there often
                # is the sentence end (我叫李梅 / 我是来取文件的).
                if lang == "ru" and len(lines) == 2 and limit and not _SENTENCE_END.search(lines[0]) \
                        and line_length(" ".join(ln.strip() for ln in lines), hw) <= limit:
                    yield self.finding(ctx, "the text fits on one line: no break needed", i, cue)
            if previous is not None and lines and not _DASH.match(lines[0]):
                j, last = previous
                # Russian: where razdel and the case of the next word say the sentence runs on; Chinese,
                # which writes no full stop: wherever the cue does not end a sentence with 。！？ or ⋯
                # (after a sentence end nothing binds across the break, unless the "end" is an initial
                # or an abbreviation: «А. С.» | «Пушкин»; razdel is asked only then)
                ends = _SENTENCE_END.search(last)
                if lang == "ru":
                    runs_on = (not ends or _ABBREVIATION_END.search(last)) and _continues(last, lines[0])
                else:
                    runs_on = not ends
                if 0 <= cue.start - track.cues[j].end < pause and runs_on:
                    fault = break_fault(last, lines[0], lang)
                    if fault:
                        yield self.finding(ctx, f"cue break {fault}: {_around(last, lines[0])}", i, cue)
            previous = (i, lines[-1]) if lines and not _DASH.match(lines[-1]) else None


_DASH = re.compile(r"^\s*[-‐‑–—]")
# Two sentences, one a line, is a layout of its own, not a needless break.
_SENTENCE_END = re.compile(r"[.!?…。！？⋯][»”」』\"')）]*\s*$")
_ABBREVIATION_END = re.compile(r"(?:^|\s)\w{1,3}\.\s*$")   # «А. С.», «т. е.», «г.»


def _continues(last: str, first: str) -> bool:
    from ...lang.units import _continues as continues   # razdel's sentence ends, imported when needed

    return continues(last, first, "ru")


def _around(left: str, right: str) -> str:
    """The words on each side of a break, as the message shows them: «…входа в | Большой…»."""
    return f"«…{left.strip()[-12:]} | {right.strip()[:12]}…»"
