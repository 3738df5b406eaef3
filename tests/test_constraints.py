"""Terms enforced in the output (subtrans.mt.constraints and HFBackend.translate(constraints=...)).

The models are tiny and random: the tests check the guarantee (every term in
every output, both directions, greedy and beam search), the bookkeeping (which
mechanism put each term there), and that unconstrained decoding is untouched;
never the meaning or the placement (docs/constraints.md measures those).

The shared tiny models' tokenizers were trained on a few hundred generated
lines and cannot spell most glossary characters (哈尔滨 is <unk> to them), so
the test set runs on *term-aware* tiny models: the same builders
(``tiny_models.build_*``), with a SentencePiece model trained on the same
corpus plus the glossary's strings. The shared fixtures cover the contract
(unchanged output, mixed batches, long terms, unspellable terms).
"""

from __future__ import annotations

import dataclasses
import math

import pytest

from subtrans.mt.constraints import (
    MECHANISMS, TermSpeller, check_constraints, count_occurrences, insert_term, missing_terms, term_present,
)
from tiny_models import (  # noqa: F401, F811 - fixtures (pytest injects them by name)
    RU_SENTENCES, ZH_SENTENCES, build_m2m100, build_marian, build_nllb, build_t5, tiny_corpus, tiny_m2m100,
    tiny_marian_ru_zh, tiny_nllb, tiny_t5,
)

# --------------------------------------------------------------------------- the test set


def _ru(*forms: str) -> list[str]:
    return list(forms)


HARBIN = _ru("Харбин", "Харбина", "Харбину", "Харбином", "Харбине")
RED_ARMY = _ru("Красная армия", "Красной армии", "Красную армию", "Красной армией", "Красные армии",
               "Красных армий")
EXPRESS = _ru("Сибирский экспресс", "Сибирского экспресса", "Сибирскому экспрессу", "Сибирским экспрессом",
              "Сибирском экспрессе")
VLADIVOSTOK = _ru("Владивосток", "Владивостока", "Владивостоку", "Владивостоком", "Владивостоке")
SHANGHAI = _ru("Шанхай", "Шанхая", "Шанхаю", "Шанхаем", "Шанхае")
KUOMINTANG = _ru("Гоминьдан", "Гоминьдана", "Гоминьдану", "Гоминьданом", "Гоминьдане")
MUKDEN = _ru("Мукден", "Мукдена", "Мукдену", "Мукденом", "Мукдене")
OGPU = _ru("ОГПУ")

