"""The translation pipeline on a deterministic stand-in model (no torch needed).

Random or pseudo words make the meaning meaningless, not the invariants:
cues and timings kept, formatting and dialogue dashes kept, no cue left
empty, line limits kept when the text fits, reruns served from the cache,
interrupted jobs resumed.
"""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import subtrans
from subtrans.errors import ConfigError, ModelError, WriteError
from subtrans.model import Cue, Track
from subtrans.profiles import load_profile
from subtrans.text import line_length, strip_tags
from subtrans.translating import Translator, default_output, plan_outputs

from fake_backend import Interrupted, PseudoBackend

EXAMPLES = Path(__file__).parent.parent / "examples"


def run(track, to="zh", *, backend=None, cache=False, **kw):
    backend = backend or PseudoBackend()
    with Translator(backend=backend, cache=cache, batch_size=kw.pop("batch_size", 4)) as tr:
        return tr.translate(track, to=to, **kw), backend


def test_russian_example_keeps_cues_timings_ids():
    src = subtrans.load(EXAMPLES / "red-silk.ru.srt")
    result, _ = run(src)
    out = result.track
    assert [(c.start, c.end, c.id, c.settings) for c in out.cues] == [
        (c.start, c.end, c.id, c.settings) for c in src.cues]
    assert all(strip_tags(c.text).strip() for c in out.cues)
    assert result.source == "ru" and result.target == "zh"
    assert "model:pseudo@1|backend:pseudo|ru-zh" in result.signature


def test_dialogue_italics_and_layout_survive():
    src = subtrans.load(EXAMPLES / "red-silk.ru.srt")
    out = run(src)[0].track
    by_source = dict(zip((c.text for c in src.cues), (c.text for c in out.cues)))
    dialogue = by_source["-Почему я?\n-Тебя никто не знает."]
    assert dialogue.count("\n") == 1 and all(ln.startswith("-") for ln in dialogue.split("\n"))
    italic = by_source["<i>Поезд на Харбин отправляется\nчерез пять минут!"]
    assert italic.startswith("<i>") and italic.endswith("</i>")
    prof = load_profile("netflix-zh-hans")
    for c in out.cues:
        lines = c.text.split("\n")
        assert len(lines) <= 2
        if line_length(strip_tags(c.text).replace("\n", ""), 0.5) <= 16:
            assert all(line_length(strip_tags(ln), 0.5) <= prof.get("max_chars_per_line") for ln in lines)


def test_zh_to_ru_and_punctuation():
    src = subtrans.load(EXAMPLES / "red-silk.zh.srt")
    result, _ = run(src, to="ru")
    assert result.source == "zh" and len(result.track) == len(src)
    for c in result.track.cues:
        assert "..." not in c.text and "。" not in c.text


def test_traditional_output_is_converted():
    from subtrans.lang.chinese import to_simplified, to_traditional

    src = subtrans.load(EXAMPLES / "red-silk.ru.srt")
    out = run(src, to="zh-Hant")[0].track
    # what OpenCC makes of the simplified text (OpenCC is not idempotent on Traditional text: it turns
    # the place 滿洲里 into 滿洲裡 when it meets it already converted)
    assert all(to_traditional(to_simplified(c.text)) == c.text for c in out.cues)
    assert any(to_simplified(c.text) != c.text for c in out.cues)


def test_repeated_lines_are_translated_once():
    src = Track([Cue(i * 2000, i * 2000 + 1500, "Стой! Стрелять буду!") for i in range(5)])
    result, backend = run(src)
    assert backend.sentences == 1 and result.unique == 1


def test_batches_are_sorted_by_length():
    src = Track([Cue(i * 3000, i * 3000 + 2500, "слово " * (10 - i) + ".") for i in range(8)])
    _, backend = run(src, batch_size=3)
    sent = [t for batch in backend.calls for t in batch]
    assert [len(t) for t in sent] == sorted(len(t) for t in sent)


def test_rerun_is_served_from_the_cache(tmp_path):
    src = subtrans.load(EXAMPLES / "red-silk.ru.srt")
    first, b1 = run(src, cache=tmp_path / "tm.sqlite3")
    second, b2 = run(src, cache=tmp_path / "tm.sqlite3")
    assert b1.sentences > 0 and b2.sentences == 0
    assert second.cached == first.unique
    assert second.track == first.track


