"""Where a subtitle line may break: atoms, break costs and line breaking, for Russian and Chinese.

Languages are subtrans codes: ``ru``, and ``zh`` for any Chinese (``zh-hans``
and ``zh-hant`` are accepted as ``zh``).

- :func:`atoms` splits a text into pieces that a line break may never split
  (a Russian word with its punctuation, a jieba word with the Chinese
  punctuation around it, a formatting tag with the word it formats);
- :func:`break_cost` says how bad a break between two atoms is (Netflix:
  break after punctuation or before a conjunction or preposition, never after
  a preposition);
- :func:`break_lines` lays one cue's text out in at most ``max_lines`` lines
  of at most ``max_chars`` characters (measured like the ``line-length`` QA
  rule), preferring one line, then the cheapest balanced, bottom-heavy break.

Shared by translation (spreading a sentence over cues, laying out a cue) and
anything that judges breaks. jieba is imported on first use only
(:mod:`subtrans.lang.chinese`): importing this module stays light.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ..text import TAG_RE, line_length
from ..errors import ConfigError
from .binding import Piece, _ru_sets, _zh_sets, glue_reasons, rules
from .chinese import tagged

__all__ = ["atoms", "word_pieces", "break_cost", "break_lines", "normalize_language"]

# ---------------------------------------------------------------------------
# Character classes

# Whitespace a line may break at. NO-BREAK SPACE (U+00A0), FIGURE SPACE
# (U+2007) and NARROW NO-BREAK SPACE (U+202F) glue their neighbours instead.
_WS_CHARS = " \t\r\n\f\v\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f\u3000"
_WS = "[" + re.escape(_WS_CHARS) + "]"
_NON_WS = "[^" + re.escape(_WS_CHARS) + "]"
_LINE_SPACES = _WS_CHARS.replace("\n", "")  # spaces inside one line
_STRIP_CHARS = _WS_CHARS + "\u00a0\u2007\u202f"  # what a line loses at its ends

_HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff\u3005\u3007"
_HAN_RUN = f"[{_HAN_CLASS}]+"
_HAN_CHAR_RE = re.compile(f"[{_HAN_CLASS}]")
# Latin, Greek, Cyrillic words and numbers inside Chinese text stay whole:
# iPhone, 3.14, 10:30, 1,000, rock'n'roll, 50%.
_ALNUM = "0-9A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
_LATIN_RUN = f"[{_ALNUM}]+(?:[.:,'’&/+_\\-][{_ALNUM}]+)*[%‰°℃]?"
_KANA_HANGUL_RE = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7af]")

# Punctuation that opens (attaches to the next word; never ends a line) ...
_OPENERS = set("「『（《〈【〔〖“‘([{«„‹¿¡№$")
# ... that glues both neighbours (the interpunct of foreign names: 威廉·莎士比亚) ...
_GLUE = set("·・•")
# ... and that may open or close: straight quotes, decided by their parity.
_AMBIGUOUS = set("\"'")
# Everything else that is not a word (，。！？、；：」』）》… — - , . ! ? ; : ) » and
# symbols) closes: it attaches to the previous word and never starts a line.
_CLOSING_QUOTES = "\"'»”’›」』）》〉】〕〗)]}"
_SENTENCE_END = set(".!?…。！？‼⁇⁈⁉")
_CLAUSE_END = set(",;:，；：、—–-")

# ---------------------------------------------------------------------------
# Costs of a break (lower is better) and of the shape of the lines: lang/data/breaks.toml


def _breaks() -> dict[str, Any]:
    return rules("breaks")


_COSTS: dict[str, float] = _breaks()["costs"]
_SHAPE: dict[str, float] = _breaks()["shape"]
COST_SENTENCE = _COSTS["sentence"]
COST_CLAUSE = _COSTS["clause"]
COST_BEFORE_OPEN = _COSTS["before_open"]
COST_BEFORE_CONJ = _COSTS["before_conjunction"]
COST_WORD = _COSTS["word"]
COST_PHRASE = _COSTS["phrase"]
COST_NAME = _COSTS["name"]
COST_ZH_BOUND = _COSTS["zh_bound"]
COST_BINDING = _COSTS["binding"]
COST_EMPTY = _COSTS["empty"]
W_BALANCE = _SHAPE["balance"]
W_PYRAMID = _SHAPE["pyramid"]
SHORT_RATIO = {"ru": _SHAPE["short_ratio_ru"], "zh": _SHAPE["short_ratio_zh"]}
W_SHORT = _SHAPE["short_weight"]

# ---------------------------------------------------------------------------
# Helpers


def normalize_language(language: str) -> str:
    """``ru`` or ``zh`` from a subtrans language code (``zh-hans``, ``zh-hant``, ``zh-CN`` give ``zh``)."""
    code = (language or "").strip().lower().replace("_", "-")
    if code == "ru" or code.startswith("ru-"):
        return "ru"
    if code == "zh" or code.startswith("zh-"):
        return "zh"
    raise ValueError(f"unsupported language {language!r}: use ru, zh, zh-hans or zh-hant")


def _split_tags(text: str) -> list[tuple[str, bool]]:
    """``text`` as (piece, is_tag) pairs, in order."""
    pieces: list[tuple[str, bool]] = []
    last = 0
    for m in TAG_RE.finditer(text):
        if m.start() > last:
            pieces.append((text[last:m.start()], False))
        pieces.append((m.group(0), True))
        last = m.end()
    if last < len(text):
        pieces.append((text[last:], False))
    return pieces


def _tidy(line: str) -> str:
    """``line`` without whitespace at its visible start and end (tags stay where they are)."""
    pieces = _split_tags(line)
    for order in (range(len(pieces)), range(len(pieces) - 1, -1, -1)):
        for idx in order:
            piece, is_tag = pieces[idx]
            if is_tag:
                continue
            stripped = piece.lstrip(_STRIP_CHARS) if order.step == 1 else piece.rstrip(_STRIP_CHARS)
            pieces[idx] = (stripped, False)
            if stripped:
                break
    return "".join(p for p, _ in pieces)


def _visible(text: str) -> str:
    return TAG_RE.sub("", text)


def _is_cjk(ch: str | None) -> bool:
    """A Han character, kana, or full-width / CJK punctuation."""
    if not ch:
        return False
    o = ord(ch)
    return bool(_HAN_CHAR_RE.match(ch)) or 0x3000 < o <= 0x30FF or 0xFF01 <= o <= 0xFF60 or 0xAC00 <= o <= 0xD7AF


def _is_closing_tag(tag: str) -> bool:
    return tag.startswith("</") or bool(re.fullmatch(r"\{\\[ibus]0\}", tag))


# ---------------------------------------------------------------------------
# Atoms

_RU_TOKEN_RE = re.compile(
    rf"(?P<tag>{TAG_RE.pattern})|(?P<ws>{_WS}+)|(?P<run>(?:(?!{TAG_RE.pattern}){_NON_WS})+)"
)
_ZH_TOKEN_RE = re.compile(
    rf"(?P<tag>{TAG_RE.pattern})|(?P<ws>{_WS}+)|(?P<latin>{_LATIN_RUN})|(?P<han>{_HAN_RUN})|(?P<other>.)",
    re.S,
)
_RU_NUMBER_HEAD = re.compile(r"\d{1,3}(?:[ \u00a0]\d{3})* ")
_RU_NUMBER_TAIL = re.compile(r"\d{3}(?!\d)")


def _punct_kind(chars: str, quotes_seen: int) -> str:
    if all(c in _OPENERS for c in chars):
        return "open"
    if all(c in _GLUE for c in chars):
        return "glue"
    if all(c in _AMBIGUOUS for c in chars):
        return "open" if quotes_seen % 2 == 0 else "close"
    return "close"


def _tokens(text: str, lang: str) -> list[tuple[str, str, str]]:
    """(text, kind, tag) with kind word, ws, open, close or glue; tag: jieba's for a Chinese word, else ""."""
    out: list[tuple[str, str, str]] = []
    quotes = 0
    if lang == "ru":
        for m in _RU_TOKEN_RE.finditer(text):
            s = m.group(0)
            if m.lastgroup == "tag":
                out.append((s, "close" if _is_closing_tag(s) else "open", ""))
            elif m.lastgroup == "ws":
                out.append((s, "ws", ""))
            elif any(c.isalnum() for c in s):
                out.append((s, "word", ""))
            else:
                out.append((s, _punct_kind(s, quotes), ""))
                quotes += sum(c in _AMBIGUOUS for c in s)
        return out
    for m in _ZH_TOKEN_RE.finditer(text):
        s, group = m.group(0), m.lastgroup
        if group == "tag":
            out.append((s, "close" if _is_closing_tag(s) else "open", ""))
        elif group == "ws":
            out.append((s, "ws", ""))
        elif group == "latin":
            out.append((s, "word", "m" if s[:1].isdigit() else "eng"))
        elif group == "han":
            out.extend((w, "word", t) for w, t in tagged(s))
        elif _KANA_HANGUL_RE.match(s) or s.isalnum():
            out.append((s, "word", "x"))
        else:
            out.append((s, _punct_kind(s, quotes), ""))
            quotes += s in _AMBIGUOUS
    return out


