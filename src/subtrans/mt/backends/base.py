"""The MT backend interface and its registry.

A backend turns a batch of source sentences into target sentences with one
loaded model. It knows nothing about subtitles: the pipeline
(:mod:`subtrans.pipeline`) merges cues into sentence units, batches them,
caches results and lays out the output.

To add a backend:

1. Subclass :class:`Backend` in a module of its own; set ``name``.
2. Load the model in ``__init__`` (import heavy libraries there, never at
   module level, so ``subtrans check`` stays light).
3. Implement :meth:`Backend.translate` for one batch; return one string per
   input, in order, never raising for a single odd sentence (and
   :meth:`Backend.candidates` if it can offer alternatives, for fitting).
4. Name it in :data:`BACKENDS` as ``"module:Class"`` (a backend of this
   package), or call ``register_backend("name", "your.module:YourBackend")``
   (or with the class itself). The registry imports a module only when its
   backend is asked for, so this module never imports an implementation.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from ..._install import install_hint
from ...errors import ModelError

if TYPE_CHECKING:  # pragma: no cover
    from ..catalog import ModelSpec

__all__ = ["Backend", "BACKENDS", "Candidate", "best_and_others", "register_backend", "get_backend", "choose_backend"]

#: Backend name -> ``"module:Class"`` (imported when first asked for) or the class itself.
BACKENDS: dict[str, "str | type[Backend]"] = {
    "hf": "subtrans.mt.backends.hf:HFBackend",
    "ct2": "subtrans.mt.backends.ct2:CT2Backend",
    # each engine's class for decoder-only translation LLMs (chosen by the model, not named by users)
    "hf-causal": "subtrans.mt.backends.causal:HFCausalBackend",
    "ct2-causal": "subtrans.mt.backends.ct2_causal:CT2CausalBackend",
}
#: The extra each built-in backend needs, for the message when it is missing.
_EXTRAS = {"hf": "mt", "ct2": "mt,fast"}


#: The beam searches a backend's ``candidates`` runs for alternatives, by length penalty: 1.0 ranks
#: hypotheses by their mean log-probability per token (the usual n-best), 0.0 by their sum, which
#: favours shorter ones.
CANDIDATE_LENGTH_PENALTIES = (1.0, 0.0)


class Candidate(NamedTuple):
    """One alternative translation of a sentence (:meth:`Backend.candidates`).

    ``score``: the model's length-normalised log-probability (higher is
    better; comparable between the candidates of one sentence only).
    ``terms``: per glossary term of that sentence, how it got into this
    candidate (the mechanisms of :mod:`subtrans.mt.constraints`).
    """

    text: str
    score: float
    terms: tuple[str, ...] = ()


def best_and_others(pool: list[Candidate], best: str, n: int) -> list[Candidate]:
    """``n`` candidates of ``pool``, best score first: the translation ``best`` always, and the ``n - 1``
    best-scored others."""
    ranked = sorted(pool, key=lambda c: -c.score)
    kept = [c for c in ranked if c.text == best] + [c for c in ranked if c.text != best][:n - 1]
    return sorted(kept, key=lambda c: -c.score)


class Backend:
    """One loaded model that translates batches of sentences.

    ``languages`` are subtrans codes: ``ru``, ``zh`` (Simplified) and, where
    the model supports it, ``zh-hant``. Instances are not thread-safe: use
    one per thread (the model weights are read-only and could be shared, the
    tokenizer state is not).
    """

    name: ClassVar[str] = ""

    def __init__(self, spec: "ModelSpec", *, device: str | None = None, allow_pickle: bool = False) -> None:
        self.spec = spec
        self.device = device or "cpu"

    def translate(self, texts: list[str], *, source: str, target: str, beams: int = 1,
                  max_length: int | None = None, constraints: list[list[list[str]]] | None = None) -> list[str]:
        """Translate one batch. ``max_length`` caps the output in tokens (``None``: the spec's).

        ``constraints``: None, or one entry per text, each a list of *terms*
        that must appear in that text's translation; a term is a list of
        alternative surface strings (every case form of a Russian term, the
        glossary form first; or one Chinese string), any one of which
        satisfies it (:func:`subtrans.mt.constraints.missing_terms` checks
        an output). A backend that enforces terms guarantees each one
        whenever feasible, raising ``max_length`` for a sentence whose terms
        alone do not fit, and records per text and term how it got there in
        ``last_enforcement`` (see :mod:`subtrans.mt.constraints`).
        """
        raise NotImplementedError

    def translate_batches(self, batches: Iterable[tuple[list[str], list[list[list[str]]] | None]], *, source: str,
                          target: str, beams: int = 1, max_length: int | None = None) -> Iterator[list[str]]:
        """Translate ``batches`` (``(texts, constraints or None)`` pairs), yielding each batch's
        translations in order, its term report left in ``last_enforcement`` before the yield.

        One batch after another here; an engine that can decode batches side by side (``ct2``) overrides
        this to keep every worker busy while the caller stores each batch as it comes.
        """
        for texts, constraints in batches:
            extra = {"constraints": constraints} if constraints is not None else {}
            yield self.translate(texts, source=source, target=target, beams=beams, max_length=max_length,
                                 **extra)

    def candidates(self, texts: list[str], *, source: str, target: str, n: int = 4, beams: int = 1,
                   max_length: int | None = None,
                   constraints: list[list[list[str]]] | None = None) -> list[list[Candidate]]:
        """Up to ``n`` alternative translations per text, best model score first.

        Used to fit a translation to the screen (shorter alternatives). Each
        list holds distinct texts; every candidate carries every term of its
        text's ``constraints`` (a candidate that cannot be given them is
        dropped), so an empty input gives ``[]``. A backend may return fewer
        than ``n``.
        """
        raise NotImplementedError

    @property
    def revision(self) -> str:
        """The exact weights in use (a Hub commit hash, or a hash of a local folder's files)."""
        return self.spec.revision or "unknown"

    @property
    def signature(self) -> str:
        return f"{self.name}:{self.spec.name}@{self.revision}"


def register_backend(name: str, target: "str | type[Backend]") -> None:
    """Make ``target`` (``"module:Class"``, or a :class:`Backend` subclass) available as backend ``name``."""
    if not name or not (isinstance(target, str) and ":" in target or isinstance(target, type)):
        raise TypeError("register_backend(name, 'module:Class' or a Backend subclass)")
    BACKENDS[name] = target


def ct2_installed() -> bool:
    """Whether CTranslate2 can be imported (without importing it)."""
    return importlib.util.find_spec("ctranslate2") is not None


def choose_backend(requested: str) -> tuple[str, str]:
    """(backend name, how to describe the choice) for ``auto``, ``hf`` or ``ct2``.

    ``auto`` takes ``ct2`` when CTranslate2 is installed (it converts every
    catalogued architecture: T5, M2M100, NLLB, Marian), else ``hf``.
    """
    if requested == "auto":
        if ct2_installed():
            return "ct2", "ct2 (auto: CTranslate2 is installed)"
        return "hf", f'hf (auto: CTranslate2 is not installed; {install_hint("fast")} for ct2)'
    if requested == "ct2" and not ct2_installed():
        raise ModelError("the ct2 backend needs CTranslate2, which is not installed", text="ct2",
                         hint=install_hint("fast") + ", or --backend hf")
    return requested, requested


def get_backend(name: str) -> type[Backend]:
    """The backend class called ``name``, its module imported on first use."""
    target = BACKENDS.get(name)
    if target is None:
        raise ModelError(f"unknown or unavailable backend {name!r}", text=name,
                         hint="available: " + ", ".join(sorted(BACKENDS)))
    if isinstance(target, str):
        module, _, attr = target.partition(":")
        try:
            target = getattr(importlib.import_module(module), attr)
        except ImportError as exc:
            extra = _EXTRAS.get(name)
            if extra is None:
                raise ModelError(f"backend {name!r} cannot be imported: {exc}", text=target) from None
            raise ModelError(f"translation needs the {extra} extra ({exc.name or exc} is not installed)",
                             hint=install_hint(extra) + "; torch==2.13.0 is the CPU build") from None
        BACKENDS[name] = target
    return target
