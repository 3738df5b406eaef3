"""Stage 8, assembly: the output track, the bilingual form, the term report's warnings and the signature.

The output has exactly the input's cues, timings, ids and settings (timings
change only with ``retime``, and each change is in the fit report); it is
written in UTF-8 without a BOM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..model import Track
from .fitting import FitReport

if TYPE_CHECKING:  # pragma: no cover
    from ..glossary import Glossary
    from ..mt.backends.base import Backend
    from ..mt.catalog import ModelSpec
    from ..profiles import Profile
    from .engine import LazyEngine
    from .fitting import FitOptions
    from .languages import Languages
    from .render import CueRenderer

__all__ = ["Translation", "assemble", "bilingual_track", "term_warnings", "signature"]


@dataclass
class Translation:
    """What translating one track produced, as data (the CLI prints it)."""

    track: Track
    source: str
    target: str
    model: str
    backend: str
    signature: str
    cues: int = 0
    units: int = 0
    unique: int = 0          # distinct unit texts
    cached: int = 0          # served from the translation memory
    translated: int = 0      # sent to the model
    split_per_cue: int = 0   # units whose translation could not be spread and were redone cue by cue
    warnings: list[str] = field(default_factory=list)
    # Glossary terms found in the source, one entry per occurrence:
    # {"cue": first cue (1-based), "source": as found, "target": the glossary's rendering,
    #  "how": free | constrained | repaired | appended | cached | missing}
    terms: list[dict[str, Any]] = field(default_factory=list)
    # The translation alone: the same as ``track`` except with --bilingual, whose QA looks at this.
    translation_only: Track | None = None
    glossary: str = "none"   # the glossary's hash
    # What fitting to the screen did (shares of cues within the limits before and after, units
    # given another candidate, cues retimed with their old and new times): see subtrans.pipeline.fitting.
    fit: FitReport | None = None

    def term_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for t in self.terms:
            counts[t["how"]] = counts.get(t["how"], 0) + 1
        return counts


def assemble(track: Track, texts: dict[int, str], fit: FitReport, render: CueRenderer,
             slot_text: dict[tuple[int, int], str], *,
             keep_other: bool = False) -> tuple[Track, list[str]]:
    """The translated track: ``texts`` (per cue index) in a copy of ``track``, the cues retimed as the fit
    report says; and a warning for each segment the model left empty (its source text is kept).
    ``keep_other``: a bilingual cue keeps its other-language lines (set aside, never translated) under
    the translation; by default they are dropped."""
    out = track.copy()
    out.encoding, out.bom = "utf-8", False
    out.notes = []
    out.final_ending = ""   # a translation ends its last line as it ends the others
    out.gaps = {}           # and has one blank line between cues
    warnings = []
    for cue in out.cues:
        if cue.raw and cue.raw[0] == "srt":
            cue.raw = None   # a translation is written canonically, whatever quirks its source had
    for r in fit.retimed:
        out.cues[r.cue].start, out.cues[r.cue].end = r.new
    for i, cue in enumerate(out.cues):
        if i not in texts:
            continue  # nothing to translate (an empty cue, music notes only): kept as it is
        for _ in render.empty_slots(i, slot_text):
            warnings.append(f"cue {i + 1}: the model returned nothing; the source text was kept")
        cue.text = texts[i]
        other = render.shapes[i].other
        if keep_other and other:   # under the translation, inside the tags that wrap the cue
            close = render.shapes[i].wrap_close
            if close and cue.text.endswith(close):
                cue.text = cue.text[:-len(close)] + "\n" + "\n".join(other) + close
            else:
                cue.text += "\n" + "\n".join(other)
    return out, warnings


@dataclass(frozen=True)
class BilingualLayout:
    """How an ASS file is made bilingual: the classic layout of Chinese releases, one event per cue, one
    language in the event's style and the other after ``\\N`` in a second, smaller style that is added to
    the styles section (``style``, ``scale`` × the event style's font size); ``source_on_top`` puts the
    source first. SRT and WebVTT keep the source line above the translation whatever this says."""

    style: str = "Secondary"
    scale: float = 0.7
    source_on_top: bool = False


def bilingual_track(source: Track, translated: Track, layout: BilingualLayout | bool = True) -> Track:
    """Each translated cue with its source text: on the line above (SRT, WebVTT), or in ASS the classic
    two-style layout (:class:`BilingualLayout`)."""
    out = translated.copy()
    if out.format == "ass" and out.source_lines:
        return _bilingual_ass(source, out, layout if isinstance(layout, BilingualLayout) else BilingualLayout())
    for src_cue, cue in zip(source.cues, out.cues):
        if cue.text != src_cue.text:
            cue.text = src_cue.text + "\n" + cue.text
    return out


def _bilingual_ass(source: Track, out: Track, layout: BilingualLayout) -> Track:
    import re

    from ..text import strip_tags

    lines = out.source_lines
    at = _add_style(lines, layout)
    if at is not None:   # every event line after the new style line moved down one
        for cue in out.cues:
            if cue.raw and cue.raw[0] == "ass" and cue.raw[1] >= at:
                cue.raw = (cue.raw[0], cue.raw[1] + 1, *cue.raw[2:])
    switch = "{\\r" + layout.style + "}"
    for src_cue, cue in zip(source.cues, out.cues):
        if cue.text == src_cue.text:
            continue   # a sign or song kept as it was
        # positions ({\an8}, {\pos(..)}, {\move(..)}) stay first; a style override such as {\i1} is the
        # translation's own
        found = re.match(r"^(?:\{(?:\\(?:an?\d|pos\([^)]*\)|move\([^)]*\)|org\([^)]*\)))+\})*", cue.text)
        assert found is not None  # (the pattern matches the empty string)
        lead = found.group(0)
        other = strip_tags(src_cue.text, entities=False)
        if layout.source_on_top:
            cue.text = f"{lead}{switch}{other}{{\\r}}\n{cue.text[len(lead):]}"
        else:
            cue.text = f"{cue.text}\n{switch}{other}"
    return out


def _add_style(lines: list[str], layout: BilingualLayout) -> int | None:
    """Add the second style (a copy of the first style line, renamed, its font size scaled) after the
    styles section's last style; return the index of the added line (None if the style exists)."""
    styles = [i for i, ln in enumerate(lines) if ln.startswith("Style:")]
    if not styles or any(ln.split(":", 1)[1].split(",", 1)[0].strip() == layout.style for ln in
                         (lines[i] for i in styles)):
        return None
    fmt = next((ln for ln in lines if ln.strip().lower().startswith("format:") and "fontsize" in ln.lower()), None)
    names = [f.strip().lower() for f in fmt.split(":", 1)[1].split(",")] if fmt else ["name", "fontname", "fontsize"]
    fields = lines[styles[0]].split(":", 1)[1].strip().split(",")
    fields[0] = layout.style
    if "fontsize" in names and names.index("fontsize") < len(fields):
        k = names.index("fontsize")
        try:
            fields[k] = str(round(float(fields[k]) * layout.scale))
        except ValueError:
            pass
    lines.insert(styles[-1] + 1, "Style: " + ",".join(fields))
    return styles[-1] + 1


def term_warnings(term_report: list[dict[str, Any]]) -> list[str]:
    return [f"cue {t['cue']}: glossary term {t['source']!r} -> {t['target']!r} is not in the translation"
            for t in term_report if t["how"] == "missing"]


def signature(*, spec: ModelSpec, engine: Backend | LazyEngine, languages: Languages, beams: int, glossary: Glossary | None,
              profile: Profile, fit: FitOptions) -> str:
    """The run's signature: everything needed to reproduce it (sacrebleu-style)."""
    fit_sig = f"fit:{fit.candidates}@{fit.margin:g}" if fit.enabled else "fit:off"
    return (f"subtrans:{__version__}|model:{spec.name}@{engine.revision}|backend:{engine.name}"
            f"|{languages.source}-{languages.target}|beams:{beams}|glossary:{glossary.hash if glossary else 'none'}"
            f"|profile:{profile.name}|{fit_sig}{'+retime' if fit.retime else ''}")