def test_interrupted_job_resumes_without_translating_twice(tmp_path):
    src = subtrans.load(EXAMPLES / "red-silk.ru.srt")
    with pytest.raises(Interrupted):
        run(src, cache=tmp_path / "tm.sqlite3", backend=PseudoBackend(fail_after=2), batch_size=3)
    result, backend = run(src, cache=tmp_path / "tm.sqlite3", batch_size=3)
    assert result.cached == 6                       # the two batches done before the "kill"
    assert backend.sentences == result.unique - 6   # nothing translated twice
    fresh, _ = run(src)
    assert result.track == fresh.track


def test_bilingual_keeps_source_above():
    src = Track([Cue(0, 2000, "Поезд уходит.")])
    out = run(src, bilingual=True)[0].track
    first, *rest = out.cues[0].text.split("\n")
    assert first == "Поезд уходит." and rest


def test_unit_that_cannot_be_spread_is_translated_per_cue():
    class OneWord(PseudoBackend):
        def translate(self, texts, **kw):
            self.calls.append(list(texts))
            return ["好" if " " in t else PseudoBackend.one(t, "zh") for t in texts]

    src = Track([Cue(0, 2000, "Этот пакет должен быть"), Cue(2100, 4000, "в Пекине к седьмому ноября.")])
    result, backend = run(src, backend=OneWord())
    assert result.split_per_cue == 1
    assert all(c.text for c in result.track.cues)


def test_vtt_settings_notes_and_ids_survive():
    src = subtrans.load(EXAMPLES / "red-silk.ru.vtt")
    out = run(src)[0].track
    assert out.format == "vtt" and out.blocks == src.blocks
    assert [(c.id, c.settings) for c in out.cues] == [(c.id, c.settings) for c in src.cues]


def test_same_language_is_refused():
    with pytest.raises(ConfigError):
        run(Track([Cue(0, 1000, "Привет.")]), to="ru")


def test_unknown_language_and_backend_are_refused():
    with pytest.raises(ConfigError):
        run(Track([Cue(0, 1000, "Привет.")]), to="en")
    with pytest.raises(ConfigError):
        Translator(backend="marian-nmt")
    with pytest.raises(subtrans.GlossaryError):
        Translator(glossaries=["no-such-glossary.tsv"])


def test_source_language_must_be_recognisable():
    with pytest.raises(ConfigError):
        run(Track([Cue(0, 1000, "Hello.")]))


@pytest.mark.parametrize("name,target,expected", [
    ("film.ru.srt", "zh", "film.zh.srt"),
    ("film.srt", "zh", "film.zh.srt"),
    ("film.zh-Hans.vtt", "ru", "film.ru.vtt"),
    ("film.chs.srt", "zh-hant", "film.zh-Hant.srt"),
    ("film.part.ru.srt", "zh", "film.part.zh.srt"),
])
def test_default_output_names(name, target, expected):
    assert default_output(Path("/x") / name, target) == Path("/x") / expected


def test_outputs_never_overwrite_inputs_or_each_other(tmp_path):
    a, b = tmp_path / "a.zh.srt", tmp_path / "sub" / "a.ru.srt"
    with pytest.raises(WriteError):
        plan_outputs([a], "zh", None, None)          # a.zh.srt -> a.zh.srt
    with pytest.raises(WriteError):
        plan_outputs([tmp_path / "a.ru.srt", b], "zh", None, tmp_path / "out")
    outs = plan_outputs([tmp_path / "../../x.ru.srt"], "zh", None, tmp_path / "out")
    assert outs == [tmp_path / "out" / "x.zh.srt"]


# -- invariants over generated tracks ------------------------------------------

WORDS = ["поезд", "в", "Харбин", "идёт", "ночью", "и", "не", "ждёт", "никого", "Воронов", "на", "вокзале"]


@st.composite
def tracks(draw):
    n = draw(st.integers(1, 8))
    t, cues = 0, []
    for _ in range(n):
        t += draw(st.integers(0, 3000))
        dur = draw(st.integers(500, 6000))
        words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
        text = " ".join(words) + draw(st.sampled_from(["", ".", "?", "...", ","]))
        shape = draw(st.sampled_from(["plain", "italic", "dialogue", "sound", "two-lines"]))
        if shape == "italic":
            text = f"<i>{text}</i>"
        elif shape == "dialogue":
            text = f"-{text}\n-{' '.join(reversed(words))}."
        elif shape == "sound":
            text = f"[{words[0]}] {text}"
        elif shape == "two-lines" and len(words) > 1:
            text = " ".join(words[:1]) + "\n" + " ".join(words[1:]) + "."
        cues.append(Cue(t, t + dur, text))
        t += dur
    return Track(cues)


