"""Russian grammar from pymorphy3, loaded on first use, once, thread-safely.

- :func:`analyzer`: the shared ``pymorphy3.MorphAnalyzer`` (glossary matching uses it too);
- :func:`person_parts`: which parts of a person's name a capitalised word can be
  (``Name``, ``Patr``, ``Surn``), so that line and cue breaks keep «Иван Петрович
  Сидоров» together;
- :func:`relation` and :func:`is_verb`: how two neighbouring words are related
  (an adjective and its noun, a subject and its verb ...), which line breaking
  scores.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from .._install import install_hint
from ..errors import ConfigError

__all__ = ["analyzer", "person_parts", "relation", "is_verb"]

_LOCK = threading.Lock()
_MORPH: Any = None
_PERSON = ("Name", "Patr", "Surn")


def analyzer() -> Any:
    """The shared pymorphy3 MorphAnalyzer (about 0.1-0.3 s to build, built once)."""
    global _MORPH
    if _MORPH is None:
        with _LOCK:
            if _MORPH is None:
                try:
                    import pymorphy3
                except ImportError:
                    raise ConfigError("Russian grammar needs pymorphy3, which is not installed",
                                      hint=install_hint("glossary") + ", or the mt extra") from None
                _MORPH = pymorphy3.MorphAnalyzer()
    return _MORPH


@lru_cache(maxsize=16384)
def person_parts(word: str) -> frozenset[str]:
    """The parts of a person's name ``word`` can be, by pymorphy3's likelier parses (empty if none)."""
    parses = analyzer().parse(word)
    if not parses:
        return frozenset()
    top = parses[0].score
    return frozenset(g for p in parses if p.score >= top / 4 for g in _PERSON if g in p.tag)


@lru_cache(maxsize=16384)
def relation(left: str, right: str) -> str | None:
    """How two neighbouring words are related, as far as a line break between them is concerned:

    ``agree``: an adjective and the noun it agrees with («главного входа»); ``genitive``: a noun and
    the genitive phrase that completes it («Министерстве иностранных»); ``pronoun``: a subject pronoun
    and its verb («он читал»): Netflix says never to separate these. ``subject``: a noun or name in the
    nominative and its verb («Чайковский написал»), a natural place for a break. None otherwise.
    """
    morph = analyzer()
    lp, rp = _likely(morph.parse(left)), _likely(morph.parse(right))
    if not lp or not rp:
        return None
    if any(a.POS in ("ADJF", "PRTF") and n.POS == "NOUN" and a.case == n.case and a.number == n.number
           for a in lp for n in rp):
        return "agree"
    top_l, top_r = lp[0], rp[0]
    if top_l.POS == "NPRO" and top_l.case == "nomn" and top_r.POS == "VERB":
        return "pronoun"
    if top_l.POS == "NOUN" and top_l.case == "nomn" and top_r.POS == "VERB":
        return "subject"
    if top_l.POS == "NOUN" and top_r.POS in ("NOUN", "ADJF") and top_r.case == "gent" and right[:1].islower():
        return "genitive"
    return None


@lru_cache(maxsize=16384)
def is_verb(word: str) -> bool:
    """Whether ``word`` is most likely a verb (a verb keeps the preposition it governs: «приехать к»)."""
    parses = _likely(analyzer().parse(word))
    return bool(parses) and parses[0].POS in ("VERB", "INFN")


def _likely(parses: list[Any]) -> list[Any]:
    """The tags of the parses at least a quarter as likely as the best one."""
    if not parses:
        return []
    top = parses[0].score
    return [p.tag for p in parses if p.score >= top / 4]
