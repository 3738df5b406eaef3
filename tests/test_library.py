"""The library API as a studio uses it: load, check, fix, save; errors as data."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import subtrans

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("name", ["red-silk.ru.srt", "red-silk.zh.srt", "red-silk.ru.vtt"])
def test_examples_save_back_byte_for_byte(tmp_path, name):
    track = subtrans.load(EXAMPLES / name)
    out = track.save(tmp_path / name)
    assert out.read_bytes() == (EXAMPLES / name).read_bytes()


def test_vtt_blocks_and_settings_survive():
    track = subtrans.load(EXAMPLES / "red-silk.ru.vtt")
    assert [b.kind for b in track.blocks] == ["NOTE", "STYLE"]
    assert any(c.settings for c in track.cues) and any(c.id for c in track.cues)


def test_errors_carry_path_line_text_and_pickle(tmp_path):
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:01,000 --> 00:00:02,000\nДа\n\n2\n00:00:03,000 --> 00:6x:04,000\nНет\n", "utf-8")
    with pytest.raises(subtrans.ParseError) as info:
        subtrans.load(bad)
    err = info.value
    assert (err.path, err.line) == (str(bad), 6) and "00:6x:04,000" in err.text
    assert "\n" not in str(err) and str(err).startswith(f"{bad}:6: ")
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is subtrans.ParseError and (again.path, again.line, again.text) == (err.path, 6, err.text)
    assert isinstance(err, subtrans.SubtransError)


def test_lenient_reports_what_it_skipped(tmp_path):
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:01,000 --> 00:00:02,000\nДа\n\n2\n00:00:03,000 --> 00:6x:04,000\nНет\n", "utf-8")
    track = subtrans.load(bad, lenient=True)
    assert len(track) == 1
    (f,) = [f for f in subtrans.check(track) if f.rule == "skipped-block"]
    assert f.line == 6 and f.severity is subtrans.Severity.ERROR


def test_save_refuses_to_overwrite_when_asked(tmp_path):
    track = subtrans.load(EXAMPLES / "red-silk.ru.vtt")
    target = track.save(tmp_path / "a.vtt")
    with pytest.raises(subtrans.WriteError):
        track.save(target, overwrite=False)


def test_save_with_another_encoding(tmp_path):
    track = subtrans.load(EXAMPLES / "red-silk.ru.srt")
    out = track.save(tmp_path / "cp1251.srt", encoding="cp1251")
    back = subtrans.load(out)
    assert back.encoding == "cp1251" and back.cues == track.cues
    zh = subtrans.load(EXAMPLES / "red-silk.zh.srt")
    with pytest.raises(subtrans.EncodingError, match="cannot be written in cp1251"):
        zh.save(tmp_path / "zh.srt", encoding="cp1251")


@pytest.mark.parametrize("text,encoding,expected", [
    ("МОСКВА, 1927 ГОД\nХАРБИН", "cp1251", "cp1251"),        # short, all caps: not Shift-JIS
    ("Привет, как дела у тебя сегодня?", "koi8_r", "koi8-r"),
    ("我们走吧", "gbk", "gb18030"),                           # GBK is read as its superset
    ("他住在這裏。", "cp950", "cp950"),
    ("這是西伯利亞快車，我們走吧", "big5", "big5"),
])
def test_short_legacy_files_are_decoded_as_russian_or_chinese(tmp_path, text, encoding, expected):
    f = tmp_path / "short.srt"
    f.write_bytes(f"1\n00:00:01,000 --> 00:00:03,000\n{text}\n".encode(encoding))
    track = subtrans.load(f)
    assert (track.encoding, track.cues[0].text) == (expected, text)
