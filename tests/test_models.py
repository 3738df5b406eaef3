"""The model catalog and model resolution (catalog name, Hub id through the cache, local folder).

No network here: Hub resolution runs against fake Hugging Face caches built
from tiny models; the "Hub unreachable" case points HF_ENDPOINT at a closed
port.
"""

from __future__ import annotations

import subprocess
import sys
import time
from importlib.resources import files
from pathlib import Path

import pytest

from subtrans.errors import ModelError
from subtrans.mt.catalog import (
    check_weights, default_model, describe, download_model, get_model, list_models, read_catalog_file,
    resolve_model,
)
from tiny_models import (  # noqa: F401, F811 - fixtures (pytest injects them by name)
    build_hub_cache, make_pickle_copy, tiny_m2m100, tiny_marian_ru_zh, tiny_nllb, tiny_t5,
)

REQUIRED_HUB_IDS = {
    "utrobinmv/t5_translate_en_ru_zh_small_1024",
    "utrobinmv/t5_translate_en_ru_zh_base_200",
    "utrobinmv/t5_translate_en_ru_zh_large_1024",
    "utrobinmv/t5_translate_en_ru_zh_large_1024_v2",
    "facebook/m2m100_418M",
    "facebook/m2m100_1.2B",
    "facebook/nllb-200-distilled-600M",
}


@pytest.fixture
def hub_cache(tmp_path, monkeypatch) -> Path:
    """An empty Hugging Face cache, offline, with no stray endpoint."""
    pytest.importorskip("huggingface_hub")
    cache = tmp_path / "hf-cache"
    cache.mkdir()
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    return cache


# ------------------------------------------------------------------------------ the catalog files


def test_every_catalog_file_is_valid_and_listed():
    toml_files = sorted(e.name for e in files("subtrans.catalog").iterdir() if e.name.endswith(".toml"))
    specs = list_models()
    assert len(specs) == len(toml_files) >= 7
    for spec in specs:
        assert spec.hub_id and spec.licence != "unknown" and spec.url.startswith("https://huggingface.co/")
        assert spec.directions and set(spec.default_for) <= set(spec.directions)
        assert spec.parameters and spec.size, spec.name
        assert spec.path is None


def test_catalog_has_the_candidate_models():
    assert REQUIRED_HUB_IDS <= {s.hub_id for s in list_models()}


def test_t5_small_is_the_apache_licensed_default_with_prefixes():
    spec = get_model("t5-small")
    assert spec.hub_id == "utrobinmv/t5_translate_en_ru_zh_small_1024"
    assert spec.licence == "Apache-2.0" and spec.commercial
    assert spec.target_by == "prefix"
    assert spec.codes == {"zh": "translate to zh: ", "ru": "translate to ru: "}
    assert set(spec.default_for) == {"ru-zh", "zh-ru"}


def test_nllb_is_flagged_non_commercial_with_a_warning():
    spec = get_model("facebook/nllb-200-distilled-600M")
    assert spec.architecture == "nllb" and spec.target_by == "forced_bos"
    assert spec.licence == "CC-BY-NC-4.0"
    assert spec.commercial is False
    assert "commercial" in spec.warning.lower()
    assert spec.codes == {"ru": "rus_Cyrl", "zh": "zho_Hans", "zh-hant": "zho_Hant"}
    assert spec.default_for == ()
    assert ("commercial use", "NOT allowed: the licence forbids commercial use") in describe(spec)


def test_m2m100_uses_forced_bos_with_plain_codes():
    for name in ("facebook/m2m100_418M", "facebook/m2m100_1.2B"):
        spec = get_model(name)
        assert spec.licence == "MIT" and spec.target_by == "forced_bos"
        assert spec.codes == {"ru": "ru", "zh": "zh"}


def test_pickle_only_catalog_entries_say_so():
    for spec in list_models():
        if spec.weights == "pickle":
            assert "--allow-pickle" in spec.warning


