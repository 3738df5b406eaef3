"""The file-level job around the Translator: where outputs go, translating and writing a file, checking it.

``subtrans translate`` and the catalogue runs (:mod:`subtrans.batch`) share
these, so a file comes out the same either way.
"""

from __future__ import annotations

import sys

from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from ..errors import ConfigError, ModelError, SubtransError, WriteError
from ..model import Track
from .assembly import Translation
from .languages import FORMAT_SUFFIXES, default_output, file_tag, normalize_language, target_profile
from .translator import ProgressFn, Translator

if TYPE_CHECKING:  # pragma: no cover
    from ..glossary import Glossary
    from ..profiles import Profile
    from ..qa import Finding, Settings
    from .assembly import BilingualLayout

__all__ = ["FileResult", "translation_settings", "translate_file", "check_translation", "expand_inputs",
           "plan_outputs", "run_translate"]


@dataclass
class FileResult:
    path: str
    output: str | None = None
    translation: Translation | None = None
    findings: list[Finding] = field(default_factory=list)
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
    from ..checking import build_settings
    from ..profiles import load_profile
    from ..qa import Settings, validate_rules

    prof = load_profile(profile or target_profile(normalize_language(target)))
    settings, _ = build_settings(profile=prof.name)
    validate_rules(settings)
    if settings.limits:
        prof = prof.with_values(settings.limits, settings.limits_source)
    return Settings(**{**settings.__dict__, "profile": prof})


def translate_file(translator: Translator, track: Track, output: str | Path, *, to: str, settings: Settings,
                   source: str | None = None, bilingual: bool | BilingualLayout = False,
                   progress: ProgressFn | None = None, keep_other_lines: bool = False,
                   output_format: str | None = None) -> Translation:
    """Translate a loaded ``track`` and write it to ``output`` atomically, in UTF-8.

    ``settings`` come from :func:`translation_settings`: the layout and the
    fitting follow its profile, minimum gap (fps) and switched-off rules. The
    output's format is ``output_format``, else the one its extension names (``-o out.vtt`` for an SRT input
    converts), else the input's. The output declares the target language where its format can (TTML's
    ``xml:lang``); a TTML source's frame rate is kept. What a lenient read skipped in
    the input (``track.notes``) heads the translation's warnings, since it is
    not in the output. Raises :class:`WriteError` when the output cannot be written.
    """
    from ..formats import EXTENSIONS, save

    if getattr(translator, "ignore_styles", None) is None and settings.ignore_styles is not None:
        translator.ignore_styles = settings.ignore_styles   # the project configuration's ASS sign styles
    tr = translator.translate(track, to=to, source=source, bilingual=bilingual, keep_other_lines=keep_other_lines,
                              profile=settings.profile,
                              progress=progress, fps=settings.fps, disabled_rules=settings.disabled)
    lost = [n for n in track.notes if n.rule in ("skipped-block", "invalid-bytes")]
    tr.warnings[:0] = [f"input line {n.line}: {n.message}"
                       + (" (not in the output)" if n.rule == "skipped-block" else "") for n in lost]
    output = Path(output)
    fmt = output_format or EXTENSIONS.get(output.suffix.lower(), tr.track.format)
    if fmt == "ttml" and tr.track.format == "imsc" and not output_format:
        fmt = "imsc"                 # an IMSC source in a .ttml/.xml output stays IMSC
    written = tr.track
    written.language = to
    if fmt != tr.track.format:   # -o names another format: converted, every loss said
        from ..formats.convert import convert

        converted = convert(tr.track, fmt)
        written = converted.track
        tr.warnings += [f"written as {fmt}: {loss}" for loss in converted.losses]
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        save(written, output, format=fmt, encoding="utf-8")
    except OSError as exc:
        raise WriteError(f"cannot write the output: {exc.strerror or exc}", path=output) from None
    return tr


def check_translation(output: str | Path, source: Track, translation: Translation, settings: Settings, *,
                      bilingual: bool | BilingualLayout = False, glossary: Glossary | None = None) -> list[Finding]:
    """The QA findings of a translation written by :func:`translate_file`.

    ``output`` is checked with ``settings`` (:func:`translation_settings`) and
    against ``source``, and the ``glossary`` if any. With ``retime`` the source
    is taken as retimed (the cues the translation's fit report lists moved), so
    that ``cue-count`` reports only timing changes nobody asked for. A bilingual
    file is checked on its translation lines (``translation.translation_only``):
    the source lines are not the target profile's business, and the timings are
    the same. ``translation`` needs no ``track`` (a batch actor sends it without).
    """
    from ..formats import load
    from ..qa import Settings, check

    file_settings = Settings(**{**settings.__dict__, "source": _as_retimed(source, translation),
                                "glossary": glossary})
    checked = translation.translation_only if bilingual else load(output)
    assert checked is not None  # (the Translator always sets translation_only; a batch actor keeps it when bilingual)
    return check(checked, settings=file_settings)


