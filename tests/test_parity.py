"""Source-versus-translation rules (subtrans check TARGET --source SOURCE): pass/fail tables."""

import pytest
from click.testing import CliRunner

import subtrans
from subtrans.cli import main
from subtrans.qa import Settings, check
from subtrans.qa.rules.parity import _zh_numerals

from rule_cases import srt


def flagged(rule, source_cues, target_cues, profile=None, **settings):
    source, target = subtrans.loads(srt(*source_cues)), subtrans.loads(srt(*target_cues))
    findings = check(target, settings=Settings(profile=profile, source=source, **settings))
    return sorted({f.cue for f in findings if f.rule == rule and f.cue is not None}) or (
        ["file"] if any(f.rule == rule for f in findings) else [])


CASES = [
    # rule, source cues, target cues, expected flagged cues
    ("cue-count", [("1.000", "2.000", "Да")], [("1.000", "2.000", "是")], []),
    ("cue-count", [("1.000", "2.000", "Да")], [("1.000", "2.100", "是")], [1]),
    ("cue-count", [("1.000", "2.000", "Да"), ("3.000", "4.000", "Нет")], [("1.000", "4.000", "是不是")], ["file"]),
    ("untranslated", [("1.000", "2.000", "Сибирский экспресс")], [("1.000", "2.000", "西伯利亚快车")], []),
    ("untranslated", [("1.000", "2.000", "Сибирский экспресс")], [("1.000", "2.000", "西伯利亚快车到了 Сибирь")], [1]),
    ("untranslated", [("1.000", "2.000", "西伯利亚快车")], [("1.000", "2.000", "Сибирский 快车")], [1]),
    ("untranslated", [("1.000", "2.000", "Сибирский экспресс")], [("1.000", "2.000", "Сибирский экспресс")], [1]),
    ("untranslated", [("1.000", "2.000", "OK")], [("1.000", "2.000", "OK")], []),  # not the source's script
    ("number-mismatch", [("1.000", "2.000", "Москва, 1927 год")], [("1.000", "2.000", "莫斯科，1927年")], []),
    ("number-mismatch", [("1.000", "2.000", "Москва, 1927 год")], [("1.000", "2.000", "莫斯科，一九二七年")], []),
    ("number-mismatch", [("1.000", "2.000", "Москва, 1927 год")], [("1.000", "2.000", "莫斯科，一千九百二十七年")], []),
    ("number-mismatch", [("1.000", "2.000", "Москва, 1927 год")], [("1.000", "2.000", "莫斯科，1928年")], [1]),
    ("number-mismatch", [("1.000", "2.000", "Вагон 7")], [("1.000", "2.000", "七号车厢")], []),
    ("number-mismatch", [("1.000", "2.000", "Вагон 17")], [("1.000", "2.000", "十七号车厢")], []),
    ("number-mismatch", [("1.000", "2.000", "7号车厢")], [("1.000", "2.000", "Седьмой вагон")], []),
    ("number-mismatch", [("1.000", "2.000", "7号车厢")], [("1.000", "2.000", "Вагон")], [1]),
    ("number-mismatch", [("1.000", "2.000", "В 10:30")], [("1.000", "2.000", "10:30")], []),
    ("number-mismatch", [("1.000", "2.000", "1,5 рубля")], [("1.000", "2.000", "1.5卢布")], []),
    # a month as a numeral in Chinese and as a word in Russian (LAYOUT-NOTES; issue 17)
    ("number-mismatch", [("1.000", "2.000", "莫斯科 1927年10月")], [("1.000", "2.000", "Москва, октябрь 1927 года")], []),
    ("number-mismatch", [("1.000", "2.000", "1927年10月5日")], [("1.000", "2.000", "5 октября 1927 года")], []),
    ("number-mismatch", [("1.000", "2.000", "莫斯科 1927年10月")], [("1.000", "2.000", "Москва, ноябрь 1927 года")], [1]),
    ("number-mismatch", [("1.000", "2.000", "莫斯科 1927年10月")], [("1.000", "2.000", "Москва, 1927 год")], [1]),
    ("number-mismatch", [("1.000", "2.000", "Москва, октябрь 1927 года")], [("1.000", "2.000", "莫斯科 1927年10月")], []),
    ("number-mismatch", [("1.000", "2.000", "等了10个月")], [("1.000", "2.000", "Ждали целый октябрь")], [1]),  # 10个月: months, not October
    # name-consistency: the film's Chinese names in Russian, the same way in every cue (any case form)
    ("name-consistency", [("1.000", "2.000", "毛泽东在延安"), ("3.000", "4.000", "我们去找毛泽东吧")],
     [("1.000", "2.000", "Мао Цзэдун в Яньани."), ("3.000", "4.000", "Пойдём к Мао Цзэ-дуну.")], [2]),
    ("name-consistency", [("1.000", "2.000", "毛泽东在延安"), ("3.000", "4.000", "我们去找毛泽东吧")],
     [("1.000", "2.000", "Мао Цзэдун в Яньани."), ("3.000", "4.000", "Пойдём к Мао Цзэдуну.")], []),
    ("name-consistency", [("1.000", "2.000", "明天去西安")], [("1.000", "2.000", "Завтра едем в Сиан.")], [1]),
    ("name-consistency", [("1.000", "2.000", "明天去西安")], [("1.000", "2.000", "Завтра едем в Сиань.")], []),
    # ... and the film's Russian names in Chinese by the Xinhua table, in any case form of the source
    ("name-consistency", [("1.000", "2.000", "Воронов ждёт."), ("3.000", "4.000", "Передайте письмо Воронову.")],
     [("1.000", "2.000", "沃罗诺夫在等。"), ("3.000", "4.000", "把信交给瓦罗诺夫。")], [2]),
    ("name-consistency", [("1.000", "2.000", "Воронов ждёт."), ("3.000", "4.000", "Передайте письмо Воронову.")],
     [("1.000", "2.000", "沃罗诺夫在等。"), ("3.000", "4.000", "把信交给沃罗诺夫。")], []),
    ("name-consistency", [("1.000", "2.000", "Ждём Елену Петрову.")], [("1.000", "2.000", "等叶连娜·彼得罗夫。")], [1]),
    ("tag-mismatch", [("1.000", "2.000", "<i>Поезд!</i>")], [("1.000", "2.000", "<i>火车！</i>")], []),
    ("tag-mismatch", [("1.000", "2.000", "<i>Поезд!</i>")], [("1.000", "2.000", "火车！")], [1]),
    ("tag-mismatch", [("1.000", "2.000", "Поезд!")], [("1.000", "2.000", "<b>火车！</b>")], [1]),
    ("tag-mismatch", [("1.000", "2.000", "{\\an8}Харбин")], [("1.000", "2.000", "{\\an8}哈尔滨")], []),
    ("tag-mismatch", [("1.000", "2.000", "{\\an8}Харбин")], [("1.000", "2.000", "哈尔滨")], [1]),
]


