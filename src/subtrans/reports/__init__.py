"""Renderers of check results: the same findings as text, JSON, JUnit XML, HTML or GitHub annotations.

A renderer takes a :class:`Report` and returns a string; it never prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import SubtransError
from ..qa import Finding, Fix, Severity

if TYPE_CHECKING:  # pragma: no cover
    from ..lang.bilingual import Bilingual

__all__ = ["FileReport", "Report", "render", "RENDERERS", "JSON_SCHEMA_VERSION"]

JSON_SCHEMA_VERSION = 1


@dataclass
class FileReport:
    path: str
    format: str | None = None
    encoding: str | None = None
    profile: str | None = None
    profile_auto: bool = False
    cues: int = 0
    signature: str | None = None
    findings: list[Finding] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)
    output: str | None = None  # where --fix wrote the fixed file
    error: SubtransError | None = None
    # Reading speed per cue, for the HTML timeline: (cue, start_ms, end_ms, cps or None, max_cps or None).
    timeline: list[tuple[int, int, int, float | None, Any]] | None = None
    # With --source: per target cue (cue, source text, target text, [(source term, target rendering)]).
    pairs: list[tuple[int, str, str, list[tuple[str, str]]]] | None = None
    # The text of each cue that has a finding (1-based cue -> text), for the reports that quote it.
    texts: dict[int, str] = field(default_factory=dict)
    # The lines of the file each of those cues' text occupies (1-based cue -> (first, last)), for SARIF.
    lines: dict[int, tuple[int, int]] = field(default_factory=dict)
    # A bilingual track (subtrans.lang.bilingual.Bilingual): each language's lines were measured
    # against their own profile.
    bilingual: "Bilingual | None" = None


@dataclass
class Report:
    files: list[FileReport]
    signature: str
    fail_on: Severity | None  # None: never fail
    # The command line says each unreadable file on stderr; a text report printed on stdout then
    # leaves it out, so that each error is said once.
    errors_on_stderr: bool = False
    # The terminal's width when the report is printed on one (long messages are cut to it).
    width: int | None = None

    def counts(self) -> dict[str, Any]:
        by_sev = {str(s): 0 for s in sorted(Severity, reverse=True)}
        by_rule: dict[str, int] = {}
        for fr in self.files:
            for f in fr.findings:
                by_sev[str(f.severity)] += 1
                by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
        return {
            "files": len(self.files),
            "files_unreadable": sum(1 for fr in self.files if fr.error is not None),
            "cues": sum(fr.cues for fr in self.files),
            "findings": sum(by_sev.values()),
            "by_severity": by_sev,
            "by_rule": dict(sorted(by_rule.items())),
            "fixes": sum(len(fr.fixes) for fr in self.files),
        }

    def failing(self, finding: Finding) -> bool:
        return self.fail_on is not None and finding.severity >= self.fail_on

    def exit_code(self) -> int:
        if any(fr.error is not None for fr in self.files):
            return 2
        return 1 if any(self.failing(f) for fr in self.files for f in fr.findings) else 0


def render(report: Report, fmt: str) -> str:
    try:
        module = RENDERERS[fmt]
    except KeyError:
        raise SubtransError(f"unknown report format {fmt!r}", hint=f"one of {', '.join(RENDERERS)}") from None
    from importlib import import_module

    rendered: str = import_module(f".{module}", __name__).render(report)
    return rendered


# Format name -> module of this package with a ``render(report) -> str``; imported when used,
# so that a text report does not load the HTML renderer.
RENDERERS = {"text": "text", "json": "json_report", "junit": "junit", "sarif": "sarif", "html": "html",
             "github": "github"}
