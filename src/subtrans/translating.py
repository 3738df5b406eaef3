"""Translate subtitle tracks: sentence units in, the same cues and timings out.

The pipeline for one track (:meth:`Translator.translate`):

1. take every cue apart into its shape (:mod:`subtrans.mt.units`) and merge
   speech that runs on over several cues into sentence units;
2. look every unit up in the translation memory (:mod:`subtrans.mt.cache`);
   translate the rest once each (repeated lines once in all), shortest first
   in batches, storing each batch as soon as it is done, so an interrupted
   job resumes where it stopped;
3. spread each unit's translation back over its cues (a unit whose
   translation has fewer words than cues is translated cue by cue instead),
   finish punctuation and line breaks to the target profile, and put each
   cue's formatting back;
4. fit (on by default): a unit whose cues break the profile's reading speed,
   line length or number of lines gets alternative translations from the
   backend, and the best-scoring one that fits (within a margin of the best
   score) replaces it (:mod:`subtrans.mt.fit`); with ``retime``, a cue still
   over the reading speed is given time from the gaps around it.

The output track has exactly the input's cues, timings, ids and settings
(timings change only with ``retime``, and each change is reported).

Nothing here imports torch or transformers; the backend does, when it loads.
"""

from __future__ import annotations

import inspect
import json
import math
import re
from collections import ChainMap
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, NamedTuple

from . import __version__
from .errors import ConfigError, ModelError, SubtransError, WriteError
from .model import Track
from .mt.fit import DEFAULT_CANDIDATES, DEFAULT_MARGIN, FitReport
from .text import base_language, detect_language

if TYPE_CHECKING:
    from .qa import Finding, Settings

__all__ = ["Translator", "Translation", "translate", "normalize_language", "target_profile", "default_output",
           "LANGUAGES", "translation_settings", "translate_file", "check_translation", "run_translate"]

# subtrans language codes for translation, and what the CLI accepts for them.
LANGUAGES = {
    "ru": "ru", "rus": "ru", "ru-ru": "ru",
    "zh": "zh", "zh-hans": "zh", "zh-cn": "zh", "zho": "zh", "cmn": "zh", "chs": "zh",
    "zh-hant": "zh-hant", "zh-tw": "zh-hant", "zh-hk": "zh-hant", "cht": "zh-hant",
}
_PROFILES = {"ru": "netflix-ru", "zh": "netflix-zh-hans", "zh-hant": "netflix-zh-hant"}
_FILE_TAGS = {"ru": "ru", "zh": "zh", "zh-hant": "zh-Hant"}
_LANG_SUFFIX = re.compile(r"\.(ru|rus|ru-ru|zh|zho|chi|chs|cht|zh[-_](hans|hant|cn|tw|hk|sg))$", re.IGNORECASE)


def normalize_language(code: str) -> str:
    """``ru``, ``zh`` (Simplified) or ``zh-hant`` from what a user may type."""
    try:
        return LANGUAGES[code.strip().lower().replace("_", "-")]
    except KeyError:
        raise ConfigError(f"unsupported language {code!r}", text=code,
                          hint="subtrans translates between ru, zh (zh-Hans) and zh-Hant") from None


def target_profile(language: str) -> str:
    return _PROFILES[language]


def default_output(path: str | Path, target: str) -> Path:
    """``film.ru.srt`` -> ``film.zh.srt``: the input's name with the target's language tag."""
    path = Path(path)
    stem = _LANG_SUFFIX.sub("", path.stem)
    return path.with_name(f"{stem}.{_FILE_TAGS[target]}{path.suffix}")


@dataclass
class Translation:
    """What translating one track produced, as data (the CLI prints it)."""

    track: Track
    source: str
    target: str
    model: str
    backend: str
    signature: str
    cues: int = 0
    units: int = 0
    unique: int = 0          # distinct unit texts
    cached: int = 0          # served from the translation memory
    translated: int = 0      # sent to the model
    split_per_cue: int = 0   # units whose translation could not be spread and were redone cue by cue
    warnings: list[str] = field(default_factory=list)
    # Glossary terms found in the source, one entry per occurrence:
    # {"cue": first cue (1-based), "source": as found, "target": the glossary's rendering,
    #  "how": free | constrained | repaired | appended | cached | missing}
    terms: list[dict] = field(default_factory=list)
    # The translation alone: the same as ``track`` except with --bilingual, whose QA looks at this.
    translation_only: Track | None = None
    glossary: str = "none"   # the glossary's hash
    # What fitting to the screen did (shares of cues within the limits before and after, units
    # given another candidate, cues retimed with their old and new times): see subtrans.mt.fit.
    fit: FitReport | None = None

    def term_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for t in self.terms:
            counts[t["how"]] = counts.get(t["how"], 0) + 1
        return counts


ProgressFn = Callable[[int, int], None]


