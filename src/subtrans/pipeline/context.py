"""Stage 4 for translation LLMs that read context: each sentence with the scene's previous cues.

A sentence unit goes to the model with up to ``n`` previous units of its scene, each with the
translation already chosen for it (:func:`subtrans.mt.prompts.with_context`: one request string, so
the translation memory keys it with its context, a rerun is served exactly and an interrupted job
resumes). A scene ends at a pause of :data:`SCENE_GAP_MS` or more between two units.

The film is cut into ``batch_size`` runs of consecutive units translated side by side: wave *w*
sends the *w*-th unit of every run in one batch, so a unit's context inside its run is always
translated before it while the batch stays full. A unit that opens a run has no context (at most
``batch_size - 1`` units of a film).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from ..mt.prompts import with_context

if TYPE_CHECKING:  # pragma: no cover
    from ..lang.units import Unit
    from ..model import Track
    from .memory import Memory

__all__ = ["SCENE_GAP_MS", "run_in_context"]

#: A pause this long between two units ends a scene (no context crosses it).
SCENE_GAP_MS = 5000


def run_in_context(memory: Memory, track: Track, units: Sequence[Unit], texts: list[str],
                   constraints: dict[str, list[list[str]]], n: int,
                   other: dict[int, list[tuple[str, str]]] | None = None) -> None:
    """Translate ``texts`` (one per unit of ``units``, cues of ``track``) through ``memory`` with the
    context of each; afterwards ``memory.result`` and ``memory.how`` answer by unit text too (a text
    said in two scenes takes the translation of its last occurrence). ``other``: per unit, more context
    that goes last, untranslated (a bilingual source's English line: ``(line, "")``)."""
    other = other or {}
    if not units:
        return
    times = [(track.cues[min(i for i, _ in u.slots)].start, track.cues[max(i for i, _ in u.slots)].end)
             for u in units]
    runs = max(1, min(memory.batch_size, len(units)))
    size = -(-len(units) // runs)
    starts = list(range(0, len(units), size))
    chosen: dict[int, str] = {}
    keys: list[str] = [""] * len(units)
    progress, memory.progress = memory.progress, None
    done = 0
    try:
        for wave in range(size):
            batch = [start + wave for start in starts if start + wave < min(start + size, len(units))]
            for k in batch:
                first = next(s for s in starts[::-1] if s <= k)
                context: list[tuple[str, str]] = []
                for j in range(k - 1, max(first, k - n) - 1, -1):
                    if times[j + 1][0] - times[j][1] >= SCENE_GAP_MS:
                        break
                    context.insert(0, (texts[j], chosen[j]))
                keys[k] = with_context(texts[k], context + other.get(k, []))
            memory.run([keys[k] for k in batch], {keys[k]: constraints[texts[k]] for k in batch if texts[k] in constraints})
            for k in batch:
                chosen[k] = memory.result[keys[k]]
            done += len(batch)
            if progress:
                progress(done, len(units))
    finally:
        memory.progress = progress
    for k, key in enumerate(keys):
        memory.result[texts[k]] = memory.result[key]
        if key in memory.how:
            memory.how[texts[k]] = memory.how[key]
        if key in memory.cleaned:
            memory.cleaned[texts[k]] = memory.cleaned[key]
