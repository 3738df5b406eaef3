"""The one error hierarchy of subtrans.

Every error the library raises derives from :class:`SubtransError` and keeps
*where* it happened (``path``, ``line``) and *what* it choked on (``text``) as
attributes, so a caller can report it without parsing the message, and the CLI
prints it as one line: ``PATH:LINE: message``. Errors pickle, so they cross
process boundaries (multiprocessing, Ray) intact.
"""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any, Self

__all__ = [
    "EngineUnusable",
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
        return _for_audience(self._render())

    def _render(self) -> str:
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

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:  # keep attributes across pickling
        return (
            _rebuild,
            (type(self), self.message, self.path, self.line, self.text, self.hint),
        )

    def with_path(self, path: str | Path) -> Self:
        """Return this error with ``path`` filled in (readers raise without it)."""
        if self.path is None:
            self.path = str(path)
        return self


#: Who reads errors: ``library`` (the default: a hint says ``model=PATH``) or ``cli`` (``--model PATH``),
#: set by the command line while it runs. Errors are written in the command line's terms; for the
#: library, each option a message or hint names becomes the keyword of the call that takes it.
AUDIENCE: "ContextVar[str]" = ContextVar("subtrans_error_audience", default="library")
_KEYWORDS = {
    "--model": "model=", "--backend": "backend=", "--device": "device=", "--beams": "beams=",
    "--batch-size": "batch_size=", "--max-length": "max_length=", "--glossary": "glossaries=",
    "--revision": "revision=", "--offline": "offline=True", "--allow-pickle": "allow_pickle=True",
    "--no-cache": "cache=False", "--fit-margin": "fit_margin=", "--fit-candidates": "fit_candidates=",
    "--no-fit": "fit=False", "--retime": "retime=True", "--from": "source=", "--to": "to=",
    "--profile": "profile=", "--lenient": "lenient=True", "--encoding": "encoding=", "--fps": "fps=",
    "--bilingual": "bilingual=True", "--keep-other-lines": "keep_other_lines=True", "--no-names": "names=False",
    "--context": "context=", "--other-lines-as-context": "other_lines_as_context=True",
    "--ignore-style": "ignore_styles=",
}


_VALUES = {"hf", "ct2", "auto", "cpu", "cuda", "ru", "zh", "zh-hant", "zh-Hant"}


def _for_audience(text: str) -> str:
    if AUDIENCE.get() == "cli" or "--" not in text:
        return text
    import re

    def keyword(m: "re.Match[str]") -> str:
        option, value = m.group(1), m.group(2)
        word = _KEYWORDS.get(option)
        if word is None:
            return m.group(0)
        if value and word.endswith("="):
            if value.isupper() or value.replace(".", "").isdigit():
                return word + value                      # model=PATH, beams=4
            if value in _VALUES:
                return f"{word}{value!r}"                # backend='hf'
        return word + (m.group(0)[len(option):] if value else "")

    return re.sub(r"(--[a-z][a-z-]*)(?: ([A-Za-z0-9_.-]+))?", keyword, text)


def _rebuild(cls: type[SubtransError], message: str, path: str | None, line: int | None, text: str | None,
             hint: str | None) -> SubtransError:
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


class EngineUnusable(ModelError):
    """This engine cannot run this model (CTranslate2 cannot convert or load it), though another may:
    ``--backend auto`` then takes transformers and says why."""


class GlossaryError(SubtransError):
    """A glossary (termbase) file is unreadable, unsafe or has a bad row: path and line say where."""
