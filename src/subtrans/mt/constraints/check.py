"""Checking terms in an output, and placing one by hand: pure and light (no torch).

A *term* is a list of alternative surface strings, any one of which satisfies
it. :func:`missing_terms` says which terms an output lacks, so the pipeline
and the QA rules can use it; :func:`insert_term` is the last-resort repair.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Sequence

__all__ = ["term_present", "missing_terms", "count_occurrences", "check_constraints", "insert_term", "spaced",
           "join_term", "MECHANISMS", "WORD_MARK", "MAX_SPELLING", "FINAL_PUNCT", "CYRILLIC"]

#: What :attr:`HFBackend.last_enforcement` can hold per term, best first.
MECHANISMS = ("free", "constrained", "repaired", "appended", "skipped")
#: SentencePiece's word-boundary marker (U+2581).
WORD_MARK = "\u2581"
#: Spellings longer than this many tokens are ignored (the processor keeps them as bits of an int64).
MAX_SPELLING = 62

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
FINAL_PUNCT = ".!?…。！？‼⁇⁈⁉"
_LETTERS = "0-9A-Za-z\u00c0-\u024f\u0400-\u04ff"  # what a Russian word cannot be glued to (a lemma check
                                                    # reads «Москва1927» as one unknown word)
_CLOSERS = "\"'»”’)]）」』】》〉"
_TAIL = re.compile(rf"[\s{re.escape(FINAL_PUNCT + _CLOSERS)}]*$")
_OPENERS = "«“„\"'([（「『【《〈"


def _alternatives(term: Sequence[str]) -> list[str]:
    return [a for a in term if isinstance(a, str) and a.strip()]


def term_present(output: str, term: Sequence[str], *, whole_words: bool = False) -> bool:
    """Whether one of the alternatives of ``term`` occurs in ``output``.

    A plain substring test; an alternative with Cyrillic letters also matches
    case-insensitively ("красная армия" satisfies "Красная армия"). With
    ``whole_words``, an alternative that begins or ends with a letter must
    not be glued to other Cyrillic or Latin letters there ("Пекинитать" is
    not "Пекин"): how a lemma-based check sees a Russian translation, so
    offer every case form as an alternative.
    """
    folded = None
    for alt in _alternatives(term):
        cyrillic = bool(CYRILLIC.search(alt))
        if whole_words:
            if _whole_word(alt, cyrillic).search(output):
                return True
            continue
        if alt in output:
            return True
        if cyrillic:
            if folded is None:
                folded = output.casefold()
            if alt.casefold() in folded:
                return True
    return False


@functools.lru_cache(maxsize=4096)
def _whole_word(alt: str, ignore_case: bool) -> "re.Pattern[str]":
    head = rf"(?<![{_LETTERS}])" if alt[:1].isalpha() else ""
    tail = rf"(?![{_LETTERS}])" if alt[-1:].isalpha() else ""
    return re.compile(head + re.escape(alt) + tail, re.IGNORECASE if ignore_case else 0)


def missing_terms(output: str, terms: Sequence[Sequence[str]], *, whole_words: bool = False) -> list[int]:
    """Indexes of the terms none of whose alternatives occurs in ``output`` (see :func:`term_present`).

    >>> missing_terms("Мы едем в Харбин.", [["Харбин", "Харбина"], ["Красная армия", "Красной армии"]])
    [1]
    """
    return [i for i, term in enumerate(terms) if not term_present(output, term, whole_words=whole_words)]


def count_occurrences(output: str, term: Sequence[str]) -> int:
    """How many times ``term`` occurs in ``output``: non-overlapping matches of any alternative.

    Longer alternatives are matched first, so "Харбина" counts once, not also
    as "Харбин"; Cyrillic alternatives match case-insensitively.
    """
    alts = sorted({a for a in _alternatives(term)}, key=len, reverse=True)
    if not alts:
        return 0
    flags = re.IGNORECASE if any(CYRILLIC.search(a) for a in alts) else 0
    return len(re.findall("|".join(re.escape(a) for a in alts), output, flags))


def check_constraints(constraints: Any, count: int) -> list[list[tuple[str, ...]]]:
    """Validate the ``constraints`` argument of ``Backend.translate``; one list of terms per text.

    ``None`` means no terms. Otherwise a list with one entry per text, each
    ``None`` or a list of terms, each term a list (or tuple) of strings.
    Blank alternatives are dropped, and a term left with none is ignored.
    Raises TypeError / ValueError on a malformed argument (a programming error).
    """
    if constraints is None:
        return [[] for _ in range(count)]
    if isinstance(constraints, (str, bytes)) or not isinstance(constraints, Sequence):
        raise TypeError("constraints must be None or a list (one list of terms per text)")
    if len(constraints) != count:
        raise ValueError(f"constraints has {len(constraints)} entries for {count} texts: give one list of terms "
                         f"per text (an empty list for none)")
    out: list[list[tuple[str, ...]]] = []
    for n, entry in enumerate(constraints):
        if entry is None:
            out.append([])
            continue
        if isinstance(entry, (str, bytes)) or not isinstance(entry, Sequence):
            raise TypeError(f"constraints[{n}] must be a list of terms, got {type(entry).__name__}")
        terms: list[tuple[str, ...]] = []
        for m, term in enumerate(entry):
            if isinstance(term, (str, bytes)) or not isinstance(term, Sequence):
                raise TypeError(f"constraints[{n}][{m}] must be a list of alternative strings (a term), "
                                f"got {type(term).__name__}: wrap a single string as [{term!r}]")
            if not all(isinstance(a, str) for a in term):
                raise TypeError(f"constraints[{n}][{m}]: every alternative must be a string")
            alts = tuple(dict.fromkeys(a.strip() for a in term if a.strip()))
            if alts:
                terms.append(alts)
        out.append(terms)
    return out


def spaced(language: str) -> bool:
    """Whether words of ``language`` are separated by spaces (Russian yes, Chinese no)."""
    return not language.startswith("zh")


def join_term(prefix: str, term: str, language: str) -> str:
    prefix = prefix.rstrip()
    if not prefix:
        return term
    if spaced(language) and prefix[-1] not in _OPENERS:
        return prefix + " " + term
    return prefix + term


def insert_term(text: str, term: str, language: str) -> str:
    """``text`` with ``term`` inserted before its final punctuation (the last-resort repair)."""
    text = text.strip()
    tail_match = _TAIL.search(text)
    assert tail_match is not None  # (the pattern matches the empty string at the end)
    cut = tail_match.start()
    head, tail = text[:cut], text[cut:].strip()
    return join_term(head, term, language) + tail
