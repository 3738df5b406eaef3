"""Stage 1, sentence units: each cue taken apart into its shape, and speech that runs over cues merged.

The rules live in :mod:`subtrans.lang.units` (shared with the parity QA
rule); this stage applies them to a track and reports what cannot be carried
over (inline formatting inside a sentence).
"""

from __future__ import annotations

from typing import NamedTuple

from ..lang.bilingual import LANGUAGE_NAMES, bilingual
from ..lang.units import MERGE_GAP_MS, Shape, Unit, analyse, build_units
from ..model import Track
from ..text import base_language

__all__ = ["Sentences", "sentence_units"]


class Sentences(NamedTuple):
    shapes: list[Shape]   # per cue
    units: list[Unit]     # in order; each fills (cue, segment) slots
    warnings: list[str]


def sentence_units(track: Track, source: str, *, max_pause_ms: int = MERGE_GAP_MS) -> Sentences:
    """The shapes of ``track``'s cues and the sentence units over them, in ``source``'s rules; no unit
    spans a pause of ``max_pause_ms`` or more (the profile's ``sentence_pause_ms``). In a bilingual
    track (:func:`subtrans.lang.bilingual.bilingual`) only the source language's lines form units: the
    other language's lines are set aside in each shape's ``other``."""
    bi = bilingual(track)
    keep = base_language(source) if bi is not None and bi.main == base_language(source) else None
    shapes = [analyse(c.text, source, keep_language=keep) for c in track.cues]
    units = build_units(track.cues, shapes, source, merge_gap_ms=max_pause_ms)
    warnings = [f"cue {i + 1}: inline formatting {''.join(seg.dropped_tags)!r} could not be carried over"
                for i, shape in enumerate(shapes) for seg in shape.segments if seg.dropped_tags]
    if keep:
        assert bi is not None  # (keep is set only for a bilingual track)
        set_aside = sum(len(s.other) for s in shapes)
        warnings.append(f"{bi.describe()}: {set_aside} {LANGUAGE_NAMES.get(bi.other, bi.other)} line"
                        f"{'' if set_aside == 1 else 's'} not translated")
    return Sentences(shapes, units, warnings)
