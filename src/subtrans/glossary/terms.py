"""The glossary value types: :class:`Term` and :class:`Glossary`.

A term pairs a Russian form with a Simplified Chinese one (and optionally a
Traditional one). Either side may be missing only in a *blacklist* row: a
term that exists for its ``forbidden`` variants alone. Nothing here imports
anything heavy; Traditional Chinese is derived from Simplified with OpenCC on
first use (:meth:`Term.text`).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, TypeVar, cast

__all__ = ["Term", "Glossary", "normalize_term_language", "LANGUAGES"]

LANGUAGES = ("ru", "zh", "zh-hant")

_T = TypeVar("_T")

_HANT_CODES = {"zh-hant", "zh-tw", "zh-hk", "zh-mo"}


def normalize_term_language(language: str) -> str:
    """``ru``, ``zh`` (Simplified) or ``zh-hant`` from a language code.

    ``zh-Hans``, ``zh-CN``, ``zh-SG`` give ``zh``; ``zh-Hant``, ``zh-TW``,
    ``zh-HK``, ``zh-MO`` (and longer tags such as ``zh-Hant-TW``) give
    ``zh-hant``; ``ru-RU`` gives ``ru``. Anything else is a ``ValueError``.
    """
    code = (language or "").strip().lower().replace("_", "-")
    if code == "ru" or code.startswith("ru-"):
        return "ru"
    if code == "zh" or code.startswith("zh-"):
        parts = code.split("-")
        if "hant" in parts or "-".join(parts[:2]) in _HANT_CODES:
            return "zh-hant"
        return "zh"
    raise ValueError(f"unsupported glossary language {language!r}: use ru, zh or zh-hant")


@dataclass(frozen=True)
class Term:
    """One glossary entry.

    ``ru`` is the Russian form as written in the glossary (usually the
    nominative singular), ``zh`` the Simplified Chinese one, ``zh_hant`` an
    explicit Traditional form (``None``: derived from ``zh`` with OpenCC
    ``s2t``). ``forbidden`` holds variants, in any language, that must not
    appear in a translation. ``origin`` is ``"path:line"`` of the row or
    entry it came from.
    """

    ru: str | None
    zh: str | None
    zh_hant: str | None = None
    note: str = ""
    pos: str = ""
    case_sensitive: bool = False
    forbidden: tuple[str, ...] = ()
    origin: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.forbidden, tuple):  # a list from a caller: keep the value hashable
            object.__setattr__(self, "forbidden", tuple(self.forbidden))

    def text(self, language: str) -> str | None:
        """The term in ``language`` (``ru``, ``zh``, ``zh-hant``); ``zh-hant`` falls back to ``s2t(zh)``."""
        lang = normalize_term_language(language)
        if lang == "ru":
            return self.ru
        if lang == "zh":
            return self.zh
        if self.zh_hant:
            return self.zh_hant
        if not self.zh:
            return None
        from ..lang.chinese import to_traditional

        return to_traditional(self.zh)

    def key(self) -> tuple[str, str]:
        """What identifies the entry when glossaries merge: its Russian form (case-folded unless
        ``case_sensitive``, ё = е, spaces collapsed), its Chinese form for a Chinese-only row, its
        forbidden variants for a blacklist row."""
        if self.ru:
            return ("ru", self.ru if self.case_sensitive else fold(self.ru))
        if self.zh or self.zh_hant:
            return ("zh", squash(self.zh or self.zh_hant or ""))
        return ("forbidden", "|".join(self.forbidden))  # a blacklist row

    def targets(self) -> tuple[str | None, str | None]:
        """What a conflict compares: the other side(s) of the key."""
        if self.ru:
            return (self.zh, self.zh_hant)
        return (self.ru, None)

    def content(self) -> dict[str, Any]:
        """Everything but ``origin`` (what the glossary hash covers)."""
        return {"ru": self.ru, "zh": self.zh, "zh_hant": self.zh_hant, "note": self.note, "pos": self.pos,
                "case_sensitive": self.case_sensitive, "forbidden": list(self.forbidden)}


def squash(text: str) -> str:
    """NFC, whitespace runs collapsed to one space, stripped."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str) -> str:
    """:func:`squash`, case-folded, with ё written е (the comparison key of Russian text)."""
    return squash(text).casefold().replace("ё", "е")


@dataclass
class Glossary:
    """Terms from one or more files, merged (a later file wins), with the warnings of reading them."""

    terms: list[Term] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def hash(self) -> str:
        """A stable fingerprint of the content: the first 16 hex digits of a SHA-256 over the terms
        (sorted, origins left out, so moving or reordering a file keeps it); ``"none"`` when empty.
        It goes into cache keys and run signatures."""
        if not self.terms:
            return "none"
        rows = sorted(json.dumps(t.content(), ensure_ascii=False, sort_keys=True) for t in self.terms)
        return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()[:16]

    def cached(self, name: str, build: Callable[[], _T]) -> _T:
        """``build()``, remembered until the terms change (matchers keep their indexes here)."""
        stamp = (id(self.terms), len(self.terms), hash(tuple(self.terms)))
        hit = self._cache.get(name)
        if hit is not None and hit[0] == stamp:
            return cast(_T, hit[1])  # (what ``build`` returned for this name)
        value = build()
        self._cache[name] = (stamp, value)
        return value

    def __len__(self) -> int:
        return len(self.terms)

    def __bool__(self) -> bool:
        return bool(self.terms)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)
