"""Reading glossary files (TSV, CSV, TBX) and merging several into one :class:`Glossary`.

Tables (``.tsv``, ``.csv``)
    A header row names the columns, case-insensitively: ``ru``, ``zh``
    (also ``zh-Hans``, ``zh-CN``), ``zh-Hant`` (also ``zh_hant``, ``zh-TW``,
    ``zh-HK``), and the optional ``note``, ``pos``, ``case_sensitive``
    (true/false/yes/no/1/0, empty = false) and ``forbidden`` (variants that
    must not appear in a translation, separated by ``|`` or ``;``). UTF-8
    with or without a BOM (UTF-16 with a BOM, as Excel's "Unicode text"
    writes it, is read too). Fields may use CSV quoting (``"a ""b"" c"``) in
    both formats; a ``.csv`` may be separated by commas or semicolons (the
    header decides). Lines starting with ``#`` and blank lines are skipped.

TBX (``.tbx``, ISO 30042: TBX-Basic ``<martif>`` and TBX v3 ``<tbx>``)
    ``termEntry``/``conceptEntry`` > ``langSet``/``langSec`` (``xml:lang``
    ``ru``, ``zh``, ``zh-CN``, ``zh-Hans``, ``zh-Hant``, ``zh-TW`` ...) >
    ``tig``/``ntig``/``termSec`` > ``term``. A term whose administrative
    status is ``deprecatedTerm-admn-sts`` or ``supersededTerm-admn-sts``
    becomes a forbidden variant; ``descrip type="definition"`` and ``note``
    become the note. Parsed with defusedxml: entity declarations (so entity
    expansion, "billion laughs"), external entities and a DOCTYPE with an
    internal subset are refused; a bare ``<!DOCTYPE martif SYSTEM "...dtd">``
    as TBX-Basic files carry is allowed and its DTD is never fetched.

Strict by default: a bad row is a :class:`GlossaryError` naming the file and
line. What is skipped or overridden goes to :attr:`Glossary.warnings`, one
line each, ``path:line: ...``.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._install import install_hint
from ..errors import GlossaryError
from .terms import Glossary, Term, normalize_term_language, squash

if TYPE_CHECKING:  # pragma: no cover
    from xml.etree.ElementTree import Element

__all__ = ["load_glossary", "load_glossaries", "read_table", "read_tbx", "merge"]

_TABLE_EXTENSIONS = {".tsv": "\t", ".tab": "\t", ".csv": ","}
_TBX_EXTENSIONS = {".tbx", ".xml"}

_COLUMN_ALIASES = {
    "note": "note", "notes": "note", "comment": "note", "comments": "note", "definition": "note",
    "pos": "pos", "part-of-speech": "pos", "partofspeech": "pos",
    "case-sensitive": "case_sensitive", "casesensitive": "case_sensitive",
    "forbidden": "forbidden", "forbidden-variants": "forbidden", "do-not-use": "forbidden",
}
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n", ""}
_FORBIDDEN_SPLIT = re.compile(r"\s*[|;]\s*")


# ---------------------------------------------------------------------------
# Entry points


def load_glossary(path: str | Path) -> Glossary:
    """Read one glossary file: ``.tsv``, ``.csv`` or ``.tbx`` by extension, the content sniffed otherwise."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise GlossaryError(f"cannot read glossary: {exc.strerror or exc}", path=p) from None
    kind = _kind(p, data)
    if kind == "tbx":
        terms, warnings = read_tbx(data, p)
    else:
        text = _decode(data, p)
        terms, warnings = read_table(text, p, delimiter=_TABLE_EXTENSIONS.get(p.suffix.lower()))
    return Glossary(terms=terms, warnings=warnings, sources=[str(p)])


