"""One batch decoded with terms by transformers: the processor first, then verification and repair."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from .check import insert_term, missing_terms, spaced, term_present
from .cuts import choose_cut, cut_options, head_with_term
from .processor import TermLogitsProcessor
from .spelling import SpelledTerm, TermSpeller

__all__ = ["ConstraintOptions", "TermDecoding"]


@dataclass(frozen=True)
class ConstraintOptions:
    """Knobs of term enforcement (the defaults are what the backend uses).

    ``bias``: added to the score (log-probability in beam search, logit in
    greedy search) of the first token of each pending term; ``repeat_penalty``
    is subtracted from the first token of each completed term (against the
    source word translated a second time). ``processor``:
    use :class:`TermLogitsProcessor` (off: decode freely, then repair).
    ``repair``: the prefix repair (off: straight to the last resort).
    ``classify``: tell "free" from "constrained" (records each step's top
    choices; costs a little time and memory).
    """

    bias: float = 2.0
    repeat_penalty: float = 2.0
    processor: bool = True
    repair: bool = True
    classify: bool = True


@dataclass
class TermDecoding:
    """One batch decoded with terms: first pass with the processor, then verification and repair.

    Built by the backend: ``model`` (a transformers seq2seq model),
    ``encoded`` (its ``input_ids`` / ``attention_mask`` for the batch),
    ``generate_kwargs`` (``num_beams``, ``suppress_tokens``,
    ``forced_bos_token_id`` ...), ``decoder_prefix`` (decoder start token and
    any forced language token: what precedes the text in each output),
    ``budget`` (text tokens allowed per sentence), ``min_new_tokens``,
    ``eos_ids``, a :class:`TermSpeller`, ``language`` (the target, ``ru`` or
    ``zh``...) and ``max_positions`` (the decoder's limit, if any).
    """

    model: Any
    encoded: dict[str, Any]
    generate_kwargs: dict[str, Any]
    decoder_prefix: list[int]
    budget: int
    min_new_tokens: int
    eos_ids: list[int]
    speller: TermSpeller
    language: str
    options: ConstraintOptions = field(default_factory=ConstraintOptions)
    max_positions: int | None = None

    @property
    def _whole(self) -> bool:
        return spaced(self.language)

    def _present(self, text: str, term: Sequence[str]) -> bool:
        """The check the output must pass: whole words in Russian (as a lemma-based check reads it)."""
        return term_present(text, term, whole_words=self._whole)

    def _processor(self, terms: list[list[SpelledTerm]], max_lengths: list[int], record: bool = False) -> TermLogitsProcessor:
        return TermLogitsProcessor(
            terms, start=len(self.decoder_prefix), max_lengths=max_lengths, eos_ids=self.eos_ids,
            stop_ids=self.speller.stop_ids, bias=self.options.bias, repeat_penalty=self.options.repeat_penalty,
            glued_ids=self.speller.glued_ids if self._whole else (), record=record)

    def run(self, rows: list[list[tuple[str, ...]]]) -> tuple[list[str], list[list[str]]]:
        """Translations and, per row and term, the mechanism that put the term there."""
        import torch
        from transformers import LogitsProcessorList

        start = len(self.decoder_prefix)
        lead = start - 1
        spelled = [[self.speller.spell(term, self.language) for term in terms] for terms in rows]
        budgets = []
        for spelled_row in spelled:
            need = sum(t.min_length for t in spelled_row)
            b = max(self.budget, need)
            if self.max_positions:
                b = max(1, min(b, self.max_positions - start - 1))
            budgets.append(b)
        top = max(budgets)
        kwargs = dict(self.generate_kwargs)
        processor = None
        if self.options.processor:
            processor = self._processor(spelled, [start + b for b in budgets], record=self.options.classify)
            kwargs["logits_processor"] = LogitsProcessorList([processor])
        with torch.inference_mode():
            sequences = self.model.generate(**self.encoded, max_new_tokens=top + lead,
                                            min_new_tokens=self.min_new_tokens, **kwargs)
            own = processor.own_choices(sequences) if processor is not None and self.options.classify else None
            texts: list[str] = []
            how: list[list[str]] = []
            for i, terms in enumerate(rows):
                seq = sequences[i].tolist()
                text = self.speller.decode(seq)
                labels = [""] * len(terms)
                where: dict[int, list[int]] = {}  # token -> its positions in the output
                for j in range(start, self._end(seq, start)):
                    where.setdefault(seq[j], []).append(j)
                own_row = own[i].tolist() if own is not None else None
                for k in range(len(terms)):
                    if self._present(text, terms[k]):
                        labels[k] = self._classify(seq, where, own_row, spelled[i][k], free_default=processor is None)
                for k in missing_terms(text, terms, whole_words=self._whole):
                    if self._present(text, terms[k]):  # the repair of an earlier term brought it in
                        continue
                    fixed = self._repair(i, seq, text, terms, spelled[i], k, budgets[i]) \
                        if self.options.repair else None
                    if fixed is None:
                        continue
                    seq, text, head = fixed
                    for j in range(len(terms)):
                        # term k, and the terms the repair cut off and generated again, count as repaired
                        if j == k or (labels[j] and not self._present(head, terms[j])):
                            labels[j] = "repaired"
                for k in range(len(terms)):
                    if not self._present(text, terms[k]):  # last resort
                        text = insert_term(text, terms[k][0], self.language)
                        labels[k] = "appended"
                    elif not labels[k]:
                        labels[k] = "repaired"
                texts.append(text.strip())
                how.append(labels)
        return texts, how

    # -- helpers ---------------------------------------------------------------------------

    def _end(self, seq: list[int], start: int) -> int:
        """Index one past the last text token of ``seq`` (before the first EOS after ``start``)."""
        eos = set(self.eos_ids)
        for j in range(start, len(seq)):
            if seq[j] in eos:
                return j
        return len(seq)

    @staticmethod
    def _classify(seq: list[int], where: dict[int, list[int]], own: list[bool] | None, term: SpelledTerm, *,
                  free_default: bool) -> str:
        """``free`` if an occurrence of the term was all the model's own choices, else ``constrained``
        (``where``: the output's text positions of each token)."""
        if own is None:
            return "free" if free_default else "constrained"
        found = False
        for s in term.spellings:
            n = len(s.tokens)
            for j in where.get(s.tokens[0], ()):
                if tuple(seq[j:j + n]) == s.tokens:
                    found = True
                    if all(own[j:j + n]):
                        return "free"
        return "constrained" if found else "free"

    def _repair(self, i: int, seq: list[int], text: str, terms: list[tuple[str, ...]], spelled: list[SpelledTerm],
                k: int, budget: int) -> tuple[list[int], str, str] | None:
        """Cut the output where the model most expects term ``k``, append it, let the model finish.

        Returns (sequence, text, the forced prefix as text), or None when the term cannot be spelled back or
        the result lost another term.
        """
        import torch
        from transformers import LogitsProcessorList

        start = len(self.decoder_prefix)
        end = self._end(seq, start)
        gen = seq[start:end]
        cuts = cut_options(self.speller, self.language, self.decoder_prefix, gen, text, terms, k, spelled[k])
        enc = {key: v[i:i + 1] for key, v in self.encoded.items()}
        device = self.model.device
        logp = None
        if cuts.options:  # one teacher-forced pass scores every cut point
            dec = torch.tensor([self.decoder_prefix + gen[:cuts.last]], dtype=torch.long, device=device)
            table = torch.log_softmax(self.model(**enc, decoder_input_ids=dec).logits[0].float(), -1)
            logp = lambda position, token: float(table[position - 1, token])  # noqa: E731
        p, alt = choose_cut(cuts, terms[k], logp, start)
        head = head_with_term(self.speller, self.language, self.decoder_prefix, gen, p, alt)
        ids = list(self.speller.encode(head))
        forced = self.decoder_prefix + ids
        if not self._present(self.speller.decode(forced), terms[k]):
            return None
        # the processor enforces the terms the prefix lacks, and watches the forced one when it can see it
        # (no letters glued on, no second copy)
        watch = [j for j in range(len(terms)) if j != k and not self._present(head, terms[j])] \
            if self.options.processor else []
        if any(tuple(ids[-len(sp.tokens):]) == sp.tokens for sp in spelled[k].spellings):
            watch.append(k)
        room = budget - len(ids)
        if self.max_positions:
            room = min(room, self.max_positions - len(forced) - 1)
        if room > 0:
            kwargs = dict(self.generate_kwargs)
            if watch:
                kwargs["logits_processor"] = LogitsProcessorList(
                    [self._processor([[spelled[j] for j in watch]], [start + budget])])
            out = self.model.generate(**enc, decoder_input_ids=torch.tensor([forced], device=device),
                                      max_new_tokens=room, **kwargs)
            new_seq = out[0].tolist()
        else:
            new_seq = forced
        new_text = self.speller.decode(new_seq)
        if not self._present(new_text, terms[k]):
            return None
        if any(self._present(text, terms[j]) and not self._present(new_text, terms[j]) for j in range(len(terms))):
            return None
        return new_seq, new_text, head