class Translator:
    """Loads a model once and translates many tracks with it.

    ``model`` is a catalog name (``subtrans models list``), a Hugging Face Hub
    id or a local folder; ``None`` takes the catalog's default for each
    direction. Models load on first use and stay loaded. ``backend`` is
    ``auto``, ``hf``, ``ct2``, or a loaded :class:`subtrans.mt.backends.Backend`
    object (your own engine), which then serves every direction.

    ``fit`` (on by default): units whose translation breaks the target
    profile's reading speed, line length or number of lines are translated
    again as ``fit_candidates`` alternatives, and the best-scoring one that
    fits replaces the translation if its score is within ``fit_margin``
    (nats per token) of the best candidate's. A backend without
    ``candidates`` skips this with a warning. ``retime``: a cue still over
    the reading speed then gets the time it needs from the gaps around it,
    if the profile's gaps and maximum duration allow (see :mod:`subtrans.mt.fit`).

    Not thread-safe: a Translator holds a tokenizer, a model and a SQLite
    connection; use one per thread (or per process, as a catalogue run does).
    """

    def __init__(self, model: str | Path | None = None, *, backend: str = "auto", device: str | None = None,
                 beams: int | None = None, batch_size: int = 16, max_length: int | None = None,
                 cache=True, glossaries=(), allow_pickle: bool = False, offline: bool | None = None,
                 revision: str | None = None, fit: bool = True, retime: bool = False,
                 fit_margin: float = DEFAULT_MARGIN, fit_candidates: int = DEFAULT_CANDIDATES) -> None:
        self.glossary = None
        if glossaries:
            from .glossary import Glossary, load_glossaries

            self.glossary = glossaries if isinstance(glossaries, Glossary) else load_glossaries(glossaries)
            if not self.glossary:
                self.glossary = None
        self._instance = None
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
        self.model_ref = model
        if self._instance is not None:
            self.backend_name = self.backend_note = backend
        else:
            from .mt.backends import choose_backend

            self.backend_name, self.backend_note = choose_backend(backend)
        self.device = device
        self.beams = beams
        self.batch_size = batch_size
        self.max_length = max_length
        self.allow_pickle = allow_pickle
        self.offline = offline
        self.revision = revision
        self.fit, self.retime = bool(fit), bool(retime)
        self.fit_margin, self.fit_candidates = float(fit_margin), fit_candidates
        self._backends: dict = {}
        self._cache = cache
        self._cache_obj = None

    # -- resources ---------------------------------------------------------------
    def _get_cache(self):
        if self._cache_obj is None:
            from .mt.cache import NullCache, TranslationCache

            if self._cache is False or self._cache is None:
                self._cache_obj = NullCache()
            elif self._cache is True:
                self._cache_obj = TranslationCache()
            elif isinstance(self._cache, (str, Path)):
                self._cache_obj = TranslationCache(Path(self._cache))
            else:
                self._cache_obj = self._cache
        return self._cache_obj

    def backend(self, source: str, target: str):
        """The loaded backend for a direction (loads the model on first use)."""
        if self._instance is not None:
            return self._instance
        from .mt.catalog import resolve_model

        spec = resolve_model(self.model_ref, source, target, offline=self.offline, revision=self.revision,
                             allow_pickle=self.allow_pickle)
        key = (spec.name, str(spec.path))
        if key not in self._backends:
            self._backends[key] = _LazyBackend(self, spec)
        return self._backends[key]

    def _load(self, spec):
        from .mt.backends import get_backend

        try:
            return get_backend(self.backend_name)(spec, device=self.device, allow_pickle=self.allow_pickle)
        except ImportError as exc:
            raise ModelError(f"translation needs the mt extra ({exc.name or exc} is not installed)",
                             hint='pip install "subtrans[mt]" (pin torch==2.13.0 for the CPU build)') from None

    def close(self) -> None:
        if self._cache_obj is not None:
            self._cache_obj.close()
            self._cache_obj = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- the job -------------------------------------------------------------
    def translate(self, track: Track, *, to: str, source: str | None = None, bilingual: bool = False,
                  profile=None, progress: ProgressFn | None = None, fps: float = 24.0,
                  disabled_rules: Iterable[str] = ()) -> Translation:
        """Translate ``track`` into ``to``; the input track is not changed.

        ``fps`` and ``disabled_rules`` are the QA's (the minimum gap is in frames; a rule switched
        off is not fitted to).
        """
        from .mt import units as U
        from .profiles import load_profile

        target = normalize_language(to)
        src = normalize_language(source) if source else _detect_source(track)
        if base_language(src) == base_language(target):
            raise ConfigError(f"the source is already {src}", text=to,
                              hint="translate between Russian and Chinese (use `subtrans check` for QA)")
        prof = profile if profile is not None and not isinstance(profile, str) else load_profile(
            profile or target_profile(target))
        backend = self.backend(src, target)
        spec = backend.spec
        beams = self.beams or spec.beams
        from .mt.catalog import direction_error, model_languages

        languages = model_languages(spec, src, target)
        if languages is None:
            raise direction_error(spec, src, target)
        model_src, model_tgt = languages   # zh-hant only where the model writes it natively
        warnings: list[str] = []
        if not spec.commercial:
            warnings.append(f"model {spec.name}: {spec.warning or 'its licence (' + spec.licence + ') forbids commercial use'}")

        shapes = [U.analyse(c.text, src) for c in track.cues]
        units = U.build_units(track.cues, shapes, src)
        for i, shape in enumerate(shapes):
            for seg in shape.segments:
                if seg.dropped_tags:
                    warnings.append(f"cue {i + 1}: inline formatting {''.join(seg.dropped_tags)!r} "
                                    f"could not be carried over")

        from .mt.cache import cache_context

        glossary = self.glossary
        terms_of = _TermFinder(glossary, src, model_tgt)
        key_parts = dict(model=spec.name, hub_id=spec.hub_id, revision=backend.revision, backend=backend.name,
                         source=model_src, target=model_tgt, beams=beams, max_length=self.max_length,
                         glossary=glossary.hash if glossary else None, pipeline=1)
        memo = _Memo(self, backend, cache_context(**key_parts), model_src, model_tgt, beams, progress,
                     alternatives_context=cache_context(**key_parts, candidates=self.fit_candidates))
        unit_texts = [_source_text(u.text, src, model_src) for u in units]
        unit_matches = [terms_of.matches(u.text) for u in units]
        memo.run(unit_texts, {t: terms_of.constraints(m) for t, m in zip(unit_texts, unit_matches) if m})

        # Spread each unit over its slots; a unit that cannot be spread is redone per slot.
        pieces: list[_Piece] = []   # each text the model translated, and the slots its translation fills
        slot_text: dict[tuple[int, int], str] = {}
        redo: list[tuple[int, int]] = []
        split_per_cue = 0
        for u, key, matches in zip(units, unit_texts, unit_matches):
            parts = _spread(_target_text(memo.result[key], target, model_tgt, matches), u.weights, target)
            if parts is None and len(u.slots) > 1:
                redo.extend(u.slots)
                split_per_cue += 1
                continue
            slot_text.update(zip(u.slots, parts or [""]))
            pieces.append(_Piece(key, u.slots, u.weights, matches))
        if redo:
            keys = {s: _source_text(shapes[s[0]].segments[s[1]].text, src, model_src) for s in redo}
            slot_matches = {s: terms_of.matches(shapes[s[0]].segments[s[1]].text) for s in redo}
            memo.run(list(keys.values()), {keys[s]: terms_of.constraints(m) for s, m in slot_matches.items() if m})
            for s, key in keys.items():
                slot_text[s] = _target_text(memo.result[key], target, model_tgt, slot_matches[s]).strip()
                pieces.append(_Piece(key, [s], [1.0], slot_matches[s]))

        layout = _Layout(target, prof)
        render = _CueRenderer(shapes, target, layout, _vtt_escape if track.format == "vtt" else None)
        texts = {i: render(i, slot_text) for i, shape in enumerate(shapes) if shape.segments}
        fit = self._fit(track, pieces, slot_text, texts, render, memo, terms_of, target, model_tgt,
                        prof, fps, disabled_rules, warnings)

        out = track.copy()
        out.encoding, out.bom = "utf-8", False
        out.notes = []
        for r in fit.retimed:
            out.cues[r.cue].start, out.cues[r.cue].end = r.new
        for i, cue in enumerate(out.cues):
            if i not in texts:
                continue  # nothing to translate (an empty cue, music notes only): kept as it is
            for k in render.empty_slots(i, slot_text):
                warnings.append(f"cue {i + 1}: the model returned nothing; the source text was kept")
            cue.text = texts[i]

        term_report = terms_of.report(units, unit_texts, unit_matches, out, memo, target) if glossary else []
        translation_only = out
        if bilingual:
            out = out.copy()
            for src_cue, cue in zip(track.cues, out.cues):
                if cue.text != src_cue.text:
                    cue.text = src_cue.text + "\n" + cue.text
        for t in term_report:
            if t["how"] == "missing":
                warnings.append(f"cue {t['cue']}: glossary term {t['source']!r} -> {t['target']!r} "
                                f"is not in the translation")
        fit_sig = f"fit:{self.fit_candidates}@{self.fit_margin:g}" if self.fit else "fit:off"
        sig = (f"subtrans:{__version__}|model:{spec.name}@{backend.revision}|backend:{backend.name}"
               f"|{src}-{target}|beams:{beams}|glossary:{glossary.hash if glossary else 'none'}"
               f"|profile:{prof.name}|{fit_sig}{'+retime' if self.retime else ''}")
        return Translation(
            track=out, source=src, target=target, model=spec.name, backend=self.backend_note, signature=sig,
            cues=len(track), units=len(units), unique=memo.unique, cached=memo.cached,
            translated=memo.translated, split_per_cue=split_per_cue, warnings=warnings,
            terms=term_report, glossary=glossary.hash if glossary else "none", translation_only=translation_only,
            fit=fit,
        )

    def _fit(self, track: Track, pieces: list["_Piece"], slot_text: dict, texts: dict[int, str],
             render: "_CueRenderer", memo: "_Memo", terms_of: "_TermFinder", target: str, model_tgt: str,
             profile, fps: float, disabled_rules: Iterable[str], warnings: list[str]) -> FitReport:
        """Fit the laid-out translation to the profile's limits, in place (``slot_text``, ``texts``).

        Each piece whose cues break a limit gets candidates (the cache first, then the backend, in
        batches); the best-scoring one that fits within the margin (:func:`subtrans.mt.fit.select`,
        tried best first so that each is laid out only when needed) replaces its text. Then, with
        ``retime``, cues still over the reading speed get more time where the gaps allow (the
        report lists them; the caller moves them). Returns what was done, with the shares of cues
        within the limits before and after.
        """
        from .mt.fit import Limits, Retime, needed_duration, problems, ranked, retime, tally

        limits = Limits.from_profile(profile, fps=fps, ignore=disabled_rules)
        report = FitReport(enabled=self.fit, retime=self.retime, margin=self.fit_margin,
                           candidates=self.fit_candidates, cues=len(track))
        times = [(c.start, c.end) for c in track.cues]

        def broken(i: int, text: str) -> bool:
            return bool(problems(text, times[i][1] - times[i][0], limits))

        def shown() -> list[tuple[str, int]]:
            return [(texts.get(i, c.text), times[i][1] - times[i][0]) for i, c in enumerate(track.cues)]

        report.speed_before, report.lines_before = tally(shown(), limits)
        over = [p for p in pieces if any(broken(i, texts[i]) for i in p.cues)]
        report.units_over = len(over)
        if self.fit and over:
            found = memo.alternatives([p.key for p in over],
                                      {p.key: terms_of.constraints(p.matches) for p in over if p.matches},
                                      self.fit_candidates)
            if found is None:
                report.skipped = f"the {memo.backend.name} backend offers no alternative translations"
                warnings.append(f"fitting skipped: {report.skipped}; {_plural(len(over), 'sentence unit')} "
                                f"stay over the profile's limits")
            else:
                report.decoded, report.from_cache = memo.alternatives_decoded, memo.alternatives_cached
                for p in over:
                    if not any(broken(i, texts[i]) for i in p.cues):
                        continue  # a cue it shares was fitted with another piece
                    cands = found.get(p.key, [])
                    for k in ranked([cand.score for cand in cands], self.fit_margin):  # best first
                        cand = cands[k]
                        parts = _spread(_target_text(cand.text, target, model_tgt, p.matches), p.weights, target)
                        if parts is None:
                            continue  # fewer words than the unit has cues
                        trial = ChainMap(dict(zip(p.slots, parts)), slot_text)
                        laid = {i: render(i, trial) for i in p.cues}
                        if not any(broken(i, laid[i]) for i in p.cues):
                            slot_text.update(zip(p.slots, parts))
                            texts.update(laid)
                            memo.chose(p.key, cand)
                            report.units_refitted += 1
                            break
        if self.retime:
            for i in sorted(texts):
                if "reading-speed" not in problems(texts[i], times[i][1] - times[i][0], limits):
                    continue
                new = retime(times, i, needed_duration(texts[i], limits), limits)
                if new is not None:
                    report.retimed.append(Retime(i, track.cues[i].id, times[i], new))
                    times[i] = new
        report.speed_after, report.lines_after = tally(shown(), limits)
        return report

    @property
    def cache_warnings(self) -> list[str]:
        """What the translation memory did on the user's behalf (a damaged file moved aside)."""
        return list(getattr(self._cache_obj, "warnings", []) or [])


