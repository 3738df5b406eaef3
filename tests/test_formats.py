"""SRT and WebVTT readers on small inline fixtures: quirks, refusals, detection."""

from __future__ import annotations

import pytest

from subtrans.errors import FormatError, ParseError, SubtransError
from subtrans.formats import FORMATS, SubtitleFormat, detect_format, load, loads, save
from subtrans.model import Cue, Track

RU_ZH_SRT = (
    "1\n00:00:01,000 --> 00:00:02,500\nПривет, мир!\n\n"
    "2\n00:00:03,000 --> 00:00:04,000\n你好，世界！\n<i>Вторая строка</i>\n"
)
RU_ZH_VTT = (
    "WEBVTT\n\nNOTE заметка\n\n"
    "intro\n00:00:01.000 --> 00:00:02.500 align:start\nПривет, мир!\n\n"
    "00:03.000 --> 00:04.000\n你好，世界！\n"
)


def test_srt_reads_russian_and_chinese():
    track = loads(RU_ZH_SRT)
    assert track.format == "srt"
    assert track.cues == [
        Cue(1000, 2500, "Привет, мир!", id="1"),
        Cue(3000, 4000, "你好，世界！\n<i>Вторая строка</i>", id="2"),
    ]
    assert track.notes == []
    assert [c.line for c in track.cues] == [1, 5]


def test_vtt_reads_ids_settings_notes_and_short_timestamps():
    track = loads(RU_ZH_VTT)
    assert track.format == "vtt"
    assert track.cues == [
        Cue(1000, 2500, "Привет, мир!", id="intro", settings="align:start"),
        Cue(3000, 4000, "你好，世界！"),
    ]
    assert [(b.kind, b.text, b.before) for b in track.blocks] == [("NOTE", "NOTE заметка", 0)]
    assert track.notes == []
    assert loads(track.text()) == track


# (name, format, text, expected [(rule, line)], expected cue ids)
QUIRKS = [
    ("no numbers", "srt", "00:00:01,000 --> 00:00:02,000\nПривет\n\n00:00:03,000 --> 00:00:04,000\n你好\n",
     [("cue-numbering", 1)], [None, None]),
    ("out of sequence", "srt", "1\n00:00:01,000 --> 00:00:02,000\nПривет\n\n3\n00:00:03,000 --> 00:00:04,000\n你好\n",
     [("cue-numbering", 5)], ["1", "3"]),
    ("word for a number", "srt",
     "1\n00:00:01,000 --> 00:00:02,000\nПривет\n\nдва\n00:00:03,000 --> 00:00:04,000\n你好\n",
     [("cue-numbering", 5)], ["1", "два"]),
    ("dot before ms", "srt", "1\n00:00:01.000 --> 00:00:02,000\nПривет\n", [("timestamp-format", 2)], ["1"]),
    ("one-digit hour", "srt", "1\n0:00:01,000 --> 00:00:02,000\nПривет\n", [("timestamp-format", 2)], ["1"]),
    ("zero-padded seconds", "srt", "1\n00:00:013,000 --> 00:00:14,000\nПривет\n", [("timestamp-format", 2)], ["1"]),
    ("stray spaces", "srt", "1\n00:00:01,000  -->  00:00:02,000\nПривет\n", [("timestamp-format", 2)], ["1"]),
    ("blank line in text", "srt",
     "1\n00:00:01,000 --> 00:00:02,000\nПривет\n\nмир\n\n2\n00:00:03,000 --> 00:00:04,000\n你好\n",
     [("blank-line-in-text", 4)], ["1", "2"]),
    ("missing blank line", "srt",
     "1\n00:00:01,000 --> 00:00:02,000\nПривет\n2\n00:00:03,000 --> 00:00:04,000\n你好\n",
     [("missing-blank-line", 4)], ["1", "2"]),
    ("no final newline", "srt", "1\n00:00:01,000 --> 00:00:02,000\nПривет", [("missing-final-newline", 3)], ["1"]),
    ("cue right after WEBVTT", "vtt", "WEBVTT\n00:00:01.000 --> 00:00:02.000\nПривет\n", [("vtt-header", 2)], [None]),
    ("NUL in text", "vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nПри\x00вет\n", [("nul-character", 4)], [None]),
    ("line of spaces between cues", "vtt",
     "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nПривет\n\n   \n\n00:00:03.000 --> 00:00:04.000\n你好\n",
     [("whitespace-line", 6)], [None, None]),
]


