"""What fitting translations to the screen buys and costs: ``python bench/fit.py [--quick]``.

The same input translated twice by the same loaded model, with ``fit=False``
and with ``fit=True`` (the defaults: 4 candidates, margin 0.5), one run each,
no translation memory: the share of cues within the target profile's
reading speed and within its line limits (line length and number of lines),
the sentence units over a limit and those given another candidate, and the
time spent decoding (in the backend's ``translate`` and ``candidates``) and
in all (``Translator.translate``: decoding, layout, fitting). A third run
puts every unit over the limit (a reading speed of 0.01 characters a
second): the decoding time when every sentence needs alternatives, the
upper bound of what fitting costs.

Inputs: ``examples/red-silk.ru.srt`` (to zh) and ``examples/red-silk.zh.srt``
(to ru), and a file built to overflow in each direction (24 short sentences
on cues of 1.0 to 6.2 s for Russian, 0.5 to 3.1 s for Chinese, 2 s apart). Models, built on the spot with random weights
(nothing is downloaded): the tiny T5, M2M100 and Marian of the test suite,
and (unless ``--quick``) a Marian of opus-mt-base geometry (zh -> ru only,
so it runs on the Chinese inputs). The tiny models' generation config pushes
end-of-sentence after a few tokens, so their outputs vary in length as a
trained model's do; CTranslate2 cannot apply that push, so on ``ct2`` they
write to the length cap, as the opus-base one does on both engines (its
figures are the time of full-length decoding). Engines: ``hf``, and ``ct2``
when its backend is there.

Random weights make the *time* real and the *shares* mechanical: they show
that fitting finds and picks shorter hypotheses when a model offers them,
not how often a trained model does. ``--model PATH`` adds a model folder
(both examples, the directions it translates). See docs/fit.md.

Options: ``--quick`` (tiny models only), ``--threads N`` (torch threads,
default 1), ``--max-length N`` (output tokens, default 24), ``--json PATH``,
``--model PATH`` (repeatable), ``--engine hf|ct2`` (repeatable; default both).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))
from machine import cpu_name  # noqa: E402

EXAMPLES = ROOT / "examples"
OVERFLOW_LINES = {
    "ru": ["Привет, как дела?", "Я люблю читать книги.", "Завтра будет дождь.", "Где мой брат?",
           "Мы едем в город завтра утром.", "Где моя сестра и её книга?", "Он всегда пишет письма другу.",
           "Сегодня очень холодный день.", "Почему ты не ждёшь меня здесь?", "Мать и отец уже знают ответ.",
           "Вечером мы слушаем дождь.", "Это мой новый дом."],
    "zh": ["你好，你怎么样？", "我喜欢看书。", "明天会下雨。", "我的哥哥在哪里？", "我们明天早上去城市。",
           "我的姐姐和她的书在哪里？", "他总是给朋友写信。", "今天很冷。", "你为什么不在这里等我？",
           "妈妈和爸爸已经知道回答。", "晚上我们听雨。", "这是我的新家。"],
}


def overflow_srt(path: Path, language: str, cues: int = 24) -> Path:
    """Short sentences on cues too short for most translations, 2 s apart: 1.0 to 6.2 s for Russian
    (into Chinese, 9 characters a second), 0.5 to 3.1 s for Chinese (into Russian, 17)."""
    lines, base = OVERFLOW_LINES[language], (1000 if language == "ru" else 500)
    blocks, t = [], 1000
    for i in range(cues):
        end = t + round(base * 1.18 ** (i % 12))
        blocks.append(f"{i + 1}\n{_ts(t)} --> {_ts(end)}\n{lines[i % len(lines)]}\n")
        t = end + 2000
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


def _ts(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


# --------------------------------------------------------------------------- models


def build_models(root: Path, quick: bool) -> list[tuple[str, Path, list[tuple[str, str]]]]:
    """(name, folder, directions) of the random-weight models."""
    import tiny_models as tm

    uni = tm.train_spm(root / "spm-uni", model_type="unigram")
    bpe = tm.train_spm(root / "spm-bpe", model_type="bpe", bos_id=0, pad_id=1, eos_id=2, unk_id=3)
    models = [
        ("tiny-t5", tm.build_t5(root / "tiny-t5", uni), [("ru", "zh"), ("zh", "ru")]),
        ("tiny-m2m100", tm.build_m2m100(root / "tiny-m2m100", bpe), [("ru", "zh"), ("zh", "ru")]),
        ("tiny-marian", tm.build_marian(root / "tiny-marian", uni), [("ru", "zh")]),
    ]
    if not quick:
        models.append(("opus-base-marian", build_opus_base(root / "opus-base"), [("zh", "ru")]))
    return models


def build_opus_base(root: Path) -> Path:
    """bench/constraints.py's random Marian of opus-mt-base geometry (zh -> ru). Without the tiny
    models' end-of-sentence push its outputs run to the length cap: what it gives is the time of
    full-length decoding, the shares say nothing."""
    sys.path.insert(0, str(HERE))
    import constraints as bc  # noqa: E402  (the sibling benchmark)

    return bc.build_opus_base(root)


class Timed:
    """A loaded backend whose ``translate`` and ``candidates`` calls are timed."""

    def __init__(self, backend) -> None:
        self.inner, self.seconds = backend, 0.0
        self.name, self.spec = backend.name, backend.spec

    @property
    def revision(self) -> str:
        return self.inner.revision

    @property
    def last_enforcement(self):
        return getattr(self.inner, "last_enforcement", None)

    def translate(self, texts, *, source, target, beams=1, max_length=None, constraints=None):
        t0 = time.perf_counter()
        try:
            return self.inner.translate(texts, source=source, target=target, beams=beams, max_length=max_length,
                                        constraints=constraints)
        finally:
            self.seconds += time.perf_counter() - t0

    def candidates(self, texts, *, source, target, n=4, beams=1, max_length=None, constraints=None):
        t0 = time.perf_counter()
        try:
            return self.inner.candidates(texts, source=source, target=target, n=n, beams=beams,
                                         max_length=max_length, constraints=constraints)
        finally:
            self.seconds += time.perf_counter() - t0


# --------------------------------------------------------------------------- runs


def measure(backend, track, target: str, source: str, max_length: int) -> dict:
    """One run without fitting and one with, on the same loaded backend; no translation memory."""
    from subtrans.profiles import load_profile
    from subtrans.translating import Translator, target_profile

    profile = load_profile(target_profile(target))
    # The worst case: a reading-speed limit no translation meets puts every unit over it.
    every = profile.with_values({"max_cps": 0.01}, "bench: every unit over the limit")
    row = {}
    for label, fit, prof in (("no-fit", False, profile), ("fit", True, profile), ("fit-all", True, every)):
        timed = Timed(backend)
        with Translator(backend=timed, cache=False, beams=1, max_length=max_length, fit=fit) as tr:
            t0 = time.perf_counter()
            result = tr.translate(track, to=target, source=source, profile=prof)
            total = time.perf_counter() - t0
        f = result.fit
        row[label] = dict(speed=f.share(f.speed_after), lines=f.share(f.lines_after), decoding=timed.seconds,
                          total=total, units_over=f.units_over, refitted=f.units_refitted, decoded=f.decoded)
    row["cues"] = len(track)
    return row


def machine(threads: int) -> dict:
    import torch
    import transformers

    cpu = cpu_name()
    info = dict(cpu=cpu, cores=os.cpu_count(), torch_threads=threads, python=platform.python_version(),
                torch=torch.__version__, transformers=transformers.__version__)
    if importlib.util.find_spec("ctranslate2"):
        import ctranslate2

        info["ctranslate2"] = ctranslate2.__version__
    info["load_average_at_start"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return info


def table(rows: list[dict]) -> str:
    out = ["| model | engine | input | cues | within reading speed (no fit / fit) | within line limits "
           "(no fit / fit) | units over / refitted | decoding (no fit / fit) | in all (no fit / fit) "
           "| decoding, every unit over |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        a, b, c = r["no-fit"], r["fit"], r["fit-all"]
        out.append(f"| {r['model']} | {r['engine']} | {r['input']} | {r['cues']} | "
                   f"{100 * a['speed']:.0f}% / **{100 * b['speed']:.0f}%** | "
                   f"{100 * a['lines']:.0f}% / **{100 * b['lines']:.0f}%** | {b['units_over']} / {b['refitted']} | "
                   f"{a['decoding']:.2f} s / {b['decoding']:.2f} s | {a['total']:.2f} s / {b['total']:.2f} s | "
                   f"{c['decoding']:.2f} s (x{c['decoding'] / max(a['decoding'], 1e-9):.1f}) |")
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny models only")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-length", type=int, default=24)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--model", type=Path, action="append", default=[])
    parser.add_argument("--engine", action="append", choices=["hf", "ct2"])
    args = parser.parse_args(argv)

    import torch

    import subtrans
    from subtrans.mt.backends import get_backend
    from subtrans.mt.catalog import model_languages, resolve_model

    torch.set_num_threads(args.threads)
    engines = args.engine or ["hf"] + (["ct2"] if importlib.util.find_spec("subtrans.mt.backends.ct2") else [])
    info = machine(args.threads)
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    started = time.perf_counter()
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        models = build_models(root / "models", args.quick)
        for path in args.model:
            models.append((path.name, path, [("ru", "zh"), ("zh", "ru")]))
        inputs = {
            ("ru", "red-silk.ru.srt"): subtrans.load(EXAMPLES / "red-silk.ru.srt"),
            ("ru", "overflow.ru (24 cues)"): subtrans.load(overflow_srt(root / "overflow.ru.srt", "ru")),
            ("zh", "red-silk.zh.srt"): subtrans.load(EXAMPLES / "red-silk.zh.srt"),
            ("zh", "overflow.zh (24 cues)"): subtrans.load(overflow_srt(root / "overflow.zh.srt", "zh")),
        }
        for name, folder, directions in models:
            spec = resolve_model(str(folder), None, None)
            for engine in engines:
                backend = get_backend(engine)(spec, device="cpu")
                for (source, label), track in inputs.items():
                    for src, tgt in directions:
                        if src != source or model_languages(spec, src, tgt) is None:
                            continue
                        # warm up (jieba's dictionary, the first call's allocations), then measure
                        measure(backend, subtrans.Track(track.cues[:2]), tgt, src, args.max_length)
                        row = dict(model=name, engine=engine, input=f"{label} -> {tgt}",
                                   **measure(backend, track, tgt, src, args.max_length))
                        rows.append(row)
                        a, b = row["no-fit"], row["fit"]
                        print(f"  {name:<17} {engine:<4} {label:<21} -> {tgt}: within speed "
                              f"{100 * a['speed']:3.0f}% -> {100 * b['speed']:3.0f}%, lines "
                              f"{100 * a['lines']:3.0f}% -> {100 * b['lines']:3.0f}%; decoding "
                              f"{a['decoding']:.2f}s -> {b['decoding']:.2f}s", flush=True)
    print("\n" + table(rows))
    print(f"\nmax length {args.max_length} tokens, greedy translation, 4 candidates, margin 0.5; "
          f"total {time.perf_counter() - started:.0f}s", flush=True)
    if args.json:
        args.json.write_text(json.dumps(dict(machine=info, rows=rows), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