@settings(max_examples=60, deadline=None)
@given(tracks(), st.sampled_from(["zh", "zh-hant"]))
def test_invariants(track, to):
    out = run(track, to=to)[0].track
    assert [(c.start, c.end) for c in out.cues] == [(c.start, c.end) for c in track.cues]
    for s, o in zip(track.cues, out.cues):
        assert strip_tags(o.text).strip()
        assert len(o.text.split("\n")) <= max(2, len(s.text.split("\n")))
        assert s.text.startswith("<i>") == o.text.startswith("<i>")
        assert (s.text.count("\n-") > 0) == (o.text.count("\n-") > 0)


GLOSSARY = Path(__file__).parent.parent / "glossaries" / "operation-red-silk.tsv"


def test_glossary_terms_are_found_enforced_and_reported(tmp_path):
    src = subtrans.load(EXAMPLES / "red-silk.ru.srt")
    with Translator(backend=PseudoBackend(), cache=tmp_path / "tm.sqlite3", glossaries=[GLOSSARY]) as tr:
        result = tr.translate(src, to="zh")
    assert result.terms, "the example names places and organisations of the film glossary"
    assert all(t["how"] != "missing" for t in result.terms)
    text = "".join(c.text for c in result.track.cues)
    assert "西伯利亚快车" in text                     # "Сибирским экспрессом" (instrumental) matched by lemma
    assert "glossary:" + result.glossary in result.signature and result.glossary != "none"
    # A rerun comes from the cache, and the report says so.
    with Translator(backend=PseudoBackend(), cache=tmp_path / "tm.sqlite3", glossaries=[GLOSSARY]) as tr:
        again = tr.translate(src, to="zh")
    assert {t["how"] for t in again.terms} == {"cached"}


def test_glossary_changes_the_cache_key(tmp_path):
    src = Track([Cue(0, 2000, "Поедешь Сибирским экспрессом.")])
    run(src, cache=tmp_path / "tm.sqlite3")
    with Translator(backend=PseudoBackend(), cache=tmp_path / "tm.sqlite3", glossaries=[GLOSSARY]) as tr:
        result = tr.translate(src, to="zh")
    assert result.translated == 1 and "西伯利亚快车" in result.track.cues[0].text


def test_backend_without_constraints_reports_missing_terms():
    class Plain(PseudoBackend):
        def translate(self, texts, *, source, target, beams=1, max_length=None):
            return [PseudoBackend.one(t, target) for t in texts]

    src = Track([Cue(0, 2000, "Поедешь Сибирским экспрессом.")])
    with Translator(backend=Plain(), cache=False, glossaries=[GLOSSARY]) as tr:
        result = tr.translate(src, to="zh")
    assert [t["how"] for t in result.terms] == ["missing"]
    assert any("glossary term" in w for w in result.warnings)


def test_sound_and_speech_in_one_cue_are_laid_out_to_the_limit():
    text = "(смеётся) Да, конечно, товарищ комиссар, поезд уходит ровно в полночь."
    src = Track([Cue(0, 6000, text)])
    out = run(src)[0].track.cues[0].text
    assert out.startswith("（") and len(out.split("\n")) <= 2
    assert all(line_length(strip_tags(ln), 0.5) <= 16 for ln in out.split("\n")), out


def test_webvtt_voice_class_and_language_spans_are_kept_around_the_translation():
    """Issue 21, part 4: <v Name>, <c.class> and <lang> wrapping a cue stay around its translation (an
    unclosed voice span is closed); ruby and timestamp tags inside a cue are reported as not carried."""
    src = subtrans.loads("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Алексей>Стой! Кто идёт?</v>\n\n"
                         "00:00:04.000 --> 00:00:06.000\n<c.yellow>Свои.</c>\n\n"
                         "00:00:07.000 --> 00:00:09.000\n<v.loud Елена>Поезд ушёл\n\n"
                         "00:00:10.000 --> 00:00:12.000\n<lang en>OK</lang>\n\n"
                         "00:00:13.000 --> 00:00:15.000\n<ruby>Вокзал<rt>站</rt></ruby> <00:00:14.000>близко\n")
    result, _ = run(src, to="zh")
    texts = [c.text for c in result.track.cues]
    assert texts[0].startswith("<v Алексей>") and texts[0].endswith("</v>")
    assert texts[1].startswith("<c.yellow>") and texts[1].endswith("</c>")
    assert texts[2].startswith("<v.loud Елена>") and texts[2].endswith("</v>")
    assert "cue 5: inline formatting '<ruby><rt></rt></ruby><00:00:14.000>' could not be carried over" in result.warnings
