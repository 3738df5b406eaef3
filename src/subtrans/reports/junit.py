"""JUnit XML: one test case per file, one failure per finding at or above --fail-on.

Findings below the threshold are listed in the test case's ``system-out``;
a file that cannot be read is an ``error``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..model import format_timestamp


def render(report) -> str:
    suites = ET.Element("testsuites", name="subtrans check")
    suite = ET.SubElement(suites, "testsuite", name="subtrans check")
    ET.SubElement(ET.SubElement(suite, "properties"), "property", name="signature", value=report.signature)
    failures = errors = 0
    for fr in report.files:
        case = ET.SubElement(suite, "testcase", classname="subtrans.check", name=fr.path, file=fr.path)
        if fr.error is not None:
            errors += 1
            err = ET.SubElement(case, "error", message=str(fr.error), type=type(fr.error).__name__)
            err.text = str(fr.error)
            continue
        quiet = []
        for f in fr.findings:
            where = f"cue {f.cue}" if f.cue is not None else "file"
            if f.start is not None:
                where += f" ({format_timestamp(f.start)} --> {format_timestamp(f.end)})"
            text = f"{fr.path}:{f.line or ''}: {where}: {f.rule} [{f.code}] {f.severity}: {f.message}"
            if report.failing(f):
                failures += 1
                node = ET.SubElement(case, "failure", message=f"{where}: {f.message}", type=f.rule)
                node.text = text
            else:
                quiet.append(text)
        if quiet:
            ET.SubElement(case, "system-out").text = "\n".join(quiet)
    suite.set("tests", str(len(report.files)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