def atoms(text: str, language: str) -> list[str]:
    """Split ``text`` into pieces that no line break may separate; ``"".join(atoms(text, lang)) == text``.

    Russian: whitespace-separated words, each with its trailing whitespace and
    attached punctuation (hyphenated words, 10:30, 1 927 and words glued by
    NO-BREAK SPACE stay whole; a lone dash or ellipsis goes with the word
    before it). Chinese: jieba words; punctuation that must not start a line
    (，。！？、；：」』）》… and spaces) goes with the word before it, and punctuation
    that must not end one (「『（《“) with the word after it; Latin words and
    numbers stay whole. A formatting tag goes with its word: an opening tag with
    the next one, a closing tag with the previous one. Then the words that
    bind (:mod:`subtrans.lang.binding`: a preposition and its word, a name, a
    number and what it counts, a date, a short title ...) are one atom.
    """
    lang = normalize_language(language)
    pieces = word_pieces(text, lang)
    reasons = glue_reasons(pieces, lang)
    out: list[str] = []
    for k, piece in enumerate(pieces):
        if k and reasons[k - 1]:
            out[-1] += piece.text
        else:
            out.append(piece.text)
    return out


def word_pieces(text: str, language: str) -> list[Piece]:
    """The pieces of ``text`` before binding: each word with the punctuation, spaces and tags that go
    with it, and its words with their tags (:class:`subtrans.lang.binding.Piece`)."""
    lang = normalize_language(language)
    if not text:
        return []
    out: list[str] = []
    words: list[list[tuple[str, str]]] = []
    pending = ""        # opening material waiting for its word
    glue_next = False   # the previous atom ends with an interpunct: the next word joins it
    for s, kind, tag in _tokens(text, lang):
        if kind == "word":
            join = bool(out) and glue_next
            if lang == "ru" and out:
                # a Russian atom starts only after whitespace, never inside a word
                last_visible = _visible(out[-1] + pending)[-1:]
                join = join or not (last_visible and last_visible in _WS_CHARS)
                # 1 927: digit groups separated by a single space are one number
                join = join or (not pending and _RU_NUMBER_TAIL.match(s) is not None
                                and _RU_NUMBER_HEAD.fullmatch(_visible(out[-1]).lstrip(_WS_CHARS)) is not None)
            if join:
                out[-1] += pending + s
                words[-1].append((s, tag))
            else:
                out.append(pending + s)
                words.append([(s, tag)])
            pending, glue_next = "", False
        elif kind == "open":
            pending += s
        elif kind == "close" and pending and out and not _visible(pending).strip(_WS_CHARS):
            # closing punctuation right after an opening tag: both go with the previous word
            out[-1] += pending + s
            pending = ""
        elif pending or not out:  # ws, close or glue with nothing to attach to yet
            pending += s
            glue_next = glue_next or kind == "glue"
        else:
            out[-1] += s
            glue_next = glue_next or kind == "glue"
    if pending:
        if out:
            out[-1] += pending
        else:
            out.append(pending)
            words.append([])
    return [Piece(t, tuple(w)) for t, w in zip(out, words)]