@pytest.mark.parametrize("name, fmt, text, notes, ids", QUIRKS, ids=[q[0] for q in QUIRKS])
def test_quirks_load_with_a_note(name, fmt, text, notes, ids):
    track = loads(text, format=fmt)
    assert [(n.rule, n.line) for n in track.notes] == notes
    assert [c.id for c in track.cues] == ids
    assert loads(text, format=fmt, lenient=True).cues == track.cues


def test_quirk_details():
    assert loads("1\n00:00:013,000 --> 00:00:14,000\nПривет\n").cues[0].start == 13000
    assert loads("1\n00:00:01,000 --> 00:00:02,000\nПривет\n\nмир\n\n2\n00:00:03,000 --> 00:00:04,000\nx\n"
                 ).cues[0].text == "Привет\n\nмир"
    assert loads("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nПри\x00вет\n").cues[0].text == "При\ufffdвет"
    assert loads("WEBVTT\n\n00:00:01.000-->00:00:02.000\nПривет\n").cues[0].end == 2000  # no spaces needed
    assert loads("WEBVTT\n\n1234:00:00.000 --> 1234:00:01.000\nx\n").cues[0].start == 1234 * 3_600_000


# (name, format, text, expected error line)
# SRT timing lines that srt, pysubs2 and Subtitle Edit read: read, as they read them, with a finding
# (times worked out by hand).
READ_AS_PEERS = [
    ("2-digit ms", "1\n00:00:01,00 --> 00:00:02,000\nПривет\n", 1000, 2000),
    ("4-digit ms", "1\n00:00:01,0005 --> 00:00:02,000\nПривет\n", 1000, 2000),     # 0.0005 s rounds to 0 ms
    ("1-digit ms", "1\n00:00:01,5 --> 00:00:02,000\nПривет\n", 1500, 2000),
    ("no ms", "1\n00:00:01 --> 00:00:02\nПривет\n", 1000, 2000),
    ("minutes 60", "1\n00:60:01,000 --> 01:00:02,000\nПривет\n", 3_601_000, 3_602_000),
    ("seconds 60", "1\n00:00:60,000 --> 00:01:02,000\nПривет\n", 60_000, 62_000),
    ("hours 100", "1\n100:00:01,000 --> 100:00:02,000\nПривет\n", 360_001_000, 360_002_000),
    ("negative", "1\n-00:00:01,000 --> 00:00:02,000\nПривет\n", 0, 2000),
    ("arrow '->'", "1\n00:00:01,000 -> 00:00:02,000\nПривет\n", 1000, 2000),
    ("arrow '- >'", "1\n00:00:01,000 - > 00:00:02,000\nПривет\n", 1000, 2000),
    ("arrow '-- >'", "1\n00:00:01,000 -- > 00:00:02,000\nПривет\n", 1000, 2000),
    ("arrow '—>'", "1\n00:00:01,000 —> 00:00:02,000\nПривет\n", 1000, 2000),
    ("no hours", "1\n00:01,000 --> 00:02,500\nПривет\n", 1000, 2500),
]


@pytest.mark.parametrize("name, text, start, end", READ_AS_PEERS, ids=[r[0] for r in READ_AS_PEERS])
def test_timing_lines_the_peers_read_are_read_with_a_finding(name, text, start, end):
    track = loads(text, format="srt")
    assert [(c.start, c.end, c.text) for c in track.cues] == [(start, end, "Привет")]
    assert [(n.rule, n.line) for n in track.notes] == [("timing-misread", 2)]


