"""The CTranslate2 backend: the same models as ``hf``, converted once, decoded in int8.

A resolved transformers folder (:func:`subtrans.mt.catalog.resolve_model`)
is converted with ``ctranslate2.converters.TransformersConverter`` on first
use and the result kept in ``<cache>/ct2/`` (:func:`converted_folder`), keyed
by model, revision (the Hub commit, or a hash of a local folder's weights)
and quantisation; a later run loads it directly. The conversion is written
to a temporary folder and renamed into place, so an interrupted or
concurrent conversion never leaves a half-written model that a later run
would load.

Quantisation: ``int8`` on CPU; on CUDA ``int8_float16``, except T5
(``int8_float32``: T5's activations overflow in float16).

Tokenisation and the choice of target language are the ``hf`` backend's
(:class:`~subtrans.mt.backends.tokens.Tokens`), so both backends read and
write the same token strings. The forced language token of M2M100 and NLLB
is a one-token ``target_prefix``.

Terms: CTranslate2 has no logits processors, so glossary terms are enforced
after decoding (:class:`subtrans.mt.constraints.PrefixRepair`): a term the
output lacks is put where the model most expects its first token (one
scoring pass over the candidate cut points), and the model completes the
sentence from that ``target_prefix``; as a last resort the term is
inserted before the final punctuation. Every term is present whenever the
input is not empty, as with ``hf``; the mechanisms reported are ``free``,
``repaired`` and ``appended`` (``constrained`` is the ``hf`` processor's).

Thread safety: one instance per thread, as for ``hf`` (the tokenizer's
``src_lang`` changes per call).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ...errors import EngineUnusable, ModelError
from ..catalog import ModelSpec, check_weights, folder_revision
from ..constraints import PrefixRepair, check_constraints, missing_terms
from .base import CANDIDATE_LENGTH_PENALTIES, Backend, Candidate
from .tokens import MAX_INPUT_TOKENS, Tokens, first_line

__all__ = ["CT2Backend", "converted_folder", "quantization_for", "ct2_device"]

#: Bumped when the conversion itself changes (vocabulary fixes ...): older conversions are not reused.
CONVERSION_VERSION = 1
_CONVERT_LOCK = threading.Lock()


def cpu_threads() -> tuple[int, int]:
    """(workers, threads per worker) on CPU: CTranslate2's ``inter_threads`` and ``intra_threads``.

    Measured on 2 cores (bench/translate.py): one thread per worker and the
    batch split between workers is 1.6-2x as fast as one worker with 2
    threads (OpenMP threads contend on a small machine); on more cores, up to
    4 workers share them. ``SUBTRANS_CT2_THREADS=W,T`` overrides.
    """
    explicit = os.environ.get("SUBTRANS_CT2_THREADS", "")
    if explicit:
        try:
            w, _, t = explicit.partition(",")
            return max(1, int(w)), max(0, int(t or 1))
        except ValueError:
            raise ModelError("SUBTRANS_CT2_THREADS must be WORKERS,THREADS (such as 2,1)", text=explicit) from None
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    workers = max(1, min(4, cores))
    return workers, max(1, cores // workers)


def quantization_for(device: str, architecture: str) -> str:
    """The compute type a model is converted to and run with on ``device`` (on CUDA, T5 and Gemma 3 keep
    wider activations: T5's overflow in float16, Gemma's too)."""
    if device.startswith("cuda"):
        return {"t5": "int8_float32", "gemma3": "int8_bfloat16"}.get(architecture, "int8_float16")
    return "int8"


def ct2_device(device: str | None) -> tuple[str, str, str]:
    """(device, kind, index) for CTranslate2: ``auto`` resolved, a bad or absent device refused."""
    import ctranslate2

    if device in (None, "auto"):
        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    kind, _, index = device.partition(":")
    if kind not in ("cpu", "cuda") or (index and not index.isdigit()):
        raise ModelError(f"cannot use device {device!r} with CTranslate2", text=device,
                         hint="--device cpu, cuda, cuda:N or auto")
    if kind == "cuda" and ctranslate2.get_cuda_device_count() <= int(index or 0):
        raise ModelError(f"cannot use device {device!r}: CTranslate2 sees "
                         f"{ctranslate2.get_cuda_device_count()} CUDA device(s)", text=device,
                         hint="--device cpu (or auto)")
    return device, kind, index


def converted_folder(spec: ModelSpec, revision: str, quantization: str, root: Path | None = None) -> Path:
    """Where the CTranslate2 conversion of ``spec`` at ``revision`` in ``quantization`` lives."""
    if root is None:
        from ..cache import default_cache_dir

        root = default_cache_dir() / "ct2"
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in spec.name).strip("-.") or "model"
    return Path(root) / f"{safe}--{revision}--{quantization}--v{CONVERSION_VERSION}"


def _m2m100_loader() -> Any:
    """CTranslate2's M2M100 loader, with the vocabulary fixed for transformers 5.

    transformers 5 no longer lists M2M100's 100 language tokens among the
    tokenizer's special tokens, so the stock loader builds a vocabulary
    without them and the conversion fails ("expected a vocabulary of size
    ..."). This one appends them in id order, then the made-up words up to
    the model's vocabulary size.
    """
    from ctranslate2.converters.transformers import M2M100Loader

    class Loader(M2M100Loader):  # type: ignore[misc]  # ctranslate2 ships no types: its loader class is Any
        def get_vocabulary(self, model: Any, tokenizer: Any) -> list[str]:
            tokens = [t for t, _ in sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])]
            known = set(tokens)
            languages = getattr(tokenizer, "lang_token_to_id", {}) or {}
            for token, _ in sorted(languages.items(), key=lambda item: item[1]):
                if token not in known:
                    tokens.append(token)
                    known.add(token)
            size = model.config.vocab_size
            tokens += [f"madeupword{i}" for i in range(max(0, size - len(tokens)))]
            return tokens[:size]

    return Loader()


def convert(folder: Path, target: Path, quantization: str) -> Path:
    """Convert the transformers model in ``folder`` into ``target`` (atomically); returns ``target``."""
    from ctranslate2.converters import TransformersConverter
    from ctranslate2.converters import transformers as ct2_transformers
    from transformers.utils import logging as hf_logging

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    loaders = ct2_transformers._MODEL_LOADERS
    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    with _CONVERT_LOCK:
        stock = loaders.get("M2M100Config")
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        try:
            loaders["M2M100Config"] = _m2m100_loader()
            with warnings.catch_warnings():
                # the converter loads the tokenizer too: Marian's "Recommended: pip install sacremoses"
                warnings.filterwarnings("ignore", message=".*sacremoses.*")
                TransformersConverter(str(folder), low_cpu_mem_usage=True).convert(
                    str(tmp), quantization=quantization, force=True)
        except Exception as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise EngineUnusable(f"cannot convert the model for CTranslate2: {first_line(exc)}", path=folder,
                                 hint="use --backend hf for this model") from None
        finally:
            if stock is not None:
                loaders["M2M100Config"] = stock
            hf_logging.set_verbosity(verbosity)
            if bars:
                hf_logging.enable_progress_bar()
    try:
        os.replace(tmp, target)  # atomic; fails if another process got there first
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (target / "model.bin").is_file():
            raise ModelError("cannot store the converted model", path=target,
                             hint="check that the cache folder is writable (SUBTRANS_CACHE_DIR)") from None
    return target


class CT2Backend(Tokens, Backend):
    """A transformers seq2seq model (T5, M2M100, NLLB, Marian) run by CTranslate2 on CPU or CUDA.

    ``device``: None or ``"auto"`` picks ``cuda`` when CTranslate2 sees a GPU,
    else ``cpu``. ``cache_root`` overrides where conversions are kept;
    ``quantization`` the compute type (default :func:`quantization_for`;
    ``float32`` decodes as ``hf`` does on CPU, which the tests use).
    """

    name = "ct2"

    def __init__(self, spec: ModelSpec, *, device: str | None = None, allow_pickle: bool = False,
                 cache_root: Path | None = None, quantization: str | None = None) -> None:
        if spec.path is None:
            raise ModelError(f"model {spec.name} has no local folder", text=spec.name,
                             hint="resolve it first (subtrans.mt.catalog.resolve_model)")
        folder = Path(spec.path)
        check_weights(folder, allow_pickle)
        import ctranslate2

        device, kind, index = ct2_device(device)
        super().__init__(spec, device=device, allow_pickle=allow_pickle)
        self._revision = folder_revision(folder)
        self.quantization = quantization or quantization_for(device, spec.architecture)
        self.converted = converted_folder(spec, self._revision, self.quantization, cache_root)
        from .light_tokens import light_usable, save_light

        if (self.converted / "model.bin").is_file() and light_usable(self.converted):
            # the tokenizer saved beside the conversion: neither transformers nor torch is imported
            self.load_light_tokenizer(self.converted)
        else:
            self.load_tokenizer(folder)
            if not (self.converted / "model.bin").is_file():
                convert(folder, self.converted, self.quantization)
            try:
                save_light(self.tokenizer, self.model_config, spec, self._language_ids, self.converted)
            except Exception:  # noqa: BLE001  (a shortcut for later runs: never a reason to fail this one)
                pass       # a read-only cache, a tokenizer it cannot stand in for: later runs use transformers
        self.workers, threads = cpu_threads() if kind == "cpu" else (1, 0)
        try:
            self.translator = ctranslate2.Translator(str(self.converted), device=kind,
                                                     device_index=int(index or 0),
                                                     compute_type=self.quantization,
                                                     inter_threads=self.workers, intra_threads=threads)
        except (RuntimeError, ValueError) as exc:
            raise EngineUnusable(f"cannot load the converted model: {first_line(exc)}", path=self.converted,
                                 hint="delete that folder to convert again, or use --backend hf") from None
        import json

        order: list[str] = []  # the target vocabulary, in CTranslate2's order
        for name in ("shared_vocabulary.json", "target_vocabulary.json"):
            try:
                order = json.loads((self.converted / name).read_text(encoding="utf-8"))
                break
            except (OSError, ValueError):
                continue
        self._vocab_order = order if isinstance(order, list) else []
        self._vocabulary = set(self._vocab_order) or None  # only these tokens can be suppressed
        # transformers forces end-of-sentence as the last token within max_new_tokens when the generation
        # config says forced_eos_token_id (Marian): one text token fewer, which ct2 mirrors
        try:
            generation = json.loads((folder / "generation_config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            generation = {}
        self._forced_eos = generation.get("forced_eos_token_id") is not None
        self._index: list[int] | None = None
        self._ids: list[int] | None = None
        self._suppress_cache: dict[tuple[int, ...], list[list[str]]] = {}
        #: Per text of the last ``translate`` call, per term: how it got into the output.
        self.last_enforcement: list[list[str]] = []

    # -- decoding ------------------------------------------------------------------------

    def vocabulary_ids(self) -> list[int]:
        """Row of CTranslate2's vocabulary -> tokenizer id (-1: none); the inverse of :meth:`vocabulary_index`."""
        if self._ids is None:
            index = self.vocabulary_index()
            ids = [-1] * len(self._vocab_order)
            for token, j in enumerate(index):
                if 0 <= j < len(ids):
                    ids[j] = token
            self._ids = ids
        return self._ids

    def vocabulary_index(self) -> list[int]:
        """Tokenizer id -> row of CTranslate2's vocabulary (-1: not in it)."""
        if self._index is None:
            rows = {token: i for i, token in enumerate(self._vocab_order)}
            tok = self.tokenizer
            size = max(tok.get_vocab().values(), default=-1) + 1
            size = max(size, len(tok))
            self._index = [rows.get(t, -1) if t is not None else -1
                           for t in tok.convert_ids_to_tokens(list(range(size)))]
        return self._index

    def _source_tokens(self, texts: list[str], source: str, target: str) -> tuple[list[list[str]], list[str]]:
        """Source token strings per text, and the target prefix (the forced language token, or [])."""
        batch, forced = self.prepare_inputs(texts, source, target)
        tok = self.tokenizer
        limit = MAX_INPUT_TOKENS
        positions = getattr(self.model_config, "max_position_embeddings", None)
        if isinstance(positions, int) and positions > 8:
            limit = min(limit, positions - 2)
        ids = tok(batch, truncation=True, max_length=limit)["input_ids"]
        prefix = [tok.convert_ids_to_tokens(forced)] if forced is not None else []
        return [tok.convert_ids_to_tokens(row) for row in ids], prefix

    def _suppressed(self, keep: tuple[int, ...]) -> list[list[str]]:
        hit = self._suppress_cache.get(keep)
        if hit is None:
            ids = sorted(self._non_text_ids - set(keep))
            known = self._vocabulary
            hit = [[t] for t in self.tokenizer.convert_ids_to_tokens(ids) if known is None or t in known]
            self._suppress_cache[keep] = hit
        return hit

    def split(self, rows: int) -> int:
        """``max_batch_size`` for a batch of ``rows``: one part per worker, so all of them run it."""
        return -(-rows // self.workers) if self.workers > 1 and rows > 1 else 0

    def _decode_tokens(self, tokens: list[str]) -> list[int]:
        return [int(i) for i in self.tokenizer.convert_tokens_to_ids(tokens)]

    def _run(self, sources: list[list[str]], prefixes: list[list[str]] | None, *, beams: int, budget: int,
             lead: int, keep: tuple[int, ...], n: int = 1, length_penalty: float = 1.0,
             scores: bool = False, asynchronous: bool = False) -> Any:
        return self.translator.translate_batch(
            sources, target_prefix=prefixes, beam_size=max(1, int(beams), n), num_hypotheses=n,
            max_batch_size=self.split(len(sources)),
            length_penalty=length_penalty, max_decoding_length=max(budget - self._forced_eos, 1) + lead,
            min_decoding_length=1 + lead,
            suppress_sequences=self._suppressed(keep) or None, return_scores=scores, max_input_length=0,
            asynchronous=asynchronous,
        )

    def translate(self, texts: list[str], *, source: str, target: str, beams: int = 1,
                  max_length: int | None = None,
                  constraints: Sequence[Sequence[Sequence[str]]] | None = None) -> list[str]:
        """Translate one batch; one string per input, in order. Empty inputs give "".

        ``constraints``: see :meth:`Backend.translate`; how each term got
        there is left in ``last_enforcement``.
        """
        return self._finish(self._submit(texts, source, target, beams, max_length, constraints, wait=True))

    def translate_batches(self, batches: Iterable[tuple[list[str], list[list[list[str]]] | None]], *, source: str,
                          target: str, beams: int = 1, max_length: int | None = None) -> Iterator[list[str]]:
        """Batches submitted ahead (at most two per worker and one more in flight), so that no worker
        idles while the caller stores a finished batch; yielded in order, as :meth:`Backend.translate_batches`
        says."""
        from collections import deque

        pending: deque[_Submitted] = deque()
        window = 2 * self.workers + 1
        for texts, constraints in batches:
            pending.append(self._submit(texts, source, target, beams, max_length, constraints, wait=False))
            if len(pending) >= window:
                yield self._finish(pending.popleft())
        while pending:
            yield self._finish(pending.popleft())

    def _submit(self, texts: list[str], source: str, target: str, beams: int, max_length: int | None,
                constraints: Sequence[Sequence[Sequence[str]]] | None, *, wait: bool) -> _Submitted:
        """A batch handed to CTranslate2 (``wait``: decoded now, else queued): what :meth:`_finish` needs."""
        texts = list(texts)
        terms = check_constraints(constraints, len(texts))
        todo = [i for i, t in enumerate(texts) if t and t.strip()]
        if not todo:
            return texts, terms, todo, None, None, None, None
        job = self._job([texts[i] for i in todo], source, target, beams, max_length)
        rows = [terms[i] for i in todo]
        budgets = [job.budget_for(r) for r in rows]
        results = self._run(job.sources, job.prefixes, beams=beams, budget=max(budgets), lead=job.lead,
                            keep=job.keep, asynchronous=not wait)
        return texts, terms, todo, job, rows, budgets, results

    def _finish(self, state: _Submitted) -> list[str]:
        texts, terms, todo, job, rows, budgets, results = state
        self.last_enforcement = [["skipped"] * len(t) for t in terms]
        out = [""] * len(texts)
        if not todo:
            return out
        assert job is not None and rows is not None and budgets is not None  # (todo is not empty: _submit made them)
        repairs: list[tuple[int, list[int], list[tuple[str, ...]], int]] = []
        for k, (i, result) in enumerate(zip(todo, results)):
            if hasattr(result, "result"):        # queued (asynchronous): wait for it
                result = result.result()
            seq = job.prefix_ids + self._decode_tokens(result.hypotheses[0][job.lead:])
            if rows[k]:
                repairs.append((k, seq, rows[k], budgets[k]))
            else:
                out[i] = self.decode_ids(seq)
        for (k, *_), (text, labels) in zip(repairs, job.repair.enforce(repairs)):
            out[todo[k]] = text
            self.last_enforcement[todo[k]] = labels
        return out

    def candidates(self, texts: list[str], *, source: str, target: str, n: int = 4, beams: int = 1,
                   max_length: int | None = None,
                   constraints: list[list[list[str]]] | None = None) -> list[list[Candidate]]:
        """Up to ``n`` alternatives per text: the n-best of beam searches with the length penalties of
        :data:`~subtrans.mt.backends.base.CANDIDATE_LENGTH_PENALTIES` (the second favours shorter
        outputs), each scored by the model as its mean log-probability per token, best first.

        The translation :meth:`translate` gives (with its terms enforced) is
        always among them; another candidate that lacks a term is dropped
        (CTranslate2 cannot steer the n-best towards the terms, as the ``hf``
        processor does, so with a glossary fewer alternatives survive).
        """
        texts = list(texts)
        terms = check_constraints(constraints, len(texts))
        out: list[list[Candidate]] = [[] for _ in texts]
        todo = [i for i, t in enumerate(texts) if t and t.strip()]
        if not todo:
            return out
        best = self.translate([texts[i] for i in todo], source=source, target=target, beams=beams,
                              max_length=max_length, constraints=[terms[i] for i in todo])
        enforced = self.last_enforcement
        job = self._job([texts[i] for i in todo], source, target, beams, max_length)
        budget = job.budget
        whole = not job.language.startswith("zh")  # Russian terms count as whole words
        found: list[dict[str, tuple[str, ...]]] = [{} for _ in todo]
        for penalty in CANDIDATE_LENGTH_PENALTIES:
            results = self._run(job.sources, job.prefixes, beams=max(beams, n), budget=budget, lead=job.lead,
                                keep=job.keep, n=n, length_penalty=penalty)
            for k, result in enumerate(results):
                for hyp in result.hypotheses:
                    text = self.decode_ids(job.prefix_ids + self._decode_tokens(hyp[job.lead:]))
                    row = terms[todo[k]]
                    if text and text not in found[k] and not missing_terms(text, row, whole_words=whole):
                        found[k][text] = ("free",) * len(row)
        for k in range(len(todo)):
            found[k].pop(best[k], None)
            found[k] = {best[k]: tuple(enforced[k]), **found[k]}
        # one scoring pass: the mean log-probability per token (end of sentence included) of every candidate
        flat = [(k, text) for k in range(len(todo)) for text in found[k]]
        tok = self.tokenizer
        scored = self.translator.score_batch(
            [job.sources[k] for k, _ in flat],
            [job.prefix_tokens + tok.convert_ids_to_tokens(self.encode_target(text)) for _, text in flat],
            offset=job.lead, max_input_length=0, max_batch_size=self.split(len(flat)))
        for (k, text), s in zip(flat, scored):
            logp = list(s.log_probs)
            out[todo[k]].append(Candidate(text, sum(logp) / max(1, len(logp)), found[k][text]))
        for k, i in enumerate(todo):
            ranked = sorted(out[i], key=lambda c: -c.score)
            top = ranked[:max(1, n)]
            if all(c.text != best[k] for c in top):  # the 1-best translation is always offered
                top[-1] = next(c for c in ranked if c.text == best[k])
            out[i] = top
        return out

    def _job(self, texts: list[str], source: str, target: str, beams: int, max_length: int | None) -> "_Job":
        src, tgt = self.direction(source, target)
        sources, prefix = self._source_tokens([t.strip() for t in texts], src, tgt)
        longest = max(len(s) for s in sources)
        cap = max_length or self.spec.max_length
        budget = min(cap, 3 * longest + 16)
        return _Job(self, sources, prefix, budget, tgt, beams)

    @property
    def revision(self) -> str:
        """The Hub commit (snapshot folder) or a short hash of config.json and the weight files."""
        return self._revision


#: What :meth:`CT2Backend._submit` hands to :meth:`CT2Backend._finish`: the texts, their terms, the indices of
#: the non-empty texts, and (None when there are none) the job, its rows of terms, budgets and CTranslate2's results.
_Submitted = tuple[list[str], list[list[tuple[str, ...]]], list[int], "_Job | None",
                   "list[list[tuple[str, ...]]] | None", "list[int] | None", Any]


class _Job:
    """One batch's source tokens, target prefix and budget, and the term repair that works on them."""

    def __init__(self, backend: CT2Backend, sources: list[list[str]], prefix: list[str], budget: int,
                 language: str, beams: int) -> None:
        self.backend = backend
        self.sources = sources
        self.prefix_tokens = prefix
        self.lead = len(prefix)
        self.prefixes = [list(prefix) for _ in sources] if prefix else None
        self.prefix_ids = backend._decode_tokens(prefix)
        self.budget = budget
        self.beams = beams
        self.language = language
        eos = backend.eos_ids
        self.keep = tuple(sorted(set(eos) | set(self.prefix_ids)))
        self.repair = PrefixRepair(speller=backend.term_speller(), language=language, lead_ids=self.prefix_ids,
                                   eos_ids=eos, score=self._score, complete=self._complete)

    def budget_for(self, terms: list[tuple[str, ...]]) -> int:
        need = sum(self.repair.spell(t).min_length for t in terms)
        return max(self.budget, need)

    def _score(self, requests: list[tuple[int, list[int]]]) -> list["_Steps"]:
        """Per (row, decoder sequence): its steps' log-probabilities, from one teacher-forced pass.

        CTranslate2 returns the vocabulary logits of every step when asked
        (``return_logits_vocab``), the steps of a forced ``target_prefix``
        included: decoding one token past the sequence gives them all, and
        the distribution of the token that would follow it.
        """
        if not requests:
            return []
        backend, tok = self.backend, self.backend.tokenizer
        results = backend.translator.translate_batch(
            [self.sources[row] for row, _ in requests],
            target_prefix=[tok.convert_ids_to_tokens(seq) for _, seq in requests], beam_size=1,
            max_decoding_length=max(len(seq) for _, seq in requests) + 1, return_logits_vocab=True,
            max_input_length=0, max_batch_size=backend.split(len(requests)))
        return [_Steps(r.logits[0], backend.vocabulary_index()) for r in results]

    def _complete(self, requests: list[tuple[int, list[int], int]]) -> list[list[int]]:
        """The model's continuation of each forced decoder sequence (lead ids included).

        In Russian the first token after a forced term must not glue letters
        onto it ("Пекин" + "ом" is another word, "Пекин" + "看" no word at
        all): that token is the model's most likely one among those that
        start a new word, are punctuation or end the sentence (one pass), and
        the model completes the sentence from there.
        """
        if not requests:
            return []
        backend = self.backend
        seqs = [list(forced) for _, forced, _ in requests]
        rooms = [room for _, _, room in requests]
        if not self.language.startswith("zh"):
            banned = set(backend.term_speller().glued_ids) | (backend._non_text_ids - set(backend.eos_ids))
            eos = set(backend.eos_ids)
            for k, steps in enumerate(self._score([(row, forced) for row, forced, _ in requests])):
                token = steps.best(len(seqs[k]), banned, backend.vocabulary_ids())
                if token is None or token in eos:
                    rooms[k] = 0  # the sentence ends after the term
                else:
                    seqs[k].append(token)
                    rooms[k] -= 1
        todo = [k for k in range(len(requests)) if rooms[k] > 0]
        if todo:
            tok = backend.tokenizer
            longest = max(len(seqs[k]) + rooms[k] for k in todo)
            results = backend._run([self.sources[requests[k][0]] for k in todo],
                                   [tok.convert_ids_to_tokens(seqs[k]) for k in todo], beams=self.beams,
                                   budget=longest - self.lead, lead=self.lead, keep=self.keep)
            for k, r in zip(todo, results):
                seqs[k] = self.prefix_ids + backend._decode_tokens(r.hypotheses[0][self.lead:])
        return seqs


class _Steps:
    """The log-probabilities of each decoding step of one sequence (CTranslate2 vocabulary logits)."""

    def __init__(self, logits: Any, index: list[int]) -> None:
        self._logits = logits  # CTranslate2's logits of each step (a StorageView or array per step)
        self._index = index  # tokenizer id -> row of the logits (-1: none)
        self._cache: dict[int, Any] = {}

    def _row(self, position: int) -> Any:  # a numpy array of log-probabilities
        row = self._cache.get(position)
        if row is None:
            import numpy as np

            x = np.asarray(self._logits[position], dtype=np.float32)
            top = float(x.max())
            row = self._cache[position] = x - (top + float(np.log(np.exp(x - top).sum())))
        return row

    def logp(self, position: int, token: int) -> float:
        """log p(token at ``position`` | the tokens before it); -inf if unknown."""
        if position >= len(self._logits) or not 0 <= token < len(self._index) or self._index[token] < 0:
            return float("-inf")
        return float(self._row(position)[self._index[token]])

    __call__ = logp

    def best(self, position: int, banned: set[int], ids: list[int]) -> int | None:
        """The most likely tokenizer id at ``position`` that is not ``banned`` (``ids``: logits row ->
        tokenizer id, -1 for none); None when the first 512 are all banned."""
        if position >= len(self._logits):
            return None
        import numpy as np

        row = self._row(position)
        top = np.argpartition(-row, min(511, len(row) - 1))[:512]
        for j in top[np.argsort(-row[top])].tolist():
            token = ids[j] if j < len(ids) else -1
            if token >= 0 and token not in banned:
                return token
        return None
