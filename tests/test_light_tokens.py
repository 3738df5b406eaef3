"""The ``ct2`` backend reads its tokenizer without transformers or torch (issue 23, part 1).

On first use a model is converted and its tokenizer saved beside the conversion (:mod:`subtrans.mt.
backends.light_tokens`); later runs read it with ``tokenizers`` or ``sentencepiece`` alone. For every
architecture of the catalog (T5, M2M100, NLLB, Marian, tiny test models with real tokenizers trained in
the tests) the light reader must give the tokens transformers gives: the source tokens with truncation
and language tokens, the target-side ids, the decoded text, the vocabulary and the special ids, and so
the same translations, glossary terms included. A fresh process translating with a converted model
imports neither transformers nor torch.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ctranslate2")
pytest.importorskip("transformers")

from subtrans.mt.backends import get_backend  # noqa: E402
from subtrans.mt.backends.light_tokens import LIGHT_FILE  # noqa: E402
from subtrans.mt.catalog import resolve_model  # noqa: E402

from tiny_models import (  # noqa: E402, F401 - fixtures
    RU_SENTENCES, ZH_SENTENCES, tiny_m2m100, tiny_marian_ru_zh, tiny_nllb, tiny_t5,
)

ARCHITECTURES = ["tiny_t5", "tiny_m2m100", "tiny_nllb", "tiny_marian_ru_zh"]
EXTRA = ["Поезд на Харбин отправляется через пять минут!", "哈尔滨到了。", "",
         "Очень " * 200 + "длинная строка.",                       # past the truncation limit
         "Смешанный text 1927 года, №7 — «кавычки»…", "西伯利亚快车 1927年10月 ｢全角｣"]


def backends(folder: Path, root: Path):
    """The backend as a first run makes it (transformers' tokenizer, then saved) and as a later run does."""
    spec = resolve_model(str(folder), None, None)
    first = get_backend("ct2")(spec, device="cpu", cache_root=root, quantization="float32")
    assert (first.converted / LIGHT_FILE).is_file()
    again = get_backend("ct2")(spec, device="cpu", cache_root=root, quantization="float32")
    assert type(again.tokenizer).__name__ == "LightTokenizer" and type(first.tokenizer).__name__ != "LightTokenizer"
    return spec, first, again


@pytest.mark.parametrize("fixture", ARCHITECTURES)
def test_the_saved_tokenizer_gives_the_tokens_transformers_gives(fixture, request, tmp_path):
    spec, hf_tok, light = backends(request.getfixturevalue(fixture), tmp_path / "ct2")
    assert light._non_text_ids == hf_tok._non_text_ids and light.eos_ids == hf_tok.eos_ids
    assert light._language_ids == hf_tok._language_ids
    assert light.tokenizer.get_vocab() == hf_tok.tokenizer.get_vocab()
    assert light.vocabulary_index() == hf_tok.vocabulary_index()
    directions = [("ru", "zh")] + ([("zh", "ru")] if "zh-ru" in spec.directions else [])
    rng = random.Random(3)
    for source, target in directions:
        texts = (RU_SENTENCES if source == "ru" else ZH_SENTENCES) + EXTRA
        assert light._source_tokens(texts, source, target) == hf_tok._source_tokens(texts, source, target)
        for text in texts:
            ids = hf_tok.encode_target(text)
            assert light.encode_target(text) == ids, text
            assert light.decode_ids(ids) == hf_tok.decode_ids(ids), text
        size = len(hf_tok.tokenizer)
        for _ in range(200):   # any output the decoder may write, specials included
            ids = [rng.randrange(size) for _ in range(rng.randint(0, 12))]
            assert light.decode_ids(ids) == hf_tok.decode_ids(ids), ids


@pytest.mark.parametrize("fixture", ARCHITECTURES)
def test_translations_and_terms_are_the_same_with_either_tokenizer(fixture, request, tmp_path):
    spec, hf_tok, light = backends(request.getfixturevalue(fixture), tmp_path / "ct2")
    source, target = ("ru", "zh")
    terms = [[["哈尔滨"]], [], [["李梅"]], []]
    for beams in (1, 3):
        kwargs = dict(source=source, target=target, beams=beams, max_length=12)
        assert light.translate(RU_SENTENCES, **kwargs) == hf_tok.translate(RU_SENTENCES, **kwargs)
        assert light.translate(RU_SENTENCES, constraints=terms, **kwargs) == \
            hf_tok.translate(RU_SENTENCES, constraints=terms, **kwargs)
        assert light.last_enforcement == hf_tok.last_enforcement


def test_a_converted_model_translates_without_importing_transformers_or_torch(tiny_nllb, tmp_path):
    backends(tiny_nllb, tmp_path / "ct2")          # converted, tokenizer saved
    script = f"""
import json, sys
from subtrans.mt.backends import get_backend
from subtrans.mt.catalog import resolve_model
spec = resolve_model({str(tiny_nllb)!r}, None, None)
b = get_backend("ct2")(spec, device="cpu", cache_root={str(tmp_path / "ct2")!r}, quantization="float32")
out = b.translate(["Где мой брат?"], source="ru", target="zh", beams=1, max_length=8)
print(json.dumps({{"out": out, "heavy": sorted(m for m in ("torch", "transformers") if m in sys.modules)}}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["heavy"] == [] and len(result["out"]) == 1


def test_batches_decoded_side_by_side_come_back_in_order_with_their_term_reports(tiny_t5, tmp_path):
    """ct2's translate_batches (issue 23, part 2) queues batches ahead so that no worker idles; what comes
    back, batch by batch, is what translating them one at a time gives."""
    spec, _, ct2 = backends(tiny_t5, tmp_path / "ct2")
    texts = RU_SENTENCES + EXTRA
    batches = [(texts[k:k + 2], None) for k in range(0, len(texts), 2)]
    batches[1] = (batches[1][0], [[["哈尔滨"]], []])
    batches.append((["", "  "], None))
    kwargs = dict(source="ru", target="zh", beams=2, max_length=10)
    one_by_one, reports = [], []
    for batch, terms in batches:
        one_by_one.append(ct2.translate(batch, constraints=terms, **kwargs))
        reports.append(ct2.last_enforcement)
    streamed, streamed_reports = [], []
    for out in ct2.translate_batches(batches, **kwargs):
        streamed.append(out)
        streamed_reports.append(ct2.last_enforcement)
    assert streamed == one_by_one and streamed_reports == reports
    assert streamed[-1] == ["", ""]
