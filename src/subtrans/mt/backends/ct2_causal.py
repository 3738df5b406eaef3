"""Translation LLMs in CTranslate2: its ``Generator`` for the families it converts (Qwen3, Mistral for
Seed-X, Gemma 3 for TranslateGemma); HunYuan (Hy-MT) has no CTranslate2 loader and runs in ``hf``.

The model is converted once and kept as for the sequence-to-sequence models
(:func:`~subtrans.mt.backends.ct2.converted_folder`; :func:`~subtrans.mt.backends.ct2.quantization_for`). Each sentence is its family's prompt (:mod:`subtrans.mt.prompts`, the same string
the ``hf`` backend builds), given to ``generate_batch`` as start tokens with
``include_prompt_in_result=False``; generation stops at the end-of-turn token. Terms are enforced
after decoding as for the other CTranslate2 models (:class:`~subtrans.mt.constraints.PrefixRepair`):
a missing term is put where the model most expects it (one ``forward_batch`` pass scores the cut
points) and the model goes on from there; the last resort inserts it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

from ...errors import EngineUnusable, ModelError
from ..catalog import ModelSpec, check_weights, folder_revision
from ..constraints import PrefixRepair, check_constraints
from .base import Backend, Candidate, best_and_others
from .causal import Prompted, _clean, request_text
from .ct2 import _Steps, convert, converted_folder, cpu_threads, ct2_device, quantization_for
from .tokens import first_line

__all__ = ["CT2CausalBackend", "ct2_problem"]


def ct2_problem(spec: ModelSpec) -> str:
    """Why CTranslate2 would not run ``spec`` as transformers does ("" when it would).

    HunYuan (Hy-MT): no loader (transformers applies the q/k norm after the rotary embedding,
    CTranslate2 before it). Gemma 3 with ``query_pre_attn_scalar`` other than ``head_dim`` (the 27B):
    CTranslate2 4.8 scales attention by ``head_dim`` and so computes another model (measured on tiny
    models: log-probabilities off by 0.29; with the two equal, as in the 4B and 12B, identical to
    1e-6, the linear x8 RoPE scaling of the global layers included)."""
    if spec.architecture == "hunyuan":
        return "CTranslate2 cannot convert HunYuan models (its q/k norm comes after the rotary embedding)"
    if spec.architecture == "gemma3" and spec.path is not None:
        try:
            config = json.loads((Path(spec.path) / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return ""
        text = config.get("text_config", config)
        scalar, head = text.get("query_pre_attn_scalar"), text.get("head_dim")
        if scalar is not None and head is not None and scalar != head:
            return (f"CTranslate2 scales Gemma 3's attention by head_dim ({head}), this model by "
                    f"query_pre_attn_scalar ({scalar}): its output would not be the model's")
    return ""


class CT2CausalBackend(Prompted, Backend):
    """A decoder-only translation LLM run by CTranslate2's Generator on CPU or CUDA."""

    name = "ct2"

    def __init__(self, spec: ModelSpec, *, device: str | None = None, allow_pickle: bool = False,
                 cache_root: Path | None = None, quantization: str | None = None) -> None:
        if spec.path is None:
            raise ModelError(f"model {spec.name} has no local folder", text=spec.name,
                             hint="resolve it first (subtrans.mt.catalog.resolve_model)")
        folder = Path(spec.path)
        check_weights(folder, allow_pickle)
        problem = ct2_problem(spec)
        if problem:
            raise EngineUnusable(f"{spec.name}: {problem}", text=spec.name, hint="--backend hf (or auto)")
        import ctranslate2

        device, kind, index = ct2_device(device)
        super().__init__(spec, device=device, allow_pickle=allow_pickle)
        self._revision = folder_revision(folder)
        self.quantization = quantization or quantization_for(device, spec.architecture)
        self.converted = converted_folder(spec, self._revision, self.quantization, cache_root)
        self.load_tokenizer(folder)
        if not (self.converted / "model.bin").is_file():
            convert(folder, self.converted, self.quantization)
        self.workers, threads = cpu_threads() if kind == "cpu" else (1, 0)
        try:
            self.generator = ctranslate2.Generator(str(self.converted), device=kind, device_index=int(index or 0),
                                                   compute_type=self.quantization, inter_threads=self.workers,
                                                   intra_threads=threads)
        except (RuntimeError, ValueError) as exc:
            raise EngineUnusable(f"cannot load the converted model: {first_line(exc)}", path=self.converted,
                             hint="delete that folder to convert again, or use --backend hf") from None
        try:
            generation = json.loads((folder / "generation_config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            generation = {}
        eos = generation.get("eos_token_id")
        ids = set(self.eos_ids) | ({eos} if isinstance(eos, int) else set(eos or ()))
        if self.tokenizer.eos_token_id is not None:
            ids.add(self.tokenizer.eos_token_id)
        self.eos_ids = sorted(ids)
        order: list[str] = []
        for name in ("vocabulary.json", "shared_vocabulary.json"):
            try:
                order = json.loads((self.converted / name).read_text(encoding="utf-8"))
                break
            except (OSError, ValueError):
                continue
        rows = {token: i for i, token in enumerate(order)}
        tokens = self.tokenizer.convert_ids_to_tokens(list(range(len(self.tokenizer))))
        self._index = [rows.get(t, -1) if t is not None else -1 for t in tokens]   # tokenizer id -> ct2 row
        self._ids = [-1] * len(order)
        for token, row in enumerate(self._index):
            if row >= 0:
                self._ids[row] = token
        known = set(order)
        self._suppress = [[t] for t in self.tokenizer.convert_ids_to_tokens(sorted(self._non_text_ids - set(self.eos_ids)))
                          if t in known]
        self.last_enforcement: list[list[str]] = []
        self.last_cleaned: list[str] = []

    def _translate(self, texts: list[str], *, source: str, target: str, beams: int = 1,
                   max_length: int | None = None, constraints: list[list[list[str]]] | None = None) -> list[str]:
        """Translate one batch of requests (see :meth:`Backend.translate`)."""
        texts = list(texts)
        terms = check_constraints(constraints, len(texts))
        self.last_enforcement = [["skipped"] * len(t) for t in terms]
        self.last_cleaned = [""] * len(texts)
        out = [""] * len(texts)
        todo = [i for i, t in enumerate(texts) if t and t.strip()]
        if not todo:
            return out
        tgt, prompts, budget = self._prepare(texts, todo, source, target, max_length, constraints)
        beams = max(1, int(beams))
        results = self._generate([p for p in prompts], budget, beams)
        repairs, decoded = [], {}
        for k, (i, seq) in enumerate(zip(todo, results)):
            if terms[i]:
                need = max(budget, sum(self.term_speller().spell(t, tgt).min_length for t in terms[i]))
                repairs.append((k, seq, terms[i], need))
            else:
                decoded[k] = self.decode_ids(seq)
        if repairs:
            repair = PrefixRepair(speller=self.term_speller(), language=tgt, lead_ids=[], eos_ids=self.eos_ids,
                                  score=lambda requests: self._score(prompts, requests),
                                  complete=lambda requests: self._complete(prompts, requests, beams, tgt))
            for (k, *_), (text, labels) in zip(repairs, repair.enforce(repairs)):
                decoded[k] = text
                self.last_enforcement[todo[k]] = labels
        for k, i in enumerate(todo):
            out[i], self.last_cleaned[i] = _clean(decoded[k], request_text(texts[i]))
        return out

    def _prepare(self, texts: list[str], todo: list[int], source: str, target: str, max_length: int | None,
                 constraints: list[list[list[str]]] | None) -> tuple[str, list[list[int]], int]:
        """(target, the prompt ids of ``texts[todo]``, the budget)."""
        src, tgt = self.direction(source, target)
        special = self.spec.prompt == "seed-x"
        prompts: list[list[int]] = [self.tokenizer(self._prompt(texts[i], src, tgt, (constraints or [[]] * len(texts))[i] or []),
                                  add_special_tokens=special)["input_ids"] for i in todo]
        longest = max(len(self.encode_target(request_text(texts[i]))) for i in todo)
        return tgt, prompts, min(max_length or self.spec.max_length, 3 * longest + 16)

    def candidates(self, texts: list[str], *, source: str, target: str, n: int = 4, beams: int = 1,
                   max_length: int | None = None,
                   constraints: list[list[list[str]]] | None = None) -> list[list[Candidate]]:
        """Up to ``n`` alternatives per text, best first: the translation :meth:`translate` gives and the
        n-best of beam searches with the length penalties of
        :data:`~subtrans.mt.backends.base.CANDIDATE_LENGTH_PENALTIES` (a hypothesis lacking a term is
        dropped: CTranslate2 cannot steer the n-best), each scored by ``score_batch`` as the mean
        log-probability of its tokens and the end of turn after the prompt."""
        from ..constraints import missing_terms
        from .base import CANDIDATE_LENGTH_PENALTIES

        texts = list(texts)
        terms = check_constraints(constraints, len(texts))
        out: list[list[Candidate]] = [[] for _ in texts]
        best = self.translate(texts, source=source, target=target, beams=beams, max_length=max_length,
                              constraints=constraints)
        enforced = [tuple(h) for h in self.last_enforcement]
        todo = [i for i, t in enumerate(texts) if t and t.strip() and best[i]]
        if not todo:
            return out
        n = max(1, int(n))
        tgt, prompts, budget = self._prepare(texts, todo, source, target, max_length, constraints)
        whole = not tgt.startswith("zh")
        tok = self.tokenizer
        found = [{best[i]: enforced[i]} for i in todo]
        for penalty in CANDIDATE_LENGTH_PENALTIES:
            results = self.generator.generate_batch(
                [tok.convert_ids_to_tokens(p) for p in prompts], max_length=budget, min_length=1,
                beam_size=max(n, int(beams)), num_hypotheses=n, length_penalty=penalty,
                include_prompt_in_result=False, end_token=list(self.eos_ids), suppress_sequences=self._suppress or None)
            eos = set(self.eos_ids)
            for k, r in enumerate(results):
                for ids in r.sequences_ids:
                    text, cleaned = _clean(self.decode_ids([t for t in ids if t not in eos]))
                    row = terms[todo[k]]
                    if text and not cleaned and text not in found[k] and not missing_terms(text, row, whole_words=whole):
                        found[k][text] = ("free",) * len(row)
        flat = [(k, text) for k in range(len(todo)) for text in found[k]]
        end = cast("list[str]", tok.convert_ids_to_tokens([self.eos_ids[0]]))  # (ids in, tokens out)
        scored = self.generator.score_batch(
            [cast("list[str]", tok.convert_ids_to_tokens(prompts[k] + self.encode_target(text))) + end
             for k, text in flat])
        for (k, text), s in zip(flat, scored):
            logp = list(s.log_probs)[-(len(self.encode_target(text)) + 1):]
            out[todo[k]].append(Candidate(text, sum(logp) / max(1, len(logp)), found[k][text]))
        for i in todo:
            out[i] = best_and_others(out[i], best[i], n)
        self.last_enforcement = [list(h) for h in enforced]
        return out

    # -- engine calls ----------------------------------------------------------------------

    def _generate(self, starts: list[list[int]], room: int, beams: int) -> list[list[int]]:
        tok = self.tokenizer
        results = self.generator.generate_batch(
            [tok.convert_ids_to_tokens(s) for s in starts], max_length=max(1, room), min_length=1, beam_size=beams,
            include_prompt_in_result=False, end_token=list(self.eos_ids), suppress_sequences=self._suppress or None,
            max_batch_size=-(-len(starts) // self.workers) if self.workers > 1 and len(starts) > 1 else 0)
        eos = set(self.eos_ids)
        return [[t for t in r.sequences_ids[0] if t not in eos] for r in results]

    def _score(self, prompts: list[list[int]], requests: list[tuple[int, list[int]]]) -> list[_Steps]:
        """Per (row, continuation): its steps' log-probabilities (one forward pass of prompt + continuation)."""
        if not requests:
            return []
        import numpy as np

        full = [prompts[row] + list(seq) for row, seq in requests]
        logp = np.asarray(self.generator.forward_batch(full, return_log_probs=True))
        # position p of the continuation is predicted at index len(prompt) + p - 1 of the full sequence
        return [_Steps(logp[k, len(prompts[row]) - 1:], self._index) for k, (row, _) in enumerate(requests)]

    def _complete(self, prompts: list[list[int]], requests: list[tuple[int, list[int], int]], beams: int,
                  language: str) -> list[list[int]]:
        """Each forced continuation completed by the model. In Russian the first token after a forced
        term must not glue letters onto it ("Пекин" + "ом" is another word): that token is the model's
        most likely one among those that start a word, are punctuation or end the sentence."""
        seqs = [list(forced) for _, forced, _ in requests]
        rooms = [room for _, _, room in requests]
        if not language.startswith("zh"):
            banned = set(self.term_speller().glued_ids) | (self._non_text_ids - set(self.eos_ids))
            eos = set(self.eos_ids)
            for k, steps in enumerate(self._score(prompts, [(row, forced) for row, forced, _ in requests])):
                token = steps.best(len(seqs[k]), banned, self._ids)
                if token is None or token in eos:
                    rooms[k] = 0   # the sentence ends after the term
                else:
                    seqs[k].append(token)
                    rooms[k] -= 1
        todo = [k for k in range(len(requests)) if rooms[k] > 0]
        if todo:
            new = self._generate([prompts[requests[k][0]] + seqs[k] for k in todo], max(rooms[k] for k in todo), beams)
            for k, cont in zip(todo, new):
                seqs[k] = seqs[k] + cont[:rooms[k]]
        return seqs

    @property
    def revision(self) -> str:
        return self._revision
