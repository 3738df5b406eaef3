"""The HTML report: self-contained, escaped, accessible, and counting what it should."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from subtrans.checking import run_check
from subtrans.cli import main
from subtrans.errors import ParseError
from subtrans.qa import Finding, Severity
from subtrans.reports import FileReport, Report, render
from subtrans.reports.html import DENSE_BINS

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RU, ZH, VTT = EXAMPLES / "red-silk.ru.srt", EXAMPLES / "red-silk.zh.srt", EXAMPLES / "red-silk.ru.vtt"


class Dom(HTMLParser):
    """The elements of a page as (tag, attributes, ancestors' classes), and its text."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "source", "wbr"}  # HTML elements without an end tag

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict, tuple]] = []
        self.stack: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        self.elements.append((tag, a, tuple(c for _, c in self.stack)))
        if tag not in self.VOID:
            self.stack.append((tag, a.get("class", "")))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, {k: (v or "") for k, v in attrs}, tuple(c for _, c in self.stack)))

    def handle_endtag(self, tag):
        if any(t == tag for t, _ in self.stack):
            while self.stack.pop()[0] != tag:
                pass

    def handle_data(self, data):
        self.text.append(data)

    def find(self, tag=None, cls=None, **attrs):
        return [a for t, a, _ in self.elements
                if (tag is None or t == tag) and (cls is None or cls in a.get("class", "").split())
                and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def within(self, outer_cls: str, tag=None, cls=None):
        return [a for t, a, up in self.elements if any(outer_cls in c.split() for c in up)
                and (tag is None or t == tag) and (cls is None or cls in a.get("class", "").split())]


def page(*files, fail_on=Severity.WARNING, signature="subtrans:test|profile:x|fps:24|rules:0"):
    return render(Report(files=list(files), signature=signature, fail_on=fail_on), "html")


def cue_finding(message, cue=1, rule="line-length", code="L001", severity=Severity.WARNING, value=None, limit=None):
    start = (cue - 1) * 3000
    return Finding(rule, code, severity, message, cue=cue, id=str(cue), start=start, end=start + 2000,
                   value=value, limit=limit, line=4 * cue - 3)


def checked(*paths, **kw) -> Report:
    return run_check(list(paths), **kw)


# ---------------------------------------------------------------------------
# Escaping: whatever a subtitle or a path holds, it is text on the page, never markup.

ESCAPE_CASES = [
    # (message, must appear in the page, must not)
    ("<i> is never closed", "&lt;i&gt; is never closed", "<i> is never closed"),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)"),
    ("Tom & Jerry", "Tom &amp; Jerry", "Tom & Jerry"),
    ('say "hi" it\'s', "say &quot;hi&quot; it&#x27;s", 'say "hi"'),
    ("строка 1: «Пейте чай»", "строка 1: «Пейте чай»", None),
    ("半角“?”：用“？”", "半角“?”：用“？”", None),
    ("&lt; already escaped", "&amp;lt; already escaped", None),
]


@pytest.mark.parametrize("message, shown, absent", ESCAPE_CASES)
def test_messages_are_escaped(message, shown, absent):
    fr = FileReport(path="a.srt", format="srt", encoding="utf-8", profile="netflix-ru", cues=1,
                    findings=[cue_finding(message, value=message, limit="<&>")])
    html = page(fr)
    assert shown in html
    if absent:
        assert absent not in html
    assert "&lt;&amp;&gt;" in html  # the limit column too
    Dom(html)  # parses


@pytest.mark.parametrize("path, escaped", [
    ('x<b>".srt', "x&lt;b&gt;&quot;.srt"),
    ("субтитры & 字幕/серия 1.srt", "субтитры &amp; 字幕/серия 1.srt"),
    ("a'b.vtt", "a&#x27;b.vtt"),
])
def test_paths_are_escaped(path, escaped):
    fr = FileReport(path=path, format="srt", encoding="utf-8", profile="netflix-ru", cues=1,
                    findings=[cue_finding("m")])
    html = page(fr)
    assert escaped in html and f"<title>Subtitle QA: {escaped}</title>" in html
    dom = Dom(html)
    assert path in "".join(dom.text) and not dom.find("b")


