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
from typing import TYPE_CHECKING, Any

from .._version import DOCS_URL, __version__
from ..model import format_timestamp
from ..qa import RULES, Severity

if TYPE_CHECKING:  # pragma: no cover
    from . import Report

_dump = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
_str = json.encoder.encode_basestring        # one JSON string, by the C encoder where there is one
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
        uri, base = _uri(fr.path)
        artifact = {"uri": uri} | ({"uriBaseId": base} if base else {})
        if fr.error is not None:
            note: dict[str, Any] = {"level": "error", "message": {"text": str(fr.error)},
                          "locations": [{"physicalLocation": {"artifactLocation": artifact}}]}
            if getattr(fr.error, "line", None):
                note["locations"][0]["physicalLocation"]["region"] = {"startLine": fr.error.line}
            notes.append(note)
            continue
        seen: dict[tuple[str, str], int] = {}
        art = _dump(artifact)
        for f in fr.findings:
            text = fr.texts.get(f.cue, "") if f.cue is not None else ""
            key = (f.rule, text or f.message)
            seen[key] = seen.get(key, 0) + 1
            where = f"cue {f.cue}" if f.cue is not None else "file"
            if f.start is not None:
                assert f.end is not None  # (a finding's start and end come from the same cue)
                where += f" ({format_timestamp(f.start)} --> {format_timestamp(f.end)})"
            fingerprint = hashlib.sha256("\0".join((f.rule, uri, key[1], str(seen[key])))
                                         .encode("utf-8")).hexdigest()[:32]
            first, last = fr.lines.get(f.cue, (f.line, f.line)) if f.cue is not None else (f.line, f.line)
            region = f', "region": {{"startLine": {first}, "endLine": {max(first, last or first)}}}' if first else ""
            index_part = f', "ruleIndex": {index[f.rule]}' if f.rule in index else ""
            # written as text around the C string encoder: the same object json.dumps gives, faster
            results.append(
                f'{{"ruleId": {_str(f.rule)}, "level": "{LEVELS[f.severity]}", "message": {{"text": '
                f'{_str(f"{where}: {f.message}" + (chr(10) + text if text else ""))}}}, "locations": '
                f'[{{"physicalLocation": {{"artifactLocation": {art}{region}}}}}], "partialFingerprints": '
                f'{{"subtransFinding/v1": "{fingerprint}"}}{index_part}}}')
    run = {"tool": {"driver": driver},
           "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().resolve().as_uri() + "/"}},
           "invocations": [{"executionSuccessful": not notes, "toolExecutionNotifications": notes}],
           "properties": {"signature": report.signature}}
    # Through the C encoder, one result per line (json.dumps with indent is pure Python: slow on a big run).
    dump = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    body = dump({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]})
    head, tail = body[:-3], body[-3:]          # '...}' + ']}' : the run's closing brace, the runs' and the log's
    lines = [head + ', "results": [']
    last = len(results) - 1
    lines.extend(f"  {r}{',' if i < last else ''}" for i, r in enumerate(results))
    lines.append("]" + tail)
    return "\n".join(lines) + "\n"
