"""Russian names in Chinese characters by the Xinhua News Agency table (Иванов 伊万诺夫, Петрова 彼得罗娃).

The table (俄汉译音表) is a grid: each consonant with each vowel, with each vowel + н, and on its own.
A word is read left to right into the grid's syllables; a given name takes the form the Xinhua
handbook lists (Александр 亚历山大), and a surname or patronymic made from a given name keeps it
(Иванов 伊万诺夫, Петрович 彼得罗维奇, Алексеева 阿列克谢耶娃); a woman's name ending in -а/-я takes
the women's characters (娃 娜 娅 玛 莎); established forms win over everything (Москва 莫斯科, Пушкин
普希金; and the Chinese names Russian writes by the Palladius system go back to their characters:
Харбин 哈尔滨). A person's names are joined by the interpunct (伊万·彼得罗夫). Data:
``lang/data/xinhua.toml``, with its sources.

- :func:`render`: a name of one or more words, with where the rendering came from;
- :func:`russian_form`: the other way, for a Russian name in Chinese script that the data lists
  (莫斯科 Москва, 阿列克谢 Алексей); the table itself cannot be read backwards (many sounds share
  a character);
- :func:`join_names`: a person's names side by side in a Chinese text joined by the interpunct
  (伊万 彼得罗夫 -> 伊万·彼得罗夫).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterator, NamedTuple, cast

from .binding import rules

__all__ = ["render", "russian_form", "join_names", "Rendering"]

_VOWELS = "аяэеыиоёую"


class Rendering(NamedTuple):
    text: str | None      # None: a sound the table lacks (the name is left as it is, with a finding)
    origin: str           # "established" | "xinhua"
    problem: str = ""


class _Missing(Exception):
    pass


#: ``xinhua.toml``; the grid (consonant -> vowel column -> characters); the given names and the
#: established forms (folded keys).
_Data = tuple[dict[str, Any], dict[str, dict[str, str]], dict[str, str], dict[str, str]]


@lru_cache(maxsize=1)
def _data() -> _Data:
    data = rules("xinhua")
    columns = data["columns"]
    grid: dict[str, dict[str, str]] = {}
    for consonant, row in data["grid"].items():
        cells = row.split()
        if len(cells) != len(columns):
            raise ValueError(f"xinhua.toml: the row {consonant!r} has {len(cells)} cells, not {len(columns)}")
        grid[consonant] = dict(zip(columns, cells))
    fold = {_fold(k): v for k, v in data["given"].items() if k != "source"}
    established = {_fold(k): v for k, v in data["established"].items() if k != "source"}
    return data, grid, fold, established


def _fold(word: str) -> str:
    return word.lower().replace("ё", "е")


@lru_cache(maxsize=4096)
def render(name: str, kind: str = "person", female: bool | None = None) -> Rendering:
    """``name`` (one word, a hyphenated word, or a person's words separated by spaces) in Chinese.
    ``kind``: ``person`` or ``place``. ``female``: a woman's name (None: a person's word ending in
    -а/-я that is not a known given name is taken as one: Петрова 彼得罗娃; a place never is)."""
    if kind != "person":
        female = False
    _, _, given, established = _data()
    key = _fold(name.strip())
    if key in established:
        return Rendering(established[key], "established")
    words = name.split()
    if len(words) == 1 and key in given:
        return Rendering(given[key], "established")
    out = []
    origin = "established"
    for word in words:
        parts = []
        for part in word.split("-"):
            got = _word(part, female)
            if got.text is None:
                return got
            if got.origin != "established":
                origin = "xinhua"
            parts.append(got.text)
        out.append("-".join(parts))
    return Rendering("·".join(out), origin)


def _word(word: str, female: bool | None) -> Rendering:
    data, grid, given, established = _data()
    key = _fold(word)
    if key in established:
        return Rendering(established[key], "established")
    if key in given:
        return Rendering(given[key], "established")
    w = word.lower()
    if female is None:
        female = w.endswith(("а", "я"))
    try:
        derived = _derived(w, female)
        if derived:
            return Rendering(derived, "xinhua")
        text = "".join(_syllables(w))
    except _Missing as e:
        return Rendering(None, "xinhua", f"no Xinhua character for {e.args[0]!r} in {word!r}")
    return Rendering(_female(text) if female and w.endswith(("а", "я")) else text, "xinhua")


def _female(text: str) -> str:
    table = _data()[0]["rules"]["female"]
    return "".join(table.get(c, c) for c in text)


def _derived(w: str, female: bool) -> str | None:
    """A surname or patronymic made from a given name: the given name's form, then the suffix."""
    data, _, given, _ = _data()
    suffixes = data["rules"]["suffixes"]
    bare = set(data["rules"]["bare"])
    folded = w.replace("ё", "е")
    for name in sorted(given, key=len, reverse=True):
        if name.endswith(("а", "я")):
            continue
        stems = [name[:-1], name[:-2] + "ь"] if name.endswith("ий") else \
            [name[:-1]] if name.endswith(("ей", "ай", "ь")) else [name]
        for stem in stems:
            rest = folded[len(stem):]
            if not folded.startswith(stem) or _fold(rest) not in {_fold(s) for s in suffixes}:
                continue
            base = given[name]
            rest = w[len(stem):]
            if stem[-1] in _VOWELS or stem[-1] == "ь":
                tail = "".join(_syllables(rest, after_vowel=True))
            else:
                if base[-1] in bare:
                    base = base[:-1]
                tail = "".join(_syllables(stem[-1] + rest, after_vowel=False))
            if female and rest.endswith("а"):
                tail = _female(tail)
            return base + tail
    return None


