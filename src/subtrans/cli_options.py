"""Command-line options that more than one command shares, defined once so that they mean the same in each.

``subtrans translate`` and ``subtrans batch translate`` take :func:`translation_options`;
both commands' modules import this one (never each other), and it imports nothing heavy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, TypeVar

import click

__all__ = ["FAIL_ON", "translation_options"]

FAIL_ON = ("error", "warning", "info", "never")

_Command = TypeVar("_Command", bound=Callable[..., Any])

_TRANSLATION_OPTIONS = [
    click.option("--model", "-m", "model", metavar="NAME|ID|PATH",
                 help="Catalog name (subtrans models list), Hugging Face Hub id, or local folder [catalog default]."),
    click.option("--revision", help="Hub branch, tag or commit of the model [the catalog's, else main]."),
    click.option("--glossary", "glossaries", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="Glossary (TSV/CSV/TBX) whose terms the translation must use (repeatable; a later file wins)."),
    click.option("--backend", type=click.Choice(["auto", "hf", "ct2"]), default="auto", show_default=True,
                 help="Translation engine."),
    click.option("--beams", type=click.IntRange(min=1), help="Beam size [the model's recommendation]."),
    click.option("--max-length", type=click.IntRange(min=1), help="Longest translation in tokens [the model's]."),
    click.option("--no-cache", is_flag=True, help="Do not read or write the translation memory."),
    click.option("--bilingual", is_flag=True,
                 help="Keep the source with the translation in each cue: the line above (SRT, WebVTT); in ASS the "
                      "classic layout, the source below after \\N in a second, smaller style."),
    click.option("--bilingual-style", default="Secondary", show_default=True, metavar="NAME",
                 help="ASS with --bilingual: the name of the second style (added to the styles section)."),
    click.option("--bilingual-scale", type=click.FloatRange(min=0.1, max=2.0), default=0.7, show_default=True,
                 help="ASS with --bilingual: the second style's font size, as a share of the first style's."),
    click.option("--source-on-top", is_flag=True, help="ASS with --bilingual: the source above the translation."),
    click.option("--keep-other-lines", is_flag=True,
                 help="A bilingual source (a Chinese line and an English one in each cue): keep the English lines "
                      "under the translation (they are never translated; dropped by default)."),
    click.option("--other-lines-as-context", is_flag=True,
                 help="A bilingual source and a translation LLM that reads context (Hy-MT, Qwen3): give each "
                      "sentence the other language's line of its cues as context (never translated)."),
    click.option("--ignore-style", "ignore_styles", multiple=True, metavar="STYLE",
                 help="ASS: events of this style (a glob, any case; repeatable) are signs or songs: never "
                      "translated, not measured by the timing and reading-speed rules [Sign*, Song*, Lyric*, "
                      "Karaoke*, OP, ED, Title*, Note* ...]."),
    click.option("--profile", "-p", help="QA profile for layout and the check [netflix profile of the target]."),
    click.option("--encoding", help="Read the inputs with this encoding instead of detecting it (outputs are UTF-8)."),
    click.option("--lenient", is_flag=True, help="Skip unreadable blocks of the inputs (each reported)."),
    click.option("--allow-pickle", is_flag=True, help="Load pickle weights (pytorch_model.bin): only for models you trust."),
    click.option("--offline", is_flag=True, help="Never contact the Hugging Face Hub (also: HF_HUB_OFFLINE=1)."),
    click.option("--names/--no-names", default=True, show_default=True,
                 help="Render the film's names by the standard system (Chinese -> Russian: Palladius; Russian -> "
                      "Chinese: the Xinhua table; or the established form) and enforce them like glossary terms; "
                      "the glossary wins."),
    click.option("--context", type=click.IntRange(min=0), metavar="N",
                 help="Translation LLMs that document contextual translation (Hy-MT, Qwen3): give each sentence "
                      "the scene's N previous cues with their translations; 0 switches it off [the model's]."),
    click.option("--fit/--no-fit", default=True, show_default=True,
                 help="Where a translation breaks the profile's reading speed, line length or number of lines, "
                      "use the best alternative the model finds that fits (extra decoding for those sentences only)."),
    click.option("--fit-margin", type=click.FloatRange(min=0), default=0.5, show_default=True,
                 help="How far below the best alternative's score (mean log-probability per token) a fitting one "
                      "may be."),
    click.option("--fit-candidates", type=click.IntRange(min=2), default=4, show_default=True,
                 help="Alternatives decoded per sentence that does not fit."),
    click.option("--retime", is_flag=True,
                 help="Give cues still over the reading speed the time they need from the gaps around them (never "
                      "closer than the minimum gap, never past the maximum duration); each change is reported."),
]


def translation_options(command: _Command) -> _Command:
    """Apply the options shared by ``translate`` and ``batch translate`` to ``command``."""
    for option in reversed(_TRANSLATION_OPTIONS):
        command = option(command)
    return command
