"""The tokenizer of a converted model without transformers (and so without torch): what the ``ct2`` backend
needs at translation time, written once beside the CTranslate2 conversion.

Loading a transformers tokenizer imports transformers and torch: about 2 s and hundreds of MB, to read
one tokenizer. When a model is converted (or first loaded with transformers), :func:`save_light` writes
into the conversion folder what encoding and decoding need: the tokenizer's own files (``tokenizer.json``
of a ``tokenizers`` tokenizer, T5 and NLLB; the SentencePiece models and ``vocab.json`` of M2M100 and
Marian), the id of every token, the special and language ids, and, per source language, the ids the
tokenizer puts before and after a sentence. :class:`LightTokenizer` reads them back with the
``tokenizers`` library or ``sentencepiece`` alone and answers the calls the backend makes (encode with
truncation, target-side encode, decode, ids and tokens) with the same ids and text as transformers
(``tests/test_light_tokens.py`` compares them on every architecture of the catalog).

A Marian model is read without transformers only when sacremoses is not installed: transformers then
normalises punctuation with it, which this reader does not.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:  # pragma: no cover
    from ..catalog import ModelSpec

__all__ = ["LIGHT_FILE", "LightTokenizer", "LightConfig", "save_light", "light_usable"]

LIGHT_FILE = "subtrans-tokenizer.json"
LIGHT_VERSION = 1
_PROBE = "Probe 1927."


class LightConfig:
    """The parts of a model's config.json the backend reads."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.model_type = data.get("model_type")
        self.eos_token_id = data.get("eos_token_id")
        self.max_position_embeddings = data.get("max_position_embeddings")


