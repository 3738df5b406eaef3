"""The QA engine: run the registered rules over a track, apply safe fixes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..model import Track
from ..profiles import Profile, load_profile, profile_for_language
from ..text import detect_language, sample_texts
from . import rules as _rules  # noqa: F401  (register the built-in rules)
from .base import RULES, Context, Finding, Fix, Rule, Severity, register_rule

if TYPE_CHECKING:  # pragma: no cover
    from ..glossary import Glossary

__all__ = [
    "check", "fix", "validate_rules", "Settings", "resolve_profile", "rule_set_hash",
    "Finding", "Fix", "Rule", "Severity", "Context", "RULES", "register_rule", "FIX_ORDER",
]

# Fixes run in this order: sorting first, then durations, then gaps.
FIX_ORDER = (
    "whitespace", "ellipsis", "zh-punctuation", "out-of-order", "max-duration",
    "overlap", "min-duration", "min-gap", "cue-numbering", "missing-final-newline",
)


@dataclass
class Settings:
    """What a check run is configured with (from the CLI, a config file, or code)."""

    profile: str | Profile | None = None
    fps: float = 24.0
    disabled: set[str] = field(default_factory=set)
    severities: dict[str, Severity] = field(default_factory=dict)
    limits: dict[str, object] = field(default_factory=dict)
    limits_source: str = "configuration"
    source: Track | None = None          # enables the source-versus-translation rules
    glossary: "Glossary | None" = None   # a subtrans.glossary.Glossary for the glossary rule
    ignore_styles: tuple[str, ...] | None = None   # ASS styles of signs and songs (None: the defaults)
    #: False when ``fps`` is only the default: a file that declares its frame rate (TTML) is then checked at it
    fps_given: bool = True


def resolve_profile(track: Track, profile: str | Profile | None = None,
                    limits: dict[str, Any] | None = None, limits_source: str = "configuration") -> tuple[Profile, bool]:
    """The profile to check ``track`` against, and whether it was picked from the text's language."""
    auto = profile is None
    if isinstance(profile, Profile):
        prof = profile
    else:
        prof = load_profile(profile or profile_for_language(detect_language(sample_texts(track.cues))))
    if limits:
        prof = prof.with_values(limits, limits_source)
    return prof, auto


def _context(track: Track, settings: Settings) -> Context:
    prof, _ = resolve_profile(track, settings.profile, settings.limits, settings.limits_source)
    language = prof.language if prof.language != "any" else detect_language(sample_texts(track.cues))
    source_language = None
    if settings.source is not None:
        source_language = detect_language(sample_texts(settings.source.cues))
    from ..lang.bilingual import bilingual

    return Context(profile=prof, fps=settings.fps, language=language, severities=dict(settings.severities),
                   source=settings.source, source_language=source_language, glossary=settings.glossary,
                   bilingual=bilingual(track))


def validate_rules(settings: Settings) -> None:
    """Raise ConfigError if the settings name a rule that does not exist."""
    _active_rules(settings)


def _active_rules(settings: Settings) -> list[Rule]:
    unknown = (settings.disabled | set(settings.severities)) - set(RULES)
    if unknown:
        from ..errors import ConfigError

        raise ConfigError(f"unknown rule {sorted(unknown)[0]!r}", text=sorted(unknown)[0],
                          hint=f"rules: {', '.join(sorted(RULES))}")
    return [cls() for name, cls in RULES.items() if name not in settings.disabled]


def check(track: Track, profile: str | Profile | None = None, *, fps: float = 24.0,
          settings: Settings | None = None) -> list[Finding]:
    """All findings for ``track``, ordered by cue, then rule code.

    ``profile`` is a profile name, a path to a profile file, a :class:`Profile`,
    or ``None`` to pick one from the language of the text.
    """
    if settings is None:
        settings = Settings(profile=profile, fps=fps)
    ctx = _context(track, settings)
    from ..formats.ass import other_language_cues, paired_events

    pairing = paired_events(track, ctx.language) if track.format == "ass" else None
    if pairing is not None:
        # a two-event bilingual ASS file: checked as the bilingual track of its pairs (each line against its
        # own language's profile, a missing English line or differing numbers found), findings at the events
        import dataclasses

        from ..lang.bilingual import Bilingual, line_language

        paired, keep = pairing
        pctx = _context(paired, settings)
        if pctx.bilingual is None:   # a short file: the styles say it is bilingual, whatever the count
            others = {lang for i in other_language_cues(track, ctx.language)
                      for ln in track.cues[i].text.split("\n") if (lang := line_language(ln)) is not None}
            from ..text import base_language

            main = base_language(ctx.language)
            assert main is not None  # events of ctx.language were found, so it is a language
            pctx = dataclasses.replace(pctx, bilingual=Bilingual(main,
                                                                 sorted(others)[0] if others else "en", len(keep)))
        return _renumbered(_findings(paired, pctx, settings), keep)
    return _findings(track, ctx, settings)


