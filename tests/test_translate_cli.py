"""`subtrans translate` end to end on tiny random-weight models built by the tests.

Nothing is downloaded: the models are a few hundred KB, with SentencePiece
tokenizers trained in the test (tests/tiny_models.py).
"""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import subtrans
from subtrans.cli import main
from subtrans.text import strip_tags

from tiny_models import build_hub_cache, tiny_m2m100, tiny_marian_ru_zh, tiny_t5  # noqa: F401  (fixtures)

EXAMPLES = Path(__file__).parent.parent / "examples"
# The end-to-end runs below go through both engines: the same CLI behaviour is expected of each.
BACKENDS = ["hf", pytest.param("ct2", marks=pytest.mark.skipif(
    __import__("importlib").util.find_spec("ctranslate2") is None, reason="CTranslate2 is not installed"))]


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTRANS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def translate(*args, fast=True):
    # Random weights never stop early: greedy and a short cap keep the runs quick.
    speed = ["--beams", "1", "--max-length", "24"] if fast and "--model" in args else []
    result = CliRunner().invoke(main, ["translate", *map(str, args), *speed])
    return result.exit_code, result.output


def assert_same_cues(src_path, out_path):
    src, out = subtrans.load(src_path), subtrans.load(out_path)
    assert [(c.start, c.end, c.id) for c in out.cues] == [(c.start, c.end, c.id) for c in src.cues]
    assert all(strip_tags(c.text).strip() for c in out.cues)
    return src, out


