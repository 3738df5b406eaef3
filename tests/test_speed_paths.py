"""The fast paths of issue 5 (start-up and QA throughput) change nothing but speed.

Each shortcut is checked against the plain computation it replaces, on
generated input. How fast they are is measured by ``bench/startup.py`` and
``bench/qa.py``, never here.
"""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import subtrans
from subtrans.model import Cue, Track
from subtrans.profiles import load_profile
from subtrans.qa import Context, RULES
from subtrans.text import TAG_RE, LazyRegex, detect_language, strip_tags

EXAMPLES = Path(__file__).parent.parent / "examples"
# Never imported by `subtrans check` of a UTF-8 SRT file.
HEAVY = ("torch", "transformers", "ctranslate2", "ray", "jieba", "opencc", "pymorphy3", "sentencepiece",
         "huggingface_hub", "charset_normalizer", "pysrt")
# ... nor any of the translation code.
TRANSLATION = ("subtrans.pipeline", "subtrans.translating", "subtrans.mt")

# Text with what the shortcuts look at: tags, entities, spaces, tabs, line breaks,
# dialogue dashes, dots, Cyrillic, Latin, Han (Simplified and Traditional).
_PIECES = st.sampled_from([
    "<i>", "</i>", "<b>", "</b>", "<font color=\"red\">", "</font>", "{\\an8}", "<", ">", "{", "}", "<<i>i>",
    "&amp;", "&lt;", "&nbsp;", "&", " ", "  ", "\t", "\n", "\n\n", "-", "– ", "—", "...", "…", ".",
    "Поезд", "уходит", "в полночь", "Train", "42", "火车", "們", "们", "？", "?", ",",
    "Документы у агента, поезд уходит в полночь",
])
TEXT = st.lists(_PIECES, max_size=14).map("".join)


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_check_imports_nothing_heavy():
    code = (
        "import sys\nfrom subtrans.cli import main\n"
        f"sys.argv = ['subtrans', 'check', {str(EXAMPLES / 'red-silk.ru.srt')!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code == 1, exc.code\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
        f"print(sorted(m for m in sys.modules if m.startswith({TRANSLATION!r})))\n"
    )
    assert _run(code).strip().splitlines()[-2:] == ["[]", "[]"]


def test_import_subtrans_loads_no_library_module_until_used():
    code = (
        "import sys, subtrans\n"
        "print(sorted(m for m in sys.modules if m.startswith('subtrans.') and m not in ('subtrans.errors', "
        "'subtrans._version')))\n"
        "subtrans.load\n"
        "print('subtrans.formats' in sys.modules, 'subtrans.qa' in sys.modules)\n"
    )
    first, second = _run(code).strip().splitlines()
    assert first == "[]"
    assert second == "True False"


def test_lazy_names_of_the_package():
    for name in subtrans.__all__:
        assert getattr(subtrans, name) is not None
        assert name in dir(subtrans)
    assert subtrans.check is subtrans.qa.check and subtrans.Cue is subtrans.model.Cue
    with pytest.raises(AttributeError):
        subtrans.no_such_name  # noqa: B018
    namespace: dict = {}
    exec("from subtrans import *", namespace)
    assert namespace["load"] is subtrans.formats.load


def test_lazy_regex_is_compiled_once_on_first_use():
    lazy = LazyRegex(r"[\u4e00-\u9fff]+")
    assert lazy._compiled is None
    assert lazy.findall("火车 train 西伯利亚") == ["火车", "西伯利亚"]
    compiled = lazy.compiled
    assert isinstance(compiled, re.Pattern) and lazy.compiled is compiled
    assert LazyRegex(rb"\xd0[\x80-\xbf]").search("Да".encode()) is not None


