"""The report for people: one table per file and a summary line."""

from __future__ import annotations

from ..model import format_timestamp


def _timecode(f, sep: str) -> str:
    if f.start is None:
        return ""
    return f"{format_timestamp(f.start, sep)} --> {format_timestamp(f.end, sep)}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _short(value, width: int = 24) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _by_severity(severities) -> str:
    counts: dict = {}
    for s in severities:
        counts[s] = counts.get(s, 0) + 1
    return ", ".join(_plural(counts[s], str(s)) for s in sorted(counts, reverse=True))


def render(report) -> str:
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
        if fr.findings:
            sep = "," if fr.format == "srt" else "."
            rows = [("cue", "timecode", "rule", "severity", "message", "value", "limit")]
            for f in fr.findings:
                rows.append((
                    "" if f.cue is None else str(f.cue), _timecode(f, sep), f.rule, str(f.severity), f.message,
                    _short(f.value), _short(f.limit),
                ))
            widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
            widths[4] = min(widths[4], 60)
            for r in rows:
                cells = [r[0].rjust(widths[0])] + [c.ljust(w) for c, w in zip(r[1:], widths[1:])]
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
