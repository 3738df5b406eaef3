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
    step_t = _time_step(end_ms)
    t_max = math.ceil(end_ms / step_t) * step_t
    plot_w = W - LEFT - RIGHT

    def x(ms: float) -> float:
        return float(LEFT + plot_w * min(max(ms, 0), t_max) / t_max)

    # Marks: one stack per cue, the most severe nearest the plot; past MAX_STACK they share the top place.
    stacks: dict[tuple[int | None, int | None], list[tuple[str, Finding]]] = {}
    for row, f in marks:
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
    for (start, end), fs in stacks.items():
        cx = x((start + end) / 2)
        fs = sorted(fs, key=lambda rf: -rf[1].severity)
        for k, (row, f) in enumerate(fs):
            cy = top - 9 - min(k, depth - 1) * LANE_ROW
            label = f"cue {f.cue}: {f.rule}, {f.severity}: {f.message}"
            out.append(f'<a class="mark sev-{f.severity}" href="#{row}" data-rule="{_e(f.rule)}" '
                       f'data-severity="{f.severity}"><title>{_e(label)}</title>{_shape_path(f.severity, cx, cy)}</a>')
        if len(fs) > depth:
            out.append(f'<text class="more" x="{cx + 8:.1f}" y="{top - 9 - (depth - 1) * LANE_ROW + 4:.1f}">'
                       f'+{len(fs) - depth}</text>')
    out.append("</svg>")
    return "\n".join(out)


DENSE_BINS = 240  # more cues than this many spans: draw spans, not cues


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
        parts.append(f"Fastest: cue {v.fastest[1]}, {_num(v.fastest[0])} CPS; median {_num(v.median)} CPS.")
    marked = sum(1 for f in v.findings if f.start is not None)
    if marked:
        parts.append(f"{_plural(marked, 'finding')} marked above the chart, each linked to its row in the table.")
    return " ".join(parts)