def light_usable(folder: Path) -> bool:
    """Whether ``folder`` (a CTranslate2 conversion) holds a light tokenizer this process can use."""
    try:
        meta = json.loads((folder / LIGHT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if meta.get("version") != LIGHT_VERSION:
        return False
    if meta["kind"] == "tokenizers":
        return importlib.util.find_spec("tokenizers") is not None
    if meta.get("family") == "marian" and importlib.util.find_spec("sacremoses") is not None:
        return False
    return importlib.util.find_spec("sentencepiece") is not None


def _affixes(tok: Any, code: str | None) -> tuple[list[int], list[int]]:
    """The ids the tokenizer puts before and after a sentence (with ``src_lang`` = ``code``)."""
    if code is not None:
        tok.src_lang = code
    full = list(tok([_PROBE])["input_ids"][0])
    bare = list(tok(_PROBE, add_special_tokens=False)["input_ids"])
    for start in range(len(full) - len(bare) + 1):
        if full[start:start + len(bare)] == bare:
            return full[:start], full[start + len(bare):]
    raise ValueError("cannot find the sentence inside its special tokens")


def save_light(tokenizer: Any, config: Any, spec: ModelSpec, language_ids: dict[str, int], out_dir: Path) -> bool:
    """Write the light tokenizer of ``tokenizer`` (loaded by transformers from ``spec``'s folder) into
    ``out_dir``, atomically. False (and nothing written) for a tokenizer it cannot stand in for."""
    assert spec.path is not None  # (the ct2 backend raised already for a model without a folder)
    folder = Path(spec.path)
    backend = getattr(tokenizer, "backend_tokenizer", None)
    family = spec.architecture
    files: dict[str, Path | str] = {}
    if backend is not None:
        kind = "tokenizers"
        files["tokenizer.json"] = backend.to_str()
    elif family == "m2m100" and (folder / "vocab.json").is_file():
        kind = "sentencepiece"
        spm = next((p for p in folder.iterdir() if p.suffix == ".model"), None)
        if spm is None:
            return False
        files["source.spm"] = spm
        files["target.spm"] = spm
        files["vocab.json"] = folder / "vocab.json"
    elif family == "marian" and all((folder / n).is_file() for n in ("source.spm", "target.spm", "vocab.json")):
        kind = "sentencepiece"
        for name in ("source.spm", "target.spm", "vocab.json"):
            files[name] = folder / name
        if (folder / "target_vocab.json").is_file():
            return False      # separate source and target vocabularies: not handled here
    else:
        return False
    vocab = tokenizer.get_vocab()
    size = max(len(tokenizer), max(vocab.values(), default=-1) + 1, max(language_ids.values(), default=-1) + 1,
               max(tokenizer.all_special_ids, default=-1) + 1)
    tokens = tokenizer.convert_ids_to_tokens(list(range(size)))
    codes = {None} if spec.target_by != "forced_bos" else set(spec.codes.values())
    affixes = {}
    try:
        for code in sorted(codes, key=lambda c: c or ""):
            affixes[code or ""] = _affixes(tokenizer, code)
    except (ValueError, KeyError, TypeError):
        return False
    eos = config.eos_token_id if config.eos_token_id is not None else tokenizer.eos_token_id
    meta = {
        "version": LIGHT_VERSION, "kind": kind, "family": family,
        "config": {"model_type": config.model_type, "eos_token_id": eos,
                   "max_position_embeddings": getattr(config, "max_position_embeddings", None)},
        "tokens": tokens, "vocab": vocab, "length": len(tokenizer),
        "special_ids": sorted(set(tokenizer.all_special_ids)),
        "unk_token_id": tokenizer.unk_token_id, "eos_token_id": tokenizer.eos_token_id,
        "language_ids": language_ids, "affixes": affixes,
        "lang_token_to_id": {str(k): int(v) for k, v in getattr(tokenizer, "lang_token_to_id", {}).items()},
        "supported_language_codes": list(getattr(tokenizer, "supported_language_codes", None) or ()),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".light-", dir=out_dir))
    try:
        for name, src in files.items():
            if isinstance(src, str):
                (tmp / name).write_text(src, encoding="utf-8")
            else:
                shutil.copyfile(src, tmp / name)
        (tmp / LIGHT_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        for name in [*files, LIGHT_FILE]:      # the meta file last: its presence says the rest is there
            os.replace(tmp / name, out_dir / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return True


class LightTokenizer:
    """The calls the ``ct2`` backend makes of a transformers tokenizer, answered from :func:`save_light`'s
    files with ``tokenizers`` or ``sentencepiece`` alone."""

    def __init__(self, folder: Path) -> None:
        meta = json.loads((folder / LIGHT_FILE).read_text(encoding="utf-8"))
        self.kind, self.family = meta["kind"], meta["family"]
        self.config = LightConfig(meta["config"])
        self._tokens: list[str | None] = meta["tokens"]
        self._vocab_dict: dict[str, int] = meta["vocab"]          # get_vocab(), as transformers gives it
        self._length: int = meta["length"]
        self._ids = {t: i for i, t in enumerate(self._tokens) if t is not None}
        self._ids.update(self._vocab_dict)
        self.all_special_ids: list[int] = meta["special_ids"]
        self._special = set(self.all_special_ids)
        self.unk_token_id: int | None = meta["unk_token_id"]
        self.eos_token_id: int | None = meta["eos_token_id"]
        self.language_ids: dict[str, int] = meta["language_ids"]
        self._affixes = {k: (list(v[0]), list(v[1])) for k, v in meta["affixes"].items()}
        if meta["lang_token_to_id"]:
            self.lang_token_to_id = meta["lang_token_to_id"]
        self.supported_language_codes = meta["supported_language_codes"] or None
        self.src_lang: str | None = None
        if self.kind == "tokenizers":
            from tokenizers import Tokenizer

            self._tk = Tokenizer.from_file(str(folder / "tokenizer.json"))
        else:
            import sentencepiece as spm

            self._source = spm.SentencePieceProcessor(model_file=str(folder / "source.spm"))
            self._target = spm.SentencePieceProcessor(model_file=str(folder / "target.spm"))
            self._vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))

    def __len__(self) -> int:
        return self._length

    def get_vocab(self) -> dict[str, int]:
        return dict(self._vocab_dict)

    @overload
    def convert_ids_to_tokens(self, ids: int) -> str | None: ...
    @overload
    def convert_ids_to_tokens(self, ids: Iterable[int]) -> list[str | None]: ...
    def convert_ids_to_tokens(self, ids: int | Iterable[int]) -> str | None | list[str | None]:
        if isinstance(ids, int):
            return self._tokens[ids] if 0 <= ids < len(self._tokens) else None
        return [self._tokens[i] if 0 <= i < len(self._tokens) else None for i in ids]

    @overload
    def convert_tokens_to_ids(self, tokens: str) -> int | None: ...
    @overload
    def convert_tokens_to_ids(self, tokens: list[str]) -> list[int | None]: ...
    def convert_tokens_to_ids(self, tokens: str | list[str]) -> int | None | list[int | None]:
        if isinstance(tokens, str):
            return self._ids.get(tokens, self.unk_token_id)
        return [self._ids.get(t, self.unk_token_id) for t in tokens]

    # -- encoding ----------------------------------------------------------------------------

    def _bare(self, text: str, target: bool) -> list[int]:
        if self.kind == "tokenizers":
            return self._tk.encode(text, add_special_tokens=False).ids
        code: list[str] = []
        if self.family == "marian" and text.startswith(">>") and (end := text.find("<<")) != -1:
            code, text = [text[:end + 2]], text[end + 2:]
        pieces = code + (self._target if target else self._source).encode(text, out_type=str)
        unk = self.unk_token_id
        return [self._vocab.get(p, unk) for p in pieces]

    def __call__(self, text: str | list[str] | None = None, *, text_target: str | list[str] | None = None,
                 add_special_tokens: bool = True, truncation: bool = False,
                 max_length: int | None = None) -> dict[str, list[int] | list[list[int]]]:
        target = text is None
        batch = text_target if target else text
        assert batch is not None  # (the backend always passes text or text_target)
        single = isinstance(batch, str)
        rows: list[list[int]] = []
        for t in [batch] if isinstance(batch, str) else batch:
            ids = self._bare(t, target)
            if add_special_tokens:
                prefix, suffix = self._affixes.get(self.src_lang or "", self._affixes.get("", ([], [])))
                if truncation and max_length is not None:
                    ids = ids[:max(max_length - len(prefix) - len(suffix), 0)]
                ids = prefix + ids + suffix
            elif truncation and max_length is not None:
                ids = ids[:max_length]
            rows.append(ids)
        return {"input_ids": rows[0] if single else rows}

    # -- decoding ----------------------------------------------------------------------------

    def decode(self, ids: Iterable[int], skip_special_tokens: bool = False, clean_up_tokenization_spaces: bool = False) -> str:
        ids = list(ids)
        if self.kind == "tokenizers":
            return self._tk.decode(ids, skip_special_tokens=skip_special_tokens)
        out, pieces = "", list[Any]()   # tokens (None for an id without one), given to sentencepiece as they are
        spm = self._target
        for i in ids:
            if i in self._special:
                if skip_special_tokens:
                    continue
                out += spm.decode(pieces) + (self._tokens[i] or "")
                pieces = []
            else:
                pieces.append(self._tokens[i] if 0 <= i < len(self._tokens) else "")
        text: str = out + spm.decode(pieces)
        return text.strip()
