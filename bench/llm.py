"""Translation LLMs, hf (transformers) vs ct2 (CTranslate2): ``python bench/llm.py [--families ...]``.

Random-weight models of the real geometry of the smallest model of each family (nothing is downloaded),
with the family's prompt around real subtitle lines (the example film), a fixed output length
(``--length`` new tokens, default 20: a subtitle line; random weights would stop anywhere) and greedy
decoding, in batches of ``--batch`` (default 8) left-padded as the backends do. ``hf`` is
:class:`~subtrans.mt.backends.causal.HFCausalBackend`'s way (float32 on CPU, the KV cache, decoding
only the continuation); ``ct2`` is :class:`~subtrans.mt.backends.ct2_causal.CT2CausalBackend`'s (the
conversion in int8 on CPU, ``generate_batch`` with the prompt as start tokens, one worker per core).
The figure per engine is sentences per second over ``--sentences`` sentences (default 16), and what a
1,500-cue film would take at that rate (one sentence per cue: the film's units are about as many).

Geometries (config.json values of the published models as their cards give them; the tokenizer is
the tests' small BPE padded with placeholder tokens to the real vocabulary size, so embeddings and
the output projection cost what they do):

- ``hunyuan`` (Hy-MT2 / HY-MT1.5 1.8B): hidden 2048, 32 layers, 16 heads, 4 KV heads, head 128, FFN 6144,
  vocabulary 120,818; ``hf`` only (CTranslate2 has no HunYuan loader);
- ``qwen3`` (Qwen3-1.7B): hidden 2048, 28 layers, 16 heads, 8 KV heads, head 128, FFN 6144, vocabulary 151,936;
- ``gemma3`` (TranslateGemma 4B, text part): hidden 2560, 34 layers, 8 heads, 4 KV heads, head 256,
  FFN 10,240, vocabulary 262,208, sliding window 1024;
- ``mistral`` (Seed-X 7B): hidden 4096, 32 layers, 32 heads, 8 KV heads, FFN 14,336, vocabulary 65,269;
  float32 needs 28 GB, so ``hf`` runs it only where the machine has the memory (``ct2`` int8: about 7 GB).

Options: ``--families hunyuan,qwen3,gemma3,mistral``, ``--engines hf,ct2``, ``--length``, ``--batch``,
``--sentences``, ``--threads``, ``--json PATH``. Each model is built, measured and deleted in turn
(a 4B model in float32 is 16 GB in memory and on disk).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))
from machine import describe  # noqa: E402

GEOMETRY = {
    "hunyuan": dict(hidden_size=2048, num_hidden_layers=32, num_attention_heads=16, num_key_value_heads=4,
                    head_dim=128, intermediate_size=6144, vocab_size=120818),
    "qwen3": dict(hidden_size=2048, num_hidden_layers=28, num_attention_heads=16, num_key_value_heads=8,
                  head_dim=128, intermediate_size=6144, vocab_size=151936),
    "gemma3": dict(hidden_size=2560, num_hidden_layers=34, num_attention_heads=8, num_key_value_heads=4,
                   head_dim=256, intermediate_size=10240, vocab_size=262208, sliding_window=1024,
                   query_pre_attn_scalar=256),
    "mistral": dict(hidden_size=4096, num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8,
                    intermediate_size=14336, vocab_size=65269),
}
PROMPT = {"hunyuan": "hy-mt", "qwen3": "qwen3", "gemma3": "translategemma", "mistral": "seed-x"}
NAME = {"hunyuan": "Hy-MT2 1.8B", "qwen3": "Qwen3 1.7B", "gemma3": "TranslateGemma 4B", "mistral": "Seed-X 7B"}


def build(family: str, root: Path) -> Path:
    import torch
    import transformers

    from tiny_llms import train_bpe_tokenizer

    torch.manual_seed(0)
    tok = train_bpe_tokenizer(family)
    geometry = dict(GEOMETRY[family])
    tok.add_tokens([f"<placeholder_{i}>" for i in range(geometry["vocab_size"] - len(tok))])
    common = dict(max_position_embeddings=4096, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
                  bos_token_id=tok.bos_token_id, tie_word_embeddings=True, **geometry)
    cls, config = {
        "hunyuan": (transformers.HunYuanDenseV1ForCausalLM, transformers.HunYuanDenseV1Config),
        "qwen3": (transformers.Qwen3ForCausalLM, transformers.Qwen3Config),
        "gemma3": (transformers.Gemma3ForCausalLM, transformers.Gemma3TextConfig),
        "mistral": (transformers.MistralForCausalLM, transformers.MistralConfig),
    }[family]
    # the 7B in bfloat16 (float32 would not fit 24 GB); the others in float32, as hf runs them on a CPU
    dtype = torch.bfloat16 if family == "mistral" else torch.float32
    model = cls._from_config(config(**common), dtype=dtype).eval()
    folder = root / family
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    del model
    gc.collect()
    return folder


def sentences(n: int) -> list[str]:
    import subtrans

    lines = [c.text.replace("\n", " ") for c in subtrans.load(HERE.parent / "examples" / "red-silk.ru.srt").cues]
    return (lines * (n // len(lines) + 1))[:n]


def run_hf(folder: Path, family: str, texts: list[str], length: int, batch: int) -> float:
    import torch

    from subtrans.mt.catalog import resolve_model
    from subtrans.mt.backends.causal import HFCausalBackend

    spec = resolve_model(str(folder), "ru", "zh")
    backend = HFCausalBackend(spec, device="cpu")
    prompts = [backend._prompt(t, "ru", "zh", []) for t in texts]
    special = family == "mistral"
    start = time.perf_counter()
    for k in range(0, len(prompts), batch):
        enc = backend.tokenizer(prompts[k:k + batch], return_tensors="pt", padding=True, add_special_tokens=special)
        with torch.inference_mode():
            backend.model.generate(**enc, max_new_tokens=length, min_new_tokens=length, do_sample=False,
                                   pad_token_id=backend.pad_id)
    took = time.perf_counter() - start
    del backend
    gc.collect()
    return len(texts) / took


def run_ct2(folder: Path, family: str, texts: list[str], length: int, batch: int, root: Path) -> float:
    from subtrans.mt.catalog import resolve_model
    from subtrans.mt.backends.ct2_causal import CT2CausalBackend

    spec = resolve_model(str(folder), "ru", "zh")
    backend = CT2CausalBackend(spec, device="cpu", cache_root=root / "ct2")
    special = family == "mistral"
    tok = backend.tokenizer
    starts = [tok.convert_ids_to_tokens(tok(backend._prompt(t, "ru", "zh", []), add_special_tokens=special)["input_ids"])
              for t in texts]
    start = time.perf_counter()
    for k in range(0, len(starts), batch):
        backend.generator.generate_batch(starts[k:k + batch], max_length=length, min_length=length,
                                         include_prompt_in_result=False, end_token=[],
                                         max_batch_size=-(-len(starts[k:k + batch]) // backend.workers)
                                         if backend.workers > 1 else 0)
    took = time.perf_counter() - start
    del backend
    gc.collect()
    return len(texts) / took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", default="hunyuan,qwen3,gemma3,mistral")
    parser.add_argument("--engines", default="hf,ct2")
    parser.add_argument("--length", type=int, default=20)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--sentences", type=int, default=16)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--json")
    args = parser.parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    print(f"# {describe()}, {memory:.0f} GiB; {args.sentences} sentences, {args.length} new tokens each, "
          f"batch {args.batch}, greedy", flush=True)
    texts = sentences(args.sentences)
    results = []
    for family in args.families.split(","):
        root = Path(tempfile.mkdtemp(prefix=f"bench-llm-{family}-"))
        try:
            t0 = time.perf_counter()
            folder = build(family, root)
            print(f"{NAME[family]}: built in {time.perf_counter() - t0:.0f} s", flush=True)
            for engine in args.engines.split(","):
                if engine == "ct2" and family == "hunyuan":
                    continue
                if engine == "hf" and family == "mistral" and memory < 34:
                    print(f"  hf: skipped (float32 needs about 28 GB; this machine has {memory:.0f})", flush=True)
                    continue
                t0 = time.perf_counter()
                rate = run_hf(folder, family, texts, args.length, args.batch) if engine == "hf" else \
                    run_ct2(folder, family, texts, args.length, args.batch, root)
                film = 1500 / rate
                print(f"  {engine}: {rate:.2f} sentences/s; a 1,500-cue film: {film / 60:.0f} min "
                      f"({time.perf_counter() - t0:.0f} s with loading)", flush=True)
                results.append(dict(family=family, model=NAME[family], engine=engine, sentences_per_s=rate,
                                    film_minutes=film / 60))
        finally:
            shutil.rmtree(root, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(dict(machine=describe(), length=args.length, batch=args.batch,
                                                   results=results), indent=1) + "\n")


if __name__ == "__main__":
    main()
