"""Terms enforced after decoding, for an engine without logits processors (CTranslate2): :class:`PrefixRepair`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence, TypedDict

from .check import insert_term, spaced, term_present
from .cuts import choose_cut, cut_options, head_with_term
from .spelling import SpelledTerm, TermSpeller

__all__ = ["PrefixRepair"]


class _Row(TypedDict):
    """What :meth:`PrefixRepair.enforce` keeps about one output while repairing it."""

    row: int
    seq: list[int]
    text: str
    terms: list[tuple[str, ...]]
    budget: int
    labels: list[str]
    todo: list[int]
    spelled: list[SpelledTerm]


@dataclass
class PrefixRepair:
    """Terms enforced after decoding, for an engine without logits processors (CTranslate2).

    The engine is reached through two batched callables. ``score(requests)``
    takes ``(row, sequence)`` pairs (decoder token ids, ``lead_ids`` first)
    and returns, per pair, a function ``logp(position, token)``: the
    log-probability of ``token`` right after ``sequence[:position]`` (one
    teacher-forced pass over the sequence). ``complete(requests)`` takes
    ``(row, forced, room)`` triples and returns, per triple, the whole
    sequence the model decodes on from ``forced`` within ``room`` more tokens
    (for Russian, not gluing letters onto the forced term).
    ``lead_ids``: what precedes the text in every output (the forced
    language token, or nothing).

    :meth:`enforce` checks a batch of outputs: a missing term is put where the
    model gives its first token the highest probability among the cut points
    that keep the terms already there (between words in Russian), and the
    model completes the sentence from there (``repaired``); the last resort
    inserts it before the final punctuation (``appended``). A term the first
    output already had is ``free``. Rows are repaired together, one missing
    term per row per round: two engine calls a round, however many rows.
    """

    speller: TermSpeller
    language: str
    lead_ids: list[int]
    eos_ids: list[int]
    score: Callable[[list[tuple[int, list[int]]]], Sequence[Callable[[int, int], float]]]
    complete: Callable[[list[tuple[int, list[int], int]]], list[list[int]]]

    def spell(self, term: Sequence[str]) -> SpelledTerm:
        return self.speller.spell(term, self.language)

    def _present(self, text: str, term: Sequence[str]) -> bool:
        return term_present(text, term, whole_words=spaced(self.language))

    def enforce(self, rows: list[tuple[int, list[int], list[tuple[str, ...]], int]]) -> list[tuple[str, list[str]]]:
        """For each ``(row, sequence, terms, budget)``: the text with every term in it, and per term its
        mechanism."""
        state: list[_Row] = []
        for row, seq, terms, budget in rows:
            text = self.speller.decode(seq)
            labels = ["free" if self._present(text, t) else "" for t in terms]
            todo = [k for k in range(len(terms)) if not labels[k]]
            state.append(_Row(row=row, seq=seq, text=text, terms=terms, budget=budget, labels=labels, todo=todo,
                              spelled=[self.spell(t) for t in terms]))
        while True:
            plans: list[tuple[_Row, int]] = []
            for st in state:
                while st["todo"] and self._present(st["text"], st["terms"][st["todo"][0]]):
                    st["todo"].pop(0)  # brought in by the repair of another term
                if st["todo"]:
                    plans.append((st, st["todo"].pop(0)))
            if not plans:
                break
            self._round(plans)
        out = []
        for st in state:
            text, labels = st["text"], st["labels"]
            for k, term in enumerate(st["terms"]):
                if not self._present(text, term):
                    text = insert_term(text, term[0], self.language)
                    labels[k] = "appended"
                elif not labels[k]:
                    labels[k] = "repaired"
            out.append((text.strip(), labels))
        return out

    def _gen(self, seq: list[int]) -> list[int]:
        start, eos = len(self.lead_ids), set(self.eos_ids)
        end = next((j for j in range(start, len(seq)) if seq[j] in eos), len(seq))
        return seq[start:end]

    def _round(self, plans: list[tuple[_Row, int]]) -> None:
        scoring = [cut_options(self.speller, self.language, self.lead_ids, self._gen(st["seq"]), st["text"],
                               st["terms"], k, st["spelled"][k]) for st, k in plans]
        wanted = [i for i, cuts in enumerate(scoring) if cuts.options]
        scorers = self.score([(plans[i][0]["row"], self.lead_ids + scoring[i].gen[:scoring[i].last]) for i in wanted])
        scorer_of = dict(zip(wanted, scorers))
        start = len(self.lead_ids)
        jobs = []
        for i, ((st, k), cuts) in enumerate(zip(plans, scoring)):
            p, alt = choose_cut(cuts, st["terms"][k], scorer_of.get(i), start)
            head = head_with_term(self.speller, self.language, self.lead_ids, cuts.gen, p, alt)
            forced = self.lead_ids + list(self.speller.encode(head))
            if not self._present(self.speller.decode(forced), st["terms"][k]):
                continue
            jobs.append((st, k, head, forced, st["budget"] - (len(forced) - start)))
        runs = [j for j in jobs if j[4] > 0]
        completed = self.complete([(st["row"], forced, room) for st, _, _, forced, room in runs])
        done = {id(j): seq for j, seq in zip(runs, completed)}
        for job in jobs:
            st, k, head, forced, _ = job
            new_seq = done.get(id(job), forced)
            new_text = self.speller.decode(new_seq)
            terms = st["terms"]
            if not self._present(new_text, terms[k]):
                continue
            if any(self._present(st["text"], t) and not self._present(new_text, t) for t in terms):
                continue  # the repair lost a term the output had
            st["seq"], st["text"] = new_seq, new_text
            for j in range(len(terms)):
                # term k, and the terms the repair cut off and that came back, count as repaired
                if j == k or (st["labels"][j] and not self._present(head, terms[j])):
                    st["labels"][j] = "repaired"
