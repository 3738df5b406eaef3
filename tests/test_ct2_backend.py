"""The CTranslate2 backend (subtrans.mt.backends.ct2) on tiny random-weight models built by the tests.

- Plumbing: converted in float32, CTranslate2 decodes exactly what transformers
  decodes (greedy and beam 4, every architecture), so tokenisation, language
  tokens and suppression are the same on both backends.
- The conversion is cached by model, revision and quantisation, written
  atomically, and M2M100 converts under transformers 5.
- Glossary terms: every term present, placed by the model (repair by prefix),
  no letters glued onto a Russian term; the same report vocabulary as hf.
- Candidates: the n-best contract of Backend.candidates.
- Backend choice: auto takes ct2 when installed and says so.
"""

import json
import shutil

import pytest

pytest.importorskip("ctranslate2")
pytest.importorskip("transformers")

from subtrans.errors import ModelError  # noqa: E402
from subtrans.mt.backends import choose_backend, get_backend  # noqa: E402
from subtrans.mt.catalog import resolve_model  # noqa: E402
from subtrans.mt.constraints import MECHANISMS, missing_terms  # noqa: E402
from test_constraints import SHORT, TERM_MODELS, TEST_SET, build_term_models  # noqa: E402
from tiny_models import (  # noqa: E402, F401 - fixtures (pytest injects them by name)
    RU_SENTENCES, ZH_SENTENCES, tiny_m2m100, tiny_marian_ru_zh, tiny_nllb, tiny_t5,
)

ARCHITECTURES = ["tiny_t5", "tiny_m2m100", "tiny_nllb", "tiny_marian_ru_zh"]


@pytest.fixture(scope="module")
def ct2_root(tmp_path_factory):
    return tmp_path_factory.mktemp("ct2-conversions")


def _spec(folder):
    return resolve_model(str(folder), None, None)


def _without_length_decay(folder, tmp_path_factory):
    """A copy of a tiny model without ``exponential_decay_length_penalty``.

    The tiny models' generation config pushes end-of-sentence up after a few
    tokens so that random weights stop early; CTranslate2 has no such option,
    so the comparison runs on copies without it.
    """
    out = tmp_path_factory.mktemp("plain") / folder.name
    shutil.copytree(folder, out)
    config = out / "generation_config.json"
    data = json.loads(config.read_text())
    data.pop("exponential_decay_length_penalty", None)
    config.write_text(json.dumps(data))
    return out


@pytest.mark.parametrize("fixture", ARCHITECTURES)
def test_float32_conversion_decodes_as_transformers(fixture, request, tmp_path_factory, ct2_root):
    folder = _without_length_decay(request.getfixturevalue(fixture), tmp_path_factory)
    spec = _spec(folder)
    hf = get_backend("hf")(spec, device="cpu")
    ct2 = get_backend("ct2")(spec, device="cpu", cache_root=ct2_root, quantization="float32")
    directions = [("ru", "zh")] + ([("zh", "ru")] if "zh-ru" in spec.directions else [])
    for source, target in directions:
        texts = RU_SENTENCES if source == "ru" else ZH_SENTENCES
        expected = hf.translate(texts, source=source, target=target, beams=1, max_length=SHORT)
        got = ct2.translate(texts, source=source, target=target, beams=1, max_length=SHORT)
        assert got == expected, (fixture, source, target)
        # Beam search: identical too, except (1) on the tiny NLLB, whose random weights leave beams so
        # close that the two engines' float arithmetic ranks them differently, and (2) on Marian, whose
        # beams all run to the length limit here, where transformers forces and scores an end-of-sentence
        # token (forced_eos_token_id) and CTranslate2 stops without one; greedy output is identical for both
        expected = hf.translate(texts, source=source, target=target, beams=4, max_length=SHORT)
        got = ct2.translate(texts, source=source, target=target, beams=4, max_length=SHORT)
        if fixture in ("tiny_t5", "tiny_m2m100"):
            assert got == expected, (fixture, source, target)
        assert all(got)


