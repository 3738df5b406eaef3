"""Chinese names in Russian by the Palladius system, with the established forms that win over it: a
table of published renderings written by hand (tests/cases/names_zh_ru.tsv)."""

from __future__ import annotations

from pathlib import Path

import pytest

from subtrans.lang.palladius import render, syllable

CASES = Path(__file__).parent / "cases" / "names_zh_ru.tsv"


def _rows():
    rows = []
    for line in CASES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            han, kind, russian, *note = line.split("\t")
            rows.append(pytest.param(han, kind, russian, note[0] if note else "", id=han))
    return rows


@pytest.mark.parametrize("han,kind,russian,note", _rows())
def test_published_renderings(han, kind, russian, note):
    got = render(han, kind)
    assert got.text == russian
    assert got.origin == ("established" if note == "established" else "palladius")


def test_the_table_has_sixty_names():
    assert len(_rows()) >= 60


@pytest.mark.parametrize("pinyin,cyrillic", [
    ("zhou", "чжоу"), ("en", "энь"), ("lai", "лай"), ("ze", "цзэ"), ("dong", "дун"), ("xi", "си"), ("an", "ань"),
    ("jiang", "цзян"), ("qu", "цюй"), ("xue", "сюэ"), ("jun", "цзюнь"), ("lü", "люй"), ("lv", "люй"),
    ("nüe", "нюэ"), ("zi", "цзы"), ("si", "сы"), ("ri", "жи"), ("zhi", "чжи"), ("wei", "вэй"), ("yu", "юй"),
    ("guo", "го"), ("gui", "гуй"), ("liu", "лю"), ("er", "эр"),
])
def test_syllables(pinyin, cyrillic):
    assert syllable(pinyin) == cyrillic


def test_a_syllable_the_table_lacks_leaves_the_name_with_a_problem():
    assert syllable("xyz") is None


# -- finding the film's names and the names command ----------------------------------------------

import subtrans  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from subtrans.cli import main  # noqa: E402
from subtrans.names import find_names  # noqa: E402

SCENE_ZH = ("1\n00:00:01,000 --> 00:00:03,000\n毛泽东和周恩来在延安\n\n"
            "2\n00:00:03,500 --> 00:00:06,000\n曾国藩的信到了西安\n\n"
            "3\n00:00:06,500 --> 00:00:09,000\n阿列克谢·沃罗诺夫在莫斯科等你\n\n"
            "4\n00:00:09,500 --> 00:00:12,000\n毛泽东说 我们明天去北京\n\n")


def test_chinese_names_are_found_and_rendered():
    found = {n.source: n for n in find_names(subtrans.loads(SCENE_ZH), "zh", "ru")}
    assert (found["毛泽东"].rendering, found["毛泽东"].count, found["毛泽东"].first_cue) == ("Мао Цзэдун", 2, 1)
    assert found["周恩来"].rendering == "Чжоу Эньлай" and found["周恩来"].kind == "person"
    assert found["曾国藩"].rendering == "Цзэн Гофань"
    assert (found["延安"].rendering, found["西安"].rendering) == ("Яньань", "Сиань")
    assert (found["北京"].rendering, found["北京"].origin) == ("Пекин", "established")
    # a foreign name in Chinese script is listed, never put through the Palladius system
    assert found["阿列克谢·沃罗诺夫"].kind == "foreign" and found["阿列克谢·沃罗诺夫"].rendering is None
    assert found["莫斯科"].kind == "foreign"


def test_russian_names_collapse_to_their_nominative():
    track = subtrans.loads("1\n00:00:01,000 --> 00:00:03,000\nМы ждали Воронова и Елену Петрову.\n\n"
                           "2\n00:00:03,500 --> 00:00:06,000\nВоронову передали письмо из Харбина.\n\n")
    found = {n.source: n for n in find_names(track, "ru", "zh")}
    assert found["Воронов"].count == 2 and found["Воронов"].kind == "person"
    assert "Петрова" in found and "Елена" in found          # the woman's surname stays feminine
    assert found["Харбин"].kind == "place"


