"""Each target's conventions, from its profile (hand-written cases): quotation marks, the ellipsis, the
interpunct in foreign names, acronyms, no comma or full stop in Chinese subtitles."""

from __future__ import annotations

import pytest

from subtrans.lang.punctuation import finish_punctuation
from subtrans.profiles import load_profile

RU, ZH, ZHT = load_profile("netflix-ru"), load_profile("netflix-zh-hans"), load_profile("netflix-zh-hant")


@pytest.mark.parametrize("text,expected", [
    ('Он сказал: "Иди домой".', "Он сказал: «Иди домой»."),
    ("Фильм “Красный шёлк” вышел в 1927 году.", "Фильм «Красный шёлк» вышел в 1927 году."),
    ("Книга «Мастер и “Маргарита”» лежит на столе.", "Книга «Мастер и „Маргарита“» лежит на столе."),
    ('Он сказал "да", а она "нет".', "Он сказал «да», а она «нет»."),
    ("Он приехал из С.Ш.А.", "Он приехал из США."),
    ("В С.С.С.Р. так не говорили.", "В СССР так не говорили."),
    ("Письмо подписал А. С. Пушкин.", "Письмо подписал А. С. Пушкин."),    # initials keep their dots
    ("Я давно... ждал.", "Я давно… ждал."),
    ("Это rock'n'roll.", "Это rock'n'roll."),                               # an apostrophe is no quote
    ('<font color="red">Да</font>, "конечно".', '<font color="red">Да</font>, «конечно».'),
])
def test_russian(text, expected):
    assert finish_punctuation(text, "ru", RU) == expected


@pytest.mark.parametrize("text,hans,hant", [
    ('他说"我受够了"', "他说“我受够了”", "他说「我受够了」"),
    ("他说「我受够了」", "他说“我受够了”", "他说「我受够了」"),
    ("她问“你读过‘红丝绸’吗？”", "她问“你读过‘红丝绸’吗？”", "她问「你读过『红丝绸』吗？」"),
    ("我觉得...", "我觉得⋯", "我觉得⋯"),
    ("我觉得……我们还是分手吧", "我觉得⋯我们还是分手吧", "我觉得⋯我们还是分手吧"),
    ("安娜•卡列尼娜来了", "安娜·卡列尼娜来了", "安娜·卡列尼娜来了"),
    ("安娜・卡列尼娜来了", "安娜·卡列尼娜来了", "安娜·卡列尼娜来了"),
    ("安娜.卡列尼娜来了", "安娜·卡列尼娜来了", "安娜·卡列尼娜来了"),
    ("你好.我们走吧", "你好 我们走吧", "你好 我们走吧"),       # a full stop between words, no name
    ("快走,火车要开了.", "快走 火车要开了", "快走 火车要开了"),   # no comma, no full stop: a space
    ("你是谁?", "你是谁？", "你是谁？"),
])
def test_chinese(text, hans, hant):
    assert finish_punctuation(text, "zh", ZH) == hans
    assert finish_punctuation(text, "zh-hant", ZHT) == hant


@pytest.mark.parametrize("language,profile", [("ru", RU), ("zh", ZH), ("zh-hant", ZHT)])
@pytest.mark.parametrize("text", ['Он сказал: "Иди домой".', "她问“你读过‘红丝绸’吗？”", "我觉得...", "安娜•卡列尼娜",
                                  "Он из С.Ш.А.", '"未闭合的引号'])
def test_conventions_are_idempotent(text, language, profile):
    once = finish_punctuation(text, language, profile)
    assert finish_punctuation(once, language, profile) == once
