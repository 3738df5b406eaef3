"""Text rules: whitespace, tags, ellipses, dialogue dashes, Chinese punctuation."""

from __future__ import annotations

from collections.abc import Iterator

import re

from ...model import Track
from ...text import TAG_RE, LazyRegex, has_han, strip_tags
from ..base import Context, Finding, Fix, Rule, Severity, register_rule

_MULTI_SPACE = re.compile(r"(?<=\S) {2,}(?=\S)")


def _clean_line(line: str) -> str:
    if "  " in line:  # _MULTI_SPACE needs two spaces
        line = _MULTI_SPACE.sub(" ", line)
    return line.strip(" \t")


@register_rule
class Whitespace(Rule):
    """Double spaces inside a line, or spaces at the start or end of a line.

    Bad:  "Поезд  уходит " (two spaces inside, one at the end)
    Good: "Поезд уходит"
    """

    name, code, severity, category, fixable = "whitespace", "X001", Severity.WARNING, "text", True

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        for i, cue in enumerate(track.cues):
            for n, line in enumerate(cue.text.split("\n"), 1):
                if line == _clean_line(line):
                    continue
                what = []
                if _MULTI_SPACE.search(line):
                    what.append("double space")
                if line != line.lstrip(" \t") and line.strip():
                    what.append("leading space")
                if line != line.rstrip(" \t"):
                    what.append("trailing space")
                yield self.finding(ctx, f"line {n}: {', '.join(what) or 'stray whitespace'}", i, cue,
                                   value=repr(line))

    def fix(self, track: Track, ctx: Context) -> list[Fix]:
        fixes: list[Fix] = []
        for i, cue in enumerate(track.cues):
            cleaned = "\n".join(_clean_line(ln) for ln in cue.text.split("\n"))
            if cleaned != cue.text:
                cue.text = cleaned
                fixes.append(Fix(self.name, i + 1, "whitespace normalised"))
        return fixes


_TAG_NAME = re.compile(r"<(/?)([a-zA-Z]+)[^<>]*>")
_PAIRED = {"i", "b", "u", "font", "s"}


@register_rule
class UnclosedTag(Rule):
    """A formatting tag is opened and never closed, or closed without being opened.

    Bad:  "<i>Там, за Байкалом…"
    Good: "<i>Там, за Байкалом…</i>"
    """

    name, code, severity, category = "unclosed-tag", "X002", Severity.ERROR, "text"

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        for i, cue in enumerate(track.cues):
            if "<" not in cue.text:
                continue
            stack: list[str] = []
            for m in _TAG_NAME.finditer(cue.text):
                closing, name = m.group(1) == "/", m.group(2).lower()
                if name not in _PAIRED:
                    continue
                if not closing:
                    stack.append(name)
                elif name in stack:
                    while stack and stack.pop() != name:
                        pass
                else:
                    yield self.finding(ctx, f"</{name}> closes a tag that was never opened", i, cue,
                                       value=f"</{name}>")
            for name in stack:
                yield self.finding(ctx, f"<{name}> is never closed", i, cue, value=f"<{name}>")


@register_rule
class Ellipsis(Rule):
    """Three dots where the style guide wants the ellipsis character (…).

    Bad:  "Я давно..."
    Good: "Я давно…"
    """

    name, code, severity, category, fixable = "ellipsis", "X003", Severity.WARNING, "text", True

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        char = ctx.profile.get("ellipsis")
        if not char:
            return
        for i, cue in enumerate(track.cues):
            if "..." in cue.text:
                yield self.finding(ctx, f"three dots: use {char!r} (U+{ord(char[0]):04X})", i, cue, limit=char)

    def fix(self, track: Track, ctx: Context) -> list[Fix]:
        char = ctx.profile.get("ellipsis")
        fixes: list[Fix] = []
        if not char:
            return fixes
        for i, cue in enumerate(track.cues):
            new = re.sub(r"(?<!\.)\.{3}(?!\.)", char, cue.text)
            if new != cue.text:
                cue.text = new
                fixes.append(Fix(self.name, i + 1, f"'...' replaced by {char!r}"))
        return fixes


_DASH_LINE = re.compile(r"^([-‐‑–—])(\s?)")


