"""TTML1, DFXP and IMSC 1.0.1/1.1 Text (.ttml, .dfxp, .xml), read and written through ttconv.

ttconv (Sandflow's timed-text converter, BSD) owns the TTML grammar: time expressions of every form
(clock time, offset time in h/m/s/ms/f/t, frames with ``ttp:frameRate`` and ``ttp:frameRateMultiplier``,
ticks with ``ttp:tickRate``), ``dur``, styles by reference and inline, regions. This module only parses the
XML safely and maps ttconv's document model to and from the track:

- **XML, safely.** A DOCTYPE, an entity declaration or an external entity refuses the file (one line, with
  its line number); nothing is ever fetched. Expat (no DTD processing at all) gives the line of each
  ``<p>``, where the findings of its cue point.
- **A cue per paragraph** (``<p>``), its times made absolute through its ``<body>`` and ``<div>``
  ancestors (parallel time containers, as IMSC has them); a paragraph whose own times are unbounded but
  whose spans are timed (roll-up, karaoke) is one cue from the first span's begin to the last one's end,
  noted. ``<br/>`` is a line break; italic, bold and underlined spans (inline or by style) are the
  ``<i> <b> <u>`` tags the other formats use; a paragraph in a region whose middle lies in the upper half
  of the screen, or whose ``tts:displayAlign`` is ``before`` when it has no origin, starts with
  ``{\\an8}`` as an SRT cue placed at the top does; ``xml:lang`` is the track's language,
  ``ttp:frameRate`` its frame rate, ``xml:id`` the cue's identifier. Ruby is written inline:
  ``漢字(かんじ)``.
- **What is left out is said** (rule ``ttml-read``, one finding per kind, with the first line): styles
  beyond italics/bold/underline (colours, sizes, fonts), regions a paragraph names but the file never
  defines, empty paragraphs, DFXP's pre-2010 namespaces (read as TTML1), ttconv's own warnings.
- **Writing** (``ttml``: TTML1 as Netflix's delivery specification asks; ``imsc``: IMSC 1.1 Text, its
  profile signalled with ``ttp:contentProfiles``): ``xml:lang`` (``ru``, ``zh-Hans``, ``zh-Hant``),
  ``ttp:timeBase="media"``, clock times to the millisecond, or, with a frame rate (read from the source or
  given with ``--fps``), ``ttp:frameRate``/``ttp:frameRateMultiplier`` and times in frames; a bottom and a
  top region placed in generic terms only (``tts:displayAlign``, ``tts:textAlign`` centre: no
  percentages, no pixels, as Netflix asks); italics as ``tts:fontStyle``, bold as ``tts:fontWeight``,
  underline as ``tts:textDecoration``; one paragraph per line of the file. ttconv reads the document back
  to the same cues and times, and the IMSC Hypothetical Render Model (``imschrm``) accepts it (tests).

ttconv is imported when a TTML file is read or written, never by ``subtrans check`` on other formats.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

from ..errors import ConfigError, ParseError
from ..model import Cue, ReadNote, Track
from .base import SubtitleFormat, register_format

if TYPE_CHECKING:  # pragma: no cover
    import xml.etree.ElementTree as ET

__all__ = ["TtmlFormat", "ImscFormat", "xml_lang", "frame_rate"]

TT = "http://www.w3.org/ns/ttml"
TTP = TT + "#parameter"
TTS = TT + "#styling"
TTM = TT + "#metadata"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
IMSC11_TEXT = "http://www.w3.org/ns/ttml/profile/imsc1.1/text"
#: DFXP drafts before TTML1 (2006-2009): read as TTML1.
_OLD_NAMESPACES = {}
for _base in ("http://www.w3.org/2006/10/ttaf1", "http://www.w3.org/2006/04/ttaf1", "http://www.w3.org/2006/02/ttaf1"):
    _OLD_NAMESPACES.update({_base: TT, _base + "#style": TTS, _base + "#styling": TTS,
                            _base + "#parameter": TTP, _base + "#metadata": TTM})

_ROOT = re.compile(r"\A(?:\ufeff)?\s*(?:<\?xml[^>]*\?>\s*)?(?:(?:<!--.*?-->|<\?.*?\?>)\s*)*<(?:[A-Za-z_][\w.-]*:)?tt[\s>/]",
                   re.S)
_NO_END = 8_765_432      # seconds: the end given to a container that has none (see _Reader._sanitise)
_TIME_WARNING = re.compile(r"Bad (begin|end|dur) attribute value: (.*)", re.S)
_TAG = re.compile(r"<(/?)([ibu])>", re.I)
_AN = re.compile(r"^\{\\an([1-9])\}")
_WS = re.compile(r"[ \t\r\n]+")


def xml_lang(language: str | None) -> str:
    """The BCP 47 tag a distributor expects for a subtrans language code (``zh`` -> ``zh-Hans``)."""
    if not language:
        return ""
    low = language.lower()
    if low in ("zh", "zh-hans", "zh-cn", "zh-sg"):
        return "zh-Hans"
    if low in ("zh-hant", "zh-tw", "zh-hk", "zh-mo"):
        return "zh-Hant"
    return language


def _ttconv() -> Any:  # the ttconv package (untyped: its objects are Any here)
    try:
        import ttconv.imsc.reader  # noqa: F401
        import ttconv.imsc.writer  # noqa: F401
    except ImportError:
        raise ConfigError("TTML/IMSC files are read and written with ttconv, which is not installed",
                          hint='pip install "subtrans-ruzh" again: ttconv is one of its dependencies') from None
    import ttconv

    return ttconv


# -- reading ---------------------------------------------------------------------------------------------

class _Scan:
    """One expat pass: refuses a DOCTYPE or entities; the line of every element, in document order."""

    def __init__(self, text: str) -> None:
        import xml.parsers.expat as expat

        self.lines: list[tuple[str, int, dict[str, str]]] = []   # (namespaced tag, line, attributes)
        parser = expat.ParserCreate(namespace_separator="}")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

        def refuse(what: str) -> Callable[..., NoReturn]:
            def handler(*_args: object) -> NoReturn:
                raise ParseError(f"a TTML file may not declare {what}: refused, nothing is expanded or fetched",
                                 line=parser.CurrentLineNumber, text=_line(text, parser.CurrentLineNumber),
                                 hint="remove the DOCTYPE (TTML needs none)")
            return handler

        parser.StartDoctypeDeclHandler = refuse("a DOCTYPE")
        parser.EntityDeclHandler = refuse("entities")
        parser.ExternalEntityRefHandler = refuse("external entities")

        def start(name: str, attrs: dict[str, str]) -> None:
            self.lines.append(("{" + name if "}" in name else name, parser.CurrentLineNumber, attrs))

        parser.StartElementHandler = start
        try:
            parser.Parse(text, True)
        except expat.ExpatError as exc:
            raise ParseError(f"not well-formed XML: {expat.ErrorString(exc.code)} (column {exc.offset + 1})",
                             line=exc.lineno, text=_line(text, exc.lineno),
                             hint="the file must be XML that any XML parser reads") from None


def _line(text: str, n: int) -> str:
    lines = text.split("\n", n)
    return lines[n - 1][:200] if 0 < n <= len(lines) else ""


class _Capture(logging.Handler):
    """ttconv's warnings while it reads a document (it logs what it skips)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _renamespace(root: "ET.Element") -> bool:
    """DFXP draft namespaces (and a ``<tt>`` with none) read as TTML1's; True when anything changed."""
    changed = False

    def fix(name: str) -> str:
        nonlocal changed
        if name.startswith("{"):
            ns, local = name[1:].split("}", 1)
            if ns in _OLD_NAMESPACES:
                changed = True
                return "{" + _OLD_NAMESPACES[ns] + "}" + local
        return name

    for el in root.iter():
        if isinstance(el.tag, str):
            el.tag = fix(el.tag)
            if el.tag in ("tt", "head", "body", "div", "p", "span", "br", "styling", "style", "layout", "region"):
                el.tag, changed = "{" + TT + "}" + el.tag, True
        for key in [k for k in el.attrib if k.startswith("{")]:
            new = fix(key)
            if new != key:
                el.attrib[new] = el.attrib.pop(key)
    return changed