#: Russian sources with Chinese target terms.
RU_ZH = [
    ("Сибирский экспресс отправляется в Харбин завтра утром.", [["西伯利亚快车"], ["哈尔滨"]]),
    ("Красная армия вошла в город ночью.", [["红军"]]),
    ("Мы встретимся на вокзале в Харбине.", [["哈尔滨"]]),
    ("Командир Красной армии ждал поезд.", [["红军"]]),
    ("Билеты на Сибирский экспресс уже проданы.", [["西伯利亚快车"]]),
    ("Из Владивостока в Харбин идёт поезд.", [["符拉迪沃斯托克"], ["哈尔滨"]]),
    ("Генерал приехал в Шанхай один.", [["上海"]]),
    ("Гоминьдан и Красная армия подписали договор.", [["国民党"], ["红军"]]),
    ("В Мукдене идёт снег.", [["奉天"]]),
    ("Сибирский экспресс опоздал, и Красная армия ждала в Харбине.", [["西伯利亚快车"], ["红军"], ["哈尔滨"]]),
]
#: Chinese sources with Russian target terms (every case form offered).
ZH_RU = [
    ("西伯利亚快车明天早上开往哈尔滨。", [EXPRESS, HARBIN]),
    ("红军晚上进了城。", [RED_ARMY]),
    ("我们在哈尔滨的车站见面。", [HARBIN]),
    ("红军的指挥官在等火车。", [RED_ARMY]),
    ("西伯利亚快车的票已经卖完了。", [EXPRESS]),
    ("从符拉迪沃斯托克到哈尔滨有火车。", [VLADIVOSTOK, HARBIN]),
    ("将军一个人来到了上海。", [SHANGHAI]),
    ("国民党和红军签署了协议。", [KUOMINTANG, RED_ARMY]),
    ("奉天在下雪。", [MUKDEN]),
    ("西伯利亚快车晚点了，红军在哈尔滨等着，ОГПУ也在。", [EXPRESS, RED_ARMY, HARBIN]),
]
TEST_SET = {("ru", "zh"): RU_ZH, ("zh", "ru"): ZH_RU}
#: Renderings a model may give instead of the glossary term (the benchmark counts a term whose synonym is
#: also in the output as "twice": the source word translated a second time).
SYNONYMS = {
    "西伯利亚快车": ["西伯利亚特快", "西伯利亚列车"], "哈尔滨": ["哈市"], "红军": ["苏军"],
    "符拉迪沃斯托克": ["海参崴"], "上海": ["沪"], "国民党": ["国府"], "奉天": ["沈阳"],
    "Сибирский экспресс": ["Сибирский поезд", "Сибирского поезда", "Сибирским поездом"],
    "Красная армия": ["РККА", "Советская армия", "Советской армии", "Советскую армию"],
    "Владивосток": ["Хайшэньвэй"], "Гоминьдан": ["Гоминдан", "Гоминдана", "Гоминдану", "Гоминданом"],
    "Мукден": ["Шэньян", "Шэньяне", "Шэньяна"], "Харбин": [], "Шанхай": [],
}
#: Term-aware model -> the directions it translates.
TERM_MODELS = {
    "t5": [("ru", "zh"), ("zh", "ru")],
    "m2m100": [("ru", "zh"), ("zh", "ru")],
    "nllb": [("ru", "zh"), ("zh", "ru")],
    "marian-ru-zh": [("ru", "zh")],
    "marian-zh-ru": [("zh", "ru")],
}
SHORT = 12  # max_length in tests: small, so that decoding is fast


def glossary_lines() -> list[str]:
    """Lines that teach a tiny tokenizer the test set's characters and term spellings."""
    lines = []
    for cases in TEST_SET.values():
        for source, terms in cases:
            lines.append(source)
            lines.extend(alt for term in terms for alt in term)
    return lines


def build_term_models(root) -> dict:
    """Tiny models whose tokenizers can spell the test set (same builders as the shared fixtures)."""
    import sentencepiece as spm

    root.mkdir(parents=True, exist_ok=True)
    corpus = root / "corpus.txt"
    corpus.write_text("\n".join(tiny_corpus() + glossary_lines() * 3) + "\n", encoding="utf-8")
    models = {}

    def train(name, model_type, **ids):
        spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(root / name), model_type=model_type,
                                       vocab_size=1000, character_coverage=1.0, hard_vocab_limit=False,
                                       num_threads=1, minloglevel=2, **ids)
        return root / f"{name}.model"

    uni = train("uni", "unigram", pad_id=0, eos_id=1, unk_id=2, bos_id=-1)
    bpe = train("bpe", "bpe", bos_id=0, pad_id=1, eos_id=2, unk_id=3)
    models["t5"] = build_t5(root / "t5", uni)
    models["m2m100"] = build_m2m100(root / "m2m100", bpe)
    models["nllb"] = build_nllb(root / "nllb", bpe)
    models["marian-ru-zh"] = build_marian(root / "marian-ru-zh", uni)
    models["marian-zh-ru"] = build_marian(root / "marian-zh-ru", uni, source_lang="zh", target_lang="ru")
    return models


# --------------------------------------------------------------------------- missing_terms & co (no torch)


def test_missing_terms_exact_and_alternatives():
    out = "Сибирский экспресс прибыл в Харбин."
    assert missing_terms(out, [["Харбин"], ["Сибирский экспресс"]]) == []
    assert missing_terms(out, [["Шанхай", "Шанхае"], HARBIN, ["Гоминьдан"]]) == [0, 2]
    assert missing_terms("Мы ждали в Харбине.", [HARBIN]) == []  # any case form counts
    assert missing_terms("", [["红军"]]) == [0]
    assert missing_terms("anything", []) == []


