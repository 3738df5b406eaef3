"""The HTML report: one self-contained page to read at a glance, forward, or print.

Per file: a summary (profile, cues, findings by severity and by rule), a
timeline of reading speed per cue against the profile's limit with every
finding marked (each mark links to its row), and the findings table, filterable
by rule and severity. Everything is inline (CSS, SVG, a small script); the page
loads nothing from the network. Without the script the page still reads
completely; the script only adds the filters (also from the address:
``report.html?rule=overlap&severity=error``).

Accessibility: real table markup with captions and header cells, a text
summary and a per-cue data table for the chart, and severities shown by shape
and word as well as by colour.
"""

from __future__ import annotations

import math
import statistics
from html import escape
from typing import Any, cast

from .._version import __version__
from ..model import format_timestamp
from ..qa import Finding, Severity
from . import FileReport, Report  # loaded already: this module is imported by subtrans.reports.render
from .html_assets import CSS, PAGE_ROWS, SCRIPT

__all__ = ["render"]

SEVERITIES = sorted(Severity, reverse=True)  # error, warning, info
# One shape per severity, the same in the chart, the legend, the summary and the table.
SHAPE_TEXT = {Severity.ERROR: "◆", Severity.WARNING: "▲", Severity.INFO: "●"}

# Chart geometry, in SVG user units (the SVG scales to the page width).
W, LEFT, RIGHT = 1000, 46, 16
LANE_ROW, PLOT_H, AXIS_H = 13, 190, 26
MAX_STACK = 5  # finding marks stacked over one cue before they overlap


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _num(x: float) -> str:
    return f"{x:.1f}"


def _clock(ms: float) -> str:
    s = int(round(ms / 1000))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _shape_path(sev: Severity, x: float, y: float, r: float = 5.5) -> str:
    if sev is Severity.ERROR:  # diamond
        return f'<path d="M{x:.1f} {y - r:.1f}L{x + r:.1f} {y:.1f}L{x:.1f} {y + r:.1f}L{x - r:.1f} {y:.1f}Z"/>'
    if sev is Severity.WARNING:  # triangle
        return (f'<path d="M{x:.1f} {y - r:.1f}L{x + r:.1f} {y + r * 0.8:.1f}'
                f'L{x - r:.1f} {y + r * 0.8:.1f}Z"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r * 0.8:.1f}"/>'


def _sev_label(sev: Severity) -> str:
    return f'<span class="sev sev-{sev}"><span class="shape" aria-hidden="true">{SHAPE_TEXT[sev]}</span> {sev}</span>'


def _nice_step(span: float, target: int) -> float:
    raw = span / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _time_step(duration_ms: float) -> int:
    for step in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600):
        if duration_ms / (step * 1000) <= 12:
            return step * 1000
    return 7200 * 1000


# ---------------------------------------------------------------------------
# Data


class _FileView:
    """What the page shows for one file, worked out once from its FileReport."""

    def __init__(self, fr: FileReport, n: int) -> None:
        self.fr, self.key = fr, f"f{n}"
        self.sep = "." if fr.format == "vtt" else ","
        self.findings = list(fr.findings)
        self.row_ids = [f"{self.key}-r{i}" for i in range(1, len(self.findings) + 1)]
        #: Above PAGED_FROM findings the table is drawn by the page from data embedded once (a page of rows
        #: at a time) and the chart marks one finding per span: a report of 170,000 findings stays small.
        self.paged = len(self.findings) > PAGED_FROM
        timeline = getattr(fr, "timeline", None)
        self.partial = timeline is None
        if timeline is None:  # an older FileReport: only the cues that broke the limit are known
            timeline = [(f.cue, f.start, f.end, f.value, f.limit) for f in self.findings
                        if f.rule == "reading-speed" and f.start is not None and isinstance(f.value, (int, float))]
        self.cues = [tuple(t[:4]) for t in timeline]
        limits = [t[4] for t in timeline if len(t) > 4 and t[4] is not None]
        if not limits:
            limits = [f.limit for f in self.findings if f.rule == "reading-speed" and isinstance(f.limit, (int, float))]
        self.limit = float(limits[0]) if limits else None
        speeds = [(c[3], c[0]) for c in self.cues if c[3] is not None]
        self.fastest = max(speeds) if speeds else None
        self.median = statistics.median(s for s, _ in speeds) if speeds else None
        self.over = [c for c in self.cues if c[3] is not None and self.limit is not None and c[3] > self.limit]
        self.by_sev = {s: sum(1 for f in self.findings if f.severity is s) for s in SEVERITIES}
        rules: dict[str, list[Finding]] = {}
        for f in self.findings:
            rules.setdefault(f.rule, []).append(f)
        self.by_rule = sorted(rules.items(), key=lambda kv: (-max(f.severity for f in kv[1]), -len(kv[1]), kv[0]))

    def timecode(self, start: int | None, end: int | None) -> str:
        if start is None:
            return ""
        return f"{format_timestamp(start, self.sep)} → {format_timestamp(cast(int, end), self.sep)}"


