"""A Ray cluster nothing answers at: one line and exit 2 within SUBTRANS_RAY_TIMEOUT (Ray itself retries
for minutes). Run in a fresh process each: no Ray may be running in it already."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("ray")


@pytest.mark.parametrize("how", ["address", "stale address file"])
def test_a_cluster_nothing_answers_at_is_one_line_and_exit_2_in_bounded_time(how, tmp_path):
    with socket.socket() as s:          # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    films = tmp_path / "films"
    films.mkdir()
    (films / "a.ru.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nДа.\n\n", encoding="utf-8")
    model = tmp_path / "model"          # never loaded: the address is refused first
    env = dict(os.environ, SUBTRANS_RAY_TIMEOUT="2", HF_HUB_OFFLINE="1")
    args = [sys.executable, "-c", "from subtrans.cli import main; main()", "batch", "translate", str(films), "--to", "zh", "--output-dir",
            str(tmp_path / "out"), "--model", str(model)]
    if how == "address":
        args += ["--ray-address", f"127.0.0.1:{port}"]
    else:
        (tmp_path / "ray").mkdir()
        (tmp_path / "ray" / "ray_current_cluster").write_text(f"127.0.0.1:{port}\n")
        env.update(RAY_TMPDIR=str(tmp_path), RAY_ADDRESS="auto")
    began = time.monotonic()
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2 and time.monotonic() - began < 60
    lines = [ln for ln in (result.stdout + result.stderr).splitlines() if ln.strip()]
    assert len(lines) == 1 and f"no Ray cluster answers at 127.0.0.1:{port}" in lines[0], lines
    if how != "address":
        assert "address file of an earlier cluster" in lines[0]
