"""Translation LLMs (decoder-only: Qwen3, Hy-MT, TranslateGemma, Seed-X) end to end, on tiny random-weight
models of each family's architecture with a real BPE tokenizer and its chat template (tests/tiny_llms.py)."""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import subtrans
from subtrans.cli import main
from subtrans.text import strip_tags

pytest.importorskip("torch")
from tiny_llms import build_llm, tiny_llm, train_bpe_tokenizer  # noqa: E402,F401  (fixtures)

EXAMPLES = Path(__file__).parent.parent / "examples"
GLOSSARY = Path(__file__).parent.parent / "glossaries" / "operation-red-silk.tsv"


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTRANS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def translate(*args):
    result = CliRunner().invoke(main, ["translate", *map(str, args), "--beams", "1", "--max-length", "12"])
    return result.exit_code, result.output


HAS_CT2 = __import__("importlib").util.find_spec("ctranslate2") is not None
BACKENDS = ["hf", pytest.param("ct2", marks=pytest.mark.skipif(not HAS_CT2, reason="CTranslate2 is not installed"))]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("source,to", [("red-silk.ru.srt", "zh"), ("red-silk.zh.srt", "ru")])
def test_each_family_translates_a_film_with_every_term(tiny_llm, source, to, backend, tmp_path):
    if backend == "ct2" and tiny_llm.name == "tiny-hunyuan":
        pytest.skip("CTranslate2 has no HunYuan loader (tested below)")
    out = tmp_path / "out.srt"
    report = tmp_path / "run.json"
    code, output = translate(EXAMPLES / source, "--to", to, "--model", tiny_llm, "-o", out, "--glossary", GLOSSARY,
                             "--report", report, "--backend", backend)
    assert code == 0, output
    assert "glossary terms:" in output and "missing" not in output, output      # 100% term use
    src, got = subtrans.load(EXAMPLES / source), subtrans.load(out)
    assert [(c.start, c.end) for c in got.cues] == [(c.start, c.end) for c in src.cues]   # timings kept
    for s, o in zip(src.cues, got.cues):
        assert s.text.startswith("<i>") == o.text.startswith("<i>")                        # tags kept
    terms = json.loads(report.read_text())["files"][0]["translation"]["terms"]
    assert terms and all(t["how"] != "missing" for t in terms)


def test_a_rerun_is_served_from_the_memory(tiny_llm, tmp_path):
    out = tmp_path / "out.srt"
    code, output = translate(EXAMPLES / "red-silk.ru.srt", "--to", "zh", "--model", tiny_llm, "-o", out, "--backend", "hf")
    assert code == 0, output
    first = out.read_bytes()
    code, output = translate(EXAMPLES / "red-silk.ru.srt", "--to", "zh", "--model", tiny_llm, "-o", out, "--overwrite",
                             "--backend", "hf")
    assert code == 0 and "0 sent to the model" in output, output
    assert out.read_bytes() == first


@pytest.mark.skipif(not HAS_CT2, reason="CTranslate2 is not installed")
def test_what_ctranslate2_cannot_run_goes_to_transformers_under_auto(tmp_path):
    model = build_llm("hunyuan", tmp_path / "tiny-hunyuan")
    out = tmp_path / "out.srt"
    code, output = translate(EXAMPLES / "red-silk.ru.srt", "--to", "zh", "--model", model, "-o", out,
                             "--backend", "auto")
    assert code == 0 and "hf (auto: CTranslate2 cannot convert HunYuan models" in output, output
    code, output = translate(EXAMPLES / "red-silk.ru.srt", "--to", "zh", "--model", model, "-o", tmp_path / "x.srt",
                             "--backend", "ct2")
    assert code == 2 and "--backend hf" in output, output


