"""Source-versus-translation rules: they run when the check is given the source
track (``subtrans check TARGET --source SOURCE``) and stay silent otherwise.

Cues are paired by position when both tracks have the same number of cues
(a translation keeps the cues), else by time overlap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import dataclasses
import re
from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING

from ...model import Track, format_timestamp
from ...text import TAG_RE, LazyRegex, detect_language, has_han, sample_texts, strip_tags
from ...text import base_language as _base
from ..base import Context, Finding, Rule, Severity, register_rule

if TYPE_CHECKING:  # pragma: no cover
    from ...glossary import Glossary, Term, TermMatch

_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]{2,}")
# A number not glued to Latin or Cyrillic letters (Chinese characters may touch it: 1927年, 7号).
_NUMBER = LazyRegex(r"(?<![0-9A-Za-z\u0400-\u04ff.,:])\d+(?:[.,:]\d+)*(?![0-9A-Za-z\u0400-\u04ff])")
_HAN_DIGITS = "〇一二三四五六七八九"
# Stems of Russian number words, so "7" may come back as "семь" / "седьмого".
_RU_NUMBER_WORDS = {
    0: "нол|нул", 1: "од[ие]н|одн|перв", 2: "дв[аеуо]|втор", 3: "тр[иеё]|трет", 4: "четыр|четвёр|четвер",
    5: "пят", 6: "шест", 7: "сем|седьм", 8: "вос[еь]м", 9: "девят", 10: "десят", 11: "одиннадцат",
    12: "двенадцат", 13: "тринадцат", 14: "четырнадцат", 15: "пятнадцат", 16: "шестнадцат",
    17: "семнадцат", 18: "восемнадцат", 19: "девятнадцат", 20: "двадцат", 30: "тридцат", 40: "сорок",
    50: "пятьдесят|пятидесят", 60: "шестьдесят|шестидесят", 70: "семьдесят|семидесят",
    80: "восемьдесят|восьмидесят", 90: "девяност", 100: "сто|сотн", 1000: "тысяч",
}


def pairs(source: Track, target: Track) -> list[tuple[int, list[int]]]:
    """For each target cue, the source cues it translates (by position, else by time overlap).

    Overlaps are looked up, not searched for: with the source cues sorted by
    start, a target cue can only overlap those that start less than the longest
    source cue's duration before it, and before it ends (two binary searches).
    """
    src = source.cues
    if len(src) == len(target.cues):
        return [(i, [i]) for i in range(len(target.cues))]
    order = sorted(range(len(src)), key=lambda j: src[j].start)
    starts = [src[j].start for j in order]
    longest = max([0] + [s.end - s.start for s in src])
    out = []
    for i, t in enumerate(target.cues):
        near = order[bisect_right(starts, t.start - longest):bisect_left(starts, t.end)]
        out.append((i, sorted(j for j in near if min(src[j].end, t.end) > max(src[j].start, t.start))))
    return out




@register_rule
class CueCount(Rule):
    """The translation does not keep the source's cues and timings.

    Bad:  source cue 5 at 00:00:20,084 --> 00:00:23,800, translation cue 5 at 00:00:20,000 --> 00:00:23,800
    Good: every cue of the translation starts and ends exactly where the source's does
    """

    name, code, severity, category = "cue-count", "P001", Severity.ERROR, "parity"

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        src = ctx.source
        if src is None:
            return
        if len(src.cues) != len(track.cues):
            yield self.finding(ctx, f"{len(track.cues)} cues, the source has {len(src.cues)}",
                               value=len(track.cues), limit=len(src.cues))
            return
        for i, (s, t) in enumerate(zip(src.cues, track.cues)):
            if (s.start, s.end) != (t.start, t.end):
                src_time = f"{format_timestamp(s.start)} --> {format_timestamp(s.end)}"
                yield self.finding(ctx, f"timing differs from the source's cue {i + 1} ({src_time})", i, t,
                                   value=f"{t.start}-{t.end}", limit=f"{s.start}-{s.end}")


@register_rule
class Untranslated(Rule):
    """Text of the source's script left in the translation (or a cue copied unchanged).

    Bad:  a Chinese subtitle reading "西伯利亚快车 Сибирский экспресс"
    Good: "西伯利亚快车"
    """

    name, code, severity, category = "untranslated", "P002", Severity.WARNING, "parity"

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        if ctx.source is None:
            return
        src_lang, tgt_lang = _base(ctx.source_language), _base(ctx.language)
        for i, js in pairs(ctx.source, track):
            cue = track.cues[i]
            text = strip_tags(cue.text, entities=True)
            if src_lang == "ru" and tgt_lang == "zh":
                left = _CYRILLIC_WORD.findall(text)
                if left:
                    yield self.finding(ctx, f"Russian text left in the translation: {' '.join(left)!r}", i, cue,
                                       value=" ".join(left))
                    continue
            elif src_lang == "zh" and tgt_lang == "ru" and has_han(text):
                han = "".join(ch for ch in text if has_han(ch))
                yield self.finding(ctx, f"Chinese text left in the translation: {han!r}", i, cue, value=han)
                continue
            source_text = " ".join(strip_tags(ctx.source.cues[j].text, entities=True) for j in js).strip()
            if source_text and text.strip() == source_text and (_CYRILLIC_WORD.search(text) or has_han(text)):
                yield self.finding(ctx, "the cue is the source text, unchanged", i, cue)


def _zh_numerals(n: int) -> list[str]:
    """Ways a number may be written in Chinese: digit by digit (一九二七) and read out (一千九百二十七)."""
    forms = ["".join(_HAN_DIGITS[int(d)] for d in str(n))]
    if n < 100000:
        units = [(10000, "万"), (1000, "千"), (100, "百"), (10, "十")]
        out, rest, zero = "", n, False
        for value, name in units:
            q, rest = divmod(rest, value)
            if q:
                if zero:
                    out += "零"
                out += _HAN_DIGITS[q] + name
                zero = False
            elif out:
                zero = True
        if rest:
            out += ("零" if zero and out else "") + _HAN_DIGITS[rest]
        if 10 <= n < 20:
            out = out[1:]  # 十七, not 一十七
        forms.append(out or "零")
        forms.append(forms[-1].replace("二千", "两千").replace("二百", "两百"))
    return forms


def _number_present(number: str, target: str, tgt_lang: str | None) -> bool:
    if re.search(rf"(?<!\d){re.escape(number)}(?!\d)", target):
        return True
    variants = {number.replace(",", "."), number.replace(".", ","), number.replace(",", "").replace(".", "")}
    if any(re.search(rf"(?<!\d){re.escape(v)}(?!\d)", target) for v in variants):
        return True
    if not number.isdigit():
        return False
    n = int(number)
    if tgt_lang == "zh":
        return any(form in target for form in _zh_numerals(n))
    if tgt_lang == "ru" and n in _RU_NUMBER_WORDS:
        return bool(re.search(rf"(?i)\b({_RU_NUMBER_WORDS[n]})", target))
    return False


def _month_present(number: str, target: str, tgt_lang: str | None) -> bool:
    """Whether month ``number`` (1-12) is written as a Russian month name in ``target`` (октябрь, октября ...).
    The stems are lang/data/ru.toml's."""
    if tgt_lang != "ru" or not number.isdigit() or not 1 <= int(number) <= 12:
        return False
    from ...lang.binding import rules

    stem = rules("ru")["dates"]["month_stems"][int(number) - 1]
    return bool(re.search(rf"(?i)(?<![а-яё])(?:{stem})[а-яё]*", target))