# ---------------------------------------------------------------------------
# Break costs

_RU_LAST_WORD = re.compile(r"([^\W\d_]+)\W*$")
_RU_FIRST_WORD = re.compile(r"^\W*?([^\W\d_]+)")


@lru_cache(maxsize=16384)
def break_cost(left: str, right: str, language: str) -> float:
    """The cost of a line break between two adjacent atoms (lower is better; the numbers are
    ``lang/data/breaks.toml``'s).

    Cheapest after a sentence end (. ! ? … 。！？), then after a clause mark (, ; : — ，；：、), a
    closing quote or a Chinese pause space, then before an opening quote, bracket or dash, then
    before a conjunction or preposition (and in Chinese after a prepositional phrase, before the
    verb); an ordinary word boundary costs more, a break between an adjective and the noun it
    agrees with or inside a Russian name more again, and most a break that leaves a Russian
    preposition, conjunction or particle at a line end, or puts an enclitic or a Chinese particle at a
    line start (the atoms already keep most of these whole). Tags and surrounding whitespace are
    ignored. Pure and cached: callers may use it freely.
    """
    lang = normalize_language(language)
    lv = _visible(left).rstrip(_WS_CHARS)
    rv = _visible(right).lstrip(_WS_CHARS)
    if not lv.strip() or not rv.strip():
        return COST_EMPTY
    core = lv.rstrip(_CLOSING_QUOTES) or lv
    last, first = core[-1], rv[0]
    if last in _SENTENCE_END:
        return COST_SENTENCE
    if last in _CLAUSE_END and not (last == "-" and lang == "ru" and len(core) > 1 and core[-2].isalnum()):
        return COST_CLAUSE
    if core != lv and lv[-1] in "»”’」』）)":   # after a closing quote or bracket
        return COST_CLAUSE
    return _ru_cost(lv, rv, core, first) if lang == "ru" else _zh_cost(left, lv, rv, last, first)