def _source_text(text: str, src: str, model_src: str) -> str:
    """Traditional input for a model that reads Simplified Chinese is converted first."""
    if src == "zh-hant" and model_src != "zh-hant":
        from .mt.layout import to_simplified

        return to_simplified(text)
    return text


def _target_text(text: str, target: str, model_tgt: str, matches=()) -> str:
    """Simplified output becomes Traditional when the user asked for it and the model cannot write it."""
    if target == "zh-hant" and model_tgt != "zh-hant":
        from .mt.layout import to_traditional

        text = to_traditional(text)
        # The glossary's own Traditional form wins over OpenCC's conversion of the Simplified one.
        for m in matches:
            if m.term.zh and m.term.zh_hant:
                text = text.replace(to_traditional(m.term.zh), m.term.zh_hant)
    return text


def _spread(text: str, weights: list[float], target: str) -> list[str] | None:
    """A translation split over a unit's slots (by their weights); None when it cannot be."""
    from .mt.units import split_translation

    return split_translation(text, weights, target) if text.strip() else None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


class _Piece(NamedTuple):
    """One text the model translated (a sentence unit, or a segment of a unit redone per cue)."""

    key: str                        # the text as the model sees it (the cache key)
    slots: list[tuple[int, int]]    # the (cue, segment) slots its translation fills, in order
    weights: list[float]
    matches: list                   # glossary terms found in it

    @property
    def cues(self) -> list[int]:
        return sorted({i for i, _ in self.slots})