def _as_retimed(source: Track, translation: Translation) -> Track:
    """The source as the translation was meant to be timed: the cues retimed (listed in the fit report)
    at their new times."""
    if translation.fit is None or not translation.fit.retimed:
        return source
    moved = source.copy()
    for r in translation.fit.retimed:
        moved.cues[r.cue].start, moved.cues[r.cue].end = r.new
    return moved


def expand_inputs(inputs: Sequence[str | Path], target: str | None = None) -> list[Path]:
    """Files as given; a folder stands for the subtitle files in it (.srt, .vtt, .ass, .ssa, .ttml, .dfxp;
    recursively, sorted), leaving out files already named as translations into ``target`` (a rerun's
    outputs)."""
    from ..formats.base import FOLDER_SUFFIXES

    files: list[Path] = []
    tag = f".{file_tag(target)}".lower() if target else None
    for p in map(Path, inputs):
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.suffix.lower() in FOLDER_SUFFIXES and q.is_file()
                           and not (tag and Path(q.stem).suffix.lower() == tag))
            if not found:
                raise ConfigError("no .srt, .vtt, .ass, .ssa, .ttml or .dfxp files to translate in the folder", path=p)
            files.extend(found)
        else:
            files.append(p)
    return files


def _relative_names(inputs: Sequence[str | Path], files: list[Path]) -> list[Path]:
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
                 names: list[Path] | None = None, overwrite: bool = False,
                 output_format: str | None = None) -> list[Path]:
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
            outs.append(Path(output_dir).joinpath(*parts[:-1],
                                                  default_output(Path(parts[-1]), target, output_format).name))
    else:
        outs = [default_output(f, target, output_format) for f in files]
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


def run_translate(inputs: Sequence[str | Path], *, to: str, source: str | None = None,
                  output: str | Path | None = None, output_dir: str | Path | None = None,
                  translator: Translator, profile: str | None = None, bilingual: bool | BilingualLayout = False,
                  keep_other_lines: bool = False,
                  encoding: str | None = None, lenient: bool = False,
                  progress: Callable[[int, int, int, int], None] | None = None, overwrite: bool = False,
                  report: str | Path | None = None, output_format: str | None = None) -> list[FileResult]:
    """Translate files, write the outputs atomically, check each output with the target profile
    (and against its source: untranslated text, numbers, tags, glossary terms)."""
    from ..formats import load

    target = normalize_language(to)
    settings = translation_settings(target, profile)
    files = expand_inputs(inputs, target)
    if [str(f) for f in files] == ["-"] and output is None and output_dir is None:
        output = "-"           # a filter: standard input to standard output
    if "-" in [str(f) for f in files] and len(files) > 1:
        raise ConfigError("- (standard input) can be the only input", hint="translate the files separately")
    to_stdout = output is not None and str(output) == "-"
    if to_stdout and len(files) > 1:
        raise ConfigError("-o - writes one translation to standard output; with several inputs use --output-dir")
    if to_stdout:
        outs = [Path("-")]
    else:
        if str(files[0]) == "-" and output is None:
            raise ConfigError("standard input has no name to make an output's from", hint="give -o FILE or -o -")
        outs = plan_outputs(files, target, Path(output) if output else None,
                            Path(output_dir) if output_dir else None, names=_relative_names(inputs, files),
                            overwrite=overwrite, output_format=output_format)
    if report is not None:
        r = Path(report).resolve()
        if r in {f.resolve() for f in files} | {o.resolve() for o in outs if str(o) != "-"}:
            raise WriteError("the report would overwrite an input or an output", path=report,
                             hint="give --report another file name")
    results: list[FileResult] = []
    for n, (path, out_path) in enumerate(zip(files, outs)):
        # (translation_settings always gives a Profile, not a name)
        fr = FileResult(path=str(path), profile=cast("Profile", settings.profile).name)
        results.append(fr)
        try:
            track = load(path, encoding=encoding, lenient=lenient)
            file_progress = (lambda done, total, _n=n: progress(_n, len(files), done, total)) if progress else None
            written = out_path
            if str(out_path) == "-":   # written whole to a temporary file, checked there, then to stdout
                import tempfile

                tmp = tempfile.TemporaryDirectory(prefix="subtrans-")
                written = Path(tmp.name) / ("stdout" + FORMAT_SUFFIXES.get(output_format or track.format, ".srt"))
            tr = translate_file(translator, track, written, to=target, settings=settings, source=source,
                                bilingual=bilingual, progress=file_progress, keep_other_lines=keep_other_lines,
                                output_format=output_format or (track.format if written != out_path else None))
            fr.output, fr.translation = str(out_path), tr
            fr.findings = check_translation(written, track, tr, settings, bilingual=bilingual,
                                            glossary=translator.glossary)
            if written != out_path:
                sys.stdout.buffer.write(written.read_bytes())
                sys.stdout.buffer.flush()
                tmp.cleanup()
        except ModelError:
            raise  # the model is missing or cannot do the job: no later file would fare better
        except SubtransError as exc:
            fr.error = exc.with_path(path)
    return results
