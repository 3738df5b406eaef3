"""Scenes written by hand, translated through a stand-in engine that returns a human translation of each
sentence, so that only the pipeline is judged: what reaches the engine as one sentence, where the
translation is cut into cues and lines, and how the target's conventions come out.

Every expected engine input and every expected output cue was written before the code ran.
"""

from __future__ import annotations

import pytest

import subtrans
from fake_backend import StandInEngine


def HumanEngine(translations: dict[str, str]) -> StandInEngine:
    """The human translation of each sentence it knows (anything else comes back as a marker)."""
    return StandInEngine(translations)


def srt(*cues: tuple[str, str, str]) -> str:
    return "".join(f"{n}\n00:00:{a} --> 00:00:{b}\n{text}\n\n" for n, (a, b, text) in enumerate(cues, 1))


def run(source_srt: str, to: str, translations: dict[str, str]):
    engine = HumanEngine(translations)
    track = subtrans.loads(source_srt)
    with subtrans.Translator(backend=engine, cache=False, fit=False) as tr:
        out = tr.translate(track, to=to)
    assert [(c.start, c.end) for c in out.track.cues] == [(c.start, c.end) for c in track.cues]
    return engine.inputs, [c.text for c in out.track.cues]


ZH_SCENE = srt(
    ("01,000", "03,200", "如果你明天又不来排练"),
    ("03,300", "05,800", "导演就会找人顶替你"),
    ("06,500", "08,500", "我觉得"),
    ("11,000", "13,000", "我们还是分手吧"),          # 2.5 s later: the sentence was interrupted
    ("13,500", "16,000", "-你去哪儿？\n-去车站"),
    ("16,500", "19,000", "伊万·彼得罗夫同志\n请你马上去一趟司令部"),
)
ZH_HUMAN = {
    "如果你明天又不来排练，导演就会找人顶替你": "Если ты завтра опять не придёшь на репетицию, режиссёр найдёт тебе замену.",
    "我觉得": "Мне кажется",
    "我们还是分手吧": "нам лучше расстаться.",
    "你去哪儿？": "Ты куда?",
    "去车站": "На вокзал.",
    "伊万·彼得罗夫同志，请你马上去一趟司令部": "Товарищ Иван Петров, немедленно зайдите в штаб.",
}


def test_a_chinese_scene_into_russian():
    inputs, cues = run(ZH_SCENE, "ru", ZH_HUMAN)
    assert sorted(inputs) == sorted(ZH_HUMAN)          # whole sentences, the line break read as a pause
    assert cues == [
        "Если ты завтра опять\nне придёшь на репетицию,",
        "режиссёр найдёт тебе замену.",
        "Мне кажется…",                                  # interrupted: an ellipsis at the end ...
        "…нам лучше расстаться.",                        # ... and, in Russian, at the start
        "-Ты куда?\n-На вокзал.",
        "Товарищ Иван Петров,\nнемедленно зайдите в штаб.",
    ]


RU_SCENE = srt(
    ("01,000", "03,500", "Если до заправки ещё 25 километров,"),
    ("03,600", "06,000", "то бензина нам точно не хватит."),
    ("07,000", "09,500", "Письмо подписал А. С."),
    ("09,600", "11,000", "Пушкин лично."),
    ("12,000", "14,000", "Я бы ни за что не поверил..."),
    ("16,500", "18,500", "...если бы не увидел сам."),   # 2.5 s later
    ("19,000", "21,000", "<i>Поезд отправляется\nчерез пять минут!</i>"),
    ("21,500", "24,000", 'Он сказал: "Красный шёлк не рвётся".'),
)
RU_HUMAN = {
    "Если до заправки ещё 25 километров, то бензина нам точно не хватит.": "如果离加油站还有25公里，那我们的汽油肯定不够。",
    "Письмо подписал А. С. Пушкин лично.": "这封信是亚·谢·普希金亲自签的。",
    "Я бы ни за что не поверил...": "我绝对不会相信",
    "...если бы не увидел сам.": "要不是我亲眼看到",
    "Поезд отправляется через пять минут!": "火车五分钟后出发！",
    'Он сказал: "Красный шёлк не рвётся".': '他说:"红丝绸是扯不断的"。',
}


def test_a_russian_scene_into_chinese():
    inputs, cues = run(RU_SCENE, "zh", RU_HUMAN)
    assert sorted(inputs) == sorted(RU_HUMAN)         # "А. С." + "Пушкин" is one sentence (razdel)
    assert cues == [
        "如果离加油站还有25公里",                        # no comma at the cue edge
        "那我们的汽油肯定不够",                          # no full stop
        "这封信是亚·谢·普希金",
        "亲自签的",
        "我绝对不会相信⋯",                              # interrupted: the profile's ellipsis ...
        "要不是我亲眼看到",                              # ... and Chinese does not open the next cue with one
        "<i>火车五分钟后出发！</i>",
        "他说：“红丝绸是扯不断的”",
    ]


def test_the_same_scene_into_traditional_chinese_takes_its_quotes():
    human = {k: v for k, v in RU_HUMAN.items()}
    inputs, cues = run(RU_SCENE, "zh-hant", human)
    assert cues[-1] == "他說：「紅絲綢是扯不斷的」"


@pytest.mark.parametrize("scene,to,human", [(ZH_SCENE, "ru", ZH_HUMAN), (RU_SCENE, "zh", RU_HUMAN)])
def test_the_output_passes_the_line_break_rule(scene, to, human):
    engine = HumanEngine(human)
    with subtrans.Translator(backend=engine, cache=False, fit=False) as tr:
        out = tr.translate(subtrans.loads(scene), to=to)
    profile = "netflix-ru" if to == "ru" else "netflix-zh-hans"
    findings = subtrans.check(out.track, settings=subtrans.Settings(profile=subtrans.load_profile(profile)))
    assert [f for f in findings if f.rule == "line-break"] == []


# -- the same scenes through real engines (tiny random-weight models: the words mean nothing, the
# -- pipeline around them is the same) ----------------------------------------------------------

pytest.importorskip("torch")
from tiny_models import tiny_m2m100, tiny_t5  # noqa: E402,F401  (fixtures)

BACKENDS = ["hf", pytest.param("ct2", marks=pytest.mark.skipif(
    __import__("importlib").util.find_spec("ctranslate2") is None, reason="CTranslate2 is not installed"))]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("scene,to,human,model", [(ZH_SCENE, "ru", ZH_HUMAN, "tiny_m2m100"),
                                                  (RU_SCENE, "zh", RU_HUMAN, "tiny_t5")])
def test_the_scenes_on_both_engines(scene, to, human, model, backend, request, tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTRANS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    engine = HumanEngine(human)
    with subtrans.Translator(backend=engine, cache=False, fit=False) as tr:
        expected_units = tr.translate(subtrans.loads(scene), to=to).units
    with subtrans.Translator(request.getfixturevalue(model), backend=backend, max_length=16, beams=1) as tr:
        result = tr.translate(subtrans.loads(scene), to=to)
    assert result.units == expected_units                  # the same sentences reach every engine
    profile = "netflix-ru" if to == "ru" else "netflix-zh-hans"
    findings = subtrans.check(result.track, settings=subtrans.Settings(profile=subtrans.load_profile(profile)))
    assert [f.message for f in findings if f.rule == "line-break"] == []
