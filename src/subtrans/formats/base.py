"""The base class of subtitle formats and their registry.

How to add a format (see ``srt.py`` for a short, complete one):

1. Subclass :class:`SubtitleFormat` in a new module of this package; set
   ``name`` (lower case, used by ``--format`` and ``Track.format``) and
   ``extensions``.
2. Implement ``sniff(text)`` (does the content look like this format? be
   strict: detection refuses content that several formats claim),
   ``parse(text, lenient=...)`` returning a :class:`~subtrans.model.Track`
   (quirks it worked around go to ``track.notes``; what it cannot read raises
   :class:`~subtrans.errors.ParseError` with the line, or with ``lenient`` is
   skipped and noted as ``skipped-block``), and ``compose(track)`` returning
   the file's text with ``\\n`` line ends.
3. Decorate the class with :func:`register_format` and import its module in
   ``formats/__init__.py``.
4. Add it to the round-trip property test (``tests/test_roundtrip.py``):
   ``parse(compose(track)) == track`` must hold.
"""

from __future__ import annotations

from typing import ClassVar

from ..errors import FormatError
from ..model import Track

__all__ = ["SubtitleFormat", "register_format", "get_format", "FORMATS", "EXTENSIONS", "FOLDER_SUFFIXES"]

FORMATS: dict[str, type["SubtitleFormat"]] = {}
#: The files a folder given to translate or batch stands for (``.xml`` is left out: a catalogue's folders
#: hold other XML; a TTML file named .xml is read when it is named itself).
FOLDER_SUFFIXES = (".srt", ".vtt", ".ass", ".ssa", ".ttml", ".dfxp")
EXTENSIONS: dict[str, str] = {}


class SubtitleFormat:
    name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]]

    @classmethod
    def sniff(cls, text: str) -> bool:
        raise NotImplementedError

    def parse(self, text: str, *, lenient: bool = False) -> Track:
        raise NotImplementedError

    def compose(self, track: Track) -> str:
        raise NotImplementedError


def register_format(cls: type[SubtitleFormat]) -> type[SubtitleFormat]:
    FORMATS[cls.name] = cls
    for ext in cls.extensions:
        EXTENSIONS[ext] = cls.name
    return cls


def get_format(name: str) -> SubtitleFormat:
    try:
        return FORMATS[name.lower()]()
    except KeyError:
        raise FormatError(
            f"unsupported format {name!r}", text=name, hint=f"supported: {', '.join(sorted(FORMATS))}"
        ) from None
