"""GitHub Actions workflow commands: each finding becomes an annotation on its line.

    ::warning file=subs/ep01.ru.srt,line=38,title=subtrans reading-speed (S001)::cue 10 (00:00:40,000 --> ...): ...

Severities map to ``::error``, ``::warning`` and ``::notice``. A file that
cannot be read is an ``::error`` at the line where reading stopped. Values are
escaped as GitHub's own toolkit does (``@actions/core``, ``command.ts``): in
the message ``%``, ``\\r`` and ``\\n``; in properties also ``:`` and ``,``.
The last line is a plain summary for the log (not a command).
"""

from __future__ import annotations

from ..model import format_timestamp
from ..qa import Severity
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..qa import Finding
    from . import Report

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **props: object) -> str:
    """``::name key=value,...::message`` with the values escaped; ``None`` properties are left out."""
    shown = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v is not None)
    return f"::{name}{' ' + shown if shown else ''}::{escape_data(message)}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _where(f: Finding, sep: str) -> str:
    if f.cue is None:
        return ""
    where = f"cue {f.cue}"
    if f.start is not None and f.end is not None:
        where += f" ({format_timestamp(f.start, sep)} --> {format_timestamp(f.end, sep)})"
    return where + ": "


def render(report: Report) -> str:
    out: list[str] = []
    for fr in report.files:
        if fr.error is not None:
            err = fr.error
            message = err.message + (f" [{err.text!r}]" if err.text else "") + (f" ({err.hint})" if err.hint else "")
            out.append(command("error", message, file=fr.path, line=err.line,
                               title=f"subtrans: cannot check ({type(err).__name__})"))
            continue
        sep = "." if fr.format == "vtt" else ","
        for f in fr.findings:
            out.append(command(COMMANDS[f.severity], _where(f, sep) + f.message,
                               file=fr.path, line=f.line, title=f"subtrans {f.rule} ({f.code})"))
    c = report.counts()
    kinds = {"error": "error", "warning": "warning", "info": "notice"}
    sev = ", ".join(_plural(n, kinds[name]) for name, n in c["by_severity"].items() if n)
    line = f"subtrans: {_plural(c['files'], 'file')}, {_plural(c['cues'], 'cue')}, {_plural(c['findings'], 'finding')}"
    if sev:
        line += f" ({sev})"
    if c["files_unreadable"]:
        line += f", {c['files_unreadable']} not checked"
    out.append(f"{line}; signature {report.signature}")
    return "\n".join(out) + "\n"