def test_a_glossary_entry_wins(tmp_path):
    glossary = tmp_path / "g.tsv"
    glossary.write_text("ru\tzh\nМао Цзэ-дун\t毛泽东\n", encoding="utf-8")
    from subtrans.glossary import load_glossaries

    found = {n.source: n for n in find_names(subtrans.loads(SCENE_ZH), "zh", "ru", load_glossaries([glossary]))}
    assert (found["毛泽东"].rendering, found["毛泽东"].origin) == ("Мао Цзэ-дун", "glossary")


def test_the_names_command_writes_a_glossary_the_localiser_passes_back(tmp_path):
    src = tmp_path / "film.zh.srt"
    src.write_text(SCENE_ZH, encoding="utf-8")
    out = tmp_path / "names.tsv"
    result = CliRunner().invoke(main, ["names", str(src), "--to", "ru", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Мао Цзэдун\t毛泽东\tperson\tfrom palladius; 2 occurrences; first in film.zh.srt cue 1" in text
    assert "# \t阿列克谢·沃罗诺夫\tforeign" in text                 # to fill in
    from subtrans.glossary import load_glossaries

    g = load_glossaries([out])                                     # it loads as a glossary
    assert {t.zh: t.ru for t in g.terms}["周恩来"] == "Чжоу Эньлай"


@pytest.mark.parametrize("cases,language,floor", [("zh", "zh", (0.9, 0.9)), ("ru", "ru", (0.9, 0.9)),
                                                  ("ru_second", "ru", (0.9, 0.85))])
def test_precision_and_recall_of_name_finding(cases, language, floor):
    """On the hand-written sentences of tests/cases/names_found_*.tsv (some of which shaped the word
    lists: the figures are the floor this must not fall under, not a measure on unseen text; the
    ``ru_second`` set was written by another hand and measured before it shaped anything: see its
    header for those figures)."""
    tp = fp = fn = 0
    for line in (Path(__file__).parent / "cases" / f"names_found_{cases}.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        sentence, _, gold = line.partition("\t")
        expected = {g.split(":", 1)[1] for g in gold.split(",") if g}
        track = subtrans.loads(f"1\n00:00:01,000 --> 00:00:03,000\n{sentence}\n\n")
        got = {n.source for n in find_names(track, language, "ru" if language == "zh" else "zh")}
        tp, fp, fn = tp + len(got & expected), fp + len(got - expected), fn + len(expected - got)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"{language}: precision {precision:.3f}, recall {recall:.3f} ({tp} found, {fp} wrong, {fn} missed)")
    assert precision >= floor[0] and recall >= floor[1]


# -- enforced in translate, on both engines -------------------------------------------------------

torch = pytest.importorskip("torch")
from tiny_models import tiny_m2m100  # noqa: E402,F401

BACKENDS = ["hf", pytest.param("ct2", marks=pytest.mark.skipif(
    __import__("importlib").util.find_spec("ctranslate2") is None, reason="CTranslate2 is not installed"))]
FILM = ("1\n00:00:01,000 --> 00:00:03,000\n毛泽东在延安\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\n我们去找毛泽东吧\n\n"
        "3\n00:00:07,000 --> 00:00:09,000\n周恩来和毛泽东都来了\n\n"
        "4\n00:00:10,000 --> 00:00:12,000\n明天去西安\n\n")


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_rendering_is_enforced_in_every_cue(backend, tiny_m2m100, tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTRANS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    src = tmp_path / "film.zh.srt"
    src.write_text(FILM, encoding="utf-8")
    out = tmp_path / "film.ru.srt"
    result = CliRunner().invoke(main, ["translate", str(src), "--to", "ru", "--model", str(tiny_m2m100), "--backend",
                                       backend, "-o", str(out), "--beams", "1", "--max-length", "16", "--no-fit"])
    assert result.exit_code == 0, result.output
    from subtrans.glossary import Term, target_present
    from subtrans.text import strip_tags

    cues = [strip_tags(c.text) for c in subtrans.load(out).cues]
    mao, zhou, xian = Term(ru="Мао Цзэдун", zh="毛泽东"), Term(ru="Чжоу Эньлай", zh="周恩来"), Term(ru="Сиань", zh="西安")
    assert all(target_present(cues[i], mao, "ru") for i in (0, 1, 2)), cues   # in every cue, in any case form
    assert target_present(cues[2], zhou, "ru") and target_present(cues[3], xian, "ru"), cues
    # --no-names leaves the model to itself
    plain = tmp_path / "plain.ru.srt"
    result = CliRunner().invoke(main, ["translate", str(src), "--to", "ru", "--model", str(tiny_m2m100), "--backend",
                                       backend, "-o", str(plain), "--beams", "1", "--max-length", "16", "--no-fit",
                                       "--no-names"])
    assert result.exit_code == 0, result.output
    assert not any(target_present(strip_tags(c.text), mao, "ru") for c in subtrans.load(plain).cues)


def _names(text: str, language: str = "ru") -> list[tuple[str, str]]:
    track = subtrans.loads("".join(f"{n}\n00:00:{n:02d},000 --> 00:00:{n:02d},900\n{line}\n\n"
                                   for n, line in enumerate(text.split(" || "), 1)))
    return [(n.source, n.kind) for n in find_names(track, language, "zh" if language == "ru" else "ru")]


@pytest.mark.parametrize("text,expected", [
    ("Вера в победу не покидала нас.", []),                                    # a word that opens a sentence
    ("Я видел Веру вчера на вокзале.", [("Вера", "person")]),                   # ... and a name inside one
    ("ВОРОНОВ! Стой, кому говорю!", [("Воронов", "person")]),                  # in capitals
    ("Это решил ЦК, а не СССР.", []),                                          # abbreviations are no names
    ("Римский-Корсаков написал оперу.", [("Римский-Корсаков", "person")]),     # a double name
    ("Письмо подписал А. С. Пушкин.", [("Пушкин", "person")]),                # initials
    ("Иван Петрович ждёт.", [("Иван", "person"), ("Петрович", "person")]),    # a patronymic
    ("Передайте Ивану || Петровичу привет.", [("Иван", "person"), ("Петрович", "person")]),  # over two cues
    ("Мы говорили с Ли Мэй о Харбине.", [("Ли Мэй", "foreign"), ("Харбин", "place")]),  # a Chinese name
])
def test_hard_russian_cases(text, expected):
    assert _names(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("王小明在家等你", [("王小明", "person")]),
    ("陈医生说你可以出院了", []),                                              # a surname and a title
    ("伊万·彼得罗夫在莫斯科等你", [("伊万·彼得罗夫", "foreign"), ("莫斯科", "foreign")]),
    ("我们在北京火车站见", [("北京", "place")]),
    ("白军已经进了城", []),
])
def test_hard_chinese_cases(text, expected):
    assert _names(text, "zh") == expected


from hypothesis import HealthCheck, given, settings as hsettings, strategies as st  # noqa: E402

_WORDS = st.sampled_from(["毛泽东", "在", "阿列克谢", "·", "沃罗诺夫", "北京火车站", "陈医生", "白军", "Вера", "ВОРОНОВ",
                          "Ивану", "Петровичу", "СССР", "Ли", "Мэй", "«Анна", "Каренина»", "и", "-", "·沃", "。", " "])


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_WORDS, max_size=10).map("".join), st.sampled_from(["zh", "ru"]))
def test_finding_names_never_fails(text, language):
    if not text.strip():
        return
    track = subtrans.loads(f"1\n00:00:01,000 --> 00:00:03,000\n{text}\n\n")
    for name in find_names(track, language, "ru" if language == "zh" else "zh"):
        assert name.source and name.kind in ("person", "place", "organisation", "foreign") and name.count >= 1


