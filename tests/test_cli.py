"""End-to-end runs of ``subtrans check`` through Click, on the bundled examples and small files."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

import subtrans
from subtrans.cli import main

from rule_cases import srt

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RU, ZH, VTT = EXAMPLES / "red-silk.ru.srt", EXAMPLES / "red-silk.zh.srt", EXAMPLES / "red-silk.ru.vtt"


def run(*args, cwd=None):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_examples_find_their_deliberate_faults():
    r = run("check", RU, "-f", "json")
    assert r.exit_code == 1
    doc = json.loads(r.output)
    (f,) = doc["files"]
    assert (f["profile"], f["profile_auto"], f["cues"], f["encoding"]) == ("netflix-ru", True, 24, "utf-8")
    assert {(x["cue"], x["rule"]) for x in f["findings"]} == {
        (3, "line-length"), (7, "overlap"), (9, "unclosed-tag"), (10, "reading-speed"), (13, "max-lines"),
        (15, "whitespace"), (18, "min-gap"), (20, "ellipsis"), (22, "min-duration"),
    }
    doc = json.loads(run("check", ZH, "-f", "json").output)
    assert doc["files"][0]["profile"] == "netflix-zh-hans"
    assert {(x["cue"], x["rule"]) for x in doc["files"][0]["findings"]} == {
        (4, "reading-speed"), (5, "line-length"), (14, "zh-punctuation"), (19, "zh-punctuation"),
        (22, "min-duration"), (24, "max-duration"),
    }
    r = run("check", VTT)
    assert r.exit_code == 0, r.output


def test_json_schema_fields():
    doc = json.loads(run("check", RU, ZH, "-f", "json").output)
    assert set(doc) >= {"signature", "files", "summary"}
    for f in doc["files"]:
        assert set(f) >= {"path", "format", "encoding", "profile", "cues", "findings"}
        for x in f["findings"]:
            assert set(x) >= {"rule", "code", "severity", "cue", "id", "start", "end", "message", "value", "limit"}
    s = doc["summary"]
    assert s["files"] == 2 and s["cues"] == 48 and s["findings"] == 15
    assert s["by_severity"]["error"] == 2 and s["by_rule"]["zh-punctuation"] == 2


def test_text_report_and_signature():
    r = run("check", RU, "--fps", "25")
    assert "profile netflix-ru (picked from the language of the text)" in r.output
    # piped: one finding a line, as linters write them (PATH:LINE:COL: CODE [severity] cue N (time): message)
    assert f"{RU}:30:1: T001 [error] cue 7 (00:00:26,500): overlaps cue 6 by 200 ms (overlap)" in r.output
    sig = r.output.strip().splitlines()[-1]
    assert sig.startswith("signature: subtrans:") and "|profile:netflix-ru|fps:25|rules:" in sig


def test_junit_has_a_suite_per_file_and_a_case_per_finding():
    root = ET.fromstring(run("check", RU, ZH, "-f", "junit").output)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [str(RU), str(ZH)]
    assert [len(s.findall("testcase")) for s in suites] == [9, 6]
    assert [len(s.findall("testcase/failure")) for s in suites] == [9, 6]
    root = ET.fromstring(run("check", RU, ZH, "-f", "junit", "--fail-on", "error").output)
    assert [len(s.findall("testcase/failure")) for s in root.findall("testsuite")] == [2, 0]
    assert [len(s.findall("testcase")) for s in root.findall("testsuite")] == [9, 6]   # the rest pass


@pytest.mark.parametrize("fail_on,code", [("error", 1), ("warning", 1), ("never", 0)])
def test_fail_on(fail_on, code):
    assert run("check", RU, "--fail-on", fail_on).exit_code == code
    assert run("check", ZH, "--fail-on", "error").exit_code == 0  # only warnings there


def test_unreadable_file_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:01,000 --> 00:00:02,000\nГде я?\n\n2\n00:00:03,000 --> 00:00:0X,000\nТут\n", "utf-8")
    r = CliRunner().invoke(main, ["check", str(bad)])
    assert r.exit_code == 2
    errors = [ln for ln in r.stderr.splitlines() if ln]
    assert errors == [f"subtrans: error: {bad}:5: no valid timing line after the cue number ['2']"] or \
        (len(errors) == 1 and errors[0].startswith(f"subtrans: error: {bad}:"))
    assert "Traceback" not in r.output
    r = run("check", bad, "--lenient", "-f", "json")
    doc = json.loads(r.output)
    assert [x["rule"] for x in doc["files"][0]["findings"]] == ["skipped-block"]
    assert doc["files"][0]["cues"] == 1 and r.exit_code == 1


def test_other_files_are_still_checked_after_an_unreadable_one(tmp_path):
    bad = tmp_path / "bad.srt"
    bad.write_bytes(b"")
    r = CliRunner().invoke(main, ["check", str(bad), str(VTT), "-f", "json"])
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    assert doc["files"][0]["error"]["message"] == "file is empty" and doc["files"][1]["cues"] == 8


def test_usage_errors_exit_2(tmp_path):
    assert run("check", RU, "--profile", "netflix-xx").exit_code == 2
    assert run("check", RU, "--fix").exit_code == 2  # neither -o nor --in-place
    assert run("check", RU, "--in-place").exit_code == 2
    assert run("check", tmp_path / "missing.srt").exit_code == 2


def test_fix_writes_a_new_file_and_rechecks(tmp_path):
    out = tmp_path / "fixed.srt"
    before = RU.read_bytes()
    r = run("check", RU, "--fix", "-o", out, "-f", "json")
    doc = json.loads(r.output)
    assert RU.read_bytes() == before, "input untouched"
    left = {x["rule"] for x in doc["files"][0]["findings"]}
    # left: text that needs rewording, and cue 22, which has no free time after it to grow into
    assert left == {"line-length", "unclosed-tag", "reading-speed", "max-lines", "min-duration"}
    # cue 22 cannot reach the minimum duration before cue 23: no fix is counted for it (a fix either
    # satisfies its rule or is not applied), and its finding says why
    assert {x["rule"] for x in doc["files"][0]["fixes"]} == {"overlap", "whitespace", "ellipsis", "min-gap"}
    (short,) = [x for x in doc["files"][0]["findings"] if x["rule"] == "min-duration"]
    assert short["cue"] == 22 and "not fixable here" in short["message"]
    again = subtrans.check(subtrans.load(out))
    assert {f.rule for f in again} == left
    assert len(subtrans.load(out)) == 24


def test_fix_in_place_keeps_encoding_and_line_endings(tmp_path):
    f = tmp_path / "film.srt"
    f.write_bytes(srt(("1.000", "3.000", "Поезд  уходит..."), ("2.500", "4.000", "Да")).replace("\n", "\r\n")
                  .encode("cp1251"))
    r = run("check", f, "--fix", "--in-place", "--profile", "netflix-ru")
    assert r.exit_code == 0, r.output
    data = f.read_bytes()
    assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n")
    assert data.decode("cp1251").startswith("1\r\n00:00:01,000 --> 00:00:02,417\r\nПоезд уходит…")
    assert not list(tmp_path.glob(".*.tmp")), "no temporary files left"


def test_fix_refuses_to_overwrite_input_without_in_place():
    r = CliRunner().invoke(main, ["check", str(RU), "--fix", "-o", str(RU)])
    assert r.exit_code == 2 and "--in-place" in r.stderr


def test_config_file(tmp_path, monkeypatch):
    (tmp_path / "subtrans.toml").write_text(
        'profile = "netflix-ru"\nfps = 25\n[rules]\nwhitespace = false\n'
        '[severity]\nline-length = "error"\n[limits]\nmax_cps = 40\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    doc = json.loads(run("check", RU, "-f", "json").output)
    rules = {x["rule"]: x["severity"] for x in doc["files"][0]["findings"]}
    assert "whitespace" not in rules and "reading-speed" not in rules and rules["line-length"] == "error"
    assert "|fps:25|" in doc["signature"] and doc["files"][0]["profile_auto"] is False
    (tmp_path / "subtrans.toml").write_text("colour = 'red'\n", "utf-8")
    r = CliRunner().invoke(main, ["check", str(RU)])
    assert r.exit_code == 2 and "unknown setting 'colour'" in r.stderr


def test_report_to_file(tmp_path):
    out = tmp_path / "report.json"
    r = run("check", RU, "-f", "json", "-o", out)
    assert r.exit_code == 1 and r.output == ""
    assert json.loads(out.read_text("utf-8"))["summary"]["findings"] == 9


def test_rules_and_profiles_commands():
    r = run("rules")
    assert "reading-speed" in r.output and "T001" in r.output
    r = run("profiles")
    assert "netflix-zh-hant" in r.output
    r = run("profiles", "show", "netflix-ru")
    assert "max_chars_per_line = 42" in r.output and "read 2026-11-26" in r.output


def test_check_imports_no_torch_or_transformers():
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom subtrans.cli import main\n"
        f"r = CliRunner().invoke(main, ['check', {str(RU)!r}])\n"
        "assert r.exit_code == 1, r.output\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers', 'ctranslate2', 'sentencepiece'))\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_fix_refuses_to_drop_skipped_blocks(tmp_path):
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:01,000 --> 00:00:02,000\nДа\n\n2\n00:00:03,000 --> 00:00:0X,000\nКак дела?\n", "utf-8")
    r = CliRunner().invoke(main, ["check", str(bad), "--lenient", "--fix", "-o", str(tmp_path / "out.srt")])
    assert r.exit_code == 2 and "--fix would drop them" in r.stderr
    assert not (tmp_path / "out.srt").exists()


def test_fix_refuses_clashing_output_names(tmp_path):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir(), (tmp_path / "out").mkdir()
    for d in "ab":
        (tmp_path / d / "ru.srt").write_bytes(RU.read_bytes())
    r = CliRunner().invoke(main, ["check", str(tmp_path / "a/ru.srt"), str(tmp_path / "b/ru.srt"), "--fix",
                                  "-o", str(tmp_path / "out")])
    assert r.exit_code == 2 and "overwrite each other" in r.stderr
    r = CliRunner().invoke(main, ["check", str(RU), "--fix", "--in-place", "-o", str(tmp_path / "x.srt")])
    assert r.exit_code == 2


def test_option_mistakes_are_one_usage_error(tmp_path):
    r = CliRunner().invoke(main, ["check", str(RU), str(VTT), "--ignore", "nope", "-f", "json"])
    assert r.exit_code == 2 and r.stdout == "" and r.stderr.count("unknown rule 'nope'") == 1
    r = CliRunner().invoke(main, ["check", str(RU), "--encoding", "klingon"])
    assert r.exit_code == 2 and r.stderr.count("unknown encoding") == 1


def test_each_error_is_said_once(tmp_path):
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:01,000 --> 00:00:0X,000\nbad\n\n", encoding="utf-8")
    import inspect

    # click 8.2 keeps stdout and stderr apart by default; older versions are told to
    separate = {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner).parameters else {}
    result = CliRunner(**separate).invoke(main, ["check", str(bad)])
    assert result.exit_code == 2
    out, err = result.stdout, result.stderr
    assert "unreadable timestamp" not in out and "1 not checked (errors on stderr)" in out
    assert err.count("unreadable timestamp") == 1
    # a report written to a file keeps the error: it is what that file's reader sees
    report = tmp_path / "report.txt"
    CliRunner().invoke(main, ["check", str(bad), "-o", str(report)])
    assert "unreadable timestamp" in report.read_text(encoding="utf-8")


def test_unix_habits_of_check(tmp_path):
    """- reads standard input, -o - writes standard output, --quiet prints no report, --verbose says what
    was done on standard error."""
    text = RU.read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "-"], input=text)
    assert result.exit_code == 1 and "-:30:1: T001 [error] cue 7 (00:00:26,500)" in result.output
    result = CliRunner().invoke(main, ["check", str(RU), "-f", "json", "-o", "-"])
    assert result.exit_code == 1 and json.loads(result.output)["files"][0]["cues"] == 24
    result = CliRunner().invoke(main, ["check", str(RU), "--quiet"])
    assert result.exit_code == 1 and result.output == ""
    import inspect

    separate = {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner).parameters else {}
    result = CliRunner(**separate).invoke(main, ["check", str(RU), "-q", "-v"])
    assert result.stdout == "" and "checked 1 file(s), 24 cues, 9 findings in" in result.stderr
    result = CliRunner().invoke(main, ["check", "-", "--fix"], input=text)
    assert result.exit_code == 2 and "standard input" in result.output
    fixed = tmp_path / "fixed.srt"
    result = CliRunner().invoke(main, ["check", "-", "--fix", "-o", str(fixed)], input=text)
    assert result.exit_code == 1 and fixed.exists()
