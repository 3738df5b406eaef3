"""Finding glossary terms (Russian by lemma, Chinese over a trie), target forms, checking translations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subtrans.glossary import (
    Glossary, Term, find_terms, forbidden_present, load_glossary, register_jieba_terms, target_forms, target_present,
)

ROOT = Path(__file__).parent.parent
FILM = load_glossary(ROOT / "glossaries" / "operation-red-silk.tsv")

RED_ARMY = Term("Красная армия", "红军")
EXPRESS = Term("Сибирский экспресс", "西伯利亚快车", forbidden=("西伯利亚特快",))
GLOSSARY = Glossary([
    RED_ARMY, EXPRESS,
    Term("Рабоче-крестьянская Красная армия", "工农红军"),
    Term("Китайско-Восточная железная дорога", "中东铁路"),
    Term("КВЖД", "中东铁路"),
    Term("Кантон", "广州", case_sensitive=True),
    Term("Семёнов", "谢苗诺夫"),
    Term("ВКП(б)", "联共（布）"),
    Term("Чжан Цзолинь", "张作霖"),
    Term("Транссиб", "西伯利亚大铁路"),
    Term("ОГПУ", "国家政治保卫总局", case_sensitive=True),
])


def surfaces(text, language="ru", glossary=GLOSSARY):
    return [m.surface for m in find_terms(text, language, glossary)]


# ---------------------------------------------------------------------------
# Russian: by lemma

@pytest.mark.parametrize("text, found", [
    ("Солдаты Красной армии вошли в город.", ["Красной армии"]),
    ("Он любит Красную армию.", ["Красную армию"]),
    ("Они воевали с красной армией.", ["красной армией"]),
    ("Между Красными армиями двух стран.", ["Красными армиями"]),
    ("КРАСНАЯ АРМИЯ", ["КРАСНАЯ АРМИЯ"]),
    ("Красную\nармию", ["Красную\nармию"]),                    # a term broken over two cue lines
    ("<i>Красной</i> армии", ["Красной</i> армии"]),           # tags between the words
    ("Армия пришла.", []),                                     # the head noun alone is not the term
    ("Красный флаг и армия.", []),                             # nor the adjective
    ("Красная площадь, армия", []),
    ("Красная, армия", []),                                    # punctuation between the words
    ("Поедешь Сибирским экспрессом.", ["Сибирским экспрессом"]),
    ("вдоль Китайско-Восточной железной дороги", ["Китайско-Восточной железной дороги"]),
    ("В Кантоне жарко.", ["Кантоне"]),                         # case-sensitive, capitalised
    ("Швейцарский кантон Берн.", []),                           # ... a lowercase кантон is something else
    ("Люди ОГПУ и КВЖД", ["ОГПУ", "КВЖД"]),                    # abbreviations as written
    ("люди огпу и квжд", ["квжд"]),                             # the case-sensitive one needs capitals
    ("атаман Семенов, Семёнова, семеновым", ["Семенов", "Семёнова", "семеновым"]),  # ё = е
    ("членом ВКП(б) с 1920 года", ["ВКП(б)"]),
    ("армия Чжан Цзолиня", ["Чжан Цзолиня"]),
    ("по Транссибу", ["Транссибу"]),                           # pymorphy3 cannot even guess this one
    ("бойцы Рабоче-крестьянской Красной армии", ["Рабоче-крестьянской Красной армии"]),  # longest wins
    ("экспресс Пекин-Кантон", ["Кантон"]),                     # a hyphen joining two names
])
def test_russian_lemma_matching(text, found):
    assert surfaces(text) == found


def test_matches_are_spans_in_text_order():
    text = "КВЖД, Красной армии и Сибирского экспресса"
    matches = find_terms(text, "ru", GLOSSARY)
    assert [(m.term.ru, m.start, m.end) for m in matches] == [
        ("КВЖД", 0, 4), ("Красная армия", 6, 19), ("Сибирский экспресс", 22, 42)]
    assert all(text[m.start:m.end] == m.surface for m in matches)


def test_all_parses_of_an_ambiguous_word_count():
    # "стали" is mostly the verb стать, but also a form of сталь
    g = Glossary([Term("сталь", "钢")])
    assert surfaces("Они стали сильнее. Много стали.", glossary=g) == ["стали", "стали"]


def test_empty_text_and_empty_glossary():
    assert find_terms("", "ru", GLOSSARY) == [] and find_terms("Красная армия", "ru", Glossary()) == []


# ---------------------------------------------------------------------------
# Russian target forms

def test_target_forms_of_an_adjective_and_noun():
    forms = target_forms(RED_ARMY, "ru")
    assert forms[0] == "Красная армия" and len(forms) == len(set(forms))
    for form in ("Красной армии", "Красную армию", "Красной армией", "Красные армии", "Красных армий",
                 "Красным армиям", "Красными армиями", "Красных армиях"):
        assert form in forms
    assert all(f.startswith("Красн") for f in forms)  # capitalisation restored
    assert "Красной армией" in forms and "Красным армией" not in forms  # agreement


@pytest.mark.parametrize("term, expected, absent", [
    ("белый офицер", ["белого офицера", "белому офицеру", "белым офицером", "белыми офицерами", "белых офицеров"],
     ["белый офицера"]),
    ("Сибирский экспресс", ["Сибирского экспресса", "Сибирским экспрессом", "Сибирском экспрессе"], []),
    ("Китайско-Восточная железная дорога", ["Китайско-Восточной железной дороги",
                                           "Китайско-Восточную железную дорогу"], []),
    ("Харбин", ["Харбина", "Харбину", "Харбином", "Харбине"], ["Харбины"]),  # a proper name: no plural
    ("Маньчжурия", ["Маньчжурии", "Маньчжурию", "Маньчжурией"], []),
    ("Михаил Бородин", ["Михаила Бородина", "Михаилом Бородиным"], []),
    ("Чжан Цзолинь", ["Чжан Цзолиня", "Чжан Цзолиню"], ["Чжана Цзолиня"]),  # Chinese names: the last part
    ("Сунь Ятсен", ["Сунь Ятсена"], []),
    ("станция Маньчжурия", ["станции Маньчжурия"], ["станции Маньчжурии"]),
    ("начальник поезда", ["начальника поезда", "начальниками поезда"], ["начальника поезду"]),
    ("вагон-ресторан", ["вагона-ресторана", "вагоном-рестораном"], []),
    ("Семёнов", ["Семёнова", "Семёновым"], ["Семенова"]),    # ё kept as written ...
    ("Семенов", ["Семенова", "Семеновым"], ["Семёнова"]),    # ... and not added
    ("Транссиб", ["Транссиба", "Транссибу", "Транссибом", "Транссибе"], []),
])
def test_target_forms_with_agreement(term, expected, absent):
    forms = target_forms(Term(term, "x"), "ru")
    assert forms[0] == term
    assert set(expected) <= set(forms), sorted(set(expected) - set(forms))
    assert not set(absent) & set(forms)


@pytest.mark.parametrize("term, pos", [
    ("КВЖД", ""), ("ОГПУ", ""), ("ВКП(б)", ""), ("купе", ""), ("Чан Кайши", ""), ("Wagons-Lits", ""),
    ("Харбин", "place, indecl"),
])
def test_indeclinable_terms_stay_as_written(term, pos):
    assert target_forms(Term(term, "x", pos=pos), "ru") == [term]


def test_chinese_target_forms():
    assert target_forms(EXPRESS, "zh") == ["西伯利亚快车"]
    assert target_forms(EXPRESS, "zh-Hant") == ["西伯利亞快車"]
    assert target_forms(Term("Пекин", "北京", zh_hant="北京市"), "zh-hant") == ["北京市"]
    assert target_forms(Term(None, None, forbidden=("x",)), "ru") == []
    with pytest.raises(ValueError):
        target_forms(EXPRESS, "en")


def test_every_film_term_has_its_own_form_first():
    for term in FILM.terms:
        if term.ru:
            forms = target_forms(term, "ru")
            assert forms[0] == term.ru and len(forms) == len(set(forms))


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([t for t in FILM.terms if t.ru and t.zh]), st.data())
def test_every_offered_form_is_recognised(term, data):
    """A form the decoder may choose is one the checker accepts and the finder finds."""
    form = data.draw(st.sampled_from(target_forms(term, "ru")))
    text = f"Вот {form} — и всё."
    assert target_present(text, term, "ru")
    found = [m for m in find_terms(text, "ru", FILM) if m.term.ru == term.ru]
    assert [m.surface for m in found] == [form]


def test_film_glossary_finds_its_terms():
    text = ("Сибирским экспрессом из Ярославского вокзала через Ново-Николаевск до станции Маньчжурия; "
            "проводник международного вагона знал пароль резидента ОГПУ в Харбине.")
    assert [(m.surface, m.term.zh) for m in find_terms(text, "ru", FILM)] == [
        ("Сибирским экспрессом", "西伯利亚快车"), ("Ярославского вокзала", "雅罗斯拉夫尔火车站"),
        ("Ново-Николаевск", "新尼古拉耶夫斯克"), ("станции Маньчжурия", "满洲里站"), ("проводник", "列车员"),
        ("международного вагона", "国际卧车"), ("пароль", "暗号"), ("резидента", "情报站站长"),
        ("ОГПУ", "国家政治保卫总局"), ("Харбине", "哈尔滨")]


# ---------------------------------------------------------------------------
# Chinese: trie, Traditional normalised

@pytest.mark.parametrize("text, language, found, terms", [
    ("他坐西伯利亞快車去哈爾濱。", "zh-hant", ["西伯利亞快車"], ["西伯利亚快车"]),
    ("他坐西伯利亚快车去。", "zh", ["西伯利亚快车"], ["西伯利亚快车"]),
    ("西伯利亚\n快车", "zh", ["西伯利亚\n快车"], ["西伯利亚快车"]),            # over a line break
    ("<i>西伯利亚</i>快车", "zh", ["西伯利亚</i>快车"], ["西伯利亚快车"]),     # tags skipped
    ("工农红军和红军", "zh", ["工农红军", "红军"], ["工农红军", "红军"]),        # longest first
    ("工農紅軍", "zh-hant", ["工農紅軍"], ["工农红军"]),
    ("西伯利亚特快", "zh", [], []),
    ("中东铁路 CER", "zh", ["中东铁路"], ["中东铁路"]),
])
def test_chinese_trie_matching(text, language, found, terms):
    matches = find_terms(text, language, GLOSSARY)
    assert [m.surface for m in matches] == found
    assert [m.term.zh for m in matches] == terms
    assert all(text[m.start:m.end] == m.surface for m in matches)


def test_traditional_span_maps_back():
    text = "我們明天坐西伯利亞快車。"
    (m,) = find_terms(text, "zh-hant", GLOSSARY)
    assert (m.start, m.end, m.surface, m.term) == (5, 11, "西伯利亞快車", EXPRESS)


def test_shared_chinese_form_goes_to_the_later_term():
    (m,) = find_terms("中东铁路", "zh", GLOSSARY)
    assert m.term.ru == "КВЖД"


def test_explicit_traditional_form_is_found():
    g = Glossary([Term("Владивосток", "海参崴", zh_hant="海參崴")])
    assert surfaces("到海參崴去", "zh-hant", g) == ["海參崴"]


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet="我们你他的在有是了去坐明天", max_size=6), st.text(alphabet="我们你他的在有是了去坐明天", max_size=6),
       st.sampled_from([t for t in FILM.terms if t.zh]), st.booleans())
def test_a_term_between_any_words_is_found_in_either_script(before, after, term, traditional):
    from subtrans.lang.chinese import to_simplified, to_traditional

    g = Glossary([term])
    text = before + term.zh + after
    if traditional:
        text = to_traditional(text)
    matches = find_terms(text, "zh-hant" if traditional else "zh", g)
    assert any(to_simplified(m.surface) == term.zh and text[m.start:m.end] == m.surface for m in matches)


# ---------------------------------------------------------------------------
# Checking a translation

@pytest.mark.parametrize("text, term, language, present", [
    ("Без Красной армии не обойтись.", RED_ARMY, "ru", True),
    ("Без армии не обойтись.", RED_ARMY, "ru", False),
    ("Красные, армии", RED_ARMY, "ru", False),
    ("你坐西伯利亚快车去。", EXPRESS, "zh", True),
    ("你坐西伯利亞快車去。", EXPRESS, "zh-hant", True),
    ("你坐西伯利亚\n快车去。", EXPRESS, "zh", True),
    ("你坐西伯利亚特快去。", EXPRESS, "zh", False),
    ("в кантоне", Term("Кантон", "广州", case_sensitive=True), "ru", False),
    ("в Кантоне", Term("Кантон", "广州", case_sensitive=True), "ru", True),
    ("", EXPRESS, "zh", False),
    ("anything", Term(None, None, forbidden=("x",)), "zh", False),
])
def test_target_present(text, term, language, present):
    assert target_present(text, term, language) is present


@pytest.mark.parametrize("text, term, language, found", [
    ("你坐西伯利亚特快去。", EXPRESS, "zh", ["西伯利亚特快"]),
    ("你坐西伯利亞特快去。", EXPRESS, "zh-hant", ["西伯利亚特快"]),
    ("你坐西伯利亚快车去。", EXPRESS, "zh", []),
    # Cyrillic variants by lemma
    ("Приехали из Улан-Удэ.", Term("Верхнеудинск", "上乌金斯克", forbidden=("Улан-Удэ", "乌兰乌德")), "ru",
     ["Улан-Удэ"]),
    ("Его нет в Новосибирске.", Term("Новониколаевск", "x", forbidden=("Новосибирск",)), "ru", ["Новосибирск"]),
    # Latin variants as whole words, any case
    ("the kgb came", Term("ОГПУ", "y", forbidden=("KGB", "КГБ")), "ru", ["KGB"]),
    ("KGBX", Term("ОГПУ", "y", forbidden=("KGB",)), "ru", []),
    # an occurrence inside the accepted rendering does not count
    ("坐西伯利亚快车", Term("Сибирский экспресс", "西伯利亚快车", forbidden=("伯利亚快",)), "zh", []),
    ("坐伯利亚快车", Term("Сибирский экспресс", "西伯利亚快车", forbidden=("伯利亚快",)), "zh", ["伯利亚快"]),
    ("坐西伯利亚特快", Term("Сибирский экспресс", "西伯利亚快车"), "zh", []),
])
def test_forbidden_present(text, term, language, found):
    assert forbidden_present(text, term, language) == found


def test_film_forbidden_variants():
    by_ru = {t.ru: t for t in FILM.terms}
    assert forbidden_present("我们在沈阳见。", by_ru["Мукден"], "zh") == ["沈阳"]
    assert forbidden_present("他是哈萨克人。", by_ru["казак"], "zh") == ["哈萨克"]
    assert forbidden_present("他是哥萨克。", by_ru["казак"], "zh") == []
    assert forbidden_present("说出密码。", by_ru["пароль"], "zh") == ["密码"]


# ---------------------------------------------------------------------------
# jieba and lazy imports

def test_register_jieba_terms_keeps_terms_whole():
    from subtrans.lang.lines import atoms

    g = Glossary([Term("операция «Красный шёлк»", "红丝绸行动计划")])
    assert register_jieba_terms(g) == 2  # Simplified and Traditional
    assert any("红丝绸行动计划" in a for a in atoms("我们的红丝绸行动计划开始了。", "zh"))


def test_importing_the_package_stays_light():
    code = ("import sys, subtrans.glossary; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pymorphy3', 'jieba', 'opencc', 'torch', 'defusedxml', 'transformers')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_one_jobs_glossary_never_changes_how_another_jobs_text_is_cut():
    """jieba's dictionary is one per process: a glossary's terms are taken out when another job registers
    its own (or none)."""
    from subtrans.glossary import Glossary, Term, register_jieba_terms
    from subtrans.lang.chinese import cut

    text = "他们在西伯利亚快车上"
    register_jieba_terms(None)
    plain = cut(text)
    assert register_jieba_terms(Glossary(terms=[Term(ru="Сибирский экспресс", zh="西伯利亚快车")])) >= 1
    assert "西伯利亚快车" in cut(text)
    register_jieba_terms(Glossary(terms=[Term(ru="Харбин", zh="哈尔滨")]))     # the next film's glossary
    assert cut(text) == plain
    register_jieba_terms(None)
    assert cut(text) == plain