class _Reader:
    def __init__(self, text: str, lenient: bool) -> None:
        self.text, self.lenient = text, lenient
        self.track = Track(format="ttml")
        self.kinds: dict[str, tuple[int, str, int]] = {}   # what was left out -> (first line, text, count)
        self.at = 0                                          # the line of the paragraph being read

    def note(self, message: str, line: int, text: str = "") -> None:
        first = self.kinds.get(message)
        self.kinds[message] = (first[0], first[1], first[2] + 1) if first else (line, text, 1)

    def read(self) -> Track:
        import xml.etree.ElementTree as ET

        ttconv = _ttconv()
        import ttconv.model as model

        scan = _Scan(self.text)
        root = ET.fromstring(self.text)          # safe: the scan refused any DTD or entity
        if _renamespace(root):
            self.note("written in DFXP's pre-2010 namespaces (or none): read as TTML1", 1)
        if root.tag != "{" + TT + "}tt":
            raise ParseError(f"not a TTML document: the root element is {root.tag}, not tt in {TT}", line=1,
                             text=_line(self.text, scan.lines[0][1] if scan.lines else 1))
        elements = list(root.iter())
        lines = {id(el): line for el, (_, line, _) in zip(elements, scan.lines)}
        self._sanitise(root, lines)

        # Each paragraph is known through ttconv by a private-use xml:lang (ttconv keeps a paragraph's
        # language, not its xml:id), for its line: ttconv may leave paragraphs out.
        paragraphs = [el for el in elements if el.tag == "{" + TT + "}p"]
        for n, el in enumerate(paragraphs):
            el.set(XML_LANG, f"x-subtrans-{n}")
        capture = _Capture()
        log = logging.getLogger("ttconv")
        log.addHandler(capture)
        propagate, log.propagate = log.propagate, False
        try:
            doc = ttconv.imsc.reader.to_model(ET.ElementTree(root))
        except (ValueError, KeyError, TypeError, AttributeError, RuntimeError) as exc:
            raise ParseError(f"ttconv cannot read this TTML document: {type(exc).__name__}: {exc}", line=1,
                             text=_line(self.text, 1)) from None
        finally:
            log.removeHandler(capture)
            log.propagate = propagate
        if doc is None:
            raise ParseError("not a TTML document ttconv reads", line=1, text=_line(self.text, 1))

        track = self.track
        track.language = doc.get_lang() or None
        track.frame_rate = _frame_rate(root)
        profiles = " ".join(root.get(f"{{{TTP}}}{a}", "") for a in ("contentProfiles", "profile"))
        if "imsc" in profiles.lower():
            track.format = "imsc"
        bad_times = self._time_warnings(capture.messages, elements, lines, doc)
        body = doc.get_body()
        models = [e for e in body.dfs_iterator() if isinstance(e, model.P)] if body is not None else []
        seen: set[int | None] = set()
        for p in models:
            k = int(p.get_lang().rsplit("-", 1)[1]) if (p.get_lang() or "").startswith("x-subtrans-") else None
            line = lines.get(id(paragraphs[k]), 0) if k is not None else 0
            seen.add(k)
            self._paragraph(p, line, bad_times, model, paragraphs[k].get(XML_ID) if k is not None else None)
        for n, el in enumerate(paragraphs):
            if n not in seen:
                line = lines.get(id(el), 0)
                self.note("a paragraph ttconv does not read (outside the body, or malformed) was left out", line,
                          _line(self.text, line))
        if not track.cues and not models:
            raise ParseError("a TTML document with no text paragraph (image subtitles, or an empty body)", line=1,
                             text=_line(self.text, 1), hint="subtrans reads text subtitles only")
        for message, (line, text, count) in self.kinds.items():
            track.notes.append(ReadNote("ttml-read", message + (f" ({count} times)" if count > 1 else ""), line,
                                        text[:200]))
        track.notes.sort(key=lambda n: n.line)
        return track

    def _sanitise(self, root: ET.Element, lines: dict[int, int]) -> None:
        """Values ttconv crashes on instead of skipping them (``ebutts:multiRowAlign="left"``,
        ``tts:textAlign="justify"``): dropped, noted."""
        # ttconv drops a timed container with a begin and no end (its children vanish): it is given an end
        # no programme reaches, which _interval reads as none.
        for el in root.iter():
            if el.tag in (f"{{{TT}}}div", f"{{{TT}}}body") and el.get("begin") and not (el.get("end") or el.get("dur")):
                el.set("end", f"{_NO_END}s")
        allowed = {"}multiRowAlign": {"start", "center", "end", "auto"},
                   "}textAlign": {"left", "center", "right", "start", "end"}}
        for el in root.iter():
            for key in list(el.attrib):
                values = next((v for suffix, v in allowed.items() if key.endswith(suffix)), None)
                if values is not None and el.attrib[key] not in values:
                    name = key.rsplit("}", 1)[-1]
                    self.note(f"{name} {el.attrib[key]!r} is not a value ttconv reads: ignored",
                              lines.get(id(el), 0), _line(self.text, lines.get(id(el), 0)))
                    del el.attrib[key]

    def _time_warnings(self, messages: list[str], elements: list[ET.Element], lines: dict[int, int],
                       doc: Any) -> set[int]:
        """ttconv's warnings as notes with their lines; the lines of paragraphs with a broken time."""
        broken: set[int] = set()
        for message in messages:
            m = _TIME_WARNING.match(message)
            if m:
                attr, value = m.groups()
                el = next((e for e in elements if e.get(attr) == value), None)
                line = lines.get(id(el), 0) if el is not None else 0
                what = f"the {attr} time {value!r} is not a TTML time expression"
                if not self.lenient:
                    raise ParseError(what, line=line, text=_line(self.text, line),
                                     hint="write it as 00:00:01.500, 1.5s, 36f or 15000000t; or pass --lenient "
                                          "to skip its paragraph")
                broken.update({line} if el is None or el.tag.endswith("}p") else
                              {lines.get(id(d), 0) for d in el.iter() if d.tag.endswith("}p")})
                self.note(f"skipped: {what}", line, _line(self.text, line))
                continue
            if "xml:lang not specified" in message:
                continue            # the writer always writes it; a missing one is not the reader's loss
            if "unknown region" in message:
                continue            # said once per region name below, with its line
            self.note(f"ttconv: {message}", 0)
        for el in elements:
            ref = el.get("region")
            if ref and not doc.has_region(ref):
                line = lines.get(id(el), 0)
                self.note(f"region {ref!r} is named but not defined (or not read): its paragraphs are placed at "
                          "the bottom", line, _line(self.text, line))
        return broken

    def _paragraph(self, p: Any, line: int, broken: set[int], model: Any, xml_id: str | None) -> None:
        if line and line in broken:
            return
        begin: Fraction = Fraction(0)
        end: Fraction | None = None
        chain: list[Any] = []
        el = p.parent()
        while el is not None:
            chain.append(el)
            el = el.parent()
        for anc in reversed(chain):
            begin, end = _interval(anc, begin, end)
        p_begin, p_end = _interval(p, begin, end)
        runs: list[tuple[str | None, frozenset[str]]] = []
        spans: list[tuple[Fraction, Fraction | None]] = []
        self.at = line
        ancestors_style = _flags(chain)
        self._lost_styles(p)
        self._content(p, ancestors_style | _flags([p]), runs, spans, p_begin, p_end)
        text = _compose_runs(runs)
        if not text.strip():
            self.note("an empty paragraph was skipped", line, _line(self.text, line))
            return
        if p.get_begin() is None and p.get_end() is None and p_end is None and spans:
            p_begin = min(b for b, _ in spans)
            ends = [e for _, e in spans if e is not None]
            p_end = max(ends) if ends else None
            self.note("a paragraph timed by its spans (roll-up or karaoke) is one cue from the first span to "
                      "the last", line, _line(self.text, line))
        if p_end is None:
            what = "a paragraph with no end time (shown until the end of the programme)"
            if not self.lenient:
                raise ParseError(what, line=line, text=_line(self.text, line),
                                 hint="give it end= or dur=; or pass --lenient to skip it")
            self.note(f"skipped: {what}", line, _line(self.text, line))
            return
        # (not `or`: a ttconv element with no children is falsy)
        region = next((e.get_region() for e in (p, *chain) if e.get_region() is not None), None)
        if region is not None and _is_top(region, p.get_doc()):
            text = "{\\an8}" + text
        self.track.cues.append(Cue(_ms(p_begin), _ms(p_end), text, id=xml_id or None, line=line))

    def _content(self, el: Any, style: frozenset[str], runs: list[tuple[str | None, frozenset[str]]],
                 spans: list[tuple[Fraction, Fraction | None]], begin: Fraction, end: Fraction | None) -> None:
        import ttconv.model as model

        for child in el:
            if isinstance(child, model.Br):
                runs.append((None, frozenset()))
            elif isinstance(child, model.Text):
                runs.append((child.get_text(), style))
            elif isinstance(child, model.Ruby):
                base = "".join(_plain(c) for c in child if not isinstance(c, (model.Rt, model.Rtc, model.Rp)))
                ruby = "".join(_plain(c) for c in child if isinstance(c, (model.Rt, model.Rtc)))
                runs.append((f"{base}({ruby})" if ruby else base, style))
                self.note("ruby annotations are written inline, in brackets after their base", self.at,
                          _line(self.text, self.at))
            else:
                if child.get_begin() is not None or child.get_end() is not None:
                    b, e = _interval(child, begin, end)
                    spans.append((b, e))
                    self._content(child, style | _flags([child]), runs, spans, b, e)
                else:
                    self._content(child, style | _flags([child]), runs, spans, begin, end)
            if not isinstance(child, (model.Text, model.Br)):
                self._lost_styles(child)

    def _lost_styles(self, el: Any) -> None:
        for prop in el.iter_styles():
            name = prop.__name__
            if name not in ("FontStyle", "FontWeight", "TextDecoration"):
                self.note(f"the style {name} is not kept (italics, bold and underline are)", self.at,
                          _line(self.text, self.at))


