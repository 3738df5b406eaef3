"""The Translator: a model loaded once, and the pipeline's stages run over a track in order.

Nothing here imports torch or transformers; the backend does, when it loads.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..errors import ConfigError
from ..model import Track
from .assembly import Translation, assemble, bilingual_track, signature, term_warnings
from .engine import LazyEngine, load_backend
from .fitting import DEFAULT_CANDIDATES, DEFAULT_MARGIN, FitOptions, fit_translation
from .languages import check_direction, detect_source, job_languages, job_profile, normalize_language, source_text
from .context import run_in_context
from .memory import Memory, memory_contexts
from .render import CueRenderer, Layout, interruption_marks, persons, vtt_escape
from ..lang.units import MERGE_GAP_MS
from .sentences import sentence_units
from .spread import slot_sources, spread_slots, spread_units
from .terms import TermFinder

if TYPE_CHECKING:  # pragma: no cover
    from ..glossary import Glossary
    from ..mt.backends.base import Backend
    from ..mt.cache import Cache
    from ..mt.catalog import ModelSpec
    from ..profiles import Profile
    from .assembly import BilingualLayout

__all__ = ["Translator", "translate", "ProgressFn"]

ProgressFn = Callable[[int, int], None]


class Translator:
    """Loads a model once and translates many tracks with it.

    ``model`` is a catalog name (``subtrans models list``), a Hugging Face Hub
    id or a local folder; ``None`` takes the catalog's default for each
    direction. Models load on first use and stay loaded. ``backend`` is
    ``auto``, ``hf``, ``ct2``, or a loaded :class:`subtrans.mt.backends.Backend`
    object (your own engine), which then serves every direction.

    ``names`` (on by default): in a Chinese -> Russian job, the film's Chinese persons and places that
    the glossary lacks are rendered by the Palladius system (or a form Russian established) and
    enforced as glossary terms, the same way in every cue and every file (:mod:`subtrans.names`).

    ``fit`` (on by default): units whose translation breaks the target
    profile's reading speed, line length or number of lines are translated
    again as ``fit_candidates`` alternatives, and the best-scoring one that
    fits replaces the translation if its score is within ``fit_margin``
    (nats per token) of the best candidate's. A backend without
    ``candidates`` skips this with a warning. ``retime``: a cue still over
    the reading speed then gets the time it needs from the gaps around it,
    if the profile's gaps and maximum duration allow (see :mod:`subtrans.pipeline.fitting`).

    Not thread-safe: a Translator holds a tokenizer, a model and a SQLite
    connection; use one per thread (or per process, as a catalogue run does).
    """

    def __init__(self, model: str | Path | None = None, *, backend: "str | Backend" = "auto", device: str | None = None,
                 beams: int | None = None, batch_size: int = 16, max_length: int | None = None,
                 cache: "bool | str | Path | Cache | None" = True,
                 glossaries: "Glossary | Iterable[str | Path] | str | Path" = (), allow_pickle: bool = False, offline: bool | None = None,
                 revision: str | None = None, fit: bool = True, retime: bool = False,
                 fit_margin: float = DEFAULT_MARGIN, fit_candidates: int = DEFAULT_CANDIDATES,
                 names: bool = True, context: int | None = None, other_lines_as_context: bool = False,
                 ignore_styles: tuple[str, ...] | None = None) -> None:
        self.glossary: Glossary | None = None
        if glossaries:
            from ..glossary import Glossary, load_glossaries

            self.glossary = glossaries if isinstance(glossaries, Glossary) else load_glossaries(glossaries)
            if not self.glossary:
                self.glossary = None
        self._instance: Backend | None = None
        if not isinstance(backend, str):  # a loaded Backend object (a studio's own engine, a test double)
            self._instance, backend = backend, getattr(backend, "name", "custom")
        elif backend not in ("auto", "hf", "ct2"):
            raise ConfigError(f"unknown backend {backend!r}", text=backend, hint="auto, hf or ct2")
        if batch_size < 1 or (beams is not None and beams < 1):
            raise ConfigError("--batch-size and --beams must be at least 1")
        if not (isinstance(fit_margin, (int, float)) and math.isfinite(fit_margin) and fit_margin >= 0):
            raise ConfigError(f"--fit-margin must be a number of nats per token, at least 0, not {fit_margin!r}",
                              text=str(fit_margin))
        if isinstance(fit_candidates, bool) or not isinstance(fit_candidates, int) or fit_candidates < 2:
            raise ConfigError(f"--fit-candidates must be at least 2 (the translation and an alternative), "
                              f"not {fit_candidates!r}", text=str(fit_candidates))
        if context is not None and (isinstance(context, bool) or not isinstance(context, int) or context < 0):
            raise ConfigError(f"--context must be 0 or more previous cues, not {context!r}", text=str(context))
        self.context = context   # None: the model's (catalogue) count
        self.other_lines_as_context = other_lines_as_context   # a bilingual source's English lines, to the LLM
        self.ignore_styles = ignore_styles   # ASS styles of signs and songs, never translated (None: defaults)
        self.model_ref = model
        self.backend_name: str
        self.backend_note: str
        if self._instance is not None:
            self.backend_name = self.backend_note = backend
        else:
            from ..mt.backends import choose_backend

            self.backend_name, self.backend_note = choose_backend(backend)
        self._auto = backend == "auto"
        self.device = device
        self.beams = beams
        self.batch_size = batch_size
        self.max_length = max_length
        self.allow_pickle = allow_pickle
        self.offline = offline
        self.revision = revision
        self.names = bool(names)
        self.fit, self.retime = bool(fit), bool(retime)
        self.fit_margin, self.fit_candidates = float(fit_margin), fit_candidates
        self._backends: dict[tuple[str, str], LazyEngine] = {}
        self._cache = cache
        self._cache_obj: Cache | None = None

    # -- resources ---------------------------------------------------------------
    def _get_cache(self) -> "Cache":
        if self._cache_obj is None:
            from ..mt.cache import NullCache, TranslationCache

            if self._cache is False or self._cache is None:
                self._cache_obj = NullCache()
            elif self._cache is True:
                self._cache_obj = TranslationCache()
            elif isinstance(self._cache, (str, Path)):
                self._cache_obj = TranslationCache(Path(self._cache))
            else:
                self._cache_obj = self._cache
        return self._cache_obj

    def backend(self, source: str, target: str) -> "Backend | LazyEngine":
        """The loaded backend for a direction (loads the model on first use)."""
        if self._instance is not None:
            return self._instance
        from ..mt.catalog import resolve_model

        spec = resolve_model(self.model_ref, source, target, offline=self.offline, revision=self.revision,
                             allow_pickle=self.allow_pickle)
        key = (spec.name, str(spec.path))
        if spec.decoder_only and self._auto and self.backend_name == "ct2":
            from ..mt.backends.ct2_causal import ct2_problem

            problem = ct2_problem(spec)   # HunYuan; Gemma 3 27B: auto takes transformers
            if problem:
                self.backend_name, self.backend_note = "hf", f"hf (auto: {problem})"
        if key not in self._backends:
            self._backends[key] = LazyEngine(spec, self.backend_name, lambda s: self._load(s))
        return self._backends[key]

    def _load(self, spec: "ModelSpec") -> "Backend":
        """The backend, loaded. ``--backend auto`` falls back from CTranslate2 to transformers when
        CTranslate2 cannot convert or load the model, and the backend note (the summary's) says why;
        an explicit ``--backend ct2`` fails with the reason."""
        from ..errors import EngineUnusable

        try:
            return load_backend(self.backend_name, spec, device=self.device, allow_pickle=self.allow_pickle)
        except EngineUnusable as exc:
            if not (self._auto and self.backend_name == "ct2"):
                raise
            self.backend_name = "hf"
            self.backend_note = f"hf (auto: CTranslate2 cannot use this model: {exc.message}; --backend hf skips the try)"
            engine = self._backends.get((spec.name, str(spec.path)))
            if engine is not None:
                engine.name = "hf"
            return load_backend("hf", spec, device=self.device, allow_pickle=self.allow_pickle)

    def close(self) -> None:
        if self._cache_obj is not None:
            self._cache_obj.close()
            self._cache_obj = None

    def __enter__(self) -> "Translator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the job -------------------------------------------------------------
    def translate(self, track: Track, *, to: str, source: str | None = None,
                  bilingual: bool | BilingualLayout = False,
                  profile: "Profile | str | None" = None, progress: ProgressFn | None = None, fps: float = 24.0,
                  disabled_rules: Iterable[str] = (), keep_other_lines: bool = False) -> Translation:
        """Translate ``track`` into ``to``; the input track is not changed.

        ``fps`` and ``disabled_rules`` are the QA's (the minimum gap is in frames; a rule switched
        off is not fitted to). A bilingual source (a Chinese line and an English one in each cue)
        has only its source-language lines translated; ``keep_other_lines`` keeps the other lines
        under the translation (dropped by default). The stages, in order, are the modules of
        :mod:`subtrans.pipeline`.
        """
        from ..formats.ass import ignored_cues, other_language_cues

        original = track
        target = normalize_language(to)
        src = normalize_language(source) if source else detect_source(original)
        ignored = ignored_cues(track, self.ignore_styles)
        other_events = other_language_cues(track, src) - ignored   # a bilingual ASS file's English events
        ignored |= other_events
        if ignored:   # signs and songs (ASS styles), the other language's events: kept as they are
            track = track.copy()
            for i in ignored:
                track.cues[i].text = ""
        check_direction(src, target, to)
        prof = job_profile(profile, target)
        engine = self.backend(src, target)
        spec, glossary = engine.spec, self._job_glossary(track, src, target)
        languages = job_languages(spec, src, target)
        beams = self.beams or spec.beams
        warnings = [] if spec.commercial else [
            f"model {spec.name}: {spec.warning or 'its licence (' + spec.licence + ') forbids commercial use'}"]

        shapes, units, unit_warnings = sentence_units(                                  # 1. sentence units
            track, src, max_pause_ms=prof.get("sentence_pause_ms") or MERGE_GAP_MS)
        warnings += unit_warnings
        terms = TermFinder(glossary, src, languages.model_target)                       # 2. terms
        unit_texts = [source_text(u.text, languages) for u in units]
        unit_matches = [terms.matches(u.text) for u in units]
        context, alternatives_context = memory_contexts(                                # 3. memory
            spec=spec, engine=engine, languages=languages, beams=beams, max_length=self.max_length,
            glossary=glossary, candidates=self.fit_candidates)
        memory = Memory(self._get_cache(), engine, context=context, alternatives_context=alternatives_context,
                        source=languages.model_source, target=languages.model_target, beams=beams,
                        batch_size=self.batch_size, max_length=self.max_length, progress=progress)
        n, other = self._context_for(spec), None
        if self.other_lines_as_context:
            if self._reads_context(spec):
                other = {k: [(line, "")] for k, u in enumerate(units)
                         if (line := " ".join(o for i in sorted({i for i, _ in u.slots}) for o in shapes[i].other))}
            else:
                warnings.append(f"model {spec.name} takes no context: the other language's lines were not given to it")
        if n or other:                                                                  # 4. engine
            run_in_context(memory, track, units, unit_texts, terms.constraints_of(unit_texts, unit_matches), n,
                           other=other)
        else:
            memory.run(unit_texts, terms.constraints_of(unit_texts, unit_matches))
        spread = spread_units(units, unit_texts, unit_matches, memory.result, languages)  # 5. spread
        pieces, slot_text = spread.pieces, spread.slot_text
        if spread.redo:  # units that could not be spread: their slots translated one by one
            keys, matches = slot_sources(spread.redo, shapes, languages, terms)
            memory.run(list(keys.values()), terms.constraints_of([keys[s] for s in matches], matches.values()))
            pieces = pieces + spread_slots(keys, matches, memory.result, languages, slot_text)
        render = CueRenderer(shapes, target, Layout(target, prof, persons(glossary, target)),  # 6. render
                             vtt_escape if track.format == "vtt" else None, interruption_marks(units, target))
        texts = {i: render(i, slot_text) for i, shape in enumerate(shapes) if shape.segments}
        fit = fit_translation(track, pieces, slot_text, texts, render, memory, terms,    # 7. fitting
                              languages, prof, self.fit_options, fps=fps, disabled_rules=disabled_rules,
                              warnings=warnings)
        out, empty = assemble(track, texts, fit, render, slot_text,                      # 8. assembly
                              keep_other=keep_other_lines)
        for i in ignored:
            out.cues[i].text = original.cues[i].text
        signs = ignored - other_events
        if signs:
            warnings.append(f"{len(signs)} sign or song event{'s' if len(signs) > 1 else ''} (ASS styles "
                            f"{', '.join(sorted({original.cues[i].settings for i in signs}))}) kept untranslated")
        if other_events:
            warnings.append(f"bilingual ASS: {len(other_events)} event{'s' if len(other_events) > 1 else ''} in "
                            f"another language (styles {', '.join(sorted({original.cues[i].settings for i in other_events}))})"
                            " kept as they are, never translated")
        term_report = terms.report(units, unit_texts, unit_matches, out, memory.how, target) if glossary else []
        for unit, key in zip(units, unit_texts):      # a translation LLM's notes, labels or thinking
            if key in memory.cleaned:
                first = min(i for i, _ in unit.slots) + 1
                warnings.append(f"cue {first}: the model added text that is not a translation; removed: "
                                f"{memory.cleaned[key][:80]!r}")
        return Translation(
            track=bilingual_track(original, out, bilingual) if bilingual else out, source=src, target=target,
            model=spec.name,
            backend=self.backend_note,
            signature=signature(spec=spec, engine=engine, languages=languages, beams=beams, glossary=glossary,
                                profile=prof, fit=self.fit_options),
            cues=len(track), units=len(units), unique=memory.unique, cached=memory.cached,
            translated=memory.translated, split_per_cue=spread.split_per_cue,
            warnings=warnings + empty + term_warnings(term_report), terms=term_report,
            glossary=glossary.hash if glossary else "none", translation_only=out, fit=fit,
        )

    def _job_glossary(self, track: Track, source: str, target: str) -> "Glossary | None":
        """The glossary and, with ``names``, the film's names with a standard rendering (Chinese persons
        and places in Russian by the Palladius system, Russian ones in Chinese by the Xinhua table, or
        an established form); a glossary entry wins."""
        if not self.names or not ((source.startswith("zh") and target == "ru")
                                  or (source == "ru" and target.startswith("zh"))):
            return self.glossary
        from ..glossary import Glossary
        from ..names import name_terms

        terms = name_terms(track, source, target, self.glossary)
        if not terms:
            return self.glossary
        base = self.glossary
        return Glossary(terms=[*(base.terms if base else []), *terms], warnings=list(base.warnings if base else []),
                        sources=[*(base.sources if base else []), "names"])

    @staticmethod
    def _reads_context(spec: "ModelSpec") -> bool:
        from ..mt.prompts import CONTEXT_PROMPTS

        return getattr(spec, "decoder_only", False) and spec.prompt in CONTEXT_PROMPTS

    def _context_for(self, spec: "ModelSpec") -> int:
        """How many previous cues go with each sentence: the option's count, else the catalogue's, for a
        translation LLM whose prompt reads context; 0 for every other model."""
        if not self._reads_context(spec):
            return 0
        return self.context if self.context is not None else spec.context

    @property
    def fit_options(self) -> FitOptions:
        return FitOptions(self.fit, self.retime, self.fit_margin, self.fit_candidates)

    @property
    def cache_warnings(self) -> list[str]:
        """What the translation memory did on the user's behalf (a damaged file moved aside)."""
        return list(getattr(self._cache_obj, "warnings", []) or [])


def translate(track: Track, to: str, *, source: str | None = None, model: str | Path | None = None,
              **options: Any) -> Track:
    """Translate one track and return the translated track (see :class:`Translator`).

    ``options`` are :class:`Translator` options (``backend``, ``device``,
    ``beams``, ``batch_size``, ``cache``...) and ``bilingual`` / ``profile``.
    """
    job = {k: options.pop(k) for k in ("bilingual", "profile") if k in options}
    with Translator(model, **options) as tr:
        return tr.translate(track, to=to, source=source, **job).track
