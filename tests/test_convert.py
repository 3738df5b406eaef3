"""subtrans convert between SRT, WebVTT and ASS/SSA (issue 19, part 5): timings exact, styling carried where
the target holds it, every loss said. Expected texts written by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import subtrans
from subtrans.cli import main
from subtrans.formats.convert import convert

SCENE = Path(__file__).parent / "cases" / "scene.ru.ass"


def test_ass_to_srt_keeps_italics_and_the_top_position_and_says_what_is_lost():
    result = convert(subtrans.load(SCENE), "srt")
    assert [(c.start, c.end, c.text) for c in result.track.cues] == [
        (1000, 3500, "{\\an8}Поезд уходит в полночь."),
        (4000, 6000, "Вы знаете Харбин?\nЯ там родилась."),
        (4000, 8000, "ХАРБИН"),
        (6500, 7000, "<i>Тише.</i>"),
    ]
    assert result.losses == ["the ASS override {\\pos…}: lost in cue 3", "the ASS style (Sign): lost in cue 3"]


def test_ass_to_webvtt_puts_a_top_cue_at_the_top():
    result = convert(subtrans.load(SCENE), "vtt")
    assert (result.track.cues[0].settings, result.track.cues[0].text) == ("line:0", "Поезд уходит в полночь.")


def test_webvtt_spans_are_said_lost_in_srt_and_kept_in_webvtt():
    vtt = subtrans.loads("WEBVTT\n\n00:00:01.000 --> 00:00:02.000 align:start\n<v Алексей>Стой!</v>\n\n"
                         "00:00:03.000 --> 00:00:04.000\n<ruby>站<rt>zhàn</rt></ruby>\n")
    srt = convert(vtt, "srt")
    assert [c.text for c in srt.track.cues] == ["Стой!", "站(zhàn)"]
    assert set(srt.losses) == {"the cue settings or coordinates: lost in cue 1", "the WebVTT <v> span: lost in cue 1",
                               "the WebVTT <ruby> span: lost in cue 2", "the WebVTT <rt> span: lost in cue 2"}
    assert convert(vtt, "vtt").losses == []


def test_srt_to_ass_and_back_keeps_every_time_and_the_simple_styling(tmp_path):
    src = subtrans.loads("1\n00:00:01,000 --> 00:00:02,500\n<i>Поезд</i> <b>ушёл</b>\n\n"
                         "2\n00:00:03,040 --> 00:00:04,960\n{\\an8}Наверху\n\n")
    ass = convert(src, "ass")
    assert [c.text for c in ass.track.cues] == ["{\\i1}Поезд{\\i0} {\\b1}ушёл{\\b0}", "{\\an8}Наверху"]
    path = ass.track.save(tmp_path / "x.ass", format="ass")
    back = convert(subtrans.load(path), "srt").track
    assert [(c.start, c.end, c.text) for c in back.cues] == [
        (1000, 2500, "<i>Поезд</i> <b>ушёл</b>"), (3040, 4960, "{\\an8}Наверху")]


def test_the_cli_says_the_losses_and_refuses_an_unknown_extension(tmp_path):
    out = tmp_path / "scene.srt"
    result = CliRunner().invoke(main, ["convert", str(SCENE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "the ASS style (Sign): lost in cue 3" in result.stderr
    assert subtrans.load(out).format == "srt"
    bad = CliRunner().invoke(main, ["convert", str(SCENE), "-o", str(tmp_path / "scene.txt")])
    assert bad.exit_code == 2 and "no format writes '.txt'" in bad.output
    same = CliRunner().invoke(main, ["convert", str(out), "-o", str(out), "--overwrite"])
    assert same.exit_code == 2 and "never overwrites its input" in same.output