def _plain(el: Any) -> str:
    import ttconv.model as model

    if isinstance(el, model.Text):
        text: str = el.get_text()
        return text
    return "".join(_plain(c) for c in el)


def _interval(el: Any, parent_begin: Fraction, parent_end: Fraction | None) -> tuple[Fraction, Fraction | None]:
    """``el``'s absolute [begin, end) in a parallel container starting at ``parent_begin``."""
    b, e = el.get_begin(), el.get_end()
    if e == _NO_END:
        e = None
    begin = parent_begin + (b or 0)
    end = parent_begin + e if e is not None else parent_end
    if parent_end is not None and end is not None:
        end = min(end, parent_end)
    return begin, end


def _flags(elements: Iterable[Any]) -> frozenset[str]:
    from ttconv.style_properties import FontStyleType, FontWeightType, StyleProperties

    out: set[str] = set()
    for el in elements:
        if el.get_style(StyleProperties.FontStyle) in (FontStyleType.italic, FontStyleType.oblique):
            out.add("i")
        if el.get_style(StyleProperties.FontWeight) is FontWeightType.bold:
            out.add("b")
        deco = el.get_style(StyleProperties.TextDecoration)
        if deco is not None and deco.underline:
            out.add("u")
    return frozenset(out)


def _compose_runs(runs: list[tuple[str | None, frozenset[str]]]) -> str:
    """Text runs with their styles as one cue text: whitespace collapsed as TTML's default xml:space does,
    ``<i> <b> <u>`` opened and closed where the style changes, and closed at the end of each line."""
    out: list[str] = []
    open_tags: list[str] = []
    lines: list[list[tuple[str, frozenset[str]]]] = [[]]
    for text, flags in runs:
        if text is None:           # <br/>
            lines.append([])
        else:
            lines[-1].append((_WS.sub(" ", text), flags))
    for n, line in enumerate(lines):
        # strip the line's leading and trailing spaces, across runs
        while line and not line[0][0].strip():
            line.pop(0)
        while line and not line[-1][0].strip():
            line.pop()
        if line:
            line[0] = (line[0][0].lstrip(" "), line[0][1])
            line[-1] = (line[-1][0].rstrip(" "), line[-1][1])
        if n:                      # each line closes its tags: "<i>a</i>\n<i>b</i>", as SRT editors write it
            out.extend(f"</{t}>" for t in reversed(open_tags))
            open_tags.clear()
            out.append("\n")
        for text, flags in line:
            for tag in [t for t in open_tags if t not in flags][::-1]:
                out.append(f"</{tag}>")
                open_tags.remove(tag)
            for tag in "ibu":
                if tag in flags and tag not in open_tags:
                    out.append(f"<{tag}>")
                    open_tags.append(tag)
            out.append(text)
    out.extend(f"</{t}>" for t in reversed(open_tags))
    return "".join(out)