# ---------------------------------------------------------------------------
# Chart


def _chart(v: _FileView) -> str:
    cues = [c for c in v.cues if c[1] is not None and c[2] is not None]
    marks = [(row, f) for row, f in zip(v.row_ids, v.findings) if f.start is not None and f.end is not None]
    end_ms = max([c[2] for c in cues] + [f.end for _, f in marks] + [1000])
    spans = None
    if v.paged:   # one mark per span of the film: the most severe finding of the span, and how many there are
        bins: dict[int, list[tuple[str, Finding]]] = {}
        for row, f in marks:
            assert f.start is not None  # (marks are the timed findings)
            bins.setdefault(min(int(f.start * DENSE_BINS / max(end_ms, 1)), DENSE_BINS - 1), []).append((row, f))
        # (binned findings are timed: start is set)
        spans = {k: (max(fs, key=lambda rf: (rf[1].severity, -cast(int, rf[1].start))), len(fs))
                 for k, fs in bins.items()}
        marks = [rf for rf, _ in spans.values()]
    step_t = _time_step(end_ms)
    t_max = math.ceil(end_ms / step_t) * step_t
    plot_w = W - LEFT - RIGHT

    def x(ms: float) -> float:
        return float(LEFT + plot_w * min(max(ms, 0), t_max) / t_max)

    # Marks: one stack per cue, the most severe nearest the plot; past MAX_STACK they share the top place.
    stacks: dict[tuple[int, int], list[tuple[str, Finding]]] = {}
    for row, f in marks:
        assert f.start is not None and f.end is not None  # (marks are the timed findings)
        stacks.setdefault((f.start, f.end), []).append((row, f))
    depth = min(max((len(s) for s in stacks.values()), default=1), MAX_STACK)
    lane_h = 10 + depth * LANE_ROW
    top = lane_h + 6
    height = top + PLOT_H + AXIS_H

    speeds = [c[3] for c in cues if c[3] is not None]
    limit = v.limit
    peak = max(speeds, default=0)
    cap = (limit * 2.5) if limit else None  # a few absurd cues must not flatten the rest
    y_top = max(peak if cap is None else min(peak, cap), (limit or 0) * 1.4, 5)
    step_y = _nice_step(y_top, 4)
    y_max = math.ceil(y_top / step_y) * step_y

    def y(cps: float) -> float:
        return top + PLOT_H * (1 - min(cps, y_max) / y_max)

    out = [
        f'<svg class="chart" viewBox="0 0 {W} {height}" preserveAspectRatio="xMidYMid meet" role="group" '
        f'aria-labelledby="{v.key}-chart-title" focusable="false">',
        f'<title id="{v.key}-chart-title">Reading speed per cue over time'
        f'{f", limit {limit:g} characters per second" if limit else ""}; findings marked above</title>',
    ]
    # The zone above the limit: where the film runs too fast.
    if limit and limit < y_max:
        out.append(f'<rect class="zone" x="{LEFT}" y="{top}" width="{plot_w}" height="{y(limit) - top:.1f}"/>')
        out.append(f'<text class="zone-label" x="{W - RIGHT - 6}" y="{top + 13}" text-anchor="end">'
                   f'too fast: over {limit:g} CPS</text>')
    if marks:
        out.append(f'<text class="lane-label" x="{LEFT - 6}" y="{top - 6}" text-anchor="end">findings</text>')
    # Grid and axes.
    g = step_y
    while g <= y_max + 1e-9:
        out.append(f'<line class="grid" x1="{LEFT}" x2="{W - RIGHT}" y1="{y(g):.1f}" y2="{y(g):.1f}"/>')
        if not limit or abs(y(g) - y(limit)) > 11:
            out.append(f'<text class="tick" x="{LEFT - 6}" y="{y(g) + 4:.1f}" text-anchor="end">{g:g}</text>')
        g += step_y
    out.append(f'<text class="tick" x="{LEFT - 6}" y="{y(0) + 4:.1f}" text-anchor="end">0</text>')
    out.append(f'<text class="axis-title" x="12" y="{top + PLOT_H / 2:.1f}" text-anchor="middle" '
               f'transform="rotate(-90 12 {top + PLOT_H / 2:.1f})">CPS</text>')
    t = 0
    while t <= t_max:
        out.append(f'<line class="tickmark" x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{y(0):.1f}" y2="{y(0) + 5:.1f}"/>')
        anchor = "start" if t == 0 else "end" if t == t_max else "middle"
        out.append(f'<text class="tick" x="{x(t):.1f}" y="{y(0) + 18:.1f}" text-anchor="{anchor}">{_clock(t)}</text>')
        t += step_t
    # Guides from each mark down to its cue, while there are few enough to follow.
    for (start, end) in (stacks if len(stacks) <= 80 else ()):
        cx = x((start + end) / 2)
        out.append(f'<line class="guide" x1="{cx:.1f}" x2="{cx:.1f}" y1="{top - 4}" y2="{y(0):.1f}"/>')
    # Bars: the part within the limit, and the excess above it. A long film is drawn in spans
    # (the fastest cue of each), so that a fast stretch stays visible at the page's width.
    items = _bars(v, cues, limit, t_max, plot_w)
    for x0, x1, cps, tip, key in items:
        over = limit is not None and cps > limit
        w = max(x(x1) - x(x0) - 0.6, 1.0)
        out.append(f'<g class="bar{" over" if over else ""}" {key}><title>{_e(tip)}</title>')
        if over:
            assert limit is not None  # (over says so)
            out.append(f'<rect class="ok" x="{x(x0):.1f}" y="{y(limit):.1f}" width="{w:.1f}" '
                       f'height="{y(0) - y(limit):.1f}"/>')
            out.append(f'<rect class="excess" x="{x(x0):.1f}" y="{y(cps):.1f}" width="{w:.1f}" '
                       f'height="{y(limit) - y(cps):.1f}"/>')
        else:
            out.append(f'<rect class="ok" x="{x(x0):.1f}" y="{y(cps):.1f}" width="{w:.1f}" '
                       f'height="{max(y(0) - y(cps), 0):.1f}"/>')
        out.append("</g>")
    # Values over the limit: the fastest few, where there is room.
    placed: list[float] = []
    for x0, x1, cps, _, _ in sorted(items, key=lambda it: -it[2]):
        if limit is None or cps <= limit or len(placed) >= 8:
            break
        cx = (x(x0) + x(x1)) / 2
        if all(abs(cx - p) > 38 for p in placed):
            out.append(f'<text class="value" x="{cx:.1f}" y="{max(y(cps) - 4, top + 10):.1f}" '
                       f'text-anchor="middle">{"↑" if cps > y_max else ""}{_num(cps)}</text>')
            placed.append(cx)
    # The limit line, drawn over the bars, its value on the axis.
    if limit:
        out.append(f'<line class="limit" x1="{LEFT}" x2="{W - RIGHT}" y1="{y(limit):.1f}" y2="{y(limit):.1f}"/>')
        out.append(f'<text class="limit-label" x="{LEFT - 6}" y="{y(limit) + 4:.1f}" text-anchor="end">'
                   f'{limit:g}</text>')
    out.append(f'<line class="axis" x1="{LEFT}" x2="{W - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}"/>')
    # Finding marks, each a link to its row in the table.
    counts = {id(rf[1]): n for rf, n in spans.values()} if spans else {}
    for (start, end), fs in stacks.items():
        cx = x((start + end) / 2)
        fs = sorted(fs, key=lambda rf: -rf[1].severity)
        for k, (row, f) in enumerate(fs):
            cy = top - 9 - min(k, depth - 1) * LANE_ROW
            label = f"cue {f.cue}: {f.rule}, {f.severity}: {f.message}"
            if counts.get(id(f), 1) > 1:
                label = f"{counts[id(f)]} findings around {_clock(start)}; the most severe: " + label  # its stack's start
            out.append(f'<a class="mark sev-{f.severity}" href="#{row}" data-rule="{_e(f.rule)}" '
                       f'data-severity="{f.severity}"><title>{_e(label)}</title>{_shape_path(f.severity, cx, cy)}</a>')
        if len(fs) > depth:
            out.append(f'<text class="more" x="{cx + 8:.1f}" y="{top - 9 - (depth - 1) * LANE_ROW + 4:.1f}">'
                       f'+{len(fs) - depth}</text>')
    out.append("</svg>")
    return "\n".join(out)


