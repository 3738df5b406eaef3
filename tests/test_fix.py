"""Safe fixes: unit cases and properties (idempotent, never worse, timing clean when room allows)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

import subtrans
from subtrans.model import Cue, Track

from rule_cases import srt

TIMING = {"overlap", "min-duration", "max-duration", "min-gap", "negative-duration", "out-of-order"}


def timing_findings(track, profile="netflix-ru", fps=24.0):
    return [f for f in subtrans.check(track, profile, fps=fps) if f.rule in TIMING]


def test_fix_examples():
    track = subtrans.loads(srt(
        ("1.000", "3.000", "Поезд  уходит..."),  # overlaps the next; whitespace; dots
        ("2.500", "2.900", "Да"),                # too short: extended up to 2 frames before the next
        ("3.500", "12.000", "Долго"),            # too long
    ))
    fixed, fixes = subtrans.fix(track, "netflix-ru")
    assert [c.text for c in fixed.cues] == ["Поезд уходит…", "Да", "Долго"]
    assert [(c.start, c.end) for c in fixed.cues] == [(1000, 2417), (2500, 3417), (3500, 10500)]
    assert {f.rule for f in fixes} == {"whitespace", "ellipsis", "overlap", "min-duration", "max-duration", "min-gap"}
    assert timing_findings(fixed) == []
    assert [(c.start, c.end) for c in track.cues][0] == (1000, 3000), "fix must not touch its input"


def test_zh_fix_makes_punctuation_full_width_outside_tags():
    track = subtrans.loads(srt(("1.000", "3.000", '<font color="red">你是谁?</font>')))
    fixed, _ = subtrans.fix(track, "netflix-zh-hans")
    assert fixed.cues[0].text == '<font color="red">你是谁？</font>'


@st.composite
def tracks(draw):
    n = draw(st.integers(1, 12))
    t, cues = 0, []
    for i in range(n):
        t += draw(st.integers(-3000, 4000))
        start = max(0, t)
        cues.append(Cue(start, start + draw(st.integers(-500, 10_000)), f"Реплика {i}", id=str(i + 1)))
    return Track(cues=cues)


@settings(max_examples=200, deadline=None)
@given(tracks(), st.sampled_from([24.0, 25.0, 23.976, 30.0]))
def test_fix_properties(track, fps):
    before = timing_findings(track, fps=fps)
    fixed, _ = subtrans.fix(track, "netflix-ru", fps=fps)
    after = timing_findings(fixed, fps=fps)
    again, more = subtrans.fix(fixed, "netflix-ru", fps=fps)
    assert again == fixed and not [f for f in more if f.rule in TIMING], "fix is idempotent"
    if all(c.duration > 0 for c in track.cues):
        # (sorting cues that have no duration can expose gap findings their old order hid)
        assert len(after) <= len(before)
    assert not {"out-of-order", "max-duration"} & {f.rule for f in after}
    gap = round(2 * 1000 / fps)
    for f in after:  # an overlap is left only where two cues start less than the minimum gap apart
        if f.rule == "overlap":
            assert fixed.cues[f.cue - 1].start - fixed.cues[f.cue - 2].start <= gap
    assert [c.text for c in sorted(fixed.cues, key=lambda c: c.text)] == \
        [c.text for c in sorted(track.cues, key=lambda c: c.text)], "no cue lost or changed"


@st.composite
def spaced_tracks(draw):
    """Cues with room to fix: starts 1 s or more apart, durations from 1 ms to 6.5 s, any order."""
    n = draw(st.integers(1, 12))
    t, cues = 0, []
    for i in range(n):
        t += draw(st.integers(1000, 9000))
        cues.append(Cue(t, t + draw(st.integers(1, 6_500)), f"Реплика {i}", id=str(i + 1)))
    return Track(cues=draw(st.permutations(cues)))


@settings(max_examples=200, deadline=None)
@given(spaced_tracks())
def test_fix_leaves_no_timing_findings_when_there_is_room(track):
    fixed, _ = subtrans.fix(track, "netflix-ru")
    assert timing_findings(fixed) == []


# -- a fix either satisfies its rule or is not applied (issue 26) ------------------------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import subtrans  # noqa: E402


@st.composite
def _tracks(draw):
    cues, t = [], 1000
    for n in range(draw(st.integers(1, 12))):
        duration = draw(st.sampled_from([200, 500, 700, 833, 2000, 7500, 9000]))
        gap = draw(st.sampled_from([-300, 0, 20, 40, 83, 125, 300, 1500]))
        text = draw(st.sampled_from(["Поезд уходит.", "Поезд  уходит...", " Я давно ", "Да", "Нет  ,  нет"]))
        start = max(0, t + gap)
        cues.append(subtrans.Cue(start, start + duration, text))
        t = start + duration
    return subtrans.Track(cues=cues)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tracks())
def test_no_fixed_finding_fires_again(track):
    fixed, fixes = subtrans.fix(track, "netflix-ru")
    after = {(f.rule, f.cue) for f in subtrans.check(fixed, "netflix-ru")}
    # out-of-order sorting renumbers cues: judge the fixes of the other rules by their cue
    moved = any(x.rule == "out-of-order" for x in fixes)
    for x in fixes:
        if x.rule != "out-of-order" and not moved:
            assert (x.rule, x.cue) not in after, (x, sorted(after))


def test_a_fix_in_a_legacy_encoding_writes_the_closest_form_and_says_so(tmp_path):
    """koi8-r has no «…»: --fix keeps the file's encoding, writes '...' and reports it (issue 21, part 5)."""
    import json

    from click.testing import CliRunner

    from subtrans.cli import main

    src = tmp_path / "k.srt"
    src.write_bytes("1\n00:00:01,000 --> 00:00:03,000\nНу что же... Пойдём.\n".encode("koi8-r"))
    out = tmp_path / "fixed.srt"
    result = CliRunner().invoke(main, ["check", str(src), "--fix", "-o", str(out), "-f", "json"])
    assert result.exit_code in (0, 1), result.output
    assert out.read_bytes().decode("koi8-r").splitlines()[2] == "Ну что же... Пойдём."     # still koi8-r
    fixes = json.loads(result.stdout)["files"][0]["fixes"]
    assert {"rule": "encoding", "cue": 1, "message": "'…' written as '...' (koi8-r cannot hold it), once"} in fixes
