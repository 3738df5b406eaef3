"""Translation speed, hf (transformers) vs ct2 (CTranslate2): ``python bench/translate.py [--quick]``.

Random-weight models of the catalogued defaults' real size, built on the spot
(nothing is downloaded):

- ``opus-mt-base``: MarianMT, d_model 512, 6+6 layers, 8 heads, ffn 2048,
  32,000-entry vocabulary (the geometry of Helsinki-NLP opus-mt models);
- ``t5-small``: T5, d_model 512, 6+6 layers, 8 heads, d_ff 2048, d_kv 64,
  32,128-entry vocabulary (the geometry of the catalog's default,
  utrobinmv/t5_translate_en_ru_zh_small_1024).

Both engines decode the *same token ids* with the output length fixed
(``min == max``, ``--length`` tokens; random weights would otherwise stop
anywhere), greedy and beam 4, batch 1, 16 and 64. ``hf`` is the model in
float32 under ``torch.inference_mode``, as ``HFBackend`` runs it on CPU;
``ct2`` is the conversion ``CT2Backend`` makes (int8 on CPU; int8_float16 on
CUDA, T5 int8_float32), run as the backend runs it (on CPU, one worker per
core with one thread each, a batch split between the workers). Tokenisation is left out: both backends share the
same tokenizer code. Runs alternate (hf, ct2, hf ...) and each figure is the
best of ``--repeats``: a ratio from the same run on the same machine, which
is what the README quotes.

Options: ``--quick``, ``--threads N`` (torch and CTranslate2 threads; default:
all cores), ``--length N`` (default 16), ``--repeats N`` (default 2),
``--device cpu|cuda``, ``--models opus-mt-base,t5-small``, ``--json PATH``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))
from machine import cpu_name  # noqa: E402

T5_SMALL = dict(d_model=512, d_kv=64, d_ff=2048, num_layers=6, num_decoder_layers=6, num_heads=8, vocab=32128)


def build_t5_small(root: Path) -> Path:
    """A random-weight T5 of t5-small geometry; its SentencePiece model is small (trained here on the test
    corpus), the model's vocabulary full size (the embeddings and output projection cost what they do)."""
    import torch
    from transformers import T5Config, T5ForConditionalGeneration, T5Tokenizer

    import sentencepiece
    import test_constraints as cases

    root.mkdir(parents=True, exist_ok=True)
    corpus = root / "corpus.txt"  # the glossary test set's strings too, so that its terms can be spelled
    corpus.write_text("\n".join(cases.tiny_corpus() + cases.glossary_lines() * 3) + "\n", encoding="utf-8")
    sentencepiece.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(root / "spm"), model_type="unigram", vocab_size=1000,
        character_coverage=1.0, hard_vocab_limit=False, num_threads=1, minloglevel=2, pad_id=0, eos_id=1, unk_id=2,
        bos_id=-1)
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "spm.model", src / "spiece.model")
    tokenizer = T5Tokenizer.from_pretrained(src, extra_ids=0)
    torch.manual_seed(0)
    geometry = {k: v for k, v in T5_SMALL.items() if k != "vocab"}
    config = T5Config(vocab_size=T5_SMALL["vocab"], pad_token_id=tokenizer.pad_token_id,
                      eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=tokenizer.pad_token_id,
                      **geometry)
    model = T5ForConditionalGeneration(config).eval()
    out = root / "t5-small"
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def build(name: str, root: Path) -> tuple[Path, str, str]:
    """(model folder, source, target) of a benchmark model."""
    if name == "opus-mt-base":
        from constraints import build_opus_base

        return build_opus_base(root / name), "zh", "ru"
    if name == "t5-small":
        return build_t5_small(root / name), "ru", "zh"
    raise SystemExit(f"unknown model {name!r}: opus-mt-base or t5-small")


def sentences(source: str, count: int) -> list[str]:
    import tiny_models

    pool = tiny_models.RU_SENTENCES if source == "ru" else tiny_models.ZH_SENTENCES
    corpus = [line for line in tiny_models.tiny_corpus(lines=400) if (line[:1] >= "\u4e00") == (source == "zh")]
    texts = list(pool) + corpus
    return [texts[i % len(texts)] for i in range(count)]