@pytest.mark.parametrize("model", ["tiny_t5", "tiny_m2m100", "tiny_marian_ru_zh"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_russian_example_to_chinese(backend, model, request, tmp_path):
    model_dir = request.getfixturevalue(model)
    out_path = tmp_path / "red-silk.zh.srt"
    code, output = translate("--backend", backend, EXAMPLES / "red-silk.ru.srt", "--to", "zh", "--model", model_dir, "-o", out_path,
                             "--report", tmp_path / "qa.json", fast=model != "tiny_marian_ru_zh")
    assert code == 0, output
    src, out = assert_same_cues(EXAMPLES / "red-silk.ru.srt", out_path)
    assert "24 cues" in output and "QA (netflix-zh-hans)" in output
    for s, o in zip(src.cues, out.cues):  # dialogue stays two dash lines, italics stay italic
        if s.text.startswith("-"):
            assert [ln[:1] for ln in o.text.split("\n")] == ["-", "-"]
        assert s.text.startswith("<i>") == o.text.startswith("<i>")
    report = json.loads((tmp_path / "qa.json").read_text())
    assert report["files"][0]["path"] == str(out_path)


@pytest.mark.parametrize("model", ["tiny_t5", "tiny_m2m100"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_chinese_example_to_russian(backend, model, request, tmp_path):
    out_path = tmp_path / "out.srt"
    code, output = translate("--backend", backend, EXAMPLES / "red-silk.zh.srt", "--to", "ru", "--model", request.getfixturevalue(model),
                             "-o", out_path)
    assert code == 0, output
    assert_same_cues(EXAMPLES / "red-silk.zh.srt", out_path)
    assert "QA (netflix-ru)" in output


@pytest.mark.parametrize("backend", BACKENDS)
def test_default_output_next_to_input_and_rerun_from_cache(backend, tiny_t5, tmp_path):
    src = tmp_path / "film.ru.vtt"
    src.write_bytes((EXAMPLES / "red-silk.ru.vtt").read_bytes())
    code, first = translate("--backend", backend, src, "--to", "zh", "--model", tiny_t5)
    assert code == 0, first
    out = tmp_path / "film.zh.vtt"
    assert_same_cues(src, out)
    before = out.read_bytes()
    code, refused = translate("--backend", backend, src, "--to", "zh", "--model", tiny_t5)
    assert code == 2 and "exists already" in refused and "--overwrite" in refused   # never replaced unasked
    code, second = translate("--backend", backend, src, "--to", "zh", "--model", tiny_t5, "--overwrite")
    assert code == 0 and "0 sent to the model" in second and out.read_bytes() == before


@pytest.mark.parametrize("backend", BACKENDS)
def test_traditional_and_bilingual(backend, tiny_t5, tmp_path):
    out = tmp_path / "out.srt"
    code, output = translate("--backend", backend, EXAMPLES / "red-silk.ru.srt", "--to", "zh-Hant", "--model", tiny_t5, "-o", out,
                             "--bilingual", "--no-cache", "--report", tmp_path / "r.json")
    assert code == 0, output
    # The QA looks at the translation lines, not at the Russian lines above them.
    rules = {f["rule"] for f in json.loads((tmp_path / "r.json").read_text())["files"][0]["findings"]}
    assert "max-lines" not in rules   # (random weights may write Cyrillic junk: untranslated can fire)
    src = subtrans.load(EXAMPLES / "red-silk.ru.srt")
    for s, o in zip(src.cues, subtrans.load(out).cues):
        assert o.text.startswith(s.text + "\n")
    assert "QA (netflix-zh-hant)" in output


def test_fail_on_makes_findings_exit_1(tiny_t5, tmp_path):
    code, _ = translate(EXAMPLES / "red-silk.ru.srt", "--to", "zh", "--model", tiny_t5, "-o", tmp_path / "o.srt",
                        "--fail-on", "info")
    # The source's own timing faults (overlap, short cues) are kept with its timings.
    assert code == 1


def test_hub_id_missing_offline_is_one_clear_line(tmp_path):
    code, output = translate(EXAMPLES / "red-silk.ru.srt", "--to", "zh", "--model", "nobody/no-such-model",
                             "-o", tmp_path / "x.srt")
    assert code == 2
    lines = [ln for ln in output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "nobody/no-such-model" in lines[0] and "subtrans models download" in lines[0]
    assert "Traceback" not in output


def test_default_model_missing_offline_says_what_to_do(tmp_path):
    code, output = translate(EXAMPLES / "red-silk.ru.srt", "--to", "zh", "-o", tmp_path / "x.srt")
    assert code == 2 and "utrobinmv/t5_translate_en_ru_zh_small_1024" in output and "--model" in output


def test_hub_id_found_in_the_cache_offline(tiny_t5, tmp_path):
    build_hub_cache(tmp_path / "hub", "someone/tiny-t5", tiny_t5)
    out = tmp_path / "o.srt"
    code, output = translate(EXAMPLES / "red-silk.ru.srt", "--to", "zh", "--model", "someone/tiny-t5", "-o", out)
    assert code == 0, output
    assert_same_cues(EXAMPLES / "red-silk.ru.srt", out)


def test_marian_wrong_direction_is_refused(tiny_marian_ru_zh, tmp_path):
    code, output = translate(EXAMPLES / "red-silk.zh.srt", "--to", "ru", "--model", tiny_marian_ru_zh,
                             "-o", tmp_path / "o.srt")
    assert code == 2 and "Traceback" not in output


def test_models_list_and_info():
    runner = CliRunner()
    listing = runner.invoke(main, ["models", "list"])
    assert listing.exit_code == 0
    assert "t5-small" in listing.output and "NON-COMMERCIAL" in listing.output
    info = runner.invoke(main, ["models", "info", "t5-small"])
    assert info.exit_code == 0 and "Apache-2.0" in info.output
    missing = runner.invoke(main, ["models", "info", "no-such-model"])
    assert missing.exit_code == 2


def test_check_never_imports_torch(tmp_path):
    import subprocess
    import sys

    code = ("import sys; from click.testing import CliRunner; from subtrans.cli import main; "
            f"CliRunner().invoke(main, ['check', {str(EXAMPLES / 'red-silk.ru.srt')!r}]); "
            "heavy = [m for m in ('torch', 'transformers', 'ctranslate2', 'jieba', 'opencc') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


GLOSSARY = Path(__file__).parent.parent / "glossaries" / "operation-red-silk.tsv"


@pytest.mark.parametrize("model,source,to", [("tiny_t5", "red-silk.ru.srt", "zh"), ("tiny_m2m100", "red-silk.zh.srt", "ru"),
                                             ("tiny_marian_ru_zh", "red-silk.ru.srt", "zh")])
@pytest.mark.parametrize("backend", BACKENDS)
def test_glossary_terms_reach_the_output(backend, model, source, to, request, tmp_path):
    out = tmp_path / "out.srt"
    code, output = translate("--backend", backend, EXAMPLES / source, "--to", to, "--model", request.getfixturevalue(model), "-o", out,
                             "--glossary", GLOSSARY)
    assert code == 0, output
    assert "glossary terms:" in output and "missing" not in output, output
    # The check with the same glossary agrees: no source term without its rendering.
    # (Random weights write mixed scripts, so the target's profile is named rather than detected.)
    profile = "netflix-ru" if to == "ru" else "netflix-zh-hans"
    res = CliRunner().invoke(main, ["check", str(out), "--source", str(EXAMPLES / source), "--glossary", str(GLOSSARY),
                                    "--profile", profile, "--format", "json"])
    assert '"rule": "glossary"' not in res.output


def test_report_never_overwrites_an_input_or_output(tiny_t5, tmp_path):
    src = tmp_path / "r.ru.srt"
    src.write_bytes((EXAMPLES / "red-silk.ru.srt").read_bytes())
    for report in (src, tmp_path / "r.zh.srt"):
        code, output = translate(src, "--to", "zh", "--model", tiny_t5, "--report", report)
        assert code == 2 and "report would overwrite" in output
    assert src.read_bytes() == (EXAMPLES / "red-silk.ru.srt").read_bytes()


def test_lenient_skips_are_reported_and_output_format_follows_the_extension(tiny_t5, tmp_path):
    src = tmp_path / "bad.ru.srt"
    src.write_text("1\n00:00:01,000 --> 00:00:02,000\nПоезд.\n\n2\n00:00:03,000 --> 00:00:0x,000\nСломано.\n\n"
                   "3\n00:00:05,000 --> 00:00:06,000\nХарбин.\n", encoding="utf-8")
    out = tmp_path / "good.zh.vtt"
    code, output = translate(src, "--to", "zh", "--model", tiny_t5, "--lenient", "-o", out, "--report",
                             tmp_path / "r.json")
    assert code == 0, output
    assert "not in the output" in output
    assert out.read_text(encoding="utf-8").startswith("WEBVTT")
    report = json.loads((tmp_path / "r.json").read_text())
    assert any("not in the output" in w for w in report["files"][0]["translation"]["warnings"])


def test_folder_rerun_skips_outputs_and_keeps_subfolders(tiny_t5, tmp_path):
    for ep in ("ep1", "ep2"):
        (tmp_path / "in" / ep).mkdir(parents=True)
        (tmp_path / "in" / ep / "film.ru.srt").write_bytes((EXAMPLES / "red-silk.ru.srt").read_bytes())
    code, output = translate(tmp_path / "in", "--to", "zh", "--model", tiny_t5, "--output-dir", tmp_path / "out")
    assert code == 0, output
    assert (tmp_path / "out" / "ep1" / "film.zh.srt").exists() and (tmp_path / "out" / "ep2" / "film.zh.srt").exists()
    code, output = translate(tmp_path / "in", "--to", "zh", "--model", tiny_t5)          # next to the inputs
    assert code == 0, output
    code, output = translate(tmp_path / "in", "--to", "zh", "--model", tiny_t5, "--overwrite")
    assert code == 0, output
    assert output.count(" -> ") == 2                                                     # not the .zh.srt outputs


def test_project_configuration_shapes_the_qa_of_translations(tiny_t5, tmp_path, monkeypatch):
    (tmp_path / "subtrans.toml").write_text('[rules]\nline-length = false\nreading-speed = false\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, output = translate(EXAMPLES / "red-silk.ru.srt", "--to", "zh", "--model", tiny_t5, "-o", tmp_path / "o.srt",
                             "--report", tmp_path / "r.json")
    assert code == 0, output
    rules = {f["rule"] for f in json.loads((tmp_path / "r.json").read_text())["files"][0]["findings"]}
    assert not rules & {"line-length", "reading-speed"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_rerun_served_from_the_cache_never_loads_the_model(backend, tiny_t5, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "o.srt"
    code, output = translate("--backend", backend, EXAMPLES / "red-silk.ru.srt", "--to", "zh", "--model", tiny_t5,
                             "-o", out)
    assert code == 0, output
    script = ("import sys; from subtrans.cli import main\n"
              "try:\n    main([" + ", ".join(repr(a) for a in [
                  "translate", str(EXAMPLES / "red-silk.ru.srt"), "--to", "zh", "--model", str(tiny_t5), "-o", str(out),
                  "--overwrite", "--beams", "1", "--max-length", "24", "--backend", backend]) + "])\n"
              "except SystemExit as e:\n"
              "    print('exit', e.code, any(m in sys.modules for m in ('torch', 'ctranslate2', 'transformers')))\n")
    import os
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=dict(os.environ))
    assert "exit 0 False" in res.stdout, res.stdout + res.stderr
    assert "0 sent to the model" in res.stdout
