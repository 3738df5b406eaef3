"""The core model: a :class:`Track` of :class:`Cue` objects.

Every format reads into this model and writes from it. Times are integer
milliseconds; text keeps its line breaks (``\\n``) and its inline markup
(``<i>``, ``{\\an8}``) exactly as in the file. What is needed to write a file
back as it came (encoding, BOM, line endings, WebVTT header, NOTE/STYLE/REGION
blocks, cue settings) travels with the track.
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from collections.abc import Iterator
from types import ModuleType
from typing import Any, Literal

__all__ = ["Cue", "Block", "ReadNote", "Track", "format_timestamp"]


@dataclass(slots=True)
class Cue:
    """One subtitle event.

    ``id`` is the file's own identifier (the SRT number as written, the
    WebVTT cue identifier) or ``None``; ``settings`` is what follows the end
    time on the timing line (WebVTT cue settings, SRT ``X1:... Y2:...``
    coordinates). ``line`` is where the cue starts in the source file (1-based,
    0 for cues made in code); it is not part of equality.
    """

    start: int
    end: int
    text: str
    id: str | None = None
    settings: str = ""
    line: int = field(default=0, compare=False)
    #: How the cue was written in its file, for writing it back as it was: ``("srt", number line, timing
    #: line, values as read)`` for an SRT cue not written canonically (``fix`` and translation drop it);
    #: ``("ass", line index, values as read)`` for an ASS event (the other fields of its line are kept).
    raw: tuple[Any, ...] | None = field(default=None, compare=False, repr=False)

    @property
    def duration(self) -> int:
        return self.end - self.start

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def replace(self, **changes: Any) -> "Cue":
        return dataclasses.replace(self, **changes)


@dataclass
class Block:
    """A non-cue WebVTT block kept for writing back: NOTE, STYLE or REGION.

    ``before`` is the index of the cue it precedes (``len(cues)`` at the end).
    ``text`` is the block's full text, first line included.
    """

    kind: Literal["NOTE", "STYLE", "REGION"]
    text: str
    before: int
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ReadNote:
    """Something a reader noticed and worked around, reported as a finding.

    ``rule`` is the name of a registered QA rule (``skipped-block``,
    ``cue-numbering``, ``timestamp-format`` ...); ``cue`` is the 0-based index
    of the cue concerned, or ``None`` when the note is about a dropped block.
    """

    rule: str
    message: str
    line: int
    text: str = ""
    cue: int | None = None


@dataclass
class Track:
    """A subtitle file as data: its cues plus what is needed to write it back."""

    cues: list[Cue] = field(default_factory=list)
    format: str = "srt"
    encoding: str = "utf-8"
    bom: bool = False
    newline: str = "\n"
    header: str = "WEBVTT"
    blocks: list[Block] = field(default_factory=list)
    final_newline: bool = True
    final_ending: str = field(default="", compare=False)   # the last line's ending when not ``newline``
    #: SRT: blank lines before cue k (k = len(cues): after the last) where the file has other than one,
    #: written back so; ``fix`` and translation drop them (one blank line between cues).
    gaps: dict[int, int] = field(default_factory=dict, compare=False, repr=False)
    path: Path | None = field(default=None, compare=False)
    notes: list[ReadNote] = field(default_factory=list, compare=False)
    #: The file's own lines, for a format written back by changing only the changed lines (ASS).
    source_lines: list[str] = field(default_factory=list, compare=False, repr=False)
    #: The language the file declares (TTML ``xml:lang``), as written there; written back by the formats
    #: that declare one. Translation sets it to the target's.
    language: str | None = field(default=None, compare=False)
    #: Frames per second the file's times are counted in (TTML ``ttp:frameRate`` x multiplier, or
    #: ``--fps``), as an exact fraction (24000/1001); None: times in milliseconds.
    frame_rate: "Fraction | None" = field(default=None, compare=False)

    def __len__(self) -> int:
        return len(self.cues)

    def __iter__(self) -> Iterator[Cue]:
        return iter(self.cues)

    def save(
        self,
        path: str | Path,
        *,
        format: str | None = None,
        encoding: str | None = None,
        overwrite: bool = True,
    ) -> Path:
        """Write the track atomically; see :func:`subtrans.formats.save`."""
        written: Path = _formats().save(self, path, format=format, encoding=encoding, overwrite=overwrite)
        return written

    def text(self) -> str:
        """The whole track as text in its own format (``\\n`` line ends)."""
        composed: str = _formats().get_format(self.format).compose(self)
        return composed

    def copy(self) -> "Track":
        return dataclasses.replace(
            self,
            cues=[dataclasses.replace(c) for c in self.cues],
            blocks=list(self.blocks),
            notes=list(self.notes),
            source_lines=list(self.source_lines),
            gaps=dict(self.gaps),
        )


def _formats() -> ModuleType:
    """The formats layer, found by name: it builds on this core model, which therefore never imports it
    (as the CLI finds its command groups and the MT registry its backends)."""
    return importlib.import_module("subtrans.formats")


def format_timestamp(ms: int, sep: str = ",") -> str:
    """``HH:MM:SS,mmm`` (SRT) or, with ``sep='.'``, the WebVTT form."""
    sign = "-" if ms < 0 else ""
    ms = abs(ms)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, frac = divmod(rest, 1000)
    return f"{sign}{h:02d}:{m:02d}:{s:02d}{sep}{frac:03d}"
