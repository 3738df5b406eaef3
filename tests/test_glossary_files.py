"""Glossary files: TSV/CSV tables, TBX (and hostile TBX), merging, the film glossary."""

from __future__ import annotations

import builtins
import csv
import http.server
import io
import pickle
import socket
import threading
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subtrans.errors import GlossaryError
from subtrans.glossary import Glossary, Term, load_glossaries, load_glossary

ROOT = Path(__file__).parent.parent
FILM = ROOT / "glossaries" / "operation-red-silk.tsv"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


# ---------------------------------------------------------------------------
# Tables


def test_tsv_with_every_column_comments_blank_lines_and_bom(tmp_path):
    p = write(tmp_path, "g.tsv", "\ufeff# a comment\n"
              "RU\tZH\tzh_Hant\tNote\tPOS\tCase_Sensitive\tForbidden\n"
              "\n"
              "Сибирский экспресс\t西伯利亚快车\t\tthe train\ttrain\tno\t西伯利亚特快 | 西伯利亚号\n"
              "  # an indented comment\n"
              "Кантон\t广州\t廣州\t\tplace\tTRUE\t\n")
    g = load_glossary(p)
    assert g.warnings == [] and g.sources == [str(p)] and len(g) == 2
    train, canton = g.terms
    assert train == Term("Сибирский экспресс", "西伯利亚快车", None, "the train", "train", False,
                         ("西伯利亚特快", "西伯利亚号"), f"{p}:4")
    assert canton.case_sensitive and canton.zh_hant == "廣州" and canton.origin == f"{p}:6"


def test_tsv_with_csv_quoting(tmp_path):
    p = write(tmp_path, "g.tsv", 'ru\tzh\tnote\n'
              '"Красная армия"\t红军\t"a ""quoted"" note\twith a tab"\n'
              'ГПУ\t格别乌\tplain "inner" quotes\n')
    g = load_glossary(p)
    assert [t.note for t in g.terms] == ['a "quoted" note\twith a tab', 'plain "inner" quotes']
    assert g.terms[0].ru == "Красная армия"


@pytest.mark.parametrize("name, text", [
    ("comma.csv", 'ru,zh,forbidden\nХарбин,哈尔滨,"Харбинь; 哈尔宾"\n'),
    ("semicolon.csv", 'ru;zh;forbidden\nХарбин;哈尔滨;"Харбинь; 哈尔宾"\n'),
    ("tabs.txt", "ru\tzh\tforbidden\nХарбин\t哈尔滨\tХарбинь|哈尔宾\n"),
    ("comma.txt", "ru,zh,forbidden\nХарбин,哈尔滨,Харбинь|哈尔宾\n"),
])
def test_delimiters_and_sniffing(tmp_path, name, text):
    g = load_glossary(write(tmp_path, name, text))
    assert [(t.ru, t.zh, t.forbidden) for t in g.terms] == [("Харбин", "哈尔滨", ("Харбинь", "哈尔宾"))]


def test_utf16_with_bom(tmp_path):
    p = write(tmp_path, "excel.txt", "ru\tzh\nМосква\t莫斯科\n".encode("utf-16"))
    assert [(t.ru, t.zh) for t in load_glossary(p).terms] == [("Москва", "莫斯科")]


def test_traditional_only_row_gets_simplified(tmp_path):
    g = load_glossary(write(tmp_path, "g.tsv", "ru\tzh-TW\nСибирский экспресс\t西伯利亞快車\n"))
    t = g.terms[0]
    assert (t.zh, t.zh_hant, t.text("zh-hant")) == ("西伯利亚快车", "西伯利亞快車", "西伯利亞快車")


@pytest.mark.parametrize("text, line, fragment", [
    ("ru\tnote\nМосква\tcity\n", 1, "no zh column"),
    ("# c\nzh\tnote\n莫斯科\tcity\n", 2, "no ru column"),
    ("word\tmeaning\nМосква\t莫斯科\n", 1, "no ru and no zh column"),
    ("ru\tzh\tzh-CN\nМосква\t莫斯科\t莫斯科\n", 1, "appears twice"),
    ("ru\tzh\tnote\nМосква\t莫斯科\tcity\n\n# c\nОмск\t鄂木斯克\tcity\textra\n", 5, "4 field(s), the header has 3"),
    ("ru\tzh\tnote\nМосква\t莫斯科\tcity\nОмск\t鄂木斯克\n", 3, "2 field(s), the header has 3"),
    ("ru\tzh\tcase_sensitive\nМосква\t莫斯科\tmaybe\n", 2, "case_sensitive must be true or false"),
    ('ru\tzh\nМосква\t莫斯科\n"Омск\t鄂木斯克\nЧита\t赤塔\n', 3, "a quote opened in this row is never closed"),
    ("", None, "empty glossary"),
    ("# only comments\n\n", None, "empty glossary"),
])
def test_bad_files_name_path_and_line(tmp_path, text, line, fragment):
    p = write(tmp_path, "bad.tsv", text)
    with pytest.raises(GlossaryError) as exc:
        load_glossary(p)
    err = exc.value
    assert err.path == str(p) and err.line == line
    assert str(err).startswith(f"{p}:{line}: " if line else f"{p}: ")
    assert fragment in str(err) and "\n" not in str(err)
    assert pickle.loads(pickle.dumps(err)).line == line


