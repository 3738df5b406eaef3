"""`--backend auto` never refuses a model transformers runs (issue 23, part 4): when CTranslate2 cannot convert
or load it, auto translates with transformers and says why in one line; `--backend ct2` still fails with
the reason. The model: a tiny Marian whose embeddings were resized past its vocabulary (as some
published checkpoints are), which CTranslate2's converter refuses and transformers runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("ctranslate2")
pytest.importorskip("transformers")

from subtrans.cli import main  # noqa: E402
from subtrans.errors import EngineUnusable  # noqa: E402

from tiny_models import RU_SENTENCES, build_marian, train_spm  # noqa: E402


@pytest.fixture(scope="module")
def padded_marian(tmp_path_factory) -> Path:
    from transformers import MarianMTModel

    out = tmp_path_factory.mktemp("padded")
    folder = build_marian(out / "marian", train_spm(out / "spm", model_type="unigram"))
    model = MarianMTModel.from_pretrained(folder)
    model.resize_token_embeddings(model.config.vocab_size + 7, mean_resizing=False)
    model.save_pretrained(folder)
    return folder


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTRANS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def srt(path: Path) -> Path:
    path.write_text("".join(f"{n}\n00:00:0{n},000 --> 00:00:0{n},900\n{t}\n\n" for n, t in enumerate(RU_SENTENCES, 1)),
                    encoding="utf-8")
    return path


def test_auto_falls_back_to_transformers_and_says_why(padded_marian, tmp_path):
    src = srt(tmp_path / "a.ru.srt")
    result = CliRunner().invoke(main, ["translate", str(src), "--to", "zh", "--model", str(padded_marian),
                                       "--beams", "1", "--max-length", "12"])
    assert result.exit_code in (0, 1), result.output
    assert (tmp_path / "a.zh.srt").exists()
    lines = [ln for ln in result.output.splitlines() if "CTranslate2 cannot use this model" in ln]
    assert len(lines) == 1, result.output
    assert "backend hf (auto: CTranslate2 cannot use this model: cannot convert the model for CTranslate2:" in lines[0]
    assert "vocabulary" in lines[0]


def test_an_explicit_ct2_still_fails_with_the_reason(padded_marian, tmp_path):
    from subtrans.pipeline.translator import Translator

    src = srt(tmp_path / "b.ru.srt")
    result = CliRunner().invoke(main, ["translate", str(src), "--to", "zh", "--model", str(padded_marian),
                                       "--backend", "ct2", "--beams", "1", "--max-length", "12"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "cannot convert the model for CTranslate2" in result.output and "--backend hf" in result.output
    import subtrans

    with Translator(padded_marian, backend="ct2", cache=False) as tr, pytest.raises(EngineUnusable):
        tr.translate(subtrans.load(src), to="zh")