@given(TEXT, st.booleans())
def test_strip_tags_same_as_the_regex(text, entities):
    expected = TAG_RE.sub("", text)
    if entities:
        expected = (expected.replace("&amp;", "\0").replace("&lt;", "<").replace("&gt;", ">")
                    .replace("&nbsp;", "\u00a0").replace("&lrm;", "\u200e").replace("&rlm;", "\u200f"))
        expected = expected.replace("\0", "&")
    assert strip_tags(text, entities=entities) == expected


def _detect_language_per_text(texts):
    """detect_language as it was: the same counts, text by text."""
    han_re = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
    from subtrans.text import _SIMP_ONLY, _TRAD_ONLY

    cyr = han = trad = simp = 0
    for text in texts:
        cyr += len(re.findall(r"[\u0400-\u04ff]", text))
        for ch in han_re.findall(text):
            han += 1
            trad += ch in _TRAD_ONLY
            simp += ch not in _TRAD_ONLY and ch in _SIMP_ONLY
    if not cyr and not han:
        return None
    if cyr >= han:
        return "ru"
    return "zh-hant" if trad > simp else "zh-hans"


@given(st.lists(TEXT, max_size=6))
def test_detect_language_same_as_text_by_text(texts):
    assert detect_language(iter(texts)) == _detect_language_per_text(texts)


def _pairs_by_scanning(source, target):
    """parity.pairs as it was: every source cue tried against every target cue."""
    if len(source.cues) == len(target.cues):
        return [(i, [i]) for i in range(len(target.cues))]
    return [(i, [j for j, s in enumerate(source.cues) if min(s.end, t.end) > max(s.start, t.start)])
            for i, t in enumerate(target.cues)]


_TIMES = st.tuples(st.integers(-100, 2000), st.integers(-50, 600)).map(lambda t: Cue(t[0], t[0] + t[1], "x"))


@given(st.lists(_TIMES, max_size=12), st.lists(_TIMES, max_size=12))
def test_pairs_by_overlap_same_as_scanning(source, target):
    from subtrans.qa.rules.parity import pairs

    src, tgt = Track(cues=source), Track(cues=target)
    assert pairs(src, tgt) == _pairs_by_scanning(src, tgt)


def _context(profile: str) -> Context:
    prof = load_profile(profile)
    return Context(profile=prof, language=prof.language)


def _messages(rule: str, cues, profile: str) -> list[tuple]:
    track = Track(cues=cues)
    return [(f.cue, f.message, f.value) for f in RULES[rule]().check(track, _context(profile))]


def _line_length_by_measuring(cues, profile):
    """line-length as it was: every visible line measured."""
    from subtrans.text import line_length, visible_lines

    ctx = _context(profile)
    limit, hw, out = ctx.profile.get("max_chars_per_line"), ctx.half_width, []
    for i, cue in enumerate(cues):
        for n, line in enumerate(visible_lines(cue.text), 1):
            length = line_length(line, hw)
            if length > limit:
                shown = int(length) if length == int(length) else length
                out.append((i + 1, f"line {n} has {shown} characters, more than {limit}", shown))
    return out


CUES = st.lists(TEXT.map(lambda t: Cue(0, 2000, t)), max_size=5)


@pytest.mark.parametrize("profile", ["netflix-ru", "netflix-zh-hans", "default"])
@given(cues=CUES)
def test_line_length_shortcut_changes_nothing(profile, cues):
    assert _messages("line-length", cues, profile) == _line_length_by_measuring(cues, profile)


def _dialogue_dash_line_by_line(cues, dash="-", want_space=False):
    """dialogue-dash as it was: every cue split into lines."""
    from subtrans.qa.rules.text import _DASH_LINE

    out = []
    for i, cue in enumerate(cues):
        lines = [ln for ln in strip_tags(cue.text).split("\n") if ln.strip()]
        if len(lines) < 2:
            continue
        for n, line in enumerate(lines, 1):
            m = _DASH_LINE.match(line)
            if m and (m.group(1) != dash or bool(m.group(2)) != want_space):
                out.append((i + 1, n))
    return out


