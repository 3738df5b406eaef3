"""The report for people: a line per finding as linters write them (``PATH:LINE:COL: CODE [severity]
message``), or on a terminal a table as wide as the terminal; a summary line per file and in total."""

from __future__ import annotations

import unicodedata

from ..model import format_timestamp
from typing import TYPE_CHECKING, Iterable, Sequence, cast

if TYPE_CHECKING:  # pragma: no cover
    from ..qa import Finding, Severity
    from . import FileReport, Report


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
               for ch in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def _clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns, with … where it was cut."""
    if display_width(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out, used = out + ch, used + w
    return out + "…"


def _lines(fr: FileReport) -> list[str]:
    """One finding a line, as linters write them (editors and terminals make ``PATH:LINE:COL`` a link):
    ``PATH:LINE:1: CODE [severity] cue N (START): message (rule)``, with the cue as the file numbers it."""
    sep = "," if fr.format == "srt" else "."
    out = []
    for f in fr.findings:
        where = f"{fr.path}:{f.line}:1:" if f.line else f"{fr.path}:"
        number = f.id if f.id not in (None, "") else (None if f.cue is None else str(f.cue))
        cue = f"cue {number} ({format_timestamp(f.start, sep)}): " if number and f.start is not None else \
            (f"cue {number}: " if number else "")
        out.append(f"{where} {f.code} [{f.severity}] {cue}{f.message} ({f.rule})")
    return out


def _narrow(rows: Sequence[tuple[str, ...]], widths: list[int], width: int) -> list[str]:
    """A terminal too narrow for the table: each finding on two lines, the message under its cue,
    cut to the terminal's width."""
    lines = []
    for number, timecode, rule, severity, message, value, limit in rows[1:]:
        limit = repr(limit) if limit and not limit.strip() else limit   # a space is shown as ' '
        measured = f"  {value} / {limit}" if value and limit else (f"  {value}" if value else "")
        head = f"  {_pad(number, widths[0], right=True)}  {timecode}  {rule}  {severity}{measured}"
        lines.append(_clip(head, width))
        lines.append(_clip(" " * (widths[0] + 4) + message, width))
    return lines


def _timecode(f: Finding, sep: str) -> str:
    if f.start is None:
        return ""
    return f"{format_timestamp(f.start, sep)} --> {format_timestamp(cast(int, f.end), sep)}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _short(value: object, width: int = 24) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _by_severity(severities: Iterable[Severity]) -> str:
    counts: dict[Severity, int] = {}
    for s in severities:
        counts[s] = counts.get(s, 0) + 1
    return ", ".join(_plural(counts[s], str(s)) for s in sorted(counts, reverse=True))


def render(report: Report) -> str:
    out: list[str] = []
    for fr in report.files:
        if fr.error is not None:
            if not report.errors_on_stderr:
                out.append(f"{fr.path}: cannot be checked: {fr.error}")
                out.append("")
            continue
        picked = " (picked from the language of the text)" if fr.profile_auto else ""
        out.append(f"{fr.path}: {fr.format}, {fr.encoding}, {_plural(fr.cues, 'cue')}, profile {fr.profile}{picked}"
                   + (f"; {fr.bilingual.describe()}, each line measured in its own language" if fr.bilingual else ""))
        if fr.fixes:
            out.append(f"  fixed {_plural(len(fr.fixes), 'problem')}, written to {fr.output}")
        if fr.findings and not report.width:
            out.extend(_lines(fr))
        elif fr.findings:
            sep = "," if fr.format == "srt" else "."
            # the cue as the file numbers it (the SRT number, the WebVTT id), else its position
            rows = [("cue", "timecode", "rule", "severity", "message", "value", "limit")]
            for f in fr.findings:
                number = f.id if f.id not in (None, "") else ("" if f.cue is None else str(f.cue))
                rows.append((number, _timecode(f, sep), f.rule, str(f.severity), f.message,
                             _short(f.value), _short(f.limit)))
            widths = [max(display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
            widths[4] = min(widths[4], 60)   # a longer message runs past its column
            if report.width and sum(widths) + 2 * len(widths) + 2 > report.width:
                out.extend(_narrow(rows, widths, report.width))
            else:
                for r in rows:
                    cells = [_pad(r[0], widths[0], right=True)] + [_pad(c, w) for c, w in zip(r[1:], widths[1:])]
                    out.append(("  " + "  ".join(cells)).rstrip())
        detail = _by_severity(f.severity for f in fr.findings)
        out.append(f"  {_plural(len(fr.findings), 'finding')}" + (f" ({detail})" if detail else ""))
        out.append("")
    c = report.counts()
    sev = _by_severity(f.severity for fr in report.files for f in fr.findings)
    line = f"{_plural(c['files'], 'file')}, {_plural(c['cues'], 'cue')}, {_plural(c['findings'], 'finding')}"
    if sev:
        line += f" ({sev})"
    if c["files_unreadable"]:
        line += f", {c['files_unreadable']} not checked " + ("(errors on stderr)" if report.errors_on_stderr
                                                             else "(errors above)")
    out.append(line)
    out.append(f"signature: {report.signature}")
    return "\n".join(out) + "\n"
