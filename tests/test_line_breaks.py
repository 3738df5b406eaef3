"""Line breaks an editor signs off: hand-written sentences, each with the lines a Russian or Chinese
editor would write (tests/cases/line_breaks_*.tsv, written before the code ran), laid out by
:func:`subtrans.lang.lines.break_lines` as the translation pipeline lays out a cue."""

from __future__ import annotations

from pathlib import Path

import pytest

from subtrans.lang.lines import atoms, break_lines
from subtrans.profiles import load_profile

CASES = Path(__file__).parent / "cases"
HALF_WIDTH = {"ru": 1.0, "zh": load_profile("netflix-zh-hans").get("half_width_weight")}


def _cases(language: str):
    rows = []
    for line in (CASES / f"line_breaks_{language}.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            limit, text, expected, *note = line.split("\t")
            layouts = [layout.split(" / ") for layout in expected.split(" || ")]
            rows.append(pytest.param(language, int(limit), text, layouts, id=(note[0][:6] if note else text[:24])))
    return rows


@pytest.mark.parametrize("language,limit,text,expected", _cases("ru") + _cases("zh"))
def test_the_lines_an_editor_writes(language, limit, text, expected):
    out = break_lines(text, language, max_chars=limit, max_lines=2, half_width=HALF_WIDTH[language])
    assert out.split("\n") in expected


def test_there_are_forty_cases_a_language():
    assert len(_cases("ru")) >= 40 and len(_cases("zh")) >= 40


@pytest.mark.parametrize("language,text,unit", [
    ("ru", "Мы встретимся в Москве.", "в Москве."),
    ("ru", "Он приедет к 10 утра.", "к 10 утра."),
    ("ru", "Это сделал А. С. Пушкин сам.", "А. С. Пушкин "),
    ("ru", "Я бы не поверил.", "Я бы "),
    ("ru", "Это было 12 июня 2025 года.", "12 июня 2025 года."),
    ("ru", "Читали «Войну и мир» вчера.", "«Войну и мир» "),
    ("ru", "Это т. е. главное.", "т. е. "),
    ("ru", "Кабинет № 5 открыт.", "№ 5 "),
    ("ru", "Пришёл Иван Петрович Сидоров.", "Иван Петрович Сидоров."),
    ("zh", "他喝了三瓶伏特加", "三瓶"),
    ("zh", "会议定在2024年3月8日", "在2024年3月8日"),
    ("zh", "我见到了安娜·卡列尼娜的丈夫", "安娜·卡列尼娜的"),
    ("zh", "她在莫斯科国立罗蒙诺索夫大学读书", "在莫斯科国立罗蒙诺索夫大学"),
    ("zh", "我喜欢《战争与和平》这本书", "《战争与和平》"),
    ("zh", "他说“我受够了”就走了", "“我受够了”"),
    ("zh", "我们在天黑之前走", "在天黑之前"),
])
def test_what_binds_is_one_atom(language, text, unit):
    assert any(unit in atom for atom in atoms(text, language)), atoms(text, language)


# -- judging any break never fails ------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from subtrans.lang.lines import break_fault  # noqa: E402

_PIECES = st.sampled_from(["в", "Москве", "А.", "С.", "Пушкин", "25", "километров", "«Война", "и", "мир»", "бы",
                           "т.", "е.", "№", "5", "—", ",", ".", "Г-", "н", "我们", "在", "莫斯科", "的", "了", "三",
                           "瓶", "《", "》", "“", "”", "……", "2024年", "3月", "·", " ", "<i>", "</i>", "", "?", "？"])
_LINES = st.lists(_PIECES, max_size=8).map(" ".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_LINES, _LINES, st.sampled_from(["ru", "zh"]))
def test_any_break_is_judged_without_failing(left, right, language):
    fault = break_fault(left, right, language)
    assert fault is None or isinstance(fault, str) and fault