@pytest.mark.parametrize("source,target", [("ru", "zh"), ("zh", "ru"), ("ru", "zh-hant"), ("zh-hant", "ru")])
def test_default_model_per_direction(source, target):
    assert default_model(source, target).name == "t5-small"


def test_no_default_for_an_unsupported_direction():
    with pytest.raises(ModelError, match="no default model for ru-en"):
        default_model("ru", "en")


def test_get_model_by_name_or_hub_id():
    assert get_model("t5-small") is get_model("utrobinmv/t5_translate_en_ru_zh_small_1024")
    assert get_model("NLLB-600M").name == "nllb-600m"


def test_unknown_model_lists_the_catalog():
    with pytest.raises(ModelError) as err:
        get_model("gpt-5")
    assert "gpt-5" in str(err.value) and "t5-small" in str(err.value) and "nllb-600m" in str(err.value)


GOOD = """
name = "x"
hub_id = "org/x"
architecture = "t5"
directions = ["ru-zh", "zh-ru"]
target_by = "prefix"
licence = "MIT"
[codes]
ru = "translate to ru: "
zh = "translate to zh: "
"""


def test_read_catalog_file_accepts_a_good_file(tmp_path):
    f = tmp_path / "x.toml"
    f.write_text(GOOD, encoding="utf-8")
    spec = read_catalog_file(f)
    assert spec.name == "x" and spec.directions == ("ru-zh", "zh-ru") and spec.beams == 4


@pytest.mark.parametrize("change,message", [
    (lambda t: 'colour = "red"\n' + t, "unknown key 'colour'"),
    (lambda t: t.replace('architecture = "t5"', 'architecture = "gpt"'), "unknown architecture 'gpt'"),
    (lambda t: t.replace('target_by = "prefix"', 'target_by = "magic"'), "unknown target_by 'magic'"),
    (lambda t: t.replace('zh = "translate to zh: "\n', ""), "needs a code for 'zh'"),
    (lambda t: t.replace('"zh-ru"]', '"zh-en"]'), "bad direction 'zh-en'"),
    (lambda t: t.replace('licence = "MIT"', 'licence = "MIT"\ncommercial = false'), "needs a warning"),
    (lambda t: t.replace('hub_id = "org/x"\n', ""), "missing key 'hub_id'"),
    (lambda t: t.replace('licence = "MIT"', 'licence = "MIT"\ndefault_for = ["ru-en"]'), "default_for 'ru-en'"),
    (lambda t: t.replace('name = "x"', 'name = "x'), "invalid TOML"),
])
def test_read_catalog_file_names_the_file_and_the_problem(tmp_path, change, message):
    f = tmp_path / "bad.toml"
    f.write_text(change(GOOD), encoding="utf-8")
    with pytest.raises(ModelError) as err:
        read_catalog_file(f)
    assert message in str(err.value)
    assert err.value.path == str(f)
    assert "\n" not in str(err.value)


# ------------------------------------------------------------------------------ resolution


def test_resolve_default_through_the_offline_cache(hub_cache, tiny_t5):
    spec = get_model("t5-small")
    snapshot = build_hub_cache(hub_cache, spec.hub_id, tiny_t5, commit=spec.revision)
    got = resolve_model(None, "ru", "zh")
    assert got.name == "t5-small"
    assert got.path == snapshot and (got.path / "config.json").is_file()
    assert got.revision == spec.revision


def test_resolve_catalog_name_at_a_branch_through_the_cache(hub_cache, tiny_nllb):
    spec = get_model("nllb-600m")
    snapshot = build_hub_cache(hub_cache, spec.hub_id, tiny_nllb, revision=spec.revision)
    got = resolve_model("nllb-600m", "ru", "zh-hant")
    assert got.path == snapshot and got.architecture == "nllb" and not got.commercial


def test_resolve_catalogued_hub_id(hub_cache, tiny_t5):
    spec = get_model("t5-small")
    build_hub_cache(hub_cache, spec.hub_id, tiny_t5, commit=spec.revision)
    assert resolve_model(spec.hub_id, "zh", "ru").name == "t5-small"