def test_not_utf8_names_the_line(tmp_path):
    p = write(tmp_path, "cp1251.tsv", "ru\tzh\nМосква\t莫斯科\n".encode("utf-8")[:10] + "\nКрасная".encode("cp1251"))
    with pytest.raises(GlossaryError, match="not valid UTF-8") as exc:
        load_glossary(p)
    assert exc.value.line == 3 and "UTF-8" in exc.value.hint


def test_missing_file(tmp_path):
    with pytest.raises(GlossaryError, match="cannot read glossary") as exc:
        load_glossary(tmp_path / "nope.tsv")
    assert exc.value.path == str(tmp_path / "nope.tsv")


def test_warnings_for_skipped_and_repeated_rows(tmp_path):
    p = write(tmp_path, "g.tsv", "ru\tzh\tforbidden\tcolour\n"
              "Москва\t莫斯科\t\tred\n"          # 2
              "Омск\t\t\t\n"                   # 3: one language, no forbidden -> skipped
              "\t\t西伯利亚特快\t\n"             # 4: blacklist rows, kept silently
              "Верхнеудинск\t\tУлан-Удэ\t\n"    # 5: one language with forbidden: kept
              "москва\t莫斯科市\t\t\n"           # 6: same term, different target: the later wins
              "Харбин\t哈尔滨\t\t\n"             # 7
              "Харбин\t哈尔滨\t\t\n"             # 8: repeated
              "\t\t\tblue\n"                   # 9: no term at all
              "\t\tКГБ\t\n")                   # 10: another blacklist row
    g = load_glossary(p)
    assert g.warnings == [
        f"{p}:1: unknown column 'colour' ignored",
        f"{p}:3: only ru given, no zh (skipped; a row with one language is kept only for its forbidden variants)",
        f"{p}:6: 'москва' = '莫斯科市' conflicts with 'Москва' = '莫斯科' from {p}:2; the later one wins",
        f"{p}:8: 'Харбин' repeats {p}:7; the later row wins",
        f"{p}:9: no term in this row (skipped)",
    ]
    assert [(t.ru, t.zh, t.forbidden) for t in g.terms] == [
        ("москва", "莫斯科市", ()), (None, None, ("西伯利亚特快",)), ("Верхнеудинск", None, ("Улан-Удэ",)),
        ("Харбин", "哈尔滨", ()), (None, None, ("КГБ",))]


# ---------------------------------------------------------------------------
# Merging and the hash


def test_later_file_wins_and_each_conflict_is_one_line(tmp_path):
    base = write(tmp_path, "base.tsv", "ru\tzh\tnote\n"
                 "Сибирский экспресс\t西伯利亚特快\t\n"
                 "Харбин\t哈尔滨\tcity\n"
                 "Москва\t莫斯科\t\n")
    film = write(tmp_path, "film.csv", "zh,ru\n西伯利亚快车,Сибирский экспресс\n哈尔滨,Харбин\n,Чита\n")
    g = load_glossaries([base, film])
    assert g.sources == [str(base), str(film)]
    assert [(t.ru, t.zh, t.origin) for t in g.terms] == [
        ("Сибирский экспресс", "西伯利亚快车", f"{film}:2"), ("Харбин", "哈尔滨", f"{film}:3"),
        ("Москва", "莫斯科", f"{base}:4")]
    assert g.warnings == [
        f"{film}:4: only ru given, no zh (skipped; a row with one language is kept only for its forbidden variants)",
        f"{film}:2: 'Сибирский экспресс' = '西伯利亚快车' conflicts with 'Сибирский экспресс' = '西伯利亚特快' "
        f"from {base}:2; the later one wins",
    ]
    # the same term with the same target in two files is no conflict
    assert load_glossaries([base, base]).warnings == []
    assert load_glossaries(base).terms == load_glossary(base).terms


