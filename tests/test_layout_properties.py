"""Properties of the whole layout (units, spread, punctuation, line and cue breaks): it changes no
word, no tag and no timing, whatever the engine writes."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, assume, given, settings, strategies as st

import subtrans
from fake_backend import StandInEngine
from subtrans.text import strip_tags

RU_WORDS = ("поезд в Харбин уходит ровно в полночь не опаздывай Иван Петрович 25 километров и мы "
            "всё обсудим на месте А. С. Пушкин «Война и мир» 12 июня 1927 года т. е. бы ли").split()
ZH_WORDS = ("火车 明天 早上 七点 从 哈尔滨 出发 安娜·卡列尼娜 三瓶 伏特加 《战争与和平》 在 莫斯科 "
            "我们 必须 天黑 之前 把 这些 箱子 了 吗 的 2024年3月8日 下午 三点").split()


def EchoEngine(outputs: list[str]) -> StandInEngine:
    """Translates by table: each source text gets the next translation drawn for it (``given``)."""
    given: dict[str, str] = {}
    engine = StandInEngine(lambda text: given.setdefault(text, outputs[len(given) % len(outputs)]))
    engine.given = given
    return engine


def _words(text: str, target: str) -> list[str]:
    if target == "ru":
        return re.findall(r"[^\W_]+", text)
    return re.findall(r"[\u4e00-\u9fff]|[0-9A-Za-z]+", text)


SOURCES = {"ru": ["Поезд уходит", "в полночь.", "<i>Не опаздывай!</i>", "Мы всё обсудим\nна месте,",
                  "когда приедем.", "-Кто там?\n-Свои."],
           "zh": ["火车明天早上", "七点出发", "<i>别迟到</i>", "我们必须在天黑之前\n把箱子搬走", "你去哪儿？", "-谁？\n-我"]}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(to=st.sampled_from(["zh", "ru"]), data=st.data())
def test_layout_changes_no_word_no_tag_no_timing(to, data):
    source_lang = "ru" if to == "zh" else "zh"
    words = ZH_WORDS if to == "zh" else RU_WORDS
    joiner = "" if to == "zh" else " "
    outputs = data.draw(st.lists(st.lists(st.sampled_from(words), min_size=4, max_size=14).map(joiner.join),
                                 min_size=1, max_size=4))
    picks = data.draw(st.lists(st.sampled_from(SOURCES[source_lang]), min_size=1, max_size=6, unique=True))
    gaps = data.draw(st.lists(st.sampled_from([80, 500, 2500]), min_size=len(picks), max_size=len(picks)))
    cues, t = [], 1000
    for text, gap in zip(picks, gaps):
        cues.append(subtrans.Cue(t, t + 2500, text))
        t += 2500 + gap
    track = subtrans.Track(cues=cues)
    engine = EchoEngine(outputs)
    with subtrans.Translator(backend=engine, cache=False, fit=False) as tr:
        result = tr.translate(track, to=to)
    out = result.track
    assert [(c.start, c.end) for c in out.cues] == [(c.start, c.end) for c in track.cues]      # no timing
    for src, new in zip(track.cues, out.cues):                                                 # no tag
        assert re.findall(r"</?i>", src.text) == re.findall(r"</?i>", new.text)
    # no word: every word the engine wrote is shown once, none added (each unit's text is distinct,
    # and a unit translated again cue by cue shows only those translations: that case is left out)
    assume(result.split_per_cue == 0)
    engine_words = sorted(w for text in engine.given.values() for w in _words(text, to))
    shown = sorted(w for c in out.cues for w in _words(strip_tags(c.text), to))
    assert shown == engine_words
