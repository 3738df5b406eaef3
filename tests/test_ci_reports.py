"""Reports their consumers accept as they are (issue 22): JUnit XML against the Jenkins xunit plugin's XSD,
SARIF 2.1.0 against the OASIS schema, with the conventions GitLab's and GitHub's views rely on. The
schemas are kept as published in tests/schemas (sources and licences in its README)."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from subtrans import RULES
from subtrans.cli import main

TESTS = Path(__file__).resolve().parent
SCHEMAS = TESTS / "schemas"
EXAMPLES = TESTS.parent / "examples"
DOCS = TESTS.parent / "docs"

SRT = ("1\n00:00:01,000 --> 00:00:01,400\nСлишком быстро для чтения этой строки.\n\n"
       "2\n00:00:01,300 --> 00:00:04,000\nПоезд уходит в полночь.\n\n"
       "3\n00:00:05,000 --> 00:00:07,000\nСлишком быстро для чтения этой строки.\n")
CLEAN = "1\n00:00:01,000 --> 00:00:03,000\nДа.\n"


def check(*args, cwd: Path | None = None) -> str:
    old = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["check", *map(str, args)])
    finally:
        os.chdir(old)
    assert result.exit_code in (0, 1, 2), result.output     # 2: a file could not be read
    return result.stdout


@pytest.fixture
def files(tmp_path):
    (tmp_path / "subs").mkdir()
    bad = tmp_path / "subs" / "bad.ru.srt"
    bad.write_text(SRT, encoding="utf-8")
    clean = tmp_path / "subs" / "clean.ru.srt"
    clean.write_text(CLEAN, encoding="utf-8")
    broken = tmp_path / "subs" / "broken.ru.srt"
    broken.write_text("1\n00:00:0x,000 --> 00:00:02,000\nНет.\n", encoding="utf-8")
    return tmp_path, bad, clean, broken


# -- JUnit -----------------------------------------------------------------------------------------------

def test_junit_is_valid_against_the_jenkins_xunit_schema_with_a_case_per_finding(files):
    xmlschema = pytest.importorskip("xmlschema")
    root_dir, bad, clean, broken = files
    text = check(bad, clean, broken, "-f", "junit", "--fail-on", "warning")
    xmlschema.XMLSchema(SCHEMAS / "junit-10.xsd").validate(text)      # raises with the reason if not

    root = ET.fromstring(text)
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == [str(bad), str(clean), str(broken)]
    cases = suites[str(bad)].findall("testcase")
    names = [c.get("name") for c in cases]
    assert len(names) == len(set(names))                  # GitLab keeps only the first of equal names
    assert {c.get("classname") for c in cases} == {str(bad)}
    speed = [c for c in cases if c.get("name").startswith("reading-speed cue 1 ")][0]
    failure = speed.find("failure")
    assert failure.get("type") == "reading-speed"
    assert failure.get("message").startswith("cue 1 (00:00:01,000 --> 00:00:01,400): ")
    assert failure.text.endswith("\nСлишком быстро для чтения этой строки.")   # the cue's text
    overlap = [c for c in cases if c.get("name").startswith("overlap")][0]
    assert overlap.get("name") == "overlap cue 2 (00:00:01,300)"

    clean_cases = suites[str(clean)].findall("testcase")
    assert [(c.get("name"), list(c)) for c in clean_cases] == [("all rules", [])]     # one passing case
    broken_cases = suites[str(broken)].findall("testcase")
    assert len(broken_cases) == 1 and broken_cases[0].find("error") is not None

    # counts consistent at every level
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
        assert int(suite.get("errors")) == len(suite.findall("testcase/error"))
    for key in ("tests", "failures", "errors"):
        assert int(root.get(key)) == sum(int(s.get(key)) for s in root.findall("testsuite"))


def test_junit_findings_below_fail_on_are_passing_cases_that_say_them(files):
    _, bad, _, _ = files
    root = ET.fromstring(check(bad, "-f", "junit", "--fail-on", "error"))
    cases = root.findall("testsuite/testcase")
    failing = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in failing] == ["overlap cue 2 (00:00:01,300)"]
    quiet = [c for c in cases if c.find("failure") is None]
    assert quiet and all(c.get("name").split()[0] in c.find("system-out").text for c in quiet)


# -- SARIF -----------------------------------------------------------------------------------------------

def sarif(*args, cwd):
    return json.loads(check(*args, "-f", "sarif", cwd=cwd))


def test_sarif_is_valid_sarif_2_1_0_with_every_rule_and_relative_locations(files):
    jsonschema = pytest.importorskip("jsonschema")
    root_dir, bad, clean, broken = files
    doc = sarif(bad.relative_to(root_dir), clean.relative_to(root_dir), broken.relative_to(root_dir), cwd=root_dir)
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(doc)

    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "subtrans" and driver["version"] and driver["informationUri"].startswith("https://")
    rules = {r["id"]: r for r in driver["rules"]}
    assert set(rules) == set(RULES)
    assert rules["reading-speed"]["defaultConfiguration"]["level"] == "warning"
    assert rules["overlap"]["defaultConfiguration"]["level"] == "error"
    assert rules["overlap"]["helpUri"].endswith("/rules.md#overlap")
    assert all(r["shortDescription"]["text"] for r in rules.values())

    results = run["results"]
    overlap = [r for r in results if r["ruleId"] == "overlap"][0]
    assert overlap["level"] == "error" and overlap["message"]["text"].startswith("cue 2 (00:00:01,300 --> ")
    location = overlap["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "subs/bad.ru.srt", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 7, "endLine": 7}          # the line of cue 2's text
    assert driver["rules"][overlap["ruleIndex"]]["id"] == "overlap"
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == 1 and notes[0]["level"] == "error"
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "subs/broken.ru.srt"


def test_sarif_fingerprints_are_stable_across_runs_and_edits_above(files):
    root_dir, bad, _, _ = files
    first = sarif("subs/bad.ru.srt", cwd=root_dir)["runs"][0]["results"]
    again = sarif("subs/bad.ru.srt", cwd=root_dir)["runs"][0]["results"]
    prints = [r["partialFingerprints"] for r in first]
    assert prints == [r["partialFingerprints"] for r in again]
    assert len({json.dumps(p) for p in prints}) == len(prints)            # two equal cues, two prints
    # a cue inserted at the top moves every line; the findings of the cues below keep their prints
    bad.write_text("1\n00:00:00,100 --> 00:00:00,900\nНовая.\n\n" + SRT.replace("1\n00:00:01,000", "2\n00:00:01,000", 1)
                   .replace("\n2\n00:00:01,300", "\n3\n00:00:01,300").replace("\n3\n00:00:05,000", "\n4\n00:00:05,000"),
                   encoding="utf-8")
    moved = sarif("subs/bad.ru.srt", cwd=root_dir)["runs"][0]["results"]
    kept = {(r["ruleId"], json.dumps(r["partialFingerprints"])) for r in first}
    assert kept <= {(r["ruleId"], json.dumps(r["partialFingerprints"])) for r in moved}


# -- the rules' help pages, which SARIF's helpUri points at ----------------------------------------------

def rules_markdown() -> str:
    import inspect

    out = ["# Rules", "",
           "Every rule `subtrans check` runs, by code. Generated from the rules' own docstrings",
           "(`tests/test_ci_reports.py` keeps this page in step: `SUBTRANS_REGENERATE_GOLDEN=1` rewrites it).",
           "Thresholds come from the profile (`subtrans profiles show NAME`); severities and switches from",
           "the project configuration (README, `subtrans check`).", ""]
    for rule in sorted(RULES.values(), key=lambda r: r.code):
        doc = inspect.cleandoc(rule.__doc__ or "")
        summary, _, rest = doc.partition("\n")
        out += [f"## {rule.name}", "",
                f"`{rule.code}` · {rule.severity} · {getattr(rule, 'category', '')}"
                + (" · fixable with `--fix`" if rule.fixable else ""), "", summary.strip(), ""]
        if rest.strip():
            out += ["```text", rest.strip("\n"), "```", ""]
    return "\n".join(out)


def test_docs_rules_md_lists_every_rule_under_its_name():
    page = DOCS / "rules.md"
    expected = rules_markdown()
    if os.environ.get("SUBTRANS_REGENERATE_GOLDEN") == "1":
        page.write_text(expected, encoding="utf-8")
    assert page.read_text(encoding="utf-8") == expected


def test_junit_escapes_what_a_subtitle_may_hold(tmp_path):
    xmlschema = pytest.importorskip("xmlschema")
    path = tmp_path / "odd.ru.srt"
    path.write_text('1\n00:00:01,000 --> 00:00:01,300\n"Кавычки" & <теги> \x0b и всё такое, очень быстро.\n',
                    encoding="utf-8")
    text = check(path, "-f", "junit")
    xmlschema.XMLSchema(SCHEMAS / "junit-10.xsd").validate(text)
    failure = ET.fromstring(text).find(".//failure")
    assert failure.text.endswith('"Кавычки" & <теги> \ufffd и всё такое, очень быстро.')


def test_json_is_the_schema_1_object_with_one_finding_per_line(files):
    _, bad, clean, broken = files
    text = check(bad, clean, broken, "-f", "json")
    doc = json.loads(text)
    assert [f["path"] for f in doc["files"]] == [str(bad), str(clean), str(broken)]
    findings = doc["files"][0]["findings"]
    assert findings and all(set(f) == {"rule", "code", "severity", "cue", "id", "start", "end", "message", "value",
                                       "limit", "line"} for f in findings)
    assert doc["files"][1]["findings"] == [] and doc["files"][2]["error"]["type"] == "ParseError"
    assert doc["summary"]["findings"] == len(findings)
    lines = text.splitlines()
    assert sum(1 for ln in lines if ln.lstrip().startswith('{"rule": ')) == len(findings)


def test_a_finding_is_written_as_the_json_encoder_writes_its_dict():
    """The JSON report writes each finding field by field (faster); the text must be what json.dumps gives."""
    from hypothesis import given, settings, strategies as st

    from subtrans.qa import Finding, Severity
    from subtrans.reports.json_report import _dump, _finding

    values = st.one_of(st.none(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
                       st.text(max_size=12))

    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=20), st.text(max_size=40), st.sampled_from(list(Severity)),
           st.one_of(st.none(), st.integers(0, 10**6)), st.one_of(st.none(), st.text(max_size=6)), values, values)
    def same(rule, message, severity, cue, ident, value, limit):
        f = Finding(rule, "X001", severity, message, cue, ident, cue, cue, value, limit, cue)
        assert _finding(f) == _dump(f.to_dict())
        assert json.loads(_finding(f)) == json.loads(_dump(f.to_dict()))

    same()