def test_the_names_command_reads_standard_input_and_writes_standard_output():
    text = (Path(__file__).parent.parent / "examples" / "red-silk.zh.srt").read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["names", "-", "--to", "ru", "-o", "-"], input=text)
    assert result.exit_code == 0, result.output
    assert "Пекин\t北京\tplace\tfrom established; 3 occurrences; first in - cue 3" in result.output


# -- Russian names in Chinese: the Xinhua table -------------------------------------------------

from subtrans.lang.xinhua import join_names, render as xinhua  # noqa: E402

RU_ZH = Path(__file__).parent / "cases" / "names_ru_zh.tsv"


def _ru_rows():
    rows = []
    for line in RU_ZH.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            russian, kind, chinese, *note = line.split("\t")
            rows.append(pytest.param(russian, kind, chinese, note[0] if note else "", id=russian))
    return rows


@pytest.mark.parametrize("russian,kind,chinese,note", _ru_rows())
def test_published_chinese_forms_of_russian_names(russian, kind, chinese, note):
    got = xinhua(russian, kind)
    assert got.text == chinese
    assert (got.origin == "established") == (note == "established")


def test_the_russian_table_has_sixty_names_the_table_itself_renders():
    assert sum(1 for row in _ru_rows() if row.values[3] != "established") >= 60


