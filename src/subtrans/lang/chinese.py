"""Chinese text tools shared by glossaries, sentence units and layout: jieba words and OpenCC scripts.

Both libraries load on first use, once, thread-safely: importing this module
costs nothing, so ``subtrans check`` never pays for them unless a rule needs
Chinese words.

- :func:`jieba_tokenizer`: jieba's default tokenizer, initialised and quiet
  (words added with ``jieba.add_word``, such as glossary terms, count);
- :func:`cut`: a run of Han characters as jieba words, never losing a character;
- :func:`tagged`: the same words with jieba's part-of-speech tags (``nr`` person,
  ``ns`` place, ``m`` numeral, ``q`` classifier, ``t`` time, ...);
- :func:`to_traditional` / :func:`to_simplified`: the script, with OpenCC.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from typing import Any

from .._install import install_hint
from ..errors import ConfigError

__all__ = ["jieba_tokenizer", "cut", "tagged", "to_traditional", "to_simplified"]

_LOAD_LOCK = threading.Lock()
_JIEBA: Any = None
_CONVERTERS: dict[str, Any] = {}


def jieba_tokenizer() -> Any:
    """jieba's default tokenizer (``jieba.dt``), initialised on first use."""
    global _JIEBA
    if _JIEBA is None:
        with _LOAD_LOCK:
            if _JIEBA is None:
                try:
                    import jieba
                except ImportError:
                    raise ConfigError("Chinese word segmentation needs jieba, which is not installed",
                                      hint=install_hint("glossary") + ", or the mt extra") from None
                jieba.setLogLevel(logging.WARNING)  # it logs "Building prefix dict..." to stderr
                jieba.dt.initialize()               # the default tokenizer: words added with jieba.add_word count
                _JIEBA = jieba.dt
    return _JIEBA


@lru_cache(maxsize=8192)
def cut(han: str) -> tuple[str, ...]:
    """``han`` (a run of Han characters) as jieba words; one word per character if jieba loses any."""
    words = tuple(w for w in jieba_tokenizer().cut(han, HMM=True) if w)
    return words if "".join(words) == han else tuple(han)  # never lose a character


@lru_cache(maxsize=8192)
def tagged(han: str) -> tuple[tuple[str, str], ...]:
    """``han`` (a run of Han characters) as (word, jieba tag) pairs; ``x`` tags if jieba loses a character."""
    jieba_tokenizer()
    import jieba.posseg

    pairs = tuple((p.word, p.flag) for p in jieba.posseg.dt.cut(han, HMM=True) if p.word)
    return pairs if "".join(w for w, _ in pairs) == han else tuple((c, "x") for c in han)


def _converter(config: str) -> Any:
    conv = _CONVERTERS.get(config)
    if conv is None:
        with _LOAD_LOCK:
            conv = _CONVERTERS.get(config)
            if conv is None:
                try:
                    import opencc
                except ImportError:
                    raise ConfigError("Chinese script conversion needs OpenCC, which is not installed",
                                      hint=install_hint("glossary") + ", or the mt extra") from None
                conv = opencc.OpenCC(config)
                _CONVERTERS[config] = conv
    return conv


def to_traditional(text: str) -> str:
    """Simplified -> Traditional Chinese as written in Taiwan, with OpenCC's ``s2tw``.

    The Traditional profiles are Netflix's Traditional Chinese (Taiwan)
    guide, so the glyphs are Taiwan's standard forms (為, 著, 裡 rather than
    the generic ``s2t`` forms 爲, 着, 裏). Vocabulary is not rewritten
    (``s2twp`` would also turn 软件 into 軟體): subtrans never changes words
    a model or a translator chose. OpenCC also has ``s2hk`` for Hong Kong.
    """
    return _converter("s2tw").convert(text) if text else text


def to_simplified(text: str) -> str:
    """Traditional -> Simplified Chinese (OpenCC ``tw2s``, which also reads Taiwan glyphs; see
    :func:`to_traditional`)."""
    return _converter("tw2s").convert(text) if text else text