def _speed_table(v: _FileView) -> str:
    rows = []
    for cue, start, end, cps in v.cues:
        over = cps is not None and v.limit is not None and cps > v.limit
        rows.append(f'<tr{" class=over" if over else ""}><td class="num">{cue}</td>'
                    f'<td class="time">{_e(v.timecode(start, end))}</td>'
                    f'<td class="num">{"—" if cps is None else _num(cps)}</td>'
                    f'<td>{"▲ over the limit" if over else ""}</td></tr>')
    return (
        f'<details class="speeds"><summary>Reading speed per cue, as a table ({_plural(len(v.cues), "cue")})</summary>'
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
    rule_opts = "".join(f'<option value="{_e(r)}">{_e(r)} ({len(fs)})</option>' for r, fs in sorted(v.by_rule))
    sev_opts = "".join(f'<option value="{s}">{s} ({v.by_sev[s]})</option>' for s in SEVERITIES)
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
                    for key, label in (("cue", "Cue"), ("time", "Time"), ("text", "Text"), ("rule", "Rule"),
                                       ("severity", "Severity"), ("message", "Message"), ("value", "Value"),
                                       ("limit", "Limit")))
    return (
        f'<div class="filters" hidden><label>Search <input type="search" data-filter="q" '
        f'placeholder="text, rule, time…" aria-label="Search the findings"></label> '
        f'<label>Rule <select data-filter="rule"><option value="">all rules</option>'
        f'{rule_opts}</select></label> <label>Severity <select data-filter="severity"><option value="">'
        f'all severities</option>{sev_opts}</select></label> <output aria-live="polite"></output></div>'
        f'<div class="table-wrap"><table class="findings" id="{v.key}-table"><caption>'
        f'{_plural(len(v.findings), "finding")} in {_e(v.fr.path)} (a column\'s heading sorts by it)</caption>'
        f'<thead><tr>{heads}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
        f'<p class="no-match" hidden>No finding matches these filters.</p>'
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


CSS = """
:root{--bg:#fff;--fg:#1c2230;--muted:#5a6375;--line:#dde2ea;--soft:#f4f6f9;--accent:#2457a6;
--ok:#8fa8c8;--excess:#c8283c;--zone:#fbe9eb;--limit:#a3192b;
--error:#b3192b;--warning:#a35c00;--info:#2a66b0;--pass:#1f7a35;--target:#fff4c2}
@media (prefers-color-scheme:dark){:root{--bg:#14171d;--fg:#e6e9ef;--muted:#9aa3b2;--line:#2f3541;--soft:#1c2028;
--accent:#8db4ff;--ok:#5f7aa0;--excess:#ff5a6e;--zone:#3a1d23;--limit:#ff7a88;--error:#ff6b7d;--warning:#f0a640;
--info:#79aef2;--pass:#5cc879;--target:#4a4220}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
"Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei","Liberation Sans",sans-serif}
header.page,main{max-width:1180px;margin:0 auto;padding:0 24px}
header.page{padding-top:22px;padding-bottom:10px;border-bottom:1px solid var(--line)}
.kicker{margin:0;color:var(--muted);font-size:13px;letter-spacing:.06em;text-transform:uppercase}
h1{margin:2px 0 6px;font-size:26px}
h2{font-size:20px;margin:0 0 14px;display:flex;gap:12px;align-items:baseline;flex-wrap:wrap;word-break:break-all}
h3{font-size:16px;margin:22px 0 8px}
.headline{margin:0 0 4px;font-size:16px}
.verdict{display:inline-block;margin-left:8px;padding:1px 10px;border-radius:999px;font-weight:600;font-size:14px;
border:1.5px solid currentColor}
.verdict.fail{color:var(--error)}.verdict.pass{color:var(--pass)}
.sig{margin:0;color:var(--muted);font-size:12.5px}
code{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.9em;white-space:pre-wrap;word-break:break-word}
section.file{padding:22px 0 26px;border-bottom:1px solid var(--line)}
.status{font-size:14px;font-weight:500;color:var(--muted)}
.summary{display:grid;grid-template-columns:minmax(280px,2fr) 3fr;gap:18px 36px;align-items:start;margin-top:20px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(172px,1fr));gap:12px}
.card{border:1px solid var(--line);border-left:5px solid var(--muted);border-radius:8px;padding:8px 12px;
background:var(--soft)}
.card .big{display:block;font-size:28px;font-weight:700;line-height:1.1;font-variant-numeric:tabular-nums}
.card .big small{font-size:15px;font-weight:500;color:var(--muted)}
.card .what{font-size:13px;color:var(--muted)}
.card.sev-error{border-left-color:var(--error)}.card.sev-warning{border-left-color:var(--warning)}
.card.sev-info{border-left-color:var(--info)}.card.speed{border-left-color:var(--excess)}
.card.fastest{border-left-color:var(--ok)}
.card.zero{opacity:.6}.card.zero .big{font-weight:500}
.facts{margin:0;display:grid;grid-template-columns:1fr;gap:8px}
.facts div{min-width:0}.facts dt{font-size:12px;color:var(--muted)}.facts dd{margin:0;font-size:14px}
table{border-collapse:collapse;font-size:14px}
caption{text-align:left;font-weight:600;padding:0 0 6px}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{font-size:12.5px;color:var(--muted);font-weight:600;border-bottom:2px solid var(--line)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.by-rule{width:100%;max-width:560px}.by-rule th[scope=row]{font-weight:500}
.barcell{width:30%}.hbar{display:block;height:9px;border-radius:3px;background:var(--muted);min-width:3px}
.hbar.sev-error{background:var(--error)}.hbar.sev-warning{background:var(--warning)}
.hbar.sev-info{background:var(--info)}
.code{font-size:11.5px;color:var(--muted);font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace}
.sev{white-space:nowrap;font-weight:600}
.sev-error .shape,.sev.sev-error{color:var(--error)}.sev.sev-warning{color:var(--warning)}
.sev.sev-info{color:var(--info)}
figure.timeline{margin:18px 0 0;padding:12px 14px 10px;border:1px solid var(--line);border-radius:10px}
figure.timeline h3{margin:0 0 4px;display:inline-block}
.legend{list-style:none;margin:0 0 4px;padding:0;display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12.5px;
color:var(--muted)}
.legend li{display:flex;align-items:center;gap:5px}
.key{display:inline-block;width:14px;height:10px;border-radius:2px}
.key-ok{background:var(--ok)}.key-excess{background:var(--excess)}
.key-limit{height:0;border-top:2px dashed var(--limit);width:18px}
.key-shape{width:14px;height:14px}
.chart{display:block;width:100%;height:auto;overflow:visible}
.chart .zone{fill:var(--zone)}
.chart .zone-label{fill:var(--limit);font-size:12px;font-weight:600;opacity:.85}
.chart .grid{stroke:var(--line);stroke-width:1}
.chart .axis{stroke:var(--muted);stroke-width:1.2}.chart .tickmark{stroke:var(--muted)}
.chart .tick{fill:var(--muted);font-size:11.5px;font-variant-numeric:tabular-nums}
.chart .axis-title{fill:var(--muted);font-size:11.5px;font-weight:600}
.chart .guide{stroke:var(--muted);stroke-width:1;stroke-dasharray:2 3;opacity:.45}
.chart .bar .ok{fill:var(--ok)}.chart .bar .excess{fill:var(--excess)}
.chart .bar:hover rect{opacity:.75}
.chart .value{fill:var(--excess);font-size:12px;font-weight:700;font-variant-numeric:tabular-nums}
.chart .limit{stroke:var(--limit);stroke-width:1.6;stroke-dasharray:7 4}
.chart .limit-label{fill:var(--limit);font-size:11.5px;font-weight:600;paint-order:stroke;stroke:var(--bg);
stroke-width:3px}
.chart .more{fill:var(--muted);font-size:11px}
.chart .lane-label{fill:var(--muted);font-size:10px}
.mark path,.mark circle,.key-shape path,.key-shape circle{stroke:var(--bg);stroke-width:1}
.sev-error path,.sev-error circle{fill:var(--error)}.sev-warning path,.sev-warning circle{fill:var(--warning)}
.sev-info path,.sev-info circle{fill:var(--info)}
.mark{cursor:pointer}.mark:hover path,.mark:hover circle,.mark:focus-visible path,.mark:focus-visible circle{
stroke:var(--fg);stroke-width:2}
.mark:focus{outline:none}
.mark.dim{opacity:.18}
figcaption{font-size:13.5px;color:var(--muted);margin-top:6px}
details.speeds{margin-top:6px;font-size:13.5px}
details.speeds summary{cursor:pointer;color:var(--accent)}
details.speeds table{margin-top:6px}
details.speeds tr.over td{color:var(--excess);font-weight:600}
.filters{display:flex;flex-wrap:wrap;gap:8px 18px;align-items:center;margin:0 0 8px;font-size:14px}
.filters select{font:inherit;padding:3px 6px;margin-left:4px;border:1px solid var(--line);border-radius:6px;
background:var(--bg);color:var(--fg)}
.filters output{color:var(--muted)}
.table-wrap{overflow-x:auto}
table.findings{width:100%}
table.pairs{width:100%}
table.pairs td{vertical-align:top}
table.pairs tr.mismatch>:first-child{border-left:4px solid var(--warn, #a15c00)}
table.pairs mark{background:#fff1a8;color:inherit;padding:0 1px;border-bottom:2px solid #c9a400}
a.pair-flag{display:block}
table.findings tbody th{font-weight:600}
table.findings small{display:block;font-weight:400;font-size:11.5px;color:var(--muted)}
table.findings tr.finding{scroll-margin-top:40px}
table.findings tr.finding>:first-child{border-left:4px solid transparent}
table.findings tr.sev-error>:first-child{border-left-color:var(--error)}
table.findings tr.sev-warning>:first-child{border-left-color:var(--warning)}
table.findings tr.sev-info>:first-child{border-left-color:var(--info)}
table.findings tr:target{background:var(--target)}
table.findings tr:target>:first-child{outline:2px solid var(--accent);outline-offset:-2px}
td.time{white-space:nowrap;font-variant-numeric:tabular-nums;font-size:13px}
td.msg{min-width:16em}td.val{max-width:16em}td.text{min-width:12em;max-width:24em}
table.findings thead button{font:inherit;font-weight:600;color:inherit;background:none;border:0;padding:0;
cursor:pointer;text-align:left}
table.findings th[aria-sort=ascending] button::after{content:" \\25B2"}
table.findings th[aria-sort=descending] button::after{content:" \\25BC"}
.filters input[type=search]{font:inherit;padding:3px 6px;margin-left:4px;border:1px solid var(--line);
border-radius:6px;background:var(--bg);color:var(--fg);min-width:14em}
.clean{font-size:15px;color:var(--pass);font-weight:600}
.error-box{border:1px solid var(--error);border-left:5px solid var(--error);border-radius:8px;padding:10px 14px}
.error-box p{margin:0 0 6px}.error-box .shape{color:var(--error)}
table.overview{width:100%;margin:18px 0 4px}
a{color:var(--accent)}
.visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
white-space:nowrap}
@media (max-width:760px){.summary{grid-template-columns:1fr}}
@media print{
:root{--bg:#fff;--fg:#000;--muted:#444;--line:#ccc;--soft:#fff}
body{font-size:10pt}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.filters{display:none!important}
section.file+section.file{break-before:page}
figure.timeline,.summary,tr{break-inside:avoid}
a{color:inherit;text-decoration:none}
header.page,main{max-width:none;padding:0}
.table-wrap{overflow:visible}
.cards{grid-template-columns:repeat(5,1fr);gap:8px}.card .big{font-size:22px}
.summary{grid-template-columns:2fr 3fr}
}
"""

SCRIPT = """
(function () {
  "use strict";
  var params = new URLSearchParams(location.search), sections = [];
  document.querySelectorAll("section.file").forEach(function (sec) {
    var table = sec.querySelector("table.findings");
    if (!table) return;
    var box = sec.querySelector(".filters"), out = box.querySelector("output");
    var rule = box.querySelector("[data-filter=rule]"), sev = box.querySelector("[data-filter=severity]");
    var q = box.querySelector("[data-filter=q]");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    function key(tr, i) {
      var cell = tr.cells[i], v = cell.getAttribute("data-sort");
      return v !== null ? parseFloat(v) : cell.textContent.trim().toLowerCase();
    }
    function sortBy(i, order) {  // a stable sort: equal keys keep the file's order
      var dir = order === "descending" ? -1 : 1;
      var sorted = rows.map(function (tr, n) { return [key(tr, i), n, tr]; });
      sorted.sort(function (a, b) {
        if (a[0] < b[0]) return -dir;
        if (a[0] > b[0]) return dir;
        return a[1] - b[1];
      });
      sorted.forEach(function (s) { table.tBodies[0].appendChild(s[2]); });
      heads.forEach(function (th, n) { th.setAttribute("aria-sort", n === i ? order : "none"); });
    }
    heads.forEach(function (th, i) {
      th.querySelector("button").addEventListener("click", function () {
        sortBy(i, th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending");
      });
    });
    var marks = Array.prototype.slice.call(sec.querySelectorAll(".mark"));
    var none = sec.querySelector(".no-match");
    function matches(el) {
      var words = q.value.trim().toLowerCase();
      return (!rule.value || el.getAttribute("data-rule") === rule.value) &&
             (!sev.value || el.getAttribute("data-severity") === sev.value) &&
             (!words || el.tagName !== "TR" || el.textContent.toLowerCase().indexOf(words) !== -1);
    }
    function apply() {
      var shown = 0;
      rows.forEach(function (tr) { var ok = matches(tr); tr.hidden = !ok; if (ok) shown++; });
      marks.forEach(function (m) { m.classList.toggle("dim", !matches(m)); });
      out.textContent = shown + " of " + rows.length + " findings shown";
      none.hidden = shown > 0;
    }
    function pick(select, value) {  // from the address; a rule this file lacks still filters (to nothing)
      if (!value) return;
      if (!select.querySelector('option[value="' + CSS.escape(value) + '"]')) {
        if (select === sev) return;
        select.add(new Option(value + " (0)", value));
      }
      select.value = value;
    }
    pick(rule, params.get("rule"));
    pick(sev, params.get("severity"));
    if (params.get("q")) q.value = params.get("q");
    var byCol = heads.map(function (th) { return th.getAttribute("data-col"); }).indexOf(params.get("sort"));
    if (byCol !== -1) sortBy(byCol, params.get("order") === "desc" ? "descending" : "ascending");
    rule.addEventListener("change", apply);
    sev.addEventListener("change", apply);
    q.addEventListener("input", apply);
    sec.querySelectorAll("[data-set-rule]").forEach(function (a) {
      a.addEventListener("click", function () {
        rule.value = a.getAttribute("data-set-rule"); sev.value = ""; apply();
      });
    });
    box.hidden = false;
    apply();
    sections.push({ sec: sec, reset: function () { rule.value = ""; sev.value = ""; q.value = ""; apply(); } });
  });
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1)), row = id && document.getElementById(id);
    if (!row || !row.hidden) return;
    sections.forEach(function (s) { if (s.sec.contains(row)) s.reset(); });
    row.scrollIntoView({ block: "center" });
  }
  window.addEventListener("hashchange", reveal);
  reveal();
  document.documentElement.setAttribute("data-ready", "");
})();
"""
