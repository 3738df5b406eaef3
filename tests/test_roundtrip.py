"""Property tests: ``loads(compose(track)) == track`` for every format, also through bytes.

What the generated tracks may hold (what is structurally legal in each format):

- times: integer ms, 0 <= start <= end < 100 h (SRT hours have two digits);
- text: one to three lines of printable characters (Latin, Cyrillic, CJK,
  punctuation and spaces), no line break inside a line, no line made only of
  whitespace and no leading/trailing whitespace on a line (the readers treat
  whitespace-only lines as blank in SRT), no ``-->`` (it would start a new cue),
  no NUL (WebVTT turns it into U+FFFD); SRT text lines never look like a cue
  number or a timing line, because a blank-line-free SRT cue followed by them
  is split there (``missing-blank-line``);
- SRT ids: the cue's number written 1, 2, 3 ... (the reader notes, but keeps,
  other numbers); WebVTT ids: ``None`` or one line without ``-->`` and without
  surrounding whitespace;
- WebVTT settings: empty or a few ``name:value`` words.
"""

from __future__ import annotations

import codecs

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subtrans.formats import get_format, loads
from subtrans.model import Cue, Track
from subtrans.textio import decode, encode

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LATIN = st.characters(min_codepoint=0x21, max_codepoint=0x7E)
CYRILLIC = st.characters(min_codepoint=0x0410, max_codepoint=0x044F)
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x62FF)
PUNCT = st.sampled_from(list("，。！？«»—…ёЁ"))
CHAR = st.one_of(LATIN, CYRILLIC, CJK, PUNCT)


def _line(chars) -> st.SearchStrategy[str]:
    return (
        st.lists(st.text(chars, min_size=1, max_size=12), min_size=1, max_size=4)
        .map(" ".join)
        .filter(lambda s: "-->" not in s)
        .filter(lambda s: not s.strip().isdigit())
    )


def _text(chars) -> st.SearchStrategy[str]:
    return st.lists(_line(chars), min_size=1, max_size=3).map("\n".join)


@st.composite
def _times(draw, n: int) -> list[tuple[int, int]]:
    out = []
    for _ in range(n):
        start = draw(st.integers(0, 99 * 3_600_000))
        end = draw(st.integers(start, min(start + 3_600_000, 100 * 3_600_000 - 1)))
        out.append((start, end))
    return out


@st.composite
def srt_tracks(draw, chars=CHAR) -> Track:
    n = draw(st.integers(1, 6))
    times = draw(_times(n))
    cues = [Cue(s, e, draw(_text(chars)), id=str(i)) for i, (s, e) in enumerate(times, 1)]
    return Track(cues=cues, format="srt")


VTT_SETTINGS = st.lists(
    st.sampled_from(["align:start", "align:end", "line:0", "position:10%", "size:50%", "vertical:rl"]),
    max_size=3, unique=True,
).map(" ".join)


@st.composite
def vtt_tracks(draw, chars=CHAR) -> Track:
    n = draw(st.integers(1, 6))
    times = draw(_times(n))
    cues = [
        Cue(s, e, draw(_text(chars)), id=draw(st.one_of(st.none(), _line(chars))), settings=draw(VTT_SETTINGS))
        for s, e in times
    ]
    return Track(cues=cues, format="vtt")


def _roundtrip(track: Track) -> None:
    fmt = get_format(track.format)
    again = loads(fmt.compose(track), format=track.format)
    assert again == track
    assert [n.rule for n in again.notes] == []


@SETTINGS
@given(srt_tracks())
def test_srt_roundtrip(track):
    _roundtrip(track)


@SETTINGS
@given(vtt_tracks())
def test_vtt_roundtrip(track):
    _roundtrip(track)


def test_vtt_roundtrip_keeps_header_and_blocks():
    text = "WEBVTT - фильм\n\nSTYLE\n::cue { color: red }\n\nNOTE 注释\n\n00:01.000 --> 00:02.000\nПривет\n"
    track = loads(text)
    assert loads(track.text()) == track


# (encoding, BOM, characters that encoding can hold)
ENCODINGS = [
    ("utf-8", False, CHAR),
    ("utf-8", True, CHAR),
    ("utf-16-le", True, CHAR),
    ("cp1251", False, st.one_of(CYRILLIC, st.sampled_from(list(".,!?-:;\"'0123456789ёЁ")))),
    ("gb18030", False, CHAR),
]


def _through_bytes(track: Track, encoding: str, bom: bool, newline: str) -> None:
    text = get_format(track.format).compose(track)
    data = encode(text, encoding=encoding, bom=bom, newline=newline)
    if bom:
        assert data.startswith(codecs.lookup(encoding).encode("\ufeff")[0])
    # UTF encodings are recognised from the bytes (BOM, strict UTF-8); a legacy
    # code page is named, as guessing one from a few random words is not what
    # this property is about (detection is tested on real text in test_encoding).
    legacy = not encoding.startswith("utf")
    decoded = decode(data, encoding=encoding if legacy else None)
    assert (decoded.encoding, decoded.bom, decoded.newline) == (encoding, bom, newline)
    assert loads(decoded.text, format=track.format) == track


@SETTINGS
@given(st.data(), st.sampled_from(range(len(ENCODINGS))), st.sampled_from(["\n", "\r\n"]),
       st.sampled_from(["srt", "vtt"]))
def test_roundtrip_through_bytes(data, which, newline, fmt):
    encoding, bom, chars = ENCODINGS[which]
    track = data.draw(srt_tracks(chars) if fmt == "srt" else vtt_tracks(chars))
    _through_bytes(track, encoding, bom, newline)