GLOSSARY_CASES = [
    # source cues, target cues, expected flagged cues (glossary: operation-red-silk.tsv)
    ([("1.000", "2.000", "Поедешь Сибирским экспрессом.")], [("1.000", "2.000", "你坐西伯利亚快车去。")], []),
    ([("1.000", "2.000", "Поедешь Сибирским экспрессом.")], [("1.000", "2.000", "你坐火车去。")], [1]),
    # a term split over two cues of one sentence is found, and its rendering may sit in either cue
    ([("1.000", "2.000", "Поедешь Сибирским"), ("2.100", "3.000", "экспрессом до Харбина.")],
     [("1.000", "2.000", "你坐西伯利亚快车"), ("2.100", "3.000", "去哈尔滨。")], []),
    ([("1.000", "2.000", "Это ОГПУ.")], [("1.000", "2.000", "这是国家政治保卫总局。")], []),
    ([("1.000", "2.000", "Это ОГПУ.")], [("1.000", "2.000", "这是克格勃。")], [1]),   # forbidden variant too
    ([("1.000", "2.000", "西伯利亚快车到了。")], [("1.000", "2.000", "Сибирский экспресс прибыл.")], []),
    ([("1.000", "2.000", "这是红军的命令。")], [("1.000", "2.000", "Это приказ Красной армии.")], []),  # genitive
    ([("1.000", "2.000", "这是红军的命令。")], [("1.000", "2.000", "Это приказ армии.")], [1]),
]


