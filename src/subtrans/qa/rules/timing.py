"""Timing rules: overlaps, durations, gaps, order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ...model import Cue, Track
from ..base import Context, Finding, Fix, Rule, Severity, register_rule


def _min_gap_ms(ctx: Context) -> int:
    return round(ctx.frames_to_ms(ctx.profile.get("min_gap_frames", 0) or 0))


@register_rule
class OutOfOrder(Rule):
    """A cue starts before the cue above it in the file.

    Bad:  cue 2 at 00:00:05,000, cue 3 at 00:00:04,000
    Good: cues sorted by start time (the fix sorts them, keeping each cue's text and id)
    """

    name, code, severity, category, fixable = "out-of-order", "T006", Severity.ERROR, "timing", True

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        cues = track.cues
        for i in range(1, len(cues)):
            if cues[i].start < cues[i - 1].start:
                yield self.finding(ctx, f"starts before cue {i} (which starts at {cues[i - 1].start} ms)", i, cues[i],
                                   value=cues[i].start, limit=cues[i - 1].start)

    def fix(self, track: Track, ctx: Context) -> list[Fix]:
        order = sorted(range(len(track.cues)), key=lambda i: track.cues[i].start)
        if order == list(range(len(order))):
            return []
        track.cues = [track.cues[i] for i in order]
        return [Fix(self.name, 1, "cues sorted by start time")]


@register_rule
class NegativeDuration(Rule):
    """A cue ends before it starts, or at the same moment.

    Bad:  00:00:05,000 --> 00:00:04,000
    Good: 00:00:04,000 --> 00:00:05,000
    """

    name, code, severity, category = "negative-duration", "T005", Severity.ERROR, "timing"

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        for i, cue in enumerate(track.cues):
            if cue.end <= cue.start:
                what = "has zero duration" if cue.end == cue.start else "ends before it starts"
                yield self.finding(ctx, what, i, cue, value=cue.duration, limit=1)


@register_rule
class MaxDuration(Rule):
    """A cue stays on screen longer than the profile allows.

    Bad:  00:00:01,000 --> 00:00:09,500 (8.5 s; Netflix allows 7 s)
    Good: 00:00:01,000 --> 00:00:08,000 (the fix trims the end to the maximum)
    """

    name, code, severity, category, fixable = "max-duration", "T003", Severity.WARNING, "timing", True

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        limit = ctx.profile.get("max_duration_ms")
        if limit is None:
            return
        for i, cue in enumerate(track.cues):
            if cue.duration > limit:
                yield self.finding(ctx, f"lasts {cue.duration} ms, more than {limit} ms", i, cue,
                                   value=cue.duration, limit=limit)

    def fix(self, track: Track, ctx: Context) -> list[Fix]:
        limit = ctx.profile.get("max_duration_ms")
        fixes: list[Fix] = []
        if limit is None:
            return fixes
        for i, cue in enumerate(track.cues):
            if cue.duration > limit:
                cue.end = cue.start + limit
                fixes.append(Fix(self.name, i + 1, f"end trimmed to {limit} ms after the start"))
        return fixes


@register_rule
class Overlap(Rule):
    """A cue starts before the previous one has ended.

    Bad:  1: 00:00:01,000 --> 00:00:03,000 / 2: 00:00:02,500 --> 00:00:04,000
    Good: 1 ends at 00:00:02,417, two frames before 2 starts (the fix trims the earlier cue)
    """

    name, code, severity, category, fixable = "overlap", "T001", Severity.ERROR, "timing", True

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        cues = track.cues
        for i in range(1, len(cues)):
            prev, cue = cues[i - 1], cues[i]
            if cue.start < prev.end:
                yield self.finding(ctx, f"overlaps cue {i} by {prev.end - cue.start} ms", i, cue,
                                   value=prev.end - cue.start, limit=0)

    def fix(self, track: Track, ctx: Context) -> list[Fix]:
        gap = _min_gap_ms(ctx)
        cues, fixes = track.cues, []
        for i in range(1, len(cues)):
            prev, cue = cues[i - 1], cues[i]
            if cue.start < prev.end and cue.start - gap > prev.start:
                prev.end = cue.start - gap
                fixes.append(Fix(self.name, i, f"end moved to {prev.end} ms, {gap} ms before cue {i + 1}"))
        return fixes


@register_rule
class MinDuration(Rule):
    """A cue is too short to be read.

    Bad:  00:00:01,000 --> 00:00:01,500 (0.5 s; Netflix asks for 5/6 s)
    Good: 00:00:01,000 --> 00:00:01,833 (the fix extends into the following gap, never
          closer than the minimum gap to the next cue)
    """

    name, code, severity, category, fixable = "min-duration", "T002", Severity.WARNING, "timing", True

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        limit = ctx.profile.get("min_duration_ms")
        if limit is None:
            return
        gap, cues = _min_gap_ms(ctx), track.cues
        for i, cue in enumerate(cues):
            if 0 < cue.duration < limit:
                message = f"lasts {cue.duration} ms, less than {limit} ms"
                room = self._room(cues, i, gap, limit) - cue.start
                if room < limit:
                    message += f"; not fixable here: at most {room:.0f} ms before cue {i + 2}"
                yield self.finding(ctx, message, i, cue, value=cue.duration, limit=limit)

    def fix(self, track: Track, ctx: Context) -> list[Fix]:
        """Extends a cue into the following gap, never closer than the minimum gap; a cue that cannot
        reach the minimum that way is left as it is (its finding says why)."""
        limit = ctx.profile.get("min_duration_ms")
        if limit is None:
            return []
        gap, cues, fixes = _min_gap_ms(ctx), track.cues, []
        for i, cue in enumerate(cues):
            if 0 < cue.duration < limit and self._room(cues, i, gap, limit) >= cue.start + limit:
                cue.end = cue.start + limit
                fixes.append(Fix(self.name, i + 1, f"end extended to {cue.end} ms"))
        return fixes

    @staticmethod
    def _room(cues: Sequence[Cue], i: int, gap: float, limit: int) -> float:
        """The latest end cue ``i`` may have: the minimum gap before the next cue."""
        return cues[i + 1].start - gap if i + 1 < len(cues) else cues[i].start + limit


@register_rule
class MinGap(Rule):
    """Too small a gap between two cues (in frames at --fps), or a gap that should be bridged.

    Bad:  1 ends at 00:00:02,000, 2 starts at 00:00:02,040 (1 frame at 24 fps)
    Bad:  1 ends at 00:00:02,000, 2 starts at 00:00:02,250 (6 frames: Netflix closes 3-11 frames to 2)
    Good: 1 ends at 00:00:02,167, 2 starts at 00:00:02,250 (2 frames)
    """

    name, code, severity, category, fixable = "min-gap", "T004", Severity.WARNING, "timing", True

    def _problem(self, prev: Cue, cue: Cue, ctx: Context, limits: tuple[float, float] | None = None) -> str | None:
        min_frames, bridge = limits or self._limits(ctx)
        gap = cue.start - prev.end
        if gap < 0:
            return None  # an overlap, reported by its own rule
        frames = round(ctx.ms_to_frames(gap))
        if frames < min_frames:
            return f"gap of {frames} frames ({gap} ms), less than {min_frames}"
        if min_frames < frames <= bridge:
            return f"gap of {frames} frames ({gap} ms): close it to {min_frames} frames"
        return None

    @staticmethod
    def _limits(ctx: Context) -> tuple[float, float]:
        return ctx.profile.get("min_gap_frames") or 0, ctx.profile.get("bridge_gap_max_frames") or 0

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        cues, limits = track.cues, self._limits(ctx)
        for i in range(1, len(cues)):
            msg = self._problem(cues[i - 1], cues[i], ctx, limits)
            if msg:
                gap_frames = round(ctx.ms_to_frames(cues[i].start - cues[i - 1].end))
                yield self.finding(ctx, msg, i - 1, cues[i - 1], value=gap_frames,
                                   limit=ctx.profile.get("min_gap_frames"))

    def fix(self, track: Track, ctx: Context) -> list[Fix]:
        gap, cues, fixes = _min_gap_ms(ctx), track.cues, []
        max_ms = ctx.profile.get("max_duration_ms")
        for i in range(1, len(cues)):
            prev, cue = cues[i - 1], cues[i]
            if prev.duration <= 0 or cue.duration <= 0 or self._problem(prev, cue, ctx) is None:
                continue  # a cue without duration needs a person, not a fix
            new_end = cue.start - gap
            too_long = max_ms is not None and new_end > prev.end and new_end - prev.start > max_ms
            if new_end > prev.start and not too_long:
                prev.end = new_end
                fixes.append(Fix(self.name, i, f"end moved to {new_end} ms, {gap} ms before cue {i + 1}"))
                continue
            # Bridging by extending the earlier cue would pass the maximum duration:
            # start the later cue earlier instead, if that keeps it within the maximum.
            new_start = prev.end + gap
            if new_start < cue.start and (max_ms is None or cue.end - new_start <= max_ms):
                cue.start = new_start
                fixes.append(Fix(self.name, i + 1, f"start moved to {new_start} ms, {gap} ms after cue {i}"))
        return fixes
