"""Every SRT and WebVTT file of ``../shared/corpus``: subtrans reads at least as many cues as the peers
that other tools are built on (SRT: pysubs2 and srt; WebVTT: pysubs2 and webvtt-py), except where the peer
is wrong, listed here with the reason. Skips when the corpus or a peer is absent."""

from __future__ import annotations

import logging
import warnings

import pytest

from subtrans.errors import SubtransError
from subtrans.textio import decode
from test_corpus import CORPUS, MANIFEST, SUBTITLES, read

pysubs2 = pytest.importorskip("pysubs2")
srt = pytest.importorskip("srt")
webvtt = pytest.importorskip("webvtt")

#: Files where a peer reads more cues than subtrans, and why the peer is wrong.
PEERS_WRONG = {
    "webvtt-py/tests__subtitles__invalid_format4.srt":
        "srt and pysubs2 read 'some text' followed by a timing line with no text as a cue; webvtt-py's own test"
        " asserts the file is malformed, and so does subtrans (no cue number, nothing after the timing)",
    # WebVTT is read by the W3C parsing algorithm; pysubs2 and webvtt-py read past what it drops
    "androidx-media/libraries__test_data__src__test__assets__media__webvtt__typical_with_bad_timestamps":
        "'00:00' and '02.345' are no WebVTT timestamps: the algorithm drops both cues",
    "go-astisub/testdata__example-in.vtt":
        "go-astisub's dialect: 'Region:' blocks and 2-digit fractions, which the algorithm drops",
    "go-astisub/testdata__example-in-non-utf8.vtt": "the UTF-16 copy of example-in.vtt",
    "subtitle-toolbox/tests__files__vtt__exceeded_milli_accuracy.vtt":
        "a 4-digit fraction: the algorithm drops the cue (subtitle-toolbox's own test expects an error)",
    "subtitle-toolbox/tests__files__vtt__exceeded_minutes.vtt":
        "minutes above 59: the algorithm drops the cue (subtitle-toolbox's own test expects an error)",
    "subtitle-toolbox/tests__files__vtt__exceeded_seconds.vtt":
        "seconds above 59: the algorithm drops the cue (subtitle-toolbox's own test expects an error)",
    "subtitle-toolbox/tests__files__vtt__missing_text.vtt":
        "pysubs2 reads a timing line with no text as a cue; webvtt-py and the algorithm agree with us",
    "subtitle-toolbox/tests__files__vtt__missing_timestamps.vtt":
        "pysubs2 reads a block without timing as a cue; webvtt-py and the algorithm agree with us",
    "subtitle-toolbox/tests__files__vtt__missing_webvtt_header.vtt":
        "no 'WEBVTT' signature: not a WebVTT file (webvtt-py refuses it too)",
    "webvtt-py/tests__subtitles__invalid.vtt": "no 'WEBVTT' signature (webvtt-py's own test expects an error)",
}
# The W3C / vtt.js parser test suites: each file's expected cues are asserted in test_corpus.py (WPT,
# webvtt.js, vtt.js rows); a peer that reads more there reads against the spec.
SPEC_SUITES = ("vtt.js/", "webvtt.js/")


def _peers(path: str, fmt: str, text: str) -> dict[str, int]:
    counts = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.disable(logging.CRITICAL)
        try:
            try:
                counts["pysubs2"] = len(pysubs2.SSAFile.from_string(text, format_=fmt))
            except Exception:
                counts["pysubs2"] = 0
            if fmt == "srt":
                try:
                    counts["srt"] = len(list(srt.parse(text, ignore_errors=True)))
                except Exception:
                    counts["srt"] = 0
            else:
                try:
                    counts["webvtt-py"] = len(webvtt.from_string(text).captions)
                except Exception:
                    counts["webvtt-py"] = 0
        finally:
            logging.disable(logging.NOTSET)
    return counts


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
@pytest.mark.parametrize("path", [p for p in SUBTITLES] if CORPUS.is_dir() else [])
def test_we_read_at_least_what_the_peers_read(path):
    fmt = MANIFEST[path]["format"]
    text = decode((CORPUS / path).read_bytes()).text
    peers = _peers(path, fmt, text)
    ours = None
    for lenient in (False, True):
        try:
            ours = len(read(path, lenient=lenient).cues)
            break
        except SubtransError:
            continue
    best = max(peers.values())
    if path.startswith(SPEC_SUITES) and (ours or 0) < best:
        pytest.skip("a spec test file: its expected cues are asserted in test_corpus.py")
    if path in PEERS_WRONG:
        assert (ours or 0) < best, f"{path} is read as the peers read it now: drop it from PEERS_WRONG"
        return
    assert (ours or 0) >= best, f"{path}: subtrans {ours}, peers {peers}"
