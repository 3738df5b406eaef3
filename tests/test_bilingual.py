"""Bilingual sources: a Chinese line with an English line under it in each cue (中英双语), read, checked
and translated line by language. The file in tests/cases/bilingual.zh-en.srt was written by hand."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import subtrans
from fake_backend import StandInEngine
from subtrans.cli import main
from subtrans.lang.bilingual import bilingual, line_language
from subtrans.text import strip_tags, visible_lines

CASE = Path(__file__).parent / "cases" / "bilingual.zh-en.srt"
LATIN = re.compile(r"[A-Za-z]")


@pytest.mark.parametrize("line,language", [
    ("嘿", "zh"), ("Hey!", "en"), ("我去了New York", "zh"), ("<i>He came to Harbin in 1927.</i>", "en"),
    ("1927", None), ("♪", None), ("Привет, Харбин!", "ru"), ("{\\an8}OK", "en"), ("伊万·彼得罗夫同志", "zh"),
])
def test_the_language_of_a_line(line, language):
    assert line_language(line) == language


def test_a_bilingual_file_is_told_from_a_monolingual_one():
    bi = bilingual(subtrans.load(CASE))
    assert (bi.main, bi.other, bi.cues) == ("zh", "en", 7)
    assert bilingual(subtrans.load(Path(__file__).parent.parent / "examples" / "red-silk.zh.srt")) is None
    # one English line in a Chinese file is no bilingual file
    one = subtrans.loads("".join(f"{n}\n00:00:{n:02d},000 --> 00:00:{n:02d},900\n{t}\n\n"
                                 for n, t in enumerate(["你好\nHello"] + ["我们走吧"] * 9, 1)))
    assert bilingual(one) is None


def _findings(text: str):
    return [(f.cue, f.rule, f.message) for f in subtrans.check(subtrans.loads(text))]


def test_check_measures_each_line_in_its_own_language():
    found = _findings(CASE.read_text(encoding="utf-8"))
    # the English lines are not measured against the 16-character Chinese limit, nor do they count
    # for the Chinese reading speed or punctuation (the same file gave 3 such findings before)
    assert not [f for f in found if f[1] in ("line-length", "reading-speed", "zh-punctuation")]
    assert found == [(7, "bilingual-line", "bilingual cue without its Chinese line")]


def test_each_language_has_its_own_limits():
    srt = ("1\n00:00:01,000 --> 00:00:04,000\n我们必须在今天晚上十二点以前离开这座城市\nWe must leave town by midnight.\n\n"
           "2\n00:00:05,000 --> 00:00:09,000\n我们走吧\nWe have to leave this town before midnight tonight, no matter what.\n\n"
           "3\n00:00:10,000 --> 00:00:13,000\n他1927年来到哈尔滨\nHe came to Harbin in 1928.\n\n"
           "4\n00:00:14,000 --> 00:00:17,000\n你好\nHello\n\n")
    found = _findings(srt)
    assert (1, "line-length") in {(c, r) for c, r, _ in found}                      # the Chinese line, over 16
    assert (2, "line-length", "English line: line 1 has 67 characters, more than 42") in found
    assert (3, "bilingual-numbers", "numbers differ between the lines: 1927 / 1928") in found


def _translate(track, keep: bool):
    engine = StandInEngine(lambda text: f"перевод {len(text)} знаков.")
    with subtrans.Translator(backend=engine, cache=False, fit=False) as tr:
        out = tr.translate(track, to="ru", keep_other_lines=keep)
    return engine.inputs, out


def test_only_the_source_language_reaches_the_engine():
    track = subtrans.load(CASE)
    inputs, out = _translate(track, keep=False)
    assert inputs and not [t for t in inputs if LATIN.search(t)]      # no English line, alone or glued
    assert "如果你明天又不来排练，导演就会找人顶替你" in inputs           # the sentence over cues 2-3, whole
    assert [(c.start, c.end) for c in out.track.cues] == [(c.start, c.end) for c in track.cues]
    assert out.track.cues[6].text == "OK"                              # nothing to translate: kept as it is
    assert not [c for c in out.track.cues[:6] if LATIN.search(strip_tags(c.text))]  # English lines dropped
    assert "bilingual zh+en (7 cues with both): 8 English lines not translated" in out.warnings


def test_kept_other_lines_change_no_target_line():
    track = subtrans.load(CASE)
    _, dropped = _translate(track, keep=False)
    _, kept = _translate(track, keep=True)
    assert kept.track.cues[3].text == "<i>перевод 11 знаков.\nHe came to Harbin in 1927.</i>"
    for a, b in zip(dropped.track.cues, kept.track.cues):   # the same lines, less the English ones
        if a.text == "OK":
            assert b.text == "OK"
            continue
        assert [ln for ln in visible_lines(b.text) if line_language(ln) != "en"] == visible_lines(a.text)
        assert len(visible_lines(b.text)) == len(visible_lines(a.text)) + 1
    # ... and the same target lines as the Chinese lines alone
    chinese_only = track.copy()
    for cue in chinese_only.cues:
        if "\n" in cue.text:
            cue.text = "\n".join(ln for ln in cue.text.split("\n") if line_language(ln) != "en")
            if cue.text.startswith("<i>") and not cue.text.endswith("</i>"):
                cue.text += "</i>"
    _, alone = _translate(chinese_only, keep=False)
    with_chinese = [i for i, c in enumerate(track.cues) if "zh" in map(line_language, c.text.split("\n"))]
    assert len(with_chinese) == 7
    assert [alone.track.cues[i].text for i in with_chinese] == [kept_less_english(kept.track.cues[i].text)
                                                                for i in with_chinese]


def kept_less_english(text: str) -> str:
    """A cue of a translation that kept its English lines, without them (tags as they were)."""
    close = "</i>" if text.endswith("</i>") else ""
    body = text[:len(text) - len(close)]
    return "\n".join(ln for ln in body.split("\n") if line_language(ln) != "en") + close


pytest.importorskip("torch")
from tiny_models import tiny_m2m100  # noqa: E402,F401


@pytest.mark.parametrize("keep", [False, True])
def test_the_cli_on_a_bilingual_file(keep, tiny_m2m100, tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTRANS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "out.ru.srt"
    args = ["translate", str(CASE), "--to", "ru", "--model", str(tiny_m2m100), "--backend", "hf", "-o", str(out),
            "--beams", "1", "--max-length", "16", *(["--keep-other-lines"] if keep else [])]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(next((tmp_path / "cache").rglob("*.sqlite3"))) as conn:
        sources = [s for (s,) in conn.execute("SELECT source FROM tm")]
    assert sources and not [s for s in sources if LATIN.search(s)]        # no English reached the model
    cues = subtrans.load(out).cues
    english = [c for c in cues if any(line_language(ln) == "en" for ln in c.text.split("\n"))]
    assert len(english) == (8 if keep else 1)                             # "OK" stays; the 7 others as asked
    assert "bilingual zh+en" in result.output


def test_every_report_says_the_file_is_bilingual(tmp_path):
    import json

    for fmt in ("text", "json", "html"):
        out = tmp_path / f"report.{fmt}"
        result = CliRunner().invoke(main, ["check", str(CASE), "--format", fmt, "-o", str(out)])
        assert result.exit_code == 1, result.output
        text = out.read_text(encoding="utf-8")
        if fmt == "json":
            assert json.loads(text)["files"][0]["bilingual"] == {"main": "zh", "other": "en", "cues": 7}
        else:
            assert "bilingual zh+en (7 cues with both)" in text