@register_rule
class NumberMismatch(Rule):
    """A number in the source is missing from the translation.

    Bad:  source "Москва, октябрь 1927 года", translation "莫斯科，十月"
    Good: "莫斯科 1927年10月" (digits, or the number in Chinese or Russian words, count; a month
          written as a numeral in one language and as a word in the other counts too:
          1927年10月 / октябрь 1927 года)
    """

    name, code, severity, category = "number-mismatch", "P003", Severity.WARNING, "parity"

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        if ctx.source is None:
            return
        tgt_lang = _base(ctx.language)
        for i, js in pairs(ctx.source, track):
            found = [(m.group(0), text[m.end():m.end() + 1]) for j in js
                     for text in [strip_tags(ctx.source.cues[j].text, entities=True)] for m in _NUMBER.finditer(text)]
            if not found:
                continue
            target = strip_tags(track.cues[i].text, entities=True)
            months = {n for n, after in found if after == "月"}   # 10月: a month, which Russian writes as a word
            missing = [n for n in dict.fromkeys(n for n, _ in found) if not _number_present(n, target, tgt_lang)
                       and not (n in months and _month_present(n, target, tgt_lang))]
            if missing:
                yield self.finding(ctx, f"number{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                                        f"of the source not in the translation", i, track.cues[i],
                                   value=", ".join(missing))


