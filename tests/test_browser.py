"""The HTML report in a real browser: headless Chromium runs the page's script, and the chart
and the table must show what the findings say. Saves a screenshot as an artefact.

Needs Debian's ``chromium`` (``.ci/run`` installs it and sets ``SUBTRANS_REQUIRE_BROWSER=1``, which turns
a missing browser into an error); elsewhere skipped, saying why, without it.
``CHROMIUM`` picks another binary; ``SUBTRANS_ARTIFACTS`` keeps the pages and screenshot.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from subtrans.checking import run_check
from subtrans.reports import render

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
RU, ZH, VTT = EXAMPLES / "red-silk.ru.srt", EXAMPLES / "red-silk.zh.srt", EXAMPLES / "red-silk.ru.vtt"


def _chromium() -> str | None:
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM = _chromium()
if CHROMIUM is None and os.environ.get("SUBTRANS_REQUIRE_BROWSER") == "1":   # .ci/run sets it: never skipped there
    raise RuntimeError("SUBTRANS_REQUIRE_BROWSER=1 but no Chromium: apt-get install chromium, or set CHROMIUM")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium not found: install Debian's chromium package (apt-get install chromium chromium-driver; "
           ".ci/run does) or set CHROMIUM=/path/to/chrome",
)


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory) -> Path:
    wanted = os.environ.get("SUBTRANS_ARTIFACTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("browser")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def browse(page: Path, tmp: Path, query: str = "", screenshot: Path | None = None, height: int = 1450) -> str:
    """The page's DOM after its script ran (and a screenshot, when asked for)."""
    args = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-extensions", "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
        "--force-device-scale-factor=1", f"--window-size=1280,{height}", f"--user-data-dir={tmp / 'profile'}",
        "--dump-dom",
    ]
    if screenshot is not None:
        args.append(f"--screenshot={screenshot}")
    done = subprocess.run(args + [page.resolve().as_uri() + query], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Dom(HTMLParser):
    """Elements as (tag, attributes, section id), from the browser's serialised DOM."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "source", "wbr"}  # HTML elements without an end tag

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict, str | None]] = []
        self.stack: list[tuple[str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        section = a["id"] if tag == "section" else (self.stack[-1][1] if self.stack else None)
        self.elements.append((tag, a, section))
        if tag not in self.VOID:
            self.stack.append((tag, section))

    def handle_startendtag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        self.elements.append((tag, a, self.stack[-1][1] if self.stack else None))

    def handle_endtag(self, tag):
        if any(t == tag for t, _ in self.stack):
            while self.stack.pop()[0] != tag:
                pass

    def count(self, tag, cls, section=None, visible=None) -> int:
        return sum(1 for t, a, s in self.elements
                   if t == tag and cls in a.get("class", "").split() and (section is None or s == section)
                   and (visible is None or ("hidden" not in a) == visible))



def outputs(dom_html: str) -> list[str]:
    """The texts of the filters' <output> elements, which only the script fills in."""
    parts = dom_html.split("<output")[1:]
    return [p.split(">", 1)[1].split("</output>", 1)[0] for p in parts]


@pytest.fixture(scope="module")
def single(artefacts, tmp_path_factory) -> tuple[Path, Path]:
    page = artefacts / "report.html"
    with contextlib.chdir(ROOT):  # the path as a user types it: examples/red-silk.ru.srt
        page.write_text(render(run_check([RU.relative_to(ROOT)]), "html"), encoding="utf-8")
    return page, tmp_path_factory.mktemp("chromium")


def test_example_renders_with_the_expected_counts_and_a_screenshot(single, artefacts):
    page, tmp = single
    shot = artefacts / "report.png"
    html = browse(page, tmp, screenshot=shot)
    dom = Dom(html)
    assert "data-ready" in re.search(r"<html[^>]*>", html).group(0), "the page's script did not run"
    # red-silk.ru.srt: 24 cues, 9 findings (one per deliberate fault), one cue over 17 CPS.
    assert dom.count("g", "bar") == 24 and dom.count("g", "over") == 1
    assert dom.count("a", "mark") == 9
    assert dom.count("tr", "finding", visible=True) == 9
    rows = {a["id"] for t, a, _ in dom.elements if t == "tr" and "finding" in a.get("class", "")}
    links = [a["href"] for t, a, _ in dom.elements if t == "a" and "mark" in a.get("class", "").split()]
    assert sorted(h.lstrip("#") for h in links) == sorted(rows), "each mark links to its own row"
    assert outputs(html) == ["9 of 9 findings shown"]
    filters = [a for t, a, _ in dom.elements if t == "div" and "filters" in a.get("class", "")]
    assert filters and "hidden" not in filters[0], "the script shows the filters"
    assert shot.stat().st_size > 20_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_filters_from_the_address(single):
    page, tmp = single
    html = browse(page, tmp, query="?severity=error")
    dom = Dom(html)
    assert dom.count("tr", "finding", visible=True) == 2
    assert outputs(html) == ["2 of 9 findings shown"]
    assert dom.count("a", "dim") == 7  # the marks of the rows filtered out are dimmed, not removed
    assert dom.count("p", "no-match", visible=False) == 1


def test_several_files_in_one_page(artefacts, tmp_path_factory):
    page = artefacts / "report-3-files.html"
    page.write_text(render(run_check([RU, ZH, VTT]), "html"), encoding="utf-8")
    # Filter by a rule, and follow a link to a row that the filter hides (as a click on a mark does):
    # the row's own table drops its filters to show it; the other tables keep theirs.
    html = browse(page, tmp_path_factory.mktemp("chromium"), query="?rule=zh-punctuation#f2-r1")
    dom = Dom(html)
    expected = {"f1": (24, 9, 0), "f2": (24, 6, 6), "f3": (8, 0, 0)}  # bars, marks, rows shown
    for section, (bars, marks, shown) in expected.items():
        assert dom.count("g", "bar", section) == bars, section
        assert dom.count("a", "mark", section) == marks, section
        assert dom.count("tr", "finding", section, visible=True) == shown, section
    # The Russian file has no such finding: its table says so rather than ignoring the filter.
    assert outputs(html) == ["0 of 9 findings shown", "6 of 6 findings shown"]
    assert dom.count("p", "no-match", "f1", visible=True) == 1
    assert dom.count("p", "no-match", "f2", visible=True) == 0


def rows_in_order(html: str, section: str = "f1") -> list[tuple[str, bool]]:
    """(row id, shown) of the findings table's rows, in the order the page now has them."""
    return [(a["id"], "hidden" not in a) for t, a, s in Dom(html).elements
            if t == "tr" and "finding" in a.get("class", "").split() and s == section]


def test_the_table_sorts_by_a_column_and_a_search_filters_it(single):
    page, tmp = single
    as_written = [r for r, _ in rows_in_order(browse(page, tmp))]
    # by severity, highest first: the two errors (overlap, unclosed-tag) lead, the file's order kept among equals
    html = browse(page, tmp, query="?sort=severity&order=desc")
    by_severity = [r for r, _ in rows_in_order(html)]
    assert sorted(by_severity) == sorted(as_written) and by_severity != as_written
    dom = Dom(html)
    sev_of = {a["id"]: a["data-severity"] for t, a, _ in dom.elements if t == "tr" and "data-severity" in a}
    assert [sev_of[r] for r in by_severity[:2]] == ["error", "error"]
    assert [r for r in by_severity if sev_of[r] == "warning"] == [r for r in as_written if sev_of[r] == "warning"]
    heads = {a["data-col"]: a["aria-sort"] for t, a, _ in dom.elements if t == "th" and "data-col" in a}
    assert heads["severity"] == "descending" and heads["cue"] == "none"
    # by time, latest first: the reverse of the file's order (its cues are in time order)
    assert [r for r, _ in rows_in_order(browse(page, tmp, query="?sort=time&order=desc"))] == as_written[::-1]
    # a search for words of one cue's text shows that cue's findings only
    html = browse(page, tmp, query="?q=" + "револьвер")
    shown = [r for r, visible in rows_in_order(html) if visible]
    assert len(shown) == 1 and outputs(html) == ["1 of 9 findings shown"]


@pytest.fixture(scope="module")
def large(artefacts, tmp_path_factory) -> tuple[Path, Path, int]:
    """A report of a 6,000-cue file with a finding or two in every cue: drawn from embedded data, paged."""
    lines = []
    for n in range(1, 6001):
        start = n * 2000
        text = f"Реплика номер {n}: слишком длинная строка, чтобы прочитать её за полсекунды."
        lines.append(f"{n}\n{_srt_time(start)} --> {_srt_time(start + 500)}\n{text}\n")
    src = tmp_path_factory.mktemp("large") / "large.ru.srt"
    src.write_text("\n".join(lines), encoding="utf-8")
    report = run_check([src])
    page = artefacts / "report-large.html"
    page.write_text(render(report, "html"), encoding="utf-8")
    return page, tmp_path_factory.mktemp("chromium"), len(report.files[0].findings)


def _srt_time(ms: int) -> str:
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def test_a_large_report_draws_a_page_of_rows_from_its_data(large):
    page, tmp, total = large
    assert total > 6000
    html = browse(page, tmp)
    assert "data-ready" in re.search(r"<html[^>]*>", html).group(0), "the page's script did not run"
    rows = rows_in_order(html)
    assert len(rows) == 200 and all(shown for _, shown in rows)
    assert outputs(html)[0] == f"{total} of {total} findings shown"
    assert f"rows 1–200 of {total}, page 1 of {-(-total // 200)}" in html
    # sorted by severity, errors first; a search finds one cue's findings; a link to a row far down
    # the table draws the page that holds it
    html = browse(page, tmp, query="?sort=time&order=desc")
    first = rows_in_order(html)[0][0]
    assert re.search(rf'<tr id="{first}"[^>]*>.*?<th scope="row" class="num">6000<', html, re.S)
    html = browse(page, tmp, query="?q=" + "номер 4321:")
    shown = rows_in_order(html)
    assert shown and all(re.search(rf'<tr id="{r}"[^>]*>.*?>4321<', html, re.S) for r, _ in shown)
    assert outputs(html)[0] == f"{len(shown)} of {total} findings shown"
    far = f"f1-r{total - 3}"
    html = browse(page, tmp, query="#" + far)
    assert far in [r for r, _ in rows_in_order(html)]
