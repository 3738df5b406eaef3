"""Translation LLMs in transformers: decoder-only models asked by their family's prompt.

The ``hf`` backend loads this class for a decoder-only model (``ModelSpec.decoder_only``: Hy-MT,
TranslateGemma, Seed-X, Qwen3). Each sentence becomes its family's prompt (:mod:`subtrans.mt.prompts`,
rendered with the model's chat template); the batch is left-padded so that every row's continuation
starts at the same position, and ``generate`` decodes only the continuation, with the KV cache, greedy
or beam search as configured, until the end-of-turn token. The output is cleaned of what is not a
translation (a ``Translation:`` label, a second paragraph of notes, a ``<think>`` block), and
``last_cleaned`` says per text what was removed.

Terms are guaranteed exactly as for the sequence-to-sequence models: the same
:class:`~subtrans.mt.constraints.TermDecoding` (logits processor, prefix repair, last resort) runs on
a *view* of the model (:class:`_Continuation`) that shows the prompt as an encoder input and the
continuation as a decoder sequence, and the family's terminology prompt (Hy-MT) lets the model plan
for them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence, cast

from ...errors import ModelError
from ..catalog import ModelSpec, check_weights, folder_revision
from ..constraints import ConstraintOptions, check_constraints
from .base import Backend, Candidate, best_and_others
from .tokens import Tokens, first_line

if TYPE_CHECKING:  # pragma: no cover
    from types import SimpleNamespace

    import torch

__all__ = ["HFCausalBackend", "Prompted", "prompt_for"]

_THINK = re.compile(r"<think>.*?</think>", re.S)
_LABEL = re.compile(r"^\s*(?:translation|перевод|译文|翻译|翻譯|譯文)\s*[:：]\s*", re.I)


class _Shifted:
    """A logits processor that sees the continuation only (as the decoder sequence of a seq2seq model)."""

    def __init__(self, inner: Any, offset: int) -> None:
        self.inner, self.offset = inner, offset

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> Any:
        return self.inner(input_ids[:, self.offset:], scores)


class _Continuation:
    """A causal LM and a left-padded batch of prompts, shown as a seq2seq model to the term decoding.

    The "decoder sequence" is ``[start] + continuation``: ``start`` stands for the prompt (a special
    token, dropped when decoding); ``generate(decoder_input_ids=...)`` continues the prompt with a
    forced prefix; calling the view returns the logits of the continuation's positions."""

    def __init__(self, model: Any, prompt_length: int, pad_id: int) -> None:
        self.model, self.offset, self.pad_id = model, prompt_length - 1, pad_id

    @property
    def device(self) -> torch.device:
        return self.model.device  # type: ignore[no-any-return]  # (model: a transformers model, Any)

    def _extend(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                decoder_input_ids: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        import torch

        if decoder_input_ids is None or decoder_input_ids.shape[1] <= 1:
            return input_ids, attention_mask
        extra = decoder_input_ids[:, 1:].to(input_ids.device)
        if extra.shape[0] != input_ids.shape[0]:
            extra = extra.expand(input_ids.shape[0], -1)
        ones = torch.ones_like(extra, dtype=attention_mask.dtype)
        return torch.cat([input_ids, extra], 1), torch.cat([attention_mask, ones], 1)

    def generate(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                 decoder_input_ids: torch.Tensor | None = None, logits_processor: Sequence[Any] | None = None,
                 **kwargs: Any) -> torch.Tensor:
        from transformers import LogitsProcessorList

        ids, mask = self._extend(input_ids, attention_mask, decoder_input_ids)
        if logits_processor:
            kwargs["logits_processor"] = LogitsProcessorList([_Shifted(p, self.offset) for p in logits_processor])
        out = self.model.generate(input_ids=ids, attention_mask=mask, pad_token_id=self.pad_id, **kwargs)
        view: torch.Tensor = out[:, self.offset:].clone()
        view[:, 0] = self.pad_id
        return view

    def __call__(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                 decoder_input_ids: torch.Tensor | None) -> SimpleNamespace:
        from types import SimpleNamespace

        ids, mask = self._extend(input_ids, attention_mask, decoder_input_ids)
        logits = self.model(input_ids=ids, attention_mask=mask).logits
        return SimpleNamespace(logits=logits[:, self.offset:])


class Prompted(Tokens):
    """Mixin of both engines' translation-LLM backends: the family's prompt per sentence, and the
    directions its prompt can name."""

    spec: ModelSpec
    last_enforcement: list[list[str]]
    last_cleaned: list[str]

    if TYPE_CHECKING:  # what the engines' backends define
        def _translate(self, texts: list[str], *, source: str, target: str, beams: int = 1,
                       max_length: int | None = None,
                       constraints: list[list[list[str]]] | None = None) -> list[str]: ...

    def _prompt(self, text: str, source: str, target: str, terms: Sequence[Sequence[str]]) -> str:
        return prompt_for(self, text, source, target, terms)

    def translate(self, texts: list[str], *, source: str, target: str, beams: int = 1,
                  max_length: int | None = None, constraints: list[list[list[str]]] | None = None) -> list[str]:
        """Translate one batch (see :meth:`Backend.translate`). With the catalogue's ``pack`` (a model
        that keeps delimiters), up to ``pack`` sentences without context go in one request, split back
        afterwards; a group whose answer does not split into one part per sentence, each with its terms,
        is translated sentence by sentence."""
        from ..constraints import missing_terms
        from ..prompts import DELIMITER, split_context

        pack = max(1, int(getattr(self.spec, "pack", 1) or 1))
        texts = list(texts)
        terms = check_constraints(constraints, len(texts))
        forms = constraints or [[] for _ in texts]
        plain = [i for i, t in enumerate(texts)
                 if t and t.strip() and not split_context(t)[1] and DELIMITER not in t]
        groups = [g for g in (plain[k:k + pack] for k in range(0, len(plain), pack)) if len(g) > 1] if pack > 1 else []
        if not groups:
            return self._translate(texts, source=source, target=target, beams=beams, max_length=max_length,
                                   constraints=constraints)
        grouped = {i for g in groups for i in g}
        alone = [i for i in range(len(texts)) if i not in grouped]
        requests = [f" {DELIMITER} ".join(texts[i].strip() for i in g) for g in groups] + [texts[i] for i in alone]
        asked = [[t for i in g for t in forms[i]] for g in groups] + [forms[i] for i in alone]
        answers = self._translate(requests, source=source, target=target, beams=beams, max_length=max_length,
                                  constraints=asked if any(asked) else None)
        how, cleaned = list(self.last_enforcement), list(self.last_cleaned)
        out = [""] * len(texts)
        enforcement: list[list[str]] = [["skipped"] * len(t) for t in terms]
        notes = [""] * len(texts)
        whole = not self.direction(source, target)[1].startswith("zh")
        retry = []
        for r, g in enumerate(groups):
            parts = [p.strip() for p in answers[r].split(DELIMITER)]
            labels = iter(how[r])
            if len(parts) == len(g) and all(parts) and \
                    not any(missing_terms(p, terms[i], whole_words=whole) for p, i in zip(parts, g)):
                for p, i in zip(parts, g):
                    out[i], notes[i] = p, cleaned[r] if i == g[0] else ""
                    enforcement[i] = [next(labels, "free") for _ in terms[i]]
            else:
                retry.extend(g)
        for r, i in enumerate(alone, start=len(groups)):
            out[i], notes[i], enforcement[i] = answers[r], cleaned[r], list(how[r])
        if retry:
            again = self._translate([texts[i] for i in retry], source=source, target=target, beams=beams,
                                    max_length=max_length, constraints=[forms[i] for i in retry])
            for k, i in enumerate(retry):
                out[i], notes[i], enforcement[i] = again[k], self.last_cleaned[k], list(self.last_enforcement[k])
        self.last_enforcement, self.last_cleaned = enforcement, notes
        return out

    def direction(self, source: str, target: str) -> tuple[str, str]:
        from ..prompts import PROMPTS

        src, tgt = super().direction(source, target)
        names = PROMPTS[self.spec.prompt]
        if src not in names or tgt not in names:
            raise ModelError(f"the {self.spec.prompt} prompt has no name for {src if src not in names else tgt!r}",
                             text=self.spec.name)
        return src, tgt


def prompt_for(backend: Prompted, request: str, source: str, target: str, terms: Sequence[Sequence[str]]) -> str:
    """The prompt of ``backend``'s family for one request (a sentence, with the scene's previous cues
    when the pipeline gives them: :func:`~subtrans.mt.prompts.with_context`), with its terms (each a
    list of target forms that may say its source form: :class:`~subtrans.pipeline.terms.TermForms`)."""
    from ..prompts import build_prompt, split_context

    text, context = split_context(request)
    pairs = [(getattr(t, "source", ""), t[0]) for t in terms if t]
    prompt, _ = build_prompt(backend.spec.prompt, backend.tokenizer, text.strip(), source, target, pairs, context)
    return prompt


def request_text(request: str) -> str:
    """The sentence of a request, without its context."""
    from ..prompts import split_context

    return split_context(request)[0].strip()


class HFCausalBackend(Prompted, Backend):
    """A decoder-only translation LLM in transformers, on CPU (float32) or CUDA (bfloat16, else float16)."""

    name = "hf"
    constraint_options: ConstraintOptions = ConstraintOptions()

    def __init__(self, spec: ModelSpec, *, device: str | None = None, allow_pickle: bool = False) -> None:
        if spec.path is None:
            raise ModelError(f"model {spec.name} has no local folder", text=spec.name,
                             hint="resolve it first (subtrans.mt.catalog.resolve_model)")
        folder = Path(spec.path)
        kind = check_weights(folder, allow_pickle)
        import torch
        from transformers import AutoModelForCausalLM
        from transformers.utils import logging as hf_logging

        if device in (None, "auto"):
            device = "cuda" if torch.cuda.is_available() else "cpu"
        super().__init__(spec, device=device, allow_pickle=allow_pickle)
        self._torch = torch
        dtype = torch.float32
        if device.startswith("cuda"):
            dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        self.load_tokenizer(folder)
        tok = self.tokenizer
        tok.padding_side = "left"   # every row's continuation starts at the same position
        if tok.pad_token_id is None:
            tok.pad_token = tok.eos_token if tok.eos_token is not None else tok.unk_token
        verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        try:
            self.model: Any = cast(Any, AutoModelForCausalLM.from_pretrained(
                folder, local_files_only=True, trust_remote_code=False, use_safetensors=(kind == "safetensors"),
                dtype=dtype))
        except Exception as exc:
            raise ModelError(f"cannot load the model: {first_line(exc)}", path=folder,
                             hint="the folder needs config.json, tokenizer files and weights; download it again "
                                  "or pass --model PATH to a complete folder") from None
        finally:
            hf_logging.set_verbosity(verbosity)
            if bars:
                hf_logging.enable_progress_bar()
        try:
            self.model.to(device)
        except (RuntimeError, AssertionError, ValueError) as exc:
            raise ModelError(f"cannot use device {device!r}: {first_line(exc)}", text=device,
                             hint="--device cpu, cuda, cuda:N or auto") from None
        self.model.eval()
        self._revision = folder_revision(folder)
        eos = self.model.generation_config.eos_token_id
        ids = set(self.eos_ids) | ({eos} if isinstance(eos, int) else set(eos or ()))
        if tok.eos_token_id is not None:
            ids.add(tok.eos_token_id)
        self.eos_ids = sorted(ids)
        self.pad_id = int(tok.pad_token_id)
        self.last_enforcement: list[list[str]] = []
        #: Per text of the last ``translate`` call: what was removed from the model's output as not
        #: part of the translation ("" when nothing was).
        self.last_cleaned: list[str] = []

    # -- translation ---------------------------------------------------------------------

    def _translate(self, texts: list[str], *, source: str, target: str, beams: int = 1,
                   max_length: int | None = None, constraints: list[list[list[str]]] | None = None) -> list[str]:
        """Translate one batch of requests (see :meth:`Backend.translate`); how each term got into its
        output is left in ``last_enforcement``, what was cleaned off in ``last_cleaned``."""
        texts = list(texts)
        terms = check_constraints(constraints, len(texts))
        self.last_enforcement = [["skipped"] * len(t) for t in terms]
        self.last_cleaned = [""] * len(texts)
        out = [""] * len(texts)
        todo = [i for i, t in enumerate(texts) if t and t.strip()]
        if not todo:
            return out
        tgt, enc, view, budget = self._prepare(texts, todo, source, target, max_length, constraints)
        generate_kwargs: dict[str, Any] = dict(num_beams=max(1, int(beams)), num_return_sequences=1,
                                               do_sample=False, suppress_tokens=self._suppress or None)
        row_terms = [terms[i] for i in todo]
        if any(row_terms):
            from ..constraints import TermDecoding

            job = TermDecoding(model=view, encoded=enc, generate_kwargs=generate_kwargs, decoder_prefix=[self.pad_id],
                               budget=budget, min_new_tokens=1, eos_ids=self.eos_ids, speller=self.term_speller(),
                               language=tgt, options=self.constraint_options, max_positions=None)
            decoded, how = job.run(row_terms)
            for i, labels in zip(todo, how):
                self.last_enforcement[i] = labels
        else:
            with self._torch.inference_mode():
                generated = view.generate(**enc, max_new_tokens=budget, min_new_tokens=1, **generate_kwargs)
            decoded = [self.decode_ids(row.tolist()) for row in generated]
        for i, text in zip(todo, decoded):
            out[i], self.last_cleaned[i] = _clean(text, request_text(texts[i]))
        return out

    def _prepare(self, texts: list[str], todo: list[int], source: str, target: str, max_length: int | None,
                 constraints: list[list[list[str]]] | None
                 ) -> tuple[str, dict[str, Any], _Continuation, int]:
        """(target, the left-padded prompts of ``texts[todo]``, their continuation view, the budget)."""
        src, tgt = self.direction(source, target)
        prompts = [self._prompt(texts[i], src, tgt, (constraints or [[]] * len(texts))[i] or []) for i in todo]
        special = self.spec.prompt == "seed-x"
        enc = self.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=special)
        enc = {k: v.to(self.model.device) for k, v in enc.items() if k in ("input_ids", "attention_mask")}
        longest = max(len(self.encode_target(request_text(texts[i]))) for i in todo)
        budget = min(max_length or self.spec.max_length, 3 * longest + 16)
        return tgt, enc, _Continuation(self.model, enc["input_ids"].shape[1], self.pad_id), budget

    @property
    def _suppress(self) -> list[int]:
        return sorted(self._non_text_ids - set(self.eos_ids))

    def candidates(self, texts: list[str], *, source: str, target: str, n: int = 4, beams: int = 1,
                   max_length: int | None = None,
                   constraints: list[list[list[str]]] | None = None) -> list[list[Candidate]]:
        """Up to ``n`` alternatives per text, best first (see :meth:`Backend.candidates`): the translation
        :meth:`translate` gives, and the n-best of beam searches with the length penalties of
        :data:`~subtrans.mt.backends.base.CANDIDATE_LENGTH_PENALTIES` (steered by the term processor
        when the text has terms; a hypothesis still lacking a term is dropped), each scored by one
        teacher-forced pass as the mean log-probability of its tokens and the end of turn."""
        from transformers import LogitsProcessorList

        from ..constraints import TermLogitsProcessor, missing_terms
        from .base import CANDIDATE_LENGTH_PENALTIES

        texts = list(texts)
        terms = check_constraints(constraints, len(texts))
        out: list[list[Candidate]] = [[] for _ in texts]
        best = self.translate(texts, source=source, target=target, beams=beams, max_length=max_length,
                              constraints=constraints)
        best_how = [tuple(h) for h in self.last_enforcement]
        todo = [i for i, t in enumerate(texts) if t and t.strip() and best[i]]
        if not todo:
            return out
        n = max(1, int(n))
        tgt, enc, view, budget = self._prepare(texts, todo, source, target, max_length, constraints)
        row_terms = [terms[i] for i in todo]
        whole = not tgt.startswith("zh")
        pools = [{best[i]: best_how[i]} for i in todo]
        speller = self.term_speller()
        for penalty in CANDIDATE_LENGTH_PENALTIES:
            kwargs: dict[str, Any] = dict(num_beams=max(n, int(beams)), num_return_sequences=n, do_sample=False,
                                          length_penalty=penalty, min_new_tokens=1, suppress_tokens=self._suppress or None)
            top = budget
            steered = any(row_terms) and self.constraint_options.processor
            if steered:
                spelled = [[speller.spell(t, tgt) for t in row] for row in row_terms]
                top = max(budget, *(sum(t.min_length for t in row) for row in spelled))
                options = self.constraint_options
                kwargs["logits_processor"] = LogitsProcessorList([TermLogitsProcessor(
                    spelled, start=1, max_lengths=[1 + top] * len(spelled), eos_ids=self.eos_ids,
                    stop_ids=speller.stop_ids, bias=options.bias, repeat_penalty=options.repeat_penalty,
                    glued_ids=speller.glued_ids if whole else ())])
            with self._torch.inference_mode():
                generated = view.generate(**enc, max_new_tokens=top, **kwargs)
            label = ("constrained" if steered else "free",)
            for r in range(len(todo)):
                for row in generated[r * n:(r + 1) * n]:
                    text, cleaned = _clean(self.decode_ids(row.tolist()))
                    if text and not cleaned and text not in pools[r] \
                            and not missing_terms(text, row_terms[r], whole_words=whole):
                        pools[r][text] = label * len(row_terms[r])
        scores = self._score(enc, view, [list(pool) for pool in pools])
        for r, i in enumerate(todo):
            pool = [Candidate(text, score, how) for (text, how), score in zip(pools[r].items(), scores[r])]
            out[i] = best_and_others(pool, best[i], n)
        self.last_enforcement = [list(h) for h in best_how]
        return out

    def _score(self, enc: dict[str, Any], view: _Continuation, rows: list[list[str]]) -> list[list[float]]:
        """Per prompt row, each text's mean log-probability per token as the model's continuation."""
        torch = self._torch
        eos = self.eos_ids[0]
        out: list[list[float]] = []
        with torch.inference_mode():
            for r, texts in enumerate(rows):
                seqs = [[self.pad_id] + self.encode_target(t) + [eos] for t in texts]
                width = max(len(q) for q in seqs)
                dec = torch.full((len(seqs), width), self.pad_id, dtype=torch.long, device=self.model.device)
                for k, q in enumerate(seqs):
                    dec[k, :len(q)] = torch.tensor(q, dtype=torch.long)
                ids = enc["input_ids"][r:r + 1].expand(len(seqs), -1)
                mask = enc["attention_mask"][r:r + 1].expand(len(seqs), -1)
                logits = view(input_ids=ids, attention_mask=mask, decoder_input_ids=dec[:, :-1]).logits
                logp = logits.float().log_softmax(-1).gather(2, dec[:, 1:].unsqueeze(-1)).squeeze(-1)
                out.append([float(logp[k, :len(q) - 1].mean()) for k, q in enumerate(seqs)])
        return out

    @property
    def revision(self) -> str:
        return self._revision


def _clean(text: str, source: str = "") -> tuple[str, str]:
    """The translation in a model's output, and what was removed (thinking, the source echoed before the
    translation, a label, notes after it)."""
    removed = []
    kept = _THINK.sub("", text)
    if kept != text:
        removed.append("<think>…</think>")
    kept = kept.strip()
    if source and kept.startswith(source) and kept[len(source):].strip():
        removed.append(source)          # the source echoed, the translation after it
        kept = kept[len(source):].lstrip(" \t\n:：-—→")
    label = _LABEL.match(kept)
    if label:
        removed.append(label.group(0).strip())
        kept = kept[label.end():]
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", kept) if p.strip()]
    if len(paragraphs) > 1:
        removed.extend(paragraphs[1:])
        kept = paragraphs[0]
    return kept.strip(), " | ".join(removed)
