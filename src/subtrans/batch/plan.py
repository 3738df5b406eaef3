"""Which files a catalogue run reads, where their outputs go, and which outputs are up to date.

A source is a folder (its ``.srt``, ``.vtt``, ``.ass`` and ``.ssa`` files, recursively, as
``subtrans translate FOLDER`` finds them) or a *list file*: a UTF-8 text file
naming one subtitle file (or folder) per line, relative to the list file's
folder; blank lines and lines starting with ``#`` are skipped. Each file's
place below the folder (for a list, below the deepest folder all listed files
share) is kept under ``--output-dir``.

Nothing here imports Ray: these are plain functions, run by the driver or
inside Ray tasks.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import ConfigError, SubtransError
from ..formats.base import FOLDER_SUFFIXES

__all__ = ["collect_inputs", "read_list_file", "output_is_current", "newest_mtime_ns"]

SUBTITLE_SUFFIXES = FOLDER_SUFFIXES


def read_list_file(path: str | Path) -> list[Path]:
    """The paths a list file names, in order (relative ones taken from the list file's folder)."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"cannot read the list file: {exc.strerror or exc}", path=path) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"the list file is not UTF-8 text: {exc.reason}", path=path,
                          hint="a list file names one subtitle file per line") from None
    entries = []
    for n, line in enumerate(text.splitlines(), 1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if "\0" in entry:
            raise ConfigError("the list file holds a NUL character", path=path, line=n,
                              hint="a list file names one subtitle file per line")
        p = Path(entry).expanduser()
        entries.append(p if p.is_absolute() else path.parent / p)
    if not entries:
        raise ConfigError("the list file names no files", path=path,
                          hint="one subtitle file per line; # starts a comment")
    return entries


def collect_inputs(source: str | Path, target: str | None = None) -> tuple[list[Path], list[Path]]:
    """The subtitle files of ``source`` (a folder or a list file) and each one's name below it.

    With ``target``, files already named as translations into it (``film.zh.srt``
    for ``zh``: a previous run's outputs) are left out of a folder, as
    ``subtrans translate FOLDER`` does.
    """
    from ..pipeline.files import expand_inputs

    source = Path(source)
    if source.is_dir():
        files = expand_inputs([source], target)
        return files, [f.relative_to(source) for f in files]
    if not source.exists():
        raise ConfigError("no such folder or list file", path=source)
    if source.suffix.lower() in SUBTITLE_SUFFIXES:
        raise ConfigError("give a folder, or a list file naming one subtitle file per line", path=source,
                          hint="for one file use `subtrans translate` or `subtrans check`")
    files = expand_inputs(read_list_file(source), target)
    return files, _names_below_common_folder(files)


def _names_below_common_folder(files: list[Path]) -> list[Path]:
    folders = [os.path.abspath(f.parent) for f in files]
    common = Path(os.path.commonpath(folders)) if folders else Path(".")
    return [Path(os.path.abspath(f)).relative_to(common) for f in files]


def newest_mtime_ns(paths: Iterable[str | Path]) -> int:
    """The newest modification time of ``paths`` (0 when there are none); a missing path is an error."""
    newest = 0
    for p in paths:
        try:
            newest = max(newest, Path(p).stat().st_mtime_ns)
        except OSError as exc:
            raise ConfigError(f"cannot read: {exc.strerror or exc}", path=p) from None
    return newest


def output_is_current(input_path: Path, output: Path, input_cues: int, depends_ns: int = 0) -> bool:
    """Is ``output`` a finished translation of the current input?

    Yes when it exists, is newer than the input and than ``depends_ns`` (the
    newest glossary or configuration file), reads as a subtitle file, and has
    the input's number of cues. Outputs are written atomically (a temporary
    file renamed into place), so one that exists was written whole; reading it
    back also catches a file damaged or replaced since.
    """
    from ..formats import load

    try:
        out_ns = output.stat().st_mtime_ns
        in_ns = input_path.stat().st_mtime_ns
    except OSError:
        return False
    if out_ns <= max(in_ns, depends_ns):
        return False
    try:
        return len(load(output)) == input_cues
    except SubtransError:
        return False
