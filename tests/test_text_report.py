"""Snapshot tests of the text report people read, in both languages: the table aligned by display width
(a Chinese character takes two columns), the cue as the file numbers it, and the two-line view of a
narrow terminal. Regenerate after a reviewed change: SUBTRANS_REGENERATE_GOLDEN=1 python -m pytest
tests/test_text_report.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from subtrans.checking import run_check
from subtrans.reports import render
from subtrans.reports.text import display_width

EXAMPLES = Path(__file__).parent.parent / "examples"
GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("example,width", [("red-silk.zh.srt", None), ("red-silk.ru.srt", None),
                                           ("red-silk.zh.srt", 80), ("red-silk.ru.srt", 80)])
def test_snapshot(example, width, monkeypatch):
    monkeypatch.chdir(EXAMPLES.parent)
    report = run_check([f"examples/{example}"])
    report.errors_on_stderr, report.width = True, width
    text = render(report, "text")
    golden = GOLDEN / f"report.{example}.{width or 'piped'}.txt"
    if os.environ.get("SUBTRANS_REGENERATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    if width:   # the findings fit the terminal
        findings = text.split("\n")[1:-5]
        assert all(display_width(line) <= width for line in findings), [l for l in findings if display_width(l) > width]


def test_columns_line_up_with_wide_characters():
    report = run_check([str(EXAMPLES / "red-silk.zh.srt")])
    report.width = 200   # the table of a wide terminal
    rows = [line for line in render(report, "text").splitlines() if "zh-punctuation" in line or "line-length" in line]
    # the value column starts at the same display column in every row, whatever the message holds
    starts = {display_width(row[:row.index("  " + v)]) for row, v in zip(rows, ["19.5", "?", "，"])}
    assert len(starts) == 1


def test_the_cue_is_named_as_the_file_numbers_it(tmp_path):
    srt = tmp_path / "gaps.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nДа\n\n3\n00:00:03,000 --> 00:00:03,200\nНет\n\n", encoding="utf-8")
    report = run_check([str(srt)])
    (line,) = [line for line in render(report, "text").splitlines() if "min-duration" in line]
    assert f"{srt}:5:1: T002 [warning] cue 3 (00:00:03,000): " in line     # SRT number 3, the second cue
    report.width = 200
    (row,) = [line for line in render(report, "text").splitlines() if "min-duration" in line]
    assert row.split()[0] == "3"
