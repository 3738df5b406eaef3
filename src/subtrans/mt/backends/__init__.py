"""MT backends (see :mod:`.base` for how to add one)."""

from .base import BACKENDS, Backend, Candidate, choose_backend, get_backend, register_backend

__all__ = ["BACKENDS", "Backend", "Candidate", "choose_backend", "get_backend", "register_backend"]
