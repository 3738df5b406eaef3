"""Stage 4, the engine: the backend that translates, loaded only when a text is not in the memory.

:class:`LazyEngine` stands in for a backend until a sentence really has to be
translated, so a rerun served wholly from the translation memory never loads
the model (nor torch).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator

from .._install import install_hint
from ..errors import ModelError

if TYPE_CHECKING:  # pragma: no cover
    from ..mt.backends.base import Backend, Candidate
    from ..mt.catalog import ModelSpec

__all__ = ["LazyEngine", "load_backend", "offers_candidates"]


def load_backend(name: str, spec: "ModelSpec", *, device: str | None, allow_pickle: bool) -> "Backend":
    """The backend ``name`` loaded with the model of ``spec``."""
    from ..mt.backends import get_backend

    if getattr(spec, "decoder_only", False) and name in ("hf", "ct2"):
        name += "-causal"     # a translation LLM: the engine's decoder-only class
    try:
        return get_backend(name)(spec, device=device, allow_pickle=allow_pickle)
    except ImportError as exc:
        raise ModelError(f"translation needs the mt extra ({exc.name or exc} is not installed)",
                         hint=install_hint("mt") + "; torch==2.13.0 is the CPU build") from None


class LazyEngine:
    """A backend that loads on first use. The revision, part of the memory's key, comes from the model
    folder before loading, as the backend's does after."""

    def __init__(self, spec: "ModelSpec", name: str, load: "Callable[[ModelSpec], Backend]") -> None:
        from ..mt.catalog import folder_revision

        self.spec, self.name, self._load = spec, name, load
        self.revision = folder_revision(spec.path) if spec.path else (spec.revision or "unknown")
        self._loaded: Backend | None = None

    def load(self) -> "Backend":
        if self._loaded is None:
            self._loaded = self._load(self.spec)
            self.revision = self._loaded.revision
        return self._loaded

    def translate(self, texts: list[str], *, source: str, target: str, beams: int = 1, max_length: int | None = None,
                  constraints: list[list[list[str]]] | None = None) -> list[str]:
        backend = self.load()
        extra = {"constraints": constraints} if constraints is not None else {}
        return backend.translate(texts, source=source, target=target, beams=beams, max_length=max_length,
                                 **extra)

    def translate_batches(self, batches: list[tuple[list[str], Any]], *, source: str, target: str,
                          beams: int = 1, max_length: int | None = None) -> Iterator[list[str]]:
        """The backend's :meth:`~subtrans.mt.backends.base.Backend.translate_batches` (one batch after another
        for a backend that is not a :class:`Backend` subclass)."""
        backend = self.load()
        method = getattr(backend, "translate_batches", None)
        if method is not None:
            yield from method(batches, source=source, target=target, beams=beams, max_length=max_length)
            return
        for texts, constraints in batches:
            extra = {"constraints": constraints} if constraints is not None else {}
            yield backend.translate(texts, source=source, target=target, beams=beams, max_length=max_length,
                                    **extra)

    def candidates(self, texts: list[str], *, source: str, target: str, n: int = 4, beams: int = 1,
                   max_length: int | None = None,
                   constraints: list[list[list[str]]] | None = None) -> "list[list[Candidate]]":
        return self.load().candidates(texts, source=source, target=target, n=n, beams=beams,
                                      max_length=max_length, constraints=constraints)

    @property
    def last_enforcement(self) -> Any:
        return getattr(self._loaded, "last_enforcement", None)

    @property
    def last_cleaned(self) -> Any:
        return getattr(self._loaded, "last_cleaned", None)


def offers_candidates(backend: "Backend | LazyEngine") -> bool:
    """Whether a backend implements :meth:`Backend.candidates` (loads a lazy engine's model)."""
    from ..mt.backends.base import Backend

    if isinstance(backend, LazyEngine):
        backend = backend.load()
    method = getattr(type(backend), "candidates", None)
    return callable(method) and method is not Backend.candidates
