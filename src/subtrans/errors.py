"""The one error hierarchy of subtrans.

Every error the library raises derives from :class:`SubtransError` and keeps
*where* it happened (``path``, ``line``) and *what* it choked on (``text``) as
attributes, so a caller can report it without parsing the message, and the CLI
prints it as one line: ``PATH:LINE: message``. Errors pickle, so they cross
process boundaries (multiprocessing, Ray) intact.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "SubtransError",
    "ParseError",
    "EncodingError",
    "FormatError",
    "ProfileError",
    "ConfigError",
    "WriteError",
    "ModelError",
    "GlossaryError",
]


class SubtransError(Exception):
    """Base class of every error subtrans raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        text: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.text = text
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path + (f":{self.line}" if self.line is not None else "") + ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        msg = where + self.message
        if self.text:
            shown = self.text if len(self.text) <= 60 else self.text[:57] + "..."
            msg += f" [{shown!r}]"
        if self.hint:
            msg += f" ({self.hint})"
        return msg

    def __reduce__(self):  # keep attributes across pickling
        return (
            _rebuild,
            (type(self), self.message, self.path, self.line, self.text, self.hint),
        )

    def with_path(self, path: str | Path) -> "SubtransError":
        """Return this error with ``path`` filled in (readers raise without it)."""
        if self.path is None:
            self.path = str(path)
        return self


def _rebuild(cls, message, path, line, text, hint):
    return cls(message, path=path, line=line, text=text, hint=hint)


class ParseError(SubtransError):
    """A subtitle file could not be read: the line and text say where and what."""


class EncodingError(ParseError):
    """The bytes could not be decoded (or encoded back) in any usable encoding."""


class FormatError(SubtransError):
    """The format is unknown, or the content fits several formats (ambiguous)."""


class ProfileError(SubtransError):
    """A QA profile is unknown or its data file is invalid."""


class ConfigError(SubtransError):
    """The project configuration (subtrans.toml / pyproject.toml) is invalid."""


class WriteError(SubtransError):
    """An output could not be written (or would overwrite an input)."""


class ModelError(SubtransError):
    """A translation model is unknown, missing, unsafe to load, or cannot do what was asked."""


class GlossaryError(SubtransError):
    """A glossary (termbase) file is unreadable, unsafe or has a bad row: path and line say where."""
