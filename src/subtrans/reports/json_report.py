"""The JSON report: a stable schema for pipelines (documented in the README)."""

from __future__ import annotations

import json

from .._version import __version__
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..qa import Finding
    from . import FileReport, Report


def render(report: Report) -> str:
    files = []
    for fr in report.files:
        entry: dict[str, Any] = {
            "path": fr.path, "format": fr.format, "encoding": fr.encoding, "profile": fr.profile,
            "profile_auto": fr.profile_auto, "cues": fr.cues, "signature": fr.signature,
            "findings": [f.to_dict() for f in fr.findings],
        }
        if fr.bilingual is not None:   # optional, so schema 1 readers are unaffected
            entry["bilingual"] = {"main": fr.bilingual.main, "other": fr.bilingual.other, "cues": fr.bilingual.cues}
        if fr.fixes or fr.output:
            entry["fixes"] = [{"rule": x.rule, "cue": x.cue, "message": x.message} for x in fr.fixes]
            entry["output"] = fr.output
        if fr.error is not None:
            entry["error"] = {"message": fr.error.message, "line": fr.error.line, "text": fr.error.text,
                              "type": type(fr.error).__name__}
        files.append(entry)
    doc = {
        "schema": 1, "tool": "subtrans", "version": __version__, "signature": report.signature,
        "fail_on": str(report.fail_on) if report.fail_on is not None else "never",
        "files": files, "summary": report.counts(),
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
