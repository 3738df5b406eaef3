"""The logits processor that steers transformers' ``generate`` towards pending terms (:class:`TermLogitsProcessor`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple, Sequence

from .check import MAX_SPELLING
from .spelling import SpelledTerm

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = ["TermLogitsProcessor"]


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
        return _State._make(None if x is None else x.index_select(0, rows) for x in self)


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
            for k, spelled in enumerate(terms):
                shortest = spelled.min_length
                term_f += (int(shortest > 0), shortest)
                for sp in spelled.spellings:
                    tokens = sp.tokens
                    n = len(tokens)
                    tok_f += tokens
                    tok_f += (-1,) * (N - n)
                    is_weak = sp.weak and n > 1
                    meta_f += (n, sp.force, is_weak, k, firsts.setdefault(tokens[0], len(firsts)),
                               seconds.setdefault(tokens[1], len(seconds)) if is_weak else 0, sp.word)
                    uq.update(tokens)
                count += len(spelled.spellings)
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
        tables: dict[str, torch.Tensor] = dict(
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
        self._t = t = _Tables(**{k: v.contiguous().to(device) for k, v in tables.items()})
        self._uq_idx = t.uq_tok.clamp(min=0)
        self._shifts = torch.arange(N - 1, device=device)
        self._pow2 = torch.ones(N, dtype=torch.long, device=device) << torch.arange(N, device=device)
        self._eos = torch.tensor(self.eos_ids, dtype=torch.long, device=device)
        self._stops = torch.tensor(sorted(set(self.stop_ids)), dtype=torch.long, device=device)
        self._glued: torch.Tensor | None = None
        if self.glued_ids:
            self._glued = torch.tensor(self.glued_ids, dtype=torch.long, device=device)
        self._group_base = torch.arange(B, device=device) * self.beams

    # -- state -------------------------------------------------------------------------

    def _parents(self, input_ids: "torch.Tensor") -> "torch.Tensor | Literal[True] | None":
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
        assert self._t is not None  # (set up by the first step)
        return ((self._t.tok == token[:, None, None]).long() * self._pow2).sum(-1)

    def _derive(self, match: "torch.Tensor", done: "torch.Tensor", commit: "torch.Tensor") -> _State:
        import torch

        t = self._t
        assert t is not None  # (set up by the first step)
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
        assert t is not None  # (set up by the first step)
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
        assert t is not None  # (set up above)
        parent = self._parents(input_ids)
        if parent is None:
            state = self._scan(input_ids[:, self.start:])
        else:
            # a parent needs a previous step (self._prev), which also set self._state
            assert self._state is not None
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
        assert t is not None  # (set up by the first step)
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
        assert t is not None  # (set up by the first step)
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