def test_missing_terms_russian_is_case_insensitive_chinese_exact():
    assert missing_terms("красная армия ушла", [RED_ARMY]) == []
    assert missing_terms("КРАСНОЙ АРМИИ", [RED_ARMY]) == []
    assert missing_terms("红军来了。", [["红军"]]) == []
    assert missing_terms("紅軍來了。", [["红军"]]) == [0]  # Traditional is another string: the pipeline converts
    assert term_present("ОГПУ пришло", [["огпу"][0]]) is True


def test_whole_words_refuse_letters_glued_on():
    assert missing_terms("Мы в Пекинитать", [["Пекин"]]) == []  # a plain substring test
    assert missing_terms("Мы в Пекинитать", [["Пекин"]], whole_words=True) == [0]
    assert missing_terms("Мы в Пекине.", [["Пекин", "Пекине"]], whole_words=True) == []
    assert missing_terms("«КРАСНОЙ АРМИИ»", [RED_ARMY], whole_words=True) == []
    assert missing_terms("вагон-ресторан, и всё", [["вагон-ресторан"]], whole_words=True) == []
    assert missing_terms("红军来了", [["红军"]], whole_words=True) == []


def test_missing_terms_ignores_blank_alternatives():
    assert missing_terms("текст", [["", "  "]]) == [0]
    assert missing_terms("текст", [["", "текст"]]) == []


def test_count_occurrences_counts_each_place_once():
    assert count_occurrences("Харбин, Харбина и снова харбин.", HARBIN) == 3
    assert count_occurrences("哈尔滨哈尔滨", ["哈尔滨"]) == 2
    assert count_occurrences("нет", HARBIN) == 0


def test_insert_term_goes_before_final_punctuation():
    assert insert_term("Мы едем.", "в Харбин", "ru") == "Мы едем в Харбин."
    assert insert_term("我们走吧。", "哈尔滨", "zh") == "我们走吧哈尔滨。"
    assert insert_term("Куда?!»", "Харбин", "ru") == "Куда Харбин?!»"
    assert insert_term("", "红军", "zh") == "红军"
    assert insert_term("Без точки", "Харбин", "ru") == "Без точки Харбин"
    assert insert_term("«", "Харбин", "ru") == "«Харбин"


def test_check_constraints_shapes():
    assert check_constraints(None, 2) == [[], []]
    assert check_constraints([None, []], 2) == [[], []]
    assert check_constraints([[["Харбин", " ", "Харбин"]], [[""]]], 2) == [[("Харбин",)], []]
    with pytest.raises(ValueError, match="2 entries for 3 texts"):
        check_constraints([[], []], 3)
    with pytest.raises(TypeError, match="wrap a single string"):
        check_constraints([["Харбин"]], 1)
    with pytest.raises(TypeError):
        check_constraints("Харбин", 1)
    with pytest.raises(TypeError, match="string"):
        check_constraints([[["Харбин", 3]]], 1)


# --------------------------------------------------------------------------- the backend

pytest.importorskip("torch")
pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def term_models(tmp_path_factory):
    pytest.importorskip("sentencepiece")
    import torch

    torch.set_num_threads(1)
    return build_term_models(tmp_path_factory.mktemp("term-models"))


@pytest.fixture(scope="module")
def load(request, term_models):
    """Backend by name: a term-aware model ("t5", "marian-zh-ru" ...) or a shared fixture ("tiny_t5" ...)."""
    from subtrans.mt.backends import get_backend
    from subtrans.mt.catalog import resolve_model

    loaded = {}

    def get(name: str):
        if name not in loaded:
            folder = term_models[name] if name in term_models else request.getfixturevalue(name)
            loaded[name] = get_backend("hf")(resolve_model(str(folder), None, None), device="cpu")
        return loaded[name]

    return get


def _run(backend, cases, source, target, beams, max_length=SHORT):
    texts = [c[0] for c in cases]
    terms = [c[1] for c in cases]
    out = backend.translate(texts, source=source, target=target, beams=beams, max_length=max_length,
                            constraints=terms)
    return out, terms, backend.last_enforcement