def load_glossaries(paths: Iterable[str | Path] | str | Path) -> Glossary:
    """Read several glossaries and merge them in order: for the same source term a later file wins,
    and each conflict (same term, different target) is one warning line naming both origins."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    merged = Glossary()
    for path in paths:
        g = load_glossary(path)
        merged.warnings.extend(g.warnings)
        merged.sources.extend(g.sources)
        merged.terms, conflicts = merge(merged.terms, g.terms, warn_same=False)
        merged.warnings.extend(conflicts)
    return merged


def merge(old: list[Term], new: Iterable[Term], *, warn_same: bool) -> tuple[list[Term], list[str]]:
    """``old`` with ``new`` laid over it: a term with the same key (:meth:`Term.key`) replaces the
    earlier one in place. Returns the terms and the warnings: one per replaced term whose target
    differs, and with ``warn_same`` (inside one file) also one per repeated row."""
    terms = list(old)
    where = {t.key(): i for i, t in enumerate(terms)}
    warnings: list[str] = []
    for term in new:
        k = term.key()
        i = where.get(k)
        if i is None:
            where[k] = len(terms)
            terms.append(term)
            continue
        prev = terms[i]
        if prev.targets() != term.targets():
            warnings.append(f"{term.origin}: {_show(term)} conflicts with {_show(prev)} from {prev.origin}; "
                            f"the later one wins")
        elif warn_same:
            warnings.append(f"{term.origin}: {_label(term)!r} repeats {prev.origin}; the later row wins")
        terms[i] = term
    return terms, warnings


def _label(term: Term) -> str:
    return term.ru or term.zh or term.zh_hant or ""


def _show(term: Term) -> str:
    target = " / ".join(x for x in (term.zh, term.zh_hant) if x) if term.ru else (term.ru or "-")
    return f"{_label(term)!r} = {target!r}"


# ---------------------------------------------------------------------------
# Format and encoding


def _kind(path: Path, data: bytes) -> str:
    ext = path.suffix.lower()
    if ext in _TBX_EXTENSIONS:
        return "tbx"
    if ext in _TABLE_EXTENSIONS:
        return "table"
    head = data[:4096]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom):]
            break
    stripped = head.replace(b"\x00", b"").lstrip()
    return "tbx" if stripped.startswith(b"<") else "table"


def _decode(data: bytes, path: Path) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise GlossaryError(f"not valid {encoding.replace('-sig', '').upper()} (byte {exc.start})", path=path,
                            line=line, hint="save the glossary as UTF-8") from None


# ---------------------------------------------------------------------------
# TSV / CSV


def _column(name: str) -> str | None:
    key = squash(name).lower().replace("_", "-").replace(" ", "-")
    if key in _COLUMN_ALIASES:
        return _COLUMN_ALIASES[key]
    if key in ("russian",):
        return "ru"
    if key in ("chinese", "simplified-chinese"):
        return "zh"
    if key in ("traditional-chinese",):
        return "zh-hant"
    try:
        return normalize_term_language(key)
    except ValueError:
        return None


def _blank_comments(text: str) -> list[str]:
    """The lines of ``text`` (ends kept) with comment lines emptied, so the csv module sees the same
    line numbers and yields an empty row for them."""
    lines = text.splitlines(keepends=True)
    return ["\n" if line.lstrip(" \ufeff").startswith("#") else line for line in lines]


def _rows(lines: list[str], delimiter: str, path: Path) -> list[tuple[int, list[str]]]:
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise GlossaryError(f"unreadable row: {exc}", path=path, line=start) from None
    return rows


def _header_map(row: list[str]) -> dict[int, str]:
    return {i: c for i, c in ((i, _column(name)) for i, name in enumerate(row)) if c is not None}


def _choose_delimiter(text: str, preferred: str | None) -> str:
    """The delimiter whose header row names a Russian and a Chinese column (the preferred one first)."""
    header = next((ln for ln in _blank_comments(text) if ln.strip()), "")
    candidates = [preferred] if preferred else []
    candidates += [d for d in ("\t", ",", ";") if d != preferred]
    best = None
    for d in candidates:
        if d is None:
            continue
        row = next(csv.reader([header], delimiter=d), [])
        cols = set(_header_map(row).values())
        if "ru" in cols and cols & {"zh", "zh-hant"}:
            return d
        if best is None and d in header:
            best = d
    return preferred or best or "\t"


def read_table(text: str, path: str | Path, delimiter: str | None = None) -> tuple[list[Term], list[str]]:
    """Terms and warnings from the text of a TSV/CSV glossary (``delimiter`` None: from the header)."""
    path = Path(path)
    if text.startswith("\ufeff"):
        text = text[1:]
    delimiter = _choose_delimiter(text, delimiter)
    rows = [(n, r) for n, r in _rows(_blank_comments(text), delimiter, path) if any(f.strip() for f in r)]
    if not rows:
        raise GlossaryError("empty glossary: no header row", path=path,
                            hint="the first row names the columns, e.g. ru<TAB>zh<TAB>note")
    header_line, header = rows[0]
    columns: dict[str, int] = {}
    warnings: list[str] = []
    for i, name in enumerate(header):
        col = _column(name)
        if col is None:
            if name.strip():
                warnings.append(f"{path}:{header_line}: unknown column {name.strip()!r} ignored")
            continue
        if col in columns:
            raise GlossaryError(f"column {col!r} appears twice in the header", path=path, line=header_line,
                                text=name)
        columns[col] = i
    missing = [c for c in ("ru", "zh") if c not in columns and not (c == "zh" and "zh-hant" in columns)]
    if missing:
        sep = "TAB" if delimiter == "\t" else repr(delimiter)
        raise GlossaryError(f"the header names no {' and no '.join(missing)} column", path=path,
                            line=header_line, text="\t".join(header) if delimiter == "\t" else delimiter.join(header),
                            hint=f"the first row must name the columns (ru, zh, optional zh-Hant, note, pos, "
                                 f"case_sensitive, forbidden), separated by {sep}")
    width = len(header)
    names = ", ".join(h.strip() for h in header)
    parsed: list[Term] = []
    for line, row in rows[1:]:
        if any("\n" in f or "\r" in f for f in row) and len(row) != width:
            raise GlossaryError("a quote opened in this row is never closed", path=path, line=line,
                                text=delimiter.join(row).split("\n")[0],
                                hint='inside a quoted field write a quote twice (""); a field that is not quoted '
                                     'must not start with a quote')
        if len(row) != width:
            raise GlossaryError(f"{len(row)} field(s), the header has {width} ({names})", path=path, line=line,
                                text=(delimiter.join(row)),
                                hint="keep one field per column: leave a field empty but keep its separator")

        def get(col: str) -> str:
            i = columns.get(col)
            return "" if i is None else unicodedata.normalize("NFC", row[i]).strip()

        for col in ("ru", "zh", "zh-hant"):
            if "\n" in get(col) or "\r" in get(col):
                raise GlossaryError(f"the {col} term spans several lines (an unclosed quote?)", path=path,
                                    line=line, text=get(col))
        ru, zh, zh_hant = (squash(get(c)) or None for c in ("ru", "zh", "zh-hant"))
        flag = get("case_sensitive").lower()
        if flag in _TRUE:
            case_sensitive = True
        elif flag in _FALSE:
            case_sensitive = False
        else:
            raise GlossaryError(f"case_sensitive must be true or false (yes/no, 1/0), not {get('case_sensitive')!r}",
                                path=path, line=line, text=get("case_sensitive"))
        forbidden = tuple(dict.fromkeys(squash(v) for v in _FORBIDDEN_SPLIT.split(get("forbidden")) if v.strip()))
        origin = f"{path}:{line}"
        if not ru and not zh and not zh_hant:
            if forbidden:
                parsed.append(Term(None, None, forbidden=forbidden, note=get("note"), origin=origin))
            else:
                warnings.append(f"{origin}: no term in this row (skipped)")
            continue
        if zh is None and zh_hant:
            zh = _simplified(zh_hant)
        if not ru or not (zh or zh_hant):
            if not forbidden:
                given, lacking = ("ru", "zh") if ru else ("zh", "ru")
                warnings.append(f"{origin}: only {given} given, no {lacking} (skipped; a row with one language "
                                f"is kept only for its forbidden variants)")
                continue
        parsed.append(Term(ru=ru, zh=zh, zh_hant=zh_hant, note=get("note"), pos=get("pos"),
                           case_sensitive=case_sensitive, forbidden=forbidden, origin=origin))
    terms, more = merge([], parsed, warn_same=True)
    return terms, sorted(warnings + more, key=lambda w: _line_of(w, path))


def _line_of(warning: str, path: Path) -> int:
    head = warning[len(str(path)) + 1:].split(":", 1)[0]
    return int(head) if head.isdigit() else 0


def _simplified(zh_hant: str) -> str | None:
    """Simplified from Traditional for a row that gives only ``zh-Hant`` (None without OpenCC)."""
    from ..errors import ConfigError
    from ..lang.chinese import to_simplified

    try:
        return to_simplified(zh_hant)
    except ConfigError:
        return None


# ---------------------------------------------------------------------------
# TBX

_ENTRY = {"termEntry", "conceptEntry", "entry"}
_LANG = {"langSet", "langSec", "langGroup"}
_TERM_HOLDER = {"tig", "ntig", "termSec", "termGroup"}
_STATUS_TYPES = {"administrativeStatus", "normativeAuthorization", "termStatus"}
_BAD_STATUS = ("deprecated", "superseded", "notrecommended", "obsolete")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _tbx_parser() -> Any:
    """A defusedxml ElementTree parser that records each element's line and refuses entity
    declarations, external entities and a DOCTYPE with an internal subset."""
    from defusedxml import DTDForbidden
    from defusedxml.ElementTree import DefusedXMLParser

    class _Parser(DefusedXMLParser):  # type: ignore[misc]  # defusedxml has no type information
        def __init__(self) -> None:
            super().__init__(forbid_dtd=False, forbid_entities=True, forbid_external=True)
            self.lines: dict[int, int] = {}
            self._subset: tuple[str, str | None, str | None] | None = None
            self.parser.StartDoctypeDeclHandler = self._start_doctype
            self.parser.EndDoctypeDeclHandler = self._end_doctype

        def _start_doctype(self, name: str, sysid: str | None, pubid: str | None, has_internal_subset: int) -> None:
            if has_internal_subset:
                self._subset = (name, sysid, pubid)

        def _end_doctype(self) -> None:
            # Reached only when the subset declared no entity (that is refused on the spot).
            if self._subset is not None:
                raise DTDForbidden(*self._subset)

        def _start(self, tag: str, attr_list: list[str]) -> Any:
            elem = super()._start(tag, attr_list)
            self.lines[id(elem)] = self.parser.CurrentLineNumber
            return elem

    return _Parser()


def _parse_xml(data: bytes, path: Path) -> tuple[Element, dict[int, int]]:
    try:
        from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
        from defusedxml.ElementTree import ParseError
    except ImportError:
        raise GlossaryError("reading TBX needs defusedxml, which is not installed", path=path,
                            hint=install_hint("glossary") + ", or the mt extra") from None
    parser = _tbx_parser()
    try:
        parser.feed(data)
        root = parser.close()
    except DTDForbidden:
        raise GlossaryError("refused: the TBX has a DOCTYPE with an internal subset (DTD declarations)", path=path,
                            line=parser.parser.CurrentLineNumber,
                            hint="remove the [...] part of <!DOCTYPE ...>; glossaries may not declare a DTD") from None
    except EntitiesForbidden as exc:
        raise GlossaryError(f"refused: the TBX declares the XML entity {exc.name!r}", path=path,
                            line=parser.parser.CurrentLineNumber,
                            hint="entity declarations (and their expansion) are not allowed in a glossary") from None
    except ExternalReferenceForbidden as exc:
        raise GlossaryError(f"refused: the TBX refers to an external resource {exc.sysid!r}", path=path,
                            line=parser.parser.CurrentLineNumber,
                            hint="external entities are never fetched") from None
    except DefusedXmlException as exc:  # pragma: no cover - any other refusal
        raise GlossaryError(f"refused: {exc}", path=path) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        msg = re.sub(r":\s*line \d+, column \d+$", "", str(exc))
        raise GlossaryError(f"not well-formed XML: {msg}", path=path, line=line) from None
    return root, parser.lines


def read_tbx(data: bytes, path: str | Path) -> tuple[list[Term], list[str]]:
    """Terms and warnings from the bytes of a TBX file (see the module docstring)."""
    path = Path(path)
    root, lines = _parse_xml(data, path)
    if _local(root.tag) not in ("martif", "tbx", "TBX"):
        raise GlossaryError(f"not a TBX file: the root element is <{_local(root.tag)}>, not <tbx> or <martif>",
                            path=path, line=lines.get(id(root)))
    parsed: list[Term] = []
    warnings: list[str] = []
    skipped: list[int] = []
    for entry in root.iter():
        if _local(entry.tag) not in _ENTRY:
            continue
        line = lines.get(id(entry))
        origin = f"{path}:{line}"
        terms, note = _tbx_entry(entry)
        allowed = {lang: [t for t, bad, _ in terms.get(lang, []) if not bad] for lang in ("ru", "zh", "zh-hant")}
        forbidden = tuple(dict.fromkeys(t for lang in terms for t, bad, _ in terms[lang] if bad))
        pos = next((p for lang in ("ru", "zh", "zh-hant") for t, bad, p in terms.get(lang, []) if not bad and p), "")
        ru = allowed["ru"][0] if allowed["ru"] else None
        zh_hant = allowed["zh-hant"][0] if allowed["zh-hant"] else None
        zh = allowed["zh"][0] if allowed["zh"] else (_simplified(zh_hant) if zh_hant else None)
        if not (ru and (zh or zh_hant)):
            if forbidden:
                parsed.append(Term(ru=ru, zh=zh, zh_hant=zh_hant, note=note, pos=pos, forbidden=forbidden,
                                   origin=origin))
            elif ru or zh or zh_hant:
                skipped.append(line or 0)
            continue
        for lang in ("zh", "zh-hant"):
            for other in allowed[lang][1:]:
                warnings.append(f"{origin}: only the first {lang} term of an entry is used as the target; "
                                f"{other!r} ignored")
        common: dict[str, Any] = dict(zh=zh, zh_hant=zh_hant, note=note, pos=pos, forbidden=forbidden, origin=origin)
        # Russian synonyms become terms of their own with the same target, before the preferred
        # term, so that where several share a Chinese form the preferred one (the later) wins.
        for synonym in allowed["ru"][1:]:
            parsed.append(Term(ru=synonym, **common))
        parsed.append(Term(ru=ru, **common))
    if skipped:
        warnings.append(f"{path}:{skipped[0]}: {len(skipped)} entr{'y' if len(skipped) == 1 else 'ies'} with only "
                        f"one of ru and zh skipped")
    merged, more = merge([], parsed, warn_same=True)
    return merged, warnings + more


def _text(elem: Element) -> str:
    return squash("".join(elem.itertext()))


def _tbx_entry(entry: Element) -> tuple[dict[str, list[tuple[str, bool, str]]], str]:
    """{language: [(term, forbidden, pos)]} (preferred terms first) and the note of one entry."""
    terms: dict[str, list[tuple[str, bool, str]]] = {}
    notes: list[str] = []

    def note_of(elem: Element) -> None:
        name = _local(elem.tag)
        if (name == "descrip" and elem.get("type") == "definition") or name in ("definition", "note"):
            text = _text(elem)
            if text and text not in notes:
                notes.append(text)

    def walk_notes(elem: Element, stop: set[str]) -> None:
        for child in elem:
            if _local(child.tag) in stop:
                continue
            note_of(child)
            walk_notes(child, stop)

    walk_notes(entry, _LANG)
    for lang_elem in entry:
        if _local(lang_elem.tag) not in _LANG:
            continue
        code = lang_elem.get(_XML_LANG) or lang_elem.get("lang") or ""
        try:
            lang = normalize_term_language(code)
        except ValueError:
            continue
        walk_notes(lang_elem, _TERM_HOLDER)
        holders = [h for h in lang_elem.iter() if _local(h.tag) in _TERM_HOLDER]
        seen = set()
        for holder in holders:
            term_elem = next((e for e in holder.iter() if _local(e.tag) == "term"), None)
            if term_elem is None or id(term_elem) in seen:
                continue
            seen.add(id(term_elem))
            term = _text(term_elem)
            if not term:
                continue
            status, pos = "", ""
            for e in holder.iter():
                name = _local(e.tag)
                kind = e.get("type") if name == "termNote" else name
                if kind in _STATUS_TYPES:
                    status = _text(e).lower()
                elif kind == "partOfSpeech":
                    pos = _text(e)
                else:
                    note_of(e)
            bad = any(b in status.replace(" ", "") for b in _BAD_STATUS)
            preferred = "preferred" in status
            bucket = terms.setdefault(lang, [])
            entry_t = (term, bad, pos)
            if preferred and not bad:
                first_ok = next((i for i, t in enumerate(bucket) if not t[1]), len(bucket))
                bucket.insert(first_ok, entry_t)
            else:
                bucket.append(entry_t)
    return terms, "; ".join(notes)
