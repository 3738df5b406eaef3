"""Sentence units: how cues are taken apart, merged, and how translations go back."""

import pytest

from subtrans.model import Cue
from subtrans.lang.units import analyse, build_units
from subtrans.pipeline.render import render_cue as render
from subtrans.pipeline.spread import split_translation


def cues(*spec):
    """cues((0, 1000, "text"), ...)"""
    return [Cue(s, e, t) for s, e, t in spec]


# -- shapes -------------------------------------------------------------------

SHAPES = [
    # text, language, expected [(kind, text, open, close)], lead, wrap
    ("Поезд уходит.", "ru", [("speech", "Поезд уходит.", "", "")], "", ""),
    ("Поезд уходит\nв полночь.", "ru", [("speech", "Поезд уходит в полночь.", "", "")], "", ""),
    ("火车\n午夜出发。", "zh", [("speech", "火车，午夜出发。", "", "")], "", ""),
    ("-Почему я?\n-Тебя никто не знает.", "ru",
     [("speaker", "Почему я?", "", ""), ("speaker", "Тебя никто не знает.", "", "")], "", ""),
    ("- Почему я?\n- Тебя никто\n  не знает.", "ru",
     [("speaker", "Почему я?", "", ""), ("speaker", "Тебя никто не знает.", "", "")], "", ""),
    ("Почему я?\n-Тебя никто не знает.", "ru",
     [("speaker", "Почему я?", "", ""), ("speaker", "Тебя никто не знает.", "", "")], "", ""),
    ("<i>Поезд отправляется\nчерез пять минут!</i>", "ru",
     [("speech", "Поезд отправляется через пять минут!", "", "")], "", "<i>"),
    ("<i>Поезд отправляется\nчерез пять минут!", "ru",   # unclosed: still a wrapper, closed on output
     [("speech", "Поезд отправляется через пять минут!", "", "")], "", "<i>"),
    ("{\\an8}Харбин, 1927", "ru", [("speech", "Харбин, 1927", "", "")], "{\\an8}", ""),
    ("-<i>Кто там?</i>\n-Проводник.", "ru",
     [("speaker", "Кто там?", "<i>", "</i>"), ("speaker", "Проводник.", "", "")], "", ""),
    ("[стук в дверь]", "ru", [("sound", "стук в дверь", "[", "]")], "", ""),
    ("(смеётся) Шутите?", "ru", [("sound", "смеётся", "(", ")"), ("speech", "Шутите?", "", "")], "", ""),
    ("♪ Ой, мороз, мороз ♪", "ru", [("lyrics", "Ой, мороз, мороз", "♪ ", " ♪")], "", ""),
    ("<i>Первая строка.</i>\n<i>Вторая строка.</i>", "ru",
     [("speech", "Первая строка. Вторая строка.", "", "")], "", "<i>"),
    ("в Харбин.</i>", "ru", [("speech", "в Харбин.", "", "")], "", "<i>"),   # italics opened in the cue before
    ("♪ Ой, мороз, мороз,\nне морози меня ♪", "ru", [("lyrics", "Ой, мороз, мороз, не морози меня", "♪ ", " ♪")],
     "", ""),
    ("", "ru", [], "", ""),
    ("<i></i>", "ru", [], "", "<i>"),
]


@pytest.mark.parametrize("text,lang,expected,lead,wrap", SHAPES)
def test_analyse(text, lang, expected, lead, wrap):
    shape = analyse(text, lang)
    assert [(s.kind, s.text, s.open, s.close) for s in shape.segments] == expected
    assert shape.lead == lead
    assert shape.wrap_open == wrap


def test_inline_tags_are_reported_not_hidden():
    shape = analyse("Это <i>очень</i> важно.", "ru")
    assert shape.segments[0].text == "Это очень важно."
    assert shape.segments[0].dropped_tags == ("<i>", "</i>")


# -- merging ------------------------------------------------------------------

def unit_texts(cs, lang="ru", **kw):
    shapes = [analyse(c.text, lang) for c in cs]
    return [(u.text, [s[0] for s in u.slots]) for u in build_units(cs, shapes, lang, **kw)]


def test_sentence_running_over_cues_is_one_unit():
    cs = cues((0, 2000, "Этот пакет должен быть"), (2100, 4000, "в Пекине к седьмому ноября."),
              (4100, 6000, "Лично в руки."))
    assert unit_texts(cs) == [("Этот пакет должен быть в Пекине к седьмому ноября.", [0, 1]),
                              ("Лично в руки.", [2])]


def test_continuation_ellipses_are_dropped_when_merging():
    cs = cues((0, 2000, "Мы поедем..."), (2100, 4000, "...в Харбин."))
    assert unit_texts(cs) == [("Мы поедем в Харбин.", [0, 1])]


def test_terminal_ellipsis_before_a_capital_ends_the_sentence():
    cs = cues((0, 2000, "Я не знаю…"), (2100, 4000, "Спросите его."))
    assert unit_texts(cs) == [("Я не знаю…", [0]), ("Спросите его.", [1])]


