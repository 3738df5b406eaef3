"""Start-up cost of ``subtrans check``: ``python bench/startup.py [--quick]``.

Times, as the wall time of a fresh process (the best of ``--repeats`` runs,
the commands taking turns, so that a busy machine slows a run, not a command):

- ``python -c "pass"``: the interpreter and ``site`` alone;
- ``python -c "import pysrt"``: the reference of issue 5;
- ``subtrans --version``;
- ``subtrans check examples/red-silk.ru.srt`` (24 cues): the goal is at most
  4 times the reference.

The commands run with their bytecode cached in a temporary folder
(``PYTHONPYCACHEPREFIX``), as after ``pip install``, even where
PYTHONDONTWRITEBYTECODE is set; where it is set (and the tree has no
``__pycache__``), the check and the reference are also timed as they run
there, compiled from source, on a second line.

Then ``python -X importtime`` of the check (a third as many runs, each
module's smallest figure): the modules and packages that cost the most. And
the check's ``sys.modules`` must hold none of the heavy packages (torch,
transformers, ctranslate2, ray, jieba, opencc, pymorphy3, sentencepiece,
huggingface_hub, numpy, charset_normalizer, pysrt): the script fails if it does.

Options: ``--quick`` (8 runs instead of 30: about 5 seconds; the full run
takes about 20), ``--repeats N``, ``--top N`` (modules listed), ``--json PATH``
(write the figures).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from machine import describe  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "red-silk.ru.srt"
# Never on the path of `subtrans check` of an SRT file (checked from sys.modules, not importtime).
HEAVY = ("torch", "transformers", "ctranslate2", "ray", "jieba", "opencc", "pymorphy3", "sentencepiece",
         "huggingface_hub", "charset_normalizer", "pysrt", "numpy")


def _subtrans() -> list[str]:
    """The console script when installed next to this Python, else ``python -m subtrans.cli``."""
    script = Path(sys.executable).with_name("subtrans")
    return [str(script)] if script.exists() else [sys.executable, "-m", "subtrans.cli"]


def commands() -> dict[str, list[str]]:
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import pysrt'": [sys.executable, "-c", "import pysrt"],
        "subtrans --version": _subtrans() + ["--version"],
        "subtrans check (24 cues)": _subtrans() + ["check", str(EXAMPLE)],
    }


def child_env(pycache: Path | None) -> dict:
    """The environment of the measured commands. With ``pycache``: bytecode cached
    there (outside the tree), as after ``pip install``, even where
    PYTHONDONTWRITEBYTECODE is set. Without: this environment as it is."""
    env = dict(os.environ)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def best_times(cmds: dict[str, list[str]], repeats: int, env: dict) -> dict[str, float]:
    best = {name: float("inf") for name in cmds}
    for cmd in cmds.values():  # warm-up: bytecode written, files in the page cache
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env)
    for _ in range(repeats):
        for name, cmd in cmds.items():
            t0 = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env)
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


_IMPORTTIME = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")


def import_profile(repeats: int, env: dict) -> dict[str, tuple[int, int, int]]:
    """module -> (self µs, cumulative µs, depth), the smallest of ``repeats`` runs of -X importtime."""
    cmd = [sys.executable, "-X", "importtime"] + (
        ["-m", "subtrans.cli"] if not Path(sys.executable).with_name("subtrans").exists()
        else [str(Path(sys.executable).with_name("subtrans"))]) + ["check", str(EXAMPLE)]
    found: dict[str, tuple[int, int, int]] = {}
    for _ in range(repeats):
        err = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env).stderr
        for m in _IMPORTTIME.finditer(err):
            own, cum, depth = int(m.group(1)), int(m.group(2)), len(m.group(3)) // 2
            name = m.group(4)
            if name not in found or own < found[name][0]:
                found[name] = (own, min(cum, found.get(name, (0, cum))[1]), depth)
    return found


def heavy_imports() -> list[str]:
    code = (
        "import sys\n"
        "from subtrans.cli import main\n"
        f"sys.argv = ['subtrans', 'check', {str(EXAMPLE)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    return ast.literal_eval(out.stdout.strip().splitlines()[-1])  # the list the child printed


def _group(name: str) -> str:
    top = name.split(".")[0]
    if top == "subtrans":
        return ".".join(name.split(".")[:2]) if name.count(".") else name
    return top


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--quick", action="store_true", help="8 runs per figure instead of 30")
    ap.add_argument("--repeats", type=int, help="runs per figure; the best is kept")
    ap.add_argument("--top", type=int, default=15, help="modules to list [15]")
    ap.add_argument("--json", type=Path, help="write the figures to this file")
    args = ap.parse_args(argv)
    repeats = args.repeats or (8 if args.quick else 30)

    heavy = heavy_imports()
    with tempfile.TemporaryDirectory(prefix="subtrans-startup-") as tmp:
        env = child_env(Path(tmp) / "pycache")
        times = best_times(commands(), repeats, env)
        profile = import_profile(max(3, repeats // 3), env)
    uncached = None
    if os.environ.get("PYTHONDONTWRITEBYTECODE") and not (ROOT / "src" / "subtrans" / "__pycache__").exists():
        pair = {k: v for k, v in commands().items() if "pysrt" in k or "check" in k}
        uncached = best_times(pair, repeats, child_env(None))

    ref = times["python -c 'import pysrt'"]
    print(f"# subtrans start-up, {time.strftime('%Y-%m-%d')}")
    print(f"machine: {describe()}; best of {repeats} runs of each command, bytecode cached")
    print()
    print("| command | wall time | / import pysrt |")
    print("|---|---:|---:|")
    for name, t in times.items():
        print(f"| `{name}` | {t * 1000:.0f} ms | {t / ref:.2f}x |")
    check = times["subtrans check (24 cues)"]
    print()
    print(f"check / import pysrt = {check / ref:.2f} (goal <= 4)")
    if uncached:
        u_ref, u_check = uncached["python -c 'import pysrt'"], uncached["subtrans check (24 cues)"]
        print(f"without bytecode for subtrans (PYTHONDONTWRITEBYTECODE=1 and no __pycache__, as here): "
              f"check {u_check * 1000:.0f} ms / import pysrt {u_ref * 1000:.0f} ms = {u_check / u_ref:.2f}")

    by_group: dict[str, int] = {}
    for name, (own, _, _) in profile.items():
        by_group[_group(name)] = by_group.get(_group(name), 0) + own
    total = sum(own for own, _, _ in profile.values())
    print()
    print(f"Imports of the check, -X importtime (smallest of {max(3, repeats // 3)} runs; "
          f"sum of own times {total / 1000:.1f} ms; importtime itself inflates them):")
    print()
    print("| package | own time |   | module | own time |")
    print("|---|---:|---|---|---:|")
    groups = sorted(by_group.items(), key=lambda kv: -kv[1])[:args.top]
    modules = sorted(profile.items(), key=lambda kv: -kv[1][0])[:args.top]
    for (g, gt), (m, (own, _, _)) in zip(groups, modules):
        print(f"| {g} | {gt / 1000:.1f} ms | | {m} | {own / 1000:.1f} ms |")
    print()
    print(f"heavy packages imported by the check: {heavy or 'none'}")
    if args.json:
        args.json.write_text(json.dumps({
            "machine": describe(), "repeats": repeats, "times_s": times, "ratio": check / ref,
            "uncached_s": uncached, "imports_us": {k: v[0] for k, v in profile.items()}, "heavy": heavy,
        }, indent=2) + "\n")
    assert not heavy, f"subtrans check imported {heavy}"
    return 0


if __name__ == "__main__":
    sys.exit(main())
