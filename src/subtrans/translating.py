"""Translate subtitle tracks: the public names of the translation pipeline (:mod:`subtrans.pipeline`).

Kept so that ``from subtrans.translating import Translator`` and the other
names below go on working (the README, docs/batch.md, Ray actors that pickle
by module path). The pipeline itself, a module per stage, is in
:mod:`subtrans.pipeline`; nothing here imports torch or transformers.
"""

from __future__ import annotations

from .pipeline.assembly import Translation
from .pipeline.files import (
    FileResult, check_translation, expand_inputs, plan_outputs, run_translate, translate_file, translation_settings,
)
from .pipeline.languages import LANGUAGES, default_output, normalize_language, target_profile
from .pipeline.translator import ProgressFn, Translator, translate

__all__ = ["Translator", "Translation", "translate", "normalize_language", "target_profile", "default_output",
           "LANGUAGES", "translation_settings", "translate_file", "check_translation", "run_translate",
           "FileResult", "expand_inputs", "plan_outputs", "ProgressFn"]