@register_rule
class DialogueDash(Rule):
    """A dialogue line starts with the wrong dash, or with the wrong spacing after it.

    Bad:  "– Кто там?\\n– Свои." (en dash and a space, in the Netflix Russian profile)
    Good: "-Кто там?\\n-Свои."
    """

    name, code, severity, category = "dialogue-dash", "X004", Severity.WARNING, "text"

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        dash = ctx.profile.get("dialogue_dash")
        if not dash:
            return
        want_space = bool(ctx.profile.get("dialogue_dash_space", False))
        for i, cue in enumerate(track.cues):
            if "\n" not in cue.text:  # one line: not a dialogue
                continue
            lines = [ln for ln in strip_tags(cue.text).split("\n") if ln.strip()]
            if len(lines) < 2:
                continue
            for n, line in enumerate(lines, 1):
                m = _DASH_LINE.match(line)
                if not m:
                    continue
                if m.group(1) != dash:
                    yield self.finding(ctx, f"line {n}: dialogue starts with {m.group(1)!r}, use {dash!r}", i, cue,
                                       value=m.group(1), limit=dash)
                elif bool(m.group(2)) != want_space:
                    should = f"'{dash} Текст' (with a space)" if want_space else f"'{dash}Текст' (no space)"
                    yield self.finding(ctx, f"line {n}: dialogue dash spacing, the profile wants {should}", i, cue,
                                       value=line[:3], limit=dash + (" " if want_space else ""))


_HALF_TO_FULL = {"?": "？", "!": "！", ":": "：", ";": "；", ",": "，", "(": "（", ")": "）"}
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_HALF_NEAR_HAN = LazyRegex(rf"(?<={_HAN})[?!:;,.()]|[?!:;,.()](?={_HAN})")  # only Chinese text needs it


@register_rule
class ZhPunctuation(Rule):
    """Half-width punctuation in Chinese text, or commas and full stops where the profile forbids them.

    Bad:  "快走,火车要开了." / "你是谁?"
    Good: "快走 火车要开了" / "你是谁？"
    """

    name, code, severity, category, fixable = "zh-punctuation", "X005", Severity.WARNING, "text", True
    per_language = True   # English lines of a bilingual file keep their own punctuation

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        no_comma = bool(ctx.profile.get("zh_no_comma_period", False))
        if not (ctx.language or "").startswith("zh") and not ctx.profile.language.startswith("zh"):
            return
        for i, cue in enumerate(track.cues):
            text = strip_tags(cue.text)
            if not has_han(text):
                continue
            for m in _HALF_NEAR_HAN.finditer(text):
                ch = m.group(0)
                if no_comma and ch in ",.":
                    yield self.finding(ctx, f"{ch!r} in Chinese text: use a single space instead", i, cue,
                                       value=ch, limit=" ")
                elif ch != ".":
                    yield self.finding(ctx, f"half-width {ch!r} in Chinese text: use {_HALF_TO_FULL[ch]!r}", i, cue,
                                       value=ch, limit=_HALF_TO_FULL[ch])
            if no_comma:
                for ch in sorted(set(re.findall("[，。]", text))):
                    yield self.finding(ctx, f"{ch!r}: the profile uses a single space instead", i, cue,
                                       value=ch, limit=" ")

    def fix(self, track: Track, ctx: Context) -> list[Fix]:
        """Only the unambiguous part: half-width ? ! : ; ( ) next to Chinese become full-width."""
        if not (ctx.language or "").startswith("zh") and not ctx.profile.language.startswith("zh"):
            return []
        fixes: list[Fix] = []
        for i, cue in enumerate(track.cues):
            pieces, last = [], 0
            for m in TAG_RE.finditer(cue.text):  # leave tags alone
                pieces.append((cue.text[last:m.start()], True))
                pieces.append((m.group(0), False))
                last = m.end()
            pieces.append((cue.text[last:], True))
            new = "".join(
                _HALF_NEAR_HAN.sub(lambda m: _HALF_TO_FULL.get(m.group(0), m.group(0))
                                   if m.group(0) in "?!:;()" else m.group(0), p) if plain else p
                for p, plain in pieces
            )
            if new != cue.text:
                cue.text = new
                fixes.append(Fix(self.name, i + 1, "half-width punctuation made full-width"))
        return fixes
