"""A translation job killed at any moment (SIGKILL) and started again loses nothing.

The job is ``subtrans translate``'s (``run_translate``), run in a child process
on a generated 200-cue Russian SRT with a stand-in model that logs every
sentence it is asked to translate (flushed and fsynced per batch) and prints a
marker after each batch. The parent kills the child with SIGKILL at a chosen
point (the child waits there, so the point is exact: after batch 1, 5 and 20,
between translating a batch and storing it, during the output's write) or at a
random moment, starts the job again in a fresh child, and checks:

* the output exists, is byte-identical to an uninterrupted run's, and is valid
  (it loads; same cues and timings as the input; no empty cue);
* no sentence was translated twice across the killed and resumed runs, except
  a batch the model had finished but the cache had not yet stored when the
  kill came (see ``in_flight`` below);
* the cache passes ``PRAGMA integrity_check`` after every kill;
* there is never a partial output (an older output stays as it was), and the
  temporary file a kill leaves is removed by the next write.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

import subtrans

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")

TESTS = Path(__file__).resolve().parent
CHILD_TIMEOUT_S = 60

# The child: argv = source, cache, log, pause ("none" | "translated:N" | "committed:N" | "write"), delay.
CHILD = r"""
import json, os, sys, time
sys.path.insert(0, TESTS)
from fake_backend import PseudoBackend
from subtrans.translating import Translator, run_translate

source, cache, log, pause, delay = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
where, _, count = pause.partition(":")
count = int(count or 0)
real_fsync, real_replace = os.fsync, os.replace

def mark(text):
    print(text, flush=True)

def hold(text):
    mark(text)
    time.sleep(600)  # until the parent's SIGKILL

class LoggingBackend(PseudoBackend):
    def __init__(self):
        super().__init__()
        self.log = open(log, "a", encoding="utf-8")
        self.batches = 0

    def translate(self, texts, **kw):
        # Batch N+1 is asked for only after put_many stored batch N.
        if where == "committed" and self.batches == count:
            hold(f"committed {count}")
        out = super().translate(texts, **kw)
        for text in texts:
            self.log.write(json.dumps(text, ensure_ascii=False) + "\n")
        self.log.flush()
        real_fsync(self.log.fileno())
        self.batches += 1
        mark(f"translated {self.batches}")
        if where == "translated" and self.batches == count:
            hold(f"holding after batch {count}")
        time.sleep(delay)
        return out

def replace(src, dst):
    # atomic_write's rename: the temporary file is complete and fsynced here.
    if where == "write" and str(dst).endswith(".zh.srt"):
        hold("writing")
    return real_replace(src, dst)

os.replace = replace
translator = Translator(backend=LoggingBackend(), cache=cache, batch_size=2)
with translator:
    (result,) = run_translate([source], to="zh", translator=translator, overwrite=True)
if result.error is not None:
    sys.exit(f"error: {result.error}")