def test_hash_is_stable_and_covers_content_only(tmp_path):
    a = write(tmp_path, "a.tsv", "ru\tzh\nМосква\t莫斯科\nОмск\t鄂木斯克\n")
    b = write(tmp_path, "elsewhere.tsv", "# same terms, other order, other file\nzh\tru\n鄂木斯克\tОмск\n莫斯科\tМосква\n")
    c = write(tmp_path, "c.tsv", "ru\tzh\nМосква\t莫斯科\nОмск\t鄂木斯克市\n")
    ha = load_glossary(a).hash
    assert len(ha) == 16 and int(ha, 16) >= 0
    assert ha == load_glossary(b).hash != load_glossary(c).hash
    assert ha == load_glossary(a).hash
    empty = load_glossaries([])
    assert empty.hash == "none" and not empty and len(empty) == 0
    assert Glossary([Term("Москва", "莫斯科")]) and len(Glossary([Term("Москва", "莫斯科")])) == 1


cyrillic_word = st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЭЮЯ-", min_size=1,
                        max_size=12).filter(lambda w: w.strip("-"))
han = st.text(alphabet="莫斯科红军西伯利亚快车哈尔滨中东铁路同志", min_size=1, max_size=8)
note = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\u0085"),
               max_size=30).map(str.strip)
forbidden = st.lists(st.text(alphabet="特快号西伯利亚ABCabc ", min_size=1, max_size=6).map(str.strip)
                     .filter(bool), max_size=3, unique=True)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.lists(cyrillic_word, min_size=1, max_size=3).map(" ".join), han, note, st.booleans(),
                          forbidden),
                min_size=1, max_size=8, unique_by=lambda r: r[0].casefold().replace("ё", "е")),
       st.sampled_from(["\t", ",", ";"]))
def test_table_round_trip(tmp_path_factory, rows, delimiter):
    """Whatever csv.writer writes (quotes, tabs, delimiters inside fields), the reader reads back."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(["ru", "zh", "note", "case_sensitive", "forbidden"])
    for ru, zh, n, cs, fb in rows:
        w.writerow([ru, zh, n, "true" if cs else "false", "|".join(fb)])
    p = tmp_path_factory.mktemp("rt") / ("g.tsv" if delimiter == "\t" else "g.csv")
    p.write_text(buf.getvalue(), encoding="utf-8")
    g = load_glossary(p)
    assert g.warnings == []
    assert [(t.ru, t.zh, t.note, t.case_sensitive, t.forbidden) for t in g.terms] == [
        (ru, zh, unicodedata.normalize("NFC", n).strip(), cs, tuple(" ".join(v.split()) for v in fb))
        for ru, zh, n, cs, fb in rows]


# ---------------------------------------------------------------------------
# TBX

TBX_BASIC = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">
<martif type="TBX-Basic" xml:lang="en">
  <martifHeader><fileDesc><sourceDesc><p>Operation Red Silk</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry id="e1">
      <descrip type="definition">The film's train.</descrip>
      <langSet xml:lang="ru">
        <tig>
          <term>Сибирский экспресс</term>
          <termNote type="partOfSpeech">noun</termNote>
          <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote>
        </tig>
      </langSet>
      <langSet xml:lang="zh-CN">
        <tig><term>西伯利亚特快</term>
          <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
        <ntig><termGrp><term>西伯利亚快车</term>
          <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termGrp></ntig>
      </langSet>
      <langSet xml:lang="zh-TW"><tig><term>西伯利亞快車</term></tig></langSet>
    </termEntry>
    <termEntry id="e2">
      <langSet xml:lang="en"><tig><term>Harbin</term></tig></langSet>
      <langSet xml:lang="ru"><tig><term>Харбин</term></tig></langSet>
      <langSet xml:lang="zh"><tig><term>哈尔滨</term></tig></langSet>
      <note>Headquarters of the CER.</note>
    </termEntry>
    <termEntry id="e3">
      <langSet xml:lang="en"><tig><term>only English</term></tig></langSet>
    </termEntry>
    <termEntry id="e4">
      <langSet xml:lang="ru"><tig><term>Омск</term></tig></langSet>
    </termEntry>
  </body></text>
</martif>
"""