def _ru_cost(lv: str, rv: str, core: str, first: str) -> float:
    sets = _ru_sets()
    lw = _RU_LAST_WORD.search(lv)
    rw = _RU_FIRST_WORD.match(rv)
    lraw = lw.group(1) if lw and lw.end(1) == len(core) else ""
    rraw = rw.group(1) if rw and rw.start(1) == 0 else ""
    lword, rword = lraw.lower(), rraw.lower()
    if lword in sets["preposition"] or lword in sets["conjunction"] or lword in sets["particle"]:
        return COST_BINDING
    if rword in sets["enclitic"]:
        return COST_BINDING
    if first in _OPENERS or first in "—–-\"":
        return COST_BEFORE_OPEN
    if rword in sets["preposition"] and lword and _is_verb(lraw):
        return COST_WORD   # a verb and the preposition it governs (S1: never separate)
    if rword in sets["preposition"] or rword in sets["conjunction"] or rword in sets["modifier"]:
        return COST_BEFORE_CONJ
    if lword and rword and lraw[0].isupper() and rraw[0].isupper():
        return COST_NAME
    related = _relation(lraw, rraw) if lword and rword else None
    if related in ("agree", "genitive", "pronoun"):
        return COST_PHRASE
    if related == "subject":
        return COST_BEFORE_CONJ
    return COST_WORD


def _is_verb(word: str) -> bool:
    try:
        from .russian import is_verb

        return is_verb(word)
    except (ImportError, ConfigError):  # pragma: no cover
        return False


def _relation(left: str, right: str) -> str | None:
    """:func:`subtrans.lang.russian.relation` (None without pymorphy3)."""
    try:
        from .russian import relation

        return relation(left, right)
    except (ImportError, ConfigError):  # pragma: no cover - pymorphy3 comes with the glossary and mt extras
        return None


