"""Text measures shared by the QA rules: tags, character counts, script detection.

Nothing here imports anything heavy: ``subtrans check`` stays light.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterable, Sequence, overload
from functools import lru_cache

__all__ = [
    "strip_tags", "visible_lines", "char_width", "count_chars", "line_length",
    "has_han", "detect_language", "base_language", "TAG_RE", "LazyRegex",
]


class LazyRegex:
    """A regular expression compiled on first use, for module-level patterns that
    cost milliseconds to compile (large character classes, such as the CJK ranges)
    and that many runs never use. Has the methods of :class:`re.Pattern`."""

    __slots__ = ("pattern", "flags", "_compiled")

    def __init__(self, pattern: str | bytes, flags: int = 0) -> None:
        self.pattern, self.flags = pattern, flags
        self._compiled: re.Pattern[Any] | None = None

    @property
    def compiled(self) -> re.Pattern[Any]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def __getattr__(self, name: str) -> Any:  # search, finditer, sub ...
        return getattr(self.compiled, name)


# <i>, </i>, <font color="..">, <c.classname>, <v Speaker>, <00:01.000> (WebVTT),
# and ASS-style overrides some SRT files carry: {\an8}, {\i1}.
TAG_RE = re.compile(r"<[^<>\n]*>|\{\\[^{}\n]*\}")
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&nbsp;": "\u00a0", "&lrm;": "\u200e", "&rlm;": "\u200f"}
_ENTITY_RE = re.compile("|".join(map(re.escape, _ENTITIES)))
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]"
_HAN_RUN_RE = LazyRegex(_HAN + "+")  # 2-3 ms to compile
_CYRILLIC_RUN_RE = re.compile(r"[\u0400-\u04ff]+")


def strip_tags(text: str, *, entities: bool = False) -> str:
    """Text as the viewer reads it: formatting tags removed (and, for WebVTT, entities decoded)."""
    if "<" in text or "{" in text:  # every tag starts with one of them; most cues have none
        text = TAG_RE.sub("", text)
    if entities and "&" in text:
        text = _ENTITY_RE.sub(lambda m: _ENTITIES[m.group(0)], text)
    return text


def visible_lines(text: str, *, entities: bool = False) -> list[str]:
    return strip_tags(text, entities=entities).split("\n")


@lru_cache(maxsize=4096)
def char_width(ch: str) -> float:
    """1 for a full-width character (CJK, full-width punctuation), 0.5 for a half-width one."""
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 0.5


def count_chars(text: str, half_width: float = 1.0) -> float:
    """Characters as Netflix counts them for reading speed.

    Spaces and punctuation count; line breaks and formatting tags do not.
    ``half_width`` is the weight of a half-width character (0.5 in the
    Chinese profiles: Latin letters, digits and ASCII punctuation count half).
    """
    visible = strip_tags(text).replace("\n", "")
    if half_width == 1.0:
        return float(len(visible))
    return sum(1.0 if char_width(ch) == 1.0 else half_width for ch in visible)


def reading_speed(text: str, duration_ms: int, half_width: float = 1.0) -> float | None:
    """Characters per second as Netflix counts them; ``None`` for a cue without duration.

    Here, not in the QA rule, so that fitting a translation measures exactly what the
    ``reading-speed`` rule measures without loading the QA engine.
    """
    if duration_ms <= 0:
        return None
    return count_chars(text, half_width) * 1000.0 / duration_ms


def line_length(line: str, half_width: float = 1.0) -> float:
    """Length of one visible line, weighted like :func:`count_chars`."""
    return count_chars(line, half_width)


@overload
def base_language(language: str) -> str: ...
@overload
def base_language(language: None) -> None: ...
@overload
def base_language(language: str | None) -> str | None: ...
def base_language(language: str | None) -> str | None:
    """``zh`` for any Chinese code (``zh-hans``, ``zh-hant``), the code itself otherwise."""
    if language is None:
        return None
    return "zh" if language.startswith("zh") else language


def has_han(text: str) -> bool:
    return bool(_HAN_RUN_RE.search(text))


# Characters written differently in Traditional and Simplified Chinese, the
# most frequent ones in film dialogue. Enough to tell a file's script apart;
# full conversion is OpenCC's job (the glossary extra).
_TRAD_ONLY = set(
    "們這個說來時會為國對過還麼與從樣當發們後見現讓對關進開問體頭長東點學給聽電話車門幾" 
    "們經對無將實應該區裡處邊師將覺請爭義隊軍戰鐵劃報導槍殺黨衛護謝嗎愛聖龍鳳興歡"
    "寫臉讀語誰沒錢買賣題間號葉劉陳張趙燈飛機場廣樂歲離難變記響準備帶氣錯條"
)
_SIMP_ONLY = set(
    "们这个说来时会为国对过还么与从样当发后见现让关进开问体头长东点学给听电话车门几"
    "经无将实应该区里处边师觉请争义队军战铁划报导枪杀党卫护谢吗爱圣龙凤兴欢"
    "写脸读语谁没钱买卖题间号叶刘陈张赵灯飞机场广乐岁离难变记响准备带气错条"
)


#: Cues read to tell a track's language: a long track is sampled evenly, a short one read whole.
LANGUAGE_SAMPLE = 2000


def sample_texts(cues: Sequence[Any], limit: int = LANGUAGE_SAMPLE) -> list[str]:
    """The texts of ``cues`` (a sequence), or of ``limit`` of them evenly spaced: what
    :func:`detect_language` needs of a long track."""
    n = len(cues)
    if n <= limit:
        return [c.text for c in cues]
    return [cues[i * n // limit].text for i in range(limit)]


def detect_language(texts: Iterable[str]) -> str | None:
    """``ru``, ``zh-hans``, ``zh-hant`` or ``None`` from the script of the text."""
    # One pass over all the text at once: the counts are sums, so joining changes nothing.
    text = "\n".join(texts)
    cyr = len(text) - len(_CYRILLIC_RUN_RE.sub("", text))
    han = trad = simp = 0
    for run in _HAN_RUN_RE.findall(text):
        han += len(run)
        for ch in run:
            if ch in _TRAD_ONLY:
                trad += 1
            elif ch in _SIMP_ONLY:
                simp += 1
    if not cyr and not han:
        return None
    if cyr >= han:
        return "ru"
    return "zh-hant" if trad > simp else "zh-hans"
