"""Where a missing term goes: the one cut-point search both repairs use.

A decoded output lacks term ``k``. The output is cut at a token boundary, the
term is put there, and the model completes the sentence from that prefix. The
cut points run from the first one that keeps every term the output already
has up to the end of the text (before its final punctuation); in a language
written with spaces, only between words. At each cut point every alternative
of the term is a candidate through its first token, and the model's
log-probability of that token there (one teacher-forced pass over the output)
picks the best: the highest, ties going to the later cut, then to the earlier
alternative (the glossary's own form comes first).

:func:`cut_options` lists the candidates; :func:`choose_cut` picks one with a
``logp(position, token)`` callable; :func:`head_with_term` is the prefix that
the model then completes. The hf backend scores with transformers
(:mod:`.decoding`), the ct2 backend with CTranslate2 (:mod:`.repair`).
"""

from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

from .check import join_term, spaced, term_present
from .spelling import SpelledTerm, TermSpeller

__all__ = ["Cuts", "cut_options", "choose_cut", "head_with_term"]


class Cuts(NamedTuple):
    """The candidates for one missing term in one output."""

    gen: list[int]                          # the output's text tokens (no lead, no end-of-sentence)
    last: int                               # the last cut point: before the final punctuation
    options: list[tuple[int, int, str]]     # (cut point, first token of the term there, alternative)


def cut_options(speller: TermSpeller, language: str, lead_ids: Sequence[int], gen: list[int], text: str,
                terms: Sequence[Sequence[str]], k: int, spelled: SpelledTerm) -> Cuts:
    """The places and first tokens where term ``k`` may go into ``gen`` (decoded: ``text``)."""
    whole = spaced(language)
    last = len(gen)
    while last > 0 and speller.is_stop(gen[last - 1]):
        last -= 1
    present = [j for j in range(len(terms)) if j != k and term_present(text, terms[j], whole_words=whole)]
    first = 0
    if present:  # cut only after the terms the output already has
        first = next((p for p in range(last + 1)
                      if all(term_present(speller.decode(list(lead_ids) + gen[:p]), terms[j], whole_words=whole)
                             for j in present)), len(gen))
        if first > last:  # a term sits in the final punctuation?! keep everything
            first = last = len(gen)
    options: list[tuple[int, int, str]] = []
    seen: set[tuple[int, int]] = set()
    for p in range(first, last + 1):
        if whole and 0 < p < last and not speller.starts_word(gen[p]):
            continue  # Russian: cut only between words
        for alt in terms[k]:
            token = spelled.first_token(alt, glued=(not whole and p > 0))
            if token is not None and (p, token) not in seen:
                seen.add((p, token))
                options.append((p, token, alt))
    return Cuts(gen, last, options)


def choose_cut(cuts: Cuts, term: Sequence[str], logp: Callable[[int, int], float] | None,
               start: int) -> tuple[int, str]:
    """(cut point, alternative): the option whose first token the model expects most; ``logp(position,
    token)`` scores a token right after the first ``position`` tokens of lead + text (``start`` is the
    lead's length). With no option, the term goes before the final punctuation."""
    if not cuts.options or logp is None:
        return cuts.last, term[0]
    p, _, alt = max(cuts.options, key=lambda o: (logp(start + o[0], o[1]), o[0]))
    return p, alt


def head_with_term(speller: TermSpeller, language: str, lead_ids: Sequence[int], gen: list[int], p: int,
                   alt: str) -> str:
    """The output's first ``p`` text tokens with ``alt`` after them, as text."""
    return join_term(speller.decode(list(lead_ids) + gen[:p]), alt, language)
