"""Punctuation and spacing a model got wrong, made right for the QA text rules (:func:`finish_punctuation`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable

from .chinese import cut
from .lines import _HAN_CHAR_RE, _HAN_CLASS, _LINE_SPACES, _han_runs, _is_cjk, _split_tags, _tidy, normalize_language

if TYPE_CHECKING:  # pragma: no cover
    from ..profiles import Profile

__all__ = ["finish_punctuation"]


# ---------------------------------------------------------------------------
# Punctuation

_RU_FULL_TO_ASCII = {"，": ",", "。": ".", "！": "!", "？": "?", "：": ":", "；": ";", "、": ",", "（": "(", "）": ")"}
# no space before , . ! ? : ; nor before an ellipsis that ends a word ("давно …" -> "давно…", "… и" stays)
_RU_SPACE_BEFORE = re.compile(
    rf"(?<=[^{re.escape(_LINE_SPACES)}])[{re.escape(_LINE_SPACES)}]+(?=[,.!?:;]|…(?![^\W\d_]))")
_RU_SPACE_AFTER = re.compile(r"([,;:!?])(?=[^\W\d_])|(?<=[^\W\d_]{2})(\.)(?=[A-ZА-ЯЁ])")
_RU_MULTI_SPACE = re.compile(rf"[{re.escape(_LINE_SPACES)}]+")


def _ru_piece(s: str, ellipsis: str) -> str:
    s = "".join(_RU_FULL_TO_ASCII.get(c, c) for c in s)
    if ellipsis != "...":
        s = re.sub(r"\.{3,}", ellipsis, s)
    s = _RU_MULTI_SPACE.sub(" ", s)
    s = re.sub(r"\( ", "(", s)
    s = re.sub(r"(?<=\S) \)", ")", s)
    s = _RU_SPACE_BEFORE.sub("", s)
    s = _RU_SPACE_AFTER.sub(lambda m: (m.group(1) or m.group(2)) + " ", s)
    return s


def _finish_ru_line(line: str, ellipsis: str) -> str:
    had_fullwidth_paren = "（" in line or "）" in line
    out = "".join(p if tag else _ru_piece(p, ellipsis) for p, tag in _split_tags(line))
    if had_fullwidth_paren:  # a word glued to a bracket the model wrote full-width
        out = re.sub(r"(?<=[^\W_])\((?=[^\W_])", " (", out)
        out = re.sub(r"(?<=[^\W_])\)(?=[^\W\d_])", ") ", out)
    return _tidy(_collapse_across_tags(out))


def _finish_ru(text: str, profile: Profile | None) -> str:
    ellipsis = (profile.get("ellipsis", "…") if profile is not None else "…") or "…"
    return "\n".join(_settle(_finish_ru_line, line, ellipsis) for line in text.split("\n"))


def _collapse_across_tags(line: str) -> str:
    """Drop a space that follows another visible space with only tags between them."""
    pieces = _split_tags(line)
    prev_space = False
    for idx, (p, tag) in enumerate(pieces):
        if tag or not p:
            continue
        if prev_space and p[0] in _LINE_SPACES:
            p = p.lstrip(_LINE_SPACES)
            pieces[idx] = (p, False)
        if p:
            prev_space = p[-1] in _LINE_SPACES
    return "".join(p for p, _ in pieces)


_ZH_HALF_TO_FULL = {"?": "？", "!": "！", ":": "：", ";": "；", ",": "，", ".": "。", "(": "（", ")": "）"}
_ZH_STOPS = set("，。！？、；：…!?;:,.")
_ZH_CLOSERS = set("」』）》〉】〕〗”’)]}»")
_ZH_OPENERS = set("「『（《〈【〔〖“‘([{«")


def _space_allowed(p: str | None, n: str | None) -> bool:
    """May a space stand between visible characters ``p`` and ``n`` in Chinese text?"""
    if not p or not n:
        return False
    return not (n in _ZH_STOPS or n in _ZH_CLOSERS or p in _ZH_OPENERS or p in _ZH_STOPS)


def _finish_zh_line(line: str, no_comma: bool) -> str:
    pieces = _split_tags(line)
    chars: list[str] = []
    owner: list[int] = []
    for idx, (part, tag) in enumerate(pieces):
        if not tag:
            chars.extend(part)
            owner.extend([idx] * len(part))
    n = len(chars)
    out = list(chars)
    spaces = set(_LINE_SPACES)

    def prev_ns(k: int) -> int:
        k -= 1
        while k >= 0 and (out[k] in spaces or out[k] == ""):
            k -= 1
        return k

    def at(k: int) -> str | None:
        return out[k] if 0 <= k < n else None

    # 1. three or more dots: one ellipsis character (an existing … or …… stays as it is)
    k = 0
    while k < n:
        if chars[k] in ".。":
            e = k
            while e < n and chars[e] == chars[k]:
                e += 1
            if e - k >= 3:
                out[k] = "…"
                for x in range(k + 1, e):
                    out[x] = ""
            k = e
        else:
            k += 1

    # 2. half-width ? ! : ; , . ( ) next to Chinese: full-width (not between digits: 10:30, 3.14, 1,000)
    def wants_full(k: int) -> bool:
        c = out[k]
        pk = prev_ns(k)
        p = at(pk)
        adj_p, adj_n = at(k - 1), at(k + 1)
        if c in ":,." and adj_p and adj_n and adj_p.isalnum() and adj_n.isalnum() and not (
                _is_cjk(adj_p) or _is_cjk(adj_n)):
            return False
        if c == ".":  # a full stop after Chinese, not an abbreviation or a decimal point
            return _is_cjk(p) and pk == k - 1 and not (adj_n and adj_n.isalnum() and not _is_cjk(adj_n))
        if c in "()":  # only brackets that touch Chinese: "He said (A) 你好" stays
            return _is_cjk(adj_p) or _is_cjk(adj_n)
        return _is_cjk(p) or _is_cjk(adj_n)  # 你好 ? -> 你好？, but "A: 你好" stays

    pairs: dict[int, int] = {}
    stack: list[int] = []
    for k, c in enumerate(out):
        if c == "(":
            stack.append(k)
        elif c == ")" and stack:
            o = stack.pop()
            pairs[o], pairs[k] = k, o
    # A worklist, not passes until nothing changes (quadratic on a long run of marks before Chinese, each
    # waiting for its neighbour): a mark made full-width can only change the minds of its neighbours and of
    # the next visible character, so only those are looked at again. Each mark changes at most once.
    todo = list(range(n - 1, -1, -1))
    while todo:
        k = todo.pop()
        c = out[k]
        if c in _ZH_HALF_TO_FULL and wants_full(k):
            out[k] = _ZH_HALF_TO_FULL[c]
            touched = [k - 1, k + 1]
            if k in pairs and out[pairs[k]] in "()":
                o = pairs[k]
                out[o] = _ZH_HALF_TO_FULL[out[o]]
                touched += [o - 1, o + 1]
            for start in (k + 1, pairs.get(k, k) + 1):
                j = start
                while j < n and (out[j] in spaces or out[j] == ""):
                    j += 1
                touched.append(j)
            todo.extend(j for j in touched if 0 <= j < n and out[j] in _ZH_HALF_TO_FULL)

    # 3. gaps: runs of spaces (and, with zh_no_comma_period, of ，。) inside the line
    k = 0
    while k < n:
        if out[k] == "" or not (out[k] in spaces or (no_comma and out[k] in "，。")):
            k += 1
            continue
        e = k
        while e < n and (out[e] == "" or out[e] in spaces or (no_comma and out[e] in "，。")):
            e += 1
        has_comma = any(out[x] in "，。" for x in range(k, e))
        p, q = at(prev_ns(k)), at(e)
        if has_comma:
            # the gap chars are ，。 and spaces; p/q are the nearest other visible characters
            gap = " " if _space_allowed(p, q) else ""
        elif p is None or q is None:
            gap = ""
        elif _is_cjk(p) or _is_cjk(q):
            if not _space_allowed(p, q):
                gap = ""
            elif _is_cjk(p) and _is_cjk(q):
                gap = " " if no_comma else ""  # a space there may stand for a comma
            else:
                gap = " "  # between Chinese and Latin or digits: leave the space
        else:
            gap = " "
        out[k] = gap
        for x in range(k + 1, e):
            out[x] = ""
        k = e

    # 4. a model that spaced out single characters (我 们 明 天): join them
    if no_comma:
        _join_spaced_characters(out)

    buf: dict[int, list[str]] = {}
    for k in range(n):
        buf.setdefault(owner[k], []).append(out[k])
    return _tidy("".join(part if tag else "".join(buf.get(idx, [])) for idx, (part, tag) in enumerate(pieces)))


def _join_spaced_characters(out: list[str]) -> None:
    """Remove the spaces between Chinese characters when a model spaced the line out character by character.

    That is: three or more spaces between Chinese characters, two thirds of the
    Chinese runs single characters, and jieba, reading the line without those
    spaces, finds words across half of them (我 们 明 天 -> 我们明天) -- then all
    of them go; otherwise only those inside a jieba word. Short answers once
    split by commas (是 好 对 走) stay apart. Idempotent: a second pass sees the
    same joined text and the same words.
    """
    vis = [(k, c) for k, c in enumerate(out) if c]
    gaps = [x for x in range(1, len(vis) - 1)
            if vis[x][1] == " " and _HAN_CHAR_RE.match(vis[x - 1][1]) and _HAN_CHAR_RE.match(vis[x + 1][1])]
    if len(gaps) < 3:
        return
    chunks = [c for c in re.split(f"[^{_HAN_CLASS}]+", "".join(c for _, c in vis)) if c]
    if sum(len(c) == 1 for c in chunks) * 3 < 2 * len(chunks):
        return
    gap_set = set(gaps)
    joined = "".join(c for x, (_, c) in enumerate(vis) if x not in gap_set)
    bounds: set[int] = set()
    for start, run in _han_runs(joined):
        pos = start
        for word in cut(run):
            bounds.add(pos)
            pos += len(word)
        bounds.add(pos)
    joined_at: dict[int, int] = {}
    count = 0
    for x, _ in enumerate(vis):
        if x in gap_set:
            joined_at[x] = count
        else:
            count += 1
    inside = [x for x in gaps if joined_at[x] not in bounds]
    for x in gaps if len(inside) * 2 >= len(gaps) else inside:
        out[vis[x][0]] = ""


def finish_punctuation(text: str, language: str, profile: Profile | None = None) -> str:
    """Punctuation and spacing a model got wrong, made right for the QA text rules. Idempotent.

    Russian: three dots become the profile's ``ellipsis`` (default …);
    full-width ，。！？：；（） become ASCII; no space before , . ! ? : ; and one
    after , ; : ! ? (and after a full stop before a capital letter), never
    inside numbers (10:30, 1,5); repeated spaces collapse; lines lose leading
    and trailing spaces.

    Chinese: half-width ? ! : ; , ( ) next to Chinese become full-width (not
    in 10:30 or an English "(A)"), a full stop after Chinese becomes 。; three
    dots become … (an existing … or …… is kept); spaces a model put between
    Chinese characters go. With the profile value ``zh_no_comma_period``
    (both Netflix Chinese profiles), ，and 。 become a single space inside a
    line and vanish at its end or next to other punctuation; a single space
    between two Chinese words is then kept (it may stand for a comma), unless
    the whole line is spaced out character by character. Tags are never
    touched.
    """
    lang = normalize_language(language)
    if not text:
        return text
    if lang == "ru":
        return conventions(_finish_ru(text, profile), lang, profile)
    no_comma = bool(profile.get("zh_no_comma_period", False)) if profile is not None else False
    text = conventions(text, lang, profile)   # first: a dot in a name is not a full stop, 「 」 is Chinese
    text = "\n".join(_settle(_finish_zh_line, line, no_comma) for line in text.split("\n"))
    return _zh_ellipsis(text, profile)


# ---------------------------------------------------------------------------
# The target's conventions: quotation marks, ellipsis, interpunct, acronyms

_RU_ACRONYM = re.compile(r"(?<![\w.])((?:[А-ЯЁA-Z]\.){2,})(?=[^\w]|$)")
_QUOTE_PAIRS = {'"': '"', "“": "”", "„": "“", "«": "»", "「": "」", "『": "』", "‘": "’"}
_ZH_DOTS = re.compile(r"(?:…|⋯|\.{3,}|。{3,}|·{3,})+")
_ZH_NAME_DOT = re.compile(r"(?<=[\u4e00-\u9fff])[•・．.](?=[\u4e00-\u9fff])")


def conventions(text: str, language: str, profile: Profile | None = None) -> str:
    """The target's own conventions, from the profile. Idempotent.

    Russian: quotation marks as the profile's ``quotes`` («» outside, „“ inside: straight and
    English quotes become them); acronyms without dots (С.Ш.А. -> США). Chinese: quotation marks as
    the profile's ``quotes`` (“ ” in zh-Hans, 「 」 in zh-Hant); an ellipsis in the profile's form
    (``ellipsis``: ⋯ or ……); the interpunct · between the parts of a foreign name (安娜•卡列尼娜,
    安娜・卡列尼娜 -> 安娜·卡列尼娜).
    """
    lang = normalize_language(language)
    quotes = profile.get("quotes") if profile is not None else None
    if lang == "ru":
        text = _RU_ACRONYM.sub(lambda m: m.group(1).replace(".", "") + ("." if m.end() == len(text) else ""), text)
        return _requote(text, quotes) if quotes else text
    text = _ZH_NAME_DOT.sub(_interpunct, text)
    text = _requote(text, quotes) if quotes else text
    return _zh_ellipsis(text, profile)


def _zh_ellipsis(text: str, profile: Profile | None) -> str:
    ellipsis = profile.get("ellipsis") if profile is not None else None
    return _ZH_DOTS.sub(ellipsis, text) if ellipsis else text


def _interpunct(m: re.Match[str]) -> str:
    """``·`` for a dot between two parts of a name (a full stop between Chinese words stays)."""
    if m.group(0) in "•・":
        return "·"
    from .chinese import tagged

    text = m.string
    before = re.search(r"[\u4e00-\u9fff]+$", text[:m.start()])
    after = re.match(r"[\u4e00-\u9fff]+", text[m.end():])
    left = tagged(before.group(0))[-1][1] if before else ""
    right = tagged(after.group(0))[0][1] if after else ""
    names = ("nr", "nrt", "nrfg", "ns", "x")
    return "·" if left in names and right in names else m.group(0)


def _requote(text: str, quotes: str) -> str:
    """Quotation marks in pairs as ``quotes`` writes them (outer open, outer close, inner open, inner
    close); a quotation inside another takes the inner pair. Unpaired marks stay as they are, and so
    does everything inside formatting tags (``<font color="red">``)."""
    outer, inner = quotes[:2], quotes[2:4] or quotes[:2]
    closer = dict(_QUOTE_PAIRS)
    closer.update({quotes[k]: quotes[k + 1] for k in range(0, len(quotes) - 1, 2)})
    out = list(text)
    visible = [k for piece_start, (piece, tag) in _offsets(text) if not tag
               for k in range(piece_start, piece_start + len(piece))]
    stack: list[int] = []
    for n, k in enumerate(visible):
        ch = text[k]
        prev = text[visible[n - 1]] if n else ""
        nxt = text[visible[n + 1]] if n + 1 < len(visible) else ""
        if ch == "'" and prev.isalnum() and nxt.isalnum():
            continue  # an apostrophe (rock'n'roll), not a quote
        if stack and ch == closer[text[stack[-1]]]:
            start = stack.pop()
            pair = outer if not stack else inner
            out[start], out[k] = pair[0], pair[1]
        elif ch in closer:
            stack.append(k)
    return "".join(out)


def _offsets(text: str) -> list[tuple[int, tuple[str, bool]]]:
    """``_split_tags(text)`` with each piece's start offset."""
    out, at = [], 0
    for piece, tag in _split_tags(text):
        out.append((at, (piece, tag)))
        at += len(piece)
    return out


def _settle(step: Callable[..., str], line: str, *args: Any) -> str:
    """Apply ``step`` until the line stops changing (one step's change can enable another: "? 上")."""
    for _ in range(4):
        new = step(line, *args)
        if new == line:
            break
        line = new
    return line
