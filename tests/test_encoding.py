"""Encodings, BOMs and line endings, on files made by encoding Python strings."""

from __future__ import annotations

import codecs

import pytest

from subtrans.errors import EncodingError, ParseError
from subtrans.formats import load, save
from subtrans.textio import decode, encode, normalize_encoding

RU = (
    "1\n00:00:01,000 --> 00:00:03,000\nПривет! Как дела?\nЭто проверка кодировки.\n\n"
    "2\n00:00:04,000 --> 00:00:06,000\nСъешь же ещё этих мягких французских булок, да выпей чаю.\n"
)
ZH_HANS = (
    "1\n00:00:01,000 --> 00:00:03,000\n你好，世界！我们今天去哪里？\n\n"
    "2\n00:00:04,000 --> 00:00:06,000\n这是一个字幕编码测试，请不要惊慌。\n"
)
ZH_HANT = (
    "1\n00:00:01,000 --> 00:00:03,000\n你好，世界！我們今天去哪裡？\n\n"
    "2\n00:00:04,000 --> 00:00:06,000\n這是一個字幕編碼測試，請不要驚慌。\n"
)
MIXED_VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nПривет, 世界!\n"

# (label, text, codec used to make the bytes, BOM bytes, expected track.encoding, bom)
CASES = [
    ("utf-8", RU, "utf-8", b"", "utf-8", False),
    ("utf-8 BOM", ZH_HANS, "utf-8", codecs.BOM_UTF8, "utf-8", True),
    ("utf-16-le BOM", RU, "utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le", True),
    ("utf-16-be BOM", ZH_HANS, "utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be", True),
    ("utf-32-le BOM", RU, "utf-32-le", codecs.BOM_UTF32_LE, "utf-32-le", True),
    ("utf-32-be BOM", ZH_HANT, "utf-32-be", codecs.BOM_UTF32_BE, "utf-32-be", True),
    ("cp1251", RU, "cp1251", b"", "cp1251", False),
    ("koi8-r", RU, "koi8_r", b"", "koi8-r", False),
    ("gb18030", ZH_HANS, "gb18030", b"", "gb18030", False),
    ("gb2312 read as gb18030", ZH_HANS, "gb2312", b"", "gb18030", False),
    ("big5", ZH_HANT, "big5", b"", "big5", False),
    ("utf-8 vtt", MIXED_VTT, "utf-8", b"", "utf-8", False),
]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["LF", "CRLF"])
@pytest.mark.parametrize("label, text, codec, bom, encoding, has_bom", CASES, ids=[c[0] for c in CASES])
def test_detects_and_round_trips(tmp_path, label, text, codec, bom, encoding, has_bom, newline):
    data = bom + text.replace("\n", newline).encode(codec)
    suffix = ".vtt" if text.startswith("WEBVTT") else ".srt"
    src = tmp_path / ("in" + suffix)
    src.write_bytes(data)
    track = load(src)
    assert (track.encoding, track.bom, track.newline) == (encoding, has_bom, newline)
    assert track.notes == []
    assert "\r" not in "".join(c.text for c in track.cues)
    assert track.cues[-1].text == text.rstrip("\n").rsplit("\n", 1)[-1]
    out = save(track, tmp_path / ("out" + suffix))
    assert out.read_bytes() == data  # same encoding, BOM and line ends
    again = load(out)
    assert again == track


def test_explicit_encoding_overrides_detection(tmp_path):
    p = tmp_path / "ru.srt"
    p.write_bytes(RU.encode("koi8_r"))
    track = load(p, encoding="KOI8-R")
    assert track.encoding == "koi8-r"
    assert "Привет" in track.cues[0].text
    # The same bytes forced through cp1251 decode to other letters, without error.
    assert "Привет" not in load(p, encoding="cp1251").cues[0].text


def test_explicit_utf16_strips_its_bom(tmp_path):
    p = tmp_path / "ru.srt"
    p.write_bytes(codecs.BOM_UTF16_LE + RU.encode("utf-16-le"))
    track = load(p, encoding="utf-16-le")
    assert track.bom and track.cues[0].id == "1"


def test_explicit_encoding_that_does_not_fit(tmp_path):
    p = tmp_path / "zh.srt"
    p.write_bytes(ZH_HANS.encode("gb18030"))
    with pytest.raises(EncodingError) as info:
        load(p, encoding="utf-8")
    assert info.value.line == 3
    assert "\n" not in str(info.value)


