"""The parts of `subtrans batch` that need no Ray: inputs, outputs, resume, the summary, lazy imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from subtrans.batch.plan import collect_inputs, output_is_current, read_list_file
from subtrans.batch.summary import BatchResult, FileRecord, Progress, render_html, summary
from subtrans.errors import ConfigError, ParseError
from subtrans.pipeline.fitting import FitReport, Retime
from subtrans.qa import Finding, Severity

SRT = "1\n00:00:01,000 --> 00:00:02,000\nПоезд.\n\n2\n00:00:03,000 --> 00:00:04,000\nХарбин.\n"


def write(path: Path, text: str = SRT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_folder_keeps_its_layout_and_leaves_out_earlier_outputs(tmp_path):
    a = write(tmp_path / "s1" / "e1.ru.srt")
    b = write(tmp_path / "s2" / "e2.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\nПоезд.\n")
    write(tmp_path / "s1" / "e1.zh.srt")          # a previous run's output, next to its input
    write(tmp_path / "notes.txt", "not a subtitle")
    files, names = collect_inputs(tmp_path, "zh")
    assert files == [a, b]
    assert names == [Path("s1/e1.ru.srt"), Path("s2/e2.vtt")]


def test_a_list_file_names_files_relative_to_itself(tmp_path):
    a = write(tmp_path / "lib" / "film" / "a.srt")
    b = write(tmp_path / "lib" / "series" / "s01" / "b.srt")
    listing = tmp_path / "lib" / "todo.txt"
    listing.write_text(f"# films first\nfilm/a.srt\n\n  {b}  \n", encoding="utf-8")
    assert read_list_file(listing) == [listing.parent / "film/a.srt", b]
    files, names = collect_inputs(listing)
    assert [f.resolve() for f in files] == [a.resolve(), b.resolve()]
    assert names == [Path("film/a.srt"), Path("series/s01/b.srt")]   # below the folder they share


def test_sources_that_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="no files"):
        collect_inputs(write(tmp_path / "empty.txt", "# nothing\n\n"))
    with pytest.raises(ConfigError, match="list file"):
        collect_inputs(write(tmp_path / "one.srt"))            # one subtitle file: subtrans translate
    with pytest.raises(ConfigError, match="not UTF-8"):
        bad = tmp_path / "bad.txt"
        bad.write_bytes(b"\xff\xfe\x00a")
        collect_inputs(bad)
    with pytest.raises(ConfigError, match="no .srt, .vtt, .ass, .ssa, .ttml or .dfxp files"):
        (tmp_path / "nothing").mkdir()
        collect_inputs(tmp_path / "nothing")


def test_an_output_is_current_only_when_newer_whole_and_of_the_same_length(tmp_path):
    src = write(tmp_path / "a.ru.srt")
    out = tmp_path / "a.zh.srt"
    assert not output_is_current(src, out, 2)                            # missing
    write(out, SRT.replace("Поезд", "火车").replace("Харбин", "哈尔滨"))
    now = src.stat().st_mtime
    os.utime(out, (now + 5, now + 5))
    assert output_is_current(src, out, 2)
    assert not output_is_current(src, out, 3)                            # not the input's cue count
    assert not output_is_current(src, out, 2, depends_ns=int((now + 10) * 1e9))   # a newer glossary
    os.utime(src, (now + 20, now + 20))
    assert not output_is_current(src, out, 2)                            # a newer input
    os.utime(src, (now, now))
    out.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")                    # replaced by something unreadable
    os.utime(out, (now + 5, now + 5))
    assert not output_is_current(src, out, 2)


def _record(path, **kw):
    return FileRecord(path=path, output=path + ".zh.srt", **kw)


def test_summary_json_and_html():
    finding = Finding(rule="reading-speed", code="S001", severity=Severity.WARNING, message="too fast", cue=1)
    done = _record("a.srt", status="translated", cues=2, units=2, sent_to_model=1, from_cache=1, findings=[finding],
                   terms=[{"cue": 1, "source": "Харбин", "target": "哈尔滨", "how": "constrained"}],
                   warnings=["cue 1: <i> could not be carried over"])
    bad = _record("<script>alert(1)</script>.srt", status="failed", stage="read",
                  error=ParseError("binary content", path="<script>alert(1)</script>.srt", line=1))
    result = BatchResult(files=[done, _record("b.srt", status="skipped", cues=3), bad], target="zh", wall_s=2.0,
                         actors=1, cpus_per_actor=1, batch_size=16, cluster={"CPU": 2.0})
    doc = json.loads(json.dumps(summary(result)))
    t = doc["totals"]
    assert (t["files"], t["translated"], t["skipped"], t["failed"]) == (3, 1, 1, 1)
    assert t["by_rule"] == {"reading-speed": 1} and t["terms"] == {"constrained": 1} and t["sentences_per_s"] == 1.0
    assert doc["files"][0]["by_rule"] == {"reading-speed": 1}
    assert doc["files"][2]["error"] == {"message": "binary content", "line": 1, "text": None, "type": "ParseError"}
    assert doc["failures"] == [{"path": bad.path, "stage": "read", "reason": str(bad.error)}]
    page = render_html(result)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;.srt" in page
    assert "&lt;i&gt; could not be carried over" in page
    assert "reading-speed" in page and "constrained 1" in page
    assert doc["files"][0]["fit"] is None and t["fit"] is None     # no fit report: nothing to add up


def test_summary_carries_each_files_fit_report_and_adds_them_up():
    one = FitReport(retime=True, cues=4, speed_before=1, speed_after=3, lines_before=2, lines_after=4, units_over=3,
                    units_refitted=2, decoded=3, retimed=[Retime(0, "1", (1000, 2000), (1000, 2834))])
    two = FitReport(retime=True, cues=6, speed_before=6, speed_after=6, lines_before=5, lines_after=6, units_over=1,
                    units_refitted=1, from_cache=1)
    files = [_record("a.srt", status="translated", cues=4, units=4, fit=one),
             _record("b.srt", status="translated", cues=6, units=6, fit=two),
             _record("c.srt", status="skipped", cues=3)]
    result = BatchResult(files=files, target="zh", wall_s=1.0, actors=1, batch_size=16)
    doc = json.loads(json.dumps(summary(result)))
    # Per file: what `subtrans translate --report` writes under files[].translation.fit.
    assert [f.get("fit") for f in doc["files"]] == [one.to_dict(), two.to_dict(), None]
    assert doc["totals"]["fit"] == {
        "enabled": True, "retime": True, "cues": 10,
        "within_reading_speed": {"before": 0.7, "after": 0.9, "cues_before": 7, "cues_after": 9},
        "within_line_limits": {"before": 0.7, "after": 1.0, "cues_before": 7, "cues_after": 10},
        "units_over_limits": 4, "units_refitted": 3, "units_decoded": 3, "units_from_cache": 1, "retimed": 1}
    page = render_html(result)
    assert "within the reading speed 70% before, 90% after" in page and "3 of 4 sentence units" in page
    assert "<summary>1 cue retimed</summary>" in page and "00:00:02,000, now 00:00:01,000" in page


def test_progress_estimates_from_the_files_that_needed_work():
    p = Progress(done=4, total=10, failed=0, skipped=2, units=100, elapsed=20.0)
    assert p.rate == 5.0
    assert p.eta == 20.0 / 2 * 6
    assert Progress(0, 3, 0, 0, 0, 0.0).eta is None
    assert Progress(3, 3, 0, 3, 0, 1.0).eta == 0.0


def test_batch_translate_takes_the_translation_options_of_translate():
    """Every option the two commands share means the same: same flags, type and default."""
    from subtrans.batch.cli import translate as batch_translate
    from subtrans.cli import translate

    def options(command):
        return {p.name: (tuple(p.opts), tuple(p.secondary_opts), p.type.to_info_dict(), p.default, p.is_flag)
                for p in command.params if isinstance(p, click.Option)}

    single, batch = options(translate), options(batch_translate)
    for name in ("fit", "fit_margin", "fit_candidates", "retime", "beams", "batch_size", "max_length", "backend",
                 "bilingual", "profile", "lenient", "encoding", "glossaries", "model", "revision"):
        assert batch[name] == single[name], name


def test_check_and_batch_help_import_neither_ray_nor_torch(tmp_path):
    example = Path(__file__).parent.parent / "examples" / "red-silk.ru.srt"
    code = ("import sys; from click.testing import CliRunner; from subtrans.cli import main; "
            f"r1 = CliRunner().invoke(main, ['check', {str(example)!r}]); "
            "r2 = CliRunner().invoke(main, ['batch', 'translate', '--help']); "
            "r3 = CliRunner().invoke(main, ['batch', 'check', '--help']); "
            "heavy = [m for m in ('ray', 'torch', 'transformers') if m in sys.modules]; "
            "print(r1.exit_code, r2.exit_code, r3.exit_code, heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "1 0 0 []"
