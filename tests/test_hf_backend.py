"""The transformers backend on tiny random-weight models of each architecture.

Random weights say nothing meaningful: these tests check the contract (one
non-empty string per non-empty input, in order; deterministic; beams; empty
inputs; errors), never the meaning or even the script of the output.
"""

from __future__ import annotations

import shutil

import pytest

from subtrans.errors import ModelError
from subtrans.mt.backends import get_backend
from subtrans.mt.catalog import get_model, resolve_model
from tiny_models import (  # noqa: F401, F811 - fixtures (pytest injects them by name)
    RU_SENTENCES, ZH_SENTENCES, build_hub_cache, make_pickle_copy, tiny_m2m100, tiny_marian_ru_zh, tiny_nllb,
    tiny_t5,
)

pytest.importorskip("torch")
pytest.importorskip("transformers")

CASES = {  # fixture -> directions it translates
    "tiny_t5": [("ru", "zh"), ("zh", "ru"), ("ru", "zh-hant")],
    "tiny_m2m100": [("ru", "zh"), ("zh", "ru")],
    "tiny_nllb": [("ru", "zh"), ("zh", "ru"), ("ru", "zh-hant"), ("zh-hant", "ru")],
    "tiny_marian_ru_zh": [("ru", "zh")],
}
SHORT = 8  # output tokens, a cap (the tiny models' generation config also makes </s> likely early)


@pytest.fixture(scope="module")
def backends(request):
    """One loaded backend per tiny model (loading is the slow part)."""
    HFBackend = get_backend("hf")
    loaded = {}

    def get(fixture: str):
        if fixture not in loaded:
            folder = request.getfixturevalue(fixture)
            loaded[fixture] = HFBackend(resolve_model(str(folder), None, None), device="cpu")
        return loaded[fixture]

    return get


def _inputs(source: str) -> list[str]:
    return list(RU_SENTENCES if source == "ru" else ZH_SENTENCES)


@pytest.mark.parametrize("fixture,source,target",
                         [(f, s, t) for f, dirs in CASES.items() for s, t in dirs])
def test_translates_a_batch_deterministically(backends, fixture, source, target):
    backend = backends(fixture)
    texts = _inputs(source)
    first = backend.translate(texts, source=source, target=target, max_length=SHORT)
    assert len(first) == len(texts)
    assert all(isinstance(t, str) and t.strip() == t and t for t in first)
    assert backend.translate(texts, source=source, target=target, max_length=SHORT) == first


@pytest.mark.parametrize("fixture", list(CASES))
def test_beam_search(backends, fixture):
    backend = backends(fixture)
    source, target = CASES[fixture][0]
    texts = _inputs(source)[:3]
    out = backend.translate(texts, source=source, target=target, beams=4, max_length=SHORT)
    assert len(out) == 3 and all(out)
    assert backend.translate(texts, source=source, target=target, beams=4, max_length=SHORT) == out


@pytest.mark.parametrize("fixture", list(CASES))
def test_empty_inputs_keep_their_place(backends, fixture):
    backend = backends(fixture)
    source, target = CASES[fixture][0]
    a, b = _inputs(source)[:2]
    out = backend.translate(["", a, "   ", b, ""], source=source, target=target, max_length=SHORT)
    assert len(out) == 5
    assert out[0] == "" and out[2] == "" and out[4] == ""
    assert out[1] and out[3]


def test_empty_inputs_do_not_call_the_model(backends, monkeypatch):
    backend = backends("tiny_t5")

    def boom(*args, **kwargs):
        raise AssertionError("generate() called for empty input")

    monkeypatch.setattr(backend.model, "generate", boom)
    assert backend.translate(["", " ", "\n"], source="ru", target="zh") == ["", "", ""]
    assert backend.translate([], source="ru", target="zh") == []


def test_max_length_bounds_the_output(backends):
    backend = backends("tiny_m2m100")
    short = backend.translate(RU_SENTENCES[:2], source="ru", target="zh", max_length=2)
    longer = backend.translate(RU_SENTENCES[:2], source="ru", target="zh", max_length=12)
    assert all(short) and all(len(s) <= len(t) for s, t in zip(short, longer))


def test_language_tokens_never_reach_the_text(backends):
    m2m = backends("tiny_m2m100").translate(RU_SENTENCES, source="ru", target="zh", max_length=SHORT)
    nllb = backends("tiny_nllb").translate(RU_SENTENCES, source="ru", target="zh", max_length=SHORT)
    for text in m2m:
        assert "__" not in text
    for text in nllb:
        assert "zho_" not in text and "rus_" not in text and "<" not in text


def test_unsupported_direction_raises(backends):
    with pytest.raises(ModelError, match="not zh-ru"):
        backends("tiny_marian_ru_zh").translate(["我喜欢看书。"], source="zh", target="ru")


def test_revision_of_a_folder_is_a_stable_short_hash(backends, tiny_t5):
    backend = backends("tiny_t5")
    assert len(backend.revision) == 12 and int(backend.revision, 16) >= 0
    again = get_backend("hf")(resolve_model(str(tiny_t5), "ru", "zh"))
    assert again.revision == backend.revision
    assert backend.signature == f"hf:tiny-t5@{backend.revision}"
    assert backends("tiny_m2m100").revision != backend.revision


def test_revision_of_a_cache_snapshot_is_the_commit(tmp_path, monkeypatch, tiny_t5):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    spec = get_model("t5-small")
    build_hub_cache(tmp_path / "cache", spec.hub_id, tiny_t5, commit=spec.revision)
    backend = get_backend("hf")(resolve_model("t5-small", "ru", "zh"), device="auto")
    assert backend.device == "cpu"  # no CUDA here; auto falls back
    assert backend.revision == spec.revision
    assert backend.signature == f"hf:t5-small@{spec.revision}"
    assert all(backend.translate(RU_SENTENCES[:2], source="ru", target="zh", max_length=SHORT))


def test_pickle_weights_need_allow_pickle(tmp_path, tiny_t5):
    folder = make_pickle_copy(tiny_t5, tmp_path / "pickled-t5")
    spec = resolve_model(str(folder), "ru", "zh")
    HFBackend = get_backend("hf")
    with pytest.raises(ModelError, match="allow_pickle=True"):
        HFBackend(spec)
    backend = HFBackend(spec, allow_pickle=True)
    assert all(backend.translate(RU_SENTENCES[:2], source="ru", target="zh", max_length=SHORT))


def test_corrupt_weights_are_a_model_error_naming_the_folder(tmp_path, tiny_t5):
    folder = tmp_path / "corrupt"
    shutil.copytree(tiny_t5, folder)
    (folder / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ModelError) as err:
        get_backend("hf")(resolve_model(str(folder), "ru", "zh"))
    assert err.value.path == str(folder) and "cannot load the model" in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_tokenizer_is_a_model_error(tmp_path, tiny_m2m100):
    folder = tmp_path / "no-tokenizer"
    shutil.copytree(tiny_m2m100, folder)
    for name in ("sentencepiece.bpe.model", "vocab.json", "tokenizer.json"):
        (folder / name).unlink(missing_ok=True)
    with pytest.raises(ModelError) as err:
        get_backend("hf")(resolve_model(str(folder), "ru", "zh"))
    assert err.value.path == str(folder)


def test_unresolved_spec_is_refused():
    with pytest.raises(ModelError, match="no local folder"):
        get_backend("hf")(get_model("t5-small"))


def test_unusable_device_is_a_model_error(tiny_t5):
    with pytest.raises(ModelError, match="cannot use device"):
        get_backend("hf")(resolve_model(str(tiny_t5), "ru", "zh"), device="cuda:7")
