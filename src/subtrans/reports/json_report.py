"""The JSON report: a stable schema for pipelines (documented in the README).

Written through the C encoder, one finding per line: ``json.dumps`` with ``indent`` falls back to the
pure-Python encoder, several times slower on a large report. The document is the same object as
ever (``json.loads`` gives what schema 1 says); only the white space differs: the outer structure
indented, each finding on a line of its own.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .._version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from ..qa import Finding
    from . import FileReport, Report

_dump = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
_str = json.encoder.encode_basestring   # one JSON string, by the C encoder


def _value(x: object) -> str:
    if x is None:
        return "null"
    if type(x) is int:
        return str(x)
    if type(x) is str:
        return _str(x)
    return _dump(x)


def _finding(f: Finding) -> str:
    """``f.to_dict()`` as JSON, written out field by field: the same text ``_dump`` gives, in half the time."""
    return (f'{{"rule": {_str(f.rule)}, "code": {_str(f.code)}, "severity": "{f.severity}", "cue": {_value(f.cue)}, '
            f'"id": {_value(f.id)}, "start": {_value(f.start)}, "end": {_value(f.end)}, "message": {_str(f.message)}, '
            f'"value": {_value(f.value)}, "limit": {_value(f.limit)}, "line": {_value(f.line)}}}')


def _file_entry(fr: FileReport) -> tuple[dict[str, Any], list[Finding]]:
    entry: dict[str, Any] = {
        "path": fr.path, "format": fr.format, "encoding": fr.encoding, "profile": fr.profile,
        "profile_auto": fr.profile_auto, "cues": fr.cues, "signature": fr.signature,
    }
    if fr.bilingual is not None:   # optional, so schema 1 readers are unaffected
        entry["bilingual"] = {"main": fr.bilingual.main, "other": fr.bilingual.other, "cues": fr.bilingual.cues}
    if fr.fixes or fr.output:
        entry["fixes"] = [{"rule": x.rule, "cue": x.cue, "message": x.message} for x in fr.fixes]
        entry["output"] = fr.output
    if fr.error is not None:
        entry["error"] = {"message": fr.error.message, "line": fr.error.line, "text": fr.error.text,
                          "type": type(fr.error).__name__}
    return entry, fr.findings


def render(report: Report) -> str:
    head = {"schema": 1, "tool": "subtrans", "version": __version__, "signature": report.signature,
            "fail_on": str(report.fail_on) if report.fail_on is not None else "never"}
    out = ["{"]
    out.extend(f"  {_dump(k)}: {_dump(v)}," for k, v in head.items())
    out.append('  "files": [')
    for n, fr in enumerate(report.files):
        entry, findings = _file_entry(fr)
        out.append("    {")
        out.extend(f"      {_dump(k)}: {_dump(v)}," for k, v in entry.items())
        if findings:
            out.append('      "findings": [')
            last = len(findings) - 1
            out.extend(f"        {_finding(f)}{',' if i < last else ''}" for i, f in enumerate(findings))
            out.append("      ]")
        else:
            out.append('      "findings": []')
        out.append("    }" + ("," if n < len(report.files) - 1 else ""))
    out.append("  ],")
    out.append(f'  "summary": {_dump(report.counts())}')
    out.append("}")
    return "\n".join(out) + "\n"
