"""The Hugging Face transformers backend: one seq2seq model, batches of sentences.

Loads a resolved model folder (:func:`subtrans.mt.catalog.resolve_model`)
with ``AutoTokenizer`` / ``AutoModelForSeq2SeqLM``, offline
(``local_files_only``), never with ``trust_remote_code``, safetensors only
unless ``allow_pickle``.

How the target language is chosen, per architecture (transformers 5.x):

- ``t5``: a text prefix, ``codes[target]`` (``"translate to zh: "``), is
  prepended to every input.
- ``m2m100`` / ``nllb``: ``tokenizer.src_lang = codes[source]`` (the
  tokenizer then wraps the input as ``[src_lang] X </s>``), and
  ``generate(forced_bos_token_id=<id of the target language token>)``.
  M2M100's token for ``zh`` is ``__zh__`` (``tokenizer.get_lang_id``); NLLB's
  codes are tokens themselves (``zho_Hans``).
- ``marian``: the model's fixed direction; ``codes[target]`` (``>>cmn_Hans<<``),
  where given, is prepended for multi-target models.

Language tokens and other special tokens are suppressed while decoding and
removed from the output (transformers 5 does not register M2M100's language
tokens as special, so ``skip_special_tokens`` alone would leave ``__zh__`` in
the text).

Terms: ``translate(..., constraints=...)`` guarantees glossary terms in the
output (a logits processor, then a prefix repair, then a last resort; see
:mod:`subtrans.mt.constraints`) and records per text and term how each got
there in ``last_enforcement``.

Alternatives: ``candidates(...)`` returns, per text, the translation and other hypotheses of
beam searches (one of them favouring shorter outputs), terms enforced, each scored by one
teacher-forced pass (mean log-probability per token); the pipeline picks among them to fit the
screen (:mod:`subtrans.pipeline.fitting`).

Thread safety: an instance holds a tokenizer whose state changes per call
(``src_lang``) and a model; use one instance per thread. The weights are
read-only, but share them across threads only if you serialise calls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from ...errors import ModelError
from ..catalog import ModelSpec, check_weights, folder_revision
from ..constraints import ConstraintOptions, check_constraints, missing_terms
from .base import CANDIDATE_LENGTH_PENALTIES, Backend, Candidate, best_and_others
from .tokens import MAX_INPUT_TOKENS, Tokens, first_line

__all__ = ["HFBackend"]

#: Candidates per teacher-forced scoring pass (bounds the [rows, length, vocabulary] logits in memory).
SCORE_ROWS = 16


class _Prepared(NamedTuple):
    """A batch of non-blank inputs encoded for the model, and what every decode of it shares."""

    enc: dict[str, Any]       # input_ids, attention_mask (on the model's device)
    gen: dict[str, Any]       # forced_bos_token_id, where the target is chosen that way
    lead: int                 # tokens generate() writes before the text (the forced language token)
    budget: int               # text tokens allowed per output
    suppress: list[int]       # special and language tokens never written
    tgt: str                  # the model's target language code


class HFBackend(Tokens, Backend):
    """A transformers seq2seq model (T5, M2M100, NLLB, Marian) on CPU or CUDA.

    ``device``: None or ``"auto"`` picks ``cuda`` when available, else
    ``cpu``; any torch device string is accepted. On CPU the weights are
    float32; on CUDA float16, except T5 (float32: T5 overflows in float16).
    """

    name = "hf"
    spec: ModelSpec
    #: How terms are enforced (:class:`~subtrans.mt.constraints.ConstraintOptions`); benchmarks change it.
    constraint_options: ConstraintOptions = ConstraintOptions()

    def __init__(self, spec: ModelSpec, *, device: str | None = None, allow_pickle: bool = False) -> None:
        if spec.path is None:
            raise ModelError(f"model {spec.name} has no local folder", text=spec.name,
                             hint="resolve it first (subtrans.mt.catalog.resolve_model)")
        folder = Path(spec.path)
        kind = check_weights(folder, allow_pickle)
        import torch
        from transformers import AutoModelForSeq2SeqLM
        from transformers.utils import logging as hf_logging

        if device in (None, "auto"):
            device = "cuda" if torch.cuda.is_available() else "cpu"
        super().__init__(spec, device=device, allow_pickle=allow_pickle)
        self._torch = torch
        if device.startswith("cuda") and spec.architecture != "t5":
            dtype = torch.float16
        else:
            dtype = torch.float32
        self.load_tokenizer(folder)  # checks config.json's model_type against the catalog
        verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
        hf_logging.set_verbosity_error()  # no "weights not initialised" chatter, no progress bars
        hf_logging.disable_progress_bar()
        try:
            self.model = AutoModelForSeq2SeqLM.from_pretrained(
                folder, local_files_only=True, trust_remote_code=False, use_safetensors=(kind == "safetensors"),
                dtype=dtype,
            )
        except Exception as exc:  # corrupt or missing files, unsupported classes ...
            raise ModelError(f"cannot load the model: {first_line(exc)}", path=folder,
                             hint="the folder needs config.json, tokenizer files and weights; download it again "
                                  "or pass --model PATH to a complete folder") from None
        finally:
            hf_logging.set_verbosity(verbosity)
            if bars:
                hf_logging.enable_progress_bar()
        try:
            self.model.to(device)
        except (RuntimeError, AssertionError, ValueError) as exc:  # no such device, CUDA not compiled in ...
            raise ModelError(f"cannot use device {device!r}: {first_line(exc)}", text=device,
                             hint="--device cpu, cuda, cuda:N or auto") from None
        self.model.eval()
        self._revision = folder_revision(folder)
        eos = self.model.generation_config.eos_token_id  # generate() stops on these
        if eos is not None:
            self.eos_ids = [eos] if isinstance(eos, int) else sorted(set(eos))
        #: Per text of the last ``translate`` call, per term: how it got into the output
        #: ("free", "constrained", "repaired", "appended"; "skipped" for an empty input).
        self.last_enforcement: list[list[str]] = []

    # -- translation ---------------------------------------------------------------------

    def translate(self, texts: list[str], *, source: str, target: str, beams: int = 1,
                  max_length: int | None = None, constraints: list[list[list[str]]] | None = None) -> list[str]:
        """Translate one batch; one string per input, in order. Empty inputs give "".

        ``constraints``: None or, per text, a list of terms (each a list of
        alternative strings) that must appear in its translation; see
        :meth:`Backend.translate` and :mod:`subtrans.mt.constraints`. How each
        term got there is left in ``last_enforcement``.
        """
        texts = list(texts)
        terms = check_constraints(constraints, len(texts))
        self.last_enforcement = [["skipped"] * len(t) for t in terms]
        out = [""] * len(texts)
        todo = [i for i, t in enumerate(texts) if t and t.strip()]
        if not todo:
            return out
        prep = self._prepare([texts[i] for i in todo], source, target, max_length)
        enc, gen, lead, budget, suppress, tgt = prep.enc, prep.gen, prep.lead, prep.budget, prep.suppress, prep.tgt
        max_new = budget + lead
        tok = self.tokenizer
        row_terms = [terms[i] for i in todo]
        if any(row_terms):
            generate_kwargs = dict(num_beams=max(1, int(beams)), num_return_sequences=1, do_sample=False,
                                   suppress_tokens=suppress or None, **gen)
            decoded, how = self._decode_with_terms(enc, generate_kwargs, row_terms, budget, lead, tgt)
            for i, text, labels in zip(todo, decoded, how):
                out[i] = text
                self.last_enforcement[i] = labels
            return out
        with self._torch.inference_mode():
            generated = self.model.generate(
                **enc, num_beams=max(1, int(beams)), num_return_sequences=1, do_sample=False,
                max_new_tokens=max_new, min_new_tokens=1 + lead,
                suppress_tokens=suppress or None, **gen,
            )
        drop = self._non_text_ids
        rows = [[t for t in row.tolist() if t not in drop] for row in generated]
        decoded = tok.batch_decode(rows, skip_special_tokens=True, clean_up_tokenization_spaces=False)
        for i, text in zip(todo, decoded):
            out[i] = text.strip()
        return out

    def candidates(self, texts: list[str], *, source: str, target: str, n: int = 4, beams: int = 1,
                   max_length: int | None = None,
                   constraints: list[list[list[str]]] | None = None) -> list[list[Candidate]]:
        """Up to ``n`` alternative translations per text, best score first (see :meth:`Backend.candidates`).

        The pool: what :meth:`translate` returns with the same arguments (always kept, with its
        term mechanisms), and the ``n`` best hypotheses of a beam search of ``max(n, beams)`` beams
        for each length penalty of :data:`CANDIDATE_LENGTH_PENALTIES` (the second favours shorter
        outputs). With ``constraints`` those searches run with the term processor, and a hypothesis
        that still lacks a term is dropped (its terms are labelled ``constrained``). Every distinct
        text is then scored by one teacher-forced pass: the mean log-probability of its tokens and
        the end of sentence, so the scores of one text's candidates are comparable whichever search
        found them. The translation and the ``n - 1`` best others are returned. A blank text gets
        no candidates.
        """
        texts = list(texts)
        terms = check_constraints(constraints, len(texts))
        if not texts:
            return []
        n = max(1, int(n))
        best = self.translate(texts, source=source, target=target, beams=beams, max_length=max_length,
                              constraints=constraints)
        best_how = [tuple(h) for h in self.last_enforcement]
        out: list[list[Candidate]] = [[] for _ in texts]
        todo = [i for i, t in enumerate(texts) if t and t.strip()]
        if not todo:
            return out
        prep = self._prepare([texts[i] for i in todo], source, target, max_length)
        row_terms = [terms[i] for i in todo]
        whole = not prep.tgt.startswith("zh")  # Russian terms are checked as whole words
        pools = [{best[i]: best_how[i]} for i in todo]   # text -> its terms' mechanisms, in order found
        for penalty in CANDIDATE_LENGTH_PENALTIES:
            found, steered = self._n_best(prep, row_terms, n=n, beams=max(n, int(beams)), length_penalty=penalty)
            for row, hypotheses in enumerate(found):
                label = ("constrained" if steered else "free",) * len(row_terms[row])
                for text in hypotheses:
                    if text and text not in pools[row] and not missing_terms(text, row_terms[row], whole_words=whole):
                        pools[row][text] = label
        scores = self._score(prep, [list(pool) for pool in pools])
        self.last_enforcement = [list(h) for h in best_how]
        for row, i in enumerate(todo):
            pool = [Candidate(text, score, how) for (text, how), score in zip(pools[row].items(), scores[row])]
            out[i] = best_and_others(pool, best[i], n)
        return out

    def _n_best(self, prep: "_Prepared", row_terms: list[list[tuple[str, ...]]], *, n: int, beams: int,
                length_penalty: float) -> tuple[list[list[str]], bool]:
        """The ``n`` best hypotheses of one beam search per text, decoded; and whether the term
        processor steered it."""
        from transformers import LogitsProcessorList

        lead = prep.lead
        kwargs: dict[str, Any] = dict(num_beams=beams, num_return_sequences=n, length_penalty=length_penalty,
                                      do_sample=False, min_new_tokens=1 + lead,
                                      suppress_tokens=prep.suppress or None, **prep.gen)
        top = prep.budget
        steered = any(row_terms) and self.constraint_options.processor
        if steered:
            processor, top = self._term_processor(prep, row_terms)
            kwargs["logits_processor"] = LogitsProcessorList([processor])
        with self._torch.inference_mode():
            generated = self.model.generate(**prep.enc, max_new_tokens=top + lead, **kwargs)
        texts = [self.decode_ids(row.tolist()) for row in generated]
        return [texts[r * n:(r + 1) * n] for r in range(len(row_terms))], steered

    def _term_processor(self, prep: "_Prepared", row_terms: list[list[tuple[str, ...]]]) -> tuple[Any, int]:
        """The term processor for a batch, as :class:`~subtrans.mt.constraints.TermDecoding` builds it,
        and the longest text budget of its rows (a row whose terms need more gets what they need)."""
        from ..constraints import TermLogitsProcessor

        speller = self.term_speller()
        spelled = [[speller.spell(term, prep.tgt) for term in terms] for terms in row_terms]
        start = 1 + prep.lead
        positions = self._max_positions()
        budgets = []
        for terms in spelled:
            b = max(prep.budget, sum(t.min_length for t in terms))
            if positions:
                b = max(1, min(b, positions - start - 1))
            budgets.append(b)
        options = self.constraint_options
        processor = TermLogitsProcessor(
            spelled, start=start, max_lengths=[start + b for b in budgets], eos_ids=self.eos_ids,
            stop_ids=speller.stop_ids, bias=options.bias, repeat_penalty=options.repeat_penalty,
            glued_ids=speller.glued_ids if not prep.tgt.startswith("zh") else ())
        return processor, max(budgets)

    def _score(self, prep: "_Prepared", rows: list[list[str]]) -> list[list[float]]:
        """Per input row, each of its texts' mean log-probability per token as the model's output for
        that input (teacher-forced: its text tokens and the end of sentence; the decoder start and a
        forced language token are given, not scored)."""
        torch = self._torch
        from transformers.modeling_outputs import BaseModelOutput

        prefix = self._decoder_prefix(prep.gen.get("forced_bos_token_id"))
        eos = self.eos_ids[0]
        flat = [(r, prefix + self.encode_target(text) + [eos]) for r, texts in enumerate(rows) for text in texts]
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else eos
        device = self.model.device
        scores: list[float] = []
        with torch.inference_mode():
            mask = prep.enc["attention_mask"]
            hidden = self.model.get_encoder()(input_ids=prep.enc["input_ids"], attention_mask=mask).last_hidden_state
            for first in range(0, len(flat), SCORE_ROWS):
                part = flat[first:first + SCORE_ROWS]
                which = torch.tensor([r for r, _ in part], dtype=torch.long, device=device)
                width = max(len(ids) for _, ids in part)
                dec = torch.full((len(part), width), pad, dtype=torch.long, device=device)
                for k, (_, ids) in enumerate(part):
                    dec[k, :len(ids)] = torch.tensor(ids, dtype=torch.long, device=device)
                logits = self.model(encoder_outputs=BaseModelOutput(last_hidden_state=hidden.index_select(0, which)),
                                    attention_mask=mask.index_select(0, which), decoder_input_ids=dec[:, :-1]).logits
                logp = logits.float().log_softmax(-1).gather(2, dec[:, 1:].unsqueeze(-1)).squeeze(-1)
                for k, (_, ids) in enumerate(part):
                    scores.append(float(logp[k, len(prefix) - 1:len(ids) - 1].mean()))
        out: list[list[float]] = []
        for texts in rows:
            out.append(scores[:len(texts)])
            scores = scores[len(texts):]
        return out

    def _prepare(self, texts: list[str], source: str, target: str, max_length: int | None) -> "_Prepared":
        """Non-blank ``texts`` encoded for the model, with the settings every decode of them shares."""
        src, tgt = self.direction(source, target)
        spec, tok = self.spec, self.tokenizer
        batch, forced = self.prepare_inputs([t.strip() for t in texts], src, tgt)
        gen: dict[str, Any] = {}
        keep: set[int] = set(self.eos_ids)
        lead = 0  # tokens generate() produces before the text (the forced language token)
        if forced is not None:
            gen["forced_bos_token_id"] = forced
            keep.add(forced)
            lead = 1

        limit = MAX_INPUT_TOKENS
        max_pos = getattr(self.model.config, "max_position_embeddings", None)
        if isinstance(max_pos, int) and max_pos > 8:
            limit = min(limit, max_pos - 2)
        enc = tok(batch, return_tensors="pt", padding=True, truncation=True, max_length=limit)
        enc = {k: v.to(self.model.device) for k, v in enc.items() if k in ("input_ids", "attention_mask")}
        longest = int(enc["attention_mask"].sum(dim=1).max())
        cap = max_length or spec.max_length
        budget = min(cap, 3 * longest + 16)
        suppress = sorted(self._non_text_ids - keep)
        return _Prepared(enc, gen, lead, budget, suppress, tgt)

    # -- terms -----------------------------------------------------------------------------

    def _decode_with_terms(self, enc: dict[str, Any], generate_kwargs: dict[str, Any],
                           rows: list[list[tuple[str, ...]]], budget: int, lead: int,
                           tgt: str) -> tuple[list[str], list[list[str]]]:
        from ..constraints import TermDecoding

        positions = self._max_positions()
        job = TermDecoding(
            model=self.model, encoded=enc, generate_kwargs=generate_kwargs,
            decoder_prefix=self._decoder_prefix(generate_kwargs.get("forced_bos_token_id") if lead else None),
            budget=budget, min_new_tokens=1 + lead, eos_ids=self.eos_ids, speller=self.term_speller(),
            language=tgt, options=self.constraint_options, max_positions=positions,
        )
        return job.run(rows)

    def _decoder_prefix(self, forced: int | None) -> list[int]:
        """What precedes the text in every output: the decoder start token, then any forced language token."""
        start = self.model.generation_config.decoder_start_token_id
        if start is None:
            start = self.model.config.decoder_start_token_id
        return [int(start)] + ([int(forced)] if forced is not None else [])

    def _max_positions(self) -> int | None:
        positions = getattr(self.model.config, "max_position_embeddings", None)
        return positions if isinstance(positions, int) else None

    @property
    def revision(self) -> str:
        """The Hub commit (snapshot folder) or a short hash of config.json and the weight files."""
        return self._revision