def _zh_cost(left: str, lv: str, rv: str, last: str, first: str) -> float:
    if _visible(left)[-1:] in _WS_CHARS and _visible(left)[-1:] and _is_cjk(last) and _is_cjk(first):
        return COST_CLAUSE  # a space between Chinese words stands for a comma (zh_no_comma_period)
    if last in "的地得之":
        return COST_ZH_BOUND      # a modifier and what it modifies
    if first in _OPENERS or first in "—":
        return COST_BEFORE_OPEN
    if last.isdigit() and _HAN_CHAR_RE.match(first):
        return COST_ZH_BOUND
    sets = _zh_sets()
    right = _han_words(rv)
    left_words = _han_words(lv)
    rw, rt = right[0] if right else ("", "")
    lt = _last_tag(lv)
    if rw in sets["particle"]:
        return COST_BINDING
    if lt == "d":
        return COST_ZH_BOUND      # an adverb and what it modifies: 已经 / 在...
    if rt == "d":
        return COST_BEFORE_CONJ   # before an adverb: where the predicate starts
    if rw in sets["preposition"] and len(lv) and _last_word(lv) in _ZH_ONE_CHAR_VERBS:
        return COST_ZH_BOUND      # a verb and its complement: 住在, 放在, 定在
    if rt == "c" or rw in sets["preposition"] or rt in sets["time"]:
        return COST_BEFORE_CONJ   # before a conjunction, a preposition or a time word
    if left_words and left_words[0][0] in sets["preposition"] and rt.startswith("v"):
        return COST_BEFORE_CONJ   # after a prepositional phrase, before its verb
    return COST_WORD


def _last_word(text: str) -> str:
    return _last_tagged(text)[0]


def _last_tag(text: str) -> str:
    return _last_tagged(text)[1]


def _last_tagged(text: str) -> tuple[str, str]:
    """The last jieba word of ``text`` with its tag, if ``text`` ends with Han characters."""
    runs = _han_runs(text)
    if not runs or runs[-1][0] + len(runs[-1][1]) != len(text):
        return "", ""
    words = tagged(runs[-1][1])
    return words[-1] if words else ("", "")


# One-character verbs that take 在/到/给 as a complement (放在桌上, 住在北京): mine.
_ZH_ONE_CHAR_VERBS = frozenset("定放住坐站躺写停挂摆送交寄留落掉走跑飞搬拿带")


def _han_words(text: str) -> tuple[tuple[str, str], ...]:
    """The jieba words (with tags) of the Han run that ``text`` starts with (none if it starts otherwise)."""
    runs = _han_runs(text)
    return tagged(runs[0][1]) if runs and runs[0][0] == 0 else ()


def _han_runs(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group(0)) for m in re.finditer(_HAN_RUN, text)]


# ---------------------------------------------------------------------------
# Line breaking


def _join_lines(text: str, lang: str) -> str:
    """Existing line breaks: a space in Russian; nothing in Chinese (a space between Latin words)."""
    if "\n" not in text:
        return text
    if lang == "ru":
        return re.sub(rf"{_WS}*\n{_WS}*", " ", text)

    def repl(m: re.Match[str]) -> str:
        before = _visible(text[:m.start()]).rstrip(_WS_CHARS)[-1:]
        after = _visible(text[m.end():]).lstrip(_WS_CHARS)[:1]
        return "" if not before or not after or _is_cjk(before) or _is_cjk(after) else " "

    return re.sub(rf"{_WS}*\n{_WS}*", repl, text)


def break_lines(text: str, language: str, *, max_chars: float, max_lines: int = 2,
                half_width: float = 1.0) -> str:
    """Lay out one cue's text in at most ``max_lines`` lines of at most ``max_chars``.

    Existing line breaks are joined first (Russian: a space; Chinese: nothing).
    One line when it fits; otherwise the fewest lines that fit, broken where
    the sum of :func:`break_cost` and the imbalance penalty is least.
    Imbalance: ``W_BALANCE * 2 * sum(((len_i - mean) / max_chars) ** 2)``
    (for two lines ``W_BALANCE * (d / max_chars) ** 2`` where ``d`` is the
    difference of the lengths) plus ``W_PYRAMID * (upper - lower) / max_chars``
    for each upper line longer than the one below it (Netflix prefers a
    bottom-heavy pyramid). Lengths are :func:`subtrans.text.line_length` with
    ``half_width`` (tags excluded). When no layout fits, ``max_lines`` lines
    whose longest is as short as possible. No character other than
    whitespace at a break is changed; dialogue cues (lines starting with a
    dash) are the caller's business.
    """
    lang = normalize_language(language)
    text = _join_lines(text, lang)
    parts = atoms(text, lang)
    if not parts:
        return ""
    return "\n".join(_Layout(parts, lang, float(max_chars), max(1, int(max_lines)), half_width).lines())


