"""Russian morphology for glossary terms, with pymorphy3 (loaded on first use, once).

Two services:

- :func:`word_keys`: the keys a word of running text is matched by: every
  normal form (lemma) of every parse pymorphy3 gives it, and the word itself,
  lower case with ё written е. A glossary word matches a text word when their
  keys meet (so "Красной" matches "Красная": both have the lemma красный);
- :func:`term_words` / :func:`paradigm`: the analysis of a glossary form and
  every case and number form of it with agreement ("Красная армия" ->
  "Красной армии", "Красную армию", "Красными армиями", ...).

How :func:`paradigm` reads a phrase: words before the head that can be
full adjectives or participles in the nominative are *modifiers* and agree
with it; the *head* is the first word that can be a noun in the nominative
(or, at the end of the phrase, a noun-like adjective); capitalised nouns
right after a capitalised head are *appositions* of a name and decline with
it (Михаил Бородин -> Михаила Бородина), except that in a name whose earlier
parts pymorphy3 does not know as first names or surnames (Chinese names: Чжан
Цзолинь) only the last part declines (Чжан Цзолиня), as Russian usage has it.
Everything else (genitive complements, abbreviations such as КВЖД, words
without Cyrillic letters, indeclinable words such as купе, Кайши) stays as
written. Plurals are left out for proper names (place, person, organisation
names and words pymorphy3 has to guess) and for singularia tantum.
A ``pos`` containing ``indecl`` keeps the whole term unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..lang.russian import analyzer

__all__ = ["analyzer", "word_keys", "term_words", "paradigm", "RuWord", "WORD_RE", "norm"]

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
NUMBERS = ("sing", "plur")

# A word: letters and digits, with combining stress marks, joined by hyphens (Китайско-Восточная).
_LETTER = r"(?:[^\W_][\u0300-\u036f]*)"
WORD_RE = re.compile(rf"{_LETTER}+(?:[-\u2010\u2011]{_LETTER}+)*")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_STRESS = re.compile(r"[\u0300\u0301]")
_PROPER = {"Geox", "Name", "Surn", "Patr", "Orgn", "Trad"}
_PERSON = {"Name", "Surn", "Patr"}

@lru_cache(maxsize=65536)
def norm(word: str) -> str:
    """Lower case, ё = е, stress marks and typographic hyphens removed: how words compare."""
    return _STRESS.sub("", word).lower().replace("ё", "е").replace("\u2010", "-").replace("\u2011", "-")


def _is_abbreviation(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _fixed_surface(word: str) -> bool:
    """Words never analysed: no Cyrillic letter (Latin names, numbers) or an abbreviation (КВЖД, ОГПУ)."""
    return not _CYRILLIC.search(word) or _is_abbreviation(word)


@lru_cache(maxsize=65536)
def word_keys(word: str) -> frozenset[str]:
    """The keys of a word of running text: its lemmas (all parses) and itself, normalised."""
    n = norm(word)
    if not _CYRILLIC.search(word):  # text in capitals is analysed: only glossary abbreviations are fixed
        return frozenset((n,))
    keys = {n}
    for p in analyzer().parse(_clean(word)):
        keys.add(norm(p.normal_form))
    return frozenset(keys)


@dataclass(frozen=True)
class RuWord:
    """One word of a glossary form and how it may be found and inflected."""

    surface: str
    fixed: bool                 # never inflected; found by its own spelling only
    lemmas: frozenset[str]      # normal forms of all parses (empty when fixed)
    forms: frozenset[str]       # every form of its paradigm, normalised (at least itself)

    @property
    def key(self) -> str:
        return norm(self.surface)

    def matches(self, text_word: str, case_sensitive: bool) -> bool:
        if case_sensitive and not _same_case(self.surface, text_word):
            return False
        n = norm(text_word)
        if n == self.key or n in self.forms:
            return True
        return not self.fixed and bool(self.lemmas & word_keys(text_word))


def _same_case(model: str, word: str) -> bool:
    if _is_abbreviation(model):
        return _is_abbreviation(word)
    return model[:1].isupper() == word[:1].isupper()


def split_phrase(text: str) -> tuple[list[str], list[str]]:
    """(words, separators) with len(separators) == len(words) + 1 (before, between, after)."""
    words, seps, last = [], [], 0
    for m in WORD_RE.finditer(text):
        seps.append(text[last:m.start()])
        words.append(m.group(0))
        last = m.end()
    seps.append(text[last:])
    return words, seps


@lru_cache(maxsize=8192)
def term_words(phrase: str, pos: str = "") -> tuple[RuWord, ...]:
    """The words of a glossary form, analysed (their paradigm forms come from :func:`paradigm`)."""
    words, _ = split_phrase(phrase)
    per_word: list[set[str]] = [{norm(w)} for w in words]
    for form in paradigm(phrase, pos):
        fw, _ = split_phrase(form)
        if len(fw) == len(words):
            for i, w in enumerate(fw):
                per_word[i].add(norm(w))
    out = []
    for w, forms in zip(words, per_word):
        fixed = _fixed_surface(w)  # an ``indecl`` pos keeps the forms, not the finding, to the glossary form
        lemmas = frozenset() if fixed else frozenset(norm(p.normal_form) for p in analyzer().parse(_clean(w)))
        if not fixed and lemmas and all("Fixd" in p.tag for p in analyzer().parse(_clean(w))):
            fixed = True
        out.append(RuWord(w, fixed, lemmas, frozenset(forms)))
    return tuple(out)


def _clean(word: str) -> str:
    return _STRESS.sub("", word).lower().replace("\u2010", "-").replace("\u2011", "-")


# ---------------------------------------------------------------------------
# Paradigms


@dataclass
class _Slot:
    role: str            # mod | head | appo | keep
    parse: Any = None


def _nomn(parses: list[Any], pos_set: set[str]) -> list[Any]:
    return [p for p in parses if p.tag.POS in pos_set and p.tag.case == "nomn"]


def _known(word: str) -> bool:
    known: bool = analyzer().word_is_known(word)
    return known


def _pick_head(word: str, parses: list[Any], mods: list[Any]) -> Any:
    """The noun parse of the head: nominative, agreeing with the modifiers, known before guessed."""
    nouns = _nomn(parses, {"NOUN"})
    if not nouns:
        return None
    if mods:
        m = mods[-1].tag
        agreeing = [p for p in nouns if p.tag.number == m.number and (m.number == "plur" or p.tag.gender == m.gender
                                                                       or m.gender is None)]
        nouns = agreeing or nouns
    # The glossary form is the dictionary form: prefer parses where it is the nominative singular.
    nouns.sort(key=lambda p: (p.tag.number != "sing", "Fixd" in p.tag and len(nouns) > 1, -p.score))
    return nouns[0]


def _roles(words: list[str]) -> list[_Slot]:
    m = analyzer()
    parses = [[] if _fixed_surface(w) else m.parse(_clean(w)) for w in words]
    slots = _phrase_roles(words, parses)
    if slots is None:
        slots = _name_roles(words, parses)
    return slots or [_Slot("keep") for _ in words]


def _name_roles(words: list[str], parses: list[list[Any]]) -> list[_Slot] | None:
    """A name whose first parts are not nouns (Сунь Ятсен): only its last word declines."""
    if len(words) < 2 or not all(w[:1].isupper() for w in words) or _fixed_surface(words[-1]):
        return None
    nouns = sorted(_nomn(parses[-1], {"NOUN"}), key=lambda p: (p.tag.number != "sing", -p.score))
    if not nouns:
        return None
    return [_Slot("keep") for _ in words[:-1]] + [_Slot("head", nouns[0])]


def _phrase_roles(words: list[str], parses: list[list[Any]]) -> list[_Slot] | None:
    slots = [_Slot("keep") for _ in words]
    mods: list[int] = []
    head = None
    for i, w in enumerate(words):
        if _fixed_surface(w):  # an abbreviation or a Latin word before any head: nothing declines
            return None
        last = i == len(words) - 1
        adj = _nomn(parses[i], {"ADJF", "PRTF"})
        if adj and not last:
            slots[i] = _Slot("mod", adj[0])
            mods.append(i)
            continue
        hp = _pick_head(w, parses[i], [slots[j].parse for j in mods])
        if hp is None and last and adj:
            hp = adj[0]  # a noun-like adjective at the end (рабочий, Красные)
        if hp is None:
            return None
        slots[i] = _Slot("head", hp)
        head = i
        break
    if head is None:
        return None
    # Appositions: capitalised nouns right after a capitalised head (a person's names).
    hp = slots[head].parse
    if not words[head][:1].isupper():
        return slots
    j = head + 1
    while j < len(words) and not _fixed_surface(words[j]) and words[j][:1].isupper():
        cand = [p for p in _nomn(parses[j], {"NOUN"}) if p.tag.number == hp.tag.number]
        if not cand:
            break
        cand.sort(key=lambda p: (-p.score,))
        slots[j] = _Slot("appo", cand[0])
        j += 1
    group = list(range(head, j))
    if len(group) > 1:
        # Only the last part of a name declines unless the earlier parts are known Russian names
        # (Михаил Бородин -> Михаила Бородина, but Чжан Цзолинь -> Чжан Цзолиня).
        for k in group[:-1]:
            if not (_known(_clean(words[k])) and slots[k].parse.tag.grammemes & _PERSON):
                slots[k] = _Slot("keep")
        if slots[head].role == "keep":
            new_head = next(k for k in group if slots[k].role != "keep")  # the last one always is
            slots[new_head] = _Slot("head", slots[new_head].parse)
    return slots


_HARD = set("бвдзклмнпрстфх")
_MASC_ENDINGS = ("а", "у", "ом", "е")  # genitive, dative, instrumental, prepositional (accusative = nominative)


def _unknown_masculine(word: str) -> list[str]:
    """Forms of a word pymorphy3 cannot even guess (Транссиб): a Russian word or borrowed name ending
    in a hard consonant other than a sibilant declines like a masculine noun (-а, -у, -ом, -е)."""
    if _fixed_surface(word) or "-" in word or word[-1:].lower() not in _HARD:
        return []
    if any(p.tag.POS for p in analyzer().parse(_clean(word))):
        return []
    upper = word[-1].isupper()
    return [word + (e.upper() if upper else e) for e in _MASC_ENDINGS]


def _stem_ok(word: str, forms: list[str], adjective: bool = False) -> bool:
    """Guessed paradigms must keep the stem (Хайлар -> Хайлара, not a made-up lemma)."""
    w = word.lower()
    if adjective:
        stem = w[:-2]
    else:
        stem = w[:-1] if w[-1:] in "аяоеёьйиыуюэ" else w
    stem = stem.replace("ё", "е")
    return all(f.replace("ё", "е").startswith(stem) for f in forms)


def _inflect(parse: Any, grammemes: set[str]) -> str | None:
    try:
        f = parse.inflect(grammemes)
    except (ValueError, KeyError):
        return None
    return f.word if f is not None else None


def _recase(form: str, model: str) -> str:
    """``form`` with the capitalisation (and the е/ё choice) of the glossary word ``model``."""
    if "ё" not in model.lower():
        form = form.replace("ё", "е").replace("Ё", "Е")
    if _is_abbreviation(model):
        return form.upper()
    mparts, fparts = model.split("-"), form.split("-")
    if len(mparts) == len(fparts):
        return "-".join(fp[:1].upper() + fp[1:] if mp[:1].isupper() else fp for mp, fp in zip(mparts, fparts))
    return form[:1].upper() + form[1:] if model[:1].isupper() else form


@lru_cache(maxsize=8192)
def paradigm(phrase: str, pos: str = "") -> tuple[str, ...]:
    """Every case and number form of the glossary form ``phrase``, agreeing, capitalised as written;
    ``phrase`` itself first; no duplicates."""
    out = [phrase]
    if "indecl" in pos.lower():
        return tuple(out)
    words, seps = split_phrase(phrase)
    if not words:
        return tuple(out)
    slots = _roles(words)
    head_i = next((i for i, s in enumerate(slots) if s.role == "head"), None)
    if head_i is None:
        if len(words) == 1:
            out += [seps[0] + f + seps[1] for f in _unknown_masculine(words[0])]
        return tuple(dict.fromkeys(out))
    hp = slots[head_i].parse
    guessed = {i for i, s in enumerate(slots) if s.parse is not None and not _known(_clean(words[i]))}
    numbers = list(NUMBERS)
    if hp.tag.grammemes & (_PROPER | {"Sgtm"}) or (head_i in guessed and words[head_i][:1].isupper()):
        numbers = [hp.tag.number or "sing"]
    if "Pltm" in hp.tag:
        numbers = ["plur"]
    gender = hp.tag.gender
    anim = hp.tag.animacy or "inan"
    for number in numbers:
        for case in CASES:
            new = list(words)
            ok = True
            for i, slot in enumerate(slots):
                if slot.role == "keep":
                    continue
                p = slot.parse
                if slot.role in ("head", "appo"):
                    if "Fixd" in p.tag:
                        continue
                    f = _inflect(p, {case, number})
                else:  # modifier: agree in case, number, gender (singular), animacy (accusative)
                    g = {case, number}
                    if number == "sing" and gender and p.tag.POS in ("ADJF", "PRTF"):
                        g.add(gender if gender in ("masc", "femn", "neut") else "masc")
                    if case == "accs":
                        g.add(anim)
                    f = _inflect(p, g) or _inflect(p, g - {"anim", "inan"})
                if f is None:
                    ok = False
                    break
                new[i] = f
            if not ok:
                continue
            # guessed words must keep their stem
            if any(i in guessed and slots[i].role != "keep"
                   and not _stem_ok(words[i], [new[i]], slots[i].parse.tag.POS in ("ADJF", "PRTF"))
                   for i in range(len(words))):
                continue
            form = "".join(s + (_recase(w, words[i]) if slots[i].role != "keep" else w)
                           for i, (s, w) in enumerate(zip(seps, new))) + seps[-1]
            if form not in out:
                out.append(form)
    return tuple(out)
