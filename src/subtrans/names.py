"""The film's names: found in the source with the languages' own tools, and rendered the standard way.

Chinese source: jieba's tags (``nr`` person, ``ns`` place, ``nt`` organisation; glossary terms are
added to jieba's dictionary first). A Chinese person's or place name is rendered by the Palladius
system (:mod:`subtrans.lang.palladius`); a foreign name in Chinese script (莫斯科, 阿列克谢·沃罗诺夫)
and an organisation are listed without a rendering (the localiser gives them in the glossary).
Russian source: pymorphy3's grammemes (``Name``, ``Surn``, ``Patr``, ``Geox``, ``Orgn``), each name
collapsed to its nominative (Воронова, Воронову -> Воронов; a woman's Петрова stays Петрова) and
rendered by the Xinhua table (:mod:`subtrans.lang.xinhua`: Воронов 沃罗诺夫, Петрова 彼得罗娃); a
Chinese name in Russian (Ли Мэй, Чжан Цзолинь) goes back to its characters only where they are
established (Харбин 哈尔滨): its sound does not tell them, so it is listed for the localiser.
A glossary entry always wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator

from .lang.binding import rules
from .model import Track
from .text import strip_tags

if TYPE_CHECKING:  # pragma: no cover
    from .glossary import Glossary, Term

__all__ = ["FoundName", "find_names"]

_HAN_RUN = re.compile(r"[\u4e00-\u9fff·]+")
_RU_WORD = re.compile(r"[А-ЯЁ](?:[а-яё]+|[А-ЯЁ]+)(?:-[А-ЯЁ](?:[а-яё]+|[А-ЯЁ]+))?")


@dataclass
class FoundName:
    source: str                 # as the source writes it (Chinese), or its nominative (Russian)
    kind: str                   # person | place | organisation | foreign
    count: int = 0
    first_cue: int = 0          # 1-based
    rendering: str | None = None
    origin: str = "none"        # glossary | established | palladius | xinhua | none
    problem: str = ""


def find_names(track: Track, source: str, target: str, glossary: Glossary | None = None) -> list[FoundName]:
    """The names of ``track`` (in ``source``), in order of first appearance, with their renderings in
    ``target``."""
    found: dict[str, FoundName] = {}
    sure: set[str] = set()
    finder: Callable[[str, Glossary | None], Iterator[tuple[str, str] | tuple[str, str, bool]]] = \
        _chinese if source.startswith("zh") else _russian
    for i, cue in enumerate(track.cues):
        for name, kind, *certain in finder(strip_tags(cue.text, entities=True), glossary):
            entry = found.setdefault(name, FoundName(name, kind, first_cue=i + 1))
            entry.count += 1
            if not certain or certain[0]:
                sure.add(name)
    # «Роза стояла в вазе»: a word that is also a common noun, opening a sentence, is a name only if
    # the film uses it as one elsewhere («Я ждал Розу»)
    names = [entry for entry in found.values() if entry.source in sure]
    for entry in names:
        _render(entry, source, target, glossary)
    return names


def _chinese(text: str, glossary: Glossary | None) -> Iterator[tuple[str, str]]:
    from .lang.chinese import tagged

    from .glossary import register_jieba_terms

    register_jieba_terms(glossary or None)   # the job's glossary, and no other job's
    data = rules("names_zh")["surnames"]
    stop = rules("names_zh")["not_names"]
    suffixes = tuple(sorted(rules("zh")["organisations"]["suffixes"], key=len, reverse=True))

    def foreign(word: str) -> bool:
        return sum(c in data["transliteration"] for c in word) >= 2

    def name_like(word: str, tag: str) -> bool:
        return tag in ("nr", "nrt", "nrfg") or any(c in data["transliteration"] for c in word)

    for run in _HAN_RUN.findall(text):
        parts = run.split("·")
        if len(parts) > 1 and all(parts):
            # 红军战士阿列克谢·沃罗诺夫在莫斯科: the name is what looks like one on each side of the dot
            words = tagged(parts[0])
            k = len(words)
            while k > 0 and name_like(*words[k - 1]):
                k -= 1
            head = "".join(w for w, _ in words[k:]) or words[-1][0]
            words = tagged(parts[-1])
            k = 0
            while k < len(words) and name_like(*words[k]):
                k += 1
            tail = "".join(w for w, _ in words[:k]) or words[0][0]
            yield "·".join([head, *parts[1:-1], tail]), "foreign"
            rest = [parts[0][:len(parts[0]) - len(head)], parts[-1][len(tail):]]
        else:
            rest = [run]
        for piece in (p for p in rest if p):
            yield from _chinese_words(list(tagged(piece)), data, stop, suffixes, foreign)


def _chinese_words(words: list[tuple[str, str]], data: dict[str, Any], stop: dict[str, Any],
                   suffixes: tuple[str, ...], foreign: Callable[[str], bool]) -> Iterator[tuple[str, str]]:
    k = 0
    while k < len(words):
        word, tag = words[k]
        previous = words[k - 1][0] if k else ""
        k += 1
        if tag == "nr" and len(word) == 1 and word in data["list"] and k < len(words) \
                and words[k][1] in ("nrfg", "nr") and len(words[k][0]) <= 2:
            word, tag = word + words[k][0], "nr"      # 江/nr 志强/nrfg: jieba split the surname off
            k += 1
        if word in stop["words"] or (len(word) >= 3 and word[1:] in stop["titles"]) or previous in stop["degree"]:
            continue
        if tag in ("ns", "nt") and word.endswith(suffixes):
            # 北京火车站, 南京政府: the place's name is the part before the suffix
            place = word[:len(word) - len(next(x for x in suffixes if word.endswith(x)))]
            if len(place) >= 2:
                word, tag = place, "ns"
        if tag in ("nr", "nrfg", "nrt", "ns") and len(word) >= 2:
            if foreign(word):
                yield word, "foreign"
            elif tag == "ns":
                yield word, "place"
            elif tag != "nrt" and word[0] in data["list"]:
                yield word, "person"
            # otherwise jieba's guess is too weak to call it a name (沙皇, 安静)
        elif len(word) == 3 and word[0] in data["list"] and tag in ("t", "x", "nz", "n", "i"):
            yield word, "person"   # a three-character name jieba mistook (周恩来 tagged t)
        elif tag == "nt":
            yield word, "organisation"


_SENTENCE_START = re.compile(r"(?:^|[.!?…]\s+|^\s*[-—–]\s*)$")
_PERSON = ("Name", "Surn", "Patr")


def _russian(text: str, glossary: Glossary | None) -> Iterator[tuple[str, str, bool]]:
    from .lang.palladius import nominative, palladius_word, sounds_chinese
    from .lang.russian import analyzer

    morph = analyzer()
    gender = None   # of the first name just before: «Елену Петрову» is a woman's surname
    words = list(_RU_WORD.finditer(text))
    k = 0
    while k < len(words):
        m = words[k]
        k += 1
        word = m.group(0)
        if word.isupper():   # «ВОРОНОВ!» on a sign or shouted: read as a name written normally
            if len(word) < 3 or "Abbr" in morph.parse(word)[0].tag:
                continue   # an abbreviation: СССР, США, ЧК
            word = "-".join(w.capitalize() for w in word.split("-"))
        parses = morph.parse(word)
        kind, parse = _russian_kind(parses)
        second = words[k].group(0) if k < len(words) and text[m.end():words[k].start()] == " " else ""
        # a Chinese or other foreign name the dictionary does not know: «Ли Мэй», «Чжан Цзолинь», «Лю Шэн»,
        # its last part declined as Russian declines it («от Ван Чэна»)
        if second and not second.isupper() and not morph.word_is_known(second.lower()) \
                and (kind is not None or sounds_chinese(f"{word} {nominative(second)}")):
            last = morph.parse(second)[0]
            if last.tag.case not in (None, "nomn") and any(g in last.tag for g in _PERSON) \
                    and palladius_word(last.normal_form):
                second = last.normal_form.capitalize()          # Чэна: Чэн's genitive
            yield word + " " + nominative(second), "person", True
            k += 1
            continue
        if kind is None:
            gender = None
            continue
        # «Любовь Сергеевна», «Лев Аркадьевич»: a name, whatever else the first word may be
        named = bool(second) and any(g in p.tag for p in morph.parse(second) for g in ("Patr", "Surn"))
        opens = bool(_SENTENCE_START.search(text[:m.start()]))
        if opens and not named and parses[0].score >= 0.5 \
                and not any(g in parses[0].tag for g in (*_PERSON, "Geox", "Orgn")):
            gender = None   # «Вера в победу», «Надежда умирает»: a word that opens the sentence
            continue
        # «Роза стояла в вазе», «Надежды нет»: a common noun too (in the nominative), at the start of a
        # sentence: a name only if the film uses it as one elsewhere (see find_names)
        certain = named or not (opens and any("NOUN" in p.tag and p.tag.case == "nomn"
                                              and not any(g in p.tag for g in (*_PERSON, "Geox", "Orgn"))
                                              for p in parses))
        if kind == "person":
            matching = [p for p in parses if any(g in p.tag for g in _PERSON)]
            # a declinable reading before an indeclinable one (Анне: Анна's dative, not a name «Анне»)
            matching.sort(key=lambda p: "Fixd" in p.tag)
            parse = next((p for p in matching if gender and p.tag.gender == gender), matching[0] if matching else parse)
        if parse.tag.case == "nomn" and parse.tag.number != "plur":
            lemma = word
        else:
            grammemes = {"nomn", "sing"} | ({"femn"} if "femn" in parse.tag else set())
            lemma = (parse.inflect(grammemes) or parse.normalized).word
        yield "-".join(w.capitalize() for w in lemma.split("-")), kind, certain
        gender = parse.tag.gender if "Name" in parse.tag else None


def _russian_kind(parses: list[Any]) -> tuple[str | None, Any]:
    """person, place or organisation from pymorphy3's likeliest parses: a person's reading wins unless
    a place's is more than twice as likely (Воронов is a surname first)."""
    best: dict[str, Any] = {}  # kind -> a pymorphy3 parse
    for p in parses:
        for grammemes, kind in ((_PERSON, "person"), (("Geox",), "place"), (("Orgn",), "organisation")):
            if kind not in best and any(g in p.tag for g in grammemes):
                best[kind] = p
    if "person" in best and ("place" not in best or best["person"].score * 2 >= best["place"].score):
        return "person", best["person"]
    for kind in ("place", "organisation"):
        if kind in best:
            return kind, best[kind]
    return None, None