class _Layout:
    """Dynamic programming over break points between atoms."""

    def __init__(self, parts: list[str], lang: str, max_chars: float, max_lines: int, half_width: float) -> None:
        self.parts, self.n = parts, len(parts)
        self.max_chars, self.max_lines, self.hw = max_chars, max_lines, half_width
        self.short = SHORT_RATIO[lang]
        self.costs = [0.0] + [break_cost(parts[i - 1], parts[i], lang) for i in range(1, self.n)]
        self._seg: dict[tuple[int, int], tuple[str, float]] = {}

    def seg(self, i: int, j: int) -> tuple[str, float]:
        v = self._seg.get((i, j))
        if v is None:
            s = _tidy("".join(self.parts[i:j]))
            v = self._seg[(i, j)] = (s, line_length(s, self.hw))
        return v

    def lines(self) -> list[str]:
        whole, total = self.seg(0, self.n)
        if total <= self.max_chars or self.max_lines == 1 or self.n == 1:
            return [whole]
        most = min(self.max_lines, self.n)
        if total > 2 * most * self.max_chars:
            # far too long for any layout (a model that repeats itself ...): QA flags it whatever the
            # breaks; even lines in linear time instead of the exact search, which grows as n^3
            return self.even(most)
        for k in range(2, most + 1):
            found = self.best(k, self.max_chars)
            if found:
                return found
        found = self.best(most, self.minimax(most))
        assert found is not None
        return found

    def even(self, k: int) -> list[str]:
        """``k`` lines of about equal length, each break at the atom boundary nearest its share."""
        widths = [line_length(p, self.hw) for p in self.parts]
        total = sum(widths)
        cuts: list[int] = []
        run, m = 0.0, 1
        for i, w in enumerate(widths[:-1]):
            if m == k:
                break
            before, run = run, run + w
            share = total * m / k
            if run >= share:
                cuts.append(i + 1 if run - share <= share - before or not cuts and i == 0 else i)
                m += 1
        bounds = [0] + sorted(set(c for c in cuts if 0 < c < self.n)) + [self.n]
        return [self.seg(a, b)[0] for a, b in zip(bounds, bounds[1:]) if a < b]

    def minimax(self, k: int) -> float:
        """The least possible length of the longest line over layouts in exactly ``k`` lines."""
        n, inf = self.n, float("inf")
        g = [inf] * (n + 1)
        for j in range(1, n - k + 2):
            g[j] = self.seg(0, j)[1]
        for m in range(2, k + 1):
            h = [inf] * (n + 1)
            for j in range(m, n - (k - m) + 1):
                h[j] = min(max(g[i], self.seg(i, j)[1]) for i in range(m - 1, j))
            g = h
        return g[n]

    def best(self, k: int, limit: float) -> list[str] | None:
        """The cheapest layout in exactly ``k`` lines, each at most ``limit``; None if there is none."""
        n, mc = self.n, self.max_chars
        mean = self.seg(0, n)[1] / k

        def line_cost(length: float) -> float:
            short = W_SHORT * max(0.0, self.short - length / mc) / self.short
            return 2 * W_BALANCE * ((length - mean) / mc) ** 2 + short

        # table[m][(i, j)] = (cost, previous state) for lines 1..m covering parts[:j], the last being parts[i:j]
        table: list[dict[tuple[int, int], tuple[float, tuple[int, int] | None]]] = [{}]
        first: dict[tuple[int, int], tuple[float, tuple[int, int] | None]] = {}
        for j in range(1, n - k + 2):
            length = self.seg(0, j)[1]
            if length > limit:
                break  # lengths only grow with j
            first[(0, j)] = (line_cost(length), None)
        table.append(first)
        for m in range(2, k + 1):
            cur: dict[tuple[int, int], tuple[float, tuple[int, int] | None]] = {}
            stop = n if m == k else n - (k - m)
            for (h, i), (cost, _) in table[m - 1].items():
                upper = self.seg(h, i)[1]
                for j in range(i + 1, stop + 1):
                    length = self.seg(i, j)[1]
                    if length > limit:
                        break
                    if m == k and j != n:
                        continue
                    c = cost + self.costs[i] + line_cost(length) + W_PYRAMID * max(0.0, (upper - length) / mc)
                    if (i, j) not in cur or c < cur[(i, j)][0]:
                        cur[(i, j)] = (c, (h, i))
            table.append(cur)
        ends = [(c, key) for key, (c, _) in table[k].items() if key[1] == n]
        if not ends:
            return None
        _, key = min(ends)
        out: list[str] = []
        state: tuple[int, int] | None = key
        for m in range(k, 0, -1):
            assert state is not None
            out.append(self.seg(*state)[0])
            state = table[m][state][1]
        return out[::-1]


