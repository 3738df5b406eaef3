"""Finding glossary terms in text, the target forms a translation may use, and checking a translation.

Russian is matched by lemma (pymorphy3, see :mod:`.morph`): a glossary word
matches a text word when any normal form of any parse of the one equals any
normal form of the other, or when the text word is one of the glossary
word's own case and number forms; ё and е are the same letter; capitals are
ignored unless the term is ``case_sensitive`` (then the first letter of each
word must have the glossary's case, and an abbreviation must be in capitals).
Multi-word terms match word by word, the words separated as in the glossary
(spaces, line breaks and formatting tags count as a space), so "Красной
армии" and "Красную\\nармию" both match "Красная армия", while "армия"
alone or "красный" do not.

Chinese is matched by longest match over a character trie of the glossary's
Chinese forms, on text normalised to Simplified with OpenCC ``t2s`` (spans
are mapped back to the original text; formatting tags, and spaces or line
breaks between Chinese characters, are skipped, so a term broken over two
cue lines is still found). The trie matches across word boundaries on
purpose: Chinese has no spaces, and jieba's segmentation can split a name it
does not know. jieba matters where text is cut into words: line breaking
(:func:`subtrans.lang.lines.atoms`) and anything that works on jieba words;
:func:`register_jieba_terms` adds the glossary's Chinese forms to jieba's
dictionary so that it keeps them whole.

Everything heavy (pymorphy3, OpenCC, jieba) is loaded on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import ConfigError
from ..text import TAG_RE
from .morph import WORD_RE, norm, paradigm, split_phrase, term_words
from .terms import Glossary, Term, normalize_term_language

__all__ = ["TermMatch", "find_terms", "target_forms", "target_present", "forbidden_present",
           "register_jieba_terms"]

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff\u3005\u3007]")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class TermMatch:
    """A glossary term found in a text: ``text[start:end] == surface``."""

    term: Term
    start: int
    end: int
    surface: str


# ---------------------------------------------------------------------------
# Shared helpers


def _select(cands: list[tuple[int, int, int, int, Term]], text: str) -> list[TermMatch]:
    """Non-overlapping matches, longest first (then leftmost, then the preferred term), in text order.

    A candidate is (start, end, length, rank, term): ``length`` is what "longest" measures,
    ``rank`` breaks ties between terms on the same span (higher wins)."""
    cands.sort(key=lambda c: (-c[2], c[0], -c[3]))
    taken = bytearray(len(text))
    out: list[TermMatch] = []
    for start, end, _, _, term in cands:
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        out.append(TermMatch(term, start, end, text[start:end]))
    out.sort(key=lambda m: m.start)
    return out


# ---------------------------------------------------------------------------
# Russian


def _sep_norm(sep: str) -> str:
    return _WS.sub(" ", TAG_RE.sub(" ", sep)).strip()


@lru_cache(maxsize=4096)
def _ru_tokens(text: str) -> tuple[tuple[tuple[int, int, str], ...], ...]:
    """The words of ``text`` as (start, end, word); words inside formatting tags do not count.

    One sequence of whole words and, when some word has a hyphen, a second one with such words
    split at it, so that "Москва-Пекин" also yields Москва and Пекин (longer matches still win)."""
    masked = TAG_RE.sub(lambda m: " " * len(m.group(0)), text)
    whole = tuple((m.start(), m.end(), m.group(0)) for m in WORD_RE.finditer(masked))
    if not any("-" in w or "\u2010" in w or "\u2011" in w for _, _, w in whole):
        return (whole,)
    parts = []
    for start, _, word in whole:
        for m in re.finditer(r"[^-\u2010\u2011]+", word):
            parts.append((start + m.start(), start + m.end(), m.group(0)))
    return whole, tuple(parts)


@dataclass(frozen=True)
class _RuPattern:
    term: Term
    words: tuple[Any, ...]          # RuWord
    seps: tuple[str, ...]           # normalised separators between the words
    suffix: str                     # closing punctuation after the last word (the ")" of "ВКП(б)")
    rank: int


def _ru_pattern(term: Term, rank: int = 0) -> _RuPattern | None:
    if not term.ru:
        return None
    words = term_words(term.ru, term.pos)
    if not words:
        return None
    _, seps = split_phrase(term.ru)
    suffix = seps[-1].strip()
    return _RuPattern(term, words, tuple(_sep_norm(s) for s in seps[1:-1]),
                      suffix if suffix and all(c in ")]»”\"'" for c in suffix) else "", rank)


def _ru_match_at(p: _RuPattern, text: str, toks: tuple[tuple[int, int, str], ...], i: int) -> int | None:
    """End offset of ``p`` matched from token ``i``, or None."""
    n = len(p.words)
    if i + n > len(toks):
        return None
    for k, word in enumerate(p.words):
        start, end, surface = toks[i + k]
        if k and _sep_norm(text[toks[i + k - 1][1]:start]) != p.seps[k - 1]:
            return None
        if not word.matches(surface, p.term.case_sensitive):
            return None
    end = toks[i + n - 1][1]
    if p.suffix and text.startswith(p.suffix, end):
        end += len(p.suffix)
    return end


#: A match found by an index: (start, end, length in tokens or characters, rank, term).
_Candidate = tuple[int, int, int, int, Term]


class _RuIndex:
    def __init__(self, terms: list[Term]) -> None:
        self.by_key: dict[str, list[_RuPattern]] = {}
        for rank, term in enumerate(terms):
            p = _ru_pattern(term, rank + (len(terms) if term.case_sensitive else 0))
            if p is None:
                continue
            first = p.words[0]
            keys = {first.key} | set(first.forms) | set(first.lemmas)
            for k in keys:
                self.by_key.setdefault(k, []).append(p)

    def candidates(self, text: str) -> list[_Candidate]:
        from .morph import word_keys

        cands: list[_Candidate] = []
        for toks in _ru_tokens(text):
            for i, (start, _, surface) in enumerate(toks):
                seen = set()
                for key in word_keys(surface) | {norm(surface)}:
                    for p in self.by_key.get(key, ()):
                        if id(p) in seen:
                            continue
                        seen.add(id(p))
                        end = _ru_match_at(p, text, toks, i)
                        if end is not None:
                            cands.append((start, end, end - start, p.rank, p.term))
        return cands


def _ru_spans(text: str, phrase: str, case_sensitive: bool = False, pos: str = "") -> list[tuple[int, int]]:
    """Where the Russian ``phrase`` occurs in ``text``, in any inflection."""
    p = _ru_pattern(Term(phrase, None, pos=pos, case_sensitive=case_sensitive))
    if p is None:
        return []
    spans = []
    for toks in _ru_tokens(text):
        for i in range(len(toks)):
            end = _ru_match_at(p, text, toks, i)
            if end is not None:
                spans.append((toks[i][0], end))
    return sorted(set(spans))


# ---------------------------------------------------------------------------
# Chinese


def _t2s_or_none(text: str) -> str | None:
    from ..lang.chinese import to_simplified

    try:
        return to_simplified(text)
    except ConfigError:
        return None


@lru_cache(maxsize=4096)
def _zh_view(text: str, convert: bool = True) -> tuple[str, tuple[int, ...]]:
    """``text`` as matched: tags removed, whitespace between Chinese characters removed, converted to
    Simplified; with the offset in ``text`` of each character kept."""
    chars: list[str] = []
    where: list[int] = []
    tags = [(m.start(), m.end()) for m in TAG_RE.finditer(text)]
    t = 0
    i = 0
    n = len(text)
    while i < n:
        if t < len(tags) and tags[t][0] == i:
            i = tags[t][1]
            t += 1
            continue
        ch = text[i]
        if ch.isspace():
            j = i
            while j < n and text[j].isspace():
                j += 1
            prev = chars[-1] if chars else ""
            nxt = text[j] if j < n else ""
            if t < len(tags) and tags[t][0] == j:  # whitespace before a tag: look past it
                k = tags[t][1]
                nxt = text[k] if k < n else ""
            if not (_HAN.match(prev or " ") and _HAN.match(nxt or " ")):
                chars.extend(text[i:j])
                where.extend(range(i, j))
            i = j
            continue
        chars.append(ch)
        where.append(i)
        i += 1
    view = "".join(chars)
    if convert and _HAN.search(view):
        simple = _t2s_or_none(view)
        if simple is not None and len(simple) == len(view):
            view = simple
        elif simple is not None:  # a phrase conversion changed the length: convert character by character
            out = []
            for ch in view:
                c = _t2s_or_none(ch) or ch
                out.append(c if len(c) == 1 else ch)
            view = "".join(out)
    return view, tuple(where)


class _ZhTrie:
    END = "\0"

    def __init__(self, terms: list[Term]) -> None:
        self.root: dict[str, Any] = {}
        for rank, term in enumerate(terms):
            for key in _zh_keys(term):
                node = self.root
                for ch in key:
                    node = node.setdefault(ch, {})
                node[self.END] = (rank, term)  # a later term with the same form wins

    def candidates(self, text: str) -> list[_Candidate]:
        view, where = _zh_view(text)
        cands: list[_Candidate] = []
        for i in range(len(view)):
            node = self.root
            j = i
            while j < len(view) and view[j] in node:
                node = node[view[j]]
                j += 1
                hit = node.get(self.END)
                if hit is not None:
                    cands.append((where[i], where[j - 1] + 1, j - i, hit[0], hit[1]))
        return cands


def _zh_keys(term: Term) -> list[str]:
    """The Chinese forms a term is found by: ``zh``, the explicit ``zh_hant`` and its Simplified form."""
    keys = []
    for form in (term.zh, term.zh_hant):
        if form and form not in keys:
            keys.append(form)
    if term.zh_hant:
        simple = _t2s_or_none(term.zh_hant)
        if simple and simple not in keys:
            keys.append(simple)
    return keys


def _zh_spans(text: str, forms: list[str]) -> list[tuple[int, int]]:
    view, where = _zh_view(text)
    spans = []
    for form in dict.fromkeys(forms):
        key, _ = _zh_view(form)
        if not key:
            continue
        start = view.find(key)
        while start >= 0:
            spans.append((where[start], where[start + len(key) - 1] + 1))
            start = view.find(key, start + 1)
    return spans


# ---------------------------------------------------------------------------
# Public API


def find_terms(text: str, language: str, glossary: Glossary) -> list[TermMatch]:
    """The glossary terms in ``text`` (``language``: ``ru``, ``zh`` or ``zh-hant``): non-overlapping,
    the longest match first, returned in text order. Russian by lemma, Chinese over a trie after
    Traditional -> Simplified normalisation (see the module docstring)."""
    lang = normalize_term_language(language)
    if not text or not glossary:
        return []
    index: _RuIndex | _ZhTrie
    if lang == "ru":
        index = glossary.cached("ru-index", lambda: _RuIndex(glossary.terms))
    else:
        index = glossary.cached("zh-trie", lambda: _ZhTrie(glossary.terms))
    return _select(index.candidates(text), text)


def target_forms(term: Term, language: str) -> list[str]:
    """Every surface form a translation may use for ``term`` in ``language``.

    Russian: the glossary form first, then every case (nominative, genitive, dative, accusative,
    instrumental, prepositional) in the singular, then the plural, adjectives agreeing with their
    head noun, capitalisation as in the glossary; abbreviations, Latin and indeclinable words
    stay as they are (see :mod:`.morph`). Chinese: ``[zh]``; Traditional: ``[zh_hant or s2t(zh)]``.
    No duplicates; empty when the term has no form in ``language``."""
    lang = normalize_term_language(language)
    form = term.text(lang)
    if not form:
        return []
    if lang != "ru":
        return [form]
    return list(paradigm(form, term.pos))


def target_present(text: str, term: Term, language: str) -> bool:
    """Whether the translation ``text`` renders ``term`` in ``language`` in an acceptable form
    (Russian: by lemma, so any inflection counts; Chinese: Traditional and Simplified alike).
    A term without a form in ``language`` is never present."""
    lang = normalize_term_language(language)
    if not text:
        return False
    if lang == "ru":
        return bool(term.ru and _ru_spans(text, term.ru, term.case_sensitive, term.pos))
    forms = [f for f in (term.zh, term.zh_hant) if f]
    if not forms:
        return False
    if any(f in text for f in forms):
        return True
    return bool(_zh_spans(text, forms))


def forbidden_present(text: str, term: Term, language: str) -> list[str]:
    """The forbidden variants of ``term`` found in ``text`` (in glossary order).

    Variants with Cyrillic letters are found by lemma (so inflected forms count), Chinese ones
    after Traditional -> Simplified normalisation, others (Latin) as whole words ignoring case.
    An occurrence inside the accepted rendering of the term itself does not count."""
    normalize_term_language(language)
    if not term.forbidden or not text:
        return []
    allowed: list[tuple[int, int]] | None = None
    found = []
    for variant in term.forbidden:
        if _CYRILLIC.search(variant):
            spans = _ru_spans(text, variant)
        elif _HAN.search(variant):
            spans = _zh_spans(text, [variant])
        else:
            spans = [m.span() for m in re.finditer(rf"(?<!\w){re.escape(variant)}(?!\w)", text, re.IGNORECASE)]
        if not spans:
            continue
        if allowed is None:
            allowed = _allowed_spans(text, term)
        if any(not any(a <= s and e <= b for a, b in allowed) for s, e in spans):
            found.append(variant)
    return found


def _allowed_spans(text: str, term: Term) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    if term.ru:
        spans += _ru_spans(text, term.ru, term.case_sensitive, term.pos)
    forms = [f for f in (term.zh, term.zh_hant) if f]
    if forms:
        spans += _zh_spans(text, forms)
    return spans


#: The glossary whose terms are in jieba's dictionary now, and how to take them out again.
_IN_JIEBA: dict[str, Any] = {"key": None, "journal": [], "total": None}


def register_jieba_terms(glossary: Glossary | None) -> int:
    """Add the glossary's Chinese forms (Simplified and Traditional) to jieba's dictionary so that
    word segmentation (line breaking among others) keeps them whole. Returns how many were added.
    Loads jieba (about a second, once).

    jieba's dictionary is one per process: only one glossary's terms are in it at a time. Registering
    another glossary (or ``None``) first takes the previous one's out, so that one job's terms never
    change how another job's text is cut (a studio's process translating film after film)."""
    from ..lang.chinese import cut, jieba_tokenizer, tagged, to_traditional

    key = glossary.hash if glossary else None
    if key == _IN_JIEBA["key"]:
        return 0
    jieba = jieba_tokenizer()
    for word, before in reversed(_IN_JIEBA["journal"]):
        if before is None:
            jieba.FREQ.pop(word, None)
        else:
            jieba.FREQ[word] = before
    if _IN_JIEBA["total"] is not None:
        jieba.total = _IN_JIEBA["total"]
    _IN_JIEBA.update(key=key, journal=[], total=jieba.total)
    added = 0
    for term in (glossary.terms if glossary else ()):
        forms = [term.zh, term.zh_hant]
        if term.zh and not term.zh_hant:
            try:
                forms.append(to_traditional(term.zh))
            except ConfigError:
                pass
        for form in dict.fromkeys(f for f in forms if f and len(f) > 1 and _HAN.search(f)):
            _IN_JIEBA["journal"].extend((form[:k], jieba.FREQ.get(form[:k])) for k in range(len(form), 0, -1))
            jieba.add_word(form)
            added += 1
    cut.cache_clear()  # segmentations cached before the words came or went
    tagged.cache_clear()
    return added
