"""Files per minute: ``subtrans batch translate`` against a sequential loop over ``subtrans translate``.

    python bench/batch.py                       # 24 generated files of 40 cues, a tiny random-weight T5
    python bench/batch.py --files 48 --cues 80 --model t5-small --actors 2 --json figures.json

The same generated Russian SRT files (deterministic; different lines in each
file, so nothing is shared between files) are translated into Chinese three
ways, one run each, with ``--no-cache`` so that every run translates
everything:

1. **CLI loop**: ``subtrans translate FILE --to zh -o OUT/FILE`` once per file,
   one after the other: the shell loop a team writes first (one process, one
   model load per file);
2. **CLI folder**: one ``subtrans translate IN --output-dir OUT`` (one process,
   one model load, files one after the other);
3. **batch**: one ``subtrans batch translate IN --output-dir OUT`` on a local
   Ray this command starts (``--num-cpus``, default all), Ray's start-up and
   shutdown included.

The outputs of the three must be the same bytes (checked). Prints a markdown
table (files, wall time, files per minute, ratio to the CLI loop) and the
machine; ``--json PATH`` writes the figures. Without ``--model`` a tiny
random-weight T5 is built on the spot (``tests/tiny_models.py``): the figures
then measure the pipeline (start-up, model loads, reading, layout, QA,
scheduling) rather than the model; with a real model (``--model t5-small``,
downloaded once with ``subtrans models download t5-small``) they measure a
real job. Needs the ``mt`` and ``scale`` extras.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import tiny_models  # noqa: E402  (the tiny models and their corpus)
from machine import cpu_name  # noqa: E402

WORDS = tiny_models.RU_WORDS


def _stamp(ms: int) -> str:
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def make_files(folder: Path, files: int, cues: int, seed: int = 0) -> list[Path]:
    """``files`` Russian SRT files of ``cues`` cues (one sentence each), in two season folders."""
    rng = random.Random(seed)
    paths = []
    for n in range(files):
        blocks = []
        for k in range(cues):
            words = [rng.choice(WORDS) for _ in range(rng.randint(3, 8))]
            text = " ".join(words).capitalize() + rng.choice([".", "!", "?", "."])
            start = k * 3000 + 200
            blocks.append(f"{k + 1}\n{_stamp(start)} --> {_stamp(start + 2400)}\n{text}\n")
        path = folder / f"s{n % 2 + 1:02d}" / f"e{n + 1:03d}.ru.srt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(blocks), encoding="utf-8")
        paths.append(path)
    return paths


def _run(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stdout}{done.stderr}")
    return wall


def _outputs(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.zh.srt"))}


def _machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "date": datetime.date.today().isoformat()}
    if hasattr(os, "getloadavg"):   # other work on the machine skews every figure: say how busy it was
        info["load_average_1m"] = round(os.getloadavg()[0], 2)
    info["cpu"] = cpu_name()
    try:
        import torch

        info["torch"] = torch.__version__
        info["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except ImportError:
        pass
    try:
        import ray

        info["ray"] = ray.__version__
    except ImportError:
        pass
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=24)
    ap.add_argument("--cues", type=int, default=40)
    ap.add_argument("--model", help="catalog name, Hub id or folder [a tiny random-weight T5 built now]")
    ap.add_argument("--actors", type=int, help="translation actors [subtrans batch's default]")
    ap.add_argument("--cpus-per-actor", type=float, help="CPUs reserved per actor [1]")
    ap.add_argument("--num-cpus", type=int, help="CPUs of the local Ray [all]")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--no-loop", action="store_true", help="skip the per-file CLI loop (long with a real model)")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args()

    subtrans = shutil.which("subtrans") or str(Path(sys.executable).with_name("subtrans"))
    work = Path(tempfile.mkdtemp(prefix="subtrans-bench-batch-"))
    try:
        model = args.model
        options = []
        if model is None:
            from tiny_models import build_t5, train_spm

            model = str(build_t5(work / "tiny-t5", train_spm(work / "spm")))
            options = ["--beams", "1", "--max-length", "24"]   # random weights never stop early
        options += ["--no-cache", "--batch-size", str(args.batch_size), "--model", model]
        inputs = make_files(work / "in", args.files, args.cues)
        env = dict(os.environ, SUBTRANS_CACHE_DIR=str(work / "cache"))   # the ct2 conversion is kept there
        # Warm-up: the ct2 conversion (made once per model, kept) and the file system caches.
        _run([subtrans, "translate", str(inputs[0]), "--to", "zh", "-o", str(work / "warm.zh.srt"), *options], env)

        rows = []
        if not args.no_loop:
            start = time.perf_counter()
            for path in inputs:
                out = work / "loop" / path.relative_to(work / "in").with_name(path.name.replace(".ru.", ".zh."))
                out.parent.mkdir(parents=True, exist_ok=True)
                _run([subtrans, "translate", str(path), "--to", "zh", "-o", str(out), *options], env)
            rows.append(("CLI loop (one process per file)", time.perf_counter() - start, work / "loop"))
        wall = _run([subtrans, "translate", str(work / "in"), "--to", "zh", "--output-dir", str(work / "folder"),
                     *options], env)
        rows.append(("CLI folder (one process)", wall, work / "folder"))
        batch = [subtrans, "batch", "translate", str(work / "in"), "--to", "zh", "--output-dir", str(work / "batch"),
                 *options]
        batch += ["--actors", str(args.actors)] if args.actors else []
        batch += ["--num-cpus", str(args.num_cpus)] if args.num_cpus else []
        batch += ["--cpus-per-actor", str(args.cpus_per_actor)] if args.cpus_per_actor else []
        wall = _run(batch, env)
        summary = json.loads((work / "batch" / "subtrans-batch.json").read_text(encoding="utf-8"))
        n = summary["run"]["actors"]
        rows.append((f"batch ({n} actor{'' if n == 1 else 's'}, Ray start-up included)", wall, work / "batch"))

        reference = _outputs(rows[-1][2])
        same = all(_outputs(folder) == reference for _, _, folder in rows)
        if len(reference) != args.files or not same:
            sys.exit(f"outputs differ or are missing: {len(reference)} of {args.files}, same bytes: {same}")
        base = rows[0][1]
        first = rows[0][0].split(" (")[0]
        machine = _machine()
        print(f"{args.files} files x {args.cues} cues, model {args.model or 'tiny random-weight T5'}, "
              f"batch size {args.batch_size}; outputs identical: {same}")
        print(f"machine: {machine.get('cpu')}, {machine['cpus']} CPUs, {', '.join(machine.get('gpus') or ['no GPU'])}; "
              f"Python {machine['python']}, torch {machine.get('torch')}, Ray {machine.get('ray')}; {machine['date']}"
              + (f"; load average at the end {machine['load_average_1m']}" if "load_average_1m" in machine else ""))
        print()
        print(f"| how | files | wall s | files/min | vs {first} |")
        print("|---|---:|---:|---:|---:|")
        for name, wall, _ in rows:
            print(f"| {name} | {args.files} | {wall:.1f} | {args.files / wall * 60:.1f} | {base / wall:.2f}x |")
        if args.json:
            args.json.write_text(json.dumps({
                "files": args.files, "cues": args.cues, "model": args.model or "tiny-random-t5",
                "batch_size": args.batch_size, "actors": summary["run"]["actors"], "machine": machine,
                "runs": [{"how": name, "wall_s": round(wall, 2), "files_per_min": round(args.files / wall * 60, 2)}
                         for name, wall, _ in rows]}, indent=2) + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
