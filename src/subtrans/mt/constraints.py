"""Terms that must appear in a translation: checking them, and enforcing them while decoding.

A *term* is a list of alternative surface strings, any one of which satisfies
it: every case and number form of a Russian term (the glossary form first), or
one Chinese string. :func:`missing_terms` says which terms an output lacks; it
is pure and light (no torch), so the pipeline and the QA rules can use it.

Enforcement (used by the ``hf`` backend, for any seq2seq model) has three
layers and a last resort, recorded per term as the *mechanism* that put it in
the output:

``free``
    the model produced the term on its own: every token of it was the
    hypothesis' top choice before any intervention.
``constrained``
    :class:`TermLogitsProcessor` steered decoding: it tracks, per hypothesis
    and per step, which terms are complete and whether the prefix ends inside
    a started spelling; it forces the continuation of a started term, forbids
    end-of-sentence while terms are pending, adds a bias to the first token of
    pending terms, and forces a term to start when the model wants to stop
    (its top choice is end-of-sentence or sentence-final punctuation) or when
    the remaining length budget just fits the pending terms. It also
    penalises writing a completed term again and, in Russian, gluing letters
    onto a completed term.
``repaired``
    the decoded text still lacked the term (checked as whole words in
    Russian; a tokenisation round trip that differs ...): the output is cut where
    the model gives the term's first token the highest probability (one
    teacher-forced pass), the term is appended to that prefix, and the model
    completes the sentence from the forced decoder prefix.
``appended``
    last resort, string level: the term is inserted before the final
    punctuation. It always succeeds, so a term is present whenever the input
    is not empty; the pipeline should report these (they are often badly
    placed, and the model's own rendering of the source word remains).

``skipped`` marks the terms of an empty input (its translation is "").

The design, its failure modes and measured costs: ``docs/constraints.md``;
the benchmark: ``bench/constraints.py``.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = [
    "missing_terms", "term_present", "count_occurrences", "check_constraints", "insert_term",
    "ConstraintOptions", "Spelling", "SpelledTerm", "TermSpeller", "TermLogitsProcessor", "TermDecoding",
    "PrefixRepair",
    "MECHANISMS", "WORD_MARK",
]

#: What :attr:`HFBackend.last_enforcement` can hold per term, best first.
MECHANISMS = ("free", "constrained", "repaired", "appended", "skipped")
#: SentencePiece's word-boundary marker (U+2581).
WORD_MARK = "\u2581"
#: Spellings longer than this many tokens are ignored (the processor keeps them as bits of an int64).
MAX_SPELLING = 62

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LETTERS = "A-Za-z\u00c0-\u024f\u0400-\u04ff"  # letters a Russian word cannot be glued to
_FINAL_PUNCT = ".!?…。！？‼⁇⁈⁉"
_CLOSERS = "\"'»”’)]）」』】》〉"
_TAIL = re.compile(rf"[\s{re.escape(_FINAL_PUNCT + _CLOSERS)}]*$")
_OPENERS = "«“„\"'([（「『【《〈"


# --------------------------------------------------------------------------- checking (pure, light)


def _alternatives(term: Sequence[str]) -> list[str]:
    return [a for a in term if isinstance(a, str) and a.strip()]


def term_present(output: str, term: Sequence[str], *, whole_words: bool = False) -> bool:
    """Whether one of the alternatives of ``term`` occurs in ``output``.

    A plain substring test; an alternative with Cyrillic letters also matches
    case-insensitively ("красная армия" satisfies "Красная армия"). With
    ``whole_words``, an alternative that begins or ends with a letter must
    not be glued to other Cyrillic or Latin letters there ("Пекинитать" is
    not "Пекин"): how a lemma-based check sees a Russian translation, so
    offer every case form as an alternative.
    """
    folded = None
    for alt in _alternatives(term):
        cyrillic = bool(_CYRILLIC.search(alt))
        if whole_words:
            if _whole_word(alt, cyrillic).search(output):
                return True
            continue
        if alt in output:
            return True
        if cyrillic:
            if folded is None:
                folded = output.casefold()
            if alt.casefold() in folded:
                return True
    return False


@functools.lru_cache(maxsize=4096)
def _whole_word(alt: str, ignore_case: bool) -> "re.Pattern[str]":
    head = rf"(?<![{_LETTERS}])" if alt[:1].isalpha() else ""
    tail = rf"(?![{_LETTERS}])" if alt[-1:].isalpha() else ""
    return re.compile(head + re.escape(alt) + tail, re.IGNORECASE if ignore_case else 0)


def missing_terms(output: str, terms: Sequence[Sequence[str]], *, whole_words: bool = False) -> list[int]:
    """Indexes of the terms none of whose alternatives occurs in ``output`` (see :func:`term_present`).

    >>> missing_terms("Мы едем в Харбин.", [["Харбин", "Харбина"], ["Красная армия", "Красной армии"]])
    [1]
    """
    return [i for i, term in enumerate(terms) if not term_present(output, term, whole_words=whole_words)]


def count_occurrences(output: str, term: Sequence[str]) -> int:
    """How many times ``term`` occurs in ``output``: non-overlapping matches of any alternative.

    Longer alternatives are matched first, so "Харбина" counts once, not also
    as "Харбин"; Cyrillic alternatives match case-insensitively.
    """
    alts = sorted({a for a in _alternatives(term)}, key=len, reverse=True)
    if not alts:
        return 0
    flags = re.IGNORECASE if any(_CYRILLIC.search(a) for a in alts) else 0
    return len(re.findall("|".join(re.escape(a) for a in alts), output, flags))


def check_constraints(constraints: Any, count: int) -> list[list[tuple[str, ...]]]:
    """Validate the ``constraints`` argument of ``Backend.translate``; one list of terms per text.

    ``None`` means no terms. Otherwise a list with one entry per text, each
    ``None`` or a list of terms, each term a list (or tuple) of strings.
    Blank alternatives are dropped, and a term left with none is ignored.
    Raises TypeError / ValueError on a malformed argument (a programming error).
    """
    if constraints is None:
        return [[] for _ in range(count)]
    if isinstance(constraints, (str, bytes)) or not isinstance(constraints, Sequence):
        raise TypeError("constraints must be None or a list (one list of terms per text)")
    if len(constraints) != count:
        raise ValueError(f"constraints has {len(constraints)} entries for {count} texts: give one list of terms "
                         f"per text (an empty list for none)")
    out: list[list[tuple[str, ...]]] = []
    for n, entry in enumerate(constraints):
        if entry is None:
            out.append([])
            continue
        if isinstance(entry, (str, bytes)) or not isinstance(entry, Sequence):
            raise TypeError(f"constraints[{n}] must be a list of terms, got {type(entry).__name__}")
        terms: list[tuple[str, ...]] = []
        for m, term in enumerate(entry):
            if isinstance(term, (str, bytes)) or not isinstance(term, Sequence):
                raise TypeError(f"constraints[{n}][{m}] must be a list of alternative strings (a term), "
                                f"got {type(term).__name__}: wrap a single string as [{term!r}]")
            if not all(isinstance(a, str) for a in term):
                raise TypeError(f"constraints[{n}][{m}]: every alternative must be a string")
            alts = tuple(dict.fromkeys(a.strip() for a in term if a.strip()))
            if alts:
                terms.append(alts)
        out.append(terms)
    return out


def _spaced(language: str) -> bool:
    """Whether words of ``language`` are separated by spaces (Russian yes, Chinese no)."""
    return not language.startswith("zh")


def _join(prefix: str, term: str, language: str) -> str:
    prefix = prefix.rstrip()
    if not prefix:
        return term
    if _spaced(language) and prefix[-1] not in _OPENERS:
        return prefix + " " + term
    return prefix + term


def insert_term(text: str, term: str, language: str) -> str:
    """``text`` with ``term`` inserted before its final punctuation (the last-resort repair)."""
    text = text.strip()
    cut = _TAIL.search(text).start()
    head, tail = text[:cut], text[cut:].strip()
    return _join(head, term, language) + tail


# --------------------------------------------------------------------------- spelling terms in tokens


@dataclass(frozen=True)
class Spelling:
    """One token sequence that spells an alternative of a term.

    ``force``: the processor may force or bias it (otherwise it only counts
    as the term being present). ``weak``: its first token is the bare
    word-boundary piece, which starts many words, so it is forced only after
    the processor itself started it.
    """

    tokens: tuple[int, ...]
    text: str
    force: bool = True
    weak: bool = False
    word: bool = True   # the first token starts a word (carries the word-boundary mark)


@dataclass(frozen=True)
class SpelledTerm:
    """A term and every token sequence it may appear as."""

    alternatives: tuple[str, ...]
    spellings: tuple[Spelling, ...] = ()

    @functools.cached_property
    def forceable(self) -> bool:
        return any(s.force for s in self.spellings)

    @functools.cached_property
    def min_length(self) -> int:
        """Tokens needed for the shortest forceable spelling (0 if it has none)."""
        return min((len(s.tokens) for s in self.spellings if s.force), default=0)

    def first_token(self, alternative: str, *, glued: bool) -> int | None:
        """The first token of ``alternative`` starting a word (``glued`` False) or following text directly;
        the other kind when there is no such spelling, None when it cannot be forced at all."""
        fallback = None
        for s in self.spellings:
            if s.text == alternative and s.force:
                if s.word != glued:
                    return s.tokens[0]
                if fallback is None:
                    fallback = s.tokens[0]
        return fallback


class TermSpeller:
    """Turns terms into target-side token sequences for one tokenizer.

    ``encode(text) -> ids`` must tokenise as the decoder's output is
    tokenised (target mode, no special tokens); ``decode(ids) -> text`` as
    the backend decodes outputs. Each alternative is spelled as the
    tokenizer writes it standalone (a word start: SentencePiece's "▁"), and,
    when that starts with "▁", glued to preceding text (the first piece
    without "▁", re-segmented by longest match in the vocabulary). In a
    language written with spaces (Russian) the word-start spelling is forced
    and the glued one only detected; in Chinese both are forced. For
    Cyrillic alternatives the first letter's other case is detected too. A
    spelling containing an unusable token (unknown, special) or that does not
    decode back to its alternative is dropped: a term with no spelling left
    cannot be forced and goes to the repair path.
    """

    def __init__(self, tokenizer: Any, encode: Callable[[str], list[int]], decode: Callable[[list[int]], str],
                 unusable_ids: set[int] | frozenset[int] = frozenset()) -> None:
        self.encode = encode
        self.decode = decode
        vocab = tokenizer.get_vocab()
        self._vocab: dict[str, int] = vocab
        self._pieces: dict[int, str] = {i: p for p, i in vocab.items()}
        unusable = set(unusable_ids)
        if getattr(tokenizer, "unk_token_id", None) is not None:
            unusable.add(tokenizer.unk_token_id)
        self._unusable = frozenset(unusable)
        self._longest = min(32, max((len(p) for p in vocab), default=1))
        stops = []
        for piece, i in vocab.items():
            bare = piece.replace(WORD_MARK, "")
            if bare and all(c in _FINAL_PUNCT for c in bare) and i not in self._unusable:
                stops.append(i)
        #: Tokens that end a sentence (".", "。", "?" ...): the model wanting one while terms are pending
        #: makes the processor start a term.
        self.stop_ids: tuple[int, ...] = tuple(sorted(stops))
        self._stop_set = frozenset(stops)
        self._cache: dict[tuple[tuple[str, ...], str], SpelledTerm] = {}

    def piece(self, token: int) -> str:
        return self._pieces.get(token, "")

    @functools.cached_property
    def glued_ids(self) -> tuple[int, ...]:
        """Tokens that continue the current word with a letter (no "▁", a letter first): after a
        completed Russian term they would glue letters onto it ("Пекин" + "итать")."""
        return tuple(sorted(i for p, i in self._vocab.items()
                            if p and not p.startswith(WORD_MARK) and p[0].isalpha() and i not in self._unusable))

    def starts_word(self, token: int) -> bool:
        return self.piece(token).startswith(WORD_MARK)

    def is_stop(self, token: int) -> bool:
        """Whether ``token`` is sentence-final punctuation."""
        return token in self._stop_set

    def spell(self, term: Sequence[str], language: str) -> SpelledTerm:
        """Every spelling of every alternative of ``term`` in the target language ``language``."""
        key = (tuple(term), language)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        spaced = _spaced(language)
        found: dict[tuple[int, ...], Spelling] = {}

        def add(tokens: list[int] | None, text: str, force: bool) -> None:
            if not tokens or len(tokens) > MAX_SPELLING or any(t in self._unusable for t in tokens):
                return
            if not term_present(self.decode(list(tokens)), [text]):
                return
            tokens_t = tuple(tokens)
            weak = self.piece(tokens_t[0]) == WORD_MARK
            if weak and not spaced:
                force = False  # Chinese: the glued spelling covers it
            old = found.get(tokens_t)
            if old is None or (force and not old.force):
                found[tokens_t] = Spelling(tokens_t, text, force, weak, self.starts_word(tokens_t[0]))

        for alt in term:
            forms = [(alt, True)]
            if _CYRILLIC.search(alt) and alt[:1].isalpha():  # sentence-initial capital, or not: detect both
                other = alt[:1].lower() + alt[1:] if alt[:1].isupper() else alt[:1].upper() + alt[1:]
                if other != alt:
                    forms.append((other, False))
            for text, force in forms:
                ids = list(self.encode(text))
                add(ids, alt if force else text, force)
                if ids and self.piece(ids[0]).startswith(WORD_MARK):
                    add(self._glue(ids), alt if force else text, force and not spaced)
        spelled = SpelledTerm(tuple(term), tuple(found.values()))
        self._cache[key] = spelled
        return spelled

    def _glue(self, ids: list[int]) -> list[int] | None:
        """``ids`` without the word-boundary mark on the first piece (the term glued to what precedes it)."""
        rest = self.piece(ids[0])[len(WORD_MARK):]
        if not rest:
            return ids[1:] or None
        out: list[int] = []
        i = 0
        while i < len(rest):
            for j in range(min(len(rest), i + self._longest), i, -1):
                t = self._vocab.get(rest[i:j])
                if t is not None and t not in self._unusable:
                    out.append(t)
                    i = j
                    break
            else:
                return None
        return out + ids[1:]


# --------------------------------------------------------------------------- the logits processor

@dataclass
class _Tables:
    """Per-row tensors describing the spellings of each row's terms (A spellings, T terms, N tokens)."""

    tok: "torch.Tensor"          # [R, A, N] spelling tokens, -1 padded
    term: "torch.Tensor"         # [R, A] term index of the spelling
    force: "torch.Tensor"        # [R, A] the processor may force / bias it
    extra: "torch.Tensor"        # [R, A] its length minus its term's shortest forceable length
    length: "torch.Tensor"       # [R, A]
    full_bit: "torch.Tensor"     # [R, A] int64: bit length-1 (the whole spelling matched)
    prefix_bits: "torch.Tensor"  # [R, A] int64: bits 0..length-2 (proper prefixes), forceable spellings only
    weak_bit: "torch.Tensor"     # [R, A] int64: 1 for a weak spelling (its first token is a bare "▁")
    any_prefix: "torch.Tensor"   # [R, A] int64: bits 0..length-2 for every spelling, forceable or not
    word: "torch.Tensor"         # [R, A] the spelling starts a word
    first: "torch.Tensor"        # [R, A] first token
    cont: "torch.Tensor"         # [R, A, N-1] token k+1 (continuation after k+1 matched tokens)
    term_force: "torch.Tensor"   # [R, T] the term has a forceable spelling
    term_min: "torch.Tensor"     # [R, T] tokens of its shortest forceable spelling
    ft_tok: "torch.Tensor"       # [R, F] distinct first tokens (for the bias)
    ft_of: "torch.Tensor"        # [R, A] index of the spelling's first token in ft_tok
    wk_tok: "torch.Tensor"       # [R, W] distinct second tokens of weak spellings
    wk_of: "torch.Tensor"        # [R, A]
    uq_tok: "torch.Tensor"       # [R, U] every token of the row's spellings, once (-1 padded)
    row_max: "torch.Tensor"      # [R] total length by which the row must be done


class _State(NamedTuple):
    """What the processor knows about each row after a step (a function of the row's prefix)."""

    match: "torch.Tensor"        # [R, A] int64: bit k-1 set = the prefix ends with the spelling's first k tokens
    done: "torch.Tensor"         # [R, A] the spelling occurs in the prefix
    commit: "torch.Tensor"       # [R, A] the processor started this spelling (weak ones continue only then)
    pending: "torch.Tensor"      # [R, T] forceable terms not yet in the prefix
    pend_sp: "torch.Tensor"      # [R, A] forceable spellings of pending terms
    need: "torch.Tensor"         # [R] tokens the pending terms need at least
    any_pending: "torch.Tensor"  # [R]
    repeat: "torch.Tensor | None"  # [R, A] forceable spellings of completed terms (for the repeat penalty)

    def take(self, rows: "torch.Tensor") -> "_State":
        return _State(*(None if x is None else x.index_select(0, rows) for x in self))


def _long_tensor(values: list[int]) -> "torch.Tensor":
    """A 1-D int64 tensor from a list of ints (through an array: ``torch.tensor(list)`` is slow)."""
    import array

    import torch

    return torch.frombuffer(array.array("q", values), dtype=torch.long).clone() if values else \
        torch.zeros(0, dtype=torch.long)


class TermLogitsProcessor:
    """A logits processor (``generate(logits_processor=LogitsProcessorList([...]))``) that enforces terms.

    ``terms``: per batch item, its :class:`SpelledTerm` list. ``start``: the
    decoder positions before the text (the decoder start token, plus the
    forced language token of M2M100/NLLB); they are never matched.
    ``max_lengths``: per batch item, the total length (``start`` + text
    tokens) within which its terms must fit and after which it must end.

    Works for greedy search (raw logits) and beam search (log-softmax per
    beam): rows are ``batch * num_beams``, row ``r`` belongs to item
    ``r // num_beams``. Per row it keeps, as a function of the row's prefix,
    which spellings are complete and, Shift-And style, a bit mask of the
    spelling prefixes the row currently ends with. The state is carried from
    step to step by matching each row's prefix to the previous step's rows
    (beams reorder) and recomputed from ``input_ids`` whenever that fails.
    Each step is a few dozen tensor operations over ``[rows, spellings]``;
    when no row's last token belongs to any spelling (most steps) the
    matching is skipped. The vocabulary is touched by one ``amax`` and by the
    rows it masks.

    With ``record``, keeps each step's prefixes, best score and term-token
    scores so that :meth:`own_choices` can tell which term tokens the model
    chose unaided.
    """

    def __init__(self, terms: Sequence[Sequence[SpelledTerm]], *, start: int, max_lengths: Sequence[int],
                 eos_ids: Sequence[int], stop_ids: Sequence[int] = (), bias: float = 2.0,
                 repeat_penalty: float = 0.0, glued_ids: Sequence[int] = (), record: bool = False) -> None:
        self.terms = [list(t) for t in terms]
        self.glued_ids = list(glued_ids)
        self.start = int(start)
        self.max_lengths = [int(m) for m in max_lengths]
        self.eos_ids = list(eos_ids)
        self.stop_ids = list(stop_ids) + [e for e in self.eos_ids if e not in stop_ids]
        self.bias = float(bias)
        self.repeat_penalty = float(repeat_penalty)
        self.record = record
        self.history: dict[int, tuple["torch.Tensor", "torch.Tensor", "torch.Tensor"]] = {}
        self.steps = 0
        self._t: _Tables | None = None
        self._prev: "torch.Tensor | None" = None
        self._state: _State | None = None

    # -- tables ------------------------------------------------------------------------

    def _setup(self, rows: int, device: "torch.device") -> None:
        import torch

        B = len(self.terms)
        if rows % B:
            raise ValueError(f"{rows} rows for {B} batch items")
        self.batch, self.beams = B, rows // B
        T = max([len(t) for t in self.terms] + [1])
        A = max([sum(len(t.spellings) for t in terms) for terms in self.terms] + [1])
        N = max([len(sp.tokens) for terms in self.terms for t in terms for sp in t.spellings] + [2])
        tok_f: list[int] = []
        meta_f: list[int] = []     # per spelling: length, force, weak, term, ft_of, wk_of, word
        term_f: list[int] = []     # per term: forceable, shortest forceable length
        ft_lists, wk_lists, uq_lists = [], [], []
        for terms in self.terms:
            firsts: dict[int, int] = {}
            seconds: dict[int, int] = {}
            uq: set[int] = set()
            count = 0
            for k, term in enumerate(terms):
                shortest = term.min_length
                term_f += (int(shortest > 0), shortest)
                for sp in term.spellings:
                    tokens = sp.tokens
                    n = len(tokens)
                    tok_f += tokens
                    tok_f += (-1,) * (N - n)
                    weak = sp.weak and n > 1
                    meta_f += (n, sp.force, weak, k, firsts.setdefault(tokens[0], len(firsts)),
                               seconds.setdefault(tokens[1], len(seconds)) if weak else 0, sp.word)
                    uq.update(tokens)
                count += len(term.spellings)
            term_f += (0, 0) * (T - len(terms))
            tok_f += (-1,) * (N * (A - count))
            meta_f += (0,) * (7 * (A - count))
            ft_lists.append(list(firsts))
            wk_lists.append(list(seconds))
            uq_lists.append(sorted(uq))

        def table(lists: list[list[int]], fill: int) -> "torch.Tensor":
            width = max([len(x) for x in lists] + [1])
            flat: list[int] = []
            for x in lists:
                flat += x
                flat += (fill,) * (width - len(x))
            return _long_tensor(flat).view(len(lists), width)

        tok = _long_tensor(tok_f).view(B, A, N)
        meta = _long_tensor(meta_f).view(B, A, 7)
        termt = _long_tensor(term_f).view(B, T, 2)
        length, force, weak, term, ft_of, wk_of, word = meta.unbind(-1)
        force = force.bool()
        term_force, term_min = termt[..., 0].bool(), termt[..., 1]
        one = torch.ones_like(length)
        full_bit = torch.where(length > 0, one << (length - 1).clamp(min=0), torch.zeros_like(length))
        any_prefix = torch.where(length > 1, (one << (length - 1).clamp(min=0)) - 1, torch.zeros_like(length))
        prefix_bits = torch.where(force, any_prefix, torch.zeros_like(length))
        tables = dict(
            tok=tok, term=term, force=force, extra=length - term_min.gather(1, term), length=length,
            full_bit=full_bit, prefix_bits=prefix_bits, weak_bit=weak, any_prefix=any_prefix, word=word.bool(),
            first=tok[:, :, 0].clamp(min=0),
            cont=tok[:, :, 1:].clamp(min=0), term_force=term_force, term_min=term_min, ft_tok=table(ft_lists, 0),
            ft_of=ft_of, wk_tok=table(wk_lists, 0), wk_of=wk_of, uq_tok=table(uq_lists, -1),
            row_max=torch.tensor(self.max_lengths, dtype=torch.long),
        )
        if self.beams > 1:
            idx = torch.arange(rows) // self.beams
            tables = {k: v.index_select(0, idx) for k, v in tables.items()}
        self._t = _Tables(**{k: v.contiguous().to(device) for k, v in tables.items()})
        self._uq_idx = self._t.uq_tok.clamp(min=0)
        self._shifts = torch.arange(N - 1, device=device)
        self._pow2 = torch.ones(N, dtype=torch.long, device=device) << torch.arange(N, device=device)
        self._eos = torch.tensor(self.eos_ids, dtype=torch.long, device=device)
        self._stops = torch.tensor(sorted(set(self.stop_ids)), dtype=torch.long, device=device)
        self._glued = None
        if self.glued_ids:
            self._glued = torch.tensor(self.glued_ids, dtype=torch.long, device=device)
        self._group_base = torch.arange(B, device=device) * self.beams

    # -- state -------------------------------------------------------------------------

    def _parents(self, input_ids: "torch.Tensor") -> "torch.Tensor | bool | None":
        """For each row, the previous step's row whose sequence is this row's prefix: a tensor of
        indexes, True when every row continues itself, None when unknown."""
        prev = self._prev
        if prev is None or prev.shape[1] != input_ids.shape[1] - 1 or prev.shape[0] != input_ids.shape[0]:
            return None
        s = self.start
        cur = input_ids[:, s:-1]
        old = prev[:, s:]
        if self.beams == 1:
            return True if bool((cur == old).all()) else None
        B, nb, L = self.batch, self.beams, cur.shape[1]
        eq = (cur.reshape(B, nb, 1, L) == old.reshape(B, 1, nb, L)).all(-1)     # [B, nb, nb]
        if not bool(eq.any(-1).all()):
            return None
        return (eq.int().argmax(-1) + self._group_base[:, None]).reshape(-1)

    def _bits(self, token: "torch.Tensor") -> "torch.Tensor":
        """[R, A] int64: bit j set where the spelling's token j is ``token`` (Shift-And's B mask)."""
        return ((self._t.tok == token[:, None, None]).long() * self._pow2).sum(-1)

    def _derive(self, match, done, commit) -> _State:
        import torch

        t = self._t
        term_done = torch.zeros(t.term_force.shape, device=done.device).scatter_add_(1, t.term, done.float()) > 0
        pending = t.term_force & ~term_done
        pend_sp = t.force & pending.gather(1, t.term)
        repeat = None
        if self.repeat_penalty:
            repeat = t.force & (t.weak_bit == 0) & term_done.gather(1, t.term)
        return _State(match, done, commit, pending, pend_sp, (t.term_min * pending).sum(1), pending.any(1), repeat)

    def _scan(self, gen: "torch.Tensor") -> _State:
        """The state of each row, recomputed from its generated tokens."""
        import torch

        t = self._t
        match = torch.zeros_like(t.length)
        done = torch.zeros_like(t.force)
        for j in range(gen.shape[1]):
            match = ((match << 1) | 1) & self._bits(gen[:, j])
            done |= (match & t.full_bit) != 0
        return self._derive(match, done, torch.zeros_like(done))

    # -- the step ------------------------------------------------------------------------

    def __call__(self, input_ids: "torch.LongTensor", scores: "torch.FloatTensor") -> "torch.FloatTensor":
        import torch

        cur = input_ids.shape[1]
        if cur < self.start:
            return scores
        if self._t is None:
            self._setup(input_ids.shape[0], scores.device)
        self.steps += 1
        t = self._t
        parent = self._parents(input_ids)
        if parent is None:
            state = self._scan(input_ids[:, self.start:])
        else:
            state = self._state if parent is True else self._state.take(parent)
            last = input_ids[:, -1]
            if bool((t.uq_tok == last[:, None]).any()):
                match = ((state.match << 1) | 1) & self._bits(last)
                done = state.done | ((match & t.full_bit) != 0)
                state = self._derive(match, done, state.commit)
            elif bool(state.match.any()):
                state = state._replace(match=torch.zeros_like(state.match))
        best = scores.amax(-1)  # (an argmax over the vocabulary costs ten times more on CPU)
        snapshot = input_ids.clone()
        if self.record:  # what the model thought of each term token, before any change
            self.history[cur] = (snapshot, best, scores.gather(1, self._uq_idx))
        self._prev = snapshot

        pending_rows = bool(state.any_pending.any())
        remaining = t.row_max - cur
        if not pending_rows:
            self._state = state._replace(commit=torch.zeros_like(state.commit))
            if state.repeat is not None and bool(state.repeat.any()):
                self._nudge(scores, None, state.repeat)
            self._keep_words(scores, state)
            capped = remaining <= 0
            if bool(capped.any()):
                self._force_eos(scores, capped)
            return scores

        # the spelling prefixes each row ends with, among pending terms; a weak one counts once committed
        live = (state.match & t.prefix_bits).masked_fill(~state.pend_sp, 0)
        strong = live & ~(t.weak_bit & ~state.commit.long())
        inside = (strong != 0).any(1)
        slack = remaining - state.need
        wants_stop = scores.index_select(1, self._stops).amax(-1) >= best
        trigger = state.any_pending & ~inside & ((slack <= 0) | wants_stop)
        start_ok = state.pend_sp & (t.extra <= slack.clamp(min=0)[:, None])
        commit = (state.commit & (live != 0)) | (trigger[:, None] & start_ok)
        self._state = state._replace(commit=commit)

        # no end of sentence while terms are pending
        if len(self.eos_ids) == 1:
            scores[:, self.eos_ids[0]].masked_fill_(state.any_pending, -math.inf)
        else:
            scores[:, self._eos] = scores[:, self._eos].masked_fill(state.any_pending[:, None], -math.inf)
        free = state.any_pending & ~inside & ~trigger
        if self.bias or state.repeat is not None:
            self._nudge(scores, start_ok & (t.weak_bit == 0) & free[:, None] if self.bias else None, state.repeat)
            if self.bias:  # a bare "▁" that may start a weak spelling: bias its second token
                weak_started = (live & t.weak_bit & ~state.commit.long()) != 0
                weak_started &= free[:, None]
                if bool(weak_started.any()):
                    amount = torch.zeros(t.wk_tok.shape, device=scores.device).scatter_reduce_(
                        1, t.wk_of, weak_started.float(), reduce="amax")
                    scores.scatter_add_(1, t.wk_tok, amount * self.bias)
        self._keep_words(scores, state)
        if bool(inside.any()):
            rows = inside.nonzero().squeeze(1)
            sub = strong.index_select(0, rows)
            # continue only the spellings that still leave room for the other pending terms, if any does
            other = state.need.index_select(0, rows)[:, None] - t.term_min.index_select(0, rows).gather(
                1, t.term.index_select(0, rows))
            k_min = t.length.index_select(0, rows) + other - remaining.index_select(0, rows)[:, None]
            fit_mask = ~((torch.ones_like(k_min) << (k_min - 1).clamp(0, MAX_SPELLING)) - 1)
            fitting = sub & fit_mask
            sub = torch.where((fitting != 0).any(1)[:, None], fitting, sub)
            ok = ((sub[:, :, None] >> self._shifts) & 1) != 0                   # [n, A, K]
            self._restrict_rows(scores, rows, t.cont.index_select(0, rows).flatten(1), ok.flatten(1))
        if bool(trigger.any()):
            rows = trigger.nonzero().squeeze(1)
            self._restrict_rows(scores, rows, t.first.index_select(0, rows), start_ok.index_select(0, rows))
        capped = (remaining <= 0) & ~state.any_pending
        if bool(capped.any()):
            self._force_eos(scores, capped)
        return scores

    def _nudge(self, scores: "torch.Tensor", starts: "torch.Tensor | None", repeat: "torch.Tensor | None") -> None:
        """Add the bias to the first tokens of the spellings ``starts`` [R, A], and subtract the repeat
        penalty from those of ``repeat`` (unless they also start a pending term)."""
        import torch

        t = self._t
        amount = torch.zeros(t.ft_tok.shape, device=scores.device)
        if starts is not None:
            amount.scatter_reduce_(1, t.ft_of, starts.float(), reduce="amax")
        total = amount * self.bias
        if repeat is not None:
            again = torch.zeros_like(amount).scatter_reduce_(1, t.ft_of, repeat.float(), reduce="amax")
            total -= again * (1 - amount) * self.repeat_penalty
        scores.scatter_add_(1, t.ft_tok, total)

    def _keep_words(self, scores: "torch.Tensor", state: _State) -> None:
        """Rows whose prefix ends with a complete word-start spelling may not glue letters onto it
        (``glued_ids``), except to continue a longer spelling ("Харбин" -> "Харбина")."""
        if self._glued is None:
            return
        t = self._t
        ended = (((state.match & t.full_bit) != 0) & t.word).any(1)
        if not bool(ended.any()):
            return
        rows = ended.nonzero().squeeze(1)
        inner = state.match.index_select(0, rows) & t.any_prefix.index_select(0, rows)
        ok = (((inner[:, :, None] >> self._shifts) & 1) != 0).flatten(1)
        cont = t.cont.index_select(0, rows).flatten(1)
        kept = scores[rows[:, None], cont]
        scores[rows[:, None], self._glued[None, :]] = -math.inf
        r, c = ok.nonzero(as_tuple=True)
        scores[rows[r], cont[r, c]] = kept[r, c]

    def _force_eos(self, scores: "torch.Tensor", rows: "torch.Tensor") -> None:
        idx = rows.nonzero().squeeze(1)
        eos = self._eos.expand(idx.numel(), -1)
        self._restrict_rows(scores, idx, eos, eos >= 0)

    @staticmethod
    def _restrict_rows(scores: "torch.Tensor", rows: "torch.Tensor", tokens: "torch.Tensor",
                       ok: "torch.Tensor") -> None:
        """In the rows ``rows`` (indexes), keep only the scores of ``tokens`` where ``ok`` (in place)."""
        import torch

        vals = scores[rows[:, None], tokens]
        # a token another processor ruled out (-inf) stays possible, just very unlikely
        vals = torch.where(torch.isneginf(vals), torch.full_like(vals, -1e4), vals)
        r, c = ok.nonzero(as_tuple=True)
        scores.index_fill_(0, rows, -math.inf)
        scores[rows[r], tokens[r, c]] = vals[r, c]  # duplicates carry the same value

    # -- after generation ------------------------------------------------------------------

    def own_choices(self, sequences: "torch.Tensor") -> "torch.Tensor":
        """[batch, length] bool: False where the token is a term token that was not its hypothesis' top
        choice before this processor changed the scores (needs ``record``). Only term tokens are judged:
        a term occurrence made of tokens all True is the model's own."""
        import torch

        B, nb = sequences.shape[0], self.beams if self._t is not None else 1
        own = torch.ones(sequences.shape, dtype=torch.bool, device=sequences.device)
        if self._t is None:
            return own
        t = self._t
        # only the positions holding a term token need a verdict
        table = t.uq_tok.index_select(0, self._group_base)                          # [B, U]
        judged = (sequences[:, :, None] == table[:, None, :]).any(-1).any(0)
        for j in judged.nonzero().squeeze(1).tolist():
            if j not in self.history:
                continue
            ids, best, orig = self.history[j]
            if ids.shape[0] != B * nb:
                continue
            match = (ids.reshape(B, nb, j) == sequences[:, None, :j]).all(-1)       # [B, nb]
            rows = match.int().argmax(1) + self._group_base
            token = sequences[:, j:j + 1]
            hit = t.uq_tok.index_select(0, rows) == token                          # [B, U]
            value = torch.where(hit, orig.index_select(0, rows), torch.full_like(orig[:B], -math.inf)).amax(1)
            own[:, j] = ~match.any(1) | ~hit.any(1) | (value >= best.index_select(0, rows))
        return own


# --------------------------------------------------------------------------- decoding with terms


@dataclass(frozen=True)
class ConstraintOptions:
    """Knobs of term enforcement (the defaults are what the backend uses).

    ``bias``: added to the score (log-probability in beam search, logit in
    greedy search) of the first token of each pending term; ``repeat_penalty``
    is subtracted from the first token of each completed term (against the
    source word translated a second time). ``processor``:
    use :class:`TermLogitsProcessor` (off: decode freely, then repair).
    ``repair``: the prefix repair (off: straight to the last resort).
    ``classify``: tell "free" from "constrained" (records each step's top
    choices; costs a little time and memory).
    """

    bias: float = 2.0
    repeat_penalty: float = 2.0
    processor: bool = True
    repair: bool = True
    classify: bool = True


@dataclass
class TermDecoding:
    """One batch decoded with terms: first pass with the processor, then verification and repair.

    Built by the backend: ``model`` (a transformers seq2seq model),
    ``encoded`` (its ``input_ids`` / ``attention_mask`` for the batch),
    ``generate_kwargs`` (``num_beams``, ``suppress_tokens``,
    ``forced_bos_token_id`` ...), ``decoder_prefix`` (decoder start token and
    any forced language token: what precedes the text in each output),
    ``budget`` (text tokens allowed per sentence), ``min_new_tokens``,
    ``eos_ids``, a :class:`TermSpeller`, ``language`` (the target, ``ru`` or
    ``zh``...) and ``max_positions`` (the decoder's limit, if any).
    """

    model: Any
    encoded: dict
    generate_kwargs: dict
    decoder_prefix: list[int]
    budget: int
    min_new_tokens: int
    eos_ids: list[int]
    speller: TermSpeller
    language: str
    options: ConstraintOptions = field(default_factory=ConstraintOptions)
    max_positions: int | None = None

    @property
    def _whole(self) -> bool:
        return _spaced(self.language)

    def _present(self, text: str, term: Sequence[str]) -> bool:
        """The check the output must pass: whole words in Russian (as a lemma-based check reads it)."""
        return term_present(text, term, whole_words=self._whole)

    def _processor(self, terms: list[list[SpelledTerm]], max_lengths: list[int], record: bool = False):
        return TermLogitsProcessor(
            terms, start=len(self.decoder_prefix), max_lengths=max_lengths, eos_ids=self.eos_ids,
            stop_ids=self.speller.stop_ids, bias=self.options.bias, repeat_penalty=self.options.repeat_penalty,
            glued_ids=self.speller.glued_ids if self._whole else (), record=record)

    def run(self, rows: list[list[tuple[str, ...]]]) -> tuple[list[str], list[list[str]]]:
        """Translations and, per row and term, the mechanism that put the term there."""
        import torch
        from transformers import LogitsProcessorList

        start = len(self.decoder_prefix)
        lead = start - 1
        spelled = [[self.speller.spell(term, self.language) for term in terms] for terms in rows]
        budgets = []
        for terms in spelled:
            need = sum(t.min_length for t in terms)
            b = max(self.budget, need)
            if self.max_positions:
                b = max(1, min(b, self.max_positions - start - 1))
            budgets.append(b)
        top = max(budgets)
        kwargs = dict(self.generate_kwargs)
        processor = None
        if self.options.processor:
            processor = self._processor(spelled, [start + b for b in budgets], record=self.options.classify)
            kwargs["logits_processor"] = LogitsProcessorList([processor])
        with torch.inference_mode():
            sequences = self.model.generate(**self.encoded, max_new_tokens=top + lead,
                                            min_new_tokens=self.min_new_tokens, **kwargs)
            own = processor.own_choices(sequences) if processor is not None and self.options.classify else None
            texts: list[str] = []
            how: list[list[str]] = []
            for i, terms in enumerate(rows):
                seq = sequences[i].tolist()
                text = self.speller.decode(seq)
                labels = [""] * len(terms)
                where: dict[int, list[int]] = {}  # token -> its positions in the output
                for j in range(start, self._end(seq, start)):
                    where.setdefault(seq[j], []).append(j)
                own_row = own[i].tolist() if own is not None else None
                for k in range(len(terms)):
                    if self._present(text, terms[k]):
                        labels[k] = self._classify(seq, where, own_row, spelled[i][k], free_default=processor is None)
                for k in missing_terms(text, terms, whole_words=self._whole):
                    if self._present(text, terms[k]):  # the repair of an earlier term brought it in
                        continue
                    fixed = self._repair(i, seq, text, terms, spelled[i], k, budgets[i]) \
                        if self.options.repair else None
                    if fixed is None:
                        continue
                    seq, text, head = fixed
                    for j in range(len(terms)):
                        # term k, and the terms the repair cut off and generated again, count as repaired
                        if j == k or (labels[j] and not self._present(head, terms[j])):
                            labels[j] = "repaired"
                for k in range(len(terms)):
                    if not self._present(text, terms[k]):  # last resort
                        text = insert_term(text, terms[k][0], self.language)
                        labels[k] = "appended"
                    elif not labels[k]:
                        labels[k] = "repaired"
                texts.append(text.strip())
                how.append(labels)
        return texts, how

    # -- helpers ---------------------------------------------------------------------------

    def _end(self, seq: list[int], start: int) -> int:
        """Index one past the last text token of ``seq`` (before the first EOS after ``start``)."""
        eos = set(self.eos_ids)
        for j in range(start, len(seq)):
            if seq[j] in eos:
                return j
        return len(seq)

    @staticmethod
    def _classify(seq: list[int], where: dict[int, list[int]], own: list[bool] | None, term: SpelledTerm, *,
                  free_default: bool) -> str:
        """``free`` if an occurrence of the term was all the model's own choices, else ``constrained``
        (``where``: the output's text positions of each token)."""
        if own is None:
            return "free" if free_default else "constrained"
        found = False
        for s in term.spellings:
            n = len(s.tokens)
            for j in where.get(s.tokens[0], ()):
                if tuple(seq[j:j + n]) == s.tokens:
                    found = True
                    if all(own[j:j + n]):
                        return "free"
        return "constrained" if found else "free"

    def _repair(self, i: int, seq: list[int], text: str, terms: list[tuple[str, ...]], spelled: list[SpelledTerm],
                k: int, budget: int) -> tuple[list[int], str, str] | None:
        """Cut the output where the model most expects term ``k``, append it, let the model finish.

        Returns (sequence, text, the forced prefix as text), or None when the term cannot be spelled back or
        the result lost another term.
        """
        import torch
        from transformers import LogitsProcessorList

        start = len(self.decoder_prefix)
        end = self._end(seq, start)
        gen = seq[start:end]
        last = len(gen)
        while last > 0 and self.speller.is_stop(gen[last - 1]):
            last -= 1
        # keep the terms the output already has: cut after them
        present = [j for j in range(len(terms)) if j != k and self._present(text, terms[j])]
        first = 0
        if present:
            first = last + 1
            for p in range(last + 1):
                kept = self.speller.decode(self.decoder_prefix + gen[:p])
                if all(self._present(kept, terms[j]) for j in present):
                    first = p
                    break
            if first > last:  # a term sits in the final punctuation?! keep everything
                first = last = len(gen)
        enc = {key: v[i:i + 1] for key, v in self.encoded.items()}
        device = self.model.device
        dec = torch.tensor([self.decoder_prefix + gen[:last]], dtype=torch.long, device=device)
        logp = torch.log_softmax(self.model(**enc, decoder_input_ids=dec).logits[0].float(), -1)
        spaced = _spaced(self.language)
        best: tuple[float, int, str] | None = None
        for p in range(first, last + 1):
            if spaced and 0 < p < last and not self.speller.starts_word(gen[p]):
                continue  # Russian: cut only between words
            for alt in terms[k]:
                token = spelled[k].first_token(alt, glued=(not spaced and p > 0))
                if token is None:
                    continue
                score = float(logp[start - 1 + p, token])
                if best is None or score >= best[0]:
                    best = (score, p, alt)
        p, alt = (best[1], best[2]) if best is not None else (last, terms[k][0])
        head = _join(self.speller.decode(self.decoder_prefix + gen[:p]), alt, self.language)
        ids = list(self.speller.encode(head))
        forced = self.decoder_prefix + ids
        if not self._present(self.speller.decode(forced), terms[k]):
            return None
        # the processor enforces the terms the prefix lacks, and watches the forced one when it can see it
        # (no letters glued on, no second copy)
        watch = [j for j in range(len(terms)) if j != k and not self._present(head, terms[j])] \
            if self.options.processor else []
        if any(tuple(ids[-len(sp.tokens):]) == sp.tokens for sp in spelled[k].spellings):
            watch.append(k)
        room = budget - len(ids)
        if self.max_positions:
            room = min(room, self.max_positions - len(forced) - 1)
        if room > 0:
            kwargs = dict(self.generate_kwargs)
            if watch:
                kwargs["logits_processor"] = LogitsProcessorList(
                    [self._processor([[spelled[j] for j in watch]], [start + budget])])
            out = self.model.generate(**enc, decoder_input_ids=torch.tensor([forced], device=device),
                                      max_new_tokens=room, **kwargs)
            new_seq = out[0].tolist()
        else:
            new_seq = forced
        new_text = self.speller.decode(new_seq)
        if not self._present(new_text, terms[k]):
            return None
        if any(self._present(text, terms[j]) and not self._present(new_text, terms[j]) for j in range(len(terms))):
            return None
        return new_seq, new_text, head


# --------------------------------------------------------------------------- repair without a logits processor


@dataclass
class PrefixRepair:
    """Terms enforced after decoding, for an engine without logits processors (CTranslate2).

    The engine is reached through two batched callables. ``score(requests)``
    takes ``(row, sequence)`` pairs (decoder token ids, ``lead_ids`` first)
    and returns, per pair, a function ``logp(position, token)``: the
    log-probability of ``token`` right after ``sequence[:position]`` (one
    teacher-forced pass over the sequence). ``complete(requests)`` takes
    ``(row, forced, room)`` triples and returns, per triple, the whole
    sequence the model decodes on from ``forced`` within ``room`` more tokens
    (for Russian, not gluing letters onto the forced term).
    ``lead_ids``: what precedes the text in every output (the forced
    language token, or nothing).

    :meth:`enforce` checks a batch of outputs: a missing term is put where the
    model gives its first token the highest probability among the cut points
    that keep the terms already there (between words in Russian), and the
    model completes the sentence from there (``repaired``); the last resort
    inserts it before the final punctuation (``appended``). A term the first
    output already had is ``free``. Rows are repaired together, one missing
    term per row per round: two engine calls a round, however many rows.
    """

    speller: TermSpeller
    language: str
    lead_ids: list[int]
    eos_ids: list[int]
    score: Callable[[list[tuple[int, list[int]]]], list[Callable[[int, int], float]]]
    complete: Callable[[list[tuple[int, list[int], int]]], list[list[int]]]

    def spell(self, term: Sequence[str]) -> SpelledTerm:
        return self.speller.spell(term, self.language)

    def _present(self, text: str, term: Sequence[str]) -> bool:
        return term_present(text, term, whole_words=_spaced(self.language))

    def enforce(self, rows: list[tuple[int, list[int], list[tuple[str, ...]], int]]) -> list[tuple[str, list[str]]]:
        """For each ``(row, sequence, terms, budget)``: the text with every term in it, and per term its
        mechanism."""
        state = []
        for row, seq, terms, budget in rows:
            text = self.speller.decode(seq)
            labels = ["free" if self._present(text, t) else "" for t in terms]
            todo = [k for k in range(len(terms)) if not labels[k]]
            state.append(dict(row=row, seq=seq, text=text, terms=terms, budget=budget, labels=labels, todo=todo,
                              spelled=[self.spell(t) for t in terms]))
        while True:
            plans = []
            for st in state:
                while st["todo"] and self._present(st["text"], st["terms"][st["todo"][0]]):
                    st["todo"].pop(0)  # brought in by the repair of another term
                if st["todo"]:
                    plans.append((st, st["todo"].pop(0)))
            if not plans:
                break
            self._round(plans)
        out = []
        for st in state:
            text, labels = st["text"], st["labels"]
            for k, term in enumerate(st["terms"]):
                if not self._present(text, term):
                    text = insert_term(text, term[0], self.language)
                    labels[k] = "appended"
                elif not labels[k]:
                    labels[k] = "repaired"
            out.append((text.strip(), labels))
        return out

    def _gen(self, seq: list[int]) -> list[int]:
        start, eos = len(self.lead_ids), set(self.eos_ids)
        end = next((j for j in range(start, len(seq)) if seq[j] in eos), len(seq))
        return seq[start:end]

    def _round(self, plans: list) -> None:
        spaced = _spaced(self.language)
        scoring = []
        for st, k in plans:
            terms, text = st["terms"], st["text"]
            gen = self._gen(st["seq"])
            last = len(gen)
            while last > 0 and self.speller.is_stop(gen[last - 1]):
                last -= 1
            present = [j for j in range(len(terms)) if j != k and self._present(text, terms[j])]
            first = 0
            if present:  # cut only after the terms the output already has
                first = next((p for p in range(last + 1)
                              if all(self._present(self.speller.decode(self.lead_ids + gen[:p]), terms[j])
                                     for j in present)), len(gen))
                if first > last:
                    first = last = len(gen)
            options: list[tuple[int, int, str]] = []  # (cut, first token, alternative)
            seen: set[tuple[int, int]] = set()
            for p in range(first, last + 1):
                if spaced and 0 < p < last and not self.speller.starts_word(gen[p]):
                    continue  # Russian: cut only between words
                for alt in terms[k]:
                    token = st["spelled"][k].first_token(alt, glued=(not spaced and p > 0))
                    if token is not None and (p, token) not in seen:
                        seen.add((p, token))
                        options.append((p, token, alt))
            scoring.append((gen, last, options))
        wanted = [i for i, (_, _, options) in enumerate(scoring) if options]
        scorers = self.score([(plans[i][0]["row"], self.lead_ids + scoring[i][0][:scoring[i][1]]) for i in wanted])
        scorer_of = dict(zip(wanted, scorers))
        start = len(self.lead_ids)
        jobs = []
        for i, ((st, k), (gen, last, options)) in enumerate(zip(plans, scoring)):
            p, alt = last, st["terms"][k][0]
            if options:
                logp = scorer_of[i]
                best = max(options, key=lambda o: (logp(start + o[0], o[1]), o[0]))
                p, _, alt = best
            head = _join(self.speller.decode(self.lead_ids + gen[:p]), alt, self.language)
            forced = self.lead_ids + list(self.speller.encode(head))
            if not self._present(self.speller.decode(forced), st["terms"][k]):
                continue
            jobs.append((st, k, head, forced, st["budget"] - (len(forced) - start)))
        runs = [j for j in jobs if j[4] > 0]
        completed = self.complete([(st["row"], forced, room) for st, _, _, forced, room in runs])
        done = {id(j): seq for j, seq in zip(runs, completed)}
        for job in jobs:
            st, k, head, forced, _ = job
            new_seq = done.get(id(job), forced)
            new_text = self.speller.decode(new_seq)
            terms = st["terms"]
            if not self._present(new_text, terms[k]):
                continue
            if any(self._present(st["text"], t) and not self._present(new_text, t) for t in terms):
                continue  # the repair lost a term the output had
            st["seq"], st["text"] = new_seq, new_text
            for j in range(len(terms)):
                # term k, and the terms the repair cut off and that came back, count as repaired
                if j == k or (st["labels"][j] and not self._present(head, terms[j])):
                    st["labels"][j] = "repaired"