REFUSED = [
    ("unreadable stamp", "srt", "1\n00:00:xx,000 --> 00:00:02,000\nПривет\n", 2),
    ("number without timing", "srt", "1\n00:00:01,000 --> 00:00:02,000\nПривет\n\n2\nмир\n", 6),
    ("text before first timing", "srt", "текст\n00:00:01,000 --> 00:00:02,000\nПривет\n", 1),
    ("only text", "srt", "просто текст\n", 1),
    ("vtt 2-digit ms", "vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nПривет\n\n00:01.00 --> 00:02.000\nмир\n", 6),
    ("vtt minutes 60", "vtt", "WEBVTT\n\n00:60:00.000 --> 01:00:02.000\nмир\n", 3),
    ("vtt comma before ms", "vtt", "WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nмир\n", 3),
    ("vtt blank line in text", "vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nПривет\n\nмир\n", 6),
    ("vtt STYLE after a cue", "vtt",
     "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nПривет\n\nSTYLE\n::cue { color: red }\n", 6),
    ("vtt header text then cue", "vtt", "WEBVTT\nKind: captions\n00:00:01.000 --> 00:00:02.000\nПривет\n", 2),
    ("vtt bad signature", "vtt", "WEBVTTX\n\n00:00:01.000 --> 00:00:02.000\nПривет\n", 1),
    ("vtt lower-case signature", "vtt", "webvtt\n\n00:00:01.000 --> 00:00:02.000\nПривет\n", 1),
]


