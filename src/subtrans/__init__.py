"""subtrans: subtitle translation (Russian <-> Chinese) and quality control.

The library in three calls::

    import subtrans
    track = subtrans.load("film.ru.srt")          # -> Track (cues in integer ms)
    findings = subtrans.check(track)             # -> list[Finding], profile from the language
    chinese = subtrans.translate(track, to="zh") # -> Track (needs the mt extra and a model)
    track.save("film.fixed.srt")                 # atomic; same encoding and line ends

Nothing here imports torch or transformers: those load only for translation.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import (  # noqa: E402
    ConfigError, EncodingError, FormatError, GlossaryError, ModelError, ParseError, ProfileError, SubtransError, WriteError,
)
from .formats import load, loads, save  # noqa: E402
from .model import Block, Cue, ReadNote, Track  # noqa: E402
from .profiles import Profile, list_profiles, load_profile  # noqa: E402
from .qa import RULES, Finding, Fix, Settings, Severity, check, fix  # noqa: E402


def __getattr__(name: str):
    # Translation is imported on first use, so `subtrans check` never loads that code.
    if name in ("translate", "Translator", "Translation"):
        from . import translating

        return getattr(translating, name)
    raise AttributeError(f"module 'subtrans' has no attribute {name!r}")


__all__ = [
    "__version__", "load", "loads", "save", "check", "fix", "Settings", "translate", "Translator", "Translation",
    "Track", "Cue", "Block", "ReadNote", "Finding", "Fix", "Severity", "RULES",
    "Profile", "load_profile", "list_profiles",
    "SubtransError", "ParseError", "EncodingError", "FormatError", "ProfileError", "ConfigError", "WriteError", "ModelError", "GlossaryError",
]