def test_error_text_and_hint_are_escaped():
    err = ParseError("unreadable <timestamp>", path="bad.srt", line=6, text="<b>oops</b> & co", hint='use "HH:MM"')
    html = page(FileReport(path="bad.srt", error=err))
    assert "unreadable &lt;timestamp&gt;" in html and "&lt;b&gt;oops&lt;/b&gt; &amp; co" in html
    assert "use &quot;HH:MM&quot;" in html
    assert "<b>oops" not in html


# ---------------------------------------------------------------------------
# The page: self-contained, structured, counting what the JSON report counts.


def test_self_contained_no_network():
    html = page(*checked(RU, ZH).files)
    assert "<style>" in html and "<script>" in html and "<svg" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert not re.search(r"https?://", html)


def test_example_counts_match_the_findings():
    report = checked(RU)
    (fr,) = report.files
    dom = Dom(render(report, "html"))
    rows = dom.find("tr", cls="finding")
    marks = dom.find("a", cls="mark")
    bars = dom.find("g", cls="bar")
    assert len(rows) == len(fr.findings) == 9
    assert len(marks) == 9 and len(bars) == 24
    assert len(dom.find("g", cls="over")) == 1 and dom.find("g", cls="over")[0]["data-cue"] == "10"
    # Every mark links to a row that exists, and each row is linked once.
    ids = {r["id"] for r in rows}
    assert sorted(m["href"][1:] for m in marks) == sorted(ids)
    # The same rules and severities as the findings, in the same order.
    assert [(r["data-rule"], r["data-severity"]) for r in rows] == [(f.rule, str(f.severity)) for f in fr.findings]
    text = " ".join(Dom(render(report, "html")).text)
    assert "1 cue (4%) over the limit: cue 10 at 0:40 (32.0 CPS)" in text
    assert "2 errors, 7 warnings" in text and "netflix-ru" in text


def test_filters_list_every_rule_and_severity():
    dom = Dom(render(checked(RU), "html"))
    options = [o["value"] for o in dom.within("filters", "option")]
    assert options[:1] == [""] and "overlap" in options and "reading-speed" in options
    assert {"error", "warning", "info"} <= set(options)
    assert dom.find("div", cls="filters")[0].get("hidden") == ""  # shown by the script only


def test_accessible_markup():
    html = render(checked(RU), "html")
    dom = Dom(html)
    assert '<html lang="en">' in html
    for table in ("findings", "by-rule"):
        assert dom.find("table", cls=table)
    assert len(dom.find("caption")) >= 3
    assert all(th.get("scope") in ("col", "row") for th in dom.find("th"))
    (svg,) = dom.find("svg", cls="chart")
    assert svg["aria-labelledby"] and dom.find("title", id=svg["aria-labelledby"])
    (fig,) = dom.find("figure")
    assert dom.find("figcaption", id=fig["aria-describedby"])
    # Severity is a word and a shape, not a colour only.
    assert len(re.findall(r'class="sev sev-error"><span class="shape" aria-hidden="true">◆</span> error<', html)) >= 3
    # Each mark has a text alternative: its first child is a <title>.
    tags = [t for t, _, _ in dom.elements]
    marks = [i for i, (t, a, _) in enumerate(dom.elements) if t == "a" and "mark" in a.get("class", "")]
    assert len(marks) == 9 and all(tags[i + 1] == "title" for i in marks)


def test_file_that_cannot_be_read(tmp_path):
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\nbroken --> x\n", encoding="utf-8")
    report = checked(bad, VTT)
    html = render(report, "html")
    dom = Dom(html)
    assert dom.find("section", cls="unreadable")
    assert "Cannot be checked (ParseError)" in html and "1 file could not be checked" in html
    assert len(dom.find("section", cls="file")) == 2
    assert not dom.find("tr", cls="finding") and not dom.find("a", cls="mark")
    assert len(dom.find("g", cls="bar")) == 8  # the readable file still has its chart


def test_file_with_no_findings():
    html = render(checked(VTT), "html")
    dom = Dom(html)
    assert "No findings" in html and "passes --fail-on warning" in html
    assert not dom.find("table", cls="findings") and not dom.find("div", cls="filters")
    assert len(dom.find("g", cls="bar")) == 8 and not dom.find("g", cls="over")
    assert "No cue is over the limit." in html