@pytest.mark.parametrize("beams", [1, 4])
@pytest.mark.parametrize("model,source,target", [(m, s, t) for m, dirs in TERM_MODELS.items() for s, t in dirs])
def test_every_term_appears(load, model, source, target, beams):
    backend = load(model)
    out, terms, how = _run(backend, TEST_SET[(source, target)], source, target, beams)
    assert len(out) == len(terms) and all(out)
    for text, row, labels in zip(out, terms, how):
        # Russian: as whole words, the way a lemma-based check reads the translation
        assert missing_terms(text, row, whole_words=(target == "ru")) == [], (text, row, labels)
        assert len(labels) == len(row) and set(labels) <= set(MECHANISMS) - {"skipped"}
    # the tokenizer can spell every term: the decoder (not the string-level last resort) placed them
    assert "appended" not in {label for labels in how for label in labels}, how


@pytest.mark.parametrize("fixture,source,target", [
    ("tiny_t5", "zh", "ru"), ("tiny_m2m100", "zh", "ru"), ("tiny_nllb", "zh", "ru"), ("tiny_t5", "ru", "zh"),
    ("tiny_marian_ru_zh", "ru", "zh"),
])
def test_shared_tiny_models_enforce_too(load, fixture, source, target):
    """The shared tokenizers spell Russian letter by letter; Chinese terms they cannot spell are appended."""
    backend = load(fixture)
    out, terms, how = _run(backend, TEST_SET[(source, target)][:5], source, target, 4)
    assert all(missing_terms(text, row, whole_words=(target == "ru")) == [] for text, row in zip(out, terms))
    if target == "ru":
        assert "appended" not in {label for labels in how for label in labels}


@pytest.mark.parametrize("name", ["tiny_t5", "tiny_m2m100", "tiny_nllb", "tiny_marian_ru_zh"])
def test_no_constraints_leaves_decoding_unchanged(load, name):
    backend = load(name)
    source, target = ("ru", "zh")
    for beams in (1, 4):
        plain = backend.translate(RU_SENTENCES, source=source, target=target, beams=beams, max_length=SHORT)
        for constraints in (None, [[] for _ in RU_SENTENCES], [None] * len(RU_SENTENCES)):
            again = backend.translate(RU_SENTENCES, source=source, target=target, beams=beams, max_length=SHORT,
                                      constraints=constraints)
            assert again == plain
            assert backend.last_enforcement == [[] for _ in RU_SENTENCES]


@pytest.mark.parametrize("beams", [1, 4])
def test_mixed_batch_keeps_unconstrained_rows(load, beams):
    backend = load("tiny_m2m100")
    texts = ZH_SENTENCES
    plain = backend.translate(texts, source="zh", target="ru", beams=beams, max_length=SHORT)
    constraints = [[HARBIN], None, [], [RED_ARMY, HARBIN]]
    out = backend.translate(texts, source="zh", target="ru", beams=beams, max_length=SHORT, constraints=constraints)
    assert out[1] == plain[1] and out[2] == plain[2]
    assert missing_terms(out[0], [HARBIN]) == [] and missing_terms(out[3], [RED_ARMY, HARBIN]) == []
    assert backend.last_enforcement[1] == [] and backend.last_enforcement[2] == []
    assert len(backend.last_enforcement[3]) == 2


@pytest.mark.parametrize("beams", [1, 4])
def test_terms_longer_than_max_length_still_appear(load, beams):
    backend = load("tiny_t5")  # letter by letter: "Красной армией" is 13 tokens
    out = backend.translate(["红军晚上进了城。", "我喜欢看书。"], source="zh", target="ru", beams=beams, max_length=2,
                            constraints=[[RED_ARMY, HARBIN], None])
    assert missing_terms(out[0], [RED_ARMY, HARBIN]) == []
    assert backend.last_enforcement[0] == ["constrained", "constrained"]
    plain = backend.translate(["红军晚上进了城。", "我喜欢看书。"], source="zh", target="ru", beams=beams, max_length=2)
    assert out[1] == plain[1]  # the other sentence keeps its own limit


