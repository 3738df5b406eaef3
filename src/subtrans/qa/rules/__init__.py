"""The built-in QA rules; importing this package registers them."""

from . import layout, parity, reading, speed, text, timing  # noqa: F401
