"""``--format github``: workflow commands GitHub turns into annotations; and the other CI hooks
(pre-commit manifest, shell completion) as documented in docs/reports.md."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from subtrans.checking import run_check
from subtrans.cli import main
from subtrans.errors import ParseError
from subtrans.qa import Finding, Severity
from subtrans.reports import FileReport, Report, render
from subtrans.reports.github import command, escape_data, escape_property

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
RU, ZH, VTT = EXAMPLES / "red-silk.ru.srt", EXAMPLES / "red-silk.zh.srt", EXAMPLES / "red-silk.ru.vtt"

# The escaping of GitHub's toolkit (@actions/core, src/command.ts: escapeData, escapeProperty).
ESCAPES = [
    # (text, as data, as a property)
    ("plain", "plain", "plain"),
    ("100% sure", "100%25 sure", "100%25 sure"),
    ("%0A is not a newline", "%250A is not a newline", "%250A is not a newline"),
    ("two\nlines", "two%0Alines", "two%0Alines"),
    ("crlf\r\n", "crlf%0D%0A", "crlf%0D%0A"),
    ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
    ("C:\\subs\\ep,1.srt", "C:\\subs\\ep,1.srt", "C%3A\\subs\\ep%2C1.srt"),
    ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
    ("Пейте чай, 字幕：", "Пейте чай, 字幕：", "Пейте чай%2C 字幕："),
]


@pytest.mark.parametrize("text, data, prop", ESCAPES)
def test_escaping(text, data, prop):
    assert escape_data(text) == data
    assert escape_property(text) == prop


def test_command_leaves_out_missing_properties():
    assert command("warning", "m", file="a.srt", line=None, title="t") == "::warning file=a.srt,title=t::m"
    assert command("notice", "m") == "::notice::m"


def finding(severity, message="msg", cue=3, line=10):
    return Finding("line-length", "L001", severity, message, cue=cue, id=str(cue), start=12084, end=17084,
                   value=50, limit=42, line=line)


def report(*files, fail_on=Severity.WARNING):
    return Report(files=list(files), signature="subtrans:0.1.0|profile:netflix-ru|fps:24|rules:abc", fail_on=fail_on)


@pytest.mark.parametrize("severity, cmd", [(Severity.ERROR, "error"), (Severity.WARNING, "warning"),
                                           (Severity.INFO, "notice")])
def test_severity_maps_to_command(severity, cmd):
    out = render(report(FileReport(path="a.srt", format="srt", cues=3, findings=[finding(severity)])), "github")
    first = out.splitlines()[0]
    assert first == (f"::{cmd} file=a.srt,line=10,title=subtrans line-length (L001)::"
                     "cue 3 (00:00:12,084 --> 00:00:17,084): msg")


def test_vtt_timecodes_and_findings_without_line_or_cue():
    f = Finding("missing-final-newline", "R002", Severity.INFO, "no newline at the end")
    out = render(report(FileReport(path="b.vtt", format="vtt", cues=1, findings=[finding(Severity.WARNING), f])),
                 "github").splitlines()
    assert "(00:00:12.084 --> 00:00:17.084)" in out[0]
    assert out[1] == "::notice file=b.vtt,title=subtrans missing-final-newline (R002)::no newline at the end"


def test_hostile_message_and_path_stay_one_command():
    f = finding(Severity.ERROR, message="50% of\nline: <i>, \"x\"")
    out = render(report(FileReport(path="dir,1/a:b.srt", format="srt", cues=3, findings=[f])), "github")
    first = out.splitlines()[0]
    assert first.startswith("::error file=dir%2C1/a%3Ab.srt,line=10,")
    assert first.endswith("::cue 3 (00:00:12,084 --> 00:00:17,084): 50%25 of%0Aline: <i>, \"x\"")
    assert len(out.splitlines()) == 2  # the command and the summary


def test_file_that_cannot_be_read():
    err = ParseError("unreadable timestamp 'broken'", path="bad.srt", line=6, text="broken --> x",
                     hint="HH:MM:SS,mmm")
    out = render(report(FileReport(path="bad.srt", error=err)), "github").splitlines()
    assert out[0] == ("::error file=bad.srt,line=6,title=subtrans%3A cannot check (ParseError)::"
                      "unreadable timestamp 'broken' ['broken --> x'] (HH:MM:SS,mmm)")
    assert out[1].startswith("subtrans: 1 file, 0 cues, 0 findings, 1 not checked")


def test_no_findings_is_only_the_summary():
    out = render(run_check([VTT]), "github")
    assert out == ("subtrans: 1 file, 8 cues, 0 findings; signature "
                   f"{run_check([VTT]).signature}\n")
    assert "::" not in out.split(";")[0]


def test_several_files_on_the_examples():
    out = render(run_check([RU, ZH, VTT]), "github").splitlines()
    commands = [line for line in out if line.startswith("::")]
    assert len(commands) == 15
    assert sum(c.startswith("::error ") for c in commands) == 2
    assert sum(f"file={RU}," in c for c in commands) == 9 and sum(f"file={ZH}," in c for c in commands) == 6
    shape = re.compile(r"::(error|warning|notice) file=[^,]+,line=\d+,title=subtrans [a-z-]+ \([A-Z]\d{3}\)::cue \d+ ")
    assert all(shape.match(c) for c in commands)
    assert "::error file=" + str(RU) + ",line=30,title=subtrans overlap (T001)::cue 7" in "\n".join(commands)
    assert out[-1].startswith("subtrans: 3 files, 56 cues, 15 findings (2 errors, 13 warnings); signature ")


def test_cli_github_format():
    r = CliRunner().invoke(main, ["check", str(RU), "--format", "github"])
    assert r.exit_code == 1
    assert len([line for line in r.output.splitlines() if line.startswith("::")]) == 9


# ---------------------------------------------------------------------------
# pre-commit and shell completion, as docs/reports.md shows them.


def test_pre_commit_manifest():
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"subtrans-check", "subtrans-fix"}
    for h in hooks:
        assert h["language"] == "python" and h["entry"].startswith("subtrans check")
        assert {"id", "name", "entry", "language", "files"} <= set(h)
        pattern = re.compile(h["files"])
        assert pattern.search("subs/ep01.ru.srt") and pattern.search("EP01.VTT")
        assert not pattern.search("notes.srt.txt") and not pattern.search("a.ass")
    assert "--in-place" in by_id["subtrans-fix"]["entry"]
    docs = (ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
    assert all(f"id: {h}" in docs for h in by_id)


SUBTRANS = [sys.executable, "-c", "from subtrans.cli import main; main(prog_name='subtrans')"]


def test_bash_completion_as_documented():
    env = {**os.environ, "_SUBTRANS_COMPLETE": "bash_complete", "COMP_WORDS": "subtrans check --format ",
           "COMP_CWORD": "3"}
    done = subprocess.run(SUBTRANS, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert {"plain,html", "plain,github"} <= set(done.stdout.splitlines())
    env["_SUBTRANS_COMPLETE"] = "bash_source"
    script = subprocess.run(SUBTRANS, env=env, capture_output=True, text=True, timeout=60).stdout
    assert "_subtrans_completion" in script
    assert "_SUBTRANS_COMPLETE=bash_source subtrans" in (ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