class Engines:
    """One model on both engines, fed the same ids."""

    def __init__(self, folder: Path, source: str, target: str, device: str, cache: Path) -> None:
        from subtrans.mt.backends import get_backend
        from subtrans.mt.catalog import resolve_model

        spec = resolve_model(str(folder), None, None)
        self.hf = get_backend("hf")(spec, device=device)
        self.ct2 = get_backend("ct2")(spec, device=device, cache_root=cache)
        self.source, self.target = source, target

    def encode(self, texts: list[str]) -> tuple[list[list[int]], list[str]]:
        """Source ids per text (as both backends build them), and the target prefix tokens."""
        backend = self.ct2
        src, tgt = backend.direction(self.source, self.target)
        batch, forced = backend.prepare_inputs(texts, src, tgt)
        ids = backend.tokenizer(batch, truncation=True, max_length=64)["input_ids"]
        prefix = backend.tokenizer.convert_ids_to_tokens([forced]) if forced is not None else []
        return ids, prefix

    def run_hf(self, ids: list[list[int]], beams: int, length: int) -> None:
        import torch

        hf = self.hf
        pad = hf.tokenizer.pad_token_id
        width = max(len(r) for r in ids)
        input_ids = torch.tensor([r + [pad] * (width - len(r)) for r in ids], device=hf.model.device)
        mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in ids], device=hf.model.device)
        with torch.inference_mode():
            out = hf.model.generate(input_ids=input_ids, attention_mask=mask, num_beams=beams, do_sample=False,
                                    min_new_tokens=length, max_new_tokens=length)
        assert out.shape[1] >= length, out.shape

    def run_ct2(self, ids: list[list[int]], prefix: list[str], beams: int, length: int) -> None:
        tok = self.ct2.tokenizer
        sources = [tok.convert_ids_to_tokens(r) for r in ids]
        lead = len(prefix)
        out = self.ct2.translator.translate_batch(
            sources, target_prefix=[list(prefix) for _ in sources] if prefix else None, beam_size=beams,
            min_decoding_length=length + lead, max_decoding_length=length + lead, max_input_length=0,
            max_batch_size=self.ct2.split(len(sources)))  # as CT2Backend runs a batch: split between workers
        assert all(len(r.hypotheses[0]) == length + lead for r in out), [len(r.hypotheses[0]) for r in out]


class FixedLength:
    """Stands in for a ``ctranslate2.Translator``: every decode runs to its ``max_decoding_length``."""

    def __init__(self, translator) -> None:
        self.translator = translator

    def translate_batch(self, *args, **kwargs):
        kwargs["min_decoding_length"] = kwargs.get("max_decoding_length", 256)
        return self.translator.translate_batch(*args, **kwargs)

    def score_batch(self, *args, **kwargs):
        return self.translator.score_batch(*args, **kwargs)


def terms_cost(engines: Engines, batch: int, beams: int, length: int, repeats: int) -> dict:
    """ct2 with glossary terms (repair by prefix) against ct2 without, same sentences, fixed length."""
    import test_constraints as cases

    pool = cases.TEST_SET[(engines.source, engines.target)]
    chosen = [pool[i % len(pool)] for i in range(batch)]
    texts, terms = [c[0] for c in chosen], [c[1] for c in chosen]
    backend = engines.ct2
    kw = dict(source=engines.source, target=engines.target, beams=beams, max_length=length)
    real, backend.translator = backend.translator, FixedLength(backend.translator)
    try:
        backend.translate(texts, constraints=terms, **kw)  # warm up, spell the terms once
        plain = constrained = float("inf")
        for _ in range(repeats):
            plain = min(plain, timed(lambda: backend.translate(texts, **kw)))
            constrained = min(constrained, timed(lambda: backend.translate(texts, constraints=terms, **kw)))
        how: dict[str, int] = {}
        for row in backend.last_enforcement:
            for label in row:
                how[label] = how.get(label, 0) + 1
    finally:
        backend.translator = real
    return dict(batch=batch, beams=beams, plain_s=plain, constrained_s=constrained, ratio=constrained / plain,
                mechanisms=how)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(engines: Engines, texts: list[str], batch: int, beams: int, length: int, repeats: int) -> dict:
    ids, prefix = engines.encode(texts)
    chunks = [ids[i:i + batch] for i in range(0, len(ids), batch)]
    engines.run_hf(chunks[0], beams, 2)  # warm up both
    engines.run_ct2(chunks[0], prefix, beams, 2)
    best = {"hf": float("inf"), "ct2": float("inf")}
    for _ in range(repeats):
        best["hf"] = min(best["hf"], timed(lambda: [engines.run_hf(c, beams, length) for c in chunks]))
        best["ct2"] = min(best["ct2"], timed(lambda: [engines.run_ct2(c, prefix, beams, length) for c in chunks]))
    n = len(texts)
    return dict(sentences=n, hf_per_s=n / best["hf"], ct2_per_s=n / best["ct2"], ratio=best["hf"] / best["ct2"])