def _frame_rate(root: ET.Element) -> Fraction | None:
    rate = root.get(f"{{{TTP}}}frameRate")
    if not rate or not rate.strip().isdigit():
        return None
    value = Fraction(int(rate))
    mult = (root.get(f"{{{TTP}}}frameRateMultiplier") or "").split()
    if len(mult) == 2 and all(m.isdigit() for m in mult) and int(mult[1]):
        value *= Fraction(int(mult[0]), int(mult[1]))
    return value


def _is_top(region: Any, doc: Any) -> bool:
    """Whether ``region`` puts its text in the upper half of the screen."""
    from ttconv.style_properties import DisplayAlignType, StyleProperties

    origin, extent = region.get_style(StyleProperties.Origin), region.get_style(StyleProperties.Extent)
    if origin is None:
        return region.get_style(StyleProperties.DisplayAlign) is DisplayAlignType.before
    y = _fraction_of_height(origin.y, doc)
    h = _fraction_of_height(extent.height, doc) if extent is not None else 1 - (y or 0)
    if y is None:
        return False
    return y + (h or 0) / 2 < 0.5


def _fraction_of_height(length: Any, doc: Any) -> float | None:
    units = length.units.value
    if units in ("%", "rh"):
        percent: float = length.value / 100
        return percent
    if units == "c":
        cells: float = length.value / doc.get_cell_resolution().rows
        return cells
    if units == "px" and doc.get_px_resolution() is not None:
        pixels: float = length.value / doc.get_px_resolution().height
        return pixels
    return None