# ---------------------------------------------------------------------------
# Judging a break someone made (the line-break QA rule)

_ABBREVIATION_END = re.compile(r"(?:^|\s)\w{1,3}\.$")   # an initial or an abbreviation: «А. С.», «т. е.», «г.»


def break_fault(left: str, right: str, language: str) -> str | None:
    """What is wrong with breaking a line (or a cue) between ``left`` and ``right``, or None.

    The answer names the fault as a person would: a closing mark that opens a line or an opening
    mark that ends one (Chinese kinsoku), a ……/—— pair split, a word cut in two, or the reason of
    :mod:`subtrans.lang.binding` (a line ending on a preposition, a name, a number and its noun cut
    apart ...). Only the pieces next to the break are analysed, so checking a file loads pymorphy3
    only where a break falls between two capitalised words.
    """
    from .binding import REASONS, rules

    lang = normalize_language(language)
    lv, rv = _visible(left).rstrip(_WS_CHARS), _visible(right).lstrip(_WS_CHARS)
    if not lv or not rv:
        return None
    if lang == "zh":
        kinsoku = rules("zh")["kinsoku"]
        if rv[0] in kinsoku["no_start"]:
            return f"{rv[0]!r} opens a line"
        if lv[-1] in kinsoku["no_end"]:
            return f"{lv[-1]!r} ends a line"
        if any(lv.endswith(p[0]) and rv.startswith(p[1:]) for p in kinsoku["pairs"]):
            return "a two-cell mark (…… or ——) is split"
    if lv[-1] == "-" and lv[-2:-1].isalpha() and rv[:1].isalpha():
        return "a word is cut in two"   # «Г-» | «н», «кто-» | «то»
    if lv[-1] in _SENTENCE_END | _CLAUSE_END and not _ABBREVIATION_END.search(lv) \
            and not (lv[-1] == "-" and lv[-2:-1].isalpha()):   # «Г-» | «н» is a word cut in two
        return None   # after punctuation nothing binds (but «А. С.» | «Пушкин», «т. е.» ...)
    # Chinese joins lines with nothing, except between two Latin words or numbers (ale5000 / Use)
    joiner = " " if lang == "ru" or not (_is_cjk(lv[-1]) or _is_cjk(rv[0])) else ""
    joined = lv + joiner + rv
    cut = len(lv) + len(joiner)
    pieces = word_pieces(joined, lang)
    ends, at = [], 0
    for p in pieces:
        at += len(p.text)
        ends.append(at)
    if cut not in ends[:-1] and not (lang == "ru" and cut - 1 in ends[:-1]):
        return "a word is cut in two"
    b = ends.index(cut) if cut in ends else ends.index(cut - 1)
    lo, hi = max(0, b - 4), min(len(pieces), b + 6)
    reason = glue_reasons(pieces[lo:hi], lang, only=b - lo)[b - lo]
    return REASONS[reason] if reason else None
