"""QA throughput: ``subtrans check`` against merely parsing with pysrt. ``python bench/qa.py [--quick]``.

Generates synthetic Russian SRT files (dialogue lines of varying length, one
or two lines per cue, two-person exchanges, realistic timings, and about 8% of
cues given a fault the rules find) in a temporary folder, then measures, for
1,000, 10,000, 50,000 and 200,000 cues:

- ``pysrt.open(path)`` in a fresh interpreter (the reference), and
  ``subtrans check FILE`` in a fresh interpreter, as a user runs it, with the
  report rendered: ``--format text`` to ``/dev/null``, and ``--format json -o FILE``;
- in this process: ``pysrt.open(path)`` and
  :func:`subtrans.checking.run_check` (read, detect, check: no rendering),
  then ``render`` of its report as text and as JSON.

Every figure is the best (fastest) of ``--repeats`` runs, the commands taking
turns, so that a busy machine slows the figures more than the ratios. The
commands run with their bytecode cached (in the temporary folder), as after
``pip install``, even where PYTHONDONTWRITEBYTECODE is set. The goals of
issue 5: ``check`` at most 1.5 times ``pysrt.open`` on 200,000 cues, and time
per cue flat from 1,000 to 200,000 cues (nothing quadratic).

``--formats`` also times ``--format junit``, ``sarif`` and ``html`` written with ``-o`` and gives each
report's size (issue 23: JSON on 100,000 cues with about 170,000 findings, ``--sizes 100000
--fault-rate 1.0``, within 1.5x of ``pysrt.open``; the other formats no slower than JSON; the HTML
page at most 30 MB).

Options: ``--quick`` (1k and 10k cues: about 20 seconds; the full run takes
about 3 minutes on 2 cores), ``--sizes 1000,10000``, ``--repeats N`` [3],
``--fault-rate F`` [0.08], ``--json PATH`` (write the figures), ``--profile N``
(cProfile of check and text report on N cues: the top functions by own time).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
from machine import describe  # noqa: E402

SIZES = (1_000, 10_000, 50_000, 200_000)
QUICK_SIZES = (1_000, 10_000)
EPISODE = 40_000  # cues per restart of the clock (about 45 hours)

# Short dialogue pieces: a cue's text is built from one to four of them.
_PHRASES = (
    "Поезд уходит в полночь", "Кто там", "Свои", "Документы у агента", "Я давно тебя жду",
    "Почему я", "Тебя никто не знает", "Поедешь Сибирским экспрессом", "С тобой будет сопровождающая",
    "Бывший агент царской разведки", "Вы шутите", "ОГПУ не шутит", "Не оборачивайся", "Где пакет",
    "Лично в руки нашему человеку", "Пейте чай и улыбайтесь", "Мы опаздываем", "Это не твоё дело",
    "Граница через два часа", "Проверка документов", "Спокойно", "Он знает больше, чем говорит",
    "Харбин", "Следующая станция Иркутск", "Держи", "Спасибо, товарищ", "Что в чемодане",
    "Никому не говори", "Я вернусь к утру", "Сколько у нас времени", "Тише", "Вагон-ресторан закрыт",
    "Вы ошиблись купе", "Меня зовут Елена Орлова", "Давай, быстрее", "Ты видел его лицо",
)
_ENDS = (".", ".", ".", "?", "!", "…", ",")


def _sentence(rng: random.Random, words: int) -> str:
    parts = [rng.choice(_PHRASES) for _ in range(words)]
    text = ", ".join(p if k == 0 else p[0].lower() + p[1:] for k, p in enumerate(parts))
    return text + rng.choice(_ENDS)


def _timestamp(ms: int) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, frac = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{frac:03d}"


def make_srt(cues: int, *, seed: int = 5, fault_rate: float = 0.08) -> str:
    """A synthetic Russian SRT file; about ``fault_rate`` of its cues carry one fault.

    Faults, in turn: a line over 42 characters, an overlap, a 6-frame gap, a
    double space, three dots, a cue too short, too fast to read, an unclosed
    ``<i>``, three lines. SRT times stop at 99:59:59,999, so the clock
    starts again every ``EPISODE`` cues (a season in one file): each restart
    is one ``out-of-order`` and one ``overlap`` finding.
    """
    rng = random.Random(seed)
    out: list[str] = []
    t = 1_000
    faults = 0
    for n in range(1, cues + 1):
        if n % EPISODE == 0:
            t = 1_000
        fault = rng.random() < fault_rate
        kind = faults % 9 if fault else -1
        faults += fault
        if rng.random() < 0.3:  # a two-person exchange
            text = f"-{_sentence(rng, 1)}\n-{_sentence(rng, 1)}"
        elif rng.random() < 0.5:
            text = _sentence(rng, 1)
        else:
            text = _sentence(rng, 1) + "\n" + _sentence(rng, 1)
        lines = text.split("\n")
        if not fault:  # keep clean cues clean: wrap over-long lines
            lines = [ln if len(ln) <= 42 else ln[:40].rstrip() + "…" for ln in lines]
        elif kind == 0:
            lines = [_sentence(rng, 3)]
        elif kind == 3:
            lines[0] = lines[0].replace(" ", "  ", 1)
        elif kind == 4:
            lines[-1] = lines[-1].rstrip(".?!…,") + "..."
        elif kind == 7:
            lines[0] = "<i>" + lines[0]
        elif kind == 8:
            lines = lines[:2] + ["Стой!"] * (3 - len(lines[:2]))
        text = "\n".join(lines)
        chars = len(text.replace("\n", ""))
        duration = max(1_000, min(6_500, int(chars * 1000 / rng.uniform(9, 15))))
        if kind == 5:
            duration = 600
        elif kind == 6:
            duration = max(1_000, int(chars * 1000 / 22))
        start = t - 200 if kind == 1 else t
        end = start + duration
        out.append(f"{n}\n{_timestamp(start)} --> {_timestamp(end)}\n{text}\n")
        gap = 250 if kind == 2 else rng.choice((83, 83, 500, 750, 1_000, 1_500, 2_500))
        t = end + gap
    return "\n".join(out)


def child_env(pycache: Path) -> dict:
    """The environment of the measured commands: bytecode cached (in ``pycache``,
    outside the tree), as after ``pip install``, even where PYTHONDONTWRITEBYTECODE is set."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def _wall(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t0