@pytest.mark.parametrize("russian,chinese", [
    ("Алла", "阿拉"), ("Кириллов", "基里洛夫"),                  # a doubled consonant is written once
    ("Анна", "安娜"),                                             # ... but нн is ан + на
    ("Иванов", "伊万诺夫"), ("Иванова", "伊万诺娃"), ("Ивановна", "伊万诺夫娜"),   # made from a given name
    ("Матвиенко", "马特维延科"),                                  # a woman's name not ending in -а: as it is
    ("Римский-Корсаков", "里姆斯基-科尔萨科夫"),                   # a double name keeps its hyphen
    ("Иван Петрович Петров", "伊万·彼得罗维奇·彼得罗夫"),          # a person's names: the interpunct
])
def test_xinhua_rules(russian, chinese):
    assert xinhua(russian).text == chinese


def test_a_sound_the_table_lacks_leaves_the_name_with_a_problem():
    got = xinhua("Йыл")
    assert got.text is None and "Xinhua" in got.problem


def test_names_side_by_side_are_joined_by_the_interpunct():
    names = ("伊万", "彼得罗夫", "伊万诺夫", "彼得罗维奇")
    assert join_names("伊万 彼得罗夫来了", names) == "伊万·彼得罗夫来了"
    assert join_names("伊万彼得罗维奇彼得罗夫", names) == "伊万·彼得罗维奇·彼得罗夫"
    assert join_names("伊万•彼得罗夫", names) == "伊万·彼得罗夫"
    assert join_names("伊万和彼得罗夫", names) == "伊万和彼得罗夫"          # two persons
    assert join_names("伊万诺夫来了", names) == "伊万诺夫来了"              # one name, not two


SCENE_RU = ("1\n00:00:01,000 --> 00:00:03,000\nМы ждали Воронова и Елену Петрову в Иркутске.\n\n"
            "2\n00:00:03,500 --> 00:00:06,000\nИван Петров и Ли Мэй ждут в Харбине.\n\n"
            "3\n00:00:06,500 --> 00:00:09,000\nВоронову передали письмо.\n\n")


def test_russian_names_are_rendered_by_the_xinhua_table():
    found = {n.source: n for n in find_names(subtrans.loads(SCENE_RU), "ru", "zh")}
    assert (found["Воронов"].rendering, found["Воронов"].origin, found["Воронов"].count) == ("沃罗诺夫", "xinhua", 2)
    assert found["Петрова"].rendering == "彼得罗娃"                       # the woman's form
    assert (found["Елена"].rendering, found["Елена"].origin) == ("叶连娜", "established")
    assert found["Иркутск"].rendering == "伊尔库茨克" and found["Харбин"].rendering == "哈尔滨"
    # a Chinese name in Russian: its characters cannot be told from its sound
    assert found["Ли Мэй"].kind == "foreign" and found["Ли Мэй"].rendering is None
    hant = {n.source: n for n in find_names(subtrans.loads(SCENE_RU), "ru", "zh-hant")}
    assert hant["Харбин"].rendering == "哈爾濱"


