"""`subtrans batch translate` on a real two-node Ray cluster whose worker node is killed in the middle of a file.

The cluster is started the way an operator starts one: ``ray start --head`` (no CPUs of its own, as Ray
advises for a head node), then ``ray start --address`` for a worker node with 2 CPUs. The run goes on the
worker node; once the first output is written, the worker node is killed (its raylet and every process
under it, SIGKILL) while its actor translates the long file, and a fresh worker node joins, as a cloud
provider replaces a pre-empted machine. Every file must then be translated exactly once: one record each,
the killed file's saying it was translated again, and the bytes the single-file CLI writes.

Everything this test starts is found by its temporary folder and killed at the end: it never runs
``ray stop``, which would stop every Ray on the machine.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from subtrans.cli import main

from tiny_models import tiny_corpus, tiny_t5  # noqa: F401  (fixture)

pytest.importorskip("ray")
RAY = Path(sys.executable).with_name("ray")
pytestmark = pytest.mark.skipif(not RAY.exists(), reason="the ray command is not installed beside this Python")

# transformers, not CTranslate2, and small batches: the long file takes the tiny model seconds, not a blink.
SPEED = ["--backend", "hf", "--beams", "1", "--max-length", "24", "--batch-size", "2", "--no-fit"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def srt(lines: list[str]) -> str:
    blocks = []
    for n, text in enumerate(lines, 1):
        start, end = n * 3000, n * 3000 + 2500
        blocks.append(f"{n}\n00:{start // 60000:02d}:{start // 1000 % 60:02d},000 --> "
                      f"00:{end // 60000:02d}:{end // 1000 % 60:02d},500\n{text}\n")
    return "\n".join(blocks)


def memory_size(path: Path) -> int:
    """How many translations the translation memory at ``path`` holds (0 before it exists)."""
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM tm").fetchone()[0]
    except sqlite3.Error:
        return 0


def processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process of this machine."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        out[int(entry.name)] = (int(stat.rsplit(")", 1)[1].split()[1]), cmdline)
    return out


def kill_tree(roots: list[int]) -> None:
    """SIGKILL ``roots`` and every process under them."""
    table = processes()
    doomed, frontier = set(roots), list(roots)
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _) in table.items() if ppid == parent and pid not in doomed]
        doomed.update(children)
        frontier.extend(children)
    for pid in doomed:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Cluster:
    """A head node and worker nodes on 127.0.0.1, all under one temporary folder."""

    def __init__(self) -> None:
        # Short: Ray's unix sockets live under it, and a socket path may not exceed 107 bytes.
        self.temp = tempfile.mkdtemp(prefix="st-ray-", dir="/tmp")
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.env = dict(os.environ, RAY_TMPDIR=self.temp,
                        # A token left in ~/.ray/auth_token turns token authentication on for `ray start --head`
                        # but not for the nodes that join it: say what this cluster uses.
                        RAY_AUTH_MODE="disabled", RAY_USAGE_STATS_ENABLED="0",
                        # A lost node is declared dead within about two seconds, not Ray's thirty.
                        RAY_health_check_initial_delay_ms="0", RAY_health_check_period_ms="500",
                        RAY_health_check_timeout_ms="500", RAY_health_check_failure_threshold="3")

    def ray(self, *args: str) -> None:
        result = subprocess.run([str(RAY), "start", *args, "--node-ip-address=127.0.0.1", f"--temp-dir={self.temp}",
                                 "--disable-usage-stats"], env=self.env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr

    def start_head(self) -> None:
        self.ray("--head", f"--port={self.port}", "--num-cpus=0", "--include-dashboard=false")

    def add_worker(self) -> int:
        """Start a worker node with 2 CPUs; its node manager port (which names its raylet)."""
        port = free_port()
        self.ray(f"--address={self.address}", "--num-cpus=2", f"--node-manager-port={port}")
        return port

    def raylet(self, node_manager_port: int) -> int:
        flag = f"--node_manager_port={node_manager_port} "
        found = [pid for pid, (_, cmd) in processes().items() if "/raylet " in cmd and flag in cmd + " "]
        assert len(found) == 1, found
        return found[0]

    def kill_worker(self, node_manager_port: int) -> None:
        kill_tree([self.raylet(node_manager_port)])

    def stop(self) -> None:
        kill_tree([pid for pid, (_, cmd) in processes().items() if self.temp in cmd and pid != os.getpid()])
        shutil.rmtree(self.temp, ignore_errors=True)


@pytest.fixture
def cluster():
    c = Cluster()
    try:
        yield c
    finally:
        c.stop()


def test_a_worker_node_killed_mid_file_leaves_every_file_translated_exactly_once(cluster, tiny_t5, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    lines = list(dict.fromkeys(line for line in tiny_corpus(1200, seed=7) if line[0].isupper()))   # the Russian ones, all distinct
    files = {"a-short.ru.srt": lines[:3], "b-long.ru.srt": lines[3:403], "c.ru.srt": lines[403:407],
             "d.ru.srt": lines[407:411]}
    for name, text in files.items():
        (src / name).write_text(srt(text), encoding="utf-8")

    cluster.start_head()
    first = cluster.add_worker()
    env = dict(cluster.env, HF_HUB_OFFLINE="1", SUBTRANS_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")])))
    driver = subprocess.Popen([sys.executable, "-c", "from subtrans.cli import main; main()", "batch", "translate",
                               str(src), "--to", "zh", "--output-dir", str(out), "--model", str(tiny_t5), *SPEED,
                               "--ray-address", cluster.address], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        # One actor (2 CPUs, one kept for reading and checking) takes the files in order, and its translation
        # memory commits batch by batch: once it holds 20 sentences, the actor is well into the long file.
        deadline = time.monotonic() + 240
        while memory_size(tmp_path / "cache" / "tm.sqlite3") < 20:
            assert driver.poll() is None and time.monotonic() < deadline, driver.communicate()[0]
            time.sleep(0.02)
        cluster.kill_worker(first)
        killed_at = time.monotonic()
        cluster.add_worker()
        output, _ = driver.communicate(timeout=300)
    finally:
        if driver.poll() is None:
            driver.kill()
    assert driver.returncode == 0, output
    assert "Traceback" not in output

    summary = json.loads((out / "subtrans-batch.json").read_text(encoding="utf-8"))
    records = {Path(f["path"]).name: f for f in summary["files"]}
    assert len(summary["files"]) == 4 and set(records) == set(files)
    assert {name: f["status"] for name, f in records.items()} == dict.fromkeys(files, "translated")
    again = {name for name, f in records.items() if any(w.startswith("translated again") for w in f["warnings"])}
    assert again == {"b-long.ru.srt"}, (again, time.monotonic() - killed_at, summary, output)
    long = records["b-long.ru.srt"]      # the retry took what the memory had kept from the first try
    assert long["from_cache"] > 0 and long["from_cache"] + long["sent_to_model"] == long["units"] == 400
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".srt") == sorted(
        name.replace(".ru.", ".zh.") for name in files)   # no stray temporary file, no second output
    assert not [p for p in out.iterdir() if p.name.startswith(".")]

    # The same bytes as the single-file CLI on the same inputs, with its own translation memory.
    os.environ["SUBTRANS_CACHE_DIR"] = str(tmp_path / "cli-cache")
    try:
        result = CliRunner().invoke(main, ["translate", str(src), "--to", "zh", "--output-dir", str(tmp_path / "cli"),
                                           "--model", str(tiny_t5), *SPEED])
    finally:
        del os.environ["SUBTRANS_CACHE_DIR"]
    assert result.exit_code in (0, 1), result.output
    for name in files:
        zh = name.replace(".ru.", ".zh.")
        assert (out / zh).read_bytes() == (tmp_path / "cli" / zh).read_bytes(), zh