@pytest.mark.skipif(not HAS_CT2, reason="CTranslate2 is not installed")
@pytest.mark.parametrize("family", ["qwen3", "gemma3", "mistral"])
def test_ctranslate2_reads_each_family_as_transformers_does(family, tmp_path):
    """The conversion computes the same model: one forward pass, float32, log-probabilities within 1e-4
    (Gemma 3 with TranslateGemma 4B's geometry: linear x8 RoPE scaling on the global layers)."""
    import ctranslate2
    import numpy as np
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from subtrans.mt.backends.ct2 import convert

    folder = build_llm(family, tmp_path / family)
    converted = convert(folder, tmp_path / f"{family}-ct2", "float32")
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    ids = AutoTokenizer.from_pretrained(folder)("Привет, как дела? Я люблю читать книги. 我喜欢看书。" * 4)["input_ids"]
    with torch.no_grad():
        ref = torch.log_softmax(model(torch.tensor([ids])).logits[0].float(), -1).numpy()
    got = np.array(ctranslate2.Generator(str(converted)).forward_batch([ids], return_log_probs=True))[0]
    assert float(np.abs(ref - got).max()) < 1e-4


def test_a_gemma3_model_ctranslate2_would_compute_otherwise_is_refused(tmp_path):
    from subtrans.mt.backends.ct2_causal import ct2_problem
    from subtrans.mt.catalog import ModelSpec

    folder = tmp_path / "g27"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "gemma3", "text_config": {
        "head_dim": 128, "query_pre_attn_scalar": 168}}))          # TranslateGemma 27B's geometry
    spec = ModelSpec(name="g27", hub_id=None, architecture="gemma3", directions=("ru-zh",), target_by="prompt",
                     prompt="translategemma", path=folder)
    assert "query_pre_attn_scalar (168)" in ct2_problem(spec)
    (folder / "config.json").write_text(json.dumps({"model_type": "gemma3", "text_config": {
        "head_dim": 256, "query_pre_attn_scalar": 256}}))          # 4B
    assert ct2_problem(spec) == ""


@pytest.mark.parametrize("family,expected", [
    ("hunyuan", "<|startoftext|>参考下面的翻译：\nВоронов 翻译成 沃罗诺夫\n\n将以下文本翻译为中文，注意只需要输出翻译后的结果，"
                "不要额外解释：\nВоронов ждёт.<|extra_0|>"),
    ("mistral", "Translate the following Russian sentence into Chinese:\nВоронов ждёт. <zh>"),
])
def test_each_family_is_asked_as_its_model_card_says(family, expected):
    from subtrans.mt.prompts import build_prompt

    prompt, _ = build_prompt({"hunyuan": "hy-mt", "mistral": "seed-x"}[family], train_bpe_tokenizer(family),
                             "Воронов ждёт.", "ru", "zh", [("Воронов", "沃罗诺夫")])
    assert prompt == expected


def test_what_is_not_a_translation_is_cleaned_off():
    from subtrans.mt.backends.causal import _clean

    assert _clean("Перевод: Поезд ушёл.") == ("Поезд ушёл.", "Перевод:")
    assert _clean("火车开走了。\n\n注：这是直译。") == ("火车开走了。", "注：这是直译。")
    assert _clean("<think>hm</think>火车开走了。") == ("火车开走了。", "<think>…</think>")
    assert _clean("火车开走了。") == ("火车开走了。", "")
    assert _clean("Поезд ушёл.\n火车开走了。", "Поезд ушёл.") == ("火车开走了。", "Поезд ушёл.")   # an echo
    assert _clean("Поезд ушёл.", "Поезд ушёл.") == ("Поезд ушёл.", "")      # untranslated: the QA says so


def test_the_catalogue_rejects_a_prompt_model_without_its_prompt(tmp_path):
    from subtrans.errors import ModelError
    from subtrans.mt.catalog import read_catalog_file

    f = tmp_path / "m.toml"
    f.write_text('name = "x"\nhub_id = "org/x"\narchitecture = "qwen3"\ndirections = ["ru-zh"]\n'
                 'target_by = "prompt"\nlicence = "Apache-2.0"\nprompt = "nope"\n', encoding="utf-8")
    with pytest.raises(ModelError, match="unknown prompt"):
        read_catalog_file(f)


