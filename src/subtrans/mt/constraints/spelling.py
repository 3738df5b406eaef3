"""Terms spelled in a tokenizer's tokens: every token sequence an alternative may appear as."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .check import CYRILLIC, FINAL_PUNCT, MAX_SPELLING, WORD_MARK, spaced, term_present

__all__ = ["Spelling", "SpelledTerm", "TermSpeller"]


@dataclass(frozen=True)
class Spelling:
    """One token sequence that spells an alternative of a term.

    ``force``: the processor may force or bias it (otherwise it only counts
    as the term being present). ``weak``: its first token is the bare
    word-boundary piece, which starts many words, so it is forced only after
    the processor itself started it.
    """

    tokens: tuple[int, ...]
    text: str
    force: bool = True
    weak: bool = False
    word: bool = True   # the first token starts a word (carries the word-boundary mark)


@dataclass(frozen=True)
class SpelledTerm:
    """A term and every token sequence it may appear as."""

    alternatives: tuple[str, ...]
    spellings: tuple[Spelling, ...] = ()

    @functools.cached_property
    def forceable(self) -> bool:
        return any(s.force for s in self.spellings)

    @functools.cached_property
    def min_length(self) -> int:
        """Tokens needed for the shortest forceable spelling (0 if it has none)."""
        return min((len(s.tokens) for s in self.spellings if s.force), default=0)

    def first_token(self, alternative: str, *, glued: bool) -> int | None:
        """The first token of ``alternative`` starting a word (``glued`` False) or following text directly;
        the other kind when there is no such spelling, None when it cannot be forced at all."""
        fallback = None
        for s in self.spellings:
            if s.text == alternative and s.force:
                if s.word != glued:
                    return s.tokens[0]
                if fallback is None:
                    fallback = s.tokens[0]
        return fallback


class TermSpeller:
    """Turns terms into target-side token sequences for one tokenizer.

    ``encode(text) -> ids`` must tokenise as the decoder's output is
    tokenised (target mode, no special tokens); ``decode(ids) -> text`` as
    the backend decodes outputs. Each alternative is spelled as the
    tokenizer writes it standalone (a word start: SentencePiece's "▁"), and,
    when that starts with "▁", glued to preceding text (the first piece
    without "▁", re-segmented by longest match in the vocabulary). In a
    language written with spaces (Russian) the word-start spelling is forced
    and the glued one only detected; in Chinese both are forced. For
    Cyrillic alternatives the first letter's other case is detected too. A
    spelling containing an unusable token (unknown, special) or that does not
    decode back to its alternative is dropped: a term with no spelling left
    cannot be forced and goes to the repair path.
    """

    def __init__(self, tokenizer: Any, encode: Callable[[str], list[int]], decode: Callable[[list[int]], str],
                 unusable_ids: set[int] | frozenset[int] = frozenset()) -> None:
        self.encode = encode
        self.decode = decode
        vocab = tokenizer.get_vocab()
        self._vocab: dict[str, int] = vocab
        self._pieces: dict[int, str] = {i: p for p, i in vocab.items()}
        unusable = set(unusable_ids)
        if getattr(tokenizer, "unk_token_id", None) is not None:
            unusable.add(tokenizer.unk_token_id)
        self._unusable = frozenset(unusable)
        self._longest = min(32, max((len(p) for p in vocab), default=1))
        stops = []
        for piece, i in vocab.items():
            bare = piece.replace(WORD_MARK, "")
            if bare and all(c in FINAL_PUNCT for c in bare) and i not in self._unusable:
                stops.append(i)
        #: Tokens that end a sentence (".", "。", "?" ...): the model wanting one while terms are pending
        #: makes the processor start a term.
        self.stop_ids: tuple[int, ...] = tuple(sorted(stops))
        self._stop_set = frozenset(stops)
        self._cache: dict[tuple[tuple[str, ...], str], SpelledTerm] = {}

    def piece(self, token: int) -> str:
        return self._pieces.get(token, "")

    @functools.cached_property
    def glued_ids(self) -> tuple[int, ...]:
        """Tokens that continue the current word with a letter or digit (no "▁" or byte-level "Ġ", a letter
        or digit first): after a completed Russian term they would glue onto it ("Пекин" + "итать")."""
        byte_level = WORD_MARK not in "".join(list(self._vocab)[:2000]) and any(p.startswith("\u0120") for p in self._vocab)
        first = _byte_level_first if byte_level else (lambda p: "" if p.startswith(WORD_MARK) else p[:1])
        return tuple(sorted(i for p, i in self._vocab.items() if p and first(p).isalnum() and i not in self._unusable))

    def starts_word(self, token: int) -> bool:
        return self.piece(token).startswith(WORD_MARK)

    def is_stop(self, token: int) -> bool:
        """Whether ``token`` is sentence-final punctuation."""
        return token in self._stop_set

    def spell(self, term: Sequence[str], language: str) -> SpelledTerm:
        """Every spelling of every alternative of ``term`` in the target language ``language``."""
        key = (tuple(term), language)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        words_spaced = spaced(language)
        found: dict[tuple[int, ...], Spelling] = {}

        def add(tokens: list[int] | None, text: str, force: bool) -> None:
            if not tokens or len(tokens) > MAX_SPELLING or any(t in self._unusable for t in tokens):
                return
            if not term_present(self.decode(list(tokens)), [text]):
                return
            tokens_t = tuple(tokens)
            weak = self.piece(tokens_t[0]) == WORD_MARK
            if weak and not words_spaced:
                force = False  # Chinese: the glued spelling covers it
            old = found.get(tokens_t)
            if old is None or (force and not old.force):
                found[tokens_t] = Spelling(tokens_t, text, force, weak, self.starts_word(tokens_t[0]))

        for alt in term:
            forms = [(alt, True)]
            if CYRILLIC.search(alt) and alt[:1].isalpha():  # sentence-initial capital, or not: detect both
                other = alt[:1].lower() + alt[1:] if alt[:1].isupper() else alt[:1].upper() + alt[1:]
                if other != alt:
                    forms.append((other, False))
            for text, force in forms:
                ids = list(self.encode(text))
                add(ids, alt if force else text, force)
                if ids and self.piece(ids[0]).startswith(WORD_MARK):
                    add(self._glue(ids), alt if force else text, force and not words_spaced)
        spelled = SpelledTerm(tuple(term), tuple(found.values()))
        self._cache[key] = spelled
        return spelled

    def _glue(self, ids: list[int]) -> list[int] | None:
        """``ids`` without the word-boundary mark on the first piece (the term glued to what precedes it)."""
        rest = self.piece(ids[0])[len(WORD_MARK):]
        if not rest:
            return ids[1:] or None
        out: list[int] = []
        i = 0
        while i < len(rest):
            for j in range(min(len(rest), i + self._longest), i, -1):
                t = self._vocab.get(rest[i:j])
                if t is not None and t not in self._unusable:
                    out.append(t)
                    i = j
                    break
            else:
                return None
        return out + ids[1:]


@functools.lru_cache(maxsize=1)
def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level alphabet (a printable character per byte) read back to bytes."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def _byte_level_first(piece: str) -> str:
    """The first character a byte-level BPE piece writes ("" for a word start, "Ġ..."); a piece that
    starts inside a Cyrillic letter's bytes counts as a letter ("а")."""
    table = _byte_decoder()
    raw = bytes(table[c] for c in piece if c in table)
    if not raw or raw[:1] == b" ":
        return ""
    text = raw.decode("utf-8", errors="ignore")
    if text:
        return text[0]
    return "а" if 0x80 <= raw[0] <= 0xD4 else ""
