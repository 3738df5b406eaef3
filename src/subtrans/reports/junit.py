"""JUnit XML as the Jenkins xunit plugin validates it (its ``junit-10.xsd``) and GitLab's test report reads it.

- one ``<testsuite>`` per file (``name`` and ``file`` the path), its signature and profile as properties;
- one ``<testcase>`` per finding: ``classname`` the file (GitLab's *Suite* column), ``name`` the rule and
  the cue with its time (``reading-speed cue 12 (00:01:02,500)``; unique within the file, since GitLab
  keeps only the first of two cases with one name); a finding at or above ``--fail-on`` is a
  ``<failure>`` whose message holds the cue's time and the finding, whose text adds the cue's text; a
  finding below it is a passing case that says it in ``system-out``;
- a file without findings is one passing case (``all rules``); a file that cannot be read is one case
  with an ``<error>``;
- ``tests``, ``failures`` and ``errors`` count exactly these, on each suite and on ``<testsuites>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..model import format_timestamp
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:  # pragma: no cover
    from ..qa import Finding
    from . import FileReport, Report


def _case_name(f: Finding) -> str:
    if f.cue is None:
        return f.rule
    when = f" ({format_timestamp(f.start)})" if f.start is not None else ""
    return f"{f.rule} cue {f.cue}{when}"


def render(report: Report) -> str:
    suites = ET.Element("testsuites", name="subtrans check")
    totals = [0, 0, 0]     # tests, failures, errors
    for fr in report.files:
        suite = ET.SubElement(suites, "testsuite", name=fr.path, file=fr.path)
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="signature", value=fr.signature or report.signature)
        if fr.profile:
            ET.SubElement(props, "property", name="profile", value=fr.profile)
        tests = failures = errors = 0
        if fr.error is not None:
            case = ET.SubElement(suite, "testcase", classname=fr.path, name="read")
            err = ET.SubElement(case, "error", message=str(fr.error), type=type(fr.error).__name__)
            err.text = str(fr.error)
            tests, errors = 1, 1
        elif not fr.findings:
            ET.SubElement(suite, "testcase", classname=fr.path, name="all rules")
            tests = 1
        seen: dict[str, int] = {}
        for f in fr.findings:
            name = _case_name(f)
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:
                name += f" #{seen[name]}"
            case = ET.SubElement(suite, "testcase", classname=fr.path, name=name)
            tests += 1
            where = f"cue {f.cue}" if f.cue is not None else "file"
            if f.start is not None:
                where += f" ({format_timestamp(f.start)} --> {format_timestamp(cast(int, f.end))})"
            detail = f"{fr.path}:{f.line or ''}: {where}: {f.rule} [{f.code}] {f.severity}: {f.message}"
            text = fr.texts.get(f.cue) if f.cue is not None else None
            if text is not None:
                detail += "\n" + text
            if report.failing(f):
                failures += 1
                node = ET.SubElement(case, "failure", message=f"{where}: {f.message}", type=f.rule)
                node.text = detail
            else:
                ET.SubElement(case, "system-out").text = detail
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        totals = [totals[0] + tests, totals[1] + failures, totals[2] + errors]
    for key, value in zip(("tests", "failures", "errors"), totals):
        suites.set(key, str(value))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