def _tag_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for tag in TAG_RE.findall(text):
        m = re.match(r"</?([a-zA-Z]+)|\{\\(an\d|[a-z]+)", tag)
        key = (m.group(1) or m.group(2)).lower() if m else tag
        if tag.startswith("<") and key not in ("i", "b", "u", "s", "font"):
            continue  # WebVTT voice, class and timestamp tags may legitimately change
        counts[key] = counts.get(key, 0) + 1
    return counts


@register_rule
class TagMismatch(Rule):
    """The translation lost or gained formatting tags (italics, bold, position) of its source cue.

    Bad:  source "<i>Поезд отправляется!</i>", translation "火车要开了！"
    Good: "<i>火车要开了！</i>"
    """

    name, code, severity, category = "tag-mismatch", "P004", Severity.WARNING, "parity"

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        if ctx.source is None:
            return
        for i, js in pairs(ctx.source, track):
            if len(js) != 1:
                continue
            src, tgt = _tag_counts(ctx.source.cues[js[0]].text), _tag_counts(track.cues[i].text)
            if set(src) != set(tgt):
                lost, gained = sorted(set(src) - set(tgt)), sorted(set(tgt) - set(src))
                what = "; ".join(x for x in (f"lost {', '.join(lost)}" if lost else "",
                                             f"gained {', '.join(gained)}" if gained else "") if x)
                yield self.finding(ctx, f"formatting differs from the source: {what}", i, track.cues[i],
                                   value=what)


def _glossary_code(language: str | None) -> str | None:
    """The glossary's language codes: ru, zh (Simplified) and zh-hant."""
    return "zh-hant" if language == "zh-hant" else _base(language)


@register_rule
class GlossaryTerm(Rule):
    """A glossary term of the source is not rendered as the glossary says (or a forbidden variant is used).

    Bad:  source "Поедешь Сибирским экспрессом.", glossary Сибирский экспресс = 西伯利亚快车,
          translation "你坐西伯利亚特快去。"
    Good: "你坐西伯利亚快车去。"
    """

    name, code, severity, category = "glossary", "P005", Severity.WARNING, "parity"

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        glossary = ctx.glossary
        if not glossary:
            return
        from ...glossary import find_terms, forbidden_present, target_present

        # Without a language for the track (no profile language), the one its text is written in;
        # with neither there is no rendering to check against, so no glossary check.
        language = ctx.language if ctx.language is not None else detect_language(sample_texts(track.cues))
        tgt_lang = _glossary_code(language)
        if tgt_lang is None:
            return
        if ctx.source is not None:
            yield from self._terms(track, ctx, glossary, tgt_lang, find_terms, target_present)
        for i, cue in enumerate(track.cues):
            text = strip_tags(cue.text, entities=True)
            for term in glossary.terms:
                for bad in forbidden_present(text, term, tgt_lang):
                    found = self.finding(ctx, f"{bad!r} is a forbidden rendering; the glossary says "
                                              f"{term.text(tgt_lang)!r}", i, cue, value=bad,
                                         limit=term.text(tgt_lang))
                    # A forbidden variant is always wrong: an error unless configured otherwise.
                    if self.name not in ctx.severities:
                        found = dataclasses.replace(found, severity=Severity.ERROR)
                    yield found

    def _terms(self, track: Track, ctx: Context, glossary: Glossary, tgt_lang: str,
               find_terms: Callable[[str, str, Glossary], list[TermMatch]],
               target_present: Callable[[str, Term, str], bool]) -> Iterator[Finding]:
        from ...lang.units import analyse, build_units

        src_lang = _glossary_code(ctx.source_language)
        if src_lang is None:
            return
        source = ctx.source
        assert source is not None  # (the caller checked)
        # Sentence units, so that a term split over two cues is still found.
        shapes = [analyse(c.text, src_lang) for c in source.cues]
        units = build_units(source.cues, shapes, src_lang)
        to_target: dict[int, list[int]] = {}
        for i, js in pairs(source, track):
            for j in js:
                to_target.setdefault(j, []).append(i)
        for unit in units:
            matches = find_terms(unit.text, src_lang, glossary)
            if not matches:
                continue
            cues = sorted({i for j, _ in unit.slots for i in to_target.get(j, [])})
            if not cues:
                continue
            target = "".join(strip_tags(track.cues[i].text, entities=True) for i in cues) if tgt_lang != "ru" \
                else " ".join(strip_tags(track.cues[i].text, entities=True) for i in cues)
            for m in matches:
                wanted = m.term.text(tgt_lang)
                if wanted and not target_present(target, m.term, tgt_lang):
                    first = cues[0]
                    yield self.finding(ctx, f"{m.surface!r} should be rendered {wanted!r}", first,
                                       track.cues[first], value=m.surface, limit=wanted)