DENSE_BINS = 240  # more cues than this many spans: draw spans, not cues
PAGED_FROM = 2000  # more findings than this in a file: a paged table from embedded data
SPEED_TABLE_ALL_UP_TO = 5000  # more cues: the folded reading-speed table lists the cues over the limit only


def _bars(v: _FileView, cues: list[tuple[Any, ...]], limit: Any, t_max: float, plot_w: float) -> list[tuple[Any, ...]]:
    """(start, end, cps, tooltip, attributes) per bar: one per cue, or one per span of a long film."""
    timed = [c for c in cues if c[3] is not None]
    if len(timed) <= DENSE_BINS:
        items = []
        for cue, start, end, cps in timed:
            tip = f"cue {cue}, {v.timecode(start, end)}: {_num(cps)} CPS"
            if limit:
                tip += f" (limit {limit:g}{', too fast' if cps > limit else ''})"
            items.append((start, end, cps, tip, f'data-cue="{cue}"'))
        return items
    span = t_max / DENSE_BINS
    bins: dict[int, list[tuple[Any, ...]]] = {}
    for c in timed:
        for b in range(int(c[1] // span), int(max(c[2] - 1, c[1]) // span) + 1):
            bins.setdefault(b, []).append(c)
    items = []
    for b, cs in sorted(bins.items()):
        cps, cue = max((c[3], c[0]) for c in cs)
        over = sum(1 for c in cs if limit is not None and c[3] > limit)
        tip = (f"{_clock(b * span)}–{_clock((b + 1) * span)}: {_plural(len(cs), 'cue')}, fastest cue {cue} "
               f"at {_num(cps)} CPS" + (f"; {over} over the limit {limit:g}" if over else ""))
        items.append((b * span, (b + 1) * span, cps, tip, f'data-span="{b}"'))
    return items


def _chart_text(v: _FileView) -> str:
    """The chart in words, for people who cannot see it (and for everyone in a hurry)."""
    timed = [c for c in v.cues if c[1] is not None]
    if not timed:
        return "No cue has a reading speed to show."
    end_ms = max(c[2] for c in timed)
    parts = []
    if v.partial:
        parts.append("This report was made without the per-cue reading speeds; only the cues over the limit are "
                     "drawn.")
    parts.append(f"Reading speed of {_plural(len(timed), 'cue')} over {_clock(end_ms)}"
                 + (f", against a limit of {v.limit:g} characters per second (CPS)." if v.limit else
                    "; the profile sets no reading-speed limit."))
    speeds = [c for c in timed if c[3] is not None]
    if len(speeds) > DENSE_BINS:
        span = math.ceil(end_ms / _time_step(end_ms)) * _time_step(end_ms) / DENSE_BINS / 1000
        parts.append(f"Each bar is the fastest cue in a span of {span:.0f} seconds.")
    if v.limit is not None and not v.partial:
        share = 100 * len(v.over) / max(len(timed), 1)
        if v.over:
            listed = ", ".join(f"cue {c[0]} at {_clock(c[1])} ({_num(c[3])} CPS)" for c in v.over[:8])
            more = f" and {len(v.over) - 8} more" if len(v.over) > 8 else ""
            parts.append(f"{_plural(len(v.over), 'cue')} ({share:.0f}%) over the limit: {listed}{more}.")
        else:
            parts.append("No cue is over the limit.")
    if v.fastest and not v.partial:
        assert v.median is not None  # (set whenever fastest is)
        parts.append(f"Fastest: cue {v.fastest[1]}, {_num(v.fastest[0])} CPS; median {_num(v.median)} CPS.")
    marked = sum(1 for f in v.findings if f.start is not None)
    if marked:
        parts.append(f"{_plural(marked, 'finding')} marked above the chart, each linked to its row in the table.")
    return " ".join(parts)


def _speed_table(v: _FileView) -> str:
    rows = []
    every = len(v.cues) <= SPEED_TABLE_ALL_UP_TO
    for cue, start, end, cps in v.cues if every else v.over:
        over = cps is not None and v.limit is not None and cps > v.limit
        rows.append(f'<tr{" class=over" if over else ""}><td class="num">{cue}</td>'
                    f'<td class="time">{_e(v.timecode(start, end))}</td>'
                    f'<td class="num">{"—" if cps is None else _num(cps)}</td>'
                    f'<td>{"▲ over the limit" if over else ""}</td></tr>')
    return (
        f'<details class="speeds"><summary>Reading speed per cue, as a table ('
        f'{_plural(len(v.cues), "cue") if every else _plural(len(rows), "cue") + " over the limit, of " + str(len(v.cues))})'
        f'</summary>'
        f'<table><caption class="visually-hidden">Reading speed per cue</caption>'
        f'<thead><tr><th scope="col">Cue</th><th scope="col">Time</th><th scope="col">CPS</th>'
        f'<th scope="col">Limit {"" if v.limit is None else f"{v.limit:g}"}</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></details>'
    )


def _legend(v: _FileView) -> str:
    items = ['<li><span class="key key-ok" aria-hidden="true"></span> reading speed within the limit</li>']
    if v.limit:
        items.append('<li><span class="key key-excess" aria-hidden="true"></span> the part over the limit</li>')
        items.append(f'<li><span class="key key-limit" aria-hidden="true"></span> limit {v.limit:g} CPS</li>')
    for s in SEVERITIES:
        items.append(f'<li><svg class="key-shape sev-{s}" viewBox="0 0 14 14" aria-hidden="true">'
                     f'{_shape_path(s, 7, 7.5)}</svg> {s}</li>')
    return f'<ul class="legend" aria-label="Legend">{"".join(items)}</ul>'


# ---------------------------------------------------------------------------
# Page parts


def _summary(v: _FileView) -> tuple[str, str]:
    """The headline numbers, and the details (profile, signature, findings by rule)."""
    fr = v.fr
    cards = []
    for s in SEVERITIES:
        n = v.by_sev[s]
        cards.append(f'<div class="card sev-{s}{" zero" if not n else ""}"><span class="big">{n}</span>'
                     f'<span class="what">{_sev_label(s)}</span></div>')
    if v.limit is not None and not v.partial:
        timed = sum(1 for c in v.cues if c[3] is not None)
        cards.append(f'<div class="card speed{" zero" if not v.over else ""}"><span class="big">{len(v.over)}'
                     f'<small>/{timed}</small></span><span class="what">cues over {v.limit:g} CPS</span></div>')
    if v.fastest and not v.partial:
        cards.append(f'<div class="card fastest"><span class="big">{_num(v.fastest[0])}</span>'
                     f'<span class="what">fastest CPS · cue {v.fastest[1]}</span></div>')
    picked = " (picked from the language of the text)" if fr.profile_auto else ""
    facts = (
        f'<dl class="facts"><div><dt>Profile</dt><dd>{_e(fr.profile)}{_e(picked)}</dd></div>'
        f'<div><dt>Cues</dt><dd>{fr.cues}</dd></div>'
        f'<div><dt>Format</dt><dd>{_e(fr.format)}, {_e(fr.encoding)}</dd></div>'
        + (f'<div><dt>Bilingual</dt><dd>{_e(fr.bilingual.describe())}: each line measured in its own '
           f'language</dd></div>' if fr.bilingual else '')
        + f'<div><dt>Signature</dt><dd><code>{_e(fr.signature)}</code></dd></div>'
    )
    if fr.fixes:
        facts += (f'<div><dt>Fixed</dt><dd>{_plural(len(fr.fixes), "problem")}, written to '
                  f'<code>{_e(fr.output)}</code></dd></div>')
    facts += "</dl>"
    rules = ""
    if v.by_rule:
        top = max(len(fs) for _, fs in v.by_rule)
        body = []
        for rule, fs in v.by_rule:
            worst = max(f.severity for f in fs)
            body.append(
                f'<tr><th scope="row"><a href="#{v.key}-findings" data-set-rule="{_e(rule)}">{_e(rule)}</a> '
                f'<span class="code">{_e(fs[0].code)}</span></th><td>{_sev_label(worst)}</td>'
                f'<td class="num">{len(fs)}</td><td class="barcell" aria-hidden="true">'
                f'<span class="hbar sev-{worst}" style="width:{100 * len(fs) / top:.0f}%"></span></td></tr>')
        rules = (f'<table class="by-rule"><caption>Findings by rule</caption><thead><tr><th scope="col">Rule</th>'
                 f'<th scope="col">Severity</th><th scope="col" class="num">Findings</th><th scope="col">'
                 f'<span class="visually-hidden">Share</span></th></tr></thead><tbody>{"".join(body)}</tbody></table>')
    return f'<div class="cards">{"".join(cards)}</div>', f'<div class="summary">{facts}{rules}</div>'


def _value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0")
        return text + "0" if text.endswith(".") else text
    return f"<code>{_e(value)}</code>" if isinstance(value, str) else _e(value)


def _findings_table(v: _FileView) -> str:
    if not v.findings:
        return ('<p class="clean"><span aria-hidden="true">✓</span> No findings: every cue passes the '
                "profile's rules.</p>")
    if v.paged:
        return _paged_table(v)
    rows = []
    texts = getattr(v.fr, "texts", None) or {}
    rank = {"error": 3, "warning": 2, "info": 1}
    for row_id, f in zip(v.row_ids, v.findings):
        cue = "file" if f.cue is None else str(f.cue)
        sub = []
        if f.id is not None and f.id != cue:
            sub.append(f"id {_e(f.id)}")
        if f.line:
            sub.append(f"line {f.line}")
        cue_cell = f'{cue}{"<small>" + " · ".join(sub) + "</small>" if sub else ""}'
        text = texts.get(f.cue, "") if f.cue is not None else ""
        rows.append(
            f'<tr id="{row_id}" class="finding sev-{f.severity}" data-rule="{_e(f.rule)}" '
            f'data-severity="{f.severity}"><th scope="row" class="num" data-sort="{f.cue if f.cue is not None else 0}">'
            f'{cue_cell}</th>'
            f'<td class="time" data-sort="{f.start if f.start is not None else -1}">{_e(v.timecode(f.start, f.end))}</td>'
            f'<td class="text" lang="{_e(_lang(v.fr))}">{_e(text).replace(chr(10), "<br>")}</td>'
            f'<td>{_e(f.rule)} <span class="code">{_e(f.code)}</span></td>'
            f'<td data-sort="{rank.get(str(f.severity), 0)}">{_sev_label(f.severity)}</td>'
            f'<td class="msg">{_e(f.message)}</td>'
            f'<td class="val"{_sort_key(f.value)}>{_value(f.value)}</td>'
            f'<td class="val"{_sort_key(f.limit)}>{_value(f.limit)}</td></tr>')
    heads = "".join(f'<th scope="col" data-col="{key}" aria-sort="none"><button type="button">{label}</button></th>'
                    for key, label in _COLUMNS)
    return (
        _filters(v) +
        f'<div class="table-wrap"><table class="findings" id="{v.key}-table"><caption>'
        f'{_plural(len(v.findings), "finding")} in {_e(v.fr.path)} (a column\'s heading sorts by it)</caption>'
        f'<thead><tr>{heads}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
        f'<p class="no-match" hidden>No finding matches these filters.</p>'
    )


_COLUMNS = (("cue", "Cue"), ("time", "Time"), ("text", "Text"), ("rule", "Rule"), ("severity", "Severity"),
            ("message", "Message"), ("value", "Value"), ("limit", "Limit"))


def _filters(v: _FileView) -> str:
    rule_opts = "".join(f'<option value="{_e(r)}">{_e(r)} ({len(fs)})</option>' for r, fs in sorted(v.by_rule))
    sev_opts = "".join(f'<option value="{s}">{s} ({v.by_sev[s]})</option>' for s in SEVERITIES)
    return (f'<div class="filters" hidden><label>Search <input type="search" data-filter="q" '
            f'placeholder="text, rule, time…" aria-label="Search the findings"></label> '
            f'<label>Rule <select data-filter="rule"><option value="">all rules</option>'
            f'{rule_opts}</select></label> <label>Severity <select data-filter="severity"><option value="">'
            f'all severities</option>{sev_opts}</select></label> <output aria-live="polite"></output></div>')


def _paged_table(v: _FileView) -> str:
    """The findings of a large file as data embedded once (compact rows, each cue's text once), which the
    page's script filters, sorts and draws a page at a time."""
    import json

    rules: dict[str, int] = {}
    texts: dict[int, int] = {}
    text_list: list[str] = []
    cue_texts = getattr(v.fr, "texts", None) or {}
    rank = {"info": 1, "warning": 2, "error": 3}
    rows = []
    for f in v.findings:
        r = rules.setdefault(f.rule, len(rules))
        t = -1
        if f.cue is not None and f.cue in cue_texts:
            t = texts.get(f.cue, -1)
            if t == -1:
                t = texts[f.cue] = len(text_list)
                text_list.append(cue_texts[f.cue])
        ident = f.id if f.id is not None and f.id != str(f.cue) else None
        value = f.value if not isinstance(f.value, float) else round(f.value, 2)
        limit = f.limit if not isinstance(f.limit, float) else round(f.limit, 2)
        rows.append([f.cue or 0, ident, f.line or 0, -1 if f.start is None else f.start,
                     -1 if f.end is None else f.end, t, r, rank[str(f.severity)], f.message, value, limit])
    codes = {f.rule: f.code for f in v.findings}
    data = {"sep": v.sep, "lang": _lang(v.fr), "rules": list(rules), "codes": [codes[r] for r in rules],
            "texts": text_list, "rows": rows}
    blob = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    heads = "".join(f'<th scope="col" data-col="{key}" aria-sort="none"><button type="button">{label}</button></th>'
                    for key, label in _COLUMNS)
    return (
        _filters(v)
        + f'<div class="table-wrap"><table class="findings paged" id="{v.key}-table"><caption>'
        f'{_plural(len(v.findings), "finding")} in {_e(v.fr.path)}, {PAGE_ROWS} a page (a column\'s heading '
        f'sorts by it)</caption><thead><tr>{heads}</tr></thead><tbody></tbody></table></div>'
        f'<div class="pager" hidden><button type="button" data-page="prev">← Previous</button> '
        f'<span class="page-info" aria-live="polite"></span> '
        f'<button type="button" data-page="next">Next →</button></div>'
        f'<p class="no-match" hidden>No finding matches these filters.</p>'
        f'<noscript><p>{_plural(len(v.findings), "finding")}: this table is drawn by the page\'s script. '
        f'The JSON, JUnit or SARIF report lists them without one.</p></noscript>'
        f'<script type="application/json" class="findings-data">{blob}</script>'
    )


def _sort_key(value: object) -> str:
    """A ``data-sort`` attribute for a numeric cell (text cells sort by their text)."""
    return f' data-sort="{value}"' if isinstance(value, (int, float)) and not isinstance(value, bool) else ""


def _lang(fr: FileReport) -> str:
    profile = (fr.profile or "").lower()
    return "zh-Hant" if "hant" in profile else "zh-Hans" if "zh" in profile else "ru" if "-ru" in profile else ""


def _mark_terms(text: str, terms: list[str]) -> str:
    """Escape ``text`` and wrap each term found in it in <mark>."""
    spans: list[tuple[int, int]] = []
    for term in sorted({t for t in terms if t}, key=len, reverse=True):
        start = text.find(term)
        while start != -1:
            if not any(a < start + len(term) and start < b for a, b in spans):
                spans.append((start, start + len(term)))
            start = text.find(term, start + 1)
    out, pos = [], 0
    for a, b in sorted(spans):
        out.append(_e(text[pos:a]) + "<mark>" + _e(text[a:b]) + "</mark>")
        pos = b
    out.append(_e(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def _pairs_table(v: _FileView) -> str:
    pairs = getattr(v.fr, "pairs", None)
    if not pairs:
        return ""
    flagged: dict[int, list[tuple[str, Finding]]] = {}
    for row_id, f in zip(v.row_ids, v.findings):
        if f.code.startswith("P") and f.cue is not None:
            flagged.setdefault(f.cue, []).append((row_id, f))
    rows = []
    for cue, src, tgt, terms in pairs:
        marks = flagged.get(cue, [])
        note = "".join(f'<a href="#{row_id}" class="pair-flag sev-{f.severity}">{_sev_label(f.severity)} '
                       f'{_e(f.rule)}: {_e(f.message)}</a>' for row_id, f in marks)
        cls = ' class="mismatch"' if marks else ""
        rows.append(f'<tr{cls}><th scope="row" class="num">{cue}</th>'
            f'<td>{_mark_terms(src, [s for s, _ in terms])}</td>'
            f'<td>{_mark_terms(tgt, [t for _, t in terms])}</td><td class="msg">{note or "—"}</td></tr>')
    n_terms = sum(len(t) for *_, t in pairs)
    return (
        f'<h3 id="{v.key}-pairs">Source and translation</h3>'
        f'<p class="pairs-note">{_plural(len(pairs), "cue")} side by side; glossary terms '
        f'({n_terms} in the source) are <mark>highlighted</mark>; rows with a source-versus-translation '
        f'finding are marked and link to it.</p>'
        f'<div class="table-wrap"><table class="pairs" id="{v.key}-pairs-table"><caption>Source and '
        f'translation of {_e(v.fr.path)}</caption><thead><tr><th scope="col">Cue</th><th scope="col">Source'
        f'</th><th scope="col">Translation</th><th scope="col">Mismatches</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></div>'
    )


def _error_section(fr: FileReport, key: str) -> str:
    err = fr.error
    assert err is not None  # called for an unreadable file
    details = []
    if err.line is not None:
        details.append(f"<div><dt>Line</dt><dd>{err.line}</dd></div>")
    if err.text:
        details.append(f"<div><dt>Text</dt><dd><code>{_e(err.text)}</code></dd></div>")
    if err.hint:
        details.append(f"<div><dt>What to do</dt><dd>{_e(err.hint)}</dd></div>")
    return (
        f'<section class="file unreadable" id="{key}" aria-labelledby="{key}-title">'
        f'<h2 id="{key}-title">{_e(fr.path)}</h2>'
        f'<div class="error-box"><p><span class="shape" aria-hidden="true">◆</span> <strong>Cannot be checked '
        f'({_e(type(err).__name__)}):</strong> {_e(err.message)}</p>'
        f'{"<dl class=facts>" + "".join(details) + "</dl>" if details else ""}</div></section>'
    )


def _file_section(v: _FileView) -> str:
    fr, key = v.fr, v.key
    status = _plural(len(v.findings), "finding") if v.findings else "clean"
    cards, details = _summary(v)
    return (
        f'<section class="file" id="{key}" aria-labelledby="{key}-title">'
        f'<h2 id="{key}-title">{_e(fr.path)} <span class="status">{status}</span></h2>'
        f"{cards}"
        f'<figure class="timeline" aria-describedby="{key}-chart-text">'
        f'<h3>Reading speed over time</h3>{_legend(v)}'
        f'<div class="chart-wrap">{_chart(v)}</div>'
        f'<figcaption id="{key}-chart-text">{_e(_chart_text(v))}</figcaption>{_speed_table(v)}</figure>'
        f"{details}"
        f'<h3 id="{key}-findings">Findings</h3>{_findings_table(v)}{_pairs_table(v)}</section>'
    )


def _overview(report: Report, views: list[tuple[str, FileReport, _FileView | None]]) -> str:
    rows = []
    for key, fr, v in views:
        if v is None:
            rows.append(f'<tr><th scope="row"><a href="#{key}">{_e(fr.path)}</a></th><td colspan="6">'
                        f'{_sev_label(Severity.ERROR)}: cannot be checked</td></tr>')
            continue
        over = "—" if v.limit is None or v.partial else str(len(v.over))
        rows.append(f'<tr><th scope="row"><a href="#{key}">{_e(fr.path)}</a></th><td>{_e(fr.profile)}</td>'
                    f'<td class="num">{fr.cues}</td>'
                    + "".join(f'<td class="num">{v.by_sev[s]}</td>' for s in SEVERITIES)
                    + f'<td class="num">{over}</td></tr>')
    return ('<table class="overview"><caption>Files</caption><thead><tr><th scope="col">File</th>'
            '<th scope="col">Profile</th><th scope="col" class="num">Cues</th>'
            + "".join(f'<th scope="col" class="num">{_sev_label(s)}</th>' for s in SEVERITIES)
            + f'<th scope="col" class="num">Cues too fast</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def render(report: Report) -> str:
    views = []
    for n, fr in enumerate(report.files, 1):
        views.append((f"f{n}", fr, None if fr.error is not None else _FileView(fr, n)))
    c = report.counts()
    sev = ", ".join(_plural(n, name) for name, n in c["by_severity"].items() if n)
    failing = sum(1 for fr in report.files for f in fr.findings if report.failing(f))
    code = report.exit_code()
    if code == 2:
        verdict = ("fail", f"{_plural(c['files_unreadable'], 'file')} could not be checked")
    elif code == 1:
        verdict = ("fail", f"{_plural(failing, 'finding')} at or above --fail-on {report.fail_on}")
    else:
        verdict = ("pass", "passes" + (f" --fail-on {report.fail_on}" if report.fail_on is not None else
                                       " (--fail-on never)"))
    headline = (f"{_plural(c['files'], 'file')}, {_plural(c['cues'], 'cue')}, {_plural(c['findings'], 'finding')}"
                + (f" ({sev})" if sev else ""))
    title = report.files[0].path if len(report.files) == 1 else _plural(len(report.files), "file")
    sections = [_error_section(fr, key) if v is None else _file_section(v) for key, fr, v in views]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        f'<meta name="generator" content="subtrans {_e(__version__)}">'
        f"<title>Subtitle QA: {_e(title)}</title><style>{CSS}</style></head>\n<body>"
        f'<header class="page"><p class="kicker">subtrans check</p><h1>Subtitle QA report</h1>'
        f'<p class="headline">{_e(headline)} <span class="verdict {verdict[0]}">'
        f'{"✗" if verdict[0] == "fail" else "✓"} {_e(verdict[1])}</span></p>'
        f'<p class="sig">Signature <code>{_e(report.signature)}</code> · subtrans {_e(__version__)}</p></header>'
        f'<main>{_overview(report, views) if len(views) > 1 else ""}\n' + "\n".join(sections)
        + f"</main><script>{SCRIPT}</script></body></html>\n"
    )