class _CueRenderer:
    """A cue's output text from the translations of its slots: punctuation, shape, line breaks."""

    def __init__(self, shapes, target: str, layout: "_Layout", escape) -> None:
        self.shapes, self.target, self.layout, self.escape = shapes, target, layout, escape

    def _texts(self, i: int, slot_text) -> list[str]:
        return [self.layout.punctuate(slot_text.get((i, k), "")) for k in range(len(self.shapes[i].segments))]

    def empty_slots(self, i: int, slot_text) -> list[int]:
        """Segments the model left empty (the source text is shown instead)."""
        return [k for k, (t, seg) in enumerate(zip(self._texts(i, slot_text), self.shapes[i].segments))
                if not t and seg.text]

    def __call__(self, i: int, slot_text) -> str:
        from .mt import units as U

        shape, layout = self.shapes[i], self.layout
        texts = [t or seg.text for t, seg in zip(self._texts(i, slot_text), shape.segments)]
        new = U.render(shape, texts, self.target, layout=layout.lines, dash=layout.dash,
                       dash_space=layout.dash_space, escape=self.escape)
        if len(shape.segments) > 1 and all(seg.kind != "speaker" for seg in shape.segments):
            new = layout.reflow(new)   # a sound description with speech, say: too long a line
        return new


class _LazyBackend:
    """Stands in for a backend until a sentence really has to be translated, so that a rerun
    served wholly from the translation memory never loads the model (nor torch). The
    revision, part of the cache key, comes from the model folder, as the backend's does."""

    def __init__(self, translator: Translator, spec) -> None:
        from .mt.catalog import folder_revision

        self._translator, self.spec, self.name = translator, spec, translator.backend_name
        self.revision = folder_revision(spec.path) if spec.path else (spec.revision or "unknown")
        self._loaded = None

    def load(self):
        if self._loaded is None:
            self._loaded = self._translator._load(self.spec)
            self.revision = self._loaded.revision
        return self._loaded

    def translate(self, texts, *, source, target, beams=1, max_length=None, constraints=None):
        backend = self.load()
        extra = {"constraints": constraints} if constraints is not None else {}
        return backend.translate(texts, source=source, target=target, beams=beams, max_length=max_length,
                                 **extra)

    def candidates(self, texts, *, source, target, n=4, beams=1, max_length=None, constraints=None):
        return self.load().candidates(texts, source=source, target=target, n=n, beams=beams,
                                      max_length=max_length, constraints=constraints)

    @property
    def last_enforcement(self):
        return getattr(self._loaded, "last_enforcement", None)