def test_int8_is_the_default_on_cpu_and_outputs_are_text(tiny_m2m100, ct2_root):
    backend = get_backend("ct2")(_spec(tiny_m2m100), cache_root=ct2_root)
    assert backend.device == "cpu" and backend.quantization == "int8"
    out = backend.translate(["", *ZH_SENTENCES[:2], "   "], source="zh", target="ru", beams=2, max_length=SHORT)
    assert out[0] == "" and out[-1] == "" and all(out[1:3])
    assert not any("__" in t for t in out)  # language tokens never reach the text
    assert backend.signature.startswith("ct2:")


def test_conversion_is_cached_by_revision_and_quantisation(tiny_t5, tmp_path, monkeypatch):
    from subtrans.mt.backends import ct2

    first = get_backend("ct2")(_spec(tiny_t5), cache_root=tmp_path)
    assert first.converted.parent == tmp_path
    assert first.revision in first.converted.name and "int8" in first.converted.name
    assert [p.name for p in tmp_path.iterdir()] == [first.converted.name]  # no temporary folder left
    calls = []
    monkeypatch.setattr(ct2, "convert", lambda *a, **k: calls.append(a))
    again = get_backend("ct2")(_spec(tiny_t5), cache_root=tmp_path)
    assert calls == [] and again.converted == first.converted
    monkeypatch.undo()
    other = get_backend("ct2")(_spec(tiny_t5), cache_root=tmp_path, quantization="float32")
    assert other.converted != first.converted and (other.converted / "model.bin").is_file()


