"""Stage 6, render: a cue's output text from the translations of its slots.

Punctuation made right for the target (:mod:`subtrans.lang.punctuation`),
the cue's shape put back around its text (dialogue dashes, sound
descriptions, lyrics, wrapping tags and position overrides), and lines
broken to the profile (:mod:`subtrans.lang.lines`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from ..lang.lines import break_lines
from ..lang.punctuation import finish_punctuation
from ..lang.units import Shape
from ..text import line_length, strip_tags

if TYPE_CHECKING:  # pragma: no cover
    from ..glossary import Glossary
    from ..lang.units import Unit
    from ..profiles import Profile

__all__ = ["Layout", "CueRenderer", "render_cue", "vtt_escape", "interruption_marks"]


class Layout:
    """The target profile's layout: punctuation, line length, number of lines, dialogue dash."""

    def __init__(self, language: str, profile: Profile, persons: tuple[str, ...] = ()) -> None:
        self.language, self.profile = language, profile
        self.persons = persons     # Chinese renderings of the film's persons: 伊万 彼得罗夫 -> 伊万·彼得罗夫
        self.max_chars = profile.get("max_chars_per_line")
        self.max_lines = profile.get("max_lines") or 2
        self.half_width = profile.get("half_width_weight", 1.0) or 1.0
        self.dash = profile.get("dialogue_dash", "-") or "-"
        self.dash_space = bool(profile.get("dialogue_dash_space", False))
        self.ellipsis = profile.get("ellipsis") or "…"

    def punctuate(self, text: str) -> str:
        if not text:
            return ""
        if self.persons:
            from ..lang.xinhua import join_names

            text = join_names(text, self.persons)
        return finish_punctuation(text, self.language, self.profile).strip()

    def too_long(self, text: str) -> bool:
        return bool(self.max_chars) and any(line_length(strip_tags(ln), self.half_width) > self.max_chars
                                            for ln in text.split("\n"))

    def reflow(self, text: str) -> str:
        """Lay a cue made of several segments out again, only when a line is over the limit."""
        return self.lines(text) if self.too_long(text) else text

    def lines(self, text: str) -> str:
        if not self.max_chars:
            return text
        return break_lines(text, self.language, max_chars=self.max_chars, max_lines=self.max_lines,
                           half_width=self.half_width)


def persons(glossary: Glossary | None, target: str) -> tuple[str, ...]:
    """The Chinese forms of the glossary's persons (``pos`` person: the film's names, or a names list
    the localiser passed back), whose neighbours in a translation are joined by the interpunct."""
    if glossary is None or not target.startswith("zh"):
        return ()
    return tuple(sorted({f for t in glossary.terms if t.pos == "person" for f in (t.text(target),) if f},
                        key=len, reverse=True))


class CueRenderer:
    """A cue's output text from the translations of its slots: punctuation, shape, line breaks."""

    def __init__(self, shapes: Sequence[Shape], target: str, layout: "Layout",
                 escape: Callable[[str], str] | None, marks: dict[int, str] | None = None) -> None:
        self.shapes, self.target, self.layout, self.escape = shapes, target, layout, escape
        self.marks = marks or {}   # cues that end or open an interrupted sentence (interruption_marks)

    def _texts(self, i: int, slot_text: Mapping[tuple[int, int], str]) -> list[str]:
        return [self.layout.punctuate(slot_text.get((i, k), "")) for k in range(len(self.shapes[i].segments))]

    def empty_slots(self, i: int, slot_text: Mapping[tuple[int, int], str]) -> list[int]:
        """Segments the model left empty (the source text is shown instead)."""
        return [k for k, (t, seg) in enumerate(zip(self._texts(i, slot_text), self.shapes[i].segments))
                if not t and seg.text]

    def __call__(self, i: int, slot_text: Mapping[tuple[int, int], str]) -> str:
        shape, layout = self.shapes[i], self.layout
        texts = [t or seg.text for t, seg in zip(self._texts(i, slot_text), shape.segments)]
        new = render_cue(shape, texts, self.target, layout=layout.lines, dash=layout.dash,
                       dash_space=layout.dash_space, escape=self.escape)
        if len(shape.segments) > 1 and all(seg.kind != "speaker" for seg in shape.segments):
            new = layout.reflow(new)   # a sound description with speech, say: too long a line
        if i in self.marks:
            new = _mark(new, self.marks[i], self.target, layout.ellipsis)
        return new