def _ms(t: Fraction) -> int:
    return int(round(t * 1000))


# -- writing ---------------------------------------------------------------------------------------------

def _compose(track: Track, imsc: bool) -> str:
    import xml.etree.ElementTree as ET

    _ttconv()
    import ttconv.imsc.config as imsc_config
    import ttconv.imsc.writer as writer
    import ttconv.model as model
    from ttconv.imsc.attributes import TimeExpressionSyntaxEnum
    from ttconv.style_properties import (DisplayAlignType, FontStyleType, FontWeightType, StyleProperties,
                                         TextAlignType, TextDecorationType)

    doc = model.ContentDocument()
    doc.set_lang(xml_lang(track.language) or _guess_lang(track))
    for name, align in (("bottom", DisplayAlignType.after), ("top", DisplayAlignType.before)):
        region = model.Region(name, doc)
        region.set_style(StyleProperties.DisplayAlign, align)
        region.set_style(StyleProperties.TextAlign, TextAlignType.center)
        doc.put_region(region)
    if imsc:
        doc.set_content_profiles({IMSC11_TEXT})
    body = model.Body(doc)
    div = model.Div(doc)
    body.push_child(div)
    doc.set_body(body)
    styles = {"i": (StyleProperties.FontStyle, FontStyleType.italic),
              "b": (StyleProperties.FontWeight, FontWeightType.bold),
              "u": (StyleProperties.TextDecoration, TextDecorationType(underline=True))}
    ids = set()
    for cue in track.cues:
        p = model.P(doc)
        p.set_begin(_at(cue.start, track.frame_rate))
        p.set_end(_at(cue.end, track.frame_rate))
        if cue.id and re.fullmatch(r"[A-Za-z_][\w.-]*", cue.id) and cue.id not in ids:
            p.set_id(cue.id)
            ids.add(cue.id)
        text = cue.text
        an = _AN.match(text)
        if an:
            text = text[an.end():]
        p.set_region(doc.get_region("top" if an and an.group(1) in "789" else "bottom"))
        flags: set[str] = set()
        pos = 0
        pieces: list[tuple[str, frozenset[str]]] = []
        for m in _TAG.finditer(text):
            pieces.append((text[pos:m.start()], frozenset(flags)))
            (flags.discard if m.group(1) else flags.add)(m.group(2).lower())
            pos = m.end()
        pieces.append((text[pos:], frozenset(flags)))
        for piece, fl in pieces:
            for k, line in enumerate(piece.split("\n")):
                if k:
                    p.push_child(model.Br(doc))
                if line:
                    span = model.Span(doc)
                    for tag in sorted(fl):
                        span.set_style(*styles[tag])
                    span.push_child(model.Text(doc, line))
                    p.push_child(span)
        div.push_child(p)
    config = imsc_config.IMSCWriterConfiguration()
    if imsc:
        config.profile_signaling = imsc_config.ContentProfilesSignaling.CONTENT_PROFILES
    if track.frame_rate:
        config.fps = Fraction(track.frame_rate)
        config.time_format = (TimeExpressionSyntaxEnum.clock_time_with_frames if config.fps.denominator == 1
                              else TimeExpressionSyntaxEnum.frames)
    else:
        config.time_format = TimeExpressionSyntaxEnum.clock_time
    tree = writer.from_model(doc, config)
    root = tree.getroot()
    root.set(f"{{{TTP}}}timeBase", "media")
    _indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def frame_rate(fps: float) -> Fraction:
    """``--fps`` as an exact fraction: 23.976 is 24000/1001, 29.97 is 30000/1001."""
    for n in (24, 30, 48, 60, 120):
        if abs(fps - n * 1000 / 1001) < 0.005:
            return Fraction(n * 1000, 1001)
    return Fraction(fps).limit_denominator(1000)


