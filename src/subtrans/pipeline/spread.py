"""Stage 5, spread: each unit's translation split back over the cues (slots) it came from.

A unit over several cues gets its translation cut into as many parts, sized
like the source's share of text and time (:func:`split_translation`). A
translation with fewer words than the unit has cues cannot be spread: its
slots are translated again one by one (:func:`slot_sources`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Sequence

from ..lang.lines import atoms, break_cost
from .languages import Languages, source_text, target_text

if TYPE_CHECKING:  # pragma: no cover
    from ..glossary import TermMatch
    from ..lang.units import Shape, Unit
    from .terms import TermFinder

__all__ = ["Piece", "Spread", "split_translation", "spread_text", "spread_units", "slot_sources", "spread_slots"]


class Piece(NamedTuple):
    """One text the model translated (a sentence unit, or a segment of a unit redone per cue)."""

    key: str                        # the text as the model sees it (the memory's key)
    slots: list[tuple[int, int]]    # the (cue, segment) slots its translation fills, in order
    weights: list[float]
    matches: list[TermMatch]        # glossary terms found in it

    @property
    def cues(self) -> list[int]:
        return sorted({i for i, _ in self.slots})


class Spread(NamedTuple):
    pieces: list[Piece]
    slot_text: dict[tuple[int, int], str]   # (cue, segment) -> its translated text
    redo: list[tuple[int, int]]             # slots of units that could not be spread, to translate one by one
    split_per_cue: int                      # how many units that was


def spread_text(text: str, weights: list[float], target: str) -> list[str] | None:
    """A translation split over a unit's slots (by their weights); None when it cannot be."""
    return split_translation(text, weights, target) if text.strip() else None


def spread_units(units: Sequence[Unit], unit_texts: list[str], unit_matches: list[list[TermMatch]], translations: dict[str, str],
                 languages: Languages) -> Spread:
    """Each unit's translation (``translations`` by the unit's text) spread over its slots."""
    pieces: list[Piece] = []
    slot_text: dict[tuple[int, int], str] = {}
    redo: list[tuple[int, int]] = []
    split_per_cue = 0
    for u, key, matches in zip(units, unit_texts, unit_matches):
        parts = spread_text(target_text(translations[key], languages, matches), u.weights, languages.target)
        if parts is None and len(u.slots) > 1:
            redo.extend(u.slots)
            split_per_cue += 1
            continue
        slot_text.update(zip(u.slots, parts or [""]))
        pieces.append(Piece(key, u.slots, u.weights, matches))
    return Spread(pieces, slot_text, redo, split_per_cue)


def slot_sources(slots: list[tuple[int, int]], shapes: Sequence[Shape], languages: Languages, terms: TermFinder
                 ) -> tuple[dict[tuple[int, int], str], dict[tuple[int, int], list[TermMatch]]]:
    """For slots to translate one by one: ``({slot: text for the model}, {slot: glossary matches})``."""
    keys = {s: source_text(shapes[s[0]].segments[s[1]].text, languages) for s in slots}
    matches = {s: terms.matches(shapes[s[0]].segments[s[1]].text) for s in slots}
    return keys, matches


def spread_slots(keys: dict[tuple[int, int], str], matches: dict[tuple[int, int], list[TermMatch]], translations: dict[str, str], languages: Languages,
                 slot_text: dict[tuple[int, int], str]) -> list[Piece]:
    """Slots translated one by one: their texts into ``slot_text``; their pieces returned."""
    pieces: list[Piece] = []
    for s, key in keys.items():
        slot_text[s] = target_text(translations[key], languages, matches[s]).strip()
        pieces.append(Piece(key, [s], [1.0], matches[s]))
    return pieces


def split_translation(text: str, weights: list[float], language: str) -> list[str] | None:
    """Split ``text`` into ``len(weights)`` non-empty parts sized like ``weights``.

    Breaks fall between words (jieba words in Chinese), preferring
    punctuation and avoiding a Russian preposition or conjunction at the end
    of a part. Returns ``None`` when the text has fewer words than parts.
    """
    n = len(weights)
    if n == 1:
        return [text.strip()] if text.strip() else None
    parts = [a for a in atoms(text.strip(), language)]
    if len(parts) < n:
        return None
    # Cumulative visible length at each boundary (boundary b is after parts[b-1]).
    lengths = [len(p.strip()) or 1 for p in parts]
    total = float(sum(lengths))
    cum = [0.0]
    for ln in lengths:
        cum.append(cum[-1] + ln)
    targets = []
    acc = 0.0
    for w in weights[:-1]:
        acc += w
        targets.append(acc * total)
    m = len(parts)
    costs = [0.0] + [break_cost(parts[b - 1], parts[b], language) for b in range(1, m)]
    # dp[k][b]: best cost with the k-th break (1-based) at boundary b.
    INF = float("inf")
    dp = [[INF] * (m + 1) for _ in range(n)]
    back = [[-1] * (m + 1) for _ in range(n)]
    dp[0][0] = 0.0
    for k in range(1, n):
        best, arg = INF, -1
        for b in range(k, m - (n - 1 - k)):
            # best previous break strictly before b
            if dp[k - 1][b - 1] < best:
                best, arg = dp[k - 1][b - 1], b - 1
            if best == INF:
                continue
            miss = abs(cum[b] - targets[k - 1]) / total
            cost = best + 4.0 * miss + min(costs[b], 50.0) * 0.05
            if cost < dp[k][b]:
                dp[k][b], back[k][b] = cost, arg
    end = min(range(n - 1, m), key=lambda b: dp[n - 1][b])
    if dp[n - 1][end] == INF:
        return None
    cuts = [end]
    for k in range(n - 1, 1, -1):
        cuts.append(back[k][cuts[-1]])
    cuts = sorted(cuts)
    bounds = [0, *cuts, m]
    out = ["".join(parts[bounds[i]:bounds[i + 1]]).strip() for i in range(n)]
    return out if all(out) else None
