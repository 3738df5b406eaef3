"""Cues -> sentence units: what is translated as one sentence.

A cue's text is first taken apart into its *shape* (:func:`analyse`): a
position override such as ``{\\an8}``, tags that wrap the whole cue
(``<i>…</i>``), and one or more *segments*:

- ``speech``: ordinary text (the cue's lines joined);
- ``speaker``: one line of a two-speaker cue (``-Почему я?``), kept on its own line;
- ``sound``: a bracketed sound description (``[стук в дверь]``), kept in brackets;
- ``lyrics``: a line between music notes (``♪ …``), notes kept.

Then :func:`build_units` merges speech segments that run on over several
cues into one *sentence unit* (a cue ending without terminal punctuation
continues into the next when the gap is small), so the model sees whole
sentences. Each unit has *slots* (``(cue, segment)`` pairs) and weights (the
share of text and time of each), which the translation pipeline uses to
spread a translation back over the cues (:mod:`subtrans.pipeline.spread`);
the parity QA rule uses the same units to compare a translation with its
source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from ..text import TAG_RE, strip_tags

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Cue

__all__ = ["Segment", "Shape", "Unit", "analyse", "build_units", "MERGE_GAP_MS", "MAX_UNIT_CUES", "MAX_UNIT_CHARS"]

MERGE_GAP_MS = 2000      # a sentence continues into the next cue only across a shorter gap (profiles: sentence_pause_ms)
MAX_UNIT_CUES = 4        # at most this many cues in one unit (keeps inputs within model limits)
MAX_UNIT_CHARS = 400

_TERMINAL = re.compile(r"[.!?。！？…»”\"')）\]]\s*$")
_ENDS_ELLIPSIS = re.compile(r"(\.\.\.|…)\s*$")
_STARTS_ELLIPSIS = re.compile(r"^\s*(\.\.\.|…)\s*")
_DASH = re.compile(r"^\s*[-‐‒–—]\s*")
_POSITION = re.compile(r"^(\{\\[^{}\n]*\})+")
_SOUND_LINE = re.compile(r"^\s*([\[(（［])([^\[\]()（）［］]*)([\])）］])\s*$")
_SOUND_LEAD = re.compile(r"^\s*([\[(（［])([^\[\]()（）［］]*)([\])）］])\s+(?=\S)")
_NOTES = "♪♫"
# ... and WebVTT's voice, class and language spans (<v Алексей>, <c.yellow>, <lang en>), kept around the
# translation as italics are
_WRAP_OPEN = re.compile(r"^<(i|b|u|s|font|v|c|lang)([\s.][^<>]*)?>", re.IGNORECASE)
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@dataclass
class Segment:
    kind: str          # speech | speaker | sound | lyrics
    text: str          # the plain text to translate (tags removed)
    open: str = ""     # what goes before the translation on output (dash, bracket, note, per-line tags)
    close: str = ""
    line_break: bool = True   # starts on a new line (False: follows the previous segment on its line)
    dropped_tags: tuple[str, ...] = ()  # inline tags that could not be carried over


@dataclass
class Shape:
    lead: str = ""                 # {\an8} and similar position overrides
    wrap_open: str = ""            # tags wrapping the whole cue
    wrap_close: str = ""
    segments: list[Segment] = field(default_factory=list)
    # Lines in another language, set aside (a bilingual cue's English line): never translated;
    # dropped from the output, or kept under the translation on request.
    other: list[str] = field(default_factory=list)

    @property
    def mergeable(self) -> bool:
        """Plain speech only: may join a sentence unit with its neighbours."""
        return len(self.segments) == 1 and self.segments[0].kind == "speech"


@dataclass
class Unit:
    """One sentence unit: the text the model sees, and the (cue, segment) slots it fills."""

    text: str
    slots: list[tuple[int, int]]   # (cue index, segment index) in order
    weights: list[float]           # each slot's share of the unit (text and time), sums to 1
    # The sentence runs on into the next unit after a pause too long to keep it one unit (the
    # translation marks the interruption: an ellipsis, and in Russian one opening the next cue).
    runs_on: bool = False


def _joiner(language: str) -> str:
    return "" if language.startswith("zh") else " "


_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_ZH_PAUSE = re.compile(rf"(?<=[{_HAN}])[ \u3000]+(?=[{_HAN}])")
_ZH_MARK_END = re.compile(r"[，。！？、；：…—,.!?;:（(「『“‘《\s-]$")
_ZH_MARK_START = re.compile(r"^[，。！？、；：…—,.!?;:）)」』”’》\s]")


def join_clauses(parts: list[str], language: str) -> str:
    """Lines or cues of one sentence as one text. Russian: a space between them. Chinese: a line break
    or a cue boundary is a pause, written as ``，`` where no mark is there already (the engine reads a
    comma, not two clauses glued together)."""
    parts = [p.strip() for p in parts if p.strip()]
    if not language.startswith("zh"):
        return " ".join(parts)
    out = ""
    for part in parts:
        if out and not _ZH_MARK_END.search(out) and not _ZH_MARK_START.match(part):
            han_edge = bool(re.search(f"[{_HAN}]$", out)) or bool(re.match(f"[{_HAN}]", part))
            out += "，" if han_edge else " "
        out += part
    return out


def zh_pauses(text: str) -> str:
    """A space between Chinese characters marks a pause (subtitles write no commas): ``，`` for the engine."""
    return _ZH_PAUSE.sub("，", text)


def _peel_wrappers(text: str) -> tuple[str, str, str]:
    """Tags that wrap the whole text: ``<i>A\\nB</i>`` -> ("<i>", "A\\nB", "</i>")."""
    opens, closes = "", ""
    while True:
        m = _WRAP_OPEN.match(text)
        if not m:
            break
        name = m.group(1).lower()
        close = re.search(rf"</{name}>\s*$", text, re.IGNORECASE)
        inner = text[m.end():close.start()] if close else text[m.end():]
        # Only a true wrapper: the inner text must not close the tag before the end.
        if re.search(rf"</{name}>", inner, re.IGNORECASE):
            break
        if close is None:
            # An unclosed opening tag (a common fault): treat it as wrapping the cue,
            # and close it on output, which the unclosed-tag rule would ask for anyway.
            opens, closes, text = opens + m.group(0), f"</{name}>" + closes, inner
            continue
        opens, closes, text = opens + m.group(0), close.group(0).strip() + closes, inner
    return opens, text, closes


def _peel_cue(text: str) -> tuple[str, str, str]:
    """Whole-cue wrappers, also when each line carries its own pair (``<i>A</i>\\n<i>B</i>``)
    or when the cue only closes a tag opened in the cue before (``…</i>``)."""
    opens, inner, closes = _peel_wrappers(text)
    if opens:
        return opens, inner, closes
    lines = text.split("\n")
    if len(lines) > 1:
        peeled = [_peel_wrappers(ln.strip()) for ln in lines]
        if peeled[0][0] and all((o, c) == (peeled[0][0], peeled[0][2]) for o, _, c in peeled):
            return peeled[0][0], "\n".join(i for _, i, _ in peeled), peeled[0][2]
    m = re.search(r"</(i|b|u|s)>\s*$", text, re.IGNORECASE)
    if m and not re.search(rf"<{m.group(1)}[\s>]", text, re.IGNORECASE):
        return f"<{m.group(1).lower()}>", text[:m.start()], m.group(0).strip()
    # ASS: override blocks that open the text and blocks that close it ({\i1}Тише.{\i0}) wrap it
    # (the opening blocks are the shape's lead already: see analyse)
    tail = re.search(r"(?:\{\\[^{}\n]*\})+\s*$", text)
    if tail and tail.start() > 0 and not re.search(r"\{\\", text[:tail.start()]):
        return "", text[:tail.start()], tail.group(0).strip()
    return "", text, ""


def _plain(text: str) -> tuple[str, tuple[str, ...]]:
    tags = tuple(TAG_RE.findall(text))
    plain = strip_tags(text, entities=True)
    return (zh_pauses(plain) if _CJK.search(plain) else plain), tags


def analyse(text: str, language: str, *, keep_language: str | None = None) -> Shape:
    """Take one cue's text apart into its shape (see the module docstring).

    ``keep_language`` (``zh`` or ``ru``, for a bilingual track): lines in another language are set
    aside in ``shape.other``; a cue with no line in ``keep_language`` has nothing to translate.
    """
    shape = Shape()
    m = _POSITION.match(text)
    if m:
        shape.lead, text = m.group(0), text[m.end():]
    shape.wrap_open, text, shape.wrap_close = _peel_cue(text)
    lines = [ln for ln in text.split("\n") if strip_tags(ln).strip()]
    if keep_language:
        from .bilingual import line_language

        langs = [line_language(ln) for ln in lines]
        shape.other = [ln.strip() for ln, lg in zip(lines, langs) if lg not in (keep_language, None)]
        lines = [ln for ln, lg in zip(lines, langs) if lg in (keep_language, None)]
        if not any(lg == keep_language for lg in langs):
            lines = []   # only the other language (a sign, "OK"): nothing to translate, kept as it is
    if not lines:
        return shape
    dashed = [bool(_DASH.match(strip_tags(ln))) for ln in lines]
    # Two speakers: every line dashed, or (a common style) only the second one.
    if len(lines) >= 2 and (sum(dashed) >= 2 or (len(lines) == 2 and dashed[1])):
        groups: list[list[str]] = []
        for ln, d in zip(lines, dashed):
            if d or not groups:
                groups.append([ln])
            else:  # a speaker's line that runs on to a second line
                groups[-1].append(ln)
        for g in groups:
            shape.segments.append(_speaker(join_clauses(g, language)))
        return shape
    if len(lines) == 1 and dashed[0]:
        shape.segments.append(_speaker(lines[0]))
        return shape
    bare_all = strip_tags("\n".join(lines)).strip()
    if bare_all[:1] in _NOTES:
        # A song: the notes frame the whole cue, whatever its lines.
        note = bare_all[0]
        inner = _joiner(language).join(strip_tags(ln).strip().strip(_NOTES + " ") for ln in lines)
        closing = f" {note}" if bare_all[-1:] in _NOTES and len(bare_all) > 1 else ""
        shape.segments.append(Segment("lyrics", inner.strip(), f"{note} ", closing))
        return shape
    speech: list[str] = []

    def flush(line_break: bool) -> None:
        if speech:
            plain, tags = _plain(join_clauses(speech, language))
            shape.segments.append(Segment("speech", plain.strip(), line_break=line_break, dropped_tags=tags))
            speech.clear()

    for ln in lines:
        bare = strip_tags(ln).strip()
        sound = _SOUND_LINE.match(bare)
        if sound:
            flush(True)
            shape.segments.append(Segment("sound", sound.group(2).strip(), sound.group(1), sound.group(3)))
            continue
        if bare[:1] in _NOTES:
            flush(True)
            note = bare[0]
            inner = bare.strip(_NOTES + " ")
            closing = f" {note}" if bare.rstrip()[-1:] in _NOTES and len(bare.strip()) > 1 else ""
            shape.segments.append(Segment("lyrics", inner, f"{note} ", closing))
            continue
        lead = _SOUND_LEAD.match(bare)
        if lead and not speech:
            shape.segments.append(Segment("sound", lead.group(2).strip(), lead.group(1), lead.group(3)))
            speech.append(bare[lead.end():])
            flush(False)
            continue
        speech.append(ln)
    flush(True)
    return shape


def _speaker(line: str) -> Segment:
    opens, inner, closes = _peel_wrappers(line.strip())
    inner = _DASH.sub("", inner, count=1)
    if not opens:  # "-<i>Text</i>"
        opens, inner, closes = _peel_wrappers(inner)
    plain, tags = _plain(inner)
    return Segment("speaker", plain.strip(), open=opens, close=closes, dropped_tags=tags)


_ZH_SENTENCE_END = re.compile(r"(?:[。！？!?]|……|…|⋯)[」』”’》)）]*\s*$")


def _continues(prev: str, nxt: str, language: str = "ru") -> bool:
    """Does a sentence ending ``prev`` run on into ``nxt``?

    An ellipsis at the end of ``prev`` marks a continuation when the next cue picks it up or
    starts in lower case. Chinese: subtitles drop commas and full stops, so a cue that does not end
    with 。！？ or an ellipsis runs on when jieba's words say so (an open subordinate clause, a last word
    that cannot end a sentence, a next cue that opens with 就, 但是 ...: :func:`_zh_runs_on`); a
    caption (莫斯科 1927年10月) does not. Russian: razdel's sentence splitter decides where the
    sentence ends (it knows abbreviations, initials and direct speech: «А. С.» + «Пушкин» is one
    sentence); without any final mark, the next cue must start in lower case or with a digit (a
    caption such as "Москва, 1927" followed by "Красноармеец Воронов?" is not one sentence).
    """
    if _ENDS_ELLIPSIS.search(prev):
        # "Мы поедем..." / "...в Харбин": the ellipsis marks a continuation
        # when the next cue picks it up or starts in lower case.
        return bool(_STARTS_ELLIPSIS.match(nxt)) or nxt[:1].islower()
    if language.startswith("zh"):
        return not _ZH_SENTENCE_END.search(prev) and _zh_runs_on(prev, nxt)
    first = nxt.lstrip("«\"'“„(")[:1]
    if not _TERMINAL.search(prev):
        return first.islower() or first.isdigit()
    return _one_sentence(prev, nxt)


def _zh_runs_on(prev: str, nxt: str) -> bool:
    """Whether a Chinese cue without a sentence end runs on into the next (the signals and word lists:
    ``lang/data/zh.toml`` [sentences], read with jieba's words and tags)."""
    from .binding import rules
    from .chinese import tagged

    data = rules("zh")["sentences"]
    words = [wt for run in re.findall(f"[{_HAN}]+", prev) for wt in tagged(run)]
    following = [wt for run in re.findall(f"[{_HAN}]+", nxt)[:1] for wt in tagged(run)]
    if not words or not following:
        return False
    opens_clause = words[0][0] in data["subordinators"] and not any(
        w in data["continuers"] for w, _ in words[1:])
    last_word, last_tag = words[-1]
    return (opens_clause or last_tag in data["end_tags"] or last_word in data["clause_verbs"]
            or following[0][0] in data["continuers"])


def _one_sentence(prev: str, nxt: str) -> bool:
    """Whether razdel reads ``prev`` followed by ``nxt`` as one sentence (no break at the join)."""
    try:
        from razdel import sentenize
    except ImportError:  # pragma: no cover - razdel comes with the glossary and mt extras
        return False
    joined = prev.rstrip() + " " + nxt.lstrip()
    cut = len(prev.rstrip())
    return not any(cut <= s.start <= cut + 1 for s in sentenize(joined) if s.start)


def build_units(cues: Sequence[Cue], shapes: list[Shape], language: str, *, merge_gap_ms: int = MERGE_GAP_MS,
                max_cues: int = MAX_UNIT_CUES, max_chars: int = MAX_UNIT_CHARS) -> list[Unit]:
    """Sentence units over ``cues`` (their shapes from :func:`analyse`), in order.

    A unit never spans a gap of ``merge_gap_ms`` or more (a pause the translation marks instead:
    the unit before it ``runs_on``), a change of speaker (a dialogue cue is never merged), or a
    change of look (position, wrapping tags, cue settings).
    """
    units: list[Unit] = []
    open_unit: list[tuple[int, str]] = []   # (cue index, text) of a run of mergeable speech cues

    def close_run(runs_on: bool = False) -> None:
        if not open_unit:
            return
        texts = [t for _, t in open_unit]
        for k in range(1, len(texts)):
            # Drop the ellipses that only mark the continuation.
            if _ENDS_ELLIPSIS.search(texts[k - 1]) and (_STARTS_ELLIPSIS.match(texts[k]) or texts[k][:1].islower()):
                texts[k - 1] = _ENDS_ELLIPSIS.sub("", texts[k - 1]).rstrip()
                texts[k] = _STARTS_ELLIPSIS.sub("", texts[k])
        idx = [i for i, _ in open_unit]
        units.append(Unit(join_clauses(texts, language), [(i, 0) for i in idx],
                          _weights(texts, [cues[i].end - cues[i].start for i in idx]), runs_on))
        open_unit.clear()

    for i, (cue, shape) in enumerate(zip(cues, shapes)):
        if shape.mergeable and shape.segments[0].text:
            text = shape.segments[0].text
            if open_unit:
                j, prev = open_unit[-1]
                gap = cue.start - cues[j].end
                same_look = ((shapes[j].wrap_open, shapes[j].lead, cues[j].settings)
                             == (shape.wrap_open, shape.lead, cue.settings))
                size = sum(len(t) for _, t in open_unit) + len(text)
                continues = _continues(prev, text, language)
                if not (continues and 0 <= gap < merge_gap_ms and same_look
                        and len(open_unit) < max_cues and size <= max_chars):
                    close_run(runs_on=continues and gap >= merge_gap_ms and same_look)
            open_unit.append((i, text))
            continue
        close_run()
        for k, seg in enumerate(shape.segments):
            if seg.text:
                units.append(Unit(seg.text, [(i, k)], [1.0]))
    close_run()
    return units


def _weights(texts: list[str], durations: list[int]) -> list[float]:
    chars = [max(len(t), 1) for t in texts]
    durs = [max(d, 1) for d in durations]
    tc, td = sum(chars), sum(durs)
    return [(c / tc + d / td) / 2 for c, d in zip(chars, durs)]
