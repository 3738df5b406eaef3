"""Terms that must appear in a translation: checking them, and enforcing them while decoding.

A *term* is a list of alternative surface strings, any one of which satisfies
it: every case and number form of a Russian term (the glossary form first), or
one Chinese string. :func:`missing_terms` says which terms an output lacks; it
is pure and light (no torch), so the pipeline and the QA rules can use it.

Enforcement (used by the ``hf`` backend, for any seq2seq model) has three
layers and a last resort, recorded per term as the *mechanism* that put it in
the output:

``free``
    the model produced the term on its own: every token of it was the
    hypothesis' top choice before any intervention.
``constrained``
    :class:`TermLogitsProcessor` steered decoding: it tracks, per hypothesis
    and per step, which terms are complete and whether the prefix ends inside
    a started spelling; it forces the continuation of a started term, forbids
    end-of-sentence while terms are pending, adds a bias to the first token of
    pending terms, and forces a term to start when the model wants to stop
    (its top choice is end-of-sentence or sentence-final punctuation) or when
    the remaining length budget just fits the pending terms. It also
    penalises writing a completed term again and, in Russian, gluing letters
    onto a completed term.
``repaired``
    the decoded text still lacked the term (checked as whole words in
    Russian; a tokenisation round trip that differs ...): the output is cut where
    the model gives the term's first token the highest probability (one
    teacher-forced pass), the term is appended to that prefix, and the model
    completes the sentence from the forced decoder prefix.
``appended``
    last resort, string level: the term is inserted before the final
    punctuation. It always succeeds, so a term is present whenever the input
    is not empty; the pipeline should report these (they are often badly
    placed, and the model's own rendering of the source word remains).

``skipped`` marks the terms of an empty input (its translation is "").

The modules, by mechanism: :mod:`.check` (is a term there; the last
resort), :mod:`.spelling` (terms as token sequences), :mod:`.processor`
(the logits processor), :mod:`.decoding` (a batch decoded by transformers with
terms), :mod:`.repair` (repair after decoding, for CTranslate2), and
:mod:`.cuts`, the one search for where a missing term goes that both repairs
use. The design, its failure modes and measured costs: ``docs/constraints.md``;
the benchmark: ``bench/constraints.py``.
"""

from __future__ import annotations

from .check import (MECHANISMS, WORD_MARK, check_constraints, count_occurrences, insert_term, missing_terms,
                    term_present)
from .decoding import ConstraintOptions, TermDecoding
from .processor import TermLogitsProcessor
from .repair import PrefixRepair
from .spelling import SpelledTerm, Spelling, TermSpeller

__all__ = [
    "missing_terms", "term_present", "count_occurrences", "check_constraints", "insert_term",
    "ConstraintOptions", "Spelling", "SpelledTerm", "TermSpeller", "TermLogitsProcessor", "TermDecoding",
    "PrefixRepair",
    "MECHANISMS", "WORD_MARK",
]
