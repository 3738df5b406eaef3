"""Translation LLMs (decoder-only: Qwen3, Hy-MT, TranslateGemma, Seed-X) end to end, on tiny random-weight
models of each family's architecture with a real BPE tokenizer and its chat template (tests/tiny_llms.py)."""

import json
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


@pytest.mark.parametrize("source,to", [("red-silk.ru.srt", "zh"), ("red-silk.zh.srt", "ru")])
def test_each_family_translates_a_film_with_every_term(tiny_llm, source, to, tmp_path):
    out = tmp_path / "out.srt"
    report = tmp_path / "run.json"
    code, output = translate(EXAMPLES / source, "--to", to, "--model", tiny_llm, "-o", out, "--glossary", GLOSSARY,
                             "--report", report)
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
    code, output = translate(EXAMPLES / "red-silk.ru.srt", "--to", "zh", "--model", tiny_llm, "-o", out)
    assert code == 0, output
    first = out.read_bytes()
    code, output = translate(EXAMPLES / "red-silk.ru.srt", "--to", "zh", "--model", tiny_llm, "-o", out, "--overwrite")
    assert code == 0 and "0 sent to the model" in output, output
    assert out.read_bytes() == first


def test_auto_runs_a_translation_llm_in_transformers_and_ct2_says_so(tmp_path):
    model = build_llm("qwen3", tmp_path / "tiny-qwen3")
    out = tmp_path / "out.srt"
    code, output = translate(EXAMPLES / "red-silk.ru.srt", "--to", "zh", "--model", model, "-o", out,
                             "--backend", "auto")
    assert code == 0, output
    if __import__("importlib").util.find_spec("ctranslate2") is not None:
        assert "a translation LLM runs in transformers" in output
        code, output = translate(EXAMPLES / "red-silk.ru.srt", "--to", "zh", "--model", model, "-o", tmp_path / "x.srt",
                                 "--backend", "ct2")
        assert code == 2 and "--backend hf" in output, output


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