@pytest.mark.parametrize("second,reason", [
    ((5000, 7000, "в Пекине."), "gap too long"),
    ((2100, 4000, "-в Пекине.\n-Да."), "dialogue does not merge"),
    ((2100, 4000, "<i>в Пекине.</i>"), "different formatting"),
])
def test_no_merge(second, reason):
    cs = cues((0, 2000, "Этот пакет должен быть"), second)
    assert len(unit_texts(cs)) >= 2, reason


def test_unit_size_is_capped():
    cs = cues(*[(i * 1000, i * 1000 + 900, f"слово{i}") for i in range(10)])
    units = unit_texts(cs, max_cues=4)
    assert [len(c) for _, c in units] == [4, 4, 2]


def test_chinese_units_run_on_until_a_sentence_end():
    cs = cues((0, 2000, "这个包裹必须，"), (2100, 4000, "在十一月七日前送到北京。"))
    assert unit_texts(cs, "zh") == [("这个包裹必须，在十一月七日前送到北京。", [0, 1])]
    # Netflix-style Chinese has no commas or full stops: a cue without 。！？ runs on, the cue boundary
    # reaching the engine as a comma (LAYOUT-NOTES ZT5).
    cs = cues((0, 2000, "如果你明天又不来排练"), (2100, 4000, "导演就会找人顶替你"))
    assert unit_texts(cs, "zh") == [("如果你明天又不来排练，导演就会找人顶替你", [0, 1])]
    # ... but a caption (a place and a date, no verb) does not swallow the next line, nor does a
    # question or an exclamation run on.
    cs = cues((0, 2000, "莫斯科 1927年10月"), (2100, 4000, "红军战士阿列克谢·沃罗诺夫？"))
    assert len(unit_texts(cs, "zh")) == 2
    cs = cues((0, 2000, "你去哪儿？"), (2100, 4000, "我去车站"))
    assert len(unit_texts(cs, "zh")) == 2


def test_a_caption_does_not_swallow_the_next_line():
    cs = cues((0, 2000, "Москва, октябрь 1927 года"), (2100, 4000, "Красноармеец Алексей Воронов?"))
    assert len(unit_texts(cs)) == 2


def test_positioned_cues_do_not_merge_with_others():
    cs = [Cue(0, 2000, "Этот пакет должен быть", settings="line:10%"), Cue(2100, 4000, "в Пекине.")]
    assert len(unit_texts(cs)) == 2


def test_weights_follow_text_and_time():
    cs = cues((0, 1000, "Короткий"), (1000, 4000, "гораздо более длинный текст."))
    shapes = [analyse(c.text, "ru") for c in cs]
    (u,) = build_units(cs, shapes, "ru")
    assert sum(u.weights) == pytest.approx(1)
    assert u.weights[0] < u.weights[1]


# -- spreading a translation over cues ----------------------------------------

def test_split_prefers_punctuation_near_the_share():
    parts = split_translation("这个包裹必须送到北京，交给我们的人。", [0.5, 0.5], "zh")
    assert parts == ["这个包裹必须送到北京，", "交给我们的人。"]


def test_split_russian_between_words_not_after_a_preposition():
    parts = split_translation("Этот пакет должен быть в Пекине к седьмому ноября", [0.45, 0.55], "ru")
    assert len(parts) == 2 and all(parts)
    assert " ".join(parts).split() == "Этот пакет должен быть в Пекине к седьмому ноября".split()
    assert parts[0].split()[-1] not in {"в", "к"}


def test_split_keeps_every_character():
    text = "西伯利亚快车明天早上七点从莫斯科出发，经过伊尔库茨克和哈尔滨。"
    for n in range(1, 5):
        parts = split_translation(text, [1 / n] * n, "zh")
        assert "".join(parts) == text and len(parts) == n and all(parts)


def test_split_impossible_when_fewer_words_than_cues():
    assert split_translation("Да.", [0.5, 0.5], "ru") is None
    assert split_translation("", [1.0], "ru") is None


# -- rendering ----------------------------------------------------------------

def test_render_dialogue_uses_the_target_dash_style():
    shape = analyse("- Почему я?\n- Тебя никто не знает.", "ru")
    assert render(shape, ["为什么是我？", "没人认识你。"], "zh", dash="-") == "-为什么是我？\n-没人认识你。"


def test_render_keeps_wrappers_position_and_sound_brackets():
    shape = analyse("{\\an8}<i>(смеётся) Шутите?</i>", "ru")
    assert render(shape, ["笑", "开玩笑吗？"], "zh") == "{\\an8}<i>（笑）开玩笑吗？</i>"


def test_render_speech_goes_through_layout():
    shape = analyse("Поезд уходит.", "ru")
    assert render(shape, ["火车要开了。"], "zh", layout=lambda s: s[:3] + "\n" + s[3:]) == "火车要\n开了。"