class _Memo:
    """Translates distinct texts once: the cache first, then the model in sorted batches."""

    def __init__(self, tr: Translator, backend, context, source, target, beams, progress, *,
                 alternatives_context: str | None = None):
        self.tr, self.backend, self.context = tr, backend, context
        self.alternatives_context = alternatives_context
        self.alternatives_decoded = self.alternatives_cached = 0
        self._fresh: set[str] = set()   # texts whose candidates were decoded in this run
        self.source, self.target, self.beams, self.progress = source, target, beams, progress
        self.result: dict[str, str] = {}
        self.how: dict[str, list[str]] = {}   # per text, how each constrained term got into it
        # A custom backend may not enforce terms: it then translates freely, and the term report
        # (checked on the output) says which terms are missing.
        self.constrains = "constraints" in inspect.signature(backend.translate).parameters
        self.unique = self.cached = self.translated = 0

    def run(self, texts: list[str], constraints: dict[str, list[list[str]]] | None = None) -> None:
        """Translate ``texts`` (each once); ``constraints`` maps a text to the terms its translation must hold."""
        constraints = constraints or {}
        todo = [t for t in dict.fromkeys(texts) if t not in self.result]
        self.unique += len(todo)
        cache = self.tr._get_cache()
        hits = cache.get_many(self.context, todo) if todo else {}
        self.result.update(hits)
        self.cached += len(hits)
        missing = sorted((t for t in todo if t not in hits), key=len)
        done = 0
        if self.progress:
            self.progress(0, len(missing))
        for start in range(0, len(missing), self.tr.batch_size):
            batch = missing[start:start + self.tr.batch_size]
            kwargs = {}
            if self.constrains and any(t in constraints for t in batch):
                kwargs["constraints"] = [constraints.get(t, []) for t in batch]
            out = self.backend.translate(batch, source=self.source, target=self.target, beams=self.beams,
                                         max_length=self.tr.max_length, **kwargs)
            if len(out) != len(batch):
                raise ModelError(f"backend returned {len(out)} translations for {len(batch)} sentences")
            how = getattr(self.backend, "last_enforcement", None) if kwargs else None
            if how and len(how) == len(batch):
                self.how.update((t, list(h)) for t, h in zip(batch, how) if t in constraints)
            pairs = list(zip(batch, out))
            cache.put_many(self.context, pairs)   # committed: an interrupted job resumes from here
            self.result.update(pairs)
            self.translated += len(batch)
            done += len(batch)
            if self.progress:
                self.progress(done, len(missing))


    def alternatives(self, texts: list[str], constraints: dict[str, list[list[str]]], n: int):
        """Up to ``n`` candidates per text (:meth:`Backend.candidates`): the translation memory first
        (stored as JSON under their own context), then the backend, shortest first in batches, each
        batch stored as soon as it is decoded. None when texts are missing from the memory and the
        backend offers no candidates."""
        todo = list(dict.fromkeys(texts))
        cache = self.tr._get_cache()
        found = {}
        for text, value in (cache.get_many(self.alternatives_context, todo) if todo else {}).items():
            cands = _load_candidates(value)
            if cands is not None:
                found[text] = cands
        self.alternatives_cached += len(found)
        missing = sorted((t for t in todo if t not in found), key=len)
        if missing and not _offers_candidates(self.backend):
            return None
        for start in range(0, len(missing), self.tr.batch_size):
            batch = missing[start:start + self.tr.batch_size]
            kwargs = {}
            if any(t in constraints for t in batch):
                kwargs["constraints"] = [constraints.get(t, []) for t in batch]
            out = self.backend.candidates(batch, source=self.source, target=self.target, n=n, beams=self.beams,
                                          max_length=self.tr.max_length, **kwargs)
            if len(out) != len(batch):
                raise ModelError(f"backend returned candidates for {len(out)} of {len(batch)} sentences")
            cache.put_many(self.alternatives_context, [(t, _dump_candidates(c)) for t, c in zip(batch, out)])
            found.update(zip(batch, out))
            self._fresh.update(batch)
            self.alternatives_decoded += len(batch)
        return found

    def chose(self, text: str, candidate) -> None:
        """``candidate`` replaces the translation of ``text``: its terms' mechanisms go to the term
        report (candidates served from the memory count as cached, like translations)."""
        if text in self._fresh and candidate.terms:
            self.how[text] = list(candidate.terms)
        else:
            self.how.pop(text, None)


