"""MT backends (see :mod:`.base` for how to add one)."""

from .base import BACKENDS, Backend, get_backend, register_backend

__all__ = ["BACKENDS", "Backend", "get_backend", "register_backend"]