def test_unknown_encoding_name(tmp_path):
    p = tmp_path / "ru.srt"
    p.write_bytes(RU.encode("utf-8"))
    with pytest.raises(EncodingError) as info:
        load(p, encoding="no-such-codec")
    assert info.value.hint


def test_undecodable_file_gives_a_hint(tmp_path):
    # Bytes that are neither UTF-8 nor any legacy code page subtitles use:
    # C1 control bytes invalid in cp1251/cp1252 plus broken multibyte sequences.
    p = tmp_path / "junk.srt"
    p.write_bytes(b"1\n00:00:01,000 --> 00:00:02,000\n" + bytes([0x81, 0x98, 0xFF, 0xFE, 0x80, 0x8D, 0x90]) * 4 + b"\n")
    with pytest.raises(ParseError) as info:
        load(p)
    assert isinstance(info.value, EncodingError)
    assert info.value.hint and "--encoding" in info.value.hint
    assert info.value.line == 3


def test_bom_that_lies_is_refused(tmp_path):
    p = tmp_path / "liar.srt"
    p.write_bytes(codecs.BOM_UTF8 + RU.encode("cp1251"))
    with pytest.raises(EncodingError) as info:
        load(p)
    assert info.value.hint and "--encoding" in info.value.hint


def test_utf16_without_bom_is_refused_as_binary(tmp_path):
    p = tmp_path / "nobom.srt"
    p.write_bytes(RU.encode("utf-16-le"))
    with pytest.raises(ParseError) as info:
        load(p)
    assert info.value.hint and "--encoding" in info.value.hint
    assert load(p, encoding="utf-16-le").cues[0].text.startswith("Привет")


def test_mixed_line_endings_are_noted(tmp_path):
    p = tmp_path / "mixed.srt"
    p.write_bytes(b"1\r\n00:00:01,000 --> 00:00:02,000\r\nA\r\n\r\n2\n00:00:03,000 --> 00:00:04,000\nB\n")
    track = load(p)
    assert track.newline == "\r\n"
    assert [(n.rule, n.line) for n in track.notes] == [("mixed-line-endings", 1)]


def test_cr_only_line_endings(tmp_path):
    p = tmp_path / "cr.vtt"
    p.write_bytes(MIXED_VTT.replace("\n", "\r").encode("utf-8"))
    track = load(p)
    assert track.newline == "\r"
    assert track.cues[0].text == "Привет, 世界!"
    assert save(track, tmp_path / "out.vtt").read_bytes() == p.read_bytes()


def test_save_in_another_encoding(tmp_path):
    p = tmp_path / "ru.srt"
    p.write_bytes(codecs.BOM_UTF8 + RU.encode("utf-8"))
    track = load(p)
    out = save(track, tmp_path / "ru-1251.srt", encoding="windows-1251")
    assert out.read_bytes() == RU.encode("cp1251")  # no BOM for a legacy code page
    assert load(out).encoding == "cp1251"


def test_save_refuses_characters_the_encoding_lacks(tmp_path):
    p = tmp_path / "zh.srt"
    p.write_bytes(ZH_HANS.encode("utf-8"))
    with pytest.raises(EncodingError) as info:
        save(load(p), tmp_path / "zh-1251.srt", encoding="cp1251")
    assert info.value.line == 3
    assert not (tmp_path / "zh-1251.srt").exists()


def test_normalize_encoding_names():
    assert normalize_encoding("UTF8") == "utf-8"
    assert normalize_encoding("utf-8-sig") == "utf-8"
    assert normalize_encoding("windows-1251") == "cp1251"
    assert normalize_encoding("KOI8_R") == "koi8-r"
    assert normalize_encoding("GB18030") == "gb18030"


def test_decode_encode_are_inverse():
    data = codecs.BOM_UTF16_BE + RU.replace("\n", "\r\n").encode("utf-16-be")
    d = decode(data)
    assert (d.encoding, d.bom, d.newline, d.final_newline, d.mixed_newlines) == ("utf-16-be", True, "\r\n", True, False)
    assert encode(d.text, encoding=d.encoding, bom=d.bom, newline=d.newline) == data