@register_rule
class NameConsistency(Rule):
    """A name of the source that its translation lacks, or renders one way in some cues and not in others.

    Bad:  source 毛泽东 in cues 1 and 5, translation «Мао Цзэдун» in cue 1 and «Мао Цзэ-дун» in cue 5
    Good: «Мао Цзэдун» (in any case form: «Мао Цзэдуна») in both
    Bad:  source «Петрову» in cue 3, translation 佩特罗娃 (the Xinhua form is 彼得罗娃)

    The names are those ``subtrans names`` finds (persons and places: Chinese ones rendered by the
    Palladius system, Russian ones by the Xinhua table, or the form established for them); names in
    the glossary are the glossary rule's.
    """

    name, code, severity, category = "name-consistency", "P006", Severity.WARNING, "parity"

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        if ctx.source is None:
            return
        src, tgt = _base(ctx.source_language), _base(ctx.language)
        if (src, tgt) not in (("zh", "ru"), ("ru", "zh")):
            return
        # (both languages are known: their base codes are ru and zh)
        assert src is not None and ctx.source_language is not None and ctx.language is not None
        from ...glossary import Glossary, find_terms, target_present
        from ...lang.units import analyse, build_units
        from ...names import name_terms

        source = ctx.source
        target_language = "ru" if tgt == "ru" else ctx.language
        terms = name_terms(source, ctx.source_language, target_language, ctx.glossary)
        if not terms:
            return
        names = Glossary(terms=terms)
        shapes = [analyse(c.text, src) for c in source.cues]
        to_target: dict[int, list[int]] = {}
        for i, js in pairs(source, track):
            for j in js:
                to_target.setdefault(j, []).append(i)
        seen: dict[str | None, tuple[Term, list[int], list[int]]] = {}   # name -> (term, cues with it, cues without)
        for unit in build_units(source.cues, shapes, src):
            cues = sorted({i for j, _ in unit.slots for i in to_target.get(j, [])})
            if not cues:
                continue
            target = " ".join(strip_tags(track.cues[i].text, entities=True) for i in cues)
            for match in find_terms(unit.text, src, names):
                key = match.term.text(src)
                _, present, missing = seen.setdefault(key, (match.term, [], []))
                (present if target_present(target, match.term, target_language) else missing).append(cues[0])
        for key, (term, present, missing) in seen.items():
            wanted = term.text(target_language)
            for i in missing:
                where = f"; it is {wanted!r} in cue{'s' if len(present) > 1 else ''} " \
                        f"{', '.join(str(c + 1) for c in present[:5])}" if present else ""
                yield self.finding(ctx, f"{key!r} is not rendered {wanted!r}{where}", i, track.cues[i],
                                   value=key, limit=wanted)
