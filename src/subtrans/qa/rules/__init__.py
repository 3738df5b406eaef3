"""The built-in QA rules; importing this package registers them."""

from . import layout, reading, speed, text, timing  # noqa: F401
