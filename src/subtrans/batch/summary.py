"""The catalogue summary of a batch translation, as data, as JSON and as one HTML page.

:class:`BatchResult` is what :func:`subtrans.batch.run_batch_translate`
returns: one :class:`FileRecord` per input, in input order. :func:`summary`
turns it into the JSON document (schema below) and :func:`render_html` into a
self-contained page (no script, nothing loaded from the network, every
value escaped). Neither prints.

JSON (``schema: 1``)::

    {"schema": 1, "tool": "subtrans", "version": "0.1.0", "kind": "batch-translate",
     "target": "zh", "signature": "subtrans:0.1.0|model:...|...",
     "run": {"wall_s": 12.3, "actors": 2, "cpus_per_actor": 1, "gpus_per_actor": 0, "batch_size": 16,
             "ray": {"CPU": 16.0, "GPU": 2.0}},
     "totals": {"files": 3, "translated": 1, "skipped": 1, "failed": 1, "cues": 48, "units": 40,
                "sent_to_model": 30, "from_cache": 10, "sentences_per_s": 8.1,
                "findings": 5, "by_severity": {...}, "by_rule": {...}, "terms": {"constrained": 2},
                "fit": {"enabled": true, "retime": true, "cues": 48,
                        "within_reading_speed": {"before": 0.75, "after": 0.9583, "cues_before": 36, "cues_after": 46},
                        "within_line_limits": {"before": 0.9583, "after": 1.0, "cues_before": 46, "cues_after": 48},
                        "units_over_limits": 9, "units_refitted": 6, "units_decoded": 9, "units_from_cache": 0,
                        "retimed": 2}},
     "files": [{"path": "a/film.ru.srt", "output": "OUT/a/film.zh.srt", "status": "translated",
                "cues": 24, "units": 20, "sent_to_model": 15, "from_cache": 5, "split_per_cue": 0,
                "findings": 3, "by_rule": {"reading-speed": 2, ...}, "terms": {"free": 1},
                "warnings": ["cue 3: ..."], "fit": {...}},
               {"path": "b.srt", "status": "failed", "stage": "read",
                "error": {"message": "...", "line": 5, "text": "...", "type": "ParseError"}}],
     "failures": [{"path": "b.srt", "stage": "read", "reason": "b.srt:5: ..."}],
     "warnings": ["..."]}

``status`` is ``translated``, ``skipped`` (the output was already complete and
newer than the input and the glossaries: not read again, so no findings), or
``failed`` (``stage``: ``read``, ``translate`` or ``check``). A skipped file
carries, under ``last_translated``, its entry from the summary of the run that
translated it, with that run's ``signature`` (:func:`carry_over`), when that
summary was in the same place.

A translated file's ``fit`` is what ``subtrans translate --report`` writes under
``files[].translation.fit`` (:meth:`subtrans.pipeline.fitting.FitReport.to_dict`: the
settings, the shares of cues within the reading speed and the line limits
before and after fitting, the units over the limits and refitted, and each
retimed cue with its old and new times). ``totals.fit`` adds up the translated
files: the run's ``enabled`` and ``retime``, the same shares over all their
cues, the unit counts, and ``retimed``, the number of cues retimed (null when
no file was translated).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..errors import SubtransError
from ..pipeline.fitting import FitReport

if TYPE_CHECKING:  # pragma: no cover
    from ..qa import Finding

__all__ = ["FileRecord", "BatchResult", "Progress", "summary", "carry_over", "render_html", "SUMMARY_SCHEMA"]

SUMMARY_SCHEMA = 1
SEVERITIES = ("error", "warning", "info")


@dataclass
class FileRecord:
    """What happened to one input file."""

    path: str                     # as found (relative to the working folder when given so)
    output: str | None = None
    status: str = "pending"       # translated | skipped | failed
    stage: str | None = None      # where it failed: read | translate | check
    cues: int = 0
    units: int = 0
    sent_to_model: int = 0
    from_cache: int = 0
    split_per_cue: int = 0
    signature: str | None = None
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    terms: list[dict[str, Any]] = field(default_factory=list)  # Translation.terms
    fit: FitReport | None = None                      # Translation.fit
    error: SubtransError | None = None

    def by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f.rule] = counts.get(f.rule, 0) + 1
        return dict(sorted(counts.items()))

    def term_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for t in self.terms:
            counts[t["how"]] = counts.get(t["how"], 0) + 1
        return dict(sorted(counts.items()))


@dataclass
class BatchResult:
    files: list[FileRecord]
    target: str
    signature: str | None = None
    wall_s: float = 0.0
    actors: int = 0               # translation actors started (0: nothing needed translating)
    cpus_per_actor: float = 0
    gpus_per_actor: float = 0
    batch_size: int = 0
    cluster: dict[str, Any] = field(default_factory=dict)  # ray.cluster_resources(): CPU, GPU, memory...
    warnings: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def failed(self) -> list[FileRecord]:
        return [f for f in self.files if f.status == "failed"]

    def totals(self) -> dict[str, Any]:
        done = [f for f in self.files if f.status == "translated"]
        by_sev = {s: 0 for s in SEVERITIES}
        by_rule: dict[str, int] = {}
        terms: dict[str, int] = {}
        for f in done:
            for finding in f.findings:
                by_sev[str(finding.severity)] += 1
                by_rule[finding.rule] = by_rule.get(finding.rule, 0) + 1
            for how, n in f.term_counts().items():
                terms[how] = terms.get(how, 0) + n
        units = sum(f.units for f in done)
        return {
            "files": len(self.files), "translated": len(done), "skipped": self.count("skipped"),
            "failed": self.count("failed"), "cues": sum(f.cues for f in done), "units": units,
            "sent_to_model": sum(f.sent_to_model for f in done), "from_cache": sum(f.from_cache for f in done),
            "sentences_per_s": round(units / self.wall_s, 2) if self.wall_s > 0 else None,
            "findings": sum(by_sev.values()), "by_severity": by_sev, "by_rule": dict(sorted(by_rule.items())),
            "terms": dict(sorted(terms.items())),
            "fit": _fit_totals([f.fit for f in done if f.fit is not None]),
        }


def _fit_totals(reports: list[FitReport]) -> dict[str, Any] | None:
    """What fitting did to the files of one run, added up (None for no file): the run's settings
    (``enabled``, ``retime``: the same for every file), the shares of the cues within the limits
    before and after, the units over the limits, refitted, decoded and from the memory, and the
    number of cues retimed."""
    if not reports:
        return None
    counts = ("cues", "speed_before", "speed_after", "lines_before", "lines_after", "units_over", "units_refitted",
              "decoded", "from_cache")
    doc = FitReport(enabled=reports[0].enabled, retime=reports[0].retime,
                    **{name: sum(getattr(r, name) for r in reports) for name in counts}).to_dict()
    keys = ("enabled", "retime", "cues", "within_reading_speed", "within_line_limits", "units_over_limits",
            "units_refitted", "units_decoded", "units_from_cache")
    return {**{k: doc[k] for k in keys}, "retimed": sum(len(r.retimed) for r in reports)}


@dataclass(frozen=True)
class Progress:
    """Where a run stands, passed to the ``progress`` callback after each file."""

    done: int          # files finished (translated, skipped or failed)
    total: int
    failed: int
    skipped: int
    units: int         # sentence units translated so far (cues, for a check run)
    elapsed: float     # seconds since the run started

    @property
    def rate(self) -> float | None:
        """Sentence units (cues, for a check run) per second."""
        return self.units / self.elapsed if self.elapsed > 0 else None

    @property
    def eta(self) -> float | None:
        """Seconds left, from the pace of the files that needed work so far (None until one did)."""
        worked = self.done - self.skipped
        if worked <= 0 or self.elapsed <= 0:
            return None if self.done < self.total else 0.0
        return self.elapsed / worked * (self.total - self.done)


def _error_dict(exc: SubtransError) -> dict[str, Any]:
    return {"message": exc.message, "line": exc.line, "text": exc.text, "type": type(exc).__name__}


def summary(result: BatchResult) -> dict[str, Any]:
    """The catalogue summary as a JSON-ready dict (schema in this module's docstring)."""
    files = []
    for f in result.files:
        entry: dict[str, Any] = {"path": f.path, "output": f.output, "status": f.status}
        if f.stage:
            entry["stage"] = f.stage
        if f.status == "translated":
            entry.update(cues=f.cues, units=f.units, sent_to_model=f.sent_to_model, from_cache=f.from_cache,
                         split_per_cue=f.split_per_cue, findings=len(f.findings), by_rule=f.by_rule(),
                         terms=f.term_counts(), warnings=list(f.warnings),
                         fit=f.fit.to_dict() if f.fit is not None else None)
        elif f.status == "skipped":
            entry["cues"] = f.cues
        if f.error is not None:
            entry["error"] = _error_dict(f.error)
        files.append(entry)
    return {
        "schema": SUMMARY_SCHEMA, "tool": "subtrans", "version": __version__, "kind": "batch-translate",
        "target": result.target, "signature": result.signature,
        "run": {"wall_s": round(result.wall_s, 3), "actors": result.actors, "cpus_per_actor": result.cpus_per_actor,
                "gpus_per_actor": result.gpus_per_actor, "batch_size": result.batch_size,
                "ray": {k: result.cluster[k] for k in sorted(result.cluster)}},
        "totals": result.totals(),
        "files": files,
        "failures": [{"path": f.path, "stage": f.stage, "reason": str(f.error)} for f in result.failed],
        "warnings": list(result.warnings),
    }


def carry_over(doc: dict[str, Any], previous: object) -> dict[str, Any]:
    """``doc`` with each skipped file's results from the summary of the run that translated it.

    A rerun skips outputs that are up to date and so has nothing new to say
    about them; without this its summary would replace the previous one and
    their QA findings, terms and fit figures would be lost. From ``previous``
    (the summary file this run is about to replace), the entry of the same
    output is copied under ``"last_translated"`` when it was translated there,
    or its own ``"last_translated"`` when it was skipped there too. Totals stay
    this run's.
    """
    if not isinstance(previous, dict) or not isinstance(previous.get("files"), list):
        return doc
    old = {e.get("output"): e for e in previous["files"] if isinstance(e, dict) and e.get("output")}
    for entry in doc["files"]:
        if entry.get("status") != "skipped":
            continue
        before = old.get(entry.get("output"))
        if not isinstance(before, dict):
            continue
        if before.get("status") == "translated":
            kept = {k: v for k, v in before.items() if k not in ("status", "stage", "error")}
            entry["last_translated"] = dict(kept, signature=previous.get("signature"))
        elif isinstance(before.get("last_translated"), dict):
            entry["last_translated"] = before["last_translated"]
    return doc


# -- the one-page HTML summary ------------------------------------------------------

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border-bottom:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.failed{color:#a00;font-weight:600}.skipped{color:#666}.sig{color:#666;font-size:.85em;word-break:break-all}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:600}dd{margin:0}
@media print{body{margin:0;max-width:none}}
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _counts(counts: dict[str, Any]) -> str:
    return ", ".join(f"{_e(k)} {int(v)}" for k, v in counts.items() if v) or "none"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _within(part: dict[str, Any]) -> str:
    return f"{part['before']:.0%} before, {part['after']:.0%} after"


def _fit_totals_html(fit: dict[str, Any] | None) -> str:
    if fit is None:
        return "none"
    text = (f"{'' if fit['enabled'] else 'off; '}of {fit['cues']} cues, within the reading speed "
            f"{_within(fit['within_reading_speed'])}; within the line limits {_within(fit['within_line_limits'])}")
    if fit["enabled"]:
        text += (f"; {fit['units_refitted']} of {fit['units_over_limits']} sentence units over the limits given "
                 f"another candidate")
    return text + (f"; {_plural(fit['retimed'], 'cue')} retimed" if fit["retime"] else "")


def _fit_html(fit: FitReport) -> str:
    """One file's fit: cues within the limits before and after, units refitted, and each cue retimed."""
    from ..model import format_timestamp

    text = (f"reading speed {fit.speed_before} &rarr; {fit.speed_after} of {fit.cues}, "
            f"lines {fit.lines_before} &rarr; {fit.lines_after}")
    if not fit.enabled:
        text = "off; " + text
    elif fit.units_over:
        text += f"; {fit.units_refitted} of {fit.units_over} units refitted"
    if fit.skipped:
        text += f" (not fitted: {_e(fit.skipped)})"
    if fit.retimed:
        moves = "".join(f"<li>cue {r.cue + 1}: {format_timestamp(r.old[0])} &ndash; {format_timestamp(r.old[1])}, "
                        f"now {format_timestamp(r.new[0])} &ndash; {format_timestamp(r.new[1])}</li>"
                        for r in fit.retimed)
        text += f"<details><summary>{_plural(len(fit.retimed), 'cue')} retimed</summary><ul>{moves}</ul></details>"
    return text


def render_html(result: BatchResult) -> str:
    """One self-contained page: totals, failures, findings by rule, glossary terms, fit, and a row per file."""
    t = result.totals()
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>subtrans batch: {t['files']} files into {_e(result.target)}</title>",
           f"<style>{_CSS}</style></head><body>",
           f"<h1>Catalogue translation into {_e(result.target)}: {t['files']} files</h1>",
           "<dl>",
           f"<dt>Files</dt><dd>{t['translated']} translated, {t['skipped']} up to date (skipped), "
           + (f"<span class=\"failed\">{t['failed']} failed</span>" if t["failed"] else "0 failed") + "</dd>",
           f"<dt>Translated</dt><dd>{t['cues']} cues in {t['units']} sentence units ({t['sent_to_model']} sent to "
           f"the model, {t['from_cache']} from the translation memory)</dd>",
           f"<dt>Time</dt><dd>{result.wall_s:.1f} s"
           + (f", {t['sentences_per_s']:.1f} sentence units per second" if t["sentences_per_s"] else "") + "</dd>",
           f"<dt>Actors</dt><dd>{result.actors} (each {result.cpus_per_actor:g} CPU, {result.gpus_per_actor:g} GPU, "
           f"batch {result.batch_size}); cluster {_counts({k: result.cluster[k] for k in ('CPU', 'GPU') if k in result.cluster})}</dd>",
           f"<dt>Findings</dt><dd>{t['findings']} ({_counts(t['by_severity'])})</dd>",
           f"<dt>Glossary terms</dt><dd>{_counts(t['terms'])}</dd>",
           f"<dt>Fit</dt><dd>{_fit_totals_html(t['fit'])}</dd>",
           "</dl>"]
    if result.signature:
        out.append(f'<p class="sig">{_e(result.signature)}</p>')
    if result.warnings:
        out.append("<h2>Warnings</h2><ul>" + "".join(f"<li>{_e(w)}</li>" for w in result.warnings) + "</ul>")
    failed = result.failed
    out.append(f"<h2>Failures ({len(failed)})</h2>")
    if failed:
        out.append("<table><thead><tr><th>File</th><th>Stage</th><th>Reason</th></tr></thead><tbody>")
        out.extend(f"<tr><td>{_e(f.path)}</td><td>{_e(f.stage)}</td><td>{_e(f.error)}</td></tr>" for f in failed)
        out.append("</tbody></table>")
    else:
        out.append("<p>None.</p>")
    out.append("<h2>Findings by rule</h2>")
    if t["by_rule"]:
        out.append('<table><thead><tr><th>Rule</th><th class="n">Findings</th><th class="n">Files</th></tr></thead><tbody>')
        for rule, n in sorted(t["by_rule"].items(), key=lambda kv: (-kv[1], kv[0])):
            files = sum(1 for f in result.files if rule in f.by_rule())
            out.append(f'<tr><td>{_e(rule)}</td><td class="n">{n}</td><td class="n">{files}</td></tr>')
        out.append("</tbody></table>")
    else:
        out.append("<p>None.</p>")
    out.append("<h2>Files</h2>"
               '<table><thead><tr><th>File</th><th>Output</th><th>Status</th><th class="n">Cues</th>'
               '<th class="n">Units</th><th>Findings by rule</th><th>Glossary terms</th><th>Fit</th><th>Warnings</th>'
               '</tr></thead><tbody>')
    for f in result.files:
        cls = f' class="{_e(f.status)}"' if f.status in ("failed", "skipped") else ""
        status = f.status + (f" ({f.stage})" if f.stage else "")
        done = f.status == "translated"
        out.append(f"<tr><td>{_e(f.path)}</td><td>{_e(f.output)}</td><td{cls}>{_e(status)}</td>"
                   f'<td class="n">{f.cues if f.status != "failed" else ""}</td>'
                   f'<td class="n">{f.units if done else ""}</td>'
                   f"<td>{_counts(f.by_rule()) if done else ''}</td><td>{_counts(f.term_counts()) if done and f.terms else ''}</td>"
                   f"<td>{_fit_html(f.fit) if done and f.fit is not None else ''}</td>"
                   f"<td>{'<br>'.join(_e(w) for w in f.warnings)}</td></tr>")
    out.append("</tbody></table>")
    out.append(f'<p class="sig">subtrans {_e(__version__)} batch summary</p></body></html>')
    return "\n".join(out) + "\n"