def test_failed_conversion_leaves_nothing_and_says_so(tiny_t5, tmp_path, monkeypatch):
    import ctranslate2.converters

    def boom(self, output_dir, **kwargs):
        (__import__("pathlib").Path(output_dir) / "model.bin").write_bytes(b"half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(ctranslate2.converters.TransformersConverter, "convert", boom)
    with pytest.raises(ModelError) as caught:
        get_backend("ct2")(_spec(tiny_t5), cache_root=tmp_path)
    assert "disk full" in str(caught.value) and "--backend hf" in caught.value.hint
    assert list(tmp_path.iterdir()) == []


def test_bad_device_is_one_error(tiny_t5, ct2_root):
    import ctranslate2

    with pytest.raises(ModelError) as caught:
        get_backend("ct2")(_spec(tiny_t5), cache_root=ct2_root, device="tpu")
    assert "--device" in caught.value.hint
    missing = f"cuda:{ctranslate2.get_cuda_device_count()}"  # one past the last GPU (cuda:0 on a CPU machine)
    with pytest.raises(ModelError) as caught:
        get_backend("ct2")(_spec(tiny_t5), cache_root=ct2_root / "gpu", device=missing)
    assert "--device cpu" in caught.value.hint and not (ct2_root / "gpu").exists()  # nothing converted


# --------------------------------------------------------------------------- glossary terms


@pytest.fixture(scope="module")
def term_backends(tmp_path_factory, ct2_root):
    models = build_term_models(tmp_path_factory.mktemp("term-models"))
    return {name: get_backend("ct2")(_spec(folder), cache_root=ct2_root) for name, folder in models.items()}


@pytest.mark.parametrize("beams", [1, 4])
@pytest.mark.parametrize("model,source,target", [(m, s, t) for m, dirs in TERM_MODELS.items() for s, t in dirs])
def test_every_term_appears(term_backends, model, source, target, beams):
    backend = term_backends[model]
    cases = TEST_SET[(source, target)]
    texts, terms = [c[0] for c in cases], [c[1] for c in cases]
    out = backend.translate(texts, source=source, target=target, beams=beams, max_length=SHORT, constraints=terms)
    assert len(out) == len(terms) and all(out)
    for text, row, labels in zip(out, terms, backend.last_enforcement):
        # Russian: as whole words (no letters glued on), the way a lemma-based check reads it
        assert missing_terms(text, row, whole_words=(target == "ru")) == [], (text, row, labels)
        assert len(labels) == len(row) and set(labels) <= set(MECHANISMS) - {"skipped", "constrained"}


def test_terms_are_mostly_placed_by_the_model(term_backends):
    """Repair by prefix, not the string-level last resort, places nearly every term."""
    labels = []
    for model, dirs in TERM_MODELS.items():
        for source, target in dirs:
            cases = TEST_SET[(source, target)]
            term_backends[model].translate([c[0] for c in cases], source=source, target=target, beams=1,
                                           max_length=SHORT, constraints=[c[1] for c in cases])
            labels += [label for row in term_backends[model].last_enforcement for label in row]
    assert labels and labels.count("appended") / len(labels) <= 0.1, labels


def test_unconstrained_rows_are_untouched(term_backends):
    backend = term_backends["m2m100"]
    texts = [c[0] for c in TEST_SET[("zh", "ru")][:3]]
    plain = backend.translate(texts, source="zh", target="ru", beams=1, max_length=SHORT)
    terms = [TEST_SET[("zh", "ru")][0][1], None, []]
    out = backend.translate(texts, source="zh", target="ru", beams=1, max_length=SHORT, constraints=terms)
    assert out[1:] == plain[1:] and backend.last_enforcement[1:] == [[], []]


# --------------------------------------------------------------------------- candidates


@pytest.mark.parametrize("source,target,model", [("ru", "zh", "t5"), ("zh", "ru", "m2m100")])
def test_candidates_contract(term_backends, source, target, model):
    backend = term_backends[model]
    cases = TEST_SET[(source, target)][:4]
    texts, terms = [c[0] for c in cases] + [""], [c[1] for c in cases] + [[]]
    best = backend.translate(texts, source=source, target=target, beams=2, max_length=SHORT, constraints=terms)
    lists = backend.candidates(texts, source=source, target=target, n=4, beams=2, max_length=SHORT,
                               constraints=terms)
    assert len(lists) == len(texts) and lists[-1] == []
    for options, row, one in zip(lists, terms, best):
        if not row:
            continue
        assert 1 <= len(options) <= 4
        assert len({c.text for c in options}) == len(options)
        assert [c.score for c in options] == sorted((c.score for c in options), reverse=True)
        assert one in [c.text for c in options]  # fitting can never do worse than not fitting
        for c in options:
            assert missing_terms(c.text, row, whole_words=(target == "ru")) == []
            assert len(c.terms) == len(row)


# --------------------------------------------------------------------------- choosing the backend


def test_auto_takes_ct2_when_installed_and_says_why(monkeypatch):
    from subtrans.mt.backends import base

    assert choose_backend("auto")[0] == "ct2" and "installed" in choose_backend("auto")[1]
    monkeypatch.setattr(base, "ct2_installed", lambda: False)
    name, note = choose_backend("auto")
    assert name == "hf" and "subtrans-ruzh[fast]" in note
    with pytest.raises(ModelError):
        choose_backend("ct2")
    assert choose_backend("hf") == ("hf", "hf")


# --------------------------------------------------------------------------- the library, both backends


@pytest.mark.parametrize("backend", ["hf", "ct2"])
def test_library_translator_behaves_the_same_on_both_backends(backend, tiny_m2m100, tmp_path):
    """Translator(backend=...) on the Chinese example with the film's glossary: same cues and timings,
    every glossary term in the translation, the same report fields, the backend named."""
    from pathlib import Path

    import subtrans
    from subtrans.translating import Translator

    root = Path(__file__).parent.parent
    source = subtrans.load(root / "examples" / "red-silk.zh.srt")
    with Translator(str(tiny_m2m100), backend=backend, beams=1, max_length=24, cache=tmp_path / "tm.sqlite3",
                    glossaries=[root / "glossaries" / "operation-red-silk.tsv"]) as tr:
        result = tr.translate(source, to="ru")
    assert [(c.start, c.end) for c in result.track.cues] == [(c.start, c.end) for c in source.cues]
    assert result.backend == backend and f"backend:{backend}" in result.signature
    assert result.terms and {t["how"] for t in result.terms} <= {"free", "constrained", "repaired", "appended"}
    assert not [w for w in result.warnings if "glossary term" in w]