def _findings(track: Track, ctx: Context, settings: Settings) -> list[Finding]:
    from ..formats.ass import ignored_cues, other_language_cues

    rules = _active_rules(settings)

    # signs and songs, and a two-event bilingual file's other-language events: not this profile's dialogue
    ignored = ignored_cues(track, settings.ignore_styles) | other_language_cues(track, ctx.language)
    if ignored:   # signs and songs: not dialogue for the timing and reading-speed rules
        timed = [r for r in rules if r.category in ("timing", "speed")]
        rules = [r for r in rules if r not in timed]
        findings = _check_without(track, ctx, timed, ignored)
    else:
        findings = []
    if ctx.bilingual is None:
        findings += [f for rule in rules for f in rule.check(track, ctx)]
    else:
        findings += _check_bilingual(track, ctx, rules)
    findings.sort(key=lambda f: (f.cue if f.cue is not None else -1, f.code))
    return findings


def _renumbered(findings: list[Finding], keep: list[int]) -> list[Finding]:
    """Findings on a track made of some cues of another (``keep``: their indices there), numbered as there."""
    import dataclasses
    import re

    renumber = lambda m: f"cue {keep[int(m.group(1)) - 1] + 1}" if 0 < int(m.group(1)) <= len(keep) \
        else m.group(0)  # noqa: E731
    return [dataclasses.replace(f, cue=keep[f.cue - 1] + 1 if f.cue is not None and 1 <= f.cue <= len(keep) else f.cue,
                                message=re.sub(r"\bcue (\d+)", renumber, f.message)) for f in findings]


def _check_without(track: Track, ctx: Context, rules: list[Rule], ignored: set[int]) -> list[Finding]:
    """``rules`` on ``track`` without the ``ignored`` cues, the findings given back the track's cue numbers."""
    import dataclasses

    keep = [i for i in range(len(track.cues)) if i not in ignored]
    view = dataclasses.replace(track, cues=[track.cues[i] for i in keep])
    return _renumbered([f for rule in rules for f in rule.check(view, ctx)], keep)


def _check_bilingual(track: Track, ctx: Context, rules: list[Rule]) -> list[Finding]:
    """A bilingual track: the rules that measure lines see the main language's lines with the profile,
    and (line length, number of lines) the other language's lines with that language's profile; the
    others see the whole track."""
    import dataclasses

    from ..lang.bilingual import LANGUAGE_NAMES, view

    bi = ctx.bilingual
    assert bi is not None  # called for a bilingual track only
    main, other = view(track, bi.main), view(track, bi.other)
    other_ctx = dataclasses.replace(ctx, profile=load_profile(profile_for_language(bi.other)), language=bi.other)
    name = LANGUAGE_NAMES.get(bi.other, bi.other)
    findings: list[Finding] = []
    for rule in rules:
        if not rule.per_language:
            findings.extend(rule.check(track, ctx))
            continue
        findings.extend(rule.check(main, ctx))
        if rule.other_too:
            findings.extend(dataclasses.replace(f, message=f"{name} line: {f.message}")
                            for f in rule.check(other, other_ctx))
    return findings


def fix(track: Track, profile: str | Profile | None = None, *, fps: float = 24.0,
        settings: Settings | None = None) -> tuple[Track, list[Fix]]:
    """A copy of ``track`` with the safe fixes applied, and the list of what changed.

    Safe fixes: sort out-of-order cues, trim overlaps and overlong cues, extend
    short cues into free time, close too-small gaps and bridge 3-11 frame gaps
    to the profile's minimum gap, normalise whitespace and ellipses, make
    half-width punctuation in Chinese full-width, renumber SRT cues. Writing the
    result also puts right what the reader noticed (timestamp format, blank
    lines between cues, line endings). Text is never reworded.
    """
    if settings is None:
        settings = Settings(profile=profile, fps=fps)
    ctx = _context(track, settings)
    out = track.copy()
    out.gaps = {}   # one blank line between cues
    for cue in out.cues:
        if cue.raw and cue.raw[0] == "srt":
            cue.raw = None   # the fixed file writes every number and timing line canonically
    enabled = {r.name: r for r in _active_rules(settings)}
    applied: list[Fix] = []
    for name in FIX_ORDER:
        if name in enabled:
            applied.extend(enabled[name].fix(out, ctx))
    return out, applied


def rule_set_hash(profile: Profile, settings: Settings) -> str:
    """A short hash of everything that decides the findings: rules, severities, limits, fps."""
    import hashlib
    import json

    data = {
        "rules": sorted(
            (name, cls.code, str(settings.severities.get(name, cls.severity)))
            for name, cls in RULES.items() if name not in settings.disabled
        ),
        "values": {k: v.value for k, v in sorted(profile.values.items())},
        "fps": settings.fps,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]
