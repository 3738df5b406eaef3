"""QA rules: the base class, findings, and the registry.

How to add a rule:

1. Subclass :class:`Rule` in a module of ``subtrans.qa.rules``; set ``name``
   (stable kebab-case: reports, configs and tests depend on it), ``code``
   (short, unique), ``severity`` and ``category``.
2. Write the docstring: the first line is the rule's summary; then a
   ``Bad:`` and a ``Good:`` example.
3. Implement ``check(track, ctx)`` yielding :class:`Finding` objects made
   with :meth:`Rule.finding`. Read limits from ``ctx.profile``; never print.
4. If a fix is safe (it cannot make the subtitle wrong), implement
   ``fix(track, ctx)`` returning the fixes it made, and set ``fixable``.
5. Decorate with :func:`register_rule` and add pass/fail cases to
   ``tests/rule_cases.py`` (boundary values: exactly at the limit passes).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

from ..model import Cue, Track
from ..profiles import Profile

if TYPE_CHECKING:  # pragma: no cover
    from ..glossary import Glossary
    from ..lang.bilingual import Bilingual

__all__ = ["Severity", "Finding", "Fix", "Context", "Rule", "register_rule", "RULES"]


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return _SEVERITY_NAMES[self]

    @classmethod
    def parse(cls, name: str) -> "Severity":
        try:
            return cls[name.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {name!r} (error, warning, info)") from None


_SEVERITY_NAMES = {s: s.name.lower() for s in Severity}


@dataclass(slots=True)
class Finding:
    """One problem in one cue (or in the file, when ``cue`` is ``None``)."""

    rule: str
    code: str
    severity: Severity
    message: str
    cue: int | None = None  # 1-based position in the file
    id: str | None = None  # the file's own cue identifier
    start: int | None = None
    end: int | None = None
    value: float | int | str | None = None
    limit: float | int | str | None = None
    line: int | None = None  # line in the source file, when known

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule, "code": self.code, "severity": _SEVERITY_NAMES[self.severity],
            "cue": self.cue, "id": self.id, "start": self.start, "end": self.end,
            "message": self.message, "value": self.value, "limit": self.limit, "line": self.line,
        }


@dataclass(frozen=True)
class Fix:
    rule: str
    cue: int  # 1-based
    message: str


@dataclass
class Context:
    """What a rule may read besides the track: the profile, the frame rate, and (for the
    source-versus-translation rules) the source track and the glossary."""

    profile: Profile
    fps: float = 24.0
    language: str | None = None
    severities: dict[str, Severity] = field(default_factory=dict)
    # Source-versus-translation checks (``subtrans check TARGET --source SOURCE``):
    source: Track | None = None          # the track this one was translated from
    source_language: str | None = None   # ru, zh-hans, zh-hant
    glossary: "Glossary | None" = None   # a subtrans.glossary.Glossary
    # A bilingual track (subtrans.lang.bilingual.Bilingual): rules that measure lines (per_language)
    # see each language's lines in turn, against that language's profile.
    bilingual: "Bilingual | None" = None

    def frames_to_ms(self, frames: float) -> float:
        return frames * 1000.0 / self.fps

    def ms_to_frames(self, ms: float) -> float:
        return ms * self.fps / 1000.0

    @property
    def half_width(self) -> float:
        return float(self.profile.get("half_width_weight", 1.0))


class Rule:
    name: ClassVar[str]
    code: ClassVar[str]
    severity: ClassVar[Severity]
    category: ClassVar[str]
    fixable: ClassVar[bool] = False
    #: Measures lines of text in one language: in a bilingual track it runs on the main language's
    #: lines with the profile, and (``other_too``) on the other language's lines with that language's.
    per_language: ClassVar[bool] = False
    other_too: ClassVar[bool] = False

    @classmethod
    def summary(cls) -> str:
        return (cls.__doc__ or "").strip().split("\n", 1)[0]

    def check(self, track: Track, ctx: Context) -> Iterable[Finding]:
        raise NotImplementedError

    def fix(self, track: Track, ctx: Context) -> list[Fix]:
        return []

    def finding(
        self, ctx: Context, message: str, index: int | None = None, cue: Cue | None = None, *,
        value: float | int | str | None = None, limit: float | int | str | None = None, line: int | None = None,
    ) -> Finding:
        return Finding(
            rule=self.name, code=self.code, severity=ctx.severities.get(self.name, self.severity),
            message=message, cue=None if index is None else index + 1,
            id=cue.id if cue is not None else None,
            start=cue.start if cue is not None else None, end=cue.end if cue is not None else None,
            value=value, limit=limit, line=line if line is not None else (cue.line or None if cue else None),
        )


RULES: dict[str, type[Rule]] = {}


def register_rule(cls: type[Rule]) -> type[Rule]:
    if cls.name in RULES:
        raise ValueError(f"rule {cls.name!r} registered twice")
    if any(r.code == cls.code for r in RULES.values()):
        raise ValueError(f"rule code {cls.code!r} registered twice")
    RULES[cls.name] = cls
    return cls
