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

from ..text import TAG_RE, line_length
from .chinese import cut

__all__ = ["atoms", "break_cost", "break_lines", "normalize_language", "RU_BINDING", "RU_ENCLITICS"]

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
_OPENERS = set("「『（《〈【〔〖“‘([{«„‹¿¡")
# ... that glues both neighbours (the interpunct of foreign names: 威廉·莎士比亚) ...
_GLUE = set("·・•")
# ... and that may open or close: straight quotes, decided by their parity.
_AMBIGUOUS = set("\"'")
# Everything else that is not a word (，。！？、；：」』）》… — - , . ! ? ; : ) » and
# symbols) closes: it attaches to the previous word and never starts a line.
_CLOSING_QUOTES = "\"'»”’›」』）》〉】〕〗)]}"
_SENTENCE_END = set(".!?…。！？‼⁇⁈⁉")
_CLAUSE_END = set(",;:，；：、—–-")
_ZH_PARTICLES = set("了吗呢吧啊呀嘛么着过们的地得")  # never start a line with these
_ZH_MODIFIER_END = set("的地得之")                   # ... nor end one with these

# Russian words after which a line must not break (prepositions, conjunctions
# and particles bind to the next word) and enclitics that bind to the previous one.
RU_BINDING = frozenset(
    "в во на и а но с со к ко у о об обо по за из от до не ни же ли что как для при без под над "
    "про через или да чтобы изо ото передо подо надо".split()
)
RU_ENCLITICS = frozenset("же ж ли ль бы б".split())

# ---------------------------------------------------------------------------
# Costs of a break (lower is better) and of an unbalanced layout

COST_SENTENCE = 0.0      # after . ! ? … 。！？
COST_CLAUSE = 2.0        # after , ; : — ，；：、 (and a space that replaces a Chinese comma)
COST_BEFORE_OPEN = 3.0   # before an opening quote, bracket or dash
COST_BEFORE_CONJ = 5.0   # before a Russian conjunction or preposition (Netflix: break before them)
COST_WORD = 10.0         # between two ordinary words
COST_NAME = 20.0         # between two capitalised Russian words (a first and a last name)
COST_ZH_BOUND = 25.0     # after 的/地/得 (modifier and noun), between a number and its measure word
COST_BINDING = 60.0      # after a Russian preposition/conjunction/particle, before an enclitic or 了/吗/的
COST_EMPTY = 1000.0      # a break that leaves one side with nothing visible

W_BALANCE = 30.0  # weight of the squared difference of the line lengths (in units of max_chars)
W_PYRAMID = 5.0  # extra weight when an upper line is longer than the one below it

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


def _tokens(text: str, lang: str) -> list[tuple[str, str]]:
    """(text, kind) with kind word, ws, open, close or glue."""
    out: list[tuple[str, str]] = []
    quotes = 0
    if lang == "ru":
        for m in _RU_TOKEN_RE.finditer(text):
            s = m.group(0)
            if m.lastgroup == "tag":
                out.append((s, "close" if _is_closing_tag(s) else "open"))
            elif m.lastgroup == "ws":
                out.append((s, "ws"))
            elif any(c.isalnum() for c in s):
                out.append((s, "word"))
            else:
                out.append((s, _punct_kind(s, quotes)))
                quotes += sum(c in _AMBIGUOUS for c in s)
        return out
    for m in _ZH_TOKEN_RE.finditer(text):
        s, group = m.group(0), m.lastgroup
        if group == "tag":
            out.append((s, "close" if _is_closing_tag(s) else "open"))
        elif group == "ws":
            out.append((s, "ws"))
        elif group == "latin":
            out.append((s, "word"))
        elif group == "han":
            out.extend((w, "word") for w in cut(s))
        elif _KANA_HANGUL_RE.match(s) or s.isalnum():
            out.append((s, "word"))
        else:
            out.append((s, _punct_kind(s, quotes)))
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
    the next one, a closing tag with the previous one.
    """
    lang = normalize_language(language)
    if not text:
        return []
    out: list[str] = []
    pending = ""        # opening material waiting for its word
    glue_next = False   # the previous atom ends with an interpunct: the next word joins it
    for s, kind in _tokens(text, lang):
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
            else:
                out.append(pending + s)
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
    return out


# ---------------------------------------------------------------------------
# Break costs

_RU_LAST_WORD = re.compile(r"([^\W\d_]+)\W*$")
_RU_FIRST_WORD = re.compile(r"^\W*?([^\W\d_]+)")


@lru_cache(maxsize=16384)
def break_cost(left: str, right: str, language: str) -> float:
    """The cost of a line break between two adjacent atoms (lower is better).

    0 after a sentence end (. ! ? … 。！？), 2 after a clause mark (, ; : — ，；：、),
    3 before an opening quote, bracket or dash, 5 before a Russian conjunction
    or preposition, 10 between ordinary words, 20 between two capitalised
    Russian words (names), 25 after Chinese 的/地/得 or between a number and a
    Chinese measure word, 60 after a Russian preposition, conjunction or
    particle (в, и, не, что...), before an enclitic (же, ли, бы) and before
    Chinese 了/吗/呢/的. Tags and surrounding whitespace are ignored. Pure and
    cached: callers may use it freely.
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
    if lang == "ru":
        lw = _RU_LAST_WORD.search(lv)
        rw = _RU_FIRST_WORD.match(rv)
        lword = lw.group(1).lower() if lw and lw.end(1) == len(core) else ""
        rword = rw.group(1).lower() if rw and rw.start(1) == 0 else ""
        if lword in RU_BINDING:
            return COST_BINDING
        if rword in RU_ENCLITICS:
            return COST_BINDING
        if first in _OPENERS or first in "—–-\"":
            return COST_BEFORE_OPEN
        if rword in RU_BINDING:
            return COST_BEFORE_CONJ
        if lword and rword and lw.group(1)[0].isupper() and rw.group(1)[0].isupper():
            return COST_NAME
        return COST_WORD
    # Chinese
    if _visible(left)[-1:] in _WS_CHARS and _visible(left)[-1:] and _is_cjk(last) and _is_cjk(first):
        return COST_CLAUSE  # a space between Chinese words stands for a comma (zh_no_comma_period)
    if first in _OPENERS or first in "—":
        return COST_BEFORE_OPEN
    if first in _ZH_PARTICLES:
        return COST_BINDING
    if last in _ZH_MODIFIER_END:
        return COST_ZH_BOUND
    if last.isdigit() and _HAN_CHAR_RE.match(first):
        return COST_ZH_BOUND
    return COST_WORD


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

    def __init__(self, parts: list[str], lang: str, max_chars: float, max_lines: int, half_width: float):
        self.parts, self.n = parts, len(parts)
        self.max_chars, self.max_lines, self.hw = max_chars, max_lines, half_width
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
        cuts, run, m = [], 0.0, 1
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
            return 2 * W_BALANCE * ((length - mean) / mc) ** 2

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