def test_resolve_uncatalogued_hub_id_infers_the_spec(hub_cache, tiny_m2m100):
    snapshot = build_hub_cache(hub_cache, "someone/tiny-m2m", tiny_m2m100)
    got = resolve_model("someone/tiny-m2m", "zh", "ru")
    assert (got.name, got.hub_id, got.architecture, got.target_by) == (
        "someone/tiny-m2m", "someone/tiny-m2m", "m2m100", "forced_bos")
    assert got.codes == {"ru": "ru", "zh": "zh"} and got.path == snapshot


def test_resolve_uncatalogued_hub_id_at_a_revision(hub_cache, tiny_t5):
    snapshot = build_hub_cache(hub_cache, "someone/tiny-t5", tiny_t5, revision="v1")
    assert resolve_model("someone/tiny-t5", "ru", "zh", revision="v1").path == snapshot
    with pytest.raises(ModelError, match="revision v2"):
        resolve_model("someone/tiny-t5", "ru", "zh", revision="v2")


@pytest.mark.parametrize("fixture,architecture,target_by,directions", [
    ("tiny_t5", "t5", "prefix", ("ru-zh", "zh-ru")),
    ("tiny_m2m100", "m2m100", "forced_bos", ("ru-zh", "zh-ru")),
    ("tiny_nllb", "nllb", "forced_bos", ("ru-zh", "zh-ru", "ru-zh-hant", "zh-hant-ru")),
    ("tiny_marian_ru_zh", "marian", "fixed", ("ru-zh",)),
])
def test_resolve_local_folder_infers_the_spec(request, fixture, architecture, target_by, directions):
    folder = request.getfixturevalue(fixture)
    spec = resolve_model(str(folder), "ru", "zh")
    assert (spec.architecture, spec.target_by, spec.directions) == (architecture, target_by, directions)
    assert spec.name == folder.name and spec.path == folder and spec.hub_id is None
    if architecture == "t5":
        assert spec.codes == {"ru": "translate to ru: ", "zh": "translate to zh: "}
    if architecture == "nllb":
        assert spec.codes["zh-hant"] == "zho_Hant"
    assert resolve_model(folder, "ru", "zh").path == folder  # a Path works too


def test_resolve_a_cache_snapshot_folder_finds_the_catalog_entry(tmp_path, tiny_t5):
    spec = get_model("t5-small")
    snapshot = build_hub_cache(tmp_path / "elsewhere", spec.hub_id, tiny_t5, commit=spec.revision)
    got = resolve_model(str(snapshot), "ru", "zh")
    assert got.name == "t5-small" and got.licence == "Apache-2.0" and got.path == snapshot


def test_unsupported_direction_is_one_clear_line(tiny_marian_ru_zh):
    with pytest.raises(ModelError) as err:
        resolve_model("t5-small", "ru", "en")
    assert str(err.value).startswith("t5-small translates ru-zh and zh-ru; not ru-en")
    with pytest.raises(ModelError, match="translates ru-zh; not zh-ru"):
        resolve_model(str(tiny_marian_ru_zh), "zh", "ru")


def test_not_a_model_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="no config.json"):
        resolve_model(str(tmp_path / "empty"), "ru", "zh")
    with pytest.raises(ModelError, match="not catalogued, not a folder"):
        resolve_model(str(tmp_path / "missing" / "deeper"), "ru", "zh")


def _assert_missing_message(err: ModelError, hub_id: str, cache: Path) -> None:
    text = str(err)
    assert "\n" not in text
    assert hub_id in text
    assert str(cache) in text
    # a library call: the hint names the keyword (the command line prints --model PATH)
    assert "subtrans models download" in text and "model=PATH" in text and "--model" not in text