mark("done")
"""

WORDS = ["поезд", "ночь", "город", "человек", "дорога", "письмо", "вокзал", "друг", "время", "слово", "дело",
         "утро", "окно", "билет", "граница", "река", "снег", "свет", "голос", "рука", "завтра", "никогда", "здесь"]


def _source(n: int = 200) -> str:
    rng = random.Random(20240611)
    out = []
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(2, 7))]
        text = " ".join(words).capitalize() + rng.choice([".", ".", "?", "!", ",", "..."])
        if i % 17 == 5:
            text = "Стой!"  # repeated lines: translated once in all
        if i % 23 == 7:
            text = "<i>" + text + "</i>\n-" + rng.choice(WORDS).capitalize() + "?"
        start = 1000 + i * 2500
        out.append(f"{i + 1}\n{_ts(start)} --> {_ts(start + 2000)}\n{text}\n")
    return "\n".join(out)


def _ts(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


class Job:
    """One job folder: the input, its cache and the model's log; runs children on it."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir()
        self.folder = folder
        self.source = folder / "film.ru.srt"
        self.source.write_text(_source(), encoding="utf-8")
        self.output = folder / "film.zh.srt"
        self.cache = folder / "tm.sqlite3"
        self.log = folder / "model.log"

    def start(self, pause: str = "none", delay: float = 0.0) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-c", f"TESTS = {str(TESTS)!r}\n" + CHILD, str(self.source), str(self.cache),
             str(self.log), pause, str(delay)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    def run(self) -> None:
        proc = self.start()
        out, err = proc.communicate(timeout=CHILD_TIMEOUT_S)
        assert proc.returncode == 0, err
        assert out.splitlines()[-1] == "done"

    def kill_at(self, proc: subprocess.Popen, marker: str | None, after_s: float = 0.0) -> list[str]:
        """SIGKILL ``proc`` when it prints ``marker`` (or ``after_s`` after its first batch); its output lines."""
        guard = threading.Timer(CHILD_TIMEOUT_S, proc.kill)  # never hang the test run
        guard.start()
        seen = []
        try:
            for line in proc.stdout:
                seen.append(line.strip())
                if marker is not None and line.strip() == marker:
                    break
                if marker is None and len(seen) == 1:
                    time.sleep(after_s)
                    break
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=CHILD_TIMEOUT_S)
        finally:
            guard.cancel()
        proc.stdout.close()
        proc.stderr.close()
        return seen

    def logged(self) -> list[str]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text("utf-8").splitlines()]

    def temp_files(self) -> list[Path]:
        return sorted(self.folder.glob(".film.zh.srt.*.tmp"))


def _integrity(cache: Path) -> str:
    conn = sqlite3.connect(cache)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """An uninterrupted run (in this process): the expected output bytes and every sentence translated."""
    from fake_backend import PseudoBackend

    from subtrans.translating import Translator, run_translate

    job = Job(tmp_path_factory.mktemp("kill") / "baseline")
    backend = PseudoBackend()
    with Translator(backend=backend, cache=job.cache, batch_size=2) as translator:
        (result,) = run_translate([job.source], to="zh", translator=translator, overwrite=True)
    assert result.error is None
    sentences = [s for batch in backend.calls for s in batch]
    assert len(sentences) == len(set(sentences)), "an uninterrupted run translates each sentence once"
    assert len(sentences) > 120, "enough batches to kill in the middle"
    return job.output.read_bytes(), sentences


def _check_output(job: Job, expected_bytes: bytes) -> None:
    """Complete, identical to an uninterrupted run's, valid: the input's cues and timings, no empty cue."""
    assert job.output.read_bytes() == expected_bytes
    source, output = subtrans.load(job.source), subtrans.load(job.output)
    assert [(c.start, c.end, c.id) for c in output.cues] == [(c.start, c.end, c.id) for c in source.cues]
    assert all(c.text.strip() for c in output.cues)


