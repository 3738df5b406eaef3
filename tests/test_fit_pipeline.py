"""Fitting in the translation pipeline, on a stand-in model that offers shorter alternatives (no torch).

``FitBackend`` (tests/fit_backend.py) gives the pseudo translation (score
-1.0) and versions cut to 3/4, 1/2 and 1/4 of it (scores -1.2, -1.4, -1.6).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import subtrans
from subtrans.errors import ConfigError
from subtrans.model import Cue, Track
from subtrans.pipeline.fitting import Limits, problems
from subtrans.profiles import load_profile
from subtrans.translating import Translator

from fake_backend import PseudoBackend
from fit_backend import FitBackend

EXAMPLES = Path(__file__).parent.parent / "examples"
GLOSSARY = Path(__file__).parent.parent / "glossaries" / "operation-red-silk.tsv"
ZH = Limits.from_profile(load_profile("netflix-zh-hans"))
LONG = "Документы у агента, поезд уходит в полночь."   # 12 characters of pseudo Chinese


def run(track, to="zh", *, backend=None, cache=False, glossaries=(), **options):
    backend = backend or FitBackend()
    job = {k: options.pop(k) for k in ("disabled_rules", "source") if k in options}
    with Translator(backend=backend, cache=cache, batch_size=4, glossaries=glossaries, **options) as tr:
        return tr.translate(track, to=to, **job), backend


def fits(result, limits=ZH) -> list[bool]:
    return [not problems(c.text, c.duration, limits) for c in result.track.cues]


def test_a_unit_over_the_reading_speed_gets_the_best_alternative_that_fits():
    track = Track([Cue(0, 1000, LONG), Cue(3000, 6000, "Поезд уходит.")])
    plain, _ = run(track, fit=False)
    result, backend = run(track)
    assert fits(plain) == [False, True] and fits(result) == [True, True]
    # 3/4 of the text (score -1.2) is still 9.5 CPS; half of it (-1.4) fits.
    assert result.track.cues[0].text == "于当子着头生"
    assert result.track.cues[1].text == plain.track.cues[1].text
    assert backend.candidate_calls == [[LONG]]          # only the unit that did not fit
    f = result.fit
    assert (f.units_over, f.units_refitted, f.decoded, f.from_cache) == (1, 1, 1, 0)
    assert (f.speed_before, f.speed_after, f.lines_before, f.lines_after, f.cues) == (1, 2, 2, 2, 2)
    assert [(c.start, c.end) for c in result.track.cues] == [(0, 1000), (3000, 6000)]


@pytest.mark.parametrize("margin,expected", [
    (0.5, "于当子着头生"),      # -1.4 is within 0.5 of -1.0
    (0.4, "于当子着头生"),      # exactly at the margin
    (0.3, None),               # outside: the translation stays, and so does the finding
    (0.0, None),
])
def test_the_margin_decides(margin, expected):
    track = Track([Cue(0, 1000, LONG)])
    plain, _ = run(track, fit=False)
    result, _ = run(track, fit_margin=margin)
    assert result.track.cues[0].text == (expected or plain.track.cues[0].text)
    assert result.fit.units_refitted == (expected is not None)


def test_no_fit_leaves_the_translation_and_still_counts():
    track = Track([Cue(0, 1000, LONG), Cue(3000, 6000, "Поезд уходит.")])
    result, backend = run(track, fit=False)
    plain, _ = run(track, backend=PseudoBackend(), fit=False)
    assert result.track == plain.track and backend.candidate_calls == []
    f = result.fit
    assert not f.enabled and f.units_over == 1 and f.units_refitted == 0
    assert (f.speed_before, f.speed_after) == (1, 1)
    assert "|fit:off" in result.signature and "|fit:4@0.5" in run(track)[0].signature


def test_a_backend_without_candidates_is_skipped_with_a_warning():
    track = Track([Cue(0, 1000, LONG)])
    result, _ = run(track, backend=PseudoBackend())
    plain, _ = run(track, backend=PseudoBackend(), fit=False)
    assert result.track == plain.track
    assert result.fit.skipped and "no alternative translations" in result.fit.skipped
    assert any(w.startswith("fitting skipped") and "1 sentence unit " in w for w in result.warnings)
    # Nothing over the limits: nothing to skip, no warning.
    quiet, _ = run(Track([Cue(0, 5000, "Поезд уходит.")]), backend=PseudoBackend())
    assert not quiet.warnings and quiet.fit.skipped is None


def test_a_rerun_takes_the_candidates_from_the_cache(tmp_path):
    src = subtrans.load(EXAMPLES / "red-silk.ru.srt")
    first, b1 = run(src, cache=tmp_path / "tm.sqlite3")
    second, b2 = run(src, cache=tmp_path / "tm.sqlite3")
    assert b1.candidate_sentences > 0 and first.fit.units_refitted > 0
    assert b2.sentences == 0 and b2.candidate_sentences == 0
    assert second.track == first.track
    assert second.fit.from_cache == first.fit.decoded and second.fit.decoded == 0
    # Another number of candidates is another cache entry.
    third, b3 = run(src, cache=tmp_path / "tm.sqlite3", fit_candidates=3)
    assert third.cached == third.unique and b3.candidate_sentences == first.fit.decoded


def test_a_damaged_cache_entry_is_decoded_again(tmp_path):
    import sqlite3

    track = Track([Cue(0, 1000, LONG)])
    first, _ = run(track, cache=tmp_path / "tm.sqlite3")
    with sqlite3.connect(tmp_path / "tm.sqlite3") as conn:   # the candidates are stored as JSON lists
        assert conn.execute("UPDATE tm SET target = 'not json' WHERE target LIKE '[[%'").rowcount == 1
    second, backend = run(track, cache=tmp_path / "tm.sqlite3")
    assert second.track == first.track and backend.candidate_sentences == 1


def test_a_unit_over_several_cues_is_fitted_as_a_whole():
    words = "поезд уходит ровно в полночь и никого не ждёт на вокзале"
    track = Track([Cue(0, 1200, "Документы у агента, " + words), Cue(1300, 2400, "и товарищ комиссар знает это.")])
    plain, _ = run(track, fit=False)
    result, backend = run(track)
    assert backend.candidate_calls == [[track.cues[0].text + " " + track.cues[1].text]]
    assert sum(fits(result)) > sum(fits(plain)) and all(c.text for c in result.track.cues)


def test_one_speaker_of_a_dialogue_cue_is_fitted_with_the_other_in_view():
    track = Track([Cue(0, 1500, "-Документы у агента, поезд уходит в полночь.\n-Да.")])
    result, backend = run(track)
    assert fits(result) == [True]
    lines = result.track.cues[0].text.split("\n")
    assert len(lines) == 2 and all(ln.startswith("-") for ln in lines)


def test_rules_switched_off_are_not_fitted():
    track = Track([Cue(0, 1000, LONG)])
    result, backend = run(track, disabled_rules={"reading-speed"})
    assert result.fit.units_over == 0 and backend.candidate_calls == []


def test_terms_stay_in_the_fitted_translation():
    # The pseudo model writes the term last; a cut version gets it back before the final punctuation.
    track = Track([Cue(0, 2000, "Поедешь Сибирским экспрессом до самой границы и дальше, товарищ.")])
    result, _ = run(track, glossaries=[GLOSSARY], fit_margin=1.0)
    assert result.fit.units_refitted == 1 and fits(result) == [True]
    assert "西伯利亚快车" in result.track.cues[0].text
    assert "appended" in {t["how"] for t in result.terms} and "missing" not in {t["how"] for t in result.terms}


def test_retime_gives_a_cue_the_time_it_needs():
    # Nothing shorter is on offer (keeps=()): only time can help.
    track = Track([Cue(0, 1000, LONG), Cue(5000, 6000, "Поезд.")])
    result, _ = run(track, backend=FitBackend(keeps=()), retime=True)
    (r,) = result.fit.retimed
    assert (r.cue, r.old, r.new) == (0, (0, 1000), (0, 1389))   # 12.5 characters at 9 CPS: 1 389 ms
    assert [(c.start, c.end) for c in result.track.cues] == [(0, 1389), (5000, 6000)]
    assert fits(result) == [True, True] and result.fit.speed_after == 2
    assert result.signature.endswith("+retime")
    # Without --retime the timings stay.
    kept, _ = run(track, backend=FitBackend(keeps=()))
    assert [(c.start, c.end) for c in kept.track.cues] == [(0, 1000), (5000, 6000)] and not kept.fit.retimed


def test_retime_respects_the_neighbours():
    # 83 ms (2 frames) to the next cue: the end cannot move; the start can.
    track = Track([Cue(0, 120, "Да."), Cue(1000, 2000, LONG), Cue(2083, 4000, "Нет.")])
    result, _ = run(track, backend=FitBackend(keeps=()), retime=True)
    assert [(r.cue, r.new) for r in result.fit.retimed] == [(1, (611, 2000))]
    # ... but not to 311 ms after the cue before (7 frames, a gap to bridge): to 2 frames after it.
    bridge = Track([Cue(0, 300, "Да."), Cue(1000, 2000, LONG), Cue(2083, 4000, "Нет.")])
    result, _ = run(bridge, backend=FitBackend(keeps=()), retime=True)
    assert [(r.cue, r.new) for r in result.fit.retimed] == [(1, (383, 2000))]
    tight = Track([Cue(0, 917, "Да."), Cue(1000, 2000, LONG), Cue(2083, 4000, "Нет.")])
    result, _ = run(tight, backend=FitBackend(keeps=()), retime=True)
    assert result.fit.retimed == [] and fits(result) == [True, False, True]


def test_retime_works_without_candidates_too():
    track = Track([Cue(0, 1000, LONG)])
    result, _ = run(track, backend=PseudoBackend(), retime=True, fit=False)
    assert [r.new for r in result.fit.retimed] == [(0, 1389)]


def test_retime_without_a_reading_speed_limit_retimes_nothing():
    # max_cps 0: the reading-speed rule flags the cue, but there is no duration to work to.
    track = Track([Cue(0, 1000, LONG), Cue(5000, 6000, "Поезд.")])
    profile = load_profile("netflix-zh-hans").with_values({"max_cps": 0}, "test")
    with Translator(backend=FitBackend(keeps=()), cache=False, batch_size=4, retime=True) as tr:
        result = tr.translate(track, to="zh", profile=profile)
    assert result.fit.retimed == []
    assert [(c.start, c.end) for c in result.track.cues] == [(0, 1000), (5000, 6000)]


@pytest.mark.parametrize("options", [dict(fit_margin=-0.1), dict(fit_margin=float("nan")), dict(fit_candidates=1),
                                     dict(fit_candidates=True)])
def test_bad_options_are_refused(options):
    with pytest.raises(ConfigError):
        Translator(backend=FitBackend(), **options)


# -- never worse -------------------------------------------------------------------------------

WORDS = ["поезд", "в", "Харбин", "идёт", "ночью", "и", "не", "ждёт", "никого", "Воронов", "на", "вокзале",
         "документы", "агента", "товарищ"]


@st.composite
def tracks(draw):
    t, cues = 0, []
    for _ in range(draw(st.integers(1, 6))):
        t += draw(st.integers(0, 1500))
        dur = draw(st.integers(300, 4000))
        words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=14))
        text = " ".join(words) + draw(st.sampled_from(["", ".", "?", ","]))
        if draw(st.booleans()):
            text = f"-{text}\n-{' '.join(reversed(words))}."
        cues.append(Cue(t, t + dur, text))
        t += dur
    return Track(cues)


@settings(max_examples=40, deadline=None)
@given(tracks(), st.sampled_from(["zh", "ru"]), st.booleans())
def test_fitting_never_makes_a_cue_worse(track, to, retime):
    if to == "ru":  # the pseudo model reads Chinese for Russian output
        track = Track([Cue(c.start, c.end, PseudoBackend.one(c.text, "zh")) for c in track.cues])
    limits = Limits.from_profile(load_profile("netflix-ru" if to == "ru" else "netflix-zh-hans"))
    plain, _ = run(track, to=to, fit=False)
    fitted, _ = run(track, to=to, retime=retime)
    for p, f, src in zip(plain.track.cues, fitted.track.cues, track.cues):
        before, after = problems(p.text, p.duration, limits), problems(f.text, f.duration, limits)
        assert set(after) <= set(before) or not after   # a changed cue fits; an unchanged one is as it was
        if not retime:
            assert (f.start, f.end) == (src.start, src.end)
    assert fitted.fit.speed_after >= plain.fit.speed_after and fitted.fit.lines_after >= plain.fit.lines_after
    assert (fitted.fit.speed_before, fitted.fit.lines_before) == (plain.fit.speed_after, plain.fit.lines_after)


@pytest.mark.parametrize("option", [["--fit-margin", "-0.5"], ["--fit-candidates", "1"]])
def test_the_command_line_refuses_bad_fit_options(option, tmp_path):
    from click.testing import CliRunner

    from subtrans.cli import main

    result = CliRunner().invoke(main, ["translate", str(EXAMPLES / "red-silk.ru.srt"), "--to", "zh",
                                       "-o", str(tmp_path / "o.srt"), *option])
    assert result.exit_code == 2 and option[0] in result.output and not (tmp_path / "o.srt").exists()