def test_missing_model_offline_is_one_clear_line(hub_cache):
    started = time.monotonic()
    with pytest.raises(ModelError) as err:
        resolve_model("t5-large", "ru", "zh")
    assert time.monotonic() - started < 5
    _assert_missing_message(err.value, "utrobinmv/t5_translate_en_ru_zh_large_1024", hub_cache)
    assert "offline" in str(err.value)


def test_missing_model_with_transformers_offline(hub_cache, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    with pytest.raises(ModelError) as err:
        resolve_model("someone/not-here", "ru", "zh")
    _assert_missing_message(err.value, "someone/not-here", hub_cache)


@pytest.fixture
def unreachable_hub(hub_cache, monkeypatch) -> Path:
    """Online mode, with the Hub endpoint on a closed local port."""
    hf_constants = pytest.importorskip("huggingface_hub.constants")
    monkeypatch.delenv("HF_HUB_OFFLINE")
    # huggingface_hub reads HF_HUB_OFFLINE once, at import: undo a value frozen by an earlier test or CI
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("SUBTRANS_HUB_TIMEOUT", "3")
    return hub_cache


def test_missing_model_with_the_hub_unreachable_fails_fast(unreachable_hub):
    started = time.monotonic()
    with pytest.raises(ModelError) as err:
        resolve_model("nllb-600m", "ru", "zh")
    assert time.monotonic() - started < 5
    _assert_missing_message(err.value, "facebook/nllb-200-distilled-600M", unreachable_hub)
    assert "127.0.0.1:9" in str(err.value) and "cannot be reached" in str(err.value)


def test_cached_model_is_used_when_the_hub_is_unreachable(unreachable_hub, tiny_m2m100):
    snapshot = build_hub_cache(unreachable_hub, "someone/tiny-m2m", tiny_m2m100)
    started = time.monotonic()
    assert resolve_model("someone/tiny-m2m", "ru", "zh").path == snapshot
    assert time.monotonic() - started < 5


def test_download_refuses_offline_and_unknown_names(hub_cache):
    with pytest.raises(ModelError, match="offline"):
        download_model("t5-small")
    with pytest.raises(ModelError, match="unknown model 'nonsense'"):
        download_model("nonsense")


def test_download_with_the_hub_unreachable_fails_fast(unreachable_hub):
    started = time.monotonic()
    with pytest.raises(ModelError) as err:
        download_model("t5-base")
    assert time.monotonic() - started < 5
    text = str(err.value)
    assert "\n" not in text and "cannot download utrobinmv/t5_translate_en_ru_zh_base_200" in text
    assert str(unreachable_hub) in text and "127.0.0.1:9" in text and "model=PATH" in text


class _FakeHub:
    """Stands in for the Hub's model_info and snapshot_download (records what was asked)."""

    def __init__(self, files: list[str], snapshot: Path) -> None:
        self.files, self.snapshot, self.downloads = files, snapshot, []

    def model_info(self, repo_id, *, revision=None, timeout=None, **kwargs):
        from types import SimpleNamespace

        assert timeout is not None and timeout <= 10
        return SimpleNamespace(sha="0" * 40, siblings=[SimpleNamespace(rfilename=f) for f in self.files])

    def snapshot_download(self, repo_id, **kwargs):
        self.downloads.append((repo_id, kwargs))
        return str(self.snapshot)


@pytest.fixture
def fake_hub(unreachable_hub, monkeypatch, tiny_t5):
    hub = pytest.importorskip("huggingface_hub")
    fake = _FakeHub([], build_hub_cache(unreachable_hub, "someone/online-t5", tiny_t5))
    monkeypatch.setattr(hub.HfApi, "model_info", lambda self, *a, **k: fake.model_info(*a, **k))
    monkeypatch.setattr(hub, "snapshot_download", fake.snapshot_download)
    return fake


def test_online_download_fetches_safetensors_not_pickles(fake_hub, unreachable_hub):
    fake_hub.files = ["config.json", "model.safetensors", "pytorch_model.bin", "tf_model.h5", "spiece.model",
                      "tokenizer.json", "tokenizer_config.json", "README.md"]
    spec = resolve_model("someone/online-t5", "ru", "zh", revision="v2")
    assert spec.path == fake_hub.snapshot
    ((repo, kwargs),) = fake_hub.downloads
    assert repo == "someone/online-t5" and kwargs["revision"] == "v2"
    assert kwargs["cache_dir"] == str(unreachable_hub) and kwargs["endpoint"] == "http://127.0.0.1:9"
    patterns = kwargs["allow_patterns"]
    assert {"*.json", "*.safetensors", "*.model", "*.spm"} <= set(patterns)
    assert not any(p.endswith(".bin") or p.endswith(".h5") for p in patterns)


def test_online_download_takes_pickles_only_without_safetensors(fake_hub):
    fake_hub.files = ["config.json", "pytorch_model.bin", "sentencepiece.bpe.model", "vocab.json"]
    assert download_model("someone/online-t5") == fake_hub.snapshot
    assert "pytorch_model*.bin" in fake_hub.downloads[-1][1]["allow_patterns"]
    with pytest.raises(ModelError, match="only pickle weights"):
        resolve_model("someone/online-t5", "ru", "zh", allow_pickle=False)
    assert len(fake_hub.downloads) == 1  # refused before downloading


# ------------------------------------------------------------------------------ weights


def test_pickle_only_folder_is_refused_unless_allowed(tmp_path, tiny_t5):
    folder = make_pickle_copy(tiny_t5, tmp_path / "pickled")
    with pytest.raises(ModelError) as err:
        check_weights(folder)
    text = str(err.value)
    assert "pytorch_model.bin" in text and "pickle can run code" in text and "allow_pickle=True" in text
    assert "safetensors" in text
    assert check_weights(folder, allow_pickle=True) == "pickle"
    with pytest.raises(ModelError, match="allow_pickle=True"):
        resolve_model(str(folder), "ru", "zh", allow_pickle=False)
    assert resolve_model(str(folder), "ru", "zh", allow_pickle=True).path == folder
    assert resolve_model(str(folder), "ru", "zh").path == folder  # None: the backend checks


def test_safetensors_folder_passes_and_empty_folder_fails(tmp_path, tiny_t5):
    assert check_weights(tiny_t5) == "safetensors"
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="no model weights"):
        check_weights(tmp_path / "w")