def machine(threads: int, device: str) -> dict:
    import ctranslate2
    import torch
    import transformers

    cpu = cpu_name()
    gpu = torch.cuda.get_device_name(0) if device == "cuda" and torch.cuda.is_available() else None
    return dict(cpu=cpu, cores=os.cpu_count(), threads=threads, gpu=gpu, python=platform.python_version(),
                torch=torch.__version__, transformers=transformers.__version__, ctranslate2=ctranslate2.__version__,
                load_average_at_start=os.getloadavg()[0] if hasattr(os, "getloadavg") else None)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="batch 1 and 16 only, fewer sentences")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--length", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--models", default="opus-mt-base,t5-small")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    warnings.filterwarnings("ignore")
    batches = [1, 16] if args.quick else [1, 16, 64]
    rows, term_rows = [], []
    info = machine(args.threads, args.device)
    with tempfile.TemporaryDirectory(prefix="subtrans-bench-") as tmp:
        for name in args.models.split(","):
            folder, source, target = build(name, Path(tmp) / "models")
            engines = Engines(folder, source, target, args.device, Path(tmp) / "ct2")
            for beams in (1, 4):
                for batch in batches:
                    count = max(batch, 4 if args.quick else 8) if batch == 1 else batch * (1 if batch >= 64 else 2)
                    if args.quick:
                        count = batch if batch > 1 else 4
                    row = measure(engines, sentences(source, count), batch, beams, args.length, args.repeats)
                    row.update(model=name, decoding="greedy" if beams == 1 else f"beam {beams}", batch=batch)
                    rows.append(row)
                    print(f"  {name:13} {row['decoding']:7} batch {batch:3}: hf {row['hf_per_s']:7.1f}/s  "
                          f"ct2 {row['ct2_per_s']:7.1f}/s  x{row['ratio']:.2f}", file=sys.stderr, flush=True)
                cost = terms_cost(engines, 16, beams, args.length, args.repeats)
                cost.update(model=name)
                term_rows.append(cost)
                print(f"  {name:13} ct2 terms, batch 16, beams {beams}: x{cost['ratio']:.2f} {cost['mechanisms']}",
                      file=sys.stderr, flush=True)
            del engines
    where = info["gpu"] or f"{info['cpu']}, {info['threads']} threads"
    print(f"\nTranslation speed, sentences/s, output fixed at {args.length} tokens ({where}; "
          f"torch {info['torch']}, transformers {info['transformers']}, ctranslate2 {info['ctranslate2']}; "
          f"load average at start {info['load_average_at_start']:.2f})\n")
    print("| model | decoding | batch | hf (fp32) | ct2 (int8) | ct2 / hf |")
    print("|---|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['model']} | {r['decoding']} | {r['batch']} | {r['hf_per_s']:.1f} | {r['ct2_per_s']:.1f} | "
              f"{r['ratio']:.2f}x |")
    print("\nGlossary terms on ct2 (repair by prefix), batch 16: time with terms / time without. Random weights "
          "never write a term themselves, so every term is repaired: the worst case.\n")
    print("| model | decoding | without terms (s) | with terms (s) | ratio | mechanisms |")
    print("|---|---|---:|---:|---:|---|")
    for r in term_rows:
        print(f"| {r['model']} | {'greedy' if r['beams'] == 1 else 'beam ' + str(r['beams'])} | {r['plain_s']:.2f} | "
              f"{r['constrained_s']:.2f} | {r['ratio']:.2f}x | "
              + ", ".join(f"{k} {v}" for k, v in sorted(r['mechanisms'].items())) + " |")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "length": args.length, "rows": rows, "terms": term_rows},
                                        indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