def _at(ms: int, frame_rate: Fraction | None) -> Fraction:
    """A cue time in seconds: to the millisecond, or on the nearest frame (ttconv's writer would truncate)."""
    seconds = Fraction(max(ms, 0), 1000)
    if frame_rate:
        rate = Fraction(frame_rate)
        return Fraction(round(seconds * rate)) / rate
    return seconds


def _guess_lang(track: Track) -> str:
    from ..text import detect_language, sample_texts

    return xml_lang(detect_language(sample_texts(track.cues)) or "")


def _indent(el: ET.Element, level: int = 0) -> None:
    """One element per line down to the paragraphs; a paragraph's content is left as written (whitespace
    in it is text)."""
    if el.tag.endswith("}p") or not len(el):
        return
    pad = "\n" + "  " * (level + 1)
    el.text = pad
    for child in el:
        _indent(child, level + 1)
        child.tail = pad
    el[-1].tail = "\n" + "  " * level


@register_format
class TtmlFormat(SubtitleFormat):
    """TTML1 / DFXP (and IMSC, read as its variant ``imsc``)."""

    name = "ttml"
    extensions: ClassVar[tuple[str, ...]] = (".ttml", ".dfxp", ".xml")
    variants = ("ttml", "imsc")

    @classmethod
    def sniff(cls, text: str) -> bool:
        return bool(_ROOT.match(text[:8192]))

    def parse(self, text: str, *, lenient: bool = False) -> Track:
        return _Reader(text, lenient).read()

    def compose(self, track: Track) -> str:
        return _compose(track, imsc=False)


@register_format
class ImscFormat(TtmlFormat):
    """IMSC 1.1 Text: TTML with its profile signalled (``--output-format imsc``)."""

    name = "imsc"
    extensions = ()

    @classmethod
    def sniff(cls, text: str) -> bool:
        return False   # a TTML document: the reader tells IMSC by its profile

    def compose(self, track: Track) -> str:
        return _compose(track, imsc=True)
