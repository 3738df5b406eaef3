"""Stage 3, the translation memory: each distinct text translated once, the memory first.

:class:`Memory` looks texts up in the cache (:mod:`subtrans.mt.cache`) and
sends the rest to the engine, shortest first in batches, storing each batch
as soon as it is decoded, so an interrupted job resumes where it stopped. It
does the same for the alternatives that fitting asks for.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Callable

from ..errors import ModelError
from .engine import offers_candidates

if TYPE_CHECKING:  # pragma: no cover
    from ..glossary import Glossary
    from ..mt.backends.base import Backend, Candidate
    from ..mt.cache import Cache
    from ..mt.catalog import ModelSpec
    from .engine import LazyEngine
    from .languages import Languages

__all__ = ["Memory", "memory_contexts", "dump_candidates", "load_candidates"]


def memory_contexts(*, spec: ModelSpec, engine: Backend | LazyEngine, languages: Languages, beams: int,
                    max_length: int | None, glossary: Glossary | None, candidates: int) -> tuple[str, str]:
    """The memory's keys for this job's translations and for its alternatives: everything that decides
    the output (a change in any part starts afresh; the parts are those of every earlier release)."""
    from ..mt.cache import cache_context

    parts = dict(model=spec.name, hub_id=spec.hub_id, revision=engine.revision, backend=engine.name,
                 source=languages.model_source, target=languages.model_target, beams=beams,
                 max_length=max_length, glossary=glossary.hash if glossary else None, pipeline=1)
    return cache_context(**parts), cache_context(**parts, candidates=candidates)


class Memory:
    """Translates distinct texts once: the cache first, then the engine in sorted batches.

    ``result`` maps each text to its translation; ``how``, per text with
    terms, how each term got into it (:mod:`subtrans.mt.constraints`).
    """

    def __init__(self, cache: Cache, engine: Backend | LazyEngine, *, context: str, alternatives_context: str, source: str, target: str,
                 beams: int, batch_size: int, max_length: int | None,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.cache, self.engine = cache, engine
        self.context, self.alternatives_context = context, alternatives_context
        self.source, self.target, self.beams = source, target, beams
        self.batch_size, self.max_length, self.progress = batch_size, max_length, progress
        self.result: dict[str, str] = {}
        self.how: dict[str, list[str]] = {}
        self.cleaned: dict[str, str] = {}   # text -> what the model added that was not a translation (LLMs)
        self.unique = self.cached = self.translated = 0
        self.alternatives_decoded = self.alternatives_cached = 0
        self._fresh: set[str] = set()   # texts whose candidates were decoded in this run
        # A custom backend may not enforce terms: it then translates freely, and the term report
        # (checked on the output) says which terms are missing.
        self.constrains = "constraints" in inspect.signature(engine.translate).parameters

    def run(self, texts: list[str], constraints: dict[str, list[list[str]]] | None = None) -> None:
        """Translate ``texts`` (each once); ``constraints`` maps a text to the terms its translation must hold."""
        constraints = constraints or {}
        todo = [t for t in dict.fromkeys(texts) if t not in self.result]
        self.unique += len(todo)
        hits = self.cache.get_many(self.context, todo) if todo else {}
        self.result.update(hits)
        self.cached += len(hits)
        missing = sorted((t for t in todo if t not in hits), key=len)
        done = 0
        if self.progress:
            self.progress(0, len(missing))
        batches = [missing[start:start + self.batch_size] for start in range(0, len(missing), self.batch_size)]
        asks = [(batch, [constraints.get(t, []) for t in batch]
                 if self.constrains and any(t in constraints for t in batch) else None) for batch in batches]
        # An engine that decodes batches side by side (ct2) gets them all, and gives them back in order:
        # each is stored as it comes, so an interrupted job still resumes from the last one stored.
        stream = getattr(self.engine, "translate_batches", None)
        if stream is not None:
            results = stream(asks, source=self.source, target=self.target, beams=self.beams,
                             max_length=self.max_length)
        else:
            results = (self.engine.translate(batch, source=self.source, target=self.target, beams=self.beams,
                                             max_length=self.max_length,
                                             **({"constraints": terms} if terms is not None else {}))
                       for batch, terms in asks)
        for (batch, terms), out in zip(asks, results):
            if len(out) != len(batch):
                raise ModelError(f"backend returned {len(out)} translations for {len(batch)} sentences")
            how = getattr(self.engine, "last_enforcement", None) if terms is not None else None
            if how and len(how) == len(batch):
                self.how.update((t, list(h)) for t, h in zip(batch, how) if t in constraints)
            cleaned = getattr(self.engine, "last_cleaned", None)
            if cleaned and len(cleaned) == len(batch):
                self.cleaned.update((t, c) for t, c in zip(batch, cleaned) if c)
            pairs = list(zip(batch, out))
            self.cache.put_many(self.context, pairs)   # committed: an interrupted job resumes from here
            self.result.update(pairs)
            self.translated += len(batch)
            done += len(batch)
            if self.progress:
                self.progress(done, len(missing))

    def alternatives(self, texts: list[str], constraints: dict[str, list[list[str]]],
                     n: int) -> dict[str, list[Candidate]] | None:
        """Up to ``n`` candidates per text (:meth:`Backend.candidates`): the memory first (stored as JSON
        under their own context), then the engine, shortest first in batches, each batch stored as soon
        as it is decoded. None when texts are missing from the memory and the engine offers no
        candidates."""
        todo = list(dict.fromkeys(texts))
        found: dict[str, list[Candidate]] = {}
        for text, value in (self.cache.get_many(self.alternatives_context, todo) if todo else {}).items():
            cands = load_candidates(value)
            if cands is not None:
                found[text] = cands
        self.alternatives_cached += len(found)
        missing = sorted((t for t in todo if t not in found), key=len)
        if missing and not offers_candidates(self.engine):
            return None
        for start in range(0, len(missing), self.batch_size):
            batch = missing[start:start + self.batch_size]
            kwargs: dict[str, list[list[list[str]]]] = {}
            if any(t in constraints for t in batch):
                kwargs["constraints"] = [constraints.get(t, []) for t in batch]
            out = self.engine.candidates(batch, source=self.source, target=self.target, n=n, beams=self.beams,
                                         max_length=self.max_length, **kwargs)
            if len(out) != len(batch):
                raise ModelError(f"backend returned candidates for {len(out)} of {len(batch)} sentences")
            self.cache.put_many(self.alternatives_context, [(t, dump_candidates(c)) for t, c in zip(batch, out)])
            found.update(zip(batch, out))
            self._fresh.update(batch)
            self.alternatives_decoded += len(batch)
        return found

    def chose(self, text: str, candidate: Candidate) -> None:
        """``candidate`` replaces the translation of ``text``: its terms' mechanisms go to the term
        report (candidates served from the memory count as cached, like translations)."""
        if text in self._fresh and candidate.terms:
            self.how[text] = list(candidate.terms)
        else:
            self.how.pop(text, None)


def dump_candidates(candidates: Iterable[Candidate]) -> str:
    """Candidates as the memory stores them (a JSON list of [text, score, terms])."""
    return json.dumps([[c.text, c.score, list(c.terms)] for c in candidates], ensure_ascii=False)


def load_candidates(value: str) -> list[Candidate] | None:
    """Candidates stored by :func:`dump_candidates`; None for anything else (decoded again)."""
    from ..mt.backends.base import Candidate

    try:
        return [Candidate(str(text), float(score), tuple(map(str, terms))) for text, score, terms in json.loads(value)]
    except (ValueError, TypeError):
        return None