@pytest.mark.parametrize("source,target,expected", GLOSSARY_CASES)
def test_glossary_case(source, target, expected):
    from pathlib import Path

    from subtrans.glossary import load_glossary

    glossary = load_glossary(Path(__file__).parent.parent / "glossaries" / "operation-red-silk.tsv")
    profile = "netflix-ru" if any("\u0400" <= ch <= "\u04ff" for _, _, t in target for ch in t) else "netflix-zh-hans"
    assert flagged("glossary", source, target, profile, glossary=glossary) == expected


def test_forbidden_variant_is_an_error_even_without_a_source():
    from pathlib import Path

    from subtrans.glossary import load_glossary
    from subtrans.qa import Severity

    glossary = load_glossary(Path(__file__).parent.parent / "glossaries" / "operation-red-silk.tsv")
    target = subtrans.loads(srt(("1.000", "2.000", "这是克格勃。")))
    found = [f for f in check(target, settings=Settings(profile="netflix-zh-hans", glossary=glossary))
             if f.rule == "glossary"]
    assert [(f.cue, f.severity) for f in found] == [(1, Severity.ERROR)]


def test_glossary_rule_without_a_language_uses_the_text_s():
    from pathlib import Path

    from subtrans.glossary import load_glossary
    from subtrans.profiles import load_profile
    from subtrans.qa.base import Context
    from subtrans.qa.rules.parity import GlossaryTerm

    glossary = load_glossary(Path(__file__).parent.parent / "glossaries" / "operation-red-silk.tsv")
    ctx = Context(profile=load_profile("default"), language=None, glossary=glossary)
    zh = subtrans.loads(srt(("1.000", "2.000", "这是克格勃。")))
    assert [f.cue for f in GlossaryTerm().check(zh, ctx)] == [1]
    # No language from the text either: no glossary check.
    en = subtrans.loads(srt(("1.000", "2.000", "This is the KGB.")))
    assert list(GlossaryTerm().check(en, ctx)) == []


@pytest.mark.parametrize("rule,source,target,expected", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_parity_case(rule, source, target, expected):
    assert flagged(rule, source, target) == expected


def test_rules_are_silent_without_a_source():
    target = subtrans.loads(srt(("1.000", "2.000", "Сибирский экспресс 1927")))
    assert not [f for f in check(target, "netflix-zh-hans") if f.code.startswith("P")]


@pytest.mark.parametrize("n,forms", [(7, ["七"]), (10, ["十"]), (17, ["十七"]), (20, ["二十"]), (105, ["一百零五"]),
                                     (1927, ["一九二七", "一千九百二十七"]), (2000, ["二〇〇〇", "两千"])])
def test_chinese_numerals(n, forms):
    assert set(forms) <= set(_zh_numerals(n))


def test_cli_source_option(tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["check", "examples/red-silk.zh.srt", "--source", "examples/red-silk.ru.srt",
                               "--format", "json"])
    assert res.exit_code == 1
    assert '"rule": "cue-count"' in res.output
    res = runner.invoke(main, ["check", "examples/red-silk.zh.srt", "--source", "examples/red-silk.ru.srt",
                               "--source", "examples/red-silk.ru.srt"])
    assert res.exit_code == 2 and "one --source per file" in res.output
