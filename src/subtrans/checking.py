"""One ``subtrans check`` run over several files, as data (the CLI renders it)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence, cast

from ._version import __version__
from .config import find_config, load_config
from .errors import ConfigError, SubtransError, WriteError
from .formats import load, save
from .profiles import load_profile
from .qa import Settings, Severity, check, fix, resolve_profile, rule_set_hash, validate_rules
from .qa.base import Fix
from .textio import normalize_encoding
from .reports import FileReport, Report

if TYPE_CHECKING:  # pragma: no cover
    from .glossary import Glossary
    from .model import Track
    from .profiles import Profile


def signature(profile: str, fps: float, rules_hash: str) -> str:
    fps_text = f"{fps:g}"
    return f"subtrans:{__version__}|profile:{profile}|fps:{fps_text}|rules:{rules_hash}"


def build_settings(*, profile: str | Profile | None = None, fps: float | None = None, ignored: Iterable[str] = (),
                   config_path: Path | None = None) -> tuple[Settings, str | None]:
    """Settings from the configuration file and the command line (which wins)."""
    cfg = load_config(config_path or find_config())
    try:
        severities = {k: Severity.parse(v) for k, v in cfg.severities.items()}
    except ValueError as exc:
        raise ConfigError(str(exc), path=cfg.path) from None
    settings = Settings(
        profile=profile or cfg.profile,
        fps=fps or cfg.fps or 24.0,
        fps_given=bool(fps or cfg.fps),
        disabled=set(cfg.disabled) | set(ignored),
        severities=severities,
        limits=dict(cfg.limits),
        limits_source=f"{cfg.path} [limits]" if cfg.path else "configuration",
        ignore_styles=cfg.ignore_styles,
    )
    return settings, cfg.fail_on


def _text_lines(track: Track, n: int) -> tuple[int, int]:
    """The lines of the file cue ``n`` (1-based) has its text on: after the number and timing lines in SRT
    and WebVTT; on its own line in ASS and TTML (0: unknown)."""
    cue = track.cues[n - 1]
    if not cue.line:
        return 0, 0
    first = cue.line + ((cue.id is not None) + 1 if track.format in ("srt", "vtt") else 0)
    last = first + (cue.text.count("\n") if track.format in ("srt", "vtt") else 0)
    return first, last


def run_check(files: Sequence[str | Path], *, profile: str | Profile | None = None, fps: float | None = None,
              lenient: bool = False, do_fix: bool = False, in_place: bool = False, fix_output: Path | None = None,
              fail_on: str | None = None, encoding: str | None = None, input_format: str | None = None,
              ignored: Iterable[str] = (), config_path: Path | None = None, sources: Sequence[str | Path] = (),
              glossaries: Iterable[str | Path] = (), ignore_styles: tuple[str, ...] | None = None,
              timeline: bool = True) -> Report:
    """Check ``files``; with ``sources`` (one per file, in order) also source-versus-translation
    rules, and with ``glossaries`` the glossary rule. ``timeline``: work out each file's reading speed
    per cue, which only the HTML report draws (the command line asks for it for that format only)."""
    settings, cfg_fail_on = build_settings(profile=profile, fps=fps, ignored=ignored, config_path=config_path)
    fail_name = fail_on or cfg_fail_on or "warning"
    if fail_name not in ("error", "warning", "info", "never"):
        raise ConfigError(f"fail-on must be error, warning, info or never, not {fail_name!r}")
    threshold = None if fail_name == "never" else Severity.parse(fail_name)
    # Mistakes in options are usage errors, said once, not once per file.
    if isinstance(settings.profile, str):
        load_profile(settings.profile)
    validate_rules(settings)
    if encoding:
        normalize_encoding(encoding)
    if sources and len(sources) != len(files):
        raise ConfigError(f"{len(sources)} --source file(s) for {len(files)} file(s) to check",
                          hint="give one --source per file, in the same order")
    glossary = None
    if glossaries:
        from .glossary import load_glossaries

        glossary = load_glossaries(glossaries)

    reports, signatures = [], set()
    for n, path in enumerate(files):
        fr = FileReport(path=str(path))
        reports.append(fr)
        try:
            track = load(path, format=input_format, encoding=encoding, lenient=lenient)
            prof, auto = resolve_profile(track, settings.profile, settings.limits, settings.limits_source)
            source = load(sources[n], encoding=encoding, lenient=lenient) if sources else None
            # a TTML file's own ttp:frameRate, unless --fps or the configuration names one
            file_fps = float(track.frame_rate) if track.frame_rate and not settings.fps_given else settings.fps
            file_settings = Settings(**{**settings.__dict__, "fps": file_fps, "profile": prof, "source": source,
                                        "glossary": glossary,
                                        "ignore_styles": ignore_styles if ignore_styles is not None
                                        else settings.ignore_styles})
            fr.format, fr.encoding, fr.cues = track.format, track.encoding + ("+bom" if track.bom else ""), len(track)
            fr.profile, fr.profile_auto = prof.name, auto
            from .lang.bilingual import bilingual

            fr.bilingual = bilingual(track)
            if fr.bilingual is None and track.format == "ass":   # the English line as events of its own
                from .formats.ass import paired_events
                from .lang.bilingual import Bilingual
                from .text import base_language

                pairing = paired_events(track, prof.language)
                if pairing is not None:
                    fr.bilingual = bilingual(pairing[0]) or Bilingual(base_language(prof.language), "en",
                                                                      len(pairing[1]))
            fr.signature = signature(prof.name, file_settings.fps, rule_set_hash(prof, file_settings))
            signatures.add(fr.signature)
            if do_fix:
                skipped = [n for n in track.notes if n.rule == "skipped-block"]
                if skipped:
                    raise WriteError(
                        f"{len(skipped)} block(s) were skipped; --fix would drop them from the output",
                        path=path, line=skipped[0].line, text=skipped[0].text.split("\n", 1)[0],
                        hint="repair the file first, then fix",
                    )
                fixed, fr.fixes = fix(track, settings=file_settings)
                target = Path(path) if in_place else _fix_target(Path(path), cast(Path, fix_output))  # the CLI gives one without --in-place
                if not in_place and target.resolve() == Path(path).resolve():
                    raise WriteError("--fix would overwrite the input; pass --in-place to allow it", path=target)
                substituted: list[tuple[str, str, int, int]] = []
                save(fixed, target, encoding=encoding, substituted=substituted)
                enc = encoding or fixed.encoding
                fr.fixes += [Fix("encoding", _cue_at_line(fixed, line),
                                 f"{char!r} written as {closest!r} ({enc} cannot hold it), {_times(count)}")
                             for char, closest, count, line in substituted]
                fr.output = str(target)
                # Re-check what was written, exactly as a later run would read it.
                track = load(target, format=input_format, encoding=encoding, lenient=lenient)
            fr.findings = check(track, settings=file_settings)
            fr.texts = {f.cue: track.cues[f.cue - 1].text for f in fr.findings
                        if f.cue is not None and 0 < f.cue <= len(track.cues)}
            fr.lines = {n: _text_lines(track, n) for n in fr.texts}
            if timeline:
                from .text import reading_speed  # the per-cue track the HTML report draws

                hw, max_cps = prof.get("half_width_weight", 1.0), prof.get("max_cps")
                fr.timeline = [(i, c.start, c.end, reading_speed(c.text, c.duration, hw), max_cps)
                               for i, c in enumerate(track.cues, 1)]
            if source is not None:
                fr.pairs = _pairs(source, track, glossary)
        except SubtransError as exc:
            fr.error = exc.with_path(path)
    if len(signatures) == 1:
        sig = signatures.pop()
    else:
        sig = signature("per-file" if signatures else str(settings.profile or "auto"), settings.fps, "per-file")
    return Report(files=reports, signature=sig, fail_on=threshold)


def _cue_at_line(track: Track, line: int) -> int:
    """The 1-based cue whose block holds line ``line`` of the written file (1 when unknown)."""
    return max((i for i, c in enumerate(track.cues, 1) if c.line and c.line <= line), default=1)


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _pairs(source: Track, track: Track,
           glossary: Glossary | None) -> list[tuple[int, str, str, list[tuple[str, str]]]]:
    """Source and target text per target cue, with the glossary terms found in the source."""
    from .qa.rules.parity import _glossary_code as code
    from .qa.rules.parity import pairs
    from .text import detect_language

    rows: list[tuple[int, str, str, list[tuple[str, str]]]] = []
    lang = code(detect_language(c.text for c in source.cues))
    target_lang = code(detect_language(c.text for c in track.cues)) or "ru"
    find: Callable[[str], list[tuple[str, str]]] | None = None
    if glossary and lang:
        from .glossary import find_terms

        def find_in(text: str) -> list[tuple[str, str]]:
            return [(m.surface, m.term.text(target_lang) or "") for m in find_terms(text, lang, glossary)]
        find = find_in
    for i, js in pairs(source, track):
        text = "\n".join(source.cues[j].text for j in js)
        rows.append((i + 1, text, track.cues[i].text, find(text.replace("\n", " ")) if find else []))
    return rows


def _fix_target(path: Path, output: Path) -> Path:
    return output / path.name if output.is_dir() else output


__all__ = ["run_check", "build_settings", "signature"]
