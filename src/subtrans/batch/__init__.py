"""Catalogue runs: translate or check every subtitle file of a library on a Ray cluster.

``subtrans batch translate SOURCE --to zh --output-dir OUT`` and
``subtrans batch check SOURCE -o report.html`` (:mod:`.cli`) call
:func:`run_batch_translate` and :func:`run_batch_check` (:mod:`.ray_runner`),
which return data (:class:`BatchResult`, a check :class:`~subtrans.reports.Report`);
:mod:`.summary` turns a :class:`BatchResult` into the catalogue summary
(JSON and one HTML page). :mod:`.plan` decides which files go where and which
outputs are up to date.

Ray is an optional extra (``pip install "subtrans-ruzh[scale]"``) and is imported
only inside the functions that start a run: importing this package, or the
rest of subtrans, never imports it.
"""

from __future__ import annotations

from typing import Any

from .plan import collect_inputs, read_list_file
from .summary import BatchResult, FileRecord, Progress

__all__ = ["run_batch_translate", "run_batch_check", "BatchResult", "FileRecord", "Progress", "collect_inputs",
           "read_list_file"]


def __getattr__(name: str) -> Any:
    # The runner is light to import too, but keep the package's import to what every caller needs.
    if name in ("run_batch_translate", "run_batch_check"):
        from . import ray_runner

        return getattr(ray_runner, name)
    raise AttributeError(f"module 'subtrans.batch' has no attribute {name!r}")