TBX_V3_DCA = """<?xml version="1.0" encoding="UTF-8"?>
<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCA/TBXcoreStructV03_TBX-Basic_integrated.rng" type="application/xml" schematypens="http://relaxng.org/ns/structure/1.0"?>
<tbx style="dca" type="TBX-Basic" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <tbxHeader><fileDesc><sourceDesc><p>Operation Red Silk</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="c1">
      <langSec xml:lang="ru">
        <termSec>
          <term>РККА</term>
          <termNote type="administrativeStatus">admittedTerm-admn-sts</termNote>
        </termSec>
        <termSec>
          <term>Красная армия</term>
          <termNote type="partOfSpeech">noun</termNote>
          <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote>
        </termSec>
      </langSec>
      <langSec xml:lang="zh-Hans">
        <descrip type="definition">The Soviet army.</descrip>
        <termSec><term>红军</term></termSec>
        <termSec><term>红色军队</term>
          <termNote type="administrativeStatus">supersededTerm-admn-sts</termNote></termSec>
      </langSec>
      <langSec xml:lang="zh-Hant"><termSec><term>紅軍</term></termSec></langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""

TBX_V3_DCT = """<?xml version="1.0" encoding="UTF-8"?>
<tbx style="dct" type="TBX-Basic" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2"
     xmlns:basic="http://www.tbxinfo.net/ns/basic">
  <tbxHeader><fileDesc><sourceDesc><p>x</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="c7">
      <basic:definition>A spoken password between agents.</basic:definition>
      <langSec xml:lang="ru"><termSec><term>пароль</term><basic:partOfSpeech>noun</basic:partOfSpeech></termSec></langSec>
      <langSec xml:lang="zh">
        <termSec><term>暗号</term><basic:administrativeStatus>preferredTerm-admn-sts</basic:administrativeStatus></termSec>
        <termSec><term>密码</term><basic:administrativeStatus>deprecatedTerm-admn-sts</basic:administrativeStatus></termSec>
      </langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""


def test_tbx_basic(tmp_path):
    p = write(tmp_path, "film.tbx", TBX_BASIC)
    g = load_glossary(p)
    assert g.terms == [
        Term("Сибирский экспресс", "西伯利亚快车", "西伯利亞快車", "The film's train.", "noun", False,
             ("西伯利亚特快",), f"{p}:6"),
        Term("Харбин", "哈尔滨", None, "Headquarters of the CER.", "", False, (), f"{p}:23"),
    ]
    assert g.warnings == [f"{p}:32: 1 entry with only one of ru and zh skipped"]


def test_tbx_v3_dca_synonyms_and_superseded_terms(tmp_path):
    p = write(tmp_path, "v3.tbx", TBX_V3_DCA)
    g = load_glossary(p)
    common = dict(zh="红军", zh_hant="紅軍", note="The Soviet army.", pos="noun", forbidden=("红色军队",),
                  origin=f"{p}:6")
    # the preferred term comes last, so that where both share 红军 it is the one Chinese -> Russian uses
    assert g.terms == [Term("РККА", **common), Term("Красная армия", **common)]
    assert g.warnings == []


def test_tbx_v3_dct(tmp_path):
    g = load_glossary(write(tmp_path, "dct.xml", TBX_V3_DCT))
    assert [(t.ru, t.zh, t.note, t.pos, t.forbidden) for t in g.terms] == [
        ("пароль", "暗号", "A spoken password between agents.", "noun", ("密码",))]


def test_tbx_content_is_sniffed_for_other_extensions(tmp_path):
    assert len(load_glossary(write(tmp_path, "film.glossary", TBX_V3_DCA))) == 2


@pytest.mark.parametrize("text, fragment, line", [
    ("<tbx><text><body><conceptEntry>", "not well-formed XML", 1),
    ("<?xml version='1.0'?>\n<html><body/></html>", "not a TBX file: the root element is <html>", 2),
])
def test_bad_tbx(tmp_path, text, fragment, line):
    with pytest.raises(GlossaryError, match=fragment) as exc:
        load_glossary(write(tmp_path, "bad.tbx", text))
    assert exc.value.line == line


# Hostile TBX: nothing may be fetched, read or expanded.

class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802
        type(self).requests.append(self.path)
        body = b'<!ENTITY secret "LEAKED">' if self.path.endswith(".dtd") else b"LEAKED"
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def _httpd():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def server(_httpd):
    """A local HTTP server that would serve a DTD or an entity, and the requests it received."""
    _Recorder.requests.clear()
    return _httpd, _Recorder.requests


@pytest.fixture
def watched(monkeypatch):
    """Record every Python-level file open and outgoing connection."""
    opened: list[str] = []
    connects: list[object] = []
    real_open = io.open

    def spy_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    def no_connect(self, address):
        connects.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_open)
    monkeypatch.setattr(socket.socket, "connect", no_connect)
    return opened, connects


def _entry(term: str) -> str:
    return (f'<martif type="TBX-Basic"><text><body><termEntry>'
            f'<langSet xml:lang="ru"><tig><term>{term}</term></tig></langSet>'
            f'<langSet xml:lang="zh"><tig><term>红军</term></tig></langSet>'
            f'</termEntry></body></text></martif>')


BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE martif [\n <!ENTITY lol "lol">\n'
                  + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
                            for i in range(1, 10))
                  + "]>\n" + _entry("&lol9;"))


def hostile_cases(secret: Path, base: str) -> dict[str, tuple[str, str]]:
    return {
        "billion laughs": (BILLION_LAUGHS, "declares the XML entity 'lol'"),
        "external entity, local file": (
            f'<?xml version="1.0"?>\n<!DOCTYPE martif [<!ENTITY xxe SYSTEM "file://{secret}">]>\n' + _entry("&xxe;"),
            "declares the XML entity 'xxe'"),
        "external entity, http": (
            f'<?xml version="1.0"?>\n<!DOCTYPE martif [<!ENTITY xxe SYSTEM "{base}/x.txt">]>\n' + _entry("&xxe;"),
            "declares the XML entity 'xxe'"),
        "parameter entity, http": (
            f'<?xml version="1.0"?>\n<!DOCTYPE martif [<!ENTITY % dtd SYSTEM "{base}/p.dtd"> %dtd;]>\n'
            + _entry("&secret;"), "declares the XML entity 'dtd'"),
        "DOCTYPE with an internal subset": (
            '<?xml version="1.0"?>\n<!DOCTYPE martif [<!ELEMENT martif ANY>]>\n' + _entry("x"),
            "DOCTYPE with an internal subset"),
        "external DTD that would define the entity": (
            f'<?xml version="1.0"?>\n<!DOCTYPE martif SYSTEM "{base}/defs.dtd">\n' + _entry("&secret;"),
            "undefined entity"),
        "external DTD on disk that would define the entity": (
            f'<?xml version="1.0"?>\n<!DOCTYPE martif SYSTEM "file://{secret.with_suffix(".dtd")}">\n'
            + _entry("&secret;"), "undefined entity"),
    }


@pytest.mark.parametrize("case", list(hostile_cases(Path("/x"), "http://x")))
def test_hostile_tbx_is_refused_without_reading_or_fetching(tmp_path, server, watched, case):
    base, requests = server
    secret = tmp_path / "secret.txt"
    secret.write_text("LEAKED", encoding="utf-8")
    secret.with_suffix(".dtd").write_text('<!ENTITY secret "LEAKED">', encoding="utf-8")
    text, fragment = hostile_cases(secret, base)[case]
    p = write(tmp_path, "hostile.tbx", text)
    opened, connects = watched
    opened.clear()
    t0 = time.perf_counter()
    with pytest.raises(GlossaryError) as exc:
        load_glossary(p)
    assert time.perf_counter() - t0 < 2
    message = str(exc.value)
    assert fragment in message and "LEAKED" not in message and "\n" not in message
    assert message.startswith(f"{p}:")
    assert requests == [] and connects == []
    assert opened == [str(p)]


def test_a_bare_doctype_is_allowed_and_not_fetched(tmp_path, server, watched):
    base, requests = server
    p = write(tmp_path, "ok.tbx", f'<?xml version="1.0"?>\n<!DOCTYPE martif SYSTEM "{base}/TBXBasic.dtd">\n'
              + _entry("Красная армия"))
    g = load_glossary(p)
    assert [(t.ru, t.zh) for t in g.terms] == [("Красная армия", "红军")]
    assert requests == [] and watched[1] == []


# ---------------------------------------------------------------------------
# The film glossary


def test_film_glossary_loads_cleanly():
    g = load_glossary(FILM)
    assert g.warnings == []
    both = [t for t in g.terms if t.ru and t.zh]
    assert len(both) >= 40
    assert all(t.origin.startswith(f"{FILM}:") for t in g.terms)
    wanted = {"Москва": "莫斯科", "Харбин": "哈尔滨", "Пекин": "北京", "ОГПУ": "国家政治保卫总局",
              "Красная армия": "红军", "Коминтерн": "共产国际", "Гоминьдан": "国民党", "КВЖД": "中东铁路",
              "Белая гвардия": "白卫军", "красноармеец": "红军战士", "проводник": "列车员",
              "Сибирский экспресс": "西伯利亚快车"}
    by_ru = {t.ru: t for t in g.terms}
    assert {ru: by_ru[ru].zh for ru in wanted} == wanted
    assert "西伯利亚特快" in by_ru["Сибирский экспресс"].forbidden
    assert "1928" in by_ru["Пекин"].note and "北平" in by_ru["Пекин"].note
    assert "Новониколаевск" in by_ru["Новосибирск"].note
    for t in both:  # every Traditional form can be derived
        assert t.text("zh-hant")