def test_what_was_cleaned_off_is_a_warning_of_the_run():
    from fake_backend import PseudoBackend
    from subtrans.pipeline.translator import Translator

    class Chatty(PseudoBackend):
        def translate(self, texts, **kw):
            out = super().translate(texts, **kw)
            self.last_cleaned = ["注：这是直译。" if "Стой" in t else "" for t in texts]
            return out

    track = subtrans.loads("1\n00:00:01,000 --> 00:00:02,000\nСтой!\n\n2\n00:00:03,000 --> 00:00:04,000\nИди.\n\n")
    with Translator(backend=Chatty(), cache=False) as tr:
        result = tr.translate(track, to="zh")
    assert [w for w in result.warnings if "not a translation" in w] == \
        ["cue 1: the model added text that is not a translation; removed: '注：这是直译。'"]


# -- context: the scene's previous cues with each sentence -----------------------------------------

def test_each_sentence_goes_with_the_scenes_previous_cues_and_their_translations():
    from fake_backend import PseudoBackend
    from subtrans.mt.prompts import split_context
    from subtrans.pipeline.translator import Translator

    class Reader(PseudoBackend):
        def __init__(self):
            super().__init__()
            self.spec = type(self.spec)(**{**self.spec.__dict__, "architecture": "qwen3", "target_by": "prompt",
                                           "prompt": "qwen3", "context": 2})
            self.requests = []

        def translate(self, texts, **kw):
            self.requests += list(texts)
            return super().translate([split_context(t)[0] for t in texts], **kw)

    track = subtrans.loads("1\n00:00:01,000 --> 00:00:02,000\nСтой!\n\n2\n00:00:02,500 --> 00:00:03,500\nКто идёт?\n\n"
                           "3\n00:00:04,000 --> 00:00:05,000\nСвои.\n\n"
                           "4\n00:00:12,000 --> 00:00:13,000\nУтро.\n\n")        # 7 s later: another scene
    engine = Reader()
    with Translator(backend=engine, cache=False, batch_size=1) as tr:
        result = tr.translate(track, to="zh")
    texts = [c.text for c in result.track.cues]
    asked = [split_context(r) for r in engine.requests]
    assert asked[0] == ("Стой!", [])
    assert asked[1] == ("Кто идёт?", [("Стой!", texts[0])])
    assert asked[2] == ("Свои.", [("Стой!", texts[0]), ("Кто идёт?", texts[1])])      # at most 2
    assert asked[3] == ("Утро.", [])                                                  # a new scene
    plain = Reader()
    with Translator(backend=plain, cache=False, batch_size=1, context=0) as tr:      # 0 switches it off
        tr.translate(track, to="zh")
    assert all(split_context(r)[1] == [] for r in plain.requests)


def test_hy_mt_is_asked_with_its_context_template():
    from subtrans.mt.prompts import build_prompt

    prompt, _ = build_prompt("hy-mt", train_bpe_tokenizer("hunyuan"), "Свои.", "ru", "zh",
                             context=[("Кто идёт?", "谁来了？")])
    assert prompt == ("<|startoftext|>Кто идёт?\n谁来了？\n参考上面的信息，把下面的文本翻译成中文，注意不需要翻译上文，"
                      "也不要额外解释：\nСвои.<|extra_0|>")


@pytest.mark.parametrize("family", ["hunyuan", "qwen3"])
def test_a_run_with_context_is_served_from_the_memory_when_run_again(family, tmp_path):
    model = build_llm(family, tmp_path / family)
    out = tmp_path / "out.srt"
    args = (EXAMPLES / "red-silk.ru.srt", "--to", "zh", "--model", model, "-o", out, "--backend", "hf", "--context", "2",
            "--glossary", GLOSSARY)
    code, output = translate(*args)
    assert code == 0 and "missing" not in output, output
    first = out.read_bytes()
    code, output = translate(*args, "--overwrite")
    assert code == 0 and "0 sent to the model" in output, output
    assert out.read_bytes() == first


