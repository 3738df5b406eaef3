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

Thread safety: an instance holds a tokenizer whose state changes per call
(``src_lang``) and a model; use one instance per thread. The weights are
read-only, but share them across threads only if you serialise calls.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import ModelError
from ..catalog import ModelSpec, check_weights, direction_error, folder_revision, model_languages
from ..constraints import ConstraintOptions, check_constraints
from .base import Backend, register_backend

__all__ = ["HFBackend"]

_MODEL_TYPES = {"t5": ("t5", "mt5"), "m2m100": ("m2m_100",), "nllb": ("m2m_100",), "marian": ("marian",)}
#: Input tokens beyond this are cut (subtitle sentences are far shorter).
MAX_INPUT_TOKENS = 512


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


@register_backend
class HFBackend(Backend):
    """A transformers seq2seq model (T5, M2M100, NLLB, Marian) on CPU or CUDA.

    ``device``: None or ``"auto"`` picks ``cuda`` when available, else
    ``cpu``; any torch device string is accepted. On CPU the weights are
    float32; on CUDA float16, except T5 (float32: T5 overflows in float16).
    """

    name = "hf"
    #: How terms are enforced (:class:`~subtrans.mt.constraints.ConstraintOptions`); benchmarks change it.
    constraint_options: ConstraintOptions = ConstraintOptions()

    def __init__(self, spec: ModelSpec, *, device: str | None = None, allow_pickle: bool = False) -> None:
        if spec.path is None:
            raise ModelError(f"model {spec.name} has no local folder", text=spec.name,
                             hint="resolve it first (subtrans.mt.catalog.resolve_model)")
        folder = Path(spec.path)
        kind = check_weights(folder, allow_pickle)
        import torch
        from transformers import AutoConfig, AutoModelForSeq2SeqLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        if device in (None, "auto"):
            device = "cuda" if torch.cuda.is_available() else "cpu"
        super().__init__(spec, device=device, allow_pickle=allow_pickle)
        self._torch = torch
        if device.startswith("cuda") and spec.architecture != "t5":
            dtype = torch.float16
        else:
            dtype = torch.float32
        verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
        hf_logging.set_verbosity_error()  # no "weights not initialised" chatter, no progress bars
        hf_logging.disable_progress_bar()
        try:
            config = AutoConfig.from_pretrained(folder, local_files_only=True, trust_remote_code=False)
            expected = _MODEL_TYPES.get(spec.architecture, ())
            if config.model_type not in expected:
                raise ModelError(f"config.json says model_type {config.model_type!r}, the catalog says "
                                 f"{spec.architecture}", path=folder, hint="check --model")
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Marian: "Recommended: pip install sacremoses"
                self.tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True,
                                                               trust_remote_code=False)
            self.model = AutoModelForSeq2SeqLM.from_pretrained(
                folder, local_files_only=True, trust_remote_code=False, use_safetensors=(kind == "safetensors"),
                dtype=dtype,
            )
        except ModelError:
            raise
        except Exception as exc:  # corrupt or missing files, unsupported classes ...
            raise ModelError(f"cannot load the model: {_first_line(exc)}", path=folder,
                             hint="the folder needs config.json, tokenizer files and weights; download it again "
                                  "or pass --model PATH to a complete folder") from None
        finally:
            hf_logging.set_verbosity(verbosity)
            if bars:
                hf_logging.enable_progress_bar()
        try:
            self.model.to(device)
        except (RuntimeError, AssertionError, ValueError) as exc:  # no such device, CUDA not compiled in ...
            raise ModelError(f"cannot use device {device!r}: {_first_line(exc)}", text=device,
                             hint="--device cpu, cuda, cuda:N or auto") from None
        self.model.eval()
        self._revision = folder_revision(folder)
        self._language_ids = self._find_language_ids()
        special = set(self.tokenizer.all_special_ids) | set(self._language_ids.values())
        self._non_text_ids = special
        self._eos_id = self.model.generation_config.eos_token_id
        if self._eos_id is None:
            self._eos_id = self.tokenizer.eos_token_id
        #: Per text of the last ``translate`` call, per term: how it got into the output
        #: ("free", "constrained", "repaired", "appended"; "skipped" for an empty input).
        self.last_enforcement: list[list[str]] = []
        self._speller = None

    # -- languages ------------------------------------------------------------------------

    def _find_language_ids(self) -> dict[str, int]:
        """Token -> id for every language token the tokenizer knows (M2M100, NLLB, Marian ``>>xx<<``)."""
        tok = self.tokenizer
        out: dict[str, int] = {}
        if hasattr(tok, "lang_token_to_id"):  # M2M100: "__zh__" after vocab.json
            out.update({str(k): int(v) for k, v in tok.lang_token_to_id.items()})
        if self.spec.architecture == "nllb":
            try:
                from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES
            except ImportError:  # pragma: no cover
                FAIRSEQ_LANGUAGE_CODES = list(self.spec.codes.values())
            unk = tok.unk_token_id
            for code in FAIRSEQ_LANGUAGE_CODES:
                i = tok.convert_tokens_to_ids(code)
                if isinstance(i, int) and i != unk:
                    out[code] = i
        for code in getattr(tok, "supported_language_codes", None) or ():  # Marian >>xx<<
            i = tok.convert_tokens_to_ids(code)
            if isinstance(i, int):
                out[code] = i
        return out

    def _language_token_id(self, code: str) -> int:
        tok = self.tokenizer
        token = f"__{code}__" if hasattr(tok, "lang_token_to_id") and not code.startswith("__") else code
        i = self._language_ids.get(token)
        if i is None:
            i = tok.convert_tokens_to_ids(token)
            if not isinstance(i, int) or i == tok.unk_token_id:
                raise ModelError(f"the tokenizer of {self.spec.name} has no language token {token!r}",
                                 path=self.spec.path, text=token, hint="check [codes] in the catalog entry")
        return i

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
        langs = model_languages(self.spec, source, target)
        if langs is None:
            raise direction_error(self.spec, source, target)
        src, tgt = langs
        spec, tok = self.spec, self.tokenizer
        batch = [texts[i].strip() for i in todo]
        gen: dict = {}
        keep: set[int] = {self._eos_id} if isinstance(self._eos_id, int) else set(self._eos_id or ())
        lead = 0  # tokens generate() produces before the text (the forced language token)
        if spec.target_by == "prefix":
            batch = [spec.codes.get(tgt, "") + t for t in batch]
        elif spec.target_by == "forced_bos":
            tok.src_lang = spec.codes[src]
            forced = self._language_token_id(spec.codes[tgt])
            gen["forced_bos_token_id"] = forced
            keep.add(forced)
            lead = 1
        elif spec.codes.get(tgt):  # Marian multi-target: ">>cmn_Hans<< text"
            batch = [f"{spec.codes[tgt]} {t}" for t in batch]

        limit = MAX_INPUT_TOKENS
        max_pos = getattr(self.model.config, "max_position_embeddings", None)
        if isinstance(max_pos, int) and max_pos > 8:
            limit = min(limit, max_pos - 2)
        enc = tok(batch, return_tensors="pt", padding=True, truncation=True, max_length=limit)
        enc = {k: v.to(self.model.device) for k, v in enc.items() if k in ("input_ids", "attention_mask")}
        longest = int(enc["attention_mask"].sum(dim=1).max())
        cap = max_length or spec.max_length
        budget = min(cap, 3 * longest + 16)
        max_new = budget + lead
        suppress = sorted(self._non_text_ids - keep)
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

    # -- terms -----------------------------------------------------------------------------

    def _decode_with_terms(self, enc: dict, generate_kwargs: dict, rows: list, budget: int, lead: int,
                           tgt: str) -> tuple[list[str], list[list[str]]]:
        from ..constraints import TermDecoding

        config = self.model.config
        start = self.model.generation_config.decoder_start_token_id
        if start is None:
            start = config.decoder_start_token_id
        prefix = [int(start)] + ([int(generate_kwargs["forced_bos_token_id"])] if lead else [])
        eos = self._eos_id
        eos_ids = [eos] if isinstance(eos, int) else sorted(set(eos or ()))
        positions = getattr(config, "max_position_embeddings", None)
        job = TermDecoding(
            model=self.model, encoded=enc, generate_kwargs=generate_kwargs, decoder_prefix=prefix, budget=budget,
            min_new_tokens=1 + lead, eos_ids=eos_ids, speller=self._term_speller(), language=tgt,
            options=self.constraint_options, max_positions=positions if isinstance(positions, int) else None,
        )
        return job.run(rows)

    def _term_speller(self):
        if self._speller is None:
            from ..constraints import TermSpeller

            self._speller = TermSpeller(self.tokenizer, self._encode_target, self._decode_ids,
                                        unusable_ids=self._non_text_ids)
        return self._speller

    def _encode_target(self, text: str) -> list[int]:
        """``text`` tokenised as the decoder writes it (Marian: the target SentencePiece model)."""
        tok = self.tokenizer
        if self.spec.architecture == "marian":
            return list(tok(text_target=text, add_special_tokens=False)["input_ids"])
        return list(tok(text, add_special_tokens=False)["input_ids"])

    def _decode_ids(self, ids: list[int]) -> str:
        """One output sequence as text, as :meth:`translate` decodes it."""
        drop = self._non_text_ids
        return self.tokenizer.decode([t for t in ids if t not in drop], skip_special_tokens=True,
                                     clean_up_tokenization_spaces=False).strip()

    @property
    def revision(self) -> str:
        """The Hub commit (snapshot folder) or a short hash of config.json and the weight files."""
        return self._revision
