"""subtrans: subtitle translation (Russian <-> Chinese) and quality control.

The library in three calls::

    import subtrans
    track = subtrans.load("film.ru.srt")          # -> Track (cues in integer ms)
    findings = subtrans.check(track)             # -> list[Finding], profile from the language
    chinese = subtrans.translate(track, to="zh") # -> Track (needs the mt extra and a model)
    track.save("film.fixed.srt")                 # atomic; same encoding and line ends

Nothing here imports torch or transformers: those load only for translation.
The names below are imported on first use (``import subtrans`` itself costs
next to nothing, so ``subtrans --version`` and ``subtrans rules`` start fast).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

from .errors import (  # noqa: E402  (light: the CLI needs them on every path)
    ConfigError, EncodingError, FormatError, GlossaryError, ModelError, ParseError, ProfileError, SubtransError, WriteError,
)

if TYPE_CHECKING:  # pragma: no cover  (for type checkers only: at run time these load on first use)
    from .formats import load, loads, save
    from .model import Block, Cue, ReadNote, Track
    from .mt.backends.base import Backend
    from .profiles import Profile, list_profiles, load_profile
    from .qa import RULES, Finding, Fix, Settings, Severity, check, fix
    from .translating import Translation, Translator, translate

# Public name -> the module of this package that defines it.
_LAZY = {
    "load": "formats", "loads": "formats", "save": "formats",
    "Block": "model", "Cue": "model", "ReadNote": "model", "Track": "model",
    "Profile": "profiles", "list_profiles": "profiles", "load_profile": "profiles",
    "RULES": "qa", "Finding": "qa", "Fix": "qa", "Settings": "qa", "Severity": "qa", "check": "qa", "fix": "qa",
    # Translation, so that `subtrans check` never loads that code.
    "translate": "translating", "Translator": "translating", "Translation": "translating",
    "Backend": "mt.backends.base",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'subtrans' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    if module != "translating":
        globals()[name] = value  # found once; later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "__version__", "load", "loads", "save", "check", "fix", "Settings", "translate", "Translator", "Translation",
    "Backend", "Track", "Cue", "Block", "ReadNote", "Finding", "Fix", "Severity", "RULES",
    "Profile", "load_profile", "list_profiles",
    "SubtransError", "ParseError", "EncodingError", "FormatError", "ProfileError", "ConfigError", "WriteError", "ModelError", "GlossaryError",
]