def _unclosed_tags_of_every_cue(cues):
    """unclosed-tag as it was: every cue's tags read, with or without a '<'."""
    from subtrans.qa.rules.text import _PAIRED, _TAG_NAME

    out = []
    for i, cue in enumerate(cues):
        stack = []
        for m in _TAG_NAME.finditer(cue.text):
            closing, name = m.group(1) == "/", m.group(2).lower()
            if name not in _PAIRED:
                continue
            if not closing:
                stack.append(name)
            elif name in stack:
                while stack and stack.pop() != name:
                    pass
            else:
                out.append((i + 1, f"</{name}>"))
        out += [(i + 1, f"<{name}>") for name in stack]
    return out


@given(cues=CUES)
def test_layout_and_text_rule_shortcuts_change_nothing(cues):
    from subtrans.qa.rules.text import _MULTI_SPACE
    from subtrans.text import visible_lines

    max_lines = []
    for i, cue in enumerate(cues):
        count = len([ln for ln in visible_lines(cue.text) if ln.strip()])
        if count > 2:
            max_lines.append((i + 1, f"{count} lines, more than 2", count))
    assert _messages("max-lines", cues, "netflix-ru") == max_lines

    dash = [(c, int(msg.split(":")[0].split()[1])) for c, msg, _ in _messages("dialogue-dash", cues, "netflix-ru")]
    assert dash == _dialogue_dash_line_by_line(cues)

    tags = [(c, value) for c, _, value in _messages("unclosed-tag", cues, "netflix-ru")]
    assert tags == _unclosed_tags_of_every_cue(cues)

    whitespace = [i + 1 for i, c in enumerate(cues) for ln in c.text.split("\n")
                  if ln != _MULTI_SPACE.sub(" ", ln).strip(" \t")]
    assert [c for c, _, _ in _messages("whitespace", cues, "netflix-ru")] == whitespace

    ellipsis = [i + 1 for i, c in enumerate(cues) if re.search(r"\.{3,}", c.text)]
    assert [c for c, _, _ in _messages("ellipsis", cues, "netflix-ru")] == ellipsis

    empty = [i + 1 for i, c in enumerate(cues) if not "".join(visible_lines(c.text)).strip()]
    assert [c for c, _, _ in _messages("empty-cue", cues, "netflix-ru")] == empty


def test_srt_blocks_keep_line_numbers_and_blank_counts():
    from subtrans.formats.srt import _blocks

    lines = ["", "1", "a", "", "  ", "", "2", "b", "\u3000", "3"]
    assert list(_blocks(lines)) == [(2, ["1", "a"], 1), (7, ["2", "b"], 3), (10, ["3"], 1)]


def test_cue_has_no_instance_dict_and_still_pickles():
    cue = Cue(1000, 2000, "Да", id="1", settings="X1:1", line=7)
    assert not hasattr(cue, "__dict__")
    back = pickle.loads(pickle.dumps(cue))
    assert back == cue and back.line == 7
    assert cue.replace(text="Нет") == Cue(1000, 2000, "Нет", id="1", settings="X1:1")


def test_builtin_profiles_read_through_importlib_resources_too(monkeypatch, tmp_path):
    import subtrans.profiles as profiles

    names = profiles._builtin_names()
    expected = load_profile("netflix-ru")
    monkeypatch.setattr(profiles, "_HERE", tmp_path / "not-a-folder")  # as from a zip: no folder
    assert profiles._builtin_names() == names
    assert load_profile("netflix-ru") == expected


def test_benchmark_file_reads_cleanly_and_has_each_planned_fault(tmp_path):
    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    try:
        import qa as bench_qa
    finally:
        sys.path.pop(0)
    track = subtrans.loads(bench_qa.make_srt(2_000))
    assert len(track) == 2_000 and track.notes == []
    found = {f.rule for f in subtrans.check(track, "netflix-ru")}
    assert {"line-length", "overlap", "min-gap", "whitespace", "ellipsis", "min-duration", "reading-speed",
            "unclosed-tag", "max-lines"} <= found
