"""What enforcing terms costs, and how it fails: ``python bench/constraints.py [--quick]``.

Two parts, one run:

1. **Cost**: the same batch translated by ``HFBackend.translate`` without and
   with ``constraints`` (1-3 terms per sentence, from the test set in
   ``tests/test_constraints.py``), at a *fixed output length* (``generate``
   is wrapped so that ``min_new_tokens == max_new_tokens``: random weights
   would otherwise stop at different points), greedy and beam 4, batch 1 and
   16, on tiny random models and on a random-weight Marian of opus-mt-base
   geometry (d_model 512, 6+6 layers, 8 heads, ffn 2048, 32k vocabulary).
   Runs alternate (plain, constrained, plain ...); the figure is the ratio of
   the fastest of each, plus the share of the constrained time spent inside
   the logits processor (measured directly: robust to a busy machine).
2. **Failure modes**: the test set (both directions, every term-aware tiny
   model, greedy and beam 4), unconstrained length limit, for several
   settings: which mechanism placed each term, how often a term sits at the
   very end (right before the final punctuation: where the last-resort path
   and a "model wants to stop" trigger put it), how often it occurs twice, and
   how much longer the outputs get. ``--model PATH`` adds a real model folder
   to both parts: on trained weights the failure-mode figures mean what they
   say (a synonym of the term left in the output counts as "twice").

Random weights make the *costs* real (fixed-length decoding costs the same
whatever the weights say) and the *failure-mode figures* mechanical: they
show what the machinery does to a model that has no idea where a term
belongs, not what a trained model would do. See docs/constraints.md.

Options: ``--quick`` (a short run), ``--threads N`` (torch threads; default 1,
the most stable figures on a shared machine), ``--length N`` (fixed output
length), ``--repeats N``, ``--json PATH`` (write the figures), ``--model PATH``
(repeatable), ``--no-big``.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE.parent / "src"))
from machine import cpu_name  # noqa: E402

import test_constraints as tcases  # noqa: E402  (the test set and the term-aware tiny models)

OPUS_BASE = dict(d_model=512, encoder_layers=6, decoder_layers=6, encoder_attention_heads=8,
                 decoder_attention_heads=8, encoder_ffn_dim=2048, decoder_ffn_dim=2048, vocab=32000)


# --------------------------------------------------------------------------- models


def build_opus_base(root: Path) -> Path:
    """A random-weight MarianMTModel (zh -> ru) of opus-mt-base geometry, saved like a Hub folder.

    Its SentencePiece model is trained on the tiny corpus plus the glossary
    lines; vocab.json is padded with filler pieces to 32,000 entries so that
    the embeddings and the output projection have the real size.
    """
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    root.mkdir(parents=True, exist_ok=True)
    corpus = root / "corpus.txt"
    corpus.write_text("\n".join(tcases.tiny_corpus() + tcases.glossary_lines() * 3) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(root / "spm"), model_type="unigram",
                                   vocab_size=1000, character_coverage=1.0, hard_vocab_limit=False,
                                   num_threads=1, minloglevel=2, pad_id=0, eos_id=1, unk_id=2, bos_id=-1)
    sp = spm.SentencePieceProcessor(model_file=str(root / "spm.model"))
    size = OPUS_BASE["vocab"]
    vocab = {"</s>": 0, "<unk>": 1}
    for i in range(sp.get_piece_size()):
        piece = sp.id_to_piece(i)
        if piece not in ("<pad>", "<unk>", "</s>"):
            vocab.setdefault(piece, len(vocab))
    n = 0
    while len(vocab) < size - 1:
        vocab[f"<filler{n}>"] = len(vocab)
        n += 1
    vocab["<pad>"] = size - 1
    src = root / "src"
    src.mkdir(exist_ok=True)
    (src / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    shutil.copy(root / "spm.model", src / "source.spm")
    shutil.copy(root / "spm.model", src / "target.spm")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tok = MarianTokenizer(source_spm=str(src / "source.spm"), target_spm=str(src / "target.spm"),
                              vocab=str(src / "vocab.json"), source_lang="zh", target_lang="ru")
    torch.manual_seed(0)
    geometry = {k: v for k, v in OPUS_BASE.items() if k != "vocab"}
    config = MarianConfig(vocab_size=size, decoder_vocab_size=size, max_position_embeddings=512,
                          pad_token_id=size - 1, eos_token_id=0, decoder_start_token_id=size - 1,
                          forced_eos_token_id=0, share_encoder_decoder_embeddings=True, **geometry)
    model = MarianMTModel(config).eval()
    out = root / "opus-base-zh-ru"
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


def load_backend(folder: Path):
    from subtrans.mt.backends import get_backend
    from subtrans.mt.catalog import resolve_model

    return get_backend("hf")(resolve_model(str(folder), None, None), device="cpu")


@contextlib.contextmanager
def fixed_length(backend):
    """Make every ``generate`` call of ``backend`` produce exactly ``max_new_tokens`` tokens."""
    model = backend.model
    original = model.generate

    def generate(*args, **kwargs):
        kwargs["min_new_tokens"] = kwargs.get("max_new_tokens")
        return original(*args, **kwargs)

    model.generate = generate
    try:
        yield
    finally:
        del model.generate


@contextlib.contextmanager
def processor_clock():
    """Accumulate the time spent inside TermLogitsProcessor.__call__."""
    from subtrans.mt.constraints import TermLogitsProcessor

    spent = [0.0]
    original = TermLogitsProcessor.__call__

    def timed(self, input_ids, scores):
        t0 = time.perf_counter()
        try:
            return original(self, input_ids, scores)
        finally:
            spent[0] += time.perf_counter() - t0

    TermLogitsProcessor.__call__ = timed
    try:
        yield spent
    finally:
        TermLogitsProcessor.__call__ = original


# --------------------------------------------------------------------------- part 1: cost


def time_pair(backend, texts, terms, source, target, beams, length, repeats):
    """(plain seconds, constrained seconds, processor seconds, mechanisms, runs): the fastest of at
    least ``repeats`` alternating runs of each kind."""
    kw = dict(source=source, target=target, beams=beams, max_length=length)
    plain, constrained, inside = [], [], []
    with fixed_length(backend), processor_clock() as spent:
        backend.translate(texts, **kw)  # warm up (and spell the terms once: the speller caches)
        backend.translate(texts, constraints=terms, **kw)
        began = time.perf_counter()
        # at least ``repeats`` of each; quick pairs (tiny models) repeat for 3 s, up to 30 times
        while len(plain) < repeats or (time.perf_counter() - began < 3.0 and len(plain) < 30):
            t0 = time.perf_counter()
            backend.translate(texts, **kw)
            plain.append(time.perf_counter() - t0)
            spent[0] = 0.0
            t0 = time.perf_counter()
            backend.translate(texts, constraints=terms, **kw)
            constrained.append(time.perf_counter() - t0)
            inside.append(spent[0])
    how = collections.Counter(label for row in backend.last_enforcement for label in row)
    return min(plain), min(constrained), statistics.median(inside), how, len(plain)


def cost(models: dict, args) -> list[dict]:
    rows = []
    for name, (backend, source, target, length) in models.items():
        cases = tcases.TEST_SET[(source, target)]
        for batch in args.batches:
            for beams in args.beams:
                chosen = [cases[i % len(cases)] for i in range(batch)]
                texts = [c[0] for c in chosen]
                terms = [c[1] for c in chosen]
                p, c, inside, how, runs = time_pair(backend, texts, terms, source, target, beams, length,
                                                    args.repeats)
                row = dict(model=name, direction=f"{source}-{target}", batch=batch, beams=beams, length=length,
                           runs=runs, plain_s=round(p, 4), constrained_s=round(c, 4), ratio=round(c / p, 3),
                           processor_share=round(inside / c, 3), mechanisms=dict(how))
                rows.append(row)
                print(f"  {name:<16} {source}-{target} batch {batch:>2} beams {beams}  plain {p:7.3f}s  "
                      f"constrained {c:7.3f}s  ratio {c / p:5.2f}  in processor {100 * inside / c:4.1f}%  "
                      f"({runs} runs) {dict(how)}", flush=True)
    return rows


# --------------------------------------------------------------------------- part 2: failure modes


def _at_end(text: str, term) -> bool:
    tail = text.rstrip().rstrip(".!?…。！？」』”»\"' ")
    return any(tail.endswith(a) or tail.casefold().endswith(a.casefold()) for a in term)


def failure_modes(backends: dict, settings: dict, beams_list, max_length: int) -> list[dict]:
    from subtrans.mt.constraints import count_occurrences, missing_terms

    rows = []
    plain_cache: dict = {}
    for label, options in settings.items():
        how = collections.Counter()
        n = present = at_end = twice = 0
        chars_plain = chars_constrained = 0
        spent = 0.0
        for name, (backend, directions) in backends.items():
            saved = backend.constraint_options
            backend.constraint_options = options
            try:
                for source, target in directions:
                    cases = tcases.TEST_SET[(source, target)]
                    texts = [c[0] for c in cases]
                    terms = [c[1] for c in cases]
                    for beams in beams_list:
                        key = (name, source, target, beams)
                        if key not in plain_cache:
                            plain_cache[key] = backend.translate(texts, source=source, target=target, beams=beams,
                                                                 max_length=max_length)
                        t1 = time.perf_counter()
                        out = backend.translate(texts, source=source, target=target, beams=beams,
                                                max_length=max_length, constraints=terms)
                        spent += time.perf_counter() - t1
                        for p, o, row, labels in zip(plain_cache[key], out, terms, backend.last_enforcement):
                            chars_plain += len(p)
                            chars_constrained += len(o)
                            missing = set(missing_terms(o, row))
                            for k, (term, mech) in enumerate(zip(row, labels)):
                                n += 1
                                how[mech] += 1
                                present += k not in missing
                                at_end += _at_end(o, term)
                                synonyms = tcases.SYNONYMS.get(term[0], [])
                                twice += count_occurrences(o, term) > 1 or count_occurrences(o, synonyms) > 0
            finally:
                backend.constraint_options = saved
        row = dict(model="tiny", setting=label, terms=n, enforced=round(present / n, 4), mechanisms=dict(how),
                   at_end=round(at_end / n, 3), appended=round(how["appended"] / n, 3), twice=round(twice / n, 3),
                   length_ratio=round(chars_constrained / max(1, chars_plain), 3),
                   seconds=round(spent, 2))
        rows.append(row)
        print(f"  {label:<28} terms {n:>4}  enforced {100 * present / n:5.1f}%  at end {100 * row['at_end']:5.1f}%  "
              f"appended {100 * row['appended']:4.1f}%  twice {100 * row['twice']:4.1f}%  "
              f"length x{row['length_ratio']:.2f}  {row['seconds']:5.2f}s  {dict(how)}", flush=True)
    return rows


# --------------------------------------------------------------------------- main


def machine(threads: int) -> dict:
    import torch
    import transformers

    cpu = cpu_name()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return dict(cpu=cpu, cores=os.cpu_count(), torch_threads=threads, python=platform.python_version(),
                torch=torch.__version__, transformers=transformers.__version__, platform=platform.platform(),
                load_average_at_start=load)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (about a minute)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--length", type=int, default=None, help="fixed output length (default 32; quick 12)")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs of each kind (default 5; quick 1)")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--no-big", action="store_true", help="skip the opus-mt-base sized model")
    parser.add_argument("--model", action="append", type=Path, default=[], metavar="PATH",
                        help="also measure a real model folder (config.json, tokenizer, weights); repeatable")
    args = parser.parse_args(argv)
    args.length = args.length or (12 if args.quick else 32)
    args.repeats = args.repeats or (1 if args.quick else 5)
    args.batches = [1, 16]
    args.beams = [1, 4]

    import torch
    from transformers.utils import logging as hf_logging

    from subtrans.mt.catalog import supports
    from subtrans.mt.constraints import ConstraintOptions

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    torch.set_num_threads(args.threads)
    info = machine(args.threads)
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="subtrans-bench-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        folders = tcases.build_term_models(root / "tiny")
        tiny = {name: load_backend(folder) for name, folder in folders.items()}
        big = None
        if not args.no_big:
            big = load_backend(build_opus_base(root / "big"))
        print(f"models built in {time.perf_counter() - t0:.1f}s", flush=True)

        print(f"\n1. cost: output length fixed at {args.length}, fastest of alternating runs "
              f"(ratio = constrained / plain)", flush=True)
        timed = {"tiny-m2m100": (tiny["m2m100"], "zh", "ru", args.length),
                 "tiny-t5": (tiny["t5"], "ru", "zh", args.length)}
        if args.quick:
            timed.pop("tiny-t5")
        if big is not None:
            timed["opus-base-marian"] = (big, "zh", "ru", args.length)
        real = {}
        for folder in args.model:
            backend = load_backend(folder)
            dirs = [d for d in tcases.TEST_SET if supports(backend.spec, *d)]
            if not dirs:
                print(f"{folder}: translates none of {', '.join('-'.join(d) for d in tcases.TEST_SET)}; skipped")
                continue
            real[folder.name] = (backend, dirs)
            timed[folder.name] = (backend, *dirs[0], args.length)
        if args.quick:
            args.batches, args.beams = [16], [1, 4]
        cost_rows = cost(timed, args)

        print("\n2. failure modes on the test set (term-aware tiny models, both directions)", flush=True)
        directions = {name: (tiny[name], dirs) for name, dirs in tcases.TERM_MODELS.items()}
        settings = {"default (bias 2, penalty 2)": ConstraintOptions()}
        if not args.quick:
            settings.update({
                "no repeat penalty": ConstraintOptions(repeat_penalty=0.0),
                "bias 0": ConstraintOptions(bias=0.0),
                "bias 5": ConstraintOptions(bias=5.0),
                "repair only (no processor)": ConstraintOptions(processor=False),
            })
        beams = [1] if args.quick else [1, 4]
        modes = failure_modes(directions, settings, beams, max_length=24)
        for name, (backend, dirs) in real.items():
            print(f"   {name} ({', '.join('-'.join(d) for d in dirs)})", flush=True)
            for row in failure_modes({name: (backend, dirs)}, settings, beams, max_length=backend.spec.max_length):
                modes.append(dict(row, model=name))
    total = time.perf_counter() - started
    print(f"\ntotal {total:.0f}s", flush=True)
    if args.json:
        args.json.write_text(json.dumps(dict(machine=info, length=args.length, repeats=args.repeats, cost=cost_rows,
                                             failure_modes=modes, seconds=round(total, 1)), indent=2,
                                        ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
