"""Fitting translations to the screen, the pure parts: the checks, the choice, retiming (subtrans.pipeline.fitting)."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from subtrans.model import Cue, Track
from subtrans.pipeline.fitting import (FIT_RULES, FitReport, Limits, Retime, needed_duration, problems, ranked, retime, select,
                              tally)
from subtrans.profiles import load_profile
from subtrans.qa import Settings, check, RULES

# -- "fits" is exactly "the QA rules would not flag it" ------------------------------------------

ZH = Limits.from_profile(load_profile("netflix-zh-hans"))
RU = Limits.from_profile(load_profile("netflix-ru"))


@pytest.mark.parametrize("text,duration,limits,expected", [
    ("一二三四五六七八九", 1000, ZH, ()),                                    # 9 CPS: at the limit
    ("一二三四五六七八九十", 1000, ZH, ("reading-speed",)),                  # 10 CPS
    ("一二三四五六七八九ab", 1000, ZH, ("reading-speed",)),                  # half-width counts 0.5: 10
    ("一二三四五六七八九a", 1000, ZH, ("reading-speed",)),                   # 9.5
    ("一二三四五六七八\n九", 1000, ZH, ()),                                   # a line break does not count
    ("<i>一二三四五六七八九</i>", 1000, ZH, ()),                              # nor do tags
    ("一二三四五六七八九十一二三四五六", 2000, ZH, ()),                       # 16 characters: at the limit
    ("一二三四五六七八九十一二三四五六七", 2000, ZH, ("line-length",)),
    ("一二三\n四五六\n七八九", 2000, ZH, ("max-lines",)),
    ("一二三\n四五六\n七八九十一二三四五六七八九十一二三四五", 1000, ZH, FIT_RULES),
    ("а" * 42, 3000, RU, ()),                                              # 14 CPS, 42 characters
    ("а" * 43, 3000, RU, ("line-length",)),
    ("а" * 17, 1000, RU, ()),                                              # 17 CPS: at the limit
    ("а" * 18, 1000, RU, ("reading-speed",)),
    ("текст", 0, RU, ()),                                                  # no duration: S001 says nothing
    ("一\n\n二", 1000, ZH, ()),                                             # a blank line is not a line
])
def test_problems_table(text, duration, limits, expected):
    assert problems(text, duration, limits) == expected


def test_rules_switched_off_are_not_checked():
    limits = Limits.from_profile(load_profile("netflix-zh-hans"), ignore={"reading-speed", "max-lines"})
    assert problems("一\n二\n三四五六七八九十", 100, limits) == ()
    assert limits.max_chars == 16


def _qa(text: str, duration: int, profile: str) -> tuple[str, ...]:
    others = set(RULES) - set(FIT_RULES)
    found = {f.rule for f in check(Track([Cue(0, duration, text)]),
                                   settings=Settings(profile=profile, disabled=others))}
    return tuple(r for r in FIT_RULES if r in found)


PIECES = ["一", "二三", "你好", "a", "Bb", "1", " ", "，", "？", "\n", "<i>", "</i>", "слово", "да", "..."]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join), st.integers(0, 6000),
       st.sampled_from(["netflix-zh-hans", "netflix-ru", "netflix-zh-hant-children"]))
def test_problems_agree_with_the_qa_rules(text, duration, profile):
    assert problems(text, duration, Limits.from_profile(load_profile(profile))) == _qa(text, duration, profile)


def test_tally_counts_cues_within_each_limit():
    cues = [("一二三", 1000), ("一二三四五六七八九十", 1000), ("一\n二\n三", 1000), ("一" * 17, 1000)]
    assert tally(cues, ZH) == (2, 2)   # speed: the first and the third; lines: the first two


# -- choosing a candidate ----------------------------------------------------------------------

@pytest.mark.parametrize("options,margin,expected", [
    ([(-1.0, True)], 0.5, 0),                                   # the best fits already
    ([(-1.0, False), (-1.3, True)], 0.5, 1),                    # a fitting one within the margin
    ([(-1.0, False), (-1.5, True)], 0.5, 1),                    # exactly at the margin: counts
    ([(-1.0, False), (-1.5000001, True)], 0.5, None),           # just outside: the translation stays
    ([(-1.0, False), (-2.0, True)], 0.5, None),
    ([(-1.0, False), (-1.2, True), (-1.1, True)], 0.5, 2),      # the best-scoring of those that fit
    ([(-1.0, False), (-1.2, True), (-1.2, True)], 0.5, 1),      # a tie goes to the earlier one
    ([(-1.3, True), (-1.0, False)], 0.5, 0),                    # the list need not be sorted
    ([(-1.0, False), (-1.0, True)], 0.0, 1),                    # margin 0: only the best score counts
    ([(-1.0, False), (-1.01, True)], 0.0, None),
    ([(-1.0, False), (-9.0, False)], 100.0, None),              # nothing fits
    ([], 0.5, None),
    ([(-math.inf, True)], 0.5, None),                           # no finite score
    ([(math.nan, True), (-1.0, False), (-1.2, True)], 0.5, 2),  # a NaN score never counts
])
def test_select_table(options, margin, expected):
    assert select(options, margin) == expected


@pytest.mark.parametrize("scores,margin,expected", [
    ([-1.2, -1.0, -2.0, -1.5], 0.5, [1, 0, 3]),      # best first, the one outside the margin left out
    ([-1.0, -1.0, -1.1], 0.0, [0, 1]),               # ties in list order
    ([], 0.5, []),
    ([math.nan, -math.inf, -1.0], 10.0, [2]),
])
def test_ranked_table(scores, margin, expected):
    assert ranked(scores, margin) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(-20, 0), st.booleans()), max_size=8), st.floats(0, 5))
def test_select_properties(options, margin):
    k = select(options, margin)
    best = max((s for s, _ in options), default=None)
    fitting = [s for s, fits in options if fits and s >= best - margin] if options else []
    if k is None:
        assert not fitting
    else:
        assert options[k][1] and options[k][0] == max(fitting)
        assert options[k][0] >= best - margin


# -- retiming ----------------------------------------------------------------------------------

# Netflix: 2 frames at 24 fps (83 ms) at least between cues, 3-11 frames bridged, 7 s at most.
LIM = Limits(max_cps=10, max_duration_ms=7000, min_gap_frames=2, bridge_gap_max_frames=11, fps=24.0)


@pytest.mark.parametrize("times,index,need,expected", [
    ([(1000, 2000)], 0, 3000, (1000, 4000)),                                  # no neighbour: the end moves
    ([(1000, 2000), (6000, 7000)], 0, 3000, (1000, 4000)),                    # a wide gap stays wide
    ([(1000, 2000), (3083, 4000)], 0, 2000, (1000, 3000)),                    # exactly the minimum gap left
    ([(1000, 2000), (3082, 4000)], 0, 2000, (999, 2999)),                     # 1 ms short: the start moves too
    ([(1000, 2000), (4300, 5000)], 0, 3000, (1000, 4217)),                    # 300 ms left would be bridged
    ([(0, 500), (3000, 4000), (4083, 5000)], 1, 1500, (2500, 4000)),          # no room after: starts earlier
    ([(0, 1000), (1600, 2000), (2083, 3000)], 1, 700, (1083, 2000)),          # ... bridging the gap before
    ([(0, 1000), (1083, 2000), (2083, 3000)], 1, 2000, None),                 # no room at all
    ([(1000, 2000)], 0, 7000, (1000, 8000)),                                  # the maximum duration exactly
    ([(1000, 2000)], 0, 7001, None),                                          # past it
    ([(200, 700), (783, 1500)], 0, 700, (0, 700)),                            # start at 0 exactly
    ([(200, 700), (783, 1500)], 0, 701, None),                                # never before 0
    ([(1000, 2000), (1500, 3000)], 0, 2000, None),                            # overlapping: a person's job
    ([(1000, 2000), (2040, 3000)], 0, 1500, (500, 2000)),                     # a gap already too small stays
    ([(1000, 3000)], 0, 2000, None),                                          # long enough already
    ([(1000, 1000)], 0, 2000, None),                                          # no duration
    ([(1000, 2000), (9000, 9500)], 0, 3000, (1000, 4000)),
    ([(9000, 9500), (1000, 2000)], 1, 3000, (1000, 4000)),                    # neighbours by time, not order
])
def test_retime_table(times, index, need, expected):
    assert retime(times, index, need, LIM) == expected


def test_retime_never_leaves_a_gap_to_bridge_when_bridging_passes_the_maximum():
    # The end just late enough would leave 200 ms (5 frames) and closing that gap would make 7.017 s:
    # the start moves instead.
    times = [(0, 200), (2000, 8800), (9100, 9500)]
    assert retime(times, 1, 6900, LIM) == (1900, 8800)


def test_retime_without_gap_rules():
    free = Limits(max_cps=10)
    assert retime([(0, 1000), (1000, 2000)], 0, 1500, free) is None      # touching: no room
    assert retime([(0, 1000), (1500, 2000)], 0, 1500, free) == (0, 1500)  # up to the next cue exactly


@st.composite
def timings(draw):
    n = draw(st.integers(1, 6))
    t, out = draw(st.integers(0, 2000)), []
    for _ in range(n):
        dur = draw(st.integers(0, 8000))
        out.append((t, t + dur))
        t += dur + draw(st.integers(-200, 3000))
    return out


@settings(max_examples=400, deadline=None)
@given(timings(), st.data())
def test_retime_invariants(times, data):
    index = data.draw(st.integers(0, len(times) - 1))
    need = data.draw(st.integers(1, 9000))
    new = retime(times, index, need, LIM)
    start, end = times[index]
    if new is None:
        return
    s, e = new
    assert s <= start and e >= end and e - s >= need and s >= 0          # grows, never shrinks
    assert e - s <= LIM.max_duration_ms
    others = [t for j, t in enumerate(times) if j != index]
    for a, b in others:
        assert b <= s or a >= e                                          # never overlapping
        if a >= end and e != end:
            assert a - e >= LIM.min_gap_ms                               # the minimum gap to every cue
        if b <= start and s != start:
            assert s - b >= LIM.min_gap_ms
    after = [a for a, _ in others if a >= end]
    before = [b for _, b in others if b <= start]
    if after and e != end:
        assert LIM.gap_ok(min(after) - e)                                # a gap it changed is a good gap
    if before and s != start:
        assert LIM.gap_ok(s - max(before))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=30).map("".join),
       st.sampled_from([1, 7, 9, 13.5, 17]), st.sampled_from([0.5, 1.0]))
def test_needed_duration_is_the_least_that_passes(text, cps, half_width):
    limits = Limits(max_cps=cps, half_width=half_width)
    need = needed_duration(text, limits)
    assume(need > 1)
    assert "reading-speed" not in problems(text, need, limits)
    assert "reading-speed" in problems(text, need - 1, limits)


def test_report_as_data():
    report = FitReport(cues=4, speed_before=2, speed_after=3, lines_before=4, lines_after=4, units_over=2,
                       units_refitted=1, decoded=2, retimed=[Retime(1, "2", (1000, 2000), (1000, 2500))])
    d = report.to_dict()
    assert d["within_reading_speed"] == {"before": 0.5, "after": 0.75, "cues_before": 2, "cues_after": 3}
    assert d["within_line_limits"]["after"] == 1.0
    assert d["retimed"] == [{"cue": 2, "id": "2", "old": {"start": 1000, "end": 2000},
                             "new": {"start": 1000, "end": 2500}}]
    assert FitReport().share(0) == 1.0


def test_cli_defaults_are_the_library_defaults():
    """cli.py writes the fitting defaults as literals (importing subtrans.pipeline.fitting would slow `subtrans check`)."""
    from subtrans.cli import main
    from subtrans.pipeline.fitting import DEFAULT_CANDIDATES, DEFAULT_MARGIN

    params = {p.name: p for p in main.commands["translate"].params}
    assert params["fit_margin"].default == DEFAULT_MARGIN
    assert params["fit_candidates"].default == DEFAULT_CANDIDATES