def test_several_files_have_an_overview_and_their_own_ids():
    report = checked(RU, ZH, VTT)
    dom = Dom(render(report, "html"))
    assert dom.find("table", cls="overview")
    overview_links = [a["href"] for a in dom.within("overview", "a")]
    assert overview_links == ["#f1", "#f2", "#f3"]
    ids = [a["id"] for _, a, _ in dom.elements if "id" in a]
    assert len(ids) == len(set(ids))
    assert [len(dom.find("section", id=f"f{i}")) for i in (1, 2, 3)] == [1, 1, 1]
    assert len(dom.find("tr", cls="finding")) == 15 and len(dom.find("a", cls="mark")) == 15
    assert len(dom.find("g", cls="bar")) == 24 + 24 + 8
    assert len(dom.within("overview", "tr")) == 4


def test_one_file_has_no_overview():
    assert not Dom(render(checked(RU), "html")).find("table", cls="overview")


def test_chinese_limit_and_half_width_weight():
    report = checked(ZH)
    html = render(report, "html")
    assert "limit 9 CPS" in html and "cue 4 at 0:18 (12.5 CPS)" in html


def test_without_a_timeline_the_reading_speed_findings_are_drawn():
    f = cue_finding("32.0 characters per second, more than 17", cue=3, rule="reading-speed", code="S001",
                    value=32.0, limit=17)
    fr = FileReport(path="a.srt", format="srt", encoding="utf-8", profile="netflix-ru", cues=5, findings=[f])
    assert fr.timeline is None
    html = page(fr)
    dom = Dom(html)
    assert len(dom.find("g", cls="over")) == 1 and len(dom.find("a", cls="mark")) == 1
    assert "only the cues over the limit are drawn" in html


def test_timeline_from_the_check_run():
    (fr,) = checked(RU).files
    assert len(fr.timeline) == 24
    cue, start, end, cps, limit = fr.timeline[9]
    assert (cue, start, end, round(cps, 1), limit) == (10, 40000, 42500, 32.0, 17)


def test_a_long_film_is_drawn_in_spans():
    timeline = [(i, i * 4000, i * 4000 + 3000, 20.0 if i % 50 == 0 else 12.0, 17) for i in range(1, 1501)]
    findings = [cue_finding("fast", cue=i, rule="reading-speed", code="S001") for i in range(50, 1501, 50)]
    fr = FileReport(path="film.srt", format="srt", encoding="utf-8", profile="netflix-ru", cues=1500,
                    findings=findings, timeline=timeline)
    html = page(fr)
    dom = Dom(html)
    bars = dom.find("g", cls="bar")
    assert 200 <= len(bars) <= DENSE_BINS and all("data-span" in b for b in bars)
    assert 30 <= len(dom.find("g", cls="over")) <= 60  # a fast cue may straddle two spans
    assert len(dom.find("a", cls="mark")) == 30
    assert "Each bar is the fastest cue in a span of" in html
    assert len(html) < 600_000


def test_every_finding_of_a_busy_cue_has_its_mark():
    rules = ["line-length", "max-lines", "whitespace", "ellipsis", "overlap", "min-gap", "unclosed-tag"]
    findings = [cue_finding(f"problem {i}", cue=2, rule=r, code=f"X{i:03d}",
                            severity=Severity.ERROR if i % 3 == 0 else Severity.WARNING) for i, r in enumerate(rules)]
    fr = FileReport(path="a.srt", format="srt", encoding="utf-8", profile="netflix-ru", cues=3, findings=findings,
                    timeline=[(1, 0, 2000, 5.0, 17), (2, 3000, 5000, 25.0, 17), (3, -500, 8000, 3.0, 17)])
    html = page(fr)
    dom = Dom(html)
    marks = dom.find("a", cls="mark")
    assert sorted(m["href"] for m in marks) == sorted("#" + r["id"] for r in dom.find("tr", cls="finding"))
    assert len(marks) == 7 and ">+2</text>" in html
    assert 'x="46.0"' in html  # a cue that starts before 0:00 is drawn from the axis