def _syllables(w: str, after_vowel: bool = False) -> Iterator[str]:
    """The grid's characters for ``w`` (lower case, one word without hyphens), left to right."""
    data, grid, _, _ = _data()
    same_as, initial, soft = data["rules"]["same_as"], data["rules"]["initial"], data["rules"]["soft"]
    n = len(w)
    i = 0
    first = not after_vowel
    while i < n:
        c = w[i]
        if c == "ъ":
            i += 1
            continue
        if c in _VOWELS:
            cell, i = _vowel(w, i, "-", grid)
            if first and c in initial and cell == grid["-"][c]:
                cell = initial[c]
            yield cell
            first = False
            continue
        pair = w[i:i + 2]
        consonant = same_as.get(pair, pair if pair in grid else c)
        j = i + (2 if pair in same_as or pair in grid else 1)
        if consonant not in grid:
            raise _Missing(c)
        nxt = w[j] if j < n else ""
        if nxt == "ь":
            if j + 1 < n and w[j + 1] in _VOWELS:
                yield _cell(grid, consonant, "и", w)   # Ильин 伊利因, Григорьев 格里戈里耶夫
            else:
                yield soft.get(consonant + "ь", grid[consonant][""])
            i = j + 1
            first = False
            continue
        if nxt and nxt in _VOWELS:
            cell, i = _vowel(w, j, consonant, grid)
            yield cell
            first = False
            continue
        if nxt == c and c != "н":      # a doubled consonant is written once (Кирилл 基里尔, Алла 阿拉)
            i = j
            continue
        if first and c in initial:     # Владимир 弗拉基米尔, Фролов 弗罗洛夫
            yield initial[c]
        else:
            yield grid[consonant][""]
        i = j
        first = False


def _vowel(w: str, j: int, consonant: str, grid: dict[str, dict[str, str]]) -> tuple[str, int]:
    """The syllable of ``consonant`` and the vowel at ``j`` (with a й or a closing н after it)."""
    n = len(w)
    v = w[j]
    k = j + 1
    after = w[k] if k < n else ""
    if after == "й" and (k + 1 == n or w[k + 1] not in _VOWELS):
        if v in "еэ":
            return _cell(grid, consonant, "ей", w), k + 1      # Алексей 阿列克谢, Сергей 谢尔盖
        if v in "иы":
            return _cell(grid, consonant, v, w), k + 1         # -ский 斯基, Белый 别雷
        return _cell(grid, consonant, v, w) + grid["й"][""], k + 1   # Михайлов 米哈伊洛夫, Шойгу 绍伊古
    if after == "н":
        rest = w[k + 1:k + 3]
        closing = not rest or (rest[0] not in _VOWELS and rest[0] != "ь") or \
            (rest[0] == "ь" and (len(rest) == 1 or rest[1] not in _VOWELS))
        if closing:
            k += 1
            if k < n and w[k] == "ь":
                k += 1
            return _cell(grid, consonant, v + "н", w), k
    return _cell(grid, consonant, v, w), k


def _cell(grid: dict[str, dict[str, str]], consonant: str, column: str, word: str) -> str:
    cell = grid[consonant].get(column, ".")
    if cell == ".":
        raise _Missing((consonant if consonant != "-" else "") + column)
    return cell


@lru_cache(maxsize=64)
def _joiner(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    # a name, the spaces or dot a model put after it, and another name right after
    return re.compile(rf"({alternatives})[ \u3000\u00b7\u30fb\u2022.．]*(?=(?:{alternatives}))")


def join_names(text: str, names: tuple[str, ...]) -> str:
    """``text`` with each of ``names`` (the Chinese forms of persons' names) that stands right before
    another one joined to it by the interpunct «·», as Chinese writes a foreign person's names:
    伊万 彼得罗夫 / 伊万彼得罗夫 / 伊万•彼得罗夫 -> 伊万·彼得罗夫."""
    names = tuple(n for n in names if n)
    if not names or not any(n in text for n in names):
        return text
    return _joiner(names).sub(r"\1·", text)


@lru_cache(maxsize=1)
def _reverse() -> dict[str, str]:
    data = rules("xinhua")
    out: dict[str, str] = {}
    for section in ("established", "given"):
        for russian, chinese in data[section].items():
            if russian != "source":
                out.setdefault(chinese, russian)
    return out


def russian_form(han: str) -> str | None:
    """The Russian name written ``han`` in Chinese (阿列克谢·沃罗诺夫: each part), where the data lists
    every part: 莫斯科 -> Москва, 阿列克谢 -> Алексей; None otherwise."""
    reverse = _reverse()
    if han in reverse:
        return reverse[han]
    parts = [reverse.get(p) for p in han.split("·")]
    return " ".join(cast("list[str]", parts)) if all(parts) and len(parts) > 1 else None  # (all(parts): no None)