@pytest.mark.parametrize("backend", BACKENDS)
def test_fitting_gets_scored_alternatives_with_every_term(backend, tmp_path):
    from subtrans.mt.catalog import resolve_model
    from subtrans.pipeline.engine import load_backend
    from subtrans.pipeline.terms import TermForms

    model = build_llm("qwen3", tmp_path / "qwen3")
    engine = load_backend(backend, resolve_model(str(model), "ru", "zh"), device="cpu", allow_pickle=False)
    texts = ["Я люблю читать книги.", "Где мой брат?", ""]
    got = engine.candidates(texts, source="ru", target="zh", n=3, max_length=10,
                            constraints=[[TermForms(["书"], "книги")], [], []])
    best = engine.translate(texts, source="ru", target="zh", max_length=10,
                            constraints=[[TermForms(["书"], "книги")], [], []])
    assert got[2] == []
    for row, first in zip(got[:2], best[:2]):
        if first:
            assert first in [c.text for c in row] and 1 <= len(row) <= 3
            assert [c.score for c in row] == sorted((c.score for c in row), reverse=True)
            assert len({c.text for c in row}) == len(row)
    assert all("书" in c.text for c in got[0])


def test_a_bilingual_sources_english_line_goes_in_as_context_never_as_text():
    from fake_backend import PseudoBackend
    from subtrans.mt.prompts import split_context
    from subtrans.pipeline.translator import Translator

    class Reader(PseudoBackend):
        def __init__(self, prompt="hy-mt"):
            super().__init__()
            self.spec = type(self.spec)(**{**self.spec.__dict__, "architecture": "hunyuan", "target_by": "prompt",
                                           "prompt": prompt})
            self.requests = []

        def translate(self, texts, **kw):
            self.requests += [split_context(t) for t in texts]
            return super().translate([split_context(t)[0] for t in texts], **kw)

    track = subtrans.load(Path(__file__).parent / "cases" / "bilingual.zh-en.srt")   # written by hand
    engine = Reader()
    with Translator(backend=engine, cache=False, batch_size=1, other_lines_as_context=True) as tr:
        result = tr.translate(track, to="ru", source="zh")
    asked = dict(engine.requests)
    assert asked["嘿"] == [("Hey!", "")]
    assert asked["如果你明天又不来排练，导演就会找人顶替你"] == \
        [("If you miss rehearsal again tomorrow, the director will replace you.", "")]   # a unit over two cues
    assert not [t for t in asked if re.search("[A-Za-z]", t)]                   # never as text to translate
    assert not [c for c in result.track.cues[:6] if re.search("[A-Za-z]", strip_tags(c.text))]   # nor kept
    with Translator(backend=Reader("seed-x"), cache=False, other_lines_as_context=True) as tr:
        result = tr.translate(track, to="ru", source="zh")
    assert any("takes no context" in w for w in result.warnings)


def test_a_model_that_keeps_delimiters_gets_several_sentences_per_request(tmp_path):
    import dataclasses

    from subtrans.mt.catalog import resolve_model
    from subtrans.pipeline.engine import load_backend
    from subtrans.pipeline.terms import TermForms

    folder = build_llm("hunyuan", tmp_path / "hunyuan")
    spec = dataclasses.replace(resolve_model(str(folder), "ru", "zh"), pack=3)
    engine = load_backend("hf", spec, device="cpu", allow_pickle=False)
    asked = []

    def model(requests, **kw):          # stands in for the model: answers each sentence by its length
        asked.append(list(requests))
        engine.last_enforcement = [["free"] * len(c) for c in (kw.get("constraints") or [[]] * len(requests))]
        engine.last_cleaned = [""] * len(requests)
        answers = []
        for r in requests:
            parts = ["句" * len(p.strip()) for p in r.split("@@")]
            answers.append(" @@ ".join(parts if "Где" not in r else parts[:1]))   # a group answered short
        return answers

    engine._translate = model
    texts = ["Стой!", "Кто там?", "Свои.", "Где брат?", "Ждём.", "Утро."]
    out = engine.translate(texts, source="ru", target="zh")
    assert asked[0] == ["Стой! @@ Кто там? @@ Свои.", "Где брат? @@ Ждём. @@ Утро."]
    assert asked[1] == ["Где брат?", "Ждём.", "Утро."]              # the group that did not split, one by one
    assert out == ["句" * len(t) for t in texts]
    prompt = engine._prompt(asked[0][0], "ru", "zh", [TermForms(["沃罗诺夫"], "Воронов")])
    assert "分隔符“@@”原样保留" in prompt and "Воронов 翻译成 沃罗诺夫" in prompt