@pytest.mark.parametrize("timeline, bars, says", [
    ([], 0, "No cue has a reading speed to show."),
    ([(1, 0, 1000, None, None), (2, 1000, 3000, 4.0, None)], 1, "the profile sets no reading-speed limit"),
    ([(1, 0, 1000, 40.0, 9), (2, 1000, 1000, None, 9)], 1, "1 cue (50%) over the limit: cue 1 at 0:00 (40.0 CPS)"),
])
def test_unusual_timelines(timeline, bars, says):
    fr = FileReport(path="e.srt", format="srt", encoding="utf-8", profile="p", cues=len(timeline), timeline=timeline)
    html = page(fr, fail_on=None)
    assert len(Dom(html).find("g", cls="bar")) == bars and says in html and "passes (--fail-on never)" in html


def test_findings_without_a_cue_are_listed_not_drawn():
    f = Finding("missing-final-newline", "R002", Severity.INFO, "no newline at the end of the file")
    fr = FileReport(path="a.srt", format="srt", encoding="utf-8", profile="netflix-ru", cues=1,
                    findings=[f], timeline=[(1, 0, 2000, 5.0, 17)])
    dom = Dom(page(fr))
    (row,) = dom.find("tr", cls="finding")
    assert row["data-severity"] == "info" and not dom.find("a", cls="mark")


def test_output_is_deterministic():
    assert render(checked(RU, ZH), "html") == render(checked(RU, ZH), "html")


def test_cli_writes_the_report(tmp_path):
    out = tmp_path / "report.html"
    r = CliRunner().invoke(main, ["check", str(RU), "--format", "html", "-o", str(out)])
    assert r.exit_code == 1 and r.output == ""
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert len(Dom(html).find("tr", cls="finding")) == 9


def test_source_and_translation_side_by_side_with_terms_marked(tmp_path):
    from click.testing import CliRunner

    from subtrans.cli import main

    out = tmp_path / "pairs.html"
    res = CliRunner().invoke(main, ["check", "examples/red-silk.zh.srt", "--source", "examples/red-silk.ru.srt",
                                    "--glossary", "glossaries/operation-red-silk.tsv", "--format", "html",
                                    "-o", str(out)])
    assert res.exit_code == 1, res.output
    page = out.read_text(encoding="utf-8")
    table = page[page.index('<table class="pairs"'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr") == 25                       # header + 24 cues
    assert "<mark>Сибирским экспрессом</mark>" in table   # found by lemma in the source
    assert "<mark>西伯利亚快车</mark>" in table            # and its rendering in the translation
    assert table.count('class="mismatch"') >= 3           # cue-count and glossary findings


def test_no_pairs_table_without_source():
    import subtrans
    from subtrans.checking import run_check
    from subtrans.reports import render

    page = render(run_check(["examples/red-silk.ru.srt"]), "html")
    assert 'class="pairs"' not in page


def test_each_finding_row_shows_its_cues_time_and_text():
    html = render(checked(RU), "html")
    row = re.search(r'<tr id="f1-r\d+" class="finding sev-warning" data-rule="reading-speed".*?</tr>', html, re.S).group(0)
    assert '<td class="time" data-sort="40000">00:00:40,000 → 00:00:42,500</td>' in row
    assert "Вы опоздали. Билеты, паспорта, деньги —<br>в саквояже, а револьвер держите при себе." in row
    assert 'type="search"' in html and html.count('aria-sort="none"') == 8    # a search box; sortable headings


def test_a_large_report_embeds_its_findings_once_as_data(tmp_path):
    """Above 2,000 findings a file's table is data the page draws a page at a time: the page stays small
    (at most 250 bytes a finding here, against over 1,000 as rows), the chart marks one finding a span."""
    import json

    lines = [f"{n}\n00:{n // 60 % 60:02d}:{n % 60:02d},000 --> 00:{n // 60 % 60:02d}:{n % 60:02d},400\n"
             f"Реплика {n}: слишком длинная строка для такого короткого показа на экране." for n in range(1, 3001)]
    src = tmp_path / "big.ru.srt"
    src.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    report = run_check([src])
    findings = len(report.files[0].findings)
    html = render(report, "html")
    assert findings > 3000 and len(html.encode("utf-8")) / findings < 250
    assert not re.search(r'<tr id="f1-r\d', html)                  # no row in the page itself
    blob = re.search(r'<script type="application/json" class="findings-data">(.*?)</script>', html, re.S).group(1)
    data = json.loads(blob)
    assert len(data["rows"]) == findings and len(data["texts"]) == 3000     # each cue's text once
    assert html.count('<a class="mark') <= 240