def _offers_candidates(backend) -> bool:
    """Whether a backend implements :meth:`Backend.candidates` (loads a lazy backend's model)."""
    from .mt.backends.base import Backend

    if isinstance(backend, _LazyBackend):
        backend = backend.load()
    method = getattr(type(backend), "candidates", None)
    return callable(method) and method is not Backend.candidates


def _dump_candidates(candidates) -> str:
    return json.dumps([[c.text, c.score, list(c.terms)] for c in candidates], ensure_ascii=False)


def _load_candidates(value: str):
    """Candidates stored by :func:`_dump_candidates`; None for anything else (decoded again)."""
    from .mt.backends.base import Candidate

    try:
        return [Candidate(str(text), float(score), tuple(map(str, terms))) for text, score, terms in json.loads(value)]
    except (ValueError, TypeError):
        return None

class _TermFinder:
    """Glossary terms of the source, the forms the decoder may use, and the per-file term report."""

    def __init__(self, glossary, source: str, model_target: str) -> None:
        self.glossary, self.source, self.model_target = glossary, source, model_target
        if glossary:
            from .glossary import register_jieba_terms

            if source.startswith("zh") or model_target.startswith("zh"):
                register_jieba_terms(glossary)  # splitting and line breaking keep the terms whole

    def matches(self, text: str) -> list:
        if not self.glossary:
            return []
        from .glossary import find_terms

        seen, out = set(), []
        for m in find_terms(text, self.source, self.glossary):
            if m.term.text(self.model_target) and id(m.term) not in seen:
                seen.add(id(m.term))
                out.append(m)
        return out

    def constraints(self, matches) -> list[list[str]]:
        from .glossary import target_forms

        return [forms for m in matches if (forms := target_forms(m.term, self.model_target))]

    def report(self, units, unit_texts, unit_matches, out: Track, memo: "_Memo", target: str) -> list[dict]:
        from .glossary import target_present
        from .text import strip_tags

        rows = []
        for u, key, matches in zip(units, unit_texts, unit_matches):
            if not matches:
                continue
            cues = sorted({i for i, _ in u.slots})
            joiner = " " if target == "ru" else ""
            output = joiner.join(strip_tags(out.cues[i].text, entities=True) for i in cues)
            how = memo.how.get(key)
            for k, m in enumerate(matches):
                if not target_present(output, m.term, target):
                    verdict = "missing"
                elif how is not None and k < len(how):
                    verdict = how[k]
                else:
                    verdict = "cached" if key not in memo.how else "free"
                rows.append({"cue": cues[0] + 1, "source": m.surface, "target": m.term.text(target),
                             "how": verdict})
        return rows


