"""Stage 7, fitting: translations that fit the screen, the choice among candidates, and retiming.

Pure and light (no torch, no model). :func:`fit_translation` is the stage:
the pipeline has laid each sentence unit's translation out into its cues; it asks
:func:`problems` whether a cue breaks the target profile's ``reading-speed``,
``line-length`` or ``max-lines`` limit (exactly as the QA rules S001, L001 and
L002 would flag it), asks the backend for alternative translations of the
units that do not fit (:meth:`subtrans.mt.backends.Backend.candidates`), lays
each alternative out the same way, and lets :func:`select` pick one. With
``--retime``, :func:`retime` then gives a cue still over the reading speed
the time it needs, taken from the gaps around it.

- :func:`select`: the best-scoring candidate that fits, among those whose
  score is within ``margin`` of the best score; ``None`` when none fits (the
  pipeline then keeps the translation it had). :func:`ranked` gives the order
  in which to try them, so that a candidate is laid out only when needed.
- :func:`retime`: the smallest change, the end first, that gives a cue a
  duration: never closer than the minimum gap to a neighbour, never longer
  than the maximum duration, never overlapping, never leaving a gap that the
  ``min-gap`` rule would ask to bridge. ``None`` when no such change exists.

The design, the costs and measured figures: ``docs/fit.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from collections import ChainMap
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from ..model import Track
from ..text import count_chars, line_length, reading_speed, visible_lines
from .languages import Languages, target_text
from .spread import Piece, spread_text

if TYPE_CHECKING:  # pragma: no cover
    from ..profiles import Profile
    from .memory import Memory
    from .render import CueRenderer
    from .terms import TermFinder

__all__ = [
    "FIT_RULES", "DEFAULT_MARGIN", "DEFAULT_CANDIDATES", "Limits", "problems", "tally", "ranked", "select",
    "needed_duration", "retime", "Retime", "FitReport", "FitOptions", "fit_translation",
]

#: The QA rules fitting works for (reading speed, line length, number of lines).
FIT_RULES = ("reading-speed", "line-length", "max-lines")
#: How far (in nats: the candidates' scores are mean log-probabilities per token) below the best
#: candidate's score a candidate may be and still be chosen for fitting.
DEFAULT_MARGIN = 0.5
#: Alternatives asked for per sentence unit that does not fit.
DEFAULT_CANDIDATES = 4


@dataclass(frozen=True)
class Limits:
    """The limits fitting works to: a profile's values, for the rules switched on.

    ``None`` switches a check off. ``min_gap_frames`` and
    ``bridge_gap_max_frames`` are in frames at ``fps``, as the ``min-gap``
    rule reads them.
    """

    max_cps: float | None = None
    max_chars: float | None = None
    max_lines: int | None = None
    half_width: float = 1.0
    max_duration_ms: int | None = None
    min_gap_frames: float = 0
    bridge_gap_max_frames: float = 0
    fps: float = 24.0

    @classmethod
    def from_profile(cls, profile: Profile, *, fps: float = 24.0, ignore: Iterable[str] = ()) -> "Limits":
        """The limits of ``profile`` (a :class:`subtrans.profiles.Profile`); rules named in ``ignore``
        (switched off in the project's configuration) are not checked."""
        off = set(ignore)
        return cls(
            max_cps=None if "reading-speed" in off else profile.get("max_cps"),
            max_chars=None if "line-length" in off else profile.get("max_chars_per_line"),
            max_lines=None if "max-lines" in off else profile.get("max_lines"),
            half_width=float(profile.get("half_width_weight", 1.0)),
            max_duration_ms=profile.get("max_duration_ms"),
            min_gap_frames=profile.get("min_gap_frames") or 0,
            bridge_gap_max_frames=profile.get("bridge_gap_max_frames") or 0,
            fps=float(fps),
        )

    @property
    def min_gap_ms(self) -> int:
        """The minimum gap in milliseconds, as the timing fixes compute it."""
        return round(self.min_gap_frames * 1000.0 / self.fps)

    def gap_ok(self, gap_ms: int) -> bool:
        """Whether the ``min-gap`` rule accepts a gap of ``gap_ms`` (not too small, not one to bridge)."""
        if gap_ms < 0:
            return False
        frames = round(gap_ms * self.fps / 1000.0)
        return not (frames < self.min_gap_frames or self.min_gap_frames < frames <= self.bridge_gap_max_frames)


def problems(text: str, duration_ms: int, limits: Limits) -> tuple[str, ...]:
    """The fit rules that a cue showing ``text`` for ``duration_ms`` breaks, in :data:`FIT_RULES` order.

    Exactly what the QA rules flag: more characters per second than
    ``max_cps`` (S001), a visible line longer than ``max_chars`` (L001), more
    non-blank lines than ``max_lines`` (L002). A limit at its value passes.

    >>> problems("你好", 1000, Limits(max_cps=9, max_chars=16, max_lines=2))
    ()
    >>> problems("一二三四五六七八九十", 1000, Limits(max_cps=9))
    ('reading-speed',)
    """
    found = []
    if limits.max_cps is not None:
        cps = reading_speed(text, duration_ms, limits.half_width)
        if cps is not None and cps > limits.max_cps:
            found.append("reading-speed")
    lines = visible_lines(text)
    if limits.max_chars is not None and any(line_length(ln, limits.half_width) > limits.max_chars for ln in lines):
        found.append("line-length")
    if limits.max_lines is not None and len([ln for ln in lines if ln.strip()]) > limits.max_lines:
        found.append("max-lines")
    return tuple(found)


def tally(cues: Iterable[tuple[str, int]], limits: Limits) -> tuple[int, int]:
    """For (text, duration) pairs: how many are within the reading speed, and how many within the
    line limits (length and number of lines)."""
    speed = lines = 0
    for text, duration in cues:
        found = problems(text, duration, limits)
        speed += "reading-speed" not in found
        lines += "line-length" not in found and "max-lines" not in found
    return speed, lines


def ranked(scores: Sequence[float], margin: float) -> list[int]:
    """The candidates worth trying, in the order to try them: the indexes of the scores within
    ``margin`` of the best one (a score exactly at ``best - margin`` counts), best first, ties in
    list order. Non-finite scores never count.

    >>> ranked([-1.2, -1.0, -2.0, -1.5], margin=0.5)
    [1, 0, 3]
    """
    finite = [s for s in scores if math.isfinite(s)]
    if not finite:
        return []
    floor = max(finite) - margin
    return sorted((k for k, s in enumerate(scores) if math.isfinite(s) and s >= floor), key=lambda k: -scores[k])


def select(options: Sequence[tuple[float, bool]], margin: float) -> int | None:
    """Which candidate to use: the index of the best-scoring one that fits.

    ``options`` are (score, fits) pairs, one per candidate (scores: higher is
    better). Only candidates scoring at least ``best - margin`` count, where
    ``best`` is the highest score of all of them (:func:`ranked`); ties go to
    the earlier candidate. ``None`` when no candidate within the margin fits.
    The pipeline walks :func:`ranked` itself, laying out each candidate only
    until one fits: the same choice.

    >>> select([(-1.0, False), (-1.3, True), (-2.0, True)], margin=0.5)
    1
    >>> select([(-1.0, False), (-2.0, True)], margin=0.5) is None
    True
    """
    return next((k for k in ranked([score for score, _ in options], margin) if options[k][1]), None)


def needed_duration(text: str, limits: Limits) -> int | None:
    """The shortest whole-millisecond duration at which ``text`` is within the reading speed
    (``None`` without a limit)."""
    max_cps = limits.max_cps
    if max_cps is None or max_cps <= 0:
        return None
    chars = count_chars(text, limits.half_width)

    def speed(ms: int) -> float:
        cps = reading_speed(text, ms, limits.half_width)
        assert cps is not None  # (None only for a duration under 1 ms)
        return cps

    need = max(1, math.ceil(chars * 1000.0 / max_cps))
    while need > 1 and speed(need - 1) <= max_cps:
        need -= 1   # float rounding either way: the rule's own arithmetic decides
    while speed(need) > max_cps:
        need += 1
    return need


def retime(times: Sequence[tuple[int, int]], index: int, need_ms: int, limits: Limits) -> tuple[int, int] | None:
    """New (start, end) for cue ``index`` of ``times`` so that it lasts at least ``need_ms``.

    ``times`` are the (start, end) of every cue of the track, in ms. The cue
    grows, never shrinks: its end moves into the following gap first, then
    its start into the gap before it. Tried in this order, the first that
    works wins: end just late enough (start unchanged if that suffices, else
    just early enough), the end at the minimum gap before the next cue, the
    end unchanged; for each, the start just early enough, then at the
    minimum gap after the previous cue. A change must keep at least the
    profile's minimum gap to every other cue (an existing smaller gap is not
    made smaller), stay within the maximum duration, never start before 0,
    and leave no gap that the ``min-gap`` rule would ask to bridge.

    ``None`` when the cue is long enough already, has no duration, overlaps
    another cue (a timing fault for a person), or cannot get ``need_ms``
    within those bounds.
    """
    start, end = times[index]
    if end <= start or end - start >= need_ms:
        return None
    if limits.max_duration_ms is not None and need_ms > limits.max_duration_ms:
        return None
    gap = limits.min_gap_ms
    lo, hi = 0, math.inf               # bounds for the new start and the new end
    prev_end, next_start = None, None  # the nearest neighbours' edges
    for j, (s, e) in enumerate(times):
        if j == index:
            continue
        if e <= start:
            lo = max(lo, e + gap)
            prev_end = e if prev_end is None else max(prev_end, e)
        elif s >= end:
            hi = min(hi, s - gap)
            next_start = s if next_start is None else min(next_start, s)
        else:
            return None
    lo, hi = min(lo, start), max(hi, end)

    def valid(new_start: int, new_end: int) -> bool:
        if not (lo <= new_start <= start and end <= new_end <= hi and new_end - new_start >= need_ms):
            return False
        if limits.max_duration_ms is not None and new_end - new_start > limits.max_duration_ms:
            return False
        if new_end != end and next_start is not None and not limits.gap_ok(next_start - new_end):
            return False
        return not (new_start != start and prev_end is not None and not limits.gap_ok(new_start - prev_end))

    ends = [max(end, min(hi, start + need_ms))] + ([hi] if math.isfinite(hi) else []) + [end]
    for new_end in dict.fromkeys(int(e) for e in ends):
        for new_start in dict.fromkeys((min(start, new_end - need_ms), int(lo))):
            if valid(new_start, new_end):
                return new_start, new_end
    return None


@dataclass(frozen=True)
class Retime:
    """One cue given more time: its position (0-based), id, and old and new (start, end) in ms."""

    cue: int
    id: str | None
    old: tuple[int, int]
    new: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        return {"cue": self.cue + 1, "id": self.id, "old": {"start": self.old[0], "end": self.old[1]},
                "new": {"start": self.new[0], "end": self.new[1]}}


@dataclass
class FitReport:
    """What fitting did to one track, as data (the CLI prints it; ``--report`` writes :meth:`to_dict`).

    "Before" is the translation as first laid out, "after" the output:
    ``speed_*`` count the cues within the reading speed, ``lines_*`` those
    within the line length and the number of lines.
    """

    enabled: bool = True
    retime: bool = False
    margin: float = DEFAULT_MARGIN
    candidates: int = DEFAULT_CANDIDATES
    cues: int = 0
    speed_before: int = 0
    speed_after: int = 0
    lines_before: int = 0
    lines_after: int = 0
    units_over: int = 0       # sentence units over a limit as first translated
    units_refitted: int = 0   # ... given another candidate
    decoded: int = 0          # units whose candidates the model decoded in this run (the extra cost)
    from_cache: int = 0       # units whose candidates came from the translation memory
    retimed: list[Retime] = field(default_factory=list)
    skipped: str | None = None  # why fitting did not run although units were over a limit

    def share(self, count: int) -> float:
        return count / self.cues if self.cues else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled, "retime": self.retime, "margin": self.margin, "candidates": self.candidates,
            "cues": self.cues,
            "within_reading_speed": {"before": round(self.share(self.speed_before), 4),
                                     "after": round(self.share(self.speed_after), 4),
                                     "cues_before": self.speed_before, "cues_after": self.speed_after},
            "within_line_limits": {"before": round(self.share(self.lines_before), 4),
                                   "after": round(self.share(self.lines_after), 4),
                                   "cues_before": self.lines_before, "cues_after": self.lines_after},
            "units_over_limits": self.units_over, "units_refitted": self.units_refitted,
            "units_decoded": self.decoded, "units_from_cache": self.from_cache,
            "retimed": [r.to_dict() for r in self.retimed], "skipped": self.skipped,
        }


