"""A stand-in model that offers alternative translations, for the fitting tests (no torch).

:class:`FitBackend` translates like :class:`fake_backend.PseudoBackend`; its
``candidates`` are that translation (score ``BEST``) and shorter versions of
it, the first words or characters kept, each ``step`` lower in score than the
one before: the shortest is the least likely, as a real model would have it.
Glossary terms are kept in every candidate (put back before the final
punctuation, labelled ``appended``, when the cut removed them).
"""

from __future__ import annotations

import math

from fake_backend import PseudoBackend

from subtrans.mt.backends import Candidate
from subtrans.mt.constraints import insert_term, missing_terms

BEST = -1.0
_FINAL = "。！？.!?…"


def shorten(text: str, keep: float, target: str) -> str:
    """``text`` cut to about ``keep`` of its words (Russian) or characters (Chinese), final punctuation kept."""
    body = text.rstrip(_FINAL)
    tail = text[len(body):]
    if target.startswith("zh"):
        units, joiner = list(body), ""
    else:
        units, joiner = body.split(), " "
    kept = units[:max(1, math.ceil(len(units) * keep))]
    return (joiner.join(kept).rstrip("，, ") + tail).strip()


class FitBackend(PseudoBackend):
    name = "pseudo-fit"

    def __init__(self, step: float = 0.2, keeps=(0.75, 0.5, 0.25), **kw) -> None:
        super().__init__(**kw)
        self.step, self.keeps = step, keeps
        self.candidate_calls: list[list[str]] = []

    @property
    def candidate_sentences(self) -> int:
        return sum(len(c) for c in self.candidate_calls)

    def candidates(self, texts, *, source, target, n=4, beams=1, max_length=None, constraints=None):
        self.candidate_calls.append(list(texts))
        best = self.translate(texts, source=source, target=target, beams=beams, constraints=constraints)
        how = list(self.last_enforcement)
        out = []
        for k, text in enumerate(best):
            terms = constraints[k] if constraints else []
            if not text.strip():
                out.append([])
                continue
            labels = tuple(how[k]) if k < len(how) else ()
            cands = [Candidate(text, BEST, labels)]
            for j, keep in enumerate(self.keeps[:n - 1], 1):
                alt, alt_labels = shorten(text, keep, target), labels
                for m in missing_terms(alt, terms):
                    alt = insert_term(alt, terms[m][0], target)
                    alt_labels = alt_labels[:m] + ("appended",) + alt_labels[m + 1:]
                if alt not in {c.text for c in cands}:
                    cands.append(Candidate(alt, BEST - j * self.step, alt_labels))
            out.append(cands)
        return out