# ------------------------------------------------------------------------------ describe, lightness


def test_describe_says_everything_models_info_needs(hub_cache, tiny_t5):
    spec = get_model("t5-small")
    rows = dict(describe(spec))
    for label in ("hub id", "architecture", "directions", "target language", "licence", "commercial use",
                  "warning", "beams", "max length", "size", "url", "in local cache"):
        assert label in rows, label
    assert rows["hub id"] == spec.hub_id and "translate to zh: " in rows["target language"]
    assert rows["in local cache"].startswith("no") and str(hub_cache) in rows["in local cache"]
    snapshot = build_hub_cache(hub_cache, spec.hub_id, tiny_t5, commit=spec.revision)
    assert dict(describe(spec))["in local cache"] == f"yes: {snapshot}"


def test_importing_the_catalog_is_light():
    code = ("import sys, subtrans.mt.catalog as c; c.list_models(); c.default_model('ru', 'zh'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers', 'huggingface_hub')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_errors_speak_the_library_in_the_library_and_flags_on_the_command_line(hub_cache):
    from click.testing import CliRunner

    from subtrans.cli import main

    with pytest.raises(ModelError) as err:
        resolve_model("t5-large", "ru", "zh")
    assert "model=PATH" in str(err.value)
    example = Path(__file__).parent.parent / "examples" / "red-silk.ru.srt"
    result = CliRunner().invoke(main, ["translate", str(example), "--to", "zh", "--model", "t5-large", "-o",
                                       str(hub_cache / "out.srt")])
    assert result.exit_code == 2 and "--model PATH" in result.output and "model=PATH" not in result.output
