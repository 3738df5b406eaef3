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

import re
from typing import TYPE_CHECKING

from ..model import format_timestamp

if TYPE_CHECKING:  # pragma: no cover
    from . import Report

# Characters XML 1.0 cannot hold (a subtitle may carry them): written as U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    # str.replace, not str.translate: translate with a table is several times slower on non-ASCII text
    return _NOT_XML.sub("\ufffd", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    return ('"' + _text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
            .replace("\t", "&#9;") + '"')


def render(report: Report) -> str:
    """Written as text, not through ElementTree: a report of 100,000 findings builds in a fraction of the
    time; the tests validate it against the XSD."""
    suites: list[str] = []
    totals = [0, 0, 0]     # tests, failures, errors
    for fr in report.files:
        cases: list[str] = []
        tests = failures = errors = 0
        path = _attr(fr.path)
        if fr.error is not None:
            msg = str(fr.error)
            cases.append(f'    <testcase classname={path} name="read">\n      <error message={_attr(msg)} '
                         f'type={_attr(type(fr.error).__name__)}>{_text(msg)}</error>\n    </testcase>')
            tests, errors = 1, 1
        elif not fr.findings:
            cases.append(f'    <testcase classname={path} name="all rules" />')
            tests = 1
        seen: dict[str, int] = {}
        path_text = _text(fr.path)
        stamps: dict[int, str] = {}      # a cue's findings share its times: each written once
        for f in fr.findings:
            # Rule names, cue numbers and times need no escaping; the path is escaped once per file.
            start = None if f.start is None else stamps.get(f.start) or stamps.setdefault(
                f.start, format_timestamp(f.start))
            name = f.rule if f.cue is None else f"{f.rule} cue {f.cue}" + (f" ({start})" if start else "")
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:
                name += f" #{seen[name]}"
            tests += 1
            where = f"cue {f.cue}" if f.cue is not None else "file"
            if start is not None:
                assert f.end is not None  # (a finding's start and end come from the same cue)
                end = stamps.get(f.end) or stamps.setdefault(f.end, format_timestamp(f.end))
                where += f" ({start} --&gt; {end})"
            message = _text(f.message)
            text = fr.texts.get(f.cue) if f.cue is not None else None
            detail = (f"{path_text}:{f.line or ''}: {where}: {f.rule} [{f.code}] {f.severity}: {message}"
                      + ("\n" + _text(text) if text is not None else ""))
            if report.failing(f):
                failures += 1
                attr = message.replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
                inner = f'<failure message="{where}: {attr}" type="{f.rule}">{detail}</failure>'
            else:
                inner = f"<system-out>{detail}</system-out>"
            cases.append(f'    <testcase classname={path} name="{name}">\n      {inner}\n    </testcase>')
        props = [f'      <property name="signature" value={_attr(fr.signature or report.signature)} />']
        if fr.profile:
            props.append(f'      <property name="profile" value={_attr(fr.profile)} />')
        suites.append(f'  <testsuite name={path} file={path} tests="{tests}" failures="{failures}" '
                      f'errors="{errors}">\n    <properties>\n' + "\n".join(props) + "\n    </properties>\n"
                      + "\n".join(cases) + "\n  </testsuite>")
        totals = [totals[0] + tests, totals[1] + failures, totals[2] + errors]
    head = (f'<testsuites name="subtrans check" tests="{totals[0]}" failures="{totals[1]}" '
            f'errors="{totals[2]}">')
    body = "\n".join([head, *suites, "</testsuites>"]) if suites else head[:-1] + " />"
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