class _Layout:
    def __init__(self, language: str, profile) -> None:
        self.language, self.profile = language, profile
        self.max_chars = profile.get("max_chars_per_line")
        self.max_lines = profile.get("max_lines") or 2
        self.half_width = profile.get("half_width_weight", 1.0) or 1.0
        self.dash = profile.get("dialogue_dash", "-") or "-"
        self.dash_space = bool(profile.get("dialogue_dash_space", False))

    def punctuate(self, text: str) -> str:
        from .mt.layout import finish_punctuation

        return finish_punctuation(text, self.language, self.profile).strip() if text else ""

    def too_long(self, text: str) -> bool:
        from .text import line_length, strip_tags

        return bool(self.max_chars) and any(line_length(strip_tags(ln), self.half_width) > self.max_chars
                                            for ln in text.split("\n"))

    def reflow(self, text: str) -> str:
        """Lay a cue made of several segments out again, only when a line is over the limit."""
        return self.lines(text) if self.too_long(text) else text

    def lines(self, text: str) -> str:
        if not self.max_chars:
            return text
        from .mt.layout import break_lines

        return break_lines(text, self.language, max_chars=self.max_chars, max_lines=self.max_lines,
                           half_width=self.half_width)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _detect_source(track: Track) -> str:
    lang = detect_language(c.text for c in track.cues)
    if lang is None:
        raise ConfigError("cannot tell the source language (no Cyrillic or Chinese text)",
                          path=track.path, hint="name it with --from ru|zh")
    return {"ru": "ru", "zh-hans": "zh", "zh-hant": "zh-hant"}[lang]


def translate(track: Track, to: str, *, source: str | None = None, model=None, **options) -> Track:
    """Translate one track and return the translated track (see :class:`Translator`).

    ``options`` are :class:`Translator` options (``backend``, ``device``,
    ``beams``, ``batch_size``, ``cache``...) and ``bilingual`` / ``profile``.
    """
    job = {k: options.pop(k) for k in ("bilingual", "profile") if k in options}
    with Translator(model, **options) as tr:
        return tr.translate(track, to=to, source=source, **job).track


# -- the CLI's job: files in, files out, a QA summary -----------------------------

@dataclass
class FileResult:
    path: str
    output: str | None = None
    translation: Translation | None = None
    findings: list = field(default_factory=list)
    profile: str | None = None
    error: SubtransError | None = None


def translation_settings(target: str, profile: str | None = None) -> Settings:
    """The settings a translation into ``target`` is laid out, fitted and checked with.

    A :class:`subtrans.qa.Settings` whose ``profile`` is ``profile`` (a name or
    a .toml path; the target's netflix profile by default) with the project
    configuration's ``[limits]``; its fps, switched-off rules and severities are
    the configuration's, as for ``subtrans check``. The configuration's own
    ``profile`` is not used: the target language decides that here.
    """
    from .checking import build_settings
    from .profiles import load_profile
    from .qa import Settings, validate_rules

    prof = load_profile(profile or target_profile(normalize_language(target)))
    settings, _ = build_settings(profile=prof.name)
    validate_rules(settings)
    if settings.limits:
        prof = prof.with_values(settings.limits, settings.limits_source)
    return Settings(**{**settings.__dict__, "profile": prof})


def translate_file(translator: Translator, track: Track, output: str | Path, *, to: str, settings: Settings,
                   source: str | None = None, bilingual: bool = False,
                   progress: ProgressFn | None = None) -> Translation:
    """Translate a loaded ``track`` and write it to ``output`` atomically, in UTF-8.

    ``settings`` come from :func:`translation_settings`: the layout and the
    fitting follow its profile, minimum gap (fps) and switched-off rules. The
    output's extension names its format (``-o out.vtt`` for an SRT input
    converts), else the input's format is kept. What a lenient read skipped in
    the input (``track.notes``) heads the translation's warnings, since it is
    not in the output. Raises :class:`WriteError` when the output cannot be written.
    """
    from .formats import EXTENSIONS, save

    tr = translator.translate(track, to=to, source=source, bilingual=bilingual, profile=settings.profile,
                              progress=progress, fps=settings.fps, disabled_rules=settings.disabled)
    lost = [n for n in track.notes if n.rule in ("skipped-block", "invalid-bytes")]
    tr.warnings[:0] = [f"input line {n.line}: {n.message}"
                       + (" (not in the output)" if n.rule == "skipped-block" else "") for n in lost]
    output = Path(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        save(tr.track, output, format=EXTENSIONS.get(output.suffix.lower(), tr.track.format), encoding="utf-8")
    except OSError as exc:
        raise WriteError(f"cannot write the output: {exc.strerror or exc}", path=output) from None
    return tr


def check_translation(output: str | Path, source: Track, translation: Translation, settings: Settings, *,
                      bilingual: bool = False, glossary=None) -> list[Finding]:
    """The QA findings of a translation written by :func:`translate_file`.

    ``output`` is checked with ``settings`` (:func:`translation_settings`) and
    against ``source``, and the ``glossary`` if any. With ``retime`` the source
    is taken as retimed (the cues the translation's fit report lists moved), so
    that ``cue-count`` reports only timing changes nobody asked for. A bilingual
    file is checked on its translation lines (``translation.translation_only``):
    the source lines are not the target profile's business, and the timings are
    the same. ``translation`` needs no ``track`` (a batch actor sends it without).
    """
    from .formats import load
    from .qa import Settings, check

    file_settings = Settings(**{**settings.__dict__, "source": _as_retimed(source, translation),
                                "glossary": glossary})
    return check(translation.translation_only if bilingual else load(output), settings=file_settings)


def _as_retimed(source: Track, translation: Translation) -> Track:
    """The source as the translation was meant to be timed: the cues retimed (listed in the fit report)
    at their new times."""
    if translation.fit is None or not translation.fit.retimed:
        return source
    moved = source.copy()
    for r in translation.fit.retimed:
        moved.cues[r.cue].start, moved.cues[r.cue].end = r.new
    return moved


def expand_inputs(inputs, target: str | None = None) -> list[Path]:
    """Files as given; a folder stands for the .srt and .vtt files in it (recursively, sorted),
    leaving out files already named as translations into ``target`` (a rerun's outputs)."""
    files: list[Path] = []
    tag = f".{_FILE_TAGS[target]}".lower() if target else None
    for p in map(Path, inputs):
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.suffix.lower() in (".srt", ".vtt") and q.is_file()
                           and not (tag and Path(q.stem).suffix.lower() == tag))
            if not found:
                raise ConfigError("no .srt or .vtt files to translate in the folder", path=p)
            files.extend(found)
        else:
            files.append(p)
    return files