def _subtrans_cli() -> list[str]:
    script = Path(sys.executable).with_name("subtrans")
    return [str(script)] if script.exists() else [sys.executable, "-m", "subtrans.cli"]


def _keep_best(best: dict, key: str, seconds: float) -> None:
    best[key] = min(best.get(key, float("inf")), seconds)


def _timed(fn):
    gc.collect()  # the previous run's garbage is not this run's cost
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def measure(path: Path, cues: int, repeats: int, workdir: Path, env: dict, formats: bool = False) -> dict:
    """Best-of-``repeats`` seconds for each way of reading and checking ``path``, runs taking turns."""
    import pysrt

    from subtrans.checking import run_check
    from subtrans.reports import render

    commands = {
        "pysrt": [sys.executable, "-c", f"import pysrt; pysrt.open({str(path)!r})"],
        "cli_text": _subtrans_cli() + ["check", str(path), "--fail-on", "never"],
        "cli_json": _subtrans_cli() + ["check", str(path), "--fail-on", "never", "--format", "json",
                                       "-o", str(workdir / "report.json")],
    }
    if formats:
        for fmt in ("junit", "sarif", "html"):
            commands[f"cli_{fmt}"] = _subtrans_cli() + ["check", str(path), "--fail-on", "never", "--format", fmt,
                                                        "-o", str(workdir / f"report.{fmt}")]
    for cmd in commands.values():  # warm-up: bytecode written, the file in the page cache
        _wall(cmd, env)
    best: dict[str, float] = {}
    report = None
    for _ in range(repeats):
        for key, cmd in commands.items():
            _keep_best(best, key, _wall(cmd, env))
        _keep_best(best, "pysrt_inproc", _timed(lambda: pysrt.open(str(path)))[0])
        report = None
        seconds, report = _timed(lambda: run_check([path], fail_on="never"))
        _keep_best(best, "run_check", seconds)
        for fmt in ("text", "json"):
            _keep_best(best, f"render_{fmt}", _timed(lambda: render(report, fmt))[0])
    sizes = {f"{fmt}_bytes": (workdir / f"report.{fmt}").stat().st_size
             for fmt in ("json", "junit", "sarif", "html") if (workdir / f"report.{fmt}").exists()}
    if formats:   # peak resident memory of the check, as the user runs it (its own VmHWM, not the parent's)
        for fmt in ("json", "html"):
            sizes[f"{fmt}_rss_mb"] = peak_rss(["check", str(path), "--fail-on", "never", "--format", fmt, "-o",
                                               str(workdir / f"rss.{fmt}")], env)
    if formats and (workdir / "report.html").exists():
        opened = open_in_chromium(workdir / "report.html", workdir)
        if opened is not None:
            sizes["html_open_s"] = opened
    return {"cues": cues, "findings": len(report.files[0].findings), "bytes": path.stat().st_size, **sizes, **best}


_PEAK = r"""
import sys
from subtrans.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
finally:
    hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM:")]
    sys.stderr.write("VmHWM %s\n" % (hwm[0].split()[1] if hwm else 0))
"""


def peak_rss(args: list[str], env: dict) -> float:
    """Peak resident memory (MB) of ``subtrans ARGS`` in a fresh process."""
    done = subprocess.run([sys.executable, "-c", _PEAK, *args], capture_output=True, text=True, env=env)
    line = [ln for ln in done.stderr.splitlines() if ln.startswith("VmHWM ")]
    return int(line[-1].split()[1]) / 1024 if line else 0.0


def open_in_chromium(page: Path, workdir: Path) -> float | None:
    """Seconds headless Chromium takes to load ``page`` and run its script (None: no Chromium here)."""
    import shutil

    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("google-chrome")
    if not chromium:
        return None
    t0 = time.perf_counter()
    done = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                           "--no-first-run", f"--user-data-dir={workdir / 'chromium'}", "--window-size=1280,1400",
                           "--dump-dom", page.resolve().as_uri()], capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - t0
    return seconds if "data-ready" in done.stdout[:2000] else None


