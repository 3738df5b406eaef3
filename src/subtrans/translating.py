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
   cue's formatting back.

The output track has exactly the input's cues, timings, ids and settings.
Nothing here imports torch or transformers; the backend does, when it loads.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import __version__
from .errors import ConfigError, ModelError, SubtransError, WriteError
from .model import Track
from .text import base_language, detect_language

__all__ = ["Translator", "Translation", "translate", "normalize_language", "target_profile", "default_output",
           "LANGUAGES"]

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

    Not thread-safe: a Translator holds a tokenizer, a model and a SQLite
    connection; use one per thread (or per process, as a catalogue run does).
    """

    def __init__(self, model: str | Path | None = None, *, backend: str = "auto", device: str | None = None,
                 beams: int | None = None, batch_size: int = 16, max_length: int | None = None,
                 cache=True, glossaries=(), allow_pickle: bool = False, offline: bool | None = None,
                 revision: str | None = None) -> None:
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
                  profile=None, progress: ProgressFn | None = None) -> Translation:
        """Translate ``track`` into ``to``; the input track is not changed."""
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
        context = cache_context(model=spec.name, hub_id=spec.hub_id, revision=backend.revision,
                                backend=backend.name, source=model_src, target=model_tgt, beams=beams,
                                max_length=self.max_length, glossary=glossary.hash if glossary else None,
                                pipeline=1)
        memo = _Memo(self, backend, context, model_src, model_tgt, beams, progress)
        unit_texts = [_source_text(u.text, src, model_src) for u in units]
        unit_matches = [terms_of.matches(u.text) for u in units]
        memo.run(unit_texts, {t: terms_of.constraints(m) for t, m in zip(unit_texts, unit_matches) if m})

        # Spread each unit over its slots; a unit that cannot be spread is redone per slot.
        slot_text: dict[tuple[int, int], str] = {}
        redo: list[tuple[int, int]] = []
        split_per_cue = 0
        for u, key, matches in zip(units, unit_texts, unit_matches):
            tr = _target_text(memo.result[key], target, model_tgt, matches)
            parts = U.split_translation(tr, u.weights, target) if tr.strip() else None
            if parts is None and len(u.slots) > 1:
                redo.extend(u.slots)
                split_per_cue += 1
                continue
            if parts is None:
                parts = [""]
            slot_text.update(zip(u.slots, parts))
        if redo:
            keys = {s: _source_text(shapes[s[0]].segments[s[1]].text, src, model_src) for s in redo}
            slot_matches = {s: terms_of.matches(shapes[s[0]].segments[s[1]].text) for s in redo}
            memo.run(list(keys.values()), {keys[s]: terms_of.constraints(m) for s, m in slot_matches.items() if m})
            for s, key in keys.items():
                slot_text[s] = _target_text(memo.result[key], target, model_tgt, slot_matches[s]).strip()

        out = track.copy()
        out.encoding, out.bom = "utf-8", False
        out.notes = []
        layout = _Layout(target, prof)
        escape = _vtt_escape if track.format == "vtt" else None
        for i, (cue, shape) in enumerate(zip(out.cues, shapes)):
            if not shape.segments:
                continue  # nothing to translate (an empty cue, music notes only): kept as it is
            texts = []
            for k, seg in enumerate(shape.segments):
                t = layout.punctuate(slot_text.get((i, k), ""))
                if not t and seg.text:
                    warnings.append(f"cue {i + 1}: the model returned nothing; the source text was kept")
                    t = seg.text
                texts.append(t)
            new = U.render(shape, texts, target, layout=layout.lines, dash=layout.dash,
                           dash_space=layout.dash_space, escape=escape)
            if len(shape.segments) > 1 and all(seg.kind != "speaker" for seg in shape.segments):
                new = layout.reflow(new)   # a sound description with speech, say: too long a line
            cue.text = new

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
        sig = (f"subtrans:{__version__}|model:{spec.name}@{backend.revision}|backend:{backend.name}"
               f"|{src}-{target}|beams:{beams}|glossary:{glossary.hash if glossary else 'none'}"
               f"|profile:{prof.name}")
        return Translation(
            track=out, source=src, target=target, model=spec.name, backend=self.backend_note, signature=sig,
            cues=len(track), units=len(units), unique=memo.unique, cached=memo.cached,
            translated=memo.translated, split_per_cue=split_per_cue, warnings=warnings,
            terms=term_report, glossary=glossary.hash if glossary else "none", translation_only=translation_only,
        )

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

    @property
    def last_enforcement(self):
        return getattr(self._loaded, "last_enforcement", None)


class _Memo:
    """Translates distinct texts once: the cache first, then the model in sorted batches."""

    def __init__(self, tr: Translator, backend, context, source, target, beams, progress):
        self.tr, self.backend, self.context = tr, backend, context
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
    from .formats import EXTENSIONS, load, save
    from .profiles import load_profile
    from .qa import Settings, check, validate_rules

    target = normalize_language(to)
    prof = load_profile(profile or target_profile(target))
    # The project's configuration (subtrans.toml / [tool.subtrans]) decides the QA as for
    # `subtrans check`: fps, switched-off rules, severities and limits. Its `profile` is not used:
    # the target language decides that here.
    from .checking import build_settings

    qa_settings, _ = build_settings(profile=prof.name)
    validate_rules(qa_settings)
    file_prof = prof.with_values(qa_settings.limits, qa_settings.limits_source) if qa_settings.limits else prof
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
        fr = FileResult(path=str(path), profile=prof.name)
        results.append(fr)
        try:
            track = load(path, encoding=encoding, lenient=lenient)
            file_progress = (lambda done, total, _n=n: progress(_n, len(files), done, total)) if progress else None
            tr = translator.translate(track, to=target, source=source, bilingual=bilingual, profile=file_prof,
                                      progress=file_progress)
            # What --lenient skipped in the input is not in the output: say so.
            lost = [n for n in track.notes if n.rule in ("skipped-block", "invalid-bytes")]
            tr.warnings[:0] = [f"input line {n.line}: {n.message}"
                               + (" (not in the output)" if n.rule == "skipped-block" else "") for n in lost]
            out_path.parent.mkdir(parents=True, exist_ok=True)
            # -o out.vtt for an SRT input converts: the output's extension names its format.
            out_format = EXTENSIONS.get(out_path.suffix.lower(), tr.track.format)
            save(tr.track, out_path, format=out_format, encoding="utf-8")
            fr.output, fr.translation = str(out_path), tr
            settings = Settings(**{**qa_settings.__dict__, "profile": file_prof, "source": track,
                                   "glossary": translator.glossary})
            # A bilingual file is checked on its translation lines: the source lines are not the
            # target profile's business (the timings are the same).
            fr.findings = check(tr.translation_only if bilingual else load(out_path), settings=settings)
        except ModelError:
            raise  # the model is missing or cannot do the job: no later file would fare better
        except OSError as exc:
            fr.error = WriteError(f"cannot write the output: {exc.strerror or exc}", path=out_path)
        except SubtransError as exc:
            fr.error = exc.with_path(path)
    return results
