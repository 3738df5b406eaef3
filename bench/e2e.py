"""End to end: ``subtrans translate`` with ``--backend hf`` and ``--backend ct2``, against the engine alone.
``python bench/e2e.py [--quick] [--src PATH]``.

What a user waits for is the whole command: start-up, reading, the memory, tokenising, decoding, layout
and the check. This runs the command in a fresh process on an SRT of ``--sentences`` distinct sentences
(each cue one sentence unit), with an empty translation memory, ``--no-fit`` and ``--beams 4``, on a
random-weight model of the real size (``t5-small`` geometry, Russian to Chinese; the CTranslate2
conversion is made once beforehand, as a user's first run does), at ``--lengths`` output tokens (random
weights never stop early: ``--max-length`` fixes the length). Alongside, in another fresh process, the
engine alone decodes the same sentences in the same batches (the backend loaded first, not timed): the
command's time beyond it is the time spent outside the decoder. The command reports its peak resident
memory (``VmHWM``: its own, not its parent's) and whether torch was imported.

``--src PATH`` runs another checkout's ``src`` (a "before" tree), so that before and after are measured
in one run on one machine. Figures: best of ``--repeats``, runs taking turns.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))
from machine import describe  # noqa: E402

COMMAND = r"""
import json, sys, time
t0 = time.perf_counter()
from subtrans.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM:")]   # this process's own peak
print(json.dumps({"wall": time.perf_counter() - t0, "rss_mb": int(hwm[0].split()[1]) / 1024 if hwm else 0,
                  "torch": "torch" in sys.modules}))
"""

ENGINE = r"""
import json, sys, time
from subtrans.mt.backends import get_backend
from subtrans.mt.catalog import resolve_model
folder, backend, source, target, beams, length, batch, texts_file = sys.argv[1:9]
texts = sorted(json.loads(open(texts_file, encoding="utf-8").read()), key=len)   # as the memory sorts them
spec = resolve_model(folder, None, None)
engine = get_backend(backend)(spec, device="cpu")
batches = [(texts[k:k + int(batch)], None) for k in range(0, len(texts), int(batch))]
t0 = time.perf_counter()
run = getattr(engine, "translate_batches", None)
if run is not None:
    for _ in run(batches, source=source, target=target, beams=int(beams), max_length=int(length)):
        pass
else:
    for b, _ in batches:
        engine.translate(b, source=source, target=target, beams=int(beams), max_length=int(length))
