"""Unix habits on every command (issue 22, part 3): `-` reads standard input, `-o -` writes standard output
with the human summary on standard error, --quiet prints errors only, --verbose says timings on standard
error, and every --help ends with real examples."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

import subtrans
from subtrans.cli import main

from tiny_models import tiny_t5  # noqa: F401  (fixture)

SRT = ("1\n00:00:01,000 --> 00:00:03,000\nПоезд уходит в полночь.\n\n"
       "2\n00:00:04,000 --> 00:00:06,000\n<i>Харбин, 1927.</i>\n")


def commands(group=main, prefix=()):
    for name, cmd in sorted(group.commands.items()):
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from commands(cmd, (*prefix, name))


@pytest.mark.parametrize("path,cmd", list(commands()), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_help_ends_with_examples(path, cmd):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    tail = result.output.rsplit("Options:", 1)[0]
    assert "Example" in tail and f"subtrans {' '.join(path)}" in tail, result.output


@pytest.mark.parametrize("path", [("check",), ("translate",), ("convert",), ("names",), ("batch", "translate"),
                                  ("batch", "check")])
def test_commands_that_print_take_quiet_and_verbose(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert "--quiet" in result.output and "--verbose" in result.output


def test_convert_reads_stdin_and_writes_stdout_with_the_summary_on_stderr(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["convert", "-", "-o", "-", "--format", "vtt"], input=SRT.encode("utf-8"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\nПоезд уходит в полночь.")
    assert "- -> -: 2 cues, srt -> vtt" in result.stderr
    assert list(tmp_path.iterdir()) == []                 # no file called "-"
    quiet = CliRunner().invoke(main, ["convert", "-", "-o", "-", "--format", "srt", "-q"], input=SRT.encode())
    assert quiet.stderr == "" and subtrans.loads(quiet.stdout).cues[1].text == "<i>Харбин, 1927.</i>"
    no_format = CliRunner().invoke(main, ["convert", "-", "-o", "-"], input=SRT.encode())
    assert no_format.exit_code == 2 and "pass --format" in no_format.stderr


def test_translate_is_a_filter_from_stdin_to_stdout(tiny_t5, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SUBTRANS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    args = ["translate", "-", "--to", "zh", "--model", str(tiny_t5), "--beams", "1", "--max-length", "16"]
    result = CliRunner().invoke(main, [*args, "-o", "-"], input=SRT.encode("utf-8"))
    assert result.exit_code in (0, 1), result.output
    out = subtrans.loads(result.stdout)                   # stdout holds the subtitle file and nothing else
    assert [(c.start, c.end) for c in out.cues] == [(1000, 3000), (4000, 6000)]
    assert out.cues[1].text.startswith("<i>") and out.cues[1].text.endswith("</i>")
    assert "- -> -: 2 cues" in result.stderr               # the summary went to stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]
    # without -o, standard input goes to standard output too; --quiet leaves stderr empty
    quiet = CliRunner().invoke(main, [*args, "--quiet"], input=SRT.encode("utf-8"))
    assert quiet.exit_code in (0, 1) and quiet.stderr == ""
    assert quiet.stdout == result.stdout
    verbose = CliRunner().invoke(main, [*args, "-o", "out.zh.srt", "-v"], input=SRT.encode("utf-8"))
    assert verbose.exit_code in (0, 1) and "translated 1 file in " in verbose.stderr
    assert (tmp_path / "out.zh.srt").read_text(encoding="utf-8") == result.stdout.replace("\r\n", "\n")


def test_names_quiet_with_an_output_file_prints_nothing(tmp_path):
    src = tmp_path / "a.ru.srt"
    src.write_text("1\n00:00:01,000 --> 00:00:03,000\nВоронов ждёт в Харбине.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["names", str(src), "--to", "zh", "-o", str(tmp_path / "n.tsv"), "-q"])
    assert result.exit_code == 0 and result.output == ""
    assert (tmp_path / "n.tsv").read_text(encoding="utf-8").startswith("# Names of a.ru.srt")
