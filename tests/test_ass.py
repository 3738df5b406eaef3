"""ASS/SSA (issue 19, part 1 and the first of 2): read with pysubs2, checked, translated, written back line by
line. tests/cases/scene.ru.ass was written by hand."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

import subtrans
from fake_backend import PseudoBackend
from subtrans.pipeline.translator import Translator

pysubs2 = pytest.importorskip("pysubs2")
SCENE = Path(__file__).parent / "cases" / "scene.ru.ass"


def test_every_dialogue_event_is_a_cue_at_its_line_and_comments_are_kept():
    track = subtrans.load(SCENE)
    assert track.format == "ass"
    assert [(c.line, c.start, c.end, c.text) for c in track.cues] == [
        (16, 1000, 3500, "{\\an8}Поезд уходит в полночь."),
        (17, 4000, 6000, "Вы знаете Харбин?\nЯ там родилась."),
        (18, 4000, 8000, "{\\pos(960,100)}ХАРБИН"),
        (19, 6500, 7000, "{\\i1}Тише.{\\i0}"),
    ]
    assert track.save(Path(pytest.importorskip("tempfile").mkdtemp()) / "same.ass").read_bytes() == SCENE.read_bytes()


def test_check_reports_at_the_event_line():
    from subtrans.qa import Settings, check

    found = {(f.rule, f.line) for f in check(subtrans.load(SCENE), settings=Settings(ignore_styles=()))}
    assert ("overlap", 18) in found and ("min-duration", 19) in found


def test_a_translation_changes_only_the_text_of_each_event(tmp_path):
    with Translator(backend=PseudoBackend(), cache=False) as tr:
        result = tr.translate(subtrans.load(SCENE), to="zh")
    out = result.track.save(tmp_path / "scene.zh.ass").read_text(encoding="utf-8").split("\n")
    before = SCENE.read_text(encoding="utf-8").split("\n")
    assert len(out) == len(before)
    for old, new in zip(before, out):
        if old.startswith("Dialogue:") and ",Sign," not in old:
            # Layer, Start, End, Style, Name, margins and Effect as they were; only Text is new
            assert new.split(",", 9)[:9] == old.split(",", 9)[:9] and new != old
        else:
            assert new == old                  # styles, info, the comment and the sign (not dialogue) untouched
    texts = [c.text for c in result.track.cues]
    assert texts[0].startswith("{\\an8}") and texts[2] == "{\\pos(960,100)}ХАРБИН"
    assert texts[3].startswith("{\\i1}") and texts[3].endswith("{\\i0}")   # inline italics kept as a pair
    assert result.warnings == ["1 sign or song event (ASS styles Sign) kept untranslated"]


def test_a_track_from_another_format_is_written_as_ass(tmp_path):
    track = subtrans.loads("1\n00:00:01,000 --> 00:00:02,500\nПривет\nмир\n\n")
    out = track.save(tmp_path / "x.ass", format="ass")
    again = subtrans.load(out)
    assert [(c.start, c.end, c.text) for c in again.cues] == [(1000, 2500, "Привет\nмир")]


CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _corpus_ass():
    if not CORPUS.is_dir():
        return []
    import csv

    with open(CORPUS / "MANIFEST.tsv", encoding="utf-8") as f:
        return sorted(r["path"] for r in csv.DictReader(f, delimiter="\t") if r["format"] in ("ass", "ssa"))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
@pytest.mark.parametrize("path", _corpus_ass())
def test_every_corpus_ass_file_reads_as_pysubs2_reads_it_and_round_trips(path, tmp_path):
    from subtrans.textio import decode

    data = (CORPUS / path).read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            events = [e for e in pysubs2.SSAFile.from_string(decode(data).text).events if e.type == "Dialogue"]
        except Exception:
            events = None
    try:
        track = subtrans.load(CORPUS / path, format="ass")
    except subtrans.SubtransError as exc:
        assert not events, f"pysubs2 reads {len(events)} events, subtrans refuses: {exc}"
        assert "\n" not in str(exc)
        return
    assert len(track.cues) >= len(events or [])
    out = track.save(tmp_path / ("copy" + (Path(path).suffix or ".ass")))
    assert out.read_bytes() == data


def test_signs_and_songs_are_not_measured_as_dialogue():
    from subtrans.qa import Settings, check

    track = subtrans.load(SCENE)
    rules = {(f.rule, f.line) for f in check(track)}
    assert ("overlap", 18) not in rules and ("min-duration", 19) in rules          # the Sign style is skipped
    everything = {(f.rule, f.line) for f in check(track, settings=Settings(ignore_styles=()))}
    assert ("overlap", 18) in everything


torch = pytest.importorskip("torch")
from tiny_models import tiny_t5  # noqa: E402,F401  (fixture)

BACKENDS = ["hf", pytest.param("ct2", marks=pytest.mark.skipif(
    __import__("importlib").util.find_spec("ctranslate2") is None, reason="CTranslate2 is not installed"))]


@pytest.mark.parametrize("backend", BACKENDS)
def test_translate_ass_to_ass_keeps_styles_positions_and_signs(backend, tiny_t5, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from subtrans.cli import main

    monkeypatch.setenv("SUBTRANS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "scene.zh.ass"
    result = CliRunner().invoke(main, ["translate", str(SCENE), "--to", "zh", "--model", str(tiny_t5), "--backend",
                                       backend, "-o", str(out), "--beams", "1", "--max-length", "16"])
    assert result.exit_code == 0, result.output
    assert "1 sign or song event (ASS styles Sign) kept untranslated" in result.output
    before, after = SCENE.read_text(encoding="utf-8").split("\n"), out.read_text(encoding="utf-8").split("\n")
    assert [ln for ln in after if not ln.startswith("Dialogue:")] == [ln for ln in before if not ln.startswith("Dialogue:")]
    dialogue = [ln for ln in after if ln.startswith("Dialogue:")]
    assert dialogue[2] == before[17]                                     # the sign, untouched
    assert dialogue[0].split(",", 9)[9].startswith("{\\an8}") and dialogue[3].split(",", 9)[9].startswith("{\\i1}")


def test_quirks_of_an_ass_file_are_findings_at_their_lines(tmp_path):
    f = tmp_path / "q.ass"
    f.write_text("[Script Info]\nScriptType: v4.00+\n\n[V4+ Styles]\nFormat: Name, Fontname, Fontsize\n"
                 "Style: Default,Arial,52\n\n[Events]\n"
                 "Dialogue: 0,0:00:01.00,0:00:03.00,Nowhere,,0,0,0,,Куда ты?\n"
                 "Dialogue: 0,0:00:04.00,0:00:09.00,Default,,0,0,0,,{\\p1}m 0 0 l 100 0 100 100 0 100{\\p0}\n",
                 encoding="utf-8")
    track = subtrans.load(f)
    notes = [(n.rule, n.line) for n in track.notes]
    assert ("ass-events", 9) in notes                       # no Format: line in [Events]
    assert any("style 'Nowhere' is not defined" in n.message and n.line == 9 for n in track.notes)
    with Translator(backend=PseudoBackend(), cache=False) as tr:   # the drawing is no dialogue
        out = tr.translate(track, to="zh").track
    assert out.cues[1].text == track.cues[1].text and out.cues[0].text != track.cues[0].text


def test_bilingual_ass_is_the_classic_two_style_layout(tmp_path):
    from subtrans.pipeline.assembly import BilingualLayout

    with Translator(backend=PseudoBackend(), cache=False) as tr:
        result = tr.translate(subtrans.load(SCENE), to="zh", bilingual=True)
    lines = result.track.save(tmp_path / "bi.ass").read_text(encoding="utf-8").split("\n")
    assert "Style: Secondary,Arial,36,&H00FFFFFF,&H000000FF,&H00000000,&H64000000,0,0,0,0,100,100,0,0,1,2,1,2,60,60,40,1" \
        in lines                                                   # a copy of the first style at 70 % (52 -> 36)
    events = [ln.split(",", 9)[9] for ln in lines if ln.startswith("Dialogue:")]
    assert events[0].startswith("{\\an8}") and events[0].endswith("\\N{\\rSecondary}Поезд уходит в полночь.")
    assert events[1].endswith("\\N{\\rSecondary}Вы знаете Харбин?\\NЯ там родилась.")
    assert events[2] == "{\\pos(960,100)}ХАРБИН"                 # the sign: untranslated, not doubled
    assert subtrans.load(SCENE).source_lines == SCENE.read_text(encoding="utf-8").split("\n")   # source untouched
    with Translator(backend=PseudoBackend(), cache=False) as tr:
        top = tr.translate(subtrans.load(SCENE), to="zh", bilingual=BilingualLayout("RU", 0.5, source_on_top=True))
    texts = [c.text for c in top.track.cues]
    assert texts[0].startswith("{\\an8}{\\rRU}Поезд уходит в полночь.{\\r}\n")
    assert texts[3].startswith("{\\rRU}Тише.{\\r}\n{\\i1}")      # the translation keeps its italics


def test_a_two_event_bilingual_ass_file_translates_only_its_source_language():
    """Issue 25: the Chinese line in one style, the English in another, at the same times."""
    from subtrans.qa import check

    track = subtrans.load(Path(__file__).parent / "cases" / "bilingual.zh-en.ass")
    with Translator(backend=PseudoBackend(), cache=False) as tr:
        result = tr.translate(track, to="ru")
    texts = [(c.settings, c.text) for c in result.track.cues]
    assert [t for s, t in texts if s == "EN"] == ["The train leaves at midnight.", "Do you know Harbin?",
                                                  "I was born there."]               # never sent to the model
    assert all(re.search("[а-яё]", t.lower()) for s, t in texts if s == "Default")
    assert result.warnings == ["bilingual ASS: 3 events in another language (styles EN) kept as they are, "
                               "never translated"]
    # the English events are no overlap of the Chinese ones, and not measured by the Chinese profile
    assert not [f for f in check(track) if f.rule in ("overlap", "reading-speed")]


def test_the_project_configuration_names_the_sign_styles(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from subtrans.cli import main

    (tmp_path / "subtrans.toml").write_text('ignore-styles = ["Nothing"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", str(SCENE), "-f", "json"])
    assert '"overlap"' in result.output                  # the Sign style is dialogue now: its overlap is reported


def test_a_two_event_bilingual_ass_file_is_checked_line_by_language(tmp_path):
    """Issue 25, part 4: events paired by time; each line against its own language's profile; a Chinese
    event without its English one, and numbers that differ between the two, are findings."""
    from subtrans.qa import check

    f = tmp_path / "bi.ass"
    f.write_text("[Script Info]\nScriptType: v4.00+\n\n[V4+ Styles]\nFormat: Name, Fontname, Fontsize\n"
                 "Style: Default,SimHei,52\nStyle: EN,Arial,36\n\n[Events]\n"
                 "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
                 "Dialogue: 0,0:00:01.00,0:00:03.00,Default,,0,0,0,,火车半夜开\n"
                 "Dialogue: 0,0:00:01.00,0:00:03.00,EN,,0,0,0,,The train leaves at midnight, and it will not wait "
                 "for anybody.\n"
                 "Dialogue: 0,0:00:04.00,0:00:06.00,Default,,0,0,0,,你认识哈尔滨吗？\n"
                 "Dialogue: 0,0:00:06.50,0:00:08.00,Default,,0,0,0,,我1927年在那里出生\n"
                 "Dialogue: 0,0:00:06.50,0:00:08.00,EN,,0,0,0,,I was born there in 1928.\n", encoding="utf-8")
    found = [(x.rule, x.cue, x.line, x.message) for x in check(subtrans.load(f))]
    assert ("line-length", 1, 11, "English line: line 1 has 63 characters, more than 42") in found   # netflix-en
    assert ("bilingual-line", 3, 13, "bilingual cue without its English line") in found
    assert ("bilingual-numbers", 4, 14, "numbers differ between the lines: 1927 / 1928") in found
    assert not [x for x in found if x[0] in ("overlap", "reading-speed") or "more than 16" in x[3]]


def test_the_report_says_a_two_event_ass_file_is_bilingual():
    from click.testing import CliRunner

    from subtrans.cli import main

    result = CliRunner().invoke(main, ["check", str(Path(__file__).parent / "cases" / "bilingual.zh-en.ass")])
    assert "bilingual zh+en" in result.output


def test_a_folder_given_to_translate_or_batch_holds_its_ass_files(tmp_path):
    import shutil

    from subtrans.batch.plan import collect_inputs
    from subtrans.pipeline.files import expand_inputs

    (tmp_path / "s1").mkdir()
    shutil.copy(SCENE, tmp_path / "s1" / "e01.ru.ass")
    (tmp_path / "s1" / "e02.ru.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nДа.\n", encoding="utf-8")
    assert [p.name for p in expand_inputs([tmp_path], "zh")] == ["e01.ru.ass", "e02.ru.srt"]
    assert [str(p) for p in collect_inputs(tmp_path, "zh")[1]] == ["s1/e01.ru.ass", "s1/e02.ru.srt"]