def _render(entry: FoundName, source: str, target: str, glossary: Glossary | None) -> None:
    if glossary:
        from .glossary import find_terms

        for match in find_terms(entry.source, source, glossary):
            if match.surface == entry.source and match.term.text(target):
                entry.rendering, entry.origin = match.term.text(target), "glossary"
                return
    if source.startswith("zh") and target == "ru" and entry.kind == "foreign":
        from .lang.xinhua import russian_form

        entry.rendering = russian_form(entry.source)     # 莫斯科 Москва, 阿列克谢 Алексей: in the data
        entry.origin = "established" if entry.rendering else "none"
    elif source.startswith("zh") and target == "ru" and entry.kind in ("person", "place"):
        from .lang.palladius import render

        got = render(entry.source, entry.kind)
        entry.rendering, entry.origin, entry.problem = got.text, got.origin if got.text else "none", got.problem
    elif source == "ru" and target.startswith("zh") and entry.kind in ("person", "place"):
        from .lang.palladius import sounds_chinese
        from .lang.xinhua import render as xinhua

        rendered = xinhua(entry.source, entry.kind)
        if rendered.origin != "established" and sounds_chinese(entry.source):
            entry.kind, entry.problem = "foreign", "a Chinese name in Russian: give its characters in the glossary"
            return
        text = rendered.text
        if text and target != "zh":
            from .lang.chinese import to_traditional

            text = to_traditional(text)
        entry.rendering, entry.origin, entry.problem = text, rendered.origin if text else "none", rendered.problem


def name_terms(track: Track, source: str, target: str, glossary: Glossary | None = None) -> list[Term]:
    """The film's names that have a standard rendering (an established form, the Palladius system or
    the Xinhua table) and are not in the glossary, as glossary terms: translation enforces them as it
    enforces the glossary (both engines; Russian declines them), and the QA checks them."""
    from .glossary import Term

    terms: list[Term] = []
    for name in find_names(track, source, target, glossary):
        if name.rendering and name.origin in ("established", "palladius", "xinhua") \
                and name.kind in ("person", "place", "foreign"):
            if source.startswith("zh"):
                ru, zh, hant = name.rendering, name.source, None
            elif target == "zh":
                ru, zh, hant = name.source, name.rendering, None
            else:
                from .lang.chinese import to_simplified

                ru, zh, hant = name.source, to_simplified(name.rendering), name.rendering
            terms.append(Term(ru=ru, zh=zh, zh_hant=hant, pos=name.kind, note=f"name ({name.origin})",
                              origin=f"names:{name.origin}"))
    return terms
