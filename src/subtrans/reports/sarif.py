"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers (validated in tests against the OASIS schema).

- ``tool.driver``: name, version, ``informationUri`` (the documentation) and every rule: ``id`` the rule's
  name, ``name`` its code, a short description (the first line of its docstring), ``helpUri`` its section
  of ``docs/rules.md``, ``defaultConfiguration.level`` its default severity;
- one result per finding: ``ruleId``, ``level`` (error, warning, note), the message with the cue and its
  time, a location (the file's URI relative to the working folder, against ``%SRCROOT%``; the region the
  lines of the cue's text) and ``partialFingerprints`` that do not depend on line numbers (the rule, the
  file, the cue's text and which of its equals it is), so that a cue inserted above does not make every
  later finding new;
- a file that cannot be read is a tool execution notification of level error.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .._version import DOCS_URL, __version__
from ..model import format_timestamp
from ..qa import RULES, Severity
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # pragma: no cover
    from ..qa import Finding
    from . import FileReport, Report

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> tuple[str, str | None]:
    """The file's URI and its base: relative to the working folder when it lies below it."""
    p = Path(path)
    try:
        rel = p.resolve().relative_to(Path.cwd().resolve()) if p.is_absolute() else Path(os.path.normpath(p))
    except ValueError:
        return p.resolve().as_uri(), None
    if rel.parts and rel.parts[0] == "..":
        return p.resolve().as_uri(), None
    return rel.as_posix(), "%SRCROOT%"


def _location(fr: FileReport, f: Finding) -> dict[str, Any]:
    uri, base = _uri(fr.path)
    artifact = {"uri": uri} | ({"uriBaseId": base} if base else {})
    loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": artifact}}
    first, last = fr.lines.get(f.cue, (f.line, f.line)) if f.cue is not None else (f.line, f.line)
    if first:
        loc["physicalLocation"]["region"] = {"startLine": first, "endLine": max(first, last or first)}
    return loc


def render(report: Report) -> str:
    rules = sorted(RULES.values(), key=lambda r: r.code)
    index = {r.name: i for i, r in enumerate(rules)}
    driver = {
        "name": "subtrans", "version": __version__, "semanticVersion": __version__,
        "informationUri": f"{DOCS_URL}/rules.md",
        "rules": [{
            "id": r.name, "name": r.code,
            "shortDescription": {"text": r.summary() or r.name},
            "helpUri": f"{DOCS_URL}/rules.md#{r.name}",
            "defaultConfiguration": {"level": LEVELS[r.severity]},
            "properties": {"category": getattr(r, "category", ""), "fixable": bool(r.fixable)},
        } for r in rules],
    }
    results, notes = [], []
    for fr in report.files:
        if fr.error is not None:
            uri, base = _uri(fr.path)
            artifact = {"uri": uri} | ({"uriBaseId": base} if base else {})
            note: dict[str, Any] = {"level": "error", "message": {"text": str(fr.error)},
                          "locations": [{"physicalLocation": {"artifactLocation": artifact}}]}
            if getattr(fr.error, "line", None):
                note["locations"][0]["physicalLocation"]["region"] = {"startLine": fr.error.line}
            notes.append(note)
            continue
        seen: dict[tuple[str, ...], int] = {}
        for f in fr.findings:
            text = fr.texts.get(f.cue, "") if f.cue is not None else ""
            key = (f.rule, text or f.message)
            seen[key] = seen.get(key, 0) + 1
            where = f"cue {f.cue}" if f.cue is not None else "file"
            if f.start is not None:
                where += f" ({format_timestamp(f.start)} --> {format_timestamp(cast(int, f.end))})"
            fingerprint = hashlib.sha256("\0".join((f.rule, _uri(fr.path)[0], *key[1:], str(seen[key])))
                                         .encode("utf-8")).hexdigest()[:32]
            result: dict[str, Any] = {"ruleId": f.rule, "level": LEVELS[f.severity],
                      "message": {"text": f"{where}: {f.message}" + (f"\n{text}" if text else "")},
                      "locations": [_location(fr, f)],
                      "partialFingerprints": {"subtransFinding/v1": fingerprint}}
            if f.rule in index:
                result["ruleIndex"] = index[f.rule]
            results.append(result)
    run = {"tool": {"driver": driver},
           "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().resolve().as_uri() + "/"}},
           "invocations": [{"executionSuccessful": not notes, "toolExecutionNotifications": notes}],
           "results": results,
           "properties": {"signature": report.signature}}
    doc = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