def render_cue(shape: Shape, translations: list[str], language: str, *,
               layout: Callable[[str], str] | None = None, dash: str = "-",
               dash_space: bool = False, escape: Callable[[str], str] | None = None) -> str:
    """A cue's output text: its shape around the translated segment texts.

    ``layout(text) -> text`` breaks a lone speech segment into lines;
    ``escape`` makes plain text safe for the format (WebVTT ``&``, ``<``).
    """
    esc = escape or (lambda s: s)
    zh = language.startswith("zh")
    out_lines: list[str] = []
    for seg, tr in zip(shape.segments, translations):
        tr = tr.strip()
        if seg.kind == "speech":
            body = esc(layout(tr) if layout and len(shape.segments) == 1 else tr)
        elif seg.kind == "speaker":
            body = dash + (" " if dash_space else "") + seg.open + esc(tr) + seg.close
        elif seg.kind == "sound":
            o, c = seg.open, seg.close
            if zh and (o, c) == ("(", ")"):
                o, c = "（", "）"
            elif not zh and (o, c) == ("（", "）"):
                o, c = "(", ")"
            body = o + esc(tr) + c
        else:  # lyrics
            body = seg.open + esc(tr) + seg.close
        if seg.line_break or not out_lines:
            out_lines.append(body)
        else:
            out_lines[-1] += ("" if zh else " ") + body
    text = "\n".join(out_lines)
    return shape.lead + shape.wrap_open + text + shape.wrap_close


def vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_END_MARKS = ".,;:!?。，；：！？…⋯"


def interruption_marks(units: Sequence[Unit], target: str) -> dict[int, str]:
    """Where a sentence interrupted by a long pause (a unit that ``runs_on`` into the next one) is
    marked: ``{cue: "end"}`` for its last cue, which ends with an ellipsis, and in Russian ``{cue:
    "start"}`` for the cue that picks the sentence up, which opens with one; a Chinese cue that picks it
    up does not (Netflix's Russian and Chinese guides, Continuity). A sentence that simply runs on over
    cues gets no ellipsis."""
    marks: dict[int, str] = {}
    starts = {u.slots[0][0] for u in units}
    for u in units:
        if u.runs_on:
            last = u.slots[-1][0]
            marks[last] = "end"
            if last + 1 in starts:
                marks[last + 1] = "both" if marks.get(last + 1) == "end" else "start"
    return marks


def _mark(text: str, how: str, target: str, ellipsis: str) -> str:
    if how in ("start", "both"):
        text = _at_visible_start(text, (lambda body: ellipsis + body.lstrip("….⋯ ")) if target == "ru"
                                 else (lambda body: body.lstrip("….⋯ ")))
    if how in ("end", "both"):
        text = _at_visible_end(text, lambda body: body.rstrip(_END_MARKS + " ") + ellipsis)
    return text


def _at_visible_end(text: str, change: Callable[[str], str]) -> str:
    """``text`` with ``change`` applied to what comes before its closing tags."""
    m = re.search(r"(?:</[^<>]+>|\{\\[^{}]*\})*\s*$", text)
    assert m is not None  # (the pattern matches the empty string at the end)
    return change(text[:m.start()]) + text[m.start():]


def _at_visible_start(text: str, change: Callable[[str], str]) -> str:
    """``text`` with ``change`` applied to what comes after its opening tags and position codes."""
    m = re.match(r"(?:<[^/<>][^<>]*>|\{\\[^{}]*\})*", text)
    assert m is not None  # (the pattern matches the empty string)
    return text[:m.end()] + change(text[m.end():])