@pytest.mark.parametrize("name, fmt, text, line", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_inputs_name_the_line(name, fmt, text, line):
    with pytest.raises(ParseError) as info:
        loads(text, format=fmt)
    assert info.value.line == line
    assert "\n" not in str(info.value)


# Refused inputs that hold a good cue first: lenient keeps it and notes the rest.
SKIPPABLE = ["number without timing", "vtt 2-digit ms", "vtt blank line in text", "vtt STYLE after a cue"]


@pytest.mark.parametrize("name, fmt, text, line", [r for r in REFUSED if r[0] in SKIPPABLE], ids=SKIPPABLE)
def test_lenient_skips_and_notes_the_block(name, fmt, text, line):
    track = loads(text, format=fmt, lenient=True)
    assert [(n.rule, n.line) for n in track.notes if n.rule == "skipped-block"] == [("skipped-block", line)]
    assert track.cues[0].text == "Привет"


def test_srt_without_any_cue_is_refused_even_leniently():
    with pytest.raises(ParseError) as info:
        loads("1\n00:00:xx --> 00:00:02\nПривет\n", format="srt", lenient=True)
    assert info.value.line == 1


def test_error_messages_carry_the_path(tmp_path):
    p = tmp_path / "bad.srt"
    p.write_text("1\n00:00:01,x0 --> 00:00:02,000\nПривет\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        load(p)
    assert str(info.value).startswith(f"{p}:2: ")


# ------------------------------------------------------------ detection


def test_content_decides_the_format():
    assert detect_format(RU_ZH_SRT) == "srt"
    assert detect_format(RU_ZH_VTT) == "vtt"
    assert detect_format("00:00:01,000 --> 00:00:02,000\nx\n") == "srt"
    assert detect_format(RU_ZH_SRT, "film.srt") == "srt"
    assert detect_format(RU_ZH_VTT, "film.webvtt") == "vtt"


def test_vtt_extension_with_srt_content_is_refused(tmp_path):
    with pytest.raises(FormatError) as info:
        detect_format(RU_ZH_SRT, "film.vtt")
    assert info.value.line == 1 and "WEBVTT" in str(info.value)
    p = tmp_path / "film.vtt"
    p.write_text(RU_ZH_SRT, encoding="utf-8")
    with pytest.raises(FormatError):
        load(p)
    assert load(p, format="srt").cues[0].text == "Привет, мир!"


def test_srt_extension_with_vtt_content_is_refused():
    with pytest.raises(FormatError):
        detect_format(RU_ZH_VTT, "film.srt")


def test_unknown_content_is_refused(tmp_path):
    with pytest.raises(FormatError) as info:
        detect_format("Просто текст, не субтитры.\n")
    assert info.value.line == 1
    p = tmp_path / "notes.txt"
    p.write_text("Просто текст\n", encoding="utf-8")
    with pytest.raises(FormatError):
        load(p)


def test_unknown_extension_with_known_content(tmp_path):
    p = tmp_path / "subs.txt"
    p.write_text(RU_ZH_SRT, encoding="utf-8")
    assert load(p).format == "srt"


def test_ambiguous_content_is_refused(monkeypatch):
    class Greedy(SubtitleFormat):
        name = "greedy"
        extensions = ()

        @classmethod
        def sniff(cls, text):
            return True

    monkeypatch.setitem(FORMATS, "greedy", Greedy)
    with pytest.raises(FormatError) as info:
        detect_format(RU_ZH_SRT)
    assert "several formats" in str(info.value)


def test_empty_and_blank_files_are_refused(tmp_path):
    for name, data in [("empty.srt", b""), ("bom.srt", b"\xef\xbb\xbf"), ("blank.vtt", b"\n\n  \n")]:
        p = tmp_path / name
        p.write_bytes(data)
        with pytest.raises(ParseError) as info:
            load(p)
        assert info.value.line == 1


def test_missing_file_is_a_parse_error(tmp_path):
    with pytest.raises(SubtransError):
        load(tmp_path / "nope.srt")


# -------------------------------------------------------------- writing


def test_srt_compose_numbers_cues_without_ids():
    track = Track(cues=[Cue(0, 1000, "Привет"), Cue(1500, 2000, "你好")], format="srt")
    assert track.text() == "1\n00:00:00,000 --> 00:00:01,000\nПривет\n\n2\n00:00:01,500 --> 00:00:02,000\n你好\n"


def test_save_keeps_format_newline_and_missing_final_newline(tmp_path):
    src = tmp_path / "in.srt"
    src.write_bytes(RU_ZH_SRT.rstrip("\n").replace("\n", "\r\n").encode("utf-8"))
    track = load(src)
    assert (track.newline, track.final_newline) == ("\r\n", False)
    out = save(track, tmp_path / "out.srt")
    assert out.read_bytes() == src.read_bytes()


def test_vtt_compose_refuses_what_cannot_be_written():
    for cue in (Cue(0, 1000, "a\n\nb"), Cue(0, 1000, "a --> b"), Cue(0, 1000, "x", id="a-->b")):
        with pytest.raises(ParseError):
            Track(cues=[cue], format="vtt").text()


# -- every cue the peers read (issue 21): a hand-made file of quirks --------------------------------

def test_a_file_of_quirks_reads_every_cue_as_srt_pysubs2_and_subtitle_edit_read_it(tmp_path):
    """tests/cases/quirks.srt, written by hand: CR CR LF line ends, arrows written '- >', '->' and '—>',
    fractions of 1 and 2 digits, no fraction, one-digit hours, coordinates after the timing, a
    byte-order mark in the middle, a negative time, a missing number, runs of blank lines, no blank
    line before a cue, a word for a number, three-digit hours."""
    from pathlib import Path

    import subtrans

    track = subtrans.load(Path(__file__).parent / "cases" / "quirks.srt")
    assert [(c.id, c.start, c.end, c.settings, c.text) for c in track.cues] == [
        ("1", 1500, 3000, "", "Arrow and fractions."),
        ("2", 4250, 5250, "X1:100 X2:600 Y1:20 Y2:50", "Coordinates kept."),
        ("3", 0, 6000, "", "Negative start."),
        (None, 7000, 8000, "", "No number."),
        ("5", 9000, 10000, "", "No blank line before."),
        ("six", 360_000_000, 360_001_000, "", "Three-digit hours."),
    ]
    found = {(n.rule, n.line) for n in track.notes}
    assert {("timing-misread", 2), ("timing-misread", 6), ("timing-misread", 10), ("timing-misread", 22),
            ("stray-bom", 9), ("missing-blank-line", 17), ("timestamp-format", 18), ("mixed-line-endings", 1),
            ("cue-numbering", 15), ("cue-numbering", 21)} <= found
    # what players misread is an error; what they read alike a warning
    from subtrans.qa import Severity, check

    severities = {f.rule: f.severity for f in check(track, "netflix-en")}
    assert severities["timing-misread"] == Severity.ERROR and severities["timestamp-format"] == Severity.WARNING
    # --fix writes the canonical form, times as read (a plain save keeps the timing lines as read)
    fixed, _ = subtrans.fix(track, "netflix-en")
    out = fixed.save(tmp_path / "fixed.srt")
    again = subtrans.load(out)
    assert [(c.start, c.end) for c in again.cues] == [(c.start, c.end) for c in fixed.cues]
    assert not {n.rule for n in again.notes} & {"timestamp-format", "stray-bom"}
    # only what SRT cannot write otherwise stays: hours above 99
    assert [n.message for n in again.notes if n.rule == "timing-misread"] == [
        "timing line that players read otherwise: hours of more than two digits"]
    assert "100:00:00,000 --> 100:00:01,000" in out.read_text(encoding="utf-8")


def test_webvtt_cue_settings_the_algorithm_ignores_are_a_finding_and_kept():
    track = loads("WEBVTT\n\n00:00:01.000 --> 00:00:03.000 position:abc% line:-1 align:middlex size:50% foo:bar\n"
                  "Привет\n\n00:00:04.000 --> 00:00:05.000 line:0 position:10%,line-left align:end vertical:rl\nOK\n",
                  format="vtt")
    assert [(n.rule, n.line, n.message) for n in track.notes] == [
        ("vtt-cue-settings", 3, "cue settings the WebVTT algorithm ignores: 'position:abc%', 'align:middlex', 'foo:bar'")]
    assert track.cues[0].settings == "position:abc% line:-1 align:middlex size:50% foo:bar"      # written back as read


def test_a_file_only_loaded_and_saved_keeps_its_timing_and_number_lines(tmp_path):
    """Issue 21, part 2: quirks of numbers and timing lines are written back as read until something
    changes them; --fix (and translation) write them canonically."""
    import subtrans

    text = ("1\n0:00:01,5 - > 0:00:03\nОдин.\n\n"
            "00:00:04,000 --> 00:00:05,000\nБез номера.\n\n"
            " 3 \n00:00:06.000  -->  00:00:07.000 X1:100 X2:600 Y1:20 Y2:50\nТри.\n")
    src = tmp_path / "q.srt"
    src.write_text(text, encoding="utf-8")
    track = subtrans.load(src)
    assert track.save(tmp_path / "same.srt").read_text(encoding="utf-8") == text           # byte for byte
    track.cues[2].start += 1                                      # a changed cue is written canonically
    changed = track.save(tmp_path / "changed.srt").read_text(encoding="utf-8")
    assert "0:00:01,5 - > 0:00:03" in changed and "00:00:06,001 --> 00:00:07,000 X1:100 X2:600 Y1:20 Y2:50" in changed
    fixed, _ = subtrans.fix(subtrans.load(src), "netflix-ru")
    assert fixed.save(tmp_path / "fixed.srt").read_text(encoding="utf-8").splitlines()[1] == \
        "00:00:01,500 --> 00:00:03,000"


def test_blank_lines_between_cues_are_written_back_as_read_and_fixed_to_one(tmp_path):
    import subtrans

    text = "\n1\n00:00:01,000 --> 00:00:02,000\nОдин.\n\n\n\n2\n00:00:03,000 --> 00:00:04,000\nДва.\n" \
           "3\n00:00:05,000 --> 00:00:06,000\nТри.\n\n\n"
    src = tmp_path / "gaps.srt"
    src.write_text(text, encoding="utf-8")
    assert subtrans.load(src).save(tmp_path / "same.srt").read_text(encoding="utf-8") == text
    fixed, _ = subtrans.fix(subtrans.load(src), "netflix-ru")
    assert fixed.save(tmp_path / "fixed.srt").read_text(encoding="utf-8") == (
        "1\n00:00:01,000 --> 00:00:02,000\nОдин.\n\n2\n00:00:03,000 --> 00:00:04,000\nДва.\n\n"
        "3\n00:00:05,000 --> 00:00:06,000\nТри.\n")