def profile(path: Path, top: int = 25) -> str:
    import cProfile
    import io
    import pstats

    from subtrans.checking import run_check
    from subtrans.reports import render

    prof = cProfile.Profile()
    prof.enable()
    render(run_check([path], fail_on="never"), "text")
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    return buf.getvalue()


def table(rows: list[dict]) -> str:
    lines = [
        "| cues | findings | `pysrt.open` | `check` (text) | ratio | `check --format json -o` | ratio "
        "| in-process: `pysrt.open` | `run_check` | ratio | µs per cue | render text | render json |",
        "|" + "---:|" * 13,
    ]
    for r in rows:
        lines.append(
            f"| {r['cues']:,} | {r['findings']:,} | {r['pysrt']:.3f} s | {r['cli_text']:.3f} s "
            f"| {r['cli_text'] / r['pysrt']:.2f}x | {r['cli_json']:.3f} s | {r['cli_json'] / r['pysrt']:.2f}x "
            f"| {r['pysrt_inproc']:.3f} s | {r['run_check']:.3f} s | {r['run_check'] / r['pysrt_inproc']:.2f}x "
            f"| {r['run_check'] / r['cues'] * 1e6:.1f} | {r['render_text']:.3f} s | {r['render_json']:.3f} s |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--quick", action="store_true", help="1k and 10k cues, 3 repeats")
    ap.add_argument("--sizes", help="comma-separated cue counts [1000,10000,50000,200000]")
    ap.add_argument("--repeats", type=int, default=3, help="runs per figure, the best is kept [3]")
    ap.add_argument("--fault-rate", type=float, default=0.08, help="share of cues given a fault [0.08]")
    ap.add_argument("--json", type=Path, help="write the figures to this file")
    ap.add_argument("--profile", type=int, metavar="N", help="print a cProfile of check on N cues and stop")
    ap.add_argument("--formats", action="store_true",
                    help="also time check --format junit, sarif and html -o FILE (and give the reports' sizes)")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(QUICK_SIZES if args.quick else SIZES)
    repeats = args.repeats

    with tempfile.TemporaryDirectory(prefix="subtrans-bench-") as tmp:
        work = Path(tmp)
        if args.profile:
            path = work / "profile.srt"
            path.write_text(make_srt(args.profile, fault_rate=args.fault_rate), "utf-8")
            print(profile(path))
            return 0
        env = child_env(work / "pycache")
        rows = []
        for n in sizes:
            path = work / f"bench-{n}.ru.srt"
            path.write_text(make_srt(n, fault_rate=args.fault_rate), "utf-8")
            print(f"{n:,} cues ...", file=sys.stderr, flush=True)
            rows.append(measure(path, n, repeats, work, env, formats=args.formats))
            path.unlink()

    print(f"# subtrans QA throughput, {time.strftime('%Y-%m-%d')}")
    print(f"machine: {describe()}; best of {repeats} runs; {args.fault_rate:.0%} of cues given a fault")
    print()
    print(table(rows))
    last = rows[-1]
    print()
    print(f"at {last['cues']:,} cues: check / pysrt.open = {last['cli_text'] / last['pysrt']:.2f} "
          f"(goal <= 1.5; json -o: {last['cli_json'] / last['pysrt']:.2f}); "
          f"in-process run_check / pysrt.open = {last['run_check'] / last['pysrt_inproc']:.2f}")
    per_cue = [r["run_check"] / r["cues"] * 1e6 for r in rows]
    if args.formats:
        print()
        print("| cues | findings | `pysrt.open` | " + " | ".join(f"`{f}` -o: time, / pysrt, size" for f in
                                                              ("json", "junit", "sarif", "html")) + " |")
        print("|" + "---:|" * 7)
        for r in rows:
            cells = [f"{r['cli_' + f]:.2f} s, {r['cli_' + f] / r['pysrt']:.2f}x, {r.get(f + '_bytes', 0) / 1e6:.1f} MB"
                     for f in ("json", "junit", "sarif", "html")]
            print(f"| {r['cues']:,} | {r['findings']:,} | {r['pysrt']:.2f} s | " + " | ".join(cells) + " |")
    for r in rows:
        if "json_rss_mb" in r:
            print(f"peak memory of check on {r['cues']:,} cues: {r['json_rss_mb']:.0f} MB (--format json), "
                  f"{r['html_rss_mb']:.0f} MB (--format html)")
        if "html_open_s" in r:
            print(f"headless Chromium opens the {r['html_bytes'] / 1e6:.1f} MB HTML report of {r['findings']:,} findings "
                  f"and runs its script in {r['html_open_s']:.1f} s")
    print(f"run_check per cue: {', '.join(f'{x:.1f}' for x in per_cue)} µs "
          f"(largest size / smallest: {per_cue[-1] / per_cue[0]:.2f}; 1.0 is linear)")
    if args.json:
        args.json.write_text(json.dumps({"machine": describe(), "repeats": repeats, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
