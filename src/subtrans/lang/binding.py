"""What binds neighbouring words so that no line break and no cue break may fall between them.

The rules are data (``lang/data/ru.toml``, ``lang/data/zh.toml``, each list with
its source); this module applies them to the *pieces* of a text (the atoms of
:mod:`subtrans.lang.lines`: a Russian word with its punctuation, a jieba word
with the punctuation around it) and says, for each boundary between two
pieces, why it may not be broken, or ``None``.

Russian: a line never ends on a preposition, a conjunction or «не/ни»;
«бы/ли/же» stay with the word before them; initials stay with the surname
(«А. С. Пушкин»), a first name with its patronymic and surname (pymorphy3's
``Name``/``Patr``/``Surn``, when pymorphy3 is installed), a number with what
it counts («25 километров», «№ 5»), a date («12 июня 2025 года», «XIX в.»),
an abbreviation («т. е.», «г-н Смирнов»), a short «title».

Chinese: particles (了 吗 的 ...) never open a line and prepositions (在 把 被
...) never end one; a numeral stays with its classifier (三瓶, 200美元), a date
and a time stay whole (2024年3月8日, 下午三点), an organisation or place name
that jieba splits stays whole (莫斯科国立罗蒙诺索夫大学), and so do a 《title》
and a short “quotation”. Kinsoku (closing marks never open a line, opening
marks never end one) and interpunct names are kept by the pieces themselves.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, NamedTuple, Sequence, TypedDict

__all__ = ["Piece", "rules", "glue_reasons", "REASONS"]

#: Why a boundary may not be broken, as the QA rule words it.
REASONS = {
    "preposition": "after a preposition", "conjunction": "after a conjunction", "particle": "after «не/ни»",
    "modifier": "after a word that modifies the next one",
    "enclitic": "before «бы/ли/же»", "initials": "inside initials and a name", "name": "inside a name",
    "number": "between a number and what it counts", "date": "inside a date or time",
    "abbreviation": "inside an abbreviation", "title": "inside a title or quotation",
    "zh-particle": "before a particle", "zh-localizer": "before a localizer (之前, 里)",
    "zh-preposition": "after a preposition",
    "organisation": "inside a name",
}


class Piece(NamedTuple):
    """One atom: its text (tags and spaces included) and its words with their tags (jieba's; "" in Russian)."""

    text: str
    words: tuple[tuple[str, str], ...]


@lru_cache(maxsize=4)
def rules(language: str) -> dict[str, Any]:
    """The binding data of ``language`` (``ru`` or ``zh``) as read from its TOML file."""
    # read from the package folder (importlib.resources costs several milliseconds of start-up)
    with open(Path(__file__).parent / "data" / f"{language}.toml", "rb") as f:
        return tomllib.load(f)


_TAG = re.compile(r"<[^<>]*>|\{\\[^{}]*\}")
_WORD = re.compile(r"[^\W_]+(?:[-‐][^\W_]+)*")
_INITIAL = re.compile(r"^[A-ZА-ЯЁ]\.$")
_CAPITALISED = re.compile(r"^[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?$")
_NUMBER = re.compile(r"^[№$€£¥]?\s?\d(?:[\d.,:/\u00a0]*\d)?%?$")
_ROMAN = re.compile(r"^[IVXLC]+$")
_DIGITS = re.compile(r"^\d[\d.,:]*$")
_OPEN_QUOTES = {"«": "»", "„": "“", "“": "”", "《": "》", "「": "」", "『": "』", "‘": "’"}


def _visible(piece: Piece) -> str:
    return _TAG.sub("", piece.text).strip()


def glue_reasons(pieces: Sequence[Piece], language: str, *, only: int | None = None) -> list[str | None]:
    """For each boundary (between pieces ``k`` and ``k + 1``): why it may not be broken, or None.

    ``only``: the one boundary the caller asks about (names are then looked up, with pymorphy3, for
    that boundary alone)."""
    n = len(pieces)
    if n < 2:
        return []
    reasons: list[str | None] = [None] * (n - 1)
    visible = [_visible(p) for p in pieces]
    if language == "ru":
        _russian(pieces, visible, reasons, only)
    else:
        _chinese(pieces, visible, reasons)
    _quoted(visible, reasons, rules(language)["spans"]["max_quoted_chars"])
    return reasons


# -- Russian ---------------------------------------------------------------------------------------

class _RuSets(TypedDict):
    """The Russian word sets of ``ru.toml`` (:func:`_ru_sets`)."""

    preposition: frozenset[str]
    conjunction: frozenset[str]
    particle: frozenset[str]
    modifier: frozenset[str]
    enclitic: frozenset[str]
    phrases: dict[str, list[tuple[str, ...]]]
    before_name: frozenset[str]
    signs: frozenset[str]
    numerals: frozenset[str]
    range: frozenset[str]
    month: re.Pattern[str]
    year: frozenset[str]


@lru_cache(maxsize=1)
def _ru_sets() -> _RuSets:
    data = rules("ru")
    months = "|".join(data["dates"]["month_stems"])
    return {
        "preposition": frozenset(data["bind_next"]["prepositions"]),
        "conjunction": frozenset(data["bind_next"]["conjunctions"]),
        "particle": frozenset(data["bind_next"]["particles"]),
        "modifier": frozenset(data["bind_next"]["modifiers"]),
        "enclitic": frozenset(data["bind_previous"]["enclitics"]),
        "phrases": _by_first_word(tuple(p.lower().split()) for p in data["abbreviations"]["phrases"]),
        "before_name": frozenset(w.lower() for w in data["abbreviations"]["before_name"]),
        "signs": frozenset(data["numbers"]["signs"]),
        "numerals": frozenset(data["numbers"]["numerals"]),
        "range": frozenset(data["numbers"]["range_prepositions"]),
        "month": re.compile(rf"^(?:{months})[а-яё]*$", re.IGNORECASE),
        "year": frozenset(data["dates"]["year_words"]),
    }


def _by_first_word(phrases: Iterable[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        out.setdefault(phrase[0], []).append(phrase)
    return out


def _core(text: str) -> str:
    """The word of a Russian piece: its letters and digits, lower case ("«Войну" -> "войну")."""
    m = _WORD.search(text)
    return m.group(0).lower() if m else ""


def _ends_open(text: str) -> bool:
    """Whether a piece ends with its word (no punctuation after it, that would mark a pause)."""
    return bool(text) and (text[-1].isalnum() or text[-1] in "«„“\"(")


def _russian(pieces: Sequence[Piece], visible: list[str], reasons: list[str | None], only: int | None) -> None:
    sets = _ru_sets()
    cores = [_core(v) for v in visible]
    n = len(pieces)
    for k in range(n - 1):
        left, right = visible[k], visible[k + 1]
        word, nxt = cores[k], cores[k + 1]
        if not left or not right:
            continue
        bare = left.strip("«„“\"(") == word or left.strip("«„“\"(").lower() == word
        if bare and _ends_open(left):
            for kind in ("preposition", "conjunction", "particle", "modifier"):
                if word in sets[kind]:
                    reasons[k] = kind
                    break
            if reasons[k]:
                continue
        if nxt in sets["enclitic"] and right[:1].isalpha() and _ends_open(left):
            reasons[k] = "enclitic"
        elif _INITIAL.match(left) and (_INITIAL.match(right) or _CAPITALISED.match(right.rstrip(",.!?;:…"))):
            reasons[k] = "initials"
        elif _CAPITALISED.match(left) and _INITIAL.match(right):
            reasons[k] = "initials"
        elif left.lower() in sets["before_name"] and right[:1].isupper():
            reasons[k] = "abbreviation"
        elif right[:1] == "№" and left[-1:].isalpha():
            reasons[k] = "number"       # в кабинете № 5
        elif left[:1] != "№" and (left in sets["signs"] or _NUMBER.match(left)) \
                and (right[:1].islower() or right[:1].isdigit() or right[:1] in "%‰°"):
            reasons[k] = "number"
        elif sets["month"].match(left) and right[:1].isdigit():
            reasons[k] = "date"
        elif _ROMAN.match(left) and right.rstrip(",;:!?") in sets["year"]:
            reasons[k] = "date"
    for k in range(n - 2):
        # «часа на три»: a preposition and a numeral after a noun; «с 14 на 15»: a range of numbers
        if cores[k + 1] in sets["range"] and _ends_open(visible[k]) and _ends_open(visible[k + 1]):
            after = cores[k + 2]
            if after in sets["numerals"] and visible[k][:1].islower():
                reasons[k] = reasons[k] or "number"
                reasons[k + 1] = reasons[k + 1] or "number"
            elif _NUMBER.match(visible[k]) and cores[k + 1] in sets["range"] and after[:1].isdigit() \
                    and k > 0 and cores[k - 1] in sets["range"]:
                for b in range(max(0, k - 2), k + 2):   # «ночь с 14 на 15»: the range and what it dates
                    if b < k - 1 and not (_ends_open(visible[b]) and visible[b][:1].islower()):
                        continue
                    reasons[b] = reasons[b] or "date"
    lowered = [v.lower().rstrip(",;:") for v in visible]
    for k, first in enumerate(lowered):
        for phrase in sets["phrases"].get(first, ()):
            m = len(phrase)
            if tuple(lowered[k:k + m]) == phrase:
                for j in range(k, k + m - 1):
                    reasons[j] = reasons[j] or "abbreviation"
    _russian_names(visible, reasons, only)


def _russian_names(visible: list[str], reasons: list[str | None], only: int | None) -> None:
    """A first name, patronymic and surname stay together (pymorphy3's grammemes, when it is installed)."""
    pairs = [k for k in (range(len(visible) - 1) if only is None else [only])
             if reasons[k] is None and _CAPITALISED.match(visible[k])
             and _CAPITALISED.match(visible[k + 1].rstrip(",.!?;:…»\""))]
    if not pairs:
        return
    try:
        from .russian import person_parts
    except ImportError:  # pragma: no cover - pymorphy3 is part of the glossary and mt extras
        return
    for k in pairs:
        left, right = person_parts(visible[k]), person_parts(visible[k + 1].rstrip(",.!?;:…»\""))
        if left and right and not (left == {"Surn"} and right == {"Surn"}):
            reasons[k] = "name"


# -- Chinese ---------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _zh_sets() -> dict[str, frozenset[str]]:
    data = rules("zh")
    tags = data["tags"]
    return {
        "particle": frozenset(data["particles"]["no_start"]),
        "preposition": frozenset(data["bind_next"]["words"]),
        "numeral": frozenset(tags["numeral"]), "classifier": frozenset(tags["classifier"]),
        "time": frozenset(tags["time"]), "names": frozenset(tags["names"]),
        "localizer": frozenset(data["localizers"]["words"]),
        "measure": frozenset(tags["measure_words"]),
        "determiner": frozenset(tags["determiners"]),
        "standalone": frozenset(tags["standalone_times"]),
        "suffix": frozenset(data["organisations"]["suffixes"]),
    }


def _numeral(word: str, tag: str, sets: dict[str, frozenset[str]]) -> bool:
    return tag in sets["numeral"] or bool(_DIGITS.match(word))


def _chinese(pieces: Sequence[Piece], visible: list[str], reasons: list[str | None]) -> None:
    sets = _zh_sets()
    n = len(pieces)
    for k in range(n - 1):
        left, right = pieces[k].words, pieces[k + 1].words
        if not left or not right or not visible[k] or not visible[k + 1]:
            continue
        (lw, lt), (rw, rt) = left[-1], right[0]
        left_open = visible[k].endswith(lw)          # no punctuation or space after the word
        right_open = visible[k + 1].startswith(rw)
        if not (left_open and right_open):
            continue
        if rw in sets["particle"]:
            reasons[k] = "zh-particle"
        elif rw in sets["localizer"]:
            reasons[k] = "zh-localizer"
        elif lw in sets["preposition"]:
            reasons[k] = "zh-preposition"
        elif (_numeral(lw, lt, sets) or lw in sets["determiner"]) and (rt in sets["classifier"]
                                                                       or rw[:1] in sets["measure"]):
            reasons[k] = "number"
        elif lw[-1:] in "年月" and _numeral(rw, rt, sets):
            reasons[k] = "date"
        elif lt in sets["time"] and (_numeral(rw, rt, sets) or rt in sets["time"]) \
                and lw not in sets["standalone"] and rw not in sets["standalone"] and lw[-1:] not in "前后後":
            reasons[k] = "date"   # 下午三点, 今天晚上
        elif lt in sets["names"] and len(rw) == 1 and rt == "x":
            reasons[k] = "name"   # the tail jieba could not place: 卡列尼/娜
    # An organisation or place name that jieba cut up: back from its suffix over name-like words.
    for j in range(1, n):
        words = pieces[j].words
        if not words or words[0][0] not in sets["suffix"] or not visible[j].startswith(words[0][0]):
            continue
        k, named = j - 1, False
        while k >= 0 and len(pieces[k].words) == 1 and visible[k] == pieces[k].words[0][0] \
                and pieces[k].words[0][1] in sets["names"] | {"b", "n", "j", "nz"}:
            named = named or pieces[k].words[0][1] in sets["names"]
            k -= 1
        if named:
            for b in range(k + 1, j):
                reasons[b] = reasons[b] or "organisation"


# -- both ------------------------------------------------------------------------------------------

def _quoted(visible: list[str], reasons: list[str | None], max_chars: int) -> None:
    """The boundaries inside a short «title», 《title》 or “quotation”."""
    n = len(visible)
    for k in range(n):
        head = visible[k][:1]
        close = _OPEN_QUOTES.get(head)
        if close is None:
            continue
        length = 0
        for j in range(k, n):
            length += len(visible[j])
            if length > max_chars:
                break
            if close in visible[j][1 if j == k else 0:]:
                for b in range(k, j):
                    reasons[b] = reasons[b] or "title"
                break
