"""Stage 0, the job's languages: what the user asked for, and what the model is asked for.

subtrans translates between ``ru``, ``zh`` (Simplified) and ``zh-hant``. A
model that reads or writes only Simplified Chinese still serves
Traditional: the input is converted before the engine (:func:`source_text`)
and the output after it (:func:`target_text`), with OpenCC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from ..errors import ConfigError
from ..text import base_language, detect_language, sample_texts

if TYPE_CHECKING:  # pragma: no cover
    from ..glossary import TermMatch
    from ..model import Track
    from ..mt.catalog import ModelSpec
    from ..profiles import Profile

__all__ = ["LANGUAGES", "Languages", "normalize_language", "target_profile", "file_tag", "default_output",
           "detect_source", "check_direction", "job_languages", "job_profile", "source_text", "target_text"]

# subtrans language codes for translation, and what the CLI accepts for them.
LANGUAGES = {
    "ru": "ru", "rus": "ru", "ru-ru": "ru",
    "zh": "zh", "zh-hans": "zh", "zh-cn": "zh", "zho": "zh", "cmn": "zh", "chs": "zh",
    "zh-hant": "zh-hant", "zh-tw": "zh-hant", "zh-hk": "zh-hant", "cht": "zh-hant",
}
_PROFILES = {"ru": "netflix-ru", "zh": "netflix-zh-hans", "zh-hant": "netflix-zh-hant"}
_FILE_TAGS = {"ru": "ru", "zh": "zh", "zh-hant": "zh-Hant"}
_LANG_SUFFIX = re.compile(r"\.(ru|rus|ru-ru|zh|zho|chi|chs|cht|zh[-_](hans|hant|cn|tw|hk|sg))$", re.IGNORECASE)


@dataclass(frozen=True)
class Languages:
    """The languages of one job: the user's (``source``, ``target``) and the model's.

    ``model_source`` / ``model_target`` are ``zh-hant`` only where the model
    reads or writes Traditional Chinese natively; otherwise the pipeline
    converts around it.
    """

    source: str
    target: str
    model_source: str
    model_target: str


def normalize_language(code: str) -> str:
    """``ru``, ``zh`` (Simplified) or ``zh-hant`` from what a user may type."""
    try:
        return LANGUAGES[code.strip().lower().replace("_", "-")]
    except KeyError:
        raise ConfigError(f"unsupported language {code!r}", text=code,
                          hint="subtrans translates between ru, zh (zh-Hans) and zh-Hant") from None


def target_profile(language: str) -> str:
    return _PROFILES[language]


def file_tag(language: str) -> str:
    """The tag a file translated into ``language`` carries in its name (``film.zh-Hant.srt``)."""
    return _FILE_TAGS[language]


#: The extension an output gets when ``--output-format`` names another format than the input's.
FORMAT_SUFFIXES = {"srt": ".srt", "vtt": ".vtt", "ass": ".ass", "ttml": ".ttml", "imsc": ".ttml"}


def default_output(path: str | Path, target: str, output_format: str | None = None) -> Path:
    """``film.ru.srt`` -> ``film.zh.srt``: the input's name with the target's language tag (and, with
    ``output_format``, that format's extension: ``film.zh.ttml``)."""
    path = Path(path)
    stem = _LANG_SUFFIX.sub("", path.stem)
    suffix = FORMAT_SUFFIXES[output_format] if output_format else path.suffix
    return path.with_name(f"{stem}.{_FILE_TAGS[target]}{suffix}")


def detect_source(track: "Track") -> str:
    """The source language of ``track`` from its script."""
    lang = detect_language(sample_texts(track.cues))
    if lang is None:
        raise ConfigError("cannot tell the source language (no Cyrillic or Chinese text)",
                          path=track.path, hint="name it with --from ru|zh")
    return {"ru": "ru", "zh-hans": "zh", "zh-hant": "zh-hant"}[lang]


def job_languages(spec: ModelSpec, source: str, target: str) -> Languages:
    """The languages of a job from ``source`` to ``target`` with the model of ``spec``; raises
    :class:`ModelError` for a direction the model does not translate."""
    from ..mt.catalog import direction_error, model_languages

    languages = model_languages(spec, source, target)
    if languages is None:
        raise direction_error(spec, source, target)
    return Languages(source, target, *languages)


def check_direction(source: str, target: str, asked: str) -> None:
    """Refuse a job whose source is already in the target language (``asked``: the target as typed)."""
    if base_language(source) == base_language(target):
        raise ConfigError(f"the source is already {source}", text=asked,
                          hint="translate between Russian and Chinese (use `subtrans check` for QA)")


def job_profile(profile: "Profile | str | None", target: str) -> "Profile":
    """The profile the output is laid out and fitted to: ``profile`` (loaded when a name or path),
    else the target's Netflix profile."""
    from ..profiles import load_profile

    if profile is not None and not isinstance(profile, str):
        return profile
    return load_profile(profile or target_profile(target))


def source_text(text: str, languages: Languages) -> str:
    """Traditional input for a model that reads Simplified Chinese is converted first."""
    if languages.source == "zh-hant" and languages.model_source != "zh-hant":
        from ..lang.chinese import to_simplified

        return to_simplified(text)
    return text


def target_text(text: str, languages: Languages, matches: Iterable[TermMatch] = ()) -> str:
    """Simplified output becomes Traditional when the user asked for it and the model cannot write it."""
    if languages.target == "zh-hant" and languages.model_target != "zh-hant":
        from ..lang.chinese import to_traditional

        text = to_traditional(text)
        # The glossary's own Traditional form wins over OpenCC's conversion of the Simplified one.
        for m in matches:
            if m.term.zh and m.term.zh_hant:
                text = text.replace(to_traditional(m.term.zh), m.term.zh_hant)
    return text
