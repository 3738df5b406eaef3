"""The bytes `subtrans translate` writes, pinned: the examples through the tiny models on both engines.

Pinned with each output: the run's signature and the rows it leaves in the
translation memory (keys, sources, translations and the candidates' JSON), so
that a user's memory goes on matching. A change to the pipeline that is meant
to keep behaviour (a restructuring, a speed-up) must leave these files
byte-identical. A change that is meant to
change the output regenerates them and shows the difference in its diff::

    SUBTRANS_REGENERATE_GOLDEN=1 python -m pytest tests/test_golden_outputs.py

Random-weight outputs depend on the exact numerical stack, so the versions
they were written with are kept in ``golden/VERSIONS.json``. With other
versions installed the comparison is skipped with the reason; the test
command of the README (and so CI) installs the pinned ones
(``tests/constraints.txt``), where it always runs.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from subtrans.cli import main

from tiny_models import tiny_m2m100, tiny_marian_ru_zh, tiny_nllb, tiny_t5  # noqa: F401  (fixtures)

pytest.importorskip("torch")
pytest.importorskip("transformers")

ROOT = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden"
GLOSSARY = ROOT / "glossaries" / "operation-red-silk.tsv"
STACK = ("torch", "transformers", "tokenizers", "sentencepiece", "ctranslate2", "jieba", "opencc", "pymorphy3",
         "pymorphy3-dicts-ru", "razdel", "pypinyin")
REGENERATE = os.environ.get("SUBTRANS_REGENERATE_GOLDEN") == "1"

# name: (model fixture, example, --to, extra options)
CASES = {
    "t5-ru-zh-glossary": ("tiny_t5", "red-silk.ru.srt", "zh", ["--glossary", GLOSSARY]),
    "t5-ru-zh-vtt-retime": ("tiny_t5", "red-silk.ru.vtt", "zh", ["--retime", "--fit-margin", "0"]),
    "t5-ru-zhhant-bilingual": ("tiny_t5", "red-silk.ru.srt", "zh-hant", ["--bilingual", "--glossary", GLOSSARY]),
    "t5-zh-ru-beam2": ("tiny_t5", "red-silk.zh.srt", "ru", ["--beams", "2"]),
    "m2m100-zh-ru-glossary": ("tiny_m2m100", "red-silk.zh.srt", "ru", ["--glossary", GLOSSARY]),
    "nllb-ru-zh-nofit": ("tiny_nllb", "red-silk.ru.srt", "zh", ["--no-fit"]),
    "marian-ru-zh": ("tiny_marian_ru_zh", "red-silk.ru.srt", "zh", []),
}
BACKENDS = ["hf", pytest.param("ct2", marks=pytest.mark.skipif(
    importlib.util.find_spec("ctranslate2") is None, reason="CTranslate2 is not installed"))]


def _versions() -> dict[str, str | None]:
    found = {}
    for name in STACK:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTRANS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_translate_writes_the_pinned_bytes(case, backend, request, tmp_path):
    fixture, example, to, extra = CASES[case]
    versions_file = GOLDEN / "VERSIONS.json"
    if REGENERATE:
        GOLDEN.mkdir(exist_ok=True)
        versions_file.write_text(json.dumps(_versions(), indent=1, sort_keys=True) + "\n")
    pinned = json.loads(versions_file.read_text())
    if pinned != _versions():
        pytest.skip(f"the outputs were written with {pinned}, this is {_versions()}: install tests/constraints.txt "
                    "or regenerate (see the module docstring)")
    out = tmp_path / ("out" + Path(example).suffix)
    model = request.getfixturevalue(fixture)
    options = ["--max-length", "24", *(["--beams", "1"] if "--beams" not in extra else [])]
    report = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["translate", str(ROOT / "examples" / example), "--to", to, "--model",
                                       str(model), "--backend", backend, "-o", str(out), "--report", str(report),
                                       *map(str, extra), *options])
    assert result.exit_code == 0, result.output
    golden = GOLDEN / f"{case}.{backend}{out.suffix}"
    run = {"signature": json.loads(report.read_text())["signature"].replace(str(model), "MODEL"),
           "memory": _memory_rows(tmp_path / "cache")}
    golden_run = golden.with_suffix(".run.json")
    if REGENERATE:
        golden.write_bytes(out.read_bytes())
        golden_run.write_text(json.dumps(run, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    assert out.read_bytes() == golden.read_bytes(), f"{golden.name} changed"
    assert run == json.loads(golden_run.read_text(encoding="utf-8")), f"{golden_run.name} changed"


def _memory_rows(cache_dir: Path) -> list[list[str]]:
    """Every (context, source, target) row of the translation memory, sorted."""
    with sqlite3.connect(next(cache_dir.rglob("*.sqlite3"))) as conn:
        return sorted(map(list, conn.execute("SELECT context, source, target FROM tm")))
