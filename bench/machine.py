"""What the benchmarks say about the machine they ran on (shared by the scripts in bench/)."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_name() -> str:
    """The CPU's model name from /proc/cpuinfo, else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def describe() -> str:
    """One line: CPUs, CPU model, Python, system."""
    return f"{os.cpu_count()} CPUs ({cpu_name()}), Python {platform.python_version()}, {platform.system()}"