def test_the_names_command_lists_russian_names_in_chinese(tmp_path):
    src = tmp_path / "film.ru.srt"
    src.write_text(SCENE_RU, encoding="utf-8")
    result = CliRunner().invoke(main, ["names", str(src), "--to", "zh", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert "Воронов\t沃罗诺夫\tperson\tfrom xinhua; 2 occurrences; first in film.ru.srt cue 1" in result.output
    assert "# Ли Мэй\t\tforeign\t" in result.output


@pytest.mark.parametrize("text,expected", [
    ("Роза стояла на столе в вазе.", []),                                     # the flower
    ("Роза, иди сюда! || Я подарил Розе цветы.", [("Роза", "person")]),       # the film uses it as a name
    ("Мы купили розу.", []),
])
def test_a_name_that_is_also_a_word(text, expected):
    assert _names(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("江志强走了", [("江志强", "person")]),              # jieba splits the surname off
    ("江水很冷", []),                                    # the river's water
    ("这个主意很高明", []),                               # "brilliant", not Gao Ming
    ("高明来了", [("高明", "person")]),
    ("高个子站在门口", []),
])
def test_chinese_surnames_that_are_also_words(text, expected):
    assert _names(text, "zh") == expected


@pytest.mark.parametrize("backend", BACKENDS)
def test_russian_names_are_enforced_in_chinese(backend, tiny_m2m100, tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTRANS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    src = tmp_path / "film.ru.srt"
    src.write_text("1\n00:00:01,000 --> 00:00:03,000\nВоронов ждёт в Иркутске.\n\n"
                   "2\n00:00:04,000 --> 00:00:06,000\nПередайте письмо Воронову.\n\n"
                   "3\n00:00:07,000 --> 00:00:09,000\nИван Петров уехал.\n\n", encoding="utf-8")
    out = tmp_path / "film.zh.srt"
    result = CliRunner().invoke(main, ["translate", str(src), "--to", "zh", "--model", str(tiny_m2m100), "--backend",
                                       backend, "-o", str(out), "--beams", "1", "--max-length", "16", "--no-fit"])
    assert result.exit_code == 0, result.output
    cues = [c.text for c in subtrans.load(out).cues]
    assert "沃罗诺夫" in cues[0] and "伊尔库茨克" in cues[0] and "沃罗诺夫" in cues[1], cues
    assert "伊万·彼得罗夫" in cues[2], cues



def test_a_russian_name_in_chinese_script_goes_back_where_the_data_lists_it():
    found = {n.source: n for n in find_names(subtrans.loads(SCENE_ZH), "zh", "ru")}
    assert (found["莫斯科"].rendering, found["莫斯科"].origin) == ("Москва", "established")
    assert found["阿列克谢·沃罗诺夫"].rendering is None        # Воронов: the table cannot be read backwards
    from subtrans.lang.xinhua import russian_form

    assert russian_form("伊万·彼得") == "Иван Пётр" and russian_form("沃罗诺夫") is None


def test_names_inside_quoted_titles_are_found_and_rendered_as_the_title_is_published():
    track = subtrans.loads("1\n00:00:01,000 --> 00:00:03,000\nМы читали «Анну Каренину».\n\n")
    found = {n.source: n.rendering for n in find_names(track, "ru", "zh")}
    assert found == {"Анна": "安娜", "Каренина": "卡列尼娜"}           # 《安娜·卡列尼娜》
    track = subtrans.loads("1\n00:00:01,000 --> 00:00:03,000\n他在看《毛泽东传》\n\n")
    assert [(n.source, n.rendering) for n in find_names(track, "zh", "ru")] == [("毛泽东", "Мао Цзэдун")]