def test_unspellable_term_is_appended_and_reported(load):
    backend = load("tiny_marian_ru_zh")  # its tokenizer has no 哈, 尔, 滨
    out = backend.translate(["Я люблю читать книги."], source="ru", target="zh", max_length=SHORT,
                            constraints=[[["哈尔滨"]]])
    assert "哈尔滨" in out[0]
    assert backend.last_enforcement == [["appended"]]


def test_empty_input_with_terms_is_skipped(load):
    backend = load("tiny_t5")
    out = backend.translate(["", "我喜欢看书。"], source="zh", target="ru", max_length=SHORT,
                            constraints=[[HARBIN], [HARBIN]])
    assert out[0] == "" and term_present(out[1], HARBIN)
    assert backend.last_enforcement[0] == ["skipped"]


def test_bad_constraints_are_refused(load):
    backend = load("tiny_t5")
    with pytest.raises(ValueError):
        backend.translate(["我喜欢看书。"], source="zh", target="ru", constraints=[[HARBIN], [HARBIN]])


def test_a_term_the_model_writes_anyway_is_free(load):
    backend = load("tiny_t5")
    plain = backend.translate(["我喜欢看书。"], source="zh", target="ru", max_length=SHORT)[0]
    word = plain.split()[0] if " " in plain else plain[:2]
    out = backend.translate(["我喜欢看书。"], source="zh", target="ru", max_length=SHORT, constraints=[[[word]]])
    assert out[0].startswith(word)  # after it, the repeat penalty may change what follows
    assert backend.last_enforcement == [["free"]]
    saved = backend.constraint_options
    backend.constraint_options = dataclasses.replace(saved, repeat_penalty=0.0)
    try:
        out = backend.translate(["我喜欢看书。"], source="zh", target="ru", max_length=SHORT, constraints=[[[word]]])
    finally:
        backend.constraint_options = saved
    assert out[0] == plain  # nothing to enforce, nothing changed
    assert backend.last_enforcement == [["free"]]


@pytest.mark.parametrize("beams", [1, 4])
def test_repair_alone_also_guarantees(load, beams):
    """Without the processor, the prefix repair (and its last resort) still gets every term in."""
    backend = load("m2m100")
    saved = backend.constraint_options
    backend.constraint_options = dataclasses.replace(saved, processor=False)
    try:
        out, terms, how = _run(backend, ZH_RU[:6], "zh", "ru", beams)
    finally:
        backend.constraint_options = saved
    assert all(missing_terms(text, row) == [] for text, row in zip(out, terms))
    labels = {label for row in how for label in row}
    assert labels <= {"free", "repaired", "appended"} and "repaired" in labels


# --------------------------------------------------------------------------- the processor itself


def _speller(backend):
    return backend.term_speller()


def test_spellings_of_a_chinese_term_include_the_glued_form(load):
    backend = load("m2m100")
    speller = _speller(backend)
    term = speller.spell(["哈尔滨"], "zh")
    assert term.forceable
    glued = [s for s in term.spellings if not s.word]
    assert glued and all(s.force for s in glued)
    for s in term.spellings:
        assert "哈尔滨" in backend.decode_ids(list(s.tokens))


def test_russian_case_forms_are_forced_lower_case_only_detected(load):
    speller = _speller(load("t5"))
    term = speller.spell(RED_ARMY, "ru")
    forced = {s.text for s in term.spellings if s.force}
    assert forced == set(RED_ARMY)
    detected = {s.text for s in term.spellings if not s.force}
    assert "красная армия" in detected


def test_unknown_characters_cannot_be_forced(load):
    speller = _speller(load("tiny_marian_ru_zh"))
    assert not speller.spell(["哈尔滨"], "zh").forceable
    assert isinstance(speller, TermSpeller) and speller.stop_ids