@dataclass(frozen=True)
class FitOptions:
    """What the user asked of fitting (see :class:`subtrans.Translator`)."""

    enabled: bool = True
    retime: bool = False
    margin: float = DEFAULT_MARGIN
    candidates: int = DEFAULT_CANDIDATES


def fit_translation(track: Track, pieces: list[Piece], slot_text: dict[tuple[int, int], str], texts: dict[int, str],
                    render: CueRenderer, memory: Memory, terms: TermFinder, languages: Languages, profile: Profile,
                    options: FitOptions, *,
                    fps: float, disabled_rules: Iterable[str], warnings: list[str]) -> FitReport:
    """Fit the laid-out translation to the profile's limits, in place (``slot_text``, ``texts``).

    ``track``: the source, whose cues' times and texts are measured. Each piece whose cues break a limit gets candidates (the
    memory first, then the engine, in batches); the best-scoring one that fits within the margin
    (:func:`select`, tried best first so that each is laid out only when needed) replaces its
    text, spread and rendered by the same stages as the translation (:func:`spread_text`,
    ``render``). Then, with ``retime``, cues still over the reading speed get more time where the
    gaps allow (the report lists them; the caller moves them). Returns what was done, with the
    shares of cues within the limits before and after.
    """
    limits = Limits.from_profile(profile, fps=fps, ignore=disabled_rules)
    report = FitReport(enabled=options.enabled, retime=options.retime, margin=options.margin,
                       candidates=options.candidates, cues=len(track))
    times = [(c.start, c.end) for c in track.cues]
    target = languages.target

    def broken(i: int, text: str) -> bool:
        return bool(problems(text, times[i][1] - times[i][0], limits))

    def shown() -> list[tuple[str, int]]:
        return [(texts.get(i, c.text), times[i][1] - times[i][0]) for i, c in enumerate(track.cues)]

    report.speed_before, report.lines_before = tally(shown(), limits)
    over = [p for p in pieces if any(broken(i, texts[i]) for i in p.cues)]
    report.units_over = len(over)
    if not options.enabled and not options.retime:
        # --no-fit: nothing changes, so "after" is "before" (counted once, not twice)
        report.speed_after, report.lines_after = report.speed_before, report.lines_before
        return report
    if options.enabled and over:
        found = memory.alternatives([p.key for p in over], terms.constraints_of(
            [p.key for p in over], [p.matches for p in over]), options.candidates)
        if found is None:
            report.skipped = f"the {memory.engine.name} backend offers no alternative translations"
            units = f"{len(over)} sentence unit" + ("" if len(over) == 1 else "s")
            warnings.append(f"fitting skipped: {report.skipped}; {units} stay over the profile's limits")
        else:
            report.decoded, report.from_cache = memory.alternatives_decoded, memory.alternatives_cached
            for p in over:
                if not any(broken(i, texts[i]) for i in p.cues):
                    continue  # a cue it shares was fitted with another piece
                cands = found.get(p.key, [])
                for k in ranked([cand.score for cand in cands], options.margin):  # best first
                    cand = cands[k]
                    parts = spread_text(target_text(cand.text, languages, p.matches), p.weights, target)
                    if parts is None:
                        continue  # fewer words than the unit has cues
                    trial = ChainMap(dict(zip(p.slots, parts)), slot_text)
                    laid = {i: render(i, trial) for i in p.cues}
                    if not any(broken(i, laid[i]) for i in p.cues):
                        slot_text.update(zip(p.slots, parts))
                        texts.update(laid)
                        memory.chose(p.key, cand)
                        report.units_refitted += 1
                        break
    if options.retime:
        for i in sorted(texts):
            if "reading-speed" not in problems(texts[i], times[i][1] - times[i][0], limits):
                continue
            need = needed_duration(texts[i], limits)
            if need is None:
                continue  # no reading-speed limit to work to (max_cps 0): nothing to retime
            new = retime(times, i, need, limits)
            if new is not None:
                report.retimed.append(Retime(i, track.cues[i].id, times[i], new))
                times[i] = new
    report.speed_after, report.lines_after = tally(shown(), limits)
    return report