print(json.dumps({"engine": time.perf_counter() - t0}))
"""


def distinct_sentences(count: int) -> list[str]:
    import tiny_models

    pool = [ln for ln in tiny_models.tiny_corpus(lines=6 * count) if "а" <= ln[:1].lower() <= "я"
            and ln.endswith((".", "!", "?"))]
    texts = list(dict.fromkeys(tiny_models.RU_SENTENCES + pool))
    if len(texts) < count:
        raise SystemExit(f"only {len(texts)} distinct sentences")
    return texts[:count]


def srt(texts: list[str]) -> str:
    out = []
    for n, text in enumerate(texts, 1):
        start = n * 3000
        out.append(f"{n}\n00:{start // 60000 % 60:02d}:{start // 1000 % 60:02d},000 --> "
                   f"00:{start // 60000 % 60:02d}:{start // 1000 % 60 + 2:02d},500\n{text}\n")
    return "\n".join(out)


def child(code: str, args: list[str], env: dict) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                          timeout=3600)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--quick", action="store_true", help="60 sentences, 16 tokens, one repeat")
    ap.add_argument("--sentences", type=int, default=300)
    ap.add_argument("--lengths", default="16,32")
    ap.add_argument("--beams", type=int, default=4)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--src", type=Path, default=HERE.parent / "src", help="the src folder to run [this checkout's]")
    ap.add_argument("--label", default="", help="a name for this tree in the output")
    ap.add_argument("--skip-hf-engine", action="store_true",
                    help="time transformers' engine alone only end to end (the slowest part of the run)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    if args.quick:
        args.sentences, args.lengths, args.repeats = 60, "16", 1
    lengths = [int(x) for x in args.lengths.split(",")]

    from translate import build   # bench/translate.py: the random-weight models of the real size

    rows = []
    with tempfile.TemporaryDirectory(prefix="subtrans-e2e-") as tmp:
        work = Path(tmp)
        folder, source, target = build("t5-small", work / "models")
        texts = distinct_sentences(args.sentences)
        film = work / "film.ru.srt"
        film.write_text(srt(texts), encoding="utf-8")
        (work / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(args.src.resolve()), "HF_HUB_OFFLINE": "1",
               "SUBTRANS_CACHE_DIR": str(work / "cache"), "PYTHONPYCACHEPREFIX": str(work / "pycache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)

        def command(backend: str, length: int) -> dict:
            for name in ("tm.sqlite3", "tm.sqlite3-wal", "tm.sqlite3-shm"):   # an empty memory each run
                (work / "cache" / name).unlink(missing_ok=True)
            out = work / f"out.{backend}.zh.srt"
            out.unlink(missing_ok=True)
            return child(COMMAND, ["translate", str(film), "--to", "zh", "--model", str(folder), "-o", str(out),
                                   "--backend", backend, "--beams", str(args.beams), "--max-length", str(length),
                                   "--batch-size", str(args.batch_size), "--no-fit", "--no-names", "-q"], env)

        command("ct2", 4)        # converts the model once, as a user's first run does (not timed)
        command("hf", 4)         # bytecode written
        for length in lengths:
            best: dict[str, dict] = {}
            for _ in range(args.repeats):
                for backend in ("hf", "ct2"):
                    r = command(backend, length)
                    if backend not in best or r["wall"] < best[backend]["wall"]:
                        best[backend] = r
                    if backend == "hf" and args.skip_hf_engine:
                        best["hf_engine"] = {"engine": float("nan")}
                        continue
                    e = child(ENGINE, [str(folder), backend, source, target, str(args.beams), str(length),
                                       str(args.batch_size), str(work / "texts.json")], env)
                    key = backend + "_engine"
                    if key not in best or e["engine"] < best[key]["engine"]:
                        best[key] = e
            hf, ct2 = best["hf"], best["ct2"]
            row = {"length": length, "hf_wall": hf["wall"], "ct2_wall": ct2["wall"],
                   "ratio": hf["wall"] / ct2["wall"], "hf_engine": best["hf_engine"]["engine"],
                   "ct2_engine": best["ct2_engine"]["engine"],
                   "engine_ratio": best["hf_engine"]["engine"] / best["ct2_engine"]["engine"],
                   "ct2_outside": (ct2["wall"] - best["ct2_engine"]["engine"]) / ct2["wall"],
                   "hf_rss_mb": hf["rss_mb"], "ct2_rss_mb": ct2["rss_mb"], "ct2_imports_torch": ct2["torch"]}
            rows.append(row)
            print(f"{length} tokens: {json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()})}",
                  file=sys.stderr, flush=True)
        shutil.rmtree(work / "cache", ignore_errors=True)

    label = f" ({args.label})" if args.label else ""
    print(f"# subtrans translate end to end{label}, {time.strftime('%Y-%m-%d')}")
    print(f"machine: {describe()}; t5-small geometry, random weights; {args.sentences} distinct Russian sentences; "
          f"beam {args.beams}; batch {args.batch_size}; --no-fit; empty memory; best of {args.repeats}")
    print()
    print("| output tokens | hf end to end | ct2 end to end | ratio | hf engine | ct2 engine | engine ratio "
          "| ct2 outside the decoder | peak RSS hf | peak RSS ct2 | ct2 imports torch |")
    print("|" + "---:|" * 11)
    for r in rows:
        print(f"| {r['length']} | {r['hf_wall']:.2f} s | {r['ct2_wall']:.2f} s | {r['ratio']:.2f}x | {r['hf_engine']:.2f} s "
              f"| {r['ct2_engine']:.2f} s | {r['engine_ratio']:.2f}x | {r['ct2_outside']:.0%} | {r['hf_rss_mb']:.0f} MB "
              f"| {r['ct2_rss_mb']:.0f} MB | {'yes' if r['ct2_imports_torch'] else 'no'} |")
    if args.json:
        args.json.write_text(json.dumps({"machine": describe(), "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