@pytest.mark.parametrize("beams", [1, 3])
def test_carried_state_equals_recomputed_state(load, beams):
    """Each row's state, carried across steps through beam reordering, matches a fresh recomputation."""
    import torch

    from subtrans.mt.constraints import TermLogitsProcessor

    backend = load("m2m100")
    speller = _speller(backend)
    terms = [[speller.spell(HARBIN, "ru"), speller.spell(RED_ARMY, "ru")], [speller.spell(MUKDEN, "ru")]]
    g = torch.Generator().manual_seed(0)
    carried = TermLogitsProcessor(terms, start=2, max_lengths=[40, 40], eos_ids=[2], bias=1.0)
    rows, vocab = 2 * beams, backend.model.config.vocab_size
    seq = torch.full((rows, 2), 2, dtype=torch.long)
    for step in range(30):
        scores = torch.randn(rows, vocab, generator=g)
        fresh = TermLogitsProcessor(terms, start=2, max_lengths=[40, 40], eos_ids=[2], bias=1.0)
        a = carried(seq, scores.clone())
        b = fresh(seq, scores.clone())
        assert torch.equal(a, b), step
        assert torch.equal(carried._state.done, fresh._state.done)
        assert torch.equal(carried._state.match, fresh._state.match)
        nxt = a.argmax(-1)
        # reorder beams within each item, as beam search does
        perm = torch.cat([torch.randperm(beams, generator=g) + i * beams for i in range(2)])
        seq = torch.cat([seq[perm], nxt[perm, None]], 1)
        # keep the committed state comparable: the fresh processor starts uncommitted
        carried._state = carried._state._replace(commit=torch.zeros_like(carried._state.commit))
    assert not math.isnan(float(a.max()))


def _term(*spellings, text="x"):
    from subtrans.mt.constraints import SpelledTerm, Spelling

    return SpelledTerm((text,), tuple(Spelling(tuple(s), text) for s in spellings))


def test_processor_rules_on_a_synthetic_vocabulary():
    """Started term continued, EOS forbidden while pending, start forced when the budget just fits."""
    import torch

    from subtrans.mt.constraints import TermLogitsProcessor

    eos, vocab = 2, 20
    term = _term([5, 6, 7])
    proc = TermLogitsProcessor([[term]], start=1, max_lengths=[1 + 10], eos_ids=[eos], bias=0.0)
    scores = torch.zeros(1, vocab)
    scores[0, 3] = 5.0  # the model wants token 3
    out = proc(torch.tensor([[0]]), scores.clone())
    assert out[0, eos] == -math.inf and out.argmax().item() == 3  # free to write something else first
    out = proc(torch.tensor([[0, 3, 5]]), scores.clone())  # the model started the term
    assert out.argmax().item() == 6 and torch.isinf(out[0, [i for i in range(vocab) if i != 6]]).all()
    # only 3 tokens left for a 3-token term: it must start now
    tight = TermLogitsProcessor([[term]], start=1, max_lengths=[1 + 4], eos_ids=[eos], bias=0.0)
    out = tight(torch.tensor([[0, 3]]), scores.clone())
    assert out.argmax().item() == 5
    # the model wants to stop (its top choice is EOS): the term starts instead
    stop = scores.clone()
    stop[0, eos] = 9.0
    out = TermLogitsProcessor([[term]], start=1, max_lengths=[11], eos_ids=[eos], bias=0.0)(
        torch.tensor([[0, 3]]), stop)
    assert out.argmax().item() == 5
    # done: nothing forced, EOS allowed again; the repeat penalty lowers the term's first token
    done = TermLogitsProcessor([[term]], start=1, max_lengths=[11], eos_ids=[eos], repeat_penalty=2.0)
    out = done(torch.tensor([[0, 5, 6, 7]]), scores.clone())
    assert out[0, eos] == 0.0 and out[0, 5] == -2.0 and out.argmax().item() == 3


def test_processor_keeps_a_completed_word_whole():
    import torch

    from subtrans.mt.constraints import TermLogitsProcessor

    term = _term([5, 6], [5, 6, 9])  # "Харбин" and "Харбина": 9 continues the longer form
    proc = TermLogitsProcessor([[term]], start=1, max_lengths=[11], eos_ids=[2], glued_ids=[8, 9], bias=0.0)
    scores = torch.zeros(1, 12)
    scores[0, 8] = 5.0  # the model would glue token 8 onto the word
    out = proc(torch.tensor([[0, 5, 6]]), scores.clone())
    assert out[0, 8] == -math.inf and out[0, 9] == 0.0 and out[0, 3] == 0.0
