"""A typed script using subtrans's public API (``mypy --strict`` checks it: see tests/test_typing.py).

Run it on the example file::

    python examples/typed_usage.py examples/red-silk.ru.srt

It reads a track, checks it against its profile, prints the findings, and
shows a function that takes a :class:`subtrans.Translator` (no model is
loaded unless it is called).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import subtrans


def first_lines(track: subtrans.Track, n: int = 3) -> list[str]:
    """The first line of the first ``n`` cues."""
    cues: list[subtrans.Cue] = track.cues[:n]
    return [cue.lines[0] if cue.lines else "" for cue in cues]


def errors_only(findings: list[subtrans.Finding]) -> list[subtrans.Finding]:
    return [f for f in findings if f.severity >= subtrans.Severity.ERROR]


def to_chinese(translator: subtrans.Translator, track: subtrans.Track) -> subtrans.Track:
    """Translate with a translator the caller made (and so chose the model of)."""
    result: subtrans.Translation = translator.translate(track, to="zh")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return result.track


def report(path: Path) -> int:
    try:
        track = subtrans.load(path)
    except subtrans.EncodingError as exc:
        print(f"{exc.path}: cannot decode: {exc.message}", file=sys.stderr)
        return 2
    except subtrans.SubtransError as exc:       # ParseError, FormatError ...
        where = f"{exc.path}:{exc.line}" if exc.line is not None else str(exc.path)
        print(f"{where}: {exc.message}", file=sys.stderr)
        return 2
    duration_ms = sum(cue.duration for cue in track)
    print(f"{path}: {len(track)} cues, {duration_ms / 1000:.1f} s of text, format {track.format}")
    for line in first_lines(track):
        print(f"  {line}")
    profile: subtrans.Profile = subtrans.load_profile("netflix-ru")
    findings = subtrans.check(track, profile)
    by_rule = Counter(f.rule for f in findings)
    for f in findings:
        cue = f"cue {f.cue}" if f.cue is not None else "file"
        measured = f" ({f.value} / {f.limit})" if f.value is not None else ""
        print(f"{cue}: {f.code} [{f.severity}] {f.message}{measured}")
    print(", ".join(f"{rule}: {n}" for rule, n in by_rule.most_common()) or "no findings")
    return 1 if errors_only(findings) else 0


if __name__ == "__main__":
    sys.exit(report(Path(sys.argv[1] if len(sys.argv) > 1 else "examples/red-silk.ru.srt")))
