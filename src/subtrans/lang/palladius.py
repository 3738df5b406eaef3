"""Chinese names in Russian by the Palladius system (Мао Цзэдун, Чжоу Эньлай, Сиань).

The readings come from pypinyin, with the surname readings of polyphonic characters (单 Shan, 曾 Zeng,
解 Xie, 区 Ou) and the forms Russian established beside the system (Пекин, Харбин, Сунь Ятсен),
which win over it. The syllable table, the surname readings and the established forms are data
(``lang/data/palladius.toml``, ``lang/data/names_zh.toml``) with their sources.

- :func:`syllable`: one pinyin syllable (no tone) in Cyrillic, or None if the table lacks it;
- :func:`render`: a person's name (surname, then the given name as one word) or a place's name
  (one word), with where the rendering came from;
- :func:`sounds_chinese`: whether a name in Russian is made of Palladius syllables only (Ли Мэй,
  Чжан Цзолинь) and is not a word Russian knows.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple, cast

from .binding import rules

__all__ = ["syllable", "render", "sounds_chinese", "palladius_word", "nominative", "Rendering"]


class Rendering(NamedTuple):
    text: str | None      # None: a syllable the table lacks (the name is left as it is, with a finding)
    origin: str           # "established" | "palladius"
    problem: str = ""


def syllable(pinyin: str) -> str | None:
    """One toneless pinyin syllable (``zhou``, ``lü`` or ``lv``) in Cyrillic by the Palladius system."""
    table = rules("palladius")
    py = pinyin.lower().replace("v", "ü").replace("u:", "ü")
    whole: dict[str, str] = table["whole"]
    if py in whole:
        return whole[py]
    standalone: dict[str, str] = table["standalone"]
    if py in standalone:
        return standalone[py]
    for initial in ("zh", "ch", "sh"):
        if py.startswith(initial):
            return _join(table["initials"][initial], table["finals"].get(py[2:]))
    if py[:1] in table["initials"]:
        final = py[1:]
        if py[0] in "jqx" and final.startswith("u"):
            final = "ü" + final[1:]   # ju, que, xun: written u, said ü
        return _join(table["initials"][py[0]], table["finals"].get(final))
    return None


def _join(initial: str, final: str | None) -> str | None:
    return None if final is None else initial + final


@lru_cache(maxsize=4096)
def render(name: str, kind: str = "person") -> Rendering:
    """``name`` (Han characters) in Russian. ``kind``: ``person`` (surname, then the given name as one
    word: 毛泽东 -> Мао Цзэдун) or ``place`` (one word: 西安 -> Сиань)."""
    data = rules("names_zh")
    if name in data["established"]:
        return Rendering(data["established"][name], "established")
    if kind == "person":
        surname = next((s for s in data["compound_surnames"]["list"] if name.startswith(s)), name[:1])
        given = name[len(surname):]
        parts = [_word(surname, surname_reading=True), _word(given)] if given else [_word(surname, True)]
    else:
        parts = [_word(name)]
    missing = [p for p in parts if p is None or p.startswith("?")]
    if missing:
        return Rendering(None, "palladius", f"no Palladius syllable for {missing[0] or name!r}")
    return Rendering(" ".join(cast("list[str]", parts)), "palladius")  # (no part is None: checked above)


def _word(han: str, surname_reading: bool = False) -> str | None:
    from pypinyin import Style, lazy_pinyin

    readings = lazy_pinyin(han, style=Style.NORMAL, errors="ignore", v_to_u=True)
    if surname_reading:
        table = rules("names_zh")["surname_readings"]
        if han[:1] in table:
            readings[0] = table[han[:1]]
    out = ""
    for reading in readings:
        cyr = syllable(reading)
        if cyr is None:
            return f"?{reading}"
        out += cyr
    return out[:1].upper() + out[1:] if out else None



@lru_cache(maxsize=1)
def _cyrillic_syllables() -> frozenset[str]:
    table = rules("palladius")
    out = set(table["whole"].values()) | set(table["standalone"].values())
    for initial, cyr in table["initials"].items():
        for final in table["finals"]:
            got = syllable(initial + final)
            if got:
                out.add(got)
    return frozenset(s.lower() for s in out if s)


@lru_cache(maxsize=4096)
def sounds_chinese(name: str) -> bool:
    """Whether every word of ``name`` (Cyrillic) splits into Palladius syllables and is unknown to
    pymorphy3's dictionary: Ли Мэй, Чжан Цзолинь, Цзэдун yes; Анна, Петров, Ли (alone) no."""
    from .russian import analyzer

    words = [w for w in name.replace("-", " ").split() if w]
    if not words or len(words) == 1 and len(words[0]) < 4:
        return False
    morph = analyzer()
    for word in words:
        if len(words) == 1 and morph.word_is_known(word.lower()):
            return False
        if not palladius_word(word):
            return False
    return True


def palladius_word(word: str) -> bool:
    """Whether ``word`` (Cyrillic) splits into syllables of the Palladius table (Цзолинь, Мэй, Чэн)."""
    syllables = _cyrillic_syllables()
    w = word.lower()
    ok = [True] + [False] * len(w)
    for end in range(1, len(w) + 1):
        ok[end] = any(ok[start] and w[start:end] in syllables for start in range(max(0, end - 6), end))
    return bool(w) and ok[-1]


def nominative(word: str) -> str:
    """A Chinese name's last part as Russian declines it, back in the nominative (Чэна, Чэну, Чэном ->
    Чэн); unchanged when it is no declined Palladius word."""
    if palladius_word(word):
        return word
    for ending in ("ом", "ем", "а", "я", "у", "ю", "е"):
        stem = word[:-len(ending)]
        if word.lower().endswith(ending) and len(stem) >= 2 and palladius_word(stem) and stem[-1].lower() not in "аеиоуыэюяй":
            return stem
    return word
