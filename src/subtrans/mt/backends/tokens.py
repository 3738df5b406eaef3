"""The tokenizer side that the ``hf`` and ``ct2`` backends share.

Both backends read the same transformers tokenizer from the model folder and
choose the target language the same way (see :mod:`.hf` for the rules per
architecture), so that a sentence is tokenised, constrained and decoded
identically whichever engine runs the model.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import ModelError
from ..catalog import direction_error, model_languages

if TYPE_CHECKING:  # pragma: no cover
    from ..catalog import ModelSpec
    from ..constraints import TermSpeller

__all__ = ["Tokens", "MAX_INPUT_TOKENS", "MODEL_TYPES", "first_line"]

#: config.json ``model_type`` values each catalog architecture may have.
MODEL_TYPES = {"t5": ("t5", "mt5"), "m2m100": ("m2m_100",), "nllb": ("m2m_100",), "marian": ("marian",),
               "qwen3": ("qwen3",), "mistral": ("mistral",), "gemma3": ("gemma3", "gemma3_text"),
               "hunyuan": ("hunyuan_v1_dense",)}
#: Input tokens beyond this are cut (subtitle sentences are far shorter).
MAX_INPUT_TOKENS = 512


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


class Tokens:
    """Mixin: the tokenizer of ``self.spec``'s folder, language tokens, target-side encode/decode.

    After :meth:`load_tokenizer`: ``tokenizer``, ``eos_ids``, and the ids
    that are never text (special and language tokens).
    """

    spec: ModelSpec
    # transformers' tokenizer and config, or light_tokens' stand-ins for them (duck-typed alike)
    tokenizer: Any
    model_config: Any
    eos_ids: list[int]
    _language_ids: dict[str, int]
    _non_text_ids: set[int]
    _speller: TermSpeller | None

    def load_tokenizer(self, folder: Path) -> None:
        from transformers import AutoConfig, AutoTokenizer
        from transformers.utils import logging as hf_logging

        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()
        try:
            config = AutoConfig.from_pretrained(folder, local_files_only=True, trust_remote_code=False)
            expected = MODEL_TYPES.get(self.spec.architecture, ())
            if config.model_type not in expected:
                raise ModelError(f"config.json says model_type {config.model_type!r}, the catalog says "
                                 f"{self.spec.architecture}", path=folder, hint="check --model")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Marian: "Recommended: pip install sacremoses"
                self.tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True,
                                                               trust_remote_code=False)
        except ModelError:
            raise
        except Exception as exc:
            raise ModelError(f"cannot load the tokenizer: {first_line(exc)}", path=folder,
                             hint="the folder needs config.json and tokenizer files; download it again "
                                  "or pass --model PATH to a complete folder") from None
        finally:
            hf_logging.set_verbosity(verbosity)
        self.model_config = config
        self._language_ids = self._find_language_ids()
        self._non_text_ids = set(self.tokenizer.all_special_ids) | set(self._language_ids.values())
        eos = config.eos_token_id if config.eos_token_id is not None else self.tokenizer.eos_token_id
        self.eos_ids = [eos] if isinstance(eos, int) else sorted(set(eos or ()))
        self._speller = None

    def load_light_tokenizer(self, converted: Path) -> None:
        """The tokenizer :mod:`.light_tokens` saved beside a CTranslate2 conversion, read without
        transformers (the same ids and text, and the same attributes as :meth:`load_tokenizer` sets)."""
        from .light_tokens import LightTokenizer

        try:
            tok = LightTokenizer(converted)
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise ModelError(f"cannot load the saved tokenizer: {first_line(exc)}", path=converted,
                             hint="delete that folder to convert the model again") from None
        expected = MODEL_TYPES.get(self.spec.architecture, ())
        if tok.config.model_type not in expected:
            raise ModelError(f"config.json says model_type {tok.config.model_type!r}, the catalog says "
                             f"{self.spec.architecture}", path=converted, hint="check --model")
        self.tokenizer = tok
        self.model_config = tok.config
        self._language_ids = dict(tok.language_ids)
        self._non_text_ids = set(tok.all_special_ids) | set(self._language_ids.values())
        eos = tok.config.eos_token_id if tok.config.eos_token_id is not None else tok.eos_token_id
        self.eos_ids = [eos] if isinstance(eos, int) else sorted(set(eos or ()))
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

    def language_token_id(self, code: str) -> int:
        tok = self.tokenizer
        token = f"__{code}__" if hasattr(tok, "lang_token_to_id") and not code.startswith("__") else code
        i = self._language_ids.get(token)
        if i is None:
            i = tok.convert_tokens_to_ids(token)
            if not isinstance(i, int) or i == tok.unk_token_id:
                raise ModelError(f"the tokenizer of {self.spec.name} has no language token {token!r}",
                                 path=self.spec.path, text=token, hint="check [codes] in the catalog entry")
        return i

    def direction(self, source: str, target: str) -> tuple[str, str]:
        """The (source, target) languages to ask the model for (see :func:`model_languages`)."""
        langs = model_languages(self.spec, source, target)
        if langs is None:
            raise direction_error(self.spec, source, target)
        return langs

    def prepare_inputs(self, texts: list[str], src: str, tgt: str) -> tuple[list[str], int | None]:
        """The texts as the model reads them, and the forced first target token (or None).

        T5: the task prefix. M2M100/NLLB: ``tokenizer.src_lang`` is set and
        the target language token is forced. Marian: the target token
        (``>>cmn_Hans<<``) of a multi-target model is prepended.
        """
        spec = self.spec
        if spec.target_by == "prefix":
            return [spec.codes.get(tgt, "") + t for t in texts], None
        if spec.target_by == "forced_bos":
            self.tokenizer.src_lang = spec.codes[src]
            return list(texts), self.language_token_id(spec.codes[tgt])
        if spec.codes.get(tgt):
            return [f"{spec.codes[tgt]} {t}" for t in texts], None
        return list(texts), None

    # -- target side ----------------------------------------------------------------------

    def encode_target(self, text: str) -> list[int]:
        """``text`` tokenised as the decoder writes it (Marian: the target SentencePiece model)."""
        tok = self.tokenizer
        if self.spec.architecture == "marian":
            return list(tok(text_target=text, add_special_tokens=False)["input_ids"])
        return list(tok(text, add_special_tokens=False)["input_ids"])

    def decode_ids(self, ids: list[int]) -> str:
        """One output sequence as text: special and language tokens dropped, stripped."""
        drop = self._non_text_ids
        text: str = self.tokenizer.decode([t for t in ids if t not in drop], skip_special_tokens=True,
                                          clean_up_tokenization_spaces=False)
        return text.strip()

    def term_speller(self) -> TermSpeller:
        """The :class:`~subtrans.mt.constraints.TermSpeller` of this tokenizer (built once)."""
        if self._speller is None:
            from ..constraints import TermSpeller

            self._speller = TermSpeller(self.tokenizer, self.encode_target, self.decode_ids,
                                        unusable_ids=self._non_text_ids)
        return self._speller