def test_a_job_killed_again_and_again_finishes_as_if_never_killed(tmp_path, baseline):
    """One job, killed six times at different points, each time restarted from where it was.

    (One chain rather than one test per point: each finishing run loads the Chinese
    word segmenter, which costs seconds; the killed runs never get that far.)
    """
    expected_bytes, expected_sentences = baseline
    job = Job(tmp_path / "job")
    # Sentences the model may translate twice: those of a batch it had finished when
    # the kill came but whose results put_many had not committed. They were never
    # stored, so the next run must translate them again; every batch committed
    # before a kill is served from the cache.
    in_flight: set[str] = set()
    rng = random.Random(6)

    def after_kill(step: str) -> None:
        assert _integrity(job.cache) == "ok", step
        assert not job.output.exists(), f"{step}: no output before the job is done"
        assert job.temp_files() == [], step

    # 1. Killed after batch 1 was stored (the child waits as batch 2 is asked for).
    job.kill_at(job.start("committed:1"), "committed 1")
    assert len(job.logged()) == 2
    after_kill("after batch 1")

    # 2. Killed after batch 5 was translated, before the cache stored it.
    done = len(job.logged())
    job.kill_at(job.start("translated:5"), "holding after batch 5")
    log = job.logged()
    assert len(log) == done + 10
    must_redo = set(log[-2:])
    in_flight |= must_redo
    after_kill("between translating and storing batch 5")

    # 3. Killed after batch 20 (of this run) was stored.
    done = len(job.logged())
    job.kill_at(job.start("committed:20"), "committed 20")
    assert len(job.logged()) == done + 40
    after_kill("after batch 20")

    # 4, 5. Killed at random moments while translating (10 ms per batch).
    for _ in range(2):
        left = len(set(expected_sentences) - set(job.logged()))
        before = len(job.logged())
        job.kill_at(job.start("none", delay=0.01), None, after_s=rng.uniform(0, left / 2 * 0.01))
        log = job.logged()
        # Whatever the moment, only the last batch logged can lack its commit.
        in_flight |= set(log[before:][-2:])
        after_kill("at a random moment")

    # 6. Killed while writing the output: the temporary file is complete, the rename
    #    not done. An older output in its place stays as it was.
    job.output.write_bytes(b"an older translation\n")
    job.kill_at(job.start("write"), "writing")
    assert job.output.read_bytes() == b"an older translation\n"
    (tmp,) = job.temp_files()
    assert tmp.read_bytes() == expected_bytes
    assert _integrity(job.cache) == "ok"
    assert set(job.logged()) == set(expected_sentences)  # all translated and stored before the write
    killed_log = job.logged()

    # The last run translates nothing, writes the output, removes the dead process's temporary file.
    job.run()
    assert job.logged() == killed_log
    _check_output(job, expected_bytes)
    twice = {s for s, n in Counter(job.logged()).items() if n > 1}
    assert twice <= in_flight, f"translated twice: {sorted(twice - in_flight)}"
    assert must_redo <= twice, "the batch killed before its commit was translated again"
    assert sorted(set(job.logged())) == sorted(expected_sentences)
    assert _integrity(job.cache) == "ok"
    assert job.temp_files() == []


def test_a_kill_in_the_middle_of_one_run_redoes_at_most_its_batch_in_flight(tmp_path, baseline):
    """The same at a random moment, on a fresh job, with the sharpest count: at most 2 sentences redone."""
    expected_bytes, expected_sentences = baseline
    job = Job(tmp_path / "job")
    job.kill_at(job.start("none", delay=0.01), None, after_s=len(expected_sentences) / 2 * 0.01 / 2)
    killed = job.logged()
    assert 0 < len(killed) < len(expected_sentences), "the kill came while translating"
    assert _integrity(job.cache) == "ok" and not job.output.exists()
    job.run()
    twice = [s for s, n in Counter(job.logged()).items() if n > 1]
    assert len(twice) <= 2 and set(twice) <= set(killed[-2:])
    _check_output(job, expected_bytes)
    assert _integrity(job.cache) == "ok" and job.temp_files() == []


ATOMIC_CHILD = r"""
import os, sys, time
from subtrans.textio import atomic_write
real_replace = os.replace
def replace(src, dst):
    print("renaming", flush=True)
    time.sleep(600)
os.replace = replace
atomic_write(sys.argv[1], b"new contents\n")
"""


@pytest.mark.parametrize("old", [None, b"old contents\n"], ids=["no-old-file", "old-file"])
def test_atomic_write_killed_before_its_rename(tmp_path, old):
    """The old file or nothing, never a part; the next write removes the dead process's temporary file."""
    target = tmp_path / "film.zh.srt"
    if old is not None:
        target.write_bytes(old)
    proc = subprocess.Popen([sys.executable, "-c", ATOMIC_CHILD, str(target)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "renaming"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=CHILD_TIMEOUT_S)
    proc.stdout.close()
    assert (target.read_bytes() if target.exists() else None) == old
    (tmp,) = tmp_path.glob(".film.zh.srt.subtrans-*.tmp")
    assert tmp.read_bytes() == b"new contents\n" and f"-{proc.pid}-" in tmp.name
    from subtrans.textio import atomic_write, temp_files

    assert temp_files(target) == [tmp]
    live = tmp_path / tmp.name.replace(f"-{proc.pid}-", f"-{os.getpid()}-", 1)
    live.write_bytes(b"another writer's, still running")  # a live process's temporary file is left alone
    atomic_write(target, b"done\n")
    assert target.read_bytes() == b"done\n"
    assert sorted(tmp_path.iterdir()) == sorted([target, live])