def _relative_names(inputs, files: list[Path]) -> list[Path]:
    """Each file's name below the folder it was found in (just its name for a file given directly)."""
    folders = [Path(p) for p in inputs if Path(p).is_dir()]
    names = []
    for f in files:
        rel = Path(f.name)
        for d in folders:
            try:
                rel = f.relative_to(d)
                break
            except ValueError:
                continue
        names.append(rel)
    return names


def plan_outputs(files: list[Path], target: str, output: Path | None, output_dir: Path | None, *,
                 names: list[Path] | None = None, overwrite: bool = False) -> list[Path]:
    """Where each input's translation goes.

    Refuses to overwrite an input, to write one file twice, and (unless
    ``overwrite``) to replace an existing file. With ``output_dir``, each
    output keeps the input's place below the folder it was found in (``names``),
    and never escapes ``output_dir``.
    """
    if output is not None and output_dir is not None:
        raise ConfigError("give -o FILE or --output-dir DIR, not both")
    if output is not None and len(files) > 1:
        raise ConfigError("-o names one output file; with several inputs use --output-dir DIR")
    if output is not None:
        outs = [output]
    elif output_dir is not None:
        names = names or [Path(f.name) for f in files]
        outs = []
        for rel in names:
            parts = [p for p in rel.parts if p not in ("", ".", "..", "/")] or [rel.name]
            outs.append(Path(output_dir).joinpath(*parts[:-1], default_output(Path(parts[-1]), target).name))
    else:
        outs = [default_output(f, target) for f in files]
    inputs = {f.resolve() for f in files}
    seen: dict[Path, Path] = {}
    for f, o in zip(files, outs):
        r = o.resolve()
        if r in inputs:
            raise WriteError("the output would overwrite an input file", path=o,
                             hint="name another output with -o or --output-dir")
        if r in seen:
            raise WriteError(f"{seen[r]} and {f} would both be written to the same file", path=o,
                             hint="use -o per file, or keep inputs with different names")
        if output_dir is not None and Path(output_dir).resolve() not in r.parents:
            raise WriteError("the output would be written outside --output-dir", path=o)
        seen[r] = f
    if not overwrite:
        existing = [o for o in outs if o.exists()]
        if existing:
            more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
            raise WriteError(f"the output exists already{more}", path=existing[0],
                             hint="pass --overwrite to replace it, or choose -o / --output-dir")
    return outs


def run_translate(inputs, *, to: str, source: str | None = None, output=None, output_dir=None,
                  translator: Translator, profile: str | None = None, bilingual: bool = False,
                  encoding: str | None = None, lenient: bool = False, progress=None, overwrite: bool = False,
                  report=None) -> list[FileResult]:
    """Translate files, write the outputs atomically, check each output with the target profile
    (and against its source: untranslated text, numbers, tags, glossary terms)."""
    from .formats import load

    target = normalize_language(to)
    settings = translation_settings(target, profile)
    files = expand_inputs(inputs, target)
    outs = plan_outputs(files, target, Path(output) if output else None, Path(output_dir) if output_dir else None,
                        names=_relative_names(inputs, files), overwrite=overwrite)
    if report is not None:
        r = Path(report).resolve()
        if r in {f.resolve() for f in files} | {o.resolve() for o in outs}:
            raise WriteError("the report would overwrite an input or an output", path=report,
                             hint="give --report another file name")
    results = []
    for n, (path, out_path) in enumerate(zip(files, outs)):
        fr = FileResult(path=str(path), profile=settings.profile.name)
        results.append(fr)
        try:
            track = load(path, encoding=encoding, lenient=lenient)
            file_progress = (lambda done, total, _n=n: progress(_n, len(files), done, total)) if progress else None
            tr = translate_file(translator, track, out_path, to=target, settings=settings, source=source,
                                bilingual=bilingual, progress=file_progress)
            fr.output, fr.translation = str(out_path), tr
            fr.findings = check_translation(out_path, track, tr, settings, bilingual=bilingual,
                                            glossary=translator.glossary)
        except ModelError:
            raise  # the model is missing or cannot do the job: no later file would fare better
        except SubtransError as exc:
            fr.error = exc.with_path(path)
    return results
